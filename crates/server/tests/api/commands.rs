//! The write API on every backend pair: the actor from the token, officers limited to their
//! directorate, If-Match conflicts, idempotent retries, and bad input refused with nothing
//! appended.

use reqwest::StatusCode;
use scoreledger_domain::{
    Actor, Command, Period, PlanId, Polarity, Role, RuleSet, StatusScheme, TokenId,
};
use scoreledger_store::Request;
use scoreledger_testkit::pair::Pair;
use scoreledger_testkit::write::run_command;
use scoreledger_testkit::{measure_definition, measure_id, pair_test, plan_id, uuid};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::support::TestServer;

pub(crate) fn performance() -> Actor {
    Actor::new("simon.dennis", "Simon Dennis", Role::Performance)
}

pub(crate) async fn run(
    db: &Pair,
    stream: &scoreledger_domain::StreamId,
    command: Command,
    actor: Actor,
) {
    let request = Request {
        actor,
        reason: None,
        on_behalf_of: None,
        reported: None,
        commit_id: None,
        published_through: None,
        locked: Default::default(),
        plan_year: None,
        known_users: Vec::new(),
        outline: None,
        today: None,
        unreadable: None,
        rules: None,
    };
    run_command(&*db.store, stream, &command, &request)
        .await
        .unwrap();
}

/// A plan with one CYPS measure, 1.A3.
pub(crate) async fn plan_with_a_measure(db: &Pair) -> PlanId {
    let plan = plan_id(1);
    run(
        db,
        &plan.stream(),
        Command::DefinePlan {
            plan_id: plan,
            name: "Corporate Plan 2016/17".into(),
            financial_year: Period::financial_year(2016),
            status_scheme: StatusScheme::Corporate2016,
            approved_on: None,
            approved_by: None,
            priorities: vec![(1, "Every child making the best start in life".into())],
            outcomes: Vec::new(),
            rule_set: RuleSet::default(),
        },
        performance(),
    )
    .await;
    let measure = measure_id(1);
    run(
        db,
        &measure.stream(),
        Command::DefineMeasure {
            measure_id: measure,
            definition: measure_definition(plan, "1.A3", Polarity::Low),
            target: None,
        },
        performance(),
    )
    .await;
    plan
}

pub(crate) async fn token(db: &Pair, n: u128, role: Role, directorate: Option<&str>) -> String {
    let secret = format!("slt_write_test_{n}");
    let token_id = TokenId(uuid(200 + n));
    run(
        db,
        &token_id.stream(),
        Command::IssueToken {
            token_id,
            user_id: format!("user{n}"),
            name: format!("User {n}"),
            role,
            directorate: directorate.map(str::to_owned),
            secret_sha256: hex::encode(Sha256::digest(secret.as_bytes())),
            expires_on: None,
        },
        Actor::new("it.admin", "IT Admin", Role::Admin),
    )
    .await;
    secret
}

pub(crate) async fn post(
    url: &str,
    secret: &str,
    body: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let mut request = reqwest::Client::new()
        .post(url)
        .bearer_auth(secret)
        .header("content-type", "application/json")
        .body(body.to_owned());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    (
        status,
        headers,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

pair_test!(
    writes_carry_the_tokens_actor_and_conflict_rather_than_overwrite,
    |db| {
        plan_with_a_measure(&db).await;
        let officer = token(&db, 1, Role::Officer, Some("CYPS")).await;
        let stranger = token(&db, 2, Role::Officer, Some("Public Health")).await;
        let auditor = token(&db, 3, Role::Auditor, None).await;
        let server = TestServer::start(&db).await;
        let values = server.url("/api/measures/1.A3/values");
        let value =
            json!({"period": "Q3 2016/17", "value": "28.3%", "source": "Liquid Logic"}).to_string();

        // The first write; its retry with the same key answers the same and appends nothing.
        let key = [("idempotency-key", "0b6e-entry-1")];
        let (status, headers, written) = post(&values, &officer, &value, &key).await;
        assert_eq!(status, StatusCode::CREATED, "{written}");
        assert_eq!(headers["etag"], "\"2\"");
        let head = db.store.head().await.unwrap();
        let (status, headers, again) = post(&values, &officer, &value, &key).await;
        assert_eq!((status, &again), (StatusCode::CREATED, &written));
        assert_eq!(headers["idempotent-replayed"], "true");
        assert_eq!(
            db.store.head().await.unwrap(),
            head,
            "a retry appends nothing"
        );

        // The actor is the token's holder, and the write is readable at its position.
        let position = written["position"].as_u64().unwrap();
        let history: Value = reqwest::Client::new()
            .get(server.url(&format!(
                "/api/history?measure=1.A3&what=value&min_position={position}"
            )))
            .bearer_auth(&auditor)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(history[0]["actor_name"], "User 1", "{history}");
        assert_eq!(history[0]["actor_role"], "officer");

        // The same key with another body is another request, judged afresh.
        let other = json!({"period": "Q4 2016/17", "value": "27.1%"}).to_string();
        let (status, headers, fresh) = post(&values, &officer, &other, &key).await;
        assert_eq!(status, StatusCode::CREATED, "{fresh}");
        assert!(headers.get("idempotent-replayed").is_none());
        assert_ne!(fresh["position"], written["position"]);

        // A stale If-Match is a conflict even when the command would be refused anyway.
        let (status, _, conflict) = post(&values, &officer, &value, &[("if-match", "\"1\"")]).await;
        assert_eq!(status, StatusCode::CONFLICT, "{conflict}");
        assert_eq!(conflict["current_version"], 3);

        // A revision against a stale version is a conflict carrying the current version.
        let revision = json!({
            "period": "Q3 2016/17", "value": "27.9%", "classification": "correction",
            "reason": "Liquid Logic refresh"
        })
        .to_string();
        let revisions = server.url("/api/measures/1.A3/revisions");
        let head = db.store.head().await.unwrap();
        let (status, _, conflict) =
            post(&revisions, &officer, &revision, &[("if-match", "\"1\"")]).await;
        assert_eq!(status, StatusCode::CONFLICT, "{conflict}");
        assert_eq!(conflict["current_version"], 3);
        assert_eq!(db.store.head().await.unwrap(), head, "nothing appended");
        let (status, _, revised) =
            post(&revisions, &officer, &revision, &[("if-match", "\"3\"")]).await;
        assert_eq!(status, StatusCode::CREATED, "{revised}");
        assert_eq!(revised["stream_version"], 4);

        // Another directorate's officer and an auditor are refused.
        let note = json!({"period": "Q3 2016/17", "text": "Re-referrals down"}).to_string();
        let notes = server.url("/api/measures/1.A3/notes");
        let (status, _, body) = post(&notes, &stranger, &note, &[]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert!(
            body["error"].as_str().unwrap().contains("Public Health"),
            "{body}"
        );
        let (status, _, body) = post(&notes, &auditor, &note, &[]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert!(
            body["error"]
                .as_str()
                .unwrap()
                .contains("auditor role may not"),
            "{body}"
        );
        let (status, _, _) = post(&notes, &officer, &note, &[]).await;
        assert_eq!(status, StatusCode::CREATED);
        server.stop().await;
    }
);

pair_test!(
    bad_input_is_refused_with_what_to_fix_and_nothing_is_appended,
    |db| {
        plan_with_a_measure(&db).await;
        let officer = token(&db, 1, Role::Officer, Some("CYPS")).await;
        let server = TestServer::start(&db).await;
        // Projected once so the head below counts only what the cases append.
        let (_, _, _) = post(
            &server.url("/api/measures/1.A3/values"),
            &officer,
            &json!({"period": "Q1 2016/17", "value": "30%"}).to_string(),
            &[],
        )
        .await;
        let head = db.store.head().await.unwrap();
        let values = server.url("/api/measures/1.A3/values");
        let big = format!(
            "{{\"period\": \"Q2 2016/17\", \"value\": \"{}\"}}",
            "9".repeat(70_000)
        );
        let cases: Vec<(String, &str, StatusCode, &str)> = vec![
        (values.clone(), "{\"period\": ", StatusCode::BAD_REQUEST, ""),
        (values.clone(), "{\"period\": \"Q2 2016/17\", \"value\": 5}", StatusCode::UNPROCESSABLE_ENTITY, "value"),
        (values.clone(), "{\"period\": \"Q2 2016/17\"}", StatusCode::UNPROCESSABLE_ENTITY, "missing field `value`"),
        (values.clone(), "{\"period\": \"Q2 2016/17\", \"value\": \"1\", \"who\": \"x\"}", StatusCode::UNPROCESSABLE_ENTITY, "unknown field `who`"),
        (values.clone(), "{\"period\": \"Q9 2016/17\", \"value\": \"1\"}", StatusCode::UNPROCESSABLE_ENTITY, "period"),
        (values.clone(), "{\"period\": \"Q1 2016/17\", \"value\": \"31%\"}", StatusCode::UNPROCESSABLE_ENTITY, "already"),
        (server.url("/api/measures/9.Z9/values"), "{\"period\": \"Q2 2016/17\", \"value\": \"1\"}", StatusCode::NOT_FOUND, "no measure 9.Z9"),
        (server.url("/api/measures/1.A3/revisions"), "{\"period\": \"Q1 2016/17\", \"value\": \"29%\", \"classification\": \"correction\", \"reason\": \" \"}", StatusCode::UNPROCESSABLE_ENTITY, "reason"),
        (values.clone(), big.as_str(), StatusCode::PAYLOAD_TOO_LARGE, ""),
    ];
        for (url, body, expected, says) in cases {
            let (status, _, answer) = post(&url, &officer, body, &[]).await;
            assert_eq!(status, expected, "{body:.80}: {answer}");
            if !says.is_empty() {
                assert!(
                    answer["error"].as_str().unwrap_or_default().contains(says),
                    "{body:.80}: {answer}"
                );
            }
        }
        assert_eq!(db.store.head().await.unwrap(), head, "nothing appended");
        server.stop().await;
    }
);

pair_test!(
    the_performance_team_sets_targets_and_assesses_with_the_rules_suggestion,
    |db| {
        plan_with_a_measure(&db).await;
        let officer = token(&db, 1, Role::Officer, Some("CYPS")).await;
        let team = token(&db, 4, Role::Performance, None).await;
        let auditor = token(&db, 3, Role::Auditor, None).await;
        let server = TestServer::start(&db).await;
        let url = |path: &str| server.url(&format!("/api/measures/1.A3/{path}"));

        let target = json!({"period": "2016/17", "target": "23%"}).to_string();
        let (status, _, body) = post(&url("targets"), &officer, &target, &[]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        let (status, _, body) = post(&url("targets"), &team, &target, &[]).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let value = json!({"period": "Q3 2016/17", "value": "28.3%"}).to_string();
        let (status, _, _) = post(&url("values"), &officer, &value, &[]).await;
        assert_eq!(status, StatusCode::CREATED);

        let nothing = json!({"period": "Q3 2016/17"}).to_string();
        let (status, _, body) = post(&url("assessments"), &team, &nothing, &[]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let assessment =
            json!({"period": "Q3 2016/17", "status": "satisfactory", "direction": "stable"})
                .to_string();
        let (status, _, body) = post(&url("assessments"), &officer, &assessment, &[]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        let (status, _, written) = post(&url("assessments"), &team, &assessment, &[]).await;
        assert_eq!(status, StatusCode::CREATED, "{written}");

        // 28.3% against a low-is-good 23% target: the rules say off target, beside the team's view.
        let position = written["position"].as_u64().unwrap();
        let history: Value = reqwest::Client::new()
            .get(server.url(&format!(
                "/api/history?measure=1.A3&what=status&min_position={position}"
            )))
            .bearer_auth(&auditor)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            history[0]["after"], "satisfactory (rules suggested off_target)",
            "{history}"
        );
        assert_eq!(history[0]["actor_role"], "performance");
        server.stop().await;
    }
);

pair_test!(periods_are_locked_and_reports_published_over_http, |db| {
    plan_with_a_measure(&db).await;
    let officer = token(&db, 1, Role::Officer, Some("CYPS")).await;
    let team = token(&db, 4, Role::Performance, None).await;
    let server = TestServer::start(&db).await;

    let q3 = json!({"period": "Q3 2016/17"}).to_string();
    let (status, _, body) = post(&server.url("/api/locks"), &officer, &q3, &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, _, body) = post(&server.url("/api/locks"), &team, &q3, &[]).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let december = json!({"period": "Dec-16", "value": "27%"}).to_string();
    let values = server.url("/api/measures/1.A3/values");
    let (status, _, body) = post(&values, &officer, &december, &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("is locked"),
        "{body}"
    );
    let (status, _, body) = post(&server.url("/api/reopenings"), &team, &q3, &[]).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "reopening needs a reason: {body}"
    );
    let reopen = json!({"period": "Q3 2016/17", "reason": "late December data"}).to_string();
    let (status, _, _) = post(&server.url("/api/reopenings"), &team, &reopen, &[]).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _, _) = post(&values, &officer, &december, &[]).await;
    assert_eq!(status, StatusCode::CREATED);

    let publication = json!({
        "period": "Q3 2016/17",
        "meeting": "Cabinet and Commissioners' Decision Making Meeting",
        "published_on": "2017-01-13"
    })
    .to_string();
    let reports = server.url("/api/reports");
    let (status, _, body) = post(&reports, &officer, &publication, &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let key = [("idempotency-key", "q3-publication")];
    let (status, _, published) = post(&reports, &team, &publication, &key).await;
    assert_eq!(status, StatusCode::CREATED, "{published}");
    let (status, headers, again) = post(&reports, &team, &publication, &key).await;
    assert_eq!((status, &again), (StatusCode::CREATED, &published));
    assert_eq!(headers["idempotent-replayed"], "true");

    let report_id = published["stream"]
        .as_str()
        .unwrap()
        .trim_start_matches("report-");
    let list: Value = reqwest::Client::new()
        .get(server.url(&format!(
            "/api/reports?min_position={}",
            published["position"]
        )))
        .bearer_auth(&team)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1, "published once: {list}");
    let shown = reqwest::Client::new()
        .get(server.url(&format!("/api/reports/{report_id}")))
        .bearer_auth(&team)
        .send()
        .await
        .unwrap();
    assert_eq!(shown.status(), StatusCode::OK);
    let report: Value = shown.json().await.unwrap();
    assert_eq!(report["period"], "Q3 Oct - Dec 2016");
    assert_eq!(list[0]["sha256"].as_str().unwrap().len(), 64);
    server.stop().await;
});

pair_test!(
    periods_no_reader_could_parse_back_are_refused_and_the_service_keeps_answering,
    |db| {
        plan_with_a_measure(&db).await;
        let officer = token(&db, 1, Role::Officer, Some("CYPS")).await;
        let team = token(&db, 4, Role::Performance, None).await;
        let server = TestServer::start(&db).await;
        let url = |path: &str| server.url(&format!("/api/measures/1.A3/{path}"));
        let head = db.store.head().await.unwrap();
        // Each of these was once accepted, stored as `0/01` and halted every reader for good.
        let cases = [
            (
                &officer,
                "values",
                json!({"period": "0000/01", "value": "1", "reason": "typo"}),
                "outside the years",
            ),
            (
                &officer,
                "notes",
                json!({"period": "Q1 0000/01", "text": "typo"}),
                "outside the years",
            ),
            (
                &team,
                "targets",
                json!({"period": "0000/01", "target": "1", "reason": "typo"}),
                "outside the years",
            ),
            (
                &officer,
                "values",
                json!({"period": "H1 0000/01", "value": "1"}),
                "outside the years",
            ),
            (
                &officer,
                "values",
                json!({"period": "0000/01-0001/02", "value": "1"}),
                "outside the years",
            ),
            // In the years recorded, but nowhere near the plan: said so, not "published".
            (
                &officer,
                "values",
                json!({"period": "Q1 1900/01", "value": "1"}),
                "far outside 2016/17",
            ),
        ];
        for (who, path, body, says) in cases {
            let (status, _, answer) = post(&url(path), who, &body.to_string(), &[]).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
            let error = answer["error"].as_str().unwrap_or_default();
            assert!(
                error.contains(says) && !error.contains("published"),
                "{body}: {answer}"
            );
        }
        assert_eq!(db.store.head().await.unwrap(), head, "nothing appended");
        let ready = reqwest::get(server.url("/readyz")).await.unwrap();
        assert_eq!(ready.status(), StatusCode::OK);
        let (status, _, answer) = post(
            &url("values"),
            &officer,
            &json!({"period": "Q3 2016/17", "value": "28.3%"}).to_string(),
            &[],
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
        server.stop().await;
    }
);

pair_test!(
    text_that_would_not_display_as_stored_is_refused_and_nothing_is_appended,
    |db| {
        plan_with_a_measure(&db).await;
        let officer = token(&db, 1, Role::Officer, Some("CYPS")).await;
        let team = token(&db, 4, Role::Performance, None).await;
        let server = TestServer::start(&db).await;
        let head = db.store.head().await.unwrap();
        let cases = [
            (
                &officer,
                "/api/measures/1.A3/notes",
                json!({"period": "Q3 2016/17", "text": "on target \u{202E}71024"}),
                "bidirectional control U+202E",
            ),
            (
                &officer,
                "/api/measures/1.A3/values",
                json!({"period": "Q3 2016/17", "value": "28.3%", "reason": "a\u{0}b"}),
                "U+0000",
            ),
            (
                &officer,
                "/api/measures/1.A3/notes",
                json!({"period": "Q3 2016/17", "text": "x".repeat(10_001)}),
                "at most 10000",
            ),
            (
                &team,
                "/api/reports",
                json!({"period": "Q3 2016/17", "meeting": "Cabinet\u{0}", "published_on": "2017-01-13"}),
                "meeting is invalid",
            ),
        ];
        for (who, path, body, says) in cases {
            let (status, _, answer) = post(&server.url(path), who, &body.to_string(), &[]).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {answer}");
            let error = answer["error"].as_str().unwrap_or_default();
            assert!(error.contains(says), "{path}: {answer}");
        }
        assert_eq!(db.store.head().await.unwrap(), head, "nothing appended");
        // Line breaks belong in notes.
        let (status, _, answer) = post(
            &server.url("/api/measures/1.A3/notes"),
            &officer,
            &json!({"period": "Q3 2016/17", "text": "Q3 data:\r\n\tconfirmed"}).to_string(),
            &[],
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
        server.stop().await;
    }
);

pair_test!(
    a_period_published_twice_is_never_resolved_silently_and_each_publication_is_addressable,
    |db| {
        plan_with_a_measure(&db).await;
        let team = token(&db, 4, Role::Performance, None).await;
        let server = TestServer::start(&db).await;
        let reports = server.url("/api/reports");
        let head = db.store.head().await.unwrap();
        for (on, says) in [
            ("1900-01-01", "is not after"),
            ("2016-12-01", "is not after"),
            ("9999-12-31", "more than 5 years after"),
        ] {
            let body = json!({"period": "Q3 2016/17", "meeting": "Cabinet", "published_on": on});
            let (status, _, answer) = post(&reports, &team, &body.to_string(), &[]).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{on}: {answer}");
            assert!(
                answer["error"].as_str().unwrap().contains(says),
                "{on}: {answer}"
            );
        }
        assert_eq!(db.store.head().await.unwrap(), head, "nothing appended");

        let mut cut_offs = Vec::new();
        for (meeting, on) in [
            ("Cabinet", "2017-01-13"),
            ("Overview and Scrutiny Management Board", "2017-01-20"),
        ] {
            let body = json!({"period": "Q3 2016/17", "meeting": meeting, "published_on": on});
            let (status, _, answer) = post(&reports, &team, &body.to_string(), &[]).await;
            assert_eq!(status, StatusCode::CREATED, "{answer}");
            cut_offs.push(answer["position"].as_u64().unwrap() - 1);
        }
        let encode = |name: &str| {
            name.replace(' ', "%20")
                .replace('/', "%2F")
                .replace('@', "%40")
        };
        let get = |path: String| {
            let url = server.url(&path);
            let team = team.clone();
            async move {
                let response = reqwest::Client::new()
                    .get(url)
                    .bearer_auth(&team)
                    .send()
                    .await
                    .unwrap();
                (response.status(), response.json::<Value>().await.unwrap())
            }
        };
        let q3 = encode("Q3 2016/17");
        for ambiguous in [
            format!("/api/reports/{q3}"),
            format!("/api/reports/{q3}/verification"),
        ] {
            let (status, answer) = get(ambiguous).await;
            assert_eq!(status, StatusCode::MULTIPLE_CHOICES, "{answer}");
            let error = answer["error"].as_str().unwrap();
            assert!(
                error.contains("published 2 times")
                    && error.contains("Cabinet on 2017-01-13")
                    && error.contains("Overview and Scrutiny Management Board on 2017-01-20")
                    && error.contains("they are different reports"),
                "{error}"
            );
        }
        for (name, cut_off) in [
            ("Q3 2016/17 @ cabinet", cut_offs[0]),
            ("Q3 2016/17 @ 2017-01-20", cut_offs[1]),
        ] {
            let (status, report) = get(format!("/api/reports/{}", encode(name))).await;
            assert_eq!(status, StatusCode::OK, "{name}: {report}");
            assert_eq!(report["position"], cut_off, "{name}");
        }
        let (status, answer) =
            get(format!("/api/reports/{}", encode("Q3 2016/17 @ Council"))).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
        assert!(
            answer["error"]
                .as_str()
                .unwrap()
                .contains("its publications are"),
            "{answer}"
        );
        server.stop().await;
    }
);

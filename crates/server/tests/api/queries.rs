//! The read API on every backend pair: a token is required, every query answers as at a
//! position, a published report is shown as published and its restatements named.

use chrono::NaiveDate;
use reqwest::StatusCode;
use scoreledger_domain::event::ReportKind;
use scoreledger_domain::{
    Actor, Command, DataQuality, Period, PlanId, Polarity, RecordedValue, ReportId, RevisionClass,
    Role, RuleSet, StatusScheme, TokenId,
};
use scoreledger_projections::drain;
use scoreledger_store::{Appended, Request};
use scoreledger_testkit::pair::Pair;
use scoreledger_testkit::write::run_command;
use scoreledger_testkit::{measure_definition, measure_id, pair_test, plan_id, uuid};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::support::TestServer;

fn request(actor: Actor, reason: Option<&str>) -> Request {
    Request {
        actor,
        reason: reason.map(str::to_owned),
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
    }
}

pub(crate) fn performance() -> Actor {
    Actor::new("simon.dennis", "Simon Dennis", Role::Performance)
}

pub(crate) async fn run(
    db: &Pair,
    stream: &scoreledger_domain::StreamId,
    command: Command,
    actor: Actor,
    reason: Option<&str>,
) -> Appended {
    db.clock.advance(chrono::Duration::minutes(1));
    run_command(&*db.store, stream, &command, &request(actor, reason))
        .await
        .unwrap()
}

/// A plan with one measure valued 112 for Q2, published, then revised to 95.
pub(crate) async fn history_with_a_restatement(db: &Pair) -> (PlanId, u64) {
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
            priorities: vec![(2, "Every adult secure, responsible and empowered".into())],
            outcomes: Vec::new(),
            rule_set: RuleSet::default(),
        },
        performance(),
        None,
    )
    .await;
    let measure = measure_id(1);
    run(
        db,
        &measure.stream(),
        Command::DefineMeasure {
            measure_id: measure,
            definition: measure_definition(plan, "2.B1", Polarity::High),
            target: None,
        },
        performance(),
        None,
    )
    .await;
    let q2 = Period::quarter(2016, 2);
    run(
        db,
        &measure.stream(),
        Command::RecordValue {
            period: q2,
            value: RecordedValue::parse("112").unwrap(),
            quality: DataQuality::default(),
        },
        performance(),
        None,
    )
    .await;
    drain(&*db.store, &db.read, 100, |_| {}).await.unwrap();
    let cut_off = db.store.head().await.unwrap();
    let report = scoreledger_service::report_at(&db.read, q2, cut_off)
        .await
        .unwrap();
    let report_id = ReportId(uuid(50));
    run(
        db,
        &report_id.stream(),
        Command::PublishReport {
            report_id,
            plan_id: plan,
            kind: ReportKind::QuarterlyScorecard,
            period: q2,
            cut_off,
            meeting: "Cabinet".into(),
            published_on: NaiveDate::from_ymd_opt(2016, 11, 14).unwrap(),
            rule_set_version: report.rule_set_version,
            sha256: report.sha256(),
            parts: report.part_digests(),
        },
        performance(),
        None,
    )
    .await;
    let revised = run(
        db,
        &measure.stream(),
        Command::ReviseValue {
            period: q2,
            value: RecordedValue::parse("95").unwrap(),
            classification: RevisionClass::Correction,
            quality: DataQuality::default(),
        },
        Actor::new("sam.newton", "Sam Newton", Role::Officer),
        Some("completed enquiries, not those started"),
    )
    .await;
    (plan, revised.commit.position.0)
}

/// Issues a token for `role` expiring on `expires_on`; returns its secret.
pub(crate) async fn token(db: &Pair, n: u128, role: Role, expires_on: Option<NaiveDate>) -> String {
    let secret = format!("slt_test_secret_{n}");
    let token_id = TokenId(uuid(100 + n));
    run(
        db,
        &token_id.stream(),
        Command::IssueToken {
            token_id,
            user_id: format!("user{n}"),
            name: format!("User {n}"),
            role,
            directorate: (role == Role::Officer).then(|| "Adult Social Care and Housing".into()),
            secret_sha256: hex::encode(Sha256::digest(secret.as_bytes())),
            expires_on,
        },
        Actor::new("it.admin", "IT Admin", Role::Admin),
        None,
    )
    .await;
    secret
}

async fn get(url: &str, secret: Option<&str>) -> (StatusCode, Value) {
    let client = reqwest::Client::new();
    let mut request = client.get(url);
    if let Some(secret) = secret {
        request = request.bearer_auth(secret);
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status();
    (status, response.json().await.expect("a JSON body"))
}

pair_test!(queries_need_a_valid_token, |db| {
    history_with_a_restatement(&db).await;
    let auditor = token(&db, 1, Role::Auditor, None).await;
    let expired = token(&db, 2, Role::Auditor, NaiveDate::from_ymd_opt(2017, 1, 12)).await;
    let revoked = token(&db, 3, Role::Auditor, None).await;
    let revoked_id = TokenId(uuid(103));
    run(
        &db,
        &revoked_id.stream(),
        Command::RevokeToken {
            token_id: revoked_id,
        },
        Actor::new("it.admin", "IT Admin", Role::Admin),
        Some("left the council"),
    )
    .await;
    let head = db.store.head().await.unwrap().0;
    let server = TestServer::start(&db).await;
    let url = server.url(&format!("/api/reports?min_position={head}"));

    let (status, body) = get(&url, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("Authorization: Bearer"),
        "{body}"
    );
    for (secret, why) in [
        ("slt_nobody", "not known"),
        (expired.as_str(), "revoked or has expired"),
        (revoked.as_str(), "revoked or has expired"),
    ] {
        let (status, body) = get(&url, Some(secret)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{secret}: {body}");
        assert!(body["error"].as_str().unwrap().contains(why), "{body}");
    }
    let (status, body) = get(&url, Some(&auditor)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body.as_array().unwrap().len(), 1);

    // A revocation bites at once, even before the read models have projected it.
    let auditor_id = TokenId(uuid(101));
    run(
        &db,
        &auditor_id.stream(),
        Command::RevokeToken {
            token_id: auditor_id,
        },
        Actor::new("it.admin", "IT Admin", Role::Admin),
        Some("audit finished"),
    )
    .await;
    let (status, body) = get(&server.url("/api/reports"), Some(&auditor)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    server.stop().await;
});

pair_test!(
    a_published_report_its_restatements_and_the_history_as_at_a_position,
    |db| {
        let (_, revised_at) = history_with_a_restatement(&db).await;
        let auditor = token(&db, 1, Role::Auditor, None).await;
        let head = db.store.head().await.unwrap().0;
        let server = TestServer::start(&db).await;
        let q2 = "Q2%202016%2F17";

        // Before min_position the read models may lag; with it, the answer includes the write.
        let (status, published) = get(
            &server.url(&format!("/api/reports/{q2}?min_position={head}")),
            Some(&auditor),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{published}");
        let value = |report: &Value| report["rows"][0]["values"][3].clone();
        assert_eq!(value(&published), "112");

        let (_, now) = get(
            &server.url(&format!("/api/scorecard?period={q2}")),
            Some(&auditor),
        )
        .await;
        assert_eq!(value(&now), "95 (revised; first published 112)");
        let (_, before) = get(
            &server.url(&format!(
                "/api/scorecard?period={q2}&position={}",
                revised_at - 1
            )),
            Some(&auditor),
        )
        .await;
        assert_eq!(value(&before), "112");

        let (_, restated) = get(
            &server.url(&format!("/api/reports/{q2}/restatements")),
            Some(&auditor),
        )
        .await;
        let cells = restated["restatements"].as_array().unwrap();
        assert_eq!(cells.len(), 1, "{restated}");
        assert_eq!(cells[0]["because"][0]["actor_name"], "Sam Newton");
        assert_eq!(
            cells[0]["because"][0]["reason"],
            "completed enquiries, not those started"
        );

        let (_, revisions) = get(
            &server.url("/api/history?measure=2.B1&revisions=true"),
            Some(&auditor),
        )
        .await;
        assert_eq!(revisions.as_array().unwrap().len(), 1, "{revisions}");
        let (_, earlier) = get(
            &server.url(&format!(
                "/api/history?measure=2.B1&position={}",
                revised_at - 1
            )),
            Some(&auditor),
        )
        .await;
        assert!(earlier
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["position"].as_u64() < Some(revised_at)));

        // Every read of the history was itself recorded, with who read what.
        let now = db.store.head().await.unwrap().0;
        let (_, reads) = get(
            &server.url(&format!(
                "/api/history?what=history%20read&min_position={now}"
            )),
            Some(&auditor),
        )
        .await;
        let reads: Vec<(String, String)> = reads
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["actor_name"].as_str().unwrap().to_owned(),
                    e["after"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let read = |what: String| ("User 1".to_owned(), what);
        assert_eq!(
            reads,
            [
                read("GET /api/reports/Q2%202016%2F17/restatements".to_owned()),
                read("GET /api/history?measure=2.B1&revisions=true".to_owned()),
                read(format!(
                    "GET /api/history?measure=2.B1&position={}",
                    revised_at - 1
                )),
            ]
        );

        let (status, measure) = get(
            &server.url("/api/measures/2.B1?on=2016-06-30"),
            Some(&auditor),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{measure}");
        assert_eq!(measure["measure"]["definition"]["measure_ref"], "2.B1");

        let (status, missing) =
            get(&server.url("/api/reports/Q3%202016%2F17"), Some(&auditor)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{missing}");
        let (status, far) = get(
            &server.url(&format!("/api/scorecard?period={q2}&as_at=9999-12-31")),
            Some(&auditor),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{far}");
        // A position the log has but the read models not yet: they catch up to answer it.
        let latest = db.store.head().await.unwrap().0;
        let (status, caught_up) = get(
            &server.url(&format!("/api/reports?position={latest}")),
            Some(&auditor),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{caught_up}");
        let (status, bad) = get(&server.url("/api/scorecard?period=Q9"), Some(&auditor)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        let (status, beyond) = get(
            &server.url(&format!("/api/reports?min_position={}", head + 10)),
            Some(&auditor),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{beyond}");
        server.stop().await;
    }
);

pair_test!(the_report_csv_of_an_evidence_pack_runs_no_formulas, |db| {
    let title = "=HYPERLINK(\"http://x\",\"y\")";
    let note = "+cmd|' /C calc'!A0";
    let plan = plan_id(1);
    run(
        &db,
        &plan.stream(),
        Command::DefinePlan {
            plan_id: plan,
            name: "Corporate Plan 2016/17".into(),
            financial_year: Period::financial_year(2016),
            status_scheme: StatusScheme::Corporate2016,
            approved_on: None,
            approved_by: None,
            priorities: vec![(2, "Every adult secure, responsible and empowered".into())],
            outcomes: Vec::new(),
            rule_set: RuleSet::default(),
        },
        performance(),
        None,
    )
    .await;
    let measure = measure_id(1);
    run(
        &db,
        &measure.stream(),
        Command::DefineMeasure {
            measure_id: measure,
            definition: scoreledger_domain::MeasureDefinition {
                title: title.into(),
                ..measure_definition(plan, "2.B1", Polarity::High)
            },
            target: None,
        },
        performance(),
        None,
    )
    .await;
    let q2 = Period::quarter(2016, 2);
    run(
        &db,
        &measure.stream(),
        Command::EditCommentary {
            period: q2,
            text: note.into(),
        },
        performance(),
        None,
    )
    .await;
    drain(&*db.store, &db.read, 100, |_| {}).await.unwrap();
    let cut_off = db.store.head().await.unwrap();
    let report = scoreledger_service::report_at(&db.read, q2, cut_off)
        .await
        .unwrap();
    let report_id = ReportId(uuid(50));
    run(
        &db,
        &report_id.stream(),
        Command::PublishReport {
            report_id,
            plan_id: plan,
            kind: ReportKind::QuarterlyScorecard,
            period: q2,
            cut_off,
            meeting: "Cabinet".into(),
            published_on: NaiveDate::from_ymd_opt(2016, 11, 14).unwrap(),
            rule_set_version: report.rule_set_version,
            sha256: report.sha256(),
            parts: report.part_digests(),
        },
        performance(),
        None,
    )
    .await;
    let auditor = token(&db, 1, Role::Auditor, None).await;
    drain(&*db.store, &db.read, 100, |_| {}).await.unwrap();
    let server = TestServer::start(&db).await;
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let signed_in = browser
        .post(server.url("/signin"))
        .header(reqwest::header::ORIGIN, &server.base)
        .form(&[("token", auditor.as_str()), ("next", "/reports")])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    let cookie = signed_in.headers()[reqwest::header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let zip = browser
        .get(server.url(&format!("/reports/{}/evidence.zip", report_id.0)))
        .header(reqwest::header::COOKIE, cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(zip.status(), StatusCode::OK);
    let bytes = zip.bytes().await.unwrap().to_vec();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut csv = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("report.csv").unwrap(), &mut csv).unwrap();
    let row = csv.lines().nth(1).unwrap();
    assert!(
        row.contains("'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")"),
        "{row}"
    );
    assert!(row.ends_with(&format!(",'{note}")), "{row}");
    server.stop().await;
});

pair_test!(
    an_unreadable_query_parameter_is_a_json_400_naming_it,
    |db| {
        history_with_a_restatement(&db).await;
        let auditor = token(&db, 1, Role::Auditor, None).await;
        drain(&*db.store, &db.read, 100, |_| {}).await.unwrap();
        let server = TestServer::start(&db).await;
        for (path, parameter) in [
            ("/api/history?revisions=maybe", "revisions"),
            ("/api/scorecard?period=Q2%202016/17&position=x", "position"),
            ("/api/reports?as_at=yesterday", "as_at"),
            ("/api/plans?min_position=-1", "min_position"),
        ] {
            let (status, body) = get(&server.url(path), Some(&auditor)).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
            assert!(
                body["error"].as_str().unwrap().contains(parameter),
                "{path}: {body}"
            );
        }
        server.stop().await;
    }
);

//! Maker–checker, definitions and plans over HTTP on every backend pair: who may call each new
//! endpoint, maker ≠ checker, a revision needing a new sign-off, amendments refused with
//! nothing appended, a measure defined with its first target, and the plans.

use reqwest::StatusCode;
use scoreledger_domain::{Command, DataQuality, Period, RecordedValue, Role};
use scoreledger_testkit::measure_id;
use scoreledger_testkit::pair_test;
use serde_json::{json, Value};
use sha2::Digest;

use crate::commands::{performance, plan_with_a_measure, post, run, token};
use crate::support::{get, TestServer};

fn periods() -> [Period; 5] {
    [
        Period::quarter(2016, 1),
        Period::quarter(2016, 2),
        Period::quarter(2016, 3),
        Period::quarter(2016, 4),
        Period::financial_year(2016),
    ]
}

fn measure_body(reference: &str) -> String {
    json!({
        "year": "2016/17",
        "ref": reference,
        "priority": 1,
        "outcome": "A",
        "measure": format!("Measure {reference}"),
        "lead_officer": "Mel Meggs",
        "directorate": "CYPS",
        "polarity": "high",
        "frequency": "quarterly",
        "target": "87.5%"
    })
    .to_string()
}

pair_test!(each_role_may_call_only_its_own_new_endpoints, |db| {
    plan_with_a_measure(&db).await;
    // Values and notes entered by the performance team, so no token holder is their maker.
    let stream = measure_id(1).stream();
    for period in periods() {
        run(
            &db,
            &stream,
            Command::RecordValue {
                period,
                value: RecordedValue::parse("28.3%").unwrap(),
                quality: DataQuality::default(),
            },
            performance(),
        )
        .await;
        run(
            &db,
            &stream,
            Command::EditCommentary {
                period,
                text: "Figures validated".into(),
            },
            performance(),
        )
        .await;
    }
    let roles = [
        (Role::Officer, Some("CYPS")),
        (Role::Performance, None),
        (Role::Approver, None),
        (Role::Auditor, None),
        (Role::Admin, None),
    ];
    let mut secrets = Vec::new();
    for (n, (role, directorate)) in roles.iter().enumerate() {
        secrets.push(token(&db, 10 + n as u128, *role, *directorate).await);
    }
    let server = TestServer::start(&db).await;
    const CREATED: StatusCode = StatusCode::CREATED;
    const FORBIDDEN: StatusCode = StatusCode::FORBIDDEN;
    // (sign-off, approval, amendment, definition) for each role.
    let expected = [
        (FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
        (FORBIDDEN, FORBIDDEN, CREATED, CREATED),
        (CREATED, CREATED, FORBIDDEN, FORBIDDEN),
        (FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
        (CREATED, CREATED, CREATED, CREATED),
    ];
    for (i, (((role, _), secret), expected)) in roles.iter().zip(&secrets).zip(expected).enumerate()
    {
        // Each role checks its own period, so one role's check never stands in another's way.
        let period = periods()[i].to_string();
        let check = json!({ "period": period }).to_string();
        let amendment = json!({
            "changes": { "title": format!("Measure 1.A3 as the {role} put it") },
            "reason": "clearer wording"
        })
        .to_string();
        let definition = measure_body(&format!("1.A{}", 10 + i));
        let calls = [
            ("/api/measures/1.A3/signoffs", &check, expected.0),
            ("/api/measures/1.A3/approvals", &check, expected.1),
            ("/api/measures/1.A3/amendments", &amendment, expected.2),
            ("/api/measures", &definition, expected.3),
        ];
        for (path, body, status) in calls {
            let head = db.store.head().await.unwrap();
            let (got, _, answer) = post(&server.url(path), secret, body, &[]).await;
            assert_eq!(got, status, "{role} POST {path}: {answer}");
            if status != CREATED {
                assert!(answer["error"].is_string(), "{answer}");
                assert_eq!(
                    db.store.head().await.unwrap(),
                    head,
                    "{role} {path}: nothing appended"
                );
            }
        }
        let (got, plans) = get(&server.url("/api/plans"), secret).await;
        assert_eq!(got, StatusCode::OK, "{role} GET /api/plans: {plans}");
    }
    server.stop().await;
});

pair_test!(
    nobody_signs_off_their_own_value_and_a_revision_needs_a_new_sign_off,
    |db| {
        plan_with_a_measure(&db).await;
        let admin = token(&db, 1, Role::Admin, None).await;
        let approver = token(&db, 2, Role::Approver, None).await;
        let other = token(&db, 3, Role::Approver, None).await;
        let server = TestServer::start(&db).await;
        let q3 = json!({"period": "Q3 2016/17"}).to_string();
        let signoffs = server.url("/api/measures/1.A3/signoffs");

        let (status, _, _) = post(&signoffs, &approver, &q3, &[]).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "no value to sign off yet"
        );
        let value = json!({"period": "Q3 2016/17", "value": "28.3%"}).to_string();
        let (status, _, _) = post(
            &server.url("/api/measures/1.A3/values"),
            &admin,
            &value,
            &[],
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);

        let head = db.store.head().await.unwrap();
        let (status, _, refused) = post(&signoffs, &admin, &q3, &[]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
        assert!(
            refused["error"]
                .as_str()
                .unwrap()
                .contains("maker ≠ checker"),
            "{refused}"
        );
        assert_eq!(db.store.head().await.unwrap(), head, "nothing appended");

        let key = [("idempotency-key", "signoff-q3")];
        let (status, _, signed) = post(&signoffs, &approver, &q3, &key).await;
        assert_eq!(status, StatusCode::CREATED, "{signed}");
        let (status, headers, again) = post(&signoffs, &approver, &q3, &key).await;
        assert_eq!((status, &again), (StatusCode::CREATED, &signed));
        assert_eq!(headers["idempotent-replayed"], "true");
        let (status, _, refused) = post(&signoffs, &other, &q3, &[]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert!(
            refused["error"]
                .as_str()
                .unwrap()
                .contains("already signed off by user2"),
            "{refused}"
        );

        let (_, measure) = get(
            &server.url(&format!(
                "/api/measures/1.A3?min_position={}",
                signed["position"]
            )),
            &other,
        )
        .await;
        assert_eq!(
            measure["measure"]["values"][0]["signed_off_by"], "User 2",
            "{measure}"
        );

        let revision = json!({
            "period": "Q3 2016/17", "value": "28.6%", "classification": "correction",
            "reason": "validated extract"
        })
        .to_string();
        let (status, _, revised) = post(
            &server.url("/api/measures/1.A3/revisions"),
            &admin,
            &revision,
            &[],
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{revised}");
        let (_, measure) = get(
            &server.url(&format!(
                "/api/measures/1.A3?min_position={}",
                revised["position"]
            )),
            &other,
        )
        .await;
        assert_eq!(measure["measure"]["values"][0]["revision"], 1);
        assert_eq!(
            measure["measure"]["values"][0]["signed_off_by"],
            Value::Null
        );
        // A stale If-Match is a conflict before anything is judged.
        let stale = [("if-match", "\"2\"")];
        let (status, _, conflict) = post(&signoffs, &other, &q3, &stale).await;
        assert_eq!(status, StatusCode::CONFLICT, "{conflict}");
        let (status, _, _) = post(&signoffs, &approver, &q3, &[]).await;
        assert_eq!(
            status,
            StatusCode::CREATED,
            "the revision is signed off again"
        );
        server.stop().await;
    }
);

pair_test!(
    a_data_note_is_approved_by_someone_other_than_its_author,
    |db| {
        plan_with_a_measure(&db).await;
        let admin = token(&db, 1, Role::Admin, None).await;
        let approver = token(&db, 2, Role::Approver, None).await;
        let server = TestServer::start(&db).await;
        let approvals = server.url("/api/measures/1.A3/approvals");
        let q3 = json!({"period": "Q3 2016/17"}).to_string();
        let (status, _, _) = post(&approvals, &approver, &q3, &[]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "no note yet");
        let note = json!({"period": "Q3 2016/17", "text": "Figures validated"}).to_string();
        let (status, _, _) =
            post(&server.url("/api/measures/1.A3/notes"), &admin, &note, &[]).await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, _, _) = post(&approvals, &admin, &q3, &[]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "the author may not approve");
        let (status, _, approved) = post(&approvals, &approver, &q3, &[]).await;
        assert_eq!(status, StatusCode::CREATED, "{approved}");
        let (status, _, _) = post(&approvals, &approver, &q3, &[]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "already approved");
        let (_, history) = get(
            &server.url(&format!(
                "/api/history?measure=1.A3&what=note%20approval&min_position={}",
                approved["position"]
            )),
            &admin,
        )
        .await;
        assert_eq!(history[0]["after"], "Figures validated", "{history}");
        assert_eq!(history[0]["actor_name"], "User 2");
        server.stop().await;
    }
);

pair_test!(
    an_amendment_needs_a_reason_a_known_field_and_a_change,
    |db| {
        plan_with_a_measure(&db).await;
        let performance = token(&db, 1, Role::Performance, None).await;
        let server = TestServer::start(&db).await;
        let amendments = server.url("/api/measures/1.A3/amendments");
        let head = db.store.head().await.unwrap();
        for (body, status, says) in [
            (
                json!({"changes": {"lead_officer": "Jo Smith"}}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "needs a reason",
            ),
            (
                json!({"changes": {"measure_ref": "1.A4"}, "reason": "x"}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "no amendable field \"measure_ref\"",
            ),
            (
                json!({"changes": {"lead_officer": "Mel Meggs"}, "reason": "x"}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "changes nothing",
            ),
            (
                json!({"changes": {"polarity": "sideways"}, "reason": "x"}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "polarity",
            ),
            (
                json!({"changes": ["title"], "reason": "x"}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "changes",
            ),
            (
                json!({"changes": {}, "reason": "x", "extra": 1}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "extra",
            ),
        ] {
            let (got, _, answer) = post(&amendments, &performance, &body.to_string(), &[]).await;
            assert_eq!(got, status, "{body}: {answer}");
            assert!(
                answer["error"].as_str().unwrap().contains(says),
                "{body}: {answer}"
            );
        }
        let (got, _, _) = post(&amendments, &performance, "{not json", &[]).await;
        assert_eq!(got, StatusCode::BAD_REQUEST);
        assert_eq!(db.store.head().await.unwrap(), head, "nothing appended");

        let body = json!({
            "changes": {"lead_officer": "Jo Smith", "priority_measure": "yes"},
            "reason": "Cabinet reassigned the measure"
        })
        .to_string();
        let (status, _, amended) = post(&amendments, &performance, &body, &[]).await;
        assert_eq!(status, StatusCode::CREATED, "{amended}");
        let (_, history) = get(
            &server.url(&format!(
                "/api/history?measure=1.A3&min_position={}",
                amended["position"]
            )),
            &performance,
        )
        .await;
        let rows: Vec<(&str, &str, &str)> = history
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["what"].as_str().unwrap().starts_with("definition"))
            .map(|e| {
                (
                    e["what"].as_str().unwrap(),
                    e["before"].as_str().unwrap(),
                    e["after"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            rows,
            vec![
                ("definition: lead_officer", "Mel Meggs", "Jo Smith"),
                ("definition: priority_measure", "no", "yes"),
            ]
        );
        let (_, measure) = get(&server.url("/api/measures/1.A3"), &performance).await;
        assert_eq!(measure["measure"]["definition"]["lead_officer"], "Jo Smith");
        assert_eq!(measure["measure"]["definition"]["priority_measure"], true);
        server.stop().await;
    }
);

pair_test!(
    a_measure_is_defined_with_its_first_target_in_the_plan_of_its_year,
    |db| {
        plan_with_a_measure(&db).await;
        let performance = token(&db, 1, Role::Performance, None).await;
        let server = TestServer::start(&db).await;
        let measures = server.url("/api/measures");
        let (status, _, defined) = post(&measures, &performance, &measure_body("1.A4"), &[]).await;
        assert_eq!(status, StatusCode::CREATED, "{defined}");
        let (status, measure) = get(
            &server.url(&format!(
                "/api/measures/1.A4?min_position={}",
                defined["position"]
            )),
            &performance,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{measure}");
        assert_eq!(measure["measure"]["definition"]["title"], "Measure 1.A4");
        assert_eq!(
            measure["measure"]["definition"]["status_scheme"],
            "corporate_2016"
        );
        assert_eq!(
            measure["measure"]["targets"][0]["text"], "87.5%",
            "{measure}"
        );

        let head = db.store.head().await.unwrap();
        let (status, _, again) = post(&measures, &performance, &measure_body("1.A4"), &[]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{again}");
        assert!(
            again["error"].as_str().unwrap().contains("already exists"),
            "{again}"
        );
        let mut wrong_year: Value = serde_json::from_str(&measure_body("1.A5")).unwrap();
        wrong_year["year"] = json!("2019/20");
        let (status, _, _) = post(&measures, &performance, &wrong_year.to_string(), &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let mut bad = serde_json::from_str::<Value>(&measure_body("1.A5")).unwrap();
        bad["polarity"] = json!("sideways");
        let (status, _, answer) = post(&measures, &performance, &bad.to_string(), &[]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            answer["error"].as_str().unwrap().starts_with("polarity"),
            "{answer}"
        );
        // Placed as an import places measures: under a priority the plan has, and under the
        // priority and outcome its reference names.
        let mut elsewhere = serde_json::from_str::<Value>(&measure_body("3.A1")).unwrap();
        elsewhere["priority"] = json!(3);
        let mut misplaced = serde_json::from_str::<Value>(&measure_body("7.Q1")).unwrap();
        misplaced["priority"] = json!(1);
        for (body, says) in [
            (elsewhere, "the plan has no priority 3"),
            (misplaced, "7.Q1 does not belong under priority 1"),
        ] {
            let (status, _, answer) = post(&measures, &performance, &body.to_string(), &[]).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
            assert!(answer["error"].as_str().unwrap().contains(says), "{answer}");
        }
        assert_eq!(db.store.head().await.unwrap(), head, "nothing appended");
        server.stop().await;
    }
);

pair_test!(
    plans_list_their_priorities_and_outcomes_as_at_a_position,
    |db| {
        plan_with_a_measure(&db).await;
        let auditor = token(&db, 1, Role::Auditor, None).await;
        let server = TestServer::start(&db).await;
        let (status, plans) = get(&server.url("/api/plans"), &auditor).await;
        assert_eq!(status, StatusCode::OK, "{plans}");
        assert_eq!(plans[0]["name"], "Corporate Plan 2016/17", "{plans}");
        assert_eq!(plans[0]["financial_year"], "2016/17");
        assert_eq!(
            plans[0]["priorities"][0]["title"],
            "Every child making the best start in life"
        );
        let (_, before) = get(&server.url("/api/plans?position=0"), &auditor).await;
        assert_eq!(before, json!([]));
        let (status, _) = get(&server.url("/api/plans?position=99999"), &auditor).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

        let document: Value = reqwest::get(server.url("/openapi.json"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(document["paths"]["/api/plans"]["get"].is_object());
        for path in [
            "/api/measures",
            "/api/measures/{measure}/amendments",
            "/api/measures/{measure}/signoffs",
            "/api/measures/{measure}/approvals",
        ] {
            assert!(
                document["paths"][path]["post"]["requestBody"].is_object(),
                "{path}"
            );
        }
        server.stop().await;
    }
);

pair_test!(
    a_look_alike_id_cannot_sign_off_the_value_its_namesake_entered,
    |db| {
        plan_with_a_measure(&db).await;
        // Tokens as an installation may already hold them: issued before look-alikes were
        // refused (tests issue them straight through the store, with no known users).
        let issue = |n: u128, user_id: &str, role: Role| {
            let secret = format!("slt_look_alike_{n}");
            let token_id = scoreledger_domain::TokenId(scoreledger_testkit::uuid(300 + n));
            let command = Command::IssueToken {
                token_id,
                user_id: user_id.to_owned(),
                name: "Sam Newton".into(),
                role,
                directorate: Some("CYPS".into()),
                secret_sha256: hex::encode(sha2::Sha256::digest(secret.as_bytes())),
                expires_on: None,
            };
            (token_id, command, secret)
        };
        let mut secrets = Vec::new();
        for (n, user_id, role) in [
            (1, "sam.newton", Role::Officer),
            (2, "\u{0455}am.newton", Role::Approver),
            (3, "SAM.NEWTON\u{200B}", Role::Approver),
        ] {
            let (token_id, command, secret) = issue(n, user_id, role);
            let admin = scoreledger_domain::Actor::new("it.admin", "IT Admin", Role::Admin);
            run(&db, &token_id.stream(), command, admin).await;
            secrets.push(secret);
        }
        let server = TestServer::start(&db).await;
        let value = json!({"period": "Q3 2016/17", "value": "28.3%"}).to_string();
        let (status, _, _) = post(
            &server.url("/api/measures/1.A3/values"),
            &secrets[0],
            &value,
            &[],
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
        let head = db.store.head().await.unwrap();
        let q3 = json!({"period": "Q3 2016/17"}).to_string();
        for look_alike in &secrets[1..] {
            let (status, _, refused) = post(
                &server.url("/api/measures/1.A3/signoffs"),
                look_alike,
                &q3,
                &[],
            )
            .await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
            assert!(
                refused["error"]
                    .as_str()
                    .unwrap()
                    .contains("maker ≠ checker"),
                "{refused}"
            );
        }
        assert_eq!(db.store.head().await.unwrap(), head, "nothing appended");
        server.stop().await;
    }
);

//! The role × endpoint matrix (DESIGN.md §7) on every backend pair: every endpoint called
//! with a token of each role, and the status each role must get. Officers act only for their
//! own directorate; approvers and auditors read everything and change nothing.

use reqwest::StatusCode;
use scoreledger_domain::{Actor, Command, Role, TokenId};
use scoreledger_store::Request;
use scoreledger_testkit::pair::Pair;
use scoreledger_testkit::write::run_command;
use scoreledger_testkit::{pair_test, uuid};
use sha2::{Digest, Sha256};

use crate::commands::{plan_with_a_measure, run};
use crate::support::TestServer;

/// The roles, in the order of the expectations below, each with a token holder's directorate.
const ROLES: [(Role, Option<&str>); 5] = [
    (Role::Officer, Some("CYPS")),
    (Role::Performance, None),
    (Role::Approver, None),
    (Role::Auditor, None),
    (Role::Admin, None),
];

const OK: u16 = 200;
const CREATED: u16 = 201;
const FORBIDDEN: u16 = 403;

/// One row of the matrix: a request and the status each role gets, in `ROLES` order. In
/// paths and bodies `{month}` is a month of its own for each role, `{n}` its number and `{m}`
/// that number plus 4, so that one role's write never stands in the way of the next's;
/// `{checked}` is the month whose figures it is asked to sign off, `{withdrawn}` the month it
/// withdraws 1.A3 from and then reinstates it from.
struct Case {
    method: &'static str,
    path: &'static str,
    body: &'static str,
    expect: [u16; 5],
}

const fn get(path: &'static str) -> Case {
    Case {
        method: "GET",
        path,
        body: "",
        expect: [OK; 5],
    }
}

const fn post(path: &'static str, body: &'static str, expect: [u16; 5]) -> Case {
    Case {
        method: "POST",
        path,
        body,
        expect,
    }
}

/// Officers, the performance team and admins enter data; only the team and admins manage.
const ENTERS: [u16; 5] = [CREATED, CREATED, FORBIDDEN, FORBIDDEN, CREATED];
const MANAGES: [u16; 5] = [FORBIDDEN, CREATED, FORBIDDEN, FORBIDDEN, CREATED];
const CHECKS: [u16; 5] = [FORBIDDEN, FORBIDDEN, CREATED, FORBIDDEN, CREATED];

/// In the order they run: writes that need an earlier one (a revision, a reopening) follow it.
const MATRIX: &[Case] = &[
    get("/api/scorecard?period=Q1%202016%2F17"),
    get("/api/reports"),
    get("/api/history?measure=1.A3"),
    get("/api/measures/1.A3"),
    get("/api/plans"),
    post(
        "/api/measures",
        r#"{"year": "2016/17", "ref": "1.A{m}", "priority": 1, "outcome": "A", "measure": "New measure {n}",
            "lead_officer": "Mel Meggs", "directorate": "CYPS", "polarity": "high", "frequency": "quarterly"}"#,
        MANAGES,
    ),
    post(
        "/api/measures/1.A3/values",
        r#"{"period": "{month}", "value": "27%"}"#,
        ENTERS,
    ),
    post(
        "/api/measures/1.A3/revisions",
        r#"{"period": "{month}", "value": "26.5%", "classification": "correction", "reason": "re-run"}"#,
        ENTERS,
    ),
    post(
        "/api/measures/1.A3/confirmations",
        r#"{"period": "{month}", "quality": "provisional", "source": "re-run", "reason": "awaiting validation"}"#,
        ENTERS,
    ),
    post(
        "/api/measures/1.A3/clinics",
        r#"{"on": "2017-02-1{n}", "chair": "Safer Rotherham Partnership Board", "reason": "off target"}"#,
        MANAGES,
    ),
    post(
        "/api/measures/1.A3/clinics",
        r#"{"on": "2017-03-1{n}", "chair": "Strategic Director", "reason": "off target again"}"#,
        MANAGES,
    ),
    post(
        "/api/measures/1.A3/clinics/held",
        r#"{"on": "2017-02-1{n}", "mandates": [{"action": "Hotspot patrols", "owner": "SYP", "due_on": "2017-03-31"}]}"#,
        MANAGES,
    ),
    post(
        "/api/measures/1.A3/clinics/cancelled",
        r#"{"on": "2017-03-1{n}", "reason": "back on target"}"#,
        MANAGES,
    ),
    post(
        "/api/actions",
        r#"{"plan": "CYPS Improvement Plan", "key_action": "Appoint staff {n}", "objective": "Assess referrals within 3 weeks", "lead": "Mel Meggs", "target_date": "March 2017", "measures": ["1.A3"]}"#,
        MANAGES,
    ),
    post(
        "/api/actions/moves",
        r#"{"plan": "CYPS Improvement Plan", "key_action": "Appoint staff {n}", "to": "June 2017", "reason": "recruitment extended"}"#,
        MANAGES,
    ),
    post(
        "/api/actions/ratings",
        r#"{"plan": "CYPS Improvement Plan", "key_action": "Appoint staff {n}", "rag": "amber", "arrow": "improved"}"#,
        MANAGES,
    ),
    post(
        "/api/actions/completions",
        r#"{"plan": "CYPS Improvement Plan", "key_action": "Appoint staff {n}", "on": "2017-03-31"}"#,
        MANAGES,
    ),
    post(
        "/api/measures/1.A3/notes",
        r#"{"period": "{month}", "text": "Provisional."}"#,
        ENTERS,
    ),
    post(
        "/api/measures/1.A3/narratives",
        r#"{"period": "{month}", "text": "Now at 2{n}%."}"#,
        ENTERS,
    ),
    post(
        "/api/measures/1.A3/basis-changes",
        r#"{"from": "Q3 2016/17", "kind": "definition", "note": "Counted anew {n}"}"#,
        MANAGES,
    ),
    post(
        "/api/measures/1.A3/refreshes",
        r#"{"periods": ["{month}"], "due": "2016/17", "note": "Refreshed for the outturn {n}"}"#,
        MANAGES,
    ),
    post(
        "/api/measures/1.A3/targets",
        r#"{"period": "2016/17", "target": "2{n}%", "reason": "Cabinet agreed a stretch"}"#,
        MANAGES,
    ),
    post(
        "/api/measures/1.A3/assessments",
        r#"{"period": "{month}", "status": "off_target", "direction": "worse", "reason": "judged"}"#,
        MANAGES,
    ),
    post(
        "/api/reports",
        r#"{"period": "Q1 2016/17", "meeting": "Cabinet", "published_on": "2016-09-12"}"#,
        MANAGES,
    ),
    post(
        "/api/measures/1.A3/amendments",
        r#"{"changes": {"title": "Re-referrals, wording {n}"}, "reason": "clearer wording"}"#,
        MANAGES,
    ),
    // Only approvers and admins check, never what they entered themselves: the approver
    // checks the officer's April figures and note, the admin the performance team's May.
    post(
        "/api/measures/1.A3/signoffs",
        r#"{"period": "{checked}"}"#,
        CHECKS,
    ),
    post(
        "/api/measures/1.A3/approvals",
        r#"{"period": "{checked}"}"#,
        CHECKS,
    ),
    post("/api/locks", r#"{"period": "{month}"}"#, MANAGES),
    post(
        "/api/reopenings",
        r#"{"period": "{month}", "reason": "late data"}"#,
        MANAGES,
    ),
    post(
        "/api/measures/1.A3/withdrawals",
        r#"{"from": "{withdrawn}", "reason": "dropped in the refresh"}"#,
        MANAGES,
    ),
    post(
        "/api/measures/1.A3/reinstatements",
        r#"{"from": "{withdrawn}", "reason": "back in the plan"}"#,
        MANAGES,
    ),
];

/// A write only an admin may make, and only of a commit the log cannot read (see
/// `set_aside.rs`): here it is the role refusals that matter, asked before any body is read.
const SET_ASIDE: Case = post(
    "/api/set-asides",
    r#"{"position": 1, "reason": "the disk damaged it"}"#,
    [FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, 422],
);

/// Every write route, as the matrix and `SET_ASIDE` call them.
fn writes() -> impl Iterator<Item = &'static Case> {
    MATRIX
        .iter()
        .chain(std::iter::once(&SET_ASIDE))
        .filter(|case| case.method == "POST")
}

const MONTHS: [&str; 5] = ["Apr-16", "May-16", "Jun-16", "Jul-16", "Aug-16"];
/// What each role is asked to check: someone else's figures where it may check at all.
const CHECKED: [&str; 5] = ["Apr-16", "Apr-16", "Apr-16", "Apr-16", "May-16"];
/// Where each role withdraws 1.A3 from: the admin's month before the performance team's, so
/// the measure still applies there when the admin withdraws it, and is withdrawn at both
/// when each reinstates it.
const WITHDRAWN: [&str; 5] = ["Jul-16", "Sep-16", "Jul-16", "Jul-16", "Jun-16"];

/// A plan with one CYPS measure (1.A3), and a token for each role; returns their secrets.
pub(crate) async fn plan_and_tokens(db: &Pair) -> Vec<String> {
    plan_with_a_measure(db).await;
    let mut secrets = Vec::new();
    for (n, (role, directorate)) in ROLES.iter().enumerate() {
        let secret = format!("slt_matrix_{n}");
        let token_id = TokenId(uuid(300 + n as u128));
        run(
            db,
            &token_id.stream(),
            Command::IssueToken {
                token_id,
                user_id: format!("{role}.user"),
                name: format!("A {role}"),
                role: *role,
                directorate: directorate.map(str::to_owned),
                secret_sha256: hex::encode(Sha256::digest(secret.as_bytes())),
                expires_on: None,
            },
            Actor::new("it.admin", "IT Admin", Role::Admin),
        )
        .await;
        secrets.push(secret);
    }
    secrets
}

pair_test!(every_endpoint_answers_each_role_as_the_design_says, |db| {
    let secrets = plan_and_tokens(&db).await;
    let server = TestServer::start(&db).await;
    let client = reqwest::Client::new();
    let mut wrong = Vec::new();
    for case in MATRIX {
        for (index, ((role, _), secret)) in ROLES.iter().zip(&secrets).enumerate() {
            let path = case.path.replace("{month}", MONTHS[index]);
            let body = case
                .body
                .replace("{month}", MONTHS[index])
                .replace("{n}", &index.to_string())
                .replace("{m}", &(index + 4).to_string())
                .replace("{checked}", CHECKED[index])
                .replace("{withdrawn}", WITHDRAWN[index]);
            let before = db.store.head().await.unwrap();
            let request = match case.method {
                "GET" => client.get(server.url(&path)),
                _ => client
                    .post(server.url(&path))
                    .header("content-type", "application/json")
                    .body(body),
            };
            let response = request.bearer_auth(secret).send().await.unwrap();
            let status = response.status();
            let answer = response.text().await.unwrap();
            let expected = StatusCode::from_u16(case.expect[index]).unwrap();
            if status != expected {
                wrong.push(format!(
                    "{} {path} as {role}: {status}, expected {expected}: {answer}",
                    case.method
                ));
            }
            // A refusal appends nothing (a read may append its access record: GETs are not
            // refusals here).
            if status == StatusCode::FORBIDDEN && db.store.head().await.unwrap() != before {
                wrong.push(format!(
                    "{} {path} as {role}: refused but appended",
                    case.method
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));

    // An officer of another directorate may not enter data for a CYPS measure.
    let other = TokenId(uuid(399));
    run(
        &db,
        &other.stream(),
        Command::IssueToken {
            token_id: other,
            user_id: "asch.officer".into(),
            name: "An ASCH officer".into(),
            role: Role::Officer,
            directorate: Some("Adult Social Care and Housing".into()),
            secret_sha256: hex::encode(Sha256::digest(b"slt_matrix_other")),
            expires_on: None,
        },
        Actor::new("it.admin", "IT Admin", Role::Admin),
    )
    .await;
    let response = client
        .post(server.url("/api/measures/1.A3/values"))
        .header("content-type", "application/json")
        .body(r#"{"period": "Sep-16", "value": "27%"}"#)
        .bearer_auth("slt_matrix_other")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    server.stop().await;
});

pair_test!(
    a_dead_token_or_a_locked_period_without_a_reason_appends_nothing,
    |db| {
        let secrets = plan_and_tokens(&db).await;
        let team = &secrets[1];
        let admin = Actor::new("it.admin", "IT Admin", Role::Admin);
        // An expired token and a revoked one, both a performance officer's.
        for (n, expires_on) in [
            (7u128, chrono::NaiveDate::from_ymd_opt(2016, 12, 31)),
            (8, None),
        ] {
            let token_id = TokenId(uuid(300 + n));
            run(
                &db,
                &token_id.stream(),
                Command::IssueToken {
                    token_id,
                    user_id: format!("gone{n}"),
                    name: format!("Gone {n}"),
                    role: Role::Performance,
                    directorate: None,
                    secret_sha256: hex::encode(Sha256::digest(format!("slt_gone_{n}").as_bytes())),
                    expires_on,
                },
                admin.clone(),
            )
            .await;
        }
        let revoked = TokenId(uuid(308));
        run_command(
            &*db.store,
            &revoked.stream(),
            &Command::RevokeToken { token_id: revoked },
            &Request {
                actor: admin.clone(),
                reason: Some("left the council".into()),
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
            },
        )
        .await
        .unwrap();
        let server = TestServer::start(&db).await;
        let client = reqwest::Client::new();
        let post = |path: &str, secret: &str, body: &'static str| {
            client
                .post(server.url(path))
                .header("content-type", "application/json")
                .bearer_auth(secret)
                .body(body)
                .send()
        };
        let response = post("/api/locks", team, r#"{"period": "Q3 2016/17"}"#)
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let head = db.store.head().await.unwrap();

        for (secret, why) in [("slt_gone_7", "expired"), ("slt_gone_8", "revoked")] {
            let response = post(
                "/api/measures/1.A3/values",
                secret,
                r#"{"period": "Jan-17", "value": "27%"}"#,
            )
            .await
            .unwrap();
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{why}");
            let body = response.text().await.unwrap();
            assert!(body.contains(why), "{body}");
        }
        // The performance team may change a locked period, but only with a reason.
        let response = post(
            "/api/measures/1.A3/values",
            team,
            r#"{"period": "Dec-16", "value": "27%"}"#,
        )
        .await
        .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = response.text().await.unwrap();
        assert!(body.contains("reason"), "{body}");
        assert_eq!(db.store.head().await.unwrap(), head, "nothing appended");

        let response = post(
            "/api/measures/1.A3/values",
            team,
            r#"{"period": "Dec-16", "value": "27%", "reason": "late return from Liquid Logic"}"#,
        )
        .await
        .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        server.stop().await;
    }
);

pair_test!(
    a_role_that_may_not_write_is_refused_before_its_body_is_read,
    |db| {
        let secrets = plan_and_tokens(&db).await;
        let server = TestServer::start(&db).await;
        let head = db.store.head().await.unwrap();
        let too_big = format!(r#"{{"period": "{}"}}"#, "x".repeat(70_000));
        let mut wrong = Vec::new();
        let mut refused = 0;
        for case in writes() {
            let unknown_measure = case.path.replace("1.A3", "9.Z9");
            // Each would be 400, 422, 415, 413 or 404 for a role that may write.
            let bad: [(&str, Option<&str>, &str); 6] = [
                (case.path, Some("application/json"), "{"),
                (case.path, Some("application/json"), r#"{"nonsense": true}"#),
                (case.path, Some("application/json"), "[]"),
                (case.path, None, r#"{"period": "Q1 2016/17"}"#),
                (case.path, Some("application/json"), &too_big),
                (
                    &unknown_measure,
                    Some("application/json"),
                    r#"{"period": "Q1 2016/17"}"#,
                ),
            ];
            for (index, ((role, _), secret)) in ROLES.iter().zip(&secrets).enumerate() {
                if case.expect[index] != FORBIDDEN {
                    continue;
                }
                for (path, content_type, body) in bad {
                    // A connection of its own: an answer given before a body is read may
                    // close the connection the body was still being written to.
                    let client = reqwest::Client::new();
                    let mut request = client.post(server.url(path)).bearer_auth(secret);
                    if let Some(content_type) = content_type {
                        request = request.header("content-type", content_type);
                    }
                    let response = request.body(body.to_owned()).send().await.unwrap();
                    let status = response.status();
                    let answer = response.text().await.unwrap();
                    refused += 1;
                    if status != StatusCode::FORBIDDEN || !answer.contains("role may not") {
                        wrong.push(format!(
                            "POST {path} as {role} with {:?}…: {status}, expected 403: {answer}",
                            body.get(..30).unwrap_or(body)
                        ));
                    }
                }
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
        assert!(refused >= 13 * 6, "every write route was tried ({refused})");
        assert_eq!(db.store.head().await.unwrap(), head, "nothing appended");
        server.stop().await;
    }
);

pair_test!(
    every_refusal_of_a_write_is_a_status_the_document_declares,
    |db| {
        let secrets = plan_and_tokens(&db).await;
        let admin = &secrets[4];
        let server = TestServer::start(&db).await;
        let client = reqwest::Client::new();
        let document: serde_json::Value = client
            .get(server.url("/openapi.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let too_big = format!(r#"{{"period": "{}"}}"#, "x".repeat(70_000));
        let mut undeclared = Vec::new();
        for case in writes() {
            let template = case.path.replace("1.A3", "{measure}");
            let declared = document["paths"][&template]["post"]["responses"]
                .as_object()
                .unwrap_or_else(|| panic!("POST {template} is not documented"));
            let unknown_measure = case.path.replace("1.A3", "9.Z9");
            let requests: [(&str, Option<&str>, Option<&str>, &str); 8] = [
                (case.path, Some("application/json"), None, "{"),
                (
                    case.path,
                    Some("application/json"),
                    None,
                    r#"{"nonsense": true}"#,
                ),
                (
                    case.path,
                    Some("application/json"),
                    None,
                    r#"{"period": "Q9 2016/17"}"#,
                ),
                (case.path, None, None, r#"{"period": "Q1 2016/17"}"#),
                (case.path, Some("application/json"), None, &too_big),
                (
                    case.path,
                    Some("application/json"),
                    Some("not a version"),
                    "{}",
                ),
                (
                    case.path,
                    Some("application/json"),
                    Some("\"999\""),
                    case.body,
                ),
                (&unknown_measure, Some("application/json"), None, case.body),
            ];
            for (path, content_type, if_match, body) in requests {
                // A connection of its own, as above.
                let client = reqwest::Client::new();
                let mut request = client.post(server.url(path)).bearer_auth(admin);
                if let Some(content_type) = content_type {
                    request = request.header("content-type", content_type);
                }
                if let Some(if_match) = if_match {
                    request = request.header("if-match", if_match);
                }
                let body = body
                    .replace("{month}", "Sep-16")
                    .replace("{n}", "9")
                    .replace("{m}", "9")
                    .replace("{checked}", "Apr-16")
                    .replace("{withdrawn}", "Oct-16");
                let response = request.body(body).send().await.unwrap();
                let status = response.status();
                if !declared.contains_key(status.as_str()) {
                    undeclared.push(format!(
                        "POST {path} answered {status}, not declared for {template}: {}",
                        response.text().await.unwrap()
                    ));
                }
            }
        }
        assert!(undeclared.is_empty(), "{}", undeclared.join("\n"));
        server.stop().await;
    }
);

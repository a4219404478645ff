//! A published report proved from the log over HTTP, on every backend pair: the log replayed to
//! the cut-off into scratch read models reproduces the published SHA-256, and a publication
//! whose recorded digests the log does not reproduce is named with its first differing part.

use chrono::NaiveDate;
use reqwest::StatusCode;
use scoreledger_domain::event::ReportKind;
use scoreledger_domain::{Command, Period, Position, ReportId, Role};
use scoreledger_testkit::pair_test;
use scoreledger_testkit::uuid;
use serde_json::Value;

use crate::queries::{history_with_a_restatement, performance, run, token};
use crate::support::TestServer;

async fn get(server: &TestServer, path: &str, secret: Option<&str>) -> (StatusCode, Value) {
    let mut request = reqwest::Client::new().get(server.url(path));
    if let Some(secret) = secret {
        request = request.bearer_auth(secret);
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status();
    (status, response.json().await.expect("a JSON body"))
}

pair_test!(a_published_report_is_proved_from_the_log_over_http, |db| {
    let (plan, _) = history_with_a_restatement(&db).await;

    // A second publication, of Q1, whose recorded digests are not those of the report the log
    // gives at its cut-off: the row of 2.B1 and so the whole hash were altered.
    let cut_off = Position(3);
    let q1 = Period::quarter(2016, 1);
    let mut parts = scoreledger_service::report_at(&db.read, q1, cut_off)
        .await
        .unwrap()
        .part_digests();
    assert_eq!(parts[1].part, "2.B1");
    parts[1].sha256 = "0".repeat(64);
    let tampered = ReportId(uuid(51));
    run(
        &db,
        &tampered.stream(),
        Command::PublishReport {
            report_id: tampered,
            plan_id: plan,
            kind: ReportKind::QuarterlyScorecard,
            period: q1,
            cut_off,
            meeting: "Cabinet".into(),
            published_on: NaiveDate::from_ymd_opt(2016, 8, 1).unwrap(),
            rule_set_version: 1,
            sha256: "f".repeat(64),
            parts,
        },
        performance(),
        None,
    )
    .await;
    let auditor = token(&db, 1, Role::Auditor, None).await;
    let head = db.store.head().await.unwrap().0;
    let server = TestServer::start(&db).await;

    let (status, published) = get(
        &server,
        &format!("/api/reports?min_position={head}"),
        Some(&auditor),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{published}");
    let q2 = &published[0];

    // The auditor asks; the Q2 report rebuilds byte for byte.
    let (status, proof) = get(
        &server,
        "/api/reports/Q2%202016%2F17/verification",
        Some(&auditor),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{proof}");
    assert_eq!(proof["verified"], true, "{proof}");
    assert_eq!(proof["sha256"], q2["sha256"]);
    assert_eq!(proof["replayed_sha256"], q2["sha256"]);
    assert_eq!(proof["cut_off"], q2["cut_off"]);
    assert_eq!(proof["commits_replayed"], q2["cut_off"], "{proof}");
    assert_eq!(proof["first_differing_part"], Value::Null);
    assert_eq!(proof["read_models_agree"], true);

    // The tampered publication is answered, not hidden: not verified, and where it differs.
    let id = tampered.0.to_string();
    let (status, proof) = get(
        &server,
        &format!("/api/reports/{id}/verification"),
        Some(&auditor),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{proof}");
    assert_eq!(proof["verified"], false, "{proof}");
    assert_eq!(proof["first_differing_part"], "2.B1", "{proof}");
    assert_ne!(proof["replayed_sha256"], proof["sha256"]);
    assert_eq!(proof["read_models_agree"], true, "{proof}");
    // Shown as published it is refused, naming the same part.
    let (status, refused) = get(&server, &format!("/api/reports/{id}"), Some(&auditor)).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{refused}");
    assert!(
        refused["error"].as_str().unwrap().contains("2.B1"),
        "{refused}"
    );

    let (status, _) = get(&server, "/api/reports/Q2%202016%2F17/verification", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, missing) = get(
        &server,
        "/api/reports/Q4%202016%2F17/verification",
        Some(&auditor),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{missing}");
    server.stop().await;
});

//! `GET /api/verification`: the whole log verified over HTTP; a log that fails is a 200 with
//! `verified: false` and the first finding, never a server error.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use scoreledger_domain::Role;
use scoreledger_server::{log_check, ServerState};
use scoreledger_store::Clock;
use scoreledger_testkit::pair_test;
use serde_json::json;

use crate::commands::{plan_with_a_measure, post, token};
use crate::support::{get, TestServer};

pair_test!(
    the_log_is_verified_over_http_and_a_finding_is_an_answer,
    |db| {
        plan_with_a_measure(&db).await;
        let auditor = token(&db, 6, Role::Auditor, None).await;
        let server = TestServer::start(&db).await;
        let url = server.url("/api/verification");

        let (status, check) = get(&url, &auditor).await;
        assert_eq!(status, StatusCode::OK, "{check}");
        assert_eq!(check["verified"], true, "{check}");
        assert_eq!(check["commits"], check["head"]);
        assert_eq!(check["finding"], serde_json::Value::Null);

        let bad = db.land_unreadable_commit().await;
        let (status, check) = get(&url, &auditor).await;
        assert_eq!(status, StatusCode::OK, "{check}");
        assert_eq!(check["verified"], false, "{check}");
        assert_eq!(check["finding"]["position"], bad.0, "{check}");
        assert!(
            ["unreadable", "changed"].contains(&check["finding"]["kind"].as_str().unwrap()),
            "{check}"
        );
        assert!(
            check["message"]
                .as_str()
                .unwrap()
                .starts_with("the log fails verification"),
            "{check}"
        );
        server.stop().await;
    }
);

/// The lines of `/metrics` about the log's verification.
async fn verification_metrics(server: &TestServer) -> Vec<String> {
    let text = reqwest::get(server.url("/metrics"))
        .await
        .expect("the server answers")
        .text()
        .await
        .unwrap();
    text.lines()
        .filter(|l| l.starts_with("scoreledger_log_verifi"))
        .map(str::to_owned)
        .collect()
}

async fn readyz(server: &TestServer) -> (StatusCode, serde_json::Value) {
    let response = reqwest::get(server.url("/readyz"))
        .await
        .expect("the server answers");
    let status = response.status();
    (status, response.json().await.expect("a JSON body"))
}

pair_test!(readyz_and_metrics_carry_the_last_verification, |db| {
    plan_with_a_measure(&db).await;
    let auditor = token(&db, 6, Role::Auditor, None).await;
    let admin = token(&db, 7, Role::Admin, None).await;
    let server = TestServer::start(&db).await;
    let at = db.clock.now().timestamp();

    // Before any verification: no verdict either way.
    let (status, ready) = readyz(&server).await;
    assert_eq!(status, StatusCode::OK, "{ready}");
    assert_eq!(
        ready["last_verification"],
        serde_json::Value::Null,
        "{ready}"
    );
    assert_eq!(verification_metrics(&server).await, Vec::<String>::new());

    let (_, check) = get(&server.url("/api/verification"), &auditor).await;
    let head = check["head"].as_u64().unwrap();
    let (status, ready) = readyz(&server).await;
    assert_eq!(status, StatusCode::OK, "{ready}");
    assert_eq!(ready["last_verification"]["verified"], true, "{ready}");
    assert_eq!(ready["last_verification"]["head"], head, "{ready}");
    assert!(ready["last_verification"]["at"].is_string(), "{ready}");
    assert_eq!(ready["last_verification"].get("finding"), None, "{ready}");
    assert_eq!(
        verification_metrics(&server).await,
        [
            "scoreledger_log_verified 1".to_owned(),
            format!("scoreledger_log_verified_head {head}"),
            format!("scoreledger_log_verification_timestamp_seconds {at}"),
        ]
    );

    let bad = db.land_unreadable_commit().await;
    let (_, check) = get(&server.url("/api/verification"), &auditor).await;
    assert_eq!(check["verified"], false, "{check}");
    let (status, ready) = readyz(&server).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{ready}");
    assert_eq!(ready["last_verification"]["verified"], false, "{ready}");
    assert_eq!(ready["last_verification"]["head"], bad.0, "{ready}");
    assert_eq!(
        ready["last_verification"]["finding"]["position"], bad.0,
        "{ready}"
    );
    assert_eq!(
        verification_metrics(&server).await,
        [
            "scoreledger_log_verified 0".to_owned(),
            format!("scoreledger_log_verified_head {}", bad.0 - 1),
            format!("scoreledger_log_verification_timestamp_seconds {at}"),
        ]
    );

    // Set aside, the commit no longer stops the read models; the service stays unready
    // for the verification alone until the log is checked again.
    let body = json!({"position": bad.0, "reason": "damaged disk; no backup holds it"});
    let (status, _, body) = post(
        &server.url("/api/set-asides"),
        &admin,
        &body.to_string(),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, ready) = readyz(&server).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{ready}");
    assert_eq!(
        ready["unreadable_commit"],
        serde_json::Value::Null,
        "{ready}"
    );
    let problems = ready["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{ready}");
    assert!(
        problems[0]
            .as_str()
            .unwrap()
            .starts_with("the log failed verification"),
        "{ready}"
    );
    // Checked again, the log verifies with the commit passed over and named; the service is
    // ready again.
    let (status, check) = get(&server.url("/api/verification"), &auditor).await;
    assert_eq!(status, StatusCode::OK, "{check}");
    assert_eq!(check["verified"], true, "{check}");
    assert_eq!(check["set_aside"], json!([bad.0]), "{check}");
    assert!(
        check["message"]
            .as_str()
            .unwrap()
            .contains(&format!("set aside by an admin (position {bad};")),
        "{check}"
    );
    let (status, ready) = readyz(&server).await;
    assert_eq!(status, StatusCode::OK, "{ready}");
    assert_eq!(ready["last_verification"]["verified"], true, "{ready}");
    server.stop().await;
});

pair_test!(
    the_periodic_verification_notices_tampering_while_serving,
    |db| {
        plan_with_a_measure(&db).await;
        let state = ServerState::new(db.store.clone(), db.read.clone(), db.clock.clone());
        let server = TestServer::start_with(state.clone()).await;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let verifier = tokio::spawn(log_check::verify_periodically(
            state,
            Duration::from_millis(100),
            async {
                let _ = stopped.await;
            },
        ));
        let until = |wanted: fn(&serde_json::Value) -> bool| {
            let server = &server;
            async move {
                let deadline = Instant::now() + Duration::from_secs(30);
                loop {
                    let (status, ready) = readyz(server).await;
                    if wanted(&ready["last_verification"]) {
                        return (status, ready);
                    }
                    assert!(Instant::now() < deadline, "{ready}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        };
        // The first check runs at once.
        let (status, ready) = until(|last| last["verified"] == true).await;
        assert_eq!(status, StatusCode::OK, "{ready}");
        let bad = db.land_unreadable_commit().await;
        let (status, ready) = until(|last| last["verified"] == false).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{ready}");
        assert_eq!(
            ready["last_verification"]["finding"]["position"], bad.0,
            "{ready}"
        );
        let _ = stop.send(());
        verifier.await.expect("the verifier stops when told");
        server.stop().await;
    }
);

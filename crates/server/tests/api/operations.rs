//! Health, readiness and the OpenAPI document, on every backend pair.

use scoreledger_projections::drain;
use scoreledger_testkit::pair_test;
use serde_json::Value;

use crate::support::TestServer;

async fn define_a_measure(db: &scoreledger_testkit::pair::Pair) {
    use scoreledger_domain::{Command, Polarity};
    use scoreledger_testkit::{measure_definition, measure_id, performance_officer, plan_id};
    let measure = measure_id(1);
    let define = Command::DefineMeasure {
        measure_id: measure,
        definition: measure_definition(plan_id(1), "1.A3", Polarity::Low),
        target: None,
    };
    let request = scoreledger_store::Request {
        actor: performance_officer(),
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
    scoreledger_testkit::write::run_command(&*db.store, &measure.stream(), &define, &request)
        .await
        .unwrap();
}

async fn get(url: &str) -> (u16, Value) {
    let response = reqwest::get(url).await.expect("the server answers");
    let status = response.status().as_u16();
    (status, response.json().await.expect("a JSON body"))
}

pair_test!(health_readiness_and_the_openapi_document_answer, |db| {
    let server = TestServer::start(&db).await;

    let (status, health) = get(&server.url("/healthz")).await;
    assert_eq!((status, health["status"].as_str()), (200, Some("ok")));

    let (status, ready) = get(&server.url("/readyz")).await;
    assert_eq!(status, 200, "{ready}");
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["log_head"], 0);
    assert_eq!(ready["lag"], 0);

    // A commit the read models have not seen shows as lag until it is projected.
    define_a_measure(&db).await;
    let (_, ready) = get(&server.url("/readyz")).await;
    assert_eq!(
        (ready["log_head"].as_u64(), ready["lag"].as_u64()),
        (Some(1), Some(1))
    );
    drain(&*db.store, &db.read, 10, |_| {}).await.unwrap();
    let (_, ready) = get(&server.url("/readyz")).await;
    assert_eq!(ready["lag"], 0);

    let (status, document) = get(&server.url("/openapi.json")).await;
    assert_eq!(status, 200);
    assert!(
        document["openapi"].as_str().unwrap().starts_with("3."),
        "{document}"
    );
    for path in [
        "/healthz",
        "/readyz",
        "/metrics",
        "/api/scorecard",
        "/api/reports",
        "/api/reports/{report}",
        "/api/reports/{report}/restatements",
        "/api/history",
        "/api/measures/{measure}",
    ] {
        assert!(
            document["paths"][path]["get"].is_object(),
            "{path} in {document}"
        );
    }
    assert!(document["components"]["schemas"]["Readiness"].is_object());
    assert_eq!(
        document["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    assert_eq!(
        document["paths"]["/api/history"]["get"]["security"][0]["bearer"],
        serde_json::json!([])
    );

    // Prometheus: requests by route and status, and the lag measured when scraped.
    let metrics = reqwest::get(server.url("/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for line in [
        "scoreledger_http_requests_total{method=\"GET\",route=\"/readyz\",status=\"200\"} 3",
        "scoreledger_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1",
        "scoreledger_log_head 1",
        "scoreledger_projector_lag 0",
    ] {
        assert!(metrics.lines().any(|l| l == line), "{line} in\n{metrics}");
    }
    assert!(
        metrics.contains("scoreledger_http_request_duration_seconds_bucket{"),
        "{metrics}"
    );

    server.stop().await;
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_appends_and_conflicts_and_time_requests_by_route_and_status() {
    // SQLite only: the metrics are the server's own, whatever the backend.
    use crate::commands::{plan_with_a_measure, post, token};
    use scoreledger_domain::Role;
    use scoreledger_testkit::pair::{LogKind, Pair, ReadKind};

    let db = Pair::new(LogKind::Sqlite, ReadKind::Sqlite).await;
    plan_with_a_measure(&db).await;
    let officer = token(&db, 1, Role::Officer, Some("CYPS")).await;
    let server = TestServer::start(&db).await;
    let values = server.url("/api/measures/1.A3/values");
    let value = serde_json::json!({"period": "Q3 2016/17", "value": "28.3%"}).to_string();
    let (status, _, written) = post(&values, &officer, &value, &[]).await;
    assert_eq!(status, 201, "{written}");
    let (status, _, conflict) = post(&values, &officer, &value, &[("if-match", "\"1\"")]).await;
    assert_eq!(status, 409, "{conflict}");

    // A commit appended behind the server's back, not yet projected: the lag shows it.
    token(&db, 2, Role::Auditor, None).await;
    let head = db.store.head().await.unwrap().0;
    let at = scoreledger_projections::checkpoint(&db.read)
        .await
        .unwrap()
        .0;
    assert!(head > at, "{head} > {at}");
    let metrics = reqwest::get(server.url("/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let route = "route=\"/api/measures/{measure}/values\"";
    for line in [
        "scoreledger_appends_total 1".to_owned(),
        format!("scoreledger_conflicts_total{{method=\"POST\",{route}}} 1"),
        format!("scoreledger_http_requests_total{{method=\"POST\",{route},status=\"201\"}} 1"),
        format!("scoreledger_http_requests_total{{method=\"POST\",{route},status=\"409\"}} 1"),
        format!(
            "scoreledger_http_request_duration_seconds_count{{method=\"POST\",{route},status=\"409\"}} 1"
        ),
        format!("scoreledger_log_head {head}"),
        format!("scoreledger_read_models_position {at}"),
        format!("scoreledger_projector_lag {}", head - at),
    ] {
        assert!(metrics.lines().any(|l| l == line), "{line} in\n{metrics}");
    }
    server.stop().await;
}

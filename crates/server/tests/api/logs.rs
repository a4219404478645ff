//! Request logs, read from the subscriber `scoreledger serve --log-format json` installs: each
//! request is logged with its id, method, route, status and latency, and a bearer secret never
//! reaches the log. SQLite only: what is logged does not depend on the backend.

use std::io::Write;
use std::sync::Mutex;

use scoreledger_domain::Role;
use scoreledger_server::logging::{self, LogFormat};
use scoreledger_testkit::pair::{LogKind, Pair, ReadKind};
use serde_json::Value;

use crate::queries::{history_with_a_restatement, token};
use crate::support::TestServer;

/// Everything logged in this test process (other tests' requests too).
static LOGGED: Mutex<Vec<u8>> = Mutex::new(Vec::new());

/// Appends to [`LOGGED`].
struct Capture;

impl Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        LOGGED
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn logged() -> String {
    String::from_utf8_lossy(
        &LOGGED
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    )
    .into_owned()
}

/// The log lines of the request with id `request_id`.
fn lines_of(request_id: &str) -> Vec<Value> {
    logged()
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|line| line["span"]["request_id"] == request_id)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_are_logged_with_id_route_status_and_latency_but_never_the_token() {
    // The one test in this binary that installs a subscriber: it is process-wide.
    logging::install(
        LogFormat::Json,
        tracing_subscriber::EnvFilter::new("warn,scoreledger_server=info"),
        || Capture,
    )
    .expect("no other test installs a subscriber");
    let db = Pair::new(LogKind::Sqlite, ReadKind::Sqlite).await;
    history_with_a_restatement(&db).await;
    let auditor = token(&db, 1, Role::Auditor, None).await;
    let server = TestServer::start(&db).await;
    let client = reqwest::Client::new();

    // A request id the client chose is kept and echoed.
    let response = client
        .get(server.url("/api/history?measure=2.B1"))
        .bearer_auth(&auditor)
        .header("x-request-id", "audit-log-test-1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-request-id"], "audit-log-test-1");
    // One is minted when the client gives none; an unknown secret is refused, and not logged
    // either.
    let never_logged = "slt_a_secret_that_must_never_be_logged";
    let refused = client
        .get(server.url("/api/reports"))
        .bearer_auth(never_logged)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    let minted = refused.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(uuid::Uuid::parse_str(&minted).is_ok(), "{minted}");
    server.stop().await;

    let lines = lines_of("audit-log-test-1");
    let answered = lines
        .iter()
        .find(|line| line["fields"]["message"] == "answered")
        .unwrap_or_else(|| panic!("no log line answered the request in\n{}", logged()));
    assert_eq!(answered["level"], "INFO");
    assert_eq!(answered["span"]["method"], "GET");
    assert_eq!(answered["span"]["route"], "/api/history");
    assert_eq!(answered["fields"]["status"], 200);
    assert!(answered["fields"]["latency_ms"].as_f64().unwrap() >= 0.0);
    let refused = lines_of(&minted);
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert_eq!(refused[0]["span"]["route"], "/api/reports");
    assert_eq!(refused[0]["fields"]["status"], 401);

    let everything = logged();
    for secret in [auditor.as_str(), never_logged] {
        assert!(!everything.contains(secret), "{secret} in the log");
    }
    assert!(
        !everything.to_ascii_lowercase().contains("authorization"),
        "an Authorization header in the log:\n{everything}"
    );
}

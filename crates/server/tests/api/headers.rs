//! What every answer says about itself, whatever answered it: `nosniff` everywhere, no caching
//! of API answers, a request id fit to quote, and the bearer scheme read as RFC 7235 says.
//! SQLite only: none of this depends on the backend.

use reqwest::header::{AUTHORIZATION, CACHE_CONTROL};
use reqwest::redirect::Policy;
use scoreledger_domain::Role;
use scoreledger_testkit::pair::{LogKind, Pair, ReadKind};

use crate::queries::{history_with_a_restatement, token};
use crate::support::TestServer;

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_says_nosniff_and_no_api_answer_is_cached() {
    let db = Pair::new(LogKind::Sqlite, ReadKind::Sqlite).await;
    history_with_a_restatement(&db).await;
    let auditor = token(&db, 1, Role::Auditor, None).await;
    let server = TestServer::start(&db).await;

    // (path, with the token, an API answer, the status expected)
    let calls = [
        ("/healthz", false, false, 200),
        ("/readyz", false, false, 200),
        ("/metrics", false, false, 200),
        ("/openapi.json", false, false, 200),
        ("/api/reports", true, true, 200),
        ("/api/history?measure=2.B1", true, true, 200),
        ("/api/reports", false, true, 401),
        ("/api/measures/9.Z9", true, true, 404),
        ("/signin", false, false, 200),
        ("/scorecard", false, false, 303),
        ("/no/such/page", false, false, 404),
    ];
    for (path, with_token, api, status) in calls {
        let mut request = client().get(server.url(path));
        if with_token {
            request = request.bearer_auth(&auditor);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status().as_u16(), status, "GET {path}");
        let headers = response.headers();
        assert_eq!(
            headers
                .get("x-content-type-options")
                .map(|v| v.to_str().unwrap()),
            Some("nosniff"),
            "GET {path}: {headers:?}"
        );
        if api {
            assert_eq!(
                headers.get(CACHE_CONTROL).map(|v| v.to_str().unwrap()),
                Some("no-store"),
                "GET {path}: {headers:?}"
            );
        }
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_id_too_long_or_not_visible_ascii_is_replaced_by_a_minted_one() {
    let db = Pair::new(LogKind::Sqlite, ReadKind::Sqlite).await;
    let server = TestServer::start(&db).await;
    let echoed = |id: String| {
        let url = server.url("/healthz");
        async move {
            let response = client()
                .get(url)
                .header("x-request-id", id)
                .send()
                .await
                .unwrap();
            response.headers()["x-request-id"]
                .to_str()
                .unwrap()
                .to_owned()
        }
    };
    let longest = "r".repeat(128);
    assert_eq!(
        echoed(longest.clone()).await,
        longest,
        "128 characters are kept"
    );
    for unfit in ["r".repeat(129), "r".repeat(5000), "two words".to_owned()] {
        let minted = echoed(unfit.clone()).await;
        assert!(
            uuid::Uuid::parse_str(&minted).is_ok(),
            "{} characters: {minted}",
            unfit.len()
        );
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bearer_scheme_is_accepted_in_any_case() {
    let db = Pair::new(LogKind::Sqlite, ReadKind::Sqlite).await;
    let auditor = token(&db, 1, Role::Auditor, None).await;
    let server = TestServer::start(&db).await;
    for scheme in ["Bearer", "bearer", "BEARER"] {
        let response = client()
            .get(server.url("/api/reports"))
            .header(AUTHORIZATION, format!("{scheme} {auditor}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{scheme}");
    }
    let response = client()
        .get(server.url("/api/reports"))
        .header(AUTHORIZATION, format!("Basic {auditor}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    server.stop().await;
}

//! Two councils on one deployment: each council's people reach their own log and read models
//! through every endpoint — the JSON API, the pages, the public pages, the sessions — and never
//! the other's, whether they ask at the root (the token or session names the council), under
//! the other council's path, or with a secret rewritten to name the other council.

use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::StatusCode;
use scoreledger_domain::{Actor, Command, Role, TokenId};
use scoreledger_server::councils::{self, Council, CouncilId, Tenant};
use scoreledger_server::ServerState;
use scoreledger_testkit::pair::{LogKind, Pair, ReadKind};
use scoreledger_testkit::uuid;
use sha2::{Digest, Sha256};

use crate::commands::plan_with_a_measure;
use crate::pages::browser;
use crate::queries::{history_with_a_restatement, run};
use crate::support::TestServer;

/// What only the second council's log holds: its priority, the officer who revised its value
/// and why. The first council's answers must never carry any of them.
const BRAVO_ONLY: [&str; 4] = [
    "Every adult secure",
    "sam.newton",
    "Sam Newton",
    "completed enquiries",
];

/// Issues an admin token in `db`'s log whose secret names `council`; returns the secret.
async fn admin_token(db: &Pair, council: &str, n: u128) -> String {
    let secret = format!("slt_{council}_{n:064x}");
    issue(db, &secret, n).await;
    secret
}

/// Issues an admin token for `secret` in `db`'s log.
async fn issue(db: &Pair, secret: &str, n: u128) {
    let council = scoreledger_server::councils::council_of(secret).unwrap_or("none");
    let token_id = TokenId(uuid(700 + n));
    run(
        db,
        &token_id.stream(),
        Command::IssueToken {
            token_id,
            user_id: format!("{council}.admin"),
            name: format!("Admin of {council}"),
            role: Role::Admin,
            directorate: None,
            secret_sha256: hex::encode(Sha256::digest(secret.as_bytes())),
            expires_on: None,
        },
        Actor::new("admin", "Admin", Role::Admin),
        None,
    )
    .await;
}

fn tenant(id: &str, db: &Pair) -> Tenant {
    Tenant::new(
        Council {
            id: CouncilId::parse(id).unwrap(),
            name: format!("{id} council"),
        },
        ServerState::new(db.store.clone(), db.read.clone(), db.clock.clone()),
    )
}

/// Every GET route of the API (from its OpenAPI description), with the second council's
/// report and measure in its path and what its query needs.
async fn api_reads(server: &TestServer, report: &str) -> Vec<String> {
    let document: serde_json::Value = reqwest::get(server.url("/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths = document["paths"].as_object().unwrap();
    let reads: Vec<String> = paths
        .iter()
        .filter(|(_, item)| item.get("get").is_some())
        .map(|(path, _)| {
            let path = path
                .replace("{report}", report)
                .replace("{measure}", "2.B1");
            let query = match path.as_str() {
                "/api/scorecard" => "?period=Q2%202016%2F17",
                "/api/history" => "?measure=2.B1",
                "/api/proofs/inclusion" => "?position=2",
                "/api/proofs/consistency" => "?from=1&to=2",
                _ => "",
            };
            format!("{path}{query}")
        })
        .collect();
    assert!(reads.len() >= 15, "the API's reads: {reads:?}");
    reads
}

/// The pages, with the second council's report and measure in their paths.
fn pages(report: &str) -> Vec<String> {
    [
        "/",
        "/scorecard?period=Q2%202016%2F17",
        "/measures/2.B1",
        "/measures/2.B1/evidence.zip",
        "/audit?measure=2.B1",
        "/audit.csv?measure=2.B1",
        "/chase?period=Q2%202016%2F17",
        "/period?period=Q2%202016%2F17",
        "/approvals",
        "/verification",
        "/reports",
        "/reports/{report}",
        "/reports/{report}/compare",
        "/reports/{report}/evidence.zip",
        "/public",
        "/public/reports/{report}",
    ]
    .iter()
    .map(|path| path.replace("{report}", report))
    .collect()
}

async fn body(response: reqwest::Response) -> (StatusCode, String) {
    let status = response.status();
    let bytes = response.bytes().await.unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// GETs `path` with a bearer token.
async fn ask(server: &TestServer, path: &str, secret: &str) -> (StatusCode, String) {
    body(
        reqwest::Client::new()
            .get(server.url(path))
            .bearer_auth(secret)
            .send()
            .await
            .unwrap(),
    )
    .await
}

/// GETs `path` as a browser sending `cookie`, redirects not followed.
async fn visit(server: &TestServer, path: &str, cookie: &str) -> reqwest::Response {
    browser()
        .get(server.url(path))
        .header(COOKIE, cookie)
        .send()
        .await
        .unwrap()
}

fn assert_alpha_only(asked: &str, (status, text): &(StatusCode, String)) {
    for marker in BRAVO_ONLY {
        assert!(
            !text.contains(marker),
            "{asked} ({status}) shows the other council's {marker:?}: {text}"
        );
    }
}

/// Signs in to `council`'s pages; the session cookie.
async fn sign_in(server: &TestServer, council: &str, secret: &str) -> String {
    let response = browser()
        .post(server.url(&format!("/councils/{council}/signin")))
        .header("origin", &server.base)
        .form(&[("token", secret), ("next", "/reports")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{council}");
    let cookie = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|value| value.to_str().unwrap())
        .find(|value| value.starts_with("scoreledger_session="))
        .expect("a session cookie")
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    assert!(
        cookie.starts_with(&format!("scoreledger_session=sls_{council}_")),
        "{cookie}"
    );
    cookie
}

async fn councils_do_not_see_each_other(alpha: Pair, bravo: Pair) {
    plan_with_a_measure(&alpha).await;
    history_with_a_restatement(&bravo).await;
    let bravo_report = uuid(50).to_string();
    let alpha_secret = admin_token(&alpha, "alpha", 1).await;
    let bravo_secret = admin_token(&bravo, "bravo", 2).await;
    let server = TestServer::start_routes(councils::router(&[
        tenant("alpha", &alpha),
        tenant("bravo", &bravo),
    ]))
    .await;
    let client = reqwest::Client::new();

    // The markers are there to be found: the second council's own token finds them.
    let (status, text) = ask(&server, "/api/history?measure=2.B1", &bravo_secret).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(
        BRAVO_ONLY[1..].iter().all(|marker| text.contains(marker)),
        "{text}"
    );

    // Every read of the API, with the first council's token, at the root and under its
    // own path: its answers hold nothing of the second's, even asked for its report by id.
    let reads = api_reads(&server, &bravo_report).await;
    for path in &reads {
        for at in [path.clone(), format!("/councils/alpha{path}")] {
            let answer = ask(&server, &at, &alpha_secret).await;
            assert_ne!(answer.0, StatusCode::UNAUTHORIZED, "{at}: {}", answer.1);
            assert_alpha_only(&at, &answer);
        }
        // Under the other council's path the token is nobody.
        if path.starts_with("/api/") {
            let at = format!("/councils/bravo{path}");
            let (status, text) = ask(&server, &at, &alpha_secret).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{at}: {text}");
        }
    }
    // A secret rewritten to name the other council is a secret nobody was issued.
    let forged = alpha_secret.replacen("alpha", "bravo", 1);
    for path in ["/api/plans", "/councils/bravo/api/plans"] {
        let (status, text) = ask(&server, path, &forged).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}: {text}");
    }
    // Even were the other council's read models to hold the same secret's hash (a copied
    // database), a secret naming one council is never looked up in the other's.
    issue(&bravo, &alpha_secret, 3).await;
    for path in ["/councils/bravo/api/plans", "/councils/bravo/api/sessions"] {
        let (status, text) = ask(&server, path, &alpha_secret).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}: {text}");
        assert!(text.contains("not one of this council's"), "{text}");
    }
    // A token that names no council, or one not served here, is refused, not guessed at.
    for secret in ["slt_00ff", "slt_charlie_00ff"] {
        let (status, text) = ask(&server, "/api/plans", secret).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{secret}: {text}");
        assert!(text.contains("alpha, bravo"), "{text}");
    }

    // The pages: signed in to the first council, every page at the root and under its path
    // shows nothing of the second; under the second's path the session is nobody's.
    let alpha_cookie = sign_in(&server, "alpha", &alpha_secret).await;
    for path in pages(&bravo_report) {
        for at in [path.clone(), format!("/councils/alpha{path}")] {
            let answer = body(visit(&server, &at, &alpha_cookie).await).await;
            // Signed in: answered, not sent to sign in ("/" goes on to the scorecard).
            assert!(
                answer.0 != StatusCode::SEE_OTHER || path == "/",
                "{at}: {}",
                answer.0
            );
            assert_alpha_only(&at, &answer);
        }
        if !path.starts_with("/public") && path != "/" {
            let at = format!("/councils/bravo{path}");
            let response = visit(&server, &at, &alpha_cookie).await;
            assert_eq!(response.status(), StatusCode::SEE_OTHER, "{at}");
            assert!(
                response.headers()[LOCATION]
                    .to_str()
                    .unwrap()
                    .starts_with("/signin"),
                "{at}"
            );
        }
    }
    let (_, text) = body(visit(&server, "/scorecard", &alpha_cookie).await).await;
    assert!(
        text.contains("alpha council"),
        "the page names its council: {text}"
    );
    // Without a credential, a reader who chose the first council by its path keeps to it.
    let chosen = browser()
        .get(server.url("/councils/alpha/public"))
        .send()
        .await
        .unwrap();
    assert_eq!(chosen.status(), StatusCode::OK);
    let choice = chosen.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    assert!(choice.starts_with("scoreledger_council=alpha"), "{choice}");
    let choice = choice.split(';').next().unwrap().to_owned();
    let answer = body(visit(&server, "/public", &choice).await).await;
    assert_eq!(answer.0, StatusCode::OK, "the choice is kept: {}", answer.1);
    assert!(
        answer.1.contains("alpha council"),
        "the page names its council: {}",
        answer.1
    );
    let (_, form) = body(visit(&server, "/councils/bravo/signin", "").await).await;
    assert!(
        form.contains("action=\"/councils/bravo/signin\"") && form.contains("bravo council"),
        "{form}"
    );
    assert_alpha_only("/public", &answer);
    let path = format!("/public/reports/{bravo_report}");
    let answer = body(visit(&server, &path, &choice).await).await;
    assert_eq!(answer.0, StatusCode::NOT_FOUND, "{}", answer.1);
    // A witness must name the council whose checkpoint it wants.
    let (status, text) = body(
        browser()
            .get(server.url("/checkpoint"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{text}");
    assert!(text.contains("/councils/<id>/checkpoint"), "{text}");
    // Another scheme of Authorization (a proxy's login) leaves the session to decide.
    let response = browser()
        .get(server.url("/reports"))
        .header(COOKIE, &alpha_cookie)
        .header("authorization", "Basic cHJveHk6cHJveHk=")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    // The second council's published report is public under its own path, and only there.
    let (status, text) = body(
        browser()
            .get(server.url(&format!("/councils/bravo/public/reports/{bravo_report}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let (status, _) = body(
        browser()
            .get(server.url(&format!("/councils/alpha/public/reports/{bravo_report}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A reader signed in to the first council who chooses the second signs in there through
    // the form's own address.
    let switched = browser()
        .post(server.url("/signin"))
        .header("origin", &server.base)
        .header(COOKIE, format!("{alpha_cookie}; scoreledger_council=bravo"))
        .form(&[("token", bravo_secret.as_str()), ("next", "/reports")])
        .send()
        .await
        .unwrap();
    assert_eq!(switched.status(), StatusCode::SEE_OTHER);
    let set = switched.headers()[SET_COOKIE].to_str().unwrap();
    assert!(set.starts_with("scoreledger_session=sls_bravo_"), "{set}");

    // Sessions: the first council's admin neither lists nor ends the second's.
    let bravo_cookie = sign_in(&server, "bravo", &bravo_secret).await;
    let (status, text) = ask(&server, "/api/sessions", &bravo_secret).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let listed: serde_json::Value = serde_json::from_str(&text).unwrap();
    let bravo_session = listed
        .as_array()
        .unwrap()
        .iter()
        .find_map(|session| session["session_id"].as_str())
        .expect("the second council's session is listed for its admin")
        .to_owned();
    let (_, text) = ask(&server, "/api/sessions", &alpha_secret).await;
    assert!(!text.contains(&bravo_session), "{text}");
    let ended = client
        .delete(server.url(&format!("/api/sessions/{bravo_session}")))
        .bearer_auth(&alpha_secret)
        .send()
        .await
        .unwrap();
    assert_eq!(ended.status(), StatusCode::NOT_FOUND);
    let (status, _) = body(visit(&server, "/reports", &bravo_cookie).await).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the second council's session still works"
    );

    // A write with the first council's token lands in its log and nowhere else.
    let bravo_head = bravo.store.head().await.unwrap();
    let alpha_head = alpha.store.head().await.unwrap();
    let written = client
        .post(server.url("/api/measures/1.A3/values"))
        .bearer_auth(&alpha_secret)
        .json(&serde_json::json!({"period": "Apr-16", "value": "27%"}))
        .send()
        .await
        .unwrap();
    assert_eq!(written.status(), StatusCode::CREATED);
    assert!(alpha.store.head().await.unwrap() > alpha_head);
    assert_eq!(bravo.store.head().await.unwrap(), bravo_head);

    // The deployment's own routes cover both.
    let listed: serde_json::Value = client
        .get(server.url("/councils"))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        listed,
        serde_json::json!([
            {"id": "alpha", "name": "alpha council"},
            {"id": "bravo", "name": "bravo council"}
        ])
    );
    let (status, text) = body(client.get(server.url("/readyz")).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let ready: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(ready["councils"].as_object().unwrap().len(), 2, "{text}");
    let (_, text) = body(client.get(server.url("/metrics")).send().await.unwrap()).await;
    for council in ["alpha", "bravo"] {
        assert!(
            text.contains(&format!("scoreledger_log_head{{council=\"{council}\"}}")),
            "{text}"
        );
    }
    assert_eq!(
        text.matches("# TYPE scoreledger_log_head ").count(),
        1,
        "{text}"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_sqlite() {
    councils_do_not_see_each_other(
        Pair::new(LogKind::Sqlite, ReadKind::Sqlite).await,
        Pair::new(LogKind::Sqlite, ReadKind::Sqlite).await,
    )
    .await;
}

/// Needs nats-server and PostgreSQL; see scripts/services.sh.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_postgres() {
    councils_do_not_see_each_other(
        Pair::new(LogKind::Nats, ReadKind::Postgres).await,
        Pair::new(LogKind::Nats, ReadKind::Postgres).await,
    )
    .await;
}

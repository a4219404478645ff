//! Web sessions on every backend pair: the cookie carries a session's own secret, never the
//! token's; signing out, an idle half hour, eight hours, a revoked token or an admin ends the
//! session on the server, so the same cookie no longer works anywhere.

use chrono::Duration;
use reqwest::header::{COOKIE, LOCATION};
use reqwest::StatusCode;
use scoreledger_domain::{Actor, Command, Role, TokenId};
use scoreledger_testkit::{pair_test, uuid};
use serde_json::Value;

use crate::pages::{browser, page, sign_in};
use crate::queries::{run, token};
use crate::support::TestServer;

/// Where a page sends the holder of `cookie`: `None` when it is shown.
async fn sent_to(server: &TestServer, cookie: &str) -> Option<String> {
    let response = browser()
        .get(server.url("/reports"))
        .header(COOKIE, cookie)
        .send()
        .await
        .unwrap();
    match response.status() {
        StatusCode::OK => None,
        StatusCode::SEE_OTHER => Some(response.headers()[LOCATION].to_str().unwrap().to_owned()),
        other => panic!("unexpected {other}"),
    }
}

async fn sign_out(server: &TestServer, cookie: &str) {
    let response = browser()
        .post(server.url("/signout"))
        .header(COOKIE, cookie)
        .header("origin", &server.base)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

pair_test!(
    the_cookie_is_a_session_and_signing_out_ends_it_on_the_server,
    |db| {
        let auditor = token(&db, 1, Role::Auditor, None).await;
        let server = TestServer::start(&db).await;
        let cookie = sign_in(&server, &auditor).await;
        let (_, value) = cookie.split_once('=').unwrap();
        assert!(value.starts_with("sls_"), "{cookie}");
        assert!(
            !cookie.contains(&auditor),
            "the token's secret is in the cookie"
        );
        assert_eq!(sent_to(&server, &cookie).await, None);
        // The session's secret is not an API credential.
        let response = browser()
            .get(server.url("/api/reports"))
            .bearer_auth(value)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

        sign_out(&server, &cookie).await;
        // The browser forgets the cookie; one kept by anyone else no longer works either.
        let sent = sent_to(&server, &cookie).await.expect("sent to sign in");
        assert!(
            sent.starts_with("/signin?") && sent.contains("why=ended"),
            "{sent}"
        );
        // Signing in again starts a new session; the old one stays ended.
        let again = sign_in(&server, &auditor).await;
        assert_ne!(again, cookie);
        assert_eq!(sent_to(&server, &again).await, None);
        assert!(sent_to(&server, &cookie).await.is_some());
        server.stop().await;
    }
);

pair_test!(
    a_session_ends_when_idle_after_its_lifetime_or_with_its_token,
    |db| {
        let auditor = token(&db, 1, Role::Auditor, None).await;
        let server = TestServer::start(&db).await;

        // Unused for half an hour: ended.
        let cookie = sign_in(&server, &auditor).await;
        db.clock.advance(Duration::minutes(29));
        assert_eq!(
            sent_to(&server, &cookie).await,
            None,
            "used within the half hour"
        );
        db.clock.advance(Duration::minutes(29));
        assert_eq!(
            sent_to(&server, &cookie).await,
            None,
            "use moves the idle deadline"
        );
        db.clock.advance(Duration::minutes(31));
        assert!(
            sent_to(&server, &cookie).await.is_some(),
            "idle for 31 minutes"
        );

        // Used all day: ended after eight hours all the same.
        let cookie = sign_in(&server, &auditor).await;
        for _ in 0..16 {
            db.clock.advance(Duration::minutes(29));
            assert_eq!(sent_to(&server, &cookie).await, None);
        }
        db.clock.advance(Duration::minutes(29));
        assert!(
            sent_to(&server, &cookie).await.is_some(),
            "past eight hours"
        );

        // A revoked token ends its sessions at once.
        let cookie = sign_in(&server, &auditor).await;
        let token_id = TokenId(uuid(101));
        run(
            &db,
            &token_id.stream(),
            Command::RevokeToken { token_id },
            Actor::new("it.admin", "IT Admin", Role::Admin),
            Some("left the council"),
        )
        .await;
        let sent = sent_to(&server, &cookie).await.expect("sent to sign in");
        assert!(sent.contains("why=refused"), "{sent}");
        server.stop().await;
    }
);

pair_test!(admins_list_and_end_web_sessions_and_nobody_else_may, |db| {
    let auditor = token(&db, 1, Role::Auditor, None).await;
    let admin = token(&db, 2, Role::Admin, None).await;
    let server = TestServer::start(&db).await;
    let cookie = sign_in(&server, &auditor).await;
    let list = |secret: String| {
        let url = server.url("/api/sessions");
        async move {
            let response = browser().get(url).bearer_auth(secret).send().await.unwrap();
            let status = response.status();
            (status, response.json::<Value>().await.unwrap())
        }
    };

    let (status, _) = list(auditor.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, sessions) = list(admin.clone()).await;
    assert_eq!(status, StatusCode::OK, "{sessions}");
    let sessions = sessions.as_array().unwrap();
    assert_eq!(sessions.len(), 1, "{sessions:?}");
    assert_eq!(sessions[0]["user_id"], "user1");
    assert_eq!(sessions[0]["role"], "auditor");
    assert!(!sessions[0].to_string().contains("sls_"), "{sessions:?}");
    let id = sessions[0]["session_id"].as_str().unwrap().to_owned();

    let end = |secret: String, id: String| {
        let url = server.url(&format!("/api/sessions/{id}"));
        async move {
            browser()
                .delete(url)
                .bearer_auth(secret)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(
        end(auditor.clone(), id.clone()).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        sent_to(&server, &cookie).await,
        None,
        "a refused end ends nothing"
    );
    assert_eq!(end(admin.clone(), id.clone()).await, StatusCode::NO_CONTENT);
    let (_, body) = page(&server, &cookie, "/reports").await;
    assert!(!body.contains("Signed in as"), "{body}");
    assert!(
        sent_to(&server, &cookie).await.is_some(),
        "ended by the admin"
    );
    assert_eq!(end(admin.clone(), id).await, StatusCode::NOT_FOUND);
    let (_, sessions) = list(admin).await;
    assert_eq!(sessions, Value::Array(vec![]));
    server.stop().await;
});

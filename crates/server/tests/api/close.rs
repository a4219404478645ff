//! Closing a period in the pages, on every backend pair: lock, reopen and publish from the
//! period's page, the published pack as a PDF, and a values import uploaded, previewed and
//! applied. Each form is same-origin protected, lands once however often it is sent, and
//! conflicts when what it was drawn from changed.

use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION};
use reqwest::multipart;
use reqwest::StatusCode;
use scoreledger_domain::Role;
use scoreledger_testkit::pair_test;

use crate::pages::{browser, hidden, page, sign_in, two_directorates};
use crate::queries::token;
use crate::support::TestServer;

const Q3: &str = "/period?period=Q3+2016%2F17";

/// Posts a page's form, from the page's own origin unless `origin` says otherwise.
async fn post_form(
    server: &TestServer,
    cookie: &str,
    path: &str,
    fields: &[(&str, String)],
    origin: Option<&str>,
) -> reqwest::Response {
    browser()
        .post(server.url(path))
        .header(COOKIE, cookie)
        .header("origin", origin.unwrap_or(&server.base))
        .form(fields)
        .send()
        .await
        .unwrap()
}

fn location(response: &reqwest::Response) -> String {
    response.headers()[LOCATION].to_str().unwrap().to_owned()
}

pair_test!(
    the_performance_team_locks_reopens_and_publishes_from_the_period_s_page,
    |db| {
        two_directorates(&db).await;
        let performance = token(&db, 5, Role::Performance, None).await;
        let officer = token(&db, 2, Role::Officer, None).await;
        let server = TestServer::start(&db).await;

        // An officer reads the period's state, with no form to lock or publish.
        let cookie = sign_in(&server, &officer).await;
        let (status, theirs) = page(&server, &cookie, Q3).await;
        assert_eq!(status, StatusCode::OK, "{theirs}");
        assert!(
            theirs.contains("Open: officers may still enter"),
            "{theirs}"
        );
        assert!(!theirs.contains("/period/lock") && !theirs.contains("/period/publish"));
        let refused = post_form(
            &server,
            &cookie,
            "/period/lock",
            &[
                ("period", "Q3 2016/17".to_owned()),
                ("version", "1".to_owned()),
                ("key", "k".to_owned()),
            ],
            None,
        )
        .await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);

        let cookie = sign_in(&server, &performance).await;
        let (status, open) = page(&server, &cookie, Q3).await;
        assert_eq!(status, StatusCode::OK, "{open}");
        assert!(open.contains("2 measures still lack something"), "{open}");
        let lock = [
            ("period", "Q3 2016/17".to_owned()),
            ("version", hidden(&open, "version")),
            ("key", hidden(&open, "key")),
        ];
        let head = db.store.head().await.unwrap();
        let forged = post_form(
            &server,
            &cookie,
            "/period/lock",
            &lock,
            Some("http://evil.example"),
        )
        .await;
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);
        assert_eq!(db.store.head().await.unwrap(), head);

        let locked = post_form(&server, &cookie, "/period/lock", &lock, None).await;
        assert_eq!(locked.status(), StatusCode::SEE_OTHER);
        let done = location(&locked);
        assert!(done.starts_with("/period?period=Q3"), "{done}");
        let (_, after) = page(&server, &cookie, &done).await;
        assert!(after.contains("Done: in the log at position"), "{after}");
        assert!(
            after.contains("Locked (by the lock on Q3 Oct - Dec 2016)"),
            "{after}"
        );
        // Sent again, the lock lands nothing new.
        let head = db.store.head().await.unwrap();
        let again = post_form(&server, &cookie, "/period/lock", &lock, None).await;
        assert_eq!(again.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&again), done);
        assert_eq!(db.store.head().await.unwrap(), head);

        // Reopening needs a reason, and a form drawn before the lock is a conflict.
        let version = hidden(&after, "version");
        let key = hidden(&after, "key");
        let reopen = |version: String, reason: &'static str| {
            [
                ("period", "Q3 2016/17".to_owned()),
                ("version", version),
                ("key", key.clone()),
                ("reason", reason.to_owned()),
            ]
        };
        let stale = reopen(lock[1].1.clone(), "late data from the NHS");
        let conflict = post_form(&server, &cookie, "/period/reopen", &stale, None).await;
        assert_eq!(conflict.status(), StatusCode::CONFLICT);
        let bare = reopen(version.clone(), "");
        let unexplained = post_form(&server, &cookie, "/period/reopen", &bare, None).await;
        assert_eq!(unexplained.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(db.store.head().await.unwrap(), head);
        let fields = reopen(version, "late data from the NHS");
        let reopened = post_form(&server, &cookie, "/period/reopen", &fields, None).await;
        assert_eq!(reopened.status(), StatusCode::SEE_OTHER);
        let (_, reopened) = page(&server, &cookie, &location(&reopened)).await;
        assert!(
            reopened.contains("Open: officers may still enter"),
            "{reopened}"
        );

        // Publishing publishes the report the page showed, or nothing.
        let sha256 = hidden(&reopened, "sha256");
        let key = hidden(&reopened, "key");
        let publish = |sha256: &str| {
            vec![
                ("period", "Q3 2016/17".to_owned()),
                ("meeting", "Cabinet".to_owned()),
                ("published_on", "2017-01-13".to_owned()),
                ("sha256", sha256.to_owned()),
                ("key", key.clone()),
            ]
        };
        let head = db.store.head().await.unwrap();
        let wrong = publish(&"0".repeat(64));
        let changed = post_form(&server, &cookie, "/period/publish", &wrong, None).await;
        assert_eq!(changed.status(), StatusCode::CONFLICT);
        assert!(changed
            .text()
            .await
            .unwrap()
            .contains("changed since the page showed it"));
        assert_eq!(db.store.head().await.unwrap(), head);
        let fields = publish(&sha256);
        let published = post_form(&server, &cookie, "/period/publish", &fields, None).await;
        assert_eq!(published.status(), StatusCode::SEE_OTHER);
        let report = location(&published);
        assert!(report.starts_with("/reports/"), "{report}");
        let head = db.store.head().await.unwrap();
        let twice = post_form(&server, &cookie, "/period/publish", &fields, None).await;
        assert_eq!(location(&twice), report);
        assert_eq!(db.store.head().await.unwrap(), head);

        // The report as published: its hash the one the page showed, its pack a PDF.
        let (status, shown) = page(&server, &cookie, &report).await;
        assert_eq!(status, StatusCode::OK, "{shown}");
        assert!(
            shown.contains("Hash verified") && shown.contains(&sha256),
            "{shown}"
        );
        let pdf = |path: String| {
            let cookie = cookie.clone();
            let server = &server;
            async move {
                let response = browser()
                    .get(server.url(&path))
                    .header(COOKIE, cookie)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), StatusCode::OK);
                assert_eq!(response.headers()[CONTENT_TYPE], "application/pdf");
                response.bytes().await.unwrap()
            }
        };
        let (_, closed) = page(&server, &cookie, Q3).await;
        assert!(
            closed.contains(&format!(r#"<a href="{report}/pack.pdf" download>PDF</a>"#)),
            "{closed}"
        );
        let first = pdf(format!("{report}/pack.pdf")).await;
        assert!(first.starts_with(b"%PDF-"));
        assert_eq!(first, pdf(format!("{report}/pack.pdf")).await);
        server.stop().await;
    }
);

/// Uploads `csv` as a sheet for Q3; returns the preview page.
async fn upload(server: &TestServer, cookie: &str, csv: &str) -> (StatusCode, String) {
    upload_from(server, cookie, csv, &server.base).await
}

/// Uploads `csv` from a page of `origin`.
async fn upload_from(
    server: &TestServer,
    cookie: &str,
    csv: &str,
    origin: &str,
) -> (StatusCode, String) {
    let form = multipart::Form::new()
        .text("period", "Q3 2016/17")
        .part(
            "file",
            multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("q3.csv"),
        )
        .text("classification", "")
        .text("reason", "");
    let response = browser()
        .post(server.url("/import"))
        .header(COOKIE, cookie)
        .header("origin", origin)
        .multipart(form)
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

fn apply_fields(preview: &str) -> Vec<(&'static str, String)> {
    [
        "period",
        "classification",
        "reason",
        "name",
        "file",
        "preview",
    ]
    .into_iter()
    .map(|name| (name, hidden(preview, name)))
    .collect()
}

pair_test!(a_sheet_is_uploaded_previewed_and_applied_once, |db| {
    two_directorates(&db).await;
    let officer = token(&db, 2, Role::Officer, None).await;
    let server = TestServer::start(&db).await;
    let cookie = sign_in(&server, &officer).await;
    let (status, form) = page(&server, &cookie, "/import?period=Q3+2016%2F17").await;
    assert_eq!(status, StatusCode::OK, "{form}");
    assert!(form.contains(r#"enctype="multipart/form-data""#), "{form}");

    // Another directorate's measure is refused by row, with nothing to apply.
    let (status, refused) =
        upload(&server, &cookie, "Ref,Q3 2016/17\n2.B1,130\n2.B2,27.5%\n").await;
    assert_eq!(status, StatusCode::OK, "{refused}");
    assert!(refused.contains("1 problem(s)"), "{refused}");
    assert!(!refused.contains("/import/apply"), "{refused}");

    let sheet = "Ref,Q3 2016/17,Data note\n2.B2,27.5%,From Liquid Logic\n";
    let (status, preview) = upload(&server, &cookie, sheet).await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert!(preview.contains("2 new, 0 revised, 0 changed"), "{preview}");
    let fields = apply_fields(&preview);
    let head = db.store.head().await.unwrap();
    let forged = post_form(
        &server,
        &cookie,
        "/import/apply",
        &fields,
        Some("http://evil.example"),
    )
    .await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert_eq!(db.store.head().await.unwrap(), head);

    let applied = post_form(&server, &cookie, "/import/apply", &fields, None).await;
    assert_eq!(applied.status(), StatusCode::SEE_OTHER);
    let back = location(&applied);
    assert!(back.ends_with("&applied=1"), "{back}");
    assert_eq!(db.store.head().await.unwrap().0, head.0 + 1);
    let (_, done) = page(&server, &cookie, &back).await;
    assert!(done.contains("Imported: 1 commit(s) appended."), "{done}");
    // Applied again (a double click): nothing new.
    let again = post_form(&server, &cookie, "/import/apply", &fields, None).await;
    assert!(location(&again).ends_with("&applied=0"));
    assert_eq!(db.store.head().await.unwrap().0, head.0 + 1);

    // A preview overtaken by another change to the same cells is a conflict.
    let (_, preview) = upload(
        &server,
        &cookie,
        "Ref,Q3 2016/17,Data note\n2.B2,27.5%,From Liquid Logic (checked)\n",
    )
    .await;
    assert!(preview.contains("1 changed"), "{preview}");
    let (_, other) = upload(
        &server,
        &cookie,
        "Ref,Q3 2016/17,Data note\n2.B2,27.5%,Validated\n",
    )
    .await;
    let other = apply_fields(&other);
    let landed = post_form(&server, &cookie, "/import/apply", &other, None).await;
    assert_eq!(landed.status(), StatusCode::SEE_OTHER);
    let head = db.store.head().await.unwrap();
    let overtaken = apply_fields(&preview);
    let conflict = post_form(&server, &cookie, "/import/apply", &overtaken, None).await;
    assert_eq!(conflict.status(), StatusCode::CONFLICT);
    assert_eq!(db.store.head().await.unwrap(), head);
    server.stop().await;
});

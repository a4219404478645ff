//! `?what=` of the history on every backend pair: the words the README gives select the rows
//! the history stores under their own names, and a word that names no kind is 422 listing
//! the kinds, with nothing recorded.

use reqwest::StatusCode;
use scoreledger_domain::{Command, Period, Role};
use scoreledger_testkit::{measure_id, pair_test};
use serde_json::Value;

use crate::pages::{page, sign_in};
use crate::queries::{history_with_a_restatement, performance, run, token};
use crate::support::{get, TestServer};

/// The `what` of each row of a history answer.
fn kinds(answer: &Value) -> Vec<&str> {
    answer
        .as_array()
        .expect("a list of changes")
        .iter()
        .map(|e| e["what"].as_str().expect("a what"))
        .collect()
}

pair_test!(
    the_history_is_filtered_by_the_readmes_words_for_kinds,
    |db| {
        history_with_a_restatement(&db).await;
        run(
            &db,
            &measure_id(1).stream(),
            Command::EditCommentary {
                period: Period::quarter(2016, 2),
                text: "Completed enquiries only.".into(),
            },
            performance(),
            Some("the published figure needed a note"),
        )
        .await;
        let auditor = token(&db, 1, Role::Auditor, None).await;
        let server = TestServer::start(&db).await;
        let head = db.store.head().await.unwrap().0;
        let (status, all) = get(
            &server.url(&format!("/api/history?measure=2.B1&min_position={head}")),
            &auditor,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{all}");
        let after_read = db.store.head().await.unwrap().0;
        assert_eq!(after_read, head + 1, "the read was recorded");

        let history = |what: &str| {
            server.url(&format!(
                "/api/history?what={what}&min_position={after_read}"
            ))
        };
        let (status, reads) = get(&history("read"), &auditor).await;
        assert_eq!(status, StatusCode::OK, "{reads}");
        assert_eq!(kinds(&reads), ["history read"], "{reads}");
        assert_eq!(
            reads[0]["after"],
            format!("GET /api/history?measure=2.B1&min_position={head}")
        );

        let (status, notes) = get(&history("note"), &auditor).await;
        assert_eq!(status, StatusCode::OK, "{notes}");
        assert_eq!(kinds(&notes), ["data note"], "{notes}");
        assert_eq!(notes[0]["after"], "Completed enquiries only.");

        // Several words, a stored name and a plural select the same rows, in log order.
        for what in ["value,note", "values,%20data%20note", "NOTE,value"] {
            let (status, rows) = get(&history(what), &auditor).await;
            assert_eq!(status, StatusCode::OK, "{what}: {rows}");
            assert_eq!(
                kinds(&rows),
                ["value", "value", "data note"],
                "{what}: {rows}"
            );
        }

        // An unknown kind is refused before anything is read or recorded.
        let before = db.store.head().await.unwrap().0;
        for what in ["nonsense", "value,nonsense"] {
            let (status, body) = get(&history(what), &auditor).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {body}");
            let error = body["error"].as_str().expect("an error message");
            assert!(
                error.contains("\"nonsense\" is not a kind of change"),
                "{error}"
            );
            assert!(
                error.contains("value, target, status, direction, rag, note,")
                    && error.contains("read, set-aside, plan, key, meeting, clinic or action"),
                "{error}"
            );
        }
        assert_eq!(db.store.head().await.unwrap().0, before, "nothing recorded");

        // The audit page reads the same words: its choices are the kinds, and another word is
        // its error page, 422.
        let cookie = sign_in(&server, &auditor).await;
        let (status, body) = page(&server, &cookie, "/audit?kind=note").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.contains("Completed enquiries only."), "{body}");
        assert!(body.contains(r#"<option value="set-aside">"#), "{body}");
        let (status, body) = page(&server, &cookie, "/audit?kind=nonsense").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.contains("is not a kind of change"), "{body}");
        server.stop().await;
    }
);

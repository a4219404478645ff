//! Improvement actions over HTTP on every backend pair: registered, moved with a reason,
//! refused where the log would hold nonsense, with nothing appended.

use reqwest::StatusCode;
use scoreledger_domain::Role;
use scoreledger_testkit::pair_test;

use crate::commands::{plan_with_a_measure, post};
use crate::queries::token;
use crate::support::TestServer;

pair_test!(
    an_action_is_registered_moved_and_refused_when_unknown_or_malformed,
    |db| {
        plan_with_a_measure(&db).await;
        let team = token(&db, 1, Role::Performance, None).await;
        let server = TestServer::start(&db).await;
        let url = |path: &str| server.url(path);
        let action = r#"{"plan": "RMBC Notice to Improve Action Plan", "key_action": "Reduce the vacancy rate of qualified social workers", "objective": "A stable workforce", "lead": "Gani Martins", "target_date": "June 2010", "measures": ["1.A3"]}"#;
        let (status, _, body) = post(&url("/api/actions"), &team, action, &[]).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let head = db.store.head().await.unwrap();

        // Registered twice, moved while unknown, a reference that is none: refused, nothing
        // appended.
        let (status, _, body) = post(&url("/api/actions"), &team, action, &[]).await;
        assert_eq!(status.as_u16() / 100, 4, "{body}");
        assert!(
            body["error"].as_str().unwrap().contains("already exists"),
            "{body}"
        );
        let unknown = r#"{"plan": "RMBC Notice to Improve Action Plan", "key_action": "Nothing of the sort", "to": "October 2010"}"#;
        let (status, _, body) = post(&url("/api/actions/moves"), &team, unknown, &[]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(
            body["error"]
                .as_str()
                .unwrap()
                .contains("no such improvement action is registered"),
            "{body}"
        );
        let malformed = r#"{"plan": "P", "key_action": "K", "objective": "O", "lead": "L", "target_date": "June 2010", "measures": [""]}"#;
        let (status, _, body) = post(&url("/api/actions"), &team, malformed, &[]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(
            body["error"].as_str().unwrap().starts_with("measures:"),
            "{body}"
        );
        let undefined = r#"{"plan": "P", "key_action": "K", "objective": "O", "lead": "L", "target_date": "June 2010", "measures": ["9.Z9"]}"#;
        let (status, _, body) = post(&url("/api/actions"), &team, undefined, &[]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(
            body["error"]
                .as_str()
                .unwrap()
                .contains("no measure 9.Z9 is defined"),
            "{body}"
        );
        assert_eq!(db.store.head().await.unwrap(), head, "nothing appended");

        let moved = r#"{"plan": "RMBC Notice to Improve Action Plan", "key_action": "Reduce the vacancy rate of qualified social workers", "to": "October 2010", "reason": "recruitment campaign extended"}"#;
        let (status, _, body) = post(&url("/api/actions/moves"), &team, moved, &[]).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        server.stop().await;
    }
);

//! `GET /api/verification`: the whole log verified over HTTP; a log that fails is a 200 with
//! `verified: false` and the first finding, never a server error.

use reqwest::StatusCode;
use scoreledger_domain::Role;
use scoreledger_testkit::pair_test;

use crate::commands::{plan_with_a_measure, token};
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

//! A commit that cannot be read does not take the service down: reads answer at the position
//! before it, `/readyz` names it, writes judged against its stream wait, and an admin sets it
//! aside over HTTP with a reason; the history and every report built across it say so.

use reqwest::StatusCode;
use scoreledger_domain::Role;
use scoreledger_testkit::pair_test;
use serde_json::{json, Value};

use crate::commands::{plan_with_a_measure, post, token};
use crate::support::{get, TestServer};

pair_test!(
    an_unreadable_commit_keeps_reads_answering_until_an_admin_sets_it_aside,
    |db| {
        plan_with_a_measure(&db).await;
        let officer = token(&db, 1, Role::Officer, Some("CYPS")).await;
        let team = token(&db, 4, Role::Performance, None).await;
        let admin = token(&db, 5, Role::Admin, None).await;
        // On a report's stream: which periods are published is read from every report's.
        let bad = db.land_unreadable_commit_in("report").await;
        let last_good = bad.0 - 1;
        let server = TestServer::start(&db).await;

        // Reads answer at the last good position.
        let scorecard = server.url("/api/scorecard?period=Q3%202016%2F17");
        let (status, report) = get(&scorecard, &team).await;
        assert_eq!(status, StatusCode::OK, "{report}");
        assert_eq!(report["position"], last_good);
        assert!(report.get("set_asides").is_none(), "{report}");
        // Readiness names the commit; asking to see past it is a 503 saying why.
        let (status, ready) = get(&server.url("/readyz"), &team).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{ready}");
        assert_eq!(ready["unreadable_commit"], bad.0);
        assert!(
            ready["problems"][0]
                .as_str()
                .is_some_and(|p| p.contains(&format!("position {bad} cannot be read"))),
            "{ready}"
        );
        let (status, body) = get(&format!("{scorecard}&min_position={bad}"), &team).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        // Writes judged against the plan's publications wait: one of them cannot be read.
        let values = server.url("/api/measures/1.A3/values");
        let december = json!({"period": "Dec-16", "value": "27%"}).to_string();
        let (status, _, body) = post(&values, &officer, &december, &[]).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert!(
            body["error"]
                .as_str()
                .is_some_and(|e| e.contains("set-aside")),
            "{body}"
        );

        // Only an admin sets it aside, only with a reason, and only a commit that cannot be read.
        let set_asides = server.url("/api/set-asides");
        let reasoned = |position: u64| {
            json!({"position": position, "reason": "damaged disk; no backup holds it"}).to_string()
        };
        for (who, expected) in [
            (&officer, StatusCode::FORBIDDEN),
            (&team, StatusCode::FORBIDDEN),
        ] {
            let (status, _, body) = post(&set_asides, who, &reasoned(bad.0), &[]).await;
            assert_eq!(status, expected, "{body}");
        }
        let no_reason = json!({"position": bad.0}).to_string();
        let (status, _, body) = post(&set_asides, &admin, &no_reason, &[]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let (status, _, body) = post(&set_asides, &admin, &reasoned(last_good), &[]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(
            body["error"]
                .as_str()
                .is_some_and(|e| e.contains("can be read")),
            "{body}"
        );
        assert_eq!(db.store.head().await.unwrap(), bad, "nothing appended");
        let (status, _, set_aside) = post(&set_asides, &admin, &reasoned(bad.0), &[]).await;
        assert_eq!(status, StatusCode::CREATED, "{set_aside}");
        let (status, _, body) = post(&set_asides, &admin, &reasoned(bad.0), &[]).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "set aside once: {body}"
        );

        // From then on: ready, writes land, and the history shows who set it aside and why.
        let (status, _, body) = post(&values, &officer, &december, &[]).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let (status, ready) = get(&server.url("/readyz"), &team).await;
        assert_eq!(status, StatusCode::OK, "{ready}");
        assert_eq!(ready["unreadable_commit"], Value::Null);
        // Read-your-writes: at least as far as the setting aside (no projector runs beside
        // this server, and writes no longer bring the read models up first).
        let history = format!("/api/history?min_position={}", set_aside["position"]);
        let (status, history) = get(&server.url(&history), &team).await;
        assert_eq!(status, StatusCode::OK, "{history}");
        let row = history
            .as_array()
            .unwrap()
            .iter()
            .find(|row| row["what"] == "commit set aside")
            .unwrap_or_else(|| panic!("no set-aside row in {history}"));
        assert_eq!(row["actor_id"], "user5");
        assert_eq!(row["reason"], "damaged disk; no backup holds it");
        assert_eq!(row["position"], set_aside["position"]);

        // A report built across it lists it, as published and as proved from the log.
        let publication = json!({
            "period": "Q3 2016/17",
            "meeting": "Cabinet",
            "published_on": "2017-01-13"
        })
        .to_string();
        let (status, _, published) =
            post(&server.url("/api/reports"), &team, &publication, &[]).await;
        assert_eq!(status, StatusCode::CREATED, "{published}");
        let report_id = published["stream"]
            .as_str()
            .unwrap()
            .trim_start_matches("report-")
            .to_owned();
        let (status, report) = get(&server.url(&format!("/api/reports/{report_id}")), &team).await;
        assert_eq!(status, StatusCode::OK, "{report}");
        assert_eq!(report["set_asides"][0]["position"], bad.0, "{report}");
        assert_eq!(
            report["set_asides"][0]["reason"],
            "damaged disk; no backup holds it"
        );
        let (status, verification) = get(
            &server.url(&format!("/api/reports/{report_id}/verification")),
            &team,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{verification}");
        assert_eq!(verification["verified"], true, "{verification}");
        server.stop().await;
    }
);

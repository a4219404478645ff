//! The publication race: a quarter is published while officers are writing into its months
//! without a reason. Whatever the interleaving, no change without a reason lands in the log
//! after the publication of its period; each write is either before it or refused as needing
//! a reason.

use reqwest::StatusCode;
use scoreledger_domain::{DomainEvent, Period, Position, Role};
use scoreledger_testkit::pair_test;
use serde_json::json;

use crate::commands::{post, token};
use crate::lock_race::{each_landed_or_refused, officer_writing, plan_with_nine_measures};
use crate::support::TestServer;

pair_test!(
    a_publication_racing_writes_lets_no_change_without_a_reason_land_after_it,
    |db| {
        plan_with_nine_measures(&db).await;
        let officer = token(&db, 1, Role::Officer, Some("CYPS")).await;
        let team = token(&db, 4, Role::Performance, None).await;
        let server = TestServer::start(&db).await;

        for (quarter, published_on) in [(1_u8, "2016-07-20"), (2, "2016-10-20"), (3, "2017-01-13")]
        {
            let q = Period::quarter(2016, quarter);
            let months = q.months();
            let writes = officer_writing(&server, &officer, &months);
            let url = server.url("/api/reports");
            let body = json!({
                "period": q.to_string(),
                "meeting": "Cabinet",
                "published_on": published_on
            })
            .to_string();
            let team = team.clone();
            let publication = tokio::spawn(async move { post(&url, &team, &body, &[]).await });
            each_landed_or_refused(writes, "has been published").await;
            let (status, _, body) = publication.await.unwrap();
            assert_eq!(status, StatusCode::CREATED, "{body}");

            let log = db.store.read_all(Position(0), 10_000).await.unwrap();
            let published_at = log
                .iter()
                .find(|commit| {
                    commit.domain_events().unwrap().iter().any(|event| {
                    matches!(event, DomainEvent::ReportPublished { period, .. } if *period == q)
                })
                })
                .expect("the publication is in the log")
                .position;
            for commit in log.iter().filter(|c| c.position > published_at) {
                for event in commit.domain_events().unwrap() {
                    if let DomainEvent::ValueRecorded { period, .. } = event {
                        assert!(
                        !months.contains(&period) || commit.reason.is_some(),
                        "{period} recorded without a reason at position {} by {}, after {q} was published at {published_at}",
                        commit.position,
                        commit.actor.id
                    );
                    }
                }
            }
        }
        server.stop().await;
    }
);

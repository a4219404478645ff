//! The lock race: a period is locked while officers are writing into it. Whatever the
//! interleaving, no officer's change lands in the log after the lock covering its period; each
//! write is either before the lock or refused as locked.

use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use scoreledger_domain::{Command, DomainEvent, Period, Polarity, Position, Role};
use scoreledger_testkit::pair::Pair;
use scoreledger_testkit::{measure_definition, measure_id, pair_test, plan_id};
use serde_json::{json, Value};
use tokio::task::JoinHandle;

use crate::commands::{performance, plan_with_a_measure, post, run, token};
use crate::support::TestServer;

/// Measures 1.A3 (from `plan_with_a_measure`) and 1.A4 to 1.A11.
const MEASURES: std::ops::RangeInclusive<u32> = 3..=11;

/// The plan with CYPS's measures 1.A3 to 1.A11, for officers to race a lock or a publication.
pub(crate) async fn plan_with_nine_measures(db: &Pair) {
    plan_with_a_measure(db).await;
    for n in 4..=*MEASURES.end() {
        let measure = measure_id(u128::from(n));
        run(
            db,
            &measure.stream(),
            Command::DefineMeasure {
                measure_id: measure,
                definition: measure_definition(plan_id(1), &format!("1.A{n}"), Polarity::Low),
                target: None,
            },
            performance(),
        )
        .await;
    }
}

/// The officer's writes of 42% into each of `months` of every measure, sent all at once,
/// without a reason.
pub(crate) fn officer_writing(
    server: &TestServer,
    officer: &str,
    months: &[Period],
) -> Vec<JoinHandle<(StatusCode, HeaderMap, Value)>> {
    let mut writes = Vec::new();
    for n in MEASURES {
        for month in months {
            let url = server.url(&format!("/api/measures/1.A{n}/values"));
            let body = json!({"period": month.to_string(), "value": "42%"}).to_string();
            let officer = officer.to_owned();
            writes.push(tokio::spawn(async move {
                post(&url, &officer, &body, &[]).await
            }));
        }
    }
    writes
}

/// Waits for every write: each landed, or was refused with an error saying `refusal`.
pub(crate) async fn each_landed_or_refused(
    writes: Vec<JoinHandle<(StatusCode, HeaderMap, Value)>>,
    refusal: &str,
) {
    for write in writes {
        let (status, _, body) = write.await.unwrap();
        assert!(
            status == StatusCode::CREATED
                || (status == StatusCode::UNPROCESSABLE_ENTITY
                    && body["error"].as_str().is_some_and(|e| e.contains(refusal))),
            "{status} {body}"
        );
    }
}

pair_test!(a_lock_racing_writes_lets_no_change_land_after_it, |db| {
    plan_with_nine_measures(&db).await;
    let officer = token(&db, 1, Role::Officer, Some("CYPS")).await;
    let team = token(&db, 4, Role::Performance, None).await;
    let server = TestServer::start(&db).await;

    for quarter in 1..=4_u8 {
        let q = Period::quarter(2016, quarter);
        let months: Vec<Period> = (0..3_u8)
            .map(|i| {
                let month = (3 + 3 * (quarter - 1) + i) % 12 + 1;
                let year = if month >= 4 { 2016 } else { 2017 };
                Period::month(year, month)
            })
            .collect();
        let writes = officer_writing(&server, &officer, &months);
        let lock_url = server.url("/api/locks");
        let lock_body = json!({"period": q.to_string()}).to_string();
        let team = team.clone();
        let lock = tokio::spawn(async move { post(&lock_url, &team, &lock_body, &[]).await });
        each_landed_or_refused(writes, "is locked").await;
        let (status, _, body) = lock.await.unwrap();
        assert_eq!(status, StatusCode::CREATED, "{body}");

        let log = db.store.read_all(Position(0), 10_000).await.unwrap();
        let locked_at = log
            .iter()
            .find(|commit| {
                commit.domain_events().unwrap().iter().any(
                    |event| matches!(event, DomainEvent::PeriodLocked { period } if *period == q),
                )
            })
            .expect("the lock is in the log")
            .position;
        for commit in log.iter().filter(|c| c.position > locked_at) {
            for event in commit.domain_events().unwrap() {
                if let DomainEvent::ValueRecorded { period, .. } = event {
                    assert!(
                        !months.contains(&period),
                        "{period} recorded at position {} by {}, after {q} was locked at {locked_at}",
                        commit.position,
                        commit.actor.id
                    );
                }
            }
        }
    }
    server.stop().await;
});

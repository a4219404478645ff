//! Stopping the service while writes are in flight: every write the service acknowledged is in
//! the log, and none is answered with a server error — a request either completes, is
//! refused as a conflict, or is never taken.

use reqwest::StatusCode;
use scoreledger_projections::{drain, history, HistoryFilter};
use scoreledger_testkit::pair_test;

use crate::roles::plan_and_tokens;
use crate::support::TestServer;

/// Seventeen periods of the plan's year a value can be entered for.
fn periods() -> Vec<String> {
    let months = [
        "Apr-16", "May-16", "Jun-16", "Jul-16", "Aug-16", "Sep-16", "Oct-16", "Nov-16", "Dec-16",
        "Jan-17", "Feb-17", "Mar-17",
    ];
    let quarters = (1..=4).map(|q| format!("Q{q} 2016/17"));
    months
        .iter()
        .map(|m| (*m).to_owned())
        .chain(quarters)
        .chain(["2016/17".to_owned()])
        .collect()
}

pair_test!(stopping_the_service_loses_no_acknowledged_write, |db| {
    let secrets = plan_and_tokens(&db).await;
    let officer = secrets[0].clone();
    let server = TestServer::start(&db).await;
    let head = db.store.head().await.unwrap();
    let client = reqwest::Client::new();
    let writes: Vec<_> = periods()
        .into_iter()
        .map(|period| {
            let request = client
                .post(server.url("/api/measures/1.A3/values"))
                .bearer_auth(&officer)
                .header("content-type", "application/json")
                .body(format!(r#"{{"period": "{period}", "value": "27%"}}"#))
                .send();
            tokio::spawn(async move {
                match request.await {
                    Ok(response) => {
                        Some((response.status(), response.text().await.unwrap_or_default()))
                    }
                    // Never taken: the listener had already closed.
                    Err(_) => None,
                }
            })
        })
        .collect();
    // Stop as soon as the first write has landed, with the others on their way.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    while db.store.head().await.unwrap() == head {
        assert!(tokio::time::Instant::now() < deadline, "no write landed");
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    server.stop().await;

    let mut acknowledged = 0;
    for write in writes {
        match write.await.unwrap() {
            Some((StatusCode::CREATED, _)) => acknowledged += 1,
            // Lost a race with the other writes more often than the service retries: an
            // answer, and nothing appended.
            Some((StatusCode::CONFLICT, _)) => {}
            Some((other, body)) => panic!("a write in flight was answered {other}: {body}"),
            None => {}
        }
    }
    assert!(acknowledged >= 1, "the first write was acknowledged");
    eprintln!("{acknowledged} write(s) acknowledged before the service stopped");
    drain(&*db.store, &db.read, 100, |_| {}).await.unwrap();
    let recorded = history(
        &db.read,
        &HistoryFilter {
            measure_ref: Some("1.A3".into()),
            what: vec!["value".into()],
            ..HistoryFilter::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        recorded.len(),
        acknowledged,
        "every acknowledged write is in the log, and nothing else"
    );
});

//! A long-running projector follows the log as it grows; on NATS it reads through a durable
//! consumer that the server can report on, recreated whenever it disagrees with the checkpoint.

use std::time::Duration;

use scoreledger_domain::Position;
use scoreledger_projections::{checkpoint, run_until_stopped, ReadModels};
use scoreledger_testkit::pair::Pair;
use scoreledger_testkit::pair_test;
use tokio::sync::oneshot;

use crate::support::{define_measure, define_plan};

/// Runs a projector until the read models reach `head`, then stops it.
async fn follow_until(pair: &Pair, read: &ReadModels, head: Position) {
    let (stop, stopped) = oneshot::channel::<()>();
    let store = pair.store.clone();
    let read_models = read.clone();
    let projector = tokio::spawn(async move {
        run_until_stopped(&*store, &read_models, async {
            let _ = stopped.await;
        })
        .await
    });
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while checkpoint(read).await.unwrap() < head {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the projector did not reach {head}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.send(()).unwrap();
    projector.await.unwrap().unwrap();
}

pair_test!(a_running_projector_keeps_up_with_new_commits, |pair| {
    define_plan(&pair).await;
    follow_until(&pair, &pair.read, Position(1)).await;
    for n in 0..5u128 {
        define_measure(&pair, 10 + n, &format!("1.A{}", n + 1), "10%").await;
    }
    follow_until(&pair, &pair.read, Position(6)).await;

    // Fresh read models start from nothing, whatever the durable consumer had delivered.
    let fresh = pair.fresh_read_models().await;
    follow_until(&pair, &fresh, Position(6)).await;
    assert_eq!(
        scoreledger_projections::table_checksums(&fresh)
            .await
            .unwrap()["measures"],
        scoreledger_projections::table_checksums(&pair.read)
            .await
            .unwrap()["measures"]
    );

    if let Some(url) = pair.nats_url() {
        // The projector opens its durable consumer only after catching up, so a projector
        // stopped as soon as the checkpoint arrives may never have opened it: keep one
        // running until the consumer reports what it delivered.
        let client = async_nats::connect(url).await.unwrap();
        let stream = async_nats::jetstream::new(client)
            .get_stream("SCORELEDGER")
            .await
            .unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let store = pair.store.clone();
        let read_models = pair.read.clone();
        let projector = tokio::spawn(async move {
            run_until_stopped(&*store, &read_models, async {
                let _ = stopped.await;
            })
            .await
        });
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let delivered = match stream
                .get_consumer::<async_nats::jetstream::consumer::pull::Config>(
                    "projector-scorecard",
                )
                .await
            {
                Ok(mut consumer) => consumer.info().await.unwrap().delivered.stream_sequence,
                Err(_) => 0,
            };
            if delivered == 6 {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the projector's durable consumer reports {delivered} delivered, not 6"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        stop.send(()).unwrap();
        projector.await.unwrap().unwrap();
    }
});

//! A long-running projector follows the log as it grows; on NATS it reads through a durable
//! consumer that the server can report on, recreated whenever it disagrees with the checkpoint.

use std::time::Duration;

use scoreledger_domain::{Command, Period, Position};
use scoreledger_projections::{checkpoint, run_until_stopped, ReadModels};
use scoreledger_testkit::pair::Pair;
use scoreledger_testkit::pair_test;
use tokio::sync::oneshot;

use crate::support::{define_measure, define_plan, run};

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
                // The projector may be replacing its consumer between the two calls.
                Ok(mut consumer) => match consumer.info().await {
                    Ok(info) => info.delivered.stream_sequence,
                    Err(_) => 0,
                },
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

pair_test!(
    a_running_projector_fed_bursts_of_commits_equals_a_rebuild,
    |pair| {
        define_plan(&pair).await;
        let mut streams = Vec::new();
        for n in 0..8u128 {
            streams.push(define_measure(&pair, 10 + n, &format!("1.A{}", n + 1), "10%").await);
        }
        let (stop, stopped) = oneshot::channel::<()>();
        let store = pair.store.clone();
        let read_models = pair.read.clone();
        let projector = tokio::spawn(async move {
            run_until_stopped(&*store, &read_models, async {
                let _ = stopped.await;
            })
            .await
        });
        // Eight writers at once, so commits arrive while the projector is busy and it takes
        // several of them in one transaction.
        let writers = streams.iter().map(|stream| {
            let pair = &pair;
            async move {
                for k in 0..25 {
                    let note = Command::EditCommentary {
                        period: Period::quarter(2016, 3),
                        text: format!("note {k}"),
                    };
                    run(
                        pair,
                        stream,
                        note,
                        scoreledger_testkit::lead_officer(),
                        None,
                    )
                    .await
                    .unwrap();
                }
            }
        });
        futures::future::join_all(writers).await;
        let head = pair.store.head().await.unwrap();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while checkpoint(&pair.read).await.unwrap() < head {
            assert!(
                tokio::time::Instant::now() < deadline,
                "the projector did not reach {head}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        stop.send(()).unwrap();
        projector.await.unwrap().unwrap();

        let fresh = pair.fresh_read_models().await;
        scoreledger_projections::rebuild(&*pair.store, &fresh, 1000, |_| {})
            .await
            .unwrap();
        assert_eq!(
            scoreledger_projections::table_checksums(&fresh)
                .await
                .unwrap(),
            scoreledger_projections::table_checksums(&pair.read)
                .await
                .unwrap()
        );
    }
);

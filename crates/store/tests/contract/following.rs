use std::time::Duration;

use futures::StreamExt;
use scoreledger_store::{EventStore, Position};

use crate::store_test;
use crate::support::{notes, stream};

store_test!(following_yields_existing_then_new_commits, |store| {
    store.append(notes(&stream("a"), 0, 1)).await.unwrap();
    let mut follow = store.follow(Position(0));
    let first = follow.next().await.unwrap().unwrap();
    assert_eq!(first.position, Position(1));
    let writer = store.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(20)).await;
        writer.append(notes(&stream("a"), 1, 1)).await.unwrap();
    });
    let second = tokio::time::timeout(Duration::from_secs(10), follow.next())
        .await
        .expect("the new commit arrives")
        .unwrap()
        .unwrap();
    assert_eq!(second.position, Position(2));
});

store_test!(
    a_writer_that_reads_after_every_append_does_not_exhaust_the_server,
    |store| {
        // The projector reads after every command in the CLI; consumers must not pile up.
        let mut after = Position(0);
        for version in 0..1200 {
            store
                .append(notes(&stream("busy"), version, 1))
                .await
                .unwrap();
            let read = store.read_all(after, 100).await.unwrap();
            assert_eq!(read.len(), 1);
            after = read[0].position;
        }
        assert_eq!(store.head().await.unwrap(), Position(1200));
    }
);

store_test!(
    reading_a_kind_gives_every_commit_of_its_streams_in_log_order_and_nothing_else,
    |store| {
        assert!(store.read_kind("report").await.unwrap().is_empty());
        let report = |id: &str| scoreledger_store::StreamId(format!("report-{id}"));
        // Names either side of `report-` in byte order, which a range over stream names
        // must leave out: `report` alone, `report.x`, `reports-x`, `reporz-x`.
        for (n, name) in ["measure-a", "report", "report.x", "reports-x", "reporz-x"]
            .into_iter()
            .enumerate()
        {
            let other = scoreledger_store::StreamId(name.to_owned());
            store.append(notes(&other, 0, 1)).await.unwrap();
            if n == 2 {
                store.append(notes(&report("b"), 0, 1)).await.unwrap();
            }
        }
        store.append(notes(&report("a"), 0, 2)).await.unwrap();
        store.append(notes(&stream("z"), 0, 1)).await.unwrap();
        store.append(notes(&report("b"), 1, 1)).await.unwrap();

        let read: Vec<_> = store
            .read_kind("report")
            .await
            .unwrap()
            .into_iter()
            .map(Result::unwrap)
            .collect();
        let streams: Vec<&str> = read.iter().map(|c| c.stream.as_str()).collect();
        assert_eq!(streams, ["report-b", "report-a", "report-b"]);
        assert!(read.windows(2).all(|w| w[0].position < w[1].position));
        assert_eq!(read[1].events.len(), 2);
    }
);

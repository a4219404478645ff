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

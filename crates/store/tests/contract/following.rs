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

//! The log on a three-node NATS cluster: a stream with the replicas the settings ask, a list
//! of servers to dial in turn, and refusals that name what differs. Needs the current
//! nats-server release (scripts/services.sh); the machine image's 2.9.x is refused for R3.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use scoreledger_store::nats::NatsOpenError;
use scoreledger_store::{
    AppendError, EventStore, ExpectedVersion, NatsConfig, NatsStore, Position,
};
use scoreledger_testkit::cluster::TestCluster;
use scoreledger_testkit::nats::{NatsRelease, TestNats};

use crate::support::{notes, stream};

fn replicas(n: usize) -> NatsConfig {
    NatsConfig {
        replicas: n,
        ..NatsConfig::new("")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_r3_stream_keeps_every_commit_when_a_server_is_killed() {
    let mut cluster = TestCluster::start(NatsRelease::Current);
    let store = cluster.store_with(replicas(3)).await.expect("an R3 stream");
    for version in 0..5 {
        store.append(notes(&stream("a"), version, 1)).await.unwrap();
    }
    // The stream the server holds has three replicas: a leader and two followers.
    let client = async_nats::connect(cluster.urls().split(',').next().unwrap())
        .await
        .unwrap();
    let mut held = async_nats::jetstream::new(client)
        .get_stream("SCORELEDGER")
        .await
        .unwrap();
    let info = held.info().await.unwrap();
    assert_eq!(info.config.num_replicas, 3);
    let cluster_info = info.cluster.clone().expect("a clustered stream");
    assert_eq!(cluster_info.replicas.len(), 2, "{cluster_info:?}");

    // With the first server of the list dead, a store dials the next, and every commit is
    // there.
    cluster.nodes[0].kill();
    let again = tokio::time::timeout(Duration::from_secs(30), cluster.store_with(replicas(3)))
        .await
        .expect("a store on the two servers left within 30 s")
        .expect("the R3 stream, with one server of three down");
    let all = again.read_all(Position(0), 100).await.unwrap();
    assert_eq!(all.len(), 5);
    scoreledger_store::verify_chain(&again.read_stream(&stream("a")).await.unwrap()).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_with_other_replicas_than_asked_is_refused_naming_both() {
    let cluster = TestCluster::start(NatsRelease::Current);
    cluster.store_with(replicas(3)).await.expect("an R3 stream");
    let err = cluster
        .store_with(replicas(1))
        .await
        .err()
        .expect("an R3 stream opened as R1 is refused");
    assert!(matches!(err, NatsOpenError::Differs { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("it has 3 replica(s) where --nats-replicas asks for 1"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_on_a_server_without_a_cluster_or_a_release_too_old_are_refused() {
    let alone = TestNats::start(NatsRelease::Current);
    let err = NatsStore::connect(
        NatsConfig {
            url: alone.url().into(),
            ..replicas(3)
        },
        alone.clock.clone(),
    )
    .await
    .err()
    .expect("R3 on one server is refused");
    assert!(
        err.to_string()
            .contains("--nats-replicas 3 needs a NATS cluster"),
        "{err}"
    );
    let old = TestNats::start(NatsRelease::Machine);
    let err = NatsStore::connect(
        NatsConfig {
            url: old.url().into(),
            ..replicas(3)
        },
        old.clock.clone(),
    )
    .await
    .err()
    .expect("R3 on 2.9 is refused");
    assert!(matches!(err, NatsOpenError::UnsafeServer { .. }), "{err:?}");
    assert!(err.to_string().contains("need 2.12.3 or later"), "{err}");
    // Neither created a stream.
    for server in [&alone, &old] {
        let client = async_nats::connect(server.url()).await.unwrap();
        assert!(async_nats::jetstream::new(client)
            .get_stream("SCORELEDGER")
            .await
            .is_err());
    }
}

const WRITERS: u128 = 4;
const PER_WRITER: u64 = 150;

/// Waits until `progress` has moved `by` past `from`, up to 60 s.
async fn moved(progress: &AtomicUsize, from: usize, by: usize) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while progress.load(Ordering::SeqCst) < from + by {
        assert!(
            Instant::now() < deadline,
            "writes stopped at {} for 60 s",
            progress.load(Ordering::SeqCst)
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 3)]
async fn killing_the_leader_then_a_follower_loses_and_doubles_no_acknowledged_commit() {
    let mut cluster = TestCluster::start(NatsRelease::Current);
    let store = cluster.store_with(replicas(3)).await.expect("an R3 stream");
    // Writers append to their own streams through the kills without trying anything
    // again themselves (one of them with no expected version): the store tries an append that meets an election again, with the same
    // commit id, until it lands. The longest wait for one acknowledgement is the stall a user
    // would see.
    let progress = Arc::new(AtomicUsize::new(0));
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let store = store.clone();
        let progress = progress.clone();
        writers.push(tokio::spawn(async move {
            let mut acknowledged = Vec::new();
            let mut longest = Duration::ZERO;
            for version in 0..PER_WRITER {
                let started = Instant::now();
                // The last writer expects no version at all: nothing but the commit id keeps
                // a try that landed unacknowledged from landing twice.
                let mut request = notes(&stream(&format!("w{w}")), version, 1);
                if w == WRITERS - 1 {
                    request.expected = ExpectedVersion::Any;
                }
                let appended = store
                    .append(request)
                    .await
                    .unwrap_or_else(|err| panic!("writer {w} version {version}: {err:?}"));
                acknowledged.push(appended.commit.commit_id);
                progress.fetch_add(1, Ordering::SeqCst);
                longest = longest.max(started.elapsed());
            }
            (acknowledged, longest)
        }));
    }
    let total = (WRITERS as usize) * PER_WRITER as usize;
    let step = total / 6;
    moved(&progress, 0, step).await;
    let leader = cluster
        .leader_of("SCORELEDGER")
        .await
        .expect("the stream has a leader");
    cluster.nodes[leader].kill();
    let at = progress.load(Ordering::SeqCst);
    moved(&progress, at, step).await;
    cluster.nodes[leader].restart();
    let at = progress.load(Ordering::SeqCst);
    moved(&progress, at, step).await;
    let now_leading = cluster.leader_of("SCORELEDGER").await;
    let follower = (0..3)
        .find(|n| Some(*n) != now_leading)
        .expect("a follower");
    cluster.nodes[follower].kill();
    let at = progress.load(Ordering::SeqCst);
    moved(&progress, at, step).await;
    cluster.nodes[follower].restart();

    let mut acknowledged = Vec::new();
    let mut longest = Duration::ZERO;
    for writer in writers {
        let (acked, stall) = writer.await.unwrap();
        acknowledged.extend(acked);
        longest = longest.max(stall);
    }
    eprintln!("cluster failover: {total} commits acknowledged; the longest wait for one acknowledgement was {longest:?}");
    // Every acknowledged commit is in the log once (the head counts them), and a read of the
    // whole log returns them all.
    let head = store.head().await.unwrap();
    let all = store.read_all(Position(0), 10_000).await.unwrap();
    assert_eq!(
        (head.0, all.len()),
        (total as u64, total),
        "the head and the commits read, after {total} acknowledged"
    );
    let mut seen: BTreeMap<uuid::Uuid, usize> = BTreeMap::new();
    for commit in &all {
        *seen.entry(commit.commit_id).or_default() += 1;
    }
    assert_eq!(acknowledged.len(), total);
    for commit_id in &acknowledged {
        assert_eq!(
            seen.get(commit_id),
            Some(&1),
            "acknowledged commit {commit_id} must be present exactly once"
        );
    }
    assert_eq!(all.len(), total, "nothing but the acknowledged commits");
    for w in 0..WRITERS {
        scoreledger_store::verify_chain(
            &store.read_stream(&stream(&format!("w{w}"))).await.unwrap(),
        )
        .unwrap();
    }
}

const LOAD_WRITERS: u128 = 6;
const LOAD_FOR: Duration = Duration::from_secs(5);

#[tokio::test(flavor = "multi_thread", worker_threads = 3)]
async fn a_bounded_load_on_an_r3_stream_loses_nothing_and_reports_its_figures() {
    let cluster = TestCluster::start(NatsRelease::Current);
    let store = cluster.store_with(replicas(3)).await.expect("an R3 stream");
    // Writers append to streams of their own and, every fifth write, to one stream they
    // share, at the version they last saw: the shared writes meet conflicts, answered with the
    // version to try next.
    let started = Instant::now();
    let mut writers = Vec::new();
    for w in 0..LOAD_WRITERS {
        let store = store.clone();
        writers.push(tokio::spawn(async move {
            let (mut acknowledged, mut conflicts, mut errors) = (Vec::new(), 0usize, 0usize);
            let (mut own, mut shared) = (0u64, 0u64);
            let mut n = 0u64;
            while started.elapsed() < LOAD_FOR {
                n += 1;
                let to_shared = n.is_multiple_of(5);
                let request = if to_shared {
                    notes(&stream("shared"), shared, 1)
                } else {
                    notes(&stream(&format!("load{w}")), own, 1)
                };
                match store.append(request).await {
                    Ok(appended) => {
                        acknowledged.push(appended.commit.commit_id);
                        let version = appended.commit.stream_version.0;
                        if to_shared {
                            shared = version;
                        } else {
                            own = version;
                        }
                    }
                    Err(AppendError::Conflict { actual, .. }) if to_shared => {
                        conflicts += 1;
                        shared = actual.0;
                    }
                    // A writer's own stream has no other writer: a conflict there is a
                    // stale read, an error.
                    Err(err) => {
                        errors += 1;
                        eprintln!("writer {w}: {err}");
                    }
                }
            }
            (acknowledged, conflicts, errors)
        }));
    }
    let (mut acknowledged, mut conflicts, mut errors) = (Vec::new(), 0, 0);
    for writer in writers {
        let (acked, c, e) = writer.await.unwrap();
        acknowledged.extend(acked);
        conflicts += c;
        errors += e;
    }
    let elapsed = started.elapsed();
    let all = store.read_all(Position(0), 1_000_000).await.unwrap();
    let mut seen: BTreeMap<uuid::Uuid, usize> = BTreeMap::new();
    for commit in &all {
        *seen.entry(commit.commit_id).or_default() += 1;
    }
    let lost = acknowledged
        .iter()
        .filter(|id| !seen.contains_key(id))
        .count();
    let doubled = seen.values().filter(|n| **n > 1).count();
    eprintln!(
        "load on R3: {LOAD_WRITERS} writers × {LOAD_FOR:?}: {} acknowledged ({:.0}/s), {conflicts} conflicts, {errors} errors, {lost} lost, {doubled} doubled",
        acknowledged.len(),
        acknowledged.len() as f64 / elapsed.as_secs_f64()
    );
    assert!(
        conflicts > 0,
        "the shared stream met no conflict: the load tested too little"
    );
    assert_eq!((errors, lost, doubled), (0, 0, 0));
    assert_eq!(
        all.len(),
        acknowledged.len(),
        "nothing but what was acknowledged"
    );
    for w in 0..LOAD_WRITERS {
        scoreledger_store::verify_chain(
            &store
                .read_stream(&stream(&format!("load{w}")))
                .await
                .unwrap(),
        )
        .unwrap();
    }
    scoreledger_store::verify_chain(&store.read_stream(&stream("shared")).await.unwrap()).unwrap();
}

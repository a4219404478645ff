//! What only the JetStream backend has to prove: idempotency past the server's duplicate
//! window, refusal of unsafe stream settings, foreign messages reported with their position,
//! and no acknowledged commit lost or doubled when the server is killed mid-stream.

use std::collections::BTreeMap;
use std::time::Duration;

use scoreledger_store::nats::NatsOpenError;
use scoreledger_store::{
    AppendError, EventStore, NatsConfig, NatsStore, Position, ReadError, StreamId,
};
use scoreledger_testkit::nats::{NatsRelease, TestNats};
use scoreledger_testkit::uuid;

use crate::support::{notes, stream};

const RELEASES: [NatsRelease; 2] = [NatsRelease::Machine, NatsRelease::Current];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_after_the_duplicate_window_still_returns_the_original() {
    for release in RELEASES {
        let server = TestNats::start(release);
        let store = server
            .store_with(NatsConfig {
                duplicate_window: Duration::from_millis(500),
                ..NatsConfig::new("")
            })
            .await;
        let first = store
            .append(notes(&stream("a"), 0, 1).with_commit_id(uuid(9)))
            .await
            .unwrap();
        store.append(notes(&stream("a"), 1, 1)).await.unwrap();
        // Let the server forget the message id.
        tokio::time::sleep(Duration::from_millis(1200)).await;
        let retry = store
            .append(notes(&stream("a"), 0, 1).with_commit_id(uuid(9)))
            .await
            .unwrap();
        assert!(retry.deduplicated, "{release:?}");
        assert_eq!(retry.commit, first.commit, "{release:?}");
        assert_eq!(
            store.head().await.unwrap(),
            Position(2),
            "{release:?}: nothing appended"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_that_allows_rewriting_history_is_refused() {
    let server = TestNats::start(NatsRelease::Machine);
    let client = async_nats::connect(server.url()).await.unwrap();
    let jetstream = async_nats::jetstream::new(client);
    jetstream
        .create_stream(async_nats::jetstream::stream::Config {
            name: "SCORELEDGER".into(),
            subjects: vec!["scoreledger.>".into()],
            ..Default::default()
        })
        .await
        .unwrap();
    let err = NatsStore::connect(NatsConfig::new(server.url()), server.clock.clone())
        .await
        .err()
        .expect("an unsafe stream is refused");
    assert!(matches!(err, NatsOpenError::UnsafeStream { .. }), "{err:?}");
    assert!(
        err.to_string().contains("allows deleting messages"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_server_is_named_with_what_to_do() {
    let port = scoreledger_testkit::nats::free_port();
    let url = format!("nats://127.0.0.1:{port}");
    let clock = std::sync::Arc::new(scoreledger_store::ManualClock::new(
        scoreledger_testkit::q3_scorecard_day(),
    ));
    let err = NatsStore::connect(NatsConfig::new(url.clone()), clock)
        .await
        .err()
        .expect("nothing listens");
    assert!(err.to_string().contains(&url), "{err}");
    assert!(err.to_string().contains("JetStream enabled (-js)"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreign_message_on_our_subjects_is_reported_with_its_position() {
    let server = TestNats::start(NatsRelease::Current);
    let store = server.store().await;
    store.append(notes(&stream("a"), 0, 1)).await.unwrap();
    let client = async_nats::connect(server.url()).await.unwrap();
    let jetstream = async_nats::jetstream::new(client);
    jetstream
        .publish(
            "scoreledger.measure.intruder",
            bytes::Bytes::from_static(b"{\"not\": \"a commit\"}"),
        )
        .await
        .unwrap()
        .await
        .unwrap();
    store.append(notes(&stream("a"), 1, 1)).await.unwrap();
    match store.read_all(Position(0), 10).await {
        Err(ReadError::Corrupt { position, problem }) => {
            assert_eq!(position, Position(2));
            assert!(problem.contains("not a scoreledger commit"), "{problem}");
        }
        other => panic!("expected the foreign message to be reported, got {other:?}"),
    }
    // Our own streams still read; the foreign subject is not one of them.
    assert_eq!(store.read_stream(&stream("a")).await.unwrap().len(), 2);
}

const PER_WRITER: u64 = 150;

#[tokio::test(flavor = "multi_thread", worker_threads = 3)]
async fn killing_the_server_mid_stream_loses_and_doubles_no_acknowledged_commit() {
    let mut server = TestNats::start(NatsRelease::Current);
    let store = server.store().await;
    // Three writers append to their own streams while the server is killed under them. A
    // client that gets no answer retries the same request (same commit id, same expected
    // version) until it gets one.
    let progress = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut writers = Vec::new();
    for w in 0..3u128 {
        let store = store.clone();
        let progress = progress.clone();
        writers.push(tokio::spawn(async move {
            let mut acknowledged = Vec::new();
            for version in 0..PER_WRITER {
                let commit_id = uuid(10_000 * (w + 1) + u128::from(version));
                let mut attempts = 0;
                loop {
                    attempts += 1;
                    let request =
                        notes(&stream(&format!("w{w}")), version, 1).with_commit_id(commit_id);
                    match store.append(request).await {
                        Ok(appended) => {
                            acknowledged.push(appended.commit.commit_id);
                            progress.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                            break;
                        }
                        Err(AppendError::Unavailable(_)) if attempts < 300 => {
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                        Err(other) => panic!("writer {w} version {version}: {other:?}"),
                    }
                }
            }
            acknowledged
        }));
    }
    // Kill the server while the writers are busy: after a fifth of the appends.
    while progress.load(std::sync::atomic::Ordering::SeqCst) < (3 * PER_WRITER as usize) / 5 {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    server.kill();
    let at_kill = progress.load(std::sync::atomic::Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(300)).await;
    server.restart();
    let mut acknowledged = Vec::new();
    for writer in writers {
        acknowledged.extend(writer.await.unwrap());
    }
    let all = store.read_all(Position(0), 10_000).await.unwrap();
    let mut seen: BTreeMap<uuid::Uuid, usize> = BTreeMap::new();
    for commit in &all {
        *seen.entry(commit.commit_id).or_default() += 1;
    }
    assert!(
        at_kill < 3 * PER_WRITER as usize,
        "the kill landed while appends were still running"
    );
    assert_eq!(acknowledged.len(), 3 * PER_WRITER as usize);
    for commit_id in &acknowledged {
        assert_eq!(
            seen.get(commit_id),
            Some(&1),
            "acknowledged commit {commit_id} must be present exactly once"
        );
    }
    assert_eq!(
        all.len(),
        3 * PER_WRITER as usize,
        "nothing but the acknowledged commits"
    );
    for name in ["w0", "w1", "w2"] {
        scoreledger_store::verify_chain(&store.read_stream(&stream(name)).await.unwrap()).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn judged_appends_from_two_processes_at_once_land_only_as_judged() {
    // Two connections are two processes: each lands its judged appends in pipelines of its
    // own, so the other's commits (and the plan's moves) land in the midst of them. Whatever
    // lands must have been judged against the plan exactly as it stood just before it.
    for release in RELEASES {
        let server = TestNats::start(release);
        let (one, two) = (server.store().await, server.store().await);
        let plan = StreamId("plan-race".into());
        one.append(notes(&plan, 0, 1)).await.unwrap();
        let writers = (0..24).map(|n| {
            let store = if n % 2 == 0 { one.clone() } else { two.clone() };
            let plan = plan.clone();
            async move {
                let mine = stream(&format!("racer{n}"));
                let mut landed = Vec::new();
                for _ in 0..6 {
                    let judged = store.last_commit_of(&plan).await.unwrap().unwrap();
                    let mut commit = notes(&mine, landed.len() as u64, 1);
                    commit.judged_against = Some((plan.clone(), judged.stream_version));
                    match store.append(commit).await {
                        Ok(appended) => landed.push((appended.commit, judged.stream_version)),
                        Err(AppendError::Conflict { .. }) => {}
                        Err(other) => panic!("{release:?}: {other:?}"),
                    }
                }
                landed
            }
        });
        let mover = async {
            let mut moved = 0;
            for version in 1..=8 {
                tokio::time::sleep(Duration::from_millis(15)).await;
                one.append(notes(&plan, version, 1)).await.unwrap();
                moved += 1;
            }
            moved
        };
        let (landed, moved) =
            futures::future::join(futures::future::join_all(writers), mover).await;
        let landed: Vec<_> = landed.into_iter().flatten().collect();
        let all = one.read_all(Position(0), 10_000).await.unwrap();
        assert_eq!(
            all.len(),
            1 + moved + landed.len(),
            "{release:?}: only what was acknowledged"
        );
        for (commit, judged) in &landed {
            assert_eq!(&all[commit.position.0 as usize - 1], commit, "{release:?}");
            let plan_before = all[..commit.position.0 as usize - 1]
                .iter()
                .filter(|c| c.stream == plan)
                .count() as u64;
            assert_eq!(
                plan_before, judged.0,
                "{release:?}: a commit judged against the plan at version {} landed at {} after {plan_before} of its commits",
                judged.0, commit.position.0
            );
        }
        let streams: BTreeMap<_, Vec<_>> = all.iter().fold(BTreeMap::new(), |mut by, c| {
            by.entry(c.stream.clone()).or_default().push(c.clone());
            by
        });
        for chain in streams.values() {
            scoreledger_store::verify_chain(chain).unwrap();
        }
        assert!(landed.len() > 24, "{release:?}: {} landed", landed.len());
    }
}

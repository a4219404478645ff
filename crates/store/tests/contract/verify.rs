//! Verifying the whole log: a log as written verifies; every way of tampering with it that the
//! log itself can show is caught and named by its position and kind.

use scoreledger_store::{verify_log, EventStore, Finding, LogVerifier, Position};
use scoreledger_testkit::nats::{NatsRelease, TestNats};

use crate::store_test;
use crate::support::{notes, stream};

/// Two streams, interleaved: positions 1–5.
async fn written(store: &dyn EventStore) {
    store.append(notes(&stream("a"), 0, 1)).await.unwrap();
    store.append(notes(&stream("b"), 0, 2)).await.unwrap();
    store.append(notes(&stream("a"), 1, 1)).await.unwrap();
    store.append(notes(&stream("a"), 2, 3)).await.unwrap();
    store.append(notes(&stream("b"), 2, 1)).await.unwrap();
}

/// The first finding of `commits` fed to a fresh verifier in this order.
fn first_finding(commits: &[scoreledger_store::Commit]) -> Option<Finding> {
    let mut verifier = LogVerifier::new();
    commits.iter().find_map(|c| verifier.check(c).err())
}

store_test!(
    a_log_as_written_verifies_and_every_tampering_is_named,
    |store| {
        written(&store).await;
        let mut reached = Vec::new();
        let verification = verify_log(&store, |at, head| reached.push((at, head)))
            .await
            .unwrap();
        assert!(verification.verified(), "{verification:?}");
        assert_eq!((verification.commits, verification.streams), (5, 2));
        assert_eq!(reached.last(), Some(&(Position(5), Position(5))));

        let log = store.read_all(Position(0), 10).await.unwrap();
        assert_eq!(first_finding(&log), None);
        // A hashed field changed.
        let mut changed = log.clone();
        changed[2].actor.name = "Someone Else".into();
        assert!(
            matches!(
                first_finding(&changed),
                Some(Finding::Changed {
                    position: Position(3),
                    ..
                })
            ),
            "{:?}",
            first_finding(&changed)
        );
        // A commit deleted.
        let mut deleted = log.clone();
        deleted.remove(1);
        assert_eq!(
            first_finding(&deleted),
            Some(Finding::Missing {
                expected: Position(2),
                found: Position(3)
            })
        );
        // Two commits read out of order.
        let mut reordered = log.clone();
        reordered.swap(1, 2);
        assert!(matches!(
            first_finding(&reordered),
            Some(Finding::Missing { .. })
        ));
        // Two commits of one stream swapped in place (their positions kept).
        let mut swapped = log.clone();
        let (third, fourth) = (swapped[2].clone(), swapped[3].clone());
        swapped[2] = scoreledger_store::Commit {
            position: Position(3),
            ..fourth
        };
        swapped[3] = scoreledger_store::Commit {
            position: Position(4),
            ..third
        };
        let finding = first_finding(&swapped);
        assert!(
            matches!(
                finding,
                Some(Finding::BrokenLink {
                    position: Position(3),
                    ..
                })
            ),
            "{finding:?}"
        );
        assert!(finding.unwrap().to_string().contains("measure-a"));
        // A commit repeated.
        let mut repeated = log.clone();
        repeated.insert(2, log[1].clone());
        assert!(matches!(
            first_finding(&repeated),
            Some(Finding::Reordered {
                position: Position(2),
                previous: Position(2)
            })
        ));
    }
);

/// A rogue publisher with permission on the log's subjects: a copy of a real commit (well
/// formed, its hash intact) lands at a new position, and a message that is no commit at all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rogue_publishers_messages_are_named_on_nats() {
    let server = TestNats::start(NatsRelease::Current);
    let store = server.store().await;
    written(&store).await;
    let client = async_nats::connect(server.url()).await.unwrap();
    let jetstream = async_nats::jetstream::new(client);
    let first = store.read_all(Position(0), 1).await.unwrap().remove(0);
    jetstream
        .publish(
            "scoreledger.measure.a",
            serde_json::to_vec(&first).unwrap().into(),
        )
        .await
        .unwrap()
        .await
        .unwrap();
    let verification = verify_log(&store, |_, _| {}).await.unwrap();
    assert_eq!(verification.commits, 5);
    let finding = verification.finding.expect("the copy is found");
    assert!(
        matches!(
            finding,
            Finding::BrokenLink {
                position: Position(6),
                ..
            }
        ),
        "{finding:?}"
    );

    let server2 = TestNats::start(NatsRelease::Current);
    let clean = server2.store().await;
    written(&clean).await;
    let client = async_nats::connect(server2.url()).await.unwrap();
    async_nats::jetstream::new(client)
        .publish("scoreledger.measure.b", "not a commit".into())
        .await
        .unwrap()
        .await
        .unwrap();
    let verification = verify_log(&clean, |_, _| {}).await.unwrap();
    assert!(
        matches!(
            verification.finding,
            Some(Finding::Unreadable {
                position: Position(6),
                ..
            })
        ),
        "{:?}",
        verification.finding
    );
}

store_test!(
    a_commit_claiming_fewer_versions_than_events_is_a_version_gap,
    |store| {
        written(&store).await;
        let mut log = store.read_all(Position(0), 10).await.unwrap();
        // Re-sealed so that only the versions are wrong, as a forger who can hash would leave it.
        log[1].stream_version = scoreledger_store::StreamVersion(1);
        log[1].hash = log[1].compute_hash();
        assert!(
            matches!(
                first_finding(&log),
                Some(Finding::VersionGap {
                    position: Position(2),
                    ..
                })
            ),
            "{:?}",
            first_finding(&log)
        );
    }
);

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
    commits
        .iter()
        .find_map(|c| verifier.check(c).err())
        .or_else(|| verifier.finish().err())
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

/// Even someone holding the server's admin rights (not the service's, see
/// deploy/nats/accounts.conf) cannot delete or purge a commit through JetStream: the log's
/// stream denies both, and JetStream refuses to lift either denial. What is left is deleting
/// the whole stream, which a backup and the exported checkpoints answer, or editing the
/// server's files.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_even_an_admin_deletes_or_purges_a_commit_on_nats() {
    let server = TestNats::start(NatsRelease::Current);
    let store = server.store().await;
    written(&store).await;
    let client = async_nats::connect(server.url()).await.unwrap();
    let jetstream = async_nats::jetstream::new(client);
    let mut stream = jetstream.get_stream("SCORELEDGER").await.unwrap();
    let refused = stream.delete_message(3).await.unwrap_err();
    assert!(refused.to_string().contains("not permitted"), "{refused}");
    let refused = stream.purge().await.unwrap_err();
    assert!(refused.to_string().contains("not permitted"), "{refused}");
    let config = stream.info().await.unwrap().config.clone();
    for lifted in [
        async_nats::jetstream::stream::Config {
            deny_delete: false,
            ..config.clone()
        },
        async_nats::jetstream::stream::Config {
            deny_purge: false,
            ..config.clone()
        },
    ] {
        let refused = jetstream.update_stream(lifted).await.unwrap_err();
        assert!(refused.to_string().contains("can not cancel"), "{refused}");
    }
    let verification = verify_log(&store, |_, _| {}).await.unwrap();
    assert!(verification.verified(), "{verification:?}");
    assert_eq!(verification.commits, 5);
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

/// Records `key` as the log's key in a commit signed by it.
async fn record_key(store: &dyn EventStore, key: &scoreledger_integrity::LogKey) {
    let commit = scoreledger_store::NewCommit::new(
        scoreledger_store::keys_stream(),
        scoreledger_store::ExpectedVersion::Exact(scoreledger_store::StreamVersion(0)),
        scoreledger_testkit::performance_officer(),
        vec![scoreledger_domain::DomainEvent::SigningKeyAdded {
            key: key.public().text().to_owned(),
        }],
    );
    store.append(commit).await.unwrap();
}

/// The next commit of `stream` as a forger who can hash but has no key would write it.
fn forged_after(last: &scoreledger_store::Commit) -> scoreledger_store::Commit {
    let mut forged = last.clone();
    forged.commit_id = scoreledger_store::new_id();
    forged.position = Position(last.position.0 + 1);
    forged.stream_version =
        scoreledger_store::StreamVersion(last.stream_version.0 + forged.events.len() as u64);
    forged.prev_hash = last.hash.clone();
    forged.signature = None;
    forged.hash = forged.compute_hash();
    forged
}

store_test!(
    once_the_log_signs_an_unsigned_or_strangely_signed_commit_is_forged,
    |store| {
        let key = std::sync::Arc::new(
            scoreledger_integrity::LogKey::generate("scoreledger.test/contract").unwrap(),
        );
        written(&store).await;
        let store = store.with_key(key.clone());
        record_key(&store, &key).await;
        store.append(notes(&stream("a"), 5, 1)).await.unwrap();
        let log = store.read_all(Position(0), 10).await.unwrap();
        assert_eq!(first_finding(&log), None);
        let verification = verify_log(&store, |_, _| {}).await.unwrap();
        assert_eq!(verification.signed_from, Some(Position(6)));

        // Well formed, correctly chained and hashed, but not signed.
        let mut unsigned = log.clone();
        unsigned.push(forged_after(&log[6]));
        assert!(
            matches!(
                first_finding(&unsigned),
                Some(Finding::Forged {
                    position: Position(8),
                    ..
                })
            ),
            "{:?}",
            first_finding(&unsigned)
        );
        // A later commit changed too: the forged one, whose signature waited for a
        // checkpoint, is still the first thing named.
        let mut then_changed = unsigned.clone();
        let mut later = forged_after(&unsigned[7]);
        later.signature = Some(key.sign_commit(&later.hash));
        later.reason = Some("changed after sealing".into());
        then_changed.push(later);
        assert!(
            matches!(
                first_finding(&then_changed),
                Some(Finding::Forged {
                    position: Position(8),
                    ..
                })
            ),
            "{:?}",
            first_finding(&then_changed)
        );
        // Signed by a key the log never recorded.
        let stranger =
            scoreledger_integrity::LogKey::generate("scoreledger.test/contract").unwrap();
        let mut strange = log.clone();
        let mut forged = forged_after(&log[6]);
        forged.signature = Some(stranger.sign_commit(&forged.hash));
        strange.push(forged);
        assert!(matches!(
            first_finding(&strange),
            Some(Finding::Forged {
                position: Position(8),
                ..
            })
        ));
        // A verifier told to trust another key refuses the log at its first key.
        let trusted = scoreledger_integrity::KeyRing::of([stranger.public().clone()]);
        let mut verifier = LogVerifier::new().trusting(trusted);
        let finding = log
            .iter()
            .find_map(|c| verifier.check(c).err())
            .or_else(|| verifier.finish().err());
        assert!(
            matches!(
                finding,
                Some(Finding::UntrustedKey {
                    position: Position(6),
                    ..
                })
            ),
            "{finding:?}"
        );
    }
);

/// A rogue publisher on a signed log, who can hash and chain but has no key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rogue_publishers_well_formed_commit_is_forged_on_nats() {
    let server = TestNats::start(NatsRelease::Current);
    let key = std::sync::Arc::new(
        scoreledger_integrity::LogKey::generate("scoreledger.test/contract").unwrap(),
    );
    let store = server.store().await;
    written(&store).await;
    let store = store.with_key(key.clone());
    record_key(&store, &key).await;
    let last_of_a = store.read_all(Position(0), 10).await.unwrap()[3].clone();
    let mut forged = forged_after(&last_of_a);
    forged.position = Position(0);
    let client = async_nats::connect(server.url()).await.unwrap();
    async_nats::jetstream::new(client)
        .publish(
            "scoreledger.measure.a",
            serde_json::to_vec(&forged).unwrap().into(),
        )
        .await
        .unwrap()
        .await
        .unwrap();
    let verification = verify_log(&store, |_, _| {}).await.unwrap();
    assert!(
        matches!(
            verification.finding,
            Some(Finding::Forged {
                position: Position(7),
                ..
            })
        ),
        "{:?}",
        verification.finding
    );
}

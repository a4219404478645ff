//! Commits carry the log key's signature, and a commit can be made to land directly after a
//! position or not at all (how a checkpoint covers exactly the commits before it).

use std::sync::Arc;

use scoreledger_domain::DomainEvent;
use scoreledger_integrity::{KeyRing, LogKey};
use scoreledger_store::{
    keys_stream, AppendError, EventStore, ExpectedVersion, NewCommit, Position, StreamVersion,
};

use crate::store_test;
use crate::support::{notes, stream};

store_test!(
    commits_are_signed_with_the_log_key_and_read_back_signed,
    |store| {
        let key = Arc::new(LogKey::generate("scoreledger.test/contract").unwrap());
        let unsigned = store.append(notes(&stream("a"), 0, 1)).await.unwrap();
        assert_eq!(unsigned.commit.signature, None);
        let store = store.with_key(key.clone());
        let refused = store.append(notes(&stream("a"), 1, 2)).await.unwrap_err();
        assert!(
            matches!(refused, AppendError::KeyNotRecorded),
            "{refused:?}"
        );
        let recorded = NewCommit::new(
            keys_stream(),
            ExpectedVersion::Exact(StreamVersion(0)),
            scoreledger_testkit::performance_officer(),
            vec![DomainEvent::SigningKeyAdded {
                key: key.public().text().to_owned(),
            }],
        );
        store.append(recorded).await.unwrap();
        let signed = store.append(notes(&stream("a"), 1, 2)).await.unwrap();
        let ring = KeyRing::of([key.public().clone()]);
        ring.check_commit(&signed.commit.hash, signed.commit.signature.as_ref())
            .unwrap();
        let read = store.read_all(Position(0), 10).await.unwrap();
        assert_eq!(
            read[2], signed.commit,
            "the signature is stored and read back"
        );
        assert!(ring
            .check_commit(&read[0].hash, read[0].signature.as_ref())
            .is_err());
    }
);

store_test!(
    a_commit_lands_directly_after_a_position_or_not_at_all,
    |store| {
        store.append(notes(&stream("a"), 0, 1)).await.unwrap();
        let mut next = notes(&stream("b"), 0, 1);
        next.directly_after = Some(Position(1));
        let landed = store.append(next).await.unwrap();
        assert_eq!(landed.commit.position, Position(2));

        let mut stale = notes(&stream("c"), 0, 1);
        stale.directly_after = Some(Position(1));
        let err = store.append(stale).await.unwrap_err();
        assert!(
            matches!(
                err,
                AppendError::Moved {
                    after: Position(1),
                    head: Position(2)
                }
            ),
            "{err:?}"
        );
        assert_eq!(store.head().await.unwrap(), Position(2), "nothing appended");
    }
);

store_test!(
    a_process_holding_a_key_rotated_away_or_never_recorded_appends_nothing,
    |store| {
        let old = Arc::new(LogKey::generate("scoreledger.test/contract").unwrap());
        let new = Arc::new(LogKey::generate("scoreledger.test/contract").unwrap());
        let stranger = Arc::new(LogKey::generate("scoreledger.test/contract").unwrap());
        let keys = |expected: u64, events: Vec<DomainEvent>| {
            NewCommit::new(
                keys_stream(),
                ExpectedVersion::Exact(StreamVersion(expected)),
                scoreledger_testkit::performance_officer(),
                events,
            )
        };
        // The process that rotates, and another (a running `serve`) holding the same key.
        let rotating = store.clone().with_key(old.clone());
        let serving = store.clone().with_key(old.clone());
        rotating
            .append(keys(
                0,
                vec![DomainEvent::SigningKeyAdded {
                    key: old.public().text().to_owned(),
                }],
            ))
            .await
            .unwrap();
        serving.append(notes(&stream("a"), 0, 1)).await.unwrap();
        let rotation = rotating
            .append(keys(
                1,
                vec![
                    DomainEvent::SigningKeyAdded {
                        key: new.public().text().to_owned(),
                    },
                    DomainEvent::SigningKeyRetired {
                        key: old.public().text().to_owned(),
                    },
                ],
            ))
            .await
            .unwrap();
        let head = store.head().await.unwrap();
        let refused = serving.append(notes(&stream("a"), 1, 1)).await.unwrap_err();
        assert!(
            matches!(&refused, AppendError::KeyRetired { at, .. } if *at == rotation.commit.position),
            "{refused:?}"
        );
        assert!(refused.to_string().contains("keys show"), "{refused}");
        let refused = store
            .clone()
            .with_key(stranger)
            .append(notes(&stream("a"), 1, 1))
            .await
            .unwrap_err();
        assert!(
            matches!(refused, AppendError::KeyNotInLog { .. }),
            "{refused:?}"
        );
        assert_eq!(store.head().await.unwrap(), head, "nothing appended");
        // Restarted with the new key, it writes again, and everything verifies.
        let restarted = store.clone().with_key(new.clone());
        restarted.append(notes(&stream("a"), 1, 1)).await.unwrap();
        let verification = scoreledger_store::verify_log(&restarted, |_, _| {})
            .await
            .unwrap();
        assert!(verification.verified(), "{verification:?}");
    }
);

store_test!(
    stores_signing_with_different_keys_never_land_each_others_appends,
    |store| {
        // Two stores on one log, one with the log's key and one with a stranger's, appending
        // at the same moment: appends are landed together, but never by a store that signs
        // differently (the stranger's would land signed with the log's key).
        let key = Arc::new(LogKey::generate("scoreledger.test/contract").unwrap());
        let signing = store.clone().with_key(key.clone());
        signing
            .append(NewCommit::new(
                keys_stream(),
                ExpectedVersion::Exact(StreamVersion(0)),
                scoreledger_testkit::performance_officer(),
                vec![DomainEvent::SigningKeyAdded {
                    key: key.public().text().to_owned(),
                }],
            ))
            .await
            .unwrap();
        let stranger = Arc::new(LogKey::generate("scoreledger.test/contract").unwrap());
        let strange = store.clone().with_key(stranger);
        // Judged commits, so that on NATS too they are landed in groups.
        let judged = |name: String| {
            let mut commit = notes(&stream(&name), 0, 1);
            commit.judged_through = Some(Position(0));
            commit
        };
        let (landed, refused) = futures::future::join(
            futures::future::join_all(
                (0..24).map(|n| signing.append(judged(format!("signed{n}")))),
            ),
            futures::future::join_all(
                (0..24).map(|n| strange.append(judged(format!("strange{n}")))),
            ),
        )
        .await;
        for landed in landed {
            let landed = landed.expect("the log's key signs");
            assert!(landed.commit.signature.is_some());
        }
        for refused in refused {
            assert!(
                matches!(refused, Err(AppendError::KeyNotInLog { .. })),
                "{refused:?}"
            );
        }
        assert_eq!(store.head().await.unwrap(), Position(25));
        let verification = scoreledger_store::verify_log(&signing, |_, _| {})
            .await
            .unwrap();
        assert!(verification.verified(), "{verification:?}");
    }
);

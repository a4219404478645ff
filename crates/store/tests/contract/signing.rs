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

use scoreledger_store::{envelope::GENESIS_HASH, verify_chain, ChainError, EventStore};

use crate::store_test;
use crate::support::{notes, stream};

store_test!(
    each_commit_points_at_the_hash_of_the_previous_one_in_its_stream,
    |store| {
        store.append(notes(&stream("a"), 0, 1)).await.unwrap();
        store.append(notes(&stream("b"), 0, 1)).await.unwrap();
        store.append(notes(&stream("a"), 1, 2)).await.unwrap();
        let chain = store.read_stream(&stream("a")).await.unwrap();
        assert_eq!(chain[0].prev_hash, GENESIS_HASH);
        assert_eq!(chain[1].prev_hash, chain[0].hash);
        assert_eq!(chain[0].hash, chain[0].compute_hash());
        verify_chain(&chain).unwrap();
    }
);

store_test!(
    verification_names_the_first_commit_that_does_not_match,
    |store| {
        for version in 0..3 {
            store.append(notes(&stream("a"), version, 1)).await.unwrap();
        }
        let mut chain = store.read_stream(&stream("a")).await.unwrap();
        chain[1].reason = Some("quietly rewritten".into());
        match verify_chain(&chain).unwrap_err() {
            ChainError::HashMismatch { commit_id, .. } => assert_eq!(commit_id, chain[1].commit_id),
            other => panic!("expected a hash mismatch, got {other:?}"),
        }
        let mut chain = store.read_stream(&stream("a")).await.unwrap();
        chain.remove(1);
        assert!(matches!(
            verify_chain(&chain).unwrap_err(),
            ChainError::BrokenLink { .. }
        ));
    }
);

store_test!(
    the_day_a_commit_was_reported_is_sealed_into_its_hash,
    |store| {
        let reported = scoreledger_domain::Reported {
            on: "2010-07-13".parse().unwrap(),
            document: "Improvement Panel, 13 July 2010".into(),
        };
        let mut first = notes(&stream("a"), 0, 1);
        first.reported = Some(reported.clone());
        store.append(first).await.unwrap();
        store.append(notes(&stream("a"), 1, 1)).await.unwrap();
        let chain = store.read_stream(&stream("a")).await.unwrap();
        assert_eq!(
            chain[0].reported.as_ref(),
            Some(&reported),
            "read back as written"
        );
        assert_eq!(chain[1].reported, None);
        verify_chain(&chain).unwrap();
        // Moving the day, renaming the document, or removing either is a mismatch.
        let tampered = [
            Some(scoreledger_domain::Reported {
                on: "2010-07-12".parse().unwrap(),
                ..reported.clone()
            }),
            Some(scoreledger_domain::Reported {
                document: "Cabinet".into(),
                ..reported.clone()
            }),
            None,
        ];
        for change in tampered {
            let mut chain = chain.clone();
            chain[0].reported = change;
            assert!(matches!(
                verify_chain(&chain).unwrap_err(),
                ChainError::HashMismatch { .. }
            ));
        }
        // And one slipped onto a commit that had none.
        let mut chain = chain.clone();
        chain[1].reported = Some(reported);
        assert!(matches!(
            verify_chain(&chain).unwrap_err(),
            ChainError::HashMismatch { .. }
        ));
    }
);

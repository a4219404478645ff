use scoreledger_store::{
    AppendError, EventStore, ExpectedVersion, Position, StreamId, StreamVersion,
};
use scoreledger_testkit::uuid;

use crate::store_test;
use crate::support::{notes, stream};

store_test!(a_first_commit_creates_the_stream_at_position_one, |store| {
    let appended = store.append(notes(&stream("a"), 0, 2)).await.unwrap();
    assert!(!appended.deduplicated);
    assert_eq!(appended.commit.position, Position(1));
    assert_eq!(appended.commit.stream_version, StreamVersion(2));
    assert_eq!(store.head().await.unwrap(), Position(1));
    let read = store.read_stream(&stream("a")).await.unwrap();
    assert_eq!(read, vec![appended.commit]);
});

store_test!(
    appending_with_a_stale_version_conflicts_and_appends_nothing,
    |store| {
        store.append(notes(&stream("a"), 0, 1)).await.unwrap();
        store.append(notes(&stream("a"), 1, 1)).await.unwrap();
        let err = store.append(notes(&stream("a"), 1, 1)).await.unwrap_err();
        match err {
            AppendError::Conflict {
                expected, actual, ..
            } => {
                assert_eq!(expected, ExpectedVersion::Exact(StreamVersion(1)));
                assert_eq!(actual, StreamVersion(2));
            }
            other => panic!("expected a conflict, got {other:?}"),
        }
        assert!(err_message_mentions_reload(
            &store.append(notes(&stream("a"), 0, 1)).await.unwrap_err()
        ));
        assert_eq!(store.head().await.unwrap(), Position(2));
    }
);

fn err_message_mentions_reload(err: &AppendError) -> bool {
    err.to_string().contains("reload it and try again")
}

store_test!(creating_a_stream_that_exists_conflicts, |store| {
    store.append(notes(&stream("a"), 0, 1)).await.unwrap();
    let err = store.append(notes(&stream("a"), 0, 1)).await.unwrap_err();
    assert!(
        matches!(
            err,
            AppendError::Conflict {
                actual: StreamVersion(1),
                ..
            }
        ),
        "{err:?}"
    );
});

store_test!(
    a_retry_with_the_same_commit_id_returns_the_original_and_appends_nothing,
    |store| {
        let first = store
            .append(notes(&stream("a"), 0, 1).with_commit_id(uuid(7)))
            .await
            .unwrap();
        // The retry's expected version is now stale; the original result comes back anyway.
        let retry = store
            .append(notes(&stream("a"), 0, 1).with_commit_id(uuid(7)))
            .await
            .unwrap();
        assert!(retry.deduplicated);
        assert_eq!(retry.commit, first.commit);
        assert_eq!(store.head().await.unwrap(), Position(1));
    }
);

store_test!(an_empty_commit_is_refused, |store| {
    let err = store.append(notes(&stream("a"), 0, 0)).await.unwrap_err();
    assert!(matches!(err, AppendError::Empty));
    assert_eq!(store.head().await.unwrap(), Position(0));
});

store_test!(commits_read_back_in_log_order_across_streams, |store| {
    store.append(notes(&stream("a"), 0, 1)).await.unwrap();
    store.append(notes(&stream("b"), 0, 3)).await.unwrap();
    store.append(notes(&stream("a"), 1, 1)).await.unwrap();
    let all = store.read_all(Position(0), 100).await.unwrap();
    let order: Vec<(u64, String, u64)> = all
        .iter()
        .map(|c| (c.position.0, c.stream.to_string(), c.stream_version.0))
        .collect();
    assert_eq!(
        order,
        vec![
            (1, "measure-a".into(), 1),
            (2, "measure-b".into(), 3),
            (3, "measure-a".into(), 2)
        ]
    );
    let page = store.read_all(Position(1), 1).await.unwrap();
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].position, Position(2));
    let events = all[1].domain_events().unwrap();
    assert_eq!(events.len(), 3);
});

store_test!(
    two_concurrent_writers_on_one_stream_never_both_win,
    |store| {
        let mut handles = Vec::new();
        for _ in 0..8 {
            let store = store.clone();
            handles.push(tokio::spawn(async move {
                store.append(notes(&stream("a"), 0, 1)).await
            }));
        }
        let mut wins = 0;
        let mut conflicts = 0;
        for handle in handles {
            match handle.await.unwrap() {
                Ok(_) => wins += 1,
                Err(AppendError::Conflict { .. }) => conflicts += 1,
                Err(other) => panic!("unexpected error {other:?}"),
            }
        }
        assert_eq!((wins, conflicts), (1, 7));
        assert_eq!(store.read_stream(&stream("a")).await.unwrap().len(), 1);
    }
);

store_test!(concurrent_writers_on_different_streams_all_land, |store| {
    let mut handles = Vec::new();
    for i in 0..8 {
        let store = store.clone();
        handles.push(tokio::spawn(async move {
            for version in 0..5 {
                store
                    .append(notes(&stream(&format!("w{i}")), version, 1))
                    .await
                    .unwrap();
            }
        }));
    }
    for handle in handles {
        handle.await.unwrap();
    }
    assert_eq!(store.head().await.unwrap(), Position(40));
});

store_test!(
    an_event_that_would_not_read_back_is_refused_and_nothing_is_appended,
    |store| {
        store.append(notes(&stream("a"), 0, 1)).await.unwrap();
        // A year-0 period prints as `0/01`, which no reader parses: such a commit once bricked
        // every projector for good.
        let unreadable = scoreledger_store::NewCommit::new(
            stream("a"),
            ExpectedVersion::Exact(StreamVersion(1)),
            scoreledger_testkit::lead_officer(),
            vec![scoreledger_domain::DomainEvent::CommentaryEdited {
                period: scoreledger_domain::Period::financial_year(0),
                text: "typo".into(),
            }],
        );
        assert!(unreadable.check_readable().is_err());
        let err = store.append(unreadable).await.unwrap_err();
        match &err {
            AppendError::Unreadable(unreadable) => {
                assert_eq!(unreadable.event_type, "CommentaryEdited");
                assert!(err.to_string().contains("not appended"), "{err}");
            }
            other => panic!("expected an unreadable event to be refused, got {other:?}"),
        }
        assert_eq!(store.head().await.unwrap(), Position(1));
        assert_eq!(store.read_stream(&stream("a")).await.unwrap().len(), 1);
        // The stream is still writable at the version it was.
        store.append(notes(&stream("a"), 1, 1)).await.unwrap();
        assert_eq!(store.head().await.unwrap(), Position(2));
    }
);

store_test!(
    a_batch_is_all_or_nothing_where_the_engine_allows_and_otherwise_stops_at_the_first_refusal,
    |store| {
        store.append(notes(&stream("b"), 0, 1)).await.unwrap();
        let batch = vec![
            notes(&stream("a"), 0, 1),
            notes(&stream("c"), 0, 1),
            // Stale: stream b is at version 1.
            notes(&stream("b"), 0, 1),
            notes(&stream("d"), 0, 1),
        ];
        let err = store.append_all(batch).await.unwrap_err();
        assert!(matches!(err, AppendError::Conflict { .. }), "{err:?}");
        let landed = if store.appends_batches_atomically() {
            Position(1)
        } else {
            Position(3)
        };
        assert_eq!(store.head().await.unwrap(), landed);
        assert!(store.read_stream(&stream("d")).await.unwrap().is_empty());

        let appended = store
            .append_all(vec![notes(&stream("e"), 0, 1), notes(&stream("e"), 1, 2)])
            .await
            .unwrap();
        let positions: Vec<_> = appended.iter().map(|a| a.commit.position).collect();
        assert_eq!(positions, [Position(landed.0 + 1), Position(landed.0 + 2)]);
        assert_eq!(
            store.read_stream(&stream("e")).await.unwrap(),
            appended.into_iter().map(|a| a.commit).collect::<Vec<_>>()
        );
    }
);

store_test!(
    a_commit_judged_against_a_stream_that_moved_is_a_conflict_naming_it,
    |store| {
        // The plan stands in as the stream a change was judged against (for its locks).
        let plan = StreamId("plan-locks".into());
        store.append(notes(&plan, 0, 1)).await.unwrap();
        let mut judged = notes(&stream("a"), 0, 1);
        judged.judged_against = Some((plan.clone(), StreamVersion(1)));
        store.append(judged).await.unwrap();

        // The plan moves (a lock lands) between the judgement and the append.
        store.append(notes(&plan, 1, 1)).await.unwrap();
        let mut stale = notes(&stream("a"), 1, 1);
        stale.judged_against = Some((plan.clone(), StreamVersion(1)));
        match store.append(stale).await.unwrap_err() {
            AppendError::Conflict { stream, actual, .. } => {
                assert_eq!(stream, plan);
                assert_eq!(actual, StreamVersion(2));
            }
            other => panic!("expected a conflict on the plan, got {other:?}"),
        }
        assert_eq!(store.head().await.unwrap(), Position(3), "nothing appended");
    }
);

store_test!(
    a_commit_judged_through_a_position_a_report_was_published_after_is_a_conflict,
    |store| {
        // The plan stands in as the stream the change was judged against; a report's stream
        // as where a publication lands, which the plan's version does not see.
        let plan = StreamId("plan-published".into());
        store.append(notes(&plan, 0, 1)).await.unwrap();
        let report = StreamId("report-q3".into());
        store.append(notes(&report, 0, 1)).await.unwrap();
        // Judged after the publication: it lands.
        let mut judged = notes(&stream("a"), 0, 1);
        judged.judged_against = Some((plan.clone(), StreamVersion(1)));
        judged.judged_through = Some(Position(2));
        store.append(judged).await.unwrap();
        // Other streams moving is no reason to judge again.
        store.append(notes(&stream("b"), 0, 1)).await.unwrap();
        let mut unaffected = notes(&stream("a"), 1, 1);
        unaffected.judged_against = Some((plan.clone(), StreamVersion(1)));
        unaffected.judged_through = Some(Position(3));
        store.append(unaffected).await.unwrap();

        // A second report is published between the judgement and the append.
        store
            .append(notes(&StreamId("report-q4".into()), 0, 1))
            .await
            .unwrap();
        let mut stale = notes(&stream("a"), 2, 1);
        stale.judged_against = Some((plan.clone(), StreamVersion(1)));
        stale.judged_through = Some(Position(5));
        match store.append(stale).await.unwrap_err() {
            AppendError::Conflict { stream, .. } => assert_eq!(stream, plan),
            other => panic!("expected a conflict on the plan, got {other:?}"),
        }
        assert_eq!(store.head().await.unwrap(), Position(6), "nothing appended");
    }
);

store_test!(
    concurrent_appends_are_each_atomic_and_answered_on_their_own,
    |store| {
        // 32 writers at once, each to a stream of its own; every fourth then makes a stale
        // append in the midst of the others', which must be refused alone (a group commit that
        // wrote concurrent appends in one transaction would have to keep that so). Eight more
        // make only a stale append, at the same moment as the first 32.
        let writers = (0..32).map(|n| {
            let store = store.clone();
            async move {
                let mine = stream(&format!("group{n}"));
                let landed = store.append(notes(&mine, 0, 2)).await;
                let stale = match n % 4 {
                    0 => Some(store.append(notes(&mine, 5, 1)).await),
                    _ => None,
                };
                (mine, landed, stale)
            }
        });
        let stale_only = (0..8).map(|n| {
            let store = store.clone();
            async move {
                let mine = stream(&format!("stale{n}"));
                (mine.clone(), store.append(notes(&mine, 3, 1)).await)
            }
        });
        let (landed, refused) = futures::future::join(
            futures::future::join_all(writers),
            futures::future::join_all(stale_only),
        )
        .await;
        for (mine, landed, stale) in landed {
            let landed = landed.expect("a fresh stream takes its first commit");
            if let Some(stale) = stale {
                assert!(
                    matches!(stale, Err(AppendError::Conflict { .. })),
                    "{stale:?}"
                );
            }
            assert_eq!(store.read_stream(&mine).await.unwrap(), vec![landed.commit]);
        }
        for (mine, refused) in refused {
            assert!(
                matches!(refused, Err(AppendError::Conflict { .. })),
                "{refused:?}"
            );
            assert!(store.read_stream(&mine).await.unwrap().is_empty());
        }
        assert_eq!(store.head().await.unwrap(), Position(32));
    }
);

store_test!(
    a_stream_longer_than_one_read_among_others_is_read_whole_in_order,
    |store| {
        // More commits than one batched read returns (256), interleaved with another
        // stream's, so a read must go on from where the last stopped and skip the others.
        let (long, other) = (stream("long"), stream("other"));
        let (mut longs, mut others) = (Vec::new(), Vec::new());
        let mut commits = Vec::new();
        for k in 0..300u64 {
            commits.push(notes(&long, k, 1));
            if k % 3 == 0 {
                commits.push(notes(&other, k / 3, 1));
            }
        }
        for appended in store.append_all(commits).await.unwrap() {
            if appended.commit.stream == long {
                longs.push(appended.commit);
            } else {
                others.push(appended.commit);
            }
        }
        assert_eq!(store.read_stream(&long).await.unwrap(), longs);
        assert_eq!(store.read_stream(&other).await.unwrap(), others);
        assert!(store
            .read_stream(&stream("never"))
            .await
            .unwrap()
            .is_empty());
    }
);

store_test!(
    appends_made_at_the_same_moment_are_judged_as_if_one_after_another,
    |store| {
        // Made at once, so on SQLite they are committed together; whatever order they are
        // judged in, each must be judged against the ones before it.
        let plan = StreamId("plan-moment".into());
        store.append(notes(&plan, 0, 1)).await.unwrap();
        let (twice, judged_stream) = (stream("twice"), stream("judged"));
        let mut judged = notes(&judged_stream, 0, 1);
        judged.judged_against = Some((plan.clone(), StreamVersion(1)));
        let mut judged_through = notes(&stream("through"), 0, 1);
        judged_through.judged_through = Some(Position(1));
        let retried = notes(&stream("retried"), 0, 1).with_commit_id(uuid(77));
        let appends = vec![
            notes(&twice, 0, 1),
            notes(&twice, 0, 1),
            notes(&plan, 1, 1),
            judged,
            notes(&StreamId("report-moment".into()), 0, 1),
            judged_through,
            retried.clone(),
            retried,
        ];
        let results = futures::future::join_all(appends.into_iter().map(|commit| {
            let store = store.clone();
            async move { store.append(commit).await }
        }))
        .await;
        let [first, second, plan_moved, judged, report, through, retried, again] =
            <[_; 8]>::try_from(results).unwrap();
        // One stream written twice at the same version: exactly one lands.
        assert!(first.is_ok() != second.is_ok(), "{first:?} / {second:?}");
        let plan_moved = plan_moved.unwrap().commit.position;
        let report = report.unwrap().commit.position;
        // A change judged against the plan lands only before the plan moves, and one judged
        // through a position only before a report lands after it.
        match judged {
            Ok(landed) => assert!(landed.commit.position < plan_moved),
            Err(err) => assert!(matches!(err, AppendError::Conflict { .. }), "{err:?}"),
        }
        match through {
            Ok(landed) => assert!(landed.commit.position < report),
            Err(err) => assert!(matches!(err, AppendError::Conflict { .. }), "{err:?}"),
        }
        // One commit id twice: one commit, answered to both.
        let (retried, again) = (retried.unwrap(), again.unwrap());
        assert_eq!(retried.commit, again.commit);
        assert!(retried.deduplicated != again.deduplicated);
        assert_eq!(
            store.read_stream(&stream("retried")).await.unwrap(),
            vec![retried.commit]
        );
        // Every stream's chain holds.
        let all = store.read_all(Position(0), 100).await.unwrap();
        for written in [&twice, &plan, &judged_stream] {
            let chain: Vec<_> = all
                .iter()
                .filter(|c| &c.stream == written)
                .cloned()
                .collect();
            scoreledger_store::verify_chain(&chain).unwrap();
        }
    }
);

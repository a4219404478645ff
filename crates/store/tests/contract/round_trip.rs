//! Generated events of every kind, in envelopes with odd Unicode actors and reasons: what the
//! store accepts reads back exactly as written, and what would not read back is refused with
//! nothing appended.

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use scoreledger_domain::{Actor, Role};
use scoreledger_store::{AppendError, EventStore, ExpectedVersion, NewCommit, StreamVersion};
use scoreledger_testkit::events::{event, name, prose, Years};

use crate::store_test;
use crate::support::stream;

/// Commits generated from a fixed seed, so every backend is given the same ones.
const COMMITS: usize = 150;

fn commits() -> Vec<(Actor, Option<String>, scoreledger_domain::DomainEvent)> {
    let mut runner = TestRunner::deterministic();
    let strategy = (
        name(),
        name(),
        proptest::sample::select(Role::ALL.to_vec()),
        proptest::option::of(prose()),
        event(Years::Beyond),
    );
    (0..COMMITS)
        .map(|_| {
            let (id, who, role, reason, event) = strategy
                .new_tree(&mut runner)
                .expect("the generator makes a commit")
                .current();
            (Actor::new(id, who, role), reason, event)
        })
        .collect()
}

store_test!(
    an_accepted_event_reads_back_as_written_and_a_refused_one_appends_nothing,
    |store| {
        let stream = stream("round-trip");
        let (mut accepted, mut refused) = (0_u64, 0_u64);
        for (actor, reason, event) in commits() {
            let commit = NewCommit::new(
                stream.clone(),
                ExpectedVersion::Exact(StreamVersion(accepted)),
                actor.clone(),
                vec![event.clone()],
            )
            .with_reason(reason.clone());
            match store.append(commit).await {
                Ok(appended) => {
                    accepted += 1;
                    let read = store.read_stream(&stream).await.unwrap();
                    let last = read.last().expect("the appended commit");
                    assert_eq!(last, &appended.commit);
                    assert_eq!((&last.actor, &last.reason), (&actor, &reason));
                    assert_eq!(last.domain_events().unwrap(), vec![event]);
                }
                Err(AppendError::Unreadable(unreadable)) => {
                    refused += 1;
                    assert_eq!(unreadable.event_type, event.event_type(), "{unreadable}");
                    assert_eq!(store.head().await.unwrap().0, accepted, "nothing appended");
                }
                Err(other) => panic!("{event:?} was refused for another reason: {other}"),
            }
        }
        assert_eq!(store.head().await.unwrap().0, accepted);
        scoreledger_store::verify_chain(&store.read_stream(&stream).await.unwrap()).unwrap();
        // Both halves of the property were exercised.
        assert!(
            accepted > 100 && refused > 0,
            "{accepted} accepted, {refused} refused"
        );
    }
);

use scoreledger_domain::Actor;
use scoreledger_domain::{Command, DataQuality, Period, RecordedValue};
use scoreledger_store::{execute, EventStore, ExecuteError, Position, Request};
use scoreledger_testkit::{
    lead_officer, measure_definition, measure_id, performance_officer, plan_id, uuid,
};

use crate::store_test;

fn request(actor: Actor, commit_id: Option<u128>) -> Request {
    Request {
        actor,
        reason: None,
        on_behalf_of: None,
        commit_id: commit_id.map(uuid),
        published_through: None,
        locked: Default::default(),
        plan_year: None,
        known_users: Vec::new(),
        outline: None,
        today: None,
        unreadable: None,
    }
}

store_test!(
    a_retried_command_returns_the_original_commit_instead_of_a_rejection,
    |store| {
        let measure = measure_id(1);
        let define = Command::DefineMeasure {
            measure_id: measure,
            definition: measure_definition(plan_id(1), "1.A3", scoreledger_domain::Polarity::Low),
            target: None,
        };
        // The performance team defines measures; the lead officer enters the values.
        execute(
            &store,
            &measure.stream(),
            &define,
            &request(performance_officer(), None),
        )
        .await
        .unwrap();
        let record = Command::RecordValue {
            period: Period::quarter(2016, 3),
            value: RecordedValue::parse("28.3%").unwrap(),
            quality: DataQuality::default(),
        };
        let first = execute(
            &store,
            &measure.stream(),
            &record,
            &request(lead_officer(), Some(42)),
        )
        .await
        .unwrap();
        let retry = execute(
            &store,
            &measure.stream(),
            &record,
            &request(lead_officer(), Some(42)),
        )
        .await
        .unwrap();
        assert!(retry.deduplicated);
        assert_eq!(retry.commit, first.commit);
        // The same command under a new key is judged on its merits: the value exists already.
        let err = execute(
            &store,
            &measure.stream(),
            &record,
            &request(lead_officer(), Some(43)),
        )
        .await
        .unwrap_err();
        assert!(matches!(err, ExecuteError::Rejected(_)), "{err:?}");
        assert_eq!(store.head().await.unwrap(), Position(2));
    }
);

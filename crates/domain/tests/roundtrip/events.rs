use std::collections::BTreeSet;

use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use scoreledger_domain::{DomainEvent, SchemaVersion, UpcastError};
use scoreledger_testkit::events::{event, event_of, Kind, Years};

/// The event as the log stores it, from its bytes: `Ok` with what a reader sees, or why no
/// reader can read it.
fn through_stored_form(event: &DomainEvent) -> Result<DomainEvent, UpcastError> {
    let (event_type, payload) = event.to_payload();
    let stored = serde_json::json!({
        "type": event_type,
        "schema_version": SchemaVersion::CURRENT,
        "payload": payload,
    });
    let bytes = serde_json::to_vec(&stored).expect("a JSON value serialises");
    let read: serde_json::Value = serde_json::from_slice(&bytes).expect("JSON bytes parse back");
    let version: SchemaVersion =
        serde_json::from_value(read["schema_version"].clone()).expect("a schema version");
    DomainEvent::from_payload(
        read["type"].as_str().expect("a type tag"),
        version,
        read["payload"].clone(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10_000, ..ProptestConfig::default() })]

    #[test]
    fn every_event_of_the_recorded_years_reads_back_as_written(event in event(Years::Recorded)) {
        match through_stored_form(&event) {
            Ok(read) => prop_assert_eq!(read, event),
            Err(err) => prop_assert!(false, "{:?} does not read back: {}", event, err),
        }
    }

    /// Beyond the recorded years an event may not read back (the log's guard refuses it), but
    /// its type tag never changes on the way.
    #[test]
    fn an_event_beyond_the_recorded_years_reads_back_as_an_event_of_its_own_kind(
        event in event(Years::Beyond)
    ) {
        if let Ok(read) = through_stored_form(&event) {
            prop_assert_eq!(Kind::of(&read), Kind::of(&event));
        }
    }
}

#[test]
fn the_generator_makes_every_kind_of_event_and_each_is_the_kind_asked_for() {
    let mut runner = TestRunner::deterministic();
    let mut seen = BTreeSet::new();
    for &kind in Kind::ALL {
        for years in [Years::Recorded, Years::Beyond] {
            let event = event_of(kind, years)
                .new_tree(&mut runner)
                .expect("the generator makes an event")
                .current();
            assert_eq!(Kind::of(&event), kind);
            seen.insert(event.event_type());
        }
    }
    assert_eq!(seen.len(), Kind::ALL.len(), "one type tag per kind");
}

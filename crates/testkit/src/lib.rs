//! Test helpers shared by every crate's tests: a fresh, migrated SQLite database per test,
//! a real nats-server per test, a manual clock, actors and sample measures. Dev-only.

pub mod cluster;
pub mod events;
pub mod nats;
pub mod pair;
pub mod postgres;
pub mod write;

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use tempfile::TempDir;
use uuid::Uuid;

use scoreledger_domain::{
    Actor, Frequency, MeasureDefinition, MeasureId, MeasureRef, PlanId, Polarity, Role,
    StatusScheme, ValueKind,
};
use scoreledger_projections::ReadModels;
use scoreledger_store::{ManualClock, SqliteStore};

/// A fresh embedded database in its own temporary directory (removed on drop).
pub struct TestDb {
    /// Keeps the directory alive.
    pub dir: TempDir,
    /// The store on `dir/scoreledger.db`.
    pub store: SqliteStore,
    /// The read models in the same file.
    pub read: ReadModels,
    /// The store's clock.
    pub clock: Arc<ManualClock>,
}

impl TestDb {
    /// The database file.
    pub fn path(&self) -> std::path::PathBuf {
        self.dir.path().join("scoreledger.db")
    }
}

/// 13 January 2017, 09:00 UTC: the day the Q3 2016/17 scorecard was created.
pub fn q3_scorecard_day() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2017, 1, 13, 9, 0, 0)
        .single()
        .expect("valid date")
}

/// Opens a fresh, migrated SQLite store with a manual clock.
pub async fn fresh_sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("temporary directory");
    let clock = Arc::new(ManualClock::new(q3_scorecard_day()));
    let path = dir.path().join("scoreledger.db");
    let store = SqliteStore::open(&path, clock.clone())
        .await
        .expect("fresh database opens");
    let read = ReadModels::sqlite(&path)
        .await
        .expect("fresh read models open");
    TestDb {
        dir,
        store,
        read,
        clock,
    }
}

/// A performance officer.
pub fn performance_officer() -> Actor {
    Actor::new("simon.dennis", "Simon Dennis", Role::Performance)
}

/// A lead officer entering data.
pub fn lead_officer() -> Actor {
    Actor::new("mel.meggs", "Mel Meggs", Role::Officer)
}

/// A deterministic id from a small number, so test failures are readable.
pub fn uuid(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

/// The command defining a Corporate Plan for 2016/17 with one priority and one outcome
/// (1.A), under the default rules: where sample measures go.
pub fn define_plan_2016(plan_id: PlanId) -> scoreledger_domain::Command {
    scoreledger_domain::Command::DefinePlan {
        plan_id,
        name: "Corporate Plan 2016/17".into(),
        financial_year: scoreledger_domain::Period::financial_year(2016),
        status_scheme: StatusScheme::Corporate2016,
        approved_on: None,
        approved_by: None,
        priorities: vec![(1, "Every child making the best start in life".into())],
        outcomes: vec![scoreledger_domain::command::OutcomeSpec {
            priority: 1,
            letter: "A".into(),
            title: "Protected".into(),
        }],
        rule_set: scoreledger_domain::RuleSet::default(),
    }
}

/// A measure definition in the shape of the 2016/17 scorecard.
pub fn measure_definition(
    plan_id: PlanId,
    reference: &str,
    polarity: Polarity,
) -> MeasureDefinition {
    let measure_ref = MeasureRef::parse(reference).expect("test refs are valid");
    MeasureDefinition {
        plan_id,
        priority: measure_ref.priority().unwrap_or(1),
        // The letter after the priority (`2.B1` → `B`), as a plan-numbered reference names it.
        outcome: measure_ref
            .as_str()
            .split_once('.')
            .and_then(|(_, rest)| rest.chars().next())
            .map_or_else(|| "A".to_owned(), String::from),
        ref_as_printed: reference.into(),
        measure_ref,
        action: "Test action".into(),
        title: format!("Measure {reference}"),
        priority_measure: false,
        lead_officer: "Mel Meggs".into(),
        directorate: "CYPS".into(),
        lead_accountability: "Ian Thomas, Strategic Director".into(),
        polarity,
        polarity_text: polarity.to_string(),
        frequency: Frequency::Quarterly,
        frequency_text: "Quarterly".into(),
        value_kind: ValueKind::PointInTime,
        status_scheme: StatusScheme::Corporate2016,
        baseline: String::new(),
    }
}

/// A measure id from a small number.
pub fn measure_id(n: u128) -> MeasureId {
    MeasureId(uuid(n))
}

/// A plan id from a small number.
pub fn plan_id(n: u128) -> PlanId {
    PlanId(uuid(n))
}

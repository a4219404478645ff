//! The chase list: for a report period, what each measure of the plan still lacks — a value,
//! its sign-off, a data note, its approval, a status, a direction of travel — by directorate
//! and lead officer, with the day each is due ([`scoreledger_domain::chase`]), judged from
//! the log so that it is never behind what was entered a moment ago.

use chrono::NaiveDate;
use serde::Serialize;

use scoreledger_domain::chase::{missing, Lack};
use scoreledger_domain::{MeasureRef, Period};
use scoreledger_projections::scorecard::{checkpoint, find_plan};
use scoreledger_projections::{measures_of_plan, ReadModels};
use scoreledger_store::{load, EventStore, ReadError};

/// One thing a measure lacks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChaseItem {
    /// The measure's directorate.
    pub directorate: String,
    /// Its lead officer.
    pub lead_officer: String,
    /// The measure.
    pub measure: MeasureRef,
    /// Its text.
    pub title: String,
    /// What it lacks.
    pub lack: Lack,
    /// The period it is lacking for.
    pub period: Period,
    /// When it is due.
    pub due_on: NaiveDate,
    /// Whether that day has passed.
    pub overdue: bool,
    /// For a check: who entered what is to be checked, who may not check it.
    pub entered_by: Option<String>,
}

impl ChaseItem {
    /// What is lacking, as people read it.
    pub fn what(&self) -> &'static str {
        self.lack.label()
    }
}

/// A plan's chase list for a period.
#[derive(Debug, Clone, Serialize)]
pub struct ChaseList {
    /// The plan.
    pub plan: String,
    /// The report period.
    pub period: Period,
    /// The day the list was made (the store's clock), against which items are overdue.
    pub today: NaiveDate,
    /// Measures that apply in the period.
    pub measures: usize,
    /// What is lacking, by directorate, lead officer, measure and period.
    pub items: Vec<ChaseItem>,
}

impl ChaseList {
    /// How many of its items are overdue.
    pub fn overdue(&self) -> usize {
        self.items.iter().filter(|item| item.overdue).count()
    }

    /// How many measures lack something.
    pub fn measures_lacking(&self) -> usize {
        let mut measures: Vec<&MeasureRef> = self.items.iter().map(|item| &item.measure).collect();
        measures.sort();
        measures.dedup();
        measures.len()
    }
}

/// Why a chase list could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ChaseError {
    /// No plan covers the period.
    #[error("no plan covers {0}; import one first")]
    NoPlan(Period),
    /// The read models did not answer which measures the plan has.
    #[error("failed to list the plan's measures from the read models")]
    Lookup(#[from] sqlx::Error),
    /// A measure's stream could not be read.
    #[error("failed to read a measure from the log")]
    Read(#[from] ReadError),
}

/// The chase list of `period`, each item due `days_after` days after its period ends, kept to
/// `directorate` when one is given (an officer's own).
pub async fn chase_list(
    store: &dyn EventStore,
    read: &ReadModels,
    period: Period,
    days_after: u32,
    directorate: Option<&str>,
) -> Result<ChaseList, ChaseError> {
    let at = checkpoint(read).await?;
    let plan = find_plan(read, &period, at)
        .await?
        .ok_or(ChaseError::NoPlan(period))?;
    let today = store.clock().now().date_naive();
    let mut measures = 0;
    let mut items = Vec::new();
    for measure_id in measures_of_plan(read, plan.plan_id).await? {
        let (state, _) = load(store, &measure_id.stream()).await?;
        let Some(measure) = state.measure() else {
            continue;
        };
        let definition = &measure.definition;
        if !measure.applies_in(&period)
            || directorate.is_some_and(|d| !definition.in_directorate(d))
        {
            continue;
        }
        measures += 1;
        items.extend(
            missing(measure, &period, days_after)
                .into_iter()
                .map(|lacking| ChaseItem {
                    directorate: definition.directorate.clone(),
                    lead_officer: definition.lead_officer.clone(),
                    measure: definition.measure_ref.clone(),
                    title: definition.title.clone(),
                    lack: lacking.lack,
                    period: lacking.period,
                    due_on: lacking.due_on,
                    overdue: lacking.due_on < today,
                    entered_by: lacking.entered_by,
                }),
        );
    }
    // A measure's months before its quarter, each period's lacks in the order they are met.
    items.sort_by_key(|item| {
        (
            item.directorate.clone(),
            item.lead_officer.clone(),
            item.measure.clone(),
            item.period.end_date(),
            std::cmp::Reverse(item.period.start_date()),
            item.lack,
        )
    });
    Ok(ChaseList {
        plan: plan.name,
        period,
        today,
        measures,
        items,
    })
}

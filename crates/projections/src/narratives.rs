//! What the report narrative said of each measure for a period as at a log position: the
//! version of `narratives_history` current then, so the narrative a publication went out with
//! is read at its cut-off, not as it was later rewritten.

use scoreledger_domain::{MeasureRef, Period, PlanId, Position};

use crate::read_models::ReadModels;
use crate::scorecard::as_at;

/// One measure's narrative for a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Narrative {
    /// The measure (normalised reference).
    pub measure_ref: String,
    /// The narrative, whole.
    pub text: String,
}

/// The narratives of `plan`'s measures for `period` as the log stood at `at`, in reference
/// order.
pub async fn narratives_as_at(
    read: &ReadModels,
    plan: PlanId,
    period: &Period,
    at: Position,
) -> Result<Vec<Narrative>, sqlx::Error> {
    let rows = sqlx::query_as::<_, (String, String)>(&format!(
        "SELECT m.measure_ref, n.text FROM narratives_history n JOIN measures m USING (measure_id) \
         WHERE m.plan_id = $1 AND n.period = $2 AND {}",
        as_at("n", 3)
    ))
    .bind(plan.to_string())
    .bind(period.to_string())
    .bind(at.0 as i64)
    .fetch_all(read.pool())
    .await?;
    let mut narratives: Vec<Narrative> = rows
        .into_iter()
        .map(|(measure_ref, text)| Narrative { measure_ref, text })
        .collect();
    narratives.sort_by_key(|n| MeasureRef::parse(&n.measure_ref).ok());
    Ok(narratives)
}

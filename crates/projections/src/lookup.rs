//! Small lookups the command side needs: a measure by reference, how far a plan has
//! published, and which position the log had reached at a moment in time.

use crate::read_models::ReadModels;
use chrono::{DateTime, NaiveDate, Utc};

use scoreledger_domain::{MeasureId, Period, PlanId, Position};

/// The measure with reference `measure_ref` in the plan covering `period` (or, failing
/// that, in the most recently defined plan that has it).
pub async fn find_measure(
    read: &ReadModels,
    measure_ref: &str,
    period: Option<&Period>,
) -> Result<Option<(MeasureId, PlanId)>, sqlx::Error> {
    let fy = period.map(|p| Period::financial_year(p.financial_year_of()).to_string());
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT m.measure_id, m.plan_id FROM measures m JOIN plans p USING (plan_id) \
         WHERE m.measure_ref = $1 ORDER BY (p.financial_year = $2) DESC, m.recorded_from_position DESC LIMIT 1",
    )
    .bind(measure_ref)
    .bind(fy)
    .fetch_optional(read.pool())
    .await?;
    row.map(|(measure, plan)| {
        let measure = measure
            .parse()
            .map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        let plan = plan.parse().map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        Ok((MeasureId(measure), PlanId(plan)))
    })
    .transpose()
}

/// Every measure of a plan, in the order they were defined.
pub async fn measures_of_plan(
    read: &ReadModels,
    plan_id: PlanId,
) -> Result<Vec<MeasureId>, sqlx::Error> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT measure_id FROM measures WHERE plan_id = $1 ORDER BY recorded_from_position, measure_id",
    )
    .bind(plan_id.to_string())
    .fetch_all(read.pool())
    .await?;
    ids.into_iter()
        .map(|id| {
            id.parse()
                .map(MeasureId)
                .map_err(|e| sqlx::Error::Decode(Box::new(e)))
        })
        .collect()
}

/// The end of the latest period the plan has published a report for.
pub async fn published_through(
    read: &ReadModels,
    plan_id: PlanId,
) -> Result<Option<NaiveDate>, sqlx::Error> {
    let periods: Vec<String> =
        sqlx::query_scalar("SELECT period FROM reports_published WHERE plan_id = $1")
            .bind(plan_id.to_string())
            .fetch_all(read.pool())
            .await?;
    Ok(periods
        .iter()
        .filter_map(|p| Period::parse(p).ok())
        .map(|p| p.end_date())
        .max())
}

/// The end of the log as it stood just before `moment`: the position before the first commit
/// recorded at or after it (0 if the log began after it), or `None` when every commit
/// projected was recorded before it. The log's order is its positions, not its clocks: a
/// commit stamped earlier than those before it (a clock set back, a replica's skew) must not
/// pull the later commits into "as the log stood then".
pub async fn position_before(
    read: &ReadModels,
    moment: DateTime<Utc>,
) -> Result<Option<Position>, sqlx::Error> {
    let first_after: Option<i64> =
        sqlx::query_scalar("SELECT MIN(position) FROM history WHERE recorded_at >= $1")
            .bind(moment.to_rfc3339())
            .fetch_one(read.pool())
            .await?;
    Ok(first_after.map(|p| Position(p.saturating_sub(1).max(0) as u64)))
}

//! One measure as the log stood at a position, found by its reference.

use scoreledger_domain::{MeasureRef, Position};
use scoreledger_projections::{self as projections, MeasureView, ReadModels};

use crate::QueryError;

/// The measure `reference` (as printed or normalised: `4B5(b)`, `4.B5 (b)`) as known at `at`.
pub async fn measure_at(
    read: &ReadModels,
    reference: &str,
    at: Position,
) -> Result<MeasureView, QueryError> {
    let measure_ref = MeasureRef::parse(reference)
        .map_err(|err| QueryError::Rejected(format!("measure: {err}")))?;
    let not_found = || {
        QueryError::NotFound(format!(
            "no measure {measure_ref} is defined at position {at}"
        ))
    };
    let (measure_id, _) = projections::find_measure(read, measure_ref.as_str(), None)
        .await?
        .ok_or_else(not_found)?;
    projections::measure_as_at(read, measure_id, at)
        .await?
        .ok_or_else(not_found)
}

//! What has changed in a published report since it was published, with the changes behind it.

use scoreledger_domain::{Period, Position};
use scoreledger_projections::{self as projections, HistoryFilter, Publication, ReadModels};
use scoreledger_reports::{restatements, Restatement};
use serde::Serialize;

use crate::error::QueryError;
use crate::published::report_at;

/// The restatements of one publication, as of one later position.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Restated {
    /// The publication.
    pub report: Publication,
    /// The log position the report was compared at.
    pub compared_at: u64,
    /// Every cell that reads differently, with the changes behind it.
    pub restatements: Vec<Restatement>,
}

/// The restatements of `publication` as the log stands at `at`.
pub async fn restated(
    read: &ReadModels,
    publication: Publication,
    at: Position,
) -> Result<Restated, QueryError> {
    let reported =
        Period::parse(&publication.period).map_err(|err| QueryError::Rejected(err.to_string()))?;
    let cut_off = Position(publication.cut_off as u64);
    let then = report_at(read, reported, cut_off).await?;
    let now = report_at(read, reported, at).await?;
    let since = projections::history(
        read,
        &HistoryFilter {
            after: Some(cut_off),
            through: Some(at),
            ..HistoryFilter::default()
        },
    )
    .await?;
    Ok(Restated {
        report: publication,
        compared_at: at.0,
        restatements: restatements(&then, &now, &since),
    })
}

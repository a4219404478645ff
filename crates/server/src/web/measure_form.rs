//! What every form on a measure's page does before its change is judged: find the measure of
//! the period's plan, find what the same form landed if it was sent before (by its key, so a
//! double click or the back button lands nothing new), and read the measure as it stands, to
//! judge the form against the version it was drawn from.

use axum::http::StatusCode;
use scoreledger_domain::{Period, PlanId, StreamId, StreamState, StreamVersion};
use scoreledger_projections as projections;
use scoreledger_service::SubmitError;
use scoreledger_store::{derived_id, load};
use uuid::Uuid;

use super::layout::PageError;
use crate::auth::Session;
use crate::error::ApiError;
use crate::ServerState;

/// The measure a form is about, read for judging.
pub(super) struct Target {
    /// The plan whose locks and publications it is judged against.
    pub(super) plan_id: PlanId,
    /// The measure's stream.
    pub(super) stream: StreamId,
    /// The form's commit id: the session's token, the form's key and the stream.
    pub(super) commit_id: Uuid,
    /// The measure as it stands.
    pub(super) current: StreamState,
    /// Its version now.
    pub(super) version: StreamVersion,
}

impl Target {
    /// Refuses a form drawn from another version of the measure as a conflict, before it is
    /// judged: what changed meanwhile may change what the form means.
    pub(super) fn drawn_at(&self, version: u64) -> Result<(), PageError> {
        if self.version.0 == version {
            return Ok(());
        }
        Err(PageError(ApiError::from(SubmitError::Stale {
            expected: StreamVersion(version),
            current: self.version,
        })))
    }
}

/// What the form finds.
pub(super) enum Found {
    /// The same form landed before, at this position.
    Landed(u64),
    /// The measure, to judge the form against.
    Measure(Box<Target>),
}

/// Finds the measure `reference` of `period`'s plan for a form of `kind` sent with `key`.
pub(super) async fn find(
    state: &ServerState,
    viewer: &Session,
    reference: &str,
    period: &Period,
    kind: &str,
    key: &str,
) -> Result<Found, PageError> {
    let (measure_id, plan_id) = projections::find_measure(&state.read, reference, Some(period))
        .await?
        .ok_or_else(|| {
            PageError(ApiError::new(
                StatusCode::NOT_FOUND,
                format!("no measure {reference} is defined"),
            ))
        })?;
    let stream = measure_id.stream();
    let commit_id = derived_id(&[kind, &viewer.token_id, key.trim(), stream.as_str()]);
    let unavailable = |err| PageError(ApiError::log_unavailable(err));
    if let Some(landed) = state
        .store
        .find_commit(&stream, commit_id)
        .await
        .map_err(unavailable)?
    {
        return Ok(Found::Landed(landed.position.0));
    }
    let (current, version) = load(&*state.store, &stream).await.map_err(unavailable)?;
    Ok(Found::Measure(Box::new(Target {
        plan_id,
        stream,
        commit_id,
        current,
        version,
    })))
}

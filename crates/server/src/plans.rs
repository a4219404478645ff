//! `GET /api/plans`: the plans with their priorities and outcomes, the structure a client
//! needs to define a measure (`POST /api/measures`).

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use scoreledger_domain::Position;
use scoreledger_projections::{self as projections, PlanView};
use scoreledger_service::{self as service, AsAt};

use crate::auth::Session;
use crate::error::{ApiError, ErrorBody};
use crate::queries::When;
use crate::ServerState;

/// The position `when` asks for, as every query resolves it: `min_position` (or `position`)
/// first caught up to, then `as_at` or `position`, or now.
async fn position(state: &ServerState, when: &When) -> Result<Position, ApiError> {
    let mut now = projections::checkpoint(&state.read).await?;
    if let Some(min) = when.min_position.max(when.position).map(Position) {
        if min > now {
            now = projections::drain(&*state.store, &state.read, 1000, |_| {})
                .await
                .map_err(|err| {
                    ApiError::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        format!("the read models could not catch up with the log: {err}"),
                    )
                })?;
        }
        if min > now {
            return Err(ApiError::unprocessable(format!(
                "position {min} is beyond the end of the log ({now})"
            )));
        }
    }
    let as_at = match (when.as_at, when.position) {
        (Some(_), Some(_)) => {
            return Err(ApiError::unprocessable("give as_at or position, not both"))
        }
        (Some(day), None) => AsAt::EndOf(day),
        (None, Some(p)) => AsAt::Position(Position(p)),
        (None, None) => AsAt::Now,
    };
    Ok(service::resolve(&state.read, now, as_at).await?)
}

/// Every plan defined by then, with its priorities and the outcomes under each.
#[utoipa::path(get, path = "/api/plans", tag = "plans",
    params(When),
    responses(
        (status = 200, description = "Plans, oldest first", body = [Object]),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 422, description = "A position past the end of the log", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn plans(
    State(state): State<ServerState>,
    _session: Session,
    Query(when): Query<When>,
) -> Result<Json<Vec<PlanView>>, ApiError> {
    let at = position(&state, &when).await?;
    Ok(Json(projections::plans_as_at(&state.read, at).await?))
}

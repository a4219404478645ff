//! `GET /api/plans`: the plans with their priorities and outcomes, the structure a client
//! needs to define a measure (`POST /api/measures`).

use axum::extract::State;
use axum::Json;
use scoreledger_projections::{self as projections, PlanView};

use crate::auth::Session;
use crate::error::{ApiError, ErrorBody};
use crate::queries::{position, When};
use crate::responses::QueryErrors;
use crate::ServerState;

/// Every plan defined by then, with its priorities and the outcomes under each.
#[utoipa::path(get, path = "/api/plans", tag = "plans",
    params(When),
    responses(
        (status = 200, description = "Plans, oldest first", body = [PlanView]),
        (status = 422, description = "A position past the end of the log, or both as_at and position", body = ErrorBody),
        QueryErrors),
    security(("bearer" = [])))]
pub async fn plans(
    State(state): State<ServerState>,
    _session: Session,
    crate::queries::Params(when): crate::queries::Params<When>,
) -> Result<Json<Vec<PlanView>>, ApiError> {
    let at = position(&state, &when).await?;
    Ok(Json(projections::plans_as_at(&state.read, at).await?))
}

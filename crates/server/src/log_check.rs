//! `GET /api/verification`: the whole log verified as `scoreledger verify` does it. A log that
//! fails is answered 200 with `verified: false` and the finding, never a server error.

use axum::extract::State;
use axum::Json;
use scoreledger_service::{self as service, LogCheck};

use crate::auth::Session;
use crate::error::ApiError;
use crate::responses::QueryErrors;
use crate::ServerState;

/// Verifies the log as stored: every commit's hash recomputed from what is stored, every
/// stream's chain of hashes and versions, the positions (no gap, repeat or reordering), and the
/// read models not ahead of the log. A finding is logged at ERROR: it means tampering or damage.
#[utoipa::path(get, path = "/api/verification", tag = "operations",
    responses(
        (status = 200, description = "The check ran: `verified`, and when false the first `finding` with its position and kind", body = LogCheck),
        QueryErrors),
    security(("bearer" = [])))]
pub async fn verify(
    State(state): State<ServerState>,
    _session: Session,
) -> Result<Json<LogCheck>, ApiError> {
    let check = service::check_log(&*state.store, &state.read, |_, _| {}).await?;
    if let Some(finding) = &check.finding {
        tracing::error!(kind = %finding.kind, position = finding.position, finding = %finding.message,
            "the log fails verification");
    }
    Ok(Json(check))
}

//! The admin's view of the pages' web sessions: `GET /api/sessions` lists those that still
//! work, with whose they are; `DELETE /api/sessions/{id}` ends one, so its cookie stops
//! working at once. Who may do this is who may revoke a token (`permit`, in the domain).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use scoreledger_domain::{permit, CommandKind};
use scoreledger_projections as projections;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Session;
use crate::error::{ApiError, ErrorBody};
use crate::responses::QueryErrors;
use crate::ServerState;

/// One web session that still works (never its secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    /// Its id, to end it with.
    pub session_id: String,
    /// The token signed in with.
    pub token_id: String,
    /// Whose it is.
    pub user_id: String,
    /// Their name.
    pub name: String,
    /// The role the token acts in.
    pub role: String,
    /// When it started (RFC 3339).
    pub started_at: String,
    /// When it was last used.
    pub last_seen_at: String,
    /// When it ends unless used again.
    pub idle_expires_at: String,
    /// When it ends whatever happens.
    pub expires_at: String,
}

/// Ending a session is a lesser revocation of its token: whoever may revoke tokens may do it.
fn may_manage_sessions(session: &Session) -> Result<(), ApiError> {
    permit(Some(session.actor.role), CommandKind::RevokeToken).map_err(|_| {
        ApiError::new(
            StatusCode::FORBIDDEN,
            format!(
                "a {} may not list or end web sessions; ask an admin",
                session.actor.role
            ),
        )
    })
}

/// The pages' web sessions that still work, oldest first, with whose they are (admins only).
#[utoipa::path(get, path = "/api/sessions", tag = "sessions",
    responses(
        (status = 200, description = "The sessions that still work, oldest first (never their secrets)", body = [SessionView]),
        (status = 403, description = "Only an admin lists web sessions", body = ErrorBody),
        QueryErrors),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<ServerState>,
    session: Session,
) -> Result<Json<Vec<SessionView>>, ApiError> {
    may_manage_sessions(&session)?;
    state.catch_up_for_reading().await?;
    let now = state.clock.now();
    let mut live = Vec::new();
    for row in projections::open_sessions(&state.read).await? {
        if !row.live_at(now) {
            continue;
        }
        let Some(token) = projections::token_by_id(&state.read, &row.token_id).await? else {
            continue;
        };
        if !token.valid_on(now.date_naive()) {
            continue;
        }
        live.push(SessionView {
            session_id: row.session_id,
            token_id: row.token_id,
            user_id: token.user_id,
            name: token.name,
            role: token.role,
            started_at: row.started_at,
            last_seen_at: row.last_seen_at,
            idle_expires_at: row.idle_expires_at,
            expires_at: row.expires_at,
        });
    }
    Ok(Json(live))
}

/// Ends a web session at once: its cookie stops working everywhere (admins only).
#[utoipa::path(delete, path = "/api/sessions/{session}", tag = "sessions",
    params(("session" = String, Path, description = "A session's id, as `GET /api/sessions` lists it")),
    responses(
        (status = 204, description = "Ended"),
        (status = 403, description = "Only an admin ends web sessions", body = ErrorBody),
        (status = 404, description = "No open web session has that id", body = ErrorBody),
        QueryErrors),
    security(("bearer" = [])))]
pub async fn end(
    State(state): State<ServerState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    may_manage_sessions(&session)?;
    let by = format!("{} ({})", session.actor.name, session.actor.id);
    if crate::web::end_session(&state, id.trim(), &by).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!("no open web session has the id {id:?}; see GET /api/sessions"),
        ))
    }
}

//! The admin's view of the pages' web sessions: `GET /api/sessions` lists those that still
//! work, with whose they are; `DELETE /api/sessions/{id}` ends one, so its cookie stops
//! working at once. Who may do this is who may revoke a token (`may_issue`, in the domain).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use scoreledger_domain::decide::may_issue;
use scoreledger_domain::{Command, TokenId};
use scoreledger_projections as projections;
use serde::Serialize;

use crate::auth::Session;
use crate::error::ApiError;
use crate::ServerState;

/// One web session that still works (never its secret).
#[derive(Debug, Serialize)]
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
    let revoke = Command::RevokeToken {
        token_id: TokenId(uuid::Uuid::nil()),
    };
    if may_issue(session.actor.role, &revoke) {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            format!(
                "a {} may not list or end web sessions; ask an admin",
                session.actor.role
            ),
        ))
    }
}

/// `GET /api/sessions`: the web sessions that still work, oldest first.
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

/// `DELETE /api/sessions/{id}`: ends a session; 204, or 404 if no open session has that id.
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

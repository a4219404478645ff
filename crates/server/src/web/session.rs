//! Web sessions: signing in with a token starts one on the server, and the browser's cookie
//! carries only the session's random secret, never the token's (a cookie that leaks, or
//! outlives a sign-out, is not an API credential). Only the secret's SHA-256 is stored. A
//! session ends when its reader signs out, when an admin ends it, after `IDLE` unused, after
//! `LIFETIME` whatever happens, and as soon as its token is revoked or expires.

use chrono::{DateTime, Duration, Utc};
use scoreledger_projections as projections;
use sha2::{Digest, Sha256};

use crate::auth::Session;
use crate::error::ApiError;
use crate::ServerState;

/// How long a session lasts at most, used or not.
pub(crate) const LIFETIME: Duration = Duration::hours(8);
/// How long a session lasts unused.
pub(crate) const IDLE: Duration = Duration::minutes(30);
/// How often a session's use is written down (not at every page, to spare the database).
const TOUCH_EVERY: Duration = Duration::minutes(1);

/// Prefix of every session secret, so one found in a paste is recognisable as such.
const SECRET_PREFIX: &str = "sls_";

fn sha256(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Why a cookie does not stand for a reader.
#[derive(Debug)]
pub(crate) enum Refusal {
    /// The session is unknown, signed out, ended by an admin or past a deadline.
    Ended,
    /// The session's token is no longer accepted (revoked or expired).
    TokenRefused,
    /// The read models or the log did not answer.
    Failed(ApiError),
}

/// Starts a session for `session`'s token; returns the secret for the cookie.
pub(crate) async fn start(state: &ServerState, session: &Session) -> Result<String, ApiError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|err| {
        ApiError::new(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            format!("the operating system gave no random bytes for a session: {err}"),
        )
    })?;
    let secret = crate::councils::secret(
        SECRET_PREFIX,
        state.council.as_deref().map(|council| &council.id),
        &hex::encode(bytes),
    );
    let now = state.clock.now();
    let at = projections::session_time(now);
    let row = projections::SessionRow {
        session_id: scoreledger_store::new_id().to_string(),
        token_id: session.token_id.clone(),
        started_at: at.clone(),
        last_seen_at: at,
        idle_expires_at: projections::session_time(now + IDLE),
        expires_at: projections::session_time(now + LIFETIME),
        ended_at: None,
        ended_by: None,
    };
    projections::start_session(&state.read, &row, &sha256(&secret)).await?;
    tracing::info!(session = %row.session_id, user = %session.actor.id, "started a web session");
    Ok(secret)
}

/// The reader whose cookie carries `secret`, if its session and its token still work; notes
/// the use, which moves the idle deadline.
pub(crate) async fn resume(state: &ServerState, secret: &str) -> Result<Session, Refusal> {
    if !crate::councils::belongs(state, secret) {
        return Err(Refusal::Ended);
    }
    let now = state.clock.now();
    let row = projections::session_by_secret(&state.read, &sha256(secret))
        .await
        .map_err(|err| Refusal::Failed(err.into()))?
        .filter(|row| row.live_at(now))
        .ok_or(Refusal::Ended)?;
    let session = match Session::from_token_id(state, &row.token_id).await {
        Ok(session) => session,
        Err(err) if err.status == axum::http::StatusCode::UNAUTHORIZED => {
            // The token's end is the session's end, for the admin's list too.
            end(state, &row.session_id, now, "token no longer accepted")
                .await
                .map_err(Refusal::Failed)?;
            return Err(Refusal::TokenRefused);
        }
        Err(err) => return Err(Refusal::Failed(err)),
    };
    if row.last_seen().is_none_or(|seen| now - seen >= TOUCH_EVERY) {
        let idle = (now + IDLE).min(
            chrono::DateTime::parse_from_rfc3339(&row.expires_at)
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or(now),
        );
        projections::touch_session(
            &state.read,
            &row.session_id,
            &projections::session_time(now),
            &projections::session_time(idle),
        )
        .await
        .map_err(|err| Refusal::Failed(err.into()))?;
    }
    Ok(session)
}

/// Ends the session whose cookie carries `secret` (signing out); nothing if there is none.
pub(crate) async fn end_by_secret(state: &ServerState, secret: &str) -> Result<(), ApiError> {
    if !crate::councils::belongs(state, secret) {
        return Ok(());
    }
    if let Some(row) = projections::session_by_secret(&state.read, &sha256(secret)).await? {
        end(state, &row.session_id, state.clock.now(), "signed out").await?;
    }
    Ok(())
}

/// Ends a session at `at`; whether it was open.
pub(crate) async fn end(
    state: &ServerState,
    session_id: &str,
    at: DateTime<Utc>,
    by: &str,
) -> Result<bool, ApiError> {
    let ended =
        projections::end_session(&state.read, session_id, &projections::session_time(at), by)
            .await?;
    if ended {
        tracing::info!(session = %session_id, by, "ended a web session");
    }
    Ok(ended)
}

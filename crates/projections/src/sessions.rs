//! Web sessions of the pages, as the server keeps them: found by the SHA-256 of the secret in
//! a browser's cookie, bound to the token signed in with, with an absolute and an idle
//! deadline. Written by the server, not projected from the log (see the migration).

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use crate::read_models::ReadModels;

/// One session (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct SessionRow {
    /// The session's public id (what an admin names to end it).
    pub session_id: String,
    /// The token it was started with.
    pub token_id: String,
    /// When it started (RFC 3339).
    pub started_at: String,
    /// When it was last used (RFC 3339).
    pub last_seen_at: String,
    /// When it ends unless used again (RFC 3339).
    pub idle_expires_at: String,
    /// When it ends whatever happens (RFC 3339).
    pub expires_at: String,
    /// When it was ended (signed out or by an admin), if it was.
    pub ended_at: Option<String>,
    /// Who ended it, if anyone did.
    pub ended_by: Option<String>,
}

/// A time as the sessions table writes it.
pub fn session_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn parse(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

impl SessionRow {
    /// Whether the session still works at `now`: not ended, and before both deadlines. An
    /// unreadable deadline fails closed.
    pub fn live_at(&self, now: DateTime<Utc>) -> bool {
        let before = |deadline: &str| parse(deadline).is_some_and(|d| now < d);
        self.ended_at.is_none() && before(&self.idle_expires_at) && before(&self.expires_at)
    }

    /// When it was last used, if readable.
    pub fn last_seen(&self) -> Option<DateTime<Utc>> {
        parse(&self.last_seen_at)
    }
}

const COLUMNS: &str = "session_id, token_id, started_at, last_seen_at, idle_expires_at, \
                       expires_at, ended_at, ended_by";

/// Records a new session whose secret hashes to `secret_sha256`.
pub async fn start_session(
    read: &ReadModels,
    session: &SessionRow,
    secret_sha256: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sessions (session_id, secret_sha256, token_id, started_at, last_seen_at, \
         idle_expires_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&session.session_id)
    .bind(secret_sha256)
    .bind(&session.token_id)
    .bind(&session.started_at)
    .bind(&session.last_seen_at)
    .bind(&session.idle_expires_at)
    .bind(&session.expires_at)
    .execute(read.pool())
    .await?;
    Ok(())
}

/// The session whose secret hashes to `secret_sha256`, if any.
pub async fn session_by_secret(
    read: &ReadModels,
    secret_sha256: &str,
) -> Result<Option<SessionRow>, sqlx::Error> {
    sqlx::query_as::<_, SessionRow>(&format!(
        "SELECT {COLUMNS} FROM sessions WHERE secret_sha256 = $1"
    ))
    .bind(secret_sha256)
    .fetch_optional(read.pool())
    .await
}

/// Notes that a session was used at `at`, moving its idle deadline to `idle_expires_at`.
pub async fn touch_session(
    read: &ReadModels,
    session_id: &str,
    at: &str,
    idle_expires_at: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE sessions SET last_seen_at = $1, idle_expires_at = $2 \
         WHERE session_id = $3 AND ended_at IS NULL",
    )
    .bind(at)
    .bind(idle_expires_at)
    .bind(session_id)
    .execute(read.pool())
    .await?;
    Ok(())
}

/// Ends a session at `at`, by `by`. Whether it was there to end (known and not yet ended).
pub async fn end_session(
    read: &ReadModels,
    session_id: &str,
    at: &str,
    by: &str,
) -> Result<bool, sqlx::Error> {
    let ended = sqlx::query(
        "UPDATE sessions SET ended_at = $1, ended_by = $2 \
         WHERE session_id = $3 AND ended_at IS NULL",
    )
    .bind(at)
    .bind(by)
    .bind(session_id)
    .execute(read.pool())
    .await?;
    Ok(ended.rows_affected() > 0)
}

/// Every session not ended by anyone, oldest first (callers keep those `live_at` now).
pub async fn open_sessions(read: &ReadModels) -> Result<Vec<SessionRow>, sqlx::Error> {
    sqlx::query_as::<_, SessionRow>(&format!(
        "SELECT {COLUMNS} FROM sessions WHERE ended_at IS NULL ORDER BY started_at, session_id"
    ))
    .fetch_all(read.pool())
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(idle: &str, absolute: &str, ended_at: Option<&str>) -> SessionRow {
        SessionRow {
            session_id: "s".into(),
            token_id: "t".into(),
            started_at: "2017-01-13T09:00:00Z".into(),
            last_seen_at: "2017-01-13T09:00:00Z".into(),
            idle_expires_at: idle.into(),
            expires_at: absolute.into(),
            ended_at: ended_at.map(str::to_owned),
            ended_by: None,
        }
    }

    #[test]
    fn a_session_works_until_either_deadline_and_never_once_ended() {
        let at = |t: &str| parse(t).unwrap();
        let live = row("2017-01-13T09:30:00Z", "2017-01-13T17:00:00Z", None);
        assert!(live.live_at(at("2017-01-13T09:29:59Z")));
        assert!(!live.live_at(at("2017-01-13T09:30:00Z")));
        let late = row("2017-01-13T17:30:00Z", "2017-01-13T17:00:00Z", None);
        assert!(!late.live_at(at("2017-01-13T17:00:00Z")));
        let ended = row("2017-01-13T09:30:00Z", "2017-01-13T17:00:00Z", Some("x"));
        assert!(!ended.live_at(at("2017-01-13T09:00:00Z")));
        assert!(!row("soon", "2017-01-13T17:00:00Z", None).live_at(at("2017-01-13T09:00:00Z")));
    }
}

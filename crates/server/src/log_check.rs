//! `GET /api/verification`: the whole log verified as `scoreledger verify` does it. A log that
//! fails is answered 200 with `verified: false` and the finding, never a server error.
//!
//! The last result is kept in the server's state (whoever ran it: a request, or the periodic
//! check of `scoreledger serve`) so that `/readyz` and `/metrics` carry it.

use std::future::Future;
use std::sync::RwLock;
use std::time::Duration;

use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use scoreledger_service::{self as service, LogCheck, LogCheckOptions, LogFinding, QueryError};

use crate::auth::Session;
use crate::error::ApiError;
use crate::responses::QueryErrors;
use crate::ServerState;

/// The outcome of the last verification of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct LastVerification {
    /// Whether the log verified (and the read models were not ahead of it).
    pub verified: bool,
    /// The position of the last commit when the check started.
    pub head: u64,
    /// When the check finished.
    pub at: DateTime<Utc>,
    /// The first thing wrong, when the log did not verify.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finding: Option<LogFinding>,
}

/// Where the last verification is kept between checks.
#[derive(Debug, Default)]
pub struct LastCheck(RwLock<Option<LastVerification>>);

impl LastCheck {
    /// The last verification, if one has finished since the server started.
    pub fn get(&self) -> Option<LastVerification> {
        self.0
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn set(&self, last: LastVerification) {
        *self
            .0
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(last);
    }
}

/// Verifies the log and keeps the result for `/readyz` and `/metrics`. A finding is logged at
/// ERROR: it means tampering or damage.
pub async fn check_and_record(state: &ServerState) -> Result<LogCheck, QueryError> {
    let options = match &state.checkpoints {
        Some(dir) => {
            let (ring, _) = service::checkpoints::key_ring(&*state.store)
                .await
                .map_err(|err| QueryError::Replay(err.into()))?;
            let witnesses =
                service::checkpoints::exported_checkpoints(dir, &ring).unwrap_or_else(|err| {
                    tracing::error!(error = %err, "an exported checkpoint cannot be read");
                    Vec::new()
                });
            LogCheckOptions {
                witnesses,
                ..LogCheckOptions::default()
            }
        }
        None => LogCheckOptions::default(),
    };
    let check = service::check_log_with(&*state.store, &state.read, options, |_, _| {}).await?;
    if let Some(finding) = &check.finding {
        tracing::error!(kind = %finding.kind, position = finding.position, finding = %finding.message,
            "the log fails verification");
    }
    let last = LastVerification {
        verified: check.verified,
        head: check.head,
        at: state.clock.now(),
        finding: check.finding.clone(),
    };
    state.metrics.verified(&last);
    state.last_verification.set(last);
    Ok(check)
}

/// Verifies the log at once and then every `every` until `stop` resolves, for `scoreledger
/// serve`: a log tampered with while the service runs turns `/readyz` 503 and
/// `scoreledger_log_verified` 0 within one interval. A check that cannot run (the log or the
/// read models do not answer) is logged and leaves the last result standing; `/readyz` reports
/// the outage on its own.
pub async fn verify_periodically(
    state: ServerState,
    every: Duration,
    stop: impl Future<Output = ()>,
) {
    let mut stop = std::pin::pin!(stop);
    loop {
        // A long check must not hold up shutdown.
        tokio::select! {
            () = &mut stop => return,
            checked = check_and_record(&state) => if let Err(err) = checked {
                tracing::warn!(error = %err, "the periodic verification of the log could not run; trying again in {}s", every.as_secs());
            },
        }
        tokio::select! {
            () = &mut stop => return,
            () = tokio::time::sleep(every) => {}
        }
    }
}

/// Verifies the log as stored: every commit's hash recomputed from what is stored, every
/// stream's chain of hashes and versions, the positions (no gap, repeat or reordering), and the
/// read models not ahead of the log. A finding is logged at ERROR: it means tampering or damage.
/// The result is also what `/readyz` and `/metrics` report until the next check.
#[utoipa::path(get, path = "/api/verification", tag = "operations",
    responses(
        (status = 200, description = "The check ran: `verified`, and when false the first `finding` with its position and kind", body = LogCheck),
        QueryErrors),
    security(("bearer" = [])))]
pub async fn verify(
    State(state): State<ServerState>,
    _session: Session,
) -> Result<Json<LogCheck>, ApiError> {
    Ok(Json(check_and_record(&state).await?))
}

//! `/healthz` (the process answers) and `/readyz` (the log and the read models answer, and
//! how far the read models trail the log).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use crate::log_check::LastVerification;
use crate::ServerState;

/// The process is up.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always `ok`.
    pub status: &'static str,
}

/// Liveness: answers as long as the process serves requests; touches nothing else, so a slow
/// database never gets a healthy process restarted.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "The process serves requests", body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// Whether the service can answer queries.
#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    /// `ready` or `unavailable`.
    pub status: &'static str,
    /// The position of the last commit in the log, when the log answered.
    pub log_head: Option<u64>,
    /// The position the read models have projected, when they answered.
    pub read_models_at: Option<u64>,
    /// Commits in the log not yet in the read models.
    pub lag: Option<u64>,
    /// The position of the commit the read models are stopped at because it cannot be read
    /// (and has not been set aside): queries answer up to the position before it.
    pub unreadable_commit: Option<u64>,
    /// The last verification of the log (by `GET /api/verification` or the periodic check of
    /// `scoreledger serve`); absent until one has finished. One that found something makes the
    /// service unready: the log cannot be trusted.
    pub last_verification: Option<crate::log_check::LastVerification>,
    /// What did not answer, and why.
    pub problems: Vec<String>,
}

/// How long readiness waits for the log to say whether the projector's next commit reads.
const READINESS_READ: std::time::Duration = std::time::Duration::from_secs(3);

/// Readiness: the log and the read models both answer, and the last verification of the log
/// (if one has run) found nothing (503 with the reasons otherwise). The lag is reported, not
/// judged: queries wait for the position they need.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses(
        (status = 200, description = "The log and the read models answer", body = Readiness),
        (status = 503, description = "The log or the read models do not answer, the read models are stopped at a commit that cannot be read, or the last verification of the log found tampering or damage", body = Readiness)))]
pub async fn readyz(State(state): State<ServerState>) -> (StatusCode, Json<Readiness>) {
    let mut problems = Vec::new();
    let log_head = match state.store.head().await {
        Ok(head) => Some(head.0),
        Err(err) => {
            problems.push(format!("the event log: {err}"));
            None
        }
    };
    if log_head.is_some() {
        if let Err(err) = state.store.can_take_writes().await {
            problems.push(format!("the event log cannot take writes: {err}"));
        }
    }
    let read_models_at = match scoreledger_projections::checkpoint(&state.read).await {
        Ok(at) => Some(at.0),
        Err(err) => {
            problems.push(format!("the read models: {err}"));
            None
        }
    };
    // A projector stopped at an unreadable commit leaves the service answering old figures:
    // not ready, and the position named, until it is repaired or set aside. Asked only of a
    // log that answered, and not for longer than a probe waits: a read of a replicated log
    // rides out an election, which readiness must report, not wait for.
    let stopped = match log_head {
        Some(_) => tokio::time::timeout(
            READINESS_READ,
            scoreledger_projections::stopped_by(&*state.store, &state.read),
        )
        .await
        .unwrap_or_else(|_| {
            Err(scoreledger_projections::ProjectionError::Read(
                scoreledger_store::ReadError::Unavailable(
                    format!("no answer within {READINESS_READ:?}").into(),
                ),
            ))
        }),
        None => Ok(None),
    };
    let unreadable_commit = match stopped {
        Ok(Some(stop)) => {
            problems.push(format!(
                "the commit at position {} cannot be read ({}); the read models stay at position {} until it is repaired or an admin sets it aside (scoreledger set-aside, POST /api/set-asides)",
                stop.position,
                stop.problem,
                stop.position.0.saturating_sub(1)
            ));
            Some(stop.position.0)
        }
        Ok(None) => None,
        Err(err) => {
            problems.push(format!("the read models' next commit: {err}"));
            None
        }
    };
    // Tampering or damage found by the last verification: answers from this log cannot be
    // trusted, so a load balancer should stop sending traffic here until someone looks.
    let last_verification = state.last_verification.get();
    if let Some(LastVerification {
        finding: Some(finding),
        at,
        ..
    }) = &last_verification
    {
        problems.push(format!(
            "the log failed verification at {at}: {} (GET /api/verification or scoreledger verify checks again); restore the log from a backup that verifies",
            finding.message
        ));
    }
    let ready = problems.is_empty();
    let readiness = Readiness {
        status: if ready { "ready" } else { "unavailable" },
        lag: log_head
            .zip(read_models_at)
            .map(|(head, at)| head.saturating_sub(at)),
        log_head,
        read_models_at,
        unreadable_commit,
        last_verification,
        problems,
    };
    let code = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, Json(readiness))
}

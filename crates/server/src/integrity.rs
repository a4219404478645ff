//! What a witness or an auditor fetches to hold the log to account: `GET /checkpoint` (the
//! latest signed checkpoint, as a C2SP note, for anyone), and RFC 6962 proofs against the
//! checkpoints (`/api/proofs/inclusion`, `/api/proofs/consistency`).

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

use scoreledger_domain::Position;
use scoreledger_service::checkpoints;
use scoreledger_service::proofs::{self, ConsistencyProof, InclusionProof, ProofError};

use crate::auth::Session;
use crate::error::{ApiError, ErrorBody};
use crate::responses::QueryErrors;
use crate::ServerState;

impl From<ProofError> for ApiError {
    fn from(err: ProofError) -> Self {
        match err {
            ProofError::Read(err) => ApiError::log_unavailable(err),
            ProofError::NotFound(_) => ApiError::new(StatusCode::NOT_FOUND, err.to_string()),
            ProofError::Mismatch { .. } => {
                tracing::error!(error = %err, "the log does not match its checkpoint");
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, err.to_string())
            }
        }
    }
}

/// The latest signed checkpoint of the log (C2SP tlog-checkpoint in a signed note), for
/// witnesses: it reveals how many commits the log has and their Merkle tree head, nothing of
/// what they say, so it needs no token.
#[utoipa::path(get, path = "/checkpoint", tag = "operations",
    responses(
        (status = 200, description = "The signed note", body = String, content_type = "text/plain"),
        (status = 404, description = "The log has no checkpoint yet", body = ErrorBody),
        (status = 503, description = "The log did not answer", body = ErrorBody)))]
pub async fn checkpoint(State(state): State<ServerState>) -> Result<Response, ApiError> {
    let latest = checkpoints::latest_checkpoint(&*state.store)
        .await
        .map_err(ApiError::log_unavailable)?;
    let (_, checkpoint, _) = latest.ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "the log has no checkpoint yet; an admin signs one with `scoreledger checkpoint record`",
        )
    })?;
    Ok((
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        checkpoint.note,
    )
        .into_response())
}

/// Which commit, in which checkpoint.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InclusionQuery {
    /// The commit's position.
    pub position: u64,
    /// The size of the checkpoint to prove against (default: the latest).
    pub checkpoint: Option<u64>,
}

/// The proof that the commit at `position` is in a signed checkpoint.
#[utoipa::path(get, path = "/api/proofs/inclusion", tag = "operations",
    params(InclusionQuery),
    responses(
        (status = 200, description = "The audit path, checked before it was sent", body = InclusionProof),
        (status = 404, description = "No such checkpoint, or the commit is not in it", body = ErrorBody),
        (status = 500, description = "The log does not match its checkpoint", body = ErrorBody),
        QueryErrors),
    security(("bearer" = [])))]
pub async fn inclusion(
    State(state): State<ServerState>,
    _session: Session,
    Query(query): Query<InclusionQuery>,
) -> Result<Json<InclusionProof>, ApiError> {
    Ok(Json(
        proofs::inclusion(&*state.store, Position(query.position), query.checkpoint).await?,
    ))
}

/// Which two checkpoints.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConsistencyQuery {
    /// The earlier checkpoint's size.
    pub from: u64,
    /// The later checkpoint's size (default: the latest).
    pub to: Option<u64>,
}

/// The proof that a later checkpoint extends an earlier one.
#[utoipa::path(get, path = "/api/proofs/consistency", tag = "operations",
    params(ConsistencyQuery),
    responses(
        (status = 200, description = "The consistency proof, checked before it was sent", body = ConsistencyProof),
        (status = 404, description = "No such checkpoint, or not in that order", body = ErrorBody),
        (status = 500, description = "The log does not match its checkpoint", body = ErrorBody),
        QueryErrors),
    security(("bearer" = [])))]
pub async fn consistency(
    State(state): State<ServerState>,
    _session: Session,
    Query(query): Query<ConsistencyQuery>,
) -> Result<Json<ConsistencyProof>, ApiError> {
    Ok(Json(
        proofs::consistency(&*state.store, query.from, query.to).await?,
    ))
}

/// Records a signed checkpoint whenever `commits` commits have landed since the last one, or
/// `every` has passed with any new commit, and exports each to the state's directory, until
/// `stop` resolves. Without a signing key there is nothing to sign with: it says so once and
/// returns.
pub async fn checkpoint_periodically(
    state: ServerState,
    commits: u64,
    every: Option<std::time::Duration>,
    stop: impl std::future::Future<Output = ()>,
) {
    if state.store.key().is_none() {
        tracing::warn!("no signing key was given: no checkpoints are signed (pass --signing-key)");
        return;
    }
    let mut stop = std::pin::pin!(stop);
    let mut since = tokio::time::Instant::now();
    loop {
        tokio::select! {
            () = &mut stop => return,
            () = tokio::time::sleep(std::time::Duration::from_secs(1)) => {}
        }
        let Ok(head) = state.store.head().await else {
            continue;
        };
        let Ok(latest) = checkpoints::latest_checkpoint(&*state.store).await else {
            continue;
        };
        // A lock or a publication signs its own checkpoint: it leaves the log here too.
        if let Some((_, checkpoint, _)) = &latest {
            export_if_new(&state, checkpoint);
        }
        let last = latest.map_or(0, |(position, _, _)| position.0);
        let new = head.0.saturating_sub(last);
        let timed = every.is_some_and(|every| since.elapsed() >= every);
        if new == 0 || (new < commits && !timed) {
            continue;
        }
        since = tokio::time::Instant::now();
        match checkpoints::record_checkpoint(&*state.store).await {
            Ok(Some(checkpoint)) => {
                tracing::info!(size = checkpoint.size, root = %checkpoint.root_hex(), "checkpoint signed");
                export_if_new(&state, &checkpoint);
            }
            Ok(None) => {}
            Err(err) => tracing::error!(error = %err, "no checkpoint was signed"),
        }
    }
}

/// Exports `checkpoint` unless it is the one exported last.
fn export_if_new(state: &ServerState, checkpoint: &scoreledger_integrity::SignedCheckpoint) {
    let Some(dir) = &state.checkpoints else {
        return;
    };
    if std::fs::read_to_string(dir.join("latest")).ok().as_deref() == Some(checkpoint.note.as_str())
    {
        return;
    }
    if let Err(err) = checkpoints::export_checkpoint(dir, checkpoint) {
        tracing::error!(error = %err, dir = %dir.display(), "the checkpoint could not be exported");
    }
}

//! The Scoreledger HTTP service (`scoreledger serve`): JSON over HTTP on either backend, the
//! OpenAPI document generated from the handlers, and the operator's health and readiness
//! endpoints.
//!
//! Architecture invariant: handlers hold no domain rules; they translate HTTP to the same
//! `decide`/store/projection calls the CLI makes, so both front ends enforce the same rules.

pub mod health;
pub mod openapi;

use std::future::Future;
use std::sync::Arc;

use axum::routing::get;
use axum::Router;
use scoreledger_projections::ReadModels;
use scoreledger_store::EventStore;
use tokio::net::TcpListener;

/// What every handler shares: the log and the read models.
#[derive(Clone)]
pub struct ServerState {
    /// The event log.
    pub store: Arc<dyn EventStore>,
    /// The read models.
    pub read: ReadModels,
}

/// The service's routes.
pub fn router(state: ServerState) -> Router {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/openapi.json", get(openapi::document))
        .with_state(state)
}

/// Serves on `listener` until `shutdown` resolves, then stops taking connections and lets the
/// requests in flight finish.
pub async fn serve(
    listener: TcpListener,
    state: ServerState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}

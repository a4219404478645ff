//! The Scoreledger HTTP service (`scoreledger serve`): JSON over HTTP on either backend, the
//! OpenAPI document generated from the handlers, and the operator's health and readiness
//! endpoints.
//!
//! Architecture invariant: handlers hold no domain rules; they translate HTTP to the same
//! `decide`/store/projection calls the CLI makes, so both front ends enforce the same rules.

pub mod actions;
pub mod auth;
pub mod commands;
pub mod councils;
pub mod error;
pub mod health;
pub mod integrity;
pub mod log_check;
pub mod logging;
pub mod metrics;
pub mod openapi;
pub mod plans;
pub mod queries;
mod request_log;
mod responses;
pub mod sessions;
mod web;

use std::future::Future;
use std::sync::Arc;

use axum::http::header::{CACHE_CONTROL, X_CONTENT_TYPE_OPTIONS};
use axum::http::HeaderValue;
use axum::response::Response;
use axum::routing::{delete, get, post};
use axum::Router;
use scoreledger_projections::ReadModels;
use scoreledger_store::{Clock, EventStore};
use tokio::net::TcpListener;

/// What every handler shares: the log, the read models and the clock tokens expire by.
#[derive(Clone)]
pub struct ServerState {
    /// The event log.
    pub store: Arc<dyn EventStore>,
    /// The read models.
    pub read: ReadModels,
    /// Today, for token expiry (the system clock in production).
    pub clock: Arc<dyn Clock>,
    /// What `/metrics` reports.
    pub metrics: Arc<metrics::Metrics>,
    /// The last verification of the log, for `/readyz` and `/metrics`.
    pub last_verification: Arc<log_check::LastCheck>,
    /// Where signed checkpoints are exported (and checked against by every verification).
    pub checkpoints: Option<std::path::PathBuf>,
    /// The council whose log this is, when the deployment serves several (or names its one):
    /// the web sessions it starts carry its id, and its metrics are labelled with it.
    pub council: Option<Arc<councils::Council>>,
}

impl ServerState {
    /// A state with fresh metrics.
    pub fn new(store: Arc<dyn EventStore>, read: ReadModels, clock: Arc<dyn Clock>) -> Self {
        Self {
            store,
            read,
            clock,
            metrics: Arc::default(),
            last_verification: Arc::default(),
            checkpoints: None,
            council: None,
        }
    }

    /// The state of `council`'s log: its sessions carry its id and its metrics its label.
    pub fn with_council(mut self, council: councils::Council) -> Self {
        self.metrics = Arc::new(metrics::Metrics::labelled("council", council.id.as_str()));
        self.council = Some(Arc::new(council));
        self
    }

    /// Exports checkpoints to `dir`, and checks the log against those exported there.
    pub fn with_checkpoints(mut self, dir: Option<std::path::PathBuf>) -> Self {
        self.checkpoints = dir;
        self
    }

    /// Brings the read models up to the log's head and returns it: before a write is judged
    /// or a publication cut off, which must see the whole log (503 when a commit cannot be
    /// read and has not been set aside).
    pub async fn catch_up(&self) -> Result<scoreledger_domain::Position, error::ApiError> {
        scoreledger_projections::drain(&*self.store, &self.read, 1000, |_| {})
            .await
            .map_err(behind)
    }

    /// Brings the read models as far up the log as it can be read, before a lookup that must
    /// see a write made a moment ago (a token just issued, a measure just defined). A commit
    /// that cannot be read stops them before it, and reads keep answering there.
    pub async fn catch_up_for_reading(
        &self,
    ) -> Result<scoreledger_projections::Reach, error::ApiError> {
        scoreledger_projections::catch_up_for_reading(&*self.store, &self.read, 1000)
            .await
            .map_err(behind)
    }
}

/// 503: the read models could not catch up with the log, and why.
fn behind(err: scoreledger_projections::ProjectionError) -> error::ApiError {
    error::ApiError::new(
        axum::http::StatusCode::SERVICE_UNAVAILABLE,
        format!("the read models could not catch up with the log: {err}"),
    )
}

/// The service's routes.
pub fn router(state: ServerState) -> Router {
    let routes = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/openapi.json", get(openapi::document))
        .route("/metrics", get(metrics::scrape))
        .route("/checkpoint", get(integrity::checkpoint))
        .merge(api_routes())
        .merge(web::routes())
        // Council data is small: a larger body is a mistake or an attack.
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .with_state(state);
    request_log::around(routes).layer(axum::middleware::map_response(no_sniff))
}

/// The JSON API's routes.
fn api_routes() -> Router<ServerState> {
    Router::new()
        .route("/api/scorecard", get(queries::scorecard))
        .route("/api/plans", get(plans::plans))
        .route("/api/measures", post(commands::define_measure))
        .route(
            "/api/reports",
            get(queries::reports).post(commands::publish),
        )
        .route("/api/locks", post(commands::lock))
        .route("/api/set-asides", post(commands::set_aside))
        .route("/api/verification", get(log_check::verify))
        .route("/api/proofs/inclusion", get(integrity::inclusion))
        .route("/api/proofs/consistency", get(integrity::consistency))
        .route("/api/reopenings", post(commands::reopen))
        .route("/api/reports/{report}", get(queries::report))
        .route(
            "/api/reports/{report}/verification",
            get(queries::verification),
        )
        .route(
            "/api/reports/{report}/restatements",
            get(queries::restatements),
        )
        .route("/api/history", get(queries::history))
        .route("/api/measures/{measure}", get(queries::measure))
        .route(
            "/api/measures/{measure}/values",
            post(commands::record_value),
        )
        .route(
            "/api/measures/{measure}/revisions",
            post(commands::revise_value),
        )
        .route(
            "/api/measures/{measure}/confirmations",
            post(commands::confirm_value),
        )
        .route("/api/measures/{measure}/notes", post(commands::write_note))
        .route(
            "/api/measures/{measure}/narratives",
            post(commands::write_narrative),
        )
        .route(
            "/api/measures/{measure}/basis-changes",
            post(commands::record_basis_change),
        )
        .route(
            "/api/measures/{measure}/refreshes",
            post(commands::announce_refresh),
        )
        .route("/api/actions", post(actions::register))
        .route("/api/actions/moves", post(actions::move_date))
        .route("/api/actions/ratings", post(actions::rate))
        .route("/api/actions/completions", post(actions::complete))
        .route(
            "/api/measures/{measure}/clinics",
            post(commands::call_clinic),
        )
        .route(
            "/api/measures/{measure}/clinics/held",
            post(commands::hold_clinic),
        )
        .route(
            "/api/measures/{measure}/clinics/cancelled",
            post(commands::cancel_clinic),
        )
        .route(
            "/api/measures/{measure}/targets",
            post(commands::set_target),
        )
        .route(
            "/api/measures/{measure}/assessments",
            post(commands::assess),
        )
        .route("/api/measures/{measure}/amendments", post(commands::amend))
        .route(
            "/api/measures/{measure}/withdrawals",
            post(commands::withdraw),
        )
        .route(
            "/api/measures/{measure}/reinstatements",
            post(commands::reinstate),
        )
        .route("/api/measures/{measure}/signoffs", post(commands::sign_off))
        .route(
            "/api/measures/{measure}/approvals",
            post(commands::approve_note),
        )
        .route("/api/sessions", get(sessions::list))
        .route("/api/sessions/{session}", delete(sessions::end))
        .layer(axum::middleware::map_response(no_store))
}

/// Every answer, whatever route or error made it: browsers take its `Content-Type` as given
/// and never guess that a JSON error or a CSV is a page (or a script) to run.
async fn no_sniff(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

/// API answers carry figures and history behind a token: no cache, shared or private, keeps
/// a copy.
async fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Serves on `listener` until `shutdown` resolves, then stops taking connections and lets the
/// requests in flight finish.
pub async fn serve(
    listener: TcpListener,
    state: ServerState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_routes(listener, router(state), shutdown).await
}

/// Serves `routes` (one council's, or a deployment's of several) as [`serve`] does.
pub async fn serve_routes(
    listener: TcpListener,
    routes: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, routes)
        .with_graceful_shutdown(shutdown)
        .await
}

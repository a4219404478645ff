//! The OpenAPI document, generated from the handlers' annotations (never written by hand), and
//! served at `/openapi.json`.

use axum::Json;
use utoipa::OpenApi;

use crate::health;

/// The API description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Scoreledger",
        description = "An audit trail for a council's performance scorecard that nobody can quietly rewrite."
    ),
    paths(health::healthz, health::readyz),
    components(schemas(health::Health, health::Readiness)),
    tags((name = "operations", description = "Health and readiness for operators and orchestrators"))
)]
pub struct ApiDoc;

/// `GET /openapi.json`.
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

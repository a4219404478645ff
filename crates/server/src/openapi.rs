//! The OpenAPI document, generated from the handlers' annotations (never written by hand), and
//! served at `/openapi.json`.

use axum::Json;
use utoipa::OpenApi;

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::Modify;

use crate::{
    actions, commands, error, health, integrity, log_check, metrics, plans, queries, sessions,
};

/// Declares the bearer-token scheme the query paths require.
struct BearerTokens;

impl Modify for BearerTokens {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A token from `scoreledger token create`"))
                    .build(),
            ),
        );
    }
}

/// The API description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Scoreledger",
        description = "An audit trail for a council's performance scorecard that nobody can quietly rewrite."
    ),
    paths(
        health::healthz,
        health::readyz,
        metrics::scrape,
        queries::scorecard,
        queries::reports,
        queries::report,
        queries::verification,
        log_check::verify,
        integrity::checkpoint,
        integrity::inclusion,
        integrity::consistency,
        queries::restatements,
        queries::history,
        queries::measure,
        plans::plans,
        commands::define_measure,
        commands::amend,
        commands::withdraw,
        commands::reinstate,
        commands::sign_off,
        commands::approve_note,
        commands::record_value,
        commands::revise_value,
        commands::confirm_value,
        commands::call_clinic,
        commands::hold_clinic,
        commands::cancel_clinic,
        commands::write_note,
        commands::write_narrative,
        commands::record_basis_change,
        commands::announce_refresh,
        actions::register,
        actions::move_date,
        actions::rate,
        actions::complete,
        commands::set_target,
        commands::assess,
        commands::lock,
        commands::reopen,
        commands::publish,
        commands::set_aside,
        sessions::list,
        sessions::end
    ),
    components(schemas(
        health::Health,
        health::Readiness,
        log_check::LastVerification,
        error::ErrorBody,
        queries::MeasureAnswer,
        commands::Written,
        commands::RecordValueBody,
        commands::ReviseValueBody,
        commands::ConfirmValueBody,
        commands::ClinicCallBody,
        commands::ClinicHeldBody,
        commands::ClinicCancelledBody,
        commands::MandateBody,
        commands::NoteBody,
        commands::NarrativeBody,
        commands::BasisChangeBody,
        commands::RefreshBody,
        actions::ActionBody,
        actions::ActionMoveBody,
        actions::ActionRatingBody,
        actions::ActionCompletionBody,
        commands::TargetBody,
        commands::AssessmentBody,
        commands::LockBody,
        commands::MeasureBody,
        commands::AmendmentBody,
        commands::ApplicabilityBody,
        commands::CheckBody,
        commands::PublishBody,
        commands::SetAsideBody,
        sessions::SessionView
    )),
    modifiers(&BearerTokens),
    tags(
        (name = "operations", description = "Health and readiness for operators and orchestrators"),
        (name = "reports", description = "Scorecards now or as they stood, published reports, restatements"),
        (name = "history", description = "Who changed what, when, in which role, and why"),
        (name = "measures", description = "One measure as the log stood, and changes to it"),
        (name = "periods", description = "Locking and reopening periods"),
        (name = "actions", description = "Improvement actions: registered, moved, rated, completed"),
        (name = "plans", description = "Plans with their priorities and outcomes"),
        (name = "sessions", description = "The web pages' sessions, for admins")
    )
)]
pub struct ApiDoc;

/// `GET /openapi.json`.
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

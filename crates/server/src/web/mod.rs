//! The web pages: server-rendered HTML for scrutiny members, auditors and the performance
//! team — usable without JavaScript, accessible (labelled forms, captioned tables, charts
//! with text equivalents) and printable. Every page answers "as the log stood" at a date or
//! position, exactly as the API does, and reads of the history are recorded as the API's are.

mod approvals;
mod assess;
mod audit;
mod chase;
mod compare;
mod entry;
mod evidence;
pub(crate) mod layout;
mod manifest;
mod measure;
mod measure_form;
mod origin;
mod period;
mod public;
mod reports;
mod scorecard;
mod session;
pub(crate) mod signin;
mod values_import;
mod verification;

use axum::response::Redirect;
use axum::routing::{get, post};
use axum::Router;
use chrono::NaiveDate;
use maud::{html, Markup};
use serde::Deserialize;

use crate::error::ApiError;
use crate::queries::When;
use crate::ServerState;
use layout::PageError;

/// Ends a web session now, by `by` (an admin through the API); whether it was open.
pub(crate) async fn end_session(
    state: &ServerState,
    session_id: &str,
    by: &str,
) -> Result<bool, ApiError> {
    session::end(state, session_id, state.clock.now(), by).await
}

/// The pages' routes.
pub(crate) fn routes() -> Router<ServerState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/scorecard") }))
        .route("/signin", get(signin::form).post(signin::submit))
        .route("/signout", post(signin::signout))
        .route("/scorecard", get(scorecard::page))
        .route("/measures/{measure}", get(measure::page))
        .route("/measures/{measure}/entries", post(entry::submit_entry))
        .route(
            "/measures/{measure}/assessments",
            post(assess::submit_assessment),
        )
        .route("/measures/{measure}/evidence.zip", get(evidence::measure))
        .route("/audit", get(audit::page))
        .route("/chase", get(chase::page))
        .route("/period", get(period::page))
        .route(
            "/import",
            get(values_import::page).post(values_import::preview),
        )
        .route("/import/apply", post(values_import::apply))
        .route("/period/lock", post(period::lock))
        .route("/period/reopen", post(period::reopen))
        .route("/period/publish", post(period::publish))
        .route("/approvals", get(approvals::page).post(approvals::check))
        .route("/audit.csv", get(audit::csv))
        .route("/verification", get(verification::page))
        .route("/public", get(public::index))
        .route("/public/reports/{report}", get(public::report))
        .route("/public/reports/{report}/pack.pdf", get(public::pdf))
        .route("/reports", get(reports::list))
        .route("/reports/{report}", get(reports::page))
        .route("/reports/{report}/compare", get(compare::page))
        .route("/reports/{report}/pack.pdf", get(reports::pdf))
        .route("/reports/{report}/evidence.zip", get(evidence::report))
        .layer(axum::middleware::from_fn(origin::require_same_origin))
        .layer(axum::middleware::map_response(protect))
}

/// What every page's answer carries: no script, style or frame from anywhere but the page
/// itself (the pages need none), no framing by other sites (clickjacking the sign-in form),
/// and no copy of the history left in caches.
pub(crate) async fn protect(mut response: axum::response::Response) -> axum::response::Response {
    use axum::http::header::{
        HeaderValue, CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_FRAME_OPTIONS,
    };
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    response
}

/// "As at" as a form sends it: empty fields mean "now".
#[derive(Debug, Default, Clone, Deserialize)]
pub(crate) struct AsAtForm {
    /// End of this day (YYYY-MM-DD).
    #[serde(default)]
    as_at: Option<String>,
    /// Or this log position.
    #[serde(default)]
    position: Option<String>,
}

impl AsAtForm {
    fn when(&self) -> Result<When, PageError> {
        let as_at = filled(&self.as_at)
            .map(|day| {
                NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(|_| {
                    ApiError::unprocessable(format!(
                        "the date {day:?} is not a date; pick one or write it as YYYY-MM-DD"
                    ))
                })
            })
            .transpose()?;
        let position = filled(&self.position)
            .map(|p| {
                p.parse::<u64>().map_err(|_| {
                    ApiError::unprocessable(format!(
                        "the position {p:?} is not a whole number; leave it empty for now"
                    ))
                })
            })
            .transpose()?;
        Ok(When {
            as_at,
            position,
            min_position: None,
        })
    }

    /// The query string that keeps this as-at on a link (`as_at=…&`), or nothing.
    fn carried(&self) -> String {
        let mut pairs = Vec::new();
        if let Some(day) = filled(&self.as_at) {
            pairs.push(("as_at", day));
        }
        if let Some(p) = filled(&self.position) {
            pairs.push(("position", p));
        }
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }

    /// The two fields, for a query form.
    fn fields(&self) -> Markup {
        html! {
            label for="as_at" { "As at the end of"
                input #as_at type="date" name="as_at" value=[filled(&self.as_at)];
            }
            label for="position" { "or at log position"
                input #position type="number" min="0" name="position" value=[filled(&self.position)] size="8";
            }
        }
    }

    /// How the page's moment reads ("now", "at the end of 2017-01-13", …).
    fn describe(&self, at: scoreledger_domain::Position) -> String {
        match (filled(&self.as_at), filled(&self.position)) {
            (Some(day), _) => format!("as the log stood at the end of {day} (position {at})"),
            (None, Some(_)) => format!("as the log stood at position {at}"),
            (None, None) => format!("as the log stands now (position {at})"),
        }
    }
}

/// The period a form or an address names, refused as the API refuses it (422, "period: …").
fn period_of(text: &str) -> Result<scoreledger_domain::Period, layout::PageError> {
    scoreledger_domain::Period::parse(text.trim()).map_err(|err| {
        layout::PageError(crate::error::ApiError::unprocessable(format!(
            "period: {err}"
        )))
    })
}

fn filled(field: &Option<String>) -> Option<&str> {
    field.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A link with a query string, or without one when it is empty.
fn with_query(path: &str, query: &str) -> String {
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

/// Text encoded for a query string or a path segment.
fn urlencode(text: &str) -> String {
    serde_urlencoded::to_string([("", text)])
        .unwrap_or_default()
        .trim_start_matches('=')
        .replace('+', "%20")
}

/// The path of a measure's page (references such as `4.B5 (b)` are encoded).
fn measure_href(measure_ref: &str, carried: &str) -> String {
    with_query(&format!("/measures/{}", urlencode(measure_ref)), carried)
}

//! One deployment, several councils. Each council has its own log, read models, signing key
//! and exported checkpoints (its own [`ServerState`], its own router), and a request reaches
//! exactly one of them. The credential it carries says which: a bearer token or a web
//! session made for a council begins with the council's id (`slt_<council>_…`,
//! `sls_<council>_…`), and is then looked up only in that council's read models, by the
//! SHA-256 of the whole secret, so a secret given another council's id is a secret nobody
//! was issued. Readers without a credential (the public reports, witnesses fetching
//! `/checkpoint`) name the council in the path, `/councils/<id>/…`; that also leaves a
//! cookie naming the council, so the pages' own links (to the root) keep to it for a reader
//! who is not signed in, and the sign-in form signs in there. A reader signed in to one
//! council follows the pages' links in that council, whatever path they came by.
//!
//! Architecture invariant: no handler ever holds two councils' states. Isolation is the
//! router's choice of state, not a filter in the queries.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use cookie::{Cookie, SameSite};
use maud::html;
use serde::Serialize;
use tower::ServiceExt as _;

use crate::error::ApiError;
use crate::health::Readiness;
use crate::ServerState;

/// The cookie that remembers which council a reader without a credential chose.
const CHOSEN: &str = "scoreledger_council";

/// A council's id: what its tokens and sessions begin with and its path is named by.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct CouncilId(String);

impl CouncilId {
    /// `text` as an id: a lower-case letter, then up to 39 lower-case letters, digits and
    /// dashes (it sits between `_`s in a secret and in a URL path).
    pub fn parse(text: &str) -> Result<Self, String> {
        let valid = text.len() <= 40
            && text.starts_with(|c: char| c.is_ascii_lowercase())
            && text
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if valid {
            Ok(Self(text.to_owned()))
        } else {
            Err(format!(
                "{text:?} is not a council id: use a lower-case letter, then lower-case letters, digits and dashes, 40 at most (e.g. rotherham)"
            ))
        }
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CouncilId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A council served by this deployment.
#[derive(Debug, Clone)]
pub struct Council {
    /// Its id.
    pub id: CouncilId,
    /// Its name, for people.
    pub name: String,
}

/// A secret of kind `prefix` (`slt_`, `sls_`) made of `random`, naming `council` when there
/// is one.
pub fn secret(prefix: &str, council: Option<&CouncilId>, random: &str) -> String {
    match council {
        Some(council) => format!("{prefix}{council}_{random}"),
        None => format!("{prefix}{random}"),
    }
}

/// The council a secret names, if it names one: what comes between its four-character kind
/// (`slt_`, `sls_`) and the next `_`. Secrets made for no council are a kind and hex alone.
pub fn council_of(secret: &str) -> Option<&str> {
    let rest = secret.trim().get(4..)?;
    rest.split_once('_')
        .map(|(council, _)| council)
        .filter(|council| !council.is_empty())
}

/// Whether `secret` may be looked up in `state`'s read models: on a council's log only a
/// secret naming that council is (another council's, or one naming none, is refused before
/// any lookup, so two councils' read models holding the same hash could never matter); a
/// log of no council takes any.
pub fn belongs(state: &ServerState, secret: &str) -> bool {
    match &state.council {
        Some(council) => council_of(secret) == Some(council.id.as_str()),
        None => true,
    }
}

/// A council's log: a state that names its council.
#[derive(Clone)]
pub struct Tenant(ServerState);

impl Tenant {
    /// `council`'s log, read models, key and checkpoints.
    pub fn new(council: Council, state: ServerState) -> Self {
        Self(state.with_council(council))
    }

    /// The state its routes answer from (for the tasks beside them: the projector, the
    /// checkpoints, the verification, which must share its metrics).
    pub fn state(&self) -> &ServerState {
        &self.0
    }

    fn council(&self) -> &Council {
        self.0
            .council
            .as_deref()
            .expect("a tenant's state names its council")
    }
}

/// What the deployment's own routes share: every council's state and router, by id.
#[derive(Clone)]
struct Deployment {
    councils: Arc<BTreeMap<String, (Tenant, Router)>>,
}

/// The routes of a deployment serving `tenants`: `/healthz`, `/readyz` and `/metrics` over
/// them all, `/councils` listing them, `/councils/<id>/…` one council's every route, and any
/// other path routed to the council its credential names.
pub fn router(tenants: &[Tenant]) -> Router {
    let mut app = Router::<Deployment>::new();
    let mut councils = BTreeMap::new();
    for tenant in tenants {
        let id = tenant.council().id.clone();
        let routes = crate::router(tenant.state().clone());
        let chosen = id.clone();
        app = app.nest_service(
            &format!("/councils/{id}"),
            routes
                .clone()
                .layer(axum::middleware::map_response(move |response| {
                    remember(response, chosen.clone())
                })),
        );
        councils.insert(id.as_str().to_owned(), (tenant.clone(), routes));
    }
    let deployment = Deployment {
        councils: Arc::new(councils),
    };
    app.route("/healthz", get(crate::health::healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/openapi.json", get(crate::openapi::document))
        .route(
            "/councils",
            get(index).layer(axum::middleware::map_response(crate::web::protect)),
        )
        .fallback(dispatch)
        .with_state(deployment)
}

/// Sets the cookie naming the council whose path a reader took.
async fn remember(mut response: Response, council: CouncilId) -> Response {
    let cookie = Cookie::build((CHOSEN, council.to_string()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .build();
    if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
        response.headers_mut().append(SET_COOKIE, value);
    }
    response
}

/// Where a request goes, and why not when it goes nowhere.
enum Choice<'a> {
    /// This council's router.
    Council(&'a Router),
    /// No council could be chosen: this answer.
    Refused(Response),
}

impl Deployment {
    /// The council the request's credential names (a bearer token first, then a web
    /// session's cookie), else the one its reader chose by path earlier.
    fn choose(&self, headers: &HeaderMap, path: &str) -> Choice<'_> {
        // Another scheme (a proxy's Basic login) is no credential of ours: the cookies decide.
        let bearer = headers
            .get(AUTHORIZATION)
            .and_then(|header| header.to_str().ok())
            .and_then(crate::auth::bearer_secret);
        if let Some(secret) = bearer {
            return match council_of(secret).and_then(|id| self.councils.get(id)) {
                Some((_, routes)) => Choice::Council(routes),
                None => Choice::Refused(ApiError::unauthorized(format!(
                    "the token is not known here: this service holds the scorecards of several councils ({}), and a token made for one begins slt_<council>_ (`scoreledger --council ID token create`)",
                    self.ids()
                ))
                .into_response()),
            };
        }
        let session = crate::web::signin::session_cookie(headers);
        let chosen = crate::web::signin::cookie_named(headers, CHOSEN);
        let signed_in = session.as_deref().and_then(council_of).map(str::to_owned);
        // Signing in goes to the council the reader chose last, whatever council they are
        // signed in to: that is how a reader moves from one council to another.
        let named = if path == "/signin" {
            chosen.or(signed_in)
        } else {
            signed_in.or(chosen)
        };
        match named.as_deref().and_then(|id| self.councils.get(id)) {
            Some((_, routes)) => Choice::Council(routes),
            None if path == "/checkpoint" => Choice::Refused(
                ApiError::new(
                    StatusCode::NOT_FOUND,
                    format!(
                        "this service holds the logs of several councils ({}); fetch a council's checkpoint at /councils/<id>/checkpoint",
                        self.ids()
                    ),
                )
                .into_response(),
            ),
            None if path.starts_with("/api/") => Choice::Refused(
                ApiError::unauthorized(format!(
                    "no token: this service holds the scorecards of several councils ({}); send `Authorization: Bearer <secret>` with a token from `scoreledger --council ID token create`",
                    self.ids()
                ))
                .into_response(),
            ),
            None => {
                let mut response = StatusCode::SEE_OTHER.into_response();
                response
                    .headers_mut()
                    .insert(LOCATION, HeaderValue::from_static("/councils"));
                Choice::Refused(response)
            }
        }
    }

    fn ids(&self) -> String {
        self.councils.keys().cloned().collect::<Vec<_>>().join(", ")
    }
}

/// Any path but the deployment's own: to the council the request names.
async fn dispatch(State(deployment): State<Deployment>, request: Request) -> Response {
    match deployment.choose(request.headers(), request.uri().path()) {
        Choice::Council(routes) => match routes.clone().oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        },
        Choice::Refused(response) => response,
    }
}

/// `GET /councils`: the councils served, each with its public reports and its sign-in.
async fn index(State(deployment): State<Deployment>, headers: HeaderMap) -> Response {
    let wants_json = headers
        .get(axum::http::header::ACCEPT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|accept| accept.contains("application/json"));
    if wants_json {
        let listed: Vec<Listed> = deployment
            .councils
            .values()
            .map(|(tenant, _)| Listed {
                id: tenant.council().id.to_string(),
                name: tenant.council().name.clone(),
            })
            .collect();
        return Json(listed).into_response();
    }
    crate::web::layout::page(
        "Councils",
        None,
        html! {
            h1 { "Councils" }
            p { "This service keeps the performance scorecards of these councils, each in a log of its own. Choose one to read its published reports or to sign in." }
            ul {
                @for council in deployment.councils.values().map(|(tenant, _)| tenant.council()) {
                    li {
                        strong { (council.name) } " — "
                        a href={ "/councils/" (council.id) "/public" } { "published reports" }
                        " · "
                        a href={ "/councils/" (council.id) "/signin" } { "sign in" }
                    }
                }
            }
        },
    )
    .into_response()
}

/// A council, as `/councils` lists it for machines.
#[derive(Debug, Serialize)]
struct Listed {
    id: String,
    name: String,
}

/// Whether every council's log and read models answer.
#[derive(Debug, Serialize)]
struct DeploymentReadiness {
    /// `ready` when every council is.
    status: &'static str,
    /// Each council's readiness, by id.
    councils: BTreeMap<String, Readiness>,
}

/// `GET /readyz`: each council's readiness, asked of all at once; ready only when all are
/// (a deployment that cannot answer for one council is not ready to take its requests).
async fn readyz(State(deployment): State<Deployment>) -> (StatusCode, Json<DeploymentReadiness>) {
    let mut asked = tokio::task::JoinSet::new();
    for (id, (tenant, _)) in deployment.councils.iter() {
        let (id, state) = (id.clone(), tenant.state().clone());
        asked.spawn(async move { (id, crate::health::readyz(State(state)).await) });
    }
    let mut councils = BTreeMap::new();
    let mut ready = true;
    while let Some(answer) = asked.join_next().await {
        match answer {
            Ok((id, (status, Json(readiness)))) => {
                ready &= status == StatusCode::OK;
                councils.insert(id, readiness);
            }
            Err(_) => ready = false,
        }
    }
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(DeploymentReadiness {
            status: if ready { "ready" } else { "unavailable" },
            councils,
        }),
    )
}

/// `GET /metrics`: every council's series, each labelled `council="<id>"`.
async fn metrics(State(deployment): State<Deployment>) -> Result<Response, ApiError> {
    let mut texts = Vec::new();
    for (id, (tenant, _)) in deployment.councils.iter() {
        let text = crate::metrics::text(tenant.state())
            .await
            .map_err(|err| ApiError::new(err.status, format!("council {id}: {}", err.message)))?;
        texts.push(text);
    }
    Ok(crate::metrics::openmetrics(crate::metrics::merge(
        texts.iter().map(String::as_str),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_names_its_council_and_only_that() {
        let id = CouncilId::parse("rotherham").unwrap();
        let token = secret("slt_", Some(&id), "00ff");
        assert_eq!(token, "slt_rotherham_00ff");
        assert_eq!(council_of(&token), Some("rotherham"));
        assert_eq!(council_of("sls_north-east_ab"), Some("north-east"));
        assert_eq!(council_of(&secret("slt_", None, "00ff")), None);
        assert_eq!(council_of("slt__00ff"), None);
        assert_eq!(council_of("slt"), None);
    }

    #[test]
    fn council_ids_fit_a_secret_and_a_path() {
        for good in ["rotherham", "north-east-lincs", "a1"] {
            assert!(CouncilId::parse(good).is_ok(), "{good}");
        }
        for bad in ["", "Rotherham", "1a", "a_b", "a/b", "a.b", &"a".repeat(41)] {
            let err = CouncilId::parse(bad).unwrap_err();
            assert!(err.contains("not a council id"), "{err}");
        }
    }
}

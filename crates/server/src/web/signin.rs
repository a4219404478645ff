//! Signing in to the pages with a token: the secret is checked exactly as a bearer token is,
//! then a server-side session is started (`session`), whose own secret is kept in an
//! HttpOnly, SameSite=Strict cookie, so no script can read it and no other site can make the
//! browser send it. The token's secret never reaches the cookie.

use axum::extract::{FromRequestParts, Query, State};
use axum::http::header::{COOKIE, LOCATION, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use cookie::{Cookie, SameSite};
use maud::html;
use serde::{Deserialize, Serialize};

use super::layout::{page_of, PageError};
use super::origin::over_https;
use super::session::{self, Refusal};
use crate::auth::Session;
use crate::ServerState;

const COOKIE_NAME: &str = "scoreledger_session";

/// The signed-in reader of a page. A request without a valid session is sent to the sign-in
/// page, which brings them back afterwards.
pub(crate) struct Viewer(pub Session);

impl FromRequestParts<ServerState> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &ServerState,
    ) -> Result<Self, Self::Rejection> {
        let next = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| "/".to_owned());
        let Some(secret) = session_cookie(&parts.headers) else {
            return Err(to_signin(&next, None));
        };
        match session::resume(state, &secret).await {
            Ok(session) => Ok(Viewer(session)),
            Err(Refusal::Ended) => Err(to_signin(&next, Some(Why::Ended))),
            Err(Refusal::TokenRefused) => Err(to_signin(&next, Some(Why::Refused))),
            Err(Refusal::Failed(err)) => Err(PageError(err).into_response()),
        }
    }
}

pub(crate) fn session_cookie(headers: &HeaderMap) -> Option<String> {
    cookie_named(headers, COOKIE_NAME)
}

/// The value of the cookie `name` among those the request sent, unless empty.
pub(crate) fn cookie_named(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == name)
        .map(|cookie| cookie.value().to_owned())
        .filter(|value| !value.is_empty())
}

/// Why a reader was sent to sign in: one of a few known reasons, never free text, so that
/// nobody can put words of their own on this site's page through a link.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Why {
    /// The session's token is no longer accepted.
    Refused,
    /// The session has ended (signed out, timed out, or ended by an admin).
    Ended,
}

impl Why {
    fn message(self) -> &'static str {
        match self {
            Why::Refused => {
                "Your token is no longer accepted: it has been revoked or has expired. \
                 Ask an administrator for a new one and sign in with it."
            }
            Why::Ended => {
                "Your session has ended: you signed out, it was unused for 30 minutes or \
                 open for 8 hours, or an administrator ended it. Sign in again."
            }
        }
    }
}

/// What the sign-in page is asked.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct SignInQuery {
    /// Where to go afterwards (a path on this site).
    next: Option<String>,
    /// Why the reader was sent here.
    why: Option<Why>,
}

fn to_signin(next: &str, why: Option<Why>) -> Response {
    let query = serde_urlencoded::to_string(SignInQuery {
        next: Some(next.to_owned()),
        why,
    })
    .unwrap_or_default();
    Redirect::to(&format!("/signin?{query}")).into_response()
}

/// Only a path on this site: never an absolute or scheme-relative address, so the sign-in
/// page cannot be used to send someone elsewhere.
fn local_path(next: Option<&str>) -> &str {
    match next {
        // Browsers drop tabs and line breaks from addresses (`/\t/evil.example` would become
        // `//evil.example`), so only visible ASCII is followed.
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && path.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            path
        }
        _ => "/scorecard",
    }
}

/// `GET /signin`: the form.
pub(crate) async fn form(
    State(state): State<ServerState>,
    Query(query): Query<SignInQuery>,
) -> Response {
    signin_page(
        &state,
        StatusCode::OK,
        local_path(query.next.as_deref()),
        query.why.map(Why::message),
    )
}

fn signin_page(state: &ServerState, status: StatusCode, next: &str, why: Option<&str>) -> Response {
    // On a deployment of several councils the form names its council in its address, and its
    // tokens begin with the council's id.
    let council = state.council.as_deref();
    let (action, starts) = match council {
        Some(council) => (
            format!("/councils/{}/signin", council.id),
            format!("slt_{}_", council.id),
        ),
        None => ("/signin".to_owned(), "slt_".to_owned()),
    };
    let body = page_of(
        "Sign in",
        None,
        council,
        html! {
            h1 { "Sign in" }
            @if let Some(why) = why {
                p.notice.error role="alert" { (why) }
            }
            p { "Paste the token an administrator gave you (it starts with " code { (starts) } "). "
                "It is kept in a cookie for this site only and stands for you in everything you do here." }
            form.signin method="post" action=(action) {
                input type="hidden" name="next" value=(next);
                label for="token" { "Token" }
                input #token type="password" name="token" autocomplete="off" required size="40"
                    aria-describedby="token-hint";
                p.hint #token-hint { "An administrator creates one with "
                    code { "scoreledger " @if let Some(council) = council { "--council " (council.id) " " } "token create --for ID --holder NAME --as ROLE" } "." }
                button type="submit" { "Sign in" }
            }
            p { "Without a token, the " a href="/public" { "published performance reports" }
                " are open to everyone." }
        },
    );
    (status, body).into_response()
}

/// The sign-in form's fields.
#[derive(Debug, Deserialize)]
pub(crate) struct SignIn {
    token: String,
    next: Option<String>,
}

/// `POST /signin`: checks the token; on success sets the cookie and goes on.
pub(crate) async fn submit(
    State(state): State<ServerState>,
    headers: HeaderMap,
    Form(form): Form<SignIn>,
) -> Response {
    // A post from another site's page never gets here (`origin::require_same_origin`).
    let next = local_path(form.next.as_deref()).to_owned();
    let secret = form.token.trim();
    match Session::from_secret(&state, secret).await {
        Ok(session) => {
            tracing::info!(user = %session.actor.id, role = %session.actor.role, "signed in to the pages");
            // The cookie carries the new session's secret, never the token's.
            let session_secret = match session::start(&state, &session).await {
                Ok(secret) => secret,
                Err(err) => return PageError(err).into_response(),
            };
            let cookie = Cookie::build((COOKIE_NAME, session_secret))
                .path("/")
                .http_only(true)
                .secure(over_https(&headers))
                .same_site(SameSite::Strict)
                .max_age(cookie::time::Duration::seconds(
                    session::LIFETIME.num_seconds(),
                ))
                .build();
            see_other(&next, &cookie)
        }
        Err(err) if err.status == StatusCode::UNAUTHORIZED => signin_page(
            &state,
            StatusCode::UNAUTHORIZED,
            &next,
            Some(&format!("That token was not accepted: {}", err.message)),
        ),
        Err(err) => PageError(err).into_response(),
    }
}

/// `POST /signout`: ends the session on the server (its cookie no longer works anywhere) and
/// forgets the cookie.
pub(crate) async fn signout(State(state): State<ServerState>, headers: HeaderMap) -> Response {
    if let Some(secret) = session_cookie(&headers) {
        if let Err(err) = session::end_by_secret(&state, &secret).await {
            return PageError(err).into_response();
        }
    }
    let cookie = Cookie::build((COOKIE_NAME, ""))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .max_age(cookie::time::Duration::ZERO)
        .build();
    see_other("/signin", &cookie)
}

fn see_other(location: &str, cookie: &Cookie<'_>) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    let headers = response.headers_mut();
    // `location` is a checked local path; should it still not make a header, go home.
    headers.insert(
        LOCATION,
        HeaderValue::from_str(location).unwrap_or(HeaderValue::from_static("/scorecard")),
    );
    if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
        headers.insert(SET_COOKIE, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_signing_in() {
        assert_eq!(
            local_path(Some("/measures/2.B1?as_at=2017-01-13")),
            "/measures/2.B1?as_at=2017-01-13"
        );
        assert_eq!(local_path(Some("//evil.example/")), "/scorecard");
        assert_eq!(local_path(Some("https://evil.example/")), "/scorecard");
        assert_eq!(local_path(Some("/\\evil.example")), "/scorecard");
        assert_eq!(local_path(Some("/\t/evil.example")), "/scorecard");
        assert_eq!(local_path(Some("/\n/evil.example")), "/scorecard");
        assert_eq!(local_path(Some("/a b")), "/scorecard");
        assert_eq!(local_path(None), "/scorecard");
    }

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            HeaderValue::from_static("a=1; scoreledger_session=sls_abc; b=2"),
        );
        assert_eq!(session_cookie(&headers).as_deref(), Some("sls_abc"));
        headers.insert(COOKIE, HeaderValue::from_static("scoreledger_session="));
        assert_eq!(session_cookie(&headers), None);
    }
}

//! Same-origin proof for every form the pages accept: a post that changes something (signing
//! in, signing out, and any form added later) must show that it was sent from this site's own
//! page, or another site could make a reader's browser send it (cross-site request forgery,
//! and login CSRF: signing a reader in as someone else so their figures go in under that name).
//!
//! The proof, in order: the `Origin` the browser names, which must be this site; failing that,
//! `Sec-Fetch-Site: same-origin`; failing that, a `Referer` on this site. A post with none of
//! them, or with any that names another site, is refused.

use axum::extract::Request;
use axum::http::header::{HOST, ORIGIN, REFERER};
use axum::http::{HeaderMap, HeaderName, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::layout::PageError;
use crate::error::ApiError;

const X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");
const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
const SEC_FETCH_SITE: HeaderName = HeaderName::from_static("sec-fetch-site");

/// Whether the browser reached the service over HTTPS (through a TLS-terminating proxy that
/// says so).
pub(crate) fn over_https(headers: &HeaderMap) -> bool {
    headers
        .get(X_FORWARDED_PROTO)
        .and_then(|p| p.to_str().ok())
        .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"))
}

/// This site's origin as the browser sees it (`http://127.0.0.1:8080`, or behind a reverse
/// proxy the forwarded scheme and host), if the request names its host at all.
fn own_origin(headers: &HeaderMap) -> Option<String> {
    let host = headers
        .get(X_FORWARDED_HOST)
        .or_else(|| headers.get(HOST))
        .and_then(|h| h.to_str().ok())?
        .trim();
    let scheme = if over_https(headers) { "https" } else { "http" };
    Some(format!("{scheme}://{host}").to_ascii_lowercase())
}

/// The origin part (`scheme://host[:port]`) of an absolute address.
fn origin_of(address: &str) -> Option<String> {
    let (scheme, rest) = address.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    Some(format!("{scheme}://{authority}").to_ascii_lowercase())
}

/// Whether a form post proves that it was sent from this site's own page.
pub(crate) fn same_origin(headers: &HeaderMap) -> bool {
    let Some(own) = own_origin(headers) else {
        return false;
    };
    let text = |name: &HeaderName| headers.get(name).map(|v| v.to_str().unwrap_or(""));
    // A browser that sends `Origin` names the page's origin exactly ("null" for an opaque one,
    // which is never this site).
    if let Some(origin) = text(&ORIGIN) {
        return origin.trim().to_ascii_lowercase() == own;
    }
    if let Some(site) = text(&SEC_FETCH_SITE) {
        return site.trim().eq_ignore_ascii_case("same-origin");
    }
    text(&REFERER).and_then(origin_of).is_some_and(|r| r == own)
}

/// Middleware on the pages: a request that may change something (anything but GET, HEAD and
/// OPTIONS) without same-origin proof is answered 403 and goes no further.
pub(crate) async fn require_same_origin(request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if safe || same_origin(request.headers()) {
        return next.run(request).await;
    }
    tracing::info!(method = %request.method(), "refused a form posted without same-origin proof");
    PageError(ApiError::new(
        StatusCode::FORBIDDEN,
        "This form was not sent from this site's own page, so it was not acted on. \
         Go back to the page, reload it and send the form again.",
    ))
    .into_response()
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    /// Whether a post with these headers (besides `Host: 127.0.0.1:8080`) is accepted.
    #[track_caller]
    fn check(headers: &[(&'static str, &'static str)], accepted: bool) {
        let mut map = HeaderMap::new();
        map.insert(HOST, HeaderValue::from_static("127.0.0.1:8080"));
        for (name, value) in headers {
            map.insert(*name, HeaderValue::from_static(value));
        }
        assert_eq!(same_origin(&map), accepted, "{headers:?}");
    }

    #[test]
    fn an_origin_must_be_this_site() {
        check(&[("origin", "http://127.0.0.1:8080")], true);
        check(&[("origin", "HTTP://127.0.0.1:8080")], true);
        check(&[("origin", "https://evil.example")], false);
        check(&[("origin", "http://127.0.0.1:9999")], false);
        check(&[("origin", "https://127.0.0.1:8080")], false);
        check(&[("origin", "null")], false);
        // An origin that names another site is not rescued by the other headers.
        check(
            &[
                ("origin", "https://evil.example"),
                ("sec-fetch-site", "same-origin"),
                ("referer", "http://127.0.0.1:8080/signin"),
            ],
            false,
        );
    }

    #[test]
    fn without_an_origin_fetch_metadata_then_the_referer_decide() {
        check(&[("sec-fetch-site", "same-origin")], true);
        check(&[("sec-fetch-site", "cross-site")], false);
        check(&[("sec-fetch-site", "same-site")], false);
        check(
            &[
                ("sec-fetch-site", "cross-site"),
                ("referer", "http://127.0.0.1:8080/signin"),
            ],
            false,
        );
        check(&[("referer", "http://127.0.0.1:8080/signin?next=/")], true);
        check(&[("referer", "http://127.0.0.1:8080")], true);
        check(
            &[("referer", "https://evil.example/http://127.0.0.1:8080")],
            false,
        );
        check(&[("referer", "http://127.0.0.1:8080.evil.example/")], false);
        check(&[("referer", "/signin")], false);
        check(&[], false);
    }

    #[test]
    fn behind_a_proxy_the_forwarded_scheme_and_host_are_the_site() {
        let forwarded = [
            ("x-forwarded-host", "scorecard.council.example"),
            ("x-forwarded-proto", "https"),
        ];
        let with = |extra: (&'static str, &'static str)| {
            let mut headers = forwarded.to_vec();
            headers.push(extra);
            headers
        };
        check(&with(("origin", "https://scorecard.council.example")), true);
        check(&with(("origin", "http://scorecard.council.example")), false);
        check(&with(("origin", "http://127.0.0.1:8080")), false);
        check(
            &with(("referer", "https://scorecard.council.example/scorecard")),
            true,
        );
    }

    #[test]
    fn the_cookie_is_secure_when_the_proxy_says_https() {
        let mut headers = HeaderMap::new();
        assert!(!over_https(&headers));
        headers.insert(X_FORWARDED_PROTO, HeaderValue::from_static("https"));
        assert!(over_https(&headers));
    }
}

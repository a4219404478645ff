//! Structured request logs: one span per request carrying its id, method and matched route, and
//! one INFO event when it is answered, with the status and the latency. The request id is taken
//! from `x-request-id` when the client sends one, minted otherwise, and echoed in the answer so a
//! client can quote it.
//!
//! Headers are never recorded: `Authorization` carries a bearer secret. It is also marked
//! sensitive, so a layer added later that does log headers shows it redacted.

use std::time::Duration;

use axum::extract::MatchedPath;
use axum::http::header::{AUTHORIZATION, COOKIE, SET_COOKIE};
use axum::http::{HeaderName, HeaderValue, Request, Response};
use axum::Router;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::sensitive_headers::{
    SetSensitiveRequestHeadersLayer, SetSensitiveResponseHeadersLayer,
};
use tower_http::trace::TraceLayer;
use tracing::Span;

const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Mints request ids the way the log mints ids (UUID v7, in one place: the store's `new_id`).
#[derive(Debug, Clone, Copy)]
struct NewRequestId;

impl MakeRequestId for NewRequestId {
    fn make_request_id<B>(&mut self, _request: &Request<B>) -> Option<RequestId> {
        HeaderValue::from_str(&scoreledger_store::new_id().to_string())
            .ok()
            .map(RequestId::new)
    }
}

/// The longest request id a client may choose; ids are quoted by people and kept in every log
/// line of the request, so a longer one is replaced rather than echoed.
const MAX_REQUEST_ID: usize = 128;

/// Whether a client's request id is fit to keep: short, and visible ASCII only (no spaces or
/// control characters that would garble a log line).
fn fit_request_id(id: &HeaderValue) -> bool {
    let bytes = id.as_bytes();
    !bytes.is_empty() && bytes.len() <= MAX_REQUEST_ID && bytes.iter().all(u8::is_ascii_graphic)
}

/// Drops a client's request id that is unfit to keep, so that one is minted in its place.
async fn drop_unfit_request_id(mut request: axum::extract::Request) -> axum::extract::Request {
    if request
        .headers()
        .get_all(X_REQUEST_ID)
        .iter()
        .any(|id| !fit_request_id(id))
    {
        request.headers_mut().remove(X_REQUEST_ID);
    }
    request
}

/// The span of one request: its id, method and the route it matched (not the raw path, which
/// carries ids and periods; `unmatched` for a path no route serves).
fn span<B>(request: &Request<B>) -> Span {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str);
    let request_id = request
        .headers()
        .get(X_REQUEST_ID)
        .and_then(|id| id.to_str().ok())
        .unwrap_or_default();
    tracing::info_span!(
        "request",
        request_id = %request_id,
        method = %request.method(),
        route = %route,
    )
}

fn answered<B>(response: &Response<B>, latency: Duration, _span: &Span) {
    tracing::info!(
        status = response.status().as_u16(),
        latency_ms = latency.as_secs_f64() * 1000.0,
        "answered"
    );
}

/// `router` with request ids and request logs around every route.
pub(crate) fn around(router: Router) -> Router {
    // The last layer added runs first: redact, drop an unfit id, mint one if there is none, log
    // with it, then echo it.
    router
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(span)
                .on_request(())
                .on_response(answered)
                // The answer's status says it already; a failing query logs its own cause.
                .on_failure(()),
        )
        .layer(SetRequestIdLayer::x_request_id(NewRequestId))
        .layer(axum::middleware::map_request(drop_unfit_request_id))
        // The pages' cookie carries the same secret as a bearer token.
        .layer(SetSensitiveRequestHeadersLayer::new([
            AUTHORIZATION,
            COOKIE,
        ]))
        .layer(SetSensitiveResponseHeadersLayer::new([SET_COOKIE]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_short_visible_request_ids_are_kept() {
        let fit = |id: &str| fit_request_id(&HeaderValue::from_str(id).unwrap());
        assert!(fit("audit-log-test-1"));
        assert!(fit(&"a".repeat(MAX_REQUEST_ID)));
        assert!(!fit(&"a".repeat(MAX_REQUEST_ID + 1)));
        assert!(!fit(""));
        assert!(!fit("two words"));
        assert!(!fit("tab\there"));
        assert!(!fit_request_id(
            &HeaderValue::from_bytes("caf\u{e9}".as_bytes()).unwrap()
        ));
    }
}

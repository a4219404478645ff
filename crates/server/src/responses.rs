//! The error answers every route of a kind can give, declared once for the OpenAPI document:
//! each route adds the ones its own rules give (403, 404, 409, 422, 300), in its own words.

use utoipa::IntoResponses;

use crate::error::ErrorBody;

/// What every `/api` query can answer besides its own.
#[derive(IntoResponses)]
#[expect(
    dead_code,
    reason = "declared for the OpenAPI document; the handlers answer through ApiError"
)]
pub(crate) enum QueryErrors {
    /// An unreadable query-string or path parameter, named.
    #[response(status = 400)]
    BadRequest(ErrorBody),
    /// No valid token: none, not a bearer token, unknown, revoked or expired (the answer says
    /// which).
    #[response(status = 401)]
    Unauthorized(ErrorBody),
    /// The log or the read models did not answer.
    #[response(status = 503)]
    Unavailable(ErrorBody),
}

/// What every `/api` write can answer besides its own.
#[derive(IntoResponses)]
#[expect(
    dead_code,
    reason = "declared for the OpenAPI document; the handlers answer through ApiError"
)]
pub(crate) enum WriteErrors {
    /// JSON that does not parse, or an `If-Match` or `Idempotency-Key` header that cannot be
    /// read, or an unreadable path parameter.
    #[response(status = 400)]
    BadRequest(ErrorBody),
    /// No valid token: none, not a bearer token, unknown, revoked or expired (the answer says
    /// which).
    #[response(status = 401)]
    Unauthorized(ErrorBody),
    /// A body over 64 KB.
    #[response(status = 413)]
    TooLarge(ErrorBody),
    /// A body not sent as `Content-Type: application/json`.
    #[response(status = 415)]
    UnsupportedMediaType(ErrorBody),
    /// The log or the read models did not answer; nothing was appended.
    #[response(status = 503)]
    Unavailable(ErrorBody),
}

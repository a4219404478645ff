//! Errors as the API answers them: a status and `{"error": "…"}` saying what to do.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use scoreledger_service::QueryError;
use serde::Serialize;
use utoipa::ToSchema;

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong and what to do about it.
    pub error: String,
    /// On a conflict (409): the stream's current version, to read again and retry against.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<u64>,
}

/// An error answer.
#[derive(Debug)]
pub struct ApiError {
    /// The status.
    pub status: StatusCode,
    /// The message.
    pub message: String,
    /// On a conflict: the stream's current version.
    pub current_version: Option<u64>,
}

impl ApiError {
    /// 401: no valid token; says how to get one.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, message)
    }

    /// 422: the request is well formed but cannot be answered as asked.
    pub fn unprocessable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, message)
    }

    /// 503: the event log did not answer.
    pub fn log_unavailable(err: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("the event log did not answer: {err}"),
        )
    }

    /// Any status, with a message.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            current_version: None,
        }
    }
}

impl From<QueryError> for ApiError {
    fn from(err: QueryError) -> Self {
        let status = match &err {
            QueryError::Rejected(_) => StatusCode::UNPROCESSABLE_ENTITY,
            QueryError::NotFound(_) => StatusCode::NOT_FOUND,
            QueryError::Ambiguous(_) => StatusCode::MULTIPLE_CHOICES,
            err if err.is_corrupt() => StatusCode::INTERNAL_SERVER_ERROR,
            QueryError::Corrupt(_) => StatusCode::INTERNAL_SERVER_ERROR,
            QueryError::Unavailable(_) | QueryError::Replay(_) | QueryError::Scratch(_) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
        };
        // The cause too: "failed to replay the log" alone does not say what to fix.
        let message = match std::error::Error::source(&err) {
            Some(source) if matches!(err, QueryError::Replay(_) | QueryError::Scratch(_)) => {
                format!("{err}: {source}")
            }
            _ => err.to_string(),
        };
        // ERROR is for corruption only: every ERROR line is someone's job to act on.
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %message, "query failed");
        } else if status.is_server_error() {
            tracing::warn!(error = %message, "query failed");
        }
        Self::new(status, message)
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> Self {
        QueryError::from(err).into()
    }
}

impl From<scoreledger_service::ChaseError> for ApiError {
    fn from(err: scoreledger_service::ChaseError) -> Self {
        use scoreledger_service::ChaseError;
        match err {
            ChaseError::NoPlan(_) => ApiError::new(StatusCode::NOT_FOUND, err.to_string()),
            ChaseError::Lookup(err) => err.into(),
            ChaseError::Read(err) => ApiError::log_unavailable(err),
        }
    }
}

/// Marks an answer as a write conflict (the stream had moved on), for the metrics middleware:
/// a conflict is the one error that carries the stream's current version.
#[derive(Debug, Clone, Copy)]
pub struct Conflicted;

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let conflicted = self.status == StatusCode::CONFLICT && self.current_version.is_some();
        let body = Json(ErrorBody {
            error: self.message,
            current_version: self.current_version,
        });
        if conflicted {
            let mut response = (self.status, body).into_response();
            response.extensions_mut().insert(Conflicted);
            return response;
        }
        if self.status == StatusCode::UNAUTHORIZED {
            return (
                self.status,
                [(header::WWW_AUTHENTICATE, "Bearer realm=\"scoreledger\"")],
                body,
            )
                .into_response();
        }
        (self.status, body).into_response()
    }
}

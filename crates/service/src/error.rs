//! Why a query could not be answered, in terms each front end can translate (an exit code, an
//! HTTP status).

/// A query that could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// The question itself cannot be answered as asked (an unknown report, a position past the
    /// end of the log); the message says what to ask instead.
    #[error("{0}")]
    Rejected(String),
    /// What the question names does not exist (a report never published, an unknown measure).
    #[error("{0}")]
    NotFound(String),
    /// The read models disagree with what was published: the figures cannot be trusted.
    #[error("{0}")]
    Corrupt(String),
    /// The read models did not answer.
    #[error("failed to query the read models")]
    Unavailable(#[from] sqlx::Error),
}

impl QueryError {
    pub(crate) fn rejected(message: impl Into<String>) -> Self {
        QueryError::Rejected(message.into())
    }
}

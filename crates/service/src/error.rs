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
    /// What the question names could be more than one thing (a period published to several
    /// meetings); the message lists them and says how to name one.
    #[error("{0}")]
    Ambiguous(String),
    /// The read models disagree with what was published: the figures cannot be trusted.
    #[error("{0}")]
    Corrupt(String),
    /// The read models did not answer.
    #[error("failed to query the read models")]
    Unavailable(#[from] sqlx::Error),
    /// The log could not be replayed to prove a publication: it did not answer, or it has a
    /// gap or an unreadable commit (see [`QueryError::is_corrupt`]).
    #[error("failed to replay the log into scratch read models")]
    Replay(#[from] scoreledger_projections::ProjectionError),
    /// Scratch read models for a replay could not be created (a temporary directory, an
    /// SQLite file).
    #[error("failed to create scratch read models for a replay")]
    Scratch(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl QueryError {
    pub(crate) fn rejected(message: impl Into<String>) -> Self {
        QueryError::Rejected(message.into())
    }
}

impl QueryError {
    /// Whether the answer cannot be trusted (figures that do not reproduce, a log with a gap
    /// or an unreadable commit), as opposed to a question that cannot be answered as asked or
    /// a backend that did not answer.
    pub fn is_corrupt(&self) -> bool {
        use scoreledger_projections::ProjectionError;
        use scoreledger_store::ReadError;
        matches!(
            self,
            QueryError::Corrupt(_)
                | QueryError::Replay(
                    ProjectionError::Gap { .. }
                        | ProjectionError::Corrupt { .. }
                        | ProjectionError::Unreadable { .. }
                        | ProjectionError::Read(ReadError::Corrupt { .. })
                )
        )
    }
}

//! Errors are translated once, here: each failure carries the exit-code kind and a message
//! chain that says what went wrong and what to do.

use scoreledger_projections::ProjectionError;
use scoreledger_store::backup::{BackupError, RestoreError};
use scoreledger_store::sqlite::OpenError;
use scoreledger_store::{AppendError, ExecuteError, ReadError};

use crate::exit::Failure;

/// A failed command.
#[derive(Debug)]
pub struct Failed {
    /// Which exit code.
    pub kind: Failure,
    /// What happened, with context.
    pub error: anyhow::Error,
}

impl Failed {
    /// A rejection of bad input (nothing appended).
    pub fn rejected(message: impl std::fmt::Display) -> Self {
        Self {
            kind: Failure::Rejected,
            error: anyhow::anyhow!("{message}"),
        }
    }

    /// The message with its causes, one per line.
    pub fn render(&self) -> String {
        let mut text = self.error.to_string();
        for cause in self.error.chain().skip(1) {
            text.push_str(&format!("\n  caused by: {cause}"));
        }
        text
    }

    /// Adds context to the message.
    pub fn context(self, context: impl std::fmt::Display + Send + Sync + 'static) -> Self {
        Self {
            kind: self.kind,
            error: self.error.context(context),
        }
    }
}

impl From<ExecuteError> for Failed {
    fn from(err: ExecuteError) -> Self {
        let kind = match &err {
            ExecuteError::Rejected(_) => Failure::Rejected,
            ExecuteError::Append(AppendError::Conflict { .. } | AppendError::Moved { .. }) => {
                Failure::Conflict
            }
            ExecuteError::Append(AppendError::Corrupt { .. })
            | ExecuteError::Read(ReadError::Corrupt { .. }) => Failure::Corrupt,
            ExecuteError::Append(
                AppendError::Empty
                | AppendError::Unreadable(_)
                | AppendError::Unsigned
                | AppendError::KeyNotRecorded
                | AppendError::KeyRetired { .. }
                | AppendError::KeyNotInLog { .. },
            ) => Failure::Rejected,
            ExecuteError::Append(AppendError::Unavailable(_))
            | ExecuteError::Read(ReadError::Unavailable(_)) => Failure::Unavailable,
        };
        Self {
            kind,
            error: err.into(),
        }
    }
}

impl From<ProjectionError> for Failed {
    fn from(err: ProjectionError) -> Self {
        let kind = match &err {
            ProjectionError::Gap { .. }
            | ProjectionError::Corrupt { .. }
            | ProjectionError::Unreadable { .. }
            | ProjectionError::Read(ReadError::Corrupt { .. }) => Failure::Corrupt,
            _ => Failure::Unavailable,
        };
        Self {
            kind,
            error: err.into(),
        }
    }
}

impl From<ReadError> for Failed {
    fn from(err: ReadError) -> Self {
        let kind = match &err {
            ReadError::Corrupt { .. } => Failure::Corrupt,
            ReadError::Unavailable(_) => Failure::Unavailable,
        };
        Self {
            kind,
            error: err.into(),
        }
    }
}

impl From<sqlx::Error> for Failed {
    fn from(err: sqlx::Error) -> Self {
        Self {
            kind: Failure::Unavailable,
            error: anyhow::Error::new(err).context("failed to query the read models"),
        }
    }
}

impl From<OpenError> for Failed {
    fn from(err: OpenError) -> Self {
        Self {
            kind: Failure::Unavailable,
            error: err.into(),
        }
    }
}

impl From<scoreledger_store::nats::NatsOpenError> for Failed {
    fn from(err: scoreledger_store::nats::NatsOpenError) -> Self {
        use scoreledger_store::nats::NatsOpenError::*;
        let kind = match err {
            // What the settings ask cannot be: say so as for any rejected input.
            Settings(_) | Differs { .. } | NotClustered { .. } | UnsafeServer { .. } => {
                Failure::Rejected
            }
            Connect { .. } | Login { .. } | Stream { .. } | UnsafeStream { .. } => {
                Failure::Unavailable
            }
        };
        Self {
            kind,
            error: err.into(),
        }
    }
}

impl From<scoreledger_projections::ReadModelsError> for Failed {
    fn from(err: scoreledger_projections::ReadModelsError) -> Self {
        Self {
            kind: Failure::Unavailable,
            error: err.into(),
        }
    }
}

impl From<scoreledger_service::SubmitError> for Failed {
    fn from(err: scoreledger_service::SubmitError) -> Self {
        use scoreledger_service::SubmitError;
        match err {
            SubmitError::Execute(err) => err.into(),
            refused @ SubmitError::Refused(_) => Self {
                kind: Failure::Rejected,
                error: refused.into(),
            },
            stale @ SubmitError::Stale { .. } => Self {
                kind: Failure::Conflict,
                error: stale.into(),
            },
            unreadable @ SubmitError::Unreadable { .. } => Self {
                kind: Failure::Corrupt,
                error: unreadable.into(),
            },
        }
    }
}

impl From<scoreledger_service::ValuesError> for Failed {
    fn from(err: scoreledger_service::ValuesError) -> Self {
        use scoreledger_service::ValuesError;
        match err {
            ValuesError::Refused(preview) => {
                Failed::rejected(scoreledger_reports::sheet::Problems(preview.problems))
            }
            ValuesError::Lookup(err) => err.into(),
            ValuesError::Read(err) => err.into(),
            ValuesError::Submit(err) => err.into(),
        }
    }
}

impl From<scoreledger_service::QueryError> for Failed {
    fn from(err: scoreledger_service::QueryError) -> Self {
        use scoreledger_service::QueryError;
        let kind = match &err {
            QueryError::Rejected(_) | QueryError::NotFound(_) | QueryError::Ambiguous(_) => {
                Failure::Rejected
            }
            err if err.is_corrupt() => Failure::Corrupt,
            QueryError::Corrupt(_) => Failure::Corrupt,
            QueryError::Unavailable(_) | QueryError::Replay(_) | QueryError::Scratch(_) => {
                Failure::Unavailable
            }
        };
        Self {
            kind,
            error: err.into(),
        }
    }
}

impl From<BackupError> for Failed {
    fn from(err: BackupError) -> Self {
        let kind = match &err {
            BackupError::Exists { .. } => Failure::Rejected,
            BackupError::Unverified(_)
            | BackupError::Short { .. }
            | BackupError::Read(ReadError::Corrupt { .. }) => Failure::Corrupt,
            BackupError::Io { .. }
            | BackupError::Read(ReadError::Unavailable(_))
            | BackupError::Snapshot { .. }
            | BackupError::Open(_) => Failure::Unavailable,
        };
        Self {
            kind,
            error: anyhow::Error::new(err).context("failed to back up the log"),
        }
    }
}

impl From<RestoreError> for Failed {
    fn from(err: RestoreError) -> Self {
        let kind = match &err {
            RestoreError::NotABackup { .. }
            | RestoreError::NotEmpty { .. }
            | RestoreError::NotThisRestore { .. }
            | RestoreError::NotALog { .. } => Failure::Rejected,
            RestoreError::Unverified(_)
            | RestoreError::Truncated { .. }
            | RestoreError::Misplaced { .. }
            | RestoreError::Diverged { .. }
            | RestoreError::Read(ReadError::Corrupt { .. }) => Failure::Corrupt,
            RestoreError::Io { .. }
            | RestoreError::Read(ReadError::Unavailable(_))
            | RestoreError::Append { .. }
            | RestoreError::Open(_)
            | RestoreError::Database(_) => Failure::Unavailable,
        };
        Self {
            kind,
            error: anyhow::Error::new(err).context("failed to restore the log"),
        }
    }
}

impl From<std::io::Error> for Failed {
    fn from(err: std::io::Error) -> Self {
        Self {
            kind: Failure::Unavailable,
            error: err.into(),
        }
    }
}

/// Result of a CLI command.
pub type CliResult<T = ()> = Result<T, Failed>;

impl From<scoreledger_service::checkpoints::CheckpointFailure> for Failed {
    fn from(err: scoreledger_service::checkpoints::CheckpointFailure) -> Self {
        use scoreledger_service::checkpoints::CheckpointFailure as F;
        match err {
            F::Read(err) => err.into(),
            F::Append(err) => err.into(),
            F::Key(_) => Self::rejected(err),
            F::Unverified(_) => Self {
                kind: Failure::Corrupt,
                error: err.into(),
            },
            F::Busy => Self {
                kind: Failure::Conflict,
                error: err.into(),
            },
        }
    }
}

impl From<scoreledger_service::proofs::ProofError> for Failed {
    fn from(err: scoreledger_service::proofs::ProofError) -> Self {
        use scoreledger_service::proofs::ProofError as P;
        match err {
            P::Read(err) => err.into(),
            P::NotFound(_) => Self::rejected(err),
            P::Mismatch { .. } => Self {
                kind: Failure::Corrupt,
                error: err.into(),
            },
        }
    }
}

impl From<serde_json::Error> for Failed {
    fn from(err: serde_json::Error) -> Self {
        Self {
            kind: Failure::Unavailable,
            error: err.into(),
        }
    }
}

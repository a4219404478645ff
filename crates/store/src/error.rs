//! Store errors, in the caller's terms.
//!
//! Handling: `Conflict` → reload and retry or tell the user (HTTP 409); `Unavailable` →
//! retry later (HTTP 503); `Corrupt` → log at ERROR, halt, non-zero exit.

use scoreledger_domain::{Position, StreamId, StreamVersion};

use crate::envelope::{ExpectedVersion, NewCommit};

/// Boxed source error of a backend.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Why an append did not happen. Nothing was appended in every case.
#[derive(Debug, thiserror::Error)]
pub enum AppendError {
    /// Someone else appended to the stream first.
    #[error("stream {stream} is at version {actual}, not {expected}; reload it and try again")]
    Conflict {
        /// The stream.
        stream: StreamId,
        /// The version the caller expected.
        expected: ExpectedVersion,
        /// The version it is at.
        actual: StreamVersion,
    },
    /// The commit had to land directly after a position, and the log has moved past it.
    #[error("the log has moved past position {after} (it is at {head}); build the commit again")]
    Moved {
        /// Where the commit had to land after.
        after: Position,
        /// Where the log is.
        head: Position,
    },
    /// The log signs its commits, and this process has no key to sign with.
    #[error("this log signs its commits, and no signing key was given: pass --signing-key FILE (or set SCORELEDGER_SIGNING_KEY_FILE or SCORELEDGER_SIGNING_KEY); `scoreledger keys show` names the key the log expects")]
    Unsigned,
    /// A key was given, and the log has not recorded one: what it signed would not verify.
    #[error("a signing key was given, but this log has not recorded one yet: run `scoreledger --role admin keys generate` (or drop --signing-key)")]
    KeyNotRecorded,
    /// The key given signs for this log no more: it was rotated away.
    #[error("the signing key this process holds ({key}) was retired at position {at} (rotated): what it signed would verify as forged, so nothing was appended. Restart with the log's current key (`scoreledger keys show` names it; `keys rotate` wrote it to its --out file)")]
    KeyRetired {
        /// The key's id.
        key: String,
        /// Where it was retired.
        at: Position,
    },
    /// The key given is not one the log has recorded.
    #[error("the signing key this process holds ({key}) is not one this log has recorded: what it signed would verify as forged, so nothing was appended. Give the log's own key (`scoreledger keys show` names it)")]
    KeyNotInLog {
        /// The key's id.
        key: String,
    },
    /// An event would not read back as written.
    #[error(transparent)]
    Unreadable(#[from] crate::envelope::Unreadable),
    /// A commit must hold at least one event.
    #[error("a commit must hold at least one event")]
    Empty,
    /// The backend could not be reached or failed.
    #[error("the event log is unavailable")]
    Unavailable(#[source] BoxError),
    /// The log contradicts itself.
    #[error("the event log is corrupt at position {position}: {problem}")]
    Corrupt {
        /// Where.
        position: Position,
        /// What.
        problem: String,
    },
}

/// Why a read failed.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The backend could not be reached or failed.
    #[error("the event log is unavailable")]
    Unavailable(#[source] BoxError),
    /// A stored commit cannot be read back.
    #[error("the event log is corrupt at position {position}: {problem}")]
    Corrupt {
        /// Where.
        position: Position,
        /// What.
        problem: String,
    },
}

/// A report was published after the log position `new` was judged through
/// (`NewCommit::judged_through`): a conflict on the stream it was judged against, so that it
/// is judged again against what is published now.
pub(crate) fn published_since(new: &NewCommit) -> AppendError {
    let (stream, version) = new
        .judged_against
        .clone()
        .unwrap_or_else(|| (new.stream.clone(), StreamVersion(0)));
    AppendError::Conflict {
        stream,
        expected: ExpectedVersion::Exact(version),
        actual: version,
    }
}

impl From<sqlx::Error> for AppendError {
    fn from(err: sqlx::Error) -> Self {
        AppendError::Unavailable(Box::new(err))
    }
}

impl From<sqlx::Error> for ReadError {
    fn from(err: sqlx::Error) -> Self {
        ReadError::Unavailable(Box::new(err))
    }
}

impl From<ReadError> for AppendError {
    fn from(err: ReadError) -> Self {
        match err {
            ReadError::Unavailable(source) => AppendError::Unavailable(source),
            ReadError::Corrupt { position, problem } => AppendError::Corrupt { position, problem },
        }
    }
}

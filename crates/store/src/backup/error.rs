//! Why a backup or a restore did not happen, in the caller's terms. Handling: a refusal
//! (`Exists`, `NotEmpty`, `NotThisRestore`, `NotABackup`) changed nothing; a backup or source that does not
//! verify (`Unverified`, `Short`, `Truncated`, `Misplaced`) is corruption to investigate
//! (exit 5); the rest is I/O to retry.

use scoreledger_domain::Position;

use crate::error::{AppendError, ReadError};
use crate::sqlite::OpenError;
use crate::verify::Finding;

/// Why a backup was not written. No backup file is left behind in any case.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The destination exists; a backup never overwrites.
    #[error("{path} already exists; a backup never overwrites a file, so name a new one (or move the old one away)")]
    Exists {
        /// The file.
        path: String,
    },
    /// A file could not be written, read or moved.
    #[error("cannot {action} {path}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file.
        path: String,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// The log could not be read.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// SQLite could not write the copy.
    #[error("SQLite could not copy the log into {path} (VACUUM INTO); check the disk has room")]
    Snapshot {
        /// The file being written.
        path: String,
        /// Cause.
        #[source]
        source: sqlx::Error,
    },
    /// The copy could not be opened to be checked.
    #[error("cannot open the copy to verify it")]
    Open(#[from] OpenError),
    /// What was copied does not verify (the copy is removed).
    #[error("the copy does not verify, so it was removed: {0}. Run `scoreledger verify` on the log itself")]
    Unverified(Finding),
    /// The copy lacks commits the log held when the backup began (the copy is removed).
    #[error("the copy reaches position {copied}, but the log held commits up to {began} when the backup began (or its commit at {began} differs), so it was removed")]
    Short {
        /// The head when the backup began.
        began: Position,
        /// The head of the copy.
        copied: Position,
    },
}

/// Why a restore did not happen, or did not finish.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    /// The source is neither an embedded database nor a logical backup.
    #[error("{path} is not a scoreledger backup ({problem}); give a file written by `scoreledger backup`")]
    NotABackup {
        /// The file.
        path: String,
        /// What is wrong with it.
        problem: String,
    },
    /// A file could not be read, written or moved.
    #[error("cannot {action} {path}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file.
        path: String,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// The source does not verify; nothing was restored.
    #[error("the backup does not verify, so nothing was restored: {0}")]
    Unverified(Finding),
    /// The logical backup ends before the head its header names; nothing was restored.
    #[error("the backup file ends at position {reached}, but its header says the log reached {head} (with that commit's hash): the file is truncated or was edited, so nothing was restored")]
    Truncated {
        /// The head the header names.
        head: Position,
        /// The last position in the file.
        reached: Position,
    },
    /// The log to restore into already holds commits.
    #[error("{target} already holds {commits} commits; a restore never appends to a log. Restore into a new, empty log ({hint})")]
    NotEmpty {
        /// The log.
        target: String,
        /// How many commits it holds.
        commits: u64,
        /// How to name an empty one.
        hint: &'static str,
    },
    /// The stream to restore into holds commits that are not the backup's first ones, so it
    /// is not an interrupted restore of this backup to continue. Nothing was published.
    #[error("{target} is not an interrupted restore of this backup: {problem}, so nothing was published. Continue a restore with the backup it began from; otherwise restore into a new, empty stream (name one with --nats-stream NAME and --nats-prefix PREFIX)")]
    NotThisRestore {
        /// The log.
        target: String,
        /// The first position where the stream differs from the backup.
        position: Position,
        /// What differs there.
        problem: String,
    },
    /// The file to restore into is a database without a log.
    #[error("{target} is a database without a scoreledger log (read models only, or not Scoreledger's); restore into a new file named with --db PATH or --store sqlite:PATH")]
    NotALog {
        /// The file.
        target: String,
    },
    /// The log could not be read.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// A commit could not be written back.
    #[error("cannot write the commit for position {position} back")]
    Append {
        /// Where.
        position: Position,
        /// Cause.
        #[source]
        source: AppendError,
    },
    /// The embedded database could not be opened.
    #[error("cannot open the restored database")]
    Open(#[from] OpenError),
    /// The embedded database failed.
    #[error("the restored database failed")]
    Database(#[from] sqlx::Error),
    /// JetStream stored a commit somewhere other than its position.
    #[error("JetStream acknowledged the commit for position {position} at sequence {acknowledged}: something else is publishing to the stream. Stop it, and restore into another new stream")]
    Misplaced {
        /// The position the commit had.
        position: Position,
        /// The sequence JetStream gave it.
        acknowledged: u64,
    },
    /// The restored log does not verify, or does not end where the backup did.
    #[error("the restored log does not match the backup ({problem}); do not use it: restore into another new log")]
    Diverged {
        /// What differs.
        problem: String,
    },
}

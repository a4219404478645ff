//! Backups of the log that lose nothing, and their restoring, as pure I/O.
//!
//! A backup is only ever called good once it verifies: every commit's hash, link, version and
//! position checked (`LogVerifier`), up to the head the backup saw when it began.
//!
//! - The embedded log is copied online with SQLite's `VACUUM INTO`: one read transaction, so
//!   the copy is consistent and holds what is still in the write-ahead log, while `serve`
//!   keeps writing (a file copy would lose acknowledged writes still in the WAL).
//! - Either log can be written as a logical backup (`format.rs`): JSON lines, a header naming
//!   the origin and head, then one stored commit per line, its bytes unchanged, in log order.
//! - A restore verifies its source first, writes into an empty log only, and puts the commits
//!   back at the same positions: on SQLite a staged file renamed into place, on JetStream each
//!   commit republished expecting the sequence before it. A JetStream restore that was
//!   interrupted continues when run again: the commits already there are checked byte for
//!   byte against the backup, and anything else in the stream is refused.

mod error;
mod files;
mod format;
mod logical;
mod restore;
mod snapshot;
mod source;
mod stored;

pub use error::{BackupError, RestoreError};
pub use format::{Header, FORMAT, FORMAT_VERSION};
pub use logical::backup_logical;
pub use restore::{republish, stage_sqlite, Republished, Staged};
pub use snapshot::backup_sqlite;
pub use source::{verify_source, BackupSource, SourceCheck};
pub use stored::{StoredCommit, StoredLog, Summary};

//! The logical backup file: JSON lines. The first line is a `Header`; every line after it is
//! one `StoredCommit` (`{"position":N,"envelope":"<the envelope as stored>"}`), in log order,
//! from position 1 to the header's head without a gap. The envelope is kept as the exact text
//! the log stored, so every hash recomputes from it.

use serde::{Deserialize, Serialize};

use scoreledger_domain::Position;

/// What the header's `format` says.
pub const FORMAT: &str = "scoreledger-log-backup";

/// The version of the format this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// The first line of a logical backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// Always [`FORMAT`].
    pub format: String,
    /// Always [`FORMAT_VERSION`] for files this build writes.
    pub version: u32,
    /// Which log was backed up (`nats://HOST:PORT stream NAME`, or `sqlite`).
    pub origin: String,
    /// The position of the last commit in the file: the log's head when the backup began.
    pub head: Position,
    /// The hash of that commit (none for an empty log).
    pub head_hash: Option<String>,
}

//! Exit codes, in one place.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | the database or log is unavailable, or an unexpected failure |
//! | 2 | usage error (bad flags; printed by clap) |
//! | 3 | rejected: bad input or a domain rule; nothing was appended |
//! | 4 | conflict: someone else changed the stream first; nothing was appended |
//! | 5 | corruption: a hash mismatch or a gap in the log; investigate before going on |
//! | 6 | unauthorised: with `--server`, the service did not accept the bearer token |

use std::process::ExitCode;

/// The kinds of failure the CLI distinguishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Unavailable or unexpected.
    Unavailable = 1,
    /// Rejected input.
    Rejected = 3,
    /// Optimistic-concurrency conflict.
    Conflict = 4,
    /// Corruption.
    Corrupt = 5,
    /// The service did not accept the bearer token (unknown, expired or revoked).
    Unauthorised = 6,
}

impl From<Failure> for ExitCode {
    fn from(failure: Failure) -> Self {
        ExitCode::from(failure as u8)
    }
}

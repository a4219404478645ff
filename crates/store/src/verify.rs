//! The log as stored, verified: every commit's hash recomputed from what is stored, every
//! stream's links and versions, and the global positions (no gap, no repeat, no reordering).
//! The first thing wrong is named, with the position and how it is wrong.
//!
//! `LogVerifier` is a pure step function over commits in log order; `verify_log` feeds it the
//! whole log in batches, so memory grows with the number of streams, not of commits.

use std::collections::BTreeMap;

use serde::Serialize;
use uuid::Uuid;

use scoreledger_domain::{Position, StreamId, StreamVersion};

use crate::envelope::{Commit, GENESIS_HASH};
use crate::error::ReadError;
use crate::EventStore;

/// Commits read per batch.
const BATCH: usize = 1000;

/// The first thing wrong with the log, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Finding {
    /// A commit that cannot be read at all.
    #[error("position {position}: the commit cannot be read ({problem}); it was damaged, or written by something other than Scoreledger")]
    Unreadable {
        /// Where.
        position: Position,
        /// What the store said.
        problem: String,
    },
    /// Positions skip: commits were deleted.
    #[error("position {expected} is missing (the log goes on at {found}): a commit was deleted")]
    Missing {
        /// The position that should come next.
        expected: Position,
        /// The position found instead.
        found: Position,
    },
    /// Positions repeat or go back.
    #[error(
        "position {position} comes after {previous}: the log was reordered or a commit repeated"
    )]
    Reordered {
        /// The position found.
        position: Position,
        /// The position before it.
        previous: Position,
    },
    /// A commit's contents no longer hash to the hash it was sealed with.
    #[error("commit {commit_id} at position {position} was changed: its contents hash to {computed}, not to the {stored} it was sealed with")]
    Changed {
        /// The commit.
        commit_id: Uuid,
        /// Where.
        position: Position,
        /// The hash stored with it.
        stored: String,
        /// The hash of what is stored now.
        computed: String,
    },
    /// A commit does not follow the commit before it in its stream.
    #[error("commit {commit_id} at position {position} does not follow the previous commit of {stream} (it points at {prev_hash}, the previous one hashes to {expected}): a commit of the stream was removed, inserted or moved")]
    BrokenLink {
        /// The commit.
        commit_id: Uuid,
        /// Where.
        position: Position,
        /// Its stream.
        stream: StreamId,
        /// What it points at.
        prev_hash: String,
        /// What it should point at.
        expected: String,
    },
    /// A commit's stream versions do not follow on.
    #[error("commit {commit_id} at position {position} starts at version {found} of {stream}, not {expected}: a commit of the stream was removed, inserted or moved")]
    VersionGap {
        /// The commit.
        commit_id: Uuid,
        /// Where.
        position: Position,
        /// Its stream.
        stream: StreamId,
        /// The version it starts at.
        found: StreamVersion,
        /// The version it should start at.
        expected: StreamVersion,
    },
}

impl Finding {
    /// What kind of finding it is, as `--json` names it (`changed`, `missing`, …).
    pub fn kind(&self) -> &'static str {
        match self {
            Finding::Unreadable { .. } => "unreadable",
            Finding::Missing { .. } => "missing",
            Finding::Reordered { .. } => "reordered",
            Finding::Changed { .. } => "changed",
            Finding::BrokenLink { .. } => "broken_link",
            Finding::VersionGap { .. } => "version_gap",
        }
    }

    /// The position the finding is about.
    pub fn position(&self) -> Position {
        match self {
            Finding::Unreadable { position, .. }
            | Finding::Reordered { position, .. }
            | Finding::Changed { position, .. }
            | Finding::BrokenLink { position, .. }
            | Finding::VersionGap { position, .. } => *position,
            Finding::Missing { expected, .. } => *expected,
        }
    }
}

/// The last commit seen of one stream.
#[derive(Debug, Clone)]
struct Tip {
    hash: String,
    version: StreamVersion,
}

/// Checks commits one by one, in log order.
#[derive(Debug, Clone, Default)]
pub struct LogVerifier {
    last: Position,
    tips: BTreeMap<StreamId, Tip>,
    commits: u64,
}

impl LogVerifier {
    /// A verifier at the start of the log.
    pub fn new() -> Self {
        Self::default()
    }

    /// Checks the next commit: its position follows the last, its contents hash to its hash,
    /// and it follows the previous commit of its stream by hash and version.
    pub fn check(&mut self, commit: &Commit) -> Result<(), Finding> {
        let expected = Position(self.last.0 + 1);
        if commit.position < expected {
            return Err(Finding::Reordered {
                position: commit.position,
                previous: self.last,
            });
        }
        if commit.position > expected {
            return Err(Finding::Missing {
                expected,
                found: commit.position,
            });
        }
        let computed = commit.compute_hash();
        if computed != commit.hash {
            return Err(Finding::Changed {
                commit_id: commit.commit_id,
                position: commit.position,
                stored: commit.hash.clone(),
                computed,
            });
        }
        let (prev_hash, version) = self.tips.get(&commit.stream).map_or_else(
            || (GENESIS_HASH.to_owned(), StreamVersion(0)),
            |tip| (tip.hash.clone(), tip.version),
        );
        if commit.prev_hash != prev_hash {
            return Err(Finding::BrokenLink {
                commit_id: commit.commit_id,
                position: commit.position,
                stream: commit.stream.clone(),
                prev_hash: commit.prev_hash.clone(),
                expected: prev_hash,
            });
        }
        // Computed without underflow: a tampered commit may claim fewer versions than events.
        let first = commit
            .stream_version
            .0
            .checked_sub(commit.events.len() as u64)
            .filter(|_| !commit.events.is_empty());
        if first != Some(version.0) {
            return Err(Finding::VersionGap {
                commit_id: commit.commit_id,
                position: commit.position,
                stream: commit.stream.clone(),
                found: StreamVersion(first.unwrap_or(commit.stream_version.0)),
                expected: version,
            });
        }
        self.tips.insert(
            commit.stream.clone(),
            Tip {
                hash: commit.hash.clone(),
                version: commit.stream_version,
            },
        );
        self.last = commit.position;
        self.commits += 1;
        Ok(())
    }

    /// Commits checked so far.
    pub fn commits(&self) -> u64 {
        self.commits
    }

    /// Streams seen so far.
    pub fn streams(&self) -> usize {
        self.tips.len()
    }

    /// The position of the last commit checked.
    pub fn last(&self) -> Position {
        self.last
    }
}

/// What a verification of the whole log found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogVerification {
    /// Commits checked (up to the first finding).
    pub commits: u64,
    /// Streams seen.
    pub streams: usize,
    /// The position of the last commit in the log when the verification started.
    pub head: Position,
    /// The first thing wrong, if anything is.
    pub finding: Option<Finding>,
}

impl LogVerification {
    /// Whether the log verified.
    pub fn verified(&self) -> bool {
        self.finding.is_none()
    }
}

/// Verifies the log from its first commit to its head (as it was when this started), telling
/// `progress` the position reached after every batch. Stops at the first finding.
pub async fn verify_log(
    store: &dyn EventStore,
    mut progress: impl FnMut(Position, Position),
) -> Result<LogVerification, ReadError> {
    let head = store.head().await?;
    let mut verifier = LogVerifier::new();
    let finding = loop {
        let after = verifier.last();
        if after >= head {
            break None;
        }
        let limit = BATCH.min((head.0 - after.0) as usize);
        let commits = match store.read_all(after, limit).await {
            Ok(commits) => commits,
            Err(ReadError::Corrupt { position, problem }) if position > after => {
                // Check what comes before it, then name it.
                let before = (position.0 - after.0 - 1) as usize;
                let prefix = if before == 0 {
                    Vec::new()
                } else {
                    store.read_all(after, before).await?
                };
                match prefix.iter().try_for_each(|c| verifier.check(c)) {
                    Err(finding) => break Some(finding),
                    Ok(()) if verifier.last().0 + 1 == position.0 => {
                        break Some(Finding::Unreadable { position, problem })
                    }
                    Ok(()) => {
                        break Some(Finding::Missing {
                            expected: Position(verifier.last().0 + 1),
                            found: position,
                        })
                    }
                }
            }
            Err(err) => return Err(err),
        };
        if commits.is_empty() {
            // The head said there was more: commits below it are gone.
            break Some(Finding::Missing {
                expected: Position(after.0 + 1),
                found: head,
            });
        }
        if let Err(finding) = commits.iter().try_for_each(|c| verifier.check(c)) {
            break Some(finding);
        }
        progress(verifier.last(), head);
    };
    Ok(LogVerification {
        commits: verifier.commits(),
        streams: verifier.streams(),
        head,
        finding,
    })
}

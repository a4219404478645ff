//! Commits as the log stores them (position and envelope text, undecoded), read from either
//! backend: what a backup copies byte for byte.

use serde::{Deserialize, Serialize};
use sqlx::{Row, SqlitePool};

use scoreledger_domain::Position;

use crate::envelope::Commit;
use crate::error::ReadError;
use crate::nats::NatsStore;
use crate::verify::{Finding, LogVerifier, Step};

/// Commits read per batch.
pub(crate) const BATCH: usize = 1000;

/// One commit as stored: its position and its envelope's exact text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredCommit {
    /// The log position.
    pub position: Position,
    /// The envelope as stored (the SQLite row's text, the JetStream message's payload).
    pub envelope: String,
}

impl StoredCommit {
    /// The commit these bytes hold, or why they hold none.
    pub fn decode(&self) -> Result<Commit, Finding> {
        let mut commit: Commit =
            serde_json::from_str(&self.envelope).map_err(|err| Finding::Unreadable {
                position: self.position,
                problem: format!("the envelope is not a scoreledger commit: {err}"),
            })?;
        commit.position = self.position;
        Ok(commit)
    }
}

/// A log to read as stored.
#[derive(Clone, Copy)]
pub enum StoredLog<'a> {
    /// An embedded log (its database).
    Sqlite(&'a SqlitePool),
    /// A JetStream log.
    Nats(&'a NatsStore),
}

impl StoredLog<'_> {
    /// Up to `limit` commits after `after`, in log order.
    pub async fn read(
        &self,
        after: Position,
        limit: usize,
    ) -> Result<Vec<StoredCommit>, ReadError> {
        match self {
            StoredLog::Sqlite(pool) => read_sqlite(pool, after, limit).await,
            StoredLog::Nats(store) => store
                .read_stored(after, limit)
                .await?
                .into_iter()
                .map(|(sequence, payload)| {
                    let position = Position(sequence);
                    // Scoreledger writes JSON; bytes that are not text are no commit of ours.
                    String::from_utf8(payload.to_vec())
                        .map(|envelope| StoredCommit { position, envelope })
                        .map_err(|_| ReadError::Corrupt {
                            position,
                            problem: "the message is not UTF-8 text, so not a scoreledger commit"
                                .into(),
                        })
                })
                .collect(),
        }
    }

    /// The position of the last commit (0 for an empty log).
    pub async fn head(&self) -> Result<Position, ReadError> {
        match self {
            StoredLog::Sqlite(pool) => sqlite_head(pool).await,
            StoredLog::Nats(store) => crate::EventStore::head(*store).await,
        }
    }

    /// The hash of the commit at `position` (none at position 0, or if it cannot be read).
    pub(crate) async fn hash_at(&self, position: Position) -> Result<Option<String>, ReadError> {
        if position.0 == 0 {
            return Ok(None);
        }
        let found = self.read(Position(position.0 - 1), 1).await?;
        Ok(found
            .first()
            .filter(|stored| stored.position == position)
            .and_then(|stored| stored.decode().ok())
            .map(|commit| commit.hash))
    }
}

/// Up to `limit` rows of an embedded log after `after`.
pub(crate) async fn read_sqlite(
    pool: &SqlitePool,
    after: Position,
    limit: usize,
) -> Result<Vec<StoredCommit>, ReadError> {
    let rows = sqlx::query(
        "SELECT position, envelope FROM commits WHERE position > ? ORDER BY position LIMIT ?",
    )
    .bind(after.0 as i64)
    .bind(limit as i64)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .iter()
        .map(|row| StoredCommit {
            position: Position(row.get::<i64, _>("position") as u64),
            envelope: row.get("envelope"),
        })
        .collect())
}

/// The last position of an embedded log.
pub(crate) async fn sqlite_head(pool: &SqlitePool) -> Result<Position, ReadError> {
    let head: i64 = sqlx::query("SELECT COALESCE(MAX(position), 0) AS head FROM commits")
        .fetch_one(pool)
        .await?
        .get("head");
    Ok(Position(head as u64))
}

/// What a backup or a restore copied, verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Commits copied.
    pub commits: u64,
    /// Streams they belong to.
    pub streams: usize,
    /// The position of the last commit copied.
    pub head: Position,
    /// The hash of the last commit copied (none for an empty log).
    pub head_hash: Option<String>,
}

/// A `LogVerifier` that also remembers the hash of the last commit it passed.
#[derive(Debug, Default)]
pub(crate) struct Checked {
    verifier: LogVerifier,
    last_hash: Option<String>,
}

impl Checked {
    /// Decodes and checks the next stored commit: `None` for bytes that are no commit, passed
    /// over as the log's own verification does (they are the finding unless an admin's setting
    /// aside of them follows).
    pub(crate) fn check(&mut self, stored: &StoredCommit) -> Result<Option<Commit>, Finding> {
        let commit = match stored.decode() {
            Ok(commit) => commit,
            Err(Finding::Unreadable { position, problem }) => {
                let digest = crate::envelope::digest(stored.envelope.as_bytes());
                self.verifier.pass_over(position, &digest, problem)?;
                self.last_hash = None;
                return Ok(None);
            }
            Err(finding) => return Err(finding),
        };
        if let Step::Unsealed(problem) = self.verifier.step(&commit)? {
            let digest = crate::envelope::digest(stored.envelope.as_bytes());
            self.verifier.pass_over(commit.position, &digest, problem)?;
            self.last_hash = None;
            return Ok(None);
        }
        self.last_hash = Some(commit.hash.clone());
        Ok(Some(commit))
    }

    /// Checks what waited for the end: signatures and unreadable commits nobody set aside.
    pub(crate) fn finish(&mut self) -> Result<(), Finding> {
        self.verifier.finish()
    }

    /// The position of the last commit checked.
    pub(crate) fn last(&self) -> Position {
        self.verifier.last()
    }

    /// What was checked.
    pub(crate) fn summary(&self) -> Summary {
        Summary {
            commits: self.verifier.commits(),
            streams: self.verifier.streams(),
            head: self.verifier.last(),
            head_hash: self.last_hash.clone(),
        }
    }
}

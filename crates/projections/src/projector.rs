//! The projector as a step function plus a loop: `try_project_batch` applies one batch of
//! commits and its checkpoint in one transaction; `run_until_stopped` loops over it.

use futures::StreamExt;
use sqlx::Row;
use tracing::{error, instrument};

use scoreledger_domain::Position;
use scoreledger_store::{Commit, EventStore, ReadError};

use crate::apply::apply_commit;
use crate::read_models::{Dialect, ReadModels};

/// Name of the projector that maintains every read model of this crate.
pub const SCORECARD_PROJECTOR: &str = "scorecard";

/// The PostgreSQL advisory lock key projectors of these read models take (an arbitrary
/// constant: "SCORELED" in ASCII).
const PROJECTOR_LOCK: i64 = 0x5343_4f52_454c_4544;

/// Every read-model table, in the order a rebuild empties them.
pub const TABLES: [&str; 16] = [
    "checkpoints",
    "plans",
    "priorities",
    "outcomes",
    "rule_sets_history",
    "measures",
    "measure_definitions_history",
    "accountability_history",
    "values_history",
    "targets_history",
    "assessments_history",
    "notes_history",
    "value_signoffs",
    "reports_published",
    "tokens",
    "history",
];

/// What one step did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Commits were applied up to and including `to`.
    Advanced {
        /// The new checkpoint.
        to: Position,
    },
    /// Nothing new in the log.
    CaughtUp,
}

/// Why projecting stopped. Corruption and gaps halt the projector: a read model that has
/// skipped a commit is worse than one that is behind.
#[derive(Debug, thiserror::Error)]
pub enum ProjectionError {
    /// The log could not be read.
    #[error("failed to read the event log")]
    Read(#[from] ReadError),
    /// The read-model database failed.
    #[error("failed to write the read models")]
    Database(#[from] sqlx::Error),
    /// A position is missing.
    #[error("the log has a gap: expected position {expected}, found {found}; projection halted")]
    Gap {
        /// The next position expected.
        expected: Position,
        /// The position found.
        found: Position,
    },
    /// A stored event cannot be read.
    #[error("commit at position {position} cannot be projected: {problem}")]
    Corrupt {
        /// Where.
        position: Position,
        /// What.
        problem: String,
    },
}

/// The projector's checkpoint (0 before anything was projected).
pub async fn read_checkpoint(read: &ReadModels) -> Result<Position, sqlx::Error> {
    let position: Option<i64> =
        sqlx::query_scalar("SELECT position FROM checkpoints WHERE projector = $1")
            .bind(SCORECARD_PROJECTOR)
            .fetch_optional(read.pool())
            .await?;
    Ok(Position(position.unwrap_or(0) as u64))
}

/// Applies `commits` (which must follow the checkpoint without a gap) and moves the
/// checkpoint, all in one transaction.
pub async fn project_commits(
    read: &ReadModels,
    commits: &[Commit],
) -> Result<Outcome, ProjectionError> {
    let Some(last) = commits.last() else {
        return Ok(Outcome::CaughtUp);
    };
    let mut tx = read.begin().await?;
    // Two projectors (the service's own and a request catching up, or two processes) must
    // apply batches one after the other. SQLite's BEGIN IMMEDIATE already holds the
    // database's write lock; on PostgreSQL a transaction-scoped advisory lock serialises
    // them even before the checkpoint row exists (a row lock would have nothing to lock).
    if read.dialect() == Dialect::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(PROJECTOR_LOCK)
            .execute(&mut *tx)
            .await?;
    }
    let checkpoint: Option<i64> =
        sqlx::query("SELECT position FROM checkpoints WHERE projector = $1")
            .bind(SCORECARD_PROJECTOR)
            .fetch_optional(&mut *tx)
            .await?
            .map(|row| row.get(0));
    let existing = Position(checkpoint.unwrap_or(0) as u64);
    let mut expected = Position(existing.0 + 1);
    for commit in commits {
        if commit.position < expected {
            // Applied by a concurrent projector already; the transaction makes this exact.
            continue;
        }
        if commit.position != expected {
            error!(%expected, found = %commit.position, "gap in the event log");
            return Err(ProjectionError::Gap {
                expected,
                found: commit.position,
            });
        }
        apply_commit(&mut tx, commit).await?;
        expected = Position(commit.position.0 + 1);
    }
    // A batch another projector already applied must not move the checkpoint backwards.
    let reached = Position(expected.0 - 1);
    if reached == existing {
        tx.rollback().await?;
        return Ok(Outcome::Advanced {
            to: existing.max(last.position),
        });
    }
    sqlx::query(
        "INSERT INTO checkpoints (projector, position) VALUES ($1, $2) \
         ON CONFLICT (projector) DO UPDATE SET position = excluded.position",
    )
    .bind(SCORECARD_PROJECTOR)
    .bind(reached.0 as i64)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Outcome::Advanced { to: reached })
}

/// Reads up to `batch` commits after the checkpoint and projects them.
#[instrument(skip_all)]
pub async fn try_project_batch(
    store: &dyn EventStore,
    read: &ReadModels,
    batch: usize,
) -> Result<Outcome, ProjectionError> {
    let from = read_checkpoint(read).await?;
    let commits = store.read_all(from, batch).await?;
    project_commits(read, &commits).await
}

/// Steps until caught up; `progress` is told the checkpoint after every batch.
pub async fn drain(
    store: &dyn EventStore,
    read: &ReadModels,
    batch: usize,
    mut progress: impl FnMut(Position),
) -> Result<Position, ProjectionError> {
    loop {
        match try_project_batch(store, read, batch).await? {
            Outcome::Advanced { to } => progress(to),
            Outcome::CaughtUp => return Ok(read_checkpoint(read).await?),
        }
    }
}

/// Drops every read-model row and replays the whole log, one transaction per batch.
pub async fn rebuild(
    store: &dyn EventStore,
    read: &ReadModels,
    batch: usize,
    progress: impl FnMut(Position),
) -> Result<Position, ProjectionError> {
    let mut tx = read.begin().await?;
    for table in TABLES {
        sqlx::query(&format!("DELETE FROM {table}"))
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    drain(store, read, batch, progress).await
}

/// Catches up, then follows the log (on NATS through the projector's durable consumer) and
/// projects every new commit until `stop` resolves.
pub async fn run_until_stopped(
    store: &dyn EventStore,
    read: &ReadModels,
    stop: impl std::future::Future<Output = ()>,
) -> Result<(), ProjectionError> {
    drain(store, read, 500, |_| {}).await?;
    let from = read_checkpoint(read).await?;
    let mut follow = store.subscribe(SCORECARD_PROJECTOR, from);
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = &mut stop => return Ok(()),
            next = follow.next() => match next {
                Some(commit) => { project_commits(read, &[commit?]).await?; }
                None => return Ok(()),
            },
        }
    }
}

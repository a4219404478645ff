//! The projector as a step function plus a loop: `try_project_batch` applies one batch of
//! commits and its checkpoint in one transaction; `run_until_stopped` loops over it.

use futures::StreamExt;
use sqlx::SqlitePool;
use tracing::{error, instrument};

use scoreledger_domain::Position;
use scoreledger_store::{Commit, EventStore, ReadError};

use crate::apply::apply_commit;

/// Name of the projector that maintains every read model of this crate.
pub const SCORECARD_PROJECTOR: &str = "scorecard";

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
pub async fn read_checkpoint(pool: &SqlitePool) -> Result<Position, sqlx::Error> {
    let position: Option<i64> =
        sqlx::query_scalar("SELECT position FROM checkpoints WHERE projector = ?")
            .bind(SCORECARD_PROJECTOR)
            .fetch_optional(pool)
            .await?;
    Ok(Position(position.unwrap_or(0) as u64))
}

/// Applies `commits` (which must follow the checkpoint without a gap) and moves the
/// checkpoint, all in one transaction.
pub async fn project_commits(
    pool: &SqlitePool,
    commits: &[Commit],
) -> Result<Outcome, ProjectionError> {
    let Some(last) = commits.last() else {
        return Ok(Outcome::CaughtUp);
    };
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let checkpoint: Option<i64> =
        sqlx::query_scalar("SELECT position FROM checkpoints WHERE projector = ?")
            .bind(SCORECARD_PROJECTOR)
            .fetch_optional(&mut *tx)
            .await?;
    let mut expected = Position(checkpoint.unwrap_or(0) as u64 + 1);
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
    sqlx::query(
        "INSERT INTO checkpoints (projector, position) VALUES (?, ?) \
         ON CONFLICT (projector) DO UPDATE SET position = excluded.position",
    )
    .bind(SCORECARD_PROJECTOR)
    .bind(last.position.0 as i64)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Outcome::Advanced { to: last.position })
}

/// Reads up to `batch` commits after the checkpoint and projects them.
#[instrument(skip_all)]
pub async fn try_project_batch(
    store: &dyn EventStore,
    pool: &SqlitePool,
    batch: usize,
) -> Result<Outcome, ProjectionError> {
    let from = read_checkpoint(pool).await?;
    let commits = store.read_all(from, batch).await?;
    project_commits(pool, &commits).await
}

/// Steps until caught up; `progress` is told the checkpoint after every batch.
pub async fn drain(
    store: &dyn EventStore,
    pool: &SqlitePool,
    batch: usize,
    mut progress: impl FnMut(Position),
) -> Result<Position, ProjectionError> {
    loop {
        match try_project_batch(store, pool, batch).await? {
            Outcome::Advanced { to } => progress(to),
            Outcome::CaughtUp => return Ok(read_checkpoint(pool).await?),
        }
    }
}

/// Drops every read-model row and replays the whole log.
pub async fn rebuild(
    store: &dyn EventStore,
    pool: &SqlitePool,
    batch: usize,
    progress: impl FnMut(Position),
) -> Result<Position, ProjectionError> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    for table in [
        "checkpoints",
        "plans",
        "priorities",
        "outcomes",
        "rule_sets_history",
        "measures",
        "accountability_history",
        "values_history",
        "targets_history",
        "assessments_history",
        "notes_history",
        "reports_published",
        "history",
    ] {
        sqlx::query(&format!("DELETE FROM {table}"))
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    drain(store, pool, batch, progress).await
}

/// Follows the log and projects every new commit until `stop` resolves.
pub async fn run_until_stopped(
    store: &dyn EventStore,
    pool: &SqlitePool,
    stop: impl std::future::Future<Output = ()>,
) -> Result<(), ProjectionError> {
    drain(store, pool, 500, |_| {}).await?;
    let from = read_checkpoint(pool).await?;
    let mut follow = store.follow(from);
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = &mut stop => return Ok(()),
            next = follow.next() => match next {
                Some(commit) => { project_commits(pool, &[commit?]).await?; }
                None => return Ok(()),
            },
        }
    }
}

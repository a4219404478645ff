//! The projector as a step function plus a loop: `try_project_batch` applies one batch of
//! commits and its checkpoint in one transaction; `run_until_stopped` loops over it.
//!
//! A commit that cannot be read (a bug, a damaged disk) stops the projector at the position
//! before it: queries keep answering there, and nothing after it is projected until it is
//! repaired or an admin sets it aside (`CommitSetAside`, with a reason). A commit set aside is
//! passed over and recorded in `set_asides`, which every report built across it shows.

use std::time::Duration;

use futures::{FutureExt, StreamExt};
use sqlx::Row;
use tracing::{error, instrument, warn};

use scoreledger_domain::{Position, UnreadableCommit};
use scoreledger_store::{
    set_aside_of, unreadable_at, unreadable_events, Commit, EventStore, ReadError,
};

use crate::apply::{apply_commit, read_ahead};
use crate::batch::Batch;
use crate::read_models::{Dialect, ReadModels, WriteTx};
use crate::statistics;

/// Name of the projector that maintains every read model of this crate.
pub const SCORECARD_PROJECTOR: &str = "scorecard";

/// The PostgreSQL advisory lock key projectors of these read models take (an arbitrary
/// constant: "SCORELED" in ASCII).
const PROJECTOR_LOCK: i64 = 0x5343_4f52_454c_4544;

/// How often a projector stopped at an unreadable commit looks whether it was set aside.
const UNREADABLE_POLL: Duration = Duration::from_secs(1);

/// The first pause before reading again from a log that did not answer.
const UNAVAILABLE_PAUSE: Duration = Duration::from_millis(100);

/// The longest pause before reading again from a log that still does not answer.
pub const UNAVAILABLE_PAUSE_MAX: Duration = Duration::from_secs(5);

/// Every read-model table, in the order a rebuild empties them.
pub const TABLES: [&str; 24] = [
    "checkpoints",
    "plans",
    "priorities",
    "outcomes",
    "rule_sets_history",
    "measures",
    "measure_definitions_history",
    "measure_applicability",
    "accountability_history",
    "values_history",
    "targets_history",
    "assessments_history",
    "notes_history",
    "narratives_history",
    "value_signoffs",
    "reports_published",
    "meetings",
    "agenda_items",
    "meeting_outcomes",
    "clinics",
    "improvement_actions",
    "tokens",
    "set_asides",
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
    /// The next commit cannot be read and nobody has set it aside: the read models stay at the
    /// position before it.
    #[error(
        "the commit at position {position} cannot be read ({problem}); the read models stay at \
         position {last_good}. Repair it from a backup, or, if it cannot be repaired, an admin may \
         set it aside with a reason: `scoreledger --role admin set-aside {position} --reason \"…\"` \
         or POST /api/set-asides",
        last_good = position.0.saturating_sub(1)
    )]
    Unreadable {
        /// Where.
        position: Position,
        /// What the store said.
        problem: String,
    },
}

impl ProjectionError {
    /// The unreadable commit this error stops at, if that is what it is.
    pub fn unreadable(&self) -> Option<UnreadableCommit> {
        match self {
            ProjectionError::Unreadable { position, problem } => Some(UnreadableCommit {
                position: *position,
                problem: problem.clone(),
            }),
            _ => None,
        }
    }
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
    let (mut tx, existing) = begin_projecting(read).await?;
    let mut batch = Batch::new(read.dialect());
    let mut expected = Position(existing.0 + 1);
    let mut to_apply = Vec::with_capacity(commits.len());
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
        let events = commit
            .domain_events()
            .map_err(|err| ProjectionError::Corrupt {
                position: commit.position,
                problem: err.to_string(),
            })?;
        to_apply.push((commit, events));
        expected = Position(commit.position.0 + 1);
    }
    read_ahead(&mut tx, &mut batch, &to_apply).await?;
    for (commit, events) in &to_apply {
        apply_commit(&mut tx, &mut batch, commit, events).await?;
    }
    // A batch another projector already applied must not move the checkpoint backwards.
    let reached = Position(expected.0 - 1);
    if reached == existing {
        tx.rollback().await?;
        return Ok(Outcome::Advanced {
            to: existing.max(last.position),
        });
    }
    let rows = batch.flush(&mut tx).await?;
    let outcome = move_checkpoint(tx, reached).await?;
    statistics::after_batch(read, &rows).await;
    Ok(outcome)
}

/// Opens the transaction a batch is applied in, and reads the checkpoint inside it.
async fn begin_projecting(read: &ReadModels) -> Result<(WriteTx, Position), ProjectionError> {
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
    Ok((tx, Position(checkpoint.unwrap_or(0) as u64)))
}

/// Moves the checkpoint to `reached` and commits the batch.
async fn move_checkpoint(mut tx: WriteTx, reached: Position) -> Result<Outcome, ProjectionError> {
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

/// The projector has reached a commit it cannot read: it passes over it only if an admin has
/// set it aside, recording that it did (in `set_asides`, which reports built across it show);
/// otherwise it stops there. Nothing is ever skipped silently.
async fn meet_unreadable(
    store: &dyn EventStore,
    read: &ReadModels,
    unreadable: UnreadableCommit,
) -> Result<Outcome, ProjectionError> {
    let UnreadableCommit { position, problem } = unreadable;
    let Some(set_aside) = set_aside_of(store, position).await? else {
        return Err(ProjectionError::Unreadable { position, problem });
    };
    let (mut tx, existing) = begin_projecting(read).await?;
    if existing >= position {
        // Passed over by a concurrent projector already.
        tx.rollback().await?;
        return Ok(Outcome::Advanced { to: existing });
    }
    let expected = Position(existing.0 + 1);
    if position != expected {
        return Err(ProjectionError::Gap {
            expected,
            found: position,
        });
    }
    sqlx::query(
        "INSERT INTO set_asides \
         (position, set_aside_at, recorded_at, actor_id, actor_name, reason, problem) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(position.0 as i64)
    .bind(set_aside.position.0 as i64)
    .bind(set_aside.recorded_at.to_rfc3339())
    .bind(&set_aside.actor.id)
    .bind(&set_aside.actor.name)
    .bind(set_aside.reason.clone().unwrap_or_default())
    .bind(&problem)
    .execute(&mut *tx)
    .await?;
    move_checkpoint(tx, position).await
}

/// Reads up to `batch` commits after the checkpoint and projects them, stopping before a
/// commit that cannot be read (which is then met on its own).
#[instrument(skip_all)]
pub async fn try_project_batch(
    store: &dyn EventStore,
    read: &ReadModels,
    batch: usize,
) -> Result<Outcome, ProjectionError> {
    let from = read_checkpoint(read).await?;
    let commits = match store.read_all(from, batch).await {
        Ok(commits) => commits,
        // An envelope that cannot be read: the commits before it first, then it.
        Err(ReadError::Corrupt { position, problem }) if position > from => {
            let before = (position.0 - from.0 - 1) as usize;
            if before == 0 {
                return meet_unreadable(store, read, UnreadableCommit { position, problem }).await;
            }
            let prefix = store.read_all(from, before).await?;
            return project_commits(read, &prefix).await;
        }
        Err(err) => return Err(err.into()),
    };
    // Events that cannot be read in an envelope that can: the same.
    let first_unreadable = commits.iter().find_map(unreadable_events);
    match first_unreadable {
        Some(unreadable) if unreadable.position == Position(from.0 + 1) => {
            meet_unreadable(store, read, unreadable).await
        }
        Some(unreadable) => {
            let readable: Vec<Commit> = commits
                .into_iter()
                .take_while(|commit| commit.position < unreadable.position)
                .collect();
            project_commits(read, &readable).await
        }
        None => project_commits(read, &commits).await,
    }
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

/// How far the read models reached, and the unreadable commit that stopped them, if one did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reach {
    /// The position the read models answer at.
    pub at: Position,
    /// The commit after `at` that cannot be read and has not been set aside.
    pub stopped_by: Option<UnreadableCommit>,
}

/// Catches up as far as the log can be read: queries keep answering at the last good position
/// when the next commit cannot be read, and say so.
pub async fn catch_up_for_reading(
    store: &dyn EventStore,
    read: &ReadModels,
    batch: usize,
) -> Result<Reach, ProjectionError> {
    match drain(store, read, batch, |_| {}).await {
        Ok(at) => Ok(Reach {
            at,
            stopped_by: None,
        }),
        Err(err) => match err.unreadable() {
            Some(unreadable) => Ok(Reach {
                at: read_checkpoint(read).await?,
                stopped_by: Some(unreadable),
            }),
            None => Err(err),
        },
    }
}

/// The commit right after the read models' checkpoint, if it cannot be read and has not been
/// set aside: the projector is stopped at it (what `/readyz` reports).
pub async fn stopped_by(
    store: &dyn EventStore,
    read: &ReadModels,
) -> Result<Option<UnreadableCommit>, ProjectionError> {
    let next = Position(read_checkpoint(read).await?.0 + 1);
    match unreadable_at(store, next).await? {
        Some(unreadable) if set_aside_of(store, next).await?.is_none() => Ok(Some(unreadable)),
        _ => Ok(None),
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
    let reached = drain(store, read, batch, progress).await?;
    // Queries that follow a rebuild are planned on what it wrote.
    statistics::analyse_all(read, &TABLES).await;
    Ok(reached)
}

/// Commits the live projector applies in one transaction at most.
const LIVE_BATCH: usize = 500;

/// `first` and the readable commits that follow it and have already arrived, up to
/// [`LIVE_BATCH`], without waiting for more; and what ended the batch, if it was not simply
/// that nothing more had arrived: a commit that cannot be read, an error, or the end.
fn ready_batch(
    first: Option<Result<Commit, ReadError>>,
    follow: &mut (impl futures::Stream<Item = Result<Commit, ReadError>> + Unpin),
) -> (Vec<Commit>, Option<Option<Result<Commit, ReadError>>>) {
    let mut batch = Vec::new();
    let mut next = first;
    loop {
        match next {
            Some(Ok(commit)) if unreadable_events(&commit).is_none() => batch.push(commit),
            other => return (batch, Some(other)),
        }
        if batch.len() == LIVE_BATCH {
            return (batch, None);
        }
        match follow.next().now_or_never() {
            Some(arrived) => next = arrived,
            None => return (batch, None),
        }
    }
}

/// Catches up, then follows the log (on NATS through the projector's durable consumer) and
/// projects new commits, those that have arrived together in one transaction, until `stop`
/// resolves. At a commit that cannot be read it waits (queries answer at the position before
/// it) until the commit is set aside. While the log does not answer (a NATS leader election, a
/// server restarting) it reads again after a pause, longer each time up to
/// [`UNAVAILABLE_PAUSE_MAX`]: a service must not stop because its log was away for seconds
/// (`/readyz` says so meanwhile). A gap or a read-model database that fails still stops it.
pub async fn run_until_stopped(
    store: &dyn EventStore,
    read: &ReadModels,
    stop: impl std::future::Future<Output = ()>,
) -> Result<(), ProjectionError> {
    tokio::pin!(stop);
    let mut reported = None;
    let mut pause = UNAVAILABLE_PAUSE;
    loop {
        match drain(store, read, 500, |_| {}).await {
            Ok(_) => {}
            Err(ProjectionError::Unreadable { position, problem }) => {
                if reported != Some(position) {
                    error!(%position, %problem, "the next commit cannot be read; projection waits until it is repaired or set aside");
                    reported = Some(position);
                }
                tokio::select! {
                    _ = &mut stop => return Ok(()),
                    _ = tokio::time::sleep(UNREADABLE_POLL) => continue,
                }
            }
            Err(ProjectionError::Read(ReadError::Unavailable(err))) => {
                if wait_out(stop.as_mut(), &mut pause, &*err).await {
                    continue;
                }
                return Ok(());
            }
            Err(err) => return Err(err),
        }
        // The log answered: the next time it does not, pause briefly again.
        pause = UNAVAILABLE_PAUSE;
        let from = read_checkpoint(read).await?;
        let mut follow = store.subscribe(SCORECARD_PROJECTOR, from);
        loop {
            let next = tokio::select! {
                _ = &mut stop => return Ok(()),
                next = follow.next() => next,
            };
            // Whatever else has arrived goes into the same transaction: under load, one
            // commit of the read models (one fsync on SQLite) for many of the log's.
            let (batch, after) = ready_batch(next, &mut follow);
            if !batch.is_empty() {
                project_commits(read, &batch).await?;
            }
            match after {
                None => {}
                // A commit that cannot be read: back to catching up, which waits at it.
                Some(Some(Ok(_) | Err(ReadError::Corrupt { .. }))) => break,
                // The log stopped answering: back to catching up after a pause, which waits
                // while it still does not.
                Some(Some(Err(ReadError::Unavailable(err)))) => {
                    if wait_out(stop.as_mut(), &mut pause, &*err).await {
                        break;
                    }
                    return Ok(());
                }
                Some(None) => return Ok(()),
            }
        }
    }
}

/// Waits out a log that did not answer: for `pause`, doubled for the next time up to
/// [`UNAVAILABLE_PAUSE_MAX`]. False when `stop` resolves first.
async fn wait_out(
    stop: std::pin::Pin<&mut impl std::future::Future<Output = ()>>,
    pause: &mut Duration,
    err: &(dyn std::error::Error + Send + Sync),
) -> bool {
    warn!(error = %err, pause = ?*pause, "the event log does not answer; the projector reads again after a pause");
    let waited = tokio::select! {
        _ = stop => false,
        _ = tokio::time::sleep(*pause) => true,
    };
    *pause = (*pause * 2).min(UNAVAILABLE_PAUSE_MAX);
    waited
}

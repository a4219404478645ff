//! Restoring a verified backup into an empty log, at the same positions: an embedded log is
//! staged beside its destination and moved there once verified; a JetStream log gets each
//! commit's stored bytes republished in order, each expecting the sequence before it, and an
//! interrupted JetStream restore continues where it stopped.

use std::path::{Path, PathBuf};

use bytes::Bytes;
use sqlx::Row;

use scoreledger_domain::{Position, StreamId};

use crate::nats::NatsStore;
use crate::sqlite::SqliteStore;
use crate::verify::verify_log;
use crate::EventStore;

use super::error::RestoreError;
use super::files::{discard, move_no_clobber, occupied, shown, sidecars, staged};
use super::snapshot::{is_locked, standalone};
use super::source::{open_read_only, verify_source, BackupSource, SourceCheck};
use super::stored::{Checked, StoredCommit, StoredLog, Summary};

/// An embedded log restored into a file beside its destination and verified: put it in place,
/// or discard it. Whatever else must agree with it (read models in the same file) is checked
/// on [`Staged::path`] before it moves.
pub struct Staged {
    staged: PathBuf,
    target: PathBuf,
    store: SqliteStore,
    /// What it holds, verified.
    pub summary: Summary,
}

impl Staged {
    /// The restored log, still at its staged path.
    pub fn store(&self) -> &SqliteStore {
        &self.store
    }

    /// The staged file.
    pub fn path(&self) -> &Path {
        &self.staged
    }

    /// Moves the restored log to its destination (which must still hold no commits).
    pub async fn put_in_place(self) -> Result<Summary, RestoreError> {
        // One file, its write-ahead log folded in, before it moves: a WAL left behind would
        // hold commits the moved file lacks.
        let checkpointed = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(self.store.pool())
            .await;
        self.store.pool().close().await;
        let folded = match (checkpointed, standalone(&self.staged).await) {
            (_, Ok(())) => wal_left(&self.staged),
            // SQLite would not switch the journal mode (it wants the file to itself); what
            // matters is that the checkpoint above folded the whole log into the file.
            (Ok(_), Err(err)) if is_locked(&err) => wal_left(&self.staged),
            (_, Err(err)) => Err(err.into()),
        };
        if let Err(err) = folded {
            discard(&self.staged);
            return Err(err);
        }
        if occupied(&self.target) {
            if let Err(err) = refuse_commits(&self.target).await {
                discard(&self.staged);
                return Err(err);
            }
            for file in std::iter::once(self.target.clone()).chain(sidecars(&self.target)) {
                if occupied(&file) {
                    std::fs::remove_file(&file).map_err(|source| RestoreError::Io {
                        action: "replace the empty database",
                        path: shown(&file),
                        source,
                    })?;
                }
            }
        }
        move_no_clobber(&self.staged, &self.target).map_err(|source| RestoreError::Io {
            action: "move the restored log to",
            path: shown(&self.target),
            source,
        })?;
        Ok(self.summary)
    }

    /// Removes the staged file; the destination is left as it was.
    pub async fn discard(self) {
        self.store.pool().close().await;
        discard(&self.staged);
    }
}

/// Restores `source` into a file staged beside `target` (an embedded log that does not exist
/// or holds no commits) and verifies it there; `progress` is told the position reached and
/// the head. A database backup is copied as it is (its read models too); a logical backup is
/// verified whole first, then its commits are inserted at their positions in one transaction.
pub async fn stage_sqlite(
    source: &BackupSource,
    target: &Path,
    mut progress: impl FnMut(Position, Position),
) -> Result<Staged, RestoreError> {
    if occupied(target) {
        refuse_commits(target).await?;
    }
    let path = staged(target, ".restoring");
    if occupied(&path) {
        return Err(RestoreError::Io {
            action: "stage the restore in (an interrupted restore left it: remove it)",
            path: shown(&path),
            source: std::io::ErrorKind::AlreadyExists.into(),
        });
    }
    let expected = match source {
        BackupSource::Sqlite(from) => {
            // Copied by SQLite from one read transaction, never as a file: what a write-ahead
            // log beside the backup still holds comes along, and the backup is not changed.
            copy_database(from, &path)
                .await
                .inspect_err(|_| discard(&path))?;
            None
        }
        BackupSource::Logical(..) => Some(verify_source(source, None, &mut progress).await?),
    };
    let store = match SqliteStore::open_default(&path).await {
        Ok(store) => store,
        Err(err) => {
            discard(&path);
            return Err(err.into());
        }
    };
    let staged = async {
        if let Some(check) = &expected {
            insert(source, &store).await?;
            check_restored(&store, check, |_, _| {}).await
        } else {
            let verification = verify_log(&store, &mut progress).await?;
            match verification.finding {
                Some(finding) => Err(RestoreError::Unverified(finding)),
                None => Ok(Summary {
                    commits: verification.commits,
                    streams: verification.streams,
                    head: verification.head,
                    head_hash: StoredLog::Sqlite(store.pool())
                        .hash_at(verification.head)
                        .await?,
                }),
            }
        }
    }
    .await;
    match staged {
        Ok(summary) => Ok(Staged {
            staged: path,
            target: target.to_owned(),
            store,
            summary,
        }),
        Err(err) => {
            store.pool().close().await;
            discard(&path);
            Err(err)
        }
    }
}

/// Refuses a staged file whose write-ahead log still holds anything; removes an empty one.
fn wal_left(staged: &Path) -> Result<(), RestoreError> {
    let [wal, shm] = sidecars(staged);
    if std::fs::metadata(&wal).is_ok_and(|meta| meta.len() > 0) {
        return Err(RestoreError::Io {
            action:
                "fold the write-ahead log into the restored database (is something else using it?)",
            path: shown(&wal),
            source: std::io::ErrorKind::ResourceBusy.into(),
        });
    }
    for empty in [wal, shm] {
        let _ = std::fs::remove_file(empty);
    }
    Ok(())
}

/// Copies the database at `from` into a new file `to` with `VACUUM INTO`, reading `from` only.
async fn copy_database(from: &Path, to: &Path) -> Result<(), RestoreError> {
    let Some(target) = to.to_str() else {
        return Err(RestoreError::Io {
            action: "name",
            path: shown(to),
            source: std::io::ErrorKind::InvalidInput.into(),
        });
    };
    let pool = open_read_only(from).await?;
    let copied = sqlx::query("VACUUM INTO ?")
        .bind(target)
        .execute(&pool)
        .await;
    pool.close().await;
    copied?;
    Ok(())
}

/// Refuses an embedded log that holds commits.
async fn refuse_commits(target: &Path) -> Result<(), RestoreError> {
    let pool = open_read_only(target).await?;
    let counted = sqlx::query("SELECT COUNT(*) AS commits FROM commits")
        .fetch_one(&pool)
        .await;
    pool.close().await;
    let commits: i64 = match counted {
        Ok(row) => row.get("commits"),
        // A database without a log (read models only, or not ours) is not for a log.
        Err(_) => {
            return Err(RestoreError::NotALog {
                target: shown(target),
            })
        }
    };
    if commits > 0 {
        return Err(RestoreError::NotEmpty {
            target: shown(target),
            commits: commits as u64,
            hint: "name a new file with --db PATH, or --store sqlite:PATH",
        });
    }
    Ok(())
}

/// Inserts every commit of a verified logical backup at its position, in one transaction.
async fn insert(source: &BackupSource, store: &SqliteStore) -> Result<(), RestoreError> {
    let mut reader = source.reader().await?;
    let mut tx = store.pool().begin().await?;
    loop {
        let batch = reader.next_batch().await?;
        if batch.is_empty() {
            break;
        }
        for stored in &batch {
            let commit = stored.decode().map_err(RestoreError::Unverified)?;
            sqlx::query(
                "INSERT INTO commits (position, commit_id, stream, stream_version, recorded_at, envelope, hash) \
                 VALUES (?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(stored.position.0 as i64)
            .bind(commit.commit_id.to_string())
            .bind(commit.stream.as_str())
            .bind(commit.stream_version.0 as i64)
            .bind(commit.recorded_at.to_rfc3339())
            .bind(&stored.envelope)
            .bind(&commit.hash)
            .execute(&mut *tx)
            .await?;
        }
    }
    reader.close().await;
    tx.commit().await?;
    Ok(())
}

/// What [`republish`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Republished {
    /// The restored log, verified.
    pub summary: Summary,
    /// How many of its commits the stream already held, byte for byte as in the backup: left
    /// there by an interrupted restore of the same backup, and not published again.
    pub already_there: u64,
}

/// Republishes every commit of a backup that `check` (from [`verify_source`]) verified into
/// a JetStream log, each expecting the sequence before its position, and checks each
/// acknowledgement's sequence; then verifies the restored log and that it ends where the
/// backup does. `progress` is told the position reached and the head.
///
/// A stream that already holds the backup's first commits (the same positions, the same
/// bytes) is an interrupted restore of it: those are checked and the rest published, so
/// running the same restore again finishes it. A stream holding anything else is refused
/// before anything is published, naming the first position that differs.
pub async fn republish(
    source: &BackupSource,
    check: &SourceCheck,
    store: &NatsStore,
    mut progress: impl FnMut(Position, Position),
) -> Result<Republished, RestoreError> {
    let there = store.head().await?;
    let mut reader = source.reader().await?;
    let mut checked = Checked::default();
    let published = async {
        loop {
            let batch = reader.next_batch().await?;
            if batch.is_empty() {
                break;
            }
            let held = batch.partition_point(|stored| stored.position <= there);
            check_held(store, &batch[..held]).await?;
            for stored in &batch {
                // Checked again as it goes: the file may have changed since it was verified.
                let commit = checked.check(stored).map_err(RestoreError::Unverified)?;
                if stored.position <= there {
                    continue;
                }
                // Bytes that are no commit (set aside in the log) go back on a subject of
                // their own: only their position and bytes are part of the log.
                let stream = commit.map_or_else(
                    || StreamId(format!("unreadable-{}", stored.position)),
                    |commit| commit.stream,
                );
                let acknowledged = store
                    .republish(
                        &stream,
                        stored.position,
                        Bytes::from(stored.envelope.clone().into_bytes()),
                    )
                    .await
                    .map_err(|source| RestoreError::Append {
                        position: stored.position,
                        source,
                    })?;
                if acknowledged != stored.position.0 {
                    return Err(RestoreError::Misplaced {
                        position: stored.position,
                        acknowledged,
                    });
                }
            }
            progress(checked.last(), check.summary.head);
        }
        // Every backup position is at or below `there` here, so nothing was published.
        if there > checked.last() {
            return Err(not_this_restore(
                store,
                Position(checked.last().0 + 1),
                format!(
                    "it holds commits after position {}, where the backup ends",
                    checked.last()
                ),
            ));
        }
        Ok::<(), RestoreError>(())
    }
    .await;
    reader.close().await;
    published?;
    Ok(Republished {
        summary: check_restored(store, check, |_, _| {}).await?,
        already_there: there.0,
    })
}

/// Checks that the stream holds `held` (the backup's commits at positions it has reached)
/// byte for byte.
async fn check_held(store: &NatsStore, held: &[StoredCommit]) -> Result<(), RestoreError> {
    let Some(first) = held.first() else {
        return Ok(());
    };
    let stored = StoredLog::Nats(store)
        .read(Position(first.position.0.saturating_sub(1)), held.len())
        .await?;
    for (i, expected) in held.iter().enumerate() {
        if stored.get(i) != Some(expected) {
            return Err(not_this_restore(
                store,
                expected.position,
                format!(
                    "its commit at position {} is not the backup's",
                    expected.position
                ),
            ));
        }
    }
    Ok(())
}

fn not_this_restore(store: &NatsStore, position: Position, problem: String) -> RestoreError {
    RestoreError::NotThisRestore {
        target: store.origin(),
        position,
        problem,
    }
}

/// Verifies a restored log and checks it ends where the verified backup does.
async fn check_restored(
    store: &dyn EventStore,
    check: &SourceCheck,
    progress: impl FnMut(Position, Position),
) -> Result<Summary, RestoreError> {
    let verification = verify_log(store, progress).await?;
    if let Some(finding) = verification.finding {
        return Err(RestoreError::Diverged {
            problem: finding.to_string(),
        });
    }
    let last = store
        .read_all(Position(verification.head.0.saturating_sub(1)), 1)
        .await?;
    let summary = Summary {
        commits: verification.commits,
        streams: verification.streams,
        head: verification.head,
        head_hash: last.first().map(|commit| commit.hash.clone()),
    };
    if summary.head != check.summary.head || summary.head_hash != check.summary.head_hash {
        return Err(RestoreError::Diverged {
            problem: format!(
                "it ends at position {} with hash {:?}, the backup at {} with {:?}",
                summary.head, summary.head_hash, check.summary.head, check.summary.head_hash
            ),
        });
    }
    Ok(summary)
}

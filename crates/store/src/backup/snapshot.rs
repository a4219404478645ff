//! The embedded log's online backup: `VACUUM INTO` copies the database inside one read
//! transaction, so the copy is consistent and holds what is still in the write-ahead log while
//! writers go on. The copy is then opened and verified before it is put in place.

use std::path::Path;
use std::str::FromStr;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sqlx::{ConnectOptions, Connection};

use scoreledger_domain::Position;

use crate::sqlite::SqliteStore;
use crate::verify::verify_log;

use super::error::BackupError;
use super::files::{discard, move_into_place, occupied, shown, staged};
use super::stored::{StoredLog, Summary};

/// Copies the embedded log (and whatever else its file holds) into a new file `dest`, checks
/// that the copy verifies and holds every commit up to the head the log had when this began,
/// and only then puts it at `dest`. `progress` is told the position the check reached and the
/// copy's head.
pub async fn backup_sqlite(
    store: &SqliteStore,
    dest: &Path,
    progress: impl FnMut(Position, Position),
) -> Result<Summary, BackupError> {
    if occupied(dest) {
        return Err(BackupError::Exists { path: shown(dest) });
    }
    let partial = staged(dest, ".partial");
    if occupied(&partial) {
        return Err(BackupError::Exists {
            path: shown(&partial),
        });
    }
    let log = StoredLog::Sqlite(store.pool());
    let began = log.head().await?;
    let began_hash = log.hash_at(began).await?;
    let Some(target) = partial.to_str() else {
        return Err(BackupError::Io {
            action: "name",
            path: shown(&partial),
            source: std::io::ErrorKind::InvalidInput.into(),
        });
    };
    if let Err(source) = vacuum_into(store, &partial, target).await {
        discard(&partial);
        return Err(BackupError::Snapshot {
            path: shown(&partial),
            source,
        });
    }
    let checked = check_copy(&partial, began, began_hash, progress).await;
    let summary = match checked {
        Ok(summary) => summary,
        Err(err) => {
            discard(&partial);
            return Err(err);
        }
    };
    move_into_place(&partial, dest, "move the verified copy to")?;
    Ok(summary)
}

/// Opens the copy, verifies it, checks it reaches `began` with the same commit there, and
/// closes it with its write-ahead log folded in, so the file stands alone.
async fn check_copy(
    copy: &Path,
    began: Position,
    began_hash: Option<String>,
    progress: impl FnMut(Position, Position),
) -> Result<Summary, BackupError> {
    let store = SqliteStore::open_default(copy).await?;
    let checked = async {
        let verification = verify_log(&store, progress).await?;
        if let Some(finding) = verification.finding {
            return Err(BackupError::Unverified(finding));
        }
        let log = StoredLog::Sqlite(store.pool());
        if verification.head < began || log.hash_at(began).await? != began_hash {
            return Err(BackupError::Short {
                began,
                copied: verification.head,
            });
        }
        Ok(Summary {
            commits: verification.commits,
            streams: verification.streams,
            head: verification.head,
            head_hash: log.hash_at(verification.head).await?,
        })
    }
    .await;
    // Fold the copy's WAL (verifying may have opened one) into the file before it moves.
    let folded = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(store.pool())
        .await;
    store.pool().close().await;
    let summary = checked?;
    folded.map_err(|source| BackupError::Snapshot {
        path: shown(copy),
        source,
    })?;
    match standalone(copy).await {
        // The checkpoint above folded the whole log into the file; a journal mode SQLite
        // would not switch leaves it complete, in WAL mode.
        Err(source) if !is_locked(&source) => {
            return Err(BackupError::Snapshot {
                path: shown(copy),
                source,
            })
        }
        _ => {}
    }
    Ok(summary)
}

/// Leaves the copy in rollback-journal mode: one file, which even a read-only reader opens
/// without creating a write-ahead log beside it. Opening it as a log turns WAL back on.
pub(crate) async fn standalone(copy: &Path) -> Result<(), sqlx::Error> {
    let mut attempts = 0;
    loop {
        // The switch needs the only connection; the pool just closed may still be letting go.
        match switch_to_rollback_journal(copy).await {
            Err(err) if is_locked(&err) && attempts < 50 => {
                attempts += 1;
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            done => return done,
        }
    }
}

async fn switch_to_rollback_journal(copy: &Path) -> Result<(), sqlx::Error> {
    let connection = SqliteConnectOptions::from_str("sqlite:")?
        .filename(copy)
        .journal_mode(SqliteJournalMode::Delete)
        .connect()
        .await?;
    connection.close().await
}

/// `VACUUM INTO`, tried again a few times when SQLite answers "database is locked": in WAL mode
/// some of those answers (a snapshot being set up while another connection checkpoints) never
/// reach the busy handler, so the pool's busy timeout does not wait for them.
async fn vacuum_into(store: &SqliteStore, partial: &Path, target: &str) -> Result<(), sqlx::Error> {
    let mut wait = std::time::Duration::from_millis(50);
    for _ in 0..8 {
        match sqlx::query("VACUUM INTO ?")
            .bind(target)
            .execute(store.pool())
            .await
        {
            Err(err) if is_locked(&err) => {
                discard(partial);
                tokio::time::sleep(wait).await;
                wait *= 2;
            }
            done => return done.map(|_| ()),
        }
    }
    sqlx::query("VACUUM INTO ?")
        .bind(target)
        .execute(store.pool())
        .await
        .map(|_| ())
}

/// SQLITE_BUSY (5) or SQLITE_LOCKED (6), whatever its extended code.
pub(crate) fn is_locked(err: &sqlx::Error) -> bool {
    let sqlx::Error::Database(db) = err else {
        return false;
    };
    db.code()
        .and_then(|code| code.parse::<i32>().ok())
        .is_some_and(|code| matches!(code & 0xff, 5 | 6))
}

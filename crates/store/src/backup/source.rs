//! A backup to restore from: an embedded database written by `backup` (read, never changed)
//! or a logical backup file; read in batches of stored commits, and verified whole before
//! anything is restored from it.

use std::fs::File;
use std::io::{BufRead, BufReader, Lines, Read};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};

use scoreledger_domain::Position;

use crate::envelope::Commit;

use super::error::RestoreError;
use super::files::{occupied, shown};
use super::format::{Header, FORMAT, FORMAT_VERSION};
use super::stored::{read_sqlite, sqlite_head, Checked, StoredCommit, Summary, BATCH};

/// The first bytes of every SQLite database file.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// A backup file, by kind.
#[derive(Debug, Clone)]
pub enum BackupSource {
    /// An embedded database (`scoreledger backup` of a SQLite log).
    Sqlite(PathBuf),
    /// A logical backup (JSON lines), with its header.
    Logical(PathBuf, Header),
}

impl BackupSource {
    /// Recognises the file at `path` by its first bytes.
    pub fn open(path: &Path) -> Result<Self, RestoreError> {
        let not_a_backup = |problem: String| RestoreError::NotABackup {
            path: shown(path),
            problem,
        };
        let io = |source| RestoreError::Io {
            action: "read",
            path: shown(path),
            source,
        };
        let mut file = File::open(path).map_err(io)?;
        let mut magic = [0u8; 16];
        let read = file.read(&mut magic).map_err(io)?;
        if read == magic.len() && &magic == SQLITE_MAGIC {
            return Ok(BackupSource::Sqlite(path.to_owned()));
        }
        let mut first = String::new();
        BufReader::new(File::open(path).map_err(io)?)
            .read_line(&mut first)
            .map_err(io)?;
        let header: Header = serde_json::from_str(&first).map_err(|err| {
            not_a_backup(format!(
                "neither a SQLite database nor a logical backup, whose first line is a header: {err}"
            ))
        })?;
        if header.format != FORMAT || header.version != FORMAT_VERSION {
            return Err(not_a_backup(format!(
                "its header says {} version {}; this build reads {FORMAT} version {FORMAT_VERSION}",
                header.format, header.version
            )));
        }
        Ok(BackupSource::Logical(path.to_owned(), header))
    }

    /// The file.
    pub fn path(&self) -> &Path {
        match self {
            BackupSource::Sqlite(path) | BackupSource::Logical(path, _) => path,
        }
    }

    /// Reads the file from its first commit.
    pub(crate) async fn reader(&self) -> Result<Reader, RestoreError> {
        match self {
            BackupSource::Sqlite(path) => {
                if !occupied(path) {
                    return Err(RestoreError::Io {
                        action: "read",
                        path: shown(path),
                        source: std::io::ErrorKind::NotFound.into(),
                    });
                }
                let pool = open_read_only(path).await?;
                let head = sqlite_head(&pool)
                    .await
                    .map_err(|err| RestoreError::NotABackup {
                        path: shown(path),
                        problem: format!("a SQLite database without a scoreledger log ({err})"),
                    })?;
                Ok(Reader::Sqlite {
                    pool,
                    after: Position(0),
                    head,
                })
            }
            BackupSource::Logical(path, header) => {
                let file = File::open(path).map_err(|source| RestoreError::Io {
                    action: "read",
                    path: shown(path),
                    source,
                })?;
                let mut lines = BufReader::new(file).lines();
                lines.next(); // the header, read by `open`
                Ok(Reader::Logical {
                    path: path.clone(),
                    lines,
                    line: 1,
                    head: header.head,
                })
            }
        }
    }
}

/// Opens an embedded database read only: restoring never changes the backup.
pub(crate) async fn open_read_only(path: &Path) -> Result<SqlitePool, sqlx::Error> {
    let options = SqliteConnectOptions::from_str("sqlite:")
        .expect("static connection string")
        .filename(path)
        .read_only(true);
    SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
}

/// Stored commits of a backup, batch by batch.
pub(crate) enum Reader {
    Sqlite {
        pool: SqlitePool,
        after: Position,
        head: Position,
    },
    Logical {
        path: PathBuf,
        lines: Lines<BufReader<File>>,
        line: u64,
        head: Position,
    },
}

impl Reader {
    /// The head the backup claims (its last position, or its header's).
    pub(crate) fn head(&self) -> Position {
        match self {
            Reader::Sqlite { head, .. } | Reader::Logical { head, .. } => *head,
        }
    }

    /// The next commits, none at the end.
    pub(crate) async fn next_batch(&mut self) -> Result<Vec<StoredCommit>, RestoreError> {
        match self {
            Reader::Sqlite { pool, after, .. } => {
                let batch = read_sqlite(pool, *after, BATCH).await?;
                if let Some(last) = batch.last() {
                    *after = last.position;
                }
                Ok(batch)
            }
            Reader::Logical {
                path, lines, line, ..
            } => {
                let mut batch = Vec::new();
                for text in lines.by_ref().take(BATCH) {
                    *line += 1;
                    let text = text.map_err(|source| RestoreError::Io {
                        action: "read",
                        path: shown(path),
                        source,
                    })?;
                    let stored =
                        serde_json::from_str(&text).map_err(|err| RestoreError::NotABackup {
                            path: shown(path),
                            problem: format!("line {line} is not a stored commit: {err}"),
                        })?;
                    batch.push(stored);
                }
                Ok(batch)
            }
        }
    }

    /// Closes the database, if any.
    pub(crate) async fn close(self) {
        if let Reader::Sqlite { pool, .. } = self {
            pool.close().await;
        }
    }
}

/// What verifying a backup found: what it holds, and the commit at the position asked for.
#[derive(Debug, Clone)]
pub struct SourceCheck {
    /// The commits it holds, verified.
    pub summary: Summary,
    /// The commit at the position `verify_source` was asked to keep, if the backup has it.
    pub kept: Option<Commit>,
}

/// Verifies the whole backup (every hash, link, version and position, and for a logical
/// backup that it reaches the head and hash its header names), keeping the commit at `keep`.
/// `progress` is told the position reached and the backup's head. A backup that does not
/// verify is `RestoreError::Unverified`, naming the first finding.
pub async fn verify_source(
    source: &BackupSource,
    keep: Option<Position>,
    mut progress: impl FnMut(Position, Position),
) -> Result<SourceCheck, RestoreError> {
    let mut reader = source.reader().await?;
    let head = reader.head();
    let mut checked = Checked::default();
    let mut kept = None;
    let outcome = async {
        loop {
            let batch = reader.next_batch().await?;
            if batch.is_empty() {
                break;
            }
            for stored in &batch {
                let commit = checked.check(stored).map_err(RestoreError::Unverified)?;
                if let Some(commit) = commit.filter(|c| Some(c.position) == keep) {
                    kept = Some(commit);
                }
            }
            progress(checked.last(), head);
        }
        checked.finish().map_err(RestoreError::Unverified)
    }
    .await;
    reader.close().await;
    outcome?;
    let summary = checked.summary();
    if let BackupSource::Logical(_, header) = source {
        if summary.head != header.head || summary.head_hash != header.head_hash {
            return Err(RestoreError::Truncated {
                head: header.head,
                reached: summary.head,
            });
        }
    }
    Ok(SourceCheck { summary, kept })
}

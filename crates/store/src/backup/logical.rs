//! The logical backup (`format.rs`) of either log: streamed in batches in constant memory,
//! every commit verified as it is written, up to the head the log had when the backup began.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use scoreledger_domain::Position;

use crate::error::ReadError;
use crate::verify::Finding;

use super::error::BackupError;
use super::files::{discard, move_into_place, occupied, shown, staged};
use super::format::{Header, FORMAT, FORMAT_VERSION};
use super::stored::{Checked, StoredLog, Summary, BATCH};

/// Writes every commit of `log`, from the first to the head it has now, into a new file
/// `dest` (never overwriting), verifying each; `origin` names the log in the header.
/// `progress` is told the position written and the head after every batch.
pub async fn backup_logical(
    log: StoredLog<'_>,
    origin: &str,
    dest: &Path,
    mut progress: impl FnMut(Position, Position),
) -> Result<Summary, BackupError> {
    if occupied(dest) {
        return Err(BackupError::Exists { path: shown(dest) });
    }
    let partial = staged(dest, ".partial");
    let file = File::create_new(&partial).map_err(|source| {
        if source.kind() == std::io::ErrorKind::AlreadyExists {
            BackupError::Exists {
                path: shown(&partial),
            }
        } else {
            BackupError::Io {
                action: "create",
                path: shown(&partial),
                source,
            }
        }
    })?;
    let written = write(log, origin, file, &partial, &mut progress).await;
    let summary = match written {
        Ok(summary) => summary,
        Err(err) => {
            discard(&partial);
            return Err(err);
        }
    };
    move_into_place(&partial, dest, "move the verified backup to")?;
    Ok(summary)
}

async fn write(
    log: StoredLog<'_>,
    origin: &str,
    file: File,
    path: &Path,
    progress: &mut impl FnMut(Position, Position),
) -> Result<Summary, BackupError> {
    let io = |source| BackupError::Io {
        action: "write",
        path: shown(path),
        source,
    };
    let head = log.head().await?;
    let header = Header {
        format: FORMAT.to_owned(),
        version: FORMAT_VERSION,
        origin: origin.to_owned(),
        head,
        head_hash: log.hash_at(head).await?,
    };
    let mut out = BufWriter::new(file);
    writeln!(out, "{}", json(&header)).map_err(io)?;
    let mut checked = Checked::default();
    while checked.last() < head {
        let after = checked.last();
        let batch = match log
            .read(after, BATCH.min((head.0 - after.0) as usize))
            .await
        {
            Ok(batch) => batch,
            Err(ReadError::Corrupt { position, problem }) => {
                return Err(BackupError::Unverified(Finding::Unreadable {
                    position,
                    problem,
                }))
            }
            Err(err) => return Err(err.into()),
        };
        if batch.is_empty() {
            return Err(BackupError::Unverified(Finding::Missing {
                expected: Position(after.0 + 1),
                found: head,
            }));
        }
        // A limit of `head - after` can only pass the head across a gap, which `check` names.
        for stored in &batch {
            checked.check(stored).map_err(BackupError::Unverified)?;
            writeln!(out, "{}", json(stored)).map_err(io)?;
        }
        progress(checked.last(), head);
    }
    checked.finish().map_err(BackupError::Unverified)?;
    let summary = checked.summary();
    if summary.head_hash != header.head_hash {
        return Err(BackupError::Short {
            began: head,
            copied: summary.head,
        });
    }
    let file = out.into_inner().map_err(|err| io(err.into_error()))?;
    // Durable before it is called a backup.
    file.sync_all().map_err(io)?;
    Ok(summary)
}

fn json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).expect("headers and stored commits serialise")
}

//! Where a backup or restore is written before it is called good, and how it is put in place
//! without ever overwriting: a staged file beside the destination, moved there last.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

/// The file `path` is written to first: `<path>.partial`.
pub(crate) fn staged(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The SQLite files beside a database: its write-ahead log and shared memory.
pub(crate) fn sidecars(path: &Path) -> [PathBuf; 2] {
    [staged(path, "-wal"), staged(path, "-shm")]
}

/// Removes a staged file and its SQLite sidecars, ignoring those that are not there.
pub(crate) fn discard(path: &Path) {
    for file in std::iter::once(path.to_owned()).chain(sidecars(path)) {
        let _ = std::fs::remove_file(file);
    }
}

/// Whether something (even a dangling link) is at `path`.
pub(crate) fn occupied(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

/// Moves `from` to `to` unless something is at `to` (a hard link, which never replaces, where
/// the file system has them).
pub(crate) fn move_no_clobber(from: &Path, to: &Path) -> std::io::Result<()> {
    match std::fs::hard_link(from, to) {
        Ok(()) => std::fs::remove_file(from),
        Err(err) if err.kind() == ErrorKind::AlreadyExists => Err(err),
        Err(_) if occupied(to) => Err(ErrorKind::AlreadyExists.into()),
        Err(_) => std::fs::rename(from, to),
    }
}

/// `path` for messages.
pub(crate) fn shown(path: &Path) -> String {
    path.display().to_string()
}

/// Moves a verified `partial` file to `dest`, never over an existing file; on failure the
/// partial file is removed, so nothing unverified is left to be mistaken for a backup.
pub(crate) fn move_into_place(
    partial: &Path,
    dest: &Path,
    action: &'static str,
) -> Result<(), super::error::BackupError> {
    move_no_clobber(partial, dest).map_err(|source| {
        discard(partial);
        if source.kind() == ErrorKind::AlreadyExists {
            super::error::BackupError::Exists { path: shown(dest) }
        } else {
            super::error::BackupError::Io {
                action,
                path: shown(dest),
                source,
            }
        }
    })
}

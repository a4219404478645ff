//! One write turn per SQLite file per process. The embedded log's appends and the read
//! models' transactions in the same file take it in the order they asked (a fair queue)
//! before taking SQLite's write lock, instead of polling that lock with SQLite's growing
//! sleeps, under which a busy appender starves the projector beside it. Other processes
//! still meet the lock itself, and wait for it (`busy_timeout`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex, Weak};

/// A file's write turn.
pub type WriteTurn = Arc<tokio::sync::Mutex<()>>;

static TURNS: LazyLock<Mutex<BTreeMap<PathBuf, Weak<tokio::sync::Mutex<()>>>>> =
    LazyLock::new(Mutex::default);

/// The write turn of the database file at `path` (which must exist, so that every name of
/// one file finds the same turn), shared by everything in this process that writes it.
pub fn write_turn(path: &Path) -> WriteTurn {
    let file = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let mut turns = TURNS.lock().expect("the write turns are never poisoned");
    turns.retain(|_, turn| turn.strong_count() > 0);
    if let Some(turn) = turns.get(&file).and_then(Weak::upgrade) {
        return turn;
    }
    let turn = WriteTurn::default();
    turns.insert(file, Arc::downgrade(&turn));
    turn
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_of_one_file_finds_one_turn_and_other_files_their_own() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.db"), dir.path().join("b.db"));
        std::fs::write(&a, b"").unwrap();
        std::fs::write(&b, b"").unwrap();
        let turn = write_turn(&a);
        let again = write_turn(&dir.path().join(".").join("a.db"));
        assert!(Arc::ptr_eq(&turn, &again));
        assert!(!Arc::ptr_eq(&turn, &write_turn(&b)));
    }
}

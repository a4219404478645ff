//! The log read in order for checking it, one entry per position: a commit, or in place of one
//! the store cannot read, what is wrong with it and the digest of its stored bytes (what stands
//! for it in the Merkle tree once an admin has set it aside).

use scoreledger_domain::Position;

use crate::envelope::Commit;
use crate::error::ReadError;
use crate::EventStore;

/// One position of the log, as read.
// Nearly every entry is a commit: boxing it would cost an allocation per commit verified.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Entry {
    /// A commit that reads.
    Commit(Commit),
    /// Bytes at `position` that are no commit.
    Unreadable {
        /// Where.
        position: Position,
        /// What the store said.
        problem: String,
        /// The SHA-256 of the stored bytes (`None` if they vanished meanwhile).
        digest: Option<String>,
    },
}

impl Entry {
    /// Its position.
    pub fn position(&self) -> Position {
        match self {
            Entry::Commit(commit) => commit.position,
            Entry::Unreadable { position, .. } => *position,
        }
    }
}

/// Why a commit that decodes is still no commit Scoreledger sealed: its events cannot be read
/// and its contents do not make the hash it carries (a damaged row, a foreign message shaped
/// like a commit). `None` for a commit whose hash holds, or whose events read (then a hash
/// that does not hold means it was changed).
pub fn unsealed(commit: &Commit) -> Option<String> {
    if commit.compute_hash() == commit.hash {
        return None;
    }
    unsealed_changed(commit)
}

/// [`unsealed`] for a commit already found not to make its hash (the hash is not computed
/// again): `None` means its events read, so it was changed.
pub fn unsealed_changed(commit: &Commit) -> Option<String> {
    commit.domain_events().err().map(|err| {
        format!(
            "its events cannot be read ({err}) and its contents do not make the hash it carries"
        )
    })
}

/// Up to `limit` entries after `after`, in log order, ending at the first that cannot be read.
/// Empty only past the end of the log.
pub async fn read_entries(
    store: &dyn EventStore,
    after: Position,
    limit: usize,
) -> Result<Vec<Entry>, ReadError> {
    match store.read_all(after, limit).await {
        Ok(commits) => Ok(commits.into_iter().map(Entry::Commit).collect()),
        Err(ReadError::Corrupt { position, problem }) if position > after => {
            // What comes before it reads; read it on its own.
            let before = (position.0 - after.0 - 1) as usize;
            let mut entries: Vec<Entry> = if before == 0 {
                Vec::new()
            } else {
                store
                    .read_all(after, before)
                    .await?
                    .into_iter()
                    .map(Entry::Commit)
                    .collect()
            };
            entries.push(Entry::Unreadable {
                position,
                problem,
                digest: store.stored_digest(position).await?,
            });
            Ok(entries)
        }
        Err(err) => Err(err),
    }
}

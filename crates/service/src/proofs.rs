//! Proofs against signed checkpoints (RFC 6962): that a commit is in the log a checkpoint
//! vouches for, and that a later checkpoint extends an earlier one. Every proof is checked
//! before it is handed out, and anyone holding the public key can check it again.

use serde::{Deserialize, Serialize};

use scoreledger_domain::Position;
use scoreledger_integrity::{
    check_consistency, check_inclusion, hash_hex, leaf_hash, open_checkpoint_any, HexProof,
    SignedCheckpoint, Tree,
};
use scoreledger_store::{checkpoints_stream, read_entries, unsealed, Entry, EventStore, ReadError};

use crate::checkpoints::{key_ring, recorded};

/// Commits read per batch while building the tree.
const BATCH: usize = 1000;

/// Why no proof was given.
#[derive(Debug, thiserror::Error)]
pub enum ProofError {
    /// The log could not be read.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// Nothing to prove against, or out of range.
    #[error("{0}")]
    NotFound(String),
    /// The log does not match the checkpoint.
    #[error("the log does not match its checkpoint of {size} commits; run `scoreledger verify` to find where")]
    Mismatch {
        /// The checkpoint's size.
        size: u64,
    },
}

/// A commit's inclusion in a signed checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct InclusionProof {
    /// The commit's position (its leaf is `position - 1`).
    pub position: u64,
    /// The commit's hash (the leaf's data).
    pub commit_hash: String,
    /// How many commits the checkpoint covers.
    pub size: u64,
    /// The Merkle tree head the checkpoint signs, hexadecimal.
    pub root: String,
    /// The C2SP signed note.
    pub checkpoint: String,
    /// The audit path, leaf to head, hexadecimal (RFC 6962 §2.1.1).
    pub proof: Vec<String>,
}

/// A later checkpoint extending an earlier one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ConsistencyProof {
    /// The earlier size.
    pub from_size: u64,
    /// Its head.
    pub from_root: String,
    /// The later size.
    pub to_size: u64,
    /// Its head.
    pub to_root: String,
    /// The later checkpoint's signed note.
    pub checkpoint: String,
    /// The proof (RFC 6962 §2.1.2), hexadecimal.
    pub proof: Vec<String>,
}

/// Every checkpoint recorded in the log, oldest first.
pub async fn checkpoints(store: &dyn EventStore) -> Result<Vec<SignedCheckpoint>, ReadError> {
    let (ring, _) = key_ring(store).await?;
    let mut found = Vec::new();
    for commit in store.read_stream(&checkpoints_stream()).await? {
        let corrupt = |problem: String| ReadError::Corrupt {
            position: commit.position,
            problem,
        };
        let (note, _) = recorded(&commit).ok_or_else(|| corrupt("no checkpoint in it".into()))?;
        found.push(
            open_checkpoint_any(&note, &ring)
                .map_err(|err| corrupt(format!("the checkpoint does not verify: {err}")))?,
        );
    }
    Ok(found)
}

/// The checkpoint of exactly `size` commits, or the latest when `size` is `None`.
async fn checkpoint_of(
    store: &dyn EventStore,
    size: Option<u64>,
) -> Result<SignedCheckpoint, ProofError> {
    let all = checkpoints(store).await?;
    let found = match size {
        Some(size) => all.into_iter().find(|c| c.size == size),
        None => all.into_iter().last(),
    };
    found.ok_or_else(|| {
        ProofError::NotFound(match size {
            Some(size) => format!("the log has no checkpoint of {size} commits; `scoreledger checkpoint list` shows those it has"),
            None => "the log has no checkpoint yet; `scoreledger checkpoint` records one".into(),
        })
    })
}

/// The first checkpoint covering `position`.
pub async fn covering_checkpoint(
    store: &dyn EventStore,
    position: Position,
) -> Result<Option<SignedCheckpoint>, ReadError> {
    Ok(checkpoints(store)
        .await?
        .into_iter()
        .find(|c| c.size >= position.0))
}

/// The tree of the first `size` commits, checked against `checkpoint`.
async fn tree_of(
    store: &dyn EventStore,
    checkpoint: &SignedCheckpoint,
) -> Result<(Tree, Vec<String>), ProofError> {
    // Commits are taken at the hash they carry; only a log whose tree then does not make the
    // signed head is read again, telling apart the commits that were set aside (hashing every
    // commit's contents costs more than the rest of a proof).
    match leaves(store, checkpoint, false).await? {
        Some(tree) => Ok(tree),
        None => leaves(store, checkpoint, true)
            .await?
            .ok_or(ProofError::Mismatch {
                size: checkpoint.size,
            }),
    }
}

/// The tree of the commits `checkpoint` covers, or `None` if it does not make its head. A
/// commit that cannot be read stands as its stored bytes' digest, as it did when the
/// checkpoint was signed over it (after it was set aside); with `unsealed_too`, so does one
/// whose events cannot be read and whose contents do not make its hash.
async fn leaves(
    store: &dyn EventStore,
    checkpoint: &SignedCheckpoint,
    unsealed_too: bool,
) -> Result<Option<(Tree, Vec<String>)>, ProofError> {
    let mismatch = || ProofError::Mismatch {
        size: checkpoint.size,
    };
    let mut tree = Tree::new();
    let mut hashes = Vec::new();
    while tree.size() < checkpoint.size {
        let after = Position(tree.size());
        let limit = BATCH.min((checkpoint.size - after.0) as usize);
        let entries = read_entries(store, after, limit).await?;
        if entries.is_empty() {
            return Ok(None);
        }
        for entry in entries {
            let hash = match entry {
                Entry::Commit(commit) if unsealed_too && unsealed(&commit).is_some() => store
                    .stored_digest(commit.position)
                    .await?
                    .ok_or_else(mismatch)?,
                Entry::Commit(commit) => commit.hash,
                Entry::Unreadable {
                    digest: Some(digest),
                    ..
                } => digest,
                Entry::Unreadable { .. } => return Ok(None),
            };
            let Ok(leaf) = leaf_hash(&hash) else {
                return Ok(None);
            };
            tree.push(leaf);
            hashes.push(hash);
        }
    }
    Ok((tree.root_at(checkpoint.size).ok() == Some(checkpoint.root)).then_some((tree, hashes)))
}

/// The proof that the commit at `position` is in the checkpoint of `size` commits (the
/// latest when `None`).
pub async fn inclusion(
    store: &dyn EventStore,
    position: Position,
    size: Option<u64>,
) -> Result<InclusionProof, ProofError> {
    let checkpoint = checkpoint_of(store, size).await?;
    inclusion_in(store, position, &checkpoint).await
}

/// The proof that the commit at `position` is in `checkpoint`.
pub async fn inclusion_in(
    store: &dyn EventStore,
    position: Position,
    checkpoint: &SignedCheckpoint,
) -> Result<InclusionProof, ProofError> {
    let mut proofs = inclusions_in(store, &[position], checkpoint).await?;
    Ok(proofs.remove(0))
}

/// The proof that the checkpoint of `to` commits (the latest when `None`) extends the
/// checkpoint of `from` commits.
pub async fn consistency(
    store: &dyn EventStore,
    from: u64,
    to: Option<u64>,
) -> Result<ConsistencyProof, ProofError> {
    let later = checkpoint_of(store, to).await?;
    let earlier = checkpoint_of(store, Some(from)).await?;
    if earlier.size > later.size {
        return Err(ProofError::NotFound(format!(
            "the checkpoint of {} commits is not earlier than the one of {}",
            earlier.size, later.size
        )));
    }
    let (tree, _) = tree_of(store, &later).await?;
    let mismatch = || ProofError::Mismatch { size: later.size };
    let proof = tree
        .consistency(earlier.size, later.size)
        .map_err(|_| mismatch())?;
    check_consistency(&proof, earlier.size, earlier.root, later.size, later.root)
        .map_err(|_| ProofError::Mismatch { size: earlier.size })?;
    Ok(ConsistencyProof {
        from_size: earlier.size,
        from_root: hash_hex(&earlier.root),
        to_size: later.size,
        to_root: later.root_hex(),
        checkpoint: later.note.clone(),
        proof: HexProof::of(&proof).0,
    })
}

/// The proofs that each commit at `positions` is in `checkpoint`, building the tree once
/// (an evidence pack proves hundreds of commits; one tree per proof would read the log as
/// many times).
pub async fn inclusions_in(
    store: &dyn EventStore,
    positions: &[Position],
    checkpoint: &SignedCheckpoint,
) -> Result<Vec<InclusionProof>, ProofError> {
    if let Some(outside) = positions.iter().find(|p| p.0 == 0 || p.0 > checkpoint.size) {
        return Err(ProofError::NotFound(format!(
            "the checkpoint covers positions 1 to {}; position {outside} is not among them",
            checkpoint.size
        )));
    }
    let (tree, hashes) = tree_of(store, checkpoint).await?;
    let mismatch = || ProofError::Mismatch {
        size: checkpoint.size,
    };
    positions
        .iter()
        .map(|position| {
            let index = position.0 - 1;
            let commit_hash = hashes[index as usize].clone();
            let proof = tree
                .inclusion(index, checkpoint.size)
                .map_err(|_| mismatch())?;
            let leaf = leaf_hash(&commit_hash).map_err(|_| mismatch())?;
            check_inclusion(&proof, checkpoint.size, checkpoint.root, index, leaf)
                .map_err(|_| mismatch())?;
            Ok(InclusionProof {
                position: position.0,
                commit_hash,
                size: checkpoint.size,
                root: checkpoint.root_hex(),
                checkpoint: checkpoint.note.clone(),
                proof: HexProof::of(&proof).0,
            })
        })
        .collect()
}

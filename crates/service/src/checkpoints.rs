//! Signed checkpoints of the log: recorded in it (directly after the last commit each covers)
//! every so many commits or seconds, after every lock and publication, and exported outside
//! it, so a log rewritten or cut short is caught even by someone holding only the public key.

use std::path::Path;

use scoreledger_domain::{Actor, Command, DomainEvent, Position, Role};
use scoreledger_integrity::{
    hash_hex, leaf_hash, open_checkpoint, parse_hash, sign_checkpoint, Frontier, KeyRing, LogKey,
    SignedCheckpoint,
};
use scoreledger_store::{
    checkpoints_stream, prepare, read_entries, set_aside_of, unsealed_changed, AppendError, Commit,
    Entry, EventStore, ExecuteError, ReadError, Request,
};

/// Commits read per batch while following the tree.
const BATCH: usize = 1000;
/// How often a checkpoint is tried again when other commits keep landing first.
const ATTEMPTS: usize = 16;

/// Who records checkpoints: the service itself, never a person.
pub fn service_actor() -> Actor {
    Actor::new("scoreledger", "Scoreledger (the service)", Role::Admin)
}

/// Why no checkpoint was recorded.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointFailure {
    /// The log could not be read.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The checkpoint could not be appended.
    #[error("the checkpoint could not be appended")]
    Append(#[source] ExecuteError),
    /// The store has no key, or the log does not sign with it.
    #[error("{0}")]
    Key(String),
    /// Something since the last checkpoint does not hold: signing over it would vouch for it.
    #[error(
        "no checkpoint was signed, because the log does not verify: {0}; run `scoreledger verify`"
    )]
    Unverified(String),
    /// Other commits kept landing first.
    #[error("other commits kept landing first; the checkpoint will be tried again")]
    Busy,
}

/// The keys the log has recorded, in order, and where it began signing.
pub async fn key_ring(store: &dyn EventStore) -> Result<(KeyRing, Option<Position>), ReadError> {
    key_ring_through(store, None).await
}

/// The keys the log had recorded up to `through` (all of them for `None`), and where it began
/// signing.
pub async fn key_ring_through(
    store: &dyn EventStore,
    through: Option<Position>,
) -> Result<(KeyRing, Option<Position>), ReadError> {
    let by = |at: Position| through.is_none_or(|through| at <= through);
    let (_, mut recorded) = crate::keys::recorded_keys(store).await?;
    recorded.retain(|k| by(k.added_at));
    let mut ring = KeyRing::of(recorded.iter().map(|k| k.key.clone()));
    for retired in recorded.iter().filter(|k| k.retired_at.is_some_and(by)) {
        ring.retire(&retired.key);
    }
    Ok((ring, recorded.first().map(|k| k.added_at)))
}

/// The latest checkpoint recorded in the log, with the position of its commit and the tree's
/// right edge it carries (checked to fold to its signed head).
pub async fn latest_checkpoint(
    store: &dyn EventStore,
) -> Result<Option<(Position, SignedCheckpoint, Frontier)>, ReadError> {
    let Some(commit) = store.last_commit_of(&checkpoints_stream()).await? else {
        return Ok(None);
    };
    let (ring, _) = key_ring(store).await?;
    opened(&commit, &ring).map(Some)
}

/// The checkpoint of `size` commits recorded in the log, as [`latest_checkpoint`] gives the
/// latest, and the keys the log had recorded up to it; `None` if the log recorded none of
/// that size.
pub async fn checkpoint_of_size(
    store: &dyn EventStore,
    size: u64,
) -> Result<Option<scoreledger_store::Start>, ReadError> {
    let (ring, _) = key_ring(store).await?;
    for commit in store.read_stream(&checkpoints_stream()).await? {
        let (_, checkpoint, frontier) = opened(&commit, &ring)?;
        if checkpoint.size == size {
            let (keys, signed_from) = key_ring_through(store, Some(Position(size))).await?;
            return Ok(Some(scoreledger_store::Start {
                checkpoint,
                frontier,
                keys,
                signed_from,
            }));
        }
    }
    Ok(None)
}

/// A checkpoint commit opened with `ring`, its tree edge checked to make its signed head.
fn opened(
    commit: &Commit,
    ring: &KeyRing,
) -> Result<(Position, SignedCheckpoint, Frontier), ReadError> {
    let corrupt = |problem: String| ReadError::Corrupt {
        position: commit.position,
        problem,
    };
    let (note, nodes) = recorded(commit).ok_or_else(|| corrupt("no checkpoint in it".into()))?;
    let checkpoint = scoreledger_integrity::open_checkpoint_any(&note, ring)
        .map_err(|err| corrupt(format!("the checkpoint does not verify: {err}")))?;
    let nodes = nodes
        .iter()
        .map(|node| parse_hash(node))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|err| corrupt(err.to_string()))?;
    let frontier =
        Frontier::from_parts(checkpoint.size, nodes).map_err(|err| corrupt(err.to_string()))?;
    if frontier.root() != checkpoint.root {
        return Err(corrupt(
            "the tree edge it carries does not make the head it signs".into(),
        ));
    }
    Ok((commit.position, checkpoint, frontier))
}

/// The checkpoint note and frontier a checkpoint commit records.
pub fn recorded(commit: &Commit) -> Option<(String, Vec<String>)> {
    commit
        .domain_events()
        .ok()?
        .into_iter()
        .find_map(|event| match event {
            DomainEvent::CheckpointRecorded {
                checkpoint,
                frontier,
            } => Some((checkpoint, frontier)),
            _ => None,
        })
}

/// Records a checkpoint of every commit so far, signed with the store's key, unless the last
/// commit is itself a checkpoint (nothing new to cover). Each commit since the last checkpoint
/// is checked (its hash, and its signature once the log signs) before the checkpoint vouches
/// for it.
pub async fn record_checkpoint(
    store: &dyn EventStore,
) -> Result<Option<SignedCheckpoint>, CheckpointFailure> {
    let key = store.key().ok_or_else(|| {
        CheckpointFailure::Key(
            "no signing key was given, so no checkpoint can be signed: pass --signing-key FILE"
                .into(),
        )
    })?;
    for _ in 0..ATTEMPTS {
        let (ring, signed_from) = key_ring(store).await?;
        if !ring.active().any(|active| active == key.public()) {
            return Err(CheckpointFailure::Key(format!(
                "the log does not sign with the key given ({}); `scoreledger keys show` names the key it signs with",
                key.public().id()
            )));
        }
        let (mut frontier, last) = match latest_checkpoint(store).await? {
            Some((position, _, frontier)) => (frontier, Some(position)),
            None => (Frontier::new(), None),
        };
        let head = store.head().await?;
        if last == Some(head) {
            return Ok(None);
        }
        // Each commit is checked against every key the log has had: the verifier knows which
        // was signing when; here it is enough that no stranger signed.
        let known = KeyRing::of(ring.all().cloned());
        follow(store, &mut frontier, head, &known, signed_from).await?;
        match append_checkpoint(store, key, &frontier, head).await {
            Ok(checkpoint) => return Ok(Some(checkpoint)),
            Err(ExecuteError::Append(AppendError::Moved { .. })) => continue,
            Err(err) => return Err(CheckpointFailure::Append(err)),
        }
    }
    Err(CheckpointFailure::Busy)
}

/// Adds the commits after the frontier up to `head` to it, checking each.
async fn follow(
    store: &dyn EventStore,
    frontier: &mut Frontier,
    head: Position,
    ring: &KeyRing,
    signed_from: Option<Position>,
) -> Result<(), CheckpointFailure> {
    while frontier.size() < head.0 {
        let after = Position(frontier.size());
        let limit = BATCH.min((head.0 - after.0) as usize);
        let entries = read_entries(store, after, limit).await?;
        if entries.is_empty() {
            return Err(CheckpointFailure::Unverified(format!(
                "position {} is missing",
                after.0 + 1
            )));
        }
        for entry in entries {
            if entry.position().0 != frontier.size() + 1 {
                return Err(CheckpointFailure::Unverified(format!(
                    "position {} is missing",
                    frontier.size() + 1
                )));
            }
            let (position, problem, digest) = match entry {
                Entry::Commit(commit) => {
                    if commit.compute_hash() == commit.hash {
                        frontier.push(signed_leaf(&commit, ring, signed_from)?);
                        continue;
                    }
                    let Some(problem) = unsealed_changed(&commit) else {
                        return Err(CheckpointFailure::Unverified(format!(
                            "the commit at position {} was changed",
                            commit.position
                        )));
                    };
                    (
                        commit.position,
                        problem,
                        store.stored_digest(commit.position).await?,
                    )
                }
                Entry::Unreadable {
                    position,
                    problem,
                    digest,
                } => (position, problem, digest),
            };
            // Bytes that are no commit stand in the tree as their digest, once an admin has set
            // them aside; until then nothing after them is signed.
            let leaf = match (digest, set_aside_of(store, position).await?) {
                    (Some(digest), Some(_)) => leaf_hash(&digest)
                        .map_err(|err| CheckpointFailure::Unverified(err.to_string()))?,
                _ => {
                    return Err(CheckpointFailure::Unverified(format!(
                        "the commit at position {position} cannot be read ({problem}) and no admin has set it aside"
                    )))
                }
            };
            frontier.push(leaf);
        }
    }
    Ok(())
}

/// The leaf of a commit whose hash holds, once its signature does.
fn signed_leaf(
    commit: &Commit,
    ring: &KeyRing,
    signed_from: Option<Position>,
) -> Result<scoreledger_integrity::Hash, CheckpointFailure> {
    if signed_from.is_some_and(|from| commit.position > from) {
        ring.check_commit(&commit.hash, commit.signature.as_ref())
            .map_err(|problem| {
                CheckpointFailure::Unverified(format!(
                    "the commit at position {} is forged: {problem}",
                    commit.position
                ))
            })?;
    }
    leaf_hash(&commit.hash).map_err(|err| CheckpointFailure::Unverified(err.to_string()))
}

async fn append_checkpoint(
    store: &dyn EventStore,
    key: &LogKey,
    frontier: &Frontier,
    head: Position,
) -> Result<SignedCheckpoint, ExecuteError> {
    let note = sign_checkpoint(key, head.0, frontier.root());
    let command = Command::RecordCheckpoint {
        checkpoint: note.clone(),
        frontier: frontier.nodes().iter().map(hash_hex).collect(),
    };
    let request = Request::new(service_actor());
    let mut commit = prepare(store, &checkpoints_stream(), &[command], &request).await?;
    commit.directly_after = Some(head);
    store.append(commit).await?;
    Ok(open_checkpoint(&note, &KeyRing::of([key.public().clone()]))
        .expect("a checkpoint just signed opens with its key"))
}

/// Writes a checkpoint where witnesses and auditors can take it: `DIR/<size>` and
/// `DIR/latest`, each the signed note as is. Written to a temporary file and renamed, so a
/// reader never sees half of one.
pub fn export_checkpoint(dir: &Path, checkpoint: &SignedCheckpoint) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for name in [checkpoint.size.to_string(), "latest".to_owned()] {
        let partial = dir.join(format!(".{name}.partial"));
        std::fs::write(&partial, &checkpoint.note)?;
        std::fs::rename(&partial, dir.join(name))?;
    }
    Ok(())
}

/// The checkpoints exported to `dir`, opened with every key the log has had, as witnesses
/// for `verify`. The newest is enough to catch a truncation; all are checked.
pub fn exported_checkpoints(
    dir: &Path,
    ring: &KeyRing,
) -> Result<Vec<scoreledger_store::Witness>, String> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(format!("cannot read {}: {err}", dir.display())),
    };
    let mut witnesses = Vec::new();
    for entry in entries {
        let path = entry.map_err(|err| err.to_string())?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if !name.chars().all(|c| c.is_ascii_digit()) || name.is_empty() {
            continue;
        }
        let note = std::fs::read_to_string(&path)
            .map_err(|err| format!("cannot read {}: {err}", path.display()))?;
        let checkpoint = scoreledger_integrity::open_checkpoint_any(&note, ring)
            .map_err(|err| format!("the exported checkpoint {} {err}", path.display()))?;
        witnesses.push(scoreledger_store::Witness {
            origin: format!("exported to {}", path.display()),
            checkpoint,
        });
    }
    Ok(witnesses)
}

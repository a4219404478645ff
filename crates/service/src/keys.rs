//! The log's signing keys: the first key recorded, and rotations. The private key never
//! enters the log; its public half does, signed, so every later verification knows which
//! key was signing when.

use scoreledger_domain::{Actor, Command};
use scoreledger_integrity::{LogKey, PublicKey};
use scoreledger_store::{keys_stream, prepare, Appended, EventStore, ExecuteError, Request};

/// Records `key` as the log's signing key from now on, retiring `replaces`. The store must
/// sign with `key` when the log has no key yet (the first key signs its own record), and with
/// the key being replaced when rotating (the old key vouches for the new).
pub async fn add_key(
    store: &dyn EventStore,
    key: &PublicKey,
    replaces: Option<&PublicKey>,
    actor: Actor,
    reason: Option<String>,
) -> Result<Appended, ExecuteError> {
    let command = Command::AddSigningKey {
        key: key.text().to_owned(),
        replaces: replaces.map(|old| old.text().to_owned()),
    };
    let request = Request {
        reason,
        ..Request::new(actor)
    };
    let commit = prepare(store, &keys_stream(), &[command], &request).await?;
    store.append(commit).await.map_err(ExecuteError::from)
}

/// Whether the store's key is one the log signs with now (or the log has none yet).
pub async fn key_matches(
    store: &dyn EventStore,
    key: &LogKey,
) -> Result<bool, scoreledger_store::ReadError> {
    let (ring, _) = crate::checkpoints::key_ring(store).await?;
    Ok(ring.is_empty() || ring.active().any(|active| active == key.public()))
}

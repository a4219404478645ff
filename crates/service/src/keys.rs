//! The log's signing keys: the first key recorded, and rotations. The private key never
//! enters the log; its public half does, signed, so every later verification knows which
//! key was signing when.

use scoreledger_domain::{Actor, Command, DomainEvent, Position};
use scoreledger_integrity::{LogKey, PublicKey};
use scoreledger_store::{keys_stream, Appended, Commit, EventStore, ReadError};

use crate::submit::{submit, Submission, SubmitError};

/// A key as the log recorded it: the commit that added it and, once rotated out, the commit
/// that retired it. The first key signs from its own commit on; a later key from the commit
/// after the one adding it (the keys before it sign that one); a retired key signs up to and
/// including the commit retiring it.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedKey {
    /// The public key.
    pub key: PublicKey,
    /// The position of the commit that added it.
    pub added_at: Position,
    /// The position of the commit that retired it, if one has.
    pub retired_at: Option<Position>,
}

/// The commits of the log's keys stream, and the keys they record in the order added (the
/// first is where the log began signing).
pub async fn recorded_keys(
    store: &dyn EventStore,
) -> Result<(Vec<Commit>, Vec<RecordedKey>), ReadError> {
    let commits = store.read_stream(&keys_stream()).await?;
    let mut recorded: Vec<RecordedKey> = Vec::new();
    for commit in &commits {
        let corrupt = |problem: String| ReadError::Corrupt {
            position: commit.position,
            problem,
        };
        for event in commit
            .domain_events()
            .map_err(|err| corrupt(err.to_string()))?
        {
            let (DomainEvent::SigningKeyAdded { key } | DomainEvent::SigningKeyRetired { key }) =
                &event
            else {
                continue;
            };
            let key = PublicKey::parse(key).map_err(|err| corrupt(err.to_string()))?;
            match event {
                DomainEvent::SigningKeyAdded { .. } => {
                    if !recorded.iter().any(|known| known.key == key) {
                        recorded.push(RecordedKey {
                            key,
                            added_at: commit.position,
                            retired_at: None,
                        });
                    }
                }
                _ => {
                    if let Some(known) = recorded.iter_mut().find(|known| known.key == key) {
                        known.retired_at.get_or_insert(commit.position);
                    }
                }
            }
        }
    }
    Ok((commits, recorded))
}

/// Records `key` as the log's signing key from now on, retiring `replaces`. The store must
/// sign with `key` when the log has no key yet (the first key signs its own record), and with
/// the key being replaced when rotating (the old key vouches for the new).
pub async fn add_key(
    store: &dyn EventStore,
    key: &PublicKey,
    replaces: Option<&PublicKey>,
    actor: Actor,
    reason: Option<String>,
) -> Result<Appended, SubmitError> {
    let command = Command::AddSigningKey {
        key: key.text().to_owned(),
        replaces: replaces.map(|old| old.text().to_owned()),
    };
    submit(
        store,
        Submission {
            actor: &actor,
            stream: &keys_stream(),
            plan_id: None,
            commands: std::slice::from_ref(&command),
            reason,
            on_behalf_of: None,
            reported: None,
            commit_id: None,
            if_version: None,
        },
    )
    .await
}

/// Whether the store's key is one the log signs with now (or the log has none yet).
pub async fn key_matches(
    store: &dyn EventStore,
    key: &LogKey,
) -> Result<bool, scoreledger_store::ReadError> {
    let (ring, _) = crate::checkpoints::key_ring(store).await?;
    Ok(ring.is_empty() || ring.active().any(|active| active == key.public()))
}

//! The log's own streams for what makes it provable, and the rule that once a log signs its
//! commits, nothing unsigned is appended to it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use scoreledger_domain::{Position, StreamId};
use scoreledger_integrity::{LogKey, PublicKey};

use crate::envelope::Commit;
use crate::error::AppendError;

/// The stream holding the log's public keys and their rotations.
pub const KEYS_STREAM: &str = "log-keys";
/// The stream holding the log's signed checkpoints.
pub const CHECKPOINTS_STREAM: &str = "log-checkpoints";

/// The stream of the log's keys.
pub fn keys_stream() -> StreamId {
    StreamId(KEYS_STREAM.to_owned())
}

/// The stream of the log's checkpoints.
pub fn checkpoints_stream() -> StreamId {
    StreamId(CHECKPOINTS_STREAM.to_owned())
}

/// What a store signs with, and whether the log it writes to is known to sign.
#[derive(Debug, Default, Clone)]
pub(crate) struct Signing {
    key: Option<Arc<LogKey>>,
    /// Once a log has a key it always has one, so a `true` never needs asking again.
    log_signs: Arc<AtomicBool>,
    /// What the log said of the key, as of the newest commit of its keys stream then.
    judged: Arc<Mutex<Option<(Position, KeyStatus)>>>,
}

/// Where the log stands with the key a store signs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyStatus {
    /// Recorded and not retired: what it signs verifies.
    Active,
    /// Never recorded: what it signs would be forged.
    NotRecorded,
    /// Retired at this position (rotated away): what it signs from now on would be forged.
    Retired(Position),
}

impl Signing {
    pub(crate) fn with_key(key: Arc<LogKey>) -> Self {
        Self {
            key: Some(key),
            log_signs: Arc::new(AtomicBool::new(false)),
            judged: Arc::default(),
        }
    }

    pub(crate) fn key(&self) -> Option<&LogKey> {
        self.key.as_deref()
    }

    /// Refuses an append that would never verify: an unsigned one to a log that signs, and a
    /// signed one to a log that has not recorded a key yet (except the record of the key
    /// itself). `has_keys` asks the log, and is only called until the answer is yes.
    pub(crate) async fn check_can_sign<F>(
        &self,
        stream: &StreamId,
        has_keys: F,
    ) -> Result<(), AppendError>
    where
        F: std::future::Future<Output = Result<bool, AppendError>>,
    {
        if !self.log_signs.load(Ordering::Relaxed) {
            if has_keys.await? {
                self.log_signs.store(true, Ordering::Relaxed);
            } else if self.key.is_some() && stream.as_str() != KEYS_STREAM {
                return Err(AppendError::KeyNotRecorded);
            } else {
                return Ok(());
            }
        }
        match self.key {
            Some(_) => Ok(()),
            None => Err(AppendError::Unsigned),
        }
    }

    /// Whether the key's standing must be judged again: the keys stream's newest commit is
    /// at `last_keys` (a rotation since the last append, or never judged).
    pub(crate) fn needs_judging(&self, last_keys: Option<Position>) -> bool {
        let judged = self.judged.lock().expect("never poisoned");
        self.key.is_some()
            && last_keys.is_some()
            && judged.is_none_or(|(at, _)| Some(at) != last_keys)
    }

    /// Judges the key against every commit of the keys stream, the newest at `last_keys`.
    pub(crate) fn judge(&self, last_keys: Position, keys: &[Commit]) {
        if let Some(key) = &self.key {
            let status = key_status(keys, key.public());
            *self.judged.lock().expect("never poisoned") = Some((last_keys, status));
        }
    }

    /// Refuses to sign with a key the log has retired or never recorded (as last judged):
    /// what it signed would verify as forged. A process still holding a key rotated away
    /// stops writing rather than write what no verifier accepts.
    pub(crate) fn check_key_standing(&self) -> Result<(), AppendError> {
        let judged = *self.judged.lock().expect("never poisoned");
        let (Some(key), Some((_, status))) = (&self.key, judged) else {
            return Ok(());
        };
        match status {
            KeyStatus::Active => Ok(()),
            KeyStatus::NotRecorded => Err(AppendError::KeyNotInLog {
                key: key.public().id(),
            }),
            KeyStatus::Retired(at) => Err(AppendError::KeyRetired {
                key: key.public().id(),
                at,
            }),
        }
    }
}

/// The standing of `key` in the log's keys stream.
fn key_status(keys: &[Commit], key: &PublicKey) -> KeyStatus {
    let mut status = KeyStatus::NotRecorded;
    for commit in keys {
        for event in &commit.events {
            let named = event.payload.get("key").and_then(|k| k.as_str()) == Some(key.text());
            match event.event_type.as_str() {
                "SigningKeyAdded" if named && status == KeyStatus::NotRecorded => {
                    status = KeyStatus::Active;
                }
                "SigningKeyRetired" if named => status = KeyStatus::Retired(commit.position),
                _ => {}
            }
        }
    }
    status
}

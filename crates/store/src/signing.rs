//! The log's own streams for what makes it provable, and the rule that once a log signs its
//! commits, nothing unsigned is appended to it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use scoreledger_domain::StreamId;
use scoreledger_integrity::LogKey;

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
}

impl Signing {
    pub(crate) fn with_key(key: Arc<LogKey>) -> Self {
        Self {
            key: Some(key),
            log_signs: Arc::new(AtomicBool::new(false)),
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
}

//! The commit envelope (DESIGN.md §2) and its per-stream hash chain.
//!
//! The hash covers every field of the commit except `position` and the hash itself.
//! Position is assigned by the log after the commit is sealed (JetStream hands out its
//! sequence only on acknowledgement); log order is covered by the signed Merkle
//! checkpoints instead.

use std::fmt;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use scoreledger_domain::{
    Actor, DomainEvent, Position, Reported, SchemaVersion, StreamId, StreamVersion, UpcastError,
};
use scoreledger_integrity::{CommitSignature, LogKey};

/// The hash a stream's first commit points back to.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Which version a stream must be at for an append to succeed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExpectedVersion {
    /// Whatever it is (use only for streams with a single writer by construction).
    Any,
    /// Exactly this version; `StreamVersion(0)` means the stream must not exist yet.
    Exact(StreamVersion),
}

impl fmt::Display for ExpectedVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExpectedVersion::Any => f.write_str("any"),
            ExpectedVersion::Exact(v) => v.fmt(f),
        }
    }
}

/// What a caller asks the store to append.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCommit {
    /// The stream (one aggregate).
    pub stream: StreamId,
    /// Optimistic-concurrency check.
    pub expected: ExpectedVersion,
    /// Idempotency key: a retry with the same id appends nothing. Generated when `None`.
    pub commit_id: Option<Uuid>,
    /// Who, from the authenticated session.
    pub actor: Actor,
    /// For whom, when entering data for someone else.
    pub on_behalf_of: Option<String>,
    /// Why.
    pub reason: Option<String>,
    /// The request this commit belongs to.
    pub correlation_id: Option<Uuid>,
    /// The commit or message that caused this one.
    pub causation_id: Option<Uuid>,
    /// When and where the change was reported, when that was before it is recorded (history
    /// loaded from past packs).
    pub reported: Option<Reported>,
    /// The events, in order (at least one).
    pub events: Vec<DomainEvent>,
    /// Another stream the commit was judged against (the plan, for its locks), at the version
    /// it was read: the commit lands only if that stream has not moved since, so a lock
    /// committed a moment earlier is a conflict, never a change inside a locked period.
    pub judged_against: Option<(StreamId, StreamVersion)>,
    /// The log position the judgment read the log through (the read models' position after
    /// catching up), when it depended on what had been published: the commit lands only if no
    /// report has been published after it, else it is a conflict on `judged_against`'s stream
    /// and is judged again. A publication lands on a report's own stream, which
    /// `judged_against` does not see.
    pub judged_through: Option<Position>,
    /// The log position the commit must land directly after: a checkpoint of the first N
    /// commits is the commit at N + 1, or it is not appended (`AppendError::Moved`).
    pub directly_after: Option<Position>,
}

impl NewCommit {
    /// A commit of `events` to `stream` by `actor`, expecting `expected`.
    pub fn new(
        stream: StreamId,
        expected: ExpectedVersion,
        actor: Actor,
        events: Vec<DomainEvent>,
    ) -> Self {
        Self {
            stream,
            expected,
            commit_id: None,
            actor,
            on_behalf_of: None,
            reason: None,
            correlation_id: None,
            causation_id: None,
            reported: None,
            events,
            judged_against: None,
            judged_through: None,
            directly_after: None,
        }
    }

    /// Sets the reason.
    pub fn with_reason(mut self, reason: Option<String>) -> Self {
        self.reason = reason;
        self
    }

    /// Sets the idempotency key.
    pub fn with_commit_id(mut self, commit_id: Uuid) -> Self {
        self.commit_id = Some(commit_id);
        self
    }

    /// Checks that every event, written as the log stores it, reads back as itself.
    ///
    /// The log is append-only: an event that cannot be read back would halt every projector
    /// and every query after it, for good. So nothing is appended that does not survive the
    /// trip through its stored form.
    pub fn check_readable(&self) -> Result<(), Unreadable> {
        for event in &self.events {
            let record = EventRecord::new(Uuid::nil(), event);
            let unreadable = |problem: String| Unreadable {
                event_type: record.event_type.clone(),
                problem,
            };
            let bytes = serde_json::to_vec(&record)
                .map_err(|err| unreadable(format!("it cannot be written: {err}")))?;
            let stored: EventRecord = serde_json::from_slice(&bytes)
                .map_err(|err| unreadable(format!("its record cannot be read: {err}")))?;
            let read = stored.to_domain().map_err(|err| {
                unreadable(match std::error::Error::source(&err) {
                    Some(source) => format!("{err}: {source}"),
                    None => err.to_string(),
                })
            })?;
            if &read != event {
                return Err(unreadable(format!(
                    "it would read back as {read:?}, not as written"
                )));
            }
        }
        Ok(())
    }

    /// [`NewCommit::seal`] under its own commit id (or a fresh one), recorded now by `clock`
    /// to the microsecond, as every store keeps it.
    pub(crate) fn seal_now(
        &self,
        before: StreamVersion,
        prev_hash: String,
        clock: &dyn crate::Clock,
        key: Option<&LogKey>,
    ) -> Result<(Commit, Vec<u8>), Unreadable> {
        self.seal(
            self.commit_id.unwrap_or_else(crate::ids::new_id),
            before,
            prev_hash,
            chrono::SubsecRound::trunc_subsecs(clock.now(), 6),
            key,
        )
    }

    /// The stored commit: the events wrapped with fresh ids, the envelope filled in, sealed
    /// and signed with the log's key (when the store has one), and the bytes the log stores,
    /// checked to read back as the same commit.
    pub(crate) fn seal(
        &self,
        commit_id: Uuid,
        before: StreamVersion,
        prev_hash: String,
        recorded_at: DateTime<Utc>,
        key: Option<&LogKey>,
    ) -> Result<(Commit, Vec<u8>), Unreadable> {
        self.check_readable()?;
        let events: Vec<EventRecord> = self
            .events
            .iter()
            .map(|event| EventRecord::new(crate::ids::new_id(), event))
            .collect();
        let commit = Commit {
            commit_id,
            stream: self.stream.clone(),
            stream_version: StreamVersion(before.0 + events.len() as u64),
            position: Position(0),
            recorded_at,
            actor: self.actor.clone(),
            on_behalf_of: self.on_behalf_of.clone(),
            reason: self.reason.clone(),
            correlation_id: self.correlation_id,
            causation_id: self.causation_id,
            reported: self.reported.clone(),
            events,
            prev_hash,
            hash: String::new(),
            signature: None,
        }
        .seal(key);
        let unreadable = |problem: String| Unreadable {
            event_type: "commit".into(),
            problem,
        };
        let bytes = serde_json::to_vec(&commit)
            .map_err(|err| unreadable(format!("the envelope cannot be written: {err}")))?;
        let read: Commit = serde_json::from_slice(&bytes)
            .map_err(|err| unreadable(format!("the envelope cannot be read back: {err}")))?;
        if read != commit || read.compute_hash() != commit.hash {
            return Err(unreadable(
                "the envelope does not read back as written".into(),
            ));
        }
        Ok((commit, bytes))
    }
}

/// A commit refused because it would not read back as written (nothing was appended).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the {event_type} event would not read back as written, so it was not appended: {problem}")]
pub struct Unreadable {
    /// The event type (or `commit` for the envelope).
    pub event_type: String,
    /// What does not read back.
    pub problem: String,
}

/// One stored event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventRecord {
    /// Unique id.
    pub event_id: Uuid,
    /// Type tag (`ValueRevised`).
    #[serde(rename = "type")]
    pub event_type: String,
    /// Payload schema version.
    pub schema_version: SchemaVersion,
    /// The payload.
    pub payload: serde_json::Value,
}

impl EventRecord {
    /// Wraps a domain event for storage.
    pub fn new(event_id: Uuid, event: &DomainEvent) -> Self {
        let (event_type, payload) = event.to_payload();
        Self {
            event_id,
            event_type: event_type.to_owned(),
            schema_version: SchemaVersion::CURRENT,
            payload,
        }
    }

    /// Reads the domain event back, upcasting old schema versions.
    pub fn to_domain(&self) -> Result<DomainEvent, UpcastError> {
        DomainEvent::from_payload(&self.event_type, self.schema_version, self.payload.clone())
    }
}

/// One commit as stored: the unit of atomicity, ordering and hashing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Commit {
    /// Id and idempotency key.
    pub commit_id: Uuid,
    /// The stream.
    pub stream: StreamId,
    /// The stream's version after this commit.
    pub stream_version: StreamVersion,
    /// Global log position (assigned by the store).
    pub position: Position,
    /// Transaction time (assigned by the store's clock).
    pub recorded_at: DateTime<Utc>,
    /// Who.
    pub actor: Actor,
    /// For whom.
    pub on_behalf_of: Option<String>,
    /// Why.
    pub reason: Option<String>,
    /// Request correlation.
    pub correlation_id: Option<Uuid>,
    /// Cause.
    pub causation_id: Option<Uuid>,
    /// When and where the change was reported, beside `recorded_at`, which stays the log's
    /// time. Absent on commits that say nothing of it (reported when recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reported: Option<Reported>,
    /// The events.
    pub events: Vec<EventRecord>,
    /// Hash of the stream's previous commit.
    pub prev_hash: String,
    /// SHA-256 of this commit's canonical encoding.
    pub hash: String,
    /// The log key's signature of `hash`, so a writer without the key (a rogue publisher on
    /// the log's subjects, a hand-inserted row) cannot add a commit that verifies. Absent on
    /// commits written before the log had a key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<CommitSignature>,
}

/// The fields the hash covers, in a fixed order. Payload keys are sorted by serde_json's
/// map (a `BTreeMap`), so the encoding is canonical.
#[derive(Serialize)]
struct Sealed<'a> {
    commit_id: &'a Uuid,
    stream: &'a StreamId,
    stream_version: StreamVersion,
    recorded_at: String,
    actor: &'a Actor,
    on_behalf_of: &'a Option<String>,
    reason: &'a Option<String>,
    correlation_id: &'a Option<Uuid>,
    causation_id: &'a Option<Uuid>,
    // Left out when absent, so that commits written before commits could carry it hash as
    // they always did.
    #[serde(skip_serializing_if = "Option::is_none")]
    reported: Option<&'a Reported>,
    events: &'a [EventRecord],
    prev_hash: &'a str,
}

impl Commit {
    /// The SHA-256 (lowercase hex) of the commit's canonical encoding.
    pub fn compute_hash(&self) -> String {
        let sealed = Sealed {
            commit_id: &self.commit_id,
            stream: &self.stream,
            stream_version: self.stream_version,
            recorded_at: self
                .recorded_at
                .to_rfc3339_opts(SecondsFormat::Micros, true),
            actor: &self.actor,
            on_behalf_of: &self.on_behalf_of,
            reason: &self.reason,
            correlation_id: &self.correlation_id,
            causation_id: &self.causation_id,
            reported: self.reported.as_ref(),
            events: &self.events,
            prev_hash: &self.prev_hash,
        };
        let bytes = serde_json::to_vec(&sealed).expect("commits serialise to JSON");
        hex::encode(Sha256::digest(bytes))
    }

    /// Seals the commit: computes and stores its hash, and signs it with `key`.
    fn seal(mut self, key: Option<&LogKey>) -> Self {
        self.hash = self.compute_hash();
        self.signature = key.map(|key| key.sign_commit(&self.hash));
        self
    }

    /// The domain events of the commit.
    pub fn domain_events(&self) -> Result<Vec<DomainEvent>, UpcastError> {
        self.events.iter().map(EventRecord::to_domain).collect()
    }

    /// The stream version before this commit.
    pub fn first_version(&self) -> StreamVersion {
        StreamVersion(self.stream_version.0 - self.events.len() as u64)
    }
}

/// Where a stream's chain of hashes breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    /// A commit's stored hash is not the hash of its contents.
    #[error("commit {commit_id} at position {position} does not match its hash (stored {stored}, computed {computed})")]
    HashMismatch {
        /// The commit.
        commit_id: Uuid,
        /// Its position.
        position: Position,
        /// Hash stored.
        stored: String,
        /// Hash computed.
        computed: String,
    },
    /// A commit does not point at its predecessor.
    #[error("commit {commit_id} at position {position} points at {prev_hash}, but the stream's previous commit hashes to {expected}")]
    BrokenLink {
        /// The commit.
        commit_id: Uuid,
        /// Its position.
        position: Position,
        /// What it points at.
        prev_hash: String,
        /// What it should point at.
        expected: String,
    },
    /// Stream versions skip or repeat.
    #[error(
        "commit {commit_id} at position {position} starts at version {found}, expected {expected}"
    )]
    VersionGap {
        /// The commit.
        commit_id: Uuid,
        /// Its position.
        position: Position,
        /// Its first version.
        found: StreamVersion,
        /// The version it should start at.
        expected: StreamVersion,
    },
}

/// The SHA-256 of bytes as stored, in hexadecimal: a commit that cannot be read has no hash of
/// its own, so this stands for it in the Merkle tree once it is set aside.
pub fn digest(stored: &[u8]) -> String {
    hex::encode(Sha256::digest(stored))
}

/// Checks every link of one stream's chain (not only the ends) and names the first commit
/// that does not match.
pub fn verify_chain(commits: &[Commit]) -> Result<(), ChainError> {
    let mut expected_prev = GENESIS_HASH.to_owned();
    let mut expected_version = StreamVersion(0);
    for commit in commits {
        let computed = commit.compute_hash();
        if computed != commit.hash {
            return Err(ChainError::HashMismatch {
                commit_id: commit.commit_id,
                position: commit.position,
                stored: commit.hash.clone(),
                computed,
            });
        }
        if commit.prev_hash != expected_prev {
            return Err(ChainError::BrokenLink {
                commit_id: commit.commit_id,
                position: commit.position,
                prev_hash: commit.prev_hash.clone(),
                expected: expected_prev,
            });
        }
        if commit.first_version() != expected_version {
            return Err(ChainError::VersionGap {
                commit_id: commit.commit_id,
                position: commit.position,
                found: commit.first_version(),
                expected: expected_version,
            });
        }
        expected_prev = commit.hash.clone();
        expected_version = commit.stream_version;
    }
    Ok(())
}

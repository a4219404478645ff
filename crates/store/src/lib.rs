//! The event log: the `EventStore` trait, the commit envelope with its per-stream hash
//! chain, and the embedded SQLite backend.
//!
//! Architecture invariant: the store has no update and no delete. A commit, once
//! acknowledged, is never lost, and a retried commit (same id) is never appended twice.

pub mod backup;
pub mod clock;
mod direct_batch;
pub mod envelope;
pub mod error;
pub mod execute;
mod group;
mod ids;
pub mod nats;
pub mod remembered;
mod server_url;
pub mod set_aside;
pub mod signing;
pub mod sqlite;
pub mod verify;
pub mod walk;
pub mod write_turn;

use async_trait::async_trait;
use futures::stream::BoxStream;

pub use clock::{Clock, ManualClock, SystemClock};
pub use envelope::{
    digest, verify_chain, ChainError, Commit, EventRecord, ExpectedVersion, NewCommit, Unreadable,
};
pub use error::{AppendError, ReadError};
pub use execute::{
    decide_commit, load, load_and_remember, load_current, prepare, ExecuteError, Request,
};
pub use ids::{action_id_for, derived_id, measure_id_for, meeting_id_for, new_id, plan_id_for};
pub use nats::{LoginError, NatsConfig, NatsSecurity, NatsStore};
pub use scoreledger_domain::{Position, StreamId, StreamVersion};
pub use server_url::{redacted, ServerUrl};
pub use set_aside::{set_aside_id, set_aside_of, unreadable_at, unreadable_events};
pub use signing::{checkpoints_stream, keys_stream, CHECKPOINTS_STREAM, KEYS_STREAM};
pub use sqlite::SqliteStore;
pub use verify::{
    verify_log, verify_log_with, CheckpointSeen, Finding, LogVerification, LogVerifier, Start,
    Step, Witness,
};
pub use walk::{read_entries, unsealed, unsealed_changed, Entry};

/// The result of an append.
#[derive(Debug, Clone, PartialEq)]
pub struct Appended {
    /// The commit as stored (for a deduplicated retry: the original commit).
    pub commit: Commit,
    /// True when the commit id had been appended before and nothing new was written.
    pub deduplicated: bool,
}

/// An append-only log of commits, one stream per aggregate.
///
/// The trait exists because there are two engines (SQLite embedded, NATS JetStream in
/// production), not to allow mocking: tests run against the real backends.
#[async_trait]
pub trait EventStore: Send + Sync {
    /// Appends one commit atomically if the stream is at the expected version.
    ///
    /// A commit whose id was appended before returns the original result and appends
    /// nothing; a stale expected version is [`AppendError::Conflict`] carrying the current
    /// version.
    async fn append(&self, commit: NewCommit) -> Result<Appended, AppendError>;

    /// Appends several commits, each as [`EventStore::append`] would, stopping at the first
    /// that fails.
    ///
    /// Atomic where the engine allows it: on SQLite all land in one transaction or none does.
    /// JetStream's optimistic concurrency covers one subject per message, so on NATS they
    /// land one by one and a failure (or a crash) leaves the ones before it; callers make
    /// the commit ids derived, so running the same batch again appends only the rest.
    async fn append_all(&self, commits: Vec<NewCommit>) -> Result<Vec<Appended>, AppendError> {
        let mut appended = Vec::with_capacity(commits.len());
        for commit in commits {
            appended.push(self.append(commit).await?);
        }
        Ok(appended)
    }

    /// Whether [`EventStore::append_all`] is all or nothing on this engine.
    fn appends_batches_atomically(&self) -> bool {
        false
    }

    /// The clock that stamps this log's commits: what "today" is for the rules that need it
    /// (a token's last day may not be past).
    fn clock(&self) -> &dyn Clock;

    /// The commit of `stream` with this id, if it was appended.
    async fn find_commit(
        &self,
        stream: &StreamId,
        commit_id: uuid::Uuid,
    ) -> Result<Option<Commit>, ReadError>;

    /// Every commit of one stream, in version order.
    async fn read_stream(&self, stream: &StreamId) -> Result<Vec<Commit>, ReadError>;

    /// Every commit of every stream of one kind (`report` for the `report-…` streams), in
    /// log order: what a judgment reads whole from the log, such as every publication, where
    /// the kind's streams are few and short. Each is the commit, or the error naming the one
    /// that cannot be read (`ReadError::Corrupt`, with its position), so that a caller can pass
    /// over a commit an admin has set aside and still read the rest.
    async fn read_kind(&self, kind: &str) -> Result<Vec<Result<Commit, ReadError>>, ReadError>;

    /// The last commit of one stream, if it has any.
    async fn last_commit_of(&self, stream: &StreamId) -> Result<Option<Commit>, ReadError> {
        Ok(self.read_stream(stream).await?.pop())
    }

    /// The key this store signs its commits with, if it was given one.
    fn key(&self) -> Option<&scoreledger_integrity::LogKey> {
        None
    }

    /// What this process last read of the plans and publications writes are judged against
    /// (`remembered`), if the store keeps it.
    fn remembered(&self) -> Option<&remembered::Remembered> {
        None
    }

    /// Up to `limit` commits after `after`, in log order.
    async fn read_all(&self, after: Position, limit: usize) -> Result<Vec<Commit>, ReadError>;

    /// The position of the last commit (0 for an empty log).
    async fn head(&self) -> Result<Position, ReadError>;

    /// Whether the log can take writes now, for readiness: a replicated log whose leader has
    /// lost its quorum still answers reads for a while, but acknowledges nothing.
    async fn can_take_writes(&self) -> Result<(), ReadError> {
        Ok(())
    }

    /// The SHA-256 of the bytes stored at `position` (the envelope's text on SQLite, the
    /// message's payload on NATS), in hexadecimal, or `None` if nothing is there. What stands
    /// in the Merkle tree for a commit that cannot be read and was set aside.
    async fn stored_digest(&self, position: Position) -> Result<Option<String>, ReadError>;

    /// Commits after `after`, then every new commit as it is appended. Never ends by itself.
    fn follow(&self, after: Position) -> BoxStream<'_, Result<Commit, ReadError>>;

    /// Like [`EventStore::follow`], for a long-running projector named `consumer`: on NATS a
    /// durable pull consumer (`projector-<consumer>`), so the server shows how far each
    /// projector has read; it is recreated whenever it disagrees with the projector's own
    /// checkpoint `after`, which stays the truth.
    fn subscribe<'a>(
        &'a self,
        consumer: &'a str,
        after: Position,
    ) -> BoxStream<'a, Result<Commit, ReadError>> {
        let _ = consumer;
        self.follow(after)
    }
}

//! The production backend: NATS JetStream. One commit is one message on
//! `<prefix>.<stream-kind>.<id>` (atomic on every server version); the global position is
//! the JetStream stream sequence.
//!
//! Optimistic concurrency: every append carries `Nats-Expected-Last-Subject-Sequence`, the
//! sequence of the subject's last commit when the append was decided, so two writers never
//! both extend one stream. Idempotency: `Nats-Msg-Id` is the commit id (deduplicated by the
//! server inside its window); outside the window a retry meets a conflict, and the stream's
//! history is searched for the commit before a conflict is reported.

use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::{self, consumer, stream};
use async_nats::HeaderMap;
use async_trait::async_trait;
use bytes::Bytes;
use chrono::SubsecRound;
use futures::stream::{BoxStream, StreamExt};
use tracing::instrument;
use uuid::Uuid;

use scoreledger_domain::{Position, StreamId, StreamVersion};

use crate::clock::Clock;
use crate::direct_batch;
use crate::envelope::{Commit, ExpectedVersion, NewCommit, GENESIS_HASH};
use crate::error::{published_since, AppendError, BoxError, ReadError};
use crate::group::Queue;
use crate::remembered::Remembered;
use crate::server_url::ServerUrl;
use crate::signing::{keys_stream, Signing};
use crate::{Appended, EventStore};
use scoreledger_integrity::LogKey;

mod login;
mod pipeline;
pub(crate) mod server_version;
mod stream_settings;

use login::Login;
pub use login::{LoginError, NatsSecurity};
use server_version::{ServerVersion, SAFE_FOR_REPLICAS};
use stream_settings::{differences, unsafe_setting};

/// Where the log lives on NATS.
#[derive(Debug, Clone)]
pub struct NatsConfig {
    /// Server URL, e.g. `nats://127.0.0.1:4222` or `nats://USER:PASSWORD@HOST:4222`, or
    /// several separated by commas (a cluster's servers, tried in random order until one
    /// answers); `tls://` requires TLS. Shown (in `Debug` too) without its password.
    pub url: ServerUrl,
    /// JetStream stream name.
    pub stream: String,
    /// Subject prefix: commits go to `<prefix>.<kind>.<id>`.
    pub prefix: String,
    /// Replicas (1 on one server, 3 in a cluster).
    pub replicas: usize,
    /// How long the server remembers a `Nats-Msg-Id` for deduplication. Retries after it
    /// are still recognised, by searching the stream's history.
    pub duplicate_window: Duration,
    /// A `.creds` file, an nkey seed, TLS authorities and a client certificate.
    pub security: NatsSecurity,
}

impl NatsConfig {
    /// The defaults for a server at `url`: stream `SCORELEDGER`, prefix `scoreledger`, R1.
    pub fn new(url: impl Into<ServerUrl>) -> Self {
        Self {
            url: url.into(),
            stream: "SCORELEDGER".into(),
            prefix: "scoreledger".into(),
            replicas: 1,
            duplicate_window: Duration::from_secs(120),
            security: NatsSecurity::default(),
        }
    }
}

/// Why the NATS log could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum NatsOpenError {
    /// The server could not be reached.
    #[error(
        "cannot reach NATS at {url}; is nats-server running there with JetStream enabled (-js)?"
    )]
    Connect {
        /// The URL tried.
        url: String,
        /// Cause.
        #[source]
        source: BoxError,
    },
    /// The server refused the user and password.
    #[error("NATS at {url} refused the login; check the user and password in the URL (nats://USER:PASSWORD@HOST:PORT), or the --nats-creds or --nats-nkey file, against the server's accounts (deploy/nats/accounts.conf)")]
    Login {
        /// The URL tried, without its password.
        url: String,
        /// Cause.
        #[source]
        source: BoxError,
    },
    /// The stream could not be created or read.
    #[error("cannot create or open the JetStream stream {stream} on {url}; check the account has JetStream enabled and the user may read the stream (deploy/nats/accounts.conf)")]
    Stream {
        /// The stream.
        stream: String,
        /// The URL.
        url: String,
        /// Cause.
        #[source]
        source: BoxError,
    },
    /// The stream exists with settings that would let history be rewritten.
    #[error("the JetStream stream {stream} exists but {problem}; an audit log needs deny_delete, deny_purge, no rollup and file storage")]
    UnsafeStream {
        /// The stream.
        stream: String,
        /// What is wrong.
        problem: String,
    },
    /// The stream exists, but not as the settings ask.
    #[error("the JetStream stream {stream} exists, but {}; give the settings it was created with, or have the operator change the stream (nats stream edit {stream}, as the admin user) and start again", .differences.join("; and "))]
    Differs {
        /// The stream.
        stream: String,
        /// Each difference, naming the setting.
        differences: Vec<String>,
    },
    /// A replicated stream was asked of a server that runs alone.
    #[error("--nats-replicas {replicas} needs a NATS cluster of at least {replicas} servers with JetStream, but {url} runs without one; give --nats-replicas 1 for a single server")]
    NotClustered {
        /// Replicas asked for.
        replicas: usize,
        /// The URL.
        url: String,
    },
    /// A replicated stream was asked of a release not trusted with one.
    #[error("{url} runs nats-server {version}; replicated streams (--nats-replicas {replicas}) need {SAFE_FOR_REPLICAS} or later, which fixed ways a cluster could lose a stream (README \"Operations\"); upgrade the servers")]
    UnsafeServer {
        /// The URL.
        url: String,
        /// The release it runs.
        version: String,
        /// Replicas asked for.
        replicas: usize,
    },
    /// The login could not be put together from the settings.
    #[error(transparent)]
    Settings(#[from] LoginError),
}

/// The JetStream event store.
#[derive(Clone)]
pub struct NatsStore {
    context: jetstream::Context,
    client: async_nats::Client,
    /// The stream's direct get API, `$JS.API.DIRECT.GET.<stream>`.
    direct_api: String,
    /// Whether the server answers batched direct gets (2.11 and later): a stream is then read
    /// in one round trip, not one per commit.
    batched_gets: bool,
    stream: stream::Stream,
    config: NatsConfig,
    clock: Arc<dyn Clock>,
    signing: Signing,
    /// Taken by an append that expects the whole log's last sequence (one judged against a
    /// plan or the publications, or that must land directly after a position), for as long as
    /// it reads that sequence, checks and publishes: such appends from one process would
    /// otherwise race each other for the same head, all but one failing and checking again,
    /// and at tens of writers hardly any would land. Other processes' appends still cost a
    /// retry.
    head_turn: Arc<tokio::sync::Mutex<()>>,
    /// Judged appends waiting to be published together in one pipeline (`pipeline`).
    queue: Queue,
    /// The plans and publications as this process last read them.
    remembered: Arc<Remembered>,
}

/// How many times an append with `ExpectedVersion::Any` re-reads and retries after losing a race.
const ANY_RETRIES: usize = 16;

/// An error that may mean only that the log did not answer in time (a leader election):
/// what [`NatsStore::through_failover`] tries again.
trait Unanswered: std::fmt::Display {
    fn unanswered(&self) -> bool;
}

impl Unanswered for ReadError {
    fn unanswered(&self) -> bool {
        matches!(self, ReadError::Unavailable(_))
    }
}

impl Unanswered for AppendError {
    fn unanswered(&self) -> bool {
        matches!(self, AppendError::Unavailable(_))
    }
}

/// A replica answered a read with less of a stream than its leader holds: read again.
#[derive(Debug, thiserror::Error)]
#[error("a replica answered with {subject} up to position {read}, but the stream's leader holds it up to {leader}")]
struct BehindLeader {
    subject: String,
    read: u64,
    leader: u64,
}

/// How long an append to a replicated stream, or a read a write or the projector depends
/// on, is tried again while the log is unavailable: NATS elects a new stream leader within
/// seconds of losing one.
const FAILOVER: Duration = Duration::from_secs(20);

/// A replica last heard from longer ago than this counts as gone (its leader hears from each
/// about once a second).
const REPLICA_HEARD_WITHIN: Duration = Duration::from_secs(5);

/// How long a JetStream request to a replicated stream waits for its answer.
const REPLICATED_REQUEST_TIMEOUT: Duration = Duration::from_secs(2);

/// How long to wait for the next message when reading a range that should exist.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

fn unavailable(err: impl std::error::Error + Send + Sync + 'static) -> ReadError {
    ReadError::Unavailable(Box::new(err))
}

impl NatsStore {
    /// Connects and creates (or checks) the stream. A user and password in the URL
    /// (`nats://USER:PASSWORD@HOST:PORT`), a `.creds` file or an nkey seed are the login;
    /// errors name the URL without the password. An existing stream must be as the settings
    /// ask (replicas, subjects) and keep history (no deletes, purges, rollups or limits).
    pub async fn connect(config: NatsConfig, clock: Arc<dyn Clock>) -> Result<Self, NatsOpenError> {
        let login = Login::from_urls(config.url.expose())?;
        let shown = config.url.to_string();
        let options = login::options(&login, &config.security).await?;
        let client = options.connect(login.addresses.as_slice());
        let client = tokio::time::timeout(Duration::from_secs(10), client)
            .await
            .map_err(|elapsed| NatsOpenError::Connect {
                url: shown.clone(),
                source: Box::new(elapsed),
            })?
            .map_err(|err| match err.kind() {
                async_nats::ConnectErrorKind::AuthorizationViolation
                | async_nats::ConnectErrorKind::Authentication => NatsOpenError::Login {
                    url: shown.clone(),
                    source: Box::new(err),
                },
                _ => NatsOpenError::Connect {
                    url: shown.clone(),
                    source: Box::new(err),
                },
            })?;
        let info = client.server_info();
        let batched_gets = crate::direct_batch::supported(&info.version);
        if config.replicas > 1 {
            if ServerVersion::parse(&info.version) < SAFE_FOR_REPLICAS {
                return Err(NatsOpenError::UnsafeServer {
                    url: shown,
                    version: info.version,
                    replicas: config.replicas,
                });
            }
            if info.cluster.is_none() {
                return Err(NatsOpenError::NotClustered {
                    replicas: config.replicas,
                    url: shown,
                });
            }
        }
        let mut context = jetstream::new(client.clone());
        if config.replicas > 1 {
            // A request to a leader that has just died is answered by nobody: give up on it
            // soon and try again (`append` does, within FAILOVER), so that a write waits about
            // as long as the election, not the client's default of 5 s a request.
            context.set_timeout(REPLICATED_REQUEST_TIMEOUT);
        }
        let stream = context
            .get_or_create_stream(stream_settings::wanted(&config))
            .await
            .map_err(|err| NatsOpenError::Stream {
                stream: config.stream.clone(),
                url: shown.clone(),
                source: Box::new(err),
            })?;
        let actual = &stream.cached_info().config;
        if let Some(problem) = unsafe_setting(actual) {
            return Err(NatsOpenError::UnsafeStream {
                stream: config.stream.clone(),
                problem,
            });
        }
        let differences = differences(&config, actual);
        if !differences.is_empty() {
            return Err(NatsOpenError::Differs {
                stream: config.stream.clone(),
                differences,
            });
        }
        Ok(Self {
            context,
            direct_api: format!("$JS.API.DIRECT.GET.{}", config.stream),
            client,
            batched_gets,
            stream,
            config,
            clock,
            signing: Signing::default(),
            head_turn: Arc::default(),
            queue: Queue::default(),
            remembered: Arc::default(),
        })
    }

    /// Signs every commit appended from now on with the log's key.
    pub fn with_key(mut self, key: Arc<LogKey>) -> Self {
        self.signing = Signing::with_key(key);
        // Queued appends are sealed and signed by the store whose append started the landing
        // task: a store that signs differently must never share its queue.
        self.queue = Queue::default();
        self
    }

    /// The subject a stream's commits are published on.
    pub fn subject(&self, stream: &StreamId) -> String {
        let (kind, id) = stream
            .as_str()
            .split_once('-')
            .unwrap_or(("stream", stream.as_str()));
        format!("{}.{kind}.{id}", self.config.prefix)
    }

    fn decode(sequence: u64, payload: &[u8]) -> Result<Commit, ReadError> {
        let position = Position(sequence);
        let mut commit: Commit =
            serde_json::from_slice(payload).map_err(|err| ReadError::Corrupt {
                position,
                problem: format!("message is not a scoreledger commit: {err}"),
            })?;
        commit.position = position;
        Ok(commit)
    }

    /// Whether reads a write is judged on must come from the stream's leader: a direct get
    /// of a replicated stream may be answered by a follower that has not yet stored the
    /// latest commits, and a write judged on such a read would be refused as a conflict that
    /// is none (or answered with an old commit for a duplicate). A stream of one replica has
    /// only its leader.
    fn leader_reads(&self) -> bool {
        self.config.replicas > 1
    }

    /// The last message on `subject` (a wildcard allowed), with its sequence: current as the
    /// stream's leader knows it.
    async fn last_message(&self, subject: &str) -> Result<Option<(u64, Bytes)>, ReadError> {
        if self.leader_reads() {
            return match self.stream.get_last_raw_message_by_subject(subject).await {
                Ok(message) => Ok(Some((message.sequence, message.payload))),
                Err(err)
                    if matches!(err.kind(), stream::LastRawMessageErrorKind::NoMessageFound) =>
                {
                    Ok(None)
                }
                Err(err) => Err(unavailable(err)),
            };
        }
        match self.stream.direct_get_last_for_subject(subject).await {
            Ok(message) => Ok(Some((message.sequence, message.payload))),
            Err(err) if matches!(err.kind(), stream::DirectGetErrorKind::NotFound) => Ok(None),
            Err(err) => Err(unavailable(err)),
        }
    }

    /// The last commit on `subject`.
    async fn last_commit(&self, subject: &str) -> Result<Option<Commit>, ReadError> {
        self.last_message(subject)
            .await?
            .map(|(sequence, payload)| Self::decode(sequence, &payload))
            .transpose()
    }

    /// The message at `sequence`, if there is one: from the stream's leader on a replicated
    /// stream, where a follower that has not yet stored it would make it look missing.
    async fn message_at(&self, sequence: u64) -> Result<Option<Bytes>, ReadError> {
        if self.leader_reads() {
            return match self.stream.get_raw_message(sequence).await {
                Ok(message) => Ok(Some(message.payload)),
                Err(err)
                    if matches!(err.kind(), stream::LastRawMessageErrorKind::NoMessageFound) =>
                {
                    Ok(None)
                }
                Err(err) => Err(unavailable(err)),
            };
        }
        match self.stream.direct_get(sequence).await {
            Ok(message) => Ok(Some(message.payload)),
            Err(err) if matches!(err.kind(), stream::DirectGetErrorKind::NotFound) => Ok(None),
            Err(err) => Err(unavailable(err)),
        }
    }

    /// The commit at `sequence`, which must exist.
    async fn commit_at(&self, sequence: u64) -> Result<Commit, ReadError> {
        let payload = self.message_at(sequence).await?.ok_or_else(|| {
            ReadError::Unavailable(format!("no message at sequence {sequence}").into())
        })?;
        Self::decode(sequence, &payload)
    }

    /// Commits from `start` (inclusive), up to `limit` or until the one at `last` has been read.
    async fn read_range(
        &self,
        start: u64,
        last: u64,
        limit: usize,
    ) -> Result<Vec<Commit>, ReadError> {
        self.read_range_stored(start, last, limit, None)
            .await?
            .into_iter()
            .map(|(sequence, payload)| Self::decode(sequence, &payload))
            .collect()
    }

    /// Like `read_range`, the messages as stored: each one's sequence and payload, undecoded;
    /// with `subjects`, only the messages on them.
    async fn read_range_stored(
        &self,
        start: u64,
        last: u64,
        limit: usize,
        subjects: Option<String>,
    ) -> Result<Vec<(u64, Bytes)>, ReadError> {
        let mut commits = Vec::new();
        if limit == 0 || start > last {
            return Ok(commits);
        }
        let consumer = self
            .stream
            .create_consumer(consumer::pull::OrderedConfig {
                deliver_policy: consumer::DeliverPolicy::ByStartSequence {
                    start_sequence: start,
                },
                filter_subject: subjects.unwrap_or_default(),
                ..Default::default()
            })
            .await
            .map_err(unavailable)?;
        let name = consumer.cached_info().name.clone();
        let mut messages = consumer.messages().await.map_err(unavailable)?;
        let read = self
            .drain_messages(&mut messages, &mut commits, last, limit)
            .await;
        drop(messages);
        // Ordered consumers are ephemeral but linger until their inactivity threshold; a busy
        // writer reading after every append would otherwise pile them up to the server's limit.
        let _ = self.stream.delete_consumer(&name).await;
        read.map(|()| commits)
    }

    async fn drain_messages(
        &self,
        messages: &mut consumer::pull::Ordered,
        commits: &mut Vec<(u64, Bytes)>,
        last: u64,
        limit: usize,
    ) -> Result<(), ReadError> {
        while commits.len() < limit {
            let next = tokio::time::timeout(READ_TIMEOUT, messages.next())
                .await
                .map_err(unavailable)?;
            let Some(message) = next else { break };
            let message = message.map_err(unavailable)?;
            let info = message.info().map_err(ReadError::Unavailable)?;
            let (sequence, pending) = (info.stream_sequence, info.pending);
            commits.push((sequence, message.payload.clone()));
            // Nothing pending on a consumer placed with a replica that has not yet stored
            // the stream up to `last` is not the end: the end is `last`, which the leader gave.
            if sequence >= last || (pending == 0 && !self.leader_reads()) {
                break;
            }
        }
        Ok(())
    }

    /// The conflict of an append that kept losing races: its stream's version now, or why it
    /// cannot be read.
    async fn conflict(&self, new: &NewCommit) -> AppendError {
        match self.last_commit(&self.subject(&new.stream)).await {
            Ok(last) => AppendError::Conflict {
                stream: new.stream.clone(),
                expected: new.expected,
                actual: last.map_or(StreamVersion(0), |commit| commit.stream_version),
            },
            Err(err) => err.into(),
        }
    }

    /// Refuses with a conflict unless `stream` is still at `version`.
    async fn check_judged_against(
        &self,
        (stream, version): &(StreamId, StreamVersion),
    ) -> Result<(), AppendError> {
        let actual = self
            .last_commit(&self.subject(stream))
            .await
            .map_err(AppendError::from)?
            .map_or(StreamVersion(0), |commit| commit.stream_version);
        if actual != *version {
            return Err(AppendError::Conflict {
                stream: stream.clone(),
                expected: ExpectedVersion::Exact(*version),
                actual,
            });
        }
        Ok(())
    }

    /// Refuses with a conflict if a report was published after `through`: the last message
    /// on any report's subject is after it. Read after the head the publish will expect, so
    /// a publication landing later fails the publish instead.
    async fn check_nothing_published_since(
        &self,
        new: &NewCommit,
        through: Position,
    ) -> Result<(), AppendError> {
        match self.last_report().await? {
            Some(last) if last > through.0 => Err(published_since(new)),
            _ => Ok(()),
        }
    }

    /// The sequence of the last message on any report's subject, if there is one.
    async fn last_report(&self) -> Result<Option<u64>, ReadError> {
        let reports = format!("{}.report.>", self.config.prefix);
        Ok(self
            .last_message(&reports)
            .await?
            .map(|(sequence, _)| sequence))
    }

    /// Up to `limit` messages after `after`, as stored (sequence and payload), in log order:
    /// what a logical backup copies.
    pub(crate) async fn read_stored(
        &self,
        after: Position,
        limit: usize,
    ) -> Result<Vec<(u64, Bytes)>, ReadError> {
        let last = self.last_sequence().await?;
        self.read_range_stored(after.0 + 1, last, limit, None).await
    }

    /// Publishes a commit's stored bytes again, as restored from a backup, so that it lands at
    /// `position`: the publish expects the log's last sequence to be the position before it
    /// (JetStream refuses it otherwise), and the sequence acknowledged is returned for the
    /// caller to check.
    pub(crate) async fn republish(
        &self,
        stream: &StreamId,
        position: Position,
        payload: Bytes,
    ) -> Result<u64, AppendError> {
        let mut headers = HeaderMap::new();
        headers.insert(
            "Nats-Expected-Last-Sequence",
            position.0.saturating_sub(1).to_string().as_str(),
        );
        let ack = self
            .context
            .publish_with_headers(self.subject(stream), headers, payload)
            .await
            .map_err(|err| AppendError::Unavailable(Box::new(err)))?
            .await
            .map_err(|err| AppendError::Unavailable(Box::new(err)))?;
        Ok(ack.sequence)
    }

    /// The stream and server this log lives on, for a backup's header (the server's URL
    /// without its password).
    pub fn origin(&self) -> String {
        format!("{} stream {}", self.config.url, self.config.stream)
    }

    /// One try of an append (see [`EventStore::append`]).
    async fn append_once(&self, new: NewCommit) -> Result<Appended, AppendError> {
        if new.events.is_empty() {
            return Err(AppendError::Empty);
        }
        if Self::lands_in_group(&new) {
            return self.append_in_group(new).await;
        }
        let keys_subject = self.subject(&keys_stream());
        let has_keys = async {
            let last = self.last_commit(&keys_subject).await;
            Ok(last.map_err(AppendError::from)?.is_some())
        };
        self.signing.check_can_sign(&new.stream, has_keys).await?;
        // A rotation by another process: judged from the keys stream's newest commit, read
        // again before every signed append (the stream is read whole only when it moved).
        // Checked before publishing, not with it: a write racing a rotation by milliseconds
        // can still land signed by the retired key (see the README's rotation steps).
        if self.signing.key().is_some() {
            let last = self
                .last_commit(&keys_subject)
                .await
                .map_err(AppendError::from)?
                .map(|commit| commit.position);
            if let Some(at) = last.filter(|_| self.signing.needs_judging(last)) {
                let keys = self
                    .read_stream(&keys_stream())
                    .await
                    .map_err(AppendError::from)?;
                self.signing.judge(at, &keys);
            }
            self.signing.check_key_standing()?;
        }
        let subject = self.subject(&new.stream);
        let commit_id = new.commit_id.unwrap_or_else(crate::ids::new_id);
        let expects_head = new.directly_after.is_some()
            || new.judged_against.is_some()
            || new.judged_through.is_some();
        let _turn = if expects_head {
            Some(self.head_turn.lock().await)
        } else {
            None
        };
        for _ in 0..ANY_RETRIES {
            let last = self
                .last_commit(&subject)
                .await
                .map_err(AppendError::from)?;
            let (actual, prev_hash, last_sequence) = match &last {
                Some(commit) => (
                    commit.stream_version,
                    commit.hash.clone(),
                    commit.position.0,
                ),
                None => (StreamVersion(0), GENESIS_HASH.to_owned(), 0),
            };
            if last.as_ref().is_some_and(|c| c.commit_id == commit_id) {
                return Ok(Appended {
                    commit: last.expect("checked above"),
                    deduplicated: true,
                });
            }
            if let ExpectedVersion::Exact(expected) = new.expected {
                if expected != actual {
                    // A retry from before the server's duplicate window may have landed already.
                    if new.commit_id.is_some() {
                        if let Some(original) = self
                            .find_commit(&new.stream, commit_id)
                            .await
                            .map_err(AppendError::from)?
                        {
                            return Ok(Appended {
                                commit: original,
                                deduplicated: true,
                            });
                        }
                    }
                    return Err(AppendError::Conflict {
                        stream: new.stream,
                        expected: new.expected,
                        actual,
                    });
                }
            }
            let (commit, payload) = new.seal(
                commit_id,
                actual,
                prev_hash,
                self.clock.now().trunc_subsecs(6),
                self.signing.key(),
            )?;
            let payload = Bytes::from(payload);
            let mut headers = HeaderMap::new();
            headers.insert("Nats-Msg-Id", commit_id.to_string().as_str());
            headers.insert(
                "Nats-Expected-Last-Subject-Sequence",
                last_sequence.to_string().as_str(),
            );
            // JetStream checks one subject per message; the stream the commit was judged
            // against is another. So the publish also expects the whole log's last sequence,
            // read before that stream was checked: if anything lands in between (a lock, or
            // any other commit), the publish fails and all is checked again. A commit that
            // must land directly after a position expects exactly that position.
            let expected_head = match new.directly_after {
                Some(after) => Some(after.0),
                None if new.judged_against.is_some() || new.judged_through.is_some() => {
                    Some(self.last_sequence().await.map_err(AppendError::from)?)
                }
                None => None,
            };
            if let Some(judged) = &new.judged_against {
                self.check_judged_against(judged).await?;
            }
            if let Some(through) = new.judged_through {
                self.check_nothing_published_since(&new, through).await?;
            }
            if let Some(head) = expected_head {
                headers.insert("Nats-Expected-Last-Sequence", head.to_string().as_str());
            }
            let published = self
                .context
                .publish_with_headers(subject.clone(), headers, payload)
                .await
                .map_err(|err| AppendError::Unavailable(Box::new(err)))?
                .await;
            match published {
                Ok(ack) if ack.duplicate => {
                    let original = self
                        .commit_at(ack.sequence)
                        .await
                        .map_err(AppendError::from)?;
                    return Ok(Appended {
                        commit: original,
                        deduplicated: true,
                    });
                }
                Ok(ack) => {
                    return Ok(Appended {
                        commit: Commit {
                            position: Position(ack.sequence),
                            ..commit
                        },
                        deduplicated: false,
                    })
                }
                // Someone appended to the subject between our read and our publish: decide again.
                Err(err)
                    if matches!(
                        err.kind(),
                        jetstream::context::PublishErrorKind::WrongLastSequence
                    ) =>
                {
                    if let Some(after) = new.directly_after {
                        let head = self.last_sequence().await.map_err(AppendError::from)?;
                        if head != after.0 {
                            return Err(AppendError::Moved {
                                after,
                                head: Position(head),
                            });
                        }
                    }
                    continue;
                }
                Err(err) => return Err(AppendError::Unavailable(Box::new(err))),
            }
        }
        Err(self.conflict(&new).await)
    }

    /// Runs an append, or a read a write or the projector depends on (a stream's commits,
    /// the kind's, a stream's last commit, the log from a position), and on a replicated
    /// stream runs it again while the log does not answer (a leader election, a server
    /// restarting), for up to [`FAILOVER`].
    async fn through_failover<T, E, F, Fut>(&self, attempt: F) -> Result<T, E>
    where
        E: Unanswered,
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<T, E>>,
    {
        let deadline = tokio::time::Instant::now() + FAILOVER;
        let mut pause = Duration::from_millis(50);
        loop {
            match attempt().await {
                Err(err)
                    if err.unanswered()
                        && self.leader_reads()
                        && tokio::time::Instant::now() < deadline =>
                {
                    tracing::debug!(error = %err, "the log is unavailable; trying again");
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_millis(500));
                }
                done => return done,
            }
        }
    }

    /// One try of [`EventStore::read_stream`].
    async fn read_stream_once(&self, stream: &StreamId) -> Result<Vec<Commit>, ReadError> {
        let subject = self.subject(stream);
        let mut commits = Vec::new();
        if self.batched_gets {
            // Direct gets may be answered by any replica: on a replicated stream, the read
            // must reach the subject's last commit as the leader knows it (asked first, so
            // a commit landing meanwhile is no cause to read again).
            let leader = match self.leader_reads() {
                true => self
                    .last_message(&subject)
                    .await?
                    .map(|(sequence, _)| sequence),
                false => None,
            };
            let mut from = 1;
            loop {
                let batch =
                    direct_batch::next_of_subject(&self.client, &self.direct_api, &subject, from)
                        .await?;
                for (sequence, payload) in &batch.messages {
                    commits.push(Self::decode(*sequence, payload)?);
                    from = sequence + 1;
                }
                if !batch.more {
                    let read = commits.last().map(|commit| commit.position.0);
                    if let Some(leader) = leader.filter(|leader| read < Some(*leader)) {
                        return Err(ReadError::Unavailable(Box::new(BehindLeader {
                            subject,
                            read: read.unwrap_or(0),
                            leader,
                        })));
                    }
                    return Ok(commits);
                }
            }
        }
        // Older servers: the last commit, then one direct get for each before it.
        let Some(last) = self.last_commit(&subject).await? else {
            return Ok(commits);
        };
        let mut next = 1;
        while next < last.position.0 {
            let message = match self
                .stream
                .direct_get_next_for_subject(subject.as_str(), Some(next))
                .await
            {
                Ok(message) => message,
                Err(err) if matches!(err.kind(), stream::DirectGetErrorKind::NotFound) => break,
                Err(err) => return Err(unavailable(err)),
            };
            if message.sequence >= last.position.0 {
                break;
            }
            commits.push(Self::decode(message.sequence, &message.payload)?);
            next = message.sequence + 1;
        }
        commits.push(last);
        Ok(commits)
    }

    /// One try of [`EventStore::read_kind`].
    async fn read_kind_once(
        &self,
        kind: &str,
    ) -> Result<Vec<Result<Commit, ReadError>>, ReadError> {
        let subjects = format!("{}.{kind}.>", self.config.prefix);
        let Some((last, _)) = self.last_message(&subjects).await? else {
            return Ok(Vec::new());
        };
        Ok(self
            .read_range_stored(1, last, usize::MAX, Some(subjects))
            .await?
            .into_iter()
            .map(|(sequence, payload)| Self::decode(sequence, &payload))
            .collect())
    }

    async fn last_sequence(&self) -> Result<u64, ReadError> {
        let mut stream = self.stream.clone();
        let info = stream.info().await.map_err(unavailable)?;
        Ok(info.state.last_sequence)
    }
}

/// The commits of a consumer's message stream, once it is open.
fn commits_of<'a, S, E>(
    opened: impl std::future::Future<Output = Result<S, ReadError>> + Send + 'a,
) -> BoxStream<'a, Result<Commit, ReadError>>
where
    S: futures::Stream<Item = Result<jetstream::Message, E>> + Send + 'a,
    E: std::error::Error + Send + Sync + 'static,
{
    futures::stream::once(opened)
        .flat_map(|opened| match opened {
            Ok(messages) => messages
                .map(|message| {
                    let message = message.map_err(unavailable)?;
                    let info = message.info().map_err(ReadError::Unavailable)?;
                    NatsStore::decode(info.stream_sequence, &message.payload)
                })
                .boxed(),
            Err(err) => futures::stream::once(async move { Err(err) }).boxed(),
        })
        .boxed()
}

#[async_trait]
impl EventStore for NatsStore {
    /// On a replicated stream, an append that finds the log unavailable (its leader lost,
    /// a new one not yet elected) is tried again, with the same commit id, until it lands or
    /// [`FAILOVER`] has passed: the server's deduplication, or the search for the commit id
    /// after a conflict, answers a try that had landed with the commit as it landed.
    #[instrument(skip_all, fields(stream = %new.stream))]
    async fn append(&self, new: NewCommit) -> Result<Appended, AppendError> {
        if !self.leader_reads() {
            return self.append_once(new).await;
        }
        let new = match new.commit_id {
            Some(_) => new,
            None => new.with_commit_id(crate::ids::new_id()),
        };
        self.through_failover(|| self.append_once(new.clone()))
            .await
    }

    fn clock(&self) -> &dyn Clock {
        &*self.clock
    }

    async fn find_commit(
        &self,
        stream: &StreamId,
        commit_id: Uuid,
    ) -> Result<Option<Commit>, ReadError> {
        Ok(self
            .read_stream(stream)
            .await?
            .into_iter()
            .find(|commit| commit.commit_id == commit_id))
    }

    /// The stream's last commit only, by one direct get (from the leader on a replicated
    /// stream).
    async fn last_commit_of(&self, stream: &StreamId) -> Result<Option<Commit>, ReadError> {
        let subject = self.subject(stream);
        self.through_failover(|| self.last_commit(&subject)).await
    }

    fn key(&self) -> Option<&LogKey> {
        self.signing.key()
    }

    fn remembered(&self) -> Option<&Remembered> {
        Some(&self.remembered)
    }

    async fn read_stream(&self, stream: &StreamId) -> Result<Vec<Commit>, ReadError> {
        self.through_failover(|| self.read_stream_once(stream))
            .await
    }

    async fn read_kind(&self, kind: &str) -> Result<Vec<Result<Commit, ReadError>>, ReadError> {
        self.through_failover(|| self.read_kind_once(kind)).await
    }

    async fn read_all(&self, after: Position, limit: usize) -> Result<Vec<Commit>, ReadError> {
        self.through_failover(|| async {
            let last = self.last_sequence().await?;
            self.read_range(after.0 + 1, last, limit).await
        })
        .await
    }

    /// A replicated stream takes writes while it has a leader and a quorum of its replicas
    /// (the leader among them) has been heard from lately.
    async fn can_take_writes(&self) -> Result<(), ReadError> {
        if !self.leader_reads() {
            return Ok(());
        }
        let mut stream = self.stream.clone();
        let info = stream.info().await.map_err(unavailable)?;
        let Some(cluster) = &info.cluster else {
            return Ok(());
        };
        let no_writes = |why: String| Err(ReadError::Unavailable(why.into()));
        if cluster.leader.is_none() {
            return no_writes(format!(
                "the stream {} has no leader: an election is under way, or too few of its servers are up",
                self.config.stream
            ));
        }
        let heard = 1 + cluster
            .replicas
            .iter()
            .filter(|replica| !replica.offline && replica.active < REPLICA_HEARD_WITHIN)
            .count();
        let quorum = self.config.replicas / 2 + 1;
        if heard < quorum {
            return no_writes(format!(
                "{heard} of the stream {}'s {} replicas answer; writes wait for {quorum}",
                self.config.stream, self.config.replicas
            ));
        }
        Ok(())
    }

    /// Asked once, never again through an election: `/readyz` reports a log that cannot
    /// answer now.
    async fn head(&self) -> Result<Position, ReadError> {
        Ok(Position(self.last_sequence().await?))
    }

    async fn stored_digest(&self, position: Position) -> Result<Option<String>, ReadError> {
        Ok(self
            .message_at(position.0)
            .await?
            .map(|payload| crate::envelope::digest(&payload)))
    }

    fn subscribe<'a>(
        &'a self,
        consumer: &'a str,
        after: Position,
    ) -> BoxStream<'a, Result<Commit, ReadError>> {
        let opened = async move {
            let durable = format!("projector-{consumer}");
            // Reuse the consumer only if it has delivered exactly up to the checkpoint; a
            // projector that crashed after delivery, or a rebuild, needs it to start again.
            if let Ok(mut existing) = self
                .stream
                .get_consumer::<consumer::pull::Config>(&durable)
                .await
            {
                let delivered = existing
                    .info()
                    .await
                    .map_err(unavailable)?
                    .delivered
                    .stream_sequence;
                if delivered == after.0 {
                    return existing.messages().await.map_err(unavailable);
                }
                self.stream
                    .delete_consumer(&durable)
                    .await
                    .map_err(unavailable)?;
            }
            let created = self
                .stream
                .create_consumer(consumer::pull::Config {
                    durable_name: Some(durable),
                    description: Some(
                        "scoreledger projector; its checkpoint lives with the read models".into(),
                    ),
                    deliver_policy: consumer::DeliverPolicy::ByStartSequence {
                        start_sequence: after.0 + 1,
                    },
                    ack_policy: consumer::AckPolicy::None,
                    ..Default::default()
                })
                .await
                .map_err(unavailable)?;
            created.messages().await.map_err(unavailable)
        };
        commits_of(opened)
    }

    fn follow(&self, after: Position) -> BoxStream<'_, Result<Commit, ReadError>> {
        let opened = async move {
            let consumer = self
                .stream
                .create_consumer(consumer::pull::OrderedConfig {
                    deliver_policy: consumer::DeliverPolicy::ByStartSequence {
                        start_sequence: after.0 + 1,
                    },
                    ..Default::default()
                })
                .await
                .map_err(unavailable)?;
            consumer.messages().await.map_err(unavailable)
        };
        commits_of(opened)
    }
}

//! The embedded backend: one SQLite file (WAL) holds the log; appends are `BEGIN IMMEDIATE`
//! transactions, so writers in other processes queue behind each other instead of failing.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use futures::stream::{self, BoxStream, StreamExt};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};
use tokio::sync::Notify;
use tracing::instrument;
use uuid::Uuid;

use scoreledger_domain::{Position, StreamId, StreamVersion};

use crate::clock::{Clock, SystemClock};
use crate::envelope::{Commit, ExpectedVersion, NewCommit, GENESIS_HASH};
use crate::error::{published_since, AppendError, ReadError};
use crate::group::{GroupView, Judged, Queue, Waiting};
use crate::remembered::Remembered;
use crate::signing::{Signing, KEYS_STREAM};
use crate::write_turn::{write_turn, WriteTurn};
use crate::{Appended, EventStore};
use scoreledger_integrity::LogKey;

/// Migrations of the embedded database: the log, the read models and their checkpoints.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/sqlite");

/// How often `follow` looks for commits appended by other processes.
const FOLLOW_POLL: Duration = Duration::from_millis(250);

/// Opens (creating if needed) and migrates an embedded database: WAL, full fsync on commit.
/// The read models use it on their own when the log lives elsewhere.
pub async fn open_database(path: &Path) -> Result<SqlitePool, OpenError> {
    let shown = path.display().to_string();
    let options = SqliteConnectOptions::from_str("sqlite:")
        .expect("static connection string")
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // FULL: an acknowledged commit survives power loss, not just a crash.
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(Duration::from_secs(30))
        .foreign_keys(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(options)
        .await
        .map_err(|source| OpenError::Connect {
            path: shown.clone(),
            source,
        })?;
    MIGRATOR
        .run(&pool)
        .await
        .map_err(|source| OpenError::Migrate {
            path: shown,
            source,
        })?;
    Ok(pool)
}

/// The SQLite event store.
#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    clock: Arc<dyn Clock>,
    appended: Arc<Notify>,
    signing: Signing,
    /// The file's write turn, shared with the read models in it (`write_turn`).
    turn: WriteTurn,
    /// Appends waiting to be committed together (group commit).
    queue: Queue,
    /// The plans and publications as this process last read them.
    remembered: Arc<Remembered>,
}

/// Commits per multi-row INSERT of a group: six parameters each.
const GROUP_ROWS_PER_STATEMENT: usize = 500;

/// What a group of appends depends on in the log, read in a few statements.
struct GroupReading {
    /// The streams' heads and the last report, for judging (`group`).
    view: GroupView,
    /// The commits appended before under the group's commit ids (or why one cannot be read).
    existing: BTreeMap<String, Result<Commit, (Position, String)>>,
}

impl GroupReading {
    async fn read(
        tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
        commits: &[NewCommit],
    ) -> Result<Self, sqlx::Error> {
        let ids: BTreeSet<String> = commits
            .iter()
            .filter_map(|c| c.commit_id.map(|id| id.to_string()))
            .collect();
        let streams: BTreeSet<&str> = commits
            .iter()
            .flat_map(|c| {
                std::iter::once(c.stream.as_str())
                    .chain(c.judged_against.as_ref().map(|(s, _)| s.as_str()))
            })
            .collect();
        let mut existing = BTreeMap::new();
        let ids: Vec<String> = ids.into_iter().collect();
        for chunk in ids.chunks(GROUP_ROWS_PER_STATEMENT) {
            let sql = format!(
                "SELECT commit_id, position, envelope FROM commits WHERE commit_id IN ({})",
                vec!["?"; chunk.len()].join(", ")
            );
            let mut query = sqlx::query(&sql);
            for id in chunk {
                query = query.bind(id.as_str());
            }
            for row in query.fetch_all(&mut **tx).await? {
                let position: i64 = row.get("position");
                let commit = SqliteStore::decode(position, row.get("envelope"))
                    .map_err(|err| (Position(position as u64), err.to_string()));
                existing.insert(row.get("commit_id"), commit);
            }
        }
        let mut heads = BTreeMap::new();
        let streams: Vec<&str> = streams.into_iter().collect();
        for chunk in streams.chunks(GROUP_ROWS_PER_STATEMENT) {
            let sql = format!(
                "SELECT stream, stream_version, hash FROM commits AS c WHERE stream IN ({}) \
                 AND stream_version = (SELECT MAX(stream_version) FROM commits WHERE stream = c.stream)",
                vec!["?"; chunk.len()].join(", ")
            );
            let mut query = sqlx::query(&sql);
            for stream in chunk {
                query = query.bind(*stream);
            }
            for row in query.fetch_all(&mut **tx).await? {
                heads.insert(
                    row.get("stream"),
                    (
                        StreamVersion(row.get::<i64, _>("stream_version") as u64),
                        row.get("hash"),
                    ),
                );
            }
        }
        let mut last_report = None;
        if commits.iter().any(|c| c.judged_through.is_some()) {
            let last: Option<i64> = sqlx::query_scalar(
                "SELECT MAX(position) FROM commits WHERE stream >= 'report-' AND stream < 'report.'",
            )
            .fetch_one(&mut **tx)
            .await?;
            last_report = last.map(|p| Position(p as u64));
        }
        Ok(Self {
            view: GroupView::new(heads, last_report),
            existing,
        })
    }
}

/// What each commit of a group comes to.
enum Outcome {
    Refused(AppendError),
    Existing(Box<Commit>),
    New(usize),
    SameAs(usize),
}

/// A group of appends whose transaction failed: none of them landed.
#[derive(Debug, thiserror::Error)]
#[error("the appends committed together could not be committed: {0}")]
struct GroupNotCommitted(String);

/// Why the database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The file could not be opened or created.
    #[error("cannot open the database {path}; check the directory exists and is writable")]
    Connect {
        /// The file.
        path: String,
        /// Cause.
        #[source]
        source: sqlx::Error,
    },
    /// The schema could not be brought up to date.
    #[error("cannot migrate the database {path}; was it written by a newer scoreledger?")]
    Migrate {
        /// The file.
        path: String,
        /// Cause.
        #[source]
        source: sqlx::migrate::MigrateError,
    },
}

impl SqliteStore {
    /// Opens (creating if needed) and migrates the database at `path`.
    pub async fn open(path: &Path, clock: Arc<dyn Clock>) -> Result<Self, OpenError> {
        let pool = open_database(path).await?;
        Ok(Self {
            pool,
            clock,
            appended: Arc::new(Notify::new()),
            signing: Signing::default(),
            turn: write_turn(path),
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

    /// Opens with the system clock.
    pub async fn open_default(path: &Path) -> Result<Self, OpenError> {
        Self::open(path, Arc::new(SystemClock)).await
    }

    /// The connection pool, shared with the read models that live in the same file.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    fn decode(position: i64, envelope: &str) -> Result<Commit, ReadError> {
        let position = Position(position as u64);
        let mut commit: Commit =
            serde_json::from_str(envelope).map_err(|err| ReadError::Corrupt {
                position,
                problem: format!("envelope is not valid JSON: {err}"),
            })?;
        commit.position = position;
        Ok(commit)
    }

    /// Appends one commit inside the caller's write transaction.
    async fn append_in(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
        new: NewCommit,
    ) -> Result<Appended, AppendError> {
        if new.events.is_empty() {
            return Err(AppendError::Empty);
        }
        if let Some(commit_id) = new.commit_id {
            let existing =
                sqlx::query("SELECT position, envelope FROM commits WHERE commit_id = ?")
                    .bind(commit_id.to_string())
                    .fetch_optional(&mut **tx)
                    .await?;
            if let Some(row) = existing {
                let commit = Self::decode(row.get("position"), row.get("envelope"))
                    .map_err(AppendError::from)?;
                return Ok(Appended {
                    commit,
                    deduplicated: true,
                });
            }
        }
        // Inside the write transaction nothing else appends, so the stream the commit was
        // judged against is exactly as it is now.
        if let Some((judged, version)) = &new.judged_against {
            let current: i64 = sqlx::query(
                "SELECT COALESCE(MAX(stream_version), 0) AS version FROM commits WHERE stream = ?",
            )
            .bind(judged.as_str())
            .fetch_one(&mut **tx)
            .await?
            .get("version");
            if current as u64 != version.0 {
                return Err(AppendError::Conflict {
                    stream: judged.clone(),
                    expected: ExpectedVersion::Exact(*version),
                    actual: StreamVersion(current as u64),
                });
            }
        }
        if let Some(through) = new.judged_through {
            // Report streams only (`report-…`), by a range the stream index serves.
            let published: Option<i64> = sqlx::query_scalar(
                "SELECT position FROM commits WHERE stream >= 'report-' AND stream < 'report.' \
                 AND position > ? LIMIT 1",
            )
            .bind(through.0 as i64)
            .fetch_optional(&mut **tx)
            .await?;
            if published.is_some() {
                return Err(published_since(&new));
            }
        }
        let has_keys = async {
            let found = sqlx::query("SELECT 1 FROM commits WHERE stream = ? LIMIT 1")
                .bind(KEYS_STREAM)
                .fetch_optional(&mut **tx)
                .await?;
            Ok(found.is_some())
        };
        self.signing.check_can_sign(&new.stream, has_keys).await?;
        // A rotation by another process lands in this file too: judged inside the write
        // transaction, so nothing is signed with a key retired before it.
        if self.signing.key().is_some() {
            self.judge_key(tx).await?.map_err(AppendError::from)?;
            self.signing.check_key_standing()?;
        }
        if let Some(after) = new.directly_after {
            let head: i64 = sqlx::query("SELECT COALESCE(MAX(position), 0) AS head FROM commits")
                .fetch_one(&mut **tx)
                .await?
                .get("head");
            if head as u64 != after.0 {
                return Err(AppendError::Moved {
                    after,
                    head: Position(head as u64),
                });
            }
        }
        let last = sqlx::query(
            "SELECT stream_version, hash FROM commits WHERE stream = ? ORDER BY stream_version DESC LIMIT 1",
        )
        .bind(new.stream.as_str())
        .fetch_optional(&mut **tx)
        .await?;
        let (actual, prev_hash) = match last {
            Some(row) => (
                StreamVersion(row.get::<i64, _>("stream_version") as u64),
                row.get::<String, _>("hash"),
            ),
            None => (StreamVersion(0), GENESIS_HASH.to_owned()),
        };
        let (commit, envelope) = self.seal_after(new, actual, prev_hash)?;
        let position: i64 = sqlx::query(
            "INSERT INTO commits (commit_id, stream, stream_version, recorded_at, envelope, hash) \
             VALUES (?, ?, ?, ?, ?, ?) RETURNING position",
        )
        .bind(commit.commit_id.to_string())
        .bind(commit.stream.as_str())
        .bind(commit.stream_version.0 as i64)
        .bind(commit.recorded_at.to_rfc3339())
        .bind(&envelope)
        .bind(&commit.hash)
        .fetch_one(&mut **tx)
        .await?
        .get("position");
        Ok(Appended {
            commit: Commit {
                position: Position(position as u64),
                ..commit
            },
            deduplicated: false,
        })
    }

    /// Reads the log's keys stream when it has moved since it was last judged, to know whether
    /// this store's key may still sign: inside the write transaction, so a rotation by another
    /// process landing in this file is seen and nothing is signed with a key retired before
    /// it. A key's record that cannot be read is the inner error.
    async fn judge_key(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    ) -> Result<Result<(), ReadError>, sqlx::Error> {
        let last: Option<i64> =
            sqlx::query("SELECT MAX(position) AS last FROM commits WHERE stream = ?")
                .bind(KEYS_STREAM)
                .fetch_one(&mut **tx)
                .await?
                .get("last");
        let last = last.map(|p| Position(p as u64));
        if let Some(at) = last.filter(|_| self.signing.needs_judging(last)) {
            let rows = sqlx::query(
                "SELECT position, envelope FROM commits WHERE stream = ? ORDER BY stream_version",
            )
            .bind(KEYS_STREAM)
            .fetch_all(&mut **tx)
            .await?;
            match Self::decode_rows(rows) {
                Ok(keys) => self.signing.judge(at, &keys),
                Err(unreadable) => return Ok(Err(unreadable)),
            }
        }
        Ok(Ok(()))
    }

    /// Commits a group of appends, with the write turn held: one transaction, in which a
    /// refused commit (a conflict, say) leaves the others; each answered only once the
    /// transaction is durable.
    async fn commit_group(&self, waiting: Vec<Waiting>) {
        let (commits, answers): (Vec<_>, Vec<_>) = waiting
            .into_iter()
            .map(|waiting| (waiting.commit, waiting.answer))
            .unzip();
        match self.land_group(commits).await {
            Ok(results) => {
                for (answer, result) in answers.into_iter().zip(results) {
                    let _ = answer.send(result);
                }
                self.appended.notify_waiters();
            }
            Err(err) => {
                let problem = err.to_string();
                for answer in answers {
                    let _ = answer.send(Err(AppendError::Unavailable(Box::new(
                        GroupNotCommitted(problem.clone()),
                    ))));
                }
            }
        }
    }

    async fn land_group(
        &self,
        commits: Vec<NewCommit>,
    ) -> Result<Vec<Result<Appended, AppendError>>, sqlx::Error> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        // A checkpoint (which must land directly after a given head) or a key's record
        // (which changes what may sign) is judged one commit at a time; every other group
        // is judged in memory against a few statements' reading of the log.
        let one_by_one = commits
            .iter()
            .any(|c| c.directly_after.is_some() || c.stream.as_str() == KEYS_STREAM);
        let results = if one_by_one {
            let mut results = Vec::with_capacity(commits.len());
            for commit in commits {
                let mut own = sqlx::Acquire::begin(&mut tx).await?;
                let result = self.append_in(&mut own, commit).await;
                match result {
                    Ok(_) => own.commit().await?,
                    Err(_) => own.rollback().await?,
                }
                results.push(result);
            }
            results
        } else {
            self.land_together(&mut tx, commits).await?
        };
        tx.commit().await?;
        Ok(results)
    }

    /// Judges a group of ordinary commits as `append_in` would judge them one after another
    /// (each sees the ones accepted before it: a stream's new version and hash, a plan that
    /// moved, a report published, a commit id used), from one reading of what they depend on,
    /// and inserts the accepted ones in one statement.
    async fn land_together(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
        commits: Vec<NewCommit>,
    ) -> Result<Vec<Result<Appended, AppendError>>, sqlx::Error> {
        let mut reading = GroupReading::read(tx, &commits).await?;
        let has_keys = sqlx::query("SELECT 1 FROM commits WHERE stream = ? LIMIT 1")
            .bind(KEYS_STREAM)
            .fetch_optional(&mut **tx)
            .await?
            .is_some();
        if self.signing.key().is_some() {
            if let Err(unreadable) = self.judge_key(tx).await? {
                let problem = unreadable.to_string();
                let position = match unreadable {
                    ReadError::Corrupt { position, .. } => position,
                    ReadError::Unavailable(_) => Position(0),
                };
                return Ok(commits
                    .iter()
                    .map(|_| {
                        Err(AppendError::Corrupt {
                            position,
                            problem: problem.clone(),
                        })
                    })
                    .collect());
            }
        }
        let mut outcomes = Vec::with_capacity(commits.len());
        let mut sealed: Vec<(Commit, String)> = Vec::new();
        for new in commits {
            let outcome = match self.judge_in_group(&mut reading, has_keys, new).await {
                Ok(Judged::Existing(commit)) => Outcome::Existing(Box::new(commit)),
                Ok(Judged::SameAs(index)) => Outcome::SameAs(index),
                Ok(Judged::Sealed(commit, envelope)) => {
                    sealed.push((commit, envelope));
                    Outcome::New(sealed.len() - 1)
                }
                Err(err) => Outcome::Refused(err),
            };
            outcomes.push(outcome);
        }
        let positions = Self::insert_all(tx, &sealed).await?;
        let appended = |index: usize, deduplicated| Appended {
            commit: Commit {
                position: positions[index],
                ..sealed[index].0.clone()
            },
            deduplicated,
        };
        Ok(outcomes
            .into_iter()
            .map(|outcome| match outcome {
                Outcome::Refused(err) => Err(err),
                Outcome::Existing(commit) => Ok(Appended {
                    commit: *commit,
                    deduplicated: true,
                }),
                Outcome::New(index) => Ok(appended(index, false)),
                Outcome::SameAs(index) => Ok(appended(index, true)),
            })
            .collect())
    }

    /// One commit of a group judged against the group's view of the log, which it updates
    /// when the commit is accepted.
    async fn judge_in_group(
        &self,
        reading: &mut GroupReading,
        has_keys: bool,
        new: NewCommit,
    ) -> Result<Judged<String>, AppendError> {
        if new.events.is_empty() {
            return Err(AppendError::Empty);
        }
        if let Some(commit_id) = new.commit_id {
            if let Some(existing) = reading.existing.get(&commit_id.to_string()) {
                return match existing {
                    Ok(commit) => Ok(Judged::Existing(commit.clone())),
                    Err((position, problem)) => Err(AppendError::Corrupt {
                        position: *position,
                        problem: problem.clone(),
                    }),
                };
            }
            if let Some(place) = reading.view.accepted_as(commit_id) {
                return Ok(Judged::SameAs(place));
            }
        }
        reading.view.check_judgments(&new)?;
        self.signing
            .check_can_sign(&new.stream, async { Ok(has_keys) })
            .await?;
        if self.signing.key().is_some() {
            self.signing.check_key_standing()?;
        }
        let (actual, prev_hash) = reading.view.head_of(new.stream.as_str());
        let (commit, envelope) = self.seal_after(new, actual, prev_hash)?;
        reading.view.accept(&commit);
        Ok(Judged::Sealed(commit, envelope))
    }

    /// Seals `new` after its stream's last commit (at `actual`, hashed `prev_hash`), if that is
    /// the version it expects: the commit and its envelope as stored.
    fn seal_after(
        &self,
        new: NewCommit,
        actual: StreamVersion,
        prev_hash: String,
    ) -> Result<(Commit, String), AppendError> {
        if let ExpectedVersion::Exact(expected) = new.expected {
            if expected != actual {
                return Err(AppendError::Conflict {
                    stream: new.stream,
                    expected: new.expected,
                    actual,
                });
            }
        }
        let (commit, envelope) =
            new.seal_now(actual, prev_hash, &*self.clock, self.signing.key())?;
        Ok((commit, String::from_utf8(envelope).expect("JSON is UTF-8")))
    }

    /// Inserts sealed commits in order, a few hundred a statement; their positions, in order.
    async fn insert_all(
        tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
        sealed: &[(Commit, String)],
    ) -> Result<Vec<Position>, sqlx::Error> {
        let mut positions = BTreeMap::new();
        for chunk in sealed.chunks(GROUP_ROWS_PER_STATEMENT) {
            let sql = format!(
                "INSERT INTO commits (commit_id, stream, stream_version, recorded_at, envelope, hash) \
                 VALUES {} RETURNING commit_id, position",
                vec!["(?, ?, ?, ?, ?, ?)"; chunk.len()].join(", ")
            );
            let mut query = sqlx::query(&sql);
            for (commit, envelope) in chunk {
                query = query
                    .bind(commit.commit_id.to_string())
                    .bind(commit.stream.as_str())
                    .bind(commit.stream_version.0 as i64)
                    .bind(commit.recorded_at.to_rfc3339())
                    .bind(envelope.as_str())
                    .bind(commit.hash.as_str());
            }
            for row in query.fetch_all(&mut **tx).await? {
                positions.insert(
                    row.get::<String, _>("commit_id"),
                    Position(row.get::<i64, _>("position") as u64),
                );
            }
        }
        Ok(sealed
            .iter()
            .map(|(commit, _)| positions[&commit.commit_id.to_string()])
            .collect())
    }

    fn decode_rows(rows: Vec<sqlx::sqlite::SqliteRow>) -> Result<Vec<Commit>, ReadError> {
        rows.iter()
            .map(|row| Self::decode(row.get("position"), row.get("envelope")))
            .collect()
    }
}

#[async_trait]
impl EventStore for SqliteStore {
    #[instrument(skip_all, fields(stream = %new.stream))]
    async fn append(&self, new: NewCommit) -> Result<Appended, AppendError> {
        // Group commit: the append is queued, and the store's landing task commits every
        // append waiting when it takes the write turn, in one transaction and one fsync, so
        // concurrent writers share the cost of a durable commit.
        let store = self.clone();
        self.queue
            .append(new, move |group| {
                let store = store.clone();
                async move {
                    let _turn = store.turn.lock().await;
                    store.commit_group(group).await;
                }
            })
            .await
    }

    #[instrument(skip_all, fields(commits = commits.len()))]
    async fn append_all(&self, commits: Vec<NewCommit>) -> Result<Vec<Appended>, AppendError> {
        // One write transaction: every commit lands, or (on any refusal, conflict or crash)
        // none does.
        let _turn = self.turn.lock().await;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let mut appended = Vec::with_capacity(commits.len());
        for commit in commits {
            appended.push(self.append_in(&mut tx, commit).await?);
        }
        tx.commit().await?;
        self.appended.notify_waiters();
        Ok(appended)
    }

    fn appends_batches_atomically(&self) -> bool {
        true
    }

    fn clock(&self) -> &dyn Clock {
        &*self.clock
    }

    async fn find_commit(
        &self,
        stream: &StreamId,
        commit_id: Uuid,
    ) -> Result<Option<Commit>, ReadError> {
        let row = sqlx::query(
            "SELECT position, envelope FROM commits WHERE commit_id = ? AND stream = ?",
        )
        .bind(commit_id.to_string())
        .bind(stream.as_str())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| Self::decode(row.get("position"), row.get("envelope")))
            .transpose()
    }

    async fn read_stream(&self, stream: &StreamId) -> Result<Vec<Commit>, ReadError> {
        let rows = sqlx::query(
            "SELECT position, envelope FROM commits WHERE stream = ? ORDER BY stream_version",
        )
        .bind(stream.as_str())
        .fetch_all(&self.pool)
        .await?;
        Self::decode_rows(rows)
    }

    async fn read_kind(&self, kind: &str) -> Result<Vec<Result<Commit, ReadError>>, ReadError> {
        // `kind-…` and nothing else, by a range the stream index serves ('.' follows '-').
        let rows = sqlx::query(
            "SELECT position, envelope FROM commits WHERE stream >= ? AND stream < ? ORDER BY position",
        )
        .bind(format!("{kind}-"))
        .bind(format!("{kind}."))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|row| Self::decode(row.get("position"), row.get("envelope")))
            .collect())
    }

    async fn last_commit_of(&self, stream: &StreamId) -> Result<Option<Commit>, ReadError> {
        let row = sqlx::query(
            "SELECT position, envelope FROM commits WHERE stream = ? ORDER BY stream_version DESC LIMIT 1",
        )
        .bind(stream.as_str())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| Self::decode(row.get("position"), row.get("envelope")))
            .transpose()
    }

    fn key(&self) -> Option<&LogKey> {
        self.signing.key()
    }

    fn remembered(&self) -> Option<&Remembered> {
        Some(&self.remembered)
    }

    async fn stored_digest(&self, position: Position) -> Result<Option<String>, ReadError> {
        let row = sqlx::query("SELECT envelope FROM commits WHERE position = ?")
            .bind(position.0 as i64)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| {
            let stored: &[u8] = row.try_get("envelope")?;
            Ok(crate::envelope::digest(stored))
        })
        .transpose()
    }

    async fn read_all(&self, after: Position, limit: usize) -> Result<Vec<Commit>, ReadError> {
        let rows = sqlx::query(
            "SELECT position, envelope FROM commits WHERE position > ? ORDER BY position LIMIT ?",
        )
        .bind(after.0 as i64)
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        Self::decode_rows(rows)
    }

    async fn head(&self) -> Result<Position, ReadError> {
        let head: i64 = sqlx::query("SELECT COALESCE(MAX(position), 0) AS head FROM commits")
            .fetch_one(&self.pool)
            .await?
            .get("head");
        Ok(Position(head as u64))
    }

    fn follow(&self, after: Position) -> BoxStream<'_, Result<Commit, ReadError>> {
        let state = (after, VecDeque::<Commit>::new());
        stream::unfold(state, move |(mut after, mut buffer)| async move {
            loop {
                if let Some(commit) = buffer.pop_front() {
                    after = commit.position;
                    return Some((Ok(commit), (after, buffer)));
                }
                let notified = self.appended.notified();
                tokio::pin!(notified);
                notified.as_mut().enable();
                match self.read_all(after, 256).await {
                    Ok(batch) if !batch.is_empty() => buffer.extend(batch),
                    Ok(_) => {
                        tokio::select! {
                            _ = &mut notified => {}
                            _ = tokio::time::sleep(FOLLOW_POLL) => {}
                        }
                    }
                    Err(err) => return Some((Err(err), (after, buffer))),
                }
            }
        })
        .boxed()
    }
}

//! A log and its read models, of any of the four kinds ({SQLite, NATS} × {SQLite, PostgreSQL}),
//! for suites that must pass on every pair.

use std::path::PathBuf;
use std::sync::Arc;

use tempfile::TempDir;

use scoreledger_domain::Position;

use scoreledger_projections::ReadModels;
use scoreledger_store::{EventStore, ManualClock, NatsConfig, NatsStore, SqliteStore};

use crate::nats::{NatsRelease, TestNats};
use crate::postgres::TestPostgres;
use crate::q3_scorecard_day;

/// Where the log is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogKind {
    /// Embedded SQLite.
    Sqlite,
    /// NATS JetStream (the current release).
    Nats,
}

/// Where the read models are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadKind {
    /// SQLite (the log's own file when the log is SQLite).
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// What keeps a pair's resources alive.
#[derive(Default)]
struct Guards {
    dirs: Vec<TempDir>,
    nats: Option<TestNats>,
    postgres: Vec<TestPostgres>,
}

/// A log and read models.
pub struct Pair {
    /// The log.
    pub store: Arc<dyn EventStore>,
    /// The read models.
    pub read: ReadModels,
    /// The log's clock.
    pub clock: Arc<ManualClock>,
    /// The kind of read models, to make fresh ones like them.
    pub read_kind: ReadKind,
    /// The SQLite file of the log, when the log is embedded.
    log_path: Option<PathBuf>,
    guards: Guards,
}

impl Pair {
    /// A fresh, empty pair.
    pub async fn new(log: LogKind, read: ReadKind) -> Self {
        let clock = Arc::new(ManualClock::new(q3_scorecard_day()));
        let mut guards = Guards::default();
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("scoreledger.db");
        guards.dirs.push(dir);
        let log_path = (log == LogKind::Sqlite).then(|| path.clone());
        let store: Arc<dyn EventStore> = match log {
            LogKind::Sqlite => Arc::new(
                SqliteStore::open(&path, clock.clone())
                    .await
                    .expect("fresh SQLite log"),
            ),
            LogKind::Nats => {
                let server = TestNats::start(NatsRelease::Current);
                let store = NatsStore::connect(NatsConfig::new(server.url()), clock.clone())
                    .await
                    .expect("fresh NATS log");
                guards.nats = Some(server);
                Arc::new(store)
            }
        };
        let read_models = match read {
            ReadKind::Sqlite => ReadModels::sqlite(&path)
                .await
                .expect("fresh SQLite read models"),
            ReadKind::Postgres => {
                let database = TestPostgres::create().await;
                let read_models = database.read_models().await;
                guards.postgres.push(database);
                read_models
            }
        };
        Self {
            store,
            read: read_models,
            clock,
            read_kind: read,
            log_path,
            guards,
        }
    }

    /// Makes the log sign with `key` from now on, its public half recorded in the log (signed
    /// by itself), as `scoreledger keys generate` does.
    pub async fn sign(&mut self, key: Arc<scoreledger_integrity::LogKey>) {
        self.store = self.open_log(Some(key.clone())).await;
        let recorded = scoreledger_store::NewCommit::new(
            scoreledger_store::keys_stream(),
            scoreledger_store::ExpectedVersion::Exact(scoreledger_store::StreamVersion(0)),
            scoreledger_domain::Actor::new(
                "it.admin",
                "IT Administrator",
                scoreledger_domain::Role::Admin,
            ),
            vec![scoreledger_domain::DomainEvent::SigningKeyAdded {
                key: key.public().text().to_owned(),
            }],
        );
        self.store
            .append(recorded)
            .await
            .expect("the key is recorded");
    }

    /// Lands a commit that cannot be read, as a bug or a damaged disk would, behind the store's
    /// back (the store itself refuses such commits): on SQLite a row whose event payload is
    /// malformed (a period stored as `0/01`), on NATS a message that is not a commit at all.
    /// Returns its position. The log must hold at least one commit.
    pub async fn land_unreadable_commit(&self) -> Position {
        self.land_unreadable_commit_in("measure").await
    }

    /// Like [`Pair::land_unreadable_commit`], on a stream of `kind` (`measure`, `report`, …).
    pub async fn land_unreadable_commit_in(&self, kind: &str) -> Position {
        let head = self.store.head().await.expect("the log answers");
        if let Some(path) = &self.log_path {
            land_unreadable_row_in(path, kind).await;
        } else {
            let url = self.nats_url().expect("a NATS log has a server");
            let client = async_nats::connect(url).await.expect("nats-server answers");
            async_nats::jetstream::new(client)
                .publish(
                    format!("scoreledger.{kind}.intruder"),
                    "not a commit".into(),
                )
                .await
                .expect("published")
                .await
                .expect("acknowledged");
        }
        let landed = self.store.head().await.expect("the log answers");
        assert_eq!(landed, Position(head.0 + 1), "one commit landed");
        landed
    }

    /// The same log opened again, as another process would open it: a store of its own (its
    /// own connection, its own memory of what it read), on the same file or server.
    pub async fn another_process(&self) -> Arc<dyn EventStore> {
        self.open_log(None).await
    }

    async fn open_log(
        &self,
        key: Option<Arc<scoreledger_integrity::LogKey>>,
    ) -> Arc<dyn EventStore> {
        match (&self.log_path, &self.guards.nats) {
            (Some(path), _) => {
                let store = SqliteStore::open(path, self.clock.clone())
                    .await
                    .expect("the SQLite log opens again");
                Arc::new(match key {
                    Some(key) => store.with_key(key),
                    None => store,
                })
            }
            (None, Some(server)) => {
                let store = NatsStore::connect(NatsConfig::new(server.url()), self.clock.clone())
                    .await
                    .expect("the NATS log opens again");
                Arc::new(match key {
                    Some(key) => store.with_key(key),
                    None => store,
                })
            }
            (None, None) => unreachable!("a pair's log is SQLite or NATS"),
        }
    }

    /// The URL of the pair's nats-server, when the log is on NATS.
    pub fn nats_url(&self) -> Option<String> {
        self.guards.nats.as_ref().map(TestNats::url)
    }

    /// Fresh, empty read models of the same kind as this pair's (for replay comparisons).
    pub async fn fresh_read_models(&mut self) -> ReadModels {
        match self.read_kind {
            ReadKind::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary directory");
                let read = ReadModels::sqlite(&dir.path().join("replay.db"))
                    .await
                    .expect("fresh SQLite read models");
                self.guards.dirs.push(dir);
                read
            }
            ReadKind::Postgres => {
                let database = TestPostgres::create().await;
                let read = database.read_models().await;
                self.guards.postgres.push(database);
                read
            }
        }
    }
}

/// Lands a row in an embedded log's `commits` table whose event payload cannot be read (a
/// period stored as `0/01`), as a bug or a damaged disk would, behind the store's back: a copy
/// of the first commit's envelope on a stream of its own. The log must hold a commit.
pub async fn land_unreadable_row(path: &std::path::Path) {
    land_unreadable_row_in(path, "measure").await;
}

/// Like [`land_unreadable_row`], on a stream of `kind`.
pub async fn land_unreadable_row_in(path: &std::path::Path, kind: &str) {
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
        .await
        .expect("the log's file opens");
    let (envelope, recorded_at, hash): (String, String, String) =
        sqlx::query_as("SELECT envelope, recorded_at, hash FROM commits ORDER BY position LIMIT 1")
            .fetch_one(&pool)
            .await
            .expect("the log holds a commit");
    let mut envelope: serde_json::Value =
        serde_json::from_str(&envelope).expect("the first envelope reads");
    let stream = format!("{kind}-{}", uuid::Uuid::from_u128(0xbad));
    let commit_id = uuid::Uuid::from_u128(0xbad0).to_string();
    envelope["commit_id"] = commit_id.clone().into();
    envelope["stream"] = stream.clone().into();
    envelope["stream_version"] = 1.into();
    let mut event = envelope["events"][0].take();
    event["type"] = "ValueRecorded".into();
    event["payload"] = serde_json::json!({ "period": "0/01", "value": "1" });
    envelope["events"] = serde_json::json!([event]);
    sqlx::query(
        "INSERT INTO commits (commit_id, stream, stream_version, recorded_at, envelope, hash) \
         VALUES ($1, $2, 1, $3, $4, $5)",
    )
    .bind(commit_id)
    .bind(stream)
    .bind(recorded_at)
    .bind(envelope.to_string())
    .bind(hash)
    .execute(&pool)
    .await
    .expect("a row lands behind the store's back");
    pool.close().await;
}

/// Expands one scenario into one `#[tokio::test]` per pair: `|pair| { … }` gets a `Pair`.
#[macro_export]
macro_rules! pair_test {
    ($name:ident, |$pair:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            use $crate::pair::{LogKind, Pair, ReadKind};

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite_sqlite() {
                #[allow(unused_mut)]
                let mut $pair = Pair::new(LogKind::Sqlite, ReadKind::Sqlite).await;
                $body
            }

            /// Needs PostgreSQL; see scripts/services.sh.
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite_postgres() {
                #[allow(unused_mut)]
                let mut $pair = Pair::new(LogKind::Sqlite, ReadKind::Postgres).await;
                $body
            }

            /// Needs nats-server; see scripts/services.sh.
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn nats_sqlite() {
                #[allow(unused_mut)]
                let mut $pair = Pair::new(LogKind::Nats, ReadKind::Sqlite).await;
                $body
            }

            /// Needs nats-server and PostgreSQL; see scripts/services.sh.
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn nats_postgres() {
                #[allow(unused_mut)]
                let mut $pair = Pair::new(LogKind::Nats, ReadKind::Postgres).await;
                $body
            }
        }
    };
}

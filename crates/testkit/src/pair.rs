//! A log and its read models, of any of the four kinds ({SQLite, NATS} × {SQLite, PostgreSQL}),
//! for suites that must pass on every pair.

use std::sync::Arc;

use tempfile::TempDir;

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
            guards,
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

//! The read-model database: SQLite (embedded, in the log's file or its own) or PostgreSQL
//! (production). One set of queries serves both through sqlx's `Any` driver; every statement
//! numbers its parameters `$1, $2, …` in order of first use, which both databases read the
//! same way.

use std::path::Path;

use scoreledger_store::write_turn::{write_turn, WriteTurn};
use sqlx::any::{install_default_drivers, AnyPoolOptions};
use sqlx::{Any, AnyConnection, AnyPool, Transaction};
use tokio::sync::OwnedMutexGuard;

use crate::statistics::Written;

/// Migrations of the PostgreSQL read models (the SQLite ones live with the embedded log).
pub static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/postgres");

/// Which database the read models are in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// Why the read-model database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum ReadModelsError {
    /// The embedded file could not be opened or migrated.
    #[error(transparent)]
    Sqlite(#[from] scoreledger_store::sqlite::OpenError),
    /// PostgreSQL could not be reached.
    #[error("cannot connect to PostgreSQL at {url}; is it running, and does the database exist?")]
    Connect {
        /// The URL (without password).
        url: String,
        /// Cause.
        #[source]
        source: sqlx::Error,
    },
    /// The PostgreSQL schema could not be brought up to date.
    #[error("cannot migrate the read models in {url}; run `scoreledger migrate` as a user who may create tables")]
    Migrate {
        /// The URL (without password).
        url: String,
        /// Cause.
        #[source]
        source: sqlx::migrate::MigrateError,
    },
}

/// The read models of one log.
#[derive(Debug, Clone)]
pub struct ReadModels {
    pool: AnyPool,
    dialect: Dialect,
    /// An embedded file's write turn, shared with the log when it lives in the same file.
    turn: Option<WriteTurn>,
    /// Rows projected since the planner's statistics were last looked at.
    written: Written,
}

/// A write transaction on the read models; on SQLite it holds the file's write turn until it
/// ends. It is the connection it writes on.
pub(crate) struct WriteTx {
    tx: Transaction<'static, Any>,
    _turn: Option<OwnedMutexGuard<()>>,
}

impl WriteTx {
    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }

    pub(crate) async fn rollback(self) -> Result<(), sqlx::Error> {
        self.tx.rollback().await
    }
}

impl std::ops::Deref for WriteTx {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }
}

impl ReadModels {
    /// Opens (creating and migrating if needed) an embedded SQLite file.
    pub async fn sqlite(path: &Path) -> Result<Self, ReadModelsError> {
        // The embedded schema (log and read models) is migrated by the store.
        let migrated = scoreledger_store::sqlite::open_database(path).await?;
        migrated.close().await;
        install_default_drivers();
        let url = format!("sqlite://{}", path.display());
        let pool = AnyPoolOptions::new()
            .max_connections(4)
            .connect(&url)
            .await
            .map_err(|source| ReadModelsError::Connect {
                url: url.clone(),
                source,
            })?;
        Ok(Self {
            pool,
            dialect: Dialect::Sqlite,
            turn: Some(write_turn(path)),
            written: Written::default(),
        })
    }

    /// Connects to PostgreSQL and brings the schema up to date.
    pub async fn postgres(url: &str) -> Result<Self, ReadModelsError> {
        install_default_drivers();
        let shown = scoreledger_store::redacted(url);
        let pool = AnyPoolOptions::new()
            .max_connections(4)
            .connect(url)
            .await
            .map_err(|source| ReadModelsError::Connect {
                url: shown.clone(),
                source,
            })?;
        POSTGRES_MIGRATOR
            .run(&pool)
            .await
            .map_err(|source| ReadModelsError::Migrate { url: shown, source })?;
        Ok(Self {
            pool,
            dialect: Dialect::Postgres,
            turn: None,
            written: Written::default(),
        })
    }

    /// Opens `url`: `postgres://…` or `sqlite:PATH`.
    pub async fn open(url: &str) -> Result<Self, ReadModelsError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Self::postgres(url).await
        } else {
            let path = url
                .strip_prefix("sqlite://")
                .or_else(|| url.strip_prefix("sqlite:"))
                .unwrap_or(url);
            Self::sqlite(Path::new(path)).await
        }
    }

    /// The connection pool.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Which database this is.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Rows projected since the planner's statistics were last looked at.
    pub(crate) fn written(&self) -> &Written {
        &self.written
    }

    /// A write transaction. SQLite takes its write lock up front (`BEGIN IMMEDIATE`), so a
    /// transaction that reads before it writes never fails to upgrade, after the file's write
    /// turn, so the projector and the log's appends in one process take turns fairly.
    pub(crate) async fn begin(&self) -> Result<WriteTx, sqlx::Error> {
        let turn = match &self.turn {
            Some(turn) => Some(turn.clone().lock_owned().await),
            None => None,
        };
        let tx = match self.dialect {
            Dialect::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Dialect::Postgres => self.pool.begin().await?,
        };
        Ok(WriteTx { tx, _turn: turn })
    }
}

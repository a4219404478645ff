//! Where a workload's read models live: the embedded default, in the log's own SQLite file,
//! or a database of the bench's own on a PostgreSQL server.

use std::path::Path;

use sqlx::{Connection, Executor};

use scoreledger_projections::{Dialect, ReadModels};
use scoreledger_store::{new_id, redacted};

use crate::failure::{CliResult, Failed};

/// A workload's read models, and the database made for them, if one was.
pub(super) struct BenchReadModels {
    /// The read models.
    pub read: ReadModels,
    database: Option<BenchDatabase>,
}

impl BenchReadModels {
    /// Closes the read models and drops the database made for them.
    pub(super) async fn close(self) -> CliResult {
        self.read.pool().close().await;
        if let Some(database) = self.database {
            database.drop_it().await?;
        }
        Ok(())
    }

    /// Where the read models are, as the figures name it (`sqlite`, `postgres`).
    pub(super) fn backend(&self) -> &'static str {
        dialect_name(self.read.dialect())
    }

    /// The PostgreSQL database the read models are in, if the bench made one.
    pub(super) fn database_url(&self) -> Option<&str> {
        self.database.as_ref().map(|d| d.url.as_str())
    }
}

/// The name the figures give read models of `dialect`.
pub(super) fn dialect_name(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => "sqlite",
        Dialect::Postgres => "postgres",
    }
}

/// The read models for a log at `path`: in its own file, or with `postgres` (a server URL) in
/// a fresh database there, which [`BenchReadModels::close`] drops.
pub(super) async fn read_models(path: &Path, postgres: Option<&str>) -> CliResult<BenchReadModels> {
    match postgres {
        None => Ok(BenchReadModels {
            read: ReadModels::sqlite(path).await?,
            database: None,
        }),
        Some(server) => {
            let database = BenchDatabase::create(server).await?;
            match ReadModels::postgres(&database.url).await {
                Ok(read) => Ok(BenchReadModels {
                    read,
                    database: Some(database),
                }),
                Err(err) => {
                    database.drop_it().await?;
                    Err(err.into())
                }
            }
        }
    }
}

/// A database of its own on the PostgreSQL server given, so the bench never touches anyone's
/// read models; dropped when the bench ends.
struct BenchDatabase {
    server: String,
    name: String,
    url: String,
}

impl BenchDatabase {
    async fn create(server: &str) -> CliResult<Self> {
        let mut conn = sqlx::PgConnection::connect(server).await.map_err(|err| {
            Failed::rejected(format!(
                "cannot reach PostgreSQL at {}: {err}; give a server the bench may create a database on (--postgres postgres://USER@HOST:PORT/postgres)",
                redacted(server)
            ))
        })?;
        let name = format!("scoreledger_bench_{}", new_id().simple());
        conn.execute(format!("CREATE DATABASE {name}").as_str())
            .await?;
        conn.close().await?;
        let base = server.rsplit_once('/').map_or(server, |(base, _)| base);
        let url = format!("{base}/{name}");
        Ok(Self {
            server: server.to_owned(),
            name,
            url,
        })
    }

    async fn drop_it(self) -> CliResult {
        let mut conn = sqlx::PgConnection::connect(&self.server).await?;
        conn.execute(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name).as_str())
            .await?;
        conn.close().await?;
        Ok(())
    }
}

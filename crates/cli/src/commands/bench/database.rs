//! Where a workload's read models live: the embedded default, in the log's own SQLite file,
//! or a database of the bench's own on a PostgreSQL server.

use std::path::Path;

use sqlx::{Connection, Executor};

use scoreledger_projections::ReadModels;
use scoreledger_store::{new_id, redacted};

use crate::failure::{CliResult, Failed};

/// The read models for a log at `path`: in its own file, or with `postgres` (a server URL) in
/// a fresh database there, which the caller drops when done.
pub(super) async fn read_models(
    path: &Path,
    postgres: Option<&str>,
) -> CliResult<(ReadModels, Option<BenchDatabase>)> {
    match postgres {
        None => Ok((ReadModels::sqlite(path).await?, None)),
        Some(server) => {
            let database = BenchDatabase::create(server).await?;
            match ReadModels::postgres(&database.url).await {
                Ok(read) => Ok((read, Some(database))),
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
pub(super) struct BenchDatabase {
    server: String,
    name: String,
    /// Its URL.
    pub url: String,
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

    pub(super) async fn drop_it(self) -> CliResult {
        let mut conn = sqlx::PgConnection::connect(&self.server).await?;
        conn.execute(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name).as_str())
            .await?;
        conn.close().await?;
        Ok(())
    }
}

//! `scoreledger migrate`: opening the log and read models already migrates them; this says
//! which migrations each database has.

use std::io::Write;

use crate::app::App;
use crate::failure::CliResult;
use crate::settings::{ReadModelLocation, Settings, StoreLocation};

/// Runs `migrate`.
pub async fn run(app: &App, settings: &Settings, out: &mut dyn Write) -> CliResult {
    let applied: Vec<(i64, String)> = sqlx::query_as(
        "SELECT version, description FROM _sqlx_migrations WHERE success ORDER BY version",
    )
    .fetch_all(app.read().pool())
    .await?;
    let read = match &settings.read_models {
        ReadModelLocation::Sqlite(path) => format!("SQLite {}", path.display()),
        ReadModelLocation::Postgres(url) => format!("PostgreSQL {url}"),
    };
    writeln!(out, "read models ({read}) are up to date:")?;
    for (version, description) in applied {
        writeln!(out, "  {version:04} {description}")?;
    }
    // Opening the log refused a stream that differs from the settings, so it is as they ask.
    if let StoreLocation::Nats {
        url,
        stream,
        replicas,
        ..
    } = &settings.store
    {
        writeln!(out, "log: NATS {url}, stream {stream} checked ({replicas} replica(s), file storage, deny delete and purge, no rollup)")?;
    }
    Ok(())
}

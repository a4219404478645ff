//! `scoreledger init`: create or migrate the database and say what it holds.

use std::io::Write;

use crate::app::App;
use crate::failure::CliResult;
use crate::settings::{ReadModelLocation, Settings, StoreLocation};

/// Runs `init`.
pub async fn run(app: &App, settings: &Settings, out: &mut dyn Write) -> CliResult {
    let checkpoint = app.catch_up().await?;
    let head = app.head().await?;
    let log = match &settings.store {
        StoreLocation::Sqlite(path) => format!("SQLite {}", path.display()),
        StoreLocation::Nats {
            url,
            stream,
            prefix,
            replicas,
            ..
        } => format!("NATS {url}, stream {stream} ({replicas} replica(s)), subjects {prefix}.>"),
    };
    let read = match &settings.read_models {
        ReadModelLocation::Sqlite(path) => format!("SQLite {}", path.display()),
        ReadModelLocation::Postgres(url) => format!("PostgreSQL {url}"),
    };
    writeln!(
        out,
        "log: {log}, {head} commits\nread models: {read}, at position {checkpoint}"
    )?;
    if head.0 == 0 {
        writeln!(out, "next: scoreledger import fixtures/corporate_plan_2016_17.json (or try scoreledger demo)")?;
    }
    Ok(())
}

//! `scoreledger backup DEST`: the log copied while in use, verified before it is called a
//! backup (`scoreledger_store::backup`).

use std::io::Write;
use std::sync::Arc;

use scoreledger_store::backup::{backup_logical, backup_sqlite, StoredLog, Summary};
use scoreledger_store::{NatsStore, SqliteStore, SystemClock};

use crate::args::{BackupArgs, BackupFormat};
use crate::failure::{CliResult, Failed};
use crate::progress::{advance, commits_bar};
use crate::settings::{Settings, StoreLocation};

/// Runs `backup`.
pub async fn run(settings: &Settings, args: &BackupArgs, out: &mut dyn Write) -> CliResult {
    // The embedded copy is taken in one statement; what takes time, and shows, is its check.
    let label = match (&settings.store, args.format) {
        (StoreLocation::Sqlite(_), None | Some(BackupFormat::Sqlite)) => "verifying the copy",
        _ => "backing up",
    };
    let bar = commits_bar(args.json, label);
    let (format, summary) = match &settings.store {
        StoreLocation::Sqlite(path) => {
            // Opening would create an empty log: a backup of nothing is a mistaken path.
            if !path.exists() {
                return Err(Failed::rejected(format!(
                    "there is no log at {}; say which to back up with --db PATH (or --store sqlite:PATH)",
                    path.display()
                )));
            }
            let store = SqliteStore::open_default(path).await?;
            let format = args.format.unwrap_or(BackupFormat::Sqlite);
            let summary = match format {
                BackupFormat::Sqlite => backup_sqlite(&store, &args.dest, advance(&bar)).await,
                BackupFormat::Jsonl => {
                    let origin = format!("sqlite:{}", path.display());
                    backup_logical(
                        StoredLog::Sqlite(store.pool()),
                        &origin,
                        &args.dest,
                        advance(&bar),
                    )
                    .await
                }
            };
            store.pool().close().await;
            (format, summary?)
        }
        nats @ StoreLocation::Nats { .. } => {
            if args.format == Some(BackupFormat::Sqlite) {
                return Err(Failed::rejected(
                    "a log on NATS is backed up as --format jsonl (the default there); to back up the server's whole JetStream store, see README.md, Backup and restore",
                ));
            }
            let config = nats
                .nats_config()
                .expect("a NATS location has a NATS configuration");
            let store = NatsStore::connect(config, Arc::new(SystemClock)).await?;
            let summary = backup_logical(
                StoredLog::Nats(&store),
                &store.origin(),
                &args.dest,
                advance(&bar),
            )
            .await?;
            (BackupFormat::Jsonl, summary)
        }
    };
    bar.finish_and_clear();
    print(args, format, &summary, out)
}

fn print(
    args: &BackupArgs,
    format: BackupFormat,
    summary: &Summary,
    out: &mut dyn Write,
) -> CliResult {
    let format = match format {
        BackupFormat::Sqlite => "sqlite",
        BackupFormat::Jsonl => "jsonl",
    };
    if args.json {
        let report = serde_json::json!({
            "file": args.dest.display().to_string(),
            "format": format,
            "commits": summary.commits,
            "streams": summary.streams,
            "head": summary.head,
            "head_hash": summary.head_hash,
            "verified": true,
        });
        writeln!(out, "{report}")?;
    } else {
        writeln!(
            out,
            "backed up {} commits in {} streams to {} ({format}): positions 1 to {}, head hash {}; the copy verifies",
            summary.commits,
            summary.streams,
            args.dest.display(),
            summary.head,
            summary.head_hash.as_deref().unwrap_or("none (the log is empty)"),
        )?;
    }
    Ok(())
}

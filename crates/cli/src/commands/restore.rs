//! `scoreledger restore SOURCE`: a verified backup into an empty log, at the same positions,
//! and read models that do not describe the restored log refused or rebuilt. Run again, an
//! interrupted restore onto NATS continues where it stopped.

use std::io::Write;
use std::sync::Arc;

use scoreledger_projections::{self as projections, Fit, ReadModels};
use scoreledger_store::backup::{republish, stage_sqlite, verify_source, BackupSource, Summary};
use scoreledger_store::{Commit, EventStore, NatsStore, Position, SystemClock};

use crate::args::RestoreArgs;
use crate::exit::Failure;
use crate::failure::{CliResult, Failed};
use crate::progress::{advance, commits_bar};
use crate::settings::{ReadModelLocation, Settings, StoreLocation};

/// What was done with the read models.
enum ReadModelsOutcome {
    /// They describe a prefix of the restored log (or nothing yet): kept.
    Kept(Position),
    /// They did not, and were rebuilt (`--rebuild`).
    Rebuilt(Position),
}

/// Runs `restore`.
pub async fn run(settings: &Settings, args: &RestoreArgs, out: &mut dyn Write) -> CliResult {
    let source = BackupSource::open(&args.source)?;
    // How many commits an interrupted restore into the same stream had already put back.
    let (summary, already_there, read_models) = match &settings.store {
        StoreLocation::Sqlite(target) => {
            let bar = commits_bar(args.json, "verifying the backup");
            let staged = stage_sqlite(&source, target, advance(&bar)).await?;
            bar.finish_and_clear();
            // Read models in the log's own file came with the backup: check those.
            let read = match &settings.read_models {
                ReadModelLocation::Sqlite(path) if path == target => {
                    ReadModels::sqlite(staged.path())
                        .await
                        .map_err(Failed::from)
                }
                _ => open_read_models(settings).await,
            };
            let settled = match read {
                Ok(read) => {
                    let settled =
                        settle(staged.store(), &staged.summary, &read, settings, args, None).await;
                    read.pool().close().await;
                    settled
                }
                Err(err) => Err(err),
            };
            match settled {
                Ok(outcome) => (staged.put_in_place().await?, 0, outcome),
                Err(err) => {
                    staged.discard().await;
                    return Err(err);
                }
            }
        }
        nats @ StoreLocation::Nats { .. } => {
            let config = nats
                .nats_config()
                .expect("a NATS location has a NATS configuration");
            let store = NatsStore::connect(config, Arc::new(SystemClock)).await?;
            let read = open_read_models(settings).await?;
            let from = projections::projected_from(&read).await?;
            let bar = commits_bar(args.json, "verifying the backup");
            let check = verify_source(
                &source,
                from.last_seen.as_ref().map(|seen| seen.position),
                advance(&bar),
            )
            .await?;
            bar.finish_and_clear();
            // Judged before anything is published, so a refusal restores nothing.
            let fit = from.fit(check.summary.head, check.kept.as_ref());
            refuse_unless_rebuilding(&fit, settings, args)?;
            let bar = commits_bar(args.json, "restoring");
            let republished = republish(&source, &check, &store, advance(&bar)).await?;
            bar.finish_and_clear();
            match republished.already_there {
                0 => {}
                all if all == republished.summary.head.0 => eprintln!(
                    "all {all} commits of the backup were already in the stream, byte for byte (the restore had finished); nothing was published"
                ),
                some => eprintln!(
                    "continued an interrupted restore: the first {some} commits were already in the stream, byte for byte as in the backup; published the rest"
                ),
            }
            let summary = republished.summary;
            let outcome = settle(&store, &summary, &read, settings, args, Some(fit)).await?;
            (summary, republished.already_there, outcome)
        }
    };
    print(args, &summary, already_there, &read_models, out)
}

async fn open_read_models(settings: &Settings) -> CliResult<ReadModels> {
    Ok(match &settings.read_models {
        ReadModelLocation::Sqlite(path) => ReadModels::sqlite(path).await?,
        ReadModelLocation::Postgres(url) => ReadModels::postgres(url.expose()).await?,
    })
}

/// Keeps read models that describe a prefix of the restored log; rebuilds the others with
/// `--rebuild`, and refuses them otherwise. `fit` is how they stood, if already judged.
async fn settle(
    store: &dyn EventStore,
    summary: &Summary,
    read: &ReadModels,
    settings: &Settings,
    args: &RestoreArgs,
    fit: Option<Fit>,
) -> CliResult<ReadModelsOutcome> {
    let fit = match fit {
        Some(fit) => fit,
        None => {
            let from = projections::projected_from(read).await?;
            let seen = match &from.last_seen {
                Some(seen) => commit_at(store, seen.position).await?,
                None => None,
            };
            from.fit(summary.head, seen.as_ref())
        }
    };
    if fit == Fit::Prefix {
        return Ok(ReadModelsOutcome::Kept(
            projections::checkpoint(read).await?,
        ));
    }
    refuse_unless_rebuilding(&fit, settings, args)?;
    let bar = commits_bar(args.json, "rebuilding the read models");
    bar.set_length(summary.head.0);
    let reached = projections::rebuild(store, read, 1000, |at| bar.set_position(at.0)).await?;
    bar.finish_and_clear();
    Ok(ReadModelsOutcome::Rebuilt(reached))
}

async fn commit_at(store: &dyn EventStore, position: Position) -> CliResult<Option<Commit>> {
    let found = store
        .read_all(Position(position.0.saturating_sub(1)), 1)
        .await?;
    Ok(found.into_iter().find(|commit| commit.position == position))
}

/// Refuses read models that do not describe the restored log, unless `--rebuild` was given.
fn refuse_unless_rebuilding(fit: &Fit, settings: &Settings, args: &RestoreArgs) -> CliResult {
    if args.rebuild {
        return Ok(());
    }
    let location = match &settings.read_models {
        ReadModelLocation::Sqlite(path) => path.display().to_string(),
        ReadModelLocation::Postgres(url) => url.to_string(),
    };
    let why = match fit {
        Fit::Prefix => return Ok(()),
        Fit::Ahead { checkpoint, head } => format!(
            "the read models in {location} have projected {checkpoint} commits, but the backup holds {head}: they describe a longer log (is the backup older than them?)"
        ),
        Fit::Diverged { position } => format!(
            "the read models in {location} were built from another log: its commit at position {position} is not the one they recorded"
        ),
    };
    Err(Failed {
        kind: Failure::Corrupt,
        error: anyhow::anyhow!(
            "{why}. Nothing was restored. Restore with --rebuild to rebuild them from the restored log (as `scoreledger rebuild` does), or give --db new, empty read models"
        ),
    })
}

fn print(
    args: &RestoreArgs,
    summary: &Summary,
    already_there: u64,
    read_models: &ReadModelsOutcome,
    out: &mut dyn Write,
) -> CliResult {
    let (done, at) = match read_models {
        ReadModelsOutcome::Kept(at) => ("kept", at),
        ReadModelsOutcome::Rebuilt(at) => ("rebuilt", at),
    };
    if args.json {
        let report = serde_json::json!({
            "source": args.source.display().to_string(),
            "commits": summary.commits,
            "streams": summary.streams,
            "head": summary.head,
            "head_hash": summary.head_hash,
            "already_there": already_there,
            "verified": true,
            "read_models": done,
            "read_models_at": at,
        });
        writeln!(out, "{report}")?;
    } else {
        writeln!(
            out,
            "restored {} commits in {} streams from {}: positions 1 to {}, head hash {}; the restored log verifies. The read models were {done} (at position {at}).",
            summary.commits,
            summary.streams,
            args.source.display(),
            summary.head,
            summary.head_hash.as_deref().unwrap_or("none (the backup is empty)"),
        )?;
    }
    Ok(())
}

//! `scoreledger bench verify`: how fast `verify` walks a log, beside the raw rate at which the
//! same store hands the same commits out.

use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};

use scoreledger_domain::{DomainEvent, Period, StreamId};
use scoreledger_integrity::LogKey;
use scoreledger_service::checkpoints::record_checkpoint;
use scoreledger_store::{
    keys_stream, verify_log, EventStore, ExecuteError, ExpectedVersion, NewCommit, Position,
    SqliteStore, StreamVersion,
};

use super::{Figures, Target};
use crate::args::BenchArgs;
use crate::failure::{CliResult, Failed};

/// Commits per generated batch (one transaction).
const BATCH: usize = 1000;
/// Streams the generated commits spread over.
const STREAMS: u64 = 1000;
/// Commits read per batch by the raw read.
const READ_BATCH: usize = 1000;

/// Runs `bench verify`.
pub(super) async fn run(args: &BenchArgs, out: &mut dyn Write) -> CliResult {
    let dir = tempfile::tempdir()?;
    let key = Arc::new(LogKey::generate("scoreledger.bench/verify").map_err(Failed::rejected)?);
    let store = SqliteStore::open_default(&dir.path().join("bench.db"))
        .await?
        .with_key(key.clone());
    generate(&store, &key, args.commits(), !args.json).await?;

    // The raw limit: the same commits, read in the same batches, checked for nothing.
    let head = store.head().await?;
    let started = Instant::now();
    let mut after = Position(0);
    while after < head {
        let batch = store.read_all(after, READ_BATCH).await?;
        after = batch.last().map_or(head, |c| c.position);
    }
    let raw = head.0 as f64 / started.elapsed().as_secs_f64();

    let started = Instant::now();
    let verification = verify_log(&store, |_, _| {}).await?;
    let ours = head.0 as f64 / started.elapsed().as_secs_f64();
    if let Some(finding) = verification.finding {
        return Err(Failed::rejected(format!(
            "the generated log does not verify: {finding}"
        )));
    }
    if !args.json {
        writeln!(
            out,
            "{} signed commits with {} checkpoints (embedded SQLite)",
            head.0, verification.checkpoints
        )?;
    }
    Figures::new(
        "verify",
        "sqlite",
        "commits",
        head.0,
        "read_all, 1,000 a batch, nothing checked",
        raw,
        ours,
        Target::Ratio(0.5),
    )
    .print(args.json, out)?;
    Ok(())
}

/// A signed log of `commits` data notes over many streams, a checkpoint every 1,000 (as
/// `serve` signs them by default).
async fn generate(store: &SqliteStore, key: &LogKey, commits: u64, show: bool) -> CliResult {
    let actor =
        scoreledger_domain::Actor::new("bench", "Benchmark", scoreledger_domain::Role::Performance);
    store
        .append(NewCommit::new(
            keys_stream(),
            ExpectedVersion::Exact(StreamVersion(0)),
            actor.clone(),
            vec![DomainEvent::SigningKeyAdded {
                key: key.public().text().to_owned(),
            }],
        ))
        .await
        .map_err(ExecuteError::from)?;
    let bar = if show {
        ProgressBar::new(commits)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{spinner} generating [{bar:40}] {pos}/{len} commits")
            .expect("static progress template")
            .progress_chars("=> "),
    );
    let mut versions = vec![0u64; STREAMS as usize];
    let mut written = 0u64;
    while written < commits {
        let batch: Vec<NewCommit> = (written..commits.min(written + BATCH as u64))
            .map(|i| {
                let stream = (i % STREAMS) as usize;
                let commit = NewCommit::new(
                    StreamId(format!("measure-bench{stream}")),
                    ExpectedVersion::Exact(StreamVersion(versions[stream])),
                    actor.clone(),
                    vec![DomainEvent::CommentaryEdited {
                        period: Period::quarter(2016, 3),
                        text: format!("note {i}"),
                    }],
                );
                versions[stream] += 1;
                commit
            })
            .collect();
        written += batch.len() as u64;
        store.append_all(batch).await.map_err(ExecuteError::from)?;
        if written.is_multiple_of(1_000) {
            record_checkpoint(store).await?;
        }
        bar.set_position(written);
    }
    bar.finish_and_clear();
    Ok(())
}

//! `scoreledger bench lag`: how long after a write is acknowledged the read models show it,
//! with writers appending data notes through the write path (`scoreledger_service::submit`)
//! and the projector running beside them as `serve` runs it, beside how long the store takes
//! to hand the same commit to a follower (`EventStore::follow`) in the same run: the raw limit
//! of any projection. The target (issue 13): p99 under 50 ms at 16 writers.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::StreamExt;
use serde::Serialize;

use scoreledger_projections::{self as projections, ReadModels};

use super::append::{check_writers, landed, write_notes, BenchLog};
use super::as_at::{millis, percentile};
use super::database::read_models;
use super::scorecard_log::define_plan;
use crate::args::BenchArgs;
use crate::failure::{CliResult, Failed};

/// How often the read models' position is read while writers append.
const POLL: Duration = Duration::from_millis(1);
/// How long the read models may take to reach the head once the writers stop.
const SETTLE: Duration = Duration::from_secs(120);

/// One number of writers' lags, as `--json` prints them.
#[derive(Debug, Serialize)]
struct Lags {
    workload: &'static str,
    backend: &'static str,
    read_models: &'static str,
    writers: usize,
    commits: u64,
    /// Acknowledged → visible in the read models.
    p50_ms: f64,
    p99_ms: f64,
    raw: &'static str,
    /// Acknowledged → handed to a follower.
    raw_p50_ms: f64,
    raw_p99_ms: f64,
    target_p99_ms: f64,
}

/// When each position was seen, by whom.
type Seen = Arc<Mutex<BTreeMap<u64, Instant>>>;

/// Runs `bench lag`.
pub(super) async fn run(args: &BenchArgs, out: &mut dyn Write) -> CliResult {
    let commits = args.commits();
    for &writers in &args.writers {
        check_writers(writers, args.streams)?;
        let dir = tempfile::tempdir()?;
        let log = BenchLog::open(dir.path(), args.nats.as_deref()).await?;
        let models =
            read_models(&log.read_models_file(dir.path()), args.postgres.as_deref()).await?;
        let measured = measure(&log, &models.read, writers, commits, args).await;
        let (backend, read_models) = (log.backend(), models.backend());
        models.close().await?;
        log.close().await?;
        let (ours, raw) = measured?;
        let lags = Lags {
            workload: "lag",
            backend,
            read_models,
            writers,
            commits,
            p50_ms: millis(percentile(&ours, 50)),
            p99_ms: millis(percentile(&ours, 99)),
            raw: "the store hands the commit to a follower",
            raw_p50_ms: millis(percentile(&raw, 50)),
            raw_p99_ms: millis(percentile(&raw, 99)),
            target_p99_ms: 50.0,
        };
        if args.json {
            writeln!(out, "{}", serde_json::to_string(&lags)?)?;
        } else {
            writeln!(
                out,
                "lag from an acknowledged write to the read models, {} log ({} read models), {writers} writers, {commits} commits\n  raw limit ({}): p50 {:.1} ms, p99 {:.1} ms\n  scoreledger:  p50 {:.1} ms, p99 {:.1} ms (target: p99 < 50 ms at 16 writers)",
                lags.backend, lags.read_models, lags.raw, lags.raw_p50_ms, lags.raw_p99_ms, lags.p50_ms, lags.p99_ms
            )?;
        }
    }
    Ok(())
}

/// Each commit's lag to the read models and to a follower, sorted.
async fn measure(
    log: &BenchLog,
    read: &ReadModels,
    writers: usize,
    commits: u64,
    args: &BenchArgs,
) -> CliResult<(Vec<Duration>, Vec<Duration>)> {
    let plan = define_plan(&*log.store, args.streams).await?;
    let head = projections::drain(&*log.store, read, 1000, |_| {}).await?;
    let (acked, projected, followed): (Seen, Seen, Seen) = Default::default();
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let stopped = |mut stopping: tokio::sync::watch::Receiver<bool>| async move {
        let _ = stopping.wait_for(|stop| *stop).await;
    };

    let projector = {
        let (store, read, stopping) = (log.store.clone(), read.clone(), stopping.clone());
        tokio::spawn(async move {
            projections::run_until_stopped(&*store, &read, stopped(stopping)).await
        })
    };
    let follower = {
        let (store, followed, stopping) = (log.store.clone(), followed.clone(), stopping.clone());
        tokio::spawn(async move {
            let mut follow = store.follow(head);
            let until = stopped(stopping);
            tokio::pin!(until);
            loop {
                tokio::select! {
                    () = &mut until => break,
                    next = follow.next() => match next {
                        Some(Ok(commit)) => {
                            seen(&followed, commit.position.0);
                        }
                        _ => break,
                    },
                }
            }
        })
    };
    let watcher = {
        let (read, projected, stopping) = (read.clone(), projected.clone(), stopping.clone());
        tokio::spawn(async move {
            let mut reached = head.0;
            while !*stopping.borrow() {
                if let Ok(at) = projections::checkpoint(&read).await {
                    for position in reached + 1..=at.0 {
                        seen(&projected, position);
                    }
                    reached = reached.max(at.0);
                }
                tokio::time::sleep(POLL).await;
            }
        })
    };

    let written = write_notes(log, &plan, (writers, commits), &|appended, _| {
        seen(&acked, appended.commit.position.0);
    })
    .await;
    // Every acknowledged commit reaches the read models, or the run says it did not.
    let last = log.store.head().await?;
    let settled = tokio::time::timeout(SETTLE, async {
        while projected.lock().expect("not poisoned").keys().next_back() < Some(&last.0) {
            tokio::time::sleep(POLL).await;
        }
    })
    .await;
    let _ = stop.send(true);
    let _ = follower.await;
    let _ = watcher.await;
    projector
        .await
        .map_err(|err| Failed::rejected(format!("the bench's projector failed: {err}")))??;
    written?;
    settled.map_err(|_| {
        Failed::rejected(format!(
            "the read models did not reach position {last} within {} s of the last write",
            SETTLE.as_secs()
        ))
    })?;
    landed(log, head, commits).await?;

    let acked = acked.lock().expect("not poisoned");
    let lags = |seen: &Seen| {
        let seen = seen.lock().expect("not poisoned");
        let mut lags: Vec<Duration> = acked
            .iter()
            .filter_map(|(position, at)| {
                seen.get(position).map(|s| s.saturating_duration_since(*at))
            })
            .collect();
        lags.sort();
        lags
    };
    let (ours, raw) = (lags(&projected), lags(&followed));
    if ours.len() as u64 != commits || raw.len() as u64 != commits {
        return Err(Failed::rejected(format!(
            "of {commits} commits acknowledged, {} were seen in the read models and {} by the follower",
            ours.len(),
            raw.len()
        )));
    }
    Ok((ours, raw))
}

fn seen(map: &Seen, position: u64) {
    map.lock()
        .expect("not poisoned")
        .entry(position)
        .or_insert_with(Instant::now);
}

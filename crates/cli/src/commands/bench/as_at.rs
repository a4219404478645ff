//! `scoreledger bench as-at`: how long the Q3 2016/17 scorecard takes to read from the read
//! models as at an old position and as at the head of a generated scorecard log, beside one
//! round trip to the same database (`SELECT 1`) measured in the same run. The targets are
//! latencies (issue 13: p50 under 20 ms, p99 under 50 ms with a million events logged).

use std::io::Write;
use std::time::{Duration, Instant};

use serde::Serialize;

use scoreledger_domain::{Period, Position};
use scoreledger_projections::{self as projections, ReadModels};
use scoreledger_store::{EventStore, SqliteStore};

use super::database::{dialect_name, read_models};
use super::scorecard_log::generate;
use crate::args::BenchArgs;
use crate::failure::{CliResult, Failed};

/// Timed queries at each position, after as many untimed ones to warm the caches.
const QUERIES: usize = 50;
const WARM_UP: usize = 3;

/// One position's latencies, as `--json` prints them.
#[derive(Debug, Serialize)]
struct Latencies {
    workload: &'static str,
    backend: &'static str,
    events: u64,
    /// `old` (a quarter of the way into the log) or `current` (the head).
    at: &'static str,
    position: u64,
    /// Measures on the scorecard read.
    rows: usize,
    p50_ms: f64,
    p99_ms: f64,
    raw: &'static str,
    raw_p50_ms: f64,
    raw_p99_ms: f64,
    target_p50_ms: f64,
    target_p99_ms: f64,
}

/// Runs `bench as-at`.
pub(super) async fn run(args: &BenchArgs, out: &mut dyn Write) -> CliResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("bench.db");
    let store = SqliteStore::open_default(&path).await?;
    let generated = generate(&store, args.commits(), !args.json).await?;
    let models = read_models(&path, args.postgres.as_deref()).await?;
    let measured = measure(&store, &models.read, generated.events, args.json, out).await;
    models.close().await?;
    measured
}

async fn measure(
    store: &SqliteStore,
    read: &ReadModels,
    events: u64,
    json: bool,
    out: &mut dyn Write,
) -> CliResult {
    let head = store.head().await?;
    let reached = projections::rebuild(store, read, 1000, |_| {}).await?;
    if reached != head {
        return Err(Failed::rejected(format!(
            "the read models reached position {reached}, not the head {head}"
        )));
    }
    let backend = dialect_name(read.dialect());
    let q3 = Period::quarter(2016, 3);
    for (at, position) in [("old", Position(head.0 / 4)), ("current", head)] {
        let (ours, rows) = timed(|| async {
            let scorecard = projections::scorecard_as_at(read, q3, position)
                .await?
                .ok_or_else(|| Failed::rejected("the generated plan does not cover Q3 2016/17"))?;
            Ok(scorecard.rows.len())
        })
        .await?;
        let (raw, ()) = timed(|| async {
            sqlx::query("SELECT 1").execute(read.pool()).await?;
            Ok(())
        })
        .await?;
        let latencies = Latencies {
            workload: "as-at",
            backend,
            events,
            at,
            position: position.0,
            rows,
            p50_ms: millis(percentile(&ours, 50)),
            p99_ms: millis(percentile(&ours, 99)),
            raw: "SELECT 1, one round trip",
            raw_p50_ms: millis(percentile(&raw, 50)),
            raw_p99_ms: millis(percentile(&raw, 99)),
            target_p50_ms: 20.0,
            target_p99_ms: 50.0,
        };
        if json {
            writeln!(out, "{}", serde_json::to_string(&latencies)?)?;
        } else {
            writeln!(
                out,
                "as-at Q3 2016/17 scorecard on {backend}, {events} events logged, at the {at} position {} ({} measures)\n  raw limit (SELECT 1): p50 {:.3} ms, p99 {:.3} ms\n  scoreledger:          p50 {:.1} ms, p99 {:.1} ms (target: p50 < 20 ms, p99 < 50 ms)",
                latencies.position,
                latencies.rows,
                latencies.raw_p50_ms,
                latencies.raw_p99_ms,
                latencies.p50_ms,
                latencies.p99_ms
            )?;
        }
    }
    Ok(())
}

/// Each run's duration, sorted, after the warm-up, and what the last run gave.
async fn timed<F, Fut, T>(mut run: F) -> CliResult<(Vec<Duration>, T)>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = CliResult<T>>,
{
    for _ in 0..WARM_UP {
        run().await?;
    }
    let mut durations = Vec::with_capacity(QUERIES);
    let mut last = None;
    for _ in 0..QUERIES {
        let started = Instant::now();
        last = Some(run().await?);
        durations.push(started.elapsed());
    }
    durations.sort();
    Ok((durations, last.expect("QUERIES is not zero")))
}

/// The `p`th percentile of sorted durations (nearest rank).
pub(super) fn percentile(sorted: &[Duration], p: usize) -> Duration {
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted[rank - 1]
}

/// Milliseconds to the microsecond.
pub(super) fn millis(duration: Duration) -> f64 {
    (duration.as_secs_f64() * 1_000_000.0).round() / 1_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_ranks() {
        let sorted: Vec<Duration> = (1..=50).map(Duration::from_millis).collect();
        assert_eq!(percentile(&sorted, 50), Duration::from_millis(25));
        assert_eq!(percentile(&sorted, 99), Duration::from_millis(50));
        assert_eq!(percentile(&sorted[..1], 99), Duration::from_millis(1));
    }
}

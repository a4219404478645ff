//! `scoreledger bench append`: data notes written through the write path
//! (`scoreledger_service::submit`, or `serve`'s routes with `--http`) by 1, 16 and 64
//! concurrent writers, each to streams of its own, beside the store's raw write rate measured
//! in the same run: one fsynced row per commit on SQLite, publishes pipelined 256 at a time
//! with the expected-last-sequence header (JetStream's optimistic concurrency) on NATS.

use std::collections::VecDeque;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use scoreledger_domain::{Actor, Command, Period, Role, TokenId};
use scoreledger_projections as projections;
use scoreledger_service::{submit, Submission};
use scoreledger_store::{
    new_id, Appended, EventStore, NatsConfig, NatsStore, Position, SqliteStore, SystemClock,
};

use super::as_at::{millis, percentile};
use super::database::read_models;
use super::scorecard_log::{define_plan, DefinedPlan};
use crate::args::BenchArgs;
use crate::commands::token::secret_sha256;
use crate::exit::Failure;
use crate::failure::{CliResult, Failed};

/// Rows the raw SQLite limit writes, one fsynced transaction each.
const RAW_SQLITE_ROWS: u64 = 5_000;
/// Messages the raw NATS limit publishes on each subject.
const RAW_NATS_PER_SUBJECT: u64 = 100;
/// Publishes the raw NATS limit keeps in flight.
const RAW_NATS_IN_FLIGHT: usize = 256;

/// One number of writers' figures, as `--json` prints them.
#[derive(Debug, Serialize)]
struct Appends {
    workload: &'static str,
    /// `library` or `http`.
    via: &'static str,
    /// The log (`sqlite`, `nats`).
    backend: &'static str,
    /// Where the read models are (`sqlite`, `postgres`).
    read_models: &'static str,
    writers: usize,
    streams: usize,
    unit: &'static str,
    count: u64,
    raw: &'static str,
    raw_per_second: f64,
    ours_per_second: f64,
    ratio: f64,
    p50_ms: f64,
    p99_ms: f64,
    /// Issue 13's targets for this workload, in words.
    target: &'static str,
}

/// Each of `writers` must have streams of its own among `streams`.
pub(super) fn check_writers(writers: usize, streams: usize) -> CliResult {
    if writers == 0 || writers > streams {
        return Err(Failed::rejected(format!(
            "{writers} writers cannot each have streams of their own among {streams}: give --writers between 1 and --streams"
        )));
    }
    Ok(())
}

/// Runs `bench append`.
pub(super) async fn run(args: &BenchArgs, out: &mut dyn Write) -> CliResult {
    let commits = args.commits();
    for &writers in &args.writers {
        check_writers(writers, args.streams)?;
        let dir = tempfile::tempdir()?;
        let log = BenchLog::open(dir.path(), args.nats.as_deref()).await?;
        let measured = measure(&log, dir.path(), writers, commits, args, out).await;
        log.close().await?;
        measured?;
    }
    Ok(())
}

async fn measure(
    log: &BenchLog,
    dir: &Path,
    writers: usize,
    commits: u64,
    args: &BenchArgs,
    out: &mut dyn Write,
) -> CliResult {
    let models = read_models(&log.read_models_file(dir), args.postgres.as_deref()).await?;
    let plan = define_plan(&*log.store, args.streams).await?;
    projections::drain(&*log.store, &models.read, 1000, |_| {}).await?;
    let (raw_name, raw) = log.raw_rate(dir, args.streams).await?;
    let timed = if args.http {
        over_http(log, &models.read, &plan, writers, commits).await
    } else {
        as_library(log, &plan, writers, commits).await
    };
    let read_models = models.backend();
    models.close().await?;
    let (elapsed, mut latencies) = timed?;
    latencies.sort();
    let ours = latencies.len() as f64 / elapsed.as_secs_f64();
    let figures = Appends {
        workload: "append",
        via: if args.http { "http" } else { "library" },
        backend: log.backend(),
        read_models,
        writers,
        streams: args.streams,
        unit: "commits",
        count: latencies.len() as u64,
        raw: raw_name,
        raw_per_second: raw.round(),
        ours_per_second: ours.round(),
        ratio: (ours / raw * 1000.0).round() / 1000.0,
        p50_ms: millis(percentile(&latencies, 50)),
        p99_ms: millis(percentile(&latencies, 99)),
        target: log.target(args.http),
    };
    if args.json {
        writeln!(out, "{}", serde_json::to_string(&figures)?)?;
    } else {
        writeln!(
            out,
            "append via {} on {} (read models on {}), {} writers over {} streams, {} commits\n  raw limit ({}): {:.0} commits/s\n  scoreledger: {:.0} commits/s, p50 {:.1} ms, p99 {:.1} ms\n  ratio {:.3} (target: {})",
            figures.via,
            figures.backend,
            figures.read_models,
            writers,
            args.streams,
            figures.count,
            figures.raw,
            figures.raw_per_second,
            figures.ours_per_second,
            figures.p50_ms,
            figures.p99_ms,
            figures.ratio,
            figures.target
        )?;
    }
    Ok(())
}

/// Writer `w`'s share of the commits: every `writers`th one, to the measures whose index
/// leaves `w` when divided by `writers`, so no two writers share a stream.
fn share(w: usize, writers: usize, commits: u64, measures: usize) -> Vec<usize> {
    let mine: Vec<usize> = (w..measures).step_by(writers).collect();
    (w as u64..commits)
        .step_by(writers)
        .enumerate()
        .map(|(k, _)| mine[k % mine.len()])
        .collect()
}

/// The quarter every note is written for.
fn quarter() -> Period {
    Period::quarter(2016, 3)
}

/// Writers calling `submit` in this process.
async fn as_library(
    log: &BenchLog,
    plan: &DefinedPlan,
    writers: usize,
    commits: u64,
) -> CliResult<(Duration, Vec<Duration>)> {
    let before = log.store.head().await?;
    let latencies = std::sync::Mutex::new(Vec::with_capacity(commits as usize));
    let started = Instant::now();
    write_notes(log, plan, (writers, commits), &|_, took| {
        latencies.lock().expect("not poisoned").push(took);
    })
    .await?;
    let elapsed = started.elapsed();
    landed(log, before, commits).await?;
    Ok((elapsed, latencies.into_inner().expect("not poisoned")))
}

/// `writers` writers (of `commits` in all), each to measures of its own, writing data notes
/// through `submit`; `acked` hears of each commit as it is acknowledged, with how long that
/// took.
pub(super) async fn write_notes(
    log: &BenchLog,
    plan: &DefinedPlan,
    (writers, commits): (usize, u64),
    acked: &(dyn Fn(&Appended, Duration) + Sync),
) -> CliResult {
    let actor = Actor::new("bench", "Performance team", Role::Performance);
    let tasks = (0..writers).map(|w| {
        let actor = &actor;
        let targets = share(w, writers, commits, plan.measures.len());
        async move {
            for (k, measure) in targets.into_iter().enumerate() {
                let stream = plan.measures[measure].0.stream();
                let command = Command::EditCommentary {
                    period: quarter(),
                    text: format!("note {k} by writer {w}"),
                };
                let began = Instant::now();
                let appended = submit(
                    &*log.store,
                    Submission {
                        actor,
                        stream: &stream,
                        plan_id: Some(plan.plan_id),
                        commands: std::slice::from_ref(&command),
                        reason: None,
                        on_behalf_of: None,
                        reported: None,
                        commit_id: None,
                        if_version: None,
                    },
                )
                .await
                .map_err(Failed::from)?;
                acked(&appended, began.elapsed());
            }
            CliResult::Ok(())
        }
    });
    futures::future::try_join_all(tasks).await?;
    Ok(())
}

/// Checks that the log grew by exactly the commits acknowledged.
pub(super) async fn landed(log: &BenchLog, before: Position, commits: u64) -> CliResult {
    let head = log.store.head().await?;
    if head.0 - before.0 != commits {
        return Err(Failed::rejected(format!(
            "{commits} commits were acknowledged but the log grew from position {before} to {head}"
        )));
    }
    Ok(())
}

/// Writers posting to `serve`'s routes on a loopback port, with the projector running beside
/// them as `serve` runs it.
async fn over_http(
    log: &BenchLog,
    read: &projections::ReadModels,
    plan: &DefinedPlan,
    writers: usize,
    commits: u64,
) -> CliResult<(Duration, Vec<Duration>)> {
    let secret = format!("bench-{}-{}", new_id().simple(), new_id().simple());
    let admin = Actor::new("bench-admin", "Benchmark", Role::Admin);
    let token_id = TokenId(new_id());
    submit(
        &*log.store,
        Submission {
            actor: &admin,
            stream: &token_id.stream(),
            plan_id: None,
            commands: &[Command::IssueToken {
                token_id,
                user_id: "bench".into(),
                name: "Performance team".into(),
                role: Role::Performance,
                directorate: None,
                secret_sha256: secret_sha256(&secret),
                expires_on: None,
            }],
            reason: None,
            on_behalf_of: None,
            reported: None,
            commit_id: None,
            if_version: None,
        },
    )
    .await
    .map_err(Failed::from)?;
    projections::drain(&*log.store, read, 1000, |_| {}).await?;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let state = scoreledger_server::ServerState::new(
        log.store.clone(),
        read.clone(),
        Arc::new(SystemClock),
    );
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let stopped = |mut stopping: tokio::sync::watch::Receiver<bool>| async move {
        let _ = stopping.wait_for(|stop| *stop).await;
    };
    let server = tokio::spawn(scoreledger_server::serve(
        listener,
        state,
        stopped(stopping.clone()),
    ));
    let store = log.store.clone();
    let projected_into = read.clone();
    let projector = tokio::spawn(async move {
        projections::run_until_stopped(&*store, &projected_into, stopped(stopping)).await
    });

    let client = reqwest::Client::new();
    let before = log.store.head().await?;
    let started = Instant::now();
    let tasks = (0..writers).map(|w| {
        let (client, base, secret) = (&client, &base, &secret);
        let targets = share(w, writers, commits, plan.measures.len());
        async move {
            let mut latencies = Vec::with_capacity(targets.len());
            for (k, measure) in targets.into_iter().enumerate() {
                let url = format!("{base}/api/measures/{}/notes", plan.measures[measure].1);
                let body = serde_json::json!({
                    "period": quarter().to_string(),
                    "text": format!("note {k} by writer {w}"),
                });
                let began = Instant::now();
                let response = client
                    .post(&url)
                    .bearer_auth(secret)
                    .json(&body)
                    .send()
                    .await
                    .map_err(|err| unavailable(&format!("POST {url}"), err))?;
                if response.status() != reqwest::StatusCode::CREATED {
                    let status = response.status();
                    let text = response.text().await.unwrap_or_default();
                    return Err(Failed::rejected(format!(
                        "POST {url} answered {status}: {text}"
                    )));
                }
                latencies.push(began.elapsed());
            }
            CliResult::Ok(latencies)
        }
    });
    let all = futures::future::try_join_all(tasks).await;
    let elapsed = started.elapsed();
    let _ = stop.send(true);
    server
        .await
        .map_err(|err| unavailable("the bench's HTTP service", err))??;
    projector
        .await
        .map_err(|err| unavailable("the bench's projector", err))??;
    let all = all?;
    landed(log, before, commits).await?;
    Ok((elapsed, all.into_iter().flatten().collect()))
}

/// The log a run writes to: a SQLite file in the run's directory, or streams of the bench's
/// own on a NATS server.
pub(super) struct BenchLog {
    pub(super) store: Arc<dyn EventStore>,
    nats: Option<NatsBench>,
}

/// The NATS server and the JetStream streams a run made there.
struct NatsBench {
    url: String,
    /// The log's stream, then the raw limit's.
    streams: [String; 2],
    /// The raw limit's subject prefix.
    raw_prefix: String,
}

impl BenchLog {
    pub(super) async fn open(dir: &Path, nats: Option<&str>) -> CliResult<Self> {
        match nats {
            None => Ok(Self {
                store: Arc::new(SqliteStore::open_default(&dir.join("bench.db")).await?),
                nats: None,
            }),
            Some(url) => {
                let id = new_id().simple().to_string();
                let mut config = NatsConfig::new(url);
                config.stream = format!("BENCH_{id}");
                config.prefix = format!("bench{id}");
                let store = NatsStore::connect(config, Arc::new(SystemClock)).await?;
                Ok(Self {
                    store: Arc::new(store),
                    nats: Some(NatsBench {
                        url: url.to_owned(),
                        streams: [format!("BENCH_{id}"), format!("BENCH_RAW_{id}")],
                        raw_prefix: format!("benchraw{id}"),
                    }),
                })
            }
        }
    }

    pub(super) fn backend(&self) -> &'static str {
        if self.nats.is_some() {
            "nats"
        } else {
            "sqlite"
        }
    }

    /// Where the embedded read models go: the log's own file, as `serve` keeps them by
    /// default, or a file beside a NATS log.
    pub(super) fn read_models_file(&self, dir: &Path) -> std::path::PathBuf {
        dir.join(if self.nats.is_some() {
            "read.db"
        } else {
            "bench.db"
        })
    }

    fn target(&self, http: bool) -> &'static str {
        match (self.nats.is_some(), http) {
            (true, false) => "ratio ≥ 0.5 of pipelined JetStream publishes",
            (_, true) => "≥ 5,000 commits/s at 64 writers (and ≥ 1 × the raw SQLite rate at 16 on SQLite), p99 < 50 ms at 16",
            (false, false) => "≥ 1 × the raw rate at 16 writers (group commit)",
        }
    }

    /// The store's raw write rate, measured now, and what it is.
    async fn raw_rate(&self, dir: &Path, subjects: usize) -> CliResult<(&'static str, f64)> {
        match &self.nats {
            None => Ok((
                "SQLite WAL, one row per fsynced commit",
                raw_sqlite(&dir.join("raw.db")).await?,
            )),
            Some(nats) => Ok((
                "JetStream publishes pipelined (up to 256 in flight), expected-last-subject-sequence header",
                raw_nats(nats, subjects).await?,
            )),
        }
    }

    /// Deletes the NATS streams the run made.
    pub(super) async fn close(self) -> CliResult {
        let Some(nats) = self.nats else {
            return Ok(());
        };
        drop(self.store);
        let client = async_nats::connect(&nats.url)
            .await
            .map_err(|err| unavailable(&format!("NATS at {}", nats.url), err))?;
        let context = async_nats::jetstream::new(client);
        for stream in &nats.streams {
            // The raw limit's stream does not exist if the run failed before it.
            let _ = context.delete_stream(stream).await;
        }
        Ok(())
    }
}

/// Rows inserted one per transaction, each fsynced, into a table of their own in a file with
/// the log's settings (WAL, `synchronous = FULL`).
async fn raw_sqlite(path: &Path) -> CliResult<f64> {
    let pool = scoreledger_store::sqlite::open_database(path).await?;
    sqlx::query(
        "CREATE TABLE raw (position INTEGER PRIMARY KEY, stream TEXT NOT NULL, body TEXT NOT NULL)",
    )
    .execute(&pool)
    .await?;
    let body = "x".repeat(400);
    let started = Instant::now();
    for n in 0..RAW_SQLITE_ROWS {
        sqlx::query("INSERT INTO raw (stream, body) VALUES (?, ?)")
            .bind(format!("measure-{}", n % 1000))
            .bind(&body)
            .execute(&pool)
            .await?;
    }
    let rate = RAW_SQLITE_ROWS as f64 / started.elapsed().as_secs_f64();
    pool.close().await;
    Ok(rate)
}

/// Messages published round the subjects, each expecting the sequence of the subject's last
/// message (as the log's appends do), with up to `RAW_NATS_IN_FLIGHT` acknowledgements
/// awaited at a time, into a file-backed stream of its own.
async fn raw_nats(nats: &NatsBench, subjects: usize) -> CliResult<f64> {
    use async_nats::jetstream::stream;

    let client = async_nats::connect(&nats.url)
        .await
        .map_err(|err| unavailable(&format!("NATS at {}", nats.url), err))?;
    let context = async_nats::jetstream::new(client);
    context
        .create_stream(stream::Config {
            name: nats.streams[1].clone(),
            subjects: vec![format!("{}.>", nats.raw_prefix)],
            storage: stream::StorageType::File,
            allow_direct: true,
            ..Default::default()
        })
        .await
        .map_err(|err| unavailable("cannot create the raw limit's stream", err))?;
    let total = subjects as u64 * RAW_NATS_PER_SUBJECT;
    let payload = bytes_of(400);
    let mut last = vec![0_u64; subjects];
    // A subject's next message expects the sequence of its previous one, which must have been
    // acknowledged first: never more in flight than there are subjects.
    let window = RAW_NATS_IN_FLIGHT.min(subjects);
    let mut in_flight = VecDeque::with_capacity(window);
    let started = Instant::now();
    for n in 0..total {
        if in_flight.len() == window {
            settle(&mut in_flight, &mut last).await?;
        }
        let subject = (n % subjects as u64) as usize;
        let mut headers = async_nats::HeaderMap::new();
        headers.insert(
            "Nats-Expected-Last-Subject-Sequence",
            last[subject].to_string().as_str(),
        );
        let ack = context
            .publish_with_headers(
                format!("{}.measure.{subject}", nats.raw_prefix),
                headers,
                payload.clone(),
            )
            .await
            .map_err(|err| unavailable("a raw publish failed", err))?;
        in_flight.push_back((subject, ack));
    }
    while !in_flight.is_empty() {
        settle(&mut in_flight, &mut last).await?;
    }
    Ok(total as f64 / started.elapsed().as_secs_f64())
}

/// Awaits the oldest publish in flight and notes its subject's new last sequence. With more
/// subjects than publishes in flight, a subject's previous message is always settled before
/// its next is sent.
async fn settle(
    in_flight: &mut VecDeque<(usize, async_nats::jetstream::context::PublishAckFuture)>,
    last: &mut [u64],
) -> CliResult {
    let (subject, ack) = in_flight
        .pop_front()
        .expect("called with publishes in flight");
    let ack = ack
        .await
        .map_err(|err| unavailable("a raw publish was refused", err))?;
    last[subject] = ack.sequence;
    Ok(())
}

fn bytes_of(len: usize) -> bytes::Bytes {
    bytes::Bytes::from(vec![b'x'; len])
}

/// A service the bench needs (the NATS server, its own HTTP routes) failed it.
fn unavailable(what: &str, err: impl std::fmt::Display) -> Failed {
    Failed {
        kind: Failure::Unavailable,
        error: anyhow::anyhow!("{what}: {err}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writers_share_the_commits_and_never_a_stream() {
        let shares: Vec<Vec<usize>> = (0..3).map(|w| share(w, 3, 10, 7)).collect();
        assert_eq!(shares.iter().map(Vec::len).sum::<usize>(), 10);
        assert_eq!(shares[0], vec![0, 3, 6, 0]);
        assert_eq!(shares[1], vec![1, 4, 1]);
        for (w, mine) in shares.iter().enumerate() {
            assert!(mine.iter().all(|m| m % 3 == w), "{mine:?}");
        }
    }
}

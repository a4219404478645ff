//! `scoreledger bench rebuild`: how fast `rebuild` replays a scorecard log into the read
//! models, beside the raw rate at which the same database takes the same events as plain rows
//! (read from the same log in the same batches, one row per event with its JSON): multi-row
//! INSERTs on SQLite, COPY on PostgreSQL.

use std::io::Write;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use sqlx::{Connection, Executor};

use scoreledger_projections::{self as projections, Dialect, ReadModels};
use scoreledger_store::{new_id, redacted, Commit, EventStore, Position, SqliteStore};

use super::scorecard_log::{generate, MEASURES};
use super::{Figures, Target};
use crate::args::BenchArgs;
use crate::failure::{CliResult, Failed};

/// Commits per batch, read and written, by both the rebuild and the raw load.
const BATCH: usize = 1000;
/// Rows per multi-row INSERT on SQLite (5 parameters a row, well under SQLite's limit).
const ROWS_PER_INSERT: usize = 500;

/// Runs `bench rebuild`.
pub(super) async fn run(args: &BenchArgs, out: &mut dyn Write) -> CliResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("bench.db");
    let store = SqliteStore::open_default(&path).await?;
    let generated = generate(&store, args.commits, !args.json).await?;
    match &args.postgres {
        None => {
            // The embedded default: the read models in the log's own file.
            let read = ReadModels::sqlite(&path).await?;
            measure(&store, &read, None, generated.events, args, out).await
        }
        Some(server) => {
            let database = BenchDatabase::create(server).await?;
            let outcome = async {
                let read = ReadModels::postgres(&database.url).await?;
                let measured = measure(
                    &store,
                    &read,
                    Some(&database.url),
                    generated.events,
                    args,
                    out,
                )
                .await;
                read.pool().close().await;
                measured
            }
            .await;
            database.drop_it().await?;
            outcome
        }
    }
}

/// `copy_to` is the PostgreSQL database `read` is in, which the raw load copies into.
async fn measure(
    store: &SqliteStore,
    read: &ReadModels,
    copy_to: Option<&str>,
    events: u64,
    args: &BenchArgs,
    out: &mut dyn Write,
) -> CliResult {
    let head = store.head().await?;
    let started = Instant::now();
    raw_load(store, read, copy_to).await?;
    let raw = events as f64 / started.elapsed().as_secs_f64();

    let bar = if args.json {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(head.0)
    };
    bar.set_style(
        ProgressStyle::with_template("{spinner} rebuilding [{bar:40}] {pos}/{len} commits")
            .expect("static progress template")
            .progress_chars("=> "),
    );
    let started = Instant::now();
    let reached = projections::rebuild(store, read, BATCH, |at| bar.set_position(at.0)).await?;
    let ours = events as f64 / started.elapsed().as_secs_f64();
    bar.finish_and_clear();
    if reached != head {
        return Err(Failed::rejected(format!(
            "the rebuild reached position {reached}, not the head {head}"
        )));
    }
    let (backend, raw_kind, target) = match read.dialect() {
        Dialect::Sqlite => (
            "sqlite",
            "multi-row INSERT, one row per event, 1,000 commits a transaction",
            Target::PerSecond(100_000.0),
        ),
        Dialect::Postgres => (
            "postgres",
            "COPY, one row per event, 1,000 commits a COPY",
            Target::Ratio(0.5),
        ),
    };
    if !args.json {
        writeln!(
            out,
            "{events} events in {} commits: a plan, {MEASURES} measures, monthly values, quarterly assessments and notes, revisions",
            head.0
        )?;
    }
    Figures::new(
        "rebuild", backend, "events", events, raw_kind, raw, ours, target,
    )
    .print(args.json, out)
}

/// The raw limit: every event of the log as a row of a plain table, in the rebuild's batches.
async fn raw_load(store: &SqliteStore, read: &ReadModels, copy_to: Option<&str>) -> CliResult {
    let pool = read.pool();
    pool.execute("DROP TABLE IF EXISTS bench_raw").await?;
    pool.execute(
        "CREATE TABLE bench_raw (position BIGINT NOT NULL, seq BIGINT NOT NULL, \
         stream TEXT NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL)",
    )
    .await?;
    let mut copy = match copy_to {
        Some(url) => Some(sqlx::PgConnection::connect(url).await?),
        None => None,
    };
    let head = store.head().await?;
    let mut after = Position(0);
    while after < head {
        let commits = store.read_all(after, BATCH).await?;
        after = commits.last().map_or(head, |c| c.position);
        let rows = rows(&commits);
        match &mut copy {
            Some(conn) => copy_rows(conn, &rows).await?,
            None => insert_rows(read, &rows).await?,
        }
    }
    if let Some(conn) = copy {
        conn.close().await?;
    }
    pool.execute("DROP TABLE bench_raw").await?;
    Ok(())
}

/// One row per event: position, its place in the commit, stream, type and payload.
fn rows(commits: &[Commit]) -> Vec<(i64, i64, String, String, String)> {
    commits
        .iter()
        .flat_map(|commit| {
            commit.events.iter().enumerate().map(|(seq, event)| {
                (
                    commit.position.0 as i64,
                    seq as i64,
                    commit.stream.as_str().to_owned(),
                    event.event_type.clone(),
                    event.payload.to_string(),
                )
            })
        })
        .collect()
}

async fn insert_rows(read: &ReadModels, rows: &[(i64, i64, String, String, String)]) -> CliResult {
    let mut tx = read.pool().begin().await?;
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| {
                let n = i * 5;
                format!(
                    "(${}, ${}, ${}, ${}, ${})",
                    n + 1,
                    n + 2,
                    n + 3,
                    n + 4,
                    n + 5
                )
            })
            .collect();
        let sql = format!("INSERT INTO bench_raw VALUES {}", values.join(", "));
        let mut query = sqlx::query(&sql);
        for (position, seq, stream, kind, payload) in chunk {
            query = query
                .bind(*position)
                .bind(*seq)
                .bind(stream.as_str())
                .bind(kind.as_str())
                .bind(payload.as_str());
        }
        query.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn copy_rows(
    conn: &mut sqlx::PgConnection,
    rows: &[(i64, i64, String, String, String)],
) -> CliResult {
    let mut text = String::new();
    for (position, seq, stream, kind, payload) in rows {
        text.push_str(&format!(
            "{position}\t{seq}\t{}\t{}\t{}\n",
            copy_text(stream),
            copy_text(kind),
            copy_text(payload)
        ));
    }
    let mut copy = conn
        .copy_in_raw("COPY bench_raw (position, seq, stream, kind, payload) FROM STDIN")
        .await?;
    copy.send(text.into_bytes()).await?;
    copy.finish().await?;
    Ok(())
}

/// A value in COPY's text format: backslash, tab, newline and carriage return escaped.
fn copy_text(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('\t', "\\t")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
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

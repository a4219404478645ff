//! `scoreledger bench rebuild`: how fast `rebuild` replays a scorecard log into the read
//! models, beside the raw rate at which the same database takes the same events as plain rows
//! (read from the same log in the same batches, one row per event with its JSON): multi-row
//! INSERTs on SQLite, COPY on PostgreSQL.

use std::io::Write;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use sqlx::{Connection, Executor};

use scoreledger_projections::{self as projections, Dialect, ReadModels};
use scoreledger_store::{Commit, EventStore, Position, SqliteStore};

use super::database::read_models;
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
    let generated = generate(&store, args.commits(), !args.json).await?;
    let models = read_models(&path, args.postgres.as_deref()).await?;
    let measured = measure(
        &store,
        &models.read,
        models.database_url(),
        generated.events,
        args,
        out,
    )
    .await;
    models.close().await?;
    measured
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
        // Plain `?`: SQLite binds numbered parameters by scanning every parameter's name.
        let values = vec!["(?, ?, ?, ?, ?)"; chunk.len()];
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

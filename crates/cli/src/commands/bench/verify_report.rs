//! `scoreledger bench verify-report`: how fast a publication is proved from the log, as `report
//! rebuild` and `GET /api/reports/{id}/verification` prove it (the log replayed to the
//! report's cut-off into fresh read models, the report rebuilt and hashed), for the Q3 2016/17
//! report of a generated scorecard log published at its head, beside the raw rate at which the
//! same store hands out the same commits in the same run.

use std::io::Write;
use std::time::Instant;

use chrono::NaiveDate;

use scoreledger_domain::{Actor, Period, ReportId, Role};
use scoreledger_projections as projections;
use scoreledger_service::{publication, submit, verify_publication, Submission};
use scoreledger_store::{new_id, EventStore, Position, SqliteStore};

use super::database::read_models;
use super::scorecard_log::generate;
use super::{Figures, Target};
use crate::args::BenchArgs;
use crate::failure::{CliResult, Failed};

/// Commits read per batch by the raw read.
const READ_BATCH: usize = 1000;

/// Runs `bench verify-report`.
pub(super) async fn run(args: &BenchArgs, out: &mut dyn Write) -> CliResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("bench.db");
    let store = SqliteStore::open_default(&path).await?;
    let generated = generate(&store, args.commits(), !args.json).await?;
    let models = read_models(&path, None).await?;
    let measured = measure(&store, &models.read, generated.events, args, out).await;
    models.close().await?;
    measured
}

async fn measure(
    store: &SqliteStore,
    read: &projections::ReadModels,
    events: u64,
    args: &BenchArgs,
    out: &mut dyn Write,
) -> CliResult {
    let cut_off = projections::rebuild(store, read, 1000, |_| {}).await?;
    let report_id = ReportId(new_id());
    let on = NaiveDate::from_ymd_opt(2017, 1, 13).expect("a date");
    let (command, _) = publication(
        read,
        Period::quarter(2016, 3),
        cut_off,
        "Cabinet",
        on,
        report_id,
    )
    .await?;
    let team = Actor::new("bench", "Performance team", Role::Performance);
    submit(
        store,
        Submission {
            actor: &team,
            stream: &report_id.stream(),
            plan_id: None,
            commands: std::slice::from_ref(&command),
            reason: None,
            on_behalf_of: None,
            reported: None,
            commit_id: None,
            if_version: None,
        },
    )
    .await?;
    projections::drain(store, read, 1000, |_| {}).await?;
    let published = projections::all_publications(read)
        .await?
        .into_iter()
        .find(|p| p.report_id == report_id.to_string())
        .ok_or_else(|| Failed::rejected("the report published is not in the read models"))?;

    // The raw limit: the commits up to the cut-off, read in batches, checked for nothing.
    let started = Instant::now();
    let mut after = Position(0);
    while after < cut_off {
        let batch = store.read_all(after, READ_BATCH).await?;
        after = batch.last().map_or(cut_off, |c| c.position);
    }
    let raw = events as f64 / started.elapsed().as_secs_f64();

    let started = Instant::now();
    let verification = verify_publication(store, read, &published).await?;
    let ours = events as f64 / started.elapsed().as_secs_f64();
    if !verification.verified || !verification.read_models_agree {
        return Err(Failed::rejected(format!(
            "the publication does not verify: replayed {} against published {}",
            verification.replayed_sha256, verification.sha256
        )));
    }
    if !args.json {
        writeln!(
            out,
            "the Q3 2016/17 report published at position {cut_off} ({} commits replayed), verified",
            verification.commits_replayed
        )?;
    }
    Figures::new(
        "verify-report",
        "sqlite",
        "events",
        events,
        "read_all to the cut-off, 1,000 a batch, nothing checked",
        raw,
        ours,
        Target::Unset,
    )
    .print(args.json, out)
}

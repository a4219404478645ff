//! `scoreledger report`: the quarterly scorecard, now or as it stood.

use std::io::Write;

use chrono::{Days, NaiveTime, TimeZone, Utc};
use scoreledger_domain::{Period, Position};
use scoreledger_projections::{self as projections, ReadModels};
use scoreledger_reports::{build_quarter_report, first_difference, render, QuarterReport};

use crate::app::{date, App};
use crate::args::{ReportAction, ReportArgs, ReportFormat};
use crate::exit::Failure;
use crate::failure::{CliResult, Failed};

/// Which position a report is wanted at.
#[derive(Debug, Clone, Copy)]
pub enum AsAt {
    /// Everything known now.
    Now,
    /// The end of a day (UTC).
    EndOf(chrono::NaiveDate),
    /// A log position.
    Position(Position),
}

/// Resolves `as_at` to a position of the (caught-up) read models.
pub async fn position(app: &App, as_at: AsAt) -> CliResult<Position> {
    let now = app.catch_up().await?;
    Ok(match as_at {
        AsAt::Now => now,
        AsAt::Position(p) => {
            if p > now {
                return Err(Failed::rejected(format!(
                    "position {p} is beyond the end of the log ({now})"
                )));
            }
            p
        }
        AsAt::EndOf(day) => {
            let next = day
                .checked_add_days(Days::new(1))
                .expect("dates far from the end of time");
            let moment = Utc.from_utc_datetime(&next.and_time(NaiveTime::MIN));
            projections::position_before(app.read(), moment).await?
        }
    })
}

/// Builds the report of `period` at `position`.
pub async fn build(app: &App, period: Period, position: Position) -> CliResult<QuarterReport> {
    let scorecard = projections::scorecard_as_at(app.read(), period, position)
        .await?
        .ok_or_else(|| {
            Failed::rejected(format!(
                "no plan covers {period} at position {position}; import one first (scoreledger import FILE)"
            ))
        })?;
    Ok(build_quarter_report(&scorecard))
}

/// Runs `report`.
pub async fn run(app: &App, args: &ReportArgs, out: &mut dyn Write) -> CliResult {
    match &args.action {
        Some(ReportAction::List { json }) => return list(app, *json, out).await,
        Some(ReportAction::Rebuild { id }) => return rebuild(app, id, out).await,
        None => {}
    }
    let Some(period) = &args.period else {
        return Err(Failed::rejected(
            "say which report: --period \"Q3 2016/17\", or `report list` / `report rebuild ID` for published ones",
        ));
    };
    let period = crate::app::period(period)?;
    let as_at = match (&args.as_at, args.position) {
        (Some(day), _) => AsAt::EndOf(date(day)?),
        (None, Some(p)) => AsAt::Position(Position(p)),
        (None, None) => AsAt::Now,
    };
    let position = position(app, as_at).await?;
    let report = build(app, period, position).await?;
    match args.format {
        ReportFormat::Table => {
            write!(out, "{}", render::table(&report))?;
            writeln!(out, "sha256 {}", report.sha256())?;
        }
        ReportFormat::Csv => write!(out, "{}", render::csv(&report))?,
        ReportFormat::Json => {
            writeln!(out, "{}", report.canonical_json())?;
            eprintln!("sha256 {}", report.sha256());
        }
    }
    Ok(())
}

/// `report list`: every publication.
async fn list(app: &App, json: bool, out: &mut dyn Write) -> CliResult {
    app.catch_up().await?;
    let publications = projections::all_publications(app.read()).await?;
    if json {
        for publication in &publications {
            writeln!(
                out,
                "{}",
                serde_json::to_string(publication).expect("publications serialise")
            )?;
        }
        return Ok(());
    }
    if publications.is_empty() {
        writeln!(
            out,
            "no report has been published; publish one with `scoreledger publish`"
        )?;
        return Ok(());
    }
    let mut table = comfy_table::Table::new();
    table
        .load_preset(comfy_table::presets::UTF8_FULL_CONDENSED)
        .set_header(vec![
            "Id",
            "Period",
            "Meeting",
            "Published",
            "Cut-off",
            "SHA-256",
        ]);
    for p in &publications {
        table.add_row(vec![
            p.report_id.clone(),
            p.period.clone(),
            p.meeting.clone(),
            p.published_on.clone(),
            p.cut_off.to_string(),
            format!("{}…", &p.sha256[..16]),
        ]);
    }
    writeln!(out, "{table}")?;
    Ok(())
}

/// `report rebuild ID`: replay to the cut-off into fresh read models and compare hashes.
async fn rebuild(app: &App, id: &str, out: &mut dyn Write) -> CliResult {
    app.catch_up().await?;
    let wanted = id.trim().to_ascii_lowercase();
    let matching: Vec<_> = projections::all_publications(app.read())
        .await?
        .into_iter()
        .filter(|p| p.report_id.starts_with(&wanted))
        .collect();
    let publication = match matching.as_slice() {
        [one] => one.clone(),
        [] => {
            return Err(Failed::rejected(format!(
                "no published report has an id starting {id:?}; see `scoreledger report list`"
            )))
        }
        _ => {
            return Err(Failed::rejected(format!(
                "{} published reports have ids starting {id:?}; give more of the id",
                matching.len()
            )))
        }
    };
    let period = crate::app::period(&publication.period)?;
    let cut_off = Position(publication.cut_off as u64);

    // A replay proves the report from the log alone, whatever state the live read models are in.
    let scratch = tempfile::tempdir()?;
    let replay = ReadModels::sqlite(&scratch.path().join("replay.db")).await?;
    let mut after = Position(0);
    while after < cut_off {
        let limit = (cut_off.0 - after.0).min(1000) as usize;
        let commits = app.store.read_all(after, limit).await?;
        let Some(last) = commits.last() else { break };
        after = last.position;
        projections::projector::project_commits(&replay, &commits).await?;
    }
    let scorecard = projections::scorecard_as_at(&replay, period, cut_off)
        .await?
        .ok_or_else(|| {
            Failed::rejected(format!(
                "the replay to position {cut_off} holds no plan covering {period}"
            ))
        })?;
    let replayed = build_quarter_report(&scorecard);
    let live = build(app, period, cut_off).await?;
    writeln!(
        out,
        "{period} report {} published to {} on {} at position {cut_off}",
        publication.report_id, publication.meeting, publication.published_on
    )?;
    writeln!(out, "published sha256 {}", publication.sha256)?;
    writeln!(
        out,
        "replayed  sha256 {} (the first {cut_off} commits, fresh read models)",
        replayed.sha256()
    )?;
    writeln!(
        out,
        "as-at     sha256 {} (the live read models at position {cut_off})",
        live.sha256()
    )?;
    if replayed.sha256() != publication.sha256 {
        let differing = first_difference(&publication.part_digests(), &replayed.part_digests())
            .unwrap_or_else(|| "the report as a whole".to_owned());
        return Err(Failed {
            kind: Failure::Corrupt,
            error: anyhow::anyhow!(
                "the replayed {period} report does not reproduce the published SHA-256; first differing part: {differing}"
            ),
        });
    }
    if live.sha256() != replayed.sha256() {
        let differing = first_difference(&replayed.part_digests(), &live.part_digests())
            .unwrap_or_else(|| "the report as a whole".to_owned());
        return Err(Failed {
            kind: Failure::Corrupt,
            error: anyhow::anyhow!(
                "the live read models disagree with the log at {differing}; run `scoreledger rebuild`"
            ),
        });
    }
    writeln!(out, "✓ the report rebuilds byte for byte")?;
    Ok(())
}

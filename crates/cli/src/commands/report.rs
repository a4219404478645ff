//! `scoreledger report`: the quarterly scorecard, now or as it stood.

use std::io::Write;

use chrono::{Days, NaiveTime, TimeZone, Utc};
use scoreledger_domain::{Period, Position};
use scoreledger_projections as projections;
use scoreledger_reports::{build_quarter_report, render, QuarterReport};

use crate::app::{date, period, App};
use crate::args::{ReportArgs, ReportFormat};
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
    let period = period(&args.period)?;
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

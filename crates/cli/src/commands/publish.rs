//! `scoreledger publish`: freeze a period's report as (definition, cut-off position) with the
//! SHA-256 of its canonical JSON.

use std::io::Write;

use scoreledger_domain::ReportId;

use crate::app::{date, period, App};
use crate::args::PublishArgs;
use crate::as_at::{position, AsAt};
use crate::failure::CliResult;
use crate::ids;

/// Publishes the report of `period` as it stands now; returns its SHA-256.
pub async fn publish(
    app: &App,
    period: scoreledger_domain::Period,
    meeting: &str,
    on: chrono::NaiveDate,
) -> CliResult<(String, u64)> {
    let cut_off = position(app, AsAt::Now).await?;
    let report_id = ReportId(ids::fresh());
    let (command, report) =
        scoreledger_service::publication(app.read(), period, cut_off, meeting, on, report_id)
            .await?;
    let sha256 = report.sha256();
    let appended = app
        .execute(&report_id.stream(), None, &command, None, None)
        .await?;
    app.catch_up().await?;
    Ok((sha256, appended.commit.position.0))
}

/// Runs `publish`.
pub async fn run(app: &App, args: &PublishArgs, out: &mut dyn Write) -> CliResult {
    let period = period(&args.period)?;
    let on = date(&args.on)?;
    let (sha256, at) = publish(app, period, &args.meeting, on).await?;
    writeln!(
        out,
        "published the {period} report to {} on {on} (position {at}); sha256 {sha256}",
        args.meeting
    )?;
    Ok(())
}

//! `scoreledger report diff`: what has changed in a published report since it was published,
//! and who changed it, when and why.

use std::io::Write;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};
use scoreledger_domain::Position;
use scoreledger_projections::{HistoryEntry, Publication};

use crate::app::App;
use crate::args::{AsAtArgs, Format};
use crate::as_at;
use crate::failure::CliResult;

pub use scoreledger_service::Restated;

/// The restatements of `publication` as the log stands at `at`.
pub async fn restated(app: &App, publication: Publication, at: Position) -> CliResult<Restated> {
    Ok(scoreledger_service::restated(app.read(), publication, at).await?)
}

/// Who, in which role, on which day.
pub fn who_and_when(entry: &HistoryEntry) -> String {
    let who = match &entry.on_behalf_of {
        Some(other) => format!("{} ({}) for {other}", entry.actor_name, entry.actor_role),
        None => format!("{} ({})", entry.actor_name, entry.actor_role),
    };
    format!(
        "{who}, {}",
        entry.recorded_at.get(..10).unwrap_or(&entry.recorded_at)
    )
}

/// Why, with the revision's classification.
pub fn why(entry: &HistoryEntry) -> String {
    match (&entry.classification, &entry.reason) {
        (Some(class), Some(reason)) => format!("[{class}] {reason}"),
        (Some(class), None) => format!("[{class}]"),
        (None, Some(reason)) => reason.clone(),
        (None, None) => String::new(),
    }
}

/// The restatements as a table for people.
pub fn table(restated: &Restated) -> String {
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(150)
        .set_header(vec![
            "Measure",
            "Cell",
            "As published",
            "Now",
            "Changed by",
            "Why",
        ]);
    for r in &restated.restatements {
        table.add_row(vec![
            r.measure_ref.clone(),
            r.field.clone(),
            r.as_published.clone().unwrap_or_default(),
            r.now.clone().unwrap_or_default(),
            r.because
                .iter()
                .map(who_and_when)
                .collect::<Vec<_>>()
                .join("\n"),
            r.because.iter().map(why).collect::<Vec<_>>().join("\n"),
        ]);
    }
    table.to_string()
}

/// One CSV row per change behind each restated cell (one row with empty change columns for a
/// cell that no recorded change explains).
fn csv(restated: &Restated) -> String {
    let mut writer = scoreledger_reports::safe_csv::Writer::new();
    writer.record([
        "report_id",
        "period",
        "measure_ref",
        "cell",
        "as_published",
        "now",
        "position",
        "recorded_at",
        "actor_id",
        "actor_name",
        "actor_role",
        "on_behalf_of",
        "classification",
        "reason",
    ]);
    for r in &restated.restatements {
        let head = [
            restated.report.report_id.as_str(),
            restated.report.period.as_str(),
            r.measure_ref.as_str(),
            r.field.as_str(),
            r.as_published.as_deref().unwrap_or(""),
            r.now.as_deref().unwrap_or(""),
        ];
        if r.because.is_empty() {
            writer.record(head.iter().copied().chain([""; 8]));
        }
        for e in &r.because {
            let position = e.position.to_string();
            let tail = [
                position.as_str(),
                e.recorded_at.as_str(),
                e.actor_id.as_str(),
                e.actor_name.as_str(),
                e.actor_role.as_str(),
                e.on_behalf_of.as_deref().unwrap_or(""),
                e.classification.as_deref().unwrap_or(""),
                e.reason.as_deref().unwrap_or(""),
            ];
            writer.record(head.iter().chain(tail.iter()));
        }
    }
    writer.finish()
}

/// Runs `report diff`.
pub async fn run(
    app: &App,
    report: &str,
    when: &AsAtArgs,
    format: Format,
    out: &mut dyn Write,
) -> CliResult {
    let at = as_at::resolve(app, when).await?;
    let publication = scoreledger_service::find_publication(app.read(), report).await?;
    app.record_read(None).await?;
    let restated = restated(app, publication, at).await?;
    match format {
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&restated).expect("restatements serialise")
        )?,
        Format::Csv => write!(out, "{}", csv(&restated))?,
        Format::Table => {
            let p = &restated.report;
            writeln!(
                out,
                "{} report {} as published to {} on {} (cut-off position {}), against the log at position {}:\n",
                p.period, p.report_id, p.meeting, p.published_on, p.cut_off, restated.compared_at
            )?;
            if restated.restatements.is_empty() {
                writeln!(out, "nothing has changed since publication")?;
            } else {
                writeln!(out, "{}", table(&restated))?;
                writeln!(
                    out,
                    "{} cell(s) read differently; prove the published figures with `scoreledger report rebuild {}`",
                    restated.restatements.len(),
                    p.report_id
                )?;
            }
        }
    }
    Ok(())
}

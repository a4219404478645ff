//! `scoreledger audit quality`: values recorded as provisional or estimated, the reports
//! that published them, and what became of each (questions 3, 9 and 10 of an auditor).

use std::io::Write;

use scoreledger_domain::Position;
use scoreledger_projections::{self as projections, HistoryEntry, HistoryFilter};
use scoreledger_reports::audit::{unconfirmed_values, Outcome, UnconfirmedValue};
use serde::Serialize;

use crate::app::{period, App};
use crate::args::{AsAtArgs, Format};
use crate::as_at;
use crate::commands::audit::{csv_of, publications_through, table};
use crate::commands::restated::{who_and_when, why};
use crate::failure::CliResult;

/// A flagged value with the change that settled it, if one did.
#[derive(Debug, Serialize)]
struct Followed {
    #[serde(flatten)]
    value: UnconfirmedValue,
    /// Who confirmed or revised it, when and why.
    changed_by: Option<HistoryEntry>,
}

/// Runs `audit quality`.
pub async fn run(
    app: &App,
    wanted: Option<&str>,
    source: Option<&str>,
    when: &AsAtArgs,
    format: Format,
    out: &mut dyn Write,
) -> CliResult {
    let at = as_at::resolve(app, when).await?;
    let wanted = wanted.map(period).transpose()?;
    let versions = projections::value_versions(app.read(), at).await?;
    let publications = publications_through(app, at).await?;
    let from_source = |v: &UnconfirmedValue| match source {
        None => true,
        Some(wanted) => v
            .source_system
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case(wanted.trim())),
    };
    let mut found = Vec::new();
    for value in unconfirmed_values(&versions, &publications) {
        if wanted.is_some_and(|w| value.period != w.to_string()) || !from_source(&value) {
            continue;
        }
        let changed_by = match value.changed_at_position {
            Some(position) => change_at(app, &value, position, at).await?,
            None => None,
        };
        found.push(Followed { value, changed_by });
    }
    write(&found, format, out)
}

/// The history entry of the value's measure and period recorded at `position`.
async fn change_at(
    app: &App,
    value: &UnconfirmedValue,
    position: u64,
    at: Position,
) -> CliResult<Option<HistoryEntry>> {
    let entries = projections::history(
        app.read(),
        &HistoryFilter {
            measure_ref: Some(value.measure_ref.clone()),
            period: Some(value.period.clone()),
            what: vec!["value".into()],
            through: Some(at),
            ..HistoryFilter::default()
        },
    )
    .await?;
    Ok(entries.into_iter().find(|e| e.position as u64 == position))
}

fn write(found: &[Followed], format: Format, out: &mut dyn Write) -> CliResult {
    match format {
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(found).expect("flagged values serialise")
        )?,
        Format::Csv => {
            #[derive(Serialize)]
            struct Row<'a> {
                measure_ref: &'a str,
                period: &'a str,
                value: &'a str,
                quality: &'a str,
                source_system: Option<&'a str>,
                published_in: String,
                outcome: Outcome,
                now: &'a str,
                now_quality: &'a str,
                difference: Option<&'a str>,
                changed_by: Option<String>,
                reason: Option<String>,
            }
            let rows: Vec<Row> = found
                .iter()
                .map(|f| Row {
                    measure_ref: &f.value.measure_ref,
                    period: &f.value.period,
                    value: &f.value.value,
                    quality: f.value.quality.as_str(),
                    source_system: f.value.source_system.as_deref(),
                    published_in: f.value.published_in.join("; "),
                    outcome: f.value.outcome,
                    now: &f.value.now,
                    now_quality: f.value.now_quality.as_str(),
                    difference: f.value.difference.as_deref(),
                    changed_by: f.changed_by.as_ref().map(who_and_when),
                    reason: f.changed_by.as_ref().map(why),
                })
                .collect();
            write!(out, "{}", csv_of(&rows))?;
        }
        Format::Table if found.is_empty() => {
            writeln!(out, "no value was recorded as provisional or estimated")?
        }
        Format::Table => {
            let mut t = table(&[
                "Measure",
                "Period",
                "Recorded",
                "Published in",
                "Now",
                "Confirmed or revised by",
            ]);
            for f in found {
                let v = &f.value;
                let recorded = match &v.source_system {
                    Some(source) => format!("{} ({}, {source})", v.value, v.quality),
                    None => format!("{} ({})", v.value, v.quality),
                };
                let now = match (v.outcome, &v.difference) {
                    (Outcome::Unconfirmed, _) => v.outcome.describe().to_owned(),
                    (Outcome::Revised, Some(difference)) => {
                        format!("{} ({}, {difference})", v.now, v.now_quality)
                    }
                    _ => format!("{} ({}): {}", v.now, v.now_quality, v.outcome.describe()),
                };
                t.add_row(vec![
                    v.measure_ref.clone(),
                    v.period.clone(),
                    recorded,
                    if v.published_in.is_empty() {
                        "not published".to_owned()
                    } else {
                        v.published_in.join("\n")
                    },
                    now,
                    f.changed_by
                        .as_ref()
                        .map(|e| format!("{}\n{}", who_and_when(e), why(e)))
                        .unwrap_or_default(),
                ]);
            }
            writeln!(out, "{t}")?;
            let count = |o: Outcome| found.iter().filter(|f| f.value.outcome == o).count();
            writeln!(
                out,
                "{} value(s) recorded as provisional or estimated: {} confirmed unchanged, {} revised, {} not yet confirmed",
                found.len(),
                count(Outcome::Confirmed),
                count(Outcome::Revised),
                count(Outcome::Unconfirmed)
            )?;
        }
    }
    Ok(())
}

//! `scoreledger history`: the auditor's view of every change.

use std::io::Write;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};
use scoreledger_domain::{MeasureRef, Position};
use scoreledger_projections::{history, HistoryEntry, HistoryFilter, HistoryKind};

use crate::app::{date, period, App};
use crate::args::{Format, HistoryArgs};
use crate::as_at;
use crate::failure::{CliResult, Failed};

fn shorten(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(width - 1).collect::<String>())
    }
}

/// Renders history entries as a table.
pub fn table(entries: &[HistoryEntry]) -> String {
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(150)
        .set_header(vec![
            "#",
            "When (UTC)",
            "Who",
            "Measure",
            "Period",
            "What",
            "Before → after",
            "Why",
        ]);
    // A reference in two years' plans is two measures: name the plan's year when both show.
    let years: std::collections::BTreeSet<&str> = entries
        .iter()
        .filter(|e| e.measure_ref.is_some())
        .filter_map(|e| e.plan_year.as_deref())
        .collect();
    for e in entries {
        let measure = match (&e.measure_ref, &e.plan_year) {
            (Some(reference), Some(year)) if years.len() > 1 => format!("{reference} ({year})"),
            (reference, _) => reference.clone().unwrap_or_default(),
        };
        let change = match (&e.before, &e.after) {
            (Some(before), Some(after)) => {
                format!("{} → {}", shorten(before, 80), shorten(after, 80))
            }
            (None, Some(after)) => shorten(after, 60),
            (Some(before), None) => format!("{} → (removed)", shorten(before, 40)),
            (None, None) => String::new(),
        };
        let who = match &e.on_behalf_of {
            Some(other) => format!("{} ({}) for {other}", e.actor_name, e.actor_role),
            None => format!("{} ({})", e.actor_name, e.actor_role),
        };
        let why = match (&e.reason, &e.classification) {
            (Some(reason), Some(class)) => format!("[{class}] {reason}"),
            (Some(reason), None) => reason.clone(),
            (None, Some(class)) => format!("[{class}]"),
            (None, None) => String::new(),
        };
        let recorded = e
            .recorded_at
            .get(..16)
            .unwrap_or(&e.recorded_at)
            .replace('T', " ");
        // A change loaded from a past pack says when and where it was first reported.
        let when = match (&e.reported_on, &e.reported_in) {
            (Some(on), Some(document)) => {
                format!("{recorded}\nreported {on}: {}", shorten(document, 40))
            }
            _ => recorded,
        };
        table.add_row(vec![
            e.position.to_string(),
            when,
            who,
            measure,
            e.period.clone().unwrap_or_default(),
            e.what.clone(),
            change,
            why,
        ]);
    }
    table.to_string()
}

/// The filter the arguments describe, answered at `through`.
pub fn filter(args: &HistoryArgs, through: Position) -> CliResult<HistoryFilter> {
    let measure_ref = args
        .measure
        .as_deref()
        .map(|m| {
            MeasureRef::parse(m)
                .map(|r| r.to_string())
                .map_err(Failed::rejected)
        })
        .transpose()?;
    let what = HistoryKind::select_all(args.what.iter().map(String::as_str))
        .map_err(|err| Failed::rejected(format!("--what {err}")))?;
    Ok(HistoryFilter {
        measure_ref,
        actor: args.actor.clone(),
        period: args
            .period
            .as_deref()
            .map(|p| period(p).map(|p| p.to_string()))
            .transpose()?,
        what,
        revisions_only: args.revisions,
        after: None,
        through: Some(through),
        since: args
            .since
            .as_deref()
            .map(|d| date(d).map(|d| d.to_string()))
            .transpose()?,
        until: args
            .until
            .as_deref()
            .map(|d| date(d).map(|d| d.to_string()))
            .transpose()?,
        plan_year: args
            .plan_year
            .as_deref()
            .map(|y| {
                period(y).map(|p| {
                    scoreledger_domain::Period::financial_year(p.financial_year_of()).to_string()
                })
            })
            .transpose()?,
        reported_by: args
            .reported_by
            .as_deref()
            .map(|d| date(d).map(|d| d.to_string()))
            .transpose()?,
    })
}

/// Runs `history`.
pub async fn run(app: &App, args: &HistoryArgs, out: &mut dyn Write) -> CliResult {
    let through = as_at::resolve(app, &args.when).await?;
    let filter = filter(args, through)?;
    app.record_read(filter.measure_ref.clone()).await?;
    let entries = history(app.read(), &filter).await?;
    write(&entries, args, out)
}

/// Prints history entries in the format `args` ask for.
pub fn write(entries: &[HistoryEntry], args: &HistoryArgs, out: &mut dyn Write) -> CliResult {
    let format = if args.json { Format::Json } else { args.format };
    match format {
        Format::Json => {
            for entry in entries {
                writeln!(
                    out,
                    "{}",
                    serde_json::to_string(entry).expect("history entries serialise")
                )?;
            }
        }
        Format::Csv => write!(out, "{}", scoreledger_reports::render::history_csv(entries))?,
        Format::Table if entries.is_empty() => writeln!(out, "no changes match")?,
        Format::Table => {
            writeln!(out, "{}", table(entries))?;
            writeln!(out, "{} change(s)", entries.len())?;
        }
    }
    Ok(())
}

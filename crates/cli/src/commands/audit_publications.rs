//! The auditor's questions of a publication against an earlier one: which commentary was
//! carried over rather than written for the quarter (`audit carried-over`), and which
//! priority measures each was built with (`audit priority-measures`). Both read the reports
//! as published, rebuilt at their cut-offs.

use std::io::Write;

use scoreledger_reports::carried::{carried_over, CarriedNote};
use scoreledger_reports::priority_sets::{compare_priority_sets, PrioritySetChange};
use scoreledger_reports::QuarterReport;
use serde::Serialize;

use crate::app::{period, App};
use crate::args::{Format, PublishedPairArgs};
use crate::commands::audit::{csv_of, table};
use crate::commands::compare::{heading, published, Side};
use crate::failure::CliResult;

/// The publication asked about and the earlier one, each with its report as published.
async fn pair(app: &App, args: &PublishedPairArgs) -> CliResult<[(Side, QuarterReport); 2]> {
    let later = published(app, &args.report).await?;
    let against = match &args.against {
        Some(text) => text.clone(),
        None => period(&later.0.period)?.previous().to_string(),
    };
    let earlier = published(app, &against).await?;
    Ok([earlier, later])
}

fn one_line(side: &Side) -> String {
    heading(side).replace('\n', " ")
}

#[derive(Serialize)]
struct Carried<'a> {
    earlier: &'a Side,
    later: &'a Side,
    notes: &'a [CarriedNote],
}

/// Runs `audit carried-over`.
pub async fn carried(app: &App, args: &PublishedPairArgs, out: &mut dyn Write) -> CliResult {
    let [(earlier, before), (later, after)] = pair(app, args).await?;
    let notes = carried_over(&before, &after);
    match args.format {
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&Carried {
                earlier: &earlier,
                later: &later,
                notes: &notes,
            })
            .expect("carried notes serialise")
        )?,
        Format::Csv => {
            #[derive(Serialize)]
            struct Row<'a> {
                measure_ref: &'a str,
                whole_note: bool,
                sentence: &'a str,
            }
            let rows: Vec<Row> = notes
                .iter()
                .flat_map(|n| {
                    n.sentences.iter().map(move |s| Row {
                        measure_ref: &n.measure_ref,
                        whole_note: n.whole_note,
                        sentence: s,
                    })
                })
                .collect();
            write!(out, "{}", csv_of(&rows))?;
        }
        Format::Table if notes.is_empty() => writeln!(
            out,
            "no data note of {} repeats a sentence of {}",
            one_line(&later),
            one_line(&earlier)
        )?,
        Format::Table => {
            let mut t = table(&["Measure", "Carried over", "Printed again"]);
            for note in &notes {
                t.add_row(vec![
                    note.ref_as_printed.clone(),
                    if note.whole_note {
                        "the whole note".to_owned()
                    } else {
                        format!("{} of {} sentences", note.sentences.len(), note.of)
                    },
                    note.sentences.join("\n"),
                ]);
            }
            writeln!(out, "{t}")?;
            writeln!(
                out,
                "{} data note(s) of {} repeat sentences printed for the same measure in {}; \
                 `scoreledger history -m REF --what note` shows who wrote each and when",
                notes.len(),
                one_line(&later),
                one_line(&earlier)
            )?;
        }
    }
    Ok(())
}

#[derive(Serialize)]
struct Priority<'a> {
    earlier_report: &'a Side,
    later_report: &'a Side,
    #[serde(flatten)]
    change: &'a PrioritySetChange,
}

/// Runs `audit priority-measures`.
pub async fn priority(app: &App, args: &PublishedPairArgs, out: &mut dyn Write) -> CliResult {
    let [(earlier, before), (later, after)] = pair(app, args).await?;
    let change = compare_priority_sets(&before, &after);
    match args.format {
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&Priority {
                earlier_report: &earlier,
                later_report: &later,
                change: &change,
            })
            .expect("priority sets serialise")
        )?,
        Format::Csv => {
            #[derive(Serialize)]
            struct Row<'a> {
                measure_ref: &'a str,
                ref_as_printed: &'a str,
                measure: &'a str,
                in_earlier: bool,
                in_later: bool,
            }
            let in_set = |set: &[scoreledger_reports::priority_sets::PriorityMeasure], r: &str| {
                set.iter().any(|m| m.measure_ref == r)
            };
            let rows: Vec<Row> = change
                .later
                .measures
                .iter()
                .chain(&change.removed)
                .map(|m| Row {
                    measure_ref: &m.measure_ref,
                    ref_as_printed: &m.ref_as_printed,
                    measure: &m.measure,
                    in_earlier: in_set(&change.earlier.measures, &m.measure_ref),
                    in_later: in_set(&change.later.measures, &m.measure_ref),
                })
                .collect();
            write!(out, "{}", csv_of(&rows))?;
        }
        Format::Table => {
            let mut t = table(&["Measure", "", "Since the earlier report"]);
            for m in &change.later.measures {
                let added = change.added.iter().any(|a| a.measure_ref == m.measure_ref);
                t.add_row(vec![
                    m.ref_as_printed.clone(),
                    m.measure.clone(),
                    if added { "added" } else { "" }.to_owned(),
                ]);
            }
            for m in &change.removed {
                t.add_row(vec![
                    m.ref_as_printed.clone(),
                    m.measure.clone(),
                    "removed".to_owned(),
                ]);
            }
            writeln!(out, "{t}")?;
            let summary = |set: &scoreledger_reports::priority_sets::PrioritySet| {
                let s = &set.summary;
                format!(
                    "{} priority measures, {} with data: {} on target, {} off target, {} satisfactory",
                    s.total, s.with_data, s.on_target.count, s.off_target.count, s.satisfactory.count
                )
            };
            writeln!(out, "{}: {}", one_line(&later), summary(&change.later))?;
            writeln!(out, "{}: {}", one_line(&earlier), summary(&change.earlier))?;
            if change.is_same() {
                writeln!(
                    out,
                    "the same {} measures were priority measures in both reports",
                    change.later.measures.len()
                )?;
            } else {
                writeln!(
                    out,
                    "the sets differ: {} added, {} removed",
                    change.added.len(),
                    change.removed.len()
                )?;
            }
        }
    }
    Ok(())
}

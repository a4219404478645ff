//! `scoreledger audit narrative`: the numbers a report's narrative quotes, checked against the
//! scorecard it went out with (question 11). The narrative is read as the log stands (or at
//! `--as-at`): Appendix A is written after the scorecard is compiled, for the meeting that
//! considers it. The scorecard is the publication's, rebuilt at its cut-off; with
//! `--current`, the period's as the log stands too.

use std::io::Write;

use scoreledger_domain::Position;
use scoreledger_projections::{self as projections, Narrative};
use scoreledger_reports::narrative::{check, NarrativeCheck, QuotedNumber, Verdict};
use serde::Serialize;

use crate::app::{period, App};
use crate::args::{Format, NarrativeArgs};
use crate::as_at;
use crate::commands::audit::{csv_of, table};
use crate::commands::compare::{heading, side, Side};
use crate::failure::{CliResult, Failed};

#[derive(Serialize)]
struct Checked<'a> {
    report: &'a Side,
    measures: &'a [NarrativeCheck],
}

/// What the table says of a number's verdict.
fn finding(number: &QuotedNumber) -> String {
    let verdict = match number.verdict {
        Verdict::Agrees => "agrees",
        Verdict::Truncated => "agrees only cut short, not rounded",
        Verdict::Differs => "differs",
        Verdict::NothingRecorded => "no figure recorded",
    };
    if number.equals.is_empty() || number.verdict == Verdict::Agrees {
        return verdict.to_owned();
    }
    format!("{verdict}; it is the {} figure", number.equals.join(", "))
}

/// Runs `audit narrative`.
pub async fn run(app: &App, args: &NarrativeArgs, out: &mut dyn Write) -> CliResult {
    let at = as_at::resolve(app, &args.when).await?;
    let (report_side, report) = side(app, &args.report, args.current, at).await?;
    let reported = period(&report.period)?;
    let cut_off = Position(report_side.position);
    let plan = projections::scorecard::find_plan(app.read(), &reported, cut_off)
        .await?
        .ok_or_else(|| {
            Failed::rejected(format!(
                "no plan covers {reported} at position {}; import one first",
                cut_off.0
            ))
        })?;
    let narratives: Vec<(String, String)> =
        projections::narratives_as_at(app.read(), plan.plan_id, &reported, at)
            .await?
            .into_iter()
            .map(|Narrative { measure_ref, text }| (measure_ref, text))
            .collect();
    let mut measures = check(&report, &narratives);
    let read: usize = measures.iter().map(|m| m.numbers.len()).sum();
    if !args.all {
        for measure in &mut measures {
            measure.numbers.retain(|n| n.verdict != Verdict::Agrees);
        }
        measures.retain(|m| !m.numbers.is_empty());
    }
    let differing: usize = measures.iter().map(|m| m.discrepancies().count()).sum();
    match args.format {
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&Checked {
                report: &report_side,
                measures: &measures,
            })
            .expect("narrative checks serialise")
        )?,
        Format::Csv => {
            #[derive(Serialize)]
            struct Row<'a> {
                measure_ref: &'a str,
                quoted: &'a str,
                against: &'a str,
                printed: Option<&'a str>,
                verdict: Verdict,
                equals: String,
                sentence: &'a str,
            }
            let rows: Vec<Row> = measures
                .iter()
                .flat_map(|m| {
                    m.numbers.iter().map(move |n| Row {
                        measure_ref: &m.measure_ref,
                        quoted: &n.quoted,
                        against: &n.against,
                        printed: n.printed.as_deref(),
                        verdict: n.verdict,
                        equals: n.equals.join("; "),
                        sentence: &n.sentence,
                    })
                })
                .collect();
            write!(out, "{}", csv_of(&rows))?;
        }
        Format::Table => {
            let when = heading(&report_side).replace('\n', " ");
            if narratives.is_empty() {
                writeln!(
                    out,
                    "no narrative is recorded for {when}; `scoreledger record narrative` records \
                     what the report's narrative says of a measure"
                )?;
                return Ok(());
            }
            let mut t = table(&[
                "Measure",
                "Narrative says",
                "Read against",
                "Scorecard",
                "Finding",
            ]);
            for measure in &measures {
                for number in &measure.numbers {
                    t.add_row(vec![
                        measure.ref_as_printed.clone(),
                        format!("{}\n“{}”", number.quoted, number.sentence),
                        number.against.clone(),
                        number.printed.clone().unwrap_or_else(|| "-".to_owned()),
                        finding(number),
                    ]);
                }
            }
            if t.row_count() > 0 {
                writeln!(out, "{t}")?;
            }
            writeln!(
                out,
                "{when}: {read} number(s) quoted in the narratives of {} measure(s); {differing} \
                 not the scorecard's figure",
                narratives.len()
            )?;
        }
    }
    Ok(())
}

//! `scoreledger explain`: the chain of changes behind one number of the scorecard, and what
//! every published report showed for it.

use std::io::Write;

use scoreledger_domain::{MeasureRef, Period, Position};
use scoreledger_projections::{self as projections, HistoryEntry, HistoryFilter};
use serde::Serialize;

use crate::app::{period, App};
use crate::args::{Column, ExplainArgs};
use crate::as_at;
use crate::commands::report::build;
use crate::commands::restated::{who_and_when, why};
use crate::failure::CliResult;

/// What one published report showed for the cell.
#[derive(Debug, Serialize)]
struct Shown {
    report_id: String,
    period: String,
    published_on: String,
    meeting: String,
    cut_off: i64,
    cell: Option<String>,
}

#[derive(Debug, Serialize)]
struct Explanation {
    measure_ref: String,
    column: String,
    period: String,
    position: u64,
    /// The cell as the report of `period` reads at `position` (for a value column: the
    /// latest report whose columns include the period).
    reads: Option<String>,
    /// The changes that produced the cell, oldest first.
    chain: Vec<HistoryEntry>,
    /// Changes to the facts the cell was judged on (for a status or direction: the period's
    /// value and the year's target).
    context: Vec<HistoryEntry>,
    /// What every publication up to `position` that printed the cell showed.
    published: Vec<Shown>,
}

fn field(column: Column, cell_period: &Period) -> String {
    match column {
        Column::Value => cell_period.to_string(),
        Column::Target => "target".into(),
        Column::Status => "status".into(),
        Column::Direction => "direction".into(),
        Column::Rag => "rag".into(),
        Column::Note => "note".into(),
    }
}

fn kinds(column: Column) -> &'static str {
    match column {
        Column::Value => "value",
        Column::Target => "target",
        Column::Status => "status",
        Column::Direction => "direction of travel",
        Column::Rag => "RAG rating",
        Column::Note => "data note",
    }
}

/// The report periods whose reports print the cell: a value column appears in the reports of
/// its own quarter and the later quarters of the year (and of the next two years for a
/// year end); the other columns in the report of their period.
fn shown_in(report_period: &Period, column: Column, cell_period: &Period) -> bool {
    match column {
        Column::Value => scoreledger_reports::quarter::columns(report_period).contains(cell_period),
        Column::Target => report_period.financial_year_of() == cell_period.financial_year_of(),
        _ => report_period == cell_period,
    }
}

/// Runs `explain`.
pub async fn run(app: &App, args: &ExplainArgs, out: &mut dyn Write) -> CliResult {
    let at = as_at::resolve(app, &args.when).await?;
    let cell_period = period(&args.period)?;
    let measure_ref = MeasureRef::parse(&args.measure)
        .map_err(crate::failure::Failed::rejected)?
        .to_string();
    app.measure(&measure_ref, Some(&cell_period)).await?;
    let fact_period = match args.column {
        Column::Target => Period::financial_year(cell_period.financial_year_of()),
        _ => cell_period,
    };
    let filter = |what: &str, period: &Period| HistoryFilter {
        measure_ref: Some(measure_ref.clone()),
        period: Some(period.to_string()),
        what: vec![what.to_owned()],
        through: Some(at),
        ..HistoryFilter::default()
    };
    let chain = projections::history(app.read(), &filter(kinds(args.column), &fact_period)).await?;
    let mut context = Vec::new();
    if matches!(
        args.column,
        Column::Status | Column::Direction | Column::Rag
    ) {
        context.extend(projections::history(app.read(), &filter("value", &cell_period)).await?);
        let year = Period::financial_year(cell_period.financial_year_of());
        context.extend(projections::history(app.read(), &filter("target", &year)).await?);
        context.sort_by_key(|e| (e.position, e.seq));
    }
    let field = field(args.column, &cell_period);
    let mut published = Vec::new();
    for p in projections::all_publications(app.read()).await? {
        if p.position as u64 > at.0 {
            continue;
        }
        let report_period = period(&p.period)?;
        if !shown_in(&report_period, args.column, &cell_period) {
            continue;
        }
        let report = build(app, report_period, Position(p.cut_off as u64)).await?;
        published.push(Shown {
            cell: report.cell(&measure_ref, &field).flatten(),
            report_id: p.report_id,
            period: p.period,
            published_on: p.published_on,
            meeting: p.meeting,
            cut_off: p.cut_off,
        });
    }
    // The cell as it reads now: in the report of its own period (a value of a quarter or
    // month), or of the latest quarter of the year that prints it.
    let reading_period = match (args.column, cell_period) {
        (Column::Value, Period::FinancialYear { start }) => Period::quarter(start + 1, 4),
        (Column::Value, Period::Month { .. }) => {
            let fy = cell_period.financial_year_of();
            (1..=4)
                .map(|q| Period::quarter(fy, q))
                .find(|q| q.months().contains(&cell_period))
                .unwrap_or(cell_period)
        }
        (Column::Target, _) => Period::quarter(cell_period.financial_year_of(), 4),
        _ => cell_period,
    };
    let reads = match build(app, reading_period, at).await {
        Ok(report) => report.cell(&measure_ref, &field).flatten(),
        Err(_) => chain.last().and_then(|e| e.after.clone()),
    };
    let explanation = Explanation {
        measure_ref,
        column: field,
        period: fact_period.to_string(),
        position: at.0,
        reads,
        chain,
        context,
        published,
    };
    if args.json {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&explanation).expect("explanations serialise")
        )?;
        return Ok(());
    }
    print_text(&explanation, args.column, out)
}

fn print_text(e: &Explanation, column: Column, out: &mut dyn Write) -> CliResult {
    let what = match column {
        Column::Value => "value",
        Column::Target => "target",
        Column::Status => "overall status",
        Column::Direction => "direction of travel",
        Column::Rag => "RAG rating",
        Column::Note => "data note",
    };
    writeln!(
        out,
        "{} {what} for {}, as the log stands at position {}:",
        e.measure_ref, e.period, e.position
    )?;
    writeln!(
        out,
        "  reads: {}\n",
        e.reads.as_deref().unwrap_or("(nothing recorded)")
    )?;
    writeln!(out, "How it came to read so:")?;
    if e.chain.is_empty() {
        writeln!(out, "  nothing has been recorded for it")?;
    }
    for entry in &e.chain {
        let change = match (&entry.before, &entry.after) {
            (Some(before), Some(after)) => format!("changed {before} → {after}"),
            (None, Some(after)) => format!("recorded {after}"),
            (Some(before), None) => format!("removed {before}"),
            (None, None) => entry.what.clone(),
        };
        let why = why(entry);
        writeln!(
            out,
            "  #{:<5} {}: {change}{}",
            entry.position,
            who_and_when(entry),
            if why.is_empty() {
                String::new()
            } else {
                format!("\n          why: {why}")
            }
        )?;
    }
    if !e.context.is_empty() {
        writeln!(
            out,
            "\nJudged against (the period's value and the year's target):"
        )?;
        for entry in &e.context {
            writeln!(
                out,
                "  #{:<5} {}: {} {} → {}",
                entry.position,
                who_and_when(entry),
                entry.what,
                entry.before.as_deref().unwrap_or("∅"),
                entry.after.as_deref().unwrap_or("∅")
            )?;
        }
    }
    writeln!(out, "\nPublished:")?;
    if e.published.is_empty() {
        writeln!(out, "  in no published report")?;
    }
    for shown in &e.published {
        writeln!(
            out,
            "  {} report of {} (cut-off #{}, {}): {}",
            shown.period,
            shown.published_on,
            shown.cut_off,
            shown.meeting,
            shown.cell.as_deref().unwrap_or("(empty)")
        )?;
    }
    Ok(())
}

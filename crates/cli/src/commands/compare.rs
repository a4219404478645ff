//! `scoreledger report compare`: two reports' summary figures side by side, with the change
//! in percentage points.

use std::io::Write;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Cell, CellAlignment, Table};
use scoreledger_domain::Position;
use scoreledger_reports::{compare, FigureChange, QuarterReport, Share};
use serde::Serialize;

use crate::app::{period, App};
use crate::args::{AsAtArgs, Format};
use crate::as_at;
use crate::commands::report::build;
use crate::failure::CliResult;

/// Which report one side of the comparison is.
#[derive(Debug, Serialize)]
struct Side {
    /// The period as printed.
    period: String,
    /// The publication, when the side is a published report.
    report_id: Option<String>,
    /// Its date of publication.
    published_on: Option<String>,
    /// The position the report is built at.
    position: u64,
}

#[derive(Debug, Serialize)]
struct Comparison {
    earlier: Side,
    later: Side,
    figures: Vec<FigureChange>,
}

/// A published report as published, or (with `current`) a period at `at`.
async fn side(
    app: &App,
    text: &str,
    current: bool,
    at: Position,
) -> CliResult<(Side, QuarterReport)> {
    if current {
        let report = build(app, period(text)?, at).await?;
        return Ok((
            Side {
                period: report.period.clone(),
                report_id: None,
                published_on: None,
                position: at.0,
            },
            report,
        ));
    }
    let publication = scoreledger_service::find_publication(app.read(), text).await?;
    let cut_off = Position(publication.cut_off as u64);
    let report = build(app, period(&publication.period)?, cut_off).await?;
    Ok((
        Side {
            period: publication.period,
            report_id: Some(publication.report_id),
            published_on: Some(publication.published_on),
            position: cut_off.0,
        },
        report,
    ))
}

fn share(share: &Share) -> String {
    match &share.percent {
        Some(percent) => format!("{percent} ({} of {})", share.count, share.of),
        None => format!("{} of {}", share.count, share.of),
    }
}

fn heading(side: &Side) -> String {
    match &side.published_on {
        Some(on) => format!("{}\nas published {on}", side.period),
        None => format!("{}\nat position {}", side.period, side.position),
    }
}

/// Runs `report compare`.
pub async fn run(
    app: &App,
    [earlier, later]: [&String; 2],
    current: bool,
    when: &AsAtArgs,
    format: Format,
    out: &mut dyn Write,
) -> CliResult {
    let at = as_at::resolve(app, when).await?;
    let (earlier, before) = side(app, earlier, current, at).await?;
    let (later, after) = side(app, later, current, at).await?;
    let comparison = Comparison {
        figures: compare(&before, &after),
        earlier,
        later,
    };
    match format {
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&comparison).expect("comparisons serialise")
        )?,
        Format::Csv => {
            let mut writer = scoreledger_reports::safe_csv::Writer::new();
            writer.record([
                "figure",
                "earlier_count",
                "earlier_of",
                "earlier_percent",
                "later_count",
                "later_of",
                "later_percent",
                "points",
            ]);
            for f in &comparison.figures {
                writer.record([
                    f.figure.clone(),
                    f.before.count.to_string(),
                    f.before.of.to_string(),
                    f.before.percent.clone().unwrap_or_default(),
                    f.after.count.to_string(),
                    f.after.of.to_string(),
                    f.after.percent.clone().unwrap_or_default(),
                    f.points.clone().unwrap_or_default(),
                ]);
            }
            write!(out, "{}", writer.finish())?;
        }
        Format::Table => {
            let mut table = Table::new();
            table.load_preset(UTF8_FULL_CONDENSED).set_header(vec![
                "Figure".to_owned(),
                heading(&comparison.earlier),
                heading(&comparison.later),
                "Change (points)".to_owned(),
            ]);
            for f in &comparison.figures {
                table.add_row(vec![
                    Cell::new(&f.figure),
                    Cell::new(share(&f.before)).set_alignment(CellAlignment::Right),
                    Cell::new(share(&f.after)).set_alignment(CellAlignment::Right),
                    Cell::new(f.points.as_deref().unwrap_or("-"))
                        .set_alignment(CellAlignment::Right),
                ]);
            }
            writeln!(out, "{table}")?;
        }
    }
    Ok(())
}

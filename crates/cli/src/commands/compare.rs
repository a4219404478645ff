//! `scoreledger report compare`: two reports' summary figures side by side, with the change
//! in percentage points, or (`--by-measure`) every measure's figures before → after.

use std::io::Write;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Cell, CellAlignment, ContentArrangement, Table};
use scoreledger_domain::Position;
use scoreledger_reports::{
    compare, compare_measures, figures_shown, Figure, FigureChange, MeasureChange, MeasureFigures,
    QuarterReport, Share,
};
use serde::Serialize;

use crate::app::{period, App};
use crate::args::{AsAtArgs, Format};
use crate::as_at;
use crate::commands::report::build;
use crate::failure::CliResult;

/// Which report one side of the comparison is.
#[derive(Debug, Serialize)]
pub(crate) struct Side {
    /// The period as printed.
    pub(crate) period: String,
    /// The publication, when the side is a published report.
    pub(crate) report_id: Option<String>,
    /// Its date of publication.
    pub(crate) published_on: Option<String>,
    /// The position the report is built at.
    pub(crate) position: u64,
}

#[derive(Debug, Serialize)]
struct Comparison {
    earlier: Side,
    later: Side,
    figures: Vec<FigureChange>,
}

#[derive(Debug, Serialize)]
struct MeasureComparison {
    earlier: Side,
    later: Side,
    measures: Vec<MeasureChange>,
}

/// What a comparison shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// The summary's figures.
    Summary,
    /// Every measure.
    Measures,
    /// The measures where something changed.
    ChangedMeasures,
}

/// A published report as published, or (with `current`) a period at `at`.
pub(crate) async fn side(
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
    published(app, text).await
}

/// A published report as published: rebuilt at its cut-off.
pub(crate) async fn published(app: &App, text: &str) -> CliResult<(Side, QuarterReport)> {
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

pub(crate) fn heading(side: &Side) -> String {
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
    shown: Shown,
    when: &AsAtArgs,
    format: Format,
    out: &mut dyn Write,
) -> CliResult {
    let at = as_at::resolve(app, when).await?;
    let (earlier, before) = side(app, earlier, current, at).await?;
    let (later, after) = side(app, later, current, at).await?;
    if shown != Shown::Summary {
        let mut measures = compare_measures(&before, &after);
        if shown == Shown::ChangedMeasures {
            measures.retain(MeasureChange::is_changed);
        }
        let comparison = MeasureComparison {
            earlier,
            later,
            measures,
        };
        return write_measures(&comparison, format, out);
    }
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

/// One figure of a measure in one report; empty where the measure is not in it.
fn figure(figures: Option<&MeasureFigures>, which: Figure) -> String {
    figures.map(|f| f.text(which)).unwrap_or_default()
}

/// A table cell: the figure where it is the same in both, `before → after` where it changed.
fn before_after(change: &MeasureChange, which: Figure) -> String {
    if change.changed.contains(&which) {
        format!(
            "{} → {}",
            change.side(false, which),
            change.side(true, which)
        )
    } else {
        figure(change.after.as_ref(), which)
    }
}

fn write_measures(
    comparison: &MeasureComparison,
    format: Format,
    out: &mut dyn Write,
) -> CliResult {
    let shown = figures_shown(&comparison.measures);
    match format {
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(comparison).expect("comparisons serialise")
        )?,
        Format::Csv => {
            let mut writer = scoreledger_reports::safe_csv::Writer::new();
            let mut header = vec![
                "measure_ref".to_owned(),
                "measure".to_owned(),
                "changed".to_owned(),
            ];
            for which in Figure::ALL {
                header.push(format!("earlier_{}", which.name()));
                header.push(format!("later_{}", which.name()));
            }
            writer.record(header);
            for m in &comparison.measures {
                let changed: Vec<&str> = m.changed.iter().map(|f| f.name()).collect();
                let mut record = vec![
                    m.ref_as_printed.clone(),
                    m.measure.clone(),
                    changed.join(";"),
                ];
                for which in Figure::ALL {
                    record.push(figure(m.before.as_ref(), which));
                    record.push(figure(m.after.as_ref(), which));
                }
                writer.record(record);
            }
            write!(out, "{}", writer.finish())?;
        }
        Format::Table => {
            writeln!(
                out,
                "{} → {}: {} measure(s) shown; a changed figure reads before → after",
                heading(&comparison.earlier).replace('\n', " "),
                heading(&comparison.later).replace('\n', " "),
                comparison.measures.len()
            )?;
            let mut table = Table::new();
            table.set_content_arrangement(ContentArrangement::Dynamic);
            let mut header = vec!["Ref".to_owned(), "Measure".to_owned()];
            header.extend(shown.iter().map(|f| f.heading().to_owned()));
            table.load_preset(UTF8_FULL_CONDENSED).set_header(header);
            for m in &comparison.measures {
                let mut row = vec![Cell::new(&m.ref_as_printed), Cell::new(&m.measure)];
                row.extend(shown.iter().map(|f| Cell::new(before_after(m, *f))));
                table.add_row(row);
            }
            writeln!(out, "{table}")?;
        }
    }
    Ok(())
}

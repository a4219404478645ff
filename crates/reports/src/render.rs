//! Renderers: a terminal table for people, CSV and canonical JSON for machines.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Cell, ContentArrangement, Table};

use crate::quarter::{QuarterReport, ReportRow};
use crate::summary::Share;

fn share(share: &Share) -> String {
    share.percent.clone().unwrap_or_else(|| "-".to_owned())
}

/// The summary box, the executive-summary figures and the per-priority counts.
pub fn summary_table(report: &QuarterReport) -> String {
    let summary = &report.summary;
    let mut out = String::new();
    out.push_str(&format!(
        "{} — {} (as at log position {}, rules v{})\n\n",
        report.plan, report.period, report.position, report.rule_set_version
    ));
    let mut status = Table::new();
    let (heading, tallies) = if summary.rag.is_empty() {
        ("Overall status", &summary.status)
    } else {
        ("RAG rating", &summary.rag)
    };
    status
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(110)
        .set_header(vec![heading, "Count", "% of all"]);
    for tally in tallies {
        status.add_row(vec![
            Cell::new(&tally.label),
            Cell::new(tally.share.count),
            Cell::new(share(&tally.share)),
        ]);
    }
    status.add_row(vec![
        Cell::new("Total"),
        Cell::new(summary.total),
        Cell::new(""),
    ]);
    out.push_str(&status.to_string());
    out.push('\n');
    let mut direction = Table::new();
    direction
        .load_preset(UTF8_FULL_CONDENSED)
        .set_header(vec!["Direction of travel", "Count"]);
    for tally in &summary.direction {
        direction.add_row(vec![Cell::new(&tally.label), Cell::new(tally.share.count)]);
    }
    out.push_str(&direction.to_string());
    out.push_str(&format!(
        "\nOf the {} measures with data this quarter, {} are on target and {} have not progressed.\n\
         Direction of travel is positive for {} ({} of {}) and negative for {}.\n",
        summary.measured,
        share(&summary.on_target_of_measured),
        share(&summary.off_target_of_measured),
        share(&summary.improved_of_directed),
        summary.improved_of_directed.count,
        summary.with_direction,
        share(&summary.worse_of_directed),
    ));
    let pm = &summary.priority_measures;
    out.push_str(&format!(
        "{} priority measures: {} with data — {} hitting target ({}), {} missing ({}), {} on track but not yet hitting ({}); \
         {} without data yet, {} without a specific target. Direction for {}: {} improving, {} declining, {} stable.\n\n",
        pm.total,
        pm.with_data,
        pm.on_target.count,
        share(&pm.on_target),
        pm.off_target.count,
        share(&pm.off_target),
        pm.satisfactory.count,
        share(&pm.satisfactory),
        pm.not_yet_available,
        pm.not_applicable,
        pm.with_direction,
        pm.improved.count,
        pm.worse.count,
        pm.stable.count,
    ));
    let mut priorities = Table::new();
    priorities
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(110)
        .set_header(vec![
            "Priority",
            "Measures",
            "On target",
            "Satisfactory",
            "Off target",
            "N/A",
            "No data",
        ]);
    for p in &summary.by_priority {
        priorities.add_row(vec![
            Cell::new(format!("{}. {}", p.number, p.title)),
            Cell::new(p.total),
            Cell::new(format!("{} ({})", p.on_target.count, share(&p.on_target))),
            Cell::new(format!(
                "{} ({})",
                p.satisfactory.count,
                share(&p.satisfactory)
            )),
            Cell::new(format!("{} ({})", p.off_target.count, share(&p.off_target))),
            Cell::new(p.not_applicable),
            Cell::new(p.not_yet_available),
        ]);
    }
    out.push_str(&priorities.to_string());
    out.push('\n');
    out
}

fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(width.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

/// Summary plus one line per measure (reference, measure, target, the last two quarterly
/// columns, status and direction).
pub fn table(report: &QuarterReport) -> String {
    let mut out = summary_table(report);
    let quarter_columns: Vec<usize> = report
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.starts_with('Q'))
        .map(|(i, _)| i)
        .collect();
    let shown: Vec<usize> = quarter_columns
        .iter()
        .rev()
        .take(2)
        .rev()
        .copied()
        .collect();
    let mut header = vec!["Ref".to_owned(), "Measure".to_owned(), "Target".to_owned()];
    header.extend(shown.iter().map(|&i| report.columns[i].clone()));
    header.extend(["Status".to_owned(), "DOT".to_owned()]);
    let mut rows = Table::new();
    rows.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(150)
        .set_header(header);
    for row in &report.rows {
        let mut cells = vec![
            Cell::new(&row.measure_ref),
            Cell::new(truncate(&row.measure, 48)),
            Cell::new(truncate(row.target.as_deref().unwrap_or(""), 28)),
        ];
        cells.extend(
            shown
                .iter()
                .map(|&i| Cell::new(truncate(row.values[i].as_deref().unwrap_or(""), 30))),
        );
        cells.push(Cell::new(match row.rag {
            Some(rag) => rag.to_string(),
            None => format!("{} {}", row.status.symbol(), row.status),
        }));
        cells.push(Cell::new(format!(
            "{} {}",
            row.direction.symbol(),
            row.direction
        )));
        rows.add_row(cells);
    }
    out.push_str(&rows.to_string());
    out.push('\n');
    out
}

/// One CSV row per measure with every column of the report.
pub fn csv(report: &QuarterReport) -> String {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    writer
        .write_record(csv_header(report))
        .expect("writing to memory");
    for row in &report.rows {
        writer
            .write_record(csv_record(row))
            .expect("writing to memory");
    }
    String::from_utf8(writer.into_inner().expect("flushing to memory"))
        .expect("CSV of UTF-8 text is UTF-8")
}

/// The export's columns before the value columns (shared by the CSV and XLSX exports, so the
/// two always agree).
pub const LEADING_COLUMNS: [&str; 13] = [
    "ref",
    "ref_as_printed",
    "priority",
    "outcome",
    "measure",
    "priority_measure",
    "lead_officer",
    "lead_accountability",
    "good_performance",
    "frequency",
    "target",
    "status",
    "direction",
];

/// The export's header: the leading columns, the report's value columns, the note.
pub fn csv_header(report: &QuarterReport) -> Vec<String> {
    LEADING_COLUMNS
        .iter()
        .map(|name| (*name).to_owned())
        .chain(report.columns.iter().cloned())
        .chain(std::iter::once("note".to_owned()))
        .collect()
}

/// One row of the export, in the header's order.
pub fn csv_record(row: &ReportRow) -> Vec<String> {
    let mut record = vec![
        row.measure_ref.clone(),
        row.ref_as_printed.clone(),
        row.priority.to_string(),
        row.outcome.clone(),
        row.measure.clone(),
        row.priority_measure.to_string(),
        row.lead_officer.clone(),
        row.lead_accountability.clone(),
        row.good_performance.clone(),
        row.frequency.clone(),
        row.target.clone().unwrap_or_default(),
        row.rag
            .map_or_else(|| row.status.to_string(), |rag| rag.to_string()),
        row.direction.to_string(),
    ];
    record.extend(row.values.iter().map(|v| v.clone().unwrap_or_default()));
    record.push(row.note.clone().unwrap_or_default());
    record
}

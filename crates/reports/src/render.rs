//! Renderers: a terminal table for people, CSV and canonical JSON for machines.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Cell, ContentArrangement, Table};

use scoreledger_projections::HistoryEntry;

use crate::quarter::{QuarterReport, ReportRow};
use crate::safe_csv;
use crate::summary::{capitalised, Share};

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
    let (heading, tallies) = summary.summary_box();
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
    let rag_plan = !summary.rag.is_empty();
    if rag_plan {
        let unrated = summary.not_rated().unwrap_or_else(|| Share::new(0, 0));
        status.add_row(vec![
            Cell::new("not rated"),
            Cell::new(unrated.count),
            Cell::new(share(&unrated)),
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
    if rag_plan {
        out.push_str(&rag_sentences(report));
        return out;
    }
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

/// A plan in the 2010 scheme is summarised in its own terms: its ratings with those not
/// rated ([`crate::summary::Summary::rag_sentence`]), and the ratings by priority.
fn rag_sentences(report: &QuarterReport) -> String {
    let summary = &report.summary;
    let mut out = format!("\n{}\n\n", summary.rag_sentence().unwrap_or_default());
    let mut priorities = Table::new();
    let mut header = vec!["Priority".to_owned(), "Measures".to_owned()];
    header.extend(summary.rag.iter().map(|t| capitalised(&t.label)));
    header.push("Not rated".to_owned());
    priorities
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(110)
        .set_header(header);
    for p in report.ratings_by_priority() {
        let mut cells = vec![
            Cell::new(format!("{}. {}", p.number, p.title)),
            Cell::new(p.measures),
        ];
        cells.extend(p.rated.iter().map(Cell::new));
        cells.push(Cell::new(p.not_rated));
        priorities.add_row(cells);
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
    let mut shown: Vec<usize> = quarter_columns
        .iter()
        .rev()
        .take(2)
        .rev()
        .copied()
        .collect();
    // A report of a year so far ("2010/11 to 20 Aug 2010") shows its own column.
    if let Some(own) = report.columns.iter().position(|c| *c == report.period) {
        if !shown.contains(&own) {
            shown.push(own);
            if shown.len() > 2 {
                shown.remove(0);
            }
        }
    }
    let rag_plan = !report.summary.rag.is_empty();
    let mut header = vec!["Ref".to_owned(), "Measure".to_owned(), "Target".to_owned()];
    header.extend(shown.iter().map(|&i| report.columns[i].clone()));
    header.extend([
        if rag_plan { "RAG" } else { "Status" }.to_owned(),
        "DOT".to_owned(),
    ]);
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
            None if rag_plan => "not rated".to_owned(),
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
    for notice in report.set_aside_notices() {
        out.push_str(&format!("\nSet aside: {notice}\n"));
    }
    out
}

/// One CSV row per measure with every column of the report, safe to open in a spreadsheet
/// ([`safe_csv`]).
pub fn csv(report: &QuarterReport) -> String {
    let mut writer = safe_csv::Writer::new();
    writer.record(csv_header(report));
    for row in &report.rows {
        writer.record(csv_record(row));
    }
    writer.finish()
}

/// The same rows as [`csv`], headed in words ([`HEADINGS`]): for people, and read back by a
/// values import as well as the machine names.
pub fn csv_in_words(report: &QuarterReport) -> String {
    let mut writer = safe_csv::Writer::new();
    writer.record(csv_header(report).iter().map(|name| heading(name)));
    for row in &report.rows {
        writer.record(csv_record(row));
    }
    writer.finish()
}

/// A column's heading in words; a value column's heading is its period, as it was.
pub fn heading(name: &str) -> &str {
    HEADINGS
        .iter()
        .find(|(code, _)| *code == name)
        .map_or(name, |(_, words)| words)
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

/// Each column of the export as people read it: its name in the machine export, and the
/// heading the exports for people print. A sheet read back ([`crate::sheet`]) may carry either.
pub const HEADINGS: [(&str, &str); 16] = [
    ("ref", "Ref"),
    ("ref_as_printed", "Ref as printed"),
    ("priority", "Priority"),
    ("outcome", "Outcome"),
    ("action", "Corporate Plan action"),
    ("measure", "Measure"),
    ("priority_measure", "Priority measure"),
    ("lead_officer", "Lead officer"),
    ("directorate", "Directorate"),
    ("lead_accountability", "Lead accountability"),
    ("good_performance", "Good performance"),
    ("frequency", "Frequency"),
    ("target", "Target"),
    ("status", "Status"),
    ("direction", "Direction of travel"),
    ("note", "Data note"),
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

/// The fields of a [`HistoryEntry`], in its serialisation order.
const HISTORY_COLUMNS: [&str; 18] = [
    "position",
    "seq",
    "recorded_at",
    "actor_id",
    "actor_name",
    "actor_role",
    "on_behalf_of",
    "event_type",
    "measure_ref",
    "period",
    "what",
    "before",
    "after",
    "reason",
    "classification",
    "plan_year",
    "reported_on",
    "reported_in",
];

/// The history as CSV, one row per change with every field of the entry, so an auditor's
/// spreadsheet gets what the API gives (the CLI's `history --format csv` and the audit
/// page's export), safe to open in a spreadsheet ([`safe_csv`]).
pub fn history_csv(entries: &[HistoryEntry]) -> String {
    let mut writer = safe_csv::Writer::new();
    // Written by hand so that a search that matches nothing still says what its columns are.
    writer.record(HISTORY_COLUMNS);
    for entry in entries {
        let text = |field: &Option<String>| field.clone().unwrap_or_default();
        writer.record([
            entry.position.to_string(),
            entry.seq.to_string(),
            entry.recorded_at.clone(),
            entry.actor_id.clone(),
            entry.actor_name.clone(),
            entry.actor_role.clone(),
            text(&entry.on_behalf_of),
            entry.event_type.clone(),
            text(&entry.measure_ref),
            text(&entry.period),
            entry.what.clone(),
            text(&entry.before),
            text(&entry.after),
            text(&entry.reason),
            text(&entry.classification),
            text(&entry.plan_year),
            text(&entry.reported_on),
            text(&entry.reported_in),
        ]);
    }
    writer.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> HistoryEntry {
        HistoryEntry {
            position: 7,
            seq: 0,
            recorded_at: "2016-12-12T10:00:00Z".to_owned(),
            actor_id: "sdennis".to_owned(),
            actor_name: "Simon Dennis".to_owned(),
            actor_role: "performance".to_owned(),
            on_behalf_of: None,
            event_type: "ValueRevised".to_owned(),
            measure_ref: Some("1.A3".to_owned()),
            period: Some("Q1 Apr - Jun 2016".to_owned()),
            what: "value".to_owned(),
            before: Some("30.9%".to_owned()),
            after: Some("30.6%".to_owned()),
            reason: Some("late returns, \"final\"".to_owned()),
            classification: Some("late_data".to_owned()),
            plan_year: Some("2016/17".to_owned()),
            reported_on: Some("2016-12-12".to_owned()),
            reported_in: Some("Cabinet, 12 December 2016".to_owned()),
        }
    }

    #[test]
    fn the_csv_in_words_is_headed_for_people_and_reads_back_as_the_machine_csv_does() {
        let report = crate::html::sample::report();
        let words = csv_in_words(&report);
        assert!(
            words.starts_with(
                "Ref,Ref as printed,Priority,Outcome,Measure,Priority measure,Lead officer,\
                 Lead accountability,Good performance,Frequency,Target,Status,\
                 Direction of travel,2014/15,"
            ),
            "{words}"
        );
        assert!(words.lines().next().unwrap().ends_with(",Dec-16,Data note"));
        assert_eq!(
            words.lines().skip(1).collect::<Vec<_>>(),
            csv(&report).lines().skip(1).collect::<Vec<_>>()
        );
        assert_eq!(
            crate::sheet::read_csv(&words).unwrap(),
            crate::sheet::read_csv(&csv(&report)).unwrap()
        );
    }

    #[test]
    fn history_csv_columns_are_the_entry_fields_in_order() {
        let json = serde_json::to_value(entry()).unwrap();
        let keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut sorted_columns = HISTORY_COLUMNS.to_vec();
        sorted_columns.sort_unstable();
        assert_eq!(keys, sorted_columns, "every field has a column");
        let csv = history_csv(&[entry()]);
        let mut lines = csv.lines();
        assert_eq!(lines.next().unwrap(), HISTORY_COLUMNS.join(","));
        assert_eq!(
            lines.next().unwrap(),
            "7,0,2016-12-12T10:00:00Z,sdennis,Simon Dennis,performance,,ValueRevised,1.A3,Q1 Apr - Jun 2016,value,30.9%,30.6%,\"late returns, \"\"final\"\"\",late_data,2016/17,2016-12-12,\"Cabinet, 12 December 2016\""
        );
    }

    #[test]
    fn text_a_spreadsheet_would_run_is_quoted_in_the_history() {
        let mut risky = entry();
        risky.reason = Some("=1+1".to_owned());
        risky.actor_name = "@SUM(A1)".to_owned();
        let csv = history_csv(&[risky]);
        assert!(csv.contains(",'=1+1,"), "{csv}");
        assert!(csv.contains(",'@SUM(A1),"), "{csv}");
        assert!(csv.contains(",30.9%,30.6%,"), "{csv}");
    }

    #[test]
    fn an_empty_history_still_has_its_header() {
        assert_eq!(history_csv(&[]), format!("{}\n", HISTORY_COLUMNS.join(",")));
    }
}

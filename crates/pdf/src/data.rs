//! What the pack's template is given: the report's words and figures, already worded as the
//! pack prints them, so the template only lays them out. Pure: the same report gives the same
//! JSON.

use serde::Serialize;

use scoreledger_reports::printed::{self, Fill, SummaryLine};
use scoreledger_reports::{QuarterReport, ReportRow, Share, Tally};

/// The whole pack.
#[derive(Debug, Serialize)]
pub(crate) struct Pack {
    title: String,
    plan: String,
    period: String,
    position_line: String,
    sha256: String,
    set_asides: Vec<String>,
    box_heading: &'static str,
    #[serde(rename = "box")]
    summary_box: Vec<Line>,
    total: u64,
    directions: Vec<Line>,
    executive: Vec<Executive>,
    columns: Vec<String>,
    priorities: Vec<Priority>,
}

/// A line of a tally: its wording, count, share and colour.
#[derive(Debug, Serialize)]
struct Line {
    label: String,
    /// The key in words (`On target`), where the label is the pack's sentence.
    short: String,
    count: u64,
    percent: String,
    fill: &'static str,
}

/// A line of the executive summary.
#[derive(Debug, Serialize)]
struct Executive {
    label: &'static str,
    count: u64,
    of: String,
    percent: String,
}

/// A share as printed, `-` where its whole is zero.
#[derive(Debug, Serialize)]
struct Figure {
    count: u64,
    percent: String,
}

/// A priority's counts and its rows.
#[derive(Debug, Serialize)]
struct Priority {
    number: u8,
    title: String,
    total: u64,
    measured: u64,
    on_target: Figure,
    satisfactory: Figure,
    off_target: Figure,
    under_development: u64,
    not_applicable: u64,
    not_yet_available: u64,
    rows: Vec<Row>,
}

/// One measure's row.
#[derive(Debug, Serialize)]
struct Row {
    reference: String,
    measure: String,
    about: String,
    target: String,
    values: Vec<String>,
    status: String,
    fill: &'static str,
    direction: String,
    note: String,
}

fn percent(share: &Share) -> String {
    share.percent.clone().unwrap_or_else(|| "-".to_owned())
}

fn line(tally: &Tally) -> Line {
    Line {
        label: tally.label.clone(),
        short: printed::assessment(None, &tally.key),
        count: tally.share.count,
        percent: percent(&tally.share),
        fill: Fill::of_tally(&tally.key).as_str(),
    }
}

fn figure(share: &Share) -> Figure {
    Figure {
        count: share.count,
        percent: percent(share),
    }
}

/// The small print under a measure: its action, who leads it and how it is read.
fn about(row: &ReportRow) -> String {
    let mut parts = Vec::new();
    if !row.action.is_empty() {
        parts.push(format!("Action: {}", row.action));
    }
    parts.push(format!("Lead officer: {}", row.lead_officer));
    if !row.good_performance.is_empty() {
        parts.push(format!("Good performance: {}", row.good_performance));
    }
    if !row.frequency.is_empty() {
        parts.push(row.frequency.clone());
    }
    if row.priority_measure {
        parts.push("Priority measure".to_owned());
    }
    parts.join(" · ")
}

fn row(row: &ReportRow) -> Row {
    let (status, fill) = printed::status(row);
    Row {
        reference: row.ref_as_printed.clone(),
        measure: row.measure.clone(),
        about: about(row),
        target: row.target.clone().unwrap_or_default(),
        values: row
            .values
            .iter()
            .map(|cell| cell.clone().unwrap_or_default())
            .collect(),
        status,
        fill: fill.as_str(),
        direction: printed::direction(row.direction),
        note: row.note.clone().unwrap_or_default(),
    }
}

impl Pack {
    /// The pack of `report`.
    pub(crate) fn of(report: &QuarterReport) -> Self {
        let summary = &report.summary;
        let (box_heading, tallies) = summary.summary_box();
        let priorities = summary
            .by_priority
            .iter()
            .map(|p| Priority {
                number: p.number,
                title: p.title.clone(),
                total: p.total,
                measured: p.measured,
                on_target: figure(&p.on_target),
                satisfactory: figure(&p.satisfactory),
                off_target: figure(&p.off_target),
                under_development: p.under_development,
                not_applicable: p.not_applicable,
                not_yet_available: p.not_yet_available,
                rows: report
                    .rows
                    .iter()
                    .filter(|r| r.priority == p.number)
                    .map(row)
                    .collect(),
            })
            .collect();
        Pack {
            title: format!(
                "{} — Quarterly Performance Scorecard — {}",
                report.plan, report.period
            ),
            plan: report.plan.clone(),
            period: report.period.clone(),
            position_line: format!(
                "As at log position {}, rules v{}",
                report.position, report.rule_set_version
            ),
            sha256: report.sha256(),
            set_asides: report.set_aside_notices(),
            box_heading,
            summary_box: tallies.iter().map(line).collect(),
            total: summary.total,
            directions: summary.direction.iter().map(line).collect(),
            executive: printed::executive_summary(summary)
                .into_iter()
                .map(|l| match l {
                    SummaryLine::Count(label, count) => Executive {
                        label,
                        count,
                        of: String::new(),
                        percent: String::new(),
                    },
                    SummaryLine::Share(label, share) => Executive {
                        label,
                        count: share.count,
                        of: share.of.to_string(),
                        percent: percent(share),
                    },
                })
                .collect(),
            columns: report.columns.clone(),
            priorities,
        }
    }

    /// The JSON the template reads.
    pub(crate) fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("the pack serialises: strings and numbers only")
    }
}

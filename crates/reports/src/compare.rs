//! Report-to-report comparison: the summary's shares, as the pack's narrative does it ("a
//! rise from the 39.7% in the last quarter"), and every measure's figures before → after.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use scoreledger_domain::percent::{format_percent, percent_of};
use scoreledger_domain::{Direction, MeasureRef, Rag, Status};

use crate::quarter::{QuarterReport, ReportRow};
use crate::summary::{Share, Summary};

/// One figure of the summary in both reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FigureChange {
    /// What the figure is, in the pack's words.
    pub figure: String,
    /// In the earlier report.
    pub before: Share,
    /// In the later report.
    pub after: Share,
    /// The change in percentage points (`+4.2`, `-1.0`, `0.0`); `None` when either share has
    /// no whole.
    pub points: Option<String>,
}

fn points(before: &Share, after: &Share) -> Option<String> {
    let a = percent_of(before.count, before.of)?;
    let b = percent_of(after.count, after.of)?;
    let change = b - a;
    let printed = format_percent(change).trim_end_matches('%').to_owned();
    Some(if change > Decimal::ZERO {
        format!("+{printed}")
    } else {
        printed
    })
}

/// The figures the executive summary quotes, by name.
fn figures(summary: &Summary) -> Vec<(String, Share)> {
    let mut figures = Vec::new();
    let tallies = if summary.rag.is_empty() {
        &summary.status
    } else {
        &summary.rag
    };
    for tally in tallies.iter().chain(&summary.direction) {
        let name = tally.key.replace('_', " ");
        figures.push((format!("{name}, of all"), tally.share.clone()));
    }
    figures.push((
        "on target, of measures with data".into(),
        summary.on_target_of_measured.clone(),
    ));
    figures.push((
        "off target, of measures with data".into(),
        summary.off_target_of_measured.clone(),
    ));
    figures.push((
        "improved, of measures with a direction".into(),
        summary.improved_of_directed.clone(),
    ));
    figures.push((
        "worse, of measures with a direction".into(),
        summary.worse_of_directed.clone(),
    ));
    let priority = &summary.priority_measures;
    figures.push((
        "priority measures on target, of those with data".into(),
        priority.on_target.clone(),
    ));
    figures.push((
        "priority measures off target, of those with data".into(),
        priority.off_target.clone(),
    ));
    for p in &summary.by_priority {
        figures.push((
            format!("priority {} on target, of measured", p.number),
            p.on_target.clone(),
        ));
    }
    figures
}

/// Every summary figure of `before` beside the same figure of `after`, in the summary's order.
pub fn compare(before: &QuarterReport, after: &QuarterReport) -> Vec<FigureChange> {
    let later = figures(&after.summary);
    figures(&before.summary)
        .into_iter()
        .filter_map(|(figure, old)| {
            let (_, new) = later.iter().find(|(name, _)| *name == figure)?;
            Some(FigureChange {
                points: points(&old, new),
                figure,
                before: old,
                after: new.clone(),
            })
        })
        .collect()
}

/// What a report says of one measure, as a comparison shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MeasureFigures {
    /// The value of the report's own period (its quarter's column), as printed.
    pub value: Option<String>,
    /// The target, as printed.
    pub target: Option<String>,
    /// The status.
    pub status: Status,
    /// The direction of travel.
    pub direction: Direction,
    /// The 2010-scheme rating.
    pub rag: Option<Rag>,
}

/// One measure in both reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MeasureChange {
    /// Normalised reference.
    pub measure_ref: String,
    /// Reference as printed (in the later report where the measure is in both).
    pub ref_as_printed: String,
    /// Measure text.
    pub measure: String,
    /// In the earlier report; `None` when the measure is not in it.
    pub before: Option<MeasureFigures>,
    /// In the later report; `None` when the measure is not in it.
    pub after: Option<MeasureFigures>,
    /// The figures that differ, in [`Figure::ALL`] order; all of them when the measure is in
    /// only one report.
    pub changed: Vec<Figure>,
}

/// A figure of a measure that a per-measure comparison shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Figure {
    /// The value of the report's own period.
    Value,
    /// The target.
    Target,
    /// The status.
    Status,
    /// The direction of travel.
    Direction,
    /// The 2010-scheme rating.
    Rag,
}

impl Figure {
    /// Every figure, in the order they are shown.
    pub const ALL: [Figure; 5] = [
        Figure::Value,
        Figure::Target,
        Figure::Status,
        Figure::Direction,
        Figure::Rag,
    ];

    /// Its name in machine output (`value`, …, `rag`).
    pub fn name(self) -> &'static str {
        match self {
            Figure::Value => "value",
            Figure::Target => "target",
            Figure::Status => "status",
            Figure::Direction => "direction",
            Figure::Rag => "rag",
        }
    }

    /// Its column heading.
    pub fn heading(self) -> &'static str {
        match self {
            Figure::Value => "Value",
            Figure::Target => "Target",
            Figure::Status => "Status",
            Figure::Direction => "Direction",
            Figure::Rag => "RAG",
        }
    }
}

impl MeasureChange {
    /// Whether anything differs.
    pub fn is_changed(&self) -> bool {
        !self.changed.is_empty()
    }

    /// `figure` in the earlier (`later` false) or later report, as a changed cell prints it:
    /// "—" where the report has none, "not in the report" where the measure is not in it.
    pub fn side(&self, later: bool, figure: Figure) -> String {
        let side = if later { &self.after } else { &self.before };
        match side {
            None => "not in the report".to_owned(),
            Some(figures) => {
                let text = figures.text(figure);
                if text.is_empty() {
                    "—".to_owned()
                } else {
                    text
                }
            }
        }
    }
}

impl MeasureFigures {
    /// One figure as people read it: statuses, directions and ratings in words (`on
    /// target`), empty where the report has none.
    pub fn text(&self, figure: Figure) -> String {
        let words = |code: String| code.replace('_', " ");
        match figure {
            Figure::Value => self.value.clone().unwrap_or_default(),
            Figure::Target => self.target.clone().unwrap_or_default(),
            Figure::Status => words(self.status.to_string()),
            Figure::Direction => words(self.direction.to_string()),
            Figure::Rag => self.rag.map(|r| words(r.to_string())).unwrap_or_default(),
        }
    }
}

/// The figures worth showing for `measures`: RAG only where either report rates a measure
/// that way (the 2010 scheme); the 2016 scorecards have none.
pub fn figures_shown(measures: &[MeasureChange]) -> Vec<Figure> {
    let rated = measures.iter().any(|m| {
        [&m.before, &m.after]
            .into_iter()
            .flatten()
            .any(|f| f.rag.is_some())
    });
    Figure::ALL
        .into_iter()
        .filter(|f| *f != Figure::Rag || rated)
        .collect()
}

fn figures_of(report: &QuarterReport, row: &ReportRow) -> MeasureFigures {
    let own = report.columns.iter().position(|c| *c == report.period);
    MeasureFigures {
        value: own.and_then(|i| row.values.get(i).cloned().flatten()),
        target: row.target.clone(),
        status: row.status,
        direction: row.direction,
        rag: row.rag,
    }
}

fn differing(before: &MeasureFigures, after: &MeasureFigures) -> Vec<Figure> {
    let same = [
        before.value == after.value,
        before.target == after.target,
        before.status == after.status,
        before.direction == after.direction,
        before.rag == after.rag,
    ];
    Figure::ALL
        .into_iter()
        .zip(same)
        .filter(|(_, same)| !same)
        .map(|(figure, _)| figure)
        .collect()
}

/// Every measure of either report, in the natural order of references, with its figures in
/// `before` and in `after` and which of them differ.
pub fn compare_measures(before: &QuarterReport, after: &QuarterReport) -> Vec<MeasureChange> {
    let mut both: BTreeMap<&str, (Option<&ReportRow>, Option<&ReportRow>)> = BTreeMap::new();
    for row in &before.rows {
        both.entry(&row.measure_ref).or_default().0 = Some(row);
    }
    for row in &after.rows {
        both.entry(&row.measure_ref).or_default().1 = Some(row);
    }
    let mut changes: Vec<MeasureChange> = both
        .into_values()
        .filter_map(|(old, new)| {
            let shown = new.or(old)?;
            let before = old.map(|row| figures_of(before, row));
            let after = new.map(|row| figures_of(after, row));
            let changed = match (&before, &after) {
                (Some(b), Some(a)) => differing(b, a),
                _ => Figure::ALL.to_vec(),
            };
            Some(MeasureChange {
                measure_ref: shown.measure_ref.clone(),
                ref_as_printed: shown.ref_as_printed.clone(),
                measure: shown.measure.clone(),
                before,
                after,
                changed,
            })
        })
        .collect();
    changes.sort_by_cached_key(|c| MeasureRef::parse(&c.measure_ref).ok());
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_of_share_is_printed_in_signed_points() {
        assert_eq!(
            points(&Share::new(23, 58), &Share::new(25, 57)).as_deref(),
            Some("+4.2")
        );
        assert_eq!(
            points(&Share::new(25, 57), &Share::new(23, 58)).as_deref(),
            Some("-4.2")
        );
        assert_eq!(
            points(&Share::new(1, 2), &Share::new(2, 4)).as_deref(),
            Some("0.0")
        );
        assert_eq!(points(&Share::new(0, 0), &Share::new(2, 4)), None);
    }

    #[test]
    fn every_measure_of_either_report_is_compared_figure_by_figure() {
        let before = crate::html::sample::report();
        let mut after = before.clone();
        // 1.A3 revised and reassessed; 1.B8 as it was; 2.A1 gone; 3.A1 new.
        after.rows[0].values[4] = Some("90".to_owned());
        after.rows[0].status = Status::OnTarget;
        after.rows.truncate(2);
        let mut new = before.rows[2].clone();
        new.measure_ref = "3.A1".to_owned();
        new.ref_as_printed = "3.A1".to_owned();
        after.rows.push(new);

        let changes = compare_measures(&before, &after);
        let refs: Vec<&str> = changes.iter().map(|c| c.measure_ref.as_str()).collect();
        assert_eq!(refs, ["1.A3", "1.B8", "2.A1", "3.A1"]);
        let revised = &changes[0];
        assert_eq!(revised.changed, [Figure::Value, Figure::Status]);
        let (was, now) = (
            revised.before.as_ref().unwrap(),
            revised.after.as_ref().unwrap(),
        );
        assert_eq!(
            was.value.as_deref(),
            Some("95 (revised; first published 112)")
        );
        assert_eq!(now.value.as_deref(), Some("90"));
        assert_eq!(
            (was.status, now.status),
            (Status::OffTarget, Status::OnTarget)
        );
        assert!(!changes[1].is_changed());
        assert!(changes[2].after.is_none() && changes[2].changed == Figure::ALL);
        assert!(changes[3].before.is_none() && changes[3].changed == Figure::ALL);
    }

    #[test]
    fn a_measure_s_value_is_its_report_s_own_period() {
        let before = crate::html::sample::report();
        let mut after = before.clone();
        // The same rows read as a Q2 report: its own value is the Q2 column.
        after.period = after.columns[3].clone();
        let changes = compare_measures(&before, &after);
        let revised = &changes[0];
        assert_eq!(revised.changed, [Figure::Value]);
        assert_eq!(
            revised.after.as_ref().unwrap().value.as_deref(),
            Some("30.4%")
        );
    }
}

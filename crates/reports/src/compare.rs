//! Report-to-report comparison of the summary's shares, as the pack's narrative does it
//! ("a rise from the 39.7% in the last quarter").

use rust_decimal::Decimal;
use serde::Serialize;

use scoreledger_domain::percent::{format_percent, percent_of};

use crate::quarter::QuarterReport;
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
}

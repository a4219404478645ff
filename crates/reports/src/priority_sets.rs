//! The priority-measure set a report was built with, and how two reports' sets differ. The
//! executive summary's priority-measure paragraph ("of the 32 priority measures …") depends
//! on which measures were flagged when the report was built; an auditor asks whether the 32
//! at Q3 were the 32 at Q2 (question 21).

use serde::Serialize;

use crate::quarter::{QuarterReport, ReportRow};
use crate::summary::PriorityMeasureSummary;

/// A priority measure as the report printed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PriorityMeasure {
    /// Normalised reference.
    pub measure_ref: String,
    /// Reference as printed.
    pub ref_as_printed: String,
    /// The measure's text.
    pub measure: String,
}

impl From<&ReportRow> for PriorityMeasure {
    fn from(row: &ReportRow) -> Self {
        Self {
            measure_ref: row.measure_ref.clone(),
            ref_as_printed: row.ref_as_printed.clone(),
            measure: row.measure.clone(),
        }
    }
}

/// One report's priority measures and the paragraph it printed of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrioritySet {
    /// The report's period, as printed.
    pub period: String,
    /// Its priority measures, in the report's row order.
    pub measures: Vec<PriorityMeasure>,
    /// The summary it printed of them.
    pub summary: PriorityMeasureSummary,
}

/// Two reports' priority-measure sets and their difference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrioritySetChange {
    /// The earlier report's set.
    pub earlier: PrioritySet,
    /// The later report's set.
    pub later: PrioritySet,
    /// Flagged in the later report but not in the earlier one (in it unflagged, or not in it).
    pub added: Vec<PriorityMeasure>,
    /// Flagged in the earlier report but not in the later one.
    pub removed: Vec<PriorityMeasure>,
}

impl PrioritySetChange {
    /// Whether both reports were built with the same priority measures.
    pub fn is_same(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty()
    }
}

/// The priority measures of `report`.
pub fn priority_set(report: &QuarterReport) -> PrioritySet {
    PrioritySet {
        period: report.period.clone(),
        measures: report
            .rows
            .iter()
            .filter(|r| r.priority_measure)
            .map(PriorityMeasure::from)
            .collect(),
        summary: report.summary.priority_measures.clone(),
    }
}

/// `earlier`'s and `later`'s priority measures, and which were added and removed.
pub fn compare_priority_sets(earlier: &QuarterReport, later: &QuarterReport) -> PrioritySetChange {
    let earlier = priority_set(earlier);
    let later = priority_set(later);
    let missing_from = |set: &PrioritySet, m: &PriorityMeasure| {
        !set.measures.iter().any(|x| x.measure_ref == m.measure_ref)
    };
    let added = later
        .measures
        .iter()
        .filter(|m| missing_from(&earlier, m))
        .cloned()
        .collect();
    let removed = earlier
        .measures
        .iter()
        .filter(|m| missing_from(&later, m))
        .cloned()
        .collect();
    PrioritySetChange {
        earlier,
        later,
        added,
        removed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_difference_names_each_measure_flagged_or_unflagged() {
        let earlier = crate::html::sample::report();
        let mut later = earlier.clone();
        assert!(compare_priority_sets(&earlier, &later).is_same());
        let first = earlier.rows[0].measure_ref.clone();
        let second = earlier.rows[1].measure_ref.clone();
        assert!(earlier.rows[0].priority_measure && !earlier.rows[1].priority_measure);
        later.rows[0].priority_measure = false;
        later.rows[1].priority_measure = true;

        let change = compare_priority_sets(&earlier, &later);
        assert!(!change.is_same());
        let refs = |ms: &[PriorityMeasure]| -> Vec<String> {
            ms.iter().map(|m| m.measure_ref.clone()).collect()
        };
        assert_eq!(refs(&change.added), std::slice::from_ref(&second));
        assert_eq!(refs(&change.removed), [first]);
        assert_eq!(refs(&change.later.measures), [second]);
        assert_eq!(change.earlier.summary, earlier.summary.priority_measures);
    }
}

//! Restatements of a published report: every cell that reads differently now, with the
//! changes to the log that made it so (who, when, in which role, why).

use serde::Serialize;

use scoreledger_projections::HistoryEntry;

use crate::diff::diff;
use crate::quarter::QuarterReport;

/// One restated cell and the changes behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Restatement {
    /// Measure reference.
    pub measure_ref: String,
    /// The column (a period as printed) or `target`, `status`, `direction`, `note`, `measure`.
    pub field: String,
    /// As published.
    pub as_published: Option<String>,
    /// As it reads in the later report.
    pub now: Option<String>,
    /// The changes recorded after the publication that touch this cell, in log order.
    pub because: Vec<HistoryEntry>,
}

/// Whether a change recorded in the history touches a cell of a report of `period`.
fn touches(entry: &HistoryEntry, measure_ref: &str, field: &str, period: &str) -> bool {
    if entry.measure_ref.as_deref() != Some(measure_ref) {
        return false;
    }
    let of_period = entry.period.as_deref() == Some(period);
    match field {
        "target" => entry.what == "target",
        "status" => entry.what == "status" && of_period,
        "direction" => entry.what == "direction of travel" && of_period,
        "note" => entry.what == "data note" && of_period,
        "measure" => entry.what == "measure defined",
        column => entry.what == "value" && entry.period.as_deref() == Some(column),
    }
}

/// The cells of `published` that read differently in `later`, each with the entries of
/// `changes` (the history recorded between the two reports' positions) that touch it.
pub fn restatements(
    published: &QuarterReport,
    later: &QuarterReport,
    changes: &[HistoryEntry],
) -> Vec<Restatement> {
    diff(published, later)
        .into_iter()
        .map(|cell| Restatement {
            because: changes
                .iter()
                .filter(|e| touches(e, &cell.measure_ref, &cell.field, &later.period))
                .cloned()
                .collect(),
            measure_ref: cell.measure_ref,
            field: cell.field,
            as_published: cell.before,
            now: cell.after,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(what: &str, measure: &str, period: &str, after: &str) -> HistoryEntry {
        HistoryEntry {
            position: 10,
            seq: 0,
            recorded_at: "2016-12-06T11:00:00Z".into(),
            actor_id: "sam.newton".into(),
            actor_name: "Sam Newton".into(),
            actor_role: "officer".into(),
            on_behalf_of: None,
            event_type: "ValueRevised".into(),
            measure_ref: Some(measure.into()),
            period: Some(period.into()),
            what: what.into(),
            before: Some("112".into()),
            after: Some(after.into()),
            reason: Some("definitional error".into()),
            classification: Some("correction".into()),
            plan_year: Some("2016/17".into()),
            reported_on: None,
            reported_in: None,
        }
    }

    #[test]
    fn a_value_change_is_matched_by_measure_and_column_and_a_status_by_the_report_period() {
        let q2 = "Q2 Jul - Sep 2016";
        assert!(touches(&entry("value", "2.B1", q2, "95"), "2.B1", q2, q2));
        assert!(!touches(&entry("value", "2.B1", q2, "95"), "2.B2", q2, q2));
        assert!(!touches(
            &entry("value", "2.B1", "Q1 Apr - Jun 2016", "95"),
            "2.B1",
            q2,
            q2
        ));
        assert!(touches(
            &entry("status", "2.B1", q2, "off_target"),
            "2.B1",
            "status",
            q2
        ));
        assert!(!touches(
            &entry("status", "2.B1", "Q1 Apr - Jun 2016", "off_target"),
            "2.B1",
            "status",
            q2
        ));
        assert!(touches(
            &entry("target", "1.B6", "2016/17", "3.1%"),
            "1.B6",
            "target",
            q2
        ));
        assert!(touches(
            &entry("direction of travel", "1.C1", q2, "improved"),
            "1.C1",
            "direction",
            q2
        ));
    }
}

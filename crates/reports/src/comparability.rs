//! Which measures changed definition or data source, and whether the directions of travel
//! assessed across a change still compare like with like (question 14, scenarios S11, S12).
//!
//! A direction of travel compares a figure with an earlier one. Once a measure's definition
//! or source changes from a period on, a direction assessed for a period of that year compares
//! figures from either side of the change, which is like with like only if the earlier figures
//! were restated on the new basis: revised in the log as a definition change, or recorded as
//! restated by the change itself ("Data for 2013-15 and retrospective data revised").

use std::collections::BTreeMap;

use serde::Serialize;

use scoreledger_domain::Period;
use scoreledger_projections::{reported_day, restated_word, HistoryEntry};

/// The history's `what` of a definition change and of a source change.
pub const CHANGES: [&str; 2] = ["definition change", "source change"];
/// The history's `what` of a direction of travel.
pub const DIRECTION: &str = "direction of travel";
/// A direction of travel that compares nothing, as the history stores it.
///
/// The earlier figures count as revised for a change when any figure of a period that ended
/// before it was revised as a definition change: the packs say "retrospective data revised" of
/// the series, and an annual indicator's direction at a quarter compares its annual figures.
const NOT_APPLICABLE: &str = "not_applicable";
/// The history's `what` of a value.
pub const VALUE: &str = "value";

/// One change of definition or source, with the directions of travel it bears on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The measure.
    pub measure_ref: String,
    /// `definition change` or `source change`.
    pub change: String,
    /// The first period reported on the new basis.
    pub from: String,
    /// What changed.
    pub note: String,
    /// Whether the change records the earlier figures as restated.
    pub restated: bool,
    /// The earlier figures revised in the log as a definition change (period: before → after).
    pub revised: Vec<String>,
    /// The log position of the change.
    pub position: i64,
    /// The day it was reported (the day its commit names, else the day it was recorded).
    pub reported_on: String,
    /// The directions of travel assessed for periods of the change's year from it on.
    pub directions: Vec<Crossing>,
}

/// A direction of travel assessed across a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Crossing {
    /// Its period.
    pub period: String,
    /// The direction, as stored.
    pub direction: String,
    /// Whether it compares like with like.
    pub comparable: bool,
    /// Why, in a sentence.
    pub why: String,
}

/// The changes in `entries` (the history rows named by [`CHANGES`], [`DIRECTION`] and
/// [`VALUE`], in log order) with their verdicts, in log order.
pub fn findings(entries: &[HistoryEntry]) -> Vec<Finding> {
    // The direction in force for each measure and period: the last one assessed. One that is
    // not applicable compared nothing, so no change can make it invalid.
    let mut directions: BTreeMap<(&str, Period), &str> = BTreeMap::new();
    for entry in entries.iter().filter(|e| e.what == DIRECTION) {
        if let (Some(measure), Some(period), Some(direction)) = (
            entry.measure_ref.as_deref(),
            parse(entry.period.as_deref()),
            entry.after.as_deref(),
        ) {
            // Stored as assessed, with the rules' suggestion after it when they differ.
            if direction.split_whitespace().next() == Some(NOT_APPLICABLE) {
                directions.remove(&(measure, period));
            } else {
                directions.insert((measure, period), direction);
            }
        }
    }
    entries
        .iter()
        .filter(|e| CHANGES.contains(&e.what.as_str()))
        .filter_map(|change| {
            let measure = change.measure_ref.as_deref()?;
            let from = parse(change.period.as_deref())?;
            let restated = change.classification.as_deref() == Some(restated_word(true));
            let revised: Vec<String> = entries
                .iter()
                .filter(|e| e.what == VALUE && e.measure_ref.as_deref() == Some(measure))
                .filter(|e| e.classification.as_deref() == Some("definition_change"))
                .filter_map(|e| {
                    let period = parse(e.period.as_deref())?;
                    (period.end_date() < from.start_date()).then(|| {
                        format!(
                            "{period}: {} → {}",
                            e.before.as_deref().unwrap_or("none"),
                            e.after.as_deref().unwrap_or("none")
                        )
                    })
                })
                .collect();
            // A direction crosses the change when its period runs into the new basis and the
            // period it is compared with began on the old one (Q3 against Q2 for a change from
            // Q3, the year against the year before, H2 against H1); Q4 against Q3 is new basis
            // against new. Decided by dates: periods of other kinds sort around `from`.
            let crossings = directions
                .iter()
                .filter(|((m, period), _)| {
                    *m == measure
                        && period.end_date() >= from.start_date()
                        && period.previous().start_date() < from.start_date()
                })
                .map(|((_, period), direction)| {
                    let (comparable, why) = if !revised.is_empty() {
                        (
                            true,
                            format!(
                                "the earlier figures were revised for the change ({})",
                                revised.join("; ")
                            ),
                        )
                    } else if restated {
                        (
                            true,
                            "the change records the earlier figures as restated on the new basis"
                                .to_owned(),
                        )
                    } else {
                        (
                            false,
                            format!(
                                "it compares figures from before the {} with figures after it; the earlier figures were not restated",
                                change.what
                            ),
                        )
                    };
                    Crossing {
                        period: period.to_string(),
                        direction: (*direction).to_owned(),
                        comparable,
                        why,
                    }
                })
                .collect();
            Some(Finding {
                measure_ref: measure.to_owned(),
                change: change.what.clone(),
                from: from.to_string(),
                note: change.after.clone().unwrap_or_default(),
                restated,
                revised,
                position: change.position,
                reported_on: reported_day(change.reported_on.as_deref(), &change.recorded_at)
                    .map(|day| day.to_string())
                    .unwrap_or_default(),
                directions: crossings,
            })
        })
        .collect()
}

fn parse(period: Option<&str>) -> Option<Period> {
    Period::parse(period?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(position: i64, measure: &str, what: &str, period: &str, after: &str) -> HistoryEntry {
        HistoryEntry {
            position,
            seq: 0,
            recorded_at: "2017-02-20T10:00:00+00:00".into(),
            actor_id: "sdennis".into(),
            actor_name: "Simon Dennis".into(),
            actor_role: "performance".into(),
            on_behalf_of: None,
            event_type: String::new(),
            measure_ref: Some(measure.into()),
            period: Some(period.into()),
            what: what.into(),
            before: None,
            after: Some(after.into()),
            reason: None,
            classification: None,
            plan_year: Some("2016/17".into()),
            reported_on: None,
            reported_in: None,
        }
    }

    fn change(position: i64, measure: &str, what: &str, restated: bool) -> HistoryEntry {
        HistoryEntry {
            classification: Some(restated_word(restated).into()),
            ..row(position, measure, what, "Q3 Oct - Dec 2016", "PHOF")
        }
    }

    #[test]
    fn a_direction_across_a_change_compares_only_if_the_earlier_figures_were_restated() {
        let entries = [
            row(1, "2.A4", DIRECTION, "Q2 Jul - Sep 2016", "improved"),
            row(2, "2.A4", DIRECTION, "Q3 Oct - Dec 2016", "worse"),
            row(3, "2.A1", DIRECTION, "Q3 Oct - Dec 2016", "improved"),
            row(4, "5.D3", DIRECTION, "Q3 Oct - Dec 2016", "worse"),
            // Q4 against Q3 is new basis against new.
            row(10, "5.D3", DIRECTION, "Q4 Jan - Mar 2017", "worse"),
            // The year against the year before crosses a change from Q3.
            row(11, "5.D3", DIRECTION, "2016/17", "improved"),
            row(12, "5.D3", DIRECTION, "2016/17", "worse"),
            // The next year's direction is on the new basis on both sides.
            row(5, "5.D3", DIRECTION, "Q1 Apr - Jun 2017", "worse"),
            HistoryEntry {
                before: Some("9.7".into()),
                classification: Some("definition_change".into()),
                ..row(6, "2.A4", VALUE, "2015/16", "10.9")
            },
            change(7, "2.A4", "definition change", false),
            change(8, "2.A1", "source change", true),
            change(9, "5.D3", "definition change", false),
        ];
        let found = findings(&entries);
        let verdicts: Vec<(&str, Vec<(&str, bool)>)> = found
            .iter()
            .map(|f| {
                (
                    f.measure_ref.as_str(),
                    f.directions
                        .iter()
                        .map(|d| (d.period.as_str(), d.comparable))
                        .collect(),
                )
            })
            .collect();
        assert_eq!(
            verdicts,
            [
                ("2.A4", vec![("Q3 Oct - Dec 2016", true)]),
                ("2.A1", vec![("Q3 Oct - Dec 2016", true)]),
                (
                    "5.D3",
                    vec![("2016/17", false), ("Q3 Oct - Dec 2016", false)]
                ),
            ]
        );
        assert_eq!(found[0].revised, ["2015/16: 9.7 → 10.9"]);
        assert!(found[1].directions[0]
            .why
            .contains("records the earlier figures as restated"));
        assert!(found[2].directions[0].why.contains("were not restated"));
        assert_eq!(found[2].reported_on, "2017-02-20");
    }
}

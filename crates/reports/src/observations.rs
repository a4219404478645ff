//! A year-to-date series as it was observed (question 15, scenarios S16 and S17): each figure
//! "from 1st April to" a day is its own observation, reported on some day in some document;
//! putting one of them right is a correction of that observation. The 2010 updates quote the
//! earlier figure beside the new one ("80.11% (compared with 80.16% reported in July)"), and
//! an auditor asks how many corrections fell between two reports.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use scoreledger_domain::Period;
use scoreledger_projections::{reported_day, HistoryEntry};

/// The observations of one financial year's series of one measure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Series {
    /// The measure.
    pub measure_ref: String,
    /// The financial year (`2010/11`).
    pub year: String,
    /// The observations, by the day they run to.
    pub observations: Vec<Observation>,
    /// From each report of an observation to the next: the figures then and the corrections
    /// reported in between.
    pub between: Vec<Between>,
}

/// One figure of the series "from the start of the year to" a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Observation {
    /// The period, as printed (`2010/11 to 20 Aug 2010`).
    pub period: String,
    /// The last day the figure covers.
    pub as_at: NaiveDate,
    /// The figure as first recorded.
    pub first: String,
    /// The figure now (after its corrections).
    pub now: String,
    /// When and where it was first reported, and recorded.
    pub reported: Reporting,
    /// Its corrections, in log order.
    pub corrections: Vec<Correction>,
}

/// A correction of one observation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Correction {
    /// The figure before.
    pub from: String,
    /// The figure after.
    pub to: String,
    /// The revision's classification, as stored.
    pub classification: Option<String>,
    /// Why.
    pub reason: Option<String>,
    /// When and where it was reported, and recorded.
    pub reported: Reporting,
}

/// The two axes of a change: when it was reported (and where), and when the log recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reporting {
    /// The day it was reported: the day its commit names, else the day it was recorded.
    pub on: NaiveDate,
    /// The document it was reported in, when its commit names one.
    pub document: Option<String>,
    /// When the log recorded it (RFC 3339).
    pub recorded_at: String,
    /// The commit's log position.
    pub position: i64,
}

/// From one reported observation to the next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Between {
    /// The earlier report's day.
    pub from: NaiveDate,
    /// The later report's day.
    pub to: NaiveDate,
    /// The latest observation reported on the earlier day, as it stood then.
    pub before: String,
    /// Its period.
    pub before_period: String,
    /// The latest observation reported on the later day.
    pub after: String,
    /// Its period.
    pub after_period: String,
    /// Corrections reported after the earlier day and on or before the later one.
    pub corrections: usize,
}

fn reporting(entry: &HistoryEntry, on: NaiveDate) -> Reporting {
    Reporting {
        on,
        document: entry.reported_in.clone(),
        recorded_at: entry.recorded_at.clone(),
        position: entry.position,
    }
}

/// The year-to-date series in `entries` (a measure's value history, in log order), one per
/// measure and financial year. Rows about other periods, and confirmations of a figure as it
/// stands, are not observations and are passed over.
pub fn series(entries: &[HistoryEntry]) -> Vec<Series> {
    // (measure, year) → period → observation, in log order within each.
    let mut found: BTreeMap<(String, i32), BTreeMap<Period, Observation>> = BTreeMap::new();
    for entry in entries {
        let (Some(measure), Some(period), Some(day)) = (
            entry.measure_ref.as_ref(),
            entry.period.as_deref().and_then(|p| Period::parse(p).ok()),
            reported_day(entry.reported_on.as_deref(), &entry.recorded_at),
        ) else {
            continue;
        };
        let Period::YearToDate { fy, through } = period else {
            continue;
        };
        let Some(figure) = entry.after.clone() else {
            continue;
        };
        let observations = found.entry((measure.clone(), fy)).or_default();
        match entry.event_type.as_str() {
            "ValueRecorded" => {
                observations.insert(
                    period,
                    Observation {
                        period: period.to_string(),
                        as_at: through,
                        first: figure.clone(),
                        now: figure,
                        reported: reporting(entry, day),
                        corrections: Vec::new(),
                    },
                );
            }
            "ValueRevised" => {
                if let Some(observation) = observations.get_mut(&period) {
                    observation.corrections.push(Correction {
                        from: observation.now.clone(),
                        to: figure.clone(),
                        classification: entry.classification.clone(),
                        reason: entry.reason.clone(),
                        reported: reporting(entry, day),
                    });
                    observation.now = figure;
                }
            }
            _ => {}
        }
    }
    found
        .into_iter()
        .map(|((measure_ref, fy), observations)| {
            // Periods that start together sort longest first; a series reads by its days.
            let mut observations: Vec<Observation> = observations.into_values().collect();
            observations.sort_by_key(|o| o.as_at);
            Series {
                measure_ref,
                year: Period::financial_year(fy).to_string(),
                between: between(&observations),
                observations,
            }
        })
        .collect()
}

/// The figure an observation stood at on `day`: as first recorded, or as the correction
/// reported last by then left it (by the day reported, not the order typed in: a past pack's
/// corrections may be entered in any order; on one day, the later in the log).
fn figure_on(observation: &Observation, day: NaiveDate) -> String {
    observation
        .corrections
        .iter()
        .enumerate()
        .filter(|(_, c)| c.reported.on <= day)
        .max_by_key(|(i, c)| (c.reported.on, *i))
        .map_or_else(|| observation.first.clone(), |(_, c)| c.to.clone())
}

fn between(observations: &[Observation]) -> Vec<Between> {
    // Each reporting day, with the observation running furthest reported on it.
    let mut days: BTreeMap<NaiveDate, &Observation> = BTreeMap::new();
    for observation in observations {
        let latest = days.entry(observation.reported.on).or_insert(observation);
        if observation.as_at > latest.as_at {
            *latest = observation;
        }
    }
    let days: Vec<(NaiveDate, &Observation)> = days.into_iter().collect();
    days.windows(2)
        .map(|pair| {
            let ((from, earlier), (to, later)) = (pair[0], pair[1]);
            let corrections = observations
                .iter()
                .flat_map(|o| &o.corrections)
                .filter(|c| from < c.reported.on && c.reported.on <= to)
                .count();
            Between {
                from,
                to,
                before: figure_on(earlier, from),
                before_period: earlier.period.clone(),
                after: figure_on(later, to),
                after_period: later.period.clone(),
                corrections,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(
        position: i64,
        event_type: &str,
        period: &str,
        after: &str,
        reported_on: Option<&str>,
    ) -> HistoryEntry {
        HistoryEntry {
            position,
            seq: 0,
            recorded_at: "2026-12-07T10:00:00+00:00".into(),
            actor_id: "swilson".into(),
            actor_name: "Sue Wilson".into(),
            actor_role: "performance".into(),
            on_behalf_of: None,
            event_type: event_type.into(),
            measure_ref: Some("NI 59".into()),
            period: Some(period.into()),
            what: "value".into(),
            before: None,
            after: Some(after.into()),
            reason: None,
            classification: (event_type == "ValueRevised").then(|| "correction".into()),
            plan_year: Some("2010/11".into()),
            reported_on: reported_on.map(str::to_owned),
            reported_in: reported_on.map(|_| "Improvement Panel".to_owned()),
        }
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn each_day_is_a_new_observation_and_a_correction_revises_one() {
        let entries = [
            row(
                1,
                "ValueRecorded",
                "2010/11 to 17 May 2010",
                "76.92%",
                Some("2010-05-17"),
            ),
            row(
                2,
                "ValueRecorded",
                "2010/11 to 13 Jul 2010",
                "80.16%",
                Some("2010-07-13"),
            ),
            row(
                3,
                "ValueRevised",
                "2010/11 to 17 May 2010",
                "77.10%",
                Some("2010-06-02"),
            ),
            row(
                4,
                "ValueRecorded",
                "2010/11 to 20 Aug 2010",
                "80.11%",
                Some("2010-08-20"),
            ),
            row(
                5,
                "ValueRevised",
                "2010/11 to 13 Jul 2010",
                "80.20%",
                Some("2010-07-30"),
            ),
            // Recorded today with no reported day: after every meeting.
            row(6, "ValueRevised", "2010/11 to 20 Aug 2010", "80.12%", None),
            // Not observations of the series.
            row(
                7,
                "ValueRecorded",
                "Q1 Apr - Jun 2010",
                "79%",
                Some("2010-07-13"),
            ),
            row(
                8,
                "ValueConfirmed",
                "2010/11 to 20 Aug 2010",
                "80.12%",
                None,
            ),
        ];
        let all = series(&entries);
        assert_eq!(all.len(), 1);
        let series = &all[0];
        assert_eq!(series.year, "2010/11");
        let figures: Vec<(&str, &str, usize)> = series
            .observations
            .iter()
            .map(|o| (o.first.as_str(), o.now.as_str(), o.corrections.len()))
            .collect();
        assert_eq!(
            figures,
            [
                ("76.92%", "77.10%", 1),
                ("80.16%", "80.20%", 1),
                ("80.11%", "80.12%", 1)
            ]
        );
        let between: Vec<(NaiveDate, NaiveDate, &str, &str, usize)> = series
            .between
            .iter()
            .map(|b| {
                (
                    b.from,
                    b.to,
                    b.before.as_str(),
                    b.after.as_str(),
                    b.corrections,
                )
            })
            .collect();
        assert_eq!(
            between,
            [
                (day("2010-05-17"), day("2010-07-13"), "76.92%", "80.16%", 1),
                (day("2010-07-13"), day("2010-08-20"), "80.16%", "80.11%", 1),
            ],
            "the figure reported on 13 July is 80.16%, whatever it was put right to later"
        );
        assert_eq!(
            series.observations[2].corrections[0].reported.on,
            day("2026-12-07"),
            "a correction that names no report was reported when recorded"
        );
    }
}

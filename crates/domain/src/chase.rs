//! What a measure still lacks for a report, and when each thing is due: the performance
//! team's chase list. A report of a quarter expects, of every measure that applies then, the
//! values its frequency produces by the quarter's end, each signed off, a data note, approved,
//! and the status (or RAG rating) and direction of travel for the quarter.
//!
//! Which periods a frequency produces follows the 2016/17 pack: monthly measures carry the
//! months of the quarter and the quarter; quarterly and termly measures (whose terms the pack
//! reports in quarter columns) the quarter; six-monthly ones the quarter at the half-year and
//! the year end; annual and biennial ones the year, at its last quarter.

use chrono::{Days, NaiveDate};
use serde::Serialize;

use crate::measure::Frequency;
use crate::period::Period;
use crate::state::MeasureState;
use crate::status::StatusScheme;

/// One thing a measure lacks for a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Lack {
    /// No value for the period.
    Value,
    /// A value nobody has signed off.
    SignOff,
    /// No data note.
    Note,
    /// A data note nobody has approved.
    Approval,
    /// No status (or, in a 2010 plan, RAG rating).
    Assessment,
    /// No direction of travel.
    Direction,
}

impl Lack {
    /// How the chase list words it.
    pub fn label(self) -> &'static str {
        match self {
            Lack::Value => "value",
            Lack::SignOff => "sign-off of the value",
            Lack::Note => "data note",
            Lack::Approval => "approval of the data note",
            Lack::Assessment => "status",
            Lack::Direction => "direction of travel",
        }
    }
}

/// A thing lacking, for a period, due on a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Missing {
    /// What is lacking.
    pub lack: Lack,
    /// The period it is for.
    pub period: Period,
    /// When it is due.
    pub due_on: NaiveDate,
    /// For a check that is lacking: who entered what is to be checked (an actor id), who
    /// may therefore not check it.
    pub entered_by: Option<String>,
}

/// The periods whose values a report of `report` expects of a measure of `frequency`.
pub fn expected_values(frequency: Frequency, report: &Period) -> Vec<Period> {
    let Period::Quarter { fy, quarter } = *report else {
        return vec![*report];
    };
    match frequency {
        Frequency::Monthly => {
            let mut periods = report.months();
            periods.push(*report);
            periods
        }
        Frequency::Quarterly | Frequency::Termly => vec![*report],
        Frequency::SixMonthly if quarter % 2 == 0 => vec![*report],
        Frequency::Annual | Frequency::Biennial if quarter == 4 => {
            vec![Period::financial_year(fy)]
        }
        Frequency::SixMonthly | Frequency::Annual | Frequency::Biennial => Vec::new(),
    }
}

/// When a period's figures are due: `days_after` days after it ends.
pub fn due_on(period: &Period, days_after: u32) -> NaiveDate {
    period
        .end_date()
        .checked_add_days(Days::new(u64::from(days_after)))
        .unwrap_or_else(|| period.end_date())
}

/// What `measure` lacks for a report of `report`, each due `days_after` days after its
/// period ends; nothing for a measure withdrawn then.
pub fn missing(measure: &MeasureState, report: &Period, days_after: u32) -> Vec<Missing> {
    if !measure.applies_in(report) {
        return Vec::new();
    }
    let mut lacking = Vec::new();
    let mut lack = |lack, period: Period, entered_by: Option<&str>| {
        lacking.push(Missing {
            lack,
            period,
            due_on: due_on(&period, days_after),
            entered_by: entered_by.map(str::to_owned),
        })
    };
    for period in expected_values(measure.definition.frequency, report) {
        // Every value recorded has its maker, and every note its author (`evolve`).
        match measure.value_makers.get(&period) {
            None => lack(Lack::Value, period, None),
            Some(maker) if maker.checked_by.is_none() => {
                lack(Lack::SignOff, period, Some(&maker.actor))
            }
            Some(_) => {}
        }
    }
    match measure.note_makers.get(report) {
        None => lack(Lack::Note, *report, None),
        Some(maker) if maker.checked_by.is_none() => {
            lack(Lack::Approval, *report, Some(&maker.actor))
        }
        Some(_) => {}
    }
    let assessed = match measure.definition.status_scheme {
        StatusScheme::Corporate2016 => measure.statuses.contains_key(report),
        StatusScheme::Rag2010 => measure.rags.contains_key(report),
    };
    if !assessed {
        lack(Lack::Assessment, *report, None);
    }
    if !measure.directions.contains_key(report) {
        lack(Lack::Direction, *report, None);
    }
    lacking
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quarter_expects_what_each_frequency_produces_by_its_end() {
        let q3 = Period::quarter(2016, 3);
        let q4 = Period::quarter(2016, 4);
        let printed = |periods: Vec<Period>| -> Vec<String> {
            periods.iter().map(Period::to_string).collect()
        };
        assert_eq!(
            printed(expected_values(Frequency::Monthly, &q3)),
            ["Oct-16", "Nov-16", "Dec-16", "Q3 Oct - Dec 2016"]
        );
        assert_eq!(
            printed(expected_values(Frequency::Termly, &q3)),
            ["Q3 Oct - Dec 2016"]
        );
        assert!(expected_values(Frequency::SixMonthly, &q3).is_empty());
        assert_eq!(
            printed(expected_values(Frequency::SixMonthly, &q4)),
            ["Q4 Jan - Mar 2017"]
        );
        assert!(expected_values(Frequency::Annual, &q3).is_empty());
        assert_eq!(
            printed(expected_values(Frequency::Annual, &q4)),
            ["2016/17"]
        );
        assert_eq!(
            due_on(&q3, 14),
            NaiveDate::from_ymd_opt(2017, 1, 14).unwrap()
        );
    }
}

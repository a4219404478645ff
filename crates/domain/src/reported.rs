//! When and where a change was reported, beside when it was recorded.
//!
//! The log stamps every commit with the moment it was appended, and that stays the log's
//! time. History loaded from past packs (a 2010 improvement plan typed in years later) was
//! *reported* long before: to the Improvement Panel on 13 July 2010, in the update of 20 August
//! 2010. A commit may say so, and queries may then take either axis: "as reported on 13 July
//! 2010" or "as the log stood".

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::decide::Rejection;
use crate::text::{self, TextKind};

/// The day a change was reported and the document it was reported in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Reported {
    /// The day (of the meeting, or of the update's date line).
    pub on: NaiveDate,
    /// The document, as people cite it: meeting, date, page ("Improvement Panel, 13 July
    /// 2010, Appendix A p. 1").
    pub document: String,
}

impl Reported {
    /// A report of `document` on `on`, judged against `today` (by the log's clock): the
    /// document must be named, in text the log can keep, and the day must have come.
    pub fn new(on: NaiveDate, document: &str, today: Option<NaiveDate>) -> Result<Self, Rejection> {
        let reported = Reported {
            on,
            document: document.trim().to_owned(),
        };
        reported.check(today)?;
        Ok(reported)
    }

    /// Whether this report can be kept: what [`Reported::new`] checks, for a report that
    /// arrived already built (from a request body or a file).
    pub fn check(&self, today: Option<NaiveDate>) -> Result<(), Rejection> {
        let invalid = |field: &'static str, message: String| Rejection::Invalid { field, message };
        if self.document.trim().is_empty() {
            return Err(invalid(
                "reported in",
                "name the document the change was reported in (meeting, date, page), e.g. \
                 \"Improvement Panel, 13 July 2010\""
                    .into(),
            ));
        }
        text::check(&self.document, TextKind::Line)
            .map_err(|p| invalid("reported in", p.to_string()))?;
        // As for periods: a year before 1900 is a slip of the keyboard, not history.
        if self.on.year() < crate::period::FIRST_YEAR {
            return Err(invalid(
                "reported on",
                format!(
                    "{} is before {}; check the year",
                    self.on,
                    crate::period::FIRST_YEAR
                ),
            ));
        }
        if let Some(today) = today.filter(|today| self.on > *today) {
            return Err(invalid(
                "reported on",
                format!(
                "{} has not come yet (today is {today}); a change is reported on a day that has passed",
                    self.on
                ),
            ));
        }
        Ok(())
    }

    /// Whether a figure for `period` could have been reported then: a figure "from 1st April
    /// to 20th August" was not reported on 13 July. (Other periods may be reported before they
    /// end, as forecasts are.)
    pub fn check_period(&self, period: &crate::Period) -> Result<(), Rejection> {
        if period.is_year_to_date() && self.on < period.end_date() {
            return Err(Rejection::Invalid {
                field: "reported on",
                message: format!(
                    "a figure for {period} runs to {}, so it was not reported on {}; check the day or the period",
                    period.end_date(),
                    self.on
                ),
            });
        }
        Ok(())
    }
}

impl std::fmt::Display for Reported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.on.format("%-d %b %Y"), self.document)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_report_names_its_document_and_a_day_that_has_come() {
        let today = Some(day("2026-12-07"));
        let panel = Reported::new(day("2010-07-13"), " Improvement Panel ", today).unwrap();
        assert_eq!(panel.document, "Improvement Panel");
        assert_eq!(panel.to_string(), "13 Jul 2010 (Improvement Panel)");

        let unnamed = Reported::new(day("2010-07-13"), "  ", today).unwrap_err();
        assert!(
            unnamed.to_string().contains("name the document"),
            "{unnamed}"
        );
        let tomorrow = Reported::new(day("2026-12-08"), "Cabinet", today).unwrap_err();
        assert!(
            tomorrow.to_string().contains("has not come yet"),
            "{tomorrow}"
        );
        let hidden = Reported::new(day("2010-07-13"), "Panel\u{202e}", today).unwrap_err();
        assert!(
            hidden.to_string().starts_with("reported in is invalid"),
            "{hidden}"
        );
        let slip = Reported::new(day("0210-07-13"), "Panel", today).unwrap_err();
        assert!(slip.to_string().contains("before 1900"), "{slip}");
        let early = panel
            .check_period(&crate::Period::parse("2010/11 to 20 Aug 2010").unwrap())
            .unwrap_err();
        assert!(
            early.to_string().contains("was not reported on 2010-07-13"),
            "{early}"
        );
        assert!(panel
            .check_period(&crate::Period::parse("2010/11 to 13 Jul 2010").unwrap())
            .is_ok());
        assert!(panel.check_period(&crate::Period::quarter(2010, 2)).is_ok());
    }
}

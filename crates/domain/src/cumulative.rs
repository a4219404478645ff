//! In-period increments of a measure reported cumulatively (year to date): the pack prints
//! 24% → 46% → 68% for 1.A2; the quarters themselves contributed 24, 22 and 22.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::period::Period;

/// What one period added to a year-to-date figure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Increment {
    /// The period.
    pub period: Period,
    /// Its year-to-date figure.
    pub year_to_date: Decimal,
    /// The period it was measured from (`None` from the start of the year).
    pub since: Option<Period>,
    /// The figure minus the year-to-date figure at the end of `since` (the whole figure for a
    /// period starting the year); `None` when no figure ends the day before it starts.
    pub increment: Option<Decimal>,
}

/// Increments of the quarters and months of financial year `fy` among `values`
/// (year-to-date figures by period), in order of period end. Each is measured from the figure
/// of the period ending the day before it starts: Q2 from Q1, November from October,
/// October from Q2.
pub fn increments(values: &BTreeMap<Period, Decimal>, fy: i32) -> Vec<Increment> {
    let year_start = Period::financial_year(fy).start_date();
    let mut in_year: Vec<(&Period, &Decimal)> = values
        .iter()
        .filter(|(p, _)| {
            matches!(p, Period::Quarter { .. } | Period::Month { .. })
                && p.financial_year_of() == fy
        })
        .collect();
    // Months before the quarter they close: Oct, Nov, Dec, then Q3.
    in_year.sort_by_key(|(p, _)| (p.end_date(), std::cmp::Reverse(p.start_date())));
    in_year
        .iter()
        .map(|(period, amount)| {
            let since = in_year
                .iter()
                .filter(|(p, _)| p.end_date().succ_opt() == Some(period.start_date()))
                // A quarter ending that day is preferred to its last month: same figure, wider period.
                .min_by_key(|(p, _)| p.start_date());
            let increment = match since {
                Some((_, before)) => Some(**amount - **before),
                None if period.start_date() == year_start => Some(**amount),
                None => None,
            };
            Increment {
                period: **period,
                year_to_date: **amount,
                since: since.map(|(p, _)| **p),
                increment,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(n: i64) -> Decimal {
        Decimal::from(n)
    }

    #[test]
    fn the_2016_17_families_for_change_figures_split_into_quarters_and_months() {
        // 1.A2: 24% (Q1), 46% (Q2), 68% (Q3); Oct 54%, Nov 60%, Dec 68%.
        let values = BTreeMap::from([
            (Period::quarter(2016, 1), dec(24)),
            (Period::quarter(2016, 2), dec(46)),
            (Period::quarter(2016, 3), dec(68)),
            (Period::month(2016, 10), dec(54)),
            (Period::month(2016, 11), dec(60)),
            (Period::month(2016, 12), dec(68)),
            (Period::financial_year(2015), dec(100)),
        ]);
        let got: Vec<(String, Option<String>, Option<Decimal>)> = increments(&values, 2016)
            .into_iter()
            .map(|i| {
                (
                    i.period.to_string(),
                    i.since.map(|p| p.to_string()),
                    i.increment,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("Q1 Apr - Jun 2016".to_owned(), None, Some(dec(24))),
                (
                    "Q2 Jul - Sep 2016".to_owned(),
                    Some("Q1 Apr - Jun 2016".to_owned()),
                    Some(dec(22))
                ),
                (
                    "Oct-16".to_owned(),
                    Some("Q2 Jul - Sep 2016".to_owned()),
                    Some(dec(8))
                ),
                ("Nov-16".to_owned(), Some("Oct-16".to_owned()), Some(dec(6))),
                ("Dec-16".to_owned(), Some("Nov-16".to_owned()), Some(dec(8))),
                (
                    "Q3 Oct - Dec 2016".to_owned(),
                    Some("Q2 Jul - Sep 2016".to_owned()),
                    Some(dec(22))
                ),
            ]
        );
    }

    #[test]
    fn a_period_with_no_figure_before_it_has_no_increment() {
        let values = BTreeMap::from([(Period::quarter(2016, 3), dec(18980))]);
        let got = increments(&values, 2016);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].increment, None);
        assert_eq!(got[0].since, None);
    }
}

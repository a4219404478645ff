//! Whether a measure applies in a period. A plan may withdraw a measure mid-year (21 of
//! them in one 2016/17 update) and reinstate it later, each from a first period: from then
//! on reports leave it out and their totals count without it, while reports published
//! before keep it, since they are built at their own log position.

use serde::{Deserialize, Serialize};

use crate::period::Period;

/// One withdrawal or reinstatement of a measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applicability {
    /// The first period it holds for.
    pub from: Period,
    /// Whether the measure applies from then on (a reinstatement) or not (a withdrawal).
    pub applies: bool,
}

/// Whether a measure with these withdrawals and reinstatements, in log order, applies in
/// `period`: the latest of them whose first period starts on or before `period` starts
/// decides; with none, it applies. A later one therefore overrides an earlier one from its
/// own first period on, and one from the same period undoes it.
pub fn applies_in(changes: &[Applicability], period: &Period) -> bool {
    deciding(changes, period).is_none_or(|change| change.applies)
}

/// The withdrawal or reinstatement that decides whether the measure applies in `period`.
pub fn deciding<'a>(changes: &'a [Applicability], period: &Period) -> Option<&'a Applicability> {
    changes
        .iter()
        .rev()
        .find(|change| change.from.start_date() <= period.start_date())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(from: Period, applies: bool) -> Applicability {
        Applicability { from, applies }
    }

    #[test]
    fn a_withdrawal_holds_from_its_first_period_until_a_reinstatement() {
        let q = |fy, n| Period::quarter(fy, n);
        let changes = [change(q(2016, 3), false), change(q(2017, 1), true)];
        assert!(applies_in(&[], &q(2016, 3)));
        assert!(applies_in(&changes, &q(2016, 2)));
        assert!(!applies_in(&changes, &q(2016, 3)));
        assert!(!applies_in(&changes, &Period::month(2017, 3)));
        assert!(applies_in(&changes, &q(2017, 2)));
        // The year it was withdrawn in started before the withdrawal.
        assert!(applies_in(&changes, &Period::financial_year(2016)));
        // A reinstatement from the same period undoes the withdrawal.
        assert!(applies_in(
            &[change(q(2016, 3), false), change(q(2016, 3), true)],
            &q(2016, 4)
        ));
    }
}

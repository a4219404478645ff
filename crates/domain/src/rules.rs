//! The status and direction-of-travel rules, as versioned data. A computed status is a
//! suggestion for the officer; a report shows the officer's assessment and records the
//! rule-set version it was built with, so a rule change is itself a visible restatement.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::measure::Polarity;
use crate::target::{Comparison, Target, TextKind};

/// Tolerance bands for the computed suggestions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleSet {
    /// Version number; bumped by every revision of the rules.
    pub version: u32,
    /// A value short of target by at most this share of the target (in percent) is
    /// "satisfactory" rather than "off target".
    pub satisfactory_band_percent: Decimal,
    /// A change of at most this share of the previous value (in percent) is "stable".
    pub stable_band_percent: Decimal,
}

impl Default for RuleSet {
    /// Version 1: within 10% of target is satisfactory; a change within 2% is stable.
    fn default() -> Self {
        Self {
            version: 1,
            satisfactory_band_percent: Decimal::from(10),
            stable_band_percent: Decimal::from(2),
        }
    }
}

/// The computed suggestion for a status, with the reason it was reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion<T> {
    /// The suggested value.
    pub value: T,
    /// Why, in words an officer can check.
    pub because: String,
}

impl RuleSet {
    /// Suggests a status from the target in force, the period's value and the polarity.
    /// `None` means the rules cannot decide (a textual target such as "5% reduction on
    /// 2015-16"): the officer must.
    pub fn suggest_status(
        &self,
        target: Option<&Target>,
        value: Option<Decimal>,
        polarity: Polarity,
    ) -> Option<Suggestion<crate::Status>> {
        use crate::Status::*;
        let suggestion = |value, because: String| Some(Suggestion { value, because });
        let target = match target {
            None => return suggestion(NotApplicable, "no target is set".into()),
            Some(Target::Text { meaning }) => {
                return match meaning {
                    TextKind::NoTarget => {
                        suggestion(NotApplicable, "the target says there is none".into())
                    }
                    TextKind::BaselineYear => {
                        suggestion(NotApplicable, "this is a baseline year".into())
                    }
                    TextKind::ToBeConfirmed => suggestion(
                        UnderDevelopment,
                        "the target is still to be confirmed".into(),
                    ),
                    TextKind::Other => None,
                };
            }
            Some(Target::Numeric {
                comparison, value, ..
            }) => (*comparison, *value),
        };
        let Some(value) = value else {
            return suggestion(NotYetAvailable, "there is no value for the period".into());
        };
        let (comparison, goal) = target;
        let higher_is_better = match comparison {
            Comparison::Above | Comparison::AtLeast => true,
            Comparison::Below | Comparison::AtMost => false,
            Comparison::MeetOrBetter => match polarity {
                Polarity::High => true,
                Polarity::Low => false,
                Polarity::NotApplicable => {
                    return suggestion(
                        NotApplicable,
                        "good performance is neither high nor low".into(),
                    )
                }
            },
        };
        let met = match comparison {
            Comparison::Above => value > goal,
            Comparison::Below => value < goal,
            _ if higher_is_better => value >= goal,
            _ => value <= goal,
        };
        if met {
            return suggestion(OnTarget, format!("{value} meets the target {goal}"));
        }
        let band = goal.abs() * self.satisfactory_band_percent / Decimal::ONE_HUNDRED;
        let shortfall = (value - goal).abs();
        if shortfall <= band {
            suggestion(
                Satisfactory,
                format!(
                    "{value} is within {}% of the target {goal}",
                    self.satisfactory_band_percent
                ),
            )
        } else {
            suggestion(
                OffTarget,
                format!(
                    "{value} misses the target {goal} by more than {}%",
                    self.satisfactory_band_percent
                ),
            )
        }
    }

    /// Suggests a direction of travel from the previous comparable value to this one.
    pub fn suggest_direction(
        &self,
        previous: Option<Decimal>,
        current: Option<Decimal>,
        polarity: Polarity,
    ) -> crate::Direction {
        use crate::Direction::*;
        let (Some(previous), Some(current)) = (previous, current) else {
            return NotApplicable;
        };
        if polarity == Polarity::NotApplicable {
            return NotApplicable;
        }
        let band = previous.abs() * self.stable_band_percent / Decimal::ONE_HUNDRED;
        let change = current - previous;
        if change.abs() <= band {
            return Stable;
        }
        let rose = change > Decimal::ZERO;
        if rose == (polarity == Polarity::High) {
            Improved
        } else {
            Worse
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::TargetSpec;
    use crate::{Direction, Period, Status};
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[track_caller]
    fn check(
        target: &str,
        period: Period,
        value: Option<&str>,
        polarity: Polarity,
        expected: Option<Status>,
    ) {
        let spec = TargetSpec::parse(target).unwrap();
        let suggestion = RuleSet::default().suggest_status(
            Some(spec.for_period(&period)),
            value.map(dec),
            polarity,
        );
        assert_eq!(
            suggestion.map(|s| s.value),
            expected,
            "{target} vs {value:?}"
        );
    }

    #[test]
    fn statuses_follow_target_value_and_polarity() {
        let q3 = Period::quarter(2016, 3);
        let q2 = Period::quarter(2016, 2);
        check(
            "87.5%",
            q3,
            Some("86.5"),
            Polarity::High,
            Some(Status::Satisfactory),
        );
        check(
            "87.5%",
            q3,
            Some("88"),
            Polarity::High,
            Some(Status::OnTarget),
        );
        check(
            "4%",
            q3,
            Some("7.2"),
            Polarity::Low,
            Some(Status::OffTarget),
        );
        check(
            "April - September 26% October - March 23%",
            q2,
            Some("30.4"),
            Polarity::Low,
            Some(Status::OffTarget),
        );
        check(
            "April - September 26% October - March 23%",
            q3,
            Some("23"),
            Polarity::Low,
            Some(Status::OnTarget),
        );
        check(
            ">36%",
            q3,
            Some("36"),
            Polarity::High,
            Some(Status::Satisfactory),
        );
        check(
            "<6%",
            q3,
            Some("6"),
            Polarity::Low,
            Some(Status::Satisfactory),
        );
        check("<5%", q3, Some("0"), Polarity::Low, Some(Status::OnTarget));
        check(
            "No target - not applicable",
            q3,
            Some("64"),
            Polarity::NotApplicable,
            Some(Status::NotApplicable),
        );
        check(
            "Baseline year",
            q3,
            Some("62"),
            Polarity::High,
            Some(Status::NotApplicable),
        );
        check(
            "74% (2015/16) 2016/17 target tbc",
            q3,
            None,
            Polarity::High,
            Some(Status::UnderDevelopment),
        );
        check(
            "91%",
            q3,
            None,
            Polarity::High,
            Some(Status::NotYetAvailable),
        );
        check(
            "5% reduction on 2015-16",
            q3,
            Some("3298"),
            Polarity::Low,
            None,
        );
    }

    #[test]
    fn no_target_at_all_is_not_applicable() {
        let suggestion = RuleSet::default()
            .suggest_status(None, Some(dec("1")), Polarity::High)
            .unwrap();
        assert_eq!(suggestion.value, Status::NotApplicable);
    }

    #[test]
    fn direction_compares_with_the_previous_value_in_the_measures_polarity() {
        let rules = RuleSet::default();
        let d = |p: &str, c: &str, pol| rules.suggest_direction(Some(dec(p)), Some(dec(c)), pol);
        assert_eq!(d("30.4", "28.3", Polarity::Low), Direction::Improved);
        assert_eq!(d("6.6", "7.2", Polarity::Low), Direction::Worse);
        assert_eq!(d("81.1", "86.5", Polarity::High), Direction::Improved);
        assert_eq!(d("100", "100", Polarity::High), Direction::Stable);
        assert_eq!(d("79.9", "78.68", Polarity::High), Direction::Stable);
        assert_eq!(
            d("35", "64", Polarity::NotApplicable),
            Direction::NotApplicable
        );
        assert_eq!(
            rules.suggest_direction(None, Some(dec("1")), Polarity::High),
            Direction::NotApplicable
        );
    }
}

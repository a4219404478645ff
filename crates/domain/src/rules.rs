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
    /// Version number; bumped by every revision of the rules: whenever a target, polarity
    /// and value the rules could already judge would be judged differently. Teaching them a
    /// new kind of target (a band, dated milestones) or polarity (mid range is good) is no
    /// revision: targets and polarities are stored parsed, so none set before could be one,
    /// and nothing judged before is judged differently.
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
            Some(Target::Range { low, high, .. }) => {
                let Some(value) = value else {
                    return suggestion(NotYetAvailable, "there is no value for the period".into());
                };
                return self.within_band(value, *low, *high, polarity);
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
                // A mid-range measure with one figure aims at it from either side.
                Polarity::MidRange => return self.within_band(value, goal, goal, polarity),
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

    /// A value against a band `low..=high` (one figure when they are equal): inside is on
    /// target, and so is beyond the edge the polarity calls good (above for high is good,
    /// below for low is good); outside by at most the satisfactory share of the nearer edge
    /// is satisfactory. A mid-range measure is good only inside.
    fn within_band(
        &self,
        value: Decimal,
        low: Decimal,
        high: Decimal,
        polarity: Polarity,
    ) -> Option<Suggestion<crate::Status>> {
        use crate::Status::*;
        let shown = if low == high {
            format!("{low}")
        } else {
            format!("{low} to {high}")
        };
        let edge = if value < low { low } else { high };
        let beyond_good_edge = match polarity {
            Polarity::High => value > high,
            Polarity::Low => value < low,
            Polarity::MidRange | Polarity::NotApplicable => false,
        };
        let (status, because) = if (low..=high).contains(&value) {
            (OnTarget, format!("{value} is within the target {shown}"))
        } else if beyond_good_edge {
            (
                OnTarget,
                format!("{value} is beyond the target {shown} on the side that is good"),
            )
        } else if (value - edge).abs()
            <= edge.abs() * self.satisfactory_band_percent / Decimal::ONE_HUNDRED
        {
            (
                Satisfactory,
                format!(
                    "{value} is outside the target {shown} by at most {}% of {edge}",
                    self.satisfactory_band_percent
                ),
            )
        } else {
            (
                OffTarget,
                format!(
                    "{value} is outside the target {shown} by more than {}% of {edge}",
                    self.satisfactory_band_percent
                ),
            )
        };
        Some(Suggestion {
            value: status,
            because,
        })
    }

    /// Suggests a direction of travel from the previous comparable value to this one. A
    /// mid-range measure improves by coming nearer the band its target gives (`target`, the
    /// target in force for the later period) and worsens by moving away from it; with no band
    /// to go by its direction is not applicable.
    pub fn suggest_direction(
        &self,
        previous: Option<Decimal>,
        current: Option<Decimal>,
        polarity: Polarity,
        target: Option<&Target>,
    ) -> crate::Direction {
        use crate::Direction::*;
        let (Some(previous), Some(current)) = (previous, current) else {
            return NotApplicable;
        };
        match polarity {
            Polarity::NotApplicable => return NotApplicable,
            Polarity::MidRange => {
                let (low, high) = match target {
                    Some(Target::Range { low, high, .. }) => (*low, *high),
                    Some(Target::Numeric {
                        comparison: Comparison::MeetOrBetter,
                        value,
                        ..
                    }) => (*value, *value),
                    _ => return NotApplicable,
                };
                let distance = |v: Decimal| {
                    if v < low {
                        low - v
                    } else if v > high {
                        v - high
                    } else {
                        Decimal::ZERO
                    }
                };
                let (before, after) = (distance(previous), distance(current));
                let band = previous.abs() * self.stable_band_percent / Decimal::ONE_HUNDRED;
                return if (after - before).abs() <= band {
                    Stable
                } else if after < before {
                    Improved
                } else {
                    Worse
                };
            }
            Polarity::High | Polarity::Low => {}
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
        let d =
            |p: &str, c: &str, pol| rules.suggest_direction(Some(dec(p)), Some(dec(c)), pol, None);
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
            rules.suggest_direction(None, Some(dec("1")), Polarity::High, None),
            Direction::NotApplicable
        );
    }

    #[test]
    fn a_band_is_on_target_inside_and_judged_by_its_nearer_edge_outside() {
        let q3 = Period::quarter(2016, 3);
        for polarity in [Polarity::MidRange, Polarity::High, Polarity::Low] {
            check(
                "60% - 70%",
                q3,
                Some("65"),
                polarity,
                Some(Status::OnTarget),
            );
            check(
                "60% - 70%",
                q3,
                Some("70"),
                polarity,
                Some(Status::OnTarget),
            );
            check(
                "60% - 70%",
                q3,
                None,
                polarity,
                Some(Status::NotYetAvailable),
            );
        }
        for polarity in [Polarity::MidRange, Polarity::High] {
            // 10% of the lower edge is 6: 54 is satisfactory, 53.9 off target.
            check(
                "60% - 70%",
                q3,
                Some("54"),
                polarity,
                Some(Status::Satisfactory),
            );
            check(
                "60% - 70%",
                q3,
                Some("53.9"),
                polarity,
                Some(Status::OffTarget),
            );
        }
        for polarity in [Polarity::MidRange, Polarity::Low] {
            // Above the band is judged against its upper edge: 10% of 70 is 7.
            check(
                "60-70%",
                q3,
                Some("77"),
                polarity,
                Some(Status::Satisfactory),
            );
            check(
                "between 60% and 70%",
                q3,
                Some("78"),
                polarity,
                Some(Status::OffTarget),
            );
        }
        // Beyond the edge that is good is on target.
        check(
            "60% - 70%",
            q3,
            Some("78"),
            Polarity::High,
            Some(Status::OnTarget),
        );
        check(
            "60% - 70%",
            q3,
            Some("50"),
            Polarity::Low,
            Some(Status::OnTarget),
        );
    }

    #[test]
    fn a_mid_range_measure_with_one_figure_aims_at_it_from_either_side() {
        let q3 = Period::quarter(2016, 3);
        let mid = Polarity::MidRange;
        check("65%", q3, Some("65"), mid, Some(Status::OnTarget));
        check("65%", q3, Some("59.8"), mid, Some(Status::Satisfactory));
        check("65%", q3, Some("70"), mid, Some(Status::Satisfactory));
        check("65%", q3, Some("72"), mid, Some(Status::OffTarget));
        // An explicit comparison still decides which side is good.
        check(">65%", q3, Some("72"), mid, Some(Status::OnTarget));
    }

    #[test]
    fn a_mid_range_measure_improves_by_coming_nearer_its_band() {
        let rules = RuleSet::default();
        let band = TargetSpec::parse("60% - 70%").unwrap();
        let band = band.for_period(&Period::quarter(2016, 3));
        let d = |p: &str, c: &str, target| {
            rules.suggest_direction(Some(dec(p)), Some(dec(c)), Polarity::MidRange, target)
        };
        assert_eq!(d("50", "58", Some(band)), Direction::Improved);
        assert_eq!(d("80", "72", Some(band)), Direction::Improved);
        assert_eq!(d("62", "50", Some(band)), Direction::Worse);
        assert_eq!(d("65", "75", Some(band)), Direction::Worse);
        // Moving about inside the band, or rising past it by as much as it rose from below.
        assert_eq!(d("61", "69", Some(band)), Direction::Stable);
        assert_eq!(d("55", "75", Some(band)), Direction::Stable);
        let figure = TargetSpec::parse("65%").unwrap();
        let figure = figure.for_period(&Period::quarter(2016, 3));
        assert_eq!(d("57.6", "59.8", Some(figure)), Direction::Improved);
        assert_eq!(d("70", "75", Some(figure)), Direction::Worse);
        // Without a figure to aim at there is nothing to come nearer to.
        assert_eq!(d("57.6", "59.8", None), Direction::NotApplicable);
    }

    #[test]
    fn milestones_judge_a_figure_against_the_one_worked_towards() {
        // NI 59 (high is good) in the 2010 notice to improve.
        let target = "80% March 2010 85% October 2010 87% March 2011";
        let ytd = |y, m, d| Period::YearToDate {
            fy: 2010,
            through: chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap(),
        };
        let high = Polarity::High;
        // On 20 August 2010 October's 85% is the one worked towards: 80.11% is within 10% of
        // it, satisfactory, as the August update rated NI 59 amber.
        check(
            target,
            ytd(2010, 8, 20),
            Some("80.11"),
            high,
            Some(Status::Satisfactory),
        );
        check(
            target,
            ytd(2010, 8, 20),
            Some("85"),
            high,
            Some(Status::OnTarget),
        );
        check(
            target,
            ytd(2010, 8, 20),
            Some("76"),
            high,
            Some(Status::OffTarget),
        );
        // From November, March 2011's 87%; the year as a whole ends with it.
        check(
            target,
            ytd(2010, 11, 30),
            Some("85"),
            high,
            Some(Status::Satisfactory),
        );
        check(
            target,
            Period::financial_year(2010),
            Some("87"),
            high,
            Some(Status::OnTarget),
        );
        // Before March 2010 that milestone is the one worked towards; after the last, the last.
        check(
            target,
            Period::quarter(2009, 3),
            Some("79"),
            high,
            Some(Status::Satisfactory),
        );
        check(
            target,
            Period::financial_year(2011),
            Some("87"),
            high,
            Some(Status::OnTarget),
        );
    }
}

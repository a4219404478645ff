//! Targets: numeric (with a comparison), a band ("60% - 70%"), textual ("No target",
//! "Baseline year", "tbc"), phased within a year ("April - September 26% October - March 23%"
//! is two targets) and dated milestones that may span years ("65% March 2010 68% October 2010
//! 70% March 2011" is three).

use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::measure::text_enum;
use crate::period::{parse_month_name, Period};
use crate::value::Unit;

text_enum!(
    /// How a value is compared with a numeric target.
    Comparison {
        /// Meet or beat the figure in the measure's polarity (the usual reading of `87.5%`).
        MeetOrBetter => "meet_or_better",
        /// Strictly above (`>79%`).
        Above => "above",
        /// Strictly below (`<5%`).
        Below => "below",
        /// At least (`At least 2,300 per 100,000`).
        AtLeast => "at_least",
        /// At most (`no more than 5.9%`).
        AtMost => "at_most",
    }
);

text_enum!(
    /// What a target that is not a number means for the status.
    TextKind {
        /// "No target", "Not applicable": the measure is not applicable for target.
        NoTarget => "no_target",
        /// "Baseline year": not applicable for target this year.
        BaselineYear => "baseline_year",
        /// "tbc": not yet set (under development).
        ToBeConfirmed => "to_be_confirmed",
        /// Anything else ("5% reduction on 2015-16"): a human judges the status.
        Other => "other",
    }
);

/// One target, numeric or textual.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Target {
    /// A number to compare values with.
    Numeric {
        /// How to compare.
        comparison: Comparison,
        /// The figure.
        value: Decimal,
        /// Its unit.
        unit: Unit,
    },
    /// A band to stay within (`60% - 70%`): inside is on target whatever the polarity, and
    /// for a "mid range is good" measure it is the range that is good.
    Range {
        /// The lowest figure inside the band.
        low: Decimal,
        /// The highest figure inside the band.
        high: Decimal,
        /// Their unit.
        unit: Unit,
    },
    /// Words instead of a number.
    Text {
        /// What the words mean for the status.
        meaning: TextKind,
    },
}

/// A target that applies to part of the year, by month range (inclusive, wrapping over
/// December: April–September is `4..=9`, October–March is `10..=3`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetSegment {
    /// First month (1–12) the segment applies to.
    pub from_month: u8,
    /// Last month (1–12) the segment applies to.
    pub to_month: u8,
    /// The target in force for those months.
    pub target: Target,
}

/// A target to reach by a date (`68% October 2010`: by the end of October 2010).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milestone {
    /// The last day of the month named.
    pub by: NaiveDate,
    /// The target to have reached by then.
    pub target: Target,
}

/// A target as set for a financial year: the text as printed plus its parsed segments
/// (one segment covering the whole year unless the target is phased) and, for a trajectory of
/// dated figures, its milestones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetSpec {
    /// The text as printed (`April - September 26% October - March 23%`).
    pub raw: String,
    /// One or more segments in month order from April. For milestones, one segment holding
    /// the first milestone's figure, which is what a reader that knows no milestones sees.
    pub segments: Vec<TargetSegment>,
    /// Dated figures in date order, when the target is a trajectory. Left out of the encoding
    /// when empty, so targets set before milestones were read encode (and hash) as they did.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub milestones: Vec<Milestone>,
}

/// Why a target cannot be set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a target cannot be empty; enter a figure (87.5%, <5%, At least 2,300), a phased target (April - September 26% October - March 23%) or words such as \"No target\" or \"Baseline year\"")]
pub struct EmptyTarget;

impl TargetSpec {
    /// Parses a target as printed.
    pub fn parse(raw: &str) -> Result<Self, EmptyTarget> {
        let raw = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if raw.is_empty() {
            return Err(EmptyTarget);
        }
        let whole_year = |target| {
            vec![TargetSegment {
                from_month: 4,
                to_month: 3,
                target,
            }]
        };
        if let Some(milestones) = milestones(&raw) {
            return Ok(Self {
                segments: whole_year(milestones[0].target.clone()),
                raw,
                milestones,
            });
        }
        let segments = phased(&raw).unwrap_or_else(|| whole_year(single(&raw)));
        Ok(Self {
            raw,
            segments,
            milestones: Vec::new(),
        })
    }

    /// The target in force for a period. For milestones, the one being worked towards: the
    /// first due on or after the period's last day (a figure to 20 August 2010 against
    /// October 2010's, as the 2010 updates rated them), or the last once all are past;
    /// otherwise the segment containing the period's last month.
    pub fn for_period(&self, period: &Period) -> &Target {
        let end = period.end_date();
        if let Some(last) = self.milestones.last() {
            return self
                .milestones
                .iter()
                .find(|milestone| milestone.by >= end)
                .map_or(&last.target, |milestone| &milestone.target);
        }
        let month = end.month() as u8;
        self.segments
            .iter()
            .find(|segment| month_in(month, segment.from_month, segment.to_month))
            .map_or(&self.segments[0].target, |segment| &segment.target)
    }
}

impl FromStr for TargetSpec {
    type Err = EmptyTarget;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TargetSpec::parse(s)
    }
}

fn month_in(month: u8, from: u8, to: u8) -> bool {
    if from <= to {
        (from..=to).contains(&month)
    } else {
        month >= from || month <= to
    }
}

/// `April - September 26% October - March 23%` → two segments.
fn phased(raw: &str) -> Option<Vec<TargetSegment>> {
    let words: Vec<&str> = raw.split(' ').collect();
    let mut segments = Vec::new();
    let mut i = 0;
    while i + 3 < words.len() {
        let from = parse_month_name(words[i]);
        let to = parse_month_name(words[i + 2]);
        if let (Some(from), "-", Some(to)) = (from, words[i + 1], to) {
            if let Some((value, unit, _)) = number(words[i + 3]) {
                segments.push(TargetSegment {
                    from_month: from,
                    to_month: to,
                    target: Target::Numeric {
                        comparison: Comparison::MeetOrBetter,
                        value,
                        unit,
                    },
                });
                i += 4;
                continue;
            }
        }
        i += 1;
    }
    (segments.len() >= 2).then_some(segments)
}

/// `65% March 2010 68% October 2010 70% March 2011` → three milestones (two or more figures,
/// each followed by a month and a year, optionally after "by"), in date order.
fn milestones(raw: &str) -> Option<Vec<Milestone>> {
    let words: Vec<&str> = raw
        .split(' ')
        .filter(|word| !word.eq_ignore_ascii_case("by"))
        .collect();
    if !words.len().is_multiple_of(3) {
        return None;
    }
    let mut milestones = words
        .chunks(3)
        .map(|chunk| {
            let (value, unit, rest) = number(chunk[0])?;
            let month = parse_month_name(chunk[1].trim_end_matches(','))?;
            let year: i32 = chunk[2].trim_end_matches([',', ';']).parse().ok()?;
            let by = last_day_of_month(year, month)?;
            rest.is_empty().then_some(Milestone {
                by,
                target: Target::Numeric {
                    comparison: Comparison::MeetOrBetter,
                    value,
                    unit,
                },
            })
        })
        .collect::<Option<Vec<_>>>()?;
    milestones.sort_by_key(|milestone| milestone.by);
    (milestones.len() >= 2).then_some(milestones)
}

fn last_day_of_month(year: i32, month: u8) -> Option<NaiveDate> {
    let (next_year, next_month) = if month == 12 {
        (year.checked_add(1)?, 1)
    } else {
        (year, u32::from(month) + 1)
    };
    NaiveDate::from_ymd_opt(next_year, next_month, 1)?.pred_opt()
}

/// `60% - 70%`, `60-70%`, `between 60% and 70%` → a band (low to high, one unit).
fn range(raw: &str) -> Option<Target> {
    let lower = raw.to_ascii_lowercase();
    let body = lower.strip_prefix("between ").unwrap_or(&lower);
    let (a, b) = body
        .split_once(" and ")
        .or_else(|| body.split_once(" to "))
        .or_else(|| body.split_once('-'))?;
    let (low, low_unit, low_rest) = number(a.trim())?;
    let (high, high_unit, high_rest) = number(b.trim())?;
    if !low_rest.is_empty() || !high_rest.trim().is_empty() || low >= high {
        return None;
    }
    // "60-70%" prints the unit once, on the second figure.
    let unit = match (low_unit, high_unit) {
        (Unit::Number, unit) => unit,
        (unit, other) if unit == other => unit,
        _ => return None,
    };
    Some(Target::Range { low, high, unit })
}

fn number(text: &str) -> Option<(Decimal, Unit, &str)> {
    let (pounds, body) = match text.strip_prefix('£') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let end = body
        .find(|c: char| !(c.is_ascii_digit() || c == ',' || c == '.'))
        .unwrap_or(body.len());
    let digits = body[..end].trim_end_matches(['.', ',']);
    if !digits.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let value = Decimal::from_str(&digits.replace(',', "")).ok()?;
    let rest = &body[digits.len()..];
    let (unit, rest) = match rest.strip_prefix('%') {
        Some(rest) => (Unit::Percent, rest),
        None if pounds => (Unit::Pounds, rest),
        None => (Unit::Number, rest),
    };
    Some((value, unit, rest))
}

fn single(raw: &str) -> Target {
    let lower = raw.to_ascii_lowercase();
    let text = |meaning| Target::Text { meaning };
    if lower.contains("tbc") || lower.contains("to be confirmed") {
        return text(TextKind::ToBeConfirmed);
    }
    if lower.starts_with("baseline year") {
        return text(TextKind::BaselineYear);
    }
    if [
        "no target",
        "not target",
        "no national target",
        "not applicable",
        "n/a",
    ]
    .iter()
    .any(|prefix| lower.starts_with(prefix))
    {
        return text(TextKind::NoTarget);
    }
    let prefixed = [
        (">=", Comparison::AtLeast),
        ("<=", Comparison::AtMost),
        ("≥", Comparison::AtLeast),
        ("≤", Comparison::AtMost),
        (">", Comparison::Above),
        ("<", Comparison::Below),
        ("at least ", Comparison::AtLeast),
        ("no more than ", Comparison::AtMost),
        ("no less than ", Comparison::AtLeast),
    ];
    if let Some(band) = range(raw) {
        return band;
    }
    for (prefix, comparison) in prefixed {
        if lower.starts_with(prefix) {
            let rest = raw[prefix.len()..].trim_start();
            if let Some((value, unit, _)) = number(rest) {
                return Target::Numeric {
                    comparison,
                    value,
                    unit,
                };
            }
        }
    }
    match number(raw) {
        // A leading number followed by "reduction"/"increase" is relative to another figure.
        Some((_, _, rest))
            if rest
                .trim_start()
                .to_ascii_lowercase()
                .starts_with("reduction")
                || rest
                    .trim_start()
                    .to_ascii_lowercase()
                    .starts_with("increase")
                || rest.trim_start().to_ascii_lowercase().starts_with("new ") =>
        {
            text(TextKind::Other)
        }
        Some((value, unit, _)) => Target::Numeric {
            comparison: Comparison::MeetOrBetter,
            value,
            unit,
        },
        None => text(TextKind::Other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn numeric(comparison: Comparison, value: &str, unit: Unit) -> Target {
        Target::Numeric {
            comparison,
            value: dec(value),
            unit,
        }
    }

    #[track_caller]
    fn check(raw: &str, expected: Target) {
        let spec = TargetSpec::parse(raw).unwrap();
        assert_eq!(spec.segments.len(), 1, "{raw:?} is not phased");
        assert_eq!(spec.segments[0].target, expected, "{raw:?}");
    }

    #[test]
    fn targets_printed_in_the_2016_17_scorecard_are_read() {
        use Comparison::*;
        check("87.5%", numeric(MeetOrBetter, "87.5", Unit::Percent));
        check("<5%", numeric(Below, "5", Unit::Percent));
        check(">23,699,399", numeric(Above, "23699399", Unit::Number));
        check(
            "At least 2,300 per 100,000 (national target)",
            numeric(AtLeast, "2300", Unit::Number),
        );
        check(
            "£109.22 (Top Quartile Met Authorities)",
            numeric(MeetOrBetter, "109.22", Unit::Pounds),
        );
        check(
            "3.1% (note - Corporate Plan included 4.9%)",
            numeric(MeetOrBetter, "3.1", Unit::Percent),
        );
        check(
            "1,950 (target amended from 450 increase)",
            numeric(MeetOrBetter, "1950", Unit::Number),
        );
        check(
            "90% by April 2018",
            numeric(MeetOrBetter, "90", Unit::Percent),
        );
        check(
            "No target - not applicable",
            Target::Text {
                meaning: TextKind::NoTarget,
            },
        );
        check(
            "Not target - not applicable",
            Target::Text {
                meaning: TextKind::NoTarget,
            },
        );
        check(
            "Baseline Year",
            Target::Text {
                meaning: TextKind::BaselineYear,
            },
        );
        check(
            "74% (2015/16) 2016/17 target tbc",
            Target::Text {
                meaning: TextKind::ToBeConfirmed,
            },
        );
        check(
            "5% reduction on 2015-16",
            Target::Text {
                meaning: TextKind::Other,
            },
        );
        check(
            "10% reduction",
            Target::Text {
                meaning: TextKind::Other,
            },
        );
        check(
            "1,000 new jobs p.a.",
            Target::Text {
                meaning: TextKind::Other,
            },
        );
        check(
            "Reduce gap to 0.7%",
            Target::Text {
                meaning: TextKind::Other,
            },
        );
    }

    #[test]
    fn a_phased_target_becomes_two_targets_applied_by_period() {
        let spec = TargetSpec::parse("April - September 26% October - March 23%").unwrap();
        assert_eq!(spec.segments.len(), 2);
        let q2 = Period::quarter(2016, 2);
        let q3 = Period::quarter(2016, 3);
        let q4 = Period::quarter(2016, 4);
        assert_eq!(
            spec.for_period(&q2),
            &numeric(Comparison::MeetOrBetter, "26", Unit::Percent)
        );
        assert_eq!(
            spec.for_period(&q3),
            &numeric(Comparison::MeetOrBetter, "23", Unit::Percent)
        );
        assert_eq!(
            spec.for_period(&q4),
            &numeric(Comparison::MeetOrBetter, "23", Unit::Percent)
        );
        assert_eq!(
            spec.for_period(&Period::month(2016, 9)),
            spec.for_period(&q2)
        );
    }

    #[test]
    fn dated_figures_spanning_years_become_milestones_in_date_order() {
        let spec = TargetSpec::parse("65% March 2010 68% October 2010 70% March 2011").unwrap();
        let by: Vec<_> = spec
            .milestones
            .iter()
            .map(|m| (m.by.to_string(), m.target.clone()))
            .collect();
        let percent = |v| numeric(Comparison::MeetOrBetter, v, Unit::Percent);
        assert_eq!(
            by,
            [
                ("2010-03-31".to_owned(), percent("65")),
                ("2010-10-31".to_owned(), percent("68")),
                ("2011-03-31".to_owned(), percent("70")),
            ]
        );
        // A reader that knows no milestones sees the first figure, as before.
        assert_eq!(spec.segments.len(), 1);
        assert_eq!(spec.segments[0].target, percent("65"));
        let spec = TargetSpec::parse("70% by March 2011, 65% by March 2010").unwrap();
        assert_eq!(spec.milestones[0].target, percent("65"));
        assert_eq!(spec.milestones[1].by.to_string(), "2011-03-31");
        // One dated figure is a plain target; a figure without a year is no milestone.
        assert!(TargetSpec::parse("90% by April 2018")
            .unwrap()
            .milestones
            .is_empty());
        assert!(TargetSpec::parse("65% March 68% October")
            .unwrap()
            .milestones
            .is_empty());
        // A year no calendar holds is no milestone, and no panic.
        assert!(
            TargetSpec::parse("65% March 2147483647 68% December 2147483647")
                .unwrap()
                .milestones
                .is_empty()
        );
    }

    #[test]
    fn a_target_without_milestones_encodes_as_it_did_before_them() {
        let spec = TargetSpec::parse("87.5%").unwrap();
        let json = serde_json::to_string(&spec).unwrap();
        assert!(!json.contains("milestones"), "{json}");
        assert_eq!(serde_json::from_str::<TargetSpec>(&json).unwrap(), spec);
    }

    #[test]
    fn bands_are_read_in_the_forms_printed() {
        let band = |low: &str, high: &str, unit| Target::Range {
            low: dec(low),
            high: dec(high),
            unit,
        };
        check("60% - 70%", band("60", "70", Unit::Percent));
        check("60-70%", band("60", "70", Unit::Percent));
        check("Between 60% and 70%", band("60", "70", Unit::Percent));
        check("2,000 to 2,500", band("2000", "2500", Unit::Number));
        // Not a band: the wrong way round, or a figure with words after it.
        let reversed = TargetSpec::parse("70% - 60%").unwrap();
        assert!(!matches!(reversed.segments[0].target, Target::Range { .. }));
        check(
            "3.1% (note - Corporate Plan included 4.9%)",
            numeric(Comparison::MeetOrBetter, "3.1", Unit::Percent),
        );
    }

    #[test]
    fn an_empty_target_is_an_error_with_examples() {
        let err = TargetSpec::parse(" ").unwrap_err();
        assert!(err.to_string().contains("Baseline year"));
    }
}

//! Values as printed: a decimal where the cell has one, the raw text always, and what the
//! annotations say ("62 (Oct-Nov only)", "95 (revised)", "(2270/3940)").

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::measure::text_enum;

/// The unit a value's number is printed in.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A plain number (count, rate, score, days).
    Number,
    /// A percentage (`28.3%`).
    Percent,
    /// Pounds sterling (`£46.07`).
    Pounds,
}

/// One value for one period, as entered. Decimals are serialized as strings (exact, never
/// floats), and documented so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RecordedValue {
    /// The headline number, when the cell starts with one.
    #[schema(value_type = Option<String>)]
    pub amount: Option<Decimal>,
    /// The unit of `amount`.
    pub unit: Unit,
    /// The cell exactly as printed or entered.
    pub raw: String,
    /// What follows the number (`Oct-Nov only`, `excluding schools`), if anything.
    pub qualifier: Option<String>,
    /// Numerator, where the cell gives a fraction (`(2270/3940)`, `[39 people/702 on service]`).
    #[schema(value_type = Option<String>)]
    pub numerator: Option<Decimal>,
    /// Denominator of that fraction.
    #[schema(value_type = Option<String>)]
    pub denominator: Option<Decimal>,
}

/// Why a value cannot be recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a value cannot be empty; enter the figure as printed (e.g. 28.3%, 62 (Oct-Nov only)) or text such as \"Not yet available\"")]
pub struct EmptyValue;

impl RecordedValue {
    /// Reads a cell: the leading number (with `£`, thousands separators and `%`), the
    /// annotation after it, and a fraction in brackets if there is one.
    pub fn parse(raw: &str) -> Result<Self, EmptyValue> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(EmptyValue);
        }
        let (amount, unit, rest) = match leading_number(raw) {
            Some((amount, unit, rest)) => (Some(amount), unit, rest.trim()),
            None => (None, Unit::Number, raw),
        };
        let qualifier = if amount.is_none() || rest.is_empty() {
            None
        } else {
            let inner = rest
                .strip_prefix('(')
                .and_then(|r| r.strip_suffix(')'))
                .filter(|inner| !inner.contains(['(', ')']));
            Some(inner.unwrap_or(rest).trim().to_owned())
        };
        let (numerator, denominator) = fraction(raw).unzip();
        Ok(Self {
            amount,
            unit,
            raw: raw.to_owned(),
            qualifier,
            numerator,
            denominator,
        })
    }

    /// A value with just a number, for tests and programmatic entry.
    pub fn number(amount: Decimal) -> Self {
        Self::parse(&amount.to_string()).expect("a number is not empty")
    }

    /// The part of the period the figure covers, when its annotation says it covers only part
    /// of it, as the 2016/17 pack writes it: `62 (Oct-Nov only)`, `2.38 (Nov data)`,
    /// `7.75 (12 admissions Apr - Nov data)`. An annotation that names months and ends in
    /// "only" or "data" is read as partial coverage; anything else (`(summer term)`,
    /// `(note - Corporate Plan stated 30.9%)`) is not.
    pub fn partial_coverage(&self) -> Option<&str> {
        let qualifier = self.qualifier.as_deref()?;
        let inner = qualifier
            .trim()
            .trim_start_matches('(')
            .trim_end_matches(')')
            .trim();
        let lower = inner.to_ascii_lowercase();
        let limited = lower.ends_with(" only") || lower.ends_with(" data");
        let names_a_month = lower
            .split(|c: char| !c.is_ascii_alphabetic())
            .any(|word| MONTHS.contains(&word));
        (limited && names_a_month).then_some(inner)
    }
}

/// Month abbreviations and names, lower case, as annotations use them.
const MONTHS: [&str; 24] = [
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "january",
    "february",
    "march",
    "april",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

impl FromStr for RecordedValue {
    type Err = EmptyValue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RecordedValue::parse(s)
    }
}

/// `£1,234.5`, `-3`, `28.3%` at the start of `text` → (number, unit, rest).
fn leading_number(text: &str) -> Option<(Decimal, Unit, &str)> {
    let (pounds, body) = match text.strip_prefix('£') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let mut end = 0;
    let mut seen_digit = false;
    for (i, c) in body.char_indices() {
        let ok = c.is_ascii_digit()
            || (c == ',' && seen_digit)
            || (c == '.' && seen_digit)
            || (i == 0 && (c == '-' || c == '+'));
        if !ok {
            break;
        }
        seen_digit |= c.is_ascii_digit();
        end = i + c.len_utf8();
    }
    let number = body[..end].trim_end_matches([',', '.']);
    if !seen_digit {
        return None;
    }
    let rest = &body[number.len()..];
    // `31.12.16` is a date, `2016/17` a year: not values.
    if rest.starts_with(['.', '/']) {
        return None;
    }
    let amount = Decimal::from_str(&number.replace(',', "")).ok()?;
    let (unit, rest) = match rest.strip_prefix('%') {
        Some(rest) => (Unit::Percent, rest),
        None if pounds => (Unit::Pounds, rest),
        None => (Unit::Number, rest),
    };
    Some((amount, unit, rest))
}

/// A bracketed `a/b` with numbers on both sides (words after the numbers allowed).
fn fraction(text: &str) -> Option<(Decimal, Decimal)> {
    for (open, close) in [('(', ')'), ('[', ']')] {
        let mut rest = text;
        while let Some(start) = rest.find(open) {
            let after = &rest[start + 1..];
            let Some(end) = after.find(close) else { break };
            let inner = &after[..end];
            if let Some((a, b)) = inner.split_once('/') {
                let first = |s: &str| -> Option<Decimal> {
                    let token = s.split_whitespace().next()?.replace(',', "");
                    if token.len() <= 2 {
                        return None;
                    }
                    Decimal::from_str(&token).ok()
                };
                if let (Some(n), Some(d)) = (first(a), first(b)) {
                    return Some((n, d));
                }
            }
            rest = &after[end..];
        }
    }
    None
}

text_enum!(
    /// How trustworthy a value is at the time it is entered.
    Quality {
        /// Subject to validation (e.g. DfE provisional data).
        Provisional => "provisional",
        /// Validated.
        Final => "final",
        /// An estimate or forecast (e.g. recycling before December's data arrives).
        Estimated => "estimated",
    }
);

/// Data-quality flags carried by every value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataQuality {
    /// Provisional, final or estimated.
    pub quality: Quality,
    /// The operational system the figure came from (`Liquid Logic`, `SWIFT/AIS`).
    pub source_system: Option<String>,
}

impl DataQuality {
    /// How the flags read in a message: `provisional`, `final (Liquid Logic)`.
    pub fn describe(&self) -> String {
        match &self.source_system {
            Some(source) => format!("{} ({source})", self.quality),
            None => self.quality.to_string(),
        }
    }
}

impl Default for DataQuality {
    fn default() -> Self {
        Self {
            quality: Quality::Final,
            source_system: None,
        }
    }
}

text_enum!(
    /// Why a value changed after it was first reported (the language of official statistics).
    RevisionClass {
        /// Data that arrived after the period was first reported.
        LateData => "late_data",
        /// A planned revision (e.g. an outturn refresh).
        ScheduledRevision => "scheduled_revision",
        /// A mistake put right.
        Correction => "correction",
        /// The measure's definition or source changed.
        DefinitionChange => "definition_change",
    }
);

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn partial_coverage_is_read_from_the_packs_annotations() {
        let coverage = |raw: &str| {
            RecordedValue::parse(raw)
                .unwrap()
                .partial_coverage()
                .map(str::to_owned)
        };
        assert_eq!(
            coverage("62 (Oct-Nov only)").as_deref(),
            Some("Oct-Nov only")
        );
        assert_eq!(coverage("2.38 (Nov data)").as_deref(), Some("Nov data"));
        assert_eq!(
            coverage("7.75 (12 admissions Apr - Nov data)").as_deref(),
            Some("12 admissions Apr - Nov data")
        );
        assert_eq!(coverage("79.5% (summer term)"), None);
        assert_eq!(coverage("30.6% (note - Corporate Plan stated 30.9%)"), None);
        assert_eq!(coverage("280 (Oct 15 392)"), None);
        assert_eq!(coverage("62"), None);
    }

    #[track_caller]
    fn check(raw: &str, amount: Option<&str>, unit: Unit, qualifier: Option<&str>) {
        let value = RecordedValue::parse(raw).unwrap();
        assert_eq!(value.amount, amount.map(dec), "amount of {raw:?}");
        assert_eq!(value.unit, unit, "unit of {raw:?}");
        assert_eq!(
            value.qualifier.as_deref(),
            qualifier,
            "qualifier of {raw:?}"
        );
        assert_eq!(value.raw, raw.trim());
    }

    #[test]
    fn cells_from_the_2016_17_scorecard_are_read() {
        check("28.3%", Some("28.3"), Unit::Percent, None);
        check("95 (revised)", Some("95"), Unit::Number, Some("revised"));
        check(
            "62 (Oct-Nov only)",
            Some("62"),
            Unit::Number,
            Some("Oct-Nov only"),
        );
        check(
            "2.38 (Nov data)",
            Some("2.38"),
            Unit::Number,
            Some("Nov data"),
        );
        check(
            "30.6% (note - Corporate Plan stated 30.9%)",
            Some("30.6"),
            Unit::Percent,
            Some("note - Corporate Plan stated 30.9%"),
        );
        check("5,492,033", Some("5492033"), Unit::Number, None);
        check("£46.07", Some("46.07"), Unit::Pounds, None);
        check(
            "10.71 days (excluding schools)",
            Some("10.71"),
            Unit::Number,
            Some("days (excluding schools)"),
        );
        check("Not yet available (March 2017)", None, Unit::Number, None);
        check(
            "Forecasted performance up to 31.12.16 = 47.28%",
            None,
            Unit::Number,
            None,
        );
        check("31.12.16 = 47.28% Forecasted", None, Unit::Number, None);
        check("0.03", Some("0.03"), Unit::Number, None);
    }

    #[test]
    fn fractions_in_brackets_are_kept() {
        let value = RecordedValue::parse("57.6% (2008/09 outturn) (2270/3940)").unwrap();
        assert_eq!(value.amount, Some(dec("57.6")));
        assert_eq!(
            (value.numerator, value.denominator),
            (Some(dec("2270")), Some(dec("3940")))
        );
        let value = RecordedValue::parse("5.56% [39 people/702 on service] (Apr-Nov)").unwrap();
        assert_eq!(
            (value.numerator, value.denominator),
            (None, None),
            "two-digit numerators are too ambiguous"
        );
        let value = RecordedValue::parse("5.56% [390 people/702 on service]").unwrap();
        assert_eq!(
            (value.numerator, value.denominator),
            (Some(dec("390")), Some(dec("702")))
        );
    }

    #[test]
    fn an_empty_cell_is_an_error_that_says_what_to_enter() {
        let err = RecordedValue::parse("  ").unwrap_err();
        assert!(err.to_string().contains("Not yet available"));
    }
}

//! Measure reference numbers (`1.A3`, `2.B4 (a)`, `NI 68`): normalised once at the edge,
//! ordered naturally (`1.A2 < 1.A10`) everywhere after.

use std::cmp::Ordering;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A normalised measure reference.
///
/// The packs print the same reference many ways (`2.A5 a)`, `3.B3(a)`, `4B5(b)`, `5.C1b`);
/// they all normalise to `<priority>.<outcome letter><n>` plus an optional ` (<element>)`.
/// National indicators normalise to `NI <n>`. Anything else that looks like a reference is
/// kept verbatim with its whitespace collapsed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MeasureRef(String);

/// Why a string is not a measure reference.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not a measure reference; expected something like 1.A3, 2.B4 (a) or NI 68")]
pub struct MeasureRefError {
    /// The rejected input.
    pub input: String,
}

impl MeasureRef {
    /// Parses and normalises a reference as printed.
    pub fn parse(input: &str) -> Result<Self, MeasureRefError> {
        let err = || MeasureRefError {
            input: input.to_owned(),
        };
        let compact: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.is_empty() || compact.len() > 40 {
            return Err(err());
        }
        if let Some(plan_ref) = parse_plan_ref(&compact) {
            return Ok(Self(plan_ref));
        }
        if let Some(digits) = compact
            .strip_prefix("NI")
            .or_else(|| compact.strip_prefix("ni"))
            .filter(|rest| !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit()))
        {
            let number: u64 = digits.parse().map_err(|_| err())?;
            return Ok(Self(format!("NI {number}")));
        }
        let collapsed = input.split_whitespace().collect::<Vec<_>>().join(" ");
        let allowed = |c: char| c.is_alphanumeric() || " .()&-/".contains(c);
        if collapsed.chars().any(|c| c.is_alphanumeric()) && collapsed.chars().all(allowed) {
            Ok(Self(collapsed))
        } else {
            Err(err())
        }
    }

    /// The normalised text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The priority number of a plan reference (`2` for `2.B4 (a)`).
    pub fn priority(&self) -> Option<u8> {
        let (head, _) = self.0.split_once('.')?;
        head.parse().ok()
    }
}

/// `1.A3`, `1A3`, `1.B4(a)`, `1.B4a)`, `5.C1b`, `1.B4(a&b)` → canonical form.
fn parse_plan_ref(compact: &str) -> Option<String> {
    let mut chars = compact.char_indices().peekable();
    let mut priority = String::new();
    while let Some(&(_, c)) = chars.peek() {
        if !c.is_ascii_digit() {
            break;
        }
        priority.push(c);
        chars.next();
    }
    if priority.is_empty() {
        return None;
    }
    if let Some(&(_, '.')) = chars.peek() {
        chars.next();
    }
    let (_, letter) = chars.next()?;
    if !letter.is_ascii_alphabetic() {
        return None;
    }
    let mut number = String::new();
    while let Some(&(_, c)) = chars.peek() {
        if !c.is_ascii_digit() {
            break;
        }
        number.push(c);
        chars.next();
    }
    if number.is_empty() {
        return None;
    }
    let rest: String = chars.map(|(_, c)| c).collect();
    let element = rest.trim_start_matches('(').trim_end_matches(')');
    let element_ok = element.chars().all(|c| c.is_ascii_alphabetic() || c == '&');
    if !element_ok {
        return None;
    }
    let priority: u32 = priority.parse().ok()?;
    let number: u32 = number.parse().ok()?;
    let letter = letter.to_ascii_uppercase();
    Some(if element.is_empty() {
        format!("{priority}.{letter}{number}")
    } else {
        format!(
            "{priority}.{letter}{number} ({})",
            element.to_ascii_lowercase()
        )
    })
}

/// Natural ordering: runs of digits compare as numbers, everything else as text.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a, b);
    loop {
        match (a.is_empty(), b.is_empty()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            (false, false) => {}
        }
        let (a_run, a_rest) = split_run(a);
        let (b_run, b_rest) = split_run(b);
        let a_digits = a_run.starts_with(|c: char| c.is_ascii_digit());
        let b_digits = b_run.starts_with(|c: char| c.is_ascii_digit());
        let ordering = match (a_digits, b_digits) {
            (true, true) => {
                let a_trimmed = a_run.trim_start_matches('0');
                let b_trimmed = b_run.trim_start_matches('0');
                a_trimmed
                    .len()
                    .cmp(&b_trimmed.len())
                    .then_with(|| a_trimmed.cmp(b_trimmed))
                    .then_with(|| a_run.len().cmp(&b_run.len()))
            }
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (false, false) => a_run.cmp(b_run),
        };
        if ordering != Ordering::Equal {
            return ordering;
        }
        a = a_rest;
        b = b_rest;
    }
}

fn split_run(s: &str) -> (&str, &str) {
    let digits = s.starts_with(|c: char| c.is_ascii_digit());
    let end = s
        .find(|c: char| c.is_ascii_digit() != digits)
        .unwrap_or(s.len());
    s.split_at(end)
}

impl Ord for MeasureRef {
    fn cmp(&self, other: &Self) -> Ordering {
        natural_cmp(&self.0, &other.0).then_with(|| self.0.cmp(&other.0))
    }
}

impl PartialOrd for MeasureRef {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for MeasureRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for MeasureRef {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

// Serialized as the normalised reference, so documented as a string.
impl utoipa::PartialSchema for MeasureRef {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some("A normalised measure reference (`2.B1`, `4.B5 (b)`)"))
            .examples(["2.B1"])
            .into()
    }
}

impl utoipa::ToSchema for MeasureRef {}

impl<'de> Deserialize<'de> for MeasureRef {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        MeasureRef::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(printed: &str, normalised: &str) {
        assert_eq!(MeasureRef::parse(printed).unwrap().as_str(), normalised);
    }

    #[test]
    fn every_printed_spelling_in_the_packs_normalises() {
        check("1.A1", "1.A1");
        check("1.B4 (a)", "1.B4 (a)");
        check("2.A5 a)", "2.A5 (a)");
        check("2.B9 a)", "2.B9 (a)");
        check("3.B3(a)", "3.B3 (a)");
        check("4B5(b)", "4.B5 (b)");
        check("5.C1 a)", "5.C1 (a)");
        check("5.C1b", "5.C1 (b)");
        check("1.B4 (a&b)", "1.B4 (a&b)");
        check("NI 68", "NI 68");
        check("NI59", "NI 59");
        check("NI063", "NI 63");
        check("  MS   8 ", "MS 8");
    }

    #[test]
    fn garbage_is_rejected_with_a_hint() {
        let err = MeasureRef::parse("").unwrap_err();
        assert!(err.to_string().contains("expected something like 1.A3"));
        assert!(MeasureRef::parse("1.A3; drop").is_err());
    }

    #[test]
    fn refs_sort_naturally() {
        let mut refs: Vec<MeasureRef> = [
            "1.A10", "1.A2", "10.A1", "2.A1", "1.B4 (b)", "1.B4 (a)", "1.B4",
        ]
        .into_iter()
        .map(|r| MeasureRef::parse(r).unwrap())
        .collect();
        refs.sort();
        let sorted: Vec<&str> = refs.iter().map(MeasureRef::as_str).collect();
        assert_eq!(
            sorted,
            ["1.A2", "1.A10", "1.B4", "1.B4 (a)", "1.B4 (b)", "2.A1", "10.A1"]
        );
    }

    #[test]
    fn priority_is_read_from_plan_refs() {
        assert_eq!(MeasureRef::parse("3.B3(a)").unwrap().priority(), Some(3));
        assert_eq!(MeasureRef::parse("NI 68").unwrap().priority(), None);
    }
}

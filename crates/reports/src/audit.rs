//! The auditor's standing questions, as pure functions of read-model rows: which values were
//! published with partial coverage, and was the whole period supplied later? Which were
//! provisional or estimated, and what became of them?

use serde::Serialize;

use scoreledger_domain::value::Quality;
use scoreledger_domain::Period;
use scoreledger_projections::{Publication, ValueVersion};

use crate::quarter::columns;

/// A value recorded for only part of its period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartialValue {
    /// Measure reference.
    pub measure_ref: String,
    /// The period the value is for.
    pub period: String,
    /// The value as recorded.
    pub value: String,
    /// The part of the period it covers, as annotated.
    pub coverage: String,
    /// Where it was recorded.
    pub recorded_at_position: u64,
    /// Published reports that showed it: `period (published on)`.
    pub published_in: Vec<String>,
    /// The value that replaced it, if any, as the query saw it.
    pub replaced_by: Option<String>,
    /// Whether a value for the whole period has since been recorded.
    pub full_period_supplied: bool,
}

/// Whether a publication's report showed `version`: the report is of the version's plan (the
/// plan of its period's year), its columns include the version's period, and the version was
/// the current one at the cut-off.
fn shows(publication: &Publication, version: &ValueVersion) -> bool {
    let cut_off = publication.cut_off as u64;
    let current_then =
        version.from_position <= cut_off && version.to_position.is_none_or(|to| to > cut_off);
    current_then
        && Period::parse(&publication.period)
            .map(|reported| {
                Period::financial_year(reported.financial_year_of()).to_string()
                    == version.plan_year
                    && columns(&reported).contains(&version.period)
            })
            .unwrap_or(false)
}

/// Every version with partial coverage (in `versions`' order), with the publications that
/// showed it and the value current now for its measure and period.
pub fn partial_values(
    versions: &[ValueVersion],
    publications: &[Publication],
) -> Vec<PartialValue> {
    versions
        .iter()
        .filter_map(|version| {
            let coverage = version.value.partial_coverage()?;
            let current = versions
                .iter()
                .find(|v| v.same_cell(version) && v.to_position.is_none());
            let replaced_by = current.filter(|c| c.from_position != version.from_position);
            Some(PartialValue {
                measure_ref: version.measure_ref.clone(),
                period: version.period.to_string(),
                value: version.value.raw.clone(),
                coverage: coverage.to_owned(),
                recorded_at_position: version.from_position,
                published_in: publications
                    .iter()
                    .filter(|p| shows(p, version))
                    .map(|p| format!("{} ({})", p.period, p.published_on))
                    .collect(),
                replaced_by: replaced_by.map(|c| c.value.raw.clone()),
                full_period_supplied: replaced_by
                    .is_some_and(|c| c.value.partial_coverage().is_none()),
            })
        })
        .collect()
}

/// What became of a value recorded as provisional or estimated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Still the current figure, with the same flags.
    Unconfirmed,
    /// The same figure, confirmed with new flags (validated, actualised).
    Confirmed,
    /// Replaced by another figure.
    Revised,
}

impl Outcome {
    /// How a table prints it.
    pub fn describe(self) -> &'static str {
        match self {
            Outcome::Unconfirmed => "not yet confirmed",
            Outcome::Confirmed => "confirmed unchanged",
            Outcome::Revised => "revised",
        }
    }
}

/// A value recorded as provisional or estimated, and the figure that stands now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnconfirmedValue {
    /// Measure reference.
    pub measure_ref: String,
    /// The period the value is for.
    pub period: String,
    /// The value as recorded.
    pub value: String,
    /// Its quality then: `provisional` or `estimated`.
    pub quality: Quality,
    /// The system it came from, if recorded.
    pub source_system: Option<String>,
    /// Where it was recorded.
    pub recorded_at_position: u64,
    /// Published reports that showed it: `period (published on)`.
    pub published_in: Vec<String>,
    /// What became of it.
    pub outcome: Outcome,
    /// The figure current now, as the query saw it.
    pub now: String,
    /// Its quality now.
    pub now_quality: Quality,
    /// Its source now.
    pub now_source_system: Option<String>,
    /// Where the current figure was recorded or confirmed (when it is another version).
    pub changed_at_position: Option<u64>,
    /// The current figure less the recorded one, where both are numbers ("-0.38").
    pub difference: Option<String>,
}

/// Every version recorded as provisional or estimated (in `versions`' order), with the
/// publications that showed it and what stands now for its measure and period.
pub fn unconfirmed_values(
    versions: &[ValueVersion],
    publications: &[Publication],
) -> Vec<UnconfirmedValue> {
    versions
        .iter()
        .filter(|version| version.quality.quality != Quality::Final)
        .filter_map(|version| {
            let current = versions
                .iter()
                .find(|v| v.same_cell(version) && v.to_position.is_none())?;
            let later = current.from_position != version.from_position;
            let outcome = if !later {
                Outcome::Unconfirmed
            } else if current.value == version.value {
                Outcome::Confirmed
            } else {
                Outcome::Revised
            };
            let difference = match (outcome, current.value.amount, version.value.amount) {
                (Outcome::Revised, Some(now), Some(then)) => {
                    Some(format!("{:+}", (now - then).normalize()))
                }
                _ => None,
            };
            Some(UnconfirmedValue {
                measure_ref: version.measure_ref.clone(),
                period: version.period.to_string(),
                value: version.value.raw.clone(),
                quality: version.quality.quality,
                source_system: version.quality.source_system.clone(),
                recorded_at_position: version.from_position,
                published_in: publications
                    .iter()
                    .filter(|p| shows(p, version))
                    .map(|p| format!("{} ({})", p.period, p.published_on))
                    .collect(),
                outcome,
                now: current.value.raw.clone(),
                now_quality: current.quality.quality,
                now_source_system: current.quality.source_system.clone(),
                changed_at_position: later.then_some(current.from_position),
                difference,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use scoreledger_domain::{DataQuality, RecordedValue};

    fn version(period: Period, raw: &str, from: u64, to: Option<u64>) -> ValueVersion {
        ValueVersion {
            plan_year: "2016/17".into(),
            measure_ref: "2.B5".into(),
            period,
            value: RecordedValue::parse(raw).unwrap(),
            quality: DataQuality::default(),
            from_position: from,
            to_position: to,
        }
    }

    fn flagged(version: ValueVersion, quality: Quality, source: &str) -> ValueVersion {
        ValueVersion {
            quality: DataQuality {
                quality,
                source_system: Some(source.to_owned()),
            },
            ..version
        }
    }

    #[test]
    fn flagged_values_are_followed_to_what_stands_now() {
        let q3 = Period::quarter(2016, 3);
        let estimate = ValueVersion {
            measure_ref: "3.B6".into(),
            ..flagged(
                version(q3, "47.28%", 10, Some(40)),
                Quality::Estimated,
                "PFI",
            )
        };
        let actual = ValueVersion {
            measure_ref: "3.B6".into(),
            ..version(q3, "46.9%", 40, None)
        };
        let provisional = ValueVersion {
            measure_ref: "1.B3".into(),
            ..flagged(
                version(q3, "0.03", 12, Some(30)),
                Quality::Provisional,
                "DfE",
            )
        };
        let validated = ValueVersion {
            measure_ref: "1.B3".into(),
            ..flagged(version(q3, "0.03", 30, None), Quality::Final, "DfE")
        };
        let pending = flagged(version(q3, "164", 15, None), Quality::Provisional, "SWIFT");
        let found = unconfirmed_values(
            &[provisional, validated, pending, estimate, actual],
            &[q3_publication(20)],
        );
        let summary: Vec<(&str, Outcome, Option<&str>, Option<u64>)> = found
            .iter()
            .map(|f| {
                (
                    f.measure_ref.as_str(),
                    f.outcome,
                    f.difference.as_deref(),
                    f.changed_at_position,
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("1.B3", Outcome::Confirmed, None, Some(30)),
                ("2.B5", Outcome::Unconfirmed, None, None),
                ("3.B6", Outcome::Revised, Some("-0.38"), Some(40)),
            ]
        );
        assert_eq!(found[0].published_in, ["Q3 Oct - Dec 2016 (2017-01-13)"]);
        assert_eq!(found[0].now_quality, Quality::Final);
        assert_eq!(found[2].quality, Quality::Estimated);
        assert_eq!(found[2].now, "46.9%");
    }

    fn q3_publication(cut_off: i64) -> Publication {
        Publication {
            report_id: "r".into(),
            period: "Q3 Oct - Dec 2016".into(),
            cut_off,
            meeting: "Cabinet".into(),
            published_on: "2017-01-13".into(),
            rule_set_version: 1,
            sha256: String::new(),
            position: cut_off + 1,
            actor_name: "Simon Dennis".into(),
            parts: "[]".into(),
        }
    }

    #[test]
    fn a_published_partial_value_later_completed_is_reported_as_supplied() {
        let q3 = Period::quarter(2016, 3);
        let versions = [
            version(q3, "164 (Oct-Nov only)", 10, Some(30)),
            version(q3, "251", 30, None),
            version(Period::quarter(2016, 2), "341", 5, None),
        ];
        let found = partial_values(&versions, &[q3_publication(20)]);
        assert_eq!(found.len(), 1);
        let partial = &found[0];
        assert_eq!(partial.coverage, "Oct-Nov only");
        assert_eq!(partial.published_in, ["Q3 Oct - Dec 2016 (2017-01-13)"]);
        assert_eq!(partial.replaced_by.as_deref(), Some("251"));
        assert!(partial.full_period_supplied);
    }

    #[test]
    fn a_partial_value_still_current_is_not_supplied_and_unpublished_if_after_the_cut_off() {
        let q3 = Period::quarter(2016, 3);
        let versions = [version(q3, "2.38 (Nov data)", 25, None)];
        let found = partial_values(&versions, &[q3_publication(20)]);
        assert_eq!(found[0].published_in, Vec::<String>::new());
        assert_eq!(found[0].replaced_by, None);
        assert!(!found[0].full_period_supplied);
    }
}

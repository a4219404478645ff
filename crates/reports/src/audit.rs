//! The auditor's standing questions, as pure functions of read-model rows: which values were
//! published with partial coverage, and was the whole period supplied later?

use serde::Serialize;

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

/// Whether a publication's report showed `version`: the report's columns include its period,
/// and the version was the current one at the cut-off.
fn shows(publication: &Publication, version: &ValueVersion) -> bool {
    let cut_off = publication.cut_off as u64;
    let current_then =
        version.from_position <= cut_off && version.to_position.is_none_or(|to| to > cut_off);
    current_then
        && Period::parse(&publication.period)
            .map(|reported| columns(&reported).contains(&version.period))
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
            let current = versions.iter().find(|v| {
                v.measure_ref == version.measure_ref
                    && v.period == version.period
                    && v.to_position.is_none()
            });
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

#[cfg(test)]
mod tests {
    use super::*;
    use scoreledger_domain::RecordedValue;

    fn version(period: Period, raw: &str, from: u64, to: Option<u64>) -> ValueVersion {
        ValueVersion {
            measure_ref: "2.B5".into(),
            period,
            value: RecordedValue::parse(raw).unwrap(),
            from_position: from,
            to_position: to,
        }
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

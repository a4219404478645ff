//! Scorecard import files: the `scoreledger-scorecard/1` JSON format and its CSV twin
//! (documented in the README). Parsing and validation are complete before anything is
//! appended: a malformed row is reported by row and field, and nothing lands.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use scoreledger_domain::command::OutcomeSpec;
use scoreledger_domain::target::TargetSpec;
use scoreledger_domain::{Command, RuleSet};
use scoreledger_domain::{
    Direction, Frequency, MeasureDefinition, MeasureId, MeasureRef, Period, PlanId, Polarity, Rag,
    RecordedValue, Status, StatusScheme, ValueKind,
};

/// The JSON format tag this build reads.
pub const FORMAT: &str = "scoreledger-scorecard/1";

/// The plan block of a JSON import.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanSpec {
    /// Plan name.
    pub name: String,
    /// Financial year, e.g. `2016/17`.
    pub financial_year: String,
    /// `corporate_2016` or `rag_2010`.
    #[serde(default = "default_scheme")]
    pub status_scheme: String,
    /// Approval date, YYYY-MM-DD.
    pub approved_on: Option<String>,
    /// Approving body.
    pub approved_by: Option<String>,
}

fn default_scheme() -> String {
    StatusScheme::Corporate2016.to_string()
}

/// A priority.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrioritySpec {
    /// Number.
    pub number: u8,
    /// Title.
    pub title: String,
}

/// An outcome.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutcomeFileSpec {
    /// Priority number.
    pub priority: u8,
    /// Letter.
    pub letter: String,
    /// Title.
    pub title: String,
}

/// One measure as the file gives it; every field is text until validated.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct MeasureSpec {
    /// Reference.
    #[serde(rename = "ref")]
    pub reference: String,
    /// Reference as printed.
    #[serde(default)]
    pub ref_as_printed: String,
    /// Priority number.
    pub priority: u8,
    /// Outcome letter.
    pub outcome: String,
    /// Corporate Plan action.
    #[serde(default)]
    pub action: String,
    /// Measure text.
    pub measure: String,
    /// Priority measure?
    #[serde(default)]
    pub priority_measure: bool,
    /// Lead officer.
    #[serde(default)]
    pub lead_officer: String,
    /// Directorate.
    #[serde(default)]
    pub directorate: String,
    /// Lead accountability.
    #[serde(default)]
    pub lead_accountability: String,
    /// high, low, mid_range or not_applicable.
    pub polarity: String,
    /// Polarity as printed.
    #[serde(default)]
    pub polarity_text: String,
    /// monthly, quarterly, termly, six_monthly, annual or biennial.
    pub frequency: String,
    /// Frequency as printed.
    #[serde(default)]
    pub frequency_text: String,
    /// point_in_time, cumulative or rolling.
    #[serde(default = "default_value_kind")]
    pub value_kind: String,
    /// Baseline as printed (`57.6% (2008/09 outturn) (2270/3940)`; empty: none).
    #[serde(default)]
    pub baseline: String,
    /// Target as printed (empty: none).
    #[serde(default)]
    pub target: String,
    /// Values by period, as printed.
    #[serde(default)]
    pub values: BTreeMap<String, String>,
    /// Officer's status for the reporting period (empty: none).
    #[serde(default)]
    pub status: String,
    /// Officer's direction of travel for the reporting period (empty: none).
    #[serde(default)]
    pub dot: String,
    /// Data note for the reporting period.
    #[serde(default)]
    pub note: String,
}

fn default_value_kind() -> String {
    ValueKind::PointInTime.to_string()
}

/// A whole import file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScorecardFile {
    /// Must be [`FORMAT`].
    pub format: String,
    /// The plan.
    pub plan: PlanSpec,
    /// The period the statuses, directions and notes are for.
    pub reporting_period: String,
    /// Priorities.
    pub priorities: Vec<PrioritySpec>,
    /// Outcomes.
    pub outcomes: Vec<OutcomeFileSpec>,
    /// Measures.
    pub measures: Vec<MeasureSpec>,
}

pub use scoreledger_reports::sheet::{Problem, Problems};

/// A plan ready to define.
#[derive(Debug, Clone)]
pub struct ValidPlan {
    /// Derived from name and year.
    pub plan_id: PlanId,
    /// Name.
    pub name: String,
    /// Year.
    pub financial_year: Period,
    /// Scheme.
    pub status_scheme: StatusScheme,
    /// Approval date.
    pub approved_on: Option<NaiveDate>,
    /// Approving body.
    pub approved_by: Option<String>,
    /// Priorities.
    pub priorities: Vec<(u8, String)>,
    /// Outcomes.
    pub outcomes: Vec<OutcomeSpec>,
    /// The rules it adopts (the defaults for an import; a roll-over carries the year's).
    pub rule_set: RuleSet,
}

impl ValidPlan {
    /// The command that adopts the plan with `rule_set`.
    pub fn define(&self, rule_set: RuleSet) -> Command {
        Command::DefinePlan {
            plan_id: self.plan_id,
            name: self.name.clone(),
            financial_year: self.financial_year,
            status_scheme: self.status_scheme,
            approved_on: self.approved_on,
            approved_by: self.approved_by.clone(),
            priorities: self.priorities.clone(),
            outcomes: self.outcomes.clone(),
            rule_set,
        }
    }
}

/// A measure ready to define and fill.
#[derive(Debug, Clone)]
pub struct ValidMeasure {
    /// Derived from plan and reference.
    pub measure_id: MeasureId,
    /// Definition.
    pub definition: MeasureDefinition,
    /// Target for the plan year.
    pub target: Option<TargetSpec>,
    /// Values in period order.
    pub values: Vec<(Period, RecordedValue)>,
    /// Status for the reporting period (2016/17 scheme).
    pub status: Option<Status>,
    /// RAG rating for the reporting period (2010 scheme).
    pub rag: Option<Rag>,
    /// Direction for the reporting period.
    pub direction: Option<Direction>,
    /// Note for the reporting period.
    pub note: Option<String>,
}

/// A validated file.
#[derive(Debug, Clone)]
pub struct ValidScorecard {
    /// The plan.
    pub plan: ValidPlan,
    /// The reporting period.
    pub reporting_period: Period,
    /// The measures, in file order.
    pub measures: Vec<ValidMeasure>,
}

/// The file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON.
    Json,
    /// CSV.
    Csv,
}

/// CSV-only plan settings (a CSV file carries measures, not the plan).
#[derive(Debug, Clone)]
pub struct CsvPlan {
    /// Plan name.
    pub name: String,
    /// Plan year; `None`: the financial year of the file's reporting period.
    pub financial_year: Option<String>,
}

/// Reads and parses a file (no validation of field values yet); also returns the SHA-256 of
/// its bytes, which identifies the import.
pub fn read(
    path: &Path,
    format: Format,
    csv_plan: &CsvPlan,
) -> Result<(ScorecardFile, String), Problems> {
    let text = std::fs::read_to_string(path).map_err(|err| {
        single(
            "file",
            &path.display().to_string(),
            format!("cannot read it: {err}"),
        )
    })?;
    let digest = hex::encode(Sha256::digest(text.as_bytes()));
    let file = match format {
        Format::Json => parse_json(&text)?,
        Format::Csv => parse_csv(&text, csv_plan)?,
    };
    Ok((file, digest))
}

fn single(location: &str, field: &str, message: String) -> Problems {
    Problems(vec![Problem {
        location: location.to_owned(),
        field: field.to_owned(),
        message,
    }])
}

/// Parses the JSON format.
pub fn parse_json(text: &str) -> Result<ScorecardFile, Problems> {
    let file: ScorecardFile = serde_json::from_str(text).map_err(|err| {
        single(
            &format!("line {}", err.line()),
            "json",
            format!("{err}; see the import format in the README"),
        )
    })?;
    if file.format != FORMAT {
        return Err(single(
            "file",
            "format",
            format!("is {:?}; this build reads {FORMAT:?}", file.format),
        ));
    }
    Ok(file)
}

const CSV_FIXED: [&str; 23] = [
    "reporting_period",
    "priority",
    "priority_title",
    "outcome",
    "outcome_title",
    "ref",
    "ref_as_printed",
    "action",
    "measure",
    "priority_measure",
    "lead_officer",
    "directorate",
    "lead_accountability",
    "polarity",
    "polarity_text",
    "frequency",
    "frequency_text",
    "value_kind",
    "baseline",
    "target",
    "status",
    "dot",
    "note",
];

/// Parses the CSV format: the fixed columns above, then any column whose heading is a
/// period holds values for that period.
pub fn parse_csv(text: &str, plan: &CsvPlan) -> Result<ScorecardFile, Problems> {
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|err| single("row 1", "header", err.to_string()))?
        .clone();
    let mut problems = Vec::new();
    for required in [
        "reporting_period",
        "priority",
        "outcome",
        "ref",
        "measure",
        "polarity",
        "frequency",
    ] {
        if !headers.iter().any(|h| h == required) {
            problems.push(Problem {
                location: "row 1".into(),
                field: required.into(),
                message: "this column is required; see the CSV columns in the README".into(),
            });
        }
    }
    let mut value_columns = Vec::new();
    for (i, header) in headers.iter().enumerate() {
        if CSV_FIXED.contains(&header) {
            continue;
        }
        match Period::parse(header) {
            Ok(_) => value_columns.push((i, header.to_owned())),
            Err(err) => problems.push(Problem {
                location: "row 1".into(),
                field: header.into(),
                message: format!("unknown column: not one of the documented columns, and {err}"),
            }),
        }
    }
    if !problems.is_empty() {
        return Err(Problems(problems));
    }
    let column = |name: &str| headers.iter().position(|h| h == name);
    let mut priorities: BTreeMap<u8, String> = BTreeMap::new();
    let mut outcomes: BTreeMap<(u8, String), String> = BTreeMap::new();
    let mut measures = Vec::new();
    let mut reporting_period = String::new();
    for (index, record) in reader.records().enumerate() {
        let location = format!("row {}", index + 2);
        let record = match record {
            Ok(record) => record,
            Err(err) => {
                problems.push(Problem {
                    location,
                    field: "csv".into(),
                    message: err.to_string(),
                });
                continue;
            }
        };
        let get = |name: &str| {
            column(name)
                .and_then(|i| record.get(i))
                .unwrap_or("")
                .trim()
                .to_owned()
        };
        let priority = match get("priority").parse::<u8>() {
            Ok(p) => p,
            Err(_) => {
                problems.push(Problem {
                    location,
                    field: "priority".into(),
                    message: format!("{:?} is not a priority number", get("priority")),
                });
                continue;
            }
        };
        let priority_measure = match get("priority_measure").to_ascii_lowercase().as_str() {
            "" | "false" | "no" => false,
            "true" | "yes" => true,
            other => {
                problems.push(Problem {
                    location,
                    field: "priority_measure".into(),
                    message: format!("{other:?} is not true or false"),
                });
                continue;
            }
        };
        if reporting_period.is_empty() {
            reporting_period = get("reporting_period");
        } else if get("reporting_period") != reporting_period {
            problems.push(Problem {
                location: location.clone(),
                field: "reporting_period".into(),
                message: format!("is {:?} but earlier rows say {reporting_period:?}; one file reports one period", get("reporting_period")),
            });
        }
        // A title is stated once per priority (and outcome); rows that disagree are refused
        // rather than letting whichever comes first win silently.
        let title = get("priority_title");
        if !title.is_empty() {
            if let Some(earlier) = priorities.get(&priority).filter(|t| **t != title) {
                problems.push(Problem {
                    location: location.clone(),
                    field: "priority_title".into(),
                    message: format!(
                        "is {title:?} but an earlier row titles priority {priority} {earlier:?}; give each priority one title"
                    ),
                });
            } else {
                priorities.insert(priority, title);
            }
        }
        let title = get("outcome_title");
        if !title.is_empty() {
            let key = (priority, get("outcome"));
            if let Some(earlier) = outcomes.get(&key).filter(|t| **t != title) {
                problems.push(Problem {
                    location: location.clone(),
                    field: "outcome_title".into(),
                    message: format!(
                        "is {title:?} but an earlier row titles outcome {}{} {earlier:?}; give each outcome one title",
                        key.0, key.1
                    ),
                });
            } else {
                outcomes.insert(key, title);
            }
        }
        measures.push(MeasureSpec {
            reference: get("ref"),
            ref_as_printed: get("ref_as_printed"),
            priority,
            outcome: get("outcome"),
            action: get("action"),
            measure: get("measure"),
            priority_measure,
            lead_officer: get("lead_officer"),
            directorate: get("directorate"),
            lead_accountability: get("lead_accountability"),
            polarity: get("polarity"),
            polarity_text: get("polarity_text"),
            frequency: get("frequency"),
            frequency_text: get("frequency_text"),
            value_kind: Some(get("value_kind"))
                .filter(|v| !v.is_empty())
                .unwrap_or_else(default_value_kind),
            baseline: get("baseline"),
            target: get("target"),
            values: value_columns
                .iter()
                .filter_map(|(i, period)| {
                    let cell = record.get(*i).unwrap_or("").trim();
                    (!cell.is_empty()).then(|| (period.clone(), cell.to_owned()))
                })
                .collect(),
            status: get("status"),
            dot: get("dot"),
            note: get("note"),
        });
    }
    if !problems.is_empty() {
        return Err(Problems(problems));
    }
    Ok(ScorecardFile {
        format: FORMAT.into(),
        plan: PlanSpec {
            name: plan.name.clone(),
            financial_year: plan.financial_year.clone().unwrap_or_else(|| {
                // Inferred where the period reads; otherwise validation names the period.
                Period::parse(&reporting_period)
                    .map(|p| Period::financial_year(p.financial_year_of()).to_string())
                    .unwrap_or_default()
            }),
            status_scheme: default_scheme(),
            approved_on: None,
            approved_by: None,
        },
        reporting_period,
        priorities: priorities
            .into_iter()
            .map(|(number, title)| PrioritySpec { number, title })
            .collect(),
        outcomes: outcomes
            .into_iter()
            .map(|((priority, letter), title)| OutcomeFileSpec {
                priority,
                letter,
                title,
            })
            .collect(),
        measures,
    })
}

/// Row numbering differs between the formats.
#[derive(Debug, Clone, Copy)]
pub enum Numbering {
    /// JSON: "measure N", from 1.
    Measures,
    /// CSV: "row N", the header being row 1.
    CsvRows,
}

impl ScorecardFile {
    /// Validates every field of every measure, collecting all problems.
    pub fn validate(&self, numbering: Numbering) -> Result<ValidScorecard, Problems> {
        let mut problems = Vec::new();
        let mut problem = |location: &str, field: &str, message: String| {
            problems.push(Problem {
                location: location.to_owned(),
                field: field.to_owned(),
                message,
            })
        };
        let financial_year = match Period::parse(&self.plan.financial_year) {
            Ok(p @ Period::FinancialYear { .. }) => Some(p),
            Ok(other) => {
                problem(
                    "plan",
                    "financial_year",
                    format!("{other} is not a financial year; write it like 2016/17"),
                );
                None
            }
            Err(err) => {
                problem("plan", "financial_year", err.to_string());
                None
            }
        };
        let status_scheme = self
            .plan
            .status_scheme
            .parse::<StatusScheme>()
            .map_err(|err| problem("plan", "status_scheme", err))
            .ok();
        let approved_on = self.plan.approved_on.as_deref().and_then(|d| {
            NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map_err(|_| {
                    problem(
                        "plan",
                        "approved_on",
                        format!("{d:?} is not a date; write YYYY-MM-DD"),
                    )
                })
                .ok()
        });
        let reporting_period = Period::parse(&self.reporting_period)
            .map_err(|err| problem("file", "reporting_period", err.to_string()))
            .ok();
        if let (Some(Period::FinancialYear { start }), Some(period)) =
            (financial_year, reporting_period)
        {
            if period.financial_year_of() != start {
                problem(
                    "file",
                    "reporting_period",
                    format!(
                        "{period} is not in the plan's year {}; import it into a plan of {} (--plan-year for a CSV file) or fix the period",
                        self.plan.financial_year,
                        Period::financial_year(period.financial_year_of())
                    ),
                );
            }
        }
        let (Some(financial_year), Some(status_scheme), Some(reporting_period)) =
            (financial_year, status_scheme, reporting_period)
        else {
            return Err(Problems(problems));
        };
        let plan_id = scoreledger_store::plan_id_for(&self.plan.name, &financial_year);
        let mut seen = BTreeMap::new();
        let mut measures = Vec::new();
        for (index, spec) in self.measures.iter().enumerate() {
            let location = match numbering {
                Numbering::Measures => format!("measure {}", index + 1),
                Numbering::CsvRows => format!("row {}", index + 2),
            };
            let located = format!("{location} ({})", spec.reference);
            let before = problems.len();
            let mut problem = |field: &str, message: String| {
                problems.push(Problem {
                    location: located.clone(),
                    field: field.to_owned(),
                    message,
                })
            };
            let measure_ref = MeasureRef::parse(&spec.reference)
                .map_err(|e| problem("ref", e.to_string()))
                .ok();
            if let Some(r) = &measure_ref {
                if let Some(first) = seen.insert(r.clone(), location.clone()) {
                    problem("ref", format!("{r} appears twice (also {first})"));
                }
            }
            if !self.priorities.iter().any(|p| p.number == spec.priority) {
                problem(
                    "priority",
                    format!(
                        "priority {} is not among the file's priorities",
                        spec.priority
                    ),
                );
            }
            if !self
                .outcomes
                .iter()
                .any(|o| o.priority == spec.priority && o.letter == spec.outcome)
            {
                problem(
                    "outcome",
                    format!(
                        "outcome {}{} is not among the file's outcomes",
                        spec.priority, spec.outcome
                    ),
                );
            }
            if spec.measure.trim().is_empty()
                && spec.ref_as_printed.trim().is_empty()
                && spec.action.trim().is_empty()
            {
                problem("measure", "the measure text is empty".into());
            }
            let polarity = spec
                .polarity
                .parse::<Polarity>()
                .map_err(|e| problem("polarity", e))
                .ok();
            let frequency = spec
                .frequency
                .parse::<Frequency>()
                .map_err(|e| problem("frequency", e))
                .ok();
            let value_kind = spec
                .value_kind
                .parse::<ValueKind>()
                .map_err(|e| problem("value_kind", e))
                .ok();
            let target = (!spec.target.trim().is_empty())
                .then(|| {
                    TargetSpec::parse(&spec.target)
                        .map_err(|e| problem("target", e.to_string()))
                        .ok()
                })
                .flatten();
            // The status column holds the plan's scheme: six statuses, or a 2010 RAG rating.
            let filled = !spec.status.trim().is_empty();
            let (status, rag) = match status_scheme {
                StatusScheme::Corporate2016 => (
                    filled
                        .then(|| {
                            spec.status
                                .parse::<Status>()
                                .map_err(|e| problem("status", e))
                                .ok()
                        })
                        .flatten(),
                    None,
                ),
                StatusScheme::Rag2010 => (
                    None,
                    filled
                        .then(|| {
                            spec.status
                                .parse::<Rag>()
                                .map_err(|e| problem("status", e))
                                .ok()
                        })
                        .flatten(),
                ),
            };
            let direction = (!spec.dot.trim().is_empty())
                .then(|| {
                    Direction::parse_printed(&spec.dot)
                        .map_err(|e| problem("dot", e))
                        .ok()
                })
                .flatten();
            let mut values = Vec::new();
            for (key, raw) in &spec.values {
                match (Period::parse(key), RecordedValue::parse(raw)) {
                    (Ok(period), Ok(value)) => values.push((period, value)),
                    (Err(err), _) => problem(&format!("values.{key}"), err.to_string()),
                    (_, Err(err)) => problem(&format!("values.{key}"), err.to_string()),
                }
            }
            values.sort_by_key(|a| a.0);
            if problems.len() > before {
                continue;
            }
            let (Some(measure_ref), Some(polarity), Some(frequency), Some(value_kind)) =
                (measure_ref, polarity, frequency, value_kind)
            else {
                continue;
            };
            let measure_id = scoreledger_store::measure_id_for(plan_id, &measure_ref);
            let definition = MeasureDefinition {
                plan_id,
                ref_as_printed: if spec.ref_as_printed.is_empty() {
                    spec.reference.clone()
                } else {
                    spec.ref_as_printed.clone()
                },
                measure_ref,
                priority: spec.priority,
                outcome: spec.outcome.clone(),
                action: spec.action.clone(),
                title: spec.measure.clone(),
                priority_measure: spec.priority_measure,
                lead_officer: spec.lead_officer.clone(),
                directorate: spec.directorate.clone(),
                lead_accountability: spec.lead_accountability.clone(),
                polarity,
                polarity_text: if spec.polarity_text.is_empty() {
                    polarity.to_string()
                } else {
                    spec.polarity_text.clone()
                },
                frequency,
                frequency_text: if spec.frequency_text.is_empty() {
                    frequency.to_string()
                } else {
                    spec.frequency_text.clone()
                },
                value_kind,
                status_scheme,
                baseline: spec.baseline.clone(),
            };
            measures.push(ValidMeasure {
                measure_id,
                definition,
                target,
                values,
                status,
                rag,
                direction,
                note: Some(spec.note.trim().to_owned()).filter(|n| !n.is_empty()),
            });
        }
        if !problems.is_empty() {
            return Err(Problems(problems));
        }
        Ok(ValidScorecard {
            plan: ValidPlan {
                plan_id,
                name: self.plan.name.clone(),
                financial_year,
                status_scheme,
                approved_on,
                approved_by: self.plan.approved_by.clone(),
                priorities: self
                    .priorities
                    .iter()
                    .map(|p| (p.number, p.title.clone()))
                    .collect(),
                outcomes: self
                    .outcomes
                    .iter()
                    .map(|o| OutcomeSpec {
                        priority: o.priority,
                        letter: o.letter.clone(),
                        title: o.title.clone(),
                    })
                    .collect(),
                rule_set: RuleSet::default(),
            },
            reporting_period,
            measures,
        })
    }
}

/// The 2016/17 Corporate Plan sample, built into the binary for the demo.
pub const SAMPLE_2016_17: &str = include_str!("../../../fixtures/corporate_plan_2016_17.json");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_sample_validates_with_all_103_measures() {
        let file = parse_json(SAMPLE_2016_17).unwrap();
        let valid = file.validate(Numbering::Measures).unwrap();
        assert_eq!(valid.measures.len(), 103);
        assert_eq!(valid.reporting_period, Period::quarter(2016, 3));
        assert_eq!(valid.plan.priorities.len(), 5);
    }

    #[test]
    fn a_csv_file_s_plan_year_is_its_period_s_unless_given_and_never_another() {
        let sample = include_str!("../../../fixtures/corporate_plan_2016_17.csv");
        let plan = |year: Option<&str>| CsvPlan {
            name: "Corporate Plan".into(),
            financial_year: year.map(str::to_owned),
        };
        let inferred = parse_csv(sample, &plan(None)).unwrap();
        let valid = inferred.validate(Numbering::CsvRows).unwrap();
        assert_eq!(valid.plan.financial_year, Period::financial_year(2016));
        assert!(parse_csv(sample, &plan(Some("2016/17")))
            .unwrap()
            .validate(Numbering::CsvRows)
            .is_ok());
        let problems = parse_csv(sample, &plan(Some("2017/18")))
            .unwrap()
            .validate(Numbering::CsvRows)
            .unwrap_err();
        let said = problems.to_string();
        assert!(
            said.contains("is not in the plan's year 2017/18") && said.contains("plan of 2016/17"),
            "{said}"
        );
    }

    #[test]
    fn rows_that_disagree_on_a_priority_or_outcome_title_are_refused_by_row() {
        let sample = include_str!("../../../fixtures/corporate_plan_2016_17.csv");
        let plan = CsvPlan {
            name: "Corporate Plan".into(),
            financial_year: Some("2016/17".into()),
        };
        assert!(parse_csv(sample, &plan).is_ok());
        let mut lines: Vec<String> = sample.lines().map(str::to_owned).collect();
        // Rows 3 and 4 belong to priority 1, outcome A, like row 2.
        lines[2] = lines[2].replacen(
            "Every child making the best start in life",
            "Every child making a good start",
            1,
        );
        lines[3] = lines[3].replacen("protected and safeguarded", "kept safe", 1);
        let problems = parse_csv(&lines.join("\n"), &plan).unwrap_err();
        let printed: Vec<String> = problems
            .0
            .iter()
            .map(|p| format!("{}: {}", p.location, p.field))
            .collect();
        assert_eq!(printed, ["row 3: priority_title", "row 4: outcome_title"]);
        assert!(
            problems.to_string().contains("titles priority 1"),
            "{problems}"
        );
    }

    #[test]
    fn every_problem_is_named_by_row_and_field() {
        let mut file = parse_json(SAMPLE_2016_17).unwrap();
        file.measures[2].polarity = "upwards".into();
        file.measures[4]
            .values
            .insert("Q5 2016/17".into(), "3".into());
        file.measures[4].target = "  ".into();
        let problems = file.validate(Numbering::Measures).unwrap_err();
        let printed: Vec<String> = problems
            .0
            .iter()
            .map(|p| format!("{}: {}", p.location, p.field))
            .collect();
        assert_eq!(
            printed,
            [
                "measure 3 (1.A3): polarity",
                "measure 5 (1.A5): values.Q5 2016/17"
            ]
        );
        assert!(problems.to_string().contains("nothing was imported"));
    }
}

//! The quarterly scorecard report: summary plus one row per measure, built from the
//! scorecard read model at a position.

use serde::{Deserialize, Serialize};

use scoreledger_domain::{Direction, PartDigest, Period, Rag, Status, StatusScheme};
use scoreledger_projections::{Scorecard, ScorecardRow, SetAside, ValueCell};

use crate::canonical::{canonical_json, sha256_hex};
use crate::summary::{summarise, Assessed, Summary};

/// Format tag of the canonical JSON; bump when its shape changes.
pub const REPORT_FORMAT: &str = "scoreledger-quarter-report/1";

/// One measure's row as printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReportRow {
    /// Normalised reference.
    pub measure_ref: String,
    /// Reference as printed.
    pub ref_as_printed: String,
    /// Priority number.
    pub priority: u8,
    /// Outcome letter.
    pub outcome: String,
    /// Corporate Plan action.
    pub action: String,
    /// Measure text.
    pub measure: String,
    /// One of the priority measures?
    pub priority_measure: bool,
    /// Lead officer.
    pub lead_officer: String,
    /// Lead accountability at the end of the period.
    pub lead_accountability: String,
    /// Good performance (as printed).
    pub good_performance: String,
    /// Frequency (as printed).
    pub frequency: String,
    /// Target for the year, with the figure it replaced if it was changed.
    pub target: Option<String>,
    /// Officer's status.
    pub status: Status,
    /// What the rules suggested, when it differs from the officer's status.
    pub computed_status: Option<Status>,
    /// Officer's direction of travel (the arrow of a 2010 RAG rating).
    pub direction: Direction,
    /// 2010-scheme rating.
    pub rag: Option<Rag>,
    /// One cell per column; `None` where nothing was recorded.
    pub values: Vec<Option<String>>,
    /// Data note for the period.
    pub note: Option<String>,
    /// The measure's directorate, for the exports people file by. Not part of the report as
    /// published (never serialised), so a report's hash is what it was before it was added.
    #[serde(skip)]
    #[schema(ignore)]
    pub directorate: String,
}

/// The report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct QuarterReport {
    /// [`REPORT_FORMAT`].
    pub format: String,
    /// Plan name.
    pub plan: String,
    /// Plan year.
    pub financial_year: String,
    /// The plan's status scheme.
    pub status_scheme: StatusScheme,
    /// Period reported, as printed (`Q3 Oct - Dec 2016`).
    pub period: String,
    /// Log position the report is built at.
    pub position: u64,
    /// Rule-set version in force.
    pub rule_set_version: u32,
    /// Value column headings, as printed.
    pub columns: Vec<String>,
    /// Summary box and executive-summary figures.
    pub summary: Summary,
    /// One row per measure, natural order of reference.
    pub rows: Vec<ReportRow>,
    /// Commits up to `position` that could not be read and were set aside by an admin (absent
    /// when there are none, so reports built across none hash as before).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub set_asides: Vec<SetAside>,
}

/// A priority of a plan in the 2010 scheme: how many of its measures carry each rating.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriorityRatings {
    /// Priority number.
    pub number: u8,
    /// Its title.
    pub title: String,
    /// Its measures.
    pub measures: usize,
    /// Per rating, in the order of the summary's `rag` tallies.
    pub rated: Vec<usize>,
    /// Those with no rating.
    pub not_rated: usize,
}

impl QuarterReport {
    /// Per priority, the ratings its measures carry (empty unless the plan is in the 2010
    /// scheme), for the terminal and HTML reports alike.
    pub fn ratings_by_priority(&self) -> Vec<PriorityRatings> {
        if self.summary.rag.is_empty() {
            return Vec::new();
        }
        self.summary
            .by_priority
            .iter()
            .map(|p| {
                let rows: Vec<&ReportRow> = self
                    .rows
                    .iter()
                    .filter(|r| r.priority == p.number)
                    .collect();
                PriorityRatings {
                    number: p.number,
                    title: p.title.clone(),
                    measures: rows.len(),
                    rated: self
                        .summary
                        .rag
                        .iter()
                        .map(|t| {
                            rows.iter()
                                .filter(|r| r.rag.is_some_and(|rag| rag.as_str() == t.key))
                                .count()
                        })
                        .collect(),
                    not_rated: rows.iter().filter(|r| r.rag.is_none()).count(),
                }
            })
            .collect()
    }

    /// The canonical JSON encoding.
    pub fn canonical_json(&self) -> String {
        canonical_json(self)
    }

    /// One sentence per commit set aside up to the report's position: nothing is ever passed
    /// over without the report saying so.
    pub fn set_aside_notices(&self) -> Vec<String> {
        self.set_asides
            .iter()
            .map(|s| {
                format!(
                    "The commit at log position {} could not be read ({}) and was set aside by {} ({}) on {} at position {}: {}",
                    s.position,
                    s.problem,
                    s.actor_name,
                    s.actor_id,
                    s.recorded_at.get(..10).unwrap_or(&s.recorded_at),
                    s.set_aside_at,
                    s.reason
                )
            })
            .collect()
    }

    /// SHA-256 of the canonical JSON.
    pub fn sha256(&self) -> String {
        sha256_hex(self.canonical_json().as_bytes())
    }

    /// The text of one cell of a measure's row: a value column (a period as printed), or
    /// `target`, `status`, `direction` or `note`. `None` when the report has no such row or
    /// column; `Some(None)` for an empty cell.
    pub fn cell(&self, measure_ref: &str, field: &str) -> Option<Option<String>> {
        let row = self.rows.iter().find(|r| r.measure_ref == measure_ref)?;
        Some(match field {
            "target" => row.target.clone(),
            "status" => Some(row.status.to_string()),
            "direction" => Some(row.direction.to_string()),
            "rag" => row.rag.map(|rag| rag.to_string()),
            "note" => row.note.clone(),
            column => {
                let i = self.columns.iter().position(|c| c == column)?;
                row.values[i].clone()
            }
        })
    }

    /// Digests of the report's parts: `summary` (everything but the rows), then each row by
    /// reference. Published beside the whole report's hash, they name what a rebuild that
    /// does not match got wrong.
    pub fn part_digests(&self) -> Vec<PartDigest> {
        let head = QuarterReport {
            rows: Vec::new(),
            ..self.clone()
        };
        std::iter::once(PartDigest {
            part: "summary".into(),
            sha256: sha256_hex(canonical_json(&head).as_bytes()),
        })
        .chain(self.rows.iter().map(|row| PartDigest {
            part: row.measure_ref.clone(),
            sha256: sha256_hex(canonical_json(row).as_bytes()),
        }))
        .collect()
    }
}

/// The first part whose digest differs between a published report and its rebuild (a part
/// present in only one of them counts as differing); `None` when all agree.
pub fn first_difference(published: &[PartDigest], rebuilt: &[PartDigest]) -> Option<String> {
    let longest = published.len().max(rebuilt.len());
    (0..longest).find_map(|i| match (published.get(i), rebuilt.get(i)) {
        (Some(a), Some(b)) if a == b => None,
        (Some(a), _) => Some(a.part.clone()),
        (None, Some(b)) => Some(b.part.clone()),
        (None, None) => None,
    })
}

/// The value columns of a quarterly scorecard (see [`Period::scorecard_columns`]).
pub fn columns(period: &Period) -> Vec<Period> {
    period.scorecard_columns()
}

/// How a cell reads: the figure, marked "(revised)" after a revision, with the figure as
/// first published beside it when a publication showed another one.
fn render_value(cell: &ValueCell) -> String {
    match (&cell.first_published, cell.revision) {
        (_, 0) => cell.value.raw.clone(),
        (Some(first), _) => format!("{} (revised; first published {first})", cell.value.raw),
        (None, _) => format!("{} (revised)", cell.value.raw),
    }
}

/// The figure of an exported value cell: the cell without the revision marker
/// [`render_value`] adds, so a sheet exported and filled in reads back as figures.
pub fn figure_of(cell: &str) -> &str {
    if let Some(figure) = cell.strip_suffix(" (revised)") {
        return figure;
    }
    match cell.rfind(" (revised; first published ") {
        Some(at) if cell.ends_with(')') => &cell[..at],
        _ => cell,
    }
}

fn row(scorecard_row: &ScorecardRow, columns: &[Period]) -> ReportRow {
    let definition = &scorecard_row.definition;
    let status = scorecard_row.status.unwrap_or(Status::NotYetAvailable);
    ReportRow {
        measure_ref: definition.measure_ref.to_string(),
        ref_as_printed: definition.ref_as_printed.clone(),
        priority: definition.priority,
        outcome: definition.outcome.clone(),
        action: definition.action.clone(),
        measure: definition.title.clone(),
        priority_measure: definition.priority_measure,
        directorate: definition.directorate.clone(),
        lead_officer: definition.lead_officer.clone(),
        lead_accountability: scorecard_row.lead_accountability.clone(),
        good_performance: definition.polarity_text.clone(),
        frequency: definition.frequency_text.clone(),
        target: scorecard_row.target.as_ref().map(|t| match &t.originally {
            Some(first) => format!("{} (changed from {first})", t.spec.raw),
            None => t.spec.raw.clone(),
        }),
        status,
        computed_status: scorecard_row.computed_status.filter(|c| *c != status),
        direction: scorecard_row.direction.unwrap_or(Direction::NotApplicable),
        rag: scorecard_row.rag,
        values: columns
            .iter()
            .map(|period| scorecard_row.values.get(period).map(render_value))
            .collect(),
        note: scorecard_row.note.clone(),
    }
}

/// Builds the report: a pure function of the scorecard rows and rules at one position.
pub fn build_quarter_report(scorecard: &Scorecard) -> QuarterReport {
    let columns = columns(&scorecard.period);
    let rows: Vec<ReportRow> = scorecard.rows.iter().map(|r| row(r, &columns)).collect();
    let assessed: Vec<Assessed> = rows
        .iter()
        .map(|r| Assessed {
            priority: r.priority,
            priority_measure: r.priority_measure,
            status: r.status,
            direction: r.direction,
            rag: r.rag,
        })
        .collect();
    let priorities: Vec<(u8, String)> = scorecard
        .priorities
        .iter()
        .map(|(n, t)| (*n, t.clone()))
        .collect();
    QuarterReport {
        format: REPORT_FORMAT.to_owned(),
        plan: scorecard.plan.name.clone(),
        financial_year: scorecard.plan.financial_year.to_string(),
        status_scheme: scorecard.plan.status_scheme,
        period: scorecard.period.to_string(),
        position: scorecard.position.0,
        rule_set_version: scorecard.rule_set.version,
        columns: columns.iter().map(Period::to_string).collect(),
        summary: summarise(&assessed, &priorities, scorecard.plan.status_scheme),
        rows,
        set_asides: scorecard.set_asides.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use scoreledger_domain::RecordedValue;

    fn digest(part: &str, sha: &str) -> PartDigest {
        PartDigest {
            part: part.into(),
            sha256: sha.into(),
        }
    }

    #[test]
    fn the_first_differing_part_is_named() {
        let published = [
            digest("summary", "a"),
            digest("1.A1", "b"),
            digest("2.B1", "c"),
        ];
        assert_eq!(first_difference(&published, &published), None);
        let rebuilt = [
            digest("summary", "a"),
            digest("1.A1", "b"),
            digest("2.B1", "x"),
        ];
        assert_eq!(
            first_difference(&published, &rebuilt).as_deref(),
            Some("2.B1")
        );
        assert_eq!(
            first_difference(&published, &rebuilt[..2]).as_deref(),
            Some("2.B1")
        );
        assert_eq!(first_difference(&[], &rebuilt).as_deref(), Some("summary"));
    }

    #[test]
    fn an_exported_cell_reads_back_as_its_figure() {
        let value = RecordedValue::parse("87.2%").unwrap();
        let cell = |revision, first_published: Option<&str>| ValueCell {
            value: value.clone(),
            quality: scoreledger_domain::value::Quality::Final,
            source_system: None,
            revision,
            classification: None,
            first_published: first_published.map(str::to_owned),
        };
        for printed in [
            render_value(&cell(0, None)),
            render_value(&cell(1, None)),
            render_value(&cell(2, Some("79.5%"))),
        ] {
            assert_eq!(figure_of(&printed), "87.2%", "{printed}");
        }
        assert_eq!(figure_of("62 (Oct-Nov only)"), "62 (Oct-Nov only)");
    }

    #[test]
    fn a_q3_report_has_the_columns_of_the_2016_17_pack() {
        let printed: Vec<String> = columns(&Period::quarter(2016, 3))
            .iter()
            .map(Period::to_string)
            .collect();
        assert_eq!(
            printed,
            [
                "2014/15",
                "2015/16",
                "Q1 Apr - Jun 2016",
                "Q2 Jul - Sep 2016",
                "Q3 Oct - Dec 2016",
                "Oct-16",
                "Nov-16",
                "Dec-16"
            ]
        );
    }
}

//! A values import: a scorecard sheet filled in for a period ([`scoreledger_reports::sheet`]),
//! judged against the measures as the log holds them, previewed cell by cell — new, revised,
//! unchanged, refused — and then appended through the one write path as one batch, all or
//! nothing.
//!
//! Each measure's commit id derives from the file and the measure, and unchanged cells make
//! no commands, so importing the same file again appends nothing, and re-running one an
//! interruption cut short appends only what is missing.

use std::collections::BTreeMap;

use serde::Serialize;

use scoreledger_domain::{
    Actor, Command, DataQuality, Direction, MeasureRef, MeasureState, Period, PlanId, Rag,
    RecordedValue, RevisionClass, Status, StatusScheme,
};
use scoreledger_projections::{find_measure, ReadModels};
use scoreledger_reports::quarter::figure_of;
use scoreledger_reports::sheet::{Problem, Sheet, SheetRow};
use scoreledger_store::{derived_id, load_and_remember, Appended, EventStore, ReadError};

use crate::submit::{prepare_batch, submit_batch, Batch, StreamChange, SubmitError};

/// Who imports, for which period, and what to say of revisions the sheet does not explain.
#[derive(Debug, Clone)]
pub struct ValuesImport<'a> {
    /// Who (from the session or the command line, never from the file).
    pub actor: &'a Actor,
    /// An officer's directorate: only its measures may be changed.
    pub directorate: Option<&'a str>,
    /// The period the status, direction and note columns are for.
    pub period: Period,
    /// The classification of every revision whose row gives none.
    pub classification: Option<RevisionClass>,
    /// The reason for every revision whose row gives none.
    pub reason: Option<String>,
    /// What identifies the file (the SHA-256 of its bytes): the commits' ids derive from it.
    pub key: &'a str,
    /// When and where the sheet's figures were reported, if before they are imported (a past
    /// pack loaded as history): every commit carries it.
    pub reported: Option<scoreledger_domain::Reported>,
}

/// What importing a cell would do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A value, assessment or note where there was none.
    New,
    /// A different figure for a period that has one: needs a classification and a reason.
    Revision,
    /// A different assessment or note.
    Change,
    /// What the log already holds.
    Unchanged,
}

/// One cell of the sheet, judged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CellChange {
    /// Its row in the sheet.
    pub row: usize,
    /// The measure.
    pub measure: String,
    /// The period.
    pub period: Period,
    /// `value`, `status`, `rag`, `direction` or `note`.
    pub field: &'static str,
    /// What importing it does.
    pub outcome: Outcome,
    /// What the log holds now.
    pub before: Option<String>,
    /// What the sheet says.
    pub after: String,
    /// A revision's classification.
    pub classification: Option<RevisionClass>,
}

/// A sheet judged against the log: every cell's outcome, and every problem that keeps the
/// import from landing.
#[derive(Debug, Serialize)]
pub struct Preview {
    /// The period assessed.
    pub period: Period,
    /// The cells that hold something.
    pub cells: Vec<CellChange>,
    /// Why it cannot be imported as it is; nothing is appended while there is one.
    pub problems: Vec<Problem>,
    /// Commits it would append.
    pub commits: usize,
    /// Events in them.
    pub events: usize,
    /// Commits of this file that had landed before.
    pub already_imported: usize,
    #[serde(skip)]
    plan_id: Option<PlanId>,
    #[serde(skip)]
    writes: Vec<StreamChange>,
}

impl Outcome {
    /// The outcome as the JSON preview writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::New => "new",
            Outcome::Revision => "revision",
            Outcome::Change => "change",
            Outcome::Unchanged => "unchanged",
        }
    }
}

impl Preview {
    /// How many cells have `outcome`.
    pub fn count(&self, outcome: Outcome) -> usize {
        self.cells.iter().filter(|c| c.outcome == outcome).count()
    }
}

/// Why a values import could not be judged or appended.
#[derive(Debug, thiserror::Error)]
pub enum ValuesError {
    /// The sheet has problems; nothing was appended.
    #[error("the sheet has {} problem(s); nothing was imported", .0.problems.len())]
    Refused(Box<Preview>),
    /// The read models did not answer which measure a reference is.
    #[error("failed to look measures up in the read models")]
    Lookup(#[from] sqlx::Error),
    /// A measure's stream could not be read.
    #[error("failed to read a measure from the log")]
    Read(#[from] ReadError),
    /// The write path did not append the batch.
    #[error(transparent)]
    Submit(#[from] SubmitError),
}

/// Judges every row of `sheet` against the log, as [`apply`] would append it.
pub async fn preview(
    store: &dyn EventStore,
    read: &ReadModels,
    sheet: &Sheet,
    import: &ValuesImport<'_>,
) -> Result<Preview, ValuesError> {
    let mut preview = Preview {
        period: import.period,
        cells: Vec::new(),
        problems: Vec::new(),
        commits: 0,
        events: 0,
        already_imported: 0,
        plan_id: None,
        writes: Vec::new(),
    };
    let mut locations = Vec::new();
    let mut seen: BTreeMap<MeasureRef, usize> = BTreeMap::new();
    for row in &sheet.rows {
        let problem = |field: &str, message: String| Problem::new(row.location(), field, message);
        let measure_ref = match MeasureRef::parse(&row.reference) {
            Ok(r) => r,
            Err(err) => {
                preview.problems.push(problem("ref", err.to_string()));
                continue;
            }
        };
        if let Some(first) = seen.insert(measure_ref.clone(), row.row) {
            preview.problems.push(problem(
                "ref",
                format!("{measure_ref} is also on row {first}; give each measure one row"),
            ));
            continue;
        }
        let Some((measure_id, plan_id)) =
            find_measure(read, measure_ref.as_str(), Some(&import.period)).await?
        else {
            preview.problems.push(problem(
                "ref",
                format!("no measure {measure_ref} is defined; import its plan first or correct the reference"),
            ));
            continue;
        };
        match preview.plan_id {
            None => preview.plan_id = Some(plan_id),
            Some(plan) if plan != plan_id => {
                preview.problems.push(problem(
                    "ref",
                    format!(
                        "{measure_ref} belongs to another plan than the rows above it; import one plan's measures at a time"
                    ),
                ));
                continue;
            }
            Some(_) => {}
        }
        let stream = measure_id.stream();
        // Remembered, so that applying the preview judges from what was read here (the append
        // still checks each stream's version).
        let (state, _) = load_and_remember(store, &stream).await?;
        let Some(measure) = state.measure() else {
            preview.problems.push(problem(
                "ref",
                format!("{measure_ref} is in the read models but not in the log; run `scoreledger rebuild`"),
            ));
            continue;
        };
        if let Some(mine) = import.directorate {
            if !measure.definition.in_directorate(mine) {
                preview.problems.push(problem(
                    "ref",
                    format!(
                        "officers change only their own directorate's measures: yours is {mine}, {measure_ref} is {}",
                        measure.definition.directorate
                    ),
                ));
                continue;
            }
        }
        let judged = judge_row(row, measure, import);
        preview.cells.extend(judged.cells);
        preview.problems.extend(judged.problems);
        if !judged.commands.is_empty() {
            preview.writes.push(StreamChange {
                commit_id: Some(derived_id(&[
                    "values",
                    import.key,
                    &import.period.to_string(),
                    stream.as_str(),
                ])),
                stream,
                commands: judged.commands,
                if_version: None,
                reason: judged.reason,
            });
            locations.push(row.location());
        }
    }
    if !preview.problems.is_empty() || preview.writes.is_empty() {
        return Ok(preview);
    }
    // What the domain says of the writes: a locked period, a published one without a reason.
    let prepared = prepare_batch(store, &batch(&preview, import)).await?;
    for refusal in &prepared.refusals {
        preview.problems.push(Problem::new(
            locations[refusal.index].clone(),
            "row",
            refusal.rejection.to_string(),
        ));
    }
    for write in &prepared.writes {
        match write {
            crate::Prepared::Ready(commit) => {
                preview.commits += 1;
                preview.events += commit.events.len();
            }
            crate::Prepared::Landed(_) => preview.already_imported += 1,
        }
    }
    Ok(preview)
}

/// Appends what `preview` judged, all or nothing; refused if it found any problem.
pub async fn apply(
    store: &dyn EventStore,
    preview: Preview,
    import: &ValuesImport<'_>,
) -> Result<Vec<Appended>, ValuesError> {
    if !preview.problems.is_empty() {
        return Err(ValuesError::Refused(Box::new(preview)));
    }
    if preview.writes.is_empty() {
        return Ok(Vec::new());
    }
    Ok(submit_batch(store, &batch(&preview, import)).await?)
}

fn batch<'a>(preview: &Preview, import: &ValuesImport<'a>) -> Batch<'a> {
    Batch {
        actor: import.actor,
        plan_id: preview.plan_id,
        reason: None,
        on_behalf_of: None,
        reported: import.reported.clone(),
        writes: preview.writes.clone(),
    }
}

/// One row judged: its cells, the commands that make the log say what it says, and what
/// keeps it from being imported.
#[derive(Debug)]
struct JudgedRow {
    cells: Vec<CellChange>,
    commands: Vec<Command>,
    reason: Option<String>,
    problems: Vec<Problem>,
}

/// Judges one row against its measure: pure, so every outcome is decided here and nowhere
/// else. Values come first, so an assessment is judged (and the rules' suggestion computed)
/// against the figures the row brings.
fn judge_row(row: &SheetRow, measure: &MeasureState, import: &ValuesImport<'_>) -> JudgedRow {
    let mut problems = Vec::new();
    let mut cells = Vec::new();
    let mut commands = Vec::new();
    let problem = |field: &str, message: String| Problem::new(row.location(), field, message);
    let classification = match &row.classification {
        Some(text) => match text.parse::<RevisionClass>() {
            Ok(class) => Some(class),
            Err(err) => {
                problems.push(problem("classification", err));
                None
            }
        },
        None => import.classification,
    };
    let reason = row.reason.clone().or_else(|| import.reason.clone());
    let mut revised = false;
    let cell = |period, field, outcome, before: Option<String>, after: &str| CellChange {
        row: row.row,
        measure: measure.definition.measure_ref.to_string(),
        period,
        field,
        outcome,
        before,
        after: after.to_owned(),
        classification: None,
    };
    for (period, figure) in &row.values {
        let value = match RecordedValue::parse(figure) {
            Ok(value) => value,
            Err(err) => {
                problems.push(problem(&period.to_string(), err.to_string()));
                continue;
            }
        };
        let before = measure.values.get(period);
        match before {
            None => {
                cells.push(cell(*period, "value", Outcome::New, None, figure));
                commands.push(Command::RecordValue {
                    period: *period,
                    value,
                    quality: DataQuality::default(),
                });
            }
            // The same figure, whatever revision marker the export printed beside it (or
            // the pack printed into it: the sample's "95 (revised)").
            Some(old) if figure_of(old.raw.trim()) == figure_of(value.raw.trim()) => {
                cells.push(cell(
                    *period,
                    "value",
                    Outcome::Unchanged,
                    Some(old.raw.clone()),
                    figure,
                ));
            }
            Some(old) => {
                revised = true;
                cells.push(CellChange {
                    classification,
                    ..cell(
                        *period,
                        "value",
                        Outcome::Revision,
                        Some(old.raw.clone()),
                        figure,
                    )
                });
                let Some(classification) = classification else {
                    problems.push(problem(
                        &period.to_string(),
                        format!(
                            "revises {} to {figure}: a revision needs a classification ({}); fill the classification column or pass one for the whole file",
                            old.raw,
                            RevisionClass::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ")
                        ),
                    ));
                    continue;
                };
                commands.push(Command::ReviseValue {
                    period: *period,
                    value,
                    classification,
                    quality: DataQuality::default(),
                });
            }
        }
    }
    if revised && reason.is_none() {
        problems.push(problem(
            "reason",
            "the row revises a value: say why in the reason column, or give one reason for the whole file".into(),
        ));
    }
    let period = import.period;
    if let Some(text) = &row.status {
        match measure.definition.status_scheme {
            StatusScheme::Corporate2016 => match text.parse::<Status>() {
                // The export prints "not yet available" where nothing was assessed.
                Ok(status) => {
                    let before = measure.statuses.get(&period).copied();
                    let outcome = assessed(before, status, Status::NotYetAvailable);
                    cells.push(cell(
                        period,
                        "status",
                        outcome,
                        before.map(|s| s.to_string()),
                        status.as_str(),
                    ));
                    if outcome != Outcome::Unchanged {
                        commands.push(Command::AssessStatus { period, status });
                    }
                }
                Err(err) => problems.push(problem("status", err)),
            },
            StatusScheme::Rag2010 => match text.parse::<Rag>() {
                Ok(rag) => {
                    let before = measure.rags.get(&period).copied();
                    let outcome = match before {
                        None => Outcome::New,
                        Some(b) if b == rag => Outcome::Unchanged,
                        Some(_) => Outcome::Change,
                    };
                    cells.push(cell(
                        period,
                        "rag",
                        outcome,
                        before.map(|r| r.to_string()),
                        rag.as_str(),
                    ));
                    if outcome != Outcome::Unchanged {
                        commands.push(Command::AssessRag { period, rag });
                    }
                }
                Err(err) => problems.push(problem("status", err)),
            },
        }
    }
    if let Some(text) = &row.direction {
        match Direction::parse_printed(text) {
            Ok(direction) => {
                let before = measure.directions.get(&period).copied();
                // The export prints "not applicable" where nothing was assessed.
                let outcome = assessed(before, direction, Direction::NotApplicable);
                cells.push(cell(
                    period,
                    "direction",
                    outcome,
                    before.map(|d| d.to_string()),
                    direction.as_str(),
                ));
                if outcome != Outcome::Unchanged {
                    commands.push(Command::AssessDirection { period, direction });
                }
            }
            Err(err) => problems.push(problem("direction", err)),
        }
    }
    if let Some(text) = &row.note {
        let before = measure.commentary.get(&period);
        let outcome = match before {
            None => Outcome::New,
            Some(b) if b.trim() == text.trim() => Outcome::Unchanged,
            Some(_) => Outcome::Change,
        };
        cells.push(cell(period, "note", outcome, before.cloned(), text));
        if outcome != Outcome::Unchanged {
            commands.push(Command::EditCommentary {
                period,
                text: text.clone(),
            });
        }
    }
    JudgedRow {
        cells,
        commands,
        // A reason goes with the whole row: it also explains a change to a published period.
        reason,
        problems,
    }
}

/// An assessment's outcome, where the export prints `unassessed` for none.
fn assessed<T: PartialEq>(before: Option<T>, after: T, unassessed: T) -> Outcome {
    match before {
        None if after == unassessed => Outcome::Unchanged,
        None => Outcome::New,
        Some(b) if b == after => Outcome::Unchanged,
        Some(_) => Outcome::Change,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use scoreledger_domain::Polarity;
    use scoreledger_testkit::{measure_definition, measure_id, performance_officer, plan_id};

    use super::*;

    const Q3: Period = Period::Quarter {
        fy: 2016,
        quarter: 3,
    };

    fn measure(scheme: StatusScheme) -> MeasureState {
        let mut definition = measure_definition(plan_id(1), "1.A1", Polarity::High);
        definition.status_scheme = scheme;
        MeasureState {
            measure_id: measure_id(1),
            definition,
            accountability: BTreeMap::new(),
            targets: BTreeMap::new(),
            values: BTreeMap::from([(Q3, RecordedValue::parse("68%").unwrap())]),
            value_quality: BTreeMap::new(),
            statuses: BTreeMap::from([(Q3, Status::Satisfactory)]),
            rags: BTreeMap::new(),
            directions: BTreeMap::new(),
            commentary: BTreeMap::from([(Q3, "On track.".to_owned())]),
            narratives: BTreeMap::new(),
            value_makers: BTreeMap::new(),
            note_makers: BTreeMap::new(),
            applicability: Vec::new(),
            clinics: BTreeMap::new(),
        }
    }

    fn row() -> SheetRow {
        SheetRow {
            row: 2,
            reference: "1.A1".into(),
            values: Vec::new(),
            status: None,
            direction: None,
            note: None,
            classification: None,
            reason: None,
        }
    }

    fn judge(row: &SheetRow, measure: &MeasureState, class: Option<RevisionClass>) -> JudgedRow {
        let actor = performance_officer();
        judge_row(
            row,
            measure,
            &ValuesImport {
                actor: &actor,
                directorate: None,
                period: Q3,
                classification: class,
                reason: None,
                key: "k",
                reported: None,
            },
        )
    }

    fn outcomes(judged: &JudgedRow) -> Vec<(&'static str, Outcome)> {
        judged.cells.iter().map(|c| (c.field, c.outcome)).collect()
    }

    #[test]
    fn what_the_export_prints_for_nothing_assessed_is_no_change() {
        let measure = measure(StatusScheme::Corporate2016);
        let judged = judge(
            &SheetRow {
                values: vec![(Q3, "68%".into())],
                status: Some("Satisfactory".into()),
                direction: Some("not_applicable".into()),
                note: Some(" On track. ".into()),
                ..row()
            },
            &measure,
            None,
        );
        assert_eq!(
            outcomes(&judged),
            [
                ("value", Outcome::Unchanged),
                ("status", Outcome::Unchanged),
                ("direction", Outcome::Unchanged),
                ("note", Outcome::Unchanged)
            ]
        );
        assert!(judged.commands.is_empty() && judged.problems.is_empty());

        let judged = judge(
            &SheetRow {
                status: Some("off_target".into()),
                direction: Some("worse".into()),
                ..row()
            },
            &measure,
            None,
        );
        assert_eq!(
            outcomes(&judged),
            [("status", Outcome::Change), ("direction", Outcome::New)]
        );
        assert_eq!(judged.commands.len(), 2);
    }

    #[test]
    fn a_figure_is_the_same_whatever_revision_marker_stands_beside_it() {
        let mut measure = measure(StatusScheme::Corporate2016);
        measure.values.insert(
            Period::quarter(2016, 2),
            RecordedValue::parse("95 (revised)").unwrap(),
        );
        let q2 = Period::quarter(2016, 2);
        for (cell, outcome) in [
            ("95", Outcome::Unchanged),
            ("95 (revised)", Outcome::Unchanged),
            ("95 (revised; first published 112)", Outcome::Unchanged),
            ("96", Outcome::Revision),
        ] {
            let judged = judge(
                &SheetRow {
                    values: vec![(q2, cell.into())],
                    ..row()
                },
                &measure,
                Some(RevisionClass::Correction),
            );
            assert_eq!(outcomes(&judged), [("value", outcome)], "{cell}");
        }
        let judged = judge(
            &SheetRow {
                values: vec![(Q3, "68% (revised; first published 66%)".into())],
                ..row()
            },
            &measure,
            None,
        );
        assert_eq!(outcomes(&judged), [("value", Outcome::Unchanged)]);
    }

    #[test]
    fn a_revision_needs_a_classification_and_a_reason_from_the_row_or_the_file() {
        let measure = measure(StatusScheme::Corporate2016);
        let revising = SheetRow {
            values: vec![(Q3, "70%".into())],
            ..row()
        };
        let judged = judge(&revising, &measure, None);
        let fields: Vec<&str> = judged.problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["Q3 Oct - Dec 2016", "reason"]);

        let judged = judge(
            &SheetRow {
                reason: Some("typo".into()),
                ..revising.clone()
            },
            &measure,
            Some(RevisionClass::Correction),
        );
        assert!(judged.problems.is_empty(), "{:?}", judged.problems);
        assert_eq!(judged.reason.as_deref(), Some("typo"));
        assert!(matches!(
            judged.commands[..],
            [Command::ReviseValue {
                classification: RevisionClass::Correction,
                ..
            }]
        ));

        let judged = judge(
            &SheetRow {
                classification: Some("guesswork".into()),
                reason: Some("typo".into()),
                ..revising
            },
            &measure,
            Some(RevisionClass::Correction),
        );
        assert_eq!(judged.problems[0].field, "classification");
    }

    #[test]
    fn a_2010_plan_s_status_column_holds_its_rag_rating() {
        let measure = measure(StatusScheme::Rag2010);
        let judged = judge(
            &SheetRow {
                status: Some("Amber".into()),
                ..row()
            },
            &measure,
            None,
        );
        assert_eq!(outcomes(&judged), [("rag", Outcome::New)]);
        assert!(matches!(
            judged.commands[..],
            [Command::AssessRag {
                rag: Rag::Amber,
                ..
            }]
        ));
        let judged = judge(
            &SheetRow {
                status: Some("on_target".into()),
                ..row()
            },
            &measure,
            None,
        );
        assert_eq!(judged.problems[0].field, "status");
    }
}

//! An improvement plan's update, as the 2010 Notice to Improve packs print one: a table of key
//! actions with their objective, lead, target date and RAG rating with its arrow, read from
//! CSV and judged against the actions the log holds. A key action not yet registered is
//! registered (and rated); a registered one whose target date, rating, baseline, targets or
//! workstream differ is moved, rated again or reworded; one that says the same appends
//! nothing, so an update imported twice changes nothing the second time.
//!
//! Columns (header row, any order): `objective`, `key_action`, `lead`, `target_date`, `rag`
//! (red, amber, green or complete; empty when unrated) and `arrow` (↑ → ↓, up, same, down,
//! or empty); optionally `baseline`, `targets` and `workstream` (an empty cell leaves the text
//! as it is); `section`, `commentary` and `source_lines` are read past, as the packs' other
//! columns. Any other column is refused.

use chrono::NaiveDate;
use serde::Serialize;

use scoreledger_domain::{ActionText, Command, Direction, Rag};
use scoreledger_projections::{reported_day, ActionRecord};

use crate::sheet::{Problem, Problems};

/// The columns an update must have.
pub const REQUIRED: [&str; 6] = [
    "objective",
    "key_action",
    "lead",
    "target_date",
    "rag",
    "arrow",
];
/// The columns an update may have.
pub const OPTIONAL: [&str; 3] = ["baseline", "targets", "workstream"];
/// The columns read past.
pub const IGNORED: [&str; 3] = ["section", "commentary", "source_lines"];

/// One key action of an update.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UpdateRow {
    /// Its row in the file (the header is row 1).
    pub row: usize,
    /// The objective it serves.
    pub objective: String,
    /// The key action.
    pub key_action: String,
    /// Who leads it.
    pub lead: String,
    /// When it is due, as printed.
    pub target_date: String,
    /// Its RAG rating, if it has one.
    pub rag: Option<Rag>,
    /// The arrow beside the rating.
    pub arrow: Option<Direction>,
    /// Its baseline as printed, when the update prints one.
    pub baseline: Option<String>,
    /// Its targets as printed, when the update prints them.
    pub targets: Option<String>,
    /// Its workstream, when the update prints one.
    pub workstream: Option<String>,
}

impl UpdateRow {
    /// The text the row prints for `field`, if any.
    pub fn text(&self, field: ActionText) -> Option<&str> {
        match field {
            ActionText::Baseline => self.baseline.as_deref(),
            ActionText::Targets => self.targets.as_deref(),
            ActionText::Workstream => self.workstream.as_deref(),
        }
    }
}

/// What importing a row does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Judged {
    /// The row.
    pub row: UpdateRow,
    /// What it changes: `registered`, `moved from …`, `rated …`; empty when unchanged.
    pub changes: Vec<String>,
    /// The commands, in order, for the action's stream.
    #[serde(skip)]
    pub commands: Vec<Command>,
}

/// Reads an update's rows, every problem found rather than the first.
pub fn read(bytes: &[u8]) -> Result<Vec<UpdateRow>, Problems> {
    let text = std::str::from_utf8(bytes).map_err(|err| {
        Problems::one(
            "file",
            "encoding",
            format!("the file is not UTF-8 ({err}); save it as CSV UTF-8"),
        )
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|err| Problems::one("row 1", "header", err.to_string()))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let mut problems = Vec::new();
    for name in &header {
        let known = [&REQUIRED[..], &OPTIONAL[..], &IGNORED[..]];
        if !known.iter().any(|names| names.contains(&name.as_str())) {
            problems.push(Problem::new(
                "row 1",
                name.as_str(),
                format!(
                    "not a column of a plan update; the columns are {}, optionally {} (and, read past, {})",
                    REQUIRED.join(", "),
                    OPTIONAL.join(", "),
                    IGNORED.join(", ")
                ),
            ));
        }
    }
    for name in REQUIRED {
        if !header.iter().any(|h| h == name) {
            problems.push(Problem::new(
                "row 1",
                name,
                "missing: every plan update has this column".to_owned(),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(Problems(problems));
    }
    let column = |name: &str| header.iter().position(|h| h == name);
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let row = index + 2;
        let location = format!("row {row}");
        let record = match record {
            Ok(record) => record,
            Err(err) => {
                problems.push(Problem::new(location, "row", err.to_string()));
                continue;
            }
        };
        let cell = |name: &str| {
            column(name)
                .and_then(|i| record.get(i))
                .unwrap_or_default()
                .trim()
                .to_owned()
        };
        let optional = |name: &str| Some(cell(name)).filter(|text| !text.is_empty());
        for name in ["objective", "key_action", "lead", "target_date"] {
            if cell(name).is_empty() {
                problems.push(Problem::new(
                    location.clone(),
                    name,
                    "empty; write what the pack prints, or say in brackets that it prints none \
                     (\"[none printed]\")"
                        .to_owned(),
                ));
            }
        }
        let rag = match cell("rag").as_str() {
            "" => None,
            text => match text.parse::<Rag>() {
                Ok(rag) => Some(rag),
                Err(message) => {
                    problems.push(Problem::new(location.clone(), "rag", message));
                    None
                }
            },
        };
        let arrow = match cell("arrow").as_str() {
            "" => None,
            text => match Direction::parse_printed(text) {
                Ok(direction) if direction.is_measured() => Some(direction),
                _ => {
                    problems.push(Problem::new(
                        location.clone(),
                        "arrow",
                        format!("{text:?} is not an arrow; write ↑, →, ↓ (or up, same, down)"),
                    ));
                    None
                }
            },
        };
        if arrow.is_some() && rag.is_none() {
            problems.push(Problem::new(
                location.clone(),
                "arrow",
                "an arrow without a rating; give the rating beside it".to_owned(),
            ));
        }
        rows.push(UpdateRow {
            row,
            objective: cell("objective"),
            key_action: cell("key_action"),
            lead: cell("lead"),
            target_date: cell("target_date"),
            rag,
            arrow,
            baseline: optional("baseline"),
            targets: optional("targets"),
            workstream: optional("workstream"),
        });
    }
    for (i, row) in rows.iter().enumerate() {
        if let Some(first) = rows[..i]
            .iter()
            .find(|r| same(&r.key_action, &row.key_action))
        {
            problems.push(Problem::new(
                format!("row {}", row.row),
                "key_action",
                format!(
                    "the same key action as row {}; an action is known by its plan and key action",
                    first.row
                ),
            ));
        }
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(Problems(problems))
    }
}

/// Whether two key actions are the same one: as the action's id derives from it, runs of
/// spaces count as one.
pub fn same(a: &str, b: &str) -> bool {
    a.split_whitespace().eq(b.split_whitespace())
}

/// Refuses an update reported before one already imported for the plan: judged against the
/// later update's dates and ratings, it would move them back, and the tallies as reported on
/// each day would read the wrong one. A plan's updates are imported in the order reported.
pub fn check_order(existing: &[ActionRecord], reported_on: NaiveDate) -> Result<(), Problems> {
    let day = |reported: &Option<String>, at: &str| reported_day(reported.as_deref(), at);
    let latest = existing
        .iter()
        .flat_map(|a| {
            a.ratings
                .iter()
                .map(|r| day(&r.reported_on, &r.at))
                .chain(a.moves.iter().map(|m| day(&m.reported_on, &m.at)))
        })
        .flatten()
        .max();
    match latest {
        Some(latest) if latest > reported_on => Err(Problems::one(
            "file",
            "reported on",
            format!(
                "this update was reported on {reported_on}, before an update of the plan already \
                 imported (reported on {latest}); import a plan's updates in the order they were \
                 reported"
            ),
        )),
        _ => Ok(()),
    }
}

/// What each row changes, against `existing` (the plan's actions as the log holds them).
/// `register` builds a row's registration (its id derives from the plan and key action, which
/// is the store's to say).
pub fn judge(
    rows: &[UpdateRow],
    existing: &[ActionRecord],
    register: impl Fn(&UpdateRow) -> Command,
) -> Vec<Judged> {
    rows.iter()
        .map(|row| {
            let mut changes = Vec::new();
            let mut commands = Vec::new();
            let known = existing
                .iter()
                .find(|a| same(&a.key_action, &row.key_action));
            let texts = |field| known.and_then(|a: &ActionRecord| a.text(field));
            let (due, rated) = match known {
                None => {
                    commands.push(register(row));
                    changes.push(format!("registered, due {}", row.target_date));
                    (row.target_date.as_str(), None)
                }
                Some(action) => (
                    action.target_date.as_str(),
                    action
                        .rating()
                        .map(|r| (r.rag.as_str(), r.arrow.as_deref())),
                ),
            };
            if due != row.target_date {
                commands.push(Command::MoveActionTargetDate {
                    to: row.target_date.clone(),
                });
                changes.push(format!("moved from {due} to {}", row.target_date));
            }
            if let Some(rag) = row.rag {
                let wanted = (rag.as_str(), row.arrow.map(|a| a.as_str()));
                if rated != Some(wanted) {
                    commands.push(Command::RateAction {
                        rag,
                        arrow: row.arrow,
                    });
                    changes.push(format!(
                        "rated {}{rag}",
                        row.arrow
                            .map(|a| format!("{} ", a.symbol()))
                            .unwrap_or_default()
                    ));
                }
            }
            for field in ActionText::ALL.iter().copied() {
                let Some(text) = row.text(field) else {
                    continue;
                };
                let now = texts(field);
                if now.is_none_or(|now| !same(now, text)) {
                    commands.push(Command::SetActionText {
                        field,
                        text: text.to_owned(),
                    });
                    changes.push(match now {
                        None => format!("{field} set"),
                        Some(_) => format!("{field} reworded"),
                    });
                }
            }
            Judged {
                row: row.clone(),
                changes,
                commands,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use scoreledger_projections::ActionRating;

    const HEADER: &str = "section,objective,key_action,lead,target_date,rag,arrow,commentary\n";

    fn register(row: &UpdateRow) -> Command {
        Command::MoveActionTargetDate {
            to: format!("registered {}", row.key_action),
        }
    }

    fn existing(key_action: &str, due: &str, rag: &str, arrow: Option<&str>) -> ActionRecord {
        ActionRecord {
            action_id: "action-1".into(),
            plan: "Notice to Improve".into(),
            objective: "Quality assurance".into(),
            key_action: key_action.into(),
            lead: "Gani Martins".into(),
            measures: Vec::new(),
            registered_by: "Sue Wilson".into(),
            registered_at: "2026-12-07T10:00:00+00:00".into(),
            target_date: due.into(),
            moves: Vec::new(),
            completed_on: None,
            baseline: None,
            targets: None,
            workstream: None,
            texts: Vec::new(),
            ratings: vec![ActionRating {
                rag: rag.into(),
                arrow: arrow.map(str::to_owned),
                by: "Sue Wilson".into(),
                at: "2026-12-07T10:00:00+00:00".into(),
                reason: None,
                reported_on: None,
                position: 2,
            }],
        }
    }

    #[test]
    fn an_update_registers_new_actions_and_moves_and_rates_known_ones() {
        let file = format!(
            "{HEADER}S,QA,Audit files,Gani Martins,August 2010,amber,↑,more audits\n\
             S,QA,Review NFA cases,Gani Martins,Sept 2010,amber,up,\n\
             S,QA,Re-launch thresholds,Gani Martins,April 2010,complete,,\n\
             S,QA,New action,Sue Wilson,[none printed],,,\n"
        );
        let rows = read(file.as_bytes()).unwrap();
        let known = [
            existing("Audit files", "June 2010", "amber", Some("stable")),
            existing("Review NFA cases", "Sept 2010", "amber", Some("improved")),
            existing("Re-launch thresholds", "April 2010", "complete", None),
        ];
        let judged = judge(&rows, &known, register);
        let changes: Vec<Vec<String>> = judged.iter().map(|j| j.changes.clone()).collect();
        assert_eq!(
            changes,
            [
                vec![
                    "moved from June 2010 to August 2010".to_owned(),
                    "rated ↑ amber".to_owned()
                ],
                vec![],
                vec![],
                vec!["registered, due [none printed]".to_owned()],
            ]
        );
        assert_eq!(judged[0].commands.len(), 2);
        assert!(
            judged[1].commands.is_empty(),
            "the same rating again appends nothing"
        );
    }

    #[test]
    fn a_baseline_or_targets_text_is_set_once_and_reworded_when_the_words_change() {
        let header = "objective,key_action,lead,target_date,rag,arrow,baseline,targets\n";
        let file = format!(
            "{header}QA,Review NFA cases,Gani Martins,March 2010,,,33.18%,\
             reduction in overall contact and referrals which result in NFA by March 2010\n\
             QA,Audit files,Gani Martins,June 2010,,,3 files  per month,\n\
             QA,New action,Sue Wilson,June 2010,,,TBA,TBA\n"
        );
        let rows = read(file.as_bytes()).unwrap();
        let mut nfa = existing("Review NFA cases", "March 2010", "amber", None);
        nfa.ratings.clear();
        nfa.baseline = Some("33.18%".into());
        nfa.targets = Some(
            "10% reduction in overall contact and referrals which result in NFA by March 2010"
                .into(),
        );
        let mut audit = existing("Audit files", "June 2010", "amber", None);
        audit.ratings.clear();
        audit.baseline = Some("3 files per month".into());
        let judged = judge(&rows, &[nfa, audit], register);
        let changes: Vec<Vec<String>> = judged.iter().map(|j| j.changes.clone()).collect();
        assert_eq!(
            changes,
            [
                // The baseline reads the same; the targets lost their "10%".
                vec!["targets reworded".to_owned()],
                // Spacing is not a rewording, and an empty cell leaves the targets alone.
                vec![],
                vec![
                    "registered, due June 2010".to_owned(),
                    "baseline set".to_owned(),
                    "targets set".to_owned()
                ],
            ]
        );
        assert_eq!(
            judged[0].commands,
            [Command::SetActionText {
                field: ActionText::Targets,
                text:
                    "reduction in overall contact and referrals which result in NFA by March 2010"
                        .into()
            }]
        );
    }

    #[test]
    fn an_update_reported_before_one_already_imported_is_refused() {
        let mut known = existing("Audit files", "June 2010", "amber", None);
        known.ratings[0].reported_on = Some("2010-08-20".into());
        let day = |s: &str| s.parse::<NaiveDate>().unwrap();
        let refused = check_order(std::slice::from_ref(&known), day("2010-05-17")).unwrap_err();
        assert!(refused.0[0]
            .message
            .contains("in the order they were reported"));
        assert!(check_order(&[known], day("2010-08-20")).is_ok());
    }

    #[test]
    fn every_problem_of_a_file_is_named_by_row_and_column() {
        let file = format!(
            "{HEADER}S,QA,Audit files,,June 2010,purple,↗,\n\
             S,QA,Audit files,Gani Martins,June 2010,,↑,\n"
        );
        let problems = read(file.as_bytes()).unwrap_err().0;
        let named: Vec<(String, String)> = problems
            .iter()
            .map(|p| (p.location.clone(), p.field.clone()))
            .collect();
        assert_eq!(
            named,
            [
                ("row 2".into(), "lead".into()),
                ("row 2".into(), "rag".into()),
                ("row 2".into(), "arrow".into()),
                ("row 3".into(), "arrow".into()),
                ("row 3".into(), "key_action".into()),
            ]
        );
        let spaced = read(
            format!("{HEADER}S,QA,Audit  files,Gani Martins,June 2010,,,\nS,QA,Audit files,Gani Martins,June 2010,,,\n")
                .as_bytes(),
        )
        .unwrap_err();
        assert_eq!(
            spaced.0[0].field, "key_action",
            "runs of spaces are one space"
        );
        let unknown = read(b"objective,key_action,lead,target_date,rag,arrow,owner\n").unwrap_err();
        assert_eq!(unknown.0[0].field, "owner");
        let missing = read(b"objective,key_action,lead,rag,arrow\n").unwrap_err();
        assert_eq!(missing.0[0].field, "target_date");
    }
}

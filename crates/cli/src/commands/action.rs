//! `scoreledger action`: improvement actions through the one write path; `audit
//! action-dates`, the target dates moved between two days and whether a reason was given
//! (question 16); and `audit unactioned`, the off-target measures of a publication that no
//! action names and no clinic mandated an action for (question 18).

use std::io::Write;

use chrono::{DateTime, NaiveDate, Utc};
use scoreledger_domain::{Command, Direction, MeasureRef, Position, Rag, Status};
use scoreledger_projections::{self as projections, ActionRecord, DateMove, TextSet};
use scoreledger_reports::action_rag::{changes, tally, RagChange, RagTally};
use serde::Serialize;

use crate::app::{date, App};
use crate::args::{ActionArgs, ActionCommand, AsAtArgs, Format};
use crate::as_at;
use crate::commands::audit::{csv_of, table};
use crate::commands::compare::{heading, published, Side};
use crate::failure::{CliResult, Failed};

/// Runs `action`.
pub async fn run(app: &App, command: ActionCommand, out: &mut dyn Write) -> CliResult {
    let (action, command, reason, done): (ActionArgs, Command, Option<String>, String) =
        match command {
            ActionCommand::Register {
                action,
                objective,
                lead,
                target_date,
                measures,
            } => {
                let measures = measures
                    .iter()
                    .map(|m| MeasureRef::parse(m).map_err(Failed::rejected))
                    .collect::<CliResult<Vec<_>>>()?;
                // A reference no plan defines would leave the action improving nothing.
                for measure in &measures {
                    app.measure(measure.as_str(), None).await?;
                }
                let command = Command::RegisterAction {
                    action_id: scoreledger_store::action_id_for(&action.plan, &action.key_action),
                    plan: action.plan.clone(),
                    objective,
                    key_action: action.key_action.clone(),
                    lead,
                    target_date: target_date.clone(),
                    measures,
                };
                (
                    action,
                    command,
                    None,
                    format!("registered, due {}", target_date.trim()),
                )
            }
            ActionCommand::Move { action, to, reason } => {
                let done = format!("now due {}", to.trim());
                (action, Command::MoveActionTargetDate { to }, reason, done)
            }
            ActionCommand::Rate {
                action,
                rag,
                arrow,
                reason,
            } => {
                let rag: Rag = rag.parse().map_err(Failed::rejected)?;
                let arrow = arrow.as_deref().map(parse_arrow).transpose()?;
                let done = format!(
                    "rated {}{rag}",
                    arrow
                        .map(|a| format!("{} ", a.symbol()))
                        .unwrap_or_default()
                );
                (action, Command::RateAction { rag, arrow }, reason, done)
            }
            ActionCommand::Complete { action, on, reason } => {
                let on = date(&on)?;
                (
                    action,
                    Command::CompleteAction { on },
                    reason,
                    format!("completed on {on}"),
                )
            }
            ActionCommand::List {
                measure,
                when,
                format,
            } => return list(app, measure.as_deref(), &when, format, out).await,
        };
    let action_id = scoreledger_store::action_id_for(&action.plan, &action.key_action);
    let appended = app
        .execute(&action_id.stream(), None, &command, reason, None)
        .await?;
    app.catch_up().await?;
    writeln!(
        out,
        "\"{}\" ({}) is {done} (position {})",
        action.key_action.trim(),
        action.plan.trim(),
        appended.commit.position
    )?;
    Ok(())
}

/// An arrow as the plans print it (↑ → ↓) or as a direction's word.
fn parse_arrow(text: &str) -> CliResult<Direction> {
    Direction::parse_printed(text).map_err(Failed::rejected)
}

/// One line per move, for tables.
fn moves_text(moves: &[DateMove]) -> String {
    moves
        .iter()
        .map(|m| {
            format!(
                "{} → {} ({}, {}; {})",
                m.from,
                m.to,
                m.by,
                day_of(&m.at).map_or_else(|| m.at.clone(), |d| d.to_string()),
                m.reason
                    .as_deref()
                    .map_or_else(|| "no reason recorded".to_owned(), |r| format!("“{r}”"))
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The UTC day of an RFC 3339 time.
fn day_of(at: &str) -> Option<NaiveDate> {
    DateTime::parse_from_rfc3339(at)
        .ok()
        .map(|t| t.with_timezone(&Utc).date_naive())
}

/// Runs `action list`.
async fn list(
    app: &App,
    measure: Option<&str>,
    when: &AsAtArgs,
    format: Format,
    out: &mut dyn Write,
) -> CliResult {
    let at = as_at::resolve(app, when).await?;
    let wanted = measure
        .map(|m| MeasureRef::parse(m).map_err(Failed::rejected))
        .transpose()?;
    let actions: Vec<ActionRecord> = projections::actions_as_at(app.read(), at, None)
        .await?
        .into_iter()
        .filter(|a| {
            wanted
                .as_ref()
                .is_none_or(|w| a.measures.iter().any(|m| m == w.as_str()))
        })
        .collect();
    match format {
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&actions).expect("actions serialise")
        )?,
        Format::Csv => {
            #[derive(Serialize)]
            struct Row<'a> {
                plan: &'a str,
                objective: &'a str,
                key_action: &'a str,
                lead: &'a str,
                measures: String,
                target_date: &'a str,
                moves: usize,
                completed_on: Option<&'a str>,
            }
            let rows: Vec<Row> = actions
                .iter()
                .map(|a| Row {
                    plan: &a.plan,
                    objective: &a.objective,
                    key_action: &a.key_action,
                    lead: &a.lead,
                    measures: a.measures.join("; "),
                    target_date: &a.target_date,
                    moves: a.moves.len(),
                    completed_on: a.completed_on.as_deref(),
                })
                .collect();
            write!(out, "{}", csv_of(&rows))?;
        }
        Format::Table if actions.is_empty() => writeln!(
            out,
            "no improvement action is recorded at position {at}; `scoreledger action register` records one"
        )?,
        Format::Table => {
            let mut t = table(&[
                "Plan",
                "Key action",
                "Lead",
                "Measures",
                "Target date",
                "Moved",
                "Completed",
            ]);
            for a in &actions {
                t.add_row(vec![
                    a.plan.clone(),
                    a.key_action.clone(),
                    a.lead.clone(),
                    a.measures.join(", "),
                    a.target_date.clone(),
                    moves_text(&a.moves),
                    a.completed_on.clone().unwrap_or_default(),
                ]);
            }
            writeln!(out, "{t}")?;
        }
    }
    Ok(())
}

/// A move of a target date, with its action.
#[derive(Debug, Serialize)]
struct Moved<'a> {
    plan: &'a str,
    key_action: &'a str,
    lead: &'a str,
    #[serde(flatten)]
    change: &'a DateMove,
}

/// Runs `audit action-dates`.
pub async fn dates(
    app: &App,
    from: &str,
    to: &str,
    format: Format,
    out: &mut dyn Write,
) -> CliResult {
    let (from, to) = days(from, to)?;
    let actions = reported_by(app, to).await?;
    let moved: Vec<Moved> = actions
        .iter()
        .flat_map(|a| {
            a.moves
                .iter()
                .filter(|m| reported_between(m.reported_on.as_deref(), &m.at, from, to))
                .map(move |change| Moved {
                    plan: &a.plan,
                    key_action: &a.key_action,
                    lead: &a.lead,
                    change,
                })
        })
        .collect();
    let unexplained = moved.iter().filter(|m| m.change.reason.is_none()).count();
    match format {
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&moved).expect("moves serialise")
        )?,
        Format::Csv => write!(out, "{}", csv_of(&moved))?,
        Format::Table => {
            if !moved.is_empty() {
                let mut t = table(&["Plan", "Key action", "Lead", "Target date moved"]);
                for m in &moved {
                    t.add_row(vec![
                        m.plan.to_owned(),
                        m.key_action.to_owned(),
                        m.lead.to_owned(),
                        moves_text(std::slice::from_ref(m.change)),
                    ]);
                }
                writeln!(out, "{t}")?;
            }
            writeln!(
                out,
                "{} target date(s) moved after {from} and up to {to}; {unexplained} with no reason recorded",
                moved.len()
            )?;
        }
    }
    Ok(())
}

/// `--from` and `--to` as days, the earlier first.
fn days(from: &str, to: &str) -> CliResult<(NaiveDate, NaiveDate)> {
    let (from, to) = (date(from)?, date(to)?);
    if to < from {
        return Err(Failed::rejected(format!(
            "--to {to} is before --from {from}; give the earlier day first"
        )));
    }
    Ok((from, to))
}

/// Every action as reported by the end of `to`.
async fn reported_by(app: &App, to: NaiveDate) -> CliResult<Vec<ActionRecord>> {
    let at = as_at::position(app, as_at::AsAt::Now).await?;
    Ok(projections::actions_as_at(app.read(), at, Some(to)).await?)
}

/// Whether a change was reported after `from` and by `to`: by the day its commit says it was
/// reported, else the day it was recorded, so an update of 2010 typed in years later falls
/// between its own days.
fn reported_between(reported_on: Option<&str>, at: &str, from: NaiveDate, to: NaiveDate) -> bool {
    projections::reported_day(reported_on, at).is_some_and(|day| day > from && day <= to)
}

/// A baseline, targets or workstream text reworded by a later update, with its action and the words the
/// rewording removed and added.
#[derive(Debug, Serialize)]
struct Reworded<'a> {
    plan: &'a str,
    key_action: &'a str,
    lead: &'a str,
    #[serde(flatten)]
    change: &'a TextSet,
    /// The edit word by word: `[-removed-]`, `{+added+}`.
    words: String,
}

/// Runs `audit action-texts`: the rewordings reported after `from` and by `to`.
pub async fn texts(
    app: &App,
    from: &str,
    to: &str,
    format: Format,
    out: &mut dyn Write,
) -> CliResult {
    let (from, to) = days(from, to)?;
    let actions = reported_by(app, to).await?;
    let reworded: Vec<Reworded> = actions
        .iter()
        .flat_map(|a| {
            a.texts
                .iter()
                .filter(|t| {
                    t.before.is_some()
                        && reported_between(t.reported_on.as_deref(), &t.at, from, to)
                })
                .map(move |change| Reworded {
                    plan: &a.plan,
                    key_action: &a.key_action,
                    lead: &a.lead,
                    change,
                    words: scoreledger_reports::word_diff::plain(
                        change.before.as_deref().unwrap_or_default(),
                        &change.after,
                    ),
                })
        })
        .collect();
    match format {
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&reworded).expect("rewordings serialise")
        )?,
        Format::Csv => write!(out, "{}", csv_of(&reworded))?,
        Format::Table => {
            if !reworded.is_empty() {
                let mut t = table(&[
                    "Key action",
                    "Text",
                    "Reworded ([-removed-] {+added+})",
                    "Who, when",
                ]);
                for r in &reworded {
                    t.add_row(vec![
                        r.key_action.to_owned(),
                        r.change.field.clone(),
                        r.words.clone(),
                        format!(
                            "{}, {}{}",
                            r.change.by,
                            r.change.at.get(..10).unwrap_or(&r.change.at),
                            r.change
                                .reported_on
                                .as_ref()
                                .map(|d| format!(" (reported {d})"))
                                .unwrap_or_default()
                        ),
                    ]);
                }
                writeln!(out, "{t}")?;
            }
            writeln!(
                out,
                "{} baseline, targets or workstream text(s) reworded after {from} and up to {to}",
                reworded.len()
            )?;
        }
    }
    Ok(())
}

/// An off-target measure of a publication with nothing recorded to improve it.
#[derive(Debug, Serialize)]
struct Unactioned {
    measure_ref: String,
    ref_as_printed: String,
    measure: String,
    lead_officer: String,
    /// The data note as published.
    note: Option<String>,
    /// Clinics called for it but not held (so nothing mandated yet), by day.
    clinics_called: Vec<String>,
}

#[derive(Debug, Serialize)]
struct UnactionedReport<'a> {
    report: &'a Side,
    off_target: usize,
    unactioned: &'a [Unactioned],
}

/// Runs `audit unactioned`.
pub async fn unactioned(
    app: &App,
    report: &str,
    when: &AsAtArgs,
    format: Format,
    out: &mut dyn Write,
) -> CliResult {
    let at = as_at::resolve(app, when).await?;
    let (side, published) = published(app, report).await?;
    let actions = projections::actions_as_at(app.read(), at, None).await?;
    let clinics = projections::clinics_as_at(app.read(), at).await?;
    let actioned = |measure: &str| {
        actions
            .iter()
            .any(|a| a.measures.iter().any(|m| m == measure))
            || clinics
                .iter()
                .any(|c| c.measure_ref == measure && !c.mandates.is_empty())
    };
    let off_target: Vec<_> = published
        .rows
        .iter()
        .filter(|r| r.status == Status::OffTarget)
        .collect();
    let found: Vec<Unactioned> = off_target
        .iter()
        .filter(|r| !actioned(&r.measure_ref))
        .map(|r| Unactioned {
            measure_ref: r.measure_ref.clone(),
            ref_as_printed: r.ref_as_printed.clone(),
            measure: r.measure.clone(),
            lead_officer: r.lead_officer.clone(),
            note: r.note.clone(),
            clinics_called: clinics
                .iter()
                .filter(|c| c.measure_ref == r.measure_ref && c.state == "called")
                .map(|c| c.called_for.clone())
                .collect(),
        })
        .collect();
    match format {
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&UnactionedReport {
                report: &side,
                off_target: off_target.len(),
                unactioned: &found,
            })
            .expect("unactioned measures serialise")
        )?,
        Format::Csv => {
            #[derive(Serialize)]
            struct Row<'a> {
                measure_ref: &'a str,
                measure: &'a str,
                lead_officer: &'a str,
                clinics_called: String,
                note: Option<&'a str>,
            }
            let rows: Vec<Row> = found
                .iter()
                .map(|u| Row {
                    measure_ref: &u.measure_ref,
                    measure: &u.measure,
                    lead_officer: &u.lead_officer,
                    clinics_called: u.clinics_called.join("; "),
                    note: u.note.as_deref(),
                })
                .collect();
            write!(out, "{}", csv_of(&rows))?;
        }
        Format::Table => {
            if !found.is_empty() {
                let mut t = table(&["Measure", "", "Lead officer", "Clinic called", "Data note"]);
                for u in &found {
                    t.add_row(vec![
                        u.ref_as_printed.clone(),
                        u.measure.clone(),
                        u.lead_officer.clone(),
                        u.clinics_called.join("\n"),
                        u.note.clone().unwrap_or_default(),
                    ]);
                }
                writeln!(out, "{t}")?;
            }
            writeln!(
                out,
                "{}: {} of {} off-target measures have no improvement action recorded \
                 (`action register --measure REF`) and no clinic that mandated one",
                heading(&side).replace('\n', " "),
                found.len(),
                off_target.len()
            )?;
        }
    }
    Ok(())
}

/// A tally at one update.
#[derive(Debug, Serialize)]
struct Tallied {
    position: u64,
    /// The day the tally is as reported by, when it is.
    reported_by: Option<NaiveDate>,
    #[serde(flatten)]
    tally: RagTally,
    sentence: String,
}

impl Tallied {
    /// "at position 40", or "as reported by 17 May 2010 (position 40)".
    fn when(&self) -> String {
        match self.reported_by {
            Some(day) => format!(
                "as reported by {} (position {})",
                day.format("%-d %b %Y"),
                self.position
            ),
            None => format!("at position {}", self.position),
        }
    }
}

#[derive(Debug, Serialize)]
struct RagAudit {
    later: Tallied,
    earlier: Option<Tallied>,
    changes: Vec<RagChange>,
}

/// The actions of `plan` (or every plan) as at `at`, and as reported by a day if one is given.
async fn actions_of(
    app: &App,
    plan: Option<&str>,
    at: Position,
    reported_by: Option<NaiveDate>,
) -> CliResult<Vec<ActionRecord>> {
    Ok(projections::actions_as_at(app.read(), at, reported_by)
        .await?
        .into_iter()
        .filter(|a| plan.is_none_or(|p| a.plan == p.trim()))
        .collect())
}

fn tallied(
    position: Position,
    reported_by: Option<NaiveDate>,
    actions: &[ActionRecord],
) -> Tallied {
    let tally = tally(actions);
    Tallied {
        position: position.0,
        reported_by,
        sentence: tally.sentence(),
        tally,
    }
}

/// What `audit action-rag` was asked, as typed.
#[derive(Debug)]
pub struct RagAsked<'a> {
    /// Only this plan's actions.
    pub plan: Option<&'a str>,
    /// The earlier update: a day or a log position.
    pub against: Option<&'a str>,
    /// The later tally as reported by this day.
    pub reported_by: Option<&'a str>,
    /// The earlier tally as reported by this day.
    pub against_reported: Option<&'a str>,
}

/// Runs `audit action-rag`.
pub async fn rag(
    app: &App,
    asked: &RagAsked<'_>,
    when: &AsAtArgs,
    format: Format,
    out: &mut dyn Write,
) -> CliResult {
    let plan = asked.plan;
    let at = as_at::resolve(app, when).await?;
    let reported_by = asked.reported_by.map(date).transpose()?;
    if let (Some(later), Some(earlier)) =
        (reported_by, asked.against_reported.map(date).transpose()?)
    {
        if earlier > later {
            return Err(Failed::rejected(format!(
                "--against-reported {earlier} is after --reported-by {later}; give the earlier day to compare against"
            )));
        }
    }
    let later = actions_of(app, plan, at, reported_by).await?;
    let earlier = match (asked.against, asked.against_reported) {
        (Some(text), _) => {
            let asked = match text.trim().parse::<u64>() {
                Ok(position) => as_at::AsAt::Position(Position(position)),
                Err(_) => as_at::AsAt::EndOf(date(text)?),
            };
            let then = as_at::position(app, asked).await?;
            Some((then, None, actions_of(app, plan, then, None).await?))
        }
        (None, Some(day)) => {
            let day = date(day)?;
            Some((at, Some(day), actions_of(app, plan, at, Some(day)).await?))
        }
        (None, None) => None,
    };
    let audit = RagAudit {
        later: tallied(at, reported_by, &later),
        changes: earlier
            .as_ref()
            .map(|(_, _, before)| changes(before, &later))
            .unwrap_or_default(),
        earlier: earlier
            .as_ref()
            .map(|(then, day, before)| tallied(*then, *day, before)),
    };
    match format {
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&audit).expect("RAG tallies serialise")
        )?,
        Format::Csv => write!(out, "{}", csv_of(&audit.changes))?,
        Format::Table => {
            if let Some(earlier) = &audit.earlier {
                writeln!(out, "{}: {}", earlier.when(), earlier.sentence)?;
            }
            writeln!(out, "{}: {}", audit.later.when(), audit.later.sentence)?;
            if audit.earlier.is_some() {
                if audit.changes.is_empty() {
                    writeln!(out, "no action was added or rated differently in between")?;
                } else {
                    let mut t = table(&["Plan", "Key action", "Then", "Now"]);
                    for c in &audit.changes {
                        t.add_row(vec![
                            c.plan.clone(),
                            c.key_action.clone(),
                            if c.added {
                                "(added)".to_owned()
                            } else {
                                c.before.clone().unwrap_or_else(|| "not rated".to_owned())
                            },
                            c.after.clone().unwrap_or_else(|| "not rated".to_owned()),
                        ]);
                    }
                    writeln!(out, "{t}")?;
                }
            }
        }
    }
    Ok(())
}

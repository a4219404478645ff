//! `scoreledger meeting`: the governance record of the meetings reports went to, through the
//! one write path, and read back whole or as the public sees it.

use std::io::Write;

use scoreledger_domain::{Command, ReportId};
use scoreledger_projections::{self as projections, AgendaItemRecord, MeetingRecord};
use scoreledger_reports::governance::{considered_by, public_meetings, publication_is_public};
use serde::Serialize;

use crate::app::{date, App};
use crate::args::{Format, MeetingArgs, MeetingCommand};
use crate::as_at;
use crate::commands::audit::{csv_of, table};
use crate::exit::Failure;
use crate::failure::{CliResult, Failed};

/// Runs `meeting`.
pub async fn run(app: &App, command: MeetingCommand, out: &mut dyn Write) -> CliResult {
    match command {
        MeetingCommand::Record { meeting } => {
            let held_on = date(&meeting.held_on)?;
            let meeting_id = scoreledger_store::meeting_id_for(&meeting.body, held_on);
            let command = Command::RecordMeeting {
                meeting_id,
                body: meeting.body.clone(),
                held_on,
            };
            let at = write(app, &meeting, command, None).await?;
            writeln!(
                out,
                "recorded the meeting of {} on {held_on} (position {at})",
                meeting.body.trim()
            )?;
        }
        MeetingCommand::Item {
            meeting,
            item,
            title,
            report,
            exempt,
        } => {
            let report_id = match &report {
                Some(text) => {
                    let publication =
                        scoreledger_service::find_publication(app.read(), text).await?;
                    let id = publication.report_id.parse().map_err(|_| Failed {
                        kind: Failure::Corrupt,
                        error: anyhow::anyhow!(
                            "the read models hold an unreadable report id {}",
                            publication.report_id
                        ),
                    })?;
                    Some(ReportId(id))
                }
                None => None,
            };
            let command = Command::AddAgendaItem {
                item: item.clone(),
                title,
                report_id,
                exempt_paragraph: exempt,
            };
            let at = write(app, &meeting, command, None).await?;
            let exempt = exempt
                .map(|p| format!(", considered in exempt session (Schedule 12A, paragraph {p})"))
                .unwrap_or_default();
            writeln!(out, "item {item} is on the agenda{exempt} (position {at})")?;
        }
        MeetingCommand::Decide {
            meeting,
            item,
            decision,
            reason,
        } => {
            let command = Command::RecordDecision {
                item: item.clone(),
                decision,
            };
            let at = write(app, &meeting, command, reason).await?;
            writeln!(out, "recorded the decision on item {item} (position {at})")?;
        }
        MeetingCommand::CallIn {
            meeting,
            item,
            by,
            reason,
        } => {
            let command = Command::CallInDecision {
                item: item.clone(),
                by,
            };
            let at = write(app, &meeting, command, Some(reason)).await?;
            writeln!(
                out,
                "recorded the call-in of the decision on item {item} (position {at})"
            )?;
        }
        MeetingCommand::List {
            report,
            public,
            when,
            format,
        } => {
            let at = as_at::resolve(app, &when).await?;
            let all = projections::meetings_as_at(app.read(), at).await?;
            let publication = match &report {
                Some(text) => Some(scoreledger_service::find_publication(app.read(), text).await?),
                None => None,
            };
            if let Some(publication) = publication
                .as_ref()
                .filter(|p| public && !publication_is_public(&p.report_id, &all))
            {
                return Err(Failed::rejected(format!(
                    "the {} report to {} was considered in exempt session; it is not public",
                    publication.period, publication.meeting
                )));
            }
            let meetings = if public { public_meetings(&all) } else { all };
            match publication {
                Some(publication) => {
                    let found = considered_by(&publication.report_id, &meetings);
                    list(
                        &found
                            .iter()
                            .map(|c| (c.body.as_str(), c.held_on.as_str(), &c.item))
                            .collect::<Vec<_>>(),
                        &found,
                        format,
                        out,
                    )?;
                }
                None => {
                    let items: Vec<(&str, &str, &AgendaItemRecord)> = meetings
                        .iter()
                        .flat_map(|m| {
                            m.items
                                .iter()
                                .map(move |i| (m.body.as_str(), m.held_on.as_str(), i))
                        })
                        .collect();
                    list(&items, &meetings, format, out)?;
                    let bare: Vec<&MeetingRecord> =
                        meetings.iter().filter(|m| m.items.is_empty()).collect();
                    if format == Format::Table {
                        let none = if public {
                            "no public business recorded"
                        } else {
                            "no agenda items recorded"
                        };
                        for m in bare {
                            writeln!(out, "{} on {}: {none}", m.body, m.held_on)?;
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

/// Appends `command` to the meeting's stream as the command line's actor.
async fn write(
    app: &App,
    meeting: &MeetingArgs,
    command: Command,
    reason: Option<String>,
) -> CliResult<u64> {
    let held_on = date(&meeting.held_on)?;
    let meeting_id = scoreledger_store::meeting_id_for(&meeting.body, held_on);
    let appended = app
        .execute(&meeting_id.stream(), None, &command, reason, None)
        .await?;
    app.catch_up().await?;
    Ok(appended.commit.position.0)
}

/// The agenda items as a table (with their meetings), or `whole` as JSON, or one CSV row per
/// item.
fn list<T: Serialize>(
    items: &[(&str, &str, &AgendaItemRecord)],
    whole: &T,
    format: Format,
    out: &mut dyn Write,
) -> CliResult {
    match format {
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(whole).expect("meetings serialise")
        )?,
        Format::Csv => {
            #[derive(Serialize)]
            struct Row<'a> {
                body: &'a str,
                held_on: &'a str,
                item: &'a str,
                title: &'a str,
                report_id: Option<&'a str>,
                exempt_paragraph: Option<u8>,
                decision: Option<&'a str>,
                called_in_by: Option<&'a str>,
            }
            let rows: Vec<Row> = items
                .iter()
                .map(|(body, held_on, i)| Row {
                    body,
                    held_on,
                    item: &i.item,
                    title: &i.title,
                    report_id: i.report_id.as_deref(),
                    exempt_paragraph: i.exempt_paragraph,
                    decision: latest(i, "decision"),
                    called_in_by: latest(i, "call-in"),
                })
                .collect();
            write!(out, "{}", csv_of(&rows))?;
        }
        Format::Table if items.is_empty() => writeln!(out, "no agenda item recorded")?,
        Format::Table => {
            let mut t = table(&[
                "Meeting",
                "Item",
                "Exempt (Schedule 12A)",
                "Decision",
                "Called in",
            ]);
            for (body, held_on, i) in items {
                let call_in = i
                    .outcomes
                    .iter()
                    .filter(|o| o.kind == "call-in")
                    .map(|o| match &o.reason {
                        Some(reason) => format!("by {}: {reason}", o.text),
                        None => format!("by {}", o.text),
                    })
                    .collect::<Vec<_>>()
                    .join("\n");
                t.add_row(vec![
                    format!("{body}\n{held_on}"),
                    format!("{}. {}", i.item, i.title),
                    i.exempt_paragraph
                        .map(|p| format!("yes, paragraph {p}"))
                        .unwrap_or_else(|| "no".to_owned()),
                    latest(i, "decision").unwrap_or_default().to_owned(),
                    call_in,
                ]);
            }
            writeln!(out, "{t}")?;
        }
    }
    Ok(())
}

/// The latest outcome of `kind` on the item: the decision in force, who called it in.
fn latest<'a>(item: &'a AgendaItemRecord, kind: &str) -> Option<&'a str> {
    item.outcomes
        .iter()
        .rev()
        .find(|o| o.kind == kind)
        .map(|o| o.text.as_str())
}

//! `scoreledger clinic`: performance clinics of a measure, through the one write path; and
//! `audit clinics`, which lists them with each measure's status in a period.

use std::io::Write;

use scoreledger_domain::clinic::Mandate;
use scoreledger_domain::{Command, Status};
use scoreledger_projections::{self as projections, ClinicRecord};
use serde::Serialize;

use crate::app::{date, period, App};
use crate::args::{AsAtArgs, ClinicArgs, ClinicCommand, Format};
use crate::as_at;
use crate::commands::audit::{csv_of, table};
use crate::failure::{CliResult, Failed};

/// A mandate as the command line writes it: `ACTION|OWNER|YYYY-MM-DD`.
fn mandate(text: &str) -> CliResult<Mandate> {
    let parts: Vec<&str> = text.split('|').map(str::trim).collect();
    match parts[..] {
        [action, owner, due] => Ok(Mandate {
            action: action.to_owned(),
            owner: owner.to_owned(),
            due_on: date(due)?,
        }),
        _ => Err(Failed::rejected(format!(
            "--mandate {text:?} is not ACTION|OWNER|YYYY-MM-DD, e.g. \"Hotspot patrols|South Yorkshire Police|2017-03-31\""
        ))),
    }
}

/// Runs `clinic`.
pub async fn run(app: &App, command: ClinicCommand, out: &mut dyn Write) -> CliResult {
    let (clinic, command, reason, done): (ClinicArgs, Command, Option<String>, &str) = match command
    {
        ClinicCommand::Call {
            clinic,
            chair,
            reason,
        } => {
            let on = date(&clinic.on)?;
            (
                clinic,
                Command::CallClinic { on, chair },
                Some(reason),
                "called",
            )
        }
        ClinicCommand::Hold { clinic, mandates } => {
            let on = date(&clinic.on)?;
            let mandates = mandates
                .iter()
                .map(|m| mandate(m))
                .collect::<CliResult<Vec<_>>>()?;
            (clinic, Command::HoldClinic { on, mandates }, None, "held")
        }
        ClinicCommand::Cancel { clinic, reason } => {
            let on = date(&clinic.on)?;
            (
                clinic,
                Command::CancelClinic { on },
                Some(reason),
                "cancelled",
            )
        }
    };
    let (measure_id, plan_id) = app.measure(&clinic.measure, None).await?;
    let appended = app
        .execute(&measure_id.stream(), Some(plan_id), &command, reason, None)
        .await?;
    app.catch_up().await?;
    writeln!(
        out,
        "the clinic of {} for {} is {done} (position {})",
        clinic.measure, clinic.on, appended.commit.position
    )?;
    Ok(())
}

/// A clinic with its measure's status in the period asked about.
#[derive(Debug, Serialize)]
struct Listed {
    #[serde(flatten)]
    clinic: ClinicRecord,
    /// The measure's status in the period, if a period was given.
    status: Option<Status>,
}

/// Runs `audit clinics`.
pub async fn audit(
    app: &App,
    wanted: Option<&str>,
    off_target: bool,
    when: &AsAtArgs,
    format: Format,
    out: &mut dyn Write,
) -> CliResult {
    let at = as_at::resolve(app, when).await?;
    let clinics = projections::clinics_as_at(app.read(), at).await?;
    let statuses = match wanted {
        Some(text) => {
            let asked = period(text)?;
            let scorecard = projections::scorecard_as_at(app.read(), asked, at)
                .await?
                .ok_or_else(|| {
                    Failed::rejected(format!("no plan covers {asked} at position {at}"))
                })?;
            Some(
                scorecard
                    .rows
                    .into_iter()
                    .map(|r| (r.definition.measure_ref.to_string(), r.status))
                    .collect::<Vec<_>>(),
            )
        }
        None => None,
    };
    let status_of = |measure: &str| -> Option<Status> {
        statuses
            .as_ref()?
            .iter()
            .find(|(m, _)| m == measure)
            .and_then(|(_, s)| *s)
    };
    let listed: Vec<Listed> = clinics
        .into_iter()
        .map(|clinic| Listed {
            status: status_of(&clinic.measure_ref),
            clinic,
        })
        .filter(|l| !off_target || l.status == Some(Status::OffTarget))
        .collect();
    match format {
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&listed).expect("clinics serialise")
        )?,
        Format::Csv => {
            #[derive(Serialize)]
            struct Row<'a> {
                measure_ref: &'a str,
                status: Option<Status>,
                called_for: &'a str,
                state: &'a str,
                chair: &'a str,
                called_because: Option<&'a str>,
                mandates: String,
                cancelled_because: Option<&'a str>,
            }
            let rows: Vec<Row> = listed
                .iter()
                .map(|l| Row {
                    measure_ref: &l.clinic.measure_ref,
                    status: l.status,
                    called_for: &l.clinic.called_for,
                    state: &l.clinic.state,
                    chair: &l.clinic.chair,
                    called_because: l.clinic.called_because.as_deref(),
                    mandates: mandates_text(&l.clinic.mandates, "; "),
                    cancelled_because: l.clinic.cancelled_because.as_deref(),
                })
                .collect();
            write!(out, "{}", csv_of(&rows))?;
        }
        Format::Table if listed.is_empty() => writeln!(out, "no performance clinic recorded")?,
        Format::Table => {
            let mut t = table(&["Measure", "Status", "Clinic", "Why", "Mandated"]);
            for l in &listed {
                let c = &l.clinic;
                t.add_row(vec![
                    c.measure_ref.clone(),
                    l.status
                        .map(|s| s.to_string().replace('_', " "))
                        .unwrap_or_default(),
                    format!("{} for {}\nchair: {}", c.state, c.called_for, c.chair),
                    match &c.cancelled_because {
                        Some(why) => format!(
                            "{}\ncancelled: {why}",
                            c.called_because.as_deref().unwrap_or("")
                        ),
                        None => c.called_because.clone().unwrap_or_default(),
                    },
                    mandates_text(&c.mandates, "\n"),
                ]);
            }
            writeln!(out, "{t}")?;
        }
    }
    Ok(())
}

fn mandates_text(mandates: &[Mandate], separator: &str) -> String {
    mandates
        .iter()
        .map(|m| format!("{} ({}, by {})", m.action, m.owner, m.due_on))
        .collect::<Vec<_>>()
        .join(separator)
}

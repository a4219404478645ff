//! `scoreledger signoff`, `approve-note` and `amend`: the checker's half of maker–checker and
//! changes to a measure's definition, through the same write path as everything else.

use std::collections::BTreeMap;
use std::io::Write;

use scoreledger_domain::{Command, MeasureField};

use crate::app::{period, App};
use crate::args::{AmendArgs, CheckArgs};
use crate::failure::CliResult;

/// Runs `signoff`.
pub async fn sign_off(app: &App, args: &CheckArgs, out: &mut dyn Write) -> CliResult {
    let at = period(&args.period)?;
    check(
        app,
        args,
        Command::SignOffValue { period: at },
        "signed off the value",
        out,
    )
    .await
}

/// Runs `approve-note`.
pub async fn approve_note(app: &App, args: &CheckArgs, out: &mut dyn Write) -> CliResult {
    let at = period(&args.period)?;
    let command = Command::ApproveCommentary { period: at };
    check(app, args, command, "approved the data note", out).await
}

async fn check(
    app: &App,
    args: &CheckArgs,
    command: Command,
    done: &str,
    out: &mut dyn Write,
) -> CliResult {
    app.catch_up().await?;
    let at = period(&args.period)?;
    let (measure_id, plan_id) = app.measure(&args.measure, Some(&at)).await?;
    let appended = app
        .execute(&measure_id.stream(), Some(plan_id), &command, None, None)
        .await?;
    app.catch_up().await?;
    writeln!(
        out,
        "{done} of {} for {at} at position {} (by {})",
        args.measure.trim(),
        appended.commit.position,
        app.actor
    )?;
    Ok(())
}

/// The measure, the changes (field → new value) and the reason an `amend` command line asks for.
/// The flags name the fields the domain knows; it refuses an empty or unchanged amendment.
pub fn amendment(args: AmendArgs) -> (String, BTreeMap<String, String>, Option<String>) {
    let AmendArgs {
        measure,
        title,
        action,
        lead_officer,
        directorate,
        polarity,
        polarity_text,
        frequency,
        frequency_text,
        priority_measure,
        reason,
    } = args;
    let changes = [
        (MeasureField::Title, title),
        (MeasureField::Action, action),
        (MeasureField::LeadOfficer, lead_officer),
        (MeasureField::Directorate, directorate),
        (MeasureField::Polarity, polarity),
        (MeasureField::PolarityText, polarity_text),
        (MeasureField::Frequency, frequency),
        (MeasureField::FrequencyText, frequency_text),
        (MeasureField::PriorityMeasure, priority_measure),
    ]
    .into_iter()
    .filter_map(|(field, value)| value.map(|v| (field.as_str().to_owned(), v)))
    .collect();
    (measure, changes, reason)
}

/// Runs `amend`.
pub async fn amend(app: &App, args: AmendArgs, out: &mut dyn Write) -> CliResult {
    app.catch_up().await?;
    let (measure, changes, reason) = amendment(args);
    let (measure_id, plan_id) = app.measure(&measure, None).await?;
    let appended = app
        .execute(
            &measure_id.stream(),
            Some(plan_id),
            &Command::AmendMeasure { changes },
            reason,
            None,
        )
        .await?;
    app.catch_up().await?;
    // The commit just appended reads back; if it does not, the log is corrupt (exit 5).
    let events =
        appended
            .commit
            .domain_events()
            .map_err(|err| scoreledger_store::ReadError::Corrupt {
                position: appended.commit.position,
                problem: err.to_string(),
            })?;
    for event in &events {
        if let scoreledger_domain::DomainEvent::MeasureAmended { changes } = event {
            for change in changes {
                writeln!(
                    out,
                    "{} {}: {} → {}",
                    measure.trim(),
                    change.field,
                    change.before,
                    change.after
                )?;
            }
        }
    }
    writeln!(
        out,
        "amended {} at position {} (by {})",
        measure.trim(),
        appended.commit.position,
        app.actor
    )?;
    Ok(())
}

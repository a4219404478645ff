//! `scoreledger record …`: one change from the command line, through the same write path
//! as everything else.

use std::io::Write;

use scoreledger_domain::target::TargetSpec;
use scoreledger_domain::value::Quality;
use scoreledger_domain::{
    Command, DataQuality, Direction, DomainEvent, Rag, RecordedValue, RevisionClass, Status,
};

use crate::app::{period, App};
use crate::args::{RecordCommand, Subject};
use crate::failure::{CliResult, Failed};

/// Runs `record`.
pub async fn run(app: &App, command: RecordCommand, out: &mut dyn Write) -> CliResult {
    app.catch_up().await?;
    let (target, command, described) = match command {
        RecordCommand::Refresh(args) => return super::refresh::announce(app, &args, out).await,
        RecordCommand::Value {
            target,
            value,
            classification,
            quality,
            source,
        } => {
            let at = period(&target.period)?;
            let value = RecordedValue::parse(&value).map_err(Failed::rejected)?;
            let quality = DataQuality {
                quality: quality.parse::<Quality>().map_err(Failed::rejected)?,
                source_system: source,
            };
            let described = format!("value {}", value.raw);
            let command = match classification {
                Some(class) => Command::ReviseValue {
                    period: at,
                    value,
                    classification: class.parse::<RevisionClass>().map_err(Failed::rejected)?,
                    quality,
                },
                None => Command::RecordValue {
                    period: at,
                    value,
                    quality,
                },
            };
            (target, command, described)
        }
        RecordCommand::Confirm {
            target,
            quality,
            source,
        } => {
            let at = period(&target.period)?;
            let quality = DataQuality {
                quality: quality.parse::<Quality>().map_err(Failed::rejected)?,
                source_system: source,
            };
            let described = format!("value confirmed as {}", quality.describe());
            (
                target,
                Command::ConfirmValue {
                    period: at,
                    quality,
                },
                described,
            )
        }
        RecordCommand::Target { target, value } => {
            let at = period(&target.period)?;
            let spec = TargetSpec::parse(&value).map_err(Failed::rejected)?;
            let described = format!("target {}", spec.raw);
            (
                target,
                Command::SetTarget {
                    period: at,
                    target: spec,
                },
                described,
            )
        }
        RecordCommand::Status { target, status } => {
            let at = period(&target.period)?;
            let status: Status = status.parse().map_err(Failed::rejected)?;
            (
                target,
                Command::AssessStatus { period: at, status },
                format!("status {status}"),
            )
        }
        RecordCommand::Direction { target, direction } => {
            let at = period(&target.period)?;
            let direction = Direction::parse_printed(&direction).map_err(Failed::rejected)?;
            (
                target,
                Command::AssessDirection {
                    period: at,
                    direction,
                },
                format!("direction of travel {direction}"),
            )
        }
        RecordCommand::Rag { target, rating } => {
            let at = period(&target.period)?;
            let rag: Rag = rating.parse().map_err(Failed::rejected)?;
            (
                target,
                Command::AssessRag { period: at, rag },
                format!("RAG rating {rag}"),
            )
        }
        RecordCommand::Note { target, text } => {
            let at = period(&target.period)?;
            (
                target,
                Command::EditCommentary { period: at, text },
                "data note".to_owned(),
            )
        }
        RecordCommand::Narrative { target, text } => {
            let at = period(&target.period)?;
            (
                target,
                Command::EditNarrative { period: at, text },
                "narrative".to_owned(),
            )
        }
        RecordCommand::Basis {
            target,
            kind,
            note,
            restated,
        } => {
            let from = period(&target.period)?;
            let kind: scoreledger_domain::BasisKind = kind.parse().map_err(|_| {
                Failed::rejected(format!(
                    "--kind {kind:?} is neither definition nor source; say which changed"
                ))
            })?;
            let described = format!(
                "a {kind} change{}",
                if restated {
                    " (earlier figures restated)"
                } else {
                    ""
                }
            );
            (
                target,
                Command::RecordBasisChange {
                    kind,
                    from,
                    note,
                    restated,
                },
                described,
            )
        }
    };
    record(app, target, command, described, out).await
}

async fn record(
    app: &App,
    target: Subject,
    command: Command,
    described: String,
    out: &mut dyn Write,
) -> CliResult {
    let at = period(&target.period)?;
    let (measure_id, plan_id) = app.measure(&target.measure, Some(&at)).await?;
    let appended = app
        .execute(
            &measure_id.stream(),
            Some(plan_id),
            &command,
            target.reason,
            target.on_behalf_of,
        )
        .await?;
    app.catch_up().await?;
    // What the plan's rules suggested, recorded beside a status that differs from it.
    let suggested = appended
        .commit
        .domain_events()
        .unwrap_or_default()
        .into_iter()
        .find_map(|event| match event {
            DomainEvent::StatusAssessed {
                status,
                computed: Some(computed),
                ..
            } if computed != status => Some(computed),
            _ => None,
        });
    let described = match suggested {
        Some(computed) => format!("{described} (the rules suggest {computed})"),
        None => described,
    };
    writeln!(
        out,
        "recorded {described} for {} {} at position {} (by {})",
        target.measure.trim(),
        at,
        appended.commit.position,
        app.actor
    )?;
    Ok(())
}

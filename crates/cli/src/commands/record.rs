//! `scoreledger record …`: one change from the command line, through the same write path
//! as everything else.

use std::io::Write;

use scoreledger_domain::target::TargetSpec;
use scoreledger_domain::value::Quality;
use scoreledger_domain::{
    Command, DataQuality, Direction, Rag, RecordedValue, RevisionClass, Status,
};
use scoreledger_store::load;

use crate::app::{period, App};
use crate::args::{RecordCommand, Subject};
use crate::failure::{CliResult, Failed};

/// Runs `record`.
pub async fn run(app: &App, command: RecordCommand, out: &mut dyn Write) -> CliResult {
    app.catch_up().await?;
    let (target, command, described) = match command {
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
            let (measure_id, plan_id) = app.measure(&target.measure, Some(&at)).await?;
            let (computed, version) = suggest_status(app, measure_id, plan_id, &at).await?;
            let described = match computed {
                Some(c) if c != status => format!("status {status} (the rules suggest {c})"),
                _ => format!("status {status}"),
            };
            (
                target,
                Command::AssessStatus {
                    period: at,
                    status,
                    computed,
                    rule_set_version: version,
                },
                described,
            )
        }
        RecordCommand::Direction { target, direction } => {
            let at = period(&target.period)?;
            let direction: Direction = direction.parse().map_err(Failed::rejected)?;
            let (measure_id, plan_id) = app.measure(&target.measure, Some(&at)).await?;
            let computed = suggest_direction(app, measure_id, plan_id, &at).await?;
            let described = format!("direction of travel {direction}");
            (
                target,
                Command::AssessDirection {
                    period: at,
                    direction,
                    computed: Some(computed),
                },
                described,
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

async fn rules_and_state(
    app: &App,
    measure_id: scoreledger_domain::MeasureId,
    plan_id: scoreledger_domain::PlanId,
) -> CliResult<(
    scoreledger_domain::RuleSet,
    Box<scoreledger_domain::MeasureState>,
)> {
    let (plan, _) = load(&*app.store, &plan_id.stream()).await?;
    let rules = plan.plan().map(|p| p.rule_set.clone()).unwrap_or_default();
    let (measure, _) = load(&*app.store, &measure_id.stream()).await?;
    let measure = measure
        .measure()
        .cloned()
        .ok_or_else(|| Failed::rejected("the measure's stream holds no measure"))?;
    Ok((rules, Box::new(measure)))
}

async fn suggest_status(
    app: &App,
    measure_id: scoreledger_domain::MeasureId,
    plan_id: scoreledger_domain::PlanId,
    at: &scoreledger_domain::Period,
) -> CliResult<(Option<Status>, u32)> {
    let (rules, measure) = rules_and_state(app, measure_id, plan_id).await?;
    Ok((measure.suggestions(&rules, at).0, rules.version))
}

async fn suggest_direction(
    app: &App,
    measure_id: scoreledger_domain::MeasureId,
    plan_id: scoreledger_domain::PlanId,
    at: &scoreledger_domain::Period,
) -> CliResult<Direction> {
    let (rules, measure) = rules_and_state(app, measure_id, plan_id).await?;
    Ok(measure.suggestions(&rules, at).1)
}

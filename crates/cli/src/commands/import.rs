//! `scoreledger import`: a whole scorecard as events, all or nothing.

use std::io::Write;

use scoreledger_domain::{Command, Period, StreamId};
use scoreledger_service::{
    prepare_batch, submit_batch, Batch, Prepared, Refusals, StreamChange, SubmitError,
};
use scoreledger_store::load;

use crate::app::App;
use crate::args::{ImportArgs, ImportFormat};
use crate::failure::{CliResult, Failed};
use crate::ids;
use crate::import::{
    read, CsvPlan, Format, Numbering, Problem, Problems, ValidMeasure, ValidScorecard,
};

/// What an import appended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Imported {
    /// Commits appended.
    pub commits: usize,
    /// Events in them.
    pub events: usize,
    /// Measures in the file.
    pub measures: usize,
    /// Commits this file had appended before (a repeated import).
    pub already_imported: usize,
}

/// The commands that define a measure with its target, values, assessments and note.
pub fn measure_commands(measure: &ValidMeasure, plan_year: Period, period: Period) -> Vec<Command> {
    let mut commands = vec![Command::DefineMeasure {
        measure_id: measure.measure_id,
        definition: measure.definition.clone(),
        target: measure.target.clone().map(|t| (plan_year, t)),
    }];
    for (value_period, value) in &measure.values {
        commands.push(Command::RecordValue {
            period: *value_period,
            value: value.clone(),
            quality: Default::default(),
        });
    }
    if let Some(status) = measure.status {
        commands.push(Command::AssessStatus { period, status });
    }
    if let Some(rag) = measure.rag {
        commands.push(Command::AssessRag { period, rag });
    }
    if let Some(direction) = measure.direction {
        commands.push(Command::AssessDirection { period, direction });
    }
    if let Some(note) = &measure.note {
        commands.push(Command::EditCommentary {
            period,
            text: note.clone(),
        });
    }
    commands
}

/// Validates a scorecard against the log and appends it through the one write path, as a
/// batch judged against one reading of the plan; nothing is appended when any measure is
/// refused.
///
/// Each commit's id is derived from the file's digest and the stream, so importing the same
/// file again (say, after an interrupted import) appends only what is missing.
pub async fn apply(
    app: &App,
    valid: &ValidScorecard,
    digest: &str,
    dry_run: bool,
) -> CliResult<Imported> {
    let plan = &valid.plan;
    let plan_stream = plan.plan_id.stream();
    let (plan_state, _) = load(&*app.store, &plan_stream).await?;
    let key = |stream: &StreamId| Some(ids::derived(&["import", digest, stream.as_str()]));
    let mut writes = Vec::new();
    let mut locations = Vec::new();
    // A new plan is defined first, and the measures after it are judged as joining it; an
    // existing one judges them by its own locks and publications (an import carries no
    // reason, so a locked or published period refuses it).
    if plan_state.plan().is_none() {
        writes.push(StreamChange {
            commit_id: key(&plan_stream),
            stream: plan_stream,
            commands: vec![plan.define(plan.rule_set.clone())],
            if_version: None,
            reason: None,
        });
        locations.push("plan".to_owned());
    }
    for (index, measure) in valid.measures.iter().enumerate() {
        let stream = measure.measure_id.stream();
        writes.push(StreamChange {
            commit_id: key(&stream),
            stream,
            commands: measure_commands(measure, plan.financial_year, valid.reporting_period),
            if_version: None,
            reason: None,
        });
        locations.push(format!(
            "measure {} ({})",
            index + 1,
            measure.definition.measure_ref
        ));
    }
    let batch = Batch {
        actor: &app.actor,
        plan_id: Some(plan.plan_id),
        reason: None,
        on_behalf_of: None,
        reported: app.reported.clone(),
        writes,
    };
    let refused = |refusals: Refusals| {
        Failed::rejected(Problems(
            refusals
                .0
                .into_iter()
                .map(|refusal| Problem {
                    location: locations[refusal.index].clone(),
                    field: "measure".into(),
                    message: refusal.rejection.to_string(),
                })
                .collect(),
        ))
    };
    let measures = valid.measures.len();
    if dry_run {
        let prepared = prepare_batch(&*app.store, &batch).await?;
        if !prepared.refusals.is_empty() {
            return Err(refused(Refusals(prepared.refusals)));
        }
        let ready: Vec<_> = prepared
            .writes
            .iter()
            .filter_map(|write| match write {
                Prepared::Ready(commit) => Some(commit.events.len()),
                Prepared::Landed(_) => None,
            })
            .collect();
        return Ok(Imported {
            commits: ready.len(),
            events: ready.iter().sum(),
            measures,
            already_imported: prepared.writes.len() - ready.len(),
        });
    }
    // All or nothing on SQLite; on NATS commit by commit, and re-running the same file
    // appends only what an interruption left out (the ids are derived from its digest).
    let appended = match submit_batch(&*app.store, &batch).await {
        Err(SubmitError::Refused(refusals)) => return Err(refused(refusals)),
        other => other?,
    };
    let new: Vec<_> = appended.iter().filter(|a| !a.deduplicated).collect();
    Ok(Imported {
        commits: new.len(),
        events: new.iter().map(|a| a.commit.events.len()).sum(),
        measures,
        already_imported: appended.len() - new.len(),
    })
}

/// Runs `import`.
pub async fn run(app: &App, args: &ImportArgs, out: &mut dyn Write) -> CliResult {
    let format = match args.format {
        ImportFormat::Json => Format::Json,
        ImportFormat::Csv => Format::Csv,
        ImportFormat::Auto => match args
            .file
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("json") => Format::Json,
            Some("csv") => Format::Csv,
            _ => {
                return Err(Failed::rejected(format!(
                "cannot tell the format of {} from its name; pass --format json or --format csv",
                args.file.display()
            )))
            }
        },
    };
    let csv_plan = CsvPlan {
        name: args.plan_name.clone(),
        financial_year: args.plan_year.clone(),
    };
    let numbering = match format {
        Format::Json => Numbering::Measures,
        Format::Csv => Numbering::CsvRows,
    };
    let (file, digest) = read(&args.file, format, &csv_plan).map_err(Failed::rejected)?;
    let valid = file.validate(numbering).map_err(Failed::rejected)?;
    let imported = apply(app, &valid, &digest, args.dry_run)
        .await
        .map_err(|f| f.context(format!("failed to import {}", args.file.display())))?;
    let verb = if args.dry_run {
        "would append"
    } else {
        "appended"
    };
    writeln!(
        out,
        "{}: {} measures of {} ({}); {verb} {} commits holding {} events",
        args.file.display(),
        imported.measures,
        valid.plan.name,
        valid.reporting_period,
        imported.commits,
        imported.events
    )?;
    if imported.already_imported > 0 {
        writeln!(
            out,
            "{} commits of this file were imported before and were not appended again",
            imported.already_imported
        )?;
    }
    if !args.dry_run {
        let at = app.catch_up().await?;
        writeln!(
            out,
            "read models at position {at}; try: scoreledger report --period \"{}\"",
            valid.reporting_period
        )?;
    }
    Ok(())
}

//! `scoreledger import`: a whole scorecard as events, all or nothing.

use std::io::Write;

use scoreledger_domain::StreamId;
use scoreledger_domain::{Command, Period, PlanOutline};
use scoreledger_store::{load, prepare, ExecuteError, NewCommit, Request};

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

/// Validates a scorecard against the log and appends it; nothing is appended when any
/// measure is rejected.
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
    let (plan_state, plan_version) = load(&*app.store, &plan_stream).await?;
    // An import into an existing plan is judged like any other change: a locked or published
    // period refuses it (an import carries no reason).
    let rules = plan_state
        .plan()
        .map(|p| p.rule_set.clone())
        .unwrap_or_default();
    // Which periods are published, read from the reports' streams as the write path reads
    // them, and the last publication read, after which none may land.
    let (published_through, read_through) =
        scoreledger_service::submit::publications(&*app.store, plan.plan_id).await?;
    let request = Request {
        actor: app.actor.clone(),
        reason: None,
        on_behalf_of: None,
        commit_id: None,
        published_through,
        locked: plan_state
            .plan()
            .map(|p| p.locked.clone())
            .unwrap_or_default(),
        plan_year: Some(plan.financial_year),
        known_users: Vec::new(),
        // Measures join the plan as the log has it, or as the file defines it.
        outline: Some(match plan_state.plan() {
            Some(existing) => PlanOutline::of(existing),
            None => PlanOutline {
                priorities: plan.priorities.iter().map(|(n, _)| *n).collect(),
                outcomes: plan
                    .outcomes
                    .iter()
                    .map(|o| (o.priority, o.letter.clone()))
                    .collect(),
            },
        }),
        today: Some(app.store.clock().now().date_naive()),
        unreadable: None,
        rules: Some(rules.clone()),
    };
    let mut pending: Vec<(StreamId, Vec<Command>, String)> = Vec::new();
    if plan_state.plan().is_none() {
        pending.push((
            plan_stream,
            vec![plan.define(rules.clone())],
            "plan".to_owned(),
        ));
    }
    for (index, measure) in valid.measures.iter().enumerate() {
        let commands = measure_commands(measure, plan.financial_year, valid.reporting_period);
        let location = format!("measure {} ({})", index + 1, measure.definition.measure_ref);
        pending.push((measure.measure_id.stream(), commands, location));
    }
    let mut commits: Vec<NewCommit> = Vec::new();
    let mut already = 0;
    let mut problems = Vec::new();
    for (stream, commands, location) in pending {
        let commit_id = ids::derived(&["import", digest, stream.as_str()]);
        if app.store.find_commit(&stream, commit_id).await?.is_some() {
            already += 1;
            continue;
        }
        match prepare(&*app.store, &stream, &commands, &request).await {
            Ok(mut commit) => {
                // Into an existing plan, each commit lands only if the plan (its locks) has not
                // moved since it was read, as for any other change.
                // Nor if a report was published after what was read.
                if plan_state.plan().is_some() {
                    commit.judged_against = Some((plan.plan_id.stream(), plan_version));
                    commit.judged_through = Some(read_through);
                }
                commits.push(commit.with_commit_id(commit_id))
            }
            Err(ExecuteError::Rejected(rejection)) => problems.push(Problem {
                location,
                field: "measure".into(),
                message: rejection.to_string(),
            }),
            Err(other) => return Err(other.into()),
        }
    }
    if !problems.is_empty() {
        return Err(Failed::rejected(Problems(problems)));
    }
    let imported = Imported {
        commits: commits.len(),
        events: commits.iter().map(|c| c.events.len()).sum(),
        measures: valid.measures.len(),
        already_imported: already,
    };
    if dry_run {
        return Ok(imported);
    }
    // All or nothing on SQLite; on NATS commit by commit, and re-running the same file
    // appends only what an interruption left out (the ids are derived from its digest).
    app.store
        .append_all(commits)
        .await
        .map_err(|err| Failed::from(ExecuteError::from(err)))?;
    Ok(imported)
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

//! `scoreledger roll-over`: a plan carried into the next financial year — its priorities,
//! outcomes and rules, and every measure that still applies when that year starts, each with
//! the new year's target — defined as an import defines a plan, through the one write path,
//! and only once however often it is run.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use scoreledger_domain::target::TargetSpec;
use scoreledger_domain::{MeasureRef, Period};
use scoreledger_projections::measures_of_plan;
use scoreledger_projections::scorecard::find_plan;
use scoreledger_store::{load, measure_id_for, plan_id_for};

use crate::app::{period, App};
use crate::args::RollOverArgs;
use crate::commands::import::apply;
use crate::failure::{CliResult, Failed};
use crate::import::{Problem, Problems, ValidMeasure, ValidPlan, ValidScorecard};

/// Runs `roll-over`.
pub async fn run(app: &App, args: &RollOverArgs, out: &mut dyn Write) -> CliResult {
    let at = app.catch_up().await?;
    let to = year(&args.to, "--to")?;
    let from = match &args.from {
        Some(text) => year(text, "--from")?,
        None => to.previous(),
    };
    let old = find_plan(app.read(), &from, at).await?.ok_or_else(|| {
        Failed::rejected(format!(
            "no plan covers {from}; import one first, or say which year to carry with --from"
        ))
    })?;
    let (state, _) = load(&*app.store, &old.plan_id.stream()).await?;
    let plan = state.plan().ok_or_else(|| {
        Failed::rejected(format!(
            "the plan of {from} is in the read models but not in the log; run `scoreledger rebuild`"
        ))
    })?;
    let name = args
        .plan_name
        .clone()
        .unwrap_or_else(|| old.name.replace(&from.to_string(), &to.to_string()));
    let plan_id = plan_id_for(&name, &to);
    if let Some(existing) = find_plan(app.read(), &to, at).await? {
        if existing.plan_id != plan_id {
            return Err(Failed::rejected(format!(
                "{to} already has a plan, {:?}; a year has one plan (give --plan-name {:?} to carry into it)",
                existing.name, existing.name
            )));
        }
    }
    let mut targets = match &args.targets {
        Some(path) => read_targets(path).map_err(Failed::rejected)?,
        None => BTreeMap::new(),
    };
    let mut measures = Vec::new();
    let mut left_behind = Vec::new();
    for measure_id in measures_of_plan(app.read(), old.plan_id).await? {
        let (state, _) = load(&*app.store, &measure_id.stream()).await?;
        let Some(measure) = state.measure() else {
            continue;
        };
        let reference = measure.definition.measure_ref.clone();
        if !measure.applies_in(&to) {
            left_behind.push(reference);
            continue;
        }
        let mut definition = measure.definition.clone();
        definition.plan_id = plan_id;
        // Whoever is accountable when the new year starts.
        if let Some((_, person)) = measure.accountability.range(..=to.start_date()).next_back() {
            definition.lead_accountability = person.clone();
        }
        measures.push(ValidMeasure {
            measure_id: measure_id_for(plan_id, &reference),
            target: targets.remove(&reference),
            definition,
            values: Vec::new(),
            status: None,
            rag: None,
            direction: None,
            note: None,
        });
    }
    if !targets.is_empty() {
        return Err(Failed::rejected(Problems(
            targets
                .keys()
                .map(|reference| Problem::new(
                    "targets",
                    reference.as_str(),
                    format!("{reference} is not carried into {to}: no measure of the {from} plan by that reference applies then; correct the reference or leave the row out"),
                ))
                .collect(),
        )));
    }
    measures.sort_by(|a, b| a.definition.measure_ref.cmp(&b.definition.measure_ref));
    let with_target = measures.iter().filter(|m| m.target.is_some()).count();
    let valid = ValidScorecard {
        plan: ValidPlan {
            plan_id,
            name: name.clone(),
            financial_year: to,
            status_scheme: plan.status_scheme,
            approved_on: None,
            approved_by: None,
            priorities: plan.priorities.clone().into_iter().collect(),
            outcomes: plan
                .outcomes
                .iter()
                .map(
                    |((priority, letter), title)| scoreledger_domain::command::OutcomeSpec {
                        priority: *priority,
                        letter: letter.clone(),
                        title: title.clone(),
                    },
                )
                .collect(),
            rule_set: plan.rule_set.clone(),
        },
        reporting_period: to,
        measures,
    };
    // The commits' ids derive from the plan carried and the year, so running it again (after
    // an interruption, or twice) appends only what is missing.
    let key = format!("roll-over {} {to}", old.plan_id);
    let applied = apply(app, &valid, &key, args.dry_run).await?;
    writeln!(
        out,
        "{} ({from}) → {name} ({to}): {} measures carried, {with_target} with a {to} target, {} without one yet",
        old.name,
        valid.measures.len(),
        valid.measures.len() - with_target,
    )?;
    if !left_behind.is_empty() {
        let refs: Vec<String> = left_behind.iter().map(MeasureRef::to_string).collect();
        writeln!(
            out,
            "left behind, withdrawn by the start of {to}: {}",
            refs.join(", ")
        )?;
    }
    let verb = if args.dry_run {
        "would append"
    } else {
        "appended"
    };
    writeln!(
        out,
        "{verb} {} commits holding {} events{}",
        applied.commits,
        applied.events,
        if applied.already_imported > 0 {
            format!("; {} had landed before", applied.already_imported)
        } else {
            String::new()
        }
    )?;
    if !args.dry_run && with_target < valid.measures.len() {
        writeln!(
            out,
            "set the rest as they are agreed: scoreledger record target -m REF -p {to} -v \"…\""
        )?;
    }
    Ok(())
}

fn year(text: &str, flag: &str) -> CliResult<Period> {
    match period(text)? {
        year @ Period::FinancialYear { .. } => Ok(year),
        other => Err(Failed::rejected(format!(
            "{flag} {other} is not a financial year; write it like 2017/18"
        ))),
    }
}

/// The new year's targets: a CSV with a `ref` and a `target` column (or `Ref`, `Target`).
fn read_targets(path: &Path) -> Result<BTreeMap<MeasureRef, TargetSpec>, Problems> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|err| Problems::one(&file, "file", format!("cannot read it: {err}")))?;
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|err| Problems::one(&file, "header", err.to_string()))?
        .clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let (Some(reference_at), Some(target_at)) = (column("ref"), column("target")) else {
        return Err(Problems::one(
            &file,
            "header",
            "the targets file needs a ref and a target column".into(),
        ));
    };
    let mut targets = BTreeMap::new();
    let mut problems = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let location = format!("row {}", index + 2);
        let record = match record {
            Ok(record) => record,
            Err(err) => {
                problems.push(Problem::new(location, "csv", err.to_string()));
                continue;
            }
        };
        let cell = |i: usize| record.get(i).unwrap_or("").trim();
        if cell(target_at).is_empty() {
            continue;
        }
        match (
            MeasureRef::parse(cell(reference_at)),
            TargetSpec::parse(cell(target_at)),
        ) {
            (Ok(reference), Ok(target)) => {
                if targets.insert(reference.clone(), target).is_some() {
                    problems.push(Problem::new(
                        location,
                        "ref",
                        format!("{reference} has two targets; keep one row"),
                    ));
                }
            }
            (Err(err), _) => problems.push(Problem::new(location, "ref", err.to_string())),
            (_, Err(err)) => problems.push(Problem::new(location, "target", err.to_string())),
        }
    }
    if problems.is_empty() {
        Ok(targets)
    } else {
        Err(Problems(problems))
    }
}

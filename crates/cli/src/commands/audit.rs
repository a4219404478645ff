//! `scoreledger audit`: the auditor's standing questions over the whole scorecard.

use std::io::Write;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};
use scoreledger_domain::{Period, ValueKind};
use scoreledger_projections::{self as projections, HistoryEntry, HistoryFilter};
use scoreledger_reports::audit::{partial_values, PartialValue};
use serde::Serialize;

use crate::app::{period, App};
use crate::args::{AuditCommand, Format};
use crate::as_at;
use crate::commands::measure::increments_of;
use crate::commands::restated::{who_and_when, why};
use crate::failure::{CliResult, Failed};

/// Runs `audit`.
pub async fn run(app: &App, command: &AuditCommand, out: &mut dyn Write) -> CliResult {
    match command {
        AuditCommand::Partial {
            period,
            when,
            format,
        } => {
            let at = as_at::resolve(app, when).await?;
            let wanted = period.as_deref().map(crate::app::period).transpose()?;
            let versions = projections::value_versions(app.read(), at).await?;
            let publications = publications_through(app, at).await?;
            let found: Vec<PartialValue> = partial_values(&versions, &publications)
                .into_iter()
                .filter(|p| wanted.is_none_or(|w| p.period == w.to_string()))
                .collect();
            partial(&found, *format, out)
        }
        AuditCommand::Counts(args) => super::claims::run(app, args, out).await,
        AuditCommand::Targets { year, when, format } => {
            let at = as_at::resolve(app, when).await?;
            let year = financial_year(year)?;
            targets(app, year, at, *format, out).await
        }
        AuditCommand::Increments { year, when, format } => {
            let at = as_at::resolve(app, when).await?;
            let year = financial_year(year)?;
            increments(app, year, at, *format, out).await
        }
        AuditCommand::Quality {
            period,
            source,
            when,
            format,
        } => {
            super::audit_quality::run(
                app,
                period.as_deref(),
                source.as_deref(),
                when,
                *format,
                out,
            )
            .await
        }
        AuditCommand::Clinics {
            period,
            off_target,
            when,
            format,
        } => super::clinic::audit(app, period.as_deref(), *off_target, when, *format, out).await,
        AuditCommand::CarriedOver(args) => super::audit_publications::carried(app, args, out).await,
        AuditCommand::PriorityMeasures(args) => {
            super::audit_publications::priority(app, args, out).await
        }
        AuditCommand::Narrative(args) => super::audit_narrative::run(app, args, out).await,
        AuditCommand::Overrides {
            period,
            when,
            format,
        } => overrides(app, period.as_deref(), when, *format, out).await,
        AuditCommand::Comparability { year, when, format } => {
            comparability(app, year.as_deref(), when, *format, out).await
        }
        AuditCommand::Refresh {
            period,
            when,
            format,
        } => super::refresh::audit(app, period.as_deref(), when, *format, out).await,
        AuditCommand::Observations {
            measure,
            year,
            reported_by,
            when,
            json,
        } => {
            let wanted = super::observations::Wanted {
                measure,
                year: year.as_deref(),
                reported_by: reported_by.as_deref(),
                json: *json,
            };
            super::observations::run(app, &wanted, when, out).await
        }
        AuditCommand::ActionRag {
            plan,
            against,
            reported_by,
            against_reported,
            when,
            format,
        } => {
            let asked = super::action::RagAsked {
                plan: plan.as_deref(),
                against: against.as_deref(),
                reported_by: reported_by.as_deref(),
                against_reported: against_reported.as_deref(),
            };
            super::action::rag(app, &asked, when, *format, out).await
        }
        AuditCommand::ActionDates { from, to, format } => {
            super::action::dates(app, from, to, *format, out).await
        }
        AuditCommand::ActionTexts { from, to, format } => {
            super::action::texts(app, from, to, *format, out).await
        }
        AuditCommand::Unactioned {
            report,
            when,
            format,
        } => super::action::unactioned(app, report, when, *format, out).await,
    }
}

/// Runs `audit comparability`.
async fn comparability(
    app: &App,
    year: Option<&str>,
    when: &crate::args::AsAtArgs,
    format: Format,
    out: &mut dyn Write,
) -> CliResult {
    use scoreledger_reports::comparability::{findings, CHANGES, DIRECTION, VALUE};
    let at = as_at::resolve(app, when).await?;
    let year = year.map(period).transpose()?.map(|p| p.financial_year_of());
    let mut what: Vec<String> = CHANGES.iter().map(|w| (*w).to_owned()).collect();
    what.extend([DIRECTION.to_owned(), VALUE.to_owned()]);
    let filter = projections::HistoryFilter {
        what,
        through: Some(at),
        ..projections::HistoryFilter::default()
    };
    let found: Vec<_> = findings(&projections::history(app.read(), &filter).await?)
        .into_iter()
        .filter(|f| {
            year.is_none_or(|y| {
                Period::parse(&f.from).is_ok_and(|from| from.financial_year_of() == y)
            })
        })
        .collect();
    match format {
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&found).expect("findings serialise")
        )?,
        Format::Csv => {
            let mut writer = scoreledger_reports::safe_csv::Writer::new();
            writer.record([
                "measure_ref",
                "change",
                "from",
                "restated",
                "note",
                "position",
                "reported_on",
                "direction_period",
                "direction",
                "comparable",
                "why",
            ]);
            for f in &found {
                let change = |d: Option<&scoreledger_reports::comparability::Crossing>| {
                    [
                        f.measure_ref.clone(),
                        f.change.clone(),
                        f.from.clone(),
                        f.restated.to_string(),
                        f.note.clone(),
                        f.position.to_string(),
                        f.reported_on.clone(),
                        d.map(|d| d.period.clone()).unwrap_or_default(),
                        d.map(|d| d.direction.clone()).unwrap_or_default(),
                        d.map(|d| d.comparable.to_string()).unwrap_or_default(),
                        d.map(|d| d.why.clone()).unwrap_or_default(),
                    ]
                };
                if f.directions.is_empty() {
                    writer.record(change(None));
                }
                for d in &f.directions {
                    writer.record(change(Some(d)));
                }
            }
            write!(out, "{}", writer.finish())?;
        }
        Format::Table => {
            if !found.is_empty() {
                let mut t = table(&["Measure", "Change (from)", "Directions of travel across it"]);
                for f in &found {
                    let directions = if f.directions.is_empty() {
                        "none assessed in its year".to_owned()
                    } else {
                        f.directions
                            .iter()
                            .map(|d| {
                                format!(
                                    "{} {}: {} — {}",
                                    d.period,
                                    d.direction,
                                    if d.comparable {
                                        "comparable"
                                    } else {
                                        "NOT comparable"
                                    },
                                    d.why
                                )
                            })
                            .collect::<Vec<_>>()
                            .join("\n")
                    };
                    t.add_row(vec![
                        f.measure_ref.clone(),
                        format!(
                            "{} from {}{}\n{}",
                            f.change,
                            f.from,
                            if f.restated {
                                ", earlier figures restated"
                            } else {
                                ""
                            },
                            f.note
                        ),
                        directions,
                    ]);
                }
                writeln!(out, "{t}")?;
            }
            let flagged = found
                .iter()
                .flat_map(|f| &f.directions)
                .filter(|d| !d.comparable)
                .count();
            let measures: std::collections::BTreeSet<&str> =
                found.iter().map(|f| f.measure_ref.as_str()).collect();
            writeln!(
                out,
                "{} change(s) of definition or source to {} measure(s) at position {at}; {flagged} direction(s) of travel compare figures across a change that were not restated",
                found.len(),
                measures.len()
            )?;
        }
    }
    Ok(())
}

/// Runs `audit overrides`.
async fn overrides(
    app: &App,
    wanted: Option<&str>,
    when: &crate::args::AsAtArgs,
    format: Format,
    out: &mut dyn Write,
) -> CliResult {
    let at = as_at::resolve(app, when).await?;
    let wanted = wanted.map(period).transpose()?.map(|p| p.to_string());
    let found: Vec<projections::Override> = projections::overrides_as_at(app.read(), at)
        .await?
        .into_iter()
        .filter(|o| wanted.as_ref().is_none_or(|w| &o.period == w))
        .collect();
    match format {
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&found).expect("overrides serialise")
        )?,
        Format::Csv => write!(out, "{}", csv_of(&found))?,
        Format::Table => {
            if !found.is_empty() {
                let mut t = table(&[
                    "Measure",
                    "Period",
                    "Given",
                    "Rules suggested",
                    "Who, when",
                    "Rationale",
                ]);
                for o in &found {
                    let replaced = o
                        .replaced_at
                        .map(|p| format!("\n(replaced at position {p})"))
                        .unwrap_or_default();
                    t.add_row(vec![
                        o.measure_ref.clone(),
                        o.period.clone(),
                        format!("{} {}{replaced}", o.kind, o.assessed),
                        o.computed.clone(),
                        format!(
                            "{}\n{}",
                            o.actor_name,
                            o.recorded_at
                                .get(..16)
                                .unwrap_or(&o.recorded_at)
                                .replace('T', " ")
                        ),
                        o.reason
                            .clone()
                            .unwrap_or_else(|| "no rationale recorded".to_owned()),
                    ]);
                }
                writeln!(out, "{t}")?;
            }
            let unexplained = found.iter().filter(|o| o.reason.is_none()).count();
            writeln!(
                out,
                "{} assessment(s) given against the rules' suggestion at position {at}; {unexplained} with no rationale recorded",
                found.len()
            )?;
        }
    }
    Ok(())
}

/// Every publication recorded at or before `at`.
pub(crate) async fn publications_through(
    app: &App,
    at: scoreledger_domain::Position,
) -> CliResult<Vec<projections::Publication>> {
    Ok(projections::all_publications(app.read())
        .await?
        .into_iter()
        .filter(|p| p.position as u64 <= at.0)
        .collect())
}

fn financial_year(text: &str) -> CliResult<Period> {
    let year = period(text)?;
    match year {
        Period::FinancialYear { .. } => Ok(year),
        other => Err(Failed::rejected(format!(
            "{other} is not a financial year; write one as 2016/17"
        ))),
    }
}

pub(crate) fn csv_of<T: Serialize>(rows: &[T]) -> String {
    let mut writer = scoreledger_reports::safe_csv::Writer::new();
    for row in rows {
        writer.serialize(row);
    }
    writer.finish()
}

pub(crate) fn table(header: &[&str]) -> Table {
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(150)
        .set_header(header.to_vec());
    table
}

fn partial(found: &[PartialValue], format: Format, out: &mut dyn Write) -> CliResult {
    match format {
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(found).expect("partial values serialise")
        )?,
        Format::Csv => {
            #[derive(Serialize)]
            struct Row<'a> {
                measure_ref: &'a str,
                period: &'a str,
                value: &'a str,
                coverage: &'a str,
                recorded_at_position: u64,
                published_in: String,
                replaced_by: Option<&'a str>,
                full_period_supplied: bool,
            }
            let rows: Vec<Row> = found
                .iter()
                .map(|p| Row {
                    measure_ref: &p.measure_ref,
                    period: &p.period,
                    value: &p.value,
                    coverage: &p.coverage,
                    recorded_at_position: p.recorded_at_position,
                    published_in: p.published_in.join("; "),
                    replaced_by: p.replaced_by.as_deref(),
                    full_period_supplied: p.full_period_supplied,
                })
                .collect();
            write!(out, "{}", csv_of(&rows))?;
        }
        Format::Table if found.is_empty() => {
            writeln!(out, "no value was recorded with partial coverage")?
        }
        Format::Table => {
            let mut t = table(&[
                "Measure",
                "Period",
                "Value",
                "Covers",
                "Published in",
                "Whole period supplied?",
            ]);
            for p in found {
                t.add_row(vec![
                    p.measure_ref.clone(),
                    p.period.clone(),
                    p.value.clone(),
                    p.coverage.clone(),
                    if p.published_in.is_empty() {
                        "not published".to_owned()
                    } else {
                        p.published_in.join("\n")
                    },
                    match (&p.replaced_by, p.full_period_supplied) {
                        (Some(now), true) => format!("yes: {now}"),
                        (Some(now), false) => format!("no; replaced by {now}"),
                        (None, _) => "no".to_owned(),
                    },
                ]);
            }
            writeln!(out, "{t}")?;
            let supplied = found.iter().filter(|p| p.full_period_supplied).count();
            writeln!(
                out,
                "{} value(s) with partial coverage; the whole period was supplied later for {supplied}",
                found.len()
            )?;
        }
    }
    Ok(())
}

/// A target that reads differently from the one the plan was approved with.
#[derive(Debug, Serialize)]
struct ChangedTarget {
    measure_ref: String,
    year: String,
    approved: Option<String>,
    in_force: Option<String>,
    changes: Vec<HistoryEntry>,
}

async fn targets(
    app: &App,
    year: Period,
    at: scoreledger_domain::Position,
    format: Format,
    out: &mut dyn Write,
) -> CliResult {
    let entries = projections::history(
        app.read(),
        &HistoryFilter {
            period: Some(year.to_string()),
            what: vec!["target".into()],
            through: Some(at),
            ..HistoryFilter::default()
        },
    )
    .await?;
    let mut changed: Vec<ChangedTarget> = Vec::new();
    for entry in entries {
        let Some(measure_ref) = entry.measure_ref.clone() else {
            continue;
        };
        match changed.iter_mut().find(|c| c.measure_ref == measure_ref) {
            Some(target) => {
                target.in_force = entry.after.clone();
                target.changes.push(entry);
            }
            None => changed.push(ChangedTarget {
                measure_ref,
                year: year.to_string(),
                approved: entry.after.clone(),
                in_force: entry.after.clone(),
                changes: Vec::new(),
            }),
        }
    }
    changed.retain(|c| c.approved != c.in_force);
    changed.sort_by(|a, b| {
        scoreledger_domain::MeasureRef::parse(&a.measure_ref)
            .ok()
            .cmp(&scoreledger_domain::MeasureRef::parse(&b.measure_ref).ok())
    });
    match format {
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&changed).expect("targets serialise")
        )?,
        Format::Csv => {
            #[derive(Serialize)]
            struct Row<'a> {
                measure_ref: &'a str,
                year: &'a str,
                approved: Option<&'a str>,
                in_force: Option<&'a str>,
                position: i64,
                recorded_at: &'a str,
                actor_name: &'a str,
                actor_role: &'a str,
                change: String,
                reason: Option<&'a str>,
            }
            let rows: Vec<Row> = changed
                .iter()
                .flat_map(|c| {
                    c.changes.iter().map(move |e| Row {
                        measure_ref: &c.measure_ref,
                        year: &c.year,
                        approved: c.approved.as_deref(),
                        in_force: c.in_force.as_deref(),
                        position: e.position,
                        recorded_at: &e.recorded_at,
                        actor_name: &e.actor_name,
                        actor_role: &e.actor_role,
                        change: format!(
                            "{} → {}",
                            e.before.as_deref().unwrap_or(""),
                            e.after.as_deref().unwrap_or("")
                        ),
                        reason: e.reason.as_deref(),
                    })
                })
                .collect();
            write!(out, "{}", csv_of(&rows))?;
        }
        Format::Table if changed.is_empty() => {
            writeln!(out, "every {year} target is as the plan was approved with")?
        }
        Format::Table => {
            let mut t = table(&["Measure", "As approved", "In force", "Changed by", "Why"]);
            for c in &changed {
                t.add_row(vec![
                    c.measure_ref.clone(),
                    c.approved.clone().unwrap_or_default(),
                    c.in_force.clone().unwrap_or_default(),
                    c.changes
                        .iter()
                        .map(who_and_when)
                        .collect::<Vec<_>>()
                        .join("\n"),
                    c.changes.iter().map(why).collect::<Vec<_>>().join("\n"),
                ]);
            }
            writeln!(out, "{t}")?;
            writeln!(
                out,
                "{} {year} target(s) differ from the approved plan",
                changed.len()
            )?;
        }
    }
    Ok(())
}

/// One period's increment of a cumulative measure.
#[derive(Debug, Serialize)]
struct IncrementRow {
    measure_ref: String,
    period: String,
    year_to_date: String,
    since: Option<String>,
    increment: Option<String>,
}

async fn increments(
    app: &App,
    year: Period,
    at: scoreledger_domain::Position,
    format: Format,
    out: &mut dyn Write,
) -> CliResult {
    let fy = year.financial_year_of();
    // The year's last quarter lists every measure of the plan, whatever its frequency.
    let scorecard = projections::scorecard_as_at(app.read(), Period::quarter(fy, 4), at)
        .await?
        .ok_or_else(|| {
            Failed::rejected(format!(
                "no plan covers {year} at position {at}; import one first (scoreledger import FILE)"
            ))
        })?;
    let mut rows = Vec::new();
    for row in scorecard
        .rows
        .iter()
        .filter(|r| r.definition.value_kind == ValueKind::Cumulative)
    {
        let Some(view) = projections::measure_as_at(app.read(), row.measure_id, at).await? else {
            continue;
        };
        for (period, (since, increment)) in increments_of(&view) {
            if period.financial_year_of() != fy {
                continue;
            }
            let year_to_date = view
                .values
                .iter()
                .find(|v| v.period == period)
                .map(|v| v.value.raw.clone())
                .unwrap_or_default();
            rows.push(IncrementRow {
                measure_ref: row.definition.measure_ref.to_string(),
                period: period.to_string(),
                year_to_date,
                since: since.map(|p| p.to_string()),
                increment: increment.map(|d| format!("{:+}", d.normalize())),
            });
        }
    }
    match format {
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&rows).expect("increments serialise")
        )?,
        Format::Csv => write!(out, "{}", csv_of(&rows))?,
        Format::Table if rows.is_empty() => {
            writeln!(out, "no cumulative measure has figures for {year}")?
        }
        Format::Table => {
            let mut t = table(&["Measure", "Period", "Year to date", "Increment", "Since"]);
            for r in &rows {
                t.add_row(vec![
                    r.measure_ref.clone(),
                    r.period.clone(),
                    r.year_to_date.clone(),
                    r.increment
                        .clone()
                        .unwrap_or_else(|| "no earlier figure".into()),
                    r.since
                        .clone()
                        .unwrap_or_else(|| "start of the year".into()),
                ]);
            }
            writeln!(out, "{t}")?;
        }
    }
    Ok(())
}

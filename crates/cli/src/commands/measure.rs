//! `scoreledger measure`: one measure as the log stands or stood, with who was accountable
//! when (valid time) and year-to-date increments for cumulative measures.

use std::collections::BTreeMap;
use std::io::Write;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};
use rust_decimal::Decimal;
use scoreledger_domain::cumulative::increments;
use scoreledger_domain::{Period, ValueKind};
use scoreledger_projections::{measure_as_at, MeasureView, PeriodFact};

use crate::app::{date, App};
use crate::args::MeasureArgs;
use crate::as_at;
use crate::failure::{CliResult, Failed};

/// The measure's view at the position `args` asks for.
pub async fn view(
    app: &App,
    reference: &str,
    args: &crate::args::AsAtArgs,
) -> CliResult<MeasureView> {
    let at = as_at::resolve(app, args).await?;
    let (measure_id, _) = app.measure(reference, None).await?;
    measure_as_at(app.read(), measure_id, at)
        .await?
        .ok_or_else(|| {
            Failed::rejected(format!(
                "{reference} was not yet defined at position {at}; try a later --as-at or --position"
            ))
        })
}

/// Year-to-date increments by period, for a cumulative measure.
pub fn increments_of(view: &MeasureView) -> BTreeMap<Period, (Option<Period>, Option<Decimal>)> {
    if view.definition.value_kind != ValueKind::Cumulative {
        return BTreeMap::new();
    }
    let amounts: BTreeMap<Period, Decimal> = view
        .values
        .iter()
        .filter_map(|v| Some((v.period, v.value.amount?)))
        .collect();
    let years: std::collections::BTreeSet<i32> =
        amounts.keys().map(Period::financial_year_of).collect();
    years
        .into_iter()
        .flat_map(|fy| increments(&amounts, fy))
        .map(|i| (i.period, (i.since, i.increment)))
        .collect()
}

fn facts_table(title: &str, facts: &[PeriodFact]) -> String {
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(150)
        .set_header(vec!["Period", title, "Changes", "Recorded at #"]);
    for f in facts {
        let text = match &f.computed {
            Some(c) if *c != f.text => format!("{} (rules suggested {c})", f.text),
            _ => f.text.clone(),
        };
        table.add_row(vec![
            f.period.to_string(),
            text,
            f.revision.to_string(),
            f.recorded_at_position.to_string(),
        ]);
    }
    table.to_string()
}

/// Runs `measure`.
pub async fn run(app: &App, args: &MeasureArgs, out: &mut dyn Write) -> CliResult {
    let view = view(app, &args.measure, &args.when).await?;
    let on = args.on.as_deref().map(date).transpose()?;
    app.record_read(Some(view.definition.measure_ref.to_string()))
        .await?;
    print(&view, on, args.json, out)
}

/// Prints a measure's view, for people or (`json`) for programs, with who was accountable
/// `on` a day if one is given.
pub fn print(
    view: &MeasureView,
    on: Option<chrono::NaiveDate>,
    json: bool,
    out: &mut dyn Write,
) -> CliResult {
    if json {
        let accountable_on = on.map(|day| {
            serde_json::json!({ "date": day.to_string(), "person": view.accountable_on(day) })
        });
        let increments: Vec<serde_json::Value> = increments_of(view)
            .into_iter()
            .map(|(period, (since, increment))| {
                serde_json::json!({
                    "period": period.to_string(),
                    "since": since.map(|p| p.to_string()),
                    "increment": increment.map(|d| d.normalize().to_string()),
                })
            })
            .collect();
        let document = serde_json::json!({
            "measure": view,
            "accountable_on": accountable_on,
            "increments": increments,
        });
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&document).expect("measures serialise")
        )?;
        return Ok(());
    }
    let d = &view.definition;
    writeln!(out, "{} — {}", d.measure_ref, d.title)?;
    writeln!(
        out,
        "Priority {}, outcome {}{}; action: {}",
        d.priority,
        d.outcome,
        if d.priority_measure {
            " (priority measure)"
        } else {
            ""
        },
        d.action
    )?;
    writeln!(
        out,
        "Lead officer {} ({}); good performance: {}; frequency: {}; reported {}",
        d.lead_officer, d.directorate, d.polarity_text, d.frequency_text, d.value_kind
    )?;
    if !d.baseline.is_empty() {
        writeln!(out, "Baseline: {}", d.baseline)?;
        for figure in scoreledger_domain::baseline::figures(&d.baseline) {
            writeln!(out, "  {}", figure.describe())?;
        }
    }
    writeln!(out, "As known at log position {}.\n", view.position)?;
    writeln!(out, "Lead accountability:")?;
    for spell in &view.accountability {
        match spell.effective_from {
            Some(from) => writeln!(
                out,
                "  from {from}: {} (recorded at #{})",
                spell.person, spell.recorded_at_position
            )?,
            None => writeln!(
                out,
                "  from the start: {} (recorded at #{})",
                spell.person, spell.recorded_at_position
            )?,
        }
    }
    if let Some(day) = on {
        writeln!(
            out,
            "  accountable on {day}: {}",
            view.accountable_on(day).unwrap_or("nobody recorded")
        )?;
    }
    writeln!(out)?;
    if !view.targets.is_empty() {
        writeln!(out, "{}", facts_table("Target", &view.targets))?;
    }
    let increments = increments_of(view);
    let mut values = Table::new();
    let mut header = vec!["Period", "Value", "Quality", "Revision", "Recorded at #"];
    if !increments.is_empty() {
        header.push("In-period increment");
    }
    // Only once someone has signed off, so a scorecard without maker–checker reads as before.
    let signed = view.values.iter().any(|v| v.signed_off_by.is_some());
    if signed {
        header.push("Signed off by");
    }
    values
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(150)
        .set_header(header);
    for v in &view.values {
        let revision = match &v.classification {
            Some(class) => format!("{} ({class})", v.revision),
            None => v.revision.to_string(),
        };
        let mut row = vec![
            v.period.to_string(),
            v.value.raw.clone(),
            v.quality.clone(),
            revision,
            v.recorded_at_position.to_string(),
        ];
        if !increments.is_empty() {
            row.push(match increments.get(&v.period) {
                Some((since, Some(step))) => format!(
                    "{:+} (since {})",
                    step.normalize(),
                    since.map_or("the start of the year".to_owned(), |p| p.to_string())
                ),
                Some((_, None)) => "no earlier figure this year".to_owned(),
                None => String::new(),
            });
        }
        if signed {
            row.push(v.signed_off_by.clone().unwrap_or_default());
        }
        values.add_row(row);
    }
    writeln!(out, "{values}")?;
    for (title, facts) in [
        ("Overall status", &view.statuses),
        ("Direction of travel", &view.directions),
        ("RAG rating", &view.ratings),
        ("Data note", &view.notes),
    ] {
        if !facts.is_empty() {
            writeln!(out, "{}", facts_table(title, facts))?;
        }
    }
    writeln!(
        out,
        "Every change with who and why: scoreledger history --measure \"{}\"",
        d.measure_ref
    )?;
    Ok(())
}

//! `scoreledger chase`: what each measure still lacks for a period, and when it is due.

use std::io::Write;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};
use scoreledger_reports::safe_csv;
use scoreledger_service::{chase_list, ChaseError, ChaseList};

use crate::app::{period, App};
use crate::args::{ChaseArgs, Format};
use crate::failure::{CliResult, Failed};

/// Runs `chase`.
pub async fn run(app: &App, args: &ChaseArgs, out: &mut dyn Write) -> CliResult {
    app.catch_up().await?;
    let at = period(&args.period)?;
    let mut list = chase_list(
        &*app.store,
        app.read(),
        at,
        args.days_after,
        args.directorate.as_deref(),
    )
    .await
    .map_err(|err| match err {
        ChaseError::NoPlan(_) => Failed::rejected(err),
        ChaseError::Lookup(err) => err.into(),
        ChaseError::Read(err) => err.into(),
    })?;
    if let Some(officer) = &args.lead_officer {
        list.items
            .retain(|item| item.lead_officer.eq_ignore_ascii_case(officer.trim()));
    }
    let format = if args.json { Format::Json } else { args.format };
    match format {
        Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&list)?)?,
        Format::Csv => write!(out, "{}", csv(&list))?,
        Format::Table => table(&list, out)?,
    }
    Ok(())
}

fn csv(list: &ChaseList) -> String {
    let mut writer = safe_csv::Writer::new();
    writer.record([
        "directorate",
        "lead_officer",
        "measure",
        "title",
        "lacks",
        "period",
        "due_on",
        "overdue",
    ]);
    for item in &list.items {
        writer.record([
            item.directorate.clone(),
            item.lead_officer.clone(),
            item.measure.to_string(),
            item.title.clone(),
            item.what().to_owned(),
            item.period.to_string(),
            item.due_on.to_string(),
            item.overdue.to_string(),
        ]);
    }
    writer.finish()
}

fn table(list: &ChaseList, out: &mut dyn Write) -> CliResult {
    writeln!(
        out,
        "{} — {}: {} thing(s) lacking for {} of {} measures; {} overdue (today {})",
        list.plan,
        list.period,
        list.items.len(),
        list.measures_lacking(),
        list.measures,
        list.overdue(),
        list.today
    )?;
    if list.items.is_empty() {
        writeln!(
            out,
            "nothing to chase: every measure has what the report needs"
        )?;
        return Ok(());
    }
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header([
            "Directorate",
            "Lead officer",
            "Measure",
            "Lacks",
            "Period",
            "Due",
        ]);
    let mut last: Option<(&str, &str)> = None;
    for item in &list.items {
        // Each directorate and officer named once, at the head of their rows.
        let group = (
            Some(item.directorate.as_str())
                .filter(|d| !d.is_empty())
                .unwrap_or("(no directorate)"),
            item.lead_officer.as_str(),
        );
        let (directorate, officer) = match last {
            Some((d, o)) if d == group.0 && o == group.1 => (String::new(), String::new()),
            Some((d, _)) if d == group.0 => (String::new(), group.1.to_owned()),
            _ => (group.0.to_owned(), group.1.to_owned()),
        };
        last = Some(group);
        let due = if item.overdue {
            format!("{} (overdue)", item.due_on)
        } else {
            item.due_on.to_string()
        };
        table.add_row([
            directorate,
            officer,
            item.measure.to_string(),
            item.what().to_owned(),
            item.period.to_string(),
            due,
        ]);
    }
    writeln!(out, "{table}")?;
    Ok(())
}

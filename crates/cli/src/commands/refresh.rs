//! `scoreledger record refresh` and `scoreledger audit refresh`: values announced for a
//! refresh from their source, and what the refresh changed (question 3, scenario S4).

use std::io::Write;

use scoreledger_domain::{Command, Period};
use scoreledger_projections::{self as projections, HistoryFilter};
use scoreledger_reports::refresh::{announcements, Announcement, ANNOUNCED};
use scoreledger_service::{submit_batch, Batch, StreamChange};

use crate::app::{period, App};
use crate::args::{AsAtArgs, Format, RefreshArgs};
use crate::as_at;
use crate::commands::audit::{publications_through, table};
use crate::failure::{CliResult, Failed};

/// Runs `record refresh`: one write per measure, each announcing every period named, judged
/// together so that one refusal appends nothing.
pub async fn announce(app: &App, args: &RefreshArgs, out: &mut dyn Write) -> CliResult {
    let mut periods = args
        .periods
        .iter()
        .map(|p| period(p))
        .collect::<CliResult<Vec<Period>>>()?;
    // A period named twice is announced once.
    periods.sort();
    periods.dedup();
    let due = period(&args.due)?;
    let mut plan = None;
    let mut writes: Vec<StreamChange> = Vec::new();
    for reference in &args.measures {
        let (measure_id, plan_id) = app.measure(reference, periods.first()).await?;
        if plan.is_some_and(|p| p != plan_id) {
            return Err(Failed::rejected(format!(
                "{} is in another plan than the measures before it; announce a refresh for one plan's measures at a time",
                reference.trim()
            )));
        }
        plan = Some(plan_id);
        if writes.iter().any(|w| w.stream == measure_id.stream()) {
            continue;
        }
        writes.push(StreamChange {
            stream: measure_id.stream(),
            commands: periods
                .iter()
                .map(|period| Command::AnnounceRefresh {
                    period: *period,
                    due,
                    note: args.note.clone(),
                })
                .collect(),
            commit_id: None,
            if_version: None,
            reason: args.reason.clone(),
        });
    }
    let measures = writes.len();
    let batch = Batch {
        actor: &app.actor,
        plan_id: plan,
        reason: args.reason.clone(),
        on_behalf_of: args.on_behalf_of.clone(),
        reported: app.reported.clone(),
        writes,
    };
    let appended = submit_batch(&*app.store, &batch)
        .await
        .map_err(|err| Failed::from(err).context("failed to announce the refresh"))?;
    app.catch_up().await?;
    let positions: Vec<String> = appended
        .iter()
        .map(|a| a.commit.position.to_string())
        .collect();
    writeln!(
        out,
        "announced a refresh of {} value(s) of {} measure(s), due for {due}, at position(s) {} (by {}); `scoreledger audit refresh` follows them",
        measures * periods.len(),
        measures,
        positions.join(", "),
        app.actor
    )?;
    Ok(())
}

/// Runs `audit refresh`.
pub async fn audit(
    app: &App,
    wanted: Option<&str>,
    when: &AsAtArgs,
    format: Format,
    out: &mut dyn Write,
) -> CliResult {
    let at = as_at::resolve(app, when).await?;
    let wanted = wanted.map(period).transpose()?.map(|p| p.to_string());
    let entries = projections::history(
        app.read(),
        &HistoryFilter {
            what: vec![ANNOUNCED.to_owned()],
            through: Some(at),
            ..HistoryFilter::default()
        },
    )
    .await?;
    let versions = projections::value_versions(app.read(), at).await?;
    let publications = publications_through(app, at).await?;
    let mut found = announcements(&entries, &versions, &publications);
    if let Some(wanted) = &wanted {
        for announcement in &mut found {
            announcement.values.retain(|v| &v.period == wanted);
        }
        found.retain(|a| !a.values.is_empty());
    }
    match format {
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&found).expect("announcements serialise")
        )?,
        Format::Csv => csv(&found, out)?,
        Format::Table => people(&found, at, out)?,
    }
    Ok(())
}

fn csv(found: &[Announcement], out: &mut dyn Write) -> CliResult {
    let mut writer = scoreledger_reports::safe_csv::Writer::new();
    writer.record([
        "announced_at_position",
        "reported_on",
        "announced_by",
        "note",
        "due",
        "due_report",
        "measure_ref",
        "period",
        "then",
        "now",
        "outcome",
        "difference",
        "changed_at_position",
        "in_time",
    ]);
    for a in found {
        for v in &a.values {
            writer.record([
                v.announced_at_position.to_string(),
                a.reported_on.clone(),
                a.announced_by.clone(),
                a.note.clone(),
                a.due.clone(),
                a.due_report.clone().unwrap_or_default(),
                v.measure_ref.clone(),
                v.period.clone(),
                v.then.clone(),
                v.now.clone(),
                v.outcome.words().to_owned(),
                v.difference.clone().unwrap_or_default(),
                v.changed_at_position
                    .map(|p| p.to_string())
                    .unwrap_or_default(),
                v.in_time.map(|t| t.to_string()).unwrap_or_default(),
            ]);
        }
    }
    write!(out, "{}", writer.finish())?;
    Ok(())
}

fn people(
    found: &[Announcement],
    at: scoreledger_domain::Position,
    out: &mut dyn Write,
) -> CliResult {
    for a in found {
        writeln!(
            out,
            "Announced by {} at position {} (reported {}), due for {}{}:\n  {}",
            a.announced_by,
            a.position,
            a.reported_on,
            a.due,
            a.due_report
                .as_ref()
                .map(|r| format!(", published as {r}"))
                .unwrap_or_else(|| ", not yet published".to_owned()),
            a.note
        )?;
        let mut t = table(&["Measure", "Period", "Then", "Now", "What the refresh did"]);
        for v in &a.values {
            let did = match (&v.difference, v.changed_at_position, v.in_time) {
                (Some(d), Some(p), in_time) => format!(
                    "{} by {d} at position {p}{}",
                    v.outcome.words(),
                    late(in_time)
                ),
                (None, Some(p), in_time) => {
                    format!("{} at position {p}{}", v.outcome.words(), late(in_time))
                }
                _ => v.outcome.words().to_owned(),
            };
            t.add_row(vec![
                v.measure_ref.clone(),
                v.period.clone(),
                v.then.clone(),
                v.now.clone(),
                did,
            ]);
        }
        writeln!(out, "{t}")?;
    }
    let values = found.iter().flat_map(|a| &a.values);
    let count = |outcome| values.clone().filter(|v| v.outcome == outcome).count();
    use scoreledger_reports::refresh::Outcome::*;
    writeln!(
        out,
        "{} value(s) announced for a refresh at position {at}: {} revised, {} unchanged, {} awaiting, {} not refreshed by the report they were due for{}",
        values.clone().count(),
        count(Revised),
        count(Unchanged),
        count(Awaiting),
        count(NotRefreshed),
        match count(Restored) {
            0 => String::new(),
            n => format!("; {n} revised, then restored"),
        }
    )?;
    Ok(())
}

fn late(in_time: Option<bool>) -> &'static str {
    match in_time {
        Some(false) => ", after the due report",
        _ => "",
    }
}

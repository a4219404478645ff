//! `scoreledger import-actions`: an improvement plan's update (the 2010 Notice to Improve
//! packs' tables of key actions), judged against the actions the log holds and appended
//! through the one write path as one batch, all or nothing.

use std::io::Write;

use scoreledger_domain::Command;
use scoreledger_projections as projections;
use scoreledger_reports::plan_update::{check_order, judge, read, Judged};
use scoreledger_service::{prepare_batch, submit_batch, Batch, Refusals, StreamChange};

use crate::app::App;
use crate::args::ImportActionsArgs;
use crate::as_at;
use crate::commands::audit::table;
use crate::failure::{CliResult, Failed};

/// An update judged and, unless only previewed, appended.
#[derive(Debug)]
pub struct Imported {
    /// Every row with what it changes.
    pub judged: Vec<Judged>,
    /// The plan's actions the update does not print.
    pub left_out: usize,
    /// The commits appended (none for a preview or an update that changes nothing).
    pub appended: usize,
}

impl Imported {
    /// "29 row(s): 6 registered, 11 moved, 18 rated, 5 unchanged; 21 of the plan's actions are
    /// not in this update".
    pub fn summary(&self) -> String {
        let count = |what: &str| {
            self.judged
                .iter()
                .filter(|j| j.changes.iter().any(|c| c.starts_with(what)))
                .count()
        };
        format!(
            "{} row(s): {} registered, {} moved, {} rated, {} reworded, {} unchanged; {} of the plan's actions are not in this update",
            self.judged.len(),
            count("registered"),
            count("moved"),
            count("rated"),
            self.judged
                .iter()
                .filter(|j| j.changes.iter().any(|c| c.ends_with("reworded")))
                .count(),
            self.judged.iter().filter(|j| j.commands.is_empty()).count(),
            self.left_out,
        )
    }
}

/// Judges the update in `bytes` against the actions of `plan` the log holds and, unless
/// `dry_run`, appends what it changes as one batch, with the app's `reported` on every commit.
pub async fn apply(app: &App, plan: &str, bytes: &[u8], dry_run: bool) -> CliResult<Imported> {
    let plan = plan.trim();
    if plan.is_empty() {
        return Err(Failed::rejected(
            "--plan is empty; name the improvement plan the actions belong to",
        ));
    }
    let rows = read(bytes).map_err(Failed::rejected)?;
    let at = as_at::position(app, as_at::AsAt::Now).await?;
    let existing: Vec<_> = projections::actions_as_at(app.read(), at, None)
        .await?
        .into_iter()
        .filter(|a| a.plan == plan)
        .collect();
    if let Some(reported) = &app.reported {
        // Judged whatever the update changes: a preview, or an update that changes nothing,
        // still says at once that the day or the document would be refused.
        reported.check(None).map_err(Failed::rejected)?;
        check_order(&existing, reported.on).map_err(Failed::rejected)?;
    }
    let judged = judge(&rows, &existing, |row| Command::RegisterAction {
        action_id: scoreledger_store::action_id_for(plan, &row.key_action),
        plan: plan.to_owned(),
        objective: row.objective.clone(),
        key_action: row.key_action.clone(),
        lead: row.lead.clone(),
        target_date: row.target_date.clone(),
        measures: Vec::new(),
    });
    let left_out = existing
        .iter()
        .filter(|a| !rows.iter().any(|r| r.key_action == a.key_action))
        .count();
    let writes: Vec<StreamChange> = judged
        .iter()
        .filter(|j| !j.commands.is_empty())
        .map(|j| StreamChange {
            stream: scoreledger_store::action_id_for(plan, &j.row.key_action).stream(),
            commands: j.commands.clone(),
            commit_id: None,
            if_version: None,
            reason: None,
        })
        .collect();
    if writes.is_empty() {
        return Ok(Imported {
            judged,
            left_out,
            appended: 0,
        });
    }
    let batch = Batch {
        actor: &app.actor,
        plan_id: None,
        reason: None,
        on_behalf_of: None,
        reported: app.reported.clone(),
        writes,
    };
    if dry_run {
        // The preview is judged as the import would be, refusals and all.
        let prepared = prepare_batch(&*app.store, &batch)
            .await
            .map_err(|err| Failed::from(err).context("failed to judge the plan update"))?;
        if !prepared.refusals.is_empty() {
            return Err(Failed::rejected(Refusals(prepared.refusals)));
        }
        return Ok(Imported {
            judged,
            left_out,
            appended: 0,
        });
    }
    let appended = submit_batch(&*app.store, &batch)
        .await
        .map_err(|err| Failed::from(err).context("failed to import the plan update"))?;
    app.catch_up().await?;
    Ok(Imported {
        judged,
        left_out,
        appended: appended.len(),
    })
}

/// Runs `import-actions`.
pub async fn run(app: &App, args: &ImportActionsArgs, out: &mut dyn Write) -> CliResult {
    let bytes = std::fs::read(&args.file)
        .map_err(|err| Failed::rejected(format!("cannot read {}: {err}", args.file.display())))?;
    let imported = apply(app, &args.plan, &bytes, args.dry_run).await?;
    print(&imported.judged, args.all, out)?;
    writeln!(out, "{}", imported.summary())?;
    if imported.appended > 0 {
        writeln!(
            out,
            "appended {} commit(s){}",
            imported.appended,
            app.reported
                .as_ref()
                .map(|r| format!(", as reported on {r}"))
                .unwrap_or_default()
        )?;
    }
    Ok(())
}

fn print(judged: &[Judged], all: bool, out: &mut dyn Write) -> CliResult {
    let shown: Vec<&Judged> = judged
        .iter()
        .filter(|j| all || !j.changes.is_empty())
        .collect();
    if shown.is_empty() {
        return Ok(());
    }
    let mut t = table(&["Row", "Key action", "Lead", "Change"]);
    for j in shown {
        t.add_row(vec![
            j.row.row.to_string(),
            j.row.key_action.clone(),
            j.row.lead.clone(),
            if j.changes.is_empty() {
                "unchanged".to_owned()
            } else {
                j.changes.join("; ")
            },
        ]);
    }
    writeln!(out, "{t}")?;
    Ok(())
}

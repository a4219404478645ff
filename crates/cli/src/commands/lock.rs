//! `scoreledger lock` and `scoreledger reopen`: period locks on the plan covering the period.

use std::io::Write;

use scoreledger_domain::Command;
use scoreledger_projections::scorecard::find_plan;

use crate::app::{period, App};
use crate::args::LockArgs;
use crate::failure::{CliResult, Failed};

/// Runs `lock` (`lock = true`) or `reopen`.
pub async fn run(app: &App, args: &LockArgs, lock: bool, out: &mut dyn Write) -> CliResult {
    let period = period(&args.period)?;
    let head = app.catch_up().await?;
    let plan = find_plan(app.read(), &period, head)
        .await?
        .ok_or_else(|| Failed::rejected(format!("no plan covers {period}; import one first")))?;
    let command = if lock {
        Command::LockPeriod { period }
    } else {
        Command::ReopenPeriod { period }
    };
    let appended = app
        .execute(
            &plan.plan_id.stream(),
            None,
            &command,
            args.reason.clone(),
            None,
        )
        .await?;
    app.catch_up().await?;
    let verb = if lock { "locked" } else { "reopened" };
    writeln!(
        out,
        "{period} of {} {verb} at position {} (by {})",
        plan.name, appended.commit.position, app.actor
    )?;
    Ok(())
}

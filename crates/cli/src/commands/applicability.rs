//! `scoreledger withdraw` and `scoreledger reinstate`: whether a measure applies from a period
//! on, through the one write path.

use std::io::Write;

use scoreledger_domain::Command;

use crate::app::{period, App};
use crate::args::ApplicabilityArgs;
use crate::failure::CliResult;

/// Runs `withdraw` (`applies` false) or `reinstate`.
pub async fn run(
    app: &App,
    args: &ApplicabilityArgs,
    applies: bool,
    out: &mut dyn Write,
) -> CliResult {
    app.catch_up().await?;
    let from = period(&args.from)?;
    let (measure_id, plan_id) = app.measure(&args.measure, Some(&from)).await?;
    let command = if applies {
        Command::ReinstateMeasure { from }
    } else {
        Command::WithdrawMeasure { from }
    };
    let appended = app
        .execute(
            &measure_id.stream(),
            Some(plan_id),
            &command,
            args.reason.clone(),
            None,
        )
        .await?;
    app.catch_up().await?;
    let (done, effect) = if applies {
        ("reinstated", "count it again")
    } else {
        ("withdrew", "leave it out")
    };
    writeln!(
        out,
        "{done} {} from {from} at position {} (by {}); reports of {from} and later {effect}, reports published before are unchanged",
        args.measure.trim(),
        appended.commit.position,
        app.actor
    )?;
    Ok(())
}

//! `scoreledger set-aside POSITION --reason …`: set aside one commit the log cannot read, so
//! the read models pass over it, through the one write path (admins only, with a reason).

use std::io::Write;

use scoreledger_domain::{Command, Position};

use crate::app::App;
use crate::failure::CliResult;

/// Runs `set-aside`.
pub async fn run(app: &App, args: &crate::args::SetAsideArgs, out: &mut dyn Write) -> CliResult {
    let position = Position(args.position);
    let set_aside_id = scoreledger_store::set_aside_id(position);
    let appended = app
        .execute(
            &set_aside_id.stream(),
            None,
            &Command::SetAsideCommit {
                set_aside_id,
                position,
            },
            args.reason.clone(),
            None,
        )
        .await?;
    let reach = app.catch_up_for_reading().await?;
    writeln!(
        out,
        "the commit at position {position} is set aside (position {}, by {}); the read models are at position {}",
        appended.commit.position, app.actor, reach.at
    )?;
    Ok(())
}

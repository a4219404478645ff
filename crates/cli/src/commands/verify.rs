//! `scoreledger verify`: the log as stored, checked commit by commit, and the read models
//! checked not to be ahead of it (`scoreledger_service::check_log`, as the API answers it).

use std::io::Write;

use indicatif::{ProgressBar, ProgressStyle};

use crate::app::App;
use crate::args::VerifyArgs;
use crate::exit::Failure;
use crate::failure::{CliResult, Failed};

/// Runs `verify`.
pub async fn run(app: &App, args: &VerifyArgs, out: &mut dyn Write) -> CliResult {
    // Its length is the head the check reads, given with the first batch.
    let bar = if args.json {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(0)
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} verifying [{bar:40}] {pos}/{len} commits ({per_sec}, {eta} left)",
        )
        .expect("static progress template")
        .progress_chars("=> "),
    );
    let check = scoreledger_service::check_log(&*app.store, app.read(), |at, head| {
        bar.set_length(head.0);
        bar.set_position(at.0);
    })
    .await?;
    bar.finish_and_clear();
    if args.json {
        writeln!(
            out,
            "{}",
            serde_json::to_string(&check).expect("the check serialises")
        )?;
    }
    if !check.verified {
        return Err(Failed {
            kind: Failure::Corrupt,
            error: anyhow::anyhow!(check.message),
        });
    }
    if !args.json {
        writeln!(out, "{}", check.message)?;
    }
    Ok(())
}

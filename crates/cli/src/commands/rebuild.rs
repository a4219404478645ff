//! `scoreledger rebuild`: drop the read models and replay the whole log, with a progress bar.

use std::io::Write;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use scoreledger_projections as projections;

use crate::app::App;
use crate::args::RebuildArgs;
use crate::failure::CliResult;

/// Runs `rebuild`.
pub async fn run(app: &App, args: &RebuildArgs, out: &mut dyn Write) -> CliResult {
    let head = app.head().await?;
    let bar = ProgressBar::new(head.0).with_style(
        ProgressStyle::with_template(
            "{spinner} replaying [{bar:40}] {pos}/{len} commits ({per_sec}, {eta} left)",
        )
        .expect("static progress template")
        .progress_chars("=> "),
    );
    let started = Instant::now();
    let reached = projections::rebuild(&*app.store, app.read(), args.batch as usize, |at| {
        bar.set_position(at.0)
    })
    .await?;
    bar.finish_and_clear();
    writeln!(
        out,
        "rebuilt the read models from {} commits in {:.2?}",
        reached,
        started.elapsed()
    )?;
    Ok(())
}

//! `scoreledger init`: create or migrate the database and say what it holds.

use std::io::Write;
use std::path::Path;

use crate::app::App;
use crate::failure::CliResult;

/// Runs `init`.
pub async fn run(app: &App, path: &Path, out: &mut dyn Write) -> CliResult {
    let checkpoint = app.catch_up().await?;
    let head = app.head().await?;
    writeln!(
        out,
        "database {} is ready: {} commits in the log, read models at position {}",
        path.display(),
        head,
        checkpoint
    )?;
    if head.0 == 0 {
        writeln!(out, "next: scoreledger import fixtures/corporate_plan_2016_17.json (or try scoreledger demo)")?;
    }
    Ok(())
}

//! `scoreledger project`: a long-running projector, stopped gracefully by Ctrl-C or SIGTERM.

use std::io::Write;

use scoreledger_projections::{self as projections, checkpoint};

use crate::app::App;
use crate::failure::CliResult;

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                .expect("installing a SIGTERM handler");
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}

/// Runs `project`.
pub async fn run(app: &App, out: &mut dyn Write) -> CliResult {
    let from = checkpoint(app.read()).await?;
    writeln!(out, "projecting from position {from}; stop with Ctrl-C")?;
    out.flush()?;
    projections::run_until_stopped(&*app.store, app.read(), shutdown()).await?;
    writeln!(out, "stopped at position {}", checkpoint(app.read()).await?)?;
    Ok(())
}

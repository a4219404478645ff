//! `scoreledger project`: a long-running projector, stopped gracefully by Ctrl-C or SIGTERM.

use std::io::Write;
use std::sync::Arc;

use scoreledger_projections::{self as projections, checkpoint};
use tokio::sync::watch;

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

/// A switch set on Ctrl-C or SIGTERM (and by whoever else must stop everything), and what
/// waits for it.
pub fn stop_on_signal() -> (Arc<watch::Sender<bool>>, watch::Receiver<bool>) {
    let (stop, stopping) = watch::channel(false);
    let stop = Arc::new(stop);
    let on_signal = stop.clone();
    tokio::spawn(async move {
        shutdown().await;
        let _ = on_signal.send(true);
    });
    (stop, stopping)
}

/// Resolves once `stop` has been set.
pub async fn stopped(mut stop: watch::Receiver<bool>) {
    let _ = stop.wait_for(|stop| *stop).await;
}

/// Runs `project` over `apps` (one log, or each council of a councils file), until Ctrl-C or
/// SIGTERM; a projector that halts stops the others.
pub async fn run(apps: &[App], out: &mut dyn Write) -> CliResult {
    for app in apps {
        writeln!(
            out,
            "{}projecting from position {}; stop with Ctrl-C",
            named(app),
            checkpoint(app.read()).await?
        )?;
    }
    out.flush()?;
    let (stop, stopping) = stop_on_signal();
    let projectors = apps.iter().map(|app| {
        let (stopping, stop) = (stopping.clone(), stop.clone());
        async move {
            let result =
                projections::run_until_stopped(&*app.store, app.read(), stopped(stopping)).await;
            let _ = stop.send(true);
            result
        }
    });
    for (app, result) in apps.iter().zip(futures::future::join_all(projectors).await) {
        result.map_err(|err| app.in_council(err.into()))?;
        writeln!(
            out,
            "{}stopped at position {}",
            named(app),
            checkpoint(app.read()).await?
        )?;
    }
    Ok(())
}

/// `council <id>: ` for a council's log, nothing for the only one.
pub fn named(app: &App) -> String {
    app.council
        .as_ref()
        .map(|council| format!("council {}: ", council.id))
        .unwrap_or_default()
}

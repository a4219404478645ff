//! `scoreledger serve`: the HTTP service, with a projector beside it keeping the read models
//! current, both stopped together by Ctrl-C or SIGTERM.

use std::io::Write;

use anyhow::Context;
use scoreledger_projections as projections;
use scoreledger_server::{integrity, log_check, serve, ServerState};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::app::App;
use crate::args::{Interval, ServeArgs};
use crate::commands::project::shutdown;
use crate::exit::Failure;
use crate::failure::{CliResult, Failed};

/// Resolves once `stop` has been set.
async fn stopped(mut stop: watch::Receiver<bool>) {
    let _ = stop.wait_for(|stop| *stop).await;
}

/// Runs `serve`.
pub async fn run(app: &App, args: &ServeArgs, out: &mut dyn Write) -> CliResult {
    let listener = TcpListener::bind(args.addr)
        .await
        .with_context(|| {
            format!(
                "cannot listen on {}; is another process using it? choose another with --addr",
                args.addr
            )
        })
        .map_err(|error| Failed {
            kind: Failure::Unavailable,
            error,
        })?;
    let at = listener.local_addr()?;
    // At a commit that cannot be read the service still starts, answering as at the position
    // before it (`/readyz` says 503 and names it) until it is repaired or set aside.
    let caught_up = app.catch_up_for_reading().await?.at;
    writeln!(
        out,
        "serving http://{at} (read models at position {caught_up}; API description at http://{at}/openapi.json); stop with Ctrl-C"
    )?;
    out.flush()?;

    let (stop, stopping) = watch::channel(false);
    let stop = std::sync::Arc::new(stop);
    let on_signal = stop.clone();
    tokio::spawn(async move {
        shutdown().await;
        let _ = on_signal.send(true);
    });
    let state = ServerState::new(
        app.store.clone(),
        app.read().clone(),
        std::sync::Arc::new(scoreledger_store::SystemClock),
    )
    .with_checkpoints(app.signing.checkpoints.clone());
    let checkpointer = integrity::checkpoint_periodically(
        state.clone(),
        args.checkpoint_every,
        args.checkpoint_interval.0,
        stopped(stopping.clone()),
    );
    let verifier = async {
        if let Interval(Some(every)) = args.verify_every {
            log_check::verify_periodically(state.clone(), every, stopped(stopping.clone())).await;
        }
    };
    let server = serve(listener, state.clone(), stopped(stopping.clone()));
    let projector = async {
        let result =
            projections::run_until_stopped(&*app.store, app.read(), stopped(stopping.clone()))
                .await;
        // A projector that halts (a gap, a database that fails) stops the service too: its
        // answers would silently fall behind the log. At an unreadable commit it waits
        // instead, and `/readyz` says so.
        let _ = stop.send(true);
        result
    };
    let (served, projected, (), ()) = tokio::join!(server, projector, verifier, checkpointer);
    served?;
    projected?;
    writeln!(out, "stopped")?;
    Ok(())
}

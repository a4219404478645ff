//! `scoreledger serve`: the HTTP service, with a projector beside it keeping the read models
//! current, both stopped together by Ctrl-C or SIGTERM.

use std::io::Write;

use anyhow::Context;
use scoreledger_projections as projections;
use scoreledger_server::councils::{self, Tenant};
use scoreledger_server::{integrity, log_check, serve_routes, ServerState};
use tokio::net::TcpListener;

use crate::app::App;
use crate::args::{Interval, ServeArgs};
use crate::commands::project::{stop_on_signal, stopped};
use crate::exit::Failure;
use crate::failure::{CliResult, Failed};

/// Runs `serve` over `apps`: one log, or each council of a councils file (then requests go
/// to the council their token names, `scoreledger_server::councils`). Each log has its own
/// projector, checkpoints and verification beside the one HTTP listener; any projector that
/// halts stops them all.
pub async fn run(apps: &[App], args: &ServeArgs, out: &mut dyn Write) -> CliResult {
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
    let mut positions = Vec::new();
    for app in apps {
        let caught_up = app.catch_up_for_reading().await?.at;
        positions.push(match &app.council {
            Some(council) => format!("{} at position {caught_up}", council.id),
            None => format!("position {caught_up}"),
        });
    }
    writeln!(
        out,
        "serving http://{at} (read models at {}; API description at http://{at}/openapi.json); stop with Ctrl-C",
        positions.join(", ")
    )?;
    out.flush()?;

    let (stop, stopping) = stop_on_signal();
    let states: Vec<ServerState> = apps
        .iter()
        .map(|app| {
            ServerState::new(
                app.store.clone(),
                app.read().clone(),
                std::sync::Arc::new(scoreledger_store::SystemClock),
            )
            .with_checkpoints(app.signing.checkpoints.clone())
        })
        .collect();
    let (routes, states) = match apps {
        [app] if app.council.is_none() => (scoreledger_server::router(states[0].clone()), states),
        _ => {
            let tenants = apps
                .iter()
                .zip(states)
                .map(|(app, state)| {
                    let council = app.council.clone().ok_or_else(|| {
                        Failed::rejected(
                            "several logs are served only as councils of a councils file",
                        )
                    })?;
                    Ok(Tenant::new(council, state))
                })
                .collect::<CliResult<Vec<_>>>()?;
            let states = tenants
                .iter()
                .map(|tenant| tenant.state().clone())
                .collect();
            (councils::router(&tenants), states)
        }
    };
    let server = serve_routes(listener, routes, stopped(stopping.clone()));
    let beside = states.iter().zip(apps).map(|(state, app)| {
        let (state, stopping, stop) = (state.clone(), stopping.clone(), stop.clone());
        async move {
            let checkpointer = integrity::checkpoint_periodically(
                state.clone(),
                args.checkpoint_every,
                args.checkpoint_interval.0,
                stopped(stopping.clone()),
            );
            let verifier = async {
                if let Interval(Some(every)) = args.verify_every {
                    log_check::verify_periodically(state.clone(), every, stopped(stopping.clone()))
                        .await;
                }
            };
            let projector = async {
                let result = projections::run_until_stopped(
                    &*app.store,
                    app.read(),
                    stopped(stopping.clone()),
                )
                .await;
                // A projector that halts (a gap, a database that fails) stops the service
                // too: its answers would silently fall behind the log. At an unreadable
                // commit it waits instead, and `/readyz` says so.
                let _ = stop.send(true);
                result.map_err(|err| app.in_council(err.into()))
            };
            let (projected, (), ()) = tokio::join!(projector, verifier, checkpointer);
            projected
        }
    });
    let (served, projected) = tokio::join!(server, futures::future::join_all(beside));
    served?;
    for result in projected {
        result?;
    }
    writeln!(out, "stopped")?;
    Ok(())
}

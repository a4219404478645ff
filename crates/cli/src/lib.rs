//! The `scoreledger` command-line application. `main.rs` only parses arguments; everything
//! here is callable from tests.

pub mod app;
pub mod args;
pub mod as_at;
pub mod commands;
pub mod config;
pub mod demo;
pub mod exit;
pub mod failure;
pub mod ids;
pub mod import;
pub mod settings;

use std::process::ExitCode;

use args::Cli;

/// Runs a parsed command line and maps the outcome to an exit code (see [`exit`]).
pub fn run(cli: Cli) -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SCORELEDGER_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: failed to start the async runtime: {err}");
            return exit::Failure::Unavailable.into();
        }
    };
    match runtime.block_on(commands::dispatch(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failed) => {
            eprintln!("error: {}", failed.render());
            failed.kind.into()
        }
    }
}

//! The `scoreledger` command-line application. `main.rs` only parses arguments; everything
//! here is callable from tests.

pub mod app;
pub mod args;
pub mod as_at;
pub mod commands;
pub mod config;
pub mod councils;
pub mod demo;
pub mod demo_2010;
pub mod exit;
pub mod failure;
pub mod ids;
pub mod import;
pub mod progress;
pub mod remote;
pub mod settings;
pub mod signing;

use std::process::ExitCode;

use args::Cli;

/// Runs a parsed command line and maps the outcome to an exit code (see [`exit`]).
pub fn run(cli: Cli) -> ExitCode {
    use scoreledger_server::logging;
    // The service logs every request at INFO; other commands only warnings, which would
    // otherwise drown their output.
    let (format, default_filter) = match &cli.command {
        args::Command::Serve(serve) => (serve.log_format.into(), "warn,scoreledger_server=info"),
        _ => (logging::LogFormat::Text, "warn"),
    };
    if let Err(err) = logging::install(format, logging::filter(default_filter), std::io::stderr) {
        eprintln!("warning: logging is already set up: {err}");
    }
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

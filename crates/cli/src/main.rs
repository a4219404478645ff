//! The `scoreledger` binary: parse arguments, run, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = scoreledger_cli::args::Cli::parse();
    scoreledger_cli::run(args)
}

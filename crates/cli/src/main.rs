//! The `scoreledger` binary: parse arguments, run, map the outcome to an exit code.

use std::process::ExitCode;

fn main() -> ExitCode {
    match scoreledger_cli::args::parse() {
        Ok(args) => scoreledger_cli::run(args),
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

//! `scoreledger-evidence verify PACK.zip --key KEY`: checks a Scoreledger evidence pack
//! offline. Exit 0 when every check holds, 1 when one fails (naming it), 2 when the pack
//! or the key cannot be read.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Checks Scoreledger evidence packs without Scoreledger, its server or its database.
#[derive(Parser)]
#[command(name = "scoreledger-evidence", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Checks an evidence pack: SHA256SUMS, each commit's hash and chain, a signature on
    /// every commit from where the log began signing (manifest.json), the signed checkpoint
    /// against the key given, each inclusion proof, and a report's SHA-256.
    Verify {
        /// The evidence pack (a zip downloaded from Scoreledger).
        pack: std::path::PathBuf,
        /// The log's public key (`ORIGIN+ID+KEY`, as `scoreledger keys show` prints it) or a
        /// file holding it. Obtain it from the log's operator, not from the pack.
        #[arg(long)]
        key: String,
        /// Print the outcome as JSON.
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    let Command::Verify { pack, key, json } = Cli::parse().command;
    let trusted = match scoreledger_evidence::trusted_key(&key) {
        Ok(key) => key,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::from(2);
        }
    };
    let bytes = match std::fs::read(&pack) {
        Ok(bytes) => bytes,
        Err(err) => {
            eprintln!("error: cannot read {}: {err}", pack.display());
            return ExitCode::from(2);
        }
    };
    let outcome = scoreledger_evidence::verify(&bytes, &trusted);
    if json {
        let value = match &outcome {
            Ok(verified) => serde_json::json!({ "ok": true, "checked": verified.checked }),
            Err(refusal) => serde_json::json!({
                "ok": false,
                "checked": refusal.checked,
                "failed": { "at": refusal.at, "problem": refusal.problem },
            }),
        };
        println!("{value:#}");
    } else {
        let checked = match &outcome {
            Ok(verified) => &verified.checked,
            Err(refusal) => &refusal.checked,
        };
        for line in checked {
            println!("ok    {line}");
        }
        match &outcome {
            Ok(_) => println!("{} holds: every check passed", pack.display()),
            Err(refusal) => println!("FAIL  {refusal}"),
        }
    }
    match outcome {
        Ok(_) => ExitCode::SUCCESS,
        Err(_) => ExitCode::from(1),
    }
}

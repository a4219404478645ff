//! `scoreledger checkpoint record|latest|list`: signed checkpoints of the log (C2SP
//! tlog-checkpoint notes). `serve` records them on a cadence and every lock and publication
//! records one; `record` makes one now.

use std::io::Write;

use serde::Serialize;

use scoreledger_service::{checkpoints, proofs};

use crate::app::App;
use crate::args::CheckpointCommand;
use crate::commands::keys;
use crate::failure::{CliResult, Failed};

#[derive(Serialize)]
struct Listed {
    size: u64,
    root: String,
    signed_by: String,
    note: String,
}

/// Runs a `checkpoint` subcommand.
pub async fn run(app: &App, command: &CheckpointCommand, out: &mut dyn Write) -> CliResult {
    match command {
        CheckpointCommand::Record => {
            let said = keys::record(app).await?;
            writeln!(out, "{said}")?;
        }
        CheckpointCommand::Latest => {
            let (_, checkpoint, _) = checkpoints::latest_checkpoint(&*app.store)
                .await?
                .ok_or_else(|| {
                    Failed::rejected(
                        "the log has no checkpoint yet; `scoreledger checkpoint record` signs one",
                    )
                })?;
            // The note as is: what a witness or `sigsum`-style tool reads.
            write!(out, "{}", checkpoint.note)?;
        }
        CheckpointCommand::List { json } => {
            let all: Vec<Listed> = proofs::checkpoints(&*app.store)
                .await?
                .into_iter()
                .map(|c| Listed {
                    size: c.size,
                    root: c.root_hex(),
                    signed_by: c.signed_by.clone(),
                    note: c.note.clone(),
                })
                .collect();
            if *json {
                writeln!(out, "{}", serde_json::to_string(&all)?)?;
            } else if all.is_empty() {
                writeln!(out, "No checkpoints yet.")?;
            } else {
                for c in &all {
                    writeln!(out, "{:>8} commits  {}  {}", c.size, c.root, c.signed_by)?;
                }
            }
        }
    }
    Ok(())
}

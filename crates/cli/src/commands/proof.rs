//! `scoreledger proof inclusion|consistency`: RFC 6962 proofs against the log's signed
//! checkpoints, checked before they are printed, for anyone to check again with the public key.

use std::io::Write;

use scoreledger_domain::Position;
use scoreledger_service::proofs;

use crate::app::App;
use crate::args::ProofCommand;
use crate::failure::CliResult;

/// Runs a `proof` subcommand.
pub async fn run(app: &App, command: &ProofCommand, out: &mut dyn Write) -> CliResult {
    match command {
        ProofCommand::Inclusion {
            position,
            checkpoint,
            json,
        } => {
            let proof = proofs::inclusion(&*app.store, Position(*position), *checkpoint).await?;
            if *json {
                writeln!(out, "{}", serde_json::to_string(&proof)?)?;
                return Ok(());
            }
            writeln!(
                out,
                "The commit at position {} (hash {}) is leaf {} of the checkpoint of {} commits (head {}).",
                proof.position,
                proof.commit_hash,
                proof.position - 1,
                proof.size,
                proof.root
            )?;
            writeln!(out, "Audit path (RFC 6962), leaf to head:")?;
            for hash in &proof.proof {
                writeln!(out, "  {hash}")?;
            }
            write!(out, "Checkpoint:\n{}", proof.checkpoint)?;
        }
        ProofCommand::Consistency { from, to, json } => {
            let proof = proofs::consistency(&*app.store, *from, *to).await?;
            if *json {
                writeln!(out, "{}", serde_json::to_string(&proof)?)?;
                return Ok(());
            }
            writeln!(
                out,
                "The checkpoint of {} commits (head {}) extends the checkpoint of {} (head {}).",
                proof.to_size, proof.to_root, proof.from_size, proof.from_root
            )?;
            writeln!(out, "Consistency proof (RFC 6962):")?;
            for hash in &proof.proof {
                writeln!(out, "  {hash}")?;
            }
            write!(out, "Checkpoint:\n{}", proof.checkpoint)?;
        }
    }
    Ok(())
}

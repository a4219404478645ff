//! `scoreledger verify`: the log as stored, checked commit by commit, and the read models
//! checked not to be ahead of it.

use std::io::Write;

use indicatif::{ProgressBar, ProgressStyle};
use scoreledger_projections as projections;
use serde::Serialize;

use crate::app::App;
use crate::args::VerifyArgs;
use crate::exit::Failure;
use crate::failure::{CliResult, Failed};

/// What `verify --json` prints.
#[derive(Debug, Serialize)]
struct Report {
    verified: bool,
    commits: u64,
    streams: usize,
    head: u64,
    read_models_at: u64,
    finding: Option<serde_json::Value>,
    message: String,
}

/// Runs `verify`.
pub async fn run(app: &App, args: &VerifyArgs, out: &mut dyn Write) -> CliResult {
    let head = app.head().await?;
    let bar = if args.json {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(head.0)
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} verifying [{bar:40}] {pos}/{len} commits ({per_sec}, {eta} left)",
        )
        .expect("static progress template")
        .progress_chars("=> "),
    );
    let verification = scoreledger_store::verify_log(&*app.store, |at, head| {
        bar.set_length(head.0);
        bar.set_position(at.0);
    })
    .await?;
    bar.finish_and_clear();
    let read_models_at = projections::checkpoint(app.read()).await?;
    let ahead = read_models_at > verification.head;
    let message = match (&verification.finding, ahead) {
        (Some(finding), _) => format!("the log fails verification: {finding}"),
        (None, true) => format!(
            "the log is shorter than the read models (they have projected {read_models_at} commits, the log holds {}): was the log restored from an older backup, or truncated? Do not write to it; restore the newest backup, or rebuild the read models (scoreledger rebuild) once the log is known to be whole",
            verification.head
        ),
        (None, false) => format!(
            "the log verifies: {} commits in {} streams, positions 1 to {} with no gap, every hash, link and version intact; the read models are at position {read_models_at}",
            verification.commits,
            verification.streams,
            verification.head
        ),
    };
    let verified = verification.verified() && !ahead;
    if args.json {
        let report = Report {
            verified,
            commits: verification.commits,
            streams: verification.streams,
            head: verification.head.0,
            read_models_at: read_models_at.0,
            finding: verification
                .finding
                .as_ref()
                .map(|f| serde_json::to_value(f).expect("findings serialise")),
            message: message.clone(),
        };
        writeln!(
            out,
            "{}",
            serde_json::to_string(&report).expect("the report serialises")
        )?;
    }
    if !verified {
        return Err(Failed {
            kind: Failure::Corrupt,
            error: anyhow::anyhow!(message),
        });
    }
    if !args.json {
        writeln!(out, "{message}")?;
    }
    Ok(())
}

//! `scoreledger bench WORKLOAD`: each workload measures our figure beside the raw limit of the
//! same store measured in the same run, on a generated log in a temporary directory, and
//! prints both and their ratio. Figures are for this machine at this moment; the ratio is what
//! to compare between runs (`BENCHMARKS.md`).

mod append;
mod as_at;
mod database;
mod lag;
mod rebuild;
mod scorecard_log;
mod verify;
mod verify_report;

use std::io::Write;

use serde::Serialize;

use crate::args::BenchArgs;
use crate::failure::CliResult;

/// Runs `bench`.
pub async fn run(args: &BenchArgs, out: &mut dyn Write) -> CliResult {
    match args.workload.as_str() {
        "rebuild" => rebuild::run(args, out).await,
        "as-at" => as_at::run(args, out).await,
        "append" => append::run(args, out).await,
        "lag" => lag::run(args, out).await,
        "verify-report" => verify_report::run(args, out).await,
        _ => verify::run(args, out).await,
    }
}

/// One workload's figures, as `--json` prints them.
#[derive(Debug, Serialize)]
struct Figures {
    workload: &'static str,
    /// Where it ran (`sqlite`, `postgres`).
    backend: &'static str,
    /// What was measured: commits, or events.
    unit: &'static str,
    count: u64,
    /// What the raw limit is.
    raw: &'static str,
    raw_per_second: f64,
    ours_per_second: f64,
    ratio: f64,
    /// The target, as a ratio or as a rate of ours.
    target: Target,
}

/// What a workload should reach on this machine (issue 13's targets).
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum Target {
    /// At least this share of the raw limit.
    Ratio(f64),
    /// At least this many a second.
    PerSecond(f64),
    /// Issue 13 names none.
    Unset,
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Ratio(ratio) => write!(f, "ratio ≥ {ratio}"),
            Target::PerSecond(rate) => write!(f, "≥ {rate:.0}/s"),
            Target::Unset => f.write_str("none set"),
        }
    }
}

impl Figures {
    /// Rounds the rates and works out the ratio.
    #[expect(
        clippy::too_many_arguments,
        reason = "each is one figure of the printed line, named at the call"
    )]
    fn new(
        workload: &'static str,
        backend: &'static str,
        unit: &'static str,
        count: u64,
        raw: &'static str,
        raw_per_second: f64,
        ours_per_second: f64,
        target: Target,
    ) -> Self {
        Self {
            workload,
            backend,
            unit,
            count,
            raw,
            raw_per_second: raw_per_second.round(),
            ours_per_second: ours_per_second.round(),
            ratio: (ours_per_second / raw_per_second * 100.0).round() / 100.0,
            target,
        }
    }

    /// Prints the figures for people, or as one JSON object.
    fn print(&self, json: bool, out: &mut dyn Write) -> CliResult {
        if json {
            writeln!(out, "{}", serde_json::to_string(self)?)?;
        } else {
            writeln!(
                out,
                "{} on {}, {} {}\n  raw limit ({}): {:.0} {}/s\n  scoreledger: {:.0} {}/s\n  ratio {:.2} (target: {})",
                self.workload,
                self.backend,
                self.count,
                self.unit,
                self.raw,
                self.raw_per_second,
                self.unit,
                self.ours_per_second,
                self.unit,
                self.ratio,
                self.target
            )?;
        }
        Ok(())
    }
}

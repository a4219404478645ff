//! `scoreledger verify`: the log as stored, checked commit by commit, and the read models
//! checked not to be ahead of it (`scoreledger_service::check_log`, as the API answers it).

use std::io::Write;

use indicatif::{ProgressBar, ProgressStyle};

use scoreledger_integrity::{KeyRing, PublicKey};
use scoreledger_service::{LogCheckOptions, Since};

use crate::app::App;
use crate::args::VerifyArgs;
use crate::exit::Failure;
use crate::failure::{CliResult, Failed};

/// The key to trust (`--trust`) and the checkpoints exported beside the log.
async fn options(app: &App, args: &VerifyArgs) -> CliResult<LogCheckOptions> {
    let trusted = match &args.trust {
        Some(given) => {
            let text = match std::fs::read_to_string(given) {
                Ok(text) => text,
                Err(_) => given.clone(),
            };
            let keys = text
                .lines()
                .filter(|line| !line.trim().is_empty())
                .map(PublicKey::parse)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|err| Failed::rejected(format!("--trust: {err}")))?;
            Some(KeyRing::of(keys))
        }
        None => None,
    };
    // Exported checkpoints are opened with every key the log has recorded (or the trusted
    // ones): a checkpoint nobody can open is itself a finding.
    let (ring, _) = scoreledger_service::checkpoints::key_ring(&*app.store).await?;
    let ring = match &trusted {
        Some(trusted) => KeyRing::of(trusted.all().chain(ring.all()).cloned()),
        None => ring,
    };
    let witnesses = match &app.signing.checkpoints {
        Some(dir) if !ring.is_empty() => {
            scoreledger_service::checkpoints::exported_checkpoints(dir, &ring).map_err(|err| {
                Failed {
                    kind: Failure::Corrupt,
                    error: anyhow::anyhow!(err),
                }
            })?
        }
        _ => Vec::new(),
    };
    let since = match &args.since {
        None => None,
        Some(given) => Some(match given.parse::<u64>() {
            Ok(size) => Since::Size(size),
            Err(_) => Since::Note(std::fs::read_to_string(given).map_err(|err| {
                Failed::rejected(format!(
                    "--since {given}: neither the size of a checkpoint nor a file holding one: {err}"
                ))
            })?),
        }),
    };
    Ok(LogCheckOptions {
        trusted,
        witnesses,
        since,
        every_signature: args.all_signatures,
    })
}

/// Runs `verify`.
pub async fn run(app: &App, args: &VerifyArgs, out: &mut dyn Write) -> CliResult {
    // Its length is the head the check reads, given with the first batch.
    let bar = if args.json {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(0)
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} verifying [{bar:40}] {pos}/{len} commits ({per_sec}, {eta} left)",
        )
        .expect("static progress template")
        .progress_chars("=> "),
    );
    let options = options(app, args).await?;
    let check =
        scoreledger_service::check_log_with(&*app.store, app.read(), options, |at, head| {
            bar.set_length(head.0);
            bar.set_position(at.0);
        })
        .await?;
    bar.finish_and_clear();
    if args.json {
        writeln!(
            out,
            "{}",
            serde_json::to_string(&check).expect("the check serialises")
        )?;
    }
    if !check.verified {
        return Err(Failed {
            kind: Failure::Corrupt,
            error: anyhow::anyhow!(check.message),
        });
    }
    if !args.json {
        writeln!(out, "{}", check.message)?;
    }
    if args.reports {
        reports(app, args.json, out).await?;
    }
    Ok(())
}

/// Every publication rebuilt from the log and compared with its published hash, one line (or
/// JSON object) each; the first that does not reproduce fails the verification.
async fn reports(app: &App, json: bool, out: &mut dyn Write) -> CliResult {
    app.catch_up_for_reading().await?;
    let publications = scoreledger_projections::all_publications(app.read()).await?;
    let bar = if json {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(publications.len() as u64)
    };
    for publication in &publications {
        let verification =
            scoreledger_service::verify_publication(&*app.store, app.read(), publication).await?;
        bar.inc(1);
        if json {
            writeln!(out, "{}", serde_json::to_string(&verification)?)?;
        } else {
            bar.suspend(|| {
                writeln!(
                    out,
                    "{} {} report {} published to {} on {}: replayed to position {}, sha256 {}",
                    if verification.verified { "✓" } else { "✗" },
                    publication.period,
                    publication.report_id,
                    publication.meeting,
                    publication.published_on,
                    verification.cut_off,
                    verification.replayed_sha256
                )
            })?;
        }
        if !verification.verified {
            bar.finish_and_clear();
            return Err(Failed {
                kind: Failure::Corrupt,
                error: anyhow::anyhow!(
                    "the {} report {} does not rebuild from the log: the first part that differs is {}",
                    publication.period,
                    publication.report_id,
                    verification
                        .first_differing_part
                        .as_deref()
                        .unwrap_or("the summary")
                ),
            });
        }
    }
    bar.finish_and_clear();
    Ok(())
}

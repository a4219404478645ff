//! `scoreledger report`: the quarterly scorecard, now or as it stood.

use std::io::Write;

use anyhow::Context;
use scoreledger_domain::{Period, Position};
use scoreledger_projections as projections;
use scoreledger_reports::{html, render, xlsx, QuarterReport};

use scoreledger_service::proofs;

use crate::app::App;
use crate::args::{AsAtArgs, ReportAction, ReportArgs, ReportFormat};
use crate::as_at;
use crate::exit::Failure;
use crate::failure::{CliResult, Failed};

/// Builds the report of `period` at `position`.
pub async fn build(app: &App, period: Period, position: Position) -> CliResult<QuarterReport> {
    Ok(scoreledger_service::report_at(app.read(), period, position).await?)
}

/// Runs `report`.
pub async fn run(app: &App, args: &ReportArgs, out: &mut dyn Write) -> CliResult {
    match &args.action {
        Some(ReportAction::List { when, json }) => return list(app, when, *json, out).await,
        Some(ReportAction::Rebuild { id }) => return rebuild(app, id, out).await,
        Some(ReportAction::Show {
            report,
            format,
            output,
        }) => return show(app, report, *format, output.as_deref(), out).await,
        Some(ReportAction::Diff {
            report,
            when,
            format,
        }) => return super::restated::run(app, report, when, *format, out).await,
        Some(ReportAction::Compare {
            earlier,
            later,
            current,
            by_measure,
            changed,
            when,
            format,
        }) => {
            let shown = match (*by_measure, *changed) {
                (false, _) => super::compare::Shown::Summary,
                (true, false) => super::compare::Shown::Measures,
                (true, true) => super::compare::Shown::ChangedMeasures,
            };
            return super::compare::run(app, [earlier, later], *current, shown, when, *format, out)
                .await;
        }
        None => {}
    }
    let Some(period) = &args.period else {
        return Err(Failed::rejected(
            "say which report: --period \"Q3 2016/17\", or `report list` / `report rebuild ID` for published ones",
        ));
    };
    let period = crate::app::period(period)?;
    let position = as_at::resolve(app, &args.when).await?;
    let report = build(app, period, position).await?;
    write_report(&report, args.format, args.output.as_deref(), out)
}

/// `report show REPORT`: a published report exactly as published, proved by its hash.
async fn show(
    app: &App,
    named: &str,
    format: ReportFormat,
    output: Option<&std::path::Path>,
    out: &mut dyn Write,
) -> CliResult {
    app.catch_up_for_reading().await?;
    let publication = scoreledger_service::find_publication(app.read(), named).await?;
    let report = scoreledger_service::published_report(app.read(), &publication).await?;
    eprintln!(
        "{} report {} as published to {} on {} (cut-off position {}); sha256 {} verified",
        publication.period,
        publication.report_id,
        publication.meeting,
        publication.published_on,
        publication.cut_off,
        publication.sha256
    );
    eprintln!("{}", publication_proof(app, publication.position).await?);
    write_report(&report, format, output, out)
}

/// The signed checkpoint covering a publication and the inclusion proof of its commit, in
/// words: what lets anyone holding the log's public key check, without this database, that
/// the publication is in the log as signed.
async fn publication_proof(app: &App, position: i64) -> CliResult<String> {
    let position = scoreledger_domain::Position(position as u64);
    let Some(checkpoint) = proofs::covering_checkpoint(&*app.store, position).await? else {
        return Ok(format!(
            "not yet covered by a signed checkpoint: `scoreledger --role admin checkpoint record` signs one (the publication commit is at position {position})"
        ));
    };
    let proof = proofs::inclusion_in(&*app.store, position, &checkpoint).await?;
    Ok(format!(
        "publication commit {} (hash {}) is leaf {} of the signed checkpoint of {} commits (head {}), by the audit path:\n{}\ncheckpoint:\n{}",
        proof.position,
        proof.commit_hash,
        proof.position - 1,
        proof.size,
        proof.root,
        proof
            .proof
            .iter()
            .map(|hash| format!("  {hash}"))
            .collect::<Vec<_>>()
            .join("\n"),
        proof.checkpoint.trim_end()
    ))
}

/// Renders `report` in `format`, to `output` or to `out`.
pub(crate) fn write_report(
    report: &QuarterReport,
    format: ReportFormat,
    output: Option<&std::path::Path>,
    out: &mut dyn Write,
) -> CliResult {
    let rendered: Vec<u8> = match format {
        ReportFormat::Table => {
            format!("{}sha256 {}\n", render::table(report), report.sha256()).into_bytes()
        }
        ReportFormat::Csv => render::csv(report).into_bytes(),
        ReportFormat::CsvWords => render::csv_in_words(report).into_bytes(),
        ReportFormat::Json => {
            eprintln!("sha256 {}", report.sha256());
            format!("{}\n", report.canonical_json()).into_bytes()
        }
        ReportFormat::Html => html::scorecard(report).into_bytes(),
        ReportFormat::Xlsx => {
            if output.is_none() {
                return Err(Failed::rejected(
                    "an XLSX workbook is binary: say where to write it with --output FILE.xlsx",
                ));
            }
            xlsx::scorecard(report).map_err(|err| Failed {
                kind: Failure::Rejected,
                error: err.into(),
            })?
        }
        ReportFormat::Pdf => {
            if output.is_none() {
                return Err(Failed::rejected(
                    "a PDF is binary: say where to write it with --output FILE.pdf",
                ));
            }
            scoreledger_pdf::pack(report).map_err(|err| Failed {
                kind: Failure::Unavailable,
                error: err.into(),
            })?
        }
    };
    match output {
        Some(path) => {
            std::fs::write(path, &rendered)
                .with_context(|| format!("failed to write {}", path.display()))
                .map_err(|error| Failed {
                    kind: Failure::Unavailable,
                    error,
                })?;
            writeln!(
                out,
                "wrote the {} report ({} bytes, sha256 of the report {}) to {}",
                report.period,
                rendered.len(),
                report.sha256(),
                path.display()
            )?;
        }
        None => out.write_all(&rendered)?,
    }
    Ok(())
}

/// `report list`: every publication.
async fn list(app: &App, when: &AsAtArgs, json: bool, out: &mut dyn Write) -> CliResult {
    let at = as_at::resolve(app, when).await?;
    let publications: Vec<_> = projections::all_publications(app.read())
        .await?
        .into_iter()
        .filter(|p| p.position as u64 <= at.0)
        .collect();
    print_publications(&publications, json, out)
}

/// The publications as a table, or one JSON object per line.
pub(crate) fn print_publications(
    publications: &[projections::Publication],
    json: bool,
    out: &mut dyn Write,
) -> CliResult {
    if json {
        for publication in publications {
            writeln!(
                out,
                "{}",
                serde_json::to_string(publication).expect("publications serialise")
            )?;
        }
        return Ok(());
    }
    if publications.is_empty() {
        writeln!(
            out,
            "no report has been published; publish one with `scoreledger publish`"
        )?;
        return Ok(());
    }
    let mut table = comfy_table::Table::new();
    table
        .load_preset(comfy_table::presets::UTF8_FULL_CONDENSED)
        .set_header(vec![
            "Id",
            "Period",
            "Meeting",
            "Published",
            "Cut-off",
            "SHA-256",
        ]);
    for p in publications {
        table.add_row(vec![
            p.report_id.clone(),
            p.period.clone(),
            p.meeting.clone(),
            p.published_on.clone(),
            p.cut_off.to_string(),
            format!("{}…", &p.sha256[..16]),
        ]);
    }
    writeln!(out, "{table}")?;
    Ok(())
}

/// `report rebuild ID`: replay to the cut-off into fresh read models and compare hashes (the
/// same proof as the API's `GET /api/reports/{report}/verification`).
async fn rebuild(app: &App, id: &str, out: &mut dyn Write) -> CliResult {
    app.catch_up_for_reading().await?;
    let publication = scoreledger_service::find_publication(app.read(), id).await?;
    let verification =
        scoreledger_service::verify_publication(&*app.store, app.read(), &publication).await?;
    let cut_off = verification.cut_off;
    writeln!(
        out,
        "{} report {} published to {} on {} at position {cut_off}",
        crate::app::period(&publication.period)?,
        publication.report_id,
        publication.meeting,
        publication.published_on
    )?;
    writeln!(out, "published sha256 {}", publication.sha256)?;
    writeln!(
        out,
        "replayed  sha256 {} (the first {cut_off} commits, fresh read models)",
        verification.replayed_sha256
    )?;
    writeln!(
        out,
        "as-at     sha256 {} (the live read models at position {cut_off})",
        verification.read_models_sha256
    )?;
    if let Some(differing) = &verification.first_differing_part {
        return Err(Failed {
            kind: Failure::Corrupt,
            error: anyhow::anyhow!(
                "the replayed {} report does not reproduce the published SHA-256; first differing part: {differing}",
                crate::app::period(&publication.period)?
            ),
        });
    }
    if let Some(differing) = &verification.read_models_first_differing_part {
        return Err(Failed {
            kind: Failure::Corrupt,
            error: anyhow::anyhow!(
                "the live read models disagree with the log at {differing}; run `scoreledger rebuild`"
            ),
        });
    }
    writeln!(out, "✓ the report rebuilds byte for byte")?;
    Ok(())
}

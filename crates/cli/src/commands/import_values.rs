//! `scoreledger import-values`: a filled-in scorecard sheet for a period, previewed cell by
//! cell, then appended through the one write path, all or nothing.

use std::io::Write;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};
use sha2::{Digest, Sha256};

use scoreledger_domain::RevisionClass;
use scoreledger_reports::sheet::{self, Problems, Sheet};
use scoreledger_service::values::{self, Outcome, Preview, ValuesImport};

use crate::app::{period, App};
use crate::args::{ImportValuesArgs, SheetFormat};
use crate::failure::{CliResult, Failed};

/// Runs `import-values`.
pub async fn run(app: &App, args: &ImportValuesArgs, out: &mut dyn Write) -> CliResult {
    let at = period(&args.period)?;
    let classification = args
        .classification
        .as_deref()
        .map(str::parse::<RevisionClass>)
        .transpose()
        .map_err(Failed::rejected)?;
    let (sheet, digest) = read(args)?;
    app.catch_up().await?;
    let import = ValuesImport {
        actor: &app.actor,
        directorate: None,
        period: at,
        classification,
        reason: args.reason.clone(),
        key: &digest,
        reported: app.reported.clone(),
    };
    let preview = values::preview(&*app.store, app.read(), &sheet, &import).await?;
    print(&preview, args, out)?;
    if !preview.problems.is_empty() {
        return Err(Failed::rejected(Problems(preview.problems)));
    }
    if args.dry_run {
        return Ok(());
    }
    let appended = values::apply(&*app.store, preview, &import).await?;
    let new: Vec<_> = appended.iter().filter(|a| !a.deduplicated).collect();
    let at = app.catch_up().await?;
    if args.json {
        return Ok(());
    }
    if appended.is_empty() {
        writeln!(out, "nothing to append: the log already holds every cell")?;
    } else {
        writeln!(
            out,
            "appended {} commits holding {} events{}; read models at position {at}",
            new.len(),
            new.iter().map(|a| a.commit.events.len()).sum::<usize>(),
            landed_before(appended.len() - new.len())
        )?;
    }
    Ok(())
}

/// The sheet and the SHA-256 of its bytes, which names the import.
fn read(args: &ImportValuesArgs) -> CliResult<(Sheet, String)> {
    let bytes = std::fs::read(&args.file)
        .map_err(|err| Failed::rejected(format!("cannot read {}: {err}", args.file.display())))?;
    let extension = args
        .file
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let format = match (args.format, extension.as_deref()) {
        (SheetFormat::Auto, Some("csv")) | (SheetFormat::Csv, _) => SheetFormat::Csv,
        (SheetFormat::Auto, Some("xlsx")) | (SheetFormat::Xlsx, _) => SheetFormat::Xlsx,
        (SheetFormat::Auto, _) => {
            return Err(Failed::rejected(format!(
                "cannot tell the format of {} from its name; pass --format csv or --format xlsx",
                args.file.display()
            )))
        }
    };
    let sheet = match format {
        SheetFormat::Xlsx => sheet::read_xlsx(&bytes),
        _ => sheet::read_csv_bytes(&bytes),
    }
    .map_err(|problems| {
        Failed::rejected(problems).context(format!("failed to read {}", args.file.display()))
    })?;
    Ok((sheet, hex::encode(Sha256::digest(&bytes))))
}

fn print(preview: &Preview, args: &ImportValuesArgs, out: &mut dyn Write) -> CliResult {
    if args.json {
        serde_json::to_writer_pretty(&mut *out, preview)?;
        writeln!(out)?;
        return Ok(());
    }
    writeln!(
        out,
        "{} for {}: {} new, {} revised, {} changed, {} unchanged",
        args.file.display(),
        preview.period,
        preview.count(Outcome::New),
        preview.count(Outcome::Revision),
        preview.count(Outcome::Change),
        preview.count(Outcome::Unchanged),
    )?;
    let shown: Vec<_> = preview
        .cells
        .iter()
        .filter(|c| args.all || c.outcome != Outcome::Unchanged)
        .collect();
    if !shown.is_empty() {
        let mut table = Table::new();
        table
            .load_preset(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_header([
                "Row", "Measure", "Period", "Field", "Before", "After", "Outcome",
            ]);
        for cell in shown {
            let outcome = match (cell.outcome, cell.classification) {
                (Outcome::Revision, Some(class)) => format!("revision ({class})"),
                (outcome, _) => outcome.as_str().to_owned(),
            };
            table.add_row([
                cell.row.to_string(),
                cell.measure.clone(),
                cell.period.to_string(),
                cell.field.to_owned(),
                cell.before.clone().unwrap_or_else(|| "—".to_owned()),
                cell.after.clone(),
                outcome,
            ]);
        }
        writeln!(out, "{table}")?;
    }
    if preview.problems.is_empty() && args.dry_run {
        writeln!(
            out,
            "would append {} commits holding {} events{}",
            preview.commits,
            preview.events,
            landed_before(preview.already_imported)
        )?;
    }
    Ok(())
}

fn landed_before(commits: usize) -> String {
    if commits == 0 {
        return String::new();
    }
    format!("; {commits} commits of this file had landed before and were not appended again")
}

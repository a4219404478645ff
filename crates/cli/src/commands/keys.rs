//! `scoreledger keys generate|show|rotate`: the log's Ed25519 signing key. The private key
//! goes to a file only its owner can read; the public key is recorded in the log (signed) and
//! shipped with evidence, so anyone can check the log's commits and checkpoints.

use std::io::Write;
use std::sync::Arc;

use serde::Serialize;

use scoreledger_integrity::LogKey;
use scoreledger_service::{checkpoints, keys};

use crate::app::App;
use crate::args::KeysCommand;
use crate::failure::{CliResult, Failed};
use crate::settings::Settings;
use crate::signing::{write_key, Signing};

/// Runs a `keys` subcommand.
pub async fn run(
    app: &App,
    settings: &Settings,
    command: &KeysCommand,
    out: &mut dyn Write,
) -> CliResult {
    match command {
        KeysCommand::Generate { origin, out: file } => {
            let (ring, _) = checkpoints::key_ring(&*app.store).await?;
            if !ring.is_empty() {
                return Err(Failed::rejected(
                    "the log already has a signing key; `scoreledger keys show` names it, and `keys rotate` replaces it",
                ));
            }
            let path = file
                .clone()
                .or_else(|| app.signing.key_file.clone())
                .ok_or_else(|| {
                    Failed::rejected(
                        "say where to keep the private key: --out FILE (or --signing-key FILE)",
                    )
                })?;
            let key = LogKey::generate(origin).map_err(Failed::rejected)?;
            write_key(&path, &key)?;
            let signed = reopen(app, settings, &key).await?;
            keys::add_key(&*signed.store, key.public(), None, app.actor.clone(), None).await?;
            let checkpoint = record(&signed).await?;
            writeln!(
                out,
                "The log now signs with {}.\nPrivate key: {} (mode 0600; keep it secret and backed up, never in the log)\nPublic key (give it to auditors): {}\n{checkpoint}",
                key.public().id(),
                path.display(),
                key.public().text()
            )?;
            Ok(())
        }
        KeysCommand::Show { json } => {
            let (ring, signed_from) = checkpoints::key_ring(&*app.store).await?;
            let active: Vec<String> = ring.active().map(|k| k.text().to_owned()).collect();
            let retired: Vec<String> = ring
                .all()
                .filter(|k| !ring.active().any(|a| a == *k))
                .map(|k| k.text().to_owned())
                .collect();
            let given = app
                .signing
                .key
                .as_ref()
                .map(|k| k.public().text().to_owned());
            let shown = Shown {
                active,
                retired,
                signed_from: signed_from.map(|p| p.0),
                key_given: given.clone(),
                key_given_matches: given.as_ref().map(|g| ring.active().any(|a| a.text() == g)),
            };
            if *json {
                writeln!(out, "{}", serde_json::to_string(&shown)?)?;
                return Ok(());
            }
            match &shown.signed_from {
                None => writeln!(
                    out,
                    "The log has no signing key yet: `scoreledger --role admin keys generate --origin NAME` adds one."
                )?,
                Some(from) => {
                    writeln!(out, "The log signs from position {from} with:")?;
                    for key in &shown.active {
                        writeln!(out, "  {key}")?;
                    }
                    for key in &shown.retired {
                        writeln!(out, "  retired: {key}")?;
                    }
                }
            }
            match (&shown.key_given, shown.key_given_matches) {
                (Some(key), Some(true)) => writeln!(out, "The key given ({key}) is the one it signs with.")?,
                (Some(key), _) => writeln!(out, "The key given ({key}) is NOT one the log signs with: writes would be refused as forged.")?,
                (None, _) => writeln!(out, "No private key was given (--signing-key FILE).")?,
            }
            Ok(())
        }
        KeysCommand::Rotate { out: file, reason } => {
            let old = app.signing.key.clone().ok_or_else(|| {
                Failed::rejected("rotating needs the current key: give it with --signing-key FILE")
            })?;
            if !keys::key_matches(&*app.store, &old).await? {
                return Err(Failed::rejected(
                    "the key given is not the one the log signs with; `scoreledger keys show` names it",
                ));
            }
            let path = file.clone().ok_or_else(|| {
                Failed::rejected("say where to keep the new private key: --out FILE (the old key file is left as it is)")
            })?;
            let new = LogKey::generate(old.origin()).map_err(Failed::rejected)?;
            write_key(&path, &new)?;
            // The old key vouches for the new one: the rotation is signed by the key it retires.
            keys::add_key(
                &*app.store,
                new.public(),
                Some(old.public()),
                app.actor.clone(),
                Some(reason.clone()),
            )
            .await?;
            let signed = reopen(app, settings, &new).await?;
            let checkpoint = record(&signed).await?;
            writeln!(
                out,
                "The log now signs with {} (retired {}).\nNew private key: {} (mode 0600); use it from now on with --signing-key.\nNew public key: {}\n{checkpoint}",
                new.public().id(),
                old.public().id(),
                path.display(),
                new.public().text()
            )?;
            Ok(())
        }
    }
}

#[derive(Serialize)]
struct Shown {
    active: Vec<String>,
    retired: Vec<String>,
    signed_from: Option<u64>,
    key_given: Option<String>,
    key_given_matches: Option<bool>,
}

/// The same log, signing with `key`.
async fn reopen(app: &App, settings: &Settings, key: &LogKey) -> CliResult<App> {
    let signing = Signing {
        key: Some(Arc::new(key.clone())),
        ..app.signing.clone()
    };
    App::open_signed(
        settings,
        app.actor.clone(),
        Arc::new(scoreledger_store::SystemClock),
        signing,
    )
    .await
}

/// Records and exports a checkpoint, saying what was done.
pub async fn record(app: &App) -> CliResult<String> {
    match checkpoints::record_checkpoint(&*app.store).await? {
        Some(checkpoint) => {
            let exported = export(app, &checkpoint)?;
            Ok(format!(
                "Checkpoint of {} commits signed (head {}){exported}.",
                checkpoint.size,
                checkpoint.root_hex()
            ))
        }
        None => Ok("Nothing new since the last checkpoint.".into()),
    }
}

/// Exports a checkpoint to the configured directory, if there is one.
pub fn export(
    app: &App,
    checkpoint: &scoreledger_integrity::SignedCheckpoint,
) -> CliResult<String> {
    match &app.signing.checkpoints {
        Some(dir) => {
            checkpoints::export_checkpoint(dir, checkpoint).map_err(|err| {
                Failed::rejected(format!(
                    "cannot export the checkpoint to {}: {err}",
                    dir.display()
                ))
            })?;
            Ok(format!(", exported to {}", dir.display()))
        }
        None => Ok(String::new()),
    }
}

/// Exports the log's latest checkpoint when it is newer than the one exported: after every
/// command, so the checkpoints a lock or a publication signed leave the log at once.
pub async fn export_latest(app: &App) -> CliResult {
    let Some(dir) = &app.signing.checkpoints else {
        return Ok(());
    };
    if app.signing.key.is_none() {
        return Ok(());
    }
    let Some((_, checkpoint, _)) = checkpoints::latest_checkpoint(&*app.store).await? else {
        return Ok(());
    };
    if std::fs::read_to_string(dir.join("latest")).ok().as_deref() == Some(checkpoint.note.as_str())
    {
        return Ok(());
    }
    export(app, &checkpoint)?;
    Ok(())
}

//! The log's signing key and exported checkpoints, as the command line finds them: the key
//! from `--signing-key FILE`, `SCORELEDGER_SIGNING_KEY`, or beside an embedded log
//! (`scoreledger.db` → `scoreledger.key`); checkpoints exported to `--checkpoints DIR` or
//! beside an embedded log (`scoreledger.checkpoints/`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use scoreledger_integrity::LogKey;

use crate::args::Cli;
use crate::failure::{CliResult, Failed};
use crate::settings::{Settings, StoreLocation};

/// Where the key and the exported checkpoints are.
#[derive(Debug, Clone, Default)]
pub struct Signing {
    /// The key, when one was found.
    pub key: Option<Arc<LogKey>>,
    /// The file the key is (or would be) kept in.
    pub key_file: Option<PathBuf>,
    /// Where checkpoints are exported.
    pub checkpoints: Option<PathBuf>,
}

/// Finds the key and the export directory for `settings`.
pub fn signing(cli: &Cli, settings: &Settings) -> CliResult<Signing> {
    let beside = match &settings.store {
        StoreLocation::Sqlite(path) => Some(path.clone()),
        StoreLocation::Nats { .. } => None,
    };
    let key_file = cli
        .signing_key
        .clone()
        .or_else(|| cli.council_key.clone())
        .or_else(|| beside.as_ref().map(|p| p.with_extension("key")));
    let checkpoints = cli
        .checkpoints
        .clone()
        .or_else(|| beside.as_ref().map(|p| p.with_extension("checkpoints")));
    let key = match std::env::var("SCORELEDGER_SIGNING_KEY") {
        Ok(text) if !text.trim().is_empty() => {
            Some(LogKey::from_secret(&text).map_err(|err| {
                Failed::rejected(format!("SCORELEDGER_SIGNING_KEY: {err}"))
            })?)
        }
        _ => match &key_file {
            Some(path) if path.exists() => Some(read_key(path)?),
            Some(path) if cli.signing_key.is_some() => {
                return Err(Failed::rejected(format!(
                    "--signing-key {}: no such file; `scoreledger --role admin keys generate` makes one",
                    path.display()
                )))
            }
            _ => None,
        },
    };
    Ok(Signing {
        key: key.map(Arc::new),
        key_file,
        checkpoints,
    })
}

/// Reads a key file, refusing one that others can read.
pub fn read_key(path: &Path) -> CliResult<LogKey> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map_err(|err| Failed::rejected(format!("cannot read {}: {err}", path.display())))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(Failed::rejected(format!(
                "the signing key {} can be read by others (mode {:o}); run: chmod 600 {}",
                path.display(),
                mode & 0o777,
                path.display()
            )));
        }
    }
    let text = std::fs::read_to_string(path)
        .map_err(|err| Failed::rejected(format!("cannot read {}: {err}", path.display())))?;
    LogKey::from_secret(&text).map_err(|err| Failed::rejected(format!("{}: {err}", path.display())))
}

/// Writes a new key file readable by its owner alone; never overwrites one.
pub fn write_key(path: &Path, key: &LogKey) -> CliResult {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|err| {
        Failed::rejected(format!(
            "cannot create the key file {}: {err}{}",
            path.display(),
            if err.kind() == std::io::ErrorKind::AlreadyExists {
                " (a key is never overwritten; move it away first, or give --out)"
            } else {
                ""
            }
        ))
    })?;
    writeln!(file, "{}", key.secret())?;
    file.sync_all()?;
    Ok(())
}

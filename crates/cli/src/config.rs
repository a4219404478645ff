//! The optional configuration file (`--config FILE` or `SCORELEDGER_CONFIG`): TOML with the
//! same keys as the global flags. Flags and environment variables win over the file; the file
//! wins over built-in defaults.
//!
//! ```toml
//! store = "nats://127.0.0.1:4222"
//! db = "postgres://scoreledger@127.0.0.1:5432/scoreledger"
//! nats_stream = "SCORELEDGER"
//! nats_prefix = "scoreledger"
//! nats_replicas = 3
//! nats_creds = "/etc/scoreledger/service.creds"
//! nats_tls_ca = "/etc/scoreledger/nats-ca.pem"
//! user = "simon.dennis"
//! name = "Simon Dennis"
//! role = "performance"
//! ```

use std::path::{Path, PathBuf};

use clap::parser::ValueSource;
use clap::ArgMatches;
use serde::Deserialize;

use crate::args::Cli;

/// The file's keys, all optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// See `--db`.
    pub db: Option<String>,
    /// See `--store`.
    pub store: Option<String>,
    /// See `--nats-stream`.
    pub nats_stream: Option<String>,
    /// See `--nats-prefix`.
    pub nats_prefix: Option<String>,
    /// See `--nats-replicas`.
    pub nats_replicas: Option<u8>,
    /// See `--nats-creds`.
    pub nats_creds: Option<PathBuf>,
    /// See `--nats-nkey`.
    pub nats_nkey: Option<PathBuf>,
    /// See `--nats-tls-ca`.
    pub nats_tls_ca: Option<PathBuf>,
    /// See `--nats-tls-cert`.
    pub nats_tls_cert: Option<PathBuf>,
    /// See `--nats-tls-key`.
    pub nats_tls_key: Option<PathBuf>,
    /// See `--user`.
    pub user: Option<String>,
    /// See `--name`.
    pub name: Option<String>,
    /// See `--role`.
    pub role: Option<String>,
    /// See `--councils`.
    pub councils: Option<PathBuf>,
    /// See `--council`.
    pub council: Option<String>,
}

/// Reads a configuration file.
pub fn read(path: &Path) -> Result<ConfigFile, String> {
    let text = std::fs::read_to_string(path).map_err(|err| {
        format!(
            "cannot read the configuration file {}: {err}",
            path.display()
        )
    })?;
    // The parser quotes the offending line, which may hold a URL with its password.
    toml::from_str(&text).map_err(|err| {
        format!(
            "the configuration file {} is not valid: {}; its keys are db, store, nats_stream, nats_prefix, nats_replicas, nats_creds, nats_nkey, nats_tls_ca, nats_tls_cert, nats_tls_key, user, name, role, councils, council",
            path.display(),
            scoreledger_store::redacted(&err.to_string())
        )
    })
}

/// Fills every setting the command line and environment left at its default from `file`.
pub fn apply(cli: &mut Cli, matches: &ArgMatches, file: ConfigFile) {
    let defaulted = |id: &str| {
        matches!(
            matches.value_source(id),
            None | Some(ValueSource::DefaultValue)
        )
    };
    let fill = |id: &str, slot: &mut String, value: Option<String>| {
        if let (true, Some(value)) = (defaulted(id), value) {
            *slot = value;
        }
    };
    fill("db", &mut cli.db, file.db);
    fill("nats_stream", &mut cli.nats_stream, file.nats_stream);
    fill("nats_prefix", &mut cli.nats_prefix, file.nats_prefix);
    fill("user", &mut cli.user, file.user);
    fill("role", &mut cli.role, file.role);
    if defaulted("store") {
        cli.store = cli.store.take().or(file.store);
    }
    if defaulted("name") {
        cli.name = cli.name.take().or(file.name);
    }
    if defaulted("council") {
        cli.council = cli.council.take().or(file.council);
    }
    if let (true, Some(replicas)) = (defaulted("nats_replicas"), file.nats_replicas) {
        cli.nats_replicas = replicas;
    }
    let fill_path = |id: &str, slot: &mut Option<PathBuf>, value: Option<PathBuf>| {
        if defaulted(id) {
            *slot = slot.take().or(value);
        }
    };
    fill_path("nats_creds", &mut cli.nats_creds, file.nats_creds);
    fill_path("nats_nkey", &mut cli.nats_nkey, file.nats_nkey);
    fill_path("nats_tls_ca", &mut cli.nats_tls_ca, file.nats_tls_ca);
    fill_path("nats_tls_cert", &mut cli.nats_tls_cert, file.nats_tls_cert);
    fill_path("nats_tls_key", &mut cli.nats_tls_key, file.nats_tls_key);
    fill_path("councils", &mut cli.councils, file.councils);
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_invalid_file_is_quoted_without_a_password() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("scoreledger.toml");
        std::fs::write(&path, "store = nats://scoreledger:s3cret@nats-1:4222\n").unwrap();
        let err = super::read(&path).unwrap_err();
        assert!(err.contains("is not valid"), "{err}");
        assert!(err.contains("scoreledger:***@nats-1"), "{err}");
        assert!(!err.contains("s3cret"), "{err}");
    }
}

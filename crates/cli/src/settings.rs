//! Where the log and the read models live, validated once from flags and environment.
//!
//! Nothing given: one embedded SQLite file (`scoreledger.db`) holds both. Production: the
//! log on NATS JetStream (`--store nats://HOST:PORT`) and the read models in a database
//! (`--db sqlite:PATH`). Server URLs may carry a password: they are kept as [`ServerUrl`],
//! which shows them (in `Debug` too) without it.

use std::path::PathBuf;
use std::time::Duration;

use scoreledger_store::{redacted, NatsConfig, NatsSecurity, ServerUrl};

use crate::args::Cli;
use crate::failure::{CliResult, Failed};

/// Where the event log lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreLocation {
    /// The embedded SQLite file.
    Sqlite(PathBuf),
    /// A JetStream stream.
    Nats {
        /// Server URL, or a cluster's servers separated by commas.
        url: ServerUrl,
        /// Stream name.
        stream: String,
        /// Subject prefix.
        prefix: String,
        /// Replicas of the stream.
        replicas: usize,
        /// Login files and TLS.
        security: NatsSecurity,
    },
}

/// The settings of a log on NATS beside its URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NatsOptions {
    /// Stream name (`--nats-stream`).
    pub stream: String,
    /// Subject prefix (`--nats-prefix`).
    pub prefix: String,
    /// Replicas (`--nats-replicas`).
    pub replicas: usize,
    /// Login files and TLS (`--nats-creds`, `--nats-nkey`, `--nats-tls-*`).
    pub security: NatsSecurity,
}

impl NatsOptions {
    /// A stream and prefix on one server, with no login files or TLS settings.
    pub fn named(stream: &str, prefix: &str) -> Self {
        Self {
            stream: stream.to_owned(),
            prefix: prefix.to_owned(),
            replicas: 1,
            security: NatsSecurity::default(),
        }
    }

    /// As the command line, environment and configuration file give them.
    pub fn from_cli(cli: &Cli) -> CliResult<Self> {
        let tls_client = match (&cli.nats_tls_cert, &cli.nats_tls_key) {
            (Some(cert), Some(key)) => Some((cert.clone(), key.clone())),
            (None, None) => None,
            _ => {
                return Err(Failed::rejected(
                    "a NATS client certificate needs its key: give --nats-tls-cert and --nats-tls-key together",
                ))
            }
        };
        // The flag is checked by clap; a configuration file's value is not.
        if !(1..=5).contains(&cli.nats_replicas) {
            return Err(Failed::rejected(format!(
                "nats_replicas {} is not a replica count; JetStream keeps 1 to 5 replicas of a stream (3 on a three-node cluster)",
                cli.nats_replicas
            )));
        }
        Ok(Self {
            replicas: usize::from(cli.nats_replicas),
            security: NatsSecurity {
                credentials: cli.nats_creds.clone(),
                nkey: cli.nats_nkey.clone(),
                tls_ca: cli.nats_tls_ca.clone(),
                tls_client,
            },
            ..Self::named(&cli.nats_stream, &cli.nats_prefix)
        })
    }
}

/// Where the read models live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadModelLocation {
    /// A SQLite file (the same file as the log when the log is embedded).
    Sqlite(PathBuf),
    /// A PostgreSQL database (production, with the log on NATS).
    Postgres(ServerUrl),
}

/// Validated settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The log.
    pub store: StoreLocation,
    /// The read models.
    pub read_models: ReadModelLocation,
}

fn sqlite_path(text: &str) -> Option<PathBuf> {
    let path = text
        .strip_prefix("sqlite://")
        .or_else(|| text.strip_prefix("sqlite:"))
        .unwrap_or(text);
    (!path.is_empty() && !path.contains("://")).then(|| PathBuf::from(path))
}

/// Parses `--db` (a path, `sqlite:PATH`, `postgres://…`) and `--store` (`sqlite:PATH`,
/// `nats://HOST:PORT`, several separated by commas).
pub fn settings(db: &str, store: Option<&str>, nats: &NatsOptions) -> CliResult<Settings> {
    let (nats_stream, nats_prefix) = (nats.stream.as_str(), nats.prefix.as_str());
    let read_models = if db.starts_with("postgres://") || db.starts_with("postgresql://") {
        ReadModelLocation::Postgres(db.into())
    } else {
        ReadModelLocation::Sqlite(sqlite_path(db).ok_or_else(|| {
            Failed::rejected(format!(
                "--db {:?} is not a database location; write a file path, sqlite:PATH or postgres://…",
                redacted(db)
            ))
        })?)
    };
    let store = match store.map(str::trim).filter(|s| !s.is_empty()) {
        None => match &read_models {
            ReadModelLocation::Sqlite(path) => StoreLocation::Sqlite(path.clone()),
            ReadModelLocation::Postgres(_) => {
                return Err(Failed::rejected(
                    "PostgreSQL holds read models only; say where the log is with --store nats://HOST:PORT (or sqlite:PATH)",
                ))
            }
        },
        Some(url) if url.starts_with("nats://") || url.starts_with("tls://") => {
            if nats_stream.is_empty() || nats_stream.contains(['.', ' ', '*', '>']) {
                return Err(Failed::rejected(format!(
                    "--nats-stream {nats_stream:?} is not a stream name; use letters, digits, - and _"
                )));
            }
            if nats_prefix.is_empty() || nats_prefix.contains([' ', '*', '>']) {
                return Err(Failed::rejected(format!("--nats-prefix {nats_prefix:?} is not a subject prefix")));
            }
            StoreLocation::Nats {
                url: url.into(),
                stream: nats_stream.to_owned(),
                prefix: nats_prefix.to_owned(),
                replicas: nats.replicas,
                security: nats.security.clone(),
            }
        }
        Some(other) => StoreLocation::Sqlite(sqlite_path(other).ok_or_else(|| {
            Failed::rejected(format!(
                "--store {:?} is not an event log location; write sqlite:PATH or nats://HOST:PORT",
                redacted(other)
            ))
        })?),
    };
    Ok(Settings { store, read_models })
}

impl StoreLocation {
    /// The NATS configuration, for a NATS location.
    pub fn nats_config(&self) -> Option<NatsConfig> {
        match self {
            StoreLocation::Nats {
                url,
                stream,
                prefix,
                replicas,
                security,
            } => Some(NatsConfig {
                url: url.clone(),
                stream: stream.clone(),
                prefix: prefix.clone(),
                replicas: *replicas,
                duplicate_window: Duration::from_secs(120),
                security: security.clone(),
            }),
            StoreLocation::Sqlite(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_given_is_one_embedded_file() {
        let s = settings(
            "scoreledger.db",
            None,
            &NatsOptions::named("SCORELEDGER", "scoreledger"),
        )
        .unwrap();
        assert_eq!(s.store, StoreLocation::Sqlite("scoreledger.db".into()));
        assert_eq!(
            s.read_models,
            ReadModelLocation::Sqlite("scoreledger.db".into())
        );
    }

    #[test]
    fn a_nats_log_keeps_read_models_in_the_database_given() {
        let s = settings(
            "sqlite:read.db",
            Some("nats://127.0.0.1:4222"),
            &NatsOptions::named("SCORELEDGER", "scoreledger"),
        )
        .unwrap();
        assert!(
            matches!(s.store, StoreLocation::Nats { ref url, .. } if url.expose() == "nats://127.0.0.1:4222")
        );
        assert_eq!(s.read_models, ReadModelLocation::Sqlite("read.db".into()));
    }

    #[test]
    fn settings_never_show_a_password() {
        let s = settings(
            "postgres://reader:pg-s3cret@127.0.0.1/x",
            Some("nats://scoreledger:nats-s3cret@127.0.0.1:4222"),
            &NatsOptions::named("SCORELEDGER", "scoreledger"),
        )
        .unwrap();
        let config = s.store.nats_config().unwrap();
        for shown in [format!("{s:?}"), format!("{config:?}")] {
            assert!(
                !shown.contains("s3cret") && shown.contains("scoreledger:***@127.0.0.1:4222"),
                "{shown}"
            );
        }
        assert!(format!("{s:?}").contains("reader:***@127.0.0.1"), "{s:?}");
        assert_eq!(
            config.url.expose(),
            "nats://scoreledger:nats-s3cret@127.0.0.1:4222"
        );
    }

    #[test]
    fn bad_locations_say_what_to_write() {
        let err = settings(
            "x.db",
            Some("kafka://x"),
            &NatsOptions::named("SCORELEDGER", "p"),
        )
        .unwrap_err();
        assert!(
            err.render().contains("sqlite:PATH or nats://HOST:PORT"),
            "{}",
            err.render()
        );
        // A mistyped location is echoed without its password.
        let err = settings(
            "mysql://app:s3cret@db/x",
            None,
            &NatsOptions::named("SCORELEDGER", "p"),
        )
        .unwrap_err();
        assert!(
            err.render()
                .contains("\"mysql://app:***@db/x\" is not a database location"),
            "{}",
            err.render()
        );
        let err = settings(
            "x.db",
            Some("kafka://app:s3cret@h"),
            &NatsOptions::named("SCORELEDGER", "p"),
        )
        .unwrap_err();
        assert!(!err.render().contains("s3cret"), "{}", err.render());
        let err =
            settings("x.db", Some("nats://h:1"), &NatsOptions::named("A.B", "p")).unwrap_err();
        assert!(
            err.render().contains("not a stream name"),
            "{}",
            err.render()
        );
    }
}

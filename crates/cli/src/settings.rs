//! Where the log and the read models live, validated once from flags and environment.
//!
//! Nothing given: one embedded SQLite file (`scoreledger.db`) holds both. Production: the
//! log on NATS JetStream (`--store nats://HOST:PORT`) and the read models in a database
//! (`--db sqlite:PATH`). Server URLs may carry a password: they are kept as [`ServerUrl`],
//! which shows them (in `Debug` too) without it.

use std::path::PathBuf;
use std::time::Duration;

use scoreledger_store::{redacted, NatsConfig, ServerUrl};

use crate::failure::{CliResult, Failed};

/// Where the event log lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreLocation {
    /// The embedded SQLite file.
    Sqlite(PathBuf),
    /// A JetStream stream.
    Nats {
        /// Server URL.
        url: ServerUrl,
        /// Stream name.
        stream: String,
        /// Subject prefix.
        prefix: String,
    },
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
/// `nats://HOST:PORT`).
pub fn settings(
    db: &str,
    store: Option<&str>,
    nats_stream: &str,
    nats_prefix: &str,
) -> CliResult<Settings> {
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
            } => Some(NatsConfig {
                url: url.clone(),
                stream: stream.clone(),
                prefix: prefix.clone(),
                replicas: 1,
                duplicate_window: Duration::from_secs(120),
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
        let s = settings("scoreledger.db", None, "SCORELEDGER", "scoreledger").unwrap();
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
            "SCORELEDGER",
            "scoreledger",
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
            "SCORELEDGER",
            "scoreledger",
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
        let err = settings("x.db", Some("kafka://x"), "SCORELEDGER", "p").unwrap_err();
        assert!(
            err.render().contains("sqlite:PATH or nats://HOST:PORT"),
            "{}",
            err.render()
        );
        // A mistyped location is echoed without its password.
        let err = settings("mysql://app:s3cret@db/x", None, "SCORELEDGER", "p").unwrap_err();
        assert!(
            err.render()
                .contains("\"mysql://app:***@db/x\" is not a database location"),
            "{}",
            err.render()
        );
        let err = settings("x.db", Some("kafka://app:s3cret@h"), "SCORELEDGER", "p").unwrap_err();
        assert!(!err.render().contains("s3cret"), "{}", err.render());
        let err = settings("x.db", Some("nats://h:1"), "A.B", "p").unwrap_err();
        assert!(
            err.render().contains("not a stream name"),
            "{}",
            err.render()
        );
    }
}

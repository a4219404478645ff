//! The councils file (`--councils FILE`, `SCORELEDGER_COUNCILS`, or `councils` in the
//! configuration file): one deployment serving several councils, each with a log and read
//! models of its own. `serve`, `project` and `migrate` without `--council` work on every
//! council in it; every other command on the one `--council ID` names.
//!
//! ```toml
//! [[council]]
//! id = "rotherham"
//! name = "Rotherham Metropolitan Borough Council"
//! db = "postgres://scoreledger@db:5432/rotherham"
//! signing_key = "/etc/scoreledger/keys/rotherham.key"
//! checkpoints = "/var/lib/scoreledger/checkpoints/rotherham"
//! # nats_stream = "SCORELEDGER_ROTHERHAM"   (the default)
//! # nats_prefix = "scoreledger.rotherham"   (the default)
//! ```
//!
//! The NATS servers, login and replicas (`--store`, `--nats-*`) are the deployment's, shared
//! by every council; everything that holds a council's data is its own, and the file is
//! refused if two councils would share any of it.

use std::path::{Path, PathBuf};

use scoreledger_server::councils::{Council, CouncilId};
use serde::Deserialize;

use crate::args::{Cli, Command};
use crate::failure::{CliResult, Failed};

/// The file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CouncilsFile {
    council: Vec<Entry>,
}

/// A council as the file gives it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    id: String,
    name: String,
    db: String,
    nats_stream: Option<String>,
    nats_prefix: Option<String>,
    signing_key: Option<PathBuf>,
    checkpoints: Option<PathBuf>,
}

/// A council of the deployment and where its data lives.
#[derive(Debug, Clone)]
pub struct CouncilPlace {
    /// Who.
    pub council: Council,
    /// Its read models (and, with no `--store`, its embedded log): as `--db`.
    pub db: String,
    /// Its stream on NATS.
    pub nats_stream: String,
    /// Its subjects' prefix on NATS.
    pub nats_prefix: String,
    /// Its signing key file.
    pub signing_key: Option<PathBuf>,
    /// Where its checkpoints are exported.
    pub checkpoints: Option<PathBuf>,
}

impl CouncilPlace {
    /// Points the global settings at this council: its database, stream, prefix, key file and
    /// checkpoints replace whatever they were.
    pub fn apply(&self, cli: &mut Cli) {
        cli.db = self.db.clone();
        cli.nats_stream = self.nats_stream.clone();
        cli.nats_prefix = self.nats_prefix.clone();
        cli.signing_key = None;
        cli.council_key = self.signing_key.clone();
        cli.checkpoints = self.checkpoints.clone();
    }
}

/// Reads and checks a councils file.
pub fn read(path: &Path) -> Result<Vec<CouncilPlace>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|err| format!("cannot read the councils file {}: {err}", path.display()))?;
    parse(&text).map_err(|err| format!("the councils file {}: {err}", path.display()))
}

/// Parses a councils file's text and checks that no two councils share anything that holds
/// their data.
fn parse(text: &str) -> Result<Vec<CouncilPlace>, String> {
    // The parser quotes the offending line, which may hold a URL with its password.
    let file: CouncilsFile = toml::from_str(text).map_err(|err| {
        format!(
            "not valid: {}; each [[council]] has id, name and db, and may have nats_stream, nats_prefix, signing_key and checkpoints",
            scoreledger_store::redacted(&err.to_string())
        )
    })?;
    if file.council.is_empty() {
        return Err("names no council; add a [[council]] table for each".to_owned());
    }
    let places = file
        .council
        .into_iter()
        .map(|entry| {
            let id = CouncilId::parse(entry.id.trim())?;
            if entry.name.trim().is_empty() {
                return Err(format!("council {id} has no name"));
            }
            Ok(CouncilPlace {
                nats_stream: entry.nats_stream.unwrap_or_else(|| {
                    format!(
                        "SCORELEDGER_{}",
                        id.as_str().to_uppercase().replace('-', "_")
                    )
                }),
                nats_prefix: entry
                    .nats_prefix
                    .unwrap_or_else(|| format!("scoreledger.{id}")),
                council: Council {
                    id,
                    name: entry.name.trim().to_owned(),
                },
                db: entry.db,
                signing_key: entry.signing_key,
                checkpoints: entry.checkpoints,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    for (i, a) in places.iter().enumerate() {
        for b in &places[i + 1..] {
            let (x, y) = (&a.council.id, &b.council.id);
            let shared = if x == y {
                Some("the id".to_owned())
            } else if same_database(&a.db, &b.db) {
                Some(format!(
                    "the database {}",
                    scoreledger_store::redacted(&a.db)
                ))
            } else if a.nats_stream == b.nats_stream {
                Some(format!("the stream {}", a.nats_stream))
            } else if subjects_overlap(&a.nats_prefix, &b.nats_prefix) {
                Some(format!(
                    "subjects (prefixes {} and {})",
                    a.nats_prefix, b.nats_prefix
                ))
            } else if same_file(a.signing_key.as_deref(), b.signing_key.as_deref()) {
                Some("a signing key".to_owned())
            } else if same_file(a.checkpoints.as_deref(), b.checkpoints.as_deref()) {
                Some("a checkpoints directory".to_owned())
            } else {
                None
            };
            if let Some(shared) = shared {
                return Err(format!(
                    "councils {x} and {y} share {shared}; each council's data must be its own"
                ));
            }
        }
    }
    Ok(places)
}

/// Which councils a command works on.
#[derive(Debug)]
pub enum Scope {
    /// One log: the settings as given, or the council `--council` named (already applied to
    /// them).
    One(Option<CouncilPlace>),
    /// Every council of the file (`serve`, `project`, `migrate` without `--council`).
    Every(Vec<CouncilPlace>),
}

/// The councils the command line asks for, with the chosen council's places applied to `cli`.
pub fn scope(cli: &mut Cli) -> CliResult<Scope> {
    let Some(path) = cli.councils.clone() else {
        return match &cli.council {
            Some(id) => Err(Failed::rejected(format!(
                "--council {id} names a council of a councils file: give the file with --councils FILE (or SCORELEDGER_COUNCILS)"
            ))),
            None => Ok(Scope::One(None)),
        };
    };
    if let Some(given) = cli.places_given.first() {
        return Err(Failed::rejected(format!(
            "--{} cannot be given with --councils: each council's database, stream, subject prefix, signing key and checkpoints come from the councils file ({})",
            given.replace('_', "-"),
            path.display()
        )));
    }
    let places = read(&path).map_err(Failed::rejected)?;
    if std::env::var("SCORELEDGER_SIGNING_KEY").is_ok_and(|key| !key.trim().is_empty()) {
        return Err(Failed::rejected(
            "SCORELEDGER_SIGNING_KEY holds one key, and each council of a councils file signs with its own: give each council's key file as its signing_key in the file, and unset SCORELEDGER_SIGNING_KEY",
        ));
    }
    let ids = || {
        places
            .iter()
            .map(|place| place.council.id.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match cli.council.as_deref().map(str::trim) {
        Some(id) => {
            let place = places
                .iter()
                .find(|place| place.council.id.as_str() == id)
                .ok_or_else(|| {
                    Failed::rejected(format!(
                        "--council {id:?} is not in {}; its councils are {}",
                        path.display(),
                        ids()
                    ))
                })?
                .clone();
            place.apply(cli);
            Ok(Scope::One(Some(place)))
        }
        None if matches!(cli.command, Command::Serve(_) | Command::Project | Command::Migrate) => {
            Ok(Scope::Every(places))
        }
        None => Err(Failed::rejected(format!(
            "{} serves several councils; say which this command is for with --council ID (one of {})",
            path.display(),
            ids()
        ))),
    }
}

/// Whether two `db` settings name one database however they are written: one PostgreSQL
/// server, port and database (the user, options and spelling aside), or one SQLite file.
fn same_database(a: &str, b: &str) -> bool {
    fn postgres(url: &str) -> Option<(String, u16, String)> {
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return None;
        }
        let options: sqlx::postgres::PgConnectOptions = url.parse().ok()?;
        let database = options
            .get_database()
            .unwrap_or_else(|| options.get_username())
            .to_owned();
        Some((
            options.get_host().to_ascii_lowercase(),
            options.get_port(),
            database,
        ))
    }
    fn sqlite(path: &str) -> PathBuf {
        let path = path
            .strip_prefix("sqlite://")
            .or_else(|| path.strip_prefix("sqlite:"))
            .unwrap_or(path);
        std::path::absolute(path).unwrap_or_else(|_| PathBuf::from(path))
    }
    match (postgres(a), postgres(b)) {
        (Some(a), Some(b)) => a == b,
        (None, None) => sqlite(a) == sqlite(b),
        _ => false,
    }
}

/// Whether two optional paths name one file or directory, however they are written.
fn same_file(a: Option<&Path>, b: Option<&Path>) -> bool {
    let absolute = |path: &Path| std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    matches!((a, b), (Some(a), Some(b)) if absolute(a) == absolute(b))
}

/// Whether one prefix's subjects (`<prefix>.…`) can be another's.
fn subjects_overlap(a: &str, b: &str) -> bool {
    let within = |outer: &str, inner: &str| {
        inner == outer
            || inner
                .strip_prefix(outer)
                .is_some_and(|rest| rest.starts_with('.'))
    };
    within(a, b) || within(b, a)
}

#[cfg(test)]
mod tests {
    use super::parse;

    const TWO: &str = r#"
[[council]]
id = "rotherham"
name = "Rotherham Metropolitan Borough Council"
db = "postgres://scoreledger:s3cret@db/rotherham"

[[council]]
id = "north-east"
name = "North East Lincolnshire Council"
db = "postgres://scoreledger:s3cret@db/north_east"
signing_key = "/keys/ne.key"
"#;

    #[test]
    fn each_council_gets_a_stream_and_prefix_of_its_own() {
        let places = parse(TWO).unwrap();
        assert_eq!(places.len(), 2);
        assert_eq!(places[0].nats_stream, "SCORELEDGER_ROTHERHAM");
        assert_eq!(places[0].nats_prefix, "scoreledger.rotherham");
        assert_eq!(places[1].nats_stream, "SCORELEDGER_NORTH_EAST");
        assert_eq!(places[1].council.name, "North East Lincolnshire Council");
    }

    #[test]
    fn the_shipped_example_is_a_valid_file() {
        let places = parse(include_str!("../../../deploy/councils/councils.toml")).unwrap();
        assert_eq!(places.len(), 2);
        assert_eq!(places[1].nats_stream, "SCORELEDGER_SANDWELL");
    }

    #[test]
    fn councils_that_would_share_data_are_refused() {
        for (change, says) in [
            (("north-east", "rotherham"), "share the id"),
            (("db/north_east", "db/rotherham"), "share the database"),
            (
                (
                    "s3cret@db/north_east",
                    "other@db:5432/rotherham?sslmode=require",
                ),
                "share the database",
            ),
            (
                (
                    "db/rotherham\"",
                    "db/rotherham\"\nsigning_key = \"/keys/./ne.key\"",
                ),
                "share a signing key",
            ),
            (
                (
                    "name = \"North",
                    "nats_stream = \"SCORELEDGER_ROTHERHAM\"\nname = \"North",
                ),
                "share the stream",
            ),
            (
                (
                    "name = \"North",
                    "nats_prefix = \"scoreledger.rotherham.ne\"\nname = \"North",
                ),
                "share subjects",
            ),
        ] {
            let text = TWO.replacen(change.0, change.1, 1);
            let err = parse(&text).unwrap_err();
            assert!(err.contains(says), "{change:?}: {err}");
            assert!(!err.contains("s3cret"), "{err}");
        }
        let err = parse(&TWO.replace("id = \"rotherham\"", "id = \"Rotherham\"")).unwrap_err();
        assert!(err.contains("not a council id"), "{err}");
        let err = parse(&TWO.replace(
            "db = \"postgres://scoreledger:s3cret@db/rotherham\"",
            "db = postgres://scoreledger:s3cret@db/x",
        ))
        .unwrap_err();
        assert!(
            err.contains("not valid") && !err.contains("s3cret"),
            "{err}"
        );
        assert!(parse("council = []")
            .unwrap_err()
            .contains("names no council"));
    }
}

//! The application around one log and its read models: open them, keep the read models
//! caught up, and run commands through the one write path (load → decide → append).

use std::sync::Arc;

use anyhow::Context as _;

use scoreledger_domain::{
    Actor, Command, MeasureId, MeasureRef, Period, PlanId, Position, Reported, Role, StreamId,
};
use scoreledger_projections::{self as projections, ReadModels};
use scoreledger_store::{Appended, Clock, EventStore, NatsStore, SqliteStore, SystemClock};

use crate::args::Cli;
use crate::failure::{CliResult, Failed};
use crate::settings::{ReadModelLocation, Settings, StoreLocation};
use crate::signing::Signing;

/// One open log, its read models, and the person using them.
pub struct App {
    /// The event log.
    pub store: Arc<dyn EventStore>,
    /// The read models.
    pub read: ReadModels,
    /// Who is acting.
    pub actor: Actor,
    /// The signing key and where checkpoints are exported.
    pub signing: Signing,
    /// When and where the changes entered were reported, if before they are entered
    /// (`--reported-on`, `--reported-in`): every commit this run appends carries it.
    pub reported: Option<Reported>,
    /// The council of a deployment's councils file this log is (`--council`): the tokens
    /// made here name it, and `serve` routes by it.
    pub council: Option<scoreledger_server::councils::Council>,
}

/// When and where the changes were reported, from `--reported-on` and `--reported-in` (the
/// domain judges the day and the document). One without the other is refused here as well as
/// by clap: a change must never land without the day its author gave.
pub fn reported_from(cli: &Cli) -> CliResult<Option<Reported>> {
    match (cli.reported_on, &cli.reported_in) {
        (Some(on), Some(document)) => Ok(Some(Reported {
            on,
            document: document.trim().to_owned(),
        })),
        (None, None) => Ok(None),
        _ => Err(Failed::rejected(
            "--reported-on and --reported-in go together: give the day and the document it was reported in",
        )),
    }
}

/// The actor described by the global flags.
pub fn actor_from(cli: &Cli) -> CliResult<Actor> {
    let role: Role = cli.role.parse().map_err(Failed::rejected)?;
    let id = cli.user.trim();
    if id.is_empty() {
        return Err(Failed::rejected(
            "--user is empty; say who you are (or set SCORELEDGER_USER)",
        ));
    }
    let name = cli.name.clone().unwrap_or_else(|| id.to_owned());
    Ok(Actor::new(id, name, role))
}

impl App {
    /// Opens the log and read models of `settings` (creating and migrating where needed).
    pub async fn open(settings: &Settings, actor: Actor) -> CliResult<Self> {
        Self::open_with_clock(settings, actor, Arc::new(SystemClock)).await
    }

    /// Opens with a given clock (the demo replays history on simulated dates).
    pub async fn open_with_clock(
        settings: &Settings,
        actor: Actor,
        clock: Arc<dyn Clock>,
    ) -> CliResult<Self> {
        Self::open_signed(settings, actor, clock, Signing::default()).await
    }

    /// Opens with a clock, signing every commit with `signing`'s key when it has one.
    pub async fn open_signed(
        settings: &Settings,
        actor: Actor,
        clock: Arc<dyn Clock>,
        signing: Signing,
    ) -> CliResult<Self> {
        let store: Arc<dyn EventStore> = match (&settings.store, signing.key.clone()) {
            (StoreLocation::Sqlite(path), key) => {
                let store = SqliteStore::open(path, clock).await?;
                match key {
                    Some(key) => Arc::new(store.with_key(key)),
                    None => Arc::new(store),
                }
            }
            (nats @ StoreLocation::Nats { .. }, key) => {
                let config = nats
                    .nats_config()
                    .expect("a NATS location has a NATS configuration");
                let store = NatsStore::connect(config, clock).await?;
                match key {
                    Some(key) => Arc::new(store.with_key(key)),
                    None => Arc::new(store),
                }
            }
        };
        let read = match &settings.read_models {
            ReadModelLocation::Sqlite(path) => ReadModels::sqlite(path).await?,
            ReadModelLocation::Postgres(url) => ReadModels::postgres(url.expose()).await?,
        };
        Ok(Self {
            store,
            read,
            actor,
            signing,
            reported: None,
            council: None,
        })
    }

    /// `failed`, saying which council's log it came from on a deployment of several.
    pub fn in_council(&self, failed: Failed) -> Failed {
        match &self.council {
            Some(council) => failed.context(format!("council {}", council.id)),
            None => failed,
        }
    }

    /// The read models.
    pub fn read(&self) -> &ReadModels {
        &self.read
    }

    /// Projects every commit not yet in the read models: before a write is judged, which must
    /// see the whole log (a commit that cannot be read fails it, exit 5).
    pub async fn catch_up(&self) -> CliResult<Position> {
        Ok(projections::drain(&*self.store, self.read(), 1000, |_| {}).await?)
    }

    /// Projects as much of the log as can be read, before a query: at a commit that cannot be
    /// read (and has not been set aside) the answer is as at the position before it, and a
    /// warning on stderr says so and what to do.
    pub async fn catch_up_for_reading(&self) -> CliResult<projections::Reach> {
        let reach = projections::catch_up_for_reading(&*self.store, self.read(), 1000).await?;
        if let Some(stop) = &reach.stopped_by {
            eprintln!(
                "warning: the commit at position {} cannot be read ({}); answering as at position {}. Repair it from a backup, or an admin may set it aside: scoreledger --role admin set-aside {} --reason \"…\"",
                stop.position, stop.problem, reach.at, stop.position
            );
        }
        Ok(reach)
    }

    /// The measure with this reference, in the plan covering `period`.
    pub async fn measure(
        &self,
        reference: &str,
        period: Option<&Period>,
    ) -> CliResult<(MeasureId, PlanId)> {
        let measure_ref = MeasureRef::parse(reference).map_err(Failed::rejected)?;
        projections::find_measure(self.read(), measure_ref.as_str(), period)
            .await?
            .ok_or_else(|| {
                Failed::rejected(format!(
                    "no measure {measure_ref} is defined; import the plan first (scoreledger import FILE) or check the reference"
                ))
            })
    }

    /// Runs a command against a stream as the current actor.
    pub async fn execute(
        &self,
        stream: &StreamId,
        plan_id: Option<PlanId>,
        command: &Command,
        reason: Option<String>,
        on_behalf_of: Option<String>,
    ) -> CliResult<Appended> {
        self.execute_as(
            &self.actor,
            stream,
            plan_id,
            std::slice::from_ref(command),
            reason,
            on_behalf_of,
        )
        .await
    }

    /// Runs commands against a stream as `actor`, in one commit.
    pub async fn execute_as(
        &self,
        actor: &Actor,
        stream: &StreamId,
        plan_id: Option<PlanId>,
        commands: &[Command],
        reason: Option<String>,
        on_behalf_of: Option<String>,
    ) -> CliResult<Appended> {
        let described = commands.first().map_or("change nothing", Command::describe);
        scoreledger_service::submit(
            &*self.store,
            scoreledger_service::Submission {
                actor,
                stream,
                plan_id,
                commands,
                reason,
                on_behalf_of,
                reported: self.reported.clone(),
                commit_id: None,
                if_version: None,
            },
        )
        .await
        .map_err(|err| Failed::from(err).context(format!("failed to {described}")))
    }

    /// Records in the log that the current actor read the history, before the answer is
    /// printed, as the HTTP service does for its reads: a read that cannot be recorded is
    /// refused. What was read is the command line as given, less the passwords in its URLs:
    /// the log keeps what it is given for ever.
    pub async fn record_read(&self, measure_ref: Option<String>) -> CliResult {
        let what = std::iter::once("scoreledger".to_owned())
            .chain(
                std::env::args()
                    .skip(1)
                    .map(|arg| scoreledger_store::redacted(&arg)),
            )
            .collect::<Vec<_>>()
            .join(" ");
        scoreledger_service::record_access(&*self.store, &self.actor, what, measure_ref)
            .await
            .map_err(|err| {
                let scoreledger_service::Unrecorded(cause) = err;
                Failed::from(cause)
                    .context("the read could not be recorded in the audit trail, so it is refused")
            })?;
        Ok(())
    }

    /// The position of the last commit.
    pub async fn head(&self) -> CliResult<Position> {
        Ok(self.store.head().await?)
    }
}

/// Parses a period given on the command line.
pub fn period(text: &str) -> CliResult<Period> {
    Period::parse(text).map_err(Failed::rejected)
}

/// Parses a YYYY-MM-DD date.
pub fn date(text: &str) -> CliResult<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .with_context(|| format!("{text:?} is not a date; write it as YYYY-MM-DD, e.g. 2017-01-13"))
        .map_err(|error| Failed {
            kind: crate::exit::Failure::Rejected,
            error,
        })
}

//! Command handling: load a stream and `decide` commands against it into the commit that
//! would land at the version loaded. Appending it, with the plan's context read from the log,
//! is `scoreledger_service::submit`: the one path every write takes.

use scoreledger_domain::{
    decide, evolve, Actor, Command, Context, Rejection, StreamId, StreamState, StreamVersion,
};
use uuid::Uuid;

use crate::envelope::{ExpectedVersion, NewCommit};
use crate::error::{AppendError, ReadError};
use crate::EventStore;

/// Why a command did not land. Nothing was appended in every case.
#[derive(Debug, thiserror::Error)]
pub enum ExecuteError {
    /// The domain refused the command.
    #[error(transparent)]
    Rejected(#[from] Rejection),
    /// The append failed (a conflict, or the log is unavailable).
    #[error(transparent)]
    Append(#[from] AppendError),
    /// The stream could not be read.
    #[error(transparent)]
    Read(#[from] ReadError),
}

/// Who asks, why, and under which idempotency key.
#[derive(Debug, Clone)]
pub struct Request {
    /// The actor, from the session.
    pub actor: Actor,
    /// The reason given.
    pub reason: Option<String>,
    /// For whom the actor enters the change.
    pub on_behalf_of: Option<String>,
    /// Idempotency key; a retry with the same key appends nothing.
    pub commit_id: Option<Uuid>,
    /// End of the latest published period of the plan (see [`Context`]).
    pub published_through: Option<chrono::NaiveDate>,
    /// The plan's locked periods (see [`Context`]).
    pub locked: std::collections::BTreeSet<scoreledger_domain::Period>,
    /// The plan's financial year (see [`Context`]).
    pub plan_year: Option<scoreledger_domain::Period>,
    /// The user ids of the tokens issued so far (see [`Context`]).
    pub known_users: Vec<String>,
    /// The priorities and outcomes of the plan (see [`Context`]).
    pub outline: Option<scoreledger_domain::PlanOutline>,
    /// Today, by the log's clock (see [`Context`]).
    pub today: Option<chrono::NaiveDate>,
    /// The unreadable commit a set-aside is about (see [`Context`]).
    pub unreadable: Option<scoreledger_domain::UnreadableCommit>,
    /// The plan's rule set, for the suggestion beside an assessment (see [`Context`]).
    pub rules: Option<scoreledger_domain::RuleSet>,
    /// When and where the change was reported, if before it is recorded (see [`Context`]);
    /// the commit carries it.
    pub reported: Option<scoreledger_domain::Reported>,
}

impl Request {
    /// A request by `actor` carrying nothing else (no reason, no plan context): enough for a
    /// stream that judges only itself, such as the log's keys and checkpoints.
    pub fn new(actor: Actor) -> Self {
        Self {
            actor,
            reason: None,
            on_behalf_of: None,
            commit_id: None,
            published_through: None,
            locked: Default::default(),
            plan_year: None,
            known_users: Vec::new(),
            outline: None,
            today: None,
            unreadable: None,
            rules: None,
            reported: None,
        }
    }
}

/// Like [`load`], from what this process remembers of the stream (`remembered`) when the
/// stream's last commit shows it has not moved since: one read of that commit instead of the
/// whole stream. Exact, for checks no append guards (a token's revocation).
pub async fn load_current(
    store: &dyn EventStore,
    stream: &StreamId,
) -> Result<(StreamState, StreamVersion), ReadError> {
    let memory = store.remembered();
    if let Some((state, version)) = memory.and_then(|memory| memory.state(stream)) {
        let last = store
            .last_commit_of(stream)
            .await?
            .map_or(StreamVersion(0), |commit| commit.stream_version);
        if last == version {
            return Ok((state, version));
        }
    }
    load_and_remember(store, stream).await
}

/// [`load`], and what it read remembered (`remembered`) for this process's next write or check.
pub async fn load_and_remember(
    store: &dyn EventStore,
    stream: &StreamId,
) -> Result<(StreamState, StreamVersion), ReadError> {
    let (state, version) = load(store, stream).await?;
    if let Some(memory) = store.remembered() {
        memory.remember(stream, &state, version);
    }
    Ok((state, version))
}

/// Rebuilds a stream's state by folding its events.
pub async fn load(
    store: &dyn EventStore,
    stream: &StreamId,
) -> Result<(StreamState, StreamVersion), ReadError> {
    let commits = store.read_stream(stream).await?;
    let mut state = StreamState::Empty;
    let mut version = StreamVersion(0);
    for commit in &commits {
        let events = match commit.domain_events() {
            Ok(events) => events,
            // A commit an admin has set aside counts for the stream's version but says nothing
            // about its state; any other unreadable commit halts the stream.
            Err(_) if crate::set_aside_of(store, commit.position).await?.is_some() => Vec::new(),
            Err(err) => {
                return Err(ReadError::Corrupt {
                    position: commit.position,
                    problem: err.to_string(),
                })
            }
        };
        for event in &events {
            state = evolve(state, event, &commit.actor.id);
        }
        version = commit.stream_version;
    }
    Ok((state, version))
}

/// Loads `stream` and decides `commands` in order against the evolving state, without
/// appending: the commit that would land. Used to validate a whole import before any of it
/// is appended.
pub async fn prepare(
    store: &dyn EventStore,
    stream: &StreamId,
    commands: &[Command],
    request: &Request,
) -> Result<NewCommit, ExecuteError> {
    let (state, version) = load(store, stream).await?;
    decide_commit(state, version, stream, commands, request)
}

/// Decides `commands` in order against `state`, the stream as loaded at `version`, into the
/// commit that would land there: no I/O, so a caller that has loaded the stream for its own
/// checks (If-Match) decides against that same load.
pub fn decide_commit(
    mut state: StreamState,
    version: StreamVersion,
    stream: &StreamId,
    commands: &[Command],
    request: &Request,
) -> Result<NewCommit, ExecuteError> {
    let ctx = Context {
        reason: request.reason.clone(),
        published_through: request.published_through,
        locked: request.locked.clone(),
        role: Some(request.actor.role),
        actor: Some(request.actor.id.clone()),
        plan_year: request.plan_year,
        on_behalf_of: request.on_behalf_of.clone(),
        known_users: request.known_users.clone(),
        outline: request.outline.clone(),
        today: request.today,
        unreadable: request.unreadable.clone(),
        rules: request.rules.clone(),
        reported: request.reported.clone(),
    };
    let mut events = Vec::new();
    for command in commands {
        let decided = decide(&state, command, &ctx)?;
        for event in &decided {
            state = evolve(state, event, &request.actor.id);
        }
        events.extend(decided);
    }
    let mut commit = NewCommit::new(
        stream.clone(),
        ExpectedVersion::Exact(version),
        request.actor.clone(),
        events,
    )
    .with_reason(request.reason.clone().filter(|r| !r.trim().is_empty()));
    commit.commit_id = request.commit_id;
    commit.on_behalf_of = request.on_behalf_of.clone();
    commit.reported = request.reported.clone();
    commit.check_readable().map_err(AppendError::from)?;
    Ok(commit)
}

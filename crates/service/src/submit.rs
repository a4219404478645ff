//! The write path both front ends use: judge commands against the stream and the plan's locks
//! and publications, and append them as one commit, at most once per idempotency key.

use chrono::NaiveDate;
use std::collections::BTreeMap;

use scoreledger_domain::{
    evolve, Actor, Command, DomainEvent, PlanId, PlanOutline, Position, Rejection, StreamId,
    StreamState, StreamVersion,
};
use scoreledger_store::remembered::{Publications, Remembered};
use scoreledger_store::{
    decide_commit, load_and_remember, set_aside_of, unreadable_at, AppendError, Appended, Commit,
    EventStore, ExecuteError, NewCommit, ReadError, Request,
};
use uuid::Uuid;

/// Commands to append as one commit to one stream.
#[derive(Debug)]
pub struct Submission<'a> {
    /// Who (from the session, never from a request body).
    pub actor: &'a Actor,
    /// The stream.
    pub stream: &'a StreamId,
    /// The plan whose locks and publications the commands are judged against.
    pub plan_id: Option<PlanId>,
    /// The commands, decided in order.
    pub commands: &'a [Command],
    /// Why.
    pub reason: Option<String>,
    /// For whom.
    pub on_behalf_of: Option<String>,
    /// When and where it was reported, when that was before it is recorded.
    pub reported: Option<scoreledger_domain::Reported>,
    /// Idempotency key: a retry with the same id gets the original commit back.
    pub commit_id: Option<Uuid>,
    /// The stream version the client last saw (HTTP `If-Match`): anything else is a conflict,
    /// not a silent overwrite.
    pub if_version: Option<StreamVersion>,
}

/// Several streams' changes by one actor, judged against one reading of the plan and
/// appended together (an import: the plan, then each measure with its values).
#[derive(Debug, Clone)]
pub struct Batch<'a> {
    /// Who (from the session, never from a request body).
    pub actor: &'a Actor,
    /// The plan whose locks and publications every write is judged against.
    pub plan_id: Option<PlanId>,
    /// Why, for every write.
    pub reason: Option<String>,
    /// For whom.
    pub on_behalf_of: Option<String>,
    /// When and where every write was reported, when that was before it is recorded (a past
    /// pack loaded as history).
    pub reported: Option<scoreledger_domain::Reported>,
    /// The writes, judged in order.
    pub writes: Vec<StreamChange>,
}

/// One stream's commands in a batch, to land as one commit.
#[derive(Debug, Clone)]
pub struct StreamChange {
    /// The stream.
    pub stream: StreamId,
    /// The commands, decided in order.
    pub commands: Vec<Command>,
    /// Idempotency key: a write whose commit landed before is not appended again.
    pub commit_id: Option<Uuid>,
    /// The stream version the client last saw (HTTP `If-Match`).
    pub if_version: Option<StreamVersion>,
    /// Why, for this write alone (a values import's row); the batch's reason when `None`.
    pub reason: Option<String>,
}

/// A batch judged: what each write would append, or had appended before.
#[derive(Debug, Default)]
pub struct PreparedBatch {
    /// For each write not refused, in order: the commit it would append, or the one it had.
    pub writes: Vec<Prepared>,
    /// The writes the domain refused; nothing is appended while there is one.
    pub refusals: Vec<Refusal>,
    /// For each entry of `writes`, whether it had landed before.
    landed_at: Vec<bool>,
    /// Each stream written as the writes leave it, once they land.
    left: BTreeMap<StreamId, (StreamState, StreamVersion)>,
}

/// One write of a batch, judged.
#[derive(Debug)]
pub enum Prepared {
    /// The commit it would append.
    Ready(NewCommit),
    /// The commit its idempotency key had appended before.
    Landed(Commit),
}

/// A write of a batch the domain refused.
#[derive(Debug)]
pub struct Refusal {
    /// Its place in the batch, from 0.
    pub index: usize,
    /// Its stream.
    pub stream: StreamId,
    /// Why.
    pub rejection: Rejection,
}

/// Every write of a batch the domain refused.
#[derive(Debug)]
pub struct Refusals(pub Vec<Refusal>);

impl std::fmt::Display for Refusals {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} change(s) refused; nothing was appended",
            self.0.len()
        )?;
        for refusal in &self.0 {
            write!(f, "\n  {}: {}", refusal.stream, refusal.rejection)?;
        }
        Ok(())
    }
}

/// Why a submission was not appended.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// Refused by the domain, or lost a race with another writer.
    #[error(transparent)]
    Execute(#[from] ExecuteError),
    /// The stream is not at the version the client last saw.
    #[error("the stream is at version {current}, not {expected}: someone changed it since you read it; read it again")]
    Stale {
        /// What the client expected.
        expected: StreamVersion,
        /// Where the stream is.
        current: StreamVersion,
    },
    /// A commit of a stream the change is judged against cannot be read: the change waits
    /// until it is repaired or set aside.
    #[error(
        "the commit at position {position} cannot be read ({problem}), and this change is judged \
         against its stream. Repair it from a backup, or, if it cannot be repaired, an admin may \
         set it aside with a reason: `scoreledger --role admin set-aside {position} --reason \"…\"` \
         or POST /api/set-asides"
    )]
    Unreadable {
        /// Where.
        position: Position,
        /// What the store said.
        problem: String,
    },
    /// Writes of a batch the domain refused.
    #[error("{0}")]
    Refused(Refusals),
}

/// Judges and appends a submission, from the log alone: the stream is loaded once, and
/// If-Match and the commands are both judged against that load; the plan's locks, year and
/// outline come from its stream, its publications from the reports' streams, and the people
/// a new token must not be mistaken for from the tokens' streams, so a write never waits for
/// the read models to catch up.
pub async fn submit(
    store: &dyn EventStore,
    submission: Submission<'_>,
) -> Result<Appended, SubmitError> {
    let batch = Batch {
        actor: submission.actor,
        plan_id: submission.plan_id,
        reason: submission.reason,
        on_behalf_of: submission.on_behalf_of,
        reported: submission.reported,
        writes: vec![StreamChange {
            stream: submission.stream.clone(),
            commands: submission.commands.to_vec(),
            commit_id: submission.commit_id,
            if_version: submission.if_version,
            reason: None,
        }],
    };
    match submit_batch(store, &batch).await {
        Ok(mut appended) => Ok(appended.remove(0)),
        Err(SubmitError::Refused(mut refusals)) if refusals.0.len() == 1 => Err(
            SubmitError::Execute(ExecuteError::Rejected(refusals.0.remove(0).rejection)),
        ),
        Err(other) => Err(other),
    }
}

/// Judges a batch as [`prepare_batch`] does and appends it: all or nothing where the store
/// allows it (SQLite), otherwise in order, each write's commit id fixed before the first
/// attempt so a batch judged again after a conflict, or run again after an interruption,
/// appends only what has not landed. Writes that had landed before come back deduplicated.
pub async fn submit_batch(
    store: &dyn EventStore,
    batch: &Batch<'_>,
) -> Result<Vec<Appended>, SubmitError> {
    // A write without an idempotency key gets one now, so that judging the batch again after
    // a partial append (NATS lands a batch commit by commit) never appends a write twice.
    let keyed: Vec<StreamChange> = batch
        .writes
        .iter()
        .map(|write| StreamChange {
            commit_id: Some(write.commit_id.unwrap_or_else(scoreledger_store::new_id)),
            ..write.clone()
        })
        .collect();
    let keyed = Batch {
        writes: keyed,
        ..batch.clone()
    };
    let mut retries = 0;
    // The first attempt judges against the streams and publications as this process last
    // read or wrote them, where it remembers them; the append refuses what that judged
    // wrongly (a conflict, judged again from the log), and a refusal or a stale If-Match is
    // judged again from the log before it is given.
    let mut fresh = store.remembered().is_none();
    loop {
        // The first attempt looks for earlier commits only under the keys the caller gave.
        let prepared = match prepare(store, &keyed, &batch.writes, retries > 0, !fresh).await {
            Err(SubmitError::Stale { .. }) if !fresh => {
                fresh = true;
                continue;
            }
            prepared => prepared?,
        };
        if !prepared.refusals.is_empty() {
            if !fresh {
                fresh = true;
                continue;
            }
            return Err(SubmitError::Refused(Refusals(prepared.refusals)));
        }
        let seals = batch
            .writes
            .iter()
            .zip(&prepared.landed_at)
            .any(|(write, landed)| !landed && seals_a_period(&write.commands));
        let (landed_before, to_append): (Vec<_>, Vec<_>) = prepared
            .writes
            .into_iter()
            .partition(|write| matches!(write, Prepared::Landed(_)));
        let to_append: Vec<NewCommit> = to_append
            .into_iter()
            .filter_map(|write| match write {
                Prepared::Ready(commit) => Some(commit),
                Prepared::Landed(_) => None,
            })
            .collect();
        let appended = match to_append.len() {
            0 => Ok(Vec::new()),
            1 => store
                .append(to_append.into_iter().next().expect("one commit"))
                .await
                .map(|appended| vec![appended]),
            _ => store.append_all(to_append).await,
        };
        match appended {
            // Judged from what this process remembered, which had moved.
            Err(AppendError::Conflict { .. }) if !fresh && retries < CONFLICT_RETRIES => {
                retries += 1;
                fresh = true;
            }
            // The plan moved (a lock, a reopening), or a report was published: the commands
            // are judged again, whatever the client expected of its own stream.
            Err(AppendError::Conflict { stream, .. })
                if batch.plan_id.is_some_and(|plan| plan.stream() == stream)
                    && retries < CONFLICT_RETRIES =>
            {
                retries += 1;
                fresh = true;
            }
            // Without If-Match the client asked for its commands to be judged against the
            // streams as they are: another writer getting in first (another period of the
            // same measure, say) is no conflict for it, so they are judged again against the
            // new version — and refused if they no longer hold. A few times, then the conflict.
            Err(AppendError::Conflict { .. })
                if batch.writes.iter().all(|w| w.if_version.is_none())
                    && retries < CONFLICT_RETRIES =>
            {
                retries += 1;
                fresh = true;
            }
            appended => {
                let appended = appended.map_err(ExecuteError::from)?;
                remember_landed(store, &prepared.left, &appended);
                let mut appended = appended.into_iter();
                if seals {
                    checkpoint_after(store).await;
                }
                // Back in the batch's order, the writes found landed among them.
                let mut landed = landed_before.into_iter();
                let mut ordered = Vec::with_capacity(batch.writes.len());
                for was_landed in prepared.landed_at {
                    let next = if was_landed {
                        match landed.next() {
                            Some(Prepared::Landed(commit)) => Appended {
                                commit,
                                deduplicated: true,
                            },
                            _ => unreachable!("one landed commit per landed write"),
                        }
                    } else {
                        appended
                            .next()
                            .expect("one appended commit per ready write")
                    };
                    ordered.push(next);
                }
                return Ok(ordered);
            }
        }
    }
}

/// Judges every write of a batch, in order, against one reading of the log, without
/// appending: each write is judged as if the ones before it had landed (a plan defined
/// first is the plan the measures after it join; a stream written twice is judged the second
/// time as the first write left it). What an import's dry run shows, and what
/// [`submit_batch`] appends.
pub async fn prepare_batch(
    store: &dyn EventStore,
    batch: &Batch<'_>,
) -> Result<PreparedBatch, SubmitError> {
    prepare(store, batch, &batch.writes, false, false).await
}

async fn prepare(
    store: &dyn EventStore,
    batch: &Batch<'_>,
    given: &[StreamChange],
    look_for_every_key: bool,
    remembered: bool,
) -> Result<PreparedBatch, SubmitError> {
    let mut streams: BTreeMap<StreamId, (StreamState, StreamVersion)> = BTreeMap::new();
    let plan_stream = batch.plan_id.map(|plan| plan.stream());
    let mut through = None;
    let mut published_through = None;
    if let Some(plan) = batch.plan_id {
        let loaded = state_of(store, &plan.stream(), remembered).await?;
        streams.insert(plan.stream(), loaded);
        let memory = store.remembered().filter(|_| remembered);
        let publications = match memory.and_then(Remembered::publications) {
            Some(known) => known,
            None => read_publications(store).await?,
        };
        published_through = publications.through.get(&plan).copied();
        through = Some(publications.last);
    }
    // A new token's user id is judged against the people the log knows, so a look-alike of
    // someone else's id is refused (maker ≠ checker depends on it).
    let issues_token = batch.writes.iter().any(|write| {
        write
            .commands
            .iter()
            .any(|command| matches!(command, Command::IssueToken { .. }))
    });
    let known_users = if issues_token {
        known_users(store).await?
    } else {
        Vec::new()
    };
    let today = store.clock().now().date_naive();
    let mut prepared = PreparedBatch::default();
    for (index, (write, as_given)) in batch.writes.iter().zip(given).enumerate() {
        if let Some(commit_id) = write
            .commit_id
            .filter(|_| look_for_every_key || as_given.commit_id.is_some())
        {
            let found = store
                .find_commit(&write.stream, commit_id)
                .await
                .map_err(ExecuteError::from)?;
            if let Some(commit) = found {
                prepared.writes.push(Prepared::Landed(commit));
                prepared.landed_at.push(true);
                continue;
            }
        }
        let (state, current) = match streams.get(&write.stream) {
            Some(loaded) => loaded.clone(),
            None => state_of(store, &write.stream, remembered).await?,
        };
        // A client that read an older version learns that first, whatever its commands would
        // meet in the stream now.
        if let Some(expected) = write.if_version {
            if expected != current {
                return Err(SubmitError::Stale { expected, current });
            }
        }
        let plan = plan_stream
            .as_ref()
            .and_then(|stream| streams.get(stream))
            .and_then(|(state, _)| state.plan());
        let request = Request {
            actor: batch.actor.clone(),
            reason: write.reason.clone().or_else(|| batch.reason.clone()),
            on_behalf_of: batch.on_behalf_of.clone(),
            reported: batch.reported.clone(),
            commit_id: write.commit_id,
            published_through,
            locked: plan.map(|p| p.locked.clone()).unwrap_or_default(),
            plan_year: plan.map(|p| p.financial_year),
            known_users: known_users.clone(),
            outline: plan.map(PlanOutline::of),
            today: Some(today),
            unreadable: set_aside_target(store, &write.commands).await?,
            rules: plan.map(|p| p.rule_set.clone()),
        };
        let mut commit = match decide_commit(
            state.clone(),
            current,
            &write.stream,
            &write.commands,
            &request,
        ) {
            Ok(commit) => commit,
            Err(ExecuteError::Rejected(rejection)) => {
                prepared.refusals.push(Refusal {
                    index,
                    stream: write.stream.clone(),
                    rejection,
                });
                continue;
            }
            Err(other) => return Err(other.into()),
        };
        // The commit lands only if the plan has not moved since its locks were read: a lock
        // committed in between is a conflict, judged again, never a change that slips into a
        // period locked a moment earlier.
        commit.judged_against = plan_stream
            .as_ref()
            .and_then(|stream| streams.get(stream).map(|(_, v)| (stream.clone(), *v)));
        // Nor if a report was published after the last one the judgment read: which periods
        // are published decides which changes need a reason.
        commit.judged_through = through;
        // The writes after this one are judged against the stream as this one leaves it (a
        // stream's version counts its events).
        let version = StreamVersion(current.0 + commit.events.len() as u64);
        let state = commit
            .events
            .iter()
            .fold(state, |state, event| evolve(state, event, &batch.actor.id));
        prepared
            .left
            .insert(write.stream.clone(), (state.clone(), version));
        streams.insert(write.stream.clone(), (state, version));
        prepared.writes.push(Prepared::Ready(commit));
        prepared.landed_at.push(false);
    }
    Ok(prepared)
}

/// Remembers each stream written as the writes that landed left it, so this process's next
/// write to it need not read it again.
fn remember_landed(
    store: &dyn EventStore,
    left: &BTreeMap<StreamId, (StreamState, StreamVersion)>,
    appended: &[Appended],
) {
    let Some(memory) = store.remembered() else {
        return;
    };
    for landed in appended.iter().filter(|landed| !landed.deduplicated) {
        let commit = &landed.commit;
        if let Some((state, version)) = left.get(&commit.stream) {
            if *version == commit.stream_version {
                memory.remember(&commit.stream, state, *version);
            }
        }
    }
}

/// A stream's state and version: as this process remembers them when `remembered` allows it
/// and it does (`store::remembered`), else loaded from the log, and remembered.
async fn state_of(
    store: &dyn EventStore,
    stream: &StreamId,
    remembered: bool,
) -> Result<(StreamState, StreamVersion), SubmitError> {
    if let Some(known) = store
        .remembered()
        .filter(|_| remembered)
        .and_then(|memory| memory.state(stream))
    {
        return Ok(known);
    }
    load_and_remember(store, stream).await.map_err(unreadable)
}

/// Only a commit the store cannot read may be set aside: the domain judges a setting aside
/// against what the store says of that position.
async fn set_aside_target(
    store: &dyn EventStore,
    commands: &[Command],
) -> Result<Option<scoreledger_domain::UnreadableCommit>, SubmitError> {
    let mut unreadable = None;
    for command in commands {
        if let Command::SetAsideCommit { position, .. } = command {
            unreadable = unreadable_at(store, *position)
                .await
                .map_err(ExecuteError::from)?;
        }
    }
    Ok(unreadable)
}

/// A lock or a publication is what auditors come back to: each is followed at once by a
/// signed checkpoint covering it.
fn seals_a_period(commands: &[Command]) -> bool {
    commands.iter().any(|c| {
        matches!(
            c,
            Command::LockPeriod { .. } | Command::PublishReport { .. }
        )
    })
}

/// Records a checkpoint when the store signs. The change itself has landed whatever happens
/// here; a checkpoint that fails now is made by the next one (`serve` records them on a
/// cadence too), so it is logged, not returned.
async fn checkpoint_after(store: &dyn EventStore) {
    if store.key().is_none() {
        return;
    }
    if let Err(err) = crate::checkpoints::record_checkpoint(store).await {
        tracing::warn!(error = %err, "no checkpoint after a lock or publication");
    }
}

/// The end of the latest period of `plan` a report was published for, read from the reports'
/// streams, and the position of the last publication of any plan read (0 if none): a later
/// one makes the append a conflict.
pub async fn publications(
    store: &dyn EventStore,
    plan: PlanId,
) -> Result<(Option<NaiveDate>, Position), SubmitError> {
    let publications = read_publications(store).await?;
    Ok((publications.through.get(&plan).copied(), publications.last))
}

/// Every plan's published periods, read from the reports' streams, and remembered.
async fn read_publications(store: &dyn EventStore) -> Result<Publications, SubmitError> {
    let (events, last) = events_of_kind(store, REPORT_KIND).await?;
    let mut through: BTreeMap<PlanId, NaiveDate> = BTreeMap::new();
    for event in events {
        if let DomainEvent::ReportPublished {
            plan_id, period, ..
        } = event
        {
            let end = period.end_date();
            let latest = through.entry(plan_id).or_insert(end);
            *latest = (*latest).max(end);
        }
    }
    let publications = Publications { through, last };
    if let Some(memory) = store.remembered() {
        memory.remember_publications(&publications);
    }
    Ok(publications)
}

/// The user ids of every token issued, read from the tokens' streams.
async fn known_users(store: &dyn EventStore) -> Result<Vec<String>, SubmitError> {
    let (events, _) = events_of_kind(store, TOKEN_KIND).await?;
    Ok(events
        .into_iter()
        .filter_map(|event| match event {
            DomainEvent::TokenIssued { user_id, .. } => Some(user_id),
            _ => None,
        })
        .collect())
}

/// Every event of every stream of one kind, in log order, and the position of the last
/// commit read (0 if none). A commit set aside says nothing, as in the read models; any other
/// that cannot be read stops the write, since what it says might change the judgment.
async fn events_of_kind(
    store: &dyn EventStore,
    kind: &str,
) -> Result<(Vec<DomainEvent>, Position), SubmitError> {
    let mut events = Vec::new();
    let mut last = Position(0);
    for stored in store.read_kind(kind).await.map_err(unreadable)? {
        let (position, read) = match stored {
            Ok(commit) => (
                commit.position,
                commit.domain_events().map_err(|err| err.to_string()),
            ),
            Err(ReadError::Corrupt { position, problem }) => (position, Err(problem)),
            Err(other) => return Err(ExecuteError::from(other).into()),
        };
        last = last.max(position);
        match read {
            Ok(read) => events.extend(read),
            Err(problem) => {
                let set_aside = set_aside_of(store, position)
                    .await
                    .map_err(ExecuteError::from)?;
                if set_aside.is_none() {
                    return Err(SubmitError::Unreadable { position, problem });
                }
            }
        }
    }
    Ok((events, last))
}

/// A stream the change is judged against could not be read: a commit that cannot be read is
/// named, with what to do about it.
fn unreadable(err: ReadError) -> SubmitError {
    match err {
        ReadError::Corrupt { position, problem } => SubmitError::Unreadable { position, problem },
        other => ExecuteError::from(other).into(),
    }
}

/// The kind of stream every publication is in (`report-…`).
const REPORT_KIND: &str = "report";

/// The kind of stream every token is in (`token-…`).
const TOKEN_KIND: &str = "token";

/// How often a submission without an expected version is judged again after losing a race.
const CONFLICT_RETRIES: u32 = 5;

//! The write path both front ends use: judge commands against the stream and the plan's locks
//! and publications, and append them as one commit, at most once per idempotency key.

use chrono::NaiveDate;
use scoreledger_domain::{
    Actor, Command, DomainEvent, PlanId, PlanOutline, Position, StreamId, StreamState,
    StreamVersion,
};
use scoreledger_projections::{self as projections, ProjectionError, ReadModels};
use scoreledger_store::{
    decide_commit, load, set_aside_of, unreadable_at, AppendError, Appended, EventStore,
    ExecuteError, ReadError, Request,
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
    /// Idempotency key: a retry with the same id gets the original commit back.
    pub commit_id: Option<Uuid>,
    /// The stream version the client last saw (HTTP `If-Match`): anything else is a conflict,
    /// not a silent overwrite.
    pub if_version: Option<StreamVersion>,
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
    /// The read models did not answer.
    #[error("failed to query the read models")]
    ReadModels(#[from] sqlx::Error),
    /// The read models could not catch up with the log.
    #[error(transparent)]
    Projection(#[from] ProjectionError),
}

/// Judges and appends a submission, from the log alone: the stream is loaded once, and
/// If-Match and the commands are both judged against that load; the plan's locks, year and
/// outline come from its stream, and its publications from the reports' streams, so a write
/// never waits for the read models to catch up (only a new token, judged against the people
/// the read models know, does).
pub async fn submit(
    store: &dyn EventStore,
    read: &ReadModels,
    submission: Submission<'_>,
) -> Result<Appended, SubmitError> {
    if let Some(commit_id) = submission.commit_id {
        if let Some(commit) = store
            .find_commit(submission.stream, commit_id)
            .await
            .map_err(ExecuteError::from)?
        {
            return Ok(Appended {
                commit,
                deduplicated: true,
            });
        }
    }
    let mut retries = 0;
    loop {
        let judged = judged_against(store, read, &submission).await?;
        let (state, current) = load(store, submission.stream).await.map_err(unreadable)?;
        // A client that read an older version learns that first, whatever its commands would
        // meet in the stream now.
        if let Some(expected) = submission.if_version {
            if expected != current {
                return Err(SubmitError::Stale { expected, current });
            }
        }
        let mut commit = decide_commit(
            state,
            current,
            submission.stream,
            submission.commands,
            &judged.request,
        )?;
        // The commit lands only if the plan has not moved since its locks were read: a lock
        // committed in between is a conflict, judged again below, never a change that slips
        // into a period locked a moment earlier.
        commit.judged_against = judged.plan.clone();
        // Nor if a report was published after the last one the judgment read: which periods
        // are published decides which changes need a reason.
        commit.judged_through = judged.through;
        match store.append(commit).await {
            // The plan moved (a lock, a reopening), or a report was published: the commands
            // are judged again, whatever the client expected of its own stream.
            Err(AppendError::Conflict { stream, .. })
                if judged
                    .plan
                    .as_ref()
                    .is_some_and(|(plan, _)| *plan == stream)
                    && retries < CONFLICT_RETRIES =>
            {
                retries += 1;
            }
            // Without If-Match the client asked for its commands to be judged against the
            // stream as it is: another writer getting in first (another period of the same
            // measure, say) is no conflict for it, so they are judged again against the new
            // version — and refused if they no longer hold. A few times, then the conflict.
            Err(AppendError::Conflict { .. })
                if submission.if_version.is_none() && retries < CONFLICT_RETRIES =>
            {
                retries += 1;
            }
            appended => {
                let appended = appended.map_err(ExecuteError::from)?;
                if !appended.deduplicated && seals_a_period(submission.commands) {
                    checkpoint_after(store).await;
                }
                return Ok(appended);
            }
        }
    }
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

/// What a submission is judged against beyond its own stream.
struct Judgement {
    /// The plan's locks, publications, year and outline, the people a new token must not be
    /// mistaken for, and the commit a setting aside is about.
    request: Request,
    /// The plan's stream at the version read, which the append must still find.
    plan: Option<(StreamId, StreamVersion)>,
    /// The last report publication the judgment read, after which none may have landed.
    through: Option<Position>,
}

async fn judged_against(
    store: &dyn EventStore,
    read: &ReadModels,
    submission: &Submission<'_>,
) -> Result<Judgement, SubmitError> {
    let (state, plan, published_through, through) = match submission.plan_id {
        Some(plan) => {
            let (state, version) = load(store, &plan.stream()).await.map_err(unreadable)?;
            let (published_through, through) = publications(store, plan).await?;
            let state = match state {
                StreamState::Plan(state) => Some(state),
                _ => None,
            };
            (
                state,
                Some((plan.stream(), version)),
                published_through,
                Some(through),
            )
        }
        None => (None, None, None, None),
    };
    // A new token's user id is judged against the people the installation knows, so a
    // look-alike of someone else's id is refused (maker ≠ checker depends on it).
    let known_users = if submission
        .commands
        .iter()
        .any(|command| matches!(command, Command::IssueToken { .. }))
    {
        projections::drain(store, read, 1000, |_| {}).await?;
        projections::tokens(read)
            .await
            .map_err(ProjectionError::from)?
            .into_iter()
            .map(|token| token.user_id)
            .collect()
    } else {
        Vec::new()
    };
    // Only a commit the store cannot read may be set aside: the domain judges the setting
    // aside against what the store says of that position.
    let mut unreadable = None;
    for command in submission.commands {
        if let Command::SetAsideCommit { position, .. } = command {
            unreadable = unreadable_at(store, *position)
                .await
                .map_err(ExecuteError::from)?;
        }
    }
    let request = Request {
        actor: submission.actor.clone(),
        reason: submission.reason.clone(),
        on_behalf_of: submission.on_behalf_of.clone(),
        commit_id: submission.commit_id,
        published_through,
        locked: state.as_ref().map(|p| p.locked.clone()).unwrap_or_default(),
        plan_year: state.as_ref().map(|p| p.financial_year),
        known_users,
        outline: state.as_ref().map(PlanOutline::of),
        today: Some(store.clock().now().date_naive()),
        unreadable,
        rules: state.map(|p| p.rule_set),
    };
    Ok(Judgement {
        request,
        plan,
        through,
    })
}

/// The end of the latest period of `plan` a report was published for, read from the reports'
/// streams, and the position of the last publication of any plan read (0 if none): a later
/// one makes the append a conflict. A report commit set aside says nothing, as in the read
/// models; any other that cannot be read stops the write.
pub async fn publications(
    store: &dyn EventStore,
    plan: PlanId,
) -> Result<(Option<NaiveDate>, Position), SubmitError> {
    let mut through = None;
    let mut last = Position(0);
    for stored in store.read_kind(REPORT_KIND).await.map_err(unreadable)? {
        let (position, events) = match stored {
            Ok(commit) => (
                commit.position,
                commit.domain_events().map_err(|err| err.to_string()),
            ),
            Err(ReadError::Corrupt { position, problem }) => (position, Err(problem)),
            Err(other) => return Err(ExecuteError::from(other).into()),
        };
        last = last.max(position);
        let events = match events {
            Ok(events) => events,
            Err(problem) => {
                let set_aside = set_aside_of(store, position)
                    .await
                    .map_err(ExecuteError::from)?;
                if set_aside.is_none() {
                    return Err(SubmitError::Unreadable { position, problem });
                }
                continue;
            }
        };
        for event in events {
            if let DomainEvent::ReportPublished {
                plan_id, period, ..
            } = event
            {
                if plan_id == plan {
                    through = through.max(Some(period.end_date()));
                }
            }
        }
    }
    Ok((through, last))
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

/// How often a submission without an expected version is judged again after losing a race.
const CONFLICT_RETRIES: u32 = 5;

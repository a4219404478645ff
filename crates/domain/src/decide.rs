//! `decide`: validate a command against its stream's state and turn it into events.
//! Every rule that protects the audit trail is enforced here, not only in a user interface.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};

use crate::actor::{normalise_user_id, same_person, Role};
use crate::command::{Command, CommandKind};
use crate::event::{DomainEvent, FieldChange};
use crate::measure::{MeasureDefinition, MeasureField};
use crate::period::Period;
use crate::rules::RuleSet;
use crate::state::{Maker, MeasureState, StreamState};
use crate::status::StatusScheme;
use crate::text::{self, TextKind};

/// What `decide` needs to know beyond the stream itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    /// The reason the user gave for the change, if any.
    pub reason: Option<String>,
    /// The end of the latest period the plan has published a report for: a change to any
    /// period ending on or before it changes something already published.
    pub published_through: Option<NaiveDate>,
    /// The plan's locked periods.
    pub locked: BTreeSet<Period>,
    /// The role of the person asking (from the session, never the command).
    pub role: Option<Role>,
    /// The id of the person asking (from the session, never the command): maker–checker
    /// rules compare it with whoever entered what is being checked.
    pub actor: Option<String>,
    /// The financial year of the plan the command's measure belongs to: a measure's periods
    /// lie near it (see [`plan_window`]).
    pub plan_year: Option<Period>,
    /// For whom the person asking enters the change, if not for themselves.
    pub on_behalf_of: Option<String>,
    /// The priorities and outcomes of the plan a new measure joins, so that a measure is
    /// placed only under a priority and outcome the plan has.
    pub outline: Option<PlanOutline>,
    /// Today, by the log's clock (the domain reads no clock of its own): a token's last day
    /// may not be past.
    pub today: Option<NaiveDate>,
    /// The user ids the installation already knows (of the tokens issued), so that a token for
    /// an id that reads like another person's is refused.
    pub known_users: Vec<String>,
    /// The commit the log cannot read, when setting one aside: only a commit the store has
    /// found unreadable may be set aside.
    pub unreadable: Option<UnreadableCommit>,
    /// The plan's rule set, which the suggestion recorded beside an officer's assessment is
    /// computed with (the default rules when no plan is given).
    pub rules: Option<RuleSet>,
    /// When and where the change was reported, when that was before it was recorded (history
    /// loaded from past packs): the document must be named and the day must have come.
    pub reported: Option<crate::Reported>,
}

/// A commit the store cannot read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnreadableCommit {
    /// Its position.
    pub position: crate::ids::Position,
    /// What the store said.
    pub problem: String,
}

/// The priorities and outcomes of a plan: where its measures may be placed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanOutline {
    /// Priority numbers.
    pub priorities: BTreeSet<u8>,
    /// Outcomes as (priority, letter). A plan that names none places measures under any
    /// letter of its priorities.
    pub outcomes: BTreeSet<(u8, String)>,
}

impl PlanOutline {
    /// The outline of a plan as its events describe it.
    pub fn of(plan: &crate::state::PlanState) -> Self {
        Self {
            priorities: plan.priorities.keys().copied().collect(),
            outcomes: plan.outcomes.keys().cloned().collect(),
        }
    }
}

impl Context {
    pub(crate) fn reason(&self) -> Option<&str> {
        self.reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
    }

    /// The locked period that covers `period`, if any (a locked quarter covers its months).
    fn lock_covering(&self, period: &Period) -> Option<&Period> {
        self.locked.iter().find(|lock| lock.covers(period))
    }

    fn may_change_locked(&self) -> bool {
        matches!(self.role, Some(Role::Performance | Role::Admin))
    }

    fn is_published(&self, period: &Period) -> bool {
        self.published_through
            .is_some_and(|through| period.end_date() <= through)
    }

    /// Refuses a period far from the plan's year, before anything else is said about it: a
    /// typed `1900/01` is a slip, not late data for a published period.
    fn near_plan(&self, period: &Period) -> Result<(), Rejection> {
        let Some(year) = self.plan_year else {
            return Ok(());
        };
        let (first, last) = plan_window(&year);
        if period.start_date() < first.start_date() || period.end_date() > last.end_date() {
            return Err(Rejection::FarFromPlan {
                period: *period,
                year,
                first,
                last,
            });
        }
        Ok(())
    }
}

/// Years of outturns a plan may carry before its own year (the packs print the two before it;
/// trends go back further), and years of targets after it.
const YEARS_BEFORE_PLAN: i32 = 10;
const YEARS_AFTER_PLAN: i32 = 5;

/// The first and last financial years whose periods a measure of a plan for `year` takes.
pub fn plan_window(year: &Period) -> (Period, Period) {
    let start = year.financial_year_of();
    (
        Period::financial_year(start - YEARS_BEFORE_PLAN),
        Period::financial_year(start + YEARS_AFTER_PLAN),
    )
}

/// Why a command was refused. Nothing is appended for a rejected command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// The stream already holds an aggregate.
    #[error("{what} already exists; pick a new id or amend the existing one")]
    AlreadyExists {
        /// What exists.
        what: &'static str,
    },
    /// The command needs an aggregate of another kind (or none exists yet).
    #[error("cannot {command} here: {problem}")]
    WrongStream {
        /// What was attempted.
        command: &'static str,
        /// What the stream holds instead.
        problem: &'static str,
    },
    /// A change to something already published or revised needs a reason.
    #[error("{what} for {period} needs a reason: {why}; give one with --reason")]
    ReasonRequired {
        /// What was changed.
        what: &'static str,
        /// The period.
        period: Period,
        /// Why a reason is needed.
        why: &'static str,
    },
    /// The period is nowhere near the plan's year.
    #[error("{period} is far outside {year}, the plan's year: a measure of this plan takes periods from {first} to {last}; check the year")]
    FarFromPlan {
        /// The period given.
        period: Period,
        /// The plan's year.
        year: Period,
        /// The first year a measure of the plan takes.
        first: Period,
        /// The last year a measure of the plan takes.
        last: Period,
    },
    /// The period is locked and the change needs the performance team and a reason.
    #[error("{period} is locked (by the lock on {lock}); only the performance team or an admin may change it, and with a reason (--reason); or reopen the period first")]
    Locked {
        /// The period changed.
        period: Period,
        /// The lock covering it.
        lock: Period,
    },
    /// The role may not do this.
    #[error("the {role} role may not {what}; ask someone whose role may (see `scoreledger --help` for who does what)")]
    NotAllowed {
        /// The role.
        role: Role,
        /// What was attempted.
        what: &'static str,
    },
    /// Nobody said who is asking.
    #[error("nobody may {what} without a role; sign in (or give --role)")]
    NoRole {
        /// What was attempted.
        what: &'static str,
    },
    /// A value is already recorded for the period.
    #[error("a value for {period} is already recorded ({current}); revise it with a reason and a classification instead")]
    AlreadyRecorded {
        /// The period.
        period: Period,
        /// The value recorded.
        current: String,
    },
    /// There is nothing to revise.
    #[error("no value for {period} has been recorded yet; record one first")]
    NothingToRevise {
        /// The period.
        period: Period,
    },
    /// The command would change nothing.
    #[error("{what} for {period} is already {current}; nothing to change")]
    Unchanged {
        /// What.
        what: &'static str,
        /// The period.
        period: Period,
        /// The current value.
        current: String,
    },
    /// The assessment does not belong to the plan's status scheme.
    #[error("this measure is assessed in the {scheme} scheme; use {hint}")]
    WrongScheme {
        /// The measure's scheme.
        scheme: StatusScheme,
        /// The command to use instead.
        hint: &'static str,
    },
    /// The person checking is the person who made what is checked (maker ≠ checker).
    #[error("{actor} entered the current {what} for {period}, so someone else must {action} it (maker ≠ checker); ask another approver")]
    MakerIsChecker {
        /// Who.
        actor: String,
        /// What was to be checked (`value`, `data note`).
        what: &'static str,
        /// The check (`sign off`, `approve`).
        action: &'static str,
        /// The period.
        period: Period,
    },
    /// There is nothing to check.
    #[error("there is no {what} for {period} to {action}; it must be entered first")]
    NothingToCheck {
        /// What was to be checked.
        what: &'static str,
        /// The check.
        action: &'static str,
        /// The period.
        period: Period,
    },
    /// The current version was already checked.
    #[error("the current {what} for {period} is already {done} by {by}; only a later change needs a new one")]
    AlreadyChecked {
        /// What was checked.
        what: &'static str,
        /// The check, in the past tense (`signed off`, `approved`).
        done: &'static str,
        /// The period.
        period: Period,
        /// Who checked it.
        by: String,
    },
    /// Nobody said who they are, so maker ≠ checker cannot be enforced.
    #[error("nobody may {what} without saying who they are, since maker and checker must differ; sign in (or give --user)")]
    NoActor {
        /// What was attempted.
        what: &'static str,
    },
    /// A change that is not about one period needs a reason.
    #[error("{what} needs a reason: {why}; give one with --reason")]
    NoReason {
        /// What was changed.
        what: &'static str,
        /// Why a reason is needed.
        why: &'static str,
    },
    /// The measure is withdrawn in the period changed.
    #[error("the measure is withdrawn from {from} on, so nothing is entered for {period}; if it applies again, reinstate it first (scoreledger reinstate)")]
    Withdrawn {
        /// The period changed.
        period: Period,
        /// The first period of the withdrawal.
        from: Period,
    },
    /// The change would change nothing.
    #[error("{what} changes nothing: {detail}")]
    NoChange {
        /// What.
        what: &'static str,
        /// Why nothing changes.
        detail: String,
    },
    /// A new user id reads like another person's.
    #[error("the user id {user_id:?} reads like {other:?}, another person's id (they are the same once case and look-alike letters are set aside); if it is the same person, issue the token for {other:?}, otherwise choose an id nobody could mistake for theirs")]
    LookAlikeUser {
        /// The id asked for, normalised.
        user_id: String,
        /// The id it collides with.
        other: String,
    },
    /// A field is invalid.
    #[error("{field} is invalid: {message}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// What is wrong and how to fix it.
        message: String,
    },
}

/// Whether `role` may issue `command` at all (DESIGN.md §7): see [`may_issue_kind`].
pub fn may_issue(role: Role, command: &Command) -> bool {
    may_issue_kind(role, command.kind())
}

/// Whether `role` may ask for this kind of command at all (DESIGN.md §7): officers enter
/// values and data notes; approvers (and admins) sign off values and approve notes; the
/// performance team and admins do everything else; auditors read, so they change nothing.
pub fn may_issue_kind(role: Role, kind: CommandKind) -> bool {
    match kind {
        CommandKind::RecordValue
        | CommandKind::ReviseValue
        | CommandKind::ConfirmValue
        | CommandKind::EditCommentary
        | CommandKind::EditNarrative => {
            matches!(role, Role::Officer | Role::Performance | Role::Admin)
        }
        CommandKind::DefinePlan
        | CommandKind::LockPeriod
        | CommandKind::ReopenPeriod
        | CommandKind::DefineMeasure
        | CommandKind::AssignLeadAccountability
        | CommandKind::SetTarget
        | CommandKind::AssessStatus
        | CommandKind::AssessRag
        | CommandKind::AssessDirection
        | CommandKind::PublishReport
        | CommandKind::CallClinic
        | CommandKind::HoldClinic
        | CommandKind::CancelClinic
        | CommandKind::RecordMeeting
        | CommandKind::AddAgendaItem
        | CommandKind::RecordDecision
        | CommandKind::CallInDecision
        | CommandKind::RegisterAction
        | CommandKind::MoveActionTargetDate
        | CommandKind::RateAction
        | CommandKind::CompleteAction
        | CommandKind::SetActionText => matches!(role, Role::Performance | Role::Admin),
        CommandKind::SignOffValue | CommandKind::ApproveCommentary => {
            matches!(role, Role::Approver | Role::Admin)
        }
        CommandKind::AmendMeasure
        | CommandKind::RecordBasisChange
        | CommandKind::AnnounceRefresh
        | CommandKind::WithdrawMeasure
        | CommandKind::ReinstateMeasure => matches!(role, Role::Performance | Role::Admin),
        CommandKind::IssueToken
        | CommandKind::RevokeToken
        | CommandKind::SetAsideCommit
        | CommandKind::AddSigningKey
        | CommandKind::RecordCheckpoint => role == Role::Admin,
        // Whoever reads, the read is recorded: it changes nothing but the trail itself.
        CommandKind::RecordAccess => true,
    }
}

/// Whoever asks (`role`, `None` when nobody said) may ask for `kind` at all, or the refusal
/// saying who may not. Checked first by [`decide`], and by a front end before it reads the
/// rest of a request: a role that may not act learns that, whatever else is wrong.
pub fn permit(role: Option<Role>, kind: CommandKind) -> Result<(), Rejection> {
    let what = kind.describe();
    match role {
        None => Err(Rejection::NoRole { what }),
        Some(role) if !may_issue_kind(role, kind) => Err(Rejection::NotAllowed { role, what }),
        Some(_) => Ok(()),
    }
}

/// Validates `command` against `state` and returns the events to append.
pub fn decide(
    state: &StreamState,
    command: &Command,
    ctx: &Context,
) -> Result<Vec<DomainEvent>, Rejection> {
    // Who may do what comes first: a role that may not act at all learns that, whatever else
    // is wrong with the command.
    permit(ctx.role, command.kind())?;
    // Text is checked before anything else is judged: what the log keeps for ever must display
    // as it is stored and survive every store and export.
    let context_texts = [
        ("reason", ctx.reason.as_deref(), TextKind::Prose),
        ("on behalf of", ctx.on_behalf_of.as_deref(), TextKind::Name),
    ];
    let context_texts = context_texts
        .into_iter()
        .filter_map(|(field, text, kind)| Some((field, text?, kind)));
    for (field, text, kind) in command.texts().into_iter().chain(context_texts) {
        text::check(text, kind).map_err(|problem| Rejection::Invalid {
            field,
            message: problem.to_string(),
        })?;
    }
    if let Some(reported) = &ctx.reported {
        reported.check(ctx.today)?;
        if let Command::RecordValue { period, .. } | Command::ReviseValue { period, .. } = command {
            reported.check_period(period)?;
        }
    }
    match (state, command) {
        (
            StreamState::Empty,
            Command::DefinePlan {
                plan_id,
                name,
                financial_year,
                status_scheme,
                approved_on,
                approved_by,
                priorities,
                outcomes,
                rule_set,
            },
        ) => {
            non_empty("plan name", name)?;
            if !matches!(financial_year, Period::FinancialYear { .. }) {
                return Err(Rejection::Invalid {
                    field: "financial year",
                    message: format!(
                        "{financial_year} is not a financial year; write it like 2016/17"
                    ),
                });
            }
            let mut events = vec![DomainEvent::PlanDefined {
                plan_id: *plan_id,
                name: name.trim().to_owned(),
                financial_year: *financial_year,
                status_scheme: *status_scheme,
                approved_on: *approved_on,
                approved_by: approved_by.clone(),
            }];
            for (number, title) in priorities {
                non_empty("priority title", title)?;
                events.push(DomainEvent::PriorityDefined {
                    number: *number,
                    title: title.clone(),
                });
            }
            for outcome in outcomes {
                if !priorities.iter().any(|(n, _)| *n == outcome.priority) {
                    return Err(Rejection::Invalid {
                        field: "outcome",
                        message: format!(
                            "outcome {}{} names priority {}, which the plan does not define",
                            outcome.priority, outcome.letter, outcome.priority
                        ),
                    });
                }
                events.push(DomainEvent::OutcomeDefined {
                    priority: outcome.priority,
                    letter: outcome.letter.clone(),
                    title: outcome.title.clone(),
                });
            }
            events.push(DomainEvent::RuleSetDefined {
                rule_set: rule_set.clone(),
            });
            Ok(events)
        }
        (
            StreamState::Empty,
            Command::DefineMeasure {
                measure_id,
                definition,
                target,
            },
        ) => {
            non_empty("measure text", &definition.title)?;
            place_in_plan(definition, ctx)?;
            let mut events = vec![DomainEvent::MeasureDefined {
                measure_id: *measure_id,
                definition: definition.clone(),
            }];
            if let Some((period, target)) = target {
                financial_year_only(period)?;
                ctx.near_plan(period)?;
                events.push(DomainEvent::TargetSet {
                    period: *period,
                    target: target.clone(),
                });
            }
            Ok(events)
        }
        (StreamState::Empty, Command::PublishReport { .. }) => publish(command),
        (
            StreamState::Empty,
            Command::IssueToken {
                token_id,
                user_id,
                name,
                role,
                directorate,
                secret_sha256,
                expires_on,
            },
        ) => {
            non_empty("user", user_id)?;
            non_empty("name", name)?;
            if secret_sha256.len() != 64 || !secret_sha256.chars().all(|c| c.is_ascii_hexdigit()) {
                return Err(Rejection::Invalid {
                    field: "secret_sha256",
                    message: "expected 64 hexadecimal digits".into(),
                });
            }
            let directorate = directorate
                .as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(str::to_owned);
            if *role == Role::Officer && directorate.is_none() {
                return Err(Rejection::Invalid {
                    field: "directorate",
                    message: "an officer's token names the directorate whose measures they enter (--directorate)".into(),
                });
            }
            if let (Some(last), Some(today)) = (expires_on, ctx.today) {
                if *last < today {
                    return Err(Rejection::Invalid {
                        field: "expires",
                        message: format!(
                            "{last} is already past (today is {today}); give the token's last valid day, today or later"
                        ),
                    });
                }
            }
            let user_id = normalise_user_id(user_id);
            if let Some(other) = ctx
                .known_users
                .iter()
                .find(|other| normalise_user_id(other) != user_id && same_person(other, &user_id))
            {
                return Err(Rejection::LookAlikeUser {
                    user_id,
                    other: other.clone(),
                });
            }
            Ok(vec![DomainEvent::TokenIssued {
                token_id: *token_id,
                user_id,
                name: name.trim().to_owned(),
                role: *role,
                directorate,
                secret_sha256: secret_sha256.to_ascii_lowercase(),
                expires_on: *expires_on,
            }])
        }
        (StreamState::Token(token), Command::RevokeToken { token_id }) => {
            if token.revoked {
                return Err(Rejection::Invalid {
                    field: "token",
                    message: format!("token {token_id} is already revoked"),
                });
            }
            if ctx.reason().is_none() {
                return Err(Rejection::Invalid {
                    field: "reason",
                    message: "say why the token is revoked (--reason)".into(),
                });
            }
            Ok(vec![DomainEvent::TokenRevoked {
                token_id: *token_id,
            }])
        }
        (
            StreamState::Empty,
            Command::RecordAccess {
                access_id,
                what,
                measure_ref,
            },
        ) => {
            non_empty("what was read", what)?;
            Ok(vec![DomainEvent::AccessRecorded {
                access_id: *access_id,
                what: what.clone(),
                measure_ref: measure_ref.clone(),
            }])
        }
        (
            StreamState::Empty,
            Command::SetAsideCommit {
                set_aside_id,
                position,
            },
        ) => set_aside(*set_aside_id, *position, ctx),
        (StreamState::SetAside(position), Command::SetAsideCommit { .. }) => {
            Err(Rejection::Invalid {
                field: "position",
                message: format!("the commit at position {position} is already set aside"),
            })
        }
        (
            StreamState::Empty | StreamState::SigningKeys(_),
            Command::AddSigningKey { key, replaces },
        ) => add_signing_key(state, key, replaces.as_deref(), ctx),
        (StreamState::SigningKeys(_), command) => Err(Rejection::WrongStream {
            command: command.describe(),
            problem: "this stream holds the log's signing keys",
        }),
        (
            StreamState::Empty | StreamState::Checkpoints(_),
            Command::RecordCheckpoint {
                checkpoint,
                frontier,
            },
        ) => {
            non_empty("checkpoint", checkpoint)?;
            Ok(vec![DomainEvent::CheckpointRecorded {
                checkpoint: checkpoint.clone(),
                frontier: frontier.clone(),
            }])
        }
        (StreamState::Checkpoints(_), command) => Err(Rejection::WrongStream {
            command: command.describe(),
            problem: "this stream holds the log's checkpoints",
        }),
        (StreamState::SetAside(_), command) => Err(Rejection::WrongStream {
            command: command.describe(),
            problem: "this stream sets aside an unreadable commit",
        }),
        (StreamState::Empty, Command::RevokeToken { token_id }) => Err(Rejection::Invalid {
            field: "token",
            message: format!("no token {token_id} has been issued"),
        }),
        (StreamState::Token(_), command) => Err(Rejection::WrongStream {
            command: command.describe(),
            problem: "this stream holds an API token",
        }),
        (
            StreamState::Empty,
            Command::RecordMeeting {
                meeting_id,
                body,
                held_on,
            },
        ) => crate::governance::record_meeting(*meeting_id, body, *held_on),
        (StreamState::Meeting(meeting), command) => {
            crate::governance::decide_meeting(meeting, command, ctx)
        }
        (
            StreamState::Empty,
            Command::RegisterAction {
                action_id,
                plan,
                objective,
                key_action,
                lead,
                target_date,
                measures,
            },
        ) => crate::improvement::register(crate::improvement::Registration {
            action_id: *action_id,
            plan,
            objective,
            key_action,
            lead,
            target_date,
            measures,
        }),
        (StreamState::Action(action), command) => {
            crate::improvement::decide_action(action, command)
        }
        (
            StreamState::Empty,
            Command::MoveActionTargetDate { .. }
            | Command::RateAction { .. }
            | Command::CompleteAction { .. }
            | Command::SetActionText { .. },
        ) => Err(Rejection::Invalid {
            field: "action",
            message: "no such improvement action is registered; name it by its plan and key \
                      action exactly as registered, or register it first"
                .to_owned(),
        }),
        (StreamState::Measure(measure), command) => decide_measure(measure, command, ctx),
        (StreamState::Empty, command) => Err(Rejection::WrongStream {
            command: command.describe(),
            problem: "no measure exists here yet",
        }),
        (StreamState::Plan(_), Command::DefinePlan { .. }) => {
            Err(Rejection::AlreadyExists { what: "this plan" })
        }
        (StreamState::Plan(plan), Command::LockPeriod { period }) => {
            let year = plan.financial_year;
            if period.start_date() < year.start_date() || period.end_date() > year.end_date() {
                return Err(Rejection::Invalid {
                    field: "period",
                    message: format!(
                        "{period} is not inside {year}, the year of {}; lock it in the plan for its own year",
                        plan.name
                    ),
                });
            }
            if plan.locked.contains(period) {
                return Err(Rejection::Unchanged {
                    what: "the lock",
                    period: *period,
                    current: "locked".into(),
                });
            }
            Ok(vec![DomainEvent::PeriodLocked { period: *period }])
        }
        (StreamState::Plan(plan), Command::ReopenPeriod { period }) => {
            if !plan.locked.contains(period) {
                return Err(Rejection::Invalid {
                    field: "period",
                    message: format!("{period} is not locked"),
                });
            }
            if ctx.reason().is_none() {
                return Err(Rejection::ReasonRequired {
                    what: "reopening",
                    period: *period,
                    why: "a locked period is reopened only for a stated reason",
                });
            }
            Ok(vec![DomainEvent::PeriodReopened { period: *period }])
        }
        (StreamState::Report(_), Command::PublishReport { .. }) => Err(Rejection::AlreadyExists {
            what: "this report",
        }),
        (StreamState::Plan(_), command) => Err(Rejection::WrongStream {
            command: command.describe(),
            problem: "this stream holds a plan",
        }),
        (StreamState::Report(_), command) => Err(Rejection::WrongStream {
            command: command.describe(),
            problem: "this stream holds a published report, which never changes",
        }),
    }
}

fn publish(command: &Command) -> Result<Vec<DomainEvent>, Rejection> {
    let Command::PublishReport {
        report_id,
        plan_id,
        kind,
        period,
        cut_off,
        meeting,
        published_on,
        rule_set_version,
        sha256,
        parts,
    } = command
    else {
        unreachable!("publish is only called with PublishReport");
    };
    non_empty("meeting", meeting)?;
    publication_date(period, *published_on)?;
    if sha256.len() != 64 || !sha256.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(Rejection::Invalid {
            field: "sha256",
            message: "expected 64 hexadecimal digits".into(),
        });
    }
    Ok(vec![DomainEvent::ReportPublished {
        report_id: *report_id,
        plan_id: *plan_id,
        kind: *kind,
        period: *period,
        cut_off: *cut_off,
        meeting: meeting.clone(),
        published_on: *published_on,
        rule_set_version: *rule_set_version,
        sha256: sha256.to_ascii_lowercase(),
        parts: parts.clone(),
    }])
}

/// How long after its period a report may still be published for the first time: packs go
/// to meetings within months; a date decades on is a typing mistake.
const YEARS_TO_PUBLISH: i32 = 5;

/// A report of a period is published once the period is over, and within
/// [`YEARS_TO_PUBLISH`] of its end.
fn publication_date(period: &Period, published_on: NaiveDate) -> Result<(), Rejection> {
    let end = period.end_date();
    let latest = end
        .with_year(end.year() + YEARS_TO_PUBLISH)
        .unwrap_or(NaiveDate::MAX);
    if published_on <= end {
        return Err(Rejection::Invalid {
            field: "published_on",
            message: format!(
                "{published_on} is not after {period} ended ({end}); a report of a period is published once the period is over"
            ),
        });
    }
    if published_on > latest {
        return Err(Rejection::Invalid {
            field: "published_on",
            message: format!(
                "{published_on} is more than {YEARS_TO_PUBLISH} years after {period} ended ({end}); check the year"
            ),
        });
    }
    Ok(())
}

fn decide_measure(
    measure: &MeasureState,
    command: &Command,
    ctx: &Context,
) -> Result<Vec<DomainEvent>, Rejection> {
    // A change to a locked period needs the performance team (or an admin) and a reason,
    // whatever the change.
    let changed_period = match command {
        Command::SetTarget { period, .. }
        | Command::RecordValue { period, .. }
        | Command::ReviseValue { period, .. }
        | Command::ConfirmValue { period, .. }
        | Command::AssessStatus { period, .. }
        | Command::AssessRag { period, .. }
        | Command::AssessDirection { period, .. }
        | Command::EditCommentary { period, .. }
        | Command::EditNarrative { period, .. }
        | Command::WithdrawMeasure { from: period }
        | Command::ReinstateMeasure { from: period } => Some(period),
        _ => None,
    };
    let changes_applicability = matches!(
        command,
        Command::WithdrawMeasure { .. } | Command::ReinstateMeasure { .. }
    );
    if let Some(period) = changed_period.filter(|_| !changes_applicability) {
        ctx.near_plan(period)?;
        // So far through the year's last day is the year: one figure, not two that read alike.
        if let Period::YearToDate { fy, through } = *period {
            let year = Period::financial_year(fy);
            if through == year.end_date() {
                return Err(Rejection::Invalid {
                    field: "period",
                    message: format!(
                        "{period} is the whole year; record the outturn for {year} instead"
                    ),
                });
            }
        }
        if let Some(withdrawal) = crate::lifecycle::deciding(&measure.applicability, period)
            .filter(|change| !change.applies)
        {
            return Err(Rejection::Withdrawn {
                period: *period,
                from: withdrawal.from,
            });
        }
    }
    if let Some(period) = changed_period {
        if let Some(lock) = ctx.lock_covering(period) {
            if !ctx.may_change_locked() || ctx.reason().is_none() {
                return Err(Rejection::Locked {
                    period: *period,
                    lock: *lock,
                });
            }
        }
    }
    let published_needs_reason = |what, period: &Period| {
        if ctx.is_published(period) && ctx.reason().is_none() {
            Err(Rejection::ReasonRequired {
                what,
                period: *period,
                why: "that period has been published",
            })
        } else {
            Ok(())
        }
    };
    // A whole text written for a period (a data note, a narrative): not empty, not the text
    // it already has, and a rewrite of a published period says why.
    let rewrite = |(field, what, edited): (&'static str, &'static str, &'static str),
                   current: Option<&String>,
                   text: &String,
                   period: &Period| {
        non_empty(field, text)?;
        if current == Some(text) {
            return Err(Rejection::Unchanged {
                what,
                period: *period,
                current: "the same text".into(),
            });
        }
        if current.is_some() {
            published_needs_reason(edited, period)?;
        }
        Ok(())
    };
    match command {
        Command::DefineMeasure { .. } => Err(Rejection::AlreadyExists {
            what: "this measure",
        }),
        Command::AssignLeadAccountability {
            person,
            effective_from,
        } => {
            non_empty("lead accountability", person)?;
            if measure.accountability.get(effective_from) == Some(person) {
                return Err(Rejection::Invalid {
                    field: "lead accountability",
                    message: format!("{person} is already accountable from {effective_from}"),
                });
            }
            Ok(vec![DomainEvent::LeadAccountabilityAssigned {
                person: person.trim().to_owned(),
                effective_from: *effective_from,
            }])
        }
        Command::SetTarget { period, target } => {
            financial_year_only(period)?;
            match measure.targets.get(period) {
                None => {
                    published_needs_reason("a target", period)?;
                    Ok(vec![DomainEvent::TargetSet {
                        period: *period,
                        target: target.clone(),
                    }])
                }
                Some(old) if old == target => Err(Rejection::Unchanged {
                    what: "the target",
                    period: *period,
                    current: old.raw.clone(),
                }),
                Some(old) => {
                    if ctx.reason().is_none() {
                        return Err(Rejection::ReasonRequired {
                            what: "a target change",
                            period: *period,
                            why: "every change to an agreed target is explained",
                        });
                    }
                    Ok(vec![DomainEvent::TargetChanged {
                        period: *period,
                        old: old.clone(),
                        new: target.clone(),
                    }])
                }
            }
        }
        Command::RecordValue {
            period,
            value,
            quality,
        } => {
            if let Some(current) = measure.values.get(period) {
                return Err(Rejection::AlreadyRecorded {
                    period: *period,
                    current: current.raw.clone(),
                });
            }
            published_needs_reason("a late value", period)?;
            Ok(vec![DomainEvent::ValueRecorded {
                period: *period,
                value: value.clone(),
                quality: quality.clone(),
            }])
        }
        Command::ReviseValue {
            period,
            value,
            classification,
            quality,
        } => {
            let Some(old) = measure.values.get(period) else {
                return Err(Rejection::NothingToRevise { period: *period });
            };
            if old == value {
                return Err(Rejection::Unchanged {
                    what: "the value",
                    period: *period,
                    current: old.raw.clone(),
                });
            }
            if ctx.reason().is_none() {
                return Err(Rejection::ReasonRequired {
                    what: "a revision",
                    period: *period,
                    why: "every revision carries its reason",
                });
            }
            Ok(vec![DomainEvent::ValueRevised {
                period: *period,
                old: old.clone(),
                new: value.clone(),
                classification: *classification,
                quality: quality.clone(),
            }])
        }
        Command::ConfirmValue { period, quality } => {
            let (Some(value), Some((was, classification))) = (
                measure.values.get(period),
                measure.value_quality.get(period),
            ) else {
                return Err(Rejection::NothingToRevise { period: *period });
            };
            if was == quality {
                return Err(Rejection::Unchanged {
                    what: "the value's quality",
                    period: *period,
                    current: quality.describe(),
                });
            }
            if ctx.reason().is_none() {
                return Err(Rejection::ReasonRequired {
                    what: "a confirmation",
                    period: *period,
                    why: "every confirmation names what validated the figure",
                });
            }
            Ok(vec![DomainEvent::ValueConfirmed {
                period: *period,
                value: value.clone(),
                classification: *classification,
                was: was.clone(),
                quality: quality.clone(),
            }])
        }
        Command::AssessStatus { period, status } => {
            if measure.definition.status_scheme != StatusScheme::Corporate2016 {
                return Err(Rejection::WrongScheme {
                    scheme: measure.definition.status_scheme,
                    hint: "a RAG rating",
                });
            }
            if let Some(current) = measure.statuses.get(period) {
                if current == status {
                    return Err(Rejection::Unchanged {
                        what: "the status",
                        period: *period,
                        current: current.to_string(),
                    });
                }
                published_needs_reason("a revised status", period)?;
            }
            let rules = ctx.rules.clone().unwrap_or_default();
            Ok(vec![DomainEvent::StatusAssessed {
                period: *period,
                status: *status,
                computed: measure.suggestions(&rules, period).0,
                rule_set_version: rules.version,
            }])
        }
        Command::AssessRag { period, rag } => {
            if measure.definition.status_scheme != StatusScheme::Rag2010 {
                return Err(Rejection::WrongScheme {
                    scheme: measure.definition.status_scheme,
                    hint: "a status (on_target, satisfactory, …)",
                });
            }
            if measure.rags.get(period) == Some(rag) {
                return Err(Rejection::Unchanged {
                    what: "the RAG rating",
                    period: *period,
                    current: rag.to_string(),
                });
            }
            published_needs_reason("a revised RAG rating", period)?;
            let rules = ctx.rules.clone().unwrap_or_default();
            Ok(vec![DomainEvent::RagAssessed {
                period: *period,
                rag: *rag,
                computed: measure
                    .suggestions(&rules, period)
                    .0
                    .and_then(crate::status::Rag::suggested_by),
                rule_set_version: Some(rules.version),
            }])
        }
        Command::AssessDirection { period, direction } => {
            if let Some(current) = measure.directions.get(period) {
                if current == direction {
                    return Err(Rejection::Unchanged {
                        what: "the direction of travel",
                        period: *period,
                        current: current.to_string(),
                    });
                }
                published_needs_reason("a revised direction of travel", period)?;
            }
            let rules = ctx.rules.clone().unwrap_or_default();
            Ok(vec![DomainEvent::DirectionAssessed {
                period: *period,
                direction: *direction,
                computed: Some(measure.suggestions(&rules, period).1),
            }])
        }
        Command::EditCommentary { period, text } => {
            let named = ("data note", "the data note", "an edited data note");
            rewrite(named, measure.commentary.get(period), text, period)?;
            Ok(vec![DomainEvent::CommentaryEdited {
                period: *period,
                text: text.clone(),
            }])
        }
        Command::EditNarrative { period, text } => {
            let named = ("narrative", "the narrative", "an edited narrative");
            rewrite(named, measure.narratives.get(period), text, period)?;
            Ok(vec![DomainEvent::NarrativeEdited {
                period: *period,
                text: text.clone(),
            }])
        }
        Command::SignOffValue { period } => {
            let maker = measure.value_makers.get(period);
            check(maker, ctx, ("value", "sign off", "signed off"), period)?;
            let revision = maker.map_or(0, |m| m.revision);
            Ok(vec![DomainEvent::ValueSignedOff {
                period: *period,
                revision,
            }])
        }
        Command::ApproveCommentary { period } => {
            let maker = measure.note_makers.get(period);
            check(maker, ctx, ("data note", "approve", "approved"), period)?;
            Ok(vec![DomainEvent::CommentaryApproved { period: *period }])
        }
        Command::AmendMeasure { changes } => amend(measure, changes, ctx),
        Command::CallClinic { on, chair } => crate::clinic::call(measure, *on, chair, ctx),
        Command::HoldClinic { on, mandates } => crate::clinic::hold(measure, *on, mandates),
        Command::CancelClinic { on } => crate::clinic::cancel(measure, *on, ctx),
        Command::RecordBasisChange {
            kind,
            from,
            note,
            restated,
        } => {
            ctx.near_plan(from)?;
            non_empty("what changed", note)?;
            Ok(vec![DomainEvent::BasisChanged {
                kind: *kind,
                from: *from,
                note: note.trim().to_owned(),
                restated: *restated,
            }])
        }
        Command::AnnounceRefresh { period, due, note } => {
            ctx.near_plan(period)?;
            ctx.near_plan(due)?;
            non_empty("why the value will be refreshed", note)?;
            if !measure.values.contains_key(period) {
                return Err(Rejection::Invalid {
                    field: "period",
                    message: format!(
                        "{} has no value for {period} to refresh; record it first",
                        measure.definition.measure_ref
                    ),
                });
            }
            if due.end_date() < period.end_date() {
                return Err(Rejection::Invalid {
                    field: "due",
                    message: format!(
                        "a refresh of {period} cannot be due for {due}, which ends before it; name the report the refreshed figure is for (the end of year: {})",
                        Period::financial_year(period.financial_year_of())
                    ),
                });
            }
            Ok(vec![DomainEvent::RefreshAnnounced {
                period: *period,
                due: *due,
                note: note.trim().to_owned(),
            }])
        }
        Command::WithdrawMeasure { from } => applicability(measure, *from, false, ctx),
        Command::ReinstateMeasure { from } => applicability(measure, *from, true, ctx),
        Command::DefinePlan { .. }
        | Command::PublishReport { .. }
        | Command::LockPeriod { .. }
        | Command::ReopenPeriod { .. }
        | Command::IssueToken { .. }
        | Command::RevokeToken { .. }
        | Command::RecordAccess { .. }
        | Command::SetAsideCommit { .. }
        | Command::AddSigningKey { .. }
        | Command::RecordCheckpoint { .. }
        | Command::RecordMeeting { .. }
        | Command::AddAgendaItem { .. }
        | Command::RecordDecision { .. }
        | Command::CallInDecision { .. }
        | Command::RegisterAction { .. }
        | Command::MoveActionTargetDate { .. }
        | Command::RateAction { .. }
        | Command::CompleteAction { .. }
        | Command::SetActionText { .. } => Err(Rejection::WrongStream {
            command: command.describe(),
            problem: "this stream holds a measure",
        }),
    }
}

/// Sets aside the commit at `position`: only one the store found unreadable, and only with a
/// reason, since from then on every projection passes over it.
fn set_aside(
    set_aside_id: crate::ids::SetAsideId,
    position: crate::ids::Position,
    ctx: &Context,
) -> Result<Vec<DomainEvent>, Rejection> {
    let Some(unreadable) = ctx.unreadable.as_ref().filter(|u| u.position == position) else {
        return Err(Rejection::Invalid {
            field: "position",
            message: format!(
                "the commit at position {position} can be read, or there is none; only a commit that cannot be read may be set aside"
            ),
        });
    };
    if ctx.reason().is_none() {
        return Err(Rejection::NoReason {
            what: "setting aside a commit",
            why: "every report built across it will say it was set aside, and why",
        });
    }
    Ok(vec![DomainEvent::CommitSetAside {
        set_aside_id,
        position,
        problem: unreadable.problem.clone(),
    }])
}

/// Adds a signing key, retiring the one it replaces. The key's form is the integrity crate's
/// to check (the domain holds no cryptography); here: one key once, and only an active key
/// retired, with a reason when one is.
fn add_signing_key(
    state: &StreamState,
    key: &str,
    replaces: Option<&str>,
    ctx: &Context,
) -> Result<Vec<DomainEvent>, Rejection> {
    let active: &[String] = match state {
        StreamState::SigningKeys(keys) => keys,
        _ => &[],
    };
    non_empty("key", key)?;
    if key.chars().any(char::is_whitespace) {
        return Err(Rejection::Invalid {
            field: "key",
            message: "a public key has no spaces".into(),
        });
    }
    if active.iter().any(|known| known == key) {
        return Err(Rejection::Invalid {
            field: "key",
            message: "the log already signs with this key".into(),
        });
    }
    let mut events = vec![DomainEvent::SigningKeyAdded {
        key: key.to_owned(),
    }];
    if let Some(old) = replaces {
        if !active.iter().any(|known| known == old) {
            return Err(Rejection::Invalid {
                field: "replaces",
                message: format!("the log does not sign with {old}"),
            });
        }
        if ctx.reason().is_none() {
            return Err(Rejection::NoReason {
                what: "rotating the signing key",
                why: "auditors will ask why the log changed keys",
            });
        }
        events.push(DomainEvent::SigningKeyRetired {
            key: old.to_owned(),
        });
    }
    Ok(events)
}

/// Maker–checker: the current version exists, is not checked yet, and was not entered by the
/// person checking it. `words` are (what, the check, the check done).
fn check(
    maker: Option<&Maker>,
    ctx: &Context,
    (what, action, done): (&'static str, &'static str, &'static str),
    period: &Period,
) -> Result<(), Rejection> {
    let Some(checker) = ctx
        .actor
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
    else {
        return Err(Rejection::NoActor { what: action });
    };
    let Some(maker) = maker else {
        return Err(Rejection::NothingToCheck {
            what,
            action,
            period: *period,
        });
    };
    if let Some(by) = &maker.checked_by {
        return Err(Rejection::AlreadyChecked {
            what,
            done,
            period: *period,
            by: by.clone(),
        });
    }
    if same_person(&maker.actor, checker) {
        return Err(Rejection::MakerIsChecker {
            actor: checker.to_owned(),
            what,
            action,
            period: *period,
        });
    }
    Ok(())
}

/// An amendment of the definition: every field known, at least one changed, and a reason,
/// because a definition change alters how every past and future value is read.
fn amend(
    measure: &MeasureState,
    changes: &BTreeMap<String, String>,
    ctx: &Context,
) -> Result<Vec<DomainEvent>, Rejection> {
    let mut wanted = BTreeMap::new();
    for (name, text) in changes {
        let field: MeasureField = name.parse().map_err(|_| Rejection::Invalid {
            field: "field",
            message: format!(
                "a measure has no amendable field {name:?}; amendable fields are {}",
                MeasureField::ALL
                    .iter()
                    .map(|f| f.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })?;
        let after = field
            .normalise(text)
            .map_err(|message| Rejection::Invalid {
                field: "field",
                message: format!("{field}: {message}"),
            })?;
        wanted.insert(field, after);
    }
    if wanted.is_empty() {
        return Err(Rejection::NoChange {
            what: "the amendment",
            detail: "it names no field; give at least one field to change".into(),
        });
    }
    let changes: Vec<FieldChange> = wanted
        .into_iter()
        .filter_map(|(field, after)| {
            let before = measure.definition.field(field);
            (before != after).then_some(FieldChange {
                field,
                before,
                after,
            })
        })
        .collect();
    if changes.is_empty() {
        return Err(Rejection::NoChange {
            what: "the amendment",
            detail: "every field given already has that value".into(),
        });
    }
    if ctx.reason().is_none() {
        return Err(Rejection::NoReason {
            what: "an amendment of a measure's definition",
            why: "a definition change alters how every value of the measure is read",
        });
    }
    Ok(vec![DomainEvent::MeasureAmended { changes }])
}

/// Withdraws (`applies` false) or reinstates a measure from a period on, with a reason:
/// every report from then on counts differently.
fn applicability(
    measure: &MeasureState,
    from: Period,
    applies: bool,
    ctx: &Context,
) -> Result<Vec<DomainEvent>, Rejection> {
    ctx.near_plan(&from)?;
    let reference = &measure.definition.measure_ref;
    if measure.applies_in(&from) == applies {
        return Err(Rejection::NoChange {
            what: if applies {
                "the reinstatement"
            } else {
                "the withdrawal"
            },
            detail: if applies {
                format!("{reference} applies in {from}; only a withdrawn measure is reinstated")
            } else {
                format!("{reference} is already withdrawn in {from}")
            },
        });
    }
    if ctx.reason().is_none() {
        return Err(Rejection::NoReason {
            what: if applies {
                "a reinstatement of a measure"
            } else {
                "a withdrawal of a measure"
            },
            why: "reports from that period on count the plan's measures differently",
        });
    }
    Ok(vec![if applies {
        DomainEvent::MeasureReinstated { from }
    } else {
        DomainEvent::MeasureWithdrawn { from }
    }])
}

pub(crate) fn non_empty(field: &'static str, text: &str) -> Result<(), Rejection> {
    if text.trim().is_empty() {
        Err(Rejection::Invalid {
            field,
            message: "it is empty".into(),
        })
    } else {
        Ok(())
    }
}

/// A plan-numbered reference names its priority and outcome (`1.A3`: priority 1, outcome A;
/// a national indicator such as `NI 68` names neither), and both are the plan's: the API and an
/// import place measures by the same rule.
fn place_in_plan(definition: &MeasureDefinition, ctx: &Context) -> Result<(), Rejection> {
    let (priority, outcome) = (definition.priority, definition.outcome.trim());
    let reference = definition.measure_ref.as_str();
    let placed = format!("{priority}.{outcome}");
    let numbered = definition.measure_ref.priority().is_some();
    if numbered && (outcome.is_empty() || !reference.starts_with(&placed)) {
        return Err(Rejection::Invalid {
            field: "ref",
            message: format!(
                "{reference} does not belong under priority {priority}, outcome {outcome:?}: a reference begins with its priority and outcome ({placed}…); check the reference, the priority and the outcome"
            ),
        });
    }
    let Some(outline) = &ctx.outline else {
        return Ok(());
    };
    if !outline.priorities.contains(&priority) {
        let known: Vec<String> = outline.priorities.iter().map(u8::to_string).collect();
        return Err(Rejection::Invalid {
            field: "priority",
            message: format!(
                "the plan has no priority {priority}; its priorities are {}",
                known.join(", ")
            ),
        });
    }
    let named: Vec<&str> = outline
        .outcomes
        .iter()
        .filter(|(p, _)| *p == priority)
        .map(|(_, letter)| letter.as_str())
        .collect();
    if !outline.outcomes.is_empty() && !named.contains(&outcome) {
        return Err(Rejection::Invalid {
            field: "outcome",
            message: format!(
                "the plan has no outcome {priority}{outcome}; priority {priority}'s outcomes are {}",
                if named.is_empty() { "none".to_owned() } else { named.join(", ") }
            ),
        });
    }
    Ok(())
}

fn financial_year_only(period: &Period) -> Result<(), Rejection> {
    if matches!(period, Period::FinancialYear { .. }) {
        Ok(())
    } else {
        Err(Rejection::Invalid {
            field: "target period",
            message: format!("targets are set for a financial year such as 2016/17, not {period}; phase a target within the year in its text (April - September 26% October - March 23%)"),
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use uuid::Uuid;

    use super::*;
    use crate::event::ReportKind;
    use crate::measure::{Frequency, MeasureDefinition, Polarity, ValueKind};
    use crate::state::evolve;
    use crate::target::TargetSpec;
    use crate::value::{DataQuality, RecordedValue, RevisionClass};
    use crate::{MeasureId, MeasureRef, PlanId, Position, Rag, ReportId, Status};

    fn definition(scheme: StatusScheme) -> MeasureDefinition {
        MeasureDefinition {
            plan_id: PlanId(Uuid::from_u128(1)),
            measure_ref: MeasureRef::parse("2.B1").unwrap(),
            ref_as_printed: "2.B1".into(),
            priority: 2,
            outcome: "B".into(),
            action: "Safeguarding".into(),
            title: "No. of Safeguarding investigations (Section 42 enquiries) completed".into(),
            priority_measure: true,
            lead_officer: "Sam Newton".into(),
            directorate: "Adult Social Care and Housing".into(),
            lead_accountability: "Anne Marie Lubanski".into(),
            polarity: Polarity::High,
            polarity_text: "High".into(),
            frequency: Frequency::Quarterly,
            frequency_text: "Quarterly".into(),
            value_kind: ValueKind::PointInTime,
            status_scheme: scheme,
            baseline: String::new(),
        }
    }

    /// Given the events of `given`, when `command` is decided with `ctx`.
    fn when(
        given: &[Command],
        command: Command,
        ctx: &Context,
    ) -> Result<Vec<DomainEvent>, Rejection> {
        let given: Vec<(&str, Command)> = given.iter().map(|c| ("setup", c.clone())).collect();
        when_by(&given, command, ctx)
    }

    /// Given the commands of `given`, each issued by the actor (id) beside it, when `command`
    /// is decided with `ctx`.
    fn when_by(
        given: &[(&str, Command)],
        command: Command,
        ctx: &Context,
    ) -> Result<Vec<DomainEvent>, Rejection> {
        let mut state = StreamState::Empty;
        for (actor, past) in given {
            for event in decide(
                &state,
                past,
                // An admin may issue every command, so any history can be set up.
                &Context {
                    reason: Some("setup".into()),
                    role: Some(Role::Admin),
                    actor: Some((*actor).to_owned()),
                    ..Context::default()
                },
            )
            .unwrap()
            {
                state = evolve(state, &event, actor);
            }
        }
        decide(&state, &command, ctx)
    }

    fn defined(scheme: StatusScheme) -> Command {
        Command::DefineMeasure {
            measure_id: MeasureId(Uuid::from_u128(2)),
            definition: definition(scheme),
            target: Some((
                Period::financial_year(2016),
                TargetSpec::parse("Baseline year").unwrap(),
            )),
        }
    }

    fn q2() -> Period {
        Period::quarter(2016, 2)
    }

    fn record(raw: &str) -> Command {
        Command::RecordValue {
            period: q2(),
            value: RecordedValue::parse(raw).unwrap(),
            quality: DataQuality::default(),
        }
    }

    fn revise(raw: &str) -> Command {
        Command::ReviseValue {
            period: q2(),
            value: RecordedValue::parse(raw).unwrap(),
            classification: RevisionClass::Correction,
            quality: DataQuality::default(),
        }
    }

    /// A member of the performance team asking, with nothing else in the context.
    fn performance_team() -> Context {
        Context {
            role: Some(Role::Performance),
            ..Context::default()
        }
    }

    fn reason(text: &str) -> Context {
        Context {
            reason: Some(text.into()),
            ..performance_team()
        }
    }

    fn published_through_q2() -> Context {
        Context {
            published_through: NaiveDate::from_ymd_opt(2016, 9, 30),
            ..performance_team()
        }
    }

    fn confirm(quality: crate::value::Quality, source: &str) -> Command {
        Command::ConfirmValue {
            period: q2(),
            quality: DataQuality {
                quality,
                source_system: Some(source.into()),
            },
        }
    }

    #[test]
    fn a_year_so_far_through_its_last_day_is_refused_for_the_year_itself() {
        let so_far = |day| Command::RecordValue {
            period: Period::parse(day).unwrap(),
            value: RecordedValue::parse("80%").unwrap(),
            quality: DataQuality::default(),
        };
        let given = [defined(StatusScheme::Corporate2016)];
        let err = when(
            &given,
            so_far("2016/17 to 31 Mar 2017"),
            &performance_team(),
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("is the whole year; record the outturn for 2016/17 instead"),
            "{err}"
        );
        assert!(when(
            &given,
            so_far("2016/17 to 30 Mar 2017"),
            &performance_team()
        )
        .is_ok());
    }

    #[test]
    fn a_provisional_value_is_confirmed_as_it_stands_with_a_reason() {
        use crate::value::Quality;
        let provisional = Command::RecordValue {
            period: q2(),
            value: RecordedValue::parse("0.03").unwrap(),
            quality: DataQuality {
                quality: Quality::Provisional,
                source_system: Some("DfE".into()),
            },
        };
        let setup = [defined(StatusScheme::Corporate2016), provisional.clone()];
        let validated = confirm(Quality::Final, "DfE validated release");
        let events = when(&setup, validated.clone(), &reason("validated release")).unwrap();
        match &events[..] {
            [DomainEvent::ValueConfirmed {
                value,
                classification: None,
                was,
                quality,
                ..
            }] => {
                assert_eq!(value.raw, "0.03");
                assert_eq!(was.quality, Quality::Provisional);
                assert_eq!(quality.quality, Quality::Final);
            }
            other => panic!("expected one ValueConfirmed, got {other:?}"),
        }
        // Without a reason; with nothing to confirm; with the flags it already has.
        assert!(matches!(
            when(&setup, validated.clone(), &performance_team()),
            Err(Rejection::ReasonRequired { .. })
        ));
        assert!(matches!(
            when(&setup[..1], validated.clone(), &reason("validated")),
            Err(Rejection::NothingToRevise { .. })
        ));
        assert!(matches!(
            when(
                &setup,
                confirm(Quality::Provisional, "DfE"),
                &reason("again")
            ),
            Err(Rejection::Unchanged { .. })
        ));
        // Confirmed once, the same confirmation again changes nothing.
        let mut twice = setup.to_vec();
        twice.push(validated.clone());
        assert!(matches!(
            when(&twice, validated, &reason("again")),
            Err(Rejection::Unchanged { .. })
        ));
        // Auditors change nothing.
        let auditor = Context {
            role: Some(Role::Auditor),
            reason: Some("validated".into()),
            ..Context::default()
        };
        assert!(when(&setup, confirm(Quality::Final, "DfE"), &auditor).is_err());
    }

    #[test]
    fn a_revision_carries_old_and_new_value_and_its_classification() {
        let events = when(
            &[defined(StatusScheme::Corporate2016), record("112")],
            revise("95"),
            &reason("wrong definition"),
        )
        .unwrap();
        match &events[..] {
            [DomainEvent::ValueRevised {
                old,
                new,
                classification,
                ..
            }] => {
                assert_eq!(
                    (old.raw.as_str(), new.raw.as_str(), *classification),
                    ("112", "95", RevisionClass::Correction)
                );
            }
            other => panic!("expected one ValueRevised, got {other:?}"),
        }
    }

    #[test]
    fn a_revision_without_a_reason_is_rejected() {
        let err = when(
            &[defined(StatusScheme::Corporate2016), record("112")],
            revise("95"),
            &performance_team(),
        )
        .unwrap_err();
        assert!(matches!(err, Rejection::ReasonRequired { .. }), "{err:?}");
        assert!(err.to_string().contains("give one with --reason"));
        let blank = when(
            &[defined(StatusScheme::Corporate2016), record("112")],
            revise("95"),
            &reason("   "),
        )
        .unwrap_err();
        assert!(
            matches!(blank, Rejection::ReasonRequired { .. }),
            "a blank reason is no reason"
        );
    }

    #[test]
    fn a_value_is_recorded_once_and_revised_after() {
        let err = when(
            &[defined(StatusScheme::Corporate2016), record("112")],
            record("95"),
            &performance_team(),
        )
        .unwrap_err();
        assert_eq!(
            err,
            Rejection::AlreadyRecorded {
                period: q2(),
                current: "112".into()
            }
        );
        let err = when(
            &[defined(StatusScheme::Corporate2016)],
            revise("95"),
            &reason("x"),
        )
        .unwrap_err();
        assert_eq!(err, Rejection::NothingToRevise { period: q2() });
        let err = when(
            &[defined(StatusScheme::Corporate2016), record("95")],
            revise("95"),
            &reason("x"),
        )
        .unwrap_err();
        assert!(matches!(err, Rejection::Unchanged { .. }), "{err:?}");
    }

    #[test]
    fn a_narrative_is_written_once_per_text_and_rewritten_for_a_published_quarter_with_a_reason() {
        let narrative = |text: &str| Command::EditNarrative {
            period: q2(),
            text: text.into(),
        };
        let given = [defined(StatusScheme::Corporate2016), record("112")];
        let written = when(&given, narrative("Now at 112."), &performance_team()).unwrap();
        assert_eq!(
            written,
            [DomainEvent::NarrativeEdited {
                period: q2(),
                text: "Now at 112.".into()
            }]
        );
        let err = when(&given, narrative("  "), &performance_team()).unwrap_err();
        assert!(
            matches!(
                err,
                Rejection::Invalid {
                    field: "narrative",
                    ..
                }
            ),
            "{err:?}"
        );
        let given = [
            defined(StatusScheme::Corporate2016),
            record("112"),
            narrative("Now at 112."),
        ];
        let err = when(&given, narrative("Now at 112."), &performance_team()).unwrap_err();
        assert!(matches!(err, Rejection::Unchanged { .. }), "{err:?}");
        let err = when(&given, narrative("Now at 95."), &published_through_q2()).unwrap_err();
        assert!(matches!(err, Rejection::ReasonRequired { .. }), "{err:?}");
        let rewritten = Context {
            reason: Some("Appendix A quoted Q1's figure".into()),
            ..published_through_q2()
        };
        assert!(when(&given, narrative("Now at 95."), &rewritten).is_ok());
        assert!(!may_issue(Role::Auditor, &narrative("x")));
        assert!(may_issue(Role::Officer, &narrative("x")));
    }

    #[test]
    fn text_that_would_not_display_as_stored_is_refused_in_every_field_before_anything_else() {
        let given = [defined(StatusScheme::Corporate2016), record("112")];
        let note = |text: &str| Command::EditCommentary {
            period: q2(),
            text: text.into(),
        };
        let refused = |command: Command, ctx: &Context, field: &str, says: &str| {
            let err = when(&given, command, ctx).unwrap_err();
            let message = err.to_string();
            assert!(
                matches!(err, Rejection::Invalid { field: f, .. } if f == field)
                    && message.contains(says),
                "{message}"
            );
        };
        refused(
            note("on target \u{202E}71024"),
            &performance_team(),
            "note",
            "bidirectional control U+202E",
        );
        refused(note("a\0b"), &performance_team(), "note", "U+0000");
        refused(
            note(&"x".repeat(10_001)),
            &performance_team(),
            "note",
            "at most 10000",
        );
        refused(
            revise("95\u{1b}[2J"),
            &reason("typo"),
            "value",
            "control character U+001B",
        );
        refused(
            revise("95"),
            &reason("typo\u{2066}"),
            "reason",
            "bidirectional",
        );
        refused(
            note("fine"),
            &Context {
                on_behalf_of: Some("sam\nnewton".into()),
                ..performance_team()
            },
            "on behalf of",
            "one line",
        );
        let publish = Command::PublishReport {
            report_id: ReportId(Uuid::from_u128(9)),
            plan_id: PlanId(Uuid::from_u128(1)),
            kind: ReportKind::QuarterlyScorecard,
            period: q2(),
            cut_off: Position(1),
            meeting: "Cabinet\0".into(),
            published_on: NaiveDate::from_ymd_opt(2016, 11, 1).unwrap(),
            rule_set_version: 1,
            sha256: "0".repeat(64),
            parts: Vec::new(),
        };
        let err = decide(&StreamState::Empty, &publish, &performance_team()).unwrap_err();
        assert!(
            matches!(
                err,
                Rejection::Invalid {
                    field: "meeting",
                    ..
                }
            ),
            "{err:?}"
        );
        // Line breaks and tabs belong in notes and reasons.
        let events = when(
            &given,
            note("Q2 data:\r\n\tconfirmed"),
            &reason("line one\nline two"),
        )
        .unwrap();
        assert_eq!(events.len(), 1);
    }

    #[test]
    fn a_period_far_from_the_plans_year_is_refused_as_such_before_anything_else() {
        let ctx = Context {
            plan_year: Some(Period::financial_year(2016)),
            locked: [Period::quarter(2016, 2)].into(),
            ..published_through_q2()
        };
        let far = |period: Period| {
            [
                Command::RecordValue {
                    period,
                    value: RecordedValue::parse("1").unwrap(),
                    quality: DataQuality::default(),
                },
                Command::EditCommentary {
                    period,
                    text: "typo".into(),
                },
                Command::SetTarget {
                    period,
                    target: TargetSpec::parse("5%").unwrap(),
                },
            ]
        };
        for period in [Period::financial_year(1900), Period::financial_year(2022)] {
            for command in far(period) {
                let err = when(&[defined(StatusScheme::Corporate2016)], command, &ctx).unwrap_err();
                assert!(matches!(err, Rejection::FarFromPlan { .. }), "{err:?}");
                let message = err.to_string();
                assert!(
                    message.contains("far outside 2016/17")
                        && message.contains("from 2006/07 to 2021/22")
                        && !message.contains("published"),
                    "{message}"
                );
            }
        }
        let q1_1900 = Command::RecordValue {
            period: Period::quarter(1900, 1),
            value: RecordedValue::parse("1").unwrap(),
            quality: DataQuality::default(),
        };
        assert!(matches!(
            when(&[defined(StatusScheme::Corporate2016)], q1_1900, &ctx),
            Err(Rejection::FarFromPlan { .. })
        ));
        // The edges of the window are the plan's: ten years of outturns, five of targets.
        let edge = Command::RecordValue {
            period: Period::financial_year(2006),
            value: RecordedValue::parse("1").unwrap(),
            quality: DataQuality::default(),
        };
        let with_reason = Context {
            reason: Some("outturn".into()),
            ..ctx.clone()
        };
        assert!(when(&[defined(StatusScheme::Corporate2016)], edge, &with_reason).is_ok());
        let target = Command::SetTarget {
            period: Period::financial_year(2021),
            target: TargetSpec::parse("5%").unwrap(),
        };
        assert!(when(&[defined(StatusScheme::Corporate2016)], target, &ctx).is_ok());
        // A measure defined with a first target far from the plan is refused too.
        let mut far_definition = defined(StatusScheme::Corporate2016);
        if let Command::DefineMeasure { target, .. } = &mut far_definition {
            *target = Some((
                Period::financial_year(1950),
                TargetSpec::parse("5%").unwrap(),
            ));
        }
        assert!(matches!(
            when(&[], far_definition, &ctx),
            Err(Rejection::FarFromPlan { .. })
        ));
    }

    #[test]
    fn late_data_for_a_published_period_needs_a_reason() {
        let err = when(
            &[defined(StatusScheme::Corporate2016)],
            record("95"),
            &published_through_q2(),
        )
        .unwrap_err();
        assert!(
            matches!(
                err,
                Rejection::ReasonRequired {
                    what: "a late value",
                    ..
                }
            ),
            "{err:?}"
        );
        let ctx = Context {
            reason: Some("SWIFT data arrived late".into()),
            ..published_through_q2()
        };
        assert!(when(&[defined(StatusScheme::Corporate2016)], record("95"), &ctx).is_ok());
        // Q3 is not published yet: no reason needed.
        let q3 = Command::RecordValue {
            period: Period::quarter(2016, 3),
            value: RecordedValue::parse("62").unwrap(),
            quality: DataQuality::default(),
        };
        assert!(when(
            &[defined(StatusScheme::Corporate2016)],
            q3,
            &published_through_q2()
        )
        .is_ok());
    }

    #[test]
    fn reassessing_a_published_status_needs_a_reason_but_a_first_assessment_does_not() {
        let assess = |status| Command::AssessStatus {
            period: q2(),
            status,
        };
        assert!(when(
            &[defined(StatusScheme::Corporate2016)],
            assess(Status::OnTarget),
            &published_through_q2()
        )
        .is_ok());
        let err = when(
            &[
                defined(StatusScheme::Corporate2016),
                assess(Status::OnTarget),
            ],
            assess(Status::Satisfactory),
            &published_through_q2(),
        )
        .unwrap_err();
        assert!(matches!(err, Rejection::ReasonRequired { .. }), "{err:?}");
    }

    #[test]
    fn an_assessment_records_what_the_plans_rules_suggest_beside_it() {
        let rules = RuleSet {
            version: 7,
            ..RuleSet::default()
        };
        let ctx = Context {
            rules: Some(rules),
            ..performance_team()
        };
        let given = [defined(StatusScheme::Corporate2016), record("45%")];
        let assessed = when(
            &given,
            Command::AssessStatus {
                period: q2(),
                status: Status::OnTarget,
            },
            &ctx,
        )
        .unwrap();
        // The target says 2016/17 is a baseline year: the rules suggest not applicable,
        // whatever the officer says, and the plan's rule-set version is recorded.
        assert_eq!(
            assessed,
            vec![DomainEvent::StatusAssessed {
                period: q2(),
                status: Status::OnTarget,
                computed: Some(Status::NotApplicable),
                rule_set_version: 7,
            }]
        );
        let directed = when(
            &given,
            Command::AssessDirection {
                period: q2(),
                direction: crate::status::Direction::Improved,
            },
            &ctx,
        )
        .unwrap();
        let DomainEvent::DirectionAssessed { computed, .. } = &directed[0] else {
            panic!("{directed:?}");
        };
        assert!(computed.is_some(), "{directed:?}");
    }

    #[test]
    fn a_target_change_needs_a_reason_and_a_financial_year() {
        let set = |raw: &str, period| Command::SetTarget {
            period,
            target: TargetSpec::parse(raw).unwrap(),
        };
        let fy = Period::financial_year(2016);
        let err = when(
            &[defined(StatusScheme::Corporate2016)],
            set("60", fy),
            &performance_team(),
        )
        .unwrap_err();
        assert!(
            matches!(
                err,
                Rejection::ReasonRequired {
                    what: "a target change",
                    ..
                }
            ),
            "{err:?}"
        );
        let events = when(
            &[defined(StatusScheme::Corporate2016)],
            set("60", fy),
            &reason("target agreed"),
        )
        .unwrap();
        assert!(matches!(&events[..], [DomainEvent::TargetChanged { .. }]));
        let err = when(
            &[defined(StatusScheme::Corporate2016)],
            set("60", q2()),
            &reason("x"),
        )
        .unwrap_err();
        assert!(
            matches!(
                err,
                Rejection::Invalid {
                    field: "target period",
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn each_scheme_takes_only_its_own_assessments() {
        let status = Command::AssessStatus {
            period: q2(),
            status: Status::OnTarget,
        };
        let rag = Command::AssessRag {
            period: q2(),
            rag: Rag::Green,
        };
        assert!(matches!(
            when(
                &[defined(StatusScheme::Rag2010)],
                status.clone(),
                &performance_team()
            ),
            Err(Rejection::WrongScheme { .. })
        ));
        assert!(matches!(
            when(
                &[defined(StatusScheme::Corporate2016)],
                rag.clone(),
                &performance_team()
            ),
            Err(Rejection::WrongScheme { .. })
        ));
        assert!(when(&[defined(StatusScheme::Rag2010)], rag, &performance_team()).is_ok());
        assert!(when(
            &[defined(StatusScheme::Corporate2016)],
            status,
            &performance_team()
        )
        .is_ok());
    }

    fn locked_q3(role: Role, reason: Option<&str>) -> Context {
        Context {
            reason: reason.map(str::to_owned),
            locked: [Period::quarter(2016, 2)].into_iter().collect(),
            role: Some(role),
            ..performance_team()
        }
    }

    #[test]
    fn a_locked_period_and_its_months_change_only_for_the_performance_team_with_a_reason() {
        let given = [defined(StatusScheme::Corporate2016), record("112")];
        let err = when(
            &given,
            revise("95"),
            &locked_q3(Role::Officer, Some("typo")),
        )
        .unwrap_err();
        assert_eq!(
            err,
            Rejection::Locked {
                period: q2(),
                lock: q2()
            }
        );
        assert!(
            err.to_string().contains("only the performance team"),
            "{err}"
        );
        let err = when(&given, revise("95"), &locked_q3(Role::Performance, None)).unwrap_err();
        assert!(
            matches!(err, Rejection::Locked { .. }),
            "no reason: {err:?}"
        );
        assert!(when(
            &given,
            revise("95"),
            &locked_q3(Role::Performance, Some("definition error"))
        )
        .is_ok());
        let september = Command::RecordValue {
            period: Period::month(2016, 9),
            value: RecordedValue::parse("30").unwrap(),
            quality: DataQuality::default(),
        };
        let err = when(&given, september, &locked_q3(Role::Officer, Some("late"))).unwrap_err();
        assert_eq!(
            err,
            Rejection::Locked {
                period: Period::month(2016, 9),
                lock: q2()
            }
        );
        // The year is not inside the quarter: its target stays open.
        let target = Command::SetTarget {
            period: Period::financial_year(2016),
            target: TargetSpec::parse("60").unwrap(),
        };
        assert!(when(
            &given,
            target,
            &locked_q3(Role::Performance, Some("agreed"))
        )
        .is_ok());
    }

    #[test]
    fn only_an_admin_sets_aside_only_an_unreadable_commit_and_only_with_a_reason() {
        let set_aside = Command::SetAsideCommit {
            set_aside_id: crate::ids::SetAsideId(Uuid::from_u128(7)),
            position: Position(41),
        };
        let unreadable = Some(UnreadableCommit {
            position: Position(41),
            problem: "malformed payload".into(),
        });
        let asking = |role, reason: Option<&str>, unreadable: Option<UnreadableCommit>| Context {
            role: Some(role),
            reason: reason.map(str::to_owned),
            unreadable,
            ..Context::default()
        };
        assert_eq!(
            when(
                &[],
                set_aside.clone(),
                &asking(Role::Performance, Some("disk"), unreadable.clone())
            ),
            Err(Rejection::NotAllowed {
                role: Role::Performance,
                what: "set aside an unreadable commit"
            })
        );
        let readable = when(
            &[],
            set_aside.clone(),
            &asking(Role::Admin, Some("disk"), None),
        );
        assert!(
            matches!(readable, Err(Rejection::Invalid { field: "position", ref message }) if message.contains("can be read")),
            "{readable:?}"
        );
        let elsewhere = Some(UnreadableCommit {
            position: Position(40),
            problem: "malformed payload".into(),
        });
        assert!(when(
            &[],
            set_aside.clone(),
            &asking(Role::Admin, Some("disk"), elsewhere)
        )
        .is_err());
        let no_reason = when(
            &[],
            set_aside.clone(),
            &asking(Role::Admin, Some("  "), unreadable.clone()),
        );
        assert!(
            matches!(no_reason, Err(Rejection::NoReason { .. })),
            "{no_reason:?}"
        );
        let events = when(
            &[],
            set_aside.clone(),
            &asking(
                Role::Admin,
                Some("damaged disk, restored from backup"),
                unreadable.clone(),
            ),
        )
        .unwrap();
        assert_eq!(
            events,
            vec![DomainEvent::CommitSetAside {
                set_aside_id: crate::ids::SetAsideId(Uuid::from_u128(7)),
                position: Position(41),
                problem: "malformed payload".into(),
            }]
        );
        let state = evolve(StreamState::Empty, &events[0], "admin");
        assert_eq!(state, StreamState::SetAside(Position(41)));
        let again = decide(
            &state,
            &set_aside,
            &asking(Role::Admin, Some("again"), unreadable),
        );
        assert!(
            matches!(again, Err(Rejection::Invalid { ref message, .. }) if message.contains("already set aside")),
            "{again:?}"
        );
    }

    #[test]
    fn tokens_are_issued_and_revoked_by_admins_only_and_revoked_once_with_a_reason() {
        let issue = |role| Command::IssueToken {
            token_id: crate::ids::TokenId(Uuid::from_u128(9)),
            user_id: "sam.newton".into(),
            name: "Sam Newton".into(),
            role,
            directorate: None,
            secret_sha256: "AB".repeat(32),
            expires_on: None,
        };
        let admin = |reason: Option<&str>| Context {
            role: Some(Role::Admin),
            reason: reason.map(str::to_owned),
            ..Context::default()
        };
        assert_eq!(
            when(&[], issue(Role::Auditor), &performance_team()),
            Err(Rejection::NotAllowed {
                role: Role::Performance,
                what: "issue an API token"
            })
        );
        let err = when(&[], issue(Role::Officer), &admin(None)).unwrap_err();
        assert!(
            matches!(
                err,
                Rejection::Invalid {
                    field: "directorate",
                    ..
                }
            ),
            "{err:?}"
        );
        let issued = when(&[], issue(Role::Auditor), &admin(None)).unwrap();
        assert!(
            matches!(&issued[..], [DomainEvent::TokenIssued { secret_sha256, .. }] if *secret_sha256 == "ab".repeat(32)),
            "{issued:?}"
        );
        let revoke = Command::RevokeToken {
            token_id: crate::ids::TokenId(Uuid::from_u128(9)),
        };
        let given = [issue(Role::Auditor)];
        let mut refused = when(&given, revoke.clone(), &admin(None)).unwrap_err();
        assert!(
            matches!(
                refused,
                Rejection::Invalid {
                    field: "reason",
                    ..
                }
            ),
            "{refused:?}"
        );
        refused = when(
            &[issue(Role::Auditor), revoke.clone()],
            revoke.clone(),
            &admin(Some("left the council")),
        )
        .unwrap_err();
        assert!(
            matches!(&refused, Rejection::Invalid { message, .. } if message.contains("already revoked")),
            "{refused:?}"
        );
        assert!(when(&given, revoke, &admin(Some("left the council"))).is_ok());
    }

    #[test]
    fn only_a_period_inside_the_plans_year_can_be_locked() {
        let plan = Command::DefinePlan {
            plan_id: PlanId(Uuid::from_u128(1)),
            name: "Corporate Plan 2016/17".into(),
            financial_year: Period::financial_year(2016),
            status_scheme: StatusScheme::Corporate2016,
            approved_on: None,
            approved_by: None,
            priorities: Vec::new(),
            outcomes: Vec::new(),
            rule_set: crate::rules::RuleSet::default(),
        };
        let lock = |period| Command::LockPeriod { period };
        assert!(when(
            std::slice::from_ref(&plan),
            lock(Period::quarter(2016, 4)),
            &performance_team()
        )
        .is_ok());
        assert!(when(
            std::slice::from_ref(&plan),
            lock(Period::financial_year(2016)),
            &performance_team()
        )
        .is_ok());
        let err = when(&[plan], lock(Period::quarter(2017, 1)), &performance_team()).unwrap_err();
        assert!(
            matches!(&err, Rejection::Invalid { field: "period", message } if message.contains("is not inside 2016/17")),
            "{err:?}"
        );
    }

    #[test]
    fn each_role_issues_only_its_own_commands_and_nobody_acts_without_one() {
        let given = [defined(StatusScheme::Corporate2016)];
        let as_role = |role| Context {
            role: Some(role),
            reason: Some("because".into()),
            ..Context::default()
        };
        let target = Command::SetTarget {
            period: Period::financial_year(2016),
            target: TargetSpec::parse("60").unwrap(),
        };
        let status = Command::AssessStatus {
            period: q2(),
            status: Status::OnTarget,
        };
        let note = Command::EditCommentary {
            period: q2(),
            text: "Figures validated".into(),
        };
        // Officers enter values and notes, nothing else.
        assert!(when(&given, record("95"), &as_role(Role::Officer)).is_ok());
        assert!(when(&given, note.clone(), &as_role(Role::Officer)).is_ok());
        for command in [target.clone(), status.clone()] {
            let what = command.describe();
            assert_eq!(
                when(&given, command, &as_role(Role::Officer)),
                Err(Rejection::NotAllowed {
                    role: Role::Officer,
                    what
                })
            );
        }
        // Approvers sign off and auditors read: neither changes the scorecard.
        for role in [Role::Approver, Role::Auditor] {
            for command in [record("95"), note.clone(), target.clone(), status.clone()] {
                let what = command.describe();
                assert_eq!(
                    when(&given, command, &as_role(role)),
                    Err(Rejection::NotAllowed { role, what })
                );
            }
        }
        // The performance team and admins do the rest.
        for role in [Role::Performance, Role::Admin] {
            assert!(when(&given, target.clone(), &as_role(role)).is_ok());
            assert!(when(&given, status.clone(), &as_role(role)).is_ok());
        }
        assert_eq!(
            when(&given, record("95"), &Context::default()),
            Err(Rejection::NoRole {
                what: "record a value"
            })
        );
    }

    #[test]
    fn locking_and_reopening_are_for_the_performance_team_and_reopening_needs_a_reason() {
        let plan = Command::DefinePlan {
            plan_id: PlanId(Uuid::from_u128(1)),
            name: "Corporate Plan 2016/17".into(),
            financial_year: Period::financial_year(2016),
            status_scheme: StatusScheme::Corporate2016,
            approved_on: None,
            approved_by: None,
            priorities: vec![(1, "Every child".into())],
            outcomes: vec![],
            rule_set: crate::RuleSet::default(),
        };
        let lock = Command::LockPeriod { period: q2() };
        let reopen = Command::ReopenPeriod { period: q2() };
        let as_role = |role, reason: Option<&str>| Context {
            role: Some(role),
            reason: reason.map(str::to_owned),
            ..performance_team()
        };
        assert!(matches!(
            when(
                std::slice::from_ref(&plan),
                lock.clone(),
                &as_role(Role::Officer, None)
            ),
            Err(Rejection::NotAllowed {
                role: Role::Officer,
                ..
            })
        ));
        assert_eq!(
            when(
                std::slice::from_ref(&plan),
                lock.clone(),
                &as_role(Role::Performance, None)
            )
            .unwrap(),
            vec![DomainEvent::PeriodLocked { period: q2() }]
        );
        let locked = [plan.clone(), lock.clone()];
        assert!(matches!(
            when(&locked, lock, &as_role(Role::Performance, None)),
            Err(Rejection::Unchanged { .. })
        ));
        assert!(matches!(
            when(&locked, reopen.clone(), &as_role(Role::Performance, None)),
            Err(Rejection::ReasonRequired { .. })
        ));
        assert_eq!(
            when(
                &locked,
                reopen.clone(),
                &as_role(Role::Performance, Some("Liquid Logic refresh"))
            )
            .unwrap(),
            vec![DomainEvent::PeriodReopened { period: q2() }]
        );
        assert!(matches!(
            when(&[plan], reopen, &as_role(Role::Admin, Some("x"))),
            Err(Rejection::Invalid { .. })
        ));
    }

    #[test]
    fn commands_for_a_measure_need_one_to_exist() {
        let err = when(&[], record("1"), &performance_team()).unwrap_err();
        assert!(matches!(err, Rejection::WrongStream { .. }), "{err:?}");
        let err = when(
            &[defined(StatusScheme::Corporate2016)],
            defined(StatusScheme::Corporate2016),
            &performance_team(),
        )
        .unwrap_err();
        assert!(matches!(err, Rejection::AlreadyExists { .. }), "{err:?}");
    }

    fn approver(id: &str) -> Context {
        Context {
            role: Some(Role::Approver),
            actor: Some(id.into()),
            ..Context::default()
        }
    }

    fn sign_off() -> Command {
        Command::SignOffValue { period: q2() }
    }

    fn approve_note() -> Command {
        Command::ApproveCommentary { period: q2() }
    }

    fn note(text: &str) -> Command {
        Command::EditCommentary {
            period: q2(),
            text: text.into(),
        }
    }

    #[test]
    fn a_value_is_signed_off_at_its_current_revision_by_someone_who_did_not_enter_it() {
        let given = [
            ("setup", defined(StatusScheme::Corporate2016)),
            ("sam.newton", record("112")),
        ];
        assert_eq!(
            when_by(&given, sign_off(), &approver("jo.checker")).unwrap(),
            vec![DomainEvent::ValueSignedOff {
                period: q2(),
                revision: 0
            }]
        );
        let revised = [
            ("setup", defined(StatusScheme::Corporate2016)),
            ("sam.newton", record("112")),
            ("pat.fixer", revise("95")),
        ];
        assert_eq!(
            when_by(&revised, sign_off(), &approver("sam.newton")).unwrap(),
            vec![DomainEvent::ValueSignedOff {
                period: q2(),
                revision: 1
            }],
            "whoever entered an earlier revision may check the current one"
        );
    }

    #[test]
    fn nobody_signs_off_a_value_they_entered_or_last_revised() {
        let given = [
            ("setup", defined(StatusScheme::Corporate2016)),
            ("sam.newton", record("112")),
        ];
        let err = when_by(&given, sign_off(), &approver("sam.newton")).unwrap_err();
        assert_eq!(
            err,
            Rejection::MakerIsChecker {
                actor: "sam.newton".into(),
                what: "value",
                action: "sign off",
                period: q2()
            }
        );
        assert!(err.to_string().contains("maker ≠ checker"), "{err}");
        let revised = [
            ("setup", defined(StatusScheme::Corporate2016)),
            ("sam.newton", record("112")),
            ("pat.fixer", revise("95")),
        ];
        assert!(matches!(
            when_by(&revised, sign_off(), &approver("pat.fixer")),
            Err(Rejection::MakerIsChecker { .. })
        ));
    }

    #[test]
    fn a_measure_is_placed_only_under_its_references_priority_and_an_outcome_the_plan_has() {
        let define = |reference: &str, priority: u8, outcome: &str| {
            let mut definition = definition(StatusScheme::Corporate2016);
            definition.measure_ref = MeasureRef::parse(reference).unwrap();
            definition.priority = priority;
            definition.outcome = outcome.into();
            Command::DefineMeasure {
                measure_id: MeasureId(Uuid::from_u128(2)),
                definition,
                target: None,
            }
        };
        let ctx = Context {
            outline: Some(PlanOutline {
                priorities: [1, 2].into(),
                outcomes: [(1, "A".to_owned()), (1, "B".to_owned())].into(),
            }),
            ..performance_team()
        };
        assert!(when(&[], define("1.B2", 1, "B"), &ctx).is_ok());
        let field = |command: Command| match when(&[], command, &ctx) {
            Err(Rejection::Invalid { field, message }) => (field, message),
            other => panic!("{other:?}"),
        };
        let (field_name, message) = field(define("7.Q1", 1, "A"));
        assert_eq!(field_name, "ref");
        assert!(
            message.contains("begins with its priority and outcome (1.A…)"),
            "{message}"
        );
        assert_eq!(field(define("1.A1", 1, "B")).0, "ref");
        let (field_name, message) = field(define("3.A1", 3, "A"));
        assert_eq!(field_name, "priority");
        assert!(message.contains("its priorities are 1, 2"), "{message}");
        let (field_name, message) = field(define("1.C1", 1, "C"));
        assert_eq!(field_name, "outcome");
        assert!(
            message.contains("priority 1's outcomes are A, B"),
            "{message}"
        );
        // A reference that does not number its priority is placed by the plan alone.
        assert!(when(&[], define("NI 68", 1, "A"), &ctx).is_ok());
        assert_eq!(field(define("NI 68", 3, "A")).0, "priority");
        // Without the plan's outline only the reference is checked.
        assert!(when(&[], define("3.A1", 3, "A"), &performance_team()).is_ok());
    }

    #[test]
    fn a_report_is_published_after_its_period_ends_and_not_decades_later() {
        let publish = |on: (i32, u32, u32)| Command::PublishReport {
            report_id: ReportId(Uuid::from_u128(9)),
            plan_id: PlanId(Uuid::from_u128(1)),
            kind: ReportKind::QuarterlyScorecard,
            period: Period::quarter(2016, 3),
            cut_off: Position(1),
            meeting: "Cabinet".into(),
            published_on: NaiveDate::from_ymd_opt(on.0, on.1, on.2).unwrap(),
            rule_set_version: 1,
            sha256: "0".repeat(64),
            parts: Vec::new(),
        };
        let decided = |on| decide(&StreamState::Empty, &publish(on), &performance_team());
        assert!(decided((2017, 1, 13)).is_ok());
        assert!(decided((2021, 12, 31)).is_ok());
        for (on, says) in [
            (
                (1900, 1, 1),
                "is not after Q3 Oct - Dec 2016 ended (2016-12-31)",
            ),
            ((2016, 12, 31), "is not after"),
            ((9999, 12, 31), "more than 5 years after"),
            ((2022, 1, 1), "more than 5 years after"),
        ] {
            match decided(on) {
                Err(Rejection::Invalid {
                    field: "published_on",
                    message,
                }) => assert!(message.contains(says), "{message}"),
                other => panic!("{on:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_token_whose_last_day_is_past_is_refused() {
        let issue = |last: (i32, u32, u32)| Command::IssueToken {
            token_id: crate::ids::TokenId(Uuid::from_u128(9)),
            user_id: "sam.newton".into(),
            name: "Sam Newton".into(),
            role: Role::Auditor,
            directorate: None,
            secret_sha256: "ab".repeat(32),
            expires_on: NaiveDate::from_ymd_opt(last.0, last.1, last.2),
        };
        let admin = Context {
            role: Some(Role::Admin),
            today: NaiveDate::from_ymd_opt(2026, 12, 5),
            ..Context::default()
        };
        assert!(when(&[], issue((2026, 12, 5)), &admin).is_ok());
        let err = when(&[], issue((2017, 3, 31)), &admin).unwrap_err();
        assert!(
            matches!(&err, Rejection::Invalid { field: "expires", message } if message.contains("already past (today is 2026-12-05)")),
            "{err:?}"
        );
    }

    #[test]
    fn a_look_alike_id_is_the_same_person_to_maker_and_checker() {
        let given = [
            ("setup", defined(StatusScheme::Corporate2016)),
            ("sam.newton", record("112")),
        ];
        for look_alike in ["Sam.Newton", "\u{0455}am.newton", "SAM.NEWTON "] {
            let err = when_by(&given, sign_off(), &approver(look_alike)).unwrap_err();
            assert!(
                matches!(err, Rejection::MakerIsChecker { .. }),
                "{look_alike:?}: {err:?}"
            );
        }
    }

    #[test]
    fn a_token_is_issued_for_the_normalised_id_and_refused_for_another_persons_look_alike() {
        let issue = |user_id: &str| Command::IssueToken {
            token_id: crate::ids::TokenId(Uuid::from_u128(9)),
            user_id: user_id.into(),
            name: "Sam Newton".into(),
            role: Role::Approver,
            directorate: None,
            secret_sha256: "ab".repeat(32),
            expires_on: None,
        };
        let admin = Context {
            role: Some(Role::Admin),
            known_users: vec!["sam.newton".into(), "jo.checker".into()],
            ..Context::default()
        };
        let issued = when(&[], issue(" Sam.Newton"), &admin).unwrap();
        assert!(
            matches!(&issued[..], [DomainEvent::TokenIssued { user_id, .. }] if user_id == "sam.newton"),
            "the same person, written otherwise: {issued:?}"
        );
        let err = when(&[], issue("\u{0455}am.newton"), &admin).unwrap_err();
        assert_eq!(
            err,
            Rejection::LookAlikeUser {
                user_id: "\u{0455}am.newton".into(),
                other: "sam.newton".into()
            }
        );
        assert!(
            err.to_string().contains("reads like \"sam.newton\""),
            "{err}"
        );
        assert!(when(&[], issue("pat.fixer"), &admin).is_ok());
    }

    #[test]
    fn a_value_is_signed_off_once_per_revision_and_a_revision_needs_a_new_sign_off() {
        let signed = [
            ("setup", defined(StatusScheme::Corporate2016)),
            ("sam.newton", record("112")),
            ("jo.checker", sign_off()),
        ];
        assert_eq!(
            when_by(&signed, sign_off(), &approver("kim.other")),
            Err(Rejection::AlreadyChecked {
                what: "value",
                done: "signed off",
                period: q2(),
                by: "jo.checker".into()
            })
        );
        let resigned = [
            ("setup", defined(StatusScheme::Corporate2016)),
            ("sam.newton", record("112")),
            ("jo.checker", sign_off()),
            ("sam.newton", revise("95")),
        ];
        assert_eq!(
            when_by(&resigned, sign_off(), &approver("jo.checker")).unwrap(),
            vec![DomainEvent::ValueSignedOff {
                period: q2(),
                revision: 1
            }]
        );
    }

    #[test]
    fn there_is_nothing_to_sign_off_or_approve_before_it_is_entered() {
        let given = [("setup", defined(StatusScheme::Corporate2016))];
        assert_eq!(
            when_by(&given, sign_off(), &approver("jo.checker")),
            Err(Rejection::NothingToCheck {
                what: "value",
                action: "sign off",
                period: q2()
            })
        );
        assert_eq!(
            when_by(&given, approve_note(), &approver("jo.checker")),
            Err(Rejection::NothingToCheck {
                what: "data note",
                action: "approve",
                period: q2()
            })
        );
    }

    #[test]
    fn a_check_needs_to_know_who_is_checking() {
        let given = [
            ("setup", defined(StatusScheme::Corporate2016)),
            ("sam.newton", record("112")),
        ];
        let anonymous = Context {
            actor: None,
            ..approver("")
        };
        assert_eq!(
            when_by(&given, sign_off(), &anonymous),
            Err(Rejection::NoActor { what: "sign off" })
        );
        assert_eq!(
            when_by(&given, sign_off(), &approver("  ")),
            Err(Rejection::NoActor { what: "sign off" })
        );
    }

    #[test]
    fn a_data_note_is_approved_by_someone_other_than_its_author_and_again_after_an_edit() {
        let written = [
            ("setup", defined(StatusScheme::Corporate2016)),
            ("sam.newton", note("Figures validated")),
        ];
        assert_eq!(
            when_by(&written, approve_note(), &approver("jo.checker")).unwrap(),
            vec![DomainEvent::CommentaryApproved { period: q2() }]
        );
        assert!(matches!(
            when_by(&written, approve_note(), &approver("sam.newton")),
            Err(Rejection::MakerIsChecker {
                what: "data note",
                ..
            })
        ));
        let approved = [
            ("setup", defined(StatusScheme::Corporate2016)),
            ("sam.newton", note("Figures validated")),
            ("jo.checker", approve_note()),
        ];
        assert!(matches!(
            when_by(&approved, approve_note(), &approver("kim.other")),
            Err(Rejection::AlreadyChecked {
                done: "approved",
                ..
            })
        ));
        let edited = [
            ("setup", defined(StatusScheme::Corporate2016)),
            ("sam.newton", note("Figures validated")),
            ("jo.checker", approve_note()),
            ("kim.other", note("Figures validated by the CCG")),
        ];
        assert!(matches!(
            when_by(&edited, approve_note(), &approver("kim.other")),
            Err(Rejection::MakerIsChecker { .. })
        ));
        assert!(when_by(&edited, approve_note(), &approver("sam.newton")).is_ok());
    }

    #[test]
    fn only_approvers_and_admins_check_and_only_the_performance_team_and_admins_amend() {
        let given = [
            ("setup", defined(StatusScheme::Corporate2016)),
            ("sam.newton", record("112")),
            ("sam.newton", note("Figures validated")),
        ];
        let amend = amendment(&[("title", "Section 42 enquiries completed")]);
        for role in Role::ALL {
            let ctx = Context {
                role: Some(role),
                actor: Some("jo.checker".into()),
                reason: Some("renamed by Cabinet".into()),
                ..Context::default()
            };
            let checks = matches!(role, Role::Approver | Role::Admin);
            let amends = matches!(role, Role::Performance | Role::Admin);
            for (command, allowed) in [
                (sign_off(), checks),
                (approve_note(), checks),
                (amend.clone(), amends),
            ] {
                let what = command.describe();
                let outcome = when_by(&given, command, &ctx);
                if allowed {
                    assert!(outcome.is_ok(), "{role} may {what}: {outcome:?}");
                } else {
                    assert_eq!(outcome, Err(Rejection::NotAllowed { role, what }));
                }
            }
        }
    }

    #[test]
    fn a_measure_is_withdrawn_and_reinstated_from_a_period_with_a_reason_and_takes_nothing_between()
    {
        let withdraw = Command::WithdrawMeasure { from: q2() };
        let given = [defined(StatusScheme::Corporate2016)];
        assert_eq!(
            when(&given, withdraw.clone(), &performance_team()),
            Err(Rejection::NoReason {
                what: "a withdrawal of a measure",
                why: "reports from that period on count the plan's measures differently",
            })
        );
        assert_eq!(
            when(&given, withdraw.clone(), &reason("dropped in the refresh")),
            Ok(vec![DomainEvent::MeasureWithdrawn { from: q2() }])
        );
        let withdrawn = [defined(StatusScheme::Corporate2016), withdraw.clone()];
        assert!(matches!(
            when(&withdrawn, withdraw, &reason("again")),
            Err(Rejection::NoChange { .. })
        ));
        // Nothing is entered for a period it is withdrawn in; before it, as ever.
        assert_eq!(
            when(&withdrawn, record("112"), &performance_team()),
            Err(Rejection::Withdrawn {
                period: q2(),
                from: q2(),
            })
        );
        let q1_value = Command::RecordValue {
            period: Period::quarter(2016, 1),
            value: RecordedValue::parse("98").unwrap(),
            quality: DataQuality::default(),
        };
        assert!(when(&withdrawn, q1_value, &performance_team()).is_ok());
        // Only a withdrawn measure is reinstated, and then it takes values again.
        let q3 = Period::quarter(2016, 3);
        assert!(matches!(
            when(
                &given,
                Command::ReinstateMeasure { from: q3 },
                &reason("back")
            ),
            Err(Rejection::NoChange { .. })
        ));
        let reinstated = [
            defined(StatusScheme::Corporate2016),
            Command::WithdrawMeasure { from: q2() },
            Command::ReinstateMeasure { from: q3 },
        ];
        let q3_value = Command::RecordValue {
            period: q3,
            value: RecordedValue::parse("101").unwrap(),
            quality: DataQuality::default(),
        };
        assert!(when(&reinstated, q3_value, &performance_team()).is_ok());
        assert!(matches!(
            when(&reinstated, record("112"), &performance_team()),
            Err(Rejection::Withdrawn { .. })
        ));
    }

    fn amendment(fields: &[(&str, &str)]) -> Command {
        Command::AmendMeasure {
            changes: fields
                .iter()
                .map(|(f, v)| ((*f).to_owned(), (*v).to_owned()))
                .collect(),
        }
    }

    #[test]
    fn an_amendment_records_each_changed_field_before_and_after_in_normal_form() {
        let events = when(
            &[defined(StatusScheme::Corporate2016)],
            amendment(&[
                ("lead_officer", " Jo Smith "),
                ("polarity", "Low"),
                ("priority_measure", "no"),
                (
                    "title",
                    "No. of Safeguarding investigations (Section 42 enquiries) completed",
                ),
            ]),
            &reason("Cabinet reassigned the measure"),
        )
        .unwrap();
        let change = |field, before: &str, after: &str| FieldChange {
            field,
            before: before.into(),
            after: after.into(),
        };
        assert_eq!(
            events,
            vec![DomainEvent::MeasureAmended {
                changes: vec![
                    change(MeasureField::LeadOfficer, "Sam Newton", "Jo Smith"),
                    change(MeasureField::Polarity, "high", "low"),
                    change(MeasureField::PriorityMeasure, "yes", "no"),
                ]
            }],
            "the unchanged title is left out"
        );
        let mut state = StreamState::Empty;
        for event in when(
            &[],
            defined(StatusScheme::Corporate2016),
            &performance_team(),
        )
        .unwrap()
        {
            state = evolve(state, &event, "setup");
        }
        for event in &events {
            state = evolve(state, event, "setup");
        }
        let definition = &state.measure().unwrap().definition;
        assert_eq!(
            (
                definition.lead_officer.as_str(),
                definition.polarity,
                definition.priority_measure
            ),
            ("Jo Smith", crate::Polarity::Low, false)
        );
    }

    #[test]
    fn an_amendment_needs_a_reason_a_known_field_and_a_change() {
        let given = [defined(StatusScheme::Corporate2016)];
        assert!(matches!(
            when(
                &given,
                amendment(&[("lead_officer", "Jo Smith")]),
                &performance_team()
            ),
            Err(Rejection::NoReason { .. })
        ));
        assert!(matches!(
            when(
                &given,
                amendment(&[("lead_officer", "Jo Smith")]),
                &reason("  ")
            ),
            Err(Rejection::NoReason { .. })
        ));
        let err = when(&given, amendment(&[("measure_ref", "2.B9")]), &reason("x")).unwrap_err();
        assert!(
            matches!(&err, Rejection::Invalid { field: "field", message } if message.contains("no amendable field \"measure_ref\"") && message.contains("lead_officer")),
            "{err:?}"
        );
        assert!(matches!(
            when(&given, amendment(&[("polarity", "sideways")]), &reason("x")),
            Err(Rejection::Invalid { field: "field", .. })
        ));
        assert!(matches!(
            when(&given, amendment(&[("title", "  ")]), &reason("x")),
            Err(Rejection::Invalid { field: "field", .. })
        ));
        assert!(matches!(
            when(
                &given,
                amendment(&[("lead_officer", "Sam Newton"), ("polarity", "HIGH")]),
                &reason("x")
            ),
            Err(Rejection::NoChange { .. })
        ));
        assert!(matches!(
            when(&given, amendment(&[]), &reason("x")),
            Err(Rejection::NoChange { .. })
        ));
    }

    #[test]
    fn checks_are_not_changes_so_a_locked_period_can_be_signed_off() {
        let given = [
            ("setup", defined(StatusScheme::Corporate2016)),
            ("sam.newton", record("112")),
        ];
        let ctx = Context {
            locked: [q2()].into_iter().collect(),
            ..approver("jo.checker")
        };
        assert!(when_by(&given, sign_off(), &ctx).is_ok());
    }
}

//! Commands: what a user asks for. `decide` validates a command against the current state
//! of its stream and turns it into events, or rejects it.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::actor::Role;
use crate::event::{PartDigest, ReportKind};
use crate::ids::{
    AccessId, ActionId, MeasureId, MeetingId, PlanId, Position, ReportId, SetAsideId, TokenId,
};
use crate::measure::MeasureDefinition;
use crate::measure_ref::MeasureRef;
use crate::period::Period;
use crate::rules::RuleSet;
use crate::status::{Direction, Rag, Status, StatusScheme};
use crate::target::TargetSpec;
use crate::text::TextKind;
use crate::value::{DataQuality, RecordedValue, RevisionClass};

/// An outcome to define with a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeSpec {
    /// Priority number.
    pub priority: u8,
    /// Letter within the priority.
    pub letter: String,
    /// Title.
    pub title: String,
}

/// A request to change the scorecard.
// A command lives for one request; an import defines a measure per command, so boxing the
// definition would add an allocation per measure for no saving that matters.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Adopt a plan with its priorities, outcomes and rules (one commit).
    DefinePlan {
        /// New plan id.
        plan_id: PlanId,
        /// Name.
        name: String,
        /// Financial year covered.
        financial_year: Period,
        /// Status scheme.
        status_scheme: StatusScheme,
        /// Approval date.
        approved_on: Option<NaiveDate>,
        /// Approving body.
        approved_by: Option<String>,
        /// Priorities (number, title).
        priorities: Vec<(u8, String)>,
        /// Outcomes.
        outcomes: Vec<OutcomeSpec>,
        /// Status and direction rules.
        rule_set: RuleSet,
    },
    /// Lock a period of the plan (and the months and terms inside it).
    LockPeriod {
        /// The period.
        period: Period,
    },
    /// Reopen a locked period (needs a reason).
    ReopenPeriod {
        /// The period.
        period: Period,
    },
    /// Add a measure to a plan, with its first target.
    DefineMeasure {
        /// New measure id.
        measure_id: MeasureId,
        /// What it is.
        definition: MeasureDefinition,
        /// Its target for a financial year, if one is set at definition.
        target: Option<(Period, TargetSpec)>,
    },
    /// Make a Strategic Director accountable from a date.
    AssignLeadAccountability {
        /// Who.
        person: String,
        /// From when.
        effective_from: NaiveDate,
    },
    /// Set (or change) the target for a financial year.
    SetTarget {
        /// The financial year.
        period: Period,
        /// The target.
        target: TargetSpec,
    },
    /// Enter a value for a period that has none.
    RecordValue {
        /// The period.
        period: Period,
        /// The value.
        value: RecordedValue,
        /// Quality flags.
        quality: DataQuality,
    },
    /// Replace the value of a period.
    ReviseValue {
        /// The period.
        period: Period,
        /// The new value.
        value: RecordedValue,
        /// Why, in the language of official statistics.
        classification: RevisionClass,
        /// Quality flags of the new value.
        quality: DataQuality,
    },
    /// Confirm a period's value as it stands with new quality flags: a provisional figure
    /// validated, an estimate confirmed as the actual (the reason names the validation).
    ConfirmValue {
        /// The period.
        period: Period,
        /// Its quality flags now.
        quality: DataQuality,
    },
    /// Call a performance clinic for a measure (the reason on the commit).
    CallClinic {
        /// The day it is called for.
        on: NaiveDate,
        /// Who chairs it (a person or a board).
        chair: String,
    },
    /// Record that the clinic called for `on` was held, with what it mandated.
    HoldClinic {
        /// The day it was called for.
        on: NaiveDate,
        /// The actions mandated, their owners and deadlines.
        mandates: Vec<crate::clinic::Mandate>,
    },
    /// Cancel the clinic called for `on` (the reason on the commit).
    CancelClinic {
        /// The day it was called for.
        on: NaiveDate,
    },
    /// Record a meeting of a committee, board or panel.
    RecordMeeting {
        /// The meeting (derived from the body and the day).
        meeting_id: MeetingId,
        /// The committee, board or panel.
        body: String,
        /// The day it met.
        held_on: NaiveDate,
    },
    /// Put an item on a recorded meeting's agenda.
    AddAgendaItem {
        /// Its number as printed ("7").
        item: String,
        /// Its title.
        title: String,
        /// The published report it considered.
        report_id: Option<ReportId>,
        /// Considered in exempt session under this paragraph of Schedule 12A, Part 1.
        exempt_paragraph: Option<u8>,
    },
    /// Record the decision taken on an agenda item, as resolved.
    RecordDecision {
        /// The item's number.
        item: String,
        /// The decision.
        decision: String,
    },
    /// Record that the decision on an agenda item was called in (the reason on the commit).
    CallInDecision {
        /// The item's number.
        item: String,
        /// Who called it in.
        by: String,
    },
    /// Register a key action of an improvement plan.
    RegisterAction {
        /// The action (derived from the plan and the key action).
        action_id: ActionId,
        /// The plan it belongs to ("RMBC Notice to Improve Action Plan").
        plan: String,
        /// The objective it serves.
        objective: String,
        /// The key action, as the plan writes it.
        key_action: String,
        /// Who leads it.
        lead: String,
        /// When it is due, as the plan prints it ("June 2010").
        target_date: String,
        /// The measures it is meant to improve.
        measures: Vec<MeasureRef>,
    },
    /// Move an action's target date (the reason, if given, on the commit).
    MoveActionTargetDate {
        /// The new target date, as printed.
        to: String,
    },
    /// Give an action its RAG rating at an update, with its arrow if the plan prints one.
    RateAction {
        /// Red, amber, green or complete.
        rag: Rag,
        /// The arrow beside it (↑ → ↓), a direction of travel.
        arrow: Option<Direction>,
    },
    /// Record an action completed.
    CompleteAction {
        /// The day it was completed.
        on: NaiveDate,
    },
    /// Set an action's baseline, targets or workstream as the plan prints them (a later
    /// update's rewording is a new text; the history keeps both).
    SetActionText {
        /// Which text.
        field: crate::improvement::ActionText,
        /// The text as printed.
        text: String,
    },
    /// Assess the overall status for a period. What the plan's rules suggest is computed by
    /// `decide` and recorded beside it.
    AssessStatus {
        /// The period.
        period: Period,
        /// The officer's assessment.
        status: Status,
    },
    /// Give a 2010-scheme RAG rating for a period.
    AssessRag {
        /// The period.
        period: Period,
        /// The rating.
        rag: Rag,
    },
    /// Assess the direction of travel for a period. What the plan's rules suggest is computed
    /// by `decide` and recorded beside it.
    AssessDirection {
        /// The period.
        period: Period,
        /// The officer's assessment.
        direction: Direction,
    },
    /// Write the data note for a period (the whole new text).
    EditCommentary {
        /// The period.
        period: Period,
        /// The note.
        text: String,
    },
    /// Write what the report's narrative (Appendix A's performance story, exceptions or
    /// headline text) says of the measure for a period (the whole new text), so the numbers it
    /// quotes can be checked against the scorecard.
    EditNarrative {
        /// The period.
        period: Period,
        /// The narrative.
        text: String,
    },
    /// Sign off the current value of a period (maker–checker: not by whoever entered it).
    SignOffValue {
        /// The period.
        period: Period,
    },
    /// Approve the current data note of a period (maker–checker: not by its author).
    ApproveCommentary {
        /// The period.
        period: Period,
    },
    /// Change fields of the measure's definition (needs a reason).
    AmendMeasure {
        /// Field name (`title`, `lead_officer`, … see `MeasureField`) → the new value as
        /// written; `decide` refuses a name it does not know.
        changes: BTreeMap<String, String>,
    },
    /// Record that the measure's definition or data source changed from a period on, and
    /// whether the earlier figures were restated on the new basis.
    RecordBasisChange {
        /// Definition or source.
        kind: crate::measure::BasisKind,
        /// The first period reported on the new basis.
        from: Period,
        /// What changed, as the pack says it.
        note: String,
        /// Whether the figures before `from` were restated on the new basis.
        restated: bool,
    },
    /// Announce that a recorded value will be refreshed from its source for a later report
    /// ("all performance data will be refreshed for the end of Qtr 4/outturn report"), so
    /// what the refresh changes can be followed.
    AnnounceRefresh {
        /// The period of the value to be refreshed.
        period: Period,
        /// The period of the report the refreshed value is due for.
        due: Period,
        /// Why, as the pack says it.
        note: String,
    },
    /// Withdraw a measure from a period on (needs a reason): reports from then on leave it
    /// out.
    WithdrawMeasure {
        /// The first period it no longer applies to.
        from: Period,
    },
    /// Reinstate a withdrawn measure from a period on (needs a reason).
    ReinstateMeasure {
        /// The first period it applies to again.
        from: Period,
    },
    /// Publish a report built at a log position.
    PublishReport {
        /// New report id.
        report_id: ReportId,
        /// Plan reported on.
        plan_id: PlanId,
        /// Kind of report.
        kind: ReportKind,
        /// Period reported.
        period: Period,
        /// Position it was built at.
        cut_off: Position,
        /// Meeting it goes to.
        meeting: String,
        /// Publication date.
        published_on: NaiveDate,
        /// Rules used.
        rule_set_version: u32,
        /// SHA-256 of its canonical JSON.
        sha256: String,
        /// SHA-256 of each of its parts.
        parts: Vec<PartDigest>,
    },
    /// Issue an API bearer token (admins only).
    IssueToken {
        /// New token id.
        token_id: TokenId,
        /// The user it stands for.
        user_id: String,
        /// Their name.
        name: String,
        /// The role it acts in.
        role: Role,
        /// For an officer: their directorate.
        directorate: Option<String>,
        /// SHA-256 of the secret.
        secret_sha256: String,
        /// The last day it is valid.
        expires_on: Option<NaiveDate>,
    },
    /// Revoke a token, with a reason (admins only).
    RevokeToken {
        /// The token.
        token_id: TokenId,
    },
    /// Record a read of the history (made by the API for every such read).
    RecordAccess {
        /// New access id.
        access_id: AccessId,
        /// What was read.
        what: String,
        /// The measure read about, if any.
        measure_ref: Option<String>,
    },
    /// Set aside the one commit at `position` that cannot be read, so that projections pass
    /// over it (admins only, with a reason). Nothing is ever skipped without one.
    SetAsideCommit {
        /// The id derived from the position.
        set_aside_id: SetAsideId,
        /// The position of the unreadable commit.
        position: Position,
    },
    /// Sign the log with a new key from now on, retiring the one it `replaces` (admins only;
    /// the commit is signed by a key the log already signs with, or by the new key when it is
    /// the log's first).
    AddSigningKey {
        /// The public key (C2SP verifier key).
        key: String,
        /// The public key it replaces, if any.
        replaces: Option<String>,
    },
    /// Record a signed checkpoint of the log (made by the service itself).
    RecordCheckpoint {
        /// The signed note.
        checkpoint: String,
        /// The tree's right edge.
        frontier: Vec<String>,
    },
}

/// What a command asks for, without what it carries: enough to tell whether a role may ask
/// for it at all ([`crate::decide::permit`]) before a request's body is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CommandKind {
    /// Define a plan.
    DefinePlan,
    /// Lock a period.
    LockPeriod,
    /// Reopen a period.
    ReopenPeriod,
    /// Define a measure.
    DefineMeasure,
    /// Assign lead accountability.
    AssignLeadAccountability,
    /// Set a target.
    SetTarget,
    /// Record a value.
    RecordValue,
    /// Revise a value.
    ReviseValue,
    /// Confirm a value's quality.
    ConfirmValue,
    /// Call a performance clinic.
    CallClinic,
    /// Hold a performance clinic.
    HoldClinic,
    /// Cancel a performance clinic.
    CancelClinic,
    /// Record a meeting.
    RecordMeeting,
    /// Add an agenda item.
    AddAgendaItem,
    /// Record a decision.
    RecordDecision,
    /// Record a call-in.
    CallInDecision,
    /// Register an improvement action.
    RegisterAction,
    /// Move an improvement action's target date.
    MoveActionTargetDate,
    /// Give an improvement action a RAG rating.
    RateAction,
    /// Record an improvement action completed.
    CompleteAction,
    /// Set an action's baseline, targets or workstream.
    SetActionText,
    /// Assess a status.
    AssessStatus,
    /// Give a RAG rating.
    AssessRag,
    /// Assess a direction of travel.
    AssessDirection,
    /// Edit a data note.
    EditCommentary,
    /// Edit the report narrative of a measure.
    EditNarrative,
    /// Sign off a value.
    SignOffValue,
    /// Approve a data note.
    ApproveCommentary,
    /// Amend a measure's definition.
    AmendMeasure,
    /// Record a definition or source change.
    RecordBasisChange,
    /// Announce a refresh of a value.
    AnnounceRefresh,
    /// Withdraw a measure.
    WithdrawMeasure,
    /// Reinstate a measure.
    ReinstateMeasure,
    /// Publish a report.
    PublishReport,
    /// Issue an API token.
    IssueToken,
    /// Revoke an API token.
    RevokeToken,
    /// Record a read of the history.
    RecordAccess,
    /// Set aside an unreadable commit.
    SetAsideCommit,
    /// Add (or rotate) a signing key.
    AddSigningKey,
    /// Record a checkpoint.
    RecordCheckpoint,
}

impl CommandKind {
    /// A short name for messages ("record a value").
    pub fn describe(self) -> &'static str {
        match self {
            CommandKind::DefinePlan => "define a plan",
            CommandKind::LockPeriod => "lock a period",
            CommandKind::ReopenPeriod => "reopen a period",
            CommandKind::DefineMeasure => "define a measure",
            CommandKind::AssignLeadAccountability => "assign lead accountability",
            CommandKind::SetTarget => "set a target",
            CommandKind::RecordValue => "record a value",
            CommandKind::ReviseValue => "revise a value",
            CommandKind::ConfirmValue => "confirm a value's quality",
            CommandKind::CallClinic => "call a performance clinic",
            CommandKind::HoldClinic => "record a clinic held",
            CommandKind::CancelClinic => "cancel a performance clinic",
            CommandKind::RecordMeeting => "record a meeting",
            CommandKind::AddAgendaItem => "add an agenda item",
            CommandKind::RecordDecision => "record a decision",
            CommandKind::CallInDecision => "record a call-in",
            CommandKind::RegisterAction => "register an improvement action",
            CommandKind::MoveActionTargetDate => "move an action's target date",
            CommandKind::RateAction => "give an action a RAG rating",
            CommandKind::CompleteAction => "record an action completed",
            CommandKind::SetActionText => "set an action's baseline, targets or workstream",
            CommandKind::AssessStatus => "assess a status",
            CommandKind::AssessRag => "give a RAG rating",
            CommandKind::AssessDirection => "assess a direction of travel",
            CommandKind::EditCommentary => "edit a data note",
            CommandKind::EditNarrative => "edit a measure's report narrative",
            CommandKind::SignOffValue => "sign off a value",
            CommandKind::ApproveCommentary => "approve a data note",
            CommandKind::AmendMeasure => "amend a measure's definition",
            CommandKind::RecordBasisChange => "record a definition or source change",
            CommandKind::AnnounceRefresh => "announce a refresh of a value",
            CommandKind::WithdrawMeasure => "withdraw a measure",
            CommandKind::ReinstateMeasure => "reinstate a measure",
            CommandKind::PublishReport => "publish a report",
            CommandKind::IssueToken => "issue an API token",
            CommandKind::RevokeToken => "revoke an API token",
            CommandKind::RecordAccess => "record a read of the history",
            CommandKind::SetAsideCommit => "set aside an unreadable commit",
            CommandKind::AddSigningKey => "add a signing key",
            CommandKind::RecordCheckpoint => "record a checkpoint",
        }
    }
}

impl Command {
    /// What the command asks for, without what it carries.
    pub fn kind(&self) -> CommandKind {
        match self {
            Command::DefinePlan { .. } => CommandKind::DefinePlan,
            Command::LockPeriod { .. } => CommandKind::LockPeriod,
            Command::ReopenPeriod { .. } => CommandKind::ReopenPeriod,
            Command::DefineMeasure { .. } => CommandKind::DefineMeasure,
            Command::AssignLeadAccountability { .. } => CommandKind::AssignLeadAccountability,
            Command::SetTarget { .. } => CommandKind::SetTarget,
            Command::RecordValue { .. } => CommandKind::RecordValue,
            Command::ReviseValue { .. } => CommandKind::ReviseValue,
            Command::ConfirmValue { .. } => CommandKind::ConfirmValue,
            Command::CallClinic { .. } => CommandKind::CallClinic,
            Command::HoldClinic { .. } => CommandKind::HoldClinic,
            Command::CancelClinic { .. } => CommandKind::CancelClinic,
            Command::RecordMeeting { .. } => CommandKind::RecordMeeting,
            Command::AddAgendaItem { .. } => CommandKind::AddAgendaItem,
            Command::RecordDecision { .. } => CommandKind::RecordDecision,
            Command::CallInDecision { .. } => CommandKind::CallInDecision,
            Command::RegisterAction { .. } => CommandKind::RegisterAction,
            Command::MoveActionTargetDate { .. } => CommandKind::MoveActionTargetDate,
            Command::RateAction { .. } => CommandKind::RateAction,
            Command::CompleteAction { .. } => CommandKind::CompleteAction,
            Command::SetActionText { .. } => CommandKind::SetActionText,
            Command::AssessStatus { .. } => CommandKind::AssessStatus,
            Command::AssessRag { .. } => CommandKind::AssessRag,
            Command::AssessDirection { .. } => CommandKind::AssessDirection,
            Command::EditCommentary { .. } => CommandKind::EditCommentary,
            Command::EditNarrative { .. } => CommandKind::EditNarrative,
            Command::SignOffValue { .. } => CommandKind::SignOffValue,
            Command::ApproveCommentary { .. } => CommandKind::ApproveCommentary,
            Command::AmendMeasure { .. } => CommandKind::AmendMeasure,
            Command::RecordBasisChange { .. } => CommandKind::RecordBasisChange,
            Command::AnnounceRefresh { .. } => CommandKind::AnnounceRefresh,
            Command::WithdrawMeasure { .. } => CommandKind::WithdrawMeasure,
            Command::ReinstateMeasure { .. } => CommandKind::ReinstateMeasure,
            Command::PublishReport { .. } => CommandKind::PublishReport,
            Command::IssueToken { .. } => CommandKind::IssueToken,
            Command::RevokeToken { .. } => CommandKind::RevokeToken,
            Command::RecordAccess { .. } => CommandKind::RecordAccess,
            Command::SetAsideCommit { .. } => CommandKind::SetAsideCommit,
            Command::AddSigningKey { .. } => CommandKind::AddSigningKey,
            Command::RecordCheckpoint { .. } => CommandKind::RecordCheckpoint,
        }
    }

    /// A short name for messages ("record a value").
    pub fn describe(&self) -> &'static str {
        self.kind().describe()
    }

    /// Every text the command carries that people typed, named as in messages and with its
    /// kind, for [`crate::text::check`]. Hashes, ids and parsed values are not listed: they are
    /// made by the system or already checked by their parsers.
    pub fn texts(&self) -> Vec<(&'static str, &str, TextKind)> {
        use TextKind::{Line, Name};
        match self {
            Command::DefinePlan {
                name,
                approved_by,
                priorities,
                outcomes,
                ..
            } => {
                let mut texts = vec![("plan name", name.as_str(), Line)];
                texts.extend(approved_by.as_deref().map(|by| ("approved by", by, Name)));
                texts.extend(
                    priorities
                        .iter()
                        .map(|(_, title)| ("priority title", title.as_str(), Line)),
                );
                for outcome in outcomes {
                    texts.push(("outcome letter", outcome.letter.as_str(), Name));
                    texts.push(("outcome title", outcome.title.as_str(), Line));
                }
                texts
            }
            Command::DefineMeasure {
                definition, target, ..
            } => {
                let d = definition;
                let mut texts = vec![
                    ("reference as printed", d.ref_as_printed.as_str(), Name),
                    ("outcome", d.outcome.as_str(), Name),
                    ("action", d.action.as_str(), Line),
                    ("title", d.title.as_str(), Line),
                    ("lead officer", d.lead_officer.as_str(), Name),
                    ("directorate", d.directorate.as_str(), Name),
                    ("lead accountability", d.lead_accountability.as_str(), Name),
                    ("polarity", d.polarity_text.as_str(), Line),
                    ("frequency", d.frequency_text.as_str(), Line),
                ];
                texts.extend(
                    target
                        .as_ref()
                        .map(|(_, target)| ("target", target.raw.as_str(), Line)),
                );
                texts
            }
            Command::AssignLeadAccountability { person, .. } => {
                vec![("lead accountability", person.as_str(), Name)]
            }
            Command::SetTarget { target, .. } => vec![("target", target.raw.as_str(), Line)],
            Command::RecordValue {
                value: v, quality, ..
            }
            | Command::ReviseValue {
                value: v, quality, ..
            } => value_texts(v, quality),
            Command::ConfirmValue { quality, .. } => quality
                .source_system
                .as_deref()
                .map(|s| vec![("source system", s, Name)])
                .unwrap_or_default(),
            Command::EditCommentary { text, .. } => {
                vec![("note", text.as_str(), TextKind::Prose)]
            }
            Command::EditNarrative { text, .. } => {
                vec![("narrative", text.as_str(), TextKind::Prose)]
            }
            Command::RecordBasisChange { note, .. } => {
                vec![("what changed", note.as_str(), TextKind::Prose)]
            }
            Command::AnnounceRefresh { note, .. } => {
                vec![(
                    "why the value will be refreshed",
                    note.as_str(),
                    TextKind::Prose,
                )]
            }
            Command::RecordMeeting { body, .. } => vec![("meeting body", body.as_str(), Name)],
            Command::CallClinic { chair, .. } => vec![("chair", chair.as_str(), Name)],
            Command::HoldClinic { mandates, .. } => mandates
                .iter()
                .flat_map(|m| {
                    [
                        ("mandated action", m.action.as_str(), Line),
                        ("mandate owner", m.owner.as_str(), Name),
                    ]
                })
                .collect(),
            Command::AddAgendaItem { item, title, .. } => {
                vec![
                    ("agenda item", item.as_str(), Name),
                    ("item title", title, Line),
                ]
            }
            Command::RecordDecision { item, decision } => vec![
                ("agenda item", item.as_str(), Name),
                ("decision", decision, TextKind::Prose),
            ],
            Command::RegisterAction {
                plan,
                objective,
                key_action,
                lead,
                target_date,
                ..
            } => vec![
                ("plan", plan.as_str(), Line),
                ("objective", objective.as_str(), Line),
                ("key action", key_action.as_str(), Line),
                ("lead", lead.as_str(), Name),
                ("target date", target_date.as_str(), Name),
            ],
            Command::MoveActionTargetDate { to } => vec![("target date", to.as_str(), Name)],
            Command::CallInDecision { item, by } => {
                vec![
                    ("agenda item", item.as_str(), Name),
                    ("called in by", by, Name),
                ]
            }
            Command::AmendMeasure { changes } => changes
                .iter()
                .flat_map(|(field, value)| {
                    [
                        ("field name", field.as_str(), Name),
                        ("amendment", value.as_str(), Line),
                    ]
                })
                .collect(),
            Command::PublishReport { meeting, .. } => vec![("meeting", meeting.as_str(), Name)],
            Command::IssueToken {
                user_id,
                name,
                directorate,
                ..
            } => {
                let mut texts = vec![("user id", user_id.as_str(), Name), ("name", name, Name)];
                texts.extend(directorate.as_deref().map(|d| ("directorate", d, Name)));
                texts
            }
            Command::RecordAccess {
                what, measure_ref, ..
            } => {
                let mut texts = vec![("what was read", what.as_str(), Line)];
                texts.extend(measure_ref.as_deref().map(|m| ("measure", m, Name)));
                texts
            }
            Command::SetActionText { field, text } => {
                vec![(field.as_str(), text.as_str(), TextKind::Prose)]
            }
            Command::LockPeriod { .. }
            | Command::ReopenPeriod { .. }
            | Command::CancelClinic { .. }
            | Command::CompleteAction { .. }
            | Command::RateAction { .. }
            | Command::AssessStatus { .. }
            | Command::AssessRag { .. }
            | Command::AssessDirection { .. }
            | Command::SignOffValue { .. }
            | Command::ApproveCommentary { .. }
            | Command::WithdrawMeasure { .. }
            | Command::ReinstateMeasure { .. }
            | Command::RevokeToken { .. }
            | Command::SetAsideCommit { .. }
            | Command::AddSigningKey { .. }
            | Command::RecordCheckpoint { .. } => Vec::new(),
        }
    }
}

fn value_texts<'a>(
    value: &'a RecordedValue,
    quality: &'a DataQuality,
) -> Vec<(&'static str, &'a str, TextKind)> {
    let mut texts = vec![("value", value.raw.as_str(), TextKind::Line)];
    texts.extend(
        value
            .qualifier
            .as_deref()
            .map(|q| ("value", q, TextKind::Line)),
    );
    texts.extend(
        quality
            .source_system
            .as_deref()
            .map(|s| ("source system", s, TextKind::Name)),
    );
    texts
}

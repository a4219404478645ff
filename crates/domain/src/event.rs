//! Events: the one persisted format. Past-tense names, an explicit type tag and a schema
//! version per event; old versions are upcast when read, never rewritten.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::actor::Role;
use crate::ids::{
    AccessId, ActionId, MeasureId, MeetingId, PlanId, Position, ReportId, SetAsideId, TokenId,
};
use crate::measure::{BasisKind, MeasureDefinition, MeasureField};
use crate::measure_ref::MeasureRef;
use crate::period::Period;
use crate::rules::RuleSet;
use crate::status::{Direction, Rag, Status, StatusScheme};
use crate::target::TargetSpec;
use crate::value::{DataQuality, RecordedValue, RevisionClass};

/// Version of an event payload's schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SchemaVersion(pub u16);

impl SchemaVersion {
    /// The version every event is written with today.
    pub const CURRENT: SchemaVersion = SchemaVersion(1);
}

/// The kind of report a publication is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    /// The quarterly performance scorecard with its summary.
    QuarterlyScorecard,
}

/// Everything that can happen to a plan, a measure, a report or an API token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "payload")]
pub enum DomainEvent {
    /// A plan was adopted (e.g. Corporate Plan 2016/17, approved by Council 13 July 2016).
    PlanDefined {
        /// The plan.
        plan_id: PlanId,
        /// Its name.
        name: String,
        /// The financial year it covers.
        financial_year: Period,
        /// Which status scheme its measures are assessed in.
        status_scheme: StatusScheme,
        /// Date of approval, if approved.
        approved_on: Option<NaiveDate>,
        /// Approving body.
        approved_by: Option<String>,
    },
    /// A corporate priority of the plan.
    PriorityDefined {
        /// Its number (1–5).
        number: u8,
        /// Its title.
        title: String,
    },
    /// A key delivery outcome under a priority.
    OutcomeDefined {
        /// The priority it belongs to.
        priority: u8,
        /// Its letter (`A`).
        letter: String,
        /// Its title.
        title: String,
    },
    /// A period was locked: changes to it now need a reason and the performance team.
    PeriodLocked {
        /// The period (its months and terms are locked with it).
        period: Period,
    },
    /// A locked period was reopened (the reason is on the commit).
    PeriodReopened {
        /// The period.
        period: Period,
    },
    /// The status and direction rules the plan uses from now on.
    RuleSetDefined {
        /// The rules.
        rule_set: RuleSet,
    },
    /// A measure was added to a plan.
    MeasureDefined {
        /// The measure.
        measure_id: MeasureId,
        /// What it is.
        definition: MeasureDefinition,
    },
    /// A Strategic Director became accountable for the measure from a date.
    LeadAccountabilityAssigned {
        /// Who, with their role as printed.
        person: String,
        /// From when.
        effective_from: NaiveDate,
    },
    /// A target was set for a financial year.
    TargetSet {
        /// The financial year.
        period: Period,
        /// The target.
        target: TargetSpec,
    },
    /// A target was changed (the reason is on the commit).
    TargetChanged {
        /// The financial year.
        period: Period,
        /// The target before.
        old: TargetSpec,
        /// The target after.
        new: TargetSpec,
    },
    /// A value was entered for a period.
    ValueRecorded {
        /// The period the value is about.
        period: Period,
        /// The value.
        value: RecordedValue,
        /// Its quality flags.
        quality: DataQuality,
    },
    /// A value was revised (the reason is on the commit).
    ValueRevised {
        /// The period.
        period: Period,
        /// The value before.
        old: RecordedValue,
        /// The value after.
        new: RecordedValue,
        /// Late data, scheduled revision, correction or definition change.
        classification: RevisionClass,
        /// Quality flags of the new value.
        quality: DataQuality,
    },
    /// A value was confirmed as it stands with new quality flags (a provisional figure
    /// validated, an estimate confirmed; the reason is on the commit). The value is unchanged.
    ValueConfirmed {
        /// The period.
        period: Period,
        /// The value confirmed, as it stands.
        value: RecordedValue,
        /// Why it was last revised, if it was.
        classification: Option<RevisionClass>,
        /// Its quality flags before.
        was: DataQuality,
        /// Its quality flags now.
        quality: DataQuality,
    },
    /// A performance clinic was called for the measure (the reason is on the commit).
    ClinicCalled {
        /// The day it is called for.
        on: NaiveDate,
        /// Who chairs it.
        chair: String,
    },
    /// The clinic called for `on` was held.
    ClinicHeld {
        /// The day it was called for.
        on: NaiveDate,
        /// What it mandated, by whom and by when.
        mandates: Vec<crate::clinic::Mandate>,
    },
    /// The clinic called for `on` was cancelled (the reason is on the commit).
    ClinicCancelled {
        /// The day it was called for.
        on: NaiveDate,
    },
    /// A meeting of a committee, board or panel was recorded.
    MeetingRecorded {
        /// The meeting.
        meeting_id: MeetingId,
        /// The committee, board or panel.
        body: String,
        /// The day it met.
        held_on: NaiveDate,
    },
    /// An item was put on the meeting's agenda.
    AgendaItemAdded {
        /// Its number as printed.
        item: String,
        /// Its title.
        title: String,
        /// The published report it considered.
        report_id: Option<ReportId>,
        /// Considered in exempt session under this paragraph of Schedule 12A, Part 1: left
        /// out of public renderings.
        exempt_paragraph: Option<u8>,
    },
    /// The decision on an agenda item, as resolved (a changed one carries a reason).
    DecisionRecorded {
        /// The item's number.
        item: String,
        /// The decision.
        decision: String,
    },
    /// The decision on an agenda item was called in (the reason is on the commit).
    DecisionCalledIn {
        /// The item's number.
        item: String,
        /// Who called it in.
        by: String,
    },
    /// A key action of an improvement plan was registered.
    ActionRegistered {
        /// The action.
        action_id: ActionId,
        /// The plan it belongs to.
        plan: String,
        /// The objective it serves.
        objective: String,
        /// The key action.
        key_action: String,
        /// Who leads it.
        lead: String,
        /// When it is due, as printed.
        target_date: String,
        /// The measures it is meant to improve.
        measures: Vec<MeasureRef>,
    },
    /// An action's target date moved (the reason, if one was given, is on the commit).
    ActionTargetDateMoved {
        /// The date before.
        from: String,
        /// The date after.
        to: String,
    },
    /// An action was given a RAG rating (the rationale, if any, is on the commit).
    ActionRated {
        /// The rating.
        rag: Rag,
        /// The arrow beside it, if the plan printed one.
        arrow: Option<Direction>,
    },
    /// An action was completed.
    ActionCompleted {
        /// The day.
        on: NaiveDate,
    },
    /// An action's baseline, targets or workstream was set, or reworded by a later update.
    ActionTextSet {
        /// Which text.
        field: crate::improvement::ActionText,
        /// The text before, if one was set.
        before: Option<String>,
        /// The text as printed now.
        after: String,
    },
    /// The officer's assessment of the overall status for a period.
    StatusAssessed {
        /// The period.
        period: Period,
        /// The status reports show.
        status: Status,
        /// What the rules suggested, if they could.
        computed: Option<Status>,
        /// Version of the rules behind `computed`.
        rule_set_version: u32,
    },
    /// A 2010-scheme RAG rating for a period.
    RagAssessed {
        /// The period.
        period: Period,
        /// The rating.
        rag: Rag,
        /// What the plan's rules suggested, if they could (absent in ratings recorded before
        /// it was).
        #[serde(default)]
        computed: Option<Rag>,
        /// Version of the rules behind `computed` (absent likewise).
        #[serde(default)]
        rule_set_version: Option<u32>,
    },
    /// The officer's assessment of the direction of travel for a period.
    DirectionAssessed {
        /// The period.
        period: Period,
        /// The direction reports show.
        direction: Direction,
        /// What the rules suggested.
        computed: Option<Direction>,
    },
    /// The data note for a period was written or rewritten (full new text).
    CommentaryEdited {
        /// The period.
        period: Period,
        /// The whole note.
        text: String,
    },
    /// What the report's narrative says of the measure for a period was written or rewritten
    /// (full new text).
    NarrativeEdited {
        /// The period.
        period: Period,
        /// The whole narrative.
        text: String,
    },
    /// The current value of a period was signed off by someone other than whoever entered it
    /// (who is on the commit). A later revision needs a new sign-off.
    ValueSignedOff {
        /// The period.
        period: Period,
        /// The revision signed off: 0 for the value as first recorded, n after n revisions.
        revision: u32,
    },
    /// The current data note of a period was approved by someone other than its author.
    /// A later edit needs a new approval.
    CommentaryApproved {
        /// The period.
        period: Period,
    },
    /// Fields of the measure's definition were changed (the reason is on the commit).
    MeasureAmended {
        /// Each field changed, before → after, in the order of `MeasureField`.
        changes: Vec<FieldChange>,
    },
    /// The measure's definition or data source changed from a period on, so its figures
    /// before and after may not compare (the reason, if one was given, is on the commit).
    BasisChanged {
        /// Definition or source.
        kind: BasisKind,
        /// The first period reported on the new basis.
        from: Period,
        /// What changed, as the pack says it.
        note: String,
        /// Whether the figures before `from` were restated on the new basis ("Data for 2013-15
        /// and retrospective data revised"): then a direction of travel across the change
        /// still compares like with like.
        restated: bool,
    },
    /// A recorded value will be refreshed from its source for a later report; what the
    /// refresh changes is read against the value as it stood at this event.
    RefreshAnnounced {
        /// The period of the value.
        period: Period,
        /// The period of the report the refreshed value is due for.
        due: Period,
        /// Why, as the pack says it.
        note: String,
    },
    /// The measure no longer applies from a period on (the reason is on the commit).
    MeasureWithdrawn {
        /// The first period it no longer applies to.
        from: Period,
    },
    /// A withdrawn measure applies again from a period on (the reason is on the commit).
    MeasureReinstated {
        /// The first period it applies to again.
        from: Period,
    },
    /// A report was published: what it covered, the log position it was built at and the
    /// SHA-256 of its canonical JSON.
    ReportPublished {
        /// The report.
        report_id: ReportId,
        /// The plan reported on.
        plan_id: PlanId,
        /// Which kind of report.
        kind: ReportKind,
        /// The period reported.
        period: Period,
        /// Log position the report was built at (everything up to and including it).
        cut_off: Position,
        /// The meeting it went to.
        meeting: String,
        /// The date of publication.
        published_on: NaiveDate,
        /// The rule-set version used.
        rule_set_version: u32,
        /// SHA-256 of the canonical JSON, lowercase hex.
        sha256: String,
        /// SHA-256 of each part of the report (the summary, then every row), so a rebuild
        /// that does not match can name the first part that differs. Absent in reports
        /// published before it was recorded.
        #[serde(default)]
        parts: Vec<PartDigest>,
    },
    /// An API bearer token was issued (by an admin; the secret itself is shown once and never
    /// stored).
    TokenIssued {
        /// The token.
        token_id: TokenId,
        /// The user it stands for (becomes the actor of every change made with it).
        user_id: String,
        /// Their name as the history shows it.
        name: String,
        /// The role it acts in.
        role: Role,
        /// For an officer: the directorate whose measures they may change.
        directorate: Option<String>,
        /// SHA-256 of the secret, lowercase hex.
        secret_sha256: String,
        /// The last day it is valid, if it expires.
        expires_on: Option<NaiveDate>,
    },
    /// A token was revoked (the reason is on the commit); it never works again.
    TokenRevoked {
        /// The token.
        token_id: TokenId,
    },
    /// Someone read the history through the API (who and when are on the commit).
    AccessRecorded {
        /// The access.
        access_id: AccessId,
        /// What was read: the request, e.g. `GET /api/history?measure=2.B1`.
        what: String,
        /// The measure read about, if the request named one.
        measure_ref: Option<String>,
    },
    /// An admin set aside the commit at `position`, which cannot be read (a bug, a damaged
    /// disk): projections pass over it from then on, and every report built across it says so.
    /// Who, when and why are on the commit.
    CommitSetAside {
        /// The setting aside.
        set_aside_id: SetAsideId,
        /// The position of the unreadable commit.
        position: Position,
        /// Why it cannot be read, as the store said when it was set aside.
        problem: String,
    },
    /// The log signs its commits and checkpoints with this key from this commit on. The
    /// commit adding the log's first key is signed by that key; a later one by a key the log
    /// already signs with.
    SigningKeyAdded {
        /// The public key, in the C2SP signed-note verifier key format
        /// (`<origin>+<key id>+<base64>`).
        key: String,
    },
    /// The log no longer signs with this key (what it signed still verifies).
    SigningKeyRetired {
        /// The public key, as added.
        key: String,
    },
    /// A signed checkpoint of the log: the commit recording it lands directly after the last
    /// commit it covers.
    CheckpointRecorded {
        /// The C2SP tlog-checkpoint signed note.
        checkpoint: String,
        /// The Merkle tree's right edge at the checkpoint (subtree roots, largest first, in
        /// hexadecimal): enough to carry on from here without reading what came before.
        frontier: Vec<String>,
    },
}

/// The digest of one part of a published report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PartDigest {
    /// `summary`, or a row's measure reference.
    pub part: String,
    /// SHA-256 of the part's canonical JSON, lowercase hex.
    pub sha256: String,
}

/// One field of a measure's definition, before and after an amendment, each in the form
/// `MeasureField::normalise` gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    /// The field.
    pub field: MeasureField,
    /// Its value before.
    pub before: String,
    /// Its value after.
    pub after: String,
}

/// The type tag of an event, as stored.
pub type EventType = &'static str;

/// Why a stored event cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum UpcastError {
    /// A schema version this build does not know (written by a newer build?).
    #[error("event type {event_type} has schema version {version}, which this build cannot read; upgrade scoreledger")]
    UnknownVersion {
        /// The event type.
        event_type: String,
        /// The version found.
        version: u16,
    },
    /// The payload does not match the schema.
    #[error("event type {event_type} (schema version {version}) has a malformed payload")]
    Malformed {
        /// The event type.
        event_type: String,
        /// The version found.
        version: u16,
        /// What serde said.
        #[source]
        source: serde_json::Error,
    },
}

impl DomainEvent {
    /// The type tag.
    pub fn event_type(&self) -> EventType {
        match self {
            DomainEvent::PlanDefined { .. } => "PlanDefined",
            DomainEvent::PriorityDefined { .. } => "PriorityDefined",
            DomainEvent::OutcomeDefined { .. } => "OutcomeDefined",
            DomainEvent::RuleSetDefined { .. } => "RuleSetDefined",
            DomainEvent::PeriodLocked { .. } => "PeriodLocked",
            DomainEvent::PeriodReopened { .. } => "PeriodReopened",
            DomainEvent::MeasureDefined { .. } => "MeasureDefined",
            DomainEvent::LeadAccountabilityAssigned { .. } => "LeadAccountabilityAssigned",
            DomainEvent::TargetSet { .. } => "TargetSet",
            DomainEvent::TargetChanged { .. } => "TargetChanged",
            DomainEvent::ValueRecorded { .. } => "ValueRecorded",
            DomainEvent::ValueRevised { .. } => "ValueRevised",
            DomainEvent::ValueConfirmed { .. } => "ValueConfirmed",
            DomainEvent::ClinicCalled { .. } => "ClinicCalled",
            DomainEvent::ClinicHeld { .. } => "ClinicHeld",
            DomainEvent::ClinicCancelled { .. } => "ClinicCancelled",
            DomainEvent::MeetingRecorded { .. } => "MeetingRecorded",
            DomainEvent::AgendaItemAdded { .. } => "AgendaItemAdded",
            DomainEvent::DecisionRecorded { .. } => "DecisionRecorded",
            DomainEvent::DecisionCalledIn { .. } => "DecisionCalledIn",
            DomainEvent::ActionRegistered { .. } => "ActionRegistered",
            DomainEvent::ActionTargetDateMoved { .. } => "ActionTargetDateMoved",
            DomainEvent::ActionRated { .. } => "ActionRated",
            DomainEvent::ActionCompleted { .. } => "ActionCompleted",
            DomainEvent::ActionTextSet { .. } => "ActionTextSet",
            DomainEvent::StatusAssessed { .. } => "StatusAssessed",
            DomainEvent::RagAssessed { .. } => "RagAssessed",
            DomainEvent::DirectionAssessed { .. } => "DirectionAssessed",
            DomainEvent::CommentaryEdited { .. } => "CommentaryEdited",
            DomainEvent::NarrativeEdited { .. } => "NarrativeEdited",
            DomainEvent::ValueSignedOff { .. } => "ValueSignedOff",
            DomainEvent::CommentaryApproved { .. } => "CommentaryApproved",
            DomainEvent::MeasureAmended { .. } => "MeasureAmended",
            DomainEvent::BasisChanged { .. } => "BasisChanged",
            DomainEvent::RefreshAnnounced { .. } => "RefreshAnnounced",
            DomainEvent::MeasureWithdrawn { .. } => "MeasureWithdrawn",
            DomainEvent::MeasureReinstated { .. } => "MeasureReinstated",
            DomainEvent::ReportPublished { .. } => "ReportPublished",
            DomainEvent::TokenIssued { .. } => "TokenIssued",
            DomainEvent::TokenRevoked { .. } => "TokenRevoked",
            DomainEvent::AccessRecorded { .. } => "AccessRecorded",
            DomainEvent::CommitSetAside { .. } => "CommitSetAside",
            DomainEvent::SigningKeyAdded { .. } => "SigningKeyAdded",
            DomainEvent::SigningKeyRetired { .. } => "SigningKeyRetired",
            DomainEvent::CheckpointRecorded { .. } => "CheckpointRecorded",
        }
    }

    /// Splits the event into its stored parts: type tag and payload.
    pub fn to_payload(&self) -> (EventType, serde_json::Value) {
        let mut tagged = serde_json::to_value(self).expect("events serialise to JSON");
        let payload = tagged
            .get_mut("payload")
            .map(serde_json::Value::take)
            .expect("adjacently tagged events carry a payload");
        (self.event_type(), payload)
    }

    /// Reads a stored event, upcasting older schema versions.
    pub fn from_payload(
        event_type: &str,
        version: SchemaVersion,
        payload: serde_json::Value,
    ) -> Result<Self, UpcastError> {
        if version != SchemaVersion::CURRENT {
            return Err(UpcastError::UnknownVersion {
                event_type: event_type.to_owned(),
                version: version.0,
            });
        }
        let tagged = serde_json::json!({ "type": event_type, "payload": payload });
        serde_json::from_value(tagged).map_err(|source| UpcastError::Malformed {
            event_type: event_type.to_owned(),
            version: version.0,
            source,
        })
    }

    /// The period the event is about, for events that are about one.
    pub fn period(&self) -> Option<Period> {
        match self {
            DomainEvent::TargetSet { period, .. }
            | DomainEvent::TargetChanged { period, .. }
            | DomainEvent::ValueRecorded { period, .. }
            | DomainEvent::ValueRevised { period, .. }
            | DomainEvent::ValueConfirmed { period, .. }
            | DomainEvent::StatusAssessed { period, .. }
            | DomainEvent::RagAssessed { period, .. }
            | DomainEvent::DirectionAssessed { period, .. }
            | DomainEvent::CommentaryEdited { period, .. }
            | DomainEvent::NarrativeEdited { period, .. }
            | DomainEvent::ValueSignedOff { period, .. }
            | DomainEvent::CommentaryApproved { period }
            | DomainEvent::RefreshAnnounced { period, .. }
            | DomainEvent::PeriodLocked { period }
            | DomainEvent::PeriodReopened { period }
            | DomainEvent::ReportPublished { period, .. } => Some(*period),
            DomainEvent::MeasureWithdrawn { from }
            | DomainEvent::MeasureReinstated { from }
            | DomainEvent::BasisChanged { from, .. } => Some(*from),
            _ => None,
        }
    }
}

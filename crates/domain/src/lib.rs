//! The scorecard domain: plans, measures, periods, values, targets, statuses, events,
//! and the `decide`/`evolve` functions that turn commands into events and events into state.
//!
//! Architecture invariant: this crate does no I/O, has no async code and reads no clock.
//! Everything time-related arrives as data (a `recorded_at` on an envelope, a date on a command).

pub mod actor;
pub mod baseline;
pub mod chase;
pub mod clinic;
pub mod command;
pub mod cumulative;
pub mod decide;
pub mod event;
pub mod governance;
pub mod ids;
pub mod improvement;
pub mod lifecycle;
pub mod measure;
pub mod measure_ref;
pub mod percent;
pub mod period;
pub mod reported;
pub mod rules;
pub mod state;
pub mod status;
pub mod target;
pub mod text;
pub mod value;

pub use actor::{normalise_user_id, same_person, Actor, Role};
pub use command::{Command, CommandKind};
pub use decide::{decide, permit, Context, PlanOutline, Rejection, UnreadableCommit};
pub use event::{DomainEvent, EventType, FieldChange, PartDigest, SchemaVersion, UpcastError};
pub use ids::{
    AccessId, ActionId, MeasureId, MeetingId, PlanId, Position, ReportId, SetAsideId, StreamId,
    StreamVersion, TokenId,
};
pub use improvement::ActionText;
pub use lifecycle::{applies_in, Applicability};
pub use measure::{BasisKind, Frequency, MeasureDefinition, MeasureField, Polarity, ValueKind};
pub use measure_ref::MeasureRef;
pub use period::Period;
pub use reported::Reported;
pub use rules::RuleSet;
pub use state::{
    evolve, previous_observation, Maker, MeasureState, PlanState, StreamState, TokenState,
};
pub use status::{Direction, Rag, RagArrow, Status, StatusScheme};
pub use target::{Target, TargetSegment};
pub use text::{TextKind, TextProblem};
pub use value::{DataQuality, Quality, RecordedValue, RevisionClass};

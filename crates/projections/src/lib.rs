//! Projectors from the log into SQLite read models: the current scorecard, system-versioned
//! values/targets/assessments/notes (so as-at queries are SQL), and the auditor's history view.
//!
//! Architecture invariant: the checkpoint is written in the same transaction as the rows it
//! covers (exactly-once effect), and a projector halts on a gap rather than skip one, and at a
//! commit it cannot read unless an admin has set that commit aside.

pub mod actions;
mod apply;
mod batch;
pub mod checksum;
pub mod clinics;
mod facts;
pub mod history_kind;
pub mod history_view;
pub mod lookup;
pub mod measure_view;
pub mod meetings;
pub mod narratives;
pub mod overrides;
pub mod plans;
pub mod projected_from;
pub mod projector;
pub mod read_models;
pub mod scorecard;
pub mod sessions;
pub mod set_asides;
pub mod snapshot;
mod statistics;
pub mod tokens;

pub use actions::{actions_as_at, ActionRating, ActionRecord, DateMove, TextSet};
pub use apply::restated_word;
pub use checksum::table_checksums;
pub use clinics::{clinics_as_at, ClinicRecord};
pub use history_kind::{HistoryKind, UnknownKind};
pub use history_view::{history, reported_day, HistoryEntry, HistoryFilter};
pub use lookup::{find_measure, measures_of_plan, position_before, published_through};
pub use measure_view::{
    measure_as_at, target_specs, value_versions, AccountabilitySpell, MeasureView, PeriodFact,
    PeriodValue, ValueVersion,
};
pub use meetings::{meetings_as_at, AgendaItemRecord, MeetingOutcome, MeetingRecord};
pub use narratives::{narratives_as_at, Narrative};
pub use overrides::{overrides_as_at, Override};
pub use plans::{plans_as_at, OutcomeView, PlanView, PriorityView};
pub use projected_from::{projected_from, Fit, ProjectedFrom, SeenCommit};
pub use projector::{
    catch_up_for_reading, drain, rebuild, run_until_stopped, stopped_by, try_project_batch,
    Outcome, ProjectionError, Reach, SCORECARD_PROJECTOR,
};
pub use read_models::{Dialect, ReadModels, ReadModelsError};
pub use scorecard::{
    all_publications, checkpoint, publications, scorecard_as_at, PlanRow, Publication, Scorecard,
    ScorecardRow, ValueCell,
};
pub use sessions::{
    end_session, open_sessions, session_by_secret, session_time, start_session, touch_session,
    SessionRow,
};
pub use set_asides::{set_asides_through, SetAside};
pub use snapshot::{snapshot_as_at, snapshot_current, Snapshot};
pub use tokens::{token_by_id, token_by_secret, tokens, TokenRow};

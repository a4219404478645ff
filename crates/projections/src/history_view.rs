//! The auditor's history view: who changed what, when, in which role, before → after, why.

use crate::read_models::ReadModels;
use serde::Serialize;

/// Which changes to list.
#[derive(Debug, Clone, Default)]
pub struct HistoryFilter {
    /// Only this measure (normalised reference).
    pub measure_ref: Option<String>,
    /// Only changes by this actor (id or display name, case-insensitive).
    pub actor: Option<String>,
}

/// One change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct HistoryEntry {
    /// Log position of the commit.
    pub position: i64,
    /// Index of the event within the commit.
    pub seq: i64,
    /// Transaction time (RFC 3339).
    pub recorded_at: String,
    /// Who (id).
    pub actor_id: String,
    /// Who (name).
    pub actor_name: String,
    /// In which role.
    pub actor_role: String,
    /// For whom.
    pub on_behalf_of: Option<String>,
    /// Event type.
    pub event_type: String,
    /// Measure, when the change is to one.
    pub measure_ref: Option<String>,
    /// Period the change is about.
    pub period: Option<String>,
    /// What changed.
    pub what: String,
    /// Before.
    pub before: Option<String>,
    /// After.
    pub after: Option<String>,
    /// Why.
    pub reason: Option<String>,
    /// Revision classification.
    pub classification: Option<String>,
}

/// Changes matching `filter`, in log order.
pub async fn history(
    read: &ReadModels,
    filter: &HistoryFilter,
) -> Result<Vec<HistoryEntry>, sqlx::Error> {
    sqlx::query_as::<_, HistoryEntry>(
        "SELECT position, seq, recorded_at, actor_id, actor_name, actor_role, on_behalf_of, event_type, \
         measure_ref, period, what, before, after, reason, classification FROM history \
         WHERE (CAST($1 AS TEXT) IS NULL OR measure_ref = $1) \
         AND (CAST($2 AS TEXT) IS NULL OR lower(actor_id) = lower($2) OR lower(actor_name) = lower($2)) \
         ORDER BY position, seq",
    )
    .bind(&filter.measure_ref)
    .bind(&filter.actor)
    .fetch_all(read.pool())
    .await
}

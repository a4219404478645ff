//! The auditor's history view: who changed what, when, in which role, before → after, why.

use crate::read_models::ReadModels;
use scoreledger_domain::Position;
use serde::{Deserialize, Serialize};

/// Which changes to list. Every field narrows the list; the default lists everything.
#[derive(Debug, Clone, Default)]
pub struct HistoryFilter {
    /// Only this measure (normalised reference).
    pub measure_ref: Option<String>,
    /// Only changes by this actor (id or display name, case-insensitive).
    pub actor: Option<String>,
    /// Only changes about this period (as printed, e.g. `Q2 Jul - Sep 2016`).
    pub period: Option<String>,
    /// Only these kinds of change, as stored (`value`, `data note`, `history read`, …; see
    /// [`crate::HistoryKind::select_all`] for the words people write); all when empty.
    pub what: Vec<String>,
    /// Only changes that replaced an earlier fact (revisions, target changes, reassessments).
    pub revisions_only: bool,
    /// Only changes recorded after this position.
    pub after: Option<Position>,
    /// Only changes recorded at or before this position: the history as it stood then.
    pub through: Option<Position>,
    /// Only changes recorded at or after this instant (RFC 3339 prefix, e.g. `2016-11-15`).
    pub since: Option<String>,
    /// Only changes recorded before this instant (RFC 3339 prefix).
    pub until: Option<String>,
    /// Only changes to the plan of this financial year and its measures (`2017/18`).
    pub plan_year: Option<String>,
    /// Only changes reported on or before this day (`2010-07-13`): the day a commit says it
    /// was reported, or else the day it was recorded. The other axis from `through`/`until`.
    pub reported_by: Option<String>,
}

/// One change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct HistoryEntry {
    /// Log position of the commit.
    pub position: i64,
    /// Index of the row within the commit: one row per event, except an amendment of a
    /// measure's definition, which has one per field.
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
    /// The financial year of the plan the change belongs to, when it belongs to one: the same
    /// reference in two years' plans is two measures.
    pub plan_year: Option<String>,
    /// The day the change was reported (ISO), when its commit says it was reported before
    /// it was recorded (history loaded from past packs).
    pub reported_on: Option<String>,
    /// The document it was reported in (meeting, date, page).
    pub reported_in: Option<String>,
}

/// The day a change was reported: the day its commit names, else the (UTC) day it was
/// recorded. The same rule as the queries' `COALESCE(reported_on, substr(recorded_at, 1, 10))`,
/// for code that reads the rows those queries return.
pub fn reported_day(reported_on: Option<&str>, recorded_at: &str) -> Option<chrono::NaiveDate> {
    reported_on
        .or_else(|| recorded_at.get(..10))
        .and_then(|day| day.parse().ok())
}

/// Changes matching `filter`, in log order.
pub async fn history(
    read: &ReadModels,
    filter: &HistoryFilter,
) -> Result<Vec<HistoryEntry>, sqlx::Error> {
    let mut sql = String::from(
        "SELECT position, seq, recorded_at, actor_id, actor_name, actor_role, on_behalf_of, event_type, \
         measure_ref, period, what, before, after, reason, classification, \
         (SELECT p.financial_year FROM plans p WHERE p.plan_id = history.plan_id) AS plan_year, \
         reported_on, reported_in \
         FROM history \
         WHERE (CAST($1 AS TEXT) IS NULL OR measure_ref = $1) \
         AND (CAST($2 AS TEXT) IS NULL OR lower(actor_id) = lower($2) OR lower(actor_name) = lower($2)) \
         AND (CAST($3 AS TEXT) IS NULL OR period = $3) \
         AND ($4 = 0 OR before IS NOT NULL) \
         AND position > $5 AND position <= $6 \
         AND (CAST($7 AS TEXT) IS NULL OR recorded_at >= $7) \
         AND (CAST($8 AS TEXT) IS NULL OR recorded_at < $8) \
         AND (CAST($9 AS TEXT) IS NULL OR plan_id IN (SELECT p.plan_id FROM plans p WHERE p.financial_year = $9)) \
         AND (CAST($10 AS TEXT) IS NULL OR COALESCE(reported_on, substr(recorded_at, 1, 10)) <= $10)",
    );
    // One placeholder per kind keeps the statement portable between SQLite and PostgreSQL.
    if !filter.what.is_empty() {
        let placeholders: Vec<String> = (0..filter.what.len())
            .map(|i| format!("${}", 11 + i))
            .collect();
        sql.push_str(&format!(" AND what IN ({})", placeholders.join(", ")));
    }
    sql.push_str(" ORDER BY position, seq");
    let mut query = sqlx::query_as::<_, HistoryEntry>(&sql)
        .bind(&filter.measure_ref)
        .bind(&filter.actor)
        .bind(&filter.period)
        .bind(i64::from(filter.revisions_only))
        .bind(filter.after.map_or(0, |p| p.0 as i64))
        .bind(filter.through.map_or(i64::MAX, |p| p.0 as i64))
        .bind(&filter.since)
        .bind(&filter.until)
        .bind(&filter.plan_year)
        .bind(&filter.reported_by);
    for what in &filter.what {
        query = query.bind(what);
    }
    query.fetch_all(read.pool()).await
}

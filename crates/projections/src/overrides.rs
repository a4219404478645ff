//! Assessments that differ from what the rules suggested: a status or a RAG rating an officer
//! gave against the rules' reading of the figure (NI 60 rated Amber although it met its March
//! target, question 17), each with who gave it, when, and the rationale on its commit.

use serde::Serialize;

use scoreledger_domain::{MeasureRef, Position};

use crate::read_models::ReadModels;

/// One assessment that overrode the rules' suggestion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Override {
    /// The measure (normalised reference).
    pub measure_ref: String,
    /// The period assessed.
    pub period: String,
    /// `status` or `rag`.
    pub kind: String,
    /// What the officer gave.
    pub assessed: String,
    /// What the rules suggested.
    pub computed: String,
    /// Who gave it.
    pub actor_name: String,
    /// When (RFC 3339).
    pub recorded_at: String,
    /// The rationale on the commit, if one was given.
    pub reason: Option<String>,
    /// The log position of the assessment.
    pub position: i64,
    /// Where a later assessment replaced it, if one did by the position asked about.
    pub replaced_at: Option<i64>,
}

/// Every status and RAG rating recorded at or before `at` that differs from the rules'
/// suggestion, by measure and then as recorded.
pub async fn overrides_as_at(
    read: &ReadModels,
    at: Position,
) -> Result<Vec<Override>, sqlx::Error> {
    let at = at.0 as i64;
    let mut found = sqlx::query_as::<_, Override>(
        "SELECT h.measure_ref, a.period, a.kind, a.assessed, a.computed, h.actor_name, \
         h.recorded_at, h.reason, a.recorded_from_position AS position, \
         CASE WHEN a.recorded_to_position <= $1 THEN a.recorded_to_position END AS replaced_at \
         FROM assessments_history a JOIN history h ON h.measure_id = a.measure_id \
         AND h.position = a.recorded_from_position AND h.period = a.period \
         AND h.what = CASE a.kind WHEN 'status' THEN 'status' ELSE 'RAG rating' END \
         WHERE a.kind IN ('status', 'rag') AND a.computed IS NOT NULL \
         AND a.computed <> a.assessed AND a.recorded_from_position <= $1 \
         ORDER BY a.recorded_from_position",
    )
    .bind(at)
    .fetch_all(read.pool())
    .await?;
    found.sort_by_key(|o| MeasureRef::parse(&o.measure_ref).ok());
    Ok(found)
}

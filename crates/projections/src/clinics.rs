//! Performance clinics as at a log position: for each measure and day a clinic was called
//! for, who chairs it, why it was called, and whether it was held (with its mandates) or
//! cancelled (and why). The rows are append-only, each from the position that recorded it.

use serde::Serialize;

use scoreledger_domain::clinic::Mandate;
use scoreledger_domain::{MeasureRef, Position};

use crate::read_models::ReadModels;

/// One performance clinic as the log stood.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClinicRecord {
    /// The measure (normalised reference).
    pub measure_ref: String,
    /// The day it was called for (`YYYY-MM-DD`).
    pub called_for: String,
    /// `called`, `held` or `cancelled`.
    pub state: String,
    /// Who chairs it.
    pub chair: String,
    /// Why it was called.
    pub called_because: Option<String>,
    /// Who called it, and when.
    pub called_by: String,
    /// When it was called (RFC 3339).
    pub called_at: String,
    /// What it mandated, once held.
    pub mandates: Vec<Mandate>,
    /// Why it was cancelled, if it was.
    pub cancelled_because: Option<String>,
}

type Row = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    String,
);

/// Every clinic called at or before `at`, by measure and day.
pub async fn clinics_as_at(
    read: &ReadModels,
    at: Position,
) -> Result<Vec<ClinicRecord>, sqlx::Error> {
    let rows = sqlx::query_as::<_, Row>(
        "SELECT m.measure_ref, c.called_for, c.kind, c.chair, c.mandates, c.reason, c.recorded_at, \
         c.actor_name FROM clinics c JOIN measures m USING (measure_id) WHERE c.position <= $1 \
         ORDER BY c.position",
    )
    .bind(at.0 as i64)
    .fetch_all(read.pool())
    .await?;
    let mut clinics: Vec<ClinicRecord> = Vec::new();
    for (measure_ref, called_for, kind, chair, mandates, reason, recorded_at, actor) in rows {
        if kind == "called" {
            clinics.push(ClinicRecord {
                measure_ref,
                called_for,
                state: kind,
                chair: chair.unwrap_or_default(),
                called_because: reason,
                called_by: actor,
                called_at: recorded_at,
                mandates: Vec::new(),
                cancelled_because: None,
            });
            continue;
        }
        let Some(clinic) = clinics
            .iter_mut()
            .find(|c| c.measure_ref == measure_ref && c.called_for == called_for)
        else {
            continue;
        };
        if kind == "held" {
            clinic.mandates =
                serde_json::from_str(mandates.as_deref().unwrap_or("[]")).map_err(|err| {
                    sqlx::Error::Decode(
                        format!("read model holds unreadable mandates: {err}").into(),
                    )
                })?;
        } else {
            clinic.cancelled_because = reason;
        }
        clinic.state = kind;
    }
    clinics.sort_by(|a, b| {
        (MeasureRef::parse(&a.measure_ref).ok(), &a.called_for)
            .cmp(&(MeasureRef::parse(&b.measure_ref).ok(), &b.called_for))
    });
    Ok(clinics)
}

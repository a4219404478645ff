//! The governance record as at a log position: meetings, their agenda items (with any
//! Schedule 12A paragraph they were exempt under), and the decisions and call-ins on them.
//! The rows are append-only, each from the position that recorded it.

use serde::Serialize;

use scoreledger_domain::Position;

use crate::read_models::ReadModels;

/// A decision or call-in on an agenda item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MeetingOutcome {
    /// `decision` or `call-in`.
    pub kind: String,
    /// The decision as resolved, or who called it in.
    pub text: String,
    /// The reason given (a call-in's, a changed decision's).
    pub reason: Option<String>,
    /// When it was recorded.
    pub recorded_at: String,
    /// Who recorded it.
    pub actor_name: String,
    /// Where it was recorded.
    pub position: u64,
}

/// An item of a meeting's agenda.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AgendaItemRecord {
    /// Its number as printed.
    pub item: String,
    /// Its title.
    pub title: String,
    /// The published report it considered.
    pub report_id: Option<String>,
    /// The Schedule 12A paragraph it was considered in exempt session under.
    pub exempt_paragraph: Option<u8>,
    /// Its decisions and call-ins, oldest first.
    pub outcomes: Vec<MeetingOutcome>,
}

/// A meeting with its agenda.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MeetingRecord {
    /// The meeting.
    pub meeting_id: String,
    /// The committee, board or panel.
    pub body: String,
    /// The day it met (`YYYY-MM-DD`).
    pub held_on: String,
    /// Its agenda, in item order.
    pub items: Vec<AgendaItemRecord>,
}

/// Item numbers in the order an agenda prints them: 2 before 14, numbers before words.
fn item_order(item: &str) -> (Option<u32>, String) {
    (item.parse().ok(), item.to_owned())
}

/// Every meeting recorded at or before `at`, by day and body, with what was recorded of it
/// by then.
pub async fn meetings_as_at(
    read: &ReadModels,
    at: Position,
) -> Result<Vec<MeetingRecord>, sqlx::Error> {
    let at = at.0 as i64;
    let meetings = sqlx::query_as::<_, (String, String, String)>(
        "SELECT meeting_id, body, held_on FROM meetings WHERE position <= $1 \
         ORDER BY held_on, body, meeting_id",
    )
    .bind(at)
    .fetch_all(read.pool())
    .await?;
    let items = sqlx::query_as::<_, (String, String, String, Option<String>, Option<i64>)>(
        "SELECT meeting_id, item, title, report_id, exempt_paragraph FROM agenda_items \
         WHERE position <= $1",
    )
    .bind(at)
    .fetch_all(read.pool())
    .await?;
    type OutcomeRow = (
        String,
        String,
        i64,
        String,
        String,
        Option<String>,
        String,
        String,
    );
    let outcomes = sqlx::query_as::<_, OutcomeRow>(
        "SELECT meeting_id, item, position, kind, text, reason, recorded_at, actor_name \
         FROM meeting_outcomes WHERE position <= $1 ORDER BY position",
    )
    .bind(at)
    .fetch_all(read.pool())
    .await?;
    Ok(meetings
        .into_iter()
        .map(|(meeting_id, body, held_on)| {
            let mut agenda: Vec<AgendaItemRecord> = items
                .iter()
                .filter(|row| row.0 == meeting_id)
                .map(|(_, item, title, report_id, exempt)| AgendaItemRecord {
                    item: item.clone(),
                    title: title.clone(),
                    report_id: report_id.clone(),
                    exempt_paragraph: exempt.and_then(|p| u8::try_from(p).ok()),
                    outcomes: outcomes
                        .iter()
                        .filter(|o| o.0 == meeting_id && &o.1 == item)
                        .map(|o| MeetingOutcome {
                            kind: o.3.clone(),
                            text: o.4.clone(),
                            reason: o.5.clone(),
                            recorded_at: o.6.clone(),
                            actor_name: o.7.clone(),
                            position: o.2 as u64,
                        })
                        .collect(),
                })
                .collect();
            agenda.sort_by_key(|a| item_order(&a.item));
            MeetingRecord {
                meeting_id,
                body,
                held_on,
                items: agenda,
            }
        })
        .collect())
}

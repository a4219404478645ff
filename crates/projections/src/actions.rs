//! Improvement actions as at a log position: each key action with its plan, objective, lead
//! and measures, the target date then in force, every move of it (from, to, who, when, and why
//! if anyone said), and the day it was completed. The rows are append-only, each from the
//! position that recorded it.

use serde::Serialize;

use chrono::NaiveDate;
use scoreledger_domain::Position;

use crate::read_models::ReadModels;

/// A move of an action's target date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DateMove {
    /// The date before, as printed.
    pub from: String,
    /// The date after.
    pub to: String,
    /// Why, if a reason was recorded.
    pub reason: Option<String>,
    /// Who moved it.
    pub by: String,
    /// When (RFC 3339).
    pub at: String,
    /// The day it was reported, when its commit says it was reported before it was recorded.
    pub reported_on: Option<String>,
    /// The log position of the move.
    pub position: u64,
}

/// A RAG rating an action was given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionRating {
    /// Red, amber, green or complete.
    pub rag: String,
    /// The arrow beside it (`improved`, `stable`, `worse`), if one was printed.
    pub arrow: Option<String>,
    /// Who rated it.
    pub by: String,
    /// When (RFC 3339).
    pub at: String,
    /// The rationale, if one was given.
    pub reason: Option<String>,
    /// The day it was reported, when its commit says it was reported before it was recorded.
    pub reported_on: Option<String>,
    /// The log position of the rating.
    pub position: u64,
}

/// A baseline, targets or workstream text set for an action, or reworded by a later update.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TextSet {
    /// `baseline` or `targets`.
    pub field: String,
    /// The text before, if one was set.
    pub before: Option<String>,
    /// The text set.
    pub after: String,
    /// Who set it.
    pub by: String,
    /// When (RFC 3339).
    pub at: String,
    /// Why, if a reason was recorded.
    pub reason: Option<String>,
    /// The day it was reported, when its commit says it was reported before it was recorded.
    pub reported_on: Option<String>,
    /// The log position.
    pub position: u64,
}

/// One improvement action as the log stood.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionRecord {
    /// The action.
    pub action_id: String,
    /// The plan it belongs to.
    pub plan: String,
    /// The objective it serves.
    pub objective: String,
    /// The key action.
    pub key_action: String,
    /// Who leads it.
    pub lead: String,
    /// The measures it is meant to improve (normalised references).
    pub measures: Vec<String>,
    /// Who registered it, and when (RFC 3339).
    pub registered_by: String,
    /// When it was registered.
    pub registered_at: String,
    /// The target date in force.
    pub target_date: String,
    /// Every move of the target date, oldest first.
    pub moves: Vec<DateMove>,
    /// The day it was completed, if it was.
    pub completed_on: Option<String>,
    /// Every RAG rating it was given, oldest first; the last is the one in force.
    pub ratings: Vec<ActionRating>,
    /// Its baseline as the plan prints it, if set.
    pub baseline: Option<String>,
    /// Its targets as the plan prints them, if set.
    pub targets: Option<String>,
    /// The workstream it belongs to, if set.
    pub workstream: Option<String>,
    /// Every baseline, targets or workstream text set, oldest first.
    pub texts: Vec<TextSet>,
}

impl ActionRecord {
    /// The rating in force, if it was rated.
    pub fn rating(&self) -> Option<&ActionRating> {
        self.ratings.last()
    }

    /// Its baseline, targets or workstream as set, if set.
    pub fn text(&self, field: scoreledger_domain::ActionText) -> Option<&str> {
        match field {
            scoreledger_domain::ActionText::Baseline => self.baseline.as_deref(),
            scoreledger_domain::ActionText::Targets => self.targets.as_deref(),
            scoreledger_domain::ActionText::Workstream => self.workstream.as_deref(),
        }
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    action_id: String,
    position: i64,
    kind: String,
    plan: Option<String>,
    objective: Option<String>,
    key_action: Option<String>,
    lead: Option<String>,
    target_date: Option<String>,
    moved_from: Option<String>,
    measures: Option<String>,
    completed_on: Option<String>,
    reason: Option<String>,
    recorded_at: String,
    actor_name: String,
    rag: Option<String>,
    arrow: Option<String>,
    reported_on: Option<String>,
    text: Option<String>,
}

/// Every improvement action registered at or before `at`, by plan, in the order registered;
/// with `reported_by`, only what had been reported on or before that day (the day a commit
/// says it was reported, else the day it was recorded): an update of 2010 typed in years later
/// as it stood on its own day.
pub async fn actions_as_at(
    read: &ReadModels,
    at: Position,
    reported_by: Option<NaiveDate>,
) -> Result<Vec<ActionRecord>, sqlx::Error> {
    let rows = sqlx::query_as::<_, Row>(
        "SELECT action_id, position, kind, plan, objective, key_action, lead, target_date, \
         moved_from, measures, completed_on, reason, recorded_at, actor_name, rag, arrow, \
         reported_on, text FROM improvement_actions WHERE position <= $1 \
         AND (CAST($2 AS TEXT) IS NULL OR COALESCE(reported_on, substr(recorded_at, 1, 10)) <= $2) \
         ORDER BY position, seq",
    )
    .bind(at.0 as i64)
    .bind(reported_by.map(|d| d.to_string()))
    .fetch_all(read.pool())
    .await?;
    let mut actions: Vec<ActionRecord> = Vec::new();
    for row in rows {
        if row.kind == "registered" {
            let measures =
                serde_json::from_str(row.measures.as_deref().unwrap_or("[]")).map_err(|err| {
                    sqlx::Error::Decode(
                        format!("read model holds unreadable action measures: {err}").into(),
                    )
                })?;
            actions.push(ActionRecord {
                action_id: row.action_id,
                plan: row.plan.unwrap_or_default(),
                objective: row.objective.unwrap_or_default(),
                key_action: row.key_action.unwrap_or_default(),
                lead: row.lead.unwrap_or_default(),
                measures,
                registered_by: row.actor_name,
                registered_at: row.recorded_at,
                target_date: row.target_date.unwrap_or_default(),
                moves: Vec::new(),
                completed_on: None,
                ratings: Vec::new(),
                baseline: None,
                targets: None,
                workstream: None,
                texts: Vec::new(),
            });
            continue;
        }
        let Some(action) = actions.iter_mut().find(|a| a.action_id == row.action_id) else {
            continue;
        };
        if row.kind == "moved" {
            let to = row.target_date.unwrap_or_default();
            action.moves.push(DateMove {
                from: row.moved_from.unwrap_or_default(),
                to: to.clone(),
                reason: row.reason,
                by: row.actor_name,
                at: row.recorded_at,
                reported_on: row.reported_on,
                position: row.position as u64,
            });
            action.target_date = to;
        } else if row.kind == "rated" {
            action.ratings.push(ActionRating {
                rag: row.rag.unwrap_or_default(),
                arrow: row.arrow,
                by: row.actor_name,
                at: row.recorded_at,
                reason: row.reason,
                reported_on: row.reported_on,
                position: row.position as u64,
            });
        } else if let Ok(field) = row.kind.parse::<scoreledger_domain::ActionText>() {
            let after = row.text.unwrap_or_default();
            let slot = match field {
                scoreledger_domain::ActionText::Baseline => &mut action.baseline,
                scoreledger_domain::ActionText::Targets => &mut action.targets,
                scoreledger_domain::ActionText::Workstream => &mut action.workstream,
            };
            let before = slot.replace(after.clone());
            action.texts.push(TextSet {
                field: row.kind,
                before,
                after,
                by: row.actor_name,
                at: row.recorded_at,
                reason: row.reason,
                reported_on: row.reported_on,
                position: row.position as u64,
            });
        } else {
            action.completed_on = row.completed_on;
        }
    }
    // Stable: within a plan, the order registered.
    actions.sort_by(|a, b| a.plan.cmp(&b.plan));
    Ok(actions)
}

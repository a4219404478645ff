//! Applies one commit to the read models, inside the caller's transaction.

use std::collections::BTreeSet;

use sqlx::AnyConnection;

use scoreledger_domain::{
    DataQuality, DomainEvent, FieldChange, MeasureDefinition, Period, Position, RecordedValue,
    StreamId,
};
use scoreledger_store::Commit;

use crate::batch::{Batch, HistoryRow};
use crate::facts::{Cell, FactKey, FactTable};
use crate::projector::ProjectionError;

/// One row of the history view, before it is written.
struct Change {
    plan_id: Option<String>,
    measure_id: Option<String>,
    measure_ref: Option<String>,
    period: Option<Period>,
    what: String,
    before: Option<String>,
    after: Option<String>,
    classification: Option<String>,
}

impl Change {
    fn new(what: &str) -> Self {
        Self {
            plan_id: None,
            measure_id: None,
            measure_ref: None,
            period: None,
            what: what.to_owned(),
            before: None,
            after: None,
            classification: None,
        }
    }
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("read-model values serialise to JSON")
}

/// The id part of `measure-<uuid>`.
fn aggregate_id(stream: &StreamId) -> String {
    stream
        .as_str()
        .split_once('-')
        .map_or(stream.as_str(), |(_, id)| id)
        .to_owned()
}

/// Reads, for a whole batch up front, what applying it would otherwise ask the database
/// commit by commit: the current versions of the facts it changes, and the references and
/// plans of the measures it touches.
pub(crate) async fn read_ahead(
    conn: &mut AnyConnection,
    batch: &mut Batch,
    commits: &[(&Commit, Vec<DomainEvent>)],
) -> Result<(), ProjectionError> {
    let mut measures = BTreeSet::new();
    let mut facts = Vec::new();
    for (commit, events) in commits {
        let id = aggregate_id(&commit.stream);
        if commit.stream.kind() == "measure" {
            measures.insert(id.clone());
        }
        facts.extend(events.iter().filter_map(|event| fact_key(&id, event)));
    }
    batch.read_measure_keys(conn, &measures).await?;
    batch.facts.read_current(conn, facts).await?;
    Ok(())
}

/// The system-versioned fact an event supersedes the current version of, if any.
fn fact_key(measure_id: &str, event: &DomainEvent) -> Option<FactKey> {
    let (table, period, kind) = match event {
        DomainEvent::TargetSet { period, .. } | DomainEvent::TargetChanged { period, .. } => {
            (FactTable::Targets, period, None)
        }
        DomainEvent::ValueRecorded { period, .. }
        | DomainEvent::ValueRevised { period, .. }
        | DomainEvent::ValueConfirmed { period, .. } => (FactTable::Values, period, None),
        DomainEvent::StatusAssessed { period, .. } => {
            (FactTable::Assessments, period, Some("status"))
        }
        DomainEvent::DirectionAssessed { period, .. } => {
            (FactTable::Assessments, period, Some("direction"))
        }
        DomainEvent::RagAssessed { period, .. } => (FactTable::Assessments, period, Some("rag")),
        DomainEvent::CommentaryEdited { period, .. } => (FactTable::Notes, period, None),
        DomainEvent::NarrativeEdited { period, .. } => (FactTable::Narratives, period, None),
        _ => return None,
    };
    Some(fact(table, measure_id, period, kind))
}

/// Applies one commit, whose `events` are its own as read back.
pub(crate) async fn apply_commit(
    conn: &mut AnyConnection,
    batch: &mut Batch,
    commit: &Commit,
    events: &[DomainEvent],
) -> Result<(), ProjectionError> {
    let position = commit.position;
    let id = aggregate_id(&commit.stream);
    // One history row per change: an event is one change, except an amendment, which is one
    // per field. `seq` numbers the rows of the commit.
    let mut seq = 0_i64;
    for event in events {
        for change in apply_event(conn, batch, &id, position, commit, event).await? {
            keep_change(conn, batch, commit, event, change, seq).await?;
            seq += 1;
        }
    }
    Ok(())
}

/// Keeps one row of the history view for the end of the batch.
async fn keep_change(
    conn: &mut AnyConnection,
    batch: &mut Batch,
    commit: &Commit,
    event: &DomainEvent,
    mut change: Change,
    seq: i64,
) -> Result<(), ProjectionError> {
    let id = aggregate_id(&commit.stream);
    change.period = change.period.or_else(|| event.period());
    if let (Some(measure_id), Some(measure_ref), Some(plan_id)) =
        (&change.measure_id, &change.measure_ref, &change.plan_id)
    {
        batch.know_measure(measure_id, measure_ref, plan_id);
    }
    if change.measure_id.is_some() && change.measure_ref.is_none() {
        if let Some((measure_ref, plan_id)) = batch.measure_keys(conn, &id).await? {
            change.measure_ref = Some(measure_ref);
            change.plan_id = Some(plan_id);
        }
    }
    batch.push_history(HistoryRow {
        position: commit.position.0 as i64,
        seq,
        stream: commit.stream.as_str().to_owned(),
        plan_id: change.plan_id,
        measure_id: change.measure_id,
        measure_ref: change.measure_ref,
        recorded_at: commit.recorded_at.to_rfc3339(),
        actor_id: commit.actor.id.clone(),
        actor_name: commit.actor.name.clone(),
        actor_role: commit.actor.role.as_str(),
        on_behalf_of: commit.on_behalf_of.clone(),
        event_type: event.event_type(),
        period: change.period.map(|p| p.to_string()),
        what: change.what,
        before: change.before,
        after: change.after,
        reason: commit.reason.clone(),
        classification: change.classification,
        reported_on: commit.reported.as_ref().map(|r| r.on.to_string()),
        reported_in: commit.reported.as_ref().map(|r| r.document.clone()),
    });
    Ok(())
}

async fn apply_event(
    conn: &mut AnyConnection,
    batch: &mut Batch,
    id: &str,
    position: Position,
    commit: &Commit,
    event: &DomainEvent,
) -> Result<Vec<Change>, ProjectionError> {
    let at = position.0 as i64;
    let measure = |what: &str| Change {
        measure_id: Some(id.to_owned()),
        ..Change::new(what)
    };
    let change = match event {
        DomainEvent::PlanDefined {
            plan_id,
            name,
            financial_year,
            status_scheme,
            approved_on,
            approved_by,
        } => {
            sqlx::query(
                "INSERT INTO plans (plan_id, name, financial_year, status_scheme, approved_on, approved_by, \
                 recorded_from_position) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(plan_id.to_string())
            .bind(name)
            .bind(financial_year.to_string())
            .bind(status_scheme.as_str())
            .bind(approved_on.map(|d| d.to_string()))
            .bind(approved_by)
            .bind(at)
            .execute(&mut *conn)
            .await?;
            Change {
                plan_id: Some(plan_id.to_string()),
                after: Some(format!("{name} ({financial_year})")),
                ..Change::new("plan defined")
            }
        }
        DomainEvent::PriorityDefined { number, title } => {
            sqlx::query(
                "INSERT INTO priorities (plan_id, number, title, recorded_from_position) VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(i64::from(*number))
            .bind(title)
            .bind(at)
            .execute(&mut *conn)
            .await?;
            Change {
                plan_id: Some(id.to_owned()),
                after: Some(format!("{number}. {title}")),
                ..Change::new("priority defined")
            }
        }
        DomainEvent::OutcomeDefined {
            priority,
            letter,
            title,
        } => {
            sqlx::query(
                "INSERT INTO outcomes (plan_id, priority, letter, title, recorded_from_position) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(i64::from(*priority))
            .bind(letter)
            .bind(title)
            .bind(at)
            .execute(&mut *conn)
            .await?;
            Change {
                plan_id: Some(id.to_owned()),
                after: Some(format!("{priority}{letter}. {title}")),
                ..Change::new("outcome defined")
            }
        }
        DomainEvent::RuleSetDefined { rule_set } => {
            let before: Option<i64> = sqlx::query_scalar(
                "SELECT version FROM rule_sets_history WHERE plan_id = $1 AND recorded_to_position IS NULL",
            )
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
            sqlx::query(
                "UPDATE rule_sets_history SET recorded_to_position = $1 WHERE plan_id = $2 AND recorded_to_position IS NULL",
            )
            .bind(at)
            .bind(id)
            .execute(&mut *conn)
            .await?;
            sqlx::query(
                "INSERT INTO rule_sets_history (plan_id, version, satisfactory_band_percent, stable_band_percent, \
                 recorded_from_position) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(i64::from(rule_set.version))
            .bind(rule_set.satisfactory_band_percent.to_string())
            .bind(rule_set.stable_band_percent.to_string())
            .bind(at)
            .execute(&mut *conn)
            .await?;
            Change {
                plan_id: Some(id.to_owned()),
                before: before.map(|v| format!("version {v}")),
                after: Some(format!(
                    "version {}: satisfactory within {}% of target, stable within {}%",
                    rule_set.version,
                    rule_set.satisfactory_band_percent,
                    rule_set.stable_band_percent
                )),
                ..Change::new("rule set")
            }
        }
        DomainEvent::PeriodLocked { period } => Change {
            plan_id: Some(id.to_owned()),
            after: Some(format!("{period} locked")),
            ..Change::new("period locked")
        },
        DomainEvent::PeriodReopened { period } => Change {
            plan_id: Some(id.to_owned()),
            before: Some(format!("{period} locked")),
            after: Some(format!("{period} open")),
            ..Change::new("period reopened")
        },
        DomainEvent::MeasureDefined {
            measure_id,
            definition,
        } => {
            sqlx::query(
                "INSERT INTO measures (measure_id, plan_id, measure_ref, definition, recorded_from_position) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(measure_id.to_string())
            .bind(definition.plan_id.to_string())
            .bind(definition.measure_ref.as_str())
            .bind(json(definition))
            .bind(at)
            .execute(&mut *conn)
            .await?;
            sqlx::query(
                "INSERT INTO accountability_history (measure_id, person, effective_from, recorded_from_position) \
                 VALUES ($1, $2, NULL, $3)",
            )
            .bind(measure_id.to_string())
            .bind(&definition.lead_accountability)
            .bind(at)
            .execute(&mut *conn)
            .await?;
            Change {
                plan_id: Some(definition.plan_id.to_string()),
                measure_ref: Some(definition.measure_ref.to_string()),
                after: Some(definition.title.clone()),
                ..measure("measure defined")
            }
        }
        DomainEvent::LeadAccountabilityAssigned {
            person,
            effective_from,
        } => {
            let before: Option<String> = sqlx::query_scalar(
                "SELECT person FROM accountability_history WHERE measure_id = $1 \
                 AND (effective_from IS NULL OR effective_from <= $2) \
                 ORDER BY effective_from IS NOT NULL, effective_from DESC, recorded_from_position DESC LIMIT 1",
            )
            .bind(id)
            .bind(effective_from.to_string())
            .fetch_optional(&mut *conn)
            .await?;
            sqlx::query(
                "INSERT INTO accountability_history (measure_id, person, effective_from, recorded_from_position) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(person)
            .bind(effective_from.to_string())
            .bind(at)
            .execute(&mut *conn)
            .await?;
            Change {
                before,
                after: Some(format!("{person}, from {effective_from}")),
                ..measure("lead accountability")
            }
        }
        DomainEvent::TargetSet { period, target }
        | DomainEvent::TargetChanged {
            period,
            new: target,
            ..
        } => {
            let key = fact(FactTable::Targets, id, period, None);
            let closed = batch.facts.close_current(conn, &key, at).await?;
            let revision = closed.as_ref().map_or(0, |(_, r)| r + 1);
            batch.facts.open(
                key,
                target.raw.clone(),
                revision,
                vec![
                    Cell::Text(Some(json(target))),
                    Cell::Text(Some(target.raw.clone())),
                    Cell::Int(Some(revision)),
                ],
                at,
            );
            Change {
                before: closed.map(|(raw, _)| raw),
                after: Some(target.raw.clone()),
                ..measure("target")
            }
        }
        DomainEvent::ValueRecorded {
            period,
            value,
            quality,
        }
        | DomainEvent::ValueRevised {
            period,
            new: value,
            quality,
            ..
        } => {
            let classification = match event {
                DomainEvent::ValueRevised { classification, .. } => {
                    Some(classification.to_string())
                }
                _ => None,
            };
            let key = fact(FactTable::Values, id, period, None);
            let closed = batch.facts.close_current(conn, &key, at).await?;
            let revision = closed.as_ref().map_or(0, |(_, r)| r + 1);
            let cells = value_cells(value, quality, revision, classification.clone());
            batch
                .facts
                .open(key, value.raw.clone(), revision, cells, at);
            Change {
                before: closed.map(|(raw, _)| raw),
                after: Some(value.raw.clone()),
                classification,
                ..measure("value")
            }
        }
        DomainEvent::ValueConfirmed {
            period,
            value,
            classification,
            was,
            quality,
        } => {
            // A new version of the same figure: its revision number stays, so reports print
            // it as they did; only its quality flags change.
            let key = fact(FactTable::Values, id, period, None);
            let closed = batch.facts.close_current(conn, &key, at).await?;
            let revision = closed.as_ref().map_or(0, |(_, r)| *r);
            let cells = value_cells(
                value,
                quality,
                revision,
                classification.map(|c| c.to_string()),
            );
            batch
                .facts
                .open(key, value.raw.clone(), revision, cells, at);
            Change {
                before: Some(format!("{} — {}", value.raw, was.describe())),
                after: Some(format!("{} — {}", value.raw, quality.describe())),
                ..measure("value")
            }
        }
        DomainEvent::StatusAssessed {
            period,
            status,
            computed,
            rule_set_version,
        } => assess(
            conn,
            batch,
            id,
            period,
            "status",
            status.as_str(),
            computed.map(|c| c.as_str()),
            Some(*rule_set_version),
            position,
        )
        .await
        .map(|before| Change {
            before,
            after: Some(with_suggestion(status, computed)),
            ..measure("status")
        })?,
        DomainEvent::DirectionAssessed {
            period,
            direction,
            computed,
        } => assess(
            conn,
            batch,
            id,
            period,
            "direction",
            direction.as_str(),
            computed.map(|c| c.as_str()),
            None,
            position,
        )
        .await
        .map(|before| Change {
            before,
            after: Some(with_suggestion(direction, computed)),
            ..measure("direction of travel")
        })?,
        DomainEvent::RagAssessed {
            period,
            rag,
            computed,
            rule_set_version,
        } => assess(
            conn,
            batch,
            id,
            period,
            "rag",
            rag.as_str(),
            computed.map(|c| c.as_str()),
            *rule_set_version,
            position,
        )
        .await
        .map(|before| Change {
            before,
            after: Some(with_suggestion(rag, computed)),
            ..measure("RAG rating")
        })?,
        DomainEvent::CommentaryEdited { period, text } => Change {
            before: rewrite(conn, batch, FactTable::Notes, (id, period), text, at).await?,
            after: Some(text.clone()),
            ..measure("data note")
        },
        DomainEvent::NarrativeEdited { period, text } => Change {
            before: rewrite(conn, batch, FactTable::Narratives, (id, period), text, at).await?,
            after: Some(text.clone()),
            ..measure("narrative")
        },
        DomainEvent::ValueSignedOff { period, revision } => {
            sqlx::query(
                "INSERT INTO value_signoffs (measure_id, period, revision, actor_id, actor_name, \
                 recorded_from_position) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(period.to_string())
            .bind(i64::from(*revision))
            .bind(&commit.actor.id)
            .bind(&commit.actor.name)
            .bind(at)
            .execute(&mut *conn)
            .await?;
            // The revision signed off may be one this batch wrote.
            batch.facts.flush(conn).await?;
            let raw: Option<String> = sqlx::query_scalar(
                "SELECT raw FROM values_history WHERE measure_id = $1 AND period = $2 AND revision = $3 \
                 ORDER BY recorded_from_position DESC LIMIT 1",
            )
            .bind(id)
            .bind(period.to_string())
            .bind(i64::from(*revision))
            .fetch_optional(&mut *conn)
            .await?;
            Change {
                after: Some(format!(
                    "{} (revision {revision}) signed off",
                    raw.as_deref().unwrap_or("value")
                )),
                ..measure("sign-off")
            }
        }
        DomainEvent::CommentaryApproved { period } => {
            // The note approved may be one this batch wrote.
            batch.facts.flush(conn).await?;
            let text: Option<String> = sqlx::query_scalar(
                "SELECT text FROM notes_history WHERE measure_id = $1 AND period = $2 \
                 AND recorded_to_position IS NULL",
            )
            .bind(id)
            .bind(period.to_string())
            .fetch_optional(&mut *conn)
            .await?;
            Change {
                after: text,
                ..measure("note approval")
            }
        }
        DomainEvent::MeasureAmended { changes } => {
            amend_definition(conn, id, position, changes).await?;
            return Ok(changes
                .iter()
                .map(|c| Change {
                    before: Some(c.before.clone()),
                    after: Some(c.after.clone()),
                    ..measure(&format!("definition: {}", c.field))
                })
                .collect());
        }
        // Kept in the history alone: `audit comparability` reads it there beside the values
        // and directions of travel it bears on.
        DomainEvent::BasisChanged {
            kind,
            note,
            restated,
            ..
        } => Change {
            after: Some(note.clone()),
            classification: Some(restated_word(*restated).to_owned()),
            ..measure(&format!("{kind} change"))
        },
        // Kept in the history alone, as a basis change is: `audit refresh` reads the values'
        // versions against the position of the announcement. The classification holds the
        // period of the report the refreshed figure is due for.
        DomainEvent::RefreshAnnounced { due, note, .. } => Change {
            after: Some(note.clone()),
            classification: Some(due.to_string()),
            ..measure("refresh announced")
        },
        DomainEvent::MeasureWithdrawn { from } | DomainEvent::MeasureReinstated { from } => {
            let applies = matches!(event, DomainEvent::MeasureReinstated { .. });
            sqlx::query(
                "INSERT INTO measure_applicability (measure_id, position, first_period, applies) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(at)
            .bind(from.to_string())
            .bind(i64::from(applies))
            .execute(&mut *conn)
            .await?;
            if applies {
                Change {
                    before: Some("withdrawn".into()),
                    after: Some(format!("applies again from {from}")),
                    ..measure("measure reinstated")
                }
            } else {
                Change {
                    before: Some("applies".into()),
                    after: Some(format!("withdrawn from {from}")),
                    ..measure("measure withdrawn")
                }
            }
        }
        DomainEvent::ReportPublished {
            report_id,
            plan_id,
            kind,
            period,
            cut_off,
            meeting,
            published_on,
            rule_set_version,
            sha256,
            parts,
        } => {
            sqlx::query(
                "INSERT INTO reports_published (report_id, plan_id, kind, period, cut_off, meeting, published_on, \
                 rule_set_version, sha256, position, recorded_at, actor_name, parts) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            )
            .bind(report_id.to_string())
            .bind(plan_id.to_string())
            .bind(json(kind).trim_matches('"').to_owned())
            .bind(period.to_string())
            .bind(cut_off.0 as i64)
            .bind(meeting)
            .bind(published_on.to_string())
            .bind(i64::from(*rule_set_version))
            .bind(sha256)
            .bind(at)
            .bind(commit.recorded_at.to_rfc3339())
            .bind(&commit.actor.name)
            .bind(json(parts))
            .execute(&mut *conn)
            .await?;
            Change {
                plan_id: Some(plan_id.to_string()),
                after: Some(format!(
                    "{period} report to {meeting} on {published_on}, built at position {cut_off}, sha256 {sha256}"
                )),
                ..Change::new("report published")
            }
        }
        DomainEvent::ClinicCalled { on, chair } => {
            clinic(conn, commit, id, *on, "called", Some(chair), None).await?;
            Change {
                after: Some(format!("clinic for {on}, chaired by {chair}")),
                ..measure("clinic called")
            }
        }
        DomainEvent::ClinicHeld { on, mandates } => {
            clinic(conn, commit, id, *on, "held", None, Some(&json(mandates))).await?;
            let mandated = mandates
                .iter()
                .map(|m| format!("{} ({}, by {})", m.action, m.owner, m.due_on))
                .collect::<Vec<_>>()
                .join("; ");
            Change {
                after: Some(format!("clinic of {on} held; mandated: {mandated}")),
                ..measure("clinic held")
            }
        }
        DomainEvent::ClinicCancelled { on } => {
            clinic(conn, commit, id, *on, "cancelled", None, None).await?;
            Change {
                after: Some(format!("clinic for {on} cancelled")),
                ..measure("clinic cancelled")
            }
        }
        DomainEvent::MeetingRecorded {
            meeting_id,
            body,
            held_on,
        } => {
            sqlx::query(
                "INSERT INTO meetings (meeting_id, body, held_on, position) VALUES ($1, $2, $3, $4)",
            )
            .bind(meeting_id.to_string())
            .bind(body)
            .bind(held_on.to_string())
            .bind(at)
            .execute(&mut *conn)
            .await?;
            Change {
                after: Some(format!("{body} on {held_on}")),
                ..Change::new("meeting")
            }
        }
        DomainEvent::AgendaItemAdded {
            item,
            title,
            report_id,
            exempt_paragraph,
        } => {
            sqlx::query(
                "INSERT INTO agenda_items (meeting_id, item, title, report_id, exempt_paragraph, position) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(item)
            .bind(title)
            .bind(report_id.map(|r| r.to_string()))
            .bind(exempt_paragraph.map(i64::from))
            .bind(at)
            .execute(&mut *conn)
            .await?;
            let exempt = exempt_paragraph
                .map(|p| format!(" (exempt: Schedule 12A, paragraph {p})"))
                .unwrap_or_default();
            Change {
                after: Some(format!("item {item}: {title}{exempt}")),
                ..Change::new("agenda item")
            }
        }
        DomainEvent::DecisionRecorded { item, decision } => {
            meeting_outcome(conn, commit, id, item, "decision", decision).await?;
            Change {
                after: Some(format!("item {item}: {decision}")),
                ..Change::new("decision")
            }
        }
        DomainEvent::DecisionCalledIn { item, by } => {
            meeting_outcome(conn, commit, id, item, "call-in", by).await?;
            Change {
                after: Some(format!("item {item} called in by {by}")),
                ..Change::new("call-in")
            }
        }
        DomainEvent::ActionRegistered {
            plan,
            objective,
            key_action,
            lead,
            target_date,
            measures,
            ..
        } => {
            let row = ActionRow {
                plan: Some(plan),
                objective: Some(objective),
                key_action: Some(key_action),
                lead: Some(lead),
                target_date: Some(target_date),
                measures: Some(json(measures)),
                ..ActionRow::new("registered")
            };
            action(conn, commit, id, row).await?;
            Change {
                after: Some(format!("{key_action} (lead {lead}, due {target_date})")),
                ..Change::new("action registered")
            }
        }
        DomainEvent::ActionTargetDateMoved { from, to } => {
            let row = ActionRow {
                target_date: Some(to),
                moved_from: Some(from),
                ..ActionRow::new("moved")
            };
            action(conn, commit, id, row).await?;
            Change {
                before: Some(from.clone()),
                after: Some(to.clone()),
                ..Change::new("action target date")
            }
        }
        DomainEvent::ActionRated { rag, arrow } => {
            let row = ActionRow {
                rag: Some(rag.as_str()),
                arrow: arrow.map(|a| a.as_str()),
                ..ActionRow::new("rated")
            };
            action(conn, commit, id, row).await?;
            let arrow = arrow
                .map(|a| format!("{} ", a.symbol()))
                .unwrap_or_default();
            Change {
                after: Some(format!("{arrow}{rag}")),
                ..Change::new("action RAG rating")
            }
        }
        DomainEvent::ActionCompleted { on } => {
            let on = on.to_string();
            let row = ActionRow {
                completed_on: Some(&on),
                ..ActionRow::new("completed")
            };
            action(conn, commit, id, row).await?;
            Change {
                after: Some(format!("completed on {on}")),
                ..Change::new("action completed")
            }
        }
        DomainEvent::ActionTextSet {
            field,
            before,
            after,
        } => {
            let row = ActionRow {
                text: Some(after),
                ..ActionRow::new(field.as_str())
            };
            action(conn, commit, id, row).await?;
            Change {
                before: before.clone(),
                after: Some(after.clone()),
                ..Change::new(&format!("action {field}"))
            }
        }
        DomainEvent::TokenIssued {
            token_id,
            user_id,
            name,
            role,
            directorate,
            secret_sha256,
            expires_on,
        } => {
            sqlx::query(
                "INSERT INTO tokens (token_id, user_id, name, role, directorate, secret_sha256, expires_on, \
                 issued_at, issued_by, issued_position) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(token_id.to_string())
            .bind(user_id)
            .bind(name)
            .bind(role.as_str())
            .bind(directorate)
            .bind(secret_sha256)
            .bind(expires_on.map(|d| d.to_string()))
            .bind(commit.recorded_at.to_rfc3339())
            .bind(&commit.actor.name)
            .bind(at)
            .execute(&mut *conn)
            .await?;
            // The history names the token and whom it is for, never its secret's hash.
            let scope = directorate
                .as_deref()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default();
            let until = expires_on
                .map(|d| format!(", until {d}"))
                .unwrap_or_default();
            Change {
                after: Some(format!(
                    "token {token_id} for {name} ({user_id}) as {role}{scope}{until}"
                )),
                ..Change::new("token issued")
            }
        }
        DomainEvent::AccessRecorded {
            what, measure_ref, ..
        } => Change {
            measure_ref: measure_ref.clone(),
            after: Some(what.clone()),
            ..Change::new("history read")
        },
        // The row in `set_asides` is written when the projector passes over the commit; this
        // is the setting aside itself, in the history at its own position.
        DomainEvent::CommitSetAside {
            position, problem, ..
        } => Change {
            before: Some(format!(
                "commit at position {position} cannot be read: {problem}"
            )),
            after: Some(format!("commit at position {position} set aside")),
            ..Change::new("commit set aside")
        },
        DomainEvent::SigningKeyAdded { key } => Change {
            after: Some(key.clone()),
            ..Change::new("signing key added")
        },
        DomainEvent::SigningKeyRetired { key } => Change {
            before: Some(key.clone()),
            ..Change::new("signing key retired")
        },
        // A checkpoint changes no figure and nobody made it: `verify` and `checkpoint` show
        // them, and a history row every few hundred commits would only bury the changes.
        DomainEvent::CheckpointRecorded { .. } => return Ok(Vec::new()),
        DomainEvent::TokenRevoked { token_id } => {
            sqlx::query("UPDATE tokens SET revoked_position = $1 WHERE token_id = $2")
                .bind(at)
                .bind(token_id.to_string())
                .execute(&mut *conn)
                .await?;
            Change {
                before: Some(format!("token {token_id} valid")),
                after: Some(format!("token {token_id} revoked")),
                ..Change::new("token revoked")
            }
        }
    };
    Ok(vec![change])
}

/// Closes the measure's current definition and records the amended one, so as-at queries
/// read the definition that was current at their position.
async fn amend_definition(
    conn: &mut AnyConnection,
    measure_id: &str,
    position: Position,
    changes: &[FieldChange],
) -> Result<(), ProjectionError> {
    let corrupt = |problem: String| ProjectionError::Corrupt { position, problem };
    let amended: Option<String> = sqlx::query_scalar(
        "SELECT definition FROM measure_definitions_history WHERE measure_id = $1 \
         AND recorded_to_position IS NULL",
    )
    .bind(measure_id)
    .fetch_optional(&mut *conn)
    .await?;
    let current = match amended {
        Some(definition) => definition,
        None => sqlx::query_scalar("SELECT definition FROM measures WHERE measure_id = $1")
            .bind(measure_id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or_else(|| {
                corrupt(format!(
                    "measure {measure_id} is amended before it is defined"
                ))
            })?,
    };
    let mut definition: MeasureDefinition = serde_json::from_str(&current)
        .map_err(|err| corrupt(format!("unreadable measure definition: {err}")))?;
    for change in changes {
        definition
            .set_field(change.field, &change.after)
            .map_err(|err| corrupt(format!("amendment of {}: {err}", change.field)))?;
    }
    sqlx::query(
        "UPDATE measure_definitions_history SET recorded_to_position = $1 WHERE measure_id = $2 \
         AND recorded_to_position IS NULL",
    )
    .bind(position.0 as i64)
    .bind(measure_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO measure_definitions_history (measure_id, definition, recorded_from_position) \
         VALUES ($1, $2, $3)",
    )
    .bind(measure_id)
    .bind(json(&definition))
    .bind(position.0 as i64)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[expect(
    clippy::too_many_arguments,
    reason = "one row of a system-versioned table"
)]
async fn assess(
    conn: &mut AnyConnection,
    batch: &mut Batch,
    measure_id: &str,
    period: &Period,
    kind: &'static str,
    assessed: &str,
    computed: Option<&str>,
    rule_set_version: Option<u32>,
    position: Position,
) -> Result<Option<String>, ProjectionError> {
    let at = position.0 as i64;
    let key = fact(FactTable::Assessments, measure_id, period, Some(kind));
    let closed = batch.facts.close_current(conn, &key, at).await?;
    batch.facts.open(
        key,
        assessed.to_owned(),
        0,
        vec![
            Cell::Text(Some(assessed.to_owned())),
            Cell::Text(computed.map(str::to_owned)),
            Cell::Int(rule_set_version.map(i64::from)),
        ],
        at,
    );
    Ok(closed.map(|(text, _)| text))
}

fn fact(
    table: FactTable,
    measure_id: &str,
    period: &Period,
    kind: Option<&'static str>,
) -> FactKey {
    FactKey {
        table,
        measure_id: measure_id.to_owned(),
        period: period.to_string(),
        kind,
    }
}

/// An assessment as the history view shows it: with the rules' suggestion when the officer
/// decided otherwise.
fn with_suggestion<T: PartialEq + std::fmt::Display>(assessed: &T, computed: &Option<T>) -> String {
    match computed {
        Some(suggested) if suggested != assessed => {
            format!("{assessed} (rules suggested {suggested})")
        }
        _ => assessed.to_string(),
    }
}

/// One decision or call-in on a meeting's agenda item.
async fn meeting_outcome(
    conn: &mut AnyConnection,
    commit: &Commit,
    meeting_id: &str,
    item: &str,
    kind: &str,
    text: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO meeting_outcomes (meeting_id, item, position, kind, text, reason, recorded_at, actor_name) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(meeting_id)
    .bind(item)
    .bind(commit.position.0 as i64)
    .bind(kind)
    .bind(text)
    .bind(commit.reason.clone())
    .bind(commit.recorded_at.to_rfc3339())
    .bind(&commit.actor.name)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The cells of one version of a value (`values_history`'s columns after the key).
fn value_cells(
    value: &RecordedValue,
    quality: &DataQuality,
    revision: i64,
    classification: Option<String>,
) -> Vec<Cell> {
    vec![
        Cell::Text(Some(json(value))),
        Cell::Text(Some(value.raw.clone())),
        Cell::Text(value.amount.map(|a| a.to_string())),
        Cell::Text(Some(quality.quality.as_str().to_owned())),
        Cell::Text(quality.source_system.clone()),
        Cell::Int(Some(revision)),
        Cell::Text(classification),
    ]
}

/// One step of a measure's performance clinic.
/// A period's whole text (a data note, a narrative) rewritten: the version it supersedes is
/// closed and the new one opened at `at`; answers the superseded text.
async fn rewrite(
    conn: &mut AnyConnection,
    batch: &mut Batch,
    table: FactTable,
    (measure_id, period): (&str, &Period),
    text: &str,
    at: i64,
) -> Result<Option<String>, ProjectionError> {
    let key = fact(table, measure_id, period, None);
    let closed = batch.facts.close_current(conn, &key, at).await?;
    batch.facts.open(
        key,
        text.to_owned(),
        0,
        vec![Cell::Text(Some(text.to_owned()))],
        at,
    );
    Ok(closed.map(|(text, _)| text))
}

/// One row of `improvement_actions`: what an action's event says, the rest empty.
struct ActionRow<'a> {
    kind: &'a str,
    plan: Option<&'a str>,
    objective: Option<&'a str>,
    key_action: Option<&'a str>,
    lead: Option<&'a str>,
    target_date: Option<&'a str>,
    moved_from: Option<&'a str>,
    measures: Option<String>,
    completed_on: Option<&'a str>,
    rag: Option<&'a str>,
    arrow: Option<&'a str>,
    text: Option<&'a str>,
}

impl<'a> ActionRow<'a> {
    fn new(kind: &'a str) -> Self {
        Self {
            kind,
            plan: None,
            objective: None,
            key_action: None,
            lead: None,
            target_date: None,
            moved_from: None,
            measures: None,
            completed_on: None,
            rag: None,
            arrow: None,
            text: None,
        }
    }
}

async fn action(
    conn: &mut AnyConnection,
    commit: &Commit,
    action_id: &str,
    row: ActionRow<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        // `seq` numbers an action's rows within one commit (registered, then rated).
        "INSERT INTO improvement_actions (action_id, position, kind, plan, objective, key_action, \
         lead, target_date, moved_from, measures, completed_on, reason, recorded_at, actor_name, \
         rag, arrow, reported_on, text, seq) \
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
         (SELECT COUNT(*) FROM improvement_actions WHERE action_id = $1 AND position = $2)",
    )
    .bind(action_id)
    .bind(commit.position.0 as i64)
    .bind(row.kind)
    .bind(row.plan)
    .bind(row.objective)
    .bind(row.key_action)
    .bind(row.lead)
    .bind(row.target_date)
    .bind(row.moved_from)
    .bind(row.measures)
    .bind(row.completed_on)
    .bind(commit.reason.clone())
    .bind(commit.recorded_at.to_rfc3339())
    .bind(&commit.actor.name)
    .bind(row.rag)
    .bind(row.arrow)
    .bind(commit.reported.as_ref().map(|r| r.on.to_string()))
    .bind(row.text)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn clinic(
    conn: &mut AnyConnection,
    commit: &Commit,
    measure_id: &str,
    called_for: chrono::NaiveDate,
    kind: &str,
    chair: Option<&str>,
    mandates: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO clinics (measure_id, called_for, position, kind, chair, mandates, reason, recorded_at, actor_name) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(measure_id)
    .bind(called_for.to_string())
    .bind(commit.position.0 as i64)
    .bind(kind)
    .bind(chair)
    .bind(mandates)
    .bind(commit.reason.clone())
    .bind(commit.recorded_at.to_rfc3339())
    .bind(&commit.actor.name)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// How the history's classification column marks a definition or source change: whether the
/// figures before it were restated on the new basis.
pub fn restated_word(restated: bool) -> &'static str {
    if restated {
        "restated"
    } else {
        "not restated"
    }
}

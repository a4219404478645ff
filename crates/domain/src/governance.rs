//! Governance records: the meetings a report went to, their agenda items, the decisions taken
//! and any call-in. An item may be considered in exempt session (the press and public
//! excluded under Schedule 12A to the Local Government Act 1972, Part 1, paragraphs 1 to 7);
//! it stays in the log and in every internal view, and public renderings leave it out
//! ([`is_public`]), together with any report it considered ([`report_is_public`]).

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::command::Command;
use crate::decide::{non_empty, Context, Rejection};
use crate::event::DomainEvent;
use crate::ids::{MeetingId, ReportId};

/// The paragraphs of Part 1 of Schedule 12A that make information exempt.
pub const EXEMPT_PARAGRAPHS: std::ops::RangeInclusive<u8> = 1..=7;

/// A meeting as its events describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingState {
    /// The meeting.
    pub meeting_id: MeetingId,
    /// The committee, board or panel.
    pub body: String,
    /// The day it met.
    pub held_on: NaiveDate,
    /// Its agenda items by number as printed ("7").
    pub items: BTreeMap<String, ItemState>,
}

/// An agenda item as its events describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemState {
    /// The Schedule 12A paragraph it was exempt under, if it was considered in exempt session.
    pub exempt_paragraph: Option<u8>,
    /// The report it considered.
    pub report_id: Option<ReportId>,
    /// The decision recorded, as resolved.
    pub decision: Option<String>,
    /// Whether the decision was called in.
    pub called_in: bool,
}

/// Whether an item may appear in a public rendering: not if it was considered in exempt
/// session.
pub fn is_public(exempt_paragraph: Option<u8>) -> bool {
    exempt_paragraph.is_none()
}

/// Whether a published report may appear in a public rendering: not if any meeting
/// considered it in exempt session. `considered_under` lists the exempt paragraph (or none)
/// of every agenda item that considered it.
pub fn report_is_public(considered_under: impl IntoIterator<Item = Option<u8>>) -> bool {
    considered_under.into_iter().all(is_public)
}

/// A new meeting's first event.
pub(crate) fn record_meeting(
    meeting_id: MeetingId,
    body: &str,
    held_on: NaiveDate,
) -> Result<Vec<DomainEvent>, Rejection> {
    non_empty("meeting body", body)?;
    Ok(vec![DomainEvent::MeetingRecorded {
        meeting_id,
        body: body.trim().to_owned(),
        held_on,
    }])
}

/// What `command` does to a recorded meeting.
pub(crate) fn decide_meeting(
    meeting: &MeetingState,
    command: &Command,
    ctx: &Context,
) -> Result<Vec<DomainEvent>, Rejection> {
    let item_of = |item: &str| {
        meeting
            .items
            .get(item.trim())
            .ok_or_else(|| Rejection::Invalid {
                field: "agenda item",
                message: format!(
                    "{} on {} has no item {}; add it first",
                    meeting.body,
                    meeting.held_on,
                    item.trim()
                ),
            })
    };
    match command {
        Command::RecordMeeting { .. } => Err(Rejection::AlreadyExists {
            what: "this meeting",
        }),
        Command::AddAgendaItem {
            item,
            title,
            report_id,
            exempt_paragraph,
        } => {
            non_empty("agenda item", item)?;
            non_empty("item title", title)?;
            if meeting.items.contains_key(item.trim()) {
                return Err(Rejection::Invalid {
                    field: "agenda item",
                    message: format!("item {} is already on the agenda", item.trim()),
                });
            }
            if let Some(paragraph) = exempt_paragraph {
                if !EXEMPT_PARAGRAPHS.contains(paragraph) {
                    return Err(Rejection::Invalid {
                        field: "exempt paragraph",
                        message: format!(
                            "paragraph {paragraph} is not one of Schedule 12A, Part 1 (1 to 7)"
                        ),
                    });
                }
            }
            Ok(vec![DomainEvent::AgendaItemAdded {
                item: item.trim().to_owned(),
                title: title.trim().to_owned(),
                report_id: *report_id,
                exempt_paragraph: *exempt_paragraph,
            }])
        }
        Command::RecordDecision { item, decision } => {
            non_empty("decision", decision)?;
            let state = item_of(item)?;
            match &state.decision {
                Some(current) if current == decision.trim() => Err(Rejection::Invalid {
                    field: "decision",
                    message: format!("item {} already records this decision", item.trim()),
                }),
                Some(_) if ctx.reason().is_none() => Err(Rejection::Invalid {
                    field: "reason",
                    message: "a recorded decision is changed only with a reason (--reason)".into(),
                }),
                _ => Ok(vec![DomainEvent::DecisionRecorded {
                    item: item.trim().to_owned(),
                    decision: decision.trim().to_owned(),
                }]),
            }
        }
        Command::CallInDecision { item, by } => {
            non_empty("called in by", by)?;
            let state = item_of(item)?;
            if state.decision.is_none() {
                return Err(Rejection::Invalid {
                    field: "agenda item",
                    message: format!(
                        "item {} has no decision to call in; record it first",
                        item.trim()
                    ),
                });
            }
            if state.called_in {
                return Err(Rejection::Invalid {
                    field: "agenda item",
                    message: format!("the decision on item {} is already called in", item.trim()),
                });
            }
            if ctx.reason().is_none() {
                return Err(Rejection::Invalid {
                    field: "reason",
                    message: "say why the decision was called in (--reason)".into(),
                });
            }
            Ok(vec![DomainEvent::DecisionCalledIn {
                item: item.trim().to_owned(),
                by: by.trim().to_owned(),
            }])
        }
        other => Err(Rejection::WrongStream {
            command: other.describe(),
            problem: "this stream holds a meeting's record",
        }),
    }
}

/// The meeting after `event`.
pub(crate) fn evolve_meeting(mut meeting: MeetingState, event: &DomainEvent) -> MeetingState {
    match event {
        DomainEvent::AgendaItemAdded {
            item,
            report_id,
            exempt_paragraph,
            ..
        } => {
            meeting.items.insert(
                item.clone(),
                ItemState {
                    exempt_paragraph: *exempt_paragraph,
                    report_id: *report_id,
                    decision: None,
                    called_in: false,
                },
            );
        }
        DomainEvent::DecisionRecorded { item, decision } => {
            if let Some(state) = meeting.items.get_mut(item) {
                state.decision = Some(decision.clone());
            }
        }
        DomainEvent::DecisionCalledIn { item, .. } => {
            if let Some(state) = meeting.items.get_mut(item) {
                state.called_in = true;
            }
        }
        _ => {}
    }
    meeting
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actor::Role;
    use crate::decide::decide;
    use crate::state::{evolve, StreamState};
    use uuid::Uuid;

    fn ctx(role: Role, reason: Option<&str>) -> Context {
        Context {
            role: Some(role),
            reason: reason.map(str::to_owned),
            ..Context::default()
        }
    }

    /// The stream after `commands`, each decided by the performance team with a reason.
    fn given(commands: &[Command]) -> StreamState {
        let mut state = StreamState::Empty;
        for command in commands {
            for event in decide(&state, command, &ctx(Role::Performance, Some("setup"))).unwrap() {
                state = evolve(state, &event, "setup");
            }
        }
        state
    }

    fn meeting() -> Command {
        Command::RecordMeeting {
            meeting_id: MeetingId(Uuid::from_u128(7)),
            body: "Cabinet".into(),
            held_on: NaiveDate::from_ymd_opt(2010, 7, 13).unwrap(),
        }
    }

    fn item(number: &str, exempt: Option<u8>) -> Command {
        Command::AddAgendaItem {
            item: number.into(),
            title: "Notice to Improve".into(),
            report_id: None,
            exempt_paragraph: exempt,
        }
    }

    fn decision(text: &str) -> Command {
        Command::RecordDecision {
            item: "9".into(),
            decision: text.into(),
        }
    }

    fn call_in() -> Command {
        Command::CallInDecision {
            item: "9".into(),
            by: "Councillor Steele".into(),
        }
    }

    #[test]
    fn an_item_is_exempt_only_under_a_paragraph_of_schedule_12a() {
        let state = given(&[meeting()]);
        let team = ctx(Role::Performance, None);
        assert!(decide(&state, &item("9", Some(3)), &team).is_ok());
        for paragraph in [0, 8] {
            assert!(matches!(
                decide(&state, &item("9", Some(paragraph)), &team),
                Err(Rejection::Invalid {
                    field: "exempt paragraph",
                    ..
                })
            ));
        }
        let state = given(&[meeting(), item("9", Some(3))]);
        assert!(
            decide(&state, &item("9", None), &team).is_err(),
            "already on the agenda"
        );
        assert!(decide(&state, &meeting(), &team).is_err(), "recorded once");
        assert!(
            decide(&StreamState::Empty, &item("9", None), &team).is_err(),
            "no meeting yet"
        );
        // Officers, approvers and auditors do not keep the governance record.
        for role in [Role::Officer, Role::Approver, Role::Auditor] {
            assert!(decide(&state, &decision("Noted."), &ctx(role, Some("r"))).is_err());
        }
    }

    #[test]
    fn a_decision_changed_or_called_in_carries_a_reason() {
        let team = ctx(Role::Performance, None);
        let with_reason = ctx(Role::Performance, Some("referred by three members"));
        let state = given(&[meeting(), item("9", None)]);
        assert!(
            decide(&state, &call_in(), &with_reason).is_err(),
            "no decision yet"
        );
        assert!(decide(&state, &decision("Noted."), &team).is_ok());
        let state = given(&[meeting(), item("9", None), decision("Noted.")]);
        assert!(
            decide(&state, &decision("Noted."), &with_reason).is_err(),
            "unchanged"
        );
        assert!(
            decide(&state, &decision("Deferred."), &team).is_err(),
            "no reason"
        );
        assert!(decide(&state, &decision("Deferred."), &with_reason).is_ok());
        assert!(decide(&state, &call_in(), &team).is_err(), "no reason");
        assert_eq!(
            decide(&state, &call_in(), &with_reason).unwrap(),
            [DomainEvent::DecisionCalledIn {
                item: "9".into(),
                by: "Councillor Steele".into(),
            }]
        );
        let state = given(&[meeting(), item("9", None), decision("Noted."), call_in()]);
        assert!(
            decide(&state, &call_in(), &with_reason).is_err(),
            "called in once"
        );
    }

    #[test]
    fn public_renderings_leave_out_exempt_items_and_their_reports() {
        assert!(is_public(None));
        assert!(!is_public(Some(3)));
        assert!(report_is_public([None, None]));
        assert!(report_is_public([]));
        assert!(!report_is_public([None, Some(1)]));
    }
}

//! Improvement actions: the key actions of an improvement plan (the 2010 Notice to Improve
//! action plan, a directorate's improvement plan named in a scorecard's narrative), each with
//! its objective, lead, target date and the measures it is meant to improve. A target date
//! that moves keeps its history, with the reason where one was given ("June 2010" → "October
//! 2010", question 16); an action recorded for an off-target measure is what the data notes
//! column asks for ("provide details of what is being done to improve performance",
//! question 18).

use chrono::NaiveDate;

use crate::command::Command;
use crate::decide::{non_empty, Rejection};
use crate::event::DomainEvent;
use crate::ids::ActionId;
use crate::measure::text_enum;
use crate::measure_ref::MeasureRef;
use crate::status::{Direction, Rag};

/// An improvement action as its events describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionState {
    /// The action.
    pub action_id: ActionId,
    /// Its target date as the plan prints it ("June 2010").
    pub target_date: String,
    /// The day it was completed, once it was.
    pub completed_on: Option<NaiveDate>,
    /// Its current RAG rating and arrow, once rated.
    pub rating: Option<(Rag, Option<Direction>)>,
    /// Its baseline as the plan prints it, once set.
    pub baseline: Option<String>,
    /// Its targets as the plan prints them, once set.
    pub targets: Option<String>,
    /// The workstream it belongs to, once set.
    pub workstream: Option<String>,
}

text_enum!(
    /// A text of an action's row in the plan that later updates may reword.
    ActionText {
        /// Where it started ("NFA Contacts and Referrals 1.4.2009 to 9.12.2009 33.18%").
        Baseline => "baseline",
        /// What it aims at ("10% reduction in overall contact and referrals which result in
        /// NFA by March 2010").
        Targets => "targets",
        /// The workstream it belongs to ("Social Work").
        Workstream => "workstream",
    }
);

impl ActionState {
    /// The text as it stands, if set.
    pub fn text(&self, field: ActionText) -> Option<&str> {
        match field {
            ActionText::Baseline => self.baseline.as_deref(),
            ActionText::Targets => self.targets.as_deref(),
            ActionText::Workstream => self.workstream.as_deref(),
        }
    }
}

/// What registering an action records.
pub struct Registration<'a> {
    /// The action.
    pub action_id: ActionId,
    /// The plan it belongs to.
    pub plan: &'a str,
    /// The objective it serves.
    pub objective: &'a str,
    /// The key action.
    pub key_action: &'a str,
    /// Who leads it.
    pub lead: &'a str,
    /// When it is due, as printed.
    pub target_date: &'a str,
    /// The measures it is meant to improve.
    pub measures: &'a [MeasureRef],
}

/// A new action's first event.
pub(crate) fn register(r: Registration<'_>) -> Result<Vec<DomainEvent>, Rejection> {
    non_empty("plan", r.plan)?;
    non_empty("objective", r.objective)?;
    non_empty("key action", r.key_action)?;
    non_empty("lead", r.lead)?;
    non_empty("target date", r.target_date)?;
    let mut measures = r.measures.to_vec();
    measures.sort();
    measures.dedup();
    Ok(vec![DomainEvent::ActionRegistered {
        action_id: r.action_id,
        plan: r.plan.trim().to_owned(),
        objective: r.objective.trim().to_owned(),
        key_action: r.key_action.trim().to_owned(),
        lead: r.lead.trim().to_owned(),
        target_date: r.target_date.trim().to_owned(),
        measures,
    }])
}

/// What `command` does to a registered action. A target date may move without a reason
/// (the 2010 updates moved them silently); the history then says none was given.
pub(crate) fn decide_action(
    action: &ActionState,
    command: &Command,
) -> Result<Vec<DomainEvent>, Rejection> {
    if let Some(on) = action.completed_on {
        return Err(Rejection::Invalid {
            field: "action",
            message: format!("the action was completed on {on}; register a new one"),
        });
    }
    match command {
        Command::RegisterAction { .. } => Err(Rejection::AlreadyExists {
            what: "this action",
        }),
        Command::MoveActionTargetDate { to } => {
            non_empty("target date", to)?;
            let to = to.trim();
            if to == action.target_date {
                return Err(Rejection::Invalid {
                    field: "target date",
                    message: format!("the action is already due {to}"),
                });
            }
            Ok(vec![DomainEvent::ActionTargetDateMoved {
                from: action.target_date.clone(),
                to: to.to_owned(),
            }])
        }
        Command::RateAction { rag, arrow } => {
            if action.rating == Some((*rag, *arrow)) {
                return Err(Rejection::Invalid {
                    field: "RAG rating",
                    message: format!("the action is already rated {rag}; nothing to change"),
                });
            }
            Ok(vec![DomainEvent::ActionRated {
                rag: *rag,
                arrow: *arrow,
            }])
        }
        Command::CompleteAction { on } => Ok(vec![DomainEvent::ActionCompleted { on: *on }]),
        Command::SetActionText { field, text } => {
            non_empty(field.as_str(), text)?;
            let text = text.trim();
            let before = action.text(*field);
            if before == Some(text) {
                return Err(Rejection::Invalid {
                    field: field.as_str(),
                    message: format!("the action's {field} already reads so; nothing to change"),
                });
            }
            Ok(vec![DomainEvent::ActionTextSet {
                field: *field,
                before: before.map(str::to_owned),
                after: text.to_owned(),
            }])
        }
        other => Err(Rejection::WrongStream {
            command: other.describe(),
            problem: "this stream holds an improvement action",
        }),
    }
}

/// The action after `event`.
pub(crate) fn evolve_action(mut action: ActionState, event: &DomainEvent) -> ActionState {
    match event {
        DomainEvent::ActionTargetDateMoved { to, .. } => action.target_date = to.clone(),
        DomainEvent::ActionCompleted { on } => action.completed_on = Some(*on),
        DomainEvent::ActionRated { rag, arrow } => action.rating = Some((*rag, *arrow)),
        DomainEvent::ActionTextSet { field, after, .. } => match field {
            ActionText::Baseline => action.baseline = Some(after.clone()),
            ActionText::Targets => action.targets = Some(after.clone()),
            ActionText::Workstream => action.workstream = Some(after.clone()),
        },
        _ => {}
    }
    action
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::state::{evolve, StreamState};

    fn id() -> ActionId {
        ActionId(Uuid::from_u128(7))
    }

    fn registered() -> StreamState {
        let refs = [MeasureRef::parse("1.C4 (b)").unwrap()];
        let events = register(Registration {
            action_id: id(),
            plan: "CYPS Improvement Plan",
            objective: "Assess CAMHS referrals within 3 weeks",
            key_action: "Appoint additional CAMHS staff",
            lead: "Mel Meggs",
            target_date: "March 2017",
            measures: &refs,
        })
        .unwrap();
        events
            .iter()
            .fold(StreamState::Empty, |s, e| evolve(s, e, "setup"))
    }

    fn action(state: &StreamState) -> &ActionState {
        match state {
            StreamState::Action(action) => action,
            other => panic!("not an action: {other:?}"),
        }
    }

    #[test]
    fn a_text_is_set_then_reworded_with_what_it_said_and_not_set_again_alike() {
        let set = |text: &str| Command::SetActionText {
            field: ActionText::Targets,
            text: text.into(),
        };
        let state = registered();
        let first = decide_action(action(&state), &set(" 10% reduction in NFA ")).unwrap();
        assert_eq!(
            first,
            [DomainEvent::ActionTextSet {
                field: ActionText::Targets,
                before: None,
                after: "10% reduction in NFA".into(),
            }]
        );
        let state = evolve(state, &first[0], "set");
        assert!(decide_action(action(&state), &set("10% reduction in NFA")).is_err());
        assert!(decide_action(action(&state), &set("  ")).is_err());
        let reworded = decide_action(action(&state), &set("reduction in NFA")).unwrap();
        assert_eq!(
            reworded,
            [DomainEvent::ActionTextSet {
                field: ActionText::Targets,
                before: Some("10% reduction in NFA".into()),
                after: "reduction in NFA".into(),
            }]
        );
        assert_eq!(action(&state).text(ActionText::Baseline), None);
    }

    #[test]
    fn a_target_date_moves_once_to_a_new_date_and_not_after_completion() {
        let state = registered();
        let moved = decide_action(
            action(&state),
            &Command::MoveActionTargetDate {
                to: " October 2010 ".into(),
            },
        )
        .unwrap();
        assert_eq!(
            moved,
            [DomainEvent::ActionTargetDateMoved {
                from: "March 2017".into(),
                to: "October 2010".into()
            }]
        );
        let state = evolve(state, &moved[0], "someone");
        let again = decide_action(
            action(&state),
            &Command::MoveActionTargetDate {
                to: "October 2010".into(),
            },
        );
        assert!(matches!(again, Err(Rejection::Invalid { .. })), "{again:?}");
        let on = NaiveDate::from_ymd_opt(2010, 8, 20).unwrap();
        let done = decide_action(action(&state), &Command::CompleteAction { on }).unwrap();
        let state = evolve(state, &done[0], "someone");
        assert_eq!(action(&state).completed_on, Some(on));
        let late = decide_action(
            action(&state),
            &Command::MoveActionTargetDate {
                to: "March 2011".into(),
            },
        );
        assert!(matches!(late, Err(Rejection::Invalid { .. })), "{late:?}");
    }

    #[test]
    fn an_action_is_rated_with_its_arrow_and_not_twice_alike() {
        let state = registered();
        let rate = |rag, arrow| Command::RateAction { rag, arrow };
        let rated =
            decide_action(action(&state), &rate(Rag::Amber, Some(Direction::Improved))).unwrap();
        let state = evolve(state, &rated[0], "someone");
        assert_eq!(
            action(&state).rating,
            Some((Rag::Amber, Some(Direction::Improved)))
        );
        let again = decide_action(action(&state), &rate(Rag::Amber, Some(Direction::Improved)));
        assert!(matches!(again, Err(Rejection::Invalid { .. })), "{again:?}");
        assert!(decide_action(action(&state), &rate(Rag::Amber, Some(Direction::Stable))).is_ok());
    }

    #[test]
    fn an_action_needs_its_plan_objective_key_action_lead_and_date() {
        let refused = register(Registration {
            action_id: id(),
            plan: "Plan",
            objective: "Objective",
            key_action: " ",
            lead: "Lead",
            target_date: "June 2010",
            measures: &[],
        });
        assert!(
            matches!(
                refused,
                Err(Rejection::Invalid {
                    field: "key action",
                    ..
                })
            ),
            "{refused:?}"
        );
    }
}

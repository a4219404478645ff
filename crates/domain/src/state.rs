//! State rebuilt by folding a stream's events (`evolve`). Only what `decide` needs to
//! validate commands lives here; read models are the projections' business.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::event::DomainEvent;
use crate::ids::{MeasureId, PlanId, Position, TokenId};
use crate::lifecycle::Applicability;
use crate::measure::MeasureDefinition;
use crate::period::Period;
use crate::rules::RuleSet;
use crate::status::{Direction, Rag, Status, StatusScheme};
use crate::target::TargetSpec;
use crate::value::{DataQuality, RecordedValue, RevisionClass};

/// A plan as its events describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanState {
    /// The plan.
    pub plan_id: PlanId,
    /// Its name.
    pub name: String,
    /// Its financial year.
    pub financial_year: Period,
    /// Its status scheme.
    pub status_scheme: StatusScheme,
    /// Priorities by number.
    pub priorities: BTreeMap<u8, String>,
    /// Outcomes by (priority, letter).
    pub outcomes: BTreeMap<(u8, String), String>,
    /// The rules in force.
    pub rule_set: RuleSet,
    /// Locked periods.
    pub locked: std::collections::BTreeSet<Period>,
}

/// A measure as its events describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeasureState {
    /// The measure.
    pub measure_id: MeasureId,
    /// What it is.
    pub definition: MeasureDefinition,
    /// Accountability assignments by start date.
    pub accountability: BTreeMap<NaiveDate, String>,
    /// Targets by financial year.
    pub targets: BTreeMap<Period, TargetSpec>,
    /// Current values by period.
    pub values: BTreeMap<Period, RecordedValue>,
    /// The current value's quality flags and, if it was revised, why, by period.
    pub value_quality: BTreeMap<Period, (DataQuality, Option<RevisionClass>)>,
    /// Current status assessments by period.
    pub statuses: BTreeMap<Period, Status>,
    /// Current RAG ratings by period.
    pub rags: BTreeMap<Period, Rag>,
    /// Current directions of travel by period.
    pub directions: BTreeMap<Period, Direction>,
    /// Current data notes by period.
    pub commentary: BTreeMap<Period, String>,
    /// Current report narratives by period.
    pub narratives: BTreeMap<Period, String>,
    /// Who entered each period's current value, and who signed it off.
    pub value_makers: BTreeMap<Period, Maker>,
    /// Who wrote each period's current data note, and who approved it.
    pub note_makers: BTreeMap<Period, Maker>,
    /// Its withdrawals and reinstatements, in log order ([`crate::lifecycle`]).
    pub applicability: Vec<Applicability>,
    /// Its performance clinics by the day each was called for.
    pub clinics: BTreeMap<NaiveDate, crate::clinic::ClinicState>,
}

/// Who made the current version of a value or a note, and who checked it (maker–checker).
/// Every new version starts unchecked: a sign-off is of one version, not of the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Maker {
    /// The id of the actor who entered the current version.
    pub actor: String,
    /// 0 for the first version, n after n changes.
    pub revision: u32,
    /// The id of the actor who signed off (or approved) the current version, if anyone has.
    pub checked_by: Option<String>,
}

impl Maker {
    fn next(previous: Option<&Maker>, actor: &str) -> Maker {
        Maker {
            actor: actor.to_owned(),
            revision: previous.map_or(0, |m| m.revision + 1),
            checked_by: None,
        }
    }
}

/// The state of one stream.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum StreamState {
    /// Nothing has been written to the stream.
    #[default]
    Empty,
    /// A plan stream.
    Plan(PlanState),
    /// A measure stream.
    Measure(Box<MeasureState>),
    /// A report stream, holding its publication.
    Report(Box<DomainEvent>),
    /// A meeting's record.
    Meeting(Box<crate::governance::MeetingState>),
    /// An improvement action.
    Action(Box<crate::improvement::ActionState>),
    /// An API token stream.
    Token(TokenState),
    /// The setting aside of the unreadable commit at this position.
    SetAside(Position),
    /// The log's signing keys: the public keys it signs with now.
    SigningKeys(Vec<String>),
    /// The log's checkpoints (how many were recorded).
    Checkpoints(u64),
}

/// An API token as its events describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenState {
    /// The token.
    pub token_id: TokenId,
    /// The user it stands for.
    pub user_id: String,
    /// Whether it has been revoked.
    pub revoked: bool,
}

/// Folds one event into the state of its stream. `actor` is the id of the actor on the
/// event's commit: maker–checker rules need to know who entered what, and the envelope, not
/// the event, says who.
pub fn evolve(state: StreamState, event: &DomainEvent, actor: &str) -> StreamState {
    match (state, event) {
        (
            StreamState::Empty,
            DomainEvent::PlanDefined {
                plan_id,
                name,
                financial_year,
                status_scheme,
                ..
            },
        ) => StreamState::Plan(PlanState {
            plan_id: *plan_id,
            name: name.clone(),
            financial_year: *financial_year,
            status_scheme: *status_scheme,
            priorities: BTreeMap::new(),
            outcomes: BTreeMap::new(),
            rule_set: RuleSet::default(),
            locked: std::collections::BTreeSet::new(),
        }),
        (StreamState::Plan(mut plan), event) => {
            match event {
                DomainEvent::PriorityDefined { number, title } => {
                    plan.priorities.insert(*number, title.clone());
                }
                DomainEvent::OutcomeDefined {
                    priority,
                    letter,
                    title,
                } => {
                    plan.outcomes
                        .insert((*priority, letter.clone()), title.clone());
                }
                DomainEvent::RuleSetDefined { rule_set } => plan.rule_set = rule_set.clone(),
                DomainEvent::PeriodLocked { period } => {
                    plan.locked.insert(*period);
                }
                DomainEvent::PeriodReopened { period } => {
                    plan.locked.remove(period);
                }
                _ => {}
            }
            StreamState::Plan(plan)
        }
        (
            StreamState::Empty,
            DomainEvent::MeasureDefined {
                measure_id,
                definition,
            },
        ) => StreamState::Measure(Box::new(MeasureState {
            measure_id: *measure_id,
            definition: definition.clone(),
            accountability: BTreeMap::new(),
            targets: BTreeMap::new(),
            values: BTreeMap::new(),
            value_quality: BTreeMap::new(),
            clinics: BTreeMap::new(),
            statuses: BTreeMap::new(),
            rags: BTreeMap::new(),
            directions: BTreeMap::new(),
            commentary: BTreeMap::new(),
            narratives: BTreeMap::new(),
            value_makers: BTreeMap::new(),
            note_makers: BTreeMap::new(),
            applicability: Vec::new(),
        })),
        (StreamState::Measure(mut measure), event) => {
            match event {
                DomainEvent::LeadAccountabilityAssigned {
                    person,
                    effective_from,
                } => {
                    measure
                        .accountability
                        .insert(*effective_from, person.clone());
                }
                DomainEvent::TargetSet { period, target }
                | DomainEvent::TargetChanged {
                    period,
                    new: target,
                    ..
                } => {
                    measure.targets.insert(*period, target.clone());
                }
                DomainEvent::ValueRecorded {
                    period,
                    value,
                    quality,
                } => {
                    measure.values.insert(*period, value.clone());
                    measure
                        .value_quality
                        .insert(*period, (quality.clone(), None));
                    let maker = Maker::next(measure.value_makers.get(period), actor);
                    measure.value_makers.insert(*period, maker);
                }
                DomainEvent::ValueRevised {
                    period,
                    new: value,
                    classification,
                    quality,
                    ..
                } => {
                    measure.values.insert(*period, value.clone());
                    measure
                        .value_quality
                        .insert(*period, (quality.clone(), Some(*classification)));
                    let maker = Maker::next(measure.value_makers.get(period), actor);
                    measure.value_makers.insert(*period, maker);
                }
                // The figure is unchanged, so its maker and any sign-off of it stand.
                DomainEvent::ValueConfirmed {
                    period,
                    quality,
                    classification,
                    ..
                } => {
                    measure
                        .value_quality
                        .insert(*period, (quality.clone(), *classification));
                }
                DomainEvent::ValueSignedOff { period, revision } => {
                    if let Some(maker) = measure.value_makers.get_mut(period) {
                        // A sign-off of an older revision does not check the current one.
                        if maker.revision == *revision {
                            maker.checked_by = Some(actor.to_owned());
                        }
                    }
                }
                DomainEvent::CommentaryApproved { period } => {
                    if let Some(maker) = measure.note_makers.get_mut(period) {
                        maker.checked_by = Some(actor.to_owned());
                    }
                }
                DomainEvent::MeasureAmended { changes } => {
                    for change in changes {
                        // `decide` stored `after` in normal form, so it sets; a change that
                        // no longer parses is left out rather than guessed at.
                        let _ = measure.definition.set_field(change.field, &change.after);
                    }
                }
                DomainEvent::MeasureWithdrawn { from } => {
                    measure.applicability.push(Applicability {
                        from: *from,
                        applies: false,
                    });
                }
                DomainEvent::MeasureReinstated { from } => {
                    measure.applicability.push(Applicability {
                        from: *from,
                        applies: true,
                    });
                }
                DomainEvent::StatusAssessed { period, status, .. } => {
                    measure.statuses.insert(*period, *status);
                }
                DomainEvent::ClinicCalled { on, .. } => {
                    measure
                        .clinics
                        .insert(*on, crate::clinic::ClinicState::Called);
                }
                DomainEvent::ClinicHeld { on, .. } => {
                    measure
                        .clinics
                        .insert(*on, crate::clinic::ClinicState::Held);
                }
                DomainEvent::ClinicCancelled { on } => {
                    measure
                        .clinics
                        .insert(*on, crate::clinic::ClinicState::Cancelled);
                }
                DomainEvent::RagAssessed { period, rag, .. } => {
                    measure.rags.insert(*period, *rag);
                }
                DomainEvent::DirectionAssessed {
                    period, direction, ..
                } => {
                    measure.directions.insert(*period, *direction);
                }
                DomainEvent::CommentaryEdited { period, text } => {
                    measure.commentary.insert(*period, text.clone());
                    let maker = Maker::next(measure.note_makers.get(period), actor);
                    measure.note_makers.insert(*period, maker);
                }
                DomainEvent::NarrativeEdited { period, text } => {
                    measure.narratives.insert(*period, text.clone());
                }
                _ => {}
            }
            StreamState::Measure(measure)
        }
        (
            StreamState::Empty,
            DomainEvent::MeetingRecorded {
                meeting_id,
                body,
                held_on,
            },
        ) => StreamState::Meeting(Box::new(crate::governance::MeetingState {
            meeting_id: *meeting_id,
            body: body.clone(),
            held_on: *held_on,
            items: BTreeMap::new(),
        })),
        (StreamState::Meeting(meeting), event) => {
            StreamState::Meeting(Box::new(crate::governance::evolve_meeting(*meeting, event)))
        }
        (
            StreamState::Empty,
            DomainEvent::ActionRegistered {
                action_id,
                target_date,
                ..
            },
        ) => StreamState::Action(Box::new(crate::improvement::ActionState {
            action_id: *action_id,
            target_date: target_date.clone(),
            completed_on: None,
            rating: None,
            baseline: None,
            targets: None,
            workstream: None,
        })),
        (StreamState::Action(action), event) => {
            StreamState::Action(Box::new(crate::improvement::evolve_action(*action, event)))
        }
        (StreamState::Empty, published @ DomainEvent::ReportPublished { .. }) => {
            StreamState::Report(Box::new(published.clone()))
        }
        (
            StreamState::Empty,
            DomainEvent::TokenIssued {
                token_id, user_id, ..
            },
        ) => StreamState::Token(TokenState {
            token_id: *token_id,
            user_id: user_id.clone(),
            revoked: false,
        }),
        (StreamState::Empty, DomainEvent::CommitSetAside { position, .. }) => {
            StreamState::SetAside(*position)
        }
        (StreamState::Empty, DomainEvent::SigningKeyAdded { key }) => {
            StreamState::SigningKeys(vec![key.clone()])
        }
        (StreamState::SigningKeys(mut keys), DomainEvent::SigningKeyAdded { key }) => {
            keys.push(key.clone());
            StreamState::SigningKeys(keys)
        }
        (StreamState::SigningKeys(mut keys), DomainEvent::SigningKeyRetired { key }) => {
            keys.retain(|active| active != key);
            StreamState::SigningKeys(keys)
        }
        (StreamState::Empty, DomainEvent::CheckpointRecorded { .. }) => StreamState::Checkpoints(1),
        (StreamState::Checkpoints(n), DomainEvent::CheckpointRecorded { .. }) => {
            StreamState::Checkpoints(n + 1)
        }
        (StreamState::Token(mut token), DomainEvent::TokenRevoked { .. }) => {
            token.revoked = true;
            StreamState::Token(token)
        }
        (state, _) => state,
    }
}

impl MeasureState {
    /// Whether the measure applies in `period` (not withdrawn then).
    pub fn applies_in(&self, period: &Period) -> bool {
        crate::lifecycle::applies_in(&self.applicability, period)
    }

    /// What `rules` suggest for `period` from what the measure holds now: a status against the
    /// year's target (`None` when the rules cannot decide) and a direction of travel against
    /// the previous period. Stored beside the officer's assessment, never instead of it.
    pub fn suggestions(
        &self,
        rules: &crate::rules::RuleSet,
        period: &Period,
    ) -> (Option<Status>, Direction) {
        let year = Period::financial_year(period.financial_year_of());
        let target = self.targets.get(&year).map(|t| t.for_period(period));
        let value = self.values.get(period).and_then(|v| v.amount);
        let previous = previous_observation(&self.values, period).and_then(|v| v.amount);
        let polarity = self.definition.polarity;
        (
            rules
                .suggest_status(target, value, polarity)
                .map(|s| s.value),
            rules.suggest_direction(previous, value, polarity, target),
        )
    }
}

/// What a direction of travel for `period` compares with: the period before it of the same
/// kind (Q3 → Q2), or, for a year so far, the latest earlier observation of the same year (the
/// figure as at 20 August against the one as at 13 July), when one is recorded.
pub fn previous_observation<'a, V>(
    values: &'a BTreeMap<Period, V>,
    period: &Period,
) -> Option<&'a V> {
    match *period {
        // Periods sort longest first among those that start together, so the latest earlier
        // observation is looked for, not taken from the map's order.
        Period::YearToDate { fy, through } => values
            .iter()
            .filter_map(|(earlier, value)| match *earlier {
                Period::YearToDate {
                    fy: year,
                    through: day,
                } if year == fy && day < through => Some((day, value)),
                _ => None,
            })
            .max_by_key(|(day, _)| *day)
            .map(|(_, value)| value),
        _ => values.get(&period.previous()),
    }
}

impl StreamState {
    /// The plan, if this is a plan stream.
    pub fn plan(&self) -> Option<&PlanState> {
        match self {
            StreamState::Plan(plan) => Some(plan),
            _ => None,
        }
    }

    /// The measure, if this is a measure stream.
    pub fn measure(&self) -> Option<&MeasureState> {
        match self {
            StreamState::Measure(measure) => Some(measure),
            _ => None,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests_support {
    use std::collections::BTreeMap;

    use uuid::Uuid;

    use super::MeasureState;
    use crate::ids::{MeasureId, PlanId};
    use crate::measure::{Frequency, MeasureDefinition, Polarity, ValueKind};
    use crate::measure_ref::MeasureRef;
    use crate::status::StatusScheme;

    /// A measure with nothing recorded.
    pub(crate) fn measure() -> MeasureState {
        MeasureState {
            measure_id: MeasureId(Uuid::from_u128(2)),
            definition: MeasureDefinition {
                plan_id: PlanId(Uuid::from_u128(1)),
                measure_ref: MeasureRef::parse("3.A1").unwrap(),
                ref_as_printed: "3.A1".into(),
                priority: 3,
                outcome: "A".into(),
                action: "Anti-social behaviour".into(),
                title: "Reported anti-social behaviour".into(),
                priority_measure: false,
                lead_officer: "Karen Hanson".into(),
                directorate: "Regeneration and Environment".into(),
                lead_accountability: "Damien Wilson".into(),
                polarity: Polarity::Low,
                polarity_text: "Low".into(),
                frequency: Frequency::Quarterly,
                frequency_text: "Quarterly".into(),
                value_kind: ValueKind::PointInTime,
                status_scheme: StatusScheme::Corporate2016,
                baseline: String::new(),
            },
            accountability: BTreeMap::new(),
            targets: BTreeMap::new(),
            values: BTreeMap::new(),
            value_quality: BTreeMap::new(),
            statuses: BTreeMap::new(),
            rags: BTreeMap::new(),
            directions: BTreeMap::new(),
            commentary: BTreeMap::new(),
            narratives: BTreeMap::new(),
            value_makers: BTreeMap::new(),
            note_makers: BTreeMap::new(),
            applicability: Vec::new(),
            clinics: BTreeMap::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::previous_observation;
    use crate::Period;

    #[test]
    fn a_year_so_far_compares_with_the_latest_earlier_observation_of_its_year() {
        let p = |s: &str| Period::parse(s).unwrap();
        let values: BTreeMap<Period, &str> = [
            (p("2009/10 to 20 Aug 2009"), "a year before"),
            (p("2010/11 to 7 May 2010"), "41.3%"),
            (p("2010/11 to 13 Jul 2010"), "62.63%"),
            (p("2010/11 to 17 May 2010"), "52.15%"),
            (p("Q1 Apr - Jun 2010"), "a quarter"),
            (p("2010/11 to 20 Aug 2010"), "79.74%"),
        ]
        .into_iter()
        .collect();
        let before = |s: &str| previous_observation(&values, &p(s)).copied();
        assert_eq!(before("2010/11 to 20 Aug 2010"), Some("62.63%"));
        assert_eq!(before("2010/11 to 13 Jul 2010"), Some("52.15%"));
        assert_eq!(
            before("2010/11 to 7 May 2010"),
            None,
            "the first of its year"
        );
        assert_eq!(before("Q2 Jul - Sep 2010"), Some("a quarter"));
    }
}

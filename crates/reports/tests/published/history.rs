//! The generated histories: changes to the three measures of the 2016/17 plan, period locks
//! and reopenings, and publications, each by a performance officer or a lead officer, with a
//! reason, a blank one or none.

use proptest::prelude::*;
use proptest::sample::Index;
use scoreledger_domain::target::TargetSpec;
use scoreledger_domain::{
    Command, DataQuality, Direction, Period, RecordedValue, RevisionClass, Status,
};

/// The financial year every generated period falls in.
pub(crate) const YEAR: i32 = 2016;

/// How many measures the plan has.
pub(crate) const MEASURES: usize = 3;

/// Who issues a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Who {
    /// The performance team: may lock, reopen, and change a locked period with a reason.
    Performance,
    /// A lead officer: may change open periods only.
    Officer,
}

/// The reason given with a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reason {
    /// No reason at all.
    None,
    /// Whitespace only, which the domain must treat as no reason.
    Blank,
    /// A real reason.
    Given,
}

impl Reason {
    pub(crate) fn text(self) -> Option<String> {
        match self {
            Reason::None => None,
            Reason::Blank => Some("   ".to_owned()),
            Reason::Given => Some("figures refreshed from the source system".to_owned()),
        }
    }

    pub(crate) fn counts(self) -> bool {
        self == Reason::Given
    }
}

/// A period a measure change is about: a quarter of 2016/17, or a month inside one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    Quarter(u8),
    Month { quarter: u8, index: usize },
}

impl Slot {
    pub(crate) fn period(self) -> Period {
        match self {
            Slot::Quarter(q) => quarter(q),
            Slot::Month { quarter: q, index } => quarter(q).months()[index],
        }
    }

    /// The quarter the slot lies in, which is what a lock covers.
    pub(crate) fn quarter(self) -> u8 {
        match self {
            Slot::Quarter(q) | Slot::Month { quarter: q, .. } => q,
        }
    }
}

pub(crate) fn quarter(q: u8) -> Period {
    Period::quarter(YEAR, q)
}

/// What a step does.
#[derive(Debug, Clone)]
pub(crate) enum Action {
    Record {
        measure: usize,
        slot: Slot,
        amount: u8,
    },
    /// Revises one of the values recorded so far, chosen by `which` when the step runs:
    /// a revision of a random period would almost always find nothing to revise.
    Revise {
        which: Index,
        amount: u8,
        classification: RevisionClass,
    },
    Target {
        measure: usize,
        percent: u8,
    },
    Status {
        measure: usize,
        slot: Slot,
        status: Status,
    },
    Direction {
        measure: usize,
        slot: Slot,
        direction: Direction,
    },
    Note {
        measure: usize,
        slot: Slot,
        text: u8,
    },
    Lock {
        quarter: u8,
    },
    /// Reopens one of the quarters locked so far, chosen by `which` when the step runs: a
    /// random quarter would seldom be locked.
    Reopen {
        which: Index,
    },
    Publish {
        quarter: u8,
    },
}

/// One generated step of a history.
#[derive(Debug, Clone)]
pub(crate) struct Step {
    pub(crate) action: Action,
    pub(crate) who: Who,
    pub(crate) reason: Reason,
}

fn slot() -> impl Strategy<Value = Slot> {
    // Mostly quarters, so that revisions and reassessments often find something to change.
    prop_oneof![
        3 => (1..=4u8).prop_map(Slot::Quarter),
        1 => (1..=4u8, 0..3usize).prop_map(|(quarter, index)| Slot::Month { quarter, index }),
    ]
}

fn action() -> impl Strategy<Value = Action> {
    let m = 0..MEASURES;
    let q = 1..=4u8;
    // Small amounts, so that a revision to the value already there (Unchanged) happens too.
    prop_oneof![
        3 => (m.clone(), slot(), 0..12u8)
            .prop_map(|(measure, slot, amount)| Action::Record { measure, slot, amount }),
        3 => (any::<Index>(), 0..12u8, prop::sample::select(RevisionClass::ALL))
            .prop_map(|(which, amount, classification)| Action::Revise {
                which,
                amount,
                classification,
            }),
        1 => (m.clone(), 1..99u8).prop_map(|(measure, percent)| Action::Target { measure, percent }),
        2 => (m.clone(), slot(), prop::sample::select(Status::ALL))
            .prop_map(|(measure, slot, status)| Action::Status { measure, slot, status }),
        1 => (m.clone(), slot(), prop::sample::select(Direction::ALL))
            .prop_map(|(measure, slot, direction)| Action::Direction { measure, slot, direction }),
        1 => (m, slot(), 0..3u8).prop_map(|(measure, slot, text)| Action::Note { measure, slot, text }),
        2 => q.clone().prop_map(|quarter| Action::Lock { quarter }),
        2 => any::<Index>().prop_map(|which| Action::Reopen { which }),
        2 => q.prop_map(|quarter| Action::Publish { quarter }),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    let who = prop_oneof![2 => Just(Who::Performance), 1 => Just(Who::Officer)];
    let reason = prop_oneof![
        3 => Just(Reason::Given),
        2 => Just(Reason::None),
        1 => Just(Reason::Blank),
    ];
    (action(), who, reason).prop_map(|(action, who, reason)| Step {
        action,
        who,
        reason,
    })
}

/// Histories of `len` steps.
pub(crate) fn history(len: std::ops::Range<usize>) -> impl Strategy<Value = Vec<Step>> {
    prop::collection::vec(step(), len)
}

fn value(amount: u8) -> RecordedValue {
    RecordedValue::parse(&amount.to_string()).expect("a whole number is a value")
}

/// The values recorded so far, as (measure, slot), oldest first.
#[derive(Debug, Default)]
pub(crate) struct Recorded(Vec<(usize, Slot)>);

/// A step made concrete against the history so far.
#[derive(Debug, Clone)]
pub(crate) enum Resolved {
    /// A change to a measure, about `slot` when a quarter lock can cover it (a target is
    /// set for the whole year, which no quarter lock covers).
    Change {
        measure: usize,
        slot: Option<Slot>,
        command: Box<Command>,
    },
    Lock(u8),
    Reopen(u8),
    Publish(u8),
}

impl Recorded {
    /// Notes the outcome of `resolved`: an accepted first value can be revised from now on.
    pub(crate) fn note(&mut self, resolved: &Resolved, accepted: bool) {
        if let Resolved::Change {
            measure,
            slot: Some(slot),
            command,
        } = resolved
        {
            if accepted && matches!(**command, Command::RecordValue { .. }) {
                self.0.push((*measure, *slot));
            }
        }
    }
}

fn change(measure: usize, slot: Slot, command: Command) -> Resolved {
    Resolved::Change {
        measure,
        slot: Some(slot),
        command: Box::new(command),
    }
}

impl Action {
    /// The concrete command, given the values `recorded` and the quarters `locked` so far.
    pub(crate) fn resolve(&self, recorded: &Recorded, locked: &[u8]) -> Resolved {
        match *self {
            Action::Record {
                measure,
                slot,
                amount,
            } => change(
                measure,
                slot,
                Command::RecordValue {
                    period: slot.period(),
                    value: value(amount),
                    quality: DataQuality::default(),
                },
            ),
            Action::Revise {
                which,
                amount,
                classification,
            } => {
                // With nothing recorded yet, a revision of nothing, which must be refused.
                let (measure, slot) = match recorded.0.as_slice() {
                    [] => (0, Slot::Quarter(1)),
                    values => values[which.index(values.len())],
                };
                change(
                    measure,
                    slot,
                    Command::ReviseValue {
                        period: slot.period(),
                        value: value(amount),
                        classification,
                        quality: DataQuality::default(),
                    },
                )
            }
            Action::Target { measure, percent } => Resolved::Change {
                measure,
                slot: None,
                command: Box::new(Command::SetTarget {
                    period: Period::financial_year(YEAR),
                    target: TargetSpec::parse(&format!("{percent}%")).expect("a valid target"),
                }),
            },
            Action::Status {
                measure,
                slot,
                status,
            } => change(
                measure,
                slot,
                Command::AssessStatus {
                    period: slot.period(),
                    status,
                },
            ),
            Action::Direction {
                measure,
                slot,
                direction,
            } => change(
                measure,
                slot,
                Command::AssessDirection {
                    period: slot.period(),
                    direction,
                },
            ),
            Action::Note {
                measure,
                slot,
                text,
            } => change(
                measure,
                slot,
                Command::EditCommentary {
                    period: slot.period(),
                    text: format!("note {text}"),
                },
            ),
            Action::Lock { quarter } => Resolved::Lock(quarter),
            // With nothing locked, a reopening of an open quarter, which must be refused.
            Action::Reopen { which } => Resolved::Reopen(match locked {
                [] => 1,
                quarters => quarters[which.index(quarters.len())],
            }),
            Action::Publish { quarter } => Resolved::Publish(quarter),
        }
    }
}

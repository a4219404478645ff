//! What period locks must do, modelled apart from the product so the test does not trust
//! the code it checks: a quarter is locked from an accepted LockPeriod until an accepted
//! ReopenPeriod. A change an officer may not make at all (a target, an assessment) is refused
//! for the role; a change to a locked quarter (or a month inside it) by an officer, or
//! without a reason, is refused because of the lock and appends nothing; the performance
//! team with a reason gets past the lock; nothing outside a lock is ever refused because of one.

use std::collections::BTreeSet;

use scoreledger_domain::{Command, Period, Rejection};
use scoreledger_store::{Appended, ExecuteError};

use crate::history::{quarter, Reason, Resolved, Who};

/// The quarters of 2016/17 that must be locked now.
#[derive(Debug, Default)]
pub(crate) struct LockModel {
    locked: BTreeSet<u8>,
}

/// What must happen to one step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Expectation {
    /// The step must land.
    Accepted,
    /// The step must be rejected, for whatever domain reason.
    Rejected,
    /// The step must be rejected by the lock on `lock`.
    RefusedByLock { period: Period, lock: Period },
    /// The domain may accept or reject the step, but never because of a lock.
    NotRefusedByLock,
}

impl LockModel {
    /// What the lock rules say about `resolved`, issued by `who` with `reason`, given the
    /// locks in force before it.
    pub(crate) fn expect(&self, resolved: &Resolved, who: Who, reason: Reason) -> Expectation {
        let performance = who == Who::Performance;
        match *resolved {
            // Only the performance team locks; a quarter is locked once.
            Resolved::Lock(q) => accepted_if(performance && !self.locked.contains(&q)),
            // Reopening needs the performance team, a lock to lift and a reason.
            Resolved::Reopen(q) => {
                accepted_if(performance && self.locked.contains(&q) && reason.counts())
            }
            // Publications are made by the performance team, into a new report stream.
            Resolved::Publish(_) => Expectation::Accepted,
            // Officers enter values and notes only; anything else is refused for the role
            // before any lock is looked at.
            Resolved::Change { ref command, .. } if !performance && !officers_may(command) => {
                Expectation::Rejected
            }
            Resolved::Change {
                slot: Some(slot), ..
            } if self.locked.contains(&slot.quarter()) => {
                if performance && reason.counts() {
                    Expectation::NotRefusedByLock
                } else {
                    Expectation::RefusedByLock {
                        period: slot.period(),
                        lock: quarter(slot.quarter()),
                    }
                }
            }
            Resolved::Change { .. } => Expectation::NotRefusedByLock,
        }
    }

    /// Moves the model past `resolved`, whose expectation has been checked.
    pub(crate) fn apply(&mut self, resolved: &Resolved, expectation: &Expectation) {
        if *expectation != Expectation::Accepted {
            return;
        }
        match *resolved {
            Resolved::Lock(q) => {
                self.locked.insert(q);
            }
            Resolved::Reopen(q) => {
                self.locked.remove(&q);
            }
            Resolved::Change { .. } | Resolved::Publish(_) => {}
        }
    }

    /// The quarters locked now, in order.
    pub(crate) fn locked_quarters(&self) -> Vec<u8> {
        self.locked.iter().copied().collect()
    }

    /// The locked periods as the plan's state should hold them.
    pub(crate) fn locked_periods(&self) -> BTreeSet<Period> {
        self.locked.iter().map(|q| quarter(*q)).collect()
    }
}

/// What an officer may do at all (DESIGN.md §7): enter values and data notes.
fn officers_may(command: &Command) -> bool {
    matches!(
        command,
        Command::RecordValue { .. } | Command::ReviseValue { .. } | Command::EditCommentary { .. }
    )
}

fn accepted_if(accepted: bool) -> Expectation {
    if accepted {
        Expectation::Accepted
    } else {
        Expectation::Rejected
    }
}

/// Panics unless `outcome` meets `expectation`.
#[track_caller]
pub(crate) fn check(
    expectation: &Expectation,
    outcome: &Result<Appended, ExecuteError>,
    what: &dyn std::fmt::Debug,
) {
    match (expectation, outcome) {
        (Expectation::Accepted, Ok(_)) => {}
        (Expectation::Rejected, Err(ExecuteError::Rejected(_))) => {}
        (
            Expectation::RefusedByLock { period, lock },
            Err(ExecuteError::Rejected(Rejection::Locked {
                period: refused,
                lock: by,
            })),
        ) if refused == period && by == lock => {}
        (Expectation::NotRefusedByLock, Ok(_)) => {}
        (Expectation::NotRefusedByLock, Err(ExecuteError::Rejected(rejection)))
            if !matches!(rejection, Rejection::Locked { .. }) => {}
        (expected, Ok(appended)) => panic!(
            "{what:?}: expected {expected:?}, but it was appended at position {}",
            appended.commit.position
        ),
        (expected, Err(err)) => panic!("{what:?}: expected {expected:?}, got {err:?}"),
    }
}

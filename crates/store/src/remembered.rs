//! What this process last read of what every write is judged against: each plan's state and
//! the publications. A write may be judged from it without reading them again, because its
//! append carries what it was judged against (`NewCommit::judged_against`, `judged_through`):
//! if the plan has moved or a report has been published since, the append is a conflict and
//! the write is judged again from a fresh reading, which is remembered in turn. A refusal is
//! never given from it (`scoreledger_service::submit` judges a refused write again from a
//! fresh reading), so neither a stale acceptance nor a stale refusal ever reaches anyone.

use std::collections::BTreeMap;
use std::sync::Mutex;

use chrono::NaiveDate;
use scoreledger_domain::{PlanId, Position, StreamId, StreamState, StreamVersion};

/// Which periods have been published, as of a position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publications {
    /// For each plan with a report, the end of the latest period published.
    pub through: BTreeMap<PlanId, NaiveDate>,
    /// The position of the last publication of any plan read (0 if none).
    pub last: Position,
}

/// The plans' states and the publications as last read, shared by every clone of a store.
#[derive(Debug, Default)]
pub struct Remembered {
    plans: Mutex<BTreeMap<StreamId, (StreamState, StreamVersion)>>,
    publications: Mutex<Option<Publications>>,
}

impl Remembered {
    /// A plan's state and version as last read, if it has been.
    pub fn plan(&self, stream: &StreamId) -> Option<(StreamState, StreamVersion)> {
        self.plans
            .lock()
            .expect("never poisoned")
            .get(stream)
            .cloned()
    }

    /// Remembers a plan as read, unless a later version is remembered already (two writes
    /// reading at once).
    pub fn remember_plan(&self, stream: &StreamId, state: &StreamState, version: StreamVersion) {
        let mut plans = self.plans.lock().expect("never poisoned");
        if plans.get(stream).is_none_or(|(_, known)| *known <= version) {
            plans.insert(stream.clone(), (state.clone(), version));
        }
    }

    /// The publications as last read, if they have been.
    pub fn publications(&self) -> Option<Publications> {
        self.publications.lock().expect("never poisoned").clone()
    }

    /// Remembers the publications as read, unless later ones are remembered already.
    pub fn remember_publications(&self, read: &Publications) {
        let mut publications = self.publications.lock().expect("never poisoned");
        if publications
            .as_ref()
            .is_none_or(|known| known.last <= read.last)
        {
            *publications = Some(read.clone());
        }
    }
}

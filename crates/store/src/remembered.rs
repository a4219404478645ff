//! What this process last read, or last wrote, of what writes are judged against: the states
//! of the streams written (a plan, a measure) and the publications. A write may be judged from
//! it without reading them again, because its append carries everything it was judged
//! against (the stream's expected version, `NewCommit::judged_against`, `judged_through`): if
//! the stream or its plan has moved or a report has been published since, the append is a
//! conflict and the write is judged again from a fresh reading, which is remembered in turn.
//! A refusal is never given from it (`scoreledger_service::submit` judges a refused write
//! again from a fresh reading), so neither a stale acceptance nor a stale refusal reaches
//! anyone. Checks no append guards (a token's revocation) use it only while the stream's last
//! commit is the one remembered (`execute::load_current`).

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

/// How many streams' states are remembered; beyond it, the least recently used is forgotten
/// (a measure's state holds its values: a few kilobytes).
const STREAMS: usize = 4_096;

/// The streams' states and the publications as last read, shared by every clone of a store.
#[derive(Debug, Default)]
pub struct Remembered {
    streams: Mutex<Streams>,
    publications: Mutex<Option<Publications>>,
}

/// Remembered streams, each with when it was last used.
#[derive(Debug, Default)]
struct Streams {
    states: BTreeMap<StreamId, (StreamState, StreamVersion, u64)>,
    clock: u64,
}

impl Remembered {
    /// A stream's state and version as last read or written, if remembered.
    pub fn state(&self, stream: &StreamId) -> Option<(StreamState, StreamVersion)> {
        let mut streams = self.streams.lock().expect("never poisoned");
        streams.clock += 1;
        let now = streams.clock;
        let (state, version, used) = streams.states.get_mut(stream)?;
        *used = now;
        Some((state.clone(), *version))
    }

    /// Remembers a stream's state at a version, unless a later version is remembered already
    /// (two writes reading at once).
    pub fn remember(&self, stream: &StreamId, state: &StreamState, version: StreamVersion) {
        let mut streams = self.streams.lock().expect("never poisoned");
        streams.clock += 1;
        let now = streams.clock;
        if let Some((_, known, _)) = streams.states.get(stream) {
            if *known > version {
                return;
            }
        } else if streams.states.len() >= STREAMS {
            let oldest = streams
                .states
                .iter()
                .min_by_key(|(_, (_, _, used))| *used)
                .map(|(stream, _)| stream.clone());
            if let Some(oldest) = oldest {
                streams.states.remove(&oldest);
            }
        }
        streams
            .states
            .insert(stream.clone(), (state.clone(), version, now));
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

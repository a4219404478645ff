//! Appends judged together. Concurrent appends are landed as a group (one transaction on
//! SQLite, one pipeline of publishes on NATS), judged as if one after another: each against
//! what the log held when the group's dependencies were read, plus the commits of the group
//! accepted before it. The backends read those dependencies their own way; the judging is here.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;
use uuid::Uuid;

use scoreledger_domain::{Position, StreamVersion};

use crate::envelope::{Commit, ExpectedVersion, NewCommit, GENESIS_HASH};
use crate::error::{published_since, AppendError};
use crate::Appended;

/// An append waiting to be landed with others, and where its answer goes.
pub(crate) struct Waiting {
    pub(crate) commit: NewCommit,
    pub(crate) answer: oneshot::Sender<Result<Appended, AppendError>>,
}

/// The appends waiting to be landed, shared by every clone of a store, and whether a task is
/// landing them.
#[derive(Clone, Default)]
pub(crate) struct Queue(Arc<Mutex<Queued>>);

#[derive(Default)]
struct Queued {
    waiting: Vec<Waiting>,
    landing: bool,
}

/// A group's landing stopped (a panic) before it answered an append.
#[derive(Debug, thiserror::Error)]
#[error("the appends landed together stopped before this one was answered; it may or may not have landed: retry it with the same commit id")]
struct Unanswered;

impl Queue {
    /// Queues an append and waits for its answer. If no task is landing the queue, one is
    /// started, which lands whatever is waiting with `land` (the group it is given), again and
    /// again until nothing is: appends arriving while a group lands wait for the next group
    /// together, instead of each taking a turn. The task is the store's, not the caller's, so
    /// a caller that gives up abandons no one.
    pub(crate) async fn append<L, F>(
        &self,
        commit: NewCommit,
        land: L,
    ) -> Result<Appended, AppendError>
    where
        L: Fn(Vec<Waiting>) -> F + Send + 'static,
        F: Future<Output = ()> + Send,
    {
        let (answer, answered) = oneshot::channel();
        let start = {
            let mut queued = self.0.lock().expect("never poisoned");
            queued.waiting.push(Waiting { commit, answer });
            !std::mem::replace(&mut queued.landing, true)
        };
        if start {
            let queue = self.clone();
            tokio::spawn(async move {
                let mut stopped = Stopped(Some(queue.clone()));
                while let Some(group) = queue.next_group() {
                    land(group).await;
                }
                stopped.0 = None;
            });
        }
        answered
            .await
            .unwrap_or_else(|_| Err(AppendError::Unavailable(Box::new(Unanswered))))
    }

    /// Everything waiting; or, when nothing is, `None`, and the queue marked as having no task
    /// landing it (in the same critical section, so no append is left waiting unseen).
    fn next_group(&self) -> Option<Vec<Waiting>> {
        let mut queued = self.0.lock().expect("never poisoned");
        if queued.waiting.is_empty() {
            queued.landing = false;
            None
        } else {
            Some(std::mem::take(&mut queued.waiting))
        }
    }
}

/// If the landing task stops early (a panic), answers every append still queued as
/// unanswered (its sender dropped) rather than leave it waiting for a task that is gone, and
/// marks the queue as having no task landing it, so the next append starts another.
struct Stopped(Option<Queue>);

impl Drop for Stopped {
    fn drop(&mut self) {
        if let Some(queue) = self.0.take() {
            let abandoned = match queue.0.lock() {
                Ok(mut queued) => {
                    queued.landing = false;
                    std::mem::take(&mut queued.waiting)
                }
                Err(_) => Vec::new(),
            };
            drop(abandoned);
        }
    }
}

/// A commit of a group, judged.
pub(crate) enum Judged<P> {
    /// Its id was appended before.
    Existing(Commit),
    /// Its id is that of a commit accepted earlier in the group (at that place).
    SameAs(usize),
    /// Accepted and sealed, with what the store will store (`P`: an envelope, a payload).
    Sealed(Commit, P),
}

/// What a group of appends depends on in the log, kept up to date as each commit of the group
/// is accepted.
pub(crate) struct GroupView {
    /// Each stream's last version and hash, for the streams the group writes or is judged
    /// against (absent: the stream is empty).
    heads: BTreeMap<String, (StreamVersion, String)>,
    /// The group's accepted commits by id, with their place among them.
    accepted: BTreeMap<Uuid, usize>,
    /// The position of the last commit on a report's stream, if any.
    last_report: Option<Position>,
    /// Whether the group has accepted a commit on a report's stream (its position, not yet
    /// known, is after every position read).
    report_in_group: bool,
}

impl GroupView {
    /// The view from the streams' heads and the last report's position, as read.
    pub(crate) fn new(
        heads: BTreeMap<String, (StreamVersion, String)>,
        last_report: Option<Position>,
    ) -> Self {
        Self {
            heads,
            accepted: BTreeMap::new(),
            last_report,
            report_in_group: false,
        }
    }

    /// A stream's last version and hash, as for an empty stream when it has none.
    pub(crate) fn head_of(&self, stream: &str) -> (StreamVersion, String) {
        self.heads
            .get(stream)
            .cloned()
            .unwrap_or_else(|| (StreamVersion(0), GENESIS_HASH.to_owned()))
    }

    /// The place of a commit with this id accepted earlier in the group, if any.
    pub(crate) fn accepted_as(&self, commit_id: Uuid) -> Option<usize> {
        self.accepted.get(&commit_id).copied()
    }

    /// Refuses, with a conflict, a commit judged against a stream that has moved or through a
    /// position after which a report was published (read, or accepted in the group).
    pub(crate) fn check_judgments(&self, new: &NewCommit) -> Result<(), AppendError> {
        if let Some((judged, version)) = &new.judged_against {
            let (current, _) = self.head_of(judged.as_str());
            if current != *version {
                return Err(AppendError::Conflict {
                    stream: judged.clone(),
                    expected: ExpectedVersion::Exact(*version),
                    actual: current,
                });
            }
        }
        if let Some(through) = new.judged_through {
            if self.report_in_group || self.last_report.is_some_and(|last| last > through) {
                return Err(published_since(new));
            }
        }
        Ok(())
    }

    /// Accepts a sealed commit: later commits of the group see it. Its place in the group.
    pub(crate) fn accept(&mut self, commit: &Commit) -> usize {
        self.heads.insert(
            commit.stream.as_str().to_owned(),
            (commit.stream_version, commit.hash.clone()),
        );
        let place = self.accepted.len();
        self.accepted.insert(commit.commit_id, place);
        if commit.stream.kind() == "report" {
            self.report_in_group = true;
        }
        place
    }
}

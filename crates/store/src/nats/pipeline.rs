//! Judged appends on NATS, landed together. Every judged append waiting when one takes the
//! head turn is judged as if one after another (`group`) against one reading of what they
//! depend on, and the accepted ones are published in one pipeline: the first expecting the
//! log's head as read, each later one expecting the one before it to be the log's last
//! message. A publish that fails (another process landed something first) fails every one
//! after it, so what lands is always a prefix of the group, exactly as judged; the rest are
//! judged again in the next round.

use std::collections::{BTreeMap, BTreeSet};

use async_nats::jetstream;
use async_nats::HeaderMap;
use bytes::Bytes;
use uuid::Uuid;

use scoreledger_domain::Position;

use super::{NatsStore, ANY_RETRIES};
use crate::envelope::{Commit, ExpectedVersion, NewCommit};
use crate::error::AppendError;
use crate::group::{GroupView, Judged, Waiting};
use crate::signing::{keys_stream, KEYS_STREAM};
use crate::{Appended, EventStore};

/// A group of appends that could not be landed: none of those it names was published.
#[derive(Debug, thiserror::Error)]
#[error("the appends published together could not be published: {0}")]
struct GroupNotLanded(String);

/// What a group depends on in the log, read once a round.
struct GroupReading {
    /// The log's last sequence, read before everything else: the first publish expects it, so
    /// if it succeeds nothing landed after what was read.
    head: u64,
    /// The last commit of each stream the group writes or is judged against.
    lasts: BTreeMap<String, Commit>,
    view: GroupView,
    /// Whether the log has recorded a key (an unsigned append is then refused).
    has_keys: bool,
}

/// A commit of the group accepted and sealed, waiting to be published.
struct Sealed {
    commit: Commit,
    payload: Bytes,
    /// The sequence of its stream's last message before it (in the log, or in the group).
    subject_sequence: u64,
    /// Its place among the appends waiting.
    from: usize,
}

/// What became of a published commit.
enum Fate {
    Landed(Box<Appended>),
    /// Not published (another process landed first): judged again next round.
    Again,
    Failed(String),
}

impl NatsStore {
    /// Whether an append is landed in a group: one judged against a stream or the
    /// publications, that need not land directly after a given position and is not a key's
    /// record (those are judged one at a time).
    pub(super) fn lands_in_group(new: &NewCommit) -> bool {
        (new.judged_against.is_some() || new.judged_through.is_some())
            && new.directly_after.is_none()
            && new.stream.as_str() != KEYS_STREAM
    }

    /// Queues a judged append; the store's landing task publishes every append waiting when
    /// it takes the head turn.
    pub(super) async fn append_in_group(&self, new: NewCommit) -> Result<Appended, AppendError> {
        let store = self.clone();
        self.queue
            .append(new, move |group| {
                let store = store.clone();
                async move {
                    let _turn = store.head_turn.lock().await;
                    store.land_group(group).await;
                }
            })
            .await
    }

    /// Lands a group, in rounds while another process gets in first; what is still not
    /// landed after them is a conflict.
    async fn land_group(&self, mut waiting: Vec<Waiting>) {
        for _ in 0..ANY_RETRIES {
            if waiting.is_empty() {
                return;
            }
            waiting = self.land_round(waiting).await;
        }
        for left in waiting {
            let conflict = self.conflict(&left.commit).await;
            let _ = left.answer.send(Err(conflict));
        }
    }

    /// One round: reads, judges, publishes and answers; the appends to judge again.
    async fn land_round(&self, waiting: Vec<Waiting>) -> Vec<Waiting> {
        let mut reading = match self.read_group(&waiting).await {
            Ok(reading) => reading,
            Err(err) => {
                let problem = err.to_string();
                for waiting in waiting {
                    let _ = waiting.answer.send(Err(AppendError::Unavailable(Box::new(
                        GroupNotLanded(problem.clone()),
                    ))));
                }
                return Vec::new();
            }
        };
        // Judged in order; an answer known now (a refusal, a commit landed before) is given
        // once the pipeline has been answered, in the order the appends came.
        let mut sealed: Vec<Sealed> = Vec::new();
        let mut now: Vec<(usize, Result<Appended, AppendError>)> = Vec::new();
        let mut same_as: Vec<(usize, usize)> = Vec::new();
        let mut subject_last: BTreeMap<String, u64> = reading
            .lasts
            .iter()
            .map(|(stream, commit)| (stream.clone(), commit.position.0))
            .collect();
        for (from, waiting) in waiting.iter().enumerate() {
            let new = &waiting.commit;
            match self.judge_in_group(&mut reading, new).await {
                Ok(Judged::Existing(commit)) => now.push((
                    from,
                    Ok(Appended {
                        commit,
                        deduplicated: true,
                    }),
                )),
                Ok(Judged::SameAs(place)) => same_as.push((from, place)),
                Ok(Judged::Sealed(commit, payload)) => {
                    let stream = commit.stream.as_str().to_owned();
                    let subject_sequence = subject_last.get(&stream).copied().unwrap_or(0);
                    subject_last.insert(stream, reading.head + sealed.len() as u64 + 1);
                    sealed.push(Sealed {
                        commit,
                        payload,
                        subject_sequence,
                        from,
                    });
                }
                Err(err) => now.push((from, Err(err))),
            }
        }
        let fates = self.publish_in_order(reading.head, &sealed).await;
        // A refusal judged after a commit that did not land may have been refused because of
        // it: judged again too.
        let first_not_landed = sealed
            .iter()
            .zip(&fates)
            .find(|(_, fate)| matches!(fate, Fate::Again))
            .map(|(sealed, _)| sealed.from);
        let mut again = BTreeSet::new();
        let mut answers: BTreeMap<usize, Result<Appended, AppendError>> = BTreeMap::new();
        for (from, answer) in now {
            if answer.is_err() && first_not_landed.is_some_and(|first| from > first) {
                again.insert(from);
            } else {
                answers.insert(from, answer);
            }
        }
        let mut settle = |from: usize, fate: &Fate, deduplicated: bool| match fate {
            Fate::Landed(appended) => {
                answers.insert(
                    from,
                    Ok(Appended {
                        commit: appended.commit.clone(),
                        deduplicated: deduplicated || appended.deduplicated,
                    }),
                );
            }
            Fate::Again => {
                again.insert(from);
            }
            Fate::Failed(problem) => {
                answers.insert(
                    from,
                    Err(AppendError::Unavailable(Box::new(GroupNotLanded(
                        problem.clone(),
                    )))),
                );
            }
        };
        for (sealed, fate) in sealed.iter().zip(&fates) {
            settle(sealed.from, fate, false);
        }
        for (from, place) in same_as {
            settle(from, &fates[place], true);
        }
        let mut left = Vec::new();
        for (from, waiting) in waiting.into_iter().enumerate() {
            if again.contains(&from) {
                left.push(waiting);
            } else if let Some(answer) = answers.remove(&from) {
                let _ = waiting.answer.send(answer);
            }
        }
        left
    }

    /// Reads the log's head, then every stream the group writes or is judged against, the
    /// last report and the keys stream, concurrently.
    async fn read_group(&self, waiting: &[Waiting]) -> Result<GroupReading, AppendError> {
        let head = self.last_sequence().await?;
        let streams: BTreeSet<String> = waiting
            .iter()
            .flat_map(|w| {
                std::iter::once(w.commit.stream.as_str().to_owned()).chain(
                    w.commit
                        .judged_against
                        .as_ref()
                        .map(|(s, _)| s.as_str().to_owned()),
                )
            })
            .collect();
        let lasts = futures::future::join_all(streams.iter().map(|stream| async move {
            let subject = self.subject(&scoreledger_domain::StreamId(stream.clone()));
            (stream.clone(), self.last_commit(&subject).await)
        }));
        let judged_through = waiting.iter().any(|w| w.commit.judged_through.is_some());
        let last_report = async {
            if judged_through {
                self.last_report().await
            } else {
                Ok(None)
            }
        };
        let keys_subject = self.subject(&keys_stream());
        let keys = self.last_commit(&keys_subject);
        let (lasts, last_report, keys) = tokio::join!(lasts, last_report, keys);
        let last_keys = keys?.map(|commit| commit.position);
        if let Some(at) = last_keys.filter(|_| self.signing.needs_judging(last_keys)) {
            let keys = self.read_stream(&keys_stream()).await?;
            self.signing.judge(at, &keys);
        }
        let mut found = BTreeMap::new();
        for (stream, last) in lasts {
            if let Some(commit) = last? {
                found.insert(stream, commit);
            }
        }
        let heads = found
            .iter()
            .map(|(stream, commit)| (stream.clone(), (commit.stream_version, commit.hash.clone())))
            .collect();
        Ok(GroupReading {
            head,
            view: GroupView::new(heads, last_report?.map(Position)),
            lasts: found,
            has_keys: last_keys.is_some(),
        })
    }

    /// One append of a group judged against the group's reading, which it updates when the
    /// commit is accepted.
    async fn judge_in_group(
        &self,
        reading: &mut GroupReading,
        new: &NewCommit,
    ) -> Result<Judged<Bytes>, AppendError> {
        if new.events.is_empty() {
            return Err(AppendError::Empty);
        }
        let last = reading.lasts.get(new.stream.as_str());
        if let Some(commit_id) = new.commit_id {
            if let Some(last) = last.filter(|last| last.commit_id == commit_id) {
                return Ok(Judged::Existing(last.clone()));
            }
            if let Some(place) = reading.view.accepted_as(commit_id) {
                return Ok(Judged::SameAs(place));
            }
        }
        reading.view.check_judgments(new)?;
        let has_keys = reading.has_keys;
        self.signing
            .check_can_sign(&new.stream, async { Ok(has_keys) })
            .await?;
        self.signing.check_key_standing()?;
        let (actual, prev_hash) = reading.view.head_of(new.stream.as_str());
        if let ExpectedVersion::Exact(expected) = new.expected {
            if expected != actual {
                // A retry from before the server's duplicate window may have landed already.
                if let Some(commit_id) = new.commit_id {
                    if let Some(original) = self.find_commit(&new.stream, commit_id).await? {
                        return Ok(Judged::Existing(original));
                    }
                }
                return Err(AppendError::Conflict {
                    stream: new.stream.clone(),
                    expected: new.expected,
                    actual,
                });
            }
        }
        let (commit, payload) =
            new.seal_now(actual, prev_hash, &*self.clock, self.signing.key())?;
        reading.view.accept(&commit);
        Ok(Judged::Sealed(commit, Bytes::from(payload)))
    }

    /// Publishes the sealed commits in one pipeline, each expecting the log to end where the
    /// one before it lands, and awaits their acknowledgements: what became of each.
    async fn publish_in_order(&self, head: u64, sealed: &[Sealed]) -> Vec<Fate> {
        let mut acks = Vec::with_capacity(sealed.len());
        let mut previous: Option<Uuid> = None;
        for (place, each) in sealed.iter().enumerate() {
            let mut headers = HeaderMap::new();
            let id = each.commit.commit_id;
            headers.insert("Nats-Msg-Id", id.to_string().as_str());
            headers.insert(
                "Nats-Expected-Last-Subject-Sequence",
                each.subject_sequence.to_string().as_str(),
            );
            headers.insert(
                "Nats-Expected-Last-Sequence",
                (head + place as u64).to_string().as_str(),
            );
            // The sequence alone would let a later message land after another process's one
            // that took the place of a failed message before it; the last message's id too
            // means each lands only directly after the one before it.
            if let Some(previous) = previous {
                headers.insert("Nats-Expected-Last-Msg-Id", previous.to_string().as_str());
            }
            previous = Some(id);
            let sent = self
                .context
                .publish_with_headers(
                    self.subject(&each.commit.stream),
                    headers,
                    each.payload.clone(),
                )
                .await;
            match sent {
                Ok(ack) => acks.push(ack),
                Err(err) => {
                    // Not sent: this one failed, and every one after it is judged again.
                    let mut fates: Vec<Fate> = Vec::with_capacity(sealed.len());
                    for ack in acks {
                        fates.push(self.fate_of(ack.await, &sealed[fates.len()]).await);
                    }
                    fates.push(Fate::Failed(err.to_string()));
                    fates.resize_with(sealed.len(), || Fate::Again);
                    return fates;
                }
            }
        }
        let mut fates = Vec::with_capacity(sealed.len());
        for (ack, each) in acks.into_iter().zip(sealed) {
            fates.push(self.fate_of(ack.await, each).await);
        }
        fates
    }

    async fn fate_of(
        &self,
        ack: Result<jetstream::publish::PublishAck, jetstream::context::PublishError>,
        sealed: &Sealed,
    ) -> Fate {
        match ack {
            Ok(ack) if ack.duplicate => match self.commit_at(ack.sequence).await {
                Ok(original) => Fate::Landed(Box::new(Appended {
                    commit: original,
                    deduplicated: true,
                })),
                Err(err) => Fate::Failed(err.to_string()),
            },
            Ok(ack) => Fate::Landed(Box::new(Appended {
                commit: Commit {
                    position: Position(ack.sequence),
                    ..sealed.commit.clone()
                },
                deduplicated: false,
            })),
            Err(err)
                if matches!(
                    err.kind(),
                    jetstream::context::PublishErrorKind::WrongLastSequence
                        | jetstream::context::PublishErrorKind::WrongLastMessageId
                ) =>
            {
                Fate::Again
            }
            Err(err) => Fate::Failed(err.to_string()),
        }
    }
}

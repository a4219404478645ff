//! The log as stored, verified: every commit's hash recomputed from what is stored, every
//! stream's links and versions, the global positions (no gap, no repeat, no reordering),
//! every commit's signature by the log's key once the log has one, and the Merkle tree over
//! all commits in log order against every signed checkpoint in the log and every checkpoint
//! exported from it. The first thing wrong is named, with the position and how it is wrong.
//!
//! `LogVerifier` is a pure step function over commits in log order; `verify_log` feeds it the
//! whole log in batches, so memory grows with the number of streams, not of commits (the
//! Merkle tree is followed by its right edge alone).

use std::collections::BTreeMap;

use serde::Serialize;
use uuid::Uuid;

use scoreledger_domain::{Position, StreamId, StreamVersion};

use scoreledger_integrity::{
    hash_hex, leaf_hash, open_checkpoint, Frontier, KeyRing, PublicKey, SignedCheckpoint,
};

use crate::envelope::{Commit, GENESIS_HASH};
use crate::error::ReadError;
use crate::walk::{read_entries, Entry};
use crate::EventStore;

/// Commits read per batch.
const BATCH: usize = 1000;

/// The first thing wrong with the log, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Finding {
    /// A commit that cannot be read at all.
    #[error("position {position}: the commit cannot be read ({problem}); it was damaged, or written by something other than Scoreledger. Restore a backup that holds it, or, if none does, an admin sets it aside with a reason (scoreledger --role admin set-aside {position} --reason …)")]
    Unreadable {
        /// Where.
        position: Position,
        /// What the store said.
        problem: String,
    },
    /// Positions skip: commits were deleted.
    #[error("position {expected} is missing (the log goes on at {found}): a commit was deleted")]
    Missing {
        /// The position that should come next.
        expected: Position,
        /// The position found instead.
        found: Position,
    },
    /// Positions repeat or go back.
    #[error(
        "position {position} comes after {previous}: the log was reordered or a commit repeated"
    )]
    Reordered {
        /// The position found.
        position: Position,
        /// The position before it.
        previous: Position,
    },
    /// A commit's contents no longer hash to the hash it was sealed with.
    #[error("commit {commit_id} at position {position} was changed: its contents hash to {computed}, not to the {stored} it was sealed with")]
    Changed {
        /// The commit.
        commit_id: Uuid,
        /// Where.
        position: Position,
        /// The hash stored with it.
        stored: String,
        /// The hash of what is stored now.
        computed: String,
    },
    /// A commit does not follow the commit before it in its stream.
    #[error("commit {commit_id} at position {position} does not follow the previous commit of {stream} (it points at {prev_hash}, the previous one hashes to {expected}): a commit of the stream was removed, inserted or moved")]
    BrokenLink {
        /// The commit.
        commit_id: Uuid,
        /// Where.
        position: Position,
        /// Its stream.
        stream: StreamId,
        /// What it points at.
        prev_hash: String,
        /// What it should point at.
        expected: String,
    },
    /// A commit's stream versions do not follow on.
    #[error("commit {commit_id} at position {position} starts at version {found} of {stream}, not {expected}: a commit of the stream was removed, inserted or moved")]
    VersionGap {
        /// The commit.
        commit_id: Uuid,
        /// Where.
        position: Position,
        /// Its stream.
        stream: StreamId,
        /// The version it starts at.
        found: StreamVersion,
        /// The version it should start at.
        expected: StreamVersion,
    },
    /// A commit the log's key did not sign: written by something holding write access but
    /// not the key (a rogue publisher, a hand-inserted row).
    #[error("commit {commit_id} at position {position} is forged: {problem}")]
    Forged {
        /// The commit.
        commit_id: Uuid,
        /// Where.
        position: Position,
        /// Why its signature does not hold.
        problem: String,
    },
    /// A checkpoint in the log that does not open with the log's keys, or a key recorded in
    /// a form no verifier reads.
    #[error("position {position}: {problem}")]
    BadSignature {
        /// Where.
        position: Position,
        /// What does not verify.
        problem: String,
    },
    /// A signed checkpoint whose tree head is not the head of the commits it covers: the
    /// log before it was changed, reordered or re-chained after it was signed.
    #[error("the checkpoint {origin} signed over {size} commits does not match them (signed head {signed}, the log's commits make {computed}): the log up to position {} was rewritten after it was signed", self.position())]
    CheckpointMismatch {
        /// Where the checkpoint was found (`recorded at position N`, or the exported file).
        origin: String,
        /// How many commits it covers.
        size: u64,
        /// How many commits the log holds before it (the size, for an exported checkpoint;
        /// another number for a recorded one means it no longer sits right after them).
        before: u64,
        /// The head it was signed over.
        signed: String,
        /// The head of the commits now stored.
        computed: String,
    },
    /// A checkpoint exported from the log covers more commits than the log has.
    #[error("the log has {head} commits, but the checkpoint {origin} was signed over {size}: the log was truncated (or restored from an older copy)")]
    Truncated {
        /// Where the checkpoint came from.
        origin: String,
        /// How many commits it covers.
        size: u64,
        /// How many the log has.
        head: Position,
    },
    /// The log's first key is not one the verifier was told to trust.
    #[error("position {position}: the log signs with {key}, which is not the key you trust; someone may have replaced the log")]
    UntrustedKey {
        /// Where the key was added.
        position: Position,
        /// The key the log names.
        key: String,
    },
}

impl Finding {
    /// What kind of finding it is, as `--json` names it (`changed`, `missing`, …).
    pub fn kind(&self) -> &'static str {
        match self {
            Finding::Unreadable { .. } => "unreadable",
            Finding::Missing { .. } => "missing",
            Finding::Reordered { .. } => "reordered",
            Finding::Changed { .. } => "changed",
            Finding::BrokenLink { .. } => "broken_link",
            Finding::VersionGap { .. } => "version_gap",
            Finding::Forged { .. } => "forged",
            Finding::BadSignature { .. } => "bad_signature",
            Finding::CheckpointMismatch { .. } => "checkpoint_mismatch",
            Finding::Truncated { .. } => "truncated",
            Finding::UntrustedKey { .. } => "untrusted_key",
        }
    }

    /// The position the finding is about.
    pub fn position(&self) -> Position {
        match self {
            Finding::Unreadable { position, .. }
            | Finding::Reordered { position, .. }
            | Finding::Changed { position, .. }
            | Finding::BrokenLink { position, .. }
            | Finding::VersionGap { position, .. }
            | Finding::Forged { position, .. }
            | Finding::BadSignature { position, .. }
            | Finding::UntrustedKey { position, .. } => *position,
            Finding::Missing { expected, .. } => *expected,
            // The first position past what the checkpoint vouches for is not known; the
            // checkpoint's last commit is where the rewritten range ends. A checkpoint with
            // another number of commits before it than it covers no longer sits right after
            // them: the log is not what it signed from the position after the fewer of the
            // two on (a commit of another stream moved in front of it is not one it covers).
            Finding::CheckpointMismatch { size, before, .. } if size == before => Position(*size),
            Finding::CheckpointMismatch { size, before, .. } => Position(*size.min(before) + 1),
            Finding::Truncated { head, .. } => Position(head.0 + 1),
        }
    }
}

/// The last commit seen of one stream.
#[derive(Debug, Clone)]
struct Tip {
    hash: String,
    version: StreamVersion,
}

/// A checkpoint the log was found to match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckpointSeen {
    /// How many commits it covers.
    pub size: u64,
    /// Their Merkle tree head, in hexadecimal.
    pub root: String,
    /// The signed note.
    pub note: String,
}

/// A checkpoint from outside the log (an export, a witness), to check the log against.
#[derive(Debug, Clone)]
pub struct Witness {
    /// Where it came from, for the finding (a file name, `GET /checkpoint` of a witness).
    pub origin: String,
    /// The checkpoint, its signature already checked.
    pub checkpoint: SignedCheckpoint,
}

/// What [`LogVerifier::step`] made of a commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Checked and taken into the tree.
    Checked,
    /// No commit Scoreledger sealed (why, in words): pass it over with its stored digest.
    Unsealed(String),
}

/// Checks commits one by one, in log order.
#[derive(Debug, Clone, Default)]
pub struct LogVerifier {
    last: Position,
    tips: BTreeMap<StreamId, Tip>,
    commits: u64,
    tree: Frontier,
    keys: KeyRing,
    trusted: Option<KeyRing>,
    witnesses: Vec<Witness>,
    signed_from: Option<Position>,
    checkpoints: u64,
    latest: Option<CheckpointSeen>,
    pending: Vec<Pending>,
    unexplained: Vec<Unexplained>,
    set_aside: Vec<Position>,
    since: Option<Position>,
    every_signature: bool,
}

/// Where a verification starts when not at the first commit: a signed checkpoint recorded in
/// the log, which vouches for every commit it covers, so those are not read again.
#[derive(Debug, Clone)]
pub struct Start {
    /// The checkpoint, its signature checked.
    pub checkpoint: SignedCheckpoint,
    /// The tree's right edge at its size, checked to make its head.
    pub frontier: Frontier,
    /// The keys the log had recorded up to it.
    pub keys: KeyRing,
    /// Where the log began signing, if it had by then.
    pub signed_from: Option<Position>,
}

/// A commit that cannot be read, passed over until the admin's setting aside of it is found
/// further on in the log (or the end is reached without one, and it is the finding).
#[derive(Debug, Clone)]
struct Unexplained {
    position: Position,
    problem: String,
}

/// A signed commit no checkpoint has covered yet. Checking an Ed25519 signature costs more
/// than everything else a commit needs together; a checkpoint whose head matches vouches for
/// every commit it covers, so signatures are checked only where no checkpoint covers them (or
/// one fails to match, to name the forged commit).
#[derive(Debug, Clone)]
struct Pending {
    position: Position,
    commit_id: Uuid,
    hash: String,
    signature: Option<scoreledger_integrity::CommitSignature>,
}

/// How many signatures may wait for a checkpoint before they are checked anyway (memory stays
/// bounded in a log that checkpoints rarely).
const PENDING_LIMIT: usize = 100_000;

/// The integrity event types a verifier reads (the rest it checks only by hash).
const KEY_ADDED: &str = "SigningKeyAdded";
const KEY_RETIRED: &str = "SigningKeyRetired";
const CHECKPOINT: &str = "CheckpointRecorded";
const SET_ASIDE: &str = "CommitSetAside";

impl LogVerifier {
    /// A verifier at the start of the log.
    pub fn new() -> Self {
        Self::default()
    }

    /// A verifier that refuses a log whose first key is not one of `trusted` (the public key
    /// an auditor was given out of band).
    pub fn trusting(mut self, trusted: KeyRing) -> Self {
        self.trusted = Some(trusted);
        self
    }

    /// A verifier that starts after the commits `start` covers: their tree is taken from the
    /// checkpoint's right edge, and the first later commit of each stream is linked to the
    /// commit before it once [`LogVerifier::anchor`] is told that commit.
    pub fn since(mut self, start: Start) -> Self {
        let size = Position(start.checkpoint.size);
        self.last = size;
        self.since = Some(size);
        self.tree = start.frontier;
        self.keys = start.keys;
        self.signed_from = start.signed_from;
        self.checkpoints = 1;
        self.latest = Some(CheckpointSeen {
            size: start.checkpoint.size,
            root: start.checkpoint.root_hex(),
            note: start.checkpoint.note,
        });
        self
    }

    /// For a verifier started at a checkpoint and told which key to trust: the log's first
    /// key, recorded before the start, must be one of them.
    fn check_start(&self) -> Result<(), Finding> {
        let (Some(since), Some(trusted)) = (self.since, &self.trusted) else {
            return Ok(());
        };
        match self.keys.all().next() {
            Some(first) if !trusted.all().any(|known| known == first) => {
                Err(Finding::UntrustedKey {
                    position: self.signed_from.unwrap_or(since),
                    key: first.text().to_owned(),
                })
            }
            _ => Ok(()),
        }
    }

    /// The position a verification started after (0 from the first commit).
    pub fn started_after(&self) -> Position {
        self.since.unwrap_or_default()
    }

    /// For a verifier started at a checkpoint: the commit before `commit` in its stream lies
    /// before the start, and it is needed (its version here) to check the link.
    pub fn needs_anchor(&self, commit: &Commit) -> Option<StreamVersion> {
        self.since?;
        if self.tips.contains_key(&commit.stream) {
            return None;
        }
        commit
            .stream_version
            .0
            .checked_sub(commit.events.len() as u64)
            .filter(|&first| first > 0)
            .map(StreamVersion)
    }

    /// The last commit of a stream before the start (see [`LogVerifier::needs_anchor`]).
    pub fn anchor(&mut self, previous: &Commit) {
        if self.since.is_some_and(|since| previous.position <= since) {
            self.tips.insert(
                previous.stream.clone(),
                Tip {
                    hash: previous.hash.clone(),
                    version: previous.stream_version,
                },
            );
        }
    }

    /// A verifier that checks every commit's signature as it comes, rather than only the ones
    /// no matching checkpoint vouches for: slower, and it also finds a signature altered in
    /// place on a commit whose contents are intact (which an offline check of an evidence pack
    /// would refuse).
    pub fn checking_every_signature(mut self) -> Self {
        self.every_signature = true;
        self
    }

    /// A verifier that also checks the log against checkpoints exported from it.
    pub fn with_witnesses(mut self, mut witnesses: Vec<Witness>) -> Self {
        witnesses.sort_by_key(|w| w.checkpoint.size);
        self.witnesses = witnesses;
        self
    }

    /// Checks the next commit: its position follows the last, its contents hash to its hash,
    /// and it follows the previous commit of its stream by hash and version.
    pub fn check(&mut self, commit: &Commit) -> Result<(), Finding> {
        match self.step(commit)? {
            Step::Checked => Ok(()),
            Step::Unsealed(problem) => Err(self.first_of(Finding::Unreadable {
                position: commit.position,
                problem,
            })),
        }
    }

    /// Like [`LogVerifier::check`], except that a commit whose events cannot be read and whose
    /// contents do not make its hash is handed back ([`Step::Unsealed`]) to be passed over
    /// with the digest of its stored bytes, like a commit that does not decode at all.
    pub fn step(&mut self, commit: &Commit) -> Result<Step, Finding> {
        match self.check_commit(commit) {
            Ok(()) => Ok(Step::Checked),
            // Nothing was taken from the commit before its hash was found wrong.
            Err(changed @ Finding::Changed { .. }) => match crate::walk::unsealed_changed(commit) {
                Some(problem) => Ok(Step::Unsealed(problem)),
                None => Err(self.first_of(changed)),
            },
            Err(finding) => Err(self.first_of(finding)),
        }
    }

    /// Passes over a commit the store cannot read: `digest` (of its stored bytes, see
    /// [`crate::digest`]) stands for it in the Merkle tree. It is the finding unless an admin's
    /// setting aside of it follows in the log.
    pub fn pass_over(
        &mut self,
        position: Position,
        digest: &str,
        problem: String,
    ) -> Result<(), Finding> {
        let passed = self.next_position(position).and_then(|()| {
            let leaf = leaf_hash(digest).map_err(|err| Finding::Unreadable {
                position,
                problem: format!("{problem}; its digest cannot be read either: {err}"),
            })?;
            self.tree.push(leaf);
            self.check_witnesses_at(position)
        });
        passed.map_err(|finding| self.first_of(finding))?;
        self.unexplained.push(Unexplained { position, problem });
        self.last = position;
        self.commits += 1;
        Ok(())
    }

    /// The first thing wrong, given `finding`: a forged commit whose signature was waiting
    /// for a checkpoint, or an unreadable one nobody set aside, may come before it.
    fn first_of(&mut self, finding: Finding) -> Finding {
        self.waiting()
            .filter(|earlier| earlier.position() < finding.position())
            .unwrap_or(finding)
    }

    /// The first of what was waiting to be judged: a signature no checkpoint vouched for
    /// that does not hold, or an unreadable commit not (yet) set aside.
    fn waiting(&mut self) -> Option<Finding> {
        let forged = self.check_pending().err();
        let unreadable = self.unexplained.first().map(|u| Finding::Unreadable {
            position: u.position,
            problem: u.problem.clone(),
        });
        [forged, unreadable]
            .into_iter()
            .flatten()
            .min_by_key(Finding::position)
    }

    /// The commit at `position` comes next.
    fn next_position(&self, position: Position) -> Result<(), Finding> {
        let expected = Position(self.last.0 + 1);
        if position < expected {
            return Err(Finding::Reordered {
                position,
                previous: self.last,
            });
        }
        if position > expected {
            return Err(Finding::Missing {
                expected,
                found: position,
            });
        }
        Ok(())
    }

    fn check_commit(&mut self, commit: &Commit) -> Result<(), Finding> {
        self.next_position(commit.position)?;
        let computed = commit.compute_hash();
        if computed != commit.hash {
            return Err(Finding::Changed {
                commit_id: commit.commit_id,
                position: commit.position,
                stored: commit.hash.clone(),
                computed,
            });
        }
        let (prev_hash, version) = self.tips.get(&commit.stream).map_or_else(
            || (GENESIS_HASH.to_owned(), StreamVersion(0)),
            |tip| (tip.hash.clone(), tip.version),
        );
        if commit.prev_hash != prev_hash {
            return Err(Finding::BrokenLink {
                commit_id: commit.commit_id,
                position: commit.position,
                stream: commit.stream.clone(),
                prev_hash: commit.prev_hash.clone(),
                expected: prev_hash,
            });
        }
        // Computed without underflow: a tampered commit may claim fewer versions than events.
        let first = commit
            .stream_version
            .0
            .checked_sub(commit.events.len() as u64)
            .filter(|_| !commit.events.is_empty());
        if first != Some(version.0) {
            return Err(Finding::VersionGap {
                commit_id: commit.commit_id,
                position: commit.position,
                stream: commit.stream.clone(),
                found: StreamVersion(first.unwrap_or(commit.stream_version.0)),
                expected: version,
            });
        }
        self.check_integrity_events(commit)?;
        self.tips.insert(
            commit.stream.clone(),
            Tip {
                hash: commit.hash.clone(),
                version: commit.stream_version,
            },
        );
        let leaf = leaf_hash(&commit.hash).expect("a hash that matched its computation is hex");
        self.tree.push(leaf);
        self.check_witnesses_at(commit.position)?;
        self.last = commit.position;
        self.commits += 1;
        Ok(())
    }

    /// The signature, then the keys and checkpoints the commit records.
    fn check_integrity_events(&mut self, commit: &Commit) -> Result<(), Finding> {
        let position = commit.position;
        let forged = |problem: String| Finding::Forged {
            commit_id: commit.commit_id,
            position,
            problem,
        };
        let payload = |event: &crate::envelope::EventRecord, field: &str| {
            event
                .payload
                .get(field)
                .cloned()
                .ok_or_else(|| Finding::BadSignature {
                    position,
                    problem: format!("its {} event has no {field}", event.event_type),
                })
        };
        // The log's first key signs the commit that adds it; after that, the keys the log
        // already signs with sign every commit, including the one adding the next key.
        if self.keys.is_empty() {
            let added = commit
                .events
                .iter()
                .find(|event| event.event_type == KEY_ADDED);
            match added {
                Some(event) => {
                    let text = payload(event, "key")?;
                    let key =
                        PublicKey::parse(text.as_str().unwrap_or_default()).map_err(|err| {
                            Finding::BadSignature {
                                position,
                                problem: format!("the key it adds cannot be read: {err}"),
                            }
                        })?;
                    if let Some(trusted) = &self.trusted {
                        if !trusted.all().any(|known| known == &key) {
                            return Err(Finding::UntrustedKey {
                                position,
                                key: key.text().to_owned(),
                            });
                        }
                    }
                    KeyRing::of([key])
                        .check_commit(&commit.hash, commit.signature.as_ref())
                        .map_err(|problem| forged(problem.to_string()))?;
                    self.signed_from = Some(position);
                }
                None if commit.signature.is_some() => {
                    return Err(forged(
                        "it is signed, but the log had recorded no key to sign with".into(),
                    ))
                }
                None => {}
            }
        } else if commit
            .events
            .iter()
            .any(|e| e.event_type == KEY_ADDED || e.event_type == KEY_RETIRED)
        {
            // The keys are about to change: what was signed before is judged by the keys as
            // they were, and this commit by the keys it was signed under.
            self.check_pending()?;
            self.keys
                .check_commit(&commit.hash, commit.signature.as_ref())
                .map_err(|problem| forged(problem.to_string()))?;
        } else if self.every_signature {
            self.keys
                .check_commit(&commit.hash, commit.signature.as_ref())
                .map_err(|problem| forged(problem.to_string()))?;
        } else {
            // What costs nothing is checked now: a signature removed or given to another key.
            self.keys
                .check_form(commit.signature.as_ref())
                .map_err(|problem| forged(problem.to_string()))?;
            self.pending.push(Pending {
                position,
                commit_id: commit.commit_id,
                hash: commit.hash.clone(),
                signature: commit.signature.clone(),
            });
            if self.pending.len() >= PENDING_LIMIT {
                self.check_pending()?;
            }
        }
        for event in &commit.events {
            match event.event_type.as_str() {
                KEY_ADDED | KEY_RETIRED => {
                    let text = payload(event, "key")?;
                    let key =
                        PublicKey::parse(text.as_str().unwrap_or_default()).map_err(|err| {
                            Finding::BadSignature {
                                position,
                                problem: format!("the key it records cannot be read: {err}"),
                            }
                        })?;
                    if event.event_type == KEY_ADDED {
                        self.keys.add(key);
                    } else {
                        self.keys.retire(&key);
                    }
                }
                CHECKPOINT => {
                    let note = payload(event, "checkpoint")?;
                    self.check_recorded_checkpoint(position, note.as_str().unwrap_or_default())?;
                }
                SET_ASIDE => {
                    let at = payload(event, "position")?.as_u64().map(Position);
                    if let Some(i) = self.unexplained.iter().position(|u| Some(u.position) == at) {
                        let set_aside = self.unexplained.remove(i);
                        self.set_aside.push(set_aside.position);
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// A checkpoint recorded at `position` covers exactly the commits before it.
    fn check_recorded_checkpoint(&mut self, position: Position, note: &str) -> Result<(), Finding> {
        let checkpoint =
            open_checkpoint(note, &self.keys).map_err(|err| Finding::BadSignature {
                position,
                problem: format!("the checkpoint recorded here does not verify: {err}"),
            })?;
        let computed = self.tree.root();
        if checkpoint.size != self.tree.size() || checkpoint.root != computed {
            // A forged commit among those it covers is the better name for what is wrong.
            self.check_pending()?;
            return Err(Finding::CheckpointMismatch {
                origin: format!("recorded at position {position}"),
                size: checkpoint.size,
                before: self.tree.size(),
                signed: checkpoint.root_hex(),
                computed: format!("{} over {} commits", hash_hex(&computed), self.tree.size()),
            });
        }
        // Every commit it covers is the commit the key vouched for when it signed (a checkpoint
        // is signed only over commits whose signatures held): their own signatures need no
        // second look. The checkpoint's own commit waits for the next one.
        self.pending.retain(|p| p.position.0 > checkpoint.size);
        self.checkpoints += 1;
        self.latest = Some(CheckpointSeen {
            size: checkpoint.size,
            root: checkpoint.root_hex(),
            note: checkpoint.note,
        });
        Ok(())
    }

    /// Exported checkpoints of exactly the commits checked so far.
    fn check_witnesses_at(&self, position: Position) -> Result<(), Finding> {
        let mut here = self
            .witnesses
            .iter()
            .filter(|w| w.checkpoint.size == position.0)
            .peekable();
        // The root hashes a node per level of the tree: only worth it where a witness stands.
        if here.peek().is_none() {
            return Ok(());
        }
        let computed = self.tree.root();
        for witness in here {
            if witness.checkpoint.root != computed {
                return Err(Finding::CheckpointMismatch {
                    origin: witness.origin.clone(),
                    size: witness.checkpoint.size,
                    before: witness.checkpoint.size,
                    signed: witness.checkpoint.root_hex(),
                    computed: hash_hex(&computed),
                });
            }
        }
        Ok(())
    }

    /// Checks the signatures of the commits no checkpoint has covered yet, in order.
    fn check_pending(&mut self) -> Result<(), Finding> {
        for pending in std::mem::take(&mut self.pending) {
            self.keys
                .check_commit(&pending.hash, pending.signature.as_ref())
                .map_err(|problem| Finding::Forged {
                    commit_id: pending.commit_id,
                    position: pending.position,
                    problem: problem.to_string(),
                })?;
        }
        Ok(())
    }

    /// At the end of the log: the signatures of the commits after the last checkpoint, and an
    /// exported checkpoint beyond the end means commits are gone.
    pub fn finish(&mut self) -> Result<(), Finding> {
        if let Some(finding) = self.waiting() {
            return Err(finding);
        }
        // A verifier told which key to trust is not satisfied by a log that signs with none.
        if self.trusted.is_some() && self.signed_from.is_none() {
            return Err(Finding::UntrustedKey {
                position: Position(self.last.0 + 1),
                key: "no key at all".into(),
            });
        }
        match self.witnesses.last() {
            Some(witness) if witness.checkpoint.size > self.last.0 => Err(Finding::Truncated {
                origin: witness.origin.clone(),
                size: witness.checkpoint.size,
                head: self.last,
            }),
            _ => Ok(()),
        }
    }

    /// The Merkle tree head over the commits checked so far.
    pub fn root(&self) -> String {
        hash_hex(&self.tree.root())
    }

    /// The position of the first signed commit, if the log signs.
    pub fn signed_from(&self) -> Option<Position> {
        self.signed_from
    }

    /// The signed checkpoints recorded in the log and matched so far.
    pub fn checkpoints(&self) -> u64 {
        self.checkpoints
    }

    /// The latest of them.
    pub fn latest_checkpoint(&self) -> Option<&CheckpointSeen> {
        self.latest.as_ref()
    }

    /// The commits that cannot be read and were set aside by an admin, passed over so far.
    pub fn set_aside(&self) -> &[Position] {
        &self.set_aside
    }

    /// The keys the log signs with now.
    pub fn keys(&self) -> &KeyRing {
        &self.keys
    }

    /// Commits checked so far.
    pub fn commits(&self) -> u64 {
        self.commits
    }

    /// Streams seen so far.
    pub fn streams(&self) -> usize {
        self.tips.len()
    }

    /// The position of the last commit checked.
    pub fn last(&self) -> Position {
        self.last
    }
}

/// What a verification of the whole log found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogVerification {
    /// Commits checked (up to the first finding).
    pub commits: u64,
    /// Streams seen.
    pub streams: usize,
    /// The position of the last commit in the log when the verification started.
    pub head: Position,
    /// The first thing wrong, if anything is.
    pub finding: Option<Finding>,
    /// The Merkle tree head over the commits checked.
    pub root: String,
    /// Where the log began signing its commits (`None`: it has no key yet).
    pub signed_from: Option<Position>,
    /// Signed checkpoints in the log, each matched against the commits it covers.
    pub checkpoints: u64,
    /// The latest of them.
    pub latest_checkpoint: Option<CheckpointSeen>,
    /// Commits that cannot be read, passed over because an admin set them aside.
    pub set_aside: Vec<Position>,
    /// The position verification started after: 0, or the size of the signed checkpoint it
    /// started from (the commits it covers were not read again).
    pub started_after: Position,
}

impl LogVerification {
    /// Whether the log verified.
    pub fn verified(&self) -> bool {
        self.finding.is_none()
    }
}

/// Checks entries in order; bytes that are no commit are passed over with their stored
/// digest (the finding, unless an admin's setting aside of them follows).
async fn check_entries(
    store: &dyn EventStore,
    verifier: &mut LogVerifier,
    entries: Vec<Entry>,
) -> Result<Result<(), Finding>, ReadError> {
    for entry in entries {
        let (position, problem, digest) = match entry {
            Entry::Commit(commit) => {
                if let Some(version) = verifier.needs_anchor(&commit) {
                    let previous = store.read_stream(&commit.stream).await?;
                    if let Some(previous) = previous.iter().find(|c| c.stream_version == version) {
                        verifier.anchor(previous);
                    }
                }
                match verifier.step(&commit) {
                    Ok(Step::Checked) => continue,
                    Ok(Step::Unsealed(problem)) => (
                        commit.position,
                        problem,
                        store.stored_digest(commit.position).await?,
                    ),
                    Err(finding) => return Ok(Err(finding)),
                }
            }
            Entry::Unreadable {
                position,
                problem,
                digest,
            } => (position, problem, digest),
        };
        let passed = match digest {
            Some(digest) => verifier.pass_over(position, &digest, problem),
            None => Err(Finding::Unreadable { position, problem }),
        };
        if let Err(finding) = passed {
            return Ok(Err(finding));
        }
    }
    Ok(Ok(()))
}

/// Verifies the log from its first commit to its head (as it was when this started), telling
/// `progress` the position reached after every batch. Stops at the first finding.
pub async fn verify_log(
    store: &dyn EventStore,
    progress: impl FnMut(Position, Position),
) -> Result<LogVerification, ReadError> {
    verify_log_with(store, LogVerifier::new(), progress).await
}

/// Like [`verify_log`], with a verifier set up to trust given keys or to check exported
/// checkpoints too.
pub async fn verify_log_with(
    store: &dyn EventStore,
    mut verifier: LogVerifier,
    mut progress: impl FnMut(Position, Position),
) -> Result<LogVerification, ReadError> {
    let head = store.head().await?;
    let started = verifier.started_after();
    let early = verifier.check_start().err().or_else(|| {
        (started > head).then(|| Finding::Truncated {
            origin: "verification was asked to start from".to_owned(),
            size: started.0,
            head,
        })
    });
    let finding = match early {
        Some(finding) => Some(finding),
        None => loop {
            let after = verifier.last();
            if after >= head {
                break None;
            }
            let limit = BATCH.min((head.0 - after.0) as usize);
            let entries = read_entries(store, after, limit).await?;
            if entries.is_empty() {
                // The head said there was more: commits below it are gone.
                break Some(Finding::Missing {
                    expected: Position(after.0 + 1),
                    found: head,
                });
            }
            if let Err(finding) = check_entries(store, &mut verifier, entries).await? {
                break Some(finding);
            }
            progress(verifier.last(), head);
        },
    };
    let finding = finding.or_else(|| verifier.finish().err());
    Ok(LogVerification {
        commits: verifier.commits(),
        streams: verifier.streams(),
        head,
        finding,
        root: verifier.root(),
        signed_from: verifier.signed_from(),
        checkpoints: verifier.checkpoints(),
        latest_checkpoint: verifier.latest_checkpoint().cloned(),
        set_aside: verifier.set_aside().to_vec(),
        started_after: started,
    })
}

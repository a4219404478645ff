//! The randomized tamper test on a signed, checkpointed log: 1,000 random tamperings of one
//! generated embedded log whose commits the log's key signs, with a signed checkpoint recorded
//! in it every 7 generated commits and one at the end, the last also given to the verifier as
//! an exported checkpoint (a witness). Every one is detected, and the position named lies
//! between the first position the tampering touched and the first checkpoint covering it
//! (its size + 1, the checkpoint's own commit), or the head + 1 where nothing covers it.
//!
//! The log: the key's `SigningKeyAdded` at position 1, then the unsigned test's 60 generated
//! commits on 6 streams, with the checkpoints among them (70 commits). Checkpoints are built
//! as `scoreledger_service::checkpoints::record_checkpoint` builds them: signed over the
//! tree of every commit so far, decided through `prepare` and appended directly after them.
//!
//! Tamperings: every one of the unsigned test (`random_tamper`), plus what only a signed log
//! can show: a value changed and the commit's hash recomputed (a forger who can hash but has
//! no key); two commits of different streams swapped with no commit of either stream between
//! them (every stream's own sequence intact); a stream's last commit deleted and the
//! positions after it renumbered; the tail cut off (1 to all commits); a byte of a commit's
//! signature flipped, its signature removed, or another commit's signature copied onto it;
//! a byte of a recorded checkpoint's note changed and its commit's hash recomputed. A copy of
//! a commit inserted (the unsigned test's `Copied`) carries its signature.
//!
//! Before the random cases, fixed ones, with the verifier as `scoreledger verify` runs it: any
//! change to a signature no checkpoint vouches for (the first key's commit, the last
//! checkpoint's) is `forged` there; a signature removed, given to another key or rewritten in
//! upper case is `forged` even where a checkpoint covers the commit (`KeyRing::check_form`);
//! and a checkpoint moved one place later is named right after the commits it covers.
//!
//! The random cases run the verifier checking every signature as it comes
//! (`LogVerifier::checking_every_signature`, `verify --all-signatures`): by default a matching
//! checkpoint vouches for the signatures of the commits it covers, whose hashed contents it
//! pins (their cost, see `BENCHMARKS.md`), so a signature altered in place there is found only
//! so.
//!
//! Left out, counted and printed, each decided from the tampering alone:
//! - changes that do not change the commit read back (as in the unsigned test);
//! - the last commit cut off, when it is the last checkpoint's own commit: the witness is
//!   that checkpoint, so the log left is exactly the log it vouches for.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::Value;

use scoreledger_domain::{Actor, Command, DomainEvent, Role};
use scoreledger_integrity::{
    hash_hex, leaf_hash, open_checkpoint, sign_checkpoint, Frontier, KeyRing, LogKey,
    SignedCheckpoint,
};
use scoreledger_store::{
    checkpoints_stream, keys_stream, prepare, verify_log_with, Commit, EventStore, ExpectedVersion,
    Finding, LogVerifier, ManualClock, NewCommit, Position, Request, SqliteStore, StreamVersion,
    Witness, CHECKPOINTS_STREAM,
};
use scoreledger_testkit::{performance_officer, q3_scorecard_day};

use crate::random_tamper::{
    cases, generated_commits, read_back, renumbered, store_rows, swap, take_rows, tampered, Case,
    GeneratedLog, Row, Tampering as Unsigned, READS_BACK_THE_SAME, TAMPERINGS as UNSIGNED,
};

const CASES: u32 = 1_000;
/// Generated commits between two checkpoints.
const CHECKPOINT_EVERY: usize = 7;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Tampering {
    Unsigned(Unsigned),
    ValueChangedResealed,
    SwappedKeepingStreams,
    LastOfStreamDeleted,
    TailCut,
    SignatureByteFlipped,
    SignatureRemoved,
    SignatureCopied,
    CheckpointNoteChanged,
}

const TAMPERINGS: [Tampering; 15] = [
    Tampering::Unsigned(UNSIGNED[0]),
    Tampering::Unsigned(UNSIGNED[1]),
    Tampering::Unsigned(UNSIGNED[2]),
    Tampering::Unsigned(UNSIGNED[3]),
    Tampering::Unsigned(UNSIGNED[4]),
    Tampering::Unsigned(UNSIGNED[5]),
    Tampering::Unsigned(UNSIGNED[6]),
    Tampering::ValueChangedResealed,
    Tampering::SwappedKeepingStreams,
    Tampering::LastOfStreamDeleted,
    Tampering::TailCut,
    Tampering::SignatureByteFlipped,
    Tampering::SignatureRemoved,
    Tampering::SignatureCopied,
    Tampering::CheckpointNoteChanged,
];

const LAST_CHECKPOINT_CUT: &str = "only the last checkpoint's own commit is gone";

/// The signed template: its rows and the sizes of the checkpoints recorded in it, in order.
struct Template {
    rows: Vec<Row>,
    checkpoints: Vec<u64>,
    witness: Witness,
}

async fn write_signed_template(path: &Path) -> Template {
    let key = Arc::new(LogKey::generate("scoreledger.test/tamper").expect("a key"));
    let store = SqliteStore::open(path, Arc::new(ManualClock::new(q3_scorecard_day())))
        .await
        .expect("a fresh embedded log")
        .with_key(key.clone());
    store
        .append(NewCommit::new(
            keys_stream(),
            ExpectedVersion::Exact(StreamVersion(0)),
            performance_officer(),
            vec![DomainEvent::SigningKeyAdded {
                key: key.public().text().to_owned(),
            }],
        ))
        .await
        .expect("the key is recorded");
    let mut log = GeneratedLog::default();
    let mut checkpoints = Vec::new();
    let generated = generated_commits();
    let last = generated.len() - 1;
    for (n, commit) in generated.into_iter().enumerate() {
        log.append(&store, commit).await;
        if (n + 1) % CHECKPOINT_EVERY == 0 || n == last {
            checkpoints.push(record_checkpoint(&store, &key).await);
        }
    }
    let witness = Witness {
        origin: "exported".into(),
        checkpoint: checkpoints.last().expect("a checkpoint").clone(),
    };
    Template {
        rows: take_rows(store).await,
        checkpoints: checkpoints.iter().map(|c| c.size).collect(),
        witness,
    }
}

/// A checkpoint of every commit so far, recorded directly after them, as the service records
/// one (`scoreledger_service::checkpoints::record_checkpoint`).
async fn record_checkpoint(store: &SqliteStore, key: &LogKey) -> SignedCheckpoint {
    let commits = store
        .read_all(Position(0), 10_000)
        .await
        .expect("the log reads");
    let mut frontier = Frontier::new();
    for commit in &commits {
        frontier.push(leaf_hash(&commit.hash).expect("a stored hash is hex"));
    }
    let head = commits.len() as u64;
    let note = sign_checkpoint(key, head, frontier.root());
    let command = Command::RecordCheckpoint {
        checkpoint: note.clone(),
        frontier: frontier.nodes().iter().map(hash_hex).collect(),
    };
    let service = Actor::new("scoreledger", "Scoreledger (the service)", Role::Admin);
    let mut commit = prepare(
        store,
        &checkpoints_stream(),
        &[command],
        &Request::new(service),
    )
    .await
    .expect("a checkpoint decided");
    commit.directly_after = Some(Position(head));
    store
        .append(commit)
        .await
        .expect("the checkpoint lands after the commits it covers");
    open_checkpoint(&note, &KeyRing::of([key.public().clone()])).expect("a checkpoint opens")
}

/// The stored envelope as JSON, changed by `change`, and written back.
fn edit(row: &mut Row, change: impl FnOnce(&mut Value)) {
    let mut value: Value = serde_json::from_str(&row.envelope).expect("JSON");
    change(&mut value);
    row.envelope = value.to_string();
}

/// The commit's hash recomputed over what it now holds, as a forger who can hash would
/// leave it (unchanged if it no longer reads as a commit).
fn resealed(row: &mut Row) {
    if let Ok(mut commit) = serde_json::from_str::<Commit>(&row.envelope) {
        commit.hash = commit.compute_hash();
        row.envelope = serde_json::to_string(&commit).expect("a commit serialises");
    }
}

/// What is done to a commit's signature.
#[derive(Debug, Clone, Copy)]
enum SignatureChange {
    /// One bit of one of the signature's bytes flipped.
    ByteFlipped {
        byte: usize,
        bit: u8,
    },
    Removed,
    /// Its first letter written in upper case: hexadecimal that decodes to the same bytes.
    LetterUppercased,
    /// The signature of the commit at this index.
    CopiedFrom(usize),
}

fn change_signature(rows: &mut [Row], at: usize, change: SignatureChange) {
    let copied = match change {
        SignatureChange::CopiedFrom(from) => {
            let from: Value = serde_json::from_str(&rows[from].envelope).expect("JSON");
            Some(from["signature"].clone())
        }
        _ => None,
    };
    edit(&mut rows[at], |value| match change {
        SignatureChange::ByteFlipped { byte, bit } => {
            let signature = &mut value["signature"]["signature"];
            let mut bytes =
                hex::decode(signature.as_str().expect("a signature")).expect("a signature is hex");
            bytes[byte] ^= 1 << bit;
            *signature = Value::String(hex::encode(bytes));
        }
        SignatureChange::LetterUppercased => {
            let signature = &mut value["signature"]["signature"];
            let mut text = signature.as_str().expect("a signature").to_owned();
            let letter = text
                .find(|c: char| c.is_ascii_alphabetic())
                .expect("128 hexadecimal digits hold a letter");
            text.replace_range(letter..=letter, &text[letter..=letter].to_uppercase());
            *signature = Value::String(text);
        }
        SignatureChange::Removed => {
            value
                .as_object_mut()
                .expect("an envelope")
                .remove("signature")
                .expect("a signed commit");
        }
        SignatureChange::CopiedFrom(_) => {
            value["signature"] = copied.expect("read above");
        }
    });
}

/// Pairs of commits of different streams with no commit of either stream between them.
fn swappable_keeping_streams(rows: &[Row]) -> Vec<(usize, usize)> {
    let mut pairs = Vec::new();
    for i in 0..rows.len() {
        for j in i + 1..rows.len() {
            if rows[j].stream == rows[i].stream {
                break;
            }
            if rows[i + 1..j]
                .iter()
                .all(|r| r.stream != rows[i].stream && r.stream != rows[j].stream)
            {
                pairs.push((i, j));
            }
        }
    }
    pairs
}

/// Applies `case` to the template's rows, or says why the case is left out.
fn apply(template: &Template, case: &Case<Tampering>) -> Result<Vec<Row>, &'static str> {
    let rows = &template.rows;
    let mut out = rows.clone();
    let i = case.a.index(rows.len());
    match case.tampering {
        Tampering::Unsigned(unsigned) => {
            out = tampered(
                rows,
                &Case {
                    tampering: unsigned,
                    a: case.a,
                    b: case.b,
                    c: case.c,
                    bit: case.bit,
                },
            )?;
        }
        Tampering::ValueChangedResealed => {
            out = tampered(
                rows,
                &Case {
                    tampering: Unsigned::ValueChanged,
                    a: case.a,
                    b: case.b,
                    c: case.c,
                    bit: case.bit,
                },
            )?;
            resealed(&mut out[i]);
        }
        Tampering::SwappedKeepingStreams => {
            let (x, y) = *case.a.get(&swappable_keeping_streams(rows));
            swap(&mut out, x, y);
        }
        Tampering::LastOfStreamDeleted => {
            let mut last: BTreeMap<&str, usize> = BTreeMap::new();
            for (k, row) in rows.iter().enumerate() {
                last.insert(&row.stream, k);
            }
            let lasts: Vec<usize> = last.into_values().collect();
            out.remove(*case.b.get(&lasts));
            out = renumbered(out);
        }
        Tampering::TailCut => out.truncate(rows.len() - (i + 1)),
        Tampering::SignatureByteFlipped
        | Tampering::SignatureRemoved
        | Tampering::SignatureCopied => {
            let others: Vec<usize> = (0..rows.len()).filter(|&k| k != i).collect();
            let change = match case.tampering {
                Tampering::SignatureByteFlipped => SignatureChange::ByteFlipped {
                    byte: case.b.index(64),
                    bit: case.bit,
                },
                Tampering::SignatureRemoved => SignatureChange::Removed,
                _ => SignatureChange::CopiedFrom(*case.b.get(&others)),
            };
            change_signature(&mut out, i, change);
        }
        Tampering::CheckpointNoteChanged => {
            let recorded: Vec<usize> = (0..rows.len())
                .filter(|&k| rows[k].stream == CHECKPOINTS_STREAM)
                .collect();
            let at = *case.a.get(&recorded);
            edit(&mut out[at], |value| {
                let note = &mut value["events"][0]["payload"]["checkpoint"];
                let mut bytes = note.as_str().expect("a note").as_bytes().to_vec();
                // The note's signature lines open with an em dash: its bytes stay as they are.
                let ascii: Vec<usize> = (0..bytes.len()).filter(|&k| bytes[k].is_ascii()).collect();
                bytes[*case.b.get(&ascii)] ^= 1 << case.bit;
                *note = Value::String(String::from_utf8(bytes).expect("an ASCII note stays ASCII"));
            });
            resealed(&mut out[at]);
        }
    }
    if out.len() + 1 == rows.len() && same_rows(&out, rows) {
        return Err(LAST_CHECKPOINT_CUT);
    }
    // A resealed change to the stored hash itself is undone by the resealing.
    let reads_back = |rows: &[Row]| -> Vec<Option<Commit>> {
        rows.iter()
            .map(|row| read_back(&row.envelope, row.position))
            .collect()
    };
    if out.len() == rows.len() && reads_back(&out) == reads_back(rows) {
        return Err(READS_BACK_THE_SAME);
    }
    Ok(out)
}

/// Whether `rows` hold what the first of `template`'s rows hold, at the same positions.
fn same_rows(rows: &[Row], template: &[Row]) -> bool {
    first_touched(rows, template) > rows.len() as u64
}

/// The first position whose row the tampering changed, removed or added (1-based).
fn first_touched(rows: &[Row], template: &[Row]) -> u64 {
    let differs = rows
        .iter()
        .zip(template)
        .position(|(r, t)| r.position != t.position || r.envelope != t.envelope);
    differs.unwrap_or(rows.len().min(template.len())) as u64 + 1
}

/// Where the verifier may name a tampering first touching `first`: from there to the commit
/// of the first checkpoint covering it, or one past the head if none does.
fn expected_range(template: &Template, first: u64) -> std::ops::RangeInclusive<u64> {
    let last = template
        .checkpoints
        .iter()
        .find(|&&size| size >= first)
        .map_or(template.rows.len() as u64 + 1, |size| size + 1);
    first..=last
}

#[test]
fn a_thousand_random_tamperings_of_a_signed_log_are_all_found_in_range() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("log.db");
    let template = runtime.block_on(write_signed_template(&path));
    let store = runtime
        .block_on(SqliteStore::open(
            &path,
            Arc::new(ManualClock::new(q3_scorecard_day())),
        ))
        .expect("the log reopens");
    let verifier = LogVerifier::new().with_witnesses(vec![template.witness.clone()]);
    let with = |verifier: &LogVerifier, rows: &[Row]| {
        runtime.block_on(store_rows(&store, rows));
        runtime
            .block_on(verify_log_with(&store, verifier.clone(), |_, _| {}))
            .expect("the log reads")
    };
    let verify = |rows: &[Row]| with(&verifier, rows);
    let every_signature = verifier.clone().checking_every_signature();

    // The harness itself: the template as written verifies, every checkpoint matched.
    let clean = verify(&template.rows);
    assert!(clean.verified(), "{clean:?}");
    assert_eq!(clean.commits, template.rows.len() as u64);
    assert_eq!(clean.signed_from, Some(Position(1)));
    assert_eq!(clean.checkpoints, template.checkpoints.len() as u64);
    assert_eq!(
        template.checkpoints.last(),
        Some(&(template.rows.len() as u64 - 1)),
        "the last checkpoint is the log's last commit"
    );
    // The signatures no checkpoint vouches for, of the first key's commit and of the last
    // checkpoint's, are each checked: any change to them is a forgery named there.
    let last = template.rows.len() - 1;
    for (at, from) in [(0, last), (last, 0)] {
        for change in [
            SignatureChange::ByteFlipped { byte: 0, bit: 0 },
            SignatureChange::ByteFlipped { byte: 63, bit: 7 },
            SignatureChange::Removed,
            SignatureChange::LetterUppercased,
            SignatureChange::CopiedFrom(from),
            SignatureChange::CopiedFrom(at.abs_diff(1)),
        ] {
            let mut rows = template.rows.clone();
            change_signature(&mut rows, at, change);
            let finding = verify(&rows).finding;
            assert!(
                matches!(&finding, Some(Finding::Forged { position, .. }) if position.0 == at as u64 + 1),
                "{change:?} at {at}: {finding:?}"
            );
        }
    }

    // Where a checkpoint covers the commit, a signature removed, or rewritten in another case
    // (decoding to the same bytes), is still found as it is read.
    let covered = template.checkpoints[0] as usize - 2;
    for change in [SignatureChange::Removed, SignatureChange::LetterUppercased] {
        let mut rows = template.rows.clone();
        change_signature(&mut rows, covered, change);
        let finding = verify(&rows).finding;
        assert!(
            matches!(&finding, Some(Finding::Forged { position, .. }) if position.0 == covered as u64 + 1),
            "{change:?} at {covered}: {finding:?}"
        );
    }

    // A checkpoint moved one place later, behind a commit it does not cover, is named right
    // after the commits it does cover, which are intact.
    let first = template.checkpoints[0];
    let mut moved = template.rows.clone();
    swap(&mut moved, first as usize, first as usize + 1);
    let finding = verify(&moved).finding;
    assert!(
        matches!(&finding, Some(f @ Finding::CheckpointMismatch { .. }) if f.position().0 == first + 1),
        "{finding:?}"
    );

    let found: RefCell<BTreeMap<(Tampering, &'static str), u32>> = RefCell::default();
    let left_out: RefCell<BTreeMap<(Tampering, &'static str), u32>> = RefCell::default();
    let mut runner = TestRunner::new(Config {
        cases: CASES,
        max_global_rejects: 10 * CASES,
        failure_persistence: None,
        ..Config::default()
    });
    let started = std::time::Instant::now();
    let result = runner.run(&cases(&TAMPERINGS), |case| {
        let rows = match apply(&template, &case) {
            Ok(rows) => rows,
            Err(why) => {
                *left_out
                    .borrow_mut()
                    .entry((case.tampering, why))
                    .or_default() += 1;
                return Err(TestCaseError::reject(why));
            }
        };
        let range = expected_range(&template, first_touched(&rows, &template.rows));
        let verification = with(&every_signature, &rows);
        let finding = verification
            .finding
            .ok_or_else(|| TestCaseError::fail(format!("{case:?} was not detected")))?;
        prop_assert!(
            range.contains(&finding.position().0),
            "{:?}: {} is not in {:?}",
            case,
            finding,
            range
        );
        *found
            .borrow_mut()
            .entry((case.tampering, finding.kind()))
            .or_default() += 1;
        Ok(())
    });
    // Put the log back, so that a failure above is not followed by a misleading state.
    runtime.block_on(store_rows(&store, &template.rows));
    if let Err(err) = result {
        panic!("{err}");
    }
    let (found, left_out) = (found.into_inner(), left_out.into_inner());
    let detected: u32 = found.values().sum();
    println!(
        "{detected} tamperings of the signed log detected in range in {:.1?}; found: {found:?}; left out: {left_out:?}",
        started.elapsed()
    );
    assert!(detected >= CASES, "{detected} cases ran");
    // Every tampering was tried; each one that can be detected on every commit was found.
    for tampering in TAMPERINGS {
        assert!(
            found
                .keys()
                .chain(left_out.keys())
                .any(|(t, _)| *t == tampering),
            "{tampering:?} never ran: {found:?}"
        );
        assert!(
            found.keys().any(|(t, _)| *t == tampering),
            "{tampering:?} was never detected: {found:?}"
        );
    }
    // Few cases change nothing read back; the generator is not mostly idle.
    let same: u32 = left_out
        .iter()
        .filter(|((_, why), _)| *why == READS_BACK_THE_SAME)
        .map(|(_, n)| n)
        .sum();
    assert!(same * 20 < CASES, "{same} cases changed nothing read back");
}

//! A randomized tamper test of `verify_log` on the embedded SQLite log: 1,000 random tamperings
//! of one generated log, every one detected and named at the right position.
//!
//! The log (60 commits of generated events of every kind on 6 streams) is written once; each
//! case replaces the `commits` table's rows with a tampered copy of the template's rows, as an
//! attacker with the file would (triggers dropped, and the table rebuilt without its unique
//! constraints so that a copied commit fits), and verifies through a `SqliteStore`.
//!
//! Tamperings: one value of the stored JSON changed with the JSON kept valid; one byte of the
//! stored JSON flipped (often no longer JSON); one commit deleted, leaving a gap or with the
//! positions after it renumbered; two commits swapped within one stream and across streams;
//! a copy of a commit inserted anywhere (positions renumbered).
//!
//! Left out, because they are undetectable by design of what this verifier checks on a log
//! with no key and no checkpoint:
//! - changes that do not change the commit read back: the envelope's own `position` (the
//!   row's position is what is read), letter case in a UUID, the renamed key of a field that
//!   was null (read as absent); and the row's
//!   other columns (`commit_id`, `stream`, `stream_version`, `recorded_at`, `hash`), which
//!   index the envelope and are never read back as the commit;
//! - rearrangements that leave every stream's own sequence intact (two commits of different
//!   streams with no commit of either stream between them swapped, a stream's last commit
//!   deleted and the positions after it renumbered, the log's tail cut off): positions are not
//!   under the hash (a truncated tail is caught by `read_models_ahead` in
//!   `scoreledger_service::check_log`). `random_tamper_signed` runs the same tamperings and
//!   these on a signed, checkpointed log, where they are caught;
//! - anything inside a `signature`: this log has none (see `random_tamper_signed`).
//!
//! Its machinery (the generated log, rows, tamperings) is shared with `random_tamper_signed`.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::{select, Index};
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use scoreledger_domain::DomainEvent;
use serde_json::Value;
use sqlx::Row as _;

use scoreledger_store::{
    verify_log, Commit, EventStore, ExpectedVersion, ManualClock, NewCommit, Position, SqliteStore,
    StreamId, StreamVersion,
};
use scoreledger_testkit::events::{business_event, Years};
use scoreledger_testkit::{performance_officer, q3_scorecard_day};

const COMMITS: usize = 60;
const STREAMS: usize = 6;
const CASES: u32 = 1_000;
/// Why a change is left out when it changes nothing read back.
pub(crate) const READS_BACK_THE_SAME: &str = "the commit reads back the same";

/// One stored row, and which commit of the template it holds.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub(crate) position: i64,
    commit_id: String,
    pub(crate) stream: String,
    stream_version: i64,
    recorded_at: String,
    pub(crate) envelope: String,
    hash: String,
    origin: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Tampering {
    ValueChanged,
    ByteFlipped,
    Deleted,
    DeletedRenumbered,
    SwappedInStream,
    SwappedAcrossStreams,
    Copied,
}

pub(crate) const TAMPERINGS: [Tampering; 7] = [
    Tampering::ValueChanged,
    Tampering::ByteFlipped,
    Tampering::Deleted,
    Tampering::DeletedRenumbered,
    Tampering::SwappedInStream,
    Tampering::SwappedAcrossStreams,
    Tampering::Copied,
];

/// A tampering and the random choices it makes.
#[derive(Debug, Clone)]
pub(crate) struct Case<T> {
    pub(crate) tampering: T,
    pub(crate) a: Index,
    pub(crate) b: Index,
    pub(crate) c: Index,
    pub(crate) bit: u8,
}

pub(crate) fn cases<T: Clone + std::fmt::Debug + 'static>(
    tamperings: &'static [T],
) -> impl Strategy<Value = Case<T>> {
    (
        select(tamperings),
        any::<Index>(),
        any::<Index>(),
        any::<Index>(),
        0u8..7,
    )
        .prop_map(|(tampering, a, b, c, bit)| Case {
            tampering,
            a,
            b,
            c,
            bit,
        })
}

/// Writes the template log: generated events of every kind, some commits with a reason.
async fn write_template(path: &Path) -> Vec<Row> {
    let store = SqliteStore::open(path, Arc::new(ManualClock::new(q3_scorecard_day())))
        .await
        .expect("a fresh embedded log");
    let mut log = GeneratedLog::default();
    for commit in generated_commits() {
        log.append(&store, commit).await;
    }
    take_rows(store).await
}

/// One generated commit: its stream (of `STREAMS`), its events and its reason.
pub(crate) type Generated = (usize, Vec<DomainEvent>, Option<String>);

/// `COMMITS` generated commits, the same on every run.
pub(crate) fn generated_commits() -> Vec<Generated> {
    let mut runner = TestRunner::deterministic();
    vec(
        (
            0..STREAMS,
            vec(business_event(Years::Recorded), 1..=3),
            option::of("[a-z ]{1,24}"),
        ),
        COMMITS,
    )
    .new_tree(&mut runner)
    .expect("a generated log")
    .current()
}

/// The version each generated stream has reached.
#[derive(Debug, Default)]
pub(crate) struct GeneratedLog {
    versions: [u64; STREAMS],
}

impl GeneratedLog {
    pub(crate) async fn append(
        &mut self,
        store: &SqliteStore,
        (stream, events, reason): Generated,
    ) {
        let id = StreamId(format!("measure-s{stream}"));
        let n = events.len() as u64;
        store
            .append(
                NewCommit::new(
                    id,
                    ExpectedVersion::Exact(StreamVersion(self.versions[stream])),
                    performance_officer(),
                    events,
                )
                .with_reason(reason),
            )
            .await
            .expect("the store takes a generated commit");
        self.versions[stream] += n;
    }
}

/// The log's rows, read; then the attacker's preparation (no append-only triggers, no unique
/// constraints), and the store closed.
pub(crate) async fn take_rows(store: SqliteStore) -> Vec<Row> {
    let rows = sqlx::query("SELECT * FROM commits ORDER BY position")
        .fetch_all(store.pool())
        .await
        .expect("the rows read");
    let rows = rows
        .iter()
        .enumerate()
        .map(|(origin, r)| Row {
            position: r.get("position"),
            commit_id: r.get("commit_id"),
            stream: r.get("stream"),
            stream_version: r.get("stream_version"),
            recorded_at: r.get("recorded_at"),
            envelope: r.get("envelope"),
            hash: r.get("hash"),
            origin,
        })
        .collect();
    let mut conn = store.pool().acquire().await.expect("a connection");
    for sql in [
        "DROP TRIGGER commits_are_never_updated",
        "DROP TRIGGER commits_are_never_deleted",
        "CREATE TABLE loose (position INTEGER PRIMARY KEY, commit_id TEXT, stream TEXT, \
         stream_version INTEGER, recorded_at TEXT, envelope TEXT, hash TEXT)",
        "DROP TABLE commits",
        "ALTER TABLE loose RENAME TO commits",
    ] {
        sqlx::query(sql)
            .execute(&mut *conn)
            .await
            .unwrap_or_else(|err| panic!("{sql}: {err}"));
    }
    drop(conn);
    store.pool().close().await;
    rows
}

/// Replaces the log's rows with `rows`, in one transaction.
pub(crate) async fn store_rows(store: &SqliteStore, rows: &[Row]) {
    let mut tx = store.pool().begin().await.expect("a transaction");
    sqlx::query("DELETE FROM commits")
        .execute(&mut *tx)
        .await
        .expect("emptied");
    for row in rows {
        sqlx::query(
            "INSERT INTO commits (position, commit_id, stream, stream_version, recorded_at, envelope, hash) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(row.position)
        .bind(&row.commit_id)
        .bind(&row.stream)
        .bind(row.stream_version)
        .bind(&row.recorded_at)
        .bind(&row.envelope)
        .bind(&row.hash)
        .execute(&mut *tx)
        .await
        .expect("a row written");
    }
    tx.commit().await.expect("committed");
}

pub(crate) fn renumbered(mut rows: Vec<Row>) -> Vec<Row> {
    for (i, row) in rows.iter_mut().enumerate() {
        row.position = i as i64 + 1;
    }
    rows
}

/// The first position a verifier of the log's own data must stop at, found without the
/// hashes: positions must follow on from 1, and every commit must come right after the commit
/// of its stream that preceded it in the log as written. `None`: every stream's own sequence
/// is intact, so nothing but the log order changed (left out, see the module's comment).
fn first_break(rows: &[Row], preceding: &[Option<usize>]) -> Option<u64> {
    let mut last = 0i64;
    let mut tips: BTreeMap<&str, usize> = BTreeMap::new();
    for row in rows {
        if row.position != last + 1 {
            return Some(last as u64 + 1);
        }
        if tips.get(row.stream.as_str()).copied() != preceding[row.origin] {
            return Some(row.position as u64);
        }
        tips.insert(&row.stream, row.origin);
        last = row.position;
    }
    None
}

/// Every leaf of a JSON value, as the path to it; nothing under a `signature` key.
pub(crate) fn leaves(value: &Value, path: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                if key.contains("signature") {
                    continue;
                }
                path.push(Value::String(key.clone()));
                leaves(child, path, out);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                path.push(Value::from(i));
                leaves(child, path, out);
                path.pop();
            }
        }
        _ => out.push(path.clone()),
    }
}

pub(crate) fn leaf_mut<'v>(value: &'v mut Value, path: &[Value]) -> &'v mut Value {
    path.iter().fold(value, |node, step| match step {
        Value::String(key) => &mut node[key.as_str()],
        Value::Number(i) => &mut node[i.as_u64().expect("an index") as usize],
        _ => unreachable!("paths hold keys and indices"),
    })
}

/// The leaf changed to another value of its type, the JSON kept valid.
pub(crate) fn changed(leaf: &Value, c: Index, bit: u8) -> Value {
    match leaf {
        Value::String(text) => {
            let ascii: Vec<usize> = text
                .char_indices()
                .filter(|(_, ch)| ch.is_ascii())
                .map(|(i, _)| i)
                .collect();
            if ascii.is_empty() {
                return Value::String(format!("{text}x"));
            }
            let at = *c.get(&ascii);
            let mut bytes = text.clone().into_bytes();
            bytes[at] ^= 1 << bit;
            Value::String(String::from_utf8(bytes).expect("an ASCII byte stays ASCII"))
        }
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => Value::from(u.checked_add(1).unwrap_or(u.wrapping_sub(1))),
            (None, Some(i)) => Value::from(i.wrapping_add(1)),
            _ => Value::from(n.as_f64().unwrap_or(0.0) + 1.0),
        },
        Value::Bool(b) => Value::Bool(!b),
        Value::Null => Value::String("x".into()),
        _ => unreachable!("a leaf"),
    }
}

/// The commit an envelope reads back as at `position`, if it reads at all.
pub(crate) fn read_back(envelope: &str, position: i64) -> Option<Commit> {
    let mut commit: Commit = serde_json::from_str(envelope).ok()?;
    commit.position = Position(position as u64);
    Some(commit)
}

/// Applies `case` to the template: the tampered rows and the position the verifier must name,
/// or why the case is left out.
fn tamper(
    template: &[Row],
    preceding: &[Option<usize>],
    case: &Case<Tampering>,
) -> Result<(Vec<Row>, u64), &'static str> {
    let rows = tampered(template, case)?;
    match case.tampering {
        // Any change to what a commit reads back as is found at that commit: the ones
        // before it are untouched, and its hash covers every field but its position.
        Tampering::ValueChanged | Tampering::ByteFlipped => {
            let at = rows[case.a.index(rows.len())].position as u64;
            Ok((rows, at))
        }
        // The copy and the original are the same commit, hash and all: whichever comes
        // second breaks its stream's chain, so that is where the log is named, unless a
        // commit of the stream between them breaks it first.
        _ => match first_break(&rows, preceding) {
            Some(at) => Ok((rows, at)),
            None => Err("every stream's own sequence is intact"),
        },
    }
}

/// The template's rows with `case` applied, or why the case changes nothing read back.
pub(crate) fn tampered(template: &[Row], case: &Case<Tampering>) -> Result<Vec<Row>, &'static str> {
    let mut rows = template.to_vec();
    match case.tampering {
        Tampering::ValueChanged | Tampering::ByteFlipped => {
            let row = &mut rows[case.a.index(template.len())];
            let envelope = if case.tampering == Tampering::ValueChanged {
                let mut value: Value = serde_json::from_str(&row.envelope).expect("JSON");
                let mut paths = Vec::new();
                leaves(&value, &mut Vec::new(), &mut paths);
                let path = case.b.get(&paths);
                let leaf = leaf_mut(&mut value, path);
                *leaf = changed(leaf, case.c, case.bit);
                value.to_string()
            } else {
                let ascii: Vec<usize> = row
                    .envelope
                    .bytes()
                    .enumerate()
                    .filter(|(_, b)| b.is_ascii())
                    .map(|(i, _)| i)
                    .collect();
                let mut bytes = row.envelope.clone().into_bytes();
                bytes[*case.b.get(&ascii)] ^= 1 << case.bit;
                String::from_utf8(bytes).expect("an ASCII byte stays ASCII")
            };
            let before = read_back(&row.envelope, row.position);
            if before.is_some() && read_back(&envelope, row.position) == before {
                return Err(READS_BACK_THE_SAME);
            }
            row.envelope = envelope;
            Ok(rows)
        }
        Tampering::Deleted => {
            rows.remove(case.a.index(rows.len()));
            Ok(rows)
        }
        Tampering::DeletedRenumbered => {
            rows.remove(case.a.index(rows.len()));
            Ok(renumbered(rows))
        }
        Tampering::SwappedInStream => {
            let mut by_stream: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
            for (i, row) in template.iter().enumerate() {
                by_stream.entry(&row.stream).or_default().push(i);
            }
            let streams: Vec<&Vec<usize>> = by_stream.values().filter(|v| v.len() > 1).collect();
            let commits = case.a.get(&streams);
            let x = case.b.index(commits.len());
            let y = (x + 1 + case.c.index(commits.len() - 1)) % commits.len();
            swap(&mut rows, commits[x], commits[y]);
            Ok(rows)
        }
        Tampering::SwappedAcrossStreams => {
            let i = case.a.index(rows.len());
            let others: Vec<usize> = (0..rows.len())
                .filter(|&j| rows[j].stream != rows[i].stream)
                .collect();
            let j = *case.b.get(&others);
            swap(&mut rows, i, j);
            Ok(rows)
        }
        Tampering::Copied => {
            let source = rows[case.a.index(rows.len())].clone();
            rows.insert(case.b.index(rows.len() + 1), source);
            Ok(renumbered(rows))
        }
    }
}

/// Swaps what two rows hold, keeping their positions.
pub(crate) fn swap(rows: &mut [Row], i: usize, j: usize) {
    let (pi, pj) = (rows[i].position, rows[j].position);
    rows.swap(i, j);
    rows[i].position = pi;
    rows[j].position = pj;
}

#[test]
fn a_thousand_random_tamperings_are_all_found_at_the_right_position() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("log.db");
    let template = runtime.block_on(write_template(&path));
    let preceding: Vec<Option<usize>> = template
        .iter()
        .enumerate()
        .map(|(i, row)| template[..i].iter().rposition(|r| r.stream == row.stream))
        .collect();
    let store = runtime
        .block_on(SqliteStore::open(
            &path,
            Arc::new(ManualClock::new(q3_scorecard_day())),
        ))
        .expect("the log reopens");

    // The harness itself: the template's rows, written back as they were, verify.
    runtime.block_on(store_rows(&store, &template));
    let clean = runtime
        .block_on(verify_log(&store, |_, _| {}))
        .expect("the log reads");
    assert!(clean.verified(), "{clean:?}");
    assert_eq!(clean.commits, COMMITS as u64);

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
        let (rows, expected) = match tamper(&template, &preceding, &case) {
            Ok(tampered) => tampered,
            Err(why) => {
                *left_out
                    .borrow_mut()
                    .entry((case.tampering, why))
                    .or_default() += 1;
                return Err(TestCaseError::reject(why));
            }
        };
        runtime.block_on(store_rows(&store, &rows));
        let verification = runtime
            .block_on(verify_log(&store, |_, _| {}))
            .map_err(|err| TestCaseError::fail(format!("the log did not read: {err}")))?;
        let finding = verification
            .finding
            .ok_or_else(|| TestCaseError::fail(format!("{case:?} was not detected")))?;
        prop_assert_eq!(
            finding.position(),
            Position(expected),
            "{:?}: {}",
            case,
            finding
        );
        *found
            .borrow_mut()
            .entry((case.tampering, finding.kind()))
            .or_default() += 1;
        Ok(())
    });
    // Put the log back, so that a failure above is not followed by a misleading state.
    runtime.block_on(store_rows(&store, &template));
    if let Err(err) = result {
        panic!("{err}");
    }
    let (found, left_out) = (found.into_inner(), left_out.into_inner());
    let detected: u32 = found.values().sum();
    println!(
        "{detected} tamperings detected at the right position in {:.1?}; found: {found:?}; left out: {left_out:?}",
        started.elapsed()
    );
    assert!(detected >= CASES, "{detected} cases ran");
    // Every tampering was tried, and each was found at least once.
    for tampering in TAMPERINGS {
        assert!(
            found.keys().any(|(t, _)| *t == tampering),
            "{tampering:?} never ran: {found:?}"
        );
    }
}

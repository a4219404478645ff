//! The replay is the proof: for random histories, the as-at read model at position P
//! equals a fresh replay of the first P commits.

use proptest::prelude::*;
use scoreledger_domain::target::TargetSpec;
use scoreledger_domain::{
    Command, DataQuality, Direction, Period, Position, RevisionClass, Status,
};
use scoreledger_projections::projector::project_commits;
use scoreledger_projections::{drain, snapshot_as_at, snapshot_current};

use scoreledger_testkit::pair::{LogKind, Pair, ReadKind};
use scoreledger_testkit::performance_officer;

use crate::support::{define_measure, define_plan, run, value};

#[derive(Debug, Clone)]
enum Op {
    Record {
        measure: usize,
        quarter: u8,
        amount: u16,
    },
    Revise {
        measure: usize,
        quarter: u8,
        amount: u16,
    },
    Target {
        measure: usize,
        percent: u8,
    },
    Status {
        measure: usize,
        quarter: u8,
        status: usize,
    },
    Direction {
        measure: usize,
        quarter: u8,
        direction: usize,
    },
    Note {
        measure: usize,
        quarter: u8,
        text: u8,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let m = 0..3usize;
    let q = 1..=4u8;
    prop_oneof![
        (m.clone(), q.clone(), 0..500u16).prop_map(|(measure, quarter, amount)| Op::Record {
            measure,
            quarter,
            amount
        }),
        (m.clone(), q.clone(), 0..500u16).prop_map(|(measure, quarter, amount)| Op::Revise {
            measure,
            quarter,
            amount
        }),
        (m.clone(), 1..99u8).prop_map(|(measure, percent)| Op::Target { measure, percent }),
        (m.clone(), q.clone(), 0..6usize).prop_map(|(measure, quarter, status)| Op::Status {
            measure,
            quarter,
            status
        }),
        (m.clone(), q.clone(), 0..4usize).prop_map(|(measure, quarter, direction)| Op::Direction {
            measure,
            quarter,
            direction
        }),
        (m, q, 0..4u8).prop_map(|(measure, quarter, text)| Op::Note {
            measure,
            quarter,
            text
        }),
    ]
}

fn command(op: &Op) -> Command {
    let quarter = |q| Period::quarter(2016, q);
    match *op {
        Op::Record {
            quarter: q, amount, ..
        } => Command::RecordValue {
            period: quarter(q),
            value: value(&format!("{amount}")),
            quality: DataQuality::default(),
        },
        Op::Revise {
            quarter: q, amount, ..
        } => Command::ReviseValue {
            period: quarter(q),
            value: value(&format!("{amount} (revised)")),
            classification: RevisionClass::Correction,
            quality: DataQuality::default(),
        },
        Op::Target { percent, .. } => Command::SetTarget {
            period: Period::financial_year(2016),
            target: TargetSpec::parse(&format!("{percent}%")).unwrap(),
        },
        Op::Status {
            quarter: q, status, ..
        } => Command::AssessStatus {
            period: quarter(q),
            status: Status::ALL[status],
        },
        Op::Direction {
            quarter: q,
            direction,
            ..
        } => Command::AssessDirection {
            period: quarter(q),
            direction: Direction::ALL[direction],
        },
        Op::Note {
            quarter: q, text, ..
        } => Command::EditCommentary {
            period: quarter(q),
            text: format!("note {text}"),
        },
    }
}

fn measure_of(op: &Op) -> usize {
    match *op {
        Op::Record { measure, .. }
        | Op::Revise { measure, .. }
        | Op::Target { measure, .. }
        | Op::Status { measure, .. }
        | Op::Direction { measure, .. }
        | Op::Note { measure, .. } => measure,
    }
}

async fn check_history(
    log: LogKind,
    read: ReadKind,
    ops: Vec<Op>,
    probes: Vec<prop::sample::Index>,
) {
    let mut db = Pair::new(log, read).await;
    define_plan(&db).await;
    let mut streams = Vec::new();
    for (i, reference) in ["1.A1", "1.A2", "1.A10"].iter().enumerate() {
        streams.push(define_measure(&db, 100 + i as u128, reference, "50%").await);
    }
    for op in &ops {
        // Rejected commands (a second record, a revision of nothing…) append nothing.
        let _ = run(
            &db,
            &streams[measure_of(op)],
            command(op),
            performance_officer(),
            Some("test"),
        )
        .await;
    }
    drain(&*db.store, &db.read, 7, |_| {}).await.unwrap();
    let commits = db.store.read_all(Position(0), 10_000).await.unwrap();
    let head = commits.len();
    for probe in probes {
        let p = probe.index(head + 1);
        // A replay sees only the first P commits, projected into fresh read models.
        let replay = db.fresh_read_models().await;
        project_commits(&replay, &commits[..p]).await.unwrap();
        let expected = snapshot_current(&replay).await.unwrap();
        let as_at = snapshot_as_at(&db.read, Position(p as u64)).await.unwrap();
        assert_eq!(
            as_at, expected,
            "{log:?}/{read:?}: as-at read model differs from a replay of the first {p} commits"
        );
    }
}

fn block_on(future: impl std::future::Future<Output = ()>) {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(future);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn the_as_at_read_model_equals_a_fresh_replay_on_sqlite(
        ops in prop::collection::vec(op(), 1..40),
        probes in prop::collection::vec(any::<prop::sample::Index>(), 1..4),
    ) {
        block_on(check_history(LogKind::Sqlite, ReadKind::Sqlite, ops, probes));
    }
}

proptest! {
    // Each case starts a nats-server and creates PostgreSQL databases: fewer cases, same property.
    #![proptest_config(ProptestConfig { cases: 4, ..ProptestConfig::default() })]

    #[test]
    fn the_as_at_read_model_equals_a_fresh_replay_on_sqlite_and_postgres(
        ops in prop::collection::vec(op(), 1..40),
        probes in prop::collection::vec(any::<prop::sample::Index>(), 1..3),
    ) {
        block_on(check_history(LogKind::Sqlite, ReadKind::Postgres, ops, probes));
    }

    #[test]
    fn the_as_at_read_model_equals_a_fresh_replay_on_nats_and_sqlite(
        ops in prop::collection::vec(op(), 1..40),
        probes in prop::collection::vec(any::<prop::sample::Index>(), 1..3),
    ) {
        block_on(check_history(LogKind::Nats, ReadKind::Sqlite, ops, probes));
    }

    #[test]
    fn the_as_at_read_model_equals_a_fresh_replay_on_nats_and_postgres(
        ops in prop::collection::vec(op(), 1..40),
        probes in prop::collection::vec(any::<prop::sample::Index>(), 1..3),
    ) {
        block_on(check_history(LogKind::Nats, ReadKind::Postgres, ops, probes));
    }
}

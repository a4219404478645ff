//! The properties, checked together on each generated history because building one is most
//! of the cost:
//!
//! 1. as-at = replay: the live read models as at a random position P equal fresh read models
//!    into which only the first P commits were projected. Locks, reopenings and publications
//!    are in the log too, so their rows must be versioned like every other fact.
//! 2. a published report rebuilds: replaying exactly the commits up to its cut-off into fresh
//!    read models gives back its SHA-256 and part digests, and so does the live read models'
//!    as-at report at the cut-off. This is what `scoreledger report rebuild` promises an auditor.
//! 3. locks bite: a change to a locked quarter, or a month inside it, by an officer or
//!    without a reason is refused because of the lock and appends nothing; the performance
//!    team with a reason gets past the lock (see `locks`).
//!
//! Every step also appends exactly one commit when accepted and none when rejected.

use proptest::prelude::*;
use proptest::sample::Index;
use scoreledger_domain::{PartDigest, Period, Position, ReportId};
use scoreledger_projections::{
    all_publications, snapshot_as_at, snapshot_current, Publication, ReadModels,
};
use scoreledger_store::{load, Appended, ExecuteError};
use scoreledger_testkit::pair::{LogKind, Pair, ReadKind};
use scoreledger_testkit::uuid;

use crate::history::{history, Recorded, Resolved, Step};
use crate::locks::{self, LockModel};
use crate::replay::{report_at, Replay};
use crate::write_path::{
    catch_up, change_measure, define_plan_and_measures, lock_or_reopen, publish, the_plan,
};

/// What a publication put in the log, as the publisher computed it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Published {
    report_id: String,
    sha256: String,
    parts: Vec<PartDigest>,
}

/// Runs `steps` on a fresh pair, checking the lock expectations as it goes, then checks the
/// as-at read models at `probes` and every publication.
async fn check_history(log: LogKind, read: ReadKind, steps: Vec<Step>, probes: Vec<Index>) {
    let mut db = Pair::new(log, read).await;
    let measures = define_plan_and_measures(&db).await;
    let mut locks = LockModel::default();
    let mut recorded = Recorded::default();
    let mut published = Vec::new();
    let mut before = db.store.head().await.expect("the head is readable");
    for (i, step) in steps.iter().enumerate() {
        let resolved = step.action.resolve(&recorded, &locks.locked_quarters());
        let expectation = locks.expect(&resolved, step.who, step.reason);
        let outcome = match &resolved {
            Resolved::Change {
                measure, command, ..
            } => change_measure(&db, &measures[*measure], command, step.who, step.reason).await,
            Resolved::Lock(q) => lock_or_reopen(&db, *q, true, step.who, step.reason).await,
            Resolved::Reopen(q) => lock_or_reopen(&db, *q, false, step.who, step.reason).await,
            Resolved::Publish(q) => {
                let report_id = ReportId(uuid(1_000 + i as u128));
                let (outcome, report) = publish(&db, *q, report_id).await;
                if outcome.is_ok() {
                    published.push(Published {
                        report_id: report_id.to_string(),
                        sha256: report.sha256(),
                        parts: report.part_digests(),
                    });
                }
                outcome
            }
        };
        let after = db.store.head().await.expect("the head is readable");
        let what = (i, step, &resolved);
        locks::check(&expectation, &outcome, &what);
        check_appended_only_when_accepted(before, after, &outcome, &what);
        locks.apply(&resolved, &expectation);
        recorded.note(&resolved, outcome.is_ok());
        before = after;
    }
    check_plan_holds_the_modelled_locks(&db, &locks).await;

    let head = catch_up(&db).await;
    let log = db
        .store
        .read_all(Position(0), 100_000)
        .await
        .expect("the log is readable");
    assert_eq!(
        log.len() as u64,
        head.0,
        "the log is gapless from position 1"
    );
    let publications = check_publications_recorded(&db, &published).await;
    let mut stops: Vec<(Position, Option<Publication>)> = probes
        .iter()
        .map(|p| (Position(p.index(log.len() + 1) as u64), None))
        .chain(
            publications
                .into_iter()
                .map(|p| (Position(p.cut_off as u64), Some(p))),
        )
        .collect();
    // The replay only moves forward, so visit the positions in log order.
    stops.sort_by_key(|(p, _)| *p);
    let mut replay = Replay::fresh(&mut db).await;
    for (p, publication) in stops {
        let replayed = replay.up_to(&log, p).await;
        match publication {
            None => check_as_at_equals_replay(&db, replayed, p).await,
            Some(publication) => check_publication_rebuilds(&db, replayed, &publication).await,
        }
    }
}

#[track_caller]
fn check_appended_only_when_accepted(
    before: Position,
    after: Position,
    outcome: &Result<Appended, ExecuteError>,
    what: &dyn std::fmt::Debug,
) {
    match outcome {
        Ok(appended) => assert_eq!(
            (after.0, appended.commit.position),
            (before.0 + 1, after),
            "{what:?}: an accepted step appends exactly one commit"
        ),
        Err(err) => assert_eq!(
            after, before,
            "{what:?}: the rejected step ({err}) appended something"
        ),
    }
}

/// The plan's own state agrees with the model, so the model's expectations were about the
/// locks the product really held.
async fn check_plan_holds_the_modelled_locks(db: &Pair, locks: &LockModel) {
    let (state, _) = load(&*db.store, &the_plan().stream())
        .await
        .expect("the plan's stream loads");
    let held = state.plan().expect("the plan exists").locked.clone();
    assert_eq!(held, locks.locked_periods(), "locked periods of the plan");
}

/// The read models hold every publication as the publisher made it (and no other);
/// returns them.
async fn check_publications_recorded(db: &Pair, made: &[Published]) -> Vec<Publication> {
    let publications = all_publications(&db.read)
        .await
        .expect("publications are readable");
    let recorded: Vec<Published> = publications
        .iter()
        .map(|p| Published {
            report_id: p.report_id.clone(),
            sha256: p.sha256.clone(),
            parts: p.part_digests(),
        })
        .collect();
    assert_eq!(recorded, made, "publications in the read models");
    publications
}

/// Property 1 at `p`: `replayed` holds the first `p` commits and nothing else.
async fn check_as_at_equals_replay(db: &Pair, replayed: &ReadModels, p: Position) {
    let expected = snapshot_current(replayed).await.expect("replay snapshot");
    let as_at = snapshot_as_at(&db.read, p).await.expect("as-at snapshot");
    assert_eq!(
        as_at, expected,
        "the as-at read models differ from a replay of the first {p} commits"
    );
}

/// Property 2 for one publication: `replayed` holds exactly the commits up to its cut-off.
async fn check_publication_rebuilds(db: &Pair, replayed: &ReadModels, publication: &Publication) {
    let period = Period::parse(&publication.period).expect("a printed period parses");
    let cut_off = Position(publication.cut_off as u64);
    let rebuilt = report_at(replayed, period, cut_off).await;
    assert_eq!(
        (rebuilt.sha256(), rebuilt.part_digests()),
        (publication.sha256.clone(), publication.part_digests()),
        "the {period} report published at cut-off {cut_off} does not rebuild from the first {cut_off} commits"
    );
    let live = report_at(&db.read, period, cut_off).await;
    assert_eq!(
        live.sha256(),
        publication.sha256,
        "the live read models as at {cut_off} disagree with the published {period} report"
    );
}

fn block_on(future: impl std::future::Future<Output = ()>) {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(future);
}

proptest! {
    // Many cases: the embedded pair is cheap, and lock and publication interleavings are many.
    #![proptest_config(ProptestConfig { cases: 1_000, ..ProptestConfig::default() })]

    #[test]
    fn published_reports_rebuild_and_locks_bite_on_sqlite(
        steps in history(1..16),
        // One random position a case; the 1,000 cases spread them over many histories.
        probes in prop::collection::vec(any::<Index>(), 1),
    ) {
        block_on(check_history(LogKind::Sqlite, ReadKind::Sqlite, steps, probes));
    }
}

proptest! {
    // Each case starts a nats-server and creates a PostgreSQL database per replay: a few
    // cases, the same properties.
    #![proptest_config(ProptestConfig { cases: 3, ..ProptestConfig::default() })]

    /// Needs nats-server and PostgreSQL; see scripts/services.sh.
    #[test]
    fn published_reports_rebuild_and_locks_bite_on_nats_and_postgres(
        steps in history(1..16),
        probes in prop::collection::vec(any::<Index>(), 1..3),
    ) {
        block_on(check_history(LogKind::Nats, ReadKind::Postgres, steps, probes));
    }
}

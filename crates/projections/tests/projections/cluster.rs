//! The projector on a three-node NATS cluster with R3 streams while writers append and the
//! stream's leader is killed and restarted: it rides through the election, and its read
//! models equal a fresh rebuild of the log. Needs the current nats-server release
//! (scripts/services.sh).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use scoreledger_domain::target::TargetSpec;
use scoreledger_domain::{Command, Period, Polarity};
use scoreledger_projections::{
    checkpoint, rebuild, run_until_stopped, table_checksums, ReadModels,
};
use scoreledger_store::{EventStore, NatsConfig};
use scoreledger_testkit::cluster::TestCluster;
use scoreledger_testkit::nats::NatsRelease;
use scoreledger_testkit::write::run_command;
use scoreledger_testkit::{measure_definition, measure_id, performance_officer, plan_id};
use tokio::sync::oneshot;

use crate::support::{request, PLAN};

const WRITERS: u128 = 3;
const PER_WRITER: u128 = 40;

#[tokio::test(flavor = "multi_thread", worker_threads = 3)]
async fn the_projector_rides_through_a_leader_kill_and_equals_a_fresh_rebuild() {
    let mut cluster = TestCluster::start(NatsRelease::Current);
    let store: Arc<dyn EventStore> = Arc::new(
        cluster
            .store_with(NatsConfig {
                replicas: 3,
                ..NatsConfig::new("")
            })
            .await
            .expect("an R3 stream"),
    );
    let dir = tempfile::tempdir().unwrap();
    let live = ReadModels::sqlite(&dir.path().join("live.db"))
        .await
        .unwrap();
    let plan = plan_id(PLAN);
    run_command(
        &*store,
        &plan.stream(),
        &scoreledger_testkit::define_plan_2016(plan),
        &request(performance_officer(), None),
    )
    .await
    .unwrap();

    let (stop, stopped) = oneshot::channel::<()>();
    let projector = {
        let store = store.clone();
        let live = live.clone();
        tokio::spawn(async move {
            run_until_stopped(&*store, &live, async {
                let _ = stopped.await;
            })
            .await
        })
    };

    // Each writer defines measures of its own: nothing else writes their streams, so every
    // definition lands at the first try, election or not.
    let progress = Arc::new(AtomicUsize::new(0));
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let store = store.clone();
        let progress = progress.clone();
        writers.push(tokio::spawn(async move {
            for i in 0..PER_WRITER {
                let id = measure_id(1_000 * (w + 1) + i);
                let command = Command::DefineMeasure {
                    measure_id: id,
                    definition: measure_definition(
                        plan,
                        &format!("{}.A{}", w + 1, i + 1),
                        Polarity::Low,
                    ),
                    target: Some((
                        Period::financial_year(2016),
                        TargetSpec::parse("10%").unwrap(),
                    )),
                };
                run_command(
                    &*store,
                    &id.stream(),
                    &command,
                    &request(performance_officer(), None),
                )
                .await
                .unwrap_or_else(|err| panic!("writer {w} measure {i}: {err:?}"));
                progress.fetch_add(1, Ordering::SeqCst);
            }
        }));
    }
    let total = (WRITERS * PER_WRITER) as usize;
    let deadline = Instant::now() + Duration::from_secs(60);
    while progress.load(Ordering::SeqCst) < total / 3 {
        assert!(Instant::now() < deadline, "the writers stalled");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let leader = cluster.leader_of("SCORELEDGER").await.expect("a leader");
    cluster.nodes[leader].kill();
    while progress.load(Ordering::SeqCst) < 2 * total / 3 {
        assert!(
            Instant::now() < deadline,
            "the writers stalled after the kill"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    cluster.nodes[leader].restart();
    for writer in writers {
        writer.await.unwrap();
    }

    let head = store.head().await.unwrap();
    assert_eq!(head.0, 1 + total as u64, "one commit per definition");
    let deadline = Instant::now() + Duration::from_secs(60);
    while checkpoint(&live).await.unwrap() < head {
        assert!(
            !projector.is_finished(),
            "the projector stopped: {:?}",
            projector.await
        );
        assert!(
            Instant::now() < deadline,
            "the projector did not reach {head}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.send(()).unwrap();
    projector.await.unwrap().unwrap();

    let fresh = ReadModels::sqlite(&dir.path().join("fresh.db"))
        .await
        .unwrap();
    rebuild(&*store, &fresh, 500, |_| {}).await.unwrap();
    assert_eq!(
        table_checksums(&fresh).await.unwrap(),
        table_checksums(&live).await.unwrap()
    );
}

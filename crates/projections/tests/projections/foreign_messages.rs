//! A message on the log's subjects that we did not write is reported with its position; the
//! projector applies what comes before it, stops there, and the read models keep that.

use scoreledger_domain::Position;
use scoreledger_projections::{checkpoint, drain, snapshot_current, ProjectionError};
use scoreledger_testkit::pair::{LogKind, Pair, ReadKind};

use crate::support::{define_measure, define_plan};

async fn stops_at_the_foreign_message(read: ReadKind) {
    let pair = Pair::new(LogKind::Nats, read).await;
    define_plan(&pair).await;
    let foreign = pair.land_unreadable_commit().await;
    assert_eq!(foreign, Position(2));
    define_measure(&pair, 7, "1.A1", "10%").await;
    for _ in 0..2 {
        let err = drain(&*pair.store, &pair.read, 100, |_| {})
            .await
            .unwrap_err();
        match &err {
            ProjectionError::Unreadable { position, problem } => {
                assert_eq!(*position, Position(2));
                assert!(problem.contains("not a scoreledger commit"), "{problem}");
            }
            other => panic!("expected the foreign message to be reported, got {other:?}"),
        }
        assert!(err.to_string().contains("position 2"), "{err}");
        assert_eq!(
            checkpoint(&pair.read).await.unwrap(),
            Position(1),
            "{read:?}: the plan before it is applied, nothing after it"
        );
    }
    let plan_only = snapshot_current(&pair.read).await.unwrap();
    assert!(plan_only.targets.is_empty(), "{plan_only:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreign_message_stops_sqlite_read_models_at_its_position() {
    stops_at_the_foreign_message(ReadKind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreign_message_stops_postgres_read_models_at_its_position() {
    stops_at_the_foreign_message(ReadKind::Postgres).await;
}

//! A message on the log's subjects that we did not write is reported with its position; the
//! projector stops before it and the read models keep what they had.

use scoreledger_domain::Position;
use scoreledger_projections::{checkpoint, drain, snapshot_current, ProjectionError};
use scoreledger_store::ReadError;
use scoreledger_testkit::pair::{LogKind, Pair, ReadKind};

use crate::support::{define_measure, define_plan};

async fn stops_at_the_foreign_message(read: ReadKind) {
    let pair = Pair::new(LogKind::Nats, read).await;
    define_plan(&pair).await;
    let url = pair.nats_url().expect("a NATS pair has a server");
    let client = async_nats::connect(url).await.unwrap();
    async_nats::jetstream::new(client)
        .publish(
            "scoreledger.measure.intruder",
            bytes::Bytes::from_static(b"not json"),
        )
        .await
        .unwrap()
        .await
        .unwrap();
    define_measure(&pair, 7, "1.A1", "10%").await;
    let before = snapshot_current(&pair.read).await.unwrap();
    let err = drain(&*pair.store, &pair.read, 100, |_| {})
        .await
        .unwrap_err();
    match err {
        ProjectionError::Read(ReadError::Corrupt { position, .. }) => {
            assert_eq!(position, Position(2))
        }
        other => panic!("expected the foreign message to be reported, got {other:?}"),
    }
    assert!(err_mentions_position(&pair).await);
    assert_eq!(
        checkpoint(&pair.read).await.unwrap(),
        Position(0),
        "{read:?}: nothing half-applied"
    );
    assert_eq!(snapshot_current(&pair.read).await.unwrap(), before);
}

async fn err_mentions_position(pair: &Pair) -> bool {
    let err = drain(&*pair.store, &pair.read, 100, |_| {})
        .await
        .unwrap_err();
    err.to_string().contains("read the event log")
        && std::error::Error::source(&err).is_some_and(|s| s.to_string().contains("position 2"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreign_message_stops_sqlite_read_models_at_its_position() {
    stops_at_the_foreign_message(ReadKind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreign_message_stops_postgres_read_models_at_its_position() {
    stops_at_the_foreign_message(ReadKind::Postgres).await;
}

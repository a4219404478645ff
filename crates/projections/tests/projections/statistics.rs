//! PostgreSQL plans a batch's lookups of current versions on the planner's statistics; read
//! models filled by projection are analysed as they grow, and all of them at the end of a
//! rebuild, whether or not autovacuum is running (this machine's server has it off).

use scoreledger_domain::{Command, DataQuality, Period, RevisionClass};
use scoreledger_projections::{drain, rebuild};
use scoreledger_testkit::lead_officer;
use scoreledger_testkit::pair::{LogKind, Pair, ReadKind};

use crate::support::{define_measure, define_plan, record, run, value};

/// The rows PostgreSQL's last analysis of `table` found; -1 if it was never analysed.
async fn analysed_rows(pair: &Pair, table: &str) -> f64 {
    sqlx::query_scalar(
        "SELECT CAST(reltuples AS DOUBLE PRECISION) FROM pg_class WHERE relname = $1",
    )
    .bind(table)
    .fetch_one(pair.read.pool())
    .await
    .unwrap()
}

async fn rows(pair: &Pair, table: &str) -> f64 {
    let count: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(pair.read.pool())
        .await
        .unwrap();
    count as f64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_models_are_analysed_as_projecting_grows_them() {
    let pair = Pair::new(LogKind::Sqlite, ReadKind::Postgres).await;
    define_plan(&pair).await;
    let stream = define_measure(&pair, 7, "1.A1", "10%").await;
    let month = Period::month(2016, 4);
    run(&pair, &stream, record(month, "1"), lead_officer(), None)
        .await
        .unwrap();
    // Projected a commit at a time, each revision closes a version and opens one: 1,041
    // rows of values_history written.
    for n in 2..=521 {
        let revise = Command::ReviseValue {
            period: month,
            value: value(&n.to_string()),
            classification: RevisionClass::Correction,
            quality: DataQuality::default(),
        };
        run(&pair, &stream, revise, lead_officer(), Some("re-run"))
            .await
            .unwrap();
    }
    assert_eq!(analysed_rows(&pair, "values_history").await, -1.0);

    drain(&*pair.store, &pair.read, 1, |_| {}).await.unwrap();
    let analysed = analysed_rows(&pair, "values_history").await;
    assert!(
        analysed > 0.0,
        "values_history was never analysed while projecting ({analysed})"
    );

    rebuild(&*pair.store, &pair.read, 100, |_| {})
        .await
        .unwrap();
    for table in ["values_history", "history", "measures"] {
        assert_eq!(
            analysed_rows(&pair, table).await,
            rows(&pair, table).await,
            "{table} analysed at the end of the rebuild"
        );
    }
}

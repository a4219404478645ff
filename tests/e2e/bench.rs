//! `scoreledger bench`: each workload runs end to end on a small generated log and prints, for
//! machines, our rate, the raw limit measured in the same run and their ratio.

use serde_json::Value;
use sqlx::{Connection, PgConnection};

use scoreledger_testkit::postgres::admin_url;

use crate::support::{assert_success, run, stdout};

/// Runs `bench ARGS --json` and returns its one JSON object, checked for what every workload
/// prints.
fn bench(args: &[&str], at_least: u64) -> Value {
    let mut all = vec!["bench"];
    all.extend_from_slice(args);
    all.push("--json");
    let output = run(&all);
    assert_success(&output);
    let figures: Value = serde_json::from_str(stdout(&output).trim()).expect("one JSON object");
    let count = figures["count"].as_u64().expect("a count");
    assert!(count >= at_least, "{figures}");
    let raw = figures["raw_per_second"].as_f64().expect("a raw rate");
    let ours = figures["ours_per_second"].as_f64().expect("our rate");
    assert!(raw > 0.0 && ours > 0.0, "{figures}");
    let ratio = figures["ratio"].as_f64().expect("a ratio");
    assert!((ratio - ours / raw).abs() < 0.01, "{figures}");
    figures
}

/// A successful run's output, one JSON object a line.
fn json_lines(output: &std::process::Output) -> Vec<Value> {
    assert_success(output);
    stdout(output)
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object a line"))
        .collect()
}

async fn bench_databases() -> i64 {
    let mut conn = PgConnection::connect(&admin_url())
        .await
        .expect("the test PostgreSQL server (scripts/services.sh)");
    sqlx::query_scalar("SELECT count(*) FROM pg_database WHERE datname LIKE 'scoreledger_bench_%'")
        .fetch_one(&mut conn)
        .await
        .expect("a count")
}

#[test]
fn bench_verify_and_rebuild_print_ours_the_raw_limit_and_the_ratio() {
    let verify = bench(&["verify", "--commits", "1500"], 1500);
    assert_eq!(verify["workload"], "verify");
    assert_eq!(verify["target"]["ratio"], 0.5);

    let sqlite = bench(&["rebuild", "--commits", "2000"], 2000);
    assert_eq!(sqlite["backend"], "sqlite");
    assert_eq!(sqlite["unit"], "events");

    // On PostgreSQL the bench works in a database of its own, dropped when it ends.
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let before = runtime.block_on(bench_databases());
    let postgres = bench(
        &["rebuild", "--commits", "2000", "--postgres", &admin_url()],
        2000,
    );
    assert_eq!(postgres["backend"], "postgres");
    assert_eq!(postgres["target"]["ratio"], 0.5);
    assert_eq!(runtime.block_on(bench_databases()), before);
}

#[test]
fn bench_rebuild_on_an_unreachable_postgres_says_what_to_give() {
    let output = run(&[
        "bench",
        "rebuild",
        "--commits",
        "100",
        "--postgres",
        "postgres://nobody:secret@127.0.0.1:1/postgres",
    ]);
    assert!(!output.status.success());
    let said = crate::support::stderr(&output);
    assert!(said.contains("cannot reach PostgreSQL"), "{said}");
    assert!(!said.contains("secret"), "{said}");
}

#[test]
fn bench_as_at_reads_the_q3_scorecard_at_an_old_position_and_at_the_head() {
    let output = run(&["bench", "as-at", "--commits", "3000", "--json"]);
    let lines = json_lines(&output);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[0]["at"], "old");
    assert_eq!(lines[1]["at"], "current");
    assert!(lines[0]["position"].as_u64() < lines[1]["position"].as_u64());
    for figures in &lines {
        assert_eq!(figures["workload"], "as-at");
        assert!(figures["events"].as_u64().expect("events") >= 3000);
        // Every generated measure is on the scorecard at both positions.
        assert_eq!(figures["rows"], 500, "{figures}");
        let p50 = figures["p50_ms"].as_f64().expect("p50");
        let p99 = figures["p99_ms"].as_f64().expect("p99");
        assert!(0.0 < p50 && p50 <= p99, "{figures}");
        assert!(
            figures["raw_p50_ms"].as_f64().expect("raw p50") > 0.0,
            "{figures}"
        );
    }
}

#[test]
fn bench_append_writes_through_the_write_path_and_leaves_nothing_behind() {
    let output = run(&[
        "bench",
        "append",
        "--commits",
        "120",
        "--writers",
        "1,4",
        "--streams",
        "12",
        "--json",
    ]);
    let lines = json_lines(&output);
    assert_eq!(lines.len(), 2, "{lines:?}");
    for (figures, writers) in lines.iter().zip([1, 4]) {
        assert_eq!(figures["workload"], "append");
        assert_eq!(figures["via"], "library");
        assert_eq!(figures["backend"], "sqlite");
        assert_eq!(figures["writers"], writers);
        assert_eq!(figures["count"], 120);
        let (raw, ours) = (
            figures["raw_per_second"].as_f64().expect("a raw rate"),
            figures["ours_per_second"].as_f64().expect("our rate"),
        );
        assert!(raw > 0.0 && ours > 0.0, "{figures}");
        assert!(
            (figures["ratio"].as_f64().expect("a ratio") - ours / raw).abs() < 0.001,
            "{figures}"
        );
        let p50 = figures["p50_ms"].as_f64().expect("p50");
        assert!(0.0 < p50 && p50 <= figures["p99_ms"].as_f64().expect("p99"));
    }

    // Over HTTP on NATS with PostgreSQL read models: the bench's streams and database go
    // when it ends.
    let nats =
        scoreledger_testkit::nats::TestNats::start(scoreledger_testkit::nats::NatsRelease::Current);
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let before = runtime.block_on(bench_databases());
    let output = run(&[
        "bench",
        "append",
        "--commits",
        "60",
        "--writers",
        "3",
        "--streams",
        "6",
        "--http",
        "--nats",
        &nats.url(),
        "--postgres",
        &admin_url(),
        "--json",
    ]);
    assert_success(&output);
    let figures: Value = serde_json::from_str(stdout(&output).trim()).expect("one JSON object");
    assert_eq!(figures["via"], "http", "{figures}");
    assert_eq!(figures["backend"], "nats", "{figures}");
    assert_eq!(figures["read_models"], "postgres", "{figures}");
    assert_eq!(figures["count"], 60, "{figures}");
    assert_eq!(runtime.block_on(bench_databases()), before);
    let streams = runtime.block_on(async {
        use futures::TryStreamExt;
        let client = async_nats::connect(nats.url()).await.expect("nats answers");
        async_nats::jetstream::new(client)
            .stream_names()
            .try_collect::<Vec<String>>()
            .await
            .expect("stream names")
    });
    assert!(streams.is_empty(), "{streams:?}");
}

#[test]
fn bench_lag_times_each_acknowledged_write_until_the_read_models_show_it() {
    let output = run(&[
        "bench",
        "lag",
        "--commits",
        "60",
        "--writers",
        "1,3",
        "--streams",
        "6",
        "--json",
    ]);
    let lines = json_lines(&output);
    assert_eq!(lines.len(), 2, "{lines:?}");
    for (figures, writers) in lines.iter().zip([1, 3]) {
        assert_eq!(figures["workload"], "lag");
        assert_eq!(figures["writers"], writers);
        assert_eq!(figures["commits"], 60);
        assert_eq!(figures["target_p99_ms"], 50.0);
        let (p50, p99) = (
            figures["p50_ms"].as_f64().expect("p50"),
            figures["p99_ms"].as_f64().expect("p99"),
        );
        // Projected after the store handed it on: never before the write was acknowledged.
        assert!(0.0 <= p50 && p50 <= p99, "{figures}");
        let raw = figures["raw_p99_ms"].as_f64().expect("raw p99");
        assert!(0.0 <= raw, "{figures}");
    }
}

#[test]
fn bench_verify_report_proves_a_publication_of_the_generated_log() {
    let figures = bench(&["verify-report", "--commits", "2000"], 2000);
    assert_eq!(figures["workload"], "verify-report");
    assert_eq!(figures["unit"], "events");
    assert_eq!(figures["target"], "unset");
}

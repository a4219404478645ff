//! Kill -9 a rebuild half-way, start again, and the read models equal a clean rebuild, table
//! by table — on SQLite and on PostgreSQL read models.

use std::process::{Command, Stdio};
use std::time::Duration;

use scoreledger_domain::Position;
use scoreledger_projections::{checkpoint, table_checksums, ReadModels};
use scoreledger_testkit::postgres::TestPostgres;

use crate::support::{assert_success, run, run_in, Workspace};

fn scoreledger(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_scoreledger"));
    command
        .env_remove("SCORELEDGER_STORE")
        .args(["--user", "operator"])
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

/// Rebuilds with `location` args, killing the rebuild after each delay, then lets the next
/// command catch up; returns how many kills left the read models part-way.
fn kill_rebuilds_and_resume(
    location: &[&str],
    read: &ReadModels,
    runtime: &tokio::runtime::Runtime,
    head: Position,
) -> usize {
    let mut part_way = 0;
    for delay in [5u64, 20, 50, 100, 200, 400] {
        let mut args = location.to_vec();
        args.extend(["rebuild", "--batch", "5"]);
        let mut child = scoreledger(&args).spawn().expect("the binary starts");
        std::thread::sleep(Duration::from_millis(delay));
        child.kill().expect("SIGKILL");
        child.wait().expect("the killed rebuild is reaped");
        let reached = runtime.block_on(checkpoint(read)).unwrap();
        if reached < head {
            part_way += 1;
        }
        let mut args = location.to_vec();
        args.push("init");
        assert_success(&run(&args));
    }
    part_way
}

#[test]
fn a_rebuild_killed_half_way_resumes_to_the_same_sqlite_read_models() {
    let workspace = Workspace::new();
    let kept = workspace.dir.path().join("demo.db");
    assert_success(&run_in(
        &workspace.db(),
        &["demo", "--keep", kept.to_str().unwrap()],
    ));
    let location = ["--db", kept.to_str().unwrap()];
    let mut args = location.to_vec();
    args.push("rebuild");
    assert_success(&run(&args));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let read = runtime.block_on(ReadModels::sqlite(&kept)).unwrap();
    let clean = runtime.block_on(table_checksums(&read)).unwrap();
    let head = runtime.block_on(checkpoint(&read)).unwrap();
    // The demo's 683 commits, its key's record and the checkpoint signed over them.
    assert_eq!(head, Position(685));

    let part_way = kill_rebuilds_and_resume(&location, &read, &runtime, head);
    assert!(
        part_way > 0,
        "no kill landed mid-rebuild; the test proved nothing"
    );
    assert_eq!(runtime.block_on(table_checksums(&read)).unwrap(), clean);
}

#[test]
fn a_rebuild_killed_half_way_resumes_to_the_same_postgres_read_models() {
    let workspace = Workspace::new();
    let kept = workspace.dir.path().join("demo.db");
    assert_success(&run_in(
        &workspace.db(),
        &["demo", "--keep", kept.to_str().unwrap()],
    ));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sqlite = runtime.block_on(ReadModels::sqlite(&kept)).unwrap();
    let embedded = runtime.block_on(table_checksums(&sqlite)).unwrap();

    // The same log, projected into PostgreSQL.
    let database = runtime.block_on(TestPostgres::create());
    let store = format!("sqlite:{}", kept.display());
    let location = ["--store", store.as_str(), "--db", database.url.as_str()];
    let mut args = location.to_vec();
    args.push("init");
    assert_success(&run(&args));
    let read = runtime.block_on(database.read_models());
    let clean = runtime.block_on(table_checksums(&read)).unwrap();
    assert_eq!(
        clean, embedded,
        "PostgreSQL and SQLite read models of one log are identical"
    );
    let head = runtime.block_on(checkpoint(&read)).unwrap();

    let part_way = kill_rebuilds_and_resume(&location, &read, &runtime, head);
    assert!(
        part_way > 0,
        "no kill landed mid-rebuild; the test proved nothing"
    );
    assert_eq!(runtime.block_on(table_checksums(&read)).unwrap(), clean);
}

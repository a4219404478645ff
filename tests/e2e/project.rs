//! `scoreledger project` follows writers in other processes and stops cleanly on SIGTERM.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use scoreledger_domain::Position;
use scoreledger_projections::{checkpoint, ReadModels};

use crate::support::{assert_success, sample_json, terminate, Workspace};

#[test]
fn a_running_projector_keeps_up_with_an_import_and_stops_on_sigterm() {
    let workspace = Workspace::new();
    assert_success(&workspace.run(&["init"]));
    let projector = Command::new(env!("CARGO_BIN_EXE_scoreledger"))
        .env_remove("SCORELEDGER_STORE")
        .args(["--db", workspace.db().to_str().unwrap(), "project"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the projector starts");

    // The import appends 104 commits; the importer's own catch-up is not what we watch.
    let file = workspace.file("plan.json", &sample_json());
    assert_success(&workspace.run(&["import", file.to_str().unwrap()]));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let read = runtime
        .block_on(ReadModels::sqlite(&workspace.db()))
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while runtime.block_on(checkpoint(&read)).unwrap() < Position(104) {
        assert!(
            Instant::now() < deadline,
            "the read models did not reach the end of the log"
        );
        std::thread::sleep(Duration::from_millis(20));
    }

    let (status, printed) = terminate(projector);
    assert!(
        status.success(),
        "SIGTERM stops the projector cleanly: {status:?}"
    );
    assert!(printed.contains("projecting from position 0"), "{printed}");
    assert!(printed.contains("stopped at position 104"), "{printed}");
}

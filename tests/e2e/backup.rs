//! `scoreledger backup` and `restore` through the binary: the demo's log (which other tests in
//! the run may be writing to) backed up and restored into a new file that verifies with the same
//! head; a log on NATS through a logical backup into a new stream; a tampered backup, a
//! non-empty log and read models ahead of the backup refused, and `--rebuild` putting the read
//! models right.

use std::path::Path;

use crate::support::{assert_success, run, run_in, sample_json, shared_demo, stderr, stdout};

fn json(output: &std::process::Output) -> serde_json::Value {
    assert_success(output);
    serde_json::from_str(stdout(output).trim()).expect("one JSON object")
}

fn text(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

/// Changes a commit's payload in an embedded file behind Scoreledger's back (triggers dropped).
fn tamper(db: &Path, sql: &str) {
    tokio::runtime::Runtime::new()
        .expect("a runtime")
        .block_on(async {
            let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
                .await
                .expect("the file opens");
            for statement in ["DROP TRIGGER commits_are_never_updated", sql] {
                sqlx::query(statement)
                    .execute(&pool)
                    .await
                    .expect("tampered");
            }
            pool.close().await;
        });
}

#[test]
fn the_demo_log_backs_up_and_restores_into_a_new_file_that_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let backup = dir.path().join("backup.db");
    let taken = json(&run_in(shared_demo(), &["backup", text(&backup), "--json"]));
    let head = taken["head"].as_u64().unwrap();
    assert!(head >= 662, "{taken}");
    assert_eq!(taken["commits"], head);
    assert_eq!(taken["format"], "sqlite");
    assert_eq!(taken["head_hash"].as_str().map(str::len), Some(64));

    // Never over an existing file.
    let again = run_in(shared_demo(), &["backup", text(&backup)]);
    assert_eq!(again.status.code(), Some(3));
    assert!(
        stderr(&again).contains("already exists"),
        "{}",
        stderr(&again)
    );

    let restored = dir.path().join("restored.db");
    let done = json(&run_in(&restored, &["restore", text(&backup), "--json"]));
    assert_eq!(done["head"], head);
    assert_eq!(done["head_hash"], taken["head_hash"]);
    assert_eq!(done["read_models"], "kept");
    let verified = json(&run_in(&restored, &["verify", "--json"]));
    assert_eq!(verified["verified"], true, "{verified}");
    assert_eq!(verified["head"], head);

    // Never into a log that holds commits.
    let refused = run_in(&restored, &["restore", text(&backup)]);
    assert_eq!(refused.status.code(), Some(3));
    assert!(
        stderr(&refused).contains(&format!("already holds {head} commits")),
        "{}",
        stderr(&refused)
    );

    // A backup with one byte of a payload changed is refused, naming the commit.
    let tampered = dir.path().join("tampered.db");
    std::fs::copy(&backup, &tampered).unwrap();
    tamper(
        &tampered,
        "UPDATE commits SET envelope = replace(envelope, '\"reason\":null', '\"reason\":\"x\"') WHERE position = 5",
    );
    let elsewhere = dir.path().join("elsewhere.db");
    let refused = run_in(&elsewhere, &["restore", text(&tampered)]);
    assert_eq!(refused.status.code(), Some(5), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("commit")
            && stderr(&refused).contains("at position 5 was changed"),
        "{}",
        stderr(&refused)
    );
    assert!(!elsewhere.exists());
}

#[test]
fn a_logical_backup_of_the_embedded_log_restores_the_same_log() {
    let dir = tempfile::tempdir().unwrap();
    let backup = dir.path().join("log.jsonl");
    let taken = json(&run_in(
        shared_demo(),
        &["backup", text(&backup), "--format", "jsonl", "--json"],
    ));
    let lines = std::fs::read_to_string(&backup).unwrap();
    let header: serde_json::Value = serde_json::from_str(lines.lines().next().unwrap()).unwrap();
    assert_eq!(header["format"], "scoreledger-log-backup");
    assert_eq!(header["head"], taken["head"]);
    assert_eq!(
        lines.lines().count() as u64,
        taken["head"].as_u64().unwrap() + 1
    );
    let restored = dir.path().join("restored.db");
    let done = json(&run_in(&restored, &["restore", text(&backup), "--json"]));
    assert_eq!(done["head_hash"], taken["head_hash"]);
    assert_success(&run_in(&restored, &["verify"]));
}

#[test]
fn read_models_ahead_of_the_backup_are_refused_until_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let log = format!("sqlite:{}", text(&dir.path().join("log.db")));
    let read = dir.path().join("read.db");
    let with = |store: &str, args: &[&str]| {
        let mut all = vec!["--store", store, "--db", text(&read)];
        all.extend_from_slice(args);
        run(&all)
    };
    let plan = dir.path().join("plan.json");
    std::fs::write(&plan, sample_json()).unwrap();
    assert_success(&with(&log, &["import", text(&plan)]));
    let backup = dir.path().join("backup.db");
    let taken = json(&with(&log, &["backup", text(&backup), "--json"]));
    // The read models go on past the backup (a report catches them up).
    assert_success(&with(
        &log,
        &["record", "value", "-m", "2.B5", "-p", "Dec-16", "-v", "70"],
    ));
    assert_success(&with(&log, &["report", "-p", "Q3 2016/17"]));

    let new_log = dir.path().join("new.db");
    let new = format!("sqlite:{}", text(&new_log));
    let refused = with(&new, &["restore", text(&backup)]);
    assert_eq!(refused.status.code(), Some(5), "{}", stderr(&refused));
    let message = stderr(&refused);
    assert!(
        message.contains(&format!("but the backup holds {}", taken["head"]))
            && message.contains("Nothing was restored")
            && message.contains("--rebuild"),
        "{message}"
    );
    assert!(!new_log.exists());

    let done = json(&with(
        &new,
        &["restore", text(&backup), "--rebuild", "--json"],
    ));
    assert_eq!(done["read_models"], "rebuilt");
    assert_eq!(done["read_models_at"], taken["head"]);
    let verified = json(&with(&new, &["verify", "--json"]));
    assert_eq!(verified["verified"], true, "{verified}");
    assert_eq!(verified["read_models_at"], taken["head"]);
}

/// Needs nats-server (see scripts/services.sh).
#[test]
fn a_log_on_nats_backs_up_as_json_lines_and_restores_into_a_new_stream() {
    let server =
        scoreledger_testkit::nats::TestNats::start(scoreledger_testkit::nats::NatsRelease::Current);
    let dir = tempfile::tempdir().unwrap();
    let url = server.url();
    let on = |stream: &str, read: &Path, args: &[&str]| {
        let prefix = stream.to_ascii_lowercase();
        let mut all = vec![
            "--store",
            &url,
            "--nats-stream",
            stream,
            "--nats-prefix",
            &prefix,
            "--db",
            text(read),
        ];
        all.extend_from_slice(args);
        run(&all)
    };
    let read = dir.path().join("read.db");
    let plan = dir.path().join("plan.json");
    std::fs::write(&plan, sample_json()).unwrap();
    assert_success(&on("LOG", &read, &["import", text(&plan)]));
    let backup = dir.path().join("log.jsonl");
    let taken = json(&on("LOG", &read, &["backup", text(&backup), "--json"]));
    assert_eq!(taken["format"], "jsonl");
    assert_eq!(
        on("LOG", &read, &["backup", "x.db", "--format", "sqlite"])
            .status
            .code(),
        Some(3)
    );

    // Beside the original's read models, which have seen more than the backup: refused.
    assert_success(&on(
        "LOG",
        &read,
        &["record", "value", "-m", "2.B5", "-p", "Dec-16", "-v", "70"],
    ));
    assert_success(&on("LOG", &read, &["report", "-p", "Q3 2016/17"]));
    let refused = on("RESTORED", &read, &["restore", text(&backup)]);
    assert_eq!(refused.status.code(), Some(5), "{}", stderr(&refused));
    assert!(stderr(&refused).contains("Nothing was restored"));

    // Into a new stream with new read models: the same head, verifying.
    let fresh = dir.path().join("fresh.db");
    let done = json(&on(
        "RESTORED",
        &fresh,
        &["restore", text(&backup), "--json"],
    ));
    assert_eq!(done["head"], taken["head"]);
    assert_eq!(done["head_hash"], taken["head_hash"]);
    let verified = json(&on("RESTORED", &fresh, &["verify", "--json"]));
    assert_eq!(verified["verified"], true, "{verified}");
    assert_eq!(verified["head"], taken["head"]);
    // Run again, a finished restore finds every commit already there and publishes nothing.
    let again = on("RESTORED", &fresh, &["restore", text(&backup), "--json"]);
    assert_success(&again);
    assert_eq!(json(&again)["already_there"], taken["head"]);
    assert!(
        stderr(&again).contains("were already in the stream"),
        "{}",
        stderr(&again)
    );
    // Once the restored log has moved on it is no restore of the backup, and is refused.
    assert_success(&on(
        "RESTORED",
        &fresh,
        &["record", "value", "-m", "2.B5", "-p", "Dec-16", "-v", "71"],
    ));
    let other = dir.path().join("other.db");
    let refused = on("RESTORED", &other, &["restore", text(&backup)]);
    assert_eq!(refused.status.code(), Some(3), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("is not an interrupted restore of this backup"),
        "{}",
        stderr(&refused)
    );
}

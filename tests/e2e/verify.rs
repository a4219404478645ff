//! `scoreledger verify` on an embedded log tampered with as an attacker with write access to
//! the file would: drop the triggers that keep it append-only, then edit, delete or truncate.

use std::path::Path;

use crate::support::{assert_success, sample_json, stderr, stdout, Workspace};

/// Runs SQL on the log's file behind Scoreledger's back, with the append-only triggers dropped.
fn tamper(db: &Path, statements: &[String]) {
    tokio::runtime::Runtime::new()
        .expect("a runtime")
        .block_on(async {
            let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
                .await
                .expect("the log's file opens");
            for sql in [
                "DROP TRIGGER commits_are_never_updated".to_owned(),
                "DROP TRIGGER commits_are_never_deleted".to_owned(),
            ]
            .iter()
            .chain(statements)
            {
                sqlx::query(sql).execute(&pool).await.expect("tampered");
            }
            pool.close().await;
        });
}

fn imported() -> Workspace {
    let workspace = Workspace::new();
    let file = workspace.file("plan.json", &sample_json());
    assert_success(&workspace.run(&["import", file.to_str().unwrap()]));
    workspace
}

/// `verify --json` as JSON, and its exit code.
fn verify(workspace: &Workspace) -> (Option<i32>, serde_json::Value, String) {
    let output = workspace.run(&["verify", "--json"]);
    let report = serde_json::from_str(stdout(&output).trim()).expect("one JSON object");
    (output.status.code(), report, stderr(&output))
}

#[test]
fn the_demo_log_verifies() {
    let output = crate::support::run_in(crate::support::shared_demo(), &["verify"]);
    assert_success(&output);
    // The demo appends 662 commits; other tests reading the shared demo add the records of
    // their reads, so there may be more by now.
    let commits: u64 = stdout(&output)
        .strip_prefix("the log verifies: ")
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{}", stdout(&output)));
    assert!(commits >= 662, "{}", stdout(&output));
}

#[test]
fn an_untouched_log_verifies() {
    let workspace = imported();
    let output = workspace.run(&["verify"]);
    assert_success(&output);
    assert!(
        stdout(&output).starts_with("the log verifies: "),
        "{}",
        stdout(&output)
    );
    let (code, report, _) = verify(&workspace);
    assert_eq!(code, Some(0));
    assert_eq!(report["verified"], true);
    assert_eq!(report["commits"], report["head"]);
}

#[test]
fn a_changed_byte_a_deleted_commit_and_a_swap_are_named() {
    // A hashed field changed (no reason → a reason), the JSON still valid.
    let workspace = imported();
    tamper(
        &workspace.db(),
        &["UPDATE commits SET envelope = replace(envelope, '\"reason\":null', '\"reason\":\"x\"') WHERE position = 5".into()],
    );
    let (code, report, message) = verify(&workspace);
    assert_eq!(code, Some(5), "{message}");
    assert_eq!(report["finding"]["kind"], "changed", "{report}");
    assert_eq!(report["finding"]["position"], 5);
    assert!(message.contains("was changed"), "{message}");

    // One commit deleted.
    let workspace = imported();
    tamper(
        &workspace.db(),
        &["DELETE FROM commits WHERE position = 7".into()],
    );
    let (code, report, _) = verify(&workspace);
    assert_eq!(code, Some(5));
    assert_eq!(report["finding"]["kind"], "missing", "{report}");
    assert_eq!(report["finding"]["position"], 7);

    // Two commits of one stream swapped in place.
    let workspace = imported();
    let setup = workspace.run(&["record", "value", "-m", "2.B5", "-p", "Dec-16", "-v", "70"]);
    assert_success(&setup);
    let setup = workspace.run(&["record", "value", "-m", "2.B5", "-p", "Nov-16", "-v", "69"]);
    assert_success(&setup);
    let head = verify(&workspace).1["head"].as_u64().unwrap();
    let (a, b) = (head - 1, head);
    tamper(
        &workspace.db(),
        &[
            format!("UPDATE commits SET position = -1 WHERE position = {a}"),
            format!("UPDATE commits SET position = {a} WHERE position = {b}"),
            format!("UPDATE commits SET position = {b} WHERE position = -1"),
        ],
    );
    let (code, report, _) = verify(&workspace);
    assert_eq!(code, Some(5));
    assert_eq!(report["finding"]["kind"], "broken_link", "{report}");
    assert_eq!(report["finding"]["position"], a);
}

#[test]
fn a_log_shorter_than_its_read_models_is_refused_loudly() {
    let workspace = imported();
    assert_success(&workspace.run(&["report", "-p", "Q3 2016/17"]));
    let (_, report, _) = verify(&workspace);
    let head = report["head"].as_u64().unwrap();
    tamper(
        &workspace.db(),
        &[format!("DELETE FROM commits WHERE position > {}", head - 3)],
    );
    let (code, report, message) = verify(&workspace);
    assert_eq!(code, Some(5), "{message}");
    assert_eq!(report["verified"], false);
    assert_eq!(report["finding"]["kind"], "read_models_ahead", "{report}");
    assert!(
        message.contains("shorter than the read models"),
        "{message}"
    );
}

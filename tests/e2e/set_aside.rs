//! A commit that cannot be read, from the command line: queries answer at the position before
//! it and warn; writes fail as corruption (exit 5) naming it; an admin sets it aside with a
//! reason, and the history and reports say so from then on.

use crate::support::{assert_success, run_in, sample_json, stderr, stdout, Workspace};

fn land_unreadable_commit(workspace: &Workspace) {
    tokio::runtime::Runtime::new().expect("a runtime").block_on(
        scoreledger_testkit::pair::land_unreadable_row(&workspace.db()),
    );
}

#[test]
fn an_unreadable_commit_is_named_and_an_admin_sets_it_aside_with_a_reason() {
    let workspace = Workspace::new();
    let file = workspace.file("plan.json", &sample_json());
    assert_success(&workspace.run(&["import", file.to_str().unwrap()]));
    land_unreadable_commit(&workspace);
    let bad = {
        let output = workspace.run(&["report", "-p", "Q3 2016/17", "--format", "json"]);
        assert_success(&output);
        let warning = stderr(&output);
        assert!(warning.contains("cannot be read"), "{warning}");
        assert!(warning.contains("set-aside"), "{warning}");
        let report: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
        assert!(report.get("set_asides").is_none(), "{report}");
        report["position"].as_u64().unwrap() + 1
    };

    // A write must see the whole log: corruption, named, nothing appended.
    let output = workspace.run(&["record", "value", "-m", "2.B5", "-p", "Dec-16", "-v", "70"]);
    assert_eq!(output.status.code(), Some(5), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(&format!("position {bad}")),
        "{}",
        stderr(&output)
    );

    let position = bad.to_string();
    let as_role = |role: &str, extra: &[&str]| {
        let mut args = vec![
            "--user",
            "ada.admin",
            "--role",
            role,
            "set-aside",
            &position,
        ];
        args.extend_from_slice(extra);
        run_in(&workspace.db(), &args)
    };
    let reason = ["--reason", "damaged disk; no backup holds it"];
    let output = as_role("performance", &reason);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("may not set aside"),
        "{}",
        stderr(&output)
    );
    let output = as_role("admin", &[]);
    assert_eq!(output.status.code(), Some(3), "a reason is required");
    let readable = (bad - 1).to_string();
    let output = run_in(
        &workspace.db(),
        &["--role", "admin", "set-aside", &readable, "--reason", "no"],
    );
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("can be read"),
        "{}",
        stderr(&output)
    );
    let output = as_role("admin", &reason);
    assert_success(&output);
    assert!(
        stdout(&output).contains(&format!("the commit at position {bad} is set aside")),
        "{}",
        stdout(&output)
    );

    // From then on: writes land, no warning, the history and the report say so.
    assert_success(&workspace.run(&["record", "value", "-m", "2.B5", "-p", "Dec-16", "-v", "70"]));
    let output = workspace.run(&["history", "--what", "set-aside", "--json"]);
    assert_success(&output);
    let rows: Vec<serde_json::Value> = stdout(&output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["actor_id"], "ada.admin");
    assert_eq!(rows[0]["reason"], "damaged disk; no backup holds it");
    let output = workspace.run(&["report", "-p", "Q3 2016/17"]);
    assert_success(&output);
    assert!(
        !stderr(&output).contains("cannot be read"),
        "{}",
        stderr(&output)
    );
    assert!(
        stdout(&output).contains(&format!(
            "Set aside: The commit at log position {bad} could not be read"
        )),
        "{}",
        stdout(&output)
    );
}

/// `verify --json` as JSON, and its exit code.
fn verified(workspace: &Workspace) -> (Option<i32>, serde_json::Value) {
    let output = workspace.run(&["verify", "--json"]);
    let report = serde_json::from_str(stdout(&output).trim())
        .unwrap_or_else(|_| panic!("one JSON object: {}", stderr(&output)));
    (output.status.code(), report)
}

#[test]
fn a_set_aside_commit_is_passed_over_by_verify_checkpoints_and_backups_and_still_pinned() {
    let workspace = Workspace::new();
    let file = workspace.file("plan.json", &sample_json());
    assert_success(&workspace.run(&["import", file.to_str().unwrap()]));
    assert_success(&workspace.run(&[
        "--role",
        "admin",
        "keys",
        "generate",
        "--origin",
        "scoreledger.test/set-aside",
    ]));
    land_unreadable_commit(&workspace);
    let (code, report) = verified(&workspace);
    assert_eq!(code, Some(5), "{report}");
    assert_eq!(report["finding"]["kind"], "unreadable", "{report}");
    let bad = report["finding"]["position"].as_u64().unwrap();
    assert!(
        report["finding"]["message"]
            .as_str()
            .unwrap()
            .contains(&format!("set-aside {bad} --reason")),
        "{report}"
    );
    // Nothing signs over a commit nobody has judged.
    let output = workspace.run(&["--role", "admin", "checkpoint", "record"]);
    assert_eq!(output.status.code(), Some(5), "{}", stdout(&output));
    assert!(
        stderr(&output).contains("no admin has set it aside"),
        "{}",
        stderr(&output)
    );

    let position = bad.to_string();
    assert_success(&workspace.run(&[
        "--role",
        "admin",
        "set-aside",
        &position,
        "--reason",
        "damaged disk; no backup holds it",
    ]));
    // Set aside, it is passed over, named, and covered by the checkpoints signed after it.
    let output = workspace.run(&["--role", "admin", "checkpoint", "record"]);
    assert_success(&output);
    assert_success(&workspace.run(&["record", "value", "-m", "2.B5", "-p", "Dec-16", "-v", "70"]));
    assert_success(&workspace.run(&["--role", "admin", "checkpoint", "record"]));
    let (code, report) = verified(&workspace);
    assert_eq!(code, Some(0), "{report}");
    assert_eq!(report["set_aside"], serde_json::json!([bad]), "{report}");
    assert!(report["checkpoints"].as_u64().unwrap() >= 2, "{report}");
    let output = workspace.run(&["proof", "inclusion", &position]);
    assert_success(&output);

    // Backups pass over it too, and what they restore verifies the same.
    let dir = tempfile::tempdir().unwrap();
    for (name, format) in [("log.db", "sqlite"), ("log.jsonl", "jsonl")] {
        let backup = dir.path().join(name);
        let backup = backup.to_str().unwrap();
        assert_success(&workspace.run(&["backup", backup, "--format", format]));
        let restored = dir.path().join(format!("restored-{format}.db"));
        assert_success(&run_in(&restored, &["restore", backup]));
        let output = run_in(&restored, &["verify", "--json"]);
        assert_success(&output);
        let again: serde_json::Value = serde_json::from_str(stdout(&output).trim()).unwrap();
        assert_eq!(again["set_aside"], report["set_aside"], "{again}");
        assert_eq!(again["root"], report["root"], "{again}");
    }

    // Its bytes are pinned by the checkpoints signed over them: changed again, it is caught.
    tokio::runtime::Runtime::new()
        .expect("a runtime")
        .block_on(async {
            let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", workspace.db().display()))
                .await
                .expect("the log's file opens");
            for sql in [
                "DROP TRIGGER commits_are_never_updated".to_owned(),
                format!("UPDATE commits SET envelope = replace(envelope, '\"1\"', '\"2\"') WHERE position = {bad}"),
            ] {
                sqlx::query(&sql).execute(&pool).await.expect("tampered");
            }
            pool.close().await;
        });
    let (code, report) = verified(&workspace);
    assert_eq!(code, Some(5), "{report}");
    assert_eq!(report["finding"]["kind"], "checkpoint_mismatch", "{report}");
}

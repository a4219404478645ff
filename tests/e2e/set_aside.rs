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

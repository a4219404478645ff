//! Period locks: after `lock`, a change to the period needs the performance team and a reason.

use crate::support::{assert_success, commits, run_in, sample_json, stderr, stdout, Workspace};

#[test]
fn a_locked_quarter_refuses_an_officer_and_a_change_without_a_reason() {
    let workspace = Workspace::new();
    let file = workspace.file("plan.json", &sample_json());
    assert_success(&workspace.run(&["import", file.to_str().unwrap()]));
    let output = workspace.run(&["lock", "--period", "Q3 2016/17"]);
    assert_success(&output);
    assert!(
        stdout(&output).contains("Q3 Oct - Dec 2016 of Corporate Plan 2016/17 locked"),
        "{}",
        stdout(&output)
    );
    let before = commits(&workspace);

    let revise = [
        "record",
        "value",
        "-m",
        "2.B5",
        "-p",
        "Q3 2016/17",
        "-v",
        "231",
        "--classification",
        "late_data",
    ];
    let officer = |extra: &[&str]| {
        let mut args = vec![
            "--user",
            "sam.newton",
            "--name",
            "Sam Newton",
            "--role",
            "officer",
        ];
        args.extend_from_slice(&revise);
        args.extend_from_slice(extra);
        run_in(&workspace.db(), &args)
    };
    let output = officer(&["--reason", "December data from Liquid Logic"]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(stderr(&output).contains("is locked"), "{}", stderr(&output));
    let output = workspace.run(&revise);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let output = workspace.run(&["record", "value", "-m", "2.B5", "-p", "Dec-16", "-v", "70"]);
    assert_eq!(
        output.status.code(),
        Some(3),
        "a month inside the quarter is locked too"
    );
    assert_eq!(commits(&workspace), before, "nothing appended");

    let mut with_reason = revise.to_vec();
    with_reason.extend(["--reason", "December data from Liquid Logic"]);
    assert_success(&workspace.run(&with_reason));

    let output = workspace.run(&["reopen", "--period", "Q3 2016/17"]);
    assert_eq!(output.status.code(), Some(3), "reopening needs a reason");
    assert_success(&workspace.run(&[
        "reopen",
        "--period",
        "Q3 2016/17",
        "--reason",
        "outturn refresh",
    ]));
    let output = workspace.run(&["history", "--json"]);
    let whats: Vec<String> = stdout(&output)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["what"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .filter(|w| w.starts_with("period"))
        .collect();
    assert_eq!(whats, ["period locked", "period reopened"]);
}

#[test]
fn an_import_into_a_locked_quarter_is_refused_and_appends_nothing() {
    let workspace = Workspace::new();
    let file = workspace.file("plan.json", &sample_json());
    assert_success(&workspace.run(&["import", file.to_str().unwrap()]));
    assert_success(&workspace.run(&["lock", "--period", "Q3 2016/17"]));
    let before = commits(&workspace);

    // The same plan with one new measure carrying Q3 figures.
    let mut sample: serde_json::Value = serde_json::from_str(&sample_json()).unwrap();
    let mut measure = sample["measures"][0].clone();
    measure["ref"] = "1.A99".into();
    measure["ref_as_printed"] = "1.A99".into();
    sample["measures"] = serde_json::json!([measure]);
    let file = workspace.file("late.json", &sample.to_string());
    let output = workspace.run(&["import", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(stderr(&output).contains("is locked"), "{}", stderr(&output));
    assert_eq!(commits(&workspace), before, "nothing appended");
}

#[test]
fn roles_that_may_not_change_the_scorecard_are_refused() {
    let workspace = Workspace::new();
    let file = workspace.file("plan.json", &sample_json());
    assert_success(&workspace.run(&["import", file.to_str().unwrap()]));
    let before = commits(&workspace);
    let as_role = |role: &str, args: &[&str]| {
        let mut all = vec!["--user", "someone", "--role", role];
        all.extend_from_slice(args);
        run_in(&workspace.db(), &all)
    };
    let target = [
        "record", "target", "-m", "1.A4", "-p", "2016/17", "-t", "5%", "-r", "re-set",
    ];
    let value = [
        "record",
        "value",
        "-m",
        "1.A4",
        "-p",
        "Q4 2016/17",
        "-v",
        "6%",
    ];
    for (role, args) in [
        ("officer", &target[..]),
        (
            "officer",
            &[
                "publish",
                "-p",
                "Q3 2016/17",
                "--meeting",
                "Cabinet",
                "--on",
                "2017-01-13",
            ][..],
        ),
        ("auditor", &value[..]),
        ("approver", &value[..]),
    ] {
        let output = as_role(role, args);
        assert_eq!(
            output.status.code(),
            Some(3),
            "{role} {args:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains(&format!("the {role} role may not")),
            "{}",
            stderr(&output)
        );
    }
    assert_eq!(commits(&workspace), before, "nothing appended");
    assert_success(&as_role("officer", &value));
}

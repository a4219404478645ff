//! Maker–checker and definition changes from the command line: `signoff`, `approve-note` and
//! `amend`, refused with exit 3 and nothing appended when the rules say no.

use crate::support::{assert_success, commits, run_in, sample_json, stderr, stdout, Workspace};

fn as_user(workspace: &Workspace, user: &str, role: &str, args: &[&str]) -> std::process::Output {
    let mut all = vec!["--user", user, "--name", user, "--role", role];
    all.extend_from_slice(args);
    run_in(&workspace.db(), &all)
}

#[test]
fn a_value_is_signed_off_by_someone_else_and_the_measure_shows_who() {
    let workspace = Workspace::new();
    let file = workspace.file("plan.json", &sample_json());
    // The import is entered by simon.dennis (see `support::run`).
    assert_success(&workspace.run(&["import", file.to_str().unwrap()]));
    let before = commits(&workspace);
    let signoff = ["signoff", "-m", "2.B5", "-p", "Q3 2016/17"];

    let output = as_user(&workspace, "simon.dennis", "approver", &signoff);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("maker ≠ checker"),
        "{}",
        stderr(&output)
    );
    let output = as_user(&workspace, "jo.checker", "officer", &signoff);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("the officer role may not sign off a value"),
        "{}",
        stderr(&output)
    );
    assert_eq!(commits(&workspace), before, "nothing appended");

    let output = as_user(&workspace, "jo.checker", "approver", &signoff);
    assert_success(&output);
    assert!(
        stdout(&output).contains("signed off the value of 2.B5"),
        "{}",
        stdout(&output)
    );
    let output = as_user(&workspace, "kim.other", "approver", &signoff);
    assert_eq!(output.status.code(), Some(3), "already signed off");

    let output = workspace.run(&["measure", "2.B5"]);
    assert_success(&output);
    assert!(
        stdout(&output).contains("Signed off by") && stdout(&output).contains("jo.checker"),
        "{}",
        stdout(&output)
    );
    let output = workspace.run(&["history", "-m", "2.B5", "--what", "signoff", "--json"]);
    assert_success(&output);
    assert_eq!(stdout(&output).lines().count(), 1, "{}", stdout(&output));
}

#[test]
fn an_amendment_needs_a_reason_and_shows_each_field_before_and_after() {
    let workspace = Workspace::new();
    let file = workspace.file("plan.json", &sample_json());
    assert_success(&workspace.run(&["import", file.to_str().unwrap()]));
    let before = commits(&workspace);
    let amend = ["amend", "-m", "2.B5", "--lead-officer", "Jo Smith"];

    let output = workspace.run(&amend);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(stderr(&output).contains("--reason"), "{}", stderr(&output));
    let output = workspace.run(&["amend", "-m", "2.B5", "--reason", "nothing"]);
    assert_eq!(output.status.code(), Some(3), "an amendment of no field");
    let output = as_user(
        &workspace,
        "jo.checker",
        "approver",
        &["amend", "-m", "2.B5", "--title", "x", "--reason", "y"],
    );
    assert_eq!(output.status.code(), Some(3), "approvers do not amend");
    assert_eq!(commits(&workspace), before, "nothing appended");

    let mut with_reason = amend.to_vec();
    with_reason.extend([
        "--priority-measure",
        "yes",
        "--reason",
        "Cabinet reassigned it",
    ]);
    let output = workspace.run(&with_reason);
    assert_success(&output);
    assert!(
        stdout(&output).contains("2.B5 lead_officer: ") && stdout(&output).contains("→ Jo Smith"),
        "{}",
        stdout(&output)
    );
    let output = workspace.run(&["history", "-m", "2.B5", "--what", "definition", "--json"]);
    assert_success(&output);
    assert!(
        stdout(&output).contains("definition: lead_officer")
            && stdout(&output).contains("Cabinet reassigned it"),
        "{}",
        stdout(&output)
    );
    let output = workspace.run(&["measure", "2.B5"]);
    assert!(stdout(&output).contains("Jo Smith"), "{}", stdout(&output));
}

#[test]
fn the_help_says_who_may_check_and_that_the_maker_may_not() {
    let output = run_in(std::path::Path::new("unused.db"), &["signoff", "--help"]);
    assert_success(&output);
    assert!(
        stdout(&output).contains("approver")
            && stdout(&output).contains("recorded or last revised"),
        "{}",
        stdout(&output)
    );
    let output = run_in(std::path::Path::new("unused.db"), &["amend", "--help"]);
    assert!(
        stdout(&output).contains("--lead-officer"),
        "{}",
        stdout(&output)
    );
}

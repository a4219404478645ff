use crate::support::{assert_success, commits, sample_json, stderr, stdout, Workspace};

fn imported() -> Workspace {
    let workspace = Workspace::new();
    let file = workspace.file("plan.json", &sample_json());
    assert_success(&workspace.run(&["import", file.to_str().unwrap()]));
    workspace
}

#[test]
fn a_revision_needs_a_reason_and_then_shows_in_the_history() {
    let workspace = imported();
    let before = commits(&workspace);
    let revise = [
        "record",
        "value",
        "-m",
        "1.A3",
        "-p",
        "Q3 2016/17",
        "-v",
        "27.9%",
        "--classification",
        "correction",
    ];
    let output = workspace.run(&revise);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("needs a reason"),
        "{}",
        stderr(&output)
    );
    assert_eq!(commits(&workspace), before, "nothing appended");

    let mut with_reason = revise.to_vec();
    with_reason.extend(["--reason", "Liquid Logic refresh for the outturn report"]);
    assert_success(&workspace.run(&with_reason));
    let output = workspace.run(&["history", "--measure", "1.A3", "--json"]);
    assert_success(&output);
    let last: serde_json::Value =
        serde_json::from_str(stdout(&output).lines().last().unwrap()).unwrap();
    assert_eq!(last["before"], "28.3%");
    assert_eq!(last["after"], "27.9%");
    assert_eq!(
        last["reason"],
        "Liquid Logic refresh for the outturn report"
    );
    assert_eq!(last["classification"], "correction");
    assert_eq!(last["actor_name"], "Simon Dennis");
}

#[test]
fn recording_a_value_twice_is_refused_with_a_hint() {
    let workspace = imported();
    let output = workspace.run(&[
        "record",
        "value",
        "-m",
        "1.A3",
        "-p",
        "Q3 2016/17",
        "-v",
        "1%",
    ]);
    assert_eq!(output.status.code(), Some(3));
    assert!(
        stderr(&output).contains("already recorded (28.3%); revise it"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn bad_input_is_rejected_with_what_to_write_instead() {
    let workspace = imported();
    let output = workspace.run(&[
        "record",
        "value",
        "-m",
        "1.A3",
        "-p",
        "last quarter",
        "-v",
        "1%",
    ]);
    assert_eq!(output.status.code(), Some(3));
    assert!(
        stderr(&output).contains("Q3 Oct - Dec 2016"),
        "{}",
        stderr(&output)
    );
    let output = workspace.run(&[
        "record",
        "status",
        "-m",
        "9.Z9",
        "-p",
        "Q3 2016/17",
        "-s",
        "on_target",
    ]);
    assert_eq!(output.status.code(), Some(3));
    assert!(
        stderr(&output).contains("no measure 9.Z9"),
        "{}",
        stderr(&output)
    );
    let output = workspace.run(&[
        "record",
        "status",
        "-m",
        "1.A3",
        "-p",
        "Q3 2016/17",
        "-s",
        "green",
    ]);
    assert_eq!(output.status.code(), Some(3));
    assert!(
        stderr(&output).contains("expected one of on_target"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_target_change_and_a_status_with_the_rules_suggestion_land() {
    let workspace = imported();
    let output = workspace.run(&[
        "record",
        "target",
        "-m",
        "1.A4",
        "-p",
        "2016/17",
        "-t",
        "5%",
        "-r",
        "re-set by Cabinet",
    ]);
    assert_success(&output);
    let output = workspace.run(&[
        "record",
        "status",
        "-m",
        "1.A4",
        "-p",
        "Q3 2016/17",
        "-s",
        "satisfactory",
        "-r",
        "reassessed",
    ]);
    assert_success(&output);
    assert!(
        stdout(&output).contains("status satisfactory (the rules suggest off_target)"),
        "{}",
        stdout(&output)
    );
    let output = workspace.run(&["report", "--period", "Q3 2016/17", "--format", "csv"]);
    let row = stdout(&output)
        .lines()
        .find(|l| l.starts_with("1.A4,"))
        .unwrap()
        .to_owned();
    assert!(row.contains("5% (changed from 4%)"), "{row}");
    assert!(row.contains(",satisfactory,"), "{row}");
}

#[test]
fn a_note_a_spreadsheet_would_run_is_neutralised_in_the_report_csv() {
    let workspace = imported();
    let note = "=HYPERLINK(\"http://x\",\"y\")";
    assert_success(&workspace.run(&[
        "record",
        "note",
        "-m",
        "1.A4",
        "-p",
        "Q3 2016/17",
        "-n",
        note,
    ]));
    let output = workspace.run(&["report", "--period", "Q3 2016/17", "--format", "csv"]);
    assert_success(&output);
    let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(stdout(&output).as_bytes())
        .records()
        .map(|r| r.unwrap())
        .collect();
    let row = rows.iter().find(|r| &r[0] == "1.A4").unwrap();
    assert_eq!(row.iter().next_back().unwrap(), format!("'{note}"));
    for field in rows.iter().flat_map(|r| r.iter()) {
        assert!(
            !field.trim_start().starts_with(['=', '+', '@']),
            "{field:?} would run as a formula"
        );
    }
}

use crate::support::{assert_success, commits, sample_csv, sample_json, stderr, stdout, Workspace};

#[test]
fn importing_the_sample_json_defines_103_measures_and_reports_them() {
    let workspace = Workspace::new();
    let file = workspace.file("plan.json", &sample_json());
    let output = workspace.run(&["import", file.to_str().unwrap()]);
    assert_success(&output);
    assert!(
        stdout(&output).contains("103 measures"),
        "{}",
        stdout(&output)
    );
    let output = workspace.run(&["report", "--period", "Q3 2016/17", "--format", "csv"]);
    assert_success(&output);
    let csv = stdout(&output);
    assert_eq!(csv.lines().count(), 104, "a header and 103 rows");
    assert!(csv.lines().nth(1).unwrap().starts_with("1.A1,"));
    let position = |r: &str| {
        csv.lines()
            .position(|l| l.starts_with(&format!("{r},")))
            .unwrap()
    };
    assert!(
        position("2.B9 (c)") < position("2.B10"),
        "refs sort naturally: 2.B9 before 2.B10"
    );
    assert!(position("1.C4 (b)") < position("2.A1"));
}

#[test]
fn importing_the_same_file_again_appends_nothing() {
    let workspace = Workspace::new();
    let file = workspace.file("plan.json", &sample_json());
    assert_success(&workspace.run(&["import", file.to_str().unwrap()]));
    let before = commits(&workspace);
    let output = workspace.run(&["import", file.to_str().unwrap()]);
    assert_success(&output);
    assert!(
        stdout(&output).contains("appended 0 commits"),
        "{}",
        stdout(&output)
    );
    assert!(
        stdout(&output).contains("103 commits of this file were imported before"),
        "{}",
        stdout(&output)
    );
    assert_eq!(commits(&workspace), before);
}

#[test]
fn a_different_file_defining_the_same_measures_is_refused_and_appends_nothing() {
    let workspace = Workspace::new();
    let file = workspace.file("plan.json", &sample_json());
    assert_success(&workspace.run(&["import", file.to_str().unwrap()]));
    let before = commits(&workspace);
    let mut edited: serde_json::Value = serde_json::from_str(&sample_json()).unwrap();
    edited["measures"][0]["note"] = "a different note".into();
    let other = workspace.file("edited.json", &edited.to_string());
    let output = workspace.run(&["import", other.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("measure 1 (1.A1), field measure: this measure already exists"),
        "{}",
        stderr(&output)
    );
    assert_eq!(commits(&workspace), before);
}

#[test]
fn a_malformed_json_row_is_named_by_row_and_field_and_nothing_is_appended() {
    let workspace = Workspace::new();
    let mut plan: serde_json::Value = serde_json::from_str(&sample_json()).unwrap();
    plan["measures"][2]["polarity"] = "upwards".into();
    plan["measures"][40]["values"]["Q5 2016/17"] = "3".into();
    let file = workspace.file("broken.json", &serde_json::to_string_pretty(&plan).unwrap());
    let output = workspace.run(&["import", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(
        message.contains("measure 3 (1.A3), field polarity: unknown polarity \"upwards\""),
        "{message}"
    );
    assert!(message.contains("measure 41"), "{message}");
    assert!(message.contains("field values.Q5 2016/17"), "{message}");
    assert!(message.contains("nothing was imported"), "{message}");
    assert_eq!(commits(&workspace), 0);
}

#[test]
fn a_malformed_csv_row_is_named_by_row_and_field_and_nothing_is_appended() {
    let workspace = Workspace::new();
    let csv = sample_csv();
    let mut lines: Vec<String> = csv.lines().map(str::to_owned).collect();
    // Row 5 of the file (the fourth measure, 1.A4): an unknown frequency.
    lines[4] = lines[4].replacen(",Monthly,", ",Fortnightly,", 1).replacen(
        ",monthly,",
        ",fortnightly,",
        1,
    );
    let file = workspace.file("broken.csv", &(lines.join("\n") + "\n"));
    let output = workspace.run(&["import", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("row 5 (1.A4), field frequency"),
        "{}",
        stderr(&output)
    );
    assert_eq!(commits(&workspace), 0);
}

#[test]
fn the_csv_sample_imports_to_the_same_report_as_the_json_sample() {
    let json_workspace = Workspace::new();
    let json = json_workspace.file("plan.json", &sample_json());
    assert_success(&json_workspace.run(&["import", json.to_str().unwrap()]));
    let csv_workspace = Workspace::new();
    let csv = csv_workspace.file("plan.csv", &sample_csv());
    assert_success(&csv_workspace.run(&["import", csv.to_str().unwrap()]));
    let rows = |w: &Workspace| {
        let output = w.run(&["report", "--period", "Q3 2016/17", "--format", "json"]);
        assert_success(&output);
        let report: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
        (report["rows"].clone(), report["summary"]["status"].clone())
    };
    assert_eq!(rows(&json_workspace), rows(&csv_workspace));
}

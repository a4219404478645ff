//! Question 3, scenario S4: Q3 figures from Liquid Logic announced for a refresh "for the end
//! of Qtr 4/outturn report", and what the refresh changed, read against each figure as it
//! stood at the announcement.

use serde_json::Value;

use crate::support::{assert_success, sample_json, stderr, stdout, Workspace};

const NOTE: &str = "Data validation work is still ongoing within the service, therfore all \
                    performance data will be refreshed for the end of Qtr 4/outturn report.";
const LIQUID_LOGIC: [&str; 5] = ["1.A1", "1.A3", "1.A4", "1.A5", "1.A6"];

fn announce(
    workspace: &Workspace,
    role: &str,
    measures: &[&str],
    period: &str,
    due: &str,
) -> std::process::Output {
    let mut args = vec!["--role", role, "record", "refresh"];
    for measure in measures {
        args.extend(["-m", measure]);
    }
    args.extend(["-p", period, "--due", due, "--note", NOTE]);
    workspace.run(&args)
}

fn refreshes(workspace: &Workspace) -> Vec<Value> {
    let output = workspace.run(&["audit", "refresh", "--format", "json"]);
    assert_success(&output);
    serde_json::from_str::<Value>(&stdout(&output))
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

/// Each value's measure and outcome, and its difference where it has one.
fn outcomes(found: &[Value]) -> Vec<(String, String, Option<String>)> {
    found
        .iter()
        .flat_map(|a| a["values"].as_array().unwrap().clone())
        .map(|v| {
            (
                v["measure_ref"].as_str().unwrap().to_owned(),
                v["outcome"].as_str().unwrap().to_owned(),
                v["difference"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

fn revise(workspace: &Workspace, measure: &str, value: &str) {
    assert_success(&workspace.run(&[
        "record",
        "value",
        "-m",
        measure,
        "-p",
        "Q3 2016/17",
        "-v",
        value,
        "--classification",
        "scheduled_revision",
        "--reason",
        "Liquid Logic refresh for the outturn report",
    ]));
}

#[test]
fn a_refresh_announced_for_liquid_logic_figures_is_followed_to_the_outturn_report() {
    let workspace = Workspace::new();
    let file = workspace.file("plan.json", &sample_json());
    assert_success(&workspace.run(&["import", file.to_str().unwrap()]));

    // Refusals append nothing: an officer, a period with no figure to refresh, a due report
    // before the figure's own period.
    let officer = announce(
        &workspace,
        "officer",
        &LIQUID_LOGIC,
        "Q3 2016/17",
        "Q4 2016/17",
    );
    assert!(
        stderr(&officer).contains("may not announce a refresh of a value"),
        "{}",
        stderr(&officer)
    );
    let no_figure = announce(
        &workspace,
        "performance",
        &["1.A1", "1.A3"],
        "Q4 2016/17",
        "2016/17",
    );
    assert!(
        stderr(&no_figure)
            .contains("1.A1 has no value for Q4 Jan - Mar 2017 to refresh; record it first"),
        "{}",
        stderr(&no_figure)
    );
    let early = announce(
        &workspace,
        "performance",
        &["1.A3"],
        "Q3 2016/17",
        "Q2 2016/17",
    );
    assert!(
        stderr(&early).contains("ends before it"),
        "{}",
        stderr(&early)
    );
    assert!(refreshes(&workspace).is_empty());

    let output = announce(
        &workspace,
        "performance",
        &LIQUID_LOGIC,
        "Q3 2016/17",
        "Q4 2016/17",
    );
    assert_success(&output);
    assert!(
        stdout(&output).contains(
            "announced a refresh of 5 value(s) of 5 measure(s), due for Q4 Jan - Mar 2017"
        ),
        "{}",
        stdout(&output)
    );
    let found = refreshes(&workspace);
    assert_eq!(found.len(), 1, "one announcement: {found:?}");
    assert_eq!(found[0]["note"], NOTE);
    assert!(found[0]["due_report"].is_null());
    let awaiting: Vec<_> = LIQUID_LOGIC
        .iter()
        .map(|m| (m.to_string(), "awaiting".to_owned(), None))
        .collect();
    assert_eq!(outcomes(&found), awaiting);
    let a3 = &found[0]["values"][1];
    assert_eq!(
        (a3["then"].as_str(), a3["now"].as_str()),
        (Some("28.3%"), Some("28.3%"))
    );

    // The refresh: 1.A3 revised, 1.A4 refreshed to the figure it had; then the outturn
    // report; then 1.A5, too late for it.
    revise(&workspace, "1.A3", "28.1%");
    assert_success(&workspace.run(&[
        "record",
        "confirm",
        "-m",
        "1.A4",
        "-p",
        "Q3 2016/17",
        "--source",
        "Liquid Logic",
        "--reason",
        "Liquid Logic refresh: unchanged",
    ]));
    assert_success(&workspace.run(&[
        "publish",
        "-p",
        "Q4 2016/17",
        "--meeting",
        "Cabinet and Commissioners' Decision Making Meeting",
        "--on",
        "2017-06-12",
    ]));
    revise(&workspace, "1.A5", "86.9%");

    let found = refreshes(&workspace);
    assert_eq!(
        found[0]["due_report"].as_str(),
        Some("Q4 Jan - Mar 2017 (2017-06-12)")
    );
    assert_eq!(
        outcomes(&found),
        [
            ("1.A1".into(), "not_refreshed".into(), None),
            ("1.A3".into(), "revised".into(), Some("-0.2".into())),
            ("1.A4".into(), "unchanged".into(), None),
            ("1.A5".into(), "revised".into(), Some("+0.4".into())),
            ("1.A6".into(), "not_refreshed".into(), None),
        ]
    );
    let in_time: Vec<Option<bool>> = found[0]["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["in_time"].as_bool())
        .collect();
    assert_eq!(
        in_time,
        [
            Some(false),
            Some(true),
            Some(true),
            Some(false),
            Some(false)
        ]
    );

    // For people: what each refresh did, and the count.
    let output = workspace.run(&["audit", "refresh", "-p", "Q3 2016/17"]);
    assert_success(&output);
    let text = stdout(&output);
    assert!(
        text.contains("refreshed, revised by -0.2 at position"),
        "{text}"
    );
    assert!(text.contains("after the due report"), "{text}");
    assert!(
        text.contains("5 value(s) announced for a refresh at position")
            && text.contains("2 revised, 1 unchanged, 0 awaiting, 2 not refreshed by the report they were due for"),
        "{text}"
    );
    // As the log stood before the refresh, every figure was awaiting it.
    let before: Vec<Value> = {
        let at = announced_at(&found);
        let output = workspace.run(&["audit", "refresh", "--format", "json", "--position", &at]);
        assert_success(&output);
        serde_json::from_str::<Value>(&stdout(&output))
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    };
    assert_eq!(outcomes(&before), awaiting);
    // The history names each announcement.
    let output = workspace.run(&["history", "--what", "refresh", "--format", "csv"]);
    assert_success(&output);
    assert_eq!(stdout(&output).matches("refresh announced").count(), 5);
}

/// The position of the last commit of the announcement.
fn announced_at(found: &[Value]) -> String {
    let last = found[0]["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["announced_at_position"].as_i64().unwrap())
        .max()
        .unwrap();
    last.to_string()
}

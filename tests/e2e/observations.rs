//! Question 15, scenarios S16 and S17: figures for a year so far, each reported on its day in
//! its document, typed in years later; new observations apart from corrections of one; and
//! the two axes of time, as reported and as the log stood.

use serde_json::Value;

use crate::rag::notice_to_improve;
use crate::support::{assert_success, stderr, stdout, Workspace};

/// Records `value` for NI 59 as reported on `day` in `document`.
fn reported(workspace: &Workspace, day: &str, document: &str, period: &str, value: &str) {
    let output = workspace.run(&[
        "--reported-on",
        day,
        "--reported-in",
        document,
        "record",
        "value",
        "-m",
        "NI 59",
        "-p",
        period,
        "-v",
        value,
    ]);
    assert_success(&output);
}

fn nti() -> Workspace {
    let workspace = Workspace::new();
    let file = workspace.file("nti.json", &notice_to_improve());
    assert_success(&workspace.run(&["import", file.to_str().unwrap()]));
    workspace
}

#[test]
fn each_reported_figure_of_a_year_so_far_is_an_observation_and_corrections_are_counted_apart() {
    let workspace = nti();
    let update = "Notice to Improve action plan update, Appendix A";
    reported(
        &workspace,
        "2010-05-17",
        update,
        "2010/11 to 17 May 2010",
        "76.92%",
    );
    reported(
        &workspace,
        "2010-07-13",
        "Improvement Panel, 13 July 2010",
        "2010/11 to 13 Jul 2010",
        "80.16%",
    );
    reported(
        &workspace,
        "2010-08-20",
        update,
        "2010/11 to 2010-08-20",
        "80.11%",
    );
    // The figure as at 13 July put right, reported at the end of July.
    let output = workspace.run(&[
        "--reported-on",
        "2010-07-30",
        "--reported-in",
        "Performance note to the Panel, 30 July 2010",
        "record",
        "value",
        "-m",
        "NI 59",
        "-p",
        "2010/11 to 13 Jul 2010",
        "-v",
        "80.20%",
        "--classification",
        "correction",
        "--reason",
        "two assessments keyed after the cut-off",
    ]);
    assert_success(&output);

    let output = workspace.run(&["audit", "observations", "-m", "NI 59", "--json"]);
    assert_success(&output);
    let series: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let series = &series.as_array().unwrap()[0];
    assert_eq!(series["year"], "2010/11");
    let observations: Vec<(&str, &str, usize)> = series["observations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["first"].as_str().unwrap(),
                o["now"].as_str().unwrap(),
                o["corrections"].as_array().unwrap().len(),
            )
        })
        .collect();
    assert_eq!(
        observations,
        [
            ("76.92%", "76.92%", 0),
            ("80.16%", "80.20%", 1),
            ("80.11%", "80.11%", 0)
        ],
        "three observations of one series, one corrected; no new figure is a revision"
    );
    assert_eq!(
        series["observations"][1]["reported"]["document"],
        "Improvement Panel, 13 July 2010"
    );

    let output = workspace.run(&["audit", "observations", "-m", "NI 59"]);
    assert_success(&output);
    let text = stdout(&output);
    assert!(
        text.contains("Reported 13 Jul 2010: 80.16% (to 13 Jul 2010); reported 20 Aug 2010: 80.11% (to 20 Aug 2010); 1 correction(s) reported in between"),
        "{text}"
    );
    assert!(
        text.contains("NI 59, 2010/11 so far: 3 observation(s), 1 correction(s)"),
        "{text}"
    );

    // As reported by 13 July: two observations, no correction yet, and nothing typed in
    // today without a reported day.
    let output = workspace.run(&[
        "audit",
        "observations",
        "-m",
        "NI 59",
        "--reported-by",
        "2010-07-13",
    ]);
    assert_success(&output);
    let text = stdout(&output);
    assert!(text.contains("2 observation(s), 0 correction(s)"), "{text}");
    assert!(
        !text.contains("80.11%") && !text.contains("80.20%"),
        "{text}"
    );

    let output = workspace.run(&[
        "history",
        "-m",
        "NI 59",
        "--reported-by",
        "2010-07-31",
        "--json",
    ]);
    assert_success(&output);
    let rows: Vec<Value> = stdout(&output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let reported: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["reported_on"].as_str().unwrap(),
                r["after"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        reported,
        [
            ("2010-05-17", "76.92%"),
            ("2010-07-13", "80.16%"),
            ("2010-07-30", "80.20%")
        ],
        "the history as reported by 31 July 2010 leaves out what was imported today"
    );

    // The commits that carry a reported day verify as every other.
    let output = workspace.run(&["verify"]);
    assert_success(&output);
}

#[test]
fn a_report_on_a_day_to_come_or_of_no_document_is_refused_and_nothing_is_appended() {
    let workspace = nti();
    // Changes other than the reads of the history, which are recorded as they happen.
    let changes = |workspace: &Workspace| {
        let output = workspace.run(&["history", "--json"]);
        stdout(&output)
            .lines()
            .filter(|l| !l.contains("\"history read\""))
            .count()
    };
    let count = changes(&workspace);
    let output = workspace.run(&[
        "--reported-on",
        "2999-01-01",
        "--reported-in",
        "Improvement Panel",
        "record",
        "value",
        "-m",
        "NI 59",
        "-p",
        "2010/11 to 20 Aug 2010",
        "-v",
        "80.11%",
    ]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("has not come yet"),
        "{}",
        stderr(&output)
    );
    let output = workspace.run(&[
        "--reported-on",
        "2010-08-20",
        "--reported-in",
        "  ",
        "record",
        "value",
        "-m",
        "NI 59",
        "-p",
        "2010/11 to 20 Aug 2010",
        "-v",
        "80.11%",
    ]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("name the document"),
        "{}",
        stderr(&output)
    );
    // A figure to 20 August was not reported on 13 July.
    let output = workspace.run(&[
        "--reported-on",
        "2010-07-13",
        "--reported-in",
        "Improvement Panel",
        "record",
        "value",
        "-m",
        "NI 59",
        "-p",
        "2010/11 to 20 Aug 2010",
        "-v",
        "80.11%",
    ]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("was not reported on 2010-07-13"),
        "{}",
        stderr(&output)
    );
    let output = workspace.run(&["--reported-on", "2010-08-20", "history"]);
    assert!(
        !output.status.success(),
        "--reported-on needs --reported-in"
    );
    // A command that records nothing that could carry it refuses it rather than drop it.
    let output = workspace.run(&[
        "--reported-on",
        "2010-08-20",
        "--reported-in",
        "Improvement Panel",
        "keys",
        "show",
    ]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("records none that could carry them"),
        "{}",
        stderr(&output)
    );
    // Nor does the list of a group of commands that also write.
    for list in [
        &["action", "list"][..],
        &["meeting", "list"],
        &["token", "list"],
    ] {
        let mut args = vec![
            "--reported-on",
            "2010-08-20",
            "--reported-in",
            "Improvement Panel",
        ];
        args.extend_from_slice(list);
        let output = workspace.run(&args);
        assert!(
            stderr(&output).contains("records none that could carry them"),
            "{list:?}: {}",
            stderr(&output)
        );
    }
    assert_eq!(changes(&workspace), count, "nothing was appended");
}

#[test]
fn a_direction_for_a_year_so_far_compares_with_the_observation_before_it() {
    let workspace = nti();
    let update = "Notice to Improve action plan update, Appendix A";
    reported(
        &workspace,
        "2010-07-13",
        "Improvement Panel, 13 July 2010",
        "2010/11 to 13 Jul 2010",
        "62.63%",
    );
    reported(
        &workspace,
        "2010-08-20",
        update,
        "2010/11 to 20 Aug 2010",
        "79.74%",
    );
    let output = workspace.run(&[
        "record",
        "direction",
        "-m",
        "NI 59",
        "-p",
        "2010/11 to 20 Aug 2010",
        "-d",
        "improved",
    ]);
    assert_success(&output);
    // The rules compared with the observation as at 13 July (62.63% → 79.74%, high is good)
    // and suggested "improved"; against nothing, they would have suggested "not applicable".
    let output = workspace.run(&["measure", "NI 59", "--json"]);
    assert_success(&output);
    let measure: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let direction = measure["measure"]["directions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["period"] == "2010/11 to 20 Aug 2010")
        .expect("the direction as at 20 August");
    assert_eq!(direction["text"], "improved");
    assert_eq!(direction["computed"], "improved");
}

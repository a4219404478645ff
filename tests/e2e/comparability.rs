//! Question 14, scenarios S11 and S12: definition and source changes during the year, and
//! whether the directions of travel across them still compare like with like.

use serde_json::Value;

use crate::support::{assert_success, sample_json, stderr, stdout, Workspace};

/// A measure, its change and each direction across it with whether it compares.
type Verdict<'a> = (&'a str, &'a str, Vec<(&'a str, bool)>);

fn basis(workspace: &Workspace, measure: &str, kind: &str, restated: bool, note: &str) {
    let mut args = vec![
        "record",
        "basis",
        "-m",
        measure,
        "-p",
        "Q3 2016/17",
        "--kind",
        kind,
        "--note",
        note,
    ];
    if restated {
        args.push("--restated");
    }
    assert_success(&workspace.run(&args));
}

#[test]
fn directions_of_travel_across_a_change_that_was_not_restated_are_flagged() {
    let workspace = Workspace::new();
    let file = workspace.file("plan.json", &sample_json());
    assert_success(&workspace.run(&["import", file.to_str().unwrap()]));

    // An officer may not say so; nothing is appended.
    let output = workspace.run(&[
        "--role",
        "officer",
        "record",
        "basis",
        "-m",
        "5.D3",
        "-p",
        "Q3 2016/17",
        "--kind",
        "definition",
        "--note",
        "consultancy now counted as agency",
    ]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("may not record a definition or source change"),
        "{}",
        stderr(&output)
    );

    basis(&workspace, "2.A4", "definition", true,
        "Definition change in PHOF. Data for 2013-15 and retrospective data revised. 2012-14 data as shown in Corporate Plan = 9.7");
    basis(
        &workspace,
        "2.A1",
        "source",
        false,
        "Data in PHOF now sourced from Annual Population Survey. Affects 2014 figure.",
    );
    basis(
        &workspace,
        "5.D3",
        "definition",
        false,
        "Classification consultancy expenditure now as agency distorting annual projections.",
    );
    basis(
        &workspace,
        "4.B5 (a)",
        "definition",
        true,
        "The Council now caps performance across all Selective Licensing areas at 100%.",
    );

    let output = workspace.run(&["audit", "comparability", "--format", "json"]);
    assert_success(&output);
    let found: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let verdicts: Vec<Verdict> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["measure_ref"].as_str().unwrap(),
                f["change"].as_str().unwrap(),
                f["directions"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|d| {
                        (
                            d["direction"].as_str().unwrap(),
                            d["comparable"].as_bool().unwrap(),
                        )
                    })
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        verdicts,
        [
            // The public-health indicators compared nothing at Q3 (not applicable).
            ("2.A4", "definition change", vec![]),
            ("2.A1", "source change", vec![]),
            ("5.D3", "definition change", vec![("worse", false)]),
            (
                "4.B5 (a)",
                "definition change",
                vec![("improved (rules suggested stable)", true)]
            ),
        ]
    );

    let output = workspace.run(&["audit", "comparability"]);
    assert_success(&output);
    let text = stdout(&output);
    assert!(text.contains("NOT comparable"), "{text}");
    assert!(
        text.contains("4 change(s) of definition or source to 4 measure(s)")
            && text.contains(
                "1 direction(s) of travel compare figures across a change that were not restated"
            ),
        "{text}"
    );
    // A change of another year is left out when a year is asked for.
    let output = workspace.run(&["audit", "comparability", "-y", "2017/18"]);
    assert!(
        stdout(&output).contains("0 change(s)"),
        "{}",
        stdout(&output)
    );
}

//! A plan assessed in the 2010 Notice to Improve scheme: Red / Amber / Green / Complete.

use serde_json::{json, Value};

use crate::support::{assert_success, stderr, stdout, Workspace};

pub(crate) fn notice_to_improve() -> String {
    let measure = |reference: &str,
                   text: &str,
                   polarity: &str,
                   target: &str,
                   q1: &str,
                   rag: &str,
                   dot: &str| {
        json!({
            "ref": reference, "priority": 1, "outcome": "A", "measure": text,
            "polarity": polarity, "frequency": "monthly", "target": target,
            "values": { "Q1 Apr - Jun 2010": q1 }, "status": rag, "dot": dot
        })
    };
    json!({
        "format": "scoreledger-scorecard/1",
        "plan": { "name": "Notice to Improve Action Plan", "financial_year": "2010/11", "status_scheme": "rag_2010" },
        "reporting_period": "Q1 2010/11",
        "priorities": [ { "number": 1, "title": "Staying Safe - Performance" } ],
        "outcomes": [ { "priority": 1, "letter": "A", "title": "Performance measures" } ],
        "measures": [
            measure("NI 68", "Referrals to children's social care going on to initial assessment", "not_applicable", "68%", "52.15%", "green", "improved"),
            measure("NI 59", "Initial assessments within 7 working days of referral", "high", "85%", "76.92%", "red", "worse"),
            measure("NI 60", "Core assessments within 35 working days of their commencement", "high", "80%", "78.13%", "amber", "stable"),
        ]
    })
    .to_string()
}

fn rag_counts(workspace: &Workspace) -> Vec<u64> {
    let output = workspace.run(&["report", "--period", "Q1 2010/11", "--format", "json"]);
    assert_success(&output);
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(report["status_scheme"], "rag_2010");
    assert_eq!(report["summary"]["status"], json!([]));
    report["summary"]["rag"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["share"]["count"].as_u64().unwrap())
        .collect()
}

#[test]
fn a_2010_plan_is_rated_red_amber_green_and_tallied_that_way() {
    let workspace = Workspace::new();
    let file = workspace.file("nti.json", &notice_to_improve());
    assert_success(&workspace.run(&["import", file.to_str().unwrap()]));
    assert_eq!(
        rag_counts(&workspace),
        [1, 1, 1, 0],
        "red, amber, green, complete"
    );

    let output = workspace.run(&[
        "record",
        "rag",
        "-m",
        "NI 59",
        "-p",
        "Q1 2010/11",
        "--rating",
        "amber",
    ]);
    assert_success(&output);
    assert_eq!(rag_counts(&workspace), [0, 2, 1, 0]);

    let output = workspace.run(&[
        "record",
        "status",
        "-m",
        "NI 60",
        "-p",
        "Q1 2010/11",
        "-s",
        "on_target",
    ]);
    assert_eq!(output.status.code(), Some(3));
    assert!(
        stderr(&output).contains("assessed in the rag_2010 scheme; use a RAG rating"),
        "{}",
        stderr(&output)
    );
}

fn json_of(workspace: &Workspace, args: &[&str]) -> Value {
    let output = workspace.run(args);
    assert_success(&output);
    serde_json::from_str(&stdout(&output)).unwrap()
}

/// Q17 (S18): NI 60 met its March target and was rated Amber "in the hope that it would
/// continue to improve and not fall back": the rules' Green is kept beside the Amber given,
/// and the override is listed with who gave it and the rationale.
#[test]
fn a_rag_rating_against_the_rules_is_listed_with_its_rationale() {
    let workspace = Workspace::new();
    let file = workspace.file("nti.json", &notice_to_improve());
    assert_success(&workspace.run(&["import", file.to_str().unwrap()]));
    let period = "Q2 2010/11";
    assert_success(&workspace.run(&["record", "value", "-m", "NI 60", "-p", period, "-v", "80%"]));
    let rationale = "in the hope that it would continue to improve and not fall back";
    assert_success(&workspace.run(&[
        "record", "rag", "-m", "NI 60", "-p", period, "--rating", "amber", "-r", rationale,
    ]));
    // NI 59 rated as the rules read it is no override.
    assert_success(&workspace.run(&["record", "value", "-m", "NI 59", "-p", period, "-v", "70%"]));
    assert_success(&workspace.run(&[
        "record", "rag", "-m", "NI 59", "-p", period, "--rating", "red",
    ]));

    let found = json_of(
        &workspace,
        &["audit", "overrides", "-p", period, "--format", "json"],
    );
    let found = found.as_array().unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["measure_ref"], "NI 60");
    assert_eq!(
        (
            &found[0]["kind"],
            &found[0]["assessed"],
            &found[0]["computed"]
        ),
        (&json!("rag"), &json!("amber"), &json!("green"))
    );
    assert_eq!(found[0]["reason"], rationale);
    assert_eq!(found[0]["replaced_at"], Value::Null);

    // The history says it too; rated Green later, the override is marked replaced.
    let history = workspace.run(&["history", "-m", "NI 60", "--what", "rag", "--json"]);
    assert!(
        stdout(&history).contains("amber (rules suggested green)"),
        "{}",
        stdout(&history)
    );
    assert_success(&workspace.run(&[
        "record", "rag", "-m", "NI 60", "-p", period, "--rating", "green",
    ]));
    let found = json_of(
        &workspace,
        &["audit", "overrides", "-p", period, "--format", "json"],
    );
    assert!(found[0]["replaced_at"].is_number(), "{found}");
    let table = workspace.run(&["audit", "overrides", "-p", period]);
    assert!(
        stdout(&table).contains("1 assessment(s) given against the rules' suggestion"),
        "{}",
        stdout(&table)
    );
}

#[test]
fn a_2010_report_speaks_in_ratings_and_keeps_the_unrated_and_the_arrows() {
    let workspace = Workspace::new();
    // A fourth measure, with a figure and no rating yet.
    let measure = json!({
        "ref": "NI 61", "priority": 1, "outcome": "A", "measure": "Adoptions within 12 months",
        "polarity": "high", "frequency": "monthly", "target": "80%",
        "values": { "Q1 Apr - Jun 2010": "75%" }
    });
    let mut plan: Value = serde_json::from_str(&notice_to_improve()).unwrap();
    plan["measures"].as_array_mut().unwrap().push(measure);
    let file = workspace.file("nti-61.json", &plan.to_string());
    assert_success(&workspace.run(&["import", file.to_str().unwrap()]));

    let output = workspace.run(&["report", "--period", "Q1 2010/11"]);
    assert_success(&output);
    let text = stdout(&output);
    assert!(
        text.contains(
            "Of the 4 measures, 3 are rated: Red: 1 (25.0%) Amber: 1 (25.0%) Green: 1 (25.0%) Complete: 0 (0.0%); 1 not rated."
        ),
        "{text}"
    );
    assert!(!text.contains("measures with data"), "{text}");
    assert!(text.contains("│ not rated  ┆ 1"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.contains("NI 61") && l.contains("not rated")),
        "{text}"
    );
    let html = stdout(&workspace.run(&["report", "--period", "Q1 2010/11", "--format", "html"]));
    assert!(html.contains("1 not rated."), "{html}");
    assert!(
        html.contains("<th scope=\"row\">not rated</th><td class=\"num\">1</td>"),
        "{html}"
    );
    assert!(!html.contains("measures with data"), "{html}");
    assert!(
        html.contains("Measures per priority by RAG rating"),
        "{html}"
    );
    assert!(
        html.contains("<td class=\"status\">not rated"),
        "the unrated measure reads not rated: {html}"
    );

    // The arrow beside a rating is a direction of travel, as printed.
    let arrow = |d: &str| {
        workspace.run(&[
            "record",
            "direction",
            "-m",
            "NI 61",
            "-p",
            "Q1 2010/11",
            "-d",
            d,
        ])
    };
    assert_success(&arrow("↑"));
    let refused = arrow("↗");
    assert_eq!(refused.status.code(), Some(3));
    assert!(
        stderr(&refused).contains("or an arrow ↑ → ↓ (up, same, down)"),
        "{}",
        stderr(&refused)
    );
    assert_success(&workspace.run(&[
        "record",
        "rag",
        "-m",
        "NI 61",
        "-p",
        "Q1 2010/11",
        "--rating",
        "amber",
    ]));
    let row = |report: &Value| {
        report["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["measure_ref"] == "NI 61")
            .cloned()
            .unwrap()
    };
    let report = json_of(
        &workspace,
        &["report", "--period", "Q1 2010/11", "--format", "json"],
    );
    assert_eq!(row(&report)["direction"], "improved");
    assert_eq!(row(&report)["rag"], "amber");

    // A RAG cell is explained as the other cells are.
    let output = workspace.run(&[
        "explain",
        "-m",
        "NI 61",
        "-p",
        "Q1 2010/11",
        "--column",
        "rag",
    ]);
    assert_success(&output);
    let text = stdout(&output);
    assert!(
        text.contains("NI 61 RAG rating for Q1 Apr - Jun 2010"),
        "{text}"
    );
    assert!(text.contains("reads: amber"), "{text}");
    assert!(text.contains("recorded amber"), "{text}");
    assert!(text.contains("value ∅ → 75%"), "{text}");
}

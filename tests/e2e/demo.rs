use serde_json::Value;

use crate::support::{assert_success, run_in, stdout, Workspace};

fn counts(tallies: &Value) -> Vec<u64> {
    tallies
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["share"]["count"].as_u64().unwrap())
        .collect()
}

#[test]
fn the_demo_reproduces_the_published_q3_summary_and_shows_a_restatement() {
    let workspace = Workspace::new();
    let kept = workspace.dir.path().join("demo.db");
    let output = run_in(&workspace.db(), &["demo", "--keep", kept.to_str().unwrap()]);
    assert_success(&output);
    let printed = stdout(&output);
    assert!(
        printed.contains("✓ statuses 25/15/17/0/17/29 and directions 33/20/16/34 match"),
        "{printed}"
    );
    assert!(
        printed.contains("95 (revised; first published 112)"),
        "{printed}"
    );
    assert!(printed.contains("History of 2.B1"), "{printed}");

    // The Q3 report as Cabinet saw it on 13 January 2017, as canonical JSON.
    let output = run_in(
        &kept,
        &[
            "report",
            "--period",
            "Q3 2016/17",
            "--as-at",
            "2017-01-13",
            "--format",
            "json",
        ],
    );
    assert_success(&output);
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let summary = &report["summary"];
    assert_eq!(summary["total"], 103);
    assert_eq!(counts(&summary["status"]), [25, 15, 17, 0, 17, 29]);
    let percents: Vec<&str> = summary["status"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["share"]["percent"].as_str().unwrap())
        .collect();
    assert_eq!(
        percents,
        ["24.3%", "14.6%", "16.5%", "0.0%", "16.5%", "28.2%"]
    );
    assert_eq!(counts(&summary["direction"]), [33, 20, 16, 34]);
    assert_eq!(summary["measured"], 57);
    assert_eq!(summary["on_target_of_measured"]["percent"], "43.9%");
    assert_eq!(summary["off_target_of_measured"]["percent"], "29.8%");
    assert_eq!(summary["with_direction"], 69);
    assert_eq!(summary["improved_of_directed"]["percent"], "47.8%");
    assert_eq!(summary["priority_measures"]["total"], 32);
    assert_eq!(summary["priority_measures"]["with_data"], 21);
    let per_priority: Vec<u64> = summary["by_priority"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["total"].as_u64().unwrap())
        .collect();
    assert_eq!(per_priority, [27, 23, 18, 17, 18]);
    let row = |report: &Value, reference: &str| {
        report["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["measure_ref"] == reference)
            .unwrap()
            .clone()
    };
    assert_eq!(
        row(&report, "2.B2")["lead_accountability"],
        "Anne Marie Lubanski, Strategic Director Adult Social Care and Housing"
    );
    assert_eq!(row(&report, "1.B6")["target"], "3.1% (changed from 4.9%)");

    // Accountability is effective-dated: at the end of Q1 (30 June 2016) it was still the interim.
    let output = run_in(
        &kept,
        &["report", "--period", "Q1 2016/17", "--format", "json"],
    );
    assert_success(&output);
    let q1: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(
        row(&q1, "2.B2")["lead_accountability"],
        "Interim Strategic Director, Adult Social Care and Housing"
    );

    // What the Q2 report said on 14 November 2016, and what it says now.
    let q2 = |as_at: &[&str]| {
        let mut args = vec!["report", "--period", "Q2 2016/17", "--format", "json"];
        args.extend_from_slice(as_at);
        let output = run_in(&kept, &args);
        assert_success(&output);
        let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
        let row = report["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["measure_ref"] == "2.B1")
            .unwrap()
            .clone();
        let column = report["columns"]
            .as_array()
            .unwrap()
            .iter()
            .position(|c| c == "Q2 Jul - Sep 2016")
            .unwrap();
        row["values"][column].as_str().unwrap().to_owned()
    };
    assert_eq!(q2(&["--as-at", "2016-11-14"]), "112");
    assert_eq!(q2(&[]), "95 (revised; first published 112)");
}

#[test]
fn a_published_report_rebuilds_to_its_published_hash_even_after_a_full_rebuild() {
    let workspace = Workspace::new();
    let kept = workspace.dir.path().join("demo.db");
    assert_success(&run_in(
        &workspace.db(),
        &["demo", "--keep", kept.to_str().unwrap()],
    ));
    let history = run_in(&kept, &["history", "--json"]);
    let published: Vec<Value> = stdout(&history)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|e| e["what"] == "report published")
        .collect();
    assert_eq!(published.len(), 3, "Q1, Q2 and Q3 were published");
    let q2 = published[1]["after"].as_str().unwrap();
    let sha = q2.rsplit("sha256 ").next().unwrap();
    let cut_off = q2
        .split("built at position ")
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap();

    let rebuild = |args: &[&str]| {
        let output = run_in(&kept, args);
        assert_success(&output);
        String::from_utf8_lossy(&output.stderr).trim().to_owned()
    };
    let report_args = [
        "report",
        "--period",
        "Q2 2016/17",
        "--position",
        cut_off,
        "--format",
        "json",
    ];
    assert_eq!(rebuild(&report_args), format!("sha256 {sha}"));
    let output = run_in(&kept, &["rebuild"]);
    assert_success(&output);
    assert!(
        stdout(&output).contains("rebuilt the read models from"),
        "{}",
        stdout(&output)
    );
    assert_eq!(rebuild(&report_args), format!("sha256 {sha}"));
}

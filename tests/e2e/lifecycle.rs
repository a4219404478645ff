//! Withdrawing a measure mid-year: reports from its first period on leave it out and their
//! totals count without it; reports published before keep it and still prove; reinstating it
//! brings it back from its own first period.

use std::path::Path;

use serde_json::Value;

use crate::support::{assert_success, json_of, run_in, stderr, stdout, Workspace};

fn report(db: &Path, period: &str) -> Value {
    json_of(db, &["report", "--period", period, "--format", "json"])
}

fn has_row(report: &Value, reference: &str) -> bool {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .any(|row| row["measure_ref"] == reference)
}

#[test]
fn a_withdrawn_measure_leaves_later_totals_and_published_reports_keep_it() {
    let workspace = Workspace::new();
    let db = workspace.db();
    assert_success(&run_in(&db, &["demo", "--keep", db.to_str().unwrap()]));
    assert_eq!(report(&db, "Q3 2016/17")["summary"]["total"], 103);

    let withdraw = |reason: Option<&str>| {
        let mut args = vec!["withdraw", "-m", "3.A4", "--from", "Q3 2016/17"];
        if let Some(reason) = reason {
            args.extend(["--reason", reason]);
        }
        run_in(&db, &args)
    };
    let refused = withdraw(None);
    assert_eq!(refused.status.code(), Some(3));
    assert!(
        stderr(&refused).contains("needs a reason"),
        "{}",
        stderr(&refused)
    );
    let withdrawn = withdraw(Some("Cabinet dropped it in the December refresh"));
    assert_success(&withdrawn);
    assert!(stdout(&withdrawn).contains("withdrew 3.A4 from Q3 Oct - Dec 2016"));

    let q3 = report(&db, "Q3 2016/17");
    assert_eq!(q3["summary"]["total"], 102);
    assert!(!has_row(&q3, "3.A4"));
    let q2 = report(&db, "Q2 2016/17");
    assert_eq!(q2["summary"]["total"], 103);
    assert!(has_row(&q2, "3.A4"));

    // Q3 as published to Cabinet still has it, and still proves.
    let published = run_in(&db, &["report", "show", "Q3 2016/17"]);
    assert_success(&published);
    assert!(
        stderr(&published).contains("verified"),
        "{}",
        stderr(&published)
    );
    assert_success(&run_in(&db, &["verify", "--reports"]));

    // Nothing is entered for it while it is withdrawn.
    let late = run_in(
        &db,
        &[
            "record",
            "value",
            "-m",
            "3.A4",
            "-p",
            "Q4 2016/17",
            "-v",
            "12",
        ],
    );
    assert_eq!(late.status.code(), Some(3));
    assert!(
        stderr(&late).contains("withdrawn from Q3 Oct - Dec 2016"),
        "{}",
        stderr(&late)
    );

    assert_success(&run_in(
        &db,
        &[
            "reinstate",
            "-m",
            "3.A4",
            "--from",
            "Q4 2016/17",
            "--reason",
            "back after the review",
        ],
    ));
    assert!(has_row(&report(&db, "Q4 2016/17"), "3.A4"));
    assert!(!has_row(&report(&db, "Q3 2016/17"), "3.A4"));
    let history =
        crate::support::json_lines_of(&db, &["history", "--what", "withdrawal", "--json"]);
    let what: Vec<&str> = history
        .iter()
        .map(|e| e["what"].as_str().unwrap())
        .collect();
    assert_eq!(what, ["measure withdrawn", "measure reinstated"]);
}

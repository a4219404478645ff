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

#[test]
fn a_plan_rolls_over_into_the_next_year_without_its_withdrawn_measures_once() {
    let workspace = Workspace::new();
    let db = workspace.db();
    assert_success(&run_in(&db, &["demo", "--keep", db.to_str().unwrap()]));
    assert_success(&run_in(
        &db,
        &[
            "withdraw",
            "-m",
            "3.A4",
            "--from",
            "Q3 2016/17",
            "--reason",
            "dropped",
        ],
    ));
    let stray = workspace.file("stray.csv", "Ref,Target\n3.A4,90%\n");
    let refused = run_in(
        &db,
        &[
            "roll-over",
            "--to",
            "2017/18",
            "--targets",
            stray.to_str().unwrap(),
        ],
    );
    assert_eq!(refused.status.code(), Some(3));
    assert!(
        stderr(&refused).contains("3.A4 is not carried into 2017/18"),
        "{}",
        stderr(&refused)
    );

    let targets = workspace.file("targets.csv", "ref,target\n1.A1,320\n2.B1,95%\n");
    let roll = || {
        run_in(
            &db,
            &[
                "roll-over",
                "--to",
                "2017/18",
                "--targets",
                targets.to_str().unwrap(),
            ],
        )
    };
    let rolled = roll();
    assert_success(&rolled);
    let said = stdout(&rolled);
    assert!(
        said.contains("Corporate Plan 2016/17 (2016/17) → Corporate Plan 2017/18 (2017/18): 102 measures carried, 2 with a 2017/18 target"),
        "{said}"
    );
    assert!(
        said.contains("left behind, withdrawn by the start of 2017/18: 3.A4"),
        "{said}"
    );
    let again = roll();
    assert_success(&again);
    assert!(
        stdout(&again).contains("appended 0 commits"),
        "{}",
        stdout(&again)
    );

    let q1 = report(&db, "Q1 2017/18");
    assert_eq!(q1["plan"], "Corporate Plan 2017/18");
    assert_eq!(q1["summary"]["total"], 102);
    let target_of = |reference: &str| {
        q1["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|row| row["measure_ref"] == reference)
            .map(|row| row["target"].clone())
    };
    assert_eq!(target_of("1.A1"), Some(Value::from("320")));
    assert_eq!(target_of("1.A2"), Some(Value::Null));
    assert_eq!(target_of("3.A4"), None);

    // 1.A1 is now two measures, one in each year's plan; the history says which.
    let years = |extra: &[&str]| {
        let mut args = vec!["history", "-m", "1.A1", "--json"];
        args.extend_from_slice(extra);
        let mut years: Vec<String> = crate::support::json_lines_of(&db, &args)
            .iter()
            .filter(|e| e["what"] != "history read")
            .map(|e| e["plan_year"].as_str().unwrap().to_owned())
            .collect();
        years.dedup();
        years
    };
    assert_eq!(years(&[]), ["2016/17", "2017/18"]);
    assert_eq!(years(&["--plan-year", "2017/18"]), ["2017/18"]);
    let table = run_in(&db, &["history", "-m", "1.A1"]);
    assert_success(&table);
    assert!(
        stdout(&table).contains("1.A1 (2017/18)"),
        "{}",
        stdout(&table)
    );
}

//! The auditor's questions of DOMAIN §4.6 that issue 4 names, each answered on the demo data
//! by the command the README documents for it.

use serde_json::Value;

use crate::support::{
    assert_success, json_lines_of, json_of, run_in, shared_demo, stderr, stdout, Workspace,
};

fn strings(values: &[Value], field: &str) -> Vec<String> {
    values
        .iter()
        .map(|v| v[field].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn value_of(measure: &Value, period: &str) -> String {
    measure["measure"]["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["period"] == period)
        .map(|v| v["value"]["raw"].as_str().unwrap().to_owned())
        .unwrap_or_else(|| panic!("no value for {period}"))
}

/// Q1: 1.A3's 2015/16 year end as printed in the Corporate Plan (July 2016) and in the Q3
/// scorecard, who changed it, when and why.
#[test]
fn q1_a_year_end_value_as_approved_and_as_published_with_who_when_why() {
    let db = shared_demo();
    let approved = json_of(db, &["measure", "1.A3", "--as-at", "2016-07-13", "--json"]);
    assert_eq!(value_of(&approved, "2015/16"), "30.9%");
    let now = json_of(db, &["measure", "1.A3", "--json"]);
    assert_eq!(value_of(&now, "2015/16"), "30.6%");

    let explained = json_of(db, &["explain", "-m", "1.A3", "-p", "2015/16", "--json"]);
    let chain = explained["chain"].as_array().unwrap();
    assert_eq!(strings(chain, "after"), ["30.9%", "30.6%"]);
    let change = &chain[1];
    assert_eq!(change["actor_name"], "Simon Dennis");
    assert_eq!(change["classification"], "correction");
    assert!(change["recorded_at"]
        .as_str()
        .unwrap()
        .starts_with("2016-12-12"));
    assert!(change["reason"]
        .as_str()
        .unwrap()
        .contains("the Corporate Plan stated 30.9%"));
    let published = explained["published"].as_array().unwrap();
    assert_eq!(
        strings(published, "cell"),
        ["30.9%", "30.9%", "30.6% (revised; first published 30.9%)"]
    );
    assert_eq!(published[2]["published_on"], "2017-01-13");
}

/// Q2: what the Q2 scorecard (14 Nov 2016) said for 2.B1, the value before it became
/// "95 (revised)", and the definitional error.
#[test]
fn q2_the_published_q2_figure_and_its_revision_with_the_reason() {
    let db = shared_demo();
    let as_published = json_of(db, &["report", "show", "Q2 2016/17", "--format", "json"]);
    let column = as_published["columns"]
        .as_array()
        .unwrap()
        .iter()
        .position(|c| c == "Q2 Jul - Sep 2016")
        .unwrap();
    let row = as_published["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["measure_ref"] == "2.B1")
        .unwrap();
    assert_eq!(row["values"][column], "112");

    let diff = json_of(db, &["report", "diff", "Q2 2016/17", "--format", "json"]);
    let b1 = diff["restatements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["measure_ref"] == "2.B1")
        .expect("2.B1 is restated");
    assert_eq!(b1["as_published"], "112");
    assert_eq!(b1["now"], "95 (revised; first published 112)");
    let because = b1["because"].as_array().unwrap();
    assert_eq!(because.len(), 1);
    assert_eq!(because[0]["actor_name"], "Sam Newton");
    assert!(because[0]["reason"]
        .as_str()
        .unwrap()
        .contains("S42 enquiries in the quarter, not those completed"));
}

/// The restatement diff of the published Q2 report lists exactly the revisions recorded
/// after its cut-off to cells the Q2 report prints.
#[test]
fn the_q2_restatement_diff_lists_exactly_the_post_publication_revisions() {
    let db = shared_demo();
    let diff = json_of(db, &["report", "diff", "Q2 2016/17", "--format", "json"]);
    let cut_off = diff["report"]["cut_off"].as_i64().unwrap();
    let q2_columns = [
        "2014/15",
        "2015/16",
        "Q1 Apr - Jun 2016",
        "Q2 Jul - Sep 2016",
        "Jul-16",
        "Aug-16",
        "Sep-16",
    ];
    let mut expected: Vec<(String, String, i64)> =
        json_lines_of(db, &["history", "--revisions", "--json"])
            .into_iter()
            .filter(|e| e["position"].as_i64().unwrap() > cut_off)
            .filter(|e| match e["what"].as_str().unwrap() {
                "value" => q2_columns.contains(&e["period"].as_str().unwrap()),
                "target" => e["period"] == "2016/17",
                "status" | "direction of travel" | "data note" => {
                    e["period"] == "Q2 Jul - Sep 2016"
                }
                _ => false,
            })
            .map(|e| {
                (
                    e["measure_ref"].as_str().unwrap().to_owned(),
                    e["period"].as_str().unwrap().to_owned(),
                    e["position"].as_i64().unwrap(),
                )
            })
            .collect();
    expected.sort();
    let mut listed: Vec<(String, String, i64)> = diff["restatements"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| {
            r["because"].as_array().unwrap().iter().map(|e| {
                (
                    e["measure_ref"].as_str().unwrap().to_owned(),
                    e["period"].as_str().unwrap().to_owned(),
                    e["position"].as_i64().unwrap(),
                )
            })
        })
        .collect();
    listed.sort();
    assert_eq!(listed, expected);
    assert_eq!(
        listed.len(),
        7,
        "the demo revises seven Q2 cells after publication"
    );
    assert!(diff["restatements"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| !r["because"].as_array().unwrap().is_empty()));

    let csv = run_in(db, &["report", "diff", "Q2 2016/17", "--format", "csv"]);
    assert_success(&csv);
    let csv = stdout(&csv);
    assert_eq!(csv.lines().count(), 1 + 7, "{csv}");
    assert!(csv.starts_with("report_id,period,measure_ref,cell,as_published,now,position,recorded_at,actor_id,actor_name,actor_role,on_behalf_of,classification,reason\n"));
}

/// Q4: the Q3 summary reproduced exactly as published.
#[test]
fn q4_the_q3_summary_percentages_are_reproduced_as_published() {
    let db = shared_demo();
    let report = json_of(db, &["report", "show", "Q3 2016/17", "--format", "json"]);
    let summary = &report["summary"];
    let status: Vec<String> = summary["status"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["share"]["percent"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        status,
        ["24.3%", "14.6%", "16.5%", "0.0%", "16.5%", "28.2%"]
    );
    assert_eq!(summary["on_target_of_measured"]["percent"], "43.9%");
    assert_eq!(summary["off_target_of_measured"]["percent"], "29.8%");
    assert_eq!(summary["improved_of_directed"]["percent"], "47.8%");
    assert_eq!(summary["off_target_of_measured"]["count"], 17);
    assert_eq!(summary["off_target_of_measured"]["of"], 57);
}

/// Q5: status or direction changed after the first assessment in a quarter, by whom, why.
#[test]
fn q5_reassessments_are_listed_with_who_and_why() {
    let db = shared_demo();
    let changes = json_lines_of(
        db,
        &[
            "history",
            "--what",
            "status,direction",
            "--revisions",
            "--json",
        ],
    );
    assert_eq!(strings(&changes, "measure_ref"), ["1.C1", "1.C1"]);
    assert_eq!(strings(&changes, "what"), ["status", "direction of travel"]);
    assert_eq!(
        strings(&changes, "before"),
        ["not_yet_available", "not_applicable"]
    );
    for change in &changes {
        assert_eq!(change["period"], "Q3 Oct - Dec 2016");
        assert_eq!(change["actor_name"], "Simon Dennis");
        assert_eq!(change["reason"], "Status and DoT revised following Q2 data");
    }
}

/// Q6: when the 1.B6 target changed from 4.9% to 3.1%, and who changed it.
#[test]
fn q6_a_target_change_with_when_and_who() {
    let db = shared_demo();
    let changes = json_lines_of(db, &["history", "-m", "1.B6", "--what", "target", "--json"]);
    assert_eq!(strings(&changes, "after"), ["4.9%", "3.1%"]);
    let change = &changes[1];
    assert_eq!(change["before"], "4.9%");
    assert!(change["recorded_at"]
        .as_str()
        .unwrap()
        .starts_with("2016-10-03"));
    assert_eq!(change["actor_name"], "Simon Dennis");
    assert_eq!(change["actor_role"], "performance");
    assert!(change["reason"].as_str().unwrap().contains("4.9%"));
}

/// Q7: the targets of the Q3 scorecard that differ from the approved Corporate Plan.
#[test]
fn q7_targets_that_differ_from_the_approved_plan() {
    let db = shared_demo();
    let changed = json_of(
        db,
        &["audit", "targets", "--year", "2016/17", "--format", "json"],
    );
    let changed = changed.as_array().unwrap();
    assert_eq!(
        strings(changed, "measure_ref"),
        ["1.B6", "1.B8", "3.A2", "3.A3", "4.C1"]
    );
    assert_eq!(
        strings(changed, "approved"),
        [
            "4.9%",
            "94%",
            "25% increase on 2015-16",
            "10% increase on 2015-16",
            "450 increase"
        ]
    );
    assert!(changed.iter().all(|c| c["changes"][0]["reason"]
        .as_str()
        .is_some_and(|r| !r.is_empty())));
    // As the plan stood before any change, nothing differed.
    let before = json_of(
        db,
        &[
            "audit",
            "targets",
            "--as-at",
            "2016-07-31",
            "--format",
            "json",
        ],
    );
    assert_eq!(before, Value::Array(Vec::new()));
}

/// Q8: values published with partial coverage, and whether the whole quarter was supplied
/// later (it is, in this test, for 2.B5).
#[test]
fn q8_partial_coverage_values_and_whether_the_whole_period_came_later() {
    let workspace = Workspace::new();
    let db = workspace.dir.path().join("demo.db");
    assert_success(&run_in(
        &workspace.db(),
        &["demo", "--keep", db.to_str().unwrap()],
    ));
    let partial = json_of(&db, &["audit", "partial", "--format", "json"]);
    let partial = partial.as_array().unwrap();
    assert_eq!(
        strings(partial, "measure_ref"),
        ["2.B1", "2.B2", "2.B3", "2.B4 (a)", "2.B4 (b)", "2.B5", "2.B9 (a)", "2.B9 (b)"]
    );
    assert!(partial.iter().all(|p| p["published_in"]
        == serde_json::json!(["Q3 Oct - Dec 2016 (2017-01-13)"])
        && p["full_period_supplied"] == false));

    assert_success(&run_in(
        &db,
        &[
            "record",
            "value",
            "-m",
            "2.B5",
            "-p",
            "Q3 2016/17",
            "-v",
            "251",
            "--classification",
            "late_data",
            "--reason",
            "December assessments entered after the Liquid Logic cutover",
        ],
    ));
    let partial = json_of(&db, &["audit", "partial", "--format", "json"]);
    let b5 = partial
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["measure_ref"] == "2.B5")
        .unwrap()
        .clone();
    assert_eq!(b5["value"], "164 (Oct-Nov only)");
    assert_eq!(b5["replaced_by"], "251");
    assert_eq!(b5["full_period_supplied"], true);

    // The Q3 report as published now has one restated cell, explained.
    let diff = json_of(&db, &["report", "diff", "Q3 2016/17", "--format", "json"]);
    let restated = diff["restatements"].as_array().unwrap();
    assert_eq!(restated.len(), 1, "{diff}");
    assert_eq!(restated[0]["measure_ref"], "2.B5");
    assert_eq!(restated[0]["as_published"], "164 (Oct-Nov only)");
    assert_eq!(
        restated[0]["now"],
        "251 (revised; first published 164 (Oct-Nov only))"
    );
    assert_eq!(restated[0]["because"][0]["classification"], "late_data");
}

/// Q13: the accountable Strategic Director for 2.B5 on 30 June 2016 and on 17 Feb 2017.
#[test]
fn q13_accountability_on_two_dates() {
    let db = shared_demo();
    let june = json_of(db, &["measure", "2.B5", "--on", "2016-06-30", "--json"]);
    assert_eq!(
        june["accountable_on"]["person"],
        "Interim Strategic Director, Adult Social Care and Housing"
    );
    let february = json_of(db, &["measure", "2.B5", "--on", "2017-02-17", "--json"]);
    assert_eq!(
        february["accountable_on"]["person"],
        "Anne Marie Lubanski, Strategic Director Adult Social Care and Housing"
    );
}

/// Q22: in-quarter increments implied by the published year-to-date values.
#[test]
fn q22_increments_of_cumulative_measures() {
    let db = shared_demo();
    let rows = json_of(
        db,
        &[
            "audit",
            "increments",
            "--year",
            "2016/17",
            "--format",
            "json",
        ],
    );
    let rows = rows.as_array().unwrap();
    let increment = |measure: &str, period: &str| -> String {
        rows.iter()
            .find(|r| r["measure_ref"] == measure && r["period"] == period)
            .map(|r| r["increment"].as_str().unwrap().to_owned())
            .unwrap_or_else(|| panic!("no increment for {measure} {period}"))
    };
    assert_eq!(increment("1.A2", "Q1 Apr - Jun 2016"), "+24");
    assert_eq!(increment("1.A2", "Q2 Jul - Sep 2016"), "+22");
    assert_eq!(increment("1.A2", "Q3 Oct - Dec 2016"), "+22");
    assert_eq!(increment("3.A6", "Q2 Jul - Sep 2016"), "+4904");
    assert_eq!(increment("3.A6", "Q3 Oct - Dec 2016"), "+2359");
    assert_eq!(increment("5.A1", "Q2 Jul - Sep 2016"), "+26.6");
    assert_eq!(increment("5.A1", "Nov-16"), "+8.9");
}

/// Q4, second half: the cover report's 28.1% (16) and 20.3% (14) are checked against every
/// state of the Q3 summary in the log, and their arithmetic against each other.
#[test]
fn q4_the_cover_report_counts_match_no_state_of_the_log() {
    let db = shared_demo();
    let cover = [
        "audit",
        "counts",
        "-p",
        "Q3 2016/17",
        "--on-target",
        "25",
        "--off-target",
        "16",
        "--not-applicable",
        "16",
        "--not-yet-available",
        "29",
        "--under-development",
        "0",
        "--measured",
        "57",
        "--worse",
        "14",
        "--with-direction",
        "69",
    ];
    let verdict = json_of(db, &[&cover[..], &["--json"]].concat());
    assert_eq!(verdict["matches"], Value::Array(Vec::new()));
    let inconsistencies = verdict["inconsistencies"].as_array().unwrap();
    assert_eq!(inconsistencies.len(), 1, "{verdict}");
    assert!(inconsistencies[0]
        .as_str()
        .unwrap()
        .contains("25 + 17 + 16 = 58"));
    let published = &verdict["publications"][0][1];
    assert_eq!(
        published["differs"],
        serde_json::json!([
            ["direction:worse", 16, 14],
            ["status:not_applicable", 17, 16],
            ["status:off_target", 17, 16]
        ])
    );

    let text = run_in(db, &cover);
    assert_success(&text);
    let text = stdout(&text);
    assert!(text.contains("16 of 57 = 28.1%"), "{text}");
    assert!(text.contains("14 of 69 = 20.3%"), "{text}");

    // The scorecard's own counts are found at its publication's cut-off.
    let scorecard = json_of(
        db,
        &[
            "audit",
            "counts",
            "-p",
            "Q3 2016/17",
            "--on-target",
            "25",
            "--off-target",
            "17",
            "--not-applicable",
            "17",
            "--worse",
            "16",
            "--json",
        ],
    );
    let cut_off = verdict["publications"][0][1]["position"].clone();
    assert_eq!(scorecard["matches"][0]["position"], cut_off);
}

/// A fresh demo database in a workspace of its own, for a test that writes.
fn fresh_demo(workspace: &Workspace) -> std::path::PathBuf {
    let db = workspace.dir.path().join("demo.db");
    assert_success(&run_in(
        &workspace.db(),
        &["demo", "--keep", db.to_str().unwrap()],
    ));
    db
}

fn find<'a>(rows: &'a [Value], measure: &str) -> &'a Value {
    rows.iter()
        .find(|r| r["measure_ref"] == measure)
        .unwrap_or_else(|| panic!("no row for {measure}"))
}

/// Q3: the Liquid Logic figures of Q3 flagged for the outturn refresh; after the refresh,
/// which changed and by how much.
#[test]
fn q3_liquid_logic_figures_and_what_the_refresh_changed() {
    let workspace = Workspace::new();
    let db = fresh_demo(&workspace);
    let args = [
        "audit",
        "quality",
        "-p",
        "Q3 2016/17",
        "--source",
        "liquid logic",
        "--format",
        "json",
    ];
    let before = json_of(&db, &args);
    let before = before.as_array().unwrap();
    assert_eq!(
        strings(before, "measure_ref"),
        ["1.A1", "1.A3", "1.A4", "1.A5", "1.A6"]
    );
    assert!(before.iter().all(|v| v["quality"] == "provisional"
        && v["outcome"] == "unconfirmed"
        && v["published_in"] == serde_json::json!(["Q3 Oct - Dec 2016 (2017-01-13)"])));
    assert_eq!(find(before, "1.A3")["value"], "28.3%");

    // The outturn refresh: one figure changes, one stands.
    assert_success(&run_in(
        &db,
        &[
            "record",
            "value",
            "-m",
            "1.A3",
            "-p",
            "Q3 2016/17",
            "-v",
            "28.1%",
            "--classification",
            "scheduled_revision",
            "--quality",
            "final",
            "--source",
            "Liquid Logic",
            "--reason",
            "Liquid Logic refresh for the outturn report",
        ],
    ));
    assert_success(&run_in(
        &db,
        &[
            "record",
            "confirm",
            "-m",
            "1.A1",
            "-p",
            "Q3 2016/17",
            "--source",
            "Liquid Logic",
            "--reason",
            "Liquid Logic refresh for the outturn report: unchanged",
        ],
    ));
    let after = json_of(&db, &args);
    let after = after.as_array().unwrap();
    let a3 = find(after, "1.A3");
    assert_eq!(a3["outcome"], "revised");
    assert_eq!(a3["now"], "28.1%");
    assert_eq!(a3["difference"], "-0.2");
    assert_eq!(a3["changed_by"]["classification"], "scheduled_revision");
    let a1 = find(after, "1.A1");
    assert_eq!(a1["outcome"], "confirmed");
    assert_eq!(a1["now"], "375.0");
    assert_eq!(a1["now_quality"], "final");
    assert_eq!(find(after, "1.A4")["outcome"], "unconfirmed");

    // The report as published still shows the figures as they were.
    let published = json_of(&db, &["report", "show", "Q3 2016/17", "--format", "json"]);
    let a3_row = find(published["rows"].as_array().unwrap(), "1.A3");
    assert!(a3_row["values"]
        .as_array()
        .unwrap()
        .contains(&Value::from("28.3%")));
    let table = stdout(&run_in(&db, &["audit", "quality", "-p", "Q3 2016/17"]));
    assert!(
        table.contains("2 confirmed unchanged, 1 revised"),
        "{table}"
    );
}

/// Q9: which Q3 figures were estimates or forecasts at publication, and the actuals.
#[test]
fn q9_estimates_at_publication_and_the_actual_that_replaced_them() {
    let workspace = Workspace::new();
    let db = fresh_demo(&workspace);
    let flagged = json_of(
        &db,
        &["audit", "quality", "-p", "Q3 2016/17", "--format", "json"],
    );
    let b6 = find(flagged.as_array().unwrap(), "3.B6").clone();
    assert_eq!(b6["quality"], "estimated");
    assert_eq!(
        b6["value"],
        "Forecasted performance up to 31.12.16 = 47.28%"
    );
    assert_eq!(b6["outcome"], "unconfirmed");

    assert_success(&run_in(
        &db,
        &[
            "record",
            "value",
            "-m",
            "3.B6",
            "-p",
            "Q3 2016/17",
            "-v",
            "Performance up to 31.12.16 = 46.91%",
            "--classification",
            "late_data",
            "--quality",
            "final",
            "--source",
            "Waste treatment returns",
            "--reason",
            "December's waste treatment returns received at the end of January",
        ],
    ));
    let flagged = json_of(
        &db,
        &["audit", "quality", "-p", "Q3 2016/17", "--format", "json"],
    );
    let b6 = find(flagged.as_array().unwrap(), "3.B6");
    assert_eq!(b6["outcome"], "revised");
    assert_eq!(b6["now"], "Performance up to 31.12.16 = 46.91%");
    assert_eq!(b6["now_quality"], "final");
    assert_eq!(b6["changed_by"]["classification"], "late_data");
    // The estimate is not overwritten: the history holds both.
    let history = json_lines_of(
        &db,
        &[
            "history",
            "-m",
            "3.B6",
            "-p",
            "Q3 2016/17",
            "--what",
            "value",
            "--json",
        ],
    );
    let after: Vec<String> = history
        .iter()
        .map(|e| e["after"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(after.contains(&"Forecasted performance up to 31.12.16 = 47.28%".to_owned()));
    assert!(after.contains(&"Performance up to 31.12.16 = 46.91%".to_owned()));
}

/// Q10: which figures were provisional when the Q3 scorecard was created on 13 Jan 2017, and
/// whether the DfE's validated release of 19 Jan changed them before the 17 Feb OSMB.
#[test]
fn q10_provisional_at_creation_and_validated_before_the_osmb() {
    let db = shared_demo();
    let quality_on = |day: &str| {
        json_of(
            db,
            &[
                "audit",
                "quality",
                "-p",
                "Q3 2016/17",
                "--as-at",
                day,
                "--format",
                "json",
            ],
        )
    };
    let at_creation = quality_on("2017-01-13");
    let b3 = find(at_creation.as_array().unwrap(), "1.B3");
    assert_eq!(b3["quality"], "provisional");
    assert_eq!(b3["source_system"], "DfE");
    assert_eq!(b3["outcome"], "unconfirmed");

    let by_the_osmb = quality_on("2017-02-17");
    let b3 = find(by_the_osmb.as_array().unwrap(), "1.B3");
    assert_eq!(b3["outcome"], "confirmed");
    assert_eq!(b3["now"], "0.03");
    assert_eq!(b3["now_source_system"], "DfE validated release");
    assert!(b3["changed_by"]["recorded_at"]
        .as_str()
        .unwrap()
        .starts_with("2017-01-19"));
    assert!(b3["changed_by"]["reason"]
        .as_str()
        .unwrap()
        .contains("validated"));
    // A confirmation is not a revision: the scorecard prints the figure as before.
    let now = json_of(
        db,
        &["report", "--period", "Q3 2016/17", "--format", "json"],
    );
    let row = find(now["rows"].as_array().unwrap(), "1.B3");
    assert!(row["values"]
        .as_array()
        .unwrap()
        .contains(&Value::from("0.03")));
}

/// Q12: commentary in the Q3 report carried over unchanged from Q2.
#[test]
fn q12_commentary_carried_over_from_the_previous_report() {
    let db = shared_demo();
    let carried = json_of(
        db,
        &[
            "audit",
            "carried-over",
            "-p",
            "Q3 2016/17",
            "--format",
            "json",
        ],
    );
    assert_eq!(carried["earlier"]["period"], "Q2 Jul - Sep 2016");
    let notes = carried["notes"].as_array().unwrap();
    assert_eq!(strings(notes, "measure_ref"), ["3.A5 (a)", "3.A5 (b)"]);
    assert_eq!(
        notes[0]["sentences"],
        serde_json::json!([
            "The LGA polling on resident satisfaction is conducted on a 6 monthly basis and was requested by the Commissioners."
        ])
    );
    assert_eq!(notes[0]["whole_note"], false);

    // Q1 printed no notes, so nothing in Q3 repeats it.
    let output = run_in(
        db,
        &[
            "audit",
            "carried-over",
            "-p",
            "Q3 2016/17",
            "--against",
            "Q1 2016/17",
        ],
    );
    assert_success(&output);
    assert!(stdout(&output).contains("no data note of Q3 Oct - Dec 2016"));
}

/// Q21: the priority measures in the 32 at Q3, and whether the list was the one of Q2.
#[test]
fn q21_the_priority_measure_set_as_published_and_its_difference() {
    let db = shared_demo();
    let sets = json_of(
        db,
        &[
            "audit",
            "priority-measures",
            "-p",
            "Q3 2016/17",
            "--format",
            "json",
        ],
    );
    assert_eq!(sets["later"]["measures"].as_array().unwrap().len(), 32);
    assert_eq!(sets["later"]["summary"]["total"], 32);
    assert_eq!(sets["earlier"]["period"], "Q2 Jul - Sep 2016");
    assert_eq!(sets["added"], serde_json::json!([]));
    assert_eq!(sets["removed"], serde_json::json!([]));
    let later = sets["later"]["measures"].as_array().unwrap();
    assert!(later.iter().any(|m| m["measure_ref"] == "1.B7 (b)"));
    assert!(!later.iter().any(|m| m["measure_ref"] == "3.A7"));
}

/// Q21 continued: a flag changed before a second publication of Q3 shows in the difference.
#[test]
fn q21_a_priority_flag_changed_between_two_publications_is_named() {
    let workspace = Workspace::new();
    let db = fresh_demo(&workspace);
    for (measure, flag) in [("3.A7", "yes"), ("1.B7 (b)", "no")] {
        assert_success(&run_in(
            &db,
            &[
                "amend",
                "-m",
                measure,
                "--priority-measure",
                flag,
                "--reason",
                "Priority measures reviewed for the OSMB",
            ],
        ));
    }
    assert_success(&run_in(
        &db,
        &[
            "publish",
            "-p",
            "Q3 2016/17",
            "--meeting",
            "Overview and Scrutiny Management Board",
            "--on",
            "2017-02-17",
        ],
    ));
    let sets = json_of(
        &db,
        &[
            "audit",
            "priority-measures",
            "-p",
            "Q3 2016/17 @ 2017-02-17",
            "--against",
            "Q3 2016/17 @ 2017-01-13",
            "--format",
            "json",
        ],
    );
    assert_eq!(
        strings(sets["added"].as_array().unwrap(), "measure_ref"),
        ["3.A7"]
    );
    assert_eq!(
        strings(sets["removed"].as_array().unwrap(), "measure_ref"),
        ["1.B7 (b)"]
    );
    assert_eq!(sets["later"]["summary"]["total"], 32);
    let table = stdout(&run_in(
        &db,
        &[
            "audit",
            "priority-measures",
            "-p",
            "Q3 2016/17 @ 2017-02-17",
            "--against",
            "Q3 2016/17 @ 2017-01-13",
        ],
    ));
    assert!(
        table.contains("the sets differ: 1 added, 1 removed"),
        "{table}"
    );
}

/// Q20: whether any item on a report was considered in exempt session, and whether any
/// decision was called in; the public record leaves exempt items out.
#[test]
fn q20_exempt_items_and_call_ins_of_the_meetings_that_considered_a_report() {
    let db = shared_demo();
    let osmb = json_of(
        db,
        &[
            "meeting",
            "list",
            "--report",
            "Q3 2016/17",
            "--format",
            "json",
        ],
    );
    let osmb = osmb.as_array().unwrap();
    assert_eq!(osmb.len(), 1, "{osmb:?}");
    assert_eq!(osmb[0]["body"], "Overview and Scrutiny Management Board");
    assert_eq!(osmb[0]["held_on"], "2017-02-17");
    assert_eq!(osmb[0]["item"]["item"], "7");
    assert_eq!(osmb[0]["item"]["exempt_paragraph"], Value::Null);

    let workspace = Workspace::new();
    let db = fresh_demo(&workspace);
    let meeting = [
        "--body",
        "Cabinet and Commissioners' Decision Making Meeting",
        "--on",
        "2017-02-13",
    ];
    let with = |args: &[&str]| -> Vec<String> {
        let mut all: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        all.extend(meeting.iter().map(|a| a.to_string()));
        all
    };
    let run_with = |args: &[&str]| {
        let all = with(args);
        let refs: Vec<&str> = all.iter().map(String::as_str).collect();
        run_in(&db, &refs)
    };
    assert_success(&run_with(&["meeting", "record"]));
    assert_success(&run_with(&[
        "meeting",
        "item",
        "--item",
        "6",
        "--title",
        "Corporate Plan Quarter 3 Performance Report",
        "--report",
        "Q3 2016/17",
    ]));
    assert_success(&run_with(&[
        "meeting",
        "item",
        "--item",
        "11",
        "--title",
        "Waste PFI contract variation",
        "--report",
        "Q3 2016/17",
        "--exempt",
        "3",
    ]));
    assert_success(&run_with(&[
        "meeting",
        "decide",
        "--item",
        "6",
        "--decision",
        "Resolved: that the report be noted",
    ]));
    assert_success(&run_with(&[
        "meeting",
        "call-in",
        "--item",
        "6",
        "--by",
        "Councillor Steele",
        "--reason",
        "Referred by three members for the Board's consideration",
    ]));
    // Refused, nothing appended: a paragraph outside Schedule 12A, a call-in without a decision.
    let refused = run_with(&[
        "meeting", "item", "--item", "12", "--title", "X", "--exempt", "9",
    ]);
    assert_eq!(refused.status.code(), Some(3));
    let refused = run_with(&[
        "meeting",
        "call-in",
        "--item",
        "11",
        "--by",
        "Councillor Steele",
        "--reason",
        "r",
    ]);
    assert_eq!(refused.status.code(), Some(3));

    let considered = json_of(
        &db,
        &[
            "meeting",
            "list",
            "--report",
            "Q3 2016/17",
            "--format",
            "json",
        ],
    );
    let considered = considered.as_array().unwrap();
    let items: Vec<(&str, Option<u64>)> = considered
        .iter()
        .map(|c| {
            (
                c["item"]["item"].as_str().unwrap(),
                c["item"]["exempt_paragraph"].as_u64(),
            )
        })
        .collect();
    assert_eq!(items, [("6", None), ("11", Some(3)), ("7", None)]);
    let outcomes = considered[0]["item"]["outcomes"].as_array().unwrap();
    assert_eq!(strings(outcomes, "kind"), ["decision", "call-in"]);
    assert_eq!(outcomes[1]["text"], "Councillor Steele");
    assert!(outcomes[1]["reason"]
        .as_str()
        .unwrap()
        .contains("three members"));

    // The public record: the exempt item gone, and with it the report it considered.
    let public = json_of(&db, &["meeting", "list", "--public", "--format", "json"]);
    let titles: Vec<String> = public
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| m["items"].as_array().unwrap().clone())
        .map(|i| i["title"].as_str().unwrap().to_owned())
        .collect();
    assert!(titles.contains(&"Corporate Plan Quarter 3 Performance Report".to_owned()));
    assert!(
        !titles.iter().any(|t| t.contains("Waste PFI")),
        "{titles:?}"
    );
    let refused = run_in(
        &db,
        &["meeting", "list", "--public", "--report", "Q3 2016/17"],
    );
    assert_eq!(refused.status.code(), Some(3));
    assert!(stdout(&refused).is_empty() || !stdout(&refused).contains("Waste PFI"));
    let table = stdout(&run_in(&db, &["meeting", "list", "--report", "Q3 2016/17"]));
    assert!(table.contains("yes, paragraph 3"), "{table}");
}

/// Q19: off-target measures with a performance clinic called, held or cancelled, and the
/// mandates and deadlines that resulted.
#[test]
fn q19_clinics_of_off_target_measures_with_their_mandates() {
    let db = shared_demo();
    let called = json_of(
        db,
        &[
            "audit",
            "clinics",
            "-p",
            "Q3 2016/17",
            "--off-target",
            "--format",
            "json",
        ],
    );
    let called = called.as_array().unwrap();
    assert_eq!(strings(called, "measure_ref"), ["3.A1"]);
    assert_eq!(called[0]["status"], "off_target");
    assert_eq!(called[0]["state"], "called");
    assert_eq!(called[0]["called_for"], "2017-02-13");
    assert_eq!(called[0]["chair"], "Safer Rotherham Partnership Board");

    let workspace = Workspace::new();
    let db = fresh_demo(&workspace);
    assert_success(&run_in(
        &db,
        &[
            "clinic",
            "hold",
            "-m",
            "3.A1",
            "--on",
            "2017-02-13",
            "--mandate",
            "Hotspot patrols in the town centre|South Yorkshire Police|2017-03-31",
            "--mandate",
            "Report back to the Board|Community Safety Manager|2017-04-10",
        ],
    ));
    // A clinic is held once; a mandate due before the clinic is refused.
    let again = run_in(&db, &["clinic", "hold", "-m", "3.A1", "--on", "2017-02-13"]);
    assert_eq!(again.status.code(), Some(3));
    assert_success(&run_in(
        &db,
        &[
            "clinic",
            "call",
            "-m",
            "2.B2",
            "--on",
            "2017-02-20",
            "--chair",
            "Strategic Director",
            "--reason",
            "Delayed transfers of care above target",
        ],
    ));
    let early = run_in(
        &db,
        &[
            "clinic",
            "hold",
            "-m",
            "2.B2",
            "--on",
            "2017-02-20",
            "--mandate",
            "X|Y|2017-02-01",
        ],
    );
    assert_eq!(early.status.code(), Some(3));
    assert_success(&run_in(
        &db,
        &[
            "clinic",
            "cancel",
            "-m",
            "2.B2",
            "--on",
            "2017-02-20",
            "--reason",
            "December figures back within target",
        ],
    ));
    let all = json_of(
        &db,
        &["audit", "clinics", "-p", "Q3 2016/17", "--format", "json"],
    );
    let all = all.as_array().unwrap();
    let a1 = find(all, "3.A1");
    assert_eq!(a1["state"], "held");
    let mandates = a1["mandates"].as_array().unwrap();
    assert_eq!(
        strings(mandates, "owner"),
        ["South Yorkshire Police", "Community Safety Manager"]
    );
    assert_eq!(mandates[0]["due_on"], "2017-03-31");
    let b2 = find(all, "2.B2");
    assert_eq!(b2["state"], "cancelled");
    assert_eq!(
        b2["cancelled_because"],
        "December figures back within target"
    );
    // As the log stood before the clinic was held, it was still only called.
    let before = json_of(
        &db,
        &[
            "audit",
            "clinics",
            "--as-at",
            "2017-02-12",
            "--format",
            "json",
        ],
    );
    assert_eq!(find(before.as_array().unwrap(), "3.A1")["state"], "called");
    let history = json_lines_of(
        &db,
        &["history", "-m", "3.A1", "--what", "clinic", "--json"],
    );
    assert_eq!(strings(&history, "what"), ["clinic called", "clinic held"]);
}

/// (quoted, read against, verdict, other cells it equals) of each number listed for a measure.
fn quoted(measure: &Value) -> Vec<(String, String, String, Vec<String>)> {
    measure["numbers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["quoted"].as_str().unwrap().to_owned(),
                n["against"].as_str().unwrap().to_owned(),
                n["verdict"].as_str().unwrap().to_owned(),
                n["equals"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap().to_owned())
                    .collect(),
            )
        })
        .collect()
}

fn number(
    quoted: &str,
    against: &str,
    verdict: &str,
    equals: &[&str],
) -> (String, String, String, Vec<String>) {
    (
        quoted.to_owned(),
        against.to_owned(),
        verdict.to_owned(),
        equals.iter().map(|e| (*e).to_owned()).collect(),
    )
}

/// Q11 (S29): every narrative sentence of the Q3 Appendix A that quotes a number the
/// scorecard does not print for the same measure and period.
#[test]
fn q11_narrative_numbers_that_differ_from_the_scorecard() {
    let db = shared_demo();
    let checked = json_of(
        db,
        &["audit", "narrative", "-p", "Q3 2016/17", "--format", "json"],
    );
    assert_eq!(checked["report"]["published_on"], "2017-01-13");
    let measures = checked["measures"].as_array().unwrap();
    assert_eq!(
        strings(measures, "measure_ref"),
        ["1.A3", "1.C4 (b)", "2.B4 (a)", "2.B10"]
    );
    let q2 = "Q2 Jul - Sep 2016";
    let q3 = "Q3 Oct - Dec 2016";
    assert_eq!(
        quoted(&measures[0]),
        [
            number("25.3%", q3, "differs", &[]),
            number("31.6%", q2, "differs", &[]),
        ]
    );
    assert!(measures[0]["numbers"][0]["sentence"]
        .as_str()
        .unwrap()
        .contains("is now at 25.3% against the target of 23%"));
    assert_eq!(measures[0]["numbers"][0]["printed"], "28.3%");
    // 26.3% is 1.C4 (b)'s 2015/16 figure; 28% is Q2's 28.60% cut short (and 2014/15's 27.8%
    // rounded).
    assert_eq!(
        quoted(&measures[1]),
        [
            number("26.3%", q3, "differs", &["2015/16"]),
            number("28%", q2, "truncated", &["2014/15"]),
        ]
    );
    assert_eq!(
        quoted(&measures[2]),
        [number("79.9%", q3, "differs", &[q2])]
    );
    assert_eq!(
        quoted(&measures[3]),
        [number("5.7%", q3, "differs", &["Q1 Apr - Jun 2016", q2])]
    );

    // --all lists the numbers that agree too: 1.A5's quarters and 1.A3's target.
    let all = json_of(
        db,
        &[
            "audit",
            "narrative",
            "-p",
            "Q3 2016/17",
            "--all",
            "--format",
            "json",
        ],
    );
    let all = all["measures"].as_array().unwrap();
    assert_eq!(
        quoted(find(all, "1.A5")),
        [
            number("81.1%", q2, "agrees", &[]),
            number("86.5%", q3, "agrees", &[]),
        ]
    );
    assert_eq!(
        quoted(find(all, "1.A3"))[1],
        number("23%", "target", "agrees", &[])
    );

    // The table for people, and the narrative as the log stood before it was written.
    let table = run_in(db, &["audit", "narrative", "-p", "Q3 2016/17"]);
    assert_success(&table);
    let text = stdout(&table);
    assert!(text.contains("differs; it is the 2015/16 figure"), "{text}");
    assert!(
        text.contains(
            "11 number(s) quoted in the narratives of 5 measure(s); 6 not the scorecard's figure"
        ),
        "{text}"
    );
    let before = run_in(
        db,
        &[
            "audit",
            "narrative",
            "-p",
            "Q3 2016/17",
            "--as-at",
            "2017-01-31",
        ],
    );
    assert_success(&before);
    assert!(
        stdout(&before).contains("no narrative is recorded"),
        "{}",
        stdout(&before)
    );
}

/// A narrative corrected to the scorecard's figures no longer differs; the history keeps the
/// version that did, and an empty narrative is refused with nothing appended.
#[test]
fn q11_a_corrected_narrative_agrees_and_its_history_keeps_both() {
    let workspace = Workspace::new();
    let db = fresh_demo(&workspace);
    let corrected = "The percentage of children who have had a social care concern raised \
                     within 12 months of the last concern ending is now at 28.3% against the \
                     target of 23%, down from 30.4% in quarter two.";
    let args = |text: &'static str| {
        vec![
            "record",
            "narrative",
            "-m",
            "1.A3",
            "-p",
            "Q3 2016/17",
            "--text",
            text,
            "-r",
            "Appendix A quoted figures the scorecard does not print",
        ]
    };
    let head = |db: &std::path::Path| json_of(db, &["verify", "--json"])["head"].as_u64().unwrap();
    let before = head(&db);
    let refused = run_in(&db, &args("   "));
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("narrative"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(head(&db), before, "nothing appended");

    assert_success(&run_in(&db, &args(corrected)));
    let checked = json_of(
        &db,
        &["audit", "narrative", "-p", "Q3 2016/17", "--format", "json"],
    );
    let measures = checked["measures"].as_array().unwrap();
    assert!(
        measures.iter().all(|m| m["measure_ref"] != "1.A3"),
        "{checked}"
    );
    // As the log stood for the OSMB, the narrative still differed.
    let then = json_of(
        &db,
        &[
            "audit",
            "narrative",
            "-p",
            "Q3 2016/17",
            "--as-at",
            "2017-02-17",
            "--format",
            "json",
        ],
    );
    assert_eq!(then["measures"][0]["measure_ref"], "1.A3");
    let history = json_lines_of(
        &db,
        &["history", "-m", "1.A3", "--what", "narrative", "--json"],
    );
    assert_eq!(strings(&history, "what"), ["narrative", "narrative"]);
    assert_eq!(history[1]["after"], corrected);
    assert_eq!(
        history[1]["reason"],
        "Appendix A quoted figures the scorecard does not print"
    );
}

/// Q18: the off-target measures of the Q3 report with no improvement action recorded and no
/// clinic that mandated one.
#[test]
fn q18_off_target_measures_with_no_improvement_action() {
    let db = shared_demo();
    let found = json_of(
        db,
        &[
            "audit",
            "unactioned",
            "-p",
            "Q3 2016/17",
            "--format",
            "json",
        ],
    );
    assert_eq!(found["report"]["published_on"], "2017-01-13");
    assert_eq!(found["off_target"], 17);
    let unactioned = found["unactioned"].as_array().unwrap();
    assert_eq!(unactioned.len(), 16);
    // 1.C4 (b) has the action Appendix A describes; 3.A1's clinic is called, not yet held.
    assert!(unactioned.iter().all(|u| u["measure_ref"] != "1.C4 (b)"));
    assert_eq!(
        find(unactioned, "3.A1")["clinics_called"],
        serde_json::json!(["2017-02-13"])
    );
    let actions = json_of(
        db,
        &["action", "list", "-m", "1.C4 (b)", "--format", "json"],
    );
    assert_eq!(actions[0]["target_date"], "March 2017");
    assert_eq!(
        actions[0]["plan"],
        "Children and Young People's Services Improvement Plan"
    );
    // Before the action was registered, 1.C4 (b) was one of them.
    let before = json_of(
        db,
        &[
            "audit",
            "unactioned",
            "-p",
            "Q3 2016/17",
            "--as-at",
            "2017-02-01",
            "--format",
            "json",
        ],
    );
    assert_eq!(before["unactioned"].as_array().unwrap().len(), 17);
}

/// Q16 (S20): an action's target date moved between two updates, with the reason where one
/// was given and flagged where none was; a clinic that mandated an action for an off-target
/// measure takes it off the unactioned list.
#[test]
fn q16_action_target_dates_moved_with_or_without_a_reason() {
    let workspace = Workspace::new();
    let db = fresh_demo(&workspace);
    let plan = "RMBC Notice to Improve Action Plan";
    let key = "Reduce the vacancy rate of qualified social workers";
    let run = |args: &[&str]| {
        let mut all = vec!["action"];
        all.extend_from_slice(args);
        run_in(&db, &all)
    };
    assert_success(&run(&[
        "register",
        "--plan",
        plan,
        "--key-action",
        key,
        "--objective",
        "Recruit and retain a stable workforce",
        "--lead",
        "Gani Martins",
        "--target-date",
        "June 2010",
    ]));
    let nowhere = run(&[
        "register",
        "--plan",
        plan,
        "--key-action",
        "Improve a measure nobody defined",
        "--objective",
        "Nothing",
        "--lead",
        "Gani Martins",
        "--target-date",
        "June 2010",
        "-m",
        "9.Z9",
    ]);
    assert_eq!(nowhere.status.code(), Some(3));
    assert!(
        stderr(&nowhere).contains("no measure 9.Z9 is defined"),
        "{}",
        stderr(&nowhere)
    );
    let twice = run(&[
        "register",
        "--plan",
        plan,
        "--key-action",
        key,
        "--objective",
        "Again",
        "--lead",
        "Gani Martins",
        "--target-date",
        "June 2010",
    ]);
    assert!(!twice.status.success());
    assert!(
        stderr(&twice).contains("already exists"),
        "{}",
        stderr(&twice)
    );
    assert_success(&run(&[
        "move",
        "--plan",
        plan,
        "--key-action",
        key,
        "--to",
        "October 2010",
    ]));
    let same = run(&[
        "move",
        "--plan",
        plan,
        "--key-action",
        key,
        "--to",
        "October 2010",
    ]);
    assert!(
        stderr(&same).contains("already due October 2010"),
        "{}",
        stderr(&same)
    );
    assert_success(&run(&[
        "move",
        "--plan",
        plan,
        "--key-action",
        key,
        "--to",
        "December 2010",
        "--reason",
        "recruitment campaign extended",
    ]));

    let moved = json_of(
        &db,
        &[
            "audit",
            "action-dates",
            "--from",
            "2017-03-01",
            "--to",
            "2099-12-31",
            "--format",
            "json",
        ],
    );
    let moved = moved.as_array().unwrap();
    assert_eq!(moved.len(), 2, "{moved:?}");
    assert_eq!(
        (&moved[0]["from"], &moved[0]["to"], &moved[0]["reason"]),
        (
            &Value::from("June 2010"),
            &Value::from("October 2010"),
            &Value::Null
        )
    );
    assert_eq!(moved[1]["reason"], "recruitment campaign extended");
    let table = run_in(
        &db,
        &[
            "audit",
            "action-dates",
            "--from",
            "2017-03-01",
            "--to",
            "2099-12-31",
        ],
    );
    assert!(
        stdout(&table).contains("2 target date(s) moved")
            && stdout(&table).contains("1 with no reason recorded"),
        "{}",
        stdout(&table)
    );
    // Moves recorded after the window are not in it.
    let earlier = json_of(
        &db,
        &[
            "audit",
            "action-dates",
            "--from",
            "2017-01-01",
            "--to",
            "2017-03-01",
            "--format",
            "json",
        ],
    );
    assert_eq!(earlier, serde_json::json!([]));

    assert_success(&run(&[
        "complete",
        "--plan",
        plan,
        "--key-action",
        key,
        "--on",
        "2010-12-20",
    ]));
    let late = run(&[
        "move",
        "--plan",
        plan,
        "--key-action",
        key,
        "--to",
        "March 2011",
    ]);
    assert!(
        stderr(&late).contains("completed on 2010-12-20"),
        "{}",
        stderr(&late)
    );
    // The demo's action on 1.C4 (b), then this one's four changes.
    let history = json_lines_of(&db, &["history", "--what", "action", "--json"]);
    assert_eq!(
        strings(&history, "what"),
        [
            "action registered",
            "action registered",
            "action target date",
            "action target date",
            "action completed"
        ]
    );
    assert_eq!(
        (
            &history[2]["before"],
            &history[2]["after"],
            &history[2]["reason"]
        ),
        (
            &Value::from("June 2010"),
            &Value::from("October 2010"),
            &Value::Null
        )
    );

    // A held clinic that mandated an action takes 3.A1 off the unactioned list.
    assert_success(&run_in(
        &db,
        &[
            "clinic",
            "hold",
            "-m",
            "3.A1",
            "--on",
            "2017-02-13",
            "--mandate",
            "Hotspot patrols|South Yorkshire Police|2017-03-31",
        ],
    ));
    let found = json_of(
        &db,
        &[
            "audit",
            "unactioned",
            "-p",
            "Q3 2016/17",
            "--format",
            "json",
        ],
    );
    let unactioned = found["unactioned"].as_array().unwrap();
    assert_eq!(unactioned.len(), 15);
    assert!(unactioned.iter().all(|u| u["measure_ref"] != "3.A1"));
}

/// S19: the RAG tally of an improvement plan's actions at two updates, as the 2010 packs print
/// it, and the difference: the action added and each colour that changed.
#[test]
fn s19_action_rag_tallies_at_two_updates_and_their_difference() {
    let workspace = Workspace::new();
    let plan = "RMBC Notice to Improve Action Plan";
    let act = |args: &[&str]| {
        let mut all = vec!["action"];
        all.extend_from_slice(args);
        let output = workspace.run(&all);
        assert_success(&output);
    };
    let register = |key: &str| {
        act(&[
            "register",
            "--plan",
            plan,
            "--key-action",
            key,
            "--objective",
            "Staying safe",
            "--lead",
            "Gani Martins",
            "--target-date",
            "June 2010",
        ])
    };
    let rate = |key: &str, rag: &str, arrow: &str| {
        act(&[
            "rate",
            "--plan",
            plan,
            "--key-action",
            key,
            "--rag",
            rag,
            "--arrow",
            arrow,
        ])
    };
    for key in ["Audit files", "Review NFA cases", "Re-engineer assessments"] {
        register(key);
    }
    rate("Audit files", "red", "↓");
    rate("Review NFA cases", "amber", "→");
    rate("Re-engineer assessments", "green", "↑");
    let head = |w: &Workspace| {
        let output = w.run(&["verify", "--json"]);
        assert_success(&output);
        serde_json::from_str::<Value>(&stdout(&output)).unwrap()["head"]
            .as_u64()
            .unwrap()
            .to_string()
    };
    let update = head(&workspace);
    register("Update the Safe and Well protocol");
    rate("Audit files", "amber", "↑");
    rate("Update the Safe and Well protocol", "complete", "→");

    let refused = workspace.run(&[
        "action",
        "rate",
        "--plan",
        plan,
        "--key-action",
        "Audit files",
        "--rag",
        "amber",
        "--arrow",
        "sideways",
    ]);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("improved"),
        "{}",
        stderr(&refused)
    );

    let output = workspace.run(&[
        "audit",
        "action-rag",
        "--against",
        &update,
        "--format",
        "json",
    ]);
    assert_success(&output);
    let audit: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(
        audit["earlier"]["sentence"],
        "Red: 1 (33%) Amber: 1 (33%) Green: 1 (33%) (out of which 0 are now deemed as completed)"
    );
    assert_eq!(
        audit["later"]["sentence"],
        "Red: 0 (0%) Amber: 2 (50%) Green: 2 (50%) (out of which 1 are now deemed as completed)"
    );
    let changes: Vec<(String, Value, Value, bool)> = audit["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["key_action"].as_str().unwrap().to_owned(),
                c["before"].clone(),
                c["after"].clone(),
                c["added"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        changes,
        [
            (
                "Audit files".to_owned(),
                Value::from("red"),
                Value::from("amber"),
                false
            ),
            (
                "Update the Safe and Well protocol".to_owned(),
                Value::Null,
                Value::from("complete"),
                true
            ),
        ]
    );
    let history = workspace.run(&["history", "--what", "action", "--json"]);
    assert!(stdout(&history).contains("↑ amber"), "{}", stdout(&history));
}

/// Q14: which measures changed definition or data source during the year, and whether the
/// directions of travel across a change still compare like with like.
#[test]
fn q14_definition_and_source_changes_and_the_directions_across_them() {
    let demo = shared_demo();
    let found = json_of(demo, &["audit", "comparability", "--format", "json"]);
    let found = found.as_array().unwrap();
    assert_eq!(
        strings(found, "measure_ref"),
        ["2.A1", "2.A4", "2.A5 (a)", "2.A5 (b)", "1.B4 (a)", "4.B5 (a)", "5.D3"]
    );
    // Marked after the OSMB, as the scorecard of 13 January 2017 reported them.
    assert!(found.iter().all(|f| f["reported_on"] == "2017-01-13"));
    assert_eq!(found[0]["change"], "source change");
    assert_eq!(found[1]["restated"], true);
    let flagged: Vec<(&str, &str)> = found
        .iter()
        .flat_map(|f| {
            f["directions"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["comparable"] == false)
                .map(move |d| {
                    (
                        f["measure_ref"].as_str().unwrap(),
                        d["period"].as_str().unwrap(),
                    )
                })
        })
        .collect();
    assert_eq!(
        flagged,
        [
            ("4.B5 (a)", "Q3 Oct - Dec 2016"),
            ("5.D3", "Q3 Oct - Dec 2016")
        ],
        "the public-health indicators' directions are not applicable, and 1.B4 (a)'s change \
         ran from 2015/16, before any direction the demo assessed"
    );
    let output = run_in(demo, &["audit", "comparability"]);
    assert_success(&output);
    assert!(
        stdout(&output).contains("7 change(s) of definition or source to 7 measure(s)")
            && stdout(&output).contains(
                "2 direction(s) of travel compare figures across a change that were not restated"
            ),
        "{}",
        stdout(&output)
    );
}

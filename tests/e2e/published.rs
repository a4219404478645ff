//! Published reports are proved from the log: `report list` and `report rebuild ID`.

use serde_json::Value;

use crate::support::{assert_success, run_in, stderr, stdout, Workspace};

fn publications(db: &std::path::Path) -> Vec<Value> {
    let output = run_in(db, &["report", "list", "--json"]);
    assert_success(&output);
    stdout(&output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn the_q2_report_rebuilds_from_the_log_to_its_published_hash() {
    let workspace = Workspace::new();
    let kept = workspace.dir.path().join("demo.db");
    assert_success(&run_in(
        &workspace.db(),
        &["demo", "--keep", kept.to_str().unwrap()],
    ));
    let published = publications(&kept);
    let periods: Vec<&str> = published
        .iter()
        .map(|p| p["period"].as_str().unwrap())
        .collect();
    assert_eq!(
        periods,
        [
            "Q1 Apr - Jun 2016",
            "Q2 Jul - Sep 2016",
            "Q3 Oct - Dec 2016"
        ]
    );
    let q2 = &published[1];
    assert_eq!(q2["published_on"], "2016-11-14");
    assert_eq!(q2["cut_off"], 477);

    let output = run_in(
        &kept,
        &["report", "rebuild", q2["report_id"].as_str().unwrap()],
    );
    assert_success(&output);
    let printed = stdout(&output);
    let sha = q2["sha256"].as_str().unwrap();
    assert!(
        printed.contains(&format!("replayed  sha256 {sha}")),
        "{printed}"
    );
    assert!(
        printed.contains("✓ the report rebuilds byte for byte"),
        "{printed}"
    );
}

#[test]
fn live_read_models_that_disagree_with_the_log_are_named_and_fail_loudly() {
    let workspace = Workspace::new();
    let kept = workspace.dir.path().join("demo.db");
    assert_success(&run_in(
        &workspace.db(),
        &["demo", "--keep", kept.to_str().unwrap()],
    ));
    let q2 = publications(&kept)[1]["report_id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Someone edits a read-model row behind the log's back.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let read = runtime
        .block_on(scoreledger_projections::ReadModels::sqlite(&kept))
        .unwrap();
    let changed = runtime
        .block_on(
            sqlx::query("UPDATE values_history SET value = REPLACE(value, '\"raw\":\"112\"', '\"raw\":\"999\"') WHERE raw = '112'")
                .execute(read.pool()),
        )
        .unwrap()
        .rows_affected();
    assert_eq!(changed, 1);

    // Showing the report as published refuses to print figures that are not what was published.
    let output = run_in(&kept, &["report", "show", &q2]);
    assert_eq!(output.status.code(), Some(5), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("first differing part: 2.B1"),
        "{}",
        stderr(&output)
    );
    assert!(stdout(&output).is_empty(), "{}", stdout(&output));

    let output = run_in(&kept, &["report", "rebuild", &q2]);
    assert_eq!(output.status.code(), Some(5), "corruption exits 5");
    assert!(
        stderr(&output).contains("the live read models disagree with the log at 2.B1"),
        "{}",
        stderr(&output)
    );

    // The log is intact: a rebuild of the read models puts things right.
    assert_success(&run_in(&kept, &["rebuild"]));
    assert_success(&run_in(&kept, &["report", "rebuild", &q2]));
}

#[test]
fn an_unknown_report_id_says_where_to_look() {
    let workspace = Workspace::new();
    let output = workspace.run(&["report", "rebuild", "0000"]);
    assert_eq!(output.status.code(), Some(3));
    assert!(
        stderr(&output).contains("scoreledger report list"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn two_published_reports_compare_share_by_share_in_points() {
    let db = crate::support::shared_demo();
    let comparison = crate::support::json_of(
        db,
        &[
            "report",
            "compare",
            "Q2 2016/17",
            "Q3 2016/17",
            "--format",
            "json",
        ],
    );
    assert_eq!(comparison["earlier"]["period"], "Q2 Jul - Sep 2016");
    assert_eq!(comparison["later"]["position"], 661);
    let figure = |name: &str| {
        comparison["figures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["figure"] == name)
            .unwrap_or_else(|| panic!("no figure {name}: {comparison}"))
            .clone()
    };
    let on_target = figure("on target, of measures with data");
    assert_eq!(on_target["after"]["percent"], "43.9%");
    // Q2 as published: 18 of the 51 measures with data on target.
    assert_eq!(on_target["before"]["count"], 18);
    assert_eq!(on_target["before"]["of"], 51);
    assert_eq!(on_target["before"]["percent"], "35.3%");
    assert_eq!(on_target["points"], "+8.6");

    // The same periods as known now: Q2 now includes the revisions made after it was published.
    let current = crate::support::json_of(
        db,
        &[
            "report",
            "compare",
            "Q2 2016/17",
            "Q3 2016/17",
            "--current",
            "--format",
            "json",
        ],
    );
    assert_eq!(current["earlier"]["report_id"], Value::Null);
    let table = run_in(db, &["report", "compare", "Q2 2016/17", "Q3 2016/17"]);
    assert_success(&table);
    assert!(
        stdout(&table).contains("as published 2016-11-14"),
        "{}",
        stdout(&table)
    );
}

#[test]
fn two_published_reports_compare_measure_by_measure() {
    let db = crate::support::shared_demo();
    let by_measure = |extra: &[&str]| {
        let mut args = vec![
            "report",
            "compare",
            "Q2 2016/17",
            "Q3 2016/17",
            "--by-measure",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        crate::support::json_of(db, &args)
    };
    let all = by_measure(&[]);
    let measures = all["measures"].as_array().unwrap();
    let measure = |reference: &str| {
        measures
            .iter()
            .find(|m| m["measure_ref"] == reference)
            .unwrap_or_else(|| panic!("no measure {reference}: {all}"))
            .clone()
    };
    // 1.B1 as the Q2 and Q3 packs print it: its own quarter's value, status and direction
    // moved; its target did not.
    let childcare = measure("1.B1");
    assert_eq!(
        childcare["changed"],
        serde_json::json!(["value", "status", "direction"])
    );
    assert_eq!(childcare["before"]["value"], "79.5% (summer term)");
    assert_eq!(childcare["after"]["value"], "87.2% (Autumn term 2016)");
    assert_eq!(childcare["before"]["status"], "satisfactory");
    assert_eq!(childcare["after"]["status"], "on_target");
    assert_eq!(childcare["after"]["target"], "80%");
    let changed_only = by_measure(&["--changed"]);
    let changed = changed_only["measures"].as_array().unwrap();
    assert!(
        changed.len() < measures.len() && !changed.is_empty(),
        "{} of {}",
        changed.len(),
        measures.len()
    );
    assert!(changed
        .iter()
        .all(|m| !m["changed"].as_array().unwrap().is_empty()));
    let unchanged = measures.len()
        - measures
            .iter()
            .filter(|m| !m["changed"].as_array().unwrap().is_empty())
            .count();
    assert_eq!(changed.len() + unchanged, measures.len());

    // For people: before → after in the changed cells; for spreadsheets, both sides in
    // columns of their own.
    let table = run_in(
        db,
        &[
            "report",
            "compare",
            "Q2 2016/17",
            "Q3 2016/17",
            "--by-measure",
        ],
    );
    assert_success(&table);
    assert!(
        stdout(&table).contains("satisfactory → on target"),
        "{}",
        stdout(&table)
    );
    let csv = run_in(
        db,
        &[
            "report",
            "compare",
            "Q2 2016/17",
            "Q3 2016/17",
            "--by-measure",
            "--changed",
            "--format",
            "csv",
        ],
    );
    assert_success(&csv);
    let text = stdout(&csv);
    assert!(
        text.starts_with("measure_ref,measure,changed,earlier_value,later_value,"),
        "{text}"
    );
    assert!(text.contains("1.B1,"), "{text}");

    // --changed means nothing without --by-measure.
    let refused = run_in(
        db,
        &["report", "compare", "Q2 2016/17", "Q3 2016/17", "--changed"],
    );
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
}

#[test]
fn a_period_published_to_a_second_meeting_is_named_by_meeting_or_date_never_chosen_silently() {
    let workspace = Workspace::new();
    let kept = workspace.dir.path().join("demo.db");
    assert_success(&run_in(
        &workspace.db(),
        &["demo", "--keep", kept.to_str().unwrap()],
    ));
    let as_team = |args: &[&str]| {
        let mut all = vec![
            "--user",
            "sdennis",
            "--name",
            "Simon Dennis",
            "--role",
            "performance",
        ];
        all.extend_from_slice(args);
        run_in(&kept, &all)
    };
    assert_success(&as_team(&[
        "publish",
        "-p",
        "Q3 2016/17",
        "--meeting",
        "Overview and Scrutiny Management Board",
        "--on",
        "2017-01-20",
    ]));
    let refused = run_in(&kept, &["report", "show", "Q3 2016/17"]);
    assert_eq!(refused.status.code(), Some(3), "{}", stderr(&refused));
    let said = stderr(&refused);
    assert!(
        said.contains("published 2 times")
            && said.contains("Cabinet and Commissioners' Decision Making Meeting on 2017-01-13")
            && said.contains("Overview and Scrutiny Management Board on 2017-01-20"),
        "{said}"
    );
    let cabinet = run_in(
        &kept,
        &[
            "report",
            "show",
            "Q3 2016/17 @ 2017-01-13",
            "--format",
            "json",
        ],
    );
    assert_success(&cabinet);
    let scrutiny = run_in(
        &kept,
        &[
            "report",
            "show",
            "Q3 2016/17 @ overview and scrutiny management board",
            "--format",
            "json",
        ],
    );
    assert_success(&scrutiny);
    let position = |output: &std::process::Output| {
        serde_json::from_str::<Value>(&stdout(output)).unwrap()["position"].clone()
    };
    assert_eq!(position(&cabinet), 661, "the Q3 report Cabinet saw");
    assert!(position(&scrutiny).as_u64().unwrap() > 661);
}

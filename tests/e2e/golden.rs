//! Golden files of the Q3 2016/17 report as published (JSON, CSV, HTML), reviewed in the
//! repository: any change to what the published report says or looks like shows up here.

use crate::support::{assert_success, run_in, shared_demo, stdout};

/// The Q3 report as published, in `format`.
fn q3(format: &str) -> String {
    let output = run_in(
        shared_demo(),
        &[
            "report",
            "-p",
            "Q3 2016/17",
            "--as-at",
            "2017-01-13",
            "--format",
            format,
        ],
    );
    assert_success(&output);
    stdout(&output)
}

#[test]
fn the_q3_report_as_json() {
    let canonical = q3("json");
    // Reviewed pretty-printed; the canonical bytes are what the published hash covers.
    let value: serde_json::Value = serde_json::from_str(&canonical).unwrap();
    insta::assert_snapshot!(serde_json::to_string_pretty(&value).unwrap());
}

#[test]
fn the_q3_report_as_csv() {
    insta::assert_snapshot!(q3("csv"));
}

#[test]
fn the_q3_report_as_html() {
    insta::assert_snapshot!(q3("html"));
}

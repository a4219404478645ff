//! Golden files of the Q3 2016/17 report as published (JSON, CSV, HTML), reviewed in the
//! repository: any change to what the published report says or looks like shows up here.

use crate::support::{assert_success, run_in, shared_demo, stdout};

/// The Q3 report as published, in `format`.
fn q3(format: &str) -> String {
    let output = run_in(
        shared_demo(),
        &["report", "show", "Q3 2016/17", "--format", format],
    );
    assert_success(&output);
    stdout(&output)
}

#[test]
fn the_q3_report_as_json() {
    let canonical = q3("json");
    // The bytes the published hash covers (the demo's Q3 publication, asserted in nats.rs too).
    assert_eq!(
        scoreledger_reports::sha256_hex(canonical.trim_end().as_bytes()),
        "5753917c07bd7000dfbbb58d10b382b3e856c4ba5ddbcc22e91d46ce0e8d6ab4"
    );
    // Reviewed pretty-printed.
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

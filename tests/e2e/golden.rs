//! Golden files of the Q3 2016/17 report as published (JSON, CSV, HTML, the PDF's hash),
//! reviewed in the repository: any change to what the published report says or looks like
//! shows up here.

use crate::support::{assert_success, run_in, shared_demo, stderr, stdout, Workspace};

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

#[test]
fn the_q3_pack_as_pdf_is_the_same_bytes_every_time_it_is_printed() {
    let workspace = Workspace::new();
    let print = |name: &str| {
        let path = workspace.dir.path().join(name);
        let output = run_in(
            shared_demo(),
            &[
                "report",
                "show",
                "Q3 2016/17",
                "--format",
                "pdf",
                "-o",
                path.to_str().unwrap(),
            ],
        );
        assert_success(&output);
        assert!(stdout(&output).contains("wrote the Q3 Oct - Dec 2016 report"));
        std::fs::read(path).unwrap()
    };
    let first = print("first.pdf");
    assert!(first.starts_with(b"%PDF-"));
    assert_eq!(first, print("second.pdf"));
    // The pack the PDF crate's golden test reads back, word for word, from the same report.
    assert_eq!(
        scoreledger_reports::sha256_hex(&first),
        include_str!("../../crates/pdf/tests/fixtures/q3-2016-17.pdf.sha256").trim()
    );
    // Binary never goes to a terminal.
    let refused = run_in(
        shared_demo(),
        &["report", "show", "Q3 2016/17", "--format", "pdf"],
    );
    assert_eq!(refused.status.code(), Some(3));
    assert!(stderr(&refused).contains("--output FILE.pdf"));
}

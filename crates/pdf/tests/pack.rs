//! The pack of the Q3 2016/17 report as published (the demo's, kept here as its canonical
//! JSON): its text read back out of the PDF, its bytes stable, and a report's own words never
//! taken for markup.

use scoreledger_reports::QuarterReport;

/// The Q3 2016/17 report as published to Cabinet.
fn q3() -> QuarterReport {
    let report: QuarterReport =
        serde_json::from_str(include_str!("fixtures/q3-2016-17.json")).expect("the fixture reads");
    // The fixture is the report published, byte for byte.
    assert_eq!(
        report.sha256(),
        "5753917c07bd7000dfbbb58d10b382b3e856c4ba5ddbcc22e91d46ce0e8d6ab4"
    );
    report
}

fn text_of(pdf: &[u8]) -> String {
    pdf_extract::extract_text_from_mem(pdf).expect("the PDF's text reads back")
}

/// Words as a reader finds them, whatever line or column breaks the layout put between them.
fn words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_pack_is_a_pdf_with_a_cover_and_a_page_per_priority_at_least() {
    let pdf = scoreledger_pdf::pack(&q3()).unwrap();
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    let text = words(&text_of(&pdf));
    for expected in [
        "Quarterly Performance Scorecard — Q3 Oct - Dec 2016",
        "SHA-256 of the report: 5753917c07bd7000dfbbb58d10b382b3e856c4ba5ddbcc22e91d46ce0e8d6ab4",
        // The summary box and the dashboard drawn from it.
        "Overall status Count % of all",
        "Executive summary Count Of %",
        // Each priority's table, headed as the pack heads it.
        "Ref Measure Target",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from the pack"
        );
    }
}

#[test]
fn every_measure_of_the_report_is_in_the_pack_with_its_status() {
    let report = q3();
    let text = words(&text_of(&scoreledger_pdf::pack(&report).unwrap()));
    for row in &report.rows {
        let (status, _) = scoreledger_reports::printed::status(row);
        assert!(
            text.contains(&words(&row.measure)),
            "{} ({}) missing",
            row.ref_as_printed,
            row.measure
        );
        assert!(text.contains(&words(&status)), "{status} missing");
    }
}

#[test]
fn the_same_report_gives_the_same_bytes() {
    let report = q3();
    let first = scoreledger_pdf::pack(&report).unwrap();
    let second = scoreledger_pdf::pack(&report).unwrap();
    assert_eq!(first, second);
    // And the same bytes as when this was written: no date, no random identifier, nothing
    // of the machine. A new Typst (a change to Cargo.lock) may lay the pack out differently;
    // then read the new pack and update the hash.
    assert_eq!(
        scoreledger_reports::sha256_hex(&first),
        include_str!("fixtures/q3-2016-17.pdf.sha256").trim()
    );
}

#[test]
fn a_report_s_words_are_printed_as_written_never_run_as_markup() {
    let mut report = q3();
    let hostile = "#panic(\"typeset\") *bold* ] [ #let x = 1 $x$ <label> @cite // comment";
    report.rows[0].measure = hostile.to_owned();
    report.rows[0].note = Some("#set page(width: 1cm) \\ backslash".to_owned());
    let text = words(&text_of(&scoreledger_pdf::pack(&report).unwrap()));
    assert!(
        text.contains(&words(hostile)),
        "the measure's words changed"
    );
    assert!(text.contains("#set page(width: 1cm) \\ backslash"));
}

#[test]
fn a_commit_set_aside_is_said_on_the_cover() {
    let mut report = q3();
    report.set_asides = vec![serde_json::from_value(serde_json::json!({
        "position": 42,
        "problem": "its bytes do not decode",
        "actor_id": "admin-1",
        "actor_name": "Ada Admin",
        "recorded_at": "2017-01-02T09:00:00Z",
        "set_aside_at": 43,
        "reason": "a disk fault"
    }))
    .unwrap()];
    let text = words(&text_of(&scoreledger_pdf::pack(&report).unwrap()));
    assert!(
        text.contains("The commit at log position 42 could not be read"),
        "{text}"
    );
}

#[test]
fn the_pack_s_text_is_as_reviewed() {
    // The golden file: every word of the pack in reading order, reviewed in the repository.
    insta::assert_snapshot!(text_of(&scoreledger_pdf::pack(&q3()).unwrap()));
}

//! The chase list through the binary, on the demo's log.

use crate::support::{assert_success, json_of, run_in, shared_demo, stdout};

#[test]
fn the_chase_list_names_what_each_measure_lacks_and_when_it_was_due() {
    let db = shared_demo();
    let list = json_of(db, &["chase", "-p", "Q3 2016/17", "--json"]);
    assert_eq!(list["plan"], "Corporate Plan 2016/17");
    assert_eq!(list["measures"], 103);
    let lacks = |reference: &str| -> Vec<String> {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|item| item["measure"] == reference)
            .map(|item| {
                format!(
                    "{} {} due {}",
                    item["lack"].as_str().unwrap(),
                    item["period"].as_str().unwrap(),
                    item["due_on"].as_str().unwrap()
                )
            })
            .collect()
    };
    // Entered, assessed and noted for Q3, but nobody has checked the value or the note.
    assert_eq!(
        lacks("2.B9 (a)"),
        [
            "sign_off Q3 Oct - Dec 2016 due 2017-01-14",
            "approval Q3 Oct - Dec 2016 due 2017-01-14"
        ]
    );

    // Q4 has nothing yet: a monthly measure lacks each month and the quarter.
    let q4 = json_of(
        db,
        &["chase", "-p", "Q4 2016/17", "--json", "--days-after", "10"],
    );
    let monthly: Vec<&str> = q4["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|item| item["measure"] == "1.A1" && item["lack"] == "value")
        .map(|item| item["period"].as_str().unwrap())
        .collect();
    assert_eq!(monthly, ["Jan-17", "Feb-17", "Mar-17", "Q4 Jan - Mar 2017"]);
    assert!(q4["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|item| item["measure"] == "1.A1" && item["due_on"] == "2017-02-10"));

    let csv = run_in(
        db,
        &[
            "chase",
            "-p",
            "Q3 2016/17",
            "--directorate",
            "Adult Social Care and Housing",
            "--format",
            "csv",
        ],
    );
    assert_success(&csv);
    let text = stdout(&csv);
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("directorate,lead_officer,measure,title,lacks,period,due_on,overdue")
    );
    assert!(lines.all(|line| line.starts_with("Adult Social Care and Housing,")));
    let table = run_in(db, &["chase", "-p", "Q3 2016/17"]);
    assert_success(&table);
    assert!(stdout(&table).contains("overdue"), "{}", stdout(&table));
}

//! Reads of the history through the command line are recorded in the log before they are
//! answered, as the HTTP service records its reads: who read what, and about which measure.

use crate::support::{assert_success, json_lines_of, sample_json, Workspace};

#[test]
fn a_history_read_on_the_command_line_shows_in_the_history_with_who_read_it() {
    let workspace = Workspace::new();
    let file = workspace.file("plan.json", &sample_json());
    assert_success(&workspace.run(&["import", file.to_str().unwrap()]));
    let db = workspace.db();
    assert!(
        json_lines_of(
            &db,
            &["history", "--what", "read", "--measure", "1.A3", "--json"]
        )
        .is_empty(),
        "nobody has read 1.A3's history yet"
    );

    let as_auditor = [
        "--user",
        "jo.auditor",
        "--name",
        "Jo Auditor",
        "--role",
        "auditor",
    ];
    let mut read = as_auditor.to_vec();
    read.extend(["history", "--measure", "1.A3"]);
    assert_success(&workspace.run(&read));
    let mut measure = as_auditor.to_vec();
    measure.extend(["measure", "2.B5"]);
    assert_success(&workspace.run(&measure));

    let reads = json_lines_of(&db, &["history", "--what", "read", "--json"]);
    let by_jo: Vec<_> = reads
        .iter()
        .filter(|entry| entry["actor_name"] == "Jo Auditor")
        .collect();
    assert_eq!(by_jo.len(), 2, "{reads:#?}");
    assert_eq!(by_jo[0]["actor_role"], "auditor");
    assert_eq!(by_jo[0]["measure_ref"], "1.A3");
    let what = by_jo[0]["after"].as_str().unwrap();
    assert!(what.contains("history --measure 1.A3"), "{what}");
    assert_eq!(by_jo[1]["measure_ref"], "2.B5");
}

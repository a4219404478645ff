//! `scoreledger history --what`: the kinds of change in the words the README gives, the same
//! vocabulary as the API's `?what=` and the audit page.

use crate::support::{json_lines_of, run_in, shared_demo, stderr, stdout};

fn kinds(changes: &[serde_json::Value]) -> Vec<&str> {
    changes
        .iter()
        .map(|c| c["what"].as_str().expect("a what"))
        .collect()
}

#[test]
fn a_word_of_the_readme_and_the_stored_name_select_the_same_changes() {
    let db = shared_demo();
    let notes = json_lines_of(db, &["history", "--what", "note", "--json"]);
    assert!(!notes.is_empty(), "the demo writes data notes");
    assert!(kinds(&notes).iter().all(|k| *k == "data note"), "{notes:?}");
    let stored = json_lines_of(db, &["history", "--what", "data note", "--json"]);
    assert_eq!(stored, notes);

    let locks = json_lines_of(db, &["history", "--what", "locks,publication", "--json"]);
    assert!(
        kinds(&locks).contains(&"report published"),
        "{:?}",
        kinds(&locks)
    );
    assert!(
        kinds(&locks)
            .iter()
            .all(|k| ["period locked", "period reopened", "report published"].contains(k)),
        "{:?}",
        kinds(&locks)
    );
}

#[test]
fn an_unknown_kind_is_refused_with_exit_3_listing_the_kinds() {
    let output = run_in(shared_demo(), &["history", "--what", "value,nonsense"]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert_eq!(stdout(&output), "", "nothing listed");
    let message = stderr(&output);
    assert!(
        message.contains("--what \"nonsense\" is not a kind of change; use value, target, status, direction, rag, note, narrative, accountability, measure, signoff, approval, refresh, definition, withdrawal, lock, publication, token, read, set-aside, plan, key, meeting, clinic or action"),
        "{message}"
    );
}

//! The 2010 Notice to Improve action plan loaded from its packs' updates, dated as reported
//! (issue 15's done-when: the May → August story; questions 15, 16; scenarios S16, S19, S20).

use serde_json::Value;

use crate::support::{assert_success, stderr, stdout, Workspace};

const PLAN: &str = "RMBC Notice to Improve Action Plan";

fn fixture(name: &str) -> String {
    format!(
        "{}/../../fixtures/notice_to_improve_2010/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn import(workspace: &Workspace, day: &str, document: &str, file: &str) -> String {
    let output = workspace.run(&[
        "--reported-on",
        day,
        "--reported-in",
        document,
        "import-actions",
        &fixture(file),
        "--plan",
        PLAN,
    ]);
    assert_success(&output);
    stdout(&output)
}

#[test]
fn the_may_and_august_updates_are_tallied_as_each_was_reported() {
    let workspace = Workspace::new();
    let may = import(
        &workspace,
        "2010-05-17",
        "Update of 17 May 2010",
        "actions-2010-05-17.csv",
    );
    assert!(
        may.contains("44 row(s): 44 registered, 0 moved, 43 rated, 0 reworded, 0 unchanged"),
        "{may}"
    );
    let august = import(
        &workspace,
        "2010-08-20",
        "Update of 20 August 2010",
        "actions-2010-08-20.csv",
    );
    assert!(
        august.contains("29 row(s): 6 registered, 11 moved, 18 rated, 13 reworded, 1 unchanged; 21 of the plan's actions are not in this update"),
        "{august}"
    );
    // The same update again changes nothing.
    let again = import(
        &workspace,
        "2010-08-20",
        "Update of 20 August 2010",
        "actions-2010-08-20.csv",
    );
    assert!(
        again.contains("0 registered, 0 moved, 0 rated, 0 reworded, 29 unchanged"),
        "{again}"
    );
    assert!(!again.contains("appended"), "{again}");

    // S21: the NFA review's targets lost their "10%" between the updates, word by word.
    let output = workspace.run(&[
        "audit",
        "action-texts",
        "--from",
        "2010-05-17",
        "--to",
        "2010-08-20",
        "--format",
        "json",
    ]);
    assert_success(&output);
    let reworded: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let nfa = reworded
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["key_action"]
                .as_str()
                .unwrap()
                .starts_with("Conduct a review on all NFA cases")
                && r["field"] == "targets"
        })
        .expect("the NFA review's targets reworded");
    assert_eq!(
        nfa["words"],
        "[-10%-] reduction in overall contact and referrals which result in NFA by March 2010"
    );
    assert_eq!(nfa["reported_on"], "2010-08-20");
    let table = stdout(&workspace.run(&[
        "audit",
        "action-texts",
        "--from",
        "2010-05-17",
        "--to",
        "2010-08-20",
    ]));
    assert!(
        table.contains(
            "16 baseline, targets or workstream text(s) reworded after 2010-05-17 and up to 2010-08-20"
        ),
        "{table}"
    );
    // Nothing was reworded by the May update itself.
    let may_only = stdout(&workspace.run(&[
        "audit",
        "action-texts",
        "--from",
        "2010-05-01",
        "--to",
        "2010-05-17",
    ]));
    assert!(
        may_only.contains("0 baseline, targets or workstream"),
        "{may_only}"
    );

    let output = workspace.run(&[
        "audit",
        "action-rag",
        "--reported-by",
        "2010-08-20",
        "--against-reported",
        "2010-05-17",
    ]);
    assert_success(&output);
    let text = stdout(&output);
    // The pack printed Red 2, Amber 22, Green 20 of 44: its 44th rating is illegible.
    assert!(
        text.contains("as reported by 17 May 2010 (position 72): Red: 2 (5%) Amber: 21 (49%) Green: 20 (47%) (out of which 13 are now deemed as completed); 1 not rated"),
        "{text}"
    );
    assert!(
        text.contains("as reported by 20 Aug 2010 (position 72): Red: 6 (12%) Amber: 22 (44%) Green: 22 (44%)"),
        "{text}"
    );
    // On the log's own axis, everything was recorded today: no tally as at 17 May 2010.
    let output = workspace.run(&["audit", "action-rag", "--as-at", "2010-05-17"]);
    assert!(stdout(&output).contains("Red: 0"), "{}", stdout(&output));

    let output = workspace.run(&[
        "audit",
        "action-dates",
        "--from",
        "2010-05-17",
        "--to",
        "2010-08-20",
    ]);
    assert_success(&output);
    let text = stdout(&output);
    assert!(text.contains("11 target date(s) moved after 2010-05-17 and up to 2010-08-20; 11 with no reason recorded"), "{text}");
    assert!(text.contains("June 2010 → October 2010"), "{text}");
    let output = workspace.run(&["verify"]);
    assert_success(&output);
}

#[test]
fn an_update_reported_before_one_already_imported_is_refused() {
    let workspace = Workspace::new();
    import(
        &workspace,
        "2010-08-20",
        "Update of 20 August 2010",
        "actions-2010-08-20.csv",
    );
    let output = workspace.run(&[
        "--reported-on",
        "2010-05-17",
        "--reported-in",
        "Update of 17 May 2010",
        "import-actions",
        &fixture("actions-2010-05-17.csv"),
        "--plan",
        PLAN,
        "--dry-run",
    ]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("in the order they were reported"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn an_update_with_a_bad_row_is_refused_whole_and_nothing_is_appended() {
    let workspace = Workspace::new();
    let file = workspace.file(
        "update.csv",
        "objective,key_action,lead,target_date,rag,arrow\n\
         QA,Audit files,Gani Martins,June 2010,amber,↑\n\
         QA,Review NFA cases,,June 2010,purple,↗\n",
    );
    let output = workspace.run(&["import-actions", file.to_str().unwrap(), "--plan", PLAN]);
    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(
        err.contains("row 3, field lead")
            && err.contains("row 3, field rag")
            && err.contains("row 3, field arrow"),
        "{err}"
    );
    let output = workspace.run(&["action", "list"]);
    assert!(
        !stdout(&output).contains("Audit files"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn the_2010_demo_tells_the_may_to_august_story() {
    let output = crate::support::run(&["demo", "--2010"]);
    assert_success(&output);
    let text = stdout(&output);
    for line in [
        "17 May 2010  Notice to Improve action plan update, 17 May 2010, Appendix A: 44 row(s): 44 registered",
        "Red: 2 (5%) Amber: 21 (49%) Green: 20 (47%) (out of which 13 are now deemed as completed); 1 not rated",
        "The 17 May update printed \"Red: 2 (5%) Amber: 22 (50%) Green: 20 (45%) (out of which 13 are now deemed as completed)\" of 44 actions",
        "11 target date(s) moved after 2010-05-17 and up to 2010-08-20",
        "Reported 13 Jul 2010: 80.16% (to 13 Jul 2010); reported 20 Aug 2010: 80.11% (to 20 Aug 2010); 0 correction(s) reported in between",
        // The measures as the August update rated them, arrows and all, and where the rules
        // (milestones due by then; NI 68 mid range is good) would have rated otherwise.
        "Of the 3 measures, 3 are rated: Red: 0 (0.0%) Amber: 1 (33.3%) Green: 2 (66.7%) Complete: 0 (0.0%); 0 not rated.",
        "NI 59   80.11%  → amber",
        "NI 68   79.74%  ↑ green",
        "Rated against the rules' suggestion: NI 68 rated green, the rules suggest red (no rationale recorded)",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
}

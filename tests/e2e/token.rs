//! `scoreledger token`: bearer tokens for the HTTP API, issued and revoked by an admin, the
//! secret shown once and kept only as a hash.

use crate::support::{assert_success, commits, json_lines_of, stderr, stdout, Workspace};

#[test]
fn an_admin_issues_lists_and_revokes_a_token_whose_secret_is_never_stored() {
    let workspace = Workspace::new();
    let as_admin = |args: &[&str]| {
        let mut all = vec![
            "--user", "it.admin", "--name", "IT Admin", "--role", "admin",
        ];
        all.extend_from_slice(args);
        workspace.run(&all)
    };
    let output = as_admin(&[
        "token",
        "create",
        "--for",
        "sam.newton",
        "--holder",
        "Sam Newton",
        "--as",
        "officer",
        "--directorate",
        "Adult Social Care and Housing",
        "--expires",
        "2099-03-31",
    ]);
    assert_success(&output);
    let printed = stdout(&output);
    let secret = printed
        .lines()
        .find(|l| l.starts_with("slt_"))
        .expect("the secret is printed once")
        .to_owned();
    assert_eq!(secret.len(), 4 + 64, "{secret}");

    let listed = json_lines_of(&workspace.db(), &["token", "list", "--json"]);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["user_id"], "sam.newton");
    assert_eq!(listed[0]["role"], "officer");
    assert_eq!(listed[0]["expires_on"], "2099-03-31");
    assert_eq!(listed[0]["issued_by"], "IT Admin");
    let id = listed[0]["token_id"].as_str().unwrap().to_owned();

    // Neither the log nor the read models hold the secret.
    let database = std::fs::read(workspace.db()).unwrap();
    assert!(
        !database
            .windows(secret.len())
            .any(|w| w == secret.as_bytes()),
        "the secret is stored"
    );
    let history = stdout(&workspace.run(&["history", "--what", "token", "--json"]));
    assert!(history.contains("token issued"), "{history}");
    assert!(!history.contains(&secret), "{history}");

    // Only an admin issues or revokes, and a revocation needs a reason.
    let before = commits(&workspace);
    let output = workspace.run(&["token", "revoke", &id, "--reason", "left"]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("the performance role may not revoke an API token"),
        "{}",
        stderr(&output)
    );
    let output = as_admin(&["token", "revoke", &id, "--reason", " "]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert_eq!(commits(&workspace), before, "nothing appended");

    assert_success(&as_admin(&[
        "token",
        "revoke",
        &id,
        "--reason",
        "left the council",
    ]));
    let listed = json_lines_of(&workspace.db(), &["token", "list", "--json"]);
    assert!(listed[0]["revoked_position"].is_i64(), "{}", listed[0]);
    let output = as_admin(&["token", "revoke", &id, "--reason", "again"]);
    assert_eq!(output.status.code(), Some(3));
    assert!(
        stderr(&output).contains("already revoked"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn an_officers_token_names_a_directorate_and_an_unknown_token_cannot_be_revoked() {
    let workspace = Workspace::new();
    let as_admin = |args: &[&str]| {
        let mut all = vec!["--role", "admin"];
        all.extend_from_slice(args);
        workspace.run(&all)
    };
    let output = as_admin(&[
        "token", "create", "--for", "x", "--holder", "X", "--as", "officer",
    ]);
    assert_eq!(output.status.code(), Some(3));
    assert!(
        stderr(&output).contains("--directorate"),
        "{}",
        stderr(&output)
    );
    let output = as_admin(&[
        "token",
        "revoke",
        "00000000-0000-0000-0000-000000000009",
        "--reason",
        "x",
    ]);
    assert_eq!(output.status.code(), Some(3));
    assert!(
        stderr(&output).contains("has been issued"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_token_is_issued_for_one_spelling_of_a_person_and_refused_for_a_look_alike_of_another() {
    let workspace = Workspace::new();
    let create = |user: &str| {
        workspace.run(&[
            "--user",
            "it.admin",
            "--name",
            "IT Admin",
            "--role",
            "admin",
            "token",
            "create",
            "--for",
            user,
            "--holder",
            "Sam Newton",
            "--as",
            "approver",
        ])
    };
    assert_success(&create("sam.newton"));
    // The same person written otherwise is stored as the one spelling.
    assert_success(&create(" Sam.Newton"));
    let listed = json_lines_of(&workspace.db(), &["token", "list", "--json"]);
    let ids: Vec<_> = listed.iter().map(|t| t["user_id"].clone()).collect();
    assert_eq!(ids, ["sam.newton", "sam.newton"]);

    // A Cyrillic dze reads as "s": someone else's look-alike id is refused, nothing appended;
    // so is a token whose last day is past.
    let before = commits(&workspace);
    let past = workspace.run(&[
        "--user",
        "it.admin",
        "--name",
        "IT Admin",
        "--role",
        "admin",
        "token",
        "create",
        "--for",
        "pat.fixer",
        "--holder",
        "Pat Fixer",
        "--as",
        "auditor",
        "--expires",
        "2017-03-31",
    ]);
    assert_eq!(past.status.code(), Some(3), "{}", stderr(&past));
    assert!(stderr(&past).contains("already past"), "{}", stderr(&past));
    let refused = create("\u{0455}am.newton");
    assert_eq!(refused.status.code(), Some(3), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("reads like \"sam.newton\""),
        "{}",
        stderr(&refused)
    );
    assert_eq!(commits(&workspace), before);
}

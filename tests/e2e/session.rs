//! `scoreledger session`: the pages' web sessions, listed and ended by admins only.

use crate::support::{assert_success, stderr, stdout, Workspace};

#[test]
fn only_an_admin_lists_or_ends_web_sessions() {
    let workspace = Workspace::new();
    let as_role = |role: &str, args: &[&str]| {
        let mut all = vec!["--user", "someone", "--role", role];
        all.extend_from_slice(args);
        workspace.run(&all)
    };
    for args in [&["session", "list"][..], &["session", "end", "x"][..]] {
        let refused = as_role("auditor", args);
        assert_eq!(refused.status.code(), Some(3), "{args:?}");
        assert!(
            stderr(&refused).contains("--role admin"),
            "{}",
            stderr(&refused)
        );
    }
    let listed = as_role("admin", &["session", "list", "--json"]);
    assert_success(&listed);
    assert_eq!(stdout(&listed), "", "no one has signed in");
    let unknown = as_role("admin", &["session", "end", "no-such-session"]);
    assert_eq!(unknown.status.code(), Some(3));
    assert!(
        stderr(&unknown).contains("session list"),
        "{}",
        stderr(&unknown)
    );
}

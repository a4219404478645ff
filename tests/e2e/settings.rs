//! Where things live: flags, environment and the configuration file, and `migrate`.

use crate::support::{assert_success, run, stderr, stdout, Workspace};

#[test]
fn the_configuration_file_fills_what_flags_leave_at_defaults() {
    let workspace = Workspace::new();
    let from_file = workspace.dir.path().join("from-file.db");
    let config = workspace.file(
        "scoreledger.toml",
        &format!(
            "db = {:?}\nuser = \"auditor.one\"\nrole = \"auditor\"\n",
            from_file.display().to_string()
        ),
    );
    let output = run(&["--config", config.to_str().unwrap(), "init"]);
    assert_success(&output);
    assert!(
        stdout(&output).contains(&format!("SQLite {}", from_file.display())),
        "{}",
        stdout(&output)
    );

    let flagged = workspace.dir.path().join("flagged.db");
    let output = run(&[
        "--config",
        config.to_str().unwrap(),
        "--db",
        flagged.to_str().unwrap(),
        "init",
    ]);
    assert_success(&output);
    assert!(
        stdout(&output).contains(&format!("SQLite {}", flagged.display())),
        "a flag beats the file"
    );
}

#[test]
fn a_bad_configuration_file_names_its_keys() {
    let workspace = Workspace::new();
    let config = workspace.file("bad.toml", "database = \"x\"\n");
    let output = run(&["--config", config.to_str().unwrap(), "init"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("its keys are db, store"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn migrate_lists_the_migrations_of_the_embedded_database() {
    let workspace = Workspace::new();
    let output = workspace.run(&["migrate"]);
    assert_success(&output);
    let printed = stdout(&output);
    assert!(printed.contains("0001 event log"), "{printed}");
    assert!(printed.contains("0002 read models"), "{printed}");
}

#[test]
fn postgres_read_models_need_a_log_location() {
    let output = run(&[
        "--db",
        "postgres://postgres@127.0.0.1:5432/postgres",
        "init",
    ]);
    assert_eq!(output.status.code(), Some(3));
    assert!(
        stderr(&output).contains("--store nats://HOST:PORT"),
        "{}",
        stderr(&output)
    );
}

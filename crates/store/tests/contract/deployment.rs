//! The shipped server configuration, `deploy/nats/nats-server.conf` with the `accounts.conf` it
//! includes, checked by the servers themselves (`nats-server -t`): a current release accepts
//! it, and the machine image's 2.9.x refuses it for `sync_interval`, the 2.10 setting that
//! makes the minimum version README.md and the file state. Needs both servers
//! (scripts/services.sh).

use std::path::PathBuf;
use std::process::{Command, Output};

use scoreledger_testkit::nats::NatsRelease;

/// Checks the shipped configuration with `release`, in the environment it reads (the node's
/// name, the two passwords). The check reads the files only: it creates no store directory
/// and opens no port.
fn check_with(release: NatsRelease) -> Output {
    let config =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../deploy/nats/nats-server.conf");
    Command::new(release.binary())
        .arg("-t")
        .arg("-c")
        .arg(&config)
        .env("SERVER_NAME", "nats-1")
        .env("SCORELEDGER_NATS_PASSWORD", "service-password-0123")
        .env("SCORELEDGER_NATS_ADMIN_PASSWORD", "admin-password-4567")
        .output()
        .unwrap_or_else(|err| panic!("cannot run {}: {err}", release.binary().display()))
}

fn said(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn a_current_nats_server_accepts_the_shipped_configuration() {
    let checked = check_with(NatsRelease::Current);
    assert!(checked.status.success(), "{}", said(&checked));
    assert!(said(&checked).contains("is valid"), "{}", said(&checked));
}

#[test]
fn nats_server_2_9_refuses_the_shipped_configuration_for_sync_interval() {
    let checked = check_with(NatsRelease::Machine);
    let version = Command::new(NatsRelease::Machine.binary())
        .arg("--version")
        .output()
        .expect("nats-server --version");
    assert!(
        String::from_utf8_lossy(&version.stdout).contains("v2.9."),
        "the machine image's server is no longer 2.9.x ({}); make this test about the release it is",
        String::from_utf8_lossy(&version.stdout).trim()
    );
    assert!(!checked.status.success(), "{}", said(&checked));
    assert!(
        said(&checked).contains("unknown field \"sync_interval\""),
        "{}",
        said(&checked)
    );
}

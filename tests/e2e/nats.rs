//! The same demo with its log on NATS JetStream (a real nats-server started by the test):
//! byte-identical reports, on the machine image's server and on a current release.

use scoreledger_testkit::nats::{NatsRelease, TestNats};

use crate::support::{assert_success, run, run_in, stderr, stdout, Workspace};

/// The hash the embedded demo asserts too (tests/e2e/demo.rs).
const Q3_SHA256: &str = "5753917c07bd7000dfbbb58d10b382b3e856c4ba5ddbcc22e91d46ce0e8d6ab4";

fn demo_on(release: NatsRelease) {
    let server = TestNats::start(release);
    let workspace = Workspace::new();
    let kept = workspace.dir.path().join("read-models.db");
    let output = run_in(
        &workspace.db(),
        &[
            "demo",
            "--store",
            &server.url(),
            "--keep",
            kept.to_str().unwrap(),
        ],
    );
    assert_success(&output);
    let printed = stdout(&output);
    assert!(
        printed.contains(&format!("NATS {}", server.url())),
        "{printed}"
    );
    assert!(
        printed.contains(&format!(
            "✓ rebuilt at position 661: sha256 {Q3_SHA256} equals the published"
        )),
        "{release:?}: {printed}"
    );
    assert!(
        printed.contains("95 (revised; first published 112)"),
        "{printed}"
    );
}

#[test]
fn the_demo_on_the_machine_images_nats_server_gives_the_embedded_report_hash() {
    demo_on(NatsRelease::Machine);
}

#[test]
fn the_demo_on_a_current_nats_release_gives_the_embedded_report_hash() {
    demo_on(NatsRelease::Current);
}

#[test]
fn the_demo_on_nats_and_postgresql_gives_the_embedded_report_hash() {
    let server = TestNats::start(NatsRelease::Current);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let database = runtime.block_on(scoreledger_testkit::postgres::TestPostgres::create());
    let output = run(&["demo", "--store", &server.url(), "--db", &database.url]);
    assert_success(&output);
    let printed = stdout(&output);
    assert!(printed.contains("read models in postgres://"), "{printed}");
    assert!(
        printed.contains(&format!(
            "✓ rebuilt at position 661: sha256 {Q3_SHA256} equals the published"
        )),
        "{printed}"
    );

    // The auditor's commands on the production pair: the log replayed from JetStream into
    // scratch read models rebuilds the published Q2 report, and the restatement diff and
    // the published Q3 report read as they do embedded.
    let stream = printed
        .split("(stream ")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .expect("the demo names its stream")
        .to_owned();
    let prefix = format!(
        "scoreledger-demo-{}",
        stream.trim_start_matches("SCORELEDGER_DEMO_")
    );
    let url = server.url();
    // The demo kept the log's key for the stream, which outlives it; writes (a recorded read
    // too) need it.
    let key = printed
        .split("(private key ")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .expect("the demo names its key")
        .to_owned();
    let on_production = |args: &[&str]| {
        let mut all = vec![
            "--signing-key",
            &key,
            "--store",
            &url,
            "--nats-stream",
            &stream,
            "--nats-prefix",
            &prefix,
            "--db",
            &database.url,
        ];
        all.extend_from_slice(args);
        let output = run(&all);
        assert_success(&output);
        stdout(&output)
    };
    let rebuilt = on_production(&["report", "rebuild", "Q2 2016/17"]);
    assert!(
        rebuilt.contains("✓ the report rebuilds byte for byte"),
        "{rebuilt}"
    );
    let diff: serde_json::Value = serde_json::from_str(&on_production(&[
        "report",
        "diff",
        "Q2 2016/17",
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(diff["restatements"].as_array().unwrap().len(), 7, "{diff}");
    let shown = on_production(&["report", "show", "Q3 2016/17", "--format", "json"]);
    assert_eq!(
        scoreledger_reports::sha256_hex(shown.trim_end().as_bytes()),
        Q3_SHA256
    );
    drop(database);
}

#[test]
fn an_unreachable_nats_server_is_named_and_nothing_is_written() {
    let port = scoreledger_testkit::nats::free_port();
    let url = format!("nats://127.0.0.1:{port}");
    let workspace = Workspace::new();
    let output = workspace.run(&["--store", &url, "init"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains(&format!("cannot reach NATS at {url}")),
        "{}",
        stderr(&output)
    );
}

/// A password in the store URL logs in, and nothing a command prints or keeps shows it: not
/// what `init` says, not the command line a recorded read keeps in the log, not a backup's
/// header, not a refused login, not `--help` with the URL in the environment.
#[test]
fn a_password_in_the_store_url_logs_in_but_is_never_shown() {
    const PASSWORD: &str = "service-s3cret-0123";
    let accounts = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../deploy/nats/accounts.conf");
    let server = TestNats::start_with_config(
        NatsRelease::Current,
        &[&accounts],
        &[
            ("SCORELEDGER_NATS_PASSWORD", PASSWORD),
            ("SCORELEDGER_NATS_ADMIN_PASSWORD", "admin-s3cret-4567"),
        ],
    );
    let url = server.url_as("scoreledger", PASSWORD);
    let shown_url = format!("nats://scoreledger:***@127.0.0.1:{}", server.port);
    let workspace = Workspace::new();
    let never_shown = |output: &std::process::Output| {
        for text in [stdout(output), stderr(output)] {
            assert!(!text.contains("s3cret"), "{text}");
        }
    };

    let init = workspace.run(&["--store", &url, "init"]);
    assert_success(&init);
    never_shown(&init);
    assert!(
        stdout(&init).contains(&format!("NATS {shown_url}")),
        "{}",
        stdout(&init)
    );

    // The read is recorded with its command line; the backup holds every commit and names
    // where it came from.
    assert_success(&workspace.run(&["--store", &url, "history"]));
    let backup = workspace.dir.path().join("log.jsonl");
    let taken = workspace.run(&[
        "--store",
        &url,
        "backup",
        backup.to_str().unwrap(),
        "--json",
    ]);
    assert_success(&taken);
    never_shown(&taken);
    let kept = std::fs::read_to_string(&backup).unwrap();
    assert!(kept.contains(&shown_url), "{kept}");
    assert!(kept.contains("--store nats://scoreledger:***@"), "{kept}");
    assert!(!kept.contains("s3cret"), "{kept}");

    let refused = workspace.run(&[
        "--store",
        &server.url_as("scoreledger", "wrong-s3cret"),
        "init",
    ]);
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("refused the login"),
        "{}",
        stderr(&refused)
    );
    never_shown(&refused);

    let help = std::process::Command::new(env!("CARGO_BIN_EXE_scoreledger"))
        .env("SCORELEDGER_STORE", &url)
        .env("SCORELEDGER_DB", "postgres://reader:pg-s3cret@127.0.0.1/x")
        .arg("--help")
        .output()
        .unwrap();
    assert_success(&help);
    never_shown(&help);
}

#[test]
fn migrate_on_a_cluster_creates_the_replicas_asked_and_refuses_another_count() {
    let cluster = scoreledger_testkit::cluster::TestCluster::start(NatsRelease::Current);
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(cluster.formed());
    let workspace = Workspace::new();
    let urls = cluster.urls();
    // Every server of the cluster in --store; the count from the configuration file.
    let config = workspace.file("scoreledger.toml", "nats_replicas = 3\n");
    let created = workspace.run(&[
        "migrate",
        "--store",
        &urls,
        "--config",
        config.to_str().unwrap(),
    ]);
    assert_success(&created);
    assert!(
        stdout(&created).contains("stream SCORELEDGER checked (3 replica(s)"),
        "{}",
        stdout(&created)
    );
    let refused = workspace.run(&["migrate", "--store", &urls, "--nats-replicas", "1"]);
    assert_eq!(refused.status.code(), Some(3), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains(
            "the JetStream stream SCORELEDGER exists, but it has 3 replica(s) where --nats-replicas asks for 1"
        ),
        "{}",
        stderr(&refused)
    );
    let alone = TestNats::start(NatsRelease::Current);
    let refused = workspace.run(&["migrate", "--store", &alone.url(), "--nats-replicas", "3"]);
    assert_eq!(refused.status.code(), Some(3), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("--nats-replicas 3 needs a NATS cluster"),
        "{}",
        stderr(&refused)
    );
}

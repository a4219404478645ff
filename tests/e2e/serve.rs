//! `scoreledger serve`: the real binary answers on loopback and stops cleanly on SIGTERM.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{assert_success, run_in, sample_json, Workspace};

/// A plain HTTP/1.1 GET; returns the status code and the body.
fn get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.split_whitespace().nth(1)?.parse().ok()?;
    let body = response.split_once("\r\n\r\n")?.1.to_owned();
    Some((status, body))
}

#[test]
fn the_service_answers_on_loopback_and_stops_on_sigterm() {
    let workspace = Workspace::new();
    let file = workspace.file("plan.json", &sample_json());
    assert_success(&run_in(
        &workspace.db(),
        &["import", file.to_str().unwrap()],
    ));
    let port = scoreledger_testkit::nats::free_port();
    let addr = format!("127.0.0.1:{port}");
    let server = Command::new(env!("CARGO_BIN_EXE_scoreledger"))
        .env_remove("SCORELEDGER_STORE")
        .env_remove("SCORELEDGER_CONFIG")
        .args([
            "--db",
            workspace.db().to_str().unwrap(),
            "serve",
            "--addr",
            &addr,
            "--log-format",
            "json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");

    // Ready once it answers; the import's commits are projected before it listens.
    let deadline = Instant::now() + Duration::from_secs(30);
    let ready = loop {
        if let Some((200, body)) = get(port, "/readyz") {
            break body;
        }
        assert!(
            Instant::now() < deadline,
            "the service did not become ready"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let ready: serde_json::Value = serde_json::from_str(&ready).unwrap();
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["lag"], 0);
    assert!(ready["log_head"].as_u64().unwrap() > 100, "{ready}");
    let (status, document) = get(port, "/openapi.json").unwrap();
    assert_eq!(status, 200);
    assert!(document.contains("\"/readyz\""), "{document}");

    let terminated = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(terminated.success());
    let output = server.wait_with_output().expect("the service exits");
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "exit {:?}\n{printed}\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        printed.contains(&format!("serving http://{addr}")),
        "{printed}"
    );
    assert!(printed.trim_end().ends_with("stopped"), "{printed}");
    // Request logs on standard error, one JSON object per line.
    let logged = String::from_utf8_lossy(&output.stderr);
    let request_logs: Vec<serde_json::Value> = logged
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|line| line["span"]["route"] == "/openapi.json")
        .collect();
    assert_eq!(request_logs.len(), 1, "{logged}");
    assert_eq!(request_logs[0]["fields"]["status"], 200, "{logged}");
    assert!(
        request_logs[0]["span"]["request_id"]
            .as_str()
            .is_some_and(|id| !id.is_empty()),
        "{logged}"
    );
}

#[test]
fn an_address_in_use_is_named_with_what_to_do() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let workspace = Workspace::new();
    let output = workspace.run(&["serve", "--addr", &addr]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("cannot listen on {addr}")),
        "{stderr}"
    );
    assert!(stderr.contains("--addr"), "{stderr}");
}

/// Polls `/readyz` until it answers `want`, up to `within`; the body then.
fn readyz_until(port: u16, want: u16, within: Duration) -> String {
    let deadline = Instant::now() + within;
    loop {
        match get(port, "/readyz") {
            Some((status, body)) if status == want => return body,
            _ => {}
        }
        assert!(
            Instant::now() < deadline,
            "/readyz did not answer {want} within {within:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn on_a_cluster_the_service_is_unready_while_its_stream_cannot_take_writes() {
    let mut cluster = scoreledger_testkit::cluster::TestCluster::start(
        scoreledger_testkit::nats::NatsRelease::Current,
    );
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(cluster.formed());
    let urls = cluster.urls();
    let workspace = Workspace::new();
    let file = workspace.file("plan.json", &sample_json());
    let on_cluster = ["--store", urls.as_str(), "--nats-replicas", "3"];
    let mut import = on_cluster.to_vec();
    import.extend(["import", file.to_str().unwrap()]);
    assert_success(&run_in(&workspace.db(), &import));
    let port = scoreledger_testkit::nats::free_port();
    let addr = format!("127.0.0.1:{port}");
    let mut server = Command::new(env!("CARGO_BIN_EXE_scoreledger"))
        .env_remove("SCORELEDGER_STORE")
        .env_remove("SCORELEDGER_CONFIG")
        .args(["--db", workspace.db().to_str().unwrap()])
        .args(on_cluster)
        .args(["serve", "--addr", &addr])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    readyz_until(port, 200, Duration::from_secs(30));

    // Two servers of three down: the stream has no quorum, so no leader and no writes.
    cluster.nodes[0].kill();
    cluster.nodes[1].kill();
    let unready: serde_json::Value =
        serde_json::from_str(&readyz_until(port, 503, Duration::from_secs(30))).unwrap();
    assert_eq!(unready["status"], "unavailable");
    assert!(
        unready["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p.as_str().unwrap().starts_with("the event log")),
        "{unready}"
    );
    // Back again: ready once a leader is elected.
    cluster.nodes[0].restart();
    cluster.nodes[1].restart();
    let ready: serde_json::Value =
        serde_json::from_str(&readyz_until(port, 200, Duration::from_secs(60))).unwrap();
    assert_eq!(ready["status"], "ready");
    let _ = server.kill();
    let _ = server.wait();
}

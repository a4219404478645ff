//! Two `scoreledger serve` processes against one NATS cluster (R3) and one PostgreSQL: a
//! change written through either is read through the other as soon as the reader passes the
//! position the writer was given (`min_position`), and both projectors share the read models
//! without applying anything twice.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use scoreledger_testkit::cluster::TestCluster;
use scoreledger_testkit::nats::{free_port, NatsRelease};
use scoreledger_testkit::postgres::TestPostgres;

use crate::support::{assert_success, run, sample_json, stdout, Workspace};

/// A running `scoreledger serve`, stopped when dropped.
pub(crate) struct Replica {
    child: Child,
    pub(crate) port: u16,
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 request; the status and the body.
pub(crate) fn request(
    port: u16,
    method: &str,
    path: &str,
    token: &str,
    body: &str,
) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("the replica listens");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

pub(crate) fn serve(settings: &[&str]) -> Replica {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_scoreledger"))
        .env_remove("SCORELEDGER_STORE")
        .env_remove("SCORELEDGER_CONFIG")
        .args(settings)
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) {
            let _ = write!(
                stream,
                "GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
            );
            let mut response = String::new();
            let _ = stream.read_to_string(&mut response);
            if response.starts_with("HTTP/1.1 200") {
                break;
            }
        }
        assert!(
            Instant::now() < deadline,
            "the replica did not become ready"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Replica { child, port }
}

#[test]
fn two_serve_replicas_on_one_cluster_read_each_others_writes() {
    let cluster = TestCluster::start(NatsRelease::Current);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(cluster.formed());
    let database = runtime.block_on(TestPostgres::create());
    let urls = cluster.urls();
    let settings = [
        "--store",
        urls.as_str(),
        "--nats-replicas",
        "3",
        "--db",
        database.url.as_str(),
    ];
    let workspace = Workspace::new();
    let plan = workspace.file("plan.json", &sample_json());
    fn with<'a>(settings: &[&'a str], args: &[&'a str]) -> Vec<&'a str> {
        let mut all = settings.to_vec();
        all.extend_from_slice(args);
        all
    }
    assert_success(&run(&with(&settings, &["import", plan.to_str().unwrap()])));
    let issued = run(&with(
        &settings,
        &[
            "--role",
            "admin",
            "token",
            "create",
            "--for",
            "simon.dennis",
            "--holder",
            "Simon Dennis",
            "--as",
            "performance",
        ],
    ));
    assert_success(&issued);
    let token = stdout(&issued)
        .lines()
        .find(|line| line.starts_with("slt_"))
        .expect("the secret is printed")
        .to_owned();

    let replicas = [serve(&settings), serve(&settings)];
    for n in 0..6 {
        let (writer, reader) = (&replicas[n % 2], &replicas[(n + 1) % 2]);
        let text = format!("Note {n}, written through one replica and read through the other.");
        let (status, written) = request(
            writer.port,
            "POST",
            "/api/measures/1.A1/notes",
            &token,
            &serde_json::json!({"period": "Q3 2016/17", "text": text}).to_string(),
        );
        assert!((200..300).contains(&status), "{status}: {written}");
        let position = serde_json::from_str::<serde_json::Value>(&written).unwrap()["position"]
            .as_u64()
            .expect("the write's position");
        let (status, measure) = request(
            reader.port,
            "GET",
            &format!("/api/measures/1.A1?min_position={position}"),
            &token,
            "",
        );
        assert_eq!(status, 200, "{measure}");
        assert!(measure.contains(&text), "note {n} not read back: {measure}");
    }
    // Both projectors applied the log to the one database: each commit once.
    let (_, ready) = request(replicas[0].port, "GET", "/readyz", &token, "");
    let ready: serde_json::Value = serde_json::from_str(&ready).unwrap();
    assert_eq!(ready["status"], "ready", "{ready}");
    let history = run(&with(&settings, &["history", "-m", "1.A1", "--json"]));
    assert_success(&history);
    let notes = stdout(&history)
        .lines()
        .filter(|line| line.contains("written through one replica"))
        .count();
    assert_eq!(notes, 6, "{}", stdout(&history));
}

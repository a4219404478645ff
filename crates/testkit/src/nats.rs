//! A real nats-server per test: a free loopback port, a temporary store directory, killed on
//! drop. Which binary: `SCORELEDGER_NATS_SERVER` (the machine image's 2.9.x, or `nats-server`
//! on the PATH) or `SCORELEDGER_NATS_SERVER_CURRENT` (a current release installed by
//! `scripts/services.sh` into `.tools/`). A missing binary fails the test; it never skips.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tempfile::TempDir;

use scoreledger_store::{ManualClock, NatsConfig, NatsStore};

use crate::q3_scorecard_day;

/// Which nats-server release to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NatsRelease {
    /// The machine image's server (2.9.x on this machine kind).
    Machine,
    /// The current release pinned by `scripts/services.sh`.
    Current,
}

impl NatsRelease {
    /// The server binary of this release; panics, naming what to run, if there is none.
    pub fn binary(self) -> PathBuf {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
        match self {
            NatsRelease::Machine => std::env::var_os("SCORELEDGER_NATS_SERVER")
                .map(PathBuf::from)
                .or_else(|| which("nats-server"))
                .or_else(|| Some(PathBuf::from("/usr/sbin/nats-server")).filter(|p| p.exists()))
                .unwrap_or_else(|| panic!("no nats-server found: run scripts/services.sh (or set SCORELEDGER_NATS_SERVER)")),
            NatsRelease::Current => std::env::var_os("SCORELEDGER_NATS_SERVER_CURRENT")
                .map(PathBuf::from)
                .or_else(|| {
                    std::fs::read_dir(root.join(".tools")).ok()?.flatten().find_map(|entry| {
                        let candidate = entry.path().join("bin/nats-server");
                        (entry.file_name().to_string_lossy().starts_with("nats-") && candidate.exists())
                            .then_some(candidate)
                    })
                })
                .unwrap_or_else(|| {
                    panic!("no current nats-server release found: run scripts/services.sh (or set SCORELEDGER_NATS_SERVER_CURRENT)")
                }),
        }
    }
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_string_lossy()
        .split(':')
        .map(|dir| PathBuf::from(dir).join(name))
        .find(|path| path.exists())
}

/// A running nats-server owned by one test.
pub struct TestNats {
    release: NatsRelease,
    /// The name it announces, the same across restarts (a cluster knows its peers by name).
    name: String,
    child: Option<Child>,
    /// A configuration file and the environment it reads, when the server runs with one.
    config: Option<(TempDir, Vec<(String, String)>)>,
    /// The loopback port it listens on.
    pub port: u16,
    /// Its JetStream store directory.
    pub store_dir: TempDir,
    /// The clock stores connected through [`TestNats::store`] use.
    pub clock: Arc<ManualClock>,
}

/// Servers launched by this process, for their names.
static LAUNCHED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// A name of its own for a server, which it announces to every client: the way to know the
/// server answering on a port is this one.
fn fresh_name() -> String {
    format!(
        "scoreledger-test-{}-{}",
        std::process::id(),
        LAUNCHED.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    )
}

/// The name the server listening on `port` announces in its greeting (`INFO {…
/// "server_name":"…"}`), or `None` while nothing answers there.
fn announced_name(port: u16) -> Option<String> {
    let stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    let mut greeting = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(stream), &mut greeting).ok()?;
    let info: serde_json::Value =
        serde_json::from_str(greeting.strip_prefix("INFO ")?.trim()).ok()?;
    info["server_name"].as_str().map(str::to_owned)
}

/// A loopback port nothing listens on (just now).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free loopback port")
        .port()
}

impl TestNats {
    /// Starts a server of `release` and waits until it accepts connections.
    pub fn start(release: NatsRelease) -> Self {
        let mut server = Self {
            release,
            name: fresh_name(),
            child: None,
            config: None,
            port: free_port(),
            store_dir: tempfile::tempdir().expect("temporary directory"),
            clock: Arc::new(ManualClock::new(q3_scorecard_day())),
        };
        server.launch();
        server
    }

    /// Starts a server of `release` from a configuration that listens on this server's loopback
    /// port with JetStream in its store directory and includes `includes` (copied beside it, so
    /// their own relative includes and the deployment's file names hold). `env` is the server's
    /// environment, for the `$VARIABLES` the included files read (passwords).
    pub fn start_with_config(
        release: NatsRelease,
        includes: &[&Path],
        env: &[(&str, &str)],
    ) -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let mut server = Self {
            release,
            name: fresh_name(),
            child: None,
            config: None,
            port: free_port(),
            store_dir: tempfile::tempdir().expect("temporary directory"),
            clock: Arc::new(ManualClock::new(q3_scorecard_day())),
        };
        let mut main = format!(
            "listen: \"127.0.0.1:{}\"\njetstream {{\n    store_dir: {:?}\n}}\n",
            server.port,
            server.store_dir.path().display().to_string()
        );
        for include in includes {
            let name = include
                .file_name()
                .unwrap_or_else(|| panic!("{} is not a file", include.display()));
            std::fs::copy(include, dir.path().join(name))
                .unwrap_or_else(|err| panic!("cannot copy {}: {err}", include.display()));
            main.push_str(&format!("include {:?}\n", name.to_string_lossy()));
        }
        std::fs::write(dir.path().join("nats-server.conf"), main)
            .expect("write the test configuration");
        let env = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        server.config = Some((dir, env));
        server.launch();
        server
    }

    /// Starts node `index` of a cluster: listening on `port` for clients and on `routes[index]`
    /// for its peers, routing to every port in `routes`, with JetStream in its own directory.
    /// Does not wait for the cluster to form (a node alone cannot elect a leader); the caller
    /// starts every node, then waits for the cluster.
    pub(crate) fn start_cluster_node(
        release: NatsRelease,
        cluster: &str,
        port: u16,
        index: usize,
        routes: &[u16],
    ) -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let mut server = Self {
            release,
            name: format!("{cluster}-n{}", index + 1),
            child: None,
            config: None,
            port,
            store_dir: tempfile::tempdir().expect("temporary directory"),
            clock: Arc::new(ManualClock::new(q3_scorecard_day())),
        };
        let listen = routes[index];
        let routes: Vec<String> = routes
            .iter()
            .map(|port| format!("nats-route://127.0.0.1:{port}"))
            .collect();
        let text = format!(
            "listen: \"127.0.0.1:{port}\"\njetstream {{\n    store_dir: {:?}\n    sync_interval: always\n}}\ncluster {{\n    name: {cluster}\n    listen: \"127.0.0.1:{}\"\n    routes: [{}]\n}}\n",
            server.store_dir.path().display().to_string(),
            listen,
            routes.join(", ")
        );
        std::fs::write(dir.path().join("nats-server.conf"), text)
            .expect("write the test configuration");
        server.config = Some((dir, Vec::new()));
        server.launch();
        server
    }

    fn launch(&mut self) {
        let binary = self.release.binary();
        let name = self.name.clone();
        let mut command = Command::new(&binary);
        command.args(["-n", &name]);
        match &self.config {
            Some((dir, env)) => {
                command
                    .arg("-c")
                    .arg(dir.path().join("nats-server.conf"))
                    .envs(env.iter().map(|(k, v)| (k, v)));
            }
            None => {
                command
                    .args([
                        "-a",
                        "127.0.0.1",
                        "-p",
                        &self.port.to_string(),
                        "-js",
                        "-sd",
                    ])
                    .arg(self.store_dir.path());
            }
        }
        let child = command
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|err| panic!("cannot start {}: {err}", binary.display()));
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            match announced_name(self.port) {
                Some(answering) if answering == name => break,
                // Another test's server was handed the same free port a moment earlier: ours
                // cannot bind it. Start again on another port (a configured server's port is
                // in its file, so it fails instead).
                Some(other) => {
                    assert!(
                        self.config.is_none(),
                        "port {} is taken by {other}",
                        self.port
                    );
                    self.kill();
                    self.port = free_port();
                    return self.launch();
                }
                None => {}
            }
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                panic!("{} exited at start with {status}", binary.display());
            }
            assert!(
                Instant::now() < deadline,
                "{} did not listen on port {} within 15 s",
                binary.display(),
                self.port
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The name it announces (a cluster's stream info names its leader by it).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The client URL.
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// The client URL with a user's credentials in it.
    pub fn url_as(&self, user: &str, password: &str) -> String {
        format!("nats://{user}:{password}@127.0.0.1:{}", self.port)
    }

    /// Kills the server with SIGKILL (no clean shutdown), keeping its store directory.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port and store directory.
    pub fn restart(&mut self) {
        self.kill();
        self.launch();
    }

    /// A store connected to this server.
    pub async fn store(&self) -> NatsStore {
        self.store_with(NatsConfig::new(self.url())).await
    }

    /// A store connected to this server with `config` (its URL is this server's).
    pub async fn store_with(&self, config: NatsConfig) -> NatsStore {
        NatsStore::connect(
            NatsConfig {
                url: self.url().into(),
                ..config
            },
            self.clock.clone(),
        )
        .await
        .expect("the test server accepts a JetStream store")
    }
}

impl Drop for TestNats {
    fn drop(&mut self) {
        self.kill();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Needs nats-server; see scripts/services.sh.
    #[test]
    fn a_server_handed_a_port_another_server_holds_starts_on_another() {
        let first = TestNats::start(NatsRelease::Current);
        let mut second = TestNats {
            release: NatsRelease::Current,
            name: fresh_name(),
            child: None,
            config: None,
            port: first.port,
            store_dir: tempfile::tempdir().expect("temporary directory"),
            clock: Arc::new(ManualClock::new(q3_scorecard_day())),
        };
        second.launch();
        assert_ne!(second.port, first.port);
        let names = (announced_name(first.port), announced_name(second.port));
        assert!(matches!(&names, (Some(a), Some(b)) if a != b), "{names:?}");
    }
}

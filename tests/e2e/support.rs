use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use tempfile::TempDir;

/// A scratch directory with a database path in it.
pub(crate) struct Workspace {
    pub(crate) dir: TempDir,
}

impl Workspace {
    pub(crate) fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temporary directory"),
        }
    }

    pub(crate) fn db(&self) -> PathBuf {
        self.dir.path().join("scoreledger.db")
    }

    pub(crate) fn file(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, contents).expect("writing a test file");
        path
    }

    /// Runs `scoreledger --db <db> args…` as the given user.
    pub(crate) fn run(&self, args: &[&str]) -> Output {
        run_in(&self.db(), args)
    }
}

pub(crate) fn run_in(db: &Path, args: &[&str]) -> Output {
    let mut all = vec!["--db", db.to_str().expect("temporary paths are UTF-8")];
    all.extend_from_slice(args);
    run(&all)
}

/// Runs `scoreledger args…` as Simon Dennis (performance) unless `args` say who, with no
/// other settings from the environment.
pub(crate) fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scoreledger"))
        .env_remove("SCORELEDGER_STORE")
        .env_remove("SCORELEDGER_NATS_STREAM")
        .env_remove("SCORELEDGER_NATS_PREFIX")
        .env_remove("SCORELEDGER_DB")
        .env_remove("SCORELEDGER_CONFIG")
        .env("SCORELEDGER_USER", "simon.dennis")
        .env("SCORELEDGER_NAME", "Simon Dennis")
        .env("SCORELEDGER_ROLE", "performance")
        .args(args)
        .output()
        .expect("the scoreledger binary runs")
}

pub(crate) fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[track_caller]
pub(crate) fn assert_success(output: &Output) {
    assert!(
        output.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        stdout(output),
        stderr(output)
    );
}

/// The sample shipped with the project.
pub(crate) fn sample_json() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/corporate_plan_2016_17.json"
    ))
    .expect("the sample fixture is in the repository")
}

pub(crate) fn sample_csv() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/corporate_plan_2016_17.csv"
    ))
    .expect("the sample fixture is in the repository")
}

/// Number of commits in the log other than records of reads, as `history --json` sees them
/// (each `history` is itself recorded as a read).
pub(crate) fn commits(workspace: &Workspace) -> usize {
    let output = workspace.run(&["history", "--json"]);
    assert_success(&output);
    let mut positions: Vec<i64> = stdout(&output)
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).expect("JSON lines"))
        .filter(|entry| entry["what"] != "history read")
        .map(|entry| entry["position"].as_i64().unwrap())
        .collect();
    positions.dedup();
    positions.len()
}

/// The demo's database, built once per test run and shared by tests that only read it.
pub(crate) fn shared_demo() -> &'static Path {
    static DEMO: OnceLock<(TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = DEMO.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("demo.db");
        let output = run(&["demo", "--keep", path.to_str().expect("UTF-8 path")]);
        assert_success(&output);
        (dir, path)
    });
    path
}

/// Runs a command against `db` that prints JSON, and parses it.
#[track_caller]
pub(crate) fn json_of(db: &Path, args: &[&str]) -> serde_json::Value {
    let output = run_in(db, args);
    assert_success(&output);
    serde_json::from_str(&stdout(&output)).unwrap_or_else(|err| {
        panic!(
            "{args:?} printed something that is not JSON ({err}):\n{}",
            stdout(&output)
        )
    })
}

/// Runs a command against `db` that prints JSON lines, and parses them.
#[track_caller]
pub(crate) fn json_lines_of(db: &Path, args: &[&str]) -> Vec<serde_json::Value> {
    let output = run_in(db, args);
    assert_success(&output);
    stdout(&output)
        .lines()
        .map(|line| serde_json::from_str(line).expect("JSON lines"))
        .collect()
}

/// Sends SIGTERM to `child`, waits for it, and returns its exit status and what it printed.
pub(crate) fn terminate(mut child: std::process::Child) -> (std::process::ExitStatus, String) {
    use std::io::Read;
    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill runs")
        .success());
    let status = child.wait().expect("the child is waited for");
    let mut printed = String::new();
    if let Some(mut stdout) = child.stdout.take() {
        stdout
            .read_to_string(&mut printed)
            .expect("its output reads");
    }
    (status, printed)
}

//! One deployment, two councils, as an operator sets it up: a councils file, one NATS server
//! (a stream each) and one PostgreSQL server (a database each); each council migrated, given
//! its own signing key and its own tokens; one `serve` for both. Each council's token reads
//! its own council's scorecard only, and each council's checkpoints name its own origin.

use scoreledger_testkit::nats::{NatsRelease, TestNats};
use scoreledger_testkit::postgres::TestPostgres;

use crate::replicas::{request, serve};
use crate::support::{assert_success, run, sample_json, stderr, stdout, terminate, Workspace};

#[test]
fn two_councils_share_a_deployment_and_nothing_else() {
    let nats = TestNats::start(NatsRelease::Current);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (alpha_db, bravo_db) =
        runtime.block_on(async { (TestPostgres::create().await, TestPostgres::create().await) });
    let workspace = Workspace::new();
    let dir = workspace.dir.path().display().to_string();
    let councils = workspace.file(
        "councils.toml",
        &format!(
            r#"
[[council]]
id = "alpha"
name = "Alpha Borough Council"
db = "{}"
signing_key = "{dir}/alpha.key"
checkpoints = "{dir}/alpha.checkpoints"

[[council]]
id = "bravo"
name = "Bravo District Council"
db = "{}"
signing_key = "{dir}/bravo.key"
checkpoints = "{dir}/bravo.checkpoints"
"#,
            alpha_db.url, bravo_db.url
        ),
    );
    let url = nats.url();
    let deployment = [
        "--store",
        url.as_str(),
        "--councils",
        councils.to_str().unwrap(),
    ];
    let with = |args: &[&str]| {
        let mut all = deployment.to_vec();
        all.extend_from_slice(args);
        run(&all)
    };

    // One migrate readies every council: a stream and a database each.
    let migrated = with(&["migrate"]);
    assert_success(&migrated);
    let said = stdout(&migrated);
    for line in [
        "council alpha (Alpha Borough Council):",
        "council bravo (Bravo District Council):",
        "stream SCORELEDGER_ALPHA checked",
        "stream SCORELEDGER_BRAVO checked",
    ] {
        assert!(said.contains(line), "{line:?} in {said}");
    }
    // Any other command must say which council it is for.
    let unnamed = with(&["report", "--period", "Q3 2016/17"]);
    assert_eq!(unnamed.status.code(), Some(3), "{}", stderr(&unnamed));
    assert!(
        stderr(&unnamed).contains("--council ID (one of alpha, bravo)"),
        "{}",
        stderr(&unnamed)
    );

    // A council's own settings come from the file only: one given beside it is refused.
    let beside = with(&["--db", "elsewhere.db", "--council", "alpha", "migrate"]);
    assert_eq!(beside.status.code(), Some(3), "{}", stderr(&beside));
    assert!(
        stderr(&beside).contains("--db cannot be given with --councils"),
        "{}",
        stderr(&beside)
    );

    let plan = workspace.file("plan.json", &sample_json());
    assert_success(&with(&[
        "--council",
        "alpha",
        "import",
        plan.to_str().unwrap(),
    ]));
    let mut tokens = Vec::new();
    for council in ["alpha", "bravo"] {
        let origin = format!("scoreledger.test/{council}");
        assert_success(&with(&[
            "--council",
            council,
            "--role",
            "admin",
            "keys",
            "generate",
            "--origin",
            &origin,
        ]));
        let issued = with(&[
            "--council",
            council,
            "--role",
            "admin",
            "token",
            "create",
            "--for",
            "reader",
            "--holder",
            "A Reader",
            "--as",
            "auditor",
        ]);
        assert_success(&issued);
        let token = stdout(&issued)
            .lines()
            .find(|line| line.starts_with("slt_"))
            .expect("the secret is printed")
            .to_owned();
        assert!(token.starts_with(&format!("slt_{council}_")), "{token}");
        tokens.push(token);
    }
    let (alpha, bravo) = (&tokens[0], &tokens[1]);

    let server = serve(&deployment);
    let (status, ready) = request(server.port, "GET", "/readyz", "", "");
    assert_eq!(status, 200, "{ready}");
    assert!(
        ready.contains("\"alpha\"") && ready.contains("\"bravo\""),
        "{ready}"
    );

    let (status, plans) = request(server.port, "GET", "/api/plans", alpha, "");
    assert_eq!(status, 200, "{plans}");
    assert!(plans.contains("Corporate Plan 2016/17"), "{plans}");
    let (status, plans) = request(server.port, "GET", "/api/plans", bravo, "");
    assert_eq!(status, 200, "{plans}");
    assert_eq!(
        plans.trim(),
        "[]",
        "the other council's plan shows: {plans}"
    );
    let (status, measure) = request(server.port, "GET", "/api/measures/1.A1", bravo, "");
    assert_eq!(status, 404, "{measure}");
    let (status, _) = request(server.port, "GET", "/api/measures/1.A1", alpha, "");
    assert_eq!(status, 200);
    // Under the other council's path, or renamed to it, a token is nobody's.
    let (status, _) = request(server.port, "GET", "/councils/alpha/api/plans", bravo, "");
    assert_eq!(status, 401);
    let forged = bravo.replacen("bravo", "alpha", 1);
    let (status, _) = request(server.port, "GET", "/api/plans", &forged, "");
    assert_eq!(status, 401);

    // Each council's checkpoint is signed under its own origin.
    for council in ["alpha", "bravo"] {
        let (status, note) = request(
            server.port,
            "GET",
            &format!("/councils/{council}/checkpoint"),
            "",
            "",
        );
        assert_eq!(status, 200, "{note}");
        assert!(
            note.starts_with(&format!("scoreledger.test/{council}\n")),
            "{council}: {note}"
        );
    }
    drop(server);

    // Each council's log verifies on its own.
    for council in ["alpha", "bravo"] {
        assert_success(&with(&[
            "--council",
            council,
            "--role",
            "auditor",
            "verify",
        ]));
    }
}

#[test]
fn one_projector_follows_every_council_and_stops_on_sigterm() {
    use std::process::{Command, Stdio};

    let workspace = Workspace::new();
    let dir = workspace.dir.path().display().to_string();
    let councils = workspace.file(
        "councils.toml",
        &format!(
            "[[council]]\nid = \"alpha\"\nname = \"Alpha\"\ndb = \"{dir}/alpha.db\"\n\n\
             [[council]]\nid = \"bravo\"\nname = \"Bravo\"\ndb = \"{dir}/bravo.db\"\n"
        ),
    );
    let councils = councils.to_str().unwrap();
    assert_success(&run(&["--councils", councils, "migrate"]));
    let projector = Command::new(env!("CARGO_BIN_EXE_scoreledger"))
        .env_remove("SCORELEDGER_STORE")
        .env_remove("SCORELEDGER_DB")
        .args(["--councils", councils, "project"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the projector starts");
    let plan = workspace.file("plan.json", &sample_json());
    assert_success(&run(&[
        "--councils",
        councils,
        "--council",
        "alpha",
        "import",
        plan.to_str().unwrap(),
    ]));
    std::thread::sleep(std::time::Duration::from_millis(500));
    let (status, printed) = terminate(projector);
    assert!(
        status.success(),
        "SIGTERM stops every projector cleanly: {status:?}"
    );
    for line in [
        "council alpha: projecting from position 0",
        "council bravo: projecting from position 0",
        "council alpha: stopped at position 104",
        "council bravo: stopped at position 0",
    ] {
        assert!(printed.contains(line), "{line:?} in {printed}");
    }
}

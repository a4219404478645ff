//! `--server URL`: the command line as a client of a running `scoreledger serve`, acting as
//! the holder of a bearer token; the service's refusals become the same exit codes.

use std::net::TcpStream;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::support::{
    assert_success, json_lines_of, json_of, run_in, sample_json, stderr, stdout, Workspace,
};

/// A running `scoreledger serve`, stopped when dropped.
struct Service {
    child: Child,
    url: String,
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(workspace: &Workspace) -> Service {
    let port = scoreledger_testkit::nats::free_port();
    let addr = format!("127.0.0.1:{port}");
    let child = Command::new(env!("CARGO_BIN_EXE_scoreledger"))
        .env_remove("SCORELEDGER_STORE")
        .env_remove("SCORELEDGER_CONFIG")
        .args([
            "--db",
            workspace.db().to_str().unwrap(),
            "serve",
            "--addr",
            &addr,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the service did not listen");
        std::thread::sleep(Duration::from_millis(50));
    }
    Service {
        child,
        url: format!("http://{addr}"),
    }
}

/// Issues a token as an admin, directly on the database; returns its secret.
fn token(workspace: &Workspace, user: &str, holder: &str, role: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "--role", "admin", "token", "create", "--for", user, "--holder", holder, "--as", role,
    ];
    args.extend_from_slice(extra);
    let output = run_in(&workspace.db(), &args);
    assert_success(&output);
    stdout(&output)
        .lines()
        .find(|line| line.starts_with("slt_"))
        .expect("the secret is printed")
        .to_owned()
}

/// Runs `scoreledger --server URL args…` with `token`, and no database at all.
fn client(service: &Service, token: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scoreledger"))
        .env_remove("SCORELEDGER_DB")
        .env_remove("SCORELEDGER_STORE")
        .env_remove("SCORELEDGER_CONFIG")
        .env_remove("SCORELEDGER_ROLE")
        .env("SCORELEDGER_SERVER", &service.url)
        .env("SCORELEDGER_TOKEN", token)
        .current_dir(std::env::temp_dir())
        .args(args)
        .output()
        .expect("the scoreledger binary runs")
}

#[test]
fn a_write_and_reads_go_through_the_service_as_the_tokens_holder() {
    let workspace = Workspace::new();
    let file = workspace.file("plan.json", &sample_json());
    assert_success(&run_in(
        &workspace.db(),
        &["import", file.to_str().unwrap()],
    ));
    let pat = token(&workspace, "pat.perf", "Pat Perf", "performance", &[]);
    let sam = token(
        &workspace,
        "sam.newton",
        "Sam Newton",
        "officer",
        &["--directorate", "Adult Social Care and Housing"],
    );
    let service = serve(&workspace);

    let output = client(
        &service,
        &pat,
        &[
            "record",
            "value",
            "-m",
            "1.A3",
            "-p",
            "Q4 2016/17",
            "-v",
            "27.1%",
        ],
    );
    assert_success(&output);
    assert!(
        stdout(&output).starts_with("recorded value 27.1% for 1.A3 Q4 Jan - Mar 2017 at position "),
        "{}",
        stdout(&output)
    );

    // The read goes through the service, which records it; the write shows with its holder.
    // Asking for the write's position waits for the service's read models to reach it.
    let written = stdout(&output)
        .trim()
        .rsplit(' ')
        .next()
        .unwrap()
        .to_owned();
    let output = client(
        &service,
        &pat,
        &[
            "history",
            "--measure",
            "1.A3",
            "--json",
            "--position",
            &written,
        ],
    );
    assert_success(&output);
    let last: serde_json::Value =
        serde_json::from_str(stdout(&output).lines().last().unwrap()).unwrap();
    assert_eq!(last["after"], "27.1%");
    assert_eq!(last["actor_name"], "Pat Perf");
    assert_eq!(last["actor_role"], "performance");

    // A confirmation goes over HTTP too, and needs its reason before anything is sent.
    let confirm = [
        "record",
        "confirm",
        "-m",
        "1.A3",
        "-p",
        "Q4 2016/17",
        "--quality",
        "provisional",
        "--source",
        "Liquid Logic",
    ];
    let refused = client(&service, &pat, &confirm);
    assert_eq!(refused.status.code(), Some(3));
    let mut with_reason = confirm.to_vec();
    with_reason.extend(["--reason", "awaiting the outturn refresh"]);
    let output = client(&service, &pat, &with_reason);
    assert_success(&output);
    assert!(
        stdout(&output)
            .starts_with("recorded value confirmed for 1.A3 Q4 Jan - Mar 2017 at position "),
        "{}",
        stdout(&output)
    );
    let again = client(&service, &pat, &with_reason);
    assert_eq!(
        again.status.code(),
        Some(3),
        "the same flags again change nothing"
    );

    // An improvement action registered and moved over HTTP, as the token's holder.
    let named = [
        "--plan",
        "CYPS Improvement Plan",
        "--key-action",
        "Appoint CAMHS staff",
    ];
    let mut register = vec!["action", "register"];
    register.extend(named);
    register.extend([
        "--objective",
        "CAMHS referrals assessed within 3 weeks",
        "--lead",
        "Mel Meggs",
        "--target-date",
        "March 2017",
        "-m",
        "1.C4 (b)",
    ]);
    let output = client(&service, &pat, &register);
    assert_success(&output);
    assert!(
        stdout(&output).starts_with("the action is registered, due March 2017 (position "),
        "{}",
        stdout(&output)
    );
    let mut moved = vec!["action", "move"];
    moved.extend(named);
    moved.extend(["--to", "June 2017", "--reason", "recruitment extended"]);
    assert_success(&client(&service, &pat, &moved));
    let refused = client(&service, &sam, &moved);
    assert_eq!(
        refused.status.code(),
        Some(3),
        "officers do not manage actions"
    );
    let actions = json_of(&workspace.db(), &["action", "list", "--format", "json"]);
    assert_eq!(actions[0]["target_date"], "June 2017");
    assert_eq!(actions[0]["moves"][0]["by"], "Pat Perf");
    assert_eq!(actions[0]["moves"][0]["reason"], "recruitment extended");
    let reads = json_lines_of(&workspace.db(), &["history", "--what", "read", "--json"]);
    assert!(
        reads.iter().any(|r| r["actor_name"] == "Pat Perf"
            && r["after"].as_str().unwrap().starts_with("GET /api/history")),
        "{reads:#?}"
    );

    // The same report, over HTTP and from the database, at the same position.
    let position = last["position"].to_string();
    let args = [
        "report",
        "-p",
        "Q3 2016/17",
        "--format",
        "csv",
        "--position",
        &position,
    ];
    let remote = client(&service, &pat, &args);
    assert_success(&remote);
    let local = run_in(&workspace.db(), &args);
    assert_success(&local);
    assert_eq!(stdout(&remote), stdout(&local));

    // A measure, read as the officer.
    let output = client(&service, &sam, &["measure", "1.A3", "--json"]);
    assert_success(&output);
    let measure: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(measure["measure"]["definition"]["measure_ref"], "1.A3");

    // Signing off over HTTP: the performance team (who entered the value) may not; an approver may.
    let signoff = ["signoff", "-m", "1.A3", "-p", "Q4 2016/17"];
    let output = client(&service, &pat, &signoff);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let jo = token(&workspace, "jo.checker", "Jo Checker", "approver", &[]);
    let output = client(&service, &jo, &signoff);
    assert_success(&output);
    assert!(
        stdout(&output)
            .starts_with("signed off the value of 1.A3 for Q4 Jan - Mar 2017 at position "),
        "{}",
        stdout(&output)
    );

    // Publications: published, listed and shown through the service, as on the database.
    let output = client(
        &service,
        &pat,
        &[
            "publish",
            "-p",
            "Q3 2016/17",
            "--meeting",
            "Cabinet",
            "--on",
            "2017-01-13",
        ],
    );
    assert_success(&output);
    let output = client(&service, &pat, &["report", "list", "--json"]);
    assert_success(&output);
    let listed: serde_json::Value =
        serde_json::from_str(stdout(&output).lines().last().unwrap()).unwrap();
    assert_eq!(listed["meeting"], "Cabinet");
    let id = listed["report_id"].as_str().unwrap().to_owned();
    let show = ["report", "show", &id, "--format", "csv"];
    let remote = client(&service, &pat, &show);
    assert_success(&remote);
    assert!(
        stderr(&remote).contains("verified by the service"),
        "{}",
        stderr(&remote)
    );
    let local = run_in(&workspace.db(), &show);
    assert_success(&local);
    assert_eq!(stdout(&remote), stdout(&local));
}

#[test]
fn the_services_refusals_are_the_command_lines_exit_codes() {
    let workspace = Workspace::new();
    let file = workspace.file("plan.json", &sample_json());
    assert_success(&run_in(
        &workspace.db(),
        &["import", file.to_str().unwrap()],
    ));
    let sam = token(
        &workspace,
        "sam.newton",
        "Sam Newton",
        "officer",
        &["--directorate", "Adult Social Care and Housing"],
    );
    let service = serve(&workspace);
    let head = |w: &Workspace| {
        json_lines_of(&w.db(), &["history", "--json"])
            .iter()
            .filter(|e| e["what"] != "history read")
            .count()
    };
    let before = head(&workspace);

    // An unknown token: unauthorised.
    let wrong = format!("slt_{}", "0".repeat(64));
    let output = client(&service, &wrong, &["history", "--measure", "1.A3"]);
    assert_eq!(output.status.code(), Some(6), "{}", stderr(&output));
    assert!(stderr(&output).contains("401"), "{}", stderr(&output));

    // An officer may not lock a period: forbidden, as the same refusal on the database is.
    let output = client(&service, &sam, &["lock", "--period", "Q3 2016/17"]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(stderr(&output).contains("403"), "{}", stderr(&output));

    // The role is the token's: --role is refused, whatever it says.
    let output = client(
        &service,
        &sam,
        &["--role", "admin", "lock", "--period", "Q3 2016/17"],
    );
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(stderr(&output).contains("--role"), "{}", stderr(&output));

    // A commit that reads well is not set aside: the service's 422 is the rejection code.
    let admin = token(&workspace, "it.admin", "IT Admin", "admin", &[]);
    let output = client(
        &service,
        &admin,
        &["set-aside", "1", "--reason", "damaged disk"],
    );
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("POST /api/set-asides (422"),
        "{}",
        stderr(&output)
    );

    assert_eq!(
        head(&workspace),
        before + 1,
        "nothing appended but the admin's token"
    );
}

#[test]
fn a_definition_change_is_recorded_over_the_service_and_flagged_across_directions() {
    let workspace = Workspace::new();
    let file = workspace.file("plan.json", &sample_json());
    assert_success(&run_in(
        &workspace.db(),
        &["import", file.to_str().unwrap()],
    ));
    let pat = token(&workspace, "pat.perf", "Pat Perf", "performance", &[]);
    let sam = token(
        &workspace,
        "sam.newton",
        "Sam Newton",
        "officer",
        &["--directorate", "Assistant Chief Executive's Directorate"],
    );
    let service = serve(&workspace);
    let basis = [
        "record",
        "basis",
        "-m",
        "5.D3",
        "-p",
        "Q3 2016/17",
        "--kind",
        "definition",
        "--note",
        "Consultancy expenditure now classified as agency",
    ];
    let output = client(&service, &sam, &basis);
    assert!(!output.status.success(), "an officer may not");
    let output = client(&service, &pat, &basis);
    assert_success(&output);
    assert!(
        stdout(&output).starts_with("recorded a definition change for 5.D3 Q3 Oct - Dec 2016"),
        "{}",
        stdout(&output)
    );
    let output = client(
        &service,
        &pat,
        &[
            "record",
            "basis",
            "-m",
            "5.D3",
            "-p",
            "Q3 2016/17",
            "--kind",
            "rules",
            "--note",
            "x",
        ],
    );
    assert!(!output.status.success());
    assert!(stderr(&output).contains("kind"), "{}", stderr(&output));

    // A refresh announced over --server: one measure a request, refused whole for a period
    // with no figure, and followed where the database is.
    let refresh = |measures: &[&str], periods: &[&str]| {
        let mut args = vec!["record", "refresh"];
        for m in measures {
            args.extend(["-m", m]);
        }
        for p in periods {
            args.extend(["-p", p]);
        }
        args.extend(["--due", "Q4 2016/17", "--note", "refreshed for the outturn"]);
        client(&service, &pat, &args)
    };
    let output = refresh(&["1.A3", "1.A4"], &["Q3 2016/17"]);
    assert!(
        stderr(&output).contains("one measure at a time"),
        "{}",
        stderr(&output)
    );
    let output = refresh(&["1.A3"], &["Q3 2016/17", "Q4 2016/17"]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("has no value for Q4 Jan - Mar 2017 to refresh"),
        "{}",
        stderr(&output)
    );
    let output = refresh(&["1.A3"], &["Q2 2016/17", "Q3 2016/17"]);
    assert_success(&output);
    assert!(
        stdout(&output)
            .starts_with("announced a refresh of 2 value(s) of 1.A3, due for Q4 Jan - Mar 2017"),
        "{}",
        stdout(&output)
    );
    drop(service);
    let output = run_in(&workspace.db(), &["audit", "refresh", "--format", "csv"]);
    assert_success(&output);
    assert_eq!(
        stdout(&output).matches("1.A3,").count(),
        2,
        "{}",
        stdout(&output)
    );
    let output = run_in(&workspace.db(), &["audit", "comparability"]);
    assert_success(&output);
    assert!(
        stdout(&output).contains("1 change(s) of definition or source to 1 measure(s)"),
        "{}",
        stdout(&output)
    );
}

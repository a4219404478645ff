//! A bounded schemathesis run against a real server on an embedded (SQLite) log and read
//! models holding every kind of fact: every operation of `/openapi.json` is called with
//! generated requests, well formed and not, as an admin, and every answer must be a status the
//! document declares for that operation, never a server error.
//!
//! Needs schemathesis: `. scripts/services.sh` installs the pinned release into `.tools/` and
//! exports `SCORELEDGER_SCHEMATHESIS`; without it the test fails, saying so.

use std::process::Command;

use scoreledger_domain::Role;
use scoreledger_testkit::pair::{LogKind, Pair, ReadKind};

use crate::openapi::every_kind_of_fact;
use crate::queries::token;
use crate::support::TestServer;

/// Test cases per operation: enough to reach every refusal of every route, and the whole run
/// stays under two minutes.
const MAX_EXAMPLES: &str = "25";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_requests_get_declared_statuses_and_never_a_server_error() {
    let st = std::env::var("SCORELEDGER_SCHEMATHESIS").unwrap_or_else(|_| {
        panic!(
            "SCORELEDGER_SCHEMATHESIS is not set: source scripts/services.sh, which installs \
             schemathesis into .tools/ and exports it"
        )
    });
    assert!(
        std::path::Path::new(&st).is_file(),
        "SCORELEDGER_SCHEMATHESIS={st} is not a file: source scripts/services.sh again"
    );
    let db = Pair::new(LogKind::Sqlite, ReadKind::Sqlite).await;
    every_kind_of_fact(&db).await;
    let admin = token(&db, 2, Role::Admin, None).await;
    let server = TestServer::start(&db).await;
    let location = server.url("/openapi.json");
    let output = tokio::task::spawn_blocking(move || {
        Command::new(&st)
            .args([
                "run",
                &location,
                "--checks",
                "not_a_server_error,status_code_conformance",
                "--max-examples",
                MAX_EXAMPLES,
                "--seed",
                "20170113",
                "--workers",
                "1",
                "--request-timeout",
                "30",
                // Nothing kept between runs: each run is the seed's, and the tree stays clean.
                "--generation-database",
                "none",
                "--header",
                &format!("Authorization: Bearer {admin}"),
            ])
            .env("NO_COLOR", "1")
            // Its working files (`.hypothesis`, `.schemathesis`) go under target/, not into
            // the source tree.
            .current_dir(env!("CARGO_TARGET_TMPDIR"))
            .output()
            .expect("schemathesis runs")
    })
    .await
    .expect("the schemathesis run finished");
    server.stop().await;
    let printed = format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "schemathesis found problems (exit {:?}):\n{printed}",
        output.status.code()
    );
    // The summary says how many operations the document has and how many were tested.
    let number_after = |label: &str| {
        printed
            .lines()
            .find_map(|line| line.trim().strip_prefix(label))
            .map(|rest| {
                rest.trim()
                    .rsplit('/')
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            })
    };
    let (selected, tested) = (number_after("Selected:"), number_after("Tested:"));
    assert!(
        selected.is_some() && selected == tested,
        "every operation was tested ({selected:?} selected, {tested:?} tested):\n{printed}"
    );
}

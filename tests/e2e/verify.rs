//! `scoreledger verify` on an embedded log tampered with as an attacker with write access to
//! the file would: drop the triggers that keep it append-only, then edit, delete or truncate.

use std::path::Path;

use crate::support::{assert_success, sample_json, stderr, stdout, Workspace};

/// Runs SQL on the log's file behind Scoreledger's back, with the append-only triggers dropped.
fn tamper(db: &Path, statements: &[String]) {
    tokio::runtime::Runtime::new()
        .expect("a runtime")
        .block_on(async {
            let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
                .await
                .expect("the log's file opens");
            for sql in [
                "DROP TRIGGER IF EXISTS commits_are_never_updated".to_owned(),
                "DROP TRIGGER IF EXISTS commits_are_never_deleted".to_owned(),
            ]
            .iter()
            .chain(statements)
            {
                sqlx::query(sql).execute(&pool).await.expect("tampered");
            }
            pool.close().await;
        });
}

fn imported() -> Workspace {
    let workspace = Workspace::new();
    let file = workspace.file("plan.json", &sample_json());
    assert_success(&workspace.run(&["import", file.to_str().unwrap()]));
    workspace
}

/// `verify --json` as JSON, and its exit code.
fn verify(workspace: &Workspace) -> (Option<i32>, serde_json::Value, String) {
    let output = workspace.run(&["verify", "--json"]);
    let report = serde_json::from_str(stdout(&output).trim()).expect("one JSON object");
    (output.status.code(), report, stderr(&output))
}

#[test]
fn the_demo_log_verifies() {
    let output = crate::support::run_in(crate::support::shared_demo(), &["verify"]);
    assert_success(&output);
    // The demo appends 662 commits; other tests reading the shared demo add the records of
    // their reads, so there may be more by now.
    let commits: u64 = stdout(&output)
        .strip_prefix("the log verifies: ")
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{}", stdout(&output)));
    assert!(commits >= 662, "{}", stdout(&output));
}

#[test]
fn an_untouched_log_verifies() {
    let workspace = imported();
    let output = workspace.run(&["verify"]);
    assert_success(&output);
    assert!(
        stdout(&output).starts_with("the log verifies: "),
        "{}",
        stdout(&output)
    );
    let (code, report, _) = verify(&workspace);
    assert_eq!(code, Some(0));
    assert_eq!(report["verified"], true);
    assert_eq!(report["commits"], report["head"]);
}

#[test]
fn a_changed_byte_a_deleted_commit_and_a_swap_are_named() {
    // A hashed field changed (no reason → a reason), the JSON still valid.
    let workspace = imported();
    tamper(
        &workspace.db(),
        &["UPDATE commits SET envelope = replace(envelope, '\"reason\":null', '\"reason\":\"x\"') WHERE position = 5".into()],
    );
    let (code, report, message) = verify(&workspace);
    assert_eq!(code, Some(5), "{message}");
    assert_eq!(report["finding"]["kind"], "changed", "{report}");
    assert_eq!(report["finding"]["position"], 5);
    assert!(message.contains("was changed"), "{message}");

    // One commit deleted.
    let workspace = imported();
    tamper(
        &workspace.db(),
        &["DELETE FROM commits WHERE position = 7".into()],
    );
    let (code, report, _) = verify(&workspace);
    assert_eq!(code, Some(5));
    assert_eq!(report["finding"]["kind"], "missing", "{report}");
    assert_eq!(report["finding"]["position"], 7);

    // Two commits of one stream swapped in place.
    let workspace = imported();
    let setup = workspace.run(&["record", "value", "-m", "2.B5", "-p", "Dec-16", "-v", "70"]);
    assert_success(&setup);
    let setup = workspace.run(&["record", "value", "-m", "2.B5", "-p", "Nov-16", "-v", "69"]);
    assert_success(&setup);
    let head = verify(&workspace).1["head"].as_u64().unwrap();
    let (a, b) = (head - 1, head);
    tamper(
        &workspace.db(),
        &[
            format!("UPDATE commits SET position = -1 WHERE position = {a}"),
            format!("UPDATE commits SET position = {a} WHERE position = {b}"),
            format!("UPDATE commits SET position = {b} WHERE position = -1"),
        ],
    );
    let (code, report, _) = verify(&workspace);
    assert_eq!(code, Some(5));
    assert_eq!(report["finding"]["kind"], "broken_link", "{report}");
    assert_eq!(report["finding"]["position"], a);
}

#[test]
fn a_log_shorter_than_its_read_models_is_refused_loudly() {
    let workspace = imported();
    assert_success(&workspace.run(&["report", "-p", "Q3 2016/17"]));
    let (_, report, _) = verify(&workspace);
    let head = report["head"].as_u64().unwrap();
    tamper(
        &workspace.db(),
        &[format!("DELETE FROM commits WHERE position > {}", head - 3)],
    );
    let (code, report, message) = verify(&workspace);
    assert_eq!(code, Some(5), "{message}");
    assert_eq!(report["verified"], false);
    assert_eq!(report["finding"]["kind"], "read_models_ahead", "{report}");
    assert!(
        message.contains("shorter than the read models"),
        "{message}"
    );
}

/// The imported sample with a signing key and a first checkpoint over it.
fn signed() -> Workspace {
    sign(imported())
}

fn sign(workspace: Workspace) -> Workspace {
    let output = workspace.run(&[
        "--role",
        "admin",
        "keys",
        "generate",
        "--origin",
        "scoreledger.test/e2e",
    ]);
    assert_success(&output);
    assert!(
        stdout(&output).contains("Checkpoint of"),
        "{}",
        stdout(&output)
    );
    workspace
}

/// Every commit of the log's file, by position: (position, envelope).
fn envelopes(db: &Path) -> Vec<(i64, String)> {
    tokio::runtime::Runtime::new()
        .expect("a runtime")
        .block_on(async {
            let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
                .await
                .expect("the log's file opens");
            let rows: Vec<(i64, String)> =
                sqlx::query_as("SELECT position, envelope FROM commits ORDER BY position")
                    .fetch_all(&pool)
                    .await
                    .expect("the commits");
            pool.close().await;
            rows
        })
}

fn sql_text(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// Changes a reason in the first commit of a stream with several, then re-seals it and every
/// later commit of the stream so that every hash and link is consistent again, as an attacker
/// who can hash would. Returns the position of the rewritten commit.
pub(crate) fn rechain_a_stream(db: &Path) -> i64 {
    let commits: Vec<(i64, scoreledger_store::Commit)> = envelopes(db)
        .into_iter()
        .map(|(p, e)| (p, serde_json::from_str(&e).unwrap()))
        .collect();
    let stream = commits
        .iter()
        .map(|(_, c)| c.stream.clone())
        .find(|s| commits.iter().filter(|(_, c)| &c.stream == s).count() >= 2)
        .expect("a stream with two commits");
    let mut statements = Vec::new();
    let mut prev: Option<String> = None;
    let mut first = None;
    for (position, commit) in commits.iter().filter(|(_, c)| c.stream == stream) {
        let mut commit = commit.clone();
        match &prev {
            None => {
                commit.reason = Some("rewritten".into());
                first = Some(*position);
            }
            Some(prev) => commit.prev_hash = prev.clone(),
        }
        commit.hash = commit.compute_hash();
        prev = Some(commit.hash.clone());
        statements.push(format!(
            "UPDATE commits SET envelope = {}, hash = {} WHERE position = {position}",
            sql_text(&serde_json::to_string(&commit).unwrap()),
            sql_text(&commit.hash)
        ));
    }
    tamper(db, &statements);
    first.expect("the stream's first commit was rewritten")
}

#[test]
fn a_consistently_re_chained_stream_is_caught_by_the_signed_checkpoint() {
    let workspace = imported();
    for (period, value) in [("Nov-16", "69"), ("Dec-16", "70")] {
        let output = workspace.run(&["record", "value", "-m", "2.B5", "-p", period, "-v", value]);
        assert_success(&output);
    }
    let workspace = sign(workspace);
    let first = Some(rechain_a_stream(&workspace.db()));
    let (code, report, message) = verify(&workspace);
    assert_eq!(code, Some(5), "{message}");
    assert_eq!(report["finding"]["kind"], "checkpoint_mismatch", "{report}");
    assert!(first.is_some());
    assert!(
        message.contains("rewritten after it was signed"),
        "{message}"
    );
    // The checkpoint exported beside the log caught it; the one recorded in the log does too.
    std::fs::remove_dir_all(workspace.db().with_extension("checkpoints")).unwrap();
    let (code, report, message) = verify(&workspace);
    assert_eq!(code, Some(5), "{message}");
    assert_eq!(report["finding"]["kind"], "checkpoint_mismatch", "{report}");
    assert!(message.contains("recorded at position"), "{message}");
}

#[test]
fn a_hand_inserted_commit_without_the_key_is_forged_and_unsigned_writes_are_refused() {
    let workspace = signed();
    let rows = envelopes(&workspace.db());
    let (head, last) = rows.last().cloned().unwrap();
    let last: scoreledger_store::Commit = serde_json::from_str(&last).unwrap();
    let mut forged = last.clone();
    forged.commit_id = scoreledger_store::new_id();
    forged.stream_version = scoreledger_store::StreamVersion(last.stream_version.0 + 1);
    forged.prev_hash = last.hash.clone();
    forged.signature = None;
    forged.hash = forged.compute_hash();
    tamper(
        &workspace.db(),
        &[format!(
            "INSERT INTO commits (commit_id, stream, stream_version, recorded_at, envelope, hash) VALUES ({}, {}, {}, {}, {}, {})",
            sql_text(&forged.commit_id.to_string()),
            sql_text(forged.stream.as_str()),
            forged.stream_version.0,
            sql_text(&forged.recorded_at.to_rfc3339()),
            sql_text(&serde_json::to_string(&forged).unwrap()),
            sql_text(&forged.hash),
        )],
    );
    let (code, report, message) = verify(&workspace);
    assert_eq!(code, Some(5), "{message}");
    assert_eq!(report["finding"]["kind"], "forged", "{report}");
    assert_eq!(report["finding"]["position"], head + 1);

    // Without the key, the log refuses to take a write at all.
    let workspace = signed();
    std::fs::rename(
        workspace.db().with_extension("key"),
        workspace.db().with_extension("moved"),
    )
    .unwrap();
    let output = workspace.run(&["record", "value", "-m", "2.B5", "-p", "Dec-16", "-v", "70"]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("signs its commits"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_truncated_tail_is_caught_by_the_exported_checkpoint() {
    let workspace = signed();
    let head = verify(&workspace).1["head"].as_u64().unwrap();
    assert_success(&workspace.run(&["record", "value", "-m", "2.B5", "-p", "Dec-16", "-v", "70"]));
    assert_success(&workspace.run(&["--role", "admin", "checkpoint", "record"]));
    // The tail, the new checkpoint with it, cut off; the read models rebuilt to match, as a
    // careful attacker would.
    tamper(
        &workspace.db(),
        &[format!("DELETE FROM commits WHERE position > {head}")],
    );
    assert_success(&workspace.run(&["rebuild"]));
    let (code, report, message) = verify(&workspace);
    assert_eq!(code, Some(5), "{message}");
    assert_eq!(report["finding"]["kind"], "truncated", "{report}");
    assert!(message.contains("truncated"), "{message}");
}

#[test]
fn a_rotated_key_verifies_and_a_stranger_key_is_not_trusted() {
    let workspace = signed();
    let new_key = workspace.db().with_extension("new-key");
    let output = workspace.run(&[
        "--role",
        "admin",
        "keys",
        "rotate",
        "--out",
        new_key.to_str().unwrap(),
        "--reason",
        "annual rotation",
    ]);
    assert_success(&output);
    let output = workspace.run(&[
        "--signing-key",
        new_key.to_str().unwrap(),
        "record",
        "value",
        "-m",
        "2.B5",
        "-p",
        "Dec-16",
        "-v",
        "70",
    ]);
    assert_success(&output);
    // The retired key signs nothing more: a process still holding it appends nothing (what it
    // signed would verify as forged) and is told to restart with the new key.
    let head = verify(&workspace).1["head"].clone();
    let output = workspace.run(&["record", "value", "-m", "2.B5", "-p", "Nov-16", "-v", "69"]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("was retired at position"),
        "{}",
        stderr(&output)
    );
    let (code, report, message) = verify(&workspace);
    assert_eq!(code, Some(0), "{message}");
    assert_eq!(report["head"], head, "nothing appended: {report}");

    let workspace = signed();
    let shown = crate::support::json_of(&workspace.db(), &["keys", "show", "--json"]);
    let ours = shown["active"][0].as_str().unwrap().to_owned();
    let output = workspace.run(&["verify", "--trust", &ours]);
    assert_success(&output);
    let stranger = signed();
    let theirs = crate::support::json_of(&stranger.db(), &["keys", "show", "--json"])["active"][0]
        .as_str()
        .unwrap()
        .to_owned();
    // A log that signs with no key at all does not satisfy a trusted key either.
    let unsigned = imported();
    let output = unsigned.run(&["verify", "--json", "--trust", &theirs]);
    assert_eq!(output.status.code(), Some(5));
    let report: serde_json::Value = serde_json::from_str(stdout(&output).trim()).unwrap();
    assert_eq!(report["finding"]["kind"], "untrusted_key", "{report}");
    let output = workspace.run(&["verify", "--json", "--trust", &theirs]);
    assert_eq!(output.status.code(), Some(5));
    let report: serde_json::Value = serde_json::from_str(stdout(&output).trim()).unwrap();
    assert_eq!(report["finding"]["kind"], "untrusted_key", "{report}");
}

#[test]
fn a_published_report_carries_its_checkpoint_and_inclusion_proof() {
    let demo = crate::support::shared_demo();
    let output = crate::support::run_in(demo, &["report", "show", "Q3 2016/17"]);
    assert_success(&output);
    let said = stderr(&output);
    assert!(
        said.contains("publication commit 662") && said.contains("of the signed checkpoint of"),
        "{said}"
    );
    // The proof checks out with the public key alone.
    let key = crate::support::json_of(demo, &["keys", "show", "--json"])["active"][0]
        .as_str()
        .unwrap()
        .to_owned();
    let proof = crate::support::json_of(demo, &["proof", "inclusion", "662", "--json"]);
    let ring =
        scoreledger_integrity::KeyRing::of(
            [scoreledger_integrity::PublicKey::parse(&key).unwrap()],
        );
    let checkpoint =
        scoreledger_integrity::open_checkpoint(proof["checkpoint"].as_str().unwrap(), &ring)
            .unwrap();
    let path: Vec<_> = proof["proof"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| scoreledger_integrity::parse_hash(h.as_str().unwrap()).unwrap())
        .collect();
    let leaf = scoreledger_integrity::leaf_hash(proof["commit_hash"].as_str().unwrap()).unwrap();
    scoreledger_integrity::check_inclusion(&path, checkpoint.size, checkpoint.root, 661, leaf)
        .unwrap();
}

#[test]
fn verify_reports_rebuilds_every_publication_from_the_log() {
    let output = crate::support::run_in(crate::support::shared_demo(), &["verify", "--reports"]);
    assert_success(&output);
    let printed = stdout(&output);
    let rebuilt: Vec<&str> = printed.lines().filter(|l| l.starts_with("✓ ")).collect();
    assert_eq!(rebuilt.len(), 3, "{printed}");
    assert!(
        rebuilt.iter().any(|l| l.contains("Q3")
            && l.contains(
                "sha256 5753917c07bd7000dfbbb58d10b382b3e856c4ba5ddbcc22e91d46ce0e8d6ab4"
            )),
        "{printed}"
    );
}

#[test]
fn verify_since_a_checkpoint_reads_only_what_came_after_it() {
    let workspace = signed();
    assert_success(&workspace.run(&["record", "value", "-m", "2.B5", "-p", "Nov-16", "-v", "69"]));
    let recorded = workspace.run(&["--role", "admin", "checkpoint", "record"]);
    assert_success(&recorded);
    let size = verify(&workspace).1["latest_checkpoint"].as_u64().unwrap();
    // A change in the stream of a commit before the checkpoint, so the link across it is
    // checked too.
    assert_success(&workspace.run(&["record", "value", "-m", "2.B5", "-p", "Dec-16", "-v", "70"]));
    let since = |given: &str| {
        let output = workspace.run(&["verify", "--json", "--since", given]);
        let report: serde_json::Value = serde_json::from_str(stdout(&output).trim())
            .unwrap_or_else(|_| panic!("JSON: {}", stderr(&output)));
        (output.status.code(), report)
    };
    let (code, report) = since(&size.to_string());
    assert_eq!(code, Some(0), "{report}");
    assert_eq!(report["since"], size, "{report}");
    assert_eq!(
        report["commits"].as_u64().unwrap(),
        report["head"].as_u64().unwrap() - size,
        "{report}"
    );
    assert!(
        report["message"]
            .as_str()
            .unwrap()
            .contains(&format!("positions 1 to {size} were not read again")),
        "{report}"
    );
    // The same checkpoint, as exported beside the log.
    let exported = workspace
        .db()
        .with_extension("checkpoints")
        .join(size.to_string());
    let (code, report) = since(exported.to_str().unwrap());
    assert_eq!(code, Some(0), "{report}");
    assert_eq!(report["root"], verify(&workspace).1["root"], "{report}");

    // One the log never recorded is refused, saying where to look.
    let output = workspace.run(&["verify", "--since", "100000"]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("checkpoint list"),
        "{}",
        stderr(&output)
    );

    // A change before the checkpoint is the full verification's to find; one after it is
    // found from the checkpoint on.
    let head = verify(&workspace).1["head"].as_u64().unwrap();
    tamper(
        &workspace.db(),
        &[
            "UPDATE commits SET envelope = replace(envelope, '\"reason\":null', '\"reason\":\"x\"') WHERE position = 2".to_owned(),
            format!("UPDATE commits SET envelope = replace(envelope, '\"70\"', '\"71\"') WHERE position = {head}"),
        ],
    );
    let (code, report, _) = verify(&workspace);
    assert_eq!(code, Some(5), "{report}");
    assert_eq!(report["finding"]["position"], 2, "{report}");
    let (code, report) = since(&size.to_string());
    assert_eq!(code, Some(5), "{report}");
    assert_eq!(report["finding"]["kind"], "changed", "{report}");
    assert_eq!(report["finding"]["position"], head, "{report}");
}

#[test]
fn a_signature_altered_under_a_checkpoint_is_found_by_checking_every_signature() {
    let workspace = signed();
    assert_success(&workspace.run(&["record", "value", "-m", "2.B5", "-p", "Nov-16", "-v", "69"]));
    assert_success(&workspace.run(&["--role", "admin", "checkpoint", "record"]));
    let (_, report, _) = verify(&workspace);
    let covered = report["latest_checkpoint"].as_u64().unwrap();
    let envelope = &envelopes(&workspace.db())[covered as usize - 1].1;
    let mut commit: serde_json::Value = serde_json::from_str(envelope).unwrap();
    let signature = commit["signature"]["signature"]
        .as_str()
        .unwrap()
        .to_owned();
    let flipped = format!(
        "{}{}",
        if signature.starts_with('0') { '1' } else { '0' },
        &signature[1..]
    );
    commit["signature"]["signature"] = flipped.into();
    tamper(
        &workspace.db(),
        &[format!(
            "UPDATE commits SET envelope = {} WHERE position = {covered}",
            sql_text(&commit.to_string())
        )],
    );
    let output = workspace.run(&["verify", "--json", "--all-signatures"]);
    assert_eq!(output.status.code(), Some(5), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_str(stdout(&output).trim()).unwrap();
    assert_eq!(report["finding"]["kind"], "forged", "{report}");
    assert_eq!(report["finding"]["position"], covered, "{report}");

    // Removed, it is found without checking every signature.
    commit.as_object_mut().unwrap().remove("signature");
    tamper(
        &workspace.db(),
        &[format!(
            "UPDATE commits SET envelope = {} WHERE position = {covered}",
            sql_text(&commit.to_string())
        )],
    );
    let (code, report, _) = verify(&workspace);
    assert_eq!(code, Some(5), "{report}");
    assert_eq!(report["finding"]["kind"], "forged", "{report}");
    assert_eq!(report["finding"]["position"], covered, "{report}");
}

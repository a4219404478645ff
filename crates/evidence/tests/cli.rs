//! The `scoreledger-evidence` binary on a pack made here, as the service makes one: a stream
//! of commits (the first unsigned, the rest signed), a checkpoint over them, their proofs.
//! Exit 0 when it holds, 1 naming what fails, 2 when the pack or key cannot be read.

use std::io::{Cursor, Write};
use std::path::Path;
use std::process::{Command, Output};

use scoreledger_integrity::{hash_hex, leaf_hash, sign_checkpoint, HexProof, LogKey, Tree};
use scoreledger_store::envelope::GENESIS_HASH;
use scoreledger_store::Commit;
use sha2::{Digest, Sha256};

const ORIGIN: &str = "scoreledger.test/evidence";

/// Three commits of one stream: the first before the log had a key, the others signed.
fn commits(key: &LogKey) -> Vec<Commit> {
    let mut prev = GENESIS_HASH.to_owned();
    (1..=3u64)
        .map(|position| {
            let mut commit: Commit = serde_json::from_value(serde_json::json!({
                "commit_id": format!("01a249c5-5aa2-760d-9630-00000000000{position}"),
                "stream": "measure-524f3f94-5407-896b-b009-7d042212c2ec",
                "stream_version": position,
                "position": position,
                "recorded_at": "2016-07-13T18:00:00Z",
                "actor": {"id": "ada", "name": "Ada", "role": "performance"},
                "on_behalf_of": null, "reason": null, "correlation_id": null, "causation_id": null,
                "events": [{
                    "event_id": format!("01a249c5-5aa2-760d-9630-10000000000{position}"),
                    "type": "NoteWritten", "schema_version": 1,
                    "payload": {"text": format!("note {position}")}
                }],
                "prev_hash": prev,
                "hash": "",
            }))
            .expect("a commit");
            commit.hash = commit.compute_hash();
            if position > 1 {
                commit.signature = Some(key.sign_commit(&commit.hash));
            }
            prev = commit.hash.clone();
            commit
        })
        .collect()
}

/// A measure's pack of `commits`, with a checkpoint of them signed by `key`.
fn pack(key: &LogKey, commits: &[Commit]) -> Vec<u8> {
    pack_of(key, commits, commits)
}

/// A pack holding `packed`, with a checkpoint of the log `log` signed by `key`.
fn pack_of(key: &LogKey, log: &[Commit], packed: &[Commit]) -> Vec<u8> {
    pack_without(key, log, packed, &[])
}

/// As `pack_of`, leaving out the files `left_out` (as a pack of an unsigned log does).
fn pack_without(key: &LogKey, log: &[Commit], packed: &[Commit], left_out: &[&str]) -> Vec<u8> {
    let commits = packed;
    let mut tree = Tree::new();
    for commit in log {
        tree.push(leaf_hash(&commit.hash).unwrap());
    }
    let size = tree.size();
    let root = tree.root_at(size).unwrap();
    let note = sign_checkpoint(key, size, root);
    let mut proofs = String::new();
    let mut lines = String::new();
    for commit in commits {
        let path = tree.inclusion(commit.position.0 - 1, size).unwrap();
        proofs.push_str(
            &serde_json::json!({
                "position": commit.position.0, "commit_hash": commit.hash, "size": size,
                "root": hash_hex(&root), "checkpoint": note, "proof": HexProof::of(&path).0,
            })
            .to_string(),
        );
        proofs.push('\n');
        lines.push_str(&serde_json::to_string(commit).unwrap());
        lines.push('\n');
    }
    let files = [
        ("README.txt", b"a test pack\n".to_vec()),
        ("measure.json", b"{}\n".to_vec()),
        ("commits.jsonl", lines.into_bytes()),
        ("checkpoint.txt", note.into_bytes()),
        (
            "keys.txt",
            format!("{}\n", key.public().text()).into_bytes(),
        ),
        ("proofs.jsonl", proofs.into_bytes()),
    ];
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let mut sums = String::new();
    for (name, bytes) in files.iter().filter(|(name, _)| !left_out.contains(name)) {
        zip.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(bytes).unwrap();
        sums.push_str(&format!("{}  {name}\n", hex::encode(Sha256::digest(bytes))));
    }
    zip.start_file("SHA256SUMS", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(sums.as_bytes()).unwrap();
    zip.finish().unwrap().into_inner()
}

/// The pack with a file added after it was made.
fn with_extra(pack: &[u8], name: &str, bytes: &[u8]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new_append(Cursor::new(pack.to_vec())).unwrap();
    zip.start_file(name, zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(bytes).unwrap();
    zip.finish().unwrap().into_inner()
}

fn verify(pack: &Path, key: &str, json: bool) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_scoreledger-evidence"));
    command.args(["verify", pack.to_str().unwrap(), "--key", key]);
    if json {
        command.arg("--json");
    }
    command.output().expect("the binary runs")
}

fn printed(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn a_whole_pack_holds_and_each_kind_of_damage_is_named_with_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let key = LogKey::generate(ORIGIN).unwrap();
    let whole = commits(&key);
    let path = dir.path().join("pack.zip");
    std::fs::write(&path, pack(&key, &whole)).unwrap();

    let output = verify(&path, key.public().text(), false);
    assert_eq!(output.status.code(), Some(0), "{}", printed(&output));
    assert!(
        printed(&output).contains("2 of the 3 commits are signed, each by a key of keys.txt"),
        "{}",
        printed(&output)
    );
    assert!(printed(&output).ends_with("holds: every check passed\n"));
    // The key may come from a file too; --json says the same.
    let key_file = dir.path().join("log.pub");
    std::fs::write(&key_file, format!("{}\n", key.public().text())).unwrap();
    let output = verify(&path, key_file.to_str().unwrap(), true);
    assert_eq!(output.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_str(&printed(&output)).unwrap();
    assert_eq!(json["ok"], true);
    assert_eq!(json["checked"].as_array().unwrap().len(), 6, "{json}");

    // A commit changed and resealed by someone without the key: its signature fails.
    let mut forged = whole.clone();
    forged[2].reason = Some("rewritten".into());
    forged[2].hash = forged[2].compute_hash();
    std::fs::write(&path, pack(&key, &forged)).unwrap();
    let output = verify(&path, key.public().text(), true);
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_str(&printed(&output)).unwrap();
    assert_eq!(json["ok"], false);
    assert_eq!(json["failed"]["at"], "commits.jsonl line 3 (position 3)");
    assert!(
        json["failed"]["problem"]
            .as_str()
            .unwrap()
            .contains("does not match its contents"),
        "{json}"
    );

    // A commit left out: the chain breaks at the next one.
    let gapped = [whole[0].clone(), whole[2].clone()];
    std::fs::write(&path, pack_of(&key, &whole, &gapped)).unwrap();
    let output = verify(&path, key.public().text(), false);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        printed(&output).contains("FAIL  commits.jsonl line 2 (position 3): commit"),
        "{}",
        printed(&output)
    );

    // A pack made before any checkpoint covered its commits: nothing the key vouches for.
    let unsigned = ["checkpoint.txt", "keys.txt", "proofs.jsonl"];
    std::fs::write(&path, pack_without(&key, &whole, &whole[..1], &unsigned)).unwrap();
    let output = verify(&path, key.public().text(), false);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        printed(&output).contains("FAIL  checkpoint.txt: the pack has none"),
        "{}",
        printed(&output)
    );

    // A file slipped in after the pack was made.
    std::fs::write(
        &path,
        with_extra(&pack(&key, &whole), "note.txt", b"trust me\n"),
    )
    .unwrap();
    let output = verify(&path, key.public().text(), false);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        printed(&output).contains("FAIL  note.txt: SHA256SUMS does not list it"),
        "{}",
        printed(&output)
    );

    // A whole pack, signed and checkpointed by a stranger with the same name.
    let stranger = LogKey::generate(ORIGIN).unwrap();
    std::fs::write(&path, pack(&stranger, &commits(&stranger))).unwrap();
    let output = verify(&path, key.public().text(), false);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        printed(&output).contains("FAIL  checkpoint.txt: it does not open with the key given"),
        "{}",
        printed(&output)
    );
}

#[test]
fn an_unreadable_pack_or_key_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let key = LogKey::generate(ORIGIN).unwrap();
    let output = verify(&dir.path().join("absent.zip"), key.public().text(), false);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot read"));
    let output = verify(&dir.path().join("absent.zip"), "not a key", false);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("ORIGIN+ID+KEY"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let path = dir.path().join("not.zip");
    std::fs::write(&path, b"not a zip").unwrap();
    let output = verify(&path, key.public().text(), false);
    assert_eq!(output.status.code(), Some(1));
    assert!(printed(&output).contains("FAIL  the pack: it is not a readable zip"));
}

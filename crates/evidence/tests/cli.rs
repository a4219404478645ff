//! The `scoreledger-evidence` binary on a pack made here, as the service makes one: a measure's
//! commits (the first from before the log's key, the rest signed) beside the commit recording
//! the key, the manifest saying where the log began signing, a checkpoint over them, their
//! proofs.
//! Exit 0 when it holds, 1 naming what fails, 2 when the pack or key cannot be read.

use std::io::{Cursor, Write};
use std::path::Path;
use std::process::{Command, Output};

use scoreledger_integrity::{hash_hex, leaf_hash, sign_checkpoint, HexProof, LogKey, Tree};
use scoreledger_store::envelope::GENESIS_HASH;
use scoreledger_store::Commit;
use sha2::{Digest, Sha256};

const ORIGIN: &str = "scoreledger.test/evidence";

const MEASURE: &str = "measure-524f3f94-5407-896b-b009-7d042212c2ec";

/// One commit of the log to be made: its stream, its events (type, payload), its signer.
type Entry<'a> = (
    &'a str,
    Vec<(&'a str, serde_json::Value)>,
    Option<&'a LogKey>,
);

/// A log of one commit per entry from position 1, each chained to its stream's last.
fn log_of(entries: &[Entry<'_>]) -> Vec<Commit> {
    let mut tips = std::collections::BTreeMap::new();
    let mut log = Vec::new();
    for (index, (stream, events, signer)) in entries.iter().enumerate() {
        let position = index as u64 + 1;
        let (prev, version) = tips
            .get(stream)
            .cloned()
            .unwrap_or((GENESIS_HASH.to_owned(), 0));
        let events: Vec<serde_json::Value> = events
            .iter()
            .enumerate()
            .map(|(seq, (kind, payload))| {
                serde_json::json!({
                    "event_id": format!("01a249c5-5aa2-760d-9630-1000000000{seq}{position}"),
                    "type": kind, "schema_version": 1, "payload": payload,
                })
            })
            .collect();
        let count = events.len() as u64;
        let mut commit: Commit = serde_json::from_value(serde_json::json!({
            "commit_id": format!("01a249c5-5aa2-760d-9630-00000000000{position}"),
            "stream": stream,
            "stream_version": version + count,
            "position": position,
            "recorded_at": "2016-07-13T18:00:00Z",
            "actor": {"id": "ada", "name": "Ada", "role": "performance"},
            "on_behalf_of": null, "reason": null, "correlation_id": null, "causation_id": null,
            "events": events,
            "prev_hash": prev,
            "hash": "",
        }))
        .expect("a commit");
        commit.hash = commit.compute_hash();
        commit.signature = signer.map(|key| key.sign_commit(&commit.hash));
        tips.insert(*stream, (commit.hash.clone(), version + count));
        log.push(commit);
    }
    log
}

fn note(position: u64) -> Vec<(&'static str, serde_json::Value)> {
    vec![(
        "NoteWritten",
        serde_json::json!({"text": format!("note {position}")}),
    )]
}

fn key_event(kind: &'static str, key: &LogKey) -> (&'static str, serde_json::Value) {
    (kind, serde_json::json!({"key": key.public().text()}))
}

/// Four commits: a measure's first before the log had a key, then the commit recording the
/// log's first key (signed by it), then two more of the measure, signed.
fn commits(key: &LogKey) -> Vec<Commit> {
    log_of(&[
        (MEASURE, note(1), None),
        (
            "log-keys",
            vec![key_event("SigningKeyAdded", key)],
            Some(key),
        ),
        (MEASURE, note(3), Some(key)),
        (MEASURE, note(4), Some(key)),
    ])
}

/// The manifest of a log whose only key, `key`, was recorded at position 2.
fn manifest(key: &LogKey) -> serde_json::Value {
    serde_json::json!({
        "format": 1,
        "signed_from": 2,
        "keys": [{"key": key.public().text(), "added_at": 2, "retired_at": null}],
    })
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
    pack_made(key, log, packed, left_out, &manifest(key))
}

/// A pack holding `packed` of the log `log`, with `manifest` (and `keys.txt` listing its
/// keys) and a checkpoint of `log` signed by `checkpoint_by`, without the files `left_out`.
fn pack_made(
    checkpoint_by: &LogKey,
    log: &[Commit],
    packed: &[Commit],
    left_out: &[&str],
    manifest: &serde_json::Value,
) -> Vec<u8> {
    let commits = packed;
    let mut tree = Tree::new();
    for commit in log {
        tree.push(leaf_hash(&commit.hash).unwrap());
    }
    let size = tree.size();
    let root = tree.root_at(size).unwrap();
    let note = sign_checkpoint(checkpoint_by, size, root);
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
    let keys: String = manifest["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|key| format!("{}\n", key["key"].as_str().unwrap()))
        .collect();
    let files = [
        ("README.txt", b"a test pack\n".to_vec()),
        ("measure.json", b"{}\n".to_vec()),
        ("commits.jsonl", lines.into_bytes()),
        ("manifest.json", manifest.to_string().into_bytes()),
        ("checkpoint.txt", note.into_bytes()),
        ("keys.txt", keys.into_bytes()),
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
        printed(&output).contains("each of its 3 commits from position 2 on (where manifest.json says the log began signing) is signed by a key active at its position, and none of the 1 before it"),
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
    assert_eq!(json["checked"].as_array().unwrap().len(), 7, "{json}");

    // A commit changed and resealed by someone without the key: its signature fails.
    let mut forged = whole.clone();
    forged[3].reason = Some("rewritten".into());
    forged[3].hash = forged[3].compute_hash();
    std::fs::write(&path, pack(&key, &forged)).unwrap();
    let output = verify(&path, key.public().text(), true);
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_str(&printed(&output)).unwrap();
    assert_eq!(json["ok"], false);
    assert_eq!(json["failed"]["at"], "commits.jsonl line 4 (position 4)");
    assert!(
        json["failed"]["problem"]
            .as_str()
            .unwrap()
            .contains("does not match its contents"),
        "{json}"
    );

    // A commit left out: the chain breaks at the next one.
    let gapped = [whole[0].clone(), whole[1].clone(), whole[3].clone()];
    std::fs::write(&path, pack_of(&key, &whole, &gapped)).unwrap();
    let output = verify(&path, key.public().text(), false);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        printed(&output).contains("FAIL  commits.jsonl line 3 (position 4): commit"),
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

/// The commits with the signatures at `positions` taken off (a signature is not under the
/// hash, so nothing else changes).
fn stripped(commits: &[Commit], positions: &[u64]) -> Vec<Commit> {
    commits
        .iter()
        .cloned()
        .map(|mut commit| {
            if positions.contains(&commit.position.0) {
                commit.signature = None;
            }
            commit
        })
        .collect()
}

#[track_caller]
fn refused(pack: &[u8], key: &LogKey, at: &str, problem: &str) {
    let refusal = scoreledger_evidence::verify(pack, key.public())
        .expect_err("a pack with a signature taken off, or a manifest that lies, is refused");
    assert_eq!(refusal.at, at, "{refusal}");
    assert!(refusal.problem.contains(problem), "{refusal}");
}

const STRIPPED: &str = "carries no signature: it was stripped";

#[test]
fn a_signature_taken_off_any_commit_from_where_the_log_began_signing_is_refused() {
    let key = LogKey::generate(ORIGIN).unwrap();
    let whole = commits(&key);
    scoreledger_evidence::verify(&pack(&key, &whole), key.public()).expect("the honest pack holds");
    let from = "the log signs from position 2 (manifest.json), but commit 01a249c5-5aa2-760d-9630-000000000002 at position 2 carries no signature: it was stripped";

    // The only signed commit: the log's first key, recorded last.
    let only = stripped(&whole[..2], &[2]);
    refused(
        &pack(&key, &only),
        &key,
        "commits.jsonl line 2 (position 2)",
        from,
    );
    // The first signed commit, a later one, and every one.
    let first = stripped(&whole, &[2]);
    refused(
        &pack(&key, &first),
        &key,
        "commits.jsonl line 2 (position 2)",
        from,
    );
    let later = stripped(&whole, &[4]);
    refused(
        &pack(&key, &later),
        &key,
        "commits.jsonl line 4 (position 4)",
        STRIPPED,
    );
    let every = stripped(&whole, &[2, 3, 4]);
    refused(
        &pack(&key, &every),
        &key,
        "commits.jsonl line 2 (position 2)",
        from,
    );

    // Every signature off, and the manifest made to say the log has no key (keys.txt gone):
    // the commit recording the key is still there, under its hash and proof.
    let unsigned = serde_json::json!({"format": 1, "signed_from": null, "keys": []});
    refused(
        &pack_made(&key, &every, &every, &["keys.txt"], &unsigned),
        &key,
        "commits.jsonl line 2 (position 2)",
        "records the key scoreledger.test/evidence+",
    );
    // ...and that commit left out as well: the checkpoint opens with the key given, so the
    // log signs, and the manifest is caught hiding it.
    let measure_only = [every[0].clone(), every[2].clone(), every[3].clone()];
    refused(
        &pack_made(&key, &every, &measure_only, &["keys.txt"], &unsigned),
        &key,
        "manifest.json",
        "it says the log has no key, but checkpoint.txt is signed with the key given",
    );
    // Every signature off, the manifest moved to a later position: the key's own commit
    // says where it was recorded.
    let later = |position: u64| {
        serde_json::json!({
            "format": 1, "signed_from": position,
            "keys": [{"key": key.public().text(), "added_at": position, "retired_at": null}],
        })
    };
    refused(
        &pack_made(&key, &every, &every, &[], &later(5)),
        &key,
        "commits.jsonl line 2 (position 2)",
        "but manifest.json says position 5: the manifest was altered",
    );
    // ...with that commit left out: signatures where the manifest says none can be, past the
    // checkpoint, or at a commit that records no key.
    let signed_measure = [whole[0].clone(), whole[2].clone(), whole[3].clone()];
    refused(
        &pack_made(&key, &whole, &signed_measure, &[], &later(5)),
        &key,
        "commits.jsonl line 2 (position 3)",
        "it is signed, but manifest.json says the log signs only from position 5",
    );
    refused(
        &pack_made(&key, &every, &measure_only, &[], &later(5)),
        &key,
        "manifest.json",
        "covers only 4 commits",
    );
    let resigned = {
        let mut commits = measure_only.clone();
        commits[2].signature = Some(key.sign_commit(&commits[2].hash));
        commits
    };
    refused(
        &pack_made(&key, &every, &resigned, &[], &later(4)),
        &key,
        "commits.jsonl line 3 (position 4)",
        "manifest.json says the key scoreledger.test/evidence+",
    );
    // A pack with no manifest cannot say where the log signs from.
    refused(
        &pack_without(&key, &whole, &whole, &["manifest.json"]),
        &key,
        "manifest.json",
        "the pack has none",
    );
}

#[test]
fn the_key_given_must_be_one_the_manifest_says_the_log_recorded() {
    // The commits signed with the log's key, the checkpoint with another key of the same
    // name, which the auditor was given: the manifest does not list it.
    let key = LogKey::generate(ORIGIN).unwrap();
    let given = LogKey::generate(ORIGIN).unwrap();
    let whole = commits(&key);
    refused(
        &pack_made(&given, &whole, &whole, &[], &manifest(&key)),
        &given,
        "manifest.json",
        "is none of the keys it says the log recorded",
    );
    // keys.txt must list the manifest's keys.
    let honest = pack_made(&key, &whole, &whole, &[], &manifest(&key));
    let other = format!("{}\n", given.public().text());
    refused(
        &replaced(&honest, "keys.txt", other.as_bytes()),
        &key,
        "keys.txt",
        "not the 1 of manifest.json",
    );
}

/// The pack with the file `name` replaced by `bytes` and `SHA256SUMS` rewritten to match.
fn replaced(pack: &[u8], name: &str, bytes: &[u8]) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(Cursor::new(pack.to_vec())).unwrap();
    let mut files = Vec::new();
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).unwrap();
        let mut content = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut content).unwrap();
        files.push((entry.name().unwrap().into_owned(), content));
    }
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let mut sums = String::new();
    for (file, content) in files.iter().filter(|(file, _)| file != "SHA256SUMS") {
        let content = if file == name { bytes } else { content };
        zip.start_file(file.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(content).unwrap();
        sums.push_str(&format!(
            "{}  {file}\n",
            hex::encode(Sha256::digest(content))
        ));
    }
    zip.start_file("SHA256SUMS", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(sums.as_bytes()).unwrap();
    zip.finish().unwrap().into_inner()
}

#[test]
fn after_a_rotation_each_commit_is_signed_by_the_key_active_at_its_position() {
    let old = LogKey::generate(ORIGIN).unwrap();
    let new = LogKey::generate(ORIGIN).unwrap();
    // The rotation at position 4 is signed by the key it retires; the new key signs after it.
    let rotated = |third: &LogKey, fourth: &LogKey, fifth: &LogKey| {
        log_of(&[
            (MEASURE, note(1), None),
            (
                "log-keys",
                vec![key_event("SigningKeyAdded", &old)],
                Some(&old),
            ),
            (MEASURE, note(3), Some(third)),
            (
                "log-keys",
                vec![
                    key_event("SigningKeyAdded", &new),
                    key_event("SigningKeyRetired", &old),
                ],
                Some(fourth),
            ),
            (MEASURE, note(5), Some(fifth)),
        ])
    };
    let manifest = serde_json::json!({
        "format": 1,
        "signed_from": 2,
        "keys": [
            {"key": old.public().text(), "added_at": 2, "retired_at": 4},
            {"key": new.public().text(), "added_at": 4, "retired_at": null},
        ],
    });
    let honest = rotated(&old, &old, &new);
    let verified = scoreledger_evidence::verify(
        &pack_made(&new, &honest, &honest, &[], &manifest),
        new.public(),
    )
    .expect("a rotated log's pack holds");
    assert!(
        verified
            .checked
            .iter()
            .any(|line| line.contains("each of its 4 commits from position 2 on")),
        "{:#?}",
        verified.checked
    );
    // The old key once retired, the new key before the commit adding it, and the new key
    // where the old one was the only key.
    for (log, line) in [
        (rotated(&old, &old, &old), 5),
        (rotated(&old, &new, &new), 4),
        (rotated(&new, &old, &new), 3),
    ] {
        let at = format!("commits.jsonl line {line} (position {line})");
        refused(
            &pack_made(&new, &log, &log, &[], &manifest),
            &new,
            &at,
            &format!("(by the keys manifest.json says signed at position {line})"),
        );
    }
    // The manifest moving the rotation: the commit recording it says where it was.
    let mut moved = manifest.clone();
    moved["keys"][0]["retired_at"] = 5.into();
    refused(
        &pack_made(&new, &honest, &honest, &[], &moved),
        &new,
        "commits.jsonl line 4 (position 4)",
        "retired here, but manifest.json says position 5",
    );
}

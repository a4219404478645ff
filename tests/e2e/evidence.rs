//! Evidence packs outlive the tool: a pack downloaded from the real service on the demo's
//! signed log verifies with `scoreledger-evidence` holding only the demo's public key, and
//! the same pack altered in any part (a byte of a commit, the checkpoint, a proof hash) or
//! checked against a stranger's key is refused, naming what failed.

use std::io::{Cursor, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use scoreledger_integrity::{LogKey, PublicKey};
use sha2::{Digest, Sha256};

use crate::support::{assert_success, json_of, run, run_in, stdout, Workspace};
use crate::verify::rechain_a_stream;

/// A raw HTTP/1.1 exchange; returns the status, the headers and the body.
fn exchange(port: u16, request: &str) -> Option<(u16, String, Vec<u8>)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.write_all(request.as_bytes()).ok()?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).ok()?;
    let split = response.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&response[..split]).into_owned();
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    assert!(
        !head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked"),
        "{head}"
    );
    Some((status, head, response[split + 4..].to_vec()))
}

/// The demo's log served by the real binary, with an auditor signed in to its pages.
struct Served {
    server: Child,
    port: u16,
    cookie: String,
}

impl Served {
    fn start(workspace: &Workspace) -> Self {
        let db = workspace.db();
        let issued = run_in(
            &db,
            &[
                "--role",
                "admin",
                "token",
                "create",
                "--for",
                "audit",
                "--holder",
                "Internal Audit",
                "--as",
                "auditor",
            ],
        );
        assert_success(&issued);
        let secret = stdout(&issued)
            .lines()
            .find(|line| line.starts_with("slt_"))
            .expect("the token's secret is printed")
            .to_owned();
        let port = scoreledger_testkit::nats::free_port();
        let server = Command::new(env!("CARGO_BIN_EXE_scoreledger"))
            .env_remove("SCORELEDGER_STORE")
            .env_remove("SCORELEDGER_CONFIG")
            .args([
                "--db",
                db.to_str().unwrap(),
                "serve",
                "--addr",
                &format!("127.0.0.1:{port}"),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the binary starts");
        let deadline = Instant::now() + Duration::from_secs(60);
        while !matches!(
            exchange(
                port,
                "GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
            ),
            Some((200, _, _))
        ) {
            assert!(
                Instant::now() < deadline,
                "the service did not become ready"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let form = format!("token={secret}&next=%2F");
        let (status, head, _) = exchange(
            port,
            &format!(
                "POST /signin HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: http://127.0.0.1:{port}\r\n\
                 Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{form}",
                form.len()
            ),
        )
        .expect("the sign-in answers");
        assert_eq!(status, 303, "{head}");
        let cookie = head
            .lines()
            .find_map(|line| {
                line.to_ascii_lowercase()
                    .starts_with("set-cookie: ")
                    .then(|| &line["set-cookie: ".len()..])
            })
            .and_then(|value| value.split(';').next())
            .expect("signing in sets a cookie")
            .to_owned();
        Self {
            server,
            port,
            cookie,
        }
    }

    fn get(&self, path: &str) -> (u16, Vec<u8>) {
        let (status, _, body) = exchange(
            self.port,
            &format!(
                "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {}\r\nConnection: close\r\n\r\n",
                self.cookie
            ),
        )
        .expect("the service answers");
        (status, body)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

fn files_of(pack: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(pack)).expect("a zip");
    (0..archive.len())
        .map(|index| {
            let mut entry = archive.by_index(index).unwrap();
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            (entry.name().unwrap().into_owned(), bytes)
        })
        .collect()
}

/// The pack with `change` made to the file `name`; `SHA256SUMS` rewritten to match when
/// `reseal`, as a forger would, so the checks behind it are reached.
fn altered(pack: &[u8], name: &str, reseal: bool, change: impl Fn(&mut Vec<u8>)) -> Vec<u8> {
    let mut files = files_of(pack);
    let (_, bytes) = files
        .iter_mut()
        .find(|(file, _)| file == name)
        .unwrap_or_else(|| panic!("the pack has {name}"));
    let before = bytes.clone();
    change(bytes);
    assert_ne!(*bytes, before, "the change changes {name}");
    if reseal {
        let sums: String = files
            .iter()
            .filter(|(file, _)| file != "SHA256SUMS")
            .map(|(file, bytes)| format!("{}  {file}\n", hex::encode(Sha256::digest(bytes))))
            .collect();
        files
            .iter_mut()
            .find(|(file, _)| file == "SHA256SUMS")
            .unwrap()
            .1 = sums.into_bytes();
    }
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (file, bytes) in &files {
        zip.start_file(file.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// Line `number` (from 1) of a JSON-lines file, changed by `change`.
fn change_line(bytes: &mut Vec<u8>, number: usize, change: impl Fn(&str) -> String) {
    let text = String::from_utf8(bytes.clone()).unwrap();
    let lines: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(index, line)| {
            if index + 1 == number {
                change(line)
            } else {
                line.to_owned()
            }
        })
        .collect();
    *bytes = format!("{}\n", lines.join("\n")).into_bytes();
}

/// Replaces the character after the first `marker` with `by`.
fn flip_after(line: &str, marker: &str, by: char) -> String {
    let at = line.find(marker).expect("the marker is in the line") + marker.len();
    let old = line[at..].chars().next().unwrap();
    assert_ne!(old, by);
    format!("{}{by}{}", &line[..at], &line[at + old.len_utf8()..])
}

#[test]
fn a_measures_pack_across_a_key_rotation_verifies_with_the_new_key_and_no_signature_can_be_taken_off(
) {
    let workspace = Workspace::new();
    let db = workspace.db();
    assert_success(&run(&["demo", "--keep", db.to_str().unwrap()]));
    let record = |month: &str, value: &str| {
        assert_success(&run_in(
            &db,
            &["record", "value", "-m", "2.B5", "-p", month, "-v", value],
        ));
    };
    record("Jan-17", "70");
    // The rotation is signed by the key it retires; the new key then signs from the default
    // key file, as an operator would move it there.
    let new_key = db.with_extension("new-key");
    assert_success(&run_in(
        &db,
        &[
            "--role",
            "admin",
            "keys",
            "rotate",
            "--out",
            new_key.to_str().unwrap(),
            "--reason",
            "annual rotation",
        ],
    ));
    std::fs::rename(&new_key, db.with_extension("key")).unwrap();
    record("Feb-17", "71");
    assert_success(&run_in(&db, &["--role", "admin", "checkpoint", "record"]));
    let keys = json_of(&db, &["keys", "show", "--json"]);
    let key = PublicKey::parse(keys["active"][0].as_str().unwrap()).unwrap();
    let old = PublicKey::parse(keys["retired"][0].as_str().unwrap()).unwrap();
    let served = Served::start(&workspace);

    let (status, pack) = served.get("/measures/2.B5/evidence.zip");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&pack));
    let verified = scoreledger_evidence::verify(&pack, &key).expect("the pack holds");
    assert!(
        verified
            .checked
            .iter()
            .any(|line| line.contains("each of its 4 commits from position ")),
        "the first key's commit, a value, the rotation, a value: {:#?}",
        verified.checked
    );
    let manifest: serde_json::Value = serde_json::from_slice(
        &files_of(&pack)
            .into_iter()
            .find(|(name, _)| name == "manifest.json")
            .unwrap()
            .1,
    )
    .unwrap();
    assert_eq!(manifest["keys"][0]["key"], old.text(), "{manifest}");
    assert_eq!(
        manifest["keys"][0]["retired_at"], manifest["keys"][1]["added_at"],
        "{manifest}"
    );
    // The rotation's own signature taken off.
    let rotation = manifest["keys"][1]["added_at"].as_u64().unwrap();
    let text = String::from_utf8(
        files_of(&pack)
            .into_iter()
            .find(|(name, _)| name == "commits.jsonl")
            .unwrap()
            .1,
    )
    .unwrap();
    let line = 1 + text
        .lines()
        .position(|line| line.contains(&format!("\"position\":{rotation},")))
        .expect("the pack holds the rotation");
    let stripped = altered(&pack, "commits.jsonl", true, |bytes| {
        change_line(bytes, line, |line| {
            let mut commit: serde_json::Value = serde_json::from_str(line).unwrap();
            commit.as_object_mut().unwrap().remove("signature").unwrap();
            commit.to_string()
        })
    });
    refused(
        &stripped,
        &key,
        &format!("commits.jsonl line {line} (position {rotation})"),
        "carries no signature: it was stripped",
    );
}

/// A measure's pack of a signed log holds the commit that recorded the log's first key, so
/// taking signatures off is refused however the manifest is made to read.
fn stripped_signatures_are_refused(pack: &[u8], key: &PublicKey) {
    let files = files_of(pack);
    let file = |name: &str| files.iter().find(|(n, _)| n == name).unwrap().1.clone();
    let manifest: serde_json::Value = serde_json::from_slice(&file("manifest.json")).unwrap();
    let from = manifest["signed_from"]
        .as_u64()
        .expect("the demo's log signs");
    let commits: Vec<serde_json::Value> = String::from_utf8(file("commits.jsonl"))
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let first = 1 + commits
        .iter()
        .position(|c| c["position"] == from)
        .expect("the pack holds the commit recording the first key");
    assert_eq!(commits[first - 1]["stream"], "log-keys");
    let signed: Vec<usize> = (1..=commits.len())
        .filter(|&line| commits[line - 1]["signature"].is_object())
        .collect();
    assert_eq!(signed.len(), 3, "the key's commit and two values");
    let strip = |lines: &[usize]| {
        altered(pack, "commits.jsonl", true, |bytes| {
            for &number in lines {
                change_line(bytes, number, |line| {
                    let mut commit: serde_json::Value = serde_json::from_str(line).unwrap();
                    commit.as_object_mut().unwrap().remove("signature").unwrap();
                    commit.to_string()
                });
            }
        })
    };
    let at = format!("commits.jsonl line {first} (position {from})");
    let stripped = format!("the log signs from position {from} (manifest.json), but commit ");
    // The first signed commit (the key's own), and every signed commit.
    refused(&strip(&[first]), key, &at, &stripped);
    refused(
        &strip(&signed),
        key,
        &at,
        "carries no signature: it was stripped",
    );
    // Every signature off and the manifest made to say the log signs later, or not at all.
    let lying = |manifest: serde_json::Value| {
        let all = strip(&signed);
        altered(&all, "manifest.json", true, |bytes| {
            *bytes = manifest.to_string().into_bytes()
        })
    };
    let mut later = manifest.clone();
    let last = commits.last().unwrap()["position"].as_u64().unwrap();
    later["signed_from"] = (last + 1).into();
    later["keys"][0]["added_at"] = (last + 1).into();
    refused(
        &lying(later),
        key,
        &at,
        "here, but manifest.json says position",
    );
    let none = serde_json::json!({"format": 1, "signed_from": null, "keys": []});
    let hidden = altered(&lying(none), "keys.txt", true, |bytes| bytes.clear());
    refused(&hidden, key, &at, "but manifest.json does not list it");
}

/// Runs SQL on the log's file once `tamper` has dropped its append-only triggers.
fn run_sql(db: &std::path::Path, statements: &[String]) {
    tokio::runtime::Runtime::new()
        .expect("a runtime")
        .block_on(async {
            let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
                .await
                .expect("the log's file opens");
            for sql in statements {
                sqlx::query(sql).execute(&pool).await.expect("tampered");
            }
            pool.close().await;
        });
}

#[track_caller]
fn refused(pack: &[u8], key: &PublicKey, at: &str, problem: &str) {
    let refusal = scoreledger_evidence::verify(pack, key)
        .expect_err("an altered pack, or a stranger's key, is refused");
    assert_eq!(refusal.at, at, "{refusal}");
    assert!(refusal.problem.contains(problem), "{refusal}");
}

#[test]
fn a_pack_from_the_service_verifies_offline_with_the_logs_key_and_nothing_altered_passes() {
    let workspace = Workspace::new();
    assert_success(&run(&["demo", "--keep", workspace.db().to_str().unwrap()]));
    let keys = json_of(&workspace.db(), &["keys", "show", "--json"]);
    let key = PublicKey::parse(keys["active"][0].as_str().unwrap()).unwrap();
    // Values recorded once the log signs, and a checkpoint over them: the measure's pack
    // then holds commits from before the key (unsigned) and after it (signed).
    for (month, value) in [("Jan-17", "70"), ("Feb-17", "71")] {
        assert_success(&run_in(
            &workspace.db(),
            &["record", "value", "-m", "2.B5", "-p", month, "-v", value],
        ));
    }
    assert_success(&run_in(
        &workspace.db(),
        &["--role", "admin", "checkpoint", "record"],
    ));
    let served = Served::start(&workspace);

    let (status, report) = served.get("/reports/Q2%202016%2F17/evidence.zip");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&report));
    let verified = scoreledger_evidence::verify(&report, &key).expect("the report's pack holds");
    let names: Vec<String> = files_of(&report)
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    for file in [
        "checkpoint.txt",
        "keys.txt",
        "proofs.jsonl",
        "commits.jsonl",
        "report.json",
    ] {
        assert!(names.iter().any(|name| name == file), "{names:?}");
    }
    for check in [
        "SHA256SUMS: all 11 files",
        "manifest.json: the log began signing at position ",
        "checkpoint.txt: the log scoreledger.demo/rotherham signed",
        "proofs.jsonl: each of the",
        "report.json: its SHA-256",
    ] {
        assert!(
            verified.checked.iter().any(|line| line.starts_with(check)),
            "{check} in {:#?}",
            verified.checked
        );
    }
    let readme = files_of(&report)
        .into_iter()
        .find(|(name, _)| name == "README.txt")
        .map(|(_, bytes)| String::from_utf8(bytes).unwrap())
        .unwrap();
    assert!(readme.contains("\nChecking offline\n"), "{readme}");
    assert!(
        readme.contains("  scoreledger-evidence verify THIS.zip --key 'ORIGIN+ID+KEY'\n"),
        "{readme}"
    );
    let (status, measure) = served.get("/measures/2.B1/evidence.zip");
    assert_eq!(status, 200);
    scoreledger_evidence::verify(&measure, &key).expect("the measure's pack holds");

    let (status, signed) = served.get("/measures/2.B5/evidence.zip");
    assert_eq!(status, 200);
    let verified = scoreledger_evidence::verify(&signed, &key).expect("the measure's pack holds");
    assert!(
        verified
            .checked
            .iter()
            .any(|line| line.contains("each of its 3 commits from position ")
                && line.contains("is signed by a key active at its position")),
        "{:#?}",
        verified.checked
    );
    let last = String::from_utf8(
        files_of(&signed)
            .into_iter()
            .find(|(n, _)| n == "commits.jsonl")
            .unwrap()
            .1,
    )
    .unwrap()
    .lines()
    .count();
    let at = format!("commits.jsonl line {last} (position ");
    // A signature taken off after signed commits (it is not part of the hash), or not the
    // key's.
    let unsigned = altered(&signed, "commits.jsonl", true, |b| {
        change_line(b, last, |line| {
            let mut commit: serde_json::Value = serde_json::from_str(line).unwrap();
            commit.as_object_mut().unwrap().remove("signature").unwrap();
            commit.to_string()
        })
    });
    let refusal = scoreledger_evidence::verify(&unsigned, &key).unwrap_err();
    assert!(refusal.at.starts_with(&at), "{refusal}");
    assert!(
        refusal.problem.contains("carries no signature"),
        "{refusal}"
    );
    let forged = altered(&signed, "commits.jsonl", true, |b| {
        change_line(b, last, |line| {
            let digit = if line.contains("\"signature\":\"0") {
                '1'
            } else {
                '0'
            };
            flip_after(line, "\"signature\":\"", digit)
        })
    });
    let refusal = scoreledger_evidence::verify(&forged, &key).unwrap_err();
    assert!(refusal.at.starts_with(&at), "{refusal}");
    assert!(
        refusal.problem.contains("does not match its contents"),
        "{refusal}"
    );
    stripped_signatures_are_refused(&signed, &key);

    // A byte of a commit: SHA256SUMS catches it; resealed, the commit's own hash does.
    let actor = |line: &str| flip_after(line, "\"name\":\"", 'X');
    refused(
        &altered(&report, "commits.jsonl", false, |b| {
            change_line(b, 5, actor)
        }),
        &key,
        "commits.jsonl",
        "SHA256SUMS says",
    );
    refused(
        &altered(&report, "commits.jsonl", true, |b| change_line(b, 5, actor)),
        &key,
        "commits.jsonl line 5 (position 5)",
        "the commit was changed",
    );
    // The checkpoint claiming one commit fewer no longer carries the key's signature.
    refused(
        &altered(&report, "checkpoint.txt", true, |bytes| {
            let text = String::from_utf8(bytes.clone()).unwrap();
            let mut lines: Vec<&str> = text.split('\n').collect();
            let size: u64 = lines[1].parse().unwrap();
            let fewer = (size - 1).to_string();
            lines[1] = &fewer;
            *bytes = lines.join("\n").into_bytes();
        }),
        &key,
        "checkpoint.txt",
        "does not verify: the checkpoint was altered or forged",
    );
    // One hash of one audit path.
    refused(
        &altered(&report, "proofs.jsonl", true, |b| {
            change_line(b, 10, |line| {
                let digit = if line.contains("\"proof\":[\"0") {
                    '1'
                } else {
                    '0'
                };
                flip_after(line, "\"proof\":[\"", digit)
            })
        }),
        &key,
        "proofs.jsonl line 10 (position 10)",
        "does not lead from the commit to the checkpoint's head",
    );
    // The report itself, resealed.
    refused(
        &altered(&report, "report.json", true, |bytes| bytes.push(b' ')),
        &key,
        "report.json",
        "but the log recorded",
    );
    // The pack untouched, but a key the log never had, of the same name.
    let stranger = LogKey::generate("scoreledger.demo/rotherham").unwrap();
    refused(
        &report,
        stranger.public(),
        "checkpoint.txt",
        "does not open with the key given",
    );

    // The service itself never ships a pack that is not whole. A stream re-chained behind
    // its back (every hash and link consistent again) no longer makes the signed head...
    rechain_a_stream(&workspace.db());
    let (status, page) = served.get("/reports/Q2%202016%2F17/evidence.zip");
    let page = String::from_utf8_lossy(&page);
    assert_eq!(status, 409, "{page}");
    assert!(page.contains("does not match its checkpoint"), "{page}");
    // ...and a commit changed without re-sealing breaks its stream's chain.
    run_sql(
        &workspace.db(),
        &["UPDATE commits SET envelope = replace(envelope, '\"reason\":null', '\"reason\":\"x\"') WHERE position = 3".into()],
    );
    let (status, page) = served.get("/reports/Q2%202016%2F17/evidence.zip");
    let page = String::from_utf8_lossy(&page);
    assert_eq!(status, 500, "{page}");
    assert!(page.contains("the log does not hold together"), "{page}");
    assert!(page.contains("position 3"), "{page}");
}

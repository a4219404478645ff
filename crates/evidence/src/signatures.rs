//! Commit signatures against the manifest: from the position where the log began signing,
//! every commit carries a signature by a key active at its position, and before it none does.
//! The manifest is checked against the commits the pack holds (each key's own commit is in the
//! log, signed) and, once the checkpoint is open, against the checkpoint.

use std::collections::BTreeMap;

use scoreledger_integrity::{PublicKey, SignedCheckpoint};

use crate::commits::Line;
use crate::manifest::Manifest;
use crate::{failed, Failed};

const KEY_ADDED: &str = "SigningKeyAdded";
const KEY_RETIRED: &str = "SigningKeyRetired";

/// Every commit from `signed_from` on is signed by a key active at its position, none before
/// it is, and each key a commit records is the one the manifest says was recorded there.
pub(crate) fn check(lines: &[Line], manifest: &Manifest) -> Result<String, Failed> {
    let mut signed = 0;
    for line in lines {
        let position = line.commit.position.0;
        check_key_events(line, manifest)?;
        match (manifest.signed_from, &line.commit.signature) {
            (Some(from), None) if position >= from => {
                return Err(failed(
                    line.at(),
                    format!(
                        "the log signs from position {from} (manifest.json), but commit {} at position {position} carries no signature: it was stripped",
                        line.commit.commit_id
                    ),
                ));
            }
            (Some(from), Some(signature)) if position >= from => {
                manifest
                    .active_at(position)
                    .check_commit(&line.commit.hash, Some(signature))
                    .map_err(|problem| {
                        failed(
                            line.at(),
                            format!("{problem} (by the keys manifest.json says signed at position {position})"),
                        )
                    })?;
                signed += 1;
            }
            (from, Some(_)) => {
                let since = match from {
                    Some(from) => format!("signs only from position {from}"),
                    None => "has no key".to_owned(),
                };
                return Err(failed(
                    line.at(),
                    format!("it is signed, but manifest.json says the log {since}: the manifest or the commit was altered"),
                ));
            }
            (_, None) => {}
        }
    }
    check_key_commits(lines, manifest)?;
    Ok(match manifest.signed_from {
        None => "commits.jsonl: no commit is signed, and manifest.json says the log has no key"
            .to_owned(),
        Some(from) if signed == 0 => format!(
            "commits.jsonl: no commit is signed, as none comes at or after position {from}, where manifest.json says the log began signing"
        ),
        Some(from) => format!(
            "commits.jsonl: each of its {signed} commits from position {from} on (where manifest.json says the log began signing) is signed by a key active at its position, and none of the {} before it",
            lines.len() - signed
        ),
    })
}

/// Each key the commit records added or retired is one the manifest says was added or
/// retired at that position.
fn check_key_events(line: &Line, manifest: &Manifest) -> Result<(), Failed> {
    let position = line.commit.position.0;
    for event in &line.commit.events {
        let added = match event.event_type.as_str() {
            KEY_ADDED => true,
            KEY_RETIRED => false,
            _ => continue,
        };
        let key = event
            .payload
            .get("key")
            .and_then(|key| key.as_str())
            .and_then(|key| PublicKey::parse(key).ok())
            .ok_or_else(|| {
                failed(
                    line.at(),
                    format!("its {} event names no readable key", event.event_type),
                )
            })?;
        let listed = manifest.keys.iter().find(|known| known.key == key);
        let at = listed.map(|known| {
            if added {
                Some(known.added_at)
            } else {
                known.retired_at
            }
        });
        if at != Some(Some(position)) {
            let says = match at {
                None => "does not list it".to_owned(),
                Some(None) => "says it was never retired".to_owned(),
                Some(Some(other)) => format!("says position {other}"),
            };
            return Err(failed(
                line.at(),
                format!(
                    "it records the key {} {} here, but manifest.json {says}: the manifest was altered",
                    key.id(),
                    if added { "added" } else { "retired" },
                ),
            ));
        }
    }
    Ok(())
}

/// Each commit the manifest says added or retired a key records it, where the pack holds it.
fn check_key_commits(lines: &[Line], manifest: &Manifest) -> Result<(), Failed> {
    let held: BTreeMap<u64, &Line> = lines.iter().map(|l| (l.commit.position.0, l)).collect();
    for known in &manifest.keys {
        let changes = [
            (KEY_ADDED, Some(known.added_at)),
            (KEY_RETIRED, known.retired_at),
        ];
        for (kind, position) in changes {
            let Some(line) = position.and_then(|p| held.get(&p)) else {
                continue;
            };
            let records = line.commit.events.iter().any(|event| {
                event.event_type == kind
                    && event
                        .payload
                        .get("key")
                        .and_then(|key| key.as_str())
                        .and_then(|key| PublicKey::parse(key).ok())
                        .is_some_and(|key| key == known.key)
            });
            if !records {
                return Err(failed(
                    line.at(),
                    format!(
                        "manifest.json says the key {} was {} here, but this commit records no such thing: the manifest was altered",
                        known.key.id(),
                        if kind == KEY_ADDED { "added" } else { "retired" },
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Once the checkpoint has opened with the trusted key: the log signs (a log signs its first
/// key's commit before any checkpoint), from a position the checkpoint covers, with the key
/// given among its keys; and the pack holds the commit that recorded the first key, as the
/// first of its stream, unless it holds the whole log up to a last commit that came before it.
pub(crate) fn check_signed_from(
    lines: &[Line],
    manifest: &Manifest,
    checkpoint: &SignedCheckpoint,
    trusted: &PublicKey,
    whole_log: bool,
) -> Result<String, Failed> {
    let Some(from) = manifest.signed_from else {
        return Err(failed(
            "manifest.json",
            "it says the log has no key, but checkpoint.txt is signed with the key given: the manifest hides where the log began signing",
        ));
    };
    if !manifest.has(trusted) {
        return Err(failed(
            "manifest.json",
            format!(
                "the key given ({}) is none of the keys it says the log recorded, though checkpoint.txt opens with it: the manifest was altered",
                trusted.id()
            ),
        ));
    }
    if from > checkpoint.size {
        return Err(failed(
            "manifest.json",
            format!(
                "it says the log signs from position {from}, but checkpoint.txt, signed with the key given, covers only {} commits, and a log records its first key before it signs a checkpoint",
                checkpoint.size
            ),
        ));
    }
    let last = lines.last().map_or(0, |line| line.commit.position.0);
    match lines.iter().find(|line| line.commit.position.0 == from) {
        // Its key events were matched with the manifest, and its signature checked, already.
        Some(line) if line.commit.first_version().0 == 0 => Ok(format!(
            "manifest.json: the log began signing at position {from}, the first commit of its keys stream, which the pack holds; the key given is among the keys it lists"
        )),
        Some(line) => Err(failed(
            line.at(),
            "manifest.json says the log began signing here, but this is not the first commit of its stream: an earlier key was recorded before it",
        )),
        None if whole_log && from > last => Ok(format!(
            "manifest.json: the log began signing at position {from}, after the pack's last commit; the key given is among the keys it lists"
        )),
        None => Err(failed(
            "manifest.json",
            format!("it says the log began signing at position {from}, but the pack does not hold that commit, so where the log began signing cannot be checked"),
        )),
    }
}

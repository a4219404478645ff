//! `manifest.json`: the position from which the log signs its commits and each key as the log
//! recorded it (added at, retired at). A signature is not under a commit's hash, so this is
//! what tells a commit made before the log's first key from one whose signature was taken off.

use serde::Deserialize;

use scoreledger_integrity::{KeyRing, PublicKey};

use crate::pack::Pack;
use crate::{failed, Failed};

/// The manifest formats this verifier reads.
const FORMAT: u32 = 1;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ManifestFile {
    format: u32,
    signed_from: Option<u64>,
    keys: Vec<KeyFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    key: String,
    added_at: u64,
    retired_at: Option<u64>,
}

/// A key as the manifest says the log recorded it.
pub(crate) struct RecordedKey {
    pub(crate) key: PublicKey,
    pub(crate) added_at: u64,
    pub(crate) retired_at: Option<u64>,
}

/// Where the log signs from and with which keys, read and found consistent in itself and
/// with `keys.txt` (not yet with the commits: see `signatures`).
pub(crate) struct Manifest {
    /// The position of the commit that recorded the first key (`None`: the log had no key).
    pub(crate) signed_from: Option<u64>,
    /// In the order added.
    pub(crate) keys: Vec<RecordedKey>,
}

impl Manifest {
    /// The keys that may sign the commit at `position`: the first key from its own commit
    /// (it signs its own record), a later key from the commit after the one adding it (the
    /// keys before it sign that one), a retired key up to the commit retiring it.
    pub(crate) fn active_at(&self, position: u64) -> KeyRing {
        let first = self.signed_from;
        KeyRing::of(
            self.keys
                .iter()
                .filter(|key| {
                    let added = key.added_at < position
                        || (key.added_at == position && first == Some(position));
                    added && key.retired_at.is_none_or(|retired| position <= retired)
                })
                .map(|key| key.key.clone()),
        )
    }

    /// Whether `key` is one the log recorded.
    pub(crate) fn has(&self, key: &PublicKey) -> bool {
        self.keys.iter().any(|known| &known.key == key)
    }
}

pub(crate) fn read(pack: &Pack) -> Result<Manifest, Failed> {
    let Some(bytes) = pack.get("manifest.json") else {
        return Err(failed(
            "manifest.json",
            "the pack has none, so it does not say from which position the log signs: a commit whose signature was taken off could not be told from one made before the log's key; download the pack again",
        ));
    };
    let file: ManifestFile = serde_json::from_slice(bytes)
        .map_err(|err| failed("manifest.json", format!("not a manifest: {err}")))?;
    if file.format != FORMAT {
        return Err(failed(
            "manifest.json",
            format!(
                "its format is {}, and this verifier reads format {FORMAT}; use a newer scoreledger-evidence",
                file.format
            ),
        ));
    }
    let mut keys: Vec<RecordedKey> = Vec::new();
    for (index, entry) in file.keys.into_iter().enumerate() {
        let at = || format!("manifest.json key {}", index + 1);
        let key = PublicKey::parse(&entry.key).map_err(|err| failed(at(), err.to_string()))?;
        if keys.iter().any(|known| known.key == key) {
            return Err(failed(at(), "the same key is listed twice"));
        }
        if let Some(before) = keys.last() {
            if entry.added_at <= before.added_at {
                return Err(failed(
                    at(),
                    format!(
                        "it was added at position {}, not after the key before it (position {}): keys are listed in the order the log added them, one commit each",
                        entry.added_at, before.added_at
                    ),
                ));
            }
        }
        if entry
            .retired_at
            .is_some_and(|retired| retired <= entry.added_at)
        {
            return Err(failed(
                at(),
                format!(
                    "it is retired at position {}, not after it was added (position {})",
                    entry.retired_at.unwrap_or_default(),
                    entry.added_at
                ),
            ));
        }
        keys.push(RecordedKey {
            key,
            added_at: entry.added_at,
            retired_at: entry.retired_at,
        });
    }
    let first = keys.first().map(|key| key.added_at);
    if file.signed_from != first {
        let says = |position: Option<u64>| match position {
            Some(position) => format!("position {position}"),
            None => "no position (no key)".to_owned(),
        };
        return Err(failed(
            "manifest.json",
            format!(
                "it says the log signs from {}, but its first key was added at {}: the log signs from the commit that records its first key",
                says(file.signed_from),
                says(first)
            ),
        ));
    }
    let manifest = Manifest {
        signed_from: file.signed_from,
        keys,
    };
    check_keys_txt(pack, &manifest)?;
    Ok(manifest)
}

/// `keys.txt`, where the pack has one, lists exactly the manifest's keys, in order.
fn check_keys_txt(pack: &Pack, manifest: &Manifest) -> Result<(), Failed> {
    let Some(bytes) = pack.get("keys.txt") else {
        return Ok(());
    };
    let text = std::str::from_utf8(bytes).map_err(|_| failed("keys.txt", "not UTF-8 text"))?;
    let mut listed = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        listed.push(
            PublicKey::parse(line)
                .map_err(|err| failed(format!("keys.txt line {}", index + 1), err.to_string()))?,
        );
    }
    let recorded: Vec<&PublicKey> = manifest.keys.iter().map(|key| &key.key).collect();
    if listed.iter().collect::<Vec<_>>() != recorded {
        return Err(failed(
            "keys.txt",
            format!(
                "it lists {} keys that are not the {} of manifest.json, in order: one of them was altered",
                listed.len(),
                recorded.len()
            ),
        ));
    }
    Ok(())
}

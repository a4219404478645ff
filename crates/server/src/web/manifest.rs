//! `manifest.json` of an evidence pack: the position from which the log signs its commits and
//! each key as the log recorded it. A signature is not under a commit's hash, so without this
//! an offline verifier could not tell a commit made before the log's first key from one whose
//! signature was taken off; with it, every commit from that position on must be signed.

use scoreledger_service::keys::RecordedKey;
use serde::Serialize;

/// The manifest's format, raised whenever a field changes meaning.
const FORMAT: u32 = 1;

/// What `manifest.json` holds (the format is documented in the README's evidence pack table).
#[derive(Debug, Serialize)]
pub(crate) struct Manifest {
    format: u32,
    /// The position of the commit that recorded the log's first key (`null`: no key yet).
    signed_from: Option<u64>,
    /// Every key the log has recorded, in the order added.
    keys: Vec<ManifestKey>,
}

#[derive(Debug, Serialize)]
struct ManifestKey {
    /// The C2SP verifier key, `<origin>+<key id>+<base64>`.
    key: String,
    /// The position of the commit that added it.
    added_at: u64,
    /// The position of the commit that retired it.
    retired_at: Option<u64>,
}

impl Manifest {
    pub(crate) fn of(recorded: &[RecordedKey]) -> Self {
        Self {
            format: FORMAT,
            signed_from: recorded.first().map(|key| key.added_at.0),
            keys: recorded
                .iter()
                .map(|key| ManifestKey {
                    key: key.key.text().to_owned(),
                    added_at: key.added_at.0,
                    retired_at: key.retired_at.map(|p| p.0),
                })
                .collect(),
        }
    }

    /// Whether the log has recorded a key.
    pub(crate) fn signs(&self) -> bool {
        self.signed_from.is_some()
    }

    /// `keys.txt`: the same keys, one verifier key a line, for tools that want only them.
    pub(crate) fn keys_txt(&self) -> Vec<u8> {
        self.keys
            .iter()
            .map(|key| format!("{}\n", key.key))
            .collect::<String>()
            .into_bytes()
    }

    pub(crate) fn json(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).expect("a manifest serialises to JSON");
        bytes.push(b'\n');
        bytes
    }
}

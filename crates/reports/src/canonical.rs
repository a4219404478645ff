//! Canonical JSON: keys sorted, no insignificant whitespace, no floats. The same report
//! always encodes to the same bytes, so its SHA-256 identifies it.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// Encodes `value` canonically: through `serde_json::Value`, whose maps sort their keys.
pub fn canonical_json<T: Serialize>(value: &T) -> String {
    let tree = serde_json::to_value(value).expect("reports serialise to JSON");
    serde_json::to_string(&tree).expect("JSON values serialise")
}

/// SHA-256 of `bytes`, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Unsorted {
        zebra: u8,
        apple: &'static str,
    }

    #[test]
    fn keys_are_sorted_whatever_the_field_order() {
        assert_eq!(
            canonical_json(&Unsorted {
                zebra: 1,
                apple: "a"
            }),
            r#"{"apple":"a","zebra":1}"#
        );
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}

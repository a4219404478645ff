//! A second verifier, written from the specifications alone (C2SP signed-note, C2SP
//! tlog-checkpoint, RFC 6962 / RFC 9162 §2.1), shares no code with the crates Scoreledger
//! signs and proves with: it accepts what Scoreledger writes and rejects what was altered.
//! Only SHA-256 and the Ed25519 primitive come from libraries.

use base64::Engine as _;
use ed25519_dalek::{Signature, VerifyingKey};
use sha2::{Digest, Sha256};

use scoreledger_integrity::{hash_hex, sign_checkpoint, HexProof, LogKey, Tree};

fn b64(text: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD.decode(text).ok()
}

fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize().into()
}

/// RFC 6962 §2.1: leaf and interior node hashes.
fn leaf(data: &[u8]) -> [u8; 32] {
    sha256(&[&[0], data])
}
fn node(left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
    sha256(&[&[1], left, right])
}

/// RFC 6962 §2.1: MTH, by its recursive definition.
fn mth(leaves: &[[u8; 32]]) -> [u8; 32] {
    match leaves.len() {
        0 => sha256(&[]),
        1 => leaves[0],
        n => {
            let k = 1usize << (usize::BITS - 1 - (n - 1).leading_zeros());
            node(&mth(&leaves[..k]), &mth(&leaves[k..]))
        }
    }
}

/// A verifier key (signed-note): `<name>+<hex id>+<base64(0x01 || 32-byte key)>`.
struct Vkey {
    name: String,
    id: [u8; 4],
    key: VerifyingKey,
}

fn parse_vkey(text: &str) -> Option<Vkey> {
    let mut parts = text.splitn(3, '+');
    let (name, id, key) = (parts.next()?, parts.next()?, parts.next()?);
    let key = b64(key)?;
    if key.len() != 33 || key[0] != 0x01 {
        return None;
    }
    // The key id is the first four bytes of SHA-256(name || "\n" || type || key).
    let computed = sha256(&[name.as_bytes(), b"\n", &key]);
    let id: [u8; 4] = hex::decode(id).ok()?.try_into().ok()?;
    if id != computed[..4] {
        return None;
    }
    Some(Vkey {
        name: name.to_owned(),
        id,
        key: VerifyingKey::from_bytes(&key[1..].try_into().ok()?).ok()?,
    })
}

/// A checkpoint (tlog-checkpoint) in a signed note, opened with one key.
fn open(note: &str, vkey: &Vkey) -> Option<(String, u64, [u8; 32])> {
    let (text, signatures) = note.split_once("\n\n")?;
    let text = format!("{text}\n");
    let mut verified = false;
    for line in signatures.lines() {
        let rest = line.strip_prefix("\u{2014} ")?;
        let (name, sig) = rest.split_once(' ')?;
        let sig = b64(sig)?;
        if name != vkey.name || sig.len() != 68 || sig[..4] != vkey.id {
            continue;
        }
        let signature = Signature::from_bytes(&sig[4..].try_into().ok()?);
        if vkey.key.verify_strict(text.as_bytes(), &signature).is_err() {
            return None;
        }
        verified = true;
    }
    if !verified {
        return None;
    }
    let mut lines = text.lines();
    let origin = lines.next()?.to_owned();
    let size: u64 = lines.next()?.parse().ok()?;
    let root: [u8; 32] = b64(lines.next()?)?.try_into().ok()?;
    (origin == vkey.name).then_some((origin, size, root))
}

/// RFC 9162 §2.1.3.2: verifying an inclusion proof.
fn verify_inclusion(
    index: u64,
    size: u64,
    leaf: [u8; 32],
    proof: &[[u8; 32]],
    root: [u8; 32],
) -> bool {
    if index >= size {
        return false;
    }
    let (mut fnode, mut snode, mut r) = (index, size - 1, leaf);
    for p in proof {
        if snode == 0 {
            return false;
        }
        if fnode & 1 == 1 || fnode == snode {
            r = node(p, &r);
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            r = node(&r, p);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    snode == 0 && r == root
}

/// RFC 9162 §2.1.4.2: verifying a consistency proof.
fn verify_consistency(
    first: u64,
    second: u64,
    first_root: [u8; 32],
    second_root: [u8; 32],
    proof: &[[u8; 32]],
) -> bool {
    if first == second {
        return proof.is_empty() && first_root == second_root;
    }
    if first == 0 || first > second || proof.is_empty() {
        return false;
    }
    let mut path = proof.to_vec();
    if first.is_power_of_two() {
        path.insert(0, first_root);
    }
    let (mut fnode, mut snode) = (first - 1, second - 1);
    while fnode & 1 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    let (mut fr, mut sr) = (path[0], path[0]);
    for c in &path[1..] {
        if snode == 0 {
            return false;
        }
        if fnode & 1 == 1 || fnode == snode {
            fr = node(c, &fr);
            sr = node(c, &sr);
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            sr = node(&sr, c);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    snode == 0 && fr == first_root && sr == second_root
}

fn hashes(proof: &[scoreledger_integrity::Hash]) -> Vec<[u8; 32]> {
    HexProof::of(proof)
        .0
        .iter()
        .map(|h| hex::decode(h).unwrap().try_into().unwrap())
        .collect()
}

#[test]
fn the_independent_verifier_accepts_our_checkpoints_and_proofs_and_rejects_altered_ones() {
    let key = LogKey::generate("scoreledger.test/council").unwrap();
    let vkey = parse_vkey(key.public().text()).expect("our public key reads per the spec");
    let commit_hashes: Vec<String> = (0u32..45)
        .map(|i| hex::encode(sha256(&[&i.to_be_bytes()])))
        .collect();
    let leaves: Vec<[u8; 32]> = commit_hashes
        .iter()
        .map(|h| leaf(&hex::decode(h).unwrap()))
        .collect();
    let mut tree = Tree::new();
    for h in &commit_hashes {
        tree.push(scoreledger_integrity::leaf_hash(h).unwrap());
    }
    for size in 1..=45u64 {
        let root = tree.root_at(size).unwrap();
        assert_eq!(hash_hex(&root), hex::encode(mth(&leaves[..size as usize])));
        let note = sign_checkpoint(&key, size, root);
        let (origin, read_size, read_root) = open(&note, &vkey).expect("our checkpoint verifies");
        assert_eq!(
            (origin.as_str(), read_size),
            ("scoreledger.test/council", size)
        );
        assert_eq!(read_root, root.0);

        // Any altered byte of the body or signature is refused.
        for at in [0, note.find('\n').unwrap() + 1, note.len() - 3] {
            let mut bytes = note.clone().into_bytes();
            bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
            let altered = String::from_utf8(bytes).unwrap();
            assert!(
                open(&altered, &vkey).is_none(),
                "altered at {at}: {altered}"
            );
        }

        for index in 0..size {
            let proof = hashes(&tree.inclusion(index, size).unwrap());
            assert!(verify_inclusion(
                index,
                size,
                leaves[index as usize],
                &proof,
                root.0
            ));
            if let Some(first) = proof.first() {
                let mut bad = proof.clone();
                bad[0] = node(first, first);
                assert!(!verify_inclusion(
                    index,
                    size,
                    leaves[index as usize],
                    &bad,
                    root.0
                ));
            }
        }
        for old in 1..=size {
            let old_root = tree.root_at(old).unwrap();
            let proof = hashes(&tree.consistency(old, size).unwrap());
            assert!(
                verify_consistency(old, size, old_root.0, root.0, &proof),
                "consistency {old} -> {size}"
            );
            if old < size {
                let mut wrong = old_root.0;
                wrong[0] ^= 1;
                assert!(!verify_consistency(old, size, wrong, root.0, &proof));
            }
        }
    }
    let stranger = LogKey::generate("scoreledger.test/council").unwrap();
    let forged = sign_checkpoint(&stranger, 45, tree.root_at(45).unwrap());
    assert!(
        open(&forged, &vkey).is_none(),
        "a stranger's checkpoint is refused"
    );
}

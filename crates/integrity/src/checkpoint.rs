//! Checkpoints: C2SP tlog-checkpoint bodies in C2SP signed notes, signed with the log's key.
//!
//! A checkpoint says "the log named ORIGIN had SIZE commits, and the Merkle tree over them
//! has head ROOT". Anyone holding the public key can check one with any implementation of
//! the two specifications; nothing of Scoreledger's is needed.

use signed_note::{Note, Verifiers};
use tlog_tiles::Checkpoint;

use crate::keys::{KeyRing, LogKey, PublicKey};
use crate::merkle::{hash_hex, Hash};

/// A checkpoint whose signature has been checked.
#[derive(Debug, Clone, PartialEq)]
pub struct SignedCheckpoint {
    /// The log's origin.
    pub origin: String,
    /// How many commits it covers.
    pub size: u64,
    /// The Merkle tree head over them.
    pub root: Hash,
    /// `<origin>+<key id>` of the key whose signature was checked.
    pub signed_by: String,
    /// The signed note, as stored and exported.
    pub note: String,
}

impl SignedCheckpoint {
    /// The head in hexadecimal.
    pub fn root_hex(&self) -> String {
        hash_hex(&self.root)
    }
}

/// Why a checkpoint was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    /// Not a signed note holding a checkpoint.
    #[error("not a signed checkpoint: {0}")]
    Malformed(String),
    /// Signed by no key the log has recorded.
    #[error("it is signed by no key of the log ({0})")]
    UnknownKey(String),
    /// A signature by a known key that does not verify.
    #[error("its signature by {0} does not verify: the checkpoint was altered or forged")]
    BadSignature(String),
    /// The note names another log.
    #[error("it is a checkpoint of {found}, not of {expected}")]
    WrongOrigin {
        /// The origin the key names.
        expected: String,
        /// The origin the note names.
        found: String,
    },
}

/// Signs a checkpoint of the first `size` commits, whose tree head is `root`.
pub fn sign_checkpoint(key: &LogKey, size: u64, root: Hash) -> String {
    let body = Checkpoint::new(key.origin(), size, root, "")
        .expect("a valid key name is a valid origin")
        .to_bytes();
    let mut note = Note::new(&body, &[]).expect("a checkpoint body is a valid note text");
    note.add_sigs(&[key.signer()])
        .expect("a valid key name signs a note");
    String::from_utf8(note.to_bytes()).expect("notes are UTF-8")
}

struct Ring<'a>(Vec<&'a PublicKey>);

impl Verifiers for Ring<'_> {
    fn verifier(
        &self,
        name: &str,
        id: u32,
    ) -> Result<&dyn signed_note::Verifier, signed_note::VerificationError> {
        self.0
            .iter()
            .find(|key| key.origin() == name && key.key_id() == id)
            .map(|key| key.verifier() as &dyn signed_note::Verifier)
            .ok_or(signed_note::VerificationError::UnknownKey {
                name: name.to_owned(),
                id,
            })
    }
}

/// Opens a signed checkpoint with the keys that may sign now.
pub fn open_checkpoint(note: &str, ring: &KeyRing) -> Result<SignedCheckpoint, CheckpointError> {
    open_with(note, Ring(ring.active().collect()))
}

/// Opens a signed checkpoint with every key the log has had (for checkpoints exported
/// before a rotation).
pub fn open_checkpoint_any(
    note: &str,
    ring: &KeyRing,
) -> Result<SignedCheckpoint, CheckpointError> {
    open_with(note, Ring(ring.all().collect()))
}

fn open_with(note: &str, ring: Ring<'_>) -> Result<SignedCheckpoint, CheckpointError> {
    let parsed = Note::from_bytes(note.as_bytes())
        .map_err(|err| CheckpointError::Malformed(err.to_string()))?;
    let (verified, _) = parsed.verify(&ring).map_err(|err| match err {
        signed_note::NoteError::InvalidSignature { name, id } => {
            CheckpointError::BadSignature(format!("{name}+{id:08x}"))
        }
        signed_note::NoteError::UnverifiedNote => CheckpointError::UnknownKey(
            ring.0
                .iter()
                .map(|key| key.id())
                .collect::<Vec<_>>()
                .join(", "),
        ),
        other => CheckpointError::Malformed(other.to_string()),
    })?;
    let signature = &verified[0];
    let checkpoint = Checkpoint::from_bytes(parsed.text())
        .map_err(|err| CheckpointError::Malformed(err.to_string()))?;
    if checkpoint.origin() != signature.name() {
        return Err(CheckpointError::WrongOrigin {
            expected: signature.name().to_owned(),
            found: checkpoint.origin().to_owned(),
        });
    }
    Ok(SignedCheckpoint {
        origin: checkpoint.origin().to_owned(),
        size: checkpoint.size(),
        root: *checkpoint.hash(),
        signed_by: format!("{}+{:08x}", signature.name(), signature.id()),
        note: note.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::leaf_hash;

    #[test]
    fn a_signed_checkpoint_opens_and_an_altered_one_does_not() {
        let key = LogKey::generate("scoreledger.test/council").unwrap();
        let root = leaf_hash(&"ab".repeat(32)).unwrap();
        let note = sign_checkpoint(&key, 42, root);
        assert!(note.starts_with("scoreledger.test/council\n42\n"), "{note}");
        let ring = KeyRing::of([key.public().clone()]);
        let opened = open_checkpoint(&note, &ring).unwrap();
        assert_eq!((opened.size, opened.root), (42, root));

        let altered = note.replacen("\n42\n", "\n43\n", 1);
        assert!(matches!(
            open_checkpoint(&altered, &ring),
            Err(CheckpointError::BadSignature(_))
        ));
        let stranger = KeyRing::of([LogKey::generate("scoreledger.test/council")
            .unwrap()
            .public()
            .clone()]);
        assert!(matches!(
            open_checkpoint(&note, &stranger),
            Err(CheckpointError::UnknownKey(_))
        ));
        assert!(matches!(
            open_checkpoint("not a note", &ring),
            Err(CheckpointError::Malformed(_))
        ));
    }
}

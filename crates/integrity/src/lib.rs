//! What makes the log provable (DESIGN.md §6), with no I/O: the RFC 6962 Merkle tree over
//! commit hashes in log order, C2SP tlog-checkpoint signed notes, the log's Ed25519 keys and
//! the signatures every commit carries.
//!
//! The formats are the open ones, through maintained implementations (`tlog_tiles`,
//! `signed_note`), so a checkpoint, a proof or a signature verifies without Scoreledger;
//! `tests/spec_verifier.rs` checks that with a verifier written from the specifications.

pub mod checkpoint;
pub mod keys;
pub mod merkle;

pub use checkpoint::{
    open_checkpoint, open_checkpoint_any, sign_checkpoint, CheckpointError, SignedCheckpoint,
};
pub use keys::{CommitSignature, KeyError, KeyRing, LogKey, PublicKey, SignatureProblem};
pub use merkle::{
    check_consistency, check_inclusion, hash_hex, leaf_hash, parse_hash, ConsistencyProof,
    Frontier, Hash, HexProof, InclusionProof, MerkleError, Tree,
};

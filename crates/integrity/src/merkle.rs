//! The RFC 6962 Merkle tree over the log's commits, in log order.
//!
//! Leaf `i` is the commit at position `i + 1`, and its data is the 32 bytes of that commit's
//! hash (the hash covers every field but the position; the position is the leaf's place in
//! the tree, so a tree head fixes the order too). Hashing, proofs and their checks are
//! `tlog_tiles`' (a port of Go's `sumdb/tlog`); this module adds the two shapes the log
//! needs: a [`Frontier`], which follows a log of any length in constant memory, and a
//! [`Tree`] in memory, which answers proofs.

use serde::{Deserialize, Serialize};
use tlog_tiles::{node_hash, record_hash, HashReader, EMPTY_HASH};

pub use tlog_tiles::Hash;

/// Why a hash or a proof was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MerkleError {
    /// Not 64 hexadecimal digits.
    #[error("{0:?} is not a SHA-256 hash in hexadecimal")]
    BadHash(String),
    /// A frontier whose nodes do not fit its size.
    #[error("a frontier of {size} leaves has {found} nodes, not {expected}")]
    BadFrontier {
        /// The leaves it claims.
        size: u64,
        /// The nodes it has.
        found: usize,
        /// The nodes that many leaves make.
        expected: u32,
    },
    /// A proof asked of leaves the tree does not have.
    #[error("the tree has {size} leaves; it cannot prove {asked}")]
    OutOfRange {
        /// The leaves held.
        size: u64,
        /// What was asked.
        asked: String,
    },
    /// A proof that does not lead to the tree head.
    #[error("the proof does not lead to the tree head")]
    InvalidProof,
}

/// Parses a SHA-256 written as 64 lowercase hexadecimal digits.
pub fn parse_hash(hex_digits: &str) -> Result<Hash, MerkleError> {
    let mut bytes = [0u8; 32];
    hex::decode_to_slice(hex_digits, &mut bytes)
        .map_err(|_| MerkleError::BadHash(hex_digits.to_owned()))?;
    Ok(Hash(bytes))
}

/// Writes a hash as 64 lowercase hexadecimal digits.
pub fn hash_hex(hash: &Hash) -> String {
    hex::encode(hash.0)
}

/// The leaf hash of a commit: RFC 6962's `SHA-256(0x00 || commit hash)`.
pub fn leaf_hash(commit_hash: &str) -> Result<Hash, MerkleError> {
    Ok(record_hash(&parse_hash(commit_hash)?.0))
}

/// The right edge of a tree: the roots of its perfect subtrees, largest first. Enough to add
/// leaves and to compute the root, in memory logarithmic in the number of leaves.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Frontier {
    size: u64,
    nodes: Vec<Hash>,
}

impl Frontier {
    /// The frontier of the empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// A frontier as written down (for instance in a checkpoint), checked to fit its size.
    pub fn from_parts(size: u64, nodes: Vec<Hash>) -> Result<Self, MerkleError> {
        if nodes.len() != size.count_ones() as usize {
            return Err(MerkleError::BadFrontier {
                size,
                found: nodes.len(),
                expected: size.count_ones(),
            });
        }
        Ok(Self { size, nodes })
    }

    /// The number of leaves.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The subtree roots, largest first.
    pub fn nodes(&self) -> &[Hash] {
        &self.nodes
    }

    /// Adds the next leaf.
    pub fn push(&mut self, leaf: Hash) {
        // Every trailing one bit of the old size is a perfect subtree the new leaf completes.
        let mut node = leaf;
        let mut size = self.size;
        while size & 1 == 1 {
            let left = self.nodes.pop().expect("one node per one bit of the size");
            node = node_hash(left, node);
            size >>= 1;
        }
        self.nodes.push(node);
        self.size += 1;
    }

    /// The tree head: RFC 6962's MTH over every leaf pushed.
    pub fn root(&self) -> Hash {
        let mut nodes = self.nodes.iter().rev();
        let Some(last) = nodes.next() else {
            return EMPTY_HASH;
        };
        nodes.fold(*last, |right, left| node_hash(*left, right))
    }
}

/// A whole tree in memory, keeping every hash `tlog_tiles` stores, so it can prove any leaf's
/// inclusion and the consistency of any two sizes.
#[derive(Debug, Clone, Default)]
pub struct Tree {
    size: u64,
    stored: Vec<Hash>,
}

impl HashReader for Tree {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, tlog_tiles::tlog::Error> {
        indexes
            .iter()
            .map(|&index| {
                self.stored
                    .get(index as usize)
                    .copied()
                    .ok_or(tlog_tiles::tlog::Error::IndexesNotInTree)
            })
            .collect()
    }
}

/// An inclusion proof: the audit path from a leaf to the tree head (RFC 6962 §2.1.1).
pub type InclusionProof = Vec<Hash>;
/// A consistency proof between two tree sizes (RFC 6962 §2.1.2).
pub type ConsistencyProof = Vec<Hash>;

impl Tree {
    /// The empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of leaves.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Adds the next leaf.
    pub fn push(&mut self, leaf: Hash) {
        let hashes = tlog_tiles::stored_hashes_for_record_hash(self.size, leaf, self)
            .expect("a tree in memory holds every hash it stored");
        self.stored.extend(hashes);
        self.size += 1;
    }

    /// The head of the tree of the first `size` leaves.
    pub fn root_at(&self, size: u64) -> Result<Hash, MerkleError> {
        self.check_size(size)?;
        tlog_tiles::tree_hash(size, self).map_err(|_| MerkleError::InvalidProof)
    }

    /// The proof that leaf `index` is in the tree of the first `size` leaves.
    pub fn inclusion(&self, index: u64, size: u64) -> Result<InclusionProof, MerkleError> {
        self.check_size(size)?;
        if index >= size {
            return Err(MerkleError::OutOfRange {
                size,
                asked: format!("leaf {index}"),
            });
        }
        tlog_tiles::prove_record(size, index, self).map_err(|_| MerkleError::InvalidProof)
    }

    /// The proof that the tree of `old` leaves is a prefix of the tree of `new` leaves.
    pub fn consistency(&self, old: u64, new: u64) -> Result<ConsistencyProof, MerkleError> {
        self.check_size(new)?;
        if old > new {
            return Err(MerkleError::OutOfRange {
                size: new,
                asked: format!("a tree of {old} leaves inside it"),
            });
        }
        if old == 0 || old == new {
            // The empty tree is a prefix of every tree, and every tree of itself.
            return Ok(Vec::new());
        }
        tlog_tiles::prove_tree(new, old, self).map_err(|_| MerkleError::InvalidProof)
    }

    fn check_size(&self, size: u64) -> Result<(), MerkleError> {
        if size > self.size {
            return Err(MerkleError::OutOfRange {
                size: self.size,
                asked: format!("a tree of {size} leaves"),
            });
        }
        Ok(())
    }
}

/// Checks that `proof` shows `leaf` at `index` in the tree of `size` leaves with head `root`.
pub fn check_inclusion(
    proof: &[Hash],
    size: u64,
    root: Hash,
    index: u64,
    leaf: Hash,
) -> Result<(), MerkleError> {
    tlog_tiles::check_record(&proof.to_vec(), size, root, index, leaf)
        .map_err(|_| MerkleError::InvalidProof)
}

/// Checks that `proof` shows the tree `old_root` of `old` leaves to be a prefix of the tree
/// `new_root` of `new` leaves.
pub fn check_consistency(
    proof: &[Hash],
    old: u64,
    old_root: Hash,
    new: u64,
    new_root: Hash,
) -> Result<(), MerkleError> {
    let holds = match (old, proof.is_empty()) {
        (0, empty) => empty,
        _ if old == new => proof.is_empty() && old_root == new_root,
        _ => tlog_tiles::check_tree(&proof.to_vec(), new, new_root, old, old_root).is_ok(),
    };
    if holds {
        Ok(())
    } else {
        Err(MerkleError::InvalidProof)
    }
}

/// A proof written for people and machines: hashes in hexadecimal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HexProof(pub Vec<String>);

impl HexProof {
    /// Writes a proof down.
    pub fn of(proof: &[Hash]) -> Self {
        Self(proof.iter().map(hash_hex).collect())
    }

    /// Reads a proof back.
    pub fn hashes(&self) -> Result<Vec<Hash>, MerkleError> {
        self.0.iter().map(|hash| parse_hash(hash)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaf(i: u64) -> Hash {
        record_hash(&i.to_be_bytes())
    }

    #[test]
    fn the_frontier_and_the_stored_tree_agree_on_every_head() {
        let mut frontier = Frontier::new();
        let mut tree = Tree::new();
        assert_eq!(frontier.root(), EMPTY_HASH);
        for i in 0..70 {
            frontier.push(leaf(i));
            tree.push(leaf(i));
            assert_eq!(
                frontier.root(),
                tree.root_at(i + 1).unwrap(),
                "size {}",
                i + 1
            );
            let copy = Frontier::from_parts(frontier.size(), frontier.nodes().to_vec()).unwrap();
            assert_eq!(copy, frontier);
        }
    }

    #[test]
    fn a_frontier_with_the_wrong_number_of_nodes_is_refused() {
        let err = Frontier::from_parts(5, vec![leaf(0)]).unwrap_err();
        assert!(
            matches!(err, MerkleError::BadFrontier { expected: 2, .. }),
            "{err}"
        );
    }

    #[test]
    fn proofs_round_trip_and_altered_proofs_fail() {
        let mut tree = Tree::new();
        for i in 0..33 {
            tree.push(leaf(i));
        }
        for size in 1..=33 {
            let root = tree.root_at(size).unwrap();
            for index in 0..size {
                let proof = tree.inclusion(index, size).unwrap();
                check_inclusion(&proof, size, root, index, leaf(index)).unwrap();
                assert!(check_inclusion(&proof, size, root, index, leaf(index + 1)).is_err());
            }
            for old in 0..=size {
                let proof = tree.consistency(old, size).unwrap();
                let old_root = tree.root_at(old).unwrap();
                check_consistency(&proof, old, old_root, size, root).unwrap();
                if old > 0 && old < size {
                    let mut bad = proof.clone();
                    bad[0].0[0] ^= 1;
                    assert!(check_consistency(&bad, old, old_root, size, root).is_err());
                }
            }
        }
        assert!(matches!(
            tree.inclusion(33, 33),
            Err(MerkleError::OutOfRange { .. })
        ));
    }
}

//! Proof verification, written as the RFC 9162 algorithms (§2.1.3.2 and
//! §2.1.4.2) step by step. It uses only the two hash functions, never the
//! proof generator, so the generator cannot mask its own bugs.

use crate::hash::{Hash, empty_root, node_hash};

/// Why a proof did not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("leaf index {index} is not in a tree of size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error("old tree size {old_size} is larger than new tree size {new_size}")]
    SizesOutOfOrder { old_size: u64, new_size: u64 },
    #[error("the proof has {len} hashes, more than these tree sizes allow")]
    ProofTooLong { len: usize },
    #[error("the proof has {len} hashes, fewer than these tree sizes need")]
    ProofTooShort { len: usize },
    #[error("a consistency proof between different non-empty trees cannot be empty")]
    EmptyProof,
    #[error("the proof must be empty for these tree sizes but has {len} hashes")]
    UnexpectedProof { len: usize },
    #[error("the proof does not lead to the given root hash")]
    RootMismatch,
    #[error("the proof does not lead to the given old root hash")]
    OldRootMismatch,
    #[error("the proof does not lead to the given new root hash")]
    NewRootMismatch,
}

impl VerifyError {
    /// Stable snake_case identifier for API error bodies.
    pub fn code(&self) -> &'static str {
        match self {
            Self::IndexOutOfRange { .. } => "verify_index_out_of_range",
            Self::SizesOutOfOrder { .. } => "verify_sizes_out_of_order",
            Self::ProofTooLong { .. } => "verify_proof_too_long",
            Self::ProofTooShort { .. } => "verify_proof_too_short",
            Self::EmptyProof => "verify_empty_proof",
            Self::UnexpectedProof { .. } => "verify_unexpected_proof",
            Self::RootMismatch => "verify_root_mismatch",
            Self::OldRootMismatch => "verify_old_root_mismatch",
            Self::NewRootMismatch => "verify_new_root_mismatch",
        }
    }
}

/// The root implied by an inclusion proof (RFC 9162 §2.1.3.2 steps 1–5
/// without the final comparison).
pub fn root_from_inclusion_proof(leaf: &Hash, index: u64, size: u64, proof: &[Hash]) -> Result<Hash, VerifyError> {
    // Step 1.
    if index >= size {
        return Err(VerifyError::IndexOutOfRange { index, size });
    }
    // Steps 2–3.
    let (mut fn_, mut sn) = (index, size - 1);
    let mut r = *leaf;
    // Step 4.
    for p in proof {
        if sn == 0 {
            return Err(VerifyError::ProofTooLong { len: proof.len() });
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = node_hash(p, &r);
            // A right-edge node with no right sibling: climb past the levels
            // where it is promoted unchanged.
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    // Step 5 (size part).
    if sn != 0 {
        return Err(VerifyError::ProofTooShort { len: proof.len() });
    }
    Ok(r)
}

/// Verifies that `leaf` (a leaf *hash*) is at `index` in the tree of `size`
/// leaves with root `root` (RFC 9162 §2.1.3.2).
pub fn verify_inclusion(leaf: &Hash, index: u64, size: u64, proof: &[Hash], root: &Hash) -> Result<(), VerifyError> {
    if root_from_inclusion_proof(leaf, index, size, proof)? == *root { Ok(()) } else { Err(VerifyError::RootMismatch) }
}

/// Verifies that the tree of `new_size` leaves with root `new_root` extends
/// the tree of `old_size` leaves with root `old_root` (RFC 9162 §2.1.4.2).
///
/// The RFC covers `0 < old_size < new_size`. The edge cases follow the proof
/// generator: from size 0 the proof is empty and `old_root` must be the
/// empty-tree hash; for equal sizes the proof is empty and the roots equal.
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), VerifyError> {
    if old_size > new_size {
        return Err(VerifyError::SizesOutOfOrder { old_size, new_size });
    }
    if old_size == 0 || old_size == new_size {
        if !proof.is_empty() {
            return Err(VerifyError::UnexpectedProof { len: proof.len() });
        }
        if old_size == 0 && *old_root != empty_root() {
            return Err(VerifyError::OldRootMismatch);
        }
        if old_size == new_size && old_root != new_root {
            return Err(VerifyError::NewRootMismatch);
        }
        return Ok(());
    }
    // Step 1.
    if proof.is_empty() {
        return Err(VerifyError::EmptyProof);
    }
    // Step 2: when the old tree is a complete subtree, its root is the
    // proof's implicit first element.
    let prefix = old_size.is_power_of_two().then_some(old_root);
    let mut path = prefix.into_iter().chain(proof);
    // Step 3.
    let (mut fn_, mut sn) = (old_size - 1, new_size - 1);
    // Step 4.
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    // Step 5. `path` is non-empty: the proof is, and the prefix only adds.
    let Some(first) = path.next() else {
        return Err(VerifyError::EmptyProof);
    };
    let (mut fr, mut sr) = (*first, *first);
    // Step 6.
    for c in path {
        if sn == 0 {
            return Err(VerifyError::ProofTooLong { len: proof.len() });
        }
        if fn_ & 1 == 1 || fn_ == sn {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    // Step 7.
    if sn != 0 {
        return Err(VerifyError::ProofTooShort { len: proof.len() });
    }
    if fr != *old_root {
        return Err(VerifyError::OldRootMismatch);
    }
    if sr != *new_root {
        return Err(VerifyError::NewRootMismatch);
    }
    Ok(())
}

//! Proof generation over stored trees: RFC 9162 §2.1.3.1 `PATH(m, D[n])`
//! and §2.1.4.1 `PROOF(m, D[n])` (identical to RFC 6962 §2.1.1–2.1.2).

use crate::hash::{Hash, largest_power_of_two_below};
use crate::tree::{NodeSource, subtree_hash};

/// Why a proof could not be generated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError<E> {
    #[error("leaf index {index} is not in a tree of size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error("old tree size {old_size} is larger than new tree size {new_size}")]
    SizesOutOfOrder { old_size: u64, new_size: u64 },
    // The source error is reachable through `source()`; repeating it in the
    // message would print it twice when the chain is logged.
    #[error("reading a stored tree node failed")]
    Source(#[source] E),
}

impl<E> ProofError<E> {
    /// Stable snake_case identifier for API error bodies.
    pub fn code(&self) -> &'static str {
        match self {
            Self::IndexOutOfRange { .. } => "proof_index_out_of_range",
            Self::SizesOutOfOrder { .. } => "proof_sizes_out_of_order",
            Self::Source(_) => "proof_node_unavailable",
        }
    }
}

/// Inclusion proof (audit path) of leaf `index` in the tree of the first
/// `size` leaves: RFC 9162 §2.1.3.1 `PATH(index, D[size])`, ordered from the
/// leaf's sibling up to the root's child.
pub fn inclusion_proof<S>(index: u64, size: u64, src: &mut S) -> Result<Vec<Hash>, ProofError<S::Error>>
where
    S: NodeSource + ?Sized,
{
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    // Walk down from the root. PATH appends the sibling subtree *after* the
    // recursive path, so siblings collected top-down are reversed at the end.
    let (mut start, mut end) = (0, size);
    let mut path = Vec::new();
    while end - start > 1 {
        let split = start + largest_power_of_two_below(end - start);
        if index < split {
            path.push(subtree_hash(split, end, src).map_err(ProofError::Source)?);
            end = split;
        } else {
            path.push(subtree_hash(start, split, src).map_err(ProofError::Source)?);
            start = split;
        }
    }
    path.reverse();
    Ok(path)
}

/// Consistency proof from the tree of `old_size` leaves to the tree of
/// `new_size` leaves: RFC 9162 §2.1.4.1 `PROOF(old_size, D[new_size])`.
///
/// Outside the RFC's `0 < old_size < new_size` the proof is empty: every
/// tree extends the empty tree, and a tree is consistent with itself.
pub fn consistency_proof<S>(old_size: u64, new_size: u64, src: &mut S) -> Result<Vec<Hash>, ProofError<S::Error>>
where
    S: NodeSource + ?Sized,
{
    if old_size > new_size {
        return Err(ProofError::SizesOutOfOrder { old_size, new_size });
    }
    if old_size == 0 || old_size == new_size {
        return Ok(Vec::new());
    }
    // SUBPROOF(m, D[start:end], b), unrolled. `m` counts leaves from `start`
    // and stays within 1..len, so every iteration has len >= 2.
    let (mut start, end_of_tree) = (0, new_size);
    let mut end = end_of_tree;
    let mut m = old_size;
    let mut whole_old_tree = true; // RFC's b: is D[start:start+m] the old tree itself?
    let mut proof = Vec::new();
    loop {
        let len = end - start;
        if m == len {
            // SUBPROOF(m, D[m], true) = {}: the verifier already has this
            // subtree's hash (it is the old root).
            if !whole_old_tree {
                proof.push(subtree_hash(start, end, src).map_err(ProofError::Source)?);
            }
            break;
        }
        let split = start + largest_power_of_two_below(len);
        if m <= split - start {
            proof.push(subtree_hash(split, end, src).map_err(ProofError::Source)?);
            end = split;
        } else {
            proof.push(subtree_hash(start, split, src).map_err(ProofError::Source)?);
            m -= split - start;
            start = split;
            whole_old_tree = false;
        }
    }
    proof.reverse();
    Ok(proof)
}

//! Property tests: generated proofs verify, any tampering fails, and the
//! stored-tree functions agree with the direct RFC 6962 definition.

// Integration tests are test code, but clippy's allow-unwrap-in-tests only
// sees that through this attribute (helpers here are not #[test] fns).
#![cfg(test)]

use proptest::prelude::*;
use xinyong_tlog::{
    Hash, MemoryTree, consistency_proof, inclusion_proof, leaf_hash, nodes_completed_by_append, root_from_leaf_hashes,
    subtree_hash, tree_hash, verify_consistency, verify_inclusion,
};

fn leaves(size: u64) -> Vec<Hash> {
    (0..size).map(|i| leaf_hash(&i.to_le_bytes())).collect()
}

fn flip(hash: &Hash, bit: usize) -> Hash {
    let mut flipped = *hash;
    flipped[bit / 8 % 32] ^= 1 << (bit % 8);
    flipped
}

/// The RFC 6962 `PATH` recursion reduced to its steps: for each level
/// from the leaf up, whether the leaf's subtree is the right child.
/// Computed independently of the verifier.
fn path_shape(index: u64, size: u64) -> Vec<bool> {
    let (mut m, mut n) = (index, size);
    let mut steps = Vec::new();
    while n > 1 {
        let k = 1u64 << (63 - (n - 1).leading_zeros());
        if m < k {
            steps.push(false);
            n = k;
        } else {
            steps.push(true);
            m -= k;
            n -= k;
        }
    }
    steps.reverse();
    steps
}

/// Exhaustive over small trees: every index, every proof element, a spread
/// of bit positions.
#[test]
fn every_inclusion_proof_in_small_trees_verifies_and_rejects_bit_flips() {
    let all = leaves(40);
    let tree = MemoryTree::from_leaf_hashes(all.iter().copied());
    for size in 1..=40u64 {
        let root = tree.root_at(size).unwrap();
        for index in 0..size {
            let leaf = all[index as usize];
            let proof = tree.inclusion_proof(index, size).unwrap();
            verify_inclusion(&leaf, index, size, &proof, &root).unwrap();
            for bit in [0, 7, 100, 255] {
                assert!(verify_inclusion(&flip(&leaf, bit), index, size, &proof, &root).is_err());
                assert!(verify_inclusion(&leaf, index, size, &proof, &flip(&root, bit)).is_err());
                for i in 0..proof.len() {
                    let mut bad = proof.clone();
                    bad[i] = flip(&bad[i], bit);
                    assert!(verify_inclusion(&leaf, index, size, &bad, &root).is_err());
                }
            }
            for other in 0..size + 2 {
                if other != index {
                    assert!(
                        verify_inclusion(&leaf, other, size, &proof, &root).is_err(),
                        "leaf {index} of {size} verified at index {other}"
                    );
                }
            }
            // Another size verifies exactly when its path has the same shape.
            for other_size in 0..=80 {
                let same_shape = index < other_size && path_shape(index, other_size) == path_shape(index, size);
                assert_eq!(
                    verify_inclusion(&leaf, index, other_size, &proof, &root).is_ok(),
                    same_shape,
                    "leaf {index} of {size} checked as size {other_size}"
                );
            }
        }
    }
}

#[test]
fn every_consistency_proof_in_small_trees_verifies_and_rejects_bit_flips() {
    let tree = MemoryTree::from_leaf_hashes(leaves(40));
    for new in 0..=40u64 {
        let new_root = tree.root_at(new).unwrap();
        for old in 0..=new {
            let old_root = tree.root_at(old).unwrap();
            let proof = tree.consistency_proof(old, new).unwrap();
            verify_consistency(old, new, &old_root, &new_root, &proof).unwrap();
            if old == new {
                continue;
            }
            // A consistency proof binds the old size exactly.
            for other_old in (0..=new).filter(|&o| o != old) {
                assert!(
                    verify_consistency(other_old, new, &old_root, &new_root, &proof).is_err(),
                    "{old} -> {new} verified as {other_old} -> {new}"
                );
            }
            for bit in [0, 9, 255] {
                assert!(verify_consistency(old, new, &flip(&old_root, bit), &new_root, &proof).is_err());
                // Every tree extends the empty tree, whatever its root.
                if old > 0 {
                    assert!(verify_consistency(old, new, &old_root, &flip(&new_root, bit), &proof).is_err());
                }
                for i in 0..proof.len() {
                    let mut bad = proof.clone();
                    bad[i] = flip(&bad[i], bit);
                    assert!(
                        verify_consistency(old, new, &old_root, &new_root, &bad).is_err(),
                        "{old} -> {new}: flipped bit {bit} of proof[{i}]"
                    );
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn inclusion_proofs_verify_for_every_index(size in 1u64..300) {
        let tree = MemoryTree::from_leaf_hashes(leaves(size));
        let root = tree.root();
        for (index, leaf) in leaves(size).iter().enumerate() {
            let proof = tree.inclusion_proof(index as u64, size).unwrap();
            prop_assert_eq!(verify_inclusion(leaf, index as u64, size, &proof, &root), Ok(()));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn tampered_inclusion_checks_fail(
        size in 1u64..300,
        index_seed in any::<u64>(),
        bit in 0usize..256,
        target in 0usize..3,
        element_seed in any::<usize>(),
        new_index_seed in any::<u64>(),
        new_size in 0u64..600,
    ) {
        let all = leaves(size);
        let tree = MemoryTree::from_leaf_hashes(all.iter().copied());
        let index = index_seed % size;
        let leaf = all[index as usize];
        let root = tree.root();
        let proof = tree.inclusion_proof(index, size).unwrap();
        prop_assert_eq!(verify_inclusion(&leaf, index, size, &proof, &root), Ok(()));

        match target {
            0 => prop_assert!(verify_inclusion(&flip(&leaf, bit), index, size, &proof, &root).is_err()),
            1 => prop_assert!(verify_inclusion(&leaf, index, size, &proof, &flip(&root, bit)).is_err()),
            _ if !proof.is_empty() => {
                let mut bad = proof.clone();
                let i = element_seed % bad.len();
                bad[i] = flip(&bad[i], bit);
                prop_assert!(verify_inclusion(&leaf, index, size, &bad, &root).is_err());
            }
            _ => {}
        }

        // Another index never verifies with the same proof.
        let other_index = new_index_seed % (size + 1);
        if other_index != index {
            prop_assert!(verify_inclusion(&leaf, other_index, size, &proof, &root).is_err());
        }
        // An inclusion proof binds the path shape, not the exact size: a
        // size whose path to `index` has the same left/right steps (e.g. 65
        // and 66 for any index below 64) accepts the same proof. That is
        // why a checkpoint signs size and root together. Any size with a
        // different shape must fail.
        if index < new_size && path_shape(index, new_size) == path_shape(index, size) {
            prop_assert_eq!(verify_inclusion(&leaf, index, new_size, &proof, &root), Ok(()));
        } else {
            prop_assert!(verify_inclusion(&leaf, index, new_size, &proof, &root).is_err());
        }
    }

    #[test]
    fn consistency_proofs_verify_and_tampering_fails(
        new in 0u64..300,
        old_seed in any::<u64>(),
        bit in 0usize..256,
        element_seed in any::<usize>(),
        other_old_seed in any::<u64>(),
    ) {
        let tree = MemoryTree::from_leaf_hashes(leaves(new));
        let old = old_seed % (new + 1);
        let (old_root, new_root) = (tree.root_at(old).unwrap(), tree.root());
        let proof = tree.consistency_proof(old, new).unwrap();
        prop_assert_eq!(verify_consistency(old, new, &old_root, &new_root, &proof), Ok(()));

        prop_assert!(verify_consistency(old, new, &flip(&old_root, bit), &new_root, &proof).is_err());
        // Every tree extends the empty tree, whatever its root.
        if old > 0 && old < new {
            prop_assert!(verify_consistency(old, new, &old_root, &flip(&new_root, bit), &proof).is_err());
            if !proof.is_empty() {
                let mut bad = proof.clone();
                let i = element_seed % bad.len();
                bad[i] = flip(&bad[i], bit);
                prop_assert!(verify_consistency(old, new, &old_root, &new_root, &bad).is_err());
            }
            let other_old = other_old_seed % (new + 1);
            if other_old != old {
                prop_assert!(verify_consistency(other_old, new, &old_root, &new_root, &proof).is_err());
            }
        }
    }

    #[test]
    fn tree_hash_over_stored_nodes_equals_the_reference_mth(size in 0u64..300, start_seed in any::<u64>(), end_seed in any::<u64>()) {
        let all = leaves(size);
        let tree = MemoryTree::from_leaf_hashes(all.iter().copied());
        prop_assert_eq!(tree_hash(size, &mut &tree).unwrap(), root_from_leaf_hashes(&all));
        prop_assert_eq!(tree.root(), root_from_leaf_hashes(&all));
        // Arbitrary (even unaligned) ranges hash like the slice of leaves.
        let end = end_seed % (size + 1);
        let start = start_seed % (end + 1);
        prop_assert_eq!(
            subtree_hash(start, end, &mut &tree).unwrap(),
            root_from_leaf_hashes(&all[start as usize..end as usize])
        );
    }

    #[test]
    fn appending_through_a_node_source_builds_the_memory_tree(size in 0u64..300) {
        let all = leaves(size);
        let mut stored: std::collections::BTreeMap<(u8, u64), Hash> = Default::default();
        for (index, leaf) in all.iter().enumerate() {
            let mut src = |level: u8, i: u64| stored.get(&(level, i)).copied().ok_or((level, i));
            let completed = nodes_completed_by_append(index as u64, *leaf, &mut src).unwrap();
            prop_assert_eq!(completed[0], (0, index as u64, *leaf));
            for (level, i, hash) in completed {
                prop_assert!(stored.insert((level, i), hash).is_none(), "node ({}, {}) completed twice", level, i);
            }
        }
        let tree = MemoryTree::from_leaf_hashes(all.iter().copied());
        let mut count = 0;
        for (&(level, index), hash) in &stored {
            prop_assert_eq!(tree.node(level, index), Some(*hash));
            count += 1;
        }
        // Same node set: a tree of n leaves has n + n/2 + n/4 + … complete nodes.
        let expected: u64 = (0..64).map(|l| size >> l).sum();
        prop_assert_eq!(count, expected);
        let mut src = |level: u8, i: u64| stored.get(&(level, i)).copied().ok_or((level, i));
        prop_assert_eq!(tree_hash(size, &mut src).unwrap(), tree.root());
        for old in [0, size / 3, size / 2, size] {
            let mut src = |level: u8, i: u64| stored.get(&(level, i)).copied().ok_or((level, i));
            prop_assert_eq!(
                consistency_proof(old, size, &mut src).unwrap(),
                tree.consistency_proof(old, size).unwrap()
            );
        }
        if size > 0 {
            let mut src = |level: u8, i: u64| stored.get(&(level, i)).copied().ok_or((level, i));
            prop_assert_eq!(
                inclusion_proof(size - 1, size, &mut src).unwrap(),
                tree.inclusion_proof(size - 1, size).unwrap()
            );
        }
    }
}

//! Published RFC 6962 reference vectors, hard-coded as hex.
//!
//! Source: transparency-dev/merkle `proof/verify_test.go` and
//! `rfc6962/rfc6962_test.go` (the vectors of Google's certificate-transparency
//! `merkle_tree_test.cc`), plus the node-ID tables of `proof/proof_test.go`.
//! These are the check that does not share code with the signer: expected
//! values come from other implementations, not from this crate.

// Integration tests are test code, but clippy's allow-unwrap-in-tests only
// sees that through this attribute (helpers here are not #[test] fns).
#![cfg(test)]

use xinyong_tlog::{
    Hash, MemoryTree, NodeSource, VerifyError, consistency_proof, empty_root, inclusion_proof, leaf_hash,
    root_from_leaf_hashes, verify_consistency, verify_inclusion,
};

fn h(hex: &str) -> Hash {
    let bytes = hex::decode(hex).unwrap();
    bytes.try_into().unwrap()
}

/// The eight leaf inputs of the reference tree.
fn leaf_inputs() -> Vec<Vec<u8>> {
    ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
        .iter()
        .map(|hex| hex::decode(hex).unwrap())
        .collect()
}

/// Roots of the trees of the first 1..=8 leaves.
fn roots() -> Vec<Hash> {
    [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]
    .iter()
    .map(|hex| h(hex))
    .collect()
}

fn reference_tree() -> MemoryTree {
    let mut tree = MemoryTree::new();
    for input in leaf_inputs() {
        tree.push_data(&input);
    }
    tree
}

/// (0-based leaf index, tree size, proof). The Go table numbers leaves from 1.
fn inclusion_vectors() -> Vec<(u64, u64, Vec<Hash>)> {
    vec![
        (0, 1, vec![]),
        (
            0,
            8,
            vec![
                h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
                h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
            ],
        ),
        (
            5,
            8,
            vec![
                h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
                h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
                h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
            ],
        ),
        (2, 3, vec![h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")]),
        (
            1,
            5,
            vec![
                h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
                h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
            ],
        ),
    ]
}

/// (old size, new size, proof).
fn consistency_vectors() -> Vec<(u64, u64, Vec<Hash>)> {
    vec![
        (1, 1, vec![]),
        (
            1,
            8,
            vec![
                h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
                h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
            ],
        ),
        (
            6,
            8,
            vec![
                h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
                h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
                h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
            ],
        ),
        (
            2,
            5,
            vec![
                h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
            ],
        ),
        (
            6,
            7,
            vec![
                h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
                h("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
                h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
            ],
        ),
    ]
}

const SOME_HASH: &str = "abacaba000000000000000000000000000000000000000000060061e00123456";

#[test]
fn rfc6962_hasher_matches_published_hashes() {
    assert_eq!(empty_root(), h("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    assert_eq!(leaf_hash(b""), h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"));
    assert_eq!(leaf_hash(b"L123456"), h("395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56"));
}

#[test]
fn roots_of_the_reference_tree_match_for_sizes_1_to_8() {
    let leaves: Vec<Hash> = leaf_inputs().iter().map(|d| leaf_hash(d)).collect();
    let tree = reference_tree();
    for (i, want) in roots().iter().enumerate() {
        let size = i + 1;
        assert_eq!(root_from_leaf_hashes(&leaves[..size]), *want, "reference MTH, size {size}");
        assert_eq!(tree.root_at(size as u64).unwrap(), *want, "stored tree, size {size}");
        assert_eq!(MemoryTree::from_leaf_hashes(leaves[..size].iter().copied()).root(), *want);
    }
}

#[test]
fn generated_inclusion_proofs_equal_the_published_ones() {
    let tree = reference_tree();
    for (index, size, want) in inclusion_vectors() {
        assert_eq!(inclusion_proof(index, size, &mut &tree).unwrap(), want, "index {index}, size {size}");
    }
}

#[test]
fn generated_consistency_proofs_equal_the_published_ones() {
    let tree = reference_tree();
    for (old, new, want) in consistency_vectors() {
        assert_eq!(consistency_proof(old, new, &mut &tree).unwrap(), want, "{old} -> {new}");
    }
}

/// Mutations from Go's `corruptInclusionProof`; each must be rejected.
fn corrupt_inclusion(
    index: u64,
    size: u64,
    proof: &[Hash],
    root: Hash,
    leaf: Hash,
) -> Vec<(String, u64, u64, Vec<Hash>, Hash, Hash)> {
    let some = h(SOME_HASH);
    let garbage = [0u8; 32];
    let mut probes = vec![
        ("index - 1".to_owned(), index.wrapping_sub(1), size, proof.to_vec(), root, leaf),
        ("index + 1".to_owned(), index + 1, size, proof.to_vec(), root, leaf),
        ("index ^ 2".to_owned(), index ^ 2, size, proof.to_vec(), root, leaf),
        ("size * 2".to_owned(), index, size * 2, proof.to_vec(), root, leaf),
        ("size / 2".to_owned(), index, size / 2, proof.to_vec(), root, leaf),
        ("wrong leaf".to_owned(), index, size, proof.to_vec(), root, leaf_hash(b"WrongLeaf")),
        ("empty root".to_owned(), index, size, proof.to_vec(), empty_root(), leaf),
        ("random root".to_owned(), index, size, proof.to_vec(), some, leaf),
    ];
    for (desc, extra) in [("garbage", garbage), ("root", root)] {
        let mut trailing = proof.to_vec();
        trailing.push(extra);
        probes.push((format!("trailing {desc}"), index, size, trailing, root, leaf));
        let mut preceding = vec![extra];
        preceding.extend_from_slice(proof);
        probes.push((format!("preceding {desc}"), index, size, preceding, root, leaf));
    }
    for i in 0..proof.len() {
        let mut wrong = proof.to_vec();
        wrong[i][0] ^= 8;
        probes.push((format!("proof[{i}] bit 3"), index, size, wrong, root, leaf));
    }
    if let Some((_, shorter)) = proof.split_last() {
        probes.push(("removed component".to_owned(), index, size, shorter.to_vec(), root, leaf));
    }
    if proof.len() > 1 {
        let mut inserted = vec![proof[0], some];
        inserted.extend_from_slice(&proof[1..]);
        probes.push(("inserted component".to_owned(), index, size, inserted, root, leaf));
    }
    probes
}

#[test]
fn published_inclusion_proofs_verify_and_their_corruptions_do_not() {
    let inputs = leaf_inputs();
    let roots = roots();
    for (index, size, proof) in inclusion_vectors() {
        let leaf = leaf_hash(&inputs[index as usize]);
        let root = roots[size as usize - 1];
        verify_inclusion(&leaf, index, size, &proof, &root).unwrap();
        for (desc, i, s, p, r, l) in corrupt_inclusion(index, size, &proof, root, leaf) {
            assert!(
                verify_inclusion(&l, i, s, &p, &r).is_err(),
                "index {index}, size {size}: accepted corruption {desc}"
            );
        }
    }
}

#[test]
fn single_entry_and_degenerate_inclusion_cases() {
    let hash = leaf_hash(b"data");
    // Root and leaf hash of a one-entry tree are the same; the proof is empty.
    verify_inclusion(&hash, 0, 1, &[], &hash).unwrap();
    assert_eq!(verify_inclusion(&hash, 0, 1, &[], &empty_root()), Err(VerifyError::RootMismatch));
    for (index, size) in [(0, 0), (1, 0), (2, 1)] {
        assert_eq!(
            verify_inclusion(&h(SOME_HASH), index, size, &[], &empty_root()),
            Err(VerifyError::IndexOutOfRange { index, size })
        );
    }
}

/// Mutations from Go's `corruptConsistencyProof`; each must be rejected.
#[test]
fn published_consistency_proofs_verify_and_their_corruptions_do_not() {
    let roots = roots();
    for (old, new, proof) in consistency_vectors() {
        let (root1, root2) = (roots[old as usize - 1], roots[new as usize - 1]);
        verify_consistency(old, new, &root1, &root2, &proof).unwrap();
        if proof.is_empty() {
            continue;
        }
        let wrong_root = leaf_hash(b"WrongRoot");
        let garbage = [0u8; 32];
        let mut probes: Vec<(String, u64, u64, Hash, Hash, Vec<Hash>)> = vec![
            ("old - 1".into(), old - 1, new, root1, root2, proof.clone()),
            ("old + 1".into(), old + 1, new, root1, root2, proof.clone()),
            ("old ^ 2".into(), old ^ 2, new, root1, root2, proof.clone()),
            ("new * 2".into(), old, new * 2, root1, root2, proof.clone()),
            ("new / 2".into(), old, new / 2, root1, root2, proof.clone()),
            ("wrong root1".into(), old, new, wrong_root, root2, proof.clone()),
            ("wrong root2".into(), old, new, root1, wrong_root, proof.clone()),
            ("swapped roots".into(), old, new, root2, root1, proof.clone()),
            ("empty proof".into(), old, new, root1, root2, vec![]),
            ("truncated".into(), old, new, root1, root2, proof[..proof.len() - 1].to_vec()),
        ];
        for (desc, extra) in [("garbage", garbage), ("root1", root1), ("root2", root2), ("proof[0]", proof[0])] {
            let mut trailing = proof.clone();
            trailing.push(extra);
            probes.push((format!("trailing {desc}"), old, new, root1, root2, trailing));
            let mut preceding = vec![extra];
            preceding.extend_from_slice(&proof);
            probes.push((format!("preceding {desc}"), old, new, root1, root2, preceding));
        }
        for i in 0..proof.len() {
            let mut wrong = proof.clone();
            wrong[i][0] ^= 16;
            probes.push((format!("proof[{i}] bit 4"), old, new, root1, root2, wrong));
        }
        for (desc, s1, s2, r1, r2, p) in probes {
            assert!(verify_consistency(s1, s2, &r1, &r2, &p).is_err(), "{old} -> {new}: accepted corruption {desc}");
        }
    }
}

#[test]
fn degenerate_consistency_cases() {
    let (r1, r2) = (leaf_hash(b"don't care 1"), leaf_hash(b"don't care 2"));
    let empty = empty_root();
    // Always consistent: the empty tree (with the empty root) and equal trees.
    verify_consistency(0, 0, &empty, &empty, &[]).unwrap();
    verify_consistency(0, 1, &empty, &r2, &[]).unwrap();
    verify_consistency(1, 1, &r2, &r2, &[]).unwrap();
    // Rejected.
    assert_eq!(verify_consistency(1, 1, &r1, &r2, &[]), Err(VerifyError::NewRootMismatch));
    assert_eq!(verify_consistency(1, 0, &r1, &r2, &[]), Err(VerifyError::SizesOutOfOrder { old_size: 1, new_size: 0 }));
    assert!(verify_consistency(2, 1, &r1, &r2, &[]).is_err());
    assert_eq!(verify_consistency(1, 2, &r1, &r2, &[]), Err(VerifyError::EmptyProof));
    // Stricter than Go: a size-0 tree must have the empty-tree root.
    assert_eq!(verify_consistency(0, 1, &r1, &r2, &[]), Err(VerifyError::OldRootMismatch));
    // A non-empty proof where none is possible.
    for (old, new) in [(0, 0), (0, 1), (1, 1)] {
        assert_eq!(
            verify_consistency(old, new, &empty, &empty, &[empty]),
            Err(VerifyError::UnexpectedProof { len: 1 })
        );
    }
}

/// Records which stored nodes a proof reads.
struct Recording<'a> {
    tree: &'a MemoryTree,
    reads: Vec<(u8, u64)>,
}

impl NodeSource for Recording<'_> {
    type Error = xinyong_tlog::MissingNode;

    fn node(&mut self, level: u8, index: u64) -> Result<Hash, Self::Error> {
        self.reads.push((level, index));
        NodeSource::node(&mut self.tree, level, index)
    }
}

fn stored(tree: &MemoryTree, ids: &[(u8, u64)]) -> Vec<Hash> {
    ids.iter().map(|&(l, i)| tree.node(l, i).unwrap()).collect()
}

/// Node-ID tables from transparency-dev/merkle `proof/proof_test.go`
/// (`TestInclusion`, `TestConsistency`): which complete nodes make up each
/// proof. Entries the Go table marks for rehashing are a single proof hash
/// built from the two listed nodes (`l = hash(i, j)`).
#[test]
fn proofs_are_built_from_the_published_node_ids() {
    let tree = MemoryTree::from_leaf_hashes((0u32..128).map(|i| leaf_hash(&i.to_be_bytes())));
    let node = |l: u8, i: u64| tree.node(l, i).unwrap();
    let rehash = |a: (u8, u64), b: (u8, u64)| xinyong_tlog::node_hash(&node(a.0, a.1), &node(b.0, b.1));

    let inclusion: Vec<(u64, u64, Vec<Hash>)> = vec![
        (0, 1, vec![]),
        (0, 2, stored(&tree, &[(0, 1)])),
        (1, 2, stored(&tree, &[(0, 0)])),
        (1, 3, stored(&tree, &[(0, 0), (0, 2)])),
        // l = hash(i, j) for i = (1, 2), j = (0, 6).
        (0, 7, vec![node(0, 1), node(1, 1), rehash((1, 2), (0, 6))]),
        (2, 7, vec![node(0, 3), node(1, 0), rehash((1, 2), (0, 6))]),
        (4, 7, stored(&tree, &[(0, 5), (0, 6), (2, 0)])),
        (5, 7, stored(&tree, &[(0, 4), (0, 6), (2, 0)])),
        (6, 7, stored(&tree, &[(1, 2), (2, 0)])),
        (2, 4, stored(&tree, &[(0, 3), (1, 0)])),
        (3, 5, stored(&tree, &[(0, 2), (1, 0), (0, 4)])),
        (3, 6, stored(&tree, &[(0, 2), (1, 0), (1, 2)])),
        (4, 6, stored(&tree, &[(0, 5), (2, 0)])),
        (10, 15, vec![node(0, 11), node(1, 4), rehash((1, 6), (0, 14)), node(3, 0)]),
        (24, 31, vec![node(0, 25), node(1, 13), rehash((1, 14), (0, 30)), node(3, 2), node(4, 0)]),
        (
            81,
            95,
            vec![
                node(0, 80),
                node(1, 41),
                node(2, 21),
                xinyong_tlog::node_hash(&node(2, 22), &rehash((1, 46), (0, 94))),
                node(4, 4),
                node(6, 0),
            ],
        ),
    ];
    for (index, size, want) in inclusion {
        assert_eq!(tree.inclusion_proof(index, size).unwrap(), want, "inclusion {index} in {size}");
    }

    let consistency: Vec<(u64, u64, Vec<Hash>)> = vec![
        (1, 2, stored(&tree, &[(0, 1)])),
        (1, 4, stored(&tree, &[(0, 1), (1, 1)])),
        (1, 6, stored(&tree, &[(0, 1), (1, 1), (1, 2)])),
        (2, 3, stored(&tree, &[(0, 2)])),
        (2, 8, stored(&tree, &[(1, 1), (2, 1)])),
        (3, 7, vec![node(0, 2), node(0, 3), node(1, 0), rehash((1, 2), (0, 6))]),
        (4, 7, vec![rehash((1, 2), (0, 6))]),
        (5, 7, stored(&tree, &[(0, 4), (0, 5), (0, 6), (2, 0)])),
        (6, 7, stored(&tree, &[(1, 2), (0, 6), (2, 0)])),
        (7, 8, stored(&tree, &[(0, 6), (0, 7), (1, 2), (2, 0)])),
        (2, 4, stored(&tree, &[(1, 1)])),
        (3, 5, stored(&tree, &[(0, 2), (0, 3), (1, 0), (0, 4)])),
        (3, 6, stored(&tree, &[(0, 2), (0, 3), (1, 0), (1, 2)])),
        (4, 6, stored(&tree, &[(1, 2)])),
        (1, 7, vec![node(0, 1), node(1, 1), rehash((1, 2), (0, 6))]),
        (10, 15, vec![node(1, 4), node(1, 5), rehash((1, 6), (0, 14)), node(3, 0)]),
        (24, 31, vec![node(3, 2), xinyong_tlog::node_hash(&node(2, 6), &rehash((1, 14), (0, 30))), node(4, 0)]),
        (
            81,
            95,
            vec![
                node(0, 80),
                node(0, 81),
                node(1, 41),
                node(2, 21),
                xinyong_tlog::node_hash(&node(2, 22), &rehash((1, 46), (0, 94))),
                node(4, 4),
                node(6, 0),
            ],
        ),
    ];
    for (old, new, want) in consistency {
        assert_eq!(tree.consistency_proof(old, new).unwrap(), want, "consistency {old} -> {new}");
    }
    for size in 1..=8 {
        assert!(tree.consistency_proof(size, size).unwrap().is_empty());
    }

    // Only complete nodes are read, and each at most once per subtree: the
    // 7 -> 8 proof touches exactly its four nodes.
    let mut recording = Recording { tree: &tree, reads: Vec::new() };
    consistency_proof(7, 8, &mut recording).unwrap();
    recording.reads.sort_unstable();
    assert_eq!(recording.reads, vec![(0, 6), (0, 7), (1, 2), (2, 0)]);
}

#[test]
fn proof_generation_rejects_impossible_arguments() {
    let tree = reference_tree();
    for (index, size) in [(0, 0), (1, 0), (2, 1), (8, 7)] {
        assert_eq!(tree.inclusion_proof(index, size), Err(xinyong_tlog::ProofError::IndexOutOfRange { index, size }));
    }
    assert_eq!(
        tree.consistency_proof(9, 8),
        Err(xinyong_tlog::ProofError::SizesOutOfOrder { old_size: 9, new_size: 8 })
    );
    // Past the stored size the source reports the missing node.
    assert!(matches!(tree.inclusion_proof(0, 9), Err(xinyong_tlog::ProofError::Source(_))));
}

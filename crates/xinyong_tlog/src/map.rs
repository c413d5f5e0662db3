//! A sparse Merkle map (docs/REPORTS.md, "Status map"): a commitment to a
//! set of `key → value` pairs with short proofs of what a key maps to, or
//! that it maps to nothing.
//!
//! Keys and value digests are 32 bytes. The map is the binary tree over the
//! 256 bits of the key, most significant bit of the first byte first (0 =
//! left), with two rules that keep it small:
//!
//! - a subtree holding no pair hashes to 32 zero bytes ([`EMPTY`]);
//! - a subtree holding exactly one pair hashes to that pair's leaf hash
//!   `SHA-256(0x00 ‖ key ‖ value_digest)`, at whatever depth it sits;
//! - any other subtree hashes to `SHA-256(0x01 ‖ left ‖ right)`.
//!
//! So a map of n pairs costs about 2n hashes to build, and a proof holds
//! about log₂ n sibling hashes: the siblings along the key's path from the
//! root down to the subtree that is empty or holds a single pair.

use sha2::{Digest, Sha256};

use crate::hash::{Hash, node_hash};

/// The hash of a subtree that holds no pair (and the root of the empty map).
pub const EMPTY: Hash = [0; 32];

/// Deepest a proof can go: one sibling per key bit.
pub const MAX_MAP_PROOF_SIBLINGS: usize = 256;

/// `SHA-256(key)`: where a name (a USCC) sits in the map.
pub fn map_key(name: &[u8]) -> Hash {
    Sha256::digest(name).into()
}

/// `SHA-256(0x00 ‖ key ‖ value_digest)`: a subtree holding one pair.
pub fn map_leaf_hash(key: &Hash, value_digest: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([0x00]);
    h.update(key);
    h.update(value_digest);
    h.finalize().into()
}

/// Bit `depth` of `key` (0 = most significant bit of byte 0).
fn bit(key: &Hash, depth: usize) -> bool {
    key[depth / 8] & (0x80 >> (depth % 8)) != 0
}

/// A map held in memory: its pairs sorted by key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SparseMap {
    pairs: Vec<(Hash, Hash)>,
}

/// What a map proof shows at the bottom of its path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapProof {
    /// Sibling hashes from the root's children downwards: `siblings[d]` is
    /// the other child at depth `d + 1` on the key's path.
    pub siblings: Vec<Hash>,
    /// The single pair in the subtree the path ends at, or `None` when that
    /// subtree is empty.
    pub leaf: Option<(Hash, Hash)>,
}

/// Why a map proof does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MapProofError {
    #[error("a map proof has at most {MAX_MAP_PROOF_SIBLINGS} siblings")]
    TooLong,
    #[error("the pair shown at the end of the path does not lie on the key's path")]
    LeafOffPath,
    #[error("the proof leads to another root")]
    RootMismatch,
}

impl SparseMap {
    /// The map of `pairs` (key, value digest); a repeated key keeps its last value.
    pub fn new(mut pairs: Vec<(Hash, Hash)>) -> SparseMap {
        pairs.reverse();
        pairs.sort_by_key(|a| a.0);
        pairs.dedup_by(|a, b| a.0 == b.0);
        SparseMap { pairs }
    }

    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// The value digest `key` maps to.
    pub fn get(&self, key: &Hash) -> Option<&Hash> {
        self.pairs.binary_search_by(|p| p.0.cmp(key)).ok().map(|i| &self.pairs[i].1)
    }

    /// The map's root hash.
    pub fn root(&self) -> Hash {
        subtree(&self.pairs, 0)
    }

    /// The proof of what `key` maps to (or that it maps to nothing).
    pub fn prove(&self, key: &Hash) -> MapProof {
        let mut siblings = Vec::new();
        let mut pairs = &self.pairs[..];
        let mut depth = 0;
        while pairs.len() > 1 {
            let split = pairs.partition_point(|p| !bit(&p.0, depth));
            let (left, right) = pairs.split_at(split);
            let (path, other) = if bit(key, depth) { (right, left) } else { (left, right) };
            siblings.push(subtree(other, depth + 1));
            pairs = path;
            depth += 1;
        }
        MapProof { siblings, leaf: pairs.first().copied() }
    }
}

/// The hash of the subtree at `depth` holding `pairs` (sorted, all sharing
/// their first `depth` bits).
fn subtree(pairs: &[(Hash, Hash)], depth: usize) -> Hash {
    match pairs {
        [] => EMPTY,
        [(key, value)] => map_leaf_hash(key, value),
        _ => {
            let split = pairs.partition_point(|p| !bit(&p.0, depth));
            let (left, right) = pairs.split_at(split);
            node_hash(&subtree(left, depth + 1), &subtree(right, depth + 1))
        }
    }
}

/// Checks `proof` for `key` against `root`. `Ok(Some(digest))`: the key maps
/// to the value with this digest; `Ok(None)`: the key is not in the map.
pub fn verify_map_proof(root: &Hash, key: &Hash, proof: &MapProof) -> Result<Option<Hash>, MapProofError> {
    let depth = proof.siblings.len();
    if depth > MAX_MAP_PROOF_SIBLINGS {
        return Err(MapProofError::TooLong);
    }
    let mut hash = match &proof.leaf {
        None => EMPTY,
        Some((leaf_key, digest)) => {
            if (0..depth).any(|d| bit(leaf_key, d) != bit(key, d)) {
                return Err(MapProofError::LeafOffPath);
            }
            map_leaf_hash(leaf_key, digest)
        }
    };
    for d in (0..depth).rev() {
        let sibling = &proof.siblings[d];
        hash = if bit(key, d) { node_hash(sibling, &hash) } else { node_hash(&hash, sibling) };
    }
    if &hash != root {
        return Err(MapProofError::RootMismatch);
    }
    Ok(proof.leaf.filter(|(leaf_key, _)| leaf_key == key).map(|(_, digest)| digest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(name: &str, value: &str) -> (Hash, Hash) {
        (map_key(name.as_bytes()), Sha256::digest(value.as_bytes()).into())
    }

    #[test]
    fn the_empty_map_proves_every_key_absent() {
        let map = SparseMap::new(Vec::new());
        assert_eq!(map.root(), EMPTY);
        let key = map_key(b"x");
        let proof = map.prove(&key);
        assert_eq!(proof, MapProof { siblings: Vec::new(), leaf: None });
        assert_eq!(verify_map_proof(&EMPTY, &key, &proof), Ok(None));
    }

    #[test]
    fn a_single_pair_is_the_root() {
        let (k, v) = pair("a", "1");
        let map = SparseMap::new(vec![(k, v)]);
        assert_eq!(map.root(), map_leaf_hash(&k, &v));
        assert_eq!(verify_map_proof(&map.root(), &k, &map.prove(&k)), Ok(Some(v)));
        let other = map_key(b"b");
        assert_eq!(verify_map_proof(&map.root(), &other, &map.prove(&other)), Ok(None));
    }

    #[test]
    fn every_member_and_absentee_proves_against_the_root() {
        let pairs: Vec<_> = (0..300).map(|i| pair(&format!("m{i}"), &format!("v{i}"))).collect();
        let map = SparseMap::new(pairs.clone());
        let root = map.root();
        for (k, v) in &pairs {
            let proof = map.prove(k);
            assert!(proof.siblings.len() < 40);
            assert_eq!(verify_map_proof(&root, k, &proof), Ok(Some(*v)));
            let mut wrong = proof.clone();
            wrong.leaf = Some((*k, [7; 32]));
            assert_eq!(verify_map_proof(&root, k, &wrong), Err(MapProofError::RootMismatch));
        }
        for i in 0..300 {
            let k = map_key(format!("absent{i}").as_bytes());
            assert_eq!(verify_map_proof(&root, &k, &map.prove(&k)), Ok(None));
        }
    }

    #[test]
    fn a_proof_of_absence_cannot_be_forged_for_a_member() {
        let pairs: Vec<_> = (0..50).map(|i| pair(&format!("m{i}"), "v")).collect();
        let map = SparseMap::new(pairs.clone());
        let (member, _) = pairs[7];
        let mut proof = map.prove(&member);
        proof.leaf = None;
        assert_eq!(verify_map_proof(&map.root(), &member, &proof), Err(MapProofError::RootMismatch));
        // Another member's pair shown at the member's place lies off its path.
        let other = map.prove(&pairs[8].0);
        let forged = MapProof { siblings: proof.siblings.clone(), leaf: other.leaf };
        assert!(verify_map_proof(&map.root(), &member, &forged).is_err());
    }

    #[test]
    fn the_root_does_not_depend_on_the_order_pairs_come_in() {
        let pairs: Vec<_> = (0..40).map(|i| pair(&format!("m{i}"), "v")).collect();
        let mut reversed = pairs.clone();
        reversed.reverse();
        assert_eq!(SparseMap::new(pairs).root(), SparseMap::new(reversed).root());
    }

    /// The vector of docs/REPORTS.md ("Status map"), computed there by an
    /// independent implementation: five USCCs, each mapped to
    /// `SHA-256("status of " ‖ USCC)`.
    #[test]
    fn status_map_test_vector() {
        use base64::Engine as _;
        let b64 = |h: &Hash| base64::engine::general_purpose::STANDARD.encode(h);
        let names = (1..=5).map(|i| format!("91370102MA3C0000{i}X"));
        let map = SparseMap::new(names.map(|n| pair(&n, &format!("status of {n}"))).collect());
        assert_eq!(b64(&map.root()), "1vD1UiQMDs1kwb30ACZsa2scLBEsLOuUkWrHZl690mI=");
        let member = map_key(b"91370102MA3C00003X");
        let absent = map_key(b"91370102MA3C00009X");
        for key in [member, absent] {
            let proof = map.prove(&key);
            let siblings: Vec<String> = proof.siblings.iter().map(b64).collect();
            assert_eq!(siblings, ["tcP1M3Cn0ClrVJNG5HBu+6Sw88n2QhrhnoSjku9NLHo="]);
            let (k, v) = proof.leaf.unwrap();
            assert_eq!(b64(&k), "M/VG1mFXvHr1/5jnQJ/CWctoJZ5jJ55ZqUhqXUqWXtg=");
            assert_eq!(b64(&v), "E3194aG3SB2qUL1JwS+OdBldzQhIE8aayrMpH9oGxGQ=");
        }
        assert_eq!(
            verify_map_proof(&map.root(), &member, &map.prove(&member)).unwrap().map(|v| b64(&v)).as_deref(),
            Some("E3194aG3SB2qUL1JwS+OdBldzQhIE8aayrMpH9oGxGQ=")
        );
        assert_eq!(verify_map_proof(&map.root(), &absent, &map.prove(&absent)), Ok(None));
    }
}

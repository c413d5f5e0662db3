//! RFC 6962 §2.1 hashing: domain-separated leaf and node hashes and the
//! Merkle Tree Hash (MTH) of a list of leaves.

use sha2::{Digest, Sha256};

/// A SHA-256 output: leaf hashes, interior node hashes and tree roots.
pub type Hash = [u8; 32];

/// Length in bytes of a [`Hash`](type@Hash).
pub const HASH_SIZE: usize = 32;

/// `SHA-256(0x00 || data)`: the hash of one log entry.
///
/// The `0x00` prefix keeps a leaf from ever hashing like an interior node
/// (RFC 6962 §2.1, second-preimage resistance).
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([0x00]);
    hasher.update(data);
    hasher.finalize().into()
}

/// `SHA-256(0x01 || left || right)`: the hash of an interior node.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([0x01]);
    hasher.update(left);
    hasher.update(right);
    hasher.finalize().into()
}

/// `SHA-256("")`: the root of the empty tree (RFC 6962 §2.1, `MTH({})`).
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// The Merkle Tree Hash of `leaves` (already leaf-hashed), computed directly
/// from the RFC 6962 definition: split at the largest power of two smaller
/// than the length and recurse.
///
/// This is the reference the stored-tree functions are tested against; it
/// hashes every node, so use [`crate::tree_hash`] for large stored trees.
pub fn root_from_leaf_hashes(leaves: &[Hash]) -> Hash {
    match leaves {
        [] => empty_root(),
        [single] => *single,
        _ => {
            // usize → u64 is lossless on every supported target, and the split
            // point is smaller than the length, so it fits back into usize.
            let split = largest_power_of_two_below(leaves.len() as u64) as usize;
            let (left, right) = leaves.split_at(split);
            node_hash(&root_from_leaf_hashes(left), &root_from_leaf_hashes(right))
        }
    }
}

/// The largest power of two strictly smaller than `n`, for `n >= 2`
/// (RFC 6962's `k`). Returns 1 for smaller inputs so callers never underflow.
pub(crate) fn largest_power_of_two_below(n: u64) -> u64 {
    if n < 2 {
        return 1;
    }
    1 << (63 - (n - 1).leading_zeros())
}

/// Lowercase hex of a hash, for logs, URLs and database columns.
pub fn hash_to_hex(hash: &Hash) -> String {
    hex::encode(hash)
}

/// Parses 64 hex digits (either case) into a hash.
pub fn hash_from_hex(text: &str) -> Result<Hash, HashFromHexError> {
    let mut hash = [0u8; HASH_SIZE];
    match hex::decode_to_slice(text, &mut hash) {
        Ok(()) => Ok(hash),
        Err(hex::FromHexError::InvalidStringLength | hex::FromHexError::OddLength) => {
            Err(HashFromHexError::WrongLength { len: text.len() })
        }
        Err(hex::FromHexError::InvalidHexCharacter { index, .. }) => Err(HashFromHexError::InvalidCharacter { index }),
    }
}

/// Why [`hash_from_hex`] rejected its input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HashFromHexError {
    #[error("a hex hash has 64 digits, got {len} characters")]
    WrongLength { len: usize },
    #[error("character {index} is not a hex digit")]
    InvalidCharacter { index: usize },
}

impl HashFromHexError {
    /// Stable snake_case identifier for API error bodies.
    pub fn code(&self) -> &'static str {
        match self {
            Self::WrongLength { .. } => "hash_hex_wrong_length",
            Self::InvalidCharacter { .. } => "hash_hex_invalid_character",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_point_is_the_largest_power_of_two_below_n() {
        let cases = [(2, 1), (3, 2), (4, 2), (5, 4), (8, 4), (9, 8), (1 << 40, 1 << 39)];
        for (n, k) in cases {
            assert_eq!(largest_power_of_two_below(n), k, "n = {n}");
        }
        assert_eq!(largest_power_of_two_below(u64::MAX), 1 << 63);
    }

    #[test]
    fn hex_round_trips_and_rejects_bad_input() {
        let hash = leaf_hash(b"x");
        assert_eq!(hash_from_hex(&hash_to_hex(&hash)), Ok(hash));
        assert_eq!(hash_from_hex(&hash_to_hex(&hash).to_uppercase()), Ok(hash));
        assert_eq!(hash_from_hex("abc"), Err(HashFromHexError::WrongLength { len: 3 }));
        let mut bad = hash_to_hex(&hash);
        bad.replace_range(10..11, "g");
        assert_eq!(hash_from_hex(&bad), Err(HashFromHexError::InvalidCharacter { index: 10 }));
    }
}

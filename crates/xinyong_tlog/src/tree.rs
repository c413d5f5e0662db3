//! Trees held as stored complete subtrees.
//!
//! A log store keeps every *complete* subtree hash: node `(level, index)`
//! covers leaves `[index << level, (index + 1) << level)` and exists once all
//! of those leaves exist. Level 0 holds the leaf hashes. Any tree size — the
//! current one or an older one — can be hashed from these nodes, so nothing
//! has to be stored per tree size.

use crate::hash::{Hash, empty_root, largest_power_of_two_below, node_hash};

/// Read access to stored complete subtree hashes.
///
/// Implemented for closures `FnMut(u8, u64) -> Result<Hash, E>`, so a
/// database lookup, a cache or a `HashMap` can be passed inline.
pub trait NodeSource {
    /// What a failed lookup returns (a database error, a missing node, …).
    type Error;

    /// The hash of complete node `(level, index)`.
    fn node(&mut self, level: u8, index: u64) -> Result<Hash, Self::Error>;
}

impl<E, F> NodeSource for F
where
    F: FnMut(u8, u64) -> Result<Hash, E>,
{
    type Error = E;

    fn node(&mut self, level: u8, index: u64) -> Result<Hash, E> {
        self(level, index)
    }
}

/// The root of the tree made of the first `size` leaves (`MTH(D[0:size])`),
/// reading only complete nodes. Reads at most about `log2(size)` nodes.
pub fn tree_hash<S>(size: u64, src: &mut S) -> Result<Hash, S::Error>
where
    S: NodeSource + ?Sized,
{
    subtree_hash(0, size, src)
}

/// The Merkle Tree Hash of leaves `[start, end)`.
///
/// An aligned power-of-two range is one stored node; any other range is
/// split the RFC 6962 way (largest power of two smaller than its length),
/// so the result equals the MTH of that slice of leaves for *any* range.
/// An empty (or inverted) range hashes as the empty tree.
pub fn subtree_hash<S>(start: u64, end: u64, src: &mut S) -> Result<Hash, S::Error>
where
    S: NodeSource + ?Sized,
{
    if end <= start {
        return Ok(empty_root());
    }
    let len = end - start;
    if len.is_power_of_two() && start.is_multiple_of(len) {
        // trailing_zeros of a u64 is at most 63 here, so it fits in a u8.
        let level = len.trailing_zeros() as u8;
        return src.node(level, start >> level);
    }
    let split = start + largest_power_of_two_below(len);
    let left = subtree_hash(start, split, src)?;
    let right = subtree_hash(split, end, src)?;
    Ok(node_hash(&left, &right))
}

/// The nodes that become complete when the leaf at `index` (0-based, so the
/// tree grows from `index` to `index + 1` leaves) with hash `leaf` is
/// appended: `(0, index, leaf)` first, then every ancestor that the new leaf
/// completes, bottom-up. Left siblings are read from `src`.
///
/// Storing all returned nodes keeps the store's invariant that every
/// complete node exists.
pub fn nodes_completed_by_append<S>(index: u64, leaf: Hash, src: &mut S) -> Result<Vec<(u8, u64, Hash)>, S::Error>
where
    S: NodeSource + ?Sized,
{
    let mut completed = vec![(0, index, leaf)];
    let (mut level, mut node_index, mut hash) = (0u8, index, leaf);
    // A node completes its parent exactly when it is a right child (odd
    // index); a u64 index has at most 64 such steps, so `level` fits in u8.
    while node_index & 1 == 1 {
        let left = src.node(level, node_index - 1)?;
        hash = node_hash(&left, &hash);
        level += 1;
        node_index >>= 1;
        completed.push((level, node_index, hash));
    }
    Ok(completed)
}

/// An in-memory append-only tree storing every complete node, level by level.
///
/// Handy for tests, benchmarks and caches. It implements [`NodeSource`] (by
/// value and by shared reference) with [`MissingNode`] as the error, so all
/// the stored-tree functions work on it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemoryTree {
    // levels[l][i] is node (l, i); level l holds exactly size >> l nodes.
    levels: Vec<Vec<Hash>>,
}

/// A node that a [`MemoryTree`] does not hold (not complete at its size).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("tree node (level {level}, index {index}) is not stored")]
pub struct MissingNode {
    pub level: u8,
    pub index: u64,
}

impl MemoryTree {
    /// An empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// A tree holding the given leaf hashes, in order.
    pub fn from_leaf_hashes<I: IntoIterator<Item = Hash>>(leaves: I) -> Self {
        let mut tree = Self::new();
        for leaf in leaves {
            tree.push(leaf);
        }
        tree
    }

    /// Appends a leaf hash and every node it completes.
    pub fn push(&mut self, leaf: Hash) {
        let mut hash = leaf;
        let mut level = 0;
        loop {
            if self.levels.len() == level {
                self.levels.push(Vec::new());
            }
            let Some(nodes) = self.levels.get_mut(level) else {
                return;
            };
            nodes.push(hash);
            // The new node completes its parent when it is a right child.
            let len = nodes.len();
            if len % 2 == 1 {
                return;
            }
            hash = node_hash(&nodes[len - 2], &hash);
            level += 1;
        }
    }

    /// Leaf-hashes `data`, appends it and returns the leaf hash.
    pub fn push_data(&mut self, data: &[u8]) -> Hash {
        let leaf = crate::hash::leaf_hash(data);
        self.push(leaf);
        leaf
    }

    /// Number of leaves.
    pub fn size(&self) -> u64 {
        self.levels.first().map_or(0, |leaves| leaves.len() as u64)
    }

    /// Root of the whole tree.
    pub fn root(&self) -> Hash {
        let size = self.size();
        // The root folds the right-edge complete nodes, one per set bit of
        // the size; level l holds size >> l nodes, so that node is its last.
        self.levels
            .iter()
            .enumerate()
            .filter(|(level, _)| (size >> level) & 1 == 1)
            .filter_map(|(_, nodes)| nodes.last())
            .fold(None, |right: Option<Hash>, node| {
                Some(match right {
                    None => *node,
                    Some(right) => node_hash(node, &right),
                })
            })
            .unwrap_or_else(empty_root)
    }

    /// Root of the tree made of the first `size` leaves.
    pub fn root_at(&self, size: u64) -> Result<Hash, MissingNode> {
        tree_hash(size, &mut &*self)
    }

    /// Stored node `(level, index)`, if complete.
    pub fn node(&self, level: u8, index: u64) -> Option<Hash> {
        let nodes = self.levels.get(usize::from(level))?;
        nodes.get(usize::try_from(index).ok()?).copied()
    }

    /// Inclusion proof of leaf `index` in the tree of size `size`.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, crate::ProofError<MissingNode>> {
        crate::inclusion_proof(index, size, &mut &*self)
    }

    /// Consistency proof from tree size `old_size` to `new_size`.
    pub fn consistency_proof(&self, old_size: u64, new_size: u64) -> Result<Vec<Hash>, crate::ProofError<MissingNode>> {
        crate::consistency_proof(old_size, new_size, &mut &*self)
    }
}

impl NodeSource for &MemoryTree {
    type Error = MissingNode;

    fn node(&mut self, level: u8, index: u64) -> Result<Hash, MissingNode> {
        MemoryTree::node(self, level, index).ok_or(MissingNode { level, index })
    }
}

impl NodeSource for MemoryTree {
    type Error = MissingNode;

    fn node(&mut self, level: u8, index: u64) -> Result<Hash, MissingNode> {
        MemoryTree::node(self, level, index).ok_or(MissingNode { level, index })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::{leaf_hash, root_from_leaf_hashes};

    #[test]
    fn memory_tree_root_matches_the_reference_for_small_sizes() {
        let mut tree = MemoryTree::new();
        let mut leaves = Vec::new();
        assert_eq!(tree.root(), empty_root());
        for i in 0u32..70 {
            let leaf = leaf_hash(&i.to_be_bytes());
            tree.push(leaf);
            leaves.push(leaf);
            assert_eq!(tree.root(), root_from_leaf_hashes(&leaves), "size {}", i + 1);
            assert_eq!(tree.root_at(tree.size()), Ok(tree.root()));
        }
    }

    #[test]
    fn hashing_past_the_stored_size_reports_the_missing_node() {
        let tree = MemoryTree::from_leaf_hashes([leaf_hash(b"a"), leaf_hash(b"b")]);
        assert_eq!(tree.root_at(3), Err(MissingNode { level: 0, index: 2 }));
    }

    #[test]
    fn closures_are_node_sources() {
        let tree = MemoryTree::from_leaf_hashes((0u8..5).map(|i| leaf_hash(&[i])));
        let mut reads = 0;
        let mut src = |level: u8, index: u64| {
            reads += 1;
            tree.node(level, index).ok_or("missing")
        };
        assert_eq!(tree_hash(5, &mut src), Ok(tree.root()));
        // Size 5 = complete node (2, 0) plus leaf 4.
        assert_eq!(reads, 2);
    }
}

#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod checkpoint;
mod cosignature;
mod hash;
mod map;
mod note;
mod proof;
mod tlog_proof;
mod tree;
mod verify;

pub use checkpoint::{Checkpoint, CheckpointError, open_checkpoint, sign_checkpoint};
pub use cosignature::{
    AddCheckpoint, CosignatureSigner, CosignatureVerifier, MAX_WITNESS_PROOF_LINES, checkpoint_body,
};
pub use hash::{
    HASH_SIZE, Hash, HashFromHexError, empty_root, hash_from_hex, hash_to_hex, leaf_hash, node_hash,
    root_from_leaf_hashes,
};
pub use map::{
    EMPTY as EMPTY_MAP_ROOT, MAX_MAP_PROOF_SIBLINGS, MapProof, MapProofError, SparseMap, map_key, map_leaf_hash,
    verify_map_proof,
};
pub use note::{
    MAX_NOTE_SIGNATURES, NoteError, NoteSigner, NoteVerifier, ed25519_key_id, is_valid_key_name, open_note,
};
pub use proof::{ProofError, consistency_proof, inclusion_proof};
pub use tlog_proof::{
    MAX_CONSISTENCY_PROOF_HASHES, MAX_INCLUSION_PROOF_HASHES, ProofFormatError, TLOG_PROOF_HEADER, TlogProof,
    TlogProofError, format_hash_lines, parse_hash_lines, verify_tlog_proof, verify_tlog_proof_for_leaf_hash,
};
pub use tree::{MemoryTree, MissingNode, NodeSource, nodes_completed_by_append, subtree_hash, tree_hash};
pub use verify::{VerifyError, root_from_inclusion_proof, verify_consistency, verify_inclusion};

//! The log context: the canonical entry format and the body commitment. The
//! Merkle tree math lives in `xinyong_tlog`; appending, proofs and
//! checkpoints in `xinyong_core::log`.

mod entry;

pub use entry::*;

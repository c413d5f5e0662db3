//! The log context: the canonical entry format and the body commitment, and
//! the log's own events (a change of signing key). The Merkle tree math
//! lives in `xinyong_tlog`; appending, proofs and checkpoints in
//! `xinyong_core::log`.

pub mod disclosure;
mod entry;
mod events;
mod tables;

pub use entry::*;
pub use events::*;
pub use tables::*;

//! The log context's projection tables.

use crate::projection::TableSpec;

crate::projection::table! {
    /// Every change of the checkpoint signing key (from `log_key_rotated`):
    /// checkpoints of a tree larger than `from_index` are signed by
    /// `verifier_key`. The first key of a log has no row; it is the
    /// `previous_key` of the first rotation, or the only key there was.
    pub struct LogKeyRow in LOG_KEYS = "log_keys" {
        key { from_index: u64 }
        key_id: String,
        verifier_key: String,
        previous_key: String,
        seq: u64,
    }
}

pub fn tables() -> Vec<&'static TableSpec> {
    vec![&LOG_KEYS]
}

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

crate::projection::table! {
    /// As a witness: the latest checkpoint this platform cosigned for each
    /// peer log (C2SP tlog-witness keeps exactly this).
    pub struct WitnessedLogRow in WITNESSED_LOGS = "witnessed_logs" {
        key { origin: String }
        size: u64,
        /// Base64 root hash.
        root: String,
        seq: u64,
    }
}

crate::projection::table! {
    /// Witnesses' cosignatures on this log's checkpoints.
    pub struct CheckpointCosignatureRow in CHECKPOINT_COSIGNATURES = "checkpoint_cosignatures" {
        key { size: u64, witness: String }
        cosignature: String,
        seq: u64,
    }
}

pub fn tables() -> Vec<&'static TableSpec> {
    vec![&LOG_KEYS, &WITNESSED_LOGS, &CHECKPOINT_COSIGNATURES]
}

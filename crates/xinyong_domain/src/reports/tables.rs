//! The reports context's projection table.

use crate::projection::TableSpec;

crate::projection::table! {
    /// Every credit report issued: what anyone holding one can look up by
    /// its id (the QR code's address) to see that it was issued, when, and
    /// the digest of its signed content.
    pub struct ReportRow in REPORTS = "reports" {
        key { report_id: String }
        /// USCC of the legal person the report is about.
        subject: String,
        /// `public` (公开版) or `full` (完整版).
        version: String,
        /// Where it was asked for: `portal`, `my` (the company itself) or `cli`.
        channel: String,
        /// The tree size of the checkpoint every proof in it refers to.
        checkpoint_size: u64,
        /// How many records it proves.
        records: u64,
        /// Base64url SHA-256 of the signed payload (docs/REPORTS.md).
        payload_digest: String,
        /// When it was issued, ms since the epoch.
        issued_ms: i64,
        seq: u64,
    }
}

crate::projection::table! {
    /// Every status map committed (`status_map_committed`), by the log size
    /// its statuses were read at (each commitment grows the log, so the
    /// next one reads a larger size): a report proves a subject's status
    /// against one.
    pub struct StatusMapRow in STATUS_MAPS = "status_maps" {
        key { log_size: u64 }
        /// Standard base64 of the map's root.
        root: String,
        /// The China date the statuses were judged on.
        as_of: String,
        subjects: u64,
        committed_ms: i64,
        /// The log index of the `status_map_committed` entry.
        seq: u64,
    }
}

/// The tables this context owns, in the order `verify` checks them.
pub fn tables() -> Vec<&'static TableSpec> {
    vec![&REPORTS, &STATUS_MAPS]
}

//! The rules context's projection table.

use chrono::NaiveDate;

use crate::projection::TableSpec;

crate::projection::table! {
    /// Every published version of every rule set (catalog, publicity
    /// regimes, list types, measures, calendar years).
    pub struct RuleSetRow in RULE_SETS = "rule_sets" {
        key { kind: String, version: String }
        sha256: String,
        text: String,
        /// First day in force (China Standard Time); NULL: from publication.
        effective: Option<NaiveDate>,
        seq: u64,
    }
}

/// The tables this context owns, in the order `verify` checks them.
pub fn tables() -> Vec<&'static TableSpec> {
    vec![&RULE_SETS]
}

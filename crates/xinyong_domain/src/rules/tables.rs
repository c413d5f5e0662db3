//! The rules context's projection table.

use crate::projection::TableSpec;

crate::projection::table! {
    /// Versions of the rule sets (catalog, publicity regimes, …) ever in force.
    pub struct RuleSetRow in RULE_SETS = "rule_sets" {
        key { kind: String, version: String }
        sha256: String,
        text: String,
        seq: u64,
    }
}

/// The tables this context owns, in the order `verify` checks them.
pub fn tables() -> Vec<&'static TableSpec> {
    vec![&RULE_SETS]
}

//! Records received from departments (归集) and the batches they came in, as
//! logged. Validation and publicity rules live in `catalog`, `record` and
//! `publicity`.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::auth::DepartmentCode;

/// Who a record is about, as stored with the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordSubject {
    /// `legal_person` (USCC) or `natural_person` (ID number).
    pub kind: String,
    /// The USCC or ID number.
    pub key: String,
    pub name: String,
}

impl RecordSubject {
    pub fn is_natural_person(&self) -> bool {
        self.kind == "natural_person"
    }
}

/// The publicity decision stored with a record (see `publicity`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordPublicity {
    pub regime: String,
    pub severity: Option<String>,
    pub public: bool,
    /// Stable code of the reason a record is not published.
    pub non_public_reason: Option<String>,
    pub window_start: Option<NaiveDate>,
    pub earliest_end: Option<NaiveDate>,
    pub latest_end: Option<NaiveDate>,
    pub repairable: bool,
}

/// A record as accepted into the platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptedRecord {
    pub id: String,
    pub department: DepartmentCode,
    pub item: String,
    pub catalog_version: String,
    pub batch_id: String,
    pub document_number: String,
    pub subject: RecordSubject,
    pub decision_date: NaiveDate,
    pub received_date: NaiveDate,
    /// Working days from decision to receipt on the official calendar;
    /// `None` when a year in between has no published schedule yet.
    pub working_days: Option<i64>,
    pub deadline_working_days: u32,
    pub publicity: RecordPublicity,
    /// Every field as normalised, by field code (personal ones included).
    pub fields: BTreeMap<String, String>,
}

/// The idempotency key of a record: department + catalog item + decision
/// document number + subject. Its digest is the record id.
pub fn record_id(department: &str, item: &str, document_number: &str, subject_key: &str) -> String {
    let mut h = Sha256::new();
    for part in [department, item, document_number, subject_key] {
        h.update(part.as_bytes());
        h.update([0x1f]);
    }
    let digest = h.finalize();
    format!("r{}", hex_prefix(&digest, 10))
}

fn hex_prefix(bytes: &[u8], n: usize) -> String {
    bytes.iter().take(n).map(|b| format!("{b:02x}")).collect()
}

/// One changed field of a corrected record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// The field-level diff between two versions of a record's fields.
pub fn diff_fields(old: &BTreeMap<String, String>, new: &BTreeMap<String, String>) -> Vec<FieldChange> {
    let mut keys: Vec<&String> = old.keys().chain(new.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| old.get(*k) != new.get(*k))
        .map(|k| FieldChange { field: k.clone(), old: old.get(k).cloned(), new: new.get(k).cloned() })
        .collect()
}

/// A problem with one field of one row, as reported to the clerk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowIssue {
    pub field: String,
    pub code: String,
    pub message: String,
}

/// A row that was rejected or accepted with warnings, kept for the result
/// page and the downloadable error report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowReport {
    /// Row number as the clerk sees it in the file.
    pub row: u64,
    /// `rejected` or `accepted_with_warnings`.
    pub status: String,
    pub cells: Vec<String>,
    pub issues: Vec<RowIssue>,
}

/// A batch as received: where it came from and what happened to its rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchSummary {
    pub id: String,
    pub department: DepartmentCode,
    pub item: String,
    pub catalog_version: String,
    /// `api`, `upload` or `cli`.
    pub source: String,
    pub file_name: Option<String>,
    pub idempotency_key: Option<String>,
    pub received_date: NaiveDate,
    pub rows_total: u64,
    pub accepted: u64,
    pub corrected: u64,
    pub duplicates: u64,
    pub rejected: u64,
    pub warnings: u64,
    pub headers: Vec<String>,
    pub reports: Vec<RowReport>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_ids_depend_on_every_key_part_and_nothing_else() {
        let a = record_id("scjgj", "CF", "济市监罚〔2026〕1号", "91350100M000100Y43");
        assert_eq!(a, record_id("scjgj", "CF", "济市监罚〔2026〕1号", "91350100M000100Y43"));
        assert_ne!(a, record_id("scjgj", "CF", "济市监罚〔2026〕2号", "91350100M000100Y43"));
        assert_ne!(a, record_id("swj", "CF", "济市监罚〔2026〕1号", "91350100M000100Y43"));
        // The separator keeps ("ab","c") and ("a","bc") apart.
        assert_ne!(record_id("ab", "c", "d", "e"), record_id("a", "bc", "d", "e"));
        assert_eq!(a.len(), 21);
    }

    #[test]
    fn diffs_name_changed_added_and_removed_fields() {
        let old = BTreeMap::from([("A".to_owned(), "1".to_owned()), ("B".to_owned(), "2".to_owned())]);
        let new = BTreeMap::from([
            ("A".to_owned(), "1".to_owned()),
            ("B".to_owned(), "3".to_owned()),
            ("C".to_owned(), "x".to_owned()),
        ]);
        let d = diff_fields(&old, &new);
        assert_eq!(d.len(), 2);
        assert_eq!(d[0], FieldChange { field: "B".into(), old: Some("2".into()), new: Some("3".into()) });
        assert_eq!(d[1].old, None);
    }
}

//! Records received from departments (归集) and the batches they came in:
//! the events and projection tables. Validation and publicity rules live in
//! `catalog`, `record` and `publicity`; this module is what gets logged.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::org::DepartmentCode;
use crate::projection::{Cell, ProjectionWrite, TableSpec, int_col, text_col};

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

pub static RECORDS: TableSpec = TableSpec {
    name: "records",
    columns: &[
        text_col("id"),
        text_col("department"),
        text_col("item"),
        text_col("document_number"),
        text_col("subject_kind"),
        text_col("subject_key"),
        text_col("subject_name"),
        text_col("decision_date"),
        text_col("received_date"),
        int_col("working_days"),
        int_col("deadline_working_days"),
        text_col("catalog_version"),
        text_col("batch_id"),
        int_col("public"),
        text_col("non_public_reason"),
        text_col("severity"),
        text_col("regime"),
        text_col("window_start"),
        text_col("earliest_end"),
        text_col("latest_end"),
        int_col("repairable"),
        text_col("fields"),
        int_col("seq"),
    ],
    key_len: 1,
};

pub static BATCHES: TableSpec = TableSpec {
    name: "batches",
    columns: &[
        text_col("id"),
        text_col("department"),
        text_col("item"),
        text_col("catalog_version"),
        text_col("source"),
        text_col("file_name"),
        text_col("idempotency_key"),
        text_col("received_date"),
        int_col("rows_total"),
        int_col("accepted"),
        int_col("corrected"),
        int_col("duplicates"),
        int_col("rejected"),
        int_col("warnings"),
        text_col("headers"),
        int_col("seq"),
    ],
    key_len: 1,
};

pub static BATCH_ROWS: TableSpec = TableSpec {
    name: "batch_rows",
    columns: &[
        text_col("batch_id"),
        int_col("row_number"),
        text_col("status"),
        text_col("cells"),
        text_col("issues"),
        int_col("seq"),
    ],
    key_len: 2,
};

fn date(d: NaiveDate) -> Cell {
    Cell::text(d.format("%Y-%m-%d").to_string())
}

fn opt_date(d: Option<NaiveDate>) -> Cell {
    d.map_or(Cell::Null, date)
}

fn json<T: Serialize>(v: &T) -> Cell {
    // Plain data: serialisation cannot fail.
    Cell::text(serde_json::to_string(v).unwrap_or_default())
}

pub(crate) fn record_write(r: &AcceptedRecord, seq: u64) -> ProjectionWrite {
    let p = &r.publicity;
    ProjectionWrite::Upsert {
        table: &RECORDS,
        row: vec![
            Cell::text(r.id.as_str()),
            Cell::text(r.department.as_str()),
            Cell::text(r.item.as_str()),
            Cell::text(r.document_number.as_str()),
            Cell::text(r.subject.kind.as_str()),
            Cell::text(r.subject.key.as_str()),
            Cell::text(r.subject.name.as_str()),
            date(r.decision_date),
            date(r.received_date),
            r.working_days.map_or(Cell::Null, Cell::Int),
            Cell::Int(i64::from(r.deadline_working_days)),
            Cell::text(r.catalog_version.as_str()),
            Cell::text(r.batch_id.as_str()),
            Cell::Int(i64::from(p.public)),
            Cell::opt_text(p.non_public_reason.clone()),
            Cell::opt_text(p.severity.clone()),
            Cell::text(p.regime.as_str()),
            opt_date(p.window_start),
            opt_date(p.earliest_end),
            opt_date(p.latest_end),
            Cell::Int(i64::from(p.repairable)),
            json(&r.fields),
            Cell::int(seq),
        ],
    }
}

pub(crate) fn batch_writes(b: &BatchSummary, seq: u64) -> Vec<ProjectionWrite> {
    let mut writes = vec![ProjectionWrite::Upsert {
        table: &BATCHES,
        row: vec![
            Cell::text(b.id.as_str()),
            Cell::text(b.department.as_str()),
            Cell::text(b.item.as_str()),
            Cell::text(b.catalog_version.as_str()),
            Cell::text(b.source.as_str()),
            Cell::opt_text(b.file_name.clone()),
            Cell::opt_text(b.idempotency_key.clone()),
            date(b.received_date),
            Cell::int(b.rows_total),
            Cell::int(b.accepted),
            Cell::int(b.corrected),
            Cell::int(b.duplicates),
            Cell::int(b.rejected),
            Cell::int(b.warnings),
            json(&b.headers),
            Cell::int(seq),
        ],
    }];
    for report in &b.reports {
        writes.push(ProjectionWrite::Upsert {
            table: &BATCH_ROWS,
            row: vec![
                Cell::text(b.id.as_str()),
                Cell::int(report.row),
                Cell::text(report.status.as_str()),
                json(&report.cells),
                json(&report.issues),
                Cell::int(seq),
            ],
        });
    }
    writes
}

/// Reads a stored `records` row back into a record.
pub fn record_from_row(row: &[Cell]) -> Option<AcceptedRecord> {
    let t = |i: usize| row.get(i).and_then(Cell::as_str);
    let n = |i: usize| row.get(i).and_then(Cell::as_i64);
    let d = |i: usize| t(i).and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok());
    Some(AcceptedRecord {
        id: t(0)?.to_owned(),
        department: DepartmentCode::parse(t(1)?).ok()?,
        item: t(2)?.to_owned(),
        document_number: t(3)?.to_owned(),
        subject: RecordSubject { kind: t(4)?.to_owned(), key: t(5)?.to_owned(), name: t(6)?.to_owned() },
        decision_date: d(7)?,
        received_date: d(8)?,
        working_days: n(9),
        deadline_working_days: u32::try_from(n(10)?).ok()?,
        catalog_version: t(11)?.to_owned(),
        batch_id: t(12)?.to_owned(),
        publicity: RecordPublicity {
            public: n(13)? != 0,
            non_public_reason: t(14).map(str::to_owned),
            severity: t(15).map(str::to_owned),
            regime: t(16)?.to_owned(),
            window_start: d(17),
            earliest_end: d(18),
            latest_end: d(19),
            repairable: n(20)? != 0,
        },
        fields: serde_json::from_str(t(21)?).ok()?,
    })
}

/// Reads a stored `batches` row back (without its row reports).
pub fn batch_from_row(row: &[Cell]) -> Option<BatchSummary> {
    let t = |i: usize| row.get(i).and_then(Cell::as_str);
    let n = |i: usize| row.get(i).and_then(Cell::as_i64).and_then(|v| u64::try_from(v).ok());
    Some(BatchSummary {
        id: t(0)?.to_owned(),
        department: DepartmentCode::parse(t(1)?).ok()?,
        item: t(2)?.to_owned(),
        catalog_version: t(3)?.to_owned(),
        source: t(4)?.to_owned(),
        file_name: t(5).map(str::to_owned),
        idempotency_key: t(6).map(str::to_owned),
        received_date: NaiveDate::parse_from_str(t(7)?, "%Y-%m-%d").ok()?,
        rows_total: n(8)?,
        accepted: n(9)?,
        corrected: n(10)?,
        duplicates: n(11)?,
        rejected: n(12)?,
        warnings: n(13)?,
        headers: serde_json::from_str(t(14)?).ok()?,
        reports: Vec::new(),
    })
}

/// Reads a stored `batch_rows` row back.
pub fn row_report_from_row(row: &[Cell]) -> Option<RowReport> {
    let t = |i: usize| row.get(i).and_then(Cell::as_str);
    Some(RowReport {
        row: u64::try_from(row.get(1)?.as_i64()?).ok()?,
        status: t(2)?.to_owned(),
        cells: serde_json::from_str(t(3)?).ok()?,
        issues: serde_json::from_str(t(4)?).ok()?,
    })
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

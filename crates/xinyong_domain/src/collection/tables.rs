//! The collection context's projection tables: records as received, and the
//! batches they came in with their rejected and warned rows.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::auth::DepartmentCode;
use crate::collection::{AcceptedRecord, BatchSummary, RecordPublicity, RecordSubject, RowIssue, RowReport};
use crate::projection::{Json, TableSpec};

crate::projection::table! {
    /// Records received from departments, one row per record id (the latest
    /// version; corrections replace the row).
    pub struct RecordRow in RECORDS = "records" {
        key { id: String }
        department: DepartmentCode,
        item: String,
        document_number: String,
        subject_kind: String,
        /// A USCC, or a natural person's ID number.
        subject_key: String [personal],
        subject_name: String,
        decision_date: NaiveDate,
        received_date: NaiveDate,
        working_days: Option<i64>,
        deadline_working_days: u32,
        catalog_version: String,
        batch_id: String,
        public: bool,
        non_public_reason: Option<String>,
        severity: Option<String>,
        regime: String,
        window_start: Option<NaiveDate>,
        earliest_end: Option<NaiveDate>,
        latest_end: Option<NaiveDate>,
        repairable: bool,
        /// Every field as normalised, by field code (personal ones included).
        fields: Json<BTreeMap<String, String>>,
        seq: u64,
    }
}

crate::projection::table! {
    /// Batches as received, with their counts.
    pub struct BatchRow in BATCHES = "batches" {
        key { id: String }
        department: DepartmentCode,
        item: String,
        catalog_version: String,
        source: String,
        file_name: Option<String>,
        idempotency_key: Option<String>,
        received_date: NaiveDate,
        rows_total: u64,
        accepted: u64,
        corrected: u64,
        duplicates: u64,
        rejected: u64,
        warnings: u64,
        headers: Json<Vec<String>>,
        seq: u64,
    }
}

crate::projection::table! {
    /// The rejected and warned rows of a batch, for the result page and the
    /// error report.
    pub struct BatchReportRow in BATCH_ROWS = "batch_rows" {
        key { batch_id: String, row_number: u64 }
        status: String,
        cells: Json<Vec<String>>,
        issues: Json<Vec<RowIssue>>,
        seq: u64,
    }
}

/// The tables this context owns, in the order `verify` checks them.
pub fn tables() -> Vec<&'static TableSpec> {
    vec![&RECORDS, &BATCHES, &BATCH_ROWS]
}

impl RecordRow {
    pub fn from_record(r: &AcceptedRecord, seq: u64) -> RecordRow {
        let p = &r.publicity;
        RecordRow {
            id: r.id.clone(),
            department: r.department.clone(),
            item: r.item.clone(),
            document_number: r.document_number.clone(),
            subject_kind: r.subject.kind.clone(),
            subject_key: r.subject.key.clone(),
            subject_name: r.subject.name.clone(),
            decision_date: r.decision_date,
            received_date: r.received_date,
            working_days: r.working_days,
            deadline_working_days: r.deadline_working_days,
            catalog_version: r.catalog_version.clone(),
            batch_id: r.batch_id.clone(),
            public: p.public,
            non_public_reason: p.non_public_reason.clone(),
            severity: p.severity.clone(),
            regime: p.regime.clone(),
            window_start: p.window_start,
            earliest_end: p.earliest_end,
            latest_end: p.latest_end,
            repairable: p.repairable,
            fields: Json(r.fields.clone()),
            seq,
        }
    }

    /// The record as accepted (without its log index).
    pub fn into_record(self) -> AcceptedRecord {
        AcceptedRecord {
            id: self.id,
            department: self.department,
            item: self.item,
            catalog_version: self.catalog_version,
            batch_id: self.batch_id,
            document_number: self.document_number,
            subject: RecordSubject { kind: self.subject_kind, key: self.subject_key, name: self.subject_name },
            decision_date: self.decision_date,
            received_date: self.received_date,
            working_days: self.working_days,
            deadline_working_days: self.deadline_working_days,
            publicity: RecordPublicity {
                regime: self.regime,
                severity: self.severity,
                public: self.public,
                non_public_reason: self.non_public_reason,
                window_start: self.window_start,
                earliest_end: self.earliest_end,
                latest_end: self.latest_end,
                repairable: self.repairable,
            },
            fields: self.fields.0,
        }
    }
}

impl BatchRow {
    pub fn from_summary(b: &BatchSummary, seq: u64) -> BatchRow {
        BatchRow {
            id: b.id.clone(),
            department: b.department.clone(),
            item: b.item.clone(),
            catalog_version: b.catalog_version.clone(),
            source: b.source.clone(),
            file_name: b.file_name.clone(),
            idempotency_key: b.idempotency_key.clone(),
            received_date: b.received_date,
            rows_total: b.rows_total,
            accepted: b.accepted,
            corrected: b.corrected,
            duplicates: b.duplicates,
            rejected: b.rejected,
            warnings: b.warnings,
            headers: Json(b.headers.clone()),
            seq,
        }
    }

    /// The batch as received, without its row reports (they are rows of
    /// [`BATCH_ROWS`]).
    pub fn into_summary(self) -> BatchSummary {
        BatchSummary {
            id: self.id,
            department: self.department,
            item: self.item,
            catalog_version: self.catalog_version,
            source: self.source,
            file_name: self.file_name,
            idempotency_key: self.idempotency_key,
            received_date: self.received_date,
            rows_total: self.rows_total,
            accepted: self.accepted,
            corrected: self.corrected,
            duplicates: self.duplicates,
            rejected: self.rejected,
            warnings: self.warnings,
            headers: self.headers.0,
            reports: Vec::new(),
        }
    }
}

impl BatchReportRow {
    pub fn from_report(batch_id: &str, r: &RowReport, seq: u64) -> BatchReportRow {
        BatchReportRow {
            batch_id: batch_id.to_owned(),
            row_number: r.row,
            status: r.status.clone(),
            cells: Json(r.cells.clone()),
            issues: Json(r.issues.clone()),
            seq,
        }
    }

    pub fn into_report(self) -> RowReport {
        RowReport { row: self.row_number, status: self.status, cells: self.cells.0, issues: self.issues.0 }
    }
}

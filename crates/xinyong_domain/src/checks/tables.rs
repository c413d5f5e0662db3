//! The checks context's projection tables.

use chrono::NaiveDate;

use crate::auth::DepartmentCode;
use crate::checks::{ReceiptLine, ReportedCase};
use crate::projection::TableSpec;

crate::projection::table! {
    /// Credit-check receipts (from `checks_recorded` batches).
    pub struct ReceiptRow in CHECK_RECEIPTS = "check_receipts" {
        key { receipt_id: String }
        department: DepartmentCode,
        case_ref: Option<String>,
        scenario: String,
        /// The USCC when the subject is an organisation.
        subject: Option<String>,
        decision: String,
        time_ms: i64,
        seq: u64,
    }
}

impl ReceiptRow {
    pub fn from_line(r: &ReceiptLine, seq: u64) -> ReceiptRow {
        ReceiptRow {
            receipt_id: r.id.clone(),
            department: r.department.clone(),
            case_ref: r.case_ref.clone(),
            scenario: r.scenario.clone(),
            subject: r.subject.clone(),
            decision: r.decision.clone(),
            time_ms: r.time_ms,
            seq,
        }
    }

    pub fn into_line(self) -> ReceiptLine {
        ReceiptLine {
            id: self.receipt_id,
            department: self.department,
            case_ref: self.case_ref,
            scenario: self.scenario,
            subject: self.subject,
            decision: self.decision,
            time_ms: self.time_ms,
        }
    }
}

crate::projection::table! {
    /// One row per `checks_recorded` batch: the range of receipt ids it
    /// holds. Receipt ids begin with their time, so after the receipts
    /// themselves are pruned (`receipts_pruned`) this small table still
    /// finds the batch that proves one.
    pub struct ReceiptBatchRow in RECEIPT_BATCHES = "receipt_batches" {
        key { log_index: u64 }
        first_receipt: String,
        last_receipt: String,
        receipts: u64,
        seq: u64,
    }
}

impl ReceiptBatchRow {
    /// The batch at `seq` holding `lines`; `None` for an empty batch.
    pub fn from_lines(lines: &[ReceiptLine], seq: u64) -> Option<ReceiptBatchRow> {
        let first = lines.iter().map(|l| l.id.as_str()).min()?;
        let last = lines.iter().map(|l| l.id.as_str()).max()?;
        Some(ReceiptBatchRow {
            log_index: seq,
            first_receipt: first.to_owned(),
            last_receipt: last.to_owned(),
            receipts: lines.len() as u64,
            seq,
        })
    }
}

/// The receipt-id bound of receipts answered before `before_ms` (ms since
/// the epoch): ids are `<12 hex digits of the time><digest>`, so exactly
/// those ids sort below the 12 digits of `before_ms`.
pub fn receipt_ids_before(before_ms: i64) -> String {
    format!("{:012x}", before_ms.max(0))
}

crate::projection::table! {
    /// Cases departments report as handled (denominator of 应查必查 coverage).
    pub struct ReportedCaseRow in REPORTED_CASES = "reported_cases" {
        key { department: DepartmentCode, case_ref: String }
        scenario: String,
        subject: Option<String>,
        handled_on: NaiveDate,
        seq: u64,
    }
}

impl ReportedCaseRow {
    pub fn from_case(department: &DepartmentCode, c: &ReportedCase, seq: u64) -> ReportedCaseRow {
        ReportedCaseRow {
            department: department.clone(),
            case_ref: c.case_ref.clone(),
            scenario: c.scenario.clone(),
            subject: c.subject.clone(),
            handled_on: c.handled_on,
            seq,
        }
    }
}

/// The tables this context owns, in the order `verify` checks them.
pub fn tables() -> Vec<&'static TableSpec> {
    vec![&CHECK_RECEIPTS, &RECEIPT_BATCHES, &REPORTED_CASES]
}

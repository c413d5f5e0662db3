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
    vec![&CHECK_RECEIPTS, &REPORTED_CASES]
}

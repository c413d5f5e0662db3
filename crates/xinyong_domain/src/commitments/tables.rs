//! The commitments context's projection tables.

use chrono::NaiveDate;

use crate::Uscc;
use crate::auth::DepartmentCode;
use crate::commitments::{CommitmentChannel, CommitmentStatus, VerificationOutcome};
use crate::projection::TableSpec;

crate::projection::table! {
    /// Commitments made (告知承诺), one row each.
    pub struct CommitmentRow in COMMITMENTS = "commitments" {
        key { commitment_id: String }
        item_code: String,
        item_name: String,
        /// The department that grants the item and verifies.
        department: DepartmentCode,
        uscc: Uscc,
        subject_name: String,
        /// The approval's case reference (办件编号).
        case_ref: String,
        /// The catalog version whose letter was signed.
        letter_version: String,
        letter_text: String,
        letter_sha256: String,
        channel: CommitmentChannel,
        made_on: NaiveDate,
        made_by: String,
        /// The department verifies by this day.
        verify_by: NaiveDate,
        status: CommitmentStatus,
        /// Deferred materials still missing.
        materials_missing: u64,
        /// Some deferred material passed its deadline without arriving.
        materials_overdue: bool,
        outcome: Option<VerificationOutcome>,
        outcome_note: Option<String>,
        verified_on: Option<NaiveDate>,
        verified_by: Option<String>,
        /// The dishonesty record a breach or false commitment became.
        record_id: Option<String>,
        /// The approval made on a broken commitment was revoked (撤销审批决定).
        approval_revoked_on: Option<NaiveDate>,
        revocation_decision_no: Option<String>,
        seq: u64,
    }
}

crate::projection::table! {
    /// The materials a commitment deferred (容缺), each with its deadline.
    pub struct CommitmentMaterialRow in COMMITMENT_MATERIALS = "commitment_materials" {
        key { commitment_id: String, material_code: String }
        name: String,
        due_on: NaiveDate,
        supplied_on: Option<NaiveDate>,
        /// The day the commitments job found it past its deadline.
        overdue_on: Option<NaiveDate>,
        /// The day the commitments job reminded the applicant of the deadline.
        reminded_on: Option<NaiveDate>,
        seq: u64,
    }
}

/// The tables this context owns, in the order `verify` checks them.
pub fn tables() -> Vec<&'static TableSpec> {
    let mut tables = vec![&COMMITMENTS, &COMMITMENT_MATERIALS];
    tables.extend(crate::commitments::pledge_tables());
    tables.extend(crate::commitments::education_tables());
    tables
}

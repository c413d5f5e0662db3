//! The objections context's projection table.

use chrono::NaiveDate;

use crate::Uscc;
use crate::auth::DepartmentCode;
use crate::objections::{ObjectionChannel, ObjectionResult, ObjectionStatus};
use crate::projection::TableSpec;

crate::projection::table! {
    /// Objections to records, one row per objection, whatever became of it.
    pub struct RecordObjectionRow in RECORD_OBJECTIONS = "record_objections" {
        key { objection_id: String }
        record_id: String,
        record_entry: u64,
        uscc: Uscc,
        department: DepartmentCode,
        item: String,
        document_number: String,
        subject_name: String,
        grounds: String,
        channel: ObjectionChannel,
        filed_by: String,
        filed_on: NaiveDate,
        answer_due: NaiveDate,
        /// Why the deadline was extended (other units verify), if it was.
        extension_reason: Option<String>,
        status: ObjectionStatus,
        result: Option<ObjectionResult>,
        /// The department's reasons (or the applicant's, for a withdrawal).
        reply: Option<String>,
        answered_on: Option<NaiveDate>,
        answered_by: Option<String>,
        seq: u64,
    }
}

crate::projection::table! {
    /// Evidence files of objections: for the subject and the department
    /// answering, never public.
    pub struct ObjectionEvidenceRow in OBJECTION_EVIDENCE = "objection_evidence" {
        key { objection_id: String, file_no: u64 }
        name: String,
        media_type: String,
        size: u64,
        sha256: String,
        content_base64: String,
        seq: u64,
    }
}

/// The tables this context owns, in the order `verify` checks them.
pub fn tables() -> Vec<&'static TableSpec> {
    vec![&RECORD_OBJECTIONS, &OBJECTION_EVIDENCE]
}

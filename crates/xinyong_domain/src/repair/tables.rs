//! The repair context's projection table.

use chrono::NaiveDate;

use crate::Uscc;
use crate::auth::DepartmentCode;
use crate::projection::{Json, TableSpec};
use crate::repair::{RepairStatus, SuppliedMaterial};

crate::projection::table! {
    /// Repair applications, one row per application, whatever became of it.
    pub struct RepairApplicationRow in REPAIR_APPLICATIONS = "repair_applications" {
        key { application_id: String }
        record_id: String,
        record_entry: u64,
        uscc: Uscc,
        department: DepartmentCode,
        item: String,
        document_number: String,
        subject_name: String,
        regime: String,
        severity: Option<String>,
        commitment_version: String,
        commitment_sha256: String,
        signed_by: String,
        materials: Json<Vec<SuppliedMaterial>>,
        applied_on: NaiveDate,
        review_due: NaiveDate,
        status: RepairStatus,
        /// The department's reasons (and, when rejected, how to appeal).
        reason: Option<String>,
        decided_on: Option<NaiveDate>,
        decided_by: Option<String>,
        /// The credit office's confirmation, where the configuration asks for one.
        confirmation_note: Option<String>,
        confirmed_on: Option<NaiveDate>,
        confirmed_by: Option<String>,
        seq: u64,
    }
}

/// The tables this context owns, in the order `verify` checks them.
pub fn tables() -> Vec<&'static TableSpec> {
    vec![&REPAIR_APPLICATIONS]
}

//! The registrations context's projection tables.

use chrono::NaiveDate;

use crate::Uscc;
use crate::auth::DepartmentCode;
use crate::projection::TableSpec;
use crate::registrations::{RegistrationKind, RegistrationStatus, ReviewOutcome};

crate::projection::table! {
    /// Voluntary registrations (自愿注册), one row each, whatever became of it.
    pub struct RegistrationRow in REGISTRATIONS = "registrations" {
        key { registration_id: String }
        uscc: Uscc,
        subject_name: String,
        kind: RegistrationKind,
        title: String,
        issuer: String,
        issued_on: Option<NaiveDate>,
        valid_until: Option<NaiveDate>,
        content: String,
        /// The department that reviews it.
        department: DepartmentCode,
        commitment_version: String,
        commitment_sha256: String,
        submitted_on: NaiveDate,
        submitted_by: String,
        review_due: NaiveDate,
        /// How many supporting files it carries.
        files: u64,
        status: RegistrationStatus,
        outcome: Option<ReviewOutcome>,
        /// The reviewer's reasons.
        reason: Option<String>,
        /// The day it was reviewed (or withdrawn).
        reviewed_on: Option<NaiveDate>,
        reviewed_by: Option<String>,
        /// The dishonesty record a false registration became.
        record_id: Option<String>,
        seq: u64,
    }
}

crate::projection::table! {
    /// Supporting files of registrations: for the company and its reviewer,
    /// never public.
    pub struct RegistrationFileRow in REGISTRATION_FILES = "registration_files" {
        key { registration_id: String, file_no: u64 }
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
    vec![&REGISTRATIONS, &REGISTRATION_FILES]
}

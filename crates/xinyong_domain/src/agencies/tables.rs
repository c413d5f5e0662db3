//! The agencies context's projection tables.

use chrono::NaiveDate;

use crate::Uscc;
use crate::agencies::{AgencyStatus, ConsentScope, SupervisionKind};
use crate::projection::TableSpec;

crate::projection::table! {
    /// Filed credit service agencies (备案), one row each, cancelled ones too.
    pub struct AgencyRow in AGENCIES = "agencies" {
        key { uscc: Uscc }
        name: String,
        /// 备案编号, given by the credit office.
        filing_no: String,
        /// A natural person: never on public pages or APIs.
        legal_representative: String [personal],
        address: String,
        business_scope: String,
        status: AgencyStatus,
        /// Why the status last changed (empty at filing).
        status_reason: String,
        status_changed_on: Option<NaiveDate>,
        filed_on: NaiveDate,
        filed_by: String,
        seq: u64,
    }
}

crate::projection::table! {
    /// An agency's staff as filed (从业人员): natural persons, console only.
    pub struct AgencyStaffRow in AGENCY_STAFF = "agency_staff" {
        key { agency: Uscc, staff_id: String }
        name: String [personal],
        position: String,
        active: bool,
        changed_on: NaiveDate,
        seq: u64,
    }
}

crate::projection::table! {
    /// Records of supervising an agency (检查, 约谈, 处罚).
    pub struct AgencySupervisionRow in AGENCY_SUPERVISION = "agency_supervision" {
        key { agency: Uscc, supervision_id: String }
        kind: SupervisionKind,
        done_on: NaiveDate,
        summary: String,
        outcome: String,
        recorded_by: String,
        seq: u64,
    }
}

crate::projection::table! {
    /// Agencies' accounts. `password_hash` is an Argon2id PHC string.
    pub struct AgencyAccountRow in AGENCY_ACCOUNTS = "agency_accounts" {
        key { agency: Uscc, username: String }
        display_name: String,
        password_hash: String,
        active: bool,
        seq: u64,
    }
}

crate::projection::table! {
    /// A company's consents to agencies (授权), revoked ones too.
    pub struct AgencyConsentRow in AGENCY_CONSENTS = "agency_consents" {
        key { consent_id: String }
        /// The company that consented.
        uscc: Uscc,
        agency: Uscc,
        scope: ConsentScope,
        granted_on: NaiveDate,
        /// Last day the consent may be used (China Standard Time).
        expires_on: NaiveDate,
        granted_by: String,
        revoked_on: Option<NaiveDate>,
        revoked_by: Option<String>,
        seq: u64,
    }
}

crate::projection::table! {
    /// Every query of a company's report by an agency, keyed by the log
    /// index of the query: what the company reads as "谁查询了我的信用".
    pub struct AgencyQueryRow in AGENCY_QUERIES = "agency_queries" {
        key { entry: u64 }
        uscc: Uscc,
        agency: Uscc,
        /// The agency's account that asked.
        username: String,
        consent_id: String,
        purpose: String,
        report_id: String,
        queried_ms: i64,
        seq: u64,
    }
}

/// The tables this context owns, in the order `verify` checks them.
pub fn tables() -> Vec<&'static TableSpec> {
    vec![&AGENCIES, &AGENCY_STAFF, &AGENCY_SUPERVISION, &AGENCY_ACCOUNTS, &AGENCY_CONSENTS, &AGENCY_QUERIES]
}

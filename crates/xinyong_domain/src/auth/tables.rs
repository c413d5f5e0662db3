//! The auth context's projection tables.

use chrono::NaiveDate;

use crate::auth::{DepartmentCode, Role, SubjectAccountRole};
use crate::codes::uscc::Uscc;
use crate::projection::{Joined, TableSpec};

crate::projection::table! {
    /// Departments that submit data and regulate (from `department_registered`).
    pub struct DepartmentRow in DEPARTMENTS = "departments" {
        key { code: DepartmentCode }
        name: String,
        uscc: Option<Uscc>,
        district: String,
        sector: Option<String>,
        seq: u64,
    }
}

crate::projection::table! {
    /// Console users. `password_hash` is an Argon2id PHC string.
    pub struct UserRow in USERS = "users" {
        key { login: String }
        display_name: String,
        department: Option<DepartmentCode>,
        roles: Joined<Role, ','>,
        password_hash: String,
        active: bool,
        /// The password is a temporary one an administrator set: it only
        /// serves to choose a new one at the next login.
        must_change_password: bool,
        seq: u64,
    }
}

crate::projection::table! {
    /// API tokens of departments' systems; only the SHA-256 of a token is kept.
    pub struct ApiTokenRow in API_TOKENS = "api_tokens" {
        key { token_id: String }
        department: DepartmentCode,
        label: String,
        secret_sha256: String,
        revoked: bool,
        seq: u64,
    }
}

crate::projection::table! {
    /// Every read of personal data (seed clause 十七.1, accountability): who,
    /// in which role, why, what, about whom (ID numbers masked), when. In
    /// the log like every fact, so the trail is as tamper-evident as the
    /// records it protects. Keyed by the log index of the read.
    pub struct AccessAuditRow in ACCESS_AUDIT = "access_audit" {
        key { entry: u64 }
        read_at_ms: i64,
        reader: String,
        reader_roles: String,
        reader_department: Option<DepartmentCode>,
        reason: String,
        what: String,
        subject: String,
        seq: u64,
    }
}

/// The tables this context owns, in the order `verify` checks them.
pub fn tables() -> Vec<&'static TableSpec> {
    vec![&DEPARTMENTS, &USERS, &API_TOKENS, &ACCESS_AUDIT, &ACTIVATION_CODES, &SUBJECT_ACCOUNTS]
}

crate::projection::table! {
    /// One-time activation codes of subject accounts (开通码). Only the
    /// SHA-256 of a code is kept; a code opens one account once, before it
    /// expires.
    pub struct ActivationCodeRow in ACTIVATION_CODES = "activation_codes" {
        key { code_id: String }
        uscc: Uscc,
        code_sha256: String,
        /// Last day the code may be used (China Standard Time).
        expires_on: NaiveDate,
        /// Who issued it: `user:<login>` or `system`.
        issued_by: String,
        issued_on: NaiveDate,
        /// Log index of the activation that used it.
        used_seq: Option<u64>,
        seq: u64,
    }
}

crate::projection::table! {
    /// Market subjects' own accounts (企业账号). `password_hash` is an
    /// Argon2id PHC string.
    pub struct SubjectAccountRow in SUBJECT_ACCOUNTS = "subject_accounts" {
        key { uscc: Uscc, username: String }
        display_name: String,
        role: SubjectAccountRole,
        password_hash: String,
        active: bool,
        /// The second factor's shared secret (base32), when turned on.
        totp_secret: Option<String>,
        seq: u64,
    }
}

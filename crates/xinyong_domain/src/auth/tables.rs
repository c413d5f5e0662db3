//! The auth context's projection tables.

use crate::auth::{DepartmentCode, Role};
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

/// The tables this context owns, in the order `verify` checks them.
pub fn tables() -> Vec<&'static TableSpec> {
    vec![&DEPARTMENTS, &USERS, &API_TOKENS]
}

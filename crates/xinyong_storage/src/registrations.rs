//! Voluntary registrations (自愿注册): a company's registrations, its
//! accepted ones (the public page, the evaluation), a department's review
//! queue and one registration's files. Every set is bounded by a `limit`.

use xinyong_domain::Uscc;
use xinyong_domain::auth::DepartmentCode;
use xinyong_domain::registrations::{
    REGISTRATION_FILES, REGISTRATIONS, RegistrationFileRow, RegistrationRow, RegistrationStatus,
};

use crate::sql::{Stmt, to_rows};
use crate::{Result, Store};

/// A company's registrations in any state, the newest first (ties by id),
/// at most `limit`; served by `registrations_uscc`.
pub async fn of_subject(store: &dyn Store, uscc: &Uscc, limit: u32) -> Result<Vec<RegistrationRow>> {
    let stmt = Stmt::select(&REGISTRATIONS)
        .push(" WHERE uscc = ")
        .bind(uscc.as_str())
        .push(" ORDER BY submitted_on DESC, registration_id LIMIT ")
        .bind(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// A company's accepted registrations, by kind, then the newest first (ties
/// by id), at most `limit`; served by `registrations_uscc`.
pub async fn accepted_of_subject(store: &dyn Store, uscc: &Uscc, limit: u32) -> Result<Vec<RegistrationRow>> {
    let stmt = Stmt::select(&REGISTRATIONS)
        .push(" WHERE uscc = ")
        .bind(uscc.as_str())
        .push(" AND status = ")
        .bind(RegistrationStatus::Accepted.as_str())
        .push(" ORDER BY kind, reviewed_on DESC, registration_id LIMIT ")
        .bind(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// A department's registrations (every department's for `None`) in `status`
/// when given, the earliest review deadline first (ties by id), at most
/// `limit`; served by `registrations_department`.
pub async fn of_department(
    store: &dyn Store,
    department: Option<&DepartmentCode>,
    status: Option<RegistrationStatus>,
    limit: u32,
) -> Result<Vec<RegistrationRow>> {
    let mut stmt = Stmt::select(&REGISTRATIONS).push(" WHERE 1 = 1");
    if let Some(d) = department {
        stmt = stmt.push(" AND department = ").bind(d.as_str());
    }
    if let Some(s) = status {
        stmt = stmt.push(" AND status = ").bind(s.as_str());
    }
    let stmt = stmt.push(" ORDER BY review_due, registration_id LIMIT ").bind(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// A registration's supporting files, in the order attached, at most `limit`.
pub async fn files(store: &dyn Store, registration_id: &str, limit: u32) -> Result<Vec<RegistrationFileRow>> {
    let stmt = Stmt::select(&REGISTRATION_FILES)
        .push(" WHERE registration_id = ")
        .bind(registration_id)
        .push(" ORDER BY file_no LIMIT ")
        .bind(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

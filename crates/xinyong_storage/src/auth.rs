//! Who is calling: departments, console users and API tokens. These tables
//! hold one row per department, person or system, so each list is read in
//! key order up to a bound the caller names.

use xinyong_domain::Uscc;
use xinyong_domain::auth::{
    ACCESS_AUDIT, ACTIVATION_CODES, API_TOKENS, AccessAuditRow, ActivationCodeRow, ApiTokenRow, DEPARTMENTS,
    DepartmentCode, DepartmentRow, SUBJECT_ACCOUNTS, SubjectAccountRow, USERS, UserRow,
};

use crate::sql::{Page, Stmt, one_more, to_rows};
use crate::{Result, Store};

/// Departments by code, at most `limit`.
pub async fn departments(store: &dyn Store, limit: u32) -> Result<Vec<DepartmentRow>> {
    let stmt = Stmt::select(&DEPARTMENTS).push(" ORDER BY code LIMIT $1").arg(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// Console users by login, after `after`.
pub async fn users(store: &dyn Store, after: Option<&str>, limit: u32) -> Result<Page<UserRow, String>> {
    let stmt = Stmt::select(&USERS)
        .push(" WHERE login > $1 ORDER BY login LIMIT $2")
        .arg(after.unwrap_or_default())
        .arg(one_more(limit));
    Ok(Page::from_extra(to_rows(store.fetch(&stmt).await?)?, limit, |u: &UserRow| u.login.clone()))
}

/// API tokens of one department, or of all, by id, after `after`.
pub async fn tokens(
    store: &dyn Store,
    department: Option<&DepartmentCode>,
    after: Option<&str>,
    limit: u32,
) -> Result<Page<ApiTokenRow, String>> {
    let stmt = Stmt::select(&API_TOKENS);
    let stmt = match department {
        // `api_tokens_department (department, token_id)`
        Some(d) => stmt.push(" WHERE department = ").bind(d.as_str()).push(" AND token_id > "),
        None => stmt.push(" WHERE token_id > "),
    };
    let stmt = stmt.bind(after.unwrap_or_default()).push(" ORDER BY token_id LIMIT ").bind(one_more(limit));
    Ok(Page::from_extra(to_rows(store.fetch(&stmt).await?)?, limit, |t: &ApiTokenRow| t.token_id.clone()))
}

/// The audit trail of personal-data reads, newest first, before log index
/// `before` (exclusive), optionally of one reader and from a time on.
/// Indexes: the primary key (`entry`), `access_audit_by_reader (reader, entry)`.
pub async fn access_audit(
    store: &dyn Store,
    reader: Option<&str>,
    since_ms: Option<i64>,
    before: Option<u64>,
    limit: u32,
) -> Result<Page<AccessAuditRow, u64>> {
    let before = before.and_then(|b| i64::try_from(b).ok()).unwrap_or(i64::MAX);
    let stmt = Stmt::select(&ACCESS_AUDIT).push(" WHERE entry < ").bind(before);
    let stmt = match reader {
        Some(r) => stmt.push(" AND reader = ").bind(r),
        None => stmt,
    };
    let stmt = match since_ms {
        Some(t) => stmt.push(" AND read_at_ms >= ").bind(t),
        None => stmt,
    };
    let stmt = stmt.push(" ORDER BY entry DESC LIMIT ").bind(one_more(limit));
    Ok(Page::from_extra(to_rows(store.fetch(&stmt).await?)?, limit, |r: &AccessAuditRow| r.entry))
}

/// A company's accounts (active or not), by name, at most `limit`; served by
/// the primary key `(uscc, username)`.
pub async fn subject_accounts_of(store: &dyn Store, uscc: &Uscc, limit: u32) -> Result<Vec<SubjectAccountRow>> {
    let stmt = Stmt::select(&SUBJECT_ACCOUNTS)
        .push(" WHERE uscc = $1 ORDER BY username LIMIT $2")
        .arg(uscc.as_str())
        .arg(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// Activation codes issued for a company, newest first, at most `limit`.
pub async fn activation_codes_of(store: &dyn Store, uscc: &Uscc, limit: u32) -> Result<Vec<ActivationCodeRow>> {
    let stmt = Stmt::select(&ACTIVATION_CODES)
        .push(" WHERE uscc = $1 ORDER BY seq DESC LIMIT $2")
        .arg(uscc.as_str())
        .arg(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

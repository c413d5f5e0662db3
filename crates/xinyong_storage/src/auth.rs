//! Who is calling: departments, console users and API tokens. These tables
//! hold one row per department, person or system, so each list is read in
//! key order up to a bound the caller names.

use xinyong_domain::auth::{API_TOKENS, ApiTokenRow, DEPARTMENTS, DepartmentCode, DepartmentRow, USERS, UserRow};

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

//! Credit repair applications: a subject's, a department's queue, the
//! pending one of a record.

use xinyong_domain::Uscc;
use xinyong_domain::auth::DepartmentCode;
use xinyong_domain::repair::{REPAIR_APPLICATIONS, RepairApplicationRow, RepairStatus};

use crate::sql::{Stmt, to_rows};
use crate::{Result, Store};

/// A company's applications, newest first, at most `limit`; served by
/// `repair_applications_uscc`.
pub async fn repairs_of_subject(store: &dyn Store, uscc: &Uscc, limit: u32) -> Result<Vec<RepairApplicationRow>> {
    let stmt = Stmt::select(&REPAIR_APPLICATIONS)
        .push(" WHERE uscc = $1 ORDER BY applied_on DESC, seq DESC LIMIT $2")
        .arg(uscc.as_str())
        .arg(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// The undecided application for a record (pending, or awaiting the credit
/// office's confirmation), if any; served by
/// `repair_applications_record`.
pub async fn pending_repair_of(store: &dyn Store, record_id: &str) -> Result<Option<RepairApplicationRow>> {
    let stmt = Stmt::select(&REPAIR_APPLICATIONS)
        .push(" WHERE record_id = $1 AND status IN ($2, $3) LIMIT 1")
        .arg(record_id)
        .arg(RepairStatus::Pending.as_str())
        .arg(RepairStatus::Confirming.as_str());
    Ok(to_rows(store.fetch(&stmt).await?)?.into_iter().next())
}

/// Applications a department decides (every department's when `None`),
/// pending ones first by review due date, then the decided ones newest
/// first; at most `limit`. Served by `repair_applications_department`.
pub async fn repairs_of_department(
    store: &dyn Store,
    department: Option<&DepartmentCode>,
    limit: u32,
) -> Result<Vec<RepairApplicationRow>> {
    let stmt = Stmt::select(&REPAIR_APPLICATIONS).push(" WHERE 1 = 1");
    let stmt = match department {
        Some(d) => stmt.push(" AND department = ").bind(d.as_str()),
        None => stmt,
    };
    let stmt = stmt
        .push(" ORDER BY CASE WHEN status IN ('pending', 'confirming') THEN 0 ELSE 1 END, review_due, seq DESC LIMIT ")
        .bind(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

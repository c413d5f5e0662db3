//! Credit reports issued: one by its id (what the QR code leads to) and a
//! subject's, the newest first, bounded by `limit`; the status map committed last.

use xinyong_domain::reports::{REPORTS, ReportRow, STATUS_MAPS, StatusMapRow};

use crate::sql::{Stmt, to_rows};
use crate::{Result, Store};

/// The report with this id, if it was issued.
pub async fn by_id(store: &dyn Store, report_id: &str) -> Result<Option<ReportRow>> {
    let stmt = Stmt::select(&REPORTS).push(" WHERE report_id = ").bind(report_id);
    Ok(to_rows(store.fetch(&stmt).await?)?.into_iter().next())
}

/// The reports issued about `subject`, the newest first (ties by id), at
/// most `limit`; served by `reports_subject`.
pub async fn of_subject(store: &dyn Store, subject: &str, limit: u32) -> Result<Vec<ReportRow>> {
    let stmt = Stmt::select(&REPORTS)
        .push(" WHERE subject = ")
        .bind(subject)
        .push(" ORDER BY issued_ms DESC, report_id DESC LIMIT ")
        .bind(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// The status map committed last (the highest log index), if any.
pub async fn latest_status_map(store: &dyn Store) -> Result<Option<StatusMapRow>> {
    let stmt = Stmt::select(&STATUS_MAPS).push(" ORDER BY seq DESC LIMIT 1");
    Ok(to_rows(store.fetch(&stmt).await?)?.into_iter().next())
}

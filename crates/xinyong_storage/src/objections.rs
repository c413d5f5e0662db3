//! Objections to records: a subject's, a department's queue, the open ones
//! that mark records on the portal.

use chrono::NaiveDate;
use xinyong_domain::Uscc;
use xinyong_domain::auth::DepartmentCode;
use xinyong_domain::objections::{
    OBJECTION_EVIDENCE, ObjectionEvidenceRow, ObjectionStatus, RECORD_OBJECTIONS, RecordObjectionRow,
};

use crate::sql::{Cols, Kind, Stmt, day, to_rows};
use crate::{Result, Store};

/// A company's objections, newest first, at most `limit`; served by
/// `record_objections_uscc`.
pub async fn objections_of_subject(store: &dyn Store, uscc: &Uscc, limit: u32) -> Result<Vec<RecordObjectionRow>> {
    let stmt = Stmt::select(&RECORD_OBJECTIONS)
        .push(" WHERE uscc = $1 ORDER BY filed_on DESC, seq DESC LIMIT $2")
        .arg(uscc.as_str())
        .arg(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// The ids of a company's records under an open objection (异议处理中),
/// at most `limit`.
pub async fn records_under_objection(store: &dyn Store, uscc: &Uscc, limit: u32) -> Result<Vec<String>> {
    let stmt = Stmt::new("SELECT DISTINCT record_id FROM record_objections WHERE uscc = $1 AND status = $2 LIMIT $3")
        .arg(uscc.as_str())
        .arg(ObjectionStatus::Open.as_str())
        .arg(i64::from(limit))
        .returns(&[Kind::Text]);
    store.fetch(&stmt).await?.into_iter().map(|row| Cols::new(row, "record_objections").text()).collect()
}

/// The open objection to a record, if any; served by `record_objections_record`.
pub async fn open_objection_to(store: &dyn Store, record_id: &str) -> Result<Option<RecordObjectionRow>> {
    let stmt = Stmt::select(&RECORD_OBJECTIONS)
        .push(" WHERE record_id = $1 AND status = $2 LIMIT 1")
        .arg(record_id)
        .arg(ObjectionStatus::Open.as_str());
    Ok(to_rows(store.fetch(&stmt).await?)?.into_iter().next())
}

/// Objections routed to one department (every department's when `None`),
/// open ones first by answer due date, then the answered ones newest first;
/// at most `limit`. Served by `record_objections_department`.
pub async fn objections_of_department(
    store: &dyn Store,
    department: Option<&DepartmentCode>,
    status: Option<ObjectionStatus>,
    limit: u32,
) -> Result<Vec<RecordObjectionRow>> {
    let mut stmt = Stmt::select(&RECORD_OBJECTIONS).push(" WHERE 1 = 1");
    if let Some(d) = department {
        stmt = stmt.push(" AND department = ").bind(d.as_str());
    }
    if let Some(s) = status {
        stmt = stmt.push(" AND status = ").bind(s.as_str());
    }
    let stmt = stmt
        .push(" ORDER BY CASE WHEN status = 'open' THEN 0 ELSE 1 END, answer_due, seq DESC LIMIT ")
        .bind(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// An objection's evidence files in the order attached, at most `limit`;
/// served by the primary key.
pub async fn evidence_of(store: &dyn Store, objection_id: &str, limit: u32) -> Result<Vec<ObjectionEvidenceRow>> {
    let stmt = Stmt::select(&OBJECTION_EVIDENCE)
        .push(" WHERE objection_id = $1 ORDER BY file_no LIMIT $2")
        .arg(objection_id)
        .arg(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// Open objections whose answer is overdue on `today` (due before it), of
/// one department or of all.
pub async fn count_overdue_objections(
    store: &dyn Store,
    department: Option<&DepartmentCode>,
    today: NaiveDate,
) -> Result<u64> {
    let stmt =
        Stmt::new("SELECT COUNT(*) FROM record_objections WHERE status = 'open' AND answer_due < ").bind(day(today));
    let stmt = match department {
        Some(d) => stmt.push(" AND department = ").bind(d.as_str()),
        None => stmt,
    }
    .returns(&[Kind::Int]);
    let row = store.fetch(&stmt).await?.into_iter().next().unwrap_or_default();
    Cols::new(row, "count of overdue objections").count()
}

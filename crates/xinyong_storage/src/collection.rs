//! Collection (归集): batches as received, their rejected and warned rows,
//! and the timeliness of departments' records.

use chrono::NaiveDate;
use xinyong_domain::Uscc;
use xinyong_domain::auth::DepartmentCode;
use xinyong_domain::collection::{BATCH_ROWS, BATCHES, BatchReportRow, BatchRow, RECORDS, RecordRow};

use crate::sql::{Cols, Kind, Page, Stmt, day, one_more, to_rows};
use crate::{Result, Store, to_i64};

/// Timeliness of one department's records of one catalog item (十五.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelinessRow {
    pub department: String,
    pub item: String,
    pub total: u64,
    /// Received within the item's deadline in working days.
    pub on_time: u64,
    /// Working days unknown (a year without a published holiday schedule).
    pub unknown: u64,
    pub sum_working_days: i64,
    pub max_working_days: i64,
}

/// Per department and item: records received in `[from, to]` and how many
/// arrived within their deadline; one department's only when given. One
/// line per (department, item), so the result is as small as the catalog.
pub async fn timeliness(
    store: &dyn Store,
    from: NaiveDate,
    to: NaiveDate,
    department: Option<&DepartmentCode>,
) -> Result<Vec<TimelinessRow>> {
    // PostgreSQL sums a BIGINT column as NUMERIC; the cast keeps the column
    // an i64 on both backends. With a department, its index
    // `records_department (department, item, received_date)` serves the
    // range; without, the whole period is read (one pass, in the database).
    let stmt = Stmt::new(
        "SELECT department, item, COUNT(*), \
         SUM(CASE WHEN working_days IS NOT NULL AND working_days <= deadline_working_days THEN 1 ELSE 0 END), \
         SUM(CASE WHEN working_days IS NULL THEN 1 ELSE 0 END), \
         CAST(COALESCE(SUM(working_days), 0) AS BIGINT), COALESCE(MAX(working_days), 0) \
         FROM records WHERE received_date >= $1 AND received_date <= $2",
    )
    .arg(day(from))
    .arg(day(to));
    let stmt = match department {
        Some(d) => stmt.push(" AND department = ").bind(d.as_str()),
        None => stmt,
    };
    let stmt = stmt.push(" GROUP BY department, item ORDER BY department, item").returns(&[
        Kind::Text,
        Kind::Text,
        Kind::Int,
        Kind::Int,
        Kind::Int,
        Kind::Int,
        Kind::Int,
    ]);
    store
        .fetch(&stmt)
        .await?
        .into_iter()
        .map(|row| {
            let mut c = Cols::new(row, "timeliness");
            Ok(TimelinessRow {
                department: c.text()?,
                item: c.text()?,
                total: c.count()?,
                on_time: c.count()?,
                unknown: c.count()?,
                sum_working_days: c.int()?,
                max_working_days: c.int()?,
            })
        })
        .collect()
}

/// Records received in `[from, to]` later than their deadline, latest first
/// by working days (ties by id); optionally one department's only.
pub async fn overdue_records(
    store: &dyn Store,
    from: NaiveDate,
    to: NaiveDate,
    department: Option<&DepartmentCode>,
    limit: u32,
) -> Result<Vec<RecordRow>> {
    let stmt = Stmt::select(&RECORDS)
        .push(" WHERE received_date >= ")
        .bind(day(from))
        .push(" AND received_date <= ")
        .bind(day(to))
        .push(" AND working_days > deadline_working_days");
    let stmt = match department {
        Some(d) => stmt.push(" AND department = ").bind(d.as_str()),
        None => stmt,
    };
    let stmt = stmt.push(" ORDER BY working_days DESC, id LIMIT ").bind(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// The newest `limit` batches of a department, or of every department,
/// newest first: by the log index that wrote them (ties by id).
pub async fn recent_batches(
    store: &dyn Store,
    department: Option<&DepartmentCode>,
    limit: u32,
) -> Result<Vec<BatchRow>> {
    let stmt = match department {
        Some(d) => Stmt::select(&BATCHES)
            .push(" WHERE department = $1 ORDER BY seq DESC, id LIMIT $2")
            .arg(d.as_str())
            .arg(i64::from(limit)),
        None => Stmt::select(&BATCHES).push(" ORDER BY seq DESC, id LIMIT $1").arg(i64::from(limit)),
    };
    to_rows(store.fetch(&stmt).await?)
}

/// The batch a department sent under this `Idempotency-Key` (the first by
/// id, should there be several).
pub async fn batch_by_idempotency_key(
    store: &dyn Store,
    department: &DepartmentCode,
    key: &str,
) -> Result<Option<BatchRow>> {
    let stmt = Stmt::select(&BATCHES)
        .push(" WHERE department = $1 AND idempotency_key = $2 ORDER BY id LIMIT 1")
        .arg(department.as_str())
        .arg(key);
    Ok(to_rows(store.fetch(&stmt).await?)?.into_iter().next())
}

/// A batch's rejected and warned rows in row order, after row `after`.
pub async fn batch_reports(
    store: &dyn Store,
    batch_id: &str,
    after: Option<u64>,
    limit: u32,
) -> Result<Page<BatchReportRow, u64>> {
    let after = after.map_or(-1, to_i64);
    let stmt = Stmt::select(&BATCH_ROWS)
        .push(" WHERE batch_id = $1 AND row_number > $2 ORDER BY row_number LIMIT $3")
        .arg(batch_id)
        .arg(after)
        .arg(one_more(limit));
    Ok(Page::from_extra(to_rows(store.fetch(&stmt).await?)?, limit, |r: &BatchReportRow| r.row_number))
}

/// Rows a department's batches received on `day` carried, all together
/// (the daily quota). Index `batches_department_day (department, received_date)`.
pub async fn rows_received_on(store: &dyn Store, department: &DepartmentCode, day_: NaiveDate) -> Result<u64> {
    let stmt = Stmt::new(
        "SELECT CAST(COALESCE(SUM(rows_total), 0) AS BIGINT) FROM batches \
         WHERE department = $1 AND received_date = $2",
    )
    .arg(department.as_str())
    .arg(day(day_))
    .returns(&[Kind::Int]);
    let rows = store.fetch(&stmt).await?;
    let total = match rows.into_iter().next() {
        Some(row) => Cols::new(row, "rows_received_on").int()?,
        None => 0,
    };
    Ok(u64::try_from(total).unwrap_or(0))
}

/// Every record about one organisation, public or not (its own credit file
/// on `/my`), newest decision first, at most `limit`; served by
/// `records_subject (subject_key, decision_date)`.
pub async fn records_of_subject(store: &dyn Store, uscc: &Uscc, limit: u32) -> Result<Vec<RecordRow>> {
    let stmt = Stmt::select(&RECORDS)
        .push(" WHERE subject_key = $1 AND subject_kind = 'legal_person' ORDER BY decision_date DESC, id DESC LIMIT $2")
        .arg(uscc.as_str())
        .arg(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

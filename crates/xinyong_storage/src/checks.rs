//! The credit check's receipts and the cases departments report (应查必查):
//! coverage and checks made, aggregated per department in SQL.

use chrono::NaiveDate;
use xinyong_domain::Uscc;
use xinyong_domain::auth::DepartmentCode;
use xinyong_domain::checks::{CHECK_RECEIPTS, ReceiptRow, receipt_ids_before};

use crate::sql::{Cols, Kind, Stmt, day, to_rows};
use crate::{Result, Store};

/// 应查必查 of one department: cases it reported as handled in the period,
/// and of those, the cases with a credit-check receipt of the same
/// department and case reference (made at any time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    pub department: String,
    pub reported: u64,
    pub checked: u64,
}

/// Coverage per department of the cases handled in `[from, to]` (either end
/// open), of one department when given, by department. Each case looks for
/// its receipt through the partial index `check_receipts_case (department,
/// case_ref) WHERE case_ref IS NOT NULL`.
pub async fn coverage(
    store: &dyn Store,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    department: Option<&DepartmentCode>,
) -> Result<Vec<Coverage>> {
    let stmt = Stmt::new(
        "SELECT c.department, COUNT(*), SUM(CASE WHEN EXISTS (SELECT 1 FROM check_receipts r \
         WHERE r.department = c.department AND r.case_ref = c.case_ref) THEN 1 ELSE 0 END) \
         FROM reported_cases c WHERE c.handled_on >= ",
    )
    // Dates are TEXT `YYYY-MM-DD`: every date sorts between these two.
    .bind(from.map_or_else(|| "0000-01-01".to_owned(), day))
    .push(" AND c.handled_on <= ")
    .bind(to.map_or_else(|| "9999-12-31".to_owned(), day));
    let stmt = match department {
        Some(d) => stmt.push(" AND c.department = ").bind(d.as_str()),
        None => stmt,
    };
    let stmt = stmt.push(" GROUP BY c.department ORDER BY c.department").returns(&[Kind::Text, Kind::Int, Kind::Int]);
    store
        .fetch(&stmt)
        .await?
        .into_iter()
        .map(|row| {
            let mut c = Cols::new(row, "coverage");
            Ok(Coverage { department: c.text()?, reported: c.count()?, checked: c.count()? })
        })
        .collect()
}

/// Credit checks made per department with `from_ms <= time_ms < until_ms`,
/// of one department when given, by department.
///
/// One pass over `check_receipts` in the database: an index on the time
/// would be one more B-tree every receipt batch writes, and receipt batches
/// are what `POST /api/v1/checks` waits for under load.
pub async fn checks_made(
    store: &dyn Store,
    from_ms: i64,
    until_ms: i64,
    department: Option<&DepartmentCode>,
) -> Result<Vec<(String, u64)>> {
    let stmt = Stmt::new("SELECT department, COUNT(*) FROM check_receipts WHERE time_ms >= ")
        .bind(from_ms)
        .push(" AND time_ms < ")
        .bind(until_ms);
    let stmt = match department {
        Some(d) => stmt.push(" AND department = ").bind(d.as_str()),
        None => stmt,
    };
    let stmt = stmt.push(" GROUP BY department ORDER BY department").returns(&[Kind::Text, Kind::Int]);
    store
        .fetch(&stmt)
        .await?
        .into_iter()
        .map(|row| {
            let mut c = Cols::new(row, "checks made");
            Ok((c.text()?, c.count()?))
        })
        .collect()
}

/// The credit checks made on one organisation (who checked its credit),
/// newest first, at most `limit`; served by `check_receipts_subject`.
pub async fn receipts_of_subject(store: &dyn Store, uscc: &Uscc, limit: u32) -> Result<Vec<ReceiptRow>> {
    let stmt = Stmt::select(&CHECK_RECEIPTS)
        .push(" WHERE subject = $1 ORDER BY time_ms DESC, receipt_id DESC LIMIT $2")
        .arg(uscc.as_str())
        .arg(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// Receipts answered before `before_ms` still in `check_receipts`: what the
/// retention rule would prune. Receipt ids begin with their time, so this is
/// a range of the primary key.
pub async fn receipts_before(store: &dyn Store, before_ms: i64) -> Result<u64> {
    let stmt = Stmt::new("SELECT COUNT(*) FROM check_receipts WHERE receipt_id < ")
        .bind(receipt_ids_before(before_ms))
        .returns(&[Kind::Int]);
    let rows = store.fetch(&stmt).await?;
    let mut c = Cols::new(rows.into_iter().next().unwrap_or_default(), "receipts before");
    c.count()
}

/// Most batches [`batches_holding`] returns.
const HOLDING_LIMIT: i64 = 16;

/// Log indexes of the `checks_recorded` batches whose range of receipt ids
/// covers `receipt_id` (`receipt_batches`), nearest first: the batch that
/// holds a receipt is among them even after the receipt's own row was
/// pruned. Batches are written in time order, so the walk back from the id
/// along `receipt_batches_first` meets it within a few rows.
pub async fn batches_holding(store: &dyn Store, receipt_id: &str) -> Result<Vec<u64>> {
    let stmt = Stmt::new("SELECT log_index, last_receipt FROM receipt_batches WHERE first_receipt <= ")
        .bind(receipt_id)
        .push(" ORDER BY first_receipt DESC LIMIT ")
        .bind(HOLDING_LIMIT)
        .returns(&[Kind::Int, Kind::Text]);
    let mut out = Vec::new();
    for row in store.fetch(&stmt).await? {
        let mut c = Cols::new(row, "receipt batches");
        let (index, last) = (c.count()?, c.text()?);
        if last.as_str() >= receipt_id {
            out.push(index);
        }
    }
    Ok(out)
}

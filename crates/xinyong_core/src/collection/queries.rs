//! What the console and the API read of collection: stored batches with
//! their rejected and warned rows, a department's recent batches, the batch
//! of an `Idempotency-Key`, and one record with its log index.

use xinyong_domain::auth::DepartmentCode;
use xinyong_domain::collection::{AcceptedRecord, BatchReportRow, BatchRow, BatchSummary, RecordRow, RowReport};
use xinyong_storage::{Page, collection};

use crate::error::Result;
use crate::log::Core;

/// Row reports read per statement while loading a batch.
const REPORT_PAGE: u32 = 5_000;
/// Most batches one list of recent batches shows.
pub const MAX_RECENT_BATCHES: u32 = 500;

/// A stored batch with all its row reports (in row order). A batch holds at
/// most [`super::intake::MAX_ROWS`] rows and the downloadable error report
/// needs every rejected one, so they are read whole, page by page.
pub async fn load_batch(core: &Core, id: &str) -> Result<Option<BatchSummary>> {
    let Some(row) = core.store().get(BatchRow::key(id)).await? else { return Ok(None) };
    let mut batch = row.into_summary();
    let mut after = None;
    loop {
        let page = batch_reports(core, id, after, REPORT_PAGE).await?;
        batch.reports.extend(page.items);
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    Ok(Some(batch))
}

/// One page of a batch's row reports after row `after`, in row order.
pub async fn batch_reports(core: &Core, id: &str, after: Option<u64>, limit: u32) -> Result<Page<RowReport, u64>> {
    let page = collection::batch_reports(core.store(), id, after, limit.clamp(1, REPORT_PAGE)).await?;
    Ok(page.map(BatchReportRow::into_report))
}

/// The batch a department sent earlier under this `Idempotency-Key`.
pub async fn batch_by_idempotency_key(
    core: &Core,
    department: &DepartmentCode,
    key: &str,
) -> Result<Option<BatchSummary>> {
    match collection::batch_by_idempotency_key(core.store(), department, key).await? {
        Some(batch) => load_batch(core, &batch.id).await,
        None => Ok(None),
    }
}

/// The newest `limit` batches (without their row reports; at most
/// [`MAX_RECENT_BATCHES`]) of a department, or of every department when
/// `department` is `None`, newest first: by the log index that wrote them.
pub async fn recent_batches(
    core: &Core,
    department: Option<&DepartmentCode>,
    limit: usize,
) -> Result<Vec<BatchSummary>> {
    let limit = u32::try_from(limit).unwrap_or(MAX_RECENT_BATCHES).min(MAX_RECENT_BATCHES);
    let rows = collection::recent_batches(core.store(), department, limit).await?;
    Ok(rows.into_iter().map(BatchRow::into_summary).collect())
}

/// A record and the log index of the event that last wrote it.
pub async fn record_with_log_index(core: &Core, id: &str) -> Result<Option<(AcceptedRecord, u64)>> {
    let Some(row) = core.store().get(RecordRow::key(id)).await? else { return Ok(None) };
    let seq = row.seq;
    Ok(Some((row.into_record(), seq)))
}

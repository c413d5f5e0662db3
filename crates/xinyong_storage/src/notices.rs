//! Notices and policy documents (通知公告, 政策法规): a page of one kind's
//! published notices and their count, the console's list of every notice,
//! and one notice's attachments. Every set is bounded by a `limit`.

use xinyong_domain::notices::{NOTICE_ATTACHMENTS, NOTICES, NoticeAttachmentRow, NoticeKind, NoticeRow, NoticeStatus};

use crate::sql::{Cols, Kind, Stmt, to_rows};
use crate::{Result, Store};

/// The published notices of `kind` (every kind for `None`), the newest
/// first (ties by id), a page of `limit` after `offset`; served by
/// `notices_kind`.
pub async fn published(store: &dyn Store, kind: Option<NoticeKind>, offset: u64, limit: u32) -> Result<Vec<NoticeRow>> {
    let stmt = published_where(Stmt::select(&NOTICES), kind)
        .push(" ORDER BY published_on DESC, notice_id DESC LIMIT ")
        .bind(i64::from(limit))
        .push(" OFFSET ")
        .bind(i64::try_from(offset).unwrap_or(i64::MAX));
    to_rows(store.fetch(&stmt).await?)
}

/// How many notices of `kind` (every kind for `None`) are published.
pub async fn count_published(store: &dyn Store, kind: Option<NoticeKind>) -> Result<u64> {
    let stmt = published_where(Stmt::new("SELECT COUNT(*) FROM notices"), kind).returns(&[Kind::Int]);
    let row = store.fetch(&stmt).await?.into_iter().next().unwrap_or_default();
    Cols::new(row, "count of notices").count()
}

fn published_where(stmt: Stmt, kind: Option<NoticeKind>) -> Stmt {
    let stmt = stmt.push(" WHERE status = ").bind(NoticeStatus::Published.as_str());
    match kind {
        Some(k) => stmt.push(" AND kind = ").bind(k.as_str()),
        None => stmt,
    }
}

/// Every notice, withdrawn ones too, the newest first (ties by id), at most
/// `limit` (the credit office's console).
pub async fn all(store: &dyn Store, limit: u32) -> Result<Vec<NoticeRow>> {
    let stmt = Stmt::select(&NOTICES).push(" ORDER BY published_on DESC, notice_id DESC LIMIT ").bind(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// A notice's attachments, in the order attached, at most `limit`.
pub async fn attachments(store: &dyn Store, notice_id: &str, limit: u32) -> Result<Vec<NoticeAttachmentRow>> {
    let stmt = Stmt::select(&NOTICE_ATTACHMENTS)
        .push(" WHERE notice_id = ")
        .bind(notice_id)
        .push(" ORDER BY file_no LIMIT ")
        .bind(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

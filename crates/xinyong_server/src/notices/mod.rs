//! 通知公告 and 政策法规: the portal's columns (`/notices`, one tab per
//! kind, paged), a notice's page with its attachments, the home page's
//! latest notices, and the credit office's console (`/console/notices`) to
//! publish and withdraw them; the public JSON API (`/api/v1/public/notices`).

pub mod api;
pub(crate) mod console;
pub(crate) mod portal;

use xinyong_domain::notices::{NoticeKind, NoticeRow, paragraphs};

/// A notice as the portal and the console show it.
pub(crate) struct NoticeView {
    pub(crate) id: String,
    pub(crate) kind: &'static str,
    pub(crate) kind_code: &'static str,
    pub(crate) title: String,
    pub(crate) published_on: String,
    pub(crate) issuer: String,
    pub(crate) doc_number: String,
    pub(crate) attachments: u64,
    /// Published (not withdrawn).
    pub(crate) published: bool,
    pub(crate) status: &'static str,
    pub(crate) withdrawn_on: String,
    pub(crate) withdraw_reason: String,
}

impl NoticeView {
    pub(crate) fn of(n: &NoticeRow) -> NoticeView {
        NoticeView {
            id: n.notice_id.clone(),
            kind: n.kind.name_zh(),
            kind_code: n.kind.as_str(),
            title: n.title.clone(),
            published_on: n.published_on.to_string(),
            issuer: n.issuer.clone(),
            doc_number: n.doc_number.clone(),
            attachments: n.attachments,
            published: n.status == xinyong_domain::notices::NoticeStatus::Published,
            status: n.status.name_zh(),
            withdrawn_on: n.withdrawn_on.map(|d| d.to_string()).unwrap_or_default(),
            withdraw_reason: n.withdraw_reason.clone().unwrap_or_default(),
        }
    }
}

/// The body's paragraphs, each a list of lines (rendered escaped, one
/// `<p>` per paragraph, `<br>` between its lines).
pub(crate) fn body_paragraphs(n: &NoticeRow) -> Vec<Vec<String>> {
    paragraphs(&n.body).into_iter().map(|p| p.lines().map(str::to_owned).collect()).collect()
}

/// The kinds as (code, name) for tabs and the form's select.
pub(crate) fn kinds() -> Vec<(&'static str, &'static str)> {
    NoticeKind::ALL.iter().map(|k| (k.as_str(), k.name_zh())).collect()
}

/// The latest published notices of every kind, for the home page.
pub(crate) async fn latest(state: &crate::AppState, count: u32) -> Result<Vec<NoticeView>, xinyong_core::CoreError> {
    let (rows, _) = xinyong_core::notices::page(&state.core, None, 0, count).await?;
    Ok(rows.iter().map(NoticeView::of).collect())
}

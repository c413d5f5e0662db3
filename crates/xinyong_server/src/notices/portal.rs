//! The portal's notices: `/notices` (通知公告 / 政策法规 tabs, paged),
//! `/notices/{id}` and its attachments. Withdrawn notices are not found.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use xinyong_core::notices;
use xinyong_domain::notices::NoticeKind;

use super::{NoticeView, body_paragraphs, kinds};
use crate::AppState;
use crate::portal::pager::Pager;
use crate::web::{Layout, error_page};

/// Notices one page of a column lists.
pub const PAGE_SIZE: u32 = 20;

/// Query of `/notices`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct NoticesParams {
    /// `announcement` (default) or `policy`.
    kind: Option<String>,
    page: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "notices/list.html")]
struct ListPage {
    layout: Layout,
    kind: &'static str,
    kind_name: &'static str,
    kinds: Vec<(&'static str, &'static str)>,
    notices: Vec<NoticeView>,
    total: u64,
    pager: Pager,
}

/// `GET /notices?kind=&page=`: one column, the newest first. An unknown
/// kind shows 通知公告 (the default tab) rather than an error.
pub(crate) async fn list(State(state): State<AppState>, Query(q): Query<NoticesParams>) -> Response {
    let kind = q.kind.as_deref().and_then(NoticeKind::parse).unwrap_or(NoticeKind::Announcement);
    let page = crate::portal::pages::page_param(q.page.as_deref()) as u64;
    let offset = (page - 1).saturating_mul(u64::from(PAGE_SIZE));
    let (rows, total) = match notices::page(&state.core, Some(kind), offset, PAGE_SIZE).await {
        Ok(found) => found,
        Err(e) => return error_page(&state, e.into()),
    };
    let pages = usize::try_from(total.div_ceil(u64::from(PAGE_SIZE))).unwrap_or(usize::MAX);
    let page = usize::try_from(page).unwrap_or(usize::MAX);
    ListPage {
        layout: Layout::new(&state, kind.name_zh()).at("notices"),
        kind: kind.as_str(),
        kind_name: kind.name_zh(),
        kinds: kinds(),
        notices: rows.iter().map(NoticeView::of).collect(),
        total,
        pager: Pager::new("/notices", &[("kind", kind.as_str())], page, pages),
    }
    .into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "notices/detail.html")]
struct DetailPage {
    layout: Layout,
    n: NoticeView,
    paragraphs: Vec<Vec<String>>,
    /// (number, name, size, SHA-256)
    attachments: Vec<(u64, String, String, String)>,
}

/// `GET /notices/{id}`: a published notice; a withdrawn or unknown one is
/// not found (404 with the error page).
pub(crate) async fn detail(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let read = async {
        let row = notices::published(&state.core, &id).await?;
        let files = notices::attachments(&state.core, &id).await?;
        Ok::<_, xinyong_core::CoreError>((row, files))
    };
    let (row, files) = match read.await {
        Ok(found) => found,
        Err(e) => return error_page(&state, e.into()),
    };
    let attachments = files.into_iter().map(|f| (f.file_no, f.name, size_label(f.size), f.sha256)).collect();
    DetailPage {
        layout: Layout::new(&state, &row.title).at("notices"),
        paragraphs: body_paragraphs(&row),
        n: NoticeView::of(&row),
        attachments,
    }
    .into_response()
}

/// `GET /notices/{id}/attachments/{n}`: the file with its own name (RFC
/// 6266 `filename*`), for a published notice only.
pub(crate) async fn attachment(State(state): State<AppState>, Path((id, file_no)): Path<(String, u64)>) -> Response {
    use base64::Engine as _;
    let file = match notices::attachment(&state.core, &id, file_no).await {
        Ok(f) => f,
        Err(e) => return error_page(&state, e.into()),
    };
    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(&file.content_base64) else {
        let e = xinyong_core::CoreError::Internal(format!("notice attachment {id}/{file_no} is not base64"));
        return error_page(&state, e.into());
    };
    let disposition = content_disposition(&file.name, file_no);
    let headers = [
        (header::CONTENT_TYPE, file.media_type),
        (header::CONTENT_DISPOSITION, disposition),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
    ];
    (headers, bytes).into_response()
}

/// A file's size as people read it (字节, KB or MB).
fn size_label(bytes: u64) -> String {
    match bytes {
        0..1024 => format!("{bytes} 字节"),
        1024..1_048_576 => format!("{:.1} KB", bytes as f64 / 1024.0),
        _ => format!("{:.1} MB", bytes as f64 / 1_048_576.0),
    }
}

/// `attachment` with an ASCII fallback name for old clients and the
/// UTF-8 name of RFC 5987 (`filename*=UTF-8''…`) for the others.
fn content_disposition(name: &str, file_no: u64) -> String {
    let extension: String = name
        .rsplit_once('.')
        .map(|(_, e)| e.chars().filter(char::is_ascii_alphanumeric).take(8).collect())
        .unwrap_or_default();
    let ascii = if extension.is_empty() {
        format!("attachment-{file_no}")
    } else {
        format!("attachment-{file_no}.{extension}")
    };
    crate::web::content_disposition("attachment", &ascii, name)
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes_are_labelled_in_their_unit() {
        assert_eq!(super::size_label(30), "30 字节");
        assert_eq!(super::size_label(2_560), "2.5 KB");
        assert_eq!(super::size_label(5 * 1_048_576), "5.0 MB");
    }

    #[test]
    fn dispositions_carry_an_ascii_fallback_and_the_utf8_name() {
        assert_eq!(
            super::content_disposition("附件 1.pdf", 2),
            "attachment; filename=\"attachment-2.pdf\"; filename*=UTF-8''%E9%99%84%E4%BB%B6%201.pdf"
        );
        assert_eq!(
            super::content_disposition("说明", 1),
            "attachment; filename=\"attachment-1\"; filename*=UTF-8''%E8%AF%B4%E6%98%8E"
        );
    }
}

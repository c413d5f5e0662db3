//! The public JSON API of notices: `/api/v1/public/notices` (paged, newest
//! first, by kind) and `/api/v1/public/notices/{id}` with the body and the
//! attachments' digests and links. Withdrawn notices are not found.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use xinyong_core::notices;
use xinyong_domain::notices::{NoticeKind, NoticeRow, paragraphs};

use crate::error::{ApiPath, ApiQuery};
use crate::ratelimit::PublicApiClient;
use crate::{ApiError, ApiResult, AppState};

/// A notice in a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NoticeSummary {
    pub notice_id: String,
    /// `announcement`（通知公告）or `policy`（政策法规）.
    pub kind: String,
    /// 栏目的中文名称.
    pub kind_name: String,
    pub title: String,
    /// YYYY-MM-DD.
    pub published_on: String,
    /// 发布机关；没有时为空字符串.
    pub issuer: String,
    /// 文号；没有时为空字符串.
    pub doc_number: String,
    /// How many attachments it has.
    pub attachments: u64,
    /// The portal's page of the notice.
    pub url: String,
}

impl From<&NoticeRow> for NoticeSummary {
    fn from(n: &NoticeRow) -> NoticeSummary {
        NoticeSummary {
            notice_id: n.notice_id.clone(),
            kind: n.kind.as_str().to_owned(),
            kind_name: n.kind.name_zh().to_owned(),
            title: n.title.clone(),
            published_on: n.published_on.to_string(),
            issuer: n.issuer.clone(),
            doc_number: n.doc_number.clone(),
            attachments: n.attachments,
            url: format!("/notices/{}", n.notice_id),
        }
    }
}

/// Query of the list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NoticesParams {
    /// `announcement`（通知公告）或 `policy`（政策法规）；不填为全部栏目。
    pub kind: Option<String>,
    /// 页码，从 1 开始，默认 1；每页 20 条。
    pub page: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NoticesResponse {
    /// The kind asked for; empty for every kind.
    pub kind: String,
    pub page: u64,
    pub pages: u64,
    pub page_size: u32,
    /// Published notices of the kind in all pages.
    pub total: u64,
    pub notices: Vec<NoticeSummary>,
}

/// Published notices and policy documents (通知公告, 政策法规), newest first.
#[utoipa::path(
    get,
    path = "/api/v1/public/notices",
    tag = "public",
    params(NoticesParams),
    responses(
        (status = 200, description = "已发布的通知公告和政策法规，按发布日期从新到旧", body = NoticesResponse),
        (status = 400, description = "栏目无效（`notice_kind_invalid`），或查询参数无效（`query_invalid`）", body = crate::openapi::ErrorEnvelope),
        (status = 429, description = "查询过于频繁（`rate_limited`），见 Retry-After", body = crate::openapi::ErrorEnvelope),
    )
)]
pub async fn list_notices(
    State(state): State<AppState>,
    _client: PublicApiClient,
    ApiQuery(q): ApiQuery<NoticesParams>,
) -> ApiResult<Json<NoticesResponse>> {
    let kind = match q.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        None => None,
        Some(raw) => Some(NoticeKind::parse(raw).ok_or_else(|| {
            ApiError::bad_request("notice_kind_invalid", format!("栏目“{raw}”无效：应为 announcement 或 policy"))
        })?),
    };
    let page_size = crate::notices::portal::PAGE_SIZE;
    let page = crate::portal::pages::page_param(q.page.as_deref()) as u64;
    let offset = (page - 1).saturating_mul(u64::from(page_size));
    let (rows, total) = notices::page(&state.core, kind, offset, page_size).await?;
    Ok(Json(NoticesResponse {
        kind: kind.map(|k| k.as_str().to_owned()).unwrap_or_default(),
        page,
        pages: total.div_ceil(u64::from(page_size)).max(1),
        page_size,
        total,
        notices: rows.iter().map(NoticeSummary::from).collect(),
    }))
}

/// One attachment: its digest and where to download it.
#[derive(Debug, Serialize, ToSchema)]
pub struct NoticeAttachmentView {
    pub file_no: u64,
    pub name: String,
    pub media_type: String,
    /// Bytes.
    pub size: u64,
    /// Hex SHA-256 of the file.
    pub sha256: String,
    pub url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NoticeResponse {
    #[serde(flatten)]
    pub summary: NoticeSummary,
    /// The body as published (plain text).
    pub body: String,
    /// The body's paragraphs (split on blank lines).
    pub paragraphs: Vec<String>,
    pub attachment_files: Vec<NoticeAttachmentView>,
}

/// One published notice with its body and attachments.
#[utoipa::path(
    get,
    path = "/api/v1/public/notices/{id}",
    tag = "public",
    params(("id" = String, Path, description = "通知编号")),
    responses(
        (status = 200, description = "通知公告或政策法规的正文和附件", body = NoticeResponse),
        (status = 400, description = "路径参数无效（`path_invalid`）", body = crate::openapi::ErrorEnvelope),
        (status = 404, description = "没有这条通知，或已撤回（`notice_not_found`）", body = crate::openapi::ErrorEnvelope),
        (status = 429, description = "查询过于频繁（`rate_limited`），见 Retry-After", body = crate::openapi::ErrorEnvelope),
    )
)]
pub async fn get_notice(
    State(state): State<AppState>,
    _client: PublicApiClient,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<NoticeResponse>> {
    let row = notices::published(&state.core, &id).await?;
    let files = notices::attachments(&state.core, &row.notice_id).await?;
    let attachment_files = files
        .into_iter()
        .map(|f| NoticeAttachmentView {
            url: format!("/notices/{}/attachments/{}", f.notice_id, f.file_no),
            file_no: f.file_no,
            name: f.name,
            media_type: f.media_type,
            size: f.size,
            sha256: f.sha256,
        })
        .collect();
    Ok(Json(NoticeResponse {
        summary: NoticeSummary::from(&row),
        paragraphs: paragraphs(&row.body),
        body: row.body,
        attachment_files,
    }))
}

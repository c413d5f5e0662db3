//! `/api/v1/public/agencies`: the filed credit service agencies as JSON,
//! the same fields the portal shows (no natural person's data). Their
//! OpenAPI annotations are written in Chinese, the document's language.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;
use xinyong_core::agencies::{self, PublicAgency};
use xinyong_domain::Uscc;

use crate::error::ApiPath;
use crate::ratelimit::PublicApiClient;
use crate::{ApiError, ApiResult, AppState};

/// 一家已备案的信用服务机构（不含法定代表人、从业人员等自然人信息）。
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgencyView {
    /// 机构的统一社会信用代码。
    pub uscc: String,
    /// 机构名称。
    pub name: String,
    /// 备案编号。
    pub filing_no: String,
    /// 住所。
    pub address: String,
    /// 业务范围。
    pub business_scope: String,
    /// 备案状态：`normal`（正常）、`suspended`（暂停）或 `cancelled`（注销）。
    pub status: String,
    /// 备案状态的中文名称。
    pub status_name: String,
    /// 备案日期（YYYY-MM-DD）。
    pub filed_on: String,
    /// 门户上该机构的页面。
    pub url: String,
}

impl From<PublicAgency> for AgencyView {
    fn from(a: PublicAgency) -> AgencyView {
        AgencyView {
            url: format!("/agencies/{}", a.uscc),
            uscc: a.uscc,
            name: a.name,
            filing_no: a.filing_no,
            address: a.address,
            business_scope: a.business_scope,
            status: a.status,
            status_name: a.status_name,
            filed_on: a.filed_on.to_string(),
        }
    }
}

/// 信用服务机构名录。
#[derive(Debug, Serialize, ToSchema)]
pub struct AgenciesResponse {
    /// 已备案机构的数量。
    pub total: u64,
    /// 按备案日期从新到旧。
    pub agencies: Vec<AgencyView>,
}

/// 信用服务机构名录：已备案的全部机构，按备案日期从新到旧。
#[utoipa::path(
    get,
    path = "/api/v1/public/agencies",
    tag = "public",
    responses(
        (status = 200, description = "已备案的信用服务机构", body = AgenciesResponse),
        (status = 429, description = "查询过于频繁（`rate_limited`），见 Retry-After", body = crate::openapi::ErrorEnvelope),
    )
)]
pub async fn list_agencies(
    State(state): State<AppState>,
    _client: PublicApiClient,
) -> ApiResult<Json<AgenciesResponse>> {
    let agencies: Vec<AgencyView> =
        agencies::public_list(&state.core).await?.into_iter().map(AgencyView::from).collect();
    Ok(Json(AgenciesResponse { total: agencies.len() as u64, agencies }))
}

/// 一家已备案的信用服务机构。
#[utoipa::path(
    get,
    path = "/api/v1/public/agencies/{uscc}",
    tag = "public",
    params(("uscc" = String, Path, description = "机构的统一社会信用代码")),
    responses(
        (status = 200, description = "该机构的备案信息", body = AgencyView),
        (status = 400, description = "路径参数无效（`path_invalid`）", body = crate::openapi::ErrorEnvelope),
        (status = 404, description = "没有该机构的备案（`agency_not_found`）", body = crate::openapi::ErrorEnvelope),
        (status = 429, description = "查询过于频繁（`rate_limited`），见 Retry-After", body = crate::openapi::ErrorEnvelope),
    )
)]
pub async fn get_agency(
    State(state): State<AppState>,
    _client: PublicApiClient,
    ApiPath(raw): ApiPath<String>,
) -> ApiResult<Json<AgencyView>> {
    let uscc = Uscc::parse(raw.trim()).map_err(|_| {
        ApiError::new(axum::http::StatusCode::NOT_FOUND, "agency_not_found", "统一社会信用代码格式不正确，未找到该机构")
    })?;
    Ok(Json(agencies::public_agency(&state.core, &uscc).await?.into()))
}

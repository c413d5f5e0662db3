//! `/api/v1/public/agencies`: the filed agencies as JSON, the same fields
//! the portal shows.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use xinyong_core::agencies::{self, PublicAgency};
use xinyong_domain::Uscc;

use crate::error::ApiPath;
use crate::ratelimit::PublicApiClient;
use crate::{ApiError, ApiResult, AppState};

/// The filed agencies.
#[derive(Debug, Serialize)]
pub struct AgenciesResponse {
    pub total: usize,
    pub agencies: Vec<PublicAgency>,
}

/// `GET /api/v1/public/agencies`: every filed agency, the newest filing first.
pub async fn list_agencies(
    State(state): State<AppState>,
    _client: PublicApiClient,
) -> ApiResult<Json<AgenciesResponse>> {
    let agencies = agencies::public_list(&state.core).await?;
    Ok(Json(AgenciesResponse { total: agencies.len(), agencies }))
}

/// `GET /api/v1/public/agencies/{uscc}`: one filed agency.
pub async fn get_agency(
    State(state): State<AppState>,
    _client: PublicApiClient,
    ApiPath(raw): ApiPath<String>,
) -> ApiResult<Json<PublicAgency>> {
    let uscc = Uscc::parse(raw.trim()).map_err(|_| {
        ApiError::new(axum::http::StatusCode::NOT_FOUND, "agency_not_found", "统一社会信用代码格式不正确，未找到该机构")
    })?;
    Ok(Json(agencies::public_agency(&state.core, &uscc).await?))
}

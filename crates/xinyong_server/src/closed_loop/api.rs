//! `/api/v1/feeds/…`, `/api/v1/cases`, `/api/v1/webhooks/…`: the closed loop
//! as executing departments' systems use it — read the pushed items, say they
//! were received (签收) and how they were applied (执行反馈), report handled
//! cases for 应查必查 coverage, and have the feed delivered to a webhook.
//!
//! A department reads and acts on its own feed only; the credit office's
//! administrators may act on any. Acknowledgements, feedback and cases are
//! idempotent by content (the same request again writes nothing new), so a
//! retried request is safe without an `Idempotency-Key`.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use xinyong_core::auth as core_auth;
use xinyong_core::closed_loop::feeds::{self, CaseInput, DEFAULT_FEED_PAGE, FeedPage, LoopOutcome};
use xinyong_core::closed_loop::webhooks;
use xinyong_domain::auth::{DepartmentCode, Role};

use crate::AppState;
use crate::auth::{DepartmentCaller, random_secret};
use crate::error::{ApiError, ApiResult};

/// Whether the caller may read and act on `department`'s feed: its own, or
/// any for a credit-office administrator (a console session whose user has
/// the admin role).
pub async fn may_act_for(state: &AppState, caller: &DepartmentCaller, department: &DepartmentCode) -> ApiResult<bool> {
    if caller.department == *department {
        return Ok(true);
    }
    let Some(login) = caller.actor.as_str().strip_prefix("user:") else { return Ok(false) };
    Ok(core_auth::user(&state.core, login).await?.is_some_and(|u| u.active && u.roles.contains(&Role::Admin)))
}

/// The department named in the path, after checking the caller may use it.
async fn target(state: &AppState, caller: &DepartmentCaller, raw: &str) -> ApiResult<DepartmentCode> {
    let forbidden = || ApiError::new(StatusCode::FORBIDDEN, "forbidden", "只能查看和处理本部门的推送");
    let department = DepartmentCode::parse(raw).map_err(|_| forbidden())?;
    if !may_act_for(state, caller, &department).await? {
        return Err(forbidden());
    }
    if core_auth::department(&state.core, &department).await?.is_none() {
        return Err(ApiError::new(StatusCode::NOT_FOUND, "department_not_found", format!("部门“{raw}”未在平台登记")));
    }
    Ok(department)
}

#[derive(Debug, Deserialize)]
pub struct FeedQuery {
    pub after: Option<String>,
    pub limit: Option<String>,
}

fn number<T: std::str::FromStr>(raw: Option<&str>, name: &str, range: &str) -> ApiResult<Option<T>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|_| ApiError::bad_request("query_invalid", format!("参数 {name} 应为{range}的整数，收到 {s:?}"))),
    }
}

/// `GET /api/v1/feeds/{department}?after=&limit=`
pub async fn get_feed(
    State(state): State<AppState>,
    caller: DepartmentCaller,
    Path(department): Path<String>,
    Query(q): Query<FeedQuery>,
) -> ApiResult<Json<FeedPage>> {
    let department = target(&state, &caller, &department).await?;
    let after = number::<u64>(q.after.as_deref(), "after", "不小于 0")?.unwrap_or(0);
    let limit = number::<u32>(q.limit.as_deref(), "limit", " 1–500 ")?.unwrap_or(DEFAULT_FEED_PAGE);
    if !(1..=feeds::MAX_FEED_PAGE).contains(&limit) {
        return Err(ApiError::bad_request("query_invalid", format!("参数 limit 应在 1–{} 之间", feeds::MAX_FEED_PAGE)));
    }
    Ok(Json(feeds::feed(&state.core, &department, after, limit).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcknowledgeRequest {
    pub listing_id: String,
    pub measure: String,
    #[serde(default)]
    pub note: Option<String>,
}

fn loop_response(outcome: LoopOutcome) -> Response {
    let status = if outcome.recorded { StatusCode::CREATED } else { StatusCode::OK };
    (status, Json(outcome)).into_response()
}

/// `POST /api/v1/feeds/{department}/acknowledgements`
pub async fn acknowledge(
    State(state): State<AppState>,
    caller: DepartmentCaller,
    Path(department): Path<String>,
    Json(body): Json<AcknowledgeRequest>,
) -> ApiResult<Response> {
    let department = target(&state, &caller, &department).await?;
    let outcome = feeds::acknowledge(
        &state.core,
        &caller.actor,
        &department,
        body.listing_id.trim(),
        body.measure.trim(),
        body.note.as_deref().unwrap_or_default(),
    )
    .await?;
    Ok(loop_response(outcome))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedbackRequest {
    pub listing_id: String,
    pub measure: String,
    pub outcome: String,
    #[serde(default)]
    pub receipt_id: Option<String>,
    #[serde(default)]
    pub case_ref: Option<String>,
}

/// `POST /api/v1/feeds/{department}/feedback`
pub async fn feedback(
    State(state): State<AppState>,
    caller: DepartmentCaller,
    Path(department): Path<String>,
    Json(body): Json<FeedbackRequest>,
) -> ApiResult<Response> {
    let department = target(&state, &caller, &department).await?;
    let outcome = feeds::report_execution(
        &state.core,
        &caller.actor,
        &department,
        body.listing_id.trim(),
        body.measure.trim(),
        body.outcome,
        body.receipt_id,
        body.case_ref,
    )
    .await?;
    Ok(loop_response(outcome))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CasesRequest {
    pub cases: Vec<CaseInput>,
}

#[derive(Debug, Serialize)]
pub struct CasesResponse {
    pub department: String,
    pub recorded: usize,
}

/// `POST /api/v1/cases`: cases the caller's department handled.
pub async fn report_cases(
    State(state): State<AppState>,
    caller: DepartmentCaller,
    Json(body): Json<CasesRequest>,
) -> ApiResult<(StatusCode, Json<CasesResponse>)> {
    let recorded = feeds::report_cases(&state.core, &caller.actor, &caller.department, body.cases).await?;
    Ok((StatusCode::CREATED, Json(CasesResponse { department: caller.department.to_string(), recorded })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookRequest {
    pub url: String,
}

#[derive(Debug, Serialize)]
pub struct WebhookResponse {
    pub department: String,
    pub url: String,
    /// The signing secret (hex), shown only in this response.
    pub secret: String,
}

/// `PUT /api/v1/webhooks/{department}`
pub async fn put_webhook(
    State(state): State<AppState>,
    caller: DepartmentCaller,
    Path(department): Path<String>,
    Json(body): Json<WebhookRequest>,
) -> ApiResult<Json<WebhookResponse>> {
    let department = target(&state, &caller, &department).await?;
    let secret = webhooks::set_webhook(&state.core, &caller.actor, &department, &body.url, random_secret()?).await?;
    Ok(Json(WebhookResponse { department: department.to_string(), url: body.url.trim().to_owned(), secret }))
}

/// `DELETE /api/v1/webhooks/{department}`
pub async fn delete_webhook(
    State(state): State<AppState>,
    caller: DepartmentCaller,
    Path(department): Path<String>,
) -> ApiResult<StatusCode> {
    let department = target(&state, &caller, &department).await?;
    webhooks::remove_webhook(&state.core, &caller.actor, &department).await?;
    Ok(StatusCode::NO_CONTENT)
}

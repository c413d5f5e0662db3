//! `/api/v1/feeds/…`, `/api/v1/cases`, `/api/v1/webhooks/…`: the closed loop
//! as executing departments' systems use it — read the pushed items, say they
//! were received (签收) and how they were applied (执行反馈), report handled
//! cases for 应查必查 coverage, and have the feed delivered to a webhook.
//!
//! A department reads and acts on its own feed only; the credit office's
//! administrators may act on any (the access policy decides). Acknowledgements, feedback and cases are
//! idempotent by content (the same request again writes nothing new), so a
//! retried request is safe without an `Idempotency-Key`.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use xinyong_core::auth as core_auth;
use xinyong_core::auth::policy::{Action, Resource, authorize};
use xinyong_core::closed_loop::feeds::{self, CaseInput, DEFAULT_FEED_PAGE, FeedPage, LoopOutcome};
use xinyong_core::closed_loop::webhooks;
use xinyong_domain::auth::DepartmentCode;

use crate::AppState;
use crate::auth::{ApiCaller, random_secret};
use crate::error::{ApiError, ApiPath, ApiQuery, ApiResult, json_body};

/// The department named in the path, after the policy let the caller take
/// `action` for it.
async fn target(state: &AppState, caller: &ApiCaller, action: Action, raw: &str) -> ApiResult<DepartmentCode> {
    // A path that is no department code is no department's: only a caller
    // who may act for every department learns that it is unknown.
    let Ok(department) = DepartmentCode::parse(raw) else {
        authorize(caller, action, &Resource::AllDepartments)?;
        return Err(ApiError::new(StatusCode::NOT_FOUND, "department_not_found", format!("部门“{raw}”未在平台登记")));
    };
    authorize(caller, action, &Resource::Department(department.clone()))?;
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

/// A number parameter: absent is the default; present, it must be a number
/// (`limit=` is refused, as the document's `integer` says).
fn number<T: std::str::FromStr>(raw: Option<&str>, name: &str, range: &str) -> ApiResult<Option<T>> {
    match raw.map(str::trim) {
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
    caller: ApiCaller,
    ApiPath(department): ApiPath<String>,
    ApiQuery(q): ApiQuery<FeedQuery>,
) -> ApiResult<Json<FeedPage>> {
    let department = target(&state, &caller, Action::ReadFeed, &department).await?;
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
    caller: ApiCaller,
    ApiPath(department): ApiPath<String>,
    body: Result<Json<AcknowledgeRequest>, JsonRejection>,
) -> ApiResult<Response> {
    let department = target(&state, &caller, Action::AnswerFeed, &department).await?;
    let body = json_body(body)?;
    let outcome = feeds::acknowledge(
        &state.core,
        &caller,
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
    caller: ApiCaller,
    ApiPath(department): ApiPath<String>,
    body: Result<Json<FeedbackRequest>, JsonRejection>,
) -> ApiResult<Response> {
    let department = target(&state, &caller, Action::AnswerFeed, &department).await?;
    let body = json_body(body)?;
    let outcome = feeds::report_execution(
        &state.core,
        &caller,
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
    caller: ApiCaller,
    body: Result<Json<CasesRequest>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<CasesResponse>)> {
    let department = caller.own_department()?;
    authorize(&caller, Action::ReportCases, &Resource::Department(department.clone()))?;
    let body = json_body(body)?;
    let recorded = feeds::report_cases(&state.core, &caller, &department, body.cases).await?;
    Ok((StatusCode::CREATED, Json(CasesResponse { department: department.to_string(), recorded })))
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
    caller: ApiCaller,
    ApiPath(department): ApiPath<String>,
    body: Result<Json<WebhookRequest>, JsonRejection>,
) -> ApiResult<Json<WebhookResponse>> {
    let department = target(&state, &caller, Action::ManageWebhook, &department).await?;
    let body = json_body(body)?;
    let secret = webhooks::set_webhook(&state.core, &caller, &department, &body.url, random_secret()?).await?;
    Ok(Json(WebhookResponse { department: department.to_string(), url: body.url.trim().to_owned(), secret }))
}

/// `DELETE /api/v1/webhooks/{department}`
pub async fn delete_webhook(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(department): ApiPath<String>,
) -> ApiResult<StatusCode> {
    let department = target(&state, &caller, Action::ManageWebhook, &department).await?;
    webhooks::remove_webhook(&state.core, &caller, &department).await?;
    Ok(StatusCode::NO_CONTENT)
}

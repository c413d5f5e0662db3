//! One error envelope for the whole API:
//! `{"error":{"code":"snake_case","message":"…","details":[…]}}`, with the
//! code → status mapping in one table. A 500 never shows internals; the full
//! chain is logged once, here.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use xinyong_core::CoreError;
use xinyong_core::auth::policy::{Denied, DeniedKind};

pub type ApiResult<T> = Result<T, ApiError>;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Vec<serde_json::Value>,
}

#[derive(Serialize)]
struct Envelope<'a> {
    error: Body<'a>,
}

#[derive(Serialize)]
struct Body<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    details: &'a [serde_json::Value],
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status, code, message: message.into(), details: Vec::new() }
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }
}

/// The single code → status table.
fn status_for(err: &CoreError) -> StatusCode {
    match err {
        CoreError::NotFound { .. } => StatusCode::NOT_FOUND,
        CoreError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        CoreError::Forbidden { .. } => StatusCode::FORBIDDEN,
        CoreError::Unauthenticated { .. } => StatusCode::UNAUTHORIZED,
        CoreError::Storage(_)
        | CoreError::Log(_)
        | CoreError::Key(_)
        | CoreError::LogKey { .. }
        | CoreError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl From<CoreError> for ApiError {
    fn from(err: CoreError) -> ApiError {
        let status = status_for(&err);
        if status.is_server_error() {
            tracing::error!(error = ?err, code = err.code(), "request failed");
            return ApiError::new(status, "internal_error", "服务器内部错误，请稍后重试");
        }
        ApiError::new(status, err.code(), err.to_string())
    }
}

/// A refusal of the access policy: 401 for nobody, 403 for somebody.
impl From<Denied> for ApiError {
    fn from(denied: Denied) -> ApiError {
        let status = match denied.kind {
            DeniedKind::Unauthenticated => StatusCode::UNAUTHORIZED,
            DeniedKind::Forbidden => StatusCode::FORBIDDEN,
        };
        ApiError::new(status, denied.code, denied.message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Envelope { error: Body { code: self.code, message: &self.message, details: &self.details } };
        let mut response = (self.status, Json(body)).into_response();
        // Every 401 of the API asks for the same credentials (RFC 9110 §11.6.1).
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// A JSON request body, read by the handler once the caller is authorized:
/// nobody is refused before their body is looked at. A body that does not
/// parse keeps the status axum's `Json` extractor gives it, in the envelope:
/// 400 `invalid_json` (not JSON), 422 `invalid_json` (JSON of the wrong
/// shape: a missing or unknown field, a wrong type), 413 `body_too_large`,
/// 415 `unsupported_media_type` (no `Content-Type: application/json`).
pub(crate) fn json_body<T>(body: Result<Json<T>, JsonRejection>) -> ApiResult<T> {
    body.map(|Json(value)| value).map_err(|rejection| {
        let status = rejection.status();
        match status {
            StatusCode::PAYLOAD_TOO_LARGE => too_large(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => not_json(),
            _ => ApiError::new(status, "invalid_json", format!("请求体应为 JSON 对象：{}", rejection.body_text())),
        }
    })
}

fn too_large() -> ApiError {
    let mib = crate::MAX_BODY_BYTES / (1024 * 1024);
    ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", format!("请求体超过 {mib} MB 的上限"))
}

fn not_json() -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        "请求体应为 JSON（Content-Type: application/json）",
    )
}

/// The query string of an API request: a string that does not parse (a
/// parameter given twice, a number that is not one, bytes that are not
/// UTF-8) is 400 `query_invalid` in the envelope, never axum's plain-text
/// refusal.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Query(value) = Query::<T>::from_request_parts(parts, state).await.map_err(|rejection| {
            refused(
                StatusCode::BAD_REQUEST,
                "query_invalid",
                "查询参数无效（重复、类型不对或不是 UTF-8）",
                &rejection.body_text(),
            )
        })?;
        Ok(ApiQuery(value))
    }
}

/// The path parameters of an API request: a segment whose percent-encoding
/// is not UTF-8 is 400 `path_invalid` in the envelope.
#[derive(Debug, Clone, Copy)]
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(value) = Path::<T>::from_request_parts(parts, state).await.map_err(|rejection| {
            refused(rejection.status(), "path_invalid", "路径参数无效（不是 UTF-8 或格式不对）", &rejection.body_text())
        })?;
        Ok(ApiPath(value))
    }
}

/// A refusal with axum's own (English) explanation kept as a detail for the
/// integrator's developer; the message is for people.
fn refused(status: StatusCode, code: &'static str, message: &str, detail: &str) -> ApiError {
    let mut err = ApiError::new(status, code, message);
    err.details.push(serde_json::json!({ "detail": detail }));
    err
}

/// Under `/api/`, an error answer that is not JSON (a layer's refusal, such
/// as the body limit's 413 for a declared `Content-Length` over the limit)
/// becomes the envelope with the same status and headers (`Retry-After`,
/// `Allow`, …): programs read `error.code` on every refusal.
pub(crate) async fn api_errors_in_the_envelope(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !api || is_json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let err = match status {
        StatusCode::PAYLOAD_TOO_LARGE => too_large(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => not_json(),
        s if s.is_server_error() => ApiError::new(s, "internal_error", "服务器内部错误，请稍后重试"),
        s => ApiError::new(s, "bad_request", "请求无效"),
    };
    let (parts, _) = response.into_parts();
    let mut envelope = err.into_response();
    let own: Vec<header::HeaderName> = envelope.headers().keys().cloned().collect();
    for (name, value) in &parts.headers {
        if name != header::CONTENT_LENGTH && !own.contains(name) {
            envelope.headers_mut().append(name.clone(), value.clone());
        }
    }
    envelope
}

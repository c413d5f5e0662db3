//! One error envelope for the whole API:
//! `{"error":{"code":"snake_case","message":"…","details":[…]}}`, with the
//! code → status mapping in one table. A 500 never shows internals; the full
//! chain is logged once, here.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
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
/// parse keeps the status axum's `Json` extractor gives it (400, 413, 415,
/// 422), in the envelope.
pub(crate) fn json_body<T>(body: Result<Json<T>, JsonRejection>) -> ApiResult<T> {
    body.map(|Json(value)| value).map_err(|rejection| {
        ApiError::new(rejection.status(), "invalid_json", format!("请求体应为 JSON 对象：{}", rejection.body_text()))
    })
}

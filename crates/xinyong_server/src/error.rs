//! One error envelope for the whole API:
//! `{"error":{"code":"snake_case","message":"…","details":[…]}}`, with the
//! code → status mapping in one table. A 500 never shows internals; the full
//! chain is logged once, here.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use xinyong_core::CoreError;

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
        CoreError::Storage(_) | CoreError::Log(_) | CoreError::Key(_) | CoreError::Internal(_) => {
            StatusCode::INTERNAL_SERVER_ERROR
        }
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

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Envelope { error: Body { code: self.code, message: &self.message, details: &self.details } };
        (self.status, Json(body)).into_response()
    }
}

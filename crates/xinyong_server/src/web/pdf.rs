//! PDF documents served by pages: typeset on a blocking thread, a bounded
//! number at once (`[documents] parallel_renders`), sent inline so the
//! browser shows them and prints them.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use xinyong_documents::{Documents, DocumentsError};

use crate::{ApiError, AppState};

/// The bytes `make` typesets with the state's documents.
pub(crate) async fn render<F>(state: &AppState, make: F) -> Result<Vec<u8>, ApiError>
where
    F: FnOnce(&Documents) -> Result<Vec<u8>, DocumentsError> + Send + 'static,
{
    let busy = || ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "pdf_busy", "正在生成的文书较多，请稍后再试");
    let _turn =
        match tokio::time::timeout(state.pdf_render_wait, std::sync::Arc::clone(&state.pdf_renders).acquire_owned())
            .await
        {
            Ok(Ok(permit)) => permit,
            Ok(Err(_)) | Err(_) => return Err(busy()),
        };
    let documents = std::sync::Arc::clone(&state.documents);
    let made = tokio::task::spawn_blocking(move || make(&documents)).await.map_err(|e| {
        tracing::error!(error = %e, "typesetting a document panicked or was cancelled");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "pdf_template_failed", "文书生成失败")
    })?;
    made.map_err(|e| {
        tracing::error!(code = e.code(), error = %e, "a document could not be made");
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, e.code(), e.to_string())
    })
}

/// A PDF shown in the browser, saved as `file_name` (UTF-8, RFC 6266).
pub(crate) fn inline(bytes: Vec<u8>, file_name: &str) -> Response {
    let disposition = crate::web::content_disposition("inline", "document.pdf", file_name);
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

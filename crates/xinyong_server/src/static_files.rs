//! Vendored static assets, embedded in the binary (no CDN: intranet
//! deployments must work offline).

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "static/"]
struct Assets;

pub(crate) async fn serve(Path(path): Path<String>) -> Response {
    match Assets::get(&path) {
        Some(file) => (
            [
                (header::CONTENT_TYPE, file.metadata.mimetype().to_owned()),
                (header::CACHE_CONTROL, "public, max-age=3600".to_owned()),
            ],
            file.data,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

/// `GET /favicon.ico`, which browsers ask for where a page names no icon
/// (a JSON answer, a PDF): the SVG emblem the pages name.
pub(crate) async fn favicon() -> axum::response::Redirect {
    axum::response::Redirect::permanent("/static/favicon.svg")
}

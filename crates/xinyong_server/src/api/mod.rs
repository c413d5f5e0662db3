//! The JSON API under `/api/v1`: one module per resource, one function per
//! action; errors in the one envelope of `crate::error`.

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

pub mod openapi;
pub mod public;
pub mod records;
pub mod stats;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/records/batches", post(records::create_batch))
        .route("/api/v1/records/batches/{id}", get(records::get_batch))
        .route("/api/v1/records/batches/{id}/errors.xlsx", get(records::get_batch_error_report))
        .route("/api/v1/records/{id}", get(records::get_record))
        .route("/api/v1/stats/timeliness", get(stats::get_timeliness))
        .route("/api/v1/public/subjects", get(public::search_subjects))
        .route("/api/v1/public/subjects/{uscc}", get(public::get_subject))
        .route("/api/v1/public/lists", get(public::get_lists))
        .route("/api/v1/openapi.json", get(openapi::get_openapi))
}

//! Collection (归集): the records API (`api`), the timeliness statistics API
//! (`stats_api`), and the console's uploads, batches and timeliness pages
//! (`pages`).

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

pub mod api;
pub(crate) mod pages;
pub mod stats_api;

pub(crate) fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/records/batches", post(api::create_batch))
        .route("/api/v1/records/batches/{id}", get(api::get_batch))
        .route("/api/v1/records/batches/{id}/errors.xlsx", get(api::get_batch_error_report))
        .route("/api/v1/records/{id}", get(api::get_record))
        .route("/api/v1/stats/timeliness", get(stats_api::get_timeliness))
}

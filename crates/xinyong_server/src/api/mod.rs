//! The JSON API under `/api/v1`: one module per resource, one function per
//! action; errors in the one envelope of `crate::error`.

use axum::Router;
use axum::routing::{get, post, put};

use crate::AppState;

pub mod checks;
pub mod feeds;
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
        .route("/api/v1/checks", post(checks::create_check))
        .route("/api/v1/checks/batch", post(checks::create_batch_check))
        .route("/api/v1/checks/receipts/{id}", get(checks::get_receipt))
        .route("/api/v1/ping", get(checks::ping))
        .route("/api/v1/feeds/{department}", get(feeds::get_feed))
        .route("/api/v1/feeds/{department}/acknowledgements", post(feeds::acknowledge))
        .route("/api/v1/feeds/{department}/feedback", post(feeds::feedback))
        .route("/api/v1/cases", post(feeds::report_cases))
        .route("/api/v1/webhooks/{department}", put(feeds::put_webhook).delete(feeds::delete_webhook))
        .route("/api/v1/public/lists", get(public::get_lists))
        .route("/api/v1/openapi.json", get(openapi::get_openapi))
}

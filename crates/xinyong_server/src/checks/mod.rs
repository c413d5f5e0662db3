//! The credit check API for approval and trading systems.

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

pub mod api;

pub(crate) fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/checks", post(api::create_check))
        .route("/api/v1/checks/batch", post(api::create_batch_check))
        .route("/api/v1/checks/receipts/{id}", get(api::get_receipt))
        .route("/api/v1/ping", get(api::ping))
}

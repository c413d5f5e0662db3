//! The closed loop: executing departments' feeds, answers, cases and webhooks
//! (`api`), and the console's feed, loop metrics and measures pages (`pages`).

use axum::Router;
use axum::routing::{get, post, put};

use crate::AppState;

pub mod api;
pub(crate) mod pages;

pub(crate) fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/feeds/{department}", get(api::get_feed))
        .route("/api/v1/feeds/{department}/acknowledgements", post(api::acknowledge))
        .route("/api/v1/feeds/{department}/feedback", post(api::feedback))
        .route("/api/v1/cases", post(api::report_cases))
        .route("/api/v1/webhooks/{department}", put(api::put_webhook).delete(api::delete_webhook))
}

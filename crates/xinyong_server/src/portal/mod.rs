//! The public portal (信用济南): search, subject pages, 双公示, the published
//! lists and `/verify` (`pages`), and the public JSON API (`api`).

use axum::Router;
use axum::routing::get;

use crate::AppState;

pub mod api;
pub(crate) mod pages;

pub(crate) fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/public/subjects", get(api::search_subjects))
        .route("/api/v1/public/subjects/{uscc}", get(api::get_subject))
        .route("/api/v1/public/lists", get(api::get_lists))
}

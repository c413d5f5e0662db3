//! Operational endpoints for load balancers and monitoring.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;

use crate::AppState;

/// Liveness: the process answers.
pub(crate) async fn healthz() -> &'static str {
    "ok\n"
}

/// Readiness: the database answers too.
pub(crate) async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match state.core.store().log_size().await {
        Ok(_) => (StatusCode::OK, "ready\n"),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n")
        }
    }
}

pub(crate) async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    if let Ok(counts) = state.core.counts().await {
        metrics::gauge!("xinyong_subjects").set(counts.subjects as f64);
        metrics::gauge!("xinyong_log_size").set(counts.events as f64);
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], state.metrics.render())
}

//! Operational endpoints for load balancers and monitoring.

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use xinyong_core::auth::policy::{Action, Resource};

use crate::AppState;
use crate::auth::{ConsoleCaller, PageError};

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

/// `GET /metrics` on the public address: the credit office's
/// administrators only (the numbers tell an attacker how busy and how big
/// the platform is). Prometheus scrapes [`metrics_router`] instead.
pub(crate) async fn metrics(State(state): State<AppState>, caller: ConsoleCaller) -> Result<Response, PageError> {
    caller.authorize(&state, Action::ViewMetrics, &Resource::Platform)?;
    Ok(exposition(&state).await)
}

/// The Prometheus text exposition, with the gauges read at scrape time.
async fn exposition(state: &AppState) -> Response {
    // From memory and the log's last index, as the home page: counting the
    // tables at every scrape grows with the city.
    metrics::gauge!("xinyong_subjects").set(state.search.len() as f64);
    if let Ok(size) = state.core.store().log_size().await {
        metrics::gauge!("xinyong_log_size").set(size as f64);
    }
    if let Ok(Some(checkpoint)) = state.core.latest_checkpoint().await {
        let age = state.core.now() - checkpoint.signed_at;
        metrics::gauge!("xinyong_checkpoint_age_seconds").set(age.num_milliseconds() as f64 / 1000.0);
        metrics::gauge!("xinyong_checkpoint_size").set(checkpoint.size as f64);
    }
    metrics::gauge!("xinyong_check_index_applied").set(state.checks.applied() as f64);
    let pool = state.core.store().pool_status();
    metrics::gauge!("xinyong_db_pool_connections", "state" => "open").set(f64::from(pool.open));
    metrics::gauge!("xinyong_db_pool_connections", "state" => "idle").set(f64::from(pool.idle));
    metrics::gauge!("xinyong_db_pool_connections", "state" => "max").set(f64::from(pool.max));
    let exposition = [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")];
    (exposition, [(header::CACHE_CONTROL, "no-store")], state.metrics.render()).into_response()
}

/// The router of `[server] metrics_listen`: `GET /metrics` without a
/// session, for a Prometheus server on the operations network. Bind it to an
/// address only that network reaches (the default is loopback).
pub(crate) fn metrics_router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(|State(state): State<AppState>| async move { exposition(&state).await }))
        .with_state(state)
}

/// Counts every request and times it, by route pattern (never the raw
/// path: ids in paths would make a series per subject) and status class.
pub(crate) async fn record_request(request: Request, next: Next) -> Response {
    let route =
        request.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = request.method().as_str().to_owned();
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    let elapsed = started.elapsed().as_secs_f64();
    metrics::counter!("xinyong_http_requests_total", "route" => route.clone(), "method" => method.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("xinyong_http_request_duration_seconds", "route" => route, "method" => method).record(elapsed);
    response
}

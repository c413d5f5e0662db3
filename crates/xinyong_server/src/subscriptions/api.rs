//! `/api/v1/subscription/…`: a subscriber's own subscription.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use serde::{Deserialize, Serialize};
use xinyong_core::subscriptions::{self, FeedPage, WatchlistOutcome};

use crate::AppState;
use crate::auth::{ApiCaller, random_secret};
use crate::error::{ApiQuery, ApiResult, json_body};

#[derive(Debug, Deserialize)]
pub struct FeedQuery {
    /// The last cursor read (0: from the start).
    #[serde(default)]
    pub after: u64,
    #[serde(default = "default_limit")]
    pub limit: u32,
}

fn default_limit() -> u32 {
    100
}

/// `GET /api/v1/subscription/feed?after=N&limit=M`: changes of the watched
/// organisations in log order.
pub async fn get_feed(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(q): ApiQuery<FeedQuery>,
) -> ApiResult<Json<FeedPage>> {
    Ok(Json(subscriptions::feed(&state.core, &caller, q.after, q.limit).await?))
}

#[derive(Debug, Serialize)]
pub struct WatchlistView {
    pub usccs: Vec<String>,
}

/// `GET /api/v1/subscription/watchlist`
pub async fn get_watchlist(State(state): State<AppState>, caller: ApiCaller) -> ApiResult<Json<WatchlistView>> {
    let list = subscriptions::watchlist(&state.core, &caller).await?;
    Ok(Json(WatchlistView { usccs: list.iter().map(|u| u.as_str().to_owned()).collect() }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WatchlistRequest {
    pub usccs: Vec<String>,
}

/// `PUT /api/v1/subscription/watchlist`: the whole list, replacing the old
/// one; bad codes are named by position and left out.
pub async fn put_watchlist(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: Result<Json<WatchlistRequest>, JsonRejection>,
) -> ApiResult<Json<WatchlistOutcome>> {
    let body = json_body(body)?;
    Ok(Json(subscriptions::set_watchlist(&state.core, &caller, &body.usccs).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookRequest {
    pub url: String,
}

#[derive(Debug, Serialize)]
pub struct WebhookResponse {
    pub url: String,
    /// The signing secret (hex), shown only in this response.
    pub secret: String,
}

/// `PUT /api/v1/subscription/webhook`
pub async fn put_webhook(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: Result<Json<WebhookRequest>, JsonRejection>,
) -> ApiResult<Json<WebhookResponse>> {
    let body = json_body(body)?;
    let secret = subscriptions::set_webhook(&state.core, &caller, &body.url, random_secret()?).await?;
    Ok(Json(WebhookResponse { url: body.url.trim().to_owned(), secret }))
}

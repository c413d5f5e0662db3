//! `POST /witness/add-checkpoint` (C2SP tlog-witness): peer cities submit
//! their checkpoints; this platform cosigns the consistent ones.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::AppState;

pub(crate) async fn add_checkpoint(State(state): State<AppState>, body: String) -> Response {
    match state.core.add_checkpoint(&body).await {
        Ok(cosignature) => ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], cosignature).into_response(),
        Err(refusal) => {
            let status = StatusCode::from_u16(refusal.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, [(header::CONTENT_TYPE, refusal.content_type)], refusal.body).into_response()
        }
    }
}

//! The transparency-log endpoints. Shapes are fixed (docs/LOG.md): third
//! parties verify them with their own code.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde::Deserialize;
use serde_json::json;

use crate::AppState;
use crate::error::{ApiError, ApiResult};

const TEXT: &str = "text/plain; charset=utf-8";

/// `<origin>+<key id>+<base64 key>`
pub(crate) async fn key(State(state): State<AppState>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, TEXT)], format!("{}\n", state.core.keys().verifier_key()))
}

/// `GET /log/key-rotations`: every change of the signing key with what a
/// verifier needs to follow it from the key it trusts (docs/LOG.md, "Key
/// rotation"): each `log_key_rotated` entry's index, body and salt (they hold
/// no personal data), to check against `/log/entries/{index}` and its proof.
pub(crate) async fn key_rotations(State(state): State<AppState>) -> ApiResult<impl IntoResponse> {
    let core = &state.core;
    let current = core.keys().verifier_key();
    let entries = core.key_rotation_entries().await?;
    let first_key = entries.first().map_or_else(|| current.clone(), |e| e.row.previous_key.clone());
    let rotations: Vec<_> = entries
        .into_iter()
        .map(|e| {
            json!({
                "index": e.row.from_index,
                "old_key": e.row.previous_key,
                "new_key": e.row.verifier_key,
                "body": e.body,
                "salt_base64": B64.encode(&e.salt),
            })
        })
        .collect();
    let document = json!({
        "origin": core.keys().origin(),
        "first_key": first_key,
        "current_key": current,
        "rotations": rotations,
    });
    Ok(([(header::CACHE_CONTROL, "no-cache")], Json(document)))
}

/// The latest signed checkpoint (signed now if the log grew since), with
/// the cosignature lines witnesses returned for it, if any.
pub(crate) async fn checkpoint(State(state): State<AppState>) -> ApiResult<impl IntoResponse> {
    let cp = state.core.checkpoint().await?;
    let note = state.core.cosigned_checkpoint(cp.size).await?.unwrap_or(cp.note);
    Ok(([(header::CONTENT_TYPE, TEXT), (header::CACHE_CONTROL, "no-cache")], note))
}

/// The latest checkpoint witnesses cosigned, with every cosignature line
/// (docs/WITNESS.md): what a verifier with a witness quorum accepts.
pub(crate) async fn cosigned_checkpoint(State(state): State<AppState>) -> ApiResult<impl IntoResponse> {
    let none = || ApiError::new(StatusCode::NOT_FOUND, "no_cosigned_checkpoint", "还没有见证者联署过本平台的检查点");
    let note = state.core.latest_cosigned_checkpoint().await?.ok_or_else(none)?;
    Ok(([(header::CONTENT_TYPE, TEXT), (header::CACHE_CONTROL, "no-cache")], note))
}

fn parse_index(raw: &str) -> ApiResult<u64> {
    raw.parse().map_err(|_| ApiError::bad_request("log_bad_index", format!("日志索引必须是非负整数，收到 {raw:?}")))
}

pub(crate) async fn entry(State(state): State<AppState>, Path(index): Path<String>) -> ApiResult<impl IntoResponse> {
    let bytes = state.core.entry(parse_index(&index)?).await?;
    // Entries never change once written.
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        bytes,
    ))
}

pub(crate) async fn proof(State(state): State<AppState>, Path(index): Path<String>) -> ApiResult<impl IntoResponse> {
    let proof = state.core.inclusion_proof(parse_index(&index)?).await?;
    Ok(([(header::CONTENT_TYPE, TEXT)], proof.to_text()))
}

#[derive(Debug, Deserialize)]
pub(crate) struct ConsistencyQuery {
    old: Option<String>,
    new: Option<String>,
}

pub(crate) async fn consistency(
    State(state): State<AppState>,
    Query(q): Query<ConsistencyQuery>,
) -> ApiResult<impl IntoResponse> {
    let (Some(old), Some(new)) = (q.old, q.new) else {
        return Err(ApiError::bad_request("log_bad_range", "需要查询参数 old 和 new(树大小)"));
    };
    let hashes = state.core.consistency_proof(parse_index(&old)?, parse_index(&new)?).await?;
    Ok(([(header::CONTENT_TYPE, TEXT)], xinyong_tlog::format_hash_lines(&hashes)))
}

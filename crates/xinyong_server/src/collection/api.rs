//! `/api/v1/records…`: department systems push records in batches.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use xinyong_core::auth::policy::{Action, Resource, authorize};
use xinyong_core::collection::intake::{self, IngestOutcome, IngestRequest, InputTable, Source};
use xinyong_domain::collection::{AcceptedRecord, BatchSummary};

use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::{ApiError, ApiPath, ApiQuery, ApiResult, json_body};

/// `POST /api/v1/records/batches` body. Each row is an object keyed by field
/// code (`CF_WSH`) or by the template's Chinese header (`行政处罚决定书文号`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchCreateRequest {
    /// Catalog item code (`XK`, `CF`, …); inferred from the keys when omitted.
    #[serde(default)]
    pub item: Option<String>,
    /// Codes issued by other authorities: a wrong check character is a warning.
    #[serde(default)]
    pub lenient: bool,
    /// Validate and report, write nothing.
    #[serde(default)]
    pub dry_run: bool,
    pub rows: Vec<serde_json::Map<String, serde_json::Value>>,
}

/// Longest `Idempotency-Key` accepted.
pub(crate) const MAX_IDEMPOTENCY_KEY: usize = 200;

/// Rows as a table: headers in order of first appearance; a row's number is
/// its 1-based position in `rows`.
fn table_from_rows(rows: &[serde_json::Map<String, serde_json::Value>]) -> ApiResult<InputTable> {
    let mut headers: Vec<String> = Vec::new();
    for row in rows {
        for key in row.keys() {
            if !headers.contains(key) {
                headers.push(key.clone());
            }
        }
    }
    let mut table = InputTable { headers, rows: Vec::with_capacity(rows.len()) };
    for (i, row) in rows.iter().enumerate() {
        let mut cells = Vec::with_capacity(table.headers.len());
        for h in &table.headers {
            let cell = match row.get(h) {
                None | Some(serde_json::Value::Null) => String::new(),
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(serde_json::Value::Number(n)) => n.to_string(),
                Some(serde_json::Value::Bool(b)) => if *b { "是" } else { "否" }.to_owned(),
                Some(_) => {
                    return Err(ApiError::bad_request(
                        "row_value_invalid",
                        format!("第 {} 行的“{h}”应为字符串、数字或 null", i + 1),
                    ));
                }
            };
            cells.push(cell);
        }
        table.rows.push((i as u64 + 1, cells));
    }
    Ok(table)
}

fn idempotency_key(headers: &HeaderMap) -> ApiResult<Option<String>> {
    let Some(value) = headers.get("idempotency-key") else { return Ok(None) };
    let key =
        value.to_str().ok().map(str::trim).filter(|k| !k.is_empty() && k.len() <= MAX_IDEMPOTENCY_KEY).ok_or_else(
            || {
                ApiError::bad_request(
                    "idempotency_key_invalid",
                    format!("Idempotency-Key 应为 1–{MAX_IDEMPOTENCY_KEY} 个可见 ASCII 字符"),
                )
            },
        )?;
    Ok(Some(key.to_owned()))
}

/// Row results and row reports one answer carries at most: a batch of
/// 100,000 rows would otherwise answer with hundreds of megabytes. The rest
/// is read page by page (`GET …/batches/{id}?reports_offset=`) or as the
/// error report (`…/errors.xlsx`).
pub const MAX_ROWS_IN_ANSWER: usize = 1_000;

/// The response: the batch, the rows' results (the first
/// [`MAX_ROWS_IN_ANSWER`]), and what was inferred.
#[derive(Debug, Serialize)]
pub struct BatchCreateResponse {
    #[serde(flatten)]
    pub outcome: IngestOutcome,
    /// Row results left out of `rows` (present only when some were).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows_omitted: Option<usize>,
    /// Row reports left out of `batch.reports` (present only when some were).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reports_omitted: Option<usize>,
}

impl BatchCreateResponse {
    fn bounded(mut outcome: IngestOutcome) -> BatchCreateResponse {
        let rows_omitted = outcome.rows.len().checked_sub(MAX_ROWS_IN_ANSWER).filter(|n| *n > 0);
        outcome.rows.truncate(MAX_ROWS_IN_ANSWER);
        let reports_omitted = outcome.batch.reports.len().checked_sub(MAX_ROWS_IN_ANSWER).filter(|n| *n > 0);
        outcome.batch.reports.truncate(MAX_ROWS_IN_ANSWER);
        BatchCreateResponse { outcome, rows_omitted, reports_omitted }
    }
}

/// Receives a batch of records. `201 Created` when something was written,
/// `200 OK` for a dry run, a batch received before, or a repeated
/// `Idempotency-Key`.
pub async fn create_batch(
    State(state): State<AppState>,
    caller: ApiCaller,
    headers: HeaderMap,
    body: Result<Json<BatchCreateRequest>, JsonRejection>,
) -> ApiResult<Response> {
    let department = caller.own_department()?;
    authorize(&caller, Action::SubmitRecords, &Resource::Department(department.clone()))?;
    let body = json_body(body)?;
    let key = idempotency_key(&headers)?;
    if let Some(key) = &key
        && let Some(batch) = intake::batch_by_idempotency_key(&state.core, &department, key).await?
    {
        return Ok((StatusCode::OK, Json(BatchView::from(batch))).into_response());
    }
    let request = IngestRequest {
        actor: caller.actor(),
        department,
        item: body.item,
        source: Source::Api,
        file_name: None,
        idempotency_key: key,
        table: table_from_rows(&body.rows)?,
        lenient_codes: body.lenient,
        received_date: None,
        dry_run: body.dry_run,
    };
    let outcome = intake::ingest_batch(&state.core, request).await?;
    let status = if outcome.batch_log_index.is_some() { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(BatchCreateResponse::bounded(outcome))).into_response())
}

/// A stored batch as the API shows it: its row reports one page at a time.
#[derive(Debug, Serialize)]
pub struct BatchView {
    pub batch: BatchSummary,
    pub already_received: bool,
    /// Where the next page of `batch.reports` starts (present only when
    /// there is one): `?reports_offset=N`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reports_next_offset: Option<usize>,
}

impl BatchView {
    fn page(mut batch: BatchSummary, offset: usize) -> BatchView {
        let total = batch.reports.len();
        let start = offset.min(total);
        let end = start.saturating_add(MAX_ROWS_IN_ANSWER).min(total);
        batch.reports = batch.reports.drain(start..end).collect();
        BatchView { batch, already_received: true, reports_next_offset: (end < total).then_some(end) }
    }
}

impl From<BatchSummary> for BatchView {
    fn from(batch: BatchSummary) -> Self {
        BatchView::page(batch, 0)
    }
}

/// `?reports_offset=N`: which page of a batch's row reports. Read as text,
/// so a bad value is the JSON envelope (`query_invalid`), not a bare 400.
#[derive(Debug, Default, Deserialize)]
pub struct BatchQuery {
    #[serde(default)]
    pub reports_offset: Option<String>,
}

impl BatchQuery {
    /// Absent is 0; present, it must be a number (`reports_offset=` is
    /// refused, as the document's `integer` says).
    fn offset(&self) -> ApiResult<usize> {
        match self.reports_offset.as_deref().map(str::trim) {
            None => Ok(0),
            Some(s) => s.parse().map_err(|_| {
                ApiError::bad_request("query_invalid", format!("参数 reports_offset 应为不小于 0 的整数，收到 {s:?}"))
            }),
        }
    }
}

/// A batch the caller may see. One it may not is reported absent, not
/// forbidden: its existence is not the caller's business.
async fn visible_batch(state: &AppState, caller: &ApiCaller, id: &str) -> ApiResult<BatchSummary> {
    let not_found = || ApiError::new(StatusCode::NOT_FOUND, "batch_not_found", format!("未找到批次 {id}"));
    let batch = intake::load_batch(&state.core, id).await?;
    let resource =
        batch.as_ref().map_or_else(|| Resource::unknown_for(caller), |b| Resource::Department(b.department.clone()));
    conceal(authorize(caller, Action::ViewBatches, &resource), not_found)?;
    batch.ok_or_else(not_found)
}

/// A refusal as the API reports it where existence is concealed: nobody is
/// still 401, somebody who may not see it is told "not found".
fn conceal(
    decision: Result<(), xinyong_core::auth::policy::Denied>,
    not_found: impl FnOnce() -> ApiError,
) -> ApiResult<()> {
    match decision {
        Ok(()) => Ok(()),
        Err(denied) if denied.is_unauthenticated() => Err(denied.into()),
        Err(_) => Err(not_found()),
    }
}

pub async fn get_batch(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<BatchQuery>,
) -> ApiResult<Json<BatchView>> {
    let offset = q.offset()?;
    let batch = visible_batch(&state, &caller, &id).await?;
    Ok(Json(BatchView::page(batch, offset)))
}

/// The rejected rows as an XLSX the clerk fixes and sends again.
pub async fn get_batch_error_report(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Response> {
    let batch = visible_batch(&state, &caller, &id).await?;
    let bytes = error_report(&batch)?;
    Ok(xlsx_attachment(bytes, &format!("错误报告-{}.xlsx", batch.id)))
}

/// The error report of a batch: the uploaded columns plus 错误说明 and 错误代码.
pub fn error_report(batch: &BatchSummary) -> ApiResult<Vec<u8>> {
    let rows: Vec<(Vec<String>, String, String)> = batch
        .reports
        .iter()
        .filter(|r| r.status == "rejected")
        .map(|r| {
            let text: Vec<&str> = r.issues.iter().map(|i| i.message.as_str()).collect();
            let codes: Vec<&str> = r.issues.iter().map(|i| i.code.as_str()).collect();
            (r.cells.clone(), format!("第 {} 行：{}", r.row, text.join("；")), codes.join("；"))
        })
        .collect();
    xinyong_tabular::write_error_report(&batch.headers, &rows).map_err(|e| {
        tracing::error!(error = %e, batch = %batch.id, "error report could not be written");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", "服务器内部错误，请稍后重试")
    })
}

/// An XLSX download with a UTF-8 file name (RFC 6266 / RFC 5987).
pub fn xlsx_attachment(bytes: Vec<u8>, file_name: &str) -> Response {
    let disposition = crate::web::content_disposition("attachment", "error-report.xlsx", file_name);
    (
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

/// A record with its provenance: who sent it, in which batch, under which
/// catalog version, and where it sits in the log.
#[derive(Debug, Serialize)]
pub struct RecordView {
    pub record: AcceptedRecord,
    pub log_index: u64,
}

pub async fn get_record(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<RecordView>> {
    let not_found = || ApiError::new(StatusCode::NOT_FOUND, "record_not_found", format!("未找到记录 {id}"));
    let found = intake::record_with_log_index(&state.core, &id).await?;
    let resource = found
        .as_ref()
        .map_or_else(|| Resource::unknown_for(&caller), |(r, _)| Resource::Department(r.department.clone()));
    conceal(authorize(&caller, Action::ViewBatches, &resource), not_found)?;
    let (record, log_index) = found.ok_or_else(not_found)?;
    Ok(Json(RecordView { record, log_index }))
}

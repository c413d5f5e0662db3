//! `/api/v1/checks…`: the credit check (应查必查). A department's system asks
//! before it acts in a scenario (bidding, procurement, approval …) and gets
//! the measures that apply, a one-line decision and a receipt whose id the
//! log proves within a batch interval (`GET /api/v1/checks/receipts/{id}`).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use xinyong_core::auth::policy::{Action, Resource, authorize};
use xinyong_core::checks::index::{CheckAnswer, CheckError, CheckQuery};
use xinyong_core::checks::receipts::{self, Receipt, Requester};
use xinyong_core::clock::china_date;
use xinyong_domain::checks::ReceiptLine;

use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::{ApiError, ApiPath, ApiResult};

/// Most subjects in one batch request.
pub const MAX_BATCH_SUBJECTS: usize = 10_000;

/// Longest `requester` / `case_ref`, in characters.
pub(crate) const MAX_REF_CHARS: usize = 100;

/// `POST /api/v1/checks` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckRequest {
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    pub scenario: Option<String>,
    #[serde(default)]
    pub item: Option<String>,
    #[serde(default)]
    pub requester: Option<String>,
    #[serde(default)]
    pub case_ref: Option<String>,
}

/// `POST /api/v1/checks/batch` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchCheckRequest {
    #[serde(default)]
    pub scenario: Option<String>,
    #[serde(default)]
    pub item: Option<String>,
    #[serde(default)]
    pub requester: Option<String>,
    #[serde(default)]
    pub case_ref: Option<String>,
    #[serde(default)]
    pub subjects: Option<Vec<String>>,
}

/// A receipt as returned: its id, then its canonical fields.
#[derive(Debug, Serialize)]
pub struct ReceiptView {
    pub id: String,
    #[serde(flatten)]
    pub receipt: Receipt,
}

/// The answer to one check, with its receipt.
#[derive(Debug, Serialize)]
pub struct CheckResponse {
    #[serde(flatten)]
    pub answer: CheckAnswer,
    pub receipt: ReceiptView,
}

/// One subject of a batch: its answer, or its error inline.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum BatchItem {
    Answer(Box<CheckResponse>),
    Error { input: String, error: ItemError },
}

#[derive(Debug, Serialize)]
pub struct ItemError {
    pub code: &'static str,
    pub message: String,
}

#[derive(Debug, Serialize)]
pub struct BatchCheckResponse {
    pub scenario: String,
    pub count: usize,
    pub results: Vec<BatchItem>,
}

fn missing(field: &'static str) -> ApiError {
    field_error("missing_field", field, format!("缺少必填字段 {field}"))
}

fn field_error(code: &'static str, field: &'static str, message: String) -> ApiError {
    let mut e = ApiError::bad_request(code, message);
    e.details.push(serde_json::json!({ "field": field }));
    e
}

fn check_error(e: &CheckError) -> ApiError {
    field_error(e.code(), e.field(), e.to_string())
}

fn parse_body<T: for<'de> Deserialize<'de>>(body: &[u8]) -> ApiResult<T> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request("invalid_json", format!("请求体应为 JSON 对象：{e}")))
}

fn short_text(value: Option<String>, field: &'static str, required: bool) -> ApiResult<Option<String>> {
    let value = value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    match value {
        None if required => Err(missing(field)),
        Some(v) if v.chars().count() > MAX_REF_CHARS || v.chars().any(char::is_control) => {
            Err(field_error("invalid_field", field, format!("{field} 应为 1–{MAX_REF_CHARS} 个字符，且不含控制字符")))
        }
        v => Ok(v),
    }
}

/// Answers one query and queues its receipt.
async fn answer_one(
    state: &AppState,
    who: &Requester,
    query: &CheckQuery,
    now: DateTime<Utc>,
) -> ApiResult<Result<CheckResponse, CheckError>> {
    let rules = state.core.rules();
    let answer = match state.checks.check(&rules.sanctions, query, china_date(now)) {
        Ok(a) => a,
        Err(e) => return Ok(Err(e)),
    };
    // By decision only: a label per department or subject would be a
    // series per caller.
    metrics::counter!("xinyong_checks_total", "decision" => answer.decision.as_str()).increment(1);
    let receipt = Receipt::new(who, query, &answer, rules.sanction_versions(), now)?;
    let id = receipt.id()?;
    let line: ReceiptLine = receipt.line(id.clone(), answer.subject.id_number_masked.is_some())?;
    state.receipts.submit(line).await?;
    Ok(Ok(CheckResponse { answer, receipt: ReceiptView { id, receipt } }))
}

/// `POST /api/v1/checks`
pub async fn create_check(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: Bytes,
) -> ApiResult<Json<CheckResponse>> {
    let department = caller.own_department()?;
    authorize(&caller, Action::CheckCredit, &Resource::Department(department.clone()))?;
    let req: CheckRequest = parse_body(&body)?;
    let subject = short_subject(req.subject)?;
    let scenario = req.scenario.filter(|s| !s.trim().is_empty()).ok_or_else(|| missing("scenario"))?;
    let who = Requester {
        department,
        requester: short_text(req.requester, "requester", true)?.unwrap_or_default(),
        case_ref: short_text(req.case_ref, "case_ref", false)?,
    };
    let query = CheckQuery { subject, scenario, item: req.item };
    let now = state.core.now();
    match answer_one(&state, &who, &query, now).await? {
        Ok(r) => Ok(Json(r)),
        Err(e) => Err(check_error(&e)),
    }
}

fn short_subject(subject: Option<String>) -> ApiResult<String> {
    subject.filter(|s| !s.trim().is_empty()).ok_or_else(|| missing("subject"))
}

/// `POST /api/v1/checks/batch`: up to 10,000 subjects in one scenario; one
/// answer (with its own receipt) per subject, in order.
pub async fn create_batch_check(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: Bytes,
) -> ApiResult<Json<BatchCheckResponse>> {
    let department = caller.own_department()?;
    authorize(&caller, Action::CheckCredit, &Resource::Department(department.clone()))?;
    let req: BatchCheckRequest = parse_body(&body)?;
    let subjects = req.subjects.ok_or_else(|| missing("subjects"))?;
    if subjects.len() > MAX_BATCH_SUBJECTS {
        return Err(field_error(
            "batch_too_large",
            "subjects",
            format!("一次最多查询 {MAX_BATCH_SUBJECTS} 个主体，收到 {} 个；请分批提交", subjects.len()),
        ));
    }
    let scenario = req.scenario.filter(|s| !s.trim().is_empty()).ok_or_else(|| missing("scenario"))?;
    let scenario_ok = state.core.rules().sanctions.scenario(scenario.trim()).is_some();
    if !scenario_ok {
        // The same message as a single check, before any receipt is issued.
        let probe = CheckQuery { subject: "x".to_owned(), scenario: scenario.clone(), item: None };
        if let Err(e) = state.checks.check(&state.core.rules().sanctions, &probe, china_date(state.core.now())) {
            return Err(check_error(&e));
        }
    }
    let who = Requester {
        department,
        requester: short_text(req.requester, "requester", true)?.unwrap_or_default(),
        case_ref: short_text(req.case_ref, "case_ref", false)?,
    };
    let now = state.core.now();
    let mut results = Vec::with_capacity(subjects.len());
    for subject in subjects {
        let query = CheckQuery { subject, scenario: scenario.clone(), item: req.item.clone() };
        results.push(match answer_one(&state, &who, &query, now).await? {
            Ok(r) => BatchItem::Answer(Box::new(r)),
            Err(e) => {
                BatchItem::Error { input: query.subject, error: ItemError { code: e.code(), message: e.to_string() } }
            }
        });
    }
    Ok(Json(BatchCheckResponse { scenario: scenario.trim().to_owned(), count: results.len(), results }))
}

/// Everything an outside verifier needs for one receipt.
#[derive(Debug, Serialize)]
pub struct ReceiptProofView {
    pub receipt: ReceiptLine,
    /// Log index of the `checks_recorded` batch event.
    pub log_index: u64,
    /// The batch event's body JSON, exactly as committed.
    pub batch_body: String,
    pub salt_base64: String,
    /// The canonical log entry (UTF-8 text), and the same bytes in base64.
    pub entry: String,
    pub entry_base64: String,
    /// Inclusion proof hashes (base64), leaf's sibling first.
    pub inclusion_proof: Vec<String>,
    /// The signed checkpoint the proof leads to.
    pub checkpoint: String,
    /// The same as a C2SP tlog-proof.
    pub tlog_proof: String,
}

/// `GET /api/v1/checks/receipts/{id}`
pub async fn get_receipt(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<ReceiptProofView>> {
    authorize(&caller, Action::ViewReceipt, &Resource::Platform)?;
    let proof = receipts::receipt_proof(&state.core, &id).await?.ok_or_else(|| {
        ApiError::new(
            axum::http::StatusCode::NOT_FOUND,
            "receipt_not_found",
            format!("日志中没有回执 {id}(回执约 0.1 秒内批量写入日志，请稍后再试)"),
        )
    })?;
    Ok(Json(ReceiptProofView {
        receipt: proof.line,
        log_index: proof.index,
        batch_body: proof.body,
        salt_base64: B64.encode(&proof.salt),
        entry: String::from_utf8_lossy(&proof.entry).into_owned(),
        entry_base64: B64.encode(&proof.entry),
        inclusion_proof: proof.proof.hashes.iter().map(|h| B64.encode(h)).collect(),
        checkpoint: proof.proof.checkpoint.clone(),
        tlog_proof: proof.proof.to_text(),
    }))
}

/// `GET /api/v1/ping`: the trivial handler the check bench compares against.
pub async fn ping() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "ok": true }))
}

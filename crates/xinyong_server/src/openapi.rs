//! The OpenAPI 3 document served at `GET /api/v1/openapi.json` (utoipa).
//!
//! The public endpoints are annotated where they are defined
//! (`api/public.rs`). The department endpoints return types of the core and
//! domain crates, which stay free of documentation dependencies; their
//! shapes are described here by mirror types (`…Doc`). A test feeds real
//! responses of every endpoint through the document and fails when a mirror
//! and the real JSON disagree, so the document cannot drift unnoticed.

use std::collections::HashMap;

use axum::Json;
use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

use crate::portal::api as public;

/// The document as served: its English descriptions in Chinese
/// (the table in `openapi_zh.rs`).
pub fn document() -> serde_json::Value {
    // The same for the whole process: generated and translated once.
    static DOCUMENT: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    DOCUMENT.get_or_init(translated).clone()
}

fn translated() -> serde_json::Value {
    let mut doc = generated();
    let chinese: HashMap<&str, &str> = crate::openapi_zh::CHINESE.iter().copied().collect();
    each_text(&mut doc, &mut |text| {
        if let Some(zh) = chinese.get(text.as_str()) {
            *text = (*zh).to_owned();
        }
    });
    doc
}

/// The document as utoipa generates it with the parsers' limits
/// (`openapi_limits.rs`), before translation.
fn generated() -> serde_json::Value {
    // Serialising the document's own types cannot fail.
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or(serde_json::Value::Null);
    crate::openapi_limits::apply(&mut doc);
    doc
}

/// The document as served by `core`: [`document`] with the codes the rules
/// in force accept (scenarios, list types, catalog items) and the
/// settings' limits.
pub fn document_for(core: &xinyong_core::Core) -> serde_json::Value {
    let mut doc = document();
    crate::openapi_limits::apply_rules(&mut doc, &core.rules(), core.settings().subscriptions.max_watchlist);
    doc
}

/// Limits of `openapi_limits.rs` whose field or parameter the generated
/// document does not have (a test keeps this empty).
pub fn unplaced_limits() -> Vec<String> {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or(serde_json::Value::Null);
    crate::openapi_limits::apply(&mut doc)
}

/// Calls `f` on every `description` and `summary` text of the document (a
/// property named `summary` is a schema object, not a text, and is walked).
fn each_text(value: &mut serde_json::Value, f: &mut impl FnMut(&mut String)) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                match v {
                    serde_json::Value::String(text) if key == "description" || key == "summary" => f(text),
                    _ => each_text(v, f),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| each_text(v, f)),
        _ => {}
    }
}

/// Entries of the translation table whose English the generated document no
/// longer contains: a doc comment changed and its Chinese went stale (a test
/// keeps this empty).
pub fn stale_translations() -> Vec<&'static str> {
    let mut texts = std::collections::HashSet::new();
    each_text(&mut generated(), &mut |text| {
        texts.insert(text.clone());
    });
    crate::openapi_zh::CHINESE.iter().map(|(en, _)| *en).filter(|en| !texts.contains(*en)).collect()
}

/// `GET /api/v1/openapi.json`
pub async fn get_openapi(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
) -> Json<serde_json::Value> {
    Json(document_for(&state.core))
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "信用济南 API",
        version = "1",
        description = "公共信用信息平台的 JSON 接口。`/api/v1/public/…` 向所有人开放（按客户端限流，只返回公示期内、可公开的法人信息）；\
                       `/api/v1/records/…`、`/api/v1/stats/…`、`/api/v1/checks…`、`/api/v1/feeds/…`、`/api/v1/cases` 和 `/api/v1/webhooks/…` 供各部门业务系统使用，需要部门 API 令牌（Bearer）或部门用户的工作台会话。\
                       错误统一为 `{\"error\":{\"code\":\"…\",\"message\":\"…\"}}`。",
        license(name = "Apache-2.0")
    ),
    paths(
        public::search_subjects,
        public::get_subject,
        public::get_log_entry,
        public::get_lists,
        public::list_licences,
        public::list_penalties,
        crate::commitments::pledges::api_pledges,
        crate::notices::api::list_notices,
        crate::notices::api::get_notice,
        crate::agencies::api::list_agencies,
        crate::agencies::api::get_agency,
        create_batch,
        get_batch,
        get_batch_error_report,
        get_record,
        get_timeliness,
        create_check,
        create_batch_check,
        get_check_receipt,
        ping,
        get_feed,
        post_acknowledgement,
        post_feedback,
        post_cases,
        put_webhook,
        delete_webhook,
        get_subscription_feed,
        get_subscription_watchlist,
        put_subscription_watchlist,
        put_subscription_webhook,
    ),
    components(schemas(ErrorEnvelope, ErrorBody, BatchItemErrorDoc)),
    modifiers(&BearerAuth),
    tags(
        (name = "public", description = "公开查询（无需登录，按客户端限流）"),
        (name = "records", description = "部门报送（归集）"),
        (name = "stats", description = "统计"),
        (name = "checks", description = "信用核查（应查必查）及其日志回执"),
        (name = "loop", description = "联合奖惩闭环：推送、签收、执行反馈、办件报送、回调"),
        (name = "subscription", description = "订阅单位（金融机构、行业协会等）：关注名单、变化信息拉取与回调（docs/SUBSCRIPTIONS.md）"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "department_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("部门 API 令牌（xinyong tokens issue）；也接受部门用户的工作台会话 Cookie"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "subscriber_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("订阅单位令牌（xys_…，信用办登记并由另一人批准后生效）"))
                    .build(),
            ),
        );
    }
}

/// The error envelope of every endpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorEnvelope {
    pub error: ErrorBody,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable machine code, e.g. `rate_limited`, `subject_not_found`.
    pub code: String,
    /// Chinese message for people.
    pub message: String,
    /// Further details (e.g. per-row problems), when any.
    #[schema(nullable = false)]
    pub details: Option<Vec<serde_json::Value>>,
}

// ----- mirrors of the department endpoints' shapes ---------------------------------

/// `POST /api/v1/records/batches` body.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchCreateRequestDoc {
    /// Catalog item code (`XK`, `CF`, …); inferred from the keys when omitted.
    pub item: Option<String>,
    /// Codes issued by other authorities: a wrong check character is only a warning.
    #[serde(default)]
    #[schema(default = false)]
    pub lenient: bool,
    /// Validate and report, write nothing.
    #[serde(default)]
    #[schema(default = false)]
    pub dry_run: bool,
    /// Rows keyed by field code (`CF_WSH`) or the template's Chinese header
    /// (`行政处罚决定书文号`); values are strings, numbers, booleans or null.
    pub rows: Vec<std::collections::HashMap<String, serde_json::Value>>,
}

/// A problem with one field of one row.
#[derive(Debug, Serialize, ToSchema)]
pub struct RowIssueDoc {
    pub field: String,
    pub code: String,
    pub message: String,
}

/// A rejected row or one accepted with warnings, as stored with the batch.
#[derive(Debug, Serialize, ToSchema)]
pub struct RowReportDoc {
    pub row: u64,
    /// `rejected` or `accepted_with_warnings`.
    pub status: String,
    pub cells: Vec<String>,
    pub issues: Vec<RowIssueDoc>,
}

/// A batch as received.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchSummaryDoc {
    pub id: String,
    pub department: String,
    pub item: String,
    pub catalog_version: String,
    /// `api`, `upload` or `cli`.
    pub source: String,
    pub file_name: Option<String>,
    pub idempotency_key: Option<String>,
    /// `YYYY-MM-DD`
    pub received_date: String,
    pub rows_total: u64,
    pub accepted: u64,
    pub corrected: u64,
    pub duplicates: u64,
    pub rejected: u64,
    pub warnings: u64,
    pub headers: Vec<String>,
    pub reports: Vec<RowReportDoc>,
}

/// What happened to one row.
#[derive(Debug, Serialize, ToSchema)]
pub struct RowResultDoc {
    pub row: u64,
    /// `accepted`, `accepted_with_warnings`, `rejected`, `duplicate`, `corrected`.
    pub status: String,
    /// Absent for rejected rows.
    #[schema(nullable = false)]
    pub record_id: Option<String>,
    pub errors: Vec<RowIssueDoc>,
    pub warnings: Vec<RowIssueDoc>,
}

/// The result of a batch.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchCreateResponseDoc {
    pub batch: BatchSummaryDoc,
    pub rows: Vec<RowResultDoc>,
    /// The item was inferred from the keys.
    pub inferred_item: bool,
    /// Keys that match no field of the item (reported, not stored).
    pub unknown_columns: Vec<String>,
    /// This exact batch had been received before; nothing was written.
    pub already_received: bool,
    pub dry_run: bool,
    /// Log index of the batch's event, when something was written.
    pub batch_log_index: Option<u64>,
    /// `rows` holds the first 1,000 row results; how many were left out
    /// (present only when some were).
    pub rows_omitted: Option<u64>,
    /// `batch.reports` holds the first 1,000 row reports; how many were left
    /// out (present only when some were; read them with
    /// `GET …/batches/{id}?reports_offset=1000` or the error report).
    pub reports_omitted: Option<u64>,
}

/// A stored batch, its row reports 1,000 at a time.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchViewDoc {
    pub batch: BatchSummaryDoc,
    pub already_received: bool,
    /// `?reports_offset=` of the next page of `batch.reports` (present only
    /// when there is one).
    pub reports_next_offset: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecordSubjectDoc {
    /// `legal_person` or `natural_person`.
    pub kind: String,
    /// USCC or ID number.
    pub key: String,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecordPublicityDoc {
    pub regime: String,
    pub severity: Option<String>,
    pub public: bool,
    pub non_public_reason: Option<String>,
    pub window_start: Option<String>,
    pub earliest_end: Option<String>,
    pub latest_end: Option<String>,
    pub repairable: bool,
}

/// A record as accepted, with every field (the department's own data).
#[derive(Debug, Serialize, ToSchema)]
pub struct AcceptedRecordDoc {
    pub id: String,
    pub department: String,
    pub item: String,
    pub catalog_version: String,
    pub batch_id: String,
    pub document_number: String,
    pub subject: RecordSubjectDoc,
    pub decision_date: String,
    pub received_date: String,
    pub working_days: Option<i64>,
    pub deadline_working_days: u32,
    pub publicity: RecordPublicityDoc,
    /// Every field as normalised, by field code.
    pub fields: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecordViewDoc {
    pub record: AcceptedRecordDoc,
    pub log_index: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TimelinessLineDoc {
    pub department: String,
    pub department_name: String,
    pub item: String,
    pub item_name: String,
    pub total: u64,
    pub on_time: u64,
    pub late: u64,
    pub unknown: u64,
    pub on_time_share: Option<f64>,
    pub average_working_days: Option<f64>,
    pub max_working_days: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OverdueRecordDoc {
    pub record_id: String,
    pub department: String,
    pub item: String,
    pub document_number: String,
    /// The subject's name for organisations; natural persons are not named.
    pub subject: String,
    pub decision_date: String,
    pub received_date: String,
    pub working_days: i64,
    pub deadline_working_days: u32,
}

/// Timeliness of the caller's department (十五.1).
#[derive(Debug, Serialize, ToSchema)]
pub struct TimelinessReportDoc {
    pub from: String,
    pub to: String,
    pub lines: Vec<TimelinessLineDoc>,
    pub total: u64,
    pub on_time: u64,
    pub on_time_share: Option<f64>,
    pub overdue: Vec<OverdueRecordDoc>,
}

// ----- the department endpoints (documentation only; handlers in records.rs, stats.rs)

/// Receives a batch of records. `201` when something was written; `200` for
/// a dry run, a batch received before, or a repeated `Idempotency-Key`.
#[utoipa::path(
    post,
    path = "/api/v1/records/batches",
    tag = "records",
    security(("department_token" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "重复发送同一请求时返回第一次的结果（1–200 个字符）")),
    request_body = BatchCreateRequestDoc,
    responses(
        (status = 201, description = "已写入", body = BatchCreateResponseDoc),
        (status = 200, description = "试运行、重复批次或重复的 Idempotency-Key", body = BatchCreateResponseDoc),
        (status = 400, description = "请求体不是 JSON（`invalid_json`）、行中有数组或对象（`row_value_invalid`），或 Idempotency-Key 无效（`idempotency_key_invalid`）", body = ErrorEnvelope),
        (status = 401, description = "未登录或令牌无效", body = ErrorEnvelope),
        (status = 403, description = "部门不能报送该事项（`item_not_allowed`），登录账号不是本部门经办人（`upload_forbidden`），或不是部门的令牌或账号", body = ErrorEnvelope),
        (status = 413, description = "请求体超过 2 MB（`body_too_large`）", body = ErrorEnvelope),
        (status = 415, description = "请求体不是 application/json（`unsupported_media_type`）", body = ErrorEnvelope),
        (status = 422, description = "请求体字段缺失、多余或类型不对（`invalid_json`）；无法识别事项或缺少必填列；没有行或有空行（`row_empty`）；不合格行超过允许的比例，整批未接收（`batch_mostly_rejected`）", body = ErrorEnvelope),
    )
)]
#[expect(dead_code, reason = "documentation only: the handler is records::create_batch")]
fn create_batch() {}

#[utoipa::path(
    get,
    path = "/api/v1/records/batches/{id}",
    tag = "records",
    security(("department_token" = [])),
    params(
        ("id" = String, Path, description = "批次编号"),
        ("reports_offset" = Option<u64>, Query, description = "行报告从第几条起（每页 1,000 条，默认 0）"),
    ),
    responses(
        (status = 200, description = "本部门的批次", body = BatchViewDoc),
        (status = 400, description = "参数无效（`query_invalid`、`path_invalid`）", body = ErrorEnvelope),
        (status = 401, description = "未登录或令牌无效", body = ErrorEnvelope),
        (status = 404, description = "没有这个批次，或不是本部门的（`batch_not_found`）", body = ErrorEnvelope),
    )
)]
#[expect(dead_code, reason = "documentation only: the handler is records::get_batch")]
fn get_batch() {}

#[utoipa::path(
    get,
    path = "/api/v1/records/batches/{id}/errors.xlsx",
    tag = "records",
    security(("department_token" = [])),
    params(("id" = String, Path, description = "批次编号")),
    responses(
        (status = 200, description = "被拒绝的行及错误说明（XLSX）",
         content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 400, description = "路径参数无效（`path_invalid`）", body = ErrorEnvelope),
        (status = 401, description = "未登录或令牌无效", body = ErrorEnvelope),
        (status = 404, description = "没有这个批次（`batch_not_found`）", body = ErrorEnvelope),
    )
)]
#[expect(dead_code, reason = "documentation only: the handler is records::get_batch_error_report")]
fn get_batch_error_report() {}

#[utoipa::path(
    get,
    path = "/api/v1/records/{id}",
    tag = "records",
    security(("department_token" = [])),
    params(("id" = String, Path, description = "记录编号")),
    responses(
        (status = 200, description = "本部门的记录及其日志序号", body = RecordViewDoc),
        (status = 400, description = "路径参数无效（`path_invalid`）", body = ErrorEnvelope),
        (status = 401, description = "未登录或令牌无效", body = ErrorEnvelope),
        (status = 404, description = "没有这条记录，或不是本部门的（`record_not_found`）", body = ErrorEnvelope),
    )
)]
#[expect(dead_code, reason = "documentation only: the handler is records::get_record")]
fn get_record() {}

#[utoipa::path(
    get,
    path = "/api/v1/stats/timeliness",
    tag = "stats",
    security(("department_token" = [])),
    params(
        ("from" = Option<String>, Query, description = "接收日期自（YYYY-MM-DD，默认 to 之前 90 天）"),
        ("to" = Option<String>, Query, description = "接收日期至（YYYY-MM-DD，默认今天）"),
    ),
    responses(
        (status = 200, description = "本部门的报送时效", body = TimelinessReportDoc),
        (status = 400, description = "日期无效（`date_invalid`、`date_range_inverted`）或查询参数无效（`query_invalid`）", body = ErrorEnvelope),
        (status = 401, description = "未登录或令牌无效", body = ErrorEnvelope),
        (status = 403, description = "不是部门的令牌或账号（`subscriber_not_allowed`、`subject_account_not_allowed`），或无权进行此操作", body = ErrorEnvelope),
    )
)]
#[expect(dead_code, reason = "documentation only: the handler is stats::get_timeliness")]
fn get_timeliness() {}

// ----- the credit check (handlers in checks.rs)

/// `POST /api/v1/checks` body.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckRequestDoc {
    /// 统一社会信用代码、身份证号码或组织的完整登记名称。
    pub subject: String,
    /// 场景代码：bidding、procurement、fiscal_funds、tax_incentive、honours、financing、
    /// market_access、approval、supervision、consumption、appointment。
    pub scenario: String,
    /// 行政审批事项编码（场景 approval）。
    pub item: Option<String>,
    /// 经办人（本部门系统中的标识，1–100 个字符）。
    pub requester: String,
    /// 本部门的案卷/业务编号。
    pub case_ref: Option<String>,
}

/// `POST /api/v1/checks/batch` body.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchCheckRequestDoc {
    pub scenario: String,
    pub item: Option<String>,
    pub requester: String,
    pub case_ref: Option<String>,
    /// 最多 10,000 个查询对象。
    pub subjects: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CheckedSubjectDoc {
    /// `legal_person` or `natural_person`.
    pub kind: String,
    pub uscc: Option<String>,
    pub name: Option<String>,
    /// 自然人只返回脱敏后的身份证号码。
    pub id_number_masked: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MembershipDoc {
    pub listing_id: String,
    pub list_code: String,
    pub list_name: String,
    /// `serious`, `key_attention`, `red` (or `unknown`).
    pub list_kind: String,
    pub department: String,
    pub decision_no: String,
    pub valid_from: String,
    pub valid_until: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeasureDoc {
    pub code: String,
    pub name: String,
    /// `administrative`, `market`, `industry`, `social`.
    pub category: String,
    pub mandatory: bool,
    pub executors: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeasureListsDoc {
    /// 应当采取的惩戒措施。
    pub must: Vec<MeasureDoc>,
    /// 可以采取的惩戒措施。
    pub may: Vec<MeasureDoc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BanDoc {
    pub ban_id: String,
    /// `market` or `industry`.
    pub scope: String,
    pub field: String,
    pub department: String,
    pub decision_no: String,
    pub starts_on: String,
    pub ends_on: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LiabilityDoc {
    pub listing_id: String,
    pub list_code: String,
    pub list_name: String,
    /// `legal_representative`, `principal`, `actual_controller`.
    pub role: String,
    pub uscc: String,
    pub organisation_name: String,
    pub valid_until: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReceiptMeasuresDoc {
    pub incentives: Vec<String>,
    pub may: Vec<String>,
    pub must: Vec<String>,
}

/// 回执：`id` 为核查时间（毫秒，12 位十六进制）加上其余字段按键名排序、无空白的 JSON 的 SHA-256（64 位十六进制）。
#[derive(Debug, Serialize, ToSchema)]
pub struct ReceiptDoc {
    pub id: String,
    pub bans: Vec<String>,
    pub case_ref: Option<String>,
    pub decision: String,
    pub department: String,
    /// `xinyong-receipt/v1`
    pub format: String,
    pub input_sha256: String,
    pub item: Option<String>,
    pub listings: Vec<String>,
    pub measures: ReceiptMeasuresDoc,
    pub requester: String,
    pub rules: std::collections::BTreeMap<String, String>,
    pub scenario: String,
    pub subject: Option<String>,
    pub time: String,
}

/// The answer to one check.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckResponseDoc {
    pub subject: CheckedSubjectDoc,
    pub found: bool,
    pub memberships: Vec<MembershipDoc>,
    pub measures: MeasureListsDoc,
    pub incentives: Vec<MeasureDoc>,
    pub bans: Vec<BanDoc>,
    pub liabilities: Vec<LiabilityDoc>,
    /// `restrict`, `caution`, `incentive`, `clear`, `not_found`.
    pub decision: String,
    pub summary: String,
    /// 仅场景 `approval`（行政审批）且主体为组织时给出：告知承诺是否可用。
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commitment: Option<CommitmentAnswerDoc>,
    pub receipt: ReceiptDoc,
}

/// 告知承诺是否可用（国办发〔2020〕42号）：列入严重失信主体名单、违背承诺的失信信息仍在公示期内，
/// 或（按配置）有公示期内的严重失信记录的，不适用告知承诺制，`reasons` 逐条说明。
#[derive(Debug, Serialize, ToSchema)]
pub struct CommitmentAnswerDoc {
    pub available: bool,
    pub reasons: Vec<String>,
}

/// One subject of a batch that could not be checked.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchItemErrorDoc {
    pub input: String,
    pub error: ErrorBody,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BatchCheckResponseDoc {
    pub scenario: String,
    pub count: u64,
    /// 与 subjects 一一对应：CheckResponseDoc，或 BatchItemErrorDoc（该主体的错误）。
    pub results: Vec<serde_json::Value>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReceiptLineDoc {
    pub id: String,
    pub department: String,
    pub case_ref: Option<String>,
    pub scenario: String,
    /// 法人的统一社会信用代码；自然人及未找到的主体为 null。
    pub subject: Option<String>,
    pub decision: String,
    pub time_ms: i64,
}

/// Everything an outside verifier needs for one receipt.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReceiptProofDoc {
    pub receipt: ReceiptLineDoc,
    pub log_index: u64,
    /// 批次事件正文（承诺所覆盖的字节）。
    pub batch_body: String,
    pub salt_base64: String,
    pub entry: String,
    pub entry_base64: String,
    /// 包含证明（base64），自叶子的兄弟节点起。
    pub inclusion_proof: Vec<String>,
    pub checkpoint: String,
    pub tlog_proof: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PingDoc {
    pub ok: bool,
}

/// 信用核查：返回主体、有效的名单、本场景应当/可以采取的惩戒措施、激励措施、禁入、
/// 责任人关联、结论及回执。回执约 0.1 秒内批量写入透明日志。
#[utoipa::path(
    post,
    path = "/api/v1/checks",
    tag = "checks",
    security(("department_token" = [])),
    request_body = CheckRequestDoc,
    responses(
        (status = 200, description = "核查结果及回执", body = CheckResponseDoc),
        (status = 400, description = "`invalid_json`（请求体不是 JSON、字段多余或类型不对）、`missing_field`、`invalid_field`、`invalid_subject`、`unknown_scenario`（`details` 指明字段）", body = ErrorEnvelope),
        (status = 401, description = "未登录或令牌无效", body = ErrorEnvelope),
        (status = 403, description = "不是部门的令牌或账号（`subscriber_not_allowed`、`subject_account_not_allowed`），或无权进行此操作", body = ErrorEnvelope),
        (status = 413, description = "请求体超过 2 MB（`body_too_large`）", body = ErrorEnvelope),
    )
)]
#[expect(dead_code, reason = "documentation only: the handler is checks::create_check")]
fn create_check() {}

#[utoipa::path(
    post,
    path = "/api/v1/checks/batch",
    tag = "checks",
    security(("department_token" = [])),
    request_body = BatchCheckRequestDoc,
    responses(
        (status = 200, description = "按顺序逐一返回结果（各带回执）；单个主体的错误放在该位置", body = BatchCheckResponseDoc),
        (status = 400, description = "`invalid_json`（请求体不是 JSON、字段多余或类型不对）、`batch_too_large`（超过 10,000 个）、`unknown_scenario`、`missing_field`、`invalid_field`", body = ErrorEnvelope),
        (status = 401, description = "未登录或令牌无效", body = ErrorEnvelope),
        (status = 403, description = "不是部门的令牌或账号（`subscriber_not_allowed`、`subject_account_not_allowed`），或无权进行此操作", body = ErrorEnvelope),
        (status = 413, description = "请求体超过 2 MB（`body_too_large`）", body = ErrorEnvelope),
    )
)]
#[expect(dead_code, reason = "documentation only: the handler is checks::create_batch_check")]
fn create_batch_check() {}

#[utoipa::path(
    get,
    path = "/api/v1/checks/receipts/{id}",
    tag = "checks",
    security(("department_token" = [])),
    params(("id" = String, Path, description = "回执编号（76 位十六进制：12 位核查时间（毫秒）+ 64 位回执 SHA-256 摘要）")),
    responses(
        (status = 200, description = "回执所在批次的正文、盐、日志条目、包含证明和签名检查点", body = ReceiptProofDoc),
        (status = 400, description = "路径参数无效（`path_invalid`）", body = ErrorEnvelope),
        (status = 401, description = "未登录或令牌无效", body = ErrorEnvelope),
        (status = 403, description = "不是部门的令牌或账号（`subscriber_not_allowed`、`subject_account_not_allowed`），或无权进行此操作", body = ErrorEnvelope),
        (status = 404, description = "日志中尚无此回执（`receipt_not_found`）", body = ErrorEnvelope),
        (status = 422, description = "编号格式无效（`receipt_id_invalid`）", body = ErrorEnvelope),
    )
)]
#[expect(dead_code, reason = "documentation only: the handler is checks::get_receipt")]
fn get_check_receipt() {}

/// 探活：不访问数据库、不需要登录。
#[utoipa::path(
    get,
    path = "/api/v1/ping",
    tag = "checks",
    responses((status = 200, description = "`{\"ok\":true}`", body = PingDoc))
)]
#[expect(dead_code, reason = "documentation only: the handler is checks::ping")]
fn ping() {}

// ----- the closed loop (handlers in feeds.rs) ----------------------------------------

#[derive(Debug, Serialize, ToSchema)]
pub struct FeedSubjectDoc {
    /// `legal_person` or `natural_person`.
    pub kind: String,
    pub name: String,
    /// The USCC; for natural persons the masked ID number.
    pub key: String,
}

/// Where one measure stands at this department (times in RFC 3339, UTC).
#[derive(Debug, Serialize, ToSchema)]
pub struct PushStatusDoc {
    pub pushed_at: Option<String>,
    pub acknowledged_at: Option<String>,
    pub note: Option<String>,
    pub executed_at: Option<String>,
    pub outcome: Option<String>,
    pub receipt_id: Option<String>,
    pub case_ref: Option<String>,
    pub lifted_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FeedMeasureDoc {
    /// Measure code (`CJ-ZTB`, …).
    pub code: String,
    pub name: String,
    pub status: Option<PushStatusDoc>,
}

/// One pushed item.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedItemDoc {
    /// Log index of the decision or exit; pass the last one as `after`.
    pub cursor: u64,
    /// `listed` (apply the measures) or `lifted` (stop applying them);
    /// `approval_revoked`: the approval made on a commitment found breached
    /// or false is revoked (`listing_id` is then the commitment id,
    /// `list_code` `commitment`, the measure `revoke_approval`; acknowledge
    /// and report it like a pushed measure).
    pub kind: String,
    pub listing_id: String,
    pub list_code: String,
    pub list_name: String,
    pub subject: FeedSubjectDoc,
    pub measures: Vec<FeedMeasureDoc>,
    /// Listed: last day in force (`null` = until exit). Lifted: the day it ended.
    pub valid_until: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FeedPageDoc {
    pub department: String,
    pub items: Vec<FeedItemDoc>,
    /// Cursor of the last item (or `after` when there was none).
    pub next_cursor: u64,
    /// A full page came back: there may be more.
    pub more: bool,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcknowledgeRequestDoc {
    pub listing_id: String,
    pub measure: String,
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackRequestDoc {
    pub listing_id: String,
    pub measure: String,
    /// How the measure was applied, e.g. 拒绝其参与投标.
    pub outcome: String,
    /// A credit-check receipt of this department the action relied on.
    pub receipt_id: Option<String>,
    /// The department's own case reference.
    pub case_ref: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoopOutcomeDoc {
    /// `false`: the same was reported before; nothing new was written.
    pub recorded: bool,
    pub status: PushStatusDoc,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseDoc {
    pub case_ref: String,
    /// Scenario code of the measures catalog (`bidding`, `procurement`, …).
    pub scenario: String,
    /// USCC of the organisation concerned; natural persons are not reported.
    pub subject: Option<String>,
    /// `YYYY-MM-DD`
    pub handled_on: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CasesRequestDoc {
    /// At most 10,000.
    pub cases: Vec<CaseDoc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CasesResponseDoc {
    pub department: String,
    pub recorded: u64,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookRequestDoc {
    /// `http://` or `https://` URL receiving POSTs.
    pub url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookResponseDoc {
    pub department: String,
    pub url: String,
    /// Signing secret (64 hex characters), shown only here. Each POST carries
    /// `X-Xinyong-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>`
    /// with `X-Xinyong-Timestamp` (unix seconds) and `X-Xinyong-Delivery`.
    pub secret: String,
}

#[utoipa::path(
    get,
    path = "/api/v1/feeds/{department}",
    tag = "loop",
    security(("department_token" = [])),
    params(
        ("department" = String, Path, description = "部门代码（只能是本部门；信用办管理员可查看任一部门）"),
        ("after" = Option<u64>, Query, description = "游标：返回此后的推送（默认 0，从头开始）"),
        ("limit" = Option<u32>, Query, description = "每页条数，1–500，默认 100"),
    ),
    responses(
        (status = 200, description = "推送给本部门的名单列入/移出事项，按游标顺序", body = FeedPageDoc),
        (status = 400, description = "参数无效（`query_invalid`、`path_invalid`）", body = ErrorEnvelope),
        (status = 401, description = "未登录或令牌无效", body = ErrorEnvelope),
        (status = 403, description = "不是本部门（`forbidden`）", body = ErrorEnvelope),
        (status = 404, description = "部门未在平台登记（`department_not_found`，只告诉可查看所有部门的信用办）", body = ErrorEnvelope),
    )
)]
#[expect(dead_code, reason = "documentation only: the handler is feeds::get_feed")]
fn get_feed() {}

#[utoipa::path(
    post,
    path = "/api/v1/feeds/{department}/acknowledgements",
    tag = "loop",
    security(("department_token" = [])),
    params(("department" = String, Path, description = "部门代码")),
    request_body = AcknowledgeRequestDoc,
    responses(
        (status = 201, description = "已签收", body = LoopOutcomeDoc),
        (status = 200, description = "此前已签收，未重复记录", body = LoopOutcomeDoc),
        (status = 400, description = "请求体不是 JSON（`invalid_json`）或路径参数无效（`path_invalid`）", body = ErrorEnvelope),
        (status = 401, description = "未登录或令牌无效", body = ErrorEnvelope),
        (status = 403, description = "不是本部门（`forbidden`）", body = ErrorEnvelope),
        (status = 404, description = "没有推送给本部门的该措施（`unknown_push`），或部门未登记（`department_not_found`）", body = ErrorEnvelope),
        (status = 413, description = "请求体超过 2 MB（`body_too_large`）", body = ErrorEnvelope),
        (status = 415, description = "请求体不是 application/json（`unsupported_media_type`）", body = ErrorEnvelope),
        (status = 422, description = "请求体字段缺失、多余或类型不对（`invalid_json`），或签收说明超过 1,000 个字符（`field_too_long`）", body = ErrorEnvelope),
    )
)]
#[expect(dead_code, reason = "documentation only: the handler is feeds::acknowledge")]
fn post_acknowledgement() {}

#[utoipa::path(
    post,
    path = "/api/v1/feeds/{department}/feedback",
    tag = "loop",
    security(("department_token" = [])),
    params(("department" = String, Path, description = "部门代码")),
    request_body = FeedbackRequestDoc,
    responses(
        (status = 201, description = "已记录执行情况（未签收的同时签收）", body = LoopOutcomeDoc),
        (status = 200, description = "相同的反馈此前已记录", body = LoopOutcomeDoc),
        (status = 400, description = "请求体不是 JSON（`invalid_json`）或路径参数无效（`path_invalid`）", body = ErrorEnvelope),
        (status = 401, description = "未登录或令牌无效", body = ErrorEnvelope),
        (status = 403, description = "不是本部门（`forbidden`）", body = ErrorEnvelope),
        (status = 404, description = "没有推送给本部门的该措施（`unknown_push`），或部门未登记（`department_not_found`）", body = ErrorEnvelope),
        (status = 413, description = "请求体超过 2 MB（`body_too_large`）", body = ErrorEnvelope),
        (status = 415, description = "请求体不是 application/json（`unsupported_media_type`）", body = ErrorEnvelope),
        (status = 422, description = "请求体字段缺失、多余或类型不对（`invalid_json`）；执行情况为空或过长（`field_required`、`field_too_long`）；案件编号无效（`case_ref_invalid`）；核查回执不存在/不属于本部门（`unknown_receipt`）", body = ErrorEnvelope),
    )
)]
#[expect(dead_code, reason = "documentation only: the handler is feeds::feedback")]
fn post_feedback() {}

#[utoipa::path(
    post,
    path = "/api/v1/cases",
    tag = "loop",
    security(("department_token" = [])),
    request_body = CasesRequestDoc,
    responses(
        (status = 201, description = "已记录本部门办理的案件（应查必查覆盖率的分母）", body = CasesResponseDoc),
        (status = 400, description = "请求体不是 JSON（`invalid_json`）", body = ErrorEnvelope),
        (status = 401, description = "未登录或令牌无效", body = ErrorEnvelope),
        (status = 403, description = "不是部门的令牌或账号（`subscriber_not_allowed`、`subject_account_not_allowed`），或无权进行此操作", body = ErrorEnvelope),
        (status = 413, description = "请求体超过 2 MB（`body_too_large`）", body = ErrorEnvelope),
        (status = 415, description = "请求体不是 application/json（`unsupported_media_type`）", body = ErrorEnvelope),
        (status = 422, description = "请求体字段缺失、多余或类型不对（`invalid_json`）；没有案件或超过 10,000 件；案件编号为空或无效、场景未定义、日期在将来、主体不是有效的统一社会信用代码", body = ErrorEnvelope),
    )
)]
#[expect(dead_code, reason = "documentation only: the handler is feeds::report_cases")]
fn post_cases() {}

#[utoipa::path(
    put,
    path = "/api/v1/webhooks/{department}",
    tag = "loop",
    security(("department_token" = [])),
    params(("department" = String, Path, description = "部门代码")),
    request_body = WebhookRequestDoc,
    responses(
        (status = 200, description = "已设置；签名密钥只显示这一次", body = WebhookResponseDoc),
        (status = 400, description = "请求体不是 JSON（`invalid_json`）或路径参数无效（`path_invalid`）", body = ErrorEnvelope),
        (status = 401, description = "未登录或令牌无效", body = ErrorEnvelope),
        (status = 403, description = "不是本部门（`forbidden`）", body = ErrorEnvelope),
        (status = 404, description = "部门未在平台登记（`department_not_found`）", body = ErrorEnvelope),
        (status = 413, description = "请求体超过 2 MB（`body_too_large`）", body = ErrorEnvelope),
        (status = 415, description = "请求体不是 application/json（`unsupported_media_type`）", body = ErrorEnvelope),
        (status = 422, description = "请求体字段缺失、多余或类型不对（`invalid_json`）；回调地址无效（`webhook_url_invalid`）、不是 https（`webhook_url_not_https`）或指向内部网络地址（`webhook_address_refused`）", body = ErrorEnvelope),
    )
)]
#[expect(dead_code, reason = "documentation only: the handler is feeds::put_webhook")]
fn put_webhook() {}

#[utoipa::path(
    delete,
    path = "/api/v1/webhooks/{department}",
    tag = "loop",
    security(("department_token" = [])),
    params(("department" = String, Path, description = "部门代码")),
    responses(
        (status = 204, description = "已停止推送到回调地址"),
        (status = 400, description = "路径参数无效（`path_invalid`）", body = ErrorEnvelope),
        (status = 401, description = "未登录或令牌无效", body = ErrorEnvelope),
        (status = 403, description = "不是本部门（`forbidden`）", body = ErrorEnvelope),
        (status = 404, description = "没有设置回调地址（`webhook_not_found`），或部门未登记（`department_not_found`）", body = ErrorEnvelope),
    )
)]
#[expect(dead_code, reason = "documentation only: the handler is feeds::delete_webhook")]
fn delete_webhook() {}

// ---------------------------------------------------------------- subscription

/// One change of a watched organisation.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubscriptionItemDoc {
    /// Log index of the event that made the change; read on with `after` = the last one.
    pub cursor: u64,
    pub uscc: String,
    /// `grade_changed`, `listed`, `list_exited` or `publicity_ended`.
    pub change: String,
    pub change_name: String,
    /// YYYY-MM-DD.
    pub on: String,
    /// What changed, in Chinese.
    pub summary: String,
    /// The grade, the list code or the record id.
    pub value: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubscriptionFeedDoc {
    pub items: Vec<SubscriptionItemDoc>,
    pub next_cursor: u64,
    pub more: bool,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WatchlistDoc {
    pub usccs: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WatchProblemDoc {
    /// Position in the list, from 1.
    pub row: u64,
    pub value: String,
    /// `uscc_invalid`.
    pub code: String,
    pub message: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WatchlistOutcomeDoc {
    pub added: u64,
    pub removed: u64,
    pub watching: u64,
    pub rejected: Vec<WatchProblemDoc>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionWebhookRequestDoc {
    pub url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubscriptionWebhookResponseDoc {
    pub url: String,
    /// Signing secret (64 hex characters), shown only here; the signature
    /// is the departments' (`X-Xinyong-Signature`).
    pub secret: String,
}

#[utoipa::path(
    get,
    path = "/api/v1/subscription/feed",
    tag = "subscription",
    security(("subscriber_token" = [])),
    params(
        ("after" = Option<u64>, Query, description = "游标：返回此后的变化（默认 0，从头开始）"),
        ("limit" = Option<u32>, Query, description = "每页条数，1–1000，默认 100"),
    ),
    responses(
        (status = 200, description = "关注主体的评价等级变化、名单列入和移出、信息停止公示，按游标顺序", body = SubscriptionFeedDoc),
        (status = 400, description = "查询参数无效（`query_invalid`）", body = ErrorEnvelope),
        (status = 401, description = "令牌无效、未批准或已停用", body = ErrorEnvelope),
        (status = 403, description = "不是订阅单位的令牌（`subscribers_only`）", body = ErrorEnvelope),
    )
)]
#[expect(dead_code, reason = "documentation only: the handler is subscriptions::api::get_feed")]
fn get_subscription_feed() {}

#[utoipa::path(
    get,
    path = "/api/v1/subscription/watchlist",
    tag = "subscription",
    security(("subscriber_token" = [])),
    responses(
        (status = 200, description = "关注名单，按代码排序", body = WatchlistDoc),
        (status = 401, description = "令牌无效、未批准或已停用", body = ErrorEnvelope),
        (status = 403, description = "不是订阅单位的令牌（`subscribers_only`）", body = ErrorEnvelope),
    )
)]
#[expect(dead_code, reason = "documentation only: the handler is subscriptions::api::get_watchlist")]
fn get_subscription_watchlist() {}

#[utoipa::path(
    put,
    path = "/api/v1/subscription/watchlist",
    tag = "subscription",
    security(("subscriber_token" = [])),
    request_body = WatchlistDoc,
    responses(
        (status = 200, description = "已替换关注名单；无效代码逐个列出并略过", body = WatchlistOutcomeDoc),
        (status = 400, description = "请求体不是 JSON（`invalid_json`）", body = ErrorEnvelope),
        (status = 401, description = "令牌无效、未批准或已停用", body = ErrorEnvelope),
        (status = 403, description = "不是订阅单位的令牌（`subscribers_only`）", body = ErrorEnvelope),
        (status = 413, description = "请求体超过 2 MB（`body_too_large`）", body = ErrorEnvelope),
        (status = 415, description = "请求体不是 application/json（`unsupported_media_type`）", body = ErrorEnvelope),
        (status = 422, description = "请求体字段缺失、多余或类型不对（`invalid_json`），或超过关注名单上限（`watchlist_too_long`）", body = ErrorEnvelope),
    )
)]
#[expect(dead_code, reason = "documentation only: the handler is subscriptions::api::put_watchlist")]
fn put_subscription_watchlist() {}

#[utoipa::path(
    put,
    path = "/api/v1/subscription/webhook",
    tag = "subscription",
    security(("subscriber_token" = [])),
    request_body = SubscriptionWebhookRequestDoc,
    responses(
        (status = 200, description = "已设置；签名密钥只显示这一次", body = SubscriptionWebhookResponseDoc),
        (status = 400, description = "请求体不是 JSON（`invalid_json`）", body = ErrorEnvelope),
        (status = 401, description = "令牌无效、未批准或已停用", body = ErrorEnvelope),
        (status = 403, description = "不是订阅单位的令牌（`subscribers_only`）", body = ErrorEnvelope),
        (status = 413, description = "请求体超过 2 MB（`body_too_large`）", body = ErrorEnvelope),
        (status = 415, description = "请求体不是 application/json（`unsupported_media_type`）", body = ErrorEnvelope),
        (status = 422, description = "请求体字段缺失、多余或类型不对（`invalid_json`）；回调地址无效（`webhook_url_invalid`）、不是 https（`webhook_url_not_https`）或指向内部网络地址（`webhook_address_refused`）", body = ErrorEnvelope),
    )
)]
#[expect(dead_code, reason = "documentation only: the handler is subscriptions::api::put_webhook")]
fn put_subscription_webhook() {}

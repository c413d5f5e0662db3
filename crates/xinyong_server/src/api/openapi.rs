//! The OpenAPI 3 document served at `GET /api/v1/openapi.json` (utoipa).
//!
//! The public endpoints are annotated where they are defined
//! (`api/public.rs`). The department endpoints return types of the core and
//! domain crates, which stay free of documentation dependencies; their
//! shapes are described here by mirror types (`…Doc`). A test feeds real
//! responses of every endpoint through the document and fails when a mirror
//! and the real JSON disagree, so the document cannot drift unnoticed.

use axum::Json;
use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

use super::public;

/// The document.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// `GET /api/v1/openapi.json`
pub async fn get_openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "信用济南 API",
        version = "1",
        description = "公共信用信息平台的 JSON 接口。`/api/v1/public/…` 向所有人开放（按客户端限流，只返回公示期内、可公开的法人信息）；\
                       `/api/v1/records/…` 和 `/api/v1/stats/…` 供各部门业务系统使用，需要部门 API 令牌（Bearer）或部门用户的工作台会话。\
                       错误统一为 `{\"error\":{\"code\":\"…\",\"message\":\"…\"}}`。",
        license(name = "Apache-2.0")
    ),
    paths(
        public::search_subjects,
        public::get_subject,
        public::get_lists,
        create_batch,
        get_batch,
        get_batch_error_report,
        get_record,
        get_timeliness,
    ),
    components(schemas(ErrorEnvelope, ErrorBody)),
    modifiers(&BearerAuth),
    tags(
        (name = "public", description = "公开查询（无需登录，按客户端限流）"),
        (name = "records", description = "部门报送（归集）"),
        (name = "stats", description = "统计"),
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
pub struct BatchCreateRequestDoc {
    /// Catalog item code (`XK`, `CF`, …); inferred from the keys when omitted.
    pub item: Option<String>,
    /// Codes issued by other authorities: a wrong check character is only a warning.
    #[schema(default = false)]
    pub lenient: Option<bool>,
    /// Validate and report, write nothing.
    #[schema(default = false)]
    pub dry_run: Option<bool>,
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
}

/// A stored batch.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchViewDoc {
    pub batch: BatchSummaryDoc,
    pub already_received: bool,
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
        (status = 400, description = "请求无效", body = ErrorEnvelope),
        (status = 401, description = "未登录或令牌无效", body = ErrorEnvelope),
        (status = 403, description = "部门不能报送该事项（`item_not_allowed`）", body = ErrorEnvelope),
        (status = 422, description = "无法识别事项或缺少必填列", body = ErrorEnvelope),
    )
)]
#[expect(dead_code, reason = "documentation only: the handler is records::create_batch")]
fn create_batch() {}

#[utoipa::path(
    get,
    path = "/api/v1/records/batches/{id}",
    tag = "records",
    security(("department_token" = [])),
    params(("id" = String, Path, description = "批次编号")),
    responses(
        (status = 200, description = "本部门的批次", body = BatchViewDoc),
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
        (status = 400, description = "日期无效（`date_invalid`、`date_range_inverted`）", body = ErrorEnvelope),
        (status = 401, description = "未登录或令牌无效", body = ErrorEnvelope),
    )
)]
#[expect(dead_code, reason = "documentation only: the handler is stats::get_timeliness")]
fn get_timeliness() {}

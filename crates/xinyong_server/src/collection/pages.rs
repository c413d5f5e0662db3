//! The department console's collection pages (归集) and the timeliness
//! report (十五.1): upload a spreadsheet, see what happened to every row,
//! download the rejected rows to fix and send again, and see how promptly
//! records reach the platform.
//!
//! Everything works without JavaScript: plain forms and links, and a bar
//! chart drawn on the server as inline SVG. The handlers only extract, call
//! `xinyong_core` (the same functions the JSON API calls) and shape the page.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::multipart::{MultipartError, MultipartRejection};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Duration, NaiveDate};
use serde::Deserialize;
use xinyong_core::CoreError;
use xinyong_core::auth as core_auth;
use xinyong_core::auth::policy::{self, Action, Resource, Scope};
use xinyong_core::collection::intake::{self, IngestOutcome, IngestRequest, InputTable, Source};
use xinyong_core::collection::stats::{self, OVERDUE_LIMIT, TimelinessLine};
use xinyong_domain::auth::DepartmentCode;
use xinyong_domain::collection::BatchSummary;
use xinyong_domain::collection::catalog::{CatalogItem, FieldRole, FieldSpec, FieldType, Required};
use xinyong_domain::collection::record::PenaltyCategory;
use xinyong_tabular::{Encoding, ReadOptions};

use crate::auth::{ConsoleCaller, PageError};
use crate::web::charts::{ShareBar, ShareChart, share_chart};
use crate::web::{Layout, ReadRefused, department_name, error_page, read_spreadsheet, thousands};
use crate::{ApiError, AppState};

/// Largest file the upload form takes. A department's monthly sheet is a
/// few MB; 20 MB holds the 100,000 rows one batch may carry as .xlsx.
const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;
/// The multipart body is the file plus a few short fields and boundaries.
pub(crate) const MAX_UPLOAD_BODY_BYTES: usize = MAX_FILE_BYTES + 64 * 1024;
/// Batches listed under the upload form.
const RECENT_BATCHES: usize = 20;
/// Row results shown on a batch page; the error report holds every one.
const ROWS_SHOWN: usize = 500;
/// Default timeliness period: the last quarter, in days up to today.
const DEFAULT_DAYS: i64 = 90;

/// Console pages show non-public data (ID numbers in rejected rows): never
/// cache them anywhere.
const NO_STORE: [(header::HeaderName, &str); 1] = [(header::CACHE_CONTROL, "no-store")];

/// The page (or download), or the error page.
fn respond(state: &AppState, result: Result<impl IntoResponse, ApiError>) -> Response {
    match result {
        Ok(response) => (NO_STORE, response).into_response(),
        Err(e) => error_page(state, e),
    }
}

fn not_found(code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, code, message)
}

fn internal_error() -> ApiError {
    ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", "服务器内部错误，请稍后重试")
}

/// An `<option>` of a select.
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// A problem the clerk can fix, shown above the form with its stable code.
struct Problem {
    message: String,
    code: String,
}

fn item_name(state: &AppState, code: &str) -> String {
    state.core.rules().catalog.item(code).map_or_else(|| code.to_owned(), |i| i.name().to_owned())
}

// ---------------------------------------------------------------------------
// The upload page
// ---------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "collection/uploads.html")]
struct UploadPage {
    layout: Layout,
    csrf_token: String,
    can_upload: bool,
    /// Administrators choose the department; a clerk has one.
    choose_department: bool,
    department_label: String,
    departments: Vec<Choice>,
    items: Vec<Choice>,
    encodings: Vec<Choice>,
    lenient: bool,
    dry_run: bool,
    error: Option<Problem>,
    max_file_mb: usize,
    max_rows: String,
    show_department: bool,
    batches: Vec<BatchLine>,
    help: Vec<ItemHelp>,
}

struct BatchLine {
    id: String,
    received: String,
    department: String,
    item: String,
    file: String,
    source: &'static str,
    total: String,
    accepted: String,
    corrected: String,
    duplicates: String,
    rejected: String,
    warnings: String,
}

struct ItemHelp {
    code: String,
    name: String,
    deadline: Option<u32>,
    fields: Vec<FieldHelp>,
}

struct FieldHelp {
    name: String,
    required: String,
    always: bool,
}

/// What the clerk chose on the form, kept when the page comes back with a
/// problem so that only the file has to be chosen again.
#[derive(Debug, Default)]
struct UploadChoices {
    department: Option<String>,
    item: Option<String>,
    encoding: Option<String>,
    lenient: bool,
    dry_run: bool,
}

const ENCODINGS: [(&str, &str, Encoding); 3] = [
    ("auto", "自动识别", Encoding::Auto),
    ("utf-8", "UTF-8", Encoding::Utf8),
    ("gbk", "GBK（GB18030）", Encoding::Gbk),
];

fn source_name(source: &str) -> &'static str {
    match source {
        "upload" => "网页上传",
        "api" => "接口报送",
        "cli" => "命令行导入",
        _ => "其他",
    }
}

fn item_help(item: &CatalogItem) -> ItemHelp {
    ItemHelp {
        code: item.code().to_owned(),
        name: item.name().to_owned(),
        deadline: item.deadline_working_days(),
        fields: item
            .fields()
            .iter()
            .map(|f| FieldHelp {
                name: f.name().to_owned(),
                required: f.required().describe_zh(),
                always: *f.required() == Required::Always,
            })
            .collect(),
    }
}

pub(crate) async fn upload_page(State(state): State<AppState>, caller: ConsoleCaller) -> Result<Response, PageError> {
    caller.scope(&state, Action::ViewBatches)?;
    Ok(respond(&state, upload_form(&state, &caller, &UploadChoices::default(), None).await))
}

/// The form offers what the policy allows: the department to send for to
/// whoever may submit for every department (the credit office), the items
/// the department may send, and the department's recent batches (all for
/// the credit office).
async fn upload_form(
    state: &AppState,
    caller: &ConsoleCaller,
    choices: &UploadChoices,
    error: Option<Problem>,
) -> Result<UploadPage, ApiError> {
    let core = &state.core;
    let departments = core_auth::departments(core).await?;
    let own = caller.department();
    let chosen = choices.department.as_deref().or(own.map(DepartmentCode::as_str));
    let for_all = caller.allows(Action::SubmitRecords, &Resource::AllDepartments);
    let catalog = &core.rules().catalog;
    // Whoever sends for every department may send any item (the core checks
    // the pair); a clerk is offered the items their department may send.
    let items: Vec<&CatalogItem> =
        catalog.items().iter().filter(|i| for_all || own.is_some_and(|d| i.allows_department(d.as_str()))).collect();
    let batch_scope = policy::scope(caller, Action::ViewBatches).ok();
    let batches = match &batch_scope {
        Some(scope) => intake::recent_batches(core, scope.department(), RECENT_BATCHES).await?,
        None => Vec::new(),
    };
    let mut item_choices =
        vec![Choice {
            value: String::new(), label: "根据表头自动识别".to_owned(), selected: choices.item.is_none()
        }];
    item_choices.extend(items.iter().map(|i| Choice {
        value: i.code().to_owned(),
        label: format!("{}（{}）", i.name(), i.code()),
        selected: choices.item.as_deref() == Some(i.code()),
    }));
    Ok(UploadPage {
        layout: Layout::new(state, "上传数据"),
        csrf_token: caller.csrf_token().to_owned(),
        can_upload: policy::scope(caller, Action::SubmitRecords).is_ok(),
        choose_department: for_all,
        department_label: own
            .map_or_else(String::new, |d| format!("{}（{d}）", department_name(&departments, d.as_str()))),
        departments: departments
            .iter()
            .map(|d| Choice {
                value: d.code.to_string(),
                label: format!("{}（{}）", d.name, d.code),
                selected: chosen == Some(d.code.as_str()),
            })
            .collect(),
        items: item_choices,
        encodings: ENCODINGS
            .iter()
            .map(|(value, label, _)| Choice {
                value: (*value).to_owned(),
                label: (*label).to_owned(),
                selected: choices.encoding.as_deref().unwrap_or("auto") == *value,
            })
            .collect(),
        lenient: choices.lenient,
        dry_run: choices.dry_run,
        error,
        max_file_mb: MAX_FILE_BYTES / (1024 * 1024),
        max_rows: thousands(state.core.settings().intake.max_rows_per_batch.min(intake::MAX_ROWS) as u64),
        show_department: batch_scope.as_ref().is_some_and(Scope::is_all),
        batches: batches
            .iter()
            .map(|b| BatchLine {
                id: b.id.clone(),
                received: b.received_date.format("%Y-%m-%d").to_string(),
                department: department_name(&departments, b.department.as_str()),
                item: item_name(state, &b.item),
                file: b.file_name.clone().unwrap_or_default(),
                source: source_name(&b.source),
                total: thousands(b.rows_total),
                accepted: thousands(b.accepted),
                corrected: thousands(b.corrected),
                duplicates: thousands(b.duplicates),
                rejected: thousands(b.rejected),
                warnings: thousands(b.warnings),
            })
            .collect(),
        help: items.into_iter().map(item_help).collect(),
    })
}

// ---------------------------------------------------------------------------
// Receiving an upload
// ---------------------------------------------------------------------------

/// Why an upload did not go through.
enum UploadError {
    /// Something the clerk can fix (the file, a choice): the form again,
    /// with the problem above it and the choices kept.
    Form(StatusCode, Problem),
    /// Anything else (CSRF, permissions, server trouble): the error page.
    Page(ApiError),
}

impl From<ApiError> for UploadError {
    fn from(e: ApiError) -> Self {
        UploadError::Page(e)
    }
}

impl From<CoreError> for UploadError {
    fn from(e: CoreError) -> Self {
        match e {
            CoreError::Invalid { code, .. } => UploadError::Form(
                StatusCode::UNPROCESSABLE_ENTITY,
                Problem { message: e.to_string(), code: code.to_owned() },
            ),
            CoreError::Forbidden { code, .. } => {
                UploadError::Form(StatusCode::FORBIDDEN, Problem { message: e.to_string(), code: code.to_owned() })
            }
            other => UploadError::Page(other.into()),
        }
    }
}

fn multipart_error(e: MultipartError) -> UploadError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        let message = format!("文件超过 {} MB 上限，请拆分成多个文件后分批上传", MAX_FILE_BYTES / (1024 * 1024));
        return UploadError::Form(StatusCode::PAYLOAD_TOO_LARGE, Problem { message, code: "file_too_large".into() });
    }
    UploadError::Page(ApiError::bad_request("form_invalid", format!("表单内容无法识别：{}", e.body_text())))
}

/// The fields of the upload form other than the clerk's choices.
#[derive(Default)]
struct UploadFields {
    csrf_token: String,
    file_name: Option<String>,
    file: Bytes,
}

pub(crate) async fn upload(
    State(state): State<AppState>,
    caller: ConsoleCaller,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    // Before the file is read: nobody, and whoever may submit for no
    // department, is refused here.
    let scope = caller.scope(&state, Action::SubmitRecords)?;
    let mut choices = UploadChoices::default();
    Ok(match receive(&state, &caller, &scope, multipart, &mut choices).await {
        Ok(response) => response,
        Err(UploadError::Form(status, problem)) => {
            respond(&state, upload_form(&state, &caller, &choices, Some(problem)).await.map(|page| (status, page)))
        }
        Err(UploadError::Page(e)) => error_page(&state, e),
    })
}

/// Reads the form, checks it, reads the file and hands the rows to the core.
async fn receive(
    state: &AppState,
    caller: &ConsoleCaller,
    scope: &Scope,
    multipart: Result<Multipart, MultipartRejection>,
    choices: &mut UploadChoices,
) -> Result<Response, UploadError> {
    let mut multipart =
        multipart.map_err(|e| ApiError::bad_request("form_invalid", format!("表单内容无法识别：{}", e.body_text())))?;
    let fields = read_form(&mut multipart, choices).await?;
    caller.check_csrf(&fields.csrf_token)?;
    // The department chosen on the form counts for whoever sends for every
    // department; a clerk sends for their own.
    let department = match (scope, choices.department.as_deref()) {
        (Scope::All, Some(raw)) => {
            DepartmentCode::parse(raw).map_err(|e| ApiError::bad_request("department_invalid", e.to_string()))?
        }
        (Scope::All, None) => {
            caller.department().cloned().ok_or_else(|| ApiError::bad_request("department_missing", "请选择报送部门"))?
        }
        (Scope::Department(own), _) => own.clone(),
    };
    policy::authorize(caller, Action::SubmitRecords, &Resource::Department(department.clone()))
        .map_err(ApiError::from)?;
    if fields.file.is_empty() {
        let problem = Problem {
            message: "请选择要上传的文件（文件不能为空）".into(), code: "file_missing".into()
        };
        return Err(UploadError::Form(StatusCode::UNPROCESSABLE_ENTITY, problem));
    }
    let encoding = ENCODINGS
        .iter()
        .find(|(value, ..)| Some(*value) == choices.encoding.as_deref())
        .map_or(Encoding::Auto, |(.., e)| *e);
    let table = read_table(state, fields.file, encoding).await?;
    if table.rows.is_empty() {
        let problem = Problem { message: "文件只有表头，没有数据行".into(), code: "no_rows".into() };
        return Err(UploadError::Form(StatusCode::UNPROCESSABLE_ENTITY, problem));
    }
    let outcome = intake::ingest_batch(
        &state.core,
        IngestRequest {
            actor: caller.actor(),
            department,
            item: choices.item.clone(),
            source: Source::Upload,
            file_name: fields.file_name,
            idempotency_key: None,
            table,
            lenient_codes: choices.lenient,
            received_date: None,
            dry_run: choices.dry_run,
        },
    )
    .await?;
    Ok(after_upload(state, outcome).await?)
}

async fn read_form(multipart: &mut Multipart, choices: &mut UploadChoices) -> Result<UploadFields, UploadError> {
    let mut fields = UploadFields::default();
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            fields.file_name = field.file_name().map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
            fields.file = field.bytes().await.map_err(multipart_error)?;
            continue;
        }
        let value = field.text().await.map_err(multipart_error)?;
        let value = Some(value.trim().to_owned()).filter(|v| !v.is_empty());
        match name.as_str() {
            "csrf_token" => fields.csrf_token = value.unwrap_or_default(),
            "department" => choices.department = value,
            "item" => choices.item = value,
            "encoding" => choices.encoding = value,
            "lenient" => choices.lenient = value.is_some(),
            "dry_run" => choices.dry_run = value.is_some(),
            _ => {}
        }
    }
    Ok(fields)
}

/// The upload as a table (see [`crate::web::read_spreadsheet`]).
async fn read_table(state: &AppState, bytes: Bytes, encoding: Encoding) -> Result<InputTable, UploadError> {
    let max_rows = state.core.settings().intake.max_rows_per_batch.min(intake::MAX_ROWS);
    let options = ReadOptions { encoding, max_rows, ..ReadOptions::default() };
    let table = read_spreadsheet(state, bytes, options).await.map_err(|refused| match refused {
        ReadRefused::Busy => {
            let message = "服务器正在读取其他部门上传的文件，请一分钟后再试";
            UploadError::Form(
                StatusCode::SERVICE_UNAVAILABLE,
                Problem { message: message.into(), code: "uploads_busy".into() },
            )
        }
        ReadRefused::Unreadable(e) => UploadError::Form(
            StatusCode::UNPROCESSABLE_ENTITY,
            Problem { message: e.to_string(), code: e.code().into() },
        ),
        ReadRefused::Failed => UploadError::Page(internal_error()),
    })?;
    Ok(InputTable {
        headers: table.headers,
        rows: table.rows.into_iter().map(|r| (r.number as u64, r.cells)).collect(),
    })
}

/// A stored batch: 303 to its page. Nothing stored (a dry run, or every row
/// already on the platform): the result right here, as there is no page.
async fn after_upload(state: &AppState, outcome: IngestOutcome) -> Result<Response, ApiError> {
    let id = &outcome.batch.id;
    if outcome.already_received {
        return Ok(Redirect::to(&format!("/console/batches/{id}?notice=already_received")).into_response());
    }
    if outcome.batch_log_index.is_some() {
        return Ok(Redirect::to(&format!("/console/batches/{id}?notice=received")).into_response());
    }
    let notice = if outcome.dry_run { "dry_run" } else { "nothing_new" };
    let page = batch_view(state, &outcome.batch, Some(outcome.unknown_columns), batch_notice(notice), false).await?;
    Ok((NO_STORE, page).into_response())
}

// ---------------------------------------------------------------------------
// A batch and its error report
// ---------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "collection/batch.html")]
struct BatchPage {
    layout: Layout,
    notice: Option<&'static str>,
    /// Stored batches have a page and an error report; dry runs do not.
    stored: bool,
    id: String,
    summary: String,
    counts: Vec<Count>,
    facts: Vec<Fact>,
    unknown_columns: Vec<String>,
    rejected: String,
    rows: Vec<RowLine>,
    rows_hidden: String,
}

struct Count {
    label: &'static str,
    value: String,
    tone: &'static str,
}

struct Fact {
    label: &'static str,
    value: String,
}

struct RowLine {
    row: u64,
    rejected: bool,
    issues: Vec<IssueLine>,
}

struct IssueLine {
    message: String,
    code: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct NoticeQuery {
    notice: Option<String>,
}

/// Notices chosen by code, so no text from the URL reaches the page.
fn batch_notice(code: &str) -> Option<&'static str> {
    match code {
        "received" => Some("已接收。通过校验的行已入库；退回的行请下载错误报告，改正后重新上传。"),
        "already_received" => Some("这个文件此前已经上传过，本次没有重复入库。下面是当时的处理结果。"),
        "dry_run" => Some("仅校验，未入库：数据没有写入平台。确认无误后，取消勾选“仅校验不入库”再上传。"),
        "nothing_new" => Some("通过校验的行都与平台已有的记录相同，没有新增或更正，因此没有生成批次。"),
        _ => None,
    }
}

/// Batch ids are `b` + 20 hex digits. Anything else is not found without
/// asking the database (PostgreSQL refuses NUL bytes in text, for one).
fn valid_batch_id(id: &str) -> bool {
    id.len() == 21 && id.starts_with('b') && id[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// A batch the caller may see. One it may not is reported absent, like a
/// missing one: its existence is not theirs to know. Nobody goes to the
/// login page.
async fn visible_batch(state: &AppState, caller: &ConsoleCaller, id: &str) -> Result<BatchSummary, PageError> {
    let not_found = || error_page(state, not_found("batch_not_found", format!("未找到批次 {id}")));
    let batch = if valid_batch_id(id) {
        intake::load_batch(&state.core, id).await.map_err(|e| error_page(state, e.into()))?
    } else {
        None
    };
    let resource =
        batch.as_ref().map_or_else(|| Resource::unknown_for(caller), |b| Resource::Department(b.department.clone()));
    match policy::authorize(caller, Action::ViewBatches, &resource) {
        Err(denied) if denied.is_unauthenticated() => Err(caller.refuse(state, denied).into()),
        Err(_) => Err(not_found().into()),
        Ok(()) => batch.ok_or_else(|| not_found().into()),
    }
}

pub(crate) async fn batch_page(
    State(state): State<AppState>,
    caller: ConsoleCaller,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, PageError> {
    let batch = visible_batch(&state, &caller, &id).await?;
    Ok(respond(&state, batch_view(&state, &batch, None, q.notice.as_deref().and_then(batch_notice), true).await))
}

async fn batch_view(
    state: &AppState,
    batch: &BatchSummary,
    unknown_columns: Option<Vec<String>>,
    notice: Option<&'static str>,
    stored: bool,
) -> Result<BatchPage, ApiError> {
    let department = core_auth::department(&state.core, &batch.department).await?;
    let catalog = &state.core.rules().catalog;
    let item = catalog.item(&batch.item);
    // Unknown columns are reported at upload; for a stored batch, match its
    // headers again (the catalog may have learnt an alias since: fine).
    let unknown_columns = unknown_columns.unwrap_or_else(|| {
        item.map(|i| catalog.match_headers(i, &batch.headers).unknown.into_iter().map(|(_, h)| h).collect())
            .unwrap_or_default()
    });
    let summary = format!(
        "共 {} 行：新增 {}、更正 {}、重复 {}、退回 {}、带提示 {}",
        thousands(batch.rows_total),
        thousands(batch.accepted),
        thousands(batch.corrected),
        thousands(batch.duplicates),
        thousands(batch.rejected),
        thousands(batch.warnings)
    );
    let count = |label, value, tone| Count { label, value: thousands(value), tone };
    let mut facts = vec![
        Fact {
            label: "部门",
            value: department.map_or_else(|| batch.department.to_string(), |d| format!("{}（{}）", d.name, d.code)),
        },
        Fact {
            label: "事项",
            value: item.map_or_else(|| batch.item.clone(), |i| format!("{}（{}）", i.name(), i.code())),
        },
        Fact { label: "来源", value: source_name(&batch.source).to_owned() },
    ];
    if let Some(file) = &batch.file_name {
        facts.push(Fact { label: "文件", value: file.clone() });
    }
    facts.push(Fact { label: "接收日期", value: batch.received_date.format("%Y-%m-%d").to_string() });
    facts.push(Fact { label: "目录版本", value: batch.catalog_version.clone() });
    if let Some(key) = &batch.idempotency_key {
        facts.push(Fact { label: "幂等键", value: key.clone() });
    }
    Ok(BatchPage {
        layout: Layout::new(state, if stored { "批次结果" } else { "校验结果" }),
        notice,
        stored,
        id: batch.id.clone(),
        summary,
        counts: vec![
            count("新增", batch.accepted, "good"),
            count("更正", batch.corrected, "plain"),
            count("重复", batch.duplicates, "plain"),
            count("退回", batch.rejected, "bad"),
            count("带提示", batch.warnings, "warn"),
        ],
        facts,
        unknown_columns,
        rejected: thousands(batch.rejected),
        rows: batch
            .reports
            .iter()
            .take(ROWS_SHOWN)
            .map(|r| RowLine {
                row: r.row,
                rejected: r.status == "rejected",
                issues: r
                    .issues
                    .iter()
                    .map(|i| IssueLine { message: i.message.clone(), code: i.code.clone() })
                    .collect(),
            })
            .collect(),
        rows_hidden: thousands(batch.reports.len().saturating_sub(ROWS_SHOWN) as u64),
    })
}

pub(crate) async fn batch_error_report(
    State(state): State<AppState>,
    caller: ConsoleCaller,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let batch = visible_batch(&state, &caller, &id).await?;
    let report = crate::collection::api::error_report(&batch)
        .map(|bytes| xlsx_download(bytes, &format!("error-report-{}.xlsx", batch.id), &error_report_name(&batch)));
    Ok(respond(&state, report))
}

/// "penalties-错误报告.xlsx" after the uploaded file, so the clerk finds it
/// next to the original; the batch id when the batch had no file.
fn error_report_name(batch: &BatchSummary) -> String {
    let stem = batch
        .file_name
        .as_deref()
        .map(|n| n.rsplit(['/', '\\']).next().unwrap_or(n))
        .map(|n| n.rsplit_once('.').map_or(n, |(stem, _)| stem))
        .map(|n| n.chars().filter(|c| !c.is_control() && !"\"*:<>?|".contains(*c)).collect::<String>())
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| batch.id.clone());
    format!("{stem}-错误报告.xlsx")
}

/// An `.xlsx` attachment. `ascii_name` is for old clients; others take the
/// UTF-8 name of RFC 6266 / RFC 5987 (`filename*=UTF-8''…`).
fn xlsx_download(bytes: Vec<u8>, ascii_name: &str, utf8_name: &str) -> Response {
    let disposition = crate::web::content_disposition("attachment", ascii_name, utf8_name);
    (
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

/// `GET /console/templates/{item}.xlsx`: an empty sheet with the item's
/// columns in catalog order, for the clerk to fill in.
pub(crate) async fn item_template(
    State(state): State<AppState>,
    caller: ConsoleCaller,
    Path(file): Path<String>,
) -> Result<Response, PageError> {
    caller.authorize(&state, Action::ViewRules, &Resource::Platform)?;
    Ok(respond(&state, template_download(&state, &file)))
}

fn template_download(state: &AppState, file: &str) -> Result<Response, ApiError> {
    let catalog = &state.core.rules().catalog;
    let item = file
        .strip_suffix(".xlsx")
        .and_then(|code| catalog.item(code))
        .ok_or_else(|| not_found("template_not_found", "目录中没有这个事项，无法提供模板"))?;
    let columns: Vec<xinyong_tabular::TemplateColumn> = item.fields().iter().map(template_column).collect();
    let example: Vec<String> = item.fields().iter().map(example_value).collect();
    // Excel sheet names hold at most 31 characters.
    let sheet: String = item.name().chars().take(31).collect();
    let bytes = xinyong_tabular::write_template(&sheet, &columns, &example).map_err(|e| {
        tracing::error!(error = %e, item = item.code(), "template could not be written");
        internal_error()
    })?;
    Ok(xlsx_download(bytes, &format!("{}-template.xlsx", item.code()), &format!("{}-导入模板.xlsx", item.name())))
}

/// A field as the template explains it: required when, what to type, and
/// the drop-down of an enumeration (penalty categories: the 13 categories,
/// several separated by ；).
fn template_column(field: &FieldSpec) -> xinyong_tabular::TemplateColumn {
    let required = match field.required() {
        Required::Always => "必填。".to_owned(),
        Required::Never => "选填。".to_owned(),
        Required::LegalPerson => "主体为法人、非法人组织或个体工商户时必填。".to_owned(),
        Required::NaturalPerson => "主体为自然人时必填。".to_owned(),
        Required::PenaltyIncludes(categories) => {
            let names: Vec<&str> = categories.iter().map(|c| c.name_zh()).collect();
            format!("处罚类别含{}时必填。", names.join("或"))
        }
    };
    let (what, choices) = match field.field_type() {
        FieldType::Text { max_chars } if field.role() == Some(FieldRole::PenaltyCategories) => {
            let names: Vec<String> = PenaltyCategory::ALL.iter().map(|c| c.name_zh().to_owned()).collect();
            (format!("从下拉列表选择，多个类别用“；”分隔，最多 {max_chars} 字。"), names)
        }
        FieldType::Text { max_chars } => (format!("文本，最多 {max_chars} 字。"), Vec::new()),
        FieldType::Date { open_ended, not_in_future } => {
            let mut text = "日期，格式 2026-03-02（年-月-日）。".to_owned();
            if *open_ended {
                text.push_str("长期有效的填“长期”。");
            }
            if *not_in_future {
                text.push_str("不得晚于报送当日。");
            }
            (text, Vec::new())
        }
        FieldType::MoneyWanYuan => ("金额，单位万元，最多 6 位小数，如 1.5。".to_owned(), Vec::new()),
        FieldType::Enumeration { values, .. } => ("从下拉列表选择。".to_owned(), values.clone()),
        FieldType::Uscc => ("18 位统一社会信用代码（含最后一位校验码）。".to_owned(), Vec::new()),
        FieldType::IdNumber => ("18 位证件号码；平台只在必要时使用，对外一律脱敏。".to_owned(), Vec::new()),
        FieldType::Integer => ("整数。".to_owned(), Vec::new()),
    };
    let several = field.role() == Some(FieldRole::PenaltyCategories);
    let names = if field.role() == Some(FieldRole::ContainsPersonalNames) {
        "文字中写有当事人以外的自然人姓名（员工、举报人、证人等）时填“是”，这些文字不在门户网站和公开接口公示。"
    } else if field.is_withheld_when_names() {
        "“含自然人姓名”填“是”时不公示。"
    } else {
        ""
    };
    xinyong_tabular::TemplateColumn {
        header: field.name().to_owned(),
        note: format!("{required}{what}{names}"),
        choices,
        several,
    }
}

/// A believable value for the 填写示例 sheet (valid codes, a date, a name).
fn example_value(field: &FieldSpec) -> String {
    let by_role = match field.role() {
        Some(FieldRole::SubjectName) => Some("济南泉城示例商贸有限公司"),
        Some(FieldRole::SubjectUscc) => Some("91370102MA3C4F2K2U"),
        Some(FieldRole::LegalRepName) => Some("张某某"),
        Some(FieldRole::DocumentNumber) => Some("济市监罚〔2026〕12号"),
        Some(FieldRole::AuthorityName | FieldRole::SourceDepartmentName) => Some("济南市市场监督管理局"),
        Some(FieldRole::AuthorityUscc | FieldRole::SourceDepartmentUscc) => Some("11370100MB2853A6XD"),
        Some(FieldRole::PenaltyCategories) => Some("警告；罚款"),
        Some(FieldRole::PenaltyContent) => Some("警告，并处罚款 1.5 万元"),
        Some(FieldRole::ContainsPersonalNames) => Some("否"),
        _ => None,
    };
    if let Some(value) = by_role {
        return value.to_owned();
    }
    match field.field_type() {
        FieldType::Date { .. } => "2026-03-02".to_owned(),
        FieldType::MoneyWanYuan => "1.5".to_owned(),
        FieldType::Enumeration { values, .. } => values.first().cloned().unwrap_or_default(),
        FieldType::Uscc => "91370102MA3C4F2K2U".to_owned(),
        FieldType::Integer => "1".to_owned(),
        FieldType::Text { .. } if matches!(field.required(), Required::Always) => example_text(field.name()),
        // Never a real person's number in an example: left for the clerk.
        FieldType::IdNumber | FieldType::Text { .. } => String::new(),
    }
}

/// Example words for the free-text columns every record needs, by the
/// column's name (the catalog's names of the national 双公示 template).
fn example_text(name: &str) -> String {
    let known = [
        ("违法行为类型", "未按规定公示年度报告"),
        ("违法事实", "经查，当事人未按规定期限公示 2025 年度报告，经责令仍未改正。"),
        ("处罚依据", "《企业信息公示暂行条例》第十八条"),
        ("许可证书名称", "食品经营许可证"),
        ("许可编号", "JY13701020012345"),
        ("许可内容", "预包装食品（含冷藏冷冻食品）销售"),
        ("行政许可决定文书名称", "准予行政许可决定书"),
    ];
    known.iter().find(|(n, _)| *n == name).map_or_else(|| format!("{name}（示例）"), |(_, v)| (*v).to_owned())
}

// ---------------------------------------------------------------------------
// Timeliness (十五.1)
// ---------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "collection/timeliness.html")]
struct TimelinessPage {
    layout: Layout,
    from: String,
    to: String,
    choose_department: bool,
    department_label: String,
    departments: Vec<Choice>,
    error: Option<Problem>,
    report: Option<ReportView>,
}

struct ReportView {
    summary: String,
    chart: String,
    show_department: bool,
    lines: Vec<LineView>,
    overdue: Vec<OverdueView>,
    overdue_capped: bool,
    overdue_limit: u32,
}

struct LineView {
    department: String,
    item: String,
    total: String,
    on_time: String,
    late: String,
    unknown: String,
    share: String,
    average: String,
    max: String,
}

struct OverdueView {
    department: String,
    item: String,
    document_number: String,
    subject: String,
    decision_date: String,
    received_date: String,
    working_days: i64,
    deadline: u32,
}

#[derive(Debug, Deserialize)]
pub(crate) struct TimelinessQuery {
    from: Option<String>,
    to: Option<String>,
    department: Option<String>,
}

pub(crate) async fn timeliness_page(
    State(state): State<AppState>,
    caller: ConsoleCaller,
    Query(q): Query<TimelinessQuery>,
) -> Result<Response, PageError> {
    let scope = caller.scope(&state, Action::ViewTimeliness)?;
    Ok(respond(&state, timeliness_view(&state, &caller, &scope, q).await))
}

fn parse_date(raw: Option<&str>, label: &str, default: NaiveDate) -> Result<NaiveDate, Problem> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| Problem {
            message: format!("{label}应为 YYYY-MM-DD 格式的日期，收到“{s}”"),
            code: "date_invalid".to_owned(),
        }),
    }
}

/// The period asked for: the last [`DEFAULT_DAYS`] days by default.
fn period(q: &TimelinessQuery, today: NaiveDate) -> Result<(NaiveDate, NaiveDate), Problem> {
    let to = parse_date(q.to.as_deref(), "结束日期", today)?;
    let from = parse_date(q.from.as_deref(), "开始日期", to - Duration::days(DEFAULT_DAYS))?;
    if from > to {
        return Err(Problem {
            message: "开始日期不能晚于结束日期".to_owned(), code: "date_range_inverted".to_owned()
        });
    }
    Ok((from, to))
}

/// Which department's report: the caller's own; for whoever may see every
/// department's, the one chosen, or every department.
fn report_scope(scope: &Scope, q: &TimelinessQuery) -> Result<Option<DepartmentCode>, Problem> {
    if let Scope::Department(own) = scope {
        return Ok(Some(own.clone()));
    }
    match q.department.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        None => Ok(None),
        Some(raw) => DepartmentCode::parse(raw)
            .map(Some)
            .map_err(|e| Problem { message: e.to_string(), code: "department_invalid".to_owned() }),
    }
}

async fn timeliness_view(
    state: &AppState,
    caller: &ConsoleCaller,
    scope: &Scope,
    q: TimelinessQuery,
) -> Result<(StatusCode, TimelinessPage), ApiError> {
    let core = &state.core;
    let departments = core_auth::departments(core).await?;
    let today = intake::china_today(core);
    let asked = period(&q, today).and_then(|p| Ok((p, report_scope(scope, &q)?)));
    let day = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    // The form shows the period reported on, or what was typed when it was refused.
    let (status, error, report, from, to) = match asked {
        Ok(((from, to), scope)) => {
            let report = stats::timeliness(core, from, to, scope.as_ref()).await?;
            let names: HashMap<String, String> =
                departments.iter().map(|d| (d.code.to_string(), d.name.clone())).collect();
            let view = report_view(state, &report, &names, scope.is_none());
            (StatusCode::OK, None, Some(view), day(from), day(to))
        }
        Err(problem) => {
            let raw = |v: &Option<String>| v.clone().unwrap_or_default();
            (StatusCode::BAD_REQUEST, Some(problem), None, raw(&q.from), raw(&q.to))
        }
    };
    let chosen = if scope.is_all() { q.department.as_deref() } else { None };
    let page = TimelinessPage {
        layout: Layout::new(state, "报送时效"),
        from,
        to,
        choose_department: scope.is_all(),
        department_label: caller
            .department()
            .map_or_else(String::new, |d| format!("{}（{d}）", department_name(&departments, d.as_str()))),
        departments: departments
            .iter()
            .map(|d| Choice {
                value: d.code.to_string(),
                label: format!("{}（{}）", d.name, d.code),
                selected: chosen == Some(d.code.as_str()),
            })
            .collect(),
        error,
        report,
    };
    Ok((status, page))
}

fn percent(share: Option<f64>) -> String {
    share.map_or_else(|| "—".to_owned(), |s| format!("{:.1}%", s * 100.0))
}

fn report_view(
    state: &AppState,
    report: &stats::TimelinessReport,
    names: &HashMap<String, String>,
    show_department: bool,
) -> ReportView {
    let name_of = |code: &str| names.get(code).cloned().unwrap_or_else(|| code.to_owned());
    let summary = if report.total == 0 {
        "所选期间没有收到记录。".to_owned()
    } else {
        format!(
            "{} 至 {} 共收到 {} 条记录，按时 {} 条，按时率 {}。",
            report.from.format("%Y-%m-%d"),
            report.to.format("%Y-%m-%d"),
            thousands(report.total),
            thousands(report.on_time),
            percent(report.on_time_share)
        )
    };
    ReportView {
        summary,
        chart: if report.lines.is_empty() { String::new() } else { bar_chart(&report.lines) },
        show_department,
        lines: report
            .lines
            .iter()
            .map(|l| LineView {
                department: l.department_name.clone(),
                item: l.item_name.clone(),
                total: thousands(l.total),
                on_time: thousands(l.on_time),
                late: thousands(l.late),
                unknown: thousands(l.unknown),
                share: percent(l.on_time_share),
                average: l.average_working_days.map_or_else(|| "—".to_owned(), |a| format!("{a:.1}")),
                max: l.max_working_days.to_string(),
            })
            .collect(),
        overdue: report
            .overdue
            .iter()
            .map(|r| OverdueView {
                department: name_of(&r.department),
                item: item_name(state, &r.item),
                document_number: r.document_number.clone(),
                subject: r.subject.clone(),
                decision_date: r.decision_date.format("%Y-%m-%d").to_string(),
                received_date: r.received_date.format("%Y-%m-%d").to_string(),
                working_days: r.working_days,
                deadline: r.deadline_working_days,
            })
            .collect(),
        overdue_capped: report.overdue.len() >= OVERDUE_LIMIT as usize,
        overdue_limit: OVERDUE_LIMIT,
    }
}

// ---------------------------------------------------------------------------
// The chart
// ---------------------------------------------------------------------------

/// A horizontal bar per department × item: the share of records received on
/// time (green) and late (red), against a dashed line at 100 %. Lines with
/// nothing countable (a year without a published holiday schedule) get an
/// empty grey bar. Pure, and every name in it is escaped, so the result can
/// go into the page as is.
fn bar_chart(lines: &[TimelinessLine]) -> String {
    let countable: u64 = lines.iter().map(|l| l.total - l.unknown).sum();
    let on_time: u64 = lines.iter().map(|l| l.on_time).sum();
    let desc = format!(
        "共 {} 组，可计算的 {countable} 条记录中按时 {on_time} 条；绿色为按时，红色为逾期，虚线为 100%。详细数字见下表。",
        lines.len()
    );
    let bars: Vec<ShareBar> = lines
        .iter()
        .map(|line| {
            let full = format!("{} · {}", line.department_name, line.item_name);
            let tip = match line.on_time_share {
                Some(s) => {
                    format!("{full}：按时 {} 条，逾期 {} 条，按时率 {:.1}%", line.on_time, line.late, s * 100.0)
                }
                None => format!("{full}：{} 条记录的工作日数无法计算", line.total),
            };
            ShareBar { label: full, tip, share: line.on_time_share }
        })
        .collect();
    let chart = ShareChart {
        id: "tl-chart",
        title: "各部门各事项按时报送率",
        desc: &desc,
        label_right: 296,
        // Longer labels are cut (the full one is in the tooltip and the table).
        label_chars: 22,
        max_rows: 10_000,
        yes: "按时",
        no: "逾期",
        legend_gap: 70,
        target_legend: Some("100%（全部按时）"),
        empty_text: "无法计算",
    };
    share_chart(&chart, &bars)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(department: &str, item: &str, on_time: u64, late: u64, unknown: u64) -> TimelinessLine {
        let countable = on_time + late;
        TimelinessLine {
            department: "d".into(),
            department_name: department.into(),
            item: "CF".into(),
            item_name: item.into(),
            total: countable + unknown,
            on_time,
            late,
            unknown,
            on_time_share: (countable > 0).then(|| on_time as f64 / countable as f64),
            average_working_days: None,
            max_working_days: 0,
        }
    }

    #[test]
    fn the_chart_has_a_bar_per_line_a_dashed_target_and_a_text_alternative() {
        let svg = bar_chart(&[line("市场监管局", "行政处罚", 3, 1, 0), line("税务局", "行政许可", 0, 0, 2)]);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains(r#"role="img""#) && svg.contains("<title id=\"tl-chart-title\">"));
        assert!(svg.contains(r#"stroke-dasharray="5 4""#));
        // 3 of 4 on time: three quarters of the bar green, a quarter red.
        assert!(svg.contains(r##"width="405.0" height="18" fill="#2e7d32""##), "{svg}");
        assert!(svg.contains(r##"width="135.0" height="18" fill="#c62828""##), "{svg}");
        assert!(svg.contains("75.0%"));
        assert!(svg.contains("无法计算"));
        assert_eq!(svg.matches("<g><title>").count(), 2);
    }

    #[test]
    fn names_in_the_chart_are_escaped() {
        let svg = bar_chart(&[line("<script>alert(1)</script>", "A&B \"x\"", 1, 0, 0)]);
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;"));
        assert!(svg.contains("A&amp;B &quot;x&quot;"));
    }

    #[test]
    fn only_known_notices_are_shown_and_batch_ids_have_one_shape() {
        assert!(batch_notice("received").is_some());
        assert!(batch_notice("<b>hi</b>").is_none());
        assert!(valid_batch_id("b0123456789abcdef0123"));
        assert!(!valid_batch_id("b0123456789abcdef012\0"));
        assert!(!valid_batch_id("x0123456789abcdef0123"));
        assert!(!valid_batch_id("b012"));
    }

    #[test]
    fn periods_default_to_the_last_ninety_days_and_refuse_nonsense() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let q = |from: Option<&str>, to: Option<&str>| TimelinessQuery {
            from: from.map(str::to_owned),
            to: to.map(str::to_owned),
            department: None,
        };
        let (from, to) = period(&q(None, None), today).map_err(|p| p.code).unwrap();
        assert_eq!((from, to), (today - Duration::days(90), today));
        assert_eq!(period(&q(Some("2026-13-01"), None), today).err().map(|p| p.code), Some("date_invalid".into()));
        assert_eq!(
            period(&q(Some("2026-11-27"), Some("2026-11-26")), today).err().map(|p| p.code),
            Some("date_range_inverted".into())
        );
    }

    #[test]
    fn error_report_names_follow_the_uploaded_file() {
        let batch = |file: Option<&str>| BatchSummary {
            id: "b0123456789abcdef0123".into(),
            department: DepartmentCode::parse("scjgj").unwrap(),
            item: "CF".into(),
            catalog_version: "v".into(),
            source: "upload".into(),
            file_name: file.map(str::to_owned),
            idempotency_key: None,
            received_date: NaiveDate::default(),
            rows_total: 0,
            accepted: 0,
            corrected: 0,
            duplicates: 0,
            rejected: 0,
            warnings: 0,
            headers: Vec::new(),
            reports: Vec::new(),
        };
        assert_eq!(error_report_name(&batch(Some("处罚 3月.xlsx"))), "处罚 3月-错误报告.xlsx");
        assert_eq!(error_report_name(&batch(Some("C:\\docs\\a\"b.csv"))), "ab-错误报告.xlsx");
        assert_eq!(error_report_name(&batch(None)), "b0123456789abcdef0123-错误报告.xlsx");
    }
}

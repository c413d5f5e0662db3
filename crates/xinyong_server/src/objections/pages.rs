//! Objection pages: the company's form and withdrawal on `/my`, the
//! counter's filing, the department's queue and answer.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::collections::BTreeMap;
use xinyong_core::auth::policy::Action;
use xinyong_core::objections::{self, ObjectionCase};
use xinyong_domain::objections::{ObjectionResult, RecordObjectionRow};

use crate::AppState;
use crate::auth::{ConsoleCaller, ConsoleForm, PageError};
use crate::subjects::NO_STORE;
use crate::web::{Layout, error_page};

#[derive(Debug, Deserialize)]
pub(crate) struct GroundsForm {
    grounds: String,
}

/// The largest objection form (grounds and evidence files): the default
/// settings' 3 files of 2 MB with room for the fields. Larger files are
/// refused by the core with the setting's own limit.
pub(crate) const MAX_OBJECTION_BODY_BYTES: usize = 7 * 1024 * 1024;

/// The company objects to one of its records, with evidence files (a
/// multipart form: `grounds`, `evidence` files, `csrf_token`).
pub(crate) async fn file_online(
    State(state): State<AppState>,
    Path(record_id): Path<String>,
    caller: ConsoleCaller,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let bad = |m: String| error_page(&state, crate::ApiError::bad_request("form_invalid", m));
    let mut multipart = multipart.map_err(|e| bad(format!("表单内容无法识别：{}", e.body_text())))?;
    let (mut grounds, mut csrf, mut evidence) = (String::new(), String::new(), Vec::new());
    while let Some(field) =
        multipart.next_field().await.map_err(|e| bad(format!("表单内容无法识别：{}", e.body_text())))?
    {
        match field.name().unwrap_or_default() {
            "evidence" => {
                let name = field.file_name().unwrap_or("证明材料").to_owned();
                let bytes = field.bytes().await.map_err(|e| bad(format!("证明材料无法读取：{}", e.body_text())))?;
                evidence.push(objections::EvidenceUpload { name, bytes: bytes.to_vec() });
            }
            "grounds" => grounds = field.text().await.unwrap_or_default(),
            "csrf_token" => csrf = field.text().await.unwrap_or_default(),
            _ => {}
        }
    }
    caller.check_csrf(&csrf).map_err(|e| error_page(&state, e))?;
    // The core authorizes against the record: the company itself, or the
    // record's department at a counter (which files on the company's behalf).
    objections::file_objection_with_evidence(&state.core, &caller.principal, &record_id, &grounds, evidence)
        .await
        .map_err(|e| refusal_or_error(&state, &caller, e))?;
    Ok(Redirect::to("/my?done=objection#objections").into_response())
}

/// One evidence file, for the company and the department answering.
pub(crate) async fn evidence_file(
    State(state): State<AppState>,
    caller: ConsoleCaller,
    Path((id, file_no)): Path<(String, u64)>,
) -> Result<Response, PageError> {
    use base64::Engine as _;
    let found = objections::evidence(&state.core, &caller.principal, &id, file_no)
        .await
        .map_err(|e| refusal_or_error(&state, &caller, e))?;
    let Some(file) = found else {
        let e = crate::ApiError::new(axum::http::StatusCode::NOT_FOUND, "evidence_not_found", "没有这个证明材料");
        return Err(error_page(&state, e).into());
    };
    let bytes = base64::engine::general_purpose::STANDARD.decode(&file.content_base64).unwrap_or_default();
    let disposition = crate::web::content_disposition("attachment", &format!("evidence-{file_no}"), &file.name);
    let headers = [
        (axum::http::header::CONTENT_TYPE, file.media_type),
        (axum::http::header::CONTENT_DISPOSITION, disposition),
        (axum::http::header::CACHE_CONTROL, "no-store".to_owned()),
    ];
    Ok((headers, bytes).into_response())
}

/// The company objects to a listing proposed about it (notice served, the
/// objection window open).
pub(crate) async fn object_to_listing(
    State(state): State<AppState>,
    Path(listing_id): Path<String>,
    ConsoleForm { caller, form }: ConsoleForm<GroundsForm>,
) -> Result<Response, PageError> {
    xinyong_core::lists::listing::object_online(&state.core, &caller.principal, &listing_id, &form.grounds)
        .await
        .map_err(|e| refusal_or_error(&state, &caller, e))?;
    Ok(Redirect::to("/my?done=listing_objection#lists-title").into_response())
}

#[derive(Debug, Deserialize)]
pub(crate) struct WaiverForm {
    statement: String,
}

/// The company waives its objection to a proposed listing in writing.
pub(crate) async fn waive_listing_objection(
    State(state): State<AppState>,
    Path(listing_id): Path<String>,
    ConsoleForm { caller, form }: ConsoleForm<WaiverForm>,
) -> Result<Response, PageError> {
    xinyong_core::lists::listing::waive_objection(&state.core, &caller.principal, &listing_id, &form.statement)
        .await
        .map_err(|e| refusal_or_error(&state, &caller, e))?;
    Ok(Redirect::to("/my?done=listing_waived#lists-title").into_response())
}

#[derive(Debug, Deserialize)]
pub(crate) struct NoFields {}

/// The company withdraws its open objection.
pub(crate) async fn withdraw(
    State(state): State<AppState>,
    Path(objection_id): Path<String>,
    ConsoleForm { caller, .. }: ConsoleForm<NoFields>,
) -> Result<Response, PageError> {
    objections::withdraw_objection(&state.core, &caller.principal, &objection_id)
        .await
        .map_err(|e| refusal_or_error(&state, &caller, e))?;
    Ok(Redirect::to("/my?done=withdrawn#objections").into_response())
}

/// A department's clerk records an objection made at the counter.
pub(crate) async fn file_at_counter(
    State(state): State<AppState>,
    Path(record_id): Path<String>,
    ConsoleForm { caller, form }: ConsoleForm<GroundsForm>,
) -> Result<Response, PageError> {
    let id = objections::file_objection(&state.core, &caller.principal, &record_id, &form.grounds)
        .await
        .map_err(|e| refusal_or_error(&state, &caller, e))?;
    Ok(Redirect::to(&format!("/console/objections/{id}")).into_response())
}

pub(crate) struct QueueRow {
    id: String,
    department: String,
    document_number: String,
    subject_name: String,
    uscc: String,
    channel: &'static str,
    filed_on: String,
    answer_due: String,
    open: bool,
    overdue: bool,
    result: String,
}

impl QueueRow {
    fn new(o: &RecordObjectionRow, today: chrono::NaiveDate, departments: &BTreeMap<String, String>) -> QueueRow {
        QueueRow {
            id: o.objection_id.clone(),
            department: departments.get(o.department.as_str()).cloned().unwrap_or_else(|| o.department.to_string()),
            document_number: o.document_number.clone(),
            subject_name: o.subject_name.clone(),
            uscc: o.uscc.as_str().to_owned(),
            channel: if o.channel == xinyong_domain::objections::ObjectionChannel::Online {
                "网上"
            } else {
                "窗口"
            },
            filed_on: o.filed_on.to_string(),
            answer_due: o.answer_due.to_string(),
            open: o.result.is_none(),
            overdue: o.result.is_none() && o.answer_due < today,
            result: o.result.map_or_else(|| "处理中".to_owned(), |r| r.name_zh().to_owned()),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "objections/queue.html")]
struct QueuePage {
    layout: Layout,
    csrf_token: String,
    all: bool,
    open: usize,
    overdue: usize,
    rows: Vec<QueueRow>,
    /// The counter: a company's records the clerk may register an objection to.
    counter_uscc: String,
    counter: Option<Vec<CounterRecord>>,
    counter_problem: Option<String>,
}

/// One record offered at the counter.
pub(crate) struct CounterRecord {
    id: String,
    document_number: String,
    decision_date: String,
    disputed: bool,
}

#[derive(Debug, Deserialize)]
pub(crate) struct QueueQuery {
    /// 窗口登记: the company whose records to list.
    uscc: Option<String>,
}

/// The counter section for `?uscc=`: the company's records of the caller's
/// department, or why there are none.
async fn counter(
    state: &AppState,
    caller: &ConsoleCaller,
    typed: &str,
) -> Result<(Option<Vec<CounterRecord>>, Option<String>), PageError> {
    if typed.is_empty() {
        return Ok((None, None));
    }
    let Ok(uscc) = xinyong_domain::Uscc::parse(typed) else {
        return Ok((None, Some("统一社会信用代码格式不正确（18 位，含校验位）".to_owned())));
    };
    let rows = objections::counter_records(&state.core, &caller.principal, &uscc)
        .await
        .map_err(|e| refusal_or_error(state, caller, e))?;
    if rows.is_empty() {
        return Ok((None, Some(format!("本部门没有报送过 {uscc} 的信息。"))));
    }
    let records = rows
        .into_iter()
        .map(|(r, disputed)| CounterRecord {
            document_number: format!("{} {}", r.item, r.document_number),
            decision_date: r.decision_date.to_string(),
            id: r.id,
            disputed,
        })
        .collect();
    Ok((Some(records), None))
}

pub(crate) async fn queue(
    State(state): State<AppState>,
    caller: ConsoleCaller,
    Query(q): Query<QueueQuery>,
) -> Result<Response, PageError> {
    let scope = caller.scope(&state, Action::ViewObjections)?;
    let counter_uscc = q.uscc.as_deref().unwrap_or_default().trim().to_ascii_uppercase();
    let (counter, counter_problem) = counter(&state, &caller, &counter_uscc).await?;
    let rows = objections::objection_queue(&state.core, &scope).await.map_err(|e| error_page(&state, e.into()))?;
    let today = xinyong_core::collection::intake::china_today(&state.core);
    let departments = departments(&state).await?;
    let rows: Vec<QueueRow> = rows.iter().map(|o| QueueRow::new(o, today, &departments)).collect();
    let page = QueuePage {
        layout: Layout::new(&state, "异议处理"),
        csrf_token: caller.csrf_token().to_owned(),
        counter_uscc,
        counter,
        counter_problem,
        all: scope.is_all(),
        open: rows.iter().filter(|r| r.open).count(),
        overdue: rows.iter().filter(|r| r.overdue).count(),
        rows,
    };
    Ok((NO_STORE, page).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "objections/detail.html")]
struct DetailPage {
    layout: Layout,
    csrf_token: String,
    row: QueueRow,
    grounds: String,
    /// Evidence files: number, name, size.
    evidence: Vec<(u64, String, u64)>,
    extension_reason: String,
    reply: String,
    answered_on: String,
    filed_by: String,
    record_decided: String,
    record_public: bool,
    may_answer: bool,
    results: Vec<(&'static str, &'static str)>,
}

pub(crate) async fn detail(
    State(state): State<AppState>,
    caller: ConsoleCaller,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let ObjectionCase { objection: o, record } = objections::objection(&state.core, &caller.principal, &id)
        .await
        .map_err(|e| refusal_or_error(&state, &caller, e))?;
    let today = xinyong_core::collection::intake::china_today(&state.core);
    let may_answer =
        caller.allows(Action::AnswerObjection, &xinyong_core::auth::policy::Resource::Department(o.department.clone()));
    let page = DetailPage {
        layout: Layout::new(&state, "异议详情"),
        csrf_token: caller.csrf_token().to_owned(),
        row: QueueRow::new(&o, today, &*departments(&state).await?),
        grounds: o.grounds.clone(),
        evidence: objections::evidence_list(&state.core, &o.objection_id)
            .await
            .map_err(|e| refusal_or_error(&state, &caller, e))?,
        extension_reason: o.extension_reason.clone().unwrap_or_default(),
        reply: o.reply.clone().unwrap_or_default(),
        answered_on: o.answered_on.map_or_else(String::new, |d| d.to_string()),
        filed_by: o.filed_by.clone(),
        record_decided: record.as_ref().map_or_else(String::new, |r| r.decision_date.to_string()),
        record_public: record.as_ref().is_some_and(|r| r.public),
        may_answer,
        results: [
            ObjectionResult::Revoked,
            ObjectionResult::Corrected,
            ObjectionResult::Kept,
            ObjectionResult::Undetermined,
        ]
        .into_iter()
        .map(|r| (r.as_str(), r.name_zh()))
        .collect(),
    };
    Ok((NO_STORE, page).into_response())
}

#[derive(Debug, Deserialize)]
pub(crate) struct AnswerForm {
    result: String,
    reply: String,
}

pub(crate) async fn answer(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm { caller, form }: ConsoleForm<AnswerForm>,
) -> Result<Response, PageError> {
    let Some(result) = ObjectionResult::parse(form.result.trim()) else {
        let e = crate::ApiError::bad_request("result_invalid", "请选择处理结果");
        return Err(error_page(&state, e).into());
    };
    objections::answer_objection(&state.core, &caller.principal, &id, result, &form.reply)
        .await
        .map_err(|e| refusal_or_error(&state, &caller, e))?;
    Ok(Redirect::to(&format!("/console/objections/{id}")).into_response())
}

#[derive(Debug, Deserialize)]
pub(crate) struct ExtendForm {
    reason: String,
}

pub(crate) async fn extend(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm { caller, form }: ConsoleForm<ExtendForm>,
) -> Result<Response, PageError> {
    objections::extend_objection(&state.core, &caller.principal, &id, &form.reason)
        .await
        .map_err(|e| refusal_or_error(&state, &caller, e))?;
    Ok(Redirect::to(&format!("/console/objections/{id}")).into_response())
}

/// Department names by code, for the queues.
pub(crate) async fn departments(state: &AppState) -> Result<std::sync::Arc<BTreeMap<String, String>>, PageError> {
    xinyong_core::portal::department_names(&state.core).await.map_err(|e| error_page(state, e.into()).into())
}

/// Nobody goes to the login page; anything else is the error page.
pub(crate) fn refusal_or_error(state: &AppState, caller: &ConsoleCaller, e: xinyong_core::CoreError) -> Response {
    if matches!(e, xinyong_core::CoreError::Unauthenticated { .. }) {
        caller.refuse(state, xinyong_core::auth::policy::Denied::unauthenticated())
    } else {
        error_page(state, e.into())
    }
}

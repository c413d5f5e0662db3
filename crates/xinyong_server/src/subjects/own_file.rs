//! `/my`: the company's own credit file, free (Art. 37), with what it can
//! do about each record (object, apply for repair), and its export.

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate};
use serde::{Deserialize, Serialize};
use xinyong_core::auth::policy::Action;
use xinyong_core::subjects::own_file::{CheckSeen, OwnFile, OwnRecord, own_file};
use xinyong_domain::auth::SubjectAccountRole;

use super::{NO_STORE, company};
use crate::AppState;
use crate::auth::{ConsoleCaller, PageError};
use crate::web::{Layout, beijing, error_page};

/// A list membership as the company sees it, with how to leave it.
pub(crate) struct ListingView {
    listing_id: String,
    /// The notice's objection window is open: the company may object here.
    can_object: bool,
    objection_deadline: String,
    list_name: String,
    status: String,
    in_force: bool,
    decided_on: String,
    valid_until: String,
    department: String,
    exit_conditions: String,
    remedy: String,
}

pub(crate) struct BanView {
    scope: String,
    field: String,
    department: String,
    decision_no: String,
    period: String,
    in_force: bool,
}

pub(crate) struct InterviewView {
    kind: String,
    held_on: String,
    department: String,
    outcome: String,
}

pub(crate) struct CheckView {
    when: String,
    department: String,
    scenario: String,
    decision: String,
}

pub(crate) struct ObjectionView {
    id: String,
    record_id: String,
    /// The disputed record's document number (its id when not found).
    record_doc: String,
    filed_on: String,
    answer_due: String,
    open: bool,
    overdue: bool,
    result: String,
    reply: String,
}

pub(crate) struct RepairView {
    id: String,
    record_id: String,
    record_doc: String,
    applied_on: String,
    review_due: String,
    status: String,
    pending: bool,
    approved: bool,
    reason: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "subjects/my.html")]
struct MyPage {
    layout: Layout,
    csrf_token: String,
    account: String,
    is_main: bool,
    company: String,
    uscc: String,
    status: String,
    as_of: String,
    notice: Option<&'static str>,
    records: Vec<OwnRecord>,
    listings: Vec<ListingView>,
    bans: Vec<BanView>,
    interviews: Vec<InterviewView>,
    checks: Vec<CheckView>,
    objections: Vec<ObjectionView>,
    repairs: Vec<RepairView>,
    grades: xinyong_core::evaluation::view::SubjectGrades,
    /// Credit service agencies' queries of the company's full report.
    agency_queries: Vec<crate::agencies::my::QueryRow>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct MyQuery {
    done: Option<String>,
}

fn notice_for(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "objection" => Some(
            "异议已提交。信息提供部门将在 3 个工作日内核查答复（需其他单位协助核实的，7 个工作日），期间该信息在信用网站标注“异议处理中”。",
        ),
        "withdrawn" => Some("异议已撤回。"),
        "repair" => Some("信用修复申请已提交，请留意审核结果。"),
        "listing_objection" => Some("对拟列入名单的异议已提交，认定部门答复前不会作出列入决定。"),
        "listing_waived" => Some("已书面放弃异议，认定部门可以在异议期届满前作出决定。"),
        _ => None,
    }
}

fn day(d: Option<NaiveDate>, none: &str) -> String {
    d.map_or_else(|| none.to_owned(), |d| d.to_string())
}

fn when(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&beijing()).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

fn decision_zh(decision: &str) -> &str {
    match decision {
        "clear" => "无限制",
        "warn" => "提示关注",
        "restrict" => "限制",
        "deny" => "不予办理",
        other => other,
    }
}

fn listing_views(state: &AppState, f: &OwnFile) -> Vec<ListingView> {
    let rules = state.core.rules();
    f.file
        .listings
        .iter()
        .map(|l| {
            let list = rules.sanctions.list(&l.row.list_code);
            let window_open = l.row.status == xinyong_domain::lists::ListingStatus::Noticed
                && l.row.objection_deadline.is_some_and(|d| f.as_of <= d);
            ListingView {
                listing_id: l.row.listing_id.clone(),
                can_object: window_open,
                objection_deadline: day(l.row.objection_deadline, "—"),
                list_name: l.list_name.clone(),
                status: l.row.status.name_zh().to_owned(),
                in_force: l.in_force,
                decided_on: day(l.row.decided_on, "—"),
                valid_until: day(l.row.valid_until, "—"),
                department: l.row.department.to_string(),
                exit_conditions: list.map_or_else(String::new, |t| t.exit_conditions.clone()),
                remedy: list.map_or_else(String::new, |t| t.remedy.clone()),
            }
        })
        .collect()
}

/// Bans, interviews and the checks made, as the page shows them.
fn activity_views(f: &OwnFile) -> (Vec<BanView>, Vec<InterviewView>, Vec<CheckView>) {
    let today = f.as_of;
    let bans = f
        .file
        .bans
        .iter()
        .map(|b| BanView {
            scope: b.scope.name_zh().to_owned(),
            field: b.field.clone(),
            department: b.department.clone(),
            decision_no: b.decision_no.clone(),
            period: format!("{} 至 {}", b.starts_on, day(b.ends_on, "长期")),
            in_force: b.lifted_on.is_none() && b.ends_on.is_none_or(|e| today <= e),
        })
        .collect();
    let interviews = f
        .file
        .interviews
        .iter()
        .map(|i| InterviewView {
            kind: i.kind.name_zh().to_owned(),
            held_on: i.held_on.to_string(),
            department: i.department.clone(),
            outcome: i.outcome.clone(),
        })
        .collect();
    let checks = f
        .checks
        .iter()
        .map(|c: &CheckSeen| CheckView {
            when: when(c.time_ms),
            department: c.department_name.clone(),
            scenario: c.scenario_name.clone(),
            decision: decision_zh(&c.decision).to_owned(),
        })
        .collect();
    (bans, interviews, checks)
}

fn page(
    state: &AppState,
    caller: &ConsoleCaller,
    f: OwnFile,
    notice: Option<&'static str>,
    role: SubjectAccountRole,
    account: String,
) -> MyPage {
    let today = f.as_of;
    let listings = listing_views(state, &f);
    let (bans, interviews, checks) = activity_views(&f);
    let doc = |id: &str| {
        f.records
            .iter()
            .find(|r| r.id == id)
            .map_or_else(|| id.to_owned(), |r| format!("{} {}", r.item_name, r.document_number))
    };
    let objections = f
        .objections
        .iter()
        .map(|o| ObjectionView {
            id: o.objection_id.clone(),
            record_id: o.record_id.clone(),
            record_doc: doc(&o.record_id),
            filed_on: o.filed_on.to_string(),
            answer_due: o.answer_due.to_string(),
            open: o.result.is_none(),
            overdue: o.result.is_none() && o.answer_due < today,
            result: o.result.map_or_else(|| "处理中".to_owned(), |r| r.name_zh().to_owned()),
            reply: o.reply.clone().unwrap_or_default(),
        })
        .collect();
    let repairs = f
        .repairs
        .iter()
        .map(|r| RepairView {
            id: r.application_id.clone(),
            record_id: r.record_id.clone(),
            record_doc: doc(&r.record_id),
            applied_on: r.applied_on.to_string(),
            review_due: r.review_due.to_string(),
            status: r.status.name_zh().to_owned(),
            pending: r.status == xinyong_domain::repair::RepairStatus::Pending,
            approved: r.status == xinyong_domain::repair::RepairStatus::Approved,
            reason: r.reason.clone().unwrap_or_default(),
        })
        .collect();
    let company_name = f.file.organisation.name.clone();
    MyPage {
        layout: Layout::new(state, &format!("本企业信用 · {company_name}")),
        csrf_token: caller.csrf_token().to_owned(),
        account,
        is_main: role == SubjectAccountRole::LegalRepresentative,
        company: company_name,
        uscc: f.uscc.as_str().to_owned(),
        status: f.file.organisation.status_name.clone(),
        as_of: today.to_string(),
        notice,
        records: f.records,
        listings,
        bans,
        interviews,
        checks,
        objections,
        repairs,
        grades: xinyong_core::evaluation::view::SubjectGrades::default(),
        agency_queries: Vec::new(),
    }
}

pub(crate) async fn my_page(
    State(state): State<AppState>,
    caller: ConsoleCaller,
    Query(q): Query<MyQuery>,
) -> Result<Response, PageError> {
    let me = company(&state, &caller, Action::ViewOwnFile)?;
    let f = own_file(&state.core, &caller.principal, &me.uscc).await.map_err(|e| error_page(&state, e.into()))?;
    let grades = xinyong_core::evaluation::view::subject_grades(&state.core, &me.uscc)
        .await
        .map_err(|e| error_page(&state, e.into()))?;
    let account = caller
        .session
        .as_ref()
        .map_or_else(|| me.username.clone(), |s| format!("{}（{}）", s.display_name, me.username));
    let mut view = page(&state, &caller, f, notice_for(q.done.as_deref()), me.role, account);
    view.grades = grades;
    view.agency_queries =
        crate::agencies::my::query_rows(&state, &caller, &me.uscc).await.map_err(|e| error_page(&state, e.into()))?;
    Ok((NO_STORE, view).into_response())
}

/// The records of `/my` as a spreadsheet (one row per record, every field
/// as shown there), for the company's own files.
pub(crate) async fn export_xlsx(State(state): State<AppState>, caller: ConsoleCaller) -> Result<Response, PageError> {
    let me = company(&state, &caller, Action::ViewOwnFile)?;
    let f = own_file(&state.core, &caller.principal, &me.uscc).await.map_err(|e| error_page(&state, e.into()))?;
    let headers: Vec<String> = [
        "事项",
        "决定书文号",
        "决定日期",
        "提供部门",
        "公示情况",
        "公示起",
        "公示至",
        "异议",
        "信用修复",
        "全部字段",
        "日志序号",
    ]
    .map(str::to_owned)
    .to_vec();
    let rows: Vec<Vec<String>> = f
        .records
        .iter()
        .map(|r| {
            let fields: Vec<String> = r.fields.iter().map(|x| format!("{}：{}", x.name, x.value)).collect();
            vec![
                r.item_name.clone(),
                r.document_number.clone(),
                r.decision_date.to_string(),
                r.department_name.clone(),
                r.publicity.clone(),
                day(r.publicity_start, ""),
                day(r.publicity_until, ""),
                if r.open_objection.is_some() { "异议处理中".to_owned() } else { String::new() },
                r.repair.as_ref().map_or_else(String::new, |a| a.explanation.clone()),
                fields.join("；"),
                r.log_index.to_string(),
            ]
        })
        .collect();
    let bytes = xinyong_tabular::write_xlsx("本企业信用信息", &headers, &rows).map_err(|e| {
        tracing::error!(error = %e, "the own-file export could not be written");
        let e = crate::ApiError::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "服务器内部错误，请稍后重试",
        );
        error_page(&state, e)
    })?;
    let mut response =
        crate::collection::api::xlsx_attachment(bytes, &format!("本企业信用信息-{}-{}.xlsx", f.uscc, f.as_of));
    response.headers_mut().insert(header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    Ok(response)
}

/// The export: everything on `/my` as data.
#[derive(Debug, Serialize)]
pub(crate) struct OwnFileExport {
    uscc: String,
    name: String,
    as_of: NaiveDate,
    records: Vec<OwnRecord>,
    checks: Vec<CheckSeen>,
    objections: Vec<serde_json::Value>,
    repairs: Vec<serde_json::Value>,
    listings: Vec<serde_json::Value>,
}

pub(crate) async fn export_json(State(state): State<AppState>, caller: ConsoleCaller) -> Result<Response, PageError> {
    let me = company(&state, &caller, Action::ViewOwnFile)?;
    let f = own_file(&state.core, &caller.principal, &me.uscc).await.map_err(|e| error_page(&state, e.into()))?;
    let rules = state.core.rules();
    let export = OwnFileExport {
        uscc: f.uscc.as_str().to_owned(),
        name: f.file.organisation.name.clone(),
        as_of: f.as_of,
        listings: f
            .file
            .listings
            .iter()
            .map(|l| {
                serde_json::json!({
                    "listing_id": l.row.listing_id,
                    "list": l.row.list_code,
                    "list_name": l.list_name,
                    "status": l.row.status.as_str(),
                    "in_force": l.in_force,
                    "decided_on": l.row.decided_on,
                    "valid_until": l.row.valid_until,
                    "exit_conditions": rules.sanctions.list(&l.row.list_code).map(|t| t.exit_conditions.clone()),
                    "remedy": rules.sanctions.list(&l.row.list_code).map(|t| t.remedy.clone()),
                })
            })
            .collect(),
        objections: f
            .objections
            .iter()
            .map(|o| {
                serde_json::json!({
                    "objection_id": o.objection_id, "record_id": o.record_id, "filed_on": o.filed_on,
                    "answer_due": o.answer_due, "status": o.status.as_str(),
                    "result": o.result.map(|r| r.as_str()), "reply": o.reply, "answered_on": o.answered_on,
                })
            })
            .collect(),
        repairs: f
            .repairs
            .iter()
            .map(|r| {
                serde_json::json!({
                    "application_id": r.application_id, "record_id": r.record_id, "applied_on": r.applied_on,
                    "review_due": r.review_due, "status": r.status.as_str(), "reason": r.reason,
                    "decided_on": r.decided_on,
                })
            })
            .collect(),
        records: f.records,
        checks: f.checks,
    };
    let file_name = format!("attachment; filename=\"credit-{}-{}.json\"", export.uscc, export.as_of);
    Ok(([(header::CACHE_CONTROL, "no-store".to_owned()), (header::CONTENT_DISPOSITION, file_name)], Json(export))
        .into_response())
}

//! The console's listing pages (名单管理): the table of a department's
//! listings with the 拟列入 form, and one listing's page with every field a
//! decision must state (DOMAIN.md §3.3) and the forms of the steps its status
//! allows. The handlers only extract, ask the access policy, call
//! `xinyong_core::listing` (which asks it again) and shape the page; rule
//! errors come back on the page in Chinese (422), success is a 303 back to
//! the listing.
//!
//! Who may do what is the policy's (`ProposeListing`, `HandleListing`,
//! `DecideListing`, `ViewListings`): a department's operator or reviewer
//! proposes, serves the notice and records objections; the reviewer answers
//! objections, decides, withdraws and ends listings; the credit office may do
//! all of it for any department. A user sees only their own department's
//! listings.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::BTreeMap;

use chrono::{NaiveDate, TimeZone, Utc};
use serde::Deserialize;
use xinyong_core::CoreError;
use xinyong_core::auth as core_auth;
use xinyong_core::auth::policy::{self, Action, Resource, Scope};
use xinyong_core::collection::intake::china_today;
use xinyong_core::lists::listing::{self, ExitRequest, ListingDetail, ListingFilter, ProposeListing};
use xinyong_core::portal::normalize_uscc;
use xinyong_domain::auth::{Department, DepartmentCode};
use xinyong_domain::lists::sanction::{ListType, SanctionRules};
use xinyong_domain::lists::{ExitReason, ListingStatus, ObjectionOutcome, Step};

use crate::auth::{ConsoleCaller, ConsoleForm, PageError};
use crate::web::{Layout, beijing, department_name, error_page};
use crate::{ApiError, AppState};

/// Console pages show non-public data: never cache them anywhere.
const NO_STORE: [(header::HeaderName, &str); 1] = [(header::CACHE_CONTROL, "no-store")];
/// Rows on the listings table.
const TABLE_ROWS: usize = 200;
/// How a notice may be served (送达方式, 民事诉讼法 / 行政处罚法 practice).
const CHANNELS: [&str; 4] = ["直接送达", "邮寄送达", "电子送达", "公告送达"];

fn not_found(id: &str) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "listing_not_found", format!("未找到名单记录 {id}"))
}

// ---------------------------------------------------------------------------
// Shared shaping
// ---------------------------------------------------------------------------

/// An `<option>` of a select.
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// A problem shown above the forms, with its stable code.
struct Problem {
    what: &'static str,
    message: String,
    code: String,
}

fn opt_date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

fn ms_time(ms: Option<i64>) -> String {
    ms.and_then(|ms| Utc.timestamp_millis_opt(ms).single())
        .map(|t| t.with_timezone(&beijing()).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

fn status_tone(status: ListingStatus) -> &'static str {
    match status {
        ListingStatus::Listed => "bad",
        ListingStatus::Proposed | ListingStatus::Noticed | ListingStatus::UnderObjection => "warn",
        ListingStatus::Withdrawn | ListingStatus::Exited => "status-revoked",
    }
}

/// Notices after a redirect, chosen by code so no text from the URL is shown.
fn notice_text(code: &str) -> Option<&'static str> {
    match code {
        "proposed" => Some("已登记拟列入。下一步：向当事人送达告知书。"),
        "noticed" => Some("已登记送达告知，异议期限已按工作日计算。"),
        "objection" => Some("已登记异议；答复之前不能作出列入决定。"),
        "answered" => Some("已答复异议。"),
        "decided" => Some("已作出列入决定，惩戒措施已推送至各实施部门。"),
        "withdrawn" => Some("已撤回拟列入。"),
        "exited" => Some("已移出名单，各实施部门的措施同时解除。"),
        _ => None,
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct NoticeQuery {
    notice: Option<String>,
    status: Option<String>,
    list: Option<String>,
    /// From the credit file's 「以勾选的记录拟列入」: the subject, and its
    /// records ticked there as `record_<n>` (see [`picked_records`]).
    subject: Option<String>,
    #[serde(flatten)]
    picked: BTreeMap<String, String>,
}

/// Record ids ticked in a form: the values of its `record_<n>` fields.
/// (One field per checkbox because forms here are read with
/// `serde_urlencoded`, which takes no repeated keys.)
fn picked_records(fields: &BTreeMap<String, String>) -> Vec<String> {
    fields
        .iter()
        .filter(|(name, value)| name.starts_with("record_") && !value.trim().is_empty())
        .map(|(_, value)| value.trim().to_owned())
        .collect()
}

/// Most records of one subject the propose form offers to tick.
const PICKABLE_RECORDS: usize = 200;

/// A record of the subject the propose form offers as a basis.
struct PickRecord {
    n: usize,
    id: String,
    label: String,
    public_now: bool,
    checked: bool,
}

fn parse_date(field: &str, raw: &str) -> Result<NaiveDate, CoreError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(CoreError::invalid("missing_field", format!("「{field}」必须填写")));
    }
    raw.parse().map_err(|_| CoreError::invalid("date_invalid", format!("「{field}」应为 YYYY-MM-DD 格式的日期")))
}

// ---------------------------------------------------------------------------
// The table and the proposal form
// ---------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "lists/listings.html")]
struct TablePage {
    layout: Layout,
    csrf_token: String,
    notice: Option<&'static str>,
    error: Option<Problem>,
    statuses: Vec<Choice>,
    lists: Vec<Choice>,
    rows: Vec<TableRow>,
    show_department: bool,
    can_propose: bool,
    choose_department: bool,
    department_label: String,
    departments: Vec<Choice>,
    proposable: Vec<Choice>,
    form: ProposeForm,
    /// The subject's records to tick as the basis (when the form names a
    /// subject whose credit file the caller may read).
    pickable: Vec<PickRecord>,
}

struct TableRow {
    id: String,
    list: String,
    subject_name: String,
    subject_key: String,
    department: String,
    status: &'static str,
    tone: &'static str,
    proposed_on: String,
    objection_deadline: String,
    decision_no: String,
    valid_until: String,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ProposeForm {
    #[serde(default)]
    department: String,
    #[serde(default)]
    list_code: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    facts: String,
    #[serde(default)]
    legal_basis: String,
    #[serde(default)]
    source_records: String,
    /// The subject's records ticked in the form (`record_<n>`).
    #[serde(flatten)]
    picked: BTreeMap<String, String>,
}

impl ProposeForm {
    /// Ticked records, then the typed ids as typed (the core splits them).
    fn source_records(&self) -> Vec<String> {
        let mut ids = picked_records(&self.picked);
        ids.push(self.source_records.clone());
        ids
    }
}

pub(crate) async fn table_page(
    State(state): State<AppState>,
    caller: ConsoleCaller,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, PageError> {
    let scope = caller.scope(&state, Action::ViewListings)?;
    let notice = q.notice.as_deref().and_then(notice_text);
    let filter = (q.status.as_deref().unwrap_or_default(), q.list.as_deref().unwrap_or_default());
    // The credit office proposes in its own name unless it picks another department.
    let form = ProposeForm {
        department: caller.department().map(|d| d.to_string()).unwrap_or_default(),
        subject: q.subject.clone().unwrap_or_default(),
        picked: q.picked.clone(),
        ..ProposeForm::default()
    };
    let page = table(&state, &caller, &scope, filter, (notice, None), form).await;
    Ok(page.map_or_else(|e| error_page(&state, e), |page| (NO_STORE, page).into_response()))
}

/// The table of the listings in `scope`, and the proposal form with the
/// lists the caller may propose on.
async fn table(
    state: &AppState,
    caller: &ConsoleCaller,
    scope: &Scope,
    (status, list): (&str, &str),
    (notice, error): (Option<&'static str>, Option<Problem>),
    form: ProposeForm,
) -> Result<TablePage, ApiError> {
    let core = &state.core;
    let departments = core_auth::departments(core).await?;
    let sanctions = &core.rules().sanctions;
    let status_filter = ListingStatus::parse(status);
    let list_filter = sanctions.list(list).map(|l| l.code.clone());
    let filter = ListingFilter {
        status: status_filter,
        department: scope.department().cloned(),
        list_code: list_filter.clone(),
    };
    let rows = listing::list_listings(core, &filter, TABLE_ROWS).await?;
    let pickable = pickable_records(state, caller, &form).await?;
    let propose_scope = policy::scope(caller, Action::ProposeListing).ok();
    let proposable = proposable(sanctions, propose_scope.as_ref(), &form.list_code);
    let table_rows = rows
        .iter()
        .map(|r| {
            let (key, name) = listing::subject_display(core, &r.subject());
            TableRow {
                id: r.listing_id.clone(),
                list: sanctions.list(&r.list_code).map_or_else(|| r.list_code.clone(), |l| l.name.clone()),
                subject_name: name,
                subject_key: key,
                department: department_name(&departments, r.department.as_str()),
                status: r.status.name_zh(),
                tone: status_tone(r.status),
                proposed_on: r.proposed_on.to_string(),
                objection_deadline: opt_date(r.objection_deadline),
                decision_no: r.decision_no.clone().unwrap_or_default(),
                valid_until: opt_date(r.valid_until),
            }
        })
        .collect();
    Ok(TablePage {
        layout: Layout::new(state, "名单管理"),
        csrf_token: caller.csrf_token().to_owned(),
        notice,
        error,
        statuses: status_choices(status_filter),
        lists: list_choices(sanctions, list_filter.as_deref()),
        rows: table_rows,
        show_department: scope.is_all(),
        can_propose: !proposable.is_empty(),
        choose_department: propose_scope.as_ref().is_some_and(Scope::is_all),
        department_label: caller
            .department()
            .map_or_else(String::new, |d| format!("{}（{d}）", department_name(&departments, d.as_str()))),
        departments: departments
            .iter()
            .map(|d| Choice {
                value: d.code.to_string(),
                label: format!("{}（{}）", d.name, d.code),
                selected: form.department == d.code.as_str(),
            })
            .collect(),
        proposable,
        form,
        pickable,
    })
}

/// The records of the form's subject, ticked as the form has them, for
/// whoever may read the subject's credit file (its non-public records
/// included).
async fn pickable_records(
    state: &AppState,
    caller: &ConsoleCaller,
    form: &ProposeForm,
) -> Result<Vec<PickRecord>, ApiError> {
    let Some(uscc) = normalize_uscc(&form.subject) else { return Ok(Vec::new()) };
    if !caller.allows(Action::ViewCreditFile, &Resource::Subject(uscc.clone())) {
        return Ok(Vec::new());
    }
    let ticked = picked_records(&form.picked);
    let records = xinyong_core::subjects::own_file::records_with_publicity(&state.core, &uscc).await?;
    Ok(records
        .into_iter()
        .take(PICKABLE_RECORDS)
        .enumerate()
        .map(|(n, r)| PickRecord {
            n,
            checked: ticked.contains(&r.id),
            label: format!("{} {} · {} · {}", r.item_name, r.document_number, r.department_name, r.decision_date),
            public_now: r.public_now,
            id: r.id,
        })
        .collect())
}

fn status_choices(selected: Option<ListingStatus>) -> Vec<Choice> {
    let all = Choice { value: String::new(), label: "全部状态".to_owned(), selected: selected.is_none() };
    let each = ListingStatus::ALL.iter().map(|s| Choice {
        value: s.as_str().to_owned(),
        label: s.name_zh().to_owned(),
        selected: selected == Some(*s),
    });
    std::iter::once(all).chain(each).collect()
}

fn list_choices(sanctions: &SanctionRules, selected: Option<&str>) -> Vec<Choice> {
    let all = Choice { value: String::new(), label: "全部名单".to_owned(), selected: selected.is_none() };
    let each = sanctions.lists().iter().map(|l| Choice {
        value: l.code.clone(),
        label: l.name.clone(),
        selected: selected == Some(l.code.as_str()),
    });
    std::iter::once(all).chain(each).collect()
}

/// The lists the caller may propose on: a department those it may
/// decide, the credit office all.
fn proposable(sanctions: &SanctionRules, propose_scope: Option<&Scope>, chosen: &str) -> Vec<Choice> {
    sanctions
        .lists()
        .iter()
        .filter(|l| match propose_scope {
            Some(Scope::All) => true,
            Some(Scope::Department(d)) => l.deciders.allows(d),
            None => false,
        })
        .map(|l| Choice {
            value: l.code.clone(),
            label: format!("{}（{} · {}）", l.name, l.kind.name_zh(), l.domain),
            selected: chosen == l.code,
        })
        .collect()
}

pub(crate) async fn propose(
    State(state): State<AppState>,
    ConsoleForm { caller, form }: ConsoleForm<ProposeForm>,
) -> Result<Response, PageError> {
    let scope = caller.scope(&state, Action::ProposeListing)?;
    // The form's department counts for whoever may propose for every
    // department (the credit office); a department proposes in its own name.
    let department = match &scope {
        Scope::All => DepartmentCode::parse(form.department.trim()).ok().or_else(|| caller.department().cloned()),
        Scope::Department(own) => Some(own.clone()),
    };
    let result = match department {
        Some(department) => {
            let input = ProposeListing {
                list_code: form.list_code.clone(),
                subject: form.subject.clone(),
                reason: form.reason.clone(),
                facts: form.facts.clone(),
                legal_basis: form.legal_basis.clone(),
                source_records: form.source_records(),
                proposed_on: None,
            };
            listing::propose(&state.core, &caller, &department, input).await
        }
        None => Err(CoreError::invalid("missing_field", "「认定部门」必须选择")),
    };
    Ok(match result {
        Ok(id) => Redirect::to(&format!("/console/listings/{id}?notice=proposed")).into_response(),
        Err(e @ CoreError::Invalid { .. }) => {
            let problem = Problem { what: "拟列入", code: e.code().to_owned(), message: e.to_string() };
            match table(&state, &caller, &scope, ("", ""), (None, Some(problem)), form).await {
                Ok(page) => (StatusCode::UNPROCESSABLE_ENTITY, NO_STORE, page).into_response(),
                Err(e) => error_page(&state, e),
            }
        }
        Err(e) => error_page(&state, e.into()),
    })
}

// ---------------------------------------------------------------------------
// One listing
// ---------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "lists/listing.html")]
struct DetailPage {
    layout: Layout,
    csrf_token: String,
    notice: Option<&'static str>,
    error: Option<Problem>,
    id: String,
    status: &'static str,
    tone: &'static str,
    facts: Vec<Fact>,
    measures: Vec<String>,
    liable: Vec<Liable>,
    objections: Vec<ObjectionLine>,
    pushes: Vec<PushLine>,
    timeline: Vec<(String, String)>,
    today: String,
    channels: [&'static str; 4],
    can_notice: bool,
    can_object: bool,
    can_answer: bool,
    can_decide: bool,
    can_withdraw: bool,
    exit_reasons: Vec<Choice>,
    /// Why the decision form is not offered yet, when the reason is time.
    decide_hint: Option<String>,
    /// When credit repair can end the listing, if not yet.
    repair_hint: Option<String>,
    may_handle: bool,
    may_decide: bool,
    /// The decision (决定书) exists to print.
    decided: bool,
}

struct Fact {
    label: &'static str,
    value: String,
}

struct Liable {
    role: String,
    name: String,
    id: String,
    active: bool,
}

struct ObjectionLine {
    id: String,
    filed_on: String,
    grounds: String,
    answer_due: String,
    answered_on: String,
    outcome: String,
    reply: String,
    open: bool,
}

struct PushLine {
    measure: String,
    department: String,
    pushed: String,
    acked: String,
    executed: String,
    lifted: String,
}

pub(crate) async fn detail_page(
    State(state): State<AppState>,
    caller: ConsoleCaller,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, PageError> {
    let d = load(&state, &caller, &id, Action::ViewListings).await?;
    let notice = q.notice.as_deref().and_then(notice_text);
    let page = detail(&state, &caller, d, notice, None).await;
    Ok(page.map_or_else(|e| error_page(&state, e), |page| (NO_STORE, page).into_response()))
}

/// The listing `id`, once the policy lets the caller take `action` on it.
/// An unknown id is judged as the caller's own department's: whoever may
/// take the action there learns it does not exist.
pub(super) async fn load(
    state: &AppState,
    caller: &ConsoleCaller,
    id: &str,
    action: Action,
) -> Result<ListingDetail, PageError> {
    let detail = listing::listing_detail(&state.core, id).await.map_err(|e| error_page(state, e.into()))?;
    let resource = detail.as_ref().map_or_else(|| Resource::unknown_for(caller), |d| listing::resource_of(&d.row));
    caller.authorize(state, action, &resource)?;
    detail.ok_or_else(|| error_page(state, not_found(id)).into())
}

/// The page of a listing the caller may see; the forms are those the
/// policy lets them use and the life cycle allows today.
async fn detail(
    state: &AppState,
    caller: &ConsoleCaller,
    d: ListingDetail,
    notice: Option<&'static str>,
    error: Option<Problem>,
) -> Result<DetailPage, ApiError> {
    let core = &state.core;
    let departments = core_auth::departments(core).await?;
    let r = &d.row;
    let allowed = |s: Step| d.allowed.contains(&s);
    let resource = listing::resource_of(r);
    let may_handle = caller.allows(Action::HandleListing, &resource);
    let may_decide = caller.allows(Action::DecideListing, &resource);
    let exit_reasons = ExitReason::ALL
        .iter()
        .filter(|e| allowed(Step::Exit(**e)))
        .map(|e| Choice { value: e.as_str().to_owned(), label: e.name_zh().to_owned(), selected: false })
        .collect();
    Ok(DetailPage {
        layout: Layout::new(state, "名单记录"),
        csrf_token: caller.csrf_token().to_owned(),
        notice,
        error,
        id: r.listing_id.clone(),
        status: r.status.name_zh(),
        tone: status_tone(r.status),
        facts: facts(&d, departments.iter().find(|x| x.code == r.department)),
        measures: measures(&d, &core.rules().sanctions),
        liable: liable_lines(&d),
        objections: objection_lines(&d),
        pushes: push_lines(&d, &departments),
        timeline: d.timeline.iter().map(|t| (t.on.to_string(), t.what.clone())).collect(),
        today: china_today(core).to_string(),
        channels: CHANNELS,
        can_notice: may_handle && allowed(Step::ServeNotice),
        can_object: may_handle && allowed(Step::FileObjection),
        can_answer: may_decide && allowed(Step::AnswerObjection),
        can_decide: may_decide && allowed(Step::Decide),
        can_withdraw: may_decide && allowed(Step::Withdraw),
        exit_reasons: if may_decide { exit_reasons } else { Vec::new() },
        decide_hint: decide_hint(&d),
        repair_hint: if may_decide { repair_hint(&d) } else { None },
        may_handle,
        may_decide,
        decided: r.decided_on.is_some(),
    })
}

/// What the listing says, in the order of the public notice; the exit
/// facts only once it has left the list.
fn facts(d: &ListingDetail, department: Option<&Department>) -> Vec<Fact> {
    let r = &d.row;
    let list = d.list.as_ref();
    let key_label = if r.is_natural_person() { "身份证号码" } else { "统一社会信用代码" };
    let from_list = |f: fn(&ListType) -> String| list.map(f).unwrap_or_default();
    let mut facts = vec![
        Fact { label: "主体名称", value: d.subject_name_display.clone() },
        Fact { label: key_label, value: d.subject_display.clone() },
        Fact { label: "名单类型", value: list.map_or_else(|| r.list_code.clone(), list_title) },
        Fact { label: "领域", value: from_list(|l| l.domain.clone()) },
        Fact { label: "事由", value: r.reason.clone() },
        Fact {
            label: if r.list_kind == "red" { "守信事实" } else { "失信行为事实" }, value: r.facts.clone()
        },
        Fact { label: "认定依据", value: r.legal_basis.clone() },
        Fact { label: "名单设立依据", value: from_list(|l| l.basis.clone()) },
        Fact { label: "依据记录编号", value: r.source_records.0.join("、") },
        Fact {
            label: "认定部门",
            value: department.map_or_else(|| r.department.to_string(), |x| format!("{}（{}）", x.name, x.code)),
        },
        Fact {
            label: "认定部门统一社会信用代码",
            value: department.and_then(|x| x.uscc.as_ref()).map(|u| u.as_str().to_owned()).unwrap_or_default(),
        },
        Fact { label: "拟列入日期", value: r.proposed_on.to_string() },
        Fact { label: "告知送达日期", value: opt_date(r.notice_served_on) },
        Fact { label: "异议期限", value: opt_date(r.objection_deadline) },
        Fact { label: "列入决定文号", value: r.decision_no.clone().unwrap_or_default() },
        Fact { label: "列入决定日期", value: opt_date(r.decided_on) },
        Fact { label: "列入日期", value: opt_date(r.valid_from) },
        Fact {
            label: "有效期至",
            value: match (r.valid_from, r.valid_until) {
                (Some(_), None) => "至移出决定之日".to_owned(),
                (_, until) => opt_date(until),
            },
        },
        Fact { label: "移出条件和程序", value: from_list(|l| l.exit_conditions.clone()) },
        Fact { label: "救济途径和期限", value: from_list(|l| l.remedy.clone()) },
        Fact { label: "状态", value: r.status.name_zh().to_owned() },
    ];
    if r.status == ListingStatus::Exited || r.status == ListingStatus::Withdrawn {
        facts.push(Fact { label: "移出(撤回)日期", value: opt_date(r.exited_on) });
        facts
            .push(Fact {
                label: "移出原因", value: r.exit_reason.map(|e| e.name_zh().to_owned()).unwrap_or_default()
            });
        facts.push(Fact { label: "移出决定文号", value: r.exit_decision_no.clone().unwrap_or_default() });
        facts.push(Fact { label: "说明", value: r.exit_note.clone().unwrap_or_default() });
    }
    facts.push(Fact { label: "名单规则版本", value: r.lists_version.clone() });
    facts
}

/// The list's name with its kind, unless the name already says it
/// (「守信激励对象名单(红名单)」).
fn list_title(l: &ListType) -> String {
    if l.name.contains(l.kind.name_zh()) { l.name.clone() } else { format!("{}（{}）", l.name, l.kind.name_zh()) }
}

/// The measures decided; before a decision, those the list would apply.
fn measures(d: &ListingDetail, sanctions: &SanctionRules) -> Vec<String> {
    let decided = d.row.measure_codes();
    let codes =
        if decided.is_empty() { d.list.as_ref().map(|l| l.measures.as_slice()).unwrap_or_default() } else { decided };
    codes
        .iter()
        .map(|c| sanctions.measure(c).map_or_else(|| c.clone(), |m| format!("{}（{}）", m.name, m.kind.name_zh())))
        .collect()
}

/// Why the decision form is not offered yet, while the notice and
/// objection steps are still open.
fn decide_hint(d: &ListingDetail) -> Option<String> {
    if d.allowed.contains(&Step::Decide) {
        return None;
    }
    match (d.row.status, d.row.objection_deadline) {
        (ListingStatus::Noticed, Some(deadline)) => {
            Some(format!("异议期至 {deadline} 届满；届满后(或异议答复后)方可作出列入决定。"))
        }
        (ListingStatus::Proposed, _) => Some("须先送达告知并给予异议期，才能作出列入决定。".to_owned()),
        _ => None,
    }
}

/// When an early exit after credit repair becomes possible, or that the
/// list does not allow one.
fn repair_hint(d: &ListingDetail) -> Option<String> {
    if d.allowed.contains(&Step::Exit(ExitReason::Repaired)) {
        return None;
    }
    match (d.row.status, d.list.as_ref(), d.row.valid_from) {
        (ListingStatus::Listed, Some(l), Some(from)) => match l.early_exit_after_months.filter(|_| l.repairable) {
            Some(months) => from
                .checked_add_months(chrono::Months::new(months))
                .map(|earliest| format!("信用修复提前移出自 {earliest} 起方可办理(列入满 {months} 个月)。")),
            None => Some("该名单不适用信用修复提前移出。".to_owned()),
        },
        _ => None,
    }
}

fn liable_lines(d: &ListingDetail) -> Vec<Liable> {
    d.liable_people
        .iter()
        .map(|p| Liable {
            role: p.role_zh.clone(),
            name: p.masked_name.clone(),
            id: p.masked_id.clone(),
            active: p.active,
        })
        .collect()
}

fn objection_lines(d: &ListingDetail) -> Vec<ObjectionLine> {
    d.objections
        .iter()
        .map(|o| ObjectionLine {
            id: o.objection_id.clone(),
            filed_on: o.filed_on.to_string(),
            grounds: o.grounds.clone(),
            answer_due: o.answer_due.to_string(),
            answered_on: opt_date(o.answered_on),
            outcome: o.outcome.map(|x| x.name_zh().to_owned()).unwrap_or_default(),
            reply: o.reply.clone().unwrap_or_default(),
            open: o.answered_on.is_none(),
        })
        .collect()
}

fn push_lines(d: &ListingDetail, departments: &[Department]) -> Vec<PushLine> {
    d.pushes
        .iter()
        .map(|p| PushLine {
            measure: p.measure_name.clone(),
            department: department_name(departments, &p.department),
            pushed: ms_time(Some(p.pushed_ms)),
            acked: ms_time(p.acked_ms),
            executed: match (&p.outcome, p.executed_ms) {
                (Some(o), at) => format!("{o}（{}）", ms_time(at)),
                (None, _) => String::new(),
            },
            lifted: ms_time(p.lifted_ms),
        })
        .collect()
}

/// The answer to a step's form post: 303 back on success; the page again
/// with the message on a rule error (422); the error page otherwise.
async fn after_step(
    state: &AppState,
    caller: &ConsoleCaller,
    id: &str,
    what: &'static str,
    notice: &str,
    result: Result<(), CoreError>,
) -> Response {
    match result {
        Ok(()) => Redirect::to(&format!("/console/listings/{id}?notice={notice}")).into_response(),
        Err(e @ CoreError::Invalid { .. }) => {
            let problem = Problem { what, code: e.code().to_owned(), message: e.to_string() };
            let d = match load(state, caller, id, Action::ViewListings).await {
                Ok(d) => d,
                Err(refused) => return refused.into_response(),
            };
            match detail(state, caller, d, None, Some(problem)).await {
                Ok(page) => (StatusCode::UNPROCESSABLE_ENTITY, NO_STORE, page).into_response(),
                Err(e) => error_page(state, e),
            }
        }
        Err(e) => error_page(state, e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct NoticeForm {
    #[serde(default)]
    served_on: String,
    #[serde(default)]
    channel: String,
}

pub(crate) async fn serve_notice(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm { caller, form }: ConsoleForm<NoticeForm>,
) -> Result<Response, PageError> {
    load(&state, &caller, &id, Action::HandleListing).await?;
    let result = async {
        let on = parse_date("送达日期", &form.served_on)?;
        listing::serve_notice(&state.core, &caller, &id, on, &form.channel).await.map(|_| ())
    }
    .await;
    Ok(after_step(&state, &caller, &id, "送达告知", "noticed", result).await)
}

#[derive(Debug, Deserialize)]
pub(crate) struct ObjectionForm {
    #[serde(default)]
    filed_on: String,
    #[serde(default)]
    grounds: String,
}

pub(crate) async fn file_objection(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm { caller, form }: ConsoleForm<ObjectionForm>,
) -> Result<Response, PageError> {
    load(&state, &caller, &id, Action::HandleListing).await?;
    let result = async {
        let on = parse_date("异议提出日期", &form.filed_on)?;
        listing::file_objection(&state.core, &caller, &id, on, &form.grounds).await.map(|_| ())
    }
    .await;
    Ok(after_step(&state, &caller, &id, "登记异议", "objection", result).await)
}

#[derive(Debug, Deserialize)]
pub(crate) struct AnswerForm {
    #[serde(default)]
    objection_id: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    reply: String,
}

pub(crate) async fn answer_objection(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm { caller, form }: ConsoleForm<AnswerForm>,
) -> Result<Response, PageError> {
    load(&state, &caller, &id, Action::DecideListing).await?;
    let result = async {
        let outcome = ObjectionOutcome::parse(form.outcome.trim())
            .ok_or_else(|| CoreError::invalid("missing_field", "「答复结论」必须选择"))?;
        // The objection must belong to this listing.
        let detail = listing::listing_detail(&state.core, &id).await?;
        if !detail.is_some_and(|d| d.objections.iter().any(|o| o.objection_id == form.objection_id.trim())) {
            return Err(CoreError::invalid("objection_not_found", "该名单记录下没有这项异议"));
        }
        listing::answer_objection(&state.core, &caller, &form.objection_id, outcome, &form.reply).await
    }
    .await;
    Ok(after_step(&state, &caller, &id, "答复异议", "answered", result).await)
}

#[derive(Debug, Deserialize)]
pub(crate) struct DecideForm {
    #[serde(default)]
    decision_no: String,
    #[serde(default)]
    decided_on: String,
}

pub(crate) async fn decide(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm { caller, form }: ConsoleForm<DecideForm>,
) -> Result<Response, PageError> {
    load(&state, &caller, &id, Action::DecideListing).await?;
    let result = async {
        let on = parse_date("决定日期", &form.decided_on)?;
        listing::decide(&state.core, &caller, &id, &form.decision_no, on).await
    }
    .await;
    Ok(after_step(&state, &caller, &id, "作出列入决定", "decided", result).await)
}

#[derive(Debug, Deserialize)]
pub(crate) struct WithdrawForm {
    #[serde(default)]
    reason: String,
}

pub(crate) async fn withdraw(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm { caller, form }: ConsoleForm<WithdrawForm>,
) -> Result<Response, PageError> {
    load(&state, &caller, &id, Action::DecideListing).await?;
    let today = china_today(&state.core);
    let result = listing::withdraw(&state.core, &caller, &id, today, &form.reason).await;
    Ok(after_step(&state, &caller, &id, "撤回", "withdrawn", result).await)
}

#[derive(Debug, Deserialize)]
pub(crate) struct ExitForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    on: String,
    #[serde(default)]
    decision_no: String,
    #[serde(default)]
    note: String,
}

pub(crate) async fn exit(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm { caller, form }: ConsoleForm<ExitForm>,
) -> Result<Response, PageError> {
    load(&state, &caller, &id, Action::DecideListing).await?;
    let result = async {
        let reason = ExitReason::parse(form.reason.trim())
            .ok_or_else(|| CoreError::invalid("missing_field", "「移出原因」必须选择"))?;
        let on = parse_date("移出日期", &form.on)?;
        let decision_no = Some(form.decision_no.trim().to_owned()).filter(|s| !s.is_empty());
        listing::exit(&state.core, &caller, &id, ExitRequest { reason, on, decision_no, note: form.note.clone() }).await
    }
    .await;
    Ok(after_step(&state, &caller, &id, "移出", "exited", result).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_notice_code_has_text() {
        for code in ["proposed", "noticed", "objection", "answered", "decided", "withdrawn", "exited"] {
            assert!(notice_text(code).is_some(), "{code}");
        }
        assert!(notice_text("<script>").is_none());
    }
}

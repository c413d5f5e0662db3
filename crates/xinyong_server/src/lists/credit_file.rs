//! The console's credit-file pages (信用档案与惩戒): bans (禁入), interviews
//! (约谈), an organisation's credit file and the lookup of a person's file.
//! The rules live in `xinyong_core::credit_file`; these handlers ask the
//! access policy, read forms and shape pages. ID numbers are shown masked
//! everywhere.
//!
//! Who may do what is the policy's: any department user records interviews;
//! reviewers decide and lift their department's bans (the credit office may
//! lift any); people and their personal records are shown to reviewers and
//! the credit office only, and every such read is audited with its reason.

use std::collections::BTreeMap;
use xinyong_core::inspections::view::SubjectInspection;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use xinyong_core::auth::policy::{self, Action, Denied, Resource};
use xinyong_core::collection::intake::china_today;
use xinyong_core::evaluation::view::{SubjectGrades, subject_grades};
use xinyong_core::lists::credit_file::{
    self as file, BanInput, BanRecord, CreditFile, FileListing, InterviewInput, InterviewRecord, Lookup, PersonFile,
    PersonalRecord,
};
use xinyong_core::portal::{department_names, normalize_uscc};
use xinyong_domain::lists::{BanScope, InterviewKind};

use crate::auth::{ConsoleCaller, ConsoleForm, PageError};
use crate::web::{Layout, error_page};
use crate::{ApiError, AppState};

/// Console pages show non-public data: never cache them anywhere.
const NO_STORE: [(header::HeaderName, &str); 1] = [(header::CACHE_CONTROL, "no-store")];

/// A refusal on a form of these pages: nobody goes to the login page;
/// somebody gets the form back with the reason (403), like any other problem
/// with what they sent.
fn refusal(
    state: &AppState,
    caller: &ConsoleCaller,
    decision: Result<(), Denied>,
) -> Result<Result<(), ApiError>, PageError> {
    match decision {
        Err(denied) if denied.is_unauthenticated() => Err(caller.refuse(state, denied).into()),
        other => Ok(other.map_err(ApiError::from)),
    }
}

fn day(d: NaiveDate) -> String {
    d.to_string()
}

fn opt_day(d: Option<NaiveDate>, none: &str) -> String {
    d.map_or_else(|| none.to_owned(), day)
}

/// A date field of a form: `YYYY-MM-DD`, required or optional.
fn parse_date(raw: &str, label: &str) -> Result<Option<NaiveDate>, ApiError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| ApiError::bad_request("date_invalid", format!("{label}应为 YYYY-MM-DD 格式的日期，收到“{raw}”")))
}

fn required_date(raw: &str, label: &str) -> Result<NaiveDate, ApiError> {
    parse_date(raw, label)?.ok_or_else(|| ApiError::bad_request("date_required", format!("{label}不能为空")))
}

/// A problem shown above a form that is shown again with what was typed.
pub(crate) struct Problem {
    code: String,
    message: String,
}

impl From<ApiError> for Problem {
    fn from(e: ApiError) -> Self {
        Problem { code: e.code.to_owned(), message: e.message }
    }
}

/// Turns a failed form into the form again with the problem above it
/// (bad input, or a decision that is not this department's), or else an
/// error page.
fn as_problem(e: ApiError) -> Result<(StatusCode, Problem), ApiError> {
    if matches!(e.status, StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY | StatusCode::FORBIDDEN) {
        Ok((e.status, e.into()))
    } else {
        Err(e)
    }
}

fn notice_text(code: &str) -> Option<&'static str> {
    match code {
        "ban_imposed" => Some("禁入决定已登记，并写入透明日志。"),
        "ban_lifted" => Some("禁入已解除。"),
        "interview_recorded" => Some("约谈记录已登记，记入该主体的信用档案。"),
        _ => None,
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct NoticeQuery {
    notice: Option<String>,
}

// ---------------------------------------------------------------- bans

pub(crate) struct BanRow {
    id: String,
    subject: String,
    /// USCC, or the ID number masked.
    subject_key: String,
    scope: &'static str,
    field: String,
    description: String,
    basis: String,
    department: String,
    decision_no: String,
    starts_on: String,
    ends_on: String,
    status: &'static str,
    lifted: String,
    listing_id: String,
    /// The viewer may lift it.
    can_lift: bool,
}

fn subject_key_shown(state: &AppState, kind: &str, key: &str) -> String {
    if kind == "legal_person" { key.to_owned() } else { state.core.settings().mask.mask_id(key) }
}

fn ban_row(state: &AppState, b: &BanRecord, names: &BTreeMap<String, String>, caller: &ConsoleCaller) -> BanRow {
    let today = china_today(&state.core);
    BanRow {
        id: b.id.clone(),
        subject: b.subject.name.clone(),
        subject_key: subject_key_shown(state, &b.subject.kind, &b.subject.key),
        scope: b.scope.name_zh(),
        field: b.field.clone(),
        description: b.description.clone(),
        basis: b.basis.clone(),
        department: names.get(&b.department).cloned().unwrap_or_else(|| b.department.clone()),
        decision_no: b.decision_no.clone(),
        starts_on: day(b.starts_on),
        ends_on: opt_day(b.ends_on, "终身"),
        status: b.status_zh(today),
        lifted: b
            .lifted_on
            .map(|d| format!("{d} 解除：{}", b.lift_reason.as_deref().unwrap_or_default()))
            .unwrap_or_default(),
        listing_id: b.listing_id.clone().unwrap_or_default(),
        can_lift: b.lifted_on.is_none() && caller.allows(Action::LiftBan, &b.resource()),
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct BanForm {
    #[serde(default)]
    subject: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    field: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    basis: String,
    #[serde(default)]
    decision_no: String,
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    ends_on: String,
    #[serde(default)]
    listing_id: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "lists/bans.html")]
pub(crate) struct BansPage {
    layout: Layout,
    csrf_token: String,
    notice: Option<&'static str>,
    problem: Option<Problem>,
    /// The user may impose bans (a department reviewer).
    can_impose: bool,
    all_departments: bool,
    form: BanForm,
    bans: Vec<BanRow>,
}

pub(crate) async fn bans_page(
    State(state): State<AppState>,
    caller: ConsoleCaller,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, PageError> {
    caller.scope(&state, Action::ViewBans)?;
    let notice = q.notice.as_deref().and_then(notice_text);
    Ok(render_bans(&state, &caller, notice, None, BanForm::default()).await)
}

/// The bans the caller may see (their department's, or all for the credit
/// office) and the form to impose one, for whoever may.
async fn render_bans(
    state: &AppState,
    caller: &ConsoleCaller,
    notice: Option<&'static str>,
    problem: Option<Problem>,
    form: BanForm,
) -> Response {
    let page = async {
        let scope = policy::scope(caller, Action::ViewBans)?;
        let list = file::bans(&state.core, scope.department()).await?;
        let names = department_names(&state.core).await?;
        Ok::<_, ApiError>(BansPage {
            layout: Layout::new(state, "禁入决定"),
            csrf_token: caller.csrf_token().to_owned(),
            notice,
            problem,
            can_impose: caller
                .department()
                .is_some_and(|d| caller.allows(Action::ImposeBan, &Resource::Department(d.clone()))),
            all_departments: scope.is_all(),
            form,
            bans: list.iter().map(|b| ban_row(state, b, &names, caller)).collect(),
        })
    };
    match page.await {
        Ok(page) => (NO_STORE, page).into_response(),
        Err(e) => error_page(state, e),
    }
}

pub(crate) async fn impose_ban(
    State(state): State<AppState>,
    ConsoleForm { caller, form }: ConsoleForm<BanForm>,
) -> Result<Response, PageError> {
    let department = caller.own_department(&state)?;
    let allowed = refusal(
        &state,
        &caller,
        policy::authorize(&caller, Action::ImposeBan, &Resource::Department(department.clone())),
    )?;
    let done = async {
        allowed?;
        let scope = BanScope::parse(form.scope.trim())
            .ok_or_else(|| ApiError::bad_request("scope_invalid", "禁入类型应为市场禁入或行业禁入"))?;
        let input = BanInput {
            subject: form.subject.clone(),
            scope,
            field: form.field.clone(),
            description: form.description.clone(),
            basis: form.basis.clone(),
            decision_no: form.decision_no.clone(),
            starts_on: required_date(&form.starts_on, "禁入起始日期")?,
            ends_on: parse_date(&form.ends_on, "禁入截止日期")?,
            listing_id: Some(form.listing_id.clone()).filter(|s| !s.trim().is_empty()),
        };
        file::impose_ban(&state.core, &caller, &department, input).await?;
        Ok::<_, ApiError>(())
    };
    Ok(match done.await {
        Ok(()) => Redirect::to("/console/bans?notice=ban_imposed").into_response(),
        Err(e) => match as_problem(e) {
            Ok((status, problem)) => {
                (status, render_bans(&state, &caller, None, Some(problem), form).await).into_response()
            }
            Err(e) => error_page(&state, e),
        },
    })
}

#[derive(Debug, Deserialize)]
pub(crate) struct LiftForm {
    #[serde(default)]
    on: String,
    #[serde(default)]
    reason: String,
}

pub(crate) async fn lift_ban(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm { caller, form }: ConsoleForm<LiftForm>,
) -> Result<Response, PageError> {
    let ban = file::ban(&state.core, &id).await.map_err(|e| error_page(&state, e.into()))?;
    let resource = ban.as_ref().map_or_else(|| Resource::unknown_for(&caller), BanRecord::resource);
    let allowed = refusal(&state, &caller, policy::authorize(&caller, Action::LiftBan, &resource))?;
    let done = async {
        allowed?;
        let on = parse_date(&form.on, "解除日期")?.unwrap_or_else(|| china_today(&state.core));
        file::lift_ban(&state.core, &caller, &id, on, &form.reason).await?;
        Ok::<_, ApiError>(())
    };
    Ok(match done.await {
        Ok(()) => Redirect::to("/console/bans?notice=ban_lifted").into_response(),
        Err(e) => match as_problem(e) {
            Ok((status, problem)) => {
                (status, render_bans(&state, &caller, None, Some(problem), BanForm::default()).await).into_response()
            }
            Err(e) => error_page(&state, e),
        },
    })
}

// ---------------------------------------------------------------- interviews

pub(crate) struct InterviewRow {
    subject: String,
    uscc: String,
    kind: &'static str,
    department: String,
    held_on: String,
    interviewees: String,
    interviewers: String,
    outcome: String,
    rectify_by: String,
    listing_id: String,
}

fn interview_row(i: &InterviewRecord, names: &BTreeMap<String, String>) -> InterviewRow {
    InterviewRow {
        subject: i.subject.name.clone(),
        uscc: i.subject.key.clone(),
        kind: i.kind.name_zh(),
        department: names.get(&i.department).cloned().unwrap_or_else(|| i.department.clone()),
        held_on: day(i.held_on),
        interviewees: i.interviewees.clone(),
        interviewers: i.interviewers.clone(),
        outcome: i.outcome.clone(),
        rectify_by: opt_day(i.rectify_by, ""),
        listing_id: i.listing_id.clone().unwrap_or_default(),
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct InterviewForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    held_on: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    interviewees: String,
    #[serde(default)]
    interviewers: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    rectify_by: String,
    #[serde(default)]
    listing_id: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "lists/interviews.html")]
pub(crate) struct InterviewsPage {
    layout: Layout,
    csrf_token: String,
    notice: Option<&'static str>,
    problem: Option<Problem>,
    can_record: bool,
    all_departments: bool,
    today: String,
    form: InterviewForm,
    interviews: Vec<InterviewRow>,
    /// Overdue subjects of rectification campaigns waiting for their
    /// listing department's interview (待约谈).
    waiting: Vec<xinyong_core::campaigns::views::SubjectView>,
}

pub(crate) async fn interviews_page(
    State(state): State<AppState>,
    caller: ConsoleCaller,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, PageError> {
    caller.scope(&state, Action::ViewInterviews)?;
    let notice = q.notice.as_deref().and_then(notice_text);
    Ok(render_interviews(&state, &caller, notice, None, InterviewForm::default()).await)
}

/// The interviews the caller may see (their department's, or all for the
/// credit office) and the form to record one, for whoever may.
async fn render_interviews(
    state: &AppState,
    caller: &ConsoleCaller,
    notice: Option<&'static str>,
    problem: Option<Problem>,
    form: InterviewForm,
) -> Response {
    let page = async {
        let scope = policy::scope(caller, Action::ViewInterviews)?;
        let list = file::interviews(&state.core, scope.department()).await?;
        let names = department_names(&state.core).await?;
        Ok::<_, ApiError>(InterviewsPage {
            layout: Layout::new(state, "约谈记录"),
            csrf_token: caller.csrf_token().to_owned(),
            notice,
            problem,
            can_record: caller
                .department()
                .is_some_and(|d| caller.allows(Action::RecordInterview, &Resource::Department(d.clone()))),
            all_departments: scope.is_all(),
            today: day(china_today(&state.core)),
            form,
            interviews: list.iter().map(|i| interview_row(i, &names)).collect(),
            waiting: xinyong_core::campaigns::views::awaiting_interview(&state.core, caller).await?,
        })
    };
    match page.await {
        Ok(page) => (NO_STORE, page).into_response(),
        Err(e) => error_page(state, e),
    }
}

pub(crate) async fn record_interview(
    State(state): State<AppState>,
    ConsoleForm { caller, form }: ConsoleForm<InterviewForm>,
) -> Result<Response, PageError> {
    let department = caller.own_department(&state)?;
    let decision = policy::authorize(&caller, Action::RecordInterview, &Resource::Department(department.clone()));
    let allowed = refusal(&state, &caller, decision)?;
    let done = async {
        allowed?;
        let kind = InterviewKind::parse(form.kind.trim())
            .ok_or_else(|| ApiError::bad_request("kind_invalid", "约谈类型应为提示约谈或警示约谈"))?;
        let input = InterviewInput {
            subject: form.subject.clone(),
            kind,
            held_on: required_date(&form.held_on, "约谈日期")?,
            interviewees: form.interviewees.clone(),
            interviewers: form.interviewers.clone(),
            outcome: form.outcome.clone(),
            rectify_by: parse_date(&form.rectify_by, "整改期限")?,
            listing_id: Some(form.listing_id.clone()).filter(|s| !s.trim().is_empty()),
        };
        file::record_interview(&state.core, &caller, &department, input).await?;
        Ok::<_, ApiError>(())
    };
    Ok(match done.await {
        Ok(()) => Redirect::to("/console/interviews?notice=interview_recorded").into_response(),
        Err(e) => match as_problem(e) {
            Ok((status, problem)) => {
                (status, render_interviews(&state, &caller, None, Some(problem), form).await).into_response()
            }
            Err(e) => error_page(&state, e),
        },
    })
}

// ---------------------------------------------------------------- files

pub(crate) struct ListingLine {
    listing_id: String,
    list_name: String,
    status: &'static str,
    in_force: bool,
    department: String,
    decision_no: String,
    valid_from: String,
    valid_until: String,
}

fn listing_line(l: &FileListing, names: &BTreeMap<String, String>) -> ListingLine {
    ListingLine {
        listing_id: l.row.listing_id.clone(),
        list_name: l.list_name.clone(),
        status: l.row.status.name_zh(),
        in_force: l.in_force,
        department: names.get(l.row.department.as_str()).cloned().unwrap_or_else(|| l.row.department.to_string()),
        decision_no: l.row.decision_no.clone().unwrap_or_default(),
        valid_from: opt_day(l.row.valid_from, ""),
        valid_until: if l.row.valid_from.is_some() { opt_day(l.row.valid_until, "长期") } else { String::new() },
    }
}

pub(crate) struct RecordLine {
    person: String,
    id_masked: String,
    role: String,
    organisation: String,
    uscc: String,
    list_name: String,
    listing_id: String,
    valid_until: String,
    active: bool,
}

fn record_line(r: &PersonalRecord) -> RecordLine {
    RecordLine {
        person: r.person_name.clone(),
        id_masked: r.id_masked.clone(),
        role: r.role_name.clone(),
        organisation: r.organisation_name.clone(),
        uscc: r.uscc.clone(),
        list_name: r.list_name.clone(),
        listing_id: r.listing_id.clone(),
        valid_until: opt_day(r.valid_until, "长期"),
        active: r.active,
    }
}

pub(crate) struct PersonLine {
    name: String,
    id_masked: String,
    role: String,
    active: bool,
    records: Vec<RecordLine>,
}

#[derive(Template, WebTemplate)]
#[template(path = "lists/subject_file.html")]
pub(crate) struct SubjectFilePage {
    layout: Layout,
    q: String,
    problem: Option<String>,
    /// Organisations whose names matched a name typed instead of a USCC.
    matches: Vec<NameMatch>,
    /// More organisations matched than `matches` lists.
    more: bool,
    found: Option<FileView>,
}

/// An organisation found by name, to open its file.
pub(crate) struct NameMatch {
    uscc: String,
    name: String,
}

/// A record about the organisation as the console shows it: public or not,
/// and where its publicity stands.
pub(crate) struct FileRecordLine {
    id: String,
    item_name: String,
    document_number: String,
    department: String,
    decision_date: String,
    public_now: bool,
    publicity: String,
    under_objection: bool,
}

pub(crate) struct FileView {
    uscc: String,
    name: String,
    status: String,
    as_of: String,
    listings: Vec<ListingLine>,
    bans: Vec<BanRow>,
    interviews: Vec<InterviewRow>,
    /// `None`: the viewer's role may not see people.
    people: Option<Vec<PersonLine>>,
    /// `None`: the viewer's role may not see grades.
    grades: Option<SubjectGrades>,
    /// Random inspections the subject was drawn for; results once published.
    inspections: Vec<SubjectInspection>,
    /// Integrity-education courses completed: (course, certificate, day).
    education: Vec<(String, String, String)>,
    /// Every record about it (行政许可、行政处罚 …), public or not.
    records: Vec<FileRecordLine>,
    /// The viewer may propose listings: the records can be ticked as a
    /// proposal's basis.
    may_propose: bool,
}

#[derive(Debug, Deserialize)]
pub(crate) struct SubjectQuery {
    q: Option<String>,
}

/// `/console/subjects?q=USCC`: to the file, or the form again.
pub(crate) async fn subject_lookup(
    State(state): State<AppState>,
    caller: ConsoleCaller,
    Query(p): Query<SubjectQuery>,
) -> Result<Response, PageError> {
    caller.authorize(&state, Action::ViewCreditFile, &Resource::Platform)?;
    Ok(subject_lookup_page(&state, p))
}

/// Organisations a name search lists at most.
const NAME_MATCHES: usize = 30;

/// The lookup form; on to the file of a valid USCC, or of the one
/// organisation a name finds; the organisations to choose from when it
/// finds several.
fn subject_lookup_page(state: &AppState, p: SubjectQuery) -> Response {
    let q: String = p.q.as_deref().unwrap_or("").trim().chars().take(40).collect();
    let page = |q: String, problem: Option<String>, mut matches: Vec<NameMatch>| SubjectFilePage {
        layout: Layout::new(state, "信用档案"),
        q,
        problem,
        more: matches.len() > NAME_MATCHES,
        matches: {
            matches.truncate(NAME_MATCHES);
            matches
        },
        found: None,
    };
    if q.is_empty() {
        return (NO_STORE, page(q, None, Vec::new())).into_response();
    }
    if let Some(uscc) = normalize_uscc(&q) {
        return Redirect::to(&format!("/console/subjects/{}", uscc.as_str())).into_response();
    }
    // Not a USCC: a name (or part of one), found by the portal's index,
    // which holds organisations only.
    let matches: Vec<NameMatch> = state
        .search
        // One more than is listed: whether to say that more matched.
        .search(&q, NAME_MATCHES + 1)
        .into_iter()
        .map(|hit| NameMatch { uscc: hit.uscc, name: hit.name })
        .collect();
    match matches.as_slice() {
        [one] => Redirect::to(&format!("/console/subjects/{}", one.uscc)).into_response(),
        [] => {
            let problem =
                Some(format!("没有找到名称含“{q}”的主体，也不是有效的统一社会信用代码（18 位，校验位正确）。"));
            (StatusCode::NOT_FOUND, NO_STORE, page(q, problem, Vec::new())).into_response()
        }
        _ => (NO_STORE, page(q, None, matches)).into_response(),
    }
}

pub(crate) async fn subject_file(
    State(state): State<AppState>,
    caller: ConsoleCaller,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let uscc = normalize_uscc(&raw);
    caller.authorize(&state, Action::ViewCreditFile, &uscc.clone().map_or(Resource::Platform, Resource::Subject))?;
    let Some(uscc) = uscc else {
        let problem = Some("统一社会信用代码格式不正确。".to_owned());
        let page = SubjectFilePage {
            layout: Layout::new(&state, "信用档案"),
            q: raw,
            problem,
            matches: Vec::new(),
            more: false,
            found: None,
        };
        return Ok((StatusCode::NOT_FOUND, NO_STORE, page).into_response());
    };
    // People are read (and the read audited) only for whoever may see them.
    let lookup = Lookup { who: caller.principal.clone(), why: "查阅主体信用档案".to_owned() };
    let people = caller.allows(Action::ViewPersons, &Resource::NaturalPersons).then_some(&lookup);
    let may_grade = caller.allows(Action::ViewGrades, &Resource::Subject(uscc.clone()));
    let read = async {
        let found = file::credit_file(&state.core, &uscc, people).await?;
        let grades = if may_grade { Some(subject_grades(&state.core, &uscc).await?) } else { None };
        let inspections = xinyong_core::inspections::view::of_subject(&state.core, &uscc).await?;
        let education = xinyong_core::commitments::education::completions_of(&state.core, &uscc).await?;
        let records = xinyong_core::subjects::own_file::records_with_publicity(&state.core, &uscc).await?;
        Ok::<_, ApiError>((found, grades, (inspections, education, records), department_names(&state.core).await?))
    };
    let (found, grades, (inspections, education, records), names) = read.await.map_err(|e| error_page(&state, e))?;
    let Some(f) = found else {
        let problem = Some(format!("平台中没有统一社会信用代码为 {uscc} 的主体。"));
        let page = SubjectFilePage {
            layout: Layout::new(&state, "信用档案"),
            q: uscc.as_str().to_owned(),
            problem,
            matches: Vec::new(),
            more: false,
            found: None,
        };
        return Ok((StatusCode::NOT_FOUND, NO_STORE, page).into_response());
    };
    let mut view = file_view(&state, &caller, &f, &names);
    view.grades = grades;
    view.inspections = inspections;
    view.records = records
        .into_iter()
        .map(|r| FileRecordLine {
            id: r.id,
            item_name: r.item_name,
            document_number: r.document_number,
            department: r.department_name,
            decision_date: r.decision_date.to_string(),
            public_now: r.public_now,
            publicity: r.publicity,
            under_objection: r.open_objection.is_some(),
        })
        .collect();
    view.education = education
        .into_iter()
        .map(|(row, course)| {
            let title = course.map_or_else(|| row.course_id.clone(), |c| c.title);
            (title, row.certificate_no, row.completed_on.to_string())
        })
        .collect();
    let page = SubjectFilePage {
        layout: Layout::new(&state, &format!("信用档案 · {}", f.organisation.name)),
        q: uscc.as_str().to_owned(),
        problem: None,
        matches: Vec::new(),
        more: false,
        found: Some(view),
    };
    Ok((NO_STORE, page).into_response())
}

fn file_view(state: &AppState, caller: &ConsoleCaller, f: &CreditFile, names: &BTreeMap<String, String>) -> FileView {
    FileView {
        uscc: f.organisation.uscc.clone(),
        name: f.organisation.name.clone(),
        status: f.organisation.status_name.clone(),
        as_of: day(f.as_of),
        listings: f.listings.iter().map(|l| listing_line(l, names)).collect(),
        bans: f.bans.iter().map(|b| ban_row(state, b, names, caller)).collect(),
        interviews: f.interviews.iter().map(|i| interview_row(i, names)).collect(),
        people: f.people.as_ref().map(|people| {
            people
                .iter()
                .map(|p| PersonLine {
                    name: p.name.clone(),
                    id_masked: p.id_masked.clone(),
                    role: p.role_name.clone(),
                    active: p.active,
                    records: p.records.iter().map(record_line).collect(),
                })
                .collect()
        }),
        grades: None,
        inspections: Vec::new(),
        education: Vec::new(),
        records: Vec::new(),
        may_propose: xinyong_core::auth::policy::scope(caller, Action::ProposeListing).is_ok(),
    }
}

// ---------------------------------------------------------------- persons

#[derive(Template, WebTemplate)]
#[template(path = "lists/persons.html")]
pub(crate) struct PersonsPage {
    layout: Layout,
    csrf_token: String,
    reason: String,
    problem: Option<Problem>,
    found: Option<PersonView>,
}

pub(crate) struct PersonView {
    name: String,
    id_masked: String,
    as_of: String,
    listings: Vec<ListingLine>,
    bans: Vec<BanRow>,
    records: Vec<RecordLine>,
}

fn persons_page_for(state: &AppState, caller: &ConsoleCaller) -> PersonsPage {
    PersonsPage {
        layout: Layout::new(state, "自然人信用档案查询"),
        csrf_token: caller.csrf_token().to_owned(),
        reason: String::new(),
        problem: None,
        found: None,
    }
}

pub(crate) async fn persons_page(State(state): State<AppState>, caller: ConsoleCaller) -> Result<Response, PageError> {
    caller.authorize(&state, Action::ViewPersons, &Resource::NaturalPersons)?;
    Ok((NO_STORE, persons_page_for(&state, &caller)).into_response())
}

#[derive(Debug, Deserialize)]
pub(crate) struct PersonForm {
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    reason: String,
}

/// A POST, so that the ID number stays out of URLs, history and access logs.
pub(crate) async fn person_lookup(
    State(state): State<AppState>,
    ConsoleForm { caller, form }: ConsoleForm<PersonForm>,
) -> Result<Response, PageError> {
    caller.authorize(&state, Action::ViewPersons, &Resource::NaturalPersons)?;
    let lookup = Lookup { who: caller.principal.clone(), why: form.reason.clone() };
    let read = async {
        let found = file::person_file(&state.core, &lookup, &form.id_number).await?;
        Ok::<_, ApiError>((found, department_names(&state.core).await?))
    };
    let mut page = persons_page_for(&state, &caller);
    page.reason = form.reason.trim().to_owned();
    Ok(match read.await {
        Ok((found, names)) => {
            page.found = Some(person_view(&state, &caller, &found, &names));
            (NO_STORE, page).into_response()
        }
        Err(e) => {
            let status = e.status;
            if matches!(status, StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY | StatusCode::NOT_FOUND) {
                page.problem = Some(e.into());
                (status, NO_STORE, page).into_response()
            } else {
                error_page(&state, e)
            }
        }
    })
}

fn person_view(
    state: &AppState,
    caller: &ConsoleCaller,
    f: &PersonFile,
    names: &BTreeMap<String, String>,
) -> PersonView {
    PersonView {
        name: f.name.clone(),
        id_masked: f.id_masked.clone(),
        as_of: day(f.as_of),
        listings: f.listings.iter().map(|l| listing_line(l, names)).collect(),
        bans: f.bans.iter().map(|b| ban_row(state, b, names, caller)).collect(),
        records: f.records.iter().map(record_line).collect(),
    }
}

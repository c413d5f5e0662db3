//! `/console/campaigns`: the campaigns and the form to open one, a
//! campaign's page, and each subject's page with the forms its listing
//! department (or the credit office) acts through.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use xinyong_core::CoreError;
use xinyong_core::auth::policy::{Action, Resource, Scope};
use xinyong_core::campaigns::views::{self, CampaignDetail, CampaignSummary, SubjectView};
use xinyong_core::campaigns::{self, CampaignInterview, OpenCampaign, ProgressInput};
use xinyong_core::objections::EvidenceUpload;
use xinyong_domain::auth::DepartmentCode;
use xinyong_domain::campaigns::RectificationOutcome;
use xinyong_domain::codes::division;
use xinyong_domain::lists::InterviewKind;
use xinyong_domain::lists::sanction::ListKind;

use crate::auth::{ConsoleCaller, ConsoleForm, PageError};
use crate::objections::pages::refusal_or_error;
use crate::web::{Layout, error_page};
use crate::{ApiError, AppState};

const NO_STORE: [(header::HeaderName, &str); 1] = [(header::CACHE_CONTROL, "no-store")];

/// The multipart body of a progress report: the evidence file (bounded by
/// `[redress] evidence_max_bytes`, at most 6 MB) plus a few short fields.
pub(crate) const MAX_PROGRESS_BODY_BYTES: usize = 7 * 1024 * 1024;

/// What went wrong with a form, shown above it.
struct Problem {
    code: String,
    message: String,
}

impl Problem {
    /// The problem to show, and the status the page answers with.
    fn of(e: CoreError) -> (Problem, StatusCode) {
        let problem = Problem { code: e.code().to_owned(), message: e.to_string() };
        (problem, ApiError::from(e).status)
    }
}

fn date(raw: &str, field: &str) -> Result<NaiveDate, CoreError> {
    raw.trim().parse().map_err(|_| {
        CoreError::invalid("date_invalid", format!("「{field}」应为日期（年-月-日），“{}”无效", raw.trim()))
    })
}

fn optional_date(raw: &str, field: &str) -> Result<Option<NaiveDate>, CoreError> {
    if raw.trim().is_empty() { Ok(None) } else { date(raw, field).map(Some) }
}

// ---------------------------------------------------------------- the list

#[derive(Debug, Default, Deserialize)]
pub(crate) struct OpenForm {
    #[serde(default)]
    department: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    basis: String,
    #[serde(default)]
    list_code: String,
    #[serde(default)]
    district: String,
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    ends_on: String,
    /// One `USCC date` per line.
    #[serde(default)]
    deadlines: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "campaigns/list.html")]
struct ListPage {
    layout: Layout,
    csrf_token: String,
    campaigns: Vec<CampaignSummary>,
    waiting: Vec<SubjectView>,
    /// The form is offered (a reviewer, or the credit office).
    may_open: bool,
    /// The credit office chooses the department.
    departments: Option<Vec<(String, String)>>,
    lists: Vec<(String, String)>,
    districts: Vec<(&'static str, &'static str)>,
    form: OpenForm,
    problem: Option<Problem>,
    today: NaiveDate,
}

async fn render_list(
    state: &AppState,
    caller: &ConsoleCaller,
    form: OpenForm,
    problem: Option<Problem>,
) -> Result<ListPage, ApiError> {
    let core = &state.core;
    let scope = xinyong_core::auth::policy::scope(caller, Action::OpenCampaign).ok();
    let departments = match scope {
        Some(Scope::All) => Some(
            xinyong_core::auth::departments(core)
                .await?
                .into_iter()
                .map(|d| (d.code.as_str().to_owned(), d.name))
                .collect(),
        ),
        Some(Scope::Department(_)) | None => None,
    };
    let waiting = match xinyong_core::auth::policy::scope(caller, Action::ViewInterviews) {
        Ok(_) => views::awaiting_interview(core, caller).await?,
        Err(_) => Vec::new(),
    };
    let rules = core.rules();
    Ok(ListPage {
        layout: Layout::new(state, "专项治理"),
        csrf_token: caller.csrf_token().to_owned(),
        campaigns: views::campaigns(core, caller).await?,
        waiting,
        may_open: scope.is_some(),
        departments,
        lists: rules
            .sanctions
            .lists()
            .iter()
            .filter(|l| l.kind != ListKind::Red)
            .map(|l| (l.code.clone(), l.name.clone()))
            .collect(),
        districts: division::jinan_counties().into_iter().map(|d| (d.code, d.name)).collect(),
        form,
        problem,
        today: xinyong_core::collection::intake::china_today(core),
    })
}

pub(crate) async fn list_page(State(state): State<AppState>, caller: ConsoleCaller) -> Result<Response, PageError> {
    caller.authorize(&state, Action::ViewCampaigns, &Resource::Platform)?;
    let page = render_list(&state, &caller, OpenForm::default(), None).await.map_err(|e| error_page(&state, e))?;
    Ok((NO_STORE, page).into_response())
}

/// The form's `USCC date` lines.
fn deadlines(raw: &str) -> Result<BTreeMap<String, NaiveDate>, CoreError> {
    let mut out = BTreeMap::new();
    for (i, line) in raw.lines().map(str::trim).enumerate().filter(|(_, l)| !l.is_empty()) {
        let mut parts = line.split_whitespace();
        let (Some(uscc), Some(day), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(CoreError::invalid(
                "deadline_line_invalid",
                format!(
                    "「单独的整改期限」第 {} 行应为“统一社会信用代码 日期”，如 91370102MA3C8N0X1Q 2026-12-15",
                    i + 1
                ),
            ));
        };
        out.insert(uscc.to_ascii_uppercase(), date(day, "整改期限")?);
    }
    Ok(out)
}

fn open_input(form: &OpenForm) -> Result<OpenCampaign, CoreError> {
    Ok(OpenCampaign {
        name: form.name.clone(),
        basis: form.basis.clone(),
        list_code: form.list_code.clone(),
        district: Some(form.district.clone()),
        starts_on: date(&form.starts_on, "开始日期")?,
        ends_on: date(&form.ends_on, "结束日期")?,
        deadlines: deadlines(&form.deadlines)?,
    })
}

/// `POST /console/campaigns`: opens one in the caller's department's name
/// (the credit office chooses the department).
pub(crate) async fn open(
    State(state): State<AppState>,
    ConsoleForm { caller, form }: ConsoleForm<OpenForm>,
) -> Result<Response, PageError> {
    let scope = caller.scope(&state, Action::OpenCampaign)?;
    let department = match &scope {
        Scope::All => DepartmentCode::parse(form.department.trim()).ok(),
        Scope::Department(own) => Some(own.clone()),
    };
    let result = match (department, open_input(&form)) {
        (Some(d), Ok(input)) => campaigns::open(&state.core, &caller, &d, input).await,
        (None, _) => Err(CoreError::invalid("department_required", "「开展部门」必须选择")),
        (_, Err(e)) => Err(e),
    };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/console/campaigns/{id}")).into_response()),
        Err(e @ (CoreError::Invalid { .. } | CoreError::Forbidden { .. })) => {
            let (problem, status) = Problem::of(e);
            let page = render_list(&state, &caller, form, Some(problem)).await.map_err(|e| error_page(&state, e))?;
            Ok((status, NO_STORE, page).into_response())
        }
        Err(e) => Err(refusal_or_error(&state, &caller, e).into()),
    }
}

// ---------------------------------------------------------------- a campaign

#[derive(Template, WebTemplate)]
#[template(path = "campaigns/detail.html")]
struct DetailPage {
    layout: Layout,
    c: CampaignDetail,
}

async fn campaign_or_404(state: &AppState, caller: &ConsoleCaller, id: &str) -> Result<CampaignDetail, ApiError> {
    views::campaign(&state.core, caller, id).await?.ok_or_else(|| {
        ApiError::new(StatusCode::NOT_FOUND, "campaign_not_found", format!("没有编号为“{id}”的专项治理"))
    })
}

pub(crate) async fn detail_page(
    State(state): State<AppState>,
    caller: ConsoleCaller,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    caller.authorize(&state, Action::ViewCampaigns, &Resource::Platform)?;
    let c = campaign_or_404(&state, &caller, &id).await.map_err(|e| error_page(&state, e))?;
    let page = DetailPage { layout: Layout::new(&state, &format!("专项治理 · {}", c.summary.name)), c };
    Ok((NO_STORE, page).into_response())
}

// ---------------------------------------------------------------- a subject

#[derive(Template, WebTemplate)]
#[template(path = "campaigns/subject.html")]
struct SubjectPage {
    layout: Layout,
    csrf_token: String,
    c: CampaignSummary,
    s: SubjectView,
    may_report: bool,
    may_decide: bool,
    may_interview: bool,
    outcomes: Vec<(&'static str, &'static str)>,
    problem: Option<Problem>,
    today: NaiveDate,
}

async fn render_subject(
    state: &AppState,
    caller: &ConsoleCaller,
    id: &str,
    uscc: &str,
    problem: Option<Problem>,
) -> Result<SubjectPage, ApiError> {
    let detail = campaign_or_404(state, caller, id).await?;
    let Some(s) = detail.subjects.into_iter().find(|s| s.uscc == uscc.trim()) else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "campaign_subject_not_found",
            format!("专项治理“{id}”中没有统一社会信用代码为 {} 的主体", uscc.trim()),
        ));
    };
    let department = Resource::Department(
        DepartmentCode::parse(&s.department)
            .map_err(|_| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "部门代码无效"))?,
    );
    Ok(SubjectPage {
        layout: Layout::new(state, &format!("{} · {}", s.name, detail.summary.name)),
        csrf_token: caller.csrf_token().to_owned(),
        may_report: s.outcome_name.is_none() && caller.allows(Action::ReportRectification, &department),
        may_decide: s.outcome_name.is_none() && caller.allows(Action::DecideRectification, &department),
        may_interview: s.awaiting_interview
            && caller.department().map(DepartmentCode::as_str) == Some(s.department.as_str())
            && caller.allows(Action::RecordInterview, &department),
        outcomes: RectificationOutcome::ALL.iter().map(|o| (o.as_str(), o.name_zh())).collect(),
        c: detail.summary,
        s,
        problem,
        today: xinyong_core::collection::intake::china_today(&state.core),
    })
}

pub(crate) async fn subject_page(
    State(state): State<AppState>,
    caller: ConsoleCaller,
    Path((id, uscc)): Path<(String, String)>,
) -> Result<Response, PageError> {
    caller.authorize(&state, Action::ViewCampaigns, &Resource::Platform)?;
    let page = render_subject(&state, &caller, &id, &uscc, None).await.map_err(|e| error_page(&state, e))?;
    Ok((NO_STORE, page).into_response())
}

/// After a form: back to the subject's page, or the page with the problem.
async fn answer(
    state: &AppState,
    caller: &ConsoleCaller,
    (id, uscc): (&str, &str),
    result: Result<(), CoreError>,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/console/campaigns/{id}/subjects/{}", uscc.trim())).into_response()),
        Err(e @ CoreError::Invalid { .. }) => {
            let (problem, status) = Problem::of(e);
            let page =
                render_subject(state, caller, id, uscc, Some(problem)).await.map_err(|e| error_page(state, e))?;
            Ok((status, NO_STORE, page).into_response())
        }
        Err(e) => Err(refusal_or_error(state, caller, e).into()),
    }
}

/// The department a form names (the subject's listing department, a hidden
/// field): what the route's policy check is about.
/// A form without one is judged as the caller's own department.
fn form_department(caller: &ConsoleCaller, raw: &str) -> Resource {
    match DepartmentCode::parse(raw.trim()) {
        Ok(d) => Resource::Department(d),
        Err(_) => Resource::unknown_for(caller),
    }
}

#[derive(Debug, Default)]
struct ProgressForm {
    csrf_token: String,
    department: String,
    reported_on: String,
    note: String,
    file_name: String,
    file: Vec<u8>,
}

async fn read_progress(multipart: Result<Multipart, MultipartRejection>) -> Result<ProgressForm, ApiError> {
    let invalid = |text: String| ApiError::bad_request("form_invalid", format!("表单内容无法识别：{text}"));
    let mut multipart = multipart.map_err(|e| invalid(e.body_text()))?;
    let mut form = ProgressForm::default();
    while let Some(field) = multipart.next_field().await.map_err(|e| invalid(e.body_text()))? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "evidence" {
            form.file_name = field.file_name().unwrap_or_default().trim().chars().take(200).collect();
            form.file = field.bytes().await.map_err(|e| invalid(e.body_text()))?.to_vec();
            continue;
        }
        let value = field.text().await.map_err(|e| invalid(e.body_text()))?;
        match name.as_str() {
            "csrf_token" => form.csrf_token = value.trim().to_owned(),
            "department" => form.department = value,
            "reported_on" => form.reported_on = value,
            "note" => form.note = value,
            _ => {}
        }
    }
    Ok(form)
}

/// `POST …/progress`: a progress entry with an optional evidence file.
pub(crate) async fn report_progress(
    State(state): State<AppState>,
    caller: ConsoleCaller,
    Path((id, uscc)): Path<(String, String)>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    caller.authorize(&state, Action::ViewCampaigns, &Resource::Platform)?;
    let form = read_progress(multipart).await.map_err(|e| error_page(&state, e))?;
    caller.check_csrf(&form.csrf_token).map_err(|e| error_page(&state, e))?;
    caller.authorize(&state, Action::ReportRectification, &form_department(&caller, &form.department))?;
    let result = async {
        let input = ProgressInput {
            reported_on: date(&form.reported_on, "进展日期")?,
            note: form.note.clone(),
            evidence: (!form.file.is_empty())
                .then(|| EvidenceUpload { name: form.file_name.clone(), bytes: form.file.clone() }),
        };
        campaigns::report_progress(&state.core, &caller, &id, &uscc, input).await.map(drop)
    };
    answer(&state, &caller, (&id, &uscc), result.await).await
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct OutcomeForm {
    #[serde(default)]
    department: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    note: String,
}

/// `POST …/outcome`: the listing department's reviewer decides.
pub(crate) async fn decide(
    State(state): State<AppState>,
    Path((id, uscc)): Path<(String, String)>,
    ConsoleForm { caller, form }: ConsoleForm<OutcomeForm>,
) -> Result<Response, PageError> {
    caller.authorize(&state, Action::DecideRectification, &form_department(&caller, &form.department))?;
    let result = match RectificationOutcome::parse(form.outcome.trim()) {
        Some(outcome) => campaigns::decide(&state.core, &caller, &id, &uscc, outcome, &form.note).await,
        None => Err(CoreError::invalid("outcome_required", "「评定结果」应为整改到位或未整改到位")),
    };
    answer(&state, &caller, (&id, &uscc), result).await
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct InterviewForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    held_on: String,
    #[serde(default)]
    interviewees: String,
    #[serde(default)]
    interviewers: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    rectify_by: String,
}

fn interview_input(form: &InterviewForm) -> Result<CampaignInterview, CoreError> {
    Ok(CampaignInterview {
        kind: InterviewKind::parse(form.kind.trim())
            .ok_or_else(|| CoreError::invalid("interview_kind_required", "「约谈类型」应为提示约谈或警示约谈"))?,
        held_on: date(&form.held_on, "约谈日期")?,
        interviewees: form.interviewees.clone(),
        interviewers: form.interviewers.clone(),
        outcome: form.outcome.clone(),
        rectify_by: optional_date(&form.rectify_by, "整改期限")?,
    })
}

/// `POST …/interview`: the overdue subject's interview, by its listing
/// department in its own name (谁认定、谁约谈).
pub(crate) async fn record_interview(
    State(state): State<AppState>,
    Path((id, uscc)): Path<(String, String)>,
    ConsoleForm { caller, form }: ConsoleForm<InterviewForm>,
) -> Result<Response, PageError> {
    let department = caller.own_department(&state)?;
    caller.authorize(&state, Action::RecordInterview, &Resource::Department(department.clone()))?;
    let result = match interview_input(&form) {
        Ok(input) => campaigns::record_interview(&state.core, &caller, &department, &id, &uscc, input).await.map(drop),
        Err(e) => Err(e),
    };
    answer(&state, &caller, (&id, &uscc), result).await
}

/// `GET …/evidence/{n}`: a progress entry's evidence file.
pub(crate) async fn evidence_file(
    State(state): State<AppState>,
    caller: ConsoleCaller,
    Path((id, uscc, entry_no)): Path<(String, String, u64)>,
) -> Result<Response, PageError> {
    use base64::Engine as _;
    caller.authorize(&state, Action::ViewCampaigns, &Resource::Platform)?;
    let found = views::evidence(&state.core, &caller, &id, &uscc, entry_no)
        .await
        .map_err(|e| refusal_or_error(&state, &caller, e))?;
    let Some(file) = found else {
        return Err(
            error_page(&state, ApiError::new(StatusCode::NOT_FOUND, "evidence_not_found", "没有这个证明材料")).into()
        );
    };
    let bytes = base64::engine::general_purpose::STANDARD.decode(&file.content_base64).unwrap_or_default();
    let ext = match file.media_type.as_str() {
        "application/pdf" => "pdf",
        "image/png" => "png",
        _ => "jpg",
    };
    let headers = [
        (header::CONTENT_TYPE, file.media_type),
        (header::CONTENT_DISPOSITION, format!("attachment; filename=\"evidence-{entry_no}.{ext}\"")),
        (header::CACHE_CONTROL, "no-store".to_owned()),
    ];
    Ok((headers, bytes).into_response())
}

//! `/my/registrations`: a company registers information under the
//! truthfulness commitment and follows its registrations;
//! `/console/registrations`: the reviewing department's queue (deadlines,
//! overdue marked) and each registration's page with the decision form.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xinyong_core::CoreError;
use xinyong_core::auth::policy::{Action, Resource, Scope};
use xinyong_core::objections::EvidenceUpload;
use xinyong_core::registrations::{self, Review, SubmitRegistration, views};
use xinyong_domain::registrations::{RegistrationKind, ReviewOutcome, TRUTHFULNESS_VERSION};

use super::RegistrationView;
use crate::auth::{ConsoleCaller, ConsoleForm, PageError};
use crate::objections::pages::refusal_or_error;
use crate::subjects::{NO_STORE, company};
use crate::web::{Layout, error_page};
use crate::{ApiError, AppState};

/// The largest registration form: the default settings' 3 files of 2 MB
/// with room for the fields. Larger files are refused by the core with the
/// setting's own limit.
pub(crate) const MAX_REGISTRATION_BODY_BYTES: usize = 7 * 1024 * 1024;

/// What went wrong with a form, shown above it.
struct Problem {
    code: String,
    message: String,
}

impl Problem {
    fn of(e: CoreError) -> (Problem, StatusCode) {
        let problem = Problem { code: e.code().to_owned(), message: e.to_string() };
        (problem, ApiError::from(e).status)
    }
}

/// The form's fields as typed (files are not sent back).
#[derive(Debug, Default)]
struct FormValues {
    kind: String,
    title: String,
    issuer: String,
    issued_on: String,
    valid_until: String,
    content: String,
}

fn kinds() -> Vec<(&'static str, &'static str)> {
    RegistrationKind::ALL.iter().map(|k| (k.as_str(), k.name_zh())).collect()
}

fn today(state: &AppState) -> chrono::NaiveDate {
    xinyong_core::collection::intake::china_today(&state.core)
}

// ---------------------------------------------------------------- /my

#[derive(Template, WebTemplate)]
#[template(path = "registrations/my.html")]
struct MyPage {
    layout: Layout,
    csrf_token: String,
    registrations: Vec<RegistrationView>,
    kinds: Vec<(&'static str, &'static str)>,
    commitment_version: &'static str,
    commitment_lines: Vec<String>,
    max_files: usize,
    max_mb: usize,
    form: FormValues,
    problem: Option<Problem>,
}

async fn render_my(
    state: &AppState,
    caller: &ConsoleCaller,
    form: FormValues,
    problem: Option<Problem>,
) -> Result<MyPage, PageError> {
    let me = company(state, caller, Action::ViewOwnFile)?;
    let read = async {
        Ok::<_, CoreError>((
            views::of_subject(&state.core, caller, &me.uscc).await?,
            views::commitment_text(&state.core, &me.uscc).await?,
        ))
    };
    let (own, commitment) = read.await.map_err(|e| error_page(state, e.into()))?;
    let settings = &state.core.settings().registrations;
    let today = today(state);
    Ok(MyPage {
        layout: Layout::new(state, "本企业的自愿注册信息").at("my"),
        csrf_token: caller.csrf_token().to_owned(),
        registrations: own.into_iter().map(|r| RegistrationView::of(r, today)).collect(),
        kinds: kinds(),
        commitment_version: TRUTHFULNESS_VERSION,
        commitment_lines: commitment.lines().map(str::to_owned).collect(),
        max_files: settings.max_files,
        max_mb: settings.max_file_bytes / (1024 * 1024),
        form,
        problem,
    })
}

/// `GET /my/registrations`.
pub(crate) async fn my_page(State(state): State<AppState>, caller: ConsoleCaller) -> Result<Response, PageError> {
    let page = render_my(&state, &caller, FormValues::default(), None).await?;
    Ok((NO_STORE, page).into_response())
}

/// Reads the multipart registration form: fields, files, the CSRF token.
async fn read_form(
    state: &AppState,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(FormValues, bool, Vec<EvidenceUpload>, String), PageError> {
    let bad = |m: String| error_page(state, ApiError::bad_request("form_invalid", m));
    let mut multipart = multipart.map_err(|e| bad(format!("表单内容无法识别：{}", e.body_text())))?;
    let (mut form, mut signed, mut files, mut csrf) = (FormValues::default(), false, Vec::new(), String::new());
    while let Some(field) =
        multipart.next_field().await.map_err(|e| bad(format!("表单内容无法识别：{}", e.body_text())))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "files" {
            let file_name = field.file_name().unwrap_or("证明材料").to_owned();
            let bytes = field.bytes().await.map_err(|e| bad(format!("证明材料无法读取：{}", e.body_text())))?;
            files.push(EvidenceUpload { name: file_name, bytes: bytes.to_vec() });
            continue;
        }
        let value = field.text().await.unwrap_or_default();
        match name.as_str() {
            "kind" => form.kind = value,
            "title" => form.title = value,
            "issuer" => form.issuer = value,
            "issued_on" => form.issued_on = value,
            "valid_until" => form.valid_until = value,
            "content" => form.content = value,
            "commitment" => signed = value == "on",
            "csrf_token" => csrf = value,
            _ => {}
        }
    }
    Ok((form, signed, files, csrf))
}

/// `POST /my/registrations` (multipart): the company registers information
/// with the truthfulness commitment ticked and supporting files.
pub(crate) async fn my_submit(
    State(state): State<AppState>,
    caller: ConsoleCaller,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let me = company(&state, &caller, Action::SubmitRegistration)?;
    let (form, signed, files, csrf) = read_form(&state, multipart).await?;
    caller.check_csrf(&csrf).map_err(|e| error_page(&state, e))?;
    let input = SubmitRegistration {
        kind: form.kind.clone(),
        title: form.title.clone(),
        issuer: form.issuer.clone(),
        issued_on: form.issued_on.clone(),
        valid_until: form.valid_until.clone(),
        content: form.content.clone(),
        commitment_signed: signed,
        files,
    };
    match registrations::submit(&state.core, &caller, &me.uscc, input).await {
        Ok(id) => Ok(Redirect::to(&format!("/my/registrations/{id}")).into_response()),
        Err(e @ CoreError::Invalid { .. }) => {
            let (problem, status) = Problem::of(e);
            let page = render_my(&state, &caller, form, Some(problem)).await?;
            Ok((status, NO_STORE, page).into_response())
        }
        Err(e) => Err(refusal_or_error(&state, &caller, e).into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "registrations/detail.html")]
struct DetailPage {
    layout: Layout,
    csrf_token: String,
    r: RegistrationView,
    /// (number, name, media type, size, SHA-256)
    files: Vec<(u64, String, String, u64, String)>,
    /// The console's decision form is offered.
    may_review: bool,
    /// The company may withdraw it (its own page, still pending).
    may_withdraw: bool,
    /// Files are downloadable (the console).
    console: bool,
    back: &'static str,
    outcomes: Vec<(&'static str, &'static str)>,
    problem: Option<Problem>,
}

/// `GET /my/registrations/{id}`: one of the company's own; another
/// company's is not found.
pub(crate) async fn my_detail(
    State(state): State<AppState>,
    caller: ConsoleCaller,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let me = company(&state, &caller, Action::ViewOwnFile)?;
    let view = match views::detail(&state.core, &caller, &id).await {
        Ok(v) if v.registration.uscc == me.uscc => v,
        Ok(_) | Err(CoreError::NotFound { .. } | CoreError::Forbidden { .. }) => {
            let e =
                ApiError::new(StatusCode::NOT_FOUND, "registration_not_found", format!("没有编号为“{id}”的注册信息"));
            return Err(error_page(&state, e).into());
        }
        Err(e) => return Err(error_page(&state, e.into()).into()),
    };
    let r = RegistrationView::of(view.registration, today(&state));
    let page = DetailPage {
        layout: Layout::new(&state, &format!("自愿注册 · {}", r.title)).at("my"),
        csrf_token: caller.csrf_token().to_owned(),
        may_withdraw: r.pending,
        r,
        files: view.files,
        may_review: false,
        console: false,
        back: "/my/registrations",
        outcomes: Vec::new(),
        problem: None,
    };
    Ok((NO_STORE, page).into_response())
}

#[derive(Debug, Deserialize)]
pub(crate) struct NoFields {}

/// `POST /my/registrations/{id}/withdraw`: before it is reviewed.
pub(crate) async fn my_withdraw(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm { caller, .. }: ConsoleForm<NoFields>,
) -> Result<Response, PageError> {
    let me = company(&state, &caller, Action::SubmitRegistration)?;
    // Another company's registration is not found, like its page.
    match registrations::registration(&state.core, &id).await {
        Ok(r) if r.uscc == me.uscc => {}
        Ok(_) | Err(CoreError::NotFound { .. }) => {
            let e =
                ApiError::new(StatusCode::NOT_FOUND, "registration_not_found", format!("没有编号为“{id}”的注册信息"));
            return Err(error_page(&state, e).into());
        }
        Err(e) => return Err(error_page(&state, e.into()).into()),
    }
    registrations::withdraw(&state.core, &caller, &id).await.map_err(|e| refusal_or_error(&state, &caller, e))?;
    Ok(Redirect::to(&format!("/my/registrations/{id}")).into_response())
}

// ---------------------------------------------------------------- the console

#[derive(Template, WebTemplate)]
#[template(path = "registrations/console.html")]
struct QueuePage {
    layout: Layout,
    pending: Vec<RegistrationView>,
    decided: Vec<RegistrationView>,
    overdue: usize,
}

/// `GET /console/registrations`: the caller's department's registrations
/// (every department's for the credit office), pending ones first by deadline.
pub(crate) async fn queue(State(state): State<AppState>, caller: ConsoleCaller) -> Result<Response, PageError> {
    let scope = caller.scope(&state, Action::ViewRegistrations)?;
    let department = match &scope {
        Scope::All => None,
        Scope::Department(d) => Some(d.clone()),
    };
    let rows = views::of_department(&state.core, &caller, department.as_ref(), None)
        .await
        .map_err(|e| error_page(&state, e.into()))?;
    let today = today(&state);
    let (pending, decided): (Vec<_>, Vec<_>) =
        rows.into_iter().map(|r| RegistrationView::of(r, today)).partition(|r| r.pending);
    let page = QueuePage {
        layout: Layout::new(&state, "自愿注册审核"),
        overdue: pending.iter().filter(|r| r.overdue).count(),
        pending,
        decided,
    };
    Ok((NO_STORE, page).into_response())
}

async fn render_detail(
    state: &AppState,
    caller: &ConsoleCaller,
    id: &str,
    problem: Option<Problem>,
) -> Result<DetailPage, PageError> {
    let row = registrations::registration(&state.core, id).await.map_err(|e| error_page(state, e.into()))?;
    let department = Resource::Department(row.department.clone());
    caller.authorize(state, Action::ViewRegistrations, &department)?;
    let view = views::detail(&state.core, caller, id).await.map_err(|e| error_page(state, e.into()))?;
    let r = RegistrationView::of(view.registration, today(state));
    Ok(DetailPage {
        layout: Layout::new(state, &format!("自愿注册审核 · {}", r.subject_name)),
        csrf_token: caller.csrf_token().to_owned(),
        may_review: r.pending && caller.allows(Action::ReviewRegistration, &department),
        may_withdraw: false,
        r,
        files: view.files,
        console: true,
        back: "/console/registrations",
        outcomes: ReviewOutcome::ALL.iter().map(|o| (o.as_str(), o.name_zh())).collect(),
        problem,
    })
}

/// `GET /console/registrations/{id}`.
pub(crate) async fn detail(
    State(state): State<AppState>,
    caller: ConsoleCaller,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let page = render_detail(&state, &caller, &id, None).await?;
    Ok((NO_STORE, page).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ReviewForm {
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    reason: String,
}

/// `POST /console/registrations/{id}/review`: accepted, rejected with
/// reasons, or found false (a dishonesty record).
pub(crate) async fn review(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm { caller, form }: ConsoleForm<ReviewForm>,
) -> Result<Response, PageError> {
    let result = match ReviewOutcome::parse(&form.outcome) {
        Some(outcome) => {
            registrations::review(&state.core, &caller, &id, Review { outcome, reason: form.reason }).await.map(drop)
        }
        None => Err(CoreError::invalid("review_outcome_invalid", "「审核结果」必须选择：审核通过、不予通过或虚假注册")),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/console/registrations/{id}")).into_response()),
        Err(e @ CoreError::Invalid { .. }) => {
            let (problem, status) = Problem::of(e);
            let page = render_detail(&state, &caller, &id, Some(problem)).await?;
            Ok((status, NO_STORE, page).into_response())
        }
        Err(e) => Err(refusal_or_error(&state, &caller, e).into()),
    }
}

/// `GET /console/registrations/{id}/files/{n}`: a supporting file, for the
/// reviewing department and the credit office.
pub(crate) async fn file(
    State(state): State<AppState>,
    caller: ConsoleCaller,
    Path((id, file_no)): Path<(String, u64)>,
) -> Result<Response, PageError> {
    use base64::Engine as _;
    let row = registrations::registration(&state.core, &id).await.map_err(|e| error_page(&state, e.into()))?;
    caller.authorize(&state, Action::ViewRegistrations, &Resource::Department(row.department.clone()))?;
    let found =
        views::file(&state.core, &caller, &id, file_no).await.map_err(|e| refusal_or_error(&state, &caller, e))?;
    let Some(file) = found else {
        let e = ApiError::new(StatusCode::NOT_FOUND, "registration_file_not_found", "没有这个证明材料");
        return Err(error_page(&state, e).into());
    };
    let bytes = base64::engine::general_purpose::STANDARD.decode(&file.content_base64).unwrap_or_default();
    let headers = [
        (axum::http::header::CONTENT_TYPE, file.media_type),
        (axum::http::header::CONTENT_DISPOSITION, format!("attachment; filename=\"registration-{file_no}\"")),
        (axum::http::header::CACHE_CONTROL, "no-store".to_owned()),
    ];
    Ok((headers, bytes).into_response())
}

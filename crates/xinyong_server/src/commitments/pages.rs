//! `/my/commitments`: a company commits online and follows its commitments;
//! `/console/commitments`: the granting department's counter, its queue,
//! and each commitment's page with the forms for supplied materials and
//! the verification outcome.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xinyong_core::CoreError;
use xinyong_core::auth::policy::{Action, Resource, Scope};
use xinyong_core::commitments::{self, MakeCommitment, Verification, views};
use xinyong_domain::commitments::VerificationOutcome;

use super::{CommitmentView, ItemView, MaterialView, deferred_codes, items};
use crate::auth::{ConsoleCaller, ConsoleForm, PageError};
use crate::objections::pages::refusal_or_error;
use crate::subjects::{NO_STORE, company};
use crate::web::{Layout, error_page};
use crate::{ApiError, AppState};

/// Commitments a list shows.
const LIST_LIMIT: u32 = 200;

/// What went wrong with a form, shown above it.
pub(crate) struct Problem {
    pub(crate) code: String,
    pub(crate) message: String,
}

impl Problem {
    pub(crate) fn of(e: CoreError) -> (Problem, StatusCode) {
        let problem = Problem { code: e.code().to_owned(), message: e.to_string() };
        (problem, ApiError::from(e).status)
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct MakeForm {
    #[serde(default)]
    uscc: String,
    #[serde(default)]
    item_code: String,
    #[serde(default)]
    case_ref: String,
    #[serde(default)]
    deferred: String,
}

// ---------------------------------------------------------------- /my

#[derive(Template, WebTemplate)]
#[template(path = "commitments/my.html")]
struct MyPage {
    layout: Layout,
    csrf_token: String,
    available: bool,
    reasons: Vec<String>,
    commitments: Vec<CommitmentView>,
    items: Vec<ItemView>,
    form: MakeForm,
    problem: Option<Problem>,
    notice: Option<String>,
}

async fn render_my(
    state: &AppState,
    caller: &ConsoleCaller,
    form: MakeForm,
    problem: Option<Problem>,
    notice: Option<String>,
) -> Result<MyPage, PageError> {
    let me = company(state, caller, Action::ViewOwnFile)?;
    let read = async {
        let verdict = commitments::eligibility(&state.core, &me.uscc).await?;
        let own = views::of_subject(&state.core, caller, &me.uscc).await?;
        let (_, items) = items(state).await?;
        Ok::<_, CoreError>((verdict, own, items))
    };
    let (verdict, own, items) = read.await.map_err(|e| error_page(state, e.into()))?;
    Ok(MyPage {
        layout: Layout::new(state, "本企业的信用承诺").at("my"),
        csrf_token: caller.csrf_token().to_owned(),
        available: verdict.available,
        reasons: verdict.reasons,
        commitments: own.into_iter().map(CommitmentView::of).collect(),
        items,
        form,
        problem,
        notice,
    })
}

/// `GET /my/commitments`.
pub(crate) async fn my_page(State(state): State<AppState>, caller: ConsoleCaller) -> Result<Response, PageError> {
    let page = render_my(&state, &caller, MakeForm::default(), None, None).await?;
    Ok((NO_STORE, page).into_response())
}

/// `POST /my/commitments`: the company signs an item's letter for its case.
pub(crate) async fn my_make(
    State(state): State<AppState>,
    ConsoleForm { caller, form }: ConsoleForm<MakeForm>,
) -> Result<Response, PageError> {
    let me = company(&state, &caller, Action::MakeCommitment)?;
    let input = MakeCommitment {
        uscc: me.uscc.as_str().to_owned(),
        item_code: form.item_code.clone(),
        case_ref: form.case_ref.clone(),
        deferred: deferred_codes(&form.deferred),
    };
    match commitments::make(&state.core, &caller, input).await {
        Ok(id) => Ok(Redirect::to(&format!("/my/commitments/{id}")).into_response()),
        Err(e @ (CoreError::Invalid { .. } | CoreError::NotFound { .. })) => {
            let (problem, status) = Problem::of(e);
            let page = render_my(&state, &caller, form, Some(problem), None).await?;
            Ok((status, NO_STORE, page).into_response())
        }
        Err(e) => Err(refusal_or_error(&state, &caller, e).into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "commitments/detail.html")]
struct DetailPage {
    layout: Layout,
    csrf_token: String,
    c: CommitmentView,
    materials: Vec<MaterialView>,
    /// The console's forms are offered (the granting department, the office).
    may_verify: bool,
    back: &'static str,
    outcomes: Vec<(&'static str, &'static str)>,
    problem: Option<Problem>,
}

/// `GET /my/commitments/{id}`: one of the company's own; another company's
/// is not found.
pub(crate) async fn my_detail(
    State(state): State<AppState>,
    caller: ConsoleCaller,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let me = company(&state, &caller, Action::ViewOwnFile)?;
    let not_found = || {
        error_page(
            &state,
            ApiError::new(StatusCode::NOT_FOUND, "commitment_not_found", format!("没有编号为“{id}”的承诺")),
        )
    };
    let view = match views::detail(&state.core, &caller, &id).await {
        Ok(v) if v.commitment.uscc == me.uscc => v,
        Ok(_) | Err(CoreError::NotFound { .. } | CoreError::Forbidden { .. }) => return Err(not_found().into()),
        Err(e) => return Err(error_page(&state, e.into()).into()),
    };
    let page = DetailPage {
        layout: Layout::new(&state, &format!("信用承诺 · {}", view.commitment.item_name)).at("my"),
        csrf_token: caller.csrf_token().to_owned(),
        c: CommitmentView::of(view.commitment),
        materials: view.materials.into_iter().map(MaterialView::of).collect(),
        may_verify: false,
        back: "/my/commitments",
        outcomes: Vec::new(),
        problem: None,
    };
    Ok((NO_STORE, page).into_response())
}

// ---------------------------------------------------------------- the console

#[derive(Template, WebTemplate)]
#[template(path = "commitments/console.html")]
struct ConsolePage {
    layout: Layout,
    csrf_token: String,
    commitments: Vec<CommitmentView>,
    /// The items the caller's counter takes commitments for.
    items: Vec<ItemView>,
    form: MakeForm,
    problem: Option<Problem>,
}

async fn render_console(
    state: &AppState,
    caller: &ConsoleCaller,
    form: MakeForm,
    problem: Option<Problem>,
) -> Result<ConsolePage, PageError> {
    let scope = caller.scope(state, Action::ViewCommitments)?;
    let department = match &scope {
        Scope::All => None,
        Scope::Department(d) => Some(d.clone()),
    };
    let read = async {
        let list = views::of_department(&state.core, caller, department.as_ref(), None, LIST_LIMIT).await?;
        let (_, items) = items(state).await?;
        Ok::<_, CoreError>((list, items))
    };
    let (list, items) = read.await.map_err(|e| error_page(state, e.into()))?;
    let items = items.into_iter().filter(|i| department.as_ref().is_none_or(|d| d.as_str() == i.department)).collect();
    Ok(ConsolePage {
        layout: Layout::new(state, "告知承诺"),
        csrf_token: caller.csrf_token().to_owned(),
        commitments: list.into_iter().map(CommitmentView::of).collect(),
        items,
        form,
        problem,
    })
}

/// `GET /console/commitments`: the department's commitments and its counter.
pub(crate) async fn console_page(State(state): State<AppState>, caller: ConsoleCaller) -> Result<Response, PageError> {
    let page = render_console(&state, &caller, MakeForm::default(), None).await?;
    Ok((NO_STORE, page).into_response())
}

/// `POST /console/commitments`: the counter records a commitment for an
/// applicant (the company itself may use it too, for its own).
pub(crate) async fn counter(
    State(state): State<AppState>,
    ConsoleForm { caller, form }: ConsoleForm<MakeForm>,
) -> Result<Response, PageError> {
    let input = MakeCommitment {
        uscc: form.uscc.clone(),
        item_code: form.item_code.clone(),
        case_ref: form.case_ref.clone(),
        deferred: deferred_codes(&form.deferred),
    };
    match commitments::make(&state.core, &caller, input).await {
        Ok(id) => Ok(Redirect::to(&format!("/console/commitments/{id}")).into_response()),
        Err(e @ (CoreError::Invalid { .. } | CoreError::NotFound { .. })) => {
            let (problem, status) = Problem::of(e);
            let page = render_console(&state, &caller, form, Some(problem)).await?;
            Ok((status, NO_STORE, page).into_response())
        }
        Err(e) => Err(refusal_or_error(&state, &caller, e).into()),
    }
}

async fn render_detail(
    state: &AppState,
    caller: &ConsoleCaller,
    id: &str,
    problem: Option<Problem>,
) -> Result<DetailPage, PageError> {
    let row = commitments::commitment(&state.core, id).await.map_err(|e| error_page(state, e.into()))?;
    let department = Resource::Department(row.department.clone());
    caller.authorize(state, Action::ViewCommitments, &department)?;
    let view = views::detail(&state.core, caller, id).await.map_err(|e| error_page(state, e.into()))?;
    Ok(DetailPage {
        layout: Layout::new(state, &format!("告知承诺 · {}", view.commitment.subject_name)),
        csrf_token: caller.csrf_token().to_owned(),
        may_verify: caller.allows(Action::VerifyCommitment, &department),
        c: CommitmentView::of(view.commitment),
        materials: view.materials.into_iter().map(MaterialView::of).collect(),
        back: "/console/commitments",
        outcomes: VerificationOutcome::ALL.iter().map(|o| (o.as_str(), o.name_zh())).collect(),
        problem,
    })
}

/// `GET /console/commitments/{id}`.
pub(crate) async fn detail_page(
    State(state): State<AppState>,
    caller: ConsoleCaller,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let page = render_detail(&state, &caller, &id, None).await?;
    Ok((NO_STORE, page).into_response())
}

/// A use case's answer as the commitment's page shows it.
async fn after(
    state: &AppState,
    caller: &ConsoleCaller,
    id: &str,
    result: Result<(), CoreError>,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/console/commitments/{id}")).into_response()),
        Err(e @ CoreError::Invalid { .. }) => {
            let (problem, status) = Problem::of(e);
            let page = render_detail(state, caller, id, Some(problem)).await?;
            Ok((status, NO_STORE, page).into_response())
        }
        Err(e) => Err(refusal_or_error(state, caller, e).into()),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct NoFields {}

/// `POST /console/commitments/{id}/materials/{code}`: a deferred material arrived.
pub(crate) async fn supply(
    State(state): State<AppState>,
    Path((id, code)): Path<(String, String)>,
    ConsoleForm { caller, .. }: ConsoleForm<NoFields>,
) -> Result<Response, PageError> {
    let result = commitments::supply_material(&state.core, &caller, &id, &code).await;
    after(&state, &caller, &id, result).await
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct VerifyForm {
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    note: String,
}

/// `POST /console/commitments/{id}/verify`: kept, breached or false; a
/// breach becomes a dishonesty record.
pub(crate) async fn verify(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm { caller, form }: ConsoleForm<VerifyForm>,
) -> Result<Response, PageError> {
    let result = match VerificationOutcome::parse(form.outcome.trim()) {
        Some(outcome) => {
            commitments::verify(&state.core, &caller, &id, Verification { outcome, note: form.note }).await.map(drop)
        }
        None => Err(CoreError::invalid("outcome_invalid", "「核查结果」必须选择：履约、未履约（违诺）或虚假承诺")),
    };
    after(&state, &caller, &id, result).await
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RevokeForm {
    #[serde(default)]
    decision_no: String,
    #[serde(default)]
    reason: String,
}

/// `POST /console/commitments/{id}/revoke`: the approval made on a broken
/// commitment is revoked; the department's approval system receives it.
pub(crate) async fn revoke(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm { caller, form }: ConsoleForm<RevokeForm>,
) -> Result<Response, PageError> {
    let result = commitments::revoke_approval(&state.core, &caller, &id, &form.decision_no, &form.reason).await;
    after(&state, &caller, &id, result).await
}

//! `/console/agencies`: the credit office files credit service agencies
//! (备案), changes their status, files their staff, records their
//! supervision and opens their accounts. Every act is an event.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xinyong_core::agencies::{self, AgencyFile, NewAgency};
use xinyong_core::auth::policy::{Action, Resource};
use xinyong_domain::agencies::{AgencyRow, AgencyStatus, SupervisionKind};

use super::{fail, uscc};
use crate::auth::{ConsoleCaller, ConsoleForm, PageError};
use crate::subjects::NO_STORE;
use crate::web::{Layout, error_page};
use crate::{ApiError, AppState};

#[derive(Template, WebTemplate)]
#[template(path = "agencies/console.html")]
struct ConsolePage {
    layout: Layout,
    csrf_token: String,
    agencies: Vec<AgencyRow>,
}

/// `GET /console/agencies`: the filed agencies and the filing form.
pub(crate) async fn page(State(state): State<AppState>, caller: ConsoleCaller) -> Result<Response, PageError> {
    caller.authorize(&state, Action::ManageAgencies, &Resource::Platform)?;
    let agencies = agencies::all(&state.core, &caller).await.map_err(|e| fail(&state, &caller, e))?;
    let page = ConsolePage {
        layout: Layout::new(&state, "信用服务机构备案"),
        csrf_token: caller.csrf_token().to_owned(),
        agencies,
    };
    Ok((NO_STORE, page).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct FileForm {
    #[serde(default)]
    uscc: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    filing_no: String,
    #[serde(default)]
    legal_representative: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    business_scope: String,
}

/// `POST /console/agencies`: files an agency.
pub(crate) async fn file(
    State(state): State<AppState>,
    ConsoleForm { caller, form }: ConsoleForm<FileForm>,
) -> Result<Response, PageError> {
    caller.authorize(&state, Action::ManageAgencies, &Resource::Platform)?;
    let code = uscc(&state, &form.uscc)?;
    let input = NewAgency {
        uscc: code.clone(),
        name: form.name,
        filing_no: form.filing_no,
        legal_representative: form.legal_representative,
        address: form.address,
        business_scope: form.business_scope,
    };
    agencies::file_agency(&state.core, &caller, &input).await.map_err(|e| fail(&state, &caller, e))?;
    Ok(Redirect::to(&format!("/console/agencies/{code}")).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "agencies/console_detail.html")]
struct DetailPage {
    layout: Layout,
    csrf_token: String,
    af: AgencyFile,
    statuses: Vec<(&'static str, &'static str)>,
    kinds: Vec<(&'static str, &'static str)>,
}

/// `GET /console/agencies/{uscc}`: the agency's file and the forms.
pub(crate) async fn detail(
    State(state): State<AppState>,
    caller: ConsoleCaller,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    caller.authorize(&state, Action::ManageAgencies, &Resource::Platform)?;
    let code = uscc(&state, &raw)?;
    let af = agencies::agency_file(&state.core, &caller, &code).await.map_err(|e| fail(&state, &caller, e))?;
    let page = DetailPage {
        layout: Layout::new(&state, &af.agency.name),
        csrf_token: caller.csrf_token().to_owned(),
        af,
        statuses: AgencyStatus::ALL.iter().map(|s| (s.as_str(), s.name_zh())).collect(),
        kinds: SupervisionKind::ALL.iter().map(|k| (k.as_str(), k.name_zh())).collect(),
    };
    Ok((NO_STORE, page).into_response())
}

fn invalid(state: &AppState, code: &'static str, message: &str) -> PageError {
    error_page(state, ApiError::new(axum::http::StatusCode::UNPROCESSABLE_ENTITY, code, message)).into()
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct StatusForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    reason: String,
}

/// `POST /console/agencies/{uscc}/status`.
pub(crate) async fn status(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    ConsoleForm { caller, form }: ConsoleForm<StatusForm>,
) -> Result<Response, PageError> {
    caller.authorize(&state, Action::ManageAgencies, &Resource::Platform)?;
    let code = uscc(&state, &raw)?;
    let Some(status) = AgencyStatus::parse(&form.status) else {
        return Err(invalid(&state, "status_invalid", "请选择备案状态（正常、暂停、注销）"));
    };
    agencies::change_status(&state.core, &caller, &code, status, &form.reason)
        .await
        .map_err(|e| fail(&state, &caller, e))?;
    Ok(Redirect::to(&format!("/console/agencies/{code}")).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct StaffForm {
    #[serde(default)]
    staff_id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    position: String,
    /// `left` records that the person left the agency.
    #[serde(default)]
    left: Option<String>,
}

/// `POST /console/agencies/{uscc}/staff`: files or changes a staff member.
pub(crate) async fn staff(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    ConsoleForm { caller, form }: ConsoleForm<StaffForm>,
) -> Result<Response, PageError> {
    caller.authorize(&state, Action::ManageAgencies, &Resource::Platform)?;
    let code = uscc(&state, &raw)?;
    let id = Some(form.staff_id.trim()).filter(|s| !s.is_empty());
    let active = form.left.is_none();
    agencies::change_staff(&state.core, &caller, &code, id, &form.name, &form.position, active)
        .await
        .map_err(|e| fail(&state, &caller, e))?;
    Ok(Redirect::to(&format!("/console/agencies/{code}")).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct SupervisionForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    done_on: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    outcome: String,
}

/// `POST /console/agencies/{uscc}/supervision`: records an inspection,
/// interview or penalty.
pub(crate) async fn supervision(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    ConsoleForm { caller, form }: ConsoleForm<SupervisionForm>,
) -> Result<Response, PageError> {
    caller.authorize(&state, Action::ManageAgencies, &Resource::Platform)?;
    let code = uscc(&state, &raw)?;
    let Some(kind) = SupervisionKind::parse(&form.kind) else {
        return Err(invalid(&state, "kind_invalid", "请选择监管方式（检查、约谈、处罚）"));
    };
    let Ok(done_on) = form.done_on.trim().parse() else {
        return Err(invalid(&state, "date_invalid", "日期格式应为 YYYY-MM-DD"));
    };
    agencies::record_supervision(&state.core, &caller, &code, kind, done_on, &form.summary, &form.outcome)
        .await
        .map_err(|e| fail(&state, &caller, e))?;
    Ok(Redirect::to(&format!("/console/agencies/{code}")).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct AccountForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
}

/// `POST /console/agencies/{uscc}/accounts`: opens an account of the agency.
pub(crate) async fn account(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    ConsoleForm { caller, form }: ConsoleForm<AccountForm>,
) -> Result<Response, PageError> {
    caller.authorize(&state, Action::ManageAgencies, &Resource::Platform)?;
    let code = uscc(&state, &raw)?;
    let username = form.username.trim().to_ascii_lowercase();
    agencies::open_account(&state.core, &caller, &code, &username, &form.display_name, &form.password)
        .await
        .map_err(|e| fail(&state, &caller, e))?;
    Ok(Redirect::to(&format!("/console/agencies/{code}")).into_response())
}

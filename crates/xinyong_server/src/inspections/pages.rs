//! `/console/inspections`: a department's random-inspection items, its
//! inspectors (names masked), its tasks; forms to add each; and a task's
//! page, where the pool is committed, the draw made once its seed exists,
//! results entered and published.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xinyong_core::auth::policy::{self, Action, Resource};
use xinyong_core::inspections::directory::{self, InspectorInput, ItemInput};
use xinyong_core::inspections::draw;
use xinyong_core::inspections::plan::{PlanInput, plan_task};
use xinyong_core::inspections::results::{ResultInput, enter_result, publish};
use xinyong_core::inspections::view::{self, TaskDetail, TaskSummary};
use xinyong_domain::auth::DepartmentCode;
use xinyong_domain::inspections::{InspectionItemRow, InspectionOutcome, InspectionTaskRow};

use crate::auth::{ConsoleCaller, ConsoleForm, PageError, random_secret};
use crate::web::{Layout, error_page};
use crate::{ApiError, AppState};

const NO_STORE: [(header::HeaderName, &str); 1] = [(header::CACHE_CONTROL, "no-store")];

/// An inspector as the console lists them: name masked, certificate shortened.
struct InspectorLine {
    id: String,
    department: String,
    name: String,
    certificate: String,
    fields: String,
    available: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "inspections/console.html")]
struct ConsolePage {
    layout: Layout,
    csrf_token: String,
    department: String,
    tasks: Vec<TaskSummary>,
    items: Vec<InspectionItemRow>,
    inspectors: Vec<InspectorLine>,
    classes: Vec<(String, String, u32, u32)>,
    problem: Option<String>,
}

/// The department the page is about: the caller's own, or (credit office)
/// every department.
fn scope_department(state: &AppState, caller: &ConsoleCaller) -> Result<Option<DepartmentCode>, PageError> {
    Ok(match caller.scope(state, Action::ViewInspections)? {
        policy::Scope::All => None,
        policy::Scope::Department(d) => Some(d),
    })
}

fn mask_certificate(c: &str) -> String {
    let chars: Vec<char> = c.chars().collect();
    if chars.len() <= 4 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..2].iter().collect();
    let tail: String = chars[chars.len() - 2..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 4))
}

async fn render(
    state: &AppState,
    caller: &ConsoleCaller,
    dept: Option<&str>,
    problem: Option<String>,
) -> Result<ConsolePage, ApiError> {
    let core = &state.core;
    let mask = &core.settings().mask;
    let inspectors = directory::inspectors(core, caller, dept)
        .await?
        .into_iter()
        .map(|r| InspectorLine {
            name: mask.mask_name(&r.name),
            certificate: mask_certificate(&r.certificate_no),
            id: r.inspector_id,
            department: r.department,
            fields: r.fields,
            available: r.available,
        })
        .collect();
    let rules = core.rules();
    let classes = rules
        .local_model()
        .map(|m| {
            m.supervision
                .iter()
                .map(|c| (c.class.clone(), c.label.clone(), c.ratio_min_percent, c.ratio_max_percent))
                .collect()
        })
        .unwrap_or_default();
    Ok(ConsolePage {
        layout: Layout::new(state, "双随机抽查"),
        csrf_token: caller.csrf_token().to_owned(),
        department: dept.unwrap_or("").to_owned(),
        tasks: view::tasks(core, caller, dept).await?,
        items: directory::items(core, caller, dept).await?,
        inspectors,
        classes,
        problem,
    })
}

pub(crate) async fn console_page(State(state): State<AppState>, caller: ConsoleCaller) -> Result<Response, PageError> {
    let dept = scope_department(&state, &caller)?;
    let page = render(&state, &caller, dept.as_ref().map(DepartmentCode::as_str), None)
        .await
        .map_err(|e| error_page(&state, e))?;
    Ok((NO_STORE, page).into_response())
}

/// After a form: back to the page, or the page again with the problem.
async fn after(
    state: &AppState,
    caller: &ConsoleCaller,
    outcome: Result<String, ApiError>,
) -> Result<Response, PageError> {
    match outcome {
        Ok(to) => Ok(Redirect::to(&to).into_response()),
        Err(e) => {
            let dept = scope_department(state, caller)?;
            let problem = Some(format!("{}（{}）", e.message, e.code));
            let page = render(state, caller, dept.as_ref().map(DepartmentCode::as_str), problem)
                .await
                .map_err(|e| error_page(state, e))?;
            Ok((e.status, NO_STORE, page).into_response())
        }
    }
}

fn form_department(caller: &ConsoleCaller, given: &str) -> String {
    let given = given.trim();
    if given.is_empty() {
        caller.department().map(|d| d.as_str().to_owned()).unwrap_or_default()
    } else {
        given.to_owned()
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ItemForm {
    #[serde(default)]
    department: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    legal_basis: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    sectors: String,
    #[serde(default)]
    districts: String,
}

pub(crate) async fn save_item(
    State(state): State<AppState>,
    ConsoleForm { caller, form }: ConsoleForm<ItemForm>,
) -> Result<Response, PageError> {
    let department = form_department(&caller, &form.department);
    caller.authorize(&state, Action::PlanInspections, &department_resource(&state, &department)?)?;
    let input = ItemInput {
        department,
        code: form.code,
        name: form.name,
        legal_basis: form.legal_basis,
        content: form.content,
        sectors: form.sectors,
        districts: form.districts,
    };
    let outcome =
        directory::save_item(&state.core, &caller, input).await.map(|_| "/console/inspections#items".to_owned());
    after(&state, &caller, outcome.map_err(ApiError::from)).await
}

fn department_resource(state: &AppState, code: &str) -> Result<Resource, PageError> {
    DepartmentCode::parse(code).map(Resource::Department).map_err(|e| {
        let e = ApiError::new(axum::http::StatusCode::BAD_REQUEST, "department_invalid", format!("部门代码无效：{e}"));
        PageError::from(error_page(state, e))
    })
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct InspectorForm {
    #[serde(default)]
    department: String,
    #[serde(default)]
    inspector_id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    certificate_no: String,
    #[serde(default)]
    fields: String,
}

pub(crate) async fn register_inspector(
    State(state): State<AppState>,
    ConsoleForm { caller, form }: ConsoleForm<InspectorForm>,
) -> Result<Response, PageError> {
    let department = form_department(&caller, &form.department);
    caller.authorize(&state, Action::PlanInspections, &department_resource(&state, &department)?)?;
    let input = InspectorInput {
        department,
        inspector_id: form.inspector_id,
        name: form.name,
        certificate_no: form.certificate_no,
        fields: form.fields,
    };
    let outcome = directory::register_inspector(&state.core, &caller, input)
        .await
        .map(|_| "/console/inspections#inspectors".to_owned());
    after(&state, &caller, outcome.map_err(ApiError::from)).await
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct PlanForm {
    #[serde(default)]
    department: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    items: String,
    #[serde(default)]
    period_start: String,
    #[serde(default)]
    period_end: String,
    #[serde(default)]
    ratio_a: String,
    #[serde(default)]
    ratio_b: String,
    #[serde(default)]
    ratio_c: String,
    #[serde(default)]
    ratio_d: String,
    #[serde(default)]
    boosted_percent: String,
    #[serde(default)]
    boosted: String,
    #[serde(default)]
    min_per_stratum: String,
    #[serde(default)]
    max_per_stratum: String,
    #[serde(default)]
    per_target: String,
    #[serde(default)]
    seed_delay_minutes: String,
    #[serde(default)]
    beacon_required: Option<String>,
}

pub(crate) async fn plan(
    State(state): State<AppState>,
    ConsoleForm { caller, form }: ConsoleForm<PlanForm>,
) -> Result<Response, PageError> {
    let department = form_department(&caller, &form.department);
    caller.authorize(&state, Action::PlanInspections, &department_resource(&state, &department)?)?;
    let class_percent: BTreeMap<String, String> =
        [("A", form.ratio_a), ("B", form.ratio_b), ("C", form.ratio_c), ("D", form.ratio_d)]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
    let input = PlanInput {
        task_id: String::new(),
        title: form.title,
        lead_department: department,
        items: form.items,
        period_start: form.period_start,
        period_end: form.period_end,
        class_percent,
        boosted_percent: form.boosted_percent,
        boosted: form.boosted,
        min_per_stratum: form.min_per_stratum,
        max_per_stratum: form.max_per_stratum,
        per_target: form.per_target,
        seed_delay_minutes: form.seed_delay_minutes,
        beacon_required: form.beacon_required.is_some(),
    };
    let outcome = plan_task(&state.core, &caller, input).await.map(|id| format!("/console/inspections/tasks/{id}"));
    after(&state, &caller, outcome.map_err(ApiError::from)).await
}

#[derive(Template, WebTemplate)]
#[template(path = "inspections/task.html")]
struct TaskPage {
    layout: Layout,
    csrf_token: String,
    t: TaskDetail,
    outcomes: Vec<(&'static str, &'static str)>,
    may_plan: bool,
    may_publish: bool,
    may_beacon: bool,
    problem: Option<String>,
}

/// The task `{id}` and the department the caller is judged on: the lead's.
async fn located(state: &AppState, id: &str) -> Result<(InspectionTaskRow, Resource), PageError> {
    let row = state
        .core
        .store()
        .get(InspectionTaskRow::key(id))
        .await
        .map_err(|e| PageError::from(error_page(state, ApiError::from(xinyong_core::CoreError::from(e)))))?;
    let Some(row) = row else {
        let e = ApiError::new(axum::http::StatusCode::NOT_FOUND, "inspection_not_found", format!("没有抽查任务“{id}”"));
        return Err(error_page(state, e).into());
    };
    let resource = department_resource(state, &row.lead_department)?;
    Ok((row, resource))
}

async fn render_task(
    state: &AppState,
    caller: &ConsoleCaller,
    id: &str,
    problem: Option<String>,
) -> Result<TaskPage, ApiError> {
    let t = view::detail(&state.core, caller, id, false).await?;
    let lead =
        Resource::Department(DepartmentCode::parse(&t.summary.lead_department).map_err(|e| {
            ApiError::new(axum::http::StatusCode::INTERNAL_SERVER_ERROR, "internal_error", e.to_string())
        })?);
    Ok(TaskPage {
        layout: Layout::new(state, &format!("抽查任务 · {}", t.summary.title)),
        csrf_token: caller.csrf_token().to_owned(),
        outcomes: InspectionOutcome::all().iter().map(|o| (o.as_str(), o.label())).collect(),
        may_plan: caller.allows(Action::PlanInspections, &lead),
        may_publish: caller.allows(Action::PublishInspections, &lead),
        may_beacon: caller.allows(Action::EnterBeacon, &Resource::Platform),
        t,
        problem,
    })
}

pub(crate) async fn task_page(
    State(state): State<AppState>,
    caller: ConsoleCaller,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let (_, resource) = located(&state, &id).await?;
    caller.authorize(&state, Action::ViewInspections, &resource)?;
    let page = render_task(&state, &caller, &id, None).await.map_err(|e| error_page(&state, e))?;
    Ok((NO_STORE, page).into_response())
}

/// After a task form: back to the task, or the task with the problem.
async fn after_task(
    state: &AppState,
    caller: &ConsoleCaller,
    id: &str,
    outcome: Result<(), ApiError>,
) -> Result<Response, PageError> {
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/console/inspections/tasks/{id}")).into_response()),
        Err(e) => {
            let problem = Some(format!("{}（{}）", e.message, e.code));
            let page = render_task(state, caller, id, problem).await.map_err(|e| error_page(state, e))?;
            Ok((e.status, NO_STORE, page).into_response())
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct EmptyForm {}

pub(crate) async fn commit(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm { caller, .. }: ConsoleForm<EmptyForm>,
) -> Result<Response, PageError> {
    let (_, resource) = located(&state, &id).await?;
    caller.authorize(&state, Action::PlanInspections, &resource)?;
    let salt = random_secret().map_err(|e| error_page(&state, e))?;
    let outcome = draw::commit(&state.core, &caller, &id, salt).await.map(drop).map_err(ApiError::from);
    after_task(&state, &caller, &id, outcome).await
}

pub(crate) async fn run_draw(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm { caller, .. }: ConsoleForm<EmptyForm>,
) -> Result<Response, PageError> {
    let (_, resource) = located(&state, &id).await?;
    caller.authorize(&state, Action::PlanInspections, &resource)?;
    let outcome = draw::draw(&state.core, &caller, &id).await.map(drop).map_err(ApiError::from);
    after_task(&state, &caller, &id, outcome).await
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct BeaconForm {
    #[serde(default)]
    beacon: String,
}

pub(crate) async fn beacon(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm { caller, form }: ConsoleForm<BeaconForm>,
) -> Result<Response, PageError> {
    caller.authorize(&state, Action::EnterBeacon, &Resource::Platform)?;
    let outcome = draw::enter_beacon(&state.core, &caller, &id, &form.beacon).await.map_err(ApiError::from);
    after_task(&state, &caller, &id, outcome).await
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ResultForm {
    #[serde(default)]
    uscc: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    findings: String,
    #[serde(default)]
    rectification_deadline: String,
}

pub(crate) async fn result(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm { caller, form }: ConsoleForm<ResultForm>,
) -> Result<Response, PageError> {
    let (row, lead) = located(&state, &id).await?;
    let own = caller.department().filter(|d| row.departments.0.iter().any(|t| t == d.as_str())).cloned();
    caller.authorize(&state, Action::RecordInspectionResults, &own.map_or(lead, Resource::Department))?;
    let input = ResultInput {
        task_id: id.clone(),
        uscc: form.uscc,
        outcome: form.outcome,
        findings: form.findings,
        rectification_deadline: form.rectification_deadline,
    };
    let outcome = enter_result(&state.core, &caller, input).await.map_err(ApiError::from);
    after_task(&state, &caller, &id, outcome).await
}

pub(crate) async fn publish_results(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm { caller, .. }: ConsoleForm<EmptyForm>,
) -> Result<Response, PageError> {
    let (_, resource) = located(&state, &id).await?;
    caller.authorize(&state, Action::PublishInspections, &resource)?;
    let outcome = publish(&state.core, &caller, &id).await.map_err(ApiError::from);
    after_task(&state, &caller, &id, outcome).await
}

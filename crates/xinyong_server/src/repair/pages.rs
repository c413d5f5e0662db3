//! Repair pages: the company's assessment and application on `/my`, the
//! deciding department's queue and decision.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use xinyong_core::auth::policy::{Action, Resource};
use xinyong_core::repair::{self, RepairCase, RepairForm, RepairRequest};
use xinyong_domain::repair::{Material, RepairApplicationRow, RepairStatus, SuppliedMaterial, material_name};

use crate::AppState;
use crate::auth::{ConsoleCaller, ConsoleForm, PageError};
use crate::objections::pages::{departments, refusal_or_error};
use crate::subjects::{NO_STORE, company};
use crate::web::{Layout, error_page};

#[derive(Template, WebTemplate)]
#[template(path = "repair/apply.html")]
struct ApplyPage {
    layout: Layout,
    csrf_token: String,
    record_id: String,
    document_number: String,
    decision_date: String,
    department: String,
    publicity: String,
    eligible: bool,
    code: String,
    explanation: String,
    regime_name: String,
    earliest: String,
    materials: Vec<Material>,
    commitment: String,
    error: Option<String>,
}

fn apply_page(state: &AppState, caller: &ConsoleCaller, f: RepairForm, error: Option<String>) -> ApplyPage {
    ApplyPage {
        layout: Layout::new(state, "申请信用修复"),
        csrf_token: caller.csrf_token().to_owned(),
        record_id: f.record.id.clone(),
        document_number: f.record.document_number.clone(),
        decision_date: f.record.decision_date.to_string(),
        department: f.department_name.clone(),
        publicity: match (f.record.window_start, f.record.latest_end) {
            (Some(s), Some(e)) => format!("{s} 至 {e}"),
            (Some(s), None) => format!("{s} 起"),
            _ => "—".to_owned(),
        },
        eligible: f.assessment.eligible,
        code: f.assessment.code.unwrap_or_default().to_owned(),
        explanation: f.assessment.explanation,
        regime_name: f.assessment.regime_name,
        earliest: f.assessment.earliest.map_or_else(|| "—".to_owned(), |d| d.to_string()),
        materials: f.assessment.materials,
        commitment: f.commitment,
        error,
    }
}

pub(crate) async fn apply_form(
    State(state): State<AppState>,
    caller: ConsoleCaller,
    Path(record_id): Path<String>,
) -> Result<Response, PageError> {
    company(&state, &caller, Action::ViewOwnFile)?;
    let f = repair::repair_form(&state.core, &caller.principal, &record_id)
        .await
        .map_err(|e| refusal_or_error(&state, &caller, e))?;
    Ok((NO_STORE, apply_page(&state, &caller, f, None)).into_response())
}

pub(crate) async fn apply(
    State(state): State<AppState>,
    Path(record_id): Path<String>,
    ConsoleForm { caller, form }: ConsoleForm<HashMap<String, String>>,
) -> Result<Response, PageError> {
    company(&state, &caller, Action::ApplyRepair)?;
    let materials = form
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("material_").map(|code| SuppliedMaterial { code: code.to_owned(), description: v.clone() })
        })
        .collect();
    let request = RepairRequest {
        record_id: record_id.clone(),
        materials,
        commitment_signed: form.get("commitment").is_some_and(|v| v == "on"),
    };
    match repair::apply_repair(&state.core, &caller.principal, &request).await {
        Ok(_) => Ok(Redirect::to("/my?done=repair#repairs").into_response()),
        Err(e @ xinyong_core::CoreError::Invalid { .. }) => {
            let f = repair::repair_form(&state.core, &caller.principal, &record_id)
                .await
                .map_err(|e| refusal_or_error(&state, &caller, e))?;
            let page = apply_page(&state, &caller, f, Some(e.to_string()));
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, NO_STORE, page).into_response())
        }
        Err(e) => Err(refusal_or_error(&state, &caller, e).into()),
    }
}

pub(crate) struct QueueRow {
    id: String,
    department: String,
    document_number: String,
    subject_name: String,
    uscc: String,
    regime: String,
    applied_on: String,
    review_due: String,
    pending: bool,
    confirming: bool,
    overdue: bool,
    status: String,
}

impl QueueRow {
    fn new(a: &RepairApplicationRow, today: chrono::NaiveDate, departments: &BTreeMap<String, String>) -> QueueRow {
        QueueRow {
            id: a.application_id.clone(),
            department: departments.get(a.department.as_str()).cloned().unwrap_or_else(|| a.department.to_string()),
            document_number: a.document_number.clone(),
            subject_name: a.subject_name.clone(),
            uscc: a.uscc.as_str().to_owned(),
            regime: a.regime.clone(),
            applied_on: a.applied_on.to_string(),
            review_due: a.review_due.to_string(),
            pending: a.status == RepairStatus::Pending,
            confirming: a.status == RepairStatus::Confirming,
            overdue: a.status == RepairStatus::Pending && a.review_due < today,
            status: a.status.name_zh().to_owned(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "repair/queue.html")]
struct QueuePage {
    layout: Layout,
    all: bool,
    pending: usize,
    overdue: usize,
    rows: Vec<QueueRow>,
}

pub(crate) async fn queue(State(state): State<AppState>, caller: ConsoleCaller) -> Result<Response, PageError> {
    let scope = caller.scope(&state, Action::ViewRepairs)?;
    let rows = repair::repair_queue(&state.core, &scope).await.map_err(|e| error_page(&state, e.into()))?;
    let today = xinyong_core::collection::intake::china_today(&state.core);
    let departments = departments(&state).await?;
    let rows: Vec<QueueRow> = rows.iter().map(|a| QueueRow::new(a, today, &departments)).collect();
    let page = QueuePage {
        layout: Layout::new(&state, "信用修复审核"),
        all: scope.is_all(),
        pending: rows.iter().filter(|r| r.pending).count(),
        overdue: rows.iter().filter(|r| r.overdue).count(),
        rows,
    };
    Ok((NO_STORE, page).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "repair/detail.html")]
struct DetailPage {
    layout: Layout,
    csrf_token: String,
    row: QueueRow,
    severity: String,
    signed_by: String,
    commitment_version: String,
    commitment_sha256: String,
    materials: Vec<(String, String)>,
    reason: String,
    decided_on: String,
    record_decided: String,
    may_decide: bool,
    may_confirm: bool,
}

pub(crate) async fn detail(
    State(state): State<AppState>,
    caller: ConsoleCaller,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let RepairCase { application: a, record } = repair::application(&state.core, &caller.principal, &id)
        .await
        .map_err(|e| refusal_or_error(&state, &caller, e))?;
    let today = xinyong_core::collection::intake::china_today(&state.core);
    let page = DetailPage {
        layout: Layout::new(&state, "修复申请详情"),
        csrf_token: caller.csrf_token().to_owned(),
        may_decide: caller.allows(Action::DecideRepair, &Resource::Department(a.department.clone())),
        may_confirm: caller.allows(Action::ConfirmRepair, &Resource::Platform),
        row: QueueRow::new(&a, today, &*departments(&state).await?),
        severity: a.severity.clone().unwrap_or_else(|| "—".to_owned()),
        signed_by: a.signed_by.clone(),
        commitment_version: a.commitment_version.clone(),
        commitment_sha256: a.commitment_sha256.clone(),
        materials: a.materials.0.iter().map(|m| (material_name(&m.code).to_owned(), m.description.clone())).collect(),
        reason: a.reason.clone().unwrap_or_default(),
        decided_on: a.decided_on.map_or_else(String::new, |d| d.to_string()),
        record_decided: record.as_ref().map_or_else(String::new, |r| r.decision_date.to_string()),
    };
    Ok((NO_STORE, page).into_response())
}

#[derive(Debug, Deserialize)]
pub(crate) struct ConfirmForm {
    decision: String,
    note: String,
}

/// The credit office confirms a department's approval (or overturns it).
pub(crate) async fn confirm(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm { caller, form }: ConsoleForm<ConfirmForm>,
) -> Result<Response, PageError> {
    caller.authorize(&state, Action::ConfirmRepair, &Resource::Platform)?;
    let confirm = match form.decision.as_str() {
        "confirm" => true,
        "overturn" => false,
        _ => {
            let e = crate::ApiError::bad_request("decision_invalid", "请选择确认或不予确认");
            return Err(error_page(&state, e).into());
        }
    };
    repair::confirm_repair(&state.core, &caller.principal, &id, confirm, &form.note)
        .await
        .map_err(|e| refusal_or_error(&state, &caller, e))?;
    Ok(Redirect::to(&format!("/console/repairs/{id}")).into_response())
}

#[derive(Debug, Deserialize)]
pub(crate) struct DecideForm {
    decision: String,
    reason: String,
}

pub(crate) async fn decide(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm { caller, form }: ConsoleForm<DecideForm>,
) -> Result<Response, PageError> {
    let approve = match form.decision.as_str() {
        "approve" => true,
        "reject" => false,
        _ => {
            let e = crate::ApiError::bad_request("decision_invalid", "请选择准予修复或不予修复");
            return Err(error_page(&state, e).into());
        }
    };
    repair::decide_repair(&state.core, &caller.principal, &id, approve, &form.reason)
        .await
        .map_err(|e| refusal_or_error(&state, &caller, e))?;
    Ok(Redirect::to(&format!("/console/repairs/{id}")).into_response())
}

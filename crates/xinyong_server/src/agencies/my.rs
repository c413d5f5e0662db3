//! The company's side on `/my`: consent to a filed agency (scope: the full
//! report; until a day at most `[agencies] max_consent_days` away), the
//! consents given and their revocation, "谁查询了我的信用", and the
//! company's own full report (完整版).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xinyong_core::agencies::{self, ConsentView, PublicAgency};
use xinyong_core::auth::policy::Action;
use xinyong_domain::agencies::AgencyStatus;

use super::{china_time, fail, uscc};
use crate::auth::{ConsoleCaller, ConsoleForm, PageError};
use crate::subjects::{NO_STORE, company};
use crate::web::{Layout, error_page};
use crate::{ApiError, AppState};

/// A query as the company's page lists it.
pub(crate) struct QueryRow {
    pub(crate) agency_name: String,
    pub(crate) agency: String,
    pub(crate) time: String,
    pub(crate) purpose: String,
    pub(crate) report_id: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "agencies/my.html")]
struct MyPage {
    layout: Layout,
    csrf_token: String,
    consents: Vec<ConsentView>,
    queries: Vec<QueryRow>,
    /// Agencies that may be chosen (正常).
    agencies: Vec<PublicAgency>,
    max_days: u32,
}

/// `GET /my/agencies`: consents, queries and the consent form.
pub(crate) async fn page(State(state): State<AppState>, caller: ConsoleCaller) -> Result<Response, PageError> {
    let me = company(&state, &caller, Action::GrantAgencyConsent)?;
    let core = &state.core;
    let consents =
        agencies::consents_of_company(core, &caller, &me.uscc).await.map_err(|e| fail(&state, &caller, e))?;
    let queries = query_rows(&state, &caller, &me.uscc).await.map_err(|e| fail(&state, &caller, e))?;
    let listed = agencies::public_list(core).await.map_err(|e| fail(&state, &caller, e))?;
    let normal = AgencyStatus::Normal.as_str();
    let page = MyPage {
        layout: Layout::new(&state, "信用服务机构授权"),
        csrf_token: caller.csrf_token().to_owned(),
        consents,
        queries,
        agencies: listed.into_iter().filter(|a| a.status == normal).collect(),
        max_days: core.settings().agencies.max_consent_days,
    };
    Ok((NO_STORE, page).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct GrantForm {
    #[serde(default)]
    agency: String,
    #[serde(default)]
    expires_on: String,
}

/// The agencies' queries of the company's report, as its pages list them.
pub(crate) async fn query_rows(
    state: &AppState,
    caller: &ConsoleCaller,
    uscc: &xinyong_domain::Uscc,
) -> Result<Vec<QueryRow>, xinyong_core::CoreError> {
    Ok(agencies::queries_of_company(&state.core, caller, uscc)
        .await?
        .into_iter()
        .map(|q| QueryRow {
            time: china_time(q.queried_ms),
            agency_name: q.agency_name,
            agency: q.agency,
            purpose: q.purpose,
            report_id: q.report_id,
        })
        .collect())
}

/// `POST /my/agencies/consents`: consents that the agency downloads the
/// company's full report until the given day.
pub(crate) async fn grant(
    State(state): State<AppState>,
    ConsoleForm { caller, form }: ConsoleForm<GrantForm>,
) -> Result<Response, PageError> {
    let me = company(&state, &caller, Action::GrantAgencyConsent)?;
    let agency = uscc(&state, &form.agency)?;
    let Ok(expires_on) = form.expires_on.trim().parse() else {
        let e = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "date_invalid", "授权截止日期格式应为 YYYY-MM-DD");
        return Err(error_page(&state, e).into());
    };
    agencies::grant_consent(&state.core, &caller, &me.uscc, &agency, expires_on)
        .await
        .map_err(|e| fail(&state, &caller, e))?;
    Ok(Redirect::to("/my/agencies").into_response())
}

/// No fields besides the CSRF token.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct NoFields {}

/// `POST /my/agencies/consents/{id}/revoke`.
pub(crate) async fn revoke(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm { caller, .. }: ConsoleForm<NoFields>,
) -> Result<Response, PageError> {
    let me = company(&state, &caller, Action::GrantAgencyConsent)?;
    agencies::revoke_consent(&state.core, &caller, &me.uscc, &id).await.map_err(|e| fail(&state, &caller, e))?;
    Ok(Redirect::to("/my/agencies").into_response())
}

/// `GET /my/report/full.json`: the company's own full report, signed.
pub(crate) async fn full_report(State(state): State<AppState>, caller: ConsoleCaller) -> Result<Response, PageError> {
    let me = company(&state, &caller, Action::ViewOwnFile)?;
    let issued =
        agencies::own_full_report(&state.core, &caller, &me.uscc).await.map_err(|e| fail(&state, &caller, e))?;
    Ok(report_json(&state, &issued))
}

/// `GET /my/report/full.pdf`: the company's own full report, typeset, the
/// signed JSON attached.
pub(crate) async fn full_report_pdf(
    State(state): State<AppState>,
    caller: ConsoleCaller,
) -> Result<Response, PageError> {
    let me = company(&state, &caller, Action::ViewOwnFile)?;
    let issued =
        agencies::own_full_report(&state.core, &caller, &me.uscc).await.map_err(|e| fail(&state, &caller, e))?;
    Ok(crate::portal::reports::report_pdf(&state, &issued).await)
}

/// A signed report as a JSON download.
pub(crate) fn report_json(state: &AppState, issued: &xinyong_core::reports::Issued) -> Response {
    let body = match serde_json::to_vec_pretty(&issued.signed) {
        Ok(body) => body,
        Err(e) => {
            return error_page(state, ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()));
        }
    };
    let name = format!("credit-report-full-{}.json", issued.report.report_id);
    let disposition = crate::web::content_disposition("attachment", &name, &name);
    (
        NO_STORE,
        [(header::CONTENT_TYPE, "application/json".to_owned()), (header::CONTENT_DISPOSITION, disposition)],
        body,
    )
        .into_response()
}

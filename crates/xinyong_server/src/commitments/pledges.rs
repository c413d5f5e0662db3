//! Public pledges (信用承诺公示): the portal's searchable list
//! (`/commitments/pledges`) and its API (`/api/v1/public/pledges`); a
//! company's own pledges and, for an industry association, its
//! self-discipline schemes on `/my/pledges`.

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use xinyong_core::CoreError;
use xinyong_core::auth::policy::Action;
use xinyong_core::commitments::pledges::{self, PledgeText};
use xinyong_domain::commitments::{PledgeRow, PledgeSchemeRow, is_social_organisation};

use super::pages::Problem;
use crate::auth::{ConsoleCaller, ConsoleForm, PageError};
use crate::objections::pages::refusal_or_error;
use crate::ratelimit::PublicApiClient;
use crate::subjects::{NO_STORE, company};
use crate::web::{Layout, error_page};
use crate::{ApiResult, AppState};

/// Pledges a public page or API answer holds.
pub const PAGE_SIZE: u32 = 20;

/// A pledge as the portal, the API and `/my` show it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PledgeView {
    pub pledge_id: String,
    /// `voluntary`（主动承诺）or `self_discipline`（行业自律承诺）.
    pub kind: String,
    /// 承诺类型的中文名称.
    pub kind_name: String,
    pub uscc: String,
    pub subject_name: String,
    pub title: String,
    pub text: String,
    /// SHA-256 of `title + "\n" + text`, hex.
    pub text_sha256: String,
    /// The association that published the scheme, for a self-discipline pledge.
    pub association_uscc: Option<String>,
    pub association_name: Option<String>,
    /// YYYY-MM-DD.
    pub made_on: String,
    /// YYYY-MM-DD when withdrawn (only on the company's own page).
    #[serde(skip)]
    pub withdrawn_on: String,
    #[serde(skip)]
    pub withdraw_reason: String,
}

impl From<PledgeRow> for PledgeView {
    fn from(p: PledgeRow) -> PledgeView {
        PledgeView {
            pledge_id: p.pledge_id,
            kind: p.kind.as_str().to_owned(),
            kind_name: p.kind.name_zh().to_owned(),
            uscc: p.uscc.as_str().to_owned(),
            subject_name: p.subject_name,
            title: p.title,
            text: p.text,
            text_sha256: p.text_sha256,
            association_uscc: p.association_uscc.map(|u| u.as_str().to_owned()),
            association_name: p.association_name,
            made_on: p.made_on.to_string(),
            withdrawn_on: p.withdrawn_on.map(|d| d.to_string()).unwrap_or_default(),
            withdraw_reason: p.withdraw_reason.unwrap_or_default(),
        }
    }
}

/// Query of the public list and its API.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PledgesParams {
    /// 企业名称中的文字或统一社会信用代码；不填为全部。
    pub q: Option<String>,
    /// 页码，从 1 开始，默认 1；每页 20 条。
    pub page: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PledgesResponse {
    pub q: String,
    pub page: u64,
    pub pages: u64,
    pub page_size: u32,
    /// Matching pledges in all pages.
    pub total: u64,
    pub pledges: Vec<PledgeView>,
}

async fn find(state: &AppState, q: &PledgesParams) -> Result<PledgesResponse, CoreError> {
    let text = q.q.as_deref().unwrap_or("").trim().to_owned();
    let page = crate::portal::pages::page_param(q.page.as_deref()) as u64;
    let offset = (page - 1).saturating_mul(u64::from(PAGE_SIZE));
    let (rows, total) = pledges::public_pledges(&state.core, &text, offset, PAGE_SIZE).await?;
    Ok(PledgesResponse {
        q: text,
        page,
        pages: total.div_ceil(u64::from(PAGE_SIZE)).max(1),
        page_size: PAGE_SIZE,
        total,
        pledges: rows.into_iter().map(PledgeView::from).collect(),
    })
}

/// Public pledges in force (信用承诺公示), newest first: companies' voluntary
/// pledges and industry associations' self-discipline pledges.
#[utoipa::path(
    get,
    path = "/api/v1/public/pledges",
    tag = "public",
    params(PledgesParams),
    responses(
        (status = 200, description = "公示中的信用承诺（主动承诺、行业自律承诺；仅法人和非法人组织）", body = PledgesResponse),
        (status = 400, description = "查询参数无效（`query_invalid`）", body = crate::openapi::ErrorEnvelope),
        (status = 429, description = "查询过于频繁（`rate_limited`），见 Retry-After", body = crate::openapi::ErrorEnvelope),
    )
)]
pub async fn api_pledges(
    State(state): State<AppState>,
    _client: PublicApiClient,
    crate::error::ApiQuery(q): crate::error::ApiQuery<PledgesParams>,
) -> ApiResult<Json<PledgesResponse>> {
    Ok(Json(find(&state, &q).await?))
}

#[derive(Template, WebTemplate)]
#[template(path = "commitments/pledges.html")]
struct PublicPage {
    layout: Layout,
    found: PledgesResponse,
    /// Page numbers around the current one.
    around: Vec<u64>,
    /// `&q=…` for the page links, URL-encoded.
    q_param: String,
}

/// `GET /commitments/pledges?q=&page=`.
pub(crate) async fn public_page(State(state): State<AppState>, Query(q): Query<PledgesParams>) -> Response {
    match find(&state, &q).await {
        Ok(found) => {
            let from = found.page.saturating_sub(3).max(1);
            let around = (from..=(found.page + 3).min(found.pages)).collect();
            let q_param = if found.q.is_empty() {
                String::new()
            } else {
                format!("&q={}", crate::auth::encode_query_value(&found.q))
            };
            let layout = Layout::new(&state, "信用承诺公示").at("commitments");
            PublicPage { layout, found, around, q_param }.into_response()
        }
        Err(e) => error_page(&state, e.into()).into_response(),
    }
}

// ---------------------------------------------------------------- /my

#[derive(Debug, Default, Deserialize)]
pub(crate) struct PledgeForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    members: String,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct WithdrawForm {
    #[serde(default)]
    reason: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "commitments/my_pledges.html")]
struct MyPage {
    layout: Layout,
    csrf_token: String,
    association: bool,
    pledges: Vec<PledgeView>,
    schemes: Vec<PledgeSchemeRow>,
    form: PledgeForm,
    scheme_form: PledgeForm,
    problem: Option<Problem>,
    max_members: usize,
}

async fn render_my(
    state: &AppState,
    caller: &ConsoleCaller,
    form: PledgeForm,
    scheme_form: PledgeForm,
    problem: Option<Problem>,
) -> Result<MyPage, PageError> {
    let me = company(state, caller, Action::ViewOwnFile)?;
    let (own, schemes) = pledges::own(&state.core, caller, &me.uscc).await.map_err(|e| error_page(state, e.into()))?;
    Ok(MyPage {
        layout: Layout::new(state, "本企业的信用承诺公示").at("my"),
        csrf_token: caller.csrf_token().to_owned(),
        association: is_social_organisation(&me.uscc),
        pledges: own.into_iter().map(PledgeView::from).collect(),
        schemes,
        form,
        scheme_form,
        problem,
        max_members: state.core.settings().commitments.max_scheme_members,
    })
}

/// `GET /my/pledges`.
pub(crate) async fn my_page(State(state): State<AppState>, caller: ConsoleCaller) -> Result<Response, PageError> {
    let page = render_my(&state, &caller, PledgeForm::default(), PledgeForm::default(), None).await?;
    Ok((NO_STORE, page).into_response())
}

/// A use case's answer: back to `/my/pledges`, or the form again with the problem.
async fn after(
    state: &AppState,
    caller: &ConsoleCaller,
    outcome: Result<(), CoreError>,
    forms: (PledgeForm, PledgeForm),
) -> Result<Response, PageError> {
    match outcome {
        Ok(()) => Ok(Redirect::to("/my/pledges").into_response()),
        Err(e @ (CoreError::Invalid { .. } | CoreError::NotFound { .. })) => {
            let (problem, status) = Problem::of(e);
            let page = render_my(state, caller, forms.0, forms.1, Some(problem)).await?;
            Ok((status, NO_STORE, page).into_response())
        }
        Err(e) => Err(refusal_or_error(state, caller, e).into()),
    }
}

/// `POST /my/pledges`: the company publishes a voluntary pledge.
pub(crate) async fn my_make(
    State(state): State<AppState>,
    ConsoleForm { caller, form }: ConsoleForm<PledgeForm>,
) -> Result<Response, PageError> {
    let me = company(&state, &caller, Action::MakePledge)?;
    let input = PledgeText { title: form.title.clone(), text: form.text.clone() };
    let outcome = pledges::make_pledge(&state.core, &caller, me.uscc.as_str(), &input).await.map(|_| ());
    after(&state, &caller, outcome, (form, PledgeForm::default())).await
}

/// `POST /my/pledges/schemes`: an association publishes a scheme with its members.
pub(crate) async fn my_scheme(
    State(state): State<AppState>,
    ConsoleForm { caller, form }: ConsoleForm<PledgeForm>,
) -> Result<Response, PageError> {
    let me = company(&state, &caller, Action::MakePledge)?;
    let input = PledgeText { title: form.title.clone(), text: form.text.clone() };
    let outcome =
        pledges::publish_scheme(&state.core, &caller, me.uscc.as_str(), &input, &form.members).await.map(|_| ());
    after(&state, &caller, outcome, (PledgeForm::default(), form)).await
}

/// `POST /my/pledges/{id}/withdraw`.
pub(crate) async fn my_withdraw(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm { caller, form }: ConsoleForm<WithdrawForm>,
) -> Result<Response, PageError> {
    company(&state, &caller, Action::MakePledge)?;
    let outcome = pledges::withdraw_pledge(&state.core, &caller, &id, &form.reason).await;
    after(&state, &caller, outcome, (PledgeForm::default(), PledgeForm::default())).await
}

//! `/console/campaigns/{id}/dashboard`: a campaign's status counts, its
//! progress over time and its subjects by responsible department, as
//! server-rendered SVG charts with the figures in tables beneath.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use xinyong_core::auth::policy::{Action, Resource};
use xinyong_core::campaigns::views::{self, CampaignDashboard};
use xinyong_domain::campaigns::RectificationStatus;

use super::charts;
use crate::auth::{ConsoleCaller, PageError};
use crate::web::{Layout, error_page};
use crate::{ApiError, AppState};

const NO_STORE: [(header::HeaderName, &str); 1] = [(header::CACHE_CONTROL, "no-store")];

#[derive(Template, WebTemplate)]
#[template(path = "campaigns/dashboard.html")]
struct DashboardPage {
    layout: Layout,
    d: CampaignDashboard,
    /// Status names and their colours, for the legend and the table heads.
    statuses: Vec<(&'static str, &'static str)>,
    status_chart: String,
    progress_chart: String,
    department_chart: String,
    /// Share of subjects rectified, e.g. `40%`.
    rectified_share: String,
}

pub(crate) async fn dashboard_page(
    State(state): State<AppState>,
    caller: ConsoleCaller,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    caller.authorize(&state, Action::ViewCampaigns, &Resource::Platform)?;
    let found = views::dashboard(&state.core, &caller, &id).await.map_err(|e| error_page(&state, e.into()))?;
    let Some(d) = found else {
        let e = ApiError::new(StatusCode::NOT_FOUND, "campaign_not_found", format!("没有编号为“{id}”的专项治理"));
        return Err(error_page(&state, e).into());
    };
    let total = d.summary.counts.total();
    let rectified = d.summary.counts.get(RectificationStatus::Rectified);
    let rectified_share = (rectified * 100).checked_div(total).map_or_else(|| "—".to_owned(), |p| format!("{p}%"));
    let page = DashboardPage {
        layout: Layout::new(&state, &format!("统计看板 · {}", d.summary.name)),
        statuses: RectificationStatus::ALL.iter().map(|s| (s.name_zh(), charts::colour(*s))).collect(),
        status_chart: charts::status_columns(&d.summary.counts),
        progress_chart: charts::progress_lines(&d.days, total),
        department_chart: charts::department_bars(&d.by_department),
        rectified_share,
        d,
    };
    Ok((NO_STORE, page).into_response())
}

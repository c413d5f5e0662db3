//! The portal's 双随机抽查 pages and the public record of each draw: the
//! committed pool, the plan text, the seed and where it came from, the
//! targets per stratum and, once published, the results. Never inspectors.

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use xinyong_core::auth::policy::Principal;
use xinyong_core::inspections::verify::{PublicDrawRecord, public_record};
use xinyong_core::inspections::view::{self, TaskDetail, TaskSummary};

use crate::web::{Layout, error_page};
use crate::{ApiError, AppState};

#[derive(Template, WebTemplate)]
#[template(path = "portal/inspections.html")]
struct ListPage {
    layout: Layout,
    tasks: Vec<TaskSummary>,
}

pub(crate) async fn list(State(state): State<AppState>) -> Response {
    match view::public_tasks(&state.core).await {
        Ok(tasks) => ListPage { layout: Layout::new(&state, "双随机抽查").at("inspections"), tasks }.into_response(),
        Err(e) => error_page(&state, e.into()).into_response(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/inspection.html")]
struct DetailPage {
    layout: Layout,
    t: TaskDetail,
    record: PublicDrawRecord,
}

pub(crate) async fn detail(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let read = async {
        let t = view::detail(&state.core, &Principal::Anonymous, &id, true).await?;
        let record = public_record(&state.core, &id).await?;
        Ok::<_, xinyong_core::CoreError>((t, record))
    };
    match read.await {
        Ok((t, record)) => {
            let layout = Layout::new(&state, &format!("双随机抽查 · {}", t.summary.title)).at("inspections");
            DetailPage { layout, t, record }.into_response()
        }
        Err(e) => error_page(&state, e.into()).into_response(),
    }
}

/// `GET /api/v1/public/inspections/{id}/draw`: what `xinyong lottery verify
/// --published` and any independent checker read.
pub(crate) async fn draw_record(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<PublicDrawRecord>, ApiError> {
    Ok(Json(public_record(&state.core, &id).await?))
}

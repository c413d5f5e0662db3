//! The portal's list of filed credit service agencies (信用服务机构名录)
//! and one agency's page: name, code, filing number, status, filing date,
//! address and business scope — never a natural person's data.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use xinyong_core::agencies::{self, PublicAgency};

use crate::AppState;
use crate::web::{Layout, error_page};

#[derive(Template, WebTemplate)]
#[template(path = "agencies/list.html")]
struct ListPage {
    layout: Layout,
    agencies: Vec<PublicAgency>,
}

/// `GET /agencies`: every filed agency, the newest filing first.
pub(crate) async fn list(State(state): State<AppState>) -> Response {
    match agencies::public_list(&state.core).await {
        Ok(agencies) => ListPage { layout: Layout::new(&state, "信用服务机构名录"), agencies }.into_response(),
        Err(e) => error_page(&state, e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "agencies/detail.html")]
struct DetailPage {
    layout: Layout,
    a: PublicAgency,
}

/// `GET /agencies/{uscc}`: one filed agency.
pub(crate) async fn detail(State(state): State<AppState>, Path(raw): Path<String>) -> Response {
    let uscc = match super::uscc(&state, &raw) {
        Ok(u) => u,
        Err(e) => return e.into_response(),
    };
    match agencies::public_agency(&state.core, &uscc).await {
        Ok(a) => DetailPage { layout: Layout::new(&state, &a.name), a }.into_response(),
        Err(e) => error_page(&state, e.into()),
    }
}

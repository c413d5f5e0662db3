//! The portal's 告知承诺 pages: the items that accept a commitment and
//! each item's standard commitment letter (承诺书), public.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::{ItemView, items};
use crate::web::{Layout, error_page};
use crate::{ApiError, AppState};

#[derive(Template, WebTemplate)]
#[template(path = "commitments/catalog.html")]
struct CatalogPage {
    layout: Layout,
    version: String,
    items: Vec<ItemView>,
}

/// `GET /commitments`: the catalog in force.
pub(crate) async fn catalog(State(state): State<AppState>) -> Response {
    match items(&state).await {
        Ok((version, items)) => {
            CatalogPage { layout: Layout::new(&state, "告知承诺").at("commitments"), version, items }.into_response()
        }
        Err(e) => error_page(&state, e.into()).into_response(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "commitments/letter.html")]
struct LetterPage {
    layout: Layout,
    version: String,
    item: ItemView,
    letter_lines: Vec<String>,
}

/// `GET /commitments/items/{code}`: the item and its standard letter.
pub(crate) async fn letter(State(state): State<AppState>, Path(code): Path<String>) -> Response {
    let found = match items(&state).await {
        Ok((version, items)) => items.into_iter().find(|i| i.code == code).map(|i| (version, i)),
        Err(e) => return error_page(&state, e.into()).into_response(),
    };
    let Some((version, item)) = found else {
        let e = ApiError::new(
            StatusCode::NOT_FOUND,
            "commitment_item_not_found",
            format!("没有编码为“{code}”的告知承诺事项"),
        );
        return error_page(&state, e).into_response();
    };
    let text = state.core.rules().commitments.item(&code).map(|i| i.letter(&version)).unwrap_or_default();
    let layout = Layout::new(&state, &format!("{}告知承诺书", item.name)).at("commitments");
    LetterPage { layout, version, item, letter_lines: text.lines().map(str::to_owned).collect() }.into_response()
}

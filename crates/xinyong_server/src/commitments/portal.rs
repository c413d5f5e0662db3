//! The portal's 告知承诺 pages: the items that accept a commitment and
//! each item's standard commitment letter (承诺书), public.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::{ItemView, items};
use crate::web::{Layout, error_page, pdf};
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
    let (version, item, text) = match item_and_letter(&state, &code).await {
        Ok(found) => found,
        Err(e) => return error_page(&state, e).into_response(),
    };
    let layout = Layout::new(&state, &format!("{}告知承诺书", item.name)).at("commitments");
    LetterPage { layout, version, item, letter_lines: text.lines().map(str::to_owned).collect() }.into_response()
}

/// `GET /commitments/items/{code}/letter.pdf`: the same letter as an A4 PDF
/// to print, sign and hand in, with blanks for the applicant.
pub(crate) async fn letter_pdf(State(state): State<AppState>, Path(code): Path<String>) -> Response {
    let (version, item, text) = match item_and_letter(&state, &code).await {
        Ok(found) => found,
        Err(e) => return error_page(&state, e).into_response(),
    };
    let mut lines = text.lines();
    let title = lines.next().unwrap_or_default().to_owned();
    let subtitle = lines.next().unwrap_or_default().to_owned();
    // The blank line after the subtitle is the layout's, not the letter's.
    let body: Vec<String> = lines.skip_while(|l| l.is_empty()).map(str::to_owned).collect();
    let file_name = format!("{title}.pdf");
    let letter = xinyong_documents::CommitmentLetter {
        title,
        subtitle,
        url: format!("{}“告知承诺”栏目 /commitments/items/{}", state.site.site_name, item.code),
        code: item.code,
        name: item.name,
        department_name: item.department_name,
        kind: item.kind.to_owned(),
        verification_method: item.verification_method,
        verification_working_days: item.verification_working_days,
        version,
        site_name: state.site.site_name.clone(),
        body,
    };
    let created = state.core.clock().now().with_timezone(&xinyong_core::clock::china_offset());
    match pdf::render(&state, move |documents| documents.commitment_letter(&letter, created)).await {
        Ok(bytes) => pdf::inline(bytes, &file_name),
        Err(e) => error_page(&state, e).into_response(),
    }
}

/// The item of `code` in the catalog in force, with its letter's text.
async fn item_and_letter(state: &AppState, code: &str) -> Result<(String, ItemView, String), ApiError> {
    let (version, items) = items(state).await?;
    let found = items.into_iter().find(|i| i.code == code);
    let Some(item) = found else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "commitment_item_not_found",
            format!("没有编码为“{code}”的告知承诺事项"),
        ));
    };
    let text = state.core.rules().commitments.item(code).map(|i| i.letter(&version)).unwrap_or_default();
    Ok((version, item, text))
}

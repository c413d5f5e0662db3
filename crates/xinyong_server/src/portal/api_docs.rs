//! `/api/docs`: the API documentation page for integrators, the vendored
//! Swagger UI (`static/vendor/swagger-ui`) over `/api/v1/openapi.json`.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::web::Layout;

/// The site's policy, but Swagger UI draws its icons from `data:` URLs and
/// sets styles on its own elements; still no script from elsewhere and no
/// inline script.
const DOCS_CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
     form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

#[derive(Template, WebTemplate)]
#[template(path = "portal/api_docs.html")]
struct ApiDocsPage {
    layout: Layout,
}

/// `GET /api/docs`
pub(crate) async fn page(State(state): State<AppState>) -> Response {
    let page = ApiDocsPage { layout: Layout::new(&state, "开放接口文档") };
    let policy = HeaderValue::from_static(DOCS_CONTENT_SECURITY_POLICY);
    ([(header::CONTENT_SECURITY_POLICY, policy)], page).into_response()
}

//! Credit reports on the portal (issue 12): anyone downloads a legal
//! person's public report as signed JSON (rate limited like search), and
//! anyone holding a report looks it up by its id.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use xinyong_core::portal;
use xinyong_core::reports::{self, Channel};

use crate::ratelimit::PublicVisitor;
use crate::web::error_page;
use crate::{ApiError, AppState};

/// `GET /subjects/{uscc}/report.json`: the public version, signed, each
/// record proven (docs/REPORTS.md). Each download is a new report, logged.
pub(crate) async fn public_report(
    State(state): State<AppState>,
    _visitor: PublicVisitor,
    Path(raw): Path<String>,
) -> Response {
    let Some(uscc) = portal::normalize_uscc(&raw) else {
        let e = ApiError::new(StatusCode::NOT_FOUND, "not_found", "统一社会信用代码格式不正确，未找到该主体。");
        return error_page(&state, e);
    };
    match reports::issue_public(&state.core, &uscc, Channel::Portal).await {
        Ok(signed) => {
            let body = match serde_json::to_vec_pretty(&signed) {
                Ok(body) => body,
                Err(e) => {
                    let e =
                        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", format!("信用报告无法编码：{e}"));
                    return error_page(&state, e);
                }
            };
            let file = format!("attachment; filename=\"credit-report-{}.json\"", uscc.as_str());
            ([(header::CONTENT_TYPE, "application/json"), (header::CONTENT_DISPOSITION, file.as_str())], body)
                .into_response()
        }
        Err(e) => error_page(&state, e.into()),
    }
}

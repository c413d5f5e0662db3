//! Credit service agencies (信用服务机构, 十八.2): the public list of filed
//! agencies (`/agencies`, `/api/v1/public/agencies`), the credit office's
//! filing and supervision (`/console/agencies`), the company's consents and
//! "谁查询了我的信用" (`/my/agencies`), and the agency's own pages
//! (`/agency`: its login, the companies that consented, the download of a
//! consenting company's full report).

pub(crate) mod agency;
pub mod api;
pub(crate) mod console;
pub(crate) mod my;
pub(crate) mod portal;

use xinyong_core::CoreError;
use xinyong_domain::Uscc;

use crate::auth::{ConsoleCaller, PageError};
use crate::objections::pages::refusal_or_error;
use crate::web::error_page;
use crate::{ApiError, AppState};

/// A use case's refusal or failure as the page answers it.
pub(crate) fn fail(state: &AppState, caller: &ConsoleCaller, e: CoreError) -> PageError {
    refusal_or_error(state, caller, e).into()
}

/// A USCC from a path or form, or the error page (422).
pub(crate) fn uscc(state: &AppState, raw: &str) -> Result<Uscc, PageError> {
    Uscc::parse(raw.trim()).map_err(|_| {
        PageError::from(error_page(
            state,
            ApiError::new(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                "uscc_invalid",
                "统一社会信用代码格式不正确（18 位，含校验位）",
            ),
        ))
    })
}

/// Milliseconds since the epoch as China time, to the minute.
pub(crate) fn china_time(ms: i64) -> String {
    xinyong_domain::log::time_from_millis(ms)
        .map(|t| t.with_timezone(&crate::web::beijing()).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

//! `/api/v1/stats/…`

use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use serde::Deserialize;
use xinyong_core::auth::policy::{Action, Resource, authorize};
use xinyong_core::collection::stats::{self, TimelinessReport};

use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::{ApiError, ApiQuery, ApiResult};

#[derive(Debug, Deserialize)]
pub struct TimelinessQuery {
    pub from: Option<String>,
    pub to: Option<String>,
}

/// Default report period, in days before today.
const DEFAULT_DAYS: i64 = 90;

fn date(raw: Option<&str>, name: &str, default: NaiveDate) -> ApiResult<NaiveDate> {
    match raw {
        None | Some("") => Ok(default),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| ApiError::bad_request("date_invalid", format!("参数 {name} 应为 YYYY-MM-DD，收到 {s:?}"))),
    }
}

/// Timeliness of the caller's department: decision → receipt in working days
/// (十五.1), per catalog item, with the overdue records.
pub async fn get_timeliness(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(q): ApiQuery<TimelinessQuery>,
) -> ApiResult<Json<TimelinessReport>> {
    let department = caller.own_department()?;
    authorize(&caller, Action::ViewTimeliness, &Resource::Department(department.clone()))?;
    let today = xinyong_core::collection::intake::china_today(&state.core);
    let to = date(q.to.as_deref(), "to", today)?;
    let from = date(q.from.as_deref(), "from", to - chrono::Duration::days(DEFAULT_DAYS))?;
    if from > to {
        return Err(ApiError::bad_request("date_range_inverted", "参数 from 不能晚于 to"));
    }
    Ok(Json(stats::timeliness(&state.core, from, to, Some(&department)).await?))
}

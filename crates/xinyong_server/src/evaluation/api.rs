//! `/api/v1/evaluation/…` and `/api/v1/subjects/{uscc}/grades`: grades for
//! the systems of the credit office and the departments.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use serde::Deserialize;
use xinyong_core::auth::policy::{Action, Resource, authorize};
use xinyong_core::evaluation::external::{GradeImport, IncomingGrade, import_grades};
use xinyong_core::evaluation::view::{SubjectGrades, subject_grades};
use xinyong_core::portal::normalize_uscc;
use xinyong_domain::evaluation::ExternalScheme;

use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::{ApiError, ApiPath, ApiResult, json_body};

/// One scheme's grades for one period.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExternalGradesRequest {
    /// `national`, `tax` or `samr_risk`.
    pub scheme: String,
    /// `2025`, `2025-Q3` or `2025-07`.
    pub period: String,
    /// Where the grades came from (a notice, a file name); kept with them.
    #[serde(default)]
    pub source: String,
    pub grades: Vec<ExternalGradeInput>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExternalGradeInput {
    pub uscc: String,
    pub grade: String,
}

/// `POST /api/v1/evaluation/external-grades`: rows are checked one by one
/// (the `rejected` list names each by its position, from 1); the good ones
/// are kept and their subjects re-scored at once.
pub async fn post_external_grades(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: Result<Json<ExternalGradesRequest>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<GradeImport>)> {
    authorize(&caller, Action::ManageEvaluation, &Resource::Platform)?;
    let body = json_body(body)?;
    let scheme = ExternalScheme::parse(body.scheme.trim()).ok_or_else(|| {
        ApiError::bad_request(
            "scheme_unknown",
            format!("评价体系“{}”未知：应为 national、tax 或 samr_risk", body.scheme),
        )
    })?;
    let rows = body
        .grades
        .into_iter()
        .enumerate()
        .map(|(i, g)| IncomingGrade { row: i + 1, uscc: g.uscc, grade: g.grade })
        .collect();
    let outcome = import_grades(&state.core, &caller, scheme, &body.period, &body.source, rows).await?;
    Ok((StatusCode::CREATED, Json(outcome)))
}

/// `GET /api/v1/subjects/{uscc}/grades`: grades with score, reasons,
/// supervision class, history and external grades.
pub async fn get_subject_grades(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(raw): ApiPath<String>,
) -> ApiResult<Json<SubjectGrades>> {
    let uscc = normalize_uscc(&raw);
    authorize(&caller, Action::ViewGrades, &uscc.clone().map_or(Resource::Platform, Resource::Subject))?;
    let uscc = uscc.ok_or_else(|| ApiError::bad_request("uscc_invalid", "统一社会信用代码格式不正确"))?;
    Ok(Json(subject_grades(&state.core, &uscc).await?))
}

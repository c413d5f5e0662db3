//! `/console/evaluation`: the models in force, how the city's subjects are
//! spread over grades and supervision classes, when the evaluation job ran,
//! and (credit office) the import of another scheme's grades from a file.
//! The dashboard by district, industry and movement is in `dashboard`.

mod dashboard;

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use xinyong_core::auth::policy::{Action, Resource};
use xinyong_core::evaluation::EvaluationJob;
use xinyong_core::evaluation::external::{GradeImport, import_grades, rows_of_table};
use xinyong_core::evaluation::view::{ModelOverview, overview};
use xinyong_domain::evaluation::ExternalScheme;
use xinyong_tabular::ReadOptions;

use crate::auth::{ConsoleCaller, PageError};
use crate::web::{Layout, ReadRefused, error_page, read_spreadsheet, thousands};
use crate::{ApiError, AppState};

pub(crate) use dashboard::dashboard_page;

const NO_STORE: [(header::HeaderName, &str); 1] = [(header::CACHE_CONTROL, "no-store")];

/// A bar of the grade distribution: its width in percent of the largest.
struct Bar {
    label: String,
    count: String,
    width: u64,
}

struct SchemeChoice {
    value: &'static str,
    name: &'static str,
    grades: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "evaluation/overview.html")]
struct OverviewPage {
    layout: Layout,
    csrf_token: String,
    models: Vec<(ModelOverview, Vec<Bar>)>,
    job: Option<String>,
    may_import: bool,
    schemes: Vec<SchemeChoice>,
    problem: Option<String>,
    outcome: Option<GradeImport>,
}

pub(crate) async fn overview_page(State(state): State<AppState>, caller: ConsoleCaller) -> Result<Response, PageError> {
    caller.authorize(&state, Action::ViewGrades, &Resource::Platform)?;
    let page = render(&state, &caller, None, None).await.map_err(|e| error_page(&state, e))?;
    Ok((NO_STORE, page).into_response())
}

async fn render(
    state: &AppState,
    caller: &ConsoleCaller,
    problem: Option<String>,
    outcome: Option<GradeImport>,
) -> Result<OverviewPage, ApiError> {
    let models = overview(&state.core)
        .await?
        .into_iter()
        .map(|m| {
            let b = bars(&m);
            (m, b)
        })
        .collect();
    let runs = xinyong_core::jobs::job_runs(&state.core).await?;
    let job = runs.into_iter().find(|r| r.name == EvaluationJob::NAME).map(|r| {
        let at = r.last_finished_ms.and_then(chrono::DateTime::from_timestamp_millis).map_or_else(
            || "尚未完成".to_owned(),
            |t| t.with_timezone(&crate::web::beijing()).format("%Y-%m-%d %H:%M").to_string(),
        );
        let outcome = r.last_outcome.unwrap_or_default();
        format!("{at}，{}", outcome.strip_prefix("ok: ").unwrap_or(&outcome))
    });
    Ok(OverviewPage {
        layout: Layout::new(state, "信用评价"),
        csrf_token: caller.csrf_token().to_owned(),
        models,
        job,
        may_import: caller.allows(Action::ManageEvaluation, &Resource::Platform),
        schemes: [ExternalScheme::National, ExternalScheme::Tax, ExternalScheme::SamrRisk]
            .into_iter()
            .map(|s| SchemeChoice { value: s.as_str(), name: s.name_zh(), grades: s.grades().join("、") })
            .collect(),
        problem,
        outcome,
    })
}

fn bars(m: &ModelOverview) -> Vec<Bar> {
    let max = m.bands.iter().map(|b| b.count).max().unwrap_or(0).max(1);
    m.bands
        .iter()
        .map(|b| Bar { label: b.grade.clone(), count: thousands(b.count), width: b.count * 100 / max })
        .collect()
}

/// What the import form carries.
#[derive(Default)]
struct ImportForm {
    csrf_token: String,
    scheme: String,
    period: String,
    file_name: String,
    file: Bytes,
}

/// `POST /console/evaluation/import`: the file's rows checked one by one;
/// the page shows what was kept and each rejected row with its rule.
pub(crate) async fn import(
    State(state): State<AppState>,
    caller: ConsoleCaller,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    caller.authorize(&state, Action::ManageEvaluation, &Resource::Platform)?;
    let form = read_form(multipart).await.map_err(|e| error_page(&state, e))?;
    caller.check_csrf(&form.csrf_token).map_err(|e| error_page(&state, e))?;
    let (status, problem, outcome) = match receive(&state, &caller, form).await {
        Ok(outcome) => (StatusCode::OK, None, Some(outcome)),
        Err(e) => (e.status, Some(format!("{}（{}）", e.message, e.code)), None),
    };
    let page = render(&state, &caller, problem, outcome).await.map_err(|e| error_page(&state, e))?;
    Ok((status, NO_STORE, page).into_response())
}

async fn receive(state: &AppState, caller: &ConsoleCaller, form: ImportForm) -> Result<GradeImport, ApiError> {
    let scheme =
        ExternalScheme::parse(&form.scheme).ok_or_else(|| ApiError::bad_request("scheme_unknown", "请选择评价体系"))?;
    if form.file.is_empty() {
        return Err(ApiError::bad_request("file_missing", "请选择要导入的文件（文件不能为空）"));
    }
    let max_rows = state.core.settings().evaluation.import_max_rows;
    let options = ReadOptions { max_rows, ..ReadOptions::default() };
    let table = read_spreadsheet(state, form.file, options).await.map_err(|refused| match refused {
        ReadRefused::Busy => {
            ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "uploads_busy", "服务器正在读取其他上传的文件，请稍后再试")
        }
        ReadRefused::Unreadable(e) => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.code(), e.to_string()),
        ReadRefused::Failed => ApiError::new(StatusCode::BAD_REQUEST, "file_unreadable", "文件无法读取"),
    })?;
    let rows = table.rows.into_iter().map(|r| (r.number, r.cells)).collect();
    let rows = rows_of_table(&table.headers, rows)?;
    Ok(import_grades(&state.core, caller, scheme, &form.period, &form.file_name, rows).await?)
}

async fn read_form(multipart: Result<Multipart, MultipartRejection>) -> Result<ImportForm, ApiError> {
    let invalid = |text: String| ApiError::bad_request("form_invalid", format!("表单内容无法识别：{text}"));
    let mut multipart = multipart.map_err(|e| invalid(e.body_text()))?;
    let mut form = ImportForm::default();
    while let Some(field) = multipart.next_field().await.map_err(|e| invalid(e.body_text()))? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            form.file_name = field.file_name().unwrap_or_default().trim().chars().take(200).collect();
            form.file = field.bytes().await.map_err(|e| invalid(e.body_text()))?;
            continue;
        }
        let value = field.text().await.map_err(|e| invalid(e.body_text()))?.trim().to_owned();
        match name.as_str() {
            "csrf_token" => form.csrf_token = value,
            "scheme" => form.scheme = value,
            "period" => form.period = value,
            _ => {}
        }
    }
    Ok(form)
}

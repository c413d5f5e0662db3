//! `/console/audit`: the credit office reads the audit trail of personal-data
//! reads (seed clause 十七.1), filters it by reader and date, and exports it.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate};
use serde::Deserialize;
use xinyong_core::auth::policy::{Action, Resource};
use xinyong_core::auth::{AuditFilter, audit_trail};
use xinyong_domain::auth::{AccessAuditRow, Role};

use crate::AppState;
use crate::auth::{ConsoleCaller, PageError, encode_query_value};
use crate::error::ApiError;
use crate::web::{Layout, beijing, error_page};

/// Reads one page shows.
const PAGE_ROWS: u32 = 100;
/// Reads one export holds at most (narrow the filter for more).
const EXPORT_ROWS: u32 = 50_000;

const NO_STORE: [(header::HeaderName, &str); 1] = [(header::CACHE_CONTROL, "no-store")];

#[derive(Debug, Default, Deserialize)]
pub(crate) struct AuditQuery {
    #[serde(default)]
    reader: Option<String>,
    #[serde(default)]
    since: Option<String>,
    #[serde(default)]
    before: Option<u64>,
}

impl AuditQuery {
    fn filter(&self) -> Result<AuditFilter, ApiError> {
        let since = match self.since.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(raw) => Some(
                raw.parse::<NaiveDate>()
                    .map_err(|_| ApiError::bad_request("query_invalid", format!("起始日期“{raw}”应为 YYYY-MM-DD")))?,
            ),
        };
        Ok(AuditFilter { reader: self.reader.clone(), since, before: self.before })
    }
}

/// One read as the page and the export show it.
pub(crate) struct AuditLine {
    entry: u64,
    at: String,
    reader: String,
    roles: String,
    department: String,
    reason: String,
    what: String,
    subject: String,
}

/// `operator,reviewer` → 经办人、审核人; `token`, `system` as they are.
fn roles_name(roles: &str) -> String {
    roles
        .split(',')
        .map(|r| match Role::parse(r) {
            Some(role) => role.name_zh(),
            None if r == "token" => "接口令牌",
            None if r == "system" => "平台",
            None => r,
        })
        .collect::<Vec<_>>()
        .join("、")
}

fn what_name(what: &str) -> &str {
    match what {
        "credit_file.people" => "信用档案中的人员",
        "person_file" => "自然人信用档案",
        other => other,
    }
}

use xinyong_core::auth::names::Names;

/// Department names by code, for the lines (a city has a few dozen).
async fn department_names(state: &AppState) -> Result<std::sync::Arc<Names>, ApiError> {
    Ok(xinyong_core::auth::names::department_names(&state.core).await?)
}

impl AuditLine {
    fn new(r: AccessAuditRow, names: &Names) -> Self {
        let at = DateTime::from_timestamp_millis(r.read_at_ms)
            .map(|t| t.with_timezone(&beijing()).format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_default();
        AuditLine {
            entry: r.entry,
            at,
            reader: r.reader,
            roles: roles_name(&r.reader_roles),
            department: match r.reader_department {
                Some(d) => names.get(d.as_str()).cloned().unwrap_or_else(|| d.as_str().to_owned()),
                None => "信用办".to_owned(),
            },
            reason: r.reason,
            what: what_name(&r.what).to_owned(),
            subject: r.subject,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/audit.html")]
pub(crate) struct AuditPage {
    layout: Layout,
    reader: String,
    since: String,
    lines: Vec<AuditLine>,
    next: Option<String>,
    export: String,
}

/// The filter as a query string (without the cursor).
fn query_string(q: &AuditQuery) -> String {
    let mut parts = Vec::new();
    for (name, value) in [("reader", &q.reader), ("since", &q.since)] {
        if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            parts.push(format!("{name}={}", encode_query_value(v)));
        }
    }
    parts.join("&")
}

pub(crate) async fn audit_page(
    State(state): State<AppState>,
    caller: ConsoleCaller,
    Query(q): Query<AuditQuery>,
) -> Result<Response, PageError> {
    caller.authorize(&state, Action::ViewAuditTrail, &Resource::Platform)?;
    let read = async {
        let filter = q.filter()?;
        let page = audit_trail(&state.core, &caller.principal, &filter, PAGE_ROWS).await?;
        Ok::<_, ApiError>((page, department_names(&state).await?))
    };
    let (page, names) = read.await.map_err(|e| error_page(&state, e))?;
    let filter = query_string(&q);
    let next = page.next.map(|before| {
        if filter.is_empty() { format!("?before={before}") } else { format!("?{filter}&before={before}") }
    });
    let view = AuditPage {
        layout: Layout::new(&state, "个人信息查询记录"),
        reader: q.reader.clone().unwrap_or_default(),
        since: q.since.clone().unwrap_or_default(),
        lines: page.items.into_iter().map(|r| AuditLine::new(r, &names)).collect(),
        next,
        export: if filter.is_empty() {
            "/console/audit.xlsx".to_owned()
        } else {
            format!("/console/audit.xlsx?{filter}")
        },
    };
    Ok((NO_STORE, view).into_response())
}

/// The same reads as an Excel file, newest first, at most [`EXPORT_ROWS`].
pub(crate) async fn audit_export(
    State(state): State<AppState>,
    caller: ConsoleCaller,
    Query(q): Query<AuditQuery>,
) -> Result<Response, PageError> {
    caller.authorize(&state, Action::ViewAuditTrail, &Resource::Platform)?;
    let read = async {
        let filter = q.filter()?;
        let page = audit_trail(&state.core, &caller.principal, &filter, EXPORT_ROWS).await?;
        let names = department_names(&state).await?;
        let headers: Vec<String> =
            ["日志序号", "查询时间", "查询人", "角色", "所属部门", "查询事由", "查询内容", "查询对象"]
                .map(str::to_owned)
                .to_vec();
        let rows: Vec<Vec<String>> = page
            .items
            .into_iter()
            .map(|r| AuditLine::new(r, &names))
            .map(|l| vec![l.entry.to_string(), l.at, l.reader, l.roles, l.department, l.reason, l.what, l.subject])
            .collect();
        xinyong_tabular::write_xlsx("查询记录", &headers, &rows).map_err(|e| {
            tracing::error!(error = %e, "the audit export could not be written");
            ApiError::new(axum::http::StatusCode::INTERNAL_SERVER_ERROR, "internal_error", "服务器内部错误，请稍后重试")
        })
    };
    let bytes = read.await.map_err(|e| error_page(&state, e))?;
    Ok(crate::collection::api::xlsx_attachment(bytes, "个人信息查询记录.xlsx"))
}

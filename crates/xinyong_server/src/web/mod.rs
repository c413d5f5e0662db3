//! What every server-rendered zh-CN page shares: the layout, the error page,
//! number and time formatting, the charts. Templates auto-escape; pages work
//! without JavaScript.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::AppState;

pub(crate) mod charts;
pub(crate) mod pdf;

/// A `Content-Disposition` value: `kind` (`attachment` or `inline`), an
/// ASCII fallback name for old clients (other characters dropped), and the
/// UTF-8 name of RFC 6266 / RFC 5987 (`filename*=UTF-8''…`: attr-chars
/// kept, every other byte percent-encoded).
pub(crate) fn content_disposition(kind: &str, fallback: &str, name: &str) -> String {
    let fallback: String = fallback.chars().filter(|c| c.is_ascii_alphanumeric() || "-._".contains(*c)).collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("{kind}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// A department's name by code; the code itself when it is not registered.
pub(crate) fn department_name(departments: &[xinyong_domain::auth::Department], code: &str) -> String {
    departments.iter().find(|d| d.code.as_str() == code).map_or_else(|| code.to_owned(), |d| d.name.clone())
}

/// What every page's layout needs.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    pub site_name: String,
    pub footer: String,
    /// The site settings (the footer's furniture).
    pub site: std::sync::Arc<crate::SiteSettings>,
    pub title: String,
    /// Which header link is the current section (`search`, `publicity`, …).
    pub nav: &'static str,
}

impl Layout {
    pub(crate) fn new(state: &AppState, title: &str) -> Layout {
        Layout {
            site_name: state.site.site_name.clone(),
            footer: state.site.footer.clone(),
            site: std::sync::Arc::clone(&state.site),
            title: title.to_owned(),
            nav: "",
        }
    }

    /// Marks a header link as the current section.
    pub(crate) fn at(mut self, nav: &'static str) -> Layout {
        self.nav = nav;
        self
    }
}

/// China Standard Time (UTC+8, no daylight saving) for displayed times.
pub(crate) fn beijing() -> chrono::FixedOffset {
    xinyong_core::clock::china_offset()
}

/// Groups digits in threes for Chinese readers used to "1,234,567".
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
pub(crate) struct ErrorPage {
    layout: Layout,
    status: u16,
    message: String,
    /// The stable code, for the help desk and for programs.
    code: &'static str,
}

pub(crate) fn error_page(state: &AppState, err: crate::ApiError) -> Response {
    let status = err.status;
    let page = ErrorPage {
        layout: Layout::new(state, "出错了"),
        status: status.as_u16(),
        message: err.message,
        code: err.code,
    };
    (status, page).into_response()
}

/// No route: the JSON envelope under `/api/`, where callers are programs
/// that read `error.code`; the error page everywhere else.
pub(crate) async fn not_found(State(state): State<AppState>, uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        let message = format!("接口 {} 不存在", uri.path().chars().take(200).collect::<String>());
        return crate::ApiError::new(StatusCode::NOT_FOUND, "not_found", message).into_response();
    }
    error_page(&state, crate::ApiError::new(StatusCode::NOT_FOUND, "not_found", "您访问的页面不存在。"))
}

/// A route with another method: 405 in the envelope (under `/api/`) or as
/// the error page, never an empty body. A browser that GETs a form's
/// address (a reload after a post, a bookmark) is sent to the nearest page
/// above it instead.
pub(crate) async fn method_not_allowed(
    State(state): State<AppState>,
    method: axum::http::Method,
    uri: axum::http::Uri,
) -> Response {
    if method == axum::http::Method::GET && !uri.path().starts_with("/api/") {
        return axum::response::Redirect::to(&nearest_page(uri.path())).into_response();
    }
    let message = format!("{} 不支持 {method} 方法", uri.path().chars().take(200).collect::<String>());
    let err = crate::ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", message);
    if uri.path().starts_with("/api/") { err.into_response() } else { error_page(&state, err) }
}

/// The longest leading part of `path` that is a GET route (`/console` when
/// none below it is, `/` outside the console and the company's pages).
pub(crate) fn nearest_page(path: &str) -> String {
    // The route table is fixed for the process: read its GET patterns once,
    // not on every refused request.
    static PAGES: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    let pages = PAGES.get_or_init(|| {
        crate::routes::table().iter().filter(|r| r.method == axum::http::Method::GET).map(|r| r.path).collect()
    });
    let matches = |pattern: &str, candidate: &str| {
        let (p, c): (Vec<&str>, Vec<&str>) = (pattern.split('/').collect(), candidate.split('/').collect());
        p.len() == c.len() && p.iter().zip(&c).all(|(p, c)| p == c || (p.starts_with('{') && !c.is_empty()))
    };
    let mut candidate = path.trim_end_matches('/');
    while let Some((parent, _)) = candidate.rsplit_once('/') {
        candidate = parent;
        if !candidate.is_empty() && pages.iter().any(|p| matches(p, candidate)) {
            return candidate.to_owned();
        }
    }
    ["/console", "/my"].into_iter().find(|home| path.starts_with(home)).unwrap_or("/").to_owned()
}

/// Why an uploaded spreadsheet was not read.
pub(crate) enum ReadRefused {
    /// No turn came within [`FILE_READ_WAIT`]: other uploads are being read.
    Busy,
    /// The file is not a table we can read (the rule in its code).
    Unreadable(xinyong_tabular::TabularError),
    /// The reading thread panicked or was cancelled.
    Failed,
}

/// How long an upload waits for its turn to be read before the clerk is
/// asked to try again.
pub(crate) const FILE_READ_WAIT: std::time::Duration = std::time::Duration::from_secs(60);

/// Reads an uploaded spreadsheet on a blocking thread: unpacking and parsing
/// a 20 MB workbook takes long enough to stall an async worker. At most
/// `server.parallel_file_reads` files are read at once (records and grade
/// imports share the turns), so memory grows with that setting, not with how
/// many clerks upload at the same moment.
pub(crate) async fn read_spreadsheet(
    state: &AppState,
    bytes: axum::body::Bytes,
    options: xinyong_tabular::ReadOptions,
) -> Result<xinyong_tabular::Table, ReadRefused> {
    let _turn =
        match tokio::time::timeout(FILE_READ_WAIT, std::sync::Arc::clone(&state.file_reads).acquire_owned()).await {
            Ok(Ok(permit)) => permit,
            Ok(Err(_)) | Err(_) => return Err(ReadRefused::Busy),
        };
    let read =
        tokio::task::spawn_blocking(move || xinyong_tabular::read_table(&bytes, &options)).await.map_err(|e| {
            tracing::error!(error = %e, "reading an upload panicked or was cancelled");
            ReadRefused::Failed
        })?;
    read.map_err(|e| {
        tracing::info!(code = e.code(), error = ?e, "upload could not be read");
        ReadRefused::Unreadable(e)
    })
}

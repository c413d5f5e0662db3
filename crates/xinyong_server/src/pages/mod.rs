//! Server-rendered zh-CN pages. Templates auto-escape; pages work without
//! JavaScript.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::AppState;

pub(crate) mod charts;
pub(crate) mod closed_loop;
pub(crate) mod console;
pub(crate) mod credit_file;
pub(crate) mod intake;
pub(crate) mod listings;
pub(crate) mod portal;

/// A department's name by code; the code itself when it is not registered.
pub(crate) fn department_name(departments: &[xinyong_domain::org::Department], code: &str) -> String {
    departments.iter().find(|d| d.code.as_str() == code).map_or_else(|| code.to_owned(), |d| d.name.clone())
}

/// What every page's layout needs.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    pub site_name: String,
    pub footer: String,
    pub title: String,
    /// Which header link is the current section (`search`, `publicity`, …).
    pub nav: &'static str,
}

impl Layout {
    pub(crate) fn new(state: &AppState, title: &str) -> Layout {
        Layout {
            site_name: state.site.site_name.clone(),
            footer: state.site.footer.clone(),
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

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub(crate) struct HomePage {
    layout: Layout,
    /// The search box's value (empty on the home page).
    q: String,
    subjects: String,
    events: String,
    checkpoint: Option<CheckpointView>,
    verifier_key: String,
}

pub(crate) struct CheckpointView {
    size: String,
    signed_at: String,
    note: String,
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

pub(crate) async fn home(State(state): State<AppState>) -> Response {
    let counts = match state.core.counts().await {
        Ok(c) => c,
        Err(e) => return error_page(&state, e.into()),
    };
    let checkpoint = match state.core.latest_checkpoint().await {
        Ok(cp) => cp.map(|cp| CheckpointView {
            size: thousands(cp.size),
            signed_at: cp.signed_at.with_timezone(&beijing()).format("%Y-%m-%d %H:%M:%S").to_string(),
            note: cp.note,
        }),
        Err(e) => return error_page(&state, e.into()),
    };
    HomePage {
        layout: Layout::new(&state, "首页").at("home"),
        q: String::new(),
        subjects: thousands(counts.subjects),
        events: thousands(counts.events),
        checkpoint,
        verifier_key: state.core.keys().verifier_key(),
    }
    .into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
pub(crate) struct ErrorPage {
    layout: Layout,
    status: u16,
    message: String,
}

pub(crate) fn error_page(state: &AppState, err: crate::ApiError) -> Response {
    let status = err.status;
    let page = ErrorPage { layout: Layout::new(state, "出错了"), status: status.as_u16(), message: err.message };
    (status, page).into_response()
}

pub(crate) async fn not_found(State(state): State<AppState>) -> Response {
    error_page(&state, crate::ApiError::new(StatusCode::NOT_FOUND, "not_found", "您访问的页面不存在。"))
}

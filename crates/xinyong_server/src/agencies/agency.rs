//! The agency's own pages: its login (统一社会信用代码, account, password),
//! the companies that consented, and the download of a consenting
//! company's full report with the purpose of the query, which the company
//! then sees on `/my/agencies`. An agency that is not 正常 cannot log in,
//! and its sessions end.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xinyong_core::CoreError;
use xinyong_core::agencies::{self, ConsentState, ConsentView};
use xinyong_core::auth::policy::{Action, Principal, Resource};
use xinyong_core::auth::{self as core_auth};
use xinyong_domain::Uscc;

use super::{fail, uscc};
use crate::AppState;
use crate::auth::{
    ConsoleCaller, ConsoleForm, PageError, clear_session_cookie, random_secret, safe_next, session_cookie,
    set_session_cookie,
};
use crate::ratelimit::ClientAddr;
use crate::subjects::NO_STORE;
use crate::web::{Layout, error_page};

#[derive(Template, WebTemplate)]
#[template(path = "agencies/login.html")]
struct LoginPage {
    layout: Layout,
    next: String,
    uscc: String,
    username: String,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct LoginQuery {
    next: Option<String>,
}

/// Where an agency lands: its own pages only.
fn agency_next(next: Option<&str>) -> String {
    let next = safe_next(next);
    if next.starts_with("/agency") { next.to_owned() } else { "/agency".to_owned() }
}

/// `GET /agency/login`.
pub(crate) async fn login_page(State(state): State<AppState>, Query(q): Query<LoginQuery>) -> Response {
    let page = LoginPage {
        layout: Layout::new(&state, "信用服务机构登录"),
        next: agency_next(q.next.as_deref()),
        uscc: String::new(),
        username: String::new(),
        error: None,
    };
    (NO_STORE, page).into_response()
}

#[derive(Debug, Deserialize)]
pub(crate) struct LoginForm {
    uscc: String,
    username: String,
    password: String,
    next: Option<String>,
}

/// `POST /agency/login`: throttled per account like the other logins.
pub(crate) async fn login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let next = agency_next(form.next.as_deref());
    let username = form.username.trim().to_ascii_lowercase();
    let again = |status: StatusCode, message: &str| {
        let page = LoginPage {
            layout: Layout::new(&state, "信用服务机构登录"),
            next: next.clone(),
            uscc: form.uscc.trim().to_owned(),
            username: username.clone(),
            error: Some(message.to_owned()),
        };
        (status, NO_STORE, page).into_response()
    };
    if headers.get("sec-fetch-site").is_some_and(|v| v.as_bytes() == b"cross-site") {
        return again(StatusCode::FORBIDDEN, "请从本站登录页面登录");
    }
    let Ok(code) = Uscc::parse(form.uscc.trim()) else {
        return again(StatusCode::UNPROCESSABLE_ENTITY, "统一社会信用代码格式不正确（18 位，含校验位）");
    };
    let throttle_key = agencies::session_login(&code, &username);
    let now = state.core.now();
    if let Err(wait) = state.login_throttle.check(client, &throttle_key, now) {
        let secs = wait.num_seconds().max(1);
        let page = again(StatusCode::TOO_MANY_REQUESTS, &format!("登录失败次数过多，请在 {secs} 秒后再试"));
        return ([(header::RETRY_AFTER, secs.to_string())], page).into_response();
    }
    let secret = match random_secret() {
        Ok(s) => s,
        Err(e) => return error_page(&state, e),
    };
    match agencies::agency_login(&state.core, &code, &username, &form.password, secret).await {
        Ok(session) => {
            state.login_throttle.succeeded(client, &throttle_key);
            let cookie = set_session_cookie(&session.cookie_value, session.expires_at - now, state.site.cookie_secure);
            ([(header::SET_COOKIE, cookie)], Redirect::to(&next)).into_response()
        }
        Err(e @ CoreError::Invalid { code: "login_failed", .. }) => {
            state.login_throttle.failed(client, &throttle_key, now);
            tracing::warn!(target: "audit", account = %throttle_key, client = ?client, "agency login failed");
            again(StatusCode::UNAUTHORIZED, &e.to_string())
        }
        Err(e @ CoreError::Forbidden { .. }) => again(StatusCode::FORBIDDEN, &e.to_string()),
        Err(e) => error_page(&state, e.into()),
    }
}

/// No fields besides the CSRF token.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct NoFields {}

/// `POST /agency/logout`.
pub(crate) async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    ConsoleForm { caller, .. }: ConsoleForm<NoFields>,
) -> Result<Response, PageError> {
    caller.authorize(&state, Action::UseAgencyConsent, &Resource::Platform)?;
    if let Some(cookie) = session_cookie(&headers) {
        core_auth::logout(&state.core, cookie).await.map_err(|e| error_page(&state, e.into()))?;
    }
    let cookie = clear_session_cookie(state.site.cookie_secure);
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/agency/login")).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "agencies/home.html")]
struct HomePage {
    layout: Layout,
    csrf_token: String,
    agency: String,
    username: String,
    consents: Vec<ConsentView>,
}

/// `GET /agency`: the companies that consented, usable consents first.
pub(crate) async fn home(State(state): State<AppState>, caller: ConsoleCaller) -> Result<Response, PageError> {
    caller.authorize(&state, Action::UseAgencyConsent, &Resource::Platform)?;
    let Principal::Agency(me) = &caller.principal else {
        return Err(caller.refuse(&state, xinyong_core::auth::policy::Denied::unauthenticated()).into());
    };
    let mut consents = agencies::consents_held(&state.core, &caller).await.map_err(|e| fail(&state, &caller, e))?;
    consents.sort_by_key(|c| c.state != ConsentState::Active);
    let page = HomePage {
        layout: Layout::new(&state, "企业授权查询"),
        csrf_token: caller.csrf_token().to_owned(),
        agency: me.agency.as_str().to_owned(),
        username: me.username.clone(),
        consents,
    };
    Ok((NO_STORE, page).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct QueryForm {
    #[serde(default)]
    purpose: String,
}

/// `POST /agency/reports/{uscc}`: the consenting company's full report,
/// signed JSON; the query is logged with its purpose.
pub(crate) async fn download(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    ConsoleForm { caller, form }: ConsoleForm<QueryForm>,
) -> Result<Response, PageError> {
    let company = uscc(&state, &raw)?;
    caller.authorize(&state, Action::UseAgencyConsent, &Resource::Subject(company.clone()))?;
    let issued = agencies::query_full_report(&state.core, &caller, &company, &form.purpose)
        .await
        .map_err(|e| fail(&state, &caller, e))?;
    Ok(super::my::report_json(&state, &issued))
}

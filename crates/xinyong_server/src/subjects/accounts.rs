//! Company accounts: the activation with a letter's one-time code, the
//! company login and logout, the staff accounts the main account manages,
//! and the console's activation letter.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xinyong_core::CoreError;
use xinyong_core::auth::policy::{Action, Resource};
use xinyong_core::auth::subject_accounts::{self as accounts, Activation, SubjectAccountView};
use xinyong_core::auth::{self as core_auth};
use xinyong_domain::Uscc;
use xinyong_domain::auth::SubjectAccountRole;

use super::{NO_STORE, company};
use crate::AppState;
use crate::auth::{
    ConsoleCaller, ConsoleForm, PageError, clear_session_cookie, random_secret, safe_next, session_cookie,
    set_session_cookie,
};
use crate::ratelimit::ClientAddr;
use crate::web::{Layout, error_page};

// ---------------------------------------------------------------- login

#[derive(Template, WebTemplate)]
#[template(path = "subjects/login.html")]
struct LoginPage {
    layout: Layout,
    next: String,
    uscc: String,
    username: String,
    notice: Option<&'static str>,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct LoginQuery {
    next: Option<String>,
    activated: Option<String>,
    changed: Option<String>,
}

/// Where a company lands: its own pages only.
fn my_next(next: Option<&str>) -> String {
    let next = safe_next(next);
    if next.starts_with("/my") { next.to_owned() } else { "/my".to_owned() }
}

pub(crate) async fn login_page(State(state): State<AppState>, Query(q): Query<LoginQuery>) -> Response {
    let page = LoginPage {
        layout: Layout::new(&state, "企业登录"),
        next: my_next(q.next.as_deref()),
        uscc: String::new(),
        username: String::new(),
        notice: if q.activated.is_some() {
            Some("账号已开通，请用刚才设置的账号名和密码登录。")
        } else {
            q.changed.is_some().then_some("密码已修改，请用新密码登录。")
        },
        error: None,
    };
    (NO_STORE, page).into_response()
}

#[derive(Debug, Deserialize)]
pub(crate) struct LoginForm {
    uscc: String,
    username: String,
    password: String,
    /// The authenticator's code, for accounts with the second factor on.
    totp: Option<String>,
    next: Option<String>,
}

pub(crate) async fn login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let next = my_next(form.next.as_deref());
    let username = form.username.trim().to_ascii_lowercase();
    let again = |status: StatusCode, message: &str| {
        let page = LoginPage {
            layout: Layout::new(&state, "企业登录"),
            next: next.clone(),
            uscc: form.uscc.trim().to_owned(),
            username: username.clone(),
            notice: None,
            error: Some(message.to_owned()),
        };
        (status, NO_STORE, page).into_response()
    };
    if headers.get("sec-fetch-site").is_some_and(|v| v.as_bytes() == b"cross-site") {
        return again(StatusCode::FORBIDDEN, "请从本站登录页面登录");
    }
    let Ok(uscc) = Uscc::parse(form.uscc.trim()) else {
        return again(StatusCode::UNPROCESSABLE_ENTITY, "统一社会信用代码格式不正确（18 位，含校验位）");
    };
    // Throttled per company and account, like console logins.
    let throttle_key = accounts::session_login(&uscc, &username);
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
    match accounts::subject_login(&state.core, &uscc, &username, &form.password, form.totp.as_deref(), secret).await {
        Ok(session) => {
            state.login_throttle.succeeded(client, &throttle_key);
            let cookie = set_session_cookie(&session.cookie_value, session.expires_at - now, state.site.cookie_secure);
            ([(header::SET_COOKIE, cookie)], Redirect::to(&next)).into_response()
        }
        Err(e @ CoreError::Invalid { code: "login_failed", .. }) => {
            state.login_throttle.failed(client, &throttle_key, now);
            tracing::warn!(target: "audit", account = %throttle_key, client = ?client, "company login failed");
            again(StatusCode::UNAUTHORIZED, &e.to_string())
        }
        Err(e @ CoreError::Invalid { code: "totp_required", .. }) => again(StatusCode::UNAUTHORIZED, &e.to_string()),
        Err(e @ CoreError::Forbidden { .. }) => again(StatusCode::FORBIDDEN, &e.to_string()),
        Err(e) => error_page(&state, e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct NoFields {}

pub(crate) async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    ConsoleForm { caller, .. }: ConsoleForm<NoFields>,
) -> Result<Response, PageError> {
    company(&state, &caller, Action::ViewOwnFile)?;
    if let Some(cookie) = session_cookie(&headers) {
        core_auth::logout(&state.core, cookie).await.map_err(|e| error_page(&state, e.into()))?;
    }
    let cookie = clear_session_cookie(state.site.cookie_secure);
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/my/login")).into_response())
}

// ---------------------------------------------------------------- activation

#[derive(Template, WebTemplate)]
#[template(path = "subjects/activate.html")]
struct ActivatePage {
    layout: Layout,
    uscc: String,
    username: String,
    display_name: String,
    error: Option<String>,
}

pub(crate) async fn activate_page(State(state): State<AppState>) -> Response {
    let page = ActivatePage {
        layout: Layout::new(&state, "开通企业账号"),
        uscc: String::new(),
        username: "admin".to_owned(),
        display_name: String::new(),
        error: None,
    };
    (NO_STORE, page).into_response()
}

#[derive(Debug, Deserialize)]
pub(crate) struct ActivateForm {
    uscc: String,
    code: String,
    username: String,
    display_name: String,
    password: String,
    password_again: String,
}

pub(crate) async fn activate(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    Form(form): Form<ActivateForm>,
) -> Response {
    let username = form.username.trim().to_ascii_lowercase();
    let again = |status: StatusCode, message: &str| {
        let page = ActivatePage {
            layout: Layout::new(&state, "开通企业账号"),
            uscc: form.uscc.trim().to_owned(),
            username: username.clone(),
            display_name: form.display_name.trim().to_owned(),
            error: Some(message.to_owned()),
        };
        (status, NO_STORE, page).into_response()
    };
    let Ok(uscc) = Uscc::parse(form.uscc.trim()) else {
        return again(StatusCode::UNPROCESSABLE_ENTITY, "统一社会信用代码格式不正确（18 位，含校验位）");
    };
    if form.password != form.password_again {
        return again(StatusCode::UNPROCESSABLE_ENTITY, "两次输入的密码不一致");
    }
    // Guessing codes is throttled per company like guessing passwords.
    let throttle_key = format!("activate:{uscc}");
    let now = state.core.now();
    if let Err(wait) = state.login_throttle.check(client, &throttle_key, now) {
        let secs = wait.num_seconds().max(1);
        return again(StatusCode::TOO_MANY_REQUESTS, &format!("尝试次数过多，请在 {secs} 秒后再试"));
    }
    let activation = Activation {
        uscc: uscc.clone(),
        code: form.code.clone(),
        username: username.clone(),
        display_name: form.display_name.clone(),
        password: form.password.clone(),
    };
    match accounts::activate(&state.core, &activation).await {
        Ok(_) => {
            state.login_throttle.succeeded(client, &throttle_key);
            tracing::info!(target: "audit", uscc = %uscc, "company account activated");
            Redirect::to("/my/login?activated=1").into_response()
        }
        Err(e @ CoreError::Invalid { code: "activation_failed", .. }) => {
            state.login_throttle.failed(client, &throttle_key, now);
            tracing::warn!(target: "audit", uscc = %uscc, client = ?client, "company activation failed");
            again(StatusCode::UNAUTHORIZED, &e.to_string())
        }
        Err(e @ CoreError::Invalid { .. }) => again(StatusCode::UNPROCESSABLE_ENTITY, &e.to_string()),
        Err(e) => error_page(&state, e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct RegistrationForm {
    uscc: String,
    representative_name: String,
    representative_id: String,
    username: String,
    display_name: String,
    password: String,
    password_again: String,
}

/// Opens the main account by the legal representative's name and ID number
/// as registered. Attempts are throttled per company like codes; the audit
/// line carries the ID number masked.
pub(crate) async fn activate_by_registration(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    Form(form): Form<RegistrationForm>,
) -> Response {
    let username = form.username.trim().to_ascii_lowercase();
    let again = |status: StatusCode, message: &str| {
        let page = ActivatePage {
            layout: Layout::new(&state, "开通企业账号"),
            uscc: form.uscc.trim().to_owned(),
            username: username.clone(),
            display_name: form.display_name.trim().to_owned(),
            error: Some(message.to_owned()),
        };
        (status, NO_STORE, page).into_response()
    };
    let Ok(uscc) = Uscc::parse(form.uscc.trim()) else {
        return again(StatusCode::UNPROCESSABLE_ENTITY, "统一社会信用代码格式不正确（18 位，含校验位）");
    };
    if form.password != form.password_again {
        return again(StatusCode::UNPROCESSABLE_ENTITY, "两次输入的密码不一致");
    }
    let throttle_key = format!("activate:{uscc}");
    let now = state.core.now();
    if let Err(wait) = state.login_throttle.check(client, &throttle_key, now) {
        let secs = wait.num_seconds().max(1);
        return again(StatusCode::TOO_MANY_REQUESTS, &format!("尝试次数过多，请在 {secs} 秒后再试"));
    }
    let masked = state.core.settings().mask.mask_id(form.representative_id.trim());
    let activation = accounts::RegistrationActivation {
        uscc: uscc.clone(),
        representative_name: form.representative_name.clone(),
        representative_id: form.representative_id.clone(),
        username: username.clone(),
        display_name: form.display_name.clone(),
        password: form.password.clone(),
    };
    match accounts::activate_by_registration(&state.core, &activation).await {
        Ok(_) => {
            state.login_throttle.succeeded(client, &throttle_key);
            tracing::info!(target: "audit", uscc = %uscc, id = %masked, "company account activated by registration data");
            Redirect::to("/my/login?activated=1").into_response()
        }
        Err(e @ CoreError::Invalid { code: "activation_failed", .. }) => {
            state.login_throttle.failed(client, &throttle_key, now);
            tracing::warn!(target: "audit", uscc = %uscc, id = %masked, client = ?client, "company activation by registration data failed");
            again(StatusCode::UNPROCESSABLE_ENTITY, &e.to_string())
        }
        Err(e @ CoreError::Invalid { .. }) => again(StatusCode::UNPROCESSABLE_ENTITY, &e.to_string()),
        Err(e) => error_page(&state, e.into()),
    }
}

// ---------------------------------------------------------------- staff accounts

#[derive(Template, WebTemplate)]
#[template(path = "subjects/accounts.html")]
struct AccountsPage {
    layout: Layout,
    csrf_token: String,
    is_main: bool,
    me: String,
    /// The second factor is on; else a fresh secret to turn it on with.
    totp_on: bool,
    totp_secret: String,
    totp_uri: String,
    accounts: Vec<SubjectAccountView>,
    notice: Option<String>,
    error: Option<String>,
}

async fn accounts_page_with(
    state: &AppState,
    caller: &ConsoleCaller,
    status: StatusCode,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Response, PageError> {
    let me = company(state, caller, Action::ViewOwnFile)?;
    let list = accounts::accounts_of(&state.core, &caller.principal, &me.uscc)
        .await
        .map_err(|e| error_page(state, e.into()))?;
    let totp_on =
        accounts::totp_enabled(&state.core, &caller.principal).await.map_err(|e| error_page(state, e.into()))?;
    // A fresh secret each time the page is shown; it counts only once confirmed.
    let secret = random_secret().map_err(|e| error_page(state, e))?;
    let totp_secret = xinyong_core::auth::totp::base32_encode(&secret[..20]);
    let account = format!("{}:{}", me.uscc, me.username);
    let totp_uri = xinyong_core::auth::totp::otpauth_uri(&state.site.site_name, &account, &totp_secret);
    let page = AccountsPage {
        layout: Layout::new(state, "企业账号管理"),
        csrf_token: caller.csrf_token().to_owned(),
        is_main: me.role == SubjectAccountRole::LegalRepresentative,
        me: me.username,
        totp_on,
        totp_secret,
        totp_uri,
        accounts: list,
        notice,
        error,
    };
    Ok((status, NO_STORE, page).into_response())
}

pub(crate) async fn accounts_page(State(state): State<AppState>, caller: ConsoleCaller) -> Result<Response, PageError> {
    accounts_page_with(&state, &caller, StatusCode::OK, None, None).await
}

#[derive(Debug, Deserialize)]
pub(crate) struct StaffForm {
    username: String,
    display_name: String,
    password: String,
}

pub(crate) async fn add_staff(
    State(state): State<AppState>,
    ConsoleForm { caller, form }: ConsoleForm<StaffForm>,
) -> Result<Response, PageError> {
    company(&state, &caller, Action::ViewOwnFile)?;
    let username = form.username.trim().to_ascii_lowercase();
    match accounts::add_staff_account(&state.core, &caller.principal, &username, &form.display_name, &form.password)
        .await
    {
        Ok(()) => {
            accounts_page_with(&state, &caller, StatusCode::OK, Some(format!("已添加经办人账号“{username}”。")), None)
                .await
        }
        Err(e @ (CoreError::Invalid { .. } | CoreError::Forbidden { .. })) => {
            accounts_page_with(&state, &caller, StatusCode::UNPROCESSABLE_ENTITY, None, Some(e.to_string())).await
        }
        Err(e) => Err(error_page(&state, e.into()).into()),
    }
}

pub(crate) async fn disable_staff(
    State(state): State<AppState>,
    Path(username): Path<String>,
    ConsoleForm { caller, .. }: ConsoleForm<NoFields>,
) -> Result<Response, PageError> {
    company(&state, &caller, Action::ViewOwnFile)?;
    match accounts::remove_staff_account(&state.core, &caller.principal, &username).await {
        Ok(()) => {
            accounts_page_with(&state, &caller, StatusCode::OK, Some(format!("已停用账号“{username}”。")), None).await
        }
        Err(e @ (CoreError::Invalid { .. } | CoreError::Forbidden { .. } | CoreError::NotFound { .. })) => {
            accounts_page_with(&state, &caller, StatusCode::UNPROCESSABLE_ENTITY, None, Some(e.to_string())).await
        }
        Err(e) => Err(error_page(&state, e.into()).into()),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct PasswordForm {
    current: String,
    password: String,
    password_again: String,
}

/// The account changes its own password; its sessions end, so it logs in again.
pub(crate) async fn change_password(
    State(state): State<AppState>,
    ConsoleForm { caller, form }: ConsoleForm<PasswordForm>,
) -> Result<Response, PageError> {
    company(&state, &caller, Action::ViewOwnFile)?;
    if form.password != form.password_again {
        let message = Some("两次输入的新密码不一致".to_owned());
        return accounts_page_with(&state, &caller, StatusCode::UNPROCESSABLE_ENTITY, None, message).await;
    }
    match accounts::change_password(&state.core, &caller.principal, &form.current, &form.password).await {
        Ok(()) => {
            let cookie = clear_session_cookie(state.site.cookie_secure);
            Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/my/login?changed=1")).into_response())
        }
        Err(e @ (CoreError::Invalid { .. } | CoreError::Forbidden { .. })) => {
            accounts_page_with(&state, &caller, StatusCode::UNPROCESSABLE_ENTITY, None, Some(e.to_string())).await
        }
        Err(e) => Err(error_page(&state, e.into()).into()),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct TotpForm {
    secret: String,
    code: String,
}

/// Turns the account's second factor on (the code proves the app has the secret).
pub(crate) async fn enable_totp(
    State(state): State<AppState>,
    ConsoleForm { caller, form }: ConsoleForm<TotpForm>,
) -> Result<Response, PageError> {
    company(&state, &caller, Action::ViewOwnFile)?;
    let done = accounts::enable_totp(&state.core, &caller.principal, &form.secret, &form.code).await;
    account_result(&state, &caller, done, "已开启动态验证码：以后登录时还须输入验证器上的 6 位数字。").await
}

#[derive(Debug, Deserialize)]
pub(crate) struct DisableTotpForm {
    password: String,
}

pub(crate) async fn disable_totp(
    State(state): State<AppState>,
    ConsoleForm { caller, form }: ConsoleForm<DisableTotpForm>,
) -> Result<Response, PageError> {
    company(&state, &caller, Action::ViewOwnFile)?;
    let done = accounts::disable_totp(&state.core, &caller.principal, &form.password).await;
    account_result(&state, &caller, done, "已关闭动态验证码。").await
}

/// The accounts page again: with the notice, or the reason it did not work.
async fn account_result(
    state: &AppState,
    caller: &ConsoleCaller,
    done: xinyong_core::Result<()>,
    notice: &str,
) -> Result<Response, PageError> {
    match done {
        Ok(()) => accounts_page_with(state, caller, StatusCode::OK, Some(notice.to_owned()), None).await,
        Err(e @ (CoreError::Invalid { .. } | CoreError::Forbidden { .. } | CoreError::NotFound { .. })) => {
            accounts_page_with(state, caller, StatusCode::UNPROCESSABLE_ENTITY, None, Some(e.to_string())).await
        }
        Err(e) => Err(error_page(state, e.into()).into()),
    }
}

// ---------------------------------------------------------------- activation letters (console)

#[derive(Template, WebTemplate)]
#[template(path = "subjects/letter.html")]
struct LetterPage {
    layout: Layout,
    letter: accounts::ActivationLetter,
    issued_by: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct LetterForm {
    uscc: String,
}

/// Issues an activation letter and shows it, ready to print. The code is on
/// this page only: it is not stored.
pub(crate) async fn issue_letter(
    State(state): State<AppState>,
    ConsoleForm { caller, form }: ConsoleForm<LetterForm>,
) -> Result<Response, PageError> {
    caller.authorize(&state, Action::IssueActivationCode, &Resource::unknown_for(&caller.principal))?;
    let Ok(uscc) = Uscc::parse(form.uscc.trim()) else {
        let e = crate::ApiError::bad_request("uscc_invalid", "统一社会信用代码格式不正确（18 位，含校验位）");
        return Err(error_page(&state, e).into());
    };
    let secret = random_secret().map_err(|e| error_page(&state, e))?;
    let mut code = [0u8; 10];
    code.copy_from_slice(&secret[..10]);
    let letter = accounts::issue_activation_code(&state.core, &caller.principal, &uscc, code)
        .await
        .map_err(|e| error_page(&state, e.into()))?;
    let issued_by = caller.session.as_ref().map_or_else(String::new, |s| s.display_name.clone());
    tracing::info!(target: "audit", uscc = %uscc, code_id = %letter.code_id, by = %caller.actor().as_str(), "activation letter issued");
    let page = LetterPage { layout: Layout::new(&state, "企业账号开通函"), letter, issued_by };
    Ok((NO_STORE, page).into_response())
}

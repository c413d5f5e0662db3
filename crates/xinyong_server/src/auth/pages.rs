//! The department console: login, logout, the console home (who you are,
//! your department's API tokens; for the credit office also departments and
//! users), and the small JSON `whoami` endpoint integrators test tokens with.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use serde::{Deserialize, Serialize};
use xinyong_core::CoreError;
use xinyong_core::auth::policy::{Action, Denied, Principal, Resource, Scope, authorize};
use xinyong_core::auth::{self as core_auth, NewUser, SessionUser};
use xinyong_domain::auth::{Department, DepartmentCode, Role};

use crate::auth::{
    ApiCaller, ConsoleCaller, ConsoleForm, PageError, clear_session_cookie, random_secret, safe_next, session_cookie,
    set_session_cookie,
};
use crate::ratelimit::ClientAddr;
use crate::web::{Layout, beijing, error_page};
use crate::{ApiError, ApiResult, AppState};

/// Console pages show non-public data: never cache them anywhere.
const NO_STORE: [(header::HeaderName, &str); 1] = [(header::CACHE_CONTROL, "no-store")];

// ---------------------------------------------------------------------------
// Login and logout
// ---------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "auth/login.html")]
struct LoginPage {
    layout: Layout,
    next: String,
    login: String,
    error: Option<String>,
    /// The password was reset: ask for a new one next to the temporary one.
    change_password: bool,
}

#[derive(Debug, Deserialize)]
pub(crate) struct NextQuery {
    next: Option<String>,
}

pub(crate) async fn login_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Response {
    let next = safe_next(q.next.as_deref()).to_owned();
    // Already logged in: straight on.
    if let Some(cookie) = session_cookie(&headers)
        && let Ok(Some(_)) = core_auth::session(&state.core, cookie).await
    {
        return Redirect::to(&next).into_response();
    }
    let page = LoginPage {
        layout: Layout::new(&state, "部门工作台登录"),
        next,
        login: String::new(),
        error: None,
        change_password: false,
    };
    (NO_STORE, page).into_response()
}

#[derive(Debug, Deserialize)]
pub(crate) struct LoginForm {
    login: String,
    password: String,
    /// Set when the password was reset by an administrator.
    new_password: Option<String>,
    next: Option<String>,
}

pub(crate) async fn login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let next = safe_next(form.next.as_deref()).to_owned();
    let login = form.login.trim().to_owned();
    let again_asking = |status: StatusCode, message: &str, change_password: bool| {
        let page = LoginPage {
            layout: Layout::new(&state, "部门工作台登录"),
            next: next.clone(),
            login: login.clone(),
            error: Some(message.to_owned()),
            change_password,
        };
        (status, NO_STORE, page).into_response()
    };
    let again = |status: StatusCode, message: &str| again_asking(status, message, false);
    // Login CSRF: a page on another site must not log the browser into an
    // account of the attacker's choosing. Browsers label such posts.
    if headers.get("sec-fetch-site").is_some_and(|v| v.as_bytes() == b"cross-site") {
        return again(StatusCode::FORBIDDEN, "请从本站登录页面登录");
    }
    let now = state.core.now();
    // What the audit lines show of the name typed (bounded: anyone can type).
    let named: String = login.chars().take(64).collect();
    if let Err(wait) = state.login_throttle.check(client, &login, now) {
        let secs = wait.num_seconds().max(1);
        tracing::warn!(target: "audit", login = %named, client = ?client, wait_secs = secs, "console login refused: waiting after failures");
        let page = again(StatusCode::TOO_MANY_REQUESTS, &format!("登录失败次数过多，请在 {secs} 秒后再试"));
        return ([(header::RETRY_AFTER, secs.to_string())], page).into_response();
    }
    let secret = match random_secret() {
        Ok(s) => s,
        Err(e) => return error_page(&state, e),
    };
    let attempt = match form.new_password.as_deref().filter(|p| !p.is_empty()) {
        Some(new) => core_auth::login_with_new_password(&state.core, &login, &form.password, new, secret).await,
        None => core_auth::login(&state.core, &login, &form.password, secret).await,
    };
    match attempt {
        Ok(session) => {
            state.login_throttle.succeeded(client, &login);
            let max_age = session.expires_at - now;
            let cookie = set_session_cookie(&session.cookie_value, max_age, state.site.cookie_secure);
            ([(header::SET_COOKIE, cookie)], Redirect::to(&next)).into_response()
        }
        Err(e @ CoreError::Invalid { code: "login_failed", .. }) => {
            state.login_throttle.failed(client, &login, now);
            tracing::warn!(target: "audit", login = %named, client = ?client, "console login failed");
            again(StatusCode::UNAUTHORIZED, &e.to_string())
        }
        // A temporary password is right: the new one is asked for (again).
        Err(e @ CoreError::Invalid { code: "password_change_required" | "password_weak", .. }) => {
            state.login_throttle.succeeded(client, &login);
            again_asking(StatusCode::UNPROCESSABLE_ENTITY, &e.to_string(), true)
        }
        Err(e @ CoreError::Invalid { code: "password_change_not_required", .. }) => {
            again(StatusCode::UNPROCESSABLE_ENTITY, &e.to_string())
        }
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
    caller.authorize(&state, Action::LogOut, &Resource::Platform)?;
    if let Some(cookie) = session_cookie(&headers) {
        core_auth::logout(&state.core, cookie).await.map_err(|e| error_page(&state, e.into()))?;
    }
    let cookie = clear_session_cookie(state.site.cookie_secure);
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/console/login")).into_response())
}

// ---------------------------------------------------------------------------
// Console home
// ---------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "auth/console.html")]
struct ConsolePage {
    layout: Layout,
    me: Me,
    notice: Option<&'static str>,
    /// Whether the user may see tokens at all, and which: their
    /// department's, or every department's for the credit office.
    show_tokens: bool,
    tokens: Vec<TokenRow>,
    /// Whether the user may issue tokens, and whether they choose for which
    /// department (the credit office) or issue for their own.
    can_issue: bool,
    choose_token_department: bool,
    /// The user manages users and sees the departments (the credit office).
    manage_users: bool,
    /// Departments to issue for, or every department for user management.
    departments: Vec<DepartmentRow>,
    users: Vec<UserRow>,
    roles: Vec<RoleOption>,
    /// Objections and repair applications (the department's, or all for the
    /// credit office), with the overdue objections counted.
    show_redress: bool,
    objections_overdue: u64,
}

struct Me {
    login: String,
    display_name: String,
    department: String,
    roles: String,
    csrf_token: String,
    expires_at: String,
}

struct TokenRow {
    token_id: String,
    department: String,
    label: String,
    revoked: bool,
}

struct DepartmentRow {
    code: String,
    name: String,
    uscc: String,
    district: String,
    sector: String,
}

struct UserRow {
    login: String,
    display_name: String,
    department: String,
    roles: String,
    active: bool,
}

struct RoleOption {
    field: &'static str,
    name: &'static str,
}

#[derive(Debug, Deserialize)]
pub(crate) struct HomeQuery {
    notice: Option<String>,
}

/// Notices after a redirect, chosen by code so no text from the URL is shown.
fn notice_text(code: &str) -> Option<&'static str> {
    match code {
        "token_revoked" => Some("令牌已吊销，使用它的系统将无法再调用接口。"),
        "user_disabled" => Some("用户已停用：其登录会话已结束，不能再登录。"),
        "user_created" => Some("用户已创建。请通过安全渠道把初始密码告知本人。"),
        _ => None,
    }
}

fn role_names(roles: &[Role]) -> String {
    roles.iter().map(Role::name_zh).collect::<Vec<_>>().join("、")
}

fn department_label(departments: &[Department], code: Option<&DepartmentCode>) -> String {
    match code {
        Some(code) => departments
            .iter()
            .find(|d| d.code == *code)
            .map_or_else(|| code.to_string(), |d| format!("{}（{}）", d.name, d.code)),
        None => "信用办（不属于报送部门）".to_owned(),
    }
}

pub(crate) async fn home(
    State(state): State<AppState>,
    caller: ConsoleCaller,
    Query(q): Query<HomeQuery>,
) -> Result<Response, PageError> {
    caller.authorize(&state, Action::ViewConsole, &Resource::Platform)?;
    let user = caller.session.as_ref().ok_or_else(|| caller.refuse(&state, Denied::unauthenticated()))?;
    let page = console_page(&state, &caller.principal, user, q.notice.as_deref().and_then(notice_text))
        .await
        .map_err(|e| error_page(&state, e))?;
    Ok((NO_STORE, page).into_response())
}

/// The console home: what the user may do decides what it offers.
async fn console_page(
    state: &AppState,
    principal: &Principal,
    user: &SessionUser,
    notice: Option<&'static str>,
) -> Result<ConsolePage, ApiError> {
    let core = &state.core;
    let may = |action, resource: &Resource| authorize(principal, action, resource).is_ok();
    let all_departments = core_auth::departments(core).await?;
    let token_scope = xinyong_core::auth::policy::scope(principal, Action::ViewTokens).ok();
    let tokens = match &token_scope {
        Some(Scope::All) => core_auth::tokens(core, None).await?,
        Some(Scope::Department(d)) => core_auth::tokens(core, Some(d)).await?,
        None => Vec::new(),
    };
    let manage_users = may(Action::ManageUsers, &Resource::Platform);
    let users = if manage_users { core_auth::users(core).await? } else { Vec::new() };
    let redress_scope = xinyong_core::auth::policy::scope(principal, Action::ViewObjections).ok();
    let objections_overdue = match &redress_scope {
        Some(scope) => xinyong_core::objections::overdue_objections(core, scope.department()).await?,
        None => 0,
    };
    let issuable: Vec<&Department> =
        all_departments.iter().filter(|d| may(Action::IssueTokens, &Resource::Department(d.code.clone()))).collect();
    Ok(ConsolePage {
        layout: Layout::new(state, "部门工作台"),
        me: Me {
            login: user.login.clone(),
            display_name: user.display_name.clone(),
            department: department_label(&all_departments, user.department.as_ref()),
            roles: role_names(&user.roles),
            csrf_token: user.csrf_token.clone(),
            expires_at: user.expires_at.with_timezone(&beijing()).format("%Y-%m-%d %H:%M").to_string(),
        },
        notice,
        show_tokens: token_scope.is_some(),
        can_issue: !issuable.is_empty(),
        choose_token_department: may(Action::IssueTokens, &Resource::AllDepartments),
        manage_users,
        tokens: tokens
            .into_iter()
            .map(|t| TokenRow {
                department: department_label(&all_departments, Some(&t.department)),
                token_id: t.token_id,
                label: t.label,
                revoked: t.revoked,
            })
            .collect(),
        departments: if manage_users { all_departments.iter().collect() } else { issuable }
            .into_iter()
            .map(|d| DepartmentRow {
                code: d.code.to_string(),
                name: d.name.clone(),
                uscc: d.uscc.as_ref().map_or_else(String::new, |u| u.as_str().to_owned()),
                district: d.district.clone(),
                sector: d.sector.as_ref().map_or_else(String::new, |code| sector_name(state, code)),
            })
            .collect(),
        users: users
            .into_iter()
            .map(|u| UserRow {
                department: department_label(&all_departments, u.department.as_ref()),
                roles: role_names(&u.roles),
                login: u.login,
                display_name: u.display_name,
                active: u.active,
            })
            .collect(),
        roles: Role::ALL.iter().map(|r| RoleOption { field: role_field(*r), name: r.name_zh() }).collect(),
        show_redress: redress_scope.is_some(),
        objections_overdue,
    })
}

/// A department's sector as people say it (`rules/publicity.toml`
/// `[sectors]`: 市场监管), or its code when the rules do not name it.
fn sector_name(state: &AppState, code: &str) -> String {
    // Departments that publish no 双公示 of their own have no publicity
    // rules, so the rules do not name their sectors.
    match code {
        "credit_office" => "社会信用体系建设".to_owned(),
        "finance" => "财政".to_owned(),
        "finance_regulation" => "金融监管".to_owned(),
        "public_resources" => "公共资源交易".to_owned(),
        _ => state.core.rules().publicity.sectors().get(code).cloned().unwrap_or_else(|| code.to_owned()),
    }
}

// ---------------------------------------------------------------------------
// API tokens
// ---------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "auth/token.html")]
struct TokenIssuedPage {
    layout: Layout,
    token_id: String,
    token: String,
    department: String,
    label: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct IssueTokenForm {
    label: String,
    /// Administrators choose; a department user's own department otherwise.
    department: Option<String>,
}

pub(crate) async fn issue_token(
    State(state): State<AppState>,
    ConsoleForm { caller, form }: ConsoleForm<IssueTokenForm>,
) -> Result<Response, PageError> {
    let department = match form.department.as_deref().filter(|d| !d.is_empty()) {
        Some(raw) => DepartmentCode::parse(raw)
            .map_err(|e| error_page(&state, ApiError::bad_request("department_invalid", e.to_string())))?,
        None => caller.own_department(&state)?,
    };
    caller.authorize(&state, Action::IssueTokens, &Resource::Department(department.clone()))?;
    let page = issue_token_page(&state, &caller.principal, &department, &form.label).await;
    Ok(page.map_or_else(|e| error_page(&state, e), |page| (NO_STORE, page).into_response()))
}

async fn issue_token_page(
    state: &AppState,
    principal: &Principal,
    department: &DepartmentCode,
    label: &str,
) -> Result<TokenIssuedPage, ApiError> {
    let secret = random_secret()?;
    let issued = core_auth::issue_token(&state.core, &principal.actor(), department, label, secret).await?;
    let departments = core_auth::departments(&state.core).await?;
    Ok(TokenIssuedPage {
        layout: Layout::new(state, "令牌已签发"),
        token_id: issued.token_id,
        token: issued.token,
        department: department_label(&departments, Some(department)),
        label: label.trim().to_owned(),
    })
}

pub(crate) async fn revoke_token(
    State(state): State<AppState>,
    Path(token_id): Path<String>,
    ConsoleForm { caller, .. }: ConsoleForm<NoFields>,
) -> Result<Response, PageError> {
    let token = core_auth::token(&state.core, &token_id).await.map_err(|e| error_page(&state, e.into()))?;
    let resource =
        token.as_ref().map_or_else(|| Resource::unknown_for(&caller), |t| Resource::Department(t.department.clone()));
    caller.authorize(&state, Action::RevokeTokens, &resource)?;
    let token = token
        .ok_or_else(|| error_page(&state, ApiError::new(StatusCode::NOT_FOUND, "token_not_found", "令牌不存在")))?;
    core_auth::revoke_token(&state.core, &caller.actor(), &token.token_id)
        .await
        .map_err(|e| error_page(&state, e.into()))?;
    // A cached token must stop working now, not when its entry expires.
    state.tokens.clear();
    Ok(Redirect::to("/console?notice=token_revoked").into_response())
}

// ---------------------------------------------------------------------------
// Users (credit office administrators)
// ---------------------------------------------------------------------------

/// Each role is a checkbox `role_<name>`: urlencoded forms repeat keys for
/// multiple values, which the form decoder does not collect into a list.
fn role_field(role: Role) -> &'static str {
    match role {
        Role::Operator => "role_operator",
        Role::Reviewer => "role_reviewer",
        Role::Admin => "role_admin",
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct CreateUserForm {
    login: String,
    display_name: String,
    department: Option<String>,
    role_operator: Option<String>,
    role_reviewer: Option<String>,
    role_admin: Option<String>,
    password: String,
}

pub(crate) async fn create_user(
    State(state): State<AppState>,
    ConsoleForm { caller, form }: ConsoleForm<CreateUserForm>,
) -> Result<Response, PageError> {
    caller.authorize(&state, Action::ManageUsers, &Resource::Platform)?;
    let created = async {
        let department = match form.department.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            Some(raw) => Some(
                DepartmentCode::parse(raw).map_err(|e| ApiError::bad_request("department_invalid", e.to_string()))?,
            ),
            None => None,
        };
        let roles = [
            (Role::Operator, &form.role_operator),
            (Role::Reviewer, &form.role_reviewer),
            (Role::Admin, &form.role_admin),
        ]
        .into_iter()
        .filter(|(_, checked)| checked.is_some())
        .map(|(role, _)| role)
        .collect();
        let new_user =
            NewUser { login: form.login.trim().to_owned(), display_name: form.display_name, department, roles };
        core_auth::create_user(&state.core, &caller.actor(), new_user, &form.password).await?;
        Ok::<_, ApiError>(())
    };
    created.await.map_err(|e| error_page(&state, e))?;
    Ok(Redirect::to("/console?notice=user_created").into_response())
}

/// `POST /console/users/{login}/disable`: the user's sessions end and they
/// cannot log in again. An administrator does not disable themself (the
/// platform would be left without the one who can undo mistakes).
pub(crate) async fn disable_user(
    State(state): State<AppState>,
    Path(login): Path<String>,
    ConsoleForm { caller, .. }: ConsoleForm<NoFields>,
) -> Result<Response, PageError> {
    caller.authorize(&state, Action::ManageUsers, &Resource::Platform)?;
    if caller.session.as_ref().is_some_and(|s| s.login == login) {
        let e = ApiError::new(StatusCode::CONFLICT, "cannot_disable_self", "不能停用自己的账号，请由另一位管理员操作");
        return Err(error_page(&state, e).into());
    }
    core_auth::disable_user(&state.core, &caller.actor(), &login).await.map_err(|e| error_page(&state, e.into()))?;
    Ok(Redirect::to("/console?notice=user_disabled").into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/password_reset.html")]
struct PasswordResetPage {
    layout: Layout,
    login: String,
    display_name: String,
    password: String,
}

/// `POST /console/users/{login}/reset-password`: a temporary password,
/// shown once, for the administrator to hand over; the user's sessions end
/// and the next login asks for a new password.
pub(crate) async fn reset_password(
    State(state): State<AppState>,
    Path(login): Path<String>,
    ConsoleForm { caller, .. }: ConsoleForm<NoFields>,
) -> Result<Response, PageError> {
    caller.authorize(&state, Action::ManageUsers, &Resource::Platform)?;
    let reset = async {
        let secret = random_secret()?;
        let password = core_auth::reset_password(&state.core, &caller.actor(), &login, secret).await?;
        let user = core_auth::user(&state.core, &login).await?;
        Ok::<_, ApiError>(PasswordResetPage {
            layout: Layout::new(&state, "密码已重置"),
            display_name: user.map(|u| u.display_name).unwrap_or_default(),
            login: login.clone(),
            password,
        })
    };
    let page = reset.await.map_err(|e| error_page(&state, e))?;
    Ok((NO_STORE, page).into_response())
}

// ---------------------------------------------------------------------------
// whoami
// ---------------------------------------------------------------------------

#[derive(Debug, Serialize)]
pub(crate) struct WhoAmI {
    department: String,
    via: &'static str,
}

/// `GET /api/v1/whoami`: lets a department's integrator check a token.
pub(crate) async fn whoami(caller: ApiCaller) -> ApiResult<Json<WhoAmI>> {
    authorize(&caller, Action::ViewIdentity, &Resource::Platform)?;
    let department = caller.own_department()?;
    let via = if matches!(*caller, Principal::Token(_)) { "token" } else { "session" };
    Ok(Json(WhoAmI { department: department.to_string(), via }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::SESSION_COOKIE;

    #[test]
    fn only_known_notices_are_shown() {
        assert!(notice_text("token_revoked").is_some());
        assert!(notice_text("<script>").is_none());
    }

    #[test]
    fn the_session_cookie_name_is_stable() {
        // Deployed browsers hold this name; changing it logs everyone out.
        assert_eq!(SESSION_COOKIE, "xinyong_session");
    }
}

//! Departments, console users, sessions and API tokens, and the access
//! policy ([`policy`]: who may do what).
//!
//! Departments, users and tokens are credit-platform facts: every change is
//! an event (`department_registered`, `user_*`, `api_token_*`) and the tables
//! read here are their projections. Console sessions are the one exception:
//! operational state in the `sessions` table, never in the log.
//!
//! Secrets come in as arguments (`session_secret`, token `secret` bytes): this
//! crate never draws randomness for them, so the server and the CLI decide
//! where it comes from (the OS) and tests can use fixed bytes. Only the salt of
//! a password hash is drawn inside, by the Argon2 library itself.
//!
//! Nothing secret is stored in a form that lets a database reader log in:
//! passwords as Argon2id PHC strings, session cookies and API tokens as their
//! SHA-256.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as BASE64URL;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use xinyong_domain::DivisionCode;
use xinyong_domain::auth::{
    ApiTokenRow, AuthEvent, Department, DepartmentCode, DepartmentRow, Role, User, UserRow, valid_login,
};
use xinyong_domain::codes::uscc::Uscc;
use xinyong_domain::event::{Actor, NewEvent};
use xinyong_storage::{Page, StoredSession};

use crate::error::{CoreError, Result};
use crate::log::Core;

pub mod names;
pub mod policy;
pub mod subject_accounts;
pub mod totp;

use policy::{Principal, SubjectPrincipal, TokenPrincipal, UserPrincipal};

/// Session settings, from configuration.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// How long a console login lasts. A working day plus overtime: clerks log
    /// in once in the morning; a stolen cookie is useless by the next day.
    pub session_ttl: Duration,
}

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings { session_ttl: Duration::hours(12) }
    }
}

// ---------------------------------------------------------------------------
// Departments
// ---------------------------------------------------------------------------

/// `rules/departments.toml` as compiled into the binary.
pub const SHIPPED_DEPARTMENTS_TOML: &str = include_str!("../../../../rules/departments.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DepartmentsFile {
    #[expect(dead_code, reason = "the file's version is for people; departments are versioned by their events")]
    version: String,
    departments: Vec<DepartmentEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DepartmentEntry {
    code: String,
    name: String,
    uscc: Option<String>,
    district: String,
    sector: Option<String>,
}

fn departments_error(message: String) -> CoreError {
    CoreError::invalid("departments_file_invalid", message)
}

/// Parses a departments file. Stricter than deserialising [`Department`]:
/// USCCs must pass both checks, districts must be known division codes, and
/// codes must be unique.
pub fn parse_departments(text: &str) -> Result<Vec<Department>> {
    let file: DepartmentsFile =
        toml::from_str(text).map_err(|e| departments_error(format!("部门清单格式错误：{e}")))?;
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::with_capacity(file.departments.len());
    for entry in file.departments {
        let code = DepartmentCode::parse(&entry.code).map_err(|e| departments_error(e.to_string()))?;
        if !seen.insert(code.clone()) {
            return Err(departments_error(format!("部门代码 {code} 重复")));
        }
        let name = entry.name.trim().to_owned();
        if name.is_empty() {
            return Err(departments_error(format!("部门 {code} 缺少名称")));
        }
        let uscc = match entry.uscc.as_deref() {
            Some(raw) => {
                Some(Uscc::parse(raw).map_err(|e| departments_error(format!("部门 {code} 的统一社会信用代码：{e}")))?)
            }
            None => None,
        };
        let district = DivisionCode::parse(&entry.district)
            .map_err(|e| departments_error(format!("部门 {code} 的行政区划：{e}")))?;
        let sector = entry.sector.filter(|s| !s.is_empty());
        if let Some(s) = &sector
            && !s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
        {
            return Err(departments_error(format!("部门 {code} 的行业 {s:?} 应为小写字母和下划线")));
        }
        out.push(Department { code, name, uscc, district: district.code().to_owned(), sector });
    }
    Ok(out)
}

/// The departments shipped in `rules/departments.toml`.
pub fn shipped_departments() -> Result<Vec<Department>> {
    parse_departments(SHIPPED_DEPARTMENTS_TOML)
}

/// Registers every department not yet known (one `department_registered`
/// event each, in one append). Known departments are left as they are, so
/// running it again appends nothing. Returns how many were registered.
pub async fn seed_departments(core: &Core, departments: &[Department]) -> Result<usize> {
    let known: std::collections::BTreeSet<DepartmentCode> = core
        .store()
        .get_many(departments.iter().map(|d| DepartmentRow::key(&d.code)))
        .await?
        .into_iter()
        .map(|r| r.code)
        .collect();
    let events: Vec<NewEvent> = departments
        .iter()
        .filter(|d| !known.contains(&d.code))
        .map(|d| NewEvent::new(Actor::system(), AuthEvent::DepartmentRegistered { department: d.clone() }))
        .collect();
    let count = events.len();
    if count > 0 {
        core.append(events).await?;
    }
    Ok(count)
}

/// Most departments, users or tokens one list reads. A city registers a few
/// dozen departments and their systems; a list longer than this pages.
pub const MAX_LISTED: u32 = 5_000;

/// Every registered department (up to [`MAX_LISTED`]), by code.
pub async fn departments(core: &Core) -> Result<Vec<Department>> {
    let rows = xinyong_storage::auth::departments(core.store(), MAX_LISTED).await?;
    Ok(rows.into_iter().map(department_from_row).collect())
}

pub async fn department(core: &Core, code: &DepartmentCode) -> Result<Option<Department>> {
    Ok(core.store().get(DepartmentRow::key(code)).await?.map(department_from_row))
}

fn department_from_row(row: DepartmentRow) -> Department {
    Department { code: row.code, name: row.name, uscc: row.uscc, district: row.district, sector: row.sector }
}

async fn require_department(core: &Core, code: &DepartmentCode) -> Result<Department> {
    department(core, code)
        .await?
        .ok_or_else(|| CoreError::invalid("department_unknown", format!("部门“{code}”未在平台登记")))
}

// ---------------------------------------------------------------------------
// Users
// ---------------------------------------------------------------------------

/// A console user as pages show it (never the password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserView {
    pub login: String,
    pub display_name: String,
    pub department: Option<DepartmentCode>,
    pub roles: Vec<Role>,
    pub active: bool,
    /// The password is temporary (reset by an administrator).
    pub must_change_password: bool,
}

/// What an administrator fills in to create a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub login: String,
    pub display_name: String,
    pub department: Option<DepartmentCode>,
    pub roles: Vec<Role>,
}

/// Shortest password accepted. Ten characters from two classes put an online
/// guesser (rate-limited to 10 tries per 15 minutes per login) far out of reach.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest password accepted: enough for any passphrase, small enough that
/// hashing it costs nothing extra.
pub const MAX_PASSWORD_BYTES: usize = 256;

/// The password rules, with the message a clerk sees.
pub fn check_password_policy(password: &str) -> Result<()> {
    let weak = |m: &str| Err(CoreError::invalid("password_weak", m));
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return weak(&format!("密码至少 {MIN_PASSWORD_CHARS} 个字符"));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return weak(&format!("密码最长 {MAX_PASSWORD_BYTES} 字节"));
    }
    let class = |c: char| {
        if c.is_ascii_lowercase() {
            0
        } else if c.is_ascii_uppercase() {
            1
        } else if c.is_ascii_digit() {
            2
        } else {
            3
        }
    };
    let mut chars = password.chars().map(class);
    let first = chars.next();
    if chars.all(|c| Some(c) == first) {
        return weak("密码不能只由一类字符组成（请混合使用字母、数字或符号）");
    }
    Ok(())
}

pub async fn create_user(core: &Core, actor: &Actor, user: NewUser, password: &str) -> Result<()> {
    if !valid_login(&user.login) {
        return Err(CoreError::invalid("login_invalid", "用户名须为 2–32 个小写字母、数字或 _ . -"));
    }
    let display_name = user.display_name.trim().to_owned();
    if display_name.is_empty() || display_name.chars().count() > 32 || display_name.chars().any(char::is_control) {
        return Err(CoreError::invalid("display_name_invalid", "姓名须为 1–32 个字符"));
    }
    let mut roles = user.roles;
    roles.sort();
    roles.dedup();
    if roles.is_empty() {
        return Err(CoreError::invalid("roles_missing", "至少选择一个角色"));
    }
    match &user.department {
        Some(code) => {
            require_department(core, code).await?;
        }
        None if roles.iter().any(|r| *r != Role::Admin) => {
            return Err(CoreError::invalid("department_required", "经办人和审核人必须属于一个部门"));
        }
        None => {}
    }
    check_password_policy(password)?;
    if core.store().get(UserRow::key(user.login.as_str())).await?.is_some() {
        return Err(CoreError::invalid("user_exists", format!("用户名“{}”已存在", user.login)));
    }
    let password_hash = hash_password(password).await?;
    let user = User { login: user.login, display_name, department: user.department, roles, password_hash };
    core.append(vec![NewEvent::new(actor.clone(), AuthEvent::UserCreated { user })]).await?;
    Ok(())
}

/// Sets a new password and ends the user's sessions everywhere.
pub async fn set_password(core: &Core, actor: &Actor, login: &str, password: &str) -> Result<()> {
    require_user(core, login).await?;
    check_password_policy(password)?;
    let password_hash = hash_password(password).await?;
    let body = AuthEvent::UserPasswordChanged { login: login.to_owned(), password_hash };
    core.append(vec![NewEvent::new(actor.clone(), body)]).await?;
    core.store().delete_sessions_of(login).await?;
    Ok(())
}

/// Letters and digits of temporary passwords, without look-alikes (0/O,
/// 1/l/I) so they can be read out over the phone.
const TEMPORARY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// A temporary password from 32 random bytes: 16 characters of
/// [`TEMPORARY_ALPHABET`] with a lower-case letter, an upper-case letter and
/// a digit (the password policy's classes).
fn temporary_password(secret: [u8; 32]) -> String {
    let pick = |b: u8, from: &[u8]| char::from(from[usize::from(b) % from.len()]);
    let mut password: String = secret[..13].iter().map(|b| pick(*b, TEMPORARY_ALPHABET)).collect();
    password.push(pick(secret[13], b"abcdefghjkmnpqrstuvwxyz"));
    password.push(pick(secret[14], b"ABCDEFGHJKLMNPQRSTUVWXYZ"));
    password.push(pick(secret[15], b"23456789"));
    password
}

/// Gives `login` a temporary password made from `secret` (32 bytes from a
/// cryptographic random source) and ends their sessions: the administrator
/// hands it over out of band, and it only serves to set a new password at
/// the next login. Returns it (shown once; only its hash is kept).
pub async fn reset_password(core: &Core, actor: &Actor, login: &str, secret: [u8; 32]) -> Result<String> {
    let (user, _) = require_user(core, login).await?;
    if !user.active {
        return Err(CoreError::invalid("user_disabled", format!("用户“{login}”已停用，不能重置密码")));
    }
    let password = temporary_password(secret);
    let password_hash = hash_password(&password).await?;
    let body = AuthEvent::UserPasswordReset { login: login.to_owned(), password_hash };
    core.append(vec![NewEvent::new(actor.clone(), body)]).await?;
    core.store().delete_sessions_of(login).await?;
    Ok(password)
}

/// Disables a user and ends their sessions. Disabling twice appends nothing.
pub async fn disable_user(core: &Core, actor: &Actor, login: &str) -> Result<()> {
    let (user, _) = require_user(core, login).await?;
    if user.active {
        let body = AuthEvent::UserDisabled { login: login.to_owned() };
        core.append(vec![NewEvent::new(actor.clone(), body)]).await?;
    }
    core.store().delete_sessions_of(login).await?;
    Ok(())
}

pub async fn user(core: &Core, login: &str) -> Result<Option<UserView>> {
    Ok(user_with_hash(core, login).await?.map(|(u, _)| u))
}

/// The console users (the first [`MAX_LISTED`]), by login.
pub async fn users(core: &Core) -> Result<Vec<UserView>> {
    Ok(users_page(core, None, MAX_LISTED).await?.items)
}

/// One page of console users after login `after`, by login.
/// Which reads of personal data to show.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// One reader (`user:wang`), or everybody.
    pub reader: Option<String>,
    /// Reads on or after this day (China Standard Time).
    pub since: Option<chrono::NaiveDate>,
    /// Reads before this log index (the next page's cursor).
    pub before: Option<u64>,
}

/// The audit trail of personal-data reads, newest first: for the credit
/// office only (`ViewAuditTrail`).
pub async fn audit_trail(
    core: &Core,
    principal: &Principal,
    filter: &AuditFilter,
    limit: u32,
) -> Result<Page<xinyong_domain::auth::AccessAuditRow, u64>> {
    policy::authorize(principal, policy::Action::ViewAuditTrail, &policy::Resource::Platform)?;
    let since_ms = filter.since.and_then(|d| {
        let midnight = d.and_hms_opt(0, 0, 0)?.and_local_timezone(crate::clock::china_offset()).single()?;
        Some(midnight.timestamp_millis())
    });
    let reader = filter.reader.as_deref().map(str::trim).filter(|r| !r.is_empty());
    Ok(xinyong_storage::auth::access_audit(core.store(), reader, since_ms, filter.before, limit).await?)
}

pub async fn users_page(core: &Core, after: Option<&str>, limit: u32) -> Result<Page<UserView, String>> {
    let page = xinyong_storage::auth::users(core.store(), after, limit.clamp(1, MAX_LISTED)).await?;
    Ok(page.map(|r| user_from_row(r).0))
}

async fn require_user(core: &Core, login: &str) -> Result<(UserView, String)> {
    user_with_hash(core, login)
        .await?
        .ok_or_else(|| CoreError::NotFound { what: format!("用户“{login}”"), code: "user_not_found" })
}

async fn user_with_hash(core: &Core, login: &str) -> Result<Option<(UserView, String)>> {
    Ok(core.store().get(UserRow::key(login)).await?.map(user_from_row))
}

fn user_from_row(row: UserRow) -> (UserView, String) {
    let view = UserView {
        login: row.login,
        display_name: row.display_name,
        department: row.department,
        roles: row.roles.0,
        active: row.active,
        must_change_password: row.must_change_password,
    };
    (view, row.password_hash)
}

/// Argon2id with the library's default cost, on a blocking thread: one hash
/// takes tens of milliseconds of CPU, too long for an async worker.
pub(crate) async fn hash_password(password: &str) -> Result<String> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| CoreError::Internal(format!("密码哈希失败：{e}")))
    })
    .await
    .map_err(|e| CoreError::Internal(format!("密码哈希任务失败：{e}")))?
}

/// A valid hash of a password nobody knows. Checking a password against it
/// when the login does not exist makes "no such user" take as long as "wrong
/// password", so response times do not reveal which logins exist.
pub(crate) const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$Pa7087TviozJOiWGfV6F0A$vxpS7gpmyIYPPz+vxEgGC1vqrYNATu83N9tNHCMLSn8";

/// Constant-time check (inside argon2) of a password against a PHC string.
pub(crate) async fn verify_password(password: &str, phc: &str) -> Result<bool> {
    let password = password.to_owned();
    let phc = phc.to_owned();
    tokio::task::spawn_blocking(move || {
        // An unparsable stored hash can never match; it is not the caller's fault.
        PasswordHash::new(&phc)
            .is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
    })
    .await
    .map_err(|e| CoreError::Internal(format!("密码校验任务失败：{e}")))
}

// ---------------------------------------------------------------------------
// Console sessions
// ---------------------------------------------------------------------------

/// A new login: what the browser is given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Goes into the `xinyong_session` cookie: base64url of the 32-byte secret.
    pub cookie_value: String,
    /// Goes into every state-changing form of the console.
    pub csrf_token: String,
    pub login: String,
    pub expires_at: DateTime<Utc>,
}

/// The user behind a valid session cookie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionUser {
    pub login: String,
    pub display_name: String,
    pub department: Option<DepartmentCode>,
    pub roles: Vec<Role>,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
    /// A market subject's account (企业账号) instead of a console user.
    pub subject: Option<SubjectPrincipal>,
    /// A credit service agency's account instead of a console user.
    pub agency: Option<policy::AgencyPrincipal>,
}

impl SessionUser {
    /// Who this session is, for the access policy.
    pub fn principal(&self) -> Principal {
        if let Some(subject) = &self.subject {
            return Principal::Subject(subject.clone());
        }
        if let Some(agency) = &self.agency {
            return Principal::Agency(agency.clone());
        }
        Principal::User(UserPrincipal {
            login: self.login.clone(),
            department: self.department.clone(),
            roles: self.roles.clone(),
        })
    }

    /// The actor written into the events this user causes.
    pub fn actor(&self) -> Actor {
        self.principal().actor()
    }
}

fn login_failed() -> CoreError {
    // One answer for "no such user" and "wrong password", so the form does not
    // tell a guesser which logins exist.
    CoreError::invalid("login_failed", "用户名或密码错误")
}

/// Checks a password and opens a session. `session_secret` must be 32 bytes
/// from a cryptographic random source.
pub async fn login(core: &Core, login: &str, password: &str, session_secret: [u8; 32]) -> Result<Session> {
    let found = if valid_login(login) { user_with_hash(core, login).await? } else { None };
    let Some((account, phc)) = found else {
        verify_password(password, DUMMY_HASH).await?;
        return Err(login_failed());
    };
    if !verify_password(password, &phc).await? {
        return Err(login_failed());
    }
    if !account.active {
        return Err(CoreError::Forbidden {
            code: "user_disabled", message: "该账号已停用，请联系信用办".to_owned()
        });
    }
    if account.must_change_password {
        return Err(CoreError::invalid("password_change_required", "管理员已重置您的密码：请输入临时密码和新密码"));
    }
    open_session(core, &account.login, session_secret).await
}

/// [`login`] with the temporary password an administrator set, choosing
/// `new_password` (the policy's, not the temporary one) at the same time.
/// Anybody else's password is checked as by [`login`] and `new_password`
/// is refused: a password is changed only where it was reset.
pub async fn login_with_new_password(
    core: &Core,
    login: &str,
    temporary: &str,
    new_password: &str,
    session_secret: [u8; 32],
) -> Result<Session> {
    match self::login(core, login, temporary, session_secret).await {
        Err(CoreError::Invalid { code: "password_change_required", .. }) => {}
        Ok(session) => {
            logout(core, &session.cookie_value).await?;
            return Err(CoreError::invalid("password_change_not_required", "您的密码无需更改，请直接登录"));
        }
        Err(e) => return Err(e),
    }
    if new_password == temporary {
        return Err(CoreError::invalid("password_weak", "新密码不能与临时密码相同"));
    }
    // The user acts; logins are validated to the actor alphabet.
    let actor = Actor::parse(&format!("user:{login}")).unwrap_or_else(|_| Actor::system());
    set_password(core, &actor, login, new_password).await?;
    open_session(core, login, session_secret).await
}

/// Stores a new session for `login` (a console login, or a subject
/// account's [`subject_accounts::session_login`]).
pub(crate) async fn open_session(core: &Core, login: &str, session_secret: [u8; 32]) -> Result<Session> {
    let now = core.now();
    let expires_at = now + core.settings().auth.session_ttl;
    // Logins are rare; clearing old sessions here keeps the table small
    // without a background job.
    core.store().delete_expired_sessions(now.timestamp_millis()).await?;
    let csrf_token = csrf_token_for(&session_secret);
    core.store()
        .insert_session(&StoredSession {
            id_sha256: sha256_hex(&session_secret),
            login: login.to_owned(),
            csrf_token: csrf_token.clone(),
            created_ms: now.timestamp_millis(),
            expires_ms: expires_at.timestamp_millis(),
        })
        .await?;
    Ok(Session { cookie_value: BASE64URL.encode(session_secret), csrf_token, login: login.to_owned(), expires_at })
}

/// The user of a session cookie, or `None` when the cookie is malformed,
/// unknown, expired, or its user was disabled.
pub async fn session(core: &Core, cookie_value: &str) -> Result<Option<SessionUser>> {
    let Some(id) = session_id(cookie_value) else {
        return Ok(None);
    };
    let Some(stored) = core.store().session_by_hash(&id).await? else {
        return Ok(None);
    };
    if stored.expires_ms <= core.now().timestamp_millis() {
        core.store().delete_session(&id).await?;
        return Ok(None);
    }
    if let Some((subject, display_name)) = subject_accounts::session_account(core, &stored.login).await? {
        return Ok(Some(SessionUser {
            login: stored.login,
            display_name,
            department: None,
            roles: Vec::new(),
            csrf_token: stored.csrf_token,
            expires_at: xinyong_domain::log::time_from_millis(stored.expires_ms).unwrap_or_default(),
            subject: Some(subject),
            agency: None,
        }));
    }
    if let Some((agency, display_name)) = crate::agencies::session_account(core, &stored.login).await? {
        return Ok(Some(SessionUser {
            login: stored.login,
            display_name,
            department: None,
            roles: Vec::new(),
            csrf_token: stored.csrf_token,
            expires_at: xinyong_domain::log::time_from_millis(stored.expires_ms).unwrap_or_default(),
            subject: None,
            agency: Some(agency),
        }));
    }
    if subject_accounts::parse_session_login(&stored.login).is_some()
        || crate::agencies::parse_session_login(&stored.login).is_some()
    {
        core.store().delete_session(&id).await?;
        return Ok(None);
    }
    let account = match user(core, &stored.login).await? {
        Some(u) if u.active => u,
        _ => {
            core.store().delete_session(&id).await?;
            return Ok(None);
        }
    };
    Ok(Some(SessionUser {
        login: account.login,
        display_name: account.display_name,
        department: account.department,
        roles: account.roles,
        csrf_token: stored.csrf_token,
        expires_at: xinyong_domain::log::time_from_millis(stored.expires_ms).unwrap_or_default(),
        subject: None,
        agency: None,
    }))
}

/// Ends the session of this cookie (nothing happens for an unknown cookie).
pub async fn logout(core: &Core, cookie_value: &str) -> Result<()> {
    if let Some(id) = session_id(cookie_value) {
        core.store().delete_session(&id).await?;
    }
    Ok(())
}

/// Cookie value → the stored id (SHA-256 hex of the secret).
fn session_id(cookie_value: &str) -> Option<String> {
    let secret = BASE64URL.decode(cookie_value.trim()).ok()?;
    (secret.len() == 32).then(|| sha256_hex(&secret))
}

/// The CSRF token is derived from the session secret, so it changes with each
/// login and cannot be computed from anything stored.
fn csrf_token_for(secret: &[u8; 32]) -> String {
    let mut h = Sha256::new();
    h.update(b"csrf");
    h.update(secret);
    hex::encode(h.finalize())
}

// ---------------------------------------------------------------------------
// API tokens
// ---------------------------------------------------------------------------

/// Every token starts with this, so secret scanners can recognise a leaked one.
pub const TOKEN_PREFIX: &str = "xyt_";

/// A token just issued. `token` is shown once and never stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedToken {
    pub token_id: String,
    pub token: String,
}

/// A token as lists show it (never the secret or its hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenView {
    pub token_id: String,
    pub department: DepartmentCode,
    pub label: String,
    pub revoked: bool,
}

/// Who a valid bearer token speaks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenCaller {
    pub token_id: String,
    pub department: DepartmentCode,
}

impl TokenCaller {
    /// Who this token is, for the access policy.
    pub fn principal(&self) -> Principal {
        Principal::Token(TokenPrincipal { token_id: self.token_id.clone(), department: self.department.clone() })
    }

    /// The actor written into the events this token causes.
    pub fn actor(&self) -> Actor {
        // Token ids are lower-case hex.
        Actor::parse(&format!("token:{}", self.token_id)).unwrap_or_else(|_| Actor::system())
    }
}

/// Longest label, in characters (e.g. "双公示报送系统（生产）").
const MAX_LABEL_CHARS: usize = 60;

/// The token id is derived from the secret, so issuing needs no second
/// random value: 12 hex digits, public (it names the token in lists, logs and
/// the `token:<id>` actor) and useless without the secret.
fn token_id_for(secret: &[u8; 32]) -> String {
    let mut h = Sha256::new();
    h.update(b"xinyong-token-id");
    h.update(secret);
    hex::encode(&h.finalize()[..6])
}

/// Issues an API token for a department's system. `secret` must be 32 bytes
/// from a cryptographic random source.
pub async fn issue_token(
    core: &Core,
    actor: &Actor,
    department: &DepartmentCode,
    label: &str,
    secret: [u8; 32],
) -> Result<IssuedToken> {
    let label = label.trim();
    if label.is_empty() || label.chars().count() > MAX_LABEL_CHARS || label.chars().any(char::is_control) {
        return Err(CoreError::invalid("token_label_invalid", format!("令牌用途说明须为 1–{MAX_LABEL_CHARS} 个字符")));
    }
    require_department(core, department).await?;
    let token_id = token_id_for(&secret);
    if core.store().get(ApiTokenRow::key(token_id.as_str())).await?.is_some() {
        // Only a reused secret gets here; a fresh random one never collides.
        return Err(CoreError::invalid("token_exists", "令牌已存在，请重新生成"));
    }
    let token = format!("{TOKEN_PREFIX}{token_id}_{}", BASE64URL.encode(secret));
    let body = AuthEvent::ApiTokenIssued {
        token_id: token_id.clone(),
        department: department.clone(),
        label: label.to_owned(),
        secret_sha256: sha256_hex(token.as_bytes()),
    };
    core.append(vec![NewEvent::new(actor.clone(), body)]).await?;
    Ok(IssuedToken { token_id, token })
}

/// Revokes a token for good. Revoking a revoked token appends nothing.
pub async fn revoke_token(core: &Core, actor: &Actor, token_id: &str) -> Result<()> {
    let view = token(core, token_id)
        .await?
        .ok_or_else(|| CoreError::NotFound { what: format!("令牌“{token_id}”"), code: "token_not_found" })?;
    if !view.revoked {
        let body = AuthEvent::ApiTokenRevoked { token_id: view.token_id };
        core.append(vec![NewEvent::new(actor.clone(), body)]).await?;
    }
    Ok(())
}

pub async fn token(core: &Core, token_id: &str) -> Result<Option<TokenView>> {
    Ok(core.store().get(ApiTokenRow::key(token_id)).await?.map(|r| token_from_row(r).0))
}

/// The tokens (the first [`MAX_LISTED`]) of one department, or of all when
/// `department` is `None`, by id.
pub async fn tokens(core: &Core, department: Option<&DepartmentCode>) -> Result<Vec<TokenView>> {
    Ok(tokens_page(core, department, None, MAX_LISTED).await?.items)
}

/// One page of [`tokens`] after token id `after`, by id.
pub async fn tokens_page(
    core: &Core,
    department: Option<&DepartmentCode>,
    after: Option<&str>,
    limit: u32,
) -> Result<Page<TokenView, String>> {
    let page = xinyong_storage::auth::tokens(core.store(), department, after, limit.clamp(1, MAX_LISTED)).await?;
    Ok(page.map(|r| token_from_row(r).0))
}

fn token_from_row(row: ApiTokenRow) -> (TokenView, String) {
    let view = TokenView { token_id: row.token_id, department: row.department, label: row.label, revoked: row.revoked };
    (view, row.secret_sha256)
}

/// The department a bearer token speaks for; `None` for anything that is not
/// a live token (malformed, unknown, wrong secret, revoked).
pub async fn authenticate_token(core: &Core, bearer: &str) -> Result<Option<TokenCaller>> {
    let bearer = bearer.trim();
    let Some(token_id) = bearer.strip_prefix(TOKEN_PREFIX).and_then(|rest| rest.split_once('_')).map(|(id, _)| id)
    else {
        return Ok(None);
    };
    // The id goes to the database only in its exact shape.
    if token_id.len() != 12 || !token_id.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()) {
        return Ok(None);
    }
    let Some((view, stored_hash)) = core.store().get(ApiTokenRow::key(token_id)).await?.map(token_from_row) else {
        return Ok(None);
    };
    let presented = sha256_hex(bearer.as_bytes());
    if view.revoked || !constant_time_eq(presented.as_bytes(), stored_hash.as_bytes()) {
        return Ok(None);
    }
    Ok(Some(TokenCaller { token_id: view.token_id, department: view.department }))
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// Compares secrets without an early exit, so response time does not tell an
/// attacker how many leading characters were right.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

//! Who is calling. Console users carry the `xinyong_session` cookie;
//! department systems carry `Authorization: Bearer xyt_…`. Handlers name what
//! they need as an extractor:
//!
//! - [`ConsoleUser`] for console pages: no valid session → 303 to the login
//!   page, which comes back to the same page afterwards;
//! - [`ConsoleForm<T>`] for console form posts: a [`ConsoleUser`] plus the
//!   urlencoded form, whose `csrf_token` field must match the session's;
//!   multipart forms (uploads) call [`check_csrf`] themselves;
//! - [`DepartmentCaller`] for the JSON API: a bearer token, or a console
//!   session of a department user (then state-changing requests must send the
//!   session's CSRF token in `X-CSRF-Token`); otherwise a 401 envelope.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::Form;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use xinyong_core::auth::{self as core_auth, SessionUser};
use xinyong_core::log::follower::{FollowedEvent, LogSubscriber};
use xinyong_domain::auth::AuthKind;
use xinyong_domain::auth::DepartmentCode;
use xinyong_domain::event::{Actor, EventKind};

use crate::web::error_page;
use crate::{ApiError, AppState};

/// Name of the console session cookie.
pub const SESSION_COOKIE: &str = "xinyong_session";

/// Form field (console forms) carrying the CSRF token.
pub const CSRF_FIELD: &str = "csrf_token";

/// Header carrying the CSRF token on session-authenticated API writes.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The value of our session cookie, if the request has one.
pub fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value)
}

/// `Set-Cookie` for a new session. HttpOnly keeps scripts away from it;
/// SameSite=Lax keeps it off cross-site form posts; Max-Age matches the
/// session's expiry so the browser forgets it when the server does.
pub fn set_session_cookie(value: &str, max_age: Duration, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let cookie = format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        max_age.num_seconds().max(0)
    );
    // The value is base64url; nothing in it can make the header invalid.
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static("xinyong_session=; Max-Age=0"))
}

/// `Set-Cookie` that removes the session cookie.
pub fn clear_session_cookie(secure: bool) -> HeaderValue {
    if secure {
        HeaderValue::from_static("xinyong_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0; Secure")
    } else {
        HeaderValue::from_static("xinyong_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
    }
}

/// 32 bytes from the operating system for a session or token secret.
pub fn random_secret() -> Result<[u8; 32], ApiError> {
    use rand::TryRng as _;
    let mut secret = [0u8; 32];
    rand::rngs::SysRng.try_fill_bytes(&mut secret).map_err(|e| {
        tracing::error!(error = %e, "the operating system refused to provide randomness");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", "服务器内部错误，请稍后重试")
    })?;
    Ok(secret)
}

/// Compares a presented CSRF token with the session's, in constant time.
pub fn check_csrf(user: &SessionUser, presented: &str) -> Result<(), ApiError> {
    if core_auth::constant_time_eq(user.csrf_token.as_bytes(), presented.trim().as_bytes()) {
        Ok(())
    } else {
        Err(ApiError::new(StatusCode::FORBIDDEN, "csrf_failed", "页面已过期或来源不可信，请返回刷新后重试"))
    }
}

/// A redirect target taken from a request: only a path on this site. `//host`
/// and `/\host` are other sites to a browser, so they fall back to `/console`.
pub fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && !n.chars().any(|c| c.is_control()) =>
        {
            n
        }
        _ => "/console",
    }
}

/// Percent-encodes a query value (everything but unreserved characters).
pub fn encode_query_value(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for b in raw.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A logged-in console user.
#[derive(Debug, Clone)]
pub struct ConsoleUser(pub SessionUser);

impl std::ops::Deref for ConsoleUser {
    type Target = SessionUser;
    fn deref(&self) -> &SessionUser {
        &self.0
    }
}

impl FromRequestParts<AppState> for ConsoleUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let user = match session_cookie(&parts.headers) {
            Some(cookie) => core_auth::session(&state.core, cookie).await.map_err(|e| error_page(state, e.into()))?,
            None => None,
        };
        match user {
            Some(user) => Ok(ConsoleUser(user)),
            None => {
                // After logging in, come back here; a form post cannot be
                // replayed, so it returns to the console home instead.
                let next = if parts.method == Method::GET {
                    parts.uri.path_and_query().map_or("/console", |pq| pq.as_str())
                } else {
                    "/console"
                };
                Err(Redirect::to(&format!("/console/login?next={}", encode_query_value(next))).into_response())
            }
        }
    }
}

/// A console form post: the user, and the form after its CSRF token matched.
/// `T`'s fields should be strings (`String`/`Option<String>`): they are read
/// next to `csrf_token` from the same urlencoded body.
#[derive(Debug)]
pub struct ConsoleForm<T> {
    pub user: ConsoleUser,
    pub form: T,
}

#[derive(Debug, Deserialize)]
struct WithCsrf<T> {
    #[serde(default)]
    csrf_token: Option<String>,
    #[serde(flatten)]
    form: T,
}

impl<T: DeserializeOwned + Send + 'static> FromRequest<AppState> for ConsoleForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let user = ConsoleUser::from_request_parts(&mut parts, state).await?;
        let req = Request::from_parts(parts, body);
        let Form(WithCsrf { csrf_token, form }) = Form::<WithCsrf<T>>::from_request(req, state).await.map_err(|e| {
            error_page(state, ApiError::bad_request("form_invalid", format!("表单内容无法识别：{}", e.body_text())))
        })?;
        check_csrf(&user, csrf_token.as_deref().unwrap_or_default()).map_err(|e| error_page(state, e))?;
        Ok(ConsoleForm { user, form })
    }
}

/// How a [`DepartmentCaller`] proved who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallerVia {
    Token,
    Session,
}

impl CallerVia {
    pub fn as_str(&self) -> &'static str {
        match self {
            CallerVia::Token => "token",
            CallerVia::Session => "session",
        }
    }
}

/// A department calling the JSON API.
#[derive(Debug, Clone)]
pub struct DepartmentCaller {
    pub department: DepartmentCode,
    /// `token:<id>` or `user:<login>`: the actor of the events it causes.
    pub actor: Actor,
    pub via: CallerVia,
}

fn unauthenticated() -> Response {
    let err = ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", "需要登录或有效的 API 令牌");
    ([(header::WWW_AUTHENTICATE, "Bearer")], err).into_response()
}

impl FromRequestParts<AppState> for DepartmentCaller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        // A request that presents a token is judged by the token alone, even
        // if the browser also sent a cookie.
        if let Some(auth) = parts.headers.get(header::AUTHORIZATION) {
            let bearer = auth
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
                .ok_or_else(unauthenticated)?;
            let key = TokenCache::key(bearer);
            if let Some(caller) = state.tokens.get(&key) {
                return Ok(caller);
            }
            let caller = core_auth::authenticate_token(&state.core, bearer)
                .await
                .map_err(|e| ApiError::from(e).into_response())?
                .ok_or_else(unauthenticated)?;
            let caller =
                DepartmentCaller { actor: caller.actor(), department: caller.department, via: CallerVia::Token };
            state.tokens.put(key, caller.clone());
            return Ok(caller);
        }
        let cookie = session_cookie(&parts.headers).ok_or_else(unauthenticated)?;
        let user = core_auth::session(&state.core, cookie)
            .await
            .map_err(|e| ApiError::from(e).into_response())?
            .ok_or_else(unauthenticated)?;
        if !parts.method.is_safe() {
            let presented = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
            check_csrf(&user, presented).map_err(IntoResponse::into_response)?;
        }
        let Some(department) = user.department.clone() else {
            let err =
                ApiError::new(StatusCode::FORBIDDEN, "no_department", "当前账号不属于任何部门，不能代表部门调用接口");
            return Err(err.into_response());
        };
        Ok(DepartmentCaller { department, actor: user.actor(), via: CallerVia::Session })
    }
}

/// How long a token found live is believed without asking the database.
/// Revocations in this process clear the cache at once, and `serve`'s log
/// follower clears it on any `api_token_revoked` (other processes, the CLI)
/// within one poll; this bound covers a follower that has fallen behind.
pub const TOKEN_CACHE_SECONDS: u64 = 30;

/// Tokens cached before the cache is emptied (a flood of made-up tokens never
/// reaches it: only live ones are cached).
const TOKEN_CACHE_MAX: usize = 10_000;

/// Live API tokens recently authenticated, keyed by the SHA-256 of the whole
/// bearer token (the secret itself is not kept). Without it every API call
/// reads `api_tokens`, which would dominate the cost of a credit check.
#[derive(Debug, Default)]
pub struct TokenCache {
    map: std::sync::RwLock<HashMap<[u8; 32], (DepartmentCaller, std::time::Instant)>>,
}

impl TokenCache {
    fn key(bearer: &str) -> [u8; 32] {
        use sha2::Digest as _;
        sha2::Sha256::digest(bearer.trim().as_bytes()).into()
    }

    fn get(&self, key: &[u8; 32]) -> Option<DepartmentCaller> {
        let map = self.map.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (caller, at) = map.get(key)?;
        (at.elapsed().as_secs() < TOKEN_CACHE_SECONDS).then(|| caller.clone())
    }

    fn put(&self, key: [u8; 32], caller: DepartmentCaller) {
        let mut map = self.map.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        if map.len() >= TOKEN_CACHE_MAX {
            map.clear();
        }
        map.insert(key, (caller, std::time::Instant::now()));
    }

    /// Forgets every cached token (after a revocation).
    pub fn clear(&self) {
        self.map.write().unwrap_or_else(std::sync::PoisonError::into_inner).clear();
    }
}

// Follower dispatch: exhaustive over event kinds, no `_` arm (clippy denies it here).
#[deny(clippy::wildcard_enum_match_arm, clippy::match_wildcard_for_single_variants)]
impl LogSubscriber for TokenCache {
    /// Only a revocation makes a cached token wrong: it is dropped at once
    /// (in every process, within one follower poll).
    fn wants(&self, kind: EventKind) -> bool {
        match kind {
            EventKind::Auth(k) => match k {
                AuthKind::ApiTokenRevoked => true,
                AuthKind::DepartmentRegistered
                | AuthKind::UserCreated
                | AuthKind::UserPasswordChanged
                | AuthKind::UserDisabled
                | AuthKind::ApiTokenIssued => false,
            },
            EventKind::Subjects(_)
            | EventKind::Rules(_)
            | EventKind::Collection(_)
            | EventKind::Lists(_)
            | EventKind::Checks(_)
            | EventKind::ClosedLoop(_) => false,
        }
    }

    fn apply(&self, events: &[&FollowedEvent], _through: u64) {
        if !events.is_empty() {
            self.clear();
        }
    }
}

/// Failed console logins allowed per login name within [`LOGIN_WINDOW_MINUTES`].
pub const LOGIN_MAX_FAILURES: usize = 10;
pub const LOGIN_WINDOW_MINUTES: i64 = 15;
/// Login names tracked before old entries are swept, so a flood of made-up
/// names cannot grow the table without bound.
const LOGIN_SWEEP_AT: usize = 10_000;

/// Failed logins per login name, in memory. Per name rather than per address:
/// clerks share office NAT addresses, and the guesser's target is the account.
/// A restart forgets the counts, which only ever helps a legitimate user.
#[derive(Debug, Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, Vec<DateTime<Utc>>>>,
}

impl LoginLimiter {
    fn key(login: &str) -> String {
        login.trim().to_lowercase().chars().take(64).collect()
    }

    /// Whether this login name has used up its attempts.
    pub fn is_blocked(&self, login: &str, now: DateTime<Utc>) -> bool {
        let since = now - Duration::minutes(LOGIN_WINDOW_MINUTES);
        let map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.get(&Self::key(login))
            .is_some_and(|times| times.iter().filter(|t| **t > since).count() >= LOGIN_MAX_FAILURES)
    }

    pub fn record_failure(&self, login: &str, now: DateTime<Utc>) {
        let since = now - Duration::minutes(LOGIN_WINDOW_MINUTES);
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= LOGIN_SWEEP_AT {
            map.retain(|_, times| times.iter().any(|t| *t > since));
        }
        let times = map.entry(Self::key(login)).or_default();
        times.retain(|t| *t > since);
        times.push(now);
    }

    pub fn clear(&self, login: &str) {
        self.failures.lock().unwrap_or_else(|p| p.into_inner()).remove(&Self::key(login));
    }
}

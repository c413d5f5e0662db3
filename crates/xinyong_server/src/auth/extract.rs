//! Who is calling — and nothing about what they may do, which
//! [`xinyong_core::auth::policy::authorize`] alone decides. Console users
//! carry the `xinyong_session` cookie; department systems carry
//! `Authorization: Bearer xyt_…`. Each extractor turns a request into a
//! [`Principal`] (anonymous when nobody valid is calling) and never refuses
//! for lack of permission:
//!
//! - [`ConsoleCaller`] for console pages: the session's user, or nobody.
//!   Bearer tokens are not read: a browser does not send them. Its
//!   `authorize` turns a refusal into the login page (nobody, 303) or the
//!   error page (403);
//! - [`ConsoleForm<T>`] for console form posts: a [`ConsoleCaller`] plus the
//!   urlencoded form, whose `csrf_token` field must match the session's (a
//!   request without a session has no session to forge); multipart forms
//!   (uploads) call [`check_csrf`] themselves;
//! - [`ApiCaller`] for the JSON API: a bearer token, or a console session
//!   (then state-changing requests must send the session's CSRF token in
//!   `X-CSRF-Token`), or nobody. Refusals become the error envelope (401 with
//!   `WWW-Authenticate: Bearer`, or 403).

use std::collections::HashMap;

use axum::Form;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Duration;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use xinyong_core::auth::policy::{self, Action, Denied, Principal, Resource, Scope};
use xinyong_core::auth::{self as core_auth, SessionUser, TokenCaller};
use xinyong_core::log::follower::{FollowedEvent, LogSubscriber};
use xinyong_domain::auth::AuthKind;
use xinyong_domain::auth::DepartmentCode;
use xinyong_domain::event::EventKind;

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

/// A console page's early answer, already rendered: the login page for
/// nobody, the error page for a refusal or a failure. Boxed: a response is
/// large and most requests never build one here.
#[derive(Debug)]
pub struct PageError(Box<Response>);

impl From<Response> for PageError {
    fn from(response: Response) -> PageError {
        PageError(Box::new(response))
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        *self.0
    }
}

/// Who is calling a console page: the session's user, or nobody.
#[derive(Debug, Clone)]
pub struct ConsoleCaller {
    pub principal: Principal,
    /// The live session (its user and CSRF token); `None` for nobody.
    pub session: Option<SessionUser>,
    /// Where the login page sends the browser back to: this page after a
    /// GET; the console home after a form post, which cannot be replayed.
    return_to: String,
}

impl std::ops::Deref for ConsoleCaller {
    type Target = Principal;
    fn deref(&self) -> &Principal {
        &self.principal
    }
}

impl FromRequestParts<AppState> for ConsoleCaller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let session = match session_cookie(&parts.headers) {
            Some(cookie) => core_auth::session(&state.core, cookie).await.map_err(|e| error_page(state, e.into()))?,
            None => None,
        };
        let path = parts.uri.path();
        let home = if path.starts_with("/my") {
            "/my"
        } else if path == "/agency" || path.starts_with("/agency/") {
            "/agency"
        } else {
            "/console"
        };
        let return_to =
            if parts.method == Method::GET { parts.uri.path_and_query().map_or(home, |pq| pq.as_str()) } else { home };
        Ok(ConsoleCaller {
            principal: session.as_ref().map_or(Principal::Anonymous, SessionUser::principal),
            session,
            return_to: return_to.to_owned(),
        })
    }
}

impl ConsoleCaller {
    /// The session's CSRF token for the page's forms (empty for nobody, who
    /// is never shown a form).
    pub fn csrf_token(&self) -> &str {
        self.session.as_ref().map_or("", |s| s.csrf_token.as_str())
    }

    /// A refusal as a browser gets it: nobody goes to the login page, which
    /// comes back here afterwards; somebody gets the error page (403).
    pub fn refuse(&self, state: &AppState, denied: Denied) -> Response {
        if denied.is_unauthenticated() {
            // The company's and the agency's pages have their own logins
            // (USCC, account, password).
            let login = if self.return_to.starts_with("/my") {
                "/my/login"
            } else if self.return_to == "/agency" || self.return_to.starts_with("/agency/") {
                "/agency/login"
            } else {
                "/console/login"
            };
            Redirect::to(&format!("{login}?next={}", encode_query_value(&self.return_to))).into_response()
        } else {
            error_page(state, denied.into())
        }
    }

    /// Asks the policy; a refusal is already the response.
    pub fn authorize(&self, state: &AppState, action: Action, resource: &Resource) -> Result<(), PageError> {
        policy::authorize(&self.principal, action, resource).map_err(|d| self.refuse(state, d).into())
    }

    /// Whose things a page of many departments' shows ([`policy::scope`]).
    pub fn scope(&self, state: &AppState, action: Action) -> Result<Scope, PageError> {
        policy::scope(&self.principal, action).map_err(|d| self.refuse(state, d).into())
    }

    /// The caller's own department, for acts that name none ([`policy::own_department`]).
    pub fn own_department(&self, state: &AppState) -> Result<DepartmentCode, PageError> {
        policy::own_department(&self.principal).map_err(|d| self.refuse(state, d).into())
    }

    /// Whether the policy allows it: what a page offers.
    pub fn allows(&self, action: Action, resource: &Resource) -> bool {
        policy::allows(&self.principal, action, resource)
    }

    /// A form field's CSRF token against the session's (multipart forms,
    /// which [`ConsoleForm`] cannot read). Nobody has no session to forge.
    pub fn check_csrf(&self, presented: &str) -> Result<(), ApiError> {
        self.session.as_ref().map_or(Ok(()), |session| check_csrf(session, presented))
    }
}

/// A console form post: who posts it, and the form, whose CSRF token matched
/// the session's. `T`'s fields should be strings (`String`/`Option<String>`):
/// they are read next to `csrf_token` from the same urlencoded body.
#[derive(Debug)]
pub struct ConsoleForm<T> {
    pub caller: ConsoleCaller,
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
        let caller = ConsoleCaller::from_request_parts(&mut parts, state).await?;
        let req = Request::from_parts(parts, body);
        let Form(WithCsrf { csrf_token, form }) = Form::<WithCsrf<T>>::from_request(req, state).await.map_err(|e| {
            error_page(state, ApiError::bad_request("form_invalid", format!("表单内容无法识别：{}", e.body_text())))
        })?;
        // CSRF protects what a session may do; a post without one is nobody's
        // and the handler's policy check sends it to the login page.
        if let Some(session) = &caller.session {
            check_csrf(session, csrf_token.as_deref().unwrap_or_default()).map_err(|e| error_page(state, e))?;
        }
        Ok(ConsoleForm { caller, form })
    }
}

/// Who is calling the JSON API: a department's token, a console session, or
/// nobody.
#[derive(Debug, Clone)]
pub struct ApiCaller(pub Principal);

impl std::ops::Deref for ApiCaller {
    type Target = Principal;
    fn deref(&self) -> &Principal {
        &self.0
    }
}

impl ApiCaller {
    /// The caller's own department, for API acts that name none.
    pub fn own_department(&self) -> Result<DepartmentCode, ApiError> {
        Ok(policy::own_department(&self.0)?)
    }
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        // A request that presents a token is judged by the token alone, even
        // if the browser also sent a cookie: a bad token is nobody.
        if let Some(auth) = parts.headers.get(header::AUTHORIZATION) {
            let bearer =
                auth.to_str().ok().and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")));
            let principal = match bearer {
                Some(bearer) => token_principal(state, bearer).await.map_err(|e| ApiError::from(e).into_response())?,
                None => Principal::Anonymous,
            };
            return Ok(ApiCaller(principal));
        }
        let Some(cookie) = session_cookie(&parts.headers) else { return Ok(ApiCaller(Principal::Anonymous)) };
        let Some(user) =
            core_auth::session(&state.core, cookie).await.map_err(|e| ApiError::from(e).into_response())?
        else {
            return Ok(ApiCaller(Principal::Anonymous));
        };
        if !parts.method.is_safe() {
            let presented = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
            check_csrf(&user, presented).map_err(IntoResponse::into_response)?;
        }
        Ok(ApiCaller(user.principal()))
    }
}

/// The principal of a bearer token: from the cache when it was live a moment
/// ago, else from the database; nobody for anything that is not a live token.
async fn token_principal(state: &AppState, bearer: &str) -> xinyong_core::Result<Principal> {
    // A subscriber's token (`xys_…`): read each time; subscribers pull a
    // feed every few seconds at most.
    if bearer.trim().starts_with(xinyong_core::subscriptions::TOKEN_PREFIX) {
        let found = xinyong_core::subscriptions::authenticate(&state.core, bearer).await?;
        return Ok(found.map_or(Principal::Anonymous, Principal::Subscriber));
    }
    let key = TokenCache::key(bearer);
    if let Some(token) = state.tokens.get(&key) {
        return Ok(token.principal());
    }
    let Some(token) = core_auth::authenticate_token(&state.core, bearer).await? else {
        return Ok(Principal::Anonymous);
    };
    let principal = token.principal();
    state.tokens.put(key, token);
    Ok(principal)
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
    map: std::sync::RwLock<HashMap<[u8; 32], (TokenCaller, std::time::Instant)>>,
}

impl TokenCache {
    fn key(bearer: &str) -> [u8; 32] {
        use sha2::Digest as _;
        sha2::Sha256::digest(bearer.trim().as_bytes()).into()
    }

    fn get(&self, key: &[u8; 32]) -> Option<TokenCaller> {
        let map = self.map.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (caller, at) = map.get(key)?;
        (at.elapsed().as_secs() < TOKEN_CACHE_SECONDS).then(|| caller.clone())
    }

    fn put(&self, key: [u8; 32], caller: TokenCaller) {
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
                | AuthKind::UserPasswordReset
                | AuthKind::ApiTokenIssued
                | AuthKind::PersonalDataRead
                | AuthKind::ActivationCodeIssued
                | AuthKind::SubjectAccountOpened
                | AuthKind::SubjectAccountPasswordChanged
                | AuthKind::SubjectAccountDisabled
                | AuthKind::SubjectTotpEnabled
                | AuthKind::SubjectTotpDisabled => false,
            },
            EventKind::Subjects(_)
            | EventKind::Rules(_)
            | EventKind::Collection(_)
            | EventKind::Lists(_)
            | EventKind::Checks(_)
            | EventKind::ClosedLoop(_)
            | EventKind::Objections(_)
            | EventKind::Repair(_)
            | EventKind::Evaluation(_)
            | EventKind::Subscriptions(_)
            | EventKind::Inspections(_)
            | EventKind::Campaigns(_)
            | EventKind::Commitments(_)
            | EventKind::Registrations(_)
            | EventKind::Notices(_)
            | EventKind::Reports(_)
            | EventKind::Agencies(_)
            | EventKind::Log(_) => false,
        }
    }

    fn apply(&self, events: &[&FollowedEvent], _through: u64) {
        if !events.is_empty() {
            self.clear();
        }
    }
}

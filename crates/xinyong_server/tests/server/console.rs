//! The department console and API authentication, through the router.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use xinyong_core::auth::{self, NewUser};
use xinyong_domain::auth::{DepartmentCode, Role};
use xinyong_domain::event::Actor;
use xinyong_server::{AppState, SiteSettings};
use xinyong_test_support::{TestApp, TestResponse};

const PASSWORD: &str = "correct-horse-42";

/// Departments seeded; `boss` administers (credit office, no department),
/// `wang` clerks for 市场监管局.
async fn app() -> TestApp {
    let app = TestApp::new().await;
    let core = &app.core;
    auth::seed_departments(core, &auth::shipped_departments().unwrap()).await.unwrap();
    let actor = Actor::system();
    let boss =
        NewUser {
            login: "boss".into(), display_name: "信用办老李".into(), department: None, roles: vec![Role::Admin]
        };
    auth::create_user(core, &actor, boss, PASSWORD).await.unwrap();
    let wang = NewUser {
        login: "wang".into(),
        display_name: "王经办".into(),
        department: Some(DepartmentCode::parse("scjgj").unwrap()),
        roles: vec![Role::Operator, Role::Reviewer],
    };
    auth::create_user(core, &actor, wang, PASSWORD).await.unwrap();
    app
}

fn encode(raw: &str) -> String {
    raw.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn form_body(fields: &[(&str, &str)]) -> String {
    fields.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&")
}

async fn post_form(app: &TestApp, path: &str, fields: &[(&str, &str)], cookie: Option<&str>) -> TestResponse {
    let mut request = Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        request = request.header(header::COOKIE, format!("xinyong_session={c}"));
    }
    app.send(request.body(Body::from(form_body(fields))).unwrap()).await
}

async fn get_with(app: &TestApp, path: &str, header_name: header::HeaderName, value: &str) -> TestResponse {
    app.send(Request::get(path).header(header_name, value).body(Body::empty()).unwrap()).await
}

async fn get_as(app: &TestApp, path: &str, cookie: &str) -> TestResponse {
    get_with(app, path, header::COOKIE, &format!("other=1; xinyong_session={cookie}")).await
}

fn location(r: &TestResponse) -> &str {
    r.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("")
}

fn set_cookie(r: &TestResponse) -> Option<&str> {
    r.headers.get(header::SET_COOKIE).and_then(|v| v.to_str().ok())
}

/// Logs in through the form and returns the session cookie's value.
async fn log_in(app: &TestApp, login: &str) -> String {
    let r =
        post_form(app, "/console/login", &[("login", login), ("password", PASSWORD), ("next", "/console")], None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let cookie = set_cookie(&r).unwrap();
    cookie.strip_prefix("xinyong_session=").unwrap().split(';').next().unwrap().to_owned()
}

/// The CSRF token embedded in the console page's forms.
async fn csrf(app: &TestApp, cookie: &str) -> String {
    let page = get_as(app, "/console", cookie).await.text();
    let start = page.find("name=\"csrf_token\" value=\"").unwrap() + "name=\"csrf_token\" value=\"".len();
    page[start..start + 64].to_owned()
}

#[tokio::test]
async fn the_login_page_renders_in_chinese_without_scripts() {
    let app = app().await;
    let r = app.get("/console/login?next=/console").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.content_type().starts_with("text/html"));
    let html = r.text();
    for needle in [
        "<label for=\"login\">用户名</label>",
        "<label for=\"password\">密码</label>",
        "autocomplete=\"username\"",
        "autocomplete=\"current-password\"",
        "action=\"/console/login\"",
        "href=\"/console\">部门工作台</a>",
    ] {
        assert!(html.contains(needle), "{needle}");
    }
    assert!(!html.contains("<script"));
    // A hostile `next` is neither reflected nor followed.
    let r = app.get("/console/login?next=%2F%2Fevil.example%2F%22%3E").await;
    assert!(r.text().contains("name=\"next\" value=\"/console\""));
}

#[tokio::test]
async fn wrong_passwords_and_unknown_users_get_the_same_answer() {
    let app = app().await;
    let wrong = post_form(&app, "/console/login", &[("login", "wang"), ("password", "wrong-password-1")], None).await;
    let unknown = post_form(&app, "/console/login", &[("login", "nobody"), ("password", PASSWORD)], None).await;
    for r in [&wrong, &unknown] {
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(r.text().contains("用户名或密码错误"));
        assert!(set_cookie(r).is_none());
    }
    // The login name is kept in the form, escaped; the password is not echoed.
    assert!(wrong.text().contains("value=\"wang\""));
    assert!(!wrong.text().contains("wrong-password-1"));
}

#[tokio::test]
async fn a_good_login_sets_an_http_only_cookie_and_goes_to_next() {
    let app = app().await;
    let r = post_form(
        &app,
        "/console/login",
        &[("login", "wang"), ("password", PASSWORD), ("next", "/console?tab=1")],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/console?tab=1");
    let cookie = set_cookie(&r).unwrap();
    assert!(cookie.starts_with("xinyong_session="));
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=43200"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain-HTTP deployments by default: {cookie}");

    // Only local paths are followed after login.
    for next in ["//evil.example/", "https://evil.example/", "/\\evil.example", "console"] {
        let r =
            post_form(&app, "/console/login", &[("login", "wang"), ("password", PASSWORD), ("next", next)], None).await;
        assert_eq!(location(&r), "/console", "{next}");
    }
}

#[tokio::test]
async fn the_cookie_is_secure_when_configured() {
    let mut app = app().await;
    app.state = AppState::new(app.core.clone(), SiteSettings { cookie_secure: true, ..SiteSettings::default() });
    let r = post_form(&app, "/console/login", &[("login", "wang"), ("password", PASSWORD)], None).await;
    assert!(set_cookie(&r).unwrap().contains("; Secure"));
}

#[tokio::test]
async fn cross_site_login_posts_are_refused() {
    let app = app().await;
    let request = Request::post("/console/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "cross-site")
        .body(Body::from(form_body(&[("login", "wang"), ("password", PASSWORD)])))
        .unwrap();
    let r = app.send(request).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(set_cookie(&r).is_none());
}

#[tokio::test]
async fn the_console_requires_a_login() {
    let app = app().await;
    let r = app.get("/console").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/console/login?next=/console");
    let r = app.get("/console?notice=user_created").await;
    assert_eq!(location(&r), "/console/login?next=/console%3Fnotice%3Duser_created");
    // A forged or stale cookie is the same as none.
    let r = get_as(&app, "/console", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn sessions_expire_with_the_clock() {
    let app = app().await;
    let cookie = log_in(&app, "wang").await;
    assert_eq!(get_as(&app, "/console", &cookie).await.status, StatusCode::OK);
    app.clock.advance(chrono::Duration::hours(12));
    assert_eq!(get_as(&app, "/console", &cookie).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_console_shows_who_you_are_and_what_you_may_do() {
    let app = app().await;
    let clerk = get_as(&app, "/console", &log_in(&app, "wang").await).await;
    assert_eq!(clerk.status, StatusCode::OK);
    assert_eq!(clerk.headers.get(header::CACHE_CONTROL).unwrap(), "no-store");
    let html = clerk.text();
    for needle in ["王经办（wang）", "济南市市场监督管理局（scjgj）", "经办人、审核人", "签发新令牌"]
    {
        assert!(html.contains(needle), "{needle}");
    }
    assert!(!html.contains("创建用户"), "clerks do not manage users");
    assert!(!html.contains("国家税务总局济南市税务局"), "clerks see only their own department");

    let admin = get_as(&app, "/console", &log_in(&app, "boss").await).await.text();
    for needle in ["信用办管理员", "创建用户", "报送部门", "国家税务总局济南市税务局", "11370100MB2853A6XD", "王经办"]
    {
        assert!(admin.contains(needle), "{needle}");
    }
}

#[tokio::test]
async fn form_posts_without_the_csrf_token_are_refused() {
    let app = app().await;
    let cookie = log_in(&app, "wang").await;
    let missing = post_form(&app, "/console/tokens", &[("label", "接口")], Some(&cookie)).await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    assert!(missing.text().contains("页面已过期"));
    let wrong =
        post_form(&app, "/console/tokens", &[("label", "接口"), ("csrf_token", &"0".repeat(64))], Some(&cookie)).await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    let logout = post_form(&app, "/console/logout", &[], Some(&cookie)).await;
    assert_eq!(logout.status, StatusCode::FORBIDDEN);
    assert!(auth::tokens(&app.core, None).await.unwrap().is_empty());
    // Without a session the form is not even read: back to the login page.
    let anonymous = post_form(&app, "/console/tokens", &[("label", "接口")], None).await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert_eq!(location(&anonymous), "/console/login?next=/console");
}

#[tokio::test]
async fn a_clerk_issues_a_token_that_authenticates_until_revoked() {
    let app = app().await;
    let cookie = log_in(&app, "wang").await;
    let csrf = csrf(&app, &cookie).await;

    let r =
        post_form(&app, "/console/tokens", &[("label", "双公示报送系统"), ("csrf_token", &csrf)], Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.headers.get(header::CACHE_CONTROL).unwrap(), "no-store");
    let html = r.text();
    assert!(html.contains("令牌只显示这一次"));
    let start = html.find("value=\"xyt_").unwrap() + "value=\"".len();
    let token = html[start..].split('"').next().unwrap().to_owned();
    let token_id = token.strip_prefix("xyt_").unwrap().split('_').next().unwrap().to_owned();

    let r = get_with(&app, "/api/v1/whoami", header::AUTHORIZATION, &format!("Bearer {token}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json(), serde_json::json!({"department": "scjgj", "via": "token"}));

    // The console lists it, without the secret.
    let page = get_as(&app, "/console", &cookie).await.text();
    assert!(page.contains(&token_id) && page.contains("双公示报送系统") && !page.contains(&token));

    let r =
        post_form(&app, &format!("/console/tokens/{token_id}/revoke"), &[("csrf_token", &csrf)], Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/console?notice=token_revoked");
    assert!(get_as(&app, "/console?notice=token_revoked", &cookie).await.text().contains("令牌已吊销"));

    let r = get_with(&app, "/api/v1/whoami", header::AUTHORIZATION, &format!("Bearer {token}")).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["error"]["code"], "unauthenticated");
}

#[tokio::test]
async fn clerks_act_only_for_their_own_department() {
    let app = app().await;
    let issued =
        auth::issue_token(&app.core, &Actor::system(), &DepartmentCode::parse("swj").unwrap(), "税务", [5; 32])
            .await
            .unwrap();
    let cookie = log_in(&app, "wang").await;
    let csrf = csrf(&app, &cookie).await;

    let r = post_form(
        &app,
        "/console/tokens",
        &[("label", "x"), ("department", "swj"), ("csrf_token", &csrf)],
        Some(&cookie),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let revoke = format!("/console/tokens/{}/revoke", issued.token_id);
    assert_eq!(post_form(&app, &revoke, &[("csrf_token", &csrf)], Some(&cookie)).await.status, StatusCode::FORBIDDEN);
    assert!(auth::authenticate_token(&app.core, &issued.token).await.unwrap().is_some());
    let fields = [
        ("login", "zhao"),
        ("display_name", "赵"),
        ("role_admin", "on"),
        ("password", PASSWORD),
        ("csrf_token", &csrf),
    ];
    assert_eq!(post_form(&app, "/console/users", &fields, Some(&cookie)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(auth::user(&app.core, "zhao").await.unwrap(), None);
}

#[tokio::test]
async fn an_administrator_creates_users_and_tokens_for_any_department() {
    let app = app().await;
    let cookie = log_in(&app, "boss").await;
    let csrf = csrf(&app, &cookie).await;

    let fields = [
        ("login", "zhao"),
        ("display_name", "赵审核"),
        ("department", "swj"),
        ("role_reviewer", "on"),
        ("password", "Tax-Reviewer-2026"),
        ("csrf_token", &csrf),
    ];
    let r = post_form(&app, "/console/users", &fields, Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(location(&r), "/console?notice=user_created");
    let zhao = auth::user(&app.core, "zhao").await.unwrap().unwrap();
    assert_eq!(zhao.roles, vec![Role::Reviewer]);
    assert_eq!(zhao.department.unwrap().as_str(), "swj");

    // Rule violations come back as a page with the reason.
    let weak = [
        ("login", "qian"),
        ("display_name", "钱"),
        ("department", "swj"),
        ("role_operator", "on"),
        ("password", "short"),
        ("csrf_token", &csrf),
    ];
    let r = post_form(&app, "/console/users", &weak, Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("密码至少 10 个字符"));

    let r = post_form(
        &app,
        "/console/tokens",
        &[("label", "税务接口"), ("department", "swj"), ("csrf_token", &csrf)],
        Some(&cookie),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("国家税务总局济南市税务局"));
    assert_eq!(auth::tokens(&app.core, Some(&DepartmentCode::parse("swj").unwrap())).await.unwrap().len(), 1);
}

#[tokio::test]
async fn an_administrator_disables_a_user_and_resets_a_password_in_the_browser_forms() {
    let app = app().await;
    let boss = log_in(&app, "boss").await;
    let csrf = csrf(&app, &boss).await;
    let home = get_as(&app, "/console", &boss).await.text();
    assert!(home.contains("/console/users/wang/disable") && home.contains("/console/users/wang/reset-password"));
    assert!(!home.contains("/console/users/boss/disable"), "no button to disable oneself");
    assert!(home.contains("<td>市场监管</td>"), "sectors in Chinese");
    assert!(!home.contains("market_regulation"));

    // Reset: a temporary password shown once; wang's session ends.
    let wang = log_in(&app, "wang").await;
    let r = post_form(&app, "/console/users/wang/reset-password", &[("csrf_token", &csrf)], Some(&boss)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let page = r.text();
    let field = page.split("id=\"temporary\"").nth(1).unwrap();
    let temporary = field.split("value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    assert_eq!(temporary.chars().count(), 16);
    assert!(temporary.chars().all(|c| c.is_ascii_alphanumeric()), "{temporary}");
    assert_eq!(location(&get_as(&app, "/console", &wang).await), "/console/login?next=/console");
    // The temporary password alone does not log in: the new one is asked for.
    let with = |password: &str, new: &str| {
        vec![("login", "wang"), ("password", password), ("new_password", new), ("next", "/console")]
            .into_iter()
            .map(|(k, v)| (k, v.to_owned()))
            .collect::<Vec<_>>()
    };
    let send = |fields: Vec<(&'static str, String)>| {
        let app = &app;
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post_form(app, "/console/login", &fields, None).await
        }
    };
    let r = send(with(&temporary, "")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("name=\"new_password\"") && r.text().contains("管理员已重置您的密码"));
    assert!(set_cookie(&r).is_none());
    let r = send(with(PASSWORD, "Brand-New-2026")).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "the old password no longer works");
    let r = send(with(&temporary, &temporary)).await;
    assert!(r.text().contains("不能与临时密码相同"));
    let r = send(with(&temporary, "Brand-New-2026")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let r = send(with("Brand-New-2026", "")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "the new password logs in as usual");

    // Disable: the sessions end and the login is refused.
    let r = post_form(&app, "/console/users/wang/disable", &[("csrf_token", &csrf)], Some(&boss)).await;
    assert_eq!(location(&r), "/console?notice=user_disabled");
    let r = send(with("Brand-New-2026", "")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text().contains("该账号已停用"));
    assert!(get_as(&app, "/console", &boss).await.text().contains("已停用"));
    let r = post_form(&app, "/console/users/boss/disable", &[("csrf_token", &csrf)], Some(&boss)).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    // Without the CSRF token nothing happens.
    let r = post_form(&app, "/console/users/boss/reset-password", &[], Some(&boss)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn whoami_needs_a_token_or_a_department_session() {
    let app = app().await;
    let r = app.get("/api/v1/whoami").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.headers.get(header::WWW_AUTHENTICATE).unwrap(), "Bearer");
    assert_eq!(
        r.json(),
        serde_json::json!({"error": {"code": "unauthenticated", "message": "需要登录或有效的 API 令牌"}})
    );
    for bad in ["Bearer nonsense", "Basic d2FuZzpwdw==", "Bearer xyt_000000000000_AAAA"] {
        let r = get_with(&app, "/api/v1/whoami", header::AUTHORIZATION, bad).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{bad}");
    }

    let r = get_as(&app, "/api/v1/whoami", &log_in(&app, "wang").await).await;
    assert_eq!(r.json(), serde_json::json!({"department": "scjgj", "via": "session"}));
    let r = get_as(&app, "/api/v1/whoami", &log_in(&app, "boss").await).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json()["error"]["code"], "no_department");
}

#[tokio::test]
async fn logging_out_ends_the_session() {
    let app = app().await;
    let cookie = log_in(&app, "wang").await;
    let csrf = csrf(&app, &cookie).await;
    let r = post_form(&app, "/console/logout", &[("csrf_token", &csrf)], Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/console/login");
    assert!(set_cookie(&r).unwrap().contains("Max-Age=0"));
    assert_eq!(get_as(&app, "/console", &cookie).await.status, StatusCode::SEE_OTHER);
}

/// A login attempt from `client` (the TCP peer the server saw).
async fn attempt(app: &TestApp, client: &str, login: &str, password: &str) -> TestResponse {
    let peer: std::net::SocketAddr = format!("{client}:40000").parse().unwrap();
    let mut request = Request::post("/console/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form_body(&[("login", login), ("password", password)])))
        .unwrap();
    request.extensions_mut().insert(axum::extract::ConnectInfo(peer));
    app.send(request).await
}

fn retry_after(r: &TestResponse) -> i64 {
    r.headers[header::RETRY_AFTER].to_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn failed_logins_make_the_next_attempt_wait_longer_but_never_lock_the_account() {
    let app = app().await;
    let guesser = "203.0.113.7";
    // Three free failures, then each failure makes the next attempt wait.
    for _ in 0..4 {
        assert_eq!(attempt(&app, guesser, "wang", "wrong-password-1").await.status, StatusCode::UNAUTHORIZED);
    }
    // Waiting: refused without looking at the password, and the page says how long.
    let r = attempt(&app, guesser, "wang", PASSWORD).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(retry_after(&r), 1);
    assert!(r.text().contains("登录失败次数过多，请在 1 秒后再试"), "{}", r.text());
    // The waits double with each failure (1, 2, 4, 8 … seconds).
    let mut waits = Vec::new();
    for _ in 0..5 {
        let r = attempt(&app, guesser, "wang", PASSWORD).await;
        let wait = retry_after(&r);
        waits.push(wait);
        app.clock.advance(chrono::Duration::seconds(wait));
        assert_eq!(attempt(&app, guesser, "wang", "wrong-password-1").await.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(waits, [1, 2, 4, 8, 16]);
    // The clerk at her own desk is delayed by at most a minute, never locked out.
    let clerk = "198.51.100.20";
    let r = attempt(&app, clerk, "wang", PASSWORD).await;
    if r.status == StatusCode::TOO_MANY_REQUESTS {
        assert!(retry_after(&r) <= 60, "{}", retry_after(&r));
        app.clock.advance(chrono::Duration::seconds(retry_after(&r)));
    }
    assert_eq!(attempt(&app, clerk, "wang", PASSWORD).await.status, StatusCode::SEE_OTHER);
    // Other accounts from elsewhere are unaffected.
    assert_eq!(attempt(&app, clerk, "boss", PASSWORD).await.status, StatusCode::SEE_OTHER);
    // The guesser's own wait is capped at fifteen minutes, and forgotten a
    // quarter hour after the last wait ended.
    for _ in 0..12 {
        let r = attempt(&app, guesser, "wang", PASSWORD).await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            assert!(retry_after(&r) <= 15 * 60);
            app.clock.advance(chrono::Duration::seconds(retry_after(&r)));
        }
        attempt(&app, guesser, "wang", "wrong-password-1").await;
    }
    assert_eq!(retry_after(&attempt(&app, guesser, "wang", PASSWORD).await), 15 * 60);
    app.clock.advance(chrono::Duration::minutes(30));
    assert_eq!(attempt(&app, guesser, "wang", "wrong-password-1").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(attempt(&app, guesser, "wang", PASSWORD).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn one_client_trying_many_names_is_slowed_down() {
    let app = app().await;
    let sprayer = "203.0.113.9";
    // Twenty failures across names are free (an office behind one address) …
    for i in 0..21 {
        let login = format!("clerk{i}");
        assert_eq!(attempt(&app, sprayer, &login, "123456").await.status, StatusCode::UNAUTHORIZED, "{login}");
    }
    // … then the client waits, whatever name it tries next.
    let r = attempt(&app, sprayer, "someone-new", "123456").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(retry_after(&r), 1);
    // Another client is not slowed down.
    assert_eq!(attempt(&app, "198.51.100.20", "wang", PASSWORD).await.status, StatusCode::SEE_OTHER);
}

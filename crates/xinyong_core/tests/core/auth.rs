//! Departments, users, console sessions and API tokens, on the backend chosen
//! by the environment (SQLite by default).

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use chrono::Duration;
use xinyong_core::auth::policy::{self, Action, Resource};
use xinyong_core::auth::{self, NewUser};
use xinyong_core::log::verify::verify;
use xinyong_domain::auth::{DepartmentCode, Role};
use xinyong_domain::codes::uscc::Uscc;
use xinyong_domain::event::Actor;
use xinyong_test_support::TestApp;

const PASSWORD: &str = "correct-horse-42";

fn code(raw: &str) -> DepartmentCode {
    DepartmentCode::parse(raw).unwrap()
}

fn admin() -> Actor {
    Actor::parse("user:admin").unwrap()
}

fn no_progress(_: &str, _: u64, _: u64) {}

async fn seeded() -> TestApp {
    let app = TestApp::new().await;
    auth::seed_departments(&app.core, &auth::shipped_departments().unwrap()).await.unwrap();
    app
}

fn clerk(login: &str) -> NewUser {
    NewUser {
        login: login.to_owned(),
        display_name: "王经办".to_owned(),
        department: Some(code("scjgj")),
        roles: vec![Role::Operator],
    }
}

async fn with_clerk() -> TestApp {
    let app = seeded().await;
    auth::create_user(&app.core, &admin(), clerk("wang"), PASSWORD).await.unwrap();
    app
}

#[test]
fn the_shipped_departments_parse_strictly() {
    let departments = auth::shipped_departments().unwrap();
    assert!(departments.len() >= 20, "{}", departments.len());
    for d in &departments {
        let uscc = d.uscc.as_ref().unwrap();
        // Public bodies registered by the 机构编制 authority, in Jinan, with both checks right.
        assert_eq!(Uscc::parse(uscc.as_str()).unwrap(), *uscc, "{}", d.code);
        assert!(uscc.as_str().starts_with("113701"), "{}", d.code);
        assert_eq!(uscc.division_code(), d.district, "{}", d.code);
        assert!(d.district.starts_with("3701"), "{}", d.code);
        assert!(d.sector.is_some(), "{}", d.code);
    }
    let mut codes: Vec<&str> = departments.iter().map(|d| d.code.as_str()).collect();
    for expected in ["scjgj", "swj", "fgw", "zjfy", "lxq-scjgj", "xfzd"] {
        assert!(codes.contains(&expected), "{expected}");
    }
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), departments.len(), "department codes are unique");
    let fgw = departments.iter().find(|d| d.code.as_str() == "fgw").unwrap();
    assert_eq!(fgw.sector.as_deref(), Some("credit_office"));
    let lixia = departments.iter().find(|d| d.code.as_str() == "lxq-scjgj").unwrap();
    assert_eq!(lixia.district, "370102");
}

#[test]
fn a_bad_departments_file_is_refused_with_a_reason() {
    let one = |uscc: &str, extra: &str| {
        format!(
            "version = \"t\"\n[[departments]]\ncode = \"scjgj\"\nname = \"济南市市场监督管理局\"\nuscc = \"{uscc}\"\n\
             district = \"370100\"\nsector = \"market_regulation\"\n{extra}"
        )
    };
    assert!(auth::parse_departments(&one("11370100MB2853A6XD", "")).is_ok());
    // Wrong check character.
    let err = auth::parse_departments(&one("11370100MB2853A6XE", "")).unwrap_err();
    assert_eq!(err.code(), "departments_file_invalid");
    assert!(err.to_string().contains("scjgj"), "{err}");
    // Unknown key (a typo must not be silently dropped).
    assert!(auth::parse_departments(&one("11370100MB2853A6XD", "secter = \"x\"\n")).is_err());
    // Duplicate code.
    let twice = format!(
        "{}\n{}",
        one("11370100MB2853A6XD", ""),
        one("11370100MB2853A6XD", "").replace("version = \"t\"\n", "")
    );
    assert!(auth::parse_departments(&twice).unwrap_err().to_string().contains("重复"));
    // Unknown division.
    let bad_district = one("11370100MB2853A6XD", "").replace("370100", "370199");
    assert!(auth::parse_departments(&bad_district).is_err());
}

#[tokio::test]
async fn seeding_departments_is_idempotent() {
    let app = TestApp::new().await;
    let shipped = auth::shipped_departments().unwrap();
    assert_eq!(auth::seed_departments(&app.core, &shipped).await.unwrap(), shipped.len());
    let size = app.core.store().log_size().await.unwrap();
    assert_eq!(size, shipped.len() as u64, "one event per department");
    assert_eq!(auth::seed_departments(&app.core, &shipped).await.unwrap(), 0);
    assert_eq!(app.core.store().log_size().await.unwrap(), size, "a second run appends nothing");

    let mut expected = shipped.clone();
    expected.sort_by(|a, b| a.code.cmp(&b.code));
    assert_eq!(auth::departments(&app.core).await.unwrap(), expected);
    let scjgj = auth::department(&app.core, &code("scjgj")).await.unwrap().unwrap();
    assert_eq!(scjgj.name, "济南市市场监督管理局");
    assert_eq!(auth::department(&app.core, &code("nosuch")).await.unwrap(), None);
    verify(&app.core, &no_progress).await.unwrap();
}

#[tokio::test]
async fn users_are_created_only_when_valid() {
    let app = seeded().await;
    let core = &app.core;
    let actor = admin();
    let create = |user: NewUser, password: &'static str| auth::create_user(core, &actor, user, password);

    let bad_login = NewUser { login: "Wang Wu".to_owned(), ..clerk("x") };
    assert_eq!(create(bad_login, PASSWORD).await.unwrap_err().code(), "login_invalid");
    let short = create(clerk("wang"), "abc-12").await.unwrap_err();
    assert_eq!(short.code(), "password_weak");
    assert!(short.to_string().contains("至少 10 个字符"), "{short}");
    let one_class = create(clerk("wang"), "abcdefghijkl").await.unwrap_err();
    assert_eq!(one_class.code(), "password_weak");
    assert!(one_class.to_string().contains("一类字符"), "{one_class}");
    assert_eq!(create(clerk("wang"), "1234567890123").await.unwrap_err().code(), "password_weak");
    let nowhere = NewUser { department: Some(code("nosuch")), ..clerk("wang") };
    assert_eq!(create(nowhere, PASSWORD).await.unwrap_err().code(), "department_unknown");
    let homeless = NewUser { department: None, ..clerk("wang") };
    assert_eq!(create(homeless, PASSWORD).await.unwrap_err().code(), "department_required");
    let no_roles = NewUser { roles: vec![], ..clerk("wang") };
    assert_eq!(create(no_roles, PASSWORD).await.unwrap_err().code(), "roles_missing");
    assert_eq!(core.store().log_size().await.unwrap(), auth::shipped_departments().unwrap().len() as u64);

    create(clerk("wang"), PASSWORD).await.unwrap();
    let duplicate = create(clerk("wang"), PASSWORD).await.unwrap_err();
    assert_eq!(duplicate.code(), "user_exists");
    // The credit office's administrators need no department.
    let office = NewUser { login: "li".to_owned(), department: None, roles: vec![Role::Admin], ..clerk("li") };
    create(office, PASSWORD).await.unwrap();

    let wang = auth::user(core, "wang").await.unwrap().unwrap();
    assert_eq!(wang.department, Some(code("scjgj")));
    assert_eq!(wang.roles, vec![Role::Operator]);
    assert!(wang.active);
    let logins: Vec<String> = auth::users(core).await.unwrap().into_iter().map(|u| u.login).collect();
    assert_eq!(logins, ["li", "wang"]);
    // The stored hash is Argon2id, and the password is nowhere in the log.
    let row = core.store().get(xinyong_domain::auth::UserRow::key("wang")).await.unwrap().unwrap();
    let hash = row.password_hash;
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    let events = core.store().events_from(0, 1_000).await.unwrap();
    assert!(events.iter().all(|e| !e.body.as_deref().unwrap_or_default().contains(PASSWORD)));
    verify(core, &no_progress).await.unwrap();
}

#[tokio::test]
async fn login_opens_a_session_and_refuses_wrong_passwords_alike() {
    let app = with_clerk().await;
    let core = &app.core;

    let session = auth::login(core, "wang", PASSWORD, [7; 32]).await.unwrap();
    assert_eq!(session.login, "wang");
    assert_eq!(session.expires_at, app.core.now() + Duration::hours(12));
    assert_eq!(session.csrf_token.len(), 64);
    let user = auth::session(core, &session.cookie_value).await.unwrap().unwrap();
    assert_eq!(user.login, "wang");
    assert_eq!(user.department, Some(code("scjgj")));
    assert_eq!(user.csrf_token, session.csrf_token);
    // The session is a principal the access policy judges: its own
    // department's tokens, not another's, and no user management.
    let me = user.principal();
    assert_eq!(me.department(), Some(&code("scjgj")));
    assert!(policy::allows(&me, Action::ViewTokens, &Resource::Department(code("scjgj"))));
    assert!(!policy::allows(&me, Action::ViewTokens, &Resource::Department(code("swj"))));
    assert!(!policy::allows(&me, Action::ManageUsers, &Resource::Platform));
    assert_eq!(user.actor().as_str(), "user:wang");

    // Wrong password and unknown login give the same answer.
    let wrong = auth::login(core, "wang", "wrong-password-1", [8; 32]).await.unwrap_err();
    let unknown = auth::login(core, "nobody", PASSWORD, [9; 32]).await.unwrap_err();
    let malformed = auth::login(core, "Not A Login", PASSWORD, [9; 32]).await.unwrap_err();
    for err in [&wrong, &unknown, &malformed] {
        assert_eq!(err.code(), "login_failed");
        assert_eq!(err.to_string(), "用户名或密码错误");
    }
    // Cookies that are not ours find nothing.
    for junk in ["", "abc", "!!!", &"A".repeat(43)] {
        assert_eq!(auth::session(core, junk).await.unwrap(), None, "{junk:?}");
    }

    auth::logout(core, &session.cookie_value).await.unwrap();
    assert_eq!(auth::session(core, &session.cookie_value).await.unwrap(), None);
    // Logging out twice or with junk is harmless.
    auth::logout(core, &session.cookie_value).await.unwrap();
    auth::logout(core, "junk").await.unwrap();
    // Sessions are not events.
    assert_eq!(core.store().log_size().await.unwrap(), auth::shipped_departments().unwrap().len() as u64 + 1);
}

#[tokio::test]
async fn sessions_expire_after_twelve_hours() {
    let app = with_clerk().await;
    let session = auth::login(&app.core, "wang", PASSWORD, [1; 32]).await.unwrap();
    app.clock.advance(Duration::hours(12) - Duration::milliseconds(1));
    assert!(auth::session(&app.core, &session.cookie_value).await.unwrap().is_some());
    app.clock.advance(Duration::milliseconds(1));
    assert_eq!(auth::session(&app.core, &session.cookie_value).await.unwrap(), None);
    // The expired row is gone, not just ignored.
    let id = hex::encode(<sha2::Sha256 as sha2::Digest>::digest([1u8; 32]));
    assert_eq!(app.core.store().session_by_hash(&id).await.unwrap(), None);
}

#[tokio::test]
async fn disabled_users_cannot_log_in_and_lose_their_sessions() {
    let app = with_clerk().await;
    let core = &app.core;
    let session = auth::login(core, "wang", PASSWORD, [2; 32]).await.unwrap();
    auth::disable_user(core, &admin(), "wang").await.unwrap();
    assert_eq!(auth::session(core, &session.cookie_value).await.unwrap(), None);
    let err = auth::login(core, "wang", PASSWORD, [3; 32]).await.unwrap_err();
    assert_eq!(err.code(), "user_disabled");
    // Wrong password for a disabled user still says only "wrong".
    assert_eq!(auth::login(core, "wang", "wrong-password-1", [3; 32]).await.unwrap_err().code(), "login_failed");
    let size = core.store().log_size().await.unwrap();
    auth::disable_user(core, &admin(), "wang").await.unwrap();
    assert_eq!(core.store().log_size().await.unwrap(), size, "disabling twice appends nothing");
    assert_eq!(auth::disable_user(core, &admin(), "nobody").await.unwrap_err().code(), "user_not_found");
    assert!(!auth::user(core, "wang").await.unwrap().unwrap().active);
    verify(core, &no_progress).await.unwrap();
}

#[tokio::test]
async fn a_new_password_replaces_the_old_one_and_ends_sessions() {
    let app = with_clerk().await;
    let core = &app.core;
    let session = auth::login(core, "wang", PASSWORD, [4; 32]).await.unwrap();
    assert_eq!(auth::set_password(core, &admin(), "wang", "short").await.unwrap_err().code(), "password_weak");
    auth::set_password(core, &admin(), "wang", "Another-Pass-2026").await.unwrap();
    assert_eq!(auth::session(core, &session.cookie_value).await.unwrap(), None);
    assert_eq!(auth::login(core, "wang", PASSWORD, [5; 32]).await.unwrap_err().code(), "login_failed");
    auth::login(core, "wang", "Another-Pass-2026", [5; 32]).await.unwrap();
    verify(core, &no_progress).await.unwrap();
}

#[tokio::test]
async fn tokens_authenticate_until_revoked() {
    let app = seeded().await;
    let core = &app.core;
    let scjgj = code("scjgj");

    let issued = auth::issue_token(core, &admin(), &scjgj, "  双公示报送系统（生产）  ", [11; 32]).await.unwrap();
    let rest = issued.token.strip_prefix("xyt_").unwrap();
    let (id, secret) = rest.split_once('_').unwrap();
    assert_eq!(id, issued.token_id);
    assert_eq!(id.len(), 12);
    assert_eq!(secret.len(), 43, "base64url of 32 bytes");

    let caller = auth::authenticate_token(core, &issued.token).await.unwrap().unwrap();
    assert_eq!(caller.department, scjgj);
    assert_eq!(caller.actor().as_str(), format!("token:{id}"));
    // One changed character, a wrong id, or junk: nobody.
    let mut tampered = issued.token.clone();
    let last = if tampered.ends_with('A') { "B" } else { "A" };
    tampered.replace_range(tampered.len() - 1.., last);
    for bad in [tampered.as_str(), "xyt_000000000000_AAAA", "xyt_", "Bearer x", "", "xyt_ABCDEF123456_x"] {
        assert_eq!(auth::authenticate_token(core, bad).await.unwrap(), None, "{bad:?}");
    }

    let other = auth::issue_token(core, &admin(), &code("swj"), "税务接口", [12; 32]).await.unwrap();
    let listed = auth::tokens(core, Some(&scjgj)).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].label, "双公示报送系统（生产）");
    assert!(!listed[0].revoked);
    assert_eq!(auth::tokens(core, None).await.unwrap().len(), 2);

    // The list and the log never hold the token itself.
    let events = core.store().events_from(0, 1_000).await.unwrap();
    assert!(events.iter().all(|e| !e.body.as_deref().unwrap_or_default().contains(secret)));

    auth::revoke_token(core, &admin(), &issued.token_id).await.unwrap();
    assert_eq!(auth::authenticate_token(core, &issued.token).await.unwrap(), None);
    assert!(auth::token(core, &issued.token_id).await.unwrap().unwrap().revoked);
    let size = core.store().log_size().await.unwrap();
    auth::revoke_token(core, &admin(), &issued.token_id).await.unwrap();
    assert_eq!(core.store().log_size().await.unwrap(), size, "revoking twice appends nothing");
    assert!(auth::authenticate_token(core, &other.token).await.unwrap().is_some());

    assert_eq!(auth::revoke_token(core, &admin(), "nosuch").await.unwrap_err().code(), "token_not_found");
    let unknown = auth::issue_token(core, &admin(), &code("nosuch"), "x", [13; 32]).await.unwrap_err();
    assert_eq!(unknown.code(), "department_unknown");
    assert_eq!(
        auth::issue_token(core, &admin(), &scjgj, " ", [13; 32]).await.unwrap_err().code(),
        "token_label_invalid"
    );
    let reused = auth::issue_token(core, &admin(), &scjgj, "again", [11; 32]).await.unwrap_err();
    assert_eq!(reused.code(), "token_exists");
    verify(core, &no_progress).await.unwrap();
}

#[test]
fn constant_time_eq_compares_whole_values() {
    assert!(auth::constant_time_eq(b"abc", b"abc"));
    assert!(!auth::constant_time_eq(b"abc", b"abd"));
    assert!(!auth::constant_time_eq(b"abc", b"abcd"));
    assert!(auth::constant_time_eq(b"", b""));
}

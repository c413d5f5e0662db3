//! Issue 15 item 5 through the router: the credit office publishes a notice
//! with a PDF attachment and a policy document in the console; both are on
//! the portal (their tabs, their pages, the home page's block) and the
//! attachment downloads with its own name; a withdrawn notice is gone (404
//! with the error page) and its attachment with it; a form with a problem
//! comes back with the reason; a department's user may not publish.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use std::sync::atomic::{AtomicU8, Ordering};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{NaiveDate, TimeZone as _, Utc};
use xinyong_core::auth::{self, NewUser};
use xinyong_domain::auth::{DepartmentCode, Role};
use xinyong_domain::event::Actor;
use xinyong_test_support::{TestApp, TestResponse};

const PASSWORD: &str = "correct-horse-42";
const BOUNDARY: &str = "notice-boundary";
const PDF: &[u8] = b"%PDF-1.7\n% test attachment\n";

static NEXT_SECRET: AtomicU8 = AtomicU8::new(1);

struct Session {
    cookie: String,
    csrf: String,
}

async fn session(app: &TestApp, login: &str, department: Option<&str>, roles: Vec<Role>) -> Session {
    let user = NewUser {
        login: login.into(),
        display_name: "测试用户".into(),
        department: department.map(|d| DepartmentCode::parse(d).unwrap()),
        roles,
    };
    auth::create_user(&app.core, &Actor::system(), user, PASSWORD).await.unwrap();
    let secret = [NEXT_SECRET.fetch_add(1, Ordering::Relaxed); 32];
    let s = auth::login(&app.core, login, PASSWORD, secret).await.unwrap();
    Session { cookie: s.cookie_value, csrf: s.csrf_token }
}

async fn city() -> TestApp {
    let app = TestApp::new().await;
    let date: NaiveDate = "2026-12-04".parse().unwrap();
    app.clock.set(Utc.from_utc_datetime(&date.and_hms_opt(2, 0, 0).unwrap()));
    auth::seed_departments(&app.core, &auth::shipped_departments().unwrap()).await.unwrap();
    app
}

async fn get(app: &TestApp, path: &str, s: Option<&Session>) -> TestResponse {
    let mut request = Request::get(path);
    if let Some(s) = s {
        request = request.header(header::COOKIE, format!("xinyong_session={}", s.cookie));
    }
    app.send(request.body(Body::empty()).unwrap()).await
}

/// The notice form as a browser sends it, with one attachment when given.
async fn publish(app: &TestApp, s: &Session, fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> TestResponse {
    let mut body = Vec::new();
    let mut fields: Vec<(&str, &str)> = fields.to_vec();
    fields.push(("csrf_token", &s.csrf));
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    if let Some((name, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"{name}\"\r\nContent-Type: application/pdf\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    let request = Request::post("/console/notices")
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"))
        .header(header::COOKIE, format!("xinyong_session={}", s.cookie))
        .body(Body::from(body))
        .unwrap();
    app.send(request).await
}

/// The id a successful publication redirects with.
fn published_id(r: &TestResponse) -> String {
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let location = r.headers.get(header::LOCATION).unwrap().to_str().unwrap();
    location.strip_prefix("/console/notices?published=").unwrap().to_owned()
}

/// A form's fields, and one attachment (name, bytes).
type Fields<'a> = &'a [(&'a str, &'a str)];
type Attachment<'a> = (&'a str, &'a [u8]);

const REPAIR_NOTICE: &[(&str, &str)] = &[
    ("kind", "announcement"),
    ("title", "关于开展2025年度信用修复集中办理的通知"),
    ("published_on", "2026-11-20"),
    (
        "body",
        "各有关单位：\n\n为帮助失信主体重塑信用，现开展信用修复集中办理。\n\n咨询电话：0531-12345678\n<script>alert(1)</script>",
    ),
];

#[tokio::test]
async fn a_published_notice_is_on_the_portal_until_it_is_withdrawn() {
    let app = city().await;
    let office = session(&app, "office", None, vec![Role::Admin]).await;
    let id = published_id(&publish(&app, &office, REPAIR_NOTICE, Some(("修复申请表 (样表).pdf", PDF))).await);
    let policy = [
        ("kind", "policy"),
        ("title", "山东省社会信用条例"),
        ("published_on", "2020-07-24"),
        ("issuer", "山东省人民代表大会常务委员会"),
        ("body", "第一条　为了……制定本条例。"),
    ];
    let policy_id = published_id(&publish(&app, &office, &policy, None).await);

    let list = get(&app, "/notices", None).await;
    assert_eq!(list.status, StatusCode::OK);
    let html = list.text();
    assert!(html.contains("关于开展2025年度信用修复集中办理的通知") && !html.contains("山东省社会信用条例"), "{html}");
    let policies = get(&app, "/notices?kind=policy", None).await.text();
    assert!(policies.contains("山东省社会信用条例") && policies.contains(&format!("/notices/{policy_id}")));
    let home = get(&app, "/", None).await.text();
    assert!(home.contains(&format!("/notices/{id}")) && home.contains(&format!("/notices/{policy_id}")), "{home}");

    let page = get(&app, &format!("/notices/{id}"), None).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("<p>为帮助失信主体重塑信用，现开展信用修复集中办理。</p>"), "paragraphs: {html}");
    assert!(html.contains("&#60;script&#62;") && !html.contains("<script>alert"), "escaped: {html}");
    assert!(html.contains(&format!("/notices/{id}/attachments/1")) && html.contains("修复申请表 (样表).pdf"));

    let file = get(&app, &format!("/notices/{id}/attachments/1"), None).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.body, PDF);
    assert_eq!(file.content_type(), "application/pdf");
    let disposition = file.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
    assert!(disposition.contains("filename=\"attachment-1.pdf\""), "{disposition}");
    assert!(disposition.contains("filename*=UTF-8''%E4%BF%AE%E5%A4%8D"), "{disposition}");
    assert_eq!(get(&app, &format!("/notices/{id}/attachments/2"), None).await.status, StatusCode::NOT_FOUND);

    let r = app
        .post_form(
            &format!("/console/notices/{id}/withdraw"),
            &(format!("xinyong_session={}", office.cookie), office.csrf.clone()),
            &[("reason", "通知内容需要更正")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let gone = get(&app, &format!("/notices/{id}"), None).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert!(gone.text().contains("未找到"), "the Chinese error page: {}", gone.text());
    assert_eq!(get(&app, &format!("/notices/{id}/attachments/1"), None).await.status, StatusCode::NOT_FOUND);
    assert!(!get(&app, "/notices", None).await.text().contains(&format!("/notices/{id}")));
    assert!(!get(&app, "/", None).await.text().contains(&format!("/notices/{id}")));
    let console = get(&app, "/console/notices", Some(&office)).await.text();
    assert!(console.contains("已撤回") && console.contains("通知内容需要更正"), "{console}");

    // Both changes are in the log.
    let kinds: Vec<String> =
        app.core.store().events_from(0, 1_000).await.unwrap().into_iter().map(|e| e.kind).collect();
    assert_eq!(kinds.iter().filter(|k| *k == "notice_published").count(), 2, "{kinds:?}");
    assert!(kinds.iter().any(|k| k == "notice_withdrawn"), "{kinds:?}");
}

#[tokio::test]
async fn a_form_with_a_problem_comes_back_with_the_reason_and_the_text_as_typed() {
    let app = city().await;
    let office = session(&app, "office", None, vec![Role::Admin]).await;
    let cases: [(Fields, Option<Attachment>, &str); 5] = [
        (&[("kind", "announcement"), ("title", ""), ("body", "正文")], None, "notice_title_required"),
        (&[("kind", "gossip"), ("title", "标题"), ("body", "正文")], None, "notice_kind_invalid"),
        (&[("kind", "policy"), ("title", "标题"), ("body", "")], None, "notice_body_required"),
        (
            &[("kind", "policy"), ("title", "标题"), ("body", "正文"), ("published_on", "2099-01-01")],
            None,
            "notice_published_on_invalid",
        ),
        (
            &[("kind", "policy"), ("title", "保留的标题"), ("body", "正文")],
            Some(("病毒.exe", b"MZ\x90")),
            "notice_attachment_type",
        ),
    ];
    for (fields, file, code) in cases {
        let r = publish(&app, &office, fields, file).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{code}: {}", r.text());
        assert!(r.text().contains(&format!("data-code=\"{code}\"")), "{code}: {}", r.text());
    }
    let r = publish(
        &app,
        &office,
        &[("kind", "policy"), ("title", "保留的标题"), ("body", "正文")],
        Some(("x.exe", b"MZ")),
    )
    .await;
    assert!(r.text().contains("value=\"保留的标题\""), "as typed: {}", r.text());
    let long = "长".repeat(121);
    let r = publish(&app, &office, &[("kind", "policy"), ("title", &long), ("body", "正文")], None).await;
    assert!(r.text().contains("data-code=\"notice_title_required\"") && r.text().contains("最多 120 个字"));
    assert!(!get(&app, "/notices?kind=policy", None).await.text().contains("/notices/TZ"), "nothing published");
}

#[tokio::test]
async fn only_the_credit_office_publishes_and_withdraws() {
    let app = city().await;
    let office = session(&app, "office", None, vec![Role::Admin]).await;
    let id = published_id(&publish(&app, &office, REPAIR_NOTICE, None).await);
    let clerk = session(&app, "clerk", Some("scjgj"), vec![Role::Operator, Role::Reviewer]).await;
    assert_eq!(get(&app, "/console/notices", Some(&clerk)).await.status, StatusCode::FORBIDDEN);
    let policy = [("kind", "policy"), ("title", "部门不能发布"), ("body", "正文")];
    assert_eq!(publish(&app, &clerk, &policy, None).await.status, StatusCode::FORBIDDEN);
    let r = app
        .post_form(
            &format!("/console/notices/{id}/withdraw"),
            &(format!("xinyong_session={}", clerk.cookie), clerk.csrf.clone()),
            &[("reason", "试图撤回")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(get(&app, &format!("/notices/{id}"), None).await.status, StatusCode::OK, "still published");
    // Without a session: the login page.
    let r = get(&app, "/console/notices", None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // A forged form (wrong CSRF token) publishes nothing.
    let forged = Session { cookie: office.cookie.clone(), csrf: "forged".into() };
    let r = publish(&app, &forged, &[("kind", "policy"), ("title", "伪造的表单"), ("body", "正文")], None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    assert!(!get(&app, "/notices?kind=policy", None).await.text().contains("伪造的表单"));
}

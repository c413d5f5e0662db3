//! Issue 14 item 5 through the router: a company registers an honour (with
//! the truthfulness commitment and a PDF) and a qualification on
//! `/my/registrations`; the credit office's commission accepts the honour
//! and the market regulator rejects the qualification with reasons in the
//! console; the company reads both outcomes; the public subject page shows
//! the accepted honour marked 自主申报 · 已审核 and nothing else of it, and
//! so does the public API; a
//! registration past its review deadline is marked overdue in the queue.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use std::sync::atomic::{AtomicU8, Ordering};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{NaiveDate, TimeZone as _, Utc};
use xinyong_core::auth::subject_accounts::{self, Activation};
use xinyong_core::auth::{self, NewUser};
use xinyong_domain::Uscc;
use xinyong_domain::auth::{DepartmentCode, Role};
use xinyong_domain::event::{Actor, NewEvent};
use xinyong_domain::subjects::{LegalPerson, SubjectName, SubjectStatus, SubjectsEvent};
use xinyong_test_support::{TestApp, TestResponse, department_user};

const TRADER: &str = "91370102MA3C4F2K2U";
const PASSWORD: &str = "correct-horse-42";
const BOUNDARY: &str = "registration-boundary";

static NEXT_SECRET: AtomicU8 = AtomicU8::new(1);

struct Session {
    cookie: String,
    csrf: String,
}

fn morning(app: &TestApp, day: &str) {
    let date: NaiveDate = day.parse().unwrap();
    app.clock.set(Utc.from_utc_datetime(&date.and_hms_opt(2, 0, 0).unwrap()));
}

async fn reviewer(app: &TestApp, login: &str, department: &str) -> Session {
    let user = NewUser {
        login: login.into(),
        display_name: "审核人".into(),
        department: Some(DepartmentCode::parse(department).unwrap()),
        roles: vec![Role::Reviewer],
    };
    auth::create_user(&app.core, &Actor::system(), user, PASSWORD).await.unwrap();
    let secret = [NEXT_SECRET.fetch_add(1, Ordering::Relaxed); 32];
    let s = auth::login(&app.core, login, PASSWORD, secret).await.unwrap();
    Session { cookie: s.cookie_value, csrf: s.csrf_token }
}

/// The city on `day` (10:00), with the company's account activated.
async fn city(day: &str) -> TestApp {
    let app = TestApp::new().await;
    morning(&app, day);
    auth::seed_departments(&app.core, &auth::shipped_departments().unwrap()).await.unwrap();
    let company = SubjectsEvent::LegalPersonRegistered {
        subject: LegalPerson {
            uscc: Uscc::parse(TRADER).unwrap(),
            name: SubjectName::parse("济南泉润商贸有限公司").unwrap(),
            status: SubjectStatus::Active,
        },
        people: vec![],
    };
    app.core.append(vec![NewEvent::new(Actor::parse("demo").unwrap(), company)]).await.unwrap();
    let org = Uscc::parse(TRADER).unwrap();
    let letter =
        subject_accounts::issue_activation_code(&app.core, &department_user("scjgj"), &org, [7; 10]).await.unwrap();
    let activation = Activation {
        uscc: org.clone(),
        code: letter.code,
        username: "admin".into(),
        display_name: "办公室".into(),
        password: PASSWORD.into(),
    };
    subject_accounts::activate(&app.core, &activation).await.unwrap();
    app
}

/// A fresh session of the company's account (sessions last hours, the
/// story days).
async fn company(app: &TestApp) -> Session {
    let org = Uscc::parse(TRADER).unwrap();
    let secret = [NEXT_SECRET.fetch_add(1, Ordering::Relaxed); 32];
    let s = subject_accounts::subject_login(&app.core, &org, "admin", PASSWORD, None, secret).await.unwrap();
    Session { cookie: s.cookie_value, csrf: s.csrf_token }
}

async fn page(app: &TestApp, path: &str, s: Option<&Session>) -> TestResponse {
    let mut request = Request::get(path);
    if let Some(s) = s {
        request = request.header(header::COOKIE, format!("xinyong_session={}", s.cookie));
    }
    app.send(request.body(Body::empty()).unwrap()).await
}

async fn form(app: &TestApp, path: &str, s: &Session, fields: &[(&str, &str)]) -> TestResponse {
    app.post_form(path, &(format!("xinyong_session={}", s.cookie), s.csrf.clone()), fields).await
}

/// The registration form as a browser sends it, with one file when given.
async fn register(app: &TestApp, s: &Session, fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> TestResponse {
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
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\nContent-Type: application/pdf\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    let request = Request::post("/my/registrations")
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"))
        .header(header::COOKIE, format!("xinyong_session={}", s.cookie))
        .body(Body::from(body))
        .unwrap();
    app.send(request).await
}

fn location(r: &TestResponse) -> String {
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    r.headers.get(header::LOCATION).unwrap().to_str().unwrap().to_owned()
}

const HONOUR: &[(&str, &str)] = &[
    ("kind", "honour"),
    ("title", "济南市守合同重信用企业"),
    ("issuer", "济南市市场监督管理局"),
    ("issued_on", "2026-06-30"),
    ("valid_until", "2028-06-29"),
    ("content", "2024—2025 年度公示名单第 37 号"),
    ("commitment", "on"),
];

#[tokio::test]
async fn a_registration_is_accepted_shown_publicly_and_another_rejected_with_reasons() {
    let app = city("2026-11-02").await;
    let company = company(&app).await;

    // The form shows the truthfulness commitment; without ticking it nothing is written.
    let my = page(&app, "/my/registrations", Some(&company)).await;
    assert_eq!(my.status, StatusCode::OK, "{}", my.text());
    assert!(my.text().contains("信用信息自愿注册真实性承诺书") && my.text().contains("济南泉润商贸有限公司"));
    let unsigned: Vec<(&str, &str)> = HONOUR.iter().copied().filter(|(k, _)| *k != "commitment").collect();
    let r = register(&app, &company, &unsigned, None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(r.text().contains("data-code=\"registration_commitment_required\""));

    let honour = location(&register(&app, &company, HONOUR, Some(("公示名单.pdf", b"%PDF-1.7 list"))).await);
    let detail = page(&app, &honour, Some(&company)).await;
    assert!(detail.text().contains("待审核") && detail.text().contains("公示名单.pdf"), "{}", detail.text());
    let licence = [
        ("kind", "qualification"),
        ("title", "道路运输经营许可证"),
        ("issuer", "济南市交通运输局"),
        ("content", "普通货运"),
        ("commitment", "on"),
    ];
    let licence = location(&register(&app, &company, &licence, None).await);
    let licence_id = licence.rsplit('/').next().unwrap().to_owned();
    let honour_id = honour.rsplit('/').next().unwrap().to_owned();

    // Each department's queue holds its kinds; reviewers decide.
    let fgw = reviewer(&app, "fgw_rv", "fgw").await;
    let queue = page(&app, "/console/registrations", Some(&fgw)).await.text();
    assert!(queue.contains("济南市守合同重信用企业") && !queue.contains("道路运输经营许可证"), "{queue}");
    let file = page(&app, &format!("/console/registrations/{honour_id}/files/1"), Some(&fgw)).await;
    assert_eq!(file.body, b"%PDF-1.7 list");
    morning(&app, "2026-11-09");
    let fgw = reviewer(&app, "fgw_rv2", "fgw").await;
    let honour_review = format!("/console/registrations/{honour_id}/review");
    location(&form(&app, &honour_review, &fgw, &[("outcome", "accepted")]).await);
    let scjgj = reviewer(&app, "sc_rv", "scjgj").await;
    let path = format!("/console/registrations/{licence_id}/review");
    let r = form(&app, &path, &scjgj, &[("outcome", "rejected"), ("reason", "")]).await;
    assert!(r.text().contains("data-code=\"review_reason_required\""), "{}", r.text());
    let reasons = "未附许可证扫描件，无法核实";
    location(&form(&app, &path, &scjgj, &[("outcome", "rejected"), ("reason", reasons)]).await);
    // Another department's reviewer may not decide.
    let refused = form(&app, &honour_review, &scjgj, &[("outcome", "rejected")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // The company reads both outcomes.
    let company = self::company(&app).await;
    let my = page(&app, "/my/registrations", Some(&company)).await.text();
    assert!(my.contains("审核通过") && my.contains("未通过") && my.contains(reasons), "{my}");

    // The public page: the accepted honour, marked; not the rejected one, no files.
    let public = page(&app, &format!("/subjects/{TRADER}"), None).await.text();
    assert!(public.contains("自主申报信息（1）") && public.contains("自主申报 · 已审核"), "{public}");
    assert!(public.contains("济南市守合同重信用企业") && public.contains("济南市发展和改革委员会"));
    assert!(!public.contains("道路运输经营许可证") && !public.contains("公示名单.pdf") && !public.contains(reasons));
    // The public API says the same.
    let json = page(&app, &format!("/api/v1/public/subjects/{TRADER}"), None).await.json();
    let listed = json["registrations"].as_array().unwrap();
    assert_eq!(listed.len(), 1, "{json}");
    assert_eq!(
        (listed[0]["kind"].as_str(), listed[0]["title"].as_str()),
        (Some("honour"), Some("济南市守合同重信用企业"))
    );
    assert_eq!(listed[0]["mark"], "自主申报 · 已审核");
    assert_eq!(listed[0]["valid_until"], "2028-06-29");
    let past = page(&app, &format!("/api/v1/public/subjects/{TRADER}?as_of=2026-11-01"), None).await.json();
    assert_eq!(past["registrations"].as_array().map(Vec::len), Some(0), "a past day shows none");
}

#[tokio::test]
async fn a_registration_past_its_review_deadline_is_marked_overdue() {
    let app = city("2026-11-02").await;
    location(&register(&app, &company(&app).await, HONOUR, None).await);
    let fgw = reviewer(&app, "fgw_rv", "fgw").await;
    assert!(page(&app, "/console/registrations", Some(&fgw)).await.text().contains("待审核（1）"));
    // 10 working days after Monday 2 November is Monday 16 November.
    morning(&app, "2026-11-16");
    let fgw = reviewer(&app, "fgw_rv2", "fgw").await;
    let queue = page(&app, "/console/registrations", Some(&fgw)).await.text();
    assert!(queue.contains("待审核（1）") && !queue.contains("已逾期"), "{queue}");
    morning(&app, "2026-11-17");
    let fgw = reviewer(&app, "fgw_rv3", "fgw").await;
    let queue = page(&app, "/console/registrations", Some(&fgw)).await.text();
    assert!(
        queue.contains("2026-11-16") && queue.contains("已逾期") && queue.contains("1 件已超过审核期限"),
        "{queue}"
    );
}

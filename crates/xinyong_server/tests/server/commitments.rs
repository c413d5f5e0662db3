//! Issue 14 items 1–3 through the router: the portal publishes the items
//! and their standard letters; a company commits online with a material
//! deferred; the deadline (on the 调休 calendar) passes, the `commitments`
//! job marks the material overdue; the approval bureau records the breach
//! in the console; the company's page says 告知承诺 is no longer available
//! and the breach is on its public credit page.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use std::sync::atomic::{AtomicU8, Ordering};

use axum::http::{StatusCode, header};
use chrono::{NaiveDate, TimeZone as _, Utc};
use xinyong_core::auth::subject_accounts::{self, Activation};
use xinyong_core::auth::{self, NewUser};
use xinyong_core::jobs::Job as _;
use xinyong_domain::Uscc;
use xinyong_domain::auth::{DepartmentCode, Role};
use xinyong_domain::event::{Actor, NewEvent};
use xinyong_domain::subjects::{LegalPerson, SubjectName, SubjectStatus, SubjectsEvent};
use xinyong_test_support::{TestApp, TestResponse, department_user};

const BUILDER: &str = "91370102MA3C4F2K2U";
const PASSWORD: &str = "correct-horse-42";

static NEXT_SECRET: AtomicU8 = AtomicU8::new(1);

/// A session: its cookie and its CSRF token.
struct Session {
    cookie: String,
    csrf: String,
}

fn morning(app: &TestApp, day: &str) {
    let date: NaiveDate = day.parse().unwrap();
    app.clock.set(Utc.from_utc_datetime(&date.and_hms_opt(2, 0, 0).unwrap()));
}

async fn city() -> (TestApp, Session, Session) {
    let app = TestApp::new().await;
    auth::seed_departments(&app.core, &auth::shipped_departments().unwrap()).await.unwrap();
    let company = SubjectsEvent::LegalPersonRegistered {
        subject: LegalPerson {
            uscc: Uscc::parse(BUILDER).unwrap(),
            name: SubjectName::parse("济南泉城建设工程有限公司").unwrap(),
            status: SubjectStatus::Active,
        },
        people: vec![],
    };
    app.core.append(vec![NewEvent::new(Actor::parse("demo").unwrap(), company)]).await.unwrap();
    let clerk = NewUser {
        login: "spj_op".into(),
        display_name: "审批窗口".into(),
        department: Some(DepartmentCode::parse("spj").unwrap()),
        roles: vec![Role::Operator],
    };
    auth::create_user(&app.core, &Actor::system(), clerk, PASSWORD).await.unwrap();
    let secret = [NEXT_SECRET.fetch_add(1, Ordering::Relaxed); 32];
    let s = auth::login(&app.core, "spj_op", PASSWORD, secret).await.unwrap();
    let clerk = Session { cookie: s.cookie_value, csrf: s.csrf_token };

    let org = Uscc::parse(BUILDER).unwrap();
    let letter =
        subject_accounts::issue_activation_code(&app.core, &department_user("spj"), &org, [7; 10]).await.unwrap();
    let activation = Activation {
        uscc: org.clone(),
        code: letter.code,
        username: "admin".into(),
        display_name: "办公室".into(),
        password: PASSWORD.into(),
    };
    subject_accounts::activate(&app.core, &activation).await.unwrap();
    let secret = [NEXT_SECRET.fetch_add(1, Ordering::Relaxed); 32];
    let s = subject_accounts::subject_login(&app.core, &org, "admin", PASSWORD, None, secret).await.unwrap();
    let company = Session { cookie: s.cookie_value, csrf: s.csrf_token };
    (app, clerk, company)
}

async fn page(app: &TestApp, path: &str, s: &Session) -> TestResponse {
    app.get_as(path, &format!("xinyong_session={}", s.cookie)).await
}

async fn form(app: &TestApp, path: &str, s: &Session, fields: &[(&str, &str)]) -> TestResponse {
    app.post_form(path, &(format!("xinyong_session={}", s.cookie), s.csrf.clone()), fields).await
}

fn location(r: &TestResponse) -> String {
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    r.headers.get(header::LOCATION).unwrap().to_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_broken_commitment_made_online_ends_as_a_public_dishonesty_record() {
    let (app, clerk, company) = city().await;
    morning(&app, "2026-09-28");

    // The portal: the items, and each item's standard letter.
    let catalog = app.get("/commitments").await;
    assert_eq!(catalog.status, StatusCode::OK);
    assert!(catalog.text().contains("建筑工程施工许可") && catalog.text().contains("济南市行政审批服务局"));
    let letter = app.get("/commitments/items/SPJ_JZSG").await;
    assert_eq!(letter.status, StatusCode::OK);
    let text = letter.text();
    assert!(text.contains("建筑工程施工许可告知承诺书") && text.contains("建设资金落实证明"), "{text}");
    assert!(!text.contains("style="), "the CSP forbids inline styles");
    assert_eq!(app.get("/commitments/items/NOPE").await.status, StatusCode::NOT_FOUND);
    // The same letter as a PDF to print and sign (its text is checked in
    // xinyong_documents' tests).
    assert!(text.contains("/commitments/items/SPJ_JZSG/letter.pdf"));
    let pdf = app.get("/commitments/items/SPJ_JZSG/letter.pdf").await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    assert!(pdf.headers["content-disposition"].to_str().expect("ascii").starts_with("inline;"));
    assert!(pdf.body.starts_with(b"%PDF-") && pdf.body.len() > 10_000, "{} bytes", pdf.body.len());
    assert_eq!(app.get("/commitments/items/NOPE/letter.pdf").await.status, StatusCode::NOT_FOUND);

    // The company commits online, deferring the funding proof.
    let bad = form(&app, "/my/commitments", &company, &[("item_code", "SPJ_JZSG"), ("case_ref", "")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().contains("case_ref_required"));
    let fields = [("item_code", "SPJ_JZSG"), ("case_ref", "SPJ-2026-0928-017"), ("deferred", "zjls")];
    let at = location(&form(&app, "/my/commitments", &company, &fields).await);
    let id = at.trim_start_matches("/my/commitments/").to_owned();
    let mine = page(&app, &at, &company).await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(mine.text().contains("2026-10-10"), "due on the make-up Saturday: {}", mine.text());

    // The Saturday passes without the material; the job marks it.
    morning(&app, "2026-10-12");
    let job = xinyong_core::commitments::CommitmentsJob::every(std::time::Duration::from_secs(3600));
    assert_eq!(job.run(&app.core).await.unwrap().done, 1);

    // The approval bureau sees it and records the breach.
    let queue = page(&app, "/console/commitments", &clerk).await;
    assert!(queue.text().contains("济南泉城建设工程有限公司") && queue.text().contains("已逾期"), "{}", queue.text());
    let path = format!("/console/commitments/{id}/verify");
    let breach = [("outcome", "breached"), ("note", "逾期未补交建设资金落实证明")];
    assert_eq!(location(&form(&app, &path, &clerk, &breach).await), format!("/console/commitments/{id}"));
    let detail = page(&app, &format!("/console/commitments/{id}"), &clerk).await.text();
    assert!(detail.contains("未履约") && detail.contains("失信信息"), "{detail}");
    assert_eq!(form(&app, &path, &clerk, &breach).await.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The company may no longer use 告知承诺, and says so on its page.
    let mine = page(&app, "/my/commitments", &company).await.text();
    assert!(mine.contains("不适用告知承诺制") && mine.contains("曾违背承诺"), "{mine}");
    let again = [("item_code", "SPJ_GGWS"), ("case_ref", "SPJ-2026-1012-003")];
    let refused = form(&app, "/my/commitments", &company, &again).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().contains("commitment_not_available"));

    // The breach is on the company's public page.
    let public = app.get(&format!("/subjects/{BUILDER}")).await.text();
    assert!(public.contains("未履约（违诺）：逾期未补交建设资金落实证明"), "{public}");
    assert!(public.contains("2027-10-12"), "general, 12 months at most (国办发〔2025〕22号): {public}");
}

/// Documents typeset a bounded number at once: with both turns taken and no
/// time to wait (`[documents] render_wait_seconds = 0`), a third request is
/// told to try again (503 `pdf_busy`) rather than queued without end.
#[tokio::test]
async fn a_pdf_beyond_the_parallel_renders_is_refused_as_busy() {
    let mut app = TestApp::new().await;
    app.state = app.state.clone().with_pdf_render_wait(std::time::Duration::ZERO);
    let path = "/commitments/items/SPJ_JZSG/letter.pdf";
    // Polled together: the first two take the two turns and typeset on
    // blocking threads; the third finds none left.
    let (a, b, c) = tokio::join!(app.get(path), app.get(path), app.get(path));
    let statuses = [a.status, b.status, c.status];
    let busy: Vec<&TestResponse> =
        [&a, &b, &c].into_iter().filter(|r| r.status == StatusCode::SERVICE_UNAVAILABLE).collect();
    assert_eq!(busy.len(), 1, "{statuses:?}");
    // A page's refusal is the HTML error page, with the reason in Chinese.
    assert!(busy[0].text().contains("正在生成的文书较多，请稍后再试"), "{}", busy[0].text());
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 2, "{statuses:?}");
}

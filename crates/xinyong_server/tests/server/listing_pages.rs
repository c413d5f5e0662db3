//! The console's listing pages (名单管理) through the router: propose, serve
//! notice, the deadline on the page, the decision; roles, departments and
//! CSRF.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use std::sync::atomic::{AtomicU8, Ordering};
use xinyong_domain::subjects::SubjectsEvent;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{NaiveDate, TimeZone, Utc};
use xinyong_core::auth::{self, NewUser};
use xinyong_domain::IdNumber;
use xinyong_domain::auth::{DepartmentCode, Role};
use xinyong_domain::codes::uscc::Uscc;
use xinyong_domain::event::{Actor, NewEvent};
use xinyong_domain::subjects::RoleHolder;
use xinyong_domain::subjects::{LegalPerson, NaturalPerson, RelationRole, SubjectName, SubjectStatus};
use xinyong_server::auth::encode_query_value;
use xinyong_test_support::{TestApp, TestResponse};

const PASSWORD: &str = "correct-horse-42";

fn company() -> String {
    Uscc::from_parts('9', '1', "370102", "MA3C8N0Q").unwrap().as_str().to_owned()
}

fn rep_id() -> String {
    IdNumber::from_parts("370102", NaiveDate::from_ymd_opt(1980, 5, 6).unwrap(), 123).unwrap().as_str().to_owned()
}

/// `chen` reviews and `wang` clerks for 市场监管局 (scjgj), `zhao` reviews for
/// 税务局 (swj), `boss` is the credit office. One company with a legal
/// representative.
async fn app() -> TestApp {
    let app = TestApp::new().await;
    let core = &app.core;
    auth::seed_departments(core, &auth::shipped_departments().unwrap()).await.unwrap();
    let users: [(&str, &str, Option<&str>, Vec<Role>); 4] = [
        ("chen", "陈审核", Some("scjgj"), vec![Role::Reviewer]),
        ("wang", "王经办", Some("scjgj"), vec![Role::Operator]),
        ("zhao", "赵审核", Some("swj"), vec![Role::Reviewer]),
        ("boss", "信用办老李", None, vec![Role::Admin]),
    ];
    for (login, name, department, roles) in users {
        let user = NewUser {
            login: login.into(),
            display_name: name.into(),
            department: department.map(|d| DepartmentCode::parse(d).unwrap()),
            roles,
        };
        auth::create_user(core, &Actor::system(), user, PASSWORD).await.unwrap();
    }
    core.append(vec![NewEvent::new(
        Actor::parse("demo").unwrap(),
        SubjectsEvent::LegalPersonRegistered {
            subject: LegalPerson {
                uscc: Uscc::parse(&company()).unwrap(),
                name: SubjectName::parse("济南泉润商贸有限公司").unwrap(),
                status: SubjectStatus::Active,
            },
            people: vec![RoleHolder {
                role: RelationRole::LegalRepresentative,
                person: NaturalPerson {
                    id_number: IdNumber::parse(&rep_id()).unwrap(),
                    name: SubjectName::parse("张三丰").unwrap(),
                },
            }],
        },
    )])
    .await
    .unwrap();
    app
}

struct Session {
    cookie: String,
    csrf: String,
}

static NEXT_SECRET: AtomicU8 = AtomicU8::new(101);

async fn log_in(app: &TestApp, login: &str) -> Session {
    let secret = [NEXT_SECRET.fetch_add(1, Ordering::Relaxed); 32];
    let session = auth::login(&app.core, login, PASSWORD, secret).await.unwrap();
    Session { cookie: session.cookie_value, csrf: session.csrf_token }
}

async fn get_as(app: &TestApp, path: &str, s: &Session) -> TestResponse {
    let request = Request::get(path).header(header::COOKIE, format!("xinyong_session={}", s.cookie));
    app.send(request.body(Body::empty()).unwrap()).await
}

/// A form post with the session's CSRF token added.
async fn post_as(app: &TestApp, path: &str, s: &Session, fields: &[(&str, &str)]) -> TestResponse {
    let mut all = vec![("csrf_token", s.csrf.as_str())];
    all.extend_from_slice(fields);
    post_raw(app, path, s, &all).await
}

async fn post_raw(app: &TestApp, path: &str, s: &Session, fields: &[(&str, &str)]) -> TestResponse {
    let body = fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode_query_value(k), encode_query_value(v)))
        .collect::<Vec<_>>()
        .join("&");
    let request = Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, format!("xinyong_session={}", s.cookie))
        .body(Body::from(body))
        .unwrap();
    app.send(request).await
}

fn location(r: &TestResponse) -> String {
    r.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned()
}

fn set_day(app: &TestApp, day: &str) {
    let day: NaiveDate = day.parse().unwrap();
    app.clock.set(Utc.from_utc_datetime(&day.and_hms_opt(8, 0, 0).unwrap()));
}

fn proposal_fields(company: &str) -> Vec<(&'static str, String)> {
    vec![
        ("list_code", "samr-serious".to_owned()),
        ("subject", company.to_owned()),
        ("reason", "提供虚假材料取得许可".to_owned()),
        ("facts", "2026 年 8 月检查发现".to_owned()),
        ("legal_basis", "济市监罚〔2026〕88号".to_owned()),
        ("source_records", String::new()),
    ]
}

fn borrowed<'a>(fields: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// Proposes as `s` and returns the new listing's page path.
async fn propose(app: &TestApp, s: &Session) -> String {
    let r = post_as(app, "/console/listings", s, &borrowed(&proposal_fields(&company()))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let to = location(&r);
    assert!(to.starts_with("/console/listings/LS") && to.ends_with("?notice=proposed"), "{to}");
    to.trim_end_matches("?notice=proposed").to_owned()
}

#[tokio::test]
async fn a_reviewer_takes_a_listing_from_proposal_to_decision() {
    let app = app().await;
    let chen = log_in(&app, "chen").await;

    let home = get_as(&app, "/console", &chen).await;
    assert!(home.text().contains("href=\"/console/listings\""));

    let table = get_as(&app, "/console/listings", &chen).await;
    assert_eq!(table.status, StatusCode::OK);
    let text = table.text();
    assert!(text.contains("登记拟列入"));
    assert!(text.contains("市场监督管理严重违法失信名单（严重失信主体名单 · 市场监管）"));
    // Only lists the department may decide are offered.
    assert!(!text.contains("重大税收违法失信主体（"), "the tax list is not scjgj's");

    // The operator proposes; the reviewer decides (four eyes).
    let wang = log_in(&app, "wang").await;
    let page = propose(&app, &wang).await;
    let r = get_as(&app, &format!("{page}?notice=proposed"), &chen).await;
    assert_eq!(r.status, StatusCode::OK);
    let text = r.text();
    for expected in [
        "已登记拟列入",
        "济南泉润商贸有限公司",
        &company(),
        "提供虚假材料取得许可",
        "济市监罚〔2026〕88号",
        "国家市场监督管理总局令第44号",
        "列入满三年自动移出",
        "行政复议",
        "拟列入",
        "送达告知",
    ] {
        assert!(text.contains(expected), "missing {expected}");
    }
    assert_eq!(r.headers.get(header::CACHE_CONTROL).unwrap(), "no-store");

    // The list shows it.
    let table = get_as(&app, "/console/listings?status=proposed", &chen).await.text();
    assert!(table.contains(&page));

    // Notice on Thursday 11-26: five working days end on Thursday 12-03.
    let r =
        post_as(&app, &format!("{page}/notice"), &chen, &[("served_on", "2026-11-26"), ("channel", "直接送达")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let text = get_as(&app, &page, &chen).await.text();
    assert!(text.contains("2026-12-03"), "the objection deadline is shown");
    assert!(text.contains("异议期至 2026-12-03 届满"));

    // Deciding inside the window: the page again with the reason, 422.
    let r = post_as(
        &app,
        &format!("{page}/decide"),
        &chen,
        &[("decision_no", "济市监信〔2026〕1号"), ("decided_on", "2026-11-26")],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = r.text();
    assert!(text.contains("作出列入决定没有完成"));
    assert!(text.contains("objection_window_open"));
    // A malformed date names the field.
    let r =
        post_as(&app, &format!("{page}/decide"), &chen, &[("decision_no", "x"), ("decided_on", "26/11/2026")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("决定日期"));

    // After the window the decision goes through (a new day, a new login).
    set_day(&app, "2026-12-04");
    let chen = log_in(&app, "chen").await;
    let r = post_as(
        &app,
        &format!("{page}/decide"),
        &chen,
        &[("decision_no", "济市监信〔2026〕1号"), ("decided_on", "2026-12-04")],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert!(location(&r).ends_with("?notice=decided"));
    let text = get_as(&app, &page, &chen).await.text();
    assert!(text.contains("已列入"));
    assert!(text.contains("济市监信〔2026〕1号"));
    assert!(text.contains("2029-12-03"), "valid until");
    assert!(text.contains("法定代表人"));
    assert!(!text.contains(&rep_id()), "the legal representative's ID number is masked");
    assert!(text.contains("未签收"), "the pushes are listed");
    assert!(text.contains("移出名单"), "the exit form is offered");
    assert!(text.contains("信用修复提前移出自 2027-12-04 起方可办理"));

    the_notice_and_the_decision_print(&app, &page, &text, &chen).await;
}

/// The notice and the decision print as PDFs with the listing's words, the
/// list's exit conditions and routes of relief.
async fn the_notice_and_the_decision_print(app: &TestApp, page: &str, text: &str, chen: &Session) {
    assert!(text.contains(&format!("{page}/notice.pdf")) && text.contains(&format!("{page}/decision.pdf")));
    let notice = get_as(app, &format!("{page}/notice.pdf"), chen).await;
    assert_eq!(notice.status, StatusCode::OK);
    assert_eq!(notice.headers[header::CONTENT_TYPE], "application/pdf");
    if let Some(pdf) = xinyong_test_support::pdf_text(&notice.body) {
        for expected in ["告知书", "2026年11月26日", "2026年12月3日前", "陈述、申辩和异议", "济南市市场监督管理局"]
        {
            assert!(pdf.contains(expected), "notice lacks {expected}: {pdf}");
        }
        assert!(!pdf.contains(&rep_id()), "no ID number in the notice");
    }
    let decision = get_as(app, &format!("{page}/decision.pdf"), chen).await;
    assert_eq!(decision.status, StatusCode::OK);
    if let Some(pdf) = xinyong_test_support::pdf_text(&decision.body) {
        for expected in ["决定书", "济市监信〔2026〕1号", "2029年12月3日", "移出条件", "救济途径"]
        {
            assert!(pdf.contains(expected), "decision lacks {expected}: {pdf}");
        }
    }
}

#[tokio::test]
async fn objections_are_recorded_and_answered_on_the_page() {
    let app = app().await;
    let chen = log_in(&app, "chen").await;
    let wang = log_in(&app, "wang").await;
    // The clerk proposes, serves notice and records the objection.
    let page = propose(&app, &wang).await;
    let r =
        post_as(&app, &format!("{page}/notice"), &wang, &[("served_on", "2026-11-26"), ("channel", "邮寄送达")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let r =
        post_as(&app, &format!("{page}/objections"), &wang, &[("filed_on", "2026-11-26"), ("grounds", "已申请复议")])
            .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let text = get_as(&app, &page, &chen).await.text();
    assert!(text.contains("异议处理中"));
    assert!(text.contains("已申请复议"));
    // Answer due seven working days after 11-26: 12-07.
    assert!(text.contains("2026-12-07"));
    let objection_id =
        text.split("name=\"objection_id\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();

    // The clerk may not answer; the reviewer may.
    let fields = [("objection_id", objection_id.as_str()), ("outcome", "accepted"), ("reply", "处罚决定已撤销")];
    let r = post_as(&app, &format!("{page}/answer"), &wang, &fields).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text().contains("审核人"));
    let r = post_as(&app, &format!("{page}/answer"), &chen, &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let text = get_as(&app, &page, &chen).await.text();
    assert!(text.contains("已撤回"));
    assert!(text.contains("异议成立，不予列入"));

    // The answer prints; a listing never decided has no decision to print.
    let answer = get_as(&app, &format!("{page}/objections/{objection_id}/answer.pdf"), &chen).await;
    assert_eq!(answer.status, StatusCode::OK);
    if let Some(pdf) = xinyong_test_support::pdf_text(&answer.body) {
        for expected in ["异议处理答复书", "已申请复议", "异议成立，不予列入", "处罚决定已撤销"]
        {
            assert!(pdf.contains(expected), "answer lacks {expected}: {pdf}");
        }
    }
    let r = get_as(&app, &format!("{page}/decision.pdf"), &chen).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text().contains("listing_not_decided"));
    let r = get_as(&app, &format!("{page}/objections/OB0000/answer.pdf"), &chen).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn other_departments_roles_and_forged_posts_are_refused() {
    let app = app().await;
    let chen = log_in(&app, "chen").await;
    let zhao = log_in(&app, "zhao").await;
    let wang = log_in(&app, "wang").await;
    let boss = log_in(&app, "boss").await;
    let page = propose(&app, &chen).await;

    // Another department sees neither the page nor the row, and cannot act.
    let r = get_as(&app, &page, &zhao).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text().contains("其他部门"));
    assert!(!get_as(&app, "/console/listings", &zhao).await.text().contains(&page));
    let r =
        post_as(&app, &format!("{page}/notice"), &zhao, &[("served_on", "2026-11-26"), ("channel", "直接送达")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The tax bureau may not propose on the market-regulation list.
    let r = post_as(&app, "/console/listings", &zhao, &borrowed(&proposal_fields(&company()))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // A clerk may not withdraw or decide.
    let r = post_as(&app, &format!("{page}/withdraw"), &wang, &[("reason", "撤回")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // No CSRF token, or a wrong one: 403 and nothing happens.
    let r = post_raw(&app, &format!("{page}/withdraw"), &chen, &[("reason", "撤回")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = post_raw(&app, &format!("{page}/withdraw"), &chen, &[("csrf_token", &zhao.csrf), ("reason", "撤回")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = post_raw(&app, "/console/listings", &chen, &borrowed(&proposal_fields(&company()))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(get_as(&app, &page, &chen).await.text().contains("拟列入"));

    // A rule error on the proposal form comes back with the form filled in.
    let mut fields = proposal_fields(&company());
    fields[2].1 = String::new();
    let r = post_as(&app, "/console/listings", &chen, &borrowed(&fields)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = r.text();
    assert!(text.contains("「事由」必须填写"));
    assert!(text.contains("济市监罚〔2026〕88号"), "the form keeps what was typed");

    // The credit office sees everything and may act for the department.
    assert!(get_as(&app, "/console/listings", &boss).await.text().contains(&page));
    let r = post_as(&app, &format!("{page}/withdraw"), &boss, &[("reason", "事实有误")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert!(get_as(&app, &page, &chen).await.text().contains("已撤回"));
    // Unknown listings are 404.
    assert_eq!(get_as(&app, "/console/listings/LS0000000000000000", &boss).await.status, StatusCode::NOT_FOUND);
}

//! The closed loop through the router: `/api/v1/feeds/…`, `/api/v1/cases`,
//! `/api/v1/webhooks/…` as departments' systems call them, and the console
//! pages `/console/feed`, `/console/loop`, `/console/measures`.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use std::sync::atomic::{AtomicU8, Ordering};
use xinyong_domain::checks::ChecksEvent;
use xinyong_domain::lists::ListsEvent;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{Duration, NaiveDate};
use serde_json::{Value, json};
use xinyong_core::auth::{self, NewUser};
use xinyong_domain::auth::{DepartmentCode, Role};
use xinyong_domain::checks::ReceiptLine;
use xinyong_domain::closed_loop::MeasurePush;
use xinyong_domain::collection::RecordSubject;
use xinyong_domain::event::{Actor, NewEvent};
use xinyong_domain::lists::sanction::ListKind;
use xinyong_domain::lists::{ExitReason, ListingProposal};
use xinyong_test_support::{TestApp, TestResponse, assert_matches_schema};

const PASSWORD: &str = "correct-horse-42";
const XT: &str = "91370112MA3D8N0Q3C";

fn dept(code: &str) -> DepartmentCode {
    DepartmentCode::parse(code).unwrap()
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn company() -> RecordSubject {
    RecordSubject { kind: "legal_person".into(), key: XT.into(), name: "济南鑫泰建筑工程有限公司".into() }
}

/// Departments seeded; tokens for ggzyjy (公共资源交易中心) and zjj; users
/// `gong` (ggzyjy clerk), `zhao` (swj clerk), `boss` (credit office admin in fgw).
struct Fixture {
    app: TestApp,
    ggzyjy: String,
    zjj: String,
}

async fn fixture() -> Fixture {
    let app = TestApp::new().await;
    let core = &app.core;
    auth::seed_departments(core, &auth::shipped_departments().unwrap()).await.unwrap();
    let users: [(&str, &str, &str, Vec<Role>); 3] = [
        ("gong", "龚经办", "ggzyjy", vec![Role::Operator]),
        ("zhao", "赵经办", "swj", vec![Role::Operator]),
        ("boss", "信用办老李", "fgw", vec![Role::Admin]),
    ];
    for (login, name, department, roles) in users {
        let user =
            NewUser { login: login.into(), display_name: name.into(), department: Some(dept(department)), roles };
        auth::create_user(core, &Actor::system(), user, PASSWORD).await.unwrap();
    }
    let g = auth::issue_token(core, &Actor::system(), &dept("ggzyjy"), "交易系统", [1; 32]).await.unwrap();
    let z = auth::issue_token(core, &Actor::system(), &dept("zjj"), "住建系统", [2; 32]).await.unwrap();
    Fixture { app, ggzyjy: g.token, zjj: z.token }
}

fn pushes(app: &TestApp) -> Vec<MeasurePush> {
    let rules = app.core.rules().sanctions.clone();
    let list = rules.list("samr-serious").unwrap();
    rules.pushes_for(list).into_iter().map(|(measure, department)| MeasurePush { measure, department }).collect()
}

/// A decided `samr-serious` listing, appended as helper A's use cases will.
async fn decide(app: &TestApp, id: &str) {
    let rules = app.core.rules().sanctions.clone();
    let list = rules.list("samr-serious").unwrap();
    let versions = app.core.rules().sanction_versions();
    let actor = Actor::parse("department:scjgj").unwrap();
    let proposal = ListingProposal {
        id: id.into(),
        list_code: list.code.clone(),
        lists_version: rules.lists_version().into(),
        subject: company(),
        department: dept("scjgj"),
        reason: "严重违法".into(),
        facts: "事实".into(),
        legal_basis: "依据".into(),
        source_records: vec![],
        proposed_on: day("2026-11-01"),
    };
    let decided = ListsEvent::ListingDecided {
        listing_id: id.into(),
        list_code: list.code.clone(),
        subject: company(),
        decision_no: format!("济市监列〔2026〕{id}号"),
        decided_on: day("2026-11-26"),
        valid_from: day("2026-11-26"),
        valid_until: list.valid_until(day("2026-11-26")),
        measures: list.measures.clone(),
        pushes: pushes(app),
        liable_people: vec![],
    };
    app.core
        .append(vec![
            NewEvent {
                actor: actor.clone(),
                rules: versions.clone(),
                body: ListsEvent::ListingProposed { proposal, list_kind: ListKind::Serious, proposed_by: None }.into(),
            },
            NewEvent { actor, rules: versions, body: decided.into() },
        ])
        .await
        .unwrap();
}

async fn exit(app: &TestApp, id: &str) {
    let body = ListsEvent::ListingExited {
        listing_id: id.into(),
        list_code: "samr-serious".into(),
        subject: company(),
        reason: ExitReason::Revoked,
        on: day("2026-11-27"),
        decision_no: None,
        note: "撤销".into(),
        lifts: pushes(app),
        liable_people: vec![],
    };
    app.core.append(vec![NewEvent::new(Actor::parse("department:scjgj").unwrap(), body)]).await.unwrap();
}

async fn receipt(app: &TestApp, id: &str, department: &str, case_ref: &str) {
    let line = ReceiptLine {
        id: id.into(),
        department: dept(department),
        case_ref: Some(case_ref.into()),
        scenario: "bidding".into(),
        subject: Some(XT.into()),
        decision: "restrict".into(),
        time_ms: app.core.now().timestamp_millis(),
    };
    let actor = Actor::parse(&format!("department:{department}")).unwrap();
    app.core.append(vec![NewEvent::new(actor, ChecksEvent::ChecksRecorded { receipts: vec![line] })]).await.unwrap();
}

async fn call(app: &TestApp, method: &str, path: &str, token: &str, body: Option<Value>) -> TestResponse {
    let mut req = Request::builder().method(method).uri(path).header(header::AUTHORIZATION, format!("Bearer {token}"));
    let body = match body {
        Some(v) => {
            req = req.header(header::CONTENT_TYPE, "application/json");
            Body::from(v.to_string())
        }
        None => Body::empty(),
    };
    app.send(req.body(body).unwrap()).await
}

struct Session {
    cookie: String,
    csrf: String,
}

static NEXT_SECRET: AtomicU8 = AtomicU8::new(1);

async fn log_in(app: &TestApp, login: &str) -> Session {
    let secret = [NEXT_SECRET.fetch_add(1, Ordering::Relaxed); 32];
    let session = auth::login(&app.core, login, PASSWORD, secret).await.unwrap();
    Session { cookie: session.cookie_value, csrf: session.csrf_token }
}

async fn get_as(app: &TestApp, path: &str, s: &Session) -> TestResponse {
    let req = Request::get(path).header(header::COOKIE, format!("xinyong_session={}", s.cookie)).body(Body::empty());
    app.send(req.unwrap()).await
}

async fn post_form(app: &TestApp, path: &str, s: &Session, fields: &[(&str, &str)]) -> TestResponse {
    let body: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("{k}={}", xinyong_server::auth::encode_query_value(v).replace('/', "%2F")))
        .collect();
    let req = Request::post(path)
        .header(header::COOKIE, format!("xinyong_session={}", s.cookie))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.join("&")));
    app.send(req.unwrap()).await
}

fn error_code(r: &TestResponse) -> String {
    r.json()["error"]["code"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn executors_read_their_feed_by_cursor_and_nobody_elses() {
    let Fixture { app, ggzyjy, zjj } = fixture().await;
    decide(&app, "LS1").await;
    decide(&app, "LS2").await;

    let r = call(&app, "GET", "/api/v1/feeds/ggzyjy", &ggzyjy, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let page = r.json();
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["listing_id"], "LS1");
    assert_eq!(items[0]["kind"], "listed");
    assert_eq!(items[0]["subject"]["key"], XT);
    assert_eq!(items[0]["measures"].as_array().unwrap().len(), 2);
    assert_eq!(items[0]["measures"][0]["code"], "CJ-ZTB");

    // Page by page with the cursor.
    let p1 = call(&app, "GET", "/api/v1/feeds/ggzyjy?limit=1", &ggzyjy, None).await.json();
    assert_eq!(p1["items"][0]["listing_id"], "LS1");
    assert_eq!(p1["more"], true);
    let next = p1["next_cursor"].as_u64().unwrap();
    let p2 = call(&app, "GET", &format!("/api/v1/feeds/ggzyjy?after={next}&limit=1"), &ggzyjy, None).await.json();
    assert_eq!(p2["items"][0]["listing_id"], "LS2");
    let next = p2["next_cursor"].as_u64().unwrap();
    let p3 = call(&app, "GET", &format!("/api/v1/feeds/ggzyjy?after={next}"), &ggzyjy, None).await.json();
    assert!(p3["items"].as_array().unwrap().is_empty());

    // Another department: 403 envelope, for reading and acting alike.
    let r = call(&app, "GET", "/api/v1/feeds/ggzyjy", &zjj, None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(error_code(&r), "forbidden");
    let ack = json!({"listing_id": "LS1", "measure": "CJ-ZTB"});
    let r = call(&app, "POST", "/api/v1/feeds/ggzyjy/acknowledgements", &zjj, Some(ack)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = call(&app, "PUT", "/api/v1/webhooks/ggzyjy", &zjj, Some(json!({"url": "http://127.0.0.1:1/x"}))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = call(&app, "GET", "/api/v1/feeds/ggzyjy?limit=0", &ggzyjy, None).await;
    assert_eq!((r.status, error_code(&r)), (StatusCode::BAD_REQUEST, "query_invalid".to_owned()));
    let r = call(&app, "GET", "/api/v1/feeds/ggzyjy?after=x", &ggzyjy, None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = app.get("/api/v1/feeds/ggzyjy").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    // The credit office's administrator may read any department's feed.
    let boss = log_in(&app, "boss").await;
    let r = get_as(&app, "/api/v1/feeds/zjj", &boss).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["items"].as_array().unwrap().len(), 2);
    let gong = log_in(&app, "gong").await;
    assert_eq!(get_as(&app, "/api/v1/feeds/zjj", &gong).await.status, StatusCode::FORBIDDEN);

    // An exit lifts the measures.
    exit(&app, "LS1").await;
    let page = call(&app, "GET", &format!("/api/v1/feeds/zjj?after={next}"), &zjj, None).await.json();
    assert_eq!(page["items"][0]["kind"], "lifted");
    assert_eq!(page["items"][0]["valid_until"], "2026-11-27");
}

#[tokio::test]
async fn acknowledgement_feedback_and_cases_feed_the_metrics() {
    let Fixture { app, ggzyjy, .. } = fixture().await;
    decide(&app, "LS1").await;
    app.clock.advance(Duration::hours(3));

    let ack = json!({"listing_id": "LS1", "measure": "CJ-ZTB", "note": "已签收"});
    let r = call(&app, "POST", "/api/v1/feeds/ggzyjy/acknowledgements", &ggzyjy, Some(ack.clone())).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json()["recorded"], true);
    assert!(r.json()["status"]["acknowledged_at"].is_string());
    let r = call(&app, "POST", "/api/v1/feeds/ggzyjy/acknowledgements", &ggzyjy, Some(ack)).await;
    assert_eq!((r.status, r.json()["recorded"].clone()), (StatusCode::OK, json!(false)));

    let unknown = json!({"listing_id": "LS1", "measure": "CJ-ZTB", "outcome": "拒绝投标", "receipt_id": "nope"});
    let r = call(&app, "POST", "/api/v1/feeds/ggzyjy/feedback", &ggzyjy, Some(unknown)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_code(&r), "unknown_receipt");
    let r = call(
        &app,
        "POST",
        "/api/v1/feeds/ggzyjy/acknowledgements",
        &ggzyjy,
        Some(json!({"listing_id": "LS9", "measure": "CJ-ZTB"})),
    )
    .await;
    assert_eq!((r.status, error_code(&r)), (StatusCode::NOT_FOUND, "unknown_push".to_owned()));

    receipt(&app, "r-1", "ggzyjy", "ZB-1").await;
    app.clock.advance(Duration::hours(3));
    let fb = json!({"listing_id": "LS1", "measure": "CJ-ZTB", "outcome": "拒绝其参与投标", "receipt_id": "r-1", "case_ref": "ZB-1"});
    let r = call(&app, "POST", "/api/v1/feeds/ggzyjy/feedback", &ggzyjy, Some(fb)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json()["status"]["receipt_id"], "r-1");

    let cases = json!({"cases": [
        {"case_ref": "ZB-1", "scenario": "bidding", "subject": XT, "handled_on": "2026-11-20"},
        {"case_ref": "ZB-2", "scenario": "bidding", "handled_on": "2026-11-21"},
    ]});
    let r = call(&app, "POST", "/api/v1/cases", &ggzyjy, Some(cases)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json()["recorded"], 2);
    let bad = json!({"cases": [{"case_ref": "X", "scenario": "nope", "handled_on": "2026-11-21"}]});
    let r = call(&app, "POST", "/api/v1/cases", &ggzyjy, Some(bad)).await;
    assert_eq!((r.status, error_code(&r)), (StatusCode::UNPROCESSABLE_ENTITY, "scenario_unknown".to_owned()));

    let m = xinyong_core::closed_loop::metrics::loop_metrics(&app.core, &Default::default()).await.unwrap();
    let line = m.lines.iter().find(|l| l.measure == "CJ-ZTB" && l.department == "ggzyjy").unwrap();
    assert_eq!((line.counts.pushed, line.counts.responded, line.counts.fed_back), (1, 1, 1));
    assert_eq!(line.counts.response_hours.median, Some(3.0));
    assert_eq!(line.counts.feedback_hours.median, Some(6.0));
    let d = m.departments.iter().find(|d| d.department == "ggzyjy").unwrap();
    assert_eq!(d.coverage, Some(0.5));

    // The console page shows the same.
    let gong = log_in(&app, "gong").await;
    let r = get_as(&app, "/console/loop", &gong).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let html = r.text();
    assert!(html.contains("联合奖惩闭环统计"));
    assert!(html.contains("应查必查覆盖率"));
    assert!(html.contains("50.0%"));
    assert!(html.contains("<svg class=\"chart\""));
    assert!(html.contains("依法限制参与招标投标活动（CJ-ZTB）"));
    assert!(!html.contains("住房和城乡建设局"), "a department sees its own lines only");
    let boss = log_in(&app, "boss").await;
    let html = get_as(&app, "/console/loop", &boss).await.text();
    assert!(html.contains("济南市住房和城乡建设局"));
    let r = get_as(&app, "/console/loop?from=2026-12-01&to=2026-11-01", &boss).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let html = get_as(&app, "/console/loop?to=2026-11-01", &boss).await.text();
    assert!(html.contains("所选期间没有推送"));
}

#[tokio::test]
async fn webhooks_are_set_once_with_a_secret_and_removed() {
    let Fixture { app, ggzyjy, .. } = fixture().await;
    let r = call(&app, "PUT", "/api/v1/webhooks/ggzyjy", &ggzyjy, Some(json!({"url": "ftp://example"}))).await;
    assert_eq!((r.status, error_code(&r)), (StatusCode::UNPROCESSABLE_ENTITY, "webhook_url_invalid".to_owned()));
    // Not unencrypted, not inside the network (the cloud metadata service).
    let r =
        call(&app, "PUT", "/api/v1/webhooks/ggzyjy", &ggzyjy, Some(json!({"url": "http://jy.example.gov.cn/"}))).await;
    assert_eq!((r.status, error_code(&r)), (StatusCode::UNPROCESSABLE_ENTITY, "webhook_url_not_https".to_owned()));
    let metadata = json!({"url": "https://169.254.169.254/latest/meta-data/"});
    let r = call(&app, "PUT", "/api/v1/webhooks/ggzyjy", &ggzyjy, Some(metadata)).await;
    assert_eq!((r.status, error_code(&r)), (StatusCode::UNPROCESSABLE_ENTITY, "webhook_address_refused".to_owned()));
    assert!(r.text().contains("feeds.webhook_allowed_networks"), "{}", r.text());
    let url = "https://jy.example.gov.cn/xinyong/hook";
    let r = call(&app, "PUT", "/api/v1/webhooks/ggzyjy", &ggzyjy, Some(json!({"url": url}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let body = r.json();
    assert_eq!(body["url"], url);
    let secret = body["secret"].as_str().unwrap();
    assert_eq!(secret.len(), 64);
    assert!(secret.bytes().all(|b| b.is_ascii_hexdigit()));
    let hook = xinyong_core::closed_loop::webhooks::webhook(&app.core, &dept("ggzyjy")).await.unwrap().unwrap();
    assert_eq!(hook.secret, secret);
    assert!(hook.active);
    let r = call(&app, "DELETE", "/api/v1/webhooks/ggzyjy", &ggzyjy, None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = call(&app, "DELETE", "/api/v1/webhooks/ggzyjy", &ggzyjy, None).await;
    assert_eq!((r.status, error_code(&r)), (StatusCode::NOT_FOUND, "webhook_not_found".to_owned()));
}

/// 待签收 and 已解除 filter the feed; signing for an item from a filtered
/// page comes back to that page, at the item.
async fn filters_keep_the_place(app: &TestApp, gong: &Session) {
    // Filters: 待签收 keeps LS2 (its procurement measure is not signed for),
    // not LS1 (exited, its measures lifted); 已解除 the other way round.
    let todo = get_as(app, "/console/feed?department=ggzyjy&status=unacknowledged", gong).await.text();
    assert!(todo.contains("LS2") && !todo.contains("<code>LS1</code>"), "{todo}");
    assert!(todo.contains("aria-current=\"page\">待签收</a>"));
    let lifted = get_as(app, "/console/feed?department=ggzyjy&status=lifted", gong).await.text();
    assert!(lifted.contains("<code>LS1</code>") && !lifted.contains("<code>LS2</code>"));
    // Signing for an item from a filtered page comes back to it, at the item.
    let cursor = todo.split("id=\"item-").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let from_filter = [
        ("csrf_token", gong.csrf.as_str()),
        ("department", "ggzyjy"),
        ("listing_id", "LS2"),
        ("measure", "CJ-ZFCG"),
        ("status", "unacknowledged"),
        ("before", ""),
        ("cursor", cursor.as_str()),
    ];
    let r = post_form(app, "/console/feed/acknowledge", gong, &from_filter).await;
    let to = r.headers[header::LOCATION].to_str().unwrap();
    assert_eq!(to, format!("/console/feed?department=ggzyjy&status=unacknowledged&notice=acknowledged#item-{cursor}"));
}

#[tokio::test]
async fn the_feed_page_acknowledges_and_takes_feedback() {
    let Fixture { app, .. } = fixture().await;
    decide(&app, "LS1").await;
    exit(&app, "LS1").await;
    decide(&app, "LS2").await;
    let gong = log_in(&app, "gong").await;

    let r = get_as(&app, "/console/feed", &gong).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let html = r.text();
    assert!(html.contains("推送事项"));
    assert!(html.contains("济南鑫泰建筑工程有限公司"));
    assert!(html.contains("依法限制参与招标投标活动"));
    assert!(html.contains("列入") && html.contains("移出"));
    assert!(html.contains("action=\"/console/feed/acknowledge\""));
    // Newest first: LS2 before LS1's exit.
    assert!(html.find("LS2").unwrap() < html.find("LS1").unwrap());

    let fields = [
        ("csrf_token", gong.csrf.as_str()),
        ("department", "ggzyjy"),
        ("listing_id", "LS2"),
        ("measure", "CJ-ZTB"),
        ("note", "收到"),
    ];
    let r = post_form(&app, "/console/feed/acknowledge", &gong, &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let to = r.headers[header::LOCATION].to_str().unwrap().to_owned();
    assert_eq!(to, "/console/feed?department=ggzyjy&notice=acknowledged");
    let html = get_as(&app, &to, &gong).await.text();
    assert!(html.contains("已签收。"));
    assert!(html.contains("收到"));

    filters_keep_the_place(&app, &gong).await;

    // Without the CSRF token: refused.
    let r = post_form(&app, "/console/feed/acknowledge", &gong, &fields[1..]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let fb = [
        ("csrf_token", gong.csrf.as_str()),
        ("department", "ggzyjy"),
        ("listing_id", "LS2"),
        ("measure", "CJ-ZFCG"),
        ("outcome", "已限制其参与政府采购"),
        ("receipt_id", ""),
        ("case_ref", "CG-7"),
    ];
    let r = post_form(&app, "/console/feed/feedback", &gong, &fb).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let html = get_as(&app, "/console/feed", &gong).await.text();
    assert!(html.contains("已限制其参与政府采购"));
    assert!(html.contains("CG-7"));

    // An unknown receipt is explained on the error page.
    let bad = [
        ("csrf_token", gong.csrf.as_str()),
        ("department", "ggzyjy"),
        ("listing_id", "LS2"),
        ("measure", "CJ-ZTB"),
        ("outcome", "拒绝"),
        ("receipt_id", "nope"),
    ];
    let r = post_form(&app, "/console/feed/feedback", &gong, &bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("核查回执"));

    // Another department's feed: refused; the administrator chooses any.
    let zhao = log_in(&app, "zhao").await;
    assert_eq!(get_as(&app, "/console/feed?department=ggzyjy", &zhao).await.status, StatusCode::FORBIDDEN);
    let mut other = fields;
    other[0] = ("csrf_token", zhao.csrf.as_str());
    let r = post_form(&app, "/console/feed/acknowledge", &zhao, &other).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let html = get_as(&app, "/console/feed", &zhao).await.text();
    assert!(html.contains("目前没有推送给本部门的事项"));
    let boss = log_in(&app, "boss").await;
    let html = get_as(&app, "/console/feed?department=zjj", &boss).await.text();
    assert!(html.contains("id=\"feed-department\""));
    assert!(html.contains("依法限制参与招标投标活动"));

    // The console home links the section.
    let html = get_as(&app, "/console", &gong).await.text();
    assert!(html.contains("联合奖惩闭环") && html.contains("href=\"/console/feed\""));
}

#[tokio::test]
async fn the_measures_catalog_is_readable_by_any_console_user() {
    let Fixture { app, .. } = fixture().await;
    let zhao = log_in(&app, "zhao").await;
    let r = get_as(&app, "/console/measures", &zhao).await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    for text in [
        "联合惩戒措施清单",
        "守信激励措施清单",
        "依法限制参与招标投标活动",
        "济南市公共资源交易中心",
        "招标投标",
        "严重失信主体名单",
        "守信激励对象名单",
        "市场监督管理严重违法失信名单",
        "应当",
    ] {
        assert!(html.contains(text), "missing {text}");
    }
    assert_eq!(app.get("/console/measures").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn loop_responses_match_the_openapi_document() {
    let Fixture { app, ggzyjy, .. } = fixture().await;
    decide(&app, "LS1").await;
    let doc = app.get("/api/v1/openapi.json").await.json();
    let check = |schema: &str, value: &Value| assert_matches_schema(&doc, schema, value);
    check("FeedPageDoc", &call(&app, "GET", "/api/v1/feeds/ggzyjy", &ggzyjy, None).await.json());
    let ack = json!({"listing_id": "LS1", "measure": "CJ-ZTB"});
    check(
        "LoopOutcomeDoc",
        &call(&app, "POST", "/api/v1/feeds/ggzyjy/acknowledgements", &ggzyjy, Some(ack)).await.json(),
    );
    let fb = json!({"listing_id": "LS1", "measure": "CJ-ZTB", "outcome": "拒绝"});
    check("LoopOutcomeDoc", &call(&app, "POST", "/api/v1/feeds/ggzyjy/feedback", &ggzyjy, Some(fb)).await.json());
    check("FeedPageDoc", &call(&app, "GET", "/api/v1/feeds/ggzyjy", &ggzyjy, None).await.json());
    let cases = json!({"cases": [{"case_ref": "A", "scenario": "bidding", "handled_on": "2026-11-20"}]});
    check("CasesResponseDoc", &call(&app, "POST", "/api/v1/cases", &ggzyjy, Some(cases)).await.json());
    let hook = json!({"url": "https://jy.example.gov.cn/xinyong/hook"});
    check("WebhookResponseDoc", &call(&app, "PUT", "/api/v1/webhooks/ggzyjy", &ggzyjy, Some(hook)).await.json());
    check("ErrorEnvelope", &call(&app, "GET", "/api/v1/feeds/zjj", &ggzyjy, None).await.json());
}

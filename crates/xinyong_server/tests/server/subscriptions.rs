//! Issue 17's story end to end through the router: the credit office
//! registers a bank as a subscriber and a second person approves it; the
//! bank watches a company and sets a webhook; the national evaluation is
//! imported, the local model grades, a penalty arrives, the grade drops with
//! the penalty named as the reason, the bank's webhook receives the changes
//! signed, and the supervision class the department sees changes. Then the
//! bank is suspended and its token stops working.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use serde_json::{Value, json};
use xinyong_core::auth::{self, NewUser};
use xinyong_core::closed_loop::webhooks::{WebhookClient, WebhookTargets, signature};
use xinyong_core::evaluation::{Scope, evaluate};
use xinyong_core::log::CoreSettings;
use xinyong_core::log::verify::verify;
use xinyong_core::subscriptions::SubscriptionsJob;
use xinyong_domain::Uscc;
use xinyong_domain::auth::{DepartmentCode, Role};
use xinyong_domain::event::{Actor, NewEvent};
use xinyong_domain::subjects::{LegalPerson, SubjectName, SubjectStatus, SubjectsEvent};
use xinyong_test_support::{TestApp, TestDb, TestResponse};

const ORG: &str = "91370102MA3C4F2K2U";
const PASSWORD: &str = "correct-horse-42";

fn loopback() -> WebhookTargets {
    WebhookTargets { allow_http: true, allowed_networks: vec!["127.0.0.0/8".parse().unwrap()] }
}

async fn city() -> TestApp {
    let settings = CoreSettings { webhooks: loopback(), ..CoreSettings::default() };
    let app = TestApp::with_settings(TestDb::new().await, settings).await;
    auth::seed_departments(&app.core, &auth::shipped_departments().unwrap()).await.unwrap();
    xinyong_core::rules::publish_rules(&app.core).await.unwrap();
    let company = SubjectsEvent::LegalPersonRegistered {
        subject: LegalPerson {
            uscc: Uscc::parse(ORG).unwrap(),
            name: SubjectName::parse("济南泉润商贸有限公司").unwrap(),
            status: SubjectStatus::Active,
        },
        people: vec![],
    };
    app.core.append(vec![NewEvent::new(Actor::parse("demo").unwrap(), company)]).await.unwrap();
    for (login, department, roles) in [
        ("rv", Some("scjgj"), vec![Role::Reviewer, Role::Operator]),
        ("office", None, vec![Role::Admin]),
        ("office2", None, vec![Role::Admin]),
    ] {
        let user = NewUser {
            login: login.into(),
            display_name: login.into(),
            department: department.map(|d| DepartmentCode::parse(d).unwrap()),
            roles,
        };
        auth::create_user(&app.core, &Actor::system(), user, PASSWORD).await.unwrap();
    }
    app
}

async fn login(app: &TestApp, who: &str) -> String {
    let body = format!("login={who}&password={PASSWORD}&next=%2Fconsole");
    let request = Request::post("/console/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    let r = app.send(request).await;
    let set = r.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    set.split(';').next().unwrap().to_owned()
}

async fn page(app: &TestApp, path: &str, cookie: &str) -> TestResponse {
    app.send(Request::get(path).header(header::COOKIE, cookie).body(Body::empty()).unwrap()).await
}

fn csrf_in(html: &str) -> String {
    let at = html.find("name=\"csrf_token\" value=\"").unwrap() + 25;
    html[at..at + 64].to_owned()
}

async fn form(app: &TestApp, path: &str, cookie: &str, fields: &[(&str, &str)]) -> TestResponse {
    let body: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("{k}={}", v.bytes().map(|b| format!("%{b:02X}")).collect::<String>()))
        .collect();
    let request = Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookie)
        .body(Body::from(body.join("&")))
        .unwrap();
    app.send(request).await
}

async fn bank_call(app: &TestApp, method: &str, path: &str, token: &str, body: Option<Value>) -> TestResponse {
    let mut request =
        Request::builder().method(method).uri(path).header(header::AUTHORIZATION, format!("Bearer {token}"));
    if body.is_some() {
        request = request.header(header::CONTENT_TYPE, "application/json");
    }
    let body = body.map_or_else(Body::empty, |b| Body::from(b.to_string()));
    app.send(request.body(body).unwrap()).await
}

/// A general penalty of the market regulator this year, through the API.
async fn penalise(app: &TestApp) {
    let code = DepartmentCode::parse("scjgj").unwrap();
    let token = auth::issue_token(&app.core, &Actor::system(), &code, "系统", [5; 32]).await.unwrap();
    let row = json!({
        "行政相对人名称": "济南泉润商贸有限公司", "行政相对人类别": "法人及非法人组织", "CF_XDR_SHXYM": ORG,
        "法定代表人": "张建国", "CF_WSH": "济市监罚〔2026〕301号", "CF_WFXW": "违反规定", "CF_SY": "当事人违反有关规定。",
        "CF_YJ": "有关法律第十条", "CF_CFLB": "罚款", "CF_YZCD": "一般", "CF_NR": "罚款5万元", "CF_NR_FK": 5.0,
        "CF_JDRQ": "2026-10-09", "CF_YXQ": "2099-12-31", "CF_CFJG": "济南市市场监督管理局",
        "CF_CFJGDM": "11370100MB2853A6XD", "CF_SJLY": "济南市市场监督管理局", "CF_SJLYDM": "11370100MB2853A6XD",
    });
    let bearer = format!("Bearer {}", token.token);
    let r = app
        .post_json(
            "/api/v1/records/batches",
            &[("authorization", bearer.as_str())],
            &json!({"item": "CF", "rows": [row]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
}

/// Every POST a receiver saw: headers and body.
type Seen = Arc<Mutex<Vec<(HeaderMap, Vec<u8>)>>>;

/// A receiver that records every POST.
async fn receiver() -> (String, Seen) {
    let seen: Seen = Arc::default();
    let app = {
        let seen = Arc::clone(&seen);
        axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| {
                let seen = Arc::clone(&seen);
                async move {
                    seen.lock().unwrap().push((headers, body.to_vec()));
                    StatusCode::NO_CONTENT
                }
            }),
        )
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}/hook"), seen)
}

/// Registers the bank (office) and approves it (office2): its id and token.
async fn bank(app: &TestApp) -> (String, String) {
    let office = login(app, "office").await;
    let list = page(app, "/console/subscribers", &office).await.text();
    let fields = [
        ("csrf_token", csrf_in(&list)),
        ("name", "中国工商银行股份有限公司济南分行".to_owned()),
        ("uscc", Uscc::from_parts('9', '1', "370100", "16304129").unwrap().as_str().to_owned()),
        ("kind", "financial_institution".to_owned()),
        ("contact", "授信管理部 0531-0000000".to_owned()),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let registered = form(app, "/console/subscribers", &office, &fields).await;
    assert_eq!(registered.status, StatusCode::OK);
    let html = registered.text();
    let at = html.find("xys_").unwrap();
    let token: String =
        html[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-').collect();
    let id = token.split('_').nth(1).unwrap().to_owned();
    // Not yet approved: the token is nobody.
    let early = bank_call(app, "GET", "/api/v1/subscription/feed", &token, None).await;
    assert_eq!(early.status, StatusCode::UNAUTHORIZED);
    // The registrar may not approve it too.
    let own =
        form(app, &format!("/console/subscribers/{id}/approve"), &office, &[("csrf_token", &csrf_in(&html))]).await;
    assert_eq!(own.status, StatusCode::FORBIDDEN, "{}", own.text());
    let office2 = login(app, "office2").await;
    let detail = page(app, &format!("/console/subscribers/{id}"), &office2).await.text();
    let approved =
        form(app, &format!("/console/subscribers/{id}/approve"), &office2, &[("csrf_token", &csrf_in(&detail))]).await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER, "{}", approved.text());
    (id, token)
}

#[tokio::test]
async fn a_penalty_lowers_the_grade_and_the_subscribed_bank_is_told() {
    let app = city().await;
    let (id, token) = bank(&app).await;
    let watch = json!({"usccs": [ORG, "91370102MA3C4F2K2X"]});
    let w = bank_call(&app, "PUT", "/api/v1/subscription/watchlist", &token, Some(watch)).await;
    assert_eq!(w.status, StatusCode::OK, "{}", w.text());
    assert_eq!(w.json()["watching"], 1);
    assert_eq!(w.json()["rejected"][0]["code"], "uscc_invalid");
    let (url, seen) = receiver().await;
    let hook = bank_call(&app, "PUT", "/api/v1/subscription/webhook", &token, Some(json!({"url": url}))).await;
    assert_eq!(hook.status, StatusCode::OK, "{}", hook.text());
    let secret = hook.json()["secret"].as_str().unwrap().to_owned();

    // The national evaluation (良, +10) and the local model: A, 1010.
    let import = xinyong_core::evaluation::external::import_grades(
        &app.core,
        &xinyong_core::auth::policy::Principal::system(),
        xinyong_domain::evaluation::ExternalScheme::National,
        "2025",
        "国家公共信用信息中心",
        vec![xinyong_core::evaluation::external::IncomingGrade { row: 2, uscc: ORG.into(), grade: "良".into() }],
    )
    .await
    .unwrap();
    assert_eq!(import.accepted, 1);
    let rv = login(&app, "rv").await;
    let before = page(&app, &format!("/console/subjects/{ORG}"), &rv).await.text();
    assert!(before.contains("1010") && before.contains("A 类"), "{before}");

    // A general penalty (−30): 980, grade B, class B, the penalty named.
    penalise(&app).await;
    evaluate(&app.core, &Scope::All).await.unwrap();
    let after = page(&app, &format!("/console/subjects/{ORG}"), &rv).await.text();
    assert!(after.contains("980") && after.contains("B 类"), "{after}");
    assert!(after.contains("一般失信行政处罚 1 项"), "the penalty is the reason: {after}");

    // The job queues the changes and POSTs them, signed.
    let job = SubscriptionsJob::every(
        std::time::Duration::from_secs(1),
        WebhookClient::new(std::time::Duration::from_secs(5), loopback()),
    );
    let report = job.run_once(&app.core).await.unwrap();
    assert!(report.done >= 2, "{report:?}");
    let posts = seen.lock().unwrap().clone();
    assert_eq!(posts.len(), 1, "one POST with every item");
    let (headers, body) = &posts[0];
    let ts: i64 = headers["x-xinyong-timestamp"].to_str().unwrap().parse().unwrap();
    assert_eq!(headers["x-xinyong-signature"].to_str().unwrap(), signature(&secret, ts, body));
    let sent: Value = serde_json::from_slice(body).unwrap();
    let grades: Vec<&str> = sent["items"].as_array().unwrap().iter().map(|i| i["value"].as_str().unwrap()).collect();
    assert_eq!(grades, ["A", "B"], "{sent}");
    assert!(sent["items"][1]["summary"].as_str().unwrap().contains("B 级（980 分）"));
    // Again: nothing new is queued or sent.
    job.run_once(&app.core).await.unwrap();
    assert_eq!(seen.lock().unwrap().len(), 1);

    // The same items by pull, and the credit office sees what was sent.
    let feed = bank_call(&app, "GET", "/api/v1/subscription/feed?after=0", &token, None).await.json();
    assert_eq!(feed["items"].as_array().unwrap().len(), 2);
    // Every answer has the shape the OpenAPI document gives it.
    let doc = serde_json::to_value(xinyong_server::openapi::document()).unwrap();
    let watchlist = bank_call(&app, "GET", "/api/v1/subscription/watchlist", &token, None).await.json();
    for (schema, value) in [
        ("SubscriptionFeedDoc", &feed),
        ("WatchlistDoc", &watchlist),
        ("WatchlistOutcomeDoc", &w.json()),
        ("SubscriptionWebhookResponseDoc", &hook.json()),
    ] {
        xinyong_test_support::assert_matches_schema(&doc, schema, value);
    }
    let office = login(&app, "office").await;
    let detail = page(&app, &format!("/console/subscribers/{id}"), &office).await.text();
    assert!(detail.contains("评价等级变化") && detail.contains("B 级"), "{detail}");
    // A bank's token is not a department's: no credit files.
    let other = bank_call(&app, "GET", &format!("/api/v1/subjects/{ORG}/grades"), &token, None).await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);

    // Suspended: the token stops working.
    let suspended = form(
        &app,
        &format!("/console/subscribers/{id}/suspend"),
        &office,
        &[("csrf_token", &csrf_in(&detail)), ("reason", "合作协议到期")],
    )
    .await;
    assert_eq!(suspended.status, StatusCode::SEE_OTHER);
    let late = bank_call(&app, "GET", "/api/v1/subscription/feed", &token, None).await;
    assert_eq!(late.status, StatusCode::UNAUTHORIZED);
    verify(&app.core, &|_, _, _| {}).await.unwrap();
}

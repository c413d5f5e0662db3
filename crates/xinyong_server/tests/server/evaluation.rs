//! Credit evaluation through the router: the public page and API show the
//! grade and nothing more, the console's credit file explains it (score,
//! reasons, supervision class), the credit office imports external grades
//! from a file row by row, a department clerk may look but not import.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::json;
use xinyong_core::auth::{self, NewUser};
use xinyong_core::evaluation::{Scope, evaluate};
use xinyong_core::log::verify::verify;
use xinyong_domain::Uscc;
use xinyong_domain::auth::{DepartmentCode, Role};
use xinyong_domain::event::{Actor, NewEvent};
use xinyong_domain::subjects::{LegalPerson, SubjectName, SubjectStatus, SubjectsEvent};
use xinyong_test_support::{TestApp, TestResponse};

const ORG: &str = "91370102MA3C4F2K2U";
const PASSWORD: &str = "correct-horse-42";

async fn city() -> TestApp {
    let app = TestApp::new().await;
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
    for (login, department, roles) in
        [("rv", Some("scjgj"), vec![Role::Reviewer, Role::Operator]), ("office", None, vec![Role::Admin])]
    {
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

/// A token of `department`; `n` makes its secret unique.
async fn token(app: &TestApp, department: &str, n: u8) -> String {
    let code = DepartmentCode::parse(department).unwrap();
    let t = auth::issue_token(&app.core, &Actor::system(), &code, "系统", [n; 32]).await.unwrap();
    t.token
}

/// A general penalty (a 50,000 yuan fine) of the market regulator this year.
async fn penalise(app: &TestApp) {
    let row = json!({
        "行政相对人名称": "济南泉润商贸有限公司",
        "行政相对人类别": "法人及非法人组织",
        "CF_XDR_SHXYM": ORG,
        "法定代表人": "张建国",
        "CF_WSH": "济市监罚〔2026〕201号",
        "CF_WFXW": "违反规定",
        "CF_SY": "当事人违反有关规定。",
        "CF_YJ": "有关法律第十条",
        "CF_CFLB": "罚款",
        "CF_YZCD": "一般",
        "CF_NR": "罚款5万元",
        "CF_NR_FK": 5.0,
        "CF_JDRQ": "2026-10-09",
        "CF_YXQ": "2099-12-31",
        "CF_CFJG": "济南市市场监督管理局",
        "CF_CFJGDM": "11370100MB2853A6XD",
        "CF_SJLY": "济南市市场监督管理局",
        "CF_SJLYDM": "11370100MB2853A6XD",
    });
    let bearer = format!("Bearer {}", token(app, "scjgj", 1).await);
    let r = app
        .post_json(
            "/api/v1/records/batches",
            &[("authorization", bearer.as_str())],
            &json!({"item": "CF", "rows": [row]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
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

/// The console's import form with a CSV file.
async fn import(app: &TestApp, cookie: &str, csrf: &str, csv: &str) -> TestResponse {
    const B: &str = "evaluation-boundary";
    let mut body = String::new();
    for (name, value) in [("csrf_token", csrf), ("scheme", "national"), ("period", "2025")] {
        body.push_str(&format!("--{B}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"));
    }
    body.push_str(&format!(
        "--{B}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"national-2025.csv\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n--{B}--\r\n"
    ));
    let request = Request::post("/console/evaluation/import")
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={B}"))
        .header(header::COOKIE, cookie)
        .body(Body::from(body))
        .unwrap();
    app.send(request).await
}

#[tokio::test]
async fn the_public_sees_the_grade_and_the_console_sees_why() {
    let app = city().await;
    penalise(&app).await;
    evaluate(&app.core, &Scope::All).await.unwrap();

    let public = app.get(&format!("/subjects/{ORG}")).await.text();
    assert!(public.contains("grade-badge\">B</strong> 轻微失信"), "{public}");
    assert!(!public.contains("970") && !public.contains("扣"), "no score, no reasons in public");
    let api = app.get(&format!("/api/v1/public/subjects/{ORG}")).await.json();
    assert_eq!(api["grade"], "B");
    assert_eq!(api["evaluation"]["category"], "轻微失信");
    assert_eq!(api["external_grades"], json!([]));
    assert!(!api.to_string().contains("reasons") && !api.to_string().contains("score"));

    let rv = login(&app, "rv").await;
    let file = page(&app, &format!("/console/subjects/{ORG}"), &rv).await.text();
    assert!(file.contains("信用评价与分级监管") && file.contains("970"), "{file}");
    assert!(file.contains("一般失信行政处罚"), "the reason is named: {file}");
    assert!(file.contains("B 类"), "the supervision class: {file}");
    // The API answers a console session; a department's token is refused
    // (grades are for the people of the console, the check API serves systems).
    let grades = page(&app, &format!("/api/v1/subjects/{ORG}/grades"), &rv).await;
    assert_eq!(grades.status, StatusCode::OK, "{}", grades.text());
    assert_eq!(grades.json()["grades"][0]["score"], "970");
    let by_token = app.get_with_token(&format!("/api/v1/subjects/{ORG}/grades"), &token(&app, "scjgj", 3).await).await;
    assert_eq!(by_token.json()["error"]["code"], "console_only");
}

#[tokio::test]
async fn the_credit_office_imports_external_grades_and_a_clerk_may_not() {
    let app = city().await;
    evaluate(&app.core, &Scope::All).await.unwrap();
    let office = login(&app, "office").await;
    let overview = page(&app, "/console/evaluation", &office).await;
    assert_eq!(overview.status, StatusCode::OK);
    let html = overview.text();
    assert!(html.contains("等级分布") && html.contains("导入外部评价结果"), "{html}");

    let csv = format!("统一社会信用代码,评价结果\r\n{ORG},优\r\n91370102MA3C4F2K2X,良\r\n");
    let r = import(&app, &office, &csrf_in(&html), &csv).await;
    assert_eq!(r.status, StatusCode::OK);
    let text = r.text();
    assert!(text.contains("导入 1 户，拒绝 1 行"), "{text}");
    assert!(text.contains("uscc_invalid") && text.contains(">3<"), "row 3 is named: {text}");
    let api = app.get(&format!("/api/v1/public/subjects/{ORG}")).await.json();
    assert_eq!(api["grade"], "A+", "优 adds 30 points: 1030");
    assert_eq!(api["external_grades"], json!([]), "external grades are not public by default");

    let rv = login(&app, "rv").await;
    let html = page(&app, "/console/evaluation", &rv).await.text();
    assert!(!html.contains("导入外部评价结果"), "no import form for a clerk");
    let console = page(&app, "/console", &rv).await.text();
    let refused = import(&app, &rv, &csrf_in(&console), &csv).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let bearer = format!("Bearer {}", token(&app, "scjgj", 4).await);
    let body = json!({"scheme": "tax", "period": "2025", "grades": [{"uscc": ORG, "grade": "A"}]});
    let api = app.post_json("/api/v1/evaluation/external-grades", &[("authorization", bearer.as_str())], &body).await;
    assert_eq!(api.status, StatusCode::FORBIDDEN, "{}", api.text());
    assert_eq!(api.json()["error"]["code"], "forbidden");
    verify(&app.core, &|_, _, _| {}).await.unwrap();
}

/// A food business licence the market regulator granted this year.
async fn license(app: &TestApp) {
    let row = json!({
        "XK_XDR_MC": "济南泉润商贸有限公司",
        "XK_XDR_LB": "法人及非法人组织",
        "XK_XDR_SHXYM": ORG,
        "XK_FRDB": "张建国",
        "XK_XKWS": "食品经营许可证准予许可决定书",
        "XK_WSH": "济市监食许〔2026〕1001号",
        "XK_XKLB": "普通",
        "XK_XKZS": "食品经营许可证",
        "XK_NR": "预包装食品销售",
        "XK_JDRQ": "2026-03-02",
        "XK_YXQZ": "2026-03-02",
        "XK_YXQZI": "2031-03-01",
        "XK_XKJG": "济南市市场监督管理局",
        "XK_XKJGDM": "11370100MB2853A6XD",
        "XK_ZT": "1",
        "XK_LYDW": "济南市市场监督管理局",
        "XK_LYDWDM": "11370100MB2853A6XD",
    });
    let bearer = format!("Bearer {}", token(app, "scjgj", 5).await);
    let body = json!({"item": "XK", "rows": [row]});
    let r = app.post_json("/api/v1/records/batches", &[("authorization", bearer.as_str())], &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
}

/// The part of `html` from `start` to the next `end`.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html.find(start).unwrap_or_else(|| panic!("{start} not in {html}"));
    let rest = &html[from..];
    &rest[..rest.find(end).unwrap()]
}

#[tokio::test]
async fn the_dashboard_shows_the_district_the_industry_and_a_fall_from_a_to_b() {
    let app = city().await;
    license(&app).await;
    evaluate(&app.core, &Scope::All).await.unwrap();
    penalise(&app).await;
    evaluate(&app.core, &Scope::All).await.unwrap();

    let rv = login(&app, "rv").await;
    let overview = page(&app, "/console/evaluation", &rv).await.text();
    assert!(overview.contains("href=\"/console/evaluation/dashboard\""), "linked from the overview");
    let r = page(&app, "/console/evaluation/dashboard", &rv).await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    // 91370102…: registered in 历下区; licensed by the market regulator.
    let district = between(&html, "<strong>历下区</strong>", "</div>");
    assert!(district.contains("1 户 · C、D 级 0.0%"), "{district}");
    assert!(html.contains("<strong>市场监管</strong>"), "the licence's sector: {html}");
    assert!(html.contains("历下区的等级分布</title>"), "each bar names itself");
    let fell = between(&html, "<th scope=\"row\" class=\"nowrap\">A</th>", "</tr>");
    assert!(fell.contains("<td class=\"num bad\"><span class=\"sr-only\">降级 </span>↓1</td>"), "A → B: {fell}");
    let first = between(&html, "<th scope=\"row\" class=\"nowrap\">新评价</th>", "</tr>");
    assert_eq!(first.matches("<td class=\"num\">1</td>").count(), 2, "one new grade, A; row total 1: {first}");
    assert!(html.contains("降级 1</span>"), "the month's downgrades: {html}");

    // The window is bounded; a word for a number is no window at all.
    let long = page(&app, "/console/evaluation/dashboard?days=99999", &rv).await.text();
    assert!(long.contains("<option value=\"730\" selected>"), "bounded to two years");
    let odd = page(&app, "/console/evaluation/dashboard?days=many&model=none", &rv).await;
    assert_eq!(odd.status, StatusCode::OK);
    assert!(odd.text().contains("<option value=\"90\" selected>"), "the default window and model");
}

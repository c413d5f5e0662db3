//! The market subject's side through the router: a company activates its
//! account with a letter's code, sees its whole file (a non-public record
//! included), objects to a penalty, the portal marks it 异议处理中, the
//! department revokes it and the record leaves the portal; credit repair
//! under each regime, with eligibility explained; deadlines on the 调休
//! calendar. `xinyong verify` passes after every story.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{NaiveDate, TimeZone as _, Utc};
use serde_json::{Value, json};
use xinyong_core::auth::subject_accounts::{self, Activation};
use xinyong_core::auth::{self, NewUser};
use xinyong_core::log::verify::verify;
use xinyong_core::objections;
use xinyong_core::repair::{self, RepairRequest};
use xinyong_domain::Uscc;
use xinyong_domain::auth::{DepartmentCode, Role};
use xinyong_domain::event::{Actor, NewEvent};
use xinyong_domain::objections::ObjectionResult;
use xinyong_domain::repair::SuppliedMaterial;
use xinyong_domain::subjects::{LegalPerson, SubjectName, SubjectStatus, SubjectsEvent};
use xinyong_test_support::{TestApp, TestResponse, department_user};

const ORG: &str = "91370102MA3C4F2K2U";
const PASSWORD: &str = "correct-horse-42";

fn org() -> Uscc {
    Uscc::parse(ORG).unwrap()
}

fn at(day: &str) -> chrono::DateTime<Utc> {
    let d: NaiveDate = day.parse().unwrap();
    Utc.from_utc_datetime(&d.and_hms_opt(2, 0, 0).unwrap())
}

/// Departments, one company, a token per department and a reviewer of the
/// market regulator (`rv`).
async fn city(day: &str) -> TestApp {
    city_with(day, xinyong_core::CoreSettings::default()).await
}

async fn city_with(day: &str, settings: xinyong_core::CoreSettings) -> TestApp {
    let app = TestApp::with_settings(xinyong_test_support::TestDb::new().await, settings).await;
    app.clock.set(at(day));
    auth::seed_departments(&app.core, &auth::shipped_departments().unwrap()).await.unwrap();
    let company = SubjectsEvent::LegalPersonRegistered {
        subject: LegalPerson {
            uscc: org(),
            name: SubjectName::parse("济南泉润商贸有限公司").unwrap(),
            status: SubjectStatus::Active,
        },
        people: vec![],
    };
    app.core.append(vec![NewEvent::new(Actor::parse("demo").unwrap(), company)]).await.unwrap();
    let rv = NewUser {
        login: "rv".into(),
        display_name: "审核员".into(),
        department: Some(DepartmentCode::parse("scjgj").unwrap()),
        roles: vec![Role::Reviewer, Role::Operator],
    };
    auth::create_user(&app.core, &Actor::system(), rv, PASSWORD).await.unwrap();
    app
}

/// A penalty row of the 双公示 format.
fn penalty(doc: &str, category: &str, content: &str, fine_wan: f64, decided: &str, authority: &str) -> Value {
    let mut row = json!({
        "行政相对人名称": "济南泉润商贸有限公司",
        "行政相对人类别": "法人及非法人组织",
        "CF_XDR_SHXYM": ORG,
        "法定代表人": "张建国",
        "CF_WSH": doc,
        "CF_WFXW": "违反规定",
        "CF_SY": "当事人违反有关规定。",
        "CF_YJ": "有关法律第十条",
        "CF_CFLB": category,
        "CF_NR": content,
        "CF_NR_FK": fine_wan,
        "CF_JDRQ": decided,
        "CF_YXQ": "2099-12-31",
        "CF_CFJG": authority,
        "CF_CFJGDM": "11370100MB2853A6XD",
        "CF_SJLY": authority,
        "CF_SJLYDM": "11370100MB2853A6XD",
    });
    if category.contains("吊销") {
        // Required with a revocation: which licence, and its number.
        row["CF_NR_ZKDX"] = json!(format!("{content}（编号 JZ-2019-010123）"));
    }
    row
}

/// Sends rows for `department` through the API; returns the record ids.
async fn upload(app: &TestApp, department: &str, rows: Vec<Value>) -> Vec<String> {
    let code = DepartmentCode::parse(department).unwrap();
    // One secret per department: a token is unique.
    let secret = [department.bytes().fold(7u8, |a, b| a.wrapping_mul(31).wrapping_add(b)); 32];
    let token = auth::issue_token(&app.core, &Actor::system(), &code, "系统", secret).await.unwrap();
    let bearer = format!("Bearer {}", token.token);
    let r = app
        .post_json(
            "/api/v1/records/batches",
            &[("authorization", bearer.as_str())],
            &json!({"item": "CF", "rows": rows}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let out = r.json();
    let rows = out["rows"].as_array().unwrap();
    rows.iter().map(|row| row["record_id"].as_str().unwrap_or_else(|| panic!("{row}")).to_owned()).collect()
}

fn cookie_of(r: &TestResponse) -> String {
    let set = r.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    set.split(';').next().unwrap().to_owned()
}

/// The CSRF token in a page's forms.
fn csrf_in(html: &str) -> String {
    let at = html.find("name=\"csrf_token\" value=\"").unwrap() + 25;
    html[at..at + 64].to_owned()
}

async fn form(app: &TestApp, path: &str, cookie: Option<&str>, fields: &[(&str, &str)]) -> TestResponse {
    let body: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={}", urlencode(v))).collect();
    let mut request = Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        request = request.header(header::COOKIE, c);
    }
    app.send(request.body(Body::from(body.join("&"))).unwrap()).await
}

/// A multipart form post with files (`evidence`).
async fn upload_form(
    app: &TestApp,
    path: &str,
    cookie: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &[u8])],
) -> TestResponse {
    const B: &str = "subject-side-boundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{B}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    for (file_name, bytes) in files {
        body.extend_from_slice(
            format!("--{B}\r\nContent-Disposition: form-data; name=\"evidence\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{B}--\r\n").as_bytes());
    let request = Request::post(path)
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={B}"))
        .header(header::COOKIE, cookie)
        .body(Body::from(body))
        .unwrap();
    app.send(request).await
}

async fn page(app: &TestApp, path: &str, cookie: &str) -> TestResponse {
    app.send(Request::get(path).header(header::COOKIE, cookie).body(Body::empty()).unwrap()).await
}

fn urlencode(raw: &str) -> String {
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

async fn verified(app: &TestApp) {
    let report = verify(&app.core, &|_, _, _| {}).await.unwrap();
    assert!(report.entries > 0);
}

#[tokio::test]
#[expect(clippy::too_many_lines, reason = "one story from the letter to the outcome, in order")]
async fn a_company_objects_and_the_revoked_record_leaves_the_portal() {
    let app = city("2026-11-26").await;
    let ids = upload(
        &app,
        "scjgj",
        vec![
            penalty("济市监罚〔2026〕201号", "罚款", "罚款5万元", 5.0, "2026-10-09", "济南市市场监督管理局"),
            penalty("济市监罚〔2026〕202号", "警告", "警告", 0.0, "2026-10-12", "济南市市场监督管理局"),
        ],
    )
    .await;
    let (fined, warned) = (&ids[0], &ids[1]);

    // The market regulator's clerk issues an activation letter at the counter.
    let clerk =
        form(&app, "/console/login", None, &[("login", "rv"), ("password", PASSWORD), ("next", "/console")]).await;
    let clerk = cookie_of(&clerk);
    let console = page(&app, "/console", &clerk).await.text();
    let letter =
        form(&app, "/console/activation-letters", Some(&clerk), &[("uscc", ORG), ("csrf_token", &csrf_in(&console))])
            .await;
    assert_eq!(letter.status, StatusCode::OK, "{}", letter.text());
    let html = letter.text();
    let at = html.find("class=\"code\">").unwrap() + 13;
    let code = html[at..at + 19].to_owned();

    // The company opens its account and logs in.
    let wrong = form(
        &app,
        "/my/activate",
        None,
        &[
            ("uscc", ORG),
            ("code", "AAAA-AAAA-AAAA-AAAA"),
            ("username", "admin"),
            ("display_name", "办公室"),
            ("password", PASSWORD),
            ("password_again", PASSWORD),
        ],
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let opened = form(
        &app,
        "/my/activate",
        None,
        &[
            ("uscc", ORG),
            ("code", &code.to_lowercase()),
            ("username", "admin"),
            ("display_name", "办公室"),
            ("password", PASSWORD),
            ("password_again", PASSWORD),
        ],
    )
    .await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.text());
    let again = form(
        &app,
        "/my/activate",
        None,
        &[
            ("uscc", ORG),
            ("code", &code),
            ("username", "second"),
            ("display_name", "财务"),
            ("password", PASSWORD),
            ("password_again", PASSWORD),
        ],
    )
    .await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED, "a code opens one account once");
    let login =
        form(&app, "/my/login", None, &[("uscc", ORG), ("username", "admin"), ("password", PASSWORD), ("next", "/my")])
            .await;
    assert_eq!(login.status, StatusCode::SEE_OTHER);
    let company = cookie_of(&login);

    // Its file holds both penalties; the warning is not public and says why.
    let my = page(&app, "/my", &company).await;
    assert_eq!(my.status, StatusCode::OK);
    let html = my.text();
    assert!(html.contains("济市监罚〔2026〕201号") && html.contains("济市监罚〔2026〕202号"), "{html}");
    assert!(html.contains("不公示"), "the non-public record says why");
    assert!(!html.contains("张建国"), "the representative is masked");
    let xlsx = page(&app, "/my/export.xlsx", &company).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.content_type().contains("spreadsheetml"), "{}", xlsx.content_type());
    let json = page(&app, "/my/export.json", &company).await.json();
    assert_eq!(json["records"].as_array().unwrap().len(), 2);

    // The company objects to the fine; the portal and the API mark it.
    let csrf = csrf_in(&html);
    let path = format!("/my/records/{fined}/objection");
    let grounds = [("grounds", "罚款金额与决定书不符"), ("csrf_token", csrf.as_str())];
    // Evidence must be PDF, JPEG or PNG, by its bytes.
    let text = upload_form(&app, &path, &company, &grounds, &[("说明.txt", b"not a picture".as_slice())]).await;
    assert_eq!(text.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", text.text());
    assert!(text.text().contains("不是 PDF、JPG 或 PNG"), "{}", text.text());
    let png: &[u8] = &[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0];
    let objected = upload_form(&app, &path, &company, &grounds, &[("缴款凭证.png", png)]).await;
    assert_eq!(objected.status, StatusCode::SEE_OTHER, "{}", objected.text());
    let portal = app.get(&format!("/subjects/{ORG}")).await.text();
    assert!(portal.contains("异议处理中"), "{portal}");
    let api = app.get(&format!("/api/v1/public/subjects/{ORG}")).await.json();
    assert_eq!(api["penalties"][0]["under_objection"], true);
    let objection = objections::objections_of_subject(&app.core, &company_principal(), &org()).await.unwrap();
    let objection_id = objection[0].objection_id.clone();
    assert_eq!(objection[0].answer_due, "2026-12-01".parse::<NaiveDate>().unwrap(), "3 working days from Thursday");

    // The department sees it on its console and revokes the record.
    let queue = page(&app, "/console/objections", &clerk).await.text();
    assert!(queue.contains(&objection_id), "{queue}");
    let detail = page(&app, &format!("/console/objections/{objection_id}"), &clerk).await.text();
    assert!(detail.contains("缴款凭证.png"), "the department sees the evidence: {detail}");
    let file = page(&app, &format!("/console/objections/{objection_id}/evidence/1"), &clerk).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.content_type(), "image/png");
    assert!(!app.get(&format!("/subjects/{ORG}")).await.text().contains("缴款凭证"), "never public");
    let answered = form(
        &app,
        &format!("/console/objections/{objection_id}/answer"),
        Some(&clerk),
        &[("result", "revoked"), ("reply", "经核实，决定书已依法撤销"), ("csrf_token", &csrf_in(&detail))],
    )
    .await;
    assert_eq!(answered.status, StatusCode::SEE_OTHER, "{}", answered.text());

    // Gone from the portal and the public API at once; the warning was never there.
    let portal = app.get(&format!("/subjects/{ORG}")).await.text();
    assert!(!portal.contains("济市监罚〔2026〕201号") && !portal.contains("异议处理中"), "{portal}");
    let api = app.get(&format!("/api/v1/public/subjects/{ORG}")).await.json();
    assert_eq!(api["penalties"].as_array().unwrap().len(), 0);
    let _ = warned;

    // The company sees the outcome.
    let html = page(&app, "/my", &company).await.text();
    assert!(html.contains("异议成立，信息予以撤销") && html.contains("经核实，决定书已依法撤销"), "{html}");
    assert!(html.contains("已停止公示"), "{html}");

    // A company account sees only its own company.
    let other = page(&app, "/console/objections", &company).await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    verified(&app).await;
}

fn company_principal() -> xinyong_core::auth::policy::Principal {
    xinyong_core::auth::policy::Principal::Subject(xinyong_core::auth::policy::SubjectPrincipal {
        uscc: org(),
        username: "admin".into(),
        role: xinyong_domain::auth::SubjectAccountRole::LegalRepresentative,
    })
}

/// Opens the company's account directly (the letter is tested above).
async fn open_account(app: &TestApp) {
    let letter =
        subject_accounts::issue_activation_code(&app.core, &department_user("scjgj"), &org(), [3; 10]).await.unwrap();
    let activation = Activation {
        uscc: org(),
        code: letter.code,
        username: "admin".into(),
        display_name: "办公室".into(),
        password: PASSWORD.into(),
    };
    subject_accounts::activate(&app.core, &activation).await.unwrap();
}

fn materials() -> Vec<SuppliedMaterial> {
    ["fulfilment", "rectification", "training", "credit_report", "no_repeat"]
        .into_iter()
        .map(|code| SuppliedMaterial { code: code.into(), description: "缴款凭证 370100-2025-0001 等".into() })
        .collect()
}

fn request(record: &str) -> RepairRequest {
    RepairRequest { record_id: record.into(), materials: materials(), commitment_signed: true }
}

#[tokio::test]
async fn a_general_penalty_under_order_58_is_repaired_after_three_months() {
    let app = city("2025-06-20").await;
    open_account(&app).await;
    // 历下区 urban management: not market regulation, so NDRC Order 58 applies.
    let ids = upload(
        &app,
        "cgj",
        vec![penalty("济城管罚〔2025〕31号", "罚款", "罚款3万元", 3.0, "2025-06-16", "济南市城市管理局")],
    )
    .await;
    let record = &ids[0];
    let company = company_principal();
    let early = repair::assess(&app.core, &company, record).await.unwrap();
    assert!(!early.eligible);
    assert_eq!(early.code, Some("repair_too_early"));
    assert_eq!(early.earliest, Some("2025-09-16".parse().unwrap()));
    assert!(early.explanation.contains("2025-09-16"), "{}", early.explanation);
    let refused = repair::apply_repair(&app.core, &company, &request(record)).await.unwrap_err();
    assert_eq!(refused.code(), "repair_too_early");

    app.clock.set(at("2025-09-16"));
    let ok = repair::assess(&app.core, &company, record).await.unwrap();
    assert!(ok.eligible, "{}", ok.explanation);
    let unsigned = RepairRequest { commitment_signed: false, ..request(record) };
    assert_eq!(repair::apply_repair(&app.core, &company, &unsigned).await.unwrap_err().code(), "commitment_not_signed");
    let id = repair::apply_repair(&app.core, &company, &request(record)).await.unwrap();
    let pending = repair::repairs_of_subject(&app.core, &company, &org()).await.unwrap();
    // 10 working days from Tuesday 2025-09-16; Sunday 09-28 is a make-up working day.
    assert_eq!(pending[0].review_due, "2025-09-29".parse::<NaiveDate>().unwrap());

    // Only the deciding department decides; it approves, and publicity ends.
    let other = department_user("sthjj");
    assert!(repair::decide_repair(&app.core, &other, &id, true, "同意").await.is_err());
    let before = app.get(&format!("/api/v1/public/subjects/{ORG}")).await.json();
    assert_eq!(before["penalties"].as_array().unwrap().len(), 1);
    repair::decide_repair(&app.core, &department_user("cgj"), &id, true, "已履行处罚并完成整改，准予修复")
        .await
        .unwrap();
    let after = app.get(&format!("/api/v1/public/subjects/{ORG}")).await.json();
    assert_eq!(after["penalties"].as_array().unwrap().len(), 0);
    let again = repair::assess(&app.core, &company, record).await.unwrap();
    assert_eq!(again.code, Some("repair_not_published"));

    // What was public on a given day, from the log: before the upload
    // nothing, the day before the repair the penalty, after it nothing.
    app.clock.set(at("2025-10-01"));
    let on = |day: &str| format!("/api/v1/public/subjects/{ORG}?as_of={day}");
    let penalties =
        |v: Value| v["penalties"].as_array().unwrap().iter().map(|p| p["document_number"].clone()).collect::<Vec<_>>();
    assert!(penalties(app.get(&on("2025-06-19")).await.json()).is_empty(), "not yet received");
    assert_eq!(penalties(app.get(&on("2025-09-15")).await.json()), [json!("济城管罚〔2025〕31号")]);
    let body = app.get(&on("2025-09-15")).await.json();
    assert_eq!(body["as_of"], "2025-09-15");
    assert!(penalties(app.get(&on("2025-09-16")).await.json()).is_empty(), "repaired that day");
    assert_eq!(app.get(&on("2025-13-01")).await.json()["error"]["code"], "as_of_invalid");
    assert_eq!(app.get(&on("2025-10-02")).await.json()["error"]["code"], "as_of_in_future");
    let page = app.get(&format!("/subjects/{ORG}?as_of=2025-09-15")).await.text();
    assert!(page.contains("济城管罚〔2025〕31号") && page.contains("当日公示的信息"), "{page}");
    verified(&app).await;
}

#[tokio::test]
async fn a_serious_penalty_under_order_36_waits_a_year() {
    let app = city("2026-05-10").await;
    open_account(&app).await;
    // 15万元 from the ecology bureau: serious under 22号 / Order 36.
    let ids = upload(
        &app,
        "sthjj",
        vec![penalty("济环罚〔2026〕12号", "罚款", "罚款15万元", 15.0, "2026-05-06", "济南市生态环境局")],
    )
    .await;
    let record = &ids[0];
    let company = company_principal();
    let early = repair::assess(&app.core, &company, record).await.unwrap();
    assert_eq!(early.code, Some("repair_too_early"), "{}", early.explanation);
    assert_eq!(early.earliest, Some("2027-05-06".parse().unwrap()));
    assert!(early.explanation.contains("严重"), "{}", early.explanation);
    app.clock.set(at("2027-05-06"));
    let id = repair::apply_repair(&app.core, &company, &request(record)).await.unwrap();
    repair::decide_repair(&app.core, &department_user("sthjj"), &id, true, "准予修复").await.unwrap();
    let after = app.get(&format!("/api/v1/public/subjects/{ORG}")).await.json();
    assert_eq!(after["penalties"].as_array().unwrap().len(), 0);
    verified(&app).await;
}

#[tokio::test]
async fn specific_serious_under_527_and_samr_revocations_are_refused_with_the_rule() {
    let app = city("2021-03-01").await;
    open_account(&app).await;
    // A work-safety licence revocation in 2021: 527号 specific serious.
    let safety = upload(
        &app,
        "yjglj",
        vec![penalty(
            "济应急罚〔2021〕5号",
            "吊销许可证件",
            "吊销安全生产许可证",
            0.0,
            "2021-02-20",
            "济南市应急管理局",
        )],
    )
    .await;
    // A market-regulation licence revocation: SAMR Order 45 Art. 14.
    let market = upload(
        &app,
        "scjgj",
        vec![penalty("济市监罚〔2021〕9号", "吊销营业执照", "吊销营业执照", 0.0, "2021-02-22", "济南市市场监督管理局")],
    )
    .await;
    app.clock.set(at("2022-06-01"));
    let company = company_principal();
    let a = repair::assess(&app.core, &company, &safety[0]).await.unwrap();
    assert_eq!(a.code, Some("repair_not_repairable"));
    assert!(a.explanation.contains("527号") && a.explanation.contains("特定严重"), "{}", a.explanation);
    let b = repair::assess(&app.core, &company, &market[0]).await.unwrap();
    assert_eq!(b.code, Some("repair_not_repairable"));
    assert!(b.explanation.contains("第十四条"), "{}", b.explanation);
    assert_eq!(
        repair::apply_repair(&app.core, &company, &request(&market[0])).await.unwrap_err().code(),
        "repair_not_repairable"
    );
    verified(&app).await;
}

#[tokio::test]
async fn objection_deadlines_are_counted_on_the_holiday_calendar() {
    // Friday before the 2026 Spring Festival (02-15 … 02-23, make-up
    // working days Saturday 02-14 and 02-28).
    let app = city("2026-02-13").await;
    open_account(&app).await;
    let ids = upload(
        &app,
        "scjgj",
        vec![penalty("济市监罚〔2026〕3号", "罚款", "罚款5万元", 5.0, "2026-02-02", "济南市市场监督管理局")],
    )
    .await;
    let company = company_principal();
    let id = objections::file_objection(&app.core, &company, &ids[0], "当事人名称有误").await.unwrap();
    let mine = objections::objections_of_subject(&app.core, &company, &org()).await.unwrap();
    // 02-14 (make-up Saturday), 02-24, 02-25.
    assert_eq!(mine[0].answer_due, "2026-02-25".parse::<NaiveDate>().unwrap());
    let reviewer = department_user("scjgj");
    let due = objections::extend_objection(&app.core, &reviewer, &id, "需总局协助核实").await.unwrap();
    // 7 working days from filing: 02-14, 24, 25, 26, 27, 28 (make-up Saturday), 03-02.
    assert_eq!(due, "2026-03-02".parse::<NaiveDate>().unwrap());
    assert_eq!(
        objections::extend_objection(&app.core, &reviewer, &id, "再延").await.unwrap_err().code(),
        "objection_already_extended"
    );
    // Overdue shows on the department's count.
    app.clock.set(at("2026-03-03"));
    assert_eq!(
        objections::overdue_objections(&app.core, Some(&DepartmentCode::parse("scjgj").unwrap())).await.unwrap(),
        1
    );
    objections::answer_objection(&app.core, &reviewer, &id, ObjectionResult::Kept, "经核实信息无误").await.unwrap();
    assert_eq!(objections::overdue_objections(&app.core, None).await.unwrap(), 0);
    // Kept: the record stays public.
    let api = app.get(&format!("/api/v1/public/subjects/{ORG}")).await.json();
    assert_eq!(api["penalties"].as_array().unwrap().len(), 1);
    verified(&app).await;
}

#[tokio::test]
async fn a_penalty_ends_a_red_list_entry_at_once_and_blocks_a_new_one() {
    use xinyong_core::lists::listing::{self, ProposeListing};
    let app = city("2026-11-26").await;
    let office = department_user("fgw");
    let fgw = DepartmentCode::parse("fgw").unwrap();
    let propose = |reason: &str| ProposeListing {
        list_code: "red-list".into(),
        subject: ORG.into(),
        reason: reason.into(),
        legal_basis: "济信用办〔2026〕12号".into(),
        ..ProposeListing::default()
    };
    let id = listing::propose(&app.core, &office, &fgw, propose("连续三年纳税信用A级")).await.unwrap();
    let second = xinyong_test_support::user("zhang", Some("fgw"), &[Role::Reviewer]);
    listing::decide(&app.core, &second, &id, "济信用办红〔2026〕3号", "2026-11-26".parse().unwrap()).await.unwrap();
    let lists = app.get("/api/v1/public/lists").await.json();
    assert_eq!(lists["total"], 1, "{lists}");

    // A public penalty arrives: the red-list entry ends in the same request.
    upload(
        &app,
        "scjgj",
        vec![penalty("济市监罚〔2026〕401号", "罚款", "罚款5万元", 5.0, "2026-11-20", "济南市市场监督管理局")],
    )
    .await;
    let lists = app.get("/api/v1/public/lists").await.json();
    assert_eq!(lists["total"], 0, "{lists}");
    let file = xinyong_core::lists::credit_file::credit_file(&app.core, &org(), None).await.unwrap().unwrap();
    assert_eq!(file.listings[0].row.exit_reason, Some(xinyong_domain::lists::ExitReason::Dishonesty));

    // While the penalty is in publicity, a new red-list entry is refused.
    let refused = listing::propose(&app.core, &office, &fgw, propose("获评市级诚信企业")).await.unwrap_err();
    assert_eq!(refused.code(), "red_list_blocked", "{refused}");
    verified(&app).await;
}

#[tokio::test]
async fn a_counter_registers_an_objection_and_the_company_is_notified() {
    use xinyong_core::objections::RedressSettings;
    use xinyong_core::objections::notify::{FileNotifier, NotifierHandle};
    let dir = tempfile::tempdir().unwrap();
    let notices = dir.path().join("notices.jsonl");
    let redress = RedressSettings {
        notifier: NotifierHandle(std::sync::Arc::new(FileNotifier::new(notices.clone()))),
        ..RedressSettings::default()
    };
    let settings = xinyong_core::CoreSettings { redress, ..Default::default() };
    let app = TestApp::with_settings(xinyong_test_support::TestDb::new().await, settings).await;
    app.clock.set(at("2026-11-26"));
    auth::seed_departments(&app.core, &auth::shipped_departments().unwrap()).await.unwrap();
    let company = SubjectsEvent::LegalPersonRegistered {
        subject: LegalPerson {
            uscc: org(),
            name: SubjectName::parse("济南泉润商贸有限公司").unwrap(),
            status: SubjectStatus::Active,
        },
        people: vec![],
    };
    app.core.append(vec![NewEvent::new(Actor::parse("demo").unwrap(), company)]).await.unwrap();
    let rv = NewUser {
        login: "rv".into(),
        display_name: "审核员".into(),
        department: Some(DepartmentCode::parse("scjgj").unwrap()),
        roles: vec![Role::Reviewer, Role::Operator],
    };
    auth::create_user(&app.core, &Actor::system(), rv, PASSWORD).await.unwrap();
    let ids = upload(
        &app,
        "scjgj",
        vec![penalty("济市监罚〔2026〕501号", "罚款", "罚款5万元", 5.0, "2026-10-09", "济南市市场监督管理局")],
    )
    .await;

    // The clerk finds the company's records at the counter and registers the objection.
    let clerk =
        form(&app, "/console/login", None, &[("login", "rv"), ("password", PASSWORD), ("next", "/console")]).await;
    let clerk = cookie_of(&clerk);
    let page = page(&app, &format!("/console/objections?uscc={ORG}"), &clerk).await.text();
    assert!(page.contains("济市监罚〔2026〕501号"), "{page}");
    let filed = form(
        &app,
        &format!("/console/records/{}/objection", ids[0]),
        Some(&clerk),
        &[("grounds", "当事人称已于决定前缴清罚款"), ("csrf_token", &csrf_in(&page))],
    )
    .await;
    assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.text());
    let mine = objections::objections_of_subject(&app.core, &company_principal(), &org()).await.unwrap();
    assert_eq!(mine[0].channel, xinyong_domain::objections::ObjectionChannel::Counter);
    assert!(mine[0].filed_by.starts_with("user:rv"));

    // Answered: the company is told through the notifier, one JSON line.
    let reviewer = department_user("scjgj");
    objections::answer_objection(&app.core, &reviewer, &mine[0].objection_id, ObjectionResult::Kept, "经核实信息无误")
        .await
        .unwrap();
    let text = std::fs::read_to_string(&notices).unwrap();
    let line: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(line["uscc"], ORG);
    assert_eq!(line["kind"], "objection_closed");
    assert!(line["text"].as_str().unwrap().contains("经核实信息无误"), "{line}");
}

#[tokio::test]
async fn a_company_objects_online_to_a_proposed_listing() {
    use xinyong_core::lists::listing::{self, ProposeListing};
    let app = city("2026-11-26").await;
    open_account(&app).await;
    let scjgj = department_user("scjgj");
    let proposal = ProposeListing {
        list_code: "samr-serious".into(),
        subject: ORG.into(),
        reason: "提供虚假材料取得许可".into(),
        legal_basis: "济市监罚〔2026〕88号".into(),
        ..ProposeListing::default()
    };
    let id = listing::propose(&app.core, &scjgj, &DepartmentCode::parse("scjgj").unwrap(), proposal).await.unwrap();
    listing::serve_notice(&app.core, &scjgj, &id, "2026-11-26".parse().unwrap(), "直接送达").await.unwrap();

    let login = form(&app, "/my/login", None, &[("uscc", ORG), ("username", "admin"), ("password", PASSWORD)]).await;
    let company = cookie_of(&login);
    let my = page(&app, "/my", &company).await.text();
    assert!(my.contains(&format!("/my/listings/{id}/objection")), "the notice's window is open: {my}");
    let objected = form(
        &app,
        &format!("/my/listings/{id}/objection"),
        Some(&company),
        &[("grounds", "处罚决定已被复议机关撤销，请不予列入"), ("csrf_token", &csrf_in(&my))],
    )
    .await;
    assert_eq!(objected.status, StatusCode::SEE_OTHER, "{}", objected.text());
    // The decision waits for the answer.
    app.clock.set(at("2026-12-04"));
    let second = xinyong_test_support::user("zhang", Some("scjgj"), &[Role::Reviewer]);
    let held = listing::decide(&app.core, &second, &id, "济市监列〔2026〕9号", "2026-12-04".parse().unwrap()).await;
    assert_eq!(held.unwrap_err().code(), "listing_wrong_status");
    verified(&app).await;
}

#[tokio::test]
async fn a_written_waiver_lets_the_decision_come_before_the_window_ends() {
    use xinyong_core::lists::listing::{self, ProposeListing};
    let app = city("2026-11-26").await;
    open_account(&app).await;
    let scjgj = department_user("scjgj");
    let proposal = ProposeListing {
        list_code: "samr-serious".into(),
        subject: ORG.into(),
        reason: "提供虚假材料取得许可".into(),
        legal_basis: "济市监罚〔2026〕88号".into(),
        ..ProposeListing::default()
    };
    let id = listing::propose(&app.core, &scjgj, &DepartmentCode::parse("scjgj").unwrap(), proposal).await.unwrap();
    listing::serve_notice(&app.core, &scjgj, &id, "2026-11-26".parse().unwrap(), "直接送达").await.unwrap();
    let second = xinyong_test_support::user("zhang", Some("scjgj"), &[Role::Reviewer]);
    let early = listing::decide(&app.core, &second, &id, "济市监列〔2026〕9号", "2026-11-26".parse().unwrap()).await;
    assert_eq!(early.unwrap_err().code(), "objection_window_open");

    let login = form(&app, "/my/login", None, &[("uscc", ORG), ("username", "admin"), ("password", PASSWORD)]).await;
    let company = cookie_of(&login);
    let my = page(&app, "/my", &company).await.text();
    let waived = form(
        &app,
        &format!("/my/listings/{id}/waive"),
        Some(&company),
        &[("statement", "本单位对拟列入事实和依据无异议，自愿放弃陈述、申辩"), ("csrf_token", &csrf_in(&my))],
    )
    .await;
    assert_eq!(waived.status, StatusCode::SEE_OTHER, "{}", waived.text());
    listing::decide(&app.core, &second, &id, "济市监列〔2026〕9号", "2026-11-26".parse().unwrap()).await.unwrap();
    verified(&app).await;
}

#[tokio::test]
async fn a_company_without_a_letter_activates_with_its_representatives_registered_identity() {
    use xinyong_domain::subjects::{NaturalPerson, RelationRole, RoleHolder};
    let app = city("2026-11-26").await;
    let other = Uscc::from_parts('9', '1', "370112", "MA3D0B7K").unwrap();
    let rep = xinyong_domain::IdNumber::from_parts("370112", "1979-04-08".parse().unwrap(), 215).unwrap();
    let company = SubjectsEvent::LegalPersonRegistered {
        subject: LegalPerson {
            uscc: other.clone(),
            name: SubjectName::parse("济南历城鑫达建材有限公司").unwrap(),
            status: SubjectStatus::Active,
        },
        people: vec![RoleHolder {
            role: RelationRole::LegalRepresentative,
            person: NaturalPerson { id_number: rep.clone(), name: SubjectName::parse("孙立新").unwrap() },
        }],
    };
    app.core.append(vec![NewEvent::new(Actor::parse("demo").unwrap(), company)]).await.unwrap();
    let (uscc, id) = (other.as_str().to_owned(), rep.as_str().to_owned());
    let fields = |name: &'static str| {
        vec![
            ("uscc", uscc.clone()),
            ("representative_name", name.to_owned()),
            ("representative_id", id.clone()),
            ("username", "admin".to_owned()),
            ("display_name", "总经理办公室".to_owned()),
            ("password", PASSWORD.to_owned()),
            ("password_again", PASSWORD.to_owned()),
        ]
    };
    let send = |f: Vec<(&'static str, String)>| {
        let app = &app;
        async move {
            let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            form(app, "/my/activate/registration", None, &pairs).await
        }
    };
    let wrong = send(fields("孙立兴")).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.text().contains("不一致"));
    assert!(!wrong.text().contains(rep.as_str()), "the ID number is not echoed");
    let right = send(fields("孙立新")).await;
    assert_eq!(right.status, StatusCode::SEE_OTHER, "{}", right.text());
    let login =
        form(&app, "/my/login", None, &[("uscc", other.as_str()), ("username", "admin"), ("password", PASSWORD)]).await;
    assert_eq!(login.status, StatusCode::SEE_OTHER);
    verified(&app).await;
}

#[tokio::test]
async fn a_company_account_turns_on_the_second_factor() {
    use xinyong_core::auth::totp;
    let app = city("2026-11-26").await;
    open_account(&app).await;
    let login = |code: Option<String>| {
        let app = &app;
        async move {
            let mut fields =
                vec![("uscc", ORG.to_owned()), ("username", "admin".to_owned()), ("password", PASSWORD.to_owned())];
            if let Some(code) = code {
                fields.push(("totp", code));
            }
            let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            form(app, "/my/login", None, &pairs).await
        }
    };
    let company = cookie_of(&login(None).await);
    let accounts = page(&app, "/my/accounts", &company).await.text();
    let at = accounts.find("name=\"secret\" value=\"").unwrap() + 21;
    let secret: String = accounts[at..].chars().take_while(|c| *c != '"').collect();
    let code_now = || {
        let step = app.core.now().timestamp() / totp::STEP_SECONDS;
        format!("{:06}", totp::code_at(&totp::base32_decode(&secret).unwrap(), step as u64))
    };
    let wrong = form(
        &app,
        "/my/totp",
        Some(&company),
        &[("secret", &secret), ("code", "000000"), ("csrf_token", &csrf_in(&accounts))],
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let on = form(
        &app,
        "/my/totp",
        Some(&company),
        &[("secret", &secret), ("code", &code_now()), ("csrf_token", &csrf_in(&accounts))],
    )
    .await;
    assert_eq!(on.status, StatusCode::OK, "{}", on.text());
    assert!(on.text().contains("已开启动态验证码"));

    // From now on the password alone is not enough.
    let without = login(None).await;
    assert_eq!(without.status, StatusCode::UNAUTHORIZED);
    assert!(without.text().contains("动态验证码"));
    assert_eq!(login(Some("123456".to_owned())).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(login(Some(code_now())).await.status, StatusCode::SEE_OTHER);
    verified(&app).await;
}

#[tokio::test]
async fn where_configured_the_credit_office_confirms_a_repair() {
    let redress =
        xinyong_core::objections::RedressSettings { repair_confirmation_by_credit_office: true, ..Default::default() };
    let app = city_with("2025-06-20", xinyong_core::CoreSettings { redress, ..Default::default() }).await;
    open_account(&app).await;
    let ids = upload(
        &app,
        "cgj",
        vec![penalty("济城管罚〔2025〕32号", "罚款", "罚款3万元", 3.0, "2025-06-16", "济南市城市管理局")],
    )
    .await;
    app.clock.set(at("2025-09-16"));
    let id = repair::apply_repair(&app.core, &company_principal(), &request(&ids[0])).await.unwrap();
    repair::decide_repair(&app.core, &department_user("cgj"), &id, true, "已履行并整改，准予修复").await.unwrap();
    assert_eq!(public_penalties(&app).await, 1, "the department's approval waits for the credit office");
    let refused = repair::confirm_repair(&app.core, &department_user("cgj"), &id, true, "同意").await.unwrap_err();
    assert_eq!(refused.code(), "forbidden");
    let office = xinyong_test_support::credit_office("xyb");
    repair::confirm_repair(&app.core, &office, &id, true, "经审查，同意修复").await.unwrap();
    assert_eq!(public_penalties(&app).await, 0);
    verified(&app).await;
}

async fn public_penalties(app: &TestApp) -> usize {
    app.get(&format!("/api/v1/public/subjects/{ORG}")).await.json()["penalties"].as_array().unwrap().len()
}

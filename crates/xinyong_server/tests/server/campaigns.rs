//! Issue 13 item 5 through the router: the credit office opens a
//! rectification campaign over the SAMR list in 历下区; the market
//! regulator reports progress with a PNG as evidence and decides one
//! subject rectified; another department may not decide; the other
//! subject's deadline passes, the `campaigns` job marks it overdue, it is
//! waiting for the regulator's interview, which is recorded and linked; the
//! dashboard draws its charts as SVG without inline styles.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{Duration, NaiveDate};
use xinyong_core::auth::{self, NewUser};
use xinyong_core::jobs::Job as _;
use xinyong_core::log::verify::verify;
use xinyong_domain::Uscc;
use xinyong_domain::auth::{DepartmentCode, Role};
use xinyong_domain::collection::RecordSubject;
use xinyong_domain::event::{Actor, NewEvent};
use xinyong_domain::lists::{ListingProposal, ListsEvent};
use xinyong_domain::subjects::{LegalPerson, SubjectName, SubjectStatus, SubjectsEvent};
use xinyong_test_support::{TestApp, TestResponse};

const QUANRUN: &str = "91370102MA3C4F2K2U";
const PASSWORD: &str = "correct-horse-42";
const BOUNDARY: &str = "campaign-boundary";
const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0];

fn minghu() -> Uscc {
    Uscc::from_parts('9', '1', "370102", "MA3C8N1R").unwrap()
}

async fn list(app: &TestApp, uscc: &Uscc, name: &str) {
    let rules = app.core.rules().sanctions.clone();
    let list = rules.list("samr-serious").unwrap();
    let subject = RecordSubject { kind: "legal_person".into(), key: uscc.as_str().into(), name: name.into() };
    let id = xinyong_domain::lists::digest_id("LS", &["samr-serious", uscc.as_str()]);
    let on: NaiveDate = "2026-06-01".parse().unwrap();
    let proposal = ListingProposal {
        id: id.clone(),
        list_code: "samr-serious".into(),
        lists_version: rules.lists_version().into(),
        subject: subject.clone(),
        department: DepartmentCode::parse("scjgj").unwrap(),
        reason: "严重违法失信".into(),
        facts: "经查……".into(),
        legal_basis: list.basis.clone(),
        source_records: Vec::new(),
        proposed_on: on,
    };
    let decided = ListsEvent::ListingDecided {
        listing_id: id,
        list_code: "samr-serious".into(),
        subject,
        decision_no: format!("济市监列〔2026〕{}号", name.len()),
        decided_on: on,
        valid_from: on,
        valid_until: list.valid_until(on),
        measures: list.measures.clone(),
        pushes: Vec::new(),
        liable_people: Vec::new(),
    };
    let actor = Actor::parse("department:scjgj").unwrap();
    let proposed = ListsEvent::ListingProposed { proposal, list_kind: list.kind, proposed_by: None };
    app.core.append(vec![NewEvent::new(actor.clone(), proposed), NewEvent::new(actor, decided)]).await.unwrap();
}

async fn city() -> TestApp {
    let app = TestApp::new().await;
    auth::seed_departments(&app.core, &auth::shipped_departments().unwrap()).await.unwrap();
    let demo = Actor::parse("demo").unwrap();
    for (uscc, name) in [(Uscc::parse(QUANRUN).unwrap(), "济南泉润商贸有限公司"), (minghu(), "济南明湖餐饮有限公司")]
    {
        let company = SubjectsEvent::LegalPersonRegistered {
            subject: LegalPerson {
                uscc: uscc.clone(),
                name: SubjectName::parse(name).unwrap(),
                status: SubjectStatus::Active,
            },
            people: vec![],
        };
        app.core.append(vec![NewEvent::new(demo.clone(), company)]).await.unwrap();
        list(&app, &uscc, name).await;
    }
    for (login, department, roles) in [
        ("rv", Some("scjgj"), vec![Role::Reviewer, Role::Operator]),
        ("other", Some("ggzyjy"), vec![Role::Reviewer, Role::Operator]),
        ("office", None, vec![Role::Admin]),
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

async fn upload(app: &TestApp, path: &str, (cookie, csrf): &(String, String), fields: &[(&str, &str)]) -> TestResponse {
    let mut body = Vec::new();
    for (name, value) in fields.iter().chain([&("csrf_token", csrf.as_str())]) {
        let part = format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n");
        body.extend_from_slice(part.as_bytes());
    }
    let head = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"evidence\"; filename=\"现场照片.png\"\r\nContent-Type: image/png\r\n\r\n"
    );
    body.extend_from_slice(head.as_bytes());
    body.extend_from_slice(PNG);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    let request = Request::post(path)
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"))
        .header(header::COOKIE, cookie)
        .body(Body::from(body))
        .unwrap();
    app.send(request).await
}

fn location(r: &TestResponse) -> String {
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    r.headers.get(header::LOCATION).unwrap().to_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_campaign_runs_from_opening_to_the_overdue_interview_through_the_console() {
    let app = city().await;
    let office = app.log_in("office", PASSWORD, "/console/campaigns").await;
    let mut fields = vec![
        ("department", "scjgj"),
        ("name", "2026 年历下区严重违法失信企业专项治理"),
        ("basis", "济政办字〔2019〕54号第九条"),
        ("list_code", "samr-serious"),
        ("district", "370102"),
        ("starts_on", "2026-11-20"),
        ("ends_on", "2026-11-19"),
        ("deadlines", ""),
    ];
    let refused = app.post_form("/console/campaigns", &office, &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().contains("campaign_period_invalid"), "the rule is named on the form");
    fields[6] = ("ends_on", "2026-12-31");
    let deadline = format!("{} 2026-11-30", minghu().as_str());
    fields[7] = ("deadlines", &deadline);
    let campaign = location(&app.post_form("/console/campaigns", &office, &fields).await);
    let detail = app.get_as(&campaign, &office.0).await.text();
    assert!(
        detail.contains("济南泉润商贸有限公司") && detail.contains("济南明湖餐饮有限公司") && detail.contains("未开始")
    );
    assert!(detail.contains("class=\"data list-table\""));

    // The regulator reports progress with a photo and decides 泉润 rectified.
    let rv = app.log_in("rv", PASSWORD, "/console/campaigns").await;
    let quanrun = format!("{campaign}/subjects/{QUANRUN}");
    let fields = [("department", "scjgj"), ("reported_on", "2026-11-25"), ("note", "已完成整改并提交报告")];
    assert_eq!(location(&upload(&app, &format!("{quanrun}/progress"), &rv, &fields).await), quanrun);
    let subject = app.get_as(&quanrun, &rv.0).await.text();
    assert!(subject.contains("现场照片.png") && subject.contains("整改中"));
    let file = app.get_as(&format!("{quanrun}/evidence/1"), &rv.0).await;
    assert_eq!((file.status, file.content_type()), (StatusCode::OK, "image/png"));
    let other = app.log_in("other", PASSWORD, "/console/campaigns").await;
    let decision = [("department", "scjgj"), ("outcome", "rectified"), ("note", "经核查整改到位")];
    let r = app.post_form(&format!("{quanrun}/outcome"), &other, &decision).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "谁认定、谁评定");
    location(&app.post_form(&format!("{quanrun}/outcome"), &rv, &decision).await);
    assert!(app.get_as(&quanrun, &rv.0).await.text().contains("整改到位"));

    // 明湖's deadline passes; the job marks it overdue; the regulator interviews it.
    app.clock.advance(Duration::days(5));
    let job = xinyong_core::campaigns::CampaignsJob::every(std::time::Duration::from_secs(3600));
    assert_eq!(job.run(&app.core).await.unwrap().done, 1);
    // Sessions last hours, not days: everyone logs in again.
    let (rv, other, office) = (
        app.log_in("rv", PASSWORD, "/console/campaigns").await,
        app.log_in("other", PASSWORD, "/console/campaigns").await,
        app.log_in("office", PASSWORD, "/console/campaigns").await,
    );
    let list = app.get_as("/console/campaigns", &rv.0).await.text();
    assert!(list.contains("待约谈") && list.contains("济南明湖餐饮有限公司"));
    let interviews = app.get_as("/console/interviews", &rv.0).await.text();
    assert!(interviews.contains("专项治理待约谈") && interviews.contains("济南明湖餐饮有限公司"));
    let minghu = format!("{campaign}/subjects/{}", minghu().as_str());
    assert!(app.get_as(&minghu, &rv.0).await.text().contains("登记约谈"));
    let interview = [
        ("kind", "warning"),
        ("held_on", "2026-12-01"),
        ("interviewees", "王某（法定代表人）"),
        ("interviewers", "李某、赵某"),
        ("outcome", "告知逾期后果，责令限期整改"),
        ("rectify_by", "2026-12-15"),
    ];
    let r = app.post_form(&format!("{minghu}/interview"), &other, &interview).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "谁认定、谁约谈");
    location(&app.post_form(&format!("{minghu}/interview"), &rv, &interview).await);
    assert!(app.get_as(&minghu, &rv.0).await.text().contains("已约谈"));
    assert!(!app.get_as("/console/campaigns", &rv.0).await.text().contains("待约谈"));

    // The dashboard: charts as SVG with attributes only, figures in tables.
    let dash = app.get_as(&format!("{campaign}/dashboard"), &office.0).await;
    assert_eq!(dash.status, StatusCode::OK);
    let html = dash.text();
    assert!(html.contains("<svg class=\"chart\"") && html.contains("整改到位 1 户"));
    assert!(!html.contains("style="), "the CSP allows no inline styles");
    verify(&app.core, &|_: &str, _: u64, _: u64| {}).await.unwrap();
}

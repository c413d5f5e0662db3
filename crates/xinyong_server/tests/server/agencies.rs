//! Credit service agencies through the router: the company consents on
//! `/my/agencies`, the agency logs in on `/agency/login` and downloads the
//! consenting company's full report (which verifies offline), the company
//! sees the query under "谁查询了我的信用", another company's report is
//! refused with a Chinese message and a stable code, and the public list
//! shows the filing without the legal representative.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use xinyong_core::agencies::{self, NewAgency};
use xinyong_core::auth::subject_accounts;
use xinyong_core::auth::{seed_departments, shipped_departments};
use xinyong_core::collection::intake::{IngestRequest, InputTable, Source, ingest_batch};
use xinyong_core::reports::verify::{TrustPolicy, verify_report};
use xinyong_domain::Uscc;
use xinyong_domain::auth::DepartmentCode;
use xinyong_domain::event::{Actor, NewEvent};
use xinyong_domain::subjects::{LegalPerson, SubjectName, SubjectStatus, SubjectsEvent};
use xinyong_test_support::{TestApp, TestResponse, assert_matches_schema, credit_office};

const COMPANY: &str = "91370112MA3D8N0Q3C";
const OTHER: &str = "91370102MA3C4F2K2U";
const AGENCY: &str = "91370102MA3C8N1A81";
const PASSWORD: &str = "Agency-pass-2026";

/// Two penalties of the company, in publicity.
fn penalties() -> InputTable {
    let path = format!("{}/../../tests/fixtures/penalties_utf8.csv", env!("CARGO_MANIFEST_DIR"));
    let table = xinyong_tabular::read_table(&std::fs::read(path).unwrap(), &Default::default()).unwrap();
    let column = |name: &str| table.headers.iter().position(|h| h == name).unwrap();
    let (doc, decided, valid) = (column("行政处罚决定书文号"), column("处罚决定日期"), column("处罚有效期"));
    let template = table.rows.into_iter().find(|r| r.cells.iter().any(|c| c == COMPANY)).unwrap().cells;
    let rows = (1..=2u64)
        .map(|n| {
            let mut cells = template.clone();
            cells[doc] = format!("济市监罚〔2026〕{}号", 400 + n);
            cells[decided] = "2026-11-02".to_owned();
            cells[valid] = "2027-11-02".to_owned();
            (n + 1, cells)
        })
        .collect();
    InputTable { headers: table.headers, rows }
}

async fn city() -> TestApp {
    let app = TestApp::new().await;
    let core = &app.core;
    seed_departments(core, &shipped_departments().unwrap()).await.unwrap();
    let request = IngestRequest {
        actor: Actor::parse("department:scjgj").unwrap(),
        department: DepartmentCode::parse("scjgj").unwrap(),
        item: Some("CF".to_owned()),
        source: Source::Cli,
        file_name: None,
        idempotency_key: None,
        table: penalties(),
        lenient_codes: false,
        received_date: None,
        dry_run: false,
    };
    assert_eq!(ingest_batch(core, request).await.unwrap().batch.accepted, 2);
    let other = SubjectsEvent::LegalPersonRegistered {
        subject: LegalPerson {
            uscc: Uscc::parse(OTHER).unwrap(),
            name: SubjectName::parse("济南泉润商贸有限公司").unwrap(),
            status: SubjectStatus::Active,
        },
        people: vec![],
    };
    core.append(vec![NewEvent::new(Actor::parse("demo").unwrap(), other)]).await.unwrap();
    let filing = NewAgency {
        uscc: Uscc::parse(AGENCY).unwrap(),
        name: "济南某某信用管理有限公司".to_owned(),
        filing_no: "济信服备〔2026〕1号".to_owned(),
        legal_representative: "王某某".to_owned(),
        address: "济南市历下区经十路 1 号".to_owned(),
        business_scope: "信用报告、信用咨询".to_owned(),
    };
    let office = credit_office("office");
    agencies::file_agency(core, &office, &filing).await.unwrap();
    agencies::open_account(core, &office, &Uscc::parse(AGENCY).unwrap(), "zhang", "张经理", PASSWORD).await.unwrap();
    app
}

fn csrf_in(html: &str) -> String {
    let at = html.find("name=\"csrf_token\" value=\"").unwrap() + 25;
    html[at..at + 64].to_owned()
}

fn cookie_of(r: &TestResponse) -> String {
    let set = r.headers.get("set-cookie").and_then(|v| v.to_str().ok()).unwrap();
    set.split(';').next().unwrap().to_owned()
}

/// The company's main account, logged in: (cookie, CSRF token).
async fn company_session(app: &TestApp) -> (String, String) {
    let uscc = Uscc::parse(COMPANY).unwrap();
    let letter =
        subject_accounts::issue_activation_code(&app.core, &credit_office("office"), &uscc, [3; 10]).await.unwrap();
    let activation = subject_accounts::Activation {
        uscc: uscc.clone(),
        code: letter.code,
        username: "admin".into(),
        display_name: "办公室".into(),
        password: PASSWORD.into(),
    };
    subject_accounts::activate(&app.core, &activation).await.unwrap();
    let session = subject_accounts::subject_login(&app.core, &uscc, "admin", PASSWORD, None, [4; 32]).await.unwrap();
    let cookie = format!("xinyong_session={}", session.cookie_value);
    (cookie, session.csrf_token)
}

#[tokio::test]
async fn an_agency_downloads_a_consented_full_report_and_the_company_sees_who_queried() {
    let app = city().await;
    // The public list: the filing, not the legal representative.
    let list = app.get("/agencies").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.text().contains("济南某某信用管理有限公司") && list.text().contains("济信服备〔2026〕1号"));
    assert!(!list.text().contains("王某某"), "no natural person on the public list");
    let api = app.get("/api/v1/public/agencies").await.json();
    assert_eq!(api["agencies"][0]["uscc"], AGENCY);
    assert!(!api.to_string().contains("王某某"));
    let doc = app.get("/api/v1/openapi.json").await.json();
    assert_matches_schema(&doc, "AgenciesResponse", &api);
    let one = app.get(&format!("/api/v1/public/agencies/{AGENCY}")).await.json();
    assert_matches_schema(&doc, "AgencyView", &one);
    let r = app.get("/api/v1/public/agencies/91370102MA3C8N2B25").await;
    assert_eq!((r.status, r.json()["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("agency_not_found")));

    // The company consents on /my/agencies.
    let company = company_session(&app).await;
    let page = app.get_as("/my/agencies", &company.0).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let consent = [("agency", AGENCY), ("expires_on", "2027-06-30")];
    let r = app.post_form("/my/agencies/consents", &company, &consent).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let too_long = [("agency", AGENCY), ("expires_on", "2028-06-30")];
    let r = app.post_form("/my/agencies/consents", &company, &too_long).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("授权截止日期须在"), "{}", r.text());

    // The agency logs in and sees the company.
    let login = format!("uscc={AGENCY}&username=zhang&password={PASSWORD}&next=%2Fagency");
    let request = Request::post("/agency/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(login))
        .unwrap();
    let r = app.send(request).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let cookie = cookie_of(&r);
    let home = app.get_as("/agency", &cookie).await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.text());
    assert!(home.text().contains(COMPANY));
    let agency = (cookie, csrf_in(&home.text()));

    // It downloads the full report, which verifies offline.
    let r = app.post_form(&format!("/agency/reports/{COMPANY}"), &agency, &[("purpose", "贷款审查")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let trust = TrustPolicy { logs: vec![app.core.keys().verifier().unwrap()], ..Default::default() };
    let verified = verify_report(&r.body, &trust).unwrap();
    assert_eq!(verified.report.version, "full");
    assert_eq!(verified.report.records.len(), 2);

    // Another company did not consent: refused, in Chinese, with a stable code.
    let r = app.post_form(&format!("/agency/reports/{OTHER}"), &agency, &[("purpose", "贷款审查")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text().contains("no_consent") && r.text().contains("该企业未授权本机构查询其信用报告"), "{}", r.text());

    // The company sees who queried.
    let page = app.get_as("/my/agencies", &company.0).await.text();
    assert!(page.contains("谁查询了我的信用（1 次）"), "{page}");
    assert!(page.contains("贷款审查") && page.contains(&verified.report.report_id));
    let my = app.get_as("/my", &company.0).await.text();
    assert!(my.contains("信用服务机构的查询（1 次）") && my.contains("贷款审查"), "{my}");

    // Its own full report as a PDF: the full version, the signed JSON attached.
    let pdf = app.get_as("/my/report/full.pdf", &company.0).await;
    assert_eq!((pdf.status, pdf.content_type()), (StatusCode::OK, "application/pdf"));
    let text = xinyong_test_support::pdf_text(&pdf.body).unwrap_or_default();
    assert!(text.contains("完整版") && text.contains("信用报告"), "{text}");
    let attached = xinyong_core::reports::verify::attached_json(&pdf.body).unwrap();
    let signed: xinyong_core::reports::format::SignedReport = serde_json::from_slice(&attached).unwrap();
    let payload = base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, &signed.payload).unwrap();
    assert!(String::from_utf8(payload).unwrap().contains("\"version\":\"full\""));

    // The company's own pages are not the agency's.
    assert_eq!(app.get_as("/my/agencies", &agency.0).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get_as("/agency", &company.0).await.status, StatusCode::FORBIDDEN);
}

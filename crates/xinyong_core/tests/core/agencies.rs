//! Credit service agencies in the core: the credit office files an agency
//! and opens its account; a company consents; the agency downloads the
//! full report (which verifies offline) and the query is logged for the
//! company; revoked and expired consents and a suspended agency are
//! refused; the full version adds the records whose publicity ended.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use chrono::{Days, Duration};
use xinyong_core::agencies::{self, NewAgency};
use xinyong_core::auth::policy::{AgencyPrincipal, Principal, SubjectPrincipal};
use xinyong_core::auth::{seed_departments, shipped_departments};
use xinyong_core::collection::intake::{IngestRequest, InputTable, Source, china_today, ingest_batch};
use xinyong_core::reports::verify::{TrustPolicy, verify_report};
use xinyong_core::reports::{Channel, issue_public};
use xinyong_core::{CoreError, Result};
use xinyong_domain::Uscc;
use xinyong_domain::agencies::{AgencyStatus, SupervisionKind};
use xinyong_domain::auth::{DepartmentCode, SubjectAccountRole};
use xinyong_domain::event::Actor;
use xinyong_test_support::{TestApp, credit_office};

const COMPANY: &str = "91370112MA3D8N0Q3C";

fn agency_code() -> Uscc {
    Uscc::from_parts('9', '1', "370102", "MA3C8N0Q").unwrap()
}

/// Three penalties of the company, decided this month (in publicity).
fn penalties() -> InputTable {
    let path = format!("{}/../../tests/fixtures/penalties_utf8.csv", env!("CARGO_MANIFEST_DIR"));
    let table = xinyong_tabular::read_table(&std::fs::read(path).unwrap(), &Default::default()).unwrap();
    let column = |name: &str| table.headers.iter().position(|h| h == name).unwrap();
    let (doc, decided, valid) = (column("行政处罚决定书文号"), column("处罚决定日期"), column("处罚有效期"));
    let template = table.rows.into_iter().find(|r| r.cells.iter().any(|c| c == COMPANY)).unwrap().cells;
    let rows = (1..=3u64)
        .map(|n| {
            let mut cells = template.clone();
            cells[doc] = format!("济市监罚〔2026〕{}号", 300 + n);
            cells[decided] = "2026-11-02".to_owned();
            cells[valid] = "2027-11-02".to_owned();
            (n + 1, cells)
        })
        .collect();
    InputTable { headers: table.headers, rows }
}

async fn city() -> TestApp {
    let app = TestApp::new().await;
    seed_departments(&app.core, &shipped_departments().unwrap()).await.unwrap();
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
    assert_eq!(ingest_batch(&app.core, request).await.unwrap().batch.accepted, 3);
    let office = credit_office("office");
    let filing = NewAgency {
        uscc: agency_code(),
        name: "济南某某信用管理有限公司".to_owned(),
        filing_no: "济信服备〔2026〕1号".to_owned(),
        legal_representative: "王某某".to_owned(),
        address: "济南市历下区经十路 1 号".to_owned(),
        business_scope: "信用报告、信用咨询、信用修复辅导".to_owned(),
    };
    agencies::file_agency(&app.core, &office, &filing).await.unwrap();
    agencies::open_account(&app.core, &office, &agency_code(), "zhang", "张经理", "Agency-pass-2026").await.unwrap();
    app
}

fn company() -> Principal {
    Principal::Subject(SubjectPrincipal {
        uscc: Uscc::parse(COMPANY).unwrap(),
        username: "fr".to_owned(),
        role: SubjectAccountRole::LegalRepresentative,
    })
}

fn agency() -> Principal {
    Principal::Agency(AgencyPrincipal { agency: agency_code(), username: "zhang".to_owned() })
}

fn code<T: std::fmt::Debug>(r: Result<T>) -> &'static str {
    r.map(|v| panic!("expected a refusal, got {v:?}")).unwrap_or_else(|e: CoreError| e.code())
}

#[tokio::test]
async fn an_agency_downloads_a_consented_full_report_and_the_company_sees_the_query() {
    let app = city().await;
    let core = &app.core;
    let uscc = Uscc::parse(COMPANY).unwrap();
    let today = china_today(core);

    // The public list shows the filing, without the legal representative.
    let listed = agencies::public_list(core).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(!serde_json::to_string(&listed).unwrap().contains("王某某"), "no natural person on the public list");

    // Its account logs in and is the agency.
    let session = agencies::agency_login(core, &agency_code(), "zhang", "Agency-pass-2026", [7; 32]).await.unwrap();
    let user = xinyong_core::auth::session(core, &session.cookie_value).await.unwrap().unwrap();
    assert_eq!(user.principal(), agency());

    // Without consent: refused.
    assert_eq!(code(agencies::query_full_report(core, &agency(), &uscc, "贷款审查").await), "no_consent");
    // Longer than the configured maximum: refused.
    let too_long = today.checked_add_days(Days::new(366)).unwrap();
    assert_eq!(
        code(agencies::grant_consent(core, &company(), &uscc, &agency_code(), too_long).await),
        "consent_expiry_invalid"
    );
    // An agency cannot consent in the company's name.
    assert_eq!(
        code(agencies::grant_consent(core, &agency(), &uscc, &agency_code(), today).await),
        "agency_account_not_allowed"
    );

    let until = today.checked_add_days(Days::new(30)).unwrap();
    agencies::grant_consent(core, &company(), &uscc, &agency_code(), until).await.unwrap();
    let issued = agencies::query_full_report(core, &agency(), &uscc, "贷款审查").await.unwrap();
    assert_eq!(issued.report.version, "full");
    let trust = TrustPolicy { logs: vec![core.keys().verifier().unwrap()], ..Default::default() };
    let verified = verify_report(&serde_json::to_vec(&issued.signed).unwrap(), &trust).unwrap();
    assert_eq!(verified.report.records.len(), 3);

    let seen = agencies::queries_of_company(core, &company(), &uscc).await.unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!((seen[0].purpose.as_str(), seen[0].agency_name.as_str()), ("贷款审查", "济南某某信用管理有限公司"));
    assert_eq!(seen[0].report_id, issued.report.report_id);
    assert_eq!(code(agencies::queries_of_company(core, &agency(), &uscc).await), "agency_account_not_allowed");
}

#[tokio::test]
async fn suspended_agencies_revoked_and_expired_consents_are_refused() {
    let app = city().await;
    let core = &app.core;
    let uscc = Uscc::parse(COMPANY).unwrap();
    let office = credit_office("office");
    let today = china_today(core);
    let until = today.checked_add_days(Days::new(2)).unwrap();
    let consent = agencies::grant_consent(core, &company(), &uscc, &agency_code(), until).await.unwrap();
    assert!(agencies::query_full_report(core, &agency(), &uscc, "合作尽调").await.is_ok());

    // Suspended: the query, the login and the live session are refused.
    let session = agencies::agency_login(core, &agency_code(), "zhang", "Agency-pass-2026", [8; 32]).await.unwrap();
    agencies::change_status(core, &office, &agency_code(), AgencyStatus::Suspended, "年度检查发现问题").await.unwrap();
    assert_eq!(code(agencies::query_full_report(core, &agency(), &uscc, "合作尽调").await), "agency_not_active");
    assert_eq!(
        code(agencies::agency_login(core, &agency_code(), "zhang", "Agency-pass-2026", [9; 32]).await),
        "agency_not_active"
    );
    assert!(xinyong_core::auth::session(core, &session.cookie_value).await.unwrap().is_none());
    agencies::change_status(core, &office, &agency_code(), AgencyStatus::Normal, "整改完成").await.unwrap();
    assert!(agencies::query_full_report(core, &agency(), &uscc, "合作尽调").await.is_ok());

    // Revoked.
    agencies::revoke_consent(core, &company(), &uscc, &consent).await.unwrap();
    assert_eq!(code(agencies::query_full_report(core, &agency(), &uscc, "合作尽调").await), "no_consent");

    // Expired: usable through its last day, refused the day after.
    agencies::grant_consent(core, &company(), &uscc, &agency_code(), until).await.unwrap();
    app.clock.advance(Duration::days(2));
    assert!(agencies::query_full_report(core, &agency(), &uscc, "合作尽调").await.is_ok());
    app.clock.advance(Duration::days(1));
    assert_eq!(code(agencies::query_full_report(core, &agency(), &uscc, "合作尽调").await), "no_consent");
    let consents = agencies::consents_of_company(core, &company(), &uscc).await.unwrap();
    let states: Vec<&str> = consents.iter().map(|c| c.state_name.as_str()).collect();
    assert_eq!(states, ["已过期", "已撤回"]);
    assert_eq!(agencies::queries_of_company(core, &company(), &uscc).await.unwrap().len(), 3);
    // Staff and supervision records are kept in the agency's file.
    agencies::change_staff(core, &office, &agency_code(), None, "李文静", "信用分析师", true).await.unwrap();
    let inspection = SupervisionKind::Inspection;
    agencies::record_supervision(core, &office, &agency_code(), inspection, today, "年度检查", "合格").await.unwrap();
    let file = agencies::agency_file(core, &office, &agency_code()).await.unwrap();
    assert_eq!((file.staff.len(), file.supervision.len(), file.accounts.len()), (1, 1, 1));
    assert_eq!(code(agencies::agency_file(core, &company(), &agency_code()).await), "subject_account_not_allowed");
    // Every table the story wrote replays from the log.
    core.sign_checkpoint_if_grown().await.unwrap();
    xinyong_core::log::verify::verify(core, &|_: &str, _: u64, _: u64| {}).await.unwrap();
}

#[tokio::test]
async fn the_full_version_adds_records_whose_publicity_ended_and_still_verifies() {
    let app = city().await;
    let core = &app.core;
    let uscc = Uscc::parse(COMPANY).unwrap();
    // Four years on, every penalty's publicity has run out.
    app.clock.advance(Duration::days(4 * 366));
    let public = issue_public(core, &uscc, Channel::Cli).await.unwrap();
    assert_eq!((public.report.version.as_str(), public.report.records.len()), ("public", 0));
    let full = agencies::own_full_report(core, &company(), &uscc).await.unwrap();
    assert_eq!((full.report.version.as_str(), full.report.records.len()), ("full", 3));
    let trust = TrustPolicy { logs: vec![core.keys().verifier().unwrap()], ..Default::default() };
    let verified = verify_report(&serde_json::to_vec(&full.signed).unwrap(), &trust).unwrap();
    assert!(verified.disclosed_fields >= 3 * 5, "{}", verified.disclosed_fields);
    assert_eq!(code(agencies::own_full_report(core, &agency(), &uscc).await), "agency_account_not_allowed");
}

//! Voluntary registration (自愿注册): a company registers an honour and a
//! qualification with the truthfulness commitment and a file; the review
//! deadline falls on the working-day calendar; the competent department
//! accepts one (public, used by the evaluation) and rejects another with
//! reasons; the accepted honour counts in the evaluation; a false registration becomes a published CNSX dishonesty
//! record; on the backend chosen by the environment.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use chrono::{NaiveDate, TimeZone as _, Utc};
use xinyong_core::CoreError;
use xinyong_core::auth;
use xinyong_core::auth::policy::{Principal, SubjectPrincipal};
use xinyong_core::jobs::Job as _;
use xinyong_core::log::verify::verify;
use xinyong_core::objections::EvidenceUpload;
use xinyong_core::registrations::{self, Review, SubmitRegistration, views};
use xinyong_domain::Uscc;
use xinyong_domain::auth::{Role, SubjectAccountRole};
use xinyong_domain::collection::RecordRow;
use xinyong_domain::evaluation::GradeRow;
use xinyong_domain::event::{Actor, NewEvent};
use xinyong_domain::registrations::{RegistrationKind, RegistrationStatus, ReviewOutcome};
use xinyong_domain::subjects::{LegalPerson, SubjectName, SubjectStatus, SubjectsEvent};
use xinyong_test_support::{TestApp, credit_office, department_user, user};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn code_of<T: std::fmt::Debug>(r: Result<T, CoreError>) -> &'static str {
    r.unwrap_err().code()
}

/// 10:00 in Jinan on `day`.
fn morning(app: &TestApp, day: &str) {
    app.clock.set(Utc.from_utc_datetime(&d(day).and_hms_opt(2, 0, 0).unwrap()));
}

fn trader() -> Uscc {
    Uscc::from_parts('9', '1', "370102", "MA3C8N0Q").unwrap()
}

fn other() -> Uscc {
    Uscc::from_parts('9', '1', "370112", "MA3D0B7K").unwrap()
}

fn company(uscc: &Uscc) -> Principal {
    Principal::Subject(SubjectPrincipal {
        uscc: uscc.clone(),
        username: "admin".into(),
        role: SubjectAccountRole::LegalRepresentative,
    })
}

async fn city(app: &TestApp) {
    auth::seed_departments(&app.core, &auth::shipped_departments().unwrap()).await.unwrap();
    let demo = Actor::parse("demo").unwrap();
    let events = [(trader(), "济南泉润商贸有限公司"), (other(), "济南历城物流有限公司")]
        .into_iter()
        .map(|(uscc, name)| {
            NewEvent::new(
                demo.clone(),
                SubjectsEvent::LegalPersonRegistered {
                    subject: LegalPerson {
                        uscc,
                        name: SubjectName::parse(name).unwrap(),
                        status: SubjectStatus::Active,
                    },
                    people: Vec::new(),
                },
            )
        })
        .collect();
    app.core.append(events).await.unwrap();
}

/// The indicators of the subject's latest local grade.
async fn reasons(core: &xinyong_core::Core, uscc: &Uscc) -> Vec<String> {
    let row = core.store().get(GradeRow::key(uscc, "local")).await.unwrap().unwrap();
    row.reasons.0.iter().map(|r| r.indicator.clone()).collect()
}

fn honour() -> SubmitRegistration {
    SubmitRegistration {
        kind: "honour".into(),
        title: "济南市守合同重信用企业".into(),
        issuer: "济南市市场监督管理局".into(),
        issued_on: "2026-06-30".into(),
        valid_until: "2028-06-29".into(),
        content: "2024—2025 年度济南市守合同重信用企业公示名单第 37 号".into(),
        commitment_signed: true,
        files: vec![EvidenceUpload { name: "公示名单.pdf".into(), bytes: b"%PDF-1.7 list".to_vec() }],
    }
}

#[tokio::test]
#[expect(clippy::too_many_lines, reason = "one story from the form's refusals to the evaluation, step by step")]
async fn a_company_registers_the_department_accepts_one_and_rejects_another() {
    let app = TestApp::new().await;
    city(&app).await;
    let core = &app.core;
    let me = company(&trader());
    // Monday 28 September 2026, before the National Day holidays.
    morning(&app, "2026-09-28");

    // Only the company itself registers, with the commitment signed, its own
    // information only, and files the rules allow.
    let scjgj = department_user("scjgj");
    assert_eq!(code_of(registrations::submit(core, &scjgj, &trader(), honour()).await), "not_your_company");
    assert_eq!(code_of(registrations::submit(core, &company(&other()), &trader(), honour()).await), "not_your_company");
    let unsigned = SubmitRegistration { commitment_signed: false, ..honour() };
    assert_eq!(
        code_of(registrations::submit(core, &me, &trader(), unsigned).await),
        "registration_commitment_required"
    );
    let personal = SubmitRegistration { content: "联系人电话 13912345678".into(), ..honour() };
    assert_eq!(code_of(registrations::submit(core, &me, &trader(), personal).await), "registration_personal_data");
    let exe =
        SubmitRegistration { files: vec![EvidenceUpload { name: "a.exe".into(), bytes: b"MZ".to_vec() }], ..honour() };
    assert_eq!(code_of(registrations::submit(core, &me, &trader(), exe).await), "evidence_type");
    let kind = SubmitRegistration { kind: "award".into(), ..honour() };
    assert_eq!(code_of(registrations::submit(core, &me, &trader(), kind).await), "registration_kind_invalid");
    let expired = SubmitRegistration { valid_until: "2026-01-01".into(), ..honour() };
    assert_eq!(code_of(registrations::submit(core, &me, &trader(), expired).await), "registration_valid_until_invalid");

    let id = registrations::submit(core, &me, &trader(), honour()).await.unwrap();
    assert_eq!(registrations::submit(core, &me, &trader(), honour()).await.unwrap(), id, "sent twice, written once");
    let view = views::detail(core, &me, &id).await.unwrap();
    let r = &view.registration;
    assert_eq!((r.kind, r.status, r.files), (RegistrationKind::Honour, RegistrationStatus::Pending, 1));
    assert_eq!((r.department.as_str(), r.subject_name.as_str()), ("fgw", "济南泉润商贸有限公司"));
    // 10 working days over the holidays and the make-up Saturday 10 October.
    assert_eq!(r.review_due, d("2026-10-16"));
    assert_eq!(r.commitment_sha256.len(), 64);
    assert_eq!(view.files[0].1, "公示名单.pdf");
    assert_eq!(view.files[0].2, "application/pdf");

    let licence = SubmitRegistration {
        kind: "qualification".into(),
        title: "道路运输经营许可证".into(),
        issuer: "济南市交通运输局".into(),
        content: "普通货运".into(),
        files: Vec::new(),
        ..honour()
    };
    let second = registrations::submit(core, &me, &trader(), licence).await.unwrap();
    assert_eq!(registrations::registration(core, &second).await.unwrap().department.as_str(), "scjgj");

    // The queue: the department's own, the credit office's every one.
    let fgw_reviewer = user("fgw-rv", Some("fgw"), &[Role::Reviewer]);
    let queue = views::of_department(
        core,
        &fgw_reviewer,
        Some(&xinyong_domain::auth::DepartmentCode::parse("fgw").unwrap()),
        None,
    )
    .await
    .unwrap();
    assert_eq!(queue.iter().map(|r| r.registration_id.as_str()).collect::<Vec<_>>(), [id.as_str()]);
    let all = views::of_department(core, &credit_office("boss"), None, Some(RegistrationStatus::Pending)).await;
    assert_eq!(all.unwrap().len(), 2);
    assert!(views::accepted(core, &trader()).await.unwrap().is_empty(), "nothing public before review");

    // Reviewers of the competent department decide; a rejection needs reasons.
    morning(&app, "2026-10-12");
    // The evaluation job as `serve` runs it: in full now, incrementally after.
    let job = xinyong_core::evaluation::EvaluationJob::every(std::time::Duration::from_secs(60));
    job.run(core).await.unwrap();
    assert!(reasons(core, &trader()).await.is_empty(), "a pending registration is no fact");
    let accept = Review { outcome: ReviewOutcome::Accepted, reason: String::new() };
    assert_eq!(code_of(registrations::review(core, &scjgj, &id, accept.clone()).await), "forbidden");
    let fgw_operator = user("fgw-op", Some("fgw"), &[Role::Operator]);
    assert_eq!(code_of(registrations::review(core, &fgw_operator, &id, accept.clone()).await), "forbidden");
    assert_eq!(registrations::review(core, &fgw_reviewer, &id, accept.clone()).await.unwrap(), None);
    assert_eq!(code_of(registrations::review(core, &fgw_reviewer, &id, accept).await), "registration_already_decided");
    let no_reason = Review { outcome: ReviewOutcome::Rejected, reason: " ".into() };
    let scjgj_reviewer = user("sc-rv", Some("scjgj"), &[Role::Reviewer]);
    assert_eq!(
        code_of(registrations::review(core, &scjgj_reviewer, &second, no_reason).await),
        "review_reason_required"
    );
    let reject = Review { outcome: ReviewOutcome::Rejected, reason: "未附许可证扫描件，无法核实".into() };
    registrations::review(core, &scjgj_reviewer, &second, reject).await.unwrap();
    assert_eq!(code_of(registrations::withdraw(core, &me, &second).await), "registration_already_decided");

    let own = views::of_subject(core, &me, &trader()).await.unwrap();
    let states: Vec<(RegistrationStatus, Option<&str>)> = own.iter().map(|r| (r.status, r.reason.as_deref())).collect();
    assert!(states.contains(&(RegistrationStatus::Rejected, Some("未附许可证扫描件，无法核实"))), "{states:?}");
    assert!(states.contains(&(RegistrationStatus::Accepted, Some(""))), "{states:?}");
    // Accepted, the honour counts from the next (incremental) run.
    job.run(core).await.unwrap();
    assert_eq!(reasons(core, &trader()).await, ["registered_honour"]);
    let public = views::accepted(core, &trader()).await.unwrap();
    assert_eq!(public.iter().map(|r| r.title.as_str()).collect::<Vec<_>>(), ["济南市守合同重信用企业"]);
    assert_eq!(public[0].reviewed_on, Some(d("2026-10-12")));

    // A pending one may be withdrawn by the company, not by another.
    let third =
        registrations::submit(core, &me, &trader(), SubmitRegistration { title: "AAA 级信用企业".into(), ..honour() })
            .await
            .unwrap();
    assert_eq!(code_of(registrations::withdraw(core, &company(&other()), &third).await), "not_your_company");
    registrations::withdraw(core, &me, &third).await.unwrap();
    assert_eq!(registrations::registration(core, &third).await.unwrap().status, RegistrationStatus::Withdrawn);

    verify(core, &|_: &str, _: u64, _: u64| {}).await.unwrap();
}

#[tokio::test]
async fn a_false_registration_becomes_a_published_dishonesty_record() {
    let app = TestApp::new().await;
    city(&app).await;
    let core = &app.core;
    morning(&app, "2026-11-02");
    let welfare = SubmitRegistration {
        kind: "public_welfare".into(),
        title: "向历城区慈善总会捐赠防汛物资".into(),
        issuer: "济南市历城区慈善总会".into(),
        issued_on: "2026-07-20".into(),
        valid_until: String::new(),
        content: "捐赠价值 50 万元的防汛物资".into(),
        commitment_signed: true,
        files: Vec::new(),
    };
    let id = registrations::submit(core, &company(&other()), &other(), welfare).await.unwrap();
    assert_eq!(registrations::registration(core, &id).await.unwrap().department.as_str(), "mzj");

    // The credit office reviews any kind: the charity never received it.
    morning(&app, "2026-11-05");
    let finding = Review {
        outcome: ReviewOutcome::FoundFalse, reason: "经向历城区慈善总会核实，无该笔捐赠".into()
    };
    let record_id = registrations::review(core, &credit_office("boss"), &id, finding).await.unwrap().unwrap();
    let row = registrations::registration(core, &id).await.unwrap();
    assert_eq!((row.status, row.record_id.as_deref()), (RegistrationStatus::FoundFalse, Some(record_id.as_str())));
    assert!(views::accepted(core, &other()).await.unwrap().is_empty());

    // A CNSX record in the reviewing department's name, published by the
    // penalty regime in force (general: 3 to 12 months).
    let record = core.store().get(RecordRow::key(record_id.as_str())).await.unwrap().unwrap();
    assert_eq!((record.item.as_str(), record.department.as_str()), ("CNSX", "mzj"));
    assert_eq!(record.subject_key, other().as_str());
    assert_eq!(record.document_number, id);
    assert!(record.public, "{record:?}");
    assert_eq!((record.regime.as_str(), record.severity.as_deref()), ("gbf-2025-22", Some("general")));
    assert_eq!(record.window_start, Some(d("2026-11-05")));
    assert!(record.latest_end.is_some());
    verify(core, &|_: &str, _: u64, _: u64| {}).await.unwrap();
}

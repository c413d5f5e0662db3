//! Rectification campaigns (专项治理): opening one over a list's
//! organisations in a district, progress with evidence, the outcome decided
//! by the listing department, the overdue job and the interview it calls
//! for (谁认定、谁约谈), on the backend chosen by the environment.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use xinyong_core::CoreError;
use xinyong_core::auth;
use xinyong_core::campaigns::{self, CampaignInterview, OpenCampaign, ProgressInput, views};
use xinyong_core::lists::credit_file;
use xinyong_core::log::verify::verify;
use xinyong_core::objections::EvidenceUpload;
use xinyong_domain::Uscc;
use xinyong_domain::auth::{DepartmentCode, Role};
use xinyong_domain::campaigns::RectificationOutcome;
use xinyong_domain::collection::RecordSubject;
use xinyong_domain::event::{Actor, NewEvent};
use xinyong_domain::lists::{InterviewKind, ListingProposal, ListsEvent};
use xinyong_domain::subjects::{LegalPerson, SubjectName, SubjectStatus, SubjectsEvent};
use xinyong_test_support::{TestApp, TestDb, credit_office, department_user, user};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn dept(code: &str) -> DepartmentCode {
    DepartmentCode::parse(code).unwrap()
}

/// Three companies in 历下区 (370102) and one in 历城区 (370112).
fn orgs() -> Vec<(Uscc, &'static str)> {
    vec![
        (Uscc::from_parts('9', '1', "370102", "MA3C8N0Q").unwrap(), "济南泉润商贸有限公司"),
        (Uscc::from_parts('9', '1', "370102", "MA3C8N1R").unwrap(), "济南明湖餐饮有限公司"),
        (Uscc::from_parts('9', '1', "370102", "MA3C8N2T").unwrap(), "济南历下建材有限公司"),
        (Uscc::from_parts('9', '1', "370112", "MA3D0B7K").unwrap(), "济南历城物流有限公司"),
    ]
}

fn code_of<T: std::fmt::Debug>(r: Result<T, CoreError>) -> &'static str {
    r.unwrap_err().code()
}

/// Appends a decided listing of `uscc` on `list_code` by `department`.
async fn listed(app: &TestApp, list_code: &str, uscc: &Uscc, name: &str, department: &str, on: NaiveDate) -> String {
    let rules = app.core.rules().sanctions.clone();
    let list = rules.list(list_code).unwrap();
    let subject = RecordSubject { kind: "legal_person".into(), key: uscc.as_str().into(), name: name.into() };
    let id = xinyong_domain::lists::digest_id("LS", &[list_code, uscc.as_str(), department]);
    let proposal = ListingProposal {
        id: id.clone(),
        list_code: list_code.into(),
        lists_version: rules.lists_version().into(),
        subject: subject.clone(),
        department: dept(department),
        reason: "严重违法失信".into(),
        facts: "经查……".into(),
        legal_basis: list.basis.clone(),
        source_records: Vec::new(),
        proposed_on: on,
    };
    let actor = Actor::parse(&format!("department:{department}")).unwrap();
    let decided = ListsEvent::ListingDecided {
        listing_id: id.clone(),
        list_code: list_code.into(),
        subject,
        decision_no: format!("{department}〔2026〕{}号", id.len()),
        decided_on: on,
        valid_from: on,
        valid_until: list.valid_until(on),
        measures: list.measures.clone(),
        pushes: Vec::new(),
        liable_people: Vec::new(),
    };
    let events = vec![
        NewEvent::new(actor.clone(), ListsEvent::ListingProposed { proposal, list_kind: list.kind, proposed_by: None }),
        NewEvent::new(actor, decided),
    ];
    app.core.append(events).await.unwrap();
    id
}

/// Departments, four companies, and three of them on the SAMR list (two in
/// 历下区, one in 历城区); the third 历下 company is on the key-attention list.
async fn city(app: &TestApp) {
    auth::seed_departments(&app.core, &auth::shipped_departments().unwrap()).await.unwrap();
    let demo = Actor::parse("demo").unwrap();
    let events = orgs()
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
    let o = orgs();
    listed(app, "samr-serious", &o[0].0, o[0].1, "scjgj", d("2026-03-01")).await;
    listed(app, "samr-serious", &o[1].0, o[1].1, "scjgj", d("2026-05-01")).await;
    listed(app, "samr-serious", &o[3].0, o[3].1, "scjgj", d("2026-05-01")).await;
    listed(app, "key-attention", &o[2].0, o[2].1, "scjgj", d("2026-06-01")).await;
}

fn input() -> OpenCampaign {
    OpenCampaign {
        name: "2026 年历下区严重违法失信企业专项治理".into(),
        basis: "依据济政办字〔2019〕54号第九条，对列入严重违法失信名单的企业限期整改".into(),
        list_code: "samr-serious".into(),
        district: Some("370102".into()),
        starts_on: d("2026-11-20"),
        ends_on: d("2026-12-31"),
        deadlines: BTreeMap::from([(orgs()[1].0.as_str().to_owned(), d("2026-11-30"))]),
    }
}

#[tokio::test]
async fn a_campaign_covers_the_lists_organisations_in_its_district_with_their_deadlines() {
    let app = TestApp::new().await;
    city(&app).await;
    let core = &app.core;
    let scjgj = dept("scjgj");
    let reviewer = user("rv", Some("scjgj"), &[Role::Reviewer]);
    let operator = user("op", Some("scjgj"), &[Role::Operator]);

    // Who may open: the department's reviewer; an operator may not.
    assert_eq!(code_of(campaigns::open(core, &operator, &scjgj, input()).await), "forbidden");
    let mut red = input();
    red.list_code = "red-list".into();
    assert_eq!(code_of(campaigns::open(core, &reviewer, &scjgj, red).await), "list_not_dishonest");
    let mut stray = input();
    stray.deadlines.insert(orgs()[3].0.as_str().into(), d("2026-12-01"));
    assert_eq!(code_of(campaigns::open(core, &reviewer, &scjgj, stray).await), "deadline_subject_unknown");
    let mut late = input();
    late.deadlines.insert(orgs()[0].0.as_str().into(), d("2027-01-31"));
    assert_eq!(code_of(campaigns::open(core, &reviewer, &scjgj, late).await), "deadline_invalid");
    let mut nowhere = input();
    nowhere.district = Some("370199".into());
    assert_eq!(code_of(campaigns::open(core, &reviewer, &scjgj, nowhere).await), "district_invalid");

    let id = campaigns::open(core, &reviewer, &scjgj, input()).await.unwrap();
    let size = core.store().log_size().await.unwrap();
    assert_eq!(campaigns::open(core, &reviewer, &scjgj, input()).await.unwrap(), id, "the same campaign twice");
    assert_eq!(core.store().log_size().await.unwrap(), size);

    let detail = views::campaign(core, &operator, &id).await.unwrap().unwrap();
    assert_eq!(detail.summary.area_name, "历下区");
    assert_eq!(detail.summary.phase, "进行中");
    let names: Vec<(&str, NaiveDate)> = detail.subjects.iter().map(|s| (s.name.as_str(), s.deadline)).collect();
    assert_eq!(names, [("济南明湖餐饮有限公司", d("2026-11-30")), ("济南泉润商贸有限公司", d("2026-12-31"))]);
    assert!(detail.subjects.iter().all(|s| s.status_name == "未开始" && s.department == "scjgj"));
    assert_eq!(detail.summary.counts.total(), 2);
    assert_eq!(views::campaigns(core, &operator).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_scope_wider_than_the_setting_is_refused_whole() {
    let mut settings = xinyong_core::CoreSettings::default();
    settings.campaigns.max_subjects = 1;
    let app = TestApp::with_settings(TestDb::new().await, settings).await;
    city(&app).await;
    let office = credit_office("boss");
    let r = campaigns::open(&app.core, &office, &dept("scjgj"), input()).await;
    assert_eq!(code_of(r), "campaign_too_large");
    let mut city_wide = input();
    city_wide.district = None;
    city_wide.deadlines.clear();
    assert_eq!(code_of(campaigns::open(&app.core, &office, &dept("scjgj"), city_wide).await), "campaign_too_large");
}

#[tokio::test]
async fn progress_outcome_overdue_and_the_interview_close_the_loop() {
    let app = TestApp::new().await;
    city(&app).await;
    let core = &app.core;
    let scjgj = dept("scjgj");
    let clerk = department_user("scjgj");
    let other = department_user("ggzyjy");
    let id = campaigns::open(core, &clerk, &scjgj, input()).await.unwrap();
    let (quanrun, minghu) = (orgs()[0].0.as_str().to_owned(), orgs()[1].0.as_str().to_owned());

    // Progress with a PDF: only the listing department (or the credit office).
    let progress = || ProgressInput {
        reported_on: d("2026-11-25"),
        note: "已补缴罚款并提交整改报告".into(),
        evidence: Some(EvidenceUpload { name: "整改报告.pdf".into(), bytes: b"%PDF-1.7 report".to_vec() }),
    };
    assert_eq!(code_of(campaigns::report_progress(core, &other, &id, &quanrun, progress()).await), "forbidden");
    assert_eq!(campaigns::report_progress(core, &clerk, &id, &quanrun, progress()).await.unwrap(), 1);
    let mut not_pdf = progress();
    not_pdf.evidence = Some(EvidenceUpload { name: "a.txt".into(), bytes: b"hello".to_vec() });
    assert_eq!(code_of(campaigns::report_progress(core, &clerk, &id, &quanrun, not_pdf).await), "evidence_type");
    let mut future = progress();
    future.reported_on = d("2026-11-27");
    assert_eq!(code_of(campaigns::report_progress(core, &clerk, &id, &quanrun, future).await), "progress_date_invalid");
    let file = views::evidence(core, &clerk, &id, &quanrun, 1).await.unwrap().unwrap();
    assert_eq!((file.name.as_str(), file.media_type.as_str()), ("整改报告.pdf", "application/pdf"));

    // The outcome: the listing department's reviewer, once.
    let office = credit_office("boss");
    let rectified = RectificationOutcome::Rectified;
    assert_eq!(code_of(campaigns::decide(core, &office, &id, &quanrun, rectified, "已整改").await), "no_department");
    campaigns::decide(core, &clerk, &id, &quanrun, rectified, "经核查整改到位").await.unwrap();
    assert_eq!(
        code_of(campaigns::decide(core, &clerk, &id, &quanrun, rectified, "再次").await),
        "rectification_already_decided"
    );

    // Not overdue yet: no interview is due.
    let interview = || CampaignInterview {
        kind: InterviewKind::Warning,
        held_on: d("2026-12-02"),
        interviewees: "法定代表人 王某".into(),
        interviewers: "市场监管局信用监管科 李某、赵某".into(),
        outcome: "告知逾期未整改的后果，责令 12 月 15 日前整改到位".into(),
        rectify_by: Some(d("2026-12-15")),
    };
    let r = campaigns::record_interview(core, &clerk, &scjgj, &id, &minghu, interview()).await;
    assert_eq!(code_of(r), "interview_not_due");
    assert_eq!(campaigns::job::mark_overdue(core).await.unwrap(), 0);

    // 明湖's deadline (11-30) passes: the job marks it overdue, once.
    app.clock.advance(Duration::days(7));
    assert_eq!(campaigns::job::mark_overdue(core).await.unwrap(), 1);
    assert_eq!(campaigns::job::mark_overdue(core).await.unwrap(), 0, "idempotent");
    let waiting = views::awaiting_interview(core, &clerk).await.unwrap();
    assert_eq!(waiting.iter().map(|s| s.uscc.as_str()).collect::<Vec<_>>(), [minghu.as_str()]);
    assert!(views::awaiting_interview(core, &other).await.unwrap().is_empty());

    // 谁认定、谁约谈: another department may not; the listing one records it.
    let ggzyjy = dept("ggzyjy");
    let r = campaigns::record_interview(core, &other, &ggzyjy, &id, &minghu, interview()).await;
    assert_eq!(code_of(r), "not_the_deciding_department");
    let interview_id = campaigns::record_interview(core, &clerk, &scjgj, &id, &minghu, interview()).await.unwrap();
    let again = campaigns::record_interview(core, &clerk, &scjgj, &id, &minghu, interview()).await.unwrap();
    assert_eq!(again, interview_id);
    assert!(views::awaiting_interview(core, &clerk).await.unwrap().is_empty());
    let file = credit_file::credit_file(core, &orgs()[1].0, None).await.unwrap().unwrap();
    assert_eq!(file.interviews.len(), 1);
    assert_eq!(file.interviews[0].id, interview_id);
    assert!(file.interviews[0].listing_id.is_some(), "tied to the listing");

    // Late progress keeps the overdue status; the dashboard counts it all.
    let mut late = progress();
    late.reported_on = d("2026-12-02");
    late.evidence = None;
    assert_eq!(campaigns::report_progress(core, &clerk, &id, &minghu, late).await.unwrap(), 1);
    let detail = views::campaign(core, &clerk, &id).await.unwrap().unwrap();
    let minghu_row = detail.subjects.iter().find(|s| s.uscc == minghu).unwrap();
    assert_eq!((minghu_row.status_name, minghu_row.interview_id.as_deref()), ("逾期", Some(interview_id.as_str())));
    let dash = views::dashboard(core, &clerk, &id).await.unwrap().unwrap();
    assert_eq!(dash.summary.counts.named().iter().map(|c| c.2).collect::<Vec<_>>(), [0, 0, 1, 1, 0]);
    assert_eq!(dash.by_department.len(), 1);
    let days: Vec<(&str, u64, u64)> = dash.days.iter().map(|x| (x.on.as_str(), x.progress, x.rectified)).collect();
    assert_eq!(days, [("2026-11-25", 1, 0), ("2026-11-26", 0, 1), ("2026-12-02", 1, 0)]);

    // Every state change is in the log, and the tables replay from it.
    verify(core, &|_: &str, _: u64, _: u64| {}).await.unwrap();
}

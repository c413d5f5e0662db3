//! Notification and commitment (告知承诺): a company commits online for an
//! item with materials deferred (容缺), the deadlines fall on the working-day
//! calendar with its 调休 days, the commitments job finds the missing
//! material, the department records the breach, the breach is a published
//! dishonesty record, and the company may no longer use 告知承诺 — which the
//! credit check in scenario 行政审批 answers too; on the backend chosen by
//! the environment.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use chrono::{NaiveDate, TimeZone as _, Utc};
use xinyong_core::CoreError;
use xinyong_core::auth;
use xinyong_core::auth::policy::{Principal, SubjectPrincipal};
use xinyong_core::checks::index::{CheckIndex, CheckQuery};
use xinyong_core::commitments::{self, MakeCommitment, Verification, job, views};
use xinyong_core::log::verify::verify;
use xinyong_domain::Uscc;
use xinyong_domain::auth::{DepartmentCode, Role, SubjectAccountRole};
use xinyong_domain::collection::RecordRow;
use xinyong_domain::commitments::{CommitmentChannel, CommitmentStatus, VerificationOutcome};
use xinyong_domain::event::{Actor, NewEvent};
use xinyong_domain::mask::MaskConfig;
use xinyong_domain::subjects::{LegalPerson, SubjectName, SubjectStatus, SubjectsEvent};
use xinyong_test_support::{TestApp, credit_office, department_user, user};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn dept(code: &str) -> DepartmentCode {
    DepartmentCode::parse(code).unwrap()
}

fn code_of<T: std::fmt::Debug>(r: Result<T, CoreError>) -> &'static str {
    r.unwrap_err().code()
}

/// 10:00 in Jinan on `day`.
fn morning(app: &TestApp, day: &str) {
    let date = d(day);
    app.clock.set(Utc.from_utc_datetime(&date.and_hms_opt(2, 0, 0).unwrap()));
}

fn builder() -> Uscc {
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

/// Departments and two companies.
async fn city(app: &TestApp) {
    auth::seed_departments(&app.core, &auth::shipped_departments().unwrap()).await.unwrap();
    let demo = Actor::parse("demo").unwrap();
    let events = [(builder(), "济南泉城建设工程有限公司"), (other(), "济南历城物流有限公司")]
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

fn construction_permit(case_ref: &str, deferred: &[&str]) -> MakeCommitment {
    MakeCommitment {
        uscc: builder().as_str().to_owned(),
        item_code: "SPJ_JZSG".into(),
        case_ref: case_ref.into(),
        deferred: deferred.iter().map(|c| (*c).to_owned()).collect(),
    }
}

/// The credit check in scenario 行政审批 says so too, from a rebuilt index
/// and from one that followed the log; other scenarios say nothing.
async fn the_credit_check_agrees(core: &xinyong_core::Core) {
    let rules = core.rules();
    let ask = |uscc: &Uscc, scenario: &str| CheckQuery {
        subject: uscc.as_str().to_owned(),
        scenario: scenario.to_owned(),
        item: None,
    };
    let today = d("2026-10-12");
    let rebuilt = CheckIndex::rebuild(core).await.unwrap();
    let followed = CheckIndex::new(MaskConfig::default());
    followed.catch_up(core).await.unwrap();
    for index in [&rebuilt, &followed] {
        let answer = index.check(&rules.sanctions, &ask(&builder(), "approval"), today).unwrap();
        let commitment = answer.commitment.unwrap();
        assert!(!commitment.available);
        assert!(commitment.reasons[0].contains("曾违背信用承诺"), "{commitment:?}");
        let clean = index.check(&rules.sanctions, &ask(&other(), "approval"), today).unwrap();
        assert!(clean.commitment.unwrap().available);
        assert_eq!(index.check(&rules.sanctions, &ask(&builder(), "bidding"), today).unwrap().commitment, None);
    }
    // Once the record's publicity window is over, the bar is too.
    let later = d("2027-10-13");
    let answer = rebuilt.check(&rules.sanctions, &ask(&builder(), "approval"), later).unwrap();
    assert!(answer.commitment.unwrap().available);
}

/// A test app whose notices to companies go to a JSON-lines file.
async fn app_writing_notices() -> (TestApp, tempfile::TempDir, std::path::PathBuf) {
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
    (app, dir, notices)
}

/// The funding proof of `id` (due Saturday 10 October) is reminded of once.
async fn reminders_come_once(app: &TestApp, notices: &std::path::Path, id: &str) {
    let core = &app.core;
    // Reminders two working days ahead (the default): none before the
    // holidays; on Thursday 8 October the funding proof is due within two
    // working days (Friday 9, make-up Saturday 10), the drawings are not.
    assert_eq!(job::remind_due(core).await.unwrap(), 0);
    morning(app, "2026-10-08");
    assert_eq!(job::remind_due(core).await.unwrap(), 1);
    assert_eq!(job::remind_due(core).await.unwrap(), 0, "each material once");
    let sent = std::fs::read_to_string(notices).unwrap();
    assert_eq!(sent.lines().count(), 1, "{sent}");
    let notice: serde_json::Value = serde_json::from_str(sent.trim()).unwrap();
    assert_eq!(notice["kind"], "commitment_material_due");
    assert_eq!(notice["uscc"], builder().as_str());
    assert!(
        notice["text"].as_str().unwrap().contains("建设资金落实证明")
            && notice["text"].as_str().unwrap().contains("2026-10-10")
    );
    let view = views::detail(core, &company(&builder()), id).await.unwrap();
    let reminded: Vec<_> = view.materials.iter().map(|m| (m.material_code.as_str(), m.reminded_on)).collect();
    assert_eq!(reminded, [("SGTSC", None), ("ZJLS", Some(d("2026-10-08")))]);
}

#[tokio::test]
async fn a_missing_material_past_its_deadline_becomes_a_breach_record_and_bars_the_company() {
    let (app, _dir, notices) = app_writing_notices().await;
    city(&app).await;
    let core = &app.core;
    let spj = department_user("spj");
    // Monday 28 September 2026, just before the National Day and Mid-Autumn
    // holidays (1–7 October off, Saturday 10 October a make-up working day).
    morning(&app, "2026-09-28");

    // Only the company itself or the granting department's counter commits.
    let input = construction_permit("SPJ-2026-0928-017", &["ZJLS", "SGTSC"]);
    assert_eq!(code_of(commitments::make(core, &company(&other()), input.clone()).await), "not_your_company");
    let scjgj = department_user("scjgj");
    assert_eq!(code_of(commitments::make(core, &scjgj, input.clone()).await), "forbidden");
    let mut not_deferrable = input.clone();
    not_deferrable.deferred = vec!["YDPZ".into()];
    assert_eq!(
        code_of(commitments::make(core, &company(&builder()), not_deferrable).await),
        "deferred_material_not_allowed"
    );

    let id = commitments::make(core, &company(&builder()), input.clone()).await.unwrap();
    assert_eq!(commitments::make(core, &company(&builder()), input).await.unwrap(), id, "the same case once");
    // A second application the same day, while the company is still eligible.
    let applicant = company(&builder());
    let second = commitments::make(core, &applicant, construction_permit("SPJ-2026-0928-018", &[])).await.unwrap();
    let view = views::detail(core, &company(&builder()), &id).await.unwrap();
    let c = &view.commitment;
    assert_eq!((c.channel, c.status, c.materials_missing), (CommitmentChannel::Online, CommitmentStatus::Pending, 2));
    assert!(c.letter_text.contains("建筑工程施工许可告知承诺书") && c.letter_text.contains("2026.2"));
    assert_eq!(c.subject_name, "济南泉城建设工程有限公司");
    // 5 working days: 29, 30 September, 8, 9 October and the make-up
    // Saturday 10 October; 10 working days: Friday 16 October; the
    // verification's 20: Friday 30 October.
    let due: Vec<(&str, NaiveDate)> = view.materials.iter().map(|m| (m.material_code.as_str(), m.due_on)).collect();
    assert_eq!(due, [("SGTSC", d("2026-10-16")), ("ZJLS", d("2026-10-10"))]);
    assert_eq!(c.verify_by, d("2026-10-30"));

    reminders_come_once(&app, &notices, &id).await;

    // The drawings review arrives in time; the funding proof never does.
    morning(&app, "2026-10-09");
    commitments::supply_material(core, &spj, &id, "SGTSC").await.unwrap();
    morning(&app, "2026-10-10");
    assert_eq!(job::mark_overdue(core).await.unwrap(), 0, "due today is not overdue yet");
    morning(&app, "2026-10-12");
    assert_eq!(job::mark_overdue(core).await.unwrap(), 1);
    assert_eq!(job::mark_overdue(core).await.unwrap(), 0, "idempotent");
    let view = views::detail(core, &spj, &id).await.unwrap();
    assert!(view.commitment.materials_overdue);
    assert_eq!(view.commitment.materials_missing, 1);
    assert_eq!(view.materials.iter().find(|m| m.material_code == "ZJLS").unwrap().overdue_on, Some(d("2026-10-12")));

    // Kept is not a finding while a material is missing; another
    // department may not verify; the granting department records the breach.
    let kept = Verification { outcome: VerificationOutcome::Kept, note: "已核查".into() };
    assert_eq!(code_of(commitments::verify(core, &spj, &id, kept).await), "materials_still_missing");
    let breach = Verification {
        outcome: VerificationOutcome::Breached,
        note: "承诺于 2026-10-10 前补交建设资金落实证明，逾期未补交".into(),
    };
    assert_eq!(code_of(commitments::verify(core, &scjgj, &id, breach.clone()).await), "forbidden");
    let operator_without_role = user("viewer", Some("spj"), &[]);
    assert_eq!(code_of(commitments::verify(core, &operator_without_role, &id, breach.clone()).await), "forbidden");
    let record_id = commitments::verify(core, &spj, &id, breach.clone()).await.unwrap().unwrap();
    assert_eq!(code_of(commitments::verify(core, &spj, &id, breach).await), "commitment_already_verified");

    // The breach is a dishonesty record of item CNSX, published by the
    // regime in force (国办发〔2025〕22号: general, 3 to 12 months).
    let record = core.store().get(RecordRow::key(record_id.as_str())).await.unwrap().unwrap();
    assert_eq!((record.item.as_str(), record.department.as_str()), ("CNSX", "spj"));
    assert_eq!(record.subject_key, builder().as_str());
    assert!(record.public, "{record:?}");
    assert_eq!((record.regime.as_str(), record.severity.as_deref()), ("gbf-2025-22", Some("general")));
    assert_eq!(record.window_start, Some(d("2026-10-12")));
    assert_eq!(record.earliest_end, Some(d("2027-01-12")));
    assert_eq!(record.latest_end, Some(d("2027-10-12")));
    let row = commitments::commitment(core, &id).await.unwrap();
    assert_eq!((row.status, row.record_id.as_deref()), (CommitmentStatus::Breached, Some(record_id.as_str())));

    // 国办发〔2020〕42号: until the record is repaired, no more 告知承诺.
    let verdict = commitments::eligibility(core, &builder()).await.unwrap();
    assert!(!verdict.available);
    assert!(verdict.reasons[0].contains("曾违背承诺"), "{verdict:?}");
    assert!(commitments::eligibility(core, &other()).await.unwrap().available);
    let next = construction_permit("SPJ-2026-1012-003", &[]);
    assert_eq!(code_of(commitments::make(core, &spj, next).await), "commitment_not_available");

    the_credit_check_agrees(core).await;
    the_approval_is_revoked_through_the_feed(core, &id).await;
    a_second_breach_is_proposed_for_the_key_attention_list(core, &second).await;
    verify(core, &|_: &str, _: u64, _: u64| {}).await.unwrap();
}

/// The catalog's `[listing]` (two broken commitments → key-attention): the
/// first breach proposed nothing; the second makes the verifying
/// department's proposal, with both records as its sources, waiting for
/// its notice.
async fn a_second_breach_is_proposed_for_the_key_attention_list(core: &xinyong_core::Core, second: &str) {
    let key = builder();
    let listings = || xinyong_storage::lists::listings_of_subject(core.store(), key.as_str(), 10);
    assert!(listings().await.unwrap().is_empty(), "one broken commitment proposes nothing");
    let spj = department_user("spj");
    let breach = Verification {
        outcome: VerificationOutcome::Breached, note: "开工前未落实施工图审查合格书".into()
    };
    let record = commitments::verify(core, &spj, second, breach).await.unwrap().unwrap();
    let found = listings().await.unwrap();
    assert_eq!(found.len(), 1);
    let l = &found[0];
    assert_eq!((l.list_code.as_str(), l.department.as_str()), ("key-attention", "spj"));
    assert_eq!(l.status, xinyong_domain::lists::ListingStatus::Proposed, "notice and objection window first");
    assert!(l.source_records.0.contains(&record) && l.source_records.0.len() == 2, "{:?}", l.source_records);
    assert!(l.reason.contains("违背告知承诺 2 次"), "{}", l.reason);
}

/// The granting department revokes the approval made on the broken
/// commitment; its approval system finds it in its feed and acknowledges it.
async fn the_approval_is_revoked_through_the_feed(core: &xinyong_core::Core, id: &str) {
    let spj = department_user("spj");
    let missing = commitments::revoke_approval(core, &spj, id, " ", "逾期未补交").await;
    assert_eq!(code_of(missing), "decision_no_required");
    let scjgj = department_user("scjgj");
    let other = commitments::revoke_approval(core, &scjgj, id, "济审撤〔2026〕3号", "逾期未补交").await;
    assert_eq!(code_of(other), "forbidden");
    for _ in 0..2 {
        commitments::revoke_approval(core, &spj, id, "济审撤〔2026〕3号", "承诺期限内未补交建设资金落实证明")
            .await
            .unwrap();
    }
    let row = commitments::commitment(core, id).await.unwrap();
    assert_eq!(row.revocation_decision_no.as_deref(), Some("济审撤〔2026〕3号"));
    let feed = xinyong_core::closed_loop::feeds::feed(core, &dept("spj"), 0, 100).await.unwrap();
    let items: Vec<_> = feed.items.iter().filter(|i| i.kind == "approval_revoked").collect();
    assert_eq!(items.len(), 1, "revoked once, one item");
    assert_eq!((items[0].listing_id.as_str(), items[0].measures[0].code.as_str()), (id, "revoke_approval"));
    assert_eq!(items[0].subject.key, builder().as_str());
    let ack =
        xinyong_core::closed_loop::feeds::acknowledge(core, &spj, &dept("spj"), id, "revoke_approval", "已撤销").await;
    assert!(ack.unwrap().recorded);
}

#[tokio::test]
async fn the_counter_commits_for_an_applicant_and_a_kept_commitment_leaves_no_record() {
    let app = TestApp::new().await;
    city(&app).await;
    let core = &app.core;
    let spj = department_user("spj");
    morning(&app, "2026-11-26");
    let input = MakeCommitment {
        uscc: other().as_str().to_owned(),
        item_code: "SPJ_GGWS".into(),
        case_ref: "SPJ-2026-1126-101".into(),
        deferred: Vec::new(),
    };
    let id = commitments::make(core, &spj, input).await.unwrap();
    let row = commitments::commitment(core, &id).await.unwrap();
    assert_eq!((row.channel, row.materials_missing), (CommitmentChannel::Counter, 0));
    let kept = Verification { outcome: VerificationOutcome::Kept, note: "现场核查，符合承诺条件".into() };
    assert_eq!(commitments::verify(core, &spj, &id, kept).await.unwrap(), None);
    assert_eq!(commitments::commitment(core, &id).await.unwrap().status, CommitmentStatus::Kept);
    assert!(commitments::eligibility(core, &other()).await.unwrap().available);

    // The department's list; the credit office sees every department's.
    let own = views::of_department(core, &spj, Some(&dept("spj")), None, 50).await.unwrap();
    assert_eq!(own.len(), 1);
    let reviewer_b = user("rv", Some("scjgj"), &[Role::Reviewer]);
    assert_eq!(code_of(views::of_department(core, &reviewer_b, Some(&dept("spj")), None, 50).await), "forbidden");
    assert_eq!(views::of_department(core, &credit_office("boss"), None, None, 50).await.unwrap().len(), 1);
    // An unknown item is named.
    let unknown = MakeCommitment { item_code: "NOPE".into(), ..construction_permit("X-1", &[]) };
    assert_eq!(code_of(commitments::make(core, &spj, unknown).await), "commitment_item_not_found");
}

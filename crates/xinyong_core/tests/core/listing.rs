//! The listing life cycle through `xinyong_core::listing`, on the backend the
//! environment chooses, with a manual clock.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use chrono::{NaiveDate, TimeZone, Utc};
use xinyong_core::CoreError;
use xinyong_core::auth::policy::Principal;
use xinyong_core::auth::{seed_departments, shipped_departments};
use xinyong_core::lists::listing::{
    self, ExitRequest, ListingFilter, ProposeListing, decide, exit, expire_due, file_objection, listing_detail,
    propose, serve_notice, withdraw,
};
use xinyong_core::log::verify::verify;
use xinyong_domain::IdNumber;
use xinyong_domain::auth::{DepartmentCode, Role};
use xinyong_domain::codes::uscc::Uscc;
use xinyong_domain::event::{Actor, NewEvent};
use xinyong_domain::lists::{ExitReason, ListingRow, ListingStatus, ObjectionOutcome};
use xinyong_domain::subjects::RoleHolder;
use xinyong_domain::subjects::SubjectsEvent;
use xinyong_domain::subjects::{LegalPerson, NaturalPerson, RelationRole, SubjectName, SubjectStatus};
use xinyong_storage::{closed_loop, lists};
use xinyong_test_support::TestApp;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// Sets the clock to 08:00 UTC (16:00 in Jinan) of `day`.
fn set_day(app: &TestApp, day: &str) {
    let day = d(day);
    app.clock.set(Utc.from_utc_datetime(&day.and_hms_opt(8, 0, 0).unwrap()));
}

fn company() -> String {
    Uscc::from_parts('9', '1', "370102", "MA3C8N0Q").unwrap().as_str().to_owned()
}

fn other_company() -> String {
    Uscc::from_parts('9', '1', "370113", "MA3D8N0R").unwrap().as_str().to_owned()
}

fn rep_id() -> String {
    IdNumber::from_parts("370102", d("1980-05-06"), 123).unwrap().as_str().to_owned()
}

fn person_id() -> String {
    IdNumber::from_parts("370103", d("1975-02-03"), 456).unwrap().as_str().to_owned()
}

fn company_event(code: &str, name: &str, rep: Option<(&str, &str)>) -> NewEvent {
    NewEvent::new(
        Actor::parse("demo").unwrap(),
        SubjectsEvent::LegalPersonRegistered {
            subject: LegalPerson {
                uscc: Uscc::parse(code).unwrap(),
                name: SubjectName::parse(name).unwrap(),
                status: SubjectStatus::Active,
            },
            people: rep
                .map(|(rep, id)| RoleHolder {
                    role: RelationRole::LegalRepresentative,
                    person: NaturalPerson {
                        id_number: IdNumber::parse(id).unwrap(),
                        name: SubjectName::parse(rep).unwrap(),
                    },
                })
                .into_iter()
                .collect(),
        },
    )
}

/// Departments, one company with a legal representative, one without, and
/// one natural person.
async fn app() -> TestApp {
    let app = TestApp::new().await;
    seed_departments(&app.core, &shipped_departments().unwrap()).await.unwrap();
    let person = NewEvent::new(
        Actor::parse("demo").unwrap(),
        SubjectsEvent::NaturalPersonRegistered {
            person: NaturalPerson {
                id_number: IdNumber::parse(&person_id()).unwrap(),
                name: SubjectName::parse("赵明").unwrap(),
            },
        },
    );
    app.core
        .append(vec![
            company_event(&company(), "济南泉润商贸有限公司", Some(("张三丰", &rep_id()))),
            company_event(&other_company(), "济南鑫泰建筑工程有限公司", None),
            person,
        ])
        .await
        .unwrap();
    app
}

/// A department's operator and reviewer in one (`user:<code>-user`).
fn dept(code: &str) -> Principal {
    xinyong_test_support::department_user(code)
}

/// Another reviewer of the department (张): four eyes, the decision is not
/// the proposer's.
fn second(code: &str) -> Principal {
    xinyong_test_support::user("zhang", Some(code), &[Role::Reviewer])
}

fn code(code: &str) -> DepartmentCode {
    DepartmentCode::parse(code).unwrap()
}

fn proposal(list: &str, subject: &str) -> ProposeListing {
    ProposeListing {
        list_code: list.to_owned(),
        subject: subject.to_owned(),
        reason: "提供虚假材料取得许可且拒不改正".to_owned(),
        facts: "2026 年 8 月检查发现……".to_owned(),
        legal_basis: "济市监罚〔2026〕88号行政处罚决定书".to_owned(),
        source_records: vec!["r0123456789abcdef0123".to_owned()],
        proposed_on: None,
    }
}

async fn row(app: &TestApp, id: &str) -> ListingRow {
    app.core.store().get(ListingRow::key(id)).await.unwrap().unwrap()
}

fn code_of<T: std::fmt::Debug>(r: Result<T, CoreError>) -> &'static str {
    r.unwrap_err().code()
}

async fn log_size(app: &TestApp) -> u64 {
    app.core.store().log_size().await.unwrap()
}

fn no_progress(_: &str, _: u64, _: u64) {}

#[tokio::test]
#[expect(clippy::too_many_lines, reason = "one story: the whole life cycle of a listing in order")]
async fn the_whole_life_cycle_of_a_serious_listing() {
    let app = app().await;
    let core = &app.core;
    let scjgj = dept("scjgj");
    // Wednesday before the National Day holiday (10-01..10-07, make-up Saturday 10-10).
    set_day(&app, "2026-09-30");
    let id = propose(core, &scjgj, &code("scjgj"), proposal("samr-serious", &company())).await.unwrap();
    assert!(id.starts_with("LS"));
    let r = row(&app, &id).await;
    assert_eq!(
        (r.status, r.proposed_on, r.subject_name.as_str()),
        (ListingStatus::Proposed, d("2026-09-30"), "济南泉润商贸有限公司")
    );

    // Not yet noticed: the serious list requires notice before a decision.
    assert_eq!(code_of(decide(core, &scjgj, &id, "济市监信〔2026〕1号", d("2026-09-30")).await), "notice_required");

    // Five working days on the official calendar: 10-08, 10-09, 10-10 (make-up), 10-12, 10-13.
    let deadline = serve_notice(core, &scjgj, &id, d("2026-09-30"), "直接送达").await.unwrap();
    assert_eq!(deadline, d("2026-10-13"));
    assert_eq!(row(&app, &id).await.objection_deadline, Some(d("2026-10-13")));
    assert_eq!(code_of(serve_notice(core, &scjgj, &id, d("2026-09-30"), "直接送达").await), "listing_wrong_status");

    // Inside the window no decision.
    assert_eq!(
        code_of(decide(core, &scjgj, &id, "济市监信〔2026〕1号", d("2026-09-30")).await),
        "objection_window_open"
    );

    // The subject objects on 10-09; the decision is held.
    set_day(&app, "2026-10-09");
    let objection = file_objection(core, &scjgj, &id, d("2026-10-09"), "处罚决定已申请复议").await.unwrap();
    assert!(objection.starts_with("OB"));
    let detail = listing_detail(core, &id).await.unwrap().unwrap();
    assert_eq!(detail.objections.len(), 1);
    // Seven working days: 10-10, 10-12 … 10-16, 10-19.
    assert_eq!(detail.objections[0].answer_due, d("2026-10-19"));
    assert_eq!(row(&app, &id).await.status, ListingStatus::UnderObjection);
    assert_eq!(
        code_of(decide(core, &scjgj, &id, "济市监信〔2026〕1号", d("2026-10-09")).await),
        "listing_wrong_status"
    );
    // Another department cannot answer it.
    assert_eq!(
        code_of(listing::answer_objection(core, &dept("swj"), &objection, ObjectionOutcome::Rejected, "不成立").await),
        "not_your_department"
    );
    listing::answer_objection(core, &scjgj, &objection, ObjectionOutcome::Rejected, "复议期间不停止执行，异议不成立")
        .await
        .unwrap();
    assert_eq!(row(&app, &id).await.status, ListingStatus::Noticed);
    assert_eq!(
        code_of(listing::answer_objection(core, &scjgj, &objection, ObjectionOutcome::Accepted, "再答").await),
        "objection_already_answered"
    );

    // The subject has been heard: the decision need not wait for 10-13.
    assert_eq!(code_of(decide(core, &scjgj, &id, " ", d("2026-10-09")).await), "missing_field");
    assert_eq!(
        code_of(decide(core, &dept("swj"), &id, "济市监信〔2026〕1号", d("2026-10-09")).await),
        "not_your_department"
    );
    // Four eyes: the proposer may not decide; another reviewer does.
    assert_eq!(code_of(decide(core, &scjgj, &id, "济市监信〔2026〕1号", d("2026-10-09")).await), "four_eyes_required");
    decide(core, &second("scjgj"), &id, "济市监信〔2026〕1号", d("2026-10-09")).await.unwrap();
    let r = row(&app, &id).await;
    assert_eq!(r.status, ListingStatus::Listed);
    assert_eq!((r.valid_from, r.valid_until), (Some(d("2026-10-09")), Some(d("2029-10-08"))));
    let list = core.rules().sanctions.list("samr-serious").unwrap().clone();
    assert_eq!(r.measure_codes(), list.measures);

    // Pushes to every executor of every measure, feed items, the legal
    // representative's personal record.
    let expected_pushes = core.rules().sanctions.pushes_for(&list).len();
    let pushes = closed_loop::pushes_of_listing(core.store(), &id, 100).await.unwrap();
    assert_eq!(pushes.len(), expected_pushes);
    assert!(!closed_loop::feed_after(core.store(), &pushes[0].department, 0, 1).await.unwrap().is_empty());
    let records = lists::personal_records_of_listing(core.store(), &id, 10).await.unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].id_number.as_str(), rep_id());
    assert_eq!(records[0].role, RelationRole::LegalRepresentative);
    let detail = listing_detail(core, &id).await.unwrap().unwrap();
    assert_eq!(detail.liable_people.len(), 1);
    assert!(!detail.liable_people[0].masked_id.contains(&rep_id()[6..14]), "the ID number is masked");
    assert_eq!(detail.liable_people[0].role_zh, "法定代表人");
    assert_eq!(detail.pushes.len(), expected_pushes);
    let steps: Vec<&str> = detail.timeline.iter().map(|t| t.what.as_str()).collect();
    assert_eq!(steps.len(), 5, "{steps:?}");
    assert!(steps[4].starts_with("作出列入决定"), "{steps:?}");

    // A second proposal of the same subject on the same list is refused.
    let mut again = proposal("samr-serious", &company());
    again.reason = "另一事由".to_owned();
    assert_eq!(code_of(propose(core, &scjgj, &code("scjgj"), again).await), "already_listed");

    // Repair may end it only after 12 months.
    set_day(&app, "2027-01-10");
    let repair = ExitRequest {
        reason: ExitReason::Repaired,
        on: d("2027-01-10"),
        decision_no: Some("济市监信修〔2027〕1号".to_owned()),
        note: "已履行处罚".to_owned(),
    };
    assert_eq!(code_of(exit(core, &scjgj, &id, repair.clone()).await), "repair_too_early");
    let expired_by_hand = ExitRequest { reason: ExitReason::Expired, decision_no: None, ..repair.clone() };
    assert_eq!(code_of(exit(core, &scjgj, &id, expired_by_hand).await), "not_expired");
    assert_eq!(expire_due(core).await.unwrap(), 0);

    // The last day in force is 2029-10-08; the job ends it the day after.
    set_day(&app, "2029-10-08");
    assert_eq!(expire_due(core).await.unwrap(), 0);
    set_day(&app, "2029-10-09");
    assert_eq!(expire_due(core).await.unwrap(), 1);
    let r = row(&app, &id).await;
    assert_eq!(
        (r.status, r.exit_reason, r.exited_on),
        (ListingStatus::Exited, Some(ExitReason::Expired), Some(d("2029-10-09")))
    );
    assert_eq!(r.exit_note.as_deref(), Some("有效期届满，自动移出"));
    let pushes = closed_loop::pushes_of_listing(core.store(), &id, 100).await.unwrap();
    assert!(pushes.iter().all(|p| p.lifted_ms.is_some()), "every push lifted");
    let records = lists::personal_records_of_listing(core.store(), &id, 10).await.unwrap();
    assert!(!records[0].active);
    let size = log_size(&app).await;
    assert_eq!(expire_due(core).await.unwrap(), 0);
    assert_eq!(log_size(&app).await, size, "a second run appends nothing");

    // Exited: a new proposal is possible again.
    let mut later = proposal("samr-serious", &company());
    later.reason = "新的失信行为".to_owned();
    propose(core, &scjgj, &code("scjgj"), later).await.unwrap();

    verify(core, &no_progress).await.unwrap();
}

#[tokio::test]
async fn a_red_list_entry_needs_no_notice() {
    let app = app().await;
    let core = &app.core;
    let fgw = dept("fgw");
    let mut p = proposal("red-list", &other_company());
    p.reason = "连续三年纳税信用 A 级".to_owned();
    let id = propose(core, &fgw, &code("fgw"), p).await.unwrap();
    decide(core, &second("fgw"), &id, "济发改信〔2026〕5号", d("2026-11-26")).await.unwrap();
    let r = row(&app, &id).await;
    assert_eq!(r.status, ListingStatus::Listed);
    assert_eq!(r.list_kind, "red");
    // No legal representative registered: no personal records.
    let records = lists::personal_records_of_listing(core.store(), &id, 10).await.unwrap();
    assert!(records.is_empty());
}

#[tokio::test]
async fn an_upheld_objection_withdraws_the_proposal() {
    let app = app().await;
    let core = &app.core;
    let scjgj = dept("scjgj");
    let id = propose(core, &scjgj, &code("scjgj"), proposal("samr-serious", &company())).await.unwrap();
    // Thursday 11-26 + 5 working days crosses a weekend: 11-27, 11-30, 12-01, 12-02, 12-03.
    assert_eq!(serve_notice(core, &scjgj, &id, d("2026-11-26"), "邮寄送达").await.unwrap(), d("2026-12-03"));
    let objection = file_objection(core, &scjgj, &id, d("2026-11-26"), "处罚决定已被撤销").await.unwrap();
    listing::answer_objection(core, &scjgj, &objection, ObjectionOutcome::Accepted, "经核实处罚决定已撤销")
        .await
        .unwrap();
    let r = row(&app, &id).await;
    assert_eq!(r.status, ListingStatus::Withdrawn);
    assert_eq!(code_of(decide(core, &scjgj, &id, "x", d("2026-11-26")).await), "listing_wrong_status");
    // Dropped: the subject may be proposed again on new grounds.
    let mut p = proposal("samr-serious", &company());
    p.reason = "新的事由".to_owned();
    propose(core, &scjgj, &code("scjgj"), p).await.unwrap();
}

#[tokio::test]
async fn withdrawal_and_the_objection_window_close() {
    let app = app().await;
    let core = &app.core;
    let scjgj = dept("scjgj");
    let id = propose(core, &scjgj, &code("scjgj"), proposal("samr-serious", &company())).await.unwrap();
    serve_notice(core, &scjgj, &id, d("2026-11-26"), "电子送达").await.unwrap();
    set_day(&app, "2026-12-04");
    assert_eq!(
        code_of(file_objection(core, &scjgj, &id, d("2026-12-04"), "迟到的异议").await),
        "objection_window_closed"
    );
    // Filed on the last day, recorded the day after: accepted.
    file_objection(core, &scjgj, &id, d("2026-12-03"), "期内邮寄的异议").await.unwrap();
    assert_eq!(code_of(withdraw(core, &scjgj, &id, d("2026-12-04"), "撤回").await), "listing_wrong_status");

    let id2 = propose(core, &scjgj, &code("scjgj"), proposal("samr-serious", &other_company())).await.unwrap();
    assert_eq!(code_of(withdraw(core, &scjgj, &id2, d("2026-12-04"), "  ").await), "missing_field");
    withdraw(core, &scjgj, &id2, d("2026-12-04"), "事实认定有误").await.unwrap();
    assert_eq!(row(&app, &id2).await.status, ListingStatus::Withdrawn);
    assert_eq!(code_of(serve_notice(core, &scjgj, &id2, d("2026-12-04"), "直接送达").await), "listing_wrong_status");
}

#[tokio::test]
async fn the_same_proposal_twice_is_one_listing() {
    let app = app().await;
    let core = &app.core;
    let scjgj = dept("scjgj");
    let a = propose(core, &scjgj, &code("scjgj"), proposal("samr-serious", &company())).await.unwrap();
    let size = log_size(&app).await;
    let b = propose(core, &scjgj, &code("scjgj"), proposal("samr-serious", &format!(" {} ", company()))).await.unwrap();
    assert_eq!(a, b);
    assert_eq!(log_size(&app).await, size);
    let all = listing::list_listings(core, &ListingFilter::default(), 100).await.unwrap();
    assert_eq!(all.len(), 1);
}

#[tokio::test]
async fn proposals_are_checked() {
    let app = app().await;
    let core = &app.core;
    let scjgj = dept("scjgj");
    let p = |list: &str, subject: &str| proposal(list, subject);
    assert_eq!(code_of(propose(core, &scjgj, &code("scjgj"), p("no-such-list", &company())).await), "unknown_list");
    let unknown = Uscc::from_parts('9', '1', "370102", "MA3C9N0Q").unwrap();
    assert_eq!(
        code_of(propose(core, &scjgj, &code("scjgj"), p("samr-serious", unknown.as_str())).await),
        "unknown_subject"
    );
    assert_eq!(
        code_of(propose(core, &scjgj, &code("scjgj"), p("samr-serious", "12345")).await),
        "subject_code_invalid"
    );
    // A natural person on a list for organisations.
    assert_eq!(
        code_of(propose(core, &scjgj, &code("scjgj"), p("samr-serious", &person_id())).await),
        "subject_kind_not_allowed"
    );
    let mut no_reason = p("samr-serious", &company());
    no_reason.reason = " ".to_owned();
    let e = propose(core, &scjgj, &code("scjgj"), no_reason).await.unwrap_err();
    assert_eq!(e.code(), "missing_field");
    assert!(e.to_string().contains("事由"), "{e}");
    let mut no_basis = p("samr-serious", &company());
    no_basis.legal_basis = String::new();
    let e = propose(core, &scjgj, &code("scjgj"), no_basis).await.unwrap_err();
    assert!(e.to_string().contains("认定依据"), "{e}");

    // The tax list takes natural persons, and personal ids resolve to PERSONS.
    let swj = dept("swj");
    let id = propose(core, &swj, &code("swj"), p("tax-major", &person_id())).await.unwrap();
    let r = row(&app, &id).await;
    assert_eq!((r.subject_kind.as_str(), r.subject_name.as_str()), ("natural_person", "赵明"));
    let detail = listing_detail(core, &id).await.unwrap().unwrap();
    assert_ne!(detail.subject_display, person_id(), "ID numbers are masked on pages");
}

#[tokio::test]
async fn only_the_deciding_department_or_the_credit_office_acts() {
    let app = app().await;
    let core = &app.core;
    let swj = dept("swj");
    // The tax bureau does not decide the market-regulation list.
    let e = propose(core, &swj, &code("swj"), proposal("samr-serious", &company())).await.unwrap_err();
    assert!(matches!(e, CoreError::Forbidden { code: "not_a_deciding_department", .. }), "{e:?}");
    // Nor may it act in another department's name.
    let e = propose(core, &swj, &code("scjgj"), proposal("samr-serious", &company())).await.unwrap_err();
    assert!(matches!(e, CoreError::Forbidden { code: "not_your_department", .. }), "{e:?}");
    // The credit office may act for any department.
    let admin = xinyong_test_support::credit_office("boss");
    let id = propose(core, &admin, &code("scjgj"), proposal("samr-serious", &company())).await.unwrap();
    assert_eq!(row(&app, &id).await.department.as_str(), "scjgj");
    let e = serve_notice(core, &swj, &id, d("2026-11-26"), "直接送达").await.unwrap_err();
    assert!(matches!(e, CoreError::Forbidden { code: "not_your_department", .. }), "{e:?}");
    // Roles count in core as on the pages: an operator handles the case
    // (serves the notice) but does not decide (withdraw); nobody must log in.
    let operator = xinyong_test_support::user("op", Some("scjgj"), &[Role::Operator]);
    let e = withdraw(core, &operator, &id, d("2026-11-26"), "撤回").await.unwrap_err();
    assert!(matches!(e, CoreError::Forbidden { code: "listing_role_required", .. }), "{e:?}");
    let nobody = Principal::Anonymous;
    let e = serve_notice(core, &nobody, &id, d("2026-11-26"), "直接送达").await.unwrap_err();
    assert!(matches!(e, CoreError::Unauthenticated { code: "unauthenticated", .. }), "{e:?}");
    serve_notice(core, &operator, &id, d("2026-11-26"), "直接送达").await.unwrap();
    // Dates in the future are refused.
    assert_eq!(code_of(file_objection(core, &admin, &id, d("2026-11-27"), "明天的异议").await), "date_in_future");
    // Key-attention lists may be decided by any department.
    let mut p = proposal("key-attention", &other_company());
    p.reason = "多次被投诉".to_owned();
    propose(core, &swj, &code("swj"), p).await.unwrap();
    let mine =
        listing::list_listings(core, &ListingFilter { department: Some(code("swj")), ..Default::default() }, 100)
            .await
            .unwrap();
    assert_eq!(mine.len(), 1);
}

#[tokio::test]
async fn a_revoked_listing_lifts_its_measures_at_once() {
    let app = app().await;
    let core = &app.core;
    let scjgj = dept("scjgj");
    let id = propose(core, &scjgj, &code("scjgj"), proposal("samr-serious", &company())).await.unwrap();
    serve_notice(core, &scjgj, &id, d("2026-11-26"), "直接送达").await.unwrap();
    set_day(&app, "2026-12-04");
    decide(core, &second("scjgj"), &id, "济市监信〔2026〕9号", d("2026-12-04")).await.unwrap();
    let no_number =
        ExitRequest { reason: ExitReason::Revoked, on: d("2026-12-04"), decision_no: None, note: String::new() };
    assert_eq!(code_of(exit(core, &scjgj, &id, no_number.clone()).await), "missing_field");
    let revoke = ExitRequest { decision_no: Some("济市监信撤〔2026〕1号".to_owned()), ..no_number };
    exit(core, &scjgj, &id, revoke).await.unwrap();
    let r = row(&app, &id).await;
    assert_eq!((r.status, r.exit_reason), (ListingStatus::Exited, Some(ExitReason::Revoked)));
    assert_eq!(r.exit_decision_no.as_deref(), Some("济市监信撤〔2026〕1号"));
    verify(core, &no_progress).await.unwrap();
}

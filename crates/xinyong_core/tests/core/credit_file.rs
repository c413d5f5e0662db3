//! The credit file: bans, interviews, personal records of liable people and
//! the public rule for list entries, on the backend chosen by the
//! environment (SQLite by default).

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use chrono::NaiveDate;
use xinyong_core::CoreError;
use xinyong_core::auth;
use xinyong_core::auth::policy::Principal;
use xinyong_core::lists::credit_file::{
    self, BanInput, InterviewInput, Lookup, credit_file, impose_ban, lift_ban, person_file, record_interview,
};
use xinyong_core::lists::published::{ListsQuery, memberships, published_lists};
use xinyong_core::log::verify::verify;
use xinyong_domain::auth::{DepartmentCode, Role};
use xinyong_domain::collection::RecordSubject;
use xinyong_domain::event::{Actor, NewEvent};
use xinyong_domain::lists::ListsEvent;
use xinyong_domain::lists::{BanScope, ExitReason, InterviewKind, ListingProposal};
use xinyong_domain::subjects::RoleHolder;
use xinyong_domain::subjects::SubjectsEvent;
use xinyong_domain::subjects::{LegalPerson, NaturalPerson, RelationRole, SubjectName, SubjectStatus};
use xinyong_domain::{IdNumber, Uscc};
use xinyong_test_support::TestApp;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn dept(code: &str) -> DepartmentCode {
    DepartmentCode::parse(code).unwrap()
}

/// 王 (`user:wang`), operator and reviewer of `department`.
fn clerk(department: &DepartmentCode) -> Principal {
    xinyong_test_support::user("wang", Some(department.as_str()), &[Role::Operator, Role::Reviewer])
}

fn org() -> Uscc {
    Uscc::from_parts('9', '1', "370102", "MA3C8N0Q").unwrap()
}

fn rep_id() -> IdNumber {
    IdNumber::from_parts("370102", d("1975-03-04"), 311).unwrap()
}

fn controller_id() -> IdNumber {
    IdNumber::from_parts("370103", d("1968-11-20"), 52).unwrap()
}

fn debtor_id() -> IdNumber {
    IdNumber::from_parts("370104", d("1980-05-06"), 123).unwrap()
}

fn holder(role: RelationRole, id: IdNumber, name: &str) -> RoleHolder {
    RoleHolder { role, person: NaturalPerson { id_number: id, name: SubjectName::parse(name).unwrap() } }
}

fn organisation_subject() -> RecordSubject {
    RecordSubject {
        kind: "legal_person".into(), key: org().as_str().into(), name: "济南泉润商贸有限公司".into()
    }
}

fn debtor_subject() -> RecordSubject {
    RecordSubject { kind: "natural_person".into(), key: debtor_id().as_str().into(), name: "赵有债".into() }
}

/// Departments, an organisation with a legal representative and an actual
/// controller, and a natural person known on their own.
async fn city() -> TestApp {
    let app = TestApp::new().await;
    auth::seed_departments(&app.core, &auth::shipped_departments().unwrap()).await.unwrap();
    let demo = Actor::parse("demo").unwrap();
    let events = vec![
        NewEvent::new(
            demo.clone(),
            SubjectsEvent::LegalPersonRegistered {
                subject: LegalPerson {
                    uscc: org(),
                    name: SubjectName::parse("济南泉润商贸有限公司").unwrap(),
                    status: SubjectStatus::Active,
                },
                people: vec![
                    holder(RelationRole::LegalRepresentative, rep_id(), "张三丰"),
                    holder(RelationRole::ActualController, controller_id(), "李四海"),
                ],
            },
        ),
        NewEvent::new(
            demo,
            SubjectsEvent::NaturalPersonRegistered {
                person: NaturalPerson { id_number: debtor_id(), name: SubjectName::parse("赵有债").unwrap() },
            },
        ),
    ];
    app.core.append(events).await.unwrap();
    app
}

/// Appends a proposal and its decision directly (the listing use cases are
/// built elsewhere); returns the listing id.
async fn listed(
    app: &TestApp,
    list_code: &str,
    subject: RecordSubject,
    department: &str,
    valid_from: NaiveDate,
    liable: Vec<RoleHolder>,
) -> String {
    let rules = app.core.rules().sanctions.clone();
    let list = rules.list(list_code).unwrap();
    let id = xinyong_domain::lists::digest_id("LS", &[list_code, &subject.key, department]);
    let proposal = ListingProposal {
        id: id.clone(),
        list_code: list_code.into(),
        lists_version: rules.lists_version().into(),
        subject: subject.clone(),
        department: dept(department),
        reason: "拒不履行生效法律文书确定的义务".into(),
        facts: "经查……".into(),
        legal_basis: list.basis.clone(),
        source_records: Vec::new(),
        proposed_on: valid_from,
    };
    let actor = Actor::parse(&format!("department:{department}")).unwrap();
    let versions = app.core.rules().sanction_versions();
    let events = vec![
        NewEvent {
            actor: actor.clone(),
            rules: versions.clone(),
            body: ListsEvent::ListingProposed { proposal, list_kind: list.kind, proposed_by: None }.into(),
        },
        NewEvent {
            actor,
            rules: versions,
            body: ListsEvent::ListingDecided {
                listing_id: id.clone(),
                list_code: list_code.into(),
                subject,
                decision_no: format!("{department}〔2026〕{}号", id.len()),
                decided_on: valid_from,
                valid_from,
                valid_until: list.valid_until(valid_from),
                measures: list.measures.clone(),
                pushes: Vec::new(),
                liable_people: liable,
            }
            .into(),
        },
    ];
    app.core.append(events).await.unwrap();
    id
}

fn ban_input(subject: &str) -> BanInput {
    BanInput {
        subject: subject.into(),
        scope: BanScope::Industry,
        field: "食品生产经营".into(),
        description: "五年内不得从事食品生产经营管理工作".into(),
        basis: "《中华人民共和国食品安全法》第一百三十五条".into(),
        decision_no: "济市监禁〔2026〕1号".into(),
        starts_on: d("2026-11-01"),
        ends_on: Some(d("2031-10-31")),
        listing_id: None,
    }
}

fn code_of<T: std::fmt::Debug>(r: Result<T, CoreError>) -> &'static str {
    r.unwrap_err().code()
}

fn lookup(why: &str) -> Lookup {
    Lookup { who: xinyong_test_support::user("reviewer", Some("scjgj"), &[Role::Reviewer]), why: why.into() }
}

#[tokio::test]
async fn bans_follow_their_term_and_are_lifted_once() {
    let app = city().await;
    let core = &app.core;
    let scjgj = dept("scjgj");

    // On an organisation and on a person; both resolved to their names.
    let id = impose_ban(core, &clerk(&scjgj), &scjgj, ban_input(org().as_str())).await.unwrap();
    assert!(id.starts_with("BN"));
    let again = impose_ban(core, &clerk(&scjgj), &scjgj, ban_input(org().as_str())).await.unwrap();
    assert_eq!(id, again, "the same decision is the same ban");
    let size = core.store().log_size().await.unwrap();
    let mut life = ban_input(rep_id().as_str());
    life.ends_on = None;
    let person_ban = impose_ban(core, &clerk(&scjgj), &scjgj, life).await.unwrap();
    assert_eq!(core.store().log_size().await.unwrap(), size + 1);

    let ban = credit_file::ban(core, &id).await.unwrap().unwrap();
    assert_eq!(ban.subject.name, "济南泉润商贸有限公司");
    assert!(ban.in_force(d("2026-11-26")));
    assert!(!ban.in_force(d("2026-10-31")));
    assert!(!ban.in_force(d("2031-11-01")));
    assert_eq!(ban.status_zh(d("2031-11-01")), "已期满");
    let person = credit_file::ban(core, &person_ban).await.unwrap().unwrap();
    assert_eq!((person.subject.kind.as_str(), person.subject.name.as_str()), ("natural_person", "张三丰"));
    assert!(person.in_force(d("2090-01-01")), "终身禁入 has no end");

    // Validation names the rule.
    let mut bad = ban_input(org().as_str());
    bad.ends_on = Some(d("2026-10-31"));
    assert_eq!(code_of(impose_ban(core, &clerk(&scjgj), &scjgj, bad).await), "invalid_term");
    let mut bad = ban_input(org().as_str());
    bad.field = "  ".into();
    assert_eq!(code_of(impose_ban(core, &clerk(&scjgj), &scjgj, bad).await), "field_required");
    let mut bad = ban_input(org().as_str());
    bad.basis = String::new();
    assert_eq!(code_of(impose_ban(core, &clerk(&scjgj), &scjgj, bad).await), "basis_required");
    let mut bad = ban_input(org().as_str());
    bad.decision_no = String::new();
    assert_eq!(code_of(impose_ban(core, &clerk(&scjgj), &scjgj, bad).await), "decision_no_required");
    let unknown = Uscc::from_parts('9', '1', "370102", "MA3C8N0X").unwrap();
    assert_eq!(code_of(impose_ban(core, &clerk(&scjgj), &scjgj, ban_input(unknown.as_str())).await), "unknown_subject");
    assert_eq!(code_of(impose_ban(core, &clerk(&scjgj), &scjgj, ban_input("nonsense")).await), "unknown_subject");
    let mut bad = ban_input(org().as_str());
    bad.listing_id = Some("LS0000000000000000".into());
    assert_eq!(code_of(impose_ban(core, &clerk(&scjgj), &scjgj, bad).await), "unknown_listing");

    // Only the deciding department (or the credit office) lifts it, once.
    let other = clerk(&dept("swj"));
    assert_eq!(code_of(lift_ban(core, &other, &id, d("2026-11-26"), "复议撤销").await), "not_the_deciding_department");
    let own = clerk(&scjgj);
    assert_eq!(code_of(lift_ban(core, &own, &id, d("2026-11-26"), " ").await), "reason_required");
    lift_ban(core, &own, &id, d("2026-11-26"), "行政复议决定撤销原处罚").await.unwrap();
    let lifted = credit_file::ban(core, &id).await.unwrap().unwrap();
    assert_eq!(lifted.lifted_on, Some(d("2026-11-26")));
    assert!(!lifted.in_force(d("2026-11-26")));
    assert!(lifted.in_force(d("2026-11-25")));
    assert_eq!(lifted.status_zh(d("2026-11-26")), "已解除");
    assert_eq!(
        code_of(lift_ban(core, &xinyong_test_support::credit_office("boss"), &id, d("2026-11-27"), "再次").await),
        "ban_already_lifted"
    );
    assert_eq!(code_of(lift_ban(core, &own, "BN00", d("2026-11-27"), "x").await), "ban_not_found");
    lift_ban(core, &xinyong_test_support::credit_office("boss"), &person_ban, d("2026-11-26"), "信用办纠错")
        .await
        .unwrap();

    // Lists of bans: the department's own, or all.
    assert_eq!(credit_file::bans(core, Some(&scjgj)).await.unwrap().len(), 2);
    assert!(credit_file::bans(core, Some(&dept("swj"))).await.unwrap().is_empty());
    assert_eq!(credit_file::bans(core, None).await.unwrap().len(), 2);
    verify(core, &|_: &str, _: u64, _: u64| {}).await.unwrap();
}

fn interview(listing_id: Option<String>) -> InterviewInput {
    InterviewInput {
        subject: org().as_str().into(),
        kind: InterviewKind::Warning,
        held_on: d("2026-11-20"),
        interviewees: "张三丰（法定代表人）".into(),
        interviewers: "市场监管局 王经办、李审核".into(),
        outcome: "指出拒不履行义务的问题，要求十日内整改".into(),
        rectify_by: Some(d("2026-11-30")),
        listing_id,
    }
}

#[tokio::test]
async fn whoever_decides_interviews() {
    let app = city().await;
    let core = &app.core;
    let listing = listed(&app, "samr-serious", organisation_subject(), "scjgj", d("2026-10-01"), Vec::new()).await;

    let id =
        record_interview(core, &clerk(&dept("scjgj")), &dept("scjgj"), interview(Some(listing.clone()))).await.unwrap();
    assert!(id.starts_with("IV"));
    assert_eq!(
        record_interview(core, &clerk(&dept("scjgj")), &dept("scjgj"), interview(Some(listing.clone()))).await.unwrap(),
        id
    );
    // Another department may interview on its own account, not on this listing.
    let err =
        record_interview(core, &clerk(&dept("swj")), &dept("swj"), interview(Some(listing.clone()))).await.unwrap_err();
    assert!(matches!(err, CoreError::Forbidden { code: "not_the_deciding_department", .. }), "{err:?}");
    record_interview(
        core,
        &clerk(&dept("swj")),
        &dept("swj"),
        InterviewInput { kind: InterviewKind::Reminder, ..interview(None) },
    )
    .await
    .unwrap();

    let scjgj = dept("scjgj");
    let future = InterviewInput { held_on: d("2026-11-27"), rectify_by: None, ..interview(None) };
    assert_eq!(code_of(record_interview(core, &clerk(&scjgj), &scjgj, future).await), "held_on_in_future");
    let early = InterviewInput { rectify_by: Some(d("2026-11-19")), ..interview(None) };
    assert_eq!(code_of(record_interview(core, &clerk(&scjgj), &scjgj, early).await), "invalid_rectify_by");
    for (blank, code) in [
        ("interviewees", "interviewees_required"),
        ("interviewers", "interviewers_required"),
        ("outcome", "outcome_required"),
    ] {
        let mut input = interview(None);
        match blank {
            "interviewees" => input.interviewees = String::new(),
            "interviewers" => input.interviewers = " ".into(),
            _ => input.outcome = String::new(),
        }
        assert_eq!(code_of(record_interview(core, &clerk(&scjgj), &scjgj, input).await), code);
    }
    let person = InterviewInput { subject: rep_id().as_str().into(), ..interview(None) };
    assert_eq!(code_of(record_interview(core, &clerk(&scjgj), &scjgj, person).await), "subject_not_organisation");

    // The file shows both interviews, newest first, and the listing.
    let file = credit_file(core, &org(), None).await.unwrap().unwrap();
    assert_eq!(file.interviews.len(), 2);
    assert!(file.interviews.iter().any(|i| i.listing_id.as_deref() == Some(listing.as_str())));
    assert_eq!(file.listings.len(), 1);
    assert!(file.listings[0].in_force);
    assert_eq!(file.listings[0].list_name, "市场监督管理严重违法失信名单");
    assert!(file.people.is_none(), "people only with a lookup");
    assert!(
        credit_file(core, &Uscc::from_parts('9', '1', "370102", "MA3C8N0X").unwrap(), None).await.unwrap().is_none()
    );
}

#[tokio::test]
async fn a_decided_listing_creates_personal_records_that_end_with_the_exit() {
    let app = city().await;
    let core = &app.core;
    let liable = vec![
        holder(RelationRole::LegalRepresentative, rep_id(), "张三丰"),
        holder(RelationRole::ActualController, controller_id(), "李四海"),
    ];
    let listing = listed(&app, "samr-serious", organisation_subject(), "scjgj", d("2026-10-01"), liable).await;

    let file = person_file(core, &lookup("核查招投标投标人法定代表人"), rep_id().as_str()).await.unwrap();
    assert_eq!(file.name, "张三丰");
    assert!(!file.id_masked.contains(&rep_id().as_str()[6..14]), "the birth date is masked");
    assert_eq!(file.records.len(), 1);
    let record = &file.records[0];
    assert_eq!((record.role_name.as_str(), record.uscc.as_str()), ("法定代表人", org().as_str()));
    assert_eq!(record.list_name, "市场监督管理严重违法失信名单");
    assert_eq!(record.valid_until, Some(d("2029-09-30")));
    assert!(record.active);

    // The organisation's file shows its people, masked, with the record.
    let org_file = credit_file(core, &org(), Some(&lookup("信用档案"))).await.unwrap().unwrap();
    let people = org_file.people.unwrap();
    assert_eq!(people.len(), 2);
    assert!(people.iter().all(|p| p.records.len() == 1));
    assert!(people.iter().all(|p| p.id_masked != rep_id().as_str() && p.id_masked != controller_id().as_str()));
    assert!(people.iter().all(|p| p.id_masked.contains("********")));

    // A reason is required and the number must be valid.
    assert_eq!(code_of(person_file(core, &lookup(" "), rep_id().as_str()).await), "reason_required");
    assert_eq!(code_of(person_file(core, &lookup("核查"), "110101").await), "id_number_invalid");
    let stranger = IdNumber::from_parts("370105", d("1990-01-01"), 1).unwrap();
    assert_eq!(code_of(person_file(core, &lookup("核查"), stranger.as_str()).await), "person_not_found");

    // The exit ends the records (active = 0) but keeps them.
    let exit = ListsEvent::ListingExited {
        listing_id: listing.clone(),
        list_code: "samr-serious".into(),
        subject: organisation_subject(),
        reason: ExitReason::Revoked,
        on: d("2026-11-26"),
        decision_no: Some("济市监撤〔2026〕1号".into()),
        note: "错误列入".into(),
        lifts: Vec::new(),
        liable_people: vec![rep_id(), controller_id()],
    };
    core.append(vec![NewEvent::new(Actor::parse("department:scjgj").unwrap(), exit)]).await.unwrap();
    let file = person_file(core, &lookup("复核"), rep_id().as_str()).await.unwrap();
    assert_eq!(file.records.len(), 1);
    assert!(!file.records[0].active);
    let org_file = credit_file(core, &org(), None).await.unwrap().unwrap();
    assert!(!org_file.listings[0].in_force);
    verify(core, &|_: &str, _: u64, _: u64| {}).await.unwrap();
}

#[tokio::test]
async fn a_persons_own_listing_and_ban_are_in_their_file() {
    let app = city().await;
    let core = &app.core;
    listed(&app, "court-dishonest", debtor_subject(), "zjfy", d("2026-09-01"), Vec::new()).await;
    impose_ban(core, &clerk(&dept("scjgj")), &dept("scjgj"), ban_input(debtor_id().as_str())).await.unwrap();
    let file = person_file(core, &lookup("审查担任法定代表人资格"), debtor_id().as_str()).await.unwrap();
    assert_eq!(file.name, "赵有债");
    assert_eq!(file.listings.len(), 1);
    assert_eq!(file.bans.len(), 1);
    assert!(file.records.is_empty());
}

#[tokio::test]
async fn only_published_in_force_legal_person_entries_are_public() {
    let app = city().await;
    let core = &app.core;
    let serious = listed(&app, "samr-serious", organisation_subject(), "scjgj", d("2026-10-01"), Vec::new()).await;
    // Never public: a natural person (on a public list), a non-public list,
    // an entry not yet in force, an expired one.
    listed(&app, "court-dishonest", debtor_subject(), "zjfy", d("2026-09-01"), Vec::new()).await;
    listed(&app, "key-attention", organisation_subject(), "scjgj", d("2026-10-02"), Vec::new()).await;
    listed(&app, "tax-major", organisation_subject(), "swj", d("2026-12-01"), Vec::new()).await;
    listed(&app, "environment-serious", organisation_subject(), "sthjj", d("2020-01-01"), Vec::new()).await;
    let red = listed(&app, "red-list", organisation_subject(), "fgw", d("2026-11-01"), Vec::new()).await;

    let all = published_lists(core, &ListsQuery { page: 1, ..Default::default() }).await.unwrap();
    let ids: Vec<&str> = all.entries.iter().map(|e| e.listing_id.as_str()).collect();
    assert_eq!(ids, [red.as_str(), serious.as_str()]);
    assert_eq!(all.entries[1].department_name, "济南市市场监督管理局");
    assert_eq!(all.entries[1].subject_name, "济南泉润商贸有限公司");
    let not_red = published_lists(core, &ListsQuery { red: Some(false), page: 1, ..Default::default() }).await.unwrap();
    assert_eq!(not_red.total, 1);
    let red_only = published_lists(core, &ListsQuery { red: Some(true), page: 9, ..Default::default() }).await.unwrap();
    assert_eq!((red_only.total, red_only.page, red_only.pages), (1, 1, 1));
    let court = published_lists(
        core,
        &ListsQuery { list: Some("court-dishonest".into()), page: 1, red: None, subject_text: None },
    )
    .await
    .unwrap();
    assert_eq!(court.total, 0);
    assert_eq!(memberships(core, &org()).await.unwrap().len(), 2);
}

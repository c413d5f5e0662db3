//! The leak walk (acceptance of the portal issue): build a demo city, walk
//! every public page and every public API response, and find in them no
//! resident ID number, no natural person's name or record, no record
//! that is not public or outside its publicity window, and nothing of a
//! voluntary registration that was not accepted.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use std::collections::{BTreeSet, HashMap};
use xinyong_domain::lists::ListsEvent;

use axum::http::StatusCode;
use xinyong_core::auth::policy::{Principal, SubjectPrincipal};
use xinyong_core::auth::{departments, seed_departments, shipped_departments};
use xinyong_core::collection::intake::{IngestRequest, Source, china_today, ingest_batch};
use xinyong_core::objections::EvidenceUpload;
use xinyong_core::portal::record_is_public;
use xinyong_demo::city::DemoCity;
use xinyong_demo::records::demo_batches;
use xinyong_domain::auth::DepartmentCode;
use xinyong_domain::auth::SubjectAccountRole;
use xinyong_domain::collection::RecordSubject;
use xinyong_domain::collection::{RECORDS, RecordRow};
use xinyong_domain::event::{Actor, EventBody, NewEvent};
use xinyong_domain::inspections::{INSPECTORS, InspectorRow};
use xinyong_domain::lists::{LISTINGS, ListingProposal, digest_id};
use xinyong_domain::mask::find_id_numbers;
use xinyong_domain::projection::Row as _;
use xinyong_domain::projection::{Cell, TableSpec};
use xinyong_domain::registrations::{
    REGISTRATION_FILES, REGISTRATIONS, RegistrationFileRow, RegistrationRow, RegistrationStatus,
};
use xinyong_domain::subjects::RoleHolder;
use xinyong_domain::subjects::{NaturalPerson, RelationRole, SubjectName};
use xinyong_domain::subjects::{PERSONS, RELATIONS, SUBJECTS};
use xinyong_domain::{IdNumber, Uscc};
use xinyong_test_support::TestApp;

const SUBJECTS_IN_CITY: usize = 1_000;
const SEED: u64 = 2019;

async fn demo_city() -> TestApp {
    let app = TestApp::new().await;
    seed_departments(&app.core, &shipped_departments().unwrap()).await.unwrap();
    let bodies: Vec<EventBody> = DemoCity::new(SEED).take(SUBJECTS_IN_CITY).collect();
    let actor = Actor::parse("demo").unwrap();
    app.core.append(bodies.iter().map(|b| NewEvent::new(actor.clone(), b.clone())).collect()).await.unwrap();
    xinyong_core::rules::publish_rules(&app.core).await.unwrap();
    let known: Vec<(String, String)> = departments(&app.core)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|d| d.uscc.map(|u| (d.code.to_string(), u.as_str().to_owned())))
        .collect();
    for batch in demo_batches(SEED, &bodies, &known, &app.core.rules().calendar) {
        let department = DepartmentCode::parse(&batch.department).unwrap();
        let request = IngestRequest {
            actor: Actor::parse(&format!("department:{department}")).unwrap(),
            department,
            item: Some(batch.item),
            source: Source::Upload,
            file_name: Some(batch.file_name),
            idempotency_key: None,
            table: batch.table,
            lenient_codes: false,
            received_date: Some(batch.received_date),
            dry_run: false,
        };
        ingest_batch(&app.core, request).await.unwrap();
    }
    list_some(&app).await;
    xinyong_demo::random_inspections(&app.core, SEED).await.unwrap();
    xinyong_demo::pledges_of_the_city(&app.core, SEED).await.unwrap();
    xinyong_demo::commitments_of_the_city(&app.core, SEED).await.unwrap();
    xinyong_demo::notices_of_the_city(&app.core).await.unwrap();
    xinyong_demo::agencies_of_the_city(&app.core).await.unwrap();
    register_some(&app).await;
    app.sync_search().await;
    app
}

/// The titles of the leak walk's voluntary registrations.
const REGISTERED_PUBLIC: &str = "泄漏检查公开荣誉甲";
const REGISTERED_REJECTED: &str = "泄漏检查未通过资质乙";
const REGISTERED_PENDING: &str = "泄漏检查待审核公益丙";
const REGISTERED_FALSE: &str = "泄漏检查虚假经营丁";

/// Four organisations register, each with a supporting file: one is
/// accepted (public, marked), one rejected with reasons and one still
/// pending (both private to the company and its reviewer), one found false
/// (a public CNSX record). Returns the accepted one's USCC.
async fn register_some(app: &TestApp) -> String {
    use xinyong_core::registrations::{Review, SubmitRegistration, review, submit};
    use xinyong_domain::registrations::ReviewOutcome;
    let orgs: Vec<Uscc> =
        all_rows(app, &SUBJECTS).await.iter().skip(20).take(4).map(|r| Uscc::parse(&text(r, 0)).unwrap()).collect();
    let stories = [
        ("honour", REGISTERED_PUBLIC, Some((ReviewOutcome::Accepted, ""))),
        ("qualification", REGISTERED_REJECTED, Some((ReviewOutcome::Rejected, "泄漏检查不予通过理由乙"))),
        ("public_welfare", REGISTERED_PENDING, None),
        ("operations", REGISTERED_FALSE, Some((ReviewOutcome::FoundFalse, "经核实无该项经营活动"))),
    ];
    for ((kind, title, decision), uscc) in stories.into_iter().zip(&orgs) {
        let company = Principal::Subject(SubjectPrincipal {
            uscc: uscc.clone(),
            username: "admin".into(),
            role: SubjectAccountRole::LegalRepresentative,
        });
        let input = SubmitRegistration {
            kind: kind.into(),
            title: title.into(),
            issuer: "济南市市场监督管理局".into(),
            content: format!("{title}的说明"),
            commitment_signed: true,
            files: vec![EvidenceUpload {
                name: format!("泄漏检查私密材料{title}.pdf"),
                bytes: b"%PDF-1.4 leak".to_vec(),
            }],
            ..SubmitRegistration::default()
        };
        let id = submit(&app.core, &company, uscc, input).await.unwrap();
        if let Some((outcome, reason)) = decision {
            review(
                &app.core,
                &xinyong_test_support::credit_office("boss"),
                &id,
                Review { outcome, reason: reason.into() },
            )
            .await
            .unwrap();
        }
    }
    orgs[0].as_str().to_owned()
}

/// Lists an organisation with its legal representative liable (a personal
/// record) and a natural person on the court's list, as decided listings:
/// the public lists must show the first and never the second, nor any person.
/// Returns the listed organisation's USCC.
async fn list_some(app: &TestApp) -> String {
    let relation = all_rows(app, &RELATIONS)
        .await
        .into_iter()
        .find(|r| text(r, 2) == RelationRole::LegalRepresentative.as_str())
        .unwrap();
    let (uscc, rep_id) = (text(&relation, 0), text(&relation, 1));
    let org_name =
        all_rows(app, &SUBJECTS).await.into_iter().find(|r| text(r, 0) == uscc).map(|r| text(&r, 1)).unwrap();
    let rep_name =
        all_rows(app, &PERSONS).await.into_iter().find(|r| text(r, 0) == rep_id).map(|r| text(&r, 1)).unwrap();
    let debtor = all_rows(app, &PERSONS).await.into_iter().find(|p| text(p, 0) != rep_id).unwrap();
    let rep = RoleHolder {
        role: RelationRole::LegalRepresentative,
        person: NaturalPerson {
            id_number: IdNumber::parse(&rep_id).unwrap(),
            name: SubjectName::parse(&rep_name).unwrap(),
        },
    };
    let organisation = RecordSubject { kind: "legal_person".into(), key: uscc.clone(), name: org_name };
    let person = RecordSubject { kind: "natural_person".into(), key: text(&debtor, 0), name: text(&debtor, 1) };
    for (list_code, subject, department, liable) in
        [("samr-serious", organisation, "scjgj", vec![rep]), ("court-dishonest", person, "zjfy", Vec::new())]
    {
        let rules = app.core.rules().sanctions.clone();
        let list = rules.list(list_code).unwrap();
        let id = digest_id("LS", &[list_code, &subject.key]);
        let from = china_today(&app.core) - chrono::Days::new(30);
        let actor = Actor::parse(&format!("department:{department}")).unwrap();
        let proposal = ListingProposal {
            id: id.clone(),
            list_code: list_code.into(),
            lists_version: rules.lists_version().into(),
            subject: subject.clone(),
            department: DepartmentCode::parse(department).unwrap(),
            reason: "依法认定".into(),
            facts: format!("{}的失信行为", subject.name),
            legal_basis: list.basis.clone(),
            source_records: Vec::new(),
            proposed_on: from,
        };
        let decided = ListsEvent::ListingDecided {
            listing_id: id,
            list_code: list_code.into(),
            subject,
            decision_no: format!("{department}列〔2026〕1号"),
            decided_on: from,
            valid_from: from,
            valid_until: list.valid_until(from),
            measures: list.measures.clone(),
            pushes: Vec::new(),
            liable_people: liable,
        };
        let events = vec![
            NewEvent::new(
                actor.clone(),
                ListsEvent::ListingProposed { proposal, list_kind: list.kind, proposed_by: None },
            ),
            NewEvent::new(actor, decided),
        ];
        app.core.append(events).await.unwrap();
    }
    uscc
}

async fn all_rows(app: &TestApp, table: &'static TableSpec) -> Vec<Vec<Cell>> {
    let mut rows = Vec::new();
    let mut scan = app.core.store().scan_rows(table, 1_000);
    while let Some(page) = scan.next_page().await.unwrap() {
        rows.extend(page);
    }
    rows
}

fn text(row: &[Cell], i: usize) -> String {
    row[i].as_str().unwrap_or_default().to_owned()
}

/// What a forbidden string is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// A natural person's name (legal representatives included: they are
    /// shown masked only).
    Name,
    /// An ID number as stored (also one `find_id_numbers` would not flag,
    /// e.g. run together with other digits).
    IdNumber,
    /// The document number of a record that is not public today.
    HiddenRecord,
    /// An inspector's law-enforcement certificate number (inspectors are
    /// natural persons; their names are `Name`s).
    Certificate,
    /// What of a voluntary registration only the company and its reviewer
    /// see: a pending or rejected one's title and statement, the reasons of
    /// a rejection, supporting files' names and digests. (The company
    /// account that wrote an entry is its actor, public in the log as for
    /// every entry.)
    PrivateRegistration,
}

/// What must never appear, indexed by first character so that a page is
/// scanned once whatever the number of forbidden strings.
struct Forbidden {
    by_first: HashMap<char, Vec<(String, Kind)>>,
    /// Public subject names containing a person's name (shops named after
    /// their owner).
    containing: HashMap<String, Vec<String>>,
    names: usize,
    hidden_documents: usize,
}

impl Forbidden {
    async fn collect(app: &TestApp) -> (Forbidden, Vec<String>, usize) {
        let subjects = all_rows(app, &SUBJECTS).await;
        let subject_names: Vec<String> = subjects.iter().map(|r| text(r, 1)).collect();
        let mut strings: Vec<(String, Kind)> = Vec::new();
        for row in all_rows(app, &PERSONS).await {
            strings.push((text(&row, 0), Kind::IdNumber));
            strings.push((text(&row, 1), Kind::Name));
        }
        for row in all_rows(app, &INSPECTORS).await {
            let inspector = InspectorRow::from_cells(&row).unwrap();
            strings.push((inspector.name, Kind::Name));
            strings.push((inspector.certificate_no, Kind::Certificate));
        }
        for row in all_rows(app, &REGISTRATIONS).await {
            let r = RegistrationRow::from_cells(&row).unwrap();
            if matches!(r.status, RegistrationStatus::Pending | RegistrationStatus::Rejected) {
                strings.push((r.title, Kind::PrivateRegistration));
                strings.push((r.content, Kind::PrivateRegistration));
            }
            strings.extend(
                r.reason.filter(|_| r.status == RegistrationStatus::Rejected).map(|t| (t, Kind::PrivateRegistration)),
            );
        }
        for row in all_rows(app, &REGISTRATION_FILES).await {
            let f = RegistrationFileRow::from_cells(&row).unwrap();
            strings.push((f.name, Kind::PrivateRegistration));
            strings.push((f.sha256, Kind::PrivateRegistration));
        }
        let today = china_today(&app.core);
        let catalog = &app.core.rules().catalog;
        let mut public = 0;
        for row in all_rows(app, &RECORDS).await {
            let record = RecordRow::from_cells(&row).unwrap().into_record();
            if record.subject.is_natural_person() {
                strings.push((record.subject.key.clone(), Kind::IdNumber));
                strings.push((record.subject.name.clone(), Kind::Name));
            }
            if record_is_public(&record, catalog, today) {
                public += 1;
            } else {
                strings.push((record.document_number.clone(), Kind::HiddenRecord));
            }
        }
        strings.retain(|(s, kind)| *kind != Kind::Name || s.chars().count() >= 2);
        strings.sort();
        strings.dedup();
        let mut containing = HashMap::new();
        let mut by_first: HashMap<char, Vec<(String, Kind)>> = HashMap::new();
        let (mut names, mut hidden_documents) = (0, 0);
        for (s, kind) in strings {
            match kind {
                Kind::Name => {
                    names += 1;
                    let within: Vec<String> =
                        subject_names.iter().filter(|n| n.contains(s.as_str())).cloned().collect();
                    containing.insert(s.clone(), within);
                }
                Kind::HiddenRecord => hidden_documents += 1,
                Kind::IdNumber | Kind::Certificate | Kind::PrivateRegistration => {}
            }
            by_first.entry(s.chars().next().unwrap()).or_default().push((s, kind));
        }
        let codes = subjects.iter().map(|r| text(r, 0)).collect();
        (Forbidden { by_first, containing, names, hidden_documents }, codes, public)
    }

    /// Every problem found in one response.
    fn check(&self, what: &str, body: &str) -> Vec<String> {
        let mut problems: Vec<String> =
            find_id_numbers(body).into_iter().map(|id| format!("{what}: ID number {id}")).collect();
        for (at, c) in body.char_indices() {
            let Some(candidates) = self.by_first.get(&c) else { continue };
            let rest = &body[at..];
            for (s, kind) in candidates {
                if !rest.starts_with(s.as_str()) {
                    continue;
                }
                if *kind == Kind::Name && inside_a_subject_name(body, at, s, &self.containing[s]) {
                    continue;
                }
                let context: String = body[at.saturating_sub(60)..].chars().take(50).collect();
                problems.push(format!("{what}: {kind:?} {s} in …{context}…"));
            }
        }
        problems
    }
}

/// A person's name inside a public subject name (a shop named after its
/// owner) is the subject's registered name, not a leak.
fn inside_a_subject_name(body: &str, at: usize, name: &str, containing: &[String]) -> bool {
    containing.iter().any(|subject| {
        subject.match_indices(name).any(|(offset, _)| {
            at.checked_sub(offset)
                .and_then(|from| body.get(from..))
                .is_some_and(|rest| rest.starts_with(subject.as_str()))
        })
    })
}

/// Fragments a visitor might type: pieces from the middle of names, codes,
/// legal forms, nonsense.
fn queries(codes: &[String], names: &HashMap<String, String>) -> Vec<String> {
    let mut out: Vec<String> = ["有限公司", "科技", "济南", "商贸", "个体工商户", "张", "", "<b>x</b>", "合作社"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    for code in codes.iter().step_by(97) {
        out.push(code.clone());
        out.push(code.to_lowercase());
        if let Some(name) = names.get(code) {
            let chars: Vec<char> = name.chars().collect();
            for len in 2..=4 {
                if chars.len() > len + 2 {
                    out.push(chars[2..2 + len].iter().collect());
                }
            }
        }
    }
    out
}

fn encode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

#[tokio::test]
#[expect(clippy::too_many_lines, reason = "one walk over every public page and API, with what each must not show")]
async fn no_public_page_or_api_response_leaks_what_must_stay_private() {
    let app = demo_city().await;
    // The walk makes thousands of searches: no rate limit here.
    let mut app = app;
    app.state =
        app.state.clone().with_portal(xinyong_server::PortalSettings { requests_per_minute: 0, ..Default::default() });
    // One record under objection (marked, still public) and one revoked
    // after its objection (public no more: the walk must not find it).
    let today = china_today(&app.core);
    let catalog = app.core.rules().catalog.clone();
    let public: Vec<RecordRow> = all_rows(&app, &RECORDS)
        .await
        .into_iter()
        .map(|cells| RecordRow::from_cells(&cells).unwrap())
        .filter(|r| r.item == "CF" && record_is_public(&r.clone().into_record(), &catalog, today))
        .take(2)
        .collect();
    for (i, record) in public.iter().enumerate() {
        let clerk = xinyong_test_support::department_user(record.department.as_str());
        let id = xinyong_core::objections::file_objection(&app.core, &clerk, &record.id, "当事人称处罚对象有误")
            .await
            .unwrap();
        if i == 1 {
            let revoked = xinyong_domain::objections::ObjectionResult::Revoked;
            xinyong_core::objections::answer_objection(&app.core, &clerk, &id, revoked, "决定已撤销").await.unwrap();
        }
    }
    let (forbidden, codes, public_records) = Forbidden::collect(&app).await;
    assert!(public_records > 100, "the demo city has public records ({public_records})");
    assert!(forbidden.hidden_documents > 20, "and records that are not public");
    assert!(forbidden.names > 500, "and natural persons");
    // The scanner finds what it looks for.
    let person = all_rows(&app, &PERSONS).await.into_iter().next().unwrap();
    let planted = format!("<td>{}</td><td>{}</td>", text(&person, 1), text(&person, 0));
    assert_eq!(forbidden.check("self-test", &planted).len(), 3, "name, stored ID and checksum-valid ID");
    let names: HashMap<String, String> =
        all_rows(&app, &SUBJECTS).await.iter().map(|r| (text(r, 0), text(r, 1))).collect();

    let mut problems: Vec<String> = Vec::new();
    let mut pages = 0usize;
    let mut verify_indexes: BTreeSet<u64> = BTreeSet::new();
    let mut walk = |what: String, status: StatusCode, body: String, problems: &mut Vec<String>| {
        assert!(status.is_success() || status == StatusCode::BAD_REQUEST, "{what}: {status}");
        problems.extend(forbidden.check(&what, &body));
        pages += 1;
    };
    let collect_verify = |body: &str, into: &mut BTreeSet<u64>| {
        for (i, _) in body.match_indices("/verify/") {
            let n: String = body[i + 8..].chars().take_while(char::is_ascii_digit).collect();
            if let Ok(n) = n.parse() {
                into.insert(n);
            }
        }
    };

    for path in [
        "/",
        "/search",
        "/lists",
        "/verify",
        "/api/v1/openapi.json",
        "/my/login",
        "/my/activate",
        "/commitments",
        "/commitments/items/SPJ_JZSG",
        "/commitments/pledges",
        "/education",
        "/commitments/pledges?q=%E9%A4%90%E9%A5%AE",
        "/api/v1/public/pledges",
        "/notices",
        "/notices?kind=policy",
        "/api/v1/public/notices",
        "/agencies",
        "/api/v1/public/agencies",
    ] {
        let r = app.get(path).await;
        walk(path.to_owned(), r.status, r.text(), &mut problems);
    }
    // The filed agencies' pages: the filing, never the people behind it.
    let filed = app.get("/api/v1/public/agencies").await.json();
    assert_eq!(filed["total"], 3, "the demo's three agencies");
    for a in filed["agencies"].as_array().unwrap() {
        let code = a["uscc"].as_str().unwrap();
        for path in [format!("/agencies/{code}"), format!("/api/v1/public/agencies/{code}")] {
            let r = app.get(&path).await;
            assert!(!r.text().contains("孙立新") && !r.text().contains("李文静"), "{path}");
            walk(path, r.status, r.text(), &mut problems);
        }
    }
    // The published lists: the listed organisation is there, people never.
    let listed: Vec<String> = all_rows(&app, &LISTINGS).await.iter().map(|r| text(r, 4)).collect();
    assert_eq!(listed.len(), 2, "an organisation and a natural person are listed");
    let lists = app.get("/lists").await.text();
    assert!(lists.contains(&format!("/subjects/{}", listed.iter().find(|k| names.contains_key(k.as_str())).unwrap())));
    for path in [
        "/lists?tab=red",
        "/lists?list=court-dishonest",
        "/lists?list=samr-serious&page=2",
        "/api/v1/public/lists",
        "/api/v1/public/lists?list=court-dishonest",
    ] {
        let r = app.get(path).await;
        walk(path.to_owned(), r.status, r.text(), &mut problems);
    }
    assert_eq!(app.get("/api/v1/public/lists").await.json()["total"], 1);
    for q in queries(&codes, &names) {
        for base in ["/search?q=", "/search/suggest?q=", "/api/v1/public/subjects?limit=50&q="] {
            let path = format!("{base}{}", encode(&q));
            let r = app.get(&path).await;
            walk(path, r.status, r.text(), &mut problems);
        }
    }
    let mut penalties_seen = 0usize;
    let mut commitments_seen = 0usize;
    for code in &codes {
        let path = format!("/subjects/{code}");
        let r = app.get(&path).await;
        let body = r.text();
        collect_verify(&body, &mut verify_indexes);
        commitments_seen += usize::from(body.contains("<h3>告知承诺</h3>"));
        walk(path, r.status, body, &mut problems);
        let path = format!("/api/v1/public/subjects/{code}");
        let r = app.get(&path).await;
        penalties_seen += r.json()["penalties"].as_array().map_or(0, Vec::len);
        walk(path, r.status, r.text(), &mut problems);
    }
    assert!(penalties_seen > 10, "penalties on subject pages: {penalties_seen}");
    assert!(commitments_seen >= 3, "告知承诺 on subject pages: {commitments_seen}");
    // Voluntary registrations: the accepted one on its organisation's page,
    // marked; nothing private of the others anywhere (the forbidden strings).
    let registered = all_rows(&app, &REGISTRATIONS)
        .await
        .iter()
        .map(|r| RegistrationRow::from_cells(r).unwrap())
        .find(|r| r.title == REGISTERED_PUBLIC)
        .unwrap();
    let page = app.get(&format!("/subjects/{}", registered.uscc)).await.text();
    assert!(
        page.contains(REGISTERED_PUBLIC) && page.contains("自主申报 · 已审核"),
        "the accepted registration is public"
    );
    assert!(!page.contains(REGISTERED_PENDING) && !page.contains(REGISTERED_REJECTED));
    // Random inspections: the list, each published task and its draw record
    // (targets and strata; inspectors never by name).
    let r = app.get("/inspections").await;
    let list = r.text();
    let tasks: Vec<String> =
        list.split("href=\"/inspections/").skip(1).map(|s| s.split('"').next().unwrap().to_owned()).collect();
    assert!(!tasks.is_empty(), "a published inspection task");
    let pledges = app.get("/api/v1/public/pledges").await.json();
    assert!(pledges["total"].as_u64().unwrap() >= 7, "voluntary and self-discipline pledges: {pledges}");
    walk("/inspections".to_owned(), r.status, r.text(), &mut problems);
    for id in tasks {
        for path in [format!("/inspections/{id}"), format!("/api/v1/public/inspections/{id}/draw")] {
            let r = app.get(&path).await;
            assert_eq!(r.status, StatusCode::OK, "{path}");
            walk(path, r.status, r.text(), &mut problems);
        }
    }
    for kind in ["licences", "penalties"] {
        let mut path = format!("/publicity/{kind}");
        let mut rows = 0;
        loop {
            let r = app.get(&path).await;
            let body = r.text();
            rows += body.matches("<tr>").count().saturating_sub(1);
            collect_verify(&body, &mut verify_indexes);
            let next =
                body.split("rel=\"next\" href=\"").nth(1).map(|s| s.split('"').next().unwrap().replace("&amp;", "&"));
            walk(path, r.status, body, &mut problems);
            match next {
                Some(n) => path = n,
                None => break,
            }
        }
        assert!(rows > 10, "{kind}: {rows} rows");
        // The JSON API of the same list, walked by its keyset cursor and by a
        // name filter: the same rows, the same rules.
        let mut path = format!("/api/v1/public/{kind}?page_size=100");
        let mut records = 0;
        loop {
            let r = app.get(&path).await;
            assert_eq!(r.status, StatusCode::OK, "{path}");
            let json = r.json();
            records += json["records"].as_array().map_or(0, Vec::len);
            let next = json["next_after"].as_str().map(|a| format!("/api/v1/public/{kind}?page_size=100&after={a}"));
            walk(path, r.status, r.text(), &mut problems);
            match next {
                Some(n) => path = n,
                None => break,
            }
        }
        assert_eq!(records, rows, "{kind}: the API lists what the pages list");
        for q in ["%E6%B5%8E%E5%8D%97", "%25", "_"] {
            let path = format!("/api/v1/public/{kind}?q={q}&page=2&page_size=5");
            let r = app.get(&path).await;
            walk(path, r.status, r.text(), &mut problems);
        }
    }
    // Every entry of the log, not only the ones linked from pages.
    let size = app.core.store().log_size().await.unwrap();
    assert!(verify_indexes.iter().all(|i| *i < size));
    let mut opened = 0;
    for index in 0..size {
        let path = format!("/verify/{index}");
        let r = app.get(&path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        let body = r.text();
        assert!(body.contains("证明有效"), "{path}");
        let opens = body.contains("body.json");
        walk(path, r.status, body, &mut problems);
        if opens {
            let raw = app.get(&format!("/verify/{index}/body.json")).await;
            assert_eq!(raw.status, StatusCode::OK);
            opened += 1;
            walk(format!("/verify/{index}/body.json"), raw.status, raw.text(), &mut problems);
        }
    }
    assert!(pages > 3 * SUBJECTS_IN_CITY, "walked {pages} responses");
    let found = problems.len();
    problems.truncate(30);
    assert!(found == 0, "{found} problems (first 30):\n{}", problems.join("\n"));
    eprintln!(
        "leak walk: {pages} responses, {} log entries ({} linked from pages, {opened} bodies opened), \
         {public_records} public records, {} hidden",
        size,
        verify_indexes.len(),
        forbidden.hidden_documents
    );
}

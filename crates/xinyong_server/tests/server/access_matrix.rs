//! Every route of the route table × every kind of caller, through the real
//! router: the answer's class must be what the access policy says for the
//! route's action and resource. Nobody → 401 (API) or 303 to the login page
//! (console); forbidden → 403 (404 where the route conceals existence);
//! allowed → neither. The router is built from the same table, so a route
//! cannot be served without being walked here, and a route without a sample
//! request below fails the test; an action without a policy entry does not
//! compile (`authorize` matches every action).

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU8, Ordering};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};
use xinyong_core::auth::policy::{self, Denied, Principal, Resource, TokenPrincipal, authorize, own_department, scope};
use xinyong_core::auth::subject_accounts::{self, Activation};
use xinyong_core::auth::{self, NewUser};
use xinyong_core::lists::credit_file::{self, BanInput};
use xinyong_core::lists::listing::{self, ProposeListing};
use xinyong_core::objections;
use xinyong_domain::Uscc;
use xinyong_domain::auth::{DepartmentCode, Role};
use xinyong_domain::event::{Actor, NewEvent};
use xinyong_domain::lists::BanScope;
use xinyong_domain::repair::{RepairApplication, RepairEvent};
use xinyong_domain::subjects::{LegalPerson, SubjectName, SubjectStatus, SubjectsEvent};
use xinyong_server::routes::{self, Credentials, Locate, Route};
use xinyong_test_support::{TestApp, TestResponse, department_user, user};

const PASSWORD: &str = "correct-horse-42";
/// Department A, whose things the sample requests name, and department B.
const A: &str = "scjgj";
const B: &str = "ggzyjy";
const ORG: &str = "91370102MA3C4F2K2U";
/// Another company, with its own account.
const ORG2: &str = "91370112MA3D0B7K2E";
const BOUNDARY: &str = "matrix-boundary";
/// A filed credit service agency with an account, to which ORG consented.
const AGENCY: &str = "91370102MA3C8N1A81";
/// Another filed agency, whose status, staff and accounts the samples change.
const AGENCY2: &str = "91370102MA3C8N2B25";

fn code(raw: &str) -> DepartmentCode {
    DepartmentCode::parse(raw).unwrap()
}

fn org() -> Uscc {
    Uscc::parse(ORG).unwrap()
}

/// Each login gets its own session secret.
static NEXT_SECRET: AtomicU8 = AtomicU8::new(1);

/// A console session: the cookie and the CSRF token of its forms.
#[derive(Debug, Clone)]
struct Session {
    cookie: String,
    csrf: String,
}

async fn log_in(app: &TestApp, login: &str) -> Session {
    let secret = [NEXT_SECRET.fetch_add(1, Ordering::Relaxed); 32];
    let session = auth::login(&app.core, login, PASSWORD, secret).await.unwrap();
    Session { cookie: session.cookie_value, csrf: session.csrf_token }
}

/// A kind of caller: who the policy would see, and the credentials it sends.
#[derive(Debug)]
struct Caller {
    name: &'static str,
    principal: Principal,
    /// The login, to mint a fresh session where a request ends one (logout).
    login: Option<&'static str>,
    session: Option<Session>,
    bearer: Option<String>,
    /// The credentials no longer establish anybody (a disabled user's old
    /// session, a revoked token).
    stale: bool,
    /// A company account's USCC: a fresh session is a company login.
    company: Option<&'static str>,
    /// An agency account's agency: a fresh session is an agency login.
    agency: Option<&'static str>,
}

impl Caller {
    /// Who the route sees: console pages read only sessions; the API reads a
    /// bearer token first, else a session; stale credentials are nobody.
    fn seen_by(&self, credentials: Credentials) -> Principal {
        let by_session = self.session.is_some() && self.bearer.is_none();
        let seen = match credentials {
            Credentials::Public => true,
            Credentials::Session => by_session,
            Credentials::Api => by_session || self.bearer.is_some(),
        };
        if seen && !self.stale { self.principal.clone() } else { Principal::Anonymous }
    }
}

/// The sample data the requests name: department A's listing, ban, batch,
/// record and a token to revoke.
#[derive(Debug)]
struct Fixture {
    app: TestApp,
    callers: Vec<Caller>,
    listing: String,
    /// An objection filed against `listing` after its notice was served.
    listing_objection: String,
    ban: String,
    batch: String,
    record: String,
    spare_token: String,
    objection: String,
    repair: String,
    /// An inspection task led by A.
    task: String,
    /// A commitment of A's company for an item A grants, one material deferred.
    commitment: String,
    /// A voluntary registration of A's company that A reviews (a qualification).
    registration: String,
    /// A consent of A's company to the second agency, revoked by a sample.
    spare_consent: String,
}

/// An approved subscriber (a bank) with its API token.
async fn subscriber(core: &xinyong_core::Core) -> Caller {
    use xinyong_core::subscriptions::{self, NewSubscriber};
    let bank = NewSubscriber {
        name: "济南某商业银行".into(),
        uscc: "91370100163056447N".into(),
        kind: "financial_institution".into(),
        contact: "授信管理部".into(),
    };
    let registered = subscriptions::register(core, &Principal::system(), bank, [205; 32]).await.unwrap();
    let id = registered.subscriber.subscriber_id.clone();
    subscriptions::approve(core, &Principal::system(), &id).await.unwrap();
    Caller {
        name: "subscriber",
        principal: Principal::Subscriber(policy::SubscriberPrincipal { subscriber_id: id }),
        login: None,
        session: None,
        bearer: Some(registered.token),
        stale: false,
        company: None,
        agency: None,
    }
}

/// Files the two agencies, opens the first one's account, lets ORG consent
/// to both (the second consent is revoked by a sample), and returns the
/// agency's caller and the spare consent.
async fn agencies(app: &TestApp) -> (Caller, String) {
    use xinyong_core::agencies::{self, NewAgency};
    let core = &app.core;
    let office = Principal::system();
    for (code, name) in [(AGENCY, "济南某某信用管理有限公司"), (AGENCY2, "济南某某征信服务有限公司")]
    {
        let filing = NewAgency {
            uscc: Uscc::parse(code).unwrap(),
            name: name.into(),
            filing_no: format!("济信服备〔2026〕{}号", &code[14..17]),
            legal_representative: "王某某".into(),
            address: "济南市历下区".into(),
            business_scope: "信用报告".into(),
        };
        agencies::file_agency(core, &office, &filing).await.unwrap();
    }
    let agency = Uscc::parse(AGENCY).unwrap();
    agencies::open_account(core, &office, &agency, "admin", "张经理", PASSWORD).await.unwrap();
    let company = Principal::Subject(policy::SubjectPrincipal {
        uscc: org(),
        username: "admin".into(),
        role: xinyong_domain::auth::SubjectAccountRole::LegalRepresentative,
    });
    let until = xinyong_core::collection::intake::china_today(core).succ_opt().unwrap();
    agencies::grant_consent(core, &company, &org(), &agency, until).await.unwrap();
    let spare = agencies::grant_consent(core, &company, &org(), &Uscc::parse(AGENCY2).unwrap(), until).await.unwrap();
    let caller = Caller {
        name: "agency",
        principal: Principal::Agency(policy::AgencyPrincipal { agency, username: "admin".into() }),
        login: None,
        session: Some(agency_log_in(app).await),
        bearer: None,
        stale: false,
        company: None,
        agency: Some(AGENCY),
    };
    (caller, spare)
}

async fn agency_log_in(app: &TestApp) -> Session {
    let secret = [NEXT_SECRET.fetch_add(1, Ordering::Relaxed); 32];
    let agency = Uscc::parse(AGENCY).unwrap();
    let session = xinyong_core::agencies::agency_login(&app.core, &agency, "admin", PASSWORD, secret).await.unwrap();
    Session { cookie: session.cookie_value, csrf: session.csrf_token }
}

/// A console user with a live session.
async fn person(app: &TestApp, login: &'static str, name: &'static str, d: Option<&str>, roles: &[Role]) -> Caller {
    Caller {
        name,
        principal: user(login, d, roles),
        login: Some(login),
        session: Some(log_in(app, login).await),
        bearer: None,
        stale: false,
        company: None,
        agency: None,
    }
}

/// A company's main account with a live session (activated with a letter).
async fn company_account(app: &TestApp, uscc: &'static str, name: &'static str) -> Caller {
    let org = Uscc::parse(uscc).unwrap();
    let letter = subject_accounts::issue_activation_code(&app.core, &department_user(A), &org, [7; 10]).await.unwrap();
    let activation = Activation {
        uscc: org.clone(),
        code: letter.code,
        username: "admin".into(),
        display_name: "办公室".into(),
        password: PASSWORD.into(),
    };
    let principal = Principal::Subject(subject_accounts::activate(&app.core, &activation).await.unwrap());
    Caller {
        name,
        principal,
        login: None,
        session: Some(company_log_in(app, uscc).await),
        bearer: None,
        stale: false,
        company: Some(uscc),
        agency: None,
    }
}

async fn company_log_in(app: &TestApp, uscc: &str) -> Session {
    let secret = [NEXT_SECRET.fetch_add(1, Ordering::Relaxed); 32];
    let org = Uscc::parse(uscc).unwrap();
    let session = subject_accounts::subject_login(&app.core, &org, "admin", PASSWORD, None, secret).await.unwrap();
    Session { cookie: session.cookie_value, csrf: session.csrf_token }
}

fn penalty(doc: &str) -> Value {
    json!({
        "行政相对人名称": "济南泉润商贸有限公司",
        "行政相对人类别": "法人及非法人组织",
        "CF_XDR_SHXYM": ORG,
        "法定代表人": "张建国",
        "CF_WSH": doc,
        "CF_WFXW": "销售不合格商品",
        "CF_SY": "当事人销售的电热水壶经抽检不合格。",
        "CF_YJ": "《中华人民共和国产品质量法》第四十九条",
        "CF_CFLB": "罚款",
        "CF_NR": "罚款5万元",
        "CF_NR_FK": 5,
        "CF_JDRQ": "2026-06-01",
        "CF_YXQ": "2027-06-01",
        "CF_CFJG": "济南市市场监督管理局",
        "CF_CFJGDM": "11370100MB2853A6XD",
        "CF_SJLY": "济南市市场监督管理局",
        "CF_SJLYDM": "11370100MB2853A6XD",
    })
}

/// One story that builds every kind of caller and every thing the samples
/// name, in order.
#[expect(
    clippy::too_many_lines,
    reason = "one story that builds every kind of caller and every thing the samples name, in order"
)]
async fn fixture() -> Fixture {
    let app = TestApp::new().await;
    let core = &app.core;
    auth::seed_departments(core, &auth::shipped_departments().unwrap()).await.unwrap();
    let company = SubjectsEvent::LegalPersonRegistered {
        subject: LegalPerson {
            uscc: org(),
            name: SubjectName::parse("济南泉润商贸有限公司").unwrap(),
            status: SubjectStatus::Active,
        },
        people: vec![],
    };
    core.append(vec![NewEvent::new(Actor::parse("demo").unwrap(), company)]).await.unwrap();
    let other = SubjectsEvent::LegalPersonRegistered {
        subject: LegalPerson {
            uscc: Uscc::parse(ORG2).unwrap(),
            name: SubjectName::parse("济南历城鑫达建材有限公司").unwrap(),
            status: SubjectStatus::Active,
        },
        people: vec![],
    };
    core.append(vec![NewEvent::new(Actor::parse("demo").unwrap(), other)]).await.unwrap();

    let users: [(&str, Option<&str>, Vec<Role>); 7] = [
        ("op_a", Some(A), vec![Role::Operator]),
        ("rv_a", Some(A), vec![Role::Reviewer]),
        ("or_a", Some(A), vec![Role::Operator, Role::Reviewer]),
        ("or_b", Some(B), vec![Role::Operator, Role::Reviewer]),
        ("boss", None, vec![Role::Admin]),
        ("gone", Some(A), vec![Role::Operator, Role::Reviewer]),
        // Disabled and reset by the samples of the user routes (no caller).
        ("spare_user", Some(A), vec![Role::Operator]),
    ];
    for (login, department, roles) in users {
        let new = NewUser {
            login: login.into(),
            display_name: format!("测试{login}"),
            department: department.map(code),
            roles,
        };
        auth::create_user(core, &Actor::system(), new, PASSWORD).await.unwrap();
    }
    let token_a = auth::issue_token(core, &Actor::system(), &code(A), "A 系统", [201; 32]).await.unwrap();
    let token_b = auth::issue_token(core, &Actor::system(), &code(B), "B 系统", [202; 32]).await.unwrap();
    let revoked = auth::issue_token(core, &Actor::system(), &code(A), "已吊销", [203; 32]).await.unwrap();
    auth::revoke_token(core, &Actor::system(), &revoked.token_id).await.unwrap();
    let spare = auth::issue_token(core, &Actor::system(), &code(A), "待吊销", [204; 32]).await.unwrap();
    let gone = log_in(&app, "gone").await;
    auth::disable_user(core, &Actor::system(), "gone").await.unwrap();

    let token = |t: &auth::IssuedToken, d: &str| {
        Principal::Token(TokenPrincipal { token_id: t.token_id.clone(), department: code(d) })
    };
    let mut callers = vec![Caller {
        name: "anonymous",
        principal: Principal::Anonymous,
        login: None,
        session: None,
        bearer: None,
        stale: false,
        company: None,
        agency: None,
    }];
    callers.push(person(&app, "op_a", "op A", Some(A), &[Role::Operator]).await);
    callers.push(person(&app, "rv_a", "rv A", Some(A), &[Role::Reviewer]).await);
    callers.push(person(&app, "or_a", "op+rv A", Some(A), &[Role::Operator, Role::Reviewer]).await);
    callers.push(person(&app, "or_b", "op+rv B", Some(B), &[Role::Operator, Role::Reviewer]).await);
    callers.push(person(&app, "boss", "office", None, &[Role::Admin]).await);
    for (name, t, d, stale) in
        [("token A", &token_a, A, false), ("token B", &token_b, B, false), ("revoked", &revoked, A, true)]
    {
        callers.push(Caller {
            name,
            principal: token(t, d),
            login: None,
            session: None,
            bearer: Some(t.token.clone()),
            stale,
            company: None,
            agency: None,
        });
    }
    callers.push(Caller {
        name: "disabled",
        principal: user("gone", Some(A), &[Role::Operator, Role::Reviewer]),
        login: None,
        session: Some(gone),
        bearer: None,
        stale: true,
        company: None,
        agency: None,
    });

    // Department A's things.
    let proposal = ProposeListing {
        list_code: "key-attention".into(),
        subject: ORG.into(),
        reason: "多次被投诉".into(),
        legal_basis: "济市监责改〔2026〕7号".into(),
        ..ProposeListing::default()
    };
    let listing = listing::propose(core, &department_user(A), &code(A), proposal).await.unwrap();
    let today = xinyong_core::collection::intake::china_today(core);
    listing::serve_notice(core, &department_user(A), &listing, today, "直接送达").await.unwrap();
    let listing_objection =
        listing::file_objection(core, &department_user(A), &listing, today, "事实不清").await.unwrap();
    let ban = BanInput {
        subject: ORG.into(),
        scope: BanScope::Industry,
        field: "食品生产经营".into(),
        description: String::new(),
        basis: "《中华人民共和国食品安全法》第一百三十五条".into(),
        decision_no: "济市监禁〔2026〕1号".into(),
        starts_on: "2026-11-01".parse().unwrap(),
        ends_on: None,
        listing_id: None,
    };
    let ban = credit_file::impose_ban(core, &department_user(A), &code(A), ban).await.unwrap();
    let body = json!({"item": "CF", "rows": [penalty("济市监罚〔2026〕101号"), penalty("")]});
    let r = app
        .send(
            Request::post("/api/v1/records/batches")
                .header(header::AUTHORIZATION, format!("Bearer {}", token_a.token))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let out = r.json();
    let batch = out["batch"]["id"].as_str().unwrap().to_owned();
    let record = out["rows"][0]["record_id"].as_str().unwrap().to_owned();

    // The companies' accounts, an objection of A's company and its repair application.
    callers.push(company_account(&app, ORG, "company").await);
    callers.push(company_account(&app, ORG2, "company 2").await);
    let company = callers.iter().find(|c| c.name == "company").unwrap().principal.clone();
    let objection = objections::file_objection(core, &company, &record, "罚款金额有误").await.unwrap();
    let repair = repair_application(core, &record).await;
    let task = inspection_task(core).await;
    let made = xinyong_core::commitments::MakeCommitment {
        uscc: ORG.into(),
        item_code: "SCJ_SPJY".into(),
        case_ref: "SCJ-2026-1126-001".into(),
        deferred: vec!["AQZD".into()],
    };
    let commitment = xinyong_core::commitments::make(core, &department_user(A), made).await.unwrap();
    let registered = xinyong_core::registrations::SubmitRegistration {
        kind: "qualification".into(),
        title: "食品经营许可证".into(),
        issuer: "济南市市场监督管理局".into(),
        content: "许可范围：预包装食品销售".into(),
        commitment_signed: true,
        ..xinyong_core::registrations::SubmitRegistration::default()
    };
    let registration = xinyong_core::registrations::submit(core, &company, &org(), registered).await.unwrap();
    callers.push(subscriber(core).await);
    let (agency, spare_consent) = agencies(&app).await;
    callers.push(agency);
    Fixture {
        app,
        callers,
        listing,
        listing_objection,
        ban,
        batch,
        record,
        spare_token: spare.token_id,
        objection,
        repair,
        task,
        commitment,
        registration,
        spare_consent,
    }
}

/// A pending repair application for the record, written as the event the
/// use case writes (the record is too young to be repaired by the rules).
async fn repair_application(core: &xinyong_core::Core, record: &str) -> String {
    let application = RepairApplication {
        application_id: "XF-matrix".into(),
        record_id: record.into(),
        record_entry: 1,
        uscc: org(),
        department: code(A),
        item: "CF".into(),
        document_number: "济市监罚〔2026〕101号".into(),
        subject_name: "济南泉润商贸有限公司".into(),
        regime: "gbf-2025-22".into(),
        severity: Some("general".into()),
        commitment_version: "2026.1".into(),
        commitment_sha256: "0".repeat(64),
        signed_by: "subject:91370102ma3c4f2k2u:admin".into(),
        materials: vec![],
        applied_on: "2026-11-20".parse().unwrap(),
        review_due: "2026-12-04".parse().unwrap(),
    };
    core.append(vec![NewEvent::new(
        Actor::parse("demo").unwrap(),
        RepairEvent::RepairApplied { application: Box::new(application) },
    )])
    .await
    .unwrap();
    "XF-matrix".into()
}

/// What a sample request sends.
#[derive(Debug, Clone)]
enum Send {
    Nothing,
    /// A urlencoded console form; the caller's CSRF token is added.
    Form(Vec<(&'static str, String)>),
    Json(Value),
    /// The upload form with the penalties fixture.
    Upload(Vec<(&'static str, String)>),
}

#[derive(Debug, Clone)]
struct Sample {
    path: String,
    send: Send,
    /// The request ends the session it carries: send it with a fresh one.
    ends_session: bool,
}

fn form(fields: &[(&'static str, &str)]) -> Send {
    Send::Form(fields.iter().map(|(k, v)| (*k, (*v).to_owned())).collect())
}

/// One request per route of the table, naming department A's things. `None`
/// for a route this list does not know: the test fails naming it.
#[expect(clippy::too_many_lines, reason = "one arm per route of the table")]
fn sample(route: &Route, f: &Fixture) -> Option<Sample> {
    let get = |path: &str| Some(Sample { path: path.to_owned(), send: Send::Nothing, ends_session: false });
    let post = |path: &str, send: Send| Some(Sample { path: path.to_owned(), send, ends_session: false });
    let listing = |step: &str| format!("/console/listings/{}/{step}", f.listing);
    match (route.method.as_str(), route.path) {
        ("GET", "/") => get("/"),
        ("GET", "/favicon.ico") => get("/favicon.ico"),
        ("GET", "/api/docs") => get("/api/docs"),
        ("GET", "/search") => get("/search?q=%E6%B3%89%E6%B6%A6"),
        ("GET", "/search/suggest") => get("/search/suggest?q=%E6%B3%89%E6%B6%A6"),
        ("GET", "/subjects/{uscc}") => get(&format!("/subjects/{ORG}")),
        ("GET", "/subjects/{uscc}/report.json") => get(&format!("/subjects/{ORG}/report.json")),
        ("GET", "/subjects/{uscc}/report.pdf") => get(&format!("/subjects/{ORG}/report.pdf")),
        ("GET", "/reports/{id}") => get("/reports/XYBG20261204A1B2C3D4E5"),
        ("GET", "/reports/verify") => get("/reports/verify"),
        ("POST", "/witness/add-checkpoint") => post("/witness/add-checkpoint", Send::Nothing),
        ("POST", "/reports/verify") => post("/reports/verify", Send::Upload(Vec::new())),
        ("GET", "/publicity/licences") => get("/publicity/licences"),
        ("GET", "/publicity/penalties") => get("/publicity/penalties"),
        ("GET", "/lists") => get("/lists"),
        ("GET", "/inspections") => get("/inspections"),
        ("GET", "/inspections/{id}") => get(&format!("/inspections/{}", f.task)),
        ("GET", "/api/v1/public/inspections/{id}/draw") => get(&format!("/api/v1/public/inspections/{}/draw", f.task)),
        ("GET", "/console/inspections") => get("/console/inspections"),
        ("POST", "/console/inspections/items") => post(
            "/console/inspections/items",
            form(&[
                ("department", A),
                ("code", "M-02"),
                ("name", "检查"),
                ("legal_basis", "依据"),
                ("content", "内容"),
            ]),
        ),
        ("POST", "/console/inspections/inspectors") => post(
            "/console/inspections/inspectors",
            form(&[("department", A), ("inspector_id", "A-001"), ("name", "王敏"), ("certificate_no", "370100001")]),
        ),
        ("POST", "/console/inspections/tasks") => post(
            "/console/inspections/tasks",
            form(&[
                ("department", A),
                ("title", "抽查"),
                ("items", "M-01"),
                ("period_start", "2026-12-01"),
                ("period_end", "2026-12-31"),
            ]),
        ),
        ("GET", "/console/inspections/tasks/{id}") => get(&format!("/console/inspections/tasks/{}", f.task)),
        ("POST", "/console/inspections/tasks/{id}/commit") => {
            post(&format!("/console/inspections/tasks/{}/commit", f.task), form(&[]))
        }
        ("POST", "/console/inspections/tasks/{id}/draw") => {
            post(&format!("/console/inspections/tasks/{}/draw", f.task), form(&[]))
        }
        ("POST", "/console/inspections/tasks/{id}/beacon") => {
            post(&format!("/console/inspections/tasks/{}/beacon", f.task), form(&[("beacon", "2026140")]))
        }
        ("POST", "/console/inspections/tasks/{id}/results") => post(
            &format!("/console/inspections/tasks/{}/results", f.task),
            form(&[("uscc", ORG), ("outcome", "normal")]),
        ),
        ("POST", "/console/inspections/tasks/{id}/publish") => {
            post(&format!("/console/inspections/tasks/{}/publish", f.task), form(&[]))
        }
        ("GET", "/static/{*path}") => get("/static/site.css"),
        ("GET", "/api/v1/public/subjects") => get("/api/v1/public/subjects?q=%E6%B3%89%E6%B6%A6"),
        ("GET", "/api/v1/public/subjects/{uscc}") => get(&format!("/api/v1/public/subjects/{ORG}")),
        ("GET", "/api/v1/public/lists") => get("/api/v1/public/lists"),
        ("GET", "/api/v1/public/licences") => get("/api/v1/public/licences?page=1&q=%E6%B3%89%E6%B6%A6"),
        ("GET", "/api/v1/public/penalties") => get("/api/v1/public/penalties?district=370102&page_size=5"),
        ("GET", "/api/v1/public/log/{index}") => get("/api/v1/public/log/0"),
        ("GET", "/verify") => get("/verify"),
        ("GET", "/verify/{index}") => get("/verify/0"),
        ("GET", "/verify/{index}/body.json") => get("/verify/0/body.json"),
        ("GET", "/verify/{index}/disclosures.json") => get("/verify/0/disclosures.json"),
        ("GET", "/log/key") => get("/log/key"),
        ("GET", "/log/key-rotations") => get("/log/key-rotations"),
        ("GET", "/log/checkpoint") => get("/log/checkpoint"),
        ("GET", "/log/checkpoint/cosigned") => get("/log/checkpoint/cosigned"),
        ("GET", "/log/entries/{index}") => get("/log/entries/0"),
        ("GET", "/log/entries/{index}/proof") => get("/log/entries/0/proof"),
        ("GET", "/log/consistency") => get("/log/consistency?old=1&new=2"),
        ("GET", "/healthz") => get("/healthz"),
        ("GET", "/readyz") => get("/readyz"),
        ("GET", "/metrics") => get("/metrics"),
        ("GET", "/api/v1/ping") => get("/api/v1/ping"),
        ("GET", "/api/v1/openapi.json") => get("/api/v1/openapi.json"),
        ("GET", "/console/login") => get("/console/login?next=/console"),
        ("POST", "/console/login") => {
            post("/console/login", form(&[("login", "or_a"), ("password", PASSWORD), ("next", "/console")]))
        }
        ("GET", "/console") => get("/console"),
        ("POST", "/console/logout") => {
            Some(Sample { path: "/console/logout".into(), send: form(&[]), ends_session: true })
        }
        ("GET", "/console/audit") => get("/console/audit?since=2026-01-01"),
        ("GET", "/console/audit.xlsx") => get("/console/audit.xlsx"),
        ("POST", "/console/users") => post(
            "/console/users",
            form(&[
                ("login", "matrix_new"),
                ("display_name", "矩阵"),
                ("department", A),
                ("role_operator", "on"),
                ("password", "Matrix-Test-2026"),
            ]),
        ),
        ("POST", "/console/users/{login}/disable") => post("/console/users/spare_user/disable", form(&[])),
        ("POST", "/console/users/{login}/reset-password") => {
            post("/console/users/spare_user/reset-password", form(&[]))
        }
        ("POST", "/console/tokens") => post("/console/tokens", form(&[("label", "矩阵测试"), ("department", A)])),
        ("POST", "/console/tokens/{id}/revoke") => {
            post(&format!("/console/tokens/{}/revoke", f.spare_token), form(&[]))
        }
        ("GET", "/api/v1/whoami") => get("/api/v1/whoami"),
        ("GET", "/console/uploads") => get("/console/uploads"),
        ("POST", "/console/uploads") => post(
            "/console/uploads",
            Send::Upload(vec![("department", A.into()), ("item", "CF".into()), ("dry_run", "on".into())]),
        ),
        ("GET", "/console/templates/{file}") => get("/console/templates/CF.xlsx"),
        ("GET", "/console/batches/{id}") => get(&format!("/console/batches/{}", f.batch)),
        ("GET", "/console/batches/{id}/errors.xlsx") => get(&format!("/console/batches/{}/errors.xlsx", f.batch)),
        ("GET", "/console/timeliness") => get("/console/timeliness"),
        ("POST", "/api/v1/records/batches") => post(
            "/api/v1/records/batches",
            Send::Json(json!({"item": "CF", "dry_run": true, "rows": [penalty("济市监罚〔2026〕102号")]})),
        ),
        ("GET", "/api/v1/records/batches/{id}") => get(&format!("/api/v1/records/batches/{}", f.batch)),
        ("GET", "/api/v1/records/batches/{id}/errors.xlsx") => {
            get(&format!("/api/v1/records/batches/{}/errors.xlsx", f.batch))
        }
        ("GET", "/api/v1/records/{id}") => get(&format!("/api/v1/records/{}", f.record)),
        ("GET", "/api/v1/stats/timeliness") => get("/api/v1/stats/timeliness"),
        ("GET", "/console/listings") => get("/console/listings"),
        ("POST", "/console/listings") => post(
            "/console/listings",
            form(&[
                ("department", A),
                ("list_code", "key-attention"),
                ("subject", ORG),
                ("reason", "多次被投诉"),
                ("legal_basis", "济市监责改〔2026〕8号"),
            ]),
        ),
        ("GET", "/console/listings/{id}") => get(&format!("/console/listings/{}", f.listing)),
        ("GET", "/console/listings/{id}/notice.pdf") => get(&listing("notice.pdf")),
        ("GET", "/console/listings/{id}/decision.pdf") => get(&listing("decision.pdf")),
        ("GET", "/console/listings/{id}/objections/{objection}/answer.pdf") => {
            get(&format!("/console/listings/{}/objections/{}/answer.pdf", f.listing, f.listing_objection))
        }
        ("POST", "/console/listings/{id}/notice") => {
            post(&listing("notice"), form(&[("served_on", "2026-11-26"), ("channel", "直接送达")]))
        }
        ("POST", "/console/listings/{id}/objections") => {
            post(&listing("objections"), form(&[("filed_on", "2026-11-26"), ("grounds", "事实不清")]))
        }
        ("POST", "/console/listings/{id}/answer") => post(
            &listing("answer"),
            form(&[("objection_id", "OB0000000000000000"), ("outcome", "rejected"), ("reply", "不成立")]),
        ),
        ("POST", "/console/listings/{id}/decide") => {
            post(&listing("decide"), form(&[("decision_no", "济市监列〔2026〕1号"), ("decided_on", "2026-11-26")]))
        }
        ("POST", "/console/listings/{id}/withdraw") => post(&listing("withdraw"), form(&[("reason", "撤回")])),
        ("POST", "/console/listings/{id}/exit") => post(
            &listing("exit"),
            form(&[("reason", "revoked"), ("on", "2026-11-26"), ("decision_no", "济市监撤〔2026〕1号")]),
        ),
        ("GET", "/console/bans") => get("/console/bans"),
        ("POST", "/console/bans") => post(
            "/console/bans",
            form(&[
                ("subject", ORG),
                ("scope", "industry"),
                ("field", "食品生产经营"),
                ("basis", "《中华人民共和国食品安全法》第一百三十五条"),
                ("decision_no", "济禁〔2026〕9号"),
                ("starts_on", "2026-11-20"),
            ]),
        ),
        ("POST", "/console/bans/{id}/lift") => {
            post(&format!("/console/bans/{}/lift", f.ban), form(&[("on", "2026-11-26"), ("reason", "复议撤销")]))
        }
        ("GET", "/console/interviews") => get("/console/interviews"),
        ("POST", "/console/interviews") => post(
            "/console/interviews",
            form(&[
                ("kind", "warning"),
                ("held_on", "2026-11-20"),
                ("subject", ORG),
                ("interviewees", "张某（法定代表人）"),
                ("interviewers", "王经办"),
                ("outcome", "要求整改"),
            ]),
        ),
        ("GET", "/console/subjects") => get(&format!("/console/subjects?q={ORG}")),
        ("GET", "/console/subjects/{uscc}") => get(&format!("/console/subjects/{ORG}")),
        ("GET", "/console/evaluation") => get("/console/evaluation"),
        ("GET", "/console/evaluation/dashboard") => get("/console/evaluation/dashboard?days=30"),
        ("POST", "/console/evaluation/import") => post(
            "/console/evaluation/import",
            Send::Upload(vec![("scheme", "national".into()), ("period", "2025".into())]),
        ),
        ("POST", "/api/v1/evaluation/external-grades") => post(
            "/api/v1/evaluation/external-grades",
            Send::Json(json!({"scheme": "national", "period": "2025", "grades": [{"uscc": ORG, "grade": "良"}]})),
        ),
        ("GET", "/api/v1/subjects/{uscc}/grades") => get(&format!("/api/v1/subjects/{ORG}/grades")),
        ("GET", "/console/subscribers") => get("/console/subscribers"),
        ("POST", "/console/subscribers") => post(
            "/console/subscribers",
            form(&[("name", "矩阵测试银行"), ("uscc", ORG), ("kind", "financial_institution"), ("contact", "")]),
        ),
        ("GET", "/console/subscribers/{id}") => get("/console/subscribers/s0000000000"),
        ("POST", "/console/subscribers/{id}/approve") => post("/console/subscribers/s0000000000/approve", form(&[])),
        ("POST", "/console/subscribers/{id}/suspend") => {
            post("/console/subscribers/s0000000000/suspend", form(&[("reason", "测试")]))
        }
        ("GET", "/my/registrations") => get("/my/registrations"),
        ("POST", "/my/registrations") => post(
            "/my/registrations",
            Send::Upload(vec![
                ("kind", "honour".into()),
                ("title", "矩阵测试荣誉".into()),
                ("content", "说明".into()),
                ("commitment", "on".into()),
            ]),
        ),
        ("GET", "/my/registrations/{id}") => get(&format!("/my/registrations/{}", f.registration)),
        ("POST", "/my/registrations/{id}/withdraw") => {
            post(&format!("/my/registrations/{}/withdraw", f.registration), form(&[]))
        }
        ("GET", "/console/registrations") => get("/console/registrations"),
        ("GET", "/console/registrations/{id}") => get(&format!("/console/registrations/{}", f.registration)),
        ("POST", "/console/registrations/{id}/review") => post(
            &format!("/console/registrations/{}/review", f.registration),
            form(&[("outcome", "rejected"), ("reason", "证明材料不清晰")]),
        ),
        ("GET", "/console/registrations/{id}/files/{n}") => {
            get(&format!("/console/registrations/{}/files/1", f.registration))
        }
        ("GET", "/commitments") => get("/commitments"),
        ("GET", "/commitments/items/{code}") => get("/commitments/items/SCJ_SPJY"),
        ("GET", "/commitments/items/{code}/letter.pdf") => get("/commitments/items/SCJ_SPJY/letter.pdf"),
        ("GET", "/my/commitments") => get("/my/commitments"),
        ("POST", "/my/commitments") => post(
            "/my/commitments",
            form(&[("item_code", "SCJ_SPJY"), ("case_ref", "SCJ-2026-1126-002"), ("deferred", "")]),
        ),
        ("GET", "/my/commitments/{id}") => get(&format!("/my/commitments/{}", f.commitment)),
        ("GET", "/notices") => get("/notices?kind=policy&page=1"),
        ("GET", "/notices/{id}") => get("/notices/TZ0000000000000000"),
        ("GET", "/notices/{id}/attachments/{n}") => get("/notices/TZ0000000000000000/attachments/1"),
        ("GET", "/api/v1/public/notices") => get("/api/v1/public/notices?kind=announcement"),
        ("GET", "/api/v1/public/notices/{id}") => get("/api/v1/public/notices/TZ0000000000000000"),
        ("GET", "/console/notices") => get("/console/notices"),
        ("POST", "/console/notices") => post(
            "/console/notices",
            Send::Upload(vec![
                ("kind", "announcement".into()),
                ("title", "关于开展信用修复集中办理的通知".into()),
                ("body", "各有关单位：\n\n现将有关事项通知如下。".into()),
            ]),
        ),
        ("POST", "/console/notices/{id}/withdraw") => {
            post("/console/notices/TZ0000000000000000/withdraw", form(&[("reason", "内容有误")]))
        }
        ("GET", "/education") => get("/education"),
        ("GET", "/console/education") => get("/console/education"),
        ("POST", "/console/education/courses") => post(
            "/console/education/courses",
            form(&[
                ("title", "企业信用修复专题培训"),
                ("provider", "济南市发展和改革委员会"),
                ("hours", "4"),
                ("location", "信用济南网站在线学习"),
                ("content", "信用修复政策解读"),
            ]),
        ),
        ("POST", "/console/education/completions") => post(
            "/console/education/completions",
            form(&[
                ("course_id", "KC0000000000"),
                ("learner", ORG),
                ("certificate_no", "XYPX-2026-0001"),
                ("completed_on", "2026-11-20"),
            ]),
        ),
        ("GET", "/commitments/pledges") => get("/commitments/pledges?q=%E6%B5%8E%E5%8D%97"),
        ("GET", "/api/v1/public/pledges") => get("/api/v1/public/pledges?page=2"),
        ("GET", "/my/pledges") => get("/my/pledges"),
        ("POST", "/my/pledges") => {
            post("/my/pledges", form(&[("title", "诚信经营承诺书"), ("text", "依法诚信经营，接受社会监督。")]))
        }
        ("POST", "/my/pledges/schemes") => {
            post("/my/pledges/schemes", form(&[("title", "行业自律公约"), ("text", "诚信自律。"), ("members", ORG)]))
        }
        ("POST", "/my/pledges/{id}/withdraw") => {
            post("/my/pledges/PL0000000000/withdraw", form(&[("reason", "承诺内容需要更新")]))
        }
        ("GET", "/console/commitments") => get("/console/commitments"),
        ("POST", "/console/commitments") => post(
            "/console/commitments",
            form(&[("uscc", ORG), ("item_code", "SCJ_SPJY"), ("case_ref", "SCJ-2026-1126-003"), ("deferred", "AQZD")]),
        ),
        ("GET", "/console/commitments/{id}") => get(&format!("/console/commitments/{}", f.commitment)),
        ("POST", "/console/commitments/{id}/materials/{code}") => {
            post(&format!("/console/commitments/{}/materials/AQZD", f.commitment), form(&[]))
        }
        ("POST", "/console/commitments/{id}/verify") => post(
            &format!("/console/commitments/{}/verify", f.commitment),
            form(&[("outcome", "kept"), ("note", "现场核查，符合承诺条件")]),
        ),
        ("POST", "/console/commitments/{id}/revoke") => post(
            &format!("/console/commitments/{}/revoke", f.commitment),
            form(&[("decision_no", "济审撤〔2026〕1号"), ("reason", "虚假承诺")]),
        ),
        ("GET", "/console/campaigns") => get("/console/campaigns"),
        ("POST", "/console/campaigns") => post(
            "/console/campaigns",
            form(&[
                ("department", A),
                ("name", "矩阵测试专项治理"),
                ("basis", "依据"),
                ("list_code", "samr-serious"),
                ("district", "370102"),
                ("starts_on", "2026-11-20"),
                ("ends_on", "2026-12-31"),
                ("deadlines", ""),
            ]),
        ),
        ("GET", "/console/campaigns/{id}") => get("/console/campaigns/CP0000000000"),
        ("GET", "/console/campaigns/{id}/dashboard") => get("/console/campaigns/CP0000000000/dashboard"),
        ("GET", "/console/campaigns/{id}/subjects/{uscc}") => {
            get(&format!("/console/campaigns/CP0000000000/subjects/{ORG}"))
        }
        ("GET", "/console/campaigns/{id}/subjects/{uscc}/evidence/{n}") => {
            get(&format!("/console/campaigns/CP0000000000/subjects/{ORG}/evidence/1"))
        }
        ("POST", "/console/campaigns/{id}/subjects/{uscc}/progress") => post(
            &format!("/console/campaigns/CP0000000000/subjects/{ORG}/progress"),
            Send::Upload(vec![("department", A.into()), ("reported_on", "2026-11-25".into()), ("note", "进展".into())]),
        ),
        ("POST", "/console/campaigns/{id}/subjects/{uscc}/outcome") => post(
            &format!("/console/campaigns/CP0000000000/subjects/{ORG}/outcome"),
            form(&[("department", A), ("outcome", "rectified"), ("note", "整改到位")]),
        ),
        ("POST", "/console/campaigns/{id}/subjects/{uscc}/interview") => post(
            &format!("/console/campaigns/CP0000000000/subjects/{ORG}/interview"),
            form(&[
                ("kind", "warning"),
                ("held_on", "2026-11-20"),
                ("interviewees", "张某"),
                ("interviewers", "李某"),
                ("outcome", "责令整改"),
                ("rectify_by", ""),
            ]),
        ),
        ("GET", "/api/v1/subscription/feed") => get("/api/v1/subscription/feed?after=0"),
        ("GET", "/api/v1/subscription/watchlist") => get("/api/v1/subscription/watchlist"),
        ("PUT", "/api/v1/subscription/watchlist") => {
            post("/api/v1/subscription/watchlist", Send::Json(json!({"usccs": [ORG]})))
        }
        ("PUT", "/api/v1/subscription/webhook") => {
            post("/api/v1/subscription/webhook", Send::Json(json!({"url": "https://bank.example/hook"})))
        }
        ("GET", "/console/persons") => get("/console/persons"),
        ("POST", "/console/persons") => {
            post("/console/persons", form(&[("id_number", "370102197803121230"), ("reason", "核查")]))
        }
        ("POST", "/api/v1/checks") => {
            post("/api/v1/checks", Send::Json(json!({"subject": ORG, "scenario": "bidding", "requester": "招标系统"})))
        }
        ("POST", "/api/v1/checks/batch") => post(
            "/api/v1/checks/batch",
            Send::Json(json!({"subjects": [ORG], "scenario": "bidding", "requester": "招标系统"})),
        ),
        ("GET", "/api/v1/checks/receipts/{id}") => get("/api/v1/checks/receipts/r-none"),
        ("GET", "/console/feed") => get(&format!("/console/feed?department={A}")),
        ("POST", "/console/feed/acknowledge") => {
            post("/console/feed/acknowledge", form(&[("department", A), ("listing_id", "LS0"), ("measure", "CJ-ZDJG")]))
        }
        ("POST", "/console/feed/feedback") => post(
            "/console/feed/feedback",
            form(&[("department", A), ("listing_id", "LS0"), ("measure", "CJ-ZDJG"), ("outcome", "已实施")]),
        ),
        ("GET", "/console/loop") => get("/console/loop"),
        ("GET", "/console/measures") => get("/console/measures"),
        ("GET", "/api/v1/feeds/{department}") => get(&format!("/api/v1/feeds/{A}")),
        ("POST", "/api/v1/feeds/{department}/acknowledgements") => post(
            &format!("/api/v1/feeds/{A}/acknowledgements"),
            Send::Json(json!({"listing_id": "LS0", "measure": "CJ-ZDJG"})),
        ),
        ("POST", "/api/v1/feeds/{department}/feedback") => post(
            &format!("/api/v1/feeds/{A}/feedback"),
            Send::Json(json!({"listing_id": "LS0", "measure": "CJ-ZDJG", "outcome": "已实施"})),
        ),
        ("POST", "/api/v1/cases") => post(
            "/api/v1/cases",
            Send::Json(json!({"cases": [{"case_ref": "ZB-1", "scenario": "bidding", "handled_on": "2026-11-20"}]})),
        ),
        ("PUT", "/api/v1/webhooks/{department}") => {
            post(&format!("/api/v1/webhooks/{A}"), Send::Json(json!({"url": "https://hooks.example.com/xinyong"})))
        }
        ("DELETE", "/api/v1/webhooks/{department}") => get(&format!("/api/v1/webhooks/{A}")),
        ("GET", "/my/login") => get("/my/login?next=/my"),
        ("POST", "/my/login") => {
            post("/my/login", form(&[("uscc", ORG), ("username", "admin"), ("password", PASSWORD), ("next", "/my")]))
        }
        ("GET", "/my/activate") => get("/my/activate"),
        ("POST", "/my/activate") => post(
            "/my/activate",
            form(&[
                ("uscc", ORG),
                ("code", "0000-0000-0000-0000"),
                ("username", "second"),
                ("display_name", "财务"),
                ("password", PASSWORD),
                ("password_again", "something-else-1"),
            ]),
        ),
        ("POST", "/my/activate/registration") => post(
            "/my/activate/registration",
            form(&[
                ("uscc", ORG),
                ("representative_name", "无此人"),
                ("representative_id", "370102197803121230"),
                ("username", "second"),
                ("display_name", "财务"),
                ("password", PASSWORD),
                ("password_again", PASSWORD),
            ]),
        ),
        ("POST", "/my/logout") => Some(Sample { path: "/my/logout".into(), send: form(&[]), ends_session: true }),
        ("GET", "/my") => get("/my"),
        ("GET", "/my/export.json") => get("/my/export.json"),
        ("GET", "/my/export.xlsx") => get("/my/export.xlsx"),
        ("GET", "/my/accounts") => get("/my/accounts"),
        // A wrong current password: the form again (422), the session kept.
        ("POST", "/my/password") => post(
            "/my/password",
            form(&[
                ("current", "not-the-password-1"),
                ("password", "Matrix-Test-2027"),
                ("password_again", "Matrix-Test-2027"),
            ]),
        ),
        ("POST", "/my/accounts") => post(
            "/my/accounts",
            form(&[("username", "matrix_staff"), ("display_name", "经办"), ("password", "Matrix-Test-2026")]),
        ),
        // A wrong code: the form again (422).
        ("POST", "/my/totp") => post("/my/totp", form(&[("secret", "JBSWY3DPEHPK3PXPJBSWY3DP"), ("code", "000000")])),
        ("POST", "/my/totp/disable") => post("/my/totp/disable", form(&[("password", "not-the-password-1")])),
        ("POST", "/my/accounts/{username}/disable") => post("/my/accounts/nobody/disable", form(&[])),
        ("POST", "/console/activation-letters") => post("/console/activation-letters", form(&[("uscc", ORG)])),
        // Multipart (grounds and evidence); the fixture file is a CSV, which
        // the evidence rules refuse (422) for whoever may object.
        ("POST", "/my/records/{id}/objection") => {
            post(&format!("/my/records/{}/objection", f.record), Send::Upload(vec![("grounds", "处罚对象有误".into())]))
        }
        ("GET", "/console/objections/{id}/evidence/{n}") => {
            get(&format!("/console/objections/{}/evidence/1", f.objection))
        }
        ("POST", "/my/listings/{id}/objection") => {
            post(&format!("/my/listings/{}/objection", f.listing), form(&[("grounds", "处罚决定已被撤销")]))
        }
        ("POST", "/my/listings/{id}/waive") => {
            post(&format!("/my/listings/{}/waive", f.listing), form(&[("statement", "本单位放弃陈述申辩")]))
        }
        ("POST", "/my/objections/{id}/withdraw") => {
            post(&format!("/my/objections/{}/withdraw", f.objection), form(&[]))
        }
        ("POST", "/console/records/{id}/objection") => {
            post(&format!("/console/records/{}/objection", f.record), form(&[("grounds", "窗口登记的异议")]))
        }
        ("GET", "/console/objections") => get("/console/objections"),
        ("GET", "/console/objections/{id}") => get(&format!("/console/objections/{}", f.objection)),
        ("POST", "/console/objections/{id}/answer") => post(
            &format!("/console/objections/{}/answer", f.objection),
            form(&[("result", "kept"), ("reply", "经核实信息无误")]),
        ),
        ("POST", "/console/objections/{id}/extend") => {
            post(&format!("/console/objections/{}/extend", f.objection), form(&[("reason", "需市场监管总局核实")]))
        }
        ("GET", "/my/records/{id}/repair") => get(&format!("/my/records/{}/repair", f.record)),
        ("POST", "/my/records/{id}/repair") => post(
            &format!("/my/records/{}/repair", f.record),
            form(&[("material_fulfilment", "缴款凭证 370100123"), ("commitment", "on")]),
        ),
        ("GET", "/console/repairs") => get("/console/repairs"),
        ("GET", "/console/repairs/{id}") => get(&format!("/console/repairs/{}", f.repair)),
        ("POST", "/console/repairs/{id}/confirm") => {
            post(&format!("/console/repairs/{}/confirm", f.repair), form(&[("decision", "confirm"), ("note", "同意")]))
        }
        ("POST", "/console/repairs/{id}/decide") => post(
            &format!("/console/repairs/{}/decide", f.repair),
            form(&[("decision", "reject"), ("reason", "材料不全")]),
        ),
        _ => agency_sample(route, f),
    }
}

/// The samples of the credit service agencies' routes.
fn agency_sample(route: &Route, f: &Fixture) -> Option<Sample> {
    let get = |path: &str| Some(Sample { path: path.to_owned(), send: Send::Nothing, ends_session: false });
    let post = |path: &str, send: Send| Some(Sample { path: path.to_owned(), send, ends_session: false });
    match (route.method.as_str(), route.path) {
        ("GET", "/agencies") => get("/agencies"),
        ("GET", "/agencies/{uscc}") => get(&format!("/agencies/{AGENCY}")),
        ("GET", "/api/v1/public/agencies") => get("/api/v1/public/agencies"),
        ("GET", "/api/v1/public/agencies/{uscc}") => get(&format!("/api/v1/public/agencies/{AGENCY}")),
        ("GET", "/console/agencies") => get("/console/agencies"),
        ("POST", "/console/agencies") => post(
            "/console/agencies",
            form(&[
                ("uscc", "91370102MA3C8N3C7B"),
                ("name", "济南矩阵信用评估有限公司"),
                ("filing_no", "济信服备〔2026〕99号"),
                ("legal_representative", "李某某"),
                ("address", "济南市市中区"),
                ("business_scope", "信用评估"),
            ]),
        ),
        ("GET", "/console/agencies/{uscc}") => get(&format!("/console/agencies/{AGENCY2}")),
        ("POST", "/console/agencies/{uscc}/status") => post(
            &format!("/console/agencies/{AGENCY2}/status"),
            form(&[("status", "cancelled"), ("reason", "机构申请注销")]),
        ),
        ("POST", "/console/agencies/{uscc}/staff") => {
            post(&format!("/console/agencies/{AGENCY2}/staff"), form(&[("name", "赵某某"), ("position", "信用分析师")]))
        }
        ("POST", "/console/agencies/{uscc}/supervision") => post(
            &format!("/console/agencies/{AGENCY2}/supervision"),
            form(&[("kind", "inspection"), ("done_on", "2026-11-20"), ("summary", "年度检查"), ("outcome", "合格")]),
        ),
        ("POST", "/console/agencies/{uscc}/accounts") => post(
            &format!("/console/agencies/{AGENCY2}/accounts"),
            form(&[("username", "matrix"), ("display_name", "经办"), ("password", "Matrix-Test-2026")]),
        ),
        ("GET", "/my/agencies") => get("/my/agencies"),
        ("POST", "/my/agencies/consents") => {
            post("/my/agencies/consents", form(&[("agency", AGENCY), ("expires_on", "2026-12-31")]))
        }
        ("POST", "/my/agencies/consents/{id}/revoke") => {
            post(&format!("/my/agencies/consents/{}/revoke", f.spare_consent), form(&[]))
        }
        ("GET", "/my/report/full.json") => get("/my/report/full.json"),
        ("GET", "/my/report/full.pdf") => get("/my/report/full.pdf"),
        ("GET", "/agency/login") => get("/agency/login?next=/agency"),
        ("POST", "/agency/login") => post(
            "/agency/login",
            form(&[("uscc", AGENCY), ("username", "admin"), ("password", PASSWORD), ("next", "/agency")]),
        ),
        ("POST", "/agency/logout") => {
            Some(Sample { path: "/agency/logout".into(), send: form(&[]), ends_session: true })
        }
        ("GET", "/agency") => get("/agency"),
        ("POST", "/agency/reports/{uscc}") => post(&format!("/agency/reports/{ORG}"), form(&[("purpose", "贷款审查")])),
        _ => None,
    }
}

fn encode(raw: &str) -> String {
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

fn multipart(fields: &[(&str, String)], file: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"penalties.csv\"\r\nContent-Type: text/csv\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// A planned inspection task of department A over one item of its list.
async fn inspection_task(core: &xinyong_core::Core) -> String {
    use xinyong_core::inspections::{directory, plan};
    let item = directory::ItemInput {
        department: A.into(),
        code: "M-01".into(),
        name: "企业公示信息检查".into(),
        legal_basis: "《企业信息公示暂行条例》".into(),
        content: "年度报告公示信息".into(),
        ..directory::ItemInput::default()
    };
    directory::save_item(core, &department_user(A), item).await.unwrap();
    let input = plan::PlanInput {
        title: "矩阵测试抽查".into(),
        lead_department: A.into(),
        items: "M-01".into(),
        period_start: "2026-12-01".into(),
        period_end: "2026-12-31".into(),
        ..plan::PlanInput::default()
    };
    plan::plan_task(core, &department_user(A), input).await.unwrap()
}

/// Sends `sample` as `caller` would: its session cookie (and CSRF token on
/// forms and API writes), or its bearer token.
async fn send(f: &Fixture, route: &Route, sample: &Sample, caller: &Caller) -> TestResponse {
    let mut session = caller.session.clone();
    if sample.ends_session && !caller.stale {
        if let Some(login) = caller.login {
            session = Some(log_in(&f.app, login).await);
        } else if let Some(uscc) = caller.company {
            session = Some(company_log_in(&f.app, uscc).await);
        } else if caller.agency.is_some() {
            session = Some(agency_log_in(&f.app).await);
        }
    }
    let mut request = Request::builder().method(route.method.clone()).uri(&sample.path);
    if let Some(s) = &session {
        request = request.header(header::COOKIE, format!("xinyong_session={}", s.cookie));
    }
    if let Some(token) = &caller.bearer {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let csrf = session.as_ref().map(|s| s.csrf.clone()).unwrap_or_default();
    // A session's API writes carry its CSRF token in a header.
    if route.credentials == Credentials::Api && !route.method.is_safe() && session.is_some() {
        request = request.header("x-csrf-token", &csrf);
    }
    let body = match &sample.send {
        Send::Nothing => Body::empty(),
        Send::Form(fields) => {
            request = request.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            let mut pairs: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect();
            if route.credentials == Credentials::Session {
                pairs.push(format!("csrf_token={csrf}"));
            }
            Body::from(pairs.join("&"))
        }
        Send::Json(value) => {
            request = request.header(header::CONTENT_TYPE, "application/json");
            Body::from(value.to_string())
        }
        Send::Upload(fields) => {
            request = request.header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"));
            let mut fields = fields.clone();
            fields.push(("csrf_token", csrf));
            let file = std::fs::read(format!("{}/../../tests/fixtures/penalties_utf8.csv", env!("CARGO_MANIFEST_DIR")))
                .unwrap();
            Body::from(multipart(&fields, &file))
        }
    };
    f.app.send(request.body(body).unwrap()).await
}

/// What the policy says for this route and caller, resolving the route's
/// resource the way its handler does from the sample (which names
/// department A's things).
fn decision(route: &Route, principal: &Principal) -> Result<(), Denied> {
    let action = route.action;
    let a = || Resource::Department(code(A));
    match route.resource {
        Locate::Platform => authorize(principal, action, &Resource::Platform),
        Locate::Subject => authorize(principal, action, &Resource::Subject(org())),
        Locate::NaturalPersons => authorize(principal, action, &Resource::NaturalPersons),
        Locate::OwnDepartment => {
            own_department(principal).and_then(|d| authorize(principal, action, &Resource::Department(d)))
        }
        Locate::Scope => scope(principal, action).map(drop),
        Locate::ChosenDepartment => match scope(principal, action)? {
            policy::Scope::All => authorize(principal, action, &a()),
            policy::Scope::Department(_) => Ok(()),
        },
        Locate::QueryDepartment
        | Locate::FormDepartment
        | Locate::PathDepartment
        | Locate::Batch
        | Locate::Record
        | Locate::Token => authorize(principal, action, &a()),
        Locate::Listing => {
            authorize(principal, action, &Resource::Listing { department: code(A), subject: ORG.into() })
        }
        Locate::Ban => authorize(principal, action, &Resource::Ban { department: code(A), subject: ORG.into() }),
        Locate::OwnSubject => match principal {
            Principal::Subject(s) => authorize(principal, action, &Resource::Subject(s.uscc.clone())),
            other => authorize(other, action, &Resource::Subject(org())),
        },
        Locate::InspectionTask | Locate::Commitment | Locate::Registration => authorize(principal, action, &a()),
        Locate::CommitmentApplication => {
            authorize(principal, action, &Resource::Record { department: code(A), subject: org() })
        }
        Locate::SubjectRecord | Locate::Objection | Locate::Repair => {
            authorize(principal, action, &Resource::Record { department: code(A), subject: org() })
        }
    }
}

/// The class of answer the policy's decision means on this route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Allowed,
    LogIn,
    Unauthorized,
    Forbidden,
    Concealed,
}

impl Class {
    fn expected(route: &Route, decision: &Result<(), Denied>) -> Class {
        match (decision, route.credentials) {
            (Ok(()), _) => Class::Allowed,
            (Err(d), Credentials::Session) if d.is_unauthenticated() => Class::LogIn,
            (Err(d), _) if d.is_unauthenticated() => Class::Unauthorized,
            (Err(_), _) if route.resource.conceals() => Class::Concealed,
            (Err(_), _) => Class::Forbidden,
        }
    }

    fn observed(r: &TestResponse) -> Class {
        let location = r.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("");
        match r.status {
            StatusCode::UNAUTHORIZED => Class::Unauthorized,
            StatusCode::FORBIDDEN => Class::Forbidden,
            StatusCode::NOT_FOUND => Class::Concealed,
            StatusCode::SEE_OTHER
                if location.starts_with("/console/login?next=")
                    || location.starts_with("/my/login?next=")
                    || location.starts_with("/agency/login?next=") =>
            {
                Class::LogIn
            }
            _ => Class::Allowed,
        }
    }

    /// Whether an answer of class `observed` is what this class requires on
    /// `route`. A 404 is also an allowed answer where the route does not
    /// conceal (the sample may name nothing, e.g. an unknown receipt); where
    /// it conceals, the sample names a thing that exists, so 404 is a refusal.
    fn accepts(self, observed: Class, route: &Route) -> bool {
        match self {
            Class::Allowed if route.resource.conceals() => observed == Class::Allowed,
            Class::Allowed => matches!(observed, Class::Allowed | Class::Concealed),
            other => other == observed,
        }
    }

    fn short(self) -> &'static str {
        match self {
            Class::Allowed => "ok",
            Class::LogIn => "login",
            Class::Unauthorized => "401",
            Class::Forbidden => "403",
            Class::Concealed => "404",
        }
    }
}

#[tokio::test]
async fn every_route_answers_every_caller_as_the_policy_says() {
    let f = fixture().await;
    let table = routes::table();
    let mut seen = std::collections::BTreeSet::new();
    for route in &table {
        assert!(
            seen.insert((route.method.to_string(), route.path)),
            "{} {} twice in the table",
            route.method,
            route.path
        );
    }
    let missing: Vec<String> =
        table.iter().filter(|r| sample(r, &f).is_none()).map(|r| format!("{} {}", r.method, r.path)).collect();
    assert!(missing.is_empty(), "routes without a sample request in this test: {missing:#?}");

    let mut matrix = String::new();
    let _ = write!(matrix, "{:<56}", "route (action, resource)");
    for c in &f.callers {
        let _ = write!(matrix, "{:>10}", c.name);
    }
    matrix.push('\n');
    let mut failures = 0;
    let mut requests = 0;
    for route in &table {
        let Some(sample) = sample(route, &f) else { continue };
        let label = format!("{} {} ({}, {:?})", route.method, route.path, route.action.as_str(), route.resource);
        let _ = write!(matrix, "{label:<56}");
        for caller in &f.callers {
            let principal = caller.seen_by(route.credentials);
            let want = Class::expected(route, &decision(route, &principal));
            let r = send(&f, route, &sample, caller).await;
            requests += 1;
            let got = Class::observed(&r);
            if want.accepts(got, route) {
                let _ = write!(matrix, "{:>10}", want.short());
            } else {
                failures += 1;
                let _ = write!(matrix, "{:>10}", format!("✗{}≠{}", r.status.as_u16(), want.short()));
            }
        }
        matrix.push('\n');
    }
    assert!(failures == 0, "{failures} of {requests} answers differ from the policy (✗status≠expected):\n{matrix}");
    assert_eq!(requests, table.len() * f.callers.len());
    println!(
        "{} routes × {} callers = {requests} requests, all as the policy says:\n{matrix}",
        table.len(),
        f.callers.len()
    );
}

#[tokio::test]
async fn the_router_serves_the_table_and_nothing_else() {
    // A path no route matches is the not-found page, for every method.
    let f = TestApp::new().await;
    for method in [Method::GET, Method::POST, Method::PUT, Method::DELETE] {
        let r = f
            .send(Request::builder().method(method.clone()).uri("/console/nowhere").body(Body::empty()).unwrap())
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{method}");
    }
    // Every documented API path is a route of the table.
    let doc = f.get("/api/v1/openapi.json").await.json();
    let table = routes::table();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            let known = table.iter().any(|r| r.path == path && r.method.as_str().eq_ignore_ascii_case(method));
            assert!(known, "{method} {path} is documented but not in the route table");
        }
    }
}

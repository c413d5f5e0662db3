//! The console's credit-file pages (bans, interviews, the organisation's
//! file, the person lookup) and the public lists, through the router.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::NaiveDate;
use xinyong_core::auth::{self, NewUser};
use xinyong_domain::auth::{DepartmentCode, Role};
use xinyong_domain::collection::RecordSubject;
use xinyong_domain::event::{Actor, NewEvent};
use xinyong_domain::lists::ListsEvent;
use xinyong_domain::lists::{ListingProposal, digest_id};
use xinyong_domain::subjects::RoleHolder;
use xinyong_domain::subjects::SubjectsEvent;
use xinyong_domain::subjects::{LegalPerson, NaturalPerson, RelationRole, SubjectName, SubjectStatus};
use xinyong_domain::{IdNumber, Uscc};
use xinyong_test_support::{TestApp, TestResponse};

const PASSWORD: &str = "correct-horse-42";
const ORG_NAME: &str = "济南泉润商贸有限公司";
const REP_NAME: &str = "张三丰";
const DEBTOR_NAME: &str = "赵有债";

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn org() -> Uscc {
    Uscc::from_parts('9', '1', "370102", "MA3C8N0Q").unwrap()
}

fn rep_id() -> IdNumber {
    IdNumber::from_parts("370102", d("1975-03-04"), 311).unwrap()
}

fn debtor_id() -> IdNumber {
    IdNumber::from_parts("370104", d("1980-05-06"), 123).unwrap()
}

fn rep() -> RoleHolder {
    RoleHolder {
        role: RelationRole::LegalRepresentative,
        person: NaturalPerson { id_number: rep_id(), name: SubjectName::parse(REP_NAME).unwrap() },
    }
}

async fn user(app: &TestApp, login: &str, department: Option<&str>, roles: Vec<Role>) {
    let new = NewUser {
        login: login.into(),
        display_name: login.into(),
        department: department.map(|d| DepartmentCode::parse(d).unwrap()),
        roles,
    };
    auth::create_user(&app.core, &Actor::system(), new, PASSWORD).await.unwrap();
}

/// Appends a proposal and its decision directly; returns the listing id.
async fn listed(
    app: &TestApp,
    list_code: &str,
    subject: RecordSubject,
    department: &str,
    liable: Vec<RoleHolder>,
) -> String {
    let rules = app.core.rules().sanctions.clone();
    let list = rules.list(list_code).unwrap();
    let id = digest_id("LS", &[list_code, &subject.key, department]);
    let from = d("2026-10-01");
    let proposal = ListingProposal {
        id: id.clone(),
        list_code: list_code.into(),
        lists_version: rules.lists_version().into(),
        subject: subject.clone(),
        department: DepartmentCode::parse(department).unwrap(),
        reason: "受到吊销许可证件的较重行政处罚".into(),
        facts: "经查……".into(),
        legal_basis: list.basis.clone(),
        source_records: Vec::new(),
        proposed_on: from,
    };
    let actor = Actor::parse(&format!("department:{department}")).unwrap();
    let body = ListsEvent::ListingDecided {
        listing_id: id.clone(),
        list_code: list_code.into(),
        subject,
        decision_no: "济市监列〔2026〕7号".into(),
        decided_on: from,
        valid_from: from,
        valid_until: list.valid_until(from),
        measures: list.measures.clone(),
        pushes: Vec::new(),
        liable_people: liable,
    };
    let events = vec![
        NewEvent::new(actor.clone(), ListsEvent::ListingProposed { proposal, list_kind: list.kind, proposed_by: None }),
        NewEvent::new(actor, body),
    ];
    app.core.append(events).await.unwrap();
    id
}

/// Departments, users, an organisation listed with its legal representative
/// liable, and a natural person on the court's list.
async fn app() -> (TestApp, String) {
    let app = TestApp::new().await;
    auth::seed_departments(&app.core, &auth::shipped_departments().unwrap()).await.unwrap();
    user(&app, "boss", None, vec![Role::Admin]).await;
    user(&app, "wang", Some("scjgj"), vec![Role::Operator, Role::Reviewer]).await;
    user(&app, "op", Some("scjgj"), vec![Role::Operator]).await;
    user(&app, "li", Some("swj"), vec![Role::Operator, Role::Reviewer]).await;
    let demo = Actor::parse("demo").unwrap();
    app.core
        .append(vec![
            NewEvent::new(
                demo.clone(),
                SubjectsEvent::LegalPersonRegistered {
                    subject: LegalPerson {
                        uscc: org(),
                        name: SubjectName::parse(ORG_NAME).unwrap(),
                        status: SubjectStatus::Active,
                    },
                    people: vec![rep()],
                },
            ),
            NewEvent::new(
                demo,
                SubjectsEvent::NaturalPersonRegistered {
                    person: NaturalPerson { id_number: debtor_id(), name: SubjectName::parse(DEBTOR_NAME).unwrap() },
                },
            ),
        ])
        .await
        .unwrap();
    let org_subject = RecordSubject { kind: "legal_person".into(), key: org().as_str().into(), name: ORG_NAME.into() };
    let listing = listed(&app, "samr-serious", org_subject, "scjgj", vec![rep()]).await;
    let debtor =
        RecordSubject { kind: "natural_person".into(), key: debtor_id().as_str().into(), name: DEBTOR_NAME.into() };
    listed(&app, "court-dishonest", debtor, "zjfy", Vec::new()).await;
    (app, listing)
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

async fn post_form(app: &TestApp, path: &str, fields: &[(&str, &str)], cookie: &str) -> TestResponse {
    let body = fields.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&");
    let request = Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, format!("xinyong_session={cookie}"));
    app.send(request.body(Body::from(body)).unwrap()).await
}

async fn get_as(app: &TestApp, path: &str, cookie: &str) -> TestResponse {
    let request = Request::get(path).header(header::COOKIE, format!("xinyong_session={cookie}"));
    app.send(request.body(Body::empty()).unwrap()).await
}

/// Logs in; returns the session cookie and the CSRF token.
async fn log_in(app: &TestApp, login: &str) -> (String, String) {
    let body = format!("login={login}&password={PASSWORD}&next=%2Fconsole");
    let request = Request::post("/console/login").header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    let r = app.send(request.body(Body::from(body)).unwrap()).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let cookie = r.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    let cookie = cookie.strip_prefix("xinyong_session=").unwrap().split(';').next().unwrap().to_owned();
    let page = get_as(app, "/console", &cookie).await.text();
    let marker = "name=\"csrf_token\" value=\"";
    let start = page.find(marker).unwrap() + marker.len();
    let csrf = page[start..start + 64].to_owned();
    (cookie, csrf)
}

fn location(r: &TestResponse) -> &str {
    r.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("")
}

fn ban_form<'a>(csrf: &'a str, subject: &'a str, ends_on: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf_token", csrf),
        ("subject", subject),
        ("scope", "industry"),
        ("field", "食品生产经营"),
        ("description", "五年内不得从事食品生产经营管理工作"),
        ("basis", "《中华人民共和国食品安全法》第一百三十五条"),
        ("decision_no", "济市监禁〔2026〕3号"),
        ("starts_on", "2026-11-01"),
        ("ends_on", ends_on),
        ("listing_id", ""),
    ]
}

#[tokio::test]
async fn console_home_links_to_the_credit_file_pages() {
    let (app, _) = app().await;
    let (cookie, _) = log_in(&app, "op").await;
    let html = get_as(&app, "/console", &cookie).await.text();
    for needle in [
        "信用档案与惩戒",
        "href=\"/console/bans\"",
        "href=\"/console/interviews\"",
        "href=\"/console/persons\"",
        "action=\"/console/subjects\"",
    ] {
        assert!(html.contains(needle), "{needle}");
    }
    // Not logged in: to the login page.
    let r = app.get("/console/bans").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(location(&r).starts_with("/console/login"));
}

#[tokio::test]
async fn reviewers_impose_and_lift_bans_with_csrf() {
    let (app, _) = app().await;
    let (cookie, csrf) = log_in(&app, "wang").await;
    let page = get_as(&app, "/console/bans", &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("作出禁入决定"));
    assert!(page.text().contains("还没有登记禁入决定"));

    // No CSRF token: refused.
    let org_code = org().as_str().to_owned();
    let mut form = ban_form("", &org_code, "2031-10-31");
    form.remove(0);
    assert_eq!(post_form(&app, "/console/bans", &form, &cookie).await.status, StatusCode::FORBIDDEN);
    // A bad term comes back with the form filled in and the rule named.
    let r = post_form(&app, "/console/bans", &ban_form(&csrf, org().as_str(), "2026-10-01"), &cookie).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("invalid_term") && r.text().contains("食品生产经营"));
    let r = post_form(&app, "/console/bans", &ban_form(&csrf, org().as_str(), "2031-10-31"), &cookie).await;
    assert_eq!((r.status, location(&r)), (StatusCode::SEE_OTHER, "/console/bans?notice=ban_imposed"));
    // A ban on the legal representative, for life: shown masked.
    let r = post_form(&app, "/console/bans", &ban_form(&csrf, rep_id().as_str(), ""), &cookie).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let html = get_as(&app, "/console/bans?notice=ban_imposed", &cookie).await.text();
    assert!(html.contains("禁入决定已登记"));
    assert!(html.contains(ORG_NAME) && html.contains("终身") && html.contains("生效中"));
    assert!(!html.contains(rep_id().as_str()), "ID numbers are masked");
    assert!(html.contains(&app.core.settings().mask.mask_id(rep_id().as_str())));

    let bans = xinyong_core::lists::credit_file::bans(&app.core, None).await.unwrap();
    let ban = bans.iter().find(|b| b.subject.key == org().as_str()).unwrap();
    let lift = format!("/console/bans/{}/lift", ban.id);
    // Operators and other departments cannot lift it.
    let (op, op_csrf) = log_in(&app, "op").await;
    assert!(!get_as(&app, "/console/bans", &op).await.text().contains("作出禁入决定"));
    let r = post_form(&app, &lift, &[("csrf_token", &op_csrf), ("on", "2026-11-26"), ("reason", "x")], &op).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        post_form(&app, "/console/bans", &ban_form(&op_csrf, org().as_str(), ""), &op).await.status,
        StatusCode::FORBIDDEN
    );
    let (li, li_csrf) = log_in(&app, "li").await;
    let r = post_form(&app, &lift, &[("csrf_token", &li_csrf), ("on", "2026-11-26"), ("reason", "x")], &li).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text().contains("not_the_deciding_department"));
    let r =
        post_form(&app, &lift, &[("csrf_token", &csrf), ("on", "2026-11-26"), ("reason", "复议撤销")], &cookie).await;
    assert_eq!((r.status, location(&r)), (StatusCode::SEE_OTHER, "/console/bans?notice=ban_lifted"));
    let r = post_form(&app, &lift, &[("csrf_token", &csrf), ("on", "2026-11-26"), ("reason", "再次")], &cookie).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("ban_already_lifted"));
    // The credit office sees every department's bans.
    let (boss, _) = log_in(&app, "boss").await;
    let html = get_as(&app, "/console/bans", &boss).await.text();
    assert!(html.contains("全部禁入决定") && html.contains("已解除"));
}

#[tokio::test]
async fn interviews_are_recorded_by_the_deciding_department() {
    let (app, listing) = app().await;
    let (cookie, csrf) = log_in(&app, "wang").await;
    let html = get_as(&app, "/console/interviews", &cookie).await.text();
    assert!(html.contains("提示约谈") && html.contains("警示约谈") && html.contains("登记约谈"));
    let form = |csrf: &str, listing: &str| {
        vec![
            ("csrf_token", csrf.to_owned()),
            ("kind", "warning".to_owned()),
            ("held_on", "2026-11-20".to_owned()),
            ("subject", org().as_str().to_owned()),
            ("interviewees", "张某（法定代表人）".to_owned()),
            ("interviewers", "王经办".to_owned()),
            ("outcome", "要求十日内整改".to_owned()),
            ("rectify_by", "2026-11-30".to_owned()),
            ("listing_id", listing.to_owned()),
        ]
    };
    let send = |fields: Vec<(&'static str, String)>, cookie: String| {
        let app = &app;
        async move {
            let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post_form(app, "/console/interviews", &pairs, &cookie).await
        }
    };
    let r = send(form(&csrf, &listing), cookie.clone()).await;
    assert_eq!((r.status, location(&r)), (StatusCode::SEE_OTHER, "/console/interviews?notice=interview_recorded"));
    let (li, li_csrf) = log_in(&app, "li").await;
    let r = send(form(&li_csrf, &listing), li.clone()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text().contains("谁认定、谁约谈"));
    let mut future = form(&csrf, "");
    future[2].1 = "2026-12-01".into();
    let r = send(future, cookie.clone()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("held_on_in_future"));
    let html = get_as(&app, "/console/interviews", &cookie).await.text();
    assert!(html.contains("警示约谈") && html.contains("要求十日内整改") && html.contains(&listing));
    assert!(get_as(&app, "/console/interviews", &li).await.text().contains("还没有登记约谈记录"));
}

#[tokio::test]
async fn the_credit_file_shows_people_only_to_authorised_roles() {
    let (app, listing) = app().await;
    let masked = app.core.settings().mask.mask_id(rep_id().as_str());
    let (op, _) = log_in(&app, "op").await;
    let r = get_as(&app, "/console/subjects?q=", &op).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = get_as(&app, &format!("/console/subjects?q={}", org().as_str().to_lowercase()), &op).await;
    assert_eq!((r.status, location(&r)), (StatusCode::SEE_OTHER, format!("/console/subjects/{}", org()).as_str()));
    let r = get_as(&app, "/console/subjects?q=abc", &op).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.text().contains("没有找到名称含“abc”的主体"));
    // A name (or part of it) finds the organisation's file.
    app.sync_search().await;
    let r = get_as(&app, "/console/subjects?q=%E6%B3%89%E6%B6%A6%E5%95%86%E8%B4%B8", &op).await;
    assert_eq!((r.status, location(&r)), (StatusCode::SEE_OTHER, format!("/console/subjects/{}", org()).as_str()));
    let r = get_as(&app, &format!("/console/subjects/{}", org()), &op).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers.get(header::CACHE_CONTROL).unwrap(), "no-store");
    let html = r.text();
    assert!(html.contains("市场监督管理严重违法失信名单") && html.contains(&listing) && html.contains("已列入"));
    assert!(html.contains("仅向审核人和信用办管理员显示"));
    assert!(!html.contains(REP_NAME) && !html.contains(&masked));
    // Its records, public or not, with where their publicity stands.
    assert!(html.contains("信用信息（"), "{html}");

    let (wang, _) = log_in(&app, "wang").await;
    let html = get_as(&app, &format!("/console/subjects/{}", org()), &wang).await.text();
    assert!(html.contains(REP_NAME) && html.contains("法定代表人") && html.contains(&masked));
    assert!(!html.contains(rep_id().as_str()));
    assert!(html.contains("本次查阅已记入审计日志"));
    let unknown = Uscc::from_parts('9', '1', "370102", "MA3C8N0X").unwrap();
    assert_eq!(get_as(&app, &format!("/console/subjects/{unknown}"), &wang).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_person_lookup_is_for_reviewers_with_a_reason() {
    let (app, _) = app().await;
    let (rep, debtor) = (rep_id(), debtor_id());
    let (rep_id, debtor_id) = (rep.as_str(), debtor.as_str());
    let masked = app.core.settings().mask.mask_id(rep_id);
    let (op, op_csrf) = log_in(&app, "op").await;
    assert_eq!(get_as(&app, "/console/persons", &op).await.status, StatusCode::FORBIDDEN);
    let fields = [("csrf_token", op_csrf.as_str()), ("id_number", rep_id), ("reason", "核查")];
    assert_eq!(post_form(&app, "/console/persons", &fields, &op).await.status, StatusCode::FORBIDDEN);

    let (wang, csrf) = log_in(&app, "wang").await;
    let page = get_as(&app, "/console/persons", &wang).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("查询事由"));
    let no_csrf = [("id_number", rep_id), ("reason", "核查")];
    assert_eq!(post_form(&app, "/console/persons", &no_csrf, &wang).await.status, StatusCode::FORBIDDEN);
    let no_reason = [("csrf_token", csrf.as_str()), ("id_number", rep_id), ("reason", " ")];
    let r = post_form(&app, "/console/persons", &no_reason, &wang).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("reason_required"));
    let fields = [("csrf_token", csrf.as_str()), ("id_number", rep_id), ("reason", "审查投标人法定代表人")];
    let r = post_form(&app, "/console/persons", &fields, &wang).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let html = r.text();
    assert!(html.contains(REP_NAME) && html.contains(&masked) && html.contains(ORG_NAME));
    assert!(html.contains("市场监督管理严重违法失信名单") && html.contains("有效"));
    assert!(!html.contains(rep_id), "the number typed is not echoed");
    // The debtor's own listing.
    let fields = [("csrf_token", csrf.as_str()), ("id_number", debtor_id), ("reason", "核查")];
    let html = post_form(&app, "/console/persons", &fields, &wang).await.text();
    assert!(html.contains(DEBTOR_NAME) && html.contains("失信被执行人"));
    let stranger = IdNumber::from_parts("370105", d("1990-01-01"), 1).unwrap();
    let fields = [("csrf_token", csrf.as_str()), ("id_number", stranger.as_str()), ("reason", "核查")];
    assert_eq!(post_form(&app, "/console/persons", &fields, &wang).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_public_lists_show_the_organisation_and_never_a_person() {
    let (app, listing) = app().await;
    let forbidden = [REP_NAME, DEBTOR_NAME, rep_id().as_str(), debtor_id().as_str()].map(str::to_owned);
    let clean = |what: &str, body: &str| {
        for f in &forbidden {
            assert!(!body.contains(f.as_str()), "{what} shows {f}");
        }
        assert!(xinyong_domain::mask::find_id_numbers(body).is_empty(), "{what}");
    };

    let r = app.get("/lists").await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    clean("/lists", &html);
    for needle in [
        ORG_NAME,
        org().as_str(),
        "市场监督管理严重违法失信名单",
        "济南市市场监督管理局",
        "济市监列〔2026〕7号",
        "2026-10-01",
        "2029-09-30",
        "受到吊销许可证件",
    ] {
        assert!(html.contains(needle), "{needle}");
    }
    assert!(html.contains(&format!("href=\"/subjects/{}\"", org())));
    let html = app.get("/lists?tab=red").await.text();
    assert!(html.contains("目前没有公布的守信激励对象") && !html.contains(ORG_NAME));
    let html = app.get("/lists?list=court-dishonest").await.text();
    assert!(html.contains("目前没有公布的名单信息"));
    clean("/lists?list=court-dishonest", &html);
    assert_eq!(app.get("/lists?list=key-attention").await.status, StatusCode::BAD_REQUEST);
    assert_eq!(app.get("/lists?page=99").await.status, StatusCode::OK);

    let r = app.get("/api/v1/public/lists").await;
    assert_eq!(r.status, StatusCode::OK);
    clean("/api/v1/public/lists", &r.text());
    let v = r.json();
    assert_eq!(v["total"], 1);
    assert_eq!(v["entries"][0]["listing_id"], listing.as_str());
    assert_eq!(v["entries"][0]["subject_uscc"], org().as_str());
    assert_eq!(v["entries"][0]["valid_until"], "2029-09-30");
    let v = app.get("/api/v1/public/lists?list=court-dishonest").await.json();
    assert_eq!(v["total"], 0);
    let r = app.get("/api/v1/public/lists?list=nope").await;
    assert_eq!((r.status, r.json()["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("list_unknown")));

    let r = app.get(&format!("/subjects/{}", org())).await;
    let html = r.text();
    clean("subject page", &html);
    assert!(html.contains("名单信息") && html.contains("市场监督管理严重违法失信名单"));
    // How it leaves the list and what it may do, as the rules say.
    for expected in
        ["移出条件与救济途径", "列入满三年自动移出", "列入满 12 个月后可依法申请信用修复", "申请行政复议", "提出异议"]
    {
        assert!(html.contains(expected), "{expected}");
    }
    let r = app.get(&format!("/api/v1/public/subjects/{}", org())).await;
    clean("subject API", &r.text());
    assert_eq!(r.json()["memberships"][0]["list_code"], "samr-serious");
}

/// Every read of personal data is in the log before it is shown, and the
/// credit office reads the trail (issue 11, finding 11): who, role, why,
/// what, about whom (masked), when; filtered and exported.
#[tokio::test]
async fn reads_of_personal_data_leave_a_trail_the_credit_office_reads() {
    let (app, _) = app().await;
    let rep = rep_id();
    let masked = app.core.settings().mask.mask_id(rep.as_str());
    let (wang, csrf) = log_in(&app, "wang").await;
    let before = app.core.store().log_size().await.unwrap();
    let fields = [("csrf_token", csrf.as_str()), ("id_number", rep.as_str()), ("reason", "审查投标人法定代表人")];
    assert_eq!(post_form(&app, "/console/persons", &fields, &wang).await.status, StatusCode::OK);
    let file = get_as(&app, &format!("/console/subjects/{}", org().as_str()), &wang).await;
    assert_eq!(file.status, StatusCode::OK);
    assert!(app.core.store().log_size().await.unwrap() > before, "the read is a log entry");

    // Only the credit office reads the trail.
    assert_eq!(get_as(&app, "/console/audit", &wang).await.status, StatusCode::FORBIDDEN);
    let (boss, _) = log_in(&app, "boss").await;
    let html = get_as(&app, "/console/audit?reader=user%3Awang", &boss).await.text();
    for needle in [
        "user:wang",
        "经办人、审核人",
        "济南市市场监督管理局",
        "审查投标人法定代表人",
        "自然人信用档案",
        masked.as_str(),
        "信用档案中的人员",
        "查阅主体信用档案",
    ] {
        assert!(html.contains(needle), "{needle} missing from the trail");
    }
    assert!(!html.contains(rep.as_str()), "the trail masks the ID number");
    let nobody = get_as(&app, "/console/audit?reader=user%3Ali", &boss).await.text();
    assert!(nobody.contains("没有符合条件的查询记录"));
    let export = get_as(&app, "/console/audit.xlsx", &boss).await;
    assert_eq!(export.status, StatusCode::OK);
    let table = xinyong_tabular::read_table(&export.body, &Default::default()).unwrap();
    assert!(table.rows.iter().any(|r| r.cells.iter().any(|c| c == "审查投标人法定代表人")));
    // The trail is part of the log: it verifies like everything else.
    xinyong_core::log::verify::verify(&app.core, &|_: &str, _: u64, _: u64| {}).await.unwrap();
}

/// One penalty on the organisation, uploaded by 市场监管局 through the API;
/// returns its record id.
async fn penalty_on_the_organisation(app: &TestApp) -> String {
    let row = serde_json::json!({
        "行政相对人名称": ORG_NAME,
        "行政相对人类别": "法人及非法人组织",
        "CF_XDR_SHXYM": org().as_str(),
        "法定代表人": REP_NAME,
        "CF_WSH": "济市监处罚〔2026〕88号",
        "CF_WFXW": "销售过期食品",
        "CF_SY": "当事人一年内两次销售超过保质期的食品。",
        "CF_YJ": "《中华人民共和国食品安全法》第一百二十四条",
        "CF_CFLB": "罚款",
        "CF_NR": "罚款50000元",
        "CF_NR_FK": 5.0,
        "CF_JDRQ": "2026-10-20",
        "CF_YXQ": "2099-12-31",
        "CF_CFJG": "济南市市场监督管理局",
        "CF_CFJGDM": "11370100MB2853A6XD",
        "CF_SJLY": "济南市市场监督管理局",
        "CF_SJLYDM": "11370100MB2853A6XD",
    });
    let code = DepartmentCode::parse("scjgj").unwrap();
    let token = auth::issue_token(&app.core, &Actor::system(), &code, "系统", [9; 32]).await.unwrap();
    let bearer = format!("Bearer {}", token.token);
    let body = serde_json::json!({"item": "CF", "rows": [row]});
    let r = app.post_json("/api/v1/records/batches", &[("authorization", bearer.as_str())], &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()["rows"][0]["record_id"].as_str().unwrap().to_owned()
}

/// The listing form takes its basis from the subject's credit file: the
/// records ticked there come back ticked in the form, with what they are,
/// and the proposal keeps them (issue 15, item 7).
#[tokio::test]
async fn a_proposal_takes_its_basis_from_records_ticked_in_the_credit_file() {
    let (app, _) = app().await;
    let record = penalty_on_the_organisation(&app).await;
    let (wang, csrf) = log_in(&app, "wang").await;
    let html = get_as(&app, &format!("/console/subjects/{}", org()), &wang).await.text();
    assert!(html.contains(&format!("name=\"record_0\" value=\"{record}\"")), "{html}");
    assert!(html.contains("以勾选的记录拟列入名单"));
    let r = get_as(&app, &format!("/console/listings?subject={}&record_0={record}", org()), &wang).await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(html.contains(&format!("value=\"{record}\" checked")), "{html}");
    assert!(html.contains("济市监处罚〔2026〕88号") && html.contains("其他依据记录编号"), "{html}");
    let org = org();
    let form = [
        ("csrf_token", csrf.as_str()),
        ("list_code", "key-attention"),
        ("subject", org.as_str()),
        ("reason", "一年内因同一违法行为两次受到行政处罚"),
        ("facts", "当事人一年内两次因销售过期食品被处以罚款。"),
        ("legal_basis", "济市监处罚〔2026〕88号"),
        ("source_records", ""),
        ("record_0", record.as_str()),
    ];
    let r = post_form(&app, "/console/listings", &form, &wang).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = get_as(&app, location(&r), &wang).await.text();
    assert!(page.contains("依据记录编号") && page.contains(&record), "{page}");
}

/// A name that matches more organisations than the lookup lists says so and
/// lists the first ones; one that matches a few lists them all.
#[tokio::test]
async fn a_name_matching_many_organisations_lists_the_first_and_says_there_are_more() {
    let (app, _) = app().await;
    let demo = Actor::parse("demo").unwrap();
    let branches: Vec<NewEvent> = (1..=32)
        .map(|n| {
            let subject = LegalPerson {
                uscc: Uscc::from_parts('9', '1', "370102", &format!("MA3D{n:04}")).unwrap(),
                name: SubjectName::parse(&format!("济南恒泰连锁第{n}分店")).unwrap(),
                status: SubjectStatus::Active,
            };
            NewEvent::new(demo.clone(), SubjectsEvent::LegalPersonRegistered { subject, people: Vec::new() })
        })
        .collect();
    app.core.append(branches).await.unwrap();
    app.sync_search().await;
    let (op, _) = log_in(&app, "op").await;
    let html = get_as(&app, &format!("/console/subjects?q={}", encode("恒泰连锁")), &op).await.text();
    assert!(html.contains("30 个以上，只列前 30 个"), "{html}");
    assert_eq!(html.matches("href=\"/console/subjects/91370102MA3D").count(), 30, "{html}");
    let html = get_as(&app, &format!("/console/subjects?q={}", encode("恒泰连锁第1")), &op).await.text();
    assert!(!html.contains("只列前"), "{html}");
}

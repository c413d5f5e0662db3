//! Lists and the closed loop in real headless Chromium, over a real socket:
//! a 市场监管局 reviewer proposes a company for the serious-dishonesty list,
//! serves the notice, waits out the objection window (test clock) and decides;
//! the 公共资源交易中心 finds the pushed measure in its feed, signs for it and
//! reports how it applied it; the loop statistics count it; the public list
//! shows the company and nothing about its legal representative. A second
//! test opens every new page at 420 px and looks for sideways scrolling.
//! Screenshots of every step land in `target/screenshots/browser/`.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use crate::browser::{
    Browser, OVERFLOW_JS, Portal, browser_available, here, page_text, screenshot, scroll_to, wait_for_css,
    wait_for_xpath,
};
use chrono::{NaiveDate, TimeZone, Utc};
use fantoccini::{Client, Locator};
use xinyong_core::ManualClock;
use xinyong_core::auth::{self, NewUser};
use xinyong_core::closed_loop::feeds;
use xinyong_core::lists::credit_file::{self, BanInput, InterviewInput};
use xinyong_core::lists::listing::{self, ProposeListing};
use xinyong_demo::city::DemoCity;
use xinyong_domain::IdNumber;
use xinyong_domain::auth::{DepartmentCode, Role};
use xinyong_domain::codes::uscc::Uscc;
use xinyong_domain::event::{Actor, EventBody, NewEvent};
use xinyong_domain::lists::{BanScope, InterviewKind};
use xinyong_domain::subjects::RoleHolder;
use xinyong_domain::subjects::SubjectsEvent;
use xinyong_domain::subjects::{LegalPerson, NaturalPerson, RelationRole, SubjectName, SubjectStatus};
use xinyong_test_support::TestApp;

const PASSWORD: &str = "correct-horse-42";
/// The company the story lists.
const NAME: &str = "济南恒达食品有限公司";
/// Its legal representative: never on a public page.
const REP_NAME: &str = "赵建国";
const REASON: &str = "生产销售不符合食品安全标准的食品，被处以较重行政处罚";
const FACTS: &str = "抽检不合格后继续销售，社会影响恶劣。";
const BASIS: &str = "济市监处罚〔2026〕88号行政处罚决定书";
const DECISION_NO: &str = "济市监列〔2026〕9号";
/// 依法限制参与招标投标活动, executed by the trading centre.
const BIDDING: &str = "CJ-ZTB";
const BIDDING_NAME: &str = "依法限制参与招标投标活动";
const OUTCOME: &str = "依法拒绝其参与济南市某学校食堂改造项目投标";

fn uscc() -> Uscc {
    Uscc::from_parts('9', '1', "370102", "MA3CHD01").unwrap()
}

fn rep_id() -> IdNumber {
    IdNumber::from_parts("370102", day("1975-03-09"), 17).unwrap()
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// Moves the test clock to 10:00 Beijing time on `date`.
fn set_day(app_clock: &ManualClock, date: &str) {
    app_clock.set(Utc.from_utc_datetime(&day(date).and_hms_opt(2, 0, 0).unwrap()));
}

/// The shipped departments, a handful of demo-city subjects, the company with
/// its legal representative, and three console users: `scjgj` (市场监管局,
/// operator and reviewer), `ggzyjy` (公共资源交易中心, operator) and `xyb`
/// (the credit office).
/// Returns the app and the USCC of another company of the demo city.
async fn city() -> (TestApp, String) {
    let app = TestApp::new().await;
    let core = &app.core;
    auth::seed_departments(core, &auth::shipped_departments().unwrap()).await.unwrap();
    let demo = Actor::parse("demo").unwrap();
    let bodies: Vec<EventBody> = DemoCity::new(20_261_126).take(12).collect();
    let other = bodies
        .iter()
        .find_map(|b| match b {
            EventBody::Subjects(SubjectsEvent::LegalPersonRegistered { subject, .. })
                if subject.uscc.as_str().starts_with("91") =>
            {
                Some(subject.uscc.as_str().to_owned())
            }
            _ => None,
        })
        .unwrap();
    let mut events: Vec<NewEvent> = bodies.into_iter().map(|b| NewEvent::new(demo.clone(), b)).collect();
    events.push(NewEvent::new(
        demo,
        SubjectsEvent::LegalPersonRegistered {
            subject: LegalPerson {
                uscc: uscc(),
                name: SubjectName::parse(NAME).unwrap(),
                status: SubjectStatus::Active,
            },
            people: vec![RoleHolder {
                role: RelationRole::LegalRepresentative,
                person: NaturalPerson { id_number: rep_id(), name: SubjectName::parse(REP_NAME).unwrap() },
            }],
        },
    ));
    core.append(events).await.unwrap();
    let users: [(&str, &str, Option<&str>, Vec<Role>); 4] = [
        ("scjgj", "市场监管局李审核", Some("scjgj"), vec![Role::Operator, Role::Reviewer]),
        // Four eyes: the decision is another reviewer's.
        ("scjgj-zhang", "市场监管局张科长", Some("scjgj"), vec![Role::Reviewer]),
        ("ggzyjy", "交易中心王经办", Some("ggzyjy"), vec![Role::Operator]),
        ("xyb", "信用办老李", None, vec![Role::Admin]),
    ];
    for (login, name, department, roles) in users {
        let user = NewUser {
            login: login.into(),
            display_name: name.into(),
            department: department.map(|d| DepartmentCode::parse(d).unwrap()),
            roles,
        };
        auth::create_user(core, &Actor::system(), user, PASSWORD).await.unwrap();
    }
    app.sync_search().await;
    (app, other)
}

// ----- in the browser ----------------------------------------------------------------

/// Marks the page being left, so waiting for the next page cannot be
/// satisfied by the old one: [`fresh`] selectors only match a new document.
async fn submit(client: &Client, button: fantoccini::elements::Element) {
    client.execute("document.body.dataset.stale = '1';", vec![]).await.unwrap();
    button.click().await.unwrap();
}

/// `css` on a page loaded after the last [`submit`].
fn fresh(css: &str) -> String {
    format!("body:not([data-stale]) {css}")
}

/// `xpath` (starting with `//`) on a page loaded after the last [`submit`].
fn fresh_x(xpath: &str) -> String {
    format!("//body[not(@data-stale)]{xpath}")
}

async fn fill(client: &Client, css: &str, text: &str) {
    let field = wait_for_css(client, css).await;
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

/// Logs in on the login page the browser shows (the form sends the visitor
/// on to where they were going).
async fn log_in_here(client: &Client, login: &str) {
    fill(client, "#login", login).await;
    fill(client, "#password", PASSWORD).await;
    let button = client.find(Locator::Css(r#"form[action="/console/login"] button[type="submit"]"#)).await.unwrap();
    submit(client, button).await;
}

async fn log_out(client: &Client, console: &str) {
    client.goto(console).await.unwrap();
    let button = wait_for_css(client, r#"form[action="/console/logout"] button"#).await;
    submit(client, button).await;
    wait_for_css(client, &fresh("main")).await;
}

/// The section (card) a heading belongs to.
async fn card(client: &Client, heading: &str) -> fantoccini::elements::Element {
    wait_for_xpath(client, &format!(r#"//section[.//*[self::h1 or self::h2][contains(., "{heading}")]]"#)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[expect(
    clippy::too_many_lines,
    reason = "one story through the browser, step by step, as a reviewer and a trading centre see it"
)]
async fn a_reviewer_lists_a_company_and_the_trading_centre_closes_the_loop() {
    if !browser_available() {
        return;
    }
    let (app, _) = city().await;
    let clock = app.clock.clone();
    let portal = Portal::serve(app).await;
    let browser = Browser::open(1280, 1000).await;
    let base = portal.base.clone();
    let url = move |path: &str| format!("{base}{path}");
    let (login, listings, console, feed, loop_page, lists) = (
        url("/console/login"),
        url("/console/listings"),
        url("/console"),
        url("/console/feed"),
        url("/console/loop"),
        url("/lists"),
    );
    browser
        .run(|client| async move {
            // 1. The reviewer logs in and opens 名单管理.
            client.goto(&login).await.unwrap();
            log_in_here(&client, "scjgj").await;
            wait_for_css(&client, &fresh("#me-title")).await;
            screenshot(&client, "31-lists-console").await;
            client.goto(&listings).await.unwrap();

            // 2. The 拟列入 form: list, company, 事由, 事实, 认定依据.
            wait_for_css(&client, "#propose-title").await;
            wait_for_css(&client, "#p-list").await.select_by_value("samr-serious").await.unwrap();
            fill(&client, "#p-subject", uscc().as_str()).await;
            fill(&client, "#p-reason", REASON).await;
            fill(&client, "#p-facts", FACTS).await;
            fill(&client, "#p-basis", BASIS).await;
            let form = card(&client, "拟列入").await;
            scroll_to(&client, &form).await;
            screenshot(&client, "32-lists-propose").await;
            submit(&client, form.find(Locator::Css(r#"button[type="submit"]"#)).await.unwrap()).await;

            // 3. The listing page: proposed; the notice is served today.
            let said = wait_for_css(&client, &fresh(r#"p.notice[role="status"]"#)).await.text().await.unwrap();
            assert!(said.contains("已登记拟列入"), "{said}");
            let listing_path = here(&client).await;
            assert!(listing_path.starts_with("/console/listings/LS"), "{listing_path}");
            let listing_url = url(&listing_path);
            let text = page_text(&client).await;
            for shown in [NAME, uscc().as_str(), REASON, FACTS, BASIS, "拟列入", "送达告知"] {
                assert!(text.contains(shown), "the listing page shows {shown}");
            }
            screenshot(&client, "33-lists-proposed").await;
            let notice = wait_for_css(&client, r#"form[action$="/notice"]"#).await;
            scroll_to(&client, &notice).await;
            screenshot(&client, "34-lists-notice-form").await;
            submit(&client, notice.find(Locator::Css(r#"button[type="submit"]"#)).await.unwrap()).await;

            // 4. Served on Thursday 2026-11-26: five working days end on 12-03.
            let hint = wait_for_css(&client, &fresh("p.hint")).await.text().await.unwrap();
            assert!(hint.contains("异议期至 2026-12-03 届满"), "{hint}");
            let text = page_text(&client).await;
            assert!(text.contains("已登记送达告知"), "{text}");
            assert!(
                client.find(Locator::Css(r#"form[action$="/decide"]"#)).await.is_err(),
                "no decision inside the window"
            );
            screenshot(&client, "35-lists-noticed").await;

            // 5. A week later (test clock) the session has expired. The
            // decision is another reviewer's (four eyes): 张科长 logs in, and
            // the page offers it.
            set_day(&clock, "2026-12-04");
            client.goto(&listing_url).await.unwrap();
            wait_for_css(&client, "#login").await;
            log_in_here(&client, "scjgj-zhang").await;
            let decide = wait_for_css(&client, &fresh(r#"form[action$="/decide"]"#)).await;
            assert_eq!(here(&client).await, listing_path, "the login sends the reviewer back to the listing");
            fill(&client, "#d-no", DECISION_NO).await;
            scroll_to(&client, &decide).await;
            screenshot(&client, "36-lists-decide-form").await;
            submit(&client, decide.find(Locator::Css(r#"button[type="submit"]"#)).await.unwrap()).await;

            // 6. Listed, valid for three years, the measures pushed.
            wait_for_css(&client, &fresh(r#"p.notice[role="status"]"#)).await;
            let status = wait_for_css(&client, "#listing-title + .tag, .row-between .tag").await.text().await.unwrap();
            assert_eq!(status, "已列入");
            let text = page_text(&client).await;
            for shown in [DECISION_NO, "2029-12-03", BIDDING_NAME, "济南市公共资源交易中心", "未签收", "法定代表人"]
            {
                assert!(text.contains(shown), "the decided listing shows {shown}");
            }
            assert!(!text.contains(rep_id().as_str()), "the legal representative's ID number is masked");
            screenshot(&client, "37-lists-listed").await;
            let pushes = card(&client, "措施推送与反馈").await;
            scroll_to(&client, &pushes).await;
            screenshot(&client, "38-lists-pushes").await;

            // 7. The trading centre finds the item in its feed.
            log_out(&client, &console).await;
            client.goto(&feed).await.unwrap();
            log_in_here(&client, "ggzyjy").await;
            let item = wait_for_xpath(&client, &fresh_x(&format!(r#"//section[.//h2[contains(., "{NAME}")]]"#))).await;
            assert_eq!(here(&client).await, "/console/feed");
            let listing_id = listing_path.trim_start_matches("/console/listings/").to_owned();
            assert!(item.text().await.unwrap().contains(&listing_id));
            screenshot(&client, "39-lists-feed").await;

            // 8. 签收 the bidding measure, with a note.
            let row = format!("//section[.//h2[contains(., \"{NAME}\")]]//tr[td[contains(., \"{BIDDING}\")]]");
            fill(&client, &format!("#ack-{listing_id}-{BIDDING}"), "已录入交易系统").await;
            let ack = wait_for_xpath(&client, &format!("{row}//form[contains(@action, 'acknowledge')]//button")).await;
            submit(&client, ack).await;
            let signed = wait_for_xpath(&client, &fresh_x(&format!("{row}//td[contains(., '已签收')]"))).await;
            assert!(signed.text().await.unwrap().contains("已录入交易系统"));

            // 9. 反馈执行情况: the form is open once signed for.
            fill(&client, &format!("#out-{listing_id}-{BIDDING}"), OUTCOME).await;
            fill(&client, &format!("#case-{listing_id}-{BIDDING}"), "ZB-2026-0042").await;
            let form = wait_for_xpath(&client, &format!("{row}//form[contains(@action, 'feedback')]")).await;
            scroll_to(&client, &form).await;
            screenshot(&client, "40-lists-feedback-form").await;
            submit(&client, form.find(Locator::Css(r#"button[type="submit"]"#)).await.unwrap()).await;
            let done = wait_for_xpath(&client, &fresh_x(&format!("{row}//td[contains(., '{OUTCOME}')]"))).await;
            assert!(done.text().await.unwrap().contains("ZB-2026-0042"));
            let item = card(&client, NAME).await;
            scroll_to(&client, &item).await;
            screenshot(&client, "41-lists-fed-back").await;

            // 10. The loop statistics count the push, the signature and the feedback.
            client.goto(&loop_page).await.unwrap();
            let line = wait_for_xpath(
                &client,
                &format!(r#"//section[.//h2[contains(., "分措施")]]//tr[td[contains(., "{BIDDING_NAME}")]]"#),
            )
            .await;
            let cells: Vec<String> = {
                let mut out = Vec::new();
                for td in line.find_all(Locator::Css("td")).await.unwrap() {
                    out.push(td.text().await.unwrap());
                }
                out
            };
            assert_eq!(cells[2..5], ["1", "1", "1"], "pushed, signed, fed back: {cells:?}");
            screenshot(&client, "42-lists-loop").await;
            let lines = card(&client, "分措施").await;
            scroll_to(&client, &lines).await;
            screenshot(&client, "43-lists-loop-lines").await;

            // 11. The public list shows the company, and nothing about its people.
            client.goto(&lists).await.unwrap();
            wait_for_xpath(&client, &format!(r#"//main//*[contains(., "{NAME}")]"#)).await;
            let text = page_text(&client).await;
            assert!(text.contains(uscc().as_str()), "the public list shows the USCC");
            assert!(!text.contains(REP_NAME), "the legal representative's name is not public");
            assert!(!text.contains(rep_id().as_str()), "nor the ID number");
            let source = client.source().await.unwrap();
            assert!(!source.contains(REP_NAME) && !source.contains(rep_id().as_str()), "not even in the HTML");
            screenshot(&client, "44-lists-public").await;
        })
        .await;
}

// ----- narrow ----------------------------------------------------------------------

/// The story's state built through core: the company listed after the window
/// (2026-12-04), the trading centre's feedback on one measure, a second
/// proposal waiting for its notice, a ban and an interview.
async fn listed_city() -> (TestApp, String) {
    let (app, other) = city().await;
    let core = &app.core;
    let scjgj = DepartmentCode::parse("scjgj").unwrap();
    let ggzyjy = DepartmentCode::parse("ggzyjy").unwrap();
    let acting = xinyong_test_support::user("scjgj", Some("scjgj"), &[Role::Operator, Role::Reviewer]);
    let proposal = ProposeListing {
        list_code: "samr-serious".to_owned(),
        subject: uscc().as_str().to_owned(),
        reason: REASON.to_owned(),
        facts: FACTS.to_owned(),
        legal_basis: BASIS.to_owned(),
        source_records: Vec::new(),
        proposed_on: None,
    };
    let id = listing::propose(core, &acting, &scjgj, proposal).await.unwrap();
    listing::serve_notice(core, &acting, &id, day("2026-11-26"), "直接送达").await.unwrap();
    set_day(&app.clock, "2026-12-04");
    let deciding = xinyong_test_support::user("scjgj-zhang", Some("scjgj"), &[Role::Reviewer]);
    listing::decide(core, &deciding, &id, DECISION_NO, day("2026-12-04")).await.unwrap();
    let clerk = xinyong_test_support::user("ggzyjy", Some("ggzyjy"), &[Role::Operator]);
    feeds::report_execution(core, &clerk, &ggzyjy, &id, BIDDING, OUTCOME.to_owned(), None, Some("ZB-2026-0042".into()))
        .await
        .unwrap();

    // A second company: proposed only, and banned from food production.
    let second = ProposeListing {
        list_code: "samr-serious".to_owned(),
        subject: other.clone(),
        reason: "提供虚假材料骗取登记".to_owned(),
        legal_basis: "济市监处罚〔2026〕91号".to_owned(),
        ..ProposeListing::default()
    };
    listing::propose(core, &acting, &scjgj, second).await.unwrap();
    let ban = BanInput {
        subject: other,
        scope: BanScope::Industry,
        field: "食品生产经营".to_owned(),
        description: "五年内不得从事食品生产经营管理工作".to_owned(),
        basis: "《中华人民共和国食品安全法》第一百三十五条".to_owned(),
        decision_no: "济市监禁〔2026〕3号".to_owned(),
        starts_on: day("2026-12-01"),
        ends_on: Some(day("2031-11-30")),
        listing_id: None,
    };
    credit_file::impose_ban(core, &acting, &scjgj, ban).await.unwrap();
    let interview = InterviewInput {
        subject: uscc().as_str().to_owned(),
        kind: InterviewKind::Warning,
        held_on: day("2026-12-04"),
        interviewees: "赵建国（法定代表人）、质量负责人".to_owned(),
        interviewers: "市场监管局食品生产处".to_owned(),
        outcome: "告知列入决定及其后果，责令三十日内完成整改并提交报告。".to_owned(),
        rectify_by: Some(day("2027-01-04")),
        listing_id: Some(id.clone()),
    };
    credit_file::record_interview(core, &acting, &scjgj, interview).await.unwrap();
    (app, id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_420_pixels_no_list_or_loop_page_scrolls_sideways() {
    if !browser_available() {
        return;
    }
    let (app, id) = listed_city().await;
    let portal = Portal::serve(app).await;
    let browser = Browser::open_narrow(420, 900).await;
    let url = |path: &str| portal.url(path);
    let login = url("/console/login");
    // The credit office sees every department's pages (the widest tables:
    // a 部门 column, every department's pushes), then the public list.
    let pages = [
        ("51-narrow-listings", url("/console/listings")),
        ("52-narrow-listing", url(&format!("/console/listings/{id}"))),
        ("53-narrow-loop", url("/console/loop")),
        ("54-narrow-measures", url("/console/measures")),
        ("55-narrow-bans", url("/console/bans")),
        ("56-narrow-interviews", url("/console/interviews")),
        ("57-narrow-subject-file", url(&format!("/console/subjects/{}", uscc().as_str()))),
        ("58-narrow-feed", url("/console/feed?department=ggzyjy")),
        ("59-narrow-lists", url("/lists")),
    ];
    browser
        .run(|client| async move {
            client.goto(&login).await.unwrap();
            log_in_here(&client, "xyb").await;
            wait_for_css(&client, &fresh("#me-title")).await;
            let mut overflowing = Vec::new();
            for (name, url) in pages {
                client.goto(&url).await.unwrap();
                wait_for_css(&client, "footer").await;
                assert!(client.find(Locator::Css("#login")).await.is_err(), "still logged in at {url}");
                let m = client.execute(OVERFLOW_JS, vec![]).await.unwrap();
                let (scroll, inner) = (m["scroll_width"].as_f64().unwrap(), m["inner_width"].as_f64().unwrap());
                assert_eq!(inner, 420.0, "the viewport is 420 px wide");
                screenshot(&client, name).await;
                // The tables further down (the first and the last), where
                // squeezed columns would show.
                let tables = client.find_all(Locator::Css(".table-scroll")).await.unwrap();
                let picked: Vec<_> = match tables.len() {
                    0 => Vec::new(),
                    1 => vec![("t", tables[0].clone())],
                    n => vec![("t", tables[0].clone()), ("u", tables[n - 1].clone())],
                };
                for (suffix, table) in picked {
                    scroll_to(&client, &table).await;
                    screenshot(&client, &format!("{name}-{suffix}")).await;
                }
                if scroll > inner {
                    overflowing.push(format!("{url}: scrollWidth {scroll} > innerWidth {inner}; {}", m["wide"]));
                }
                if m["overlapping"].as_array().is_some_and(|a| !a.is_empty()) {
                    overflowing.push(format!("{url}: labels over values: {}", m["overlapping"]));
                }
            }
            assert!(overflowing.is_empty(), "pages wider than the screen or overlapping:\n{}", overflowing.join("\n"));
        })
        .await;
}

/// A phone (390 px): the public list and the listed company's page neither
/// scroll sideways nor draw a label over its value (the rectangles of label
/// and value do not intersect).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_390_pixels_public_labels_and_values_do_not_overlap() {
    if !browser_available() {
        return;
    }
    let (app, _) = listed_city().await;
    let portal = Portal::serve(app).await;
    let browser = Browser::open_narrow(390, 900).await;
    let pages = [
        ("61-phone-lists", portal.url("/lists")),
        ("62-phone-subject", portal.url(&format!("/subjects/{}", uscc().as_str()))),
    ];
    browser
        .run(|client| async move {
            for (name, url) in pages {
                client.goto(&url).await.unwrap();
                wait_for_css(&client, "footer").await;
                let cells = client.execute("return document.querySelectorAll('td[data-label]').length;", vec![]).await;
                assert!(cells.unwrap().as_u64() > Some(3), "{url}: the listing's cells are laid out as label: value");
                let m = client.execute(OVERFLOW_JS, vec![]).await.unwrap();
                assert_eq!(m["inner_width"].as_f64(), Some(390.0));
                assert!(m["scroll_width"].as_f64() <= Some(390.0), "{url} scrolls sideways: {}", m["wide"]);
                assert_eq!(m["overlapping"], serde_json::json!([]), "{url}: labels over values");
                screenshot(&client, name).await;
            }
        })
        .await;
}

/// Administration in the console: the credit office's administrator
/// disables a clerk with the button in the users table, and the clerk's next
/// login is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_disabled_in_the_console_can_no_longer_log_in() {
    if !browser_available() {
        return;
    }
    let (app, _) = city().await;
    let portal = Portal::serve(app).await;
    let browser = Browser::open(1366, 1000).await;
    let (login, console) = (portal.url("/console/login"), portal.url("/console"));
    browser
        .run(|client| async move {
            client.goto(&login).await.unwrap();
            log_in_here(&client, "xyb").await;
            let disable = wait_for_css(&client, &fresh(r#"form[action="/console/users/ggzyjy/disable"] button"#)).await;
            scroll_to(&client, &disable).await;
            screenshot(&client, "81-console-users").await;
            submit(&client, disable).await;
            wait_for_css(&client, &fresh("#me-title")).await;
            let text = page_text(&client).await;
            assert!(text.contains("用户已停用"), "{text}");
            assert!(client.find(Locator::Css(r#"form[action="/console/users/ggzyjy/disable"]"#)).await.is_err());
            log_out(&client, &console).await;

            client.goto(&login).await.unwrap();
            log_in_here(&client, "ggzyjy").await;
            wait_for_css(&client, &fresh("#login")).await;
            let text = page_text(&client).await;
            assert!(text.contains("该账号已停用"), "{text}");
            assert!(client.find(Locator::Css("#me-title")).await.is_err(), "not logged in");
            screenshot(&client, "82-console-disabled-login").await;
        })
        .await;
}

//! The public portal in real headless Chromium, over a real socket: a visitor
//! types part of a company's name, picks the company, reads its penalty and
//! checks the penalty's proof in the transparency log. Screenshots of every
//! step land in `target/screenshots/browser/`.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use std::time::Instant;
use xinyong_domain::subjects::SubjectsEvent;

use crate::browser::{
    Browser, OVERFLOW_JS, Portal, browser_available, page_text, screenshot, scroll_to, wait_for_css, wait_for_xpath,
};
use fantoccini::Locator;
use xinyong_core::auth::{seed_departments, shipped_departments};
use xinyong_core::collection::intake::{IngestRequest, InputTable, Source, ingest_batch, record_with_log_index};
use xinyong_demo::city::DemoCity;
use xinyong_domain::auth::DepartmentCode;
use xinyong_domain::event::{Actor, EventBody, NewEvent};
use xinyong_domain::subjects::{LegalPerson, NaturalPerson, RelationRole, RoleHolder, SubjectName, SubjectStatus};
use xinyong_domain::{IdNumber, Uscc};
use xinyong_test_support::TestApp;

/// Subjects of the demo city registered before the penalty.
const SUBJECTS: usize = 300;
/// 济南市住房和城乡建设局, the department that decides the penalty.
const ZJJ_USCC: &str = "113701000041882744";
/// What the penalised company did (违法事实), as the subject page shows it.
const FACT: &str = "未取得施工许可证擅自开工建设，违反建筑工程施工许可管理规定。";

/// The company the story looks for.
#[derive(Debug, Clone)]
struct Penalised {
    uscc: String,
    name: String,
    /// Three characters from the middle of the name: neither its start nor
    /// its legal form, and across the boundary of two words.
    fragment: String,
    /// Log index of the penalty record.
    log_index: u64,
}

/// A company to penalise: a demo-city registration called
/// 济南<字号><行业>有限公司, and three characters from the middle of its name
/// (`name[3..6]`, across 字号 and 行业) that no other subject's name contains,
/// so the company is the one suggestion whatever the ranking.
/// Returns (USCC, name, representative, fragment).
fn company(bodies: &[EventBody]) -> (String, String, String, String) {
    let registered = || {
        bodies.iter().filter_map(|b| match b {
            EventBody::Subjects(SubjectsEvent::LegalPersonRegistered { subject, people }) => Some((subject, people)),
            _ => None,
        })
    };
    registered()
        .find_map(|(subject, people)| {
            let name = subject.name.as_str();
            let plain = name.starts_with("济南")
                && !name.starts_with("济南市")
                && name.ends_with("有限公司")
                && !name.ends_with("分公司")
                && !name.contains(['(', '（'])
                && name.chars().count() >= 10
                && subject.uscc.as_str().starts_with("91");
            let fragment: String = name.chars().skip(3).take(3).collect();
            let unique = registered().filter(|(other, _)| other.name.as_str().contains(&fragment)).count() == 1;
            let rep = people.first().map(|p| p.person.name.as_str().to_owned()).unwrap_or_default();
            (plain && unique).then(|| (subject.uscc.as_str().to_owned(), name.to_owned(), rep, fragment))
        })
        .unwrap()
}

fn penalty_row(uscc: &str, name: &str, rep: &str) -> InputTable {
    let cells: [(&str, &str); 18] = [
        ("CF_XDR_MC", name),
        ("CF_XDR_LB", "法人及非法人组织"),
        ("CF_XDR_SHXYM", uscc),
        ("CF_FRDB", rep),
        ("CF_WSH", "济建罚〔2026〕88号"),
        ("CF_WFXW", "未取得施工许可证擅自施工"),
        ("CF_SY", FACT),
        ("CF_YJ", "《建筑工程施工许可管理办法》第十二条"),
        ("CF_CFLB", "罚款"),
        ("CF_NR", "责令停止施工，罚款2万元"),
        ("CF_NR_FK", "2"),
        ("CF_JDRQ", "2026-10-20"),
        ("CF_YXQ", "2026-10-20"),
        ("CF_CFJG", "济南市住房和城乡建设局"),
        ("CF_CFJGDM", ZJJ_USCC),
        ("CF_SJLY", "济南市住房和城乡建设局"),
        ("CF_SJLYDM", ZJJ_USCC),
        ("CF_CXLX", "普通程序"),
    ];
    InputTable {
        headers: cells.iter().map(|(k, _)| (*k).to_owned()).collect(),
        rows: vec![(2, cells.iter().map(|(_, v)| (*v).to_owned()).collect())],
    }
}

/// A small demo city on a private database: the shipped departments,
/// [`SUBJECTS`] registered subjects and one penalty by 住建局, taken in the way
/// departments upload them; the search index has read the log.
async fn penalised_city() -> (TestApp, Penalised) {
    let app = TestApp::new().await;
    seed_departments(&app.core, &shipped_departments().unwrap()).await.unwrap();
    let bodies: Vec<EventBody> = DemoCity::new(20_261_126).take(SUBJECTS).collect();
    let demo = Actor::parse("demo").unwrap();
    app.core.append(bodies.iter().map(|b| NewEvent::new(demo.clone(), b.clone())).collect()).await.unwrap();
    let (uscc, name, rep, fragment) = company(&bodies);
    let out = ingest_batch(
        &app.core,
        IngestRequest {
            actor: Actor::parse("department:zjj").unwrap(),
            department: DepartmentCode::parse("zjj").unwrap(),
            item: Some("CF".to_owned()),
            source: Source::Cli,
            file_name: None,
            idempotency_key: None,
            table: penalty_row(&uscc, &name, &rep),
            lenient_codes: false,
            received_date: None,
            dry_run: false,
        },
    )
    .await
    .unwrap();
    assert_eq!(out.batch.accepted, 1, "{:?}", out.rows);
    let record = out.rows[0].record_id.clone().unwrap();
    let (_, log_index) = record_with_log_index(&app.core, &record).await.unwrap().unwrap();
    app.sync_search().await;
    (app, Penalised { uscc, name, fragment, log_index })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_finds_a_company_by_part_of_its_name_and_verifies_its_penalty() {
    if !browser_available() {
        return;
    }
    let started = Instant::now();
    let (app, company) = penalised_city().await;
    let portal = Portal::serve(app).await;
    let seeded = started.elapsed();
    let browser = Browser::open(1280, 1000).await;
    let launched = started.elapsed();
    let (home, c) = (portal.url("/"), company.clone());
    browser
        .run(|client| async move {
            // The home page, and three characters typed into its search box.
            client.goto(&home).await.unwrap();
            let search_box = wait_for_css(&client, r#"form[role="search"] input[name="q"]"#).await;
            screenshot(&client, "01-home").await;
            search_box.send_keys(&c.fragment).await.unwrap();

            // Search-as-you-type lists the company under the box; pick it.
            let suggestion = wait_for_css(&client, &format!(r#"#suggest a[href="/subjects/{}"]"#, c.uscc)).await;
            assert!(suggestion.text().await.unwrap().contains(&c.name), "suggestion names {}", c.name);
            screenshot(&client, "02-suggestions").await;
            suggestion.click().await.unwrap();

            // The company's page shows the penalty and what it was for.
            wait_for_xpath(&client, &format!(r#"//h1[contains(., "{}")]"#, c.name)).await;
            screenshot(&client, "03-subject").await;
            let penalty = wait_for_xpath(&client, &format!(r#"//article[.//dd[contains(., "{FACT}")]]"#)).await;
            let text = penalty.text().await.unwrap();
            for shown in ["违法事实", FACT, "济建罚〔2026〕88号", "处罚依据"] {
                assert!(text.contains(shown), "the penalty card shows {shown}: {text}");
            }
            let section = penalty.find(Locator::XPath("ancestor::section[1]")).await.unwrap();
            scroll_to(&client, &section).await;
            screenshot(&client, "04-subject-penalty").await;

            // Its 验证 link opens the proof of exactly this log entry.
            let verify = penalty.find(Locator::Css(r#"a[href^="/verify/"]"#)).await.unwrap();
            assert_eq!(verify.attr("href").await.unwrap().unwrap(), format!("/verify/{}", c.log_index));
            assert!(verify.text().await.unwrap().contains("验证"));
            verify.click().await.unwrap();

            // The server checked the inclusion proof against its signed
            // checkpoint, and the page says so in plain Chinese.
            let result = wait_for_css(&client, r#"[role="status"]"#).await;
            let said = result.text().await.unwrap();
            assert!(said.contains("证明有效"), "the verify page says the proof checks out: {said}");
            assert!(said.contains(&format!("第 {} 条", c.log_index)), "the proof is for this entry: {said}");
            let page = page_text(&client).await;
            assert!(page.contains(FACT), "the verify page shows the penalty it proves");
            assert!(!page.contains("证明未通过核验"));
            screenshot(&client, "05-verify").await;
        })
        .await;
    println!(
        "timings: seed+serve {:?}, chromium {:?}, story {:?}",
        seeded,
        launched - seeded,
        started.elapsed() - launched
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_420_pixels_no_page_of_the_story_scrolls_sideways() {
    if !browser_available() {
        return;
    }
    let (app, company) = penalised_city().await;
    let portal = Portal::serve(app).await;
    let browser = Browser::open_narrow(420, 900).await;
    let pages = [
        ("11-narrow-home", portal.url("/")),
        ("12-narrow-search", portal.url(&format!("/search?q={}", company.fragment))),
        ("13-narrow-subject", portal.url(&format!("/subjects/{}", company.uscc))),
        ("14-narrow-verify", portal.url(&format!("/verify/{}", company.log_index))),
    ];
    browser
        .run(|client| async move {
            let mut overflowing = Vec::new();
            for (name, url) in pages {
                client.goto(&url).await.unwrap();
                wait_for_css(&client, "footer").await;
                let m = client.execute(OVERFLOW_JS, vec![]).await.unwrap();
                let (scroll, inner) = (m["scroll_width"].as_f64().unwrap(), m["inner_width"].as_f64().unwrap());
                assert_eq!(inner, 420.0, "the viewport is 420 px wide");
                screenshot(&client, name).await;
                if let Ok(proof) = client.find(Locator::XPath(r#"//section[.//h2[contains(., "包含证明")]]"#)).await
                {
                    scroll_to(&client, &proof).await;
                    screenshot(&client, &format!("{name}-proof")).await;
                }
                if scroll > inner {
                    overflowing.push(format!("{url}: scrollWidth {scroll} > innerWidth {inner}; {}", m["wide"]));
                }
            }
            assert!(overflowing.is_empty(), "pages wider than the screen:\n{}", overflowing.join("\n"));
        })
        .await;
}

// ----- finding: paging and queries people type ---------------------------------------

/// The company the finding story registers itself, so its traditional
/// spelling (濟南鑫泰建築) is known.
const XINTAI: &str = "济南鑫泰建筑工程有限公司";
/// 济南市市场监督管理局, the department that grants the licences.
const SCJGJ_USCC: &str = "11370100MB2853A6XD";
/// Licences granted to 鑫泰: three pages of 双公示 at 20 a page.
const LICENCES: usize = 45;

fn licence_table(uscc: &str, count: usize) -> InputTable {
    let row = |i: usize| -> Vec<String> {
        let number = format!("济市监许〔2026〕{}号", 3000 + i);
        let day = format!("2026-10-{:02}", 1 + i % 28);
        [
            XINTAI,
            "法人及非法人组织",
            uscc,
            "李卫东",
            "准予许可决定书",
            &number,
            "普通",
            "建筑业企业资质证书",
            &format!("JZ{}", 3000 + i),
            "建筑工程施工总承包",
            &day,
            &day,
            "2031-01-01",
            "济南市市场监督管理局",
            SCJGJ_USCC,
            "1",
            "济南市市场监督管理局",
            SCJGJ_USCC,
        ]
        .iter()
        .map(|v| (*v).to_owned())
        .collect()
    };
    let headers = [
        "XK_XDR_MC",
        "XK_XDR_LB",
        "XK_XDR_SHXYM",
        "XK_FRDB",
        "XK_XKWS",
        "XK_WSH",
        "XK_XKLB",
        "XK_XKZS",
        "XK_XKBH",
        "XK_NR",
        "XK_JDRQ",
        "XK_YXQZ",
        "XK_YXQZI",
        "XK_XKJG",
        "XK_XKJGDM",
        "XK_ZT",
        "XK_LYDW",
        "XK_LYDWDM",
    ];
    InputTable {
        headers: headers.iter().map(|h| (*h).to_owned()).collect(),
        rows: (0..count).map(|i| (i as u64 + 2, row(i))).collect(),
    }
}

/// The penalised city plus 鑫泰 and its [`LICENCES`] licences.
async fn licensed_city() -> TestApp {
    let (app, _) = penalised_city().await;
    let code = Uscc::from_parts('9', '1', "370113", "MA3D8N0R").unwrap();
    let registered = SubjectsEvent::LegalPersonRegistered {
        subject: LegalPerson {
            uscc: code.clone(),
            name: SubjectName::parse(XINTAI).unwrap(),
            status: SubjectStatus::Active,
        },
        people: vec![RoleHolder {
            role: RelationRole::LegalRepresentative,
            person: NaturalPerson {
                id_number: IdNumber::parse("440524188001010014").unwrap(),
                name: SubjectName::parse("李卫东").unwrap(),
            },
        }],
    };
    app.core.append(vec![NewEvent::new(Actor::parse("demo").unwrap(), registered)]).await.unwrap();
    let out = ingest_batch(
        &app.core,
        IngestRequest {
            actor: Actor::parse("department:scjgj").unwrap(),
            department: DepartmentCode::parse("scjgj").unwrap(),
            item: Some("XK".to_owned()),
            source: Source::Cli,
            file_name: None,
            idempotency_key: None,
            table: licence_table(code.as_str(), LICENCES),
            lenient_codes: false,
            received_date: None,
            dry_run: false,
        },
    )
    .await
    .unwrap();
    assert_eq!(out.batch.accepted as usize, LICENCES, "{:?}", out.rows);
    app.sync_search().await;
    app
}

/// Marks the page being left, so waiting for the next page cannot be
/// satisfied by the old one.
async fn leave_by(client: &fantoccini::Client, link: fantoccini::elements::Element) {
    client.execute("document.body.dataset.stale = '1';", vec![]).await.unwrap();
    link.click().await.unwrap();
}

/// Waits for page `n` of a numbered list, on a page loaded after [`leave_by`].
async fn on_page(client: &fantoccini::Client, n: usize) {
    let current =
        format!(r#"//body[not(@data-stale)]//nav[contains(@class, "pager")]//span[@aria-current="page" and .="{n}"]"#);
    wait_for_xpath(client, &current).await;
}

/// The texts of what `css` matches.
async fn texts(client: &fantoccini::Client, css: &str) -> Vec<String> {
    let mut out = Vec::new();
    for e in client.find_all(Locator::Css(css)).await.unwrap() {
        out.push(e.text().await.unwrap());
    }
    out
}

/// Page 2 of a numbered list shows other rows; 上一页 brings the first back.
async fn page_two_and_back(client: &fantoccini::Client, rows: &str, shot: &str) {
    on_page(client, 1).await;
    let first = texts(client, rows).await;
    assert!(first.len() >= 20, "a full first page: {first:?}");
    leave_by(client, client.find(Locator::Css(r#"nav.pager a[aria-label="第 2 页"]"#)).await.unwrap()).await;
    on_page(client, 2).await;
    let second = texts(client, rows).await;
    assert!(!second.is_empty() && second.iter().all(|r| !first.contains(r)), "page 2 shows other rows: {second:?}");
    screenshot(client, shot).await;
    leave_by(client, client.find(Locator::Css(r#"nav.pager a[rel="prev"]"#)).await.unwrap()).await;
    on_page(client, 1).await;
    assert_eq!(texts(client, rows).await, first, "上一页 shows the first page again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_pages_through_search_and_publicity_and_finds_a_traditional_spelling() {
    if !browser_available() {
        return;
    }
    let portal = Portal::serve(licensed_city().await).await;
    let browser = Browser::open(1280, 1000).await;
    let (search, licences, home) =
        (portal.url("/search?q=%E6%B5%8E%E5%8D%97"), portal.url("/publicity/licences"), portal.url("/"));
    browser
        .run(|client| async move {
            // 济南 matches most of the city: numbered pages of 20.
            client.goto(&search).await.unwrap();
            page_two_and_back(&client, "ol.results a.r-name", "21-search-page-2").await;

            // 双公示: 45 licences of 鑫泰 and the demo's, three pages or more.
            client.goto(&licences).await.unwrap();
            page_two_and_back(&client, "table.list-table td.doc", "22-publicity-page-2").await;
            // Jump to page 3 with the form.
            let field = wait_for_css(&client, "#pager-page").await;
            field.clear().await.unwrap();
            field.send_keys("3").await.unwrap();
            leave_by(&client, client.find(Locator::Css(".pager-jump button")).await.unwrap()).await;
            on_page(&client, 3).await;
            screenshot(&client, "23-publicity-page-3").await;

            // Typed in traditional characters, the simplified name is found.
            client.goto(&home).await.unwrap();
            let search_box = wait_for_css(&client, r#"form[role="search"] input[name="q"]"#).await;
            search_box.send_keys("濟南鑫泰建築").await.unwrap();
            let button = client.find(Locator::Css(r#"form[role="search"] button[type="submit"]"#)).await.unwrap();
            leave_by(&client, button).await;
            let hit =
                wait_for_xpath(&client, &format!(r#"//body[not(@data-stale)]//ol[@class="results"]//a[.="{XINTAI}"]"#))
                    .await;
            assert!(hit.attr("href").await.unwrap().unwrap().starts_with("/subjects/91370113"));
            screenshot(&client, "24-traditional-query").await;
        })
        .await;
}

//! The public portal in real headless Chromium, over a real socket: a visitor
//! types part of a company's name, picks the company, reads its penalty and
//! checks the penalty's proof in the transparency log. Screenshots of every
//! step land in `target/screenshots/browser/`.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

mod browser;

use std::time::Instant;
use xinyong_domain::subjects::SubjectsEvent;

use browser::{
    Browser, OVERFLOW_JS, Portal, browser_available, page_text, screenshot, scroll_to, wait_for_css, wait_for_xpath,
};
use fantoccini::Locator;
use xinyong_core::auth::{seed_departments, shipped_departments};
use xinyong_core::collection::intake::{IngestRequest, InputTable, Source, ingest_batch, record_with_log_index};
use xinyong_demo::city::DemoCity;
use xinyong_domain::auth::DepartmentCode;
use xinyong_domain::event::{Actor, EventBody, NewEvent};
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

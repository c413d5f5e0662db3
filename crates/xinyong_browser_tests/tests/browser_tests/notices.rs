//! Notices (通知公告, issue 15 item 5) in real headless Chromium: the
//! credit office's administrator opens 通知公告管理 from the console, logs
//! in, fills the notice form with a PDF attachment and publishes; the
//! portal's 通知公告 column lists it, its page shows the paragraphs and the
//! attachment, and the home page's block links it. Withdrawn in the
//! console, it is gone from the portal. Then `/notices` and a notice at
//! 390 px: nothing sticks out. Screenshots land in `target/screenshots/browser/`.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use crate::browser::{
    Browser, OVERFLOW_JS, Portal, browser_available, page_text, screenshot, scroll_to, wait_for_css, wait_for_xpath,
};
use fantoccini::Client;
use xinyong_core::auth::{self, NewUser};
use xinyong_domain::auth::Role;
use xinyong_domain::event::Actor;
use xinyong_test_support::TestApp;

const PASSWORD: &str = "correct-horse-42";
const TITLE: &str = "关于开展2025年度信用修复集中办理的通知";

/// The shipped departments and the credit office's administrator `xyb`.
async fn city() -> TestApp {
    let app = TestApp::new().await;
    auth::seed_departments(&app.core, &auth::shipped_departments().unwrap()).await.unwrap();
    let admin = NewUser {
        login: "xyb".into(),
        display_name: "信用办管理员".into(),
        department: None,
        roles: vec![Role::Admin],
    };
    auth::create_user(&app.core, &Actor::system(), admin, PASSWORD).await.unwrap();
    app
}

async fn submit(client: &Client, button: fantoccini::elements::Element) {
    client.execute("document.body.dataset.stale = '1';", vec![]).await.unwrap();
    button.click().await.unwrap();
}

fn fresh(css: &str) -> String {
    format!("body:not([data-stale]) {css}")
}

async fn fill(client: &Client, css: &str, text: &str) {
    let field = wait_for_css(client, css).await;
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

async fn press(client: &Client, form: &str) {
    let button = wait_for_css(client, &format!(r#"form[action="{form}"] button[type="submit"]"#)).await;
    scroll_to(client, &button).await;
    submit(client, button).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_notice_published_in_the_console_is_shown_on_the_portal() {
    if !browser_available() {
        return;
    }
    let portal = Portal::serve(city().await).await;
    let browser = Browser::open(1366, 1000).await;
    let base = portal.base.clone();
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("信用修复申请表.pdf");
    std::fs::write(&pdf, b"%PDF-1.4\n% notice attachment\n").unwrap();
    let pdf = pdf.to_str().unwrap().to_owned();
    browser
        .run(|client| async move {
            let url = move |path: &str| format!("{base}{path}");
            // 1. The administrator logs in and goes from the console to 通知公告管理.
            client.goto(&url("/console")).await.unwrap();
            fill(&client, "#login", "xyb").await;
            fill(&client, "#password", PASSWORD).await;
            press(&client, "/console/login").await;
            let link = wait_for_css(&client, &fresh(r#"a[href="/console/notices"]"#)).await;
            scroll_to(&client, &link).await;
            submit(&client, link).await;
            wait_for_css(&client, &fresh("#notices-c-title")).await;
            assert!(page_text(&client).await.contains("暂无通知公告"));

            // 2. It fills the form, attaches the application form and publishes.
            let kind = wait_for_css(&client, r#"#notice-kind option[value="announcement"]"#).await;
            kind.click().await.unwrap();
            fill(&client, "#notice-title", TITLE).await;
            let body = "各有关市场主体：\n\n已履行行政处罚决定的企业，可登录本平台在线申请信用修复。";
            fill(&client, "#notice-body", body).await;
            wait_for_css(&client, "#notice-files").await.send_keys(&pdf).await.unwrap();
            screenshot(&client, "90-console-notice-form").await;
            press(&client, "/console/notices").await;
            wait_for_css(&client, &fresh("#notices-c-title")).await;
            let text = page_text(&client).await;
            assert!(text.contains(TITLE) && text.contains("已发布"), "{text}");
            screenshot(&client, "91-console-notices").await;

            // 3. The portal's column lists it; its page has the paragraphs and the file.
            client.goto(&url("/notices")).await.unwrap();
            let item =
                wait_for_xpath(&client, &format!(r#"//ul[@class="notice-list"]//a[contains(., "{TITLE}")]"#)).await;
            screenshot(&client, "92-portal-notices").await;
            submit(&client, item).await;
            wait_for_xpath(
                &client,
                &format!(r#"//body[not(@data-stale)]//h1[@id="notice-title"][contains(., "{TITLE}")]"#),
            )
            .await;
            let text = page_text(&client).await;
            assert!(text.contains("各有关市场主体：") && text.contains("在线申请信用修复"), "{text}");
            assert!(text.contains("信用修复申请表.pdf"), "{text}");
            let paragraphs = client.find_all(fantoccini::Locator::Css(".notice-body p")).await.unwrap();
            assert_eq!(paragraphs.len(), 2, "paragraphs split on the blank line");
            screenshot(&client, "93-portal-notice").await;
            client.goto(&url("/")).await.unwrap();
            let block = wait_for_css(&client, "section[aria-labelledby=\"notices-title\"]").await;
            assert!(block.text().await.unwrap().contains(TITLE));

            // 4. Withdrawn in the console, it is gone from the portal.
            client.goto(&url("/console/notices")).await.unwrap();
            let reason = wait_for_css(&client, "form[action$=\"/withdraw\"] input[name=\"reason\"]").await;
            reason.send_keys("通知内容需要更正").await.unwrap();
            let button = wait_for_css(&client, "form[action$=\"/withdraw\"] button").await;
            submit(&client, button).await;
            wait_for_css(&client, &fresh("#notices-c-title")).await;
            assert!(page_text(&client).await.contains("已撤回"));
            client.goto(&url("/notices")).await.unwrap();
            wait_for_css(&client, "#notices-title").await;
            assert!(!page_text(&client).await.contains(TITLE), "withdrawn notices leave the portal");
        })
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_notices_column_and_a_notice_fit_a_phone() {
    if !browser_available() {
        return;
    }
    let app = city().await;
    let office = xinyong_core::auth::policy::Principal::System(Actor::parse("user:xyb").unwrap());
    let input = xinyong_core::notices::PublishNotice {
        kind: "policy".into(),
        title: "国务院办公厅关于进一步完善失信约束制度构建诚信建设长效机制的指导意见".into(),
        published_on: "2020-12-07".into(),
        body: "指导意见要求科学界定公共信用信息纳入范围和程序。".into(),
        issuer: "国务院办公厅".into(),
        doc_number: "国办发〔2020〕49号".into(),
        attachments: Vec::new(),
    };
    let id = xinyong_core::notices::publish(&app.core, &office, input).await.unwrap();
    let portal = Portal::serve(app).await;
    let browser = Browser::open_narrow(390, 844).await;
    let pages = [
        (portal.url("/notices?kind=policy"), "94-narrow-notices"),
        (portal.url(&format!("/notices/{id}")), "95-narrow-notice"),
    ];
    browser
        .run(|client| async move {
            for (page, shot) in pages {
                client.goto(&page).await.unwrap();
                wait_for_css(&client, "footer").await;
                let m = client.execute(OVERFLOW_JS, vec![]).await.unwrap();
                assert!(m["scroll_width"].as_f64().unwrap() <= m["inner_width"].as_f64().unwrap(), "{page}: {m}");
                assert!(m["overlapping"].as_array().is_some_and(Vec::is_empty), "{page}: {m}");
                screenshot(&client, shot).await;
            }
        })
        .await;
}

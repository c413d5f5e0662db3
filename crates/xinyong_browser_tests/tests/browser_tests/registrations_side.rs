//! Voluntary registration (自愿注册, issue 14 item 5) from the company's
//! side in real headless Chromium: the company logs in, goes from its file
//! to 自愿注册, reads the truthfulness commitment, registers an honour with
//! a PDF, ticks the commitment and submits; its page says 待审核 with the
//! file; once the credit office's commission accepts it, the company's list
//! says 审核通过 and the public page shows it marked 自主申报 · 已审核. Then
//! `/my/registrations` at 390 px: nothing sticks out. Screenshots land in
//! `target/screenshots/browser/`.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use crate::browser::{
    Browser, OVERFLOW_JS, Portal, browser_available, page_text, screenshot, scroll_to, wait_for_css, wait_for_xpath,
};
use fantoccini::Client;
use xinyong_core::auth::policy::Principal;
use xinyong_core::auth::subject_accounts::{self, Activation};
use xinyong_core::registrations::{self, Review};
use xinyong_domain::Uscc;
use xinyong_domain::event::{Actor, NewEvent};
use xinyong_domain::registrations::ReviewOutcome;
use xinyong_domain::subjects::{LegalPerson, SubjectName, SubjectStatus, SubjectsEvent};
use xinyong_test_support::TestApp;

const PASSWORD: &str = "correct-horse-42";
const ORG: &str = "91370102MA3C4F2K2U";
const NAME: &str = "济南泉润商贸有限公司";
const HONOUR: &str = "济南市守合同重信用企业";

/// The departments and the company with its activated account.
async fn city() -> TestApp {
    let app = TestApp::new().await;
    let core = &app.core;
    xinyong_core::auth::seed_departments(core, &xinyong_core::auth::shipped_departments().unwrap()).await.unwrap();
    let org = Uscc::parse(ORG).unwrap();
    let company = SubjectsEvent::LegalPersonRegistered {
        subject: LegalPerson {
            uscc: org.clone(),
            name: SubjectName::parse(NAME).unwrap(),
            status: SubjectStatus::Active,
        },
        people: vec![],
    };
    core.append(vec![NewEvent::new(Actor::parse("demo").unwrap(), company)]).await.unwrap();
    let clerk = xinyong_test_support::department_user("scjgj");
    let letter = subject_accounts::issue_activation_code(core, &clerk, &org, [3; 10]).await.unwrap();
    let activation = Activation {
        uscc: org,
        code: letter.code,
        username: "admin".into(),
        display_name: "办公室".into(),
        password: PASSWORD.into(),
    };
    subject_accounts::activate(core, &activation).await.unwrap();
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

async fn company_logs_in(client: &Client, url: &(dyn Fn(&str) -> String + Sync)) {
    client.goto(&url("/my/login")).await.unwrap();
    fill(client, "#uscc", ORG).await;
    fill(client, "#username", "admin").await;
    fill(client, "#password", PASSWORD).await;
    press(client, "/my/login").await;
    wait_for_css(client, &fresh("#my-title")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_company_registers_an_honour_that_is_accepted_and_shown_publicly() {
    if !browser_available() {
        return;
    }
    let app = city().await;
    let core = app.core.clone();
    let portal = Portal::serve(app).await;
    let browser = Browser::open(1366, 1000).await;
    let base = portal.base.clone();
    let public = portal.url(&format!("/subjects/{ORG}"));
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("守合同重信用企业公示名单.pdf");
    std::fs::write(&pdf, b"%PDF-1.4\n% registration\n").unwrap();
    let pdf = pdf.to_str().unwrap().to_owned();
    browser
        .run(|client| async move {
            let url = move |path: &str| format!("{base}{path}");
            // 1. From its file to the registration form, with the commitment.
            company_logs_in(&client, &url).await;
            let link = wait_for_css(&client, r#"a[href="/my/registrations"]"#).await;
            submit(&client, link).await;
            wait_for_css(&client, &fresh("#my-rg-title")).await;
            let text = page_text(&client).await;
            assert!(text.contains("信用信息自愿注册真实性承诺书") && text.contains(NAME), "{text}");
            assert!(text.contains("尚未注册信息"));

            // 2. It registers the honour with a PDF and signs the commitment.
            let kind = wait_for_css(&client, r#"#kind option[value="honour"]"#).await;
            kind.click().await.unwrap();
            fill(&client, "#title", HONOUR).await;
            fill(&client, "#issuer", "济南市市场监督管理局").await;
            fill(&client, "#content", "列入 2024—2025 年度济南市“守合同重信用”企业公示名单").await;
            wait_for_css(&client, "#files").await.send_keys(&pdf).await.unwrap();
            let tick = wait_for_css(&client, "#commitment").await;
            scroll_to(&client, &tick).await;
            tick.click().await.unwrap();
            screenshot(&client, "80-my-registration-form").await;
            press(&client, "/my/registrations").await;
            wait_for_xpath(&client, &format!(r#"//h1[@id="rd-title"][contains(., "{HONOUR}")]"#)).await;
            let status = wait_for_css(&client, "#registration-status").await.text().await.unwrap();
            assert_eq!(status, "待审核");
            let text = page_text(&client).await;
            assert!(text.contains("守合同重信用企业公示名单.pdf") && text.contains("application/pdf"), "{text}");
            screenshot(&client, "81-my-registration-pending").await;
            let id = client.current_url().await.unwrap().path().rsplit('/').next().unwrap().to_owned();

            // 3. The credit office's commission accepts it (the console's side
            // is the router test's); the company reads the outcome.
            let reviewer = Principal::System(Actor::parse("department:fgw").unwrap());
            let accept = Review { outcome: ReviewOutcome::Accepted, reason: String::new() };
            registrations::review(&core, &reviewer, &id, accept).await.unwrap();
            client.goto(&url("/my/registrations")).await.unwrap();
            let status = wait_for_css(&client, "#my-registrations .registration-status").await.text().await.unwrap();
            assert_eq!(status, "审核通过");
            screenshot(&client, "82-my-registrations-accepted").await;

            // 4. The public page shows it, marked as self-declared and reviewed.
            client.goto(&public).await.unwrap();
            let section = wait_for_css(&client, "#registrations").await;
            scroll_to(&client, &section).await;
            let text = section.text().await.unwrap();
            assert!(text.contains(HONOUR) && text.contains("自主申报 · 已审核"), "{text}");
            assert!(!page_text(&client).await.contains("公示名单.pdf"), "files are never public");
            screenshot(&client, "83-portal-registration").await;
        })
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_registration_page_fits_a_phone() {
    if !browser_available() {
        return;
    }
    let portal = Portal::serve(city().await).await;
    let browser = Browser::open_narrow(390, 844).await;
    let base = portal.base.clone();
    browser
        .run(|client| async move {
            let url = move |path: &str| format!("{base}{path}");
            company_logs_in(&client, &url).await;
            client.goto(&url("/my/registrations")).await.unwrap();
            wait_for_css(&client, "footer").await;
            let m = client.execute(OVERFLOW_JS, vec![]).await.unwrap();
            assert!(m["scroll_width"].as_f64().unwrap() <= m["inner_width"].as_f64().unwrap(), "{m}");
            assert!(m["overlapping"].as_array().is_some_and(Vec::is_empty), "{m}");
            screenshot(&client, "84-narrow-my-registrations").await;
        })
        .await;
}

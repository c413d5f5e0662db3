//! The market subject's side in real headless Chromium (issue 10's
//! acceptance): the market regulator's clerk issues an activation letter;
//! the company activates its account with the code, logs in, sees its whole
//! file including a record that is not public, and objects to a penalty;
//! the portal shows the penalty 异议处理中; the clerk revokes it on the
//! console; the penalty is gone from the portal and the public API; the
//! company sees the outcome. Then `/my` at 390 px: nothing sticks out.
//! Screenshots land in `target/screenshots/browser/`.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use crate::browser::{
    Browser, OVERFLOW_JS, Portal, browser_available, page_text, screenshot, scroll_to, wait_for_css, wait_for_xpath,
};
use fantoccini::{Client, Locator};
use serde_json::json;
use xinyong_core::auth::{self, NewUser};
use xinyong_domain::Uscc;
use xinyong_domain::auth::{DepartmentCode, Role};
use xinyong_domain::event::{Actor, NewEvent};
use xinyong_domain::subjects::{LegalPerson, SubjectName, SubjectStatus, SubjectsEvent};
use xinyong_test_support::TestApp;

const PASSWORD: &str = "correct-horse-42";
const ORG: &str = "91370102MA3C4F2K2U";
const NAME: &str = "济南泉润商贸有限公司";
const FINED: &str = "济市监罚〔2026〕301号";
const WARNED: &str = "济市监罚〔2026〕302号";

fn penalty(doc: &str, category: &str, content: &str, fine: f64, decided: &str) -> serde_json::Value {
    json!({
        "行政相对人名称": NAME,
        "行政相对人类别": "法人及非法人组织",
        "CF_XDR_SHXYM": ORG,
        "法定代表人": "张建国",
        "CF_WSH": doc,
        "CF_WFXW": "销售不合格商品",
        "CF_SY": "当事人销售的电热水壶经抽检不合格。",
        "CF_YJ": "《中华人民共和国产品质量法》第四十九条",
        "CF_CFLB": category,
        "CF_NR": content,
        "CF_NR_FK": fine,
        "CF_JDRQ": decided,
        "CF_YXQ": "2027-10-09",
        "CF_CFJG": "济南市市场监督管理局",
        "CF_CFJGDM": "11370100MB2853A6XD",
        "CF_SJLY": "济南市市场监督管理局",
        "CF_SJLYDM": "11370100MB2853A6XD",
    })
}

/// The departments, the company with a fine (public) and a warning (not
/// public), and the market regulator's reviewer `scjgj`.
async fn city() -> TestApp {
    let app = TestApp::new().await;
    let core = &app.core;
    auth::seed_departments(core, &auth::shipped_departments().unwrap()).await.unwrap();
    let company = SubjectsEvent::LegalPersonRegistered {
        subject: LegalPerson {
            uscc: Uscc::parse(ORG).unwrap(),
            name: SubjectName::parse(NAME).unwrap(),
            status: SubjectStatus::Active,
        },
        people: vec![],
    };
    core.append(vec![NewEvent::new(Actor::parse("demo").unwrap(), company)]).await.unwrap();
    let clerk = NewUser {
        login: "scjgj".into(),
        display_name: "王审核".into(),
        department: Some(DepartmentCode::parse("scjgj").unwrap()),
        roles: vec![Role::Operator, Role::Reviewer],
    };
    auth::create_user(core, &Actor::system(), clerk, PASSWORD).await.unwrap();
    let code = DepartmentCode::parse("scjgj").unwrap();
    let token = auth::issue_token(core, &Actor::system(), &code, "执法系统", [5; 32]).await.unwrap();
    let rows = vec![
        penalty(FINED, "罚款", "罚款5万元", 5.0, "2026-10-09"),
        penalty(WARNED, "警告", "警告", 0.0, "2026-10-12"),
    ];
    let bearer = format!("Bearer {}", token.token);
    let r = app
        .post_json(
            "/api/v1/records/batches",
            &[("authorization", bearer.as_str())],
            &json!({"item": "CF", "rows": rows}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.text());
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

async fn clerk_logs_in(client: &Client, url: &(dyn Fn(&str) -> String + Sync)) {
    client.goto(&url("/console/login")).await.unwrap();
    fill(client, "#login", "scjgj").await;
    fill(client, "#password", PASSWORD).await;
    press(client, "/console/login").await;
    wait_for_css(client, &fresh("#me-title")).await;
}

async fn company_logs_in(client: &Client, url: &(dyn Fn(&str) -> String + Sync)) {
    client.goto(&url("/my/login")).await.unwrap();
    fill(client, "#uscc", ORG).await;
    fill(client, "#username", "admin").await;
    fill(client, "#password", PASSWORD).await;
    press(client, "/my/login").await;
    wait_for_css(client, &fresh("#my-title")).await;
}

async fn log_out(client: &Client, form: &str) {
    let button = wait_for_css(client, &format!(r#"form[action="{form}"] button"#)).await;
    submit(client, button).await;
    wait_for_css(client, &fresh("main")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[expect(clippy::too_many_lines, reason = "one story through the browser, as the company and the clerk see it")]
async fn a_company_objects_online_and_the_revoked_penalty_leaves_the_portal() {
    if !browser_available() {
        return;
    }
    let app = city().await;
    let portal = Portal::serve(app).await;
    let browser = Browser::open(1366, 1000).await;
    let base = portal.base.clone();
    let api = portal.url(&format!("/api/v1/public/subjects/{ORG}"));
    browser
        .run(|client| async move {
            let url = move |path: &str| format!("{base}{path}");
            // 1. The clerk issues an activation letter from the console home.
            clerk_logs_in(&client, &url).await;
            fill(&client, "#letter-uscc", ORG).await;
            press(&client, "/console/activation-letters").await;
            let code = wait_for_css(&client, &fresh(".letter .code")).await.text().await.unwrap();
            assert_eq!(code.len(), 19, "{code}");
            assert!(page_text(&client).await.contains(NAME));
            screenshot(&client, "61-activation-letter").await;
            client.goto(&url("/console")).await.unwrap();
            log_out(&client, "/console/logout").await;

            // 2. The company activates its account with the code and logs in.
            client.goto(&url("/my/activate")).await.unwrap();
            fill(&client, "#uscc", ORG).await;
            fill(&client, "#code", &code).await;
            fill(&client, "#username", "admin").await;
            fill(&client, "#display_name", "办公室 李经理").await;
            fill(&client, "#password", PASSWORD).await;
            fill(&client, "#password_again", PASSWORD).await;
            screenshot(&client, "62-activate").await;
            press(&client, "/my/activate").await;
            let said = wait_for_css(&client, &fresh(r#"p.notice[role="status"]"#)).await.text().await.unwrap();
            assert!(said.contains("账号已开通"), "{said}");
            company_logs_in(&client, &url).await;

            // 3. Its file: both penalties; the warning is not public, and says why.
            let text = page_text(&client).await;
            for shown in [NAME, FINED, WARNED, "公示中", "未公示", "不公示", "谁查询了本企业的信用"]
            {
                assert!(text.contains(shown), "/my shows {shown}");
            }
            assert!(!text.contains("张建国"), "the representative is masked");
            screenshot(&client, "63-my-file").await;

            // 4. It objects to the fine.
            let fined_card = wait_for_xpath(
                &client,
                &format!(r#"//article[starts-with(@id, "record-")][.//h3[contains(., "{FINED}")]]"#),
            )
            .await;
            let id = fined_card.attr("id").await.unwrap().unwrap().trim_start_matches("record-").to_owned();
            let summary = fined_card.find(Locator::XPath(".//summary[contains(., '提出异议')]")).await.unwrap();
            scroll_to(&client, &summary).await;
            summary.click().await.unwrap();
            fill(&client, &format!("#grounds-{id}"), "罚款金额与处罚决定书不一致，决定书已由复议机关撤销").await;
            screenshot(&client, "64-my-objection-form").await;
            press(&client, &format!("/my/records/{id}/objection")).await;
            let said = wait_for_css(&client, &fresh(r#"p.notice[role="status"]"#)).await.text().await.unwrap();
            assert!(said.contains("异议已提交"), "{said}");
            assert!(page_text(&client).await.contains("异议处理中"));

            // 5. The portal marks the penalty.
            client.goto(&url(&format!("/subjects/{ORG}"))).await.unwrap();
            let text = page_text(&client).await;
            assert!(text.contains(FINED) && text.contains("异议处理中"), "{text}");
            screenshot(&client, "65-portal-under-objection").await;
            client.goto(&url("/my")).await.unwrap();
            log_out(&client, "/my/logout").await;

            // 6. The clerk finds it on the console and revokes the penalty.
            clerk_logs_in(&client, &url).await;
            assert!(page_text(&client).await.contains("异议处理"));
            client.goto(&url("/console/objections")).await.unwrap();
            let link = wait_for_css(&client, r#"a[href^="/console/objections/YY"]"#).await;
            screenshot(&client, "66-console-objections").await;
            submit(&client, link).await;
            wait_for_css(&client, &fresh("#answer-title")).await;
            client.find(Locator::Css(r#"input[name="result"][value="revoked"]"#)).await.unwrap().click().await.unwrap();
            fill(&client, "#reply", "经核实，该处罚决定已被复议机关撤销，信息予以撤销").await;
            screenshot(&client, "67-console-answer").await;
            let answer = client.find(Locator::Css(r#"form[action$="/answer"] button[type="submit"]"#)).await.unwrap();
            submit(&client, answer).await;
            wait_for_css(&client, &fresh("#d-title")).await;
            assert!(page_text(&client).await.contains("异议成立，信息予以撤销"));
            client.goto(&url("/console")).await.unwrap();
            log_out(&client, "/console/logout").await;

            // 7. Gone from the portal and the public API.
            client.goto(&url(&format!("/subjects/{ORG}"))).await.unwrap();
            let text = page_text(&client).await;
            assert!(!text.contains(FINED) && !text.contains("异议处理中"), "{text}");
            client.goto(&api).await.unwrap();
            assert!(!page_text(&client).await.contains(FINED));

            // 8. The company sees the outcome.
            company_logs_in(&client, &url).await;
            let objections = wait_for_css(&client, "#objections").await;
            scroll_to(&client, &objections).await;
            let text = page_text(&client).await;
            assert!(text.contains("异议成立，信息予以撤销") && text.contains("已停止公示"), "{text}");
            screenshot(&client, "68-my-outcome").await;
        })
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_company_pages_fit_a_phone() {
    if !browser_available() {
        return;
    }
    let app = city().await;
    let letter = xinyong_core::auth::subject_accounts::issue_activation_code(
        &app.core,
        &xinyong_test_support::department_user("scjgj"),
        &Uscc::parse(ORG).unwrap(),
        [1; 10],
    )
    .await
    .unwrap();
    let activation = xinyong_core::auth::subject_accounts::Activation {
        uscc: Uscc::parse(ORG).unwrap(),
        code: letter.code,
        username: "admin".into(),
        display_name: "办公室".into(),
        password: PASSWORD.into(),
    };
    xinyong_core::auth::subject_accounts::activate(&app.core, &activation).await.unwrap();
    let portal = Portal::serve(app).await;
    let browser = Browser::open_narrow(390, 844).await;
    let base = portal.base.clone();
    browser
        .run(|client| async move {
            let url = move |path: &str| format!("{base}{path}");
            for (name, path) in [("69-narrow-my-login", "/my/login"), ("70-narrow-my-activate", "/my/activate")] {
                client.goto(&url(path)).await.unwrap();
                wait_for_css(&client, "footer").await;
                let m = client.execute(OVERFLOW_JS, vec![]).await.unwrap();
                assert!(m["scroll_width"].as_f64().unwrap() <= m["inner_width"].as_f64().unwrap(), "{path}: {m}");
                assert!(m["overlapping"].as_array().is_some_and(Vec::is_empty), "{path}: {m}");
                screenshot(&client, name).await;
            }
            company_logs_in(&client, &url).await;
            let m = client.execute(OVERFLOW_JS, vec![]).await.unwrap();
            assert!(m["scroll_width"].as_f64().unwrap() <= m["inner_width"].as_f64().unwrap(), "/my: {m}");
            assert!(m["overlapping"].as_array().is_some_and(Vec::is_empty), "/my: {m}");
            screenshot(&client, "71-narrow-my").await;
        })
        .await;
}

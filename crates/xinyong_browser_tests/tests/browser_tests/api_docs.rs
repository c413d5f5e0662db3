//! The API documentation page in real headless Chromium: the vendored
//! Swagger UI loads under the site's content security policy (no CDN, no
//! inline script) and lists the operations of `/api/v1/openapi.json`.

use crate::browser::{Browser, Portal, browser_available, page_text, screenshot, wait_for_css};
use fantoccini::Locator;
use xinyong_test_support::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_docs_page_lists_the_operations_from_the_vendored_swagger_ui() {
    if !browser_available() {
        return;
    }
    let portal = Portal::serve(TestApp::new().await).await;
    let browser = Browser::open(1366, 1000).await;
    let (home, docs) = (portal.url("/"), portal.url("/api/docs"));
    browser
        .run(|client| async move {
            // From the footer of any page.
            client.goto(&home).await.unwrap();
            wait_for_css(&client, r#"footer a[href="/api/docs"]"#).await.click().await.unwrap();
            wait_for_css(&client, "#swagger-ui .opblock").await;
            assert_eq!(client.current_url().await.unwrap().as_str(), docs);
            let operations = client.find_all(Locator::Css("#swagger-ui .opblock")).await.unwrap();
            assert!(operations.len() > 20, "{} operations listed", operations.len());
            let text = page_text(&client).await;
            for expected in ["开放接口文档", "/api/v1/checks", "/api/v1/public/subjects"] {
                assert!(text.contains(expected), "{expected} missing");
            }
            screenshot(&client, "91-api-docs").await;
        })
        .await;
}

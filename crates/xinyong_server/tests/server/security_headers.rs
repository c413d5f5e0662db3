//! Every response carries the security headers (issue 11, finding 6): pages,
//! the console, the API, the log endpoints, errors and the not-found page;
//! HSTS only when the site is served over HTTPS.

use axum::body::Body;
use axum::http::Request;
use tower::ServiceExt as _;
use xinyong_server::headers::CONTENT_SECURITY_POLICY;
use xinyong_server::{AppState, SiteSettings};
use xinyong_test_support::{TestApp, TestResponse};

const PATHS: [&str; 8] = [
    "/",
    "/search?q=济南",
    "/console/login",
    "/console",
    "/api/v1/ping",
    "/api/v1/records/batches/unknown",
    "/log/checkpoint",
    "/no/such/page",
];

fn assert_secure(path: &str, response: &TestResponse, hsts: bool) {
    let header = |name: &str| response.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    assert_eq!(header("content-security-policy").as_deref(), Some(CONTENT_SECURITY_POLICY), "{path}");
    let csp = header("content-security-policy").unwrap_or_default();
    assert!(csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"), "{path}: {csp}");
    assert_eq!(header("x-frame-options").as_deref(), Some("DENY"), "{path}");
    assert_eq!(header("x-content-type-options").as_deref(), Some("nosniff"), "{path}");
    assert_eq!(header("referrer-policy").as_deref(), Some("same-origin"), "{path}");
    assert_eq!(header("strict-transport-security").is_some(), hsts, "{path}");
}

#[tokio::test]
async fn every_kind_of_response_carries_the_security_headers() {
    let app = TestApp::new().await;
    for path in PATHS {
        let response = app.get(path).await;
        assert_secure(path, &response, false);
    }
}

#[tokio::test]
async fn hsts_only_when_the_site_is_served_over_https() {
    let app = TestApp::new().await;
    let site = SiteSettings { cookie_secure: true, ..SiteSettings::default() };
    let router = xinyong_server::router(AppState::new(app.core.clone(), site));
    for path in PATHS {
        let response = router.clone().oneshot(Request::get(path).body(Body::empty()).unwrap()).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let response = TestResponse { status, headers, body: Vec::new() };
        assert_secure(path, &response, true);
    }
}

#[tokio::test]
async fn pages_hold_no_inline_script_or_style_the_policy_would_refuse() {
    let app = TestApp::new().await;
    for path in ["/", "/search?q=济南", "/console/login", "/lists", "/verify", "/publicity/licences"] {
        let html = app.get(path).await.text();
        for (i, _) in html.match_indices("<script") {
            let tag = &html[i..i + html[i..].find('>').unwrap_or(0)];
            assert!(tag.contains("src=\"/static/"), "{path}: inline script {tag}");
        }
        assert!(!html.contains("<style") && !html.contains(" style=") && !html.contains(" onclick="), "{path}");
    }
}

//! `POST /api/v1/records/batches` and friends, as a department's system calls them.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};
use xinyong_core::auth;
use xinyong_domain::auth::DepartmentCode;
use xinyong_domain::event::Actor;
use xinyong_test_support::{TestApp, TestResponse};

async fn app_with_tokens() -> (TestApp, String, String) {
    let app = TestApp::new().await;
    auth::seed_departments(&app.core, &auth::shipped_departments().unwrap()).await.unwrap();
    let zjj = DepartmentCode::parse("zjj").unwrap();
    let swj = DepartmentCode::parse("swj").unwrap();
    let t1 = auth::issue_token(&app.core, &Actor::system(), &zjj, "住建业务系统", [1; 32]).await.unwrap();
    let t2 = auth::issue_token(&app.core, &Actor::system(), &swj, "税务系统", [2; 32]).await.unwrap();
    (app, t1.token, t2.token)
}

async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    token: Option<&str>,
    key: Option<&str>,
    body: Option<Value>,
) -> TestResponse {
    let mut req = Request::builder().method(method).uri(path);
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    if let Some(k) = key {
        req = req.header("idempotency-key", k);
    }
    let body = match body {
        Some(v) => {
            req = req.header(header::CONTENT_TYPE, "application/json");
            Body::from(v.to_string())
        }
        None => Body::empty(),
    };
    app.send(req.body(body).unwrap()).await
}

fn penalty(doc: &str, fact: &str, date: &str) -> Value {
    json!({
        "行政相对人名称": "济南鑫泰建筑工程有限公司",
        "行政相对人类别": "法人及非法人组织",
        "CF_XDR_SHXYM": "91370112MA3D8N0Q3C",
        "法定代表人": "李卫东",
        "CF_WSH": doc,
        "CF_WFXW": "违法建设",
        "CF_SY": fact,
        "CF_YJ": "《建设工程质量管理条例》第六十四条",
        "CF_CFLB": "罚款",
        "CF_NR": "罚款5万元",
        "CF_NR_FK": 5,
        "CF_JDRQ": date,
        "CF_YXQ": date,
        "CF_CFJG": "济南市住房和城乡建设局",
        "CF_CFJGDM": "113701000041882744",
        "CF_SJLY": "济南市住房和城乡建设局",
        "CF_SJLYDM": "113701000041882744",
    })
}

#[tokio::test]
async fn a_department_system_pushes_a_batch_and_reads_it_back() {
    let (app, zjj, swj) = app_with_tokens().await;
    let body = json!({
        "item": "CF",
        "rows": [penalty("济建罚〔2026〕11号", "事实一", "2026-06-01"), penalty("", "缺文号", "2026-06-02")]
    });
    let r = call(&app, "POST", "/api/v1/records/batches", Some(&zjj), Some("zjj-2026-0001"), Some(body.clone())).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let out = r.json();
    assert_eq!(out["batch"]["accepted"], 1);
    assert_eq!(out["batch"]["rejected"], 1);
    assert_eq!(out["rows"][1]["status"], "rejected");
    assert_eq!(out["rows"][1]["errors"][0]["field"], "CF_WSH");
    assert_eq!(out["rows"][1]["errors"][0]["code"], "required_missing");
    let batch_id = out["batch"]["id"].as_str().unwrap().to_owned();
    let record_id = out["rows"][0]["record_id"].as_str().unwrap().to_owned();

    // The same Idempotency-Key again: the stored batch, nothing written.
    let size = app.core.store().log_size().await.unwrap();
    let again = call(&app, "POST", "/api/v1/records/batches", Some(&zjj), Some("zjj-2026-0001"), Some(body)).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.json()["batch"]["id"], batch_id.as_str());
    assert_eq!(app.core.store().log_size().await.unwrap(), size);

    let b = call(&app, "GET", &format!("/api/v1/records/batches/{batch_id}"), Some(&zjj), None, None).await;
    assert_eq!(b.status, StatusCode::OK);
    assert_eq!(b.json()["batch"]["reports"][0]["row"], 2);

    let x = call(&app, "GET", &format!("/api/v1/records/batches/{batch_id}/errors.xlsx"), Some(&zjj), None, None).await;
    assert_eq!(x.status, StatusCode::OK);
    assert!(x.headers[header::CONTENT_DISPOSITION].to_str().unwrap().contains("filename*=UTF-8''"));
    let table = xinyong_tabular::read_table(&x.body, &Default::default()).unwrap();
    assert_eq!(&table.headers[table.headers.len() - 2..], ["错误说明", "错误代码"]);
    assert_eq!(table.rows.len(), 1);
    assert!(table.rows[0].cells[table.headers.len() - 2].contains("行政处罚决定书文号"));

    // Provenance: department, batch, catalog version, log index.
    let rec = call(&app, "GET", &format!("/api/v1/records/{record_id}"), Some(&zjj), None, None).await;
    assert_eq!(rec.status, StatusCode::OK);
    let rec = rec.json();
    assert_eq!(rec["record"]["department"], "zjj");
    assert_eq!(rec["record"]["batch_id"], batch_id.as_str());
    assert_eq!(rec["record"]["catalog_version"], app.core.rules().catalog.version());
    let index = rec["log_index"].as_u64().unwrap();
    let entry = String::from_utf8(app.core.entry(index).await.unwrap()).unwrap();
    assert!(entry.contains("kind record_accepted"));

    // Another department sees none of it.
    for path in [format!("/api/v1/records/batches/{batch_id}"), format!("/api/v1/records/{record_id}")] {
        assert_eq!(call(&app, "GET", &path, Some(&swj), None, None).await.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn requests_without_credentials_or_with_bad_bodies_get_the_envelope() {
    let (app, zjj, _) = app_with_tokens().await;
    let body = json!({"item": "CF", "rows": []});
    let r = call(&app, "POST", "/api/v1/records/batches", None, None, Some(body.clone())).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["error"]["code"], "unauthenticated");
    let r = call(&app, "POST", "/api/v1/records/batches", Some("xyt_bogus_token"), None, Some(body)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = call(&app, "POST", "/api/v1/records/batches", Some(&zjj), None, Some(json!({"item": "NOPE", "rows": []})))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["code"], "item_unknown");
    let r =
        call(&app, "POST", "/api/v1/records/batches", Some(&zjj), None, Some(json!({"item": "SXBZXR", "rows": []})))
            .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json()["error"]["code"], "item_not_allowed");
    let r = call(
        &app,
        "POST",
        "/api/v1/records/batches",
        Some(&zjj),
        None,
        Some(json!({"item": "CF", "rows": [{"CF_WSH": [1]}]})),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["error"]["code"], "row_value_invalid");
}

#[tokio::test]
async fn timeliness_counts_working_days_per_item() {
    let (app, zjj, _) = app_with_tokens().await;
    // Received "today" (2026-11-26): decided 2026-11-18 is 6 working days, 2026-06-01 is late.
    let body = json!({"item": "CF", "rows": [penalty("济建罚〔2026〕21号", "及时", "2026-11-18"), penalty("济建罚〔2026〕22号", "迟报", "2026-06-01")]});
    assert_eq!(
        call(&app, "POST", "/api/v1/records/batches", Some(&zjj), None, Some(body)).await.status,
        StatusCode::CREATED
    );
    let r = call(&app, "GET", "/api/v1/stats/timeliness?from=2026-11-01&to=2026-11-30", Some(&zjj), None, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let report = r.json();
    assert_eq!(report["total"], 2);
    assert_eq!(report["on_time"], 1);
    assert_eq!(report["lines"][0]["item"], "CF");
    assert_eq!(report["lines"][0]["late"], 1);
    assert_eq!(report["overdue"][0]["document_number"], "济建罚〔2026〕22号");
    let bad = call(&app, "GET", "/api/v1/stats/timeliness?from=2026-13-01", Some(&zjj), None, None).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

/// The amplification probe (issue 11, finding 1): small requests of empty or
/// broken rows used to be stored as 100,000 rejected rows and answered with
/// hundreds of megabytes. Now they are refused whole, in a short answer,
/// and the log does not grow.
#[tokio::test]
async fn empty_and_broken_rows_cannot_amplify_a_small_request() {
    let (app, zjj, _) = app_with_tokens().await;
    let before = app.core.store().log_size().await.unwrap();
    let mut rows = vec![penalty("济建罚〔2026〕1号", "违法建设", "2026-11-02")];
    rows.extend(std::iter::repeat_n(json!({}), 99_999));
    let body = json!({"item": "CF", "rows": rows});
    assert!(body.to_string().len() < 400_000);
    let r = call(&app, "POST", "/api/v1/records/batches", Some(&zjj), None, Some(body)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(r.json()["error"]["code"], "row_empty");
    assert!(r.body.len() < 1_000, "{} bytes", r.body.len());

    // Rows that are not empty but broken: one full row, then one field each.
    let mut rows = vec![penalty("济建罚〔2026〕1号", "违法建设", "2026-11-02")];
    rows.extend((1..100_000).map(|i| json!({"CF_WSH": format!("{i}")})));
    let body = json!({"item": "CF", "rows": rows});
    assert!(body.to_string().len() < 2 * 1024 * 1024);
    let r = call(&app, "POST", "/api/v1/records/batches", Some(&zjj), None, Some(body)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(r.json()["error"]["code"], "batch_mostly_rejected");
    assert!(r.body.len() < 2_000, "{} bytes", r.body.len());
    assert_eq!(app.core.store().log_size().await.unwrap(), before, "nothing was written");
}

/// Answers are bounded by a page, not by the batch (issue 11, finding 1):
/// 1,000 row results and row reports at most; the rest page by page.
#[tokio::test]
async fn large_batches_answer_a_page_of_rows_and_page_their_reports() {
    let (app, zjj, _) = app_with_tokens().await;
    // 2,400 rows, 1,100 of them with an impossible date: within the share.
    let rows: Vec<Value> = (0..2_400)
        .map(|i| {
            let date = if i < 1_100 { "2026-13-45" } else { "2026-11-02" };
            penalty(&format!("济建罚〔2026〕{}号", 10_000 + i), "违法建设", date)
        })
        .collect();
    let body = json!({"item": "CF", "rows": rows});
    let r = call(&app, "POST", "/api/v1/records/batches", Some(&zjj), None, Some(body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let created = r.json();
    assert_eq!(created["rows"].as_array().unwrap().len(), 1_000);
    assert_eq!(created["rows_omitted"], 1_400);
    assert_eq!(created["batch"]["reports"].as_array().unwrap().len(), 1_000);
    assert_eq!(created["reports_omitted"], 100);
    assert_eq!(
        (created["batch"]["accepted"].as_u64(), created["batch"]["rejected"].as_u64()),
        (Some(1_300), Some(1_100))
    );

    let id = created["batch"]["id"].as_str().unwrap();
    let first = call(&app, "GET", &format!("/api/v1/records/batches/{id}"), Some(&zjj), None, None).await.json();
    assert_eq!(first["batch"]["reports"].as_array().unwrap().len(), 1_000);
    assert_eq!(first["reports_next_offset"], 1_000);
    let path = format!("/api/v1/records/batches/{id}?reports_offset=1000");
    let second = call(&app, "GET", &path, Some(&zjj), None, None).await.json();
    let rest = second["batch"]["reports"].as_array().unwrap();
    assert_eq!(rest.len(), 100);
    assert!(second.get("reports_next_offset").is_none());
    assert_eq!(rest[0]["row"], 1_001);
    let bad =
        call(&app, "GET", &format!("/api/v1/records/batches/{id}?reports_offset=x"), Some(&zjj), None, None).await;
    assert_eq!((bad.status, bad.json()["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("query_invalid")));
}

/// Programs get the JSON envelope for paths and methods the API does not
/// have (issue 11, finding 9); browsers get the error page.
#[tokio::test]
async fn unknown_api_paths_and_methods_answer_with_the_envelope() {
    let (app, zjj, _) = app_with_tokens().await;
    let r = call(&app, "GET", "/api/v1/no-such-thing", Some(&zjj), None, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.content_type().starts_with("application/json"), "{}", r.content_type());
    assert_eq!(r.json()["error"]["code"], "not_found");
    let r = call(&app, "DELETE", "/api/v1/records/batches", Some(&zjj), None, None).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.json()["error"]["code"], "method_not_allowed");
    let r = call(&app, "GET", "/no-such-page", None, None, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.content_type().starts_with("text/html"), "{}", r.content_type());
    let r = call(&app, "PUT", "/lists", None, None, None).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(r.text().contains("不支持 PUT 方法"));
    // A browser that GETs a form's address goes to the page above it.
    let r = call(&app, "GET", "/console/users", None, None, None).await;
    assert_eq!((r.status, r.headers["location"].to_str().unwrap()), (StatusCode::SEE_OTHER, "/console"));
    let r = call(&app, "GET", "/console/listings/LS1/decide", None, None, None).await;
    assert_eq!(r.headers["location"], "/console/listings/LS1");
    let r = call(&app, "GET", "/console/tokens/T1/revoke", None, None, None).await;
    assert_eq!(r.headers["location"], "/console");
}

/// A refusal of the API as a program reads it: the status, and the envelope's code.
fn refusal(r: &TestResponse) -> (StatusCode, String) {
    assert!(r.content_type().starts_with("application/json"), "{} {}: {}", r.status, r.content_type(), r.text());
    (r.status, r.json()["error"]["code"].as_str().unwrap_or_default().to_owned())
}

/// What axum's extractors refuse (a query string, a path segment, a body
/// that does not parse, the wrong content type, a body over the limit) is
/// the envelope with a status the document lists, never a plain-text 400
/// (issue 11, finding 9).
#[tokio::test]
async fn extractor_refusals_answer_with_the_envelope() {
    let (app, zjj, _) = app_with_tokens().await;
    let bad = |s: StatusCode, code: &str| (s, code.to_owned());
    // Query strings: a parameter given twice, a number that is not one.
    for path in [
        "/api/v1/records/batches/b0?reports_offset=1&reports_offset=2",
        "/api/v1/feeds/zjj?limit=1&limit=2",
        "/api/v1/stats/timeliness?from=2026-01-01&from=2026-01-02",
        "/api/v1/subscription/feed?limit=x",
        "/api/v1/public/subjects?q=%E6%B3%89%E6%B6%A6&limit=x",
        "/api/v1/public/notices?kind=policy&kind=policy",
    ] {
        let r = call(&app, "GET", path, Some(&zjj), None, None).await;
        assert_eq!(refusal(&r), bad(StatusCode::BAD_REQUEST, "query_invalid"), "{path}");
        assert!(r.json()["error"]["message"].as_str().unwrap().contains("查询参数无效"));
    }
    // A number parameter given empty is not the default: the document says integer.
    for path in ["/api/v1/feeds/zjj?limit=", "/api/v1/records/batches/b0?reports_offset="] {
        let r = call(&app, "GET", path, Some(&zjj), None, None).await;
        assert_eq!(refusal(&r), bad(StatusCode::BAD_REQUEST, "query_invalid"), "{path}");
    }
    // A path segment that is not UTF-8 once decoded.
    for path in ["/api/v1/public/subjects/%FF", "/api/v1/records/%FF", "/api/v1/checks/receipts/%C3%28"] {
        let r = call(&app, "GET", path, Some(&zjj), None, None).await;
        assert_eq!(refusal(&r), bad(StatusCode::BAD_REQUEST, "path_invalid"), "{path}");
    }
    // Bodies: not JSON, JSON of the wrong shape (an unknown field inside a case), no content type.
    let raw = |method: &str, path: &str, content_type: Option<&str>, body: &'static str| {
        let mut req =
            Request::builder().method(method).uri(path).header(header::AUTHORIZATION, format!("Bearer {zjj}"));
        if let Some(t) = content_type {
            req = req.header(header::CONTENT_TYPE, t);
        }
        req.body(Body::from(body)).unwrap()
    };
    let r = app.send(raw("POST", "/api/v1/feeds/zjj/acknowledgements", Some("application/json"), "{")).await;
    assert_eq!(refusal(&r), bad(StatusCode::BAD_REQUEST, "invalid_json"));
    let case = r#"{"cases":[{"case_ref":"A1","scenario":"bidding","handled_on":"2026-01-05","extra":1}]}"#;
    let r = app.send(raw("POST", "/api/v1/cases", Some("application/json"), case)).await;
    assert_eq!(refusal(&r), bad(StatusCode::UNPROCESSABLE_ENTITY, "invalid_json"));
    assert!(r.text().contains("extra"), "{}", r.text());
    let r = app.send(raw("PUT", "/api/v1/webhooks/zjj", None, r#"{"url":"https://example.org/hook"}"#)).await;
    assert_eq!(refusal(&r), bad(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"));
    // A declared length over the limit is refused by the layer, before any handler.
    let big = Request::builder()
        .method("POST")
        .uri("/api/v1/records/batches")
        .header(header::AUTHORIZATION, format!("Bearer {zjj}"))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_LENGTH, 3 * 1024 * 1024)
        .body(Body::from(vec![b' '; 3 * 1024 * 1024]))
        .unwrap();
    let r = app.send(big).await;
    assert_eq!(refusal(&r), bad(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large"));
    // A department's token on the subscribers' operations: 403, as documented.
    let r = call(&app, "GET", "/api/v1/subscription/watchlist", Some(&zjj), None, None).await;
    assert_eq!(refusal(&r), bad(StatusCode::FORBIDDEN, "subscribers_only"));
}

/// Every refusal above is a status the document lists for its operation.
#[tokio::test]
async fn the_document_lists_the_refusals_of_every_operation() {
    let app = TestApp::new().await;
    let doc = app.get("/api/v1/openapi.json").await.json();
    let statuses = |method: &str, path: &str| -> Vec<String> {
        doc["paths"][path][method]["responses"].as_object().unwrap().keys().cloned().collect()
    };
    for (method, path) in [
        ("get", "/api/v1/records/batches/{id}"),
        ("get", "/api/v1/feeds/{department}"),
        ("get", "/api/v1/stats/timeliness"),
        ("get", "/api/v1/subscription/feed"),
        ("get", "/api/v1/public/subjects"),
        ("get", "/api/v1/public/notices"),
        ("get", "/api/v1/public/pledges"),
        ("get", "/api/v1/public/subjects/{uscc}"),
        ("get", "/api/v1/records/{id}"),
        ("get", "/api/v1/checks/receipts/{id}"),
    ] {
        assert!(statuses(method, path).contains(&"400".to_owned()), "{method} {path}");
    }
    for (method, path) in [
        ("post", "/api/v1/records/batches"),
        ("post", "/api/v1/cases"),
        ("post", "/api/v1/feeds/{department}/acknowledgements"),
        ("post", "/api/v1/feeds/{department}/feedback"),
        ("put", "/api/v1/webhooks/{department}"),
        ("put", "/api/v1/subscription/watchlist"),
        ("put", "/api/v1/subscription/webhook"),
    ] {
        for status in ["400", "413", "415", "422"] {
            assert!(statuses(method, path).contains(&status.to_owned()), "{method} {path} {status}");
        }
    }
    assert!(statuses("get", "/api/v1/subscription/watchlist").contains(&"403".to_owned()));
    // What the parsers enforce is stated: unknown fields, lengths, codes.
    let schemas = &doc["components"]["schemas"];
    for name in ["BatchCreateRequestDoc", "CheckRequestDoc", "CasesRequestDoc", "CaseDoc", "WebhookRequestDoc"] {
        assert_eq!(schemas[name]["additionalProperties"], false, "{name}");
    }
    assert_eq!(schemas["BatchCheckRequestDoc"]["properties"]["subjects"]["maxItems"], 10_000);
    let scenario =
        regex::Regex::new(schemas["CheckRequestDoc"]["properties"]["scenario"]["pattern"].as_str().unwrap()).unwrap();
    assert!(scenario.is_match("bidding") && scenario.is_match(" approval ") && !scenario.is_match("bid"));
    assert_eq!(xinyong_server::openapi::unplaced_limits(), Vec::<String>::new());
}

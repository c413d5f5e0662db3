//! The console's collection pages (uploads, batch results, error reports,
//! templates) and the timeliness report, through the router.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use std::sync::atomic::{AtomicU8, Ordering};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use xinyong_core::auth::{self, NewUser};
use xinyong_domain::auth::{DepartmentCode, Role};
use xinyong_domain::event::Actor;
use xinyong_tabular::{ReadOptions, read_table};
use xinyong_test_support::{TestApp, TestResponse};

const PASSWORD: &str = "correct-horse-42";

/// Departments seeded; `wang` clerks for 市场监管局 (scjgj), `zhao` for 税务局
/// (swj), `boss` administers (credit office, no department), `chen` only
/// reviews for scjgj.
async fn app() -> TestApp {
    let app = TestApp::new().await;
    let core = &app.core;
    auth::seed_departments(core, &auth::shipped_departments().unwrap()).await.unwrap();
    let users: [(&str, &str, Option<&str>, Vec<Role>); 4] = [
        ("wang", "王经办", Some("scjgj"), vec![Role::Operator]),
        ("zhao", "赵经办", Some("swj"), vec![Role::Operator]),
        ("boss", "信用办老李", None, vec![Role::Admin]),
        ("chen", "陈审核", Some("scjgj"), vec![Role::Reviewer]),
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
    app
}

/// A logged-in console user: the cookie value and the session's CSRF token.
struct Session {
    cookie: String,
    csrf: String,
}

/// Each login gets its own session secret.
static NEXT_SECRET: AtomicU8 = AtomicU8::new(1);

async fn log_in(app: &TestApp, login: &str) -> Session {
    let secret = [NEXT_SECRET.fetch_add(1, Ordering::Relaxed); 32];
    let session = auth::login(&app.core, login, PASSWORD, secret).await.unwrap();
    Session { cookie: session.cookie_value, csrf: session.csrf_token }
}

async fn get_as(app: &TestApp, path: &str, session: &Session) -> TestResponse {
    let request =
        Request::get(path).header(header::COOKIE, format!("xinyong_session={}", session.cookie)).body(Body::empty());
    app.send(request.unwrap()).await
}

const BOUNDARY: &str = "----xinyong-test-boundary-7MA4YWxkTrZu0gW";

/// A `multipart/form-data` body as a browser sends it: text fields, then
/// the file (when given) under the name `file`.
fn multipart_body(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    if let Some((file_name, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn post_upload(
    app: &TestApp,
    session: &Session,
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
) -> TestResponse {
    let request = Request::post("/console/uploads")
        .header(header::COOKIE, format!("xinyong_session={}", session.cookie))
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(Body::from(multipart_body(fields, file)))
        .unwrap();
    app.send(request).await
}

/// Uploads a fixture as `session` with the form's usual choices.
async fn upload_fixture(app: &TestApp, session: &Session, name: &str, item: &str) -> TestResponse {
    let bytes = fixture(name);
    let fields = [("csrf_token", session.csrf.as_str()), ("item", item), ("encoding", "auto")];
    post_upload(app, session, &fields, Some((name, &bytes))).await
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/../../tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn location(r: &TestResponse) -> &str {
    r.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("")
}

/// The batch id of a 303 to `/console/batches/{id}?notice=…`.
fn batch_id(r: &TestResponse) -> String {
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let rest = location(r).strip_prefix("/console/batches/").unwrap();
    rest.split('?').next().unwrap().to_owned()
}

async fn log_size(app: &TestApp) -> u64 {
    app.core.store().log_size().await.unwrap()
}

#[tokio::test]
async fn the_upload_page_offers_the_form_the_columns_and_the_templates() {
    let app = app().await;
    let wang = log_in(&app, "wang").await;
    let r = get_as(&app, "/console/uploads", &wang).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers.get(header::CACHE_CONTROL).unwrap(), "no-store");
    let html = r.text();
    for needle in [
        "enctype=\"multipart/form-data\"",
        &format!("name=\"csrf_token\" value=\"{}\"", wang.csrf),
        "<label for=\"up-item\">事项</label>",
        "<option value=\"CF\">行政处罚（CF）</option>",
        "<label for=\"up-file\">文件</label>",
        "accept=\".xlsx,.csv",
        "<option value=\"gbk\">GBK（GB18030）</option>",
        "name=\"lenient\"",
        "其他机关赋码（校验码错误仅提示）",
        "name=\"dry_run\"",
        "仅校验不入库",
        "href=\"/console/templates/CF.xlsx\"",
        "行政处罚决定书文号",
        "还没有批次。",
    ] {
        assert!(html.contains(needle), "{needle}");
    }
    // A clerk uploads for their own department; only administrators choose.
    assert!(!html.contains("name=\"department\""));
    assert!(!html.contains("<script"));
    // The court's item is not offered to a market regulator.
    assert!(!html.contains("value=\"SXBZXR\""));

    let boss = log_in(&app, "boss").await;
    let html = get_as(&app, "/console/uploads", &boss).await.text();
    assert!(html.contains("<select id=\"up-department\" name=\"department\" required>"));
    assert!(html.contains("value=\"SXBZXR\""));

    // A reviewer sees the page but no form.
    let chen = log_in(&app, "chen").await;
    let html = get_as(&app, "/console/uploads", &chen).await.text();
    assert!(!html.contains("enctype=\"multipart/form-data\""));
    assert!(html.contains("没有经办人角色"));

    // Not logged in: to the login page, and back here afterwards.
    let r = app.get("/console/uploads").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/console/login?next=/console/uploads");
}

#[tokio::test]
async fn each_fixture_shows_its_counts_and_an_error_report_of_its_rejected_rows() {
    for (file, item, rows, accepted, rejected, warnings) in [
        ("penalties_utf8.csv", "CF", 14, 6, 8, 1),
        ("penalties_gbk.csv", "CF", 14, 6, 8, 1),
        ("licences.xlsx", "XK", 6, 3, 3, 0),
    ] {
        let app = app().await;
        let wang = log_in(&app, "wang").await;
        let r = upload_fixture(&app, &wang, file, item).await;
        let id = batch_id(&r);
        assert!(location(&r).ends_with("?notice=received"), "{file}");

        let page = get_as(&app, location(&r), &wang).await;
        assert_eq!(page.status, StatusCode::OK, "{file}");
        let html = page.text();
        let summary = format!("共 {rows} 行：新增 {accepted}、更正 0、重复 0、退回 {rejected}、带提示 {warnings}");
        assert!(html.contains(&summary), "{file}: {summary}");
        assert!(html.contains("已接收。"), "{file}");
        assert!(html.contains(&format!("<dd>{file}</dd>")), "{file}");
        assert!(html.contains("<dd>网页上传</dd>") && html.contains("<dd>2026-11-26</dd>"), "{file}");
        assert_eq!(html.matches("<span class=\"tag bad\">退回</span>").count(), rejected, "{file}");
        assert_eq!(html.matches("<span class=\"tag warn\">带提示入库</span>").count(), warnings, "{file}");
        assert!(html.contains(&format!("href=\"/console/batches/{id}/errors.xlsx\"")), "{file}");

        // The error report: the uploaded columns + 错误说明 + 错误代码, one
        // line per rejected row, in file order, each cell as uploaded.
        let report = get_as(&app, &format!("/console/batches/{id}/errors.xlsx"), &wang).await;
        assert_eq!(report.status, StatusCode::OK, "{file}");
        assert!(report.content_type().contains("spreadsheetml"), "{file}");
        let disposition = report.headers.get(header::CONTENT_DISPOSITION).unwrap().to_str().unwrap();
        assert!(disposition.starts_with("attachment; filename=\""), "{disposition}");
        let stem = file.rsplit_once('.').unwrap().0;
        // "-错误报告.xlsx", percent-encoded as UTF-8.
        let expected = format!("filename*=UTF-8''{stem}-%E9%94%99%E8%AF%AF%E6%8A%A5%E5%91%8A.xlsx");
        assert!(disposition.ends_with(&expected), "{disposition}");

        let original = read_table(&fixture(file), &ReadOptions::default()).unwrap();
        let errors = read_table(&report.body, &ReadOptions::default()).unwrap();
        let mut headers = original.headers.clone();
        headers.push("错误说明".to_owned());
        headers.push("错误代码".to_owned());
        assert_eq!(errors.headers, headers, "{file}");
        assert_eq!(errors.rows.len(), rejected, "{file}");
        let mut last_row = 0;
        for row in &errors.rows {
            let (cells, explanation) = row.cells.split_at(original.headers.len());
            let (explanation, codes) = (&explanation[0], &explanation[1]);
            // "第 N 行：「字段」…" in words, the codes in their own column.
            assert!(!codes.is_empty() && codes.chars().all(|c| c.is_ascii_lowercase() || c == '_' || c == '；'));
            let number: usize = explanation.strip_prefix("第 ").unwrap().split(' ').next().unwrap().parse().unwrap();
            assert!(number > last_row, "{file}: rows keep the file's order");
            last_row = number;
            let source = original.rows.iter().find(|r| r.number == number).unwrap();
            assert_eq!(cells, source.cells.as_slice(), "{file} row {number}");
            assert!(
                explanation.contains('「') || codes.contains("duplicate_key_in_batch"),
                "{file} row {number} names the field: {explanation}"
            );
        }
    }
}

#[tokio::test]
async fn the_same_file_again_adds_no_batch_and_no_event() {
    let app = app().await;
    let wang = log_in(&app, "wang").await;
    let first = batch_id(&upload_fixture(&app, &wang, "penalties_utf8.csv", "CF").await);
    let size = log_size(&app).await;
    let again = upload_fixture(&app, &wang, "penalties_utf8.csv", "CF").await;
    assert_eq!(batch_id(&again), first);
    assert!(location(&again).ends_with("?notice=already_received"));
    assert_eq!(log_size(&app).await, size);
    let html = get_as(&app, location(&again), &wang).await.text();
    assert!(html.contains("此前已经上传过"));
    // One batch listed under the form, linked to its page.
    let html = get_as(&app, "/console/uploads", &wang).await.text();
    assert_eq!(html.matches("href=\"/console/batches/").count(), 1);
    assert!(html.contains(&format!("href=\"/console/batches/{first}\"")));
    assert!(html.contains("penalties_utf8.csv"));
}

#[tokio::test]
async fn a_dry_run_shows_the_result_and_stores_nothing() {
    let app = app().await;
    let wang = log_in(&app, "wang").await;
    let size = log_size(&app).await;
    let bytes = fixture("licences.xlsx");
    let fields = [("csrf_token", wang.csrf.as_str()), ("item", ""), ("dry_run", "on")];
    let r = post_upload(&app, &wang, &fields, Some(("licences.xlsx", &bytes))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let html = r.text();
    assert!(html.contains("校验结果（未入库）"));
    assert!(html.contains("共 6 行：新增 3、更正 0、重复 0、退回 3、带提示 0"));
    assert!(html.contains("仅校验，未入库"));
    assert!(!html.contains("errors.xlsx"));
    assert_eq!(log_size(&app).await, size);
    assert!(get_as(&app, "/console/uploads", &wang).await.text().contains("还没有批次。"));
}

#[tokio::test]
async fn uploads_without_the_csrf_token_are_refused() {
    let app = app().await;
    let wang = log_in(&app, "wang").await;
    let size = log_size(&app).await;
    let bytes = fixture("penalties_utf8.csv");
    let wrong = "0".repeat(64);
    for fields in [vec![("item", "CF")], vec![("csrf_token", wrong.as_str()), ("item", "CF")]] {
        let r = post_upload(&app, &wang, &fields, Some(("penalties_utf8.csv", &bytes))).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(r.text().contains("页面已过期或来源不可信"));
    }
    assert_eq!(log_size(&app).await, size);
}

#[tokio::test]
async fn only_clerks_of_the_department_and_administrators_upload() {
    let app = app().await;
    let bytes = fixture("penalties_utf8.csv");
    // A reviewer may not upload.
    let chen = log_in(&app, "chen").await;
    let fields = [("csrf_token", chen.csrf.as_str()), ("item", "CF")];
    let r = post_upload(&app, &chen, &fields, Some(("p.csv", &bytes))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A clerk cannot send for another department by editing the form.
    let zhao = log_in(&app, "zhao").await;
    let fields = [("csrf_token", zhao.csrf.as_str()), ("item", "CF"), ("department", "scjgj")];
    let id = batch_id(&post_upload(&app, &zhao, &fields, Some(("p.csv", &bytes))).await);
    let batch = xinyong_core::collection::intake::load_batch(&app.core, &id).await.unwrap().unwrap();
    assert_eq!(batch.department.as_str(), "swj");
    // An administrator sends for the department chosen.
    let boss = log_in(&app, "boss").await;
    let licences = fixture("licences.xlsx");
    let fields = [("csrf_token", boss.csrf.as_str()), ("item", "XK"), ("department", "scjgj")];
    let id = batch_id(&post_upload(&app, &boss, &fields, Some(("licences.xlsx", &licences))).await);
    let batch = xinyong_core::collection::intake::load_batch(&app.core, &id).await.unwrap().unwrap();
    assert_eq!(batch.department.as_str(), "scjgj");
}

#[tokio::test]
async fn files_that_cannot_be_read_come_back_to_the_form_with_the_reason() {
    let app = app().await;
    let wang = log_in(&app, "wang").await;
    let fields = [("csrf_token", wang.csrf.as_str()), ("item", "CF"), ("encoding", "gbk"), ("lenient", "on")];

    // A zip that is not a workbook.
    let r = post_upload(&app, &wang, &fields, Some(("broken.xlsx", b"PK\x03\x04 not really a workbook"))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(html.contains("role=\"alert\""), "{html}");
    assert!(html.contains("Excel 工作簿已损坏或格式不正确") && html.contains("<code>xlsx_corrupt</code>"));
    // The choices are kept; only the file has to be chosen again.
    assert!(html.contains("<option value=\"CF\" selected>"));
    assert!(html.contains("<option value=\"gbk\" selected>"));
    assert!(html.contains("name=\"lenient\" value=\"on\" checked"));

    // Not a spreadsheet at all.
    let r =
        post_upload(&app, &wang, &fields, Some(("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("文件不是有效的 Excel 工作簿(.xlsx)或 CSV 文本"), "{}", r.text());

    // No file chosen.
    let r = post_upload(&app, &wang, &fields, Some(("", b""))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("file_missing"));

    // Headers that match no item well enough: the core's reason, on the form.
    let fields = [("csrf_token", wang.csrf.as_str()), ("item", "CF")];
    let r = post_upload(&app, &wang, &fields, Some(("x.csv", "名称,金额\n甲,1\n".as_bytes()))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("<code>columns_missing</code>"), "{}", r.text());
}

#[tokio::test]
async fn uploads_may_exceed_the_site_wide_limit_but_not_twenty_megabytes() {
    let app = app().await;
    let wang = log_in(&app, "wang").await;
    let fields = [("csrf_token", wang.csrf.as_str()), ("item", "CF")];
    // 3 MB passes the 2 MB limit of other routes and reaches the reader.
    let big = vec![b'x'; 3 * 1024 * 1024];
    let r = post_upload(&app, &wang, &fields, Some(("big.csv", &big))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    // Over 20 MB: the form again, with the limit named.
    let huge = vec![b'x'; 21 * 1024 * 1024];
    let r = post_upload(&app, &wang, &fields, Some(("huge.csv", &huge))).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.text().contains("文件超过 20 MB 上限"), "{}", r.text());
}

#[tokio::test]
async fn batches_of_another_department_are_not_found() {
    let app = app().await;
    let wang = log_in(&app, "wang").await;
    let id = batch_id(&upload_fixture(&app, &wang, "penalties_utf8.csv", "CF").await);
    let zhao = log_in(&app, "zhao").await;
    let boss = log_in(&app, "boss").await;
    for path in [format!("/console/batches/{id}"), format!("/console/batches/{id}/errors.xlsx")] {
        assert_eq!(get_as(&app, &path, &zhao).await.status, StatusCode::NOT_FOUND, "{path}");
        // Administrators see every department's batches.
        assert_eq!(get_as(&app, &path, &boss).await.status, StatusCode::OK, "{path}");
    }
    // Malformed ids never reach the database.
    for path in ["/console/batches/nope", "/console/batches/b%00123456789abcdef0123"] {
        assert_eq!(get_as(&app, path, &wang).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    // Another department's list does not show it either; the credit office's does.
    assert!(get_as(&app, "/console/uploads", &zhao).await.text().contains("还没有批次。"));
    let html = get_as(&app, "/console/uploads", &boss).await.text();
    assert!(
        html.contains(&format!("href=\"/console/batches/{id}\"")) && html.contains("<td>济南市市场监督管理局</td>")
    );
}

#[tokio::test]
async fn the_timeliness_page_draws_the_chart_and_lists_late_records() {
    let app = app().await;
    let wang = log_in(&app, "wang").await;
    batch_id(&upload_fixture(&app, &wang, "penalties_utf8.csv", "CF").await);

    let r = get_as(&app, "/console/timeliness", &wang).await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    for needle in [
        "<svg class=\"chart\" role=\"img\"",
        "<title id=\"tl-chart-title\">",
        "stroke-dasharray=\"5 4\"",
        "市场监督管理局 · 行政处罚",
        "<th scope=\"col\" class=\"num\">按时率</th>",
        "<th scope=\"col\" class=\"num\">平均工作日</th>",
        "<th scope=\"col\">文书号</th>",
        // The default period: 90 days up to today (Beijing).
        "name=\"from\" type=\"date\" value=\"2026-08-28\"",
        "name=\"to\" type=\"date\" value=\"2026-11-26\"",
        // Decided in 2024, received in 2026: overdue.
        "济市监罚〔2024〕101号",
        // Natural persons are not named.
        "（自然人）",
    ] {
        assert!(html.contains(needle), "{needle}");
    }
    assert!(!html.contains("刘某某"));
    assert!(!html.contains("<script"));
    // A clerk sees only their department, whatever the URL says.
    assert!(!html.contains("name=\"department\""));
    let zhao = log_in(&app, "zhao").await;
    let html = get_as(&app, "/console/timeliness?department=scjgj", &zhao).await.text();
    assert!(html.contains("所选期间没有收到记录。") && !html.contains("济市监罚"));

    // Administrators see all departments and may pick one.
    let boss = log_in(&app, "boss").await;
    let html = get_as(&app, "/console/timeliness", &boss).await.text();
    assert!(html.contains("<option value=\"\">全部部门</option>") && html.contains("济市监罚〔2024〕101号"));
    let html = get_as(&app, "/console/timeliness?department=swj&from=2026-01-01&to=2026-11-26", &boss).await.text();
    assert!(html.contains("<option value=\"swj\" selected>"));
    assert!(html.contains("所选期间没有收到记录。"));

    // Nonsense periods are explained, not guessed at.
    let r = get_as(&app, "/console/timeliness?from=2026-12-01&to=2026-11-01", &wang).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text().contains("开始日期不能晚于结束日期"));
    let r = get_as(&app, "/console/timeliness?from=yesterday", &wang).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text().contains("date_invalid"));
}

#[tokio::test]
async fn templates_hold_the_item_columns_in_catalog_order() {
    let app = app().await;
    let wang = log_in(&app, "wang").await;
    let r = get_as(&app, "/console/templates/CF.xlsx", &wang).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.content_type().contains("spreadsheetml"));
    let disposition = r.headers.get(header::CONTENT_DISPOSITION).unwrap().to_str().unwrap();
    assert!(disposition.contains("filename=\"CF-template.xlsx\""), "{disposition}");
    assert!(disposition.contains("filename*=UTF-8''%E8%A1%8C%E6%94%BF%E5%A4%84%E7%BD%9A"), "{disposition}");
    let table = read_table(&r.body, &ReadOptions::default()).unwrap();
    let rules = app.core.rules();
    let item = rules.catalog.item("CF").unwrap();
    let names: Vec<String> = item.fields().iter().map(|f| f.name().to_owned()).collect();
    assert_eq!(table.headers, names);
    assert!(table.rows.is_empty());
    // The untouched template is refused for its lack of rows, not for its
    // columns: the template and the reader agree.
    let fields = [("csrf_token", wang.csrf.as_str()), ("item", "CF")];
    let upload = post_upload(&app, &wang, &fields, Some(("CF-template.xlsx", &r.body))).await;
    assert_eq!(upload.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(upload.text().contains("<code>no_rows</code>"), "{}", upload.text());
    for path in ["/console/templates/NOPE.xlsx", "/console/templates/CF"] {
        assert_eq!(get_as(&app, path, &wang).await.status, StatusCode::NOT_FOUND, "{path}");
    }

    // The workbook explains itself: a note on each header, drop-downs for
    // enumerations (their values on a hidden sheet), and a 填写示例 sheet
    // whose row the platform accepts as it stands.
    let xml = unzip_text(&r.body);
    assert!(xml.contains("必填。") && xml.contains("日期，格式 2026-03-02"), "header notes");
    assert!(xml.contains("<dataValidation") && xml.contains("'选项'!$A$1"), "drop-downs");
    assert!(xml.contains("state=\"hidden\""), "the choices sheet is hidden");
    let options = ReadOptions { sheet: Some("填写示例".to_owned()), ..ReadOptions::default() };
    let example = read_table(&r.body, &options).unwrap();
    assert_eq!((example.headers.clone(), example.rows.len()), (names.clone(), 1));
    let row: Vec<String> = example.rows[0].cells.clone();
    let bytes = xinyong_tabular::write_xlsx("行政处罚", &names, &[row]).unwrap();
    let upload = post_upload(&app, &wang, &fields, Some(("example.xlsx", &bytes))).await;
    assert_eq!(upload.status, StatusCode::SEE_OTHER, "{}", upload.text());
    let batch = get_as(&app, upload.headers[header::LOCATION].to_str().unwrap(), &wang).await.text();
    let summary = batch.split("<p class=\"summary\">").nth(1).unwrap().split("</p>").next().unwrap();
    assert!(summary.contains("新增 1") && summary.contains("退回 0"), "{summary}");

    // Each 双公示 item's example is accepted as it stands (the market
    // regulator sends both).
    for code in ["XK", "CF"] {
        let template = get_as(&app, &format!("/console/templates/{code}.xlsx"), &wang).await;
        let example = read_table(&template.body, &options).unwrap();
        let bytes = xinyong_tabular::write_xlsx("data", &example.headers, &[example.rows[0].cells.clone()]).unwrap();
        let fields = [("csrf_token", wang.csrf.as_str()), ("item", code)];
        let upload = post_upload(&app, &wang, &fields, Some(("example.xlsx", &bytes))).await;
        let Some(at) = upload.headers.get(header::LOCATION) else {
            panic!("{code}: {} {}", upload.status, upload.text().chars().take(2000).collect::<String>());
        };
        let batch = get_as(&app, at.to_str().unwrap(), &wang).await.text();
        let summary = batch.split("<p class=\"summary\">").nth(1).unwrap().split("</p>").next().unwrap();
        assert!(summary.contains("退回 0"), "{code}: {summary}");
    }
}

/// The text of every XML part of an .xlsx, concatenated (notes, sheets,
/// workbook), to look for what the template promises.
fn unzip_text(xlsx: &[u8]) -> String {
    use std::io::Read as _;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
    let mut text = String::new();
    for i in 0..archive.len() {
        let mut part = archive.by_index(i).unwrap();
        if part.name().is_ok_and(|n| n.ends_with(".xml")) {
            part.read_to_string(&mut text).unwrap();
        }
    }
    text
}

#[tokio::test]
async fn the_console_home_links_to_uploads_and_timeliness() {
    let app = app().await;
    let wang = log_in(&app, "wang").await;
    let html = get_as(&app, "/console", &wang).await.text();
    assert!(html.contains("<a href=\"/console/uploads\">上传数据</a>"));
    assert!(html.contains("<a href=\"/console/timeliness\">报送时效</a>"));
}

/// The role hole the black-box probe found (issue 11, finding 3): a
/// reviewer-only user uploaded through the API with its session and issued
/// itself an API token. Both are an operator's acts now, whatever the door.
#[tokio::test]
async fn a_reviewer_neither_pushes_through_the_api_nor_issues_tokens() {
    let app = app().await;
    let size = log_size(&app).await;
    let chen = log_in(&app, "chen").await;
    let body = serde_json::json!({"item": "CF", "rows": [{"CF_WSH": "济税罚〔2026〕1号"}]}).to_string();
    let request = Request::post("/api/v1/records/batches")
        .header(header::COOKIE, format!("xinyong_session={}", chen.cookie))
        .header("x-csrf-token", &chen.csrf)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .unwrap();
    let r = app.send(request).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    assert_eq!(r.json()["error"]["code"], "upload_forbidden");
    let form = format!("csrf_token={}&label=%E8%87%AA%E5%B7%B1", chen.csrf);
    let request = Request::post("/console/tokens")
        .header(header::COOKIE, format!("xinyong_session={}", chen.cookie))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form))
        .unwrap();
    assert_eq!(app.send(request).await.status, StatusCode::FORBIDDEN);
    assert_eq!(log_size(&app).await, size, "nothing was written");
}

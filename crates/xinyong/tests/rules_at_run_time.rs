//! Rules at run time, end to end: a real `xinyong serve` process (on
//! PostgreSQL when `XINYONG_TEST_DATABASE_URL` is set, else SQLite), then
//! `xinyong rules publish DIR` from another process. DIR has a catalog with
//! a new field on 行政处罚, list rules with a longer objection window and
//! next year's calendar (a synthetic schedule made up here, not a State
//! Council notice). Without a restart the server accepts the new field and
//! counts a listing's objection deadline on the published schedule, and
//! both publications are in the log.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use chrono::{Datelike, NaiveDate, Weekday};
use xinyong_domain::Calendar;
use xinyong_domain::collection::catalog::SHIPPED_CATALOG_TOML;
use xinyong_domain::lists::sanction::SHIPPED_LISTS_TOML;

struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn command(dir: &Path, url: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_xinyong"));
    c.current_dir(dir).env("XINYONG_DATABASE__URL", url).env("XINYONG_LOG", "warn");
    c
}

fn run(dir: &Path, url: &str, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = command(dir, url)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "xinyong {args:?}: {}{}", text(&out.stdout), text(&out.stderr));
    out
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Starts `serve` on a free port; returns once it says where it listens.
fn serve(dir: &Path, url: &str) -> Server {
    let mut child = command(dir, url)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("serve exited before listening").unwrap();
        if let Some(rest) = line.strip_prefix("xinyong: serving http://") {
            break rest.trim_end_matches('/').to_owned();
        }
    };
    // Keep draining stderr so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Server { child, addr }
}

fn database_url(dir: &Path) -> String {
    match std::env::var("XINYONG_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => {
            // A private schema, so this test does not meet the others.
            let rt = tokio::runtime::Runtime::new().unwrap();
            rt.block_on(xinyong_test_support::TestDb::postgres(&url)).into_kept_url()
        }
        _ => format!("sqlite://{}", dir.join("rules.db").display()),
    }
}

/// One HTTP/1.1 exchange: (status, raw headers, body).
fn http(addr: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, String, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    let status = raw.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    (status, head.to_owned(), body.to_owned())
}

fn post_json(addr: &str, path: &str, token: &str, body: &serde_json::Value) -> (u16, serde_json::Value) {
    let auth = format!("Bearer {token}");
    let headers = [("Authorization", auth.as_str()), ("Content-Type", "application/json")];
    let (status, _, body) = http(addr, "POST", path, &headers, &body.to_string());
    (status, serde_json::from_str(&body).unwrap_or(serde_json::Value::Null))
}

/// `application/x-www-form-urlencoded`, every byte but [A-Za-z0-9] escaped.
fn form(fields: &[(&str, &str)]) -> String {
    let encode = |s: &str| {
        s.bytes()
            .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
            .collect::<String>()
    };
    fields.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&")
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| {
        let (n, v) = l.split_once(':')?;
        n.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// A 行政处罚 row, with the new field when `commitment` is given.
fn penalty(document_number: &str, commitment: Option<&str>) -> serde_json::Value {
    let mut row = serde_json::json!({
        "CF_XDR_MC": "济南鑫泰建筑工程有限公司", "CF_XDR_LB": "法人及非法人组织", "CF_XDR_SHXYM": COMPANY,
        "CF_FRDB": "李卫东", "CF_WSH": document_number, "CF_WFXW": "违法建设", "CF_SY": "规则发布",
        "CF_YJ": "《建设工程质量管理条例》第六十四条", "CF_CFLB": "罚款", "CF_NR": "罚款1万元", "CF_NR_FK": "1",
        "CF_JDRQ": "2026-11-20", "CF_YXQ": "2027-11-20", "CF_CFJG": "济南市住房和城乡建设局", "CF_CFJGDM": "113701000041882744",
        "CF_SJLY": "济南市住房和城乡建设局", "CF_SJLYDM": "113701000041882744"
    });
    if let Some(value) = commitment {
        row["CF_XYCN"] = serde_json::Value::from(value);
    }
    row
}

const COMPANY: &str = "91370112MA3D8N0Q3C";
/// The objection window of the published lists.toml: about a year of
/// working days, so a notice served today always runs into next year.
const WINDOW: u32 = 250;

/// The shipped catalog as 2026.4 with a new optional field on 行政处罚.
fn catalog_with_new_field() -> String {
    let field = "key = [\"CF_WSH\"]\n\n[[items.fields]]\ncode = \"CF_XYCN\"\nname = \"信用承诺书编号\"\n\
                 type = \"text\"\nmax_chars = 64\nrequired = \"never\"\npublic = false\n";
    SHIPPED_CATALOG_TOML.replacen("version = \"2026.3\"", "version = \"2026.4\"", 1).replacen(
        "key = [\"CF_WSH\"]\n",
        field,
        1,
    )
}

fn lists_with_long_window() -> String {
    SHIPPED_LISTS_TOML.replacen("version = \"2026.1\"", "version = \"2026.2\"", 1).replacen(
        "objection_window_working_days = 5",
        &format!("objection_window_working_days = {WINDOW}"),
        1,
    )
}

/// A made-up schedule for `year`: 元旦 1–3 January, then the first
/// Wednesday of every other month off, and the first Saturday of March a
/// working day. Labelled as synthetic: it is no State Council notice.
fn synthetic_schedule(year: i32) -> String {
    let mut out = format!(
        "# 测试用合成安排，不是国务院通知。\nyear = {year}\nnotice = \"测试用合成节假日安排（非国务院通知）\"\n\n\
         [[holidays]]\nname = \"元旦\"\ndays_off = [\"{year}-01-01\", \"{year}-01-02\", \"{year}-01-03\"]\n"
    );
    for month in 2..=12 {
        let wednesday = NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Wed, 1).unwrap();
        out.push_str(&format!("\n[[holidays]]\nname = \"合成假日{month}月\"\ndays_off = [\"{wednesday}\"]\n"));
        if month == 3 {
            let saturday = NaiveDate::from_weekday_of_month_opt(year, 3, Weekday::Sat, 1).unwrap();
            out.push_str(&format!("makeup_workdays = [\"{saturday}\"]\n"));
        }
    }
    out
}

fn today() -> NaiveDate {
    xinyong_core::clock::china_date(chrono::Utc::now())
}

#[test]
#[expect(clippy::too_many_lines, reason = "one story: a server runs while rules are checked, published and read back")]
fn published_rules_take_effect_in_a_running_server_without_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let url = database_url(dir.path());
    let path = dir.path();
    run(path, &url, &["departments", "seed"], None);
    let out = run(path, &url, &["tokens", "create", "--department", "zjj", "--label", "t", "--json"], None);
    let token: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let token = token["token"].as_str().unwrap().to_owned();
    let password = "rules-at-run-time-2026";
    let user = ["users", "add", "--login", "clerk", "--name", "张经办", "--department", "scjgj", "--role", "operator"];
    run(path, &url, &[&user[..], &["--password-stdin"]].concat(), Some(password));

    let server = serve(path, &url);
    let addr = server.addr.as_str();

    // Before: the new field is an unknown column; the row is accepted without it.
    let batch = |doc: &str, dry_run: bool| serde_json::json!({"item": "CF", "dry_run": dry_run, "rows": [penalty(doc, Some("XYCN-2026-001"))]});
    let (status, body) = post_json(addr, "/api/v1/records/batches", &token, &batch("济建罚〔2026〕901号", false));
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["unknown_columns"], serde_json::json!(["CF_XYCN"]), "{body}");

    // The rules directory: catalog 2026.4, lists 2026.2, next year's calendar.
    let next_year = today().year() + 1;
    let rules = path.join("rules-dir");
    std::fs::create_dir_all(rules.join("calendar")).unwrap();
    std::fs::write(rules.join("catalog.toml"), catalog_with_new_field()).unwrap();
    std::fs::write(rules.join("lists.toml"), lists_with_long_window()).unwrap();
    let schedule = synthetic_schedule(next_year);
    std::fs::write(rules.join(format!("calendar/{next_year}.toml")), &schedule).unwrap();
    let rules_dir = rules.to_str().unwrap();

    let check = text(&run(path, &url, &["rules", "check", rules_dir], None).stdout);
    for line in ["catalog.toml         2026.4", "lists.toml           2026.2", &format!("calendar/{next_year}.toml")] {
        assert!(check.contains(line), "{line} in\n{check}");
    }
    assert!(check.contains("新版本，将发布（现行 2026.1）") && check.contains("可以发布"), "{check}");
    let published = text(&run(path, &url, &["rules", "publish", rules_dir], None).stdout);
    assert!(published.contains("3 个规则集新版本"), "{published}");

    // The running server follows the log: poll with dry runs (they write
    // nothing) until the new field is known.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, body) = post_json(addr, "/api/v1/records/batches", &token, &batch("济建罚〔2026〕902号", true));
        assert_eq!(status, 200, "{body}");
        if body["unknown_columns"] == serde_json::json!([]) {
            break;
        }
        assert!(Instant::now() < deadline, "the server never picked up the published catalog: {body}");
        std::thread::sleep(Duration::from_millis(100));
    }
    let (status, body) = post_json(addr, "/api/v1/records/batches", &token, &batch("济建罚〔2026〕902号", false));
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["rows"][0]["status"], "accepted", "{body}");
    let record = body["rows"][0]["record_id"].as_str().unwrap();
    let auth = format!("Bearer {token}");
    let (status, _, record) = http(addr, "GET", &format!("/api/v1/records/{record}"), &[("Authorization", &auth)], "");
    let record: serde_json::Value = serde_json::from_str(&record).unwrap();
    assert_eq!(status, 200, "{record}");
    assert_eq!(record["record"]["catalog_version"], "2026.4", "{record}");
    assert!(record.to_string().contains("XYCN-2026-001"), "the new field is stored: {record}");

    // A listing notice served today: its objection deadline, 250 working
    // days on, is counted on the published schedule of next year.
    let served_on = today();
    let listing = serve_a_notice(addr, password, served_on);
    let mut with_next_year = Calendar::official();
    with_next_year.replace_years_toml([schedule.as_str()]).unwrap();
    let expected = xinyong_core::lists::listing::working_days_after(&with_next_year, served_on, WINDOW);
    let unpublished = xinyong_core::lists::listing::working_days_after(&Calendar::official(), served_on, WINDOW);
    assert_ne!(expected, unpublished, "the published holidays move the deadline");
    assert_eq!(expected.year(), next_year);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let events = rt.block_on(async {
        let store = xinyong_storage::open(&url).await.unwrap();
        store.events_from(0, 100_000).await.unwrap()
    });
    let body_of = |e: &xinyong_storage::StoredEvent| -> serde_json::Value {
        serde_json::from_str(e.body.as_deref().unwrap()).unwrap()
    };
    let notice = events
        .iter()
        .filter(|e| e.kind == "listing_notice_served")
        .map(body_of)
        .find(|b| b["listing_id"] == listing.as_str())
        .unwrap();
    assert_eq!(
        notice["objection_deadline"],
        expected.to_string(),
        "the deadline on the published {next_year} schedule"
    );

    // Both publications are in the log (with the lists'), once each.
    let publications: Vec<(String, String)> = events
        .iter()
        .filter(|e| e.kind == "rules_published")
        .map(|e| {
            let body = body_of(e);
            (body["rule_kind"].as_str().unwrap().to_owned(), body["version"].as_str().unwrap().to_owned())
        })
        .collect();
    for wanted in [("catalog", "2026.4"), ("lists", "2026.2"), (&*format!("calendar/{next_year}"), "1")] {
        let n = publications.iter().filter(|(k, v)| (k.as_str(), v.as_str()) == wanted).count();
        assert_eq!(n, 1, "{wanted:?} in {publications:?}");
    }
    drop(server);
    // The log with its dated publications replays to the stored rows.
    let verified = text(&run(path, &url, &["verify"], None).stdout);
    assert!(verified.starts_with("ok: "), "{verified}");
}

/// Through the console as a clerk of 市场监管局 would: log in, propose the
/// company for the key-attention list and serve the notice on `served_on`;
/// returns the listing's id.
fn serve_a_notice(addr: &str, password: &str, served_on: NaiveDate) -> String {
    let login = form(&[("login", "clerk"), ("password", password), ("next", "/console")]);
    let form_type = ("Content-Type", "application/x-www-form-urlencoded");
    let (status, head, body) = http(addr, "POST", "/console/login", &[form_type], &login);
    assert_eq!(status, 303, "{body}");
    let cookie = header(&head, "set-cookie").unwrap().split(';').next().unwrap().to_owned();
    let session = [("Cookie", cookie.as_str()), form_type];
    let (_, _, page) = http(addr, "GET", "/console", &session, "");
    let marker = "name=\"csrf_token\" value=\"";
    let start = page.find(marker).unwrap() + marker.len();
    let csrf = page[start..start + 64].to_owned();

    let proposal = form(&[
        ("list_code", "key-attention"),
        ("subject", COMPANY),
        ("reason", "未按期整改"),
        ("facts", "检查发现未按期整改"),
        ("legal_basis", "济市监责改〔2026〕7号"),
        ("csrf_token", &csrf),
    ]);
    let (status, head, body) = http(addr, "POST", "/console/listings", &session, &proposal);
    assert_eq!(status, 303, "{body}");
    let location = header(&head, "location").unwrap();
    let id = location.trim_start_matches("/console/listings/").split('?').next().unwrap().to_owned();
    let notice = form(&[("served_on", &served_on.to_string()), ("channel", "邮寄送达"), ("csrf_token", &csrf)]);
    let (status, head, body) = http(addr, "POST", &format!("/console/listings/{id}/notice"), &session, &notice);
    assert_eq!(status, 303, "{body}");
    assert!(header(&head, "location").unwrap().contains("notice=noticed"), "{head}");
    id
}

#[test]
fn rules_check_names_the_file_line_and_field_of_each_problem_and_publishes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let url = database_url(dir.path());
    let path = dir.path();
    let rules = path.join("rules-dir");
    std::fs::create_dir_all(&rules).unwrap();
    // An enumeration without values, and a misspelt file name.
    let catalog = catalog_with_new_field().replace(
        "code = \"CF_XYCN\"\nname = \"信用承诺书编号\"\ntype = \"text\"",
        "code = \"CF_XYCN\"\nname = \"信用承诺书编号\"\ntype = \"enumeration\"",
    );
    let line = catalog.lines().position(|l| l == "code = \"CF_XYCN\"").unwrap() + 1;
    std::fs::write(rules.join("catalog.toml"), &catalog).unwrap();
    std::fs::write(rules.join("catalogue.toml"), "version = \"1\"\n").unwrap();
    let rules_dir = rules.to_str().unwrap();

    for verb in ["check", "publish"] {
        let out = command(path, &url).args(["rules", verb, rules_dir]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{verb}: {}{}", text(&out.stdout), text(&out.stderr));
        let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert!(all.contains(&format!("catalog.toml 第 {line} 行：事项“CF”的字段“CF_XYCN”")), "{verb}: {all}");
        assert!(all.contains("catalogue.toml") && all.contains("不是规则文件"), "{verb}: {all}");
    }
    // A server configured with that directory refuses to start, saying why.
    let out = command(path, &url)
        .env("XINYONG_RULES__DIR", rules_dir)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("rules.dir"), "{}", text(&out.stderr));

    // Fixed, the directory is the configured rule files: the catalog listed
    // is its version even before anything is published.
    std::fs::remove_file(rules.join("catalogue.toml")).unwrap();
    std::fs::write(rules.join("catalog.toml"), catalog_with_new_field()).unwrap();
    let out =
        command(path, &url).env("XINYONG_RULES__DIR", rules_dir).args(["catalog", "list", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(listed["version"], "2026.4");
    let events = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(async { xinyong_storage::open(&url).await.unwrap().events_from(0, 10).await.unwrap() });
    assert!(events.is_empty(), "check and refused publications write nothing");
}

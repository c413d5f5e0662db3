#![forbid(unsafe_code)]
#![doc = include_str!("../README.md")]

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use chrono::{DateTime, TimeZone, Utc};
use http_body_util::BodyExt as _;
use tower::ServiceExt as _;
use xinyong_core::auth::policy::{Principal, UserPrincipal};
use xinyong_core::{Core, CoreSettings, LogKeys, ManualClock};
use xinyong_domain::auth::{DepartmentCode, Role};
use xinyong_server::{AppState, SiteSettings};
use xinyong_storage::{PostgresStore, SqliteStore, Store};

/// Environment variable naming a PostgreSQL server for the test suite.
pub const PG_URL_VAR: &str = "XINYONG_TEST_DATABASE_URL";

/// The origin every test log uses.
pub const TEST_ORIGIN: &str = "xinyong.test/log";

/// A fixed moment: 2026-11-26 08:00 UTC (16:00 in Jinan).
pub fn test_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 8, 0, 0).single().unwrap_or_default()
}

/// A console user `login` of `department` (none: the credit office) with
/// `roles`, as the access policy sees them: for calling the core's use cases
/// the way the console does.
pub fn user(login: &str, department: Option<&str>, roles: &[Role]) -> Principal {
    Principal::User(UserPrincipal {
        login: login.to_owned(),
        department: department.map(|d| DepartmentCode::parse(d).expect("department code")),
        roles: roles.to_vec(),
    })
}

/// A department's operator and reviewer in one (`user:<code>-user`), who
/// may take every step of the department's own cases.
pub fn department_user(department: &str) -> Principal {
    user(&format!("{department}-user"), Some(department), &[Role::Operator, Role::Reviewer])
}

/// A credit-office administrator (no department).
pub fn credit_office(login: &str) -> Principal {
    user(login, None, &[Role::Admin])
}

/// A private database, removed when dropped: a SQLite file in a temporary
/// directory, or a schema in the throwaway PostgreSQL cluster.
#[derive(Debug)]
pub struct TestDb {
    pub store: Arc<dyn Store>,
    pub sqlite: Option<SqliteStore>,
    pub postgres: Option<PostgresStore>,
    /// The URL another process (or a second store) can use to reach the same data.
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    /// The cluster's URL and this database's schema, dropped with it.
    pg_schema: Option<(String, String)>,
}

/// A schema left behind costs a few megabytes of catalogue, tables, indexes
/// and WAL; a whole PostgreSQL run makes over a thousand of them, which once
/// filled CI's disk. So each is dropped with its `TestDb`.
impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((url, schema)) = self.pg_schema.take() {
            drop_schema_in_background(url, schema);
        }
    }
}

/// Drops `schema` on a thread of its own: `Drop` cannot await, and blocking
/// the test's runtime could wait on a lock that only that runtime's tasks
/// release. The lock timeout bounds the wait; a schema that cannot be dropped
/// (still in use, or the process exits first) stays until the cluster is
/// removed, as before.
fn drop_schema_in_background(url: String, schema: String) {
    let _detached = std::thread::spawn(move || {
        let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
            return;
        };
        runtime.block_on(async {
            if let Ok(admin) = PostgresStore::connect_admin(&url).await {
                let sql = format!("SET lock_timeout = '10s'; DROP SCHEMA IF EXISTS {schema} CASCADE");
                let _ignored = admin.execute_raw(&sql).await;
            }
        });
    });
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

impl TestDb {
    /// PostgreSQL when [`PG_URL_VAR`] is set, SQLite otherwise.
    pub async fn new() -> TestDb {
        match std::env::var(PG_URL_VAR) {
            Ok(url) if !url.is_empty() => TestDb::postgres(&url).await,
            _ => TestDb::sqlite().await,
        }
    }

    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("test.db");
        let store = SqliteStore::open(&path).await.expect("open sqlite");
        TestDb {
            store: Arc::new(store.clone()),
            sqlite: Some(store),
            postgres: None,
            url: format!("sqlite://{}", path.display()),
            _dir: Some(dir),
            pg_schema: None,
        }
    }

    /// A fresh schema in the database at `url`; the store's connections use
    /// it as their `search_path`.
    pub async fn postgres(url: &str) -> TestDb {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let nanos = Utc::now().timestamp_nanos_opt().unwrap_or_default();
        let schema = format!("t_{}_{}_{}", std::process::id(), n, nanos.rem_euclid(1_000_000_000));
        let admin = PostgresStore::connect_admin(url).await.expect("connect postgres");
        admin.execute_raw(&format!("CREATE SCHEMA {schema}")).await.expect("create schema");
        let options = sqlx_pg_options(url, &schema);
        let store = PostgresStore::connect_with(options).await.expect("open postgres schema");
        let sep = if url.contains('?') { '&' } else { '?' };
        TestDb {
            store: Arc::new(store.clone()),
            sqlite: None,
            postgres: Some(store),
            url: format!("{url}{sep}options=-c%20search_path%3D{schema}"),
            _dir: None,
            pg_schema: Some((url.to_owned(), schema)),
        }
    }

    /// The URL, with the database left in place for processes that outlive
    /// this value: the schema goes when the throwaway cluster is removed, a
    /// SQLite directory stays in the temporary directory.
    pub fn into_kept_url(mut self) -> String {
        self.pg_schema = None;
        if let Some(dir) = self._dir.take() {
            let _kept = dir.keep();
        }
        std::mem::take(&mut self.url)
    }

    /// Raw SQL below the store boundary (tampering tests).
    pub async fn execute_raw(&self, sql: &str) -> u64 {
        match (&self.sqlite, &self.postgres) {
            (Some(s), _) => s.execute_raw(sql).await.expect("raw sql"),
            (_, Some(p)) => p.execute_raw(sql).await.expect("raw sql"),
            _ => 0,
        }
    }
}

fn sqlx_pg_options(url: &str, schema: &str) -> xinyong_storage::postgres::PgConnectOptions {
    xinyong_storage::postgres::PgConnectOptions::from_str(url).expect("postgres url").options([("search_path", schema)])
}

/// Fixed key material so signatures in tests are reproducible.
pub fn test_keys() -> LogKeys {
    LogKeys::from_seed(TEST_ORIGIN, [42; 32]).expect("test keys")
}

/// The real router over a private database, driven in-process.
#[derive(Debug)]
pub struct TestApp {
    pub db: TestDb,
    pub core: Core,
    pub clock: ManualClock,
    pub state: AppState,
}

/// A response read whole.
#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl TestResponse {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("json body")
    }

    pub fn content_type(&self) -> &str {
        self.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("")
    }
}

impl TestApp {
    pub async fn new() -> TestApp {
        TestApp::with_db(TestDb::new().await).await
    }

    pub async fn with_db(db: TestDb) -> TestApp {
        TestApp::with_settings(db, CoreSettings::default()).await
    }

    /// An app whose core has other settings than the defaults.
    pub async fn with_settings(db: TestDb, settings: CoreSettings) -> TestApp {
        let clock = ManualClock::new(test_now());
        let core = Core::new(db.store.clone(), Arc::new(clock.clone()), test_keys(), settings);
        let state = AppState::new(core.clone(), SiteSettings::default());
        TestApp { db, core, clock, state }
    }

    /// Reads the log into the app's search index, as `serve`'s follower does
    /// every 200 ms: append, then sync, then search.
    pub async fn sync_search(&self) {
        self.state.search.catch_up(&self.core).await.expect("search index follows the log");
    }

    /// Reads the log into the app's credit check index, as `serve`'s
    /// follower does every 200 ms.
    pub async fn sync_checks(&self) {
        self.state.checks.catch_up(&self.core).await.expect("check index follows the log");
    }

    /// Waits until every check receipt issued so far is in the log.
    pub async fn flush_receipts(&self) {
        self.state.receipts.flush().await.expect("receipts reach the log");
    }

    /// A POST with a JSON body and extra headers (e.g. `authorization`).
    pub async fn post_json(&self, path: &str, headers: &[(&str, &str)], body: &serde_json::Value) -> TestResponse {
        let mut request = Request::post(path).header("content-type", "application/json");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request.body(Body::from(body.to_string())).expect("request");
        self.send(request).await
    }

    /// A GET with `Authorization: Bearer <token>`.
    pub async fn get_with_token(&self, path: &str, token: &str) -> TestResponse {
        let request =
            Request::get(path).header("authorization", format!("Bearer {token}")).body(Body::empty()).expect("request");
        self.send(request).await
    }

    pub async fn get(&self, path: &str) -> TestResponse {
        let request = Request::get(path).body(Body::empty()).expect("request");
        self.send(request).await
    }

    /// Logs a console user in through the login form; returns the session
    /// cookie and the CSRF token read from the page at `csrf_from`.
    pub async fn log_in(&self, login: &str, password: &str, csrf_from: &str) -> (String, String) {
        let body = format!("login={login}&password={password}&next=%2Fconsole");
        let request = Request::post("/console/login")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("request");
        let r = self.send(request).await;
        let cookie = r
            .headers
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .expect("a session cookie")
            .to_owned();
        let page = self.get_as(csrf_from, &cookie).await.text();
        let at = page.find("name=\"csrf_token\" value=\"").map_or(0, |i| i + 25);
        let csrf = page.get(at..at + 64).unwrap_or_default().to_owned();
        (cookie, csrf)
    }

    /// A GET with a session cookie.
    pub async fn get_as(&self, path: &str, cookie: &str) -> TestResponse {
        self.send(Request::get(path).header("cookie", cookie).body(Body::empty()).expect("request")).await
    }

    /// A form POST with a session (cookie, CSRF token); values are
    /// percent-encoded byte by byte.
    pub async fn post_form(
        &self,
        path: &str,
        (cookie, csrf): &(String, String),
        fields: &[(&str, &str)],
    ) -> TestResponse {
        let mut body: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{k}={}", v.bytes().map(|b| format!("%{b:02X}")).collect::<String>()))
            .collect();
        body.push(format!("csrf_token={csrf}"));
        let request = Request::post(path)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", cookie)
            .body(Body::from(body.join("&")))
            .expect("request");
        self.send(request).await
    }

    pub async fn send(&self, request: Request<Body>) -> TestResponse {
        let response = xinyong_server::router(self.state.clone()).oneshot(request).await.expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.expect("body").to_bytes().to_vec();
        TestResponse { status, headers, body }
    }
}

/// Asserts that `value` (a JSON response) has exactly the properties the
/// OpenAPI document `doc` gives component schema `schema`: required ones
/// present, none undocumented, recursing into referenced schemas, arrays and
/// `Option` (`oneOf` with null) fields. Panics naming the path on a mismatch.
pub fn assert_matches_schema(doc: &serde_json::Value, schema: &str, value: &serde_json::Value) {
    conforms(doc, schema, value, schema);
}

fn conforms(doc: &serde_json::Value, schema: &str, value: &serde_json::Value, at: &str) {
    let s = &doc["components"]["schemas"][schema];
    assert!(s.is_object(), "{at}: no schema {schema}");
    check_value(doc, s, value, at);
}

fn check_value(doc: &serde_json::Value, s: &serde_json::Value, value: &serde_json::Value, at: &str) {
    if let Some(r) = s["$ref"].as_str() {
        return conforms(doc, r.trim_start_matches("#/components/schemas/"), value, at);
    }
    if let Some(options) = s["oneOf"].as_array() {
        // `Option<Schema>`: null, or the schema.
        if value.is_null() {
            return;
        }
        let non_null: Vec<&serde_json::Value> = options.iter().filter(|o| o["type"] != "null").collect();
        return check_value(doc, non_null[0], value, at);
    }
    if value.is_null() {
        let nullable = s["type"].as_array().is_some_and(|t| t.iter().any(|t| t == "null"));
        assert!(nullable, "{at}: null where the document says {s}");
        return;
    }
    if let Some(props) = s["properties"].as_object() {
        let obj = value.as_object().unwrap_or_else(|| panic!("{at}: expected an object, got {value}"));
        for key in obj.keys() {
            assert!(props.contains_key(key), "{at}: property {key} is not documented");
        }
        for req in s["required"].as_array().into_iter().flatten() {
            assert!(obj.contains_key(req.as_str().unwrap_or_default()), "{at}: required {req} missing");
        }
        for (key, v) in obj {
            check_value(doc, &props[key], v, &format!("{at}.{key}"));
        }
    } else if s["items"].is_object() {
        for (i, v) in value.as_array().unwrap_or_else(|| panic!("{at}: expected an array")).iter().enumerate() {
            check_value(doc, &s["items"], v, &format!("{at}[{i}]"));
        }
    }
}

/// The text of a PDF with every blank removed (pdftotext breaks lines where
/// the layout does), read with poppler's `pdftotext`; `None` when it is not
/// installed, except in CI (which installs it), where that fails the test.
pub fn pdf_text(pdf: &[u8]) -> Option<String> {
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF: {:?}", &pdf[..pdf.len().min(40)]);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("document.pdf");
    std::fs::write(&path, pdf).expect("write the PDF");
    let Ok(out) = std::process::Command::new("pdftotext").args(["-enc", "UTF-8"]).arg(&path).arg("-").output() else {
        assert!(std::env::var_os("CI").is_none(), "pdftotext (poppler-utils) is missing in CI");
        eprintln!("pdftotext is not installed: the PDF's text is not checked");
        return None;
    };
    assert!(out.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&out.stderr));
    Some(String::from_utf8(out.stdout).expect("UTF-8 text").split_whitespace().collect())
}

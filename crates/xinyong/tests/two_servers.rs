//! Two `xinyong serve` processes on one database (PostgreSQL when
//! `XINYONG_TEST_DATABASE_URL` is set, else one SQLite file): a batch pushed
//! to one reaches the other's projections and both sign the same checkpoint,
//! a department renamed elsewhere reaches both servers' pages;
//! their background jobs expire each listing once and deliver each feed item
//! to a webhook once.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use std::collections::{BTreeSet, HashMap};
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use xinyong_core::auth::policy::Principal;
use xinyong_core::auth::{seed_departments, shipped_departments};
use xinyong_core::closed_loop::webhooks;
use xinyong_core::lists::listing::{self, ProposeListing};
use xinyong_core::{Core, CoreSettings, LogKeys, SystemClock};
use xinyong_domain::auth::DepartmentCode;
use xinyong_domain::codes::uscc::Uscc;
use xinyong_domain::event::{Actor, NewEvent};
use xinyong_domain::subjects::{LegalPerson, SubjectName, SubjectStatus, SubjectsEvent};

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

/// Starts `serve` on a free port and returns once it says where it listens.
fn serve(dir: &Path, url: &str) -> Server {
    listening(start(dir, url, &[]))
}

/// Starts `serve` with extra environment (configuration overrides); its
/// address is known once [`listening`] returns. Killed when dropped.
fn start(dir: &Path, url: &str, env: &[(&str, &str)]) -> Server {
    let child = command(dir, url)
        .envs(env.iter().copied())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    Server { child, addr: String::new() }
}

/// Waits until a started `serve` says where it listens.
fn listening(server: Server) -> Server {
    listening_with_lines(server).0
}

/// [`listening`], with the lines `serve` wrote before it listened.
fn listening_with_lines(mut server: Server) -> (Server, Vec<String>) {
    let mut lines = BufReader::new(server.child.stderr.take().unwrap()).lines();
    let mut before = Vec::new();
    let addr = loop {
        let line = lines.next().expect("serve exited before listening").unwrap();
        if let Some(rest) = line.strip_prefix("xinyong: serving http://") {
            break rest.trim_end_matches('/').to_owned();
        }
        before.push(line);
    };
    // Keep draining stderr so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    server.addr = addr;
    (server, before)
}

/// A minimal HTTP/1.1 client: (status, body).
fn http(addr: &str, method: &str, path: &str, token: &str, body: Option<&str>) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    let body = body.unwrap_or("");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    let status = raw.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = raw.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
    (status, body)
}

fn database_url(dir: &Path) -> String {
    match std::env::var("XINYONG_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => {
            // A private schema, so this test does not meet the others.
            let rt = tokio::runtime::Runtime::new().unwrap();
            rt.block_on(xinyong_test_support::TestDb::postgres(&url)).into_kept_url()
        }
        _ => format!("sqlite://{}", dir.join("shared.db").display()),
    }
}

#[test]
fn a_batch_pushed_to_one_server_reaches_the_other() {
    let dir = tempfile::tempdir().unwrap();
    let url = database_url(dir.path());
    assert!(command(dir.path(), &url).args(["departments", "seed"]).status().unwrap().success());
    let out = command(dir.path(), &url)
        .args(["tokens", "create", "--department", "zjj", "--label", "t", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let token: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let token = token["token"].as_str().unwrap().to_owned();

    let a = serve(dir.path(), &url);
    let b = serve(dir.path(), &url);
    let batch = serde_json::json!({"item": "CF", "rows": [{
        "CF_XDR_MC": "济南鑫泰建筑工程有限公司", "CF_XDR_LB": "法人及非法人组织", "CF_XDR_SHXYM": "91370112MA3D8N0Q3C",
        "CF_FRDB": "李卫东", "CF_WSH": "济建罚〔2026〕801号", "CF_WFXW": "违法建设", "CF_SY": "两个进程",
        "CF_YJ": "《建设工程质量管理条例》第六十四条", "CF_CFLB": "罚款", "CF_NR": "罚款1万元", "CF_NR_FK": "1",
        "CF_JDRQ": "2026-11-20", "CF_YXQ": "2027-11-20", "CF_CFJG": "济南市住房和城乡建设局", "CF_CFJGDM": "113701000041882744",
        "CF_SJLY": "济南市住房和城乡建设局", "CF_SJLYDM": "113701000041882744"
    }]});
    let (status, body) = http(&a.addr, "POST", "/api/v1/records/batches", &token, Some(&batch.to_string()));
    assert_eq!(status, 201, "{body}");
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    let record = body["rows"][0]["record_id"].as_str().unwrap().to_owned();

    // The projections are shared; the other process answers at once.
    let (status, body) = http(&b.addr, "GET", &format!("/api/v1/records/{record}"), &token, None);
    assert_eq!(status, 200, "{body}");
    // Both publish the same signed checkpoint once their publishers catch up.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (_, ca) = http(&a.addr, "GET", "/log/checkpoint", &token, None);
        let (_, cb) = http(&b.addr, "GET", "/log/checkpoint", &token, None);
        if ca == cb && !ca.is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "checkpoints never agreed:\n{ca}\n{cb}");
        std::thread::sleep(Duration::from_millis(100));
    }

    // Pages name departments from memory; a department renamed by a third
    // process reaches the other server's pages through its log follower,
    // long before the names would be read again anyway (30 s).
    let page = |server: &Server| http(&server.addr, "GET", "/subjects/91370112MA3D8N0Q3C", &token, None);
    let (status, before) = page(&b);
    assert_eq!(status, 200, "{before}");
    assert!(before.contains("济南市住房和城乡建设局") && !before.contains("城乡建设局（更名）"), "{before}");
    let renamed: Vec<_> = shipped_departments()
        .unwrap()
        .into_iter()
        .map(|mut d| {
            if d.code.as_str() == "zjj" {
                d.name = "济南市住房和城乡建设局（更名）".to_owned();
            }
            d
        })
        .collect();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (_, changed) = rt.block_on(async {
        let core = core_over(dir.path(), &url).await;
        xinyong_core::rules::sync_departments(&core, &renamed).await.unwrap()
    });
    assert_eq!(changed, 1);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !page(&b).1.contains("济南市住房和城乡建设局（更名）") {
        assert!(Instant::now() < deadline, "the rename never reached the other server's pages");
        std::thread::sleep(Duration::from_millis(100));
    }
}

// ------------------------------------------------ jobs across two servers

/// Listings whose validity ended long ago, waiting for the expiry job:
/// enough that one expiry run takes a while, so two unclaimed runs in two
/// processes would overlap.
const EXPIRED_LISTINGS: usize = 24;
/// Webhook delivery runs this often (ms) in the servers below: often, so that
/// the two processes contend for nearly every run.
const WEBHOOK_INTERVAL_MS: i64 = 100;

/// A webhook receiver on a free port, answering 200 to every POST and
/// keeping each body (one thread, one connection at a time).
struct Receiver {
    url: String,
    bodies: Arc<Mutex<Vec<serde_json::Value>>>,
}

fn receiver() -> Receiver {
    let bodies: Arc<Mutex<Vec<serde_json::Value>>> = Arc::default();
    let kept = Arc::clone(&bodies);
    let url = hook_listener(move |stream| {
        if let Some(body) = answer_post(stream) {
            kept.lock().unwrap().push(body);
        }
    });
    Receiver { url, bodies }
}

/// A webhook URL on a free port whose connections, one at a time, go to
/// `connected` on a thread of its own.
fn hook_listener(mut connected: impl FnMut(TcpStream) + Send + 'static) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    std::thread::spawn(move || listener.incoming().flatten().for_each(&mut connected));
    url
}

/// Reads one request (headers, then Content-Length bytes), answers 200 and
/// closes; the body as JSON.
fn answer_post(mut stream: TcpStream) -> Option<serde_json::Value> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 || line == "\r\n" {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().ok()?;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    let body = serde_json::from_slice(&body).ok();
    stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").ok()?;
    body
}

/// A core in this process over the servers' database, with their log key
/// (created here, at the path `serve` reads by default).
async fn core_over(dir: &Path, url: &str) -> Core {
    let store = xinyong_storage::open(url).await.unwrap();
    let path = dir.join("data/log-key.txt");
    let keys = match LogKeys::load(&path, "xinyong.local/log").unwrap() {
        Some(keys) => keys,
        None => LogKeys::create(&path, "xinyong.local/log", [9; 32]).unwrap(),
    };
    Core::new(store, Arc::new(SystemClock), keys, CoreSettings { webhooks: loopback(), ..CoreSettings::default() })
}

/// The receiver listens on the loopback address over plain HTTP, which the
/// default webhook targets refuse; the servers get the same by configuration
/// ([`LOOPBACK_ENV`]).
fn loopback() -> webhooks::WebhookTargets {
    webhooks::WebhookTargets { allow_http: true, allowed_networks: vec!["127.0.0.0/8".parse().unwrap()] }
}

const LOOPBACK_ENV: [(&str, &str); 2] =
    [("XINYONG_FEEDS__WEBHOOK_ALLOW_HTTP", "true"), ("XINYONG_FEEDS__WEBHOOK_ALLOWED_NETWORKS", "[\"127.0.0.0/8\"]")];

/// Through the use cases, as the console would: departments, a webhook for
/// 市审批局 (an executor of the key-attention list's measures), and
/// [`EXPIRED_LISTINGS`] companies put on the key-attention list in March 2024
/// for twelve months, so their validity ended a year before today.
async fn set_up_expired_listings(core: &Core, hook_url: &str) {
    seed_departments(core, &shipped_departments().unwrap()).await.unwrap();
    // First the webhook: a new one starts at the current end of the feed.
    let spj = DepartmentCode::parse("spj").unwrap();
    let spj_system = Principal::System(Actor::parse("department:spj").unwrap());
    webhooks::set_webhook(core, &spj_system, &spj, hook_url, [7; 32]).await.unwrap();
    let scjgj = DepartmentCode::parse("scjgj").unwrap();
    let acting = xinyong_test_support::department_user("scjgj");
    let day = |s: &str| s.parse::<NaiveDate>().unwrap();
    for i in 0..EXPIRED_LISTINGS {
        let uscc = Uscc::from_parts('9', '1', "370102", &format!("MA3C8N{i:02}")).unwrap();
        let company = SubjectsEvent::LegalPersonRegistered {
            subject: LegalPerson {
                uscc: uscc.clone(),
                name: SubjectName::parse(&format!("济南第{i}商贸有限公司")).unwrap(),
                status: SubjectStatus::Active,
            },
            people: vec![],
        };
        core.append(vec![NewEvent::new(Actor::parse("demo").unwrap(), company)]).await.unwrap();
        let proposal = ProposeListing {
            list_code: "key-attention".to_owned(),
            subject: uscc.as_str().to_owned(),
            reason: "未按期整改".to_owned(),
            facts: "2024 年 2 月检查发现……".to_owned(),
            legal_basis: "济市监责改〔2024〕7号".to_owned(),
            source_records: vec![],
            proposed_on: Some(day("2024-03-01")),
        };
        let id = listing::propose(core, &acting, &scjgj, proposal).await.unwrap();
        listing::serve_notice(core, &acting, &id, day("2024-03-01"), "邮寄送达").await.unwrap();
        // Four eyes: another reviewer decides.
        let deciding = xinyong_test_support::user("zhang", Some("scjgj"), &[xinyong_domain::auth::Role::Reviewer]);
        listing::decide(core, &deciding, &id, &format!("济市监重〔2024〕{i}号"), day("2024-03-20")).await.unwrap();
    }
}

/// (listing id → `listing_exited` entries, log indexes of decisions and exits).
async fn exits_and_feed_cursors(core: &Core) -> (HashMap<String, usize>, BTreeSet<u64>) {
    let mut exits: HashMap<String, usize> = HashMap::new();
    let mut cursors = BTreeSet::new();
    for e in core.store().events_from(0, 100_000).await.unwrap() {
        if e.kind == "listing_decided" || e.kind == "listing_exited" {
            cursors.insert(u64::try_from(e.seq).unwrap());
        }
        if e.kind == "listing_exited" {
            let body: serde_json::Value = serde_json::from_str(e.body.as_deref().unwrap()).unwrap();
            *exits.entry(body["listing_id"].as_str().unwrap().to_owned()).or_default() += 1;
        }
    }
    (exits, cursors)
}

/// Every item cursor the receiver got, with how often.
fn received_cursors(receiver: &Receiver) -> HashMap<u64, usize> {
    let mut seen = HashMap::new();
    for body in receiver.bodies.lock().unwrap().iter() {
        assert_eq!(body["department"], "spj", "{body}");
        for item in body["items"].as_array().unwrap() {
            *seen.entry(item["cursor"].as_u64().unwrap()).or_default() += 1;
        }
    }
    seen
}

#[test]
fn two_servers_expire_each_listing_once_and_deliver_each_feed_item_once() {
    let dir = tempfile::tempdir().unwrap();
    let url = database_url(dir.path());
    let receiver = receiver();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let core = rt.block_on(core_over(dir.path(), &url));
    rt.block_on(set_up_expired_listings(&core, &receiver.url));

    let interval = WEBHOOK_INTERVAL_MS.to_string();
    let env = [("XINYONG_FEEDS__WEBHOOK_INTERVAL_MS", interval.as_str()), LOOPBACK_ENV[0], LOOPBACK_ENV[1]];
    // Both start at once, so both find the expired listings and the
    // undelivered items at the same moment.
    let (a, b) = (start(dir.path(), &url, &env), start(dir.path(), &url, &env));
    let (_a, _b) = (listening(a), listening(b));

    // Wait (bounded) until every listing has exited and the receiver has
    // every decision and exit of the feed.
    let deadline = Instant::now() + Duration::from_secs(60);
    let done_at_ms = loop {
        let (exits, cursors) = rt.block_on(exits_and_feed_cursors(&core));
        let seen = received_cursors(&receiver);
        if exits.len() == EXPIRED_LISTINGS && cursors.iter().all(|c| seen.contains_key(c)) {
            break core.now().timestamp_millis();
        }
        assert!(Instant::now() < deadline, "jobs did not finish: exits {exits:?}, feed {cursors:?}, received {seen:?}");
        std::thread::sleep(Duration::from_millis(100));
    };
    // Then let both servers look again a few times: a duplicate would come now.
    loop {
        let run = rt.block_on(core.store().job_run("webhook_delivery")).unwrap().unwrap();
        if run.last_started_ms.is_some_and(|t| t > done_at_ms + 3 * WEBHOOK_INTERVAL_MS) {
            break;
        }
        assert!(Instant::now() < deadline, "webhook delivery stopped running: {run:?}");
        std::thread::sleep(Duration::from_millis(50));
    }

    let (exits, cursors) = rt.block_on(exits_and_feed_cursors(&core));
    assert_eq!(exits.len(), EXPIRED_LISTINGS, "{exits:?}");
    assert!(exits.values().all(|n| *n == 1), "one listing_exited per listing: {exits:?}");
    assert_eq!(cursors.len(), 2 * EXPIRED_LISTINGS, "a decision and an exit per listing");
    let seen = received_cursors(&receiver);
    assert_eq!(seen.keys().copied().collect::<BTreeSet<u64>>(), cursors, "the feed items, no others");
    assert!(seen.values().all(|n| *n == 1), "each feed item delivered once: {seen:?}");

    // Both servers' jobs are listed by the CLI.
    let out = command(dir.path(), &url).args(["jobs", "list", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let runs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = runs.as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "campaigns",
            "checkpoint_publisher",
            "commitments",
            "evaluation",
            "inspection_draws",
            "listing_expiry",
            "receipt_retention",
            "status_map",
            "subscriptions",
            "webhook_delivery"
        ]
    );
    let expiry = &runs[5];
    assert_eq!(expiry["name"], "listing_expiry");
    assert!(expiry["last_outcome"].as_str().unwrap().starts_with("ok: "), "{expiry}");
}

/// A webhook receiver that takes connections and never answers, as a
/// receiver that hangs does; each connection is kept open and counted.
fn silent_receiver() -> (String, Arc<Mutex<Vec<TcpStream>>>) {
    let held: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
    let kept = Arc::clone(&held);
    let url = hook_listener(move |stream| kept.lock().unwrap().push(stream));
    (url, held)
}

/// At a stop, a job still running gets `[server] stop_grace_secs` and is
/// then left: here a webhook delivery waits on a receiver that never
/// answers (the client would give up after 10 s), and `serve` exits about
/// a second after SIGTERM with the run's claim still live, for the next
/// start to take over once it lapses.
#[test]
fn a_stop_leaves_a_job_that_outlasts_the_grace() {
    let dir = tempfile::tempdir().unwrap();
    let url = database_url(dir.path());
    let (hook_url, held) = silent_receiver();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let core = rt.block_on(core_over(dir.path(), &url));
    rt.block_on(set_up_expired_listings(&core, &hook_url));

    let interval = WEBHOOK_INTERVAL_MS.to_string();
    let env = [
        ("XINYONG_FEEDS__WEBHOOK_INTERVAL_MS", interval.as_str()),
        ("XINYONG_SERVER__STOP_GRACE_SECS", "1"),
        LOOPBACK_ENV[0],
        LOOPBACK_ENV[1],
    ];
    let mut server = listening(start(dir.path(), &url, &env));
    let deadline = Instant::now() + Duration::from_secs(60);
    while held.lock().unwrap().is_empty() {
        assert!(Instant::now() < deadline, "the webhook was never called");
        std::thread::sleep(Duration::from_millis(20));
    }

    let stopped_at = Instant::now();
    let pid = server.child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let status = server.child.wait().unwrap();
    let took = stopped_at.elapsed();
    assert!(status.success(), "{status}");
    assert!(took < Duration::from_secs(6), "serve waited {took:?} for the hanging delivery");
    let run = rt.block_on(core.store().job_run("webhook_delivery")).unwrap().unwrap();
    assert!(run.lease_until_ms > core.now().timestamp_millis(), "the left run keeps its claim: {run:?}");
}

/// A SIGTERM as soon as the port accepts connections (the indexes may still
/// be building) is a stop like any other: `serve` finishes and exits 0
/// instead of dying by the signal.
#[test]
fn a_stop_as_soon_as_the_port_opens_is_graceful() {
    let dir = tempfile::tempdir().unwrap();
    let url = database_url(dir.path());
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(core_over(dir.path(), &url));
    let mut server = listening(start(dir.path(), &url, &LOOPBACK_ENV));
    let pid = server.child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let status = server.child.wait().unwrap();
    assert!(status.success(), "{status}");
}

/// A restarted server loads the search index from the snapshot the first
/// one wrote (`[indexes] snapshot_dir`, by default `./data/indexes`) and
/// applies what the log gained in between before it answers.
#[test]
fn a_restarted_server_loads_its_search_index_snapshot_and_catches_up() {
    let dir = tempfile::tempdir().unwrap();
    let url = database_url(dir.path());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let core = rt.block_on(core_over(dir.path(), &url));
    let register = |body: &str, name: &str| {
        let uscc = Uscc::from_parts('9', '1', "370102", body).unwrap();
        let company = SubjectsEvent::LegalPersonRegistered {
            subject: LegalPerson {
                uscc: uscc.clone(),
                name: SubjectName::parse(name).unwrap(),
                status: SubjectStatus::Active,
            },
            people: vec![],
        };
        rt.block_on(core.append(vec![NewEvent::new(Actor::parse("demo").unwrap(), company)])).unwrap();
        uscc
    };
    let first = register("MA3C9K01", "济南重启之前商贸有限公司");
    let snapshot = dir.path().join("data/indexes/search-index.bin");
    {
        let (a, lines) = started_with_lines(dir.path(), &url);
        assert!(lines.iter().any(|l| l.contains("no search index snapshot yet")), "{lines:?}");
        let deadline = Instant::now() + Duration::from_secs(30);
        while !snapshot.exists() {
            assert!(Instant::now() < deadline, "no snapshot written after the rebuild");
            std::thread::sleep(Duration::from_millis(50));
        }
        assert!(
            http(&a.addr, "GET", &format!("/api/v1/public/subjects?q={first}"), "", None).1.contains(first.as_str())
        );
        // Killed: no snapshot at shutdown, the one written after the rebuild stays.
    }
    let later = register("MA3C9K02", "济南重启之间商贸有限公司");
    let written = std::fs::read(&snapshot).unwrap();
    let (b, lines) = started_with_lines(dir.path(), &url);
    assert!(lines.iter().any(|l| l.contains("search index loaded from its snapshot")), "{lines:?}");
    for uscc in [&first, &later] {
        let (status, body) = http(&b.addr, "GET", &format!("/api/v1/public/subjects?q={uscc}"), "", None);
        assert_eq!(status, 200, "{body}");
        assert!(body.contains(uscc.as_str()), "{body}");
    }
    // The snapshot lagged the log, so it is written again, with the later one.
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::fs::read(&snapshot).unwrap() == written {
        assert!(Instant::now() < deadline, "the lagging snapshot was not written again");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Starts `serve` logging at info and returns it listening, with the lines
/// it logged before it listened.
fn started_with_lines(dir: &Path, url: &str) -> (Server, Vec<String>) {
    listening_with_lines(start(dir, url, &[("XINYONG_LOG", "info"), ("NO_COLOR", "1")]))
}

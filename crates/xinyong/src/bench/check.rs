//! `xinyong bench check`: the credit check (应查必查).
//!
//! 1. In process: a [`CheckIndex`] built in memory from synthetic events
//!    (N organisations; about 2 % on a serious list with their legal
//!    representative as liable person, 1 % key attention, 1 % red list,
//!    0.3 % under a ban), then M checks over random subjects (80 % by USCC,
//!    10 % by exact name, 10 % by ID number) in random scenarios. Each check
//!    is timed on its own with `Instant` (its overhead, ≈ 20–40 ns, is
//!    included in the figures; it is small against a check).
//! 2. Over HTTP (`--http`, default on): the real router on 127.0.0.1 over a
//!    temporary SQLite database with the same index, loaded by `wrk` (or
//!    `hey`) on `POST /api/v1/checks` and, in the same run, on the trivial
//!    `GET /api/v1/ping`, in alternating rounds (`--rounds`, of `--duration`
//!    seconds per endpoint); requests/s of both (mean of the rounds), the
//!    ratio, p99 latencies (the worst round's), the receipt writer's largest
//!    backlog when a round's load stops and its total drain time, and the
//!    CPU time per request of the server (receipt writing included) and of
//!    the load generator, which other work on a shared machine does not
//!    distort.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use xinyong_domain::lists::ListsEvent;
use xinyong_domain::subjects::SubjectsEvent;

use chrono::NaiveDate;
use xinyong_core::checks::index::{CheckIndex, CheckQuery};
use xinyong_core::checks::receipts::{Receipt, Requester};
use xinyong_core::{Core, CoreSettings, LogKeys, SystemClock, auth};
use xinyong_domain::auth::DepartmentCode;
use xinyong_domain::codes::id_number::IdNumber;
use xinyong_domain::codes::uscc::Uscc;
use xinyong_domain::collection::RecordSubject;
use xinyong_domain::event::{Actor, EventBody};
use xinyong_domain::lists::sanction::SanctionRules;
use xinyong_domain::lists::{Ban, BanScope};
use xinyong_domain::mask::MaskConfig;
use xinyong_domain::subjects::RoleHolder;
use xinyong_domain::subjects::{LegalPerson, NaturalPerson, RelationRole, SubjectName, SubjectStatus};
use xinyong_server::{AppState, SiteSettings};

use super::{Baseline, Figure, Report, percentile_us, print_report};
use crate::{CmdResult, Failure};

/// SplitMix64, as in `bench search`: a seed always names the same data.
struct Pick(u64);

impl Pick {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const DIVISIONS: [&str; 6] = ["370102", "370103", "370104", "370105", "370112", "370113"];
const WORDS: [&str; 8] = ["泉润", "鑫泰", "华昌", "明湖", "舜耕", "历山", "趵突", "大明"];
const TRADES: [&str; 6] = ["商贸", "建筑工程", "食品", "科技", "物流", "餐饮管理"];
const SERIOUS: [&str; 6] = [
    "samr-serious",
    "tax-major",
    "court-dishonest",
    "construction-serious",
    "environment-serious",
    "work-safety-serious",
];

/// A synthetic city held only in memory.
struct City {
    usccs: Vec<Uscc>,
    names: Vec<String>,
    people: Vec<IdNumber>,
}

fn other(e: impl std::fmt::Display) -> Failure {
    Failure::Other(anyhow::anyhow!("{e}"))
}

fn synthetic_city(index: &CheckIndex, n: u64, pick: &mut Pick) -> Result<City, Failure> {
    let mut city =
        City { usccs: Vec::with_capacity(n as usize), names: Vec::with_capacity(n as usize), people: Vec::new() };
    let day = |s: &str| s.parse::<NaiveDate>().map_err(other);
    let scjgj = DepartmentCode::parse("scjgj").map_err(other)?;
    for i in 0..n {
        let division = DIVISIONS[(i % DIVISIONS.len() as u64) as usize];
        let uscc = Uscc::from_parts('9', '1', division, &format!("{:08}", i)).map_err(other)?;
        let name = format!("济南{}{}{}有限公司", WORDS[pick.below(WORDS.len())], TRADES[pick.below(TRADES.len())], i);
        let roll = pick.below(1000);
        let rep = (roll < 20).then(|| -> Result<RoleHolder, Failure> {
            let birth = day("1960-01-01")? + chrono::Duration::days(pick.below(12_000) as i64);
            let id = IdNumber::from_parts(division, birth, (i % 1000) as u16).map_err(other)?;
            Ok(RoleHolder {
                role: RelationRole::LegalRepresentative,
                person: NaturalPerson { id_number: id, name: SubjectName::parse("张三").map_err(other)? },
            })
        });
        let rep = rep.transpose()?;
        index.apply_body(&EventBody::from(SubjectsEvent::LegalPersonRegistered {
            subject: LegalPerson {
                uscc: uscc.clone(),
                name: SubjectName::parse(&name).map_err(other)?,
                status: SubjectStatus::Active,
            },
            people: rep.iter().cloned().collect(),
        }));
        let subject =
            RecordSubject { kind: "legal_person".to_owned(), key: uscc.as_str().to_owned(), name: name.clone() };
        let list = match roll {
            0..20 => Some(SERIOUS[pick.below(SERIOUS.len())]),
            20..30 => Some("key-attention"),
            30..40 => Some("red-list"),
            _ => None,
        };
        if let Some(list) = list {
            let from = day("2025-01-01")? + chrono::Duration::days(pick.below(600) as i64);
            let listing_id = format!("LS{i:016x}");
            if let Some(rep) = &rep {
                city.people.push(rep.person.id_number.clone());
            }
            index.apply_body(&EventBody::from(ListsEvent::ListingDecided {
                listing_id,
                list_code: list.to_owned(),
                subject: subject.clone(),
                decision_no: format!("济信决〔2026〕{i}号"),
                decided_on: from,
                valid_from: from,
                valid_until: Some(from + chrono::Duration::days(3 * 365)),
                measures: Vec::new(),
                pushes: Vec::new(),
                liable_people: rep.into_iter().collect(),
            }));
        }
        if (40..43).contains(&roll) {
            index.apply_body(&EventBody::from(ListsEvent::BanImposed {
                ban: Ban {
                    id: format!("BN{i:016x}"),
                    subject,
                    scope: BanScope::Industry,
                    field: "食品生产经营".to_owned(),
                    description: String::new(),
                    basis: "《中华人民共和国食品安全法》第一百三十五条".to_owned(),
                    department: scjgj.clone(),
                    decision_no: format!("济市监禁〔2026〕{i}号"),
                    starts_on: day("2025-06-01")?,
                    ends_on: None,
                    listing_id: None,
                },
            }));
        }
        city.usccs.push(uscc);
        city.names.push(name);
    }
    Ok(city)
}

fn queries(city: &City, rules: &SanctionRules, m: usize, pick: &mut Pick) -> Vec<CheckQuery> {
    let scenarios: Vec<&str> = rules.scenarios().iter().map(|s| s.code.as_str()).collect();
    (0..m)
        .map(|_| {
            let i = pick.below(city.usccs.len());
            let subject = match pick.below(10) {
                0 => city.names[i].clone(),
                1 if !city.people.is_empty() => city.people[pick.below(city.people.len())].as_str().to_owned(),
                _ => city.usccs[i].as_str().to_owned(),
            };
            CheckQuery { subject, scenario: scenarios[pick.below(scenarios.len())].to_owned(), item: None }
        })
        .collect()
}

/// Resident set size of this process in MB (Linux), 0 elsewhere.
fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<f64>().ok()))
        })
        .map_or(0.0, |kb| (kb / 1024.0).round())
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Organisations in the synthetic city.
    #[arg(long, default_value_t = 1_000_000)]
    subjects: u64,
    /// In-process checks to time.
    #[arg(long, default_value_t = 1_000_000)]
    checks: usize,
    #[arg(long, default_value_t = 2019)]
    seed: u64,
    /// Skip the HTTP part.
    #[arg(long)]
    no_http: bool,
    /// Seconds of load per endpoint in each round.
    #[arg(long, default_value_t = 5)]
    duration: u64,
    /// Rounds of checks then ping. The machine's speed drifts (other
    /// tenants of a shared host); alternating spreads the drift over both.
    #[arg(long, default_value_t = 2)]
    rounds: u32,
    /// Concurrent connections of the load generator.
    #[arg(long, default_value_t = 64)]
    connections: u32,
    #[arg(long)]
    json: bool,
}

pub async fn run(args: CheckArgs) -> CmdResult {
    let rules = SanctionRules::shipped();
    let mut pick = Pick(args.seed);
    let rss_before = rss_mb();
    let started = Instant::now();
    let index = Arc::new(CheckIndex::new(MaskConfig::default()));
    let city = synthetic_city(&index, args.subjects.max(1), &mut pick)?;
    let build = started.elapsed();
    let rss_after = rss_mb();
    let stats = index.stats();
    let qs = queries(&city, rules, args.checks.max(1), &mut pick);
    let today: NaiveDate = "2026-11-26".parse().map_err(other)?;
    let timed = time_checks(&index, rules, &qs, today);
    let with_receipts = time_receipts(&index, rules, &qs, today)?;

    let plain = |name, value: f64, unit| Figure { name, value, unit, baseline: None };
    let mut figures = vec![
        plain("subjects", args.subjects as f64, "orgs"),
        plain("listed_memberships", stats.memberships as f64, "listings"),
        plain("liable_people", stats.people as f64, "people"),
        plain("bans", stats.bans as f64, "bans"),
        plain("index_build_time", (build.as_secs_f64() * 100.0).round() / 100.0, "s"),
        plain("rss_before_build", rss_before, "MB"),
        plain("rss_after_build", rss_after, "MB"),
        plain("checks", qs.len() as f64, "checks"),
        plain("check_p50", percentile_us(&timed.latencies, 50.0), "µs"),
        plain("check_p99", percentile_us(&timed.latencies, 99.0), "µs"),
        plain("check_p999", percentile_us(&timed.latencies, 99.9), "µs"),
        plain("check_rate_one_thread", (qs.len() as f64 / timed.total.as_secs_f64()).round(), "checks/s"),
        plain("check_and_receipt_p50", percentile_us(&with_receipts, 50.0), "µs"),
        plain("check_and_receipt_p99", percentile_us(&with_receipts, 99.0), "µs"),
    ];
    for (name, n) in ["decided_restrict", "decided_caution", "decided_incentive", "decided_clear", "decided_not_found"]
        .into_iter()
        .zip(timed.decisions)
    {
        figures.push(plain(name, n as f64, "checks"));
    }
    figures.extend(receipt_writes(Arc::clone(&index), rules, &qs, today).await?);
    if !args.no_http {
        figures.extend(http(&args, Arc::clone(&index), &qs).await?);
    }
    let report = Report { bench: "check", backend: "memory+sqlite", figures };
    print_report(
        &report,
        args.json,
        &format!("bench check ({} subjects, {} checks; per-check timing with Instant)", args.subjects, qs.len()),
    )
}

/// Per-check latencies (sorted), the total, and how many checks got each
/// decision (restrict, caution, incentive, clear, not found).
struct Timed {
    latencies: Vec<Duration>,
    total: Duration,
    decisions: [usize; 5],
}

/// Warms up the caches on a slice, then times every check on its own.
fn time_checks(index: &CheckIndex, rules: &SanctionRules, qs: &[CheckQuery], today: NaiveDate) -> Timed {
    for q in qs.iter().take(10_000) {
        std::hint::black_box(index.check(rules, q, today).ok());
    }
    let mut latencies = Vec::with_capacity(qs.len());
    let mut decisions = [0usize; 5];
    let t_all = Instant::now();
    for q in qs {
        let t = Instant::now();
        let a = index.check(rules, q, today);
        latencies.push(t.elapsed());
        if let Ok(a) = std::hint::black_box(a) {
            decisions[a.decision as usize] += 1;
        }
    }
    let total = t_all.elapsed();
    latencies.sort_unstable();
    Timed { latencies, total, decisions }
}

/// The trading centre's officer "bench", who asks every check of this bench.
fn bench_requester(case_ref: Option<&str>) -> Result<Requester, Failure> {
    Ok(Requester {
        department: DepartmentCode::parse("ggzyjy").map_err(other)?,
        requester: "bench".to_owned(),
        case_ref: case_ref.map(str::to_owned),
    })
}

/// The same checks plus the receipt (canonical JSON + SHA-256): what the
/// handler does before the receipt is queued. Sorted latencies.
fn time_receipts(
    index: &CheckIndex,
    rules: &SanctionRules,
    qs: &[CheckQuery],
    today: NaiveDate,
) -> Result<Vec<Duration>, Failure> {
    let who = bench_requester(None)?;
    let versions = xinyong_core::rules::Rules::shipped().sanction_versions();
    let now = chrono::Utc::now();
    let mut lat = Vec::with_capacity(qs.len().min(200_000));
    for q in qs.iter().take(200_000) {
        let t = Instant::now();
        if let Ok(a) = index.check(rules, q, today) {
            let r = Receipt::new(&who, q, &a, versions.clone(), now).map_err(other)?;
            std::hint::black_box(r.id().map_err(other)?);
        }
        lat.push(t.elapsed());
    }
    lat.sort_unstable();
    Ok(lat)
}

/// Receipts the in-process run writes: three per query, at most about what
/// ten seconds of HTTP checks write.
const RECEIPT_WRITES_PER_QUERY: usize = 3;
const MAX_RECEIPT_WRITES: usize = 300_000;

/// The receipts' write path without HTTP: the lines of the checks, made
/// beforehand, submitted in turn to the server's `ReceiptWriter`. Reports
/// receipts written per second and this process's CPU per receipt, which
/// is steadier than the HTTP figures for comparing two builds.
async fn receipt_writes(
    index: Arc<CheckIndex>,
    rules: &SanctionRules,
    qs: &[CheckQuery],
    today: NaiveDate,
) -> Result<Vec<Figure>, Failure> {
    let who = bench_requester(Some("BENCH-1"))?;
    let versions = xinyong_core::rules::Rules::shipped().sanction_versions();
    let start = chrono::Utc::now();
    let n = (qs.len() * RECEIPT_WRITES_PER_QUERY).min(MAX_RECEIPT_WRITES);
    let mut lines = Vec::with_capacity(n);
    for (i, q) in qs.iter().cycle().take(n).enumerate() {
        let Ok(answer) = index.check(rules, q, today) else { continue };
        // 20 µs apart: the pace of 50,000 checks a second, and distinct ids.
        let time = start + chrono::Duration::microseconds(20 * i64::try_from(i).map_err(other)?);
        let receipt = Receipt::new(&who, q, &answer, versions.clone(), time).map_err(other)?;
        lines.push(receipt.line(receipt.id().map_err(other)?, answer.subject.uscc.is_none()).map_err(other)?);
    }
    let bench = start_server(index).await?;
    let written = lines.len() as f64;
    let (cpu0, t) = (super::cpu_seconds(), Instant::now());
    for line in lines {
        bench.receipts.submit(line).await.map_err(other)?;
    }
    bench.receipts.flush().await.map_err(other)?;
    let (cpu, wall) = (super::cpu_seconds().0 - cpu0.0, t.elapsed().as_secs_f64());
    bench.finish().await;
    let plain = |name, value: f64, unit| Figure { name, value, unit, baseline: None };
    Ok(vec![
        plain("receipt_writes", written, "receipts"),
        plain("receipt_write_rate", (written / wall).round(), "receipts/s"),
        plain("receipt_write_cpu", (cpu / written * 1e7).round() / 10.0, "µs"),
    ])
}

/// What a load generator reported for one endpoint.
#[derive(Default)]
struct Load {
    rps: f64,
    p99_ms: f64,
    non_2xx: u64,
}

fn tool() -> Option<&'static str> {
    ["wrk", "hey"].into_iter().find(|t| {
        std::process::Command::new(t)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success() || !o.stdout.is_empty() || !o.stderr.is_empty())
    })
}

/// `2.50ms`, `812.00us`, `1.20s` → milliseconds.
fn wrk_ms(raw: &str) -> f64 {
    let raw = raw.trim();
    for (suffix, factor) in [("us", 1e-3), ("ms", 1.0), ("s", 1e3), ("m", 60e3)] {
        if let Some(v) = raw.strip_suffix(suffix).and_then(|v| v.parse::<f64>().ok()) {
            return v * factor;
        }
    }
    0.0
}

fn parse_wrk(out: &str) -> Load {
    let mut load = Load { rps: 0.0, p99_ms: 0.0, non_2xx: 0 };
    for line in out.lines().map(str::trim) {
        if let Some(v) = line.strip_prefix("Requests/sec:") {
            load.rps = v.trim().parse().unwrap_or(0.0);
        } else if let Some(v) = line.strip_prefix("99%") {
            load.p99_ms = wrk_ms(v);
        } else if let Some(v) = line.strip_prefix("Non-2xx or 3xx responses:") {
            load.non_2xx = v.trim().parse().unwrap_or(0);
        }
    }
    load
}

fn parse_hey(out: &str) -> Load {
    let mut load = Load { rps: 0.0, p99_ms: 0.0, non_2xx: 0 };
    for line in out.lines().map(str::trim) {
        if let Some(v) = line.strip_prefix("Requests/sec:") {
            load.rps = v.trim().parse().unwrap_or(0.0);
        } else if let Some(v) = line.strip_prefix("99% in ") {
            load.p99_ms = v.trim_end_matches(" secs").trim().parse::<f64>().unwrap_or(0.0) * 1e3;
        } else if let Some((code, n)) = line.strip_prefix('[').and_then(|l| l.split_once(']'))
            && !code.starts_with('2')
        {
            load.non_2xx += n.split_whitespace().next().and_then(|n| n.parse().ok()).unwrap_or(0);
        }
    }
    load
}

/// Runs the tool against `url` (blocking; call from `spawn_blocking`).
fn load(tool: &str, url: &str, post: Option<(&Path, &str, &str)>, args: &(u64, u32)) -> Result<Load, Failure> {
    let (secs, conns) = *args;
    let mut cmd = std::process::Command::new(tool);
    if tool == "wrk" {
        cmd.args(["-t", "2", "-c", &conns.to_string(), "-d", &format!("{secs}s"), "--latency"]);
        if let Some((script, _, _)) = post {
            cmd.arg("-s").arg(script);
        }
    } else {
        cmd.args(["-z", &format!("{secs}s"), "-c", &conns.to_string()]);
        if let Some((_, token, body)) = post {
            cmd.args([
                "-m",
                "POST",
                "-T",
                "application/json",
                "-H",
                &format!("Authorization: Bearer {token}"),
                "-d",
                body,
            ]);
        }
    }
    let out = cmd.arg(url).output().map_err(|e| Failure::Other(anyhow::anyhow!("{tool} 无法启动：{e}")))?;
    let text = String::from_utf8_lossy(&out.stdout);
    Ok(if tool == "wrk" { parse_wrk(&text) } else { parse_hey(&text) })
}

/// The real router over a temporary SQLite database, serving on a free port,
/// with an API token of the trading centre.
struct BenchServer {
    addr: std::net::SocketAddr,
    token: String,
    receipts: Arc<xinyong_core::checks::receipts::ReceiptWriter>,
    stop: tokio::sync::watch::Sender<bool>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    dir: std::path::PathBuf,
}

async fn start_server(index: Arc<CheckIndex>) -> Result<BenchServer, Failure> {
    let dir = tempfile_dir()?;
    let url = format!("sqlite://{}", dir.join("bench.db").display());
    let store = crate::runtime::open_store(&url).await?;
    let keys = LogKeys::from_seed("bench.xinyong.local/log", [1; 32]).map_err(other)?;
    let core = Core::new(store, Arc::new(SystemClock), keys, CoreSettings::default());
    auth::seed_departments(&core, &auth::shipped_departments().map_err(other)?).await.map_err(other)?;
    let ggzyjy = DepartmentCode::parse("ggzyjy").map_err(other)?;
    let token = auth::issue_token(&core, &Actor::system(), &ggzyjy, "bench", [9; 32]).await.map_err(other)?.token;
    core.checkpoint().await.map_err(other)?;
    let state = AppState::new(core.clone(), SiteSettings::default()).with_checks(index);
    let receipts = Arc::clone(&state.receipts);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(other)?;
    let addr = listener.local_addr().map_err(other)?;
    let (stop, mut stop_rx) = tokio::sync::watch::channel(false);
    let server = tokio::spawn(xinyong_server::serve(listener, state, async move {
        let _ = stop_rx.changed().await;
    }));
    Ok(BenchServer { addr, token, receipts, stop, server, dir })
}

impl BenchServer {
    /// Writes the receipts still queued, stops the server and removes the
    /// database (the next server of this process makes a new one).
    async fn finish(self) {
        self.receipts.shutdown().await;
        let _ = self.stop.send(true);
        let _ = self.server.await;
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A wrk script that POSTs 1,000 of the in-process queries in turn; also the
/// first body (for `hey`, which sends one body only).
fn check_script(
    dir: &std::path::Path,
    token: &str,
    qs: &[CheckQuery],
) -> Result<(std::path::PathBuf, String), Failure> {
    let mut lua = String::from("wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\n");
    let _ = writeln!(lua, "wrk.headers[\"Authorization\"] = \"Bearer {token}\"");
    lua.push_str("local bodies = {\n");
    let body = |q: &CheckQuery| {
        serde_json::json!({"subject": q.subject, "scenario": q.scenario, "requester": "bench", "case_ref": "BENCH-1"})
            .to_string()
    };
    for q in qs.iter().take(1_000) {
        let _ = writeln!(lua, "  {},", serde_json::to_string(&body(q)).map_err(other)?);
    }
    lua.push_str("}\nlocal i = 0\nrequest = function()\n  i = i % #bodies + 1\n  return wrk.format(nil, nil, nil, bodies[i])\nend\n");
    let script = dir.join("check.lua");
    std::fs::write(&script, lua).map_err(other)?;
    Ok((script, qs.first().map(body).unwrap_or_default()))
}

/// `POST /api/v1/checks` under the load generator next to `GET /api/v1/ping`
/// in the same server, with the server's and the generator's CPU per request.
async fn http(args: &CheckArgs, index: Arc<CheckIndex>, qs: &[CheckQuery]) -> Result<Vec<Figure>, Failure> {
    let Some(tool) = tool() else {
        eprintln!(
            "xinyong bench check: 未找到 wrk 或 hey，跳过 HTTP 部分(Debian/Ubuntu：apt-get install wrk；或 go install github.com/rakyll/hey)"
        );
        return Ok(Vec::new());
    };
    let bench = start_server(index).await?;
    let (script, first_body) = check_script(&bench.dir, &bench.token, qs)?;
    let base = format!("http://{}", bench.addr);
    let params = (args.duration.max(1), args.connections.max(1));
    let disk0 = dir_bytes(&bench.dir);
    let mut sum = Rounds::default();
    for _ in 0..args.rounds.max(1) {
        let (s, t, u) = (script.clone(), bench.token.clone(), format!("{base}/api/v1/checks"));
        let body = first_body.clone();
        let cpu0 = super::cpu_seconds();
        let checks = tokio::task::spawn_blocking(move || load(tool, &u, Some((&s, &t, &body)), &params))
            .await
            .map_err(other)??;
        let backlog = bench.receipts.backlog();
        let t = Instant::now();
        bench.receipts.flush().await.map_err(other)?;
        sum.drain += t.elapsed();
        // The server's CPU for the checks includes writing every receipt.
        let cpu1 = super::cpu_seconds();
        let u = format!("{base}/api/v1/ping");
        let ping = tokio::task::spawn_blocking(move || load(tool, &u, None, &params)).await.map_err(other)??;
        let cpu2 = super::cpu_seconds();
        sum.add(&checks, &ping, [(cpu1.0 - cpu0.0, cpu2.0 - cpu1.0), (cpu1.1 - cpu0.1, cpu2.1 - cpu1.1)]);
        sum.backlog = sum.backlog.max(backlog);
    }
    let written = bench.receipts.written();
    // What the receipts cost on disk: the database file and its WAL.
    let disk = dir_bytes(&bench.dir).saturating_sub(disk0);
    bench.finish().await;
    if sum.checks.non_2xx > 0 {
        eprintln!("xinyong bench check: {} 个查询请求未返回 2xx", sum.checks.non_2xx);
    }
    let mut figures = http_figures(&sum, params.0, written);
    if written > 0 {
        // Bytes per check are megabytes per million checks.
        let per_million = (disk as f64 / written as f64).round();
        figures.push(Figure { name: "disk_per_million_checks", value: per_million, unit: "MB", baseline: None });
    }
    Ok(figures)
}

/// The rounds of the HTTP part added up: requests per second are the mean
/// over rounds of equal length, p99 the worst round's.
#[derive(Default)]
struct Rounds {
    n: u32,
    checks: Load,
    ping: Load,
    /// CPU seconds `[(server checks, server ping), (load generator checks, ping)]`.
    cpu: [(f64, f64); 2],
    backlog: u64,
    drain: Duration,
}

impl Rounds {
    fn add(&mut self, checks: &Load, ping: &Load, cpu: [(f64, f64); 2]) {
        self.n += 1;
        for (sum, one) in [(&mut self.checks, checks), (&mut self.ping, ping)] {
            sum.rps += one.rps;
            sum.p99_ms = sum.p99_ms.max(one.p99_ms);
            sum.non_2xx += one.non_2xx;
        }
        for (sum, one) in self.cpu.iter_mut().zip(cpu) {
            sum.0 += one.0;
            sum.1 += one.1;
        }
    }

    /// Mean requests per second of checks and of ping.
    fn rps(&self) -> (f64, f64) {
        let n = f64::from(self.n.max(1));
        (self.checks.rps / n, self.ping.rps / n)
    }
}

/// Bytes of the files in `dir` (the bench database and its WAL).
fn dir_bytes(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok()?.metadata().ok()).map(|m| m.len()).sum())
        .unwrap_or(0)
}

/// The HTTP figures: rates, p99, CPU per request (server, load generator) for
/// checks next to ping, and what the receipt writer did.
fn http_figures(sum: &Rounds, secs: u64, written: u64) -> Vec<Figure> {
    let (checks_rps, ping_rps) = sum.rps();
    let ratio = if ping_rps > 0.0 { (checks_rps / ping_rps * 1000.0).round() / 1000.0 } else { 0.0 };
    // Requests served in all rounds: mean rate × the rounds' seconds.
    let seconds = secs as f64 * f64::from(sum.n.max(1));
    let per_request = |cpu: f64, rps: f64| if rps > 0.0 { (cpu / (rps * seconds) * 1e7).round() / 10.0 } else { 0.0 };
    let cpu = sum.cpu.map(|(c, p)| (per_request(c, checks_rps), per_request(p, ping_rps)));
    let (checks, ping, backlog, drain) = (&sum.checks, &sum.ping, sum.backlog, sum.drain);
    let versus = |name, value, unit, base_name, base| Figure {
        name,
        value,
        unit,
        baseline: Some(Baseline { name: base_name, value: base, unit }),
    };
    let plain = |name, value, unit| Figure { name, value, unit, baseline: None };
    vec![
        versus("http_checks_rate", checks_rps.round(), "req/s", "http_ping_rate", ping_rps.round()),
        plain("http_checks_vs_ping", ratio, "ratio"),
        versus("http_checks_p99", checks.p99_ms, "ms", "http_ping_p99", ping.p99_ms),
        versus("http_checks_server_cpu", cpu[0].0, "µs/req", "http_ping_server_cpu", cpu[0].1),
        versus("http_checks_loadgen_cpu", cpu[1].0, "µs/req", "http_ping_loadgen_cpu", cpu[1].1),
        plain("http_checks_non_2xx", checks.non_2xx as f64, "responses"),
        plain("receipt_backlog_at_end", backlog as f64, "receipts"),
        plain("receipt_drain_time", (drain.as_secs_f64() * 1e3).round(), "ms"),
        plain("receipts_written", written as f64, "receipts"),
    ]
}

fn tempfile_dir() -> Result<std::path::PathBuf, Failure> {
    let dir = std::env::temp_dir().join(format!("xinyong-bench-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(other)?;
    Ok(dir)
}

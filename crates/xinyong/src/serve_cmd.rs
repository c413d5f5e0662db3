//! `xinyong serve`

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use xinyong_core::checks::index::CheckIndex;
use xinyong_core::closed_loop::webhooks::WebhookClient;
use xinyong_core::jobs::{CheckpointPublisher, JobRunner, ListingExpiry, ScheduledBackup, WebhookDelivery};
use xinyong_core::log::follower::{Follower, LogSubscriber};
use xinyong_core::portal::search::SearchIndex;
use xinyong_core::portal::search::snapshot::{self, Loaded};
use xinyong_core::rules::RulesFollower;
use xinyong_server::{AppState, SiteSettings};

use crate::config::Config;
use crate::{CmdResult, Failure, demo_cmd, departments_cmd, runtime};

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Create a 10,000-subject demo city first when the database is empty.
    #[arg(long)]
    demo: bool,
    /// Database URL (overrides configuration).
    #[arg(long)]
    database: Option<String>,
    /// Address to listen on (overrides configuration), e.g. 127.0.0.1:8080.
    #[arg(long)]
    listen: Option<String>,
}

/// Subjects in the city `--demo` creates.
const DEMO_SUBJECTS: u64 = 10_000;
/// Seed of that city, so every demo shows the same companies.
const DEMO_SEED: u64 = 2019;

pub async fn run(cfg: Config, args: ServeArgs) -> CmdResult {
    let url = args.database.clone().unwrap_or_else(|| cfg.database.url.clone());
    let listen = args.listen.clone().unwrap_or_else(|| cfg.server.listen.clone());
    let addr: std::net::SocketAddr =
        listen.parse().map_err(|_| Failure::Usage(format!("--listen {listen:?} 不是 IP:端口")))?;
    let documents = xinyong_documents::Documents::new(cfg.documents.fonts.clone());
    documents.check_fonts().map_err(|e| Failure::Usage(format!("{e}（{}）", e.code())))?;
    let core = runtime::build_core(&cfg, &url).await?;
    prepare(&core, args.demo).await?;
    let listener =
        tokio::net::TcpListener::bind(addr).await.map_err(|e| Failure::Usage(format!("无法监听 {addr}:{e}")))?;
    // Registered now, not when the server first polls it: from here on the
    // port accepts connections, and a SIGTERM that came before the server
    // ran would otherwise kill the process instead of stopping it.
    let stop_signal = shutdown_signal();
    let (stop_tx, stop_rx) = watch::channel(false);
    let snapshots = cfg.indexes.snapshot_dir().map(Path::to_owned);
    let (search, checks, snapshot_size) = build_indexes(&cfg, &core).await?;
    // The jobs start once the indexes are built: the evaluation runs at
    // start and reads every subject's records, and on two cores it slowed
    // the index build (and so readiness) by seconds at a million subjects.
    let jobs = tokio::spawn(jobs(&cfg, &core).run(stop_rx.clone()));
    let site = SiteSettings {
        site_name: cfg.site.name.clone(),
        footer: cfg.site.footer.clone(),
        furniture: xinyong_server::SiteFurniture {
            organizer: cfg.site.organizer.clone(),
            contact: cfg.site.contact.clone(),
            website_code: cfg.site.website_code.clone(),
            icp: cfg.site.icp.clone(),
            police_record: cfg.site.police_record.clone(),
        },
        cookie_secure: cfg.auth.cookie_secure,
        public_url: cfg.site.public_url.trim_end_matches('/').to_owned(),
        trusted_logs: cfg.reports.trusted_logs.clone(),
        trusted_witnesses: cfg.reports.trusted_witnesses.clone(),
        witness_quorum: cfg.reports.witness_quorum,
    };
    let portal = cfg.portal.settings().map_err(Failure::Usage)?;
    let state = AppState::new(core.clone(), site)
        .with_search(Arc::clone(&search))
        .with_checks(Arc::clone(&checks))
        .with_portal(portal)
        .with_parallel_file_reads(cfg.server.parallel_file_reads)
        .with_documents(documents, cfg.documents.parallel_renders)
        .with_pdf_render_wait(std::time::Duration::from_secs(cfg.documents.render_wait_seconds))
        .with_login_throttle(cfg.auth.login_throttle().map_err(Failure::Usage)?);
    let metrics = metrics_listener(&cfg, &state, stop_rx.clone()).await?;
    let receipts = Arc::clone(&state.receipts);
    let keeper = snapshots.clone().map(|dir| {
        let interval = Duration::from_secs(cfg.indexes.snapshot_interval_secs);
        keep_snapshots(&core, Arc::clone(&search), dir, interval, snapshot_size, stop_rx.clone())
    });
    let follower = follow(&core, &state, Arc::clone(&search), checks, stop_rx);
    // With `--listen 127.0.0.1:0` the system picks the port: print the real one.
    let addr = listener.local_addr().unwrap_or(addr);
    tracing::info!(%addr, database = %xinyong_storage::postgres::redact(&url), "serving");
    eprintln!("xinyong: serving http://{addr}/");
    let shutdown = async move {
        stop_signal.await;
        let _ = stop_tx.send(true);
    };
    xinyong_server::serve(listener, state, shutdown)
        .await
        .map_err(|e| Failure::Other(anyhow::Error::new(e).context("serving HTTP")))?;
    // Receipts answered before the stop reach the log before we exit.
    receipts.shutdown().await;
    finish_jobs(jobs, Duration::from_secs(cfg.server.stop_grace_secs)).await;
    let _ = follower.await;
    // The next start loads what this process applied last.
    if let (Some(dir), Some(keeper)) = (snapshots, keeper) {
        let saved = keeper.await.ok().flatten();
        if saved != Some(search.applied()) {
            save_snapshot(&core, &search, &dir).await;
        }
    }
    if let Some(metrics) = metrics {
        let _ = metrics.await;
    }
    Ok(())
}

/// The scraper's `/metrics` on `[server] metrics_listen`, until `stop`. An
/// address that cannot be bound (another server on this host has it) costs
/// the metrics, not the service: it is logged and serving goes on.
async fn metrics_listener(
    cfg: &Config,
    state: &AppState,
    mut stop: watch::Receiver<bool>,
) -> Result<Option<tokio::task::JoinHandle<()>>, Failure> {
    let listen = cfg.server.metrics_listen.trim();
    if listen.is_empty() {
        return Ok(None);
    }
    let addr: std::net::SocketAddr =
        listen.parse().map_err(|_| Failure::Usage(format!("[server] metrics_listen {listen:?} 不是 IP:端口")))?;
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => listener,
        Err(e) => {
            tracing::warn!(%addr, error = %e, "metrics address unavailable: /metrics only on the main address");
            return Ok(None);
        }
    };
    tracing::info!(%addr, "serving /metrics for the scraper");
    let state = state.clone();
    Ok(Some(tokio::spawn(async move {
        let stopped = async move {
            let _ = stop.wait_for(|stop| *stop).await;
        };
        if let Err(e) = xinyong_server::serve_metrics(listener, state, stopped).await {
            tracing::warn!(error = %e, "the metrics listener stopped");
        }
    })))
}

/// Before serving: the demo city (into an empty database, with `--demo`), the
/// rule files' new versions, the departments file, the demo accounts, and a
/// first checkpoint.
async fn prepare(core: &xinyong_core::Core, demo: bool) -> CmdResult {
    // The demo city goes first into an empty database (it registers the
    // shipped departments after its subjects, as `xinyong demo` does);
    // registering them first would make the log non-empty and skip the demo.
    if demo && core.store().log_size().await.map_err(|e| Failure::Other(e.into()))? == 0 {
        tracing::info!(subjects = DEMO_SUBJECTS, "empty database: creating the demo city");
        demo_cmd::create_city(core, DEMO_SUBJECTS, DEMO_SEED, true).await?;
    }
    // The rule files' versions the log lacks come into force now (as the
    // demo city does for itself); then the departments file is applied.
    let published = xinyong_core::rules::publish_rules(core).await.map_err(departments_cmd::core_failure)?;
    if published > 0 {
        tracing::info!(published, "published the rule files' new versions");
    }
    departments_cmd::seed_shipped(core).await?;
    log_rules_in_force(core);
    if demo {
        demo_cmd::create_demo_users(core).await?;
        demo_cmd::print_demo_accounts(core).await;
    }
    // A checkpoint exists from the first request on.
    core.checkpoint().await.map_err(|e| Failure::Other(e.into()))?;
    Ok(())
}

/// Background jobs: checkpoint publishing, listing expiry, overdue
/// campaign subjects and overdue deferred materials of commitments (all
/// also at start), evaluation, subscriptions and
/// webhook delivery. Each due run is claimed in the database, so several
/// processes over one database run it once between them.
fn jobs(cfg: &Config, core: &xinyong_core::Core) -> JobRunner {
    let mut jobs = JobRunner::new(core.clone(), job_owner())
        .with_job(CheckpointPublisher::every(Duration::from_millis(cfg.log.checkpoint_interval_ms)))
        .with_job(ListingExpiry::every(Duration::from_secs(cfg.listing.expire_interval_secs)))
        .with_job(xinyong_core::evaluation::EvaluationJob::every(Duration::from_secs(cfg.evaluation.interval_secs)))
        .with_job(xinyong_core::subscriptions::SubscriptionsJob::every(
            Duration::from_millis(cfg.subscriptions.interval_ms),
            WebhookClient::new(Duration::from_secs(10), core.settings().webhooks.clone()),
        ))
        .with_job(xinyong_core::inspections::draw::InspectionDraws::every(Duration::from_millis(
            cfg.inspections.interval_ms,
        )))
        .with_job(xinyong_core::campaigns::CampaignsJob::every(Duration::from_secs(cfg.campaigns.interval_secs)))
        .with_job(xinyong_core::commitments::CommitmentsJob::every(Duration::from_secs(cfg.commitments.interval_secs)))
        .with_job(xinyong_core::reports::status_map::StatusMapJob {
            interval: Duration::from_secs(cfg.reports.status_map_interval_secs),
        })
        .with_job(xinyong_core::checks::retention::ReceiptRetention {
            interval: Duration::from_secs(cfg.checks.retention_interval_secs),
            retention_days: cfg.checks.receipt_retention_days,
        })
        .with_job(WebhookDelivery::every(
            Duration::from_millis(cfg.feeds.webhook_interval_ms),
            WebhookClient::new(Duration::from_secs(10), core.settings().webhooks.clone()),
        ));
    // `Config::validate` has checked the witnesses' keys.
    let witnesses = cfg.witness.targets().unwrap_or_default();
    if !witnesses.is_empty() {
        let client = std::sync::Arc::new(WebhookClient::new(Duration::from_secs(10), core.settings().webhooks.clone()));
        let witnesses = witnesses
            .into_iter()
            .map(|(key, url)| (key, xinyong_core::log::witness::HttpWitness { url, client: client.clone() }))
            .collect();
        jobs = jobs.with_job(xinyong_core::log::witness::WitnessSubmission {
            interval: Duration::from_secs(cfg.witness.submit_interval_secs),
            witnesses,
        });
    }
    if !cfg.backup.dir.as_os_str().is_empty() {
        if core.store().backend() == xinyong_storage::Backend::Sqlite {
            jobs = jobs.with_job(ScheduledBackup::every(
                Duration::from_secs(cfg.backup.interval_hours * 3600),
                cfg.backup.dir.clone(),
                cfg.backup.keep,
            ));
        } else {
            tracing::warn!("backup.dir is set, but PostgreSQL is backed up with pg_dump (docs/OPERATIONS.md)");
        }
    }
    // The owner is what `xinyong jobs list` shows for this process.
    tracing::info!(owner = jobs.owner(), jobs = ?jobs.names(), "starting background jobs");
    jobs
}

/// The in-memory indexes, and the log size of the snapshot they came from
/// (none when they were rebuilt from the tables). A usable snapshot of the
/// search index ([`load_indexes`]) saves reading `subjects`; otherwise they
/// are rebuilt from the projections: the search index from the subjects
/// table, the check index from it and the listing projections.
/// The follower then tails the log from there (also entries appended by other
/// processes), so a change is searchable and checked within one poll. The
/// subjects table is read once for both; then the two are built at once on
/// their own tasks, so start-up waits for the longer, not for the sum.
async fn build_indexes(
    cfg: &Config,
    core: &xinyong_core::Core,
) -> Result<(Arc<SearchIndex>, Arc<CheckIndex>, Option<u64>), Failure> {
    if let Some(dir) = cfg.indexes.snapshot_dir()
        && let Some((search, checks, size)) = load_indexes(core, dir, cfg.indexes.snapshot_max_lag).await?
    {
        return Ok((search, checks, Some(size)));
    }
    let (search, checks) = rebuild_indexes(core).await?;
    Ok((search, checks, None))
}

/// The search index from its snapshot in `dir` and the check index from it
/// and the listing projections, both caught up with the log before the
/// server answers, and the log size the snapshot reflects (a snapshot that
/// lagged is written again); `None` (logged) when there is no usable snapshot or it
/// lags the log by more than `max_lag` entries or a quarter of its
/// organisations (if that is more than 10,000), which a rebuild reads
/// faster than the follower replays them.
async fn load_indexes(
    core: &xinyong_core::Core,
    dir: &Path,
    max_lag: u64,
) -> Result<Option<(Arc<SearchIndex>, Arc<CheckIndex>, u64)>, Failure> {
    let started = std::time::Instant::now();
    let failed =
        |what: &'static str| move |e: xinyong_core::CoreError| Failure::Other(anyhow::Error::new(e).context(what));
    let search = match snapshot::load(core, dir).await.map_err(failed("reading the search index snapshot"))? {
        Loaded::Index(search) => search,
        Loaded::Missing => {
            tracing::info!(dir = %dir.display(), "no search index snapshot yet: building the indexes from the tables");
            return Ok(None);
        }
        Loaded::Unusable(why) => {
            tracing::warn!(dir = %dir.display(), %why, "search index snapshot not used: building the indexes from the tables");
            return Ok(None);
        }
    };
    let size = search.applied();
    let log_size = core.store().log_size().await.map_err(|e| Failure::Other(anyhow::Error::new(e)))?;
    // Measured at a million organisations: the follower replays about 75,000
    // entries a second, a rebuild takes about 3.5 µs per organisation; so
    // replaying more entries than a quarter of the organisations is slower.
    // Below 10,000 entries (0.13 s) either is quick.
    let max_lag = max_lag.min((search.len() as u64 / 4).max(10_000));
    if log_size.saturating_sub(size) > max_lag {
        tracing::info!(
            snapshot = size,
            log_size,
            max_lag,
            "the search index snapshot lags the log further than a rebuild takes: building the indexes from the tables"
        );
        return Ok(None);
    }
    let seconds = started.elapsed().as_secs_f64();
    tracing::info!(subjects = search.len(), log_size = size, seconds, "search index loaded from its snapshot");
    let checks =
        CheckIndex::rebuild_from_search(core, &search, size).await.map_err(failed("building the check index"))?;
    Follower::starting_at(size)
        .poll(core, &[&search, &checks])
        .await
        .map_err(failed("applying the log after the snapshot"))?;
    let seconds = started.elapsed().as_secs_f64();
    tracing::info!(stats = ?checks.stats(), log_size = checks.applied(), seconds, "check index built, both caught up");
    Ok(Some((Arc::new(search), Arc::new(checks), size)))
}

/// Writes the search index's snapshot after a rebuild (`saved` is `None`),
/// then every `interval` when the index has applied more of the log; ends
/// at `stop` with the log size last saved.
fn keep_snapshots(
    core: &xinyong_core::Core,
    search: Arc<SearchIndex>,
    dir: PathBuf,
    interval: Duration,
    mut saved: Option<u64>,
    mut stop: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<Option<u64>> {
    let core = core.clone();
    tokio::spawn(async move {
        loop {
            if saved != Some(search.applied()) {
                saved = save_snapshot(&core, &search, &dir).await.or(saved);
            }
            tokio::select! {
                _ = tokio::time::sleep(interval) => {}
                _ = stop.wait_for(|stop| *stop) => return saved,
            }
        }
    })
}

/// One snapshot, logged; the log size saved, if it was.
async fn save_snapshot(core: &xinyong_core::Core, search: &Arc<SearchIndex>, dir: &Path) -> Option<u64> {
    let started = std::time::Instant::now();
    match snapshot::save(core, search, dir).await {
        Ok(saved) => {
            let seconds = started.elapsed().as_secs_f64();
            tracing::info!(path = %saved.path.display(), log_size = saved.log_size, bytes = saved.bytes, seconds, "search index snapshot written");
            Some(saved.log_size)
        }
        Err(e) => {
            // A cache: the next start rebuilds instead.
            tracing::warn!(dir = %dir.display(), error = %e, "search index snapshot not written");
            None
        }
    }
}

/// Both indexes from the tables.
async fn rebuild_indexes(core: &xinyong_core::Core) -> Result<(Arc<SearchIndex>, Arc<CheckIndex>), Failure> {
    let started = std::time::Instant::now();
    let size = core.store().log_size().await.map_err(|e| Failure::Other(anyhow::Error::new(e)))?;
    let subjects = Arc::new(
        xinyong_core::portal::search::read_subjects(core)
            .await
            .map_err(|e| Failure::Other(anyhow::Error::new(e).context("reading subjects")))?,
    );
    tracing::info!(subjects = subjects.len(), seconds = started.elapsed().as_secs_f64(), "subjects read");
    let search = tokio::task::spawn_blocking({
        let subjects = Arc::clone(&subjects);
        move || {
            let search = SearchIndex::from_subjects(&subjects, size);
            let seconds = started.elapsed().as_secs_f64();
            tracing::info!(subjects = search.len(), log_size = search.applied(), seconds, "search index built");
            Ok::<_, xinyong_core::CoreError>(search)
        }
    });
    let checks = tokio::spawn({
        let core = core.clone();
        let subjects = Arc::clone(&subjects);
        async move {
            let checks = CheckIndex::rebuild_with(&core, &subjects, size).await?;
            let seconds = started.elapsed().as_secs_f64();
            tracing::info!(stats = ?checks.stats(), log_size = checks.applied(), seconds, "check index built");
            Ok::<_, xinyong_core::CoreError>(checks)
        }
    });
    let joined =
        |what: &'static str| move |e: tokio::task::JoinError| Failure::Other(anyhow::Error::new(e).context(what));
    let failed =
        |what: &'static str| move |e: xinyong_core::CoreError| Failure::Other(anyhow::Error::new(e).context(what));
    let search =
        search.await.map_err(joined("building the search index"))?.map_err(failed("building the search index"))?;
    let checks =
        checks.await.map_err(joined("building the check index"))?.map_err(failed("building the check index"))?;
    Ok((Arc::new(search), Arc::new(checks)))
}

/// One follower for every in-memory view (department names included), and
/// for the rules: a version published by `xinyong rules publish` or another
/// server swaps the rules every handler and job of this process judges by.
/// It starts from the oldest of them; each skips what it already reflects.
fn follow(
    core: &xinyong_core::Core,
    state: &AppState,
    search: Arc<SearchIndex>,
    checks: Arc<CheckIndex>,
    stop: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    let core = core.clone();
    let tokens = state.token_cache();
    let rules = RulesFollower::new(core.clone());
    tokio::spawn(async move {
        let from = search.applied().min(checks.applied()).min(rules.applied());
        let names = core.department_names_cache();
        let subscribers: Vec<Box<dyn LogSubscriber>> =
            vec![Box::new(rules), Box::new(search), Box::new(checks), Box::new(tokens), Box::new(names)];
        Follower::starting_at(from).run(core, subscribers, Duration::from_millis(200), stop).await;
    })
}

/// One line naming the version of each rule set in force today.
fn log_rules_in_force(core: &xinyong_core::Core) {
    let rules = core.rules();
    let versions: Vec<String> = rules.versions_in_force.iter().map(|(name, v)| format!("{name}={v}")).collect();
    let scheduled = core.rule_book().changes_after(xinyong_core::clock::china_date(core.now()));
    tracing::info!(versions = %versions.join(" "), ?scheduled, "rules in force");
}

/// Names this process in the `job_runs` table: host and process id for
/// people, and random bytes because containers on two hosts may have the
/// same host name and process id. Without OS randomness the tag stays zero
/// and host and process id still tell most processes apart.
fn job_owner() -> String {
    use rand::TryRng as _;
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_owned());
    let mut tag = [0u8; 4];
    let _ = rand::rngs::SysRng.try_fill_bytes(&mut tag);
    format!("{host}/{}/{}", std::process::id(), hex::encode(tag))
}

/// Waits up to `grace` for the jobs running at the stop. One still running
/// then is left to be dropped with the runtime, as a crash would leave it:
/// what it appended is whole (every append is one transaction), its claim
/// lapses within [`xinyong_core::jobs::LEASE`] and the next start runs it
/// again.
async fn finish_jobs(jobs: tokio::task::JoinHandle<()>, grace: Duration) {
    if tokio::time::timeout(grace, jobs).await.is_err() {
        tracing::warn!(
            grace_secs = grace.as_secs(),
            "a job was still running at the stop and is left; it runs again at the next start"
        );
    }
}

/// Registers SIGTERM and SIGINT (Ctrl-C) at once and returns what waits for
/// either; a signal that arrives before it is awaited is kept, not lost.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let mut signals = {
        use tokio::signal::unix::{SignalKind, signal};
        [signal(SignalKind::terminate()).ok(), signal(SignalKind::interrupt()).ok()]
    };
    async move {
        #[cfg(unix)]
        {
            let [term, interrupt] = &mut signals;
            tokio::select! {
                _ = received(term) => {}
                _ = received(interrupt) => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
        tracing::info!("shutting down");
    }
}

/// Waits for `signal`; forever when it could not be registered.
#[cfg(unix)]
async fn received(signal: &mut Option<tokio::signal::unix::Signal>) {
    match signal {
        Some(signal) => {
            signal.recv().await;
        }
        None => std::future::pending::<()>().await,
    }
}

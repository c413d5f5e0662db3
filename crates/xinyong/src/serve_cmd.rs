//! `xinyong serve`

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use xinyong_core::checks::index::CheckIndex;
use xinyong_core::closed_loop::webhooks::{self, WebhookClient};
use xinyong_core::log::follower::{Follower, LogSubscriber};
use xinyong_core::portal::search::SearchIndex;
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
    let core = runtime::build_core(&cfg, &url).await?;
    // The demo city goes first into an empty database (it registers the
    // shipped departments after its subjects, as `xinyong demo` does);
    // registering them first would make the log non-empty and skip the demo.
    if args.demo && core.store().log_size().await.map_err(|e| Failure::Other(e.into()))? == 0 {
        tracing::info!(subjects = DEMO_SUBJECTS, "empty database: creating the demo city");
        demo_cmd::create_city(&core, DEMO_SUBJECTS, DEMO_SEED, true).await?;
    }
    departments_cmd::seed_shipped(&core).await?;
    if args.demo {
        demo_cmd::create_demo_users(&core).await?;
        demo_cmd::print_demo_accounts();
    }
    // A checkpoint exists from the first request on.
    core.checkpoint().await.map_err(|e| Failure::Other(e.into()))?;

    let listener =
        tokio::net::TcpListener::bind(addr).await.map_err(|e| Failure::Usage(format!("无法监听 {addr}:{e}")))?;
    let (stop_tx, stop_rx) = watch::channel(false);

    // The publisher: sign a checkpoint when the log grew, at most once per interval.
    let interval = Duration::from_millis(cfg.log.checkpoint_interval_ms);
    let publisher = {
        let core = core.clone();
        let mut stop = stop_rx.clone();
        tokio::spawn(async move {
            loop {
                if let Err(e) = core.sign_checkpoint_if_grown().await {
                    tracing::warn!(error = %e, "checkpoint signing failed");
                }
                tokio::select! {
                    _ = tokio::time::sleep(interval) => {}
                    _ = stop.changed() => break,
                }
            }
        })
    };
    // The expiry job: listings past their validity leave their list at start
    // and then every `listing.expire_interval_secs`.
    let expirer = {
        let core = core.clone();
        let mut stop = stop_rx.clone();
        let interval = Duration::from_secs(cfg.listing.expire_interval_secs);
        tokio::spawn(async move {
            loop {
                if let Err(e) = xinyong_core::lists::listing::expire_due(&core).await {
                    tracing::warn!(error = %e, "expiring listings failed");
                }
                tokio::select! {
                    _ = tokio::time::sleep(interval) => {}
                    _ = stop.changed() => break,
                }
            }
        })
    };
    // Webhook delivery: each round POSTs new feed items to every department
    // whose webhook is set; failures back off per department in memory.
    let webhook_interval = Duration::from_millis(cfg.feeds.webhook_interval_ms);
    let deliverer = {
        let core = core.clone();
        let mut stop = stop_rx.clone();
        tokio::spawn(async move {
            let client = WebhookClient::default();
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(webhook_interval) => {}
                    _ = stop.changed() => break,
                }
                if let Err(e) = webhooks::deliver_webhooks(&core, &client, core.now()).await {
                    tracing::warn!(error = %e, "webhook delivery round failed");
                }
            }
        })
    };
    // The search index starts from the subjects table; the follower then
    // tails the log from there (also entries appended by other processes),
    // so a new subject is searchable within one poll interval.
    let started = std::time::Instant::now();
    let search = Arc::new(
        SearchIndex::rebuild(&core)
            .await
            .map_err(|e| Failure::Other(anyhow::Error::new(e).context("building the search index")))?,
    );
    tracing::info!(
        subjects = search.len(),
        log_size = search.applied(),
        seconds = started.elapsed().as_secs_f64(),
        "search index built"
    );
    // The check index the same way, from the listing projections.
    let started = std::time::Instant::now();
    let checks = Arc::new(
        CheckIndex::rebuild(&core)
            .await
            .map_err(|e| Failure::Other(anyhow::Error::new(e).context("building the check index")))?,
    );
    tracing::info!(
        stats = ?checks.stats(),
        log_size = checks.applied(),
        seconds = started.elapsed().as_secs_f64(),
        "check index built"
    );

    let site = SiteSettings {
        site_name: cfg.site.name.clone(),
        footer: cfg.site.footer.clone(),
        cookie_secure: cfg.auth.cookie_secure,
    };
    let portal = cfg.portal.settings().map_err(Failure::Usage)?;
    let state = AppState::new(core.clone(), site)
        .with_search(Arc::clone(&search))
        .with_checks(Arc::clone(&checks))
        .with_portal(portal);
    let receipts = Arc::clone(&state.receipts);

    // One follower for every in-memory view. It starts from the older of the
    // two rebuilds; each index skips what it already reflects.
    let follower = {
        let core = core.clone();
        let stop = stop_rx.clone();
        let tokens = state.token_cache();
        tokio::spawn(async move {
            let from = search.applied().min(checks.applied());
            let subscribers: Vec<Box<dyn LogSubscriber>> = vec![Box::new(search), Box::new(checks), Box::new(tokens)];
            Follower::starting_at(from).run(core, subscribers, Duration::from_millis(200), stop).await;
        })
    };
    // With `--listen 127.0.0.1:0` the system picks the port: print the real one.
    let addr = listener.local_addr().unwrap_or(addr);
    tracing::info!(%addr, database = %xinyong_storage::postgres::redact(&url), "serving");
    eprintln!("xinyong: serving http://{addr}/");
    let shutdown = async move {
        shutdown_signal().await;
        let _ = stop_tx.send(true);
    };
    xinyong_server::serve(listener, state, shutdown)
        .await
        .map_err(|e| Failure::Other(anyhow::Error::new(e).context("serving HTTP")))?;
    // Receipts answered before the stop reach the log before we exit.
    receipts.shutdown().await;
    let _ = publisher.await;
    let _ = expirer.await;
    let _ = follower.await;
    let _ = deliverer.await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
    tracing::info!("shutting down");
}

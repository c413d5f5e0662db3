//! Process plumbing shared by the subcommands: tracing, the tokio runtime,
//! opening the store and building `Core` from configuration.

use std::future::Future;
use std::sync::Arc;

use xinyong_core::auth::AuthSettings;
use xinyong_core::{Core, CoreSettings, LogKeys, SystemClock};
use xinyong_storage::{StorageError, Store};

use crate::config::Config;
use crate::{CmdResult, Failure};

pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("XINYONG_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    // Logs go to stderr so stdout stays clean for JSON output.
    // `XINYONG_LOG_FORMAT=json`: one JSON object per line, for a log shipper.
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = if std::env::var("XINYONG_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json")) {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.try_init()
    };
}

pub fn block_on(fut: impl Future<Output = CmdResult>) -> CmdResult {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Other(anyhow::anyhow!("cannot start the async runtime: {e}")))?;
    rt.block_on(fut)
}

/// Opens and migrates the database. A bad URL or a newer schema is a usage
/// error (exit 2) with one clear line.
pub async fn open_store(url: &str) -> Result<Arc<dyn Store>, Failure> {
    open_tuned(url, xinyong_storage::SqliteTuning::default()).await
}

/// [`open_store`] with the configuration's SQLite pool and cache.
pub async fn open_configured_store(cfg: &Config, url: &str) -> Result<Arc<dyn Store>, Failure> {
    open_tuned(url, cfg.database.sqlite_tuning()).await
}

async fn open_tuned(url: &str, tuning: xinyong_storage::SqliteTuning) -> Result<Arc<dyn Store>, Failure> {
    match xinyong_storage::open_tuned(url, tuning).await {
        Ok(store) => Ok(store),
        Err(e @ (StorageError::InvalidUrl { .. } | StorageError::NewerSchema { .. })) => {
            Err(Failure::Usage(e.to_string()))
        }
        Err(StorageError::Database(e)) => {
            Err(Failure::Usage(format!("无法打开数据库 {}:{e}", xinyong_storage::postgres::redact(url))))
        }
        Err(e) => Err(Failure::Other(anyhow::Error::new(e).context("opening the database"))),
    }
}

/// Whether a missing key file may be created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyUse {
    /// Create the key file when it is missing and the log is empty (the
    /// first start of a deployment, `serve --demo` or `demo` on a new
    /// database). A log that holds anything never gets a new key.
    CreateForEmptyLog,
    /// Never create one (`verify`, `log rotate-key`).
    MustExist,
}

/// Where the key comes from, for messages.
pub fn key_source(cfg: &Config) -> String {
    match &cfg.log.private_key {
        Some(_) => "配置项 log.private_key".to_owned(),
        None => format!("密钥文件 {}", cfg.log.key_file.display()),
    }
}

/// Reads the log signing key from configuration or the key file. The file is
/// created from fresh OS randomness only when `key_use` allows and the log in
/// `store` is empty (no entry, no checkpoint): a new key for a log that holds
/// anything would silently start a second signer (`log_key_missing`).
pub async fn load_keys(cfg: &Config, store: &dyn Store, key_use: KeyUse) -> Result<LogKeys, Failure> {
    let usage = |e: xinyong_core::CoreError| Failure::Usage(e.to_string());
    if let Some(text) = &cfg.log.private_key {
        return LogKeys::parse(&cfg.log.origin, text).map_err(usage);
    }
    let path = &cfg.log.key_file;
    if let Some(keys) = LogKeys::load(path, &cfg.log.origin).map_err(usage)? {
        return Ok(keys);
    }
    let size = store.log_size().await.map_err(storage_failure)?;
    let signed = store.latest_checkpoint().await.map_err(storage_failure)?.is_some();
    if size > 0 || signed {
        return Err(Failure::Usage(format!(
            "log_key_missing：找不到签名密钥文件 {}，而数据库中已有日志（{size} 个条目）。\
             已有日志绝不新建密钥：请从备份恢复该文件，或在配置 log.key_file 中指向它",
            path.display()
        )));
    }
    if key_use == KeyUse::MustExist {
        return Err(Failure::Usage(format!(
            "log_key_missing：找不到签名密钥文件 {}（此命令不会新建密钥）",
            path.display()
        )));
    }
    LogKeys::create(path, &cfg.log.origin, fresh_seed()).map_err(usage)
}

fn storage_failure(e: StorageError) -> Failure {
    Failure::Other(anyhow::Error::new(e).context("reading the log"))
}

/// A fresh seed from the operating system (a new log key).
pub fn fresh_seed() -> [u8; 32] {
    let mut seed = [0u8; 32];
    rand_seed(&mut seed);
    seed
}

/// The one place the binary takes randomness from the operating system: the
/// log key. Everything reproducible (demo city, draws) takes explicit seeds.
fn rand_seed(buf: &mut [u8; 32]) {
    use rand::TryRng as _;
    if rand::rngs::SysRng.try_fill_bytes(buf).is_err() {
        // Without OS randomness no safe key can exist; fall back to hashing
        // time and process data would be guessable, so stop instead.
        eprintln!("xinyong: the operating system refused to provide randomness for the log key");
        std::process::exit(1);
    }
}

pub async fn build_core(cfg: &Config, url: &str) -> Result<Core, Failure> {
    build_core_with(cfg, url, KeyUse::CreateForEmptyLog).await
}

/// The core over `url`, refusing (`log_key_mismatch`) a key that is not the
/// one the log is signed with: nothing is appended or signed with it.
pub async fn build_core_with(cfg: &Config, url: &str, key_use: KeyUse) -> Result<Core, Failure> {
    // The key is loaded after the store: whether one may be created, and
    // whether it is the right one, depends on the log.
    let store = open_configured_store(cfg, url).await?;
    let keys = load_keys(cfg, store.as_ref(), key_use).await?;
    let core = Core::new(store, Arc::new(SystemClock), keys, core_settings(cfg)?);
    core.check_signing_key().await.map_err(|e| key_failure(cfg, e))?;
    // Every command judges by the rule versions in force in this database.
    crate::rules_cmd::with_published_rules(core, cfg).await
}

/// The settings the use cases need, from configuration.
pub fn core_settings(cfg: &Config) -> Result<CoreSettings, Failure> {
    let auth = AuthSettings { session_ttl: chrono::Duration::hours(i64::from(cfg.auth.session_hours)) };
    let webhooks = cfg.feeds.webhook_targets().map_err(Failure::Usage)?;
    Ok(CoreSettings {
        mask: cfg.mask.clone(),
        auth,
        webhooks,
        intake: cfg.intake.limits(),
        redress: cfg.redress.settings(),
        // `Config::validate` has checked the schemes.
        evaluation: cfg.evaluation.settings().unwrap_or_default(),
        subscriptions: xinyong_core::subscriptions::SubscriptionSettings {
            max_watchlist: cfg.subscriptions.max_watchlist,
        },
        inspections: cfg.inspections.settings(),
        campaigns: xinyong_core::campaigns::CampaignSettings { max_subjects: cfg.campaigns.max_subjects },
        commitments: xinyong_core::commitments::CommitmentSettings {
            serious_records_bar: cfg.commitments.serious_records_bar,
            max_scheme_members: cfg.commitments.max_scheme_members,
            remind_working_days: cfg.commitments.remind_working_days,
        },
        registrations: cfg.registrations.settings().map_err(Failure::Usage)?,
        write_v1_entries: cfg.log.write_v1_entries,
        witness: cfg.witness.settings().map_err(Failure::Usage)?,
        agencies: xinyong_core::agencies::AgencySettings { max_consent_days: cfg.agencies.max_consent_days },
    })
}

/// A refused key is a usage error naming the code and where the key came
/// from; anything else (the database) a failure with its chain.
pub fn key_failure(cfg: &Config, e: xinyong_core::CoreError) -> Failure {
    match e {
        xinyong_core::CoreError::LogKey { code, message } => {
            Failure::Usage(format!("{code}：{}：{message}", key_source(cfg)))
        }
        other => Failure::Other(anyhow::Error::new(other).context("checking the log signing key")),
    }
}

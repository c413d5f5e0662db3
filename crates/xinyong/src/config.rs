//! Configuration: defaults (config/default.toml, compiled in) → a TOML file →
//! `XINYONG_*` environment variables. Loaded once here and passed down as a
//! value; nothing reads configuration globally.

use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Toml};
use serde::Deserialize;
use xinyong_domain::mask::MaskConfig;

pub const DEFAULT_TOML: &str = include_str!("../../../config/default.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub database: DatabaseConfig,
    pub server: ServerConfig,
    pub log: LogConfig,
    pub rules: RulesConfig,
    /// Before rules were loaded at run time, `calendar import` wrote files
    /// here that nothing else read. Still accepted so an old `xinyong.toml`
    /// loads; a warning says to publish such files instead.
    #[serde(default)]
    pub calendar: Option<CalendarConfig>,
    pub site: SiteConfig,
    pub portal: PortalConfig,
    pub mask: MaskConfig,
    pub auth: AuthConfig,
    pub listing: ListingConfig,
    pub feeds: FeedsConfig,
    pub intake: IntakeConfig,
    pub redress: RedressConfig,
    pub evaluation: EvaluationConfig,
    pub subscriptions: SubscriptionsConfig,
    pub inspections: InspectionsConfig,
    pub campaigns: CampaignsConfig,
    pub commitments: CommitmentsConfig,
    pub registrations: RegistrationsConfig,
    pub documents: DocumentsConfig,
    pub backup: BackupConfig,
    #[serde(default)]
    pub reports: ReportsConfig,
    #[serde(default)]
    pub witness: WitnessConfig,
    #[serde(default)]
    pub agencies: AgenciesConfig,
    #[serde(default)]
    pub checks: ChecksConfig,
    #[serde(default)]
    pub indexes: IndexesConfig,
}

/// The in-memory indexes' snapshot file (search index), so that a restart
/// loads it instead of rebuilding from `subjects`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexesConfig {
    /// Directory of the snapshot file; empty: no snapshots, every start
    /// rebuilds the indexes from the tables.
    #[serde(default = "default_snapshot_dir")]
    pub snapshot_dir: PathBuf,
    /// Seconds between two snapshots while serving (only when the log has
    /// grown); one more is written at shutdown.
    #[serde(default = "default_snapshot_interval")]
    pub snapshot_interval_secs: u64,
    /// Log entries a snapshot may lag the log and still be used (and at most
    /// a quarter of its organisations, if that is more than 10,000): they are applied before the server
    /// answers, and beyond that a rebuild from the tables is faster.
    #[serde(default = "default_snapshot_max_lag")]
    pub snapshot_max_lag: u64,
}

impl IndexesConfig {
    /// The configured directory, if any.
    pub fn snapshot_dir(&self) -> Option<&Path> {
        (!self.snapshot_dir.as_os_str().is_empty()).then_some(self.snapshot_dir.as_path())
    }
}

impl Default for IndexesConfig {
    fn default() -> IndexesConfig {
        IndexesConfig {
            snapshot_dir: default_snapshot_dir(),
            snapshot_interval_secs: default_snapshot_interval(),
            snapshot_max_lag: default_snapshot_max_lag(),
        }
    }
}

fn default_snapshot_dir() -> PathBuf {
    PathBuf::from("./data/indexes")
}

fn default_snapshot_interval() -> u64 {
    3600
}

fn default_snapshot_max_lag() -> u64 {
    200_000
}

/// Credit checks: how long `check_receipts` keeps a receipt.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecksConfig {
    /// China days a receipt stays in `check_receipts` (0: forever, else
    /// 30–3650). Older rows are pruned by the job `receipt_retention`; the
    /// log keeps their batches, so each is still proven.
    #[serde(default = "default_receipt_retention_days")]
    pub receipt_retention_days: u32,
    /// Seconds between two runs of the job `receipt_retention`.
    #[serde(default = "default_receipt_retention_interval")]
    pub retention_interval_secs: u64,
}

impl Default for ChecksConfig {
    fn default() -> ChecksConfig {
        ChecksConfig {
            receipt_retention_days: default_receipt_retention_days(),
            retention_interval_secs: default_receipt_retention_interval(),
        }
    }
}

/// Three years: the current and the two previous years' 应查必查 coverage.
fn default_receipt_retention_days() -> u32 {
    1_096
}

fn default_receipt_retention_interval() -> u64 {
    86_400
}

/// Credit service agencies (信用服务机构): how long a company's consent may run.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgenciesConfig {
    /// The longest consent a company may give an agency, in days from the
    /// day it is given (1–3650).
    #[serde(default = "default_max_consent_days")]
    pub max_consent_days: u32,
}

impl Default for AgenciesConfig {
    fn default() -> AgenciesConfig {
        AgenciesConfig { max_consent_days: default_max_consent_days() }
    }
}

fn default_max_consent_days() -> u32 {
    365
}

/// Witnessing between cities (docs/WITNESS.md).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WitnessConfig {
    /// Peer cities' log keys (C2SP verifier keys) whose checkpoints this
    /// platform cosigns at `POST /witness/add-checkpoint`.
    #[serde(default)]
    pub peers: Vec<String>,
    /// Witnesses this platform submits its own checkpoints to.
    #[serde(default)]
    pub submit_to: Vec<WitnessTarget>,
    /// Seconds between submissions (job `witness_submission`).
    #[serde(default = "default_submit_interval")]
    pub submit_interval_secs: u64,
}

fn default_submit_interval() -> u64 {
    300
}

/// One witness: its `add-checkpoint` URL and its cosignature key.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WitnessTarget {
    /// The full URL, `https://…/add-checkpoint`.
    pub url: String,
    /// Its C2SP cosignature verifier key (what its `xinyong log key --witness` prints).
    pub key: String,
}

impl WitnessConfig {
    pub fn settings(&self) -> Result<xinyong_core::log::witness::WitnessSettings, String> {
        let peers = self
            .peers
            .iter()
            .map(|k| {
                xinyong_tlog::NoteVerifier::parse(k)
                    .map_err(|e| format!("配置无效：witness.peers 中的公钥“{k}”无法解析：{e}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(xinyong_core::log::witness::WitnessSettings { peers })
    }

    /// The witnesses to submit to, keys parsed.
    pub fn targets(&self) -> Result<Vec<(xinyong_tlog::CosignatureVerifier, String)>, String> {
        self.submit_to
            .iter()
            .map(|t| {
                let key = xinyong_tlog::CosignatureVerifier::parse(&t.key)
                    .ok_or_else(|| format!("配置无效：witness.submit_to 中的见证者公钥“{}”无法解析", t.key))?;
                Ok((key, t.url.clone()))
            })
            .collect()
    }
}

/// Credit reports (docs/REPORTS.md).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportsConfig {
    /// Other cities' log keys (C2SP verifier keys) whose reports the portal's
    /// `/reports/verify` accepts besides this platform's own (异地互认).
    #[serde(default)]
    pub trusted_logs: Vec<String>,
    /// Witnesses' cosignature keys `/reports/verify` counts (docs/WITNESS.md).
    #[serde(default)]
    pub trusted_witnesses: Vec<String>,
    /// How many of `trusted_witnesses` must have cosigned a report's checkpoint.
    #[serde(default)]
    pub witness_quorum: usize,
    /// Seconds between two runs of the job `status_map`, which commits the
    /// status map when it changed (docs/REPORTS.md, "Status map").
    #[serde(default = "default_status_map_interval")]
    pub status_map_interval_secs: u64,
}

fn default_status_map_interval() -> u64 {
    3_600
}

impl Default for ReportsConfig {
    fn default() -> ReportsConfig {
        ReportsConfig {
            trusted_logs: Vec::new(),
            trusted_witnesses: Vec::new(),
            witness_quorum: 0,
            status_map_interval_secs: default_status_map_interval(),
        }
    }
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    pub url: String,
    /// SQLite: connections in the pool (appends have one more of their own).
    pub sqlite_connections: u32,
    /// SQLite: page cache of all connections together, MiB.
    pub sqlite_cache_mib: u32,
    /// SQLite: page size of a database file created by this process, bytes.
    pub sqlite_page_size: u32,
}

impl DatabaseConfig {
    pub fn sqlite_tuning(&self) -> xinyong_storage::SqliteTuning {
        xinyong_storage::SqliteTuning {
            connections: self.sqlite_connections,
            cache_mib: self.sqlite_cache_mib,
            page_size: self.sqlite_page_size,
        }
    }
}

impl std::fmt::Debug for DatabaseConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may carry a password.
        f.debug_struct("DatabaseConfig").field("url", &xinyong_storage::postgres::redact(&self.url)).finish()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    pub listen: String,
    /// Uploaded files read at once.
    pub parallel_file_reads: usize,
    /// Where `/metrics` is served without a session (empty: nowhere).
    pub metrics_listen: String,
    /// How long a running job may finish after a stop, in seconds.
    pub stop_grace_secs: u64,
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    pub origin: String,
    pub key_file: PathBuf,
    /// The key itself instead of a file (e.g. from a secret store via env).
    #[serde(default)]
    pub private_key: Option<String>,
    pub checkpoint_interval_ms: u64,
    /// Records in entry format v1 only (docs/LOG.md); off by default.
    #[serde(default)]
    pub write_v1_entries: bool,
}

impl std::fmt::Debug for LogConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogConfig")
            .field("origin", &self.origin)
            .field("key_file", &self.key_file)
            .field("private_key", &self.private_key.as_ref().map(|_| "<redacted>"))
            .field("checkpoint_interval_ms", &self.checkpoint_interval_ms)
            .field("write_v1_entries", &self.write_v1_entries)
            .finish()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesConfig {
    /// Directory of rule files (catalog.toml, publicity.toml, lists.toml,
    /// measures.toml, departments.toml, calendar/YYYY.toml); empty: the
    /// files compiled into the binary. A file the directory lacks is the
    /// compiled-in one.
    pub dir: PathBuf,
}

impl RulesConfig {
    /// The configured directory, if any.
    pub fn dir(&self) -> Option<&Path> {
        (!self.dir.as_os_str().is_empty()).then_some(self.dir.as_path())
    }
}

/// The retired `[calendar]` section (see [`Config::calendar`]).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarConfig {
    pub dir: PathBuf,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    pub name: String,
    pub footer: String,
    /// 承办单位, 联系我们 and the registration numbers in the footer.
    #[serde(default)]
    pub organizer: String,
    #[serde(default)]
    pub contact: String,
    #[serde(default)]
    pub website_code: String,
    #[serde(default)]
    pub icp: String,
    #[serde(default)]
    pub police_record: String,
    /// The site's public address, for links printed on paper (QR codes).
    #[serde(default)]
    pub public_url: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortalConfig {
    /// Public searches per client and minute (0 = no limit).
    pub rate_limit_per_minute: u32,
    pub rate_limit_burst: u32,
    /// Proxies whose `X-Forwarded-For` is believed (addresses or CIDR networks).
    pub trusted_proxies: Vec<String>,
    /// Most organisations a 双公示 list's name filter resolves to (1–1,000).
    #[serde(default = "default_name_filter_subjects")]
    pub name_filter_subjects: usize,
    /// Deepest numbered page of a 双公示 list (1–5,000).
    #[serde(default = "default_list_pages")]
    pub list_pages: u32,
}

fn default_name_filter_subjects() -> usize {
    xinyong_core::portal::DEFAULT_NAMED_SUBJECTS
}

fn default_list_pages() -> u32 {
    xinyong_core::portal::DEFAULT_LIST_PAGES
}

impl PortalConfig {
    pub fn settings(&self) -> Result<xinyong_server::PortalSettings, String> {
        let trusted_proxies = self
            .trusted_proxies
            .iter()
            .map(|p| p.parse().map_err(|e| format!("配置无效：portal.trusted_proxies：{e}")))
            .collect::<Result<_, String>>()?;
        Ok(xinyong_server::PortalSettings {
            requests_per_minute: self.rate_limit_per_minute,
            burst: self.rate_limit_burst,
            trusted_proxies,
            lists: xinyong_core::portal::ListBounds {
                named_subjects: self.name_filter_subjects,
                pages: self.list_pages,
            },
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// Lifetime of a console login, in hours.
    pub session_hours: u32,
    /// Send the session cookie with `Secure` (only over HTTPS).
    pub cookie_secure: bool,
    /// Failed logins without a wait, and the longest wait (seconds): one
    /// name from one client, one client, one name from anywhere.
    pub login_free_failures_per_name_and_client: u32,
    pub login_max_wait_secs_per_name_and_client: i64,
    pub login_free_failures_per_client: u32,
    pub login_max_wait_secs_per_client: i64,
    pub login_free_failures_per_name: u32,
    pub login_max_wait_secs_per_name: i64,
}

impl AuthConfig {
    pub fn login_throttle(&self) -> Result<xinyong_server::auth::LoginThrottleSettings, String> {
        use xinyong_server::auth::{LoginThrottleSettings, ThrottleRule};
        let rule = |free: u32, secs: i64, name: &str| {
            if secs <= 0 {
                return Err(format!("配置无效：auth.login_max_wait_secs_{name} 必须大于 0"));
            }
            Ok(ThrottleRule { free, cap: chrono::Duration::seconds(secs) })
        };
        Ok(LoginThrottleSettings {
            per_name_and_client: rule(
                self.login_free_failures_per_name_and_client,
                self.login_max_wait_secs_per_name_and_client,
                "per_name_and_client",
            )?,
            per_client: rule(self.login_free_failures_per_client, self.login_max_wait_secs_per_client, "per_client")?,
            per_name: rule(self.login_free_failures_per_name, self.login_max_wait_secs_per_name, "per_name")?,
            ..LoginThrottleSettings::default()
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListingConfig {
    /// Seconds between runs of the expiry job in `serve`.
    pub expire_interval_secs: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedsConfig {
    /// How often `serve` delivers departments' feeds to their webhooks (ms).
    pub webhook_interval_ms: u64,
    /// Accept `http://` webhook URLs (default: `https://` only).
    pub webhook_allow_http: bool,
    /// Internal networks webhooks may reach (default none).
    pub webhook_allowed_networks: Vec<String>,
}

impl FeedsConfig {
    pub fn webhook_targets(&self) -> Result<xinyong_core::closed_loop::webhooks::WebhookTargets, String> {
        let allowed_networks = self
            .webhook_allowed_networks
            .iter()
            .map(|n| n.parse().map_err(|e| format!("配置无效：feeds.webhook_allowed_networks：{e}")))
            .collect::<Result<_, String>>()?;
        Ok(xinyong_core::closed_loop::webhooks::WebhookTargets {
            allow_http: self.webhook_allow_http,
            allowed_networks,
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntakeConfig {
    /// A batch with a larger share (percent) of rejected rows is refused whole.
    pub max_rejected_percent: u8,
    /// Smaller batches are kept whatever their share of rejected rows.
    pub rejected_share_min_rows: usize,
    /// Rows per department and day through the API and uploads; 0: no quota.
    pub max_rows_per_department_per_day: u64,
    /// Rows one batch may carry (1–100,000): bounds how long one batch holds
    /// the log's single writer.
    pub max_rows_per_batch: usize,
}

impl IntakeConfig {
    pub fn limits(&self) -> xinyong_core::collection::intake::IntakeLimits {
        xinyong_core::collection::intake::IntakeLimits {
            max_rejected_percent: self.max_rejected_percent,
            rejected_share_min_rows: self.rejected_share_min_rows,
            max_rows_per_department_per_day: self.max_rows_per_department_per_day,
            max_rows_per_batch: self.max_rows_per_batch,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvaluationConfig {
    pub import_max_rows: usize,
    pub public_grade: bool,
    pub public_schemes: Vec<String>,
    pub interval_secs: u64,
}

impl EvaluationConfig {
    pub fn settings(&self) -> Result<xinyong_core::evaluation::EvaluationSettings, String> {
        let public_schemes = self
            .public_schemes
            .iter()
            .map(|s| {
                xinyong_domain::evaluation::ExternalScheme::parse(s).ok_or_else(|| {
                    format!("配置无效：evaluation.public_schemes 中的“{s}”不是外部评价类别（national、tax、samr_risk）")
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(xinyong_core::evaluation::EvaluationSettings {
            import_max_rows: self.import_max_rows,
            public_grade: self.public_grade,
            public_schemes,
            interval_secs: self.interval_secs,
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InspectionsConfig {
    pub max_pool: usize,
    pub seed_delay_minutes: u32,
    pub min_seed_delay_minutes: u32,
    pub publish_within_working_days: u32,
    pub rotation_months: u32,
    pub interval_ms: u64,
}

impl InspectionsConfig {
    pub fn settings(&self) -> xinyong_core::inspections::InspectionSettings {
        xinyong_core::inspections::InspectionSettings {
            max_pool: self.max_pool,
            min_seed_delay_minutes: self.min_seed_delay_minutes,
            seed_delay_minutes: self.seed_delay_minutes,
            publish_within_working_days: self.publish_within_working_days,
            rotation_months: self.rotation_months,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionsConfig {
    pub max_watchlist: usize,
    pub interval_ms: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CampaignsConfig {
    /// Organisations one rectification campaign may cover.
    pub max_subjects: usize,
    /// Seconds between runs of the `campaigns` job (overdue subjects).
    pub interval_secs: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitmentsConfig {
    /// A published serious record bars an applicant from 告知承诺.
    pub serious_records_bar: bool,
    /// Members one association's self-discipline scheme may name.
    pub max_scheme_members: usize,
    /// Working days ahead of a deferred material's deadline its applicant is
    /// reminded (0: never).
    pub remind_working_days: u32,
    /// Seconds between runs of the `commitments` job (reminders, overdue materials).
    pub interval_secs: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentsConfig {
    /// Font files for PDFs, the existing ones used.
    pub fonts: Vec<PathBuf>,
    /// PDFs typeset at once.
    pub parallel_renders: usize,
    /// Seconds a PDF waits for its turn before 503 `pdf_busy`.
    pub render_wait_seconds: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistrationsConfig {
    /// Working days the reviewing department has to decide.
    pub review_working_days: u32,
    pub max_files: usize,
    pub max_file_bytes: usize,
    pub max_text_chars: usize,
    pub page_size: u32,
    /// Kind (`qualification`, …) → the department code that reviews it.
    pub reviewers: std::collections::BTreeMap<String, String>,
}

impl RegistrationsConfig {
    pub fn settings(&self) -> Result<xinyong_core::registrations::RegistrationSettings, String> {
        use xinyong_domain::registrations::RegistrationKind;
        if self.review_working_days == 0 || self.max_text_chars == 0 || self.page_size == 0 {
            return Err(
                "配置无效：registrations.review_working_days、max_text_chars 和 page_size 必须大于 0".to_owned()
            );
        }
        let mut reviewers = xinyong_core::registrations::default_reviewers();
        for (kind, department) in &self.reviewers {
            let k = RegistrationKind::parse(kind).ok_or_else(|| {
                format!(
                    "配置无效：registrations.reviewers 中的“{kind}”不是注册类别（qualification、honour、operations、contract_performance、public_welfare）"
                )
            })?;
            let d = xinyong_domain::auth::DepartmentCode::parse(department)
                .map_err(|e| format!("配置无效：registrations.reviewers.{kind} = “{department}”：{e}"))?;
            reviewers.insert(k, d);
        }
        Ok(xinyong_core::registrations::RegistrationSettings {
            review_working_days: self.review_working_days,
            max_files: self.max_files,
            max_file_bytes: self.max_file_bytes,
            max_text_chars: self.max_text_chars,
            page_size: self.page_size,
            reviewers,
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedressConfig {
    pub activation_code_days: u32,
    pub objection_answer_working_days: u32,
    pub objection_extended_working_days: u32,
    pub repair_review_working_days: u32,
    pub max_text_chars: usize,
    pub evidence_max_files: usize,
    pub evidence_max_bytes: usize,
    /// JSON lines of notices to companies; empty: none.
    pub notifications_file: PathBuf,
    pub repair_confirmation_by_credit_office: bool,
}

impl RedressConfig {
    pub fn settings(&self) -> xinyong_core::objections::RedressSettings {
        xinyong_core::objections::RedressSettings {
            activation_code_days: self.activation_code_days,
            objection_answer_working_days: self.objection_answer_working_days,
            objection_extended_working_days: self.objection_extended_working_days,
            repair_review_working_days: self.repair_review_working_days,
            max_text_chars: self.max_text_chars,
            evidence_max_files: self.evidence_max_files,
            evidence_max_bytes: self.evidence_max_bytes,
            repair_confirmation_by_credit_office: self.repair_confirmation_by_credit_office,
            notifier: if self.notifications_file.as_os_str().is_empty() {
                xinyong_core::objections::notify::NotifierHandle::default()
            } else {
                let file = xinyong_core::objections::notify::FileNotifier::new(self.notifications_file.clone());
                xinyong_core::objections::notify::NotifierHandle(std::sync::Arc::new(file))
            },
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupConfig {
    /// Where `serve` writes scheduled backups; empty: no scheduled backups.
    pub dir: PathBuf,
    /// Hours between scheduled backups.
    pub interval_hours: u64,
    /// Scheduled backups kept (the oldest are removed).
    pub keep: usize,
}

/// Loads the configuration. `file` is `--config`; without it `./xinyong.toml`
/// is read when present.
pub fn load(file: Option<&Path>) -> Result<Config, String> {
    let mut figment = Figment::from(Toml::string(DEFAULT_TOML));
    match file {
        Some(path) => {
            if !path.exists() {
                return Err(format!("配置文件不存在：{}", path.display()));
            }
            figment = figment.merge(Toml::file(path));
        }
        None => figment = figment.merge(Toml::file("xinyong.toml")),
    }
    // Every setting is nested (`XINYONG_DATABASE__URL`); other XINYONG_*
    // variables (XINYONG_LOG, XINYONG_TEST_DATABASE_URL) are not configuration.
    figment = figment.merge(Env::prefixed("XINYONG_").filter(|key| key.as_str().contains("__")).split("__"));
    let config: Config = figment.extract().map_err(|e| format!("配置无效：{e}"))?;
    config.validate()?;
    Ok(config)
}

impl Config {
    /// The settings that bound memory and waiting.
    fn validate_resources(&self) -> Result<(), String> {
        if self.documents.render_wait_seconds > 600 {
            return Err(format!(
                "配置无效：documents.render_wait_seconds {} 应在 0–600 之间",
                self.documents.render_wait_seconds
            ));
        }
        if !(1..=64).contains(&self.database.sqlite_connections) {
            return Err(format!(
                "配置无效：database.sqlite_connections {} 应在 1–64 之间",
                self.database.sqlite_connections
            ));
        }
        if !(16..=65_536).contains(&self.database.sqlite_cache_mib) {
            return Err(format!(
                "配置无效：database.sqlite_cache_mib {} 应在 16–65536 之间",
                self.database.sqlite_cache_mib
            ));
        }
        let page = self.database.sqlite_page_size;
        if !(512..=65_536).contains(&page) || !page.is_power_of_two() {
            return Err(format!("配置无效：database.sqlite_page_size {page} 应为 512–65536 之间 2 的幂（字节）"));
        }
        if !(1..=3600).contains(&self.server.stop_grace_secs) {
            return Err(format!("配置无效：server.stop_grace_secs {} 应在 1–3600 之间", self.server.stop_grace_secs));
        }
        if !(60..=604_800).contains(&self.indexes.snapshot_interval_secs) {
            return Err("配置无效：indexes.snapshot_interval_secs 须在 60 到 604800 秒之间".to_owned());
        }
        Ok(())
    }

    /// Witnesses and other cities' keys: every key parses, the quorum fits.
    fn validate_trust(&self) -> Result<(), String> {
        self.witness.settings()?;
        self.witness.targets()?;
        if self.witness.submit_interval_secs == 0 {
            return Err("配置无效：witness.submit_interval_secs 必须大于 0".to_owned());
        }
        for key in &self.reports.trusted_witnesses {
            if xinyong_tlog::CosignatureVerifier::parse(key).is_none() {
                return Err(format!("配置无效：reports.trusted_witnesses 中的见证者公钥“{key}”无法解析"));
            }
        }
        if self.checks.receipt_retention_days != 0 && !(30..=3_650).contains(&self.checks.receipt_retention_days) {
            return Err("配置无效：checks.receipt_retention_days 须为 0（全部保留）或 30 到 3650 天".to_owned());
        }
        if !(60..=604_800).contains(&self.checks.retention_interval_secs) {
            return Err("配置无效：checks.retention_interval_secs 须在 60 到 604800 秒之间".to_owned());
        }
        if !(60..=86_400).contains(&self.reports.status_map_interval_secs) {
            return Err("配置无效：reports.status_map_interval_secs 须在 60 到 86400 秒之间".to_owned());
        }
        if self.reports.witness_quorum > self.reports.trusted_witnesses.len() {
            return Err("配置无效：reports.witness_quorum 大于 trusted_witnesses 的个数".to_owned());
        }
        for key in &self.reports.trusted_logs {
            xinyong_tlog::NoteVerifier::parse(key)
                .map_err(|e| format!("配置无效：reports.trusted_logs 中的公钥“{key}”无法解析：{e}"))?;
        }
        Ok(())
    }

    fn validate(&self) -> Result<(), String> {
        self.validate_trust()?;
        if self.log.origin.is_empty() || self.log.origin.contains(char::is_whitespace) || self.log.origin.contains('+')
        {
            return Err(format!("配置无效：log.origin {:?} 不能为空，不能含空白或 +", self.log.origin));
        }
        if self.server.listen.parse::<std::net::SocketAddr>().is_err() {
            return Err(format!("配置无效：server.listen {:?} 不是 IP:端口", self.server.listen));
        }
        self.validate_resources()?;
        if !(1..=24 * 30).contains(&self.auth.session_hours) {
            return Err(format!("配置无效：auth.session_hours {} 应在 1–720 之间", self.auth.session_hours));
        }
        self.portal.settings()?;
        if !(1..=1_000).contains(&self.portal.name_filter_subjects) {
            return Err("配置无效：portal.name_filter_subjects 应为 1–1000".to_owned());
        }
        if !(1..=5_000).contains(&self.portal.list_pages) {
            return Err("配置无效：portal.list_pages 应为 1–5000".to_owned());
        }
        if self.portal.rate_limit_per_minute > 0 && self.portal.rate_limit_burst == 0 {
            return Err("配置无效：portal.rate_limit_burst 必须大于 0".to_owned());
        }
        if self.listing.expire_interval_secs == 0 {
            return Err("配置无效：listing.expire_interval_secs 必须大于 0".to_owned());
        }
        if self.feeds.webhook_interval_ms == 0 {
            return Err("配置无效：feeds.webhook_interval_ms 必须大于 0".to_owned());
        }
        self.feeds.webhook_targets()?;
        self.auth.login_throttle()?;
        if self.backup.interval_hours == 0 || self.backup.keep == 0 {
            return Err("配置无效：backup.interval_hours 和 backup.keep 必须大于 0".to_owned());
        }
        if !(1..=xinyong_core::collection::intake::MAX_ROWS).contains(&self.intake.max_rows_per_batch) {
            return Err("配置无效：intake.max_rows_per_batch 应在 1–100000 之间".to_owned());
        }
        if self.intake.max_rejected_percent > 100 {
            return Err("配置无效：intake.max_rejected_percent 应在 0–100 之间".to_owned());
        }
        let r = &self.redress;
        if r.activation_code_days == 0
            || r.objection_answer_working_days == 0
            || r.objection_extended_working_days < r.objection_answer_working_days
            || r.repair_review_working_days == 0
            || r.max_text_chars == 0
            || r.evidence_max_bytes > 6 * 1024 * 1024
        {
            return Err("配置无效：redress 的期限和长度必须大于 0，且延期后的答复期限不短于一般期限".to_owned());
        }
        if self.evaluation.import_max_rows == 0 || self.evaluation.interval_secs == 0 {
            return Err("配置无效：evaluation.import_max_rows 和 evaluation.interval_secs 必须大于 0".to_owned());
        }
        self.evaluation.settings()?;
        if self.subscriptions.max_watchlist == 0 || self.subscriptions.interval_ms == 0 {
            return Err("配置无效：subscriptions.max_watchlist 和 subscriptions.interval_ms 必须大于 0".to_owned());
        }
        let i = &self.inspections;
        if i.max_pool == 0
            || i.interval_ms == 0
            || i.publish_within_working_days == 0
            || i.seed_delay_minutes < i.min_seed_delay_minutes
        {
            return Err("配置无效：inspections.max_pool、interval_ms、publish_within_working_days 必须大于 0，\
                        seed_delay_minutes 不得小于 min_seed_delay_minutes"
                .to_owned());
        }
        if self.campaigns.max_subjects == 0 || self.campaigns.interval_secs == 0 {
            return Err("配置无效：campaigns.max_subjects 和 campaigns.interval_secs 必须大于 0".to_owned());
        }
        self.registrations.settings()?;
        if self.commitments.interval_secs == 0 {
            return Err("配置无效：commitments.interval_secs 必须大于 0".to_owned());
        }
        if !(1..=3650).contains(&self.agencies.max_consent_days) {
            return Err("配置无效：agencies.max_consent_days 应在 1–3650 之间".to_owned());
        }
        if self.log.checkpoint_interval_ms == 0 {
            return Err("配置无效：log.checkpoint_interval_ms 必须大于 0".to_owned());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_defaults_load() {
        let config: Config = Figment::from(Toml::string(DEFAULT_TOML)).extract().unwrap();
        config.validate().unwrap();
        assert_eq!(config.log.origin, "xinyong.local/log");
        assert_eq!(config.mask, MaskConfig::default());
        assert_eq!(config.listing.expire_interval_secs, 3600);
        assert_eq!(config.portal.settings().unwrap(), xinyong_server::PortalSettings::default());
        assert_eq!(config.rules.dir(), None, "no rules directory: the compiled-in files");
        assert!(config.calendar.is_none());
    }

    #[test]
    fn an_old_calendar_section_still_loads() {
        let old = format!("{DEFAULT_TOML}\n[calendar]\ndir = \"./data/calendar\"\n");
        let config: Config = Figment::from(Toml::string(&old)).extract().unwrap();
        assert_eq!(config.calendar.unwrap().dir, PathBuf::from("./data/calendar"));
        let with_dir = DEFAULT_TOML.replace("dir = \"\"", "dir = \"/etc/xinyong/rules\"");
        let config: Config = Figment::from(Toml::string(&with_dir)).extract().unwrap();
        assert_eq!(config.rules.dir(), Some(Path::new("/etc/xinyong/rules")));
    }

    #[test]
    fn the_name_filter_names_one_to_a_thousand_organisations() {
        let mut config: Config = Figment::from(Toml::string(DEFAULT_TOML)).extract().unwrap();
        assert_eq!(config.portal.settings().unwrap().lists.named_subjects, 200);
        config.portal.name_filter_subjects = 0;
        assert!(config.validate().unwrap_err().contains("portal.name_filter_subjects"));
        config.portal.name_filter_subjects = 1_001;
        assert!(config.validate().unwrap_err().contains("portal.name_filter_subjects"));
    }

    #[test]
    fn the_lists_page_one_to_five_thousand_pages_deep() {
        let mut config: Config = Figment::from(Toml::string(DEFAULT_TOML)).extract().unwrap();
        assert_eq!(config.portal.settings().unwrap().lists.pages, 500);
        for wrong in [0, 5_001] {
            config.portal.list_pages = wrong;
            assert!(config.validate().unwrap_err().contains("portal.list_pages"));
        }
    }

    #[test]
    fn trusted_proxies_must_be_addresses_or_networks() {
        let mut config: Config = Figment::from(Toml::string(DEFAULT_TOML)).extract().unwrap();
        config.portal.trusted_proxies = vec!["127.0.0.1".into(), "10.0.0.0/8".into()];
        assert_eq!(config.portal.settings().unwrap().trusted_proxies.len(), 2);
        config.portal.trusted_proxies = vec!["proxy.example".into()];
        assert!(config.validate().unwrap_err().contains("portal.trusted_proxies"));
    }

    #[test]
    fn the_stop_grace_is_bounded() {
        let mut config: Config = Figment::from(Toml::string(DEFAULT_TOML)).extract().unwrap();
        assert_eq!(config.server.stop_grace_secs, 10);
        for secs in [0, 3601] {
            config.server.stop_grace_secs = secs;
            assert!(config.validate().unwrap_err().contains("server.stop_grace_secs"), "{secs}");
        }
        config.server.stop_grace_secs = 3600;
        config.validate().unwrap();
    }

    #[test]
    fn the_sqlite_page_size_is_one_sqlite_accepts() {
        let mut config: Config = Figment::from(Toml::string(DEFAULT_TOML)).extract().unwrap();
        assert_eq!(config.database.sqlite_tuning().page_size, xinyong_storage::DEFAULT_SQLITE_PAGE_SIZE);
        for bytes in [0, 256, 12_288, 131_072] {
            config.database.sqlite_page_size = bytes;
            assert!(config.validate().unwrap_err().contains("database.sqlite_page_size"), "{bytes}");
        }
        for bytes in [512, 4096, 65_536] {
            config.database.sqlite_page_size = bytes;
            config.validate().unwrap();
        }
    }
}

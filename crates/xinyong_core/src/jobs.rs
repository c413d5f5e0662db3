//! Background jobs: named, idempotent units of work that `serve` runs on a
//! schedule — listing expiry, checkpoint publishing, webhook delivery.
//!
//! Several `serve` processes may share one PostgreSQL database, and each
//! starts a [`JobRunner`] with the same jobs. Every run is *claimed* first in
//! the `job_runs` table (one row per job name), so a due run happens in one
//! process only:
//!
//! - a claim is one conditional `UPDATE … WHERE next_run_ms <= now AND
//!   lease_until_ms <= now`; of concurrent claimers exactly one changes the
//!   row (`claim_job_run` of `dyn xinyong_storage::Store`);
//! - the claimer holds a lease of [`LEASE`], renewed every [`RENEW_EVERY`]
//!   while the job runs, so a long webhook round keeps its claim and a
//!   crashed process's claim lapses within [`LEASE`];
//! - a finished run frees the lease and makes the job due again one interval
//!   after it ended, whoever ran it.
//!
//! Jobs must be idempotent anyway: a process whose lease lapsed (a stalled
//! database connection, say) stops its run when it notices, but may have done
//! part of it, and the next owner does the rest again. Claims compare times
//! from each process's own clock: hosts sharing a database keep their clocks
//! in sync (NTP); a skew near [`LEASE`] could let two hosts run one job.
//!
//! `job_runs` is operational state like the console `sessions`: who is
//! working on what, not credit information. What a job changes is logged by
//! the job's own events (`listing_exited`, `feed_delivered`, checkpoints).
//!
//! Tests drive jobs explicitly with [`JobRunner::run_due`].

use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::watch;
use xinyong_storage::{JobRunFinish, StoredJobRun};

use crate::closed_loop::webhooks::{WebhookClient, deliver_webhooks};
use crate::error::{CoreError, Result};
use crate::log::Core;

/// How long a claim holds without renewal. Long enough that a busy database
/// does not make a healthy owner lose its claim between two renewals; short
/// enough that a crashed owner's job waits at most this long.
pub const LEASE: Duration = Duration::from_secs(30);
/// How often a running job's lease is extended: three chances per lease.
pub const RENEW_EVERY: Duration = Duration::from_secs(10);
/// Longest sleep between two looks at a job's row, so that a job made due by
/// another process (one starting up) or a clock step is noticed soon.
const MAX_WAIT: Duration = Duration::from_secs(5);
/// Shortest sleep, so a row that keeps reading "due" cannot spin the loop.
const MIN_WAIT: Duration = Duration::from_millis(10);

/// What a job's `run` returns: boxed because the runner holds jobs of
/// different types behind one trait object.
pub type JobFuture<'a> = Pin<Box<dyn Future<Output = Result<JobReport>> + Send + 'a>>;

/// A named, idempotent unit of background work.
pub trait Job: Send + Sync + Debug {
    /// Stable snake_case name: the key of its `job_runs` row, and the name in
    /// logs, metrics and `xinyong jobs list`.
    fn name(&self) -> &'static str;

    /// A run is due this long after the previous one finished.
    fn interval(&self) -> Duration;

    /// Whether a starting `serve` makes the job due at once instead of
    /// waiting out the interval left from an earlier run.
    fn runs_at_start(&self) -> bool {
        false
    }

    /// Does the work once. Running it twice in a row gives the same result
    /// as running it once.
    fn run<'a>(&'a self, core: &'a Core) -> JobFuture<'a>;
}

/// What one run did: a count for tests and metrics, a line for people
/// (stored as the run's outcome).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct JobReport {
    pub done: u64,
    pub summary: String,
}

// ---------------------------------------------------------------- the jobs

/// 期满移出: every listing whose validity has ended leaves its list
/// ([`crate::lists::listing::expire_due`]).
#[derive(Debug, Clone)]
pub struct ListingExpiry {
    interval: Duration,
}

impl ListingExpiry {
    pub const NAME: &'static str = "listing_expiry";

    pub fn every(interval: Duration) -> ListingExpiry {
        ListingExpiry { interval }
    }
}

impl Job for ListingExpiry {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn interval(&self) -> Duration {
        self.interval
    }

    /// Listings that ended while no server ran leave at the next start, not
    /// up to an interval later.
    fn runs_at_start(&self) -> bool {
        true
    }

    fn run<'a>(&'a self, core: &'a Core) -> JobFuture<'a> {
        Box::pin(async move {
            let exited = crate::lists::listing::expire_due(core).await?;
            Ok(JobReport { done: exited as u64, summary: format!("期满移出 {exited} 条名单记录") })
        })
    }
}

/// Signs a checkpoint when the log has grown ([`Core::sign_checkpoint_if_grown`]).
#[derive(Debug, Clone)]
pub struct CheckpointPublisher {
    interval: Duration,
}

impl CheckpointPublisher {
    pub const NAME: &'static str = "checkpoint_publisher";

    pub fn every(interval: Duration) -> CheckpointPublisher {
        CheckpointPublisher { interval }
    }
}

impl Job for CheckpointPublisher {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn interval(&self) -> Duration {
        self.interval
    }

    fn run<'a>(&'a self, core: &'a Core) -> JobFuture<'a> {
        Box::pin(async move {
            Ok(match core.sign_checkpoint_if_grown().await? {
                Some(cp) => JobReport { done: 1, summary: format!("签署检查点，日志长度 {}", cp.size) },
                None => JobReport { done: 0, summary: "日志未增长".to_owned() },
            })
        })
    }
}

/// Backs the SQLite database up into a new directory under `dir` and keeps
/// the newest `keep` ([`crate::log::backup`]). Idempotent in the sense that
/// matters: each run adds one verified backup and prunes to `keep`.
#[derive(Debug, Clone)]
pub struct ScheduledBackup {
    interval: Duration,
    dir: std::path::PathBuf,
    keep: usize,
}

impl ScheduledBackup {
    pub const NAME: &'static str = "backup";

    pub fn every(interval: Duration, dir: std::path::PathBuf, keep: usize) -> ScheduledBackup {
        ScheduledBackup { interval, dir, keep }
    }
}

impl Job for ScheduledBackup {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn interval(&self) -> Duration {
        self.interval
    }

    fn run<'a>(&'a self, core: &'a Core) -> JobFuture<'a> {
        Box::pin(async move {
            let now = core.now();
            let target = self.dir.join(crate::log::backup::backup_dir_name(now));
            let manifest = crate::log::backup::backup_to(core, &target, now).await?;
            let pruned = crate::log::backup::prune(&self.dir, self.keep)?;
            Ok(JobReport {
                done: 1,
                summary: format!(
                    "备份至 {}（日志 {} 条，已校验），删除旧备份 {pruned} 个",
                    target.display(),
                    manifest.log_size
                ),
            })
        })
    }
}

/// Delivers departments' feeds to their webhooks ([`deliver_webhooks`]).
/// The retry backoff lives in this job's client, i.e. in the process that
/// runs it; another process starts its own backoff from scratch.
#[derive(Debug)]
pub struct WebhookDelivery {
    interval: Duration,
    client: WebhookClient,
}

impl WebhookDelivery {
    pub const NAME: &'static str = "webhook_delivery";

    pub fn every(interval: Duration, client: WebhookClient) -> WebhookDelivery {
        WebhookDelivery { interval, client }
    }
}

impl Job for WebhookDelivery {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn interval(&self) -> Duration {
        self.interval
    }

    fn run<'a>(&'a self, core: &'a Core) -> JobFuture<'a> {
        Box::pin(async move {
            let r = deliver_webhooks(core, &self.client, core.now()).await?;
            Ok(JobReport {
                done: r.delivered as u64,
                summary: format!(
                    "送达 {} 次共 {} 项，失败 {} 次，{} 个回调地址等待重试",
                    r.delivered, r.items, r.failed, r.waiting
                ),
            })
        })
    }
}

// ---------------------------------------------------------------- the runner

/// What [`JobRunner::run_if_due`] did with one job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunOutcome {
    /// Not due yet, or another process holds it.
    NotDue,
    /// Claimed and ran.
    Ran(JobReport),
    /// Claimed and ran, and the run failed; the next run is one interval later.
    Failed(String),
    /// Another process claimed the job while it ran here (this process's
    /// lease had lapsed); the run here was stopped.
    LostLease,
}

/// Runs a set of jobs, each due run once across every runner over the same
/// database.
#[derive(Debug, Clone)]
pub struct JobRunner {
    core: Core,
    owner: String,
    jobs: Vec<Arc<dyn Job>>,
}

impl JobRunner {
    /// `owner` names this process in `job_runs` and must differ between
    /// processes (`serve` uses host, process id and random bytes).
    pub fn new(core: Core, owner: impl Into<String>) -> JobRunner {
        JobRunner { core, owner: owner.into(), jobs: Vec::new() }
    }

    pub fn with_job(mut self, job: impl Job + 'static) -> JobRunner {
        self.jobs.push(Arc::new(job));
        self
    }

    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// The jobs' names, in the order they were added.
    pub fn names(&self) -> Vec<&'static str> {
        self.jobs.iter().map(|j| j.name()).collect()
    }

    /// One pass, in the caller's task: every due job is claimed and run in
    /// turn. Tests drive jobs with this; `serve` uses [`JobRunner::run`].
    pub async fn run_due(&self) -> Result<Vec<(&'static str, RunOutcome)>> {
        let mut done = Vec::with_capacity(self.jobs.len());
        for job in &self.jobs {
            done.push((job.name(), self.attempt(job).await?.0));
        }
        Ok(done)
    }

    /// Claims the named job if it is due and runs it.
    pub async fn run_if_due(&self, name: &str) -> Result<RunOutcome> {
        let job = self
            .jobs
            .iter()
            .find(|j| j.name() == name)
            .ok_or_else(|| CoreError::NotFound { what: format!("后台任务 {name}"), code: "job_not_found" })?;
        Ok(self.attempt(job).await?.0)
    }

    /// Runs every job until `stop` turns true (or its sender is dropped):
    /// one task per job, so a slow webhook round never holds back checkpoint
    /// signing. A job already running when `stop` comes finishes first;
    /// this returns when every job task has ended.
    pub async fn run(self, stop: watch::Receiver<bool>) {
        self.prepare().await;
        let tasks: Vec<_> = self
            .jobs
            .iter()
            .map(|job| {
                let runner = self.clone();
                let job = Arc::clone(job);
                let mut stop = stop.clone();
                tokio::spawn(async move {
                    while !*stop.borrow() {
                        let wait = match runner.attempt(&job).await {
                            Ok((_, wait)) => wait,
                            Err(e) => {
                                tracing::warn!(job = job.name(), error = %e, "job bookkeeping failed");
                                MAX_WAIT
                            }
                        };
                        tokio::select! {
                            _ = tokio::time::sleep(wait) => {}
                            _ = stop.changed() => break,
                        }
                    }
                })
            })
            .collect();
        for task in tasks {
            if let Err(e) = task.await {
                tracing::error!(error = %e, "job task ended abnormally");
            }
        }
    }

    /// Seeds every job's row and makes the jobs that run at start due now.
    /// Failures are logged only: the rows are seeded again on first use.
    async fn prepare(&self) {
        let now = self.now_ms();
        for job in &self.jobs {
            let store = self.core.store();
            let seeded = match store.seed_job_run(job.name()).await {
                Ok(()) if job.runs_at_start() => store.advance_job_run(job.name(), now).await,
                other => other,
            };
            if let Err(e) = seeded {
                tracing::warn!(job = job.name(), error = %e, "preparing the job's row failed");
            }
        }
    }

    /// Claims and runs `job` if due. Returns what happened and how long to
    /// wait before looking again.
    async fn attempt(&self, job: &Arc<dyn Job>) -> Result<(RunOutcome, Duration)> {
        let store = self.core.store();
        let name = job.name();
        let row = match store.job_run(name).await? {
            Some(row) => row,
            None => {
                store.seed_job_run(name).await?;
                store
                    .job_run(name)
                    .await?
                    .ok_or_else(|| CoreError::Internal(format!("后台任务 {name} 的记录写入后读不到")))?
            }
        };
        let now = self.now_ms();
        let due = free_at(&row) <= now;
        if !due || !store.claim_job_run(name, &self.owner, now, now.saturating_add(ms(LEASE))).await? {
            // Not due, or another process was quicker: its lease or its next
            // run tells when to look again.
            let row = if due { store.job_run(name).await?.unwrap_or(row) } else { row };
            return Ok((RunOutcome::NotDue, wait_until(free_at(&row), self.now_ms(), job.interval())));
        }
        let outcome = self.run_claimed(job).await;
        if outcome == RunOutcome::LostLease {
            return Ok((outcome, MIN_WAIT));
        }
        let finished = self.now_ms();
        let next_run_ms = finished.saturating_add(ms(job.interval()));
        let text = match &outcome {
            RunOutcome::Ran(report) => format!("ok: {}", report.summary),
            RunOutcome::Failed(why) => format!("error: {why}"),
            RunOutcome::NotDue | RunOutcome::LostLease => String::new(),
        };
        let finish = JobRunFinish {
            name: name.to_owned(),
            owner: self.owner.clone(),
            finished_ms: finished,
            next_run_ms,
            outcome: text,
        };
        if !store.finish_job_run(&finish).await? {
            tracing::warn!(job = name, owner = %self.owner, "job finished after another process took it over");
        }
        Ok((outcome, wait_until(next_run_ms, self.now_ms(), job.interval())))
    }

    /// Runs a claimed job in its own task while renewing the lease. A panic
    /// in the job is a failed run, not a dead runner.
    async fn run_claimed(&self, job: &Arc<dyn Job>) -> RunOutcome {
        let name = job.name();
        let started = std::time::Instant::now();
        let mut task = {
            let core = self.core.clone();
            let job = Arc::clone(job);
            tokio::spawn(async move { job.run(&core).await })
        };
        let joined = loop {
            tokio::select! {
                joined = &mut task => break joined,
                _ = tokio::time::sleep(RENEW_EVERY) => {
                    let until = self.now_ms().saturating_add(ms(LEASE));
                    match self.core.store().renew_job_run(name, &self.owner, until).await {
                        Ok(true) => {}
                        Ok(false) => {
                            tracing::warn!(job = name, owner = %self.owner, "another process took the job over; stopping here");
                            task.abort();
                            let _ = task.await;
                            metrics::counter!("xinyong_job_runs_total", "job" => name, "outcome" => "lost_lease").increment(1);
                            return RunOutcome::LostLease;
                        }
                        // Keep running: the next renewal may get through
                        // before the lease lapses.
                        Err(e) => tracing::warn!(job = name, error = %e, "renewing the job's lease failed"),
                    }
                }
            }
        };
        let seconds = started.elapsed().as_secs_f64();
        let outcome = match joined {
            Ok(Ok(report)) => {
                tracing::debug!(job = name, done = report.done, seconds, summary = %report.summary, "job ran");
                RunOutcome::Ran(report)
            }
            Ok(Err(e)) => {
                tracing::warn!(job = name, seconds, error = %e, "job failed");
                RunOutcome::Failed(format!("{}: {e}", e.code()))
            }
            Err(e) => {
                tracing::error!(job = name, seconds, error = %e, "job panicked");
                RunOutcome::Failed("job_panicked: 任务异常终止".to_owned())
            }
        };
        let label = if matches!(outcome, RunOutcome::Ran(_)) { "ok" } else { "error" };
        metrics::counter!("xinyong_job_runs_total", "job" => name, "outcome" => label).increment(1);
        outcome
    }

    fn now_ms(&self) -> i64 {
        self.core.now().timestamp_millis()
    }
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// When the row's job can next be claimed: after its next run time and
/// after any live lease.
fn free_at(row: &StoredJobRun) -> i64 {
    row.next_run_ms.max(row.lease_until_ms)
}

/// How long to sleep before looking at a job's row again: until `at_ms`,
/// but at most one interval (another process holding the lease usually
/// finishes sooner than its lease says, and the job is due one interval
/// after that) and at most [`MAX_WAIT`].
fn wait_until(at_ms: i64, now_ms: i64, interval: Duration) -> Duration {
    let ms = u64::try_from(at_ms.saturating_sub(now_ms)).unwrap_or(0);
    Duration::from_millis(ms).min(interval).clamp(MIN_WAIT, MAX_WAIT)
}

// ---------------------------------------------------------------- reads

/// A job's state as `xinyong jobs list` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JobRunView {
    pub name: String,
    /// The process that claimed it last.
    pub owner: Option<String>,
    /// Claimed and running now (its lease is live).
    pub running: bool,
    pub last_started_ms: Option<i64>,
    pub last_finished_ms: Option<i64>,
    pub next_run_ms: i64,
    /// `ok: …` or `error: <code>: …`.
    pub last_outcome: Option<String>,
}

/// Every job's row, by name.
pub async fn job_runs(core: &Core) -> Result<Vec<JobRunView>> {
    let now = core.now().timestamp_millis();
    Ok(core
        .store()
        .job_runs()
        .await?
        .into_iter()
        .map(|r| JobRunView {
            running: r.lease_until_ms > now,
            name: r.name,
            owner: r.owner,
            last_started_ms: r.last_started_ms,
            last_finished_ms: r.last_finished_ms,
            next_run_ms: r.next_run_ms,
            last_outcome: r.last_outcome,
        })
        .collect())
}

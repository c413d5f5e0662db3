//! Background jobs driven explicitly through `JobRunner`, on the backend the
//! environment chooses, with a manual clock.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use xinyong_core::closed_loop::webhooks::WebhookClient;
use xinyong_core::jobs::{
    CheckpointPublisher, Job, JobFuture, JobReport, JobRunner, ListingExpiry, RunOutcome, ScheduledBackup,
    WebhookDelivery, job_runs,
};
use xinyong_core::{Core, CoreError};
use xinyong_test_support::TestApp;

/// A job that counts its runs, optionally slowly, failing or panicking.
#[derive(Debug, Clone)]
struct Counting {
    name: &'static str,
    interval: Duration,
    runs: Arc<AtomicU64>,
    delay: Duration,
    fail: bool,
    panic: bool,
}

fn counting(name: &'static str, interval_secs: u64) -> Counting {
    Counting {
        name,
        interval: Duration::from_secs(interval_secs),
        runs: Arc::default(),
        delay: Duration::ZERO,
        fail: false,
        panic: false,
    }
}

impl Job for Counting {
    fn name(&self) -> &'static str {
        self.name
    }

    fn interval(&self) -> Duration {
        self.interval
    }

    fn run<'a>(&'a self, _core: &'a Core) -> JobFuture<'a> {
        Box::pin(async move {
            tokio::time::sleep(self.delay).await;
            assert!(!self.panic, "a job that panics");
            let n = self.runs.fetch_add(1, Ordering::SeqCst) + 1;
            if self.fail {
                return Err(CoreError::invalid("test_failure", "测试失败"));
            }
            Ok(JobReport { done: n, summary: format!("第 {n} 次") })
        })
    }
}

fn ran(outcome: &RunOutcome) -> bool {
    matches!(outcome, RunOutcome::Ran(_))
}

#[tokio::test]
async fn a_finished_run_is_due_again_one_interval_later() {
    let app = TestApp::new().await;
    let job = counting("counting", 60);
    let runner = JobRunner::new(app.core.clone(), "a").with_job(job.clone());

    let first = runner.run_due().await.unwrap();
    assert_eq!(first, [("counting", RunOutcome::Ran(JobReport { done: 1, summary: "第 1 次".to_owned() }))]);
    assert_eq!(runner.run_due().await.unwrap(), [("counting", RunOutcome::NotDue)]);

    app.clock.advance(chrono::Duration::seconds(59));
    assert_eq!(runner.run_if_due("counting").await.unwrap(), RunOutcome::NotDue);
    app.clock.advance(chrono::Duration::seconds(1));
    assert!(ran(&runner.run_if_due("counting").await.unwrap()));
    assert_eq!(job.runs.load(Ordering::SeqCst), 2);

    let e = runner.run_if_due("nope").await.unwrap_err();
    assert_eq!(e.code(), "job_not_found");

    // What `xinyong jobs list` shows.
    let now = app.core.now().timestamp_millis();
    let views = job_runs(&app.core).await.unwrap();
    assert_eq!(views.len(), 1);
    let v = &views[0];
    assert_eq!((v.name.as_str(), v.owner.as_deref(), v.running), ("counting", Some("a"), false));
    assert_eq!((v.last_started_ms, v.last_finished_ms, v.next_run_ms), (Some(now), Some(now), now + 60_000));
    assert_eq!(v.last_outcome.as_deref(), Some("ok: 第 2 次"));
}

#[tokio::test]
async fn two_runners_over_one_database_run_a_due_job_once() {
    let app = TestApp::new().await;
    let job = Counting { delay: Duration::from_millis(50), ..counting("shared", 60) };
    let a = JobRunner::new(app.core.clone(), "a").with_job(job.clone());
    let b = JobRunner::new(app.core.clone(), "b").with_job(job.clone());
    for round in 1..=3u64 {
        let (ra, rb) = tokio::join!(a.run_due(), b.run_due());
        let outcomes = [ra.unwrap().remove(0).1, rb.unwrap().remove(0).1];
        assert_eq!(outcomes.iter().filter(|o| ran(o)).count(), 1, "round {round}: {outcomes:?}");
        assert_eq!(job.runs.load(Ordering::SeqCst), round);
        app.clock.advance(chrono::Duration::seconds(60));
    }
}

#[tokio::test]
async fn a_failing_or_panicking_job_is_recorded_and_tried_again_later() {
    let app = TestApp::new().await;
    let failing = Counting { fail: true, ..counting("failing", 10) };
    let panicking = Counting { panic: true, ..counting("panicking", 10) };
    let runner = JobRunner::new(app.core.clone(), "a").with_job(failing.clone()).with_job(panicking);
    let outcomes = runner.run_due().await.unwrap();
    assert_eq!(
        outcomes,
        [
            ("failing", RunOutcome::Failed("test_failure: 测试失败".to_owned())),
            ("panicking", RunOutcome::Failed("job_panicked: 任务异常终止".to_owned())),
        ]
    );
    let views = job_runs(&app.core).await.unwrap();
    assert_eq!(views[0].last_outcome.as_deref(), Some("error: test_failure: 测试失败"));
    assert_eq!(views[1].last_outcome.as_deref(), Some("error: job_panicked: 任务异常终止"));
    assert!(views.iter().all(|v| !v.running), "a failed run frees its lease");

    assert!(runner.run_due().await.unwrap().iter().all(|(_, o)| *o == RunOutcome::NotDue));
    app.clock.advance(chrono::Duration::seconds(10));
    assert_eq!(runner.run_if_due("failing").await.unwrap(), RunOutcome::Failed("test_failure: 测试失败".to_owned()));
    assert_eq!(failing.runs.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn the_shipped_jobs_have_stable_names_and_run_on_an_empty_database() {
    let app = TestApp::new().await;
    let runner = JobRunner::new(app.core.clone(), "a")
        .with_job(CheckpointPublisher::every(Duration::from_secs(1)))
        .with_job(ListingExpiry::every(Duration::from_secs(3600)))
        .with_job(WebhookDelivery::every(Duration::from_secs(2), WebhookClient::default()));
    assert_eq!(runner.names(), ["checkpoint_publisher", "listing_expiry", "webhook_delivery"]);
    let outcomes = runner.run_due().await.unwrap();
    let done: Vec<(&str, u64)> = outcomes
        .iter()
        .map(|(name, o)| match o {
            RunOutcome::Ran(r) => (*name, r.done),
            other => panic!("{name}: {other:?}"),
        })
        .collect();
    // An empty log still gets its first checkpoint; nothing expires or is delivered.
    assert_eq!(done, [("checkpoint_publisher", 1), ("listing_expiry", 0), ("webhook_delivery", 0)]);
    assert_eq!(app.core.latest_checkpoint().await.unwrap().unwrap().size, 0);
}

#[tokio::test]
async fn stopping_the_runner_lets_a_running_job_finish() {
    let app = TestApp::new().await;
    let slow = Counting { delay: Duration::from_millis(300), ..counting("slow", 3600) };
    let runner = JobRunner::new(app.core.clone(), "a").with_job(slow.clone());
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(runner.run(stop_rx));
    // Wait until the run has been claimed, then stop while it sleeps.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let views = job_runs(&app.core).await.unwrap();
        if views.first().is_some_and(|v| v.running) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the job never started");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    stop_tx.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(10), running).await.unwrap().unwrap();
    assert_eq!(slow.runs.load(Ordering::SeqCst), 1, "the run finished");
    let v = &job_runs(&app.core).await.unwrap()[0];
    assert_eq!((v.running, v.last_outcome.as_deref()), (false, Some("ok: 第 1 次")));
}

#[tokio::test]
async fn the_backup_job_keeps_the_newest_verified_copies() {
    let app = TestApp::new().await;
    if app.core.store().backend() != xinyong_storage::Backend::Sqlite {
        return; // PostgreSQL is backed up with pg_dump.
    }
    app.core.checkpoint().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let runner = JobRunner::new(app.core.clone(), "a").with_job(ScheduledBackup::every(
        Duration::from_secs(3600),
        dir.path().to_owned(),
        2,
    ));
    for _ in 0..3 {
        let outcome = runner.run_if_due(ScheduledBackup::NAME).await.unwrap();
        assert!(matches!(outcome, RunOutcome::Ran(ref r) if r.done == 1), "{outcome:?}");
        app.clock.advance(chrono::Duration::hours(2));
    }
    let kept = xinyong_core::log::backup::backups_in(dir.path()).unwrap();
    assert_eq!(kept.len(), 2, "{kept:?}");
    let newest = xinyong_core::log::backup::read_manifest(kept.last().unwrap()).unwrap();
    assert_eq!(newest.verifier_key, app.core.keys().verifier_key());
    assert_eq!(newest.checkpoint_size, Some(app.core.store().log_size().await.unwrap()));
}

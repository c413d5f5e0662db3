//! Background job runs (operational state, not events; `xinyong_core::jobs`).
//! Times are milliseconds since the Unix epoch from the caller's clock.
//!
//! Each method is one statement; the claim is a single conditional UPDATE,
//! which both databases apply atomically per row: under PostgreSQL READ
//! COMMITTED a second concurrent UPDATE waits for the first, re-checks its
//! WHERE on the committed row and matches nothing; SQLite has one writer at
//! a time.

use crate::sql::{Cols, Kind, Stmt, Value};
use crate::{JobRunFinish, Result, Store, StoredJobRun};

/// The columns of `job_runs` in [`StoredJobRun`]'s field order.
const JOB_RUN_KINDS: &[Kind] = &[Kind::Text, Kind::Text, Kind::Int, Kind::Int, Kind::Int, Kind::Int, Kind::Text];

fn job_run(row: Vec<Value>) -> Result<StoredJobRun> {
    let mut c = Cols::new(row, "job_runs");
    Ok(StoredJobRun {
        name: c.text()?,
        owner: c.opt_text()?,
        lease_until_ms: c.int()?,
        next_run_ms: c.int()?,
        last_started_ms: c.opt_int()?,
        last_finished_ms: c.opt_int()?,
        last_outcome: c.opt_text()?,
    })
}

impl dyn Store + '_ {
    /// Adds the job's row, due at once and unclaimed, unless it exists.
    pub async fn seed_job_run(&self, name: &str) -> Result<()> {
        let stmt = Stmt::new(
            "INSERT INTO job_runs (name, owner, lease_until_ms, next_run_ms) VALUES ($1, NULL, 0, 0) \
             ON CONFLICT (name) DO NOTHING",
        )
        .arg(name);
        self.execute(&stmt).await?;
        Ok(())
    }

    /// Makes the job due no later than `at_ms` (a job that runs when a
    /// process starts); a job due earlier stays as it is.
    pub async fn advance_job_run(&self, name: &str, at_ms: i64) -> Result<()> {
        let stmt =
            Stmt::new("UPDATE job_runs SET next_run_ms = $2 WHERE name = $1 AND next_run_ms > $2").arg(name).arg(at_ms);
        self.execute(&stmt).await?;
        Ok(())
    }

    /// Claims the job for `owner` until `lease_until_ms` when it is due
    /// (`next_run_ms <= now_ms`) and no lease is live (`lease_until_ms <=
    /// now_ms`). One conditional UPDATE, so of any number of concurrent
    /// claimers, in any number of processes, exactly one gets `true`.
    pub async fn claim_job_run(&self, name: &str, owner: &str, now_ms: i64, lease_until_ms: i64) -> Result<bool> {
        let stmt = Stmt::new(
            "UPDATE job_runs SET owner = $2, lease_until_ms = $4, last_started_ms = $3 \
             WHERE name = $1 AND next_run_ms <= $3 AND lease_until_ms <= $3",
        )
        .arg(name)
        .arg(owner)
        .arg(now_ms)
        .arg(lease_until_ms);
        Ok(self.execute(&stmt).await? == 1)
    }

    /// Extends `owner`'s lease; `false` when another owner has claimed the
    /// job since (`owner`'s lease had lapsed).
    pub async fn renew_job_run(&self, name: &str, owner: &str, lease_until_ms: i64) -> Result<bool> {
        let stmt = Stmt::new("UPDATE job_runs SET lease_until_ms = $3 WHERE name = $1 AND owner = $2")
            .arg(name)
            .arg(owner)
            .arg(lease_until_ms);
        Ok(self.execute(&stmt).await? == 1)
    }

    /// Ends `owner`'s run: frees the lease, records the outcome and makes the
    /// job due again at `next_run_ms`. `false` (and nothing written) when
    /// another owner has claimed the job since.
    pub async fn finish_job_run(&self, finish: &JobRunFinish) -> Result<bool> {
        let stmt = Stmt::new(
            "UPDATE job_runs SET lease_until_ms = 0, next_run_ms = $3, last_finished_ms = $4, last_outcome = $5 \
             WHERE name = $1 AND owner = $2",
        )
        .arg(finish.name.as_str())
        .arg(finish.owner.as_str())
        .arg(finish.next_run_ms)
        .arg(finish.finished_ms)
        .arg(finish.outcome.as_str());
        Ok(self.execute(&stmt).await? == 1)
    }

    /// The job's row, if it was ever seeded.
    pub async fn job_run(&self, name: &str) -> Result<Option<StoredJobRun>> {
        let stmt = Stmt::new(
            "SELECT name, owner, lease_until_ms, next_run_ms, last_started_ms, last_finished_ms, last_outcome \
             FROM job_runs WHERE name = $1",
        )
        .arg(name)
        .returns(JOB_RUN_KINDS);
        self.fetch(&stmt).await?.into_iter().next().map(job_run).transpose()
    }

    /// Every job's row, by name (one per job the binary defines).
    pub async fn job_runs(&self) -> Result<Vec<StoredJobRun>> {
        let stmt = Stmt::new(
            "SELECT name, owner, lease_until_ms, next_run_ms, last_started_ms, last_finished_ms, last_outcome \
             FROM job_runs ORDER BY name LIMIT 1000",
        )
        .returns(JOB_RUN_KINDS);
        self.fetch(&stmt).await?.into_iter().map(job_run).collect()
    }
}

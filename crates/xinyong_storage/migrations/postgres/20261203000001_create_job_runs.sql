-- Background jobs (listing expiry, checkpoint publishing, webhook delivery):
-- one row per named job, claimed by one `xinyong serve` process at a time.
-- Operational state like `sessions`, not credit information: a claim says
-- who is working, not what happened, so it is no event, no projection, and
-- not checked by verify. What a job does (a listing exiting, a feed being
-- delivered) is logged by the job's own events. Times are milliseconds
-- since the Unix epoch from the claiming process's clock; a lease whose
-- `lease_until_ms` has passed is free, so a crashed owner simply lapses.
CREATE TABLE job_runs (
    name              TEXT   PRIMARY KEY,
    owner             TEXT,
    lease_until_ms    BIGINT NOT NULL,
    next_run_ms       BIGINT NOT NULL,
    last_started_ms   BIGINT,
    last_finished_ms  BIGINT,
    last_outcome      TEXT
);

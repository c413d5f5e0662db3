//! The receipts' retention rule: `check_receipts` keeps the receipts of the
//! last `[checks] receipt_retention_days` China days. Older rows go with a
//! `receipts_pruned` event; their batches stay in the log, so every receipt
//! is still proven (`receipt_proof` finds its batch in `receipt_batches`).
//! What the pruned rows served ends with them: 谁查询了我的信用 on a
//! company's page, checks made per department, and 应查必查 coverage count
//! only the receipts kept, so the retention outlasts the periods those cover.

use std::time::Duration;

use chrono::{DateTime, Days, Utc};
use xinyong_domain::checks::ChecksEvent;
use xinyong_domain::event::{Actor, NewEvent};

use crate::clock::{china_date, china_offset};
use crate::error::Result;
use crate::jobs::{Job, JobFuture, JobReport};
use crate::log::Core;

/// The instant receipts older than `retention_days` end at: the start (China
/// time) of the day `retention_days` before today's, so every run of one day
/// draws the same line.
pub fn retention_bound(now: DateTime<Utc>, retention_days: u32) -> DateTime<Utc> {
    let day = china_date(now).checked_sub_days(Days::new(u64::from(retention_days))).unwrap_or_default();
    day.and_time(chrono::NaiveTime::MIN)
        .and_local_timezone(china_offset())
        .single()
        .map_or(DateTime::<Utc>::MIN_UTC, |t| t.with_timezone(&Utc))
}

/// Prunes the receipts answered before the retention bound, if any: one
/// `receipts_pruned` event. Returns how many rows it removed (0: nothing
/// was old enough, and nothing was written). `retention_days` 0 keeps every
/// receipt.
pub async fn prune_receipts(core: &Core, retention_days: u32) -> Result<u64> {
    if retention_days == 0 {
        return Ok(0);
    }
    let before_ms = retention_bound(core.now(), retention_days).timestamp_millis();
    let receipts = xinyong_storage::checks::receipts_before(core.store(), before_ms).await?;
    if receipts == 0 {
        return Ok(0);
    }
    let body = ChecksEvent::ReceiptsPruned { before_ms, retention_days, receipts };
    core.append(vec![NewEvent::new(Actor::system(), body)]).await?;
    metrics::counter!("xinyong_check_receipts_pruned").increment(receipts);
    Ok(receipts)
}

/// The job `receipt_retention`: applies the rule once a day (or as set).
/// Idempotent: a second run on the same day finds nothing left to prune.
#[derive(Debug, Clone, Copy)]
pub struct ReceiptRetention {
    pub interval: Duration,
    /// `[checks] receipt_retention_days` (0: keep every receipt).
    pub retention_days: u32,
}

impl Job for ReceiptRetention {
    fn name(&self) -> &'static str {
        "receipt_retention"
    }

    fn interval(&self) -> Duration {
        self.interval
    }

    fn run<'a>(&'a self, core: &'a Core) -> JobFuture<'a> {
        Box::pin(async move {
            let pruned = prune_receipts(core, self.retention_days).await?;
            let summary = if self.retention_days == 0 {
                "核查回执全部保留（checks.receipt_retention_days = 0）".to_owned()
            } else {
                format!("删除 {} 天前的核查回执 {pruned} 条（日志中的批次仍可证明）", self.retention_days)
            };
            Ok(JobReport { done: pruned, summary })
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn the_bound_is_a_china_midnight() {
        // 2026-12-05 01:00 China time is 2026-12-04 17:00 UTC.
        let now = Utc.with_ymd_and_hms(2026, 12, 4, 17, 0, 0).unwrap();
        // 2026-12-05 − 3 days = 2026-12-02 00:00 China = 2026-12-01 16:00 UTC.
        assert_eq!(retention_bound(now, 3), Utc.with_ymd_and_hms(2026, 12, 1, 16, 0, 0).unwrap());
        assert_eq!(retention_bound(now + chrono::Duration::hours(22), 3), retention_bound(now, 3), "same China day");
    }
}

//! The `campaigns` job: subjects past their deadline without an outcome
//! become overdue (one `rectification_overdue` event per batch), which puts
//! them in their listing department's queue of interviews to hold.
//! Idempotent: an overdue subject is no longer open, so a second run finds
//! nothing.

use xinyong_domain::campaigns::{CampaignsEvent, OverdueSubject};
use xinyong_domain::event::{Actor, NewEvent};

use crate::collection::intake::china_today;
use crate::error::Result;
use crate::jobs::{Job, JobFuture, JobReport};
use crate::log::Core;

/// Subjects one event marks overdue.
const BATCH: u32 = 1_000;

/// Marks every open subject whose deadline was before today (China time,
/// from the core's clock) overdue; returns how many.
pub async fn mark_overdue(core: &Core) -> Result<usize> {
    let today = china_today(core);
    let mut marked = 0;
    loop {
        let due = xinyong_storage::campaigns::past_deadline(core.store(), today, BATCH).await?;
        if due.is_empty() {
            return Ok(marked);
        }
        marked += due.len();
        let subjects = due
            .into_iter()
            .map(|s| OverdueSubject { campaign_id: s.campaign_id, uscc: s.uscc, deadline: s.deadline })
            .collect();
        let body = CampaignsEvent::RectificationOverdue { on: today, subjects };
        core.append(vec![NewEvent::new(Actor::system(), body)]).await?;
    }
}

/// 逾期未整改: runs [`mark_overdue`].
#[derive(Debug, Clone)]
pub struct CampaignsJob {
    interval: std::time::Duration,
}

impl CampaignsJob {
    pub const NAME: &'static str = "campaigns";

    pub fn every(interval: std::time::Duration) -> CampaignsJob {
        CampaignsJob { interval }
    }
}

impl Job for CampaignsJob {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn interval(&self) -> std::time::Duration {
        self.interval
    }

    /// Deadlines that passed while no server ran are found at the next start.
    fn runs_at_start(&self) -> bool {
        true
    }

    fn run<'a>(&'a self, core: &'a Core) -> JobFuture<'a> {
        Box::pin(async move {
            let marked = mark_overdue(core).await?;
            Ok(JobReport {
                done: marked as u64, summary: format!("逾期未整改 {marked} 户，待认定部门约谈")
            })
        })
    }
}

//! The `commitments` job: deferred materials still missing after their
//! deadline (容缺 on the working-day calendar) are marked overdue, one
//! `materials_overdue` event per batch, which puts the commitment in front
//! of its department as a breach to verify. Idempotent: an overdue material
//! is no longer looked for, so a second run finds nothing.

use xinyong_domain::commitments::{CommitmentsEvent, OverdueMaterial};
use xinyong_domain::event::{Actor, NewEvent};

use crate::collection::intake::china_today;
use crate::error::Result;
use crate::jobs::{Job, JobFuture, JobReport};
use crate::log::Core;

/// Materials one event marks overdue.
const BATCH: u32 = 1_000;

/// Marks every missing material whose deadline was before today (China
/// time, from the core's clock) overdue; returns how many.
pub async fn mark_overdue(core: &Core) -> Result<usize> {
    let today = china_today(core);
    let mut marked = 0;
    loop {
        let due = xinyong_storage::commitments::past_due(core.store(), today, BATCH).await?;
        if due.is_empty() {
            return Ok(marked);
        }
        marked += due.len();
        let materials = due
            .into_iter()
            .map(|m| OverdueMaterial {
                commitment_id: m.commitment_id,
                material_code: m.material_code,
                due_on: m.due_on,
            })
            .collect();
        let body = CommitmentsEvent::MaterialsOverdue { on: today, materials };
        core.append(vec![NewEvent::new(Actor::system(), body)]).await?;
    }
}

/// 容缺材料逾期: runs [`mark_overdue`].
#[derive(Debug, Clone)]
pub struct CommitmentsJob {
    interval: std::time::Duration,
}

impl CommitmentsJob {
    pub const NAME: &'static str = "commitments";

    pub fn every(interval: std::time::Duration) -> CommitmentsJob {
        CommitmentsJob { interval }
    }
}

impl Job for CommitmentsJob {
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
                done: marked as u64, summary: format!("容缺材料逾期未补交 {marked} 项，待审批部门核查")
            })
        })
    }
}

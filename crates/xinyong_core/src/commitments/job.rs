//! The `commitments` job, for deferred materials (容缺) on the working-day
//! calendar:
//!
//! - a material due within `[commitments] remind_working_days` working days
//!   is reminded of once: one `materials_reminded` event per batch, then a
//!   notice to the company through the redress notifier (a notice that
//!   cannot be written is logged; the reminder stays recorded);
//! - a material still missing after its deadline is marked overdue, one
//!   `materials_overdue` event per batch, which puts the commitment in front
//!   of its department as a breach to verify.
//!
//! Idempotent: a reminded or overdue material is no longer looked for, so a
//! second run finds nothing.

use xinyong_domain::commitments::{CommitmentMaterialRow, CommitmentRow, CommitmentsEvent, OverdueMaterial};
use xinyong_domain::event::{Actor, NewEvent};

use crate::collection::intake::china_today;
use crate::error::Result;
use crate::jobs::{Job, JobFuture, JobReport};
use crate::lists::listing::working_days_after;
use crate::log::Core;

/// Materials one event marks overdue.
const BATCH: u32 = 1_000;

/// Reminds the applicants of missing materials due from today to
/// `remind_working_days` working days ahead (none when that is 0), each
/// material once; returns how many.
pub async fn remind_due(core: &Core) -> Result<usize> {
    let days = core.settings().commitments.remind_working_days;
    if days == 0 {
        return Ok(0);
    }
    let today = china_today(core);
    let until = working_days_after(&core.rules().calendar, today, days);
    let mut reminded = 0;
    loop {
        let due = xinyong_storage::commitments::due_soon(core.store(), today, until, BATCH).await?;
        if due.is_empty() {
            return Ok(reminded);
        }
        reminded += due.len();
        let materials = due
            .iter()
            .map(|m| OverdueMaterial {
                commitment_id: m.commitment_id.clone(),
                material_code: m.material_code.clone(),
                due_on: m.due_on,
            })
            .collect();
        let body = CommitmentsEvent::MaterialsReminded { on: today, materials };
        core.append(vec![NewEvent::new(Actor::system(), body)]).await?;
        for material in &due {
            tell_the_applicant(core, material).await?;
        }
    }
}

/// The notice of one reminder, to every account of the applicant.
async fn tell_the_applicant(core: &Core, m: &CommitmentMaterialRow) -> Result<()> {
    let Some(c) = core.store().get(CommitmentRow::key(&m.commitment_id)).await? else { return Ok(()) };
    let text = format!(
        "您在“{}”告知承诺（办件编号 {}）中承诺补交的“{}”应于 {} 前提交审批部门；逾期未补交的，审批部门将依法核查处理，未履行承诺的将记入信用记录。",
        c.item_name, c.case_ref, m.name, m.due_on
    );
    crate::objections::notify::send(
        &core.settings().redress.notifier,
        crate::objections::notify::Notice {
            uscc: c.uscc.as_str().to_owned(),
            kind: "commitment_material_due",
            reference: c.commitment_id,
            text,
            at: core.clock().now(),
        },
    );
    Ok(())
}

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
            let reminded = remind_due(core).await?;
            let marked = mark_overdue(core).await?;
            Ok(JobReport {
                done: (reminded + marked) as u64,
                summary: format!(
                    "提醒即将到期的容缺材料 {reminded} 项；容缺材料逾期未补交 {marked} 项，待审批部门核查"
                ),
            })
        })
    }
}

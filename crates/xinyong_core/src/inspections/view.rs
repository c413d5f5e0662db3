//! What the console and the portal show of tasks. Inspectors appear only in
//! the console, masked; the portal shows drawn tasks, their targets and,
//! once published, their results — never inspectors or findings.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;
use xinyong_domain::inspections::{InspectionTargetRow, InspectionTaskRow, InspectorRow, TaskStatus};
use xinyong_domain::subjects::SubjectRow;

use super::draw::{SeedState, seed_due, seed_state, task};
use super::results::{results_due, results_overdue};
use super::{MAX_LISTED, MAX_TARGETS, department};
use crate::auth::policy::{Action, Principal, Resource, authorize};
use crate::clock::china_offset;
use crate::error::Result;
use crate::log::Core;

/// Targets a page lists at most; the JSON record carries them all.
pub const PAGE_TARGETS: usize = 500;

/// A task in a list.
#[derive(Debug, Clone, Serialize)]
pub struct TaskSummary {
    pub task_id: String,
    pub title: String,
    pub lead_department: String,
    pub departments: Vec<String>,
    pub joint: bool,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub status: &'static str,
    pub status_label: &'static str,
    pub pool_size: u64,
    pub targets: u64,
    pub results_due: Option<NaiveDate>,
    pub overdue: bool,
    pub published_on: Option<NaiveDate>,
}

fn summary(core: &Core, r: &InspectionTaskRow) -> TaskSummary {
    TaskSummary {
        task_id: r.task_id.clone(),
        title: r.title.clone(),
        lead_department: r.lead_department.clone(),
        departments: r.departments.0.clone(),
        joint: r.departments.0.len() > 1,
        period_start: r.period_start,
        period_end: r.period_end,
        status: r.status.as_str(),
        status_label: r.status.label(),
        pool_size: r.pool_size,
        targets: r.targets,
        results_due: results_due(core, r),
        overdue: results_overdue(core, r),
        published_on: r.published_on,
    }
}

/// The tasks a department leads or joins (every task for the credit office's "all").
pub async fn tasks(core: &Core, principal: &Principal, dept: Option<&str>) -> Result<Vec<TaskSummary>> {
    let resource = match dept {
        Some(d) => Resource::Department(department(d)?),
        None => Resource::AllDepartments,
    };
    authorize(principal, Action::ViewInspections, &resource)?;
    let rows = xinyong_storage::inspections::tasks(core.store(), dept, MAX_LISTED).await?;
    Ok(rows.iter().map(|r| summary(core, r)).collect())
}

/// Drawn tasks, for the portal.
pub async fn public_tasks(core: &Core) -> Result<Vec<TaskSummary>> {
    let rows = xinyong_storage::inspections::drawn_tasks(core.store(), MAX_LISTED).await?;
    Ok(rows.iter().map(|r| summary(core, r)).collect())
}

/// One target as shown.
#[derive(Debug, Clone, Serialize)]
pub struct TargetView {
    pub position: u64,
    pub uscc: String,
    pub name: String,
    pub stratum: String,
    /// Item names checked on this visit.
    pub items: Vec<String>,
    /// Console only: masked names with ids (`张*（JN-0012）`).
    pub inspectors: Vec<String>,
    pub shortfall: Option<u32>,
    pub outcome: Option<&'static str>,
    pub outcome_label: Option<&'static str>,
    /// Console only.
    pub findings: String,
    pub rectification_deadline: Option<NaiveDate>,
}

/// A task in full.
#[derive(Debug, Clone, Serialize)]
pub struct TaskDetail {
    pub summary: TaskSummary,
    pub plan: xinyong_domain::inspections::TaskPlan,
    pub commit_index: Option<u64>,
    pub draw_index: Option<u64>,
    pub pool_digest: Option<String>,
    pub beacon: Option<String>,
    pub seed: Option<String>,
    pub checkpoint_size: Option<u64>,
    /// What the draw is waiting for, in Chinese, while committed.
    pub waiting_for: Option<String>,
    pub ready_to_draw: bool,
    pub targets: Vec<TargetView>,
    pub targets_total: usize,
    pub results_missing: usize,
}

/// A task for the console (inspectors masked) or the portal (`public`:
/// no inspectors, no findings, outcomes only once published).
pub async fn detail(core: &Core, principal: &Principal, task_id: &str, public: bool) -> Result<TaskDetail> {
    let row = task(core, task_id).await?;
    if !public {
        let own = principal.department().filter(|d| row.departments.0.iter().any(|t| t == d.as_str()));
        let resource = match own {
            Some(d) => Resource::Department(d.clone()),
            None => Resource::Department(department(&row.lead_department)?),
        };
        authorize(principal, Action::ViewInspections, &resource)?;
    } else if row.draw_seq.is_none() {
        return Err(crate::error::CoreError::NotFound {
            what: format!("抽查任务 {task_id}"),
            code: "inspection_not_found",
        });
    }
    let rows = xinyong_storage::inspections::targets(core.store(), task_id, MAX_TARGETS).await?;
    let results_missing = rows.iter().filter(|t| t.outcome.is_none()).count();
    let targets_total = rows.len();
    let item_names: HashMap<String, String> = row.plan.0.items.iter().map(|i| (i.key(), i.name.clone())).collect();
    let published = row.status == TaskStatus::Published;
    let mut targets = Vec::with_capacity(rows.len().min(PAGE_TARGETS));
    for t in rows.into_iter().take(PAGE_TARGETS) {
        targets.push(target_view(core, t, &item_names, public, published).await?);
    }
    let (waiting_for, ready_to_draw) = match row.status {
        TaskStatus::Committed => waiting(core, &row).await?,
        _ => (None, false),
    };
    Ok(TaskDetail {
        summary: summary(core, &row),
        plan: row.plan.0.clone(),
        commit_index: row.commit_seq,
        draw_index: row.draw_seq,
        pool_digest: row.pool_digest.clone(),
        beacon: row.beacon.clone(),
        seed: row.seed.clone(),
        checkpoint_size: row.checkpoint_size,
        waiting_for,
        ready_to_draw,
        targets,
        targets_total,
        results_missing,
    })
}

async fn waiting(core: &Core, row: &InspectionTaskRow) -> Result<(Option<String>, bool)> {
    let fmt = |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&china_offset()).format("%Y-%m-%d %H:%M").to_string();
    Ok(match seed_state(core, row).await? {
        SeedState::Waiting { until } => (Some(format!("等待 {} 以后签署的第一个检查点", fmt(until))), false),
        SeedState::AwaitingBeacon => (Some("等待信用办录入公开信标值".to_owned()), false),
        SeedState::AwaitingCheckpoint { due } => {
            (Some(format!("等待期已于 {} 届满，下一个检查点签署后即可抽取", fmt(due))), true)
        }
        SeedState::Ready(cp) => (Some(format!("随机种子已确定：检查点（日志长度 {}）", cp.size)), true),
    })
    .map(|(w, r)| (w.or_else(|| seed_due(row).map(fmt)), r))
}

async fn target_view(
    core: &Core,
    t: InspectionTargetRow,
    item_names: &HashMap<String, String>,
    public: bool,
    published: bool,
) -> Result<TargetView> {
    let name = core.store().get(SubjectRow::key(&t.uscc)).await?.map(|s| s.name).unwrap_or_default();
    let mask = &core.settings().mask;
    let mut inspectors = Vec::new();
    if !public {
        for id in &t.inspectors.0 {
            let row = core.store().get(InspectorRow::key(id.as_str())).await?;
            inspectors.push(match row {
                Some(r) => format!("{}（{}）", mask.mask_name(&r.name), r.inspector_id),
                None => id.clone(),
            });
        }
    }
    let show_result = !public || published;
    Ok(TargetView {
        position: t.position,
        uscc: t.uscc.as_str().to_owned(),
        name,
        stratum: t.stratum,
        items: t.items.0.iter().map(|k| item_names.get(k).cloned().unwrap_or_else(|| k.clone())).collect(),
        inspectors,
        shortfall: if public { None } else { t.eligible },
        outcome: t.outcome.filter(|_| show_result).map(|o| o.as_str()),
        outcome_label: t.outcome.filter(|_| show_result).map(|o| o.label()),
        findings: if public { String::new() } else { t.findings },
        rectification_deadline: t.rectification_deadline.filter(|_| show_result),
    })
}

/// A subject's published inspection results (portal, credit file).
#[derive(Debug, Clone, Serialize)]
pub struct SubjectInspection {
    pub task_id: String,
    pub title: String,
    pub drawn_on: Option<NaiveDate>,
    pub outcome_label: Option<&'static str>,
    pub published: bool,
}

/// The inspections a subject was drawn for; outcomes of published tasks only.
pub async fn of_subject(core: &Core, uscc: &xinyong_domain::Uscc) -> Result<Vec<SubjectInspection>> {
    let mut out = Vec::new();
    for t in xinyong_storage::inspections::targets_of_subject(core.store(), uscc, 50).await? {
        let Some(task) = core.store().get(InspectionTaskRow::key(t.task_id.as_str())).await? else { continue };
        let published = task.status == TaskStatus::Published;
        out.push(SubjectInspection {
            task_id: task.task_id,
            title: task.title,
            drawn_on: task.drawn_on,
            outcome_label: t.outcome.filter(|_| published).map(|o| o.label()),
            published,
        });
    }
    Ok(out)
}

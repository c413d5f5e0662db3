//! Results (检查结果) per target and their publication (一公开) within the
//! configured working days of the task's end.

use chrono::NaiveDate;
use xinyong_domain::Uscc;
use xinyong_domain::event::NewEvent;
use xinyong_domain::inspections::{
    InspectionOutcome, InspectionTargetRow, InspectionTaskRow, InspectionsEvent, TaskStatus,
};
use xinyong_domain::mask::find_id_numbers;

use super::draw::task;
use super::{MAX_TARGETS, MAX_TEXT_CHARS, department, not_found, text};
use crate::auth::policy::{Action, Principal, Resource, authorize};
use crate::clock::china_date;
use crate::error::{CoreError, Result};
use crate::log::Core;

/// A result as a form gives it.
#[derive(Debug, Clone, Default)]
pub struct ResultInput {
    pub task_id: String,
    pub uscc: String,
    /// `normal`, `rectification_ordered`, `problems_found`, `not_found_at_address`.
    pub outcome: String,
    pub findings: String,
    /// Required when a rectification is ordered.
    pub rectification_deadline: String,
}

/// The department a caller acts for on a task: its own when it takes part,
/// else the lead (so the credit office and outsiders are judged on it).
fn acting_department(principal: &Principal, row: &InspectionTaskRow) -> Result<Resource> {
    let own = principal.department().filter(|d| row.departments.0.iter().any(|t| t == d.as_str()));
    Ok(Resource::Department(match own {
        Some(d) => d.clone(),
        None => department(&row.lead_department)?,
    }))
}

/// Enters (or corrects, before publication) one target's result.
pub async fn enter_result(core: &Core, principal: &Principal, input: ResultInput) -> Result<()> {
    let row = task(core, input.task_id.trim()).await?;
    authorize(principal, Action::RecordInspectionResults, &acting_department(principal, &row)?)?;
    match row.status {
        TaskStatus::Drawn => {}
        TaskStatus::Published => {
            return Err(CoreError::invalid("inspection_already_published", "该任务的结果已公示，不能再修改"));
        }
        TaskStatus::Planned | TaskStatus::Committed => {
            return Err(CoreError::invalid("inspection_not_drawn", "该任务尚未抽取，不能录入结果"));
        }
    }
    let uscc = Uscc::parse(input.uscc.trim())
        .map_err(|e| CoreError::invalid("uscc_invalid", format!("统一社会信用代码无效：{e}")))?;
    if core.store().get(InspectionTargetRow::key(row.task_id.as_str(), &uscc)).await?.is_none() {
        return Err(not_found(format!("该任务的检查对象 {}", uscc.as_str())));
    }
    let outcome = InspectionOutcome::parse(input.outcome.trim()).ok_or_else(|| {
        CoreError::invalid("inspection_outcome_unknown", "检查结果应为：未发现问题、责令整改、发现问题或无法联系")
    })?;
    let findings = text("检查情况", &input.findings, outcome.is_adverse(), MAX_TEXT_CHARS)?;
    if !find_id_numbers(&findings).is_empty() {
        return Err(CoreError::invalid("inspection_findings_personal", "“检查情况”中不得填写身份证号码"));
    }
    let today = china_date(core.now());
    let deadline = match (outcome, input.rectification_deadline.trim()) {
        (InspectionOutcome::RectificationOrdered, "") => {
            return Err(CoreError::invalid("inspection_deadline_required", "责令整改须填写整改期限"));
        }
        (_, "") => None,
        (_, raw) => {
            let d = NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| {
                CoreError::invalid("inspection_date_invalid", format!("整改期限应为 YYYY-MM-DD：{raw}"))
            })?;
            if d < today {
                return Err(CoreError::invalid("inspection_deadline_past", "整改期限不能早于今天"));
            }
            Some(d)
        }
    };
    let body = InspectionsEvent::InspectionResultEntered {
        task_id: row.task_id,
        uscc,
        outcome,
        findings,
        rectification_deadline: deadline,
        entered_by: principal.actor().as_str().to_owned(),
        entered_on: today,
    };
    core.append(vec![NewEvent::new(principal.actor(), body)]).await?;
    Ok(())
}

/// Publishes a task's results once every target has one.
pub async fn publish(core: &Core, principal: &Principal, task_id: &str) -> Result<()> {
    let row = task(core, task_id).await?;
    authorize(principal, Action::PublishInspections, &Resource::Department(department(&row.lead_department)?))?;
    if row.status != TaskStatus::Drawn {
        return Err(CoreError::invalid("inspection_not_drawn", "只有已抽取、尚未公示的任务可以公示结果"));
    }
    let targets = xinyong_storage::inspections::targets(core.store(), task_id, MAX_TARGETS).await?;
    let missing = targets.iter().filter(|t| t.outcome.is_none()).count();
    if missing > 0 {
        return Err(CoreError::invalid(
            "inspection_results_incomplete",
            format!("还有 {missing} 户检查对象没有录入结果，录入后才能公示"),
        ));
    }
    let body = InspectionsEvent::InspectionResultsPublished {
        task_id: task_id.to_owned(),
        published_on: china_date(core.now()),
        published_by: principal.actor().as_str().to_owned(),
    };
    core.append(vec![NewEvent::new(principal.actor(), body)]).await?;
    Ok(())
}

/// The last day to publish a task's results: the configured working days
/// after the end of its period, on the calendar in force.
pub fn results_due(core: &Core, row: &InspectionTaskRow) -> Option<NaiveDate> {
    let n = core.settings().inspections.publish_within_working_days;
    core.rules().calendar.add_working_days(row.period_end, n).ok()
}

/// Whether the results are late: not published and past the deadline.
pub fn results_overdue(core: &Core, row: &InspectionTaskRow) -> bool {
    let today = china_date(core.now());
    row.status != TaskStatus::Published && results_due(core, row).is_some_and(|due| today > due)
}

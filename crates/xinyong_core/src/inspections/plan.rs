//! Planning a task: items (of one department, or several for a joint task),
//! the period, the sampling ratio of each supervision class (within the
//! model's range; DOMAIN §7), the boosted subjects, bounds per stratum, the
//! number of inspectors per target and how the seed is fixed.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use xinyong_domain::Uscc;
use xinyong_domain::evaluation::ScorecardModel;
use xinyong_domain::event::NewEvent;
use xinyong_domain::inspections::{
    InspectionItemRow, InspectionTaskRow, InspectionsEvent, MAX_ITEMS_PER_TASK, PlannedItem, StratumPlan, TaskPlan,
    TaskStatus,
};
use xinyong_domain::lottery::{MIN_INSPECTORS_PER_TARGET, NO_MAX, StratumName};

use super::{department, not_found, text, words};
use crate::auth::policy::{Action, Principal, Resource, authorize};
use crate::clock::china_date;
use crate::error::{CoreError, Result};
use crate::log::Core;

/// The boosted stratum's name.
pub const BOOSTED: &str = "重点";
/// Subjects a plan may name as boosted.
const MAX_BOOSTED: usize = 10_000;

/// A plan as a form gives it.
#[derive(Debug, Clone, Default)]
pub struct PlanInput {
    /// Empty for a new task; an existing task's id re-plans it (before its commitment).
    pub task_id: String,
    pub title: String,
    pub lead_department: String,
    /// Items as `department:code`, separated by spaces or commas.
    pub items: String,
    pub period_start: String,
    pub period_end: String,
    /// Ratio per supervision class in percent (decimals allowed); a class
    /// left out gets the middle of the model's range.
    pub class_percent: BTreeMap<String, String>,
    /// The boosted stratum's ratio in percent.
    pub boosted_percent: String,
    /// Subjects to boost (complaints, risk clues), by code.
    pub boosted: String,
    pub min_per_stratum: String,
    pub max_per_stratum: String,
    pub per_target: String,
    pub seed_delay_minutes: String,
    pub beacon_required: bool,
}

fn invalid(code: &'static str, message: impl Into<String>) -> CoreError {
    CoreError::invalid(code, message.into())
}

fn date(field: &str, raw: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| invalid("inspection_date_invalid", format!("“{field}”应为 YYYY-MM-DD 格式的日期：{}", raw.trim())))
}

fn number(field: &str, raw: &str, default: u32) -> Result<u32> {
    let t = raw.trim();
    if t.is_empty() {
        return Ok(default);
    }
    t.parse().map_err(|_| invalid("inspection_number_invalid", format!("“{field}”应为非负整数：{t}")))
}

/// Percent with up to two decimals as basis points.
fn basis_points(field: &str, raw: &str) -> Result<u32> {
    let t = raw.trim().trim_end_matches('%');
    let bad = || {
        invalid("inspection_ratio_invalid", format!("“{field}”应为 0–100 之间的百分比（最多两位小数）：{}", raw.trim()))
    };
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    if whole.is_empty() || frac.len() > 2 || !whole.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let whole: u32 = whole.parse().map_err(|_| bad())?;
    let frac: u32 = if frac.is_empty() { 0 } else { format!("{frac:0<2}").parse().map_err(|_| bad())? };
    let bp = whole.saturating_mul(100).saturating_add(frac);
    if bp > 10_000 { Err(bad()) } else { Ok(bp) }
}

/// One stratum per supervision class of the model, ratios checked against
/// the class's range, then the boosted stratum.
fn strata(model: &ScorecardModel, input: &PlanInput, min: u32, max: u32) -> Result<Vec<StratumPlan>> {
    let mut out = Vec::with_capacity(model.supervision.len() + 1);
    for class in &model.supervision {
        let (lo, hi) = (class.ratio_min_percent * 100, class.ratio_max_percent * 100);
        let name = format!("{}类", class.class);
        let bp = match input.class_percent.get(&class.class).map(|s| s.trim()).filter(|s| !s.is_empty()) {
            Some(raw) => basis_points(&format!("{name}抽查比例"), raw)?,
            None => (lo + hi) / 2,
        };
        if !(lo..=hi).contains(&bp) {
            return Err(invalid(
                "inspection_ratio_outside_class",
                format!(
                    "{name}（{}）的抽查比例 {:.2}% 不在评价模型规定的 {}%–{}% 之间",
                    class.label,
                    f64::from(bp) / 100.0,
                    class.ratio_min_percent,
                    class.ratio_max_percent
                ),
            ));
        }
        let name = StratumName::parse(&name).map_err(|e| invalid(e.code(), e.to_string()))?;
        out.push(StratumPlan { name, class: Some(class.class.clone()), ratio_bp: bp, min, max });
    }
    let boosted_bp = if input.boosted_percent.trim().is_empty() {
        10_000
    } else {
        basis_points("重点对象抽查比例", &input.boosted_percent)?
    };
    let name = StratumName::parse(BOOSTED).map_err(|e| invalid(e.code(), e.to_string()))?;
    out.push(StratumPlan { name, class: None, ratio_bp: boosted_bp, min, max });
    Ok(out)
}

/// The items named, each active on its department's list; their
/// departments, the lead's first.
async fn planned_items(core: &Core, lead: &str, raw: &str) -> Result<(Vec<PlannedItem>, Vec<String>)> {
    let keys = words(raw);
    if keys.is_empty() || keys.len() > MAX_ITEMS_PER_TASK {
        return Err(invalid("inspection_items_invalid", format!("抽查任务须包含 1–{MAX_ITEMS_PER_TASK} 个抽查事项")));
    }
    let mut items: Vec<PlannedItem> = Vec::with_capacity(keys.len());
    let mut departments = vec![lead.to_owned()];
    for key in keys {
        let (dept, code) = key.split_once(':').unwrap_or((lead, key.as_str()));
        let row = core.store().get(InspectionItemRow::key(dept, code)).await?;
        let Some(row) = row.filter(|r| r.active) else {
            return Err(invalid("inspection_item_unknown", format!("抽查事项“{key}”不在该部门现行的抽查事项清单中")));
        };
        let item =
            PlannedItem { department: row.department, code: row.code, name: row.name, legal_basis: row.legal_basis };
        if items.iter().any(|i| i.key() == item.key()) {
            continue;
        }
        if !departments.contains(&item.department) {
            departments.push(item.department.clone());
        }
        items.push(item);
    }
    Ok((items, departments))
}

fn boosted(raw: &str) -> Result<Vec<Uscc>> {
    let mut out = Vec::new();
    for w in words(raw) {
        out.push(
            Uscc::parse(&w)
                .map_err(|e| invalid("uscc_invalid", format!("重点对象的统一社会信用代码“{w}”无效：{e}")))?,
        );
    }
    if out.len() > MAX_BOOSTED {
        return Err(invalid("inspection_boosted_too_many", format!("重点对象最多 {MAX_BOOSTED} 个")));
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// Plans a task, or re-plans one not yet committed. Returns its id.
pub async fn plan_task(core: &Core, principal: &Principal, input: PlanInput) -> Result<String> {
    let lead = department(&input.lead_department)?;
    authorize(principal, Action::PlanInspections, &Resource::Department(lead.clone()))?;
    let settings = &core.settings().inspections;
    let rules = core.rules();
    let model =
        rules.local_model().ok_or_else(|| invalid("model_missing", "没有现行的本地评价模型，无法按监管类别分层"))?;
    let (items, departments) = planned_items(core, lead.as_str(), &input.items).await?;
    let (start, end) = (date("检查开始日期", &input.period_start)?, date("检查结束日期", &input.period_end)?);
    if end < start {
        return Err(invalid("inspection_period_invalid", "检查结束日期早于开始日期"));
    }
    let min = number("每层最少抽取", &input.min_per_stratum, 0)?;
    let max = number("每层最多抽取", &input.max_per_stratum, NO_MAX)?;
    if min > max {
        return Err(invalid("lottery_min_above_max", format!("每层最少抽取 {min} 户多于最多抽取 {max} 户")));
    }
    let per_target = number("每户检查人员", &input.per_target, MIN_INSPECTORS_PER_TARGET)?;
    if !(MIN_INSPECTORS_PER_TARGET..=10).contains(&per_target) {
        return Err(invalid("lottery_per_target_invalid", "每户检查人员应为 2–10 人（执法检查不少于两人）"));
    }
    let delay = number("种子等待时间（分钟）", &input.seed_delay_minutes, settings.seed_delay_minutes)?;
    if delay < settings.min_seed_delay_minutes || delay > 7 * 24 * 60 {
        return Err(invalid(
            "lottery_seed_delay_invalid",
            format!("种子等待时间应在 {} 分钟到 7 天之间", settings.min_seed_delay_minutes),
        ));
    }
    let task_id = task_id_for(core, &input.task_id, lead.as_str(), start).await?;
    let plan = TaskPlan {
        task_id: task_id.clone(),
        title: text("任务名称", &input.title, true, 100)?,
        lead_department: lead.as_str().to_owned(),
        departments,
        items,
        period_start: start,
        period_end: end,
        model: model.name.as_str().to_owned(),
        strata: strata(model, &input, min, max)?,
        boosted: boosted(&input.boosted)?,
        per_target,
        seed_delay_minutes: delay,
        beacon_required: input.beacon_required,
    };
    let body = InspectionsEvent::InspectionTaskPlanned {
        plan,
        planned_by: principal.actor().as_str().to_owned(),
        planned_on: china_date(core.now()),
    };
    core.append(vec![NewEvent::new(principal.actor(), body)]).await?;
    Ok(task_id)
}

/// The id of a new task (`<lead>-<year>-<n>`), or the existing one to re-plan.
async fn task_id_for(core: &Core, given: &str, lead: &str, start: NaiveDate) -> Result<String> {
    let given = given.trim();
    if !given.is_empty() {
        let row = core.store().get(InspectionTaskRow::key(given)).await?;
        let row = row.ok_or_else(|| not_found(format!("抽查任务 {given}")))?;
        if row.lead_department != lead {
            return Err(invalid("inspection_not_lead", "只有牵头部门可以修改抽查计划"));
        }
        if row.status != TaskStatus::Planned {
            return Err(invalid("inspection_already_committed", "抽查名单已锁定并写入日志，计划不能再修改"));
        }
        return Ok(given.to_owned());
    }
    let year = start.format("%Y").to_string();
    let existing = xinyong_storage::inspections::tasks(core.store(), Some(lead), super::MAX_LISTED).await?;
    let prefix = format!("{lead}-{year}-");
    let n = existing.iter().filter(|t| t.task_id.starts_with(&prefix)).count() + 1;
    Ok(format!("{prefix}{n:04}"))
}

//! Timeliness of disclosure (十五.1): administrative acts go online within 7
//! working days of the decision (or the catalog item's own deadline),
//! counted on the official 调休 calendar.

use chrono::NaiveDate;
use serde::Serialize;
use xinyong_domain::auth::DepartmentCode;
use xinyong_domain::collection::AcceptedRecord;
use xinyong_storage::collection;

use crate::error::Result;
use crate::log::Core;

/// One department × item line of the timeliness report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelinessLine {
    pub department: String,
    pub department_name: String,
    pub item: String,
    pub item_name: String,
    pub total: u64,
    pub on_time: u64,
    pub late: u64,
    /// Records whose working days could not be counted (unpublished year).
    pub unknown: u64,
    /// on_time / (total − unknown), 0–1; `None` when nothing is countable.
    pub on_time_share: Option<f64>,
    pub average_working_days: Option<f64>,
    pub max_working_days: i64,
}

/// A late record, as listed on the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OverdueRecord {
    pub record_id: String,
    pub department: String,
    pub item: String,
    pub document_number: String,
    /// The subject's name for organisations; natural persons are not named.
    pub subject: String,
    pub decision_date: NaiveDate,
    pub received_date: NaiveDate,
    pub working_days: i64,
    pub deadline_working_days: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelinessReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub lines: Vec<TimelinessLine>,
    pub total: u64,
    pub on_time: u64,
    pub on_time_share: Option<f64>,
    pub overdue: Vec<OverdueRecord>,
}

/// Records shown on the overdue list at most.
pub const OVERDUE_LIMIT: u32 = 200;

fn share(on_time: u64, countable: u64) -> Option<f64> {
    (countable > 0).then(|| on_time as f64 / countable as f64)
}

fn overdue(r: AcceptedRecord) -> OverdueRecord {
    OverdueRecord {
        subject: if r.subject.is_natural_person() { "（自然人）".to_owned() } else { r.subject.name.clone() },
        record_id: r.id,
        department: r.department.to_string(),
        item: r.item,
        document_number: r.document_number,
        decision_date: r.decision_date,
        received_date: r.received_date,
        working_days: r.working_days.unwrap_or_default(),
        deadline_working_days: r.deadline_working_days,
    }
}

/// The report for records received between `from` and `to` (inclusive),
/// optionally for one department.
pub async fn timeliness(
    core: &Core,
    from: NaiveDate,
    to: NaiveDate,
    department: Option<&DepartmentCode>,
) -> Result<TimelinessReport> {
    let names: std::collections::HashMap<String, String> =
        crate::auth::departments(core).await?.into_iter().map(|d| (d.code.to_string(), d.name)).collect();
    let catalog = &core.rules().catalog;
    let lines: Vec<TimelinessLine> = collection::timeliness(core.store(), from, to, department)
        .await?
        .into_iter()
        .map(|r| {
            let countable = r.total - r.unknown;
            TimelinessLine {
                department_name: names.get(&r.department).cloned().unwrap_or_else(|| r.department.clone()),
                item_name: catalog.item(&r.item).map_or_else(|| r.item.clone(), |i| i.name().to_owned()),
                late: countable - r.on_time,
                on_time_share: share(r.on_time, countable),
                average_working_days: (countable > 0).then(|| r.sum_working_days as f64 / countable as f64),
                max_working_days: r.max_working_days,
                department: r.department,
                item: r.item,
                total: r.total,
                on_time: r.on_time,
                unknown: r.unknown,
            }
        })
        .collect();
    let total: u64 = lines.iter().map(|l| l.total).sum();
    let on_time: u64 = lines.iter().map(|l| l.on_time).sum();
    let countable: u64 = lines.iter().map(|l| l.total - l.unknown).sum();
    let overdue = collection::overdue_records(core.store(), from, to, department, OVERDUE_LIMIT)
        .await?
        .into_iter()
        .map(|r| overdue(r.into_record()))
        .collect();
    Ok(TimelinessReport { from, to, lines, total, on_time, on_time_share: share(on_time, countable), overdue })
}

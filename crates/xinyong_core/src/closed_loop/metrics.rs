//! How the closed loop performs (DOMAIN.md §10): per measure and executing
//! department, how many pushes were acknowledged (响应) and fed back (反馈)
//! and how long that took; per department, 应查必查 coverage — the share of
//! reported cases that have a credit-check receipt with the same case
//! reference — and the checks made.
//!
//! Aggregated in the database, which returns one row per measure ×
//! department (and per department for coverage and checks): nothing here
//! grows with the number of pushes, cases or checks.

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, NaiveTime};
use serde::Serialize;
use xinyong_domain::auth::DepartmentCode;
use xinyong_storage::checks;
use xinyong_storage::closed_loop::{self, Duration, Group, PushTotals, PushWindow};

use crate::error::Result;
use crate::log::Core;

/// Pushes neither fed back nor lifted this many days after the push count as
/// overdue by default.
pub const DEFAULT_PENDING_DAYS: u32 = 7;

/// Which pushes, cases and checks to count.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoopFilter {
    /// First day (China time) of pushes / cases handled / checks made.
    pub from: Option<NaiveDate>,
    /// Last day, inclusive.
    pub to: Option<NaiveDate>,
    /// One department only (a department user's own view).
    pub department: Option<DepartmentCode>,
    /// Days after which an open push counts as overdue
    /// ([`DEFAULT_PENDING_DAYS`] when `None`).
    pub pending_days: Option<u32>,
}

/// Median and mean of a duration, in hours.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Hours {
    pub median: Option<f64>,
    pub mean: Option<f64>,
}

/// Counts shared by a measure line and a department line.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LoopCounts {
    pub pushed: u64,
    /// Acknowledged (响应).
    pub responded: u64,
    /// Execution fed back (反馈).
    pub fed_back: u64,
    pub lifted: u64,
    /// Neither fed back nor lifted, pushed more than `pending_days` ago.
    pub pending_overdue: u64,
    /// Push → acknowledgement.
    pub response_hours: Hours,
    /// Push → feedback.
    pub feedback_hours: Hours,
}

impl LoopCounts {
    /// responded / pushed, 0–1.
    pub fn response_share(&self) -> Option<f64> {
        (self.pushed > 0).then(|| self.responded as f64 / self.pushed as f64)
    }

    /// fed_back / pushed, 0–1.
    pub fn feedback_share(&self) -> Option<f64> {
        (self.pushed > 0).then(|| self.fed_back as f64 / self.pushed as f64)
    }
}

/// One measure × executing department.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeasureLine {
    pub measure: String,
    pub measure_name: String,
    pub department: String,
    pub department_name: String,
    #[serde(flatten)]
    pub counts: LoopCounts,
}

/// One executing department, all measures, with 应查必查 coverage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DepartmentLine {
    pub department: String,
    pub department_name: String,
    #[serde(flatten)]
    pub counts: LoopCounts,
    /// Cases the department reported as handled.
    pub cases_reported: u64,
    /// Of those, cases with a credit-check receipt of the same department and case reference.
    pub cases_checked: u64,
    /// cases_checked / cases_reported, 0–1.
    pub coverage: Option<f64>,
    /// Credit checks the department made.
    pub checks_made: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoopMetrics {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub pending_days: u32,
    pub lines: Vec<MeasureLine>,
    pub departments: Vec<DepartmentLine>,
    pub totals: LoopCounts,
}

/// The first instant (ms) of a China Standard Time day.
fn day_start_ms(day: NaiveDate) -> i64 {
    day.and_time(NaiveTime::MIN)
        .and_local_timezone(crate::clock::china_offset())
        .single()
        .map_or(i64::MIN, |t| t.timestamp_millis())
}

/// The pushes a filter counts, as a window of push times: from the start of
/// `from` (China time) to the start of the day after `to`.
fn window(filter: &LoopFilter, overdue_before_ms: i64) -> PushWindow {
    PushWindow {
        from_ms: filter.from.map_or(i64::MIN, day_start_ms),
        until_ms: filter.to.and_then(|t| t.succ_opt()).map_or(i64::MAX, day_start_ms),
        department: filter.department.clone(),
        overdue_before_ms,
    }
}

/// Hours from ms.
fn hours(ms: f64) -> f64 {
    ms / 3_600_000.0
}

/// Counts and sums of pushes: one line, or several merged.
#[derive(Default)]
struct Acc {
    pushed: u64,
    responded: u64,
    fed_back: u64,
    lifted: u64,
    pending_overdue: u64,
    response_ms: i64,
    feedback_ms: i64,
}

impl Acc {
    fn add(&mut self, t: &PushTotals) {
        self.pushed += t.pushed;
        self.responded += t.responded;
        self.fed_back += t.fed_back;
        self.lifted += t.lifted;
        self.pending_overdue += t.pending_overdue;
        self.response_ms = self.response_ms.saturating_add(t.response_ms);
        self.feedback_ms = self.feedback_ms.saturating_add(t.feedback_ms);
    }

    /// The counts with the means from the sums and the medians found in SQL.
    fn counts(&self, group: &Group, medians: &HashMap<(Duration, Group), f64>) -> LoopCounts {
        let time = |d: Duration, sum: i64, n: u64| Hours {
            median: medians.get(&(d, group.clone())).map(|ms| hours(*ms)),
            mean: (n > 0).then(|| hours(sum as f64) / n as f64),
        };
        LoopCounts {
            pushed: self.pushed,
            responded: self.responded,
            fed_back: self.fed_back,
            lifted: self.lifted,
            pending_overdue: self.pending_overdue,
            response_hours: time(Duration::Response, self.response_ms, self.responded),
            feedback_hours: time(Duration::Feedback, self.feedback_ms, self.fed_back),
        }
    }
}

/// The closed-loop report. Every figure is aggregated in SQL
/// (`xinyong_storage::closed_loop`, `::checks`): counts and sums per measure
/// × department, medians with window functions, coverage and checks per
/// department; here they are only merged and named.
pub async fn loop_metrics(core: &Core, filter: &LoopFilter) -> Result<LoopMetrics> {
    let pending_days = filter.pending_days.unwrap_or(DEFAULT_PENDING_DAYS);
    let overdue_before_ms = core.now().timestamp_millis() - i64::from(pending_days) * 86_400_000;
    let window = window(filter, overdue_before_ms);
    let store = core.store();
    let totals = closed_loop::push_totals(store, &window).await?;
    let medians: HashMap<(Duration, Group), f64> =
        closed_loop::push_medians(store, &window).await?.into_iter().map(|m| ((m.of, m.group), m.median_ms)).collect();
    let only = filter.department.as_ref();
    let coverage = checks::coverage(store, filter.from, filter.to, only).await?;
    let checks_made: HashMap<String, u64> =
        checks::checks_made(store, window.from_ms, window.until_ms, only).await?.into_iter().collect();

    let names: HashMap<String, String> =
        crate::auth::departments(core).await?.into_iter().map(|d| (d.code.to_string(), d.name)).collect();
    let name_of = |code: &str| names.get(code).cloned().unwrap_or_else(|| code.to_owned());
    let sanctions = &core.rules().sanctions;

    let mut by_department: BTreeMap<String, Acc> = BTreeMap::new();
    let mut total = Acc::default();
    let mut lines = Vec::with_capacity(totals.len());
    for t in &totals {
        by_department.entry(t.department.clone()).or_default().add(t);
        total.add(t);
        let mut acc = Acc::default();
        acc.add(t);
        let group = Group::Line { measure: t.measure.clone(), department: t.department.clone() };
        lines.push(MeasureLine {
            measure_name: sanctions.measure(&t.measure).map_or_else(|| t.measure.clone(), |m| m.name.clone()),
            measure: t.measure.clone(),
            department_name: name_of(&t.department),
            department: t.department.clone(),
            counts: acc.counts(&group, &medians),
        });
    }
    // Departments that only reported cases or made checks still get a line.
    let cases: HashMap<String, (u64, u64)> =
        coverage.into_iter().map(|c| (c.department, (c.reported, c.checked))).collect();
    for dept in cases.keys().chain(checks_made.keys()) {
        by_department.entry(dept.clone()).or_default();
    }
    let departments = by_department
        .iter()
        .map(|(dept, acc)| {
            let (reported, covered) = cases.get(dept).copied().unwrap_or_default();
            DepartmentLine {
                department: dept.clone(),
                department_name: name_of(dept),
                counts: acc.counts(&Group::Department(dept.clone()), &medians),
                cases_reported: reported,
                cases_checked: covered,
                coverage: (reported > 0).then(|| covered as f64 / reported as f64),
                checks_made: checks_made.get(dept).copied().unwrap_or_default(),
            }
        })
        .collect();
    let totals = total.counts(&Group::Total, &medians);
    Ok(LoopMetrics { from: filter.from, to: filter.to, pending_days, lines, departments, totals })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_period_is_whole_china_days_inclusive_and_open_ended() {
        let d = |s: &str| s.parse::<NaiveDate>().ok();
        let f = LoopFilter { from: d("2026-01-01"), to: d("2026-01-31"), ..LoopFilter::default() };
        let w = window(&f, 0);
        // 2026-01-01 00:00 in Jinan is 2025-12-31 16:00 UTC.
        assert_eq!(w.from_ms, 1_767_196_800_000);
        assert_eq!(w.until_ms - w.from_ms, 31 * 86_400_000);
        let open = window(&LoopFilter::default(), 0);
        assert_eq!((open.from_ms, open.until_ms), (i64::MIN, i64::MAX));
    }
}

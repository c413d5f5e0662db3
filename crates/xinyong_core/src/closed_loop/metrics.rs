//! How the closed loop performs (DOMAIN.md §10): per measure and executing
//! department, how many pushes were acknowledged (响应) and fed back (反馈)
//! and how long that took; per department, 应查必查 coverage — the share of
//! reported cases that have a credit-check receipt with the same case
//! reference — and the checks made.
//!
//! Computed in memory from `measure_pushes`, `reported_cases` and
//! `check_receipts`, read whole. That is fine for a city's first years (tens
//! of thousands of pushes and cases); past a few hundred thousand rows this
//! wants SQL aggregation in the store (`GROUP BY measure, department` with
//! the date filter in the WHERE clause, as `Store::timeliness` does), and
//! medians from `percentile_cont` on PostgreSQL.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, NaiveDate};
use serde::Serialize;
use xinyong_domain::auth::DepartmentCode;
use xinyong_domain::checks::{ReceiptRow, ReportedCaseRow};
use xinyong_domain::closed_loop::PushRow;

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

impl Hours {
    fn of(mut values: Vec<f64>) -> Hours {
        if values.is_empty() {
            return Hours::default();
        }
        values.sort_by(f64::total_cmp);
        let n = values.len();
        let median = if n % 2 == 1 { values[n / 2] } else { (values[n / 2 - 1] + values[n / 2]) / 2.0 };
        Hours { median: Some(median), mean: Some(values.iter().sum::<f64>() / n as f64) }
    }
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

fn china_day(ms: i64) -> Option<NaiveDate> {
    DateTime::from_timestamp_millis(ms).map(crate::clock::china_date)
}

fn in_period(filter: &LoopFilter, day: Option<NaiveDate>) -> bool {
    match day {
        None => filter.from.is_none() && filter.to.is_none(),
        Some(d) => filter.from.is_none_or(|f| d >= f) && filter.to.is_none_or(|t| d <= t),
    }
}

fn hours(from_ms: i64, to_ms: i64) -> f64 {
    (to_ms - from_ms).max(0) as f64 / 3_600_000.0
}

/// Raw per-group material before medians are taken.
#[derive(Default)]
struct Acc {
    pushed: u64,
    responded: u64,
    fed_back: u64,
    lifted: u64,
    pending_overdue: u64,
    response: Vec<f64>,
    feedback: Vec<f64>,
}

impl Acc {
    fn add(&mut self, p: &PushRow, overdue_before_ms: i64) {
        self.pushed += 1;
        let pushed = p.pushed_ms;
        if let Some(a) = p.acked_ms {
            self.responded += 1;
            self.response.push(hours(pushed, a));
        }
        if let Some(e) = p.executed_ms {
            self.fed_back += 1;
            self.feedback.push(hours(pushed, e));
        }
        if p.lifted_ms.is_some() {
            self.lifted += 1;
        }
        if p.executed_ms.is_none() && p.lifted_ms.is_none() && pushed < overdue_before_ms {
            self.pending_overdue += 1;
        }
    }

    fn merge(&mut self, other: &Acc) {
        self.pushed += other.pushed;
        self.responded += other.responded;
        self.fed_back += other.fed_back;
        self.lifted += other.lifted;
        self.pending_overdue += other.pending_overdue;
        self.response.extend_from_slice(&other.response);
        self.feedback.extend_from_slice(&other.feedback);
    }

    fn counts(&self) -> LoopCounts {
        LoopCounts {
            pushed: self.pushed,
            responded: self.responded,
            fed_back: self.fed_back,
            lifted: self.lifted,
            pending_overdue: self.pending_overdue,
            response_hours: Hours::of(self.response.clone()),
            feedback_hours: Hours::of(self.feedback.clone()),
        }
    }
}

/// The closed-loop report.
pub async fn loop_metrics(core: &Core, filter: &LoopFilter) -> Result<LoopMetrics> {
    let pending_days = filter.pending_days.unwrap_or(DEFAULT_PENDING_DAYS);
    let overdue_before_ms = core.now().timestamp_millis() - i64::from(pending_days) * 86_400_000;
    let only = filter.department.as_ref().map(DepartmentCode::as_str);
    let wanted = |d: &str| only.is_none_or(|o| o == d);

    let mut by_line: BTreeMap<(String, String), Acc> = BTreeMap::new();
    for p in core.store().all::<PushRow>().await? {
        if !wanted(p.department.as_str()) || !in_period(filter, china_day(p.pushed_ms)) {
            continue;
        }
        by_line.entry((p.measure.clone(), p.department.as_str().to_owned())).or_default().add(&p, overdue_before_ms);
    }

    // 应查必查: a reported case is covered when the same department checked
    // with the same case reference (whenever the check was made).
    let receipts = core.store().all::<ReceiptRow>().await?;
    let mut checked: HashSet<(String, String)> = HashSet::new();
    let mut checks_made: HashMap<String, u64> = HashMap::new();
    for r in &receipts {
        let dept = r.department.as_str();
        if let Some(case_ref) = &r.case_ref {
            checked.insert((dept.to_owned(), case_ref.clone()));
        }
        if wanted(dept) && in_period(filter, china_day(r.time_ms)) {
            *checks_made.entry(dept.to_owned()).or_default() += 1;
        }
    }
    let mut cases: HashMap<String, (u64, u64)> = HashMap::new();
    for c in core.store().all::<ReportedCaseRow>().await? {
        let dept = c.department.as_str();
        if !wanted(dept) || !in_period(filter, Some(c.handled_on)) {
            continue;
        }
        let entry = cases.entry(dept.to_owned()).or_default();
        entry.0 += 1;
        if checked.contains(&(dept.to_owned(), c.case_ref.clone())) {
            entry.1 += 1;
        }
    }

    let names: HashMap<String, String> =
        crate::auth::departments(core).await?.into_iter().map(|d| (d.code.to_string(), d.name)).collect();
    let name_of = |code: &str| names.get(code).cloned().unwrap_or_else(|| code.to_owned());
    let sanctions = &core.rules().sanctions;

    let mut by_department: BTreeMap<String, Acc> = BTreeMap::new();
    let mut total = Acc::default();
    let mut lines = Vec::with_capacity(by_line.len());
    for ((measure, department), acc) in &by_line {
        by_department.entry(department.clone()).or_default().merge(acc);
        total.merge(acc);
        lines.push(MeasureLine {
            measure_name: sanctions.measure(measure).map_or_else(|| measure.clone(), |m| m.name.clone()),
            measure: measure.clone(),
            department_name: name_of(department),
            department: department.clone(),
            counts: acc.counts(),
        });
    }
    // Departments that only reported cases or made checks still get a line.
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
                counts: acc.counts(),
                cases_reported: reported,
                cases_checked: covered,
                coverage: (reported > 0).then(|| covered as f64 / reported as f64),
                checks_made: checks_made.get(dept).copied().unwrap_or_default(),
            }
        })
        .collect();
    Ok(LoopMetrics { from: filter.from, to: filter.to, pending_days, lines, departments, totals: total.counts() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_of_odd_and_even_counts() {
        assert_eq!(Hours::of(vec![]), Hours::default());
        assert_eq!(Hours::of(vec![3.0, 1.0, 2.0]).median, Some(2.0));
        let h = Hours::of(vec![4.0, 1.0, 2.0, 3.0]);
        assert_eq!(h.median, Some(2.5));
        assert_eq!(h.mean, Some(2.5));
    }

    #[test]
    fn periods_are_inclusive_and_open_ended() {
        let d = |s: &str| s.parse::<NaiveDate>().ok();
        let f = LoopFilter { from: d("2026-01-01"), to: d("2026-01-31"), ..LoopFilter::default() };
        assert!(in_period(&f, d("2026-01-01")));
        assert!(in_period(&f, d("2026-01-31")));
        assert!(!in_period(&f, d("2026-02-01")));
        assert!(in_period(&LoopFilter::default(), d("1999-01-01")));
    }
}

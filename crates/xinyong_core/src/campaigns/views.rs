//! What the console shows of campaigns: the list, a campaign with its
//! subjects and their progress, the interviews waiting, and the dashboard's
//! figures (status counts, activity by day, subjects by department).
//! Console users only; subjects are organisations, never natural persons.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;
use xinyong_domain::auth::DepartmentCode;
use xinyong_domain::campaigns::{
    CampaignEvidenceRow, CampaignProgressRow, CampaignRow, CampaignSubjectRow, RectificationStatus,
};
use xinyong_domain::codes::division::DivisionCode;
use xinyong_storage::campaigns as queries;

use crate::auth::names::department_names;
use crate::auth::policy::{Action, Principal, Resource, authorize, scope};
use crate::collection::intake::china_today;
use crate::error::Result;
use crate::log::Core;

/// Campaigns the list shows: the newest.
pub const MAX_LISTED: u32 = 200;
/// Interviews waiting that one page shows.
const MAX_WAITING: u32 = 500;

/// Subjects per status, in [`RectificationStatus::ALL`] order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StatusCounts {
    pub counts: [u64; 5],
}

impl StatusCounts {
    fn add(&mut self, status: &str, n: u64) {
        if let Some(i) = RectificationStatus::ALL.iter().position(|s| s.as_str() == status) {
            self.counts[i] += n;
        }
    }

    pub fn get(&self, status: RectificationStatus) -> u64 {
        RectificationStatus::ALL.iter().position(|s| *s == status).map_or(0, |i| self.counts[i])
    }

    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Status, its Chinese name and count, in order.
    pub fn named(&self) -> Vec<(&'static str, &'static str, u64)> {
        RectificationStatus::ALL.iter().zip(self.counts).map(|(s, n)| (s.as_str(), s.name_zh(), n)).collect()
    }
}

/// A campaign as the list and the heads of its pages show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CampaignSummary {
    pub campaign_id: String,
    pub name: String,
    pub basis: String,
    pub department: String,
    pub department_name: String,
    pub list_code: String,
    pub list_name: String,
    pub district: Option<String>,
    /// The district's name, or 全市.
    pub area_name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub opened_on: NaiveDate,
    pub opened_by: String,
    /// 未开始 / 进行中 / 已结束, on today's date.
    pub phase: &'static str,
    pub counts: StatusCounts,
}

fn name_of(names: &BTreeMap<String, String>, code: &DepartmentCode) -> String {
    names.get(code.as_str()).cloned().unwrap_or_else(|| code.as_str().to_owned())
}

async fn summary(core: &Core, row: CampaignRow, names: &BTreeMap<String, String>) -> Result<CampaignSummary> {
    let mut counts = StatusCounts::default();
    for (_, status, n) in queries::counts_by_department(core.store(), &row.campaign_id).await? {
        counts.add(&status, n);
    }
    let today = china_today(core);
    let phase = if today < row.starts_on {
        "未开始"
    } else if today > row.ends_on {
        "已结束"
    } else {
        "进行中"
    };
    let area_name = match &row.district {
        None => "全市".to_owned(),
        Some(d) => DivisionCode::parse(d).map_or_else(|_| d.clone(), |c| c.name().to_owned()),
    };
    let rules = core.rules();
    Ok(CampaignSummary {
        list_name: rules.sanctions.list(&row.list_code).map_or_else(|| row.list_code.clone(), |l| l.name.clone()),
        department_name: name_of(names, &row.department),
        department: row.department.as_str().to_owned(),
        campaign_id: row.campaign_id,
        name: row.name,
        basis: row.basis,
        list_code: row.list_code,
        district: row.district,
        area_name,
        starts_on: row.starts_on,
        ends_on: row.ends_on,
        opened_on: row.opened_on,
        opened_by: row.opened_by,
        phase,
        counts,
    })
}

/// The newest campaigns.
pub async fn campaigns(core: &Core, principal: &Principal) -> Result<Vec<CampaignSummary>> {
    authorize(principal, Action::ViewCampaigns, &Resource::Platform)?;
    let names = department_names(core).await?;
    let mut out = Vec::new();
    for row in queries::campaigns(core.store(), MAX_LISTED).await? {
        out.push(summary(core, row, &names).await?);
    }
    Ok(out)
}

/// One progress entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProgressView {
    pub entry_no: u64,
    pub reported_on: NaiveDate,
    pub note: String,
    pub reported_by: String,
    pub evidence_name: Option<String>,
}

impl From<CampaignProgressRow> for ProgressView {
    fn from(r: CampaignProgressRow) -> Self {
        ProgressView {
            entry_no: r.entry_no,
            reported_on: r.reported_on,
            note: r.note,
            reported_by: r.reported_by,
            evidence_name: r.evidence_name,
        }
    }
}

/// A subject of a campaign with its progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubjectView {
    pub campaign_id: String,
    pub uscc: String,
    pub name: String,
    pub listing_id: String,
    pub department: String,
    pub department_name: String,
    pub deadline: NaiveDate,
    pub status: &'static str,
    pub status_name: &'static str,
    pub outcome_name: Option<&'static str>,
    pub outcome_note: Option<String>,
    pub decided_on: Option<NaiveDate>,
    pub overdue_on: Option<NaiveDate>,
    pub interview_id: Option<String>,
    /// Overdue and not yet interviewed: 待约谈.
    pub awaiting_interview: bool,
    pub progress: Vec<ProgressView>,
}

fn subject_view(row: CampaignSubjectRow, names: &BTreeMap<String, String>, progress: Vec<ProgressView>) -> SubjectView {
    SubjectView {
        department_name: name_of(names, &row.department),
        department: row.department.as_str().to_owned(),
        campaign_id: row.campaign_id,
        uscc: row.uscc.as_str().to_owned(),
        name: row.name,
        listing_id: row.listing_id,
        deadline: row.deadline,
        status: row.status.as_str(),
        status_name: row.status.name_zh(),
        outcome_name: row.outcome.map(|o| o.name_zh()),
        outcome_note: row.outcome_note,
        decided_on: row.decided_on,
        awaiting_interview: row.overdue_on.is_some() && row.interview_id.is_none(),
        overdue_on: row.overdue_on,
        interview_id: row.interview_id,
        progress,
    }
}

/// A campaign with every subject and its progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CampaignDetail {
    pub summary: CampaignSummary,
    pub subjects: Vec<SubjectView>,
}

fn subject_limit(core: &Core) -> u32 {
    u32::try_from(core.settings().campaigns.max_subjects).unwrap_or(u32::MAX)
}

/// One campaign, or `None`.
pub async fn campaign(core: &Core, principal: &Principal, campaign_id: &str) -> Result<Option<CampaignDetail>> {
    authorize(principal, Action::ViewCampaigns, &Resource::Platform)?;
    let store = core.store();
    let Some(row) = store.get(CampaignRow::key(campaign_id)).await? else { return Ok(None) };
    let names = department_names(core).await?;
    let summary = summary(core, row, &names).await?;
    let limit = subject_limit(core);
    let mut progress: BTreeMap<String, Vec<ProgressView>> = BTreeMap::new();
    for p in queries::progress(store, campaign_id, limit.saturating_mul(20)).await? {
        progress.entry(p.uscc.as_str().to_owned()).or_default().push(p.into());
    }
    let subjects = queries::subjects(store, campaign_id, limit)
        .await?
        .into_iter()
        .map(|s| {
            let p = progress.remove(s.uscc.as_str()).unwrap_or_default();
            subject_view(s, &names, p)
        })
        .collect();
    Ok(Some(CampaignDetail { summary, subjects }))
}

/// Overdue subjects waiting for their listing department's interview: the
/// caller's department's, or every department's for the credit office.
pub async fn awaiting_interview(core: &Core, principal: &Principal) -> Result<Vec<SubjectView>> {
    let scope = scope(principal, Action::ViewInterviews)?;
    let names = department_names(core).await?;
    let rows = queries::awaiting_interview(core.store(), scope.department(), MAX_WAITING).await?;
    Ok(rows.into_iter().map(|r| subject_view(r, &names, Vec::new())).collect())
}

/// An evidence file of a progress entry; `None` when there is none.
pub async fn evidence(
    core: &Core,
    principal: &Principal,
    campaign_id: &str,
    uscc: &str,
    entry_no: u64,
) -> Result<Option<CampaignEvidenceRow>> {
    authorize(principal, Action::ViewCampaigns, &Resource::Platform)?;
    let Ok(uscc) = xinyong_domain::Uscc::parse(uscc.trim()) else { return Ok(None) };
    Ok(core.store().get(CampaignEvidenceRow::key(campaign_id, &uscc, entry_no)).await?)
}

/// A department's subjects by status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DepartmentCounts {
    pub department: String,
    pub name: String,
    pub counts: StatusCounts,
}

/// One day's activity and the running totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayActivity {
    pub on: String,
    pub progress: u64,
    pub rectified: u64,
    pub not_rectified: u64,
    /// Subjects decided rectified up to and including this day.
    pub rectified_to_date: u64,
    pub progress_to_date: u64,
}

/// The dashboard's figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CampaignDashboard {
    pub summary: CampaignSummary,
    pub by_department: Vec<DepartmentCounts>,
    pub days: Vec<DayActivity>,
}

/// The dashboard of one campaign, or `None`.
pub async fn dashboard(core: &Core, principal: &Principal, campaign_id: &str) -> Result<Option<CampaignDashboard>> {
    authorize(principal, Action::ViewCampaigns, &Resource::Platform)?;
    let store = core.store();
    let Some(row) = store.get(CampaignRow::key(campaign_id)).await? else { return Ok(None) };
    let names = department_names(core).await?;
    let mut by: BTreeMap<String, StatusCounts> = BTreeMap::new();
    for (department, status, n) in queries::counts_by_department(store, campaign_id).await? {
        by.entry(department).or_default().add(&status, n);
    }
    let by_department = by
        .into_iter()
        .map(|(department, counts)| DepartmentCounts {
            name: names.get(&department).cloned().unwrap_or_else(|| department.clone()),
            department,
            counts,
        })
        .collect();
    let (mut rectified_to_date, mut progress_to_date) = (0, 0);
    let days = queries::daily_activity(store, campaign_id)
        .await?
        .into_iter()
        .map(|(on, progress, rectified, not_rectified)| {
            rectified_to_date += rectified;
            progress_to_date += progress;
            DayActivity { on, progress, rectified, not_rectified, rectified_to_date, progress_to_date }
        })
        .collect();
    Ok(Some(CampaignDashboard { summary: summary(core, row, &names).await?, by_department, days }))
}

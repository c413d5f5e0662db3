//! Rectification campaigns (专项治理): the campaigns, their subjects, the
//! progress reported, the organisations a new campaign would cover, the
//! subjects past their deadline and the dashboard's counts. Every set is
//! bounded by a `limit` or grouped in SQL.

use chrono::NaiveDate;
use xinyong_domain::auth::DepartmentCode;
use xinyong_domain::campaigns::{
    CAMPAIGN_PROGRESS, CAMPAIGN_SUBJECTS, CAMPAIGNS, CampaignProgressRow, CampaignRow, CampaignSubjectRow,
    RectificationStatus,
};
use xinyong_domain::lists::{LISTINGS, ListingRow};

use crate::sql::{Cols, Kind, Stmt, day, to_rows};
use crate::{Result, Store};

/// Campaigns, the newest start first (ties by id), at most `limit`.
pub async fn campaigns(store: &dyn Store, limit: u32) -> Result<Vec<CampaignRow>> {
    let stmt = Stmt::select(&CAMPAIGNS).push(" ORDER BY starts_on DESC, campaign_id LIMIT ").bind(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// A campaign's subjects, the earliest deadline first (ties by code), at
/// most `limit`; served by the primary key.
pub async fn subjects(store: &dyn Store, campaign_id: &str, limit: u32) -> Result<Vec<CampaignSubjectRow>> {
    let stmt = Stmt::select(&CAMPAIGN_SUBJECTS)
        .push(" WHERE campaign_id = ")
        .bind(campaign_id)
        .push(" ORDER BY deadline, uscc LIMIT ")
        .bind(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// The progress reported in a campaign, by subject and entry, at most `limit`.
pub async fn progress(store: &dyn Store, campaign_id: &str, limit: u32) -> Result<Vec<CampaignProgressRow>> {
    let stmt = Stmt::select(&CAMPAIGN_PROGRESS)
        .push(" WHERE campaign_id = ")
        .bind(campaign_id)
        .push(" ORDER BY uscc, entry_no LIMIT ")
        .bind(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// Listings in force on `today` of organisations on `list_code`, in
/// `district` (the division code in positions 3–8 of the USCC) when given,
/// by code and then the newest decision, at most `limit`: the organisations
/// a new campaign over that list would cover. Natural persons never are.
pub async fn scope_candidates(
    store: &dyn Store,
    list_code: &str,
    district: Option<&str>,
    today: NaiveDate,
    limit: u32,
) -> Result<Vec<ListingRow>> {
    let mut stmt = Stmt::select(&LISTINGS)
        .push(" WHERE status = 'listed' AND subject_kind = 'legal_person' AND list_code = ")
        .bind(list_code)
        .push(" AND valid_from IS NOT NULL AND valid_from <= ")
        .bind(day(today))
        .push(" AND (valid_until IS NULL OR valid_until >= ")
        .bind(day(today))
        .push(")");
    if let Some(d) = district {
        stmt = stmt.push(" AND substr(subject_key, 3, 6) = ").bind(d);
    }
    let stmt = stmt.push(" ORDER BY subject_key, valid_from DESC, listing_id LIMIT ").bind(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// Subjects not yet decided nor overdue whose deadline is before `today`,
/// by campaign and code, at most `limit`; served by
/// `campaign_subjects_deadline`.
pub async fn past_deadline(store: &dyn Store, today: NaiveDate, limit: u32) -> Result<Vec<CampaignSubjectRow>> {
    let stmt = Stmt::select(&CAMPAIGN_SUBJECTS)
        .push(" WHERE status IN (")
        .bind(RectificationStatus::NotStarted.as_str())
        .push(", ")
        .bind(RectificationStatus::InProgress.as_str())
        .push(") AND deadline < ")
        .bind(day(today))
        .push(" ORDER BY campaign_id, uscc LIMIT ")
        .bind(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// Overdue subjects still waiting for their interview, of `department` or
/// of every department (`None`), the earliest deadline first, at most `limit`.
pub async fn awaiting_interview(
    store: &dyn Store,
    department: Option<&DepartmentCode>,
    limit: u32,
) -> Result<Vec<CampaignSubjectRow>> {
    let mut stmt = Stmt::select(&CAMPAIGN_SUBJECTS)
        .push(" WHERE status = ")
        .bind(RectificationStatus::Overdue.as_str())
        .push(" AND interview_id IS NULL");
    if let Some(d) = department {
        stmt = stmt.push(" AND department = ").bind(d.as_str());
    }
    let stmt = stmt.push(" ORDER BY deadline, campaign_id, uscc LIMIT ").bind(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// A campaign's subjects per responsible department and status.
pub async fn counts_by_department(store: &dyn Store, campaign_id: &str) -> Result<Vec<(String, String, u64)>> {
    let stmt = Stmt::new("SELECT department, status, COUNT(*) FROM campaign_subjects WHERE campaign_id = ")
        .bind(campaign_id)
        .push(" GROUP BY department, status ORDER BY 1, 2")
        .returns(&[Kind::Text, Kind::Text, Kind::Int]);
    store
        .fetch(&stmt)
        .await?
        .into_iter()
        .map(|row| {
            let mut c = Cols::new(row, "campaign counts by department");
            Ok((c.text()?, c.text()?, c.count()?))
        })
        .collect()
}

/// Per day of a campaign: progress entries reported and outcomes decided
/// (rectified, not rectified), in date order (`YYYY-MM-DD`).
pub async fn daily_activity(store: &dyn Store, campaign_id: &str) -> Result<Vec<(String, u64, u64, u64)>> {
    let stmt = Stmt::new(
        "SELECT d, SUM(p), SUM(r), SUM(n) FROM (\
         SELECT reported_on AS d, 1 AS p, 0 AS r, 0 AS n FROM campaign_progress WHERE campaign_id = ",
    )
    .bind(campaign_id)
    .push(
        " UNION ALL SELECT decided_on AS d, 0 AS p, \
         CASE WHEN outcome = 'rectified' THEN 1 ELSE 0 END AS r, \
         CASE WHEN outcome = 'rectified' THEN 0 ELSE 1 END AS n \
         FROM campaign_subjects WHERE decided_on IS NOT NULL AND campaign_id = ",
    )
    .bind(campaign_id)
    .push(") t GROUP BY d ORDER BY d")
    .returns(&[Kind::Text, Kind::Int, Kind::Int, Kind::Int]);
    store
        .fetch(&stmt)
        .await?
        .into_iter()
        .map(|row| {
            let mut c = Cols::new(row, "campaign daily activity");
            Ok((c.text()?, c.count()?, c.count()?, c.count()?))
        })
        .collect()
}

//! Which list entries the public portal shows (信用名单), decided in one
//! place for the lists page, the subject page and the public API.
//!
//! A listing is published when all of these hold:
//! - it is decided and in force today (status `listed`, `valid_from <= today`,
//!   `today <= valid_until` unless open-ended);
//! - its list type is published (`public = true` in `rules/lists.toml`);
//! - its subject is a legal person with a well-formed USCC. Natural persons
//!   are never shown, whatever the list (山东省社会信用条例 Art. 20).
//!
//! Only the decision's public facts are shown: no facts text, no sources, no
//! people. Any resident ID number that slipped into the reason is masked.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;
use xinyong_domain::codes::uscc::Uscc;
use xinyong_domain::lists::ListingRow;
use xinyong_domain::lists::sanction::{ListKind, SanctionRules};
use xinyong_storage::lists::{self, PublishedFilter};

use crate::collection::intake::china_today;
use crate::error::Result;
use crate::log::Core;
use crate::portal::scrub_personal_data;

/// Entries per page of the lists page and the API.
pub const LIST_PAGE_SIZE: usize = 20;
const LIST_PAGE_ROWS: u32 = 20;
const _: () = assert!(LIST_PAGE_ROWS as usize == LIST_PAGE_SIZE);

/// Whether `row` may appear on the portal on `today`.
pub fn listing_is_published(row: &ListingRow, rules: &SanctionRules, today: NaiveDate) -> bool {
    row.subject_kind == "legal_person"
        && !row.is_natural_person()
        && Uscc::parse(&row.subject_key).is_ok()
        && row.in_force(today)
        && rules.list(&row.list_code).is_some_and(|l| l.public)
}

/// A published list entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublishedListing {
    pub listing_id: String,
    pub list_code: String,
    pub list_name: String,
    /// `serious`, `key_attention` or `red`.
    pub list_kind: String,
    pub subject_uscc: String,
    pub subject_name: String,
    pub department: String,
    /// 认定部门 (name), the code when the department is unknown.
    pub department_name: String,
    /// 列入事由
    pub reason: String,
    pub decision_no: String,
    /// 列入日期
    pub listed_on: NaiveDate,
    /// 有效期至; `None` = until an exit decision.
    pub valid_until: Option<NaiveDate>,
}

fn published(
    row: &ListingRow,
    rules: &SanctionRules,
    departments: &BTreeMap<String, String>,
    core: &Core,
) -> Option<PublishedListing> {
    let list = rules.list(&row.list_code)?;
    let mask = &core.settings().mask;
    Some(PublishedListing {
        listing_id: row.listing_id.clone(),
        list_code: row.list_code.clone(),
        list_name: list.name.clone(),
        list_kind: list.kind.as_str().to_owned(),
        subject_uscc: row.subject_key.clone(),
        subject_name: scrub_personal_data(&row.subject_name, mask),
        department: row.department.as_str().to_owned(),
        department_name: departments
            .get(row.department.as_str())
            .cloned()
            .unwrap_or_else(|| row.department.as_str().to_owned()),
        reason: scrub_personal_data(&row.reason, mask),
        decision_no: scrub_personal_data(row.decision_no.as_deref().unwrap_or_default(), mask),
        listed_on: row.valid_from.or(row.decided_on)?,
        valid_until: row.valid_until,
    })
}

/// Which entries to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListsQuery {
    /// One list type's code; `None` = every published list.
    pub list: Option<String>,
    /// Only red-list (`Some(true)`) or only the other lists (`Some(false)`).
    pub red: Option<bool>,
    /// 1-based page.
    pub page: usize,
    /// A USCC (exact) or part of a subject name, as typed
    /// ([`crate::portal::subject_text`] normalizes it).
    pub subject_text: Option<String>,
}

/// One page of published entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListsPage {
    pub entries: Vec<PublishedListing>,
    /// Matching entries in all pages.
    pub total: usize,
    pub page: usize,
    pub pages: usize,
}

/// The codes of the public list types the query asks for: one list, or
/// every published one, of red lists only or of the others only.
fn wanted_codes(rules: &SanctionRules, q: &ListsQuery) -> Vec<String> {
    rules
        .lists()
        .iter()
        .filter(|l| l.public)
        .filter(|l| q.list.as_deref().is_none_or(|code| l.code == code))
        .filter(|l| q.red.is_none_or(|red| (l.kind == ListKind::Red) == red))
        .map(|l| l.code.clone())
        .collect()
}

/// The entries of published rows, each checked again by
/// [`listing_is_published`] so that every page depends on that one rule.
fn entries(rows: Vec<ListingRow>, core: &Core, departments: &BTreeMap<String, String>) -> Vec<PublishedListing> {
    entries_on(rows, core, departments, china_today(core))
}

/// The entries of `rows` published on `today` (any day: the portal's
/// "what was public on date D" replays listings from the log).
pub(crate) fn entries_on(
    rows: Vec<ListingRow>,
    core: &Core,
    departments: &BTreeMap<String, String>,
    today: NaiveDate,
) -> Vec<PublishedListing> {
    let rules = &core.rules().sanctions;
    rows.into_iter()
        .filter(|row| listing_is_published(row, rules, today))
        .filter_map(|row| published(&row, rules, departments, core))
        .collect()
}

/// Published entries, newest listing first (ties by id), one page: the
/// filter, count and page are SQL (`xinyong_storage::lists`), with the
/// public list types of the rules in force passed in.
pub async fn published_lists(core: &Core, q: &ListsQuery) -> Result<ListsPage> {
    let filter = PublishedFilter {
        today: china_today(core),
        list_codes: wanted_codes(&core.rules().sanctions, q),
        subject: None,
        subject_text: q.subject_text.clone().filter(|t| !t.is_empty()),
    };
    let total = usize::try_from(lists::count_published_listings(core.store(), &filter).await?).unwrap_or(usize::MAX);
    let pages = total.div_ceil(LIST_PAGE_SIZE).max(1);
    let page = q.page.clamp(1, pages);
    let offset = ((page - 1) * LIST_PAGE_SIZE) as u64;
    let rows = lists::published_listings(core.store(), &filter, offset, LIST_PAGE_ROWS).await?;
    let departments = crate::portal::department_names(core).await?;
    Ok(ListsPage { entries: entries(rows, core, &departments), total, page, pages })
}

/// Most published entries one organisation's page shows (a company on more
/// lists than this is not a case the page needs to serve).
const MAX_MEMBERSHIPS: u32 = 200;

/// A legal person's published, in-force memberships (subject page), newest
/// listing first (ties by id).
pub async fn memberships(core: &Core, uscc: &Uscc) -> Result<Vec<PublishedListing>> {
    let all = ListsQuery::default();
    let filter = PublishedFilter {
        today: china_today(core),
        list_codes: wanted_codes(&core.rules().sanctions, &all),
        subject: Some(uscc.clone()),
        subject_text: None,
    };
    let rows = lists::published_listings(core.store(), &filter, 0, MAX_MEMBERSHIPS).await?;
    let departments = crate::portal::department_names(core).await?;
    Ok(entries(rows, core, &departments))
}

/// Every published, in-force membership of every legal person (the status
/// map), read a thousand at a time.
pub async fn all_memberships(core: &Core) -> Result<Vec<PublishedListing>> {
    const ALL_PAGE: u32 = 1_000;
    let filter = PublishedFilter {
        today: china_today(core),
        list_codes: wanted_codes(&core.rules().sanctions, &ListsQuery::default()),
        subject: None,
        subject_text: None,
    };
    let departments = crate::portal::department_names(core).await?;
    let (mut all, mut offset) = (Vec::new(), 0_u64);
    loop {
        let rows = lists::published_listings(core.store(), &filter, offset, ALL_PAGE).await?;
        let last = rows.len() < ALL_PAGE as usize;
        offset += rows.len() as u64;
        all.extend(entries(rows, core, &departments));
        if last {
            return Ok(all);
        }
    }
}

/// The published list types (for the filter), split by kind.
pub fn published_list_types(rules: &SanctionRules, red: bool) -> Vec<(String, String)> {
    rules
        .lists()
        .iter()
        .filter(|l| l.public && (l.kind == ListKind::Red) == red)
        .map(|l| (l.code.clone(), l.name.clone()))
        .collect()
}

//! What the console shows of listings: the listings table (filtered and
//! paged in SQL) and one listing's detail with its objections, pushed
//! measures, liable people and history. The life-cycle steps are in
//! [`super::listing`].

use chrono::NaiveDate;
use serde::Serialize;
use xinyong_domain::collection::RecordSubject;
use xinyong_domain::lists::sanction::ListType;
use xinyong_domain::lists::{ExitReason, ListingRow, ListingStatus, Step};
pub use xinyong_storage::lists::{ListingCursor, ListingFilter};
use xinyong_storage::{Page, closed_loop, lists};

use super::listing::{Objection, PER_LISTING_ROWS, objections_of, state_of};
use crate::collection::intake::china_today;
use crate::error::Result;
use crate::log::Core;

/// Most rows one page of the listings table holds.
pub const MAX_LISTINGS_PAGE: u32 = 500;

/// A measure pushed by a decision, with the closed loop's progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PushStatus {
    pub measure: String,
    pub measure_name: String,
    pub department: String,
    pub pushed_ms: i64,
    pub acked_ms: Option<i64>,
    pub ack_note: Option<String>,
    pub executed_ms: Option<i64>,
    pub outcome: Option<String>,
    pub lifted_ms: Option<i64>,
}

/// A liable person of a listed organisation, ID number masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LiablePerson {
    pub masked_id: String,
    pub masked_name: String,
    pub role: String,
    pub role_zh: String,
    pub active: bool,
}

/// One line of a listing's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineEntry {
    pub on: NaiveDate,
    pub what: String,
}

/// Everything a detail page shows.
#[derive(Debug, Clone)]
pub struct ListingDetail {
    pub row: ListingRow,
    /// The list type as the rules in force describe it (`None` when it was
    /// removed since).
    pub list: Option<ListType>,
    /// The subject's key as shown: an ID number masked.
    pub subject_display: String,
    pub subject_name_display: String,
    pub objections: Vec<Objection>,
    pub pushes: Vec<PushStatus>,
    pub liable_people: Vec<LiablePerson>,
    pub timeline: Vec<TimelineEntry>,
    /// Next steps the state allows today (whoever asks).
    pub allowed: Vec<Step>,
}

/// Subject key and name as a console page may show them.
pub fn subject_display(core: &Core, subject: &RecordSubject) -> (String, String) {
    if subject.is_natural_person() {
        let mask = &core.settings().mask;
        (mask.mask_id(&subject.key), mask.mask_name(&subject.name))
    } else {
        (subject.key.clone(), subject.name.clone())
    }
}

pub async fn listing_detail(core: &Core, listing_id: &str) -> Result<Option<ListingDetail>> {
    let Some(row) = core.store().get(ListingRow::key(listing_id.trim())).await? else { return Ok(None) };
    let list = core.rules().sanctions.list(&row.list_code).cloned();
    let objections = objections_of(core, &row.listing_id).await?;
    let sanctions = &core.rules().sanctions;
    let mut pushes: Vec<PushStatus> = closed_loop::pushes_of_listing(core.store(), &row.listing_id, PER_LISTING_ROWS)
        .await?
        .into_iter()
        .map(|r| PushStatus {
            measure_name: sanctions.measure(&r.measure).map_or_else(|| r.measure.clone(), |m| m.name.clone()),
            measure: r.measure,
            department: r.department.as_str().to_owned(),
            pushed_ms: r.pushed_ms,
            acked_ms: r.acked_ms,
            ack_note: r.ack_note,
            executed_ms: r.executed_ms,
            outcome: r.outcome,
            lifted_ms: r.lifted_ms,
        })
        .collect();
    // In the order the decision names the measures.
    let position = |m: &str| row.measure_codes().iter().position(|x| x == m).unwrap_or(usize::MAX);
    pushes.sort_by(|a, b| (position(&a.measure), &a.department).cmp(&(position(&b.measure), &b.department)));
    let mask = &core.settings().mask;
    let liable_people = lists::personal_records_of_listing(core.store(), &row.listing_id, PER_LISTING_ROWS)
        .await?
        .into_iter()
        .map(|r| LiablePerson {
            masked_id: mask.mask_id(r.id_number.as_str()),
            masked_name: mask.mask_name(&r.person_name),
            role_zh: r.role.name_zh().to_owned(),
            role: r.role.as_str().to_owned(),
            active: r.active,
        })
        .collect();
    let timeline = timeline(&row, &objections);
    let state = state_of(&row, list.as_ref(), &objections);
    let today = china_today(core);
    let mut candidates =
        vec![Step::ServeNotice, Step::FileObjection, Step::AnswerObjection, Step::Decide, Step::Withdraw];
    candidates.extend(ExitReason::ALL.map(Step::Exit));
    let allowed = candidates.into_iter().filter(|s| state.check(*s, today).is_ok()).collect();
    let (subject_display, subject_name_display) = subject_display(core, &row.subject());
    Ok(Some(ListingDetail {
        row,
        list,
        subject_display,
        subject_name_display,
        objections,
        pushes,
        liable_people,
        timeline,
        allowed,
    }))
}

fn timeline(row: &ListingRow, objections: &[Objection]) -> Vec<TimelineEntry> {
    let mut out = vec![TimelineEntry { on: row.proposed_on, what: format!("拟列入(事由：{})", row.reason) }];
    if let Some(d) = row.notice_served_on {
        let deadline = row.objection_deadline.map(|d| format!("，异议期至 {d}")).unwrap_or_default();
        out.push(TimelineEntry { on: d, what: format!("送达告知{deadline}") });
    }
    for o in objections {
        out.push(TimelineEntry { on: o.filed_on, what: format!("提出异议，应于 {} 前答复", o.answer_due) });
        if let (Some(d), Some(outcome)) = (o.answered_on, o.outcome) {
            out.push(TimelineEntry { on: d, what: format!("答复异议：{}", outcome.name_zh()) });
        }
    }
    if let Some(d) = row.decided_on {
        let no = row.decision_no.as_deref().unwrap_or_default();
        let until = row.valid_until.map_or_else(|| "长期有效".to_owned(), |u| format!("有效期至 {u}"));
        out.push(TimelineEntry { on: d, what: format!("作出列入决定({no})，{until}") });
    }
    if let Some(d) = row.exited_on {
        let what = match (row.status, row.exit_reason) {
            (ListingStatus::Exited, Some(reason)) => {
                let no = row.exit_decision_no.as_deref().map(|n| format!("({n})")).unwrap_or_default();
                format!("{}{no}", reason.name_zh())
            }
            _ => "撤回拟列入".to_owned(),
        };
        let note = row.exit_note.as_deref().filter(|n| !n.is_empty()).map(|n| format!("：{n}")).unwrap_or_default();
        out.push(TimelineEntry { on: d, what: format!("{what}{note}") });
    }
    // Stable: same-day steps keep their life-cycle order.
    out.sort_by_key(|e| e.on);
    out
}

/// Listings matching `filter`, newest proposal first, at most `limit`.
pub async fn list_listings(core: &Core, filter: &ListingFilter, limit: usize) -> Result<Vec<ListingRow>> {
    if limit == 0 {
        return Ok(Vec::new());
    }
    let limit = u32::try_from(limit).unwrap_or(MAX_LISTINGS_PAGE).min(MAX_LISTINGS_PAGE);
    Ok(listings_page(core, filter, None, limit).await?.items)
}

/// One page of the listings table: rows matching `filter` after `after`,
/// newest proposal first, at most `limit` (up to [`MAX_LISTINGS_PAGE`]);
/// `next` is where the following page starts.
pub async fn listings_page(
    core: &Core,
    filter: &ListingFilter,
    after: Option<&ListingCursor>,
    limit: u32,
) -> Result<Page<ListingRow, ListingCursor>> {
    Ok(lists::listings(core.store(), filter, after, limit.clamp(1, MAX_LISTINGS_PAGE)).await?)
}

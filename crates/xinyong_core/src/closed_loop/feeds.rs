//! The joint-punishment closed loop (发起 → 推送 → 响应 → 执行反馈,
//! DOMAIN.md §10): a listing decision pushes each measure to its executing
//! departments; each department reads its pushed items from a cursor feed
//! (or has them delivered to a signed webhook, [`crate::closed_loop::webhooks`]),
//! acknowledges them and reports how it applied them, linked to a credit-check
//! receipt or a case. Cases a department handled feed 应查必查 coverage
//! ([`crate::closed_loop::metrics`]).
//!
//! Everything here reads the projections `ListingDecided` / `ListingExited`
//! and the loop events write (`feed_items`, `measure_pushes`, …) and appends
//! events; nothing is kept elsewhere. The answers and cases are acts of a
//! department: they ask the access policy first with the caller's
//! [`Principal`].

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use xinyong_domain::auth::DepartmentCode;
use xinyong_domain::checks::ChecksEvent;
use xinyong_domain::checks::{ReceiptRow, ReportedCase};
use xinyong_domain::closed_loop::ClosedLoopEvent;
use xinyong_domain::closed_loop::{FeedItemRow, MeasurePush, PushRow};
use xinyong_domain::commitments::{COMMITMENT_FEED_LIST, REVOKE_APPROVAL_MEASURE};
use xinyong_domain::event::NewEvent;
use xinyong_storage::closed_loop;
pub use xinyong_storage::closed_loop::FeedFilter;

use crate::auth::policy::{Action, Principal, Resource, authorize};
use crate::collection::intake::china_today;
use crate::error::{CoreError, Result};
use crate::log::Core;

/// Most items one feed page returns.
pub const MAX_FEED_PAGE: u32 = 500;
/// Default page size of the feed.
pub const DEFAULT_FEED_PAGE: u32 = 100;
/// Most cases one `report_cases` call takes.
pub const MAX_CASES_PER_CALL: usize = 10_000;
/// Longest free text (note, outcome) accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 1_000;
/// Longest case reference accepted, in characters.
pub const MAX_CASE_REF_CHARS: usize = 100;

/// The subject of a pushed item as a department sees it: organisations with
/// name and USCC; natural persons with name and a masked ID number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedSubject {
    /// `legal_person` or `natural_person`.
    pub kind: String,
    pub name: String,
    /// The USCC, or the masked ID number.
    pub key: String,
}

/// Where one measure of an item stands at this department.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushStatus {
    pub pushed_at: Option<DateTime<Utc>>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
    pub executed_at: Option<DateTime<Utc>>,
    pub outcome: Option<String>,
    pub receipt_id: Option<String>,
    pub case_ref: Option<String>,
    pub lifted_at: Option<DateTime<Utc>>,
}

/// One measure in a feed item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedMeasure {
    pub code: String,
    pub name: String,
    /// `None` when the push row is missing (a measure of a lifted item that
    /// was never pushed to this department).
    pub status: Option<PushStatus>,
}

/// One item of a department's feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedItem {
    /// The log index of the decision or exit that produced the item.
    pub cursor: u64,
    /// `listed` (measures to apply) or `lifted` (measures to stop applying).
    pub kind: String,
    pub listing_id: String,
    pub list_code: String,
    pub list_name: String,
    pub subject: FeedSubject,
    pub measures: Vec<FeedMeasure>,
    /// Listed: the last day the measures apply (`None` = until exit).
    /// Lifted: the day the listing ended.
    pub valid_until: Option<NaiveDate>,
}

/// A page of a feed; pass `next_cursor` as `after` for the next one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedPage {
    pub department: String,
    pub items: Vec<FeedItem>,
    /// The cursor of the last item returned, or `after` when there was none.
    pub next_cursor: u64,
    /// Whether a full page came back (there may be more).
    pub more: bool,
}

fn time(ms: Option<i64>) -> Option<DateTime<Utc>> {
    ms.and_then(DateTime::from_timestamp_millis)
}

/// Where a pushed measure stands at its executing department.
pub fn push_status(push: &PushRow) -> PushStatus {
    PushStatus {
        pushed_at: time(Some(push.pushed_ms)),
        acknowledged_at: time(push.acked_ms),
        note: push.ack_note.clone().filter(|n| !n.is_empty()),
        executed_at: time(push.executed_ms),
        outcome: push.outcome.clone(),
        receipt_id: push.receipt_id.clone(),
        case_ref: push.case_ref.clone(),
        lifted_at: time(push.lifted_ms),
    }
}

async fn push_row(
    core: &Core,
    listing_id: &str,
    measure: &str,
    department: &DepartmentCode,
) -> Result<Option<PushRow>> {
    Ok(core.store().get(PushRow::key(listing_id, measure, department)).await?)
}

/// Builds a feed item from its `feed_items` row (with the push status of
/// each measure at this department).
async fn feed_item(core: &Core, department: &DepartmentCode, row: FeedItemRow) -> Result<FeedItem> {
    let sanctions = &core.rules().sanctions;
    let key = if row.subject_kind == "natural_person" {
        core.settings().mask.mask_id(&row.subject_key)
    } else {
        row.subject_key.clone()
    };
    let mut measures = Vec::new();
    for code in &row.measures.0 {
        let status = push_row(core, &row.listing_id, code, department).await?.map(|p| push_status(&p));
        let name = match sanctions.measure(code) {
            Some(m) => m.name.clone(),
            None if code == REVOKE_APPROVAL_MEASURE => "撤销以告知承诺方式作出的审批决定".to_owned(),
            None => code.clone(),
        };
        measures.push(FeedMeasure { code: code.clone(), name, status });
    }
    let list_name = match sanctions.list(&row.list_code) {
        Some(l) => l.name.clone(),
        None if row.list_code == COMMITMENT_FEED_LIST => "告知承诺（未履约、虚假承诺）".to_owned(),
        None => row.list_code.clone(),
    };
    Ok(FeedItem {
        cursor: row.cursor,
        list_name,
        kind: row.item_kind,
        listing_id: row.listing_id,
        list_code: row.list_code,
        subject: FeedSubject { kind: row.subject_kind, name: row.subject_name, key },
        measures,
        valid_until: row.valid_until,
    })
}

/// The department's feed after `after` (a cursor; 0 = from the start), in
/// log order, at most `limit` items (1–[`MAX_FEED_PAGE`]).
pub async fn feed(core: &Core, department: &DepartmentCode, after: u64, limit: u32) -> Result<FeedPage> {
    let limit = limit.clamp(1, MAX_FEED_PAGE);
    let rows = closed_loop::feed_after(core.store(), department, after, limit).await?;
    let mut items = Vec::new();
    for row in rows {
        items.push(feed_item(core, department, row).await?);
    }
    let more = items.len() == limit as usize;
    let next_cursor = items.last().map_or(after, |i| i.cursor);
    Ok(FeedPage { department: department.to_string(), items, next_cursor, more })
}

/// The newest `limit` items (up to [`MAX_FEED_PAGE`]) of a department's
/// feed, newest first (the console).
pub async fn recent_feed(core: &Core, department: &DepartmentCode, limit: usize) -> Result<Vec<FeedItem>> {
    let limit = u32::try_from(limit).unwrap_or(MAX_FEED_PAGE).min(MAX_FEED_PAGE);
    let rows = closed_loop::recent_feed(core.store(), department, limit).await?;
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        items.push(feed_item(core, department, row).await?);
    }
    Ok(items)
}

/// A console page of a department's feed, newest first: items before cursor
/// `before` passing `filter`, at most `limit` (bounded like every feed page).
pub async fn feed_page(
    core: &Core,
    department: &DepartmentCode,
    filter: closed_loop::FeedFilter,
    before: Option<u64>,
    limit: usize,
) -> Result<Vec<FeedItem>> {
    let limit = u32::try_from(limit).unwrap_or(MAX_FEED_PAGE).min(MAX_FEED_PAGE);
    let rows = closed_loop::feed_page(core.store(), department, filter, before, limit).await?;
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        items.push(feed_item(core, department, row).await?);
    }
    Ok(items)
}

fn clean_text(raw: &str, field: &str, required: bool) -> Result<String> {
    let t = raw.trim();
    if required && t.is_empty() {
        return Err(CoreError::invalid("field_required", format!("{field}不能为空")));
    }
    if t.chars().count() > MAX_TEXT_CHARS {
        return Err(CoreError::invalid("field_too_long", format!("{field}不能超过 {MAX_TEXT_CHARS} 个字符")));
    }
    Ok(t.to_owned())
}

fn clean_case_ref(raw: Option<&str>) -> Result<Option<String>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) if s.chars().count() > MAX_CASE_REF_CHARS || s.chars().any(char::is_control) => {
            Err(CoreError::invalid(
                "case_ref_invalid",
                format!("案件编号(case_ref)应为 1–{MAX_CASE_REF_CHARS} 个字符，不含控制字符"),
            ))
        }
        Some(s) => Ok(Some(s.to_owned())),
    }
}

fn unknown_push(listing_id: &str, measure: &str, department: &DepartmentCode) -> CoreError {
    CoreError::NotFound {
        what: format!("推送给 {department} 的名单 {listing_id} 的措施 {measure}"),
        code: "unknown_push",
    }
}

fn push_of(measure: &str, department: &DepartmentCode) -> MeasurePush {
    MeasurePush { measure: measure.to_owned(), department: department.clone() }
}

/// What an acknowledgement or a feedback did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoopOutcome {
    /// Whether an event was appended (false: the same thing was said before).
    pub recorded: bool,
    pub status: PushStatus,
}

/// The department acknowledges a pushed measure (签收/响应). Saying it again
/// changes nothing: the first acknowledgement's time is what counts.
pub async fn acknowledge(
    core: &Core,
    principal: &Principal,
    department: &DepartmentCode,
    listing_id: &str,
    measure: &str,
    note: &str,
) -> Result<LoopOutcome> {
    authorize(principal, Action::AnswerFeed, &Resource::Department(department.clone()))?;
    let note = clean_text(note, "签收说明(note)", false)?;
    let push = push_row(core, listing_id, measure, department)
        .await?
        .ok_or_else(|| unknown_push(listing_id, measure, department))?;
    if push.acked_ms.is_some() {
        return Ok(LoopOutcome { recorded: false, status: push_status(&push) });
    }
    core.append(vec![NewEvent {
        actor: principal.actor(),
        rules: core.rules().sanction_versions(),
        body: ClosedLoopEvent::MeasureAcknowledged {
            listing_id: listing_id.to_owned(),
            push: push_of(measure, department),
            note,
        }
        .into(),
    }])
    .await?;
    let status = push_row(core, listing_id, measure, department).await?.map(|p| push_status(&p));
    Ok(LoopOutcome { recorded: true, status: status.unwrap_or_else(|| push_status(&push)) })
}

/// The department reports how it applied a measure (执行反馈), e.g. 拒绝其
/// 投标, linked to the credit-check receipt it relied on and/or its case.
/// An unacknowledged push is acknowledged in the same transaction. The same
/// feedback again changes nothing; different feedback replaces it (the
/// latest report is the one that stands; the log keeps each).
#[expect(clippy::too_many_arguments, reason = "one feedback is this many facts, as the API receives them")]
pub async fn report_execution(
    core: &Core,
    principal: &Principal,
    department: &DepartmentCode,
    listing_id: &str,
    measure: &str,
    outcome: String,
    receipt_id: Option<String>,
    case_ref: Option<String>,
) -> Result<LoopOutcome> {
    authorize(principal, Action::AnswerFeed, &Resource::Department(department.clone()))?;
    let outcome = clean_text(&outcome, "执行情况(outcome)", true)?;
    let case_ref = clean_case_ref(case_ref.as_deref())?;
    let receipt_id = receipt_id.map(|r| r.trim().to_owned()).filter(|r| !r.is_empty());
    let push = push_row(core, listing_id, measure, department)
        .await?
        .ok_or_else(|| unknown_push(listing_id, measure, department))?;
    if let Some(id) = &receipt_id {
        let receipt = core.store().get(ReceiptRow::key(id.as_str())).await?;
        if receipt.is_none_or(|r| r.department != *department) {
            // Another department's receipt is reported the same as a missing
            // one: its existence is not this caller's business.
            return Err(CoreError::invalid(
                "unknown_receipt",
                format!("核查回执编号(receipt_id)“{id}”不存在或不是本部门的核查回执"),
            ));
        }
    }
    if push.executed_ms.is_some()
        && push.outcome.as_deref() == Some(outcome.as_str())
        && push.receipt_id == receipt_id
        && push.case_ref == case_ref
    {
        return Ok(LoopOutcome { recorded: false, status: push_status(&push) });
    }
    let rules = core.rules().sanction_versions();
    let mut events = Vec::new();
    if push.acked_ms.is_none() {
        events.push(NewEvent {
            actor: principal.actor(),
            rules: rules.clone(),
            body: ClosedLoopEvent::MeasureAcknowledged {
                listing_id: listing_id.to_owned(),
                push: push_of(measure, department),
                note: String::new(),
            }
            .into(),
        });
    }
    events.push(NewEvent {
        actor: principal.actor(),
        rules,
        body: ClosedLoopEvent::MeasureExecuted {
            listing_id: listing_id.to_owned(),
            push: push_of(measure, department),
            outcome,
            receipt_id,
            case_ref,
        }
        .into(),
    });
    core.append(events).await?;
    let status = push_row(core, listing_id, measure, department).await?.map(|p| push_status(&p));
    Ok(LoopOutcome { recorded: true, status: status.unwrap_or_else(|| push_status(&push)) })
}

/// A case as a department reports it (input of [`report_cases`]).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CaseInput {
    pub case_ref: String,
    pub scenario: String,
    /// USCC of the organisation concerned, if any (no personal data).
    #[serde(default)]
    pub subject: Option<String>,
    pub handled_on: NaiveDate,
}

/// The department reports cases it handled (办件), the denominator of
/// 应查必查 coverage: each should have a credit-check receipt with the same
/// case reference. A case reported again is replaced. Returns how many were
/// recorded.
pub async fn report_cases(
    core: &Core,
    principal: &Principal,
    department: &DepartmentCode,
    cases: Vec<CaseInput>,
) -> Result<usize> {
    authorize(principal, Action::ReportCases, &Resource::Department(department.clone()))?;
    if cases.is_empty() {
        return Err(CoreError::invalid("cases_empty", "cases 不能为空"));
    }
    if cases.len() > MAX_CASES_PER_CALL {
        return Err(CoreError::invalid(
            "too_many_cases",
            format!("一次最多报送 {MAX_CASES_PER_CALL} 件，本次 {} 件", cases.len()),
        ));
    }
    let today = china_today(core);
    let sanctions = &core.rules().sanctions;
    let mut out = Vec::with_capacity(cases.len());
    for (i, c) in cases.into_iter().enumerate() {
        let n = i + 1;
        let case_ref = clean_case_ref(Some(&c.case_ref))?
            .ok_or_else(|| CoreError::invalid("case_ref_required", format!("第 {n} 件：案件编号(case_ref)不能为空")))?;
        let scenario = c.scenario.trim();
        if sanctions.scenario(scenario).is_none() {
            return Err(CoreError::invalid(
                "scenario_unknown",
                format!("第 {n} 件：应用场景(scenario)“{scenario}”不在措施清单的场景中"),
            ));
        }
        if c.handled_on > today {
            return Err(CoreError::invalid(
                "handled_on_future",
                format!("第 {n} 件：办理日期(handled_on){} 晚于今天", c.handled_on),
            ));
        }
        let subject = c.subject.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        if let Some(s) = &subject
            && xinyong_domain::Uscc::parse(s).is_err()
        {
            return Err(CoreError::invalid(
                "subject_invalid",
                format!("第 {n} 件：主体(subject)应为统一社会信用代码；自然人不报送身份信息"),
            ));
        }
        out.push(ReportedCase { case_ref, scenario: scenario.to_owned(), subject, handled_on: c.handled_on });
    }
    let n = out.len();
    core.append(vec![NewEvent {
        actor: principal.actor(),
        rules: core.rules().sanction_versions(),
        body: ChecksEvent::CasesReported { department: department.clone(), cases: out }.into(),
    }])
    .await?;
    Ok(n)
}

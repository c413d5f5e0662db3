//! The joint-punishment closed loop (发起 → 推送 → 响应 → 执行反馈,
//! DOMAIN.md §10): a listing decision pushes each measure to its executing
//! departments; each department reads its pushed items from a cursor feed
//! (or has them delivered to a signed webhook, [`crate::webhooks`]),
//! acknowledges them and reports how it applied them, linked to a credit-check
//! receipt or a case. Cases a department handled feed 应查必查 coverage
//! ([`crate::loop_metrics`]).
//!
//! Everything here reads the projections `ListingDecided` / `ListingExited`
//! and the loop events write (`feed_items`, `measure_pushes`, …) and appends
//! events; nothing is kept elsewhere.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use xinyong_domain::event::{Actor, EventBody, NewEvent};
use xinyong_domain::listing::{CHECK_RECEIPTS, FEED_ITEMS, MEASURE_PUSHES, MeasurePush, ReportedCase};
use xinyong_domain::org::DepartmentCode;
use xinyong_domain::projection::Cell;
use xinyong_storage::Row;

use crate::error::{CoreError, Result};
use crate::intake::china_today;
use crate::log::Core;

/// Most items one feed page returns.
pub const MAX_FEED_PAGE: u32 = 500;
/// Default page size of the feed.
pub const DEFAULT_FEED_PAGE: u32 = 100;
/// Most cases one `report_cases` call takes.
pub const MAX_CASES_PER_CALL: usize = 10_000;
/// Longest free text (note, outcome) accepted, in characters.
const MAX_TEXT_CHARS: usize = 1_000;
/// Longest case reference accepted, in characters.
const MAX_CASE_REF_CHARS: usize = 100;

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

fn text(row: &[Cell], i: usize) -> Option<&str> {
    row.get(i).and_then(Cell::as_str)
}

fn int(row: &[Cell], i: usize) -> Option<i64> {
    row.get(i).and_then(Cell::as_i64)
}

fn time(ms: Option<i64>) -> Option<DateTime<Utc>> {
    ms.and_then(DateTime::from_timestamp_millis)
}

/// One `measure_pushes` row, as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushRow {
    pub listing_id: String,
    pub measure: String,
    pub department: String,
    pub pushed_seq: u64,
    pub pushed_ms: Option<i64>,
    pub acked_ms: Option<i64>,
    pub ack_note: Option<String>,
    pub executed_ms: Option<i64>,
    pub outcome: Option<String>,
    pub receipt_id: Option<String>,
    pub case_ref: Option<String>,
    pub lifted_ms: Option<i64>,
}

impl PushRow {
    pub fn from_cells(row: &[Cell]) -> Option<PushRow> {
        Some(PushRow {
            listing_id: text(row, 0)?.to_owned(),
            measure: text(row, 1)?.to_owned(),
            department: text(row, 2)?.to_owned(),
            pushed_seq: int(row, 3).and_then(|v| u64::try_from(v).ok()).unwrap_or_default(),
            pushed_ms: int(row, 4),
            acked_ms: int(row, 5),
            ack_note: text(row, 6).map(str::to_owned),
            executed_ms: int(row, 7),
            outcome: text(row, 8).map(str::to_owned),
            receipt_id: text(row, 9).map(str::to_owned),
            case_ref: text(row, 10).map(str::to_owned),
            lifted_ms: int(row, 11),
        })
    }

    pub fn status(&self) -> PushStatus {
        PushStatus {
            pushed_at: time(self.pushed_ms),
            acknowledged_at: time(self.acked_ms),
            note: self.ack_note.clone().filter(|n| !n.is_empty()),
            executed_at: time(self.executed_ms),
            outcome: self.outcome.clone(),
            receipt_id: self.receipt_id.clone(),
            case_ref: self.case_ref.clone(),
            lifted_at: time(self.lifted_ms),
        }
    }
}

async fn push_row(
    core: &Core,
    listing_id: &str,
    measure: &str,
    department: &DepartmentCode,
) -> Result<Option<PushRow>> {
    let key = [Cell::text(listing_id), Cell::text(measure), Cell::text(department.as_str())];
    Ok(core.store().row(&MEASURE_PUSHES, &key).await?.as_deref().and_then(PushRow::from_cells))
}

/// Builds a feed item from its `feed_items` row (with the push status of
/// each measure at this department).
async fn feed_item(core: &Core, department: &DepartmentCode, row: &Row) -> Result<Option<FeedItem>> {
    let (Some(cursor), Some(kind), Some(listing_id), Some(list_code)) =
        (int(row, 1).and_then(|v| u64::try_from(v).ok()), text(row, 2), text(row, 3), text(row, 4))
    else {
        return Ok(None);
    };
    let sanctions = &core.rules().sanctions;
    let subject_kind = text(row, 5).unwrap_or_default().to_owned();
    let raw_key = text(row, 6).unwrap_or_default();
    let key = if subject_kind == "natural_person" { core.settings().mask.mask_id(raw_key) } else { raw_key.to_owned() };
    let mut measures = Vec::new();
    for code in text(row, 8).unwrap_or_default().split_whitespace() {
        let status = push_row(core, listing_id, code, department).await?.map(|p| p.status());
        measures.push(FeedMeasure {
            code: code.to_owned(),
            name: sanctions.measure(code).map_or_else(|| code.to_owned(), |m| m.name.clone()),
            status,
        });
    }
    Ok(Some(FeedItem {
        cursor,
        kind: kind.to_owned(),
        listing_id: listing_id.to_owned(),
        list_code: list_code.to_owned(),
        list_name: sanctions.list(list_code).map_or_else(|| list_code.to_owned(), |l| l.name.clone()),
        subject: FeedSubject { kind: subject_kind, name: text(row, 7).unwrap_or_default().to_owned(), key },
        measures,
        valid_until: text(row, 9).and_then(|d| d.parse().ok()),
    }))
}

/// The department's feed after `after` (a cursor; 0 = from the start), in
/// log order, at most `limit` items (1–[`MAX_FEED_PAGE`]).
pub async fn feed(core: &Core, department: &DepartmentCode, after: u64, limit: u32) -> Result<FeedPage> {
    let limit = limit.clamp(1, MAX_FEED_PAGE);
    let start = [Cell::text(department.as_str()), Cell::int(after)];
    // Keyset page over (department, cursor): rows after this department's
    // last one belong to the next department and end the page.
    let rows = core.store().rows_page(&FEED_ITEMS, Some(&start), limit).await?;
    let mut items = Vec::new();
    for row in rows.iter().take_while(|r| text(r, 0) == Some(department.as_str())) {
        if let Some(item) = feed_item(core, department, row).await? {
            items.push(item);
        }
    }
    let more = items.len() == limit as usize;
    let next_cursor = items.last().map_or(after, |i| i.cursor);
    Ok(FeedPage { department: department.to_string(), items, next_cursor, more })
}

/// The newest `limit` items of a department's feed, newest first (the
/// console). Reads the whole feed in pages: a department's feed grows by one
/// item per decision or exit, thousands a year, not millions.
pub async fn recent_feed(core: &Core, department: &DepartmentCode, limit: usize) -> Result<Vec<FeedItem>> {
    let mut rows: Vec<Row> = Vec::new();
    let mut after = 0;
    loop {
        let start = [Cell::text(department.as_str()), Cell::int(after)];
        let page = core.store().rows_page(&FEED_ITEMS, Some(&start), MAX_FEED_PAGE).await?;
        let full = page.len() == MAX_FEED_PAGE as usize;
        let mine: Vec<Row> = page.into_iter().take_while(|r| text(r, 0) == Some(department.as_str())).collect();
        let done = !full || mine.len() < MAX_FEED_PAGE as usize;
        if let Some(last) = mine.last().and_then(|r| int(r, 1)).and_then(|v| u64::try_from(v).ok()) {
            after = last;
        }
        rows.extend(mine);
        if rows.len() > limit {
            rows.drain(..rows.len() - limit);
        }
        if done {
            break;
        }
    }
    let mut items = Vec::with_capacity(rows.len());
    for row in rows.iter().rev() {
        if let Some(item) = feed_item(core, department, row).await? {
            items.push(item);
        }
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
    actor: &Actor,
    department: &DepartmentCode,
    listing_id: &str,
    measure: &str,
    note: &str,
) -> Result<LoopOutcome> {
    let note = clean_text(note, "签收说明(note)", false)?;
    let push = push_row(core, listing_id, measure, department)
        .await?
        .ok_or_else(|| unknown_push(listing_id, measure, department))?;
    if push.acked_ms.is_some() {
        return Ok(LoopOutcome { recorded: false, status: push.status() });
    }
    core.append(vec![NewEvent {
        actor: actor.clone(),
        rules: core.rules().sanction_versions(),
        body: EventBody::MeasureAcknowledged {
            listing_id: listing_id.to_owned(),
            push: push_of(measure, department),
            note,
        },
    }])
    .await?;
    let status = push_row(core, listing_id, measure, department).await?.map(|p| p.status());
    Ok(LoopOutcome { recorded: true, status: status.unwrap_or_else(|| push.status()) })
}

/// The department reports how it applied a measure (执行反馈), e.g. 拒绝其
/// 投标, linked to the credit-check receipt it relied on and/or its case.
/// An unacknowledged push is acknowledged in the same transaction. The same
/// feedback again changes nothing; different feedback replaces it (the
/// latest report is the one that stands; the log keeps each).
#[expect(clippy::too_many_arguments, reason = "one feedback is this many facts, as the API receives them")]
pub async fn report_execution(
    core: &Core,
    actor: &Actor,
    department: &DepartmentCode,
    listing_id: &str,
    measure: &str,
    outcome: String,
    receipt_id: Option<String>,
    case_ref: Option<String>,
) -> Result<LoopOutcome> {
    let outcome = clean_text(&outcome, "执行情况(outcome)", true)?;
    let case_ref = clean_case_ref(case_ref.as_deref())?;
    let receipt_id = receipt_id.map(|r| r.trim().to_owned()).filter(|r| !r.is_empty());
    let push = push_row(core, listing_id, measure, department)
        .await?
        .ok_or_else(|| unknown_push(listing_id, measure, department))?;
    if let Some(id) = &receipt_id {
        let row = core.store().row(&CHECK_RECEIPTS, &[Cell::text(id.as_str())]).await?;
        if row.as_deref().and_then(|r| text(r, 1)) != Some(department.as_str()) {
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
        return Ok(LoopOutcome { recorded: false, status: push.status() });
    }
    let rules = core.rules().sanction_versions();
    let mut events = Vec::new();
    if push.acked_ms.is_none() {
        events.push(NewEvent {
            actor: actor.clone(),
            rules: rules.clone(),
            body: EventBody::MeasureAcknowledged {
                listing_id: listing_id.to_owned(),
                push: push_of(measure, department),
                note: String::new(),
            },
        });
    }
    events.push(NewEvent {
        actor: actor.clone(),
        rules,
        body: EventBody::MeasureExecuted {
            listing_id: listing_id.to_owned(),
            push: push_of(measure, department),
            outcome,
            receipt_id,
            case_ref,
        },
    });
    core.append(events).await?;
    let status = push_row(core, listing_id, measure, department).await?.map(|p| p.status());
    Ok(LoopOutcome { recorded: true, status: status.unwrap_or_else(|| push.status()) })
}

/// A case as a department reports it (input of [`report_cases`]).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
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
    actor: &Actor,
    department: &DepartmentCode,
    cases: Vec<CaseInput>,
) -> Result<usize> {
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
        actor: actor.clone(),
        rules: core.rules().sanction_versions(),
        body: EventBody::CasesReported { department: department.clone(), cases: out },
    }])
    .await?;
    Ok(n)
}

/// Reads a whole table in key order, page by page (for reports computed in
/// memory; see [`crate::loop_metrics`]).
pub(crate) async fn all_rows(core: &Core, table: &'static xinyong_domain::projection::TableSpec) -> Result<Vec<Row>> {
    const PAGE: u32 = 2_000;
    let mut out: Vec<Row> = Vec::new();
    loop {
        let after: Option<Vec<Cell>> = out.last().map(|r| r[..table.key_len].to_vec());
        let page = core.store().rows_page(table, after.as_deref(), PAGE).await?;
        let done = page.len() < PAGE as usize;
        out.extend(page);
        if done {
            return Ok(out);
        }
    }
}

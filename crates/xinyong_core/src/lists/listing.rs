//! The listing life cycle (DOMAIN.md §3; 49号 item 8; 54号 clauses 八, 十, 十二):
//! a department proposes to list a subject (拟列入), tells it before
//! deciding (告知) and gives it an objection window counted in working days
//! on the official calendar, records and answers objections, decides (列入
//! 决定: the measures are pushed to their executing departments and the
//! liable people of an organisation get personal records), withdraws a
//! proposal, or ends a listing (移出). `expire_due` is the job that ends every
//! listing whose validity has run out.
//!
//! Every use case first asks the access policy whether its caller (a
//! [`Principal`]) may take the step on this listing — its deciding
//! department's operators and reviewers, or the credit office — then validates
//! the step against the stored state with the pure rule
//! [`ListingState::check`] and appends one event; the projection does the
//! rest. Pages, the CLI and tests call these same functions.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::Serialize;
use xinyong_domain::auth::DepartmentCode;
use xinyong_domain::closed_loop::{MeasurePush, PushRow};
use xinyong_domain::codes::id_number::IdNumber;
use xinyong_domain::collection::RecordSubject;
use xinyong_domain::event::NewEvent;
use xinyong_domain::lists::sanction::{ListType, SubjectKind};
use xinyong_domain::lists::{
    ExitReason, ListingProposal, ListingRow, ListingState, ListingStatus, ListsEvent, ObjectionOutcome, ObjectionRow,
    PersonalRecordRow, Step, StepError, digest_id,
};
use xinyong_domain::projection::Cell;
use xinyong_domain::subjects::RoleHolder;
use xinyong_domain::subjects::{NaturalPerson, RelationRole, SubjectName};
use xinyong_domain::subjects::{PersonRow, RelationRow};
use xinyong_domain::{Calendar, CalendarError};

use crate::auth::policy::{Action, Principal, Resource, authorize};
use crate::collection::intake::china_today;
use crate::error::{CoreError, Result};
use crate::log::Core;
use crate::rules::Rules;
use crate::subjects::{SubjectLookup, lookup_subject};

/// Longest free text (事由, 事实, 依据, 答复 …) a step takes, in characters.
const MAX_TEXT_CHARS: usize = 4000;
/// Longest short text (文号, 送达方式, record ids) in characters.
const MAX_SHORT_CHARS: usize = 200;
/// Events `expire_due` appends per transaction.
const EXPIRE_CHUNK: usize = 200;
/// Listings read per page while looking for expired ones.
const SCAN_PAGE: u32 = 1000;
/// Most rows a single read of one listing's pushes / people / objections takes.
const PER_LISTING_ROWS: u32 = 10_000;

/// What a department types into the 拟列入 form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProposeListing {
    pub list_code: String,
    /// USCC or ID number, as typed.
    pub subject: String,
    /// 事由
    pub reason: String,
    /// 失信行为事实
    pub facts: String,
    /// 认定依据
    pub legal_basis: String,
    /// Ids of the 归集 records the finding rests on.
    pub source_records: Vec<String>,
    /// Default: today (China time).
    pub proposed_on: Option<NaiveDate>,
}

/// An exit decision (移出).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExitRequest {
    pub reason: ExitReason,
    pub on: NaiveDate,
    /// 移出决定文号; required except when a listing simply expired.
    pub decision_no: Option<String>,
    pub note: String,
}

fn forbidden(code: &'static str, message: impl Into<String>) -> CoreError {
    CoreError::Forbidden { code, message: message.into() }
}

fn step_error(e: &StepError) -> CoreError {
    CoreError::invalid(e.code(), e.to_string())
}

/// A required text field: trimmed, non-empty, bounded.
fn required_text(field: &str, value: &str, max: usize) -> Result<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(CoreError::invalid("missing_field", format!("「{field}」必须填写")));
    }
    optional_text(field, value, max)
}

fn optional_text(field: &str, value: &str, max: usize) -> Result<String> {
    let value = value.trim();
    if value.chars().count() > max {
        return Err(CoreError::invalid("field_too_long", format!("「{field}」最多 {max} 个字符")));
    }
    if value.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err(CoreError::invalid("field_control_character", format!("「{field}」含有不可见的控制字符")));
    }
    Ok(value.to_owned())
}

/// A step's date: not after today, not before `earliest` (the listing's
/// previous step).
fn step_date(field: &str, date: NaiveDate, earliest: Option<(NaiveDate, &str)>, today: NaiveDate) -> Result<()> {
    if date > today {
        return Err(CoreError::invalid("date_in_future", format!("「{field}」{date} 晚于今天({today})")));
    }
    if let Some((earliest, what)) = earliest
        && date < earliest
    {
        return Err(CoreError::invalid("date_too_early", format!("「{field}」{date} 早于{what}({earliest})")));
    }
    Ok(())
}

// ---------------------------------------------------------------- deadlines

/// `n` working days after `start` on the official calendar.
///
/// When a year involved has no published State Council schedule yet (today:
/// 2027 and later), the days of that year are counted Monday–Friday, and the
/// result is never earlier than a plain Monday–Friday count from `start`.
/// This reading protects the subject: an objection window is never shorter
/// than five ordinary weekdays because a notice is missing, and a holiday the
/// coming notice adds can only have made the true window longer, never
/// shorter, except for a make-up Saturday, which the floor covers.
pub fn working_days_after(calendar: &Calendar, start: NaiveDate, n: u32) -> NaiveDate {
    match calendar.add_working_days(start, n) {
        Ok(date) => date,
        Err(CalendarError::YearNotPublished { .. }) => {
            let mixed = count_days(start, n, |d| match calendar.is_working_day(d) {
                Ok(working) => working,
                Err(_) => is_weekday(d),
            });
            mixed.max(count_days(start, n, is_weekday))
        }
        // Any other calendar error cannot come from a date computation; the
        // weekday count is the safe answer.
        Err(_) => count_days(start, n, is_weekday),
    }
}

fn is_weekday(d: NaiveDate) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

fn count_days(start: NaiveDate, n: u32, working: impl Fn(NaiveDate) -> bool) -> NaiveDate {
    let mut date = start;
    let mut counted = 0u32;
    while counted < n {
        let Some(next) = date.checked_add_days(Days::new(1)) else { return date };
        date = next;
        if working(date) {
            counted += 1;
        }
    }
    date
}

// ---------------------------------------------------------------- reads used by the steps

async fn listing_row(core: &Core, listing_id: &str) -> Result<ListingRow> {
    core.store()
        .get(ListingRow::key(listing_id.trim()))
        .await?
        .ok_or_else(|| CoreError::NotFound { what: format!("名单记录 {listing_id}"), code: "listing_not_found" })
}

fn list_of<'a>(rules: &'a Rules, code: &str) -> Result<&'a ListType> {
    rules
        .sanctions
        .list(code)
        .ok_or_else(|| CoreError::invalid("unknown_list", format!("名单类型 {code:?} 不存在(见 rules/lists.toml)")))
}

/// One objection as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Objection {
    pub objection_id: String,
    pub listing_id: String,
    pub filed_on: NaiveDate,
    pub grounds: String,
    pub answer_due: NaiveDate,
    pub answered_on: Option<NaiveDate>,
    pub outcome: Option<ObjectionOutcome>,
    pub reply: Option<String>,
}

impl From<ObjectionRow> for Objection {
    fn from(row: ObjectionRow) -> Objection {
        Objection {
            objection_id: row.objection_id,
            listing_id: row.listing_id,
            filed_on: row.filed_on,
            grounds: row.grounds,
            answer_due: row.answer_due,
            answered_on: row.answered_on,
            outcome: row.outcome,
            reply: row.reply,
        }
    }
}

async fn objections_of(core: &Core, listing_id: &str) -> Result<Vec<Objection>> {
    let rows = core.store().find::<ObjectionRow>("listing_id", &Cell::text(listing_id), PER_LISTING_ROWS).await?;
    let mut out: Vec<Objection> = rows.into_iter().map(Objection::from).collect();
    out.sort_by(|a, b| (a.filed_on, &a.objection_id).cmp(&(b.filed_on, &b.objection_id)));
    Ok(out)
}

/// The life-cycle state of a listing: its row, the rules of its list type and
/// whether the subject has been heard on an objection.
fn state_of(row: &ListingRow, list: Option<&ListType>, objections: &[Objection]) -> ListingState {
    ListingState {
        status: row.status,
        // A list type removed from the rules keeps the stricter procedure.
        notice_required: list.is_none_or(|l| l.notice_required),
        objection_deadline: row.objection_deadline,
        objection_answered: objections.iter().any(|o| o.outcome == Some(ObjectionOutcome::Rejected)),
        valid_from: row.valid_from,
        valid_until: row.valid_until,
        repairable: list.is_some_and(|l| l.repairable),
        early_exit_after_months: list.and_then(|l| l.early_exit_after_months),
    }
}

/// What the access policy judges a step on this listing by: its deciding
/// department and its subject.
pub fn resource_of(row: &ListingRow) -> Resource {
    Resource::Listing { department: row.department.clone(), subject: row.subject_key.clone() }
}

/// Loads a listing the policy lets the caller take `action` on.
async fn authorized(core: &Core, principal: &Principal, action: Action, listing_id: &str) -> Result<ListingRow> {
    let row = listing_row(core, listing_id).await?;
    authorize(principal, action, &resource_of(&row))?;
    Ok(row)
}

/// Whether `step` is allowed on `on` by the life-cycle rule.
async fn check_step(core: &Core, row: &ListingRow, step: Step, on: NaiveDate) -> Result<()> {
    let objections = objections_of(core, &row.listing_id).await?;
    let rules = core.rules();
    let list = rules.sanctions.list(&row.list_code);
    state_of(row, list, &objections).check(step, on).map_err(|e| step_error(&e))
}

fn event(principal: &Principal, core: &Core, body: ListsEvent) -> NewEvent {
    NewEvent { actor: principal.actor(), rules: core.rules().sanction_versions(), body: body.into() }
}

// ---------------------------------------------------------------- the steps

/// Resolves what was typed as the subject: a USCC of a known organisation or
/// the ID number of a known person.
async fn resolve_subject(core: &Core, typed: &str) -> Result<(SubjectKind, RecordSubject)> {
    match lookup_subject(core, typed).await? {
        SubjectLookup::Found(subject) => {
            let kind = if subject.is_natural_person() { SubjectKind::NaturalPerson } else { SubjectKind::LegalPerson };
            Ok((kind, subject))
        }
        SubjectLookup::Empty => {
            Err(CoreError::invalid("missing_field", "「主体代码」必须填写(统一社会信用代码或身份证号码)"))
        }
        SubjectLookup::Malformed => Err(CoreError::invalid(
            "subject_code_invalid",
            "「主体代码」既不是有效的统一社会信用代码，也不是有效的身份证号码",
        )),
        SubjectLookup::UnknownOrganisation(_) | SubjectLookup::UnknownPerson(_) => Err(CoreError::invalid(
            "unknown_subject",
            "「主体代码」在平台中没有登记：法人须先有主体登记，自然人须先有身份登记",
        )),
    }
}

/// Statuses that block a second proposal of the same subject on the same list.
fn is_open(row: &ListingRow, today: NaiveDate) -> bool {
    match row.status {
        ListingStatus::Proposed | ListingStatus::Noticed | ListingStatus::UnderObjection => true,
        ListingStatus::Listed => row.valid_until.is_none_or(|u| today <= u),
        ListingStatus::Withdrawn | ListingStatus::Exited => false,
    }
}

/// 拟列入: returns the listing id. The same proposal again returns the same
/// id and appends nothing.
pub async fn propose(
    core: &Core,
    principal: &Principal,
    department: &DepartmentCode,
    input: ProposeListing,
) -> Result<String> {
    authorize(principal, Action::ProposeListing, &Resource::Department(department.clone()))?;
    let rules = core.rules();
    let sanctions = &rules.sanctions;
    let list_code = input.list_code.trim();
    let list = list_of(&rules, list_code)?;
    if !list.deciders.allows(department) {
        return Err(forbidden(
            "not_a_deciding_department",
            format!("{department} 不是「{}」的认定部门(见 rules/lists.toml)", list.name),
        ));
    }
    if crate::auth::department(core, department).await?.is_none() {
        return Err(CoreError::invalid("unknown_department", format!("部门 {department} 没有登记")));
    }
    let (kind, subject) = resolve_subject(core, &input.subject).await?;
    if !list.accepts(kind) {
        let what = if kind == SubjectKind::LegalPerson { "法人和其他组织" } else { "自然人" };
        return Err(CoreError::invalid("subject_kind_not_allowed", format!("「{}」不适用于{what}", list.name)));
    }
    let reason = required_text("事由", &input.reason, MAX_TEXT_CHARS)?;
    let legal_basis = required_text("认定依据", &input.legal_basis, MAX_TEXT_CHARS)?;
    let facts = optional_text("失信行为事实", &input.facts, MAX_TEXT_CHARS)?;
    let mut source_records = Vec::new();
    for r in &input.source_records {
        for id in r.split(|c: char| c.is_whitespace() || c == ',' || c == '，' || c == ';' || c == '；') {
            let id = optional_text("依据记录编号", id, MAX_SHORT_CHARS)?;
            if !id.is_empty() && !source_records.contains(&id) {
                source_records.push(id);
            }
        }
    }
    let today = china_today(core);
    let proposed_on = input.proposed_on.unwrap_or(today);
    step_date("拟列入日期", proposed_on, None, today)?;

    let id = digest_id("LS", &[list_code, &subject.key, department.as_str(), &proposed_on.to_string(), &reason]);
    if core.store().get(ListingRow::key(id.as_str())).await?.is_some() {
        return Ok(id);
    }
    let same_subject =
        core.store().find::<ListingRow>("subject_key", &Cell::text(subject.key.as_str()), PER_LISTING_ROWS).await?;
    if let Some(open) = same_subject.iter().find(|r| r.list_code == list_code && is_open(r, today)) {
        return Err(CoreError::invalid(
            "already_listed",
            format!(
                "该主体在「{}」已有办理中或有效的记录 {}(状态：{})",
                list.name,
                open.listing_id,
                open.status.name_zh()
            ),
        ));
    }
    let proposal = ListingProposal {
        id: id.clone(),
        list_code: list_code.to_owned(),
        lists_version: sanctions.lists_version().to_owned(),
        subject,
        department: department.clone(),
        reason,
        facts,
        legal_basis,
        source_records,
        proposed_on,
    };
    core.append(vec![event(principal, core, ListsEvent::ListingProposed { proposal, list_kind: list.kind })]).await?;
    Ok(id)
}

/// 送达告知: returns the objection deadline.
pub async fn serve_notice(
    core: &Core,
    principal: &Principal,
    listing_id: &str,
    served_on: NaiveDate,
    channel: &str,
) -> Result<NaiveDate> {
    let today = china_today(core);
    let row = authorized(core, principal, Action::HandleListing, listing_id).await?;
    check_step(core, &row, Step::ServeNotice, today).await?;
    step_date("送达日期", served_on, Some((row.proposed_on, "拟列入日期")), today)?;
    let channel = required_text("送达方式", channel, MAX_SHORT_CHARS)?;
    let rules = core.rules();
    let window = rules.sanctions.settings.objection_window_working_days;
    let deadline = working_days_after(&rules.calendar, served_on, window);
    core.append(vec![event(
        principal,
        core,
        ListsEvent::ListingNoticeServed {
            listing_id: row.listing_id,
            served_on,
            objection_deadline: deadline,
            channel,
        },
    )])
    .await?;
    Ok(deadline)
}

/// 登记异议, recorded by the department on the subject's behalf. The window
/// is judged on the day the subject objected (`filed_on`), which may be
/// before the day the department records it. Returns the objection id.
pub async fn file_objection(
    core: &Core,
    principal: &Principal,
    listing_id: &str,
    filed_on: NaiveDate,
    grounds: &str,
) -> Result<String> {
    let today = china_today(core);
    let row = authorized(core, principal, Action::HandleListing, listing_id).await?;
    step_date("异议提出日期", filed_on, row.notice_served_on.map(|d| (d, "告知送达日期")), today)?;
    check_step(core, &row, Step::FileObjection, filed_on).await?;
    let grounds = required_text("异议理由", grounds, MAX_TEXT_CHARS)?;
    let objection_id = digest_id("OB", &[&row.listing_id, &filed_on.to_string(), &grounds]);
    let rules = core.rules();
    let answer_days = rules.sanctions.settings.objection_answer_working_days;
    let answer_due = working_days_after(&rules.calendar, filed_on, answer_days);
    core.append(vec![event(
        principal,
        core,
        ListsEvent::ListingObjectionFiled {
            listing_id: row.listing_id,
            objection_id: objection_id.clone(),
            filed_on,
            grounds,
            answer_due,
        },
    )])
    .await?;
    Ok(objection_id)
}

/// 答复异议. `Accepted` drops the proposal; `Rejected` lets the decision go
/// ahead (the subject has been heard).
pub async fn answer_objection(
    core: &Core,
    principal: &Principal,
    objection_id: &str,
    outcome: ObjectionOutcome,
    reply: &str,
) -> Result<()> {
    let objection = core
        .store()
        .get(ObjectionRow::key(objection_id.trim()))
        .await?
        .ok_or_else(|| CoreError::NotFound { what: format!("异议 {objection_id}"), code: "objection_not_found" })?;
    if objection.answered_on.is_some() {
        return Err(CoreError::invalid("objection_already_answered", "该异议已经答复"));
    }
    let today = china_today(core);
    let listing = authorized(core, principal, Action::DecideListing, &objection.listing_id).await?;
    check_step(core, &listing, Step::AnswerObjection, today).await?;
    let reply = required_text("答复意见", reply, MAX_TEXT_CHARS)?;
    core.append(vec![event(
        principal,
        core,
        ListsEvent::ListingObjectionAnswered {
            listing_id: listing.listing_id,
            objection_id: objection.objection_id,
            answered_on: today,
            outcome,
            reply,
        },
    )])
    .await?;
    Ok(())
}

/// The active legal representative, principal and actual controller of an
/// organisation, with their names.
async fn role_holders(core: &Core, uscc: &str) -> Result<Vec<RoleHolder>> {
    let rows = core.store().find::<RelationRow>("uscc", &Cell::text(uscc), PER_LISTING_ROWS).await?;
    let active: Vec<(IdNumber, RelationRole)> =
        rows.into_iter().filter(|r| r.active).map(|r| (r.id_number, r.role)).collect();
    if active.is_empty() {
        return Ok(Vec::new());
    }
    let mut ids: Vec<&IdNumber> = active.iter().map(|(id, _)| id).collect();
    ids.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    ids.dedup();
    let names: BTreeMap<String, String> = core
        .store()
        .get_many(ids.into_iter().map(PersonRow::key))
        .await?
        .into_iter()
        .map(|p| (p.id_number.as_str().to_owned(), p.name))
        .collect();
    let mut out = Vec::new();
    for (id, role) in active {
        let Some(name) = names.get(id.as_str()).and_then(|n| SubjectName::parse(n).ok()) else { continue };
        out.push(RoleHolder { role, person: NaturalPerson { id_number: id, name } });
    }
    out.sort_by(|a, b| (a.role, a.person.id_number.as_str()).cmp(&(b.role, b.person.id_number.as_str())));
    Ok(out)
}

/// 作出列入决定.
pub async fn decide(
    core: &Core,
    principal: &Principal,
    listing_id: &str,
    decision_no: &str,
    decided_on: NaiveDate,
) -> Result<()> {
    let today = china_today(core);
    let row = authorized(core, principal, Action::DecideListing, listing_id).await?;
    let after = row.notice_served_on.map_or((row.proposed_on, "拟列入日期"), |d| (d, "告知送达日期"));
    step_date("决定日期", decided_on, Some(after), today)?;
    // Judged on the decision's own date: a decision may not be dated inside
    // the objection window even when it is recorded later.
    check_step(core, &row, Step::Decide, decided_on).await?;
    let decision_no = required_text("决定文号", decision_no, MAX_SHORT_CHARS)?;
    let rules = core.rules();
    let list = list_of(&rules, &row.list_code)?;
    let pushes = rules
        .sanctions
        .pushes_for(list)
        .into_iter()
        .map(|(measure, department)| MeasurePush { measure, department })
        .collect();
    let liable_people = if list.personal_liability && !row.is_natural_person() {
        role_holders(core, &row.subject_key).await?
    } else {
        Vec::new()
    };
    core.append(vec![event(
        principal,
        core,
        ListsEvent::ListingDecided {
            subject: row.subject(),
            listing_id: row.listing_id,
            list_code: row.list_code,
            decision_no,
            decided_on,
            valid_from: decided_on,
            valid_until: list.valid_until(decided_on),
            measures: list.measures.clone(),
            pushes,
            liable_people,
        },
    )])
    .await?;
    Ok(())
}

/// 撤回: drops a proposal before a decision.
pub async fn withdraw(core: &Core, principal: &Principal, listing_id: &str, on: NaiveDate, reason: &str) -> Result<()> {
    let today = china_today(core);
    let row = authorized(core, principal, Action::DecideListing, listing_id).await?;
    step_date("撤回日期", on, Some((row.proposed_on, "拟列入日期")), today)?;
    check_step(core, &row, Step::Withdraw, on).await?;
    let reason = required_text("撤回理由", reason, MAX_TEXT_CHARS)?;
    core.append(vec![event(principal, core, ListsEvent::ListingWithdrawn { listing_id: row.listing_id, on, reason })])
        .await?;
    Ok(())
}

/// The event that ends a listing: its pushes lifted, its personal records closed.
async fn exit_event(core: &Core, row: ListingRow, req: ExitRequest) -> Result<ListsEvent> {
    let key = Cell::text(row.listing_id.as_str());
    let pushes = core.store().find::<PushRow>("listing_id", &key, PER_LISTING_ROWS).await?;
    let lifts = pushes
        .into_iter()
        .filter(|r| r.lifted_ms.is_none())
        .map(|r| MeasurePush { measure: r.measure, department: r.department })
        .collect();
    let people = core.store().find::<PersonalRecordRow>("listing_id", &key, PER_LISTING_ROWS).await?;
    let liable_people = people.into_iter().filter(|r| r.active).map(|r| r.id_number).collect();
    Ok(ListsEvent::ListingExited {
        subject: row.subject(),
        listing_id: row.listing_id,
        list_code: row.list_code,
        reason: req.reason,
        on: req.on,
        decision_no: req.decision_no,
        note: req.note,
        lifts,
        liable_people,
    })
}

/// 移出: ends a listing in force (repair, revocation, a court decision, or
/// expiry recorded by hand).
pub async fn exit(core: &Core, principal: &Principal, listing_id: &str, req: ExitRequest) -> Result<()> {
    let today = china_today(core);
    let row = authorized(core, principal, Action::DecideListing, listing_id).await?;
    step_date("移出日期", req.on, row.decided_on.map(|d| (d, "列入决定日期")), today)?;
    check_step(core, &row, Step::Exit(req.reason), req.on).await?;
    let decision_no = optional_text("移出决定文号", req.decision_no.as_deref().unwrap_or_default(), MAX_SHORT_CHARS)?;
    if decision_no.is_empty() && req.reason != ExitReason::Expired {
        return Err(CoreError::invalid("missing_field", "「移出决定文号」必须填写(期满移出除外)"));
    }
    let note = optional_text("说明", &req.note, MAX_TEXT_CHARS)?;
    let req = ExitRequest { decision_no: (!decision_no.is_empty()).then_some(decision_no), note, ..req };
    let body = exit_event(core, row, req).await?;
    core.append(vec![event(principal, core, body)]).await?;
    Ok(())
}

/// The job: every listing in `listed` whose validity ended before today
/// exits as expired (actor `system`). Idempotent: a second run finds nothing.
/// Returns how many listings exited.
///
/// Two processes running it at the same moment over one database could both
/// append an exit for the same listing (the second changes nothing in the
/// projection, but the log has it twice), so `serve` runs it as the claimed
/// job `listing_expiry` ([`crate::jobs::ListingExpiry`]): once across nodes.
pub async fn expire_due(core: &Core) -> Result<usize> {
    let today = china_today(core);
    let principal = Principal::system();
    let mut due = Vec::new();
    let mut after: Option<Vec<Cell>> = None;
    loop {
        let page = core.store().page::<ListingRow>(after.as_deref(), SCAN_PAGE).await?;
        let Some(last) = page.last() else { break };
        after = Some(vec![Cell::text(last.listing_id.as_str())]);
        let full = page.len() == SCAN_PAGE as usize;
        due.extend(
            page.into_iter().filter(|r| r.status == ListingStatus::Listed && r.valid_until.is_some_and(|u| u < today)),
        );
        if !full {
            break;
        }
    }
    let mut exited = 0;
    for chunk in due.chunks(EXPIRE_CHUNK) {
        let mut events = Vec::with_capacity(chunk.len());
        for row in chunk {
            let req = ExitRequest {
                reason: ExitReason::Expired,
                on: today,
                decision_no: None,
                note: "有效期届满，自动移出".to_owned(),
            };
            events.push(event(&principal, core, exit_event(core, row.clone(), req).await?));
        }
        exited += events.len();
        core.append(events).await?;
    }
    if exited > 0 {
        tracing::info!(exited, "expired listings exited");
    }
    Ok(exited)
}

// ---------------------------------------------------------------- reads for pages

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
    let rules = core.rules();
    let list = rules.sanctions.list(&row.list_code).cloned();
    let objections = objections_of(core, &row.listing_id).await?;
    let sanctions = &rules.sanctions;
    let mut pushes: Vec<PushStatus> = core
        .store()
        .find::<PushRow>("listing_id", &Cell::text(row.listing_id.as_str()), PER_LISTING_ROWS)
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
    let liable_people = core
        .store()
        .find::<PersonalRecordRow>("listing_id", &Cell::text(row.listing_id.as_str()), PER_LISTING_ROWS)
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

/// Filters of the listings table; `None` = any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListingFilter {
    pub status: Option<ListingStatus>,
    pub department: Option<DepartmentCode>,
    pub list_code: Option<String>,
}

/// Listings matching `filter`, newest proposal first, at most `limit`.
pub async fn list_listings(core: &Core, filter: &ListingFilter, limit: usize) -> Result<Vec<ListingRow>> {
    /// Rows read from one index before filtering on the other criteria.
    const SCAN: u32 = 20_000;
    let store = core.store();
    let rows = if let Some(d) = &filter.department {
        store.find::<ListingRow>("department", &Cell::text(d.as_str()), SCAN).await?
    } else if let Some(s) = filter.status {
        store.find::<ListingRow>("status", &Cell::text(s.as_str()), SCAN).await?
    } else if let Some(code) = &filter.list_code {
        store.find::<ListingRow>("list_code", &Cell::text(code.as_str()), SCAN).await?
    } else {
        store.page::<ListingRow>(None, SCAN).await?
    };
    let mut out: Vec<ListingRow> = rows
        .into_iter()
        .filter(|r| filter.status.is_none_or(|s| r.status == s))
        .filter(|r| filter.department.as_ref().is_none_or(|d| r.department == *d))
        .filter(|r| filter.list_code.as_deref().is_none_or(|c| r.list_code == c))
        .collect();
    out.sort_by_key(|r| std::cmp::Reverse((r.proposed_on, r.seq)));
    out.truncate(limit);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn deadlines_use_the_official_calendar() {
        let cal = Calendar::official();
        // 2026-09-30 (Wed) + 5: the National Day block (10-01..10-07) does not
        // count, the make-up Saturday 10-10 does: 10-08, 10-09, 10-10, 10-12, 10-13.
        assert_eq!(working_days_after(&cal, d("2026-09-30"), 5), d("2026-10-13"));
    }

    #[test]
    fn unpublished_years_count_weekdays_and_never_less() {
        let cal = Calendar::official();
        // 2026-12-30 (Wed): 12-31 is known, 2027 is not yet published.
        assert_eq!(working_days_after(&cal, d("2026-12-30"), 5), d("2027-01-06"));
        assert_eq!(working_days_after(&cal, d("2027-03-01"), 5), d("2027-03-08"));
    }
}

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
use xinyong_domain::closed_loop::MeasurePush;
use xinyong_domain::codes::id_number::IdNumber;
use xinyong_domain::collection::RecordSubject;
use xinyong_domain::collection::catalog::Category;
use xinyong_domain::event::NewEvent;
use xinyong_domain::lists::sanction::{ListKind, ListType, SubjectKind};
use xinyong_domain::lists::{
    ExitReason, ListingProposal, ListingRow, ListingState, ListingStatus, ListsEvent, ObjectionOutcome, ObjectionRow,
    Step, StepError, digest_id,
};
use xinyong_domain::subjects::RoleHolder;
use xinyong_domain::subjects::{NaturalPerson, PersonRow, RelationRole, SubjectName};
use xinyong_domain::{Calendar, CalendarError, Uscc};
use xinyong_storage::{closed_loop, lists, subjects};

pub use super::queries::{
    LiablePerson, ListingDetail, ListingFilter, PushStatus, TimelineEntry, list_listings, listing_detail,
    subject_display,
};
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
/// Expired listings read per page by `expire_due`.
const EXPIRE_PAGE: u32 = 1000;
/// Most rows one read of a listing's pushes, liable people or objections (or
/// of a subject's listings, or an organisation's roles) takes. A decision
/// pushes each measure of its list type to its executing departments: a few
/// dozen rows, far below this.
pub(crate) const PER_LISTING_ROWS: u32 = 1_000;

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

/// A listing's objections, first filed first.
pub(crate) async fn objections_of(core: &Core, listing_id: &str) -> Result<Vec<Objection>> {
    let rows = lists::objections_of(core.store(), listing_id, PER_LISTING_ROWS).await?;
    Ok(rows.into_iter().map(Objection::from).collect())
}

/// The life-cycle state of a listing: its row, the rules of its list type and
/// whether the subject has been heard on an objection.
pub(crate) fn state_of(row: &ListingRow, list: Option<&ListType>, objections: &[Objection]) -> ListingState {
    ListingState {
        status: row.status,
        // A list type removed from the rules keeps the stricter procedure.
        notice_required: list.is_none_or(|l| l.notice_required),
        objection_deadline: row.objection_deadline,
        objection_answered: objections.iter().any(|o| o.outcome == Some(ObjectionOutcome::Rejected)),
        objection_waived: row.objection_waived_on.is_some(),
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
        for id in r.split(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | '、' | ';' | '；')) {
            let id = optional_text("依据记录编号", id, MAX_SHORT_CHARS)?;
            if !id.is_empty() && !source_records.contains(&id) {
                source_records.push(id);
            }
        }
    }
    let today = china_today(core);
    let proposed_on = input.proposed_on.unwrap_or(today);
    step_date("拟列入日期", proposed_on, None, today)?;
    if list.kind == ListKind::Red {
        red_list_open_to(core, &subject.key, proposed_on).await?;
    }

    let id = digest_id("LS", &[list_code, &subject.key, department.as_str(), &proposed_on.to_string(), &reason]);
    if core.store().get(ListingRow::key(id.as_str())).await?.is_some() {
        return Ok(id);
    }
    let same_subject = lists::listings_of_subject(core.store(), &subject.key, PER_LISTING_ROWS).await?;
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
    // A console user's proposal names them: the decision must be another's.
    let proposed_by = matches!(principal, Principal::User(_)).then(|| principal.actor().as_str().to_owned());
    let body = ListsEvent::ListingProposed { proposal, list_kind: list.kind, proposed_by };
    core.append(vec![event(principal, core, body)]).await?;
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
    let row = authorized(core, principal, Action::HandleListing, listing_id).await?;
    record_objection(core, principal, row, filed_on, grounds).await
}

/// The company objects online, today, to a listing proposed about it, while
/// the notice's objection window is open. Returns the objection id.
pub async fn object_online(core: &Core, principal: &Principal, listing_id: &str, grounds: &str) -> Result<String> {
    let row = authorized(core, principal, Action::FileObjection, listing_id).await?;
    record_objection(core, principal, row, china_today(core), grounds).await
}

/// The subject waives its objection (陈述、申辩) in writing, online or at
/// the deciding department's counter: the decision need not wait for the
/// window. Only while the notice's window is open and no objection is filed.
pub async fn waive_objection(core: &Core, principal: &Principal, listing_id: &str, statement: &str) -> Result<()> {
    let row = authorized(core, principal, Action::FileObjection, listing_id).await?;
    let today = china_today(core);
    let open = row.status == ListingStatus::Noticed && row.objection_deadline.is_some_and(|d| today <= d);
    if !open {
        return Err(CoreError::invalid("waiver_not_possible", "只有在告知后的异议期内、尚未提出异议时才能放弃异议"));
    }
    if row.objection_waived_on.is_some() {
        return Ok(());
    }
    let statement = required_text("放弃异议的书面声明", statement, MAX_TEXT_CHARS)?;
    let body = ListsEvent::ListingObjectionWaived { listing_id: row.listing_id, waived_on: today, statement };
    core.append(vec![event(principal, core, body)]).await?;
    Ok(())
}

async fn record_objection(
    core: &Core,
    principal: &Principal,
    row: ListingRow,
    filed_on: NaiveDate,
    grounds: &str,
) -> Result<String> {
    let today = china_today(core);
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
    // A legal person's listing is keyed by its (registered, so valid) USCC.
    let Ok(uscc) = Uscc::parse(uscc) else { return Ok(Vec::new()) };
    let rows = subjects::relations_of(core.store(), &uscc, PER_LISTING_ROWS).await?;
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
    // Four eyes: whoever proposed may not also decide (49号: 认定 and
    // 审核 are separate steps). The platform's own imports are exempt.
    if matches!(principal, Principal::User(_)) && row.proposed_by.as_deref() == Some(principal.actor().as_str()) {
        return Err(forbidden("four_eyes_required", "列入决定须由拟列入人以外的审核人作出".to_owned()));
    }
    let rules = core.rules();
    let list = list_of(&rules, &row.list_code)?;
    if list.kind == ListKind::Red {
        red_list_open_to(core, &row.subject_key, decided_on).await?;
    }
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
    let row_subject_key = row.subject_key.clone();
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
    if list.kind != ListKind::Red {
        let why = format!("被列入「{}」（{listing_id}）", list.name);
        exit_red_listings(core, &[row_subject_key], decided_on, &why).await?;
    }
    Ok(())
}

/// Red-list entry is refused while the subject has a penalty in publicity
/// or is on a dishonesty list in force on `today`, the step's own date
/// (守信激励 presupposes no current dishonesty information).
async fn red_list_open_to(core: &Core, subject_key: &str, today: NaiveDate) -> Result<()> {
    let listings = lists::listings_of_subject(core.store(), subject_key, PER_LISTING_ROWS).await?;
    if let Some(l) = listings.iter().find(|l| l.list_kind != ListKind::Red.as_str() && l.in_force(today)) {
        return Err(CoreError::invalid(
            "red_list_blocked",
            format!("该主体在失信名单记录 {} 有效期内，不得列入守信激励对象名单", l.listing_id),
        ));
    }
    let Ok(uscc) = Uscc::parse(subject_key) else { return Ok(()) };
    let records = xinyong_storage::collection::records_of_subject(core.store(), &uscc, 1_000).await?;
    let catalog = &core.rules().catalog;
    let penalty = records.iter().find(|r| {
        r.public
            && catalog.item(&r.item).is_some_and(|i| i.category() == Category::AdministrativePenalty)
            && r.window_start.is_some_and(|s| s <= today)
            && r.latest_end.is_none_or(|e| today < e)
    });
    if let Some(r) = penalty {
        return Err(CoreError::invalid(
            "red_list_blocked",
            format!("该主体的行政处罚（{}）仍在公示期内，不得列入守信激励对象名单", r.document_number),
        ));
    }
    red_list_grade_reached(core, &uscc).await
}

/// Where the local model sets `red_list_min_grade`, the subject's current
/// grade must reach it. A subject not graded yet is graded on the spot, so
/// the answer never depends on when the evaluation job last ran.
async fn red_list_grade_reached(core: &Core, uscc: &Uscc) -> Result<()> {
    let rules = core.rules();
    let Some(model) = rules.local_model() else { return Ok(()) };
    let Some(min) = model.red_list_min_grade.as_deref() else { return Ok(()) };
    let Some(min_rank) = model.rank_of(min) else { return Ok(()) };
    let local =
        |rows: Vec<xinyong_domain::evaluation::GradeRow>| rows.into_iter().find(|r| r.model == model.name.as_str());
    let mut grade = local(xinyong_storage::evaluation::grades_of_subject(core.store(), uscc).await?);
    if grade.is_none() {
        crate::evaluation::evaluate(core, &crate::evaluation::Scope::Some(vec![uscc.clone()])).await?;
        grade = local(xinyong_storage::evaluation::grades_of_subject(core.store(), uscc).await?);
    }
    match grade {
        Some(g) if model.rank_of(&g.grade).is_some_and(|rank| rank <= min_rank) => Ok(()),
        Some(g) => Err(CoreError::invalid(
            "red_list_grade_too_low",
            format!("该主体公共信用综合评价等级为 {}，列入守信激励对象名单须达到 {min} 级及以上", g.grade),
        )),
        None => Err(CoreError::invalid(
            "red_list_grade_too_low",
            format!("该主体尚无公共信用综合评价等级，列入守信激励对象名单须达到 {min} 级及以上"),
        )),
    }
}

/// Most red-list entries read when dishonesty information arrives.
const MAX_RED_LISTINGS: u32 = 100_000;

/// 立即移出: every subject among `subjects` that is on a red list in force
/// leaves it at once, because dishonesty information about it arrived (a
/// public penalty, a listing on a dishonesty list). Written by the platform
/// (`system`) in one append; returns how many listings exited.
pub async fn exit_red_listings(core: &Core, subjects: &[String], on: NaiveDate, because: &str) -> Result<usize> {
    if subjects.is_empty() {
        return Ok(0);
    }
    let red = lists::red_listings_in_force(core.store(), on, MAX_RED_LISTINGS).await?;
    let mut events = Vec::new();
    for row in red.into_iter().filter(|r| subjects.contains(&r.subject_key)) {
        let note = format!("{because}，依规定立即移出守信激励对象名单");
        let on = on.max(row.valid_from.unwrap_or(on));
        let req = ExitRequest { reason: ExitReason::Dishonesty, on, decision_no: None, note };
        events.push(event(&Principal::system(), core, exit_event(core, row, req).await?));
    }
    let exited = events.len();
    if exited > 0 {
        core.append(events).await?;
        tracing::info!(exited, "red-list entries ended by new dishonesty information");
    }
    Ok(exited)
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
    let pushes = closed_loop::pushes_of_listing(core.store(), &row.listing_id, PER_LISTING_ROWS).await?;
    let lifts = pushes
        .into_iter()
        .filter(|r| r.lifted_ms.is_none())
        .map(|r| MeasurePush { measure: r.measure, department: r.department })
        .collect();
    let people = lists::personal_records_of_listing(core.store(), &row.listing_id, PER_LISTING_ROWS).await?;
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
    if req.reason == ExitReason::Dishonesty && row.list_kind != ListKind::Red.as_str() {
        return Err(CoreError::invalid("exit_reason_invalid", "“因失信信息移出”只适用于守信激励对象名单"));
    }
    if decision_no.is_empty() && !matches!(req.reason, ExitReason::Expired | ExitReason::Dishonesty) {
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
    let mut exited = 0;
    // Each page is read after the previous one exited: the exited rows have
    // left `listed`, and the id cursor moves past anything that failed to.
    let mut after: Option<String> = None;
    loop {
        let page = lists::listings_expired_by(core.store(), today, after.as_deref(), EXPIRE_PAGE).await?;
        for chunk in page.items.chunks(EXPIRE_CHUNK) {
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
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    if exited > 0 {
        tracing::info!(exited, "expired listings exited");
    }
    Ok(exited)
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

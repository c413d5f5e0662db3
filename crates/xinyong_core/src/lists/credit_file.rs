//! The credit file (信用档案) departments keep on a subject, and the two
//! measures recorded straight into it: market and industry bans (54号 clause
//! 十一) and reminder / warning interviews (约谈, clause 七.1, "谁认定、谁约谈").
//! Listings and the personal records of liable people (clause 十二) are
//! written by the listing life cycle; this module reads them back.
//!
//! Nothing here is public. The decisions (impose and lift a ban, record an
//! interview) and the reads that show people ask the access policy first,
//! with the caller's [`Principal`]. Reads that show people are audited
//! before they are shown: a `personal_data_read` entry in the log (the
//! durable, tamper-evident trail the credit office reads at
//! `/console/audit`) and a `tracing` line with target `audit` name who
//! looked, in which role, why, and at what (ID numbers masked even there).

use chrono::NaiveDate;
use xinyong_domain::auth::{AuthEvent, DepartmentCode};
use xinyong_domain::codes::id_number::IdNumber;
use xinyong_domain::codes::uscc::Uscc;
use xinyong_domain::collection::RecordSubject;
use xinyong_domain::event::NewEvent;
use xinyong_domain::lists::{
    Ban, BanRow, BanScope, Interview, InterviewKind, InterviewRow, ListingRow, ListsEvent, PersonalRecordRow, digest_id,
};
use xinyong_domain::subjects::{PersonRow, SubjectRow};
pub use xinyong_storage::lists::DatedCursor;
use xinyong_storage::{Page, lists, subjects};

use crate::auth::policy::{Action, Principal, Resource, authorize};
use crate::collection::intake::china_today;
use crate::error::{CoreError, Result};
use crate::log::Core;
use crate::subjects::{SubjectLookup, lookup_subject};

/// Longest free text accepted in a ban or interview field.
const MAX_TEXT_CHARS: usize = 2_000;
/// Longest short text (field, decision number).
const MAX_SHORT_CHARS: usize = 200;
/// Rows of each kind read per subject or person, newest first (a file has
/// far fewer).
const FILE_ROWS: u32 = 1_000;
/// Bans or interviews the console's list shows: the newest, one page.
pub const LIST_PAGE_ROWS: u32 = 500;

// ---------------------------------------------------------------- helpers

/// A required text field: trimmed, not empty, not too long.
fn required(value: &str, code: &'static str, label: &str, max: usize) -> Result<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(CoreError::invalid(code, format!("{label}不能为空")));
    }
    if value.chars().count() > max {
        return Err(CoreError::invalid(code, format!("{label}不能超过 {max} 个字")));
    }
    Ok(value.to_owned())
}

fn optional(value: Option<&str>, code: &'static str, label: &str, max: usize) -> Result<Option<String>> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => required(v, code, label, max).map(Some),
    }
}

/// A subject known to the platform, as typed by a clerk: a USCC of a
/// registered organisation or the ID number of a known person.
pub async fn resolve_subject(core: &Core, raw: &str) -> Result<RecordSubject> {
    match lookup_subject(core, raw).await? {
        SubjectLookup::Found(subject) => Ok(subject),
        SubjectLookup::Empty => {
            Err(CoreError::invalid("subject_required", "主体不能为空：请填写统一社会信用代码或身份证号码"))
        }
        SubjectLookup::UnknownOrganisation(uscc) => Err(CoreError::invalid(
            "unknown_subject",
            format!("平台中没有统一社会信用代码为 {uscc} 的主体，请先归集其登记信息"),
        )),
        SubjectLookup::UnknownPerson(id) => Err(CoreError::invalid(
            "unknown_subject",
            format!("平台中没有身份证号码为 {} 的自然人", core.settings().mask.mask_id(id.as_str())),
        )),
        SubjectLookup::Malformed => {
            Err(CoreError::invalid("unknown_subject", "主体应为 18 位统一社会信用代码或 18 位身份证号码，且校验位正确"))
        }
    }
}

async fn listing(core: &Core, listing_id: &str) -> Result<ListingRow> {
    core.store().get(ListingRow::key(listing_id)).await?.ok_or_else(|| {
        CoreError::invalid("unknown_listing", format!("关联名单编号 {listing_id} 不存在，请核对后重新填写"))
    })
}

/// The linked listing, which must be about the same subject.
async fn linked_listing(core: &Core, listing_id: Option<&str>, subject: &RecordSubject) -> Result<Option<ListingRow>> {
    let Some(id) = listing_id.map(str::trim).filter(|s| !s.is_empty()) else { return Ok(None) };
    let row = listing(core, id).await?;
    if row.subject_key != subject.key {
        return Err(CoreError::invalid(
            "listing_subject_mismatch",
            format!("关联名单 {id} 的主体不是本次填写的主体，请核对名单编号"),
        ));
    }
    Ok(Some(row))
}

// ---------------------------------------------------------------- bans

/// A ban decision (禁入决定) as a department submits it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BanInput {
    /// USCC of a known organisation or ID number of a known person.
    pub subject: String,
    pub scope: BanScope,
    /// 禁入领域, e.g. 食品生产经营.
    pub field: String,
    pub description: String,
    /// 法律依据.
    pub basis: String,
    /// 决定文号.
    pub decision_no: String,
    pub starts_on: NaiveDate,
    /// Last day in force; `None` = for life (终身禁入).
    pub ends_on: Option<NaiveDate>,
    pub listing_id: Option<String>,
}

async fn require_department(core: &Core, department: &DepartmentCode) -> Result<()> {
    if crate::auth::department(core, department).await?.is_none() {
        return Err(CoreError::Forbidden {
            code: "unknown_department",
            message: format!("部门 {department} 未在平台登记，不能作出决定"),
        });
    }
    Ok(())
}

/// Records a ban decided by `department` (its reviewers decide); returns the
/// ban id. The same decision sent twice is the same id and writes nothing the
/// second time.
pub async fn impose_ban(
    core: &Core,
    principal: &Principal,
    department: &DepartmentCode,
    input: BanInput,
) -> Result<String> {
    authorize(principal, Action::ImposeBan, &Resource::Department(department.clone()))?;
    require_department(core, department).await?;
    let subject = resolve_subject(core, &input.subject).await?;
    let field = required(&input.field, "field_required", "禁入领域", MAX_SHORT_CHARS)?;
    let description = optional(Some(&input.description), "description_too_long", "禁入内容", MAX_TEXT_CHARS)?;
    let basis = required(&input.basis, "basis_required", "法律依据", MAX_TEXT_CHARS)?;
    let decision_no = required(&input.decision_no, "decision_no_required", "决定文号", MAX_SHORT_CHARS)?;
    if let Some(end) = input.ends_on
        && end < input.starts_on
    {
        return Err(CoreError::invalid(
            "invalid_term",
            format!("禁入期限截止日期 {end} 早于起始日期 {}；终身禁入请不填截止日期", input.starts_on),
        ));
    }
    let listing = linked_listing(core, input.listing_id.as_deref(), &subject).await?;
    let id = digest_id("BN", &[department.as_str(), &subject.key, input.scope.as_str(), &field, &decision_no]);
    if core.store().get(BanRow::key(id.as_str())).await?.is_some() {
        return Ok(id);
    }
    let ban = Ban {
        id: id.clone(),
        subject,
        scope: input.scope,
        field,
        description: description.unwrap_or_default(),
        basis,
        department: department.clone(),
        decision_no,
        starts_on: input.starts_on,
        ends_on: input.ends_on,
        listing_id: listing.map(|l| l.listing_id),
    };
    core.append(vec![NewEvent::new(principal.actor(), ListsEvent::BanImposed { ban })]).await?;
    Ok(id)
}

/// Lifts a ban from `on` (解除禁入): only the department that decided it, or
/// the credit office; a ban is lifted once.
pub async fn lift_ban(core: &Core, principal: &Principal, ban_id: &str, on: NaiveDate, reason: &str) -> Result<()> {
    let Some(row) = core.store().get(BanRow::key(ban_id)).await? else {
        return Err(CoreError::NotFound { what: format!("禁入决定 {ban_id}"), code: "ban_not_found" });
    };
    authorize(principal, Action::LiftBan, &ban_resource(&row))?;
    let ban = BanRecord::from(row);
    if let Some(lifted) = ban.lifted_on {
        return Err(CoreError::invalid("ban_already_lifted", format!("该禁入已于 {lifted} 解除，不能重复解除")));
    }
    let reason = required(reason, "reason_required", "解除理由", MAX_TEXT_CHARS)?;
    if on < ban.starts_on {
        return Err(CoreError::invalid("invalid_term", format!("解除日期 {on} 早于禁入起始日期 {}", ban.starts_on)));
    }
    let body = ListsEvent::BanLifted { ban_id: ban.id.clone(), on, reason };
    core.append(vec![NewEvent::new(principal.actor(), body)]).await?;
    Ok(())
}

/// What the access policy judges a ban by: its deciding department and its
/// subject.
pub fn ban_resource(row: &BanRow) -> Resource {
    Resource::Ban { department: row.department.clone(), subject: row.subject_key.clone() }
}

/// A ban as read back from its row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BanRecord {
    pub id: String,
    pub subject: RecordSubject,
    pub scope: BanScope,
    pub field: String,
    pub description: String,
    pub basis: String,
    pub department: String,
    pub decision_no: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub listing_id: Option<String>,
    pub lifted_on: Option<NaiveDate>,
    pub lift_reason: Option<String>,
}

impl From<BanRow> for BanRecord {
    fn from(row: BanRow) -> BanRecord {
        BanRecord {
            subject: row.subject(),
            id: row.ban_id,
            scope: row.scope,
            field: row.field,
            description: row.description,
            basis: row.basis,
            department: row.department.as_str().to_owned(),
            decision_no: row.decision_no,
            starts_on: row.starts_on,
            ends_on: row.ends_on,
            listing_id: row.listing_id,
            lifted_on: row.lifted_on,
            lift_reason: row.lift_reason,
        }
    }
}

impl BanRecord {
    /// What the access policy judges this ban by (see [`ban_resource`]). A
    /// department code that does not parse is nobody's: department rules
    /// refuse it.
    pub fn resource(&self) -> Resource {
        match DepartmentCode::parse(&self.department) {
            Ok(department) => Resource::Ban { department, subject: self.subject.key.clone() },
            Err(_) => Resource::Platform,
        }
    }

    /// In force on `today`: inside its term and not lifted by then.
    pub fn in_force(&self, today: NaiveDate) -> bool {
        self.starts_on <= today
            && self.ends_on.is_none_or(|end| today <= end)
            && self.lifted_on.is_none_or(|lifted| today < lifted)
    }

    /// 生效中 / 未生效 / 已期满 / 已解除.
    pub fn status_zh(&self, today: NaiveDate) -> &'static str {
        if self.lifted_on.is_some_and(|l| l <= today) {
            "已解除"
        } else if today < self.starts_on {
            "未生效"
        } else if self.ends_on.is_some_and(|end| end < today) {
            "已期满"
        } else {
            "生效中"
        }
    }
}

/// The newest [`LIST_PAGE_ROWS`] bans decided by `department`, or of every
/// department (`None`), newest start first (ties by id).
pub async fn bans(core: &Core, department: Option<&DepartmentCode>) -> Result<Vec<BanRecord>> {
    Ok(bans_page(core, department, None, LIST_PAGE_ROWS).await?.items)
}

/// One page of [`bans`] after `after`; `next` is where the following starts.
pub async fn bans_page(
    core: &Core,
    department: Option<&DepartmentCode>,
    after: Option<&DatedCursor>,
    limit: u32,
) -> Result<Page<BanRecord, DatedCursor>> {
    let page = lists::bans(core.store(), department, after, limit.clamp(1, LIST_PAGE_ROWS)).await?;
    Ok(page.map(BanRecord::from))
}

pub async fn ban(core: &Core, ban_id: &str) -> Result<Option<BanRecord>> {
    Ok(core.store().get(BanRow::key(ban_id)).await?.map(BanRecord::from))
}

// ---------------------------------------------------------------- interviews

/// An interview (约谈) as the department records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterviewInput {
    /// USCC of a known organisation.
    pub subject: String,
    pub kind: InterviewKind,
    pub held_on: NaiveDate,
    /// Who attended for the subject (names and roles).
    pub interviewees: String,
    /// Who held it for the department.
    pub interviewers: String,
    /// 约谈内容及结果.
    pub outcome: String,
    /// 整改期限.
    pub rectify_by: Option<NaiveDate>,
    pub listing_id: Option<String>,
}

/// Records an interview held by `department`; returns its id. With a
/// listing, only the listing's deciding department may record it (谁认定、谁约谈).
pub async fn record_interview(
    core: &Core,
    principal: &Principal,
    department: &DepartmentCode,
    input: InterviewInput,
) -> Result<String> {
    authorize(principal, Action::RecordInterview, &Resource::Department(department.clone()))?;
    require_department(core, department).await?;
    let subject = resolve_subject(core, &input.subject).await?;
    if subject.is_natural_person() {
        return Err(CoreError::invalid(
            "subject_not_organisation",
            "约谈对象应为法人或非法人组织：请填写统一社会信用代码，到场人员写在「参加约谈人员」中",
        ));
    }
    let today = china_today(core);
    if input.held_on > today {
        return Err(CoreError::invalid(
            "held_on_in_future",
            format!("约谈日期 {} 晚于今天 {today}：请在约谈之后登记", input.held_on),
        ));
    }
    let interviewees = required(&input.interviewees, "interviewees_required", "参加约谈人员", MAX_TEXT_CHARS)?;
    let interviewers = required(&input.interviewers, "interviewers_required", "约谈人", MAX_TEXT_CHARS)?;
    let outcome = required(&input.outcome, "outcome_required", "约谈内容及结果", MAX_TEXT_CHARS)?;
    if let Some(by) = input.rectify_by
        && by < input.held_on
    {
        return Err(CoreError::invalid("invalid_rectify_by", format!("整改期限 {by} 早于约谈日期 {}", input.held_on)));
    }
    let listing = linked_listing(core, input.listing_id.as_deref(), &subject).await?;
    if let Some(l) = &listing
        && l.department != *department
    {
        return Err(CoreError::Forbidden {
            code: "not_the_deciding_department",
            message: format!("谁认定、谁约谈：名单 {} 由其他部门认定，应由认定部门登记约谈", l.listing_id),
        });
    }
    let held_on = input.held_on.to_string();
    let rectify_by = input.rectify_by.map(|d| d.to_string()).unwrap_or_default();
    let listing_id = listing.as_ref().map(|l| l.listing_id.clone());
    let id = digest_id(
        "IV",
        &[
            department.as_str(),
            &subject.key,
            input.kind.as_str(),
            &held_on,
            &interviewees,
            &interviewers,
            &outcome,
            &rectify_by,
            listing_id.as_deref().unwrap_or_default(),
        ],
    );
    if core.store().get(InterviewRow::key(id.as_str())).await?.is_some() {
        return Ok(id);
    }
    let interview = Interview {
        id: id.clone(),
        subject,
        kind: input.kind,
        department: department.clone(),
        held_on: input.held_on,
        interviewees,
        interviewers,
        outcome,
        rectify_by: input.rectify_by,
        listing_id,
    };
    core.append(vec![NewEvent::new(principal.actor(), ListsEvent::InterviewRecorded { interview })]).await?;
    Ok(id)
}

/// An interview as read back from its row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterviewRecord {
    pub id: String,
    pub subject: RecordSubject,
    pub kind: InterviewKind,
    pub department: String,
    pub held_on: NaiveDate,
    pub interviewees: String,
    pub interviewers: String,
    pub outcome: String,
    pub rectify_by: Option<NaiveDate>,
    pub listing_id: Option<String>,
}

impl From<InterviewRow> for InterviewRecord {
    fn from(row: InterviewRow) -> InterviewRecord {
        InterviewRecord {
            subject: row.subject(),
            id: row.interview_id,
            kind: row.kind,
            department: row.department.as_str().to_owned(),
            held_on: row.held_on,
            interviewees: row.interviewees,
            interviewers: row.interviewers,
            outcome: row.outcome,
            rectify_by: row.rectify_by,
            listing_id: row.listing_id,
        }
    }
}

/// The newest [`LIST_PAGE_ROWS`] interviews held by `department`, or by any
/// (`None`), newest first (ties by id).
pub async fn interviews(core: &Core, department: Option<&DepartmentCode>) -> Result<Vec<InterviewRecord>> {
    Ok(interviews_page(core, department, None, LIST_PAGE_ROWS).await?.items)
}

/// One page of [`interviews`] after `after`; `next` is where the following
/// starts.
pub async fn interviews_page(
    core: &Core,
    department: Option<&DepartmentCode>,
    after: Option<&DatedCursor>,
    limit: u32,
) -> Result<Page<InterviewRecord, DatedCursor>> {
    let page = lists::interviews(core.store(), department, after, limit.clamp(1, LIST_PAGE_ROWS)).await?;
    Ok(page.map(InterviewRecord::from))
}

// ---------------------------------------------------------------- reads

/// Who reads personal data, and why: checked against the access policy
/// (`ViewPersons`) and written to the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookup {
    pub who: Principal,
    /// 查询事由, as typed on the lookup form.
    pub why: String,
}

impl Lookup {
    /// The reason, once the reader may see people at all.
    fn checked_reason(&self) -> Result<String> {
        authorize(&self.who, Action::ViewPersons, &Resource::NaturalPersons)?;
        required(&self.why, "reason_required", "查询事由", MAX_SHORT_CHARS)
    }
}

/// A personal credit record (十二) of a liable person, ID masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonalRecord {
    pub id_masked: String,
    pub person_name: String,
    pub listing_id: String,
    /// `legal_representative` / `principal` / `actual_controller`.
    pub role: String,
    pub role_name: String,
    pub uscc: String,
    pub organisation_name: String,
    pub list_code: String,
    pub list_name: String,
    pub valid_until: Option<NaiveDate>,
    pub active: bool,
}

/// One of the organisation's people, ID masked, with their records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonInFile {
    pub name: String,
    pub id_masked: String,
    pub role: String,
    pub role_name: String,
    /// The role is current (not ended).
    pub active: bool,
    pub records: Vec<PersonalRecord>,
}

/// The organisation's basic facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganisationFacts {
    pub uscc: String,
    pub name: String,
    pub status_name: String,
}

/// A listing in a file (either kind of subject).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileListing {
    pub row: ListingRow,
    pub list_name: String,
    pub in_force: bool,
}

/// An organisation's credit file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditFile {
    pub organisation: OrganisationFacts,
    pub as_of: NaiveDate,
    pub listings: Vec<FileListing>,
    pub bans: Vec<BanRecord>,
    pub interviews: Vec<InterviewRecord>,
    /// `None` when the reader may not see people (no [`Lookup`] given).
    pub people: Option<Vec<PersonInFile>>,
}

/// A natural person's file, ID masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonFile {
    pub id_masked: String,
    pub name: String,
    pub as_of: NaiveDate,
    /// Listings of the person as a subject (e.g. 失信被执行人).
    pub listings: Vec<FileListing>,
    pub bans: Vec<BanRecord>,
    /// Records as a liable person of listed organisations.
    pub records: Vec<PersonalRecord>,
}

fn file_listings(core: &Core, rows: Vec<ListingRow>, today: NaiveDate) -> Vec<FileListing> {
    let rules = &core.rules().sanctions;
    // Already newest proposal first (ties by id), as read.
    rows.into_iter()
        .map(|row| FileListing {
            list_name: rules.list(&row.list_code).map_or_else(|| row.list_code.clone(), |l| l.name.clone()),
            in_force: row.in_force(today),
            row,
        })
        .collect()
}

fn personal_record(core: &Core, row: PersonalRecordRow) -> PersonalRecord {
    PersonalRecord {
        id_masked: core.settings().mask.mask_id(row.id_number.as_str()),
        person_name: row.person_name,
        listing_id: row.listing_id,
        role: row.role.as_str().to_owned(),
        role_name: row.role.name_zh().to_owned(),
        uscc: row.uscc,
        organisation_name: row.organisation_name,
        list_name: core
            .rules()
            .sanctions
            .list(&row.list_code)
            .map_or_else(|| row.list_code.clone(), |l| l.name.clone()),
        list_code: row.list_code,
        valid_until: row.valid_until,
        active: row.active,
    }
}

/// A person's records: active first, then the latest end.
async fn personal_records_of(core: &Core, id: &IdNumber) -> Result<Vec<PersonalRecord>> {
    let rows = lists::personal_records_of_person(core.store(), id, FILE_ROWS).await?;
    Ok(rows.into_iter().map(|r| personal_record(core, r)).collect())
}

/// A subject's bans, newest start first (ties by id).
async fn bans_of(core: &Core, key: &str) -> Result<Vec<BanRecord>> {
    Ok(lists::bans_of_subject(core.store(), key, FILE_ROWS).await?.into_iter().map(BanRecord::from).collect())
}

/// Writes the read to the audit trail (a `personal_data_read` entry in the
/// log) before anything is shown: no trail, no read.
async fn audit(core: &Core, lookup: &Lookup, why: &str, what: &str, target: &str) -> Result<()> {
    let who = &lookup.who;
    let reader_roles = match who {
        Principal::User(user) => user.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(","),
        Principal::Token(_) => "token".to_owned(),
        Principal::Subject(_) => "subject".to_owned(),
        Principal::Subscriber(_) => "subscriber".to_owned(),
        Principal::Agency(_) => "agency".to_owned(),
        Principal::System(_) => "system".to_owned(),
        Principal::Anonymous => "anonymous".to_owned(),
    };
    core.append(vec![NewEvent::new(
        who.actor(),
        AuthEvent::PersonalDataRead {
            reader: who.actor().as_str().to_owned(),
            reader_roles,
            reader_department: who.department().cloned(),
            reason: why.to_owned(),
            what: what.to_owned(),
            subject: target.to_owned(),
        },
    )])
    .await?;
    tracing::info!(target: "audit", who = %who.actor().as_str(), why = %why, what = %what, subject = %target, "personal data read");
    Ok(())
}

/// An organisation's credit file; `None` when the USCC is unknown. People
/// and their personal records are included only with a `lookup` whose reader
/// the policy lets see people, and that read is audited.
pub async fn credit_file(core: &Core, uscc: &Uscc, people: Option<&Lookup>) -> Result<Option<CreditFile>> {
    let store = core.store();
    let Some(subject) = store.get(SubjectRow::key(uscc)).await? else { return Ok(None) };
    let today = china_today(core);
    let organisation = OrganisationFacts {
        uscc: uscc.as_str().to_owned(),
        name: subject.name,
        status_name: subject.status.name_zh().to_owned(),
    };
    let listing_rows = lists::listings_of_subject(store, uscc.as_str(), FILE_ROWS).await?;
    let interview_rows = lists::interviews_of_subject(store, uscc.as_str(), FILE_ROWS).await?;
    let people = match people {
        None => None,
        Some(lookup) => {
            let why = lookup.checked_reason()?;
            audit(core, lookup, &why, "credit_file.people", uscc.as_str()).await?;
            Some(people_of(core, uscc).await?)
        }
    };
    Ok(Some(CreditFile {
        organisation,
        as_of: today,
        listings: file_listings(core, listing_rows, today),
        bans: bans_of(core, uscc.as_str()).await?,
        interviews: interview_rows.into_iter().map(InterviewRecord::from).collect(),
        people,
    }))
}

async fn people_of(core: &Core, uscc: &Uscc) -> Result<Vec<PersonInFile>> {
    let store = core.store();
    let relations = subjects::relations_of(store, uscc, FILE_ROWS).await?;
    let mut people = Vec::new();
    for rel in relations {
        let id = rel.id_number.as_str();
        let name = store.get(PersonRow::key(&rel.id_number)).await?.map(|p| p.name).unwrap_or_default();
        // Only the records this organisation's listings gave them: a file
        // about one company does not reveal the person's other companies.
        let records =
            personal_records_of(core, &rel.id_number).await?.into_iter().filter(|r| r.uscc == uscc.as_str()).collect();
        people.push(PersonInFile {
            name,
            id_masked: core.settings().mask.mask_id(id),
            role: rel.role.as_str().to_owned(),
            role_name: rel.role.name_zh().to_owned(),
            active: rel.active,
            records,
        });
    }
    people.sort_by(|a, b| b.active.cmp(&a.active).then_with(|| a.role.cmp(&b.role)));
    Ok(people)
}

/// A natural person's file by ID number: their own listings and bans and
/// their personal records as liable people. Always audited, with the
/// reason (查询事由) required.
pub async fn person_file(core: &Core, lookup: &Lookup, id_number: &str) -> Result<PersonFile> {
    let why = lookup.checked_reason()?;
    let id = IdNumber::parse(id_number)
        .map_err(|e| CoreError::invalid("id_number_invalid", format!("身份证号码无效：{e}")))?;
    let mask = &core.settings().mask;
    let masked = mask.mask_id(id.as_str());
    audit(core, lookup, &why, "person_file", &masked).await?;
    let store = core.store();
    let person = store.get(PersonRow::key(&id)).await?;
    let listing_rows = lists::listings_of_subject(store, id.as_str(), FILE_ROWS).await?;
    let records = personal_records_of(core, &id).await?;
    let bans = bans_of(core, id.as_str()).await?;
    if person.is_none() && listing_rows.is_empty() && records.is_empty() && bans.is_empty() {
        return Err(CoreError::NotFound {
            what: format!("身份证号码为 {masked} 的自然人"), code: "person_not_found"
        });
    }
    let name = person.map(|p| p.name).or_else(|| records.first().map(|r| r.person_name.clone())).unwrap_or_default();
    let today = china_today(core);
    Ok(PersonFile {
        id_masked: masked,
        name,
        as_of: today,
        listings: file_listings(core, listing_rows, today),
        bans,
        records,
    })
}

//! Rectification campaigns (专项治理, 54号 clause 九): a department, or the
//! credit office in a department's name, opens a time-limited campaign over
//! the organisations currently on a dishonesty list (optionally in one
//! district). Each subject gets a deadline (the campaign's end unless set
//! otherwise), progress entries with evidence, and an outcome decided by
//! the department that listed it. The `campaigns` job ([`job`]) marks the
//! subjects past their deadline overdue; each then waits for a reminder or
//! warning interview by its listing department (谁认定、谁约谈), recorded
//! as an ordinary interview in the credit file and linked back here.
//! `docs/CAMPAIGNS.md`.

pub mod job;
pub mod views;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use xinyong_domain::Uscc;
use xinyong_domain::auth::DepartmentCode;
use xinyong_domain::campaigns::{
    CampaignRow, CampaignSubject, CampaignSubjectRow, CampaignsEvent, RectificationOutcome,
};
use xinyong_domain::codes::division::DivisionCode;
use xinyong_domain::event::NewEvent;
use xinyong_domain::lists::sanction::ListKind;
use xinyong_domain::lists::{InterviewKind, ListingRow, digest_id};

use crate::auth::policy::{Action, Principal, Resource, authorize};
use crate::collection::intake::china_today;
use crate::error::{CoreError, Result};
use crate::lists::credit_file::{self, InterviewInput};
use crate::log::Core;
use crate::objections::EvidenceUpload;

pub use job::CampaignsJob;

/// What campaigns may cost, from configuration (`[campaigns]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignSettings {
    /// Organisations one campaign may cover: a wider scope is refused whole.
    pub max_subjects: usize,
}

impl Default for CampaignSettings {
    fn default() -> Self {
        CampaignSettings { max_subjects: 2_000 }
    }
}

/// Longest campaign name.
const MAX_NAME_CHARS: usize = 100;
/// Longest basis, note or outcome text.
const MAX_TEXT_CHARS: usize = 2_000;

/// A required text: trimmed, not empty, not too long, no control characters
/// other than line breaks.
fn text(raw: &str, code: &'static str, label: &str, max: usize) -> Result<String> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(CoreError::invalid(code, format!("{label}不能为空")));
    }
    if t.chars().count() > max || t.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err(CoreError::invalid(code, format!("{label}不能超过 {max} 个字，且不能含控制字符")));
    }
    Ok(t.to_owned())
}

/// A campaign as the credit office or a department opens it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenCampaign {
    pub name: String,
    /// 依据及说明.
    pub basis: String,
    /// The list whose organisations it covers.
    pub list_code: String,
    /// A district's division code (6 digits); `None` = the whole city.
    pub district: Option<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// Deadlines other than the campaign's end, by USCC.
    pub deadlines: BTreeMap<String, NaiveDate>,
}

/// The district typed on the form: empty is the whole city.
fn district(raw: Option<&str>) -> Result<Option<String>> {
    let Some(d) = raw.map(str::trim).filter(|d| !d.is_empty()) else { return Ok(None) };
    DivisionCode::parse(d).map_err(|e| {
        CoreError::invalid("district_invalid", format!("区县应为 6 位行政区划代码（如 370102），“{d}”无效：{e}"))
    })?;
    Ok(Some(d.to_owned()))
}

/// The list a campaign covers: known, and a dishonesty list.
fn dishonesty_list(core: &Core, code: &str) -> Result<String> {
    let rules = core.rules();
    let Some(list) = rules.sanctions.list(code.trim()) else {
        return Err(CoreError::invalid("list_unknown", format!("名单类型“{}”不存在，请从名单类型中选择", code.trim())));
    };
    if list.kind == ListKind::Red {
        return Err(CoreError::invalid(
            "list_not_dishonest",
            format!("“{}”是守信激励名单；专项治理只针对失信主体名单和重点关注名单", list.name),
        ));
    }
    Ok(list.code.clone())
}

/// The organisations a campaign over `list_code` in `district` covers on
/// `today`: one listing each (the newest in force), bounded by the setting.
pub async fn scope(core: &Core, list_code: &str, district: Option<&str>, today: NaiveDate) -> Result<Vec<ListingRow>> {
    let max = core.settings().campaigns.max_subjects;
    // An organisation may be listed twice on one list; read enough rows to
    // tell a scope over the bound from one that only repeats organisations.
    let rows_read = u32::try_from(max.saturating_mul(2).saturating_add(1)).unwrap_or(u32::MAX);
    let rows =
        xinyong_storage::campaigns::scope_candidates(core.store(), list_code, district, today, rows_read).await?;
    let truncated = rows.len() >= rows_read as usize;
    let mut subjects: Vec<ListingRow> = Vec::new();
    for row in rows {
        if subjects.last().is_none_or(|last| last.subject_key != row.subject_key) {
            subjects.push(row);
        }
    }
    if truncated || subjects.len() > max {
        return Err(CoreError::invalid(
            "campaign_too_large",
            format!(
                "该名单{}在列的主体超过 {max} 户（[campaigns] max_subjects），请按区县分批开展",
                district.map_or(String::new(), |d| format!("在区县 {d} "))
            ),
        ));
    }
    Ok(subjects)
}

/// Checks the period and each deadline; the subjects with their deadlines.
fn subjects_with_deadlines(input: &OpenCampaign, listed: Vec<ListingRow>) -> Result<Vec<CampaignSubject>> {
    let mut overrides = input.deadlines.clone();
    let mut subjects = Vec::with_capacity(listed.len());
    for row in listed {
        let Ok(uscc) = Uscc::parse(&row.subject_key) else { continue };
        let deadline = overrides.remove(uscc.as_str()).unwrap_or(input.ends_on);
        if deadline < input.starts_on || deadline > input.ends_on {
            return Err(CoreError::invalid(
                "deadline_invalid",
                format!(
                    "{} 的整改期限 {deadline} 应在治理期间 {} 至 {} 之内",
                    row.subject_name, input.starts_on, input.ends_on
                ),
            ));
        }
        subjects.push(CampaignSubject {
            uscc,
            name: row.subject_name,
            listing_id: row.listing_id,
            department: row.department,
            deadline,
        });
    }
    if let Some(uscc) = overrides.keys().next() {
        return Err(CoreError::invalid(
            "deadline_subject_unknown",
            format!("整改期限中的 {uscc} 不在本次治理范围内（不在该名单或该区县），请核对"),
        ));
    }
    Ok(subjects)
}

/// Opens a campaign in `department`'s name; returns its id. The same
/// campaign sent twice is the same id and writes nothing the second time.
pub async fn open(
    core: &Core,
    principal: &Principal,
    department: &DepartmentCode,
    input: OpenCampaign,
) -> Result<String> {
    authorize(principal, Action::OpenCampaign, &Resource::Department(department.clone()))?;
    if crate::auth::department(core, department).await?.is_none() {
        return Err(CoreError::Forbidden {
            code: "unknown_department",
            message: format!("部门 {department} 未在平台登记，不能开展专项治理"),
        });
    }
    let name = text(&input.name, "campaign_name_required", "专项治理名称", MAX_NAME_CHARS)?;
    let basis = text(&input.basis, "campaign_basis_required", "依据及说明", MAX_TEXT_CHARS)?;
    let list_code = dishonesty_list(core, &input.list_code)?;
    let district = district(input.district.as_deref())?;
    let today = china_today(core);
    if input.ends_on < input.starts_on || input.ends_on < today {
        return Err(CoreError::invalid(
            "campaign_period_invalid",
            format!(
                "治理期间 {} 至 {} 无效：结束日期不能早于开始日期，也不能早于今天 {today}",
                input.starts_on, input.ends_on
            ),
        ));
    }
    let listed = scope(core, &list_code, district.as_deref(), today).await?;
    if listed.is_empty() {
        return Err(CoreError::invalid(
            "campaign_scope_empty",
            "该名单（及所选区县）目前没有在列的法人或非法人组织，无需开展专项治理",
        ));
    }
    let subjects = subjects_with_deadlines(&input, listed)?;
    let (starts, ends) = (input.starts_on.to_string(), input.ends_on.to_string());
    let id =
        digest_id("CP", &[department.as_str(), &name, &list_code, district.as_deref().unwrap_or(""), &starts, &ends]);
    if core.store().get(CampaignRow::key(id.as_str())).await?.is_some() {
        return Ok(id);
    }
    let body = CampaignsEvent::CampaignOpened {
        campaign_id: id.clone(),
        name,
        basis,
        department: department.clone(),
        list_code,
        district,
        starts_on: input.starts_on,
        ends_on: input.ends_on,
        opened_on: today,
        opened_by: principal.actor().as_str().to_owned(),
        subjects,
    };
    core.append(vec![NewEvent::new(principal.actor(), body)]).await?;
    Ok(id)
}

async fn campaign_row(core: &Core, campaign_id: &str) -> Result<CampaignRow> {
    core.store()
        .get(CampaignRow::key(campaign_id))
        .await?
        .ok_or_else(|| CoreError::NotFound {
            what: format!("专项治理“{campaign_id}”"), code: "campaign_not_found"
        })
}

/// A subject of a campaign, by the USCC as typed.
async fn subject_row(core: &Core, campaign_id: &str, uscc: &str) -> Result<CampaignSubjectRow> {
    let not_found = || CoreError::NotFound {
        what: format!("专项治理“{campaign_id}”中统一社会信用代码为 {} 的主体", uscc.trim()),
        code: "campaign_subject_not_found",
    };
    let uscc = Uscc::parse(uscc.trim()).map_err(|_| not_found())?;
    core.store().get(CampaignSubjectRow::key(campaign_id, &uscc)).await?.ok_or_else(not_found)
}

/// A progress report on one subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgressInput {
    pub reported_on: NaiveDate,
    pub note: String,
    pub evidence: Option<EvidenceUpload>,
}

/// Records progress on a subject's rectification (the listing department,
/// or the credit office); returns the entry's number.
pub async fn report_progress(
    core: &Core,
    principal: &Principal,
    campaign_id: &str,
    uscc: &str,
    input: ProgressInput,
) -> Result<u64> {
    let subject = subject_row(core, campaign_id, uscc).await?;
    authorize(principal, Action::ReportRectification, &Resource::Department(subject.department.clone()))?;
    let campaign = campaign_row(core, campaign_id).await?;
    if subject.status.is_decided() {
        return Err(CoreError::invalid(
            "rectification_already_decided",
            format!("{} 的整改结果已评定为「{}」，不能再登记进展", subject.name, subject.status.name_zh()),
        ));
    }
    let note = text(&input.note, "progress_note_required", "整改进展", MAX_TEXT_CHARS)?;
    let today = china_today(core);
    if input.reported_on > today || input.reported_on < campaign.starts_on {
        return Err(CoreError::invalid(
            "progress_date_invalid",
            format!("进展日期 {} 应在治理开始日 {} 至今天 {today} 之间", input.reported_on, campaign.starts_on),
        ));
    }
    let evidence = match input.evidence.filter(|e| !e.bytes.is_empty()) {
        None => None,
        Some(upload) => crate::objections::evidence_files(core, vec![upload])?.into_iter().next(),
    };
    let entry_no = subject.progress_entries + 1;
    let body = CampaignsEvent::RectificationProgressReported {
        campaign_id: campaign.campaign_id,
        uscc: subject.uscc,
        entry_no,
        reported_on: input.reported_on,
        note,
        reported_by: principal.actor().as_str().to_owned(),
        evidence,
        status: subject.status.after_progress(),
    };
    core.append(vec![NewEvent::new(principal.actor(), body)]).await?;
    Ok(entry_no)
}

/// The listing department decides whether the subject rectified (谁认定、谁评定).
pub async fn decide(
    core: &Core,
    principal: &Principal,
    campaign_id: &str,
    uscc: &str,
    outcome: RectificationOutcome,
    note: &str,
) -> Result<()> {
    let subject = subject_row(core, campaign_id, uscc).await?;
    authorize(principal, Action::DecideRectification, &Resource::Department(subject.department.clone()))?;
    if subject.status.is_decided() {
        return Err(CoreError::invalid(
            "rectification_already_decided",
            format!("{} 的整改结果已评定为「{}」，不能重复评定", subject.name, subject.status.name_zh()),
        ));
    }
    let note = text(note, "outcome_note_required", "评定意见", MAX_TEXT_CHARS)?;
    let body = CampaignsEvent::RectificationDecided {
        campaign_id: subject.campaign_id,
        uscc: subject.uscc,
        outcome,
        note,
        decided_on: china_today(core),
        decided_by: principal.actor().as_str().to_owned(),
    };
    core.append(vec![NewEvent::new(principal.actor(), body)]).await?;
    Ok(())
}

/// The interview held with an overdue subject, as the listing department
/// records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignInterview {
    pub kind: InterviewKind,
    pub held_on: NaiveDate,
    pub interviewees: String,
    pub interviewers: String,
    pub outcome: String,
    pub rectify_by: Option<NaiveDate>,
}

/// Records the interview an overdue subject is due (谁认定、谁约谈: only its
/// listing department, in its own name) as an interview of its credit file
/// tied to the listing, and links it to the campaign; returns its id.
pub async fn record_interview(
    core: &Core,
    principal: &Principal,
    department: &DepartmentCode,
    campaign_id: &str,
    uscc: &str,
    input: CampaignInterview,
) -> Result<String> {
    authorize(principal, Action::RecordInterview, &Resource::Department(department.clone()))?;
    let subject = subject_row(core, campaign_id, uscc).await?;
    if subject.department != *department {
        return Err(CoreError::Forbidden {
            code: "not_the_deciding_department",
            message: format!("谁认定、谁约谈：{} 由部门 {} 列入名单，应由该部门约谈", subject.name, subject.department),
        });
    }
    if let Some(id) = subject.interview_id {
        return Ok(id);
    }
    if subject.overdue_on.is_none() {
        return Err(CoreError::invalid(
            "interview_not_due",
            format!("{} 尚未逾期（整改期限 {}），逾期未整改的主体才需约谈", subject.name, subject.deadline),
        ));
    }
    let interview = InterviewInput {
        subject: subject.uscc.as_str().to_owned(),
        kind: input.kind,
        held_on: input.held_on,
        interviewees: input.interviewees,
        interviewers: input.interviewers,
        outcome: input.outcome,
        rectify_by: input.rectify_by,
        listing_id: Some(subject.listing_id.clone()),
    };
    let interview_id = credit_file::record_interview(core, principal, department, interview).await?;
    let body = CampaignsEvent::RectificationInterviewLinked {
        campaign_id: subject.campaign_id,
        uscc: subject.uscc,
        interview_id: interview_id.clone(),
    };
    core.append(vec![NewEvent::new(principal.actor(), body)]).await?;
    Ok(interview_id)
}

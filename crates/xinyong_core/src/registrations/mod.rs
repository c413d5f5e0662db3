//! Voluntary registration (信用信息自愿注册, 54号 clause 二.(五); 35号 item 5).
//! A company registers, by its own account, a qualification, honour,
//! operations, contract-performance or public-welfare item with the
//! truthfulness commitment ([`xinyong_domain::registrations::truthfulness_text`])
//! and supporting files (the objections' evidence rules: PDF, JPEG, PNG,
//! sniffed, bounded by `[registrations]`). The department competent for the
//! kind (`[registrations] reviewers`; the credit office for any) reviews it
//! within `review_working_days` working days: accepted — public on the
//! subject's page marked 自主申报 · 已审核 and a fact of the evaluation
//! (source `registration`) —, rejected with reasons, or found false, which
//! becomes a dishonesty record of catalog item `CNSX` through the intake
//! (`views::false_registration_record`). `docs/REGISTRATIONS.md`.

pub mod views;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use xinyong_domain::Uscc;
use xinyong_domain::auth::DepartmentCode;
use xinyong_domain::event::NewEvent;
use xinyong_domain::lists::digest_id;
use xinyong_domain::personal_text::find_personal_data;
use xinyong_domain::registrations::{
    Registration, RegistrationKind, RegistrationRow, RegistrationStatus, RegistrationsEvent, ReviewOutcome,
    TRUTHFULNESS_VERSION, truthfulness_sha256, truthfulness_text,
};
use xinyong_domain::subjects::SubjectRow;

use crate::auth::policy::{Action, Principal, Resource, authorize};
use crate::collection::intake::china_today;
use crate::error::{CoreError, Result};
use crate::lists::listing::working_days_after;
use crate::log::Core;
use crate::objections::{EvidenceUpload, checked_files};

/// Deadlines, limits and reviewers, from configuration (`[registrations]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationSettings {
    /// The reviewing department decides within this many working days
    /// (DOMAIN gives no number: unsure, hence a setting).
    pub review_working_days: u32,
    /// Supporting files one registration may carry, and the largest (bytes).
    pub max_files: usize,
    pub max_file_bytes: usize,
    /// Longest statement (内容) and reason, in characters.
    pub max_text_chars: usize,
    /// Registrations one list shows.
    pub page_size: u32,
    /// The department competent to review each kind (the credit office may
    /// review every kind).
    pub reviewers: BTreeMap<RegistrationKind, DepartmentCode>,
}

/// The default reviewers: the market regulator for qualifications,
/// operations and contract performance (it runs 守合同重信用), the civil
/// affairs bureau for public welfare, the credit office's commission for
/// honours.
pub fn default_reviewers() -> BTreeMap<RegistrationKind, DepartmentCode> {
    let code = |raw: &str| DepartmentCode::parse(raw).unwrap_or_else(|_| unreachable!("shipped code {raw}"));
    BTreeMap::from([
        (RegistrationKind::Qualification, code("scjgj")),
        (RegistrationKind::Honour, code("fgw")),
        (RegistrationKind::Operations, code("scjgj")),
        (RegistrationKind::ContractPerformance, code("scjgj")),
        (RegistrationKind::PublicWelfare, code("mzj")),
    ])
}

impl Default for RegistrationSettings {
    fn default() -> Self {
        RegistrationSettings {
            review_working_days: 10,
            max_files: 3,
            max_file_bytes: 2 * 1024 * 1024,
            max_text_chars: 2_000,
            page_size: 200,
            reviewers: default_reviewers(),
        }
    }
}

/// Longest title and issuer.
const MAX_TITLE_CHARS: usize = 200;

/// What the company enters on `/my/registrations`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubmitRegistration {
    /// `qualification`, `honour`, `operations`, `contract_performance`, `public_welfare`.
    pub kind: String,
    pub title: String,
    pub issuer: String,
    /// `YYYY-MM-DD` or empty.
    pub issued_on: String,
    /// `YYYY-MM-DD` or empty.
    pub valid_until: String,
    pub content: String,
    /// The company ticked the truthfulness commitment.
    pub commitment_signed: bool,
    pub files: Vec<EvidenceUpload>,
}

/// A text field: trimmed, bounded, no control characters but line breaks,
/// and none of a person's ID, telephone or card numbers (a registration is
/// the organisation's own information, and accepted ones are public).
fn text(raw: &str, code: &'static str, label: &str, max: usize, required: bool) -> Result<String> {
    let t = raw.trim();
    if t.is_empty() && required {
        return Err(CoreError::invalid(code, format!("请填写{label}")));
    }
    if t.chars().count() > max || t.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(CoreError::invalid(code, format!("{label}最多 {max} 个字，且不能含控制字符")));
    }
    if let Some(found) = find_personal_data(t).first() {
        return Err(CoreError::invalid(
            "registration_personal_data",
            format!("{label}中含有{}，自愿注册只登记本单位的信息，请删除个人信息后再提交", found.kind.label()),
        ));
    }
    Ok(t.to_owned())
}

fn date(raw: &str, code: &'static str, label: &str) -> Result<Option<NaiveDate>> {
    let t = raw.trim();
    if t.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| CoreError::invalid(code, format!("{label}“{t}”不是有效日期（格式 YYYY-MM-DD）")))
}

/// The department that reviews `kind`.
pub fn reviewer(core: &Core, kind: RegistrationKind) -> DepartmentCode {
    core.settings()
        .registrations
        .reviewers
        .get(&kind)
        .cloned()
        .unwrap_or_else(|| DepartmentCode::parse("fgw").unwrap_or_else(|_| unreachable!("shipped code fgw")))
}

/// The checked fields of a submission: kind, title, issuer, dates, content.
struct Fields {
    kind: RegistrationKind,
    title: String,
    issuer: String,
    issued_on: Option<NaiveDate>,
    valid_until: Option<NaiveDate>,
    content: String,
}

fn fields(core: &Core, input: &SubmitRegistration, today: NaiveDate) -> Result<Fields> {
    let Some(kind) = RegistrationKind::parse(&input.kind) else {
        return Err(CoreError::invalid(
            "registration_kind_invalid",
            "注册类别须为资质、荣誉、经营、合同履约或公益之一".to_owned(),
        ));
    };
    let max = core.settings().registrations.max_text_chars;
    let title = text(&input.title, "registration_title_required", "名称", MAX_TITLE_CHARS, true)?;
    let issuer = text(&input.issuer, "registration_issuer_invalid", "颁发或证明单位", MAX_TITLE_CHARS, false)?;
    let content = text(&input.content, "registration_content_required", "内容说明", max, true)?;
    let issued_on = date(&input.issued_on, "registration_issued_on_invalid", "取得日期")?;
    let valid_until = date(&input.valid_until, "registration_valid_until_invalid", "有效期至")?;
    if issued_on.is_some_and(|d| d > today) {
        return Err(CoreError::invalid("registration_issued_on_invalid", "取得日期不能晚于今天"));
    }
    if let (Some(from), Some(until)) = (issued_on, valid_until)
        && until < from
    {
        return Err(CoreError::invalid("registration_valid_until_invalid", "有效期至不能早于取得日期"));
    }
    if valid_until.is_some_and(|d| d < today) {
        return Err(CoreError::invalid("registration_expired", "该信息已过有效期，不能注册"));
    }
    Ok(Fields { kind, title, issuer, issued_on, valid_until, content })
}

/// A company registers information (by its own account only); returns the
/// registration's id. The same kind and title from the same account on the
/// same day is the same registration: sent twice, it is written once.
pub async fn submit(core: &Core, principal: &Principal, uscc: &Uscc, input: SubmitRegistration) -> Result<String> {
    authorize(principal, Action::SubmitRegistration, &Resource::Subject(uscc.clone()))?;
    let today = china_today(core);
    let f = fields(core, &input, today)?;
    if !input.commitment_signed {
        return Err(CoreError::invalid("registration_commitment_required", "请阅读并勾选信用信息真实性承诺后再提交"));
    }
    let settings = &core.settings().registrations;
    let files = checked_files(input.files, settings.max_files, settings.max_file_bytes)?;
    if let Some(f) = files.iter().find(|f| !find_personal_data(&f.name).is_empty()) {
        return Err(CoreError::invalid(
            "registration_personal_data",
            format!("证明材料的文件名“{}”含有个人信息，请改名后再提交", f.name),
        ));
    }
    let Some(subject) = core.store().get(SubjectRow::key(uscc)).await? else {
        return Err(CoreError::invalid("subject_unknown", format!("统一社会信用代码 {uscc} 的主体未在平台登记")));
    };
    let submitted_by = principal.actor().as_str().to_owned();
    let id = digest_id("ZC", &[uscc.as_str(), f.kind.as_str(), &f.title, &submitted_by, &today.to_string()]);
    if core.store().get(RegistrationRow::key(id.as_str())).await?.is_some() {
        return Ok(id);
    }
    let commitment_text = truthfulness_text(&subject.name);
    let registration = Registration {
        registration_id: id.clone(),
        uscc: uscc.clone(),
        subject_name: subject.name,
        kind: f.kind,
        title: f.title,
        issuer: f.issuer,
        issued_on: f.issued_on,
        valid_until: f.valid_until,
        content: f.content,
        department: reviewer(core, f.kind),
        commitment_version: TRUTHFULNESS_VERSION.to_owned(),
        commitment_sha256: truthfulness_sha256(&commitment_text),
        commitment_text,
        submitted_on: today,
        submitted_by,
        review_due: working_days_after(&core.rules().calendar, today, settings.review_working_days),
        files,
    };
    let body = RegistrationsEvent::RegistrationSubmitted { registration };
    core.append(vec![NewEvent::new(principal.actor(), body)]).await?;
    Ok(id)
}

/// A registration by id.
pub async fn registration(core: &Core, registration_id: &str) -> Result<RegistrationRow> {
    core.store().get(RegistrationRow::key(registration_id.trim())).await?.ok_or_else(|| CoreError::NotFound {
        what: format!("自愿注册信息“{}”", registration_id.trim()),
        code: "registration_not_found",
    })
}

fn require_pending(row: &RegistrationRow) -> Result<()> {
    if row.status == RegistrationStatus::Pending {
        Ok(())
    } else {
        Err(CoreError::invalid(
            "registration_already_decided",
            format!("该注册信息已是「{}」，不能再办理", row.status.name_zh()),
        ))
    }
}

/// The company withdraws a registration not yet reviewed.
pub async fn withdraw(core: &Core, principal: &Principal, registration_id: &str) -> Result<()> {
    let row = registration(core, registration_id).await?;
    authorize(principal, Action::SubmitRegistration, &Resource::Subject(row.uscc.clone()))?;
    require_pending(&row)?;
    let body = RegistrationsEvent::RegistrationWithdrawn {
        registration_id: row.registration_id,
        uscc: row.uscc,
        withdrawn_on: china_today(core),
        withdrawn_by: principal.actor().as_str().to_owned(),
    };
    core.append(vec![NewEvent::new(principal.actor(), body)]).await?;
    Ok(())
}

/// The reviewer's decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub outcome: ReviewOutcome,
    /// Why: required for a rejection or a false registration.
    pub reason: String,
}

/// The reviewing department (or the credit office) decides. A false
/// registration is first written as a dishonesty record (item `CNSX`) and
/// the decision names it; returns that record's id. A review after the
/// deadline is still taken (the company should not lose its registration
/// to the department's delay); the queue marks it overdue.
pub async fn review(
    core: &Core,
    principal: &Principal,
    registration_id: &str,
    input: Review,
) -> Result<Option<String>> {
    let row = registration(core, registration_id).await?;
    authorize(principal, Action::ReviewRegistration, &Resource::Department(row.department.clone()))?;
    require_pending(&row)?;
    let max = core.settings().registrations.max_text_chars;
    let required = input.outcome != ReviewOutcome::Accepted;
    let reason = text(&input.reason, "review_reason_required", "审核意见", max, required)?;
    let today = china_today(core);
    let record_id = if input.outcome == ReviewOutcome::FoundFalse {
        Some(views::false_registration_record(core, principal, &row, &reason, today).await?)
    } else {
        None
    };
    let body = RegistrationsEvent::RegistrationReviewed {
        registration_id: row.registration_id,
        uscc: row.uscc,
        outcome: input.outcome,
        reason,
        reviewed_on: today,
        reviewed_by: principal.actor().as_str().to_owned(),
        record_id: record_id.clone(),
    };
    core.append(vec![NewEvent::new(principal.actor(), body)]).await?;
    Ok(record_id)
}

//! Notification and commitment (告知承诺制, 54号 clause 一.1–一.2;
//! 国办发〔2020〕42号). An applicant commits, for an item of the commitment
//! catalog (`rules/commitments.toml`) and an approval case, to the item's
//! standard letter: online by its own account, or at the granting
//! department's counter. Materials the item allows to follow (容缺受理) get
//! deadlines on the working-day calendar; the department verifies within
//! the item's deadline and records kept, breached or false. A breach or a
//! false commitment becomes a dishonesty record of catalog item `CNSX`
//! through the same intake as departments' uploads, published by the
//! penalty regime in force. An applicant with a serious adverse record, or
//! with a false commitment whose record is still published, may not use
//! 告知承诺 ([`eligibility`]). The `commitments` job ([`job`]) marks
//! materials past their deadline. `docs/COMMITMENTS.md`.

pub mod education;
pub mod job;
pub mod pledges;
pub mod views;

use chrono::NaiveDate;
use sha2::{Digest as _, Sha256};
use xinyong_domain::Uscc;
use xinyong_domain::commitments::{
    CommitmentChannel, CommitmentItem, CommitmentRow, CommitmentStatus, CommitmentsEvent, DeferredMaterial,
    VerificationOutcome,
};
use xinyong_domain::event::NewEvent;
use xinyong_domain::lists::digest_id;
use xinyong_domain::subjects::SubjectRow;

use crate::auth::policy::{Action, Principal, Resource, authorize};
use crate::collection::intake::china_today;
use crate::error::{CoreError, Result};
use crate::lists::listing::working_days_after;
use crate::log::Core;

pub use job::CommitmentsJob;
pub use views::{Eligibility, eligibility};

/// What commitments judge by, from configuration (`[commitments]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitmentSettings {
    /// A published record classed serious or specific serious bars the
    /// applicant (besides a listing on a serious dishonesty list).
    pub serious_records_bar: bool,
    /// Members one industry association's self-discipline scheme may name.
    pub max_scheme_members: usize,
    /// Working days before a deferred material's deadline from which its
    /// applicant is reminded (once); 0 sends no reminders.
    pub remind_working_days: u32,
}

impl Default for CommitmentSettings {
    fn default() -> Self {
        CommitmentSettings { serious_records_bar: true, max_scheme_members: 500, remind_working_days: 2 }
    }
}

/// Longest case reference.
const MAX_CASE_REF_CHARS: usize = 64;
/// Longest verification note.
const MAX_NOTE_CHARS: usize = 2_000;

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

/// A commitment as the applicant (or the counter clerk) enters it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MakeCommitment {
    /// The applicant's USCC as typed.
    pub uscc: String,
    pub item_code: String,
    /// The approval case (办件编号).
    pub case_ref: String,
    /// Codes of the item's deferrable materials the applicant does not
    /// supply now (容缺).
    pub deferred: Vec<String>,
}

/// The item of the catalog in force, by code.
pub fn item(core: &Core, code: &str) -> Result<CommitmentItem> {
    core.rules().commitments.item(code.trim()).cloned().ok_or_else(|| CoreError::NotFound {
        what: format!("告知承诺事项“{}”", code.trim()),
        code: "commitment_item_not_found",
    })
}

fn applicant(raw: &str) -> Result<Uscc> {
    Uscc::parse(raw.trim())
        .map_err(|e| CoreError::invalid("uscc_invalid", format!("申请人统一社会信用代码“{}”无效：{e}", raw.trim())))
}

/// The deferred materials with their deadlines, `working_days` after `on`.
fn deferred_materials(
    core: &Core,
    item: &CommitmentItem,
    codes: &[String],
    on: NaiveDate,
) -> Result<Vec<DeferredMaterial>> {
    let calendar = core.rules().calendar.clone();
    let mut out: Vec<DeferredMaterial> = Vec::with_capacity(codes.len());
    for code in codes.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
        let Some(m) = item.material(code) else {
            return Err(CoreError::invalid(
                "deferred_material_not_allowed",
                format!("材料“{code}”不在事项“{}”的容缺材料中，须在申请时提交", item.name),
            ));
        };
        if out.iter().any(|d| d.code == m.code) {
            continue;
        }
        out.push(DeferredMaterial {
            code: m.code.clone(),
            name: m.name.clone(),
            due_on: working_days_after(&calendar, on, m.working_days),
        });
    }
    Ok(out)
}

/// Records a commitment; returns its id. Refused for an applicant
/// [`eligibility`] bars. The same applicant, item and case is the same
/// commitment: made twice, it is written once.
pub async fn make(core: &Core, principal: &Principal, input: MakeCommitment) -> Result<String> {
    let uscc = applicant(&input.uscc)?;
    let item = item(core, &input.item_code)?;
    let resource = Resource::Record { department: item.department.clone(), subject: uscc.clone() };
    authorize(principal, Action::MakeCommitment, &resource)?;
    let channel =
        if matches!(principal, Principal::Subject(_)) { CommitmentChannel::Online } else { CommitmentChannel::Counter };
    let case_ref = text(&input.case_ref, "case_ref_required", "办件编号", MAX_CASE_REF_CHARS)?;
    let Some(subject) = core.store().get(SubjectRow::key(&uscc)).await? else {
        return Err(CoreError::invalid(
            "subject_unknown",
            format!("统一社会信用代码 {uscc} 的主体未在平台登记，请核对"),
        ));
    };
    let id = digest_id("CM", &[uscc.as_str(), &item.code, &case_ref]);
    if core.store().get(CommitmentRow::key(id.as_str())).await?.is_some() {
        return Ok(id);
    }
    let verdict = eligibility(core, &uscc).await?;
    if let Some(reason) = verdict.reasons.first() {
        // Not a refusal of the caller (who may act for the applicant): the
        // application is not eligible, and goes the ordinary way.
        return Err(CoreError::invalid(
            "commitment_not_available",
            format!("该申请人不适用告知承诺制（国办发〔2020〕42号）：{reason}；请按一般程序提交全部材料"),
        ));
    }
    let today = china_today(core);
    let materials = deferred_materials(core, &item, &input.deferred, today)?;
    let version = core.rules().commitments.version().to_owned();
    let letter_text = item.letter(&version);
    let body = CommitmentsEvent::CommitmentMade {
        commitment_id: id.clone(),
        item_code: item.code.clone(),
        item_name: item.name.clone(),
        department: item.department.clone(),
        uscc,
        subject_name: subject.name,
        case_ref,
        letter_sha256: hex::encode(Sha256::digest(letter_text.as_bytes())),
        letter_version: version,
        letter_text,
        channel,
        made_on: today,
        made_by: principal.actor().as_str().to_owned(),
        materials,
        verify_by: working_days_after(&core.rules().calendar, today, item.verification_working_days),
    };
    core.append(vec![NewEvent::new(principal.actor(), body)]).await?;
    Ok(id)
}

/// A commitment by id.
pub async fn commitment(core: &Core, commitment_id: &str) -> Result<CommitmentRow> {
    core.store().get(CommitmentRow::key(commitment_id.trim())).await?.ok_or_else(|| CoreError::NotFound {
        what: format!("承诺“{}”", commitment_id.trim()),
        code: "commitment_not_found",
    })
}

/// The department records that a deferred material arrived (补交).
pub async fn supply_material(
    core: &Core,
    principal: &Principal,
    commitment_id: &str,
    material_code: &str,
) -> Result<()> {
    let row = commitment(core, commitment_id).await?;
    authorize(principal, Action::VerifyCommitment, &Resource::Department(row.department.clone()))?;
    if row.status != CommitmentStatus::Pending {
        return Err(CoreError::invalid(
            "commitment_already_verified",
            format!("承诺已核查为「{}」，不能再登记补交材料", row.status.name_zh()),
        ));
    }
    let materials = xinyong_storage::commitments::materials(core.store(), &row.commitment_id).await?;
    let Some(material) = materials.iter().find(|m| m.material_code == material_code.trim()) else {
        return Err(CoreError::NotFound {
            what: format!("承诺的容缺材料“{}”", material_code.trim()),
            code: "deferred_material_not_found",
        });
    };
    if material.supplied_on.is_some() {
        return Ok(());
    }
    let missing = materials.iter().filter(|m| m.supplied_on.is_none()).count() as u64 - 1;
    let body = CommitmentsEvent::MaterialSupplied {
        commitment_id: row.commitment_id,
        material_code: material.material_code.clone(),
        supplied_on: china_today(core),
        recorded_by: principal.actor().as_str().to_owned(),
        missing,
    };
    core.append(vec![NewEvent::new(principal.actor(), body)]).await?;
    Ok(())
}

/// The department's finding on a commitment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub outcome: VerificationOutcome,
    /// What was found (失信情形 for a breach or a false commitment).
    pub note: String,
}

/// The granting department records its verification, within the item's
/// deadline. A breach or a false commitment is first written as a
/// dishonesty record (item `CNSX`, `views::breach_record`) and the finding names
/// it; returns that record's id.
pub async fn verify(
    core: &Core,
    principal: &Principal,
    commitment_id: &str,
    input: Verification,
) -> Result<Option<String>> {
    let row = commitment(core, commitment_id).await?;
    authorize(principal, Action::VerifyCommitment, &Resource::Department(row.department.clone()))?;
    if let Some(outcome) = row.outcome {
        return Err(CoreError::invalid(
            "commitment_already_verified",
            format!("该承诺已核查为「{}」，不能重复核查", outcome.name_zh()),
        ));
    }
    let note = text(&input.note, "verification_note_required", "核查情况", MAX_NOTE_CHARS)?;
    let today = china_today(core);
    if today > row.verify_by {
        return Err(CoreError::invalid(
            "verification_deadline_passed",
            format!("核查期限 {} 已过（今天 {today}）；逾期核查请报信用办处理", row.verify_by),
        ));
    }
    if input.outcome == VerificationOutcome::Kept && row.materials_missing > 0 {
        return Err(CoreError::invalid(
            "materials_still_missing",
            format!("尚有 {} 项容缺材料未补交，不能认定为履约", row.materials_missing),
        ));
    }
    let record_id = if input.outcome.is_dishonest() {
        Some(views::breach_record(core, principal, &row, input.outcome, &note, today).await?)
    } else {
        None
    };
    let (row_department, uscc) = (row.department.clone(), row.uscc.clone());
    let body = CommitmentsEvent::CommitmentVerified {
        commitment_id: row.commitment_id,
        uscc: row.uscc,
        outcome: input.outcome,
        note,
        verified_on: today,
        verified_by: principal.actor().as_str().to_owned(),
        record_id: record_id.clone(),
    };
    core.append(vec![NewEvent::new(principal.actor(), body)]).await?;
    if input.outcome.is_dishonest() {
        propose_listing_if_repeated(core, principal, &row_department, &uscc).await?;
    }
    Ok(record_id)
}

/// Commitments and records read per company to count broken commitments.
const PER_COMPANY: u32 = 1_000;

/// The catalog's `[listing]`: once a company has `broken` broken
/// commitments whose records are still published, the verifying
/// department proposes it for the list (拟列入). The list's prior notice
/// and objection window protect the company before any decision; a
/// proposal or listing already open on that list is left as it is. Returns
/// the proposal's id when one was made.
pub async fn propose_listing_if_repeated(
    core: &Core,
    principal: &Principal,
    department: &xinyong_domain::auth::DepartmentCode,
    uscc: &Uscc,
) -> Result<Option<String>> {
    let Some(trigger) = core.rules().commitments.listing().cloned() else { return Ok(None) };
    let today = china_today(core);
    let store = core.store();
    let records = xinyong_storage::collection::records_of_subject(store, uscc, PER_COMPANY).await?;
    let published =
        |id: &str| records.iter().any(|r| r.id == id && r.public && r.latest_end.is_none_or(|end| end >= today));
    let broken: Vec<CommitmentRow> = xinyong_storage::commitments::broken_commitments(store, uscc, PER_COMPANY)
        .await?
        .into_iter()
        .filter(|c| c.record_id.as_deref().is_some_and(published))
        .collect();
    if u32::try_from(broken.len()).unwrap_or(u32::MAX) < trigger.broken {
        return Ok(None);
    }
    let facts: Vec<String> = broken
        .iter()
        .map(|c| {
            format!("{}（办件编号 {}，{} 承诺，核查认定{}）", c.item_name, c.case_ref, c.made_on, c.status.name_zh())
        })
        .collect();
    let input = crate::lists::listing::ProposeListing {
        list_code: trigger.list.clone(),
        subject: uscc.as_str().to_owned(),
        reason: format!("违背告知承诺 {} 次（未履约或虚假承诺，相应失信信息仍在公示期内）", broken.len()),
        facts: facts.join("；"),
        legal_basis: trigger.basis.clone(),
        source_records: broken.iter().filter_map(|c| c.record_id.clone()).collect(),
        proposed_on: None,
    };
    match crate::lists::listing::propose(core, principal, department, input).await {
        Ok(id) => Ok(Some(id)),
        Err(e) if e.code() == "already_listed" => Ok(None),
        // The finding stands on its own; the proposal can still be made by hand.
        Err(e) => {
            tracing::warn!(code = e.code(), error = %e, "commitments: the listing proposal the rules ask for was refused");
            Ok(None)
        }
    }
}

/// Longest revocation decision number (决定文号).
const MAX_DECISION_NO_CHARS: usize = 64;

/// The granting department revokes the approval made on a commitment it
/// found breached or false (国办发〔2020〕42号: 撤销审批决定). Its approval
/// system receives the revocation in its feed (kind `approval_revoked`,
/// measure `revoke_approval`) and acknowledges and reports it like any
/// pushed measure. Revoking twice changes nothing.
pub async fn revoke_approval(
    core: &Core,
    principal: &Principal,
    commitment_id: &str,
    decision_no: &str,
    reason: &str,
) -> Result<()> {
    let row = commitment(core, commitment_id).await?;
    authorize(principal, Action::VerifyCommitment, &Resource::Department(row.department.clone()))?;
    if !row.outcome.is_some_and(VerificationOutcome::is_dishonest) {
        return Err(CoreError::invalid(
            "approval_revocation_needs_breach",
            "只有核查认定为未履约或虚假承诺的，才能撤销据此作出的审批决定",
        ));
    }
    let decision_no = text(decision_no, "decision_no_required", "撤销决定文号", MAX_DECISION_NO_CHARS)?;
    let reason = text(reason, "revocation_reason_required", "撤销理由", MAX_NOTE_CHARS)?;
    if row.approval_revoked_on.is_some() {
        return Ok(());
    }
    let body = CommitmentsEvent::ApprovalRevoked {
        commitment_id: row.commitment_id,
        uscc: row.uscc,
        subject_name: row.subject_name,
        department: row.department,
        case_ref: row.case_ref,
        item_name: row.item_name,
        decision_no,
        reason,
        revoked_on: china_today(core),
        revoked_by: principal.actor().as_str().to_owned(),
    };
    core.append(vec![NewEvent::new(principal.actor(), body)]).await?;
    Ok(())
}

//! Credit repair (信用修复) of penalty records: eligibility explained before
//! the company applies, the application with a commitment letter generated
//! from the template and signed by the account, and the deciding
//! department's review within working-day deadlines ("谁认定、谁修复"). An
//! approval ends the record's publicity in the same append: it leaves the
//! portal, the public API and every page built on them.

use chrono::NaiveDate;
use serde::Serialize;
use sha2::{Digest, Sha256};
use xinyong_domain::Uscc;
use xinyong_domain::collection::catalog::Category;
use xinyong_domain::collection::publicity::{REGIME_SAMR, Severity};
use xinyong_domain::collection::{CollectionEvent, PublicityEndReason, RecordRow};
use xinyong_domain::event::NewEvent;
use xinyong_domain::lists::{ListingStatus, digest_id};
use xinyong_domain::repair::{
    Material, RepairApplication, RepairApplicationRow, RepairEvent, RepairFacts, RepairStatus, SuppliedMaterial,
    assess_repair, required_materials,
};
use xinyong_storage::{lists, repair as queries};

use crate::auth::policy::{Action, Principal, Resource, Scope, authorize};
use crate::collection::intake::china_today;
use crate::error::{CoreError, Result};
use crate::lists::listing::working_days_after;
use crate::log::Core;
use crate::objections::{MAX_LISTED, bounded_text, organisation_record};

/// Version of the commitment letter template below.
pub const COMMITMENT_VERSION: &str = "2026.1";

/// Whether and how a record may be repaired today, as the company sees it
/// before applying.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RepairAssessment {
    pub record_id: String,
    pub eligible: bool,
    /// The refusal's stable code, when not eligible.
    pub code: Option<&'static str>,
    /// Why not, naming the rule; or what applying will do.
    pub explanation: String,
    pub regime: String,
    pub regime_name: String,
    /// First day an application is possible (the minimum period's end).
    pub earliest: Option<NaiveDate>,
    pub materials: Vec<Material>,
    /// A pending application already waits for a decision.
    pub pending_application: Option<String>,
}

/// The name of a regime as the rules call it (for `samr-order-45` its basis).
fn regime_name(core: &Core, regime: &str) -> String {
    let rules = &core.rules().publicity;
    if regime == REGIME_SAMR {
        return rules.samr().map_or_else(|| regime.to_owned(), |s| s.basis.clone());
    }
    rules.regimes().iter().find(|r| r.id == regime).map_or_else(|| regime.to_owned(), |r| r.name_zh.clone())
}

fn severity_of(record: &RecordRow) -> Option<Severity> {
    record.severity.as_deref().and_then(|s| Severity::ALL.into_iter().find(|v| v.as_str() == s))
}

/// Assesses one record of the company for repair on `today`.
async fn assess_row(core: &Core, record: &RecordRow, uscc: &Uscc, today: NaiveDate) -> Result<RepairAssessment> {
    let category = core.rules().catalog.item(&record.item).map(|i| i.category());
    let name = regime_name(core, &record.regime);
    let facts = RepairFacts {
        is_penalty: category == Some(Category::AdministrativePenalty),
        public: record.public,
        regime: &record.regime,
        regime_name: &name,
        severity: severity_of(record),
        repairable: record.repairable,
        window_start: record.window_start,
        earliest_end: record.earliest_end,
        latest_end: record.latest_end,
    };
    let pending = queries::pending_repair_of(core.store(), &record.id).await?.map(|a| a.application_id);
    let (code, explanation) = match assess_repair(&facts, today) {
        Err(refusal) => (Some(refusal.code()), refusal.message(&facts)),
        Ok(()) if pending.is_some() => (Some("repair_pending"), "已有修复申请正在审核，请等待结果".to_owned()),
        Ok(()) => match listed_on(core, uscc, today).await? {
            Some(list) => (
                Some("repair_subject_listed"),
                format!("本企业仍在“{list}”中：须履行名单所列义务并移出名单后，方可申请修复行政处罚信息"),
            ),
            None => (
                None,
                format!(
                    "已满足{name}规定的最短公示期。经{}审核准予修复后，该信息停止在信用网站公示，并停止共享和作为惩戒依据",
                    record.department
                ),
            ),
        },
    };
    let materials = required_materials(&record.regime, facts.severity);
    Ok(RepairAssessment {
        record_id: record.id.clone(),
        eligible: code.is_none(),
        code,
        explanation,
        regime: record.regime.clone(),
        regime_name: name.clone(),
        earliest: record.earliest_end.filter(|_| record.repairable),
        materials,
        pending_application: pending,
    })
}

/// The name of a list the company is on today, if any (repair of a penalty
/// waits until the company has left serious-dishonesty lists: Order 36,
/// SAMR Order 45 Art. 14).
async fn listed_on(core: &Core, uscc: &Uscc, today: NaiveDate) -> Result<Option<String>> {
    let listings = lists::listings_of_subject(core.store(), uscc.as_str(), 200).await?;
    let rules = &core.rules().sanctions;
    Ok(listings
        .into_iter()
        .find(|l| l.status == ListingStatus::Listed && l.in_force(today))
        .map(|l| rules.list(&l.list_code).map_or_else(|| l.list_code.clone(), |t| t.name.clone())))
}

/// The company asks whether a record may be repaired.
pub async fn assess(core: &Core, principal: &Principal, record_id: &str) -> Result<RepairAssessment> {
    let (record, uscc) = organisation_record(core, record_id).await?;
    authorize(principal, Action::ViewOwnFile, &Resource::Subject(uscc.clone()))?;
    assess_row(core, &record, &uscc, china_today(core)).await
}

/// The assessment of a record already read (the company's own file).
pub(crate) async fn assess_record(core: &Core, record: &RecordRow, uscc: &Uscc) -> Result<RepairAssessment> {
    assess_row(core, record, uscc, china_today(core)).await
}

/// The commitment letter (信用修复承诺书) for a record, as the company signs it.
pub fn commitment_text(company: &str, uscc: &Uscc, record: &RecordRow, department_name: &str) -> String {
    format!(
        "信用修复承诺书\n\n\
         本单位{company}（统一社会信用代码：{uscc}）就{department_name}作出的行政处罚（决定书文号：{doc}，\
         决定日期：{date}）申请信用修复，郑重承诺：\n\
         一、本单位已全面履行上述行政处罚决定规定的义务，违法行为已经纠正，危害后果已经消除；\n\
         二、本次申请所提交的全部材料真实、准确、完整，不存在虚假记载或重大遗漏；\n\
         三、本单位将严格遵守法律法规，诚信经营，不再发生同类违法失信行为；\n\
         四、如违反上述承诺，本单位自愿接受撤销修复决定、重新公示失信信息、记入信用记录等处理，并依法承担相应法律责任。\n\
         本承诺书自签署之日起在信用修复完成后一并公示。\n",
        doc = record.document_number,
        date = record.decision_date,
    )
}

fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// What the company submits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepairRequest {
    pub record_id: String,
    pub materials: Vec<SuppliedMaterial>,
    /// The account ticked "本单位已阅读并签署上述承诺".
    pub commitment_signed: bool,
}

/// The company applies; returns the application id.
pub async fn apply_repair(core: &Core, principal: &Principal, request: &RepairRequest) -> Result<String> {
    let (record, uscc) = organisation_record(core, &request.record_id).await?;
    authorize(
        principal,
        Action::ApplyRepair,
        &Resource::Record { department: record.department.clone(), subject: uscc.clone() },
    )?;
    let today = china_today(core);
    let assessment = assess_row(core, &record, &uscc, today).await?;
    if let Some(code) = assessment.code {
        return Err(CoreError::invalid(code, assessment.explanation));
    }
    if !request.commitment_signed {
        return Err(CoreError::invalid("commitment_not_signed", "请阅读并签署信用修复承诺书"));
    }
    let mut materials = Vec::new();
    // A repair-training course completed on the platform is the training
    // certificate: the company need not describe it again.
    let platform_training = crate::commitments::education::repair_training_certificate(core, &uscc).await?;
    for needed in &assessment.materials {
        let given = request.materials.iter().find(|m| m.code == needed.code).map_or("", |m| m.description.as_str());
        let given = match (&platform_training, needed.code) {
            (Some(certificate), "training") if given.trim().is_empty() => certificate.as_str(),
            _ => given,
        };
        let description = bounded_text(core, given, "material_missing", &format!("“{}”", needed.name))?;
        materials.push(SuppliedMaterial { code: needed.code.to_owned(), description });
    }
    let company = core
        .store()
        .get(xinyong_domain::subjects::SubjectRow::key(&uscc))
        .await?
        .map_or_else(|| record.subject_name.clone(), |s| s.name);
    let department = crate::auth::department(core, &record.department).await?;
    let department_name = department.map_or_else(|| record.department.to_string(), |d| d.name);
    let text = commitment_text(&company, &uscc, &record, &department_name);
    let signed_by = principal.actor().as_str().to_owned();
    let application_id = digest_id("XF", &[&record.id, &record.seq.to_string(), &signed_by, &today.to_string()]);
    let review_due =
        working_days_after(&core.rules().calendar, today, core.settings().redress.repair_review_working_days);
    let application = RepairApplication {
        application_id: application_id.clone(),
        record_id: record.id.clone(),
        record_entry: record.seq,
        uscc,
        department: record.department.clone(),
        item: record.item.clone(),
        document_number: record.document_number.clone(),
        subject_name: company.clone(),
        regime: record.regime.clone(),
        severity: record.severity.clone(),
        commitment_version: COMMITMENT_VERSION.to_owned(),
        commitment_sha256: sha256_hex(&text),
        signed_by,
        materials,
        applied_on: today,
        review_due,
    };
    core.append(vec![NewEvent::new(
        principal.actor(),
        RepairEvent::RepairApplied { application: Box::new(application) },
    )])
    .await?;
    Ok(application_id)
}

async fn require_application(core: &Core, application_id: &str) -> Result<RepairApplicationRow> {
    core.store()
        .get(RepairApplicationRow::key(application_id.trim()))
        .await?
        .ok_or_else(|| CoreError::NotFound { what: format!("修复申请 {application_id}"), code: "repair_not_found" })
}

/// An application with the record it is about (as the record stands now).
#[derive(Debug, Clone, PartialEq)]
pub struct RepairCase {
    pub application: RepairApplicationRow,
    pub record: Option<RecordRow>,
}

/// One application, for its deciding department and the credit office.
pub async fn application(core: &Core, principal: &Principal, application_id: &str) -> Result<RepairCase> {
    let row = require_application(core, application_id).await?;
    authorize(principal, Action::ViewRepairs, &Resource::Department(row.department.clone()))?;
    let record = core.store().get(RecordRow::key(row.record_id.as_str())).await?;
    Ok(RepairCase { application: row, record })
}

/// A record of the company with its repair assessment and the commitment
/// text it would sign, for the application page.
#[derive(Debug, Clone, PartialEq)]
pub struct RepairForm {
    pub record: RecordRow,
    /// The deciding department's name.
    pub department_name: String,
    pub assessment: RepairAssessment,
    pub commitment: String,
}

/// What the company sees before applying for a record.
pub async fn repair_form(core: &Core, principal: &Principal, record_id: &str) -> Result<RepairForm> {
    let (record, uscc) = organisation_record(core, record_id).await?;
    authorize(
        principal,
        Action::ViewOwnFile,
        &Resource::Record { department: record.department.clone(), subject: uscc.clone() },
    )?;
    let assessment = assess_row(core, &record, &uscc, china_today(core)).await?;
    let company = core
        .store()
        .get(xinyong_domain::subjects::SubjectRow::key(&uscc))
        .await?
        .map_or_else(|| record.subject_name.clone(), |s| s.name);
    let department = crate::auth::department(core, &record.department).await?;
    let department_name = department.map_or_else(|| record.department.to_string(), |d| d.name);
    let commitment = commitment_text(&company, &uscc, &record, &department_name);
    Ok(RepairForm { record, department_name, assessment, commitment })
}

/// The deciding department decides. Approval ends the record's publicity in
/// the same append; a rejection must give reasons.
pub async fn decide_repair(
    core: &Core,
    principal: &Principal,
    application_id: &str,
    approve: bool,
    reason: &str,
) -> Result<()> {
    let row = require_application(core, application_id).await?;
    authorize(principal, Action::DecideRepair, &Resource::Department(row.department.clone()))?;
    if row.status != RepairStatus::Pending {
        return Err(CoreError::invalid("repair_decided", "该修复申请已经作出决定"));
    }
    let reason = bounded_text(core, reason, "reason_required", if approve { "审核意见" } else { "不予修复的理由" })?;
    let today = china_today(core);
    let awaiting_confirmation = approve && core.settings().redress.repair_confirmation_by_credit_office;
    let mut events = vec![NewEvent::new(
        principal.actor(),
        RepairEvent::RepairDecided {
            application_id: row.application_id.clone(),
            approved: approve,
            reason,
            decided_on: today,
            decided_by: principal.actor().as_str().to_owned(),
            awaiting_confirmation,
        },
    )];
    if awaiting_confirmation {
        core.append(events).await?;
        return Ok(());
    }
    if approve {
        let record = core.store().get(RecordRow::key(row.record_id.as_str())).await?;
        if record.is_some_and(|r| r.public) {
            events.push(NewEvent::new(
                principal.actor(),
                CollectionEvent::RecordPublicityEnded {
                    record_id: row.record_id.clone(),
                    subject: row.uscc.as_str().to_owned(),
                    ended_on: today,
                    reason: PublicityEndReason::Repaired,
                    reference: row.application_id.clone(),
                },
            ));
        }
    }
    core.append(events).await?;
    let text = if approve {
        format!("您对{}的信用修复申请已获准予，该信息已停止公示。", row.document_number)
    } else {
        format!(
            "您对{}的信用修复申请未获准予，理由见“企业服务—本企业信用—我的信用修复申请”；对决定有异议的，可以提出异议或依法申请行政复议、提起行政诉讼。",
            row.document_number
        )
    };
    crate::objections::notify::send(
        &core.settings().redress.notifier,
        crate::objections::notify::Notice {
            uscc: row.uscc.as_str().to_owned(),
            kind: "repair_decided",
            reference: row.application_id.clone(),
            text,
            at: core.now(),
        },
    );
    Ok(())
}

/// The credit office confirms (or overturns) a department's approval that
/// waits for it; a confirmation ends the record's publicity.
pub async fn confirm_repair(
    core: &Core,
    principal: &Principal,
    application_id: &str,
    confirm: bool,
    note: &str,
) -> Result<()> {
    authorize(principal, Action::ConfirmRepair, &Resource::Platform)?;
    let row = require_application(core, application_id).await?;
    if row.status != RepairStatus::Confirming {
        return Err(CoreError::invalid("repair_not_awaiting_confirmation", "该修复申请不在待确认状态"));
    }
    let note = bounded_text(core, note, "reason_required", if confirm { "确认意见" } else { "不予确认的理由" })?;
    let today = china_today(core);
    let mut events = vec![NewEvent::new(
        principal.actor(),
        RepairEvent::RepairConfirmed {
            application_id: row.application_id.clone(),
            confirmed: confirm,
            note,
            confirmed_on: today,
            confirmed_by: principal.actor().as_str().to_owned(),
        },
    )];
    if confirm && core.store().get(RecordRow::key(row.record_id.as_str())).await?.is_some_and(|r| r.public) {
        events.push(NewEvent::new(
            principal.actor(),
            CollectionEvent::RecordPublicityEnded {
                record_id: row.record_id.clone(),
                subject: row.uscc.as_str().to_owned(),
                ended_on: today,
                reason: PublicityEndReason::Repaired,
                reference: row.application_id.clone(),
            },
        ));
    }
    core.append(events).await?;
    Ok(())
}

/// A company's applications, newest first.
pub async fn repairs_of_subject(core: &Core, principal: &Principal, uscc: &Uscc) -> Result<Vec<RepairApplicationRow>> {
    authorize(principal, Action::ViewOwnFile, &Resource::Subject(uscc.clone()))?;
    Ok(queries::repairs_of_subject(core.store(), uscc, MAX_LISTED).await?)
}

/// The applications the scope's department(s) decide: pending first, by due date.
pub async fn repair_queue(core: &Core, scope: &Scope) -> Result<Vec<RepairApplicationRow>> {
    Ok(queries::repairs_of_department(core.store(), scope.department(), MAX_LISTED).await?)
}

//! Objections (异议) to records, filed by the subject online or by the
//! record's department at a counter, answered by that department within the
//! deadlines of 山东省社会信用条例 Art. 39 on the official working-day
//! calendar. While one is open the record is marked 异议处理中 on the portal
//! and in the public API; a record found wrong (`corrected`, `revoked`)
//! leaves the portal at once, in the same append as the answer.

pub mod notify;

use chrono::NaiveDate;
use xinyong_domain::Uscc;
use xinyong_domain::auth::DepartmentCode;
use xinyong_domain::collection::{CollectionEvent, PublicityEndReason, RecordRow};
use xinyong_domain::event::NewEvent;
use xinyong_domain::lists::digest_id;
use xinyong_domain::objections::{
    EvidenceFile, ObjectionChannel, ObjectionResult, ObjectionStatus, ObjectionsEvent, RecordObjection,
    RecordObjectionRow,
};
use xinyong_storage::objections as queries;

use crate::auth::policy::{Action, Principal, Resource, Scope, authorize};
use crate::collection::intake::china_today;
use crate::error::{CoreError, Result};
use crate::lists::listing::working_days_after;
use crate::log::Core;

/// Deadlines and limits of the subject's side, from configuration
/// (`[redress]`). Every number DOMAIN marks as unsure (U) is here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedressSettings {
    /// Days an activation letter's code stays valid.
    pub activation_code_days: u32,
    /// Art. 39: the receiving unit decides within 3 working days…
    pub objection_answer_working_days: u32,
    /// …or 7 when other units must help verify (an extension, with a reason).
    pub objection_extended_working_days: u32,
    /// The deciding department reviews a repair application within this many
    /// working days (DOMAIN marks it unsure): Credit China's practice is 10 (DOMAIN §2.2).
    pub repair_review_working_days: u32,
    /// Longest objection grounds or repair statement, in characters.
    pub max_text_chars: usize,
    /// Evidence files one objection may carry, and the largest one (bytes).
    pub evidence_max_files: usize,
    pub evidence_max_bytes: usize,
    /// A department's approval of a repair waits for the credit office's
    /// confirmation before publicity ends (where local rules ask for it).
    pub repair_confirmation_by_credit_office: bool,
    /// Where outcomes are told to the company besides `/my`.
    pub notifier: notify::NotifierHandle,
}

impl Default for RedressSettings {
    fn default() -> Self {
        RedressSettings {
            activation_code_days: 30,
            objection_answer_working_days: 3,
            objection_extended_working_days: 7,
            repair_review_working_days: 10,
            max_text_chars: 2_000,
            evidence_max_files: 3,
            evidence_max_bytes: 2 * 1024 * 1024,
            repair_confirmation_by_credit_office: false,
            notifier: notify::NotifierHandle::default(),
        }
    }
}

/// Most objections one list shows.
pub const MAX_LISTED: u32 = 500;

pub(crate) fn bounded_text(core: &Core, raw: &str, code: &'static str, field: &str) -> Result<String> {
    let text = raw.trim();
    let max = core.settings().redress.max_text_chars;
    if text.is_empty() {
        return Err(CoreError::invalid(code, format!("请填写{field}")));
    }
    if text.chars().count() > max {
        return Err(CoreError::invalid(code, format!("{field}最多 {max} 个字")));
    }
    Ok(text.to_owned())
}

/// The record an objection or a repair is about: an organisation's record,
/// or "not found" (natural persons' records are not handled here).
pub(crate) async fn organisation_record(core: &Core, record_id: &str) -> Result<(RecordRow, Uscc)> {
    let not_found = || CoreError::NotFound { what: format!("信息记录 {record_id}"), code: "record_not_found" };
    let row = core.store().get(RecordRow::key(record_id.trim())).await?.ok_or_else(not_found)?;
    if row.subject_kind != "legal_person" {
        return Err(not_found());
    }
    let uscc = Uscc::parse(&row.subject_key).map_err(|_| not_found())?;
    Ok((row, uscc))
}

/// A file the subject sends with an objection, as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceUpload {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The media type of an evidence file, from its first bytes (the name and
/// the browser's claim are not trusted): PDF, JPEG or PNG.
fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("image/jpeg")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a]) {
        Some("image/png")
    } else {
        None
    }
}

/// Checks the evidence against the settings; the files as stored.
pub(crate) fn evidence_files(core: &Core, uploads: Vec<EvidenceUpload>) -> Result<Vec<EvidenceFile>> {
    let settings = &core.settings().redress;
    checked_files(uploads, settings.evidence_max_files, settings.evidence_max_bytes)
}

/// An uploaded file's name as stored and shown: without any path a browser
/// sent, without control characters, at most 100 characters.
pub(crate) fn stored_file_name(sent: &str) -> String {
    sent.rsplit(['/', '\\']).next().unwrap_or_default().chars().filter(|c| !c.is_control()).take(100).collect()
}

/// Checks files against a count and a size limit (empty parts dropped),
/// sniffs their type and names them without any path: the files as stored.
/// Shared by objections and voluntary registrations.
pub(crate) fn checked_files(
    uploads: Vec<EvidenceUpload>,
    max_files: usize,
    max_bytes: usize,
) -> Result<Vec<EvidenceFile>> {
    use base64::Engine as _;
    use sha2::Digest as _;
    let uploads: Vec<EvidenceUpload> = uploads.into_iter().filter(|u| !u.bytes.is_empty()).collect();
    if uploads.len() > max_files {
        return Err(CoreError::invalid("evidence_too_many", format!("证明材料最多 {max_files} 个文件")));
    }
    let mut files = Vec::new();
    for (i, u) in uploads.into_iter().enumerate() {
        let name = stored_file_name(&u.name);
        if u.bytes.len() > max_bytes {
            let mb = max_bytes / (1024 * 1024);
            return Err(CoreError::invalid("evidence_too_large", format!("证明材料“{name}”超过 {mb} MB")));
        }
        let Some(media_type) = sniff(&u.bytes) else {
            return Err(CoreError::invalid("evidence_type", format!("证明材料“{name}”不是 PDF、JPG 或 PNG 文件")));
        };
        files.push(EvidenceFile {
            file_no: u32::try_from(i + 1).unwrap_or(u32::MAX),
            name,
            media_type: media_type.to_owned(),
            size: u.bytes.len() as u64,
            sha256: hex::encode(sha2::Sha256::digest(&u.bytes)),
            content_base64: base64::engine::general_purpose::STANDARD.encode(&u.bytes),
        });
    }
    Ok(files)
}

/// Files an objection to a record; returns its id.
pub async fn file_objection(core: &Core, principal: &Principal, record_id: &str, grounds: &str) -> Result<String> {
    file_objection_with_evidence(core, principal, record_id, grounds, Vec::new()).await
}

/// Files an objection with evidence files (PDF, JPEG, PNG; bounded by
/// `[redress] evidence_max_files` and `evidence_max_bytes`); returns its id.
pub async fn file_objection_with_evidence(
    core: &Core,
    principal: &Principal,
    record_id: &str,
    grounds: &str,
    evidence: Vec<EvidenceUpload>,
) -> Result<String> {
    let (record, uscc) = organisation_record(core, record_id).await?;
    let resource = Resource::Record { department: record.department.clone(), subject: uscc.clone() };
    authorize(principal, Action::FileObjection, &resource)?;
    let grounds = bounded_text(core, grounds, "grounds_invalid", "异议理由")?;
    let evidence = evidence_files(core, evidence)?;
    if queries::open_objection_to(core.store(), &record.id).await?.is_some() {
        return Err(CoreError::invalid("objection_open", "该信息已有正在处理的异议，请等待处理结果"));
    }
    let filed_on = china_today(core);
    let answer_due =
        working_days_after(&core.rules().calendar, filed_on, core.settings().redress.objection_answer_working_days);
    let filed_by = principal.actor().as_str().to_owned();
    let objection_id = digest_id("YY", &[&record.id, &record.seq.to_string(), &filed_by, &filed_on.to_string()]);
    let channel = match principal {
        Principal::Subject(_) => ObjectionChannel::Online,
        _ => ObjectionChannel::Counter,
    };
    let objection = RecordObjection {
        objection_id: objection_id.clone(),
        record_id: record.id.clone(),
        record_entry: record.seq,
        uscc,
        department: record.department.clone(),
        item: record.item.clone(),
        document_number: record.document_number.clone(),
        subject_name: record.subject_name.clone(),
        grounds,
        channel,
        filed_by,
        filed_on,
        answer_due,
        evidence,
    };
    let body = ObjectionsEvent::RecordObjectionFiled { objection };
    core.append(vec![NewEvent::new(principal.actor(), body)]).await?;
    Ok(objection_id)
}

async fn require_objection(core: &Core, objection_id: &str) -> Result<RecordObjectionRow> {
    core.store()
        .get(RecordObjectionRow::key(objection_id.trim()))
        .await?
        .ok_or_else(|| CoreError::NotFound { what: format!("异议 {objection_id}"), code: "objection_not_found" })
}

fn require_open(row: &RecordObjectionRow) -> Result<()> {
    if row.status == ObjectionStatus::Open {
        Ok(())
    } else {
        Err(CoreError::invalid("objection_closed", "该异议已经办结"))
    }
}

/// An objection with the record it disputes (as the record stands now).
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectionCase {
    pub objection: RecordObjectionRow,
    pub record: Option<RecordRow>,
}

/// One objection, for the department it was routed to and the credit office.
pub async fn objection(core: &Core, principal: &Principal, objection_id: &str) -> Result<ObjectionCase> {
    let row = require_objection(core, objection_id).await?;
    authorize(principal, Action::ViewObjections, &Resource::Department(row.department.clone()))?;
    let record = core.store().get(RecordRow::key(row.record_id.as_str())).await?;
    Ok(ObjectionCase { objection: row, record })
}

/// Other units must verify: the deadline becomes 7 working days from filing.
pub async fn extend_objection(
    core: &Core,
    principal: &Principal,
    objection_id: &str,
    reason: &str,
) -> Result<NaiveDate> {
    let row = require_objection(core, objection_id).await?;
    authorize(principal, Action::AnswerObjection, &Resource::Department(row.department.clone()))?;
    require_open(&row)?;
    if row.extension_reason.is_some() {
        return Err(CoreError::invalid("objection_already_extended", "该异议已经延期一次"));
    }
    let reason = bounded_text(core, reason, "reason_required", "延期理由")?;
    let days = core.settings().redress.objection_extended_working_days;
    let answer_due = working_days_after(&core.rules().calendar, row.filed_on, days).max(row.answer_due);
    let body = ObjectionsEvent::RecordObjectionExtended { objection_id: row.objection_id.clone(), answer_due, reason };
    core.append(vec![NewEvent::new(principal.actor(), body)]).await?;
    Ok(answer_due)
}

/// The department answers. A record found wrong leaves the portal in the
/// same append.
pub async fn answer_objection(
    core: &Core,
    principal: &Principal,
    objection_id: &str,
    result: ObjectionResult,
    reply: &str,
) -> Result<()> {
    let row = require_objection(core, objection_id).await?;
    authorize(principal, Action::AnswerObjection, &Resource::Department(row.department.clone()))?;
    require_open(&row)?;
    if result == ObjectionResult::Withdrawn {
        return Err(CoreError::invalid("result_invalid", "撤回由申请人办理，部门答复请选择处理结果"));
    }
    let reply = bounded_text(core, reply, "reply_required", "答复意见")?;
    let today = china_today(core);
    let mut events = vec![NewEvent::new(
        principal.actor(),
        ObjectionsEvent::RecordObjectionClosed {
            objection_id: row.objection_id.clone(),
            result,
            reply: reply.clone(),
            answered_on: today,
            answered_by: principal.actor().as_str().to_owned(),
        },
    )];
    if result.ends_publicity() {
        let record = core.store().get(RecordRow::key(row.record_id.as_str())).await?;
        if record.is_some_and(|r| r.public) {
            let reason = if result == ObjectionResult::Revoked {
                PublicityEndReason::ObjectionRevoked
            } else {
                PublicityEndReason::ObjectionCorrected
            };
            events.push(NewEvent::new(
                principal.actor(),
                CollectionEvent::RecordPublicityEnded {
                    record_id: row.record_id.clone(),
                    subject: row.uscc.as_str().to_owned(),
                    ended_on: today,
                    reason,
                    reference: row.objection_id.clone(),
                },
            ));
        }
    }
    core.append(events).await?;
    let text = format!(
        "您对{}（{}）提出的异议已办结：{}。答复意见：{}",
        row.document_number,
        row.department,
        result.name_zh(),
        reply
    );
    notify::send(
        &core.settings().redress.notifier,
        notify::Notice {
            uscc: row.uscc.as_str().to_owned(),
            kind: "objection_closed",
            reference: row.objection_id.clone(),
            text,
            at: core.now(),
        },
    );
    Ok(())
}

/// The applicant withdraws an open objection.
pub async fn withdraw_objection(core: &Core, principal: &Principal, objection_id: &str) -> Result<()> {
    let row = require_objection(core, objection_id).await?;
    let resource = Resource::Record { department: row.department.clone(), subject: row.uscc.clone() };
    authorize(principal, Action::FileObjection, &resource)?;
    require_open(&row)?;
    let body = ObjectionsEvent::RecordObjectionClosed {
        objection_id: row.objection_id.clone(),
        result: ObjectionResult::Withdrawn,
        reply: "申请人撤回异议".to_owned(),
        answered_on: china_today(core),
        answered_by: principal.actor().as_str().to_owned(),
    };
    core.append(vec![NewEvent::new(principal.actor(), body)]).await?;
    Ok(())
}

/// A company's objections, newest first.
pub async fn objections_of_subject(core: &Core, principal: &Principal, uscc: &Uscc) -> Result<Vec<RecordObjectionRow>> {
    authorize(principal, Action::ViewOwnFile, &Resource::Subject(uscc.clone()))?;
    Ok(queries::objections_of_subject(core.store(), uscc, MAX_LISTED).await?)
}

/// The objections routed to the scope's department(s): open ones first, by
/// due date.
pub async fn objection_queue(core: &Core, scope: &Scope) -> Result<Vec<RecordObjectionRow>> {
    Ok(queries::objections_of_department(core.store(), scope.department(), None, MAX_LISTED).await?)
}

/// Open objections past their answer date, for the scope.
pub async fn overdue_objections(core: &Core, department: Option<&DepartmentCode>) -> Result<u64> {
    Ok(queries::count_overdue_objections(core.store(), department, china_today(core)).await?)
}

/// A company's records that the caller may register an objection to at its
/// counter: those of the caller's department (every department's for the
/// credit office), newest first, with whether one is already open.
pub async fn counter_records(core: &Core, principal: &Principal, uscc: &Uscc) -> Result<Vec<(RecordRow, bool)>> {
    let scope = crate::auth::policy::scope(principal, Action::ViewObjections)?;
    let rows = xinyong_storage::collection::records_of_subject(core.store(), uscc, MAX_LISTED).await?;
    let open = queries::records_under_objection(core.store(), uscc, MAX_LISTED).await?;
    Ok(rows
        .into_iter()
        .filter(|r| scope.department().is_none_or(|d| *d == r.department))
        .map(|r| {
            let disputed = open.contains(&r.id);
            (r, disputed)
        })
        .collect())
}

/// An evidence file of an objection, for the department answering (and the
/// credit office); `None` when there is none.
pub async fn evidence(
    core: &Core,
    principal: &Principal,
    objection_id: &str,
    file_no: u64,
) -> Result<Option<xinyong_domain::objections::ObjectionEvidenceRow>> {
    let row = require_objection(core, objection_id).await?;
    authorize(principal, Action::ViewObjections, &Resource::Department(row.department.clone()))?;
    let key = xinyong_domain::objections::ObjectionEvidenceRow::key(row.objection_id.as_str(), file_no);
    Ok(core.store().get(key).await?)
}

/// The evidence files of an objection (names, types, sizes), without content.
pub async fn evidence_list(core: &Core, objection_id: &str) -> Result<Vec<(u64, String, u64)>> {
    let rows = queries::evidence_of(core.store(), objection_id, 20).await?;
    Ok(rows.into_iter().map(|r| (r.file_no, r.name, r.size)).collect())
}

/// Records of a company under an open objection (the portal's mark).
pub async fn records_under_objection(core: &Core, uscc: &Uscc) -> Result<Vec<String>> {
    Ok(queries::records_under_objection(core.store(), uscc, 1_000).await?)
}

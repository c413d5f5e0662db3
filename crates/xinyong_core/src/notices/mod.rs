//! Notices and policy documents (通知公告, 政策法规): the credit office
//! publishes them in the console, the portal shows the published ones by
//! kind, newest first, with their attachments, and a withdrawn one is gone
//! from the portal (its events stay in the log). Every change is an event
//! (`notice_published`, `notice_withdrawn`). The limits below bound what one
//! notice may hold; they are constants because they bound the work of one
//! request and the size of one event, not a policy a city tunes.
//! `docs/PORTAL.md`.

use chrono::NaiveDate;
use xinyong_domain::event::NewEvent;
use xinyong_domain::lists::digest_id;
use xinyong_domain::notices::{
    Notice, NoticeAttachment, NoticeAttachmentRow, NoticeKind, NoticeRow, NoticeStatus, NoticesEvent,
};
use xinyong_domain::personal_text::{PersonalKind, find_personal_data};

use crate::auth::policy::{Action, Principal, Resource, authorize};
use crate::collection::intake::china_today;
use crate::error::{CoreError, Result};
use crate::log::Core;

/// Longest title, in characters (a document title with its 文号 fits).
pub const MAX_TITLE_CHARS: usize = 120;
/// Longest body, in characters: a long policy document (the 济南市社会信用
/// 条例 is about 15,000 characters) fits; longer ones go as an attachment.
pub const MAX_BODY_CHARS: usize = 20_000;
/// Longest issuing body and document number.
pub const MAX_ISSUER_CHARS: usize = 100;
pub const MAX_DOC_NUMBER_CHARS: usize = 60;
/// Longest withdrawal reason.
pub const MAX_REASON_CHARS: usize = 500;
/// Attachments one notice may carry, and the largest (bytes). Every byte of
/// an attachment is in the event body (base64, a third larger) and the
/// table, so one notice stays under about 20 MB in each; a longer document
/// is split, or published where it was issued and linked in the body.
pub const MAX_ATTACHMENTS: usize = 3;
pub const MAX_ATTACHMENT_BYTES: usize = 5 * 1024 * 1024;
/// Earliest publication date accepted: older laws are entered with their
/// own date, but not before the first credit-system documents.
const EARLIEST: NaiveDate = NaiveDate::from_ymd_opt(1990, 1, 1).expect("a valid date");
/// Notices the console lists.
const CONSOLE_LIMIT: u32 = 500;

/// The media types of attachments.
pub const PDF: &str = "application/pdf";
pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// One attachment as uploaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentUpload {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// What the credit office enters on `/console/notices`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublishNotice {
    /// `announcement` or `policy`.
    pub kind: String,
    pub title: String,
    /// `YYYY-MM-DD`; empty for today.
    pub published_on: String,
    pub body: String,
    pub issuer: String,
    pub doc_number: String,
    pub attachments: Vec<AttachmentUpload>,
}

/// A text field: trimmed, bounded, no control characters but line breaks
/// and tabs, and no ID-card or bank-card numbers (a notice is public; the
/// office's landline or e-mail for enquiries is fine).
fn text(raw: &str, code: &'static str, label: &str, max: usize, required: bool) -> Result<String> {
    let t = raw.trim();
    if t.is_empty() && required {
        return Err(CoreError::invalid(code, format!("请填写{label}")));
    }
    if t.chars().count() > max {
        return Err(CoreError::invalid(code, format!("{label}最多 {max} 个字，收到 {} 个字", t.chars().count())));
    }
    if t.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(CoreError::invalid(code, format!("{label}不能含控制字符")));
    }
    let personal = find_personal_data(t);
    if let Some(found) = personal.iter().find(|f| matches!(f.kind, PersonalKind::IdNumber | PersonalKind::BankCard)) {
        return Err(CoreError::invalid(
            "notice_personal_data",
            format!("{label}中含有{}，通知公告是公开信息，请删除后再发布", found.kind.label()),
        ));
    }
    Ok(t.replace("\r\n", "\n"))
}

fn date(raw: &str, today: NaiveDate) -> Result<NaiveDate> {
    let t = raw.trim();
    if t.is_empty() {
        return Ok(today);
    }
    let invalid = || {
        CoreError::invalid(
            "notice_published_on_invalid",
            format!("发布日期“{t}”无效：应为 {EARLIEST} 至今天（{today}）之间的 YYYY-MM-DD 日期"),
        )
    };
    let d = NaiveDate::parse_from_str(t, "%Y-%m-%d").map_err(|_| invalid())?;
    if d < EARLIEST || d > today {
        return Err(invalid());
    }
    Ok(d)
}

/// The type of an attachment, from its bytes: a PDF, or an Office Open XML
/// package (a ZIP) whose parts say whether it is a document or a workbook.
/// Part names sit uncompressed in the ZIP's headers, so finding them needs
/// no unpacking.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    if bytes.starts_with(b"%PDF-") {
        Some(PDF)
    } else if bytes.starts_with(b"PK\x03\x04") && has(b"word/document.xml") {
        Some(DOCX)
    } else if bytes.starts_with(b"PK\x03\x04") && has(b"xl/workbook.xml") {
        Some(XLSX)
    } else {
        None
    }
}

/// Checks the uploads (empty file inputs are ignored): count, size, type.
fn checked_attachments(uploads: Vec<AttachmentUpload>) -> Result<Vec<NoticeAttachment>> {
    use base64::Engine as _;
    use sha2::Digest as _;
    let uploads: Vec<AttachmentUpload> = uploads.into_iter().filter(|u| !u.bytes.is_empty()).collect();
    if uploads.len() > MAX_ATTACHMENTS {
        return Err(CoreError::invalid(
            "notice_attachments_too_many",
            format!("附件最多 {MAX_ATTACHMENTS} 个，收到 {} 个", uploads.len()),
        ));
    }
    let mut files = Vec::with_capacity(uploads.len());
    for (i, u) in uploads.into_iter().enumerate() {
        let name = crate::objections::stored_file_name(&u.name);
        let name = if name.trim().is_empty() { format!("附件{}", i + 1) } else { name.trim().to_owned() };
        if u.bytes.len() > MAX_ATTACHMENT_BYTES {
            let mb = MAX_ATTACHMENT_BYTES / (1024 * 1024);
            return Err(CoreError::invalid("notice_attachment_too_large", format!("附件“{name}”超过 {mb} MB")));
        }
        let Some(media_type) = sniff(&u.bytes) else {
            return Err(CoreError::invalid(
                "notice_attachment_type",
                format!("附件“{name}”不是 PDF、Word（DOCX）或 Excel（XLSX）文件"),
            ));
        };
        files.push(NoticeAttachment {
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

/// Publishes a notice or policy document; returns its id. The same kind,
/// title and date published twice (a resent form) is the same notice:
/// written once.
pub async fn publish(core: &Core, principal: &Principal, input: PublishNotice) -> Result<String> {
    authorize(principal, Action::ManageNotices, &Resource::Platform)?;
    let Some(kind) = NoticeKind::parse(&input.kind) else {
        return Err(CoreError::invalid("notice_kind_invalid", "栏目须为“通知公告”或“政策法规”"));
    };
    let title = text(&input.title, "notice_title_required", "标题", MAX_TITLE_CHARS, true)?;
    if title.contains('\n') {
        return Err(CoreError::invalid("notice_title_required", "标题不能换行"));
    }
    let body = text(&input.body, "notice_body_required", "正文", MAX_BODY_CHARS, true)?;
    let issuer = text(&input.issuer, "notice_issuer_invalid", "发布机关", MAX_ISSUER_CHARS, false)?;
    let doc_number = text(&input.doc_number, "notice_doc_number_invalid", "文号", MAX_DOC_NUMBER_CHARS, false)?;
    if issuer.contains('\n') || doc_number.contains('\n') {
        return Err(CoreError::invalid("notice_issuer_invalid", "发布机关和文号不能换行"));
    }
    let today = china_today(core);
    let published_on = date(&input.published_on, today)?;
    let attachments = checked_attachments(input.attachments)?;
    let id = digest_id("TZ", &[kind.as_str(), &title, &published_on.to_string()]);
    if core.store().get(NoticeRow::key(id.as_str())).await?.is_some() {
        return Ok(id);
    }
    let notice = Notice {
        notice_id: id.clone(),
        kind,
        title,
        published_on,
        body,
        issuer,
        doc_number,
        published_by: principal.actor().as_str().to_owned(),
        attachments,
    };
    core.append(vec![NewEvent::new(principal.actor(), NoticesEvent::NoticePublished { notice })]).await?;
    Ok(id)
}

/// Withdraws a published notice from the portal, with the reason.
pub async fn withdraw(core: &Core, principal: &Principal, notice_id: &str, reason: &str) -> Result<()> {
    authorize(principal, Action::ManageNotices, &Resource::Platform)?;
    let row = any(core, notice_id).await?;
    if row.status != NoticeStatus::Published {
        return Err(CoreError::invalid("notice_already_withdrawn", "该通知已撤回"));
    }
    let reason = text(reason, "notice_withdraw_reason_required", "撤回原因", MAX_REASON_CHARS, true)?;
    let body = NoticesEvent::NoticeWithdrawn {
        notice_id: row.notice_id,
        withdrawn_on: china_today(core),
        withdrawn_by: principal.actor().as_str().to_owned(),
        reason,
    };
    core.append(vec![NewEvent::new(principal.actor(), body)]).await?;
    Ok(())
}

fn not_found(notice_id: &str) -> CoreError {
    CoreError::NotFound { what: format!("通知公告“{}”", notice_id.trim()), code: "notice_not_found" }
}

/// A notice in any state (the console's).
async fn any(core: &Core, notice_id: &str) -> Result<NoticeRow> {
    core.store().get(NoticeRow::key(notice_id.trim())).await?.ok_or_else(|| not_found(notice_id))
}

/// A published notice, for everyone: a withdrawn one is not found.
pub async fn published(core: &Core, notice_id: &str) -> Result<NoticeRow> {
    let row = any(core, notice_id).await?;
    if row.status == NoticeStatus::Published { Ok(row) } else { Err(not_found(notice_id)) }
}

/// A page of the published notices of `kind` (every kind for `None`),
/// newest first, and how many there are in all.
pub async fn page(core: &Core, kind: Option<NoticeKind>, offset: u64, limit: u32) -> Result<(Vec<NoticeRow>, u64)> {
    let store = core.store();
    let total = xinyong_storage::notices::count_published(store, kind).await?;
    let rows = xinyong_storage::notices::published(store, kind, offset, limit).await?;
    Ok((rows, total))
}

/// A published notice's attachments (with their contents), in order.
pub async fn attachments(core: &Core, notice_id: &str) -> Result<Vec<NoticeAttachmentRow>> {
    let row = published(core, notice_id).await?;
    let limit = u32::try_from(MAX_ATTACHMENTS).unwrap_or(u32::MAX);
    Ok(xinyong_storage::notices::attachments(core.store(), &row.notice_id, limit).await?)
}

/// One attachment of a published notice.
pub async fn attachment(core: &Core, notice_id: &str, file_no: u64) -> Result<NoticeAttachmentRow> {
    let row = published(core, notice_id).await?;
    core.store().get(NoticeAttachmentRow::key(row.notice_id.as_str(), file_no)).await?.ok_or_else(|| {
        CoreError::NotFound {
            what: format!("通知公告“{}”的附件 {file_no}", row.notice_id),
            code: "notice_attachment_not_found",
        }
    })
}

/// Every notice, withdrawn ones too, newest first (the credit office's console).
pub async fn all(core: &Core, principal: &Principal) -> Result<Vec<NoticeRow>> {
    authorize(principal, Action::ManageNotices, &Resource::Platform)?;
    Ok(xinyong_storage::notices::all(core.store(), CONSOLE_LIMIT).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachments_are_told_apart_by_their_bytes() {
        assert_eq!(sniff(b"%PDF-1.7 ..."), Some(PDF));
        assert_eq!(sniff(b"PK\x03\x04....word/document.xml...."), Some(DOCX));
        assert_eq!(sniff(b"PK\x03\x04....xl/workbook.xml...."), Some(XLSX));
        assert_eq!(sniff(b"PK\x03\x04....other.xml"), None);
        assert_eq!(sniff(b"MZ\x90\x00"), None);
    }

    #[test]
    fn attachments_are_bounded_and_empty_inputs_ignored() {
        let pdf = |n: &str| AttachmentUpload { name: n.to_owned(), bytes: b"%PDF-1.7".to_vec() };
        let empty = AttachmentUpload { name: String::new(), bytes: Vec::new() };
        let ok = checked_attachments(vec![pdf("C:\\文件\\附件.pdf"), empty]).expect("one pdf");
        assert_eq!((ok.len(), ok[0].name.as_str(), ok[0].file_no), (1, "附件.pdf", 1));
        assert_eq!(ok[0].sha256.len(), 64);
        let many = (0..=MAX_ATTACHMENTS).map(|i| pdf(&format!("{i}.pdf"))).collect();
        assert_eq!(checked_attachments(many).map(drop).unwrap_err().code(), "notice_attachments_too_many");
        let big = AttachmentUpload {
            name: "大.pdf".to_owned(),
            bytes: [b"%PDF-".as_slice(), &vec![0; MAX_ATTACHMENT_BYTES]].concat(),
        };
        assert_eq!(checked_attachments(vec![big]).map(drop).unwrap_err().code(), "notice_attachment_too_large");
        let exe = AttachmentUpload { name: "a.exe".to_owned(), bytes: b"MZ".to_vec() };
        assert_eq!(checked_attachments(vec![exe]).map(drop).unwrap_err().code(), "notice_attachment_type");
    }

    #[test]
    fn texts_are_bounded_and_refuse_id_numbers() {
        assert_eq!(text("  标题 ", "c", "标题", 10, true).expect("ok"), "标题");
        assert!(text("", "c", "标题", 10, true).is_err());
        assert_eq!(text("", "c", "文号", 10, false).expect("optional"), "");
        assert!(text(&"字".repeat(11), "c", "标题", 10, true).is_err());
        let e = text("身份证 11010519491231002X", "c", "正文", 100, true).unwrap_err();
        assert_eq!(e.code(), "notice_personal_data");
        assert!(text("咨询电话：0531-12345678", "c", "正文", 100, true).is_ok());
    }

    #[test]
    fn dates_default_to_today_and_stay_in_range() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 4).expect("date");
        assert_eq!(date("", today).expect("today"), today);
        assert_eq!(date("2020-07-24", today).expect("past").to_string(), "2020-07-24");
        assert!(date("2027-01-01", today).is_err());
        assert!(date("1989-12-31", today).is_err());
        assert!(date("2020-02-30", today).is_err());
    }
}

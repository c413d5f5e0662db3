//! The notices context's projection tables.

use chrono::NaiveDate;

use crate::notices::{NoticeKind, NoticeStatus};
use crate::projection::TableSpec;

crate::projection::table! {
    /// Notices and policy documents (通知公告, 政策法规), one row each,
    /// withdrawn ones too.
    pub struct NoticeRow in NOTICES = "notices" {
        key { notice_id: String }
        kind: NoticeKind,
        title: String,
        /// The publication date the office gives (成文 or 发布日期).
        published_on: NaiveDate,
        /// Plain text, paragraphs separated by blank lines.
        body: String,
        /// The issuing body (发布机关), mostly for policies; empty when none.
        issuer: String,
        /// The document number (文号), mostly for policies; empty when none.
        doc_number: String,
        /// How many attachments it carries.
        attachments: u64,
        status: NoticeStatus,
        published_by: String,
        withdrawn_on: Option<NaiveDate>,
        withdrawn_by: Option<String>,
        /// Why it was withdrawn (console only).
        withdraw_reason: Option<String>,
        seq: u64,
    }
}

crate::projection::table! {
    /// The attachments of notices (PDF, DOCX, XLSX): public with their notice.
    pub struct NoticeAttachmentRow in NOTICE_ATTACHMENTS = "notice_attachments" {
        key { notice_id: String, file_no: u64 }
        name: String,
        media_type: String,
        size: u64,
        sha256: String,
        content_base64: String,
        seq: u64,
    }
}

/// The tables this context owns, in the order `verify` checks them.
pub fn tables() -> Vec<&'static TableSpec> {
    vec![&NOTICES, &NOTICE_ATTACHMENTS]
}

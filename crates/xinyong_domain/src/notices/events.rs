//! What happens to notices, and the rows each kind writes.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::event::EventMeta;
use crate::notices::{NoticeAttachmentRow, NoticeKind, NoticeRow, NoticeStatus};
use crate::projection::{ProjectionError, ProjectionWrite, Row as _};

/// A notice as the credit office published it. Public text only: the
/// office writes it for the portal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub notice_id: String,
    pub kind: NoticeKind,
    pub title: String,
    pub published_on: NaiveDate,
    /// Plain text, paragraphs separated by blank lines.
    pub body: String,
    /// 发布机关 (empty when none).
    pub issuer: String,
    /// 文号 (empty when none).
    pub doc_number: String,
    /// The console user who published it (`user:…`).
    pub published_by: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<NoticeAttachment>,
}

/// One attachment of a notice, checked at the edge: its type sniffed from
/// the bytes (PDF, DOCX, XLSX), its size within the limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeAttachment {
    /// 1, 2, … in the order attached.
    pub file_no: u32,
    /// The file name as sent, without any path.
    pub name: String,
    pub media_type: String,
    pub size: u64,
    /// Hex SHA-256 of the bytes.
    pub sha256: String,
    /// The bytes, base64 (standard alphabet, padded).
    pub content_base64: String,
}

/// Events of the notices context. The serde tag is the event kind in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr, strum::EnumDiscriminants)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[strum_discriminants(
    name(NoticesKind),
    vis(pub),
    derive(Hash, PartialOrd, Ord, strum::IntoStaticStr, strum::VariantArray),
    strum(serialize_all = "snake_case")
)]
pub enum NoticesEvent {
    /// The credit office published a notice or policy document.
    NoticePublished { notice: Notice },
    /// The credit office withdrew a notice from the portal.
    NoticeWithdrawn { notice_id: String, withdrawn_on: NaiveDate, withdrawn_by: String, reason: String },
}

// Exhaustive by construction: a new kind that does not say what it writes
// does not compile, and a `_` arm would hide one (clippy denies it here).
#[deny(clippy::wildcard_enum_match_arm, clippy::match_wildcard_for_single_variants)]
impl NoticesEvent {
    /// Notices are about no subject.
    pub fn public_subject(&self) -> Option<&str> {
        match self {
            NoticesEvent::NoticePublished { .. } | NoticesEvent::NoticeWithdrawn { .. } => None,
        }
    }

    fn published(n: &Notice, seq: u64) -> Result<Vec<ProjectionWrite>, ProjectionError> {
        let mut writes = Vec::with_capacity(n.attachments.len() + 1);
        writes.push(
            NoticeRow {
                notice_id: n.notice_id.clone(),
                kind: n.kind,
                title: n.title.clone(),
                published_on: n.published_on,
                body: n.body.clone(),
                issuer: n.issuer.clone(),
                doc_number: n.doc_number.clone(),
                attachments: n.attachments.len() as u64,
                status: NoticeStatus::Published,
                published_by: n.published_by.clone(),
                withdrawn_on: None,
                withdrawn_by: None,
                withdraw_reason: None,
                seq,
            }
            .upsert()?,
        );
        for a in &n.attachments {
            writes.push(
                NoticeAttachmentRow {
                    notice_id: n.notice_id.clone(),
                    file_no: u64::from(a.file_no),
                    name: a.name.clone(),
                    media_type: a.media_type.clone(),
                    size: a.size,
                    sha256: a.sha256.clone(),
                    content_base64: a.content_base64.clone(),
                    seq,
                }
                .upsert()?,
            );
        }
        Ok(writes)
    }

    pub fn writes(&self, at: EventMeta) -> Result<Vec<ProjectionWrite>, ProjectionError> {
        let seq = at.seq;
        match self {
            NoticesEvent::NoticePublished { notice } => Self::published(notice, seq),
            NoticesEvent::NoticeWithdrawn { notice_id, withdrawn_on, withdrawn_by, reason } => Ok(vec![
                NoticeRow::key(notice_id)
                    .update(seq)
                    .status(NoticeStatus::Withdrawn)
                    .withdrawn_on(Some(*withdrawn_on))
                    .withdrawn_by(Some(withdrawn_by.clone()))
                    .withdraw_reason(Some(reason.clone()))
                    .write()?,
            ]),
        }
    }
}

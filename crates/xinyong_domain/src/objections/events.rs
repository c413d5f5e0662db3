//! What happens to objections, and the rows each kind writes.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::event::EventMeta;
use crate::objections::{ObjectionEvidenceRow, ObjectionResult, ObjectionStatus, RecordObjection, RecordObjectionRow};
use crate::projection::{ProjectionError, ProjectionWrite, Row as _};

/// Events of the objections context. The serde tag is the event kind in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr, strum::EnumDiscriminants)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[strum_discriminants(
    name(ObjectionsKind),
    vis(pub),
    derive(Hash, PartialOrd, Ord, strum::IntoStaticStr, strum::VariantArray),
    strum(serialize_all = "snake_case")
)]
pub enum ObjectionsEvent {
    /// A subject objected to a record (异议申请); the record is marked.
    RecordObjectionFiled { objection: RecordObjection },
    /// The department needs other units to verify: 7 working days instead of 3.
    RecordObjectionExtended { objection_id: String, answer_due: NaiveDate, reason: String },
    /// The department answered, or the applicant withdrew.
    RecordObjectionClosed {
        objection_id: String,
        result: ObjectionResult,
        reply: String,
        answered_on: NaiveDate,
        answered_by: String,
    },
}

// Exhaustive by construction: a new kind that does not say what it writes
// does not compile, and a `_` arm would hide one (clippy denies it here).
#[deny(clippy::wildcard_enum_match_arm, clippy::match_wildcard_for_single_variants)]
impl ObjectionsEvent {
    /// An objection names the organisation whose record it disputes.
    pub fn public_subject(&self) -> Option<&str> {
        match self {
            ObjectionsEvent::RecordObjectionFiled { objection } => Some(objection.uscc.as_str()),
            ObjectionsEvent::RecordObjectionExtended { .. } | ObjectionsEvent::RecordObjectionClosed { .. } => None,
        }
    }

    pub fn writes(&self, at: EventMeta) -> Result<Vec<ProjectionWrite>, ProjectionError> {
        let seq = at.seq;
        let mut writes = Vec::new();
        if let ObjectionsEvent::RecordObjectionFiled { objection } = self {
            for f in &objection.evidence {
                let row = ObjectionEvidenceRow {
                    objection_id: objection.objection_id.clone(),
                    file_no: u64::from(f.file_no),
                    name: f.name.clone(),
                    media_type: f.media_type.clone(),
                    size: f.size,
                    sha256: f.sha256.clone(),
                    content_base64: f.content_base64.clone(),
                    seq,
                };
                writes.push(row.upsert()?);
            }
        }
        let write = match self {
            ObjectionsEvent::RecordObjectionFiled { objection: o } => RecordObjectionRow {
                objection_id: o.objection_id.clone(),
                record_id: o.record_id.clone(),
                record_entry: o.record_entry,
                uscc: o.uscc.clone(),
                department: o.department.clone(),
                item: o.item.clone(),
                document_number: o.document_number.clone(),
                subject_name: o.subject_name.clone(),
                grounds: o.grounds.clone(),
                channel: o.channel,
                filed_by: o.filed_by.clone(),
                filed_on: o.filed_on,
                answer_due: o.answer_due,
                extension_reason: None,
                status: ObjectionStatus::Open,
                result: None,
                reply: None,
                answered_on: None,
                answered_by: None,
                seq,
            }
            .upsert()?,
            ObjectionsEvent::RecordObjectionExtended { objection_id, answer_due, reason } => {
                RecordObjectionRow::key(objection_id)
                    .update(seq)
                    .answer_due(*answer_due)
                    .extension_reason(Some(reason.clone()))
                    .write()?
            }
            ObjectionsEvent::RecordObjectionClosed { objection_id, result, reply, answered_on, answered_by } => {
                RecordObjectionRow::key(objection_id)
                    .update(seq)
                    .status(ObjectionStatus::Closed)
                    .result(Some(*result))
                    .reply(Some(reply.clone()))
                    .answered_on(Some(*answered_on))
                    .answered_by(Some(answered_by.clone()))
                    .write()?
            }
        };
        writes.insert(0, write);
        Ok(writes)
    }
}

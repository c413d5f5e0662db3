//! What arrives from departments, and the rows each kind writes.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::collection::{AcceptedRecord, BatchReportRow, BatchRow, BatchSummary, FieldChange, RecordRow};
use crate::event::EventMeta;
use crate::projection::{ProjectionError, ProjectionWrite, Row as _};

/// Events of the collection context. The serde tag is the event kind in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr, strum::EnumDiscriminants)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[strum_discriminants(
    name(CollectionKind),
    vis(pub),
    derive(Hash, PartialOrd, Ord, strum::IntoStaticStr, strum::VariantArray),
    strum(serialize_all = "snake_case")
)]
pub enum CollectionEvent {
    /// A department's record was accepted (归集).
    RecordAccepted { record: AcceptedRecord },
    /// A record was sent again with different content: the new version and the diff.
    RecordCorrected { record: AcceptedRecord, changes: Vec<FieldChange> },
    /// A batch arrived: its counts and the rows that were rejected or warned about.
    BatchReceived { batch: BatchSummary },
    /// A record's publicity ended before its window did: revoked or corrected
    /// after an objection, or repaired. It leaves the portal and the public
    /// API; the record itself stays, for the subject and the department.
    RecordPublicityEnded {
        record_id: String,
        /// The organisation the record is about (its USCC): the entry names
        /// it, so the subject's history can be read back by date.
        subject: String,
        ended_on: NaiveDate,
        reason: PublicityEndReason,
        reference: String,
    },
}

/// Why a record's publicity ended early.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PublicityEndReason {
    /// 异议成立，信息撤销.
    ObjectionRevoked,
    /// 异议成立，信息待更正.
    ObjectionCorrected,
    /// 信用修复.
    Repaired,
}

impl PublicityEndReason {
    pub const ALL: [PublicityEndReason; 3] =
        [PublicityEndReason::ObjectionRevoked, PublicityEndReason::ObjectionCorrected, PublicityEndReason::Repaired];

    /// The code stored as the record's `non_public_reason`.
    pub fn as_str(self) -> &'static str {
        match self {
            PublicityEndReason::ObjectionRevoked => "objection_revoked",
            PublicityEndReason::ObjectionCorrected => "objection_corrected",
            PublicityEndReason::Repaired => "repaired",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            PublicityEndReason::ObjectionRevoked => "异议成立，信息已撤销",
            PublicityEndReason::ObjectionCorrected => "异议成立，信息待更正",
            PublicityEndReason::Repaired => "已信用修复，停止公示",
        }
    }
}

// Exhaustive by construction: a new kind that does not say what it writes
// does not compile, and a `_` arm would hide one (clippy denies it here).
#[deny(clippy::wildcard_enum_match_arm, clippy::match_wildcard_for_single_variants)]
impl CollectionEvent {
    /// The organisation a record is about; records about natural persons name nobody.
    pub fn public_subject(&self) -> Option<&str> {
        match self {
            CollectionEvent::RecordAccepted { record } | CollectionEvent::RecordCorrected { record, .. } => {
                (!record.subject.is_natural_person()).then_some(record.subject.key.as_str())
            }
            CollectionEvent::RecordPublicityEnded { subject, .. } => Some(subject.as_str()),
            CollectionEvent::BatchReceived { .. } => None,
        }
    }

    pub fn writes(&self, at: EventMeta) -> Result<Vec<ProjectionWrite>, ProjectionError> {
        let seq = at.seq;
        match self {
            CollectionEvent::RecordAccepted { record } | CollectionEvent::RecordCorrected { record, .. } => {
                Ok(vec![RecordRow::from_record(record, seq).upsert()?])
            }
            CollectionEvent::BatchReceived { batch } => {
                let mut writes = vec![BatchRow::from_summary(batch, seq).upsert()?];
                for report in &batch.reports {
                    writes.push(BatchReportRow::from_report(&batch.id, report, seq).upsert()?);
                }
                Ok(writes)
            }
            CollectionEvent::RecordPublicityEnded { record_id, reason, .. } => Ok(vec![
                RecordRow::key(record_id)
                    .update(seq)
                    .public(false)
                    .non_public_reason(Some(reason.as_str().to_owned()))
                    .write()?,
            ]),
        }
    }
}

//! What arrives from departments, and the rows each kind writes.

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
        }
    }
}

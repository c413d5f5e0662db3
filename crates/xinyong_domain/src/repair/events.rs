//! What happens to repair applications, and the rows each kind writes.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::event::EventMeta;
use crate::projection::{Json, ProjectionError, ProjectionWrite, Row as _};
use crate::repair::{RepairApplication, RepairApplicationRow, RepairStatus};

/// Events of the repair context. The serde tag is the event kind in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr, strum::EnumDiscriminants)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[strum_discriminants(
    name(RepairKind),
    vis(pub),
    derive(Hash, PartialOrd, Ord, strum::IntoStaticStr, strum::VariantArray),
    strum(serialize_all = "snake_case")
)]
pub enum RepairEvent {
    /// A subject applied to repair a record (修复申请), commitment signed.
    RepairApplied { application: Box<RepairApplication> },
    /// The deciding department decided. An approval comes with the
    /// collection context's `record_publicity_ended` in the same append.
    RepairDecided {
        application_id: String,
        approved: bool,
        reason: String,
        decided_on: NaiveDate,
        decided_by: String,
        /// An approval that waits for the credit office's confirmation.
        awaiting_confirmation: bool,
    },
    /// The credit office confirmed (or overturned) a department's approval.
    /// A confirmation comes with `record_publicity_ended` in the same append.
    RepairConfirmed {
        application_id: String,
        confirmed: bool,
        note: String,
        confirmed_on: NaiveDate,
        confirmed_by: String,
    },
}

// Exhaustive by construction: a new kind that does not say what it writes
// does not compile, and a `_` arm would hide one (clippy denies it here).
#[deny(clippy::wildcard_enum_match_arm, clippy::match_wildcard_for_single_variants)]
impl RepairEvent {
    /// An application names the organisation that applied.
    pub fn public_subject(&self) -> Option<&str> {
        match self {
            RepairEvent::RepairApplied { application } => Some(application.uscc.as_str()),
            RepairEvent::RepairDecided { .. } | RepairEvent::RepairConfirmed { .. } => None,
        }
    }

    pub fn writes(&self, at: EventMeta) -> Result<Vec<ProjectionWrite>, ProjectionError> {
        let seq = at.seq;
        let write = match self {
            RepairEvent::RepairApplied { application: a } => RepairApplicationRow {
                application_id: a.application_id.clone(),
                record_id: a.record_id.clone(),
                record_entry: a.record_entry,
                uscc: a.uscc.clone(),
                department: a.department.clone(),
                item: a.item.clone(),
                document_number: a.document_number.clone(),
                subject_name: a.subject_name.clone(),
                regime: a.regime.clone(),
                severity: a.severity.clone(),
                commitment_version: a.commitment_version.clone(),
                commitment_sha256: a.commitment_sha256.clone(),
                signed_by: a.signed_by.clone(),
                materials: Json(a.materials.clone()),
                applied_on: a.applied_on,
                review_due: a.review_due,
                status: RepairStatus::Pending,
                reason: None,
                decided_on: None,
                decided_by: None,
                confirmation_note: None,
                confirmed_on: None,
                confirmed_by: None,
                seq,
            }
            .upsert()?,
            RepairEvent::RepairDecided {
                application_id,
                approved,
                reason,
                decided_on,
                decided_by,
                awaiting_confirmation,
            } => {
                let status = match (*approved, *awaiting_confirmation) {
                    (true, true) => RepairStatus::Confirming,
                    (true, false) => RepairStatus::Approved,
                    (false, _) => RepairStatus::Rejected,
                };
                RepairApplicationRow::key(application_id)
                    .update(seq)
                    .status(status)
                    .reason(Some(reason.clone()))
                    .decided_on(Some(*decided_on))
                    .decided_by(Some(decided_by.clone()))
                    .write()?
            }
            RepairEvent::RepairConfirmed { application_id, confirmed, note, confirmed_on, confirmed_by } => {
                RepairApplicationRow::key(application_id)
                    .update(seq)
                    .status(if *confirmed { RepairStatus::Approved } else { RepairStatus::Rejected })
                    .confirmation_note(Some(note.clone()))
                    .confirmed_on(Some(*confirmed_on))
                    .confirmed_by(Some(confirmed_by.clone()))
                    .write()?
            }
        };
        Ok(vec![write])
    }
}

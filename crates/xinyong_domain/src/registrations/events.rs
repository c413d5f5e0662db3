//! What happens to voluntary registrations, and the rows each kind writes.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::Uscc;
use crate::auth::DepartmentCode;
use crate::event::EventMeta;
use crate::objections::EvidenceFile;
use crate::projection::{ProjectionError, ProjectionWrite, Row as _};
use crate::registrations::{RegistrationFileRow, RegistrationKind, RegistrationRow, RegistrationStatus, ReviewOutcome};

/// A registration as the company submitted it. Only an organisation's own
/// information: the texts were checked for ID, telephone and card numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    pub registration_id: String,
    pub uscc: Uscc,
    pub subject_name: String,
    pub kind: RegistrationKind,
    /// What it is (e.g. 济南市守合同重信用企业).
    pub title: String,
    /// Who issued or attests it (e.g. 济南市市场监督管理局).
    pub issuer: String,
    /// When it was issued or happened.
    pub issued_on: Option<NaiveDate>,
    /// The last day it is valid, if it expires.
    pub valid_until: Option<NaiveDate>,
    /// What the company states about it.
    pub content: String,
    /// The department that reviews it.
    pub department: DepartmentCode,
    /// The truthfulness commitment signed: version, text and its SHA-256.
    pub commitment_version: String,
    pub commitment_text: String,
    pub commitment_sha256: String,
    pub submitted_on: NaiveDate,
    /// The company account that submitted (`subject:…`).
    pub submitted_by: String,
    /// The department reviews by this day (working days after submission).
    pub review_due: NaiveDate,
    /// Supporting files (never public).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<EvidenceFile>,
}

/// Events of the registrations context. The serde tag is the event kind in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr, strum::EnumDiscriminants)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[strum_discriminants(
    name(RegistrationsKind),
    vis(pub),
    derive(Hash, PartialOrd, Ord, strum::IntoStaticStr, strum::VariantArray),
    strum(serialize_all = "snake_case")
)]
pub enum RegistrationsEvent {
    /// A company registered information with its truthfulness commitment.
    RegistrationSubmitted { registration: Registration },
    /// The reviewing department decided. A false registration names the
    /// dishonesty record it became.
    RegistrationReviewed {
        registration_id: String,
        uscc: Uscc,
        outcome: ReviewOutcome,
        /// Why (required for a rejection or a false registration).
        reason: String,
        reviewed_on: NaiveDate,
        reviewed_by: String,
        record_id: Option<String>,
    },
    /// The company withdrew a registration before it was reviewed.
    RegistrationWithdrawn { registration_id: String, uscc: Uscc, withdrawn_on: NaiveDate, withdrawn_by: String },
}

// Exhaustive by construction: a new kind that does not say what it writes
// does not compile, and a `_` arm would hide one (clippy denies it here).
#[deny(clippy::wildcard_enum_match_arm, clippy::match_wildcard_for_single_variants)]
impl RegistrationsEvent {
    /// The organisation an event is about: registrations are made by
    /// organisations with a USCC only.
    pub fn public_subject(&self) -> Option<&str> {
        match self {
            RegistrationsEvent::RegistrationSubmitted { registration } => Some(registration.uscc.as_str()),
            RegistrationsEvent::RegistrationReviewed { uscc, .. }
            | RegistrationsEvent::RegistrationWithdrawn { uscc, .. } => Some(uscc.as_str()),
        }
    }

    fn submitted(r: &Registration, seq: u64) -> Result<Vec<ProjectionWrite>, ProjectionError> {
        let mut writes = Vec::with_capacity(r.files.len() + 1);
        writes.push(
            RegistrationRow {
                registration_id: r.registration_id.clone(),
                uscc: r.uscc.clone(),
                subject_name: r.subject_name.clone(),
                kind: r.kind,
                title: r.title.clone(),
                issuer: r.issuer.clone(),
                issued_on: r.issued_on,
                valid_until: r.valid_until,
                content: r.content.clone(),
                department: r.department.clone(),
                commitment_version: r.commitment_version.clone(),
                commitment_sha256: r.commitment_sha256.clone(),
                submitted_on: r.submitted_on,
                submitted_by: r.submitted_by.clone(),
                review_due: r.review_due,
                files: r.files.len() as u64,
                status: RegistrationStatus::Pending,
                outcome: None,
                reason: None,
                reviewed_on: None,
                reviewed_by: None,
                record_id: None,
                seq,
            }
            .upsert()?,
        );
        for f in &r.files {
            writes.push(
                RegistrationFileRow {
                    registration_id: r.registration_id.clone(),
                    file_no: u64::from(f.file_no),
                    name: f.name.clone(),
                    media_type: f.media_type.clone(),
                    size: f.size,
                    sha256: f.sha256.clone(),
                    content_base64: f.content_base64.clone(),
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
            RegistrationsEvent::RegistrationSubmitted { registration } => Self::submitted(registration, seq),
            RegistrationsEvent::RegistrationReviewed {
                registration_id,
                outcome,
                reason,
                reviewed_on,
                reviewed_by,
                record_id,
                ..
            } => Ok(vec![
                RegistrationRow::key(registration_id)
                    .update(seq)
                    .status(outcome.status())
                    .outcome(Some(*outcome))
                    .reason(Some(reason.clone()))
                    .reviewed_on(Some(*reviewed_on))
                    .reviewed_by(Some(reviewed_by.clone()))
                    .record_id(record_id.clone())
                    .write()?,
            ]),
            RegistrationsEvent::RegistrationWithdrawn { registration_id, withdrawn_on, withdrawn_by, .. } => Ok(vec![
                RegistrationRow::key(registration_id)
                    .update(seq)
                    .status(RegistrationStatus::Withdrawn)
                    .reviewed_on(Some(*withdrawn_on))
                    .reviewed_by(Some(withdrawn_by.clone()))
                    .write()?,
            ]),
        }
    }
}

//! What happens to credit service agencies, and the rows each kind writes.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::Uscc;
use crate::agencies::{
    AgencyAccountRow, AgencyConsentRow, AgencyQueryRow, AgencyRow, AgencyStaffRow, AgencyStatus, AgencySupervisionRow,
    ConsentScope, SupervisionKind,
};
use crate::event::EventMeta;
use crate::projection::{ProjectionError, ProjectionWrite, Row as _};

/// An agency as the credit office filed it (备案).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgencyFiling {
    pub uscc: Uscc,
    pub name: String,
    /// 备案编号.
    pub filing_no: String,
    /// A natural person's name: in the record store, never public.
    pub legal_representative: String,
    pub address: String,
    pub business_scope: String,
    pub filed_on: NaiveDate,
    /// The console user who filed it (`user:…`).
    pub filed_by: String,
}

/// Events of the agencies context. The serde tag is the event kind in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr, strum::EnumDiscriminants)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[strum_discriminants(
    name(AgenciesKind),
    vis(pub),
    derive(Hash, PartialOrd, Ord, strum::IntoStaticStr, strum::VariantArray),
    strum(serialize_all = "snake_case")
)]
pub enum AgenciesEvent {
    /// The credit office filed an agency (备案).
    AgencyFiled { filing: AgencyFiling },
    /// The credit office changed the agency's status (正常/暂停/注销).
    AgencyStatusChanged {
        agency: Uscc,
        status: AgencyStatus,
        reason: String,
        changed_on: NaiveDate,
        changed_by: String,
    },
    /// A member of the agency's staff was filed, changed or left.
    AgencyStaffChanged {
        agency: Uscc,
        staff_id: String,
        name: String,
        position: String,
        active: bool,
        changed_on: NaiveDate,
        changed_by: String,
    },
    /// The credit office recorded an inspection, interview or penalty.
    AgencySupervisionRecorded {
        agency: Uscc,
        supervision_id: String,
        supervision_kind: SupervisionKind,
        done_on: NaiveDate,
        summary: String,
        outcome: String,
        recorded_by: String,
    },
    /// The credit office opened an account for the agency's staff.
    AgencyAccountOpened {
        agency: Uscc,
        username: String,
        display_name: String,
        password_hash: String,
        opened_by: String,
    },
    /// A company consented that an agency downloads its full report until `expires_on`.
    AgencyConsentGranted {
        consent_id: String,
        uscc: Uscc,
        agency: Uscc,
        scope: ConsentScope,
        granted_on: NaiveDate,
        expires_on: NaiveDate,
        granted_by: String,
    },
    /// The company withdrew its consent.
    AgencyConsentRevoked { consent_id: String, revoked_on: NaiveDate, revoked_by: String },
    /// An agency downloaded a company's full report under a consent.
    AgencyReportQueried {
        uscc: Uscc,
        agency: Uscc,
        username: String,
        consent_id: String,
        purpose: String,
        report_id: String,
    },
}

// Exhaustive by construction: a new kind that does not say what it writes
// does not compile, and a `_` arm would hide one (clippy denies it here).
#[deny(clippy::wildcard_enum_match_arm, clippy::match_wildcard_for_single_variants)]
impl AgenciesEvent {
    /// None: who an agency serves, and who consented to whom, is not for
    /// the public entry.
    pub fn public_subject(&self) -> Option<&str> {
        match self {
            AgenciesEvent::AgencyFiled { .. }
            | AgenciesEvent::AgencyStatusChanged { .. }
            | AgenciesEvent::AgencyStaffChanged { .. }
            | AgenciesEvent::AgencySupervisionRecorded { .. }
            | AgenciesEvent::AgencyAccountOpened { .. }
            | AgenciesEvent::AgencyConsentGranted { .. }
            | AgenciesEvent::AgencyConsentRevoked { .. }
            | AgenciesEvent::AgencyReportQueried { .. } => None,
        }
    }

    fn filed(f: &AgencyFiling, seq: u64) -> Result<ProjectionWrite, ProjectionError> {
        AgencyRow {
            uscc: f.uscc.clone(),
            name: f.name.clone(),
            filing_no: f.filing_no.clone(),
            legal_representative: f.legal_representative.clone(),
            address: f.address.clone(),
            business_scope: f.business_scope.clone(),
            status: AgencyStatus::Normal,
            status_reason: String::new(),
            status_changed_on: None,
            filed_on: f.filed_on,
            filed_by: f.filed_by.clone(),
            seq,
        }
        .upsert()
    }

    #[expect(clippy::too_many_lines, reason = "one arm per kind, each spelling out the row it writes")]
    pub fn writes(&self, at: EventMeta) -> Result<Vec<ProjectionWrite>, ProjectionError> {
        let seq = at.seq;
        let write = match self {
            AgenciesEvent::AgencyFiled { filing } => Self::filed(filing, seq)?,
            AgenciesEvent::AgencyStatusChanged { agency, status, reason, changed_on, .. } => AgencyRow::key(agency)
                .update(seq)
                .status(*status)
                .status_reason(reason.clone())
                .status_changed_on(Some(*changed_on))
                .write()?,
            AgenciesEvent::AgencyStaffChanged { agency, staff_id, name, position, active, changed_on, .. } => {
                AgencyStaffRow {
                    agency: agency.clone(),
                    staff_id: staff_id.clone(),
                    name: name.clone(),
                    position: position.clone(),
                    active: *active,
                    changed_on: *changed_on,
                    seq,
                }
                .upsert()?
            }
            AgenciesEvent::AgencySupervisionRecorded {
                agency,
                supervision_id,
                supervision_kind,
                done_on,
                summary,
                outcome,
                recorded_by,
            } => AgencySupervisionRow {
                agency: agency.clone(),
                supervision_id: supervision_id.clone(),
                kind: *supervision_kind,
                done_on: *done_on,
                summary: summary.clone(),
                outcome: outcome.clone(),
                recorded_by: recorded_by.clone(),
                seq,
            }
            .upsert()?,
            AgenciesEvent::AgencyAccountOpened { agency, username, display_name, password_hash, .. } => {
                AgencyAccountRow {
                    agency: agency.clone(),
                    username: username.clone(),
                    display_name: display_name.clone(),
                    password_hash: password_hash.clone(),
                    active: true,
                    seq,
                }
                .upsert()?
            }
            AgenciesEvent::AgencyConsentGranted {
                consent_id,
                uscc,
                agency,
                scope,
                granted_on,
                expires_on,
                granted_by,
            } => AgencyConsentRow {
                consent_id: consent_id.clone(),
                uscc: uscc.clone(),
                agency: agency.clone(),
                scope: *scope,
                granted_on: *granted_on,
                expires_on: *expires_on,
                granted_by: granted_by.clone(),
                revoked_on: None,
                revoked_by: None,
                seq,
            }
            .upsert()?,
            AgenciesEvent::AgencyConsentRevoked { consent_id, revoked_on, revoked_by } => {
                AgencyConsentRow::key(consent_id)
                    .update(seq)
                    .revoked_on(Some(*revoked_on))
                    .revoked_by(Some(revoked_by.clone()))
                    .write()?
            }
            AgenciesEvent::AgencyReportQueried { uscc, agency, username, consent_id, purpose, report_id } => {
                AgencyQueryRow {
                    entry: seq,
                    uscc: uscc.clone(),
                    agency: agency.clone(),
                    username: username.clone(),
                    consent_id: consent_id.clone(),
                    purpose: purpose.clone(),
                    report_id: report_id.clone(),
                    queried_ms: at.time_ms(),
                    seq,
                }
                .upsert()?
            }
        };
        Ok(vec![write])
    }
}

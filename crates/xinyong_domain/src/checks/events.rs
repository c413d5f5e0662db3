//! Credit checks answered and cases handled, and the rows each kind writes.

use serde::{Deserialize, Serialize};

use crate::auth::DepartmentCode;
use crate::checks::{ReceiptLine, ReceiptRow, ReportedCase, ReportedCaseRow};
use crate::event::EventMeta;
use crate::projection::{ProjectionError, ProjectionWrite, Row as _};

/// Events of the checks context. The serde tag is the event kind in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr, strum::EnumDiscriminants)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[strum_discriminants(
    name(ChecksKind),
    vis(pub),
    derive(Hash, PartialOrd, Ord, strum::IntoStaticStr, strum::VariantArray),
    strum(serialize_all = "snake_case")
)]
pub enum ChecksEvent {
    /// A batch of credit-check receipts.
    ChecksRecorded { receipts: Vec<ReceiptLine> },
    /// Cases a department handled (the denominator of 应查必查 coverage).
    CasesReported { department: DepartmentCode, cases: Vec<ReportedCase> },
}

// Exhaustive by construction: a new kind that does not say what it writes
// does not compile, and a `_` arm would hide one (clippy denies it here).
#[deny(clippy::wildcard_enum_match_arm, clippy::match_wildcard_for_single_variants)]
impl ChecksEvent {
    /// Batches name no single subject.
    pub fn public_subject(&self) -> Option<&str> {
        match self {
            ChecksEvent::ChecksRecorded { .. } | ChecksEvent::CasesReported { .. } => None,
        }
    }

    pub fn writes(&self, at: EventMeta) -> Result<Vec<ProjectionWrite>, ProjectionError> {
        match self {
            ChecksEvent::ChecksRecorded { receipts } => {
                receipts.iter().map(|r| ReceiptRow::from_line(r, at.seq).upsert()).collect()
            }
            ChecksEvent::CasesReported { department, cases } => {
                cases.iter().map(|c| ReportedCaseRow::from_case(department, c, at.seq).upsert()).collect()
            }
        }
    }
}

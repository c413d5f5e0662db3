//! Credit checks answered and cases handled, and the rows each kind writes.

use serde::{Deserialize, Serialize};

use crate::auth::DepartmentCode;
use crate::checks::{
    CHECK_RECEIPTS, ReceiptBatchRow, ReceiptLine, ReceiptRow, ReportedCase, ReportedCaseRow, receipt_ids_before,
};
use crate::event::EventMeta;
use crate::projection::{Cell, ProjectionError, ProjectionWrite, Row as _};

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
    /// The retention rule removed the receipts answered before `before_ms`
    /// from `check_receipts`. Their batches stay in the log, so each is
    /// still proven (`receipt_batches` finds its batch).
    ReceiptsPruned {
        /// Receipts answered before this instant (ms since the epoch) go.
        before_ms: i64,
        /// The rule in force (`[checks] receipt_retention_days`).
        retention_days: u32,
        /// How many receipt rows that removed.
        receipts: u64,
    },
}

// Exhaustive by construction: a new kind that does not say what it writes
// does not compile, and a `_` arm would hide one (clippy denies it here).
#[deny(clippy::wildcard_enum_match_arm, clippy::match_wildcard_for_single_variants)]
impl ChecksEvent {
    /// Batches name no single subject.
    pub fn public_subject(&self) -> Option<&str> {
        match self {
            ChecksEvent::ChecksRecorded { .. }
            | ChecksEvent::CasesReported { .. }
            | ChecksEvent::ReceiptsPruned { .. } => None,
        }
    }

    pub fn writes(&self, at: EventMeta) -> Result<Vec<ProjectionWrite>, ProjectionError> {
        match self {
            ChecksEvent::ChecksRecorded { receipts } => {
                let mut writes: Vec<ProjectionWrite> =
                    receipts.iter().map(|r| ReceiptRow::from_line(r, at.seq).upsert()).collect::<Result<_, _>>()?;
                if let Some(batch) = ReceiptBatchRow::from_lines(receipts, at.seq) {
                    writes.push(batch.upsert()?);
                }
                Ok(writes)
            }
            ChecksEvent::ReceiptsPruned { before_ms, .. } => Ok(vec![ProjectionWrite::DeleteKeysBelow {
                table: &CHECK_RECEIPTS,
                below: Cell::Text(receipt_ids_before(*before_ms)),
            }]),
            ChecksEvent::CasesReported { department, cases } => {
                cases.iter().map(|c| ReportedCaseRow::from_case(department, c, at.seq).upsert()).collect()
            }
        }
    }
}

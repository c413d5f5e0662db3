//! What the log keeps of credit checks and of the cases departments handled.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::auth::DepartmentCode;

/// What the log keeps of one credit check: no personal data, so a batch's
/// body can be handed out with its salt to prove any receipt in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptLine {
    /// Hex SHA-256 of the receipt's canonical JSON (the receipt id).
    pub id: String,
    pub department: DepartmentCode,
    pub case_ref: Option<String>,
    pub scenario: String,
    /// The USCC when the subject is an organisation; `None` for natural
    /// persons and subjects not found.
    pub subject: Option<String>,
    /// `restrict` / `caution` / `incentive` / `clear` / `not_found`.
    pub decision: String,
    /// When the check was answered (ms since the epoch).
    pub time_ms: i64,
}

/// A case a department reports as handled (for 应查必查 coverage).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportedCase {
    pub case_ref: String,
    pub scenario: String,
    pub subject: Option<String>,
    pub handled_on: NaiveDate,
}

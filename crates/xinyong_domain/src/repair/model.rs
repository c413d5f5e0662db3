//! A repair application and how it ends.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::Uscc;
use crate::auth::DepartmentCode;

/// Where an application stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RepairStatus {
    /// 审核中.
    Pending,
    /// 部门准予，待信用办确认 (where the configuration asks for it).
    Confirming,
    /// 准予修复: publicity of the record ended.
    Approved,
    /// 不予修复, with reasons and the way to appeal.
    Rejected,
}

impl RepairStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RepairStatus::Pending => "pending",
            RepairStatus::Confirming => "confirming",
            RepairStatus::Approved => "approved",
            RepairStatus::Rejected => "rejected",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            RepairStatus::Pending => "审核中",
            RepairStatus::Confirming => "待信用办确认",
            RepairStatus::Approved => "准予修复",
            RepairStatus::Rejected => "不予修复",
        }
    }

    pub fn parse(raw: &str) -> Option<RepairStatus> {
        [RepairStatus::Pending, RepairStatus::Confirming, RepairStatus::Approved, RepairStatus::Rejected]
            .into_iter()
            .find(|s| s.as_str() == raw)
    }
}

/// One material the applicant supplied: which of the regime's materials it
/// is, and what the applicant says about it (a receipt number, a
/// certificate number, a short account of the rectification).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuppliedMaterial {
    pub code: String,
    pub description: String,
}

/// A repair application, as filed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepairApplication {
    pub application_id: String,
    pub record_id: String,
    /// Log index of the record version to be repaired.
    pub record_entry: u64,
    pub uscc: Uscc,
    /// The deciding department, which reviews (谁认定、谁修复).
    pub department: DepartmentCode,
    pub item: String,
    /// The record's document number and subject name, as applied for.
    pub document_number: String,
    pub subject_name: String,
    /// The regime the record was decided under (`ndrc-order-58`, …).
    pub regime: String,
    pub severity: Option<String>,
    /// Version of the commitment letter template signed.
    pub commitment_version: String,
    /// SHA-256 (hex) of the commitment text as signed.
    pub commitment_sha256: String,
    /// The account that signed (`subject:<uscc>:<username>`).
    pub signed_by: String,
    pub materials: Vec<SuppliedMaterial>,
    pub applied_on: NaiveDate,
    /// The department decides by this day.
    pub review_due: NaiveDate,
}

crate::projection::text_column!(RepairStatus, |s| RepairStatus::parse(s));

//! An objection to a record and how it ends.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::Uscc;
use crate::auth::DepartmentCode;

/// How an objection ended (DOMAIN §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectionResult {
    /// 更正: the record was wrong; it leaves the portal until the department
    /// sends the corrected version.
    Corrected,
    /// 撤销/删除: the record should not exist; it leaves the portal.
    Revoked,
    /// 维持: the record is right; the mark is removed.
    Kept,
    /// 记载核查情况: the truth could not be established; the check is recorded
    /// alongside the data.
    Undetermined,
    /// 申请人撤回.
    Withdrawn,
}

impl ObjectionResult {
    pub const ALL: [ObjectionResult; 5] = [
        ObjectionResult::Corrected,
        ObjectionResult::Revoked,
        ObjectionResult::Kept,
        ObjectionResult::Undetermined,
        ObjectionResult::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ObjectionResult::Corrected => "corrected",
            ObjectionResult::Revoked => "revoked",
            ObjectionResult::Kept => "kept",
            ObjectionResult::Undetermined => "undetermined",
            ObjectionResult::Withdrawn => "withdrawn",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            ObjectionResult::Corrected => "异议成立，信息予以更正",
            ObjectionResult::Revoked => "异议成立，信息予以撤销",
            ObjectionResult::Kept => "异议不成立，维持原信息",
            ObjectionResult::Undetermined => "无法核实，记载核查情况",
            ObjectionResult::Withdrawn => "申请人已撤回",
        }
    }

    pub fn parse(raw: &str) -> Option<ObjectionResult> {
        ObjectionResult::ALL.into_iter().find(|r| r.as_str() == raw)
    }

    /// Whether the record leaves the portal with this outcome.
    pub fn ends_publicity(self) -> bool {
        matches!(self, ObjectionResult::Corrected | ObjectionResult::Revoked)
    }
}

/// Where an objection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectionStatus {
    /// 处理中: the record is marked 异议处理中.
    Open,
    /// Answered (or withdrawn): see the result.
    Closed,
}

impl ObjectionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectionStatus::Open => "open",
            ObjectionStatus::Closed => "closed",
        }
    }

    pub fn parse(raw: &str) -> Option<ObjectionStatus> {
        match raw {
            "open" => Some(ObjectionStatus::Open),
            "closed" => Some(ObjectionStatus::Closed),
            _ => None,
        }
    }
}

/// How the objection arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectionChannel {
    /// The subject's own account on `/my`.
    Online,
    /// Department staff at a counter, for the subject.
    Counter,
}

impl ObjectionChannel {
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectionChannel::Online => "online",
            ObjectionChannel::Counter => "counter",
        }
    }

    pub fn parse(raw: &str) -> Option<ObjectionChannel> {
        match raw {
            "online" => Some(ObjectionChannel::Online),
            "counter" => Some(ObjectionChannel::Counter),
            _ => None,
        }
    }
}

/// An objection to one record, as filed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordObjection {
    pub objection_id: String,
    pub record_id: String,
    /// Log index of the record version the subject disputes.
    pub record_entry: u64,
    pub uscc: Uscc,
    pub department: DepartmentCode,
    pub item: String,
    /// The disputed record's document number and subject name, as filed:
    /// what the department's queue shows.
    pub document_number: String,
    pub subject_name: String,
    /// 异议理由 as the subject wrote it. Never public.
    pub grounds: String,
    pub channel: ObjectionChannel,
    /// The account or clerk who filed it (`subject:…`, `user:…`).
    pub filed_by: String,
    pub filed_on: NaiveDate,
    /// Answer due by this day (3 working days; 7 after an extension).
    pub answer_due: NaiveDate,
    /// Evidence the subject attached (never public).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<EvidenceFile>,
}

/// One evidence file of an objection, checked and bounded at the edge: its
/// type sniffed from the bytes (PDF, JPEG, PNG), its size within the setting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceFile {
    /// 1, 2, … in the order attached.
    pub file_no: u32,
    /// The file name as sent, without any path.
    pub name: String,
    pub media_type: String,
    pub size: u64,
    /// Hex SHA-256 of the bytes.
    pub sha256: String,
    /// The bytes, base64 (standard alphabet, padded).
    pub content_base64: String,
}

crate::projection::text_column!(ObjectionResult, |s| ObjectionResult::parse(s));
crate::projection::text_column!(ObjectionStatus, |s| ObjectionStatus::parse(s));
crate::projection::text_column!(ObjectionChannel, |s| ObjectionChannel::parse(s));

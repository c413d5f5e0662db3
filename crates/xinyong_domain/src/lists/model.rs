//! The listing life cycle (DOMAIN.md §3; 54号 clauses 八, 十, 十二): a
//! proposal, prior notice with an objection window, the decision (listed,
//! measures pushed to executing departments, personal records for the liable
//! people) and the exit. [`crate::lists::ListingState::check`] is the pure rule
//! of which step may follow which.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::auth::DepartmentCode;
use crate::collection::RecordSubject;

/// A short stable id: `prefix` + the first 16 hex digits of SHA-256 over the
/// parts joined by U+001F. The same proposal sent twice gets the same id.
pub fn digest_id(prefix: &str, parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            h.update([0x1f]);
        }
        h.update(p.as_bytes());
    }
    let hex = hex_lower(&h.finalize());
    format!("{prefix}{}", &hex[..16])
}

fn hex_lower(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Status of a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListingStatus {
    /// 拟列入: proposed, notice not yet served.
    Proposed,
    /// 已告知: notice served, objection window running or passed.
    Noticed,
    /// 异议处理中: an objection holds the decision.
    UnderObjection,
    /// 已列入: decided and in force (measures apply until `valid_until`).
    Listed,
    /// 已撤回: dropped before a decision (objection upheld, or withdrawn).
    Withdrawn,
    /// 已移出: exited (expired, repaired, revoked, court decision).
    Exited,
}

impl ListingStatus {
    pub const ALL: [ListingStatus; 6] = [
        ListingStatus::Proposed,
        ListingStatus::Noticed,
        ListingStatus::UnderObjection,
        ListingStatus::Listed,
        ListingStatus::Withdrawn,
        ListingStatus::Exited,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ListingStatus::Proposed => "proposed",
            ListingStatus::Noticed => "noticed",
            ListingStatus::UnderObjection => "under_objection",
            ListingStatus::Listed => "listed",
            ListingStatus::Withdrawn => "withdrawn",
            ListingStatus::Exited => "exited",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            ListingStatus::Proposed => "拟列入",
            ListingStatus::Noticed => "已告知",
            ListingStatus::UnderObjection => "异议处理中",
            ListingStatus::Listed => "已列入",
            ListingStatus::Withdrawn => "已撤回",
            ListingStatus::Exited => "已移出",
        }
    }

    pub fn parse(raw: &str) -> Option<ListingStatus> {
        ListingStatus::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

/// Why a listing ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExitReason {
    /// 期满移出
    Expired,
    /// 信用修复提前移出
    Repaired,
    /// 撤销(错误列入)
    Revoked,
    /// 依法院裁判移出
    CourtDecision,
    /// 守信激励对象因新的失信信息立即移出 (a red list only).
    Dishonesty,
}

impl ExitReason {
    pub const ALL: [ExitReason; 5] = [
        ExitReason::Expired,
        ExitReason::Repaired,
        ExitReason::Revoked,
        ExitReason::CourtDecision,
        ExitReason::Dishonesty,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ExitReason::Expired => "expired",
            ExitReason::Repaired => "repaired",
            ExitReason::Revoked => "revoked",
            ExitReason::CourtDecision => "court_decision",
            ExitReason::Dishonesty => "dishonesty",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            ExitReason::Expired => "期满移出",
            ExitReason::Repaired => "信用修复移出",
            ExitReason::Revoked => "撤销列入",
            ExitReason::CourtDecision => "依法院裁判移出",
            ExitReason::Dishonesty => "因失信信息立即移出",
        }
    }

    pub fn parse(raw: &str) -> Option<ExitReason> {
        ExitReason::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

/// How an objection to a proposed listing was answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectionOutcome {
    /// 异议不成立: the proposal stands (维持).
    Rejected,
    /// 异议成立: the proposal is dropped (撤销).
    Accepted,
}

impl ObjectionOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectionOutcome::Rejected => "rejected",
            ObjectionOutcome::Accepted => "accepted",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            ObjectionOutcome::Rejected => "异议不成立，维持拟列入",
            ObjectionOutcome::Accepted => "异议成立，不予列入",
        }
    }

    pub fn parse(raw: &str) -> Option<ObjectionOutcome> {
        match raw {
            "rejected" => Some(ObjectionOutcome::Rejected),
            "accepted" => Some(ObjectionOutcome::Accepted),
            _ => None,
        }
    }
}

/// A proposal to list a subject (拟列入), with everything the decision and
/// the notice must state (49号 item 8; DOMAIN.md §3.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListingProposal {
    pub id: String,
    pub list_code: String,
    /// `lists` rule version the proposal was made under.
    pub lists_version: String,
    pub subject: RecordSubject,
    pub department: DepartmentCode,
    /// 事由
    pub reason: String,
    /// 失信行为事实
    pub facts: String,
    /// 认定依据 (the legally effective document the finding rests on).
    pub legal_basis: String,
    /// Record ids (归集 records) the finding rests on, if any.
    #[serde(default)]
    pub source_records: Vec<String>,
    pub proposed_on: NaiveDate,
}

crate::projection::text_column!(ListingStatus, |s| ListingStatus::parse(s));
crate::projection::text_column!(ExitReason, |s| ExitReason::parse(s));
crate::projection::text_column!(ObjectionOutcome, |s| ObjectionOutcome::parse(s));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_ids_are_stable_and_prefixed() {
        let a = digest_id("LS", &["samr-serious", "91370100MA3C000000"]);
        assert_eq!(a, digest_id("LS", &["samr-serious", "91370100MA3C000000"]));
        assert_ne!(a, digest_id("LS", &["samr-serious91370100MA3C000000"]));
        assert_eq!(a.len(), 18);
    }
}

//! Subscribers and what their feeds carry.

use serde::{Deserialize, Serialize};

/// What kind of organisation receives the feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::EnumString, strum::IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum SubscriberKind {
    /// 金融机构 (banks, guarantee and insurance companies).
    FinancialInstitution,
    /// 行业协会商会.
    Association,
    /// 其他 (credit service agencies, large buyers, …).
    Other,
}

impl SubscriberKind {
    pub const ALL: [SubscriberKind; 3] =
        [SubscriberKind::FinancialInstitution, SubscriberKind::Association, SubscriberKind::Other];

    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(raw: &str) -> Option<SubscriberKind> {
        raw.parse().ok()
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            SubscriberKind::FinancialInstitution => "金融机构",
            SubscriberKind::Association => "行业协会商会",
            SubscriberKind::Other => "其他单位",
        }
    }
}

crate::projection::text_column!(SubscriberKind, |s| SubscriberKind::parse(s));

/// Where a subscriber stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::EnumString, strum::IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum SubscriberStatus {
    /// Registered, waiting for a second person of the credit office.
    Pending,
    /// Its token works and its feed fills.
    Approved,
    /// Stopped: its token is refused and nothing new is queued for it.
    Suspended,
}

impl SubscriberStatus {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(raw: &str) -> Option<SubscriberStatus> {
        raw.parse().ok()
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            SubscriberStatus::Pending => "待审核",
            SubscriberStatus::Approved => "已批准",
            SubscriberStatus::Suspended => "已停用",
        }
    }
}

crate::projection::text_column!(SubscriberStatus, |s| SubscriberStatus::parse(s));

/// What a feed item announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::EnumString, strum::IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum FeedChange {
    /// A new grade under a model (`detail`: model, grade, score).
    GradeChanged,
    /// Listed on a list (`detail`: list code and decision number).
    Listed,
    /// Left a list (`detail`: list code and reason).
    ListExited,
    /// A record's publicity ended early: repaired, or revoked or corrected
    /// after an objection (`detail`: the record and the reason).
    PublicityEnded,
}

impl FeedChange {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(raw: &str) -> Option<FeedChange> {
        raw.parse().ok()
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            FeedChange::GradeChanged => "评价等级变化",
            FeedChange::Listed => "列入名单",
            FeedChange::ListExited => "移出名单",
            FeedChange::PublicityEnded => "信用修复或信息撤销",
        }
    }
}

crate::projection::text_column!(FeedChange, |s| FeedChange::parse(s));

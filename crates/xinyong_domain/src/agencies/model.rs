//! Where a filed agency stands, how it is supervised, and what a company's
//! consent lets it do.

use serde::{Deserialize, Serialize};

/// Where a filed agency stands (备案状态). Only a 正常 agency may use its
/// consents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::EnumString, strum::IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum AgencyStatus {
    /// 正常.
    Normal,
    /// 暂停: supervision found a problem; the agency may not query.
    Suspended,
    /// 注销: the filing is cancelled.
    Cancelled,
}

impl AgencyStatus {
    pub const ALL: [AgencyStatus; 3] = [AgencyStatus::Normal, AgencyStatus::Suspended, AgencyStatus::Cancelled];

    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(raw: &str) -> Option<AgencyStatus> {
        raw.trim().parse().ok()
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            AgencyStatus::Normal => "正常",
            AgencyStatus::Suspended => "暂停",
            AgencyStatus::Cancelled => "注销",
        }
    }
}

crate::projection::text_column!(AgencyStatus, |s| AgencyStatus::parse(s));

/// What the credit office did in supervising an agency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::EnumString, strum::IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum SupervisionKind {
    /// 检查.
    Inspection,
    /// 约谈.
    Interview,
    /// 处罚 (Shandong Art. 57: false advertising, promised or malicious ratings).
    Penalty,
}

impl SupervisionKind {
    pub const ALL: [SupervisionKind; 3] =
        [SupervisionKind::Inspection, SupervisionKind::Interview, SupervisionKind::Penalty];

    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(raw: &str) -> Option<SupervisionKind> {
        raw.trim().parse().ok()
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            SupervisionKind::Inspection => "检查",
            SupervisionKind::Interview => "约谈",
            SupervisionKind::Penalty => "处罚",
        }
    }
}

crate::projection::text_column!(SupervisionKind, |s| SupervisionKind::parse(s));

/// What a company's consent lets the agency do. One scope today; the enum
/// keeps the stored value explicit when more come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::EnumString, strum::IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ConsentScope {
    /// 下载完整版信用报告.
    FullReport,
}

impl ConsentScope {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(raw: &str) -> Option<ConsentScope> {
        raw.trim().parse().ok()
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            ConsentScope::FullReport => "下载完整版信用报告",
        }
    }
}

crate::projection::text_column!(ConsentScope, |s| ConsentScope::parse(s));

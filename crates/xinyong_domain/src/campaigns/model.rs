//! Campaigns, their subjects' states and outcomes.

use serde::{Deserialize, Serialize};

/// Where a subject of a campaign stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::EnumString, strum::IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum RectificationStatus {
    /// 未开始: nothing reported yet.
    NotStarted,
    /// 整改中: progress reported, no outcome yet.
    InProgress,
    /// 已整改: the responsible department found it rectified.
    Rectified,
    /// 逾期: the deadline passed without an outcome; an interview is due.
    Overdue,
    /// 未整改到位: the responsible department found it not rectified.
    NotRectified,
}

impl RectificationStatus {
    pub const ALL: [RectificationStatus; 5] = [
        RectificationStatus::NotStarted,
        RectificationStatus::InProgress,
        RectificationStatus::Rectified,
        RectificationStatus::Overdue,
        RectificationStatus::NotRectified,
    ];

    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(raw: &str) -> Option<RectificationStatus> {
        raw.parse().ok()
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            RectificationStatus::NotStarted => "未开始",
            RectificationStatus::InProgress => "整改中",
            RectificationStatus::Rectified => "已整改",
            RectificationStatus::Overdue => "逾期",
            RectificationStatus::NotRectified => "未整改到位",
        }
    }

    /// Still waiting for an outcome: the deadline can make it overdue.
    pub fn is_open(self) -> bool {
        matches!(self, RectificationStatus::NotStarted | RectificationStatus::InProgress)
    }

    /// Whether an outcome has been decided.
    pub fn is_decided(self) -> bool {
        matches!(self, RectificationStatus::Rectified | RectificationStatus::NotRectified)
    }

    /// The status after a progress report: an open subject is in progress;
    /// an overdue or decided one keeps its status.
    pub fn after_progress(self) -> RectificationStatus {
        if self.is_open() { RectificationStatus::InProgress } else { self }
    }
}

crate::projection::text_column!(RectificationStatus, |s| RectificationStatus::parse(s));

/// What the responsible department decided about a subject's rectification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::EnumString, strum::IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum RectificationOutcome {
    /// 整改到位.
    Rectified,
    /// 未整改到位.
    NotRectified,
}

impl RectificationOutcome {
    pub const ALL: [RectificationOutcome; 2] = [RectificationOutcome::Rectified, RectificationOutcome::NotRectified];

    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(raw: &str) -> Option<RectificationOutcome> {
        raw.parse().ok()
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            RectificationOutcome::Rectified => "整改到位",
            RectificationOutcome::NotRectified => "未整改到位",
        }
    }

    /// The subject's status once this outcome is decided.
    pub fn status(self) -> RectificationStatus {
        match self {
            RectificationOutcome::Rectified => RectificationStatus::Rectified,
            RectificationOutcome::NotRectified => RectificationStatus::NotRectified,
        }
    }
}

crate::projection::text_column!(RectificationOutcome, |s| RectificationOutcome::parse(s));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_and_progress_does_not_reopen_a_closed_subject() {
        for s in RectificationStatus::ALL {
            assert_eq!(RectificationStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(RectificationStatus::NotStarted.after_progress(), RectificationStatus::InProgress);
        assert_eq!(RectificationStatus::Overdue.after_progress(), RectificationStatus::Overdue);
        assert_eq!(RectificationStatus::Rectified.after_progress(), RectificationStatus::Rectified);
        assert_eq!(RectificationOutcome::NotRectified.status(), RectificationStatus::NotRectified);
        assert!(!RectificationStatus::Overdue.is_open());
    }
}

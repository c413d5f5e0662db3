//! Commitments made: where one stands, how it was made, and what the
//! department found.

use serde::{Deserialize, Serialize};

/// Where a commitment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::EnumString, strum::IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum CommitmentStatus {
    /// 履约中: made, waiting for deferred materials and the verification.
    Pending,
    /// 已履约.
    Kept,
    /// 未履约 (违诺): a deferred material did not come, or a condition was not met.
    Breached,
    /// 虚假承诺.
    False,
}

impl CommitmentStatus {
    pub const ALL: [CommitmentStatus; 4] =
        [CommitmentStatus::Pending, CommitmentStatus::Kept, CommitmentStatus::Breached, CommitmentStatus::False];

    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(raw: &str) -> Option<CommitmentStatus> {
        raw.parse().ok()
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            CommitmentStatus::Pending => "履约中",
            CommitmentStatus::Kept => "已履约",
            CommitmentStatus::Breached => "未履约",
            CommitmentStatus::False => "虚假承诺",
        }
    }
}

crate::projection::text_column!(CommitmentStatus, |s| CommitmentStatus::parse(s));

/// What the department found when it verified a commitment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::EnumString, strum::IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum VerificationOutcome {
    /// 履约.
    Kept,
    /// 违诺: not kept (a material missing past its deadline, a condition unmet).
    Breached,
    /// 虚假承诺: the applicant did not meet the conditions it committed to.
    False,
}

impl VerificationOutcome {
    pub const ALL: [VerificationOutcome; 3] =
        [VerificationOutcome::Kept, VerificationOutcome::Breached, VerificationOutcome::False];

    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(raw: &str) -> Option<VerificationOutcome> {
        raw.parse().ok()
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            VerificationOutcome::Kept => "履约",
            VerificationOutcome::Breached => "未履约（违诺）",
            VerificationOutcome::False => "虚假承诺",
        }
    }

    pub fn status(self) -> CommitmentStatus {
        match self {
            VerificationOutcome::Kept => CommitmentStatus::Kept,
            VerificationOutcome::Breached => CommitmentStatus::Breached,
            VerificationOutcome::False => CommitmentStatus::False,
        }
    }

    /// Whether the outcome is a dishonesty record (54号 一.2: a broken
    /// commitment is recorded as dishonesty).
    pub fn is_dishonest(self) -> bool {
        !matches!(self, VerificationOutcome::Kept)
    }

    /// The severity the record is stated with: a false commitment is
    /// serious (国办发〔2020〕42号), a breach general.
    pub fn severity_zh(self) -> &'static str {
        match self {
            VerificationOutcome::False => "严重",
            VerificationOutcome::Kept | VerificationOutcome::Breached => "一般",
        }
    }
}

crate::projection::text_column!(VerificationOutcome, |s| VerificationOutcome::parse(s));

/// How a commitment was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::EnumString, strum::IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum CommitmentChannel {
    /// By the company's own account on `/my`.
    Online,
    /// At the department's counter (窗口), for the applicant.
    Counter,
}

impl CommitmentChannel {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(raw: &str) -> Option<CommitmentChannel> {
        raw.parse().ok()
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            CommitmentChannel::Online => "网上承诺",
            CommitmentChannel::Counter => "窗口承诺",
        }
    }
}

crate::projection::text_column!(CommitmentChannel, |s| CommitmentChannel::parse(s));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_round_trip_and_only_kept_is_honest() {
        for s in CommitmentStatus::ALL {
            assert_eq!(CommitmentStatus::parse(s.as_str()), Some(s));
        }
        for o in VerificationOutcome::ALL {
            assert_eq!(VerificationOutcome::parse(o.as_str()), Some(o));
            assert_eq!(o.is_dishonest(), o != VerificationOutcome::Kept);
        }
        assert_eq!(VerificationOutcome::False.status(), CommitmentStatus::False);
        assert_eq!(VerificationOutcome::False.severity_zh(), "严重");
    }
}

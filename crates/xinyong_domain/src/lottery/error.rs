//! Why a lottery input was refused. Each variant has a stable snake_case code
//! for API error bodies and the CLI.

use crate::Uscc;

use super::encoding::Hash256;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LotteryError {
    #[error("not 64 hex digits: {found:?}")]
    Hex { found: String },
    #[error("stratum name must be 1–64 bytes of UTF-8 without control characters: {found:?}")]
    StratumName { found: String },
    #[error("draw id must be 1–64 characters from A–Z a–z 0–9 . _ : -: {found:?}")]
    DrawId { found: String },
    #[error("inspector id must be 1–64 characters from A–Z a–z 0–9 . _ : - (an id, never a name): {found:?}")]
    InspectorId { found: String },
    #[error("beacon must be 1–256 bytes of UTF-8 without control characters after trimming: {found:?}")]
    Beacon { found: String },
    #[error("sampling ratio {ratio_bp} basis points is above 10000 (100 %)")]
    Ratio { ratio_bp: u32 },
    #[error("minimum count {min} is above maximum count {max}")]
    MinAboveMax { min: u32, max: u32 },
    #[error("stratum {name:?} appears twice in the pool")]
    DuplicateStratum { name: String },
    #[error("subject {subject} is in stratum {first:?} and in stratum {second:?}")]
    SubjectInTwoStrata { subject: Uscc, first: String, second: String },
    #[error("too many {what} ({count}); the encoding counts them in a u32")]
    TooMany { what: &'static str, count: usize },
    #[error("{per_target} inspectors per target is below the minimum of 2 (DOMAIN §7)")]
    PerTarget { per_target: u32 },
    #[error("the conflict table names inspector {inspector}, who is not in the roster")]
    UnknownInspector { inspector: String },
    #[error("the roster's digest {given} is not the committed roster digest {committed}")]
    RosterMismatch { committed: Hash256, given: Hash256 },
}

impl LotteryError {
    /// Stable snake_case identifier for API error bodies.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Hex { .. } => "lottery_hex_invalid",
            Self::StratumName { .. } => "lottery_stratum_name_invalid",
            Self::DrawId { .. } => "lottery_draw_id_invalid",
            Self::InspectorId { .. } => "lottery_inspector_id_invalid",
            Self::Beacon { .. } => "lottery_beacon_invalid",
            Self::Ratio { .. } => "lottery_ratio_invalid",
            Self::MinAboveMax { .. } => "lottery_min_above_max",
            Self::DuplicateStratum { .. } => "lottery_stratum_duplicate",
            Self::SubjectInTwoStrata { .. } => "lottery_subject_in_two_strata",
            Self::TooMany { .. } => "lottery_too_many",
            Self::PerTarget { .. } => "lottery_per_target_invalid",
            Self::UnknownInspector { .. } => "lottery_inspector_unknown",
            Self::RosterMismatch { .. } => "lottery_roster_mismatch",
        }
    }
}

/// Whether `s` is 1..=`max` bytes of `A–Z a–z 0–9 . _ : -`: ids that sort the
/// same in every language (ASCII bytes) and cannot hold a person's name.
pub(crate) fn is_plain_id(s: &str, max: usize) -> bool {
    (1..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b".-_:".contains(&b))
}

/// Whether `s` is 1..=`max` bytes of UTF-8 without control characters: free
/// text that still prints on one line of a published result.
pub(crate) fn is_one_line_text(s: &str, max: usize) -> bool {
    (1..=max).contains(&s.len()) && !s.chars().any(char::is_control)
}

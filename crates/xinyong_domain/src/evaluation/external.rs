//! Grades given elsewhere that the platform receives (六.1): the national
//! public credit comprehensive evaluation (优/良/中/差, through the
//! `ggxypj` front-end path), the tax credit grade (A/B/M/C/D) and SAMR's
//! enterprise credit-risk class (A–D). DOMAIN §6.

use serde::{Deserialize, Serialize};

use crate::Uscc;

/// Which grading a received grade belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExternalScheme {
    /// 全国公共信用综合评价 (NPCIC).
    National,
    /// 纳税信用等级 (tax authority, annual).
    Tax,
    /// 企业信用风险分类 (SAMR, monthly).
    SamrRisk,
}

impl ExternalScheme {
    pub const ALL: [ExternalScheme; 3] = [ExternalScheme::National, ExternalScheme::Tax, ExternalScheme::SamrRisk];

    pub fn as_str(self) -> &'static str {
        match self {
            ExternalScheme::National => "national",
            ExternalScheme::Tax => "tax",
            ExternalScheme::SamrRisk => "samr_risk",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            ExternalScheme::National => "全国公共信用综合评价",
            ExternalScheme::Tax => "纳税信用等级",
            ExternalScheme::SamrRisk => "企业信用风险分类",
        }
    }

    pub fn parse(raw: &str) -> Option<ExternalScheme> {
        ExternalScheme::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// The grades of the scheme, best first.
    pub fn grades(self) -> &'static [&'static str] {
        match self {
            ExternalScheme::National => &["优", "良", "中", "差"],
            ExternalScheme::Tax => &["A", "B", "M", "C", "D"],
            ExternalScheme::SamrRisk => &["A", "B", "C", "D"],
        }
    }

    /// A grade as typed (`a`, `Ａ`, ` 良 `) in the scheme's spelling, or `None`.
    pub fn normalise_grade(self, raw: &str) -> Option<&'static str> {
        let folded: String = raw
            .trim()
            .chars()
            .map(|c| match c {
                // Full-width Latin letters (Ａ–Ｚ, ａ–ｚ) as typed in Chinese input methods.
                'Ａ'..='Ｚ' | 'ａ'..='ｚ' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
                other => other,
            })
            .collect::<String>()
            .to_uppercase();
        let folded = match folded.as_str() {
            "A级" | "A类" => "A",
            "B级" | "B类" => "B",
            "C级" | "C类" => "C",
            "D级" | "D类" => "D",
            "M级" => "M",
            other => other,
        }
        .to_owned();
        self.grades().iter().copied().find(|g| *g == folded)
    }
}

/// A grading period: `2025` (annual), `2025-Q3` (quarterly) or `2025-07`
/// (monthly). Periods of one kind sort as text in time order; across kinds
/// compare [`period_end`].
pub fn valid_period(raw: &str) -> bool {
    let b = raw.as_bytes();
    let year = b.len() >= 4 && b[..4].iter().all(u8::is_ascii_digit);
    year && match &b[4..] {
        [] => true,
        [b'-', b'Q', q] => (b'1'..=b'4').contains(q),
        [b'-', m1, m2] => {
            m1.is_ascii_digit() && m2.is_ascii_digit() && (1..=12).contains(&((m1 - b'0') * 10 + (m2 - b'0')))
        }
        _ => false,
    }
}

/// Where a period ends, for "which is latest" across kinds: `(year, last
/// month covered, kind)` — `2025` ends in December and, of periods ending in
/// the same month, the longest counts as latest (an annual result after the
/// fourth quarter's and December's). A malformed period sorts first.
pub fn period_end(raw: &str) -> (u32, u32, u8) {
    if !valid_period(raw) {
        return (0, 0, 0);
    }
    let year = raw[..4].parse().unwrap_or(0);
    match &raw.as_bytes()[4..] {
        [] => (year, 12, 2),
        [b'-', b'Q', q] => (year, u32::from(q - b'0') * 3, 1),
        _ => (year, raw[5..7].parse().unwrap_or(0), 0),
    }
}

/// One received grade.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalGrade {
    pub uscc: Uscc,
    pub grade: String,
}

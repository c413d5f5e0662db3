//! Voluntary registrations: their kinds, states, review outcomes and the
//! truthfulness commitment the company signs.

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

/// What a company registers (信用济南's five kinds).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::EnumString,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum RegistrationKind {
    /// 资质: qualifications, licences, certifications.
    Qualification,
    /// 荣誉: honours and awards (e.g. 守合同重信用企业).
    Honour,
    /// 经营: business operations.
    Operations,
    /// 合同履约: contract performance.
    ContractPerformance,
    /// 公益: public-welfare activities (donations, volunteering).
    PublicWelfare,
}

impl RegistrationKind {
    pub const ALL: [RegistrationKind; 5] = [
        RegistrationKind::Qualification,
        RegistrationKind::Honour,
        RegistrationKind::Operations,
        RegistrationKind::ContractPerformance,
        RegistrationKind::PublicWelfare,
    ];

    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(raw: &str) -> Option<RegistrationKind> {
        raw.trim().parse().ok()
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            RegistrationKind::Qualification => "资质",
            RegistrationKind::Honour => "荣誉",
            RegistrationKind::Operations => "经营",
            RegistrationKind::ContractPerformance => "合同履约",
            RegistrationKind::PublicWelfare => "公益",
        }
    }
}

crate::projection::text_column!(RegistrationKind, |s| RegistrationKind::parse(s));

/// Where a registration stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::EnumString, strum::IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum RegistrationStatus {
    /// 待审核.
    Pending,
    /// 已审核通过: public (organisations only) and used by the evaluation.
    Accepted,
    /// 未通过, with the reviewer's reasons.
    Rejected,
    /// 经核查虚假: a dishonesty record was written.
    FoundFalse,
    /// 企业已撤回 (before review).
    Withdrawn,
}

impl RegistrationStatus {
    pub const ALL: [RegistrationStatus; 5] = [
        RegistrationStatus::Pending,
        RegistrationStatus::Accepted,
        RegistrationStatus::Rejected,
        RegistrationStatus::FoundFalse,
        RegistrationStatus::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(raw: &str) -> Option<RegistrationStatus> {
        raw.trim().parse().ok()
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            RegistrationStatus::Pending => "待审核",
            RegistrationStatus::Accepted => "审核通过",
            RegistrationStatus::Rejected => "未通过",
            RegistrationStatus::FoundFalse => "经核查虚假",
            RegistrationStatus::Withdrawn => "已撤回",
        }
    }
}

crate::projection::text_column!(RegistrationStatus, |s| RegistrationStatus::parse(s));

/// What the reviewer decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::EnumString, strum::IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ReviewOutcome {
    /// 通过.
    Accepted,
    /// 不予通过 (reasons required): incomplete, unverifiable, not credit information.
    Rejected,
    /// 虚假注册: the information is false — a dishonesty record.
    FoundFalse,
}

impl ReviewOutcome {
    pub const ALL: [ReviewOutcome; 3] = [ReviewOutcome::Accepted, ReviewOutcome::Rejected, ReviewOutcome::FoundFalse];

    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(raw: &str) -> Option<ReviewOutcome> {
        raw.trim().parse().ok()
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            ReviewOutcome::Accepted => "审核通过",
            ReviewOutcome::Rejected => "不予通过",
            ReviewOutcome::FoundFalse => "虚假注册（记入失信记录）",
        }
    }

    pub fn status(self) -> RegistrationStatus {
        match self {
            ReviewOutcome::Accepted => RegistrationStatus::Accepted,
            ReviewOutcome::Rejected => RegistrationStatus::Rejected,
            ReviewOutcome::FoundFalse => RegistrationStatus::FoundFalse,
        }
    }
}

crate::projection::text_column!(ReviewOutcome, |s| ReviewOutcome::parse(s));

/// The version of the truthfulness commitment text below; a new wording is
/// a new version, and each registration names the one it signed.
pub const TRUTHFULNESS_VERSION: &str = "2026.1";

/// The truthfulness commitment (真实性承诺) a company signs with each
/// registration, in the version [`TRUTHFULNESS_VERSION`].
pub fn truthfulness_text(subject_name: &str) -> String {
    format!(
        "信用信息自愿注册真实性承诺书（{TRUTHFULNESS_VERSION}）\n\
         本单位{subject_name}自愿向济南市公共信用信息平台注册本次申报的信用信息，郑重承诺：\n\
         一、所申报信息及所附证明材料真实、准确、完整、有效，不含他人的个人信息；\n\
         二、同意审核部门对申报信息进行核查，审核通过的信息在“信用济南”标注“自主申报”予以公开，并用于信用评价和信用报告；\n\
         三、如申报信息虚假，愿意承担相应法律责任，并同意将虚假注册行为记入本单位失信记录。"
    )
}

/// Hex SHA-256 of a commitment text, as the registration records it.
pub fn truthfulness_sha256(text: &str) -> String {
    hex_lower(&Sha256::digest(text.as_bytes()))
}

fn hex_lower(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_states_and_outcomes_round_trip() {
        for k in RegistrationKind::ALL {
            assert_eq!(RegistrationKind::parse(k.as_str()), Some(k));
        }
        for s in RegistrationStatus::ALL {
            assert_eq!(RegistrationStatus::parse(s.as_str()), Some(s));
        }
        for o in ReviewOutcome::ALL {
            assert_eq!(ReviewOutcome::parse(o.as_str()), Some(o));
        }
        assert_eq!(RegistrationKind::ContractPerformance.as_str(), "contract_performance");
        assert_eq!(RegistrationKind::PublicWelfare.name_zh(), "公益");
        assert_eq!(ReviewOutcome::FoundFalse.status(), RegistrationStatus::FoundFalse);
    }

    #[test]
    fn the_commitment_names_the_company_and_its_digest_is_stable() {
        let text = truthfulness_text("济南泉润商贸有限公司");
        assert!(text.contains("济南泉润商贸有限公司"));
        assert!(text.contains(TRUTHFULNESS_VERSION));
        assert_eq!(truthfulness_sha256(&text).len(), 64);
        assert_eq!(truthfulness_sha256(&text), truthfulness_sha256(&text));
    }
}

//! Whether a penalty record may be repaired on a given day, explained before
//! the company applies, and which materials its regime asks for.
//!
//! The publicity decision made at intake already holds what the regime says
//! (`collection::publicity`): `repairable` is false for 527号's specific
//! serious class, for penalties decided before 2019-07-01 (no early end), and
//! for the market-regulation penalties SAMR Order 45 Art. 14 excludes; the
//! `earliest_end` is the first day repair may end publicity. This module
//! reads those facts and says, in Chinese and with a stable code, why not.

use chrono::NaiveDate;
use serde::Serialize;

use crate::collection::publicity::{REGIME_SAMR, Severity};

/// The facts of one record that decide eligibility.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepairFacts<'a> {
    /// The catalog category is 行政处罚.
    pub is_penalty: bool,
    /// The record is published (the publicity decision's flag).
    pub public: bool,
    pub regime: &'a str,
    /// The regime's name, e.g. 国家发展改革委令第58号.
    pub regime_name: &'a str,
    pub severity: Option<Severity>,
    pub repairable: bool,
    pub window_start: Option<NaiveDate>,
    pub earliest_end: Option<NaiveDate>,
    pub latest_end: Option<NaiveDate>,
}

/// Why a record cannot be repaired (now).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum RepairRefusal {
    /// Only administrative penalties are repaired here (lists exit by their own procedure).
    NotAPenalty,
    /// The record is not published: there is no publicity to end.
    NotPublished,
    /// Publicity already ended (expired, repaired, revoked).
    AlreadyEnded { on: NaiveDate },
    /// The regime forbids an early end for this class.
    NotRepairable { regime: String },
    /// The minimum period has not passed.
    TooEarly { from: NaiveDate },
}

impl RepairRefusal {
    pub fn code(&self) -> &'static str {
        match self {
            RepairRefusal::NotAPenalty => "repair_not_a_penalty",
            RepairRefusal::NotPublished => "repair_not_published",
            RepairRefusal::AlreadyEnded { .. } => "repair_publicity_already_ended",
            RepairRefusal::NotRepairable { .. } => "repair_not_repairable",
            RepairRefusal::TooEarly { .. } => "repair_too_early",
        }
    }

    /// The reason in the applicant's words, naming the rule.
    pub fn message(&self, facts: &RepairFacts<'_>) -> String {
        match self {
            RepairRefusal::NotAPenalty => "信用修复适用于行政处罚信息；名单信息按名单的移出程序办理".to_owned(),
            RepairRefusal::NotPublished => "该信息未在信用网站公示，无需修复".to_owned(),
            RepairRefusal::AlreadyEnded { on } => format!("该信息已于 {on} 停止公示"),
            RepairRefusal::NotRepairable { regime } => not_repairable_message(regime, facts),
            RepairRefusal::TooEarly { from } => format!(
                "最短公示期未满：按{}，{}失信信息须公示期满最短期限后方可申请修复，自 {from} 起可以申请",
                facts.regime_name,
                facts.severity.map_or("该类", Severity::name_zh),
            ),
        }
    }
}

fn not_repairable_message(regime: &str, facts: &RepairFacts<'_>) -> String {
    let until = facts.latest_end.map_or_else(String::new, |d| format!("，公示期至 {d} 届满后自动停止公示"));
    match regime {
        "ndrc-527" => format!("依据发改办财金〔2019〕527号，特定严重失信行为的行政处罚信息在公示期内不予修复{until}"),
        "ndrc-2017" => format!("2019年7月1日前作出的行政处罚按当时规定公示，不适用提前停止公示{until}"),
        r if r == REGIME_SAMR => format!(
            "依据《市场监督管理行政处罚信息公示规定》（市场监管总局令第45号）第十四条，责令停产停业、\
             限制从业、降级资质、吊销许可证件或营业执照的行政处罚信息不得提前停止公示{until}"
        ),
        _ => format!("按{}，该信息不能提前停止公示{until}", facts.regime_name),
    }
}

/// One material a regime asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Material {
    pub code: &'static str,
    pub name: &'static str,
    /// What the applicant is asked to give about it.
    pub hint: &'static str,
}

const FULFILMENT: Material =
    Material {
        code: "fulfilment", name: "行政处罚履行凭证", hint: "罚没款缴款凭证编号或履行情况说明"
    };
const RECTIFICATION: Material =
    Material {
        code: "rectification", name: "整改情况报告", hint: "违法行为已纠正、危害后果已消除的情况"
    };
const TRAINING: Material =
    Material { code: "training", name: "信用修复专题培训证明", hint: "培训机构、日期和证明编号" };
const CREDIT_REPORT: Material =
    Material { code: "credit_report", name: "信用报告", hint: "出具报告的信用服务机构和报告编号" };
const NO_REPEAT: Material =
    Material {
        code: "no_repeat", name: "未再受同类处罚的说明", hint: "自处罚以来的守法经营情况"
    };

/// Every material any regime asks for.
pub const MATERIALS: [Material; 5] = [FULFILMENT, RECTIFICATION, TRAINING, CREDIT_REPORT, NO_REPEAT];

/// The name of a material by code (the code itself when unknown).
pub fn material_name(code: &str) -> &str {
    MATERIALS.iter().find(|m| m.code == code).map_or(code, |m| m.name)
}

/// The materials the record's regime asks for besides the commitment
/// letter, which every regime requires and which the platform generates.
pub fn required_materials(regime: &str, severity: Option<Severity>) -> Vec<Material> {
    match (regime, severity) {
        ("ndrc-527", Some(Severity::Serious)) => vec![FULFILMENT, RECTIFICATION, TRAINING, CREDIT_REPORT],
        (r, _) if r == REGIME_SAMR => vec![FULFILMENT, RECTIFICATION, NO_REPEAT],
        _ => vec![FULFILMENT, RECTIFICATION],
    }
}

/// Whether the record may be repaired on `today`, and if not, why.
pub fn assess_repair(facts: &RepairFacts<'_>, today: NaiveDate) -> Result<(), RepairRefusal> {
    if !facts.is_penalty {
        return Err(RepairRefusal::NotAPenalty);
    }
    if !facts.public || facts.window_start.is_none() {
        return Err(RepairRefusal::NotPublished);
    }
    if let Some(end) = facts.latest_end
        && end <= today
    {
        return Err(RepairRefusal::AlreadyEnded { on: end });
    }
    if !facts.repairable {
        return Err(RepairRefusal::NotRepairable { regime: facts.regime.to_owned() });
    }
    match facts.earliest_end {
        Some(from) if today < from => Err(RepairRefusal::TooEarly { from }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn facts(regime: &'static str, repairable: bool, earliest: &str) -> RepairFacts<'static> {
        RepairFacts {
            is_penalty: true,
            public: true,
            regime,
            regime_name: "国家发展改革委令第58号",
            severity: Some(Severity::General),
            repairable,
            window_start: Some(day("2024-03-01")),
            earliest_end: Some(day(earliest)),
            latest_end: Some(day("2027-03-01")),
        }
    }

    #[test]
    fn a_repairable_record_is_refused_before_its_earliest_end_and_allowed_on_it() {
        let f = facts("ndrc-order-58", true, "2024-06-01");
        assert_eq!(assess_repair(&f, day("2024-05-31")), Err(RepairRefusal::TooEarly { from: day("2024-06-01") }));
        assert_eq!(assess_repair(&f, day("2024-06-01")), Ok(()));
    }

    #[test]
    fn refusals_name_the_rule() {
        let f = facts("ndrc-527", false, "2027-03-01");
        let refusal = assess_repair(&f, day("2025-01-01")).unwrap_err();
        assert_eq!(refusal.code(), "repair_not_repairable");
        assert!(refusal.message(&f).contains("527号"), "{}", refusal.message(&f));
        let samr = facts(REGIME_SAMR, false, "2027-03-01");
        assert!(assess_repair(&samr, day("2025-01-01")).unwrap_err().message(&samr).contains("第十四条"));
    }

    #[test]
    fn ended_and_unpublished_records_have_nothing_to_repair() {
        let mut f = facts("ndrc-order-58", true, "2024-06-01");
        assert_eq!(assess_repair(&f, day("2027-03-01")), Err(RepairRefusal::AlreadyEnded { on: day("2027-03-01") }));
        f.public = false;
        assert_eq!(assess_repair(&f, day("2025-01-01")), Err(RepairRefusal::NotPublished));
        f.is_penalty = false;
        assert_eq!(assess_repair(&f, day("2025-01-01")), Err(RepairRefusal::NotAPenalty));
    }

    #[test]
    fn serious_records_under_527_ask_for_training_and_a_credit_report() {
        let codes = |r, s| required_materials(r, s).iter().map(|m| m.code).collect::<Vec<_>>();
        assert_eq!(
            codes("ndrc-527", Some(Severity::Serious)),
            ["fulfilment", "rectification", "training", "credit_report"]
        );
        assert_eq!(codes("ndrc-order-58", Some(Severity::General)), ["fulfilment", "rectification"]);
    }
}

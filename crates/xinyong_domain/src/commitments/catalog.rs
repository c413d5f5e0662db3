//! The commitment catalog (告知承诺事项清单): which administrative items
//! accept a commitment, what the applicant commits to, which materials may
//! follow later (容缺) and within how many working days, and how and by
//! when the department verifies. Parsed strictly: unknown keys are errors.

use std::collections::BTreeSet;

use serde::Deserialize;

use crate::auth::DepartmentCode;

/// The catalog compiled into the binary (`rules/commitments.toml`).
pub const SHIPPED_COMMITMENTS_TOML: &str = include_str!("../../../../rules/commitments.toml");

/// Longest deadline in working days a catalog may set (one working year).
const MAX_WORKING_DAYS: u32 = 250;

/// The kind of commitment an item accepts (demonstration-city criteria).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, strum::IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum CommitmentKind {
    /// 审批替代型: the commitment replaces proof of the conditions.
    ApprovalSubstitute,
    /// 容缺受理型: accepted with materials to follow.
    MissingDocuments,
}

impl CommitmentKind {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            CommitmentKind::ApprovalSubstitute => "审批替代型",
            CommitmentKind::MissingDocuments => "容缺受理型",
        }
    }
}

/// A material that may be supplied after acceptance (容缺材料).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeferrableMaterial {
    pub code: String,
    pub name: String,
    /// Working days after the commitment to supply it.
    pub working_days: u32,
}

/// One item of the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitmentItem {
    pub code: String,
    pub name: String,
    /// The department that grants the item and verifies the commitment.
    pub department: DepartmentCode,
    pub kind: CommitmentKind,
    /// 设定依据.
    pub basis: String,
    /// The conditions the applicant commits it meets.
    pub conditions: Vec<String>,
    #[serde(default)]
    pub deferrable: Vec<DeferrableMaterial>,
    /// 核查方式.
    pub verification_method: String,
    /// Working days after the commitment within which the department verifies.
    pub verification_working_days: u32,
}

impl CommitmentItem {
    pub fn material(&self, code: &str) -> Option<&DeferrableMaterial> {
        self.deferrable.iter().find(|m| m.code == code)
    }

    /// The standard commitment letter (承诺书) of the item, in the words of
    /// catalog `version`: what every applicant signs.
    pub fn letter(&self, version: &str) -> String {
        let mut text = format!("{}告知承诺书\n（告知承诺事项清单 {version}，事项编码 {}）\n\n", self.name, self.code);
        text.push_str(&format!("设定依据：{}\n\n", self.basis));
        text.push_str("申请人郑重承诺：\n");
        for (i, c) in self.conditions.iter().enumerate() {
            text.push_str(&format!("{}. {c}\n", i + 1));
        }
        if !self.deferrable.is_empty() {
            text.push_str("\n容缺材料：申请人承诺在下列期限内补交所缺材料：\n");
            for m in &self.deferrable {
                text.push_str(&format!("- {}：受理之日起 {} 个工作日内\n", m.name, m.working_days));
            }
        }
        text.push_str(&format!(
            "\n审批部门将于 {} 个工作日内以{}方式核查承诺内容。\n\
             申请人知晓：承诺不实或未按期履行承诺的，审批部门将依法责令整改、撤销相关决定，\
             并将失信信息记入申请人信用记录，依法公示；作出虚假承诺的，信用修复前不得适用告知承诺制\
             （国办发〔2020〕42号）。\n",
            self.verification_working_days, self.verification_method
        ));
        text
    }
}

/// When broken commitments lead to a listing proposal (拟列入): the rules
/// say so, the verifying department proposes, and the list's notice and
/// objection window protect the company before any decision.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListingTrigger {
    /// The list proposed (a code of `rules/lists.toml`).
    pub list: String,
    /// Broken commitments (breached or false, their records still
    /// published) that make the proposal, at least 1.
    pub broken: u32,
    /// 认定依据 written on the proposal.
    pub basis: String,
}

/// The parsed catalog.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitmentCatalog {
    version: String,
    title: String,
    /// Broken commitments that make a listing proposal; none: never.
    #[serde(default)]
    listing: Option<ListingTrigger>,
    #[serde(default)]
    items: Vec<CommitmentItem>,
}

/// Why a commitment catalog does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("commitments.toml：{message}")]
pub struct CommitmentCatalogError {
    pub code: &'static str,
    pub message: String,
}

impl CommitmentCatalogError {
    fn new(code: &'static str, message: String) -> CommitmentCatalogError {
        CommitmentCatalogError { code, message }
    }

    pub fn code(&self) -> &'static str {
        self.code
    }
}

impl CommitmentCatalog {
    /// A catalog with no items: nothing accepts a commitment.
    pub fn empty() -> CommitmentCatalog {
        CommitmentCatalog { version: String::new(), title: String::new(), listing: None, items: Vec::new() }
    }

    pub fn shipped() -> CommitmentCatalog {
        // Guarded by the test `the_shipped_catalog_parses`.
        CommitmentCatalog::parse_toml(SHIPPED_COMMITMENTS_TOML).unwrap_or_else(|_| CommitmentCatalog::empty())
    }

    pub fn version(&self) -> &str {
        &self.version
    }

    pub fn title(&self) -> &str {
        &self.title
    }

    pub fn listing(&self) -> Option<&ListingTrigger> {
        self.listing.as_ref()
    }

    pub fn items(&self) -> &[CommitmentItem] {
        &self.items
    }

    pub fn item(&self, code: &str) -> Option<&CommitmentItem> {
        self.items.iter().find(|i| i.code == code)
    }

    /// Reads and checks a catalog: a version, unique item and material
    /// codes, at least one condition, deadlines of 1 to 250 working days.
    pub fn parse_toml(text: &str) -> Result<CommitmentCatalog, CommitmentCatalogError> {
        let catalog: CommitmentCatalog =
            toml::from_str(text).map_err(|e| CommitmentCatalogError::new("commitments_toml_invalid", e.to_string()))?;
        if catalog.version.trim().is_empty() {
            return Err(CommitmentCatalogError::new("commitments_version_missing", "缺少 version".to_owned()));
        }
        if let Some(t) = &catalog.listing
            && (t.broken == 0 || t.list.trim().is_empty() || t.basis.trim().is_empty())
        {
            return Err(CommitmentCatalogError::new(
                "commitments_listing_invalid",
                "[listing] 须写明名单代码 list、认定依据 basis，且 broken 至少为 1".to_owned(),
            ));
        }
        let mut codes = BTreeSet::new();
        for item in &catalog.items {
            check_item(item)?;
            if !codes.insert(item.code.as_str()) {
                return Err(CommitmentCatalogError::new(
                    "commitment_item_duplicate",
                    format!("事项编码 {} 重复", item.code),
                ));
            }
        }
        Ok(catalog)
    }
}

fn check_item(item: &CommitmentItem) -> Result<(), CommitmentCatalogError> {
    let bad = |code, message: String| Err(CommitmentCatalogError::new(code, format!("事项 {}：{message}", item.code)));
    let code_ok = |c: &str| !c.is_empty() && c.len() <= 32 && c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !code_ok(&item.code) {
        return bad("commitment_item_code_invalid", "事项编码应为 1–32 个字母、数字或 _".to_owned());
    }
    if item.name.trim().is_empty() || item.conditions.iter().all(|c| c.trim().is_empty()) {
        return bad("commitment_item_incomplete", "须有事项名称和至少一项承诺条件".to_owned());
    }
    let days_ok = |d: u32| (1..=MAX_WORKING_DAYS).contains(&d);
    if !days_ok(item.verification_working_days) {
        return bad("verification_working_days_invalid", format!("核查期限应为 1–{MAX_WORKING_DAYS} 个工作日"));
    }
    let mut seen = BTreeSet::new();
    for m in &item.deferrable {
        if !code_ok(&m.code) || !seen.insert(m.code.as_str()) {
            return bad("deferrable_code_invalid", format!("容缺材料编码 {} 无效或重复", m.code));
        }
        if !days_ok(m.working_days) {
            return bad(
                "deferrable_working_days_invalid",
                format!("容缺材料 {} 的补交期限应为 1–{MAX_WORKING_DAYS} 个工作日", m.code),
            );
        }
        // The department verifies after the materials are due, so a missing
        // one can still be found a breach within the verification deadline.
        if m.working_days > item.verification_working_days {
            return bad(
                "deferrable_after_verification",
                format!(
                    "容缺材料 {} 的补交期限不能晚于核查期限（{} 个工作日）",
                    m.code, item.verification_working_days
                ),
            );
        }
    }
    if item.kind == CommitmentKind::MissingDocuments && item.deferrable.is_empty() {
        return bad("deferrable_missing", "容缺受理型事项须列出可容缺的材料".to_owned());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_catalog_parses() {
        let catalog = CommitmentCatalog::parse_toml(SHIPPED_COMMITMENTS_TOML).unwrap();
        assert!(!catalog.items().is_empty());
        let item = &catalog.items()[0];
        assert!(item.letter(catalog.version()).contains("郑重承诺"));
    }

    #[test]
    fn unknown_keys_and_bad_deadlines_are_refused() {
        let base = r#"version = "1"
title = "t"
[[items]]
code = "A1"
name = "n"
department = "spj"
kind = "missing_documents"
basis = "b"
conditions = ["c"]
verification_method = "书面核查"
verification_working_days = 20
"#;
        assert_eq!(CommitmentCatalog::parse_toml(base).unwrap_err().code, "deferrable_missing");
        let zero = format!("{base}[[items.deferrable]]\ncode = \"M\"\nname = \"m\"\nworking_days = 0\n");
        assert_eq!(CommitmentCatalog::parse_toml(&zero).unwrap_err().code, "deferrable_working_days_invalid");
        let late = format!("{base}[[items.deferrable]]\ncode = \"M\"\nname = \"m\"\nworking_days = 21\n");
        assert_eq!(CommitmentCatalog::parse_toml(&late).unwrap_err().code, "deferrable_after_verification");
        let typo = format!("{base}colour = 1\n");
        assert_eq!(CommitmentCatalog::parse_toml(&typo).unwrap_err().code, "commitments_toml_invalid");
    }
}

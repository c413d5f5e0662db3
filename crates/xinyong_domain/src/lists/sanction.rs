//! Lists and measures as rule data (54号 clauses 八 and 十; DOMAIN.md §3):
//! the list types (`rules/lists.toml`) — serious-dishonesty lists by domain,
//! the key-attention list and the red list — and the catalog of punishment
//! measures and incentives (`rules/measures.toml`) with the check scenarios
//! they apply in.
//!
//! Both files are versioned and written to the log when a version comes into
//! use; a listing records the versions it was decided under, and a credit
//! check's receipt records the versions that answered it. Parsing refuses a
//! broken pair at load time: a list naming an unknown measure, a measure with
//! an unknown scenario, an incentive on a dishonesty list.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::auth::DepartmentCode;

pub const SHIPPED_LISTS_TOML: &str = include_str!("../../../../rules/lists.toml");
pub const SHIPPED_MEASURES_TOML: &str = include_str!("../../../../rules/measures.toml");

static SHIPPED: LazyLock<SanctionRules> = LazyLock::new(|| {
    // `shipped_rules_parse` guards this; an empty rule set answers every check
    // with "no list types known", which is loud, instead of panicking.
    SanctionRules::parse(SHIPPED_LISTS_TOML, SHIPPED_MEASURES_TOML).unwrap_or_else(|_| SanctionRules::empty())
});

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("名单/措施规则无效：{0}")]
pub struct SanctionRulesError(pub String);

/// What a list does to its members.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListKind {
    /// 严重失信主体名单 / 失信联合惩戒对象名单: joint punishment.
    Serious,
    /// 重点关注对象名单: stricter supervision, lighter consequences.
    KeyAttention,
    /// 守信激励对象名单 (红名单): incentives.
    Red,
}

impl ListKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ListKind::Serious => "serious",
            ListKind::KeyAttention => "key_attention",
            ListKind::Red => "red",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            ListKind::Serious => "严重失信主体名单",
            ListKind::KeyAttention => "重点关注对象名单",
            ListKind::Red => "守信激励对象名单",
        }
    }

    pub fn parse(raw: &str) -> Option<ListKind> {
        [ListKind::Serious, ListKind::KeyAttention, ListKind::Red].into_iter().find(|k| k.as_str() == raw)
    }
}

/// Whether a measure punishes or rewards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeasureKind {
    Punishment,
    Incentive,
}

impl MeasureKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MeasureKind::Punishment => "punishment",
            MeasureKind::Incentive => "incentive",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            MeasureKind::Punishment => "惩戒",
            MeasureKind::Incentive => "激励",
        }
    }
}

/// 措施类别 (54号 clause 十.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeasureCategory {
    /// 行政性
    Administrative,
    /// 市场性
    Market,
    /// 行业性
    Industry,
    /// 社会性
    Social,
}

impl MeasureCategory {
    pub fn as_str(self) -> &'static str {
        match self {
            MeasureCategory::Administrative => "administrative",
            MeasureCategory::Market => "market",
            MeasureCategory::Industry => "industry",
            MeasureCategory::Social => "social",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            MeasureCategory::Administrative => "行政性",
            MeasureCategory::Market => "市场性",
            MeasureCategory::Industry => "行业性",
            MeasureCategory::Social => "社会性",
        }
    }
}

/// Which subjects a list may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    LegalPerson,
    NaturalPerson,
}

impl SubjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::LegalPerson => "legal_person",
            SubjectKind::NaturalPerson => "natural_person",
        }
    }

    pub fn parse(raw: &str) -> Option<SubjectKind> {
        match raw {
            "legal_person" => Some(SubjectKind::LegalPerson),
            "natural_person" => Some(SubjectKind::NaturalPerson),
            _ => None,
        }
    }
}

/// A check scenario (招标投标, 政府采购, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub code: String,
    pub name: String,
}

/// One entry of the measures catalog (联合惩戒措施清单 / 守信激励措施清单).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Measure {
    pub code: String,
    pub name: String,
    pub kind: MeasureKind,
    pub category: MeasureCategory,
    pub basis: String,
    pub executors: Vec<DepartmentCode>,
    pub scenarios: Vec<String>,
    /// For scenario `approval`: item codes it applies to; empty = every item.
    #[serde(default)]
    pub items: Vec<String>,
    /// 应当 (true) or 可以 (false).
    pub mandatory: bool,
    /// Also applies to the liable people of a listed organisation (十二).
    #[serde(default)]
    pub personal: bool,
}

impl Measure {
    /// Whether the measure applies in `scenario` (and approval `item`, when given).
    pub fn applies_in(&self, scenario: &str, item: Option<&str>) -> bool {
        self.scenarios.iter().any(|s| s == scenario)
            && (scenario != "approval"
                || self.items.is_empty()
                || item.is_some_and(|i| self.items.iter().any(|x| x == i)))
    }
}

/// Who may decide a list entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deciders {
    Any,
    Only(BTreeSet<DepartmentCode>),
}

impl Deciders {
    pub fn allows(&self, department: &DepartmentCode) -> bool {
        match self {
            Deciders::Any => true,
            Deciders::Only(set) => set.contains(department),
        }
    }
}

/// A list type and its rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListType {
    pub code: String,
    pub name: String,
    pub kind: ListKind,
    pub domain: String,
    pub basis: String,
    pub criteria: String,
    pub deciders: Deciders,
    pub subjects: Vec<SubjectKind>,
    /// Months in force; `None` = until an exit decision.
    pub validity_months: Option<u32>,
    /// Repair may end a listing after this many months (`Some(0)` = any time).
    pub early_exit_after_months: Option<u32>,
    pub repairable: bool,
    pub notice_required: bool,
    pub personal_liability: bool,
    pub public: bool,
    pub exit_conditions: String,
    pub remedy: String,
    pub measures: Vec<String>,
}

impl ListType {
    pub fn accepts(&self, kind: SubjectKind) -> bool {
        self.subjects.contains(&kind)
    }

    /// The last day in force of a listing that starts on `from`.
    pub fn valid_until(&self, from: chrono::NaiveDate) -> Option<chrono::NaiveDate> {
        let months = self.validity_months?;
        from.checked_add_months(chrono::Months::new(months)).and_then(|d| d.pred_opt())
    }
}

/// Deadlines of the listing procedure, in working days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListingSettings {
    pub objection_window_working_days: u32,
    pub objection_answer_working_days: u32,
}

impl Default for ListingSettings {
    fn default() -> Self {
        ListingSettings { objection_window_working_days: 5, objection_answer_working_days: 7 }
    }
}

/// The list types, measures and scenarios in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SanctionRules {
    lists_version: String,
    measures_version: String,
    pub settings: ListingSettings,
    lists: Vec<ListType>,
    measures: Vec<Measure>,
    scenarios: Vec<Scenario>,
    list_index: BTreeMap<String, usize>,
    measure_index: BTreeMap<String, usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListsFile {
    version: String,
    #[serde(default)]
    settings: ListingSettings,
    #[serde(rename = "list", default)]
    lists: Vec<ListEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListEntry {
    code: String,
    name: String,
    kind: ListKind,
    domain: String,
    basis: String,
    criteria: String,
    deciding_departments: Vec<String>,
    subjects: Vec<SubjectKind>,
    validity_months: u32,
    #[serde(default)]
    early_exit_after_months: Option<u32>,
    repairable: bool,
    notice_required: bool,
    personal_liability: bool,
    public: bool,
    exit_conditions: String,
    remedy: String,
    measures: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MeasuresFile {
    version: String,
    #[serde(rename = "scenario", default)]
    scenarios: Vec<Scenario>,
    #[serde(rename = "measure", default)]
    measures: Vec<Measure>,
}

fn valid_code(code: &str) -> bool {
    (2..=40).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Scenario and measure codes are unique and valid; every measure has
/// executors, scenarios that exist and a legal basis. Returns code → index.
fn measure_index(measures: &MeasuresFile) -> Result<BTreeMap<String, usize>, SanctionRulesError> {
    let err = |m: String| SanctionRulesError(m);
    let mut scenario_codes = BTreeSet::new();
    for s in &measures.scenarios {
        if !valid_code(&s.code) || !scenario_codes.insert(s.code.clone()) {
            return Err(err(format!("场景代码 {:?} 无效或重复", s.code)));
        }
    }
    let mut measure_index = BTreeMap::new();
    for (i, m) in measures.measures.iter().enumerate() {
        if !valid_code(&m.code) || measure_index.insert(m.code.clone(), i).is_some() {
            return Err(err(format!("措施代码 {:?} 无效或重复", m.code)));
        }
        if m.executors.is_empty() {
            return Err(err(format!("措施 {} 没有实施部门", m.code)));
        }
        if m.scenarios.is_empty() {
            return Err(err(format!("措施 {} 没有适用场景", m.code)));
        }
        if let Some(s) = m.scenarios.iter().find(|s| !scenario_codes.contains(*s)) {
            return Err(err(format!("措施 {} 的场景 {s:?} 未定义", m.code)));
        }
        if m.basis.trim().is_empty() {
            return Err(err(format!("措施 {} 缺少法律依据(49号：措施须有直接法律或政策依据)", m.code)));
        }
    }
    Ok(measure_index)
}

/// One list type: its measures exist and are of its kind (a red list only
/// incentives, the others only punishments), it names subjects and deciders.
fn list_type(
    entry: ListEntry,
    measures: &MeasuresFile,
    measure_index: &BTreeMap<String, usize>,
) -> Result<ListType, SanctionRulesError> {
    let err = |m: String| SanctionRulesError(m);
    for code in &entry.measures {
        let Some(&i) = measure_index.get(code) else {
            return Err(err(format!("名单 {} 引用了未定义的措施 {code}", entry.code)));
        };
        let wanted = if entry.kind == ListKind::Red { MeasureKind::Incentive } else { MeasureKind::Punishment };
        if measures.measures[i].kind != wanted {
            return Err(err(format!(
                "名单 {} 是{}，不能关联{}措施 {code}",
                entry.code,
                entry.kind.name_zh(),
                measures.measures[i].kind.name_zh()
            )));
        }
    }
    if entry.subjects.is_empty() {
        return Err(err(format!("名单 {} 没有适用主体类型", entry.code)));
    }
    let deciders = if entry.deciding_departments.iter().any(|d| d == "*") {
        Deciders::Any
    } else {
        let mut set = BTreeSet::new();
        for d in &entry.deciding_departments {
            set.insert(DepartmentCode::parse(d).map_err(|e| err(format!("名单 {} 的认定部门：{e}", entry.code)))?);
        }
        if set.is_empty() {
            return Err(err(format!("名单 {} 没有认定部门", entry.code)));
        }
        Deciders::Only(set)
    };
    Ok(ListType {
        code: entry.code,
        name: entry.name,
        kind: entry.kind,
        domain: entry.domain,
        basis: entry.basis,
        criteria: entry.criteria,
        deciders,
        subjects: entry.subjects,
        validity_months: (entry.validity_months > 0).then_some(entry.validity_months),
        early_exit_after_months: if entry.repairable { entry.early_exit_after_months } else { None },
        repairable: entry.repairable,
        notice_required: entry.notice_required,
        personal_liability: entry.personal_liability,
        public: entry.public,
        exit_conditions: entry.exit_conditions,
        remedy: entry.remedy,
        measures: entry.measures,
    })
}

impl SanctionRules {
    /// The rules compiled into the binary.
    pub fn shipped() -> &'static SanctionRules {
        &SHIPPED
    }

    pub fn empty() -> SanctionRules {
        SanctionRules {
            lists_version: "0".to_owned(),
            measures_version: "0".to_owned(),
            settings: ListingSettings::default(),
            lists: Vec::new(),
            measures: Vec::new(),
            scenarios: Vec::new(),
            list_index: BTreeMap::new(),
            measure_index: BTreeMap::new(),
        }
    }

    pub fn parse(lists_toml: &str, measures_toml: &str) -> Result<SanctionRules, SanctionRulesError> {
        let err = |m: String| SanctionRulesError(m);
        let lists: ListsFile = toml::from_str(lists_toml).map_err(|e| err(format!("lists.toml：{e}")))?;
        let measures: MeasuresFile = toml::from_str(measures_toml).map_err(|e| err(format!("measures.toml：{e}")))?;

        let measure_index = measure_index(&measures)?;
        let mut list_index = BTreeMap::new();
        let mut out = Vec::new();
        for entry in lists.lists {
            if !valid_code(&entry.code) || list_index.insert(entry.code.clone(), out.len()).is_some() {
                return Err(err(format!("名单代码 {:?} 无效或重复", entry.code)));
            }
            out.push(list_type(entry, &measures, &measure_index)?);
        }
        Ok(SanctionRules {
            lists_version: lists.version,
            measures_version: measures.version,
            settings: lists.settings,
            lists: out,
            measures: measures.measures,
            scenarios: measures.scenarios,
            list_index,
            measure_index,
        })
    }

    pub fn lists_version(&self) -> &str {
        &self.lists_version
    }

    pub fn measures_version(&self) -> &str {
        &self.measures_version
    }

    pub fn lists(&self) -> &[ListType] {
        &self.lists
    }

    pub fn list(&self, code: &str) -> Option<&ListType> {
        self.list_index.get(code).map(|&i| &self.lists[i])
    }

    pub fn measures(&self) -> &[Measure] {
        &self.measures
    }

    pub fn measure(&self, code: &str) -> Option<&Measure> {
        self.measure_index.get(code).map(|&i| &self.measures[i])
    }

    pub fn scenarios(&self) -> &[Scenario] {
        &self.scenarios
    }

    pub fn scenario(&self, code: &str) -> Option<&Scenario> {
        self.scenarios.iter().find(|s| s.code == code)
    }

    /// Each measure of a list paired with each of its executing departments:
    /// what a decision pushes (发起 → 推送).
    pub fn pushes_for(&self, list: &ListType) -> Vec<(String, DepartmentCode)> {
        let mut out = Vec::new();
        for code in &list.measures {
            if let Some(m) = self.measure(code) {
                for d in &m.executors {
                    out.push((code.clone(), d.clone()));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_rules_parse() {
        let rules = SanctionRules::parse(SHIPPED_LISTS_TOML, SHIPPED_MEASURES_TOML).unwrap();
        assert!(rules.list("samr-serious").is_some());
        assert_eq!(rules.list("key-attention").unwrap().kind, ListKind::KeyAttention);
        assert_eq!(rules.list("red-list").unwrap().kind, ListKind::Red);
        assert!(rules.measure("CJ-ZTB").unwrap().mandatory);
        assert!(rules.scenario("bidding").is_some());
        assert_eq!(SanctionRules::shipped().lists().len(), rules.lists().len());
    }

    #[test]
    fn a_list_naming_an_unknown_measure_is_refused() {
        let lists = SHIPPED_LISTS_TOML.replace("\"CJ-ZTB\", \"CJ-ZFCG\", \"CJ-CZZJ\"", "\"CJ-NOPE\"");
        let e = SanctionRules::parse(&lists, SHIPPED_MEASURES_TOML).unwrap_err();
        assert!(e.0.contains("CJ-NOPE"), "{e}");
    }

    #[test]
    fn an_incentive_on_a_dishonesty_list_is_refused() {
        let lists = SHIPPED_LISTS_TOML.replace("measures = [\"CJ-ZDJG\", \"CJ-SCZR\"]", "measures = [\"JL-RQSL\"]");
        let e = SanctionRules::parse(&lists, SHIPPED_MEASURES_TOML).unwrap_err();
        assert!(e.0.contains("JL-RQSL"), "{e}");
    }

    #[test]
    fn validity_ends_the_day_before_the_anniversary() {
        let rules = SanctionRules::shipped();
        let list = rules.list("samr-serious").unwrap();
        let from = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        assert_eq!(list.valid_until(from), chrono::NaiveDate::from_ymd_opt(2029, 2, 28));
    }

    #[test]
    fn approval_measures_can_be_limited_to_items() {
        let mut m = SanctionRules::shipped().measure("JL-RQSL").unwrap().clone();
        assert!(m.applies_in("approval", None));
        m.items = vec!["370100-XK-001".to_owned()];
        assert!(!m.applies_in("approval", Some("other")));
        assert!(m.applies_in("approval", Some("370100-XK-001")));
        assert!(!m.applies_in("bidding", None));
    }
}

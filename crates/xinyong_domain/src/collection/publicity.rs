//! Publicity (公示) decisions: whether a record appears on the public portal,
//! from when, until when at the latest, and from when credit repair
//! (信用修复) may end it early (DOMAIN §2).
//!
//! The rules are effective-dated data (`rules/publicity.toml` at the
//! repository root), because they changed three times since 2019 and the
//! window of a penalty depends on the regime in force when it was decided:
//!
//! | regime id       | decided              | classes and periods (min → max)                           |
//! |-----------------|----------------------|-----------------------------------------------------------|
//! | `ndrc-2017`     | before 2019-07-01    | general 1 year, serious 3 years, no early end             |
//! | `ndrc-527`      | 2019-07-01 … 04-30   | general 3 m → 1 y, serious 6 m → 3 y, specific serious 3 y |
//! | `ndrc-order-58` | 2023-05-01 … 2026-03-31 | one class: 3 m → 3 y; 1 y minimum for listed sectors   |
//! | `gbf-2025-22`   | from 2026-04-01      | minor not published, general 3 m → 1 y, serious 1 → 3 y   |
//! | `samr-order-45` | market regulation    | 3 months (criticism, lower fine), otherwise 3 years       |
//!
//! On top of every regime the Shandong regulations apply (natural persons,
//! simplified procedure and self-corrected minor violations are not public;
//! at most 5 years), and penalties on minors are never published.
//!
//! Windows use calendar-month arithmetic: 2024-01-31 + 1 month = 2024-02-29.
//! Every window satisfies `start <= earliest_end <= latest_end`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::LazyLock;

use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::collection::catalog::{CatalogItem, DisclosureLevel, PublicityKind};
use crate::collection::record::{
    FEN_PER_YUAN, LegalKind, PenaltyCategory, PenaltyFacts, Procedure, RecordDraft, SubjectRef, is_minor_on,
};

/// The rules shipped with the binary.
pub const SHIPPED_PUBLICITY_TOML: &str = include_str!("../../../../rules/publicity.toml");

static SHIPPED: LazyLock<PublicityRules> = LazyLock::new(|| {
    // Guarded by the test `shipped_rules_parse`. Were the file ever broken,
    // the closed rule set keeps everything off the public portal — the
    // failure that leaks nothing — instead of panicking at start-up.
    PublicityRules::parse_toml(SHIPPED_PUBLICITY_TOML).unwrap_or_else(|_| PublicityRules::closed())
});

/// Regime ids of the non-penalty kinds.
pub const REGIME_LICENCE: &str = "licence";
pub const REGIME_COURT_DEBTOR: &str = "court-debtor";
pub const REGIME_OPEN: &str = "open";
pub const REGIME_SAMR: &str = "samr-order-45";
pub const REGIME_NONE: &str = "none";

/// Class of dishonesty information.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// 轻微 (22号).
    Minor,
    /// 一般.
    General,
    /// 严重.
    Serious,
    /// 特定严重 (527号).
    SpecificSerious,
}

impl Severity {
    pub const ALL: [Severity; 4] = [Self::Minor, Self::General, Self::Serious, Self::SpecificSerious];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Minor => "minor",
            Self::General => "general",
            Self::Serious => "serious",
            Self::SpecificSerious => "specific_serious",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Minor => "轻微",
            Self::General => "一般",
            Self::Serious => "严重",
            Self::SpecificSerious => "特定严重",
        }
    }

    /// Reads 轻微 / 一般 / 严重 / 特定严重, with or without a trailing 失信.
    pub fn from_zh(value: &str) -> Option<Severity> {
        let v = value.trim();
        let v = v.strip_suffix("失信").unwrap_or(v);
        Self::ALL.into_iter().find(|s| s.name_zh() == v)
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name_zh())
    }
}

// ----- rule types ------------------------------------------------------------

/// The on-the-spot fine limits of one version of the 行政处罚法.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimplifiedThreshold {
    pub from: NaiveDate,
    pub natural_person_max_fen: i64,
    pub organisation_max_fen: i64,
}

/// How the procedure of a penalty is inferred when the upload does not say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimplifiedProcedureRules {
    thresholds: Vec<SimplifiedThreshold>,
    individual_business_as_natural_person: bool,
}

impl SimplifiedProcedureRules {
    /// Thresholds by effective date, ascending.
    pub fn thresholds(&self) -> &[SimplifiedThreshold] {
        &self.thresholds
    }

    /// The largest fine that may be imposed on the spot on `date` for this
    /// subject; `None` before the first law with a simplified procedure.
    pub fn max_fine_fen(&self, date: NaiveDate, subject: &SubjectRef) -> Option<i64> {
        let threshold = self.thresholds.iter().rev().find(|t| t.from <= date)?;
        Some(if self.counts_as_natural_person(subject) {
            threshold.natural_person_max_fen
        } else {
            threshold.organisation_max_fen
        })
    }

    fn counts_as_natural_person(&self, subject: &SubjectRef) -> bool {
        match subject {
            SubjectRef::NaturalPerson { .. } => true,
            SubjectRef::LegalPerson { kind, .. } => {
                *kind == LegalKind::IndividualBusiness && self.individual_business_as_natural_person
            }
        }
    }

    /// The procedure a penalty was most likely decided under: simplified
    /// when its only categories are warning and/or fine and the fine is
    /// within [`SimplifiedProcedureRules::max_fine_fen`] (行政处罚法 Art. 51;
    /// "以下" includes the limit). A warning alone is within it. Everything
    /// else is ordinary. The law says "may", so a stated procedure wins.
    pub fn infer(
        &self,
        categories: &[PenaltyCategory],
        fine_fen: Option<i64>,
        subject: &SubjectRef,
        date: NaiveDate,
    ) -> Procedure {
        let Some(limit) = self.max_fine_fen(date, subject) else {
            return Procedure::Ordinary;
        };
        let only_warning_or_fine = !categories.is_empty()
            && categories.iter().all(|c| matches!(c, PenaltyCategory::Warning | PenaltyCategory::Fine));
        if !only_warning_or_fine {
            return Procedure::Ordinary;
        }
        if !categories.contains(&PenaltyCategory::Fine) {
            return Procedure::Simplified;
        }
        match fine_fen {
            Some(fine) if fine <= limit => Procedure::Simplified,
            _ => Procedure::Ordinary,
        }
    }
}

/// Severity inference for the regimes that distinguish classes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classification {
    specific_serious_categories: BTreeSet<PenaltyCategory>,
    specific_serious_sectors: BTreeSet<String>,
    serious_categories: BTreeSet<PenaltyCategory>,
    serious_amount_fen: i64,
    include_confiscation_in_amount: bool,
    confiscation_always_serious: bool,
    minor_only_categories: BTreeSet<PenaltyCategory>,
    simplified_procedure_is_minor: bool,
}

impl Classification {
    /// The class of a penalty when the department did not state one; the
    /// order of the rules is documented in `rules/publicity.toml`.
    pub fn classify(&self, facts: &PenaltyFacts, sector: Option<&str>) -> Severity {
        let has_any = |set: &BTreeSet<PenaltyCategory>| facts.categories.iter().any(|c| set.contains(c));
        let in_specific_sector = sector.is_some_and(|s| self.specific_serious_sectors.contains(s));
        if in_specific_sector && has_any(&self.specific_serious_categories) {
            return Severity::SpecificSerious;
        }
        if has_any(&self.serious_categories) {
            return Severity::Serious;
        }
        let confiscation = facts.confiscation_fen.unwrap_or(0);
        let amount = facts.fine_fen.unwrap_or(0).saturating_add(if self.include_confiscation_in_amount {
            confiscation
        } else {
            0
        });
        let confiscates = facts.includes(PenaltyCategory::Confiscation) || confiscation > 0;
        if amount >= self.serious_amount_fen || (self.confiscation_always_serious && confiscates) {
            return Severity::Serious;
        }
        let only_minor =
            !facts.categories.is_empty() && facts.categories.iter().all(|c| self.minor_only_categories.contains(c));
        let simplified = self.simplified_procedure_is_minor && facts.procedure == Procedure::Simplified;
        if only_minor || simplified {
            return Severity::Minor;
        }
        Severity::General
    }
}

/// 山东省社会信用条例 and the other rules that bind every regime in Jinan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvinceRules {
    pub name: String,
    /// Art. 20.
    pub natural_person_public: bool,
    /// Art. 13 ¶2.
    pub simplified_procedure_public: bool,
    /// Art. 13 ¶2.
    pub minor_violation_corrected_public: bool,
    pub minor_subject_public: bool,
    /// Art. 38 (5 years).
    pub max_disclosure_months: Option<u32>,
}

/// Court dishonest debtors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourtDebtorRules {
    pub natural_person_public: bool,
    pub max_months: Option<u32>,
}

/// SAMR Order 45 for market-regulation penalties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SamrRules {
    pub sectors: BTreeSet<String>,
    pub basis: String,
    pub short_months: u32,
    pub long_months: u32,
    pub low_fine_natural_person_below_fen: i64,
    pub low_fine_organisation_below_fen: i64,
    pub repair_after_months: u32,
    pub repair_after_months_long: u32,
    pub repair_after_months_long_sectors: BTreeSet<String>,
    pub not_repairable_categories: BTreeSet<PenaltyCategory>,
}

/// The period of one class under one regime.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeriodRule {
    /// False: the class is not published (22号 minor), unless the sector
    /// is listed in the regime's `minor_publish_sectors`.
    #[serde(default = "yes")]
    pub publish: bool,
    pub min_months: u32,
    pub max_months: u32,
    /// False: repair cannot end publicity early (527号 specific serious).
    #[serde(default = "yes")]
    pub repairable: bool,
}

fn yes() -> bool {
    true
}

/// A longer minimum for listed sectors (Order 58: 特种设备、安全生产、消防).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectorMinimum {
    pub sectors: BTreeSet<String>,
    pub min_months: u32,
}

/// How a regime sets periods.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegimePeriods {
    /// By severity class; `fold` maps classes the regime does not have onto
    /// ones it has (527号 has no "minor", 22号 no "specific serious").
    Classified { classes: BTreeMap<Severity, PeriodRule>, fold: BTreeMap<Severity, Severity> },
    /// One period for all penalties (Order 58).
    Unclassified { default: PeriodRule },
}

/// One national regime for administrative penalties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Regime {
    pub id: String,
    pub name_zh: String,
    pub basis: String,
    /// First decision date covered; `None` for "since ever".
    pub from: Option<NaiveDate>,
    /// Last decision date covered; `None` for "until further notice".
    pub until: Option<NaiveDate>,
    pub periods: RegimePeriods,
    pub sector_minimums: Vec<SectorMinimum>,
    pub minor_publish_sectors: BTreeSet<String>,
}

impl Regime {
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.from.is_none_or(|f| f <= date) && self.until.is_none_or(|u| date <= u)
    }

    pub fn is_classified(&self) -> bool {
        matches!(self.periods, RegimePeriods::Classified { .. })
    }

    /// The class `severity` is treated as under this regime.
    pub fn fold(&self, severity: Severity) -> Severity {
        match &self.periods {
            RegimePeriods::Classified { fold, .. } => fold.get(&severity).copied().unwrap_or(severity),
            RegimePeriods::Unclassified { .. } => severity,
        }
    }
}

/// The complete rule set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicityRules {
    version: String,
    sectors: BTreeMap<String, String>,
    simplified: SimplifiedProcedureRules,
    classification: Classification,
    province: ProvinceRules,
    court_debtor: CourtDebtorRules,
    samr: Option<SamrRules>,
    regimes: Vec<Regime>,
}

/// Why rules were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RulesError {
    #[error("公示规则文件格式错误：{message}")]
    Toml { message: String },
    #[error("公示规则缺少版本号")]
    EmptyVersion,
    #[error("{context}引用了未在 [sectors] 中定义的行业“{sector}”")]
    UnknownSector { context: String, sector: String },
    #[error("公示规则没有任何制度（[[regimes]]）")]
    NoRegimes,
    #[error("制度“{regime}”重复定义")]
    DuplicateRegime { regime: String },
    #[error("制度“{regime}”的起始日期晚于截止日期")]
    RegimeInverted { regime: String },
    #[error("制度“{previous}”与“{next}”的日期不衔接：后者应从前者截止日期的次日开始")]
    RegimesNotContiguous { previous: String, next: String },
    #[error("制度“{regime}”：{problem}")]
    RegimeShape { regime: String, problem: String },
    #[error("制度“{regime}”未规定“{class}”类信息的公示期")]
    MissingClass { regime: String, class: Severity },
    #[error("{context}的最短公示期（{min} 个月）长于最长公示期（{max} 个月）")]
    PeriodInverted { context: String, min: u32, max: u32 },
    #[error("简易程序罚款限额：{problem}")]
    Thresholds { problem: String },
}

impl RulesError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Toml { .. } => "rules_toml",
            Self::EmptyVersion => "rules_version_missing",
            Self::UnknownSector { .. } => "rules_sector_unknown",
            Self::NoRegimes => "rules_no_regimes",
            Self::DuplicateRegime { .. } => "rules_regime_duplicate",
            Self::RegimeInverted { .. } => "rules_regime_inverted",
            Self::RegimesNotContiguous { .. } => "rules_regimes_not_contiguous",
            Self::RegimeShape { .. } => "rules_regime_shape",
            Self::MissingClass { .. } => "rules_class_missing",
            Self::PeriodInverted { .. } => "rules_period_inverted",
            Self::Thresholds { .. } => "rules_thresholds",
        }
    }
}

// ----- file format -------------------------------------------------------------

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRules {
    version: String,
    sectors: BTreeMap<String, String>,
    simplified_procedure: RawSimplified,
    classification: RawClassification,
    province: RawProvince,
    court_debtor: RawCourtDebtor,
    samr: Option<RawSamr>,
    #[serde(default)]
    regimes: Vec<RawRegime>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSimplified {
    individual_business_as_natural_person: bool,
    thresholds: Vec<RawThreshold>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawThreshold {
    from: NaiveDate,
    natural_person_max_yuan: u32,
    organisation_max_yuan: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClassification {
    specific_serious_categories: Vec<PenaltyCategory>,
    specific_serious_sectors: Vec<String>,
    serious_categories: Vec<PenaltyCategory>,
    serious_amount_yuan: u32,
    include_confiscation_in_amount: bool,
    confiscation_always_serious: bool,
    minor_only_categories: Vec<PenaltyCategory>,
    simplified_procedure_is_minor: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProvince {
    name: String,
    natural_person_public: bool,
    simplified_procedure_public: bool,
    minor_violation_corrected_public: bool,
    minor_subject_public: bool,
    max_disclosure_months: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCourtDebtor {
    natural_person_public: bool,
    max_months: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSamr {
    sectors: Vec<String>,
    basis: String,
    short_months: u32,
    long_months: u32,
    low_fine_natural_person_below_yuan: u32,
    low_fine_organisation_below_yuan: u32,
    repair_after_months: u32,
    repair_after_months_long: u32,
    #[serde(default)]
    repair_after_months_long_sectors: Vec<String>,
    not_repairable_categories: Vec<PenaltyCategory>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRegime {
    id: String,
    name_zh: String,
    basis: String,
    from: Option<NaiveDate>,
    until: Option<NaiveDate>,
    classified: bool,
    #[serde(default)]
    fold: BTreeMap<Severity, Severity>,
    #[serde(default)]
    classes: BTreeMap<Severity, PeriodRule>,
    default: Option<PeriodRule>,
    #[serde(default)]
    sector_minimums: Vec<RawSectorMinimum>,
    #[serde(default)]
    minor_publish_sectors: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSectorMinimum {
    sectors: Vec<String>,
    min_months: u32,
}

fn yuan_to_fen(yuan: u32) -> i64 {
    i64::from(yuan) * FEN_PER_YUAN
}

/// Checks that every sector named is defined, and collects them.
fn sector_set(
    known: &BTreeMap<String, String>,
    context: &str,
    list: Vec<String>,
) -> Result<BTreeSet<String>, RulesError> {
    if let Some(bad) = list.iter().find(|s| !known.contains_key(*s)) {
        return Err(RulesError::UnknownSector { context: context.to_owned(), sector: bad.clone() });
    }
    Ok(list.into_iter().collect())
}

fn check_period(context: &str, rule: &PeriodRule) -> Result<(), RulesError> {
    if rule.min_months > rule.max_months {
        return Err(RulesError::PeriodInverted {
            context: context.to_owned(),
            min: rule.min_months,
            max: rule.max_months,
        });
    }
    Ok(())
}

/// The simplified-procedure amount limits, by the date they took effect.
fn simplified_thresholds(raw: &RawSimplified) -> Result<Vec<SimplifiedThreshold>, RulesError> {
    let mut thresholds: Vec<SimplifiedThreshold> = raw
        .thresholds
        .iter()
        .map(|t| SimplifiedThreshold {
            from: t.from,
            natural_person_max_fen: yuan_to_fen(t.natural_person_max_yuan),
            organisation_max_fen: yuan_to_fen(t.organisation_max_yuan),
        })
        .collect();
    thresholds.sort_by_key(|t| t.from);
    if thresholds.windows(2).any(|w| w[0].from == w[1].from) {
        return Err(RulesError::Thresholds { problem: "两条限额的生效日期相同".to_owned() });
    }
    Ok(thresholds)
}

/// SAMR Order 45's sector rules (short and long periods, repair).
fn samr_rules(known: &BTreeMap<String, String>, s: RawSamr) -> Result<SamrRules, RulesError> {
    check_period(
        "[samr]",
        &PeriodRule { publish: true, min_months: s.short_months, max_months: s.long_months, repairable: true },
    )?;
    Ok(SamrRules {
        sectors: sector_set(known, "[samr]", s.sectors)?,
        basis: s.basis,
        short_months: s.short_months,
        long_months: s.long_months,
        low_fine_natural_person_below_fen: yuan_to_fen(s.low_fine_natural_person_below_yuan),
        low_fine_organisation_below_fen: yuan_to_fen(s.low_fine_organisation_below_yuan),
        repair_after_months: s.repair_after_months,
        repair_after_months_long: s.repair_after_months_long,
        repair_after_months_long_sectors: sector_set(known, "[samr]", s.repair_after_months_long_sectors)?,
        not_repairable_categories: s.not_repairable_categories.into_iter().collect(),
    })
}

/// The regimes, listed in date order and leaving neither gaps nor overlaps:
/// every decision date maps to at most one regime, and every date between the
/// first and the last is covered.
fn regimes(known: &BTreeMap<String, String>, raw: Vec<RawRegime>) -> Result<Vec<Regime>, RulesError> {
    let mut regimes: Vec<Regime> = Vec::with_capacity(raw.len());
    for raw_regime in raw {
        let regime = build_regime(known, raw_regime)?;
        if regimes.iter().any(|r| r.id == regime.id) {
            return Err(RulesError::DuplicateRegime { regime: regime.id });
        }
        regimes.push(regime);
    }
    if regimes.is_empty() {
        return Err(RulesError::NoRegimes);
    }
    for pair in regimes.windows(2) {
        let [previous, next] = pair else { continue };
        let contiguous = match (previous.until, next.from) {
            (Some(until), Some(from)) => until.checked_add_days(Days::new(1)) == Some(from),
            _ => false,
        };
        if !contiguous {
            return Err(RulesError::RegimesNotContiguous { previous: previous.id.clone(), next: next.id.clone() });
        }
    }
    Ok(regimes)
}

fn build_regime(known: &BTreeMap<String, String>, raw: RawRegime) -> Result<Regime, RulesError> {
    let shape = |problem: &str| RulesError::RegimeShape { regime: raw.id.clone(), problem: problem.to_owned() };
    if let (Some(from), Some(until)) = (raw.from, raw.until)
        && from > until
    {
        return Err(RulesError::RegimeInverted { regime: raw.id });
    }
    let periods = if raw.classified {
        if raw.default.is_some() {
            return Err(shape("分级制度不应设置 default，请用 classes"));
        }
        for (class, rule) in &raw.classes {
            check_period(&format!("制度“{}”的{}类", raw.id, class.name_zh()), rule)?;
        }
        for class in Severity::ALL {
            let target = raw.fold.get(&class).copied().unwrap_or(class);
            if !raw.classes.contains_key(&target) {
                return Err(RulesError::MissingClass { regime: raw.id, class });
            }
        }
        RegimePeriods::Classified { classes: raw.classes, fold: raw.fold }
    } else {
        if !raw.classes.is_empty() || !raw.fold.is_empty() {
            return Err(shape("不分级的制度不应设置 classes 或 fold，请用 default"));
        }
        let Some(default) = raw.default else {
            return Err(shape("不分级的制度必须设置 default"));
        };
        check_period(&format!("制度“{}”", raw.id), &default)?;
        RegimePeriods::Unclassified { default }
    };
    let context = format!("制度“{}”", raw.id);
    let mut sector_minimums = Vec::with_capacity(raw.sector_minimums.len());
    for m in raw.sector_minimums {
        sector_minimums
            .push(SectorMinimum { sectors: sector_set(known, &context, m.sectors)?, min_months: m.min_months });
    }
    Ok(Regime {
        minor_publish_sectors: sector_set(known, &context, raw.minor_publish_sectors)?,
        id: raw.id,
        name_zh: raw.name_zh,
        basis: raw.basis,
        from: raw.from,
        until: raw.until,
        periods,
        sector_minimums,
    })
}

impl PublicityRules {
    /// The rules shipped with the binary (`rules/publicity.toml`).
    pub fn shipped() -> &'static PublicityRules {
        &SHIPPED
    }

    /// A rule set that publishes nothing: every decision is non-public with
    /// [`NonPublicReason::NoRegime`].
    pub fn closed() -> PublicityRules {
        PublicityRules {
            version: String::new(),
            sectors: BTreeMap::new(),
            simplified: SimplifiedProcedureRules {
                thresholds: Vec::new(),
                individual_business_as_natural_person: true,
            },
            classification: Classification {
                specific_serious_categories: BTreeSet::new(),
                specific_serious_sectors: BTreeSet::new(),
                serious_categories: BTreeSet::new(),
                serious_amount_fen: i64::MAX,
                include_confiscation_in_amount: false,
                confiscation_always_serious: false,
                minor_only_categories: BTreeSet::new(),
                simplified_procedure_is_minor: false,
            },
            province: ProvinceRules {
                name: String::new(),
                natural_person_public: false,
                simplified_procedure_public: false,
                minor_violation_corrected_public: false,
                minor_subject_public: false,
                max_disclosure_months: Some(0),
            },
            court_debtor: CourtDebtorRules { natural_person_public: false, max_months: Some(0) },
            samr: None,
            regimes: Vec::new(),
        }
    }

    /// Parses and checks a rules file.
    pub fn parse_toml(text: &str) -> Result<PublicityRules, RulesError> {
        let raw: RawRules = toml::from_str(text).map_err(|e| RulesError::Toml { message: e.to_string() })?;
        let version = raw.version.trim().to_owned();
        if version.is_empty() {
            return Err(RulesError::EmptyVersion);
        }
        let known = raw.sectors;

        let thresholds = simplified_thresholds(&raw.simplified_procedure)?;

        let c = raw.classification;
        let classification = Classification {
            specific_serious_categories: c.specific_serious_categories.into_iter().collect(),
            specific_serious_sectors: sector_set(&known, "[classification]", c.specific_serious_sectors)?,
            serious_categories: c.serious_categories.into_iter().collect(),
            serious_amount_fen: yuan_to_fen(c.serious_amount_yuan),
            include_confiscation_in_amount: c.include_confiscation_in_amount,
            confiscation_always_serious: c.confiscation_always_serious,
            minor_only_categories: c.minor_only_categories.into_iter().collect(),
            simplified_procedure_is_minor: c.simplified_procedure_is_minor,
        };

        let p = raw.province;
        let province = ProvinceRules {
            name: p.name,
            natural_person_public: p.natural_person_public,
            simplified_procedure_public: p.simplified_procedure_public,
            minor_violation_corrected_public: p.minor_violation_corrected_public,
            minor_subject_public: p.minor_subject_public,
            max_disclosure_months: p.max_disclosure_months,
        };
        let court_debtor = CourtDebtorRules {
            natural_person_public: raw.court_debtor.natural_person_public,
            max_months: raw.court_debtor.max_months,
        };

        let samr = raw.samr.map(|s| samr_rules(&known, s)).transpose()?;
        let regimes = regimes(&known, raw.regimes)?;

        Ok(PublicityRules {
            version,
            sectors: known,
            simplified: SimplifiedProcedureRules {
                thresholds,
                individual_business_as_natural_person: raw.simplified_procedure.individual_business_as_natural_person,
            },
            classification,
            province,
            court_debtor,
            samr,
            regimes,
        })
    }

    /// Rules version, e.g. `2026.1`; stored with every decision.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Sector codes with their Chinese names.
    pub fn sectors(&self) -> &BTreeMap<String, String> {
        &self.sectors
    }

    pub fn simplified_procedure(&self) -> &SimplifiedProcedureRules {
        &self.simplified
    }

    pub fn classification(&self) -> &Classification {
        &self.classification
    }

    pub fn province(&self) -> &ProvinceRules {
        &self.province
    }

    pub fn court_debtor(&self) -> &CourtDebtorRules {
        &self.court_debtor
    }

    pub fn samr(&self) -> Option<&SamrRules> {
        self.samr.as_ref()
    }

    pub fn regimes(&self) -> &[Regime] {
        &self.regimes
    }

    /// The national penalty regime for a decision date.
    pub fn regime_at(&self, date: NaiveDate) -> Option<&Regime> {
        self.regimes.iter().find(|r| r.covers(date))
    }
}

// ----- decisions ---------------------------------------------------------------

/// Why a record is not on the public portal. It may still be shared with
/// departments or shown on authorised query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum NonPublicReason {
    #[error("目录规定此类信息仅供授权查询或政务共享，不向社会公示")]
    DisclosureLevelNotPublic,
    #[error("当事人为未成年人，其行政处罚等信息不予公示")]
    SubjectIsMinor,
    #[error("自然人的公共信用信息仅通过授权查询、政务共享方式提供，不予公开（山东省社会信用条例第二十条）")]
    NaturalPerson,
    #[error("适用简易程序作出的行政处罚不列入公开目录（山东省社会信用条例第十三条；市场监管总局令第45号第二条）")]
    SimplifiedProcedure,
    #[error("违法行为轻微并主动消除危害后果的行政处罚不列入公开目录（山东省社会信用条例第十三条）")]
    MinorViolationCorrected,
    #[error("仅受到警告行政处罚的不予公示（市场监督管理行政处罚信息公示规定第二条）")]
    WarningOnly,
    #[error("轻微失信信息原则上不予公示（国办发〔2025〕22号）")]
    MinorDishonesty,
    #[error("决定日期不在任何已配置的公示制度有效期内，暂不公示")]
    NoRegime,
}

impl NonPublicReason {
    pub const ALL: [NonPublicReason; 8] = [
        Self::DisclosureLevelNotPublic,
        Self::SubjectIsMinor,
        Self::NaturalPerson,
        Self::SimplifiedProcedure,
        Self::MinorViolationCorrected,
        Self::WarningOnly,
        Self::MinorDishonesty,
        Self::NoRegime,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::DisclosureLevelNotPublic => "disclosure_level_not_public",
            Self::SubjectIsMinor => "subject_is_minor",
            Self::NaturalPerson => "natural_person",
            Self::SimplifiedProcedure => "simplified_procedure",
            Self::MinorViolationCorrected => "minor_violation_corrected",
            Self::WarningOnly => "warning_only",
            Self::MinorDishonesty => "minor_dishonesty",
            Self::NoRegime => "no_regime",
        }
    }

    /// The Chinese explanation, with its legal basis.
    pub fn message(self) -> String {
        self.to_string()
    }
}

/// When a record is (or would be) shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicityWindow {
    pub start: NaiveDate,
    /// Earliest date publicity can end: by credit repair when `repairable`;
    /// otherwise equal to `latest_end` (or to `start` for open-ended
    /// windows, which end only when the record is revoked or expires).
    pub earliest_end: NaiveDate,
    /// Automatic end; `None`: no end (a licence with open-ended validity, an
    /// inspection result).
    pub latest_end: Option<NaiveDate>,
    pub repairable: bool,
}

/// The verdict on one record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicityDecision {
    /// Rule set id: `ndrc-2017`, `ndrc-527`, `ndrc-order-58`, `gbf-2025-22`,
    /// `samr-order-45`, `licence`, `court-debtor`, `open` or `none`.
    pub regime: String,
    /// The legal basis of the regime, in Chinese.
    pub basis: String,
    /// Version of the rules that decided.
    pub rules_version: String,
    /// Class under the regime (folded); `None` for regimes without classes.
    pub severity: Option<Severity>,
    pub public: bool,
    pub non_public_reason: Option<NonPublicReason>,
    /// The disclosure period; also bounds sharing and authorised query of
    /// dishonesty information, so it is set for most non-public records too.
    /// `None` when the rules say the information is not disclosed at all.
    pub window: Option<PublicityWindow>,
}

fn add_months(date: NaiveDate, months: u32) -> NaiveDate {
    // Dates are bounded to 1949–2099 at the edge; overflow cannot occur, and
    // NaiveDate::MAX would read as "no end in sight", the safe direction.
    date.checked_add_months(Months::new(months)).unwrap_or(NaiveDate::MAX)
}

/// A window of `min`…`max` months from `start`, capped by the province.
fn months_window(
    rules: &PublicityRules,
    start: NaiveDate,
    min_months: u32,
    max_months: Option<u32>,
    repairable: bool,
) -> PublicityWindow {
    let cap = rules.province.max_disclosure_months.map(|m| add_months(start, m));
    let latest = match (max_months.map(|m| add_months(start, m)), cap) {
        (Some(l), Some(c)) => Some(l.min(c)),
        (l, c) => l.or(c),
    };
    let earliest = if repairable { add_months(start, min_months) } else { latest.unwrap_or(start) };
    let earliest = latest.map_or(earliest, |l| earliest.min(l));
    PublicityWindow { start, earliest_end: earliest, latest_end: latest, repairable }
}

/// What the kind-specific rules decided before the general overlays.
struct Verdict {
    regime: String,
    basis: String,
    severity: Option<Severity>,
    window: Option<PublicityWindow>,
    reason: Option<NonPublicReason>,
}

/// Decides whether and when a validated record is public.
///
/// `department_sector` is the sector code of the submitting department (a
/// key of `[sectors]` in the rules, e.g. `market_regulation`,
/// `work_safety`); unknown sectors are treated as none.
pub fn decide_publicity(
    rules: &PublicityRules,
    item: &CatalogItem,
    draft: &RecordDraft,
    department_sector: Option<&str>,
) -> PublicityDecision {
    let sector = department_sector.filter(|s| rules.sectors.contains_key(*s));
    let start = draft.decision_date;
    let natural = draft.subject.is_natural_person();
    let verdict = match item.publicity() {
        PublicityKind::Licence => Verdict {
            regime: REGIME_LICENCE.to_owned(),
            basis: "行政许可信息自许可决定之日起公示，至有效期届满（双公示）".to_owned(),
            severity: None,
            // Not dishonesty: no province cap, no repair; shown while valid.
            window: Some(PublicityWindow {
                start,
                earliest_end: start,
                latest_end: draft.valid_to.map(|end| end.max(start)),
                repairable: false,
            }),
            reason: None,
        },
        PublicityKind::CourtDebtor => Verdict {
            regime: REGIME_COURT_DEBTOR.to_owned(),
            basis: "最高人民法院关于公布失信被执行人名单信息的若干规定".to_owned(),
            severity: None,
            window: Some(PublicityWindow {
                // Removal is the court's act at any time, not a repair.
                earliest_end: start,
                ..months_window(rules, start, 0, rules.court_debtor.max_months, false)
            }),
            reason: None,
        },
        PublicityKind::None => Verdict {
            regime: REGIME_OPEN.to_owned(),
            basis: "行政行为信息自作出之日起 7 个工作日内公开（济政办字〔2019〕54号 第十五条）".to_owned(),
            severity: None,
            window: Some(PublicityWindow { start, earliest_end: start, latest_end: None, repairable: false }),
            reason: None,
        },
        PublicityKind::Penalty => penalty_verdict(rules, draft, sector),
    };

    let minor = draft.penalty.as_ref().is_some_and(|p| p.subject_is_minor) || is_minor_on(&draft.subject, start);
    let natural_public = match item.publicity() {
        PublicityKind::CourtDebtor => rules.court_debtor.natural_person_public,
        _ => rules.province.natural_person_public,
    };
    let reason = if rules.regimes.is_empty() {
        // Only the closed fallback has no regimes: no rules, no publicity.
        Some(NonPublicReason::NoRegime)
    } else if item.disclosure() != DisclosureLevel::Public {
        Some(NonPublicReason::DisclosureLevelNotPublic)
    } else if minor && !rules.province.minor_subject_public {
        Some(NonPublicReason::SubjectIsMinor)
    } else if natural && !natural_public {
        Some(NonPublicReason::NaturalPerson)
    } else {
        verdict.reason
    };
    PublicityDecision {
        regime: verdict.regime,
        basis: verdict.basis,
        rules_version: rules.version.clone(),
        severity: verdict.severity,
        public: reason.is_none(),
        non_public_reason: reason,
        window: verdict.window,
    }
}

fn default_facts() -> PenaltyFacts {
    PenaltyFacts {
        categories: Vec::new(),
        fine_fen: None,
        confiscation_fen: None,
        procedure: Procedure::Ordinary,
        procedure_stated: false,
        severity: None,
        subject_is_minor: false,
        minor_violation_corrected: false,
    }
}

fn penalty_verdict(rules: &PublicityRules, draft: &RecordDraft, sector: Option<&str>) -> Verdict {
    let mut facts = draft.penalty.clone().unwrap_or_else(default_facts);
    // An inferred procedure is inferred again under these rules' limits (the
    // draft's value used the shipped ones); a stated one stands.
    if !facts.procedure_stated {
        facts.procedure =
            rules.simplified.infer(&facts.categories, facts.fine_fen, &draft.subject, draft.decision_date);
    }
    let facts = &facts;
    let start = draft.decision_date;
    // Reasons shared by every penalty regime (Shandong Art. 13).
    let shared_reason = if facts.procedure == Procedure::Simplified && !rules.province.simplified_procedure_public {
        Some(NonPublicReason::SimplifiedProcedure)
    } else if facts.minor_violation_corrected && !rules.province.minor_violation_corrected_public {
        Some(NonPublicReason::MinorViolationCorrected)
    } else {
        None
    };

    if let Some(samr) = rules.samr.as_ref().filter(|s| sector.is_some_and(|x| s.sectors.contains(x))) {
        return samr_verdict(rules, samr, draft, facts, sector, shared_reason);
    }

    let Some(regime) = rules.regime_at(start) else {
        return Verdict {
            regime: REGIME_NONE.to_owned(),
            basis: String::new(),
            severity: None,
            window: None,
            reason: Some(NonPublicReason::NoRegime),
        };
    };
    let sector_minimum = regime
        .sector_minimums
        .iter()
        .filter(|m| sector.is_some_and(|s| m.sectors.contains(s)))
        .map(|m| m.min_months)
        .max()
        .unwrap_or(0);
    let (severity, rule) = match &regime.periods {
        RegimePeriods::Unclassified { default } => (None, *default),
        RegimePeriods::Classified { classes, .. } => {
            let stated_or_inferred = facts.severity.unwrap_or_else(|| rules.classification.classify(facts, sector));
            let class = regime.fold(stated_or_inferred);
            // build_regime guarantees every folded class has a rule.
            let Some(rule) = classes.get(&class).copied() else {
                return Verdict {
                    regime: REGIME_NONE.to_owned(),
                    basis: String::new(),
                    severity: Some(class),
                    window: None,
                    reason: Some(NonPublicReason::NoRegime),
                };
            };
            (Some(class), rule)
        }
    };
    let published_by_sector = sector.is_some_and(|s| regime.minor_publish_sectors.contains(s));
    if !rule.publish && !published_by_sector {
        return Verdict {
            regime: regime.id.clone(),
            basis: regime.basis.clone(),
            severity,
            window: None,
            reason: shared_reason.or(Some(NonPublicReason::MinorDishonesty)),
        };
    }
    let min = rule.min_months.max(sector_minimum);
    let max = rule.max_months.max(min);
    Verdict {
        regime: regime.id.clone(),
        basis: regime.basis.clone(),
        severity,
        window: Some(months_window(rules, start, min, Some(max), rule.repairable)),
        reason: shared_reason,
    }
}

fn samr_verdict(
    rules: &PublicityRules,
    samr: &SamrRules,
    draft: &RecordDraft,
    facts: &PenaltyFacts,
    sector: Option<&str>,
    shared_reason: Option<NonPublicReason>,
) -> Verdict {
    let start = draft.decision_date;
    let verdict = |window: Option<PublicityWindow>, reason: Option<NonPublicReason>| Verdict {
        regime: REGIME_SAMR.to_owned(),
        basis: samr.basis.clone(),
        severity: None,
        window,
        reason,
    };
    // Art. 2: a warning alone is never published.
    if facts.is_warning_only() {
        return verdict(None, shared_reason.or(Some(NonPublicReason::WarningOnly)));
    }
    let low_fine_limit = if rules.simplified.counts_as_natural_person(&draft.subject) {
        samr.low_fine_natural_person_below_fen
    } else {
        samr.low_fine_organisation_below_fen
    };
    // Art. 13: only public criticism and/or a lower-amount fine (a warning
    // alongside changes nothing) → the short period.
    let light = !facts.categories.is_empty()
        && facts
            .categories
            .iter()
            .all(|c| matches!(c, PenaltyCategory::Warning | PenaltyCategory::PublicCriticism | PenaltyCategory::Fine))
        && facts.fine_fen.is_none_or(|f| f < low_fine_limit);
    let window = if light {
        // Ends by itself after 3 months; 信用修复管理办法 Art. 6 excludes it
        // from early repair.
        months_window(rules, start, samr.short_months, Some(samr.short_months), false)
    } else {
        let blocked = facts.categories.iter().any(|c| samr.not_repairable_categories.contains(c));
        let repair_after = if sector.is_some_and(|s| samr.repair_after_months_long_sectors.contains(s)) {
            samr.repair_after_months_long
        } else {
            samr.repair_after_months
        };
        months_window(rules, start, repair_after, Some(samr.long_months), !blocked)
    };
    verdict(Some(window), shared_reason)
}

#[cfg(test)]
mod tests;

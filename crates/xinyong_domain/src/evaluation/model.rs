//! A scorecard model as the credit office or a department writes it
//! (`rules/models/<name>.toml`): a base, indicators that add or deduct
//! points for facts the platform holds, caps, decay by age, grade bands and
//! the graded-supervision table. Parsing checks everything a clerk can get
//! wrong and names the entry and the rule; the line is found from the names
//! the message quotes ([`crate::rules::locate_line`]).
//!
//! Arithmetic is integer only (points × percent), so a run on the same
//! inputs gives the same scores on every machine and in every language
//! (`docs/EVALUATION.md`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Deserialize;

/// The model shipped as the city's local comprehensive evaluation
/// (`rules/models/local.toml`).
pub const SHIPPED_LOCAL_MODEL_TOML: &str = include_str!("../../../../rules/models/local.toml");

/// A model's name: the file stem under `models/`, `[a-z0-9_-]`, at most
/// [`ModelName::MAX`] bytes. Stored inline so rule-set names stay `Copy`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ModelName {
    len: u8,
    bytes: [u8; ModelName::MAX],
}

impl ModelName {
    pub const MAX: usize = 31;

    /// The shipped local comprehensive model.
    pub fn local() -> ModelName {
        ModelName::parse("local").unwrap_or(ModelName { len: 0, bytes: [0; ModelName::MAX] })
    }

    /// `None` unless 1–31 of `a-z`, `0-9`, `_`, `-`, starting with a letter.
    pub fn parse(raw: &str) -> Option<ModelName> {
        let ok = !raw.is_empty()
            && raw.len() <= ModelName::MAX
            && raw.as_bytes()[0].is_ascii_lowercase()
            && raw.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if !ok {
            return None;
        }
        let mut bytes = [0; ModelName::MAX];
        bytes[..raw.len()].copy_from_slice(raw.as_bytes());
        Some(ModelName { len: u8::try_from(raw.len()).ok()?, bytes })
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII is ever stored (see `parse`).
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or("")
    }
}

impl fmt::Display for ModelName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for ModelName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ModelName({})", self.as_str())
    }
}

/// Where an indicator's facts come from. New sources (commitments,
/// inspection results) are new variants here and new facts in
/// [`crate::evaluation::Fact`]; models then name them as data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactSource {
    /// A record (licence, penalty, …) still counting: its class is the
    /// severity (`none` when it has none), its code the catalog item.
    Record,
    /// A list membership in force: class = list kind, code = list code.
    Listing,
    /// A ban in force: class = scope (`market`, `industry`), code = field.
    Ban,
    /// A credit interview (约谈): class = `interview`, code = department.
    Interview,
    /// The latest external grade of a scheme: class = scheme
    /// (`national`, `tax`, `samr_risk`), code = the grade.
    ExternalGrade,
    /// A published random-inspection result (双随机、一公开): class = the
    /// outcome (`normal`, `rectification_ordered`, `problems_found`,
    /// `not_found_at_address`), code = the task's lead department.
    Inspection,
    /// An accepted voluntary registration (自愿注册) while valid: class =
    /// the kind (`qualification`, `honour`, `operations`,
    /// `contract_performance`, `public_welfare`), code = the reviewing
    /// department, dated the day it was accepted.
    Registration,
}

impl FactSource {
    pub fn as_str(self) -> &'static str {
        match self {
            FactSource::Record => "record",
            FactSource::Listing => "listing",
            FactSource::Ban => "ban",
            FactSource::Interview => "interview",
            FactSource::ExternalGrade => "external_grade",
            FactSource::Inspection => "inspection",
            FactSource::Registration => "registration",
        }
    }
}

/// One decay step: facts up to `up_to_days` old count `percent` %.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecayStep {
    pub up_to_days: u32,
    pub percent: u32,
}

/// One indicator (指标) of a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Indicator {
    pub code: String,
    pub name: String,
    pub source: FactSource,
    /// Classes that match (severity, list kind, ban scope, scheme); empty: any.
    pub classes: BTreeSet<String>,
    /// Codes that match (catalog item, list code, grade); empty: any.
    pub codes: BTreeSet<String>,
    /// Points per matching fact (negative deducts).
    pub points: i64,
    /// Points by code where they differ (an external grade's 优/良/中/差).
    pub points_by_code: BTreeMap<String, i64>,
    /// The most the indicator adds (or, when negative, deducts) in total.
    pub cap: Option<i64>,
    /// Facts older than this many days do not count (after `decay`).
    pub window_days: Option<u32>,
    /// Share by age; empty: 100 % within the window.
    pub decay: Vec<DecayStep>,
}

impl Indicator {
    /// The points a fact with `code` is worth before decay.
    pub fn points_for(&self, code: &str) -> i64 {
        self.points_by_code.get(code).copied().unwrap_or(self.points)
    }

    /// The share (percent) a fact `age_days` old counts; 0 outside the window.
    pub fn percent_at(&self, age_days: i64) -> i64 {
        if age_days < 0 {
            // Dated after the evaluation day (a decision typed for tomorrow):
            // counts in full, as it will tomorrow.
            return self.decay.first().map_or(100, |s| i64::from(s.percent));
        }
        if self.window_days.is_some_and(|w| age_days > i64::from(w)) {
            return 0;
        }
        if self.decay.is_empty() {
            return 100;
        }
        self.decay.iter().find(|s| age_days <= i64::from(s.up_to_days)).map_or(0, |s| i64::from(s.percent))
    }
}

/// One grade band: scores from `min` to `max` points (inclusive, whole
/// points; fractions of a point count toward the band below).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GradeBand {
    pub grade: String,
    /// 诚信守法, 轻微失信, …
    pub category: String,
    pub min: Option<i64>,
    pub max: Option<i64>,
}

/// One row of the graded-supervision table (DOMAIN §7): the grades in a
/// supervision class and what the class means for inspections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupervisionClass {
    pub class: String,
    pub label: String,
    pub grades: Vec<String>,
    /// Share of the class's subjects drawn for random inspection, percent.
    pub ratio_min_percent: u32,
    pub ratio_max_percent: u32,
    pub frequency: String,
    pub measures: String,
}

/// A parsed, checked scorecard model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScorecardModel {
    pub name: ModelName,
    pub title: String,
    pub version: String,
    /// `credit_office`, or the department code of an industry model (六.2).
    pub owner: String,
    pub base: i64,
    pub indicators: Vec<Indicator>,
    /// Highest first.
    pub bands: Vec<GradeBand>,
    pub supervision: Vec<SupervisionClass>,
    /// Red-list entry needs at least this grade (`None`: the grade is not asked).
    pub red_list_min_grade: Option<String>,
}

/// A model that cannot be used, with a stable code and a Chinese message
/// quoting the entry, so the line can be found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ModelError {
    pub code: &'static str,
    pub message: String,
}

fn err(code: &'static str, message: impl Into<String>) -> ModelError {
    ModelError { code, message: message.into() }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModel {
    model: RawHeader,
    #[serde(default, rename = "indicator")]
    indicators: Vec<RawIndicator>,
    #[serde(default, rename = "band")]
    bands: Vec<RawBand>,
    #[serde(default)]
    supervision: Vec<RawSupervision>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHeader {
    name: String,
    title: String,
    version: String,
    owner: String,
    base: i64,
    red_list_min_grade: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndicator {
    code: String,
    name: String,
    source: String,
    #[serde(default)]
    classes: Vec<String>,
    #[serde(default)]
    codes: Vec<String>,
    points: i64,
    #[serde(default)]
    points_by_code: BTreeMap<String, i64>,
    cap: Option<i64>,
    window_days: Option<u32>,
    #[serde(default)]
    decay: Vec<DecayStep>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBand {
    grade: String,
    category: String,
    min: Option<i64>,
    max: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSupervision {
    class: String,
    label: String,
    grades: Vec<String>,
    ratio_min_percent: u32,
    ratio_max_percent: u32,
    frequency: String,
    measures: String,
}

/// The classes a source's facts can have, for checking `classes`.
fn known_classes(source: FactSource) -> Option<&'static [&'static str]> {
    match source {
        FactSource::Record => Some(&["none", "minor", "general", "serious", "specific_serious"]),
        FactSource::Listing => Some(&["serious", "key_attention", "red"]),
        FactSource::Ban => Some(&["market", "industry"]),
        FactSource::Interview => Some(&["interview"]),
        FactSource::ExternalGrade => Some(&["national", "tax", "samr_risk"]),
        FactSource::Inspection => Some(&["normal", "rectification_ordered", "problems_found", "not_found_at_address"]),
        FactSource::Registration => {
            Some(&["qualification", "honour", "operations", "contract_performance", "public_welfare"])
        }
    }
}

impl ScorecardModel {
    /// Parses and checks a model file.
    pub fn parse_toml(text: &str) -> Result<ScorecardModel, ModelError> {
        let raw: RawModel = toml::from_str(text).map_err(|e| err("model_syntax", format!("模型文件无法解析：{e}")))?;
        let h = raw.model;
        let name = ModelName::parse(&h.name).ok_or_else(|| {
            err("model_name_invalid", format!("模型名称“{}”须为 1–31 个小写字母、数字、_ 或 -，以字母开头", h.name))
        })?;
        if h.version.trim().is_empty() {
            return Err(err("model_version_missing", "模型须有版本号 version"));
        }
        let indicators = raw.indicators.into_iter().map(indicator).collect::<Result<Vec<_>, _>>()?;
        let mut codes = BTreeSet::new();
        for i in &indicators {
            if !codes.insert(i.code.as_str()) {
                return Err(err("model_indicator_duplicate", format!("指标“{}”出现了两次", i.code)));
            }
        }
        let bands = bands(raw.bands)?;
        let supervision = supervision(raw.supervision, &bands)?;
        if let Some(grade) = &h.red_list_min_grade
            && !bands.iter().any(|b| &b.grade == grade)
        {
            return Err(err("model_grade_unknown", format!("red_list_min_grade 的等级“{grade}”不是本模型的等级")));
        }
        Ok(ScorecardModel {
            name,
            title: h.title,
            version: h.version,
            owner: h.owner,
            base: h.base,
            indicators,
            bands,
            supervision,
            red_list_min_grade: h.red_list_min_grade,
        })
    }

    /// The band a score (in hundredths of a point) falls in.
    pub fn band_of(&self, score_centi: i64) -> Option<&GradeBand> {
        self.band_index(score_centi).and_then(|i| self.bands.get(i))
    }

    /// The position of [`ScorecardModel::band_of`]'s band in `bands`.
    pub fn band_index(&self, score_centi: i64) -> Option<usize> {
        let whole = score_centi.div_euclid(100);
        self.bands.iter().position(|b| b.min.is_none_or(|m| whole >= m) && b.max.is_none_or(|m| whole <= m))
    }

    /// The supervision class of a grade.
    pub fn class_of(&self, grade: &str) -> Option<&SupervisionClass> {
        self.supervision.iter().find(|c| c.grades.iter().any(|g| g == grade))
    }

    /// The rank of a grade, 0 the best; `None` for a grade not in the model.
    pub fn rank_of(&self, grade: &str) -> Option<usize> {
        self.bands.iter().position(|b| b.grade == grade)
    }

    pub fn indicator(&self, code: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.code == code)
    }
}

fn indicator(raw: RawIndicator) -> Result<Indicator, ModelError> {
    let code = raw.code;
    let source = match raw.source.as_str() {
        "record" => FactSource::Record,
        "listing" => FactSource::Listing,
        "ban" => FactSource::Ban,
        "interview" => FactSource::Interview,
        "external_grade" => FactSource::ExternalGrade,
        "inspection" => FactSource::Inspection,
        "registration" => FactSource::Registration,
        other => {
            return Err(err(
                "model_indicator_unknown",
                format!(
                    "指标“{code}”的数据来源“{other}”不存在（可用：record、listing、ban、interview、external_grade、inspection、registration）"
                ),
            ));
        }
    };
    if let Some(known) = known_classes(source) {
        for class in &raw.classes {
            if !known.contains(&class.as_str()) {
                return Err(err(
                    "model_indicator_unknown",
                    format!("指标“{code}”的类别“{class}”不是 {} 的类别（可用：{}）", source.as_str(), known.join("、")),
                ));
            }
        }
    }
    if let Some(cap) = raw.cap
        && (cap == 0 || cap.signum() != raw.points.signum() && raw.points != 0)
    {
        return Err(err("model_cap_invalid", format!("指标“{code}”的上限 cap = {cap} 须与分值同号且不为 0")));
    }
    let mut last = None;
    for step in &raw.decay {
        if last.is_some_and(|l| step.up_to_days <= l) || step.percent > 100 {
            return Err(err(
                "model_decay_invalid",
                format!("指标“{code}”的衰减 decay 须按天数递增、比例不超过 100（第 {} 天处）", step.up_to_days),
            ));
        }
        last = Some(step.up_to_days);
    }
    Ok(Indicator {
        code,
        name: raw.name,
        source,
        classes: raw.classes.into_iter().collect(),
        codes: raw.codes.into_iter().collect(),
        points: raw.points,
        points_by_code: raw.points_by_code,
        cap: raw.cap,
        window_days: raw.window_days,
        decay: raw.decay,
    })
}

/// Bands from highest to lowest, each starting one point below the one
/// above: no overlap, no gap; only the top may be open above and only the
/// bottom open below.
fn bands(raw: Vec<RawBand>) -> Result<Vec<GradeBand>, ModelError> {
    if raw.is_empty() {
        return Err(err("model_bands_missing", "模型须有等级区间 [[band]]"));
    }
    let bands: Vec<GradeBand> =
        raw.into_iter().map(|b| GradeBand { grade: b.grade, category: b.category, min: b.min, max: b.max }).collect();
    let mut seen = BTreeSet::new();
    for (i, band) in bands.iter().enumerate() {
        if !seen.insert(band.grade.as_str()) {
            return Err(err("model_band_duplicate", format!("等级“{}”出现了两次", band.grade)));
        }
        if let (Some(min), Some(max)) = (band.min, band.max)
            && min > max
        {
            return Err(err("model_band_invalid", format!("等级“{}”的下限 {min} 大于上限 {max}", band.grade)));
        }
        if band.max.is_none() && i > 0 {
            return Err(err("model_band_invalid", format!("等级“{}”须有上限 max（只有最高等级可不设）", band.grade)));
        }
        if band.min.is_none() && i + 1 < bands.len() {
            return Err(err("model_band_invalid", format!("等级“{}”须有下限 min（只有最低等级可不设）", band.grade)));
        }
        if let Some(next) = bands.get(i + 1)
            && let (Some(min), Some(next_max)) = (band.min, next.max)
        {
            if next_max >= min {
                return Err(err(
                    "model_bands_overlap",
                    format!(
                        "等级“{}”（{}–{}）与等级“{}”（下限 {min}）重叠：区间须从高到低排列、互不重叠",
                        next.grade,
                        next.min.map_or("…".to_owned(), |m| m.to_string()),
                        next_max,
                        band.grade
                    ),
                ));
            }
            if next_max + 1 != min {
                return Err(err(
                    "model_bands_gap",
                    format!("等级“{}”（上限 {next_max}）与等级“{}”（下限 {min}）之间有空档", next.grade, band.grade),
                ));
            }
        }
    }
    Ok(bands)
}

fn supervision(raw: Vec<RawSupervision>, bands: &[GradeBand]) -> Result<Vec<SupervisionClass>, ModelError> {
    let mut placed: BTreeMap<&str, &str> = BTreeMap::new();
    let classes: Vec<SupervisionClass> = raw
        .into_iter()
        .map(|s| SupervisionClass {
            class: s.class,
            label: s.label,
            grades: s.grades,
            ratio_min_percent: s.ratio_min_percent,
            ratio_max_percent: s.ratio_max_percent,
            frequency: s.frequency,
            measures: s.measures,
        })
        .collect();
    for class in &classes {
        if class.ratio_min_percent > class.ratio_max_percent || class.ratio_max_percent > 100 {
            return Err(err(
                "model_supervision_invalid",
                format!("监管类别“{}”的抽查比例须满足 0 ≤ 下限 ≤ 上限 ≤ 100", class.class),
            ));
        }
        for grade in &class.grades {
            if !bands.iter().any(|b| &b.grade == grade) {
                return Err(err(
                    "model_grade_unknown",
                    format!("监管类别“{}”的等级“{grade}”不是本模型的等级", class.class),
                ));
            }
            if let Some(other) = placed.insert(grade, &class.class) {
                return Err(err(
                    "model_supervision_invalid",
                    format!("等级“{grade}”同时属于监管类别“{other}”和“{}”", class.class),
                ));
            }
        }
    }
    if !classes.is_empty()
        && let Some(missing) = bands.iter().find(|b| !placed.contains_key(b.grade.as_str()))
    {
        return Err(err("model_supervision_invalid", format!("等级“{}”没有对应的监管类别", missing.grade)));
    }
    Ok(classes)
}

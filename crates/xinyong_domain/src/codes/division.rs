//! GB/T 2260 administrative division codes (行政区划代码), as data.
//!
//! The table (`data/divisions.csv`) is deliberately partial: every
//! province-level unit, every Shandong prefecture and every Jinan district or
//! county, plus historical codes that old ID numbers and registrations still
//! carry (莱芜市 and its districts before the 2019 merger, 章丘市, 济阳县).
//! Codes elsewhere can still be named at province level through
//! [`nearest_known`]. Functional zones (高新区 and the like) have no
//! GB/T 2260 code and are not listed.

use std::fmt;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

const DATA: &str = include_str!("../../data/divisions.csv");

/// Level of a division.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DivisionLevel {
    /// 省级 (province, autonomous region, municipality, SAR): `xx0000`.
    Province,
    /// 地级 (prefecture-level city etc.): `xxxx00`.
    Prefecture,
    /// 县级 (district, county, county-level city).
    County,
}

impl DivisionLevel {
    /// The level a code's shape implies.
    fn of_code(code: &str) -> DivisionLevel {
        if code.ends_with("0000") {
            DivisionLevel::Province
        } else if code.ends_with("00") {
            DivisionLevel::Prefecture
        } else {
            DivisionLevel::County
        }
    }
}

/// One row of the division table.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Division {
    /// Six-digit code.
    pub code: &'static str,
    /// Name without parents, e.g. "历下区".
    pub name: &'static str,
    pub level: DivisionLevel,
    /// Abolished or renumbered; still resolvable because old identifiers
    /// carry it.
    pub historical: bool,
}

fn parse_row(line: &'static str) -> Result<Division, &'static str> {
    let mut fields = line.split(',').map(str::trim);
    let (Some(code), Some(name), Some(level), Some(status), None) =
        (fields.next(), fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return Err("expected 4 fields");
    };
    if !is_six_digits(code) {
        return Err("code is not 6 digits");
    }
    if name.is_empty() {
        return Err("empty name");
    }
    let level = match level {
        "province" => DivisionLevel::Province,
        "prefecture" => DivisionLevel::Prefecture,
        "county" => DivisionLevel::County,
        _ => return Err("unknown level"),
    };
    if level != DivisionLevel::of_code(code) {
        return Err("level does not match the code's shape");
    }
    let historical = match status {
        "current" => false,
        "historical" => true,
        _ => return Err("unknown status"),
    };
    Ok(Division { code, name, level, historical })
}

/// Data rows of the embedded CSV; comments (`#`), blank lines and the header
/// are skipped. Errors name the line (1-based) for the test that checks them.
fn rows() -> impl Iterator<Item = Result<Division, String>> {
    DATA.lines()
        .enumerate()
        .filter(|(_, l)| {
            let l = l.trim();
            !l.is_empty() && !l.starts_with('#') && !l.starts_with("code,")
        })
        .map(|(i, l)| parse_row(l).map_err(|reason| format!("divisions.csv line {}: {reason}", i + 1)))
}

/// The table sorted by code. A malformed row is skipped rather than
/// panicking at first use; the `table_is_well_formed` test guarantees there
/// are none.
static TABLE: LazyLock<Vec<Division>> = LazyLock::new(|| {
    let mut table: Vec<Division> = rows().filter_map(Result::ok).collect();
    table.sort_by_key(|d| d.code);
    table.dedup_by_key(|d| d.code);
    table
});

fn is_six_digits(code: &str) -> bool {
    code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit())
}

/// Every division in the table, sorted by code.
pub fn all() -> &'static [Division] {
    &TABLE
}

/// Exact lookup of a six-digit code (current or historical).
pub fn lookup(code: &str) -> Option<&'static Division> {
    let table: &'static [Division] = &TABLE;
    table.binary_search_by(|d| d.code.cmp(code)).ok().and_then(|i| table.get(i))
}

/// The province-level division a code belongs to, judged by its first two
/// digits. Works for any six-digit code, listed or not.
pub fn province_of(code: &str) -> Option<&'static Division> {
    if !is_six_digits(code) {
        return None;
    }
    lookup(&format!("{}0000", code.get(..2)?))
}

/// The most specific listed division for a code: the code itself, else its
/// prefecture (`xxxx00`), else its province (`xx0000`). Lets the platform
/// name a code from another province at least at province level.
pub fn nearest_known(code: &str) -> Option<&'static Division> {
    if !is_six_digits(code) {
        return None;
    }
    lookup(code).or_else(|| lookup(&format!("{}00", code.get(..4)?))).or_else(|| province_of(code))
}

/// Every current division of Jinan (`3701xx`), including 济南市 (370100)
/// itself, sorted by code. Historical codes (章丘市 370181, 济阳县 370125) are
/// left out.
pub fn jinan_counties() -> Vec<&'static Division> {
    TABLE.iter().filter(|d| d.code.starts_with("3701") && !d.historical).collect()
}

/// Why a string is not a listed division code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DivisionError {
    #[error("行政区划代码应为 6 位数字，实际为“{found}”")]
    Format { found: String },
    #[error("行政区划代码“{code}”不在本系统收录的区划表中")]
    Unknown { code: String },
}

impl DivisionError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Format { .. } => "division_format",
            Self::Unknown { .. } => "division_unknown",
        }
    }
}

/// A division code that is in the table.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DivisionCode(&'static Division);

impl DivisionCode {
    /// Accepts a listed six-digit code (surrounding whitespace trimmed).
    pub fn parse(code: &str) -> Result<DivisionCode, DivisionError> {
        let code = code.trim();
        if !is_six_digits(code) {
            return Err(DivisionError::Format { found: code.to_owned() });
        }
        lookup(code).map(DivisionCode).ok_or_else(|| DivisionError::Unknown { code: code.to_owned() })
    }

    /// The six-digit code.
    pub fn code(&self) -> &str {
        self.0.code
    }

    /// The name without parents, e.g. "历下区".
    pub fn name(&self) -> &str {
        self.0.name
    }

    /// The table row.
    pub fn division(&self) -> &'static Division {
        self.0
    }

    pub fn level(&self) -> DivisionLevel {
        self.0.level
    }

    pub fn is_historical(&self) -> bool {
        self.0.historical
    }

    /// The next listed level up: prefecture for a county, province for a
    /// prefecture. Skips a missing prefecture (e.g. for a county directly
    /// under a province). `None` for a province.
    pub fn parent(&self) -> Option<DivisionCode> {
        let code = self.0.code;
        let prefecture = match self.0.level {
            DivisionLevel::Province => return None,
            DivisionLevel::Prefecture => None,
            DivisionLevel::County => lookup(&format!("{}00", code.get(..4)?)),
        };
        prefecture.or_else(|| province_of(code)).map(DivisionCode)
    }

    /// The name with all listed parents, e.g. "山东省济南市历下区".
    pub fn full_name(&self) -> String {
        let mut chain = vec![self.0.name];
        let mut current = *self;
        while let Some(parent) = current.parent() {
            chain.push(parent.0.name);
            current = parent;
        }
        chain.into_iter().rev().collect()
    }
}

impl fmt::Debug for DivisionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DivisionCode({} {})", self.0.code, self.0.name)
    }
}

impl fmt::Display for DivisionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.code)
    }
}

impl TryFrom<String> for DivisionCode {
    type Error = DivisionError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        DivisionCode::parse(&s)
    }
}

impl From<DivisionCode> for String {
    fn from(d: DivisionCode) -> String {
        d.0.code.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn table_is_well_formed() {
        let rows: Vec<_> = rows().collect();
        let errors: Vec<_> = rows.iter().filter_map(|r| r.as_ref().err()).collect();
        assert!(errors.is_empty(), "{errors:?}");
        let codes: HashSet<_> = rows.iter().filter_map(|r| r.as_ref().ok()).map(|d| d.code).collect();
        assert_eq!(codes.len(), rows.len(), "duplicate codes");
        assert_eq!(all().len(), rows.len());
        // Every non-province row resolves to a listed province.
        for d in all() {
            let code = DivisionCode::parse(d.code).unwrap();
            if d.level != DivisionLevel::Province {
                let parent = code.parent().unwrap();
                assert!(parent.level() < d.level, "{}", d.code);
            }
        }
    }

    #[test]
    fn all_province_level_units() {
        let provinces: Vec<_> = all().iter().filter(|d| d.level == DivisionLevel::Province).collect();
        // 31 mainland provinces plus 台湾省, 香港, 澳门.
        assert_eq!(provinces.len(), 34);
        assert_eq!(lookup("110000").unwrap().name, "北京市");
        assert_eq!(lookup("650000").unwrap().name, "新疆维吾尔自治区");
        assert_eq!(lookup("370000").unwrap().name, "山东省");
    }

    #[test]
    fn shandong_prefectures() {
        let current: Vec<_> = all()
            .iter()
            .filter(|d| d.level == DivisionLevel::Prefecture && d.code.starts_with("37"))
            .filter(|d| !d.historical)
            .map(|d| d.name)
            .collect();
        assert_eq!(
            current,
            [
                "济南市",
                "青岛市",
                "淄博市",
                "枣庄市",
                "东营市",
                "烟台市",
                "潍坊市",
                "济宁市",
                "泰安市",
                "威海市",
                "日照市",
                "临沂市",
                "德州市",
                "聊城市",
                "滨州市",
                "菏泽市"
            ]
        );
        let laiwu = DivisionCode::parse("371200").unwrap();
        assert!(laiwu.is_historical());
        assert_eq!(laiwu.full_name(), "山东省莱芜市");
    }

    #[test]
    fn jinan() {
        let codes: Vec<_> = jinan_counties().iter().map(|d| d.code).collect();
        assert_eq!(
            codes,
            [
                "370100", "370102", "370103", "370104", "370105", "370112", "370113", "370114", "370115", "370116",
                "370117", "370124", "370126"
            ]
        );
        let lixia = DivisionCode::parse("370102").unwrap();
        assert_eq!(lixia.code(), "370102");
        assert_eq!(lixia.name(), "历下区");
        assert_eq!(lixia.full_name(), "山东省济南市历下区");
        assert_eq!(lixia.parent().unwrap().code(), "370100");
        assert_eq!(lixia.parent().unwrap().parent().unwrap().code(), "370000");
        assert_eq!(lixia.parent().unwrap().parent().unwrap().parent(), None);
        assert_eq!(DivisionCode::parse("370116").unwrap().full_name(), "山东省济南市莱芜区");
        assert_eq!(DivisionCode::parse("370100").unwrap().full_name(), "山东省济南市");
        let zhangqiu_old = DivisionCode::parse("370181").unwrap();
        assert!(zhangqiu_old.is_historical());
        assert_eq!(zhangqiu_old.full_name(), "山东省济南市章丘市");
    }

    #[test]
    fn parse_errors() {
        assert_eq!(DivisionCode::parse("3701").unwrap_err().code(), "division_format");
        assert_eq!(DivisionCode::parse("37010a").unwrap_err().code(), "division_format");
        assert_eq!(DivisionCode::parse("370199").unwrap_err().code(), "division_unknown");
        assert_eq!(
            DivisionCode::parse("370199").unwrap_err().to_string(),
            "行政区划代码“370199”不在本系统收录的区划表中"
        );
        assert_eq!(DivisionCode::parse(" 370102 ").unwrap().code(), "370102");
    }

    #[test]
    fn other_provinces_named_at_province_level() {
        assert_eq!(nearest_known("110105").unwrap().name, "北京市");
        assert_eq!(nearest_known("440524").unwrap().name, "广东省");
        assert_eq!(nearest_known("370202").unwrap().name, "青岛市");
        assert_eq!(nearest_known("370102").unwrap().name, "历下区");
        assert_eq!(nearest_known("990000"), None);
        assert_eq!(nearest_known("abc"), None);
        assert_eq!(province_of("440524").unwrap().code, "440000");
    }

    #[test]
    fn serde_as_code_string() {
        let d = DivisionCode::parse("370102").unwrap();
        assert_eq!(serde_json::to_string(&d).unwrap(), "\"370102\"");
        assert_eq!(serde_json::from_str::<DivisionCode>("\"370102\"").unwrap(), d);
        assert!(serde_json::from_str::<DivisionCode>("\"370199\"").is_err());
        assert_eq!(format!("{d:?}"), "DivisionCode(370102 历下区)");
    }
}

//! Unified Social Credit Code (统一社会信用代码, GB 32100-2015).
//!
//! Layout of the 18 characters:
//!
//! | Pos.  | Part                                                          |
//! |-------|---------------------------------------------------------------|
//! | 1     | registration authority (登记管理部门代码)                     |
//! | 2     | organisation category (机构类别代码), allowed set depends on 1 |
//! | 3–8   | division code of the registering authority (GB/T 2260)        |
//! | 9–17  | organisation code (GB 11714); pos. 17 is its own check char   |
//! | 18    | check character over positions 1–17 (mod 31)                  |
//!
//! Two parsing modes exist because some legally valid early pilot codes from
//! Fujian fail the checksum (DOMAIN §1.1): [`Uscc::parse`] is for new manual
//! input and rejects a wrong check character; [`Uscc::parse_lenient`] is for
//! data imported from other authorities and reports it as a warning instead.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::codes::check::normalize_input;

/// Length of a code in characters.
const LEN: usize = 18;

/// The GB 32100 character set in value order (`0`=0 … `Y`=30). I, O, Z, S
/// and V are left out because they are easily misread as 1, 0, 2, 5 and U.
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// W_i = 3^(i-1) mod 31. Every weight is a unit mod 31, which is why any
/// single-character change is guaranteed to break the check.
const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// GB 11714 weights for the 8-character organisation-code body.
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// Value of a character in the GB 32100 alphabet.
fn value(c: char) -> Option<u32> {
    ALPHABET.iter().position(|&b| char::from(b) == c).and_then(|p| u32::try_from(p).ok())
}

fn alphabet_char(v: u32) -> Option<char> {
    usize::try_from(v).ok().and_then(|i| ALPHABET.get(i)).map(|&b| char::from(b))
}

/// Computes the 18th (check) character from the first 17 characters.
///
/// Returns `None` unless `first17` is exactly 17 characters from the 31-character
/// GB 32100 set (upper case only; normalise first).
pub fn check_character(first17: &str) -> Option<char> {
    if first17.chars().count() != LEN - 1 {
        return None;
    }
    let mut sum = 0u32;
    for (c, w) in first17.chars().zip(WEIGHTS) {
        sum += value(c)? * w;
    }
    alphabet_char((31 - sum % 31) % 31)
}

/// Computes the GB 11714 organisation-code check character (position 17 of a
/// USCC) from the 8-character body.
///
/// Returns `None` unless `first8` is exactly 8 characters from `0-9A-Z`. Unlike
/// the USCC alphabet, GB 11714 values letters by their place in the full Latin
/// alphabet (`A`=10 … `Z`=35).
pub fn org_code_check(first8: &str) -> Option<char> {
    if first8.chars().count() != ORG_WEIGHTS.len() {
        return None;
    }
    let mut sum = 0u32;
    for (c, w) in first8.chars().zip(ORG_WEIGHTS) {
        let v = match c {
            '0'..='9' | 'A'..='Z' => c.to_digit(36)?,
            _ => return None,
        };
        sum += v * w;
    }
    match 11 - sum % 11 {
        10 => Some('X'),
        11 => Some('0'),
        d => char::from_digit(d, 10),
    }
}

/// Registration authority (登记管理部门), position 1 of a USCC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationAuthority {
    /// `1` 机构编制
    Staffing,
    /// `2` 外交
    ForeignAffairs,
    /// `3` 司法行政
    Justice,
    /// `4` 文化
    Culture,
    /// `5` 民政
    CivilAffairs,
    /// `6` 旅游
    Tourism,
    /// `7` 宗教
    Religion,
    /// `8` 工会
    TradeUnion,
    /// `9` 工商 — today the market-regulation administration (市场监管).
    MarketRegulation,
    /// `A` 中央军委改革和编制办公室
    MilitaryStaffing,
    /// `N` 农业
    Agriculture,
    /// `Y` 其他
    Other,
}

impl RegistrationAuthority {
    /// All authorities in code order.
    pub const ALL: [RegistrationAuthority; 12] = [
        Self::Staffing,
        Self::ForeignAffairs,
        Self::Justice,
        Self::Culture,
        Self::CivilAffairs,
        Self::Tourism,
        Self::Religion,
        Self::TradeUnion,
        Self::MarketRegulation,
        Self::MilitaryStaffing,
        Self::Agriculture,
        Self::Other,
    ];

    /// The authority for a position-1 character, if it is one.
    pub fn from_code(c: char) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == c)
    }

    /// The position-1 character.
    pub fn code(self) -> char {
        match self {
            Self::Staffing => '1',
            Self::ForeignAffairs => '2',
            Self::Justice => '3',
            Self::Culture => '4',
            Self::CivilAffairs => '5',
            Self::Tourism => '6',
            Self::Religion => '7',
            Self::TradeUnion => '8',
            Self::MarketRegulation => '9',
            Self::MilitaryStaffing => 'A',
            Self::Agriculture => 'N',
            Self::Other => 'Y',
        }
    }

    /// Chinese name as in the GB 32100 appendix.
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Staffing => "机构编制",
            Self::ForeignAffairs => "外交",
            Self::Justice => "司法行政",
            Self::Culture => "文化",
            Self::CivilAffairs => "民政",
            Self::Tourism => "旅游",
            Self::Religion => "宗教",
            Self::TradeUnion => "工会",
            Self::MarketRegulation => "工商",
            Self::MilitaryStaffing => "中央军委改革和编制办公室",
            Self::Agriculture => "农业",
            Self::Other => "其他",
        }
    }

    /// The organisation categories (position 2) this authority may issue,
    /// with their Chinese names (GB 32100 appendix, DOMAIN §1.1).
    pub fn categories(self) -> &'static [(char, &'static str)] {
        match self {
            Self::Staffing => {
                &[('1', "机关"), ('2', "事业单位"), ('3', "中央编办直接管理机构编制的群众团体"), ('9', "其他")]
            }
            Self::ForeignAffairs => &[('1', "外国常驻新闻机构"), ('9', "其他")],
            Self::Justice => &[
                ('1', "律师执业机构"),
                ('2', "公证处"),
                ('3', "基层法律服务所"),
                ('4', "司法鉴定机构"),
                ('5', "仲裁委员会"),
                ('9', "其他"),
            ],
            Self::Culture => &[('1', "外国在华文化中心"), ('9', "其他")],
            Self::CivilAffairs => &[('1', "社会团体"), ('2', "民办非企业单位"), ('3', "基金会"), ('9', "其他")],
            Self::Tourism => {
                &[('1', "外国旅游部门常驻代表机构"), ('2', "港澳台地区旅游部门常驻内地（大陆）代表机构"), ('9', "其他")]
            }
            Self::Religion => &[('1', "宗教活动场所"), ('2', "宗教院校"), ('9', "其他")],
            Self::TradeUnion => &[('1', "基层工会"), ('9', "其他")],
            Self::MarketRegulation => &[('1', "企业"), ('2', "个体工商户"), ('3', "农民专业合作社")],
            Self::MilitaryStaffing => &[('1', "军队事业单位"), ('9', "其他")],
            Self::Agriculture => {
                &[('1', "组级集体经济组织"), ('2', "村级集体经济组织"), ('3', "乡镇级集体经济组织"), ('9', "其他")]
            }
            Self::Other => &[('1', "其他")],
        }
    }

    /// Chinese name of a category under this authority, if allowed.
    pub fn category_name_zh(self, category: char) -> Option<&'static str> {
        self.categories().iter().find(|(c, _)| *c == category).map(|(_, name)| *name)
    }
}

impl fmt::Display for RegistrationAuthority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name_zh())
    }
}

/// Why a string is not a USCC.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsccError {
    #[error("统一社会信用代码应为 18 位，实际为 {found} 位")]
    Length { found: usize },
    #[error("第 {position} 位字符“{found}”不在统一社会信用代码字符集内（数字及除 I、O、Z、S、V 以外的大写字母）")]
    Charset { position: usize, found: char },
    #[error("第 1 位登记管理部门代码“{found}”无效（应为 1–9、A、N 或 Y）")]
    Authority { found: char },
    #[error("第 2 位机构类别代码“{found}”不适用于登记管理部门“{authority}”")]
    Category { authority: RegistrationAuthority, found: char },
    #[error("第 3–8 位登记管理机关行政区划码应为 6 位数字，实际为“{found}”")]
    Division { found: String },
    #[error("第 9–17 位组织机构代码校验不通过：第 17 位应为“{expected}”，实际为“{found}”")]
    OrgCodeCheck { expected: char, found: char },
    #[error("校验码错误：第 18 位应为“{expected}”，实际为“{found}”")]
    CheckCharacter { expected: char, found: char },
    /// Position 18 holds a character outside the 31-character set, so no
    /// code can end with it; structural even in lenient mode. Shares the
    /// `uscc_charset` code.
    #[error("第 18 位校验码“{found}”不在统一社会信用代码字符集内，按前 17 位计算应为“{expected}”")]
    CheckCharacterCharset { expected: char, found: char },
    /// Only from [`Uscc::from_parts`].
    #[error("{part}应为 {expected} 位，实际为 {found} 位")]
    PartLength { part: &'static str, expected: usize, found: usize },
}

impl UsccError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Length { .. } => "uscc_length",
            Self::Charset { .. } | Self::CheckCharacterCharset { .. } => "uscc_charset",
            Self::Authority { .. } => "uscc_authority",
            Self::Category { .. } => "uscc_category",
            Self::Division { .. } => "uscc_division",
            Self::OrgCodeCheck { .. } => "uscc_org_code_check",
            Self::CheckCharacter { .. } => "uscc_check_character",
            Self::PartLength { .. } => "uscc_part_length",
        }
    }

    /// True for errors that [`Uscc::parse_lenient`] downgrades to warnings.
    pub fn is_checksum(&self) -> bool {
        matches!(self, Self::OrgCodeCheck { .. } | Self::CheckCharacter { .. })
    }
}

/// A checksum problem tolerated by [`Uscc::parse_lenient`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "code")]
pub enum UsccWarning {
    /// The 18th character does not match the mod-31 check.
    #[serde(rename = "uscc_check_character_mismatch")]
    CheckCharacterMismatch { expected: char, found: char },
    /// The 17th character does not match the GB 11714 organisation-code check.
    #[serde(rename = "uscc_org_code_check_mismatch")]
    OrgCodeCheckMismatch { expected: char, found: char },
}

impl UsccWarning {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::CheckCharacterMismatch { .. } => "uscc_check_character_mismatch",
            Self::OrgCodeCheckMismatch { .. } => "uscc_org_code_check_mismatch",
        }
    }

    /// The error strict parsing reports for the same problem.
    pub fn to_error(&self) -> UsccError {
        match *self {
            Self::CheckCharacterMismatch { expected, found } => UsccError::CheckCharacter { expected, found },
            Self::OrgCodeCheckMismatch { expected, found } => UsccError::OrgCodeCheck { expected, found },
        }
    }
}

impl fmt::Display for UsccWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::CheckCharacterMismatch { expected, found } => write!(
                f,
                "校验码不符：第 18 位按标准应为“{expected}”，实际为“{found}”（早期试点代码可能如此，已按导入数据接受）"
            ),
            Self::OrgCodeCheckMismatch { expected, found } => {
                write!(f, "组织机构代码校验不符：第 17 位按标准应为“{expected}”，实际为“{found}”（已按导入数据接受）")
            }
        }
    }
}

/// A structurally valid Unified Social Credit Code: 18 upper-case characters
/// from the GB 32100 set with a valid authority/category pair and a numeric
/// division code.
///
/// Values built by [`Uscc::parse`] also pass both checksums. Values built by
/// [`Uscc::parse_lenient`] or deserialised may not; [`Uscc::warnings`] tells.
/// Deserialisation is deliberately lenient: a pilot code admitted on import is
/// stored and must load back. Validate human input with [`Uscc::parse`] at the
/// edge instead of relying on `Deserialize`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Uscc(String);

/// A checksum mismatch found while inspecting a structurally valid code.
#[derive(Debug, Clone, Copy)]
struct Mismatch {
    expected: char,
    found: char,
}

/// Result of checking a normalised, structurally valid code's checksums.
#[derive(Debug)]
struct Checksums {
    org_code: Option<Mismatch>,
    check_character: Option<Mismatch>,
}

impl Checksums {
    fn warnings(&self) -> Vec<UsccWarning> {
        let mut out = Vec::new();
        if let Some(Mismatch { expected, found }) = self.org_code {
            out.push(UsccWarning::OrgCodeCheckMismatch { expected, found });
        }
        if let Some(Mismatch { expected, found }) = self.check_character {
            out.push(UsccWarning::CheckCharacterMismatch { expected, found });
        }
        out
    }
}

/// Structural validation of a normalised candidate. Returns the checksum
/// findings so both parsing modes share one code path.
fn inspect(code: &str) -> Result<Checksums, UsccError> {
    let chars: Vec<char> = code.chars().collect();
    if chars.len() != LEN {
        return Err(UsccError::Length { found: chars.len() });
    }
    // Position 18 is checked last so that a code whose only fault is an
    // impossible check character gets the more useful "should be X" error.
    if let Some((i, &c)) = chars[..17].iter().enumerate().find(|(_, c)| value(**c).is_none()) {
        return Err(UsccError::Charset { position: i + 1, found: c });
    }
    // From here on the first 17 characters are ASCII, so byte slicing
    // within them is safe.
    let (first, second) = (chars[0], chars[1]);
    let authority = RegistrationAuthority::from_code(first).ok_or(UsccError::Authority { found: first })?;
    if authority.category_name_zh(second).is_none() {
        return Err(UsccError::Category { authority, found: second });
    }
    let division = &code[2..8];
    if !division.bytes().all(|b| b.is_ascii_digit()) {
        return Err(UsccError::Division { found: division.to_owned() });
    }

    let last = chars[17];
    if value(last).is_none() {
        return Err(UsccError::CheckCharacterCharset {
            expected: check_character(&code[..17]).unwrap_or('?'),
            found: last,
        });
    }

    // Both checks are computable here: every character is in the 31-set,
    // which is a subset of GB 11714's 0-9A-Z.
    let org_code = org_code_check(&code[8..16])
        .filter(|&expected| expected != chars[16])
        .map(|expected| Mismatch { expected, found: chars[16] });
    let check_character = check_character(&code[..17])
        .filter(|&expected| expected != chars[17])
        .map(|expected| Mismatch { expected, found: chars[17] });
    Ok(Checksums { org_code, check_character })
}

impl Uscc {
    /// Strict parse for manual input: trims, upper-cases and folds full-width
    /// digits/letters to ASCII, then requires the structure and both checks.
    pub fn parse(raw: &str) -> Result<Uscc, UsccError> {
        let code = normalize_input(raw);
        let checks = inspect(&code)?;
        // Report the organisation-code check first: a typo at position 17
        // breaks both checks, and the earlier position is the useful hint.
        if let Some(w) = checks.warnings().first() {
            return Err(w.to_error());
        }
        Ok(Uscc(code))
    }

    /// Import-mode parse: like [`Uscc::parse`], but a wrong organisation-code
    /// check (17th) or check character (18th) is returned as a warning.
    /// Structural errors (length, charset, authority/category, division
    /// digits) remain errors.
    pub fn parse_lenient(raw: &str) -> Result<(Uscc, Vec<UsccWarning>), UsccError> {
        let code = normalize_input(raw);
        let checks = inspect(&code)?;
        Ok((Uscc(code), checks.warnings()))
    }

    /// Builds a code from its parts, computing positions 17 and 18.
    ///
    /// `division` is the 6-digit GB/T 2260 code of the registering authority;
    /// `org_body` is the 8-character organisation code without its check.
    /// Lower-case letters are accepted and upper-cased.
    pub fn from_parts(authority: char, category: char, division: &str, org_body: &str) -> Result<Uscc, UsccError> {
        let division_len = division.chars().count();
        if division_len != 6 {
            return Err(UsccError::PartLength {
                part: "登记管理机关行政区划码", expected: 6, found: division_len
            });
        }
        let body_len = org_body.chars().count();
        if body_len != 8 {
            return Err(UsccError::PartLength { part: "组织机构代码本体", expected: 8, found: body_len });
        }
        let first16: String = [authority, category]
            .into_iter()
            .chain(division.chars())
            .chain(org_body.chars())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        // Placeholder checks ("00") let the structural validation report a bad
        // part with its real position before any checksum is attempted.
        inspect(&format!("{first16}00"))?;
        let Some(org) = org_code_check(&first16[8..]) else {
            // Unreachable: inspect() accepted the body, so it is in 0-9A-Z.
            return Err(UsccError::Length { found: 16 });
        };
        let first17 = format!("{first16}{org}");
        let Some(check) = check_character(&first17) else {
            // Unreachable: the org check is a digit or X, both in the 31-set.
            return Err(UsccError::Length { found: 17 });
        };
        Ok(Uscc(format!("{first17}{check}")))
    }

    /// The normalised 18-character code.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Checksum problems of this value (empty for strictly parsed codes).
    pub fn warnings(&self) -> Vec<UsccWarning> {
        inspect(&self.0).map(|c| c.warnings()).unwrap_or_default()
    }

    fn char_at(&self, i: usize) -> char {
        self.0.as_bytes().get(i).map_or('?', |&b| char::from(b))
    }

    /// Registration authority (position 1).
    pub fn authority(&self) -> RegistrationAuthority {
        // Every constructor validated position 1; the fallback cannot occur.
        RegistrationAuthority::from_code(self.char_at(0)).unwrap_or(RegistrationAuthority::Other)
    }

    /// Organisation category character (position 2).
    pub fn category(&self) -> char {
        self.char_at(1)
    }

    /// Chinese name of the organisation category, e.g. "企业", "个体工商户".
    pub fn category_name_zh(&self) -> &'static str {
        self.authority().category_name_zh(self.category()).unwrap_or("其他")
    }

    /// Division code of the registering authority (positions 3–8).
    pub fn division_code(&self) -> &str {
        &self.0[2..8]
    }

    /// Organisation code including its check character (positions 9–17).
    pub fn org_code(&self) -> &str {
        &self.0[8..17]
    }
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Uscc {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for Uscc {
    type Err = UsccError;

    /// Strict, like [`Uscc::parse`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uscc::parse(s)
    }
}

impl TryFrom<String> for Uscc {
    type Error = UsccError;

    /// Lenient about checksums (see the type docs): this is the path stored
    /// values take back in through serde.
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Uscc::parse_lenient(&s).map(|(u, _)| u)
    }
}

impl From<Uscc> for String {
    fn from(u: Uscc) -> String {
        u.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const VALID: [&str; 3] = ["91350100M000100Y43", "914403001922038216", "91110108551385082Q"];
    const FUJIAN_PILOT: [&str; 3] = ["91350100M0001TGQXM", "91350211M0000XUF46", "91350203M0001FUE2P"];

    #[test]
    fn weights_are_powers_of_three_mod_31() {
        let mut w = 1u32;
        for expected in WEIGHTS {
            assert_eq!(w, expected);
            w = w * 3 % 31;
        }
    }

    #[test]
    fn standard_worked_example() {
        assert_eq!(check_character("91350100M000100Y4"), Some('3'));
        assert_eq!(org_code_check("M000100Y"), Some('4'));
    }

    #[test]
    fn accepts_known_valid_codes() {
        for code in VALID {
            let u = Uscc::parse(code).unwrap();
            assert_eq!(u.as_str(), code);
            assert!(u.warnings().is_empty());
        }
        for code in ["91330100799655058B", "9144030071526726XG", "91440300708461136T"] {
            assert!(Uscc::parse(code).is_ok(), "{code}");
        }
    }

    #[test]
    fn standard_counter_example_is_rejected() {
        // Z is not even in the character set, so this is a structural error
        // that lenient parsing does not forgive either.
        let expected = UsccError::CheckCharacterCharset { expected: '3', found: 'Z' };
        assert_eq!(Uscc::parse("91350100M000100Y4Z"), Err(expected.clone()));
        assert_eq!(Uscc::parse_lenient("91350100M000100Y4Z"), Err(expected.clone()));
        assert_eq!(expected.code(), "uscc_charset");
    }

    #[test]
    fn normalises_case_whitespace_and_full_width() {
        let u = Uscc::parse("  91110108551385082q\t").unwrap();
        assert_eq!(u.as_str(), "91110108551385082Q");
        let u = Uscc::parse("\u{3000}９１３５０１００Ｍ０００１００Ｙ４３").unwrap();
        assert_eq!(u.as_str(), "91350100M000100Y43");
        let u = Uscc::parse("91350100m000100y43").unwrap();
        assert_eq!(u.as_str(), "91350100M000100Y43");
    }

    #[test]
    fn accessors() {
        let u = Uscc::parse("914403001922038216").unwrap();
        assert_eq!(u.authority(), RegistrationAuthority::MarketRegulation);
        assert_eq!(u.authority().name_zh(), "工商");
        assert_eq!(u.category_name_zh(), "企业");
        assert_eq!(u.division_code(), "440300");
        assert_eq!(u.org_code(), "192203821");
        assert_eq!(u.to_string(), "914403001922038216");
    }

    #[test]
    fn structural_errors() {
        let cases: [(&str, &str); 8] = [
            ("", "uscc_length"),
            ("91350100M000100Y4", "uscc_length"),
            ("91350100M000100Y433", "uscc_length"),
            ("91350100M00010OY43", "uscc_charset"),
            ("B1350100M000100Y43", "uscc_authority"),
            ("94350100M000100Y43", "uscc_category"),
            ("Y2350100M000100Y43", "uscc_category"),
            ("9135A100M000100Y43", "uscc_division"),
        ];
        for (raw, code) in cases {
            let e = Uscc::parse(raw).unwrap_err();
            assert_eq!(e.code(), code, "{raw}: {e}");
            let e = Uscc::parse_lenient(raw).unwrap_err();
            assert_eq!(e.code(), code, "lenient {raw}: {e}");
        }
        assert_eq!(Uscc::parse("91350100M00010OY43"), Err(UsccError::Charset { position: 15, found: 'O' }));
    }

    #[test]
    fn error_messages_are_chinese() {
        let e = Uscc::parse("91350100M000100Y4Y").unwrap_err();
        assert_eq!(e.to_string(), "校验码错误：第 18 位应为“3”，实际为“Y”");
        let e = Uscc::parse("91350100M000100Y4Z").unwrap_err();
        assert_eq!(e.to_string(), "第 18 位校验码“Z”不在统一社会信用代码字符集内，按前 17 位计算应为“3”");
        let e = Uscc::parse("94350100M000100Y43").unwrap_err();
        assert_eq!(e.to_string(), "第 2 位机构类别代码“4”不适用于登记管理部门“工商”");
    }

    #[test]
    fn org_code_check_failure_is_reported_first() {
        // Position 17 changed: both checks fail, the org-code one is reported.
        let e = Uscc::parse("91350100M000100Y53").unwrap_err();
        assert_eq!(e.code(), "uscc_org_code_check");
    }

    #[test]
    fn every_single_change_breaks_strict_parse() {
        for code in VALID {
            for pos in 0..LEN {
                for &b in ALPHABET {
                    let c = char::from(b);
                    let mut chars: Vec<char> = code.chars().collect();
                    if chars[pos] == c {
                        continue;
                    }
                    chars[pos] = c;
                    let changed: String = chars.into_iter().collect();
                    assert!(Uscc::parse(&changed).is_err(), "{changed}");
                }
            }
        }
    }

    #[test]
    fn fujian_pilot_codes_lenient_only() {
        let expected_check = ['1', 'R', 'J'];
        for (code, expected) in FUJIAN_PILOT.into_iter().zip(expected_check) {
            assert!(Uscc::parse(code).is_err(), "{code}");
            let (u, warnings) = Uscc::parse_lenient(code).unwrap();
            assert_eq!(u.as_str(), code);
            let found = code.chars().last().unwrap();
            assert!(
                warnings.contains(&UsccWarning::CheckCharacterMismatch { expected, found }),
                "{code}: {warnings:?}"
            );
            // The org-code warning appears exactly when that check fails.
            let org_ok = org_code_check(&code[8..16]) == code.chars().nth(16);
            assert_eq!(warnings.iter().any(|w| w.code() == "uscc_org_code_check_mismatch"), !org_ok);
            assert_eq!(u.warnings(), warnings);
        }
    }

    #[test]
    fn warning_serialises_with_code() {
        let (_, w) = Uscc::parse_lenient("91350100M0001TGQXM").unwrap();
        let json = serde_json::to_value(w.last().unwrap()).unwrap();
        assert_eq!(json["code"], "uscc_check_character_mismatch");
        assert_eq!(json["expected"], "1");
        assert_eq!(json["found"], "M");
    }

    #[test]
    fn serde_round_trip_keeps_pilot_codes() {
        let (u, _) = Uscc::parse_lenient("91350211M0000XUF46").unwrap();
        let json = serde_json::to_string(&u).unwrap();
        assert_eq!(json, "\"91350211M0000XUF46\"");
        let back: Uscc = serde_json::from_str(&json).unwrap();
        assert_eq!(back, u);
        assert!(serde_json::from_str::<Uscc>("\"91350100M00010OY43\"").is_err());
    }

    #[test]
    fn from_str_is_strict() {
        assert!("91350100M0001TGQXM".parse::<Uscc>().is_err());
        assert!("91350100M000100Y43".parse::<Uscc>().is_ok());
    }

    #[test]
    fn from_parts_builds_known_codes() {
        let u = Uscc::from_parts('9', '1', "350100", "M000100Y").unwrap();
        assert_eq!(u.as_str(), "91350100M000100Y43");
        let u = Uscc::from_parts('9', '1', "440300", "19220382").unwrap();
        assert_eq!(u.as_str(), "914403001922038216");
    }

    #[test]
    fn from_parts_errors() {
        assert_eq!(Uscc::from_parts('9', '1', "3501", "M000100Y").unwrap_err().code(), "uscc_part_length");
        assert_eq!(Uscc::from_parts('9', '1', "350100", "M000100").unwrap_err().code(), "uscc_part_length");
        assert_eq!(Uscc::from_parts('9', '4', "350100", "M000100Y").unwrap_err().code(), "uscc_category");
        assert_eq!(
            Uscc::from_parts('9', '1', "350100", "M00010IY"),
            Err(UsccError::Charset { position: 15, found: 'I' })
        );
    }

    #[test]
    fn every_authority_category_pair_round_trips() {
        for a in RegistrationAuthority::ALL {
            for &(c, name) in a.categories() {
                let u = Uscc::from_parts(a.code(), c, "370102", "MA3C0000").unwrap();
                assert_eq!(u.authority(), a);
                assert_eq!(u.category_name_zh(), name);
            }
        }
    }

    fn alphabet_string(len: usize) -> impl Strategy<Value = String> {
        proptest::collection::vec(proptest::sample::select(ALPHABET.to_vec()), len)
            .prop_map(|v| v.into_iter().map(char::from).collect())
    }

    fn authority_and_category() -> impl Strategy<Value = (char, char)> {
        let pairs: Vec<(char, char)> = RegistrationAuthority::ALL
            .into_iter()
            .flat_map(|a| a.categories().iter().map(move |(c, _)| (a.code(), *c)))
            .collect();
        proptest::sample::select(pairs)
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC*") {
            let _ = Uscc::parse(&s);
            let _ = Uscc::parse_lenient(&s);
        }

        #[test]
        fn parse_never_panics_near_valid(s in "[0-9A-Za-z０-９Ａ-Ｚｉ İ]{16,20}") {
            let _ = Uscc::parse(&s);
            let _ = Uscc::parse_lenient(&s);
        }

        #[test]
        fn from_parts_round_trips(
            (a, c) in authority_and_category(),
            division in "[0-9]{6}",
            body in alphabet_string(8),
        ) {
            let u = Uscc::from_parts(a, c, &division, &body).unwrap();
            let parsed = Uscc::parse(u.as_str()).unwrap();
            prop_assert_eq!(&parsed, &u);
            prop_assert_eq!(parsed.division_code(), division.as_str());
            prop_assert_eq!(&parsed.org_code()[..8], body.as_str());
            prop_assert!(parsed.warnings().is_empty());
            let lower = u.as_str().to_lowercase();
            prop_assert_eq!(Uscc::parse(&lower).unwrap(), u);
        }
    }
}

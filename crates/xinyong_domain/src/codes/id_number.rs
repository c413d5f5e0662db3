//! Resident identity number (公民身份号码, GB 11643-1999), 18-character form.
//!
//! Layout: 6-digit address code (GB/T 2260) + 8-digit birth date `YYYYMMDD` +
//! 3-digit sequence (odd = male, even = female) + check character (`0-9` or
//! `X`, ISO 7064 MOD 11-2).
//!
//! The full number is personal information (PIPL Art. 28 treats specific
//! identity data as sensitive), so [`IdNumber`]'s `Display` and `Debug` print
//! the masked form. Code that really needs the full value asks for it with
//! [`IdNumber::as_str`], which makes every such use greppable.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::codes::check::normalize_input;
use crate::mask::MaskConfig;

const LEN: usize = 18;

/// W_i = 2^(18-i) mod 11. All weights are units mod 11, so any single-digit
/// change breaks the check.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// Check character indexed by S mod 11.
const CHECK_CHARS: &[u8; 11] = b"10X98765432";

/// Earliest plausible birth year. Numbers were first issued in 1984, so no
/// holder was born much before 1880 — the year of the GB 11643 example
/// `440524188001010014`, which must stay valid. 1850 leaves margin while
/// still catching century typos such as `0990` or `1090`.
const MIN_BIRTH_YEAR: i32 = 1850;
/// The date field has four year digits.
const MAX_BIRTH_YEAR: i32 = 9999;

/// Computes the check character from the first 17 characters.
///
/// Returns `None` unless `first17` is exactly 17 ASCII digits.
pub fn id_check_character(first17: &str) -> Option<char> {
    if first17.len() != LEN - 1 || !first17.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = first17.bytes().zip(WEIGHTS).map(|(b, w)| u32::from(b - b'0') * w).sum();
    usize::try_from(sum % 11).ok().and_then(|i| CHECK_CHARS.get(i)).map(|&b| char::from(b))
}

/// Sex encoded by the parity of the sequence code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    /// "男" / "女".
    pub fn name_zh(self) -> &'static str {
        match self {
            Sex::Male => "男",
            Sex::Female => "女",
        }
    }
}

/// What is wrong with a birth-date field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BirthDateProblem {
    /// Year before 1850.
    TooEarly,
    /// Year does not fit in four digits (only from [`IdNumber::from_parts`]).
    TooLate,
    /// Not a real calendar date (e.g. month 13, 30 February).
    NotACalendarDate,
}

impl fmt::Display for BirthDateProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::TooEarly => "年份早于 1850 年",
            Self::TooLate => "年份超过 4 位",
            Self::NotACalendarDate => "不是真实存在的日期",
        })
    }
}

/// Why a string is not an 18-character resident identity number.
///
/// Messages never repeat the digits of the input: they end up in logs, and
/// even the birth date alone is personal information.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    #[error("身份证号码应为 18 位，实际为 {found} 位")]
    Length { found: usize },
    #[error("这是 15 位的旧版身份证号码，请改用 18 位的公民身份号码")]
    Legacy15,
    #[error("第 {position} 位字符“{found}”无效：前 17 位须为数字，第 18 位须为数字或 X")]
    Charset { position: usize, found: char },
    #[error("第 7–14 位出生日期无效：{problem}")]
    BirthDate { problem: BirthDateProblem },
    #[error("校验码错误：第 18 位应为“{expected}”，实际为“{found}”")]
    CheckDigit { expected: char, found: char },
    /// Only from [`IdNumber::from_parts`].
    #[error("地址码应为 6 位数字，实际为“{found}”")]
    Division { found: String },
    /// Only from [`IdNumber::from_parts`].
    #[error("顺序码应在 0–999 之间，实际为 {found}")]
    Sequence { found: u16 },
}

impl IdNumberError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Length { .. } => "id_number_length",
            Self::Legacy15 => "id_number_legacy_15",
            Self::Charset { .. } => "id_number_charset",
            Self::BirthDate { .. } => "id_number_birth_date",
            Self::CheckDigit { .. } => "id_number_check_digit",
            Self::Division { .. } => "id_number_division",
            Self::Sequence { .. } => "id_number_sequence",
        }
    }
}

/// A valid 18-character resident identity number, upper-case `X`.
///
/// `Display` and `Debug` print the number masked with
/// [`MaskConfig::default`] so a stray `format!` or log line cannot leak it.
/// Serialisation writes the full number: storage needs it.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdNumber(String);

fn digits_value(s: &str) -> Option<u32> {
    s.parse().ok()
}

/// Validates the `YYYYMMDD` field (8 ASCII digits already guaranteed).
fn birth_date_of(field: &str) -> Result<NaiveDate, IdNumberError> {
    let parts = (
        field.get(0..4).and_then(|s| s.parse::<i32>().ok()),
        field.get(4..6).and_then(digits_value),
        field.get(6..8).and_then(digits_value),
    );
    let (Some(year), Some(month), Some(day)) = parts else {
        return Err(IdNumberError::BirthDate { problem: BirthDateProblem::NotACalendarDate });
    };
    if year < MIN_BIRTH_YEAR {
        return Err(IdNumberError::BirthDate { problem: BirthDateProblem::TooEarly });
    }
    NaiveDate::from_ymd_opt(year, month, day)
        .ok_or(IdNumberError::BirthDate { problem: BirthDateProblem::NotACalendarDate })
}

impl IdNumber {
    /// Parses an 18-character number: trims, folds full-width characters and
    /// lower-case `x`, then checks charset, birth date and check character.
    /// A 15-digit (pre-1999) number is rejected with its own error so clerks
    /// know to look up the new number rather than retype this one.
    pub fn parse(raw: &str) -> Result<IdNumber, IdNumberError> {
        let s = normalize_input(raw);
        let len = s.chars().count();
        if len == 15 && s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(IdNumberError::Legacy15);
        }
        if len != LEN {
            return Err(IdNumberError::Length { found: len });
        }
        for (i, c) in s.chars().enumerate() {
            let ok = c.is_ascii_digit() || (i == LEN - 1 && c == 'X');
            if !ok {
                return Err(IdNumberError::Charset { position: i + 1, found: c });
            }
        }
        // All ASCII from here on.
        birth_date_of(&s[6..14])?;
        let found = s[17..].chars().next().unwrap_or('?');
        match id_check_character(&s[..17]) {
            Some(expected) if expected == found => Ok(IdNumber(s)),
            Some(expected) => Err(IdNumberError::CheckDigit { expected, found }),
            // Unreachable: the first 17 characters were checked to be digits.
            None => Err(IdNumberError::Charset { position: 1, found: '?' }),
        }
    }

    /// Builds a number from its parts, computing the check character.
    /// `sequence` must be 0..=999; its parity determines [`IdNumber::sex`].
    pub fn from_parts(division: &str, birth: NaiveDate, sequence: u16) -> Result<IdNumber, IdNumberError> {
        if division.len() != 6 || !division.bytes().all(|b| b.is_ascii_digit()) {
            return Err(IdNumberError::Division { found: division.to_owned() });
        }
        if sequence > 999 {
            return Err(IdNumberError::Sequence { found: sequence });
        }
        let problem = match birth.year() {
            y if y < MIN_BIRTH_YEAR => Some(BirthDateProblem::TooEarly),
            y if y > MAX_BIRTH_YEAR => Some(BirthDateProblem::TooLate),
            _ => None,
        };
        if let Some(problem) = problem {
            return Err(IdNumberError::BirthDate { problem });
        }
        let first17 = format!("{division}{}{sequence:03}", birth.format("%Y%m%d"));
        let Some(check) = id_check_character(&first17) else {
            // Unreachable: all 17 characters are digits by construction.
            return Err(IdNumberError::Length { found: first17.len() });
        };
        Ok(IdNumber(format!("{first17}{check}")))
    }

    /// The full, unmasked number. Use deliberately.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Date of birth (positions 7–14).
    pub fn birth_date(&self) -> NaiveDate {
        // Validated on construction; the fallback cannot occur.
        birth_date_of(&self.0[6..14]).unwrap_or(NaiveDate::MIN)
    }

    /// Sex from the parity of position 17.
    pub fn sex(&self) -> Sex {
        let digit = self.0.as_bytes().get(16).copied().unwrap_or(b'0');
        if (digit - b'0') % 2 == 1 { Sex::Male } else { Sex::Female }
    }

    /// Address code (positions 1–6): where the holder's household was
    /// registered when the number was issued; it may be a historical code.
    pub fn division_code(&self) -> &str {
        &self.0[..6]
    }

    /// The number masked according to `cfg`.
    pub fn masked(&self, cfg: &MaskConfig) -> String {
        cfg.mask_id(&self.0)
    }
}

impl fmt::Display for IdNumber {
    /// Masked with the default configuration; see the type docs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked(&MaskConfig::default()))
    }
}

impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("IdNumber").field(&self.masked(&MaskConfig::default())).finish()
    }
}

impl FromStr for IdNumber {
    type Err = IdNumberError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        IdNumber::parse(s)
    }
}

impl TryFrom<String> for IdNumber {
    type Error = IdNumberError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        IdNumber::parse(&s)
    }
}

impl From<IdNumber> for String {
    fn from(id: IdNumber) -> String {
        id.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const VALID: [&str; 2] = ["11010519491231002X", "440524188001010014"];

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn weights_are_powers_of_two_mod_11() {
        for (i, w) in WEIGHTS.iter().enumerate() {
            assert_eq!(*w, 2u32.pow(u32::try_from(17 - i).unwrap()) % 11);
        }
    }

    #[test]
    fn accepts_standard_examples() {
        let id = IdNumber::parse("11010519491231002X").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(id.birth_date(), date(1949, 12, 31));
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(id.sex().name_zh(), "女");
        assert_eq!(id.division_code(), "110105");

        let id = IdNumber::parse("440524188001010014").unwrap();
        assert_eq!(id.birth_date(), date(1880, 1, 1));
        assert_eq!(id.sex(), Sex::Male);
        assert_eq!(id.division_code(), "440524");
    }

    #[test]
    fn normalises_input() {
        let id = IdNumber::parse(" 11010519491231002x\n").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        let id = IdNumber::parse("１１０１０５１９４９１２３１００２ｘ").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
    }

    #[test]
    fn errors() {
        let cases: [(&str, &str); 9] = [
            ("", "id_number_length"),
            ("1101051949123100", "id_number_length"),
            ("110105491231002", "id_number_legacy_15"),
            ("11010519491231002X1", "id_number_length"),
            ("1101051949123100X2", "id_number_charset"),
            ("11010519491231002Y", "id_number_charset"),
            ("110105194913310024", "id_number_birth_date"),
            ("110105184912310024", "id_number_birth_date"),
            ("110105194912310021", "id_number_check_digit"),
        ];
        for (raw, code) in cases {
            let e = IdNumber::parse(raw).unwrap_err();
            assert_eq!(e.code(), code, "{raw}: {e}");
        }
    }

    #[test]
    fn messages_are_chinese_and_do_not_echo_digits() {
        let e = IdNumber::parse("110105491231002").unwrap_err();
        assert_eq!(e.to_string(), "这是 15 位的旧版身份证号码，请改用 18 位的公民身份号码");
        let e = IdNumber::parse("110105194902300024").unwrap_err();
        assert_eq!(e.to_string(), "第 7–14 位出生日期无效：不是真实存在的日期");
        let e = IdNumber::parse("110105194912310021").unwrap_err();
        assert_eq!(e.to_string(), "校验码错误：第 18 位应为“X”，实际为“1”");
    }

    #[test]
    fn leap_day() {
        let id = IdNumber::from_parts("370102", date(2000, 2, 29), 123).unwrap();
        assert!(IdNumber::parse(id.as_str()).is_ok());
        // 1900 was not a leap year.
        let mut s = id.as_str().to_owned();
        s.replace_range(6..10, "1900");
        let first17 = &s[..17];
        let fixed = format!("{first17}{}", id_check_character(first17).unwrap());
        assert_eq!(IdNumber::parse(&fixed).unwrap_err().code(), "id_number_birth_date");
    }

    #[test]
    fn every_single_change_breaks_parse() {
        for code in VALID {
            for pos in 0..LEN {
                for c in "0123456789X".chars() {
                    let mut chars: Vec<char> = code.chars().collect();
                    if chars[pos] == c {
                        continue;
                    }
                    chars[pos] = c;
                    let changed: String = chars.into_iter().collect();
                    assert!(IdNumber::parse(&changed).is_err(), "{changed}");
                }
            }
        }
    }

    #[test]
    fn display_and_debug_are_masked() {
        let id = IdNumber::parse("11010519491231002X").unwrap();
        assert_eq!(id.to_string(), "110105********002X");
        assert_eq!(format!("{id:?}"), "IdNumber(\"110105********002X\")");
        assert!(!format!("{id} {id:?} {id:#?}").contains("19491231"));
    }

    #[test]
    fn serde_writes_full_number() {
        let id = IdNumber::parse("11010519491231002X").unwrap();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"11010519491231002X\"");
        assert_eq!(serde_json::from_str::<IdNumber>(&json).unwrap(), id);
        assert!(serde_json::from_str::<IdNumber>("\"110105194912310021\"").is_err());
    }

    #[test]
    fn from_parts_builds_standard_example() {
        let id = IdNumber::from_parts("110105", date(1949, 12, 31), 2).unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
    }

    #[test]
    fn from_parts_errors() {
        let d = date(1990, 1, 1);
        assert_eq!(IdNumber::from_parts("11010", d, 1).unwrap_err().code(), "id_number_division");
        assert_eq!(IdNumber::from_parts("11010a", d, 1).unwrap_err().code(), "id_number_division");
        assert_eq!(IdNumber::from_parts("110105", d, 1000).unwrap_err().code(), "id_number_sequence");
        assert_eq!(
            IdNumber::from_parts("110105", date(1849, 12, 31), 1),
            Err(IdNumberError::BirthDate { problem: BirthDateProblem::TooEarly })
        );
        assert_eq!(
            IdNumber::from_parts("110105", date(10000, 1, 1), 1),
            Err(IdNumberError::BirthDate { problem: BirthDateProblem::TooLate })
        );
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC*") {
            let _ = IdNumber::parse(&s);
        }

        #[test]
        fn from_parts_round_trips(
            division in "[0-9]{6}",
            days in 0i64..(250 * 366),
            sequence in 0u16..=999,
        ) {
            let birth = date(MIN_BIRTH_YEAR, 1, 1) + chrono::Days::new(u64::try_from(days).unwrap());
            prop_assume!(birth.year() <= MAX_BIRTH_YEAR);
            let id = IdNumber::from_parts(&division, birth, sequence).unwrap();
            let parsed = IdNumber::parse(id.as_str()).unwrap();
            prop_assert_eq!(&parsed, &id);
            prop_assert_eq!(parsed.birth_date(), birth);
            prop_assert_eq!(parsed.division_code(), division.as_str());
            let expected_sex = if sequence % 2 == 1 { Sex::Male } else { Sex::Female };
            prop_assert_eq!(parsed.sex(), expected_sex);
        }
    }
}

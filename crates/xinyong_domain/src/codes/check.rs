//! The engine behind `xinyong codes check`: given one string from a clerk's
//! spreadsheet, decide whether it is a Unified Social Credit Code or a
//! resident identity number, validate it, and explain problems in Chinese.
//!
//! Classification is not purely syntactic. An all-digit USCC (e.g.
//! `914403001922038216`) has the same shape as an ID number, and in lenient
//! mode most ID numbers from provinces 11–35 are *structurally* valid USCCs
//! with two checksum warnings. So both validations always run and:
//!
//! 1. if exactly one passes cleanly (no warnings), that kind wins;
//! 2. if both pass cleanly (possible, roughly 1 in 341 for some prefixes),
//!    the kind whose region code names a known province wins, ID number on a
//!    tie, with a `code_ambiguous` warning;
//! 3. otherwise each kind gets a plausibility score from how far its
//!    validation got (shape, region, date or org-code check); the higher
//!    score wins. On a tie a lenient-valid USCC wins, else the result is
//!    `unknown` with the errors of both readings.

use serde::Serialize;

use crate::codes::division;
use crate::codes::id_number::{IdNumber, IdNumberError};
use crate::codes::uscc::{Uscc, UsccError, UsccWarning};

/// Canonical form of user input shared by the code parsers: surrounding
/// whitespace (including the ideographic space U+3000) trimmed, full-width
/// digits and Latin letters folded to ASCII — Chinese input methods produce
/// them — and ASCII letters upper-cased.
pub(crate) fn normalize_input(raw: &str) -> String {
    raw.trim()
        .chars()
        .map(|c| {
            let folded = match c {
                '\u{FF10}'..='\u{FF19}' | '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}' => {
                    // The full-width forms are the ASCII block shifted by 0xFEE0.
                    char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c)
                }
                _ => c,
            };
            folded.to_ascii_uppercase()
        })
        .collect()
}

/// What kind of code the input was taken to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CodeKind {
    Uscc,
    IdNumber,
    Unknown,
}

/// One error or warning, with a stable code and a Chinese message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeMessage {
    pub code: &'static str,
    pub message: String,
}

impl CodeMessage {
    fn new(code: &'static str, message: impl Into<String>) -> Self {
        CodeMessage { code, message: message.into() }
    }
}

impl From<&UsccError> for CodeMessage {
    fn from(e: &UsccError) -> Self {
        CodeMessage::new(e.code(), e.to_string())
    }
}

impl From<&UsccWarning> for CodeMessage {
    fn from(w: &UsccWarning) -> Self {
        CodeMessage::new(w.code(), w.to_string())
    }
}

impl From<&IdNumberError> for CodeMessage {
    fn from(e: &IdNumberError) -> Self {
        CodeMessage::new(e.code(), e.to_string())
    }
}

/// Result of checking one input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeCheck {
    /// The input exactly as given.
    pub input: String,
    pub kind: CodeKind,
    pub valid: bool,
    /// Canonical form when valid. For ID numbers this is the FULL number:
    /// the CLI serves clerks cleaning their own data, not the public.
    pub normalized: Option<String>,
    pub errors: Vec<CodeMessage>,
    pub warnings: Vec<CodeMessage>,
}

/// How plausible a failed reading is; higher means the input looks more like
/// that kind. Clean-valid readings never reach the scoring.
fn id_score(result: &Result<IdNumber, IdNumberError>, normalized: &str) -> u8 {
    let province = u8::from(division::province_of(normalized.get(..6).unwrap_or("")).is_some());
    match result {
        Ok(_) => 4,
        // Fifteen digits and nothing else: only an old ID number looks so.
        Err(IdNumberError::Legacy15) => 3,
        Err(IdNumberError::CheckDigit { .. }) => 2 + province,
        Err(IdNumberError::BirthDate { .. }) => 1 + province,
        Err(_) => 0,
    }
}

fn uscc_score(result: &Result<Uscc, UsccError>, normalized: &str) -> u8 {
    let province = u8::from(division::province_of(normalized.get(2..8).unwrap_or("")).is_some());
    match result {
        Ok(_) => 4,
        // The org-code check passed (a 1-in-11 chance for random digits).
        Err(UsccError::CheckCharacter { .. }) => 2 + province,
        Err(UsccError::OrgCodeCheck { .. } | UsccError::CheckCharacterCharset { .. }) => 1 + province,
        Err(_) => 0,
    }
}

/// All USCC problems of an input, not just the first: when position 17 is
/// wrong both checks fail, and a clerk fixing one should hear about both.
fn uscc_errors(raw: &str, first: &UsccError) -> Vec<CodeMessage> {
    if first.is_checksum()
        && let Ok((_, warnings)) = Uscc::parse_lenient(raw)
    {
        return warnings.iter().map(|w| (&w.to_error()).into()).collect();
    }
    vec![first.into()]
}

fn id_warnings(id: &IdNumber) -> Vec<CodeMessage> {
    if division::province_of(id.division_code()).is_some() {
        return Vec::new();
    }
    vec![CodeMessage::new("id_number_division_unknown", "地址码前两位不是已知的省级行政区划代码，请核对号码")]
}

/// A code valid both ways (rule 2 of the module docs): the kind whose region
/// code names a known province wins, ID number on a tie, with a warning.
fn ambiguous(normalized: &str, warnings: &mut Vec<CodeMessage>) -> CodeKind {
    let id_region = division::province_of(&normalized[..6]).is_some();
    let uscc_region = division::province_of(&normalized[2..8]).is_some();
    let kind = if uscc_region && !id_region { CodeKind::Uscc } else { CodeKind::IdNumber };
    let (chosen, other) = match kind {
        CodeKind::Uscc => ("统一社会信用代码", "身份证号码"),
        CodeKind::IdNumber | CodeKind::Unknown => ("身份证号码", "统一社会信用代码"),
    };
    warnings.push(CodeMessage::new(
        "code_ambiguous",
        format!("该代码同时符合{chosen}和{other}的校验规则，已按{chosen}处理，请人工核对"),
    ));
    kind
}

/// Classifies and validates one code. `lenient` accepts USCC checksum
/// mismatches as warnings (import mode, for data from other authorities);
/// ID numbers have no lenient mode.
pub fn check_code(raw: &str, lenient: bool) -> CodeCheck {
    let normalized = normalize_input(raw);
    let mut check = CodeCheck {
        input: raw.to_owned(),
        kind: CodeKind::Unknown,
        valid: false,
        normalized: None,
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    if normalized.is_empty() {
        check.errors.push(CodeMessage::new("code_empty", "输入为空"));
        return check;
    }

    let id = IdNumber::parse(raw);
    let strict = Uscc::parse(raw);
    let lenient_uscc = if lenient && strict.is_err() { Uscc::parse_lenient(raw).ok() } else { None };
    let id_score = id_score(&id, &normalized);
    let uscc_score = uscc_score(&strict, &normalized);

    let kind = match (&id, &strict) {
        (Ok(_), Err(_)) => CodeKind::IdNumber,
        (Err(_), Ok(_)) => CodeKind::Uscc,
        (Ok(_), Ok(_)) => ambiguous(&normalized, &mut check.warnings),
        (Err(_), Err(_)) => match id_score.cmp(&uscc_score) {
            std::cmp::Ordering::Greater => CodeKind::IdNumber,
            std::cmp::Ordering::Less => CodeKind::Uscc,
            std::cmp::Ordering::Equal if lenient_uscc.is_some() => CodeKind::Uscc,
            std::cmp::Ordering::Equal => CodeKind::Unknown,
        },
    };
    check.kind = kind;

    match kind {
        CodeKind::IdNumber => match &id {
            Ok(n) => {
                check.valid = true;
                check.normalized = Some(n.as_str().to_owned());
                check.warnings.extend(id_warnings(n));
            }
            Err(e) => check.errors.push(e.into()),
        },
        CodeKind::Uscc => match (&strict, lenient_uscc) {
            (Ok(u), _) => {
                check.valid = true;
                check.normalized = Some(u.as_str().to_owned());
            }
            (Err(_), Some((u, warnings))) => {
                check.valid = true;
                check.normalized = Some(u.as_str().to_owned());
                check.warnings.extend(warnings.iter().map(CodeMessage::from));
            }
            (Err(e), None) => check.errors.extend(uscc_errors(raw, e)),
        },
        CodeKind::Unknown => {
            check.errors.push(CodeMessage::new("code_unrecognized", "无法识别为统一社会信用代码或身份证号码"));
            if let Err(e) = &strict {
                check.errors.extend(
                    uscc_errors(raw, e)
                        .into_iter()
                        .map(|m| CodeMessage {
                            message: format!("按统一社会信用代码校验：{}", m.message), ..m
                        }),
                );
            }
            if let Err(e) = &id {
                let m = CodeMessage::from(e);
                check.errors.push(CodeMessage { message: format!("按身份证号码校验：{}", m.message), ..m });
            }
        }
    }
    check
}

#[cfg(test)]
mod tests {
    use super::*;

    const USCC_VALID: [&str; 3] = ["91350100M000100Y43", "914403001922038216", "91110108551385082Q"];
    const ID_VALID: [&str; 2] = ["11010519491231002X", "440524188001010014"];
    const FUJIAN_PILOT: [&str; 3] = ["91350100M0001TGQXM", "91350211M0000XUF46", "91350203M0001FUE2P"];
    const USCC_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

    fn codes(messages: &[CodeMessage]) -> Vec<&'static str> {
        messages.iter().map(|m| m.code).collect()
    }

    #[test]
    fn normalize_input_folds_full_width_and_case() {
        assert_eq!(normalize_input("\u{3000} ９１ａｂx\t"), "91ABX");
        assert_eq!(normalize_input("张三"), "张三");
    }

    #[test]
    fn valid_usccs() {
        for code in USCC_VALID {
            for lenient in [false, true] {
                let r = check_code(code, lenient);
                assert_eq!(r.kind, CodeKind::Uscc, "{code}");
                assert!(r.valid, "{code}: {r:?}");
                assert_eq!(r.normalized.as_deref(), Some(code));
                assert!(r.errors.is_empty() && r.warnings.is_empty(), "{r:?}");
            }
        }
    }

    #[test]
    fn valid_id_numbers() {
        for code in ID_VALID {
            for lenient in [false, true] {
                let r = check_code(code, lenient);
                assert_eq!(r.kind, CodeKind::IdNumber, "{code}");
                assert!(r.valid, "{code}: {r:?}");
                assert_eq!(r.normalized.as_deref(), Some(code));
                assert!(r.errors.is_empty() && r.warnings.is_empty(), "{r:?}");
            }
        }
        let r = check_code(" 11010519491231002x ", false);
        assert_eq!(r.input, " 11010519491231002x ");
        assert_eq!(r.normalized.as_deref(), Some("11010519491231002X"));
    }

    /// A single changed character never yields a valid code *of the intended
    /// kind*. It may, in principle, yield a valid code of the other kind
    /// (every all-digit string is a candidate ID number); that is a different
    /// code, not a false acceptance, so the test allows it and counts it.
    #[test]
    fn single_character_changes_are_rejected() {
        let mut other_kind_valid = 0;
        let cases = USCC_VALID
            .iter()
            .map(|c| (*c, CodeKind::Uscc, USCC_ALPHABET))
            .chain(ID_VALID.iter().map(|c| (*c, CodeKind::IdNumber, "0123456789X")));
        for (code, kind, alphabet) in cases {
            for pos in 0..18 {
                for c in alphabet.chars() {
                    let mut chars: Vec<char> = code.chars().collect();
                    if chars[pos] == c {
                        continue;
                    }
                    chars[pos] = c;
                    let changed: String = chars.into_iter().collect();
                    let r = check_code(&changed, false);
                    assert!(!(r.valid && r.kind == kind), "{changed} accepted as {kind:?}");
                    if r.valid {
                        assert_ne!(r.normalized.as_deref(), Some(code));
                        other_kind_valid += 1;
                    }
                }
            }
        }
        // Keep an eye on how often a typo lands on a valid code of the other
        // kind; with these vectors it is rare.
        assert!(other_kind_valid < 10, "{other_kind_valid}");
    }

    #[test]
    fn fujian_pilot_codes() {
        for code in FUJIAN_PILOT {
            let strict = check_code(code, false);
            assert_eq!(strict.kind, CodeKind::Uscc);
            assert!(!strict.valid);
            assert!(codes(&strict.errors).contains(&"uscc_check_character"), "{strict:?}");

            let lenient = check_code(code, true);
            assert_eq!(lenient.kind, CodeKind::Uscc);
            assert!(lenient.valid, "{lenient:?}");
            assert_eq!(lenient.normalized.as_deref(), Some(code));
            assert!(lenient.errors.is_empty());
            let w = codes(&lenient.warnings);
            assert!(w.contains(&"uscc_check_character_mismatch"), "{w:?}");
            // Strict errors and lenient warnings describe the same problems.
            assert_eq!(strict.errors.len(), lenient.warnings.len());
        }
    }

    #[test]
    fn counter_example_is_invalid() {
        let r = check_code("91350100M000100Y4Z", false);
        assert_eq!(r.kind, CodeKind::Uscc);
        assert!(!r.valid);
        assert_eq!(codes(&r.errors), ["uscc_charset"]);
        assert_eq!(r.errors[0].message, "第 18 位校验码“Z”不在统一社会信用代码字符集内，按前 17 位计算应为“3”");
        assert_eq!(r.normalized, None);
        let r = check_code("91350100M000100Y4Z", true);
        assert_eq!((r.kind, r.valid), (CodeKind::Uscc, false));
    }

    #[test]
    fn wrong_org_code_check_reports_both_checks() {
        let r = check_code("91350100M000100Y53", false);
        assert_eq!(r.kind, CodeKind::Uscc);
        assert_eq!(codes(&r.errors), ["uscc_org_code_check", "uscc_check_character"]);
    }

    #[test]
    fn mistyped_id_is_not_taken_for_a_lenient_uscc() {
        // Structurally a USCC (authority 1, category 1), so lenient USCC
        // parsing accepts it with warnings; it is far more plausibly an ID
        // number with a wrong check digit.
        let raw = "110105194912310021";
        assert!(Uscc::parse_lenient(raw).is_ok());
        for lenient in [false, true] {
            let r = check_code(raw, lenient);
            assert_eq!(r.kind, CodeKind::IdNumber);
            assert!(!r.valid);
            assert_eq!(codes(&r.errors), ["id_number_check_digit"]);
        }
    }

    #[test]
    fn mistyped_numeric_uscc_is_a_uscc() {
        let r = check_code("914403001922038217", false);
        assert_eq!(r.kind, CodeKind::Uscc);
        assert_eq!(codes(&r.errors), ["uscc_check_character"]);
    }

    #[test]
    fn legacy_15_digit_id() {
        let r = check_code("110105491231002", false);
        assert_eq!(r.kind, CodeKind::IdNumber);
        assert_eq!(codes(&r.errors), ["id_number_legacy_15"]);
    }

    #[test]
    fn unknown_inputs() {
        let r = check_code("   ", false);
        assert_eq!(r.kind, CodeKind::Unknown);
        assert_eq!(codes(&r.errors), ["code_empty"]);

        let r = check_code("hello", false);
        assert_eq!(r.kind, CodeKind::Unknown);
        assert!(!r.valid);
        assert_eq!(codes(&r.errors), ["code_unrecognized", "uscc_length", "id_number_length"]);
        assert!(r.errors[1].message.starts_with("按统一社会信用代码校验："));
        assert!(r.errors[2].message.starts_with("按身份证号码校验："));
    }

    #[test]
    fn both_valid_is_flagged_ambiguous() {
        // Search deterministically for an all-digit string that passes both
        // validations: ID number 3101xx… read as USCC authority 3
        // (司法行政), category 1, division 01xx19 → unknown province, so the
        // ID reading must win.
        let found = (0..1000u16)
            .filter_map(|seq| {
                let birth = chrono::NaiveDate::from_ymd_opt(1990, 5, 17)?;
                IdNumber::from_parts("310104", birth, seq).ok()
            })
            .find(|id| Uscc::parse(id.as_str()).is_ok())
            .unwrap();
        let r = check_code(found.as_str(), false);
        assert_eq!(r.kind, CodeKind::IdNumber);
        assert!(r.valid);
        assert_eq!(codes(&r.warnings), ["code_ambiguous"]);
    }

    #[test]
    fn unknown_id_province_warns() {
        let id = IdNumber::from_parts("990101", chrono::NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(), 1).unwrap();
        let r = check_code(id.as_str(), false);
        assert_eq!(r.kind, CodeKind::IdNumber);
        assert!(r.valid);
        assert_eq!(codes(&r.warnings), ["id_number_division_unknown"]);
    }

    #[test]
    fn serialises_for_the_cli() {
        let r = check_code("91350100M0001TGQXM", true);
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["kind"], "uscc");
        assert_eq!(json["valid"], true);
        assert_eq!(json["warnings"][0]["code"], "uscc_check_character_mismatch");
        let r = check_code("11010519491231002X", false);
        assert_eq!(serde_json::to_value(&r).unwrap()["kind"], "id_number");
        assert_eq!(serde_json::to_value(check_code("x", false)).unwrap()["kind"], "unknown");
    }
}

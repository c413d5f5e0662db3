//! Personal data inside free text: resident ID numbers, mobile and landline
//! telephone numbers, e-mail addresses and bank card numbers. Clerks paste
//! them into 违法事实 or 备注 ("员工张小凤（手机13912345678）"); the portal
//! masks every one of them wherever text is public, and intake warns the
//! department row by row.
//!
//! The shapes are simple and checked, so this is a small scanner rather than
//! a regular-expression engine in the pure domain: digit groups (joined by
//! single `-` or spaces) are classified whole — 18 characters with a valid
//! GB 11643 check digit and date are an ID number; 11 digits `1[3-9]…` a
//! mobile number; `0` + 2–3 digits, `-`, 7–8 digits a landline; 16–19 digits
//! passing the Luhn check and not a valid USCC a bank card — and a group
//! touching ASCII letters is part of a code, not a number. Names of natural
//! persons cannot be found reliably in free text; departments say so per row
//! (see docs/IMPORT.md).

use crate::codes::id_number::IdNumber;
use crate::codes::uscc::Uscc;
use crate::mask::MaskConfig;

/// What was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PersonalKind {
    IdNumber,
    Mobile,
    Landline,
    Email,
    BankCard,
}

impl PersonalKind {
    /// The name clerks read in warnings.
    pub fn label(self) -> &'static str {
        match self {
            PersonalKind::IdNumber => "身份证号码",
            PersonalKind::Mobile => "手机号码",
            PersonalKind::Landline => "固定电话",
            PersonalKind::Email => "电子邮箱",
            PersonalKind::BankCard => "银行卡号",
        }
    }
}

/// One finding: its kind and byte range in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    pub kind: PersonalKind,
    pub start: usize,
    pub end: usize,
}

/// Every piece of personal data in `text`, in order, not overlapping.
pub fn find_personal_data(text: &str) -> Vec<Found> {
    let mut found = numbers(text);
    found.extend(emails(text));
    found.sort_by_key(|f| f.start);
    // An e-mail local part made of digits also looks like a number: the
    // e-mail wins, being the longer finding that starts first or contains it.
    let mut out: Vec<Found> = Vec::with_capacity(found.len());
    for f in found {
        match out.last_mut() {
            Some(last) if f.start < last.end => {
                if f.end - f.start > last.end - last.start {
                    *last = f;
                }
            }
            _ => out.push(f),
        }
    }
    out
}

/// `text` with every finding masked; the rest unchanged.
pub fn scrub_personal_data(text: &str, mask: &MaskConfig) -> String {
    let found = find_personal_data(text);
    if found.is_empty() {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for f in found {
        out.push_str(&text[at..f.start]);
        out.push_str(&masked(f.kind, &text[f.start..f.end], mask));
        at = f.end;
    }
    out.push_str(&text[at..]);
    out
}

fn masked(kind: PersonalKind, s: &str, mask: &MaskConfig) -> String {
    let m = mask.mask_char;
    match kind {
        PersonalKind::IdNumber => mask.mask_id(&s.to_ascii_uppercase()),
        // 139****5678: operator prefix and the last four, as banks show them.
        PersonalKind::Mobile => keep_digits(s, 3, 4, m),
        // The area code and the last two digits.
        PersonalKind::Landline => {
            let area = s.find(['-', ' ']).unwrap_or(0);
            format!("{}{}", &s[..area], keep_digits(&s[area..], 0, 2, m))
        }
        PersonalKind::BankCard => keep_digits(s, 0, 4, m),
        PersonalKind::Email => {
            let (local, domain) = s.split_once('@').unwrap_or((s, ""));
            let first: String = local.chars().take(1).collect();
            let hidden = m.to_string().repeat(local.chars().count().saturating_sub(1).max(1));
            format!("{first}{hidden}@{domain}")
        }
    }
}

/// Masks the digits of `s` except the first `head` and last `tail`,
/// keeping separators, one mask character per digit.
fn keep_digits(s: &str, head: usize, tail: usize, m: char) -> String {
    let digits = s.bytes().filter(u8::is_ascii_digit).count();
    let mut seen = 0;
    s.chars()
        .map(|c| {
            if !c.is_ascii_digit() {
                return c;
            }
            seen += 1;
            if seen <= head || seen > digits.saturating_sub(tail) { c } else { m }
        })
        .collect()
}

/// A digit group: digits joined by single `-` or spaces, possibly ending in
/// `X` (an ID number's check character).
struct Group {
    start: usize,
    end: usize,
    /// Byte ranges of the digit runs inside it.
    runs: Vec<(usize, usize)>,
}

fn is_digit(b: u8) -> bool {
    b.is_ascii_digit()
}

/// Every digit group of `text` not touching ASCII letters.
fn groups(text: &str) -> Vec<Group> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !is_digit(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        let mut runs = Vec::new();
        loop {
            let run_start = i;
            while i < b.len() && is_digit(b[i]) {
                i += 1;
            }
            runs.push((run_start, i));
            // One separator, then more digits: the same group.
            if i + 1 < b.len() && matches!(b[i], b'-' | b' ') && is_digit(b[i + 1]) {
                i += 1;
                continue;
            }
            break;
        }
        let mut end = i;
        if end < b.len() && matches!(b[end], b'X' | b'x') {
            end += 1;
        }
        let letter_before = start > 0 && b[start - 1].is_ascii_alphabetic();
        let letter_after = b.get(end).is_some_and(u8::is_ascii_alphabetic);
        if !letter_before && !letter_after {
            out.push(Group { start, end, runs });
        }
        i = end.max(i);
    }
    out
}

fn numbers(text: &str) -> Vec<Found> {
    let mut out = Vec::new();
    for g in groups(text) {
        let whole = &text[g.start..g.end];
        if let Some(kind) = classify(whole) {
            out.push(Found { kind, start: g.start, end: g.end });
            continue;
        }
        // "13912345678 13812345678": each run on its own. A trailing X
        // belongs to the last run.
        let last = g.runs.len() - 1;
        for (n, (s, e)) in g.runs.iter().copied().enumerate() {
            let e = if n == last { g.end } else { e };
            if let Some(kind) = classify(&text[s..e]) {
                out.push(Found { kind, start: s, end: e });
            }
        }
    }
    out
}

fn classify(s: &str) -> Option<PersonalKind> {
    let digits: String = s.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
    let all_digits = digits.bytes().all(is_digit);
    if digits.len() == 18 && !s.contains([' ', '-']) && IdNumber::parse(&digits.to_ascii_uppercase()).is_ok() {
        return Some(PersonalKind::IdNumber);
    }
    if !all_digits {
        return None;
    }
    let b = digits.as_bytes();
    if digits.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) {
        return Some(PersonalKind::Mobile);
    }
    if is_landline(s) {
        return Some(PersonalKind::Landline);
    }
    if (16..=19).contains(&digits.len()) && luhn(b) && Uscc::parse(&digits).is_err() {
        return Some(PersonalKind::BankCard);
    }
    None
}

/// `0` + 2–3 digits, one separator, 7–8 digits: 0531-86088888.
fn is_landline(s: &str) -> bool {
    let Some((area, number)) = s.split_once(['-', ' ']) else { return false };
    let digits = |t: &str| t.bytes().all(is_digit);
    area.starts_with('0')
        && (3..=4).contains(&area.len())
        && digits(area)
        && (7..=8).contains(&number.len())
        && digits(number)
}

/// The Luhn check (ISO/IEC 7812) over ASCII digits.
fn luhn(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            let d = u32::from(d - b'0');
            if i % 2 == 1 {
                let twice = d * 2;
                if twice > 9 { twice - 9 } else { twice }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

fn emails(text: &str) -> Vec<Found> {
    let b = text.as_bytes();
    let local = |c: u8| c.is_ascii_alphanumeric() || b"._%+-".contains(&c);
    let domain = |c: u8| c.is_ascii_alphanumeric() || c == b'.' || c == b'-';
    let mut out = Vec::new();
    for (at, _) in text.match_indices('@') {
        let mut start = at;
        while start > 0 && local(b[start - 1]) {
            start -= 1;
        }
        let mut end = at + 1;
        while end < b.len() && domain(b[end]) {
            end += 1;
        }
        // A sentence's full stop after the address is not part of it.
        while end > at + 1 && b[end - 1] == b'.' {
            end -= 1;
        }
        let host = &text[at + 1..end];
        let tld_ok = host.rsplit_once('.').is_some_and(|(name, tld)| {
            !name.is_empty() && tld.len() >= 2 && tld.bytes().all(|c| c.is_ascii_alphabetic())
        });
        if start < at && tld_ok {
            out.push(Found { kind: PersonalKind::Email, start, end });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scrub(text: &str) -> String {
        scrub_personal_data(text, &MaskConfig::default())
    }

    fn kinds(text: &str) -> Vec<PersonalKind> {
        find_personal_data(text).into_iter().map(|f| f.kind).collect()
    }

    #[test]
    fn the_probes_free_text_is_masked() {
        assert_eq!(
            scrub("员工张小凤（手机13912345678，邮箱zxf@example.com）"),
            "员工张小凤（手机139****5678，邮箱z**@example.com）"
        );
        assert_eq!(scrub("举报人王大锤 15866667777"), "举报人王大锤 158****7777");
    }

    #[test]
    fn each_kind_is_found_and_masked() {
        assert_eq!(scrub("身份证11010519491231002x号"), "身份证110105********002X号");
        assert_eq!(scrub("电话0531-86088888。"), "电话0531-******88。");
        assert_eq!(scrub("卡号6222 0212 3456 7894"), "卡号**** **** **** 7894");
        assert_eq!(scrub("手机 139-1234-5678"), "手机 139-****-5678");
        assert_eq!(scrub("两个号码13912345678 13812345678"), "两个号码139****5678 138****5678");
        assert_eq!(kinds("6222021234567894"), [PersonalKind::BankCard]);
    }

    #[test]
    fn what_is_not_personal_data_is_left_alone() {
        for text in [
            "罚款2000元",
            "2026-11-02 作出决定",
            "济建罚〔2026〕801号",
            "统一社会信用代码91370100MA3C000002",
            // A digits-only USCC of a government body, and a USCC-looking
            // number with a wrong Luhn digit.
            "处罚机关113701000041882744",
            "合同编号ABC13912345678",
            "违反第64条第1款",
            "注册资本12345678901234567元",
            "电邮未留@",
        ] {
            assert_eq!(scrub(text), text, "{text}");
        }
    }

    #[test]
    fn luhn_matches_known_numbers() {
        assert!(luhn(b"4111111111111111"));
        assert!(!luhn(b"4111111111111112"));
        assert!(luhn(b"79927398713"));
    }
}

//! Masking of personal data for display and publication.
//!
//! No national mask pattern for the 双公示 portals exists (DOMAIN §1.3), so
//! the pattern is configuration. The default follows common practice: keep
//! the first 6 and last 4 characters of an ID number, and show a name as
//! surname + last character of the given name (张*三).
//!
//! Masks preserve length (one mask character per hidden character) so a
//! reader can still tell an 18-character number from a 15-character one.

use serde::{Deserialize, Serialize};

use crate::codes::id_number::IdNumber;

/// How personal names are masked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NameMaskStyle {
    /// Keep the surname and the last character of the given name:
    /// 张三丰 → 张*丰, 欧阳小锋 → 欧阳*锋, 欧阳小小锋 → 欧阳**锋.
    /// A one-character given name is hidden entirely: 张三 → 张*, 欧阳锋 → 欧阳*.
    #[default]
    KeepFirstAndLast,
    /// Keep only the surname: 张三丰 → 张**, 欧阳锋 → 欧阳*.
    KeepFirst,
    /// Hide every character: 张三丰 → ***.
    Full,
}

/// Masking configuration. Missing fields in a config file take the defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MaskConfig {
    /// Leading characters of an ID number left visible (default 6: the
    /// address code, which is public knowledge about a region).
    pub id_keep_prefix: usize,
    /// Trailing characters of an ID number left visible (default 4).
    pub id_keep_suffix: usize,
    /// Replacement character (default `*`).
    pub mask_char: char,
    /// Name style (default [`NameMaskStyle::KeepFirstAndLast`]).
    pub name_style: NameMaskStyle,
}

impl Default for MaskConfig {
    fn default() -> Self {
        MaskConfig { id_keep_prefix: 6, id_keep_suffix: 4, mask_char: '*', name_style: NameMaskStyle::KeepFirstAndLast }
    }
}

/// Two-character surnames (复姓) common enough that treating their second
/// character as part of the given name would reveal more of the given name
/// than intended. A single-character surname that happens to start one of
/// these (e.g. 司 + 马X) is rare; for it the mask keeps one character less of
/// the given name, which errs on the side of hiding.
const COMPOUND_SURNAMES: &[&str] = &[
    "欧阳", "太史", "端木", "上官", "司马", "东方", "独孤", "南宫", "万俟", "闻人", "夏侯", "诸葛", "尉迟", "公羊",
    "赫连", "澹台", "皇甫", "宗政", "濮阳", "公冶", "太叔", "申屠", "公孙", "慕容", "仲孙", "钟离", "长孙", "宇文",
    "司徒", "鲜于", "司空", "闾丘", "子车", "亓官", "司寇", "巫马", "公西", "颛孙", "壤驷", "公良", "漆雕", "乐正",
    "宰父", "谷梁", "拓跋", "夹谷", "轩辕", "令狐", "段干", "百里", "呼延", "东郭", "南门", "羊舌", "微生", "梁丘",
    "左丘", "西门", "第五",
];

/// Characters separating parts of a transliterated name (e.g. 买买提·艾力);
/// they carry no personal information and keep the masked name readable.
fn is_name_separator(c: char) -> bool {
    matches!(c, '·' | '•' | '・' | '.' | ' ' | '\u{3000}')
}

impl MaskConfig {
    /// Masks an identifier, keeping `id_keep_prefix` leading and
    /// `id_keep_suffix` trailing characters.
    ///
    /// Fails closed: if the string is too short for anything to be hidden
    /// with the configured prefix and suffix, every character is masked.
    pub fn mask_id(&self, id: &str) -> String {
        let chars: Vec<char> = id.chars().collect();
        let keep = self.id_keep_prefix.saturating_add(self.id_keep_suffix);
        if keep >= chars.len() {
            return self.mask_char.to_string().repeat(chars.len());
        }
        let tail_start = chars.len() - self.id_keep_suffix;
        chars
            .iter()
            .enumerate()
            .map(|(i, &c)| if i < self.id_keep_prefix || i >= tail_start { c } else { self.mask_char })
            .collect()
    }

    /// Masks a personal name according to `name_style` (see
    /// [`NameMaskStyle`] for examples). Surrounding whitespace is trimmed;
    /// separators such as `·` stay visible.
    pub fn mask_name(&self, name: &str) -> String {
        let name = name.trim();
        let chars: Vec<char> = name.chars().collect();
        if chars.is_empty() {
            return String::new();
        }
        let surname_len = if chars.len() > 2 && COMPOUND_SURNAMES.iter().any(|s| name.starts_with(s)) { 2 } else { 1 };
        let given_len = chars.len().saturating_sub(surname_len);
        let (keep_head, keep_last) = match self.name_style {
            NameMaskStyle::Full => (0, false),
            NameMaskStyle::KeepFirst => (surname_len, false),
            // A one-character given name is hidden entirely; otherwise the
            // name would be shown in full.
            NameMaskStyle::KeepFirstAndLast => (surname_len, given_len >= 2),
        };
        // A one-character "name" is shown as a single mask character.
        let keep_head = if chars.len() == 1 { 0 } else { keep_head };
        let last = chars.len() - 1;
        chars
            .iter()
            .enumerate()
            .map(
                |(i, &c)| {
                    if i < keep_head || (keep_last && i == last) || is_name_separator(c) { c } else { self.mask_char }
                },
            )
            .collect()
    }
}

/// Finds checksum-valid 18-character resident identity numbers embedded in
/// `text`, returned in canonical form (upper-case `X`) in order of
/// appearance.
///
/// A candidate is 17 ASCII digits plus a digit or `X`/`x`, not directly
/// preceded or followed by another ASCII digit (letters may touch it). It
/// must pass [`IdNumber::parse`], including the birth-date check, which keeps
/// false positives from long numeric strings low. Intended for leak tests
/// and log scrubbing, not for extracting data.
pub fn find_id_numbers(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i + 18 <= bytes.len() {
        let starts_run = i == 0 || !bytes[i - 1].is_ascii_digit();
        let body_digits = bytes[i..i + 17].iter().all(u8::is_ascii_digit);
        let last = bytes[i + 17];
        let last_ok = last.is_ascii_digit() || last == b'X' || last == b'x';
        let ends_run = bytes.get(i + 18).is_none_or(|b| !b.is_ascii_digit());
        if starts_run && body_digits && last_ok && ends_run {
            // Every byte in the window is ASCII, so the slice is on char
            // boundaries.
            if let Some(id) = text.get(i..i + 18).and_then(|s| IdNumber::parse(s).ok()) {
                found.push(id.as_str().to_owned());
                i += 18;
                continue;
            }
        }
        i += 1;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn default_id_mask_keeps_6_and_4() {
        let cfg = MaskConfig::default();
        assert_eq!(cfg.mask_id("11010519491231002X"), "110105********002X");
        assert_eq!(cfg.mask_id("440524188001010014"), "440524********0014");
    }

    #[test]
    fn id_mask_is_configurable() {
        let cfg = MaskConfig { id_keep_prefix: 3, id_keep_suffix: 1, mask_char: '#', ..MaskConfig::default() };
        assert_eq!(cfg.mask_id("11010519491231002X"), "110##############X");
        let cfg = MaskConfig { id_keep_prefix: 0, id_keep_suffix: 0, ..MaskConfig::default() };
        assert_eq!(cfg.mask_id("11010519491231002X"), "*".repeat(18));
    }

    #[test]
    fn short_ids_fail_closed() {
        let cfg = MaskConfig::default();
        assert_eq!(cfg.mask_id("1234567890"), "**********");
        assert_eq!(cfg.mask_id("12345678901"), "123456*8901");
        assert_eq!(cfg.mask_id(""), "");
        let cfg = MaskConfig { id_keep_prefix: usize::MAX, ..MaskConfig::default() };
        assert_eq!(cfg.mask_id("abc"), "***");
    }

    #[test]
    fn name_keep_first_and_last() {
        let cfg = MaskConfig::default();
        let cases = [
            ("张三", "张*"),
            ("张某三", "张*三"),
            ("张三丰", "张*丰"),
            ("王小二子", "王**子"),
            ("欧阳锋", "欧阳*"),
            ("欧阳小锋", "欧阳*锋"),
            ("欧阳小小锋", "欧阳**锋"),
            ("欧阳", "欧*"),
            ("张", "*"),
            ("  李四 ", "李*"),
            ("", ""),
            ("买买提·艾力", "买**·*力"),
        ];
        for (name, masked) in cases {
            assert_eq!(cfg.mask_name(name), masked, "{name}");
        }
    }

    #[test]
    fn name_keep_first_and_full() {
        let first = MaskConfig { name_style: NameMaskStyle::KeepFirst, ..MaskConfig::default() };
        assert_eq!(first.mask_name("张三丰"), "张**");
        assert_eq!(first.mask_name("张三"), "张*");
        assert_eq!(first.mask_name("欧阳小锋"), "欧阳**");
        let full = MaskConfig { name_style: NameMaskStyle::Full, mask_char: '某', ..MaskConfig::default() };
        assert_eq!(full.mask_name("张三丰"), "某某某");
    }

    #[test]
    fn config_from_partial_toml() {
        let cfg: MaskConfig = toml::from_str("id_keep_prefix = 4\nname_style = \"full\"").unwrap();
        assert_eq!(cfg.id_keep_prefix, 4);
        assert_eq!(cfg.id_keep_suffix, 4);
        assert_eq!(cfg.mask_char, '*');
        assert_eq!(cfg.name_style, NameMaskStyle::Full);
    }

    #[test]
    fn finds_embedded_numbers() {
        let text = "当事人张三（身份证号11010519491231002x），另有440524188001010014。";
        assert_eq!(find_id_numbers(text), vec!["11010519491231002X".to_owned(), "440524188001010014".to_owned()]);
    }

    #[test]
    fn ignores_masked_invalid_and_longer_runs() {
        assert!(find_id_numbers("110105********002X").is_empty());
        assert!(find_id_numbers("110105194912310021").is_empty());
        assert!(find_id_numbers("911101085513850820000").is_empty());
        // Digit boundaries: part of a longer digit run is not a match …
        assert!(find_id_numbers("011010519491231002X").is_empty());
        assert!(find_id_numbers("4405241880010100141").is_empty());
        // … but letters may touch it.
        assert_eq!(find_id_numbers("id=11010519491231002Xabc").len(), 1);
        assert_eq!(find_id_numbers("a440524188001010014b").len(), 1);
    }

    proptest! {
        #[test]
        fn finds_number_in_arbitrary_text(
            prefix in "\\PC*",
            suffix in "\\PC*",
            division in "[1-8][0-9]{5}",
            days in 0i64..40_000,
            sequence in 0u16..=999,
        ) {
            let birth = chrono::NaiveDate::from_ymd_opt(1920, 1, 1).unwrap()
                + chrono::Days::new(u64::try_from(days).unwrap());
            let id = IdNumber::from_parts(&division, birth, sequence).unwrap();
            // Separate from the surrounding text only when it ends/starts with
            // an ASCII digit: that is the documented boundary rule.
            let sep_before = if prefix.ends_with(|c: char| c.is_ascii_digit()) { " " } else { "" };
            let sep_after = if suffix.starts_with(|c: char| c.is_ascii_digit()) { " " } else { "" };
            let text = format!("{prefix}{sep_before}{}{sep_after}{suffix}", id.as_str());
            let found = find_id_numbers(&text);
            prop_assert!(found.iter().any(|f| f == id.as_str()), "{:?} in {:?}", id.as_str(), text);
        }

        #[test]
        fn masking_never_panics(s in "\\PC*", prefix in 0usize..30, suffix in 0usize..30) {
            let cfg = MaskConfig { id_keep_prefix: prefix, id_keep_suffix: suffix, ..MaskConfig::default() };
            prop_assert_eq!(cfg.mask_id(&s).chars().count(), s.chars().count());
            let _ = cfg.mask_name(&s);
        }
    }
}

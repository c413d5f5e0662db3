//! Bytes → text for CSV uploads, and the delimiter sniffing.

use std::borrow::Cow;

use crate::{Encoding, TabularError};

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
const UTF16LE_BOM: &[u8] = b"\xFF\xFE";
const UTF16BE_BOM: &[u8] = b"\xFE\xFF";

/// GB18030 decoding may leave this many U+FFFD per 1000 characters before we
/// call the encoding unrecognised: a file cut mid-character, or one stray
/// byte from a copy-paste, should not block an otherwise readable upload.
/// Random binary or a wrong encoding produces far more.
const REPLACEMENT_PER_MILLE: usize = 1;

/// A text file has (almost) no C0 control characters besides tab, newline,
/// vertical tab, form feed and carriage return. More than 1 % of them means
/// a binary file (PDF, image, …) that happens to reach the CSV path.
const CONTROL_PER_CENT: usize = 1;

#[derive(Debug)]
pub(crate) struct Decoded<'a> {
    pub text: Cow<'a, str>,
    pub encoding: &'static str,
}

/// Decodes an uploaded CSV.
///
/// A byte-order mark always wins (UTF-8, UTF-16LE, UTF-16BE — Excel's
/// "CSV UTF-8" and "Unicode 文本" both write one). Without a BOM, `Auto`
/// takes valid UTF-8 as UTF-8 and otherwise decodes GB18030 (a superset of
/// GBK and GB2312, which Excel on Chinese Windows writes), rejecting the file
/// if that needed more than a tiny number of replacement characters.
pub(crate) fn decode(bytes: &[u8], encoding: Encoding) -> Result<Decoded<'_>, TabularError> {
    if let Some(rest) = bytes.strip_prefix(UTF16LE_BOM) {
        return decode_utf16(rest, encoding_rs::UTF_16LE, "UTF-16LE");
    }
    if let Some(rest) = bytes.strip_prefix(UTF16BE_BOM) {
        return decode_utf16(rest, encoding_rs::UTF_16BE, "UTF-16BE");
    }
    reject_binary(bytes)?;
    if let Some(rest) = bytes.strip_prefix(UTF8_BOM) {
        return match std::str::from_utf8(rest) {
            Ok(text) => Ok(utf8(text)),
            Err(_) => Err(mismatch_or_unrecognized(encoding, "UTF-8")),
        };
    }
    match encoding {
        Encoding::Utf8 => {
            std::str::from_utf8(bytes).map(utf8).map_err(|_| TabularError::EncodingMismatch { expected: "UTF-8" })
        }
        Encoding::Gbk => decode_gb18030(bytes).ok_or(TabularError::EncodingMismatch { expected: "GBK/GB18030" }),
        Encoding::Auto => match std::str::from_utf8(bytes) {
            Ok(text) => Ok(utf8(text)),
            Err(_) => decode_gb18030(bytes).ok_or(TabularError::EncodingUnrecognized),
        },
    }
}

fn utf8(text: &str) -> Decoded<'_> {
    Decoded { text: Cow::Borrowed(text), encoding: "UTF-8" }
}

fn mismatch_or_unrecognized(encoding: Encoding, expected: &'static str) -> TabularError {
    match encoding {
        Encoding::Auto => TabularError::EncodingUnrecognized,
        Encoding::Utf8 | Encoding::Gbk => TabularError::EncodingMismatch { expected },
    }
}

fn decode_gb18030(bytes: &[u8]) -> Option<Decoded<'_>> {
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    if had_errors {
        let mut chars = 0usize;
        let mut replaced = 0usize;
        for c in text.chars() {
            chars += 1;
            if c == char::REPLACEMENT_CHARACTER {
                replaced += 1;
            }
        }
        if replaced * 1000 > chars * REPLACEMENT_PER_MILLE {
            return None;
        }
    }
    Some(Decoded { text, encoding: "GB18030" })
}

fn decode_utf16<'a>(
    bytes: &'a [u8],
    codec: &'static encoding_rs::Encoding,
    name: &'static str,
) -> Result<Decoded<'a>, TabularError> {
    let text =
        codec.decode_without_bom_handling_and_without_replacement(bytes).ok_or(TabularError::EncodingUnrecognized)?;
    reject_binary_text(&text)?;
    Ok(Decoded { text: Cow::Owned(text.into_owned()), encoding: name })
}

fn is_binary_control(c: u32) -> bool {
    // Tab, LF, VT, FF, CR are text.
    matches!(c, 0x00..=0x08 | 0x0E..=0x1F | 0x7F)
}

/// Control bytes never occur inside UTF-8 or GB18030 multi-byte sequences
/// (their trail bytes are ≥ 0x30), so this works before decoding.
fn reject_binary(bytes: &[u8]) -> Result<(), TabularError> {
    if bytes.contains(&0) {
        return Err(TabularError::FileNotTabular);
    }
    let controls = bytes.iter().filter(|&&b| is_binary_control(u32::from(b))).count();
    if controls * 100 > bytes.len() * CONTROL_PER_CENT {
        return Err(TabularError::FileNotTabular);
    }
    Ok(())
}

fn reject_binary_text(text: &str) -> Result<(), TabularError> {
    if text.contains('\0') {
        return Err(TabularError::FileNotTabular);
    }
    let mut chars = 0usize;
    let mut controls = 0usize;
    for c in text.chars() {
        chars += 1;
        if is_binary_control(u32::from(c)) {
            controls += 1;
        }
    }
    if controls * 100 > chars * CONTROL_PER_CENT {
        return Err(TabularError::FileNotTabular);
    }
    Ok(())
}

/// Picks the field delimiter from the first non-blank lines.
///
/// Comma unless tab or semicolon splits clearly more of the first 10
/// non-blank lines into 3 or more fields (ties go to comma, the format's
/// namesake). Quotes are ignored here; a stray delimiter inside a quoted
/// cell does not change the majority.
pub(crate) fn sniff_delimiter(text: &str) -> u8 {
    const CANDIDATES: [u8; 3] = [b',', b'\t', b';'];
    let mut lines_with = [0usize; 3];
    let mut totals = [0usize; 3];
    for line in text.lines().filter(|l| !l.trim().is_empty()).take(10) {
        for (i, &d) in CANDIDATES.iter().enumerate() {
            let count = line.bytes().filter(|&b| b == d).count();
            totals[i] += count;
            if count >= 2 {
                lines_with[i] += 1;
            }
        }
    }
    let mut best = 0;
    for i in 1..CANDIDATES.len() {
        if (lines_with[i], totals[i]) > (lines_with[best], totals[best]) {
            best = i;
        }
    }
    CANDIDATES[best]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiter_sniffing() {
        assert_eq!(sniff_delimiter("a,b,c\n1,2,3\n"), b',');
        assert_eq!(sniff_delimiter("a\tb\tc\n1,5\t2\t3\n"), b'\t');
        assert_eq!(sniff_delimiter("标题\na;b;c\n1;2;3\n"), b';');
        assert_eq!(sniff_delimiter("single\n"), b',');
        assert_eq!(sniff_delimiter(""), b',');
    }

    #[test]
    fn gb18030_tolerates_a_cut_last_character_in_long_files() {
        let text = "名称,代码\n".repeat(300);
        let mut bytes = encoding_rs::GBK.encode(&text).0.into_owned();
        bytes.push(0xB5); // first byte of a two-byte character, then EOF
        let decoded = decode(&bytes, Encoding::Auto).map(|d| d.encoding);
        assert_eq!(decoded, Ok("GB18030"));
    }

    #[test]
    fn binary_is_not_text() {
        assert_eq!(
            decode(b"%PDF-1.7\n\x00\x01\x02", Encoding::Auto).map(|d| d.encoding),
            Err(TabularError::FileNotTabular)
        );
    }
}

//! Turning one Excel cell into the text the clerk sees, plus cell warnings.

use std::fmt;

use calamine::{DataRef, ExcelDateTime};

/// Excel keeps 15 significant digits; from here on an integer typed as a
/// number has already lost digits inside Excel (a 18-digit 统一社会信用代码
/// or ID-card number typed as a number is the classic case).
const LOSSLESS_LIMIT: f64 = 1e15;

/// Excel's last serial day (9999-12-31); later "dates" are shown as ####.
const MAX_EXCEL_SERIAL: f64 = 2_958_466.0;

/// A cell that was read, but whose text is probably not what the clerk meant.
/// Only data rows produce warnings; see [`crate::Table::warnings`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellWarning {
    /// Row number as the clerk sees it (same as [`crate::Row::number`]).
    pub row: usize,
    /// 0-based column index into [`crate::Row::cells`].
    pub column: usize,
    /// What is suspicious.
    pub kind: CellWarningKind,
}

/// What is suspicious about a cell.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CellWarningKind {
    /// A number cell of 1e15 or more: Excel stored only 15 significant
    /// digits, so trailing digits of a code typed as a number are gone.
    LongNumber,
    /// An Excel error value; the cell text is the error as Excel shows it.
    ErrorValue(String),
}

impl CellWarning {
    /// Stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self.kind {
            CellWarningKind::LongNumber => "long_number",
            CellWarningKind::ErrorValue(_) => "error_value",
        }
    }
}

impl fmt::Display for CellWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let column = column_name(self.column);
        match &self.kind {
            CellWarningKind::LongNumber => write!(
                f,
                "第 {} 行 {column} 列是数字格式的长数字,Excel 只保留 15 位有效数字,后面的位数可能已丢失;请把该列设置为文本格式后重新录入",
                self.row
            ),
            CellWarningKind::ErrorValue(e) => {
                write!(f, "第 {} 行 {column} 列是 Excel 错误值 {e}", self.row)
            }
        }
    }
}

/// Excel column letters for a 0-based column index: 0 → `A`, 26 → `AA`.
pub fn column_name(index: usize) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        // rem < 26, so the byte is an ASCII capital letter.
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// Text of one XLSX cell, and a warning when the text is suspicious.
pub(crate) fn xlsx_cell_text(value: &DataRef<'_>) -> (String, Option<CellWarningKind>) {
    match value {
        DataRef::Empty => (String::new(), None),
        DataRef::String(s) => (s.clone(), None),
        DataRef::SharedString(s) => ((*s).to_owned(), None),
        DataRef::Int(i) => (i.to_string(), None),
        DataRef::Float(f) => {
            let warn = (f.is_finite() && f.abs() >= LOSSLESS_LIMIT).then_some(CellWarningKind::LongNumber);
            (format_number(*f), warn)
        }
        DataRef::Bool(b) => ((if *b { "是" } else { "否" }).to_owned(), None),
        DataRef::DateTime(dt) => (format_excel_datetime(dt), None),
        DataRef::DateTimeIso(s) => (normalize_iso_datetime(s), None),
        DataRef::DurationIso(s) => (s.clone(), None),
        DataRef::Error(e) => {
            let shown = e.to_string();
            (shown.clone(), Some(CellWarningKind::ErrorValue(shown)))
        }
    }
}

/// A number as Excel's formula bar shows it: integers without ".0", other
/// values rounded to Excel's 15 significant digits (so 0.1+0.2 reads "0.3").
///
/// From 1e15 up the value is printed with Rust's shortest round-trip
/// formatting (plain digits, no exponent) — what calamine holds. Those digits
/// past the 15th are not what the clerk typed; callers get a
/// [`CellWarningKind::LongNumber`] warning for them.
pub(crate) fn format_number(f: f64) -> String {
    if !f.is_finite() {
        return f.to_string();
    }
    if f == 0.0 {
        // Also catches -0.0, which Excel shows as 0.
        return "0".to_owned();
    }
    if f.abs() >= LOSSLESS_LIMIT {
        return format!("{f}");
    }
    if f.fract() == 0.0 {
        return format!("{f:.0}");
    }
    // `{:.14e}` rounds to 15 significant digits: "d.dddddddddddddde<exp>".
    let sci = format!("{f:.14e}");
    let Some((mantissa, exp)) = sci.split_once('e') else {
        return f.to_string();
    };
    let Ok(exp) = exp.parse::<i64>() else {
        return f.to_string();
    };
    let negative = mantissa.starts_with('-');
    let all_digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let digits = all_digits.trim_end_matches('0');
    if digits.is_empty() {
        return "0".to_owned();
    }
    // Digits before the decimal point.
    let point = exp + 1;
    let mut out = String::with_capacity(digits.len() + 4);
    if negative {
        out.push('-');
    }
    if point <= 0 {
        out.push_str("0.");
        for _ in 0..(-point) {
            out.push('0');
        }
        out.push_str(digits);
    } else {
        let point = usize::try_from(point).unwrap_or(usize::MAX);
        if point >= digits.len() {
            out.push_str(digits);
            for _ in digits.len()..point {
                out.push('0');
            }
        } else {
            out.push_str(&digits[..point]);
            out.push('.');
            out.push_str(&digits[point..]);
        }
    }
    out
}

/// Dates as `YYYY-MM-DD`, date-times as `YYYY-MM-DD HH:MM:SS`, pure times
/// (serial below 1) as `HH:MM:SS`, durations (`[h]:mm:ss`) as `H:MM:SS`.
/// Milliseconds are dropped. Serials Excel cannot show as a date (negative or
/// after 9999-12-31) come back as the plain number.
pub(crate) fn format_excel_datetime(dt: &ExcelDateTime) -> String {
    let value = dt.as_f64();
    if !value.is_finite() {
        return format_number(value);
    }
    if dt.is_duration() {
        return format_duration(value);
    }
    if !(0.0..MAX_EXCEL_SERIAL).contains(&value) {
        return format_number(value);
    }
    let (y, mo, d, h, mi, s, _milli) = dt.to_ymd_hms_milli();
    if value < 1.0 {
        format!("{h:02}:{mi:02}:{s:02}")
    } else if (h, mi, s) == (0, 0, 0) {
        format!("{y:04}-{mo:02}-{d:02}")
    } else {
        format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
    }
}

fn format_duration(days: f64) -> String {
    // 1e9 days is far beyond any real duration; keep the number instead of
    // risking a nonsense conversion.
    if days.abs() > 1e9 {
        return format_number(days);
    }
    let total = (days * 86_400.0).round();
    let sign = if total < 0.0 { "-" } else { "" };
    let total = total.abs();
    let hours = (total / 3600.0).floor();
    let minutes = ((total - hours * 3600.0) / 60.0).floor();
    let seconds = total - hours * 3600.0 - minutes * 60.0;
    format!("{sign}{hours:.0}:{minutes:02.0}:{seconds:02.0}")
}

/// `t="d"` cells carry ISO 8601 text; show it the same way as serial dates.
fn normalize_iso_datetime(s: &str) -> String {
    let s = s.trim().trim_end_matches('Z');
    let Some((date, time)) = s.split_once('T') else {
        return s.to_owned();
    };
    // Drop fractional seconds; Excel does not show them by default.
    let time = time.split_once('.').map_or(time, |(t, _)| t);
    if time.is_empty() || time.trim_start_matches(['0', ':']).is_empty() {
        date.to_owned()
    } else {
        format!("{date} {time}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::ExcelDateTimeType;

    #[test]
    fn column_names_follow_excel() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(701), "ZZ");
        assert_eq!(column_name(702), "AAA");
        assert_eq!(column_name(16_383), "XFD");
    }

    #[test]
    fn numbers_read_like_the_formula_bar() {
        assert_eq!(format_number(123.0), "123");
        assert_eq!(format_number(-0.0), "0");
        assert_eq!(format_number(-42.0), "-42");
        assert_eq!(format_number(0.1 + 0.2), "0.3");
        assert_eq!(format_number(12_345.67), "12345.67");
        assert_eq!(format_number(-0.000_123), "-0.000123");
        assert_eq!(format_number(2.999_999_999_999_999_6), "3");
        assert_eq!(format_number(999_999_999_999_999.0), "999999999999999");
        assert_eq!(format_number(914_403_001_922_038_216.0), "914403001922038300");
        assert_eq!(format_number(1e-10), "0.0000000001");
    }

    #[test]
    fn dates_times_and_durations() {
        let date = ExcelDateTime::new(45_293.0, ExcelDateTimeType::DateTime, false);
        assert_eq!(format_excel_datetime(&date), "2024-01-02");
        let date_time = ExcelDateTime::new(45_293.5, ExcelDateTimeType::DateTime, false);
        assert_eq!(format_excel_datetime(&date_time), "2024-01-02 12:00:00");
        let time = ExcelDateTime::new(0.75, ExcelDateTimeType::DateTime, false);
        assert_eq!(format_excel_datetime(&time), "18:00:00");
        let duration = ExcelDateTime::new(1.5, ExcelDateTimeType::TimeDelta, false);
        assert_eq!(format_excel_datetime(&duration), "36:00:00");
        let negative = ExcelDateTime::new(-3.0, ExcelDateTimeType::DateTime, false);
        assert_eq!(format_excel_datetime(&negative), "-3");
        let date_1904 = ExcelDateTime::new(0.0 + 43_831.0, ExcelDateTimeType::DateTime, true);
        assert_eq!(format_excel_datetime(&date_1904), "2024-01-02");
    }

    #[test]
    fn iso_datetimes_are_normalized() {
        assert_eq!(normalize_iso_datetime("2024-01-02T00:00:00"), "2024-01-02");
        assert_eq!(normalize_iso_datetime("2024-01-02T08:30:00.000Z"), "2024-01-02 08:30:00");
        assert_eq!(normalize_iso_datetime("2024-01-02"), "2024-01-02");
    }
}

//! Writing `.xlsx`: the error report clerks download, and plain tables.

use rust_xlsxwriter::{Color, Format, Workbook, Worksheet, XlsxError};

use crate::TabularError;

/// Sheet name of the error report.
pub const ERROR_REPORT_SHEET: &str = "错误报告";
/// Header of the column the error report appends.
pub const ERROR_COLUMN_HEADER: &str = "错误说明";

/// Excel refuses longer strings in a cell.
const EXCEL_MAX_CELL_CHARS: usize = 32_767;
/// Column widths are estimated from this many rows; enough to size a column
/// well without walking a million-row report twice.
const WIDTH_SAMPLE_ROWS: usize = 1_000;
const MIN_WIDTH: f64 = 8.0;
const MAX_WIDTH: f64 = 50.0;
const MAX_ERROR_WIDTH: f64 = 80.0;

impl From<XlsxError> for TabularError {
    fn from(e: XlsxError) -> Self {
        TabularError::XlsxWrite { detail: e.to_string() }
    }
}

/// The error report: the uploaded columns plus a last column "错误说明",
/// one row per rejected row, in the order given.
///
/// The header row is bold and frozen, the error column is red, widths are
/// estimated from the content (CJK characters count double), and every
/// column is formatted as text (`@`) so that codes the clerk corrects and
/// re-uploads keep their leading zeros and all 18 digits. Cells longer than
/// Excel's 32,767 characters are cut, ending in "…", instead of failing
/// the whole report.
pub fn write_error_report(headers: &[String], rows: &[(Vec<String>, String)]) -> Result<Vec<u8>, TabularError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(ERROR_REPORT_SHEET)?;

    let text = Format::new().set_num_format("@");
    let header = Format::new().set_num_format("@").set_bold();
    let error = Format::new().set_num_format("@").set_font_color(Color::Red);

    let error_col = headers.len();
    let mut widths: Vec<f64> = headers.iter().map(|h| display_width(h)).collect();
    widths.push(display_width(ERROR_COLUMN_HEADER));

    for (c, h) in headers.iter().enumerate() {
        write_cell(sheet, 0, c, h, &header)?;
    }
    write_cell(sheet, 0, error_col, ERROR_COLUMN_HEADER, &header)?;

    for (i, (cells, message)) in rows.iter().enumerate() {
        let r = i + 1;
        for (c, cell) in cells.iter().enumerate() {
            write_cell(sheet, r, skip_error_col(c, error_col), cell, &text)?;
        }
        write_cell(sheet, r, error_col, message, &error)?;
        if i < WIDTH_SAMPLE_ROWS {
            for (c, cell) in cells.iter().enumerate() {
                let c = skip_error_col(c, error_col);
                if widths.len() <= c {
                    widths.resize(c + 1, MIN_WIDTH);
                }
                widths[c] = widths[c].max(display_width(cell));
            }
            widths[error_col] = widths[error_col].max(display_width(message));
        }
    }

    for (c, w) in widths.iter().enumerate() {
        let cap = if c == error_col { MAX_ERROR_WIDTH } else { MAX_WIDTH };
        let col = col_num(c)?;
        sheet.set_column_width(col, (w + 2.0).clamp(MIN_WIDTH, cap))?;
        let format = if c == error_col { &error } else { &text };
        sheet.set_column_format(col, format)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(workbook.save_to_buffer()?)
}

/// Writes `headers` and `rows` (as text cells) to a one-sheet workbook.
///
/// Used for sample templates and test fixtures. Unlike the error report it
/// refuses cells Excel cannot hold rather than cutting them.
pub fn write_xlsx(sheet_name: &str, headers: &[String], rows: &[Vec<String>]) -> Result<Vec<u8>, TabularError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(sheet_name)?;
    let text = Format::new().set_num_format("@");
    let header = Format::new().set_num_format("@").set_bold();
    for (c, h) in headers.iter().enumerate() {
        write_exact(sheet, 0, c, h, &header)?;
    }
    for (i, cells) in rows.iter().enumerate() {
        for (c, cell) in cells.iter().enumerate() {
            write_exact(sheet, i + 1, c, cell, &text)?;
        }
    }
    for (c, h) in headers.iter().enumerate() {
        let col = col_num(c)?;
        let width = (display_width(h) + 2.0).clamp(MIN_WIDTH, MAX_WIDTH);
        sheet.set_column_width(col, width)?;
        sheet.set_column_format(col, &text)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(workbook.save_to_buffer()?)
}

/// A row may carry more cells than there are headers (the reader rejects
/// such rows, but reports can be built from other sources). The error column
/// stays right after the headers; extra cells go to its right, not lost.
fn skip_error_col(c: usize, error_col: usize) -> usize {
    if c >= error_col { c + 1 } else { c }
}

fn write_cell(sheet: &mut Worksheet, row: usize, col: usize, value: &str, format: &Format) -> Result<(), TabularError> {
    if value.is_empty() {
        return Ok(());
    }
    if value.chars().count() > EXCEL_MAX_CELL_CHARS {
        let mut cut: String = value.chars().take(EXCEL_MAX_CELL_CHARS - 1).collect();
        cut.push('…');
        return write_exact(sheet, row, col, &cut, format);
    }
    write_exact(sheet, row, col, value, format)
}

fn write_exact(
    sheet: &mut Worksheet,
    row: usize,
    col: usize,
    value: &str,
    format: &Format,
) -> Result<(), TabularError> {
    if value.is_empty() {
        return Ok(());
    }
    sheet.write_string_with_format(row_num(row)?, col_num(col)?, value, format)?;
    Ok(())
}

fn row_num(row: usize) -> Result<u32, TabularError> {
    u32::try_from(row).map_err(|_| TabularError::XlsxWrite { detail: format!("row {row} exceeds Excel's row limit") })
}

fn col_num(col: usize) -> Result<u16, TabularError> {
    u16::try_from(col)
        .map_err(|_| TabularError::XlsxWrite { detail: format!("column {col} exceeds Excel's column limit") })
}

/// Approximate Excel column width of a text: wide (CJK, full-width) chars
/// count 2, others 1; the longest line of a multi-line cell counts.
fn display_width(s: &str) -> f64 {
    let widest =
        s.lines().map(|line| line.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum::<usize>()).max().unwrap_or(0);
    // Widths are capped far below f64's exact-integer range.
    widest.min(1_000) as f64
}

fn is_wide(c: char) -> bool {
    matches!(u32::from(c),
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x20000..=0x3FFFD)
}

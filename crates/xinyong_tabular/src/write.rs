//! Writing `.xlsx`: the error report clerks download, and plain tables.

use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, Format, Formula, Note, Workbook, Worksheet, XlsxError,
};

use crate::TabularError;

/// Sheet name of the error report.
pub const ERROR_REPORT_SHEET: &str = "错误报告";
/// Header of the column the error report appends.
pub const ERROR_COLUMN_HEADER: &str = "错误说明";
/// Header of the error report's column of stable error codes.
pub const ERROR_CODE_COLUMN_HEADER: &str = "错误代码";

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

/// The error report: the uploaded columns plus "错误说明" (plain Chinese)
/// and "错误代码" (the stable codes, for whoever filters or automates), one
/// row per rejected row `(cells, message, codes)`, in the order given.
///
/// The header row is bold and frozen, the error column is red, widths are
/// estimated from the content (CJK characters count double), and every
/// column is formatted as text (`@`) so that codes the clerk corrects and
/// re-uploads keep their leading zeros and all 18 digits. Cells longer than
/// Excel's 32,767 characters are cut, ending in "…", instead of failing
/// the whole report.
///
/// The sheet is written in rust_xlsxwriter's constant-memory mode: each row
/// goes to a temporary file as it is written, so a report of 100,000 rows
/// costs its compressed bytes in memory, not a cell table (which took about
/// 1 KB per cell in the default mode).
pub fn write_error_report(headers: &[String], rows: &[(Vec<String>, String, String)]) -> Result<Vec<u8>, TabularError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet_with_constant_memory()?;
    sheet.set_name(ERROR_REPORT_SHEET)?;

    let text = Format::new().set_num_format("@");
    let header = Format::new().set_num_format("@").set_bold();
    let error = Format::new().set_num_format("@").set_font_color(Color::Red);

    let error_col = headers.len();
    let code_col = error_col + 1;
    let mut widths: Vec<f64> = headers.iter().map(|h| display_width(h)).collect();
    widths.push(display_width(ERROR_COLUMN_HEADER));
    widths.push(display_width(ERROR_CODE_COLUMN_HEADER));

    for (c, h) in headers.iter().enumerate() {
        write_cell(sheet, 0, c, h, &header)?;
    }
    write_cell(sheet, 0, error_col, ERROR_COLUMN_HEADER, &header)?;
    write_cell(sheet, 0, code_col, ERROR_CODE_COLUMN_HEADER, &header)?;

    for (i, (cells, message, codes)) in rows.iter().enumerate() {
        let r = i + 1;
        for (c, cell) in cells.iter().enumerate() {
            write_cell(sheet, r, skip_error_cols(c, error_col), cell, &text)?;
        }
        write_cell(sheet, r, error_col, message, &error)?;
        write_cell(sheet, r, code_col, codes, &text)?;
        if i < WIDTH_SAMPLE_ROWS {
            for (c, cell) in cells.iter().enumerate() {
                let c = skip_error_cols(c, error_col);
                if widths.len() <= c {
                    widths.resize(c + 1, MIN_WIDTH);
                }
                widths[c] = widths[c].max(display_width(cell));
            }
            widths[error_col] = widths[error_col].max(display_width(message));
            widths[code_col] = widths[code_col].max(display_width(codes));
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

/// A column of an upload template: its header, what to type (shown as the
/// header cell's note and as the cell's input message), and the values a
/// drop-down offers for an enumeration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateColumn {
    pub header: String,
    /// "必填。日期，格式 2026-03-02。" — in Chinese, for the clerk.
    pub note: String,
    /// The allowed values; empty for free input.
    pub choices: Vec<String>,
    /// Several of `choices` may be typed into one cell (Excel then warns
    /// about a value not in the list instead of refusing it).
    pub several: bool,
}

/// Data rows a template's drop-downs and input messages cover.
const TEMPLATE_ROWS: u32 = 10_000;
/// The sheet an upload reads stays first; the example and the lists of
/// choices come after it (the reader takes the first visible worksheet).
const EXAMPLE_SHEET: &str = "填写示例";
const CHOICES_SHEET: &str = "选项";

/// An upload template: the first sheet `sheet_name` with the headers (each
/// with a note saying what to type), text-formatted cells, drop-downs for
/// enumerations and an input message on every column; a second sheet
/// 填写示例 with `example` under the same headers; a hidden sheet 选项 with
/// the drop-downs' values (Excel limits a list typed into the rule itself to
/// 255 characters). An uploaded copy is read from its first sheet, so the
/// example is never taken for data.
pub fn write_template(
    sheet_name: &str,
    columns: &[TemplateColumn],
    example: &[String],
) -> Result<Vec<u8>, TabularError> {
    let mut workbook = Workbook::new();
    let text = Format::new().set_num_format("@");
    let header = Format::new().set_num_format("@").set_bold().set_background_color(Color::RGB(0x00F2_F2F2));
    let headers: Vec<String> = columns.iter().map(|c| c.header.clone()).collect();
    let sheet = workbook.add_worksheet();
    sheet.set_name(sheet_name)?;
    let mut choice_col: u16 = 0;
    let mut choice_lists: Vec<(u16, &[String])> = Vec::new();
    for (c, column) in columns.iter().enumerate() {
        let col = col_num(c)?;
        write_exact(sheet, 0, c, &column.header, &header)?;
        sheet.insert_note(0, col, &Note::new(&column.note).set_author("信用济南").set_width(320).set_height(120))?;
        let width = (display_width(&column.header) + 4.0).clamp(MIN_WIDTH, MAX_WIDTH);
        sheet.set_column_width(col, width)?;
        sheet.set_column_format(col, &text)?;
        let message: String = column.note.chars().take(250).collect();
        let validation = if column.choices.is_empty() {
            DataValidation::new().allow_any_value()
        } else {
            let last = u32::try_from(column.choices.len()).unwrap_or(u32::MAX);
            let range =
                format!("='{CHOICES_SHEET}'!${}$1:${}${last}", col_letters(choice_col), col_letters(choice_col));
            choice_lists.push((choice_col, &column.choices));
            choice_col += 1;
            let (style, message) = if column.several {
                (DataValidationErrorStyle::Warning, format!("“{}”应为下拉列表中的值，多个用“；”分隔。", column.header))
            } else {
                (DataValidationErrorStyle::Stop, format!("“{}”只能填写下拉列表中的值。", column.header))
            };
            DataValidation::new()
                .allow_list_formula(Formula::new(range))
                .set_error_style(style)
                .set_error_title("请从下拉列表中选择")?
                .set_error_message(message)?
        };
        let validation =
            validation.ignore_blank(true).set_input_title(column.header.chars().take(32).collect::<String>())?;
        sheet.add_data_validation(1, col, TEMPLATE_ROWS, col, &validation.set_input_message(message)?)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.set_active(true);

    let sample = workbook.add_worksheet();
    sample.set_name(EXAMPLE_SHEET)?;
    for (c, h) in headers.iter().enumerate() {
        write_exact(sample, 0, c, h, &header)?;
        let col = col_num(c)?;
        sample.set_column_width(col, (display_width(h) + 4.0).clamp(MIN_WIDTH, MAX_WIDTH))?;
    }
    for (c, value) in example.iter().enumerate() {
        write_exact(sample, 1, c, value, &text)?;
    }

    let choices = workbook.add_worksheet();
    choices.set_name(CHOICES_SHEET)?;
    for (col, values) in choice_lists {
        for (r, value) in values.iter().enumerate() {
            let row = u32::try_from(r).map_err(|_| XlsxError::RowColumnLimitError)?;
            choices.write_string(row, col, value)?;
        }
    }
    choices.set_hidden(true);
    Ok(workbook.save_to_buffer()?)
}

/// Excel's column letters of a 0-based column (0 → A, 26 → AA).
fn col_letters(col: u16) -> String {
    let mut n = u32::from(col) + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + u8::try_from(rem).unwrap_or(0)));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// A row may carry more cells than there are headers (the reader rejects
/// such rows, but reports can be built from other sources). The two error
/// columns stay right after the headers; extra cells go to their right, not
/// lost.
fn skip_error_cols(c: usize, error_col: usize) -> usize {
    if c >= error_col { c + 2 } else { c }
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

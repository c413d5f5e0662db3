//! Format-independent part of reading: header-row detection, limits, and
//! turning raw rows into [`Row`]s.
//!
//! Both readers (CSV and XLSX) feed [`Assembler::push`] with the non-empty
//! rows of the file in order, already cut to their width (trailing empty
//! cells removed), so everything below is the same for both formats.

use std::collections::HashSet;

use crate::cell::{CellWarning, CellWarningKind, column_name};
use crate::{ReadOptions, Row, TabularError};

/// How many non-empty rows at the top are considered for the header row.
/// The national templates put at most a title and an instructions row above
/// the headers; 10 leaves room for a few more without mistaking data for one.
pub(crate) const HEADER_SCAN_ROWS: usize = 10;

/// A header cell longer than this is an explanation, not a column name.
const MAX_HEADER_CHARS: usize = 100;

/// Warnings are advisory; a file with a whole column of #N/A must not make
/// the list (and the page showing it) unbounded.
pub(crate) const MAX_WARNINGS: usize = 1_000;

/// One non-empty row as a reader found it.
#[derive(Debug)]
pub(crate) struct RawRow {
    /// Row number as the clerk sees it.
    pub number: usize,
    /// Cells up to and including the last non-blank one.
    pub cells: Vec<String>,
    /// (column, warning) for cells of this row.
    pub warnings: Vec<(usize, CellWarningKind)>,
}

/// `true` when a cell holds nothing but whitespace (U+3000 included).
pub(crate) fn is_blank(cell: &str) -> bool {
    cell.chars().all(char::is_whitespace)
}

/// Width check shared by both readers, done before a row is materialised.
pub(crate) fn check_width(row: usize, width: usize, opts: &ReadOptions) -> Result<(), TabularError> {
    if width > opts.max_columns {
        return Err(TabularError::TooManyColumns { row, columns: width, limit: opts.max_columns });
    }
    Ok(())
}

#[derive(Debug)]
enum State {
    /// Collecting the first rows to pick the header from.
    Scanning(Vec<RawRow>),
    /// The caller named the header row; skip until it.
    Explicit(usize),
    /// Header known; everything else is data.
    Data,
}

#[derive(Debug)]
pub(crate) struct Assembler<'o> {
    opts: &'o ReadOptions,
    state: State,
    pub headers: Vec<String>,
    pub header_row: usize,
    pub rows: Vec<Row>,
    pub warnings: Vec<CellWarning>,
    saw_any_row: bool,
}

impl<'o> Assembler<'o> {
    pub(crate) fn new(opts: &'o ReadOptions) -> Self {
        let state = match opts.header_row {
            Some(n) => State::Explicit(n),
            None => State::Scanning(Vec::new()),
        };
        Self {
            opts,
            state,
            headers: Vec::new(),
            header_row: 0,
            rows: Vec::new(),
            warnings: Vec::new(),
            saw_any_row: false,
        }
    }

    /// Takes the next non-empty row of the file.
    pub(crate) fn push(&mut self, raw: RawRow) -> Result<(), TabularError> {
        check_width(raw.number, raw.cells.len(), self.opts)?;
        for (i, cell) in raw.cells.iter().enumerate() {
            // A char is at least one byte, so most cells skip the count.
            if cell.len() > self.opts.max_cell_chars {
                let chars = cell.chars().count();
                if chars > self.opts.max_cell_chars {
                    return Err(TabularError::CellTooLong {
                        row: raw.number,
                        column: column_name(i),
                        chars,
                        limit: self.opts.max_cell_chars,
                    });
                }
            }
        }
        self.saw_any_row = true;
        match &mut self.state {
            State::Scanning(window) => {
                window.push(raw);
                if window.len() >= HEADER_SCAN_ROWS {
                    self.decide_header()?;
                }
                Ok(())
            }
            State::Explicit(target) => {
                let target = *target;
                if raw.number < target {
                    Ok(())
                } else if raw.number == target {
                    self.set_headers(raw);
                    Ok(())
                } else {
                    Err(TabularError::HeaderRowMissing { row: target })
                }
            }
            State::Data => self.push_data(raw),
        }
    }

    /// Ends the file; returns an error when there was no header.
    pub(crate) fn finish(&mut self) -> Result<(), TabularError> {
        match &self.state {
            State::Scanning(window) if window.is_empty() => Err(TabularError::FileEmpty),
            State::Scanning(_) => self.decide_header(),
            State::Explicit(_) if !self.saw_any_row => Err(TabularError::FileEmpty),
            State::Explicit(target) => Err(TabularError::HeaderRowMissing { row: *target }),
            State::Data => Ok(()),
        }
    }

    fn decide_header(&mut self) -> Result<(), TabularError> {
        let State::Scanning(window) = std::mem::replace(&mut self.state, State::Data) else {
            return Ok(());
        };
        let index = detect_header(&window);
        let mut rest = window.into_iter().skip(index);
        if let Some(header) = rest.next() {
            self.set_headers(header);
        }
        for raw in rest {
            self.push_data(raw)?;
        }
        Ok(())
    }

    fn set_headers(&mut self, raw: RawRow) {
        self.header_row = raw.number;
        self.headers = raw.cells.iter().map(|h| h.trim().to_owned()).collect();
        self.state = State::Data;
    }

    fn push_data(&mut self, raw: RawRow) -> Result<(), TabularError> {
        let width = self.headers.len();
        if raw.cells.len() > width {
            return Err(TabularError::RowTooLong { row: raw.number, cells: raw.cells.len(), headers: width });
        }
        if self.rows.len() >= self.opts.max_rows {
            return Err(TabularError::TooManyRows { limit: self.opts.max_rows });
        }
        // Padding makes every row `width` cells, so this is the real memory
        // bound: a tiny CSV of 1-cell rows under a 200-column header would
        // otherwise cost 200 `String`s per row.
        if (self.rows.len() + 1).saturating_mul(width.max(1)) > self.opts.max_cells {
            return Err(TabularError::TooManyCells { limit: self.opts.max_cells });
        }
        for (column, kind) in raw.warnings {
            if self.warnings.len() < MAX_WARNINGS {
                self.warnings.push(CellWarning { row: raw.number, column, kind });
            }
        }
        let mut cells = raw.cells;
        cells.resize(width, String::new());
        self.rows.push(Row { number: raw.number, cells });
        Ok(())
    }
}

/// Index into `window` of the header row.
///
/// The first row that looks like column names wins:
/// - it has at least 3 non-empty cells (or as many as the widest row in the
///   window, for tables narrower than 3 columns) — a title row
///   ("行政处罚信息导入模板") or a merged instructions row has one;
/// - it has at least half as many non-empty cells as the widest row in the
///   window — a "填报单位:… 填报日期:…" line above a 20-column header fails;
/// - every non-empty cell is at most 100 characters — instructions are long;
/// - at most 20 % of its non-empty cells look like numbers or dates, and at
///   least 80 % are distinct — data rows repeat and carry numbers.
///
/// If no row qualifies the first non-empty row is the header.
pub(crate) fn detect_header(window: &[RawRow]) -> usize {
    let filled = |row: &RawRow| row.cells.iter().filter(|c| !is_blank(c)).count();
    let widest = window.iter().map(filled).max().unwrap_or(0);
    window
        .iter()
        .position(|row| {
            let texts: Vec<&str> = row.cells.iter().map(|c| c.trim()).filter(|c| !c.is_empty()).collect();
            let n = texts.len();
            if n < widest.min(3) || n * 2 < widest {
                return false;
            }
            if texts.iter().any(|t| t.chars().count() > MAX_HEADER_CHARS) {
                return false;
            }
            let value_like = texts.iter().filter(|t| looks_like_value(t)).count();
            let distinct = texts.iter().collect::<HashSet<_>>().len();
            value_like * 5 <= n && distinct * 5 >= n * 4
        })
        .unwrap_or(0)
}

/// Numbers, amounts, dates and times: digits with only separators around.
fn looks_like_value(text: &str) -> bool {
    text.chars().any(|c| c.is_ascii_digit())
        && text.chars().all(|c| c.is_ascii_digit() || " .,-+/:%eE年月日时分秒".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(number: usize, cells: &[&str]) -> RawRow {
        RawRow { number, cells: cells.iter().map(|c| (*c).to_owned()).collect(), warnings: Vec::new() }
    }

    #[test]
    fn title_and_instruction_rows_are_skipped() {
        let window = [
            raw(1, &["行政处罚信息导入模板"]),
            raw(2, &["填报单位:济南市市场监管局", "", "填报日期:2024-01-01", "", "联系人"]),
            raw(3, &["说明:带*号为必填项;日期格式为 YYYY-MM-DD。"]),
            raw(
                4,
                &[
                    "*行政相对人名称",
                    "*统一社会信用代码",
                    "*处罚决定书文号",
                    "处罚类别",
                    "罚款金额(万元)",
                    "*处罚决定日期",
                    "备注",
                    "数据来源单位",
                    "行政相对人代码_1(统一社会信用代码)",
                    "法定代表人",
                    "处罚内容",
                    "公示期限",
                ],
            ),
            raw(5, &["济南某某有限公司", "91370100MA3C000000", "济市监罚〔2024〕1号", "罚款", "0.5", "2024-01-02"]),
        ];
        assert_eq!(detect_header(&window), 3);
    }

    #[test]
    fn narrow_tables_use_the_first_row() {
        let window = [raw(1, &["名称", "代码"]), raw(2, &["甲", "1"])];
        assert_eq!(detect_header(&window), 0);
    }

    #[test]
    fn data_like_rows_are_not_headers() {
        let window = [
            raw(1, &["2024", "1", "2", "3"]),
            raw(2, &["a", "a", "a", "b"]),
            raw(3, &["名称", "代码", "日期", "金额"]),
        ];
        assert_eq!(detect_header(&window), 2);
    }

    #[test]
    fn no_qualifying_row_falls_back_to_the_first() {
        let window = [raw(1, &["1", "2", "3"]), raw(2, &["4", "5", "6"])];
        assert_eq!(detect_header(&window), 0);
    }
}

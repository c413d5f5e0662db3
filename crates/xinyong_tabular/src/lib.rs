#![forbid(unsafe_code)]
#![doc = include_str!("../README.md")]

mod assemble;
mod cell;
mod csv_read;
mod decode;
mod error;
mod write;
mod xlsx_read;

pub use cell::{CellWarning, CellWarningKind, column_name};
pub use error::TabularError;
pub use write::{
    ERROR_CODE_COLUMN_HEADER, ERROR_COLUMN_HEADER, ERROR_REPORT_SHEET, TemplateColumn, write_error_report,
    write_template, write_xlsx,
};

/// Shorthand for results of this crate.
pub type Result<T, E = TabularError> = std::result::Result<T, E>;

/// Magic bytes of an OLE2 compound file: Excel 97-2003 `.xls`, and also an
/// `.xlsx` that Excel encrypted with an open password.
const OLE2_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

/// File format of an upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Comma-, tab- or semicolon-separated text.
    Csv,
    /// Office Open XML workbook (`.xlsx`, `.xlsm`).
    Xlsx,
}

impl Format {
    /// From the first bytes: a zip (`PK\x03\x04`, or `PK\x05\x06` for an
    /// empty one) is an `.xlsx`, anything else is treated as CSV text.
    pub fn detect(bytes: &[u8]) -> Format {
        if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") { Format::Xlsx } else { Format::Csv }
    }

    /// From an uploaded file name's extension (case-insensitive):
    /// `.xlsx`/`.xlsm` → `Xlsx`; `.csv`/`.tsv`/`.txt` → `Csv`; else `None`.
    pub fn from_file_name(name: &str) -> Option<Format> {
        let (_, ext) = name.rsplit_once('.')?;
        match ext.trim().to_ascii_lowercase().as_str() {
            "xlsx" | "xlsm" => Some(Format::Xlsx),
            "csv" | "tsv" | "txt" => Some(Format::Csv),
            _ => None,
        }
    }

    /// `"csv"` or `"xlsx"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }
}

/// Text encoding of a CSV upload. A byte-order mark (UTF-8, UTF-16LE/BE)
/// overrides this choice; XLSX ignores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Encoding {
    /// Valid UTF-8 is UTF-8; anything else must decode as GB18030.
    #[default]
    Auto,
    /// UTF-8 only.
    Utf8,
    /// GBK, decoded as its superset GB18030 (covers GB2312 too).
    Gbk,
}

/// How to read an upload. Build with `..ReadOptions::default()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadOptions {
    /// `None` detects from the bytes ([`Format::detect`]).
    pub format: Option<Format>,
    /// CSV encoding; default [`Encoding::Auto`].
    pub encoding: Encoding,
    /// Most data rows (header and rows above it not counted). Default 1,000,000.
    pub max_rows: usize,
    /// Widest row, counted to its last non-empty cell. Default 200.
    pub max_columns: usize,
    /// Most characters in one cell. Default 32,768 (Excel holds 32,767).
    pub max_cell_chars: usize,
    /// Worksheet to read; `None` takes the first visible worksheet.
    pub sheet: Option<String>,
    /// 1-based row number of the header row; `None` detects it among the
    /// first 10 non-empty rows (see the crate docs).
    pub header_row: Option<usize>,
    /// CSV field delimiter; `None` sniffs comma, tab or semicolon.
    pub delimiter: Option<u8>,
    /// Most data rows × header columns. Rows are padded to the header's
    /// width, so this bounds memory however the file is shaped. Default
    /// 20,000,000 (about 0.5 GB of cell headers at worst).
    pub max_cells: usize,
    /// Most bytes an `.xlsx` may inflate to, all zip entries together.
    /// Default 1 GiB.
    pub max_unpacked_bytes: u64,
}

impl Default for ReadOptions {
    fn default() -> Self {
        Self {
            format: None,
            encoding: Encoding::Auto,
            max_rows: 1_000_000,
            max_columns: 200,
            max_cell_chars: 32_768,
            sheet: None,
            header_row: None,
            delimiter: None,
            max_cells: 20_000_000,
            max_unpacked_bytes: 1 << 30,
        }
    }
}

/// An upload read into text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// Header cells, trimmed; trailing empty header cells dropped. Empty
    /// strings for gaps inside the header row; duplicates are kept as is.
    pub headers: Vec<String>,
    /// Non-empty rows below the header, in file order.
    pub rows: Vec<Row>,
    /// Format that was read.
    pub format: Format,
    /// `"UTF-8"`, `"GB18030"`, `"UTF-16LE"` or `"UTF-16BE"` for CSV; `None` for XLSX.
    pub encoding: Option<&'static str>,
    /// Worksheet that was read (XLSX only).
    pub sheet: Option<String>,
    /// Row number of the header row as the clerk sees it.
    pub header_row: usize,
    /// Suspicious cells in data rows (at most 1,000).
    pub warnings: Vec<CellWarning>,
}

impl Table {
    /// Index of the first header equal to `name` (after trimming `name`).
    pub fn column_index(&self, name: &str) -> Option<usize> {
        let name = name.trim();
        self.headers.iter().position(|h| h == name)
    }
}

/// One data row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// 1-based row number as the clerk sees it in Excel: title and blank
    /// rows above count, so with headers in row 1 the first data row is 2.
    pub number: usize,
    /// Exactly `headers.len()` cells; missing cells are `""`.
    pub cells: Vec<String>,
}

/// Reads an uploaded CSV or XLSX file into text rows.
///
/// Pure: no file or network IO. Never panics, whatever the bytes.
pub fn read_table(bytes: &[u8], opts: &ReadOptions) -> Result<Table> {
    if bytes.starts_with(OLE2_MAGIC) {
        return Err(TabularError::LegacyWorkbook);
    }
    match opts.format.unwrap_or_else(|| Format::detect(bytes)) {
        Format::Csv => csv_read::read(bytes, opts),
        Format::Xlsx => xlsx_read::read(bytes, opts),
    }
}

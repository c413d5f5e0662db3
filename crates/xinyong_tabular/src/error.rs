//! The one error type of this crate.
//!
//! `Display` is written for the department clerk who uploaded the file (it is
//! shown on the upload page as is); [`TabularError::code`] is for programs and
//! logs and never changes once released.

/// Why a spreadsheet could not be read or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TabularError {
    /// Neither an `.xlsx` workbook nor CSV text (a PDF, an image, a Word file…).
    #[error("文件不是有效的 Excel 工作簿(.xlsx)或 CSV 文本")]
    FileNotTabular,

    /// An OLE2 compound file: an Excel 97-2003 `.xls` workbook, or an `.xlsx`
    /// that Excel encrypted with a password (both share the same container).
    #[error(
        "不支持 Excel 97-2003 工作簿(.xls)或设置了打开密码的工作簿,请在 Excel 中另存为 .xlsx 格式(不设密码)后重新上传"
    )]
    LegacyWorkbook,

    /// No non-empty row at all.
    #[error("文件为空或没有表头")]
    FileEmpty,

    /// [`crate::Encoding::Auto`] found neither UTF-8 nor GB18030 text.
    #[error("无法识别文件编码(既不是 UTF-8 也不是 GBK/GB18030)")]
    EncodingUnrecognized,

    /// The caller forced an encoding and the bytes are not valid in it.
    #[error("文件内容不是有效的 {expected} 编码")]
    EncodingMismatch {
        /// The encoding that was asked for, e.g. `"UTF-8"`.
        expected: &'static str,
    },

    /// More data rows than [`crate::ReadOptions::max_rows`].
    #[error("数据超过上限 {limit} 行,请拆分成多个文件后分批上传")]
    TooManyRows {
        /// The limit in force.
        limit: usize,
    },

    /// A row whose last non-empty cell lies beyond [`crate::ReadOptions::max_columns`].
    #[error("第 {row} 行有 {columns} 列,超过上限 {limit} 列")]
    TooManyColumns {
        /// Row number as the clerk sees it.
        row: usize,
        /// Position of the last non-empty cell (1-based), i.e. the row's width.
        columns: usize,
        /// The limit in force.
        limit: usize,
    },

    /// Data rows × header columns exceeds [`crate::ReadOptions::max_cells`].
    #[error("表格过大(超过 {limit} 个单元格),请拆分成多个文件后分批上传")]
    TooManyCells {
        /// The limit in force.
        limit: usize,
    },

    /// One cell holds more characters than [`crate::ReadOptions::max_cell_chars`].
    #[error("第 {row} 行 {column} 列的内容有 {chars} 个字符,超过上限 {limit} 个字符")]
    CellTooLong {
        /// Row number as the clerk sees it.
        row: usize,
        /// Excel column letters (`"A"`, `"AB"`).
        column: String,
        /// Characters (Unicode scalar values) in the cell.
        chars: usize,
        /// The limit in force.
        limit: usize,
    },

    /// A data row has a non-empty cell to the right of the last header.
    #[error("第 {row} 行有 {cells} 列数据,多于表头的 {headers} 列,请检查是否有多余的内容或缺少表头")]
    RowTooLong {
        /// Row number as the clerk sees it.
        row: usize,
        /// Position of the row's last non-empty cell (1-based).
        cells: usize,
        /// Number of header columns.
        headers: usize,
    },

    /// [`crate::ReadOptions::header_row`] named a row that is empty or absent.
    #[error("第 {row} 行为空或不存在,无法作为表头")]
    HeaderRowMissing {
        /// The requested header row.
        row: usize,
    },

    /// The `.xlsx` container or its XML is damaged. `detail` is for logs only
    /// (English, from the zip/XML reader) and is not part of `Display`.
    #[error("Excel 工作簿已损坏或格式不正确,请用 Excel 打开后另存为 .xlsx 再上传")]
    XlsxCorrupt {
        /// Technical reason, for logs.
        detail: String,
    },

    /// The `.xlsx` unpacks to more than [`crate::ReadOptions::max_unpacked_bytes`].
    #[error("Excel 工作簿解压后超过 {limit_mib} MB,请删除多余的工作表、图片或格式后重新上传")]
    XlsxTooLarge {
        /// The limit in force, in MiB (rounded up).
        limit_mib: u64,
    },

    /// A part of the `.xlsx` holds a run of text (a shared string, an inline
    /// string or an attribute) longer than any cell may be: a bomb, not a
    /// spreadsheet. Found before calamine reads the part.
    #[error("Excel 工作簿的 {part} 中有一段文字超过单元格上限 {limit} 个字符,文件未读取;请检查文件是否损坏")]
    XlsxTextTooLong {
        /// The zip entry (`xl/sharedStrings.xml`).
        part: String,
        /// The cell limit in force, in characters.
        limit: usize,
    },

    /// [`crate::ReadOptions::sheet`] names a sheet the workbook does not have.
    #[error("工作簿中没有名为“{name}”的工作表(现有工作表:{})", .available.join("、"))]
    SheetNotFound {
        /// The requested sheet name.
        name: String,
        /// Worksheets the workbook does have, in workbook order.
        available: Vec<String>,
    },

    /// The CSV parser gave up. It is very lenient, so this is rare.
    #[error("CSV 文件格式不正确(第 {row} 行附近)")]
    CsvMalformed {
        /// Approximate row number.
        row: usize,
        /// Technical reason, for logs.
        detail: String,
    },

    /// Writing an `.xlsx` failed (an Excel limit such as a 31-character sheet
    /// name or 1,048,576 rows). `detail` is for logs.
    #[error("生成 Excel 文件失败:{detail}")]
    XlsxWrite {
        /// Technical reason.
        detail: String,
    },
}

impl TabularError {
    /// Stable snake_case code for programs, logs and the API error envelope.
    pub fn code(&self) -> &'static str {
        match self {
            Self::FileNotTabular => "file_not_tabular",
            Self::LegacyWorkbook => "xls_unsupported",
            Self::FileEmpty => "file_empty",
            Self::EncodingUnrecognized => "encoding_unrecognized",
            Self::EncodingMismatch { .. } => "encoding_mismatch",
            Self::TooManyRows { .. } => "too_many_rows",
            Self::TooManyColumns { .. } => "too_many_columns",
            Self::TooManyCells { .. } => "too_many_cells",
            Self::CellTooLong { .. } => "cell_too_long",
            Self::RowTooLong { .. } => "row_too_long",
            Self::HeaderRowMissing { .. } => "header_row_missing",
            Self::XlsxCorrupt { .. } => "xlsx_corrupt",
            Self::XlsxTooLarge { .. } => "xlsx_too_large",
            Self::XlsxTextTooLong { .. } => "xlsx_text_too_long",
            Self::SheetNotFound { .. } => "sheet_not_found",
            Self::CsvMalformed { .. } => "csv_malformed",
            Self::XlsxWrite { .. } => "xlsx_write_failed",
        }
    }

    pub(crate) fn corrupt(detail: impl std::fmt::Display) -> Self {
        Self::XlsxCorrupt { detail: detail.to_string() }
    }
}

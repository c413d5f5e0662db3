//! CSV (and TSV / semicolon-separated) uploads.

use crate::assemble::{Assembler, RawRow, check_width, is_blank};
use crate::decode::{decode, sniff_delimiter};
use crate::{Format, ReadOptions, Table, TabularError};

pub(crate) fn read(bytes: &[u8], opts: &ReadOptions) -> Result<Table, TabularError> {
    let decoded = decode(bytes, opts.encoding)?;
    let text: &str = &decoded.text;
    if is_blank(text) {
        return Err(TabularError::FileEmpty);
    }
    let delimiter = opts.delimiter.unwrap_or_else(|| sniff_delimiter(text));
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        // Ragged rows are normal in hand-made files; the assembler pads them.
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());

    let mut rows = RowNumbers::new(text);
    let mut assembler = Assembler::new(opts);
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let row = e.position().map_or(rows.last, |p| rows.row_at(p.byte()));
                return Err(TabularError::CsvMalformed { row, detail: e.to_string() });
            }
        }
        let start = record.position().map_or(0, csv::Position::byte);
        let number = rows.row_at(start);
        rows.skip_embedded(&record);

        let width = (0..record.len()).rev().find(|&i| record.get(i).is_some_and(|c| !is_blank(c))).map_or(0, |i| i + 1);
        if width == 0 {
            // Completely empty row (Excel writes ",,,,"), ignored.
            continue;
        }
        check_width(number, width, opts)?;
        assembler.push(RawRow {
            number,
            cells: record.iter().take(width).map(str::to_owned).collect(),
            warnings: Vec::new(),
        })?;
    }
    assembler.finish()?;
    Ok(Table {
        headers: assembler.headers,
        rows: assembler.rows,
        format: Format::Csv,
        encoding: Some(decoded.encoding),
        sheet: None,
        header_row: assembler.header_row,
        warnings: assembler.warnings,
    })
}

/// Row numbers as Excel shows them after opening the CSV: every line break
/// outside quotes starts a new row (blank lines included), line breaks
/// inside a quoted cell do not. `\r\n`, `\n` and a lone `\r` each count once.
///
/// The csv crate's own line counter counts breaks inside quotes too, and a
/// record's byte position may point at the leftover of the previous line
/// break or at blank lines skipped before it; so this scans the text itself,
/// monotonically, and subtracts the breaks found inside cells.
#[derive(Debug)]
struct RowNumbers<'t> {
    text: &'t [u8],
    scanned: usize,
    breaks: usize,
    embedded: usize,
    last: usize,
}

impl<'t> RowNumbers<'t> {
    fn new(text: &'t str) -> Self {
        Self { text: text.as_bytes(), scanned: 0, breaks: 0, embedded: 0, last: 1 }
    }

    /// Row of the record whose parse started at byte `start`.
    fn row_at(&mut self, start: u64) -> usize {
        let mut at = usize::try_from(start).unwrap_or(usize::MAX).min(self.text.len());
        // Skip the leftover of the previous terminator and blank lines.
        while at < self.text.len() && matches!(self.text[at], b'\r' | b'\n') {
            at += 1;
        }
        while self.scanned < at {
            let b = self.text[self.scanned];
            let after_cr = self.scanned > 0 && self.text[self.scanned - 1] == b'\r';
            if b == b'\r' || (b == b'\n' && !after_cr) {
                self.breaks += 1;
            }
            self.scanned += 1;
        }
        self.last = 1 + self.breaks.saturating_sub(self.embedded);
        self.last
    }

    /// Accounts for line breaks inside the cells of the record just read.
    fn skip_embedded(&mut self, record: &csv::StringRecord) {
        for cell in record {
            self.embedded += count_breaks(cell);
        }
    }
}

fn count_breaks(s: &str) -> usize {
    let bytes = s.as_bytes();
    bytes.iter().enumerate().filter(|&(i, &b)| b == b'\r' || (b == b'\n' && (i == 0 || bytes[i - 1] != b'\r'))).count()
}

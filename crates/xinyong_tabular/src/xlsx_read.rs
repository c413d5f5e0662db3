//! `.xlsx` uploads, read cell by cell.
//!
//! calamine's `worksheet_range` allocates the rectangle the sheet *declares*
//! in `<dimension ref="…">` before reading a single cell, so a 10 KB file
//! declaring `A1:XFD1048576` asks for ~17 billion cells (python-calamine
//! issue #130). We use `worksheet_cells_reader` instead, which streams the
//! cells actually present, and enforce every limit as the cells arrive.

use std::io::{Cursor, Read};
use std::panic::{AssertUnwindSafe, catch_unwind};

use calamine::{Reader, SheetType, SheetVisible, Xlsx};

use crate::assemble::{Assembler, RawRow, is_blank};
use crate::cell::{CellWarningKind, xlsx_cell_text};
use crate::{Format, ReadOptions, Table, TabularError};

pub(crate) fn read(bytes: &[u8], opts: &ReadOptions) -> Result<Table, TabularError> {
    if !bytes.starts_with(b"PK") {
        return Err(TabularError::FileNotTabular);
    }
    // calamine 0.38 does unchecked u32 arithmetic on cell references taken
    // from the XML (e.g. `<c r="ZZZZZZZZ1">`, `<dimension ref="B2:A1">`),
    // which panics in builds with overflow checks (tests, fuzzing with -a)
    // and wraps silently in release. An upload must never take the worker
    // down, so a panic inside the zip or XML readers is reported as a
    // corrupt workbook. (This needs `panic = "unwind"`, the default.)
    let guarded = || {
        guard_zip(bytes, opts)?;
        read_workbook(bytes, opts)
    };
    match catch_unwind(AssertUnwindSafe(guarded)) {
        Ok(result) => result,
        Err(_) => Err(TabularError::corrupt("xlsx reader panicked")),
    }
}

/// Bounds what calamine will unpack, before it unpacks anything.
///
/// calamine loads the shared-string table whole and streams sheets through
/// quick-xml, which buffers a whole text node; both can be blown up by a zip
/// bomb (a few MB that inflate to many GB). Entry headers may lie about
/// sizes, so every entry is actually inflated here, into nothing, counting
/// bytes, and we stop as soon as the total passes the limit. This costs one
/// extra decompression pass, which is cheap next to XML parsing.
///
/// While inflating an XML part it also measures the longest stretch between
/// two `<`: a text node or a tag. quick-xml buffers a whole text node and
/// calamine keeps every shared string, so one 1,000 MiB string in a 1 MB
/// file would cost gigabytes before any per-cell limit could see it. No
/// cell of [`ReadOptions::max_cell_chars`] characters needs more than
/// [`max_xml_run`] bytes (6 per character for `&quot;`, plus a tag), so a
/// longer stretch refuses the file at constant memory.
///
/// It also checks the `uniqueCount` that calamine passes to `Vec::reserve`
/// for shared strings: a forged count of billions makes the allocator abort
/// the whole process, which no `catch_unwind` can stop.
fn guard_zip(bytes: &[u8], opts: &ReadOptions) -> Result<(), TabularError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(TabularError::corrupt)?;
    let limit = opts.max_unpacked_bytes;
    let mut total: u64 = 0;
    let mut has_workbook = false;
    let mut shared_strings = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(TabularError::corrupt)?;
        let part = entry.name().map_err(TabularError::corrupt)?.into_owned();
        let name = part.to_ascii_lowercase();
        has_workbook |= name.ends_with("workbook.xml");
        let xml = name.ends_with(".xml");
        let mut size: u64 = 0;
        let mut run: usize = 0;
        loop {
            let n = entry.read(&mut buf).map_err(TabularError::corrupt)?;
            if n == 0 {
                break;
            }
            size += n as u64;
            total += n as u64;
            if total > limit {
                return Err(TabularError::XlsxTooLarge { limit_mib: limit.div_ceil(1024 * 1024) });
            }
            if xml {
                run = longest_run_checked(&buf[..n], run, max_xml_run(opts))
                    .map_err(|()| TabularError::XlsxTextTooLong { part: part.clone(), limit: opts.max_cell_chars })?;
            }
        }
        if name.ends_with("sharedstrings.xml") {
            shared_strings.push((i, size));
        }
    }
    if !has_workbook {
        // A .docx, .ods or plain zip: a container, but not a workbook.
        return Err(TabularError::FileNotTabular);
    }
    for (index, size) in shared_strings {
        let entry = zip.by_index(index).map_err(TabularError::corrupt)?;
        if let Some(count) = unique_count(entry) {
            // Every `<si>` takes at least 5 bytes (`<si/>`), and a workbook
            // we accept cannot need more unique strings than cells.
            let plausible = (size / 5).min(u64::try_from(opts.max_cells).unwrap_or(u64::MAX)).max(1024);
            if count > plausible {
                return Err(TabularError::corrupt(format!(
                    "sharedStrings uniqueCount {count} is implausible for {size} bytes"
                )));
            }
        }
    }
    Ok(())
}

/// The longest stretch of an XML part between two `<` a workbook within
/// the limits can need.
fn max_xml_run(opts: &ReadOptions) -> usize {
    opts.max_cell_chars.saturating_mul(6).saturating_add(64 * 1024)
}

/// Carries the length of the current stretch without `<` across `chunk`;
/// `Err` as soon as it passes `max`.
fn longest_run_checked(chunk: &[u8], carried: usize, max: usize) -> Result<usize, ()> {
    let mut parts = chunk.split(|b| *b == b'<');
    // The first part continues the stretch of the previous chunk; every
    // later one starts after a `<`.
    let mut run = carried.saturating_add(parts.next().map_or(0, <[u8]>::len));
    if run > max {
        return Err(());
    }
    for part in parts {
        run = part.len();
        if run > max {
            return Err(());
        }
    }
    Ok(run)
}

/// The largest `uniqueCount` written in the first `<sst>` start tag, found
/// the way calamine finds it (first `sst` element, same reader settings).
/// Scanning the raw tag for every spelling is deliberately more suspicious
/// than calamine's own attribute parser, never less.
fn unique_count(entry: impl Read) -> Option<u64> {
    let mut xml = quick_xml::Reader::from_reader(std::io::BufReader::new(entry));
    let config = xml.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.check_comments = false;
    config.expand_empty_elements = true;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf) {
            Ok(quick_xml::events::Event::Start(e)) if e.local_name().as_ref() == "sst" => {
                return max_digits_after(e.as_bytes(), b"uniqueCount");
            }
            // calamine fails on the same XML before it reserves anything.
            Ok(quick_xml::events::Event::Eof) | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

fn max_digits_after(tag: &[u8], key: &[u8]) -> Option<u64> {
    let mut best: Option<u64> = None;
    let mut from = 0;
    while let Some(at) = tag.get(from..).and_then(|rest| rest.windows(key.len()).position(|w| w == key)) {
        let mut i = from + at + key.len();
        from = i;
        let skip = |i: &mut usize, set: &[u8]| {
            while tag.get(*i).is_some_and(|b| set.contains(b)) {
                *i += 1;
            }
        };
        skip(&mut i, b" \t\r\n=\"'+");
        let digits_start = i;
        skip(&mut i, b"0123456789");
        let digits = std::str::from_utf8(&tag[digits_start..i]).ok()?;
        // Too many digits for u64 is certainly forged.
        let value = if digits.is_empty() { 0 } else { digits.parse::<u64>().unwrap_or(u64::MAX) };
        best = Some(best.map_or(value, |b| b.max(value)));
    }
    best
}

fn read_workbook(bytes: &[u8], opts: &ReadOptions) -> Result<Table, TabularError> {
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(TabularError::corrupt)?;
    let sheet = choose_sheet(&workbook, opts)?;
    let mut cells = workbook.worksheet_cells_reader(&sheet).map_err(TabularError::corrupt)?;

    let mut assembler = Assembler::new(opts);
    let mut pending = PendingRow::new(0);
    while let Some(cell) = cells.next_cell().map_err(TabularError::corrupt)? {
        let (row, column) = cell.get_position();
        if row != pending.row {
            let done = std::mem::replace(&mut pending, PendingRow::new(row));
            done.flush(&mut assembler, opts)?;
        }
        pending.add(column, xlsx_cell_text(cell.get_value()), opts);
    }
    pending.flush(&mut assembler, opts)?;
    assembler.finish()?;
    Ok(Table {
        headers: assembler.headers,
        rows: assembler.rows,
        format: Format::Xlsx,
        encoding: None,
        sheet: Some(sheet),
        header_row: assembler.header_row,
        warnings: assembler.warnings,
    })
}

/// The named sheet, or else the first visible worksheet (templates often
/// keep their drop-down lists on a hidden sheet), or else the first one.
fn choose_sheet<R: std::io::Read + std::io::Seek>(
    workbook: &Xlsx<R>,
    opts: &ReadOptions,
) -> Result<String, TabularError> {
    let sheets = workbook.sheets_metadata();
    let worksheets: Vec<&calamine::Sheet> = sheets.iter().filter(|s| s.typ == SheetType::WorkSheet).collect();
    if let Some(wanted) = &opts.sheet {
        let wanted_trimmed = wanted.trim();
        return worksheets
            .iter()
            .find(|s| s.name == *wanted)
            .or_else(|| worksheets.iter().find(|s| s.name.trim() == wanted_trimmed))
            .map(|s| s.name.clone())
            .ok_or_else(|| TabularError::SheetNotFound {
                name: wanted.clone(),
                available: worksheets.iter().map(|s| s.name.clone()).collect(),
            });
    }
    worksheets
        .iter()
        .find(|s| s.visible == SheetVisible::Visible)
        .or_else(|| worksheets.first())
        .map(|s| s.name.clone())
        .ok_or_else(|| TabularError::corrupt("workbook has no worksheet"))
}

/// Cells of the row being streamed. Its `cells` never grow past
/// `max_columns`, whatever column numbers the XML claims.
#[derive(Debug)]
struct PendingRow {
    row: u32,
    cells: Vec<String>,
    /// Last non-blank column + 1.
    width: usize,
    /// Widest non-blank column seen beyond `max_columns`, if any.
    overflow: Option<usize>,
    warnings: Vec<(usize, CellWarningKind)>,
}

impl PendingRow {
    fn new(row: u32) -> Self {
        Self { row, cells: Vec::new(), width: 0, overflow: None, warnings: Vec::new() }
    }

    fn add(&mut self, column: u32, (text, warning): (String, Option<CellWarningKind>), opts: &ReadOptions) {
        if text.is_empty() {
            return;
        }
        let column = usize::try_from(column).unwrap_or(usize::MAX);
        let blank = is_blank(&text);
        if column >= opts.max_columns {
            // Keep reading the row so the error can say how wide it is.
            if !blank {
                self.overflow = Some(self.overflow.unwrap_or(0).max(column.saturating_add(1)));
            }
            return;
        }
        if self.cells.len() <= column {
            self.cells.resize(column + 1, String::new());
        }
        self.cells[column] = text;
        if !blank {
            self.width = self.width.max(column + 1);
            if let Some(kind) = warning {
                self.warnings.push((column, kind));
            }
        }
    }

    fn flush(mut self, assembler: &mut Assembler<'_>, opts: &ReadOptions) -> Result<(), TabularError> {
        let number = usize::try_from(self.row).unwrap_or(usize::MAX).saturating_add(1);
        if let Some(columns) = self.overflow {
            return Err(TabularError::TooManyColumns { row: number, columns, limit: opts.max_columns });
        }
        if self.width == 0 {
            return Ok(());
        }
        self.cells.truncate(self.width);
        assembler.push(RawRow { number, cells: self.cells, warnings: self.warnings })
    }
}

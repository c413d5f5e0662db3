//! `read_table` on the XLSX path.
//!
//! Input starting with `PK` is used as a whole file. Anything else becomes
//! the worksheet XML (and, after a NUL byte, the shared-string XML) of an
//! otherwise valid workbook, because mutated zip bytes rarely survive the CRC
//! check and would never reach calamine's XML parsing.
//!
//! calamine 0.38 has integer overflows on hostile cell references that panic
//! only with overflow checks; `read_table` catches them, but libFuzzer's
//! panic hook aborts first. So run without `-a/--debug-assertions`
//! (cargo-fuzz's default in release mode).
#![no_main]

use std::io::{Cursor, Write};

use libfuzzer_sys::fuzz_target;
use xinyong_tabular::{Format, ReadOptions, read_table};

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#;
const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;

fn workbook_around(sheet: &[u8], shared_strings: Option<&[u8]>) -> Option<Vec<u8>> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut entries: Vec<(&str, &[u8])> = vec![
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", ROOT_RELS.as_bytes()),
        ("xl/workbook.xml", WORKBOOK.as_bytes()),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet),
    ];
    if let Some(sst) = shared_strings {
        entries.push(("xl/sharedStrings.xml", sst));
    }
    for (name, data) in entries {
        w.start_file(name, opts).ok()?;
        w.write_all(data).ok()?;
    }
    Some(w.finish().ok()?.into_inner())
}

fuzz_target!(|data: &[u8]| {
    let opts = ReadOptions {
        format: Some(Format::Xlsx),
        max_rows: 10_000,
        max_columns: 64,
        max_cell_chars: 4_096,
        max_cells: 100_000,
        max_unpacked_bytes: 16 << 20,
        ..ReadOptions::default()
    };
    let owned;
    let file = if data.starts_with(b"PK") {
        data
    } else {
        let (sheet, sst) = match data.iter().position(|&b| b == 0) {
            Some(i) => (&data[..i], Some(&data[i + 1..])),
            None => (data, None),
        };
        let Some(bytes) = workbook_around(sheet, sst) else {
            return;
        };
        owned = bytes;
        &owned
    };
    if let Ok(table) = read_table(file, &opts) {
        for row in &table.rows {
            assert_eq!(row.cells.len(), table.headers.len());
        }
    }
});

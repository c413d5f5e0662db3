//! Helpers shared by the integration tests.

use std::io::{Cursor, Read, Write};

use xinyong_tabular::{ReadOptions, Table, TabularError, read_table};

pub fn s(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| (*c).to_owned()).collect()
}

pub fn read(bytes: &[u8]) -> Result<Table, TabularError> {
    read_table(bytes, &ReadOptions::default())
}

pub fn read_ok(bytes: &[u8]) -> Table {
    match read(bytes) {
        Ok(t) => t,
        Err(e) => panic!("read failed: {} ({e})", e.code()),
    }
}

pub fn code(result: Result<Table, TabularError>) -> &'static str {
    match result {
        Ok(t) => panic!("expected an error, got {} rows", t.rows.len()),
        Err(e) => e.code(),
    }
}

/// (row number, cells) of every data row.
pub fn numbered(table: &Table) -> Vec<(usize, Vec<String>)> {
    table.rows.iter().map(|r| (r.number, r.cells.clone())).collect()
}

/// All entries of a zip, in order.
pub fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("zip");
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).expect("entry");
            let name = f.name().expect("name").to_string();
            let mut data = Vec::new();
            f.read_to_end(&mut data).expect("inflate");
            (name, data)
        })
        .collect()
}

pub fn zip_entries(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        w.start_file(name.as_str(), opts).expect("start");
        w.write_all(data).expect("write");
    }
    w.finish().expect("finish").into_inner()
}

/// Rewrites one entry of an xlsx (or any zip).
pub fn rewrite_entry(bytes: &[u8], name: &str, f: impl Fn(&str) -> String) -> Vec<u8> {
    let mut entries = unzip(bytes);
    let entry = entries.iter_mut().find(|(n, _)| n == name).expect("entry exists");
    let text = String::from_utf8(entry.1.clone()).expect("utf-8 xml");
    entry.1 = f(&text).into_bytes();
    zip_entries(&entries)
}

/// A minimal hand-made xlsx around the given `<sheetData>` content, so
/// tests (and the no-panic properties) control the sheet XML exactly.
pub fn xlsx_with_sheet_data(sheet_data: &str, shared_strings: Option<&str>) -> Vec<u8> {
    xlsx_with_sheet_xml(
        &format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1"/><sheetData>{sheet_data}</sheetData></worksheet>"#
        ),
        shared_strings,
    )
}

pub fn xlsx_with_sheet_xml(sheet_xml: &str, shared_strings: Option<&str>) -> Vec<u8> {
    let mut entries = vec![
        (
            "[Content_Types].xml".to_owned(),
            br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#
                .to_vec(),
        ),
        (
            "_rels/.rels".to_owned(),
            br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
                .to_vec(),
        ),
        (
            "xl/workbook.xml".to_owned(),
            br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#
                .to_vec(),
        ),
        (
            "xl/_rels/workbook.xml.rels".to_owned(),
            br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#
                .to_vec(),
        ),
        ("xl/worksheets/sheet1.xml".to_owned(), sheet_xml.as_bytes().to_vec()),
    ];
    if let Some(sst) = shared_strings {
        entries.push(("xl/sharedStrings.xml".to_owned(), sst.as_bytes().to_vec()));
    }
    zip_entries(&entries)
}

/// Peak resident memory of this process in KiB (Linux), for sanity bounds.
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

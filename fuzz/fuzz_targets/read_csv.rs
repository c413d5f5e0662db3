//! `read_table` on arbitrary bytes forced through the CSV path.
//!
//! The first byte picks the encoding and header mode so the fuzzer explores
//! all of them; the rest is the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xinyong_tabular::{Encoding, Format, ReadOptions, read_table};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, file)) = data.split_first() else {
        return;
    };
    let encoding = match selector % 3 {
        0 => Encoding::Auto,
        1 => Encoding::Utf8,
        _ => Encoding::Gbk,
    };
    let header_row = (selector & 0x80 != 0).then_some(usize::from(selector & 0x07));
    let opts = ReadOptions {
        format: Some(Format::Csv),
        encoding,
        header_row,
        max_rows: 10_000,
        max_columns: 64,
        max_cell_chars: 4_096,
        max_cells: 100_000,
        ..ReadOptions::default()
    };
    if let Ok(table) = read_table(file, &opts) {
        for row in &table.rows {
            assert_eq!(row.cells.len(), table.headers.len());
            assert!(row.number > table.header_row);
        }
    }
});

use xinyong_tabular::{Encoding, Format, ReadOptions, TabularError, read_table};

use crate::common::{code, numbered, read, read_ok, s};

const SAMPLE: &str = "行政相对人名称,统一社会信用代码,处罚决定日期\n济南甲有限公司,91370100MA3C00001X,2024-01-02\n济南乙商店,92370102MA3D00002Y,2024-02-03\n";

fn sample_rows() -> Vec<(usize, Vec<String>)> {
    vec![
        (2, s(&["济南甲有限公司", "91370100MA3C00001X", "2024-01-02"])),
        (3, s(&["济南乙商店", "92370102MA3D00002Y", "2024-02-03"])),
    ]
}

#[test]
fn utf8_csv_is_read_with_row_numbers_from_two() {
    let t = read_ok(SAMPLE.as_bytes());
    assert_eq!(t.headers, s(&["行政相对人名称", "统一社会信用代码", "处罚决定日期"]));
    assert_eq!(numbered(&t), sample_rows());
    assert_eq!(t.format, Format::Csv);
    assert_eq!(t.encoding, Some("UTF-8"));
    assert_eq!(t.header_row, 1);
    assert_eq!(t.sheet, None);
    assert_eq!(t.column_index(" 统一社会信用代码 "), Some(1));
}

#[test]
fn utf8_bom_is_stripped_from_the_first_header() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(SAMPLE.as_bytes());
    let t = read_ok(&bytes);
    assert_eq!(t.headers[0], "行政相对人名称");
    assert_eq!(t.encoding, Some("UTF-8"));
    assert_eq!(numbered(&t), sample_rows());
}

#[test]
fn gbk_csv_from_chinese_windows_excel_is_decoded() {
    let crlf = SAMPLE.replace('\n', "\r\n");
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&crlf);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&gbk).is_err(), "sample must not be UTF-8");
    let t = read_ok(&gbk);
    assert_eq!(t.encoding, Some("GB18030"));
    assert_eq!(t.headers[1], "统一社会信用代码");
    assert_eq!(numbered(&t), sample_rows());

    let forced = read_table(&gbk, &ReadOptions { encoding: Encoding::Gbk, ..ReadOptions::default() });
    assert_eq!(forced.map(|t| t.rows.len()), Ok(2));
    let wrong = read_table(&gbk, &ReadOptions { encoding: Encoding::Utf8, ..ReadOptions::default() });
    assert_eq!(code(wrong), "encoding_mismatch");
}

#[test]
fn gb18030_four_byte_characters_are_decoded() {
    // 𠀀 (U+20000) is outside GBK; GB18030 encodes it in four bytes.
    let text = "名称,代码,备注\n𠀀记,1,㐀\n";
    let (bytes, _, unmappable) = encoding_rs::GB18030.encode(text);
    assert!(!unmappable);
    let t = read_ok(&bytes);
    assert_eq!(t.rows[0].cells, s(&["𠀀记", "1", "㐀"]));
}

#[test]
fn utf16le_unicode_text_from_excel_is_decoded() {
    let text = "名称\t代码\t日期\r\n甲\t001\t2024-01-02\r\n";
    let mut bytes = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    let t = read_ok(&bytes);
    assert_eq!(t.encoding, Some("UTF-16LE"));
    assert_eq!(t.rows[0].cells, s(&["甲", "001", "2024-01-02"]));
}

#[test]
fn bytes_that_are_neither_utf8_nor_gbk_are_rejected() {
    // Lone GBK lead bytes followed by ASCII: invalid in both.
    let bytes: Vec<u8> = b"a,b,c\n".iter().copied().chain([0x81, 0x20, 0xFE, 0x0A].repeat(50)).collect();
    assert_eq!(code(read(&bytes)), "encoding_unrecognized");
    let err = read(&bytes).expect_err("unrecognized");
    assert_eq!(err.to_string(), "无法识别文件编码(既不是 UTF-8 也不是 GBK/GB18030)");
}

#[test]
fn tab_and_semicolon_separated_files_are_detected() {
    let tsv = read_ok("名称\t代码\t金额\n甲,乙\t001\t1,5\n".as_bytes());
    assert_eq!(tsv.headers, s(&["名称", "代码", "金额"]));
    assert_eq!(tsv.rows[0].cells, s(&["甲,乙", "001", "1,5"]));

    let semi = read_ok("名称;代码;金额\n甲;001;1,5\n".as_bytes());
    assert_eq!(semi.rows[0].cells, s(&["甲", "001", "1,5"]));

    let forced =
        read_table("a|b|c\n1|2|3\n".as_bytes(), &ReadOptions { delimiter: Some(b'|'), ..ReadOptions::default() });
    assert_eq!(forced.map(|t| t.headers), Ok(s(&["a", "b", "c"])));
}

#[test]
fn quoted_fields_with_newlines_keep_excel_row_numbers() {
    let text = "名称,地址,备注\r\n\"甲\",\"济南市\r\n历下区\",\"说\"\"明\"\r\n乙,\"a,b\",\r\n丙,,x\r\n";
    let t = read_ok(text.as_bytes());
    assert_eq!(
        numbered(&t),
        vec![(2, s(&["甲", "济南市\r\n历下区", "说\"明"])), (3, s(&["乙", "a,b", ""])), (4, s(&["丙", "", "x"])),]
    );
}

#[test]
fn ragged_rows_are_padded_and_long_rows_are_rejected_by_number() {
    let t = read_ok("名称,代码,日期\n甲\n乙,2\n丙,3,2024-01-01,,,\n".as_bytes());
    assert_eq!(
        numbered(&t),
        vec![(2, s(&["甲", "", ""])), (3, s(&["乙", "2", ""])), (4, s(&["丙", "3", "2024-01-01"])),]
    );
    let err = read("名称,代码,日期\n甲,1,2\n乙,2,3,多余\n".as_bytes()).expect_err("too long");
    assert_eq!(err, TabularError::RowTooLong { row: 3, cells: 4, headers: 3 });
    assert_eq!(err.code(), "row_too_long");
}

#[test]
fn empty_rows_are_skipped_but_still_counted() {
    let t = read_ok("名称,代码,日期\n\n,,\n甲,1,2\r\n\r\n  , ,\n乙,2,3\n\n".as_bytes());
    assert_eq!(numbered(&t), vec![(4, s(&["甲", "1", "2"])), (7, s(&["乙", "2", "3"]))]);
}

#[test]
fn title_and_instruction_rows_above_the_header_are_skipped() {
    let text = "行政处罚信息导入模板,,,,\n说明:带*为必填项,日期格式为YYYY-MM-DD,,,\n*行政相对人名称,*统一社会信用代码,*处罚决定书文号,处罚类别,*处罚决定日期,\n甲公司,91370100MA3C00001X,济市监罚〔2024〕1号,罚款,2024-01-02,\n";
    let t = read_ok(text.as_bytes());
    assert_eq!(t.header_row, 3);
    assert_eq!(t.headers, s(&["*行政相对人名称", "*统一社会信用代码", "*处罚决定书文号", "处罚类别", "*处罚决定日期"]));
    assert_eq!(
        numbered(&t),
        vec![(4, s(&["甲公司", "91370100MA3C00001X", "济市监罚〔2024〕1号", "罚款", "2024-01-02"]))]
    );
}

#[test]
fn trailing_empty_header_column_is_trimmed_and_headers_are_trimmed() {
    let t = read_ok(" 名称 ,\u{3000}代码,日期,\n甲,1,2,\n".as_bytes());
    assert_eq!(t.headers, s(&["名称", "代码", "日期"]));
    assert_eq!(t.rows[0].cells, s(&["甲", "1", "2"]));
}

#[test]
fn cells_are_kept_verbatim() {
    let t = read_ok("名称,代码,金额\n 甲 ,0012,=1+1\n".as_bytes());
    assert_eq!(t.rows[0].cells, s(&[" 甲 ", "0012", "=1+1"]));
}

#[test]
fn explicit_header_row_is_honoured() {
    let text = "a,b,c\n名称,代码,日期\n甲,1,2\n";
    let opts = ReadOptions { header_row: Some(2), ..ReadOptions::default() };
    let t = read_table(text.as_bytes(), &opts).expect("read");
    assert_eq!(t.headers, s(&["名称", "代码", "日期"]));
    assert_eq!(numbered(&t), vec![(3, s(&["甲", "1", "2"]))]);

    let opts = ReadOptions { header_row: Some(2), ..ReadOptions::default() };
    assert_eq!(code(read_table(b"a,b\n\nc,d\n", &opts)), "header_row_missing");
}

#[test]
fn empty_files_and_headers_only() {
    assert_eq!(code(read(b"")), "file_empty");
    assert_eq!(code(read(b"\xEF\xBB\xBF \r\n,,,\r\n")), "file_empty");
    assert_eq!(read(b"").expect_err("empty").to_string(), "文件为空或没有表头");
    let t = read_ok("名称,代码,日期\n".as_bytes());
    assert!(t.rows.is_empty());
}

#[test]
fn binary_files_are_not_tabular() {
    assert_eq!(code(read(b"%PDF-1.7\n\x00\x00\x01binary")), "file_not_tabular");
    assert_eq!(code(read(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")), "file_not_tabular");
    assert_eq!(read(b"\x00").expect_err("binary").to_string(), "文件不是有效的 Excel 工作簿(.xlsx)或 CSV 文本");
}

#[test]
fn old_xls_and_encrypted_workbooks_are_refused_clearly() {
    let mut ole = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec();
    ole.resize(512, 0);
    assert_eq!(code(read(&ole)), "xls_unsupported");
}

#[test]
fn row_limit_stops_reading() {
    let mut text = String::from("名称,代码,日期\n");
    for i in 0..11 {
        text.push_str(&format!("甲{i},{i},2024-01-01\n"));
    }
    let opts = ReadOptions { max_rows: 10, ..ReadOptions::default() };
    let err = read_table(text.as_bytes(), &opts).expect_err("too many rows");
    assert_eq!(err, TabularError::TooManyRows { limit: 10 });
    let opts = ReadOptions { max_rows: 11, ..ReadOptions::default() };
    assert_eq!(read_table(text.as_bytes(), &opts).map(|t| t.rows.len()), Ok(11));
}

#[test]
fn column_limit_names_the_row() {
    let header: Vec<String> = (0..250).map(|i| format!("列{i}")).collect();
    let err = read(header.join(",").as_bytes()).expect_err("too wide");
    assert_eq!(err, TabularError::TooManyColumns { row: 1, columns: 250, limit: 200 });
    assert_eq!(err.to_string(), "第 1 行有 250 列,超过上限 200 列");

    let mut text = String::from("名称,代码,日期\n甲,1,2\n");
    text.push_str(&"x,".repeat(249));
    text.push_str("y\n");
    let err = read(text.as_bytes()).expect_err("too wide");
    assert_eq!(err, TabularError::TooManyColumns { row: 3, columns: 250, limit: 200 });

    // Only non-empty cells count: Excel's trailing commas are fine.
    let padded = format!("名称,代码,日期{}\n甲,1,2\n", ",".repeat(500));
    assert_eq!(read(padded.as_bytes()).map(|t| t.headers.len()), Ok(3));
}

#[test]
fn long_cells_are_rejected_with_row_and_column() {
    let text = format!("名称,代码,备注\n甲,1,{}\n", "长".repeat(101));
    let opts = ReadOptions { max_cell_chars: 100, ..ReadOptions::default() };
    let err = read_table(text.as_bytes(), &opts).expect_err("too long");
    assert_eq!(err, TabularError::CellTooLong { row: 2, column: "C".into(), chars: 101, limit: 100 });
    assert_eq!(err.to_string(), "第 2 行 C 列的内容有 101 个字符,超过上限 100 个字符");
}

#[test]
fn cell_budget_bounds_padding() {
    let mut text = (0..100).map(|i| format!("h{i}")).collect::<Vec<_>>().join(",");
    text.push('\n');
    text.push_str(&"x\n".repeat(11));
    let opts = ReadOptions { max_cells: 1_000, ..ReadOptions::default() };
    assert_eq!(code(read_table(text.as_bytes(), &opts)), "too_many_cells");
}

#[test]
fn forced_csv_on_a_zip_is_not_tabular() {
    let xlsx = xinyong_tabular::write_xlsx("Sheet1", &s(&["a"]), &[]).expect("write");
    let opts = ReadOptions { format: Some(Format::Csv), ..ReadOptions::default() };
    assert_eq!(code(read_table(&xlsx, &opts)), "file_not_tabular");
}

#[test]
fn format_from_file_name() {
    assert_eq!(Format::from_file_name("处罚.XLSX"), Some(Format::Xlsx));
    assert_eq!(Format::from_file_name("a.b.csv"), Some(Format::Csv));
    assert_eq!(Format::from_file_name("data.tsv"), Some(Format::Csv));
    assert_eq!(Format::from_file_name("old.xls"), None);
    assert_eq!(Format::from_file_name("noext"), None);
    assert_eq!(Format::detect(b"PK\x03\x04rest"), Format::Xlsx);
    assert_eq!(Format::detect(b"a,b"), Format::Csv);
}

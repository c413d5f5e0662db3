use std::time::{Duration, Instant};

use rust_xlsxwriter::{ExcelDateTime, Format as XFormat, Workbook};
use xinyong_tabular::{CellWarningKind, Format, ReadOptions, TabularError, read_table};

use crate::common::{
    code, numbered, peak_rss_kib, read, read_ok, rewrite_entry, s, unzip, xlsx_with_sheet_data, xlsx_with_sheet_xml,
    zip_entries,
};

const SHEET1: &str = "xl/worksheets/sheet1.xml";

/// A clerk's upload: title row, header row, typed values of every kind,
/// and a second sheet that must be ignored.
fn typed_workbook() -> Vec<u8> {
    let mut wb = Workbook::new();
    let date = XFormat::new().set_num_format("yyyy-mm-dd");
    let cn_date = XFormat::new().set_num_format("yyyy\"年\"m\"月\"d\"日\"");
    let date_time = XFormat::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let money = XFormat::new().set_num_format("0.00");
    {
        let ws = wb.add_worksheet();
        ws.set_name("行政处罚").expect("name");
        ws.write_string(0, 0, "行政处罚信息导入模板").expect("w");
        let headers = ["名称", "代码", "金额", "决定日期", "有效期至", "录入时间", "数量", "是否公示", "备注"];
        for (c, h) in headers.iter().enumerate() {
            ws.write_string(2, c as u16, *h).expect("w");
        }
        // Row 4 (index 3)
        ws.write_string(3, 0, "济南甲有限公司").expect("w");
        ws.write_string(3, 1, "91370100MA3C00001X").expect("w");
        ws.write_number_with_format(3, 2, 1234.5, &money).expect("w");
        let d = ExcelDateTime::from_ymd(2024, 1, 2).expect("date");
        ws.write_datetime_with_format(3, 3, &d, &date).expect("w");
        let d2 = ExcelDateTime::from_ymd(2029, 12, 31).expect("date");
        ws.write_datetime_with_format(3, 4, &d2, &cn_date).expect("w");
        let dt = ExcelDateTime::from_ymd(2024, 3, 4).expect("date").and_hms(8, 30, 5).expect("time");
        ws.write_datetime_with_format(3, 5, &dt, &date_time).expect("w");
        ws.write_number(3, 6, 123.0).expect("w");
        ws.write_boolean(3, 7, true).expect("w");
        // I4 (备注) left empty on purpose.
        // Row 5 (index 4): sparse, with empty cells in the middle.
        ws.write_string(4, 0, "济南乙商店").expect("w");
        ws.write_number(4, 2, 0.1 + 0.2).expect("w");
        ws.write_number(4, 6, -42.0).expect("w");
        ws.write_boolean(4, 7, false).expect("w");
        ws.write_string(4, 8, "含\n换行").expect("w");
        // Row 6 empty, row 7 has a formula with a cached value.
        ws.write_string(6, 0, "丙").expect("w");
        ws.write_formula(6, 6, "=1+2").expect("w").set_formula_result(6, 6, "3");
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name("代码表").expect("name");
        ws.write_string(0, 0, "这一页不该被读取").expect("w");
        ws.write_string(0, 1, "x").expect("w");
        ws.write_string(0, 2, "y").expect("w");
    }
    wb.save_to_buffer().expect("save")
}

#[test]
fn typed_cells_read_back_as_the_clerk_sees_them() {
    let t = read_ok(&typed_workbook());
    assert_eq!(t.format, Format::Xlsx);
    assert_eq!(t.encoding, None);
    assert_eq!(t.sheet.as_deref(), Some("行政处罚"));
    assert_eq!(t.header_row, 3);
    assert_eq!(t.headers, s(&["名称", "代码", "金额", "决定日期", "有效期至", "录入时间", "数量", "是否公示", "备注"]));
    assert_eq!(
        numbered(&t),
        vec![
            (
                4,
                s(&[
                    "济南甲有限公司",
                    "91370100MA3C00001X",
                    "1234.5",
                    "2024-01-02",
                    "2029-12-31",
                    "2024-03-04 08:30:05",
                    "123",
                    "是",
                    "",
                ])
            ),
            (5, s(&["济南乙商店", "", "0.3", "", "", "", "-42", "否", "含\n换行"])),
            (7, s(&["丙", "", "", "", "", "", "3", "", ""])),
        ]
    );
    assert!(t.warnings.is_empty());
}

#[test]
fn a_named_sheet_is_read_and_a_missing_one_is_reported() {
    let bytes = typed_workbook();
    let opts = ReadOptions { sheet: Some("代码表".into()), ..ReadOptions::default() };
    let t = read_table(&bytes, &opts).expect("read");
    assert_eq!(t.headers, s(&["这一页不该被读取", "x", "y"]));

    let opts = ReadOptions { sheet: Some("Sheet9".into()), ..ReadOptions::default() };
    let err = read_table(&bytes, &opts).expect_err("missing");
    assert_eq!(err.code(), "sheet_not_found");
    assert_eq!(err.to_string(), "工作簿中没有名为“Sheet9”的工作表(现有工作表:行政处罚、代码表)");
}

#[test]
fn a_hidden_first_sheet_is_skipped() {
    let mut wb = Workbook::new();
    {
        let ws = wb.add_worksheet();
        ws.set_name("下拉选项").expect("name");
        ws.write_string(0, 0, "选项").expect("w");
        ws.set_hidden(true);
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name("数据").expect("name");
        ws.write_string(0, 0, "名称").expect("w");
        ws.write_string(1, 0, "甲").expect("w");
        ws.set_active(true);
    }
    let t = read_ok(&wb.save_to_buffer().expect("save"));
    assert_eq!(t.sheet.as_deref(), Some("数据"));
    assert_eq!(numbered(&t), vec![(2, s(&["甲"]))]);
}

#[test]
fn shared_and_inline_strings_booleans_and_errors() {
    let data = r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>代码</t></is></c><c r="C1" t="s"><v>1</v></c></row>
<row r="2"><c r="A2" t="inlineStr"><is><t xml:space="preserve"> 甲 </t></is></c><c r="B2" t="e"><v>#N/A</v></c><c r="C2" t="b"><v>1</v></c></row>
<row r="3"><c r="A3" t="str"><v>公式文本</v></c><c r="B3"><v>914403001922038216</v></c></row>"#;
    let sst = r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2" uniqueCount="2"><si><t>名称</t></si><si><r><t>是否</t></r><r><t>公示</t></r></si></sst>"#;
    let t = read_ok(&xlsx_with_sheet_data(data, Some(sst)));
    assert_eq!(t.headers, s(&["名称", "代码", "是否公示"]));
    assert_eq!(numbered(&t), vec![(2, s(&[" 甲 ", "#N/A", "是"])), (3, s(&["公式文本", "914403001922038300", ""])),]);
    let kinds: Vec<(usize, usize, CellWarningKind)> =
        t.warnings.iter().map(|w| (w.row, w.column, w.kind.clone())).collect();
    assert_eq!(kinds, vec![(2, 1, CellWarningKind::ErrorValue("#N/A".into())), (3, 1, CellWarningKind::LongNumber),]);
    assert_eq!(t.warnings[0].code(), "error_value");
    assert!(t.warnings[1].to_string().starts_with("第 3 行 B 列是数字格式的长数字"));
}

#[test]
fn rows_without_r_attributes_are_numbered_in_order() {
    let data = r#"<row><c t="inlineStr"><is><t>名称</t></is></c><c t="inlineStr"><is><t>代码</t></is></c></row><row><c t="inlineStr"><is><t>甲</t></is></c><c><v>7</v></c></row>"#;
    let t = read_ok(&xlsx_with_sheet_data(data, None));
    assert_eq!(numbered(&t), vec![(2, s(&["甲", "7"]))]);
}

fn small_table_workbook(rows: usize) -> Vec<u8> {
    let headers = s(&["名称", "代码", "日期"]);
    let rows: Vec<Vec<String>> =
        (0..rows).map(|i| s(&[&format!("单位{i}"), &format!("{i:04}"), "2024-01-01"])).collect();
    xinyong_tabular::write_xlsx("Sheet1", &headers, &rows).expect("write")
}

#[test]
fn a_hostile_dimension_does_not_allocate_the_declared_range() {
    let honest = small_table_workbook(3);
    let hostile = rewrite_entry(&honest, SHEET1, |xml| {
        let start = xml.find("<dimension ref=\"").expect("has dimension");
        let end = start + xml[start..].find("/>").expect("closed") + 2;
        format!("{}<dimension ref=\"A1:XFD1048576\"/>{}", &xml[..start], &xml[end..])
    });
    assert!(
        String::from_utf8_lossy(&unzip(&hostile).iter().find(|(n, _)| n == SHEET1).expect("sheet").1)
            .contains("A1:XFD1048576")
    );
    let before = Instant::now();
    let t = read_ok(&hostile);
    assert!(before.elapsed() < Duration::from_secs(5), "took {:?}", before.elapsed());
    assert_eq!(t.rows.len(), 3);
    assert_eq!(t.rows[2].cells, s(&["单位2", "0002", "2024-01-01"]));
    // The declared range is 17 billion cells; reading it would need far more
    // than this whole test process ever uses.
    if let Some(kib) = peak_rss_kib() {
        assert!(kib < 1024 * 1024, "peak RSS {kib} KiB");
    }
}

#[test]
fn a_reversed_dimension_is_not_a_panic() {
    let xml = r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="C9:A1"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>名称</t></is></c></row></sheetData></worksheet>"#;
    // calamine subtracts the corners unchecked; whatever it does, we return.
    let result = read(&xlsx_with_sheet_xml(xml, None));
    assert!(
        matches!(&result, Ok(t) if t.headers == s(&["名称"]))
            || matches!(result, Err(TabularError::XlsxCorrupt { .. }))
    );
}

#[test]
fn overflowing_cell_references_are_an_error_not_a_panic() {
    let data = r#"<row r="1"><c r="ZZZZZZZZZZZZ1" t="inlineStr"><is><t>x</t></is></c></row>"#;
    // With overflow checks (tests) calamine panics and we report a corrupt
    // workbook; without them (release) the column wraps to some huge number.
    let code = code(read(&xlsx_with_sheet_data(data, None)));
    assert!(code == "xlsx_corrupt" || code == "too_many_columns", "{code}");
}

#[test]
fn row_limit_stops_streaming() {
    let bytes = small_table_workbook(50);
    let opts = ReadOptions { max_rows: 20, ..ReadOptions::default() };
    assert_eq!(read_table(&bytes, &opts).expect_err("limit"), TabularError::TooManyRows { limit: 20 });
}

#[test]
fn far_away_cells_hit_the_column_limit_without_allocating() {
    let data = r#"<row r="1"><c r="A1" t="inlineStr"><is><t>名称</t></is></c><c r="B1" t="inlineStr"><is><t>代码</t></is></c></row>
<row r="2"><c r="A2" t="inlineStr"><is><t>甲</t></is></c><c r="XFD2" t="inlineStr"><is><t>远</t></is></c></row>"#;
    let err = read(&xlsx_with_sheet_data(data, None)).expect_err("too wide");
    assert_eq!(err, TabularError::TooManyColumns { row: 2, columns: 16_384, limit: 200 });
}

#[test]
fn styled_empty_cells_and_far_rows_are_harmless() {
    // Templates pre-format thousands of rows; only content matters.
    let mut data = String::from(
        r#"<row r="1"><c r="A1" t="inlineStr"><is><t>名称</t></is></c><c r="B1" t="inlineStr"><is><t>代码</t></is></c></row>"#,
    );
    for r in 2..2000 {
        data.push_str(&format!(r#"<row r="{r}"><c r="A{r}" s="1"/><c r="XFD{r}" s="1"/></row>"#));
    }
    data.push_str(r#"<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>最后</t></is></c></row>"#);
    let t = read_ok(&xlsx_with_sheet_data(&data, None));
    assert_eq!(numbered(&t), vec![(1_048_576, s(&["最后", ""]))]);
}

#[test]
fn malformed_zips_are_corrupt_not_a_panic() {
    let good = small_table_workbook(2);
    let truncated = &good[..good.len() / 2];
    assert_eq!(code(read(truncated)), "xlsx_corrupt");
    assert_eq!(code(read(b"PK\x03\x04garbage")), "xlsx_corrupt");
    let mut flipped = good.clone();
    let mid = flipped.len() / 3;
    for b in &mut flipped[mid..mid + 64] {
        *b ^= 0x5A;
    }
    assert_eq!(code(read(&flipped)), "xlsx_corrupt");
    let err = read(truncated).expect_err("corrupt");
    assert_eq!(err.to_string(), "Excel 工作簿已损坏或格式不正确,请用 Excel 打开后另存为 .xlsx 再上传");
}

#[test]
fn a_zip_that_is_not_a_workbook_is_not_tabular() {
    let docx = zip_entries(&[("word/document.xml".into(), b"<w:document/>".to_vec())]);
    assert_eq!(code(read(&docx)), "file_not_tabular");
    let opts = ReadOptions { format: Some(Format::Xlsx), ..ReadOptions::default() };
    assert_eq!(code(read_table(b"name,code\n", &opts)), "file_not_tabular");
}

#[test]
fn a_zip_bomb_is_stopped_at_the_unpacked_limit() {
    // 8 MiB of comments inside the sheet XML deflates to a few KiB (each
    // short enough not to look like one huge text run).
    let padding = format!("<!--{}-->", " ".repeat(1017)).repeat(8 * 1024);
    let xml = format!(
        r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{padding}<row r="1"><c r="A1" t="inlineStr"><is><t>名称</t></is></c></row></sheetData></worksheet>"#
    );
    let bomb = xlsx_with_sheet_xml(&xml, None);
    assert!(bomb.len() < 256 * 1024, "fixture is {} bytes", bomb.len());
    let opts = ReadOptions { max_unpacked_bytes: 1024 * 1024, ..ReadOptions::default() };
    let err = read_table(&bomb, &opts).expect_err("bomb");
    assert_eq!(err, TabularError::XlsxTooLarge { limit_mib: 1 });
    // Under the default limit the same file is fine.
    assert_eq!(read(&bomb).map(|t| t.headers), Ok(s(&["名称"])));
}

#[test]
fn one_huge_string_is_refused_before_calamine_holds_it() {
    // 64 MiB in one shared string deflates to well under 1 MB; calamine
    // would keep it whole (the probe's 1,000 MiB string cost 3 GB).
    let huge = "长".repeat(64 * 1024 * 1024 / 3);
    let sst = format!(
        r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2" uniqueCount="2"><si><t>名称</t></si><si><t>{huge}</t></si></sst>"#
    );
    let data = r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>1</v></c></row>"#;
    let bomb = xlsx_with_sheet_data(data, Some(&sst));
    assert!(bomb.len() < 1024 * 1024, "fixture is {} bytes", bomb.len());
    let err = read(&bomb).expect_err("bomb");
    assert_eq!(err, TabularError::XlsxTextTooLong { part: "xl/sharedStrings.xml".into(), limit: 32_768 });
    assert_eq!(err.code(), "xlsx_text_too_long");
    // The same as an inline string in the sheet.
    let inline = format!(r#"<row r="1"><c r="A1" t="inlineStr"><is><t>{huge}</t></is></c></row>"#);
    assert_eq!(code(read(&xlsx_with_sheet_data(&inline, None))), "xlsx_text_too_long");
    // A cell at the limit, written the longest way (`&amp;` per character), still reads.
    let full = "&amp;".repeat(32_767);
    let data = format!(
        r#"<row r="1"><c r="A1" t="inlineStr"><is><t>名称</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>{full}</t></is></c></row>"#
    );
    let table = read(&xlsx_with_sheet_data(&data, None)).expect("a full cell is a cell");
    assert_eq!(table.rows[0].cells[0].chars().count(), 32_767);
}

#[test]
fn a_forged_shared_string_count_is_refused_before_calamine_reserves_it() {
    let sst = r#"<?xml version="1.0"?><!-- uniqueCount="1" --><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount = '4000000000'><si><t>名称</t></si></sst>"#;
    let data = r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#;
    assert_eq!(code(read(&xlsx_with_sheet_data(data, Some(sst)))), "xlsx_corrupt");
    let honest = sst.replace("uniqueCount = '4000000000'", "uniqueCount=\"1\"");
    assert_eq!(read(&xlsx_with_sheet_data(data, Some(&honest))).map(|t| t.headers), Ok(s(&["名称"])));
}

#[test]
fn long_cells_are_limited_in_xlsx_too() {
    let headers = s(&["名称", "备注"]);
    let rows = vec![s(&["甲", &"长".repeat(300)])];
    let bytes = xinyong_tabular::write_xlsx("Sheet1", &headers, &rows).expect("write");
    let opts = ReadOptions { max_cell_chars: 200, ..ReadOptions::default() };
    assert_eq!(
        read_table(&bytes, &opts).expect_err("long"),
        TabularError::CellTooLong { row: 2, column: "B".into(), chars: 300, limit: 200 }
    );
}

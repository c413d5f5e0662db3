use std::io::Cursor;

use calamine::{Reader, Xlsx};
use xinyong_tabular::{
    ERROR_CODE_COLUMN_HEADER, ERROR_COLUMN_HEADER, ERROR_REPORT_SHEET, write_error_report, write_xlsx,
};

use crate::common::{numbered, read_ok, s};

fn headers() -> Vec<String> {
    s(&["行政相对人名称", "统一社会信用代码", "处罚决定日期", "备注"])
}

fn rejected() -> Vec<(Vec<String>, String, String)> {
    vec![
        (
            s(&["济南甲有限公司", "91370100MA3C00001", "2024-13-01", ""]),
            "统一社会信用代码应为 18 位;处罚决定日期无效".to_owned(),
            "uscc_length；date_invalid".to_owned(),
        ),
        (
            s(&["", "000123", "2024-01-02", "  前后空格  "]),
            "行政相对人名称必填".to_owned(),
            "required_missing".to_owned(),
        ),
        (s(&["乙", "", "", "多行\n备注"]), "统一社会信用代码必填".to_owned(), "required_missing".to_owned()),
    ]
}

#[test]
fn the_error_report_round_trips_through_read_table() {
    let bytes = write_error_report(&headers(), &rejected()).expect("report");
    let t = read_ok(&bytes);
    assert_eq!(t.sheet.as_deref(), Some(ERROR_REPORT_SHEET));
    let mut expected_headers = headers();
    expected_headers.push(ERROR_COLUMN_HEADER.to_owned());
    expected_headers.push(ERROR_CODE_COLUMN_HEADER.to_owned());
    assert_eq!(t.headers, expected_headers);
    let expected: Vec<(usize, Vec<String>)> = rejected()
        .into_iter()
        .enumerate()
        .map(|(i, (mut cells, error, codes))| {
            cells.push(error);
            cells.push(codes);
            (i + 2, cells)
        })
        .collect();
    assert_eq!(numbered(&t), expected);
}

#[test]
fn the_error_report_has_bold_frozen_headers_and_red_errors() {
    let bytes = write_error_report(&headers(), &rejected()).expect("report");
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes.clone())).expect("open");
    let styles = wb.worksheet_style(ERROR_REPORT_SHEET).expect("styles");
    let font = |pos| styles.get(pos).and_then(|st| st.font.clone());
    assert!(font((0, 0)).is_some_and(|f| f.is_bold()));
    assert!(font((0, 4)).is_some_and(|f| f.is_bold()));
    let error_color = font((1, 4)).and_then(|f| f.color).expect("error cell has a colour");
    assert_eq!((error_color.red, error_color.green, error_color.blue), (0xFF, 0, 0));
    assert!(font((1, 0)).is_none_or(|f| !f.is_bold()));

    // Frozen header row: the sheet view has a bottom-left frozen pane at A2.
    let entries = crate::common::unzip(&bytes);
    let sheet = entries
        .iter()
        .find(|(n, _)| n == "xl/worksheets/sheet1.xml")
        .map(|(_, d)| String::from_utf8_lossy(d).into_owned())
        .expect("sheet xml");
    assert!(sheet.contains(r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#), "{sheet}");
    assert!(sheet.contains("<cols>"), "column widths are set");
}

#[test]
fn an_empty_report_still_has_the_header_row() {
    let bytes = write_error_report(&headers(), &[]).expect("report");
    let t = read_ok(&bytes);
    assert_eq!(t.headers.len(), 6);
    assert!(t.rows.is_empty());
}

#[test]
fn over_long_cells_are_cut_to_excel_limit_in_the_report() {
    let long = "长".repeat(40_000);
    let rows = vec![(s(&["甲", "1", "2024-01-01", &long]), "备注过长".to_owned(), "text_too_long".to_owned())];
    let bytes = write_error_report(&headers(), &rows).expect("report");
    let t = read_ok(&bytes);
    let cell = &t.rows[0].cells[3];
    assert_eq!(cell.chars().count(), 32_767);
    assert!(cell.ends_with('…'));
    assert_eq!(t.rows[0].cells[4], "备注过长");
}

#[test]
fn write_xlsx_round_trips_and_refuses_what_excel_cannot_hold() {
    let rows = vec![s(&["甲", "0012", "2024-01-01", ""]), s(&["乙", "914403001922038216", "", "x"])];
    let bytes = write_xlsx("样例", &headers(), &rows).expect("write");
    let t = read_ok(&bytes);
    assert_eq!(t.sheet.as_deref(), Some("样例"));
    assert_eq!(t.headers, headers());
    assert_eq!(t.rows.iter().map(|r| r.cells.clone()).collect::<Vec<_>>(), rows);

    let err = write_xlsx("a/b", &headers(), &[]).expect_err("bad sheet name");
    assert_eq!(err.code(), "xlsx_write_failed");
    let err = write_xlsx("S", &headers(), &[s(&[&"x".repeat(32_768)])]).expect_err("too long");
    assert_eq!(err.code(), "xlsx_write_failed");
}

//! `read_table` must return — never panic — whatever an upload contains.

use proptest::prelude::*;
use xinyong_tabular::{Encoding, Format, ReadOptions, read_table};

use crate::common::{xlsx_with_sheet_data, xlsx_with_sheet_xml};

fn small_limits(format: Option<Format>, encoding: Encoding) -> ReadOptions {
    ReadOptions {
        format,
        encoding,
        max_rows: 50,
        max_columns: 20,
        max_cell_chars: 200,
        max_cells: 500,
        max_unpacked_bytes: 1 << 20,
        ..ReadOptions::default()
    }
}

fn any_format() -> impl Strategy<Value = Option<Format>> {
    prop_oneof![Just(None), Just(Some(Format::Csv)), Just(Some(Format::Xlsx))]
}

fn any_encoding() -> impl Strategy<Value = Encoding> {
    prop_oneof![Just(Encoding::Auto), Just(Encoding::Utf8), Just(Encoding::Gbk)]
}

/// Text made of the characters that matter to a CSV parser, plus CJK.
fn csvish_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just(",".to_owned()),
            Just("\"".to_owned()),
            Just("\n".to_owned()),
            Just("\r\n".to_owned()),
            Just("\r".to_owned()),
            Just("\t".to_owned()),
            Just(";".to_owned()),
            Just(" ".to_owned()),
            Just("\u{3000}".to_owned()),
            Just("\u{FEFF}".to_owned()),
            "[a-z0-9]{1,4}",
            "[名称代码日期甲乙丙]{1,3}",
            any::<char>().prop_map(String::from),
        ],
        0..80,
    )
    .prop_map(|parts| parts.concat())
}

/// Sheet XML fragments, valid and broken, to reach calamine's parser
/// behind a well-formed zip (random zip bytes rarely get past the CRC).
fn sheet_fragment() -> impl Strategy<Value = String> {
    let reference = prop_oneof![
        Just(String::new()),
        "[A-Z]{1,3}[0-9]{1,7}".prop_map(|r| format!(r#" r="{r}""#)),
        "[A-Za-z0-9:]{0,14}".prop_map(|r| format!(r#" r="{r}""#)),
    ];
    let cell_type = prop_oneof![
        Just(""),
        Just(r#" t="s""#),
        Just(r#" t="str""#),
        Just(r#" t="b""#),
        Just(r#" t="e""#),
        Just(r#" t="n""#),
        Just(r#" t="d""#),
        Just(r#" t="inlineStr""#),
        Just(r#" t="zz""#),
    ];
    let value = prop_oneof![
        "-?[0-9]{0,20}(\\.[0-9]{0,5})?(E[+-]?[0-9]{1,3})?",
        "[a-z#/!?甲乙]{0,8}",
        Just("#N/A".to_owned()),
        Just("2024-01-02T03:04:05".to_owned()),
    ];
    prop_oneof![
        (0u32..2_000_000).prop_map(|r| format!(r#"<row r="{r}">"#)),
        Just("<row>".to_owned()),
        Just("</row>".to_owned()),
        (reference, cell_type, value.clone()).prop_map(|(r, t, v)| format!("<c{r}{t}><v>{v}</v></c>")),
        value.clone().prop_map(|v| format!(r#"<c t="inlineStr"><is><t>{v}</t></is></c>"#)),
        Just("<c/>".to_owned()),
        Just("<c>".to_owned()),
        Just("</c>".to_owned()),
        Just("<v>".to_owned()),
        Just("&amp;&#0;&#xFFFFFFFF;&bogus;".to_owned()),
        "[<>/=\" a-z]{0,12}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(
        bytes in proptest::collection::vec(any::<u8>(), 0..2048),
        format in any_format(),
        encoding in any_encoding(),
    ) {
        let _ = read_table(&bytes, &small_limits(format, encoding));
    }

    #[test]
    fn zip_looking_bytes_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..1024)) {
        let mut bytes = b"PK\x03\x04".to_vec();
        bytes.extend(tail);
        let _ = read_table(&bytes, &small_limits(None, Encoding::Auto));
    }

    #[test]
    fn arbitrary_csv_text_never_panics(text in csvish_text(), header_row in proptest::option::of(0usize..5)) {
        let opts = ReadOptions { header_row, ..small_limits(Some(Format::Csv), Encoding::Auto) };
        if let Ok(table) = read_table(text.as_bytes(), &opts) {
            for row in &table.rows {
                prop_assert_eq!(row.cells.len(), table.headers.len());
                prop_assert!(row.number > table.header_row);
            }
            prop_assert!(table.rows.windows(2).all(|w| w[0].number < w[1].number));
        }
        let (gbk, _, _) = encoding_rs::GB18030.encode(&text);
        let _ = read_table(&gbk, &small_limits(None, Encoding::Auto));
    }

    #[test]
    fn arbitrary_sheet_xml_never_panics(
        fragments in proptest::collection::vec(sheet_fragment(), 0..40),
        wrap in any::<bool>(),
    ) {
        let body = fragments.concat();
        let sst = r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" uniqueCount="2"><si><t>名称</t></si><si><t>代码</t></si></sst>"#;
        let bytes = if wrap {
            xlsx_with_sheet_data(&body, Some(sst))
        } else {
            xlsx_with_sheet_xml(&body, Some(&body))
        };
        if let Ok(table) = read_table(&bytes, &small_limits(None, Encoding::Auto)) {
            for row in &table.rows {
                prop_assert_eq!(row.cells.len(), table.headers.len());
            }
        }
    }
}

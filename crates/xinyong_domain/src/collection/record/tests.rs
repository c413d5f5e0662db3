use super::*;
use crate::collection::catalog::Catalog;
use proptest::prelude::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// The upload day of every test.
fn today() -> NaiveDate {
    d(2026, 6, 30)
}

fn ctx() -> ValidationContext {
    ValidationContext::new(today())
}

fn item(code: &str) -> &'static CatalogItem {
    Catalog::shipped().item(code).unwrap()
}

/// A checksum-valid USCC built from parts.
fn uscc(authority: char, category: char, body: &str) -> String {
    Uscc::from_parts(authority, category, "370102", body).unwrap().as_str().to_owned()
}

const ORG: &str = "914403001922038216";
const ADULT_ID: &str = "11010519491231002X";

fn authority() -> String {
    uscc('1', '1', "00418800")
}

/// Cells of a row: `base` with `overrides` applied (an empty override
/// removes the cell; a new code is appended).
fn row(base: &[(&str, String)], overrides: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut cells: Vec<(String, String)> = base.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect();
    for (code, value) in overrides {
        if let Some(cell) = cells.iter_mut().find(|(k, _)| k == code) {
            cell.1 = (*value).to_owned();
        } else {
            cells.push(((*code).to_owned(), (*value).to_owned()));
        }
    }
    cells.retain(|(_, v)| !v.is_empty());
    cells
}

fn cf_base() -> Vec<(&'static str, String)> {
    let auth = authority();
    vec![
        ("CF_XDR_MC", "济南某某科技有限公司".to_owned()),
        ("CF_XDR_LB", "法人及非法人组织".to_owned()),
        ("CF_XDR_SHXYM", ORG.to_owned()),
        ("CF_FRDB", "张三".to_owned()),
        ("CF_WSH", "济市监罚〔2024〕12号".to_owned()),
        ("CF_WFXW", "发布虚假广告".to_owned()),
        ("CF_SY", "当事人在其网站发布虚假广告。".to_owned()),
        ("CF_YJ", "《中华人民共和国广告法》第五十五条".to_owned()),
        ("CF_CFLB", "罚款".to_owned()),
        ("CF_NR", "罚款50000元".to_owned()),
        ("CF_NR_FK", "5".to_owned()),
        ("CF_JDRQ", "2024-06-01".to_owned()),
        ("CF_YXQ", "长期".to_owned()),
        ("CF_CFJG", "济南市市场监督管理局".to_owned()),
        ("CF_CFJGDM", auth.clone()),
        ("CF_SJLY", "济南市市场监督管理局".to_owned()),
        ("CF_SJLYDM", auth),
    ]
}

fn cf(overrides: &[(&str, &str)]) -> RowOutcome {
    validate_row(item("CF"), &row(&cf_base(), overrides), &ctx())
}

/// A natural person's penalty.
fn cf_natural(overrides: &[(&str, &str)]) -> RowOutcome {
    let mut all: Vec<(&str, &str)> = vec![
        ("CF_XDR_MC", "李四"),
        ("CF_XDR_LB", "自然人"),
        ("CF_XDR_SHXYM", ""),
        ("CF_FRDB", ""),
        ("CF_XDR_ZJLX", "身份证"),
        ("CF_XDR_ZJHM", ADULT_ID),
    ];
    all.extend_from_slice(overrides);
    cf(&all)
}

fn xk_base() -> Vec<(&'static str, String)> {
    let auth = authority();
    vec![
        ("XK_XDR_MC", "济南某某餐饮有限公司".to_owned()),
        ("XK_XDR_LB", "法人及非法人组织".to_owned()),
        ("XK_XDR_SHXYM", ORG.to_owned()),
        ("XK_FRDB", "王五".to_owned()),
        ("XK_XKWS", "食品经营许可决定书".to_owned()),
        ("XK_WSH", "济审批食许〔2024〕1号".to_owned()),
        ("XK_XKLB", "普通".to_owned()),
        ("XK_NR", "预包装食品销售".to_owned()),
        ("XK_JDRQ", "2024-06-01".to_owned()),
        ("XK_YXQZ", "2024-06-01".to_owned()),
        ("XK_YXQZI", "2029-05-31".to_owned()),
        ("XK_XKJG", "济南市行政审批服务局".to_owned()),
        ("XK_XKJGDM", auth.clone()),
        ("XK_ZT", "1".to_owned()),
        ("XK_LYDW", "济南市行政审批服务局".to_owned()),
        ("XK_LYDWDM", auth),
    ]
}

fn xk(overrides: &[(&str, &str)]) -> RowOutcome {
    validate_row(item("XK"), &row(&xk_base(), overrides), &ctx())
}

fn valid(outcome: &RowOutcome) -> &RecordDraft {
    match outcome {
        RowOutcome::Valid { draft, .. } => draft,
        RowOutcome::Invalid { errors, .. } => panic!("expected valid, got {errors:#?}"),
    }
}

fn error_codes(outcome: &RowOutcome) -> Vec<(&str, &'static str)> {
    outcome.errors().iter().map(|e| (e.field.as_str(), e.code)).collect()
}

fn warning_codes(outcome: &RowOutcome) -> Vec<(&str, &'static str)> {
    outcome.warnings().iter().map(|e| (e.field.as_str(), e.code)).collect()
}

// ----- valid rows ---------------------------------------------------------------

#[test]
fn valid_penalty_becomes_a_typed_draft() {
    let outcome = cf(&[]);
    assert!(outcome.warnings().is_empty(), "{:?}", outcome.warnings());
    let draft = valid(&outcome);
    assert_eq!(draft.item, "CF");
    assert_eq!(draft.catalog_version, "2026.3");
    assert_eq!(draft.document_number, "济市监罚〔2024〕12号");
    assert_eq!(draft.decision_date, d(2024, 6, 1));
    let SubjectRef::LegalPerson { uscc, name, kind, legal_representative } = &draft.subject else {
        panic!("{:?}", draft.subject);
    };
    assert_eq!(uscc.as_str(), ORG);
    assert_eq!(name.as_str(), "济南某某科技有限公司");
    assert_eq!(*kind, LegalKind::Organisation);
    let (rep, rep_id) = legal_representative.as_ref().unwrap();
    assert_eq!(rep.as_str(), "张三");
    assert!(rep_id.is_none());
    let penalty = draft.penalty.as_ref().unwrap();
    assert_eq!(penalty.categories, [PenaltyCategory::Fine]);
    assert_eq!(penalty.fine_fen, Some(5 * FEN_PER_WAN_YUAN));
    assert_eq!(penalty.procedure, Procedure::Ordinary);
    assert!(!penalty.procedure_stated);
    assert!(!penalty.subject_is_minor);
    assert_eq!(draft.fields["CF_NR_FK"], "5");
    assert_eq!(draft.fields["CF_YXQ"], OPEN_ENDED);
    assert_eq!(draft.fields["CF_JDRQ"], "2024-06-01");
}

#[test]
fn valid_licence_with_aliases_and_open_end() {
    let draft = xk(&[("XK_ZT", "有效"), ("XK_YXQZI", "长期有效"), ("XK_XKLB", "核准许可")]).draft().cloned().unwrap();
    assert_eq!(draft.fields["XK_ZT"], "1");
    assert_eq!(draft.fields["XK_XKLB"], "核准");
    assert_eq!(draft.fields["XK_YXQZI"], "长期");
    assert_eq!(draft.valid_from, Some(d(2024, 6, 1)));
    assert_eq!(draft.valid_to, None);
    assert!(draft.penalty.is_none());
    let draft = valid(&xk(&[("XK_YXQZI", "9999-12-31")])).clone();
    assert_eq!(draft.valid_to, None);
    let draft = valid(&xk(&[])).clone();
    assert_eq!(draft.valid_to, Some(d(2029, 5, 31)));
}

#[test]
fn natural_person_penalty() {
    let outcome = cf_natural(&[("CF_NR_FK", "0.1"), ("CF_NR", "罚款1000元")]);
    let draft = valid(&outcome);
    let SubjectRef::NaturalPerson { id_number, name } = &draft.subject else {
        panic!("{:?}", draft.subject);
    };
    assert_eq!(id_number.as_str(), ADULT_ID);
    assert_eq!(name.as_str(), "李四");
    assert!(draft.subject.is_natural_person());
    // The full number is kept for storage; public_fields drops it.
    assert_eq!(draft.fields["CF_XDR_ZJHM"], ADULT_ID);
    let public = draft.public_fields(item("CF"));
    assert!(!public.contains_key("CF_XDR_ZJHM"));
    assert!(!public.contains_key("CF_XDR_ZJLX"));
    assert!(public.contains_key("CF_XDR_MC"));
}

#[test]
fn validating_the_stored_fields_again_gives_the_same_draft() {
    for outcome in [cf(&[("CF_NR_FK", "50000元")]), xk(&[("XK_JDRQ", "45444")]), cf_natural(&[])] {
        let draft = valid(&outcome).clone();
        let cells: Vec<(String, String)> = draft.fields.clone().into_iter().collect();
        let again = validate_row(item(&draft.item), &cells, &ctx());
        assert_eq!(valid(&again), &draft);
    }
}

#[test]
fn court_debtor_rows() {
    let base: Vec<(&str, String)> = vec![
        ("SX_MC", "济南某某商贸部".to_owned()),
        ("SX_LB", "法人或其他组织".to_owned()),
        ("SX_SHXYM", uscc('9', '2', "MA3C0001")),
        ("SX_FRDB", "赵六".to_owned()),
        ("SX_ZXFY", "济南市历下区人民法院".to_owned()),
        ("SX_ZXYJWH", "（2023）鲁0102民初123号".to_owned()),
        ("SX_LASJ", "2024年3月1日".to_owned()),
        ("SX_AH", "（2024）鲁0102执456号".to_owned()),
        ("SX_YW", "支付货款10万元".to_owned()),
        ("SX_LXQK", "全部未履行".to_owned()),
        ("SX_SXQX", "有履行能力而拒不履行生效法律文书确定义务".to_owned()),
        ("SX_FBSJ", "2024/6/1".to_owned()),
    ];
    let sx = item("SXBZXR");
    let outcome = validate_row(sx, &row(&base, &[]), &ctx());
    let draft = valid(&outcome);
    // 法人 lets the code decide: 92 is an individual business.
    assert!(matches!(draft.subject, SubjectRef::LegalPerson { kind: LegalKind::IndividualBusiness, .. }));
    assert_eq!(draft.decision_date, d(2024, 6, 1));
    assert_eq!(draft.key_document, "〔2023〕鲁0102民初123号");
    assert!(draft.penalty.is_none());

    let natural =
        row(&base, &[("SX_MC", "孙七"), ("SX_LB", "个人"), ("SX_SHXYM", ""), ("SX_FRDB", ""), ("SX_ZJHM", ADULT_ID)]);
    let draft = valid(&validate_row(sx, &natural, &ctx())).clone();
    assert!(draft.subject.is_natural_person());
}

#[test]
fn inspection_kind_follows_the_code_given() {
    let auth = authority();
    let base: Vec<(&str, String)> = vec![
        ("JC_DX", "济南某某建材有限公司".to_owned()),
        ("JC_SHXYM", ORG.to_owned()),
        ("JC_BH", "JC-2024-0001".to_owned()),
        ("JC_LB", "双随机".to_owned()),
        ("JC_RQ", "20240601".to_owned()),
        ("JC_JG", "未发现问题".to_owned()),
        ("JC_JGMC", "济南市住房和城乡建设局".to_owned()),
        ("JC_JGDM", auth),
    ];
    let jc = item("JC");
    let draft = valid(&validate_row(jc, &row(&base, &[]), &ctx())).clone();
    assert!(!draft.subject.is_natural_person());
    assert_eq!(draft.fields["JC_LB"], "双随机抽查");
    let person = row(&base, &[("JC_SHXYM", ""), ("JC_DX", "周八"), ("JC_ZJHM", ADULT_ID)]);
    assert!(valid(&validate_row(jc, &person, &ctx())).subject.is_natural_person());
    let nobody = row(&base, &[("JC_SHXYM", "")]);
    let outcome = validate_row(jc, &nobody, &ctx());
    assert_eq!(error_codes(&outcome), [("", "subject_identifier_missing")]);
}

// ----- every error code --------------------------------------------------------------

#[test]
fn required_fields() {
    let outcome = cf(&[("CF_WSH", "")]);
    assert_eq!(error_codes(&outcome), [("CF_WSH", "required_missing")]);
    assert_eq!(outcome.errors()[0].message, "「行政处罚决定书文号」为必填项（必填）");
    // Conditional: legal persons need the code and the representative.
    let outcome = cf(&[("CF_XDR_SHXYM", ""), ("CF_FRDB", "")]);
    assert_eq!(error_codes(&outcome), [("CF_XDR_SHXYM", "required_missing"), ("CF_FRDB", "required_missing")]);
    assert!(outcome.errors()[0].message.contains("个体工商户时必填"));
    // Conditional: a fine needs its amount.
    let outcome = cf(&[("CF_NR_FK", "")]);
    assert_eq!(error_codes(&outcome), [("CF_NR_FK", "required_missing")]);
    assert_eq!(outcome.errors()[0].message, "「罚款金额（万元）」为必填项（处罚类别含罚款时必填）");
    // Conditional: a revocation needs the licence named.
    let outcome = cf(&[("CF_CFLB", "罚款、吊销许可证件")]);
    assert_eq!(error_codes(&outcome), [("CF_NR_ZKDX", "required_missing")]);
    // Conditional: natural persons need the ID columns.
    let outcome = cf_natural(&[("CF_XDR_ZJLX", ""), ("CF_XDR_ZJHM", "")]);
    assert_eq!(error_codes(&outcome), [("CF_XDR_ZJLX", "required_missing"), ("CF_XDR_ZJHM", "required_missing")]);
    // Placeholders count as empty.
    let outcome = cf(&[("CF_FRDB", "/")]);
    assert_eq!(error_codes(&outcome), [("CF_FRDB", "required_missing")]);
}

#[test]
fn field_conflict() {
    let mut cells = row(&cf_base(), &[]);
    cells.push(("CF_WSH".to_owned(), "济市监罚〔2024〕13号".to_owned()));
    let outcome = validate_row(item("CF"), &cells, &ctx());
    assert_eq!(error_codes(&outcome), [("CF_WSH", "field_conflict")]);
    // The same value twice is fine.
    let mut cells = row(&cf_base(), &[]);
    cells.push(("CF_WSH".to_owned(), " 济市监罚〔2024〕12号".to_owned()));
    assert!(validate_row(item("CF"), &cells, &ctx()).is_valid());
}

#[test]
fn text_rules() {
    let long = "文".repeat(129);
    let outcome = cf(&[("CF_WSH", &long)]);
    assert_eq!(error_codes(&outcome), [("CF_WSH", "text_too_long")]);
    assert_eq!(outcome.errors()[0].message, "「行政处罚决定书文号」超过 128 个字符（实际 129 个）");
    let outcome = cf(&[("CF_SY", "事实\u{7}描述")]);
    assert_eq!(error_codes(&outcome), [("CF_SY", "text_control_character")]);
    // Line breaks inside a cell (Alt+Enter) are fine.
    assert!(cf(&[("CF_SY", "第一段\r\n第二段")]).is_valid());
}

#[test]
fn date_errors() {
    let outcome = xk(&[("XK_JDRQ", "2026-13-01")]);
    assert_eq!(error_codes(&outcome), [("XK_JDRQ", "date_invalid")]);
    assert_eq!(
        outcome.errors()[0].message,
        "「许可决定日期」2026-13-01 不是有效日期（应为 YYYY-MM-DD，也可写作 2024/6/1、2024.6.1、20240601 或 2024年6月1日）"
    );
    let outcome = xk(&[("XK_JDRQ", "1948-12-31"), ("XK_YXQZ", "1948-12-31")]);
    assert_eq!(error_codes(&outcome), [("XK_JDRQ", "date_too_early"), ("XK_YXQZ", "date_too_early")]);
    let outcome = xk(&[("XK_YXQZI", "2100-01-01")]);
    assert_eq!(error_codes(&outcome), [("XK_YXQZI", "date_too_late")]);
    let outcome = xk(&[("XK_JDRQ", "2026-07-01")]);
    assert_eq!(error_codes(&outcome), [("XK_JDRQ", "date_in_future")]);
    assert_eq!(outcome.errors()[0].message, "「许可决定日期」2026-07-01 晚于上传当日 2026-06-30，不能填写将来的日期");
    // Today itself is fine.
    assert!(xk(&[("XK_JDRQ", "2026-06-30"), ("XK_YXQZ", "2026-06-30")]).is_valid());
    let outcome = xk(&[("XK_YXQZ", "2024-06-01"), ("XK_YXQZI", "2024-05-31")]);
    assert_eq!(error_codes(&outcome), [("XK_YXQZI", "date_range_inverted")]);
    assert_eq!(outcome.errors()[0].message, "「有效期至」2024-05-31 早于「有效期自」2024-06-01");
    // Open-ended words only where the catalog allows them.
    let outcome = xk(&[("XK_JDRQ", "长期")]);
    assert_eq!(error_codes(&outcome), [("XK_JDRQ", "date_invalid")]);
}

#[test]
fn date_formats() {
    let june_first = [
        "2024-06-01",
        "2024-6-1",
        "2024/6/1",
        "2024/06/01",
        "2024.6.1",
        "20240601",
        "2024年6月1日",
        "2024年06月01号",
        "45444",
        "45444.0",
        "45444.75",
        "2024-06-01 00:00:00",
        "2024/6/1 8:00",
        "2024-06-01T08:30:00",
        "２０２４－０６－０１",
        "２０２４年６月１日",
        "\u{a0}2024-06-01\u{3000}",
    ];
    for raw in june_first {
        assert_eq!(parse_date(raw, false), Ok(Some(d(2024, 6, 1))), "{raw}");
    }
    for raw in [
        "2024",
        "2024-06",
        "24/6/1",
        "2024-6-31",
        "2024-02-30",
        "0",
        "123456",
        "1234567",
        "abc",
        "2024-06-01 上午",
        "2024..6",
    ] {
        assert_eq!(parse_date(raw, false).unwrap_err().code(), "date_invalid", "{raw}");
    }
    // A small serial number is a date before 1949.
    assert_eq!(parse_date("100", false).unwrap_err().code(), "date_too_early");
    // Leap years.
    assert_eq!(parse_date("2024-02-29", false), Ok(Some(d(2024, 2, 29))));
    assert_eq!(parse_date("2023-02-29", false).unwrap_err().code(), "date_invalid");
    for raw in OPEN_END_WORDS.iter().copied().chain(["9999-12-31", "9999/12/31", "99991231"]) {
        assert_eq!(parse_date(raw, true), Ok(None), "{raw}");
    }
    assert_eq!(parse_date("9999-12-31", false).unwrap_err().code(), "date_too_late");
}

#[test]
fn money_errors() {
    let cases = [
        ("abc", "money_invalid"),
        ("1.2.3", "money_invalid"),
        ("万元", "money_invalid"),
        ("-1", "money_negative"),
        ("0.0000001", "money_precision"),
        ("1.001元", "money_precision"),
        ("9999999999999", "money_too_large"),
    ];
    for (raw, code) in cases {
        let outcome = cf(&[("CF_NR_FK", raw), ("CF_NR", "依法罚款")]);
        assert_eq!(error_codes(&outcome), [("CF_NR_FK", code)], "{raw}");
    }
    let outcome = cf(&[("CF_NR_FK", "abc")]);
    assert_eq!(
        outcome.errors()[0].message,
        "「罚款金额（万元）」abc 不是有效金额（以万元为单位的数字，例如 0.2 表示 2000 元）"
    );
}

#[test]
fn money_units() {
    let cases: [(&str, i64, bool); 13] = [
        ("2000元整", 200_000, true),
        ("0.2", 200_000, false),
        ("5", 5_000_000, false),
        ("0.000001", 1, false),
        ("1,234.5", 1_234_500_000, false),
        ("0.2万元", 200_000, false),
        ("0.2万", 200_000, false),
        ("人民币0.2万元", 200_000, false),
        ("1.2000000", 1_200_000, false),
        (".5", 500_000, false),
        ("２０００元", 200_000, true),
        ("￥2,000.50元", 200_050, true),
        ("0", 0, false),
    ];
    for (raw, fen, converted) in cases {
        assert_eq!(parse_money(raw), Ok((fen, converted)), "{raw}");
    }
    assert_eq!(format_wan_yuan(200_000), "0.2");
    assert_eq!(format_wan_yuan(5_000_000), "5");
    assert_eq!(format_wan_yuan(1), "0.000001");
    assert_eq!(format_wan_yuan(0), "0");
    assert_eq!(format_wan_yuan(1_234_500_000), "1234.5");
    assert_eq!(format_yuan(200_050), "2000.50 元");
}

#[test]
fn integer_and_name_rules_on_a_custom_catalog() {
    // The shipped catalog has no integer column and caps names below
    // SubjectName's own limit, so these codes need a catalog of their own.
    let text = r#"
version = "t"
[[items]]
code = "T"
name = "测试"
category = "other"
format_version = "t"
disclosure = "public"
departments = "*"
publicity = "none"
[[items.fields]]
code = "T_MC"
name = "名称"
type = "text"
max_chars = 500
required = "always"
public = true
role = "subject_name"
[[items.fields]]
code = "T_DM"
name = "代码"
type = "uscc"
required = "always"
public = true
role = "subject_uscc"
[[items.fields]]
code = "T_WH"
name = "文号"
type = "text"
required = "always"
public = true
role = "document_number"
[[items.fields]]
code = "T_RQ"
name = "日期"
type = "date"
required = "always"
public = true
role = "decision_date"
[[items.fields]]
code = "T_SL"
name = "数量"
type = "integer"
required = "never"
public = true
"#;
    let catalog = Catalog::parse_toml(text).unwrap();
    let t = catalog.item("T").unwrap();
    let base: Vec<(&str, String)> = vec![
        ("T_MC", "某公司".to_owned()),
        ("T_DM", ORG.to_owned()),
        ("T_WH", "1号".to_owned()),
        ("T_RQ", "2024-06-01".to_owned()),
        ("T_SL", "1,200".to_owned()),
    ];
    let draft = valid(&validate_row(t, &row(&base, &[]), &ctx())).clone();
    assert_eq!(draft.fields["T_SL"], "1200");
    let outcome = validate_row(t, &row(&base, &[("T_SL", "三")]), &ctx());
    assert_eq!(error_codes(&outcome), [("T_SL", "integer_invalid")]);
    let long = "名".repeat(crate::subjects::MAX_NAME_CHARS + 1);
    let outcome = validate_row(t, &row(&base, &[("T_MC", &long)]), &ctx());
    assert_eq!(error_codes(&outcome), [("T_MC", "name_too_long")]);
}

#[test]
fn enumeration_errors() {
    let outcome = cf(&[("CF_XDR_LB", "公司")]);
    assert_eq!(error_codes(&outcome), [("CF_XDR_LB", "enum_invalid")]);
    assert_eq!(
        outcome.errors()[0].message,
        "「行政相对人类别」“公司”不是允许的取值，应为：法人及非法人组织、自然人、个体工商户"
    );
    // Aliases and spacing.
    assert!(cf(&[("CF_XDR_LB", " 法人 ")]).is_valid());
    assert!(cf(&[("CF_CXLX", "普通")]).is_valid());
}

#[test]
fn uscc_strict_and_lenient() {
    let bad_check = "914403001922038217";
    let outcome = cf(&[("CF_XDR_SHXYM", bad_check)]);
    assert_eq!(error_codes(&outcome), [("CF_XDR_SHXYM", "uscc_check_character")]);
    assert!(outcome.errors()[0].message.starts_with("「行政相对人代码_1（统一社会信用代码）」校验码错误"));
    let lenient = validate_row(item("CF"), &row(&cf_base(), &[("CF_XDR_SHXYM", bad_check)]), &ctx().lenient());
    assert!(lenient.is_valid());
    assert_eq!(warning_codes(&lenient), [("CF_XDR_SHXYM", "uscc_check_character_mismatch")]);
    // Structural errors stay errors in lenient mode.
    for (raw, code) in [
        ("9144030019220382", "uscc_length"),
        ("91440300192203821O", "uscc_charset"),
        ("B14403001922038216", "uscc_authority"),
        ("94440300192203821X", "uscc_category"),
        ("9144A3001922038216", "uscc_division"),
    ] {
        let outcome = validate_row(item("CF"), &row(&cf_base(), &[("CF_XDR_SHXYM", raw)]), &ctx().lenient());
        assert_eq!(error_codes(&outcome), [("CF_XDR_SHXYM", code)], "{raw}");
    }
    let outcome = cf(&[("CF_XDR_SHXYM", "91440300192203831X")]);
    assert_eq!(error_codes(&outcome)[0].1, "uscc_org_code_check");
    // Full-width and lower case are normalised.
    let draft = valid(&cf(&[("CF_XDR_SHXYM", "９１１１０１０８５５１３８５０８２ｑ")])).clone();
    assert_eq!(draft.fields["CF_XDR_SHXYM"], "91110108551385082Q");
}

#[test]
fn id_number_errors() {
    for (raw, code) in [
        ("110105194912310021", "id_number_check_digit"),
        ("110105491231002", "id_number_legacy_15"),
        ("1101051949123100", "id_number_length"),
        ("11010519491231002Y", "id_number_charset"),
        ("110105194913310024", "id_number_birth_date"),
    ] {
        let outcome = cf_natural(&[("CF_XDR_ZJHM", raw)]);
        assert_eq!(error_codes(&outcome), [("CF_XDR_ZJHM", code)], "{raw}");
        // Messages never echo the number.
        assert!(!outcome.errors()[0].message.contains(raw));
    }
    let outcome = cf_natural(&[("CF_XDR_ZJLX", "护照"), ("CF_XDR_ZJHM", "E12345678")]);
    assert_eq!(error_codes(&outcome), [("CF_XDR_ZJHM", "id_type_unsupported")]);
    // A passport number for the legal representative is kept as typed.
    let draft = valid(&cf(&[("CF_FR_ZJLX", "护照"), ("CF_FR_ZJHM", "E12345678")])).clone();
    assert_eq!(draft.fields["CF_FR_ZJHM"], "E12345678");
    let SubjectRef::LegalPerson { legal_representative: Some((_, None)), .. } = draft.subject else {
        panic!("{:?}", draft.subject);
    };
    // …and a resident ID number is checked and attached.
    let draft = valid(&cf(&[("CF_FR_ZJHM", ADULT_ID)])).clone();
    let SubjectRef::LegalPerson { legal_representative: Some((_, Some(id))), .. } = draft.subject else {
        panic!("{:?}", draft.subject);
    };
    assert_eq!(id.as_str(), ADULT_ID);
    let outcome = cf(&[("CF_FR_ZJHM", "110105194912310021")]);
    assert_eq!(error_codes(&outcome), [("CF_FR_ZJHM", "id_number_check_digit")]);
}

#[test]
fn penalty_category_rules() {
    let outcome = cf(&[("CF_CFLB", "罚款、批评教育")]);
    assert_eq!(error_codes(&outcome), [("CF_CFLB", "penalty_category_unknown")]);
    assert!(outcome.errors()[0].message.contains("“批评教育”不是行政处罚法第九条规定的处罚种类"));
    let outcome = cf(&[("CF_CFLB", "处以罚款")]);
    assert_eq!(warning_codes(&outcome), [("CF_CFLB", "penalty_category_inferred")]);
    assert_eq!(valid(&outcome).penalty.as_ref().unwrap().categories, [PenaltyCategory::Fine]);
    // The old format's second column adds to the first.
    let outcome = cf(&[("CF_CFLB2", "警告")]);
    assert_eq!(valid(&outcome).penalty.as_ref().unwrap().categories, [PenaltyCategory::Warning, PenaltyCategory::Fine]);
}

#[test]
fn category_parsing() {
    use PenaltyCategory as P;
    let cases: [(&str, &[P]); 8] = [
        ("警告、罚款", &[P::Warning, P::Fine]),
        ("罚款;没收违法所得/吊销营业执照", &[P::Fine, P::Confiscation, P::LicenceRevocation]),
        ("没收违法所得、没收非法财物", &[P::Confiscation]),
        ("罚款，责令停产停业", &[P::Fine, P::SuspensionOfBusiness]),
        ("暂扣许可证件 降低资质等级", &[P::LicenceSuspension, P::QualificationDowngrade]),
        ("限制开展生产经营活动|限制从业|责令关闭", &[P::ProductionRestriction, P::Closure, P::PracticeRestriction]),
        ("行政拘留、其他", &[P::Detention, P::Other]),
        ("通报批评", &[P::PublicCriticism]),
    ];
    for (text, expected) in cases {
        let read = parse_categories(text);
        assert_eq!(read.categories, expected, "{text}");
        assert!(read.inferred.is_empty() && read.unknown.is_empty(), "{text}");
    }
    let read = parse_categories("罚款并没收违法所得");
    assert_eq!(read.categories, [P::Fine, P::Confiscation]);
    assert_eq!(read.inferred, ["罚款并没收违法所得"]);
    for c in PenaltyCategory::ALL {
        assert_eq!(PenaltyCategory::from_zh(c.name_zh().split('、').next().unwrap()), Some(c));
    }
}

#[test]
fn id_numbers_in_public_columns_are_refused() {
    let outcome = cf(&[("CF_SY", "当事人李四（身份证号11010519491231002X）经营无照")]);
    assert_eq!(error_codes(&outcome), [("CF_SY", "id_number_in_public_field")]);
    assert!(!outcome.errors()[0].message.contains(ADULT_ID));
}

// ----- warnings ----------------------------------------------------------------------

#[test]
fn phones_mails_and_cards_in_public_columns_are_accepted_with_a_warning() {
    let outcome = cf(&[("CF_SY", "员工张小凤（手机13912345678，邮箱zxf@example.com）")]);
    assert!(outcome.errors().is_empty(), "{:?}", outcome.errors());
    let warning = outcome.warnings().iter().find(|w| w.code == "personal_data_in_public_field").unwrap();
    assert_eq!(warning.field, "CF_SY");
    assert!(warning.message.contains("手机号码、电子邮箱"), "{}", warning.message);
}

#[test]
fn unknown_fields_are_ignored_with_a_warning() {
    let outcome = cf(&[("XX_FOO", "1")]);
    assert!(outcome.is_valid());
    assert_eq!(warning_codes(&outcome), [("XX_FOO", "field_unknown")]);
}

#[test]
fn id_number_with_unknown_province() {
    let id = IdNumber::from_parts("990101", d(1980, 1, 1), 11).unwrap();
    let outcome = cf_natural(&[("CF_XDR_ZJHM", id.as_str())]);
    assert_eq!(warning_codes(&outcome), [("CF_XDR_ZJHM", "id_number_division_unknown")]);
}

#[test]
fn subject_kind_consistency() {
    let individual = uscc('9', '2', "MA3C0002");
    let outcome = cf(&[("CF_XDR_SHXYM", &individual)]);
    assert_eq!(warning_codes(&outcome), [("CF_XDR_LB", "subject_kind_mismatch")]);
    assert_eq!(
        outcome.warnings()[0].message,
        "「行政相对人类别」为“法人及非法人组织”，但统一社会信用代码第 1–2 位“92”表示个体工商户，请核对类别"
    );
    let outcome = cf(&[("CF_XDR_SHXYM", &individual), ("CF_XDR_LB", "个体工商户")]);
    assert!(outcome.warnings().is_empty());
    assert!(matches!(valid(&outcome).subject, SubjectRef::LegalPerson { kind: LegalKind::IndividualBusiness, .. }));
    let outcome = cf(&[("CF_XDR_LB", "个体工商户")]);
    assert_eq!(warning_codes(&outcome), [("CF_XDR_LB", "subject_kind_mismatch")]);
    let outcome = cf_natural(&[("CF_XDR_SHXYM", ORG)]);
    assert_eq!(warning_codes(&outcome), [("CF_XDR_SHXYM", "subject_code_ignored")]);
    assert!(valid(&outcome).subject.is_natural_person());
}

#[test]
fn fine_amount_warnings() {
    let outcome = cf(&[("CF_NR_FK", "50000元")]);
    assert_eq!(warning_codes(&outcome), [("CF_NR_FK", "money_unit_converted")]);
    assert_eq!(valid(&outcome).penalty.as_ref().unwrap().fine_fen, Some(5 * FEN_PER_WAN_YUAN));

    // Typed in 元: the text says 2000 元, the column says 2000 (万元).
    let outcome = cf(&[("CF_NR", "罚款2000元"), ("CF_NR_FK", "2000")]);
    assert_eq!(warning_codes(&outcome), [("CF_NR_FK", "fine_amount_suspicious")]);
    assert_eq!(
        outcome.warnings()[0].message,
        "「罚款金额（万元）」为 2000 万元，而处罚内容写明罚款 2000 元，疑似按元填写；标准单位为万元（罚款 2000 元应填 0.2）"
    );
    let outcome = cf(&[("CF_NR", "依法处罚"), ("CF_NR_FK", "200000")]);
    assert_eq!(warning_codes(&outcome), [("CF_NR_FK", "fine_amount_suspicious")]);

    let outcome = cf(&[("CF_NR", "罚款3000元"), ("CF_NR_FK", "0.2")]);
    assert_eq!(warning_codes(&outcome), [("CF_NR_FK", "fine_amount_mismatch")]);
    // Matching amounts, in several spellings, say nothing.
    for text in ["罚款人民币0.2万元", "处2,000元罚款", "处以 2000 元的罚款", "没收违法所得1000元，并处罚款2000元"]
    {
        let outcome = cf(&[("CF_NR", text), ("CF_NR_FK", "0.2"), ("CF_CFLB", "罚款")]);
        assert!(outcome.warnings().is_empty(), "{text}: {:?}", outcome.warnings());
    }
    let outcome = cf(&[("CF_NR_FK", "0"), ("CF_NR", "罚款")]);
    assert_eq!(warning_codes(&outcome), [("CF_NR_FK", "fine_amount_zero")]);
    let outcome = cf(&[("CF_CFLB", "警告"), ("CF_NR_FK", "0.1"), ("CF_NR", "警告")]);
    assert_eq!(warning_codes(&outcome), [("CF_NR_FK", "fine_without_category")]);
}

#[test]
fn fines_are_read_from_penalty_text() {
    assert_eq!(fines_in_text("罚款2000元"), [200_000]);
    assert_eq!(fines_in_text("处以罚款人民币0.2万元"), [200_000]);
    assert_eq!(fines_in_text("处２，０００元罚款"), [200_000]);
    assert_eq!(fines_in_text("没收违法所得1000元，并处罚款3000元"), [300_000]);
    assert_eq!(fines_in_text("罚款：5万元；罚款3万"), [5_000_000, 3_000_000]);
    assert!(fines_in_text("责令改正，没收1000元").is_empty());
    assert!(fines_in_text("2024年罚款").is_empty());
}

// ----- procedure, minors, keys ---------------------------------------------------------

#[test]
fn procedure_is_inferred_from_art_51_limits() {
    let procedure = |outcome: &RowOutcome| valid(outcome).penalty.as_ref().unwrap().procedure;
    let org = |fk: &str| cf(&[("CF_NR_FK", fk), ("CF_NR", "依法罚款")]);
    assert_eq!(procedure(&org("0.3")), Procedure::Simplified);
    assert_eq!(procedure(&org("0.300001")), Procedure::Ordinary);
    let person = |fk: &str| cf_natural(&[("CF_NR_FK", fk), ("CF_NR", "依法罚款")]);
    assert_eq!(procedure(&person("0.02")), Procedure::Simplified);
    assert_eq!(procedure(&person("0.0201")), Procedure::Ordinary);
    // 个体工商户 count as natural persons (民法典 Art. 54).
    let individual = uscc('9', '2', "MA3C0003");
    let ib = |fk: &str| {
        cf(&[("CF_XDR_SHXYM", &individual), ("CF_XDR_LB", "个体工商户"), ("CF_NR_FK", fk), ("CF_NR", "依法罚款")])
    };
    assert_eq!(procedure(&ib("0.02")), Procedure::Simplified);
    assert_eq!(procedure(&ib("0.03")), Procedure::Ordinary);
    // Before the 2021 revision the limit for organisations was 1000 元.
    let old = |fk: &str| cf(&[("CF_NR_FK", fk), ("CF_NR", "依法罚款"), ("CF_JDRQ", "2021-07-14")]);
    assert_eq!(procedure(&old("0.1")), Procedure::Simplified);
    assert_eq!(procedure(&old("0.2")), Procedure::Ordinary);
    // A warning alone; a warning with a small fine; anything heavier.
    let warning = cf(&[("CF_CFLB", "警告"), ("CF_NR_FK", ""), ("CF_NR", "警告")]);
    assert_eq!(procedure(&warning), Procedure::Simplified);
    let both = cf(&[("CF_CFLB", "警告、罚款"), ("CF_NR_FK", "0.1"), ("CF_NR", "警告并罚款1000元")]);
    assert_eq!(procedure(&both), Procedure::Simplified);
    let criticism = cf(&[("CF_CFLB", "通报批评"), ("CF_NR_FK", ""), ("CF_NR", "通报批评")]);
    assert_eq!(procedure(&criticism), Procedure::Ordinary);
    // A stated procedure wins.
    let stated = cf(&[("CF_NR_FK", "0.1"), ("CF_NR", "罚款1000元"), ("CF_CXLX", "普通程序")]);
    let facts = valid(&stated).penalty.clone().unwrap();
    assert_eq!(facts.procedure, Procedure::Ordinary);
    assert!(facts.procedure_stated);
    let stated = cf(&[("CF_CXLX", "简易程序")]);
    assert_eq!(procedure(&stated), Procedure::Simplified);
}

#[test]
fn stated_extension_facts() {
    let facts = valid(&cf(&[("CF_YZCD", "严重失信"), ("CF_QWZG", "是")])).penalty.clone().unwrap();
    assert_eq!(facts.severity, Some(Severity::Serious));
    assert!(facts.minor_violation_corrected);
}

#[test]
fn minors_are_detected() {
    let minor = IdNumber::from_parts("370102", d(2010, 3, 1), 123).unwrap();
    let facts = valid(&cf_natural(&[("CF_XDR_ZJHM", minor.as_str()), ("CF_NR_FK", "0.1"), ("CF_NR", "罚款1000元")]))
        .penalty
        .clone()
        .unwrap();
    assert!(facts.subject_is_minor);
    // Turned 18 the day before the decision.
    let adult = IdNumber::from_parts("370102", d(2006, 5, 31), 123).unwrap();
    let facts = valid(&cf_natural(&[("CF_XDR_ZJHM", adult.as_str()), ("CF_NR_FK", "0.1"), ("CF_NR", "罚款1000元")]))
        .penalty
        .clone()
        .unwrap();
    assert!(!facts.subject_is_minor);
    let facts = valid(&cf(&[("CF_WCN", "是")])).penalty.clone().unwrap();
    assert!(facts.subject_is_minor);
}

#[test]
fn idempotency_keys() {
    let a = valid(&cf(&[("CF_WSH", "济市监罚[2024]12号")])).key("scjgj");
    let b = valid(&cf(&[("CF_WSH", "济市监罚（２０２４）12 号")])).key("scjgj");
    let c = valid(&cf(&[])).key("scjgj");
    assert_eq!(a, b);
    assert_eq!(a, c);
    assert_eq!(a.document, "济市监罚〔2024〕12号");
    assert_eq!(a.digest().len(), 43);
    assert_ne!(a.digest(), valid(&cf(&[])).key("other").digest());
    assert!(a.canonical().ends_with(&format!("L:{ORG}")));
    // The document number itself keeps what the clerk typed.
    assert_eq!(valid(&cf(&[("CF_WSH", "济市监罚[2024]12号")])).document_number, "济市监罚[2024]12号");
    let natural = valid(&cf_natural(&[])).key("scjgj");
    assert!(natural.canonical().ends_with(&format!("N:{ADULT_ID}")));
    assert!(!natural.digest().contains(ADULT_ID));
}

#[test]
fn cells_are_normalised() {
    assert_eq!(normalize_cell("\u{feff} 济市监罚〔２０２４〕１２号\u{a0}"), "济市监罚〔2024〕12号");
    assert_eq!(normalize_cell("济南某某（分公司）"), "济南某某（分公司）");
    assert_eq!(normalize_cell("a\r\nb\rc\td"), "a\nb\nc d");
    for p in PLACEHOLDERS {
        assert_eq!(normalize_cell(&format!(" {p} ")), "", "{p}");
    }
}

#[test]
fn outcome_serialises_with_codes() {
    let outcome = cf(&[("CF_WSH", "")]);
    let json = serde_json::to_value(&outcome).unwrap();
    assert_eq!(json["outcome"], "invalid");
    assert_eq!(json["errors"][0]["code"], "required_missing");
    assert_eq!(json["errors"][0]["field"], "CF_WSH");
    let json = serde_json::to_value(cf(&[])).unwrap();
    assert_eq!(json["outcome"], "valid");
    assert_eq!(json["draft"]["subject"]["type"], "legal_person");
    assert_eq!(json["draft"]["penalty"]["categories"][0], "fine");
}

#[test]
fn every_code_is_documented() {
    let documented: Vec<&str> = ISSUE_CODES.iter().map(|(code, _, _)| *code).collect();
    let mut unique = documented.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), documented.len(), "duplicate code in ISSUE_CODES");
    let samples = [
        Problem::RequiredMissing { rule: String::new() },
        Problem::FieldConflict,
        Problem::TextTooLong { max: 1, found: 2 },
        Problem::TextControlCharacter,
        Problem::DateInvalid { value: String::new() },
        Problem::DateTooEarly { date: String::new() },
        Problem::DateTooLate { date: String::new() },
        Problem::DateInFuture { date: today(), today: today() },
        Problem::DateRangeInverted { from_name: String::new(), from: today(), to: today() },
        Problem::MoneyInvalid { value: String::new() },
        Problem::MoneyNegative,
        Problem::MoneyPrecision { value: String::new() },
        Problem::MoneyTooLarge { value: String::new() },
        Problem::IntegerInvalid { value: String::new() },
        Problem::EnumInvalid { value: String::new(), allowed: String::new() },
        Problem::IdTypeUnsupported { id_type: String::new() },
        Problem::SubjectIdentifierMissing,
        Problem::PenaltyCategoryUnknown { token: String::new() },
        Problem::IdNumberInPublicField,
        Problem::PersonalDataInPublicField { kinds: String::new() },
        Problem::FieldUnknown,
        Problem::IdNumberDivisionUnknown,
        Problem::SubjectKindMismatch { stated: String::new(), prefix: String::new(), code_kind: String::new() },
        Problem::SubjectCodeIgnored,
        Problem::MoneyUnitConverted { value: String::new(), wan: String::new() },
        Problem::FineAmountSuspicious { wan: String::new(), reason: String::new() },
        Problem::FineAmountMismatch { wan: String::new(), stated: String::new() },
        Problem::FineAmountZero,
        Problem::FineWithoutCategory,
        Problem::PenaltyCategoryInferred { token: String::new(), categories: String::new() },
    ];
    let mut codes: Vec<&str> = samples.iter().map(Problem::code).collect();
    // Codes borrowed from the identifier parsers (strict and lenient).
    for raw in [
        "",
        "91350100M00010OY43",
        "B1350100M000100Y43",
        "94350100M000100Y43",
        "9135A100M000100Y43",
        "91350100M000100Y53",
        "91350100M000100Y4Y",
    ] {
        if let Err(e) = Uscc::parse(raw) {
            codes.push(e.code());
        }
    }
    codes.push("uscc_check_character_mismatch");
    codes.push("uscc_org_code_check_mismatch");
    for raw in ["", "110105491231002", "1101051949123100X2", "110105194913310024", "110105194912310021"] {
        if let Err(e) = IdNumber::parse(raw) {
            codes.push(e.code());
        }
    }
    for e in [NameError::Empty, NameError::TooLong { chars: 0 }, NameError::ControlCharacter] {
        codes.push(e.code());
    }
    for header in [
        "header_unknown",
        "header_ignored",
        "header_duplicate",
        "header_missing_required",
        "header_missing_conditional",
        "header_money_unit_yuan",
    ] {
        codes.push(header);
    }
    codes.push(crate::collection::catalog::InferError::NoMatch.code());
    codes.push(crate::collection::catalog::InferError::Ambiguous { candidates: Vec::new() }.code());
    for code in &codes {
        assert!(documented.contains(code), "{code} is not in ISSUE_CODES");
    }
    // And nothing documented that cannot occur.
    for code in &documented {
        assert!(codes.contains(code), "{code} is documented but never produced");
    }
}

#[test]
fn import_codes_doc_lists_every_code() {
    let doc = include_str!("../../../../../docs/IMPORT_CODES.md");
    for (code, _, _) in ISSUE_CODES {
        assert!(doc.contains(&format!("`{code}`")), "{code} missing from docs/IMPORT_CODES.md");
    }
}

// ----- properties ----------------------------------------------------------------------

/// Any text a cell might hold: arbitrary Unicode, plus fragments that steer
/// into the parsers' interesting branches.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,30}",
        "[0-9０-９.,:年月日号元万 /\\-T]{0,20}",
        "[0-9A-Za-z]{15,19}",
        proptest::sample::select(vec![
            "长期".to_owned(),
            "9999-12-31".to_owned(),
            "警告、罚款".to_owned(),
            "罚款2000元".to_owned(),
            "自然人".to_owned(),
            "个体工商户".to_owned(),
            "法人".to_owned(),
            ORG.to_owned(),
            ADULT_ID.to_owned(),
            "护照".to_owned(),
            "45444".to_owned(),
            "\u{a0}".to_owned(),
        ]),
    ]
}

proptest! {
    #[test]
    fn never_panics_on_arbitrary_cells(
        item_index in 0usize..4,
        values in proptest::collection::vec(cell(), 0..40),
        lenient in any::<bool>(),
    ) {
        let item = &Catalog::shipped().items()[item_index];
        let cells: Vec<(String, String)> = item
            .fields()
            .iter()
            .map(|f| f.code().to_owned())
            .chain(["UNKNOWN".to_owned()])
            .cycle()
            .zip(values)
            .collect();
        let mut context = ctx();
        context.lenient_codes = lenient;
        let outcome = validate_row(item, &cells, &context);
        // Every issue names its code; valid rows have their key.
        for issue in outcome.errors().iter().chain(outcome.warnings()) {
            prop_assert!(!issue.code.is_empty());
            prop_assert!(!issue.message.is_empty());
        }
        if let Some(draft) = outcome.draft() {
            let _ = draft.key("scjgj").digest();
        }
    }

    #[test]
    fn valid_rows_survive_noise_in_optional_columns(noise in "\\PC{0,20}") {
        // Noise in 备注 never breaks a valid row unless it smuggles in an ID
        // number or control characters.
        let outcome = cf(&[("BZ", &noise)]);
        let codes: Vec<&str> = outcome.errors().iter().map(|e| e.code).collect();
        prop_assert!(codes.iter().all(|c| *c == "text_control_character" || *c == "id_number_in_public_field"), "{:?}", codes);
    }

    #[test]
    fn parsers_never_panic(s in "\\PC{0,40}") {
        let _ = parse_date(&s, true);
        let _ = parse_date(&s, false);
        let _ = parse_money(&s);
        let _ = parse_integer(&s);
        let _ = parse_categories(&s);
        let _ = fines_in_text(&s);
        let _ = normalize_cell(&s);
        let _ = canonical_document(&s);
    }

    #[test]
    fn money_round_trips(fen in 0i64..=999_999_999_999_999) {
        let text = format_wan_yuan(fen);
        prop_assert_eq!(parse_money(&text), Ok((fen, false)));
    }

    #[test]
    fn dates_round_trip_in_every_format(days in 0u64..(150 * 365)) {
        let date = d(1949, 1, 1) + Days::new(days);
        prop_assume!(date.year() <= MAX_YEAR);
        for text in [
            date.format("%Y-%m-%d").to_string(),
            date.format("%Y/%-m/%-d").to_string(),
            date.format("%Y.%-m.%-d").to_string(),
            date.format("%Y%m%d").to_string(),
            date.format("%Y年%-m月%-d日").to_string(),
        ] {
            prop_assert_eq!(parse_date(&text, false), Ok(Some(date)), "{}", text);
        }
        let serial = (date - d(1899, 12, 30)).num_days();
        prop_assert_eq!(parse_date(&serial.to_string(), false), Ok(Some(date)));
    }
}

//! Each template renders sample data into an A4 PDF whose text, read back
//! with poppler's `pdftotext`, holds the Chinese it was given. CI installs
//! poppler-utils; elsewhere the text check is skipped with a message.

use std::process::Command;

use chrono::{FixedOffset, NaiveDate, TimeZone};
use xinyong_documents::{CommitmentLetter, Documents, LetterSection, OfficialLetter, chinese_date};

fn created() -> chrono::DateTime<FixedOffset> {
    FixedOffset::east_opt(8 * 3600).and_then(|tz| tz.with_ymd_and_hms(2026, 3, 2, 9, 30, 0).single()).expect("time")
}

/// The PDF's text with every blank removed (pdftotext breaks lines where the
/// layout does), or `None` without pdftotext.
fn text_of(pdf: &[u8]) -> Option<String> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, pdf).expect("write");
    let Ok(out) = Command::new("pdftotext").arg("-enc").arg("UTF-8").arg(&path).arg("-").output() else {
        if std::env::var_os("CI").is_some() {
            panic!("pdftotext is missing in CI (poppler-utils)");
        }
        eprintln!("pdftotext not installed: text not checked");
        return None;
    };
    assert!(out.status.success(), "pdftotext failed");
    Some(String::from_utf8(out.stdout).expect("utf-8").split_whitespace().collect())
}

fn letter() -> CommitmentLetter {
    CommitmentLetter {
        title: "食品经营许可告知承诺书".into(),
        subtitle: "（告知承诺事项清单 2026.2，事项编码 SPJY-01）".into(),
        code: "SPJY-01".into(),
        name: "食品经营许可".into(),
        department_name: "济南市市场监督管理局".into(),
        kind: "审批替代型".into(),
        verification_method: "现场核查".into(),
        verification_working_days: 20,
        version: "2026.2".into(),
        site_name: "信用济南".into(),
        url: "https://credit.jinan.example/commitments/items/SPJY-01".into(),
        body: vec![
            "设定依据：《中华人民共和国食品安全法》第三十五条".into(),
            String::new(),
            "申请人郑重承诺：".into(),
            "1. 经营场所与有毒、有害场所以及其他污染源保持规定的距离。".into(),
        ],
    }
}

#[test]
fn a_commitment_letter_is_an_a4_pdf_with_its_chinese_text() {
    let docs = Documents::default();
    let pdf = docs.commitment_letter(&letter(), created()).expect("pdf");
    assert!(pdf.starts_with(b"%PDF-"));
    // A4 is 595.28 × 841.89 pt.
    let head = String::from_utf8_lossy(&pdf);
    assert!(head.contains("595.2") && head.contains("841.8"), "not A4");
    if let Some(text) = text_of(&pdf) {
        for expected in [
            "食品经营许可告知承诺书",
            "济南市市场监督管理局",
            "申请人郑重承诺",
            "有毒、有害场所",
            "申请人（签名或盖章）",
        ] {
            assert!(text.contains(expected), "missing {expected} in {text}");
        }
    }
}

#[test]
fn the_same_inputs_give_the_same_bytes() {
    let docs = Documents::default();
    let first = docs.commitment_letter(&letter(), created()).expect("pdf");
    let second = docs.commitment_letter(&letter(), created()).expect("pdf");
    assert_eq!(first, second);
}

#[test]
fn an_official_letter_carries_its_sections_facts_and_issuer() {
    let letter = OfficialLetter {
        title: "拟列入严重失信主体名单告知书".into(),
        number: Some("济市监信告〔2026〕3号".into()),
        addressee: Some("济南鲁味餐饮有限公司（统一社会信用代码：91370100MA3C4XYZ12）".into()),
        sections: vec![LetterSection {
            heading: Some("陈述、申辩和异议".into()),
            paragraphs: vec!["你单位可在2026年3月9日前提出异议。".into()],
        }],
        facts: vec![("名单".into(), "严重失信主体名单".into())],
        issuer: "济南市市场监督管理局".into(),
        date: chinese_date(NaiveDate::from_ymd_opt(2026, 3, 2).expect("date")),
        footer: "信用济南".into(),
        note: Some("本告知书可在信用济南核对。".into()),
    };
    let pdf = Documents::default().official_letter(&letter, created()).expect("pdf");
    if let Some(text) = text_of(&pdf) {
        for expected in [
            "拟列入严重失信主体名单告知书",
            "济市监信告〔2026〕3号",
            "济南鲁味餐饮有限公司",
            "陈述、申辩和异议",
            "2026年3月2日",
            "第1页/共1页",
        ] {
            assert!(text.contains(expected), "missing {expected} in {text}");
        }
    }
}

#[test]
fn missing_fonts_are_named_with_a_stable_code() {
    let docs = Documents::new(vec!["/nonexistent/font.ttc".into()]);
    let err = docs.commitment_letter(&letter(), created()).expect_err("no font");
    assert_eq!(err.code(), "pdf_fonts_missing");
    assert!(err.to_string().contains("/nonexistent/font.ttc"));
    assert!(docs.check_fonts().is_err());
}

#[test]
fn a_credit_report_is_a_pdf_with_its_records_a_qr_code_and_the_signed_json_attached() {
    use xinyong_documents::{CreditReportDocument, ReportRecordView};
    let penalty = ReportRecordView {
        document_number: "济市监罚〔2026〕101号".into(),
        log_index: 863,
        fields: vec![
            ("违法事实".into(), "当事人销售的电热水壶经抽检不合格。".into()),
            ("罚款金额".into(), "50,000 元（5 万元）".into()),
        ],
    };
    let report = CreditReportDocument {
        platform: "信用济南".into(),
        report_id: "XYBG20261204A1B2C3D4E5".into(),
        subject_name: "济南泉润商贸有限公司".into(),
        uscc: "91370102MA3C4F2K2U".into(),
        status: "存续".into(),
        division: "历下区".into(),
        as_of: "2026-12-04".into(),
        issued_at: "2026-12-04 16:00".into(),
        licences: Vec::new(),
        penalties: vec![penalty],
        others: Vec::new(),
        lists: vec![("严重失信主体名单".into(), "拒不履行".into(), "济南市市场监督管理局".into(), "2026-10-01".into())],
        version_name: "完整版".into(),
        ended: vec![("行政处罚".into(), "济市监罚〔2023〕12号".into(), "2023-03-01".into(), 120)],
        pledges: vec![("守法诚信经营承诺".into(), "主动承诺".into(), "2026-03-15".into())],
        grades: vec![("济南市公共信用综合评价（2026.1）".into(), "A".into(), "守信".into(), "2026-11-01".into())],
        checkpoint_size: 952,
        status_statement: "截至 2026-12-04，状态图谱记载该主体在 1 个有效信用名单中，有 1 条公示期内的行政处罚或失信被执行人信息，即本报告所列各项，别无其他（状态图谱承诺见日志第 950 条，可离线核验）。".into(),
        verifier_key: "xinyong.local/log+2791de25+AdBKsjJ0K7SrOhNovUYV5ObQIkq3GgFrr4UgozLJd4c3".into(),
        verify_url: "https://credit.jinan.example/reports/XYBG20261204A1B2C3D4E5".into(),
        verify_command: "xinyong report verify 报告.pdf --key <平台公钥>".into(),
        json_name: "credit-report-XYBG20261204A1B2C3D4E5.json".into(),
        signed_json: r#"{"protected":"x","payload":"y","signature":"z"}"#.into(),
        qr_svg: String::new(),
    };
    let pdf = Documents::default().credit_report(&report, created()).expect("pdf");
    assert!(pdf.starts_with(b"%PDF-"));
    let raw = String::from_utf8_lossy(&pdf);
    assert!(
        raw.contains("/EmbeddedFile") && raw.contains("credit-report-XYBG20261204A1B2C3D4E5.json"),
        "no attachment"
    );
    if let Some(text) = text_of(&pdf) {
        for expected in [
            "信用报告",
            "XYBG20261204A1B2C3D4E5",
            "济南泉润商贸有限公司",
            "济市监罚〔2026〕101号",
            "严重失信主体名单",
            "扫码核验本报告",
        ] {
            assert!(text.contains(expected), "missing {expected} in {text}");
        }
    }
    std::fs::write(std::env::temp_dir().join("xinyong-credit-report-sample.pdf"), &pdf).expect("write sample");
}

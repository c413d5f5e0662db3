use super::*;
use crate::codes::id_number::IdNumber;
use crate::codes::uscc::Uscc;
use crate::collection::catalog::Catalog;
use crate::collection::record::{RowOutcome, ValidationContext, validate_row};
use crate::subjects::SubjectName;
use proptest::prelude::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn rules() -> &'static PublicityRules {
    PublicityRules::shipped()
}

fn item(code: &str) -> &'static CatalogItem {
    Catalog::shipped().item(code).unwrap()
}

const ORG: &str = "914403001922038216";
const ADULT_ID: &str = "11010519491231002X";

fn authority() -> String {
    Uscc::from_parts('1', '1', "370100", "00418800").unwrap().as_str().to_owned()
}

fn individual_business() -> String {
    Uscc::from_parts('9', '2', "370102", "MA3C0009").unwrap().as_str().to_owned()
}

/// A CF row through the real validator, so the facts are what an upload
/// would produce. Defaults: legal person, fine 5 万元, decided 2024-06-01.
fn penalty(overrides: &[(&str, &str)]) -> RecordDraft {
    let auth = authority();
    let mut cells: Vec<(String, String)> = [
        ("CF_XDR_MC", "济南某某科技有限公司"),
        ("CF_XDR_LB", "法人及非法人组织"),
        ("CF_XDR_SHXYM", ORG),
        ("CF_FRDB", "张三"),
        ("CF_WSH", "济应急罚〔2024〕1号"),
        ("CF_WFXW", "违法行为"),
        ("CF_SY", "违法事实"),
        ("CF_YJ", "处罚依据"),
        ("CF_CFLB", "罚款"),
        ("CF_NR", "依法处罚"),
        ("CF_NR_FK", "5"),
        ("CF_JDRQ", "2024-06-01"),
        ("CF_YXQ", "长期"),
        ("CF_CFJG", "处罚机关"),
        ("CF_CFJGDM", auth.as_str()),
        ("CF_SJLY", "数据来源单位"),
        ("CF_SJLYDM", auth.as_str()),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    for (code, value) in overrides {
        cells.retain(|(k, _)| k != code);
        if !value.is_empty() {
            cells.push(((*code).to_owned(), (*value).to_owned()));
        }
    }
    let ctx = ValidationContext::new(d(2026, 12, 31));
    match validate_row(item("CF"), &cells, &ctx) {
        RowOutcome::Valid { draft, .. } => draft,
        RowOutcome::Invalid { errors, .. } => panic!("{errors:#?}"),
    }
}

fn natural(overrides: &[(&str, &str)]) -> RecordDraft {
    let mut all: Vec<(&str, &str)> = vec![
        ("CF_XDR_MC", "李四"),
        ("CF_XDR_LB", "自然人"),
        ("CF_XDR_SHXYM", ""),
        ("CF_FRDB", ""),
        ("CF_XDR_ZJLX", "身份证"),
        ("CF_XDR_ZJHM", ADULT_ID),
    ];
    all.extend_from_slice(overrides);
    penalty(&all)
}

fn decide(draft: &RecordDraft, sector: Option<&str>) -> PublicityDecision {
    decide_publicity(rules(), item("CF"), draft, sector)
}

fn window(decision: &PublicityDecision) -> PublicityWindow {
    decision.window.unwrap_or_else(|| panic!("no window: {decision:?}"))
}

// ----- the acceptance cases of the issue ---------------------------------------------

#[test]
fn order_58_general_penalty() {
    let decision = decide(&penalty(&[]), Some("tax"));
    assert_eq!(decision.regime, "ndrc-order-58");
    assert_eq!(decision.severity, None);
    assert!(decision.public);
    assert_eq!(decision.non_public_reason, None);
    assert_eq!(
        window(&decision),
        PublicityWindow {
            start: d(2024, 6, 1),
            earliest_end: d(2024, 9, 1),
            latest_end: Some(d(2027, 6, 1)),
            repairable: true,
        }
    );
    assert_eq!(decision.rules_version, "2026.1");
    assert_eq!(decision.basis, "国家发展改革委令第58号");
}

#[test]
fn regime_c_general_penalty() {
    let decision = decide(&penalty(&[("CF_JDRQ", "2026-05-01")]), None);
    assert_eq!(decision.regime, "gbf-2025-22");
    assert_eq!(decision.severity, Some(Severity::General));
    assert!(decision.public);
    let w = window(&decision);
    assert_eq!(w.start, d(2026, 5, 1));
    assert_eq!(w.earliest_end, d(2026, 8, 1));
    assert_eq!(w.latest_end, Some(d(2027, 5, 1)));
    assert!(w.repairable);
}

#[test]
fn regime_527_serious_penalty() {
    // Serious by amount (≥ 10 万元) …
    let decision = decide(&penalty(&[("CF_JDRQ", "2021-03-01"), ("CF_NR_FK", "10")]), None);
    assert_eq!(decision.regime, "ndrc-527");
    assert_eq!(decision.severity, Some(Severity::Serious));
    let w = window(&decision);
    assert_eq!(w.earliest_end, d(2021, 9, 1));
    assert_eq!(w.latest_end, Some(d(2024, 3, 1)));
    assert!(w.repairable);
    // … or as stated by the department.
    let decision = decide(&penalty(&[("CF_JDRQ", "2021-03-01"), ("CF_YZCD", "严重")]), None);
    assert_eq!(decision.severity, Some(Severity::Serious));
    assert_eq!(window(&decision).earliest_end, d(2021, 9, 1));
    // General under 527号: 3 months to 1 year.
    let decision = decide(&penalty(&[("CF_JDRQ", "2021-03-01")]), None);
    assert_eq!(decision.severity, Some(Severity::General));
    assert_eq!(window(&decision).earliest_end, d(2021, 6, 1));
    assert_eq!(window(&decision).latest_end, Some(d(2022, 3, 1)));
}

#[test]
fn work_safety_minimum_is_one_year_under_order_58() {
    let decision = decide(&penalty(&[]), Some("work_safety"));
    assert_eq!(decision.regime, "ndrc-order-58");
    let w = window(&decision);
    assert_eq!(w.earliest_end, d(2025, 6, 1));
    assert_eq!(w.latest_end, Some(d(2027, 6, 1)));
    for sector in ["special_equipment", "fire_safety"] {
        assert_eq!(window(&decide(&penalty(&[]), Some(sector))).earliest_end, d(2025, 6, 1));
    }
    // Food and drugs are not in the list by default ([U]).
    assert_eq!(window(&decide(&penalty(&[]), Some("food_drug"))).earliest_end, d(2024, 9, 1));
}

#[test]
fn simplified_procedure_is_not_public() {
    // 1000 元 on an organisation: within the 3000 元 on-the-spot limit.
    let draft = penalty(&[("CF_NR_FK", "0.1")]);
    assert_eq!(draft.penalty.as_ref().unwrap().procedure, Procedure::Simplified);
    let decision = decide(&draft, None);
    assert!(!decision.public);
    assert_eq!(decision.non_public_reason, Some(NonPublicReason::SimplifiedProcedure));
    assert_eq!(decision.non_public_reason.unwrap().code(), "simplified_procedure");
    assert!(decision.non_public_reason.unwrap().message().contains("第十三条"));
    // The window is still computed: it bounds sharing.
    assert!(decision.window.is_some());
    // Stated, too.
    let decision = decide(&penalty(&[("CF_CXLX", "简易程序")]), None);
    assert_eq!(decision.non_public_reason, Some(NonPublicReason::SimplifiedProcedure));
}

#[test]
fn inferred_procedure_follows_the_rules_in_use() {
    // An operator who raises the on-the-spot limit for organisations to
    // 10 万元 turns the 5 万元 default case into a simplified one…
    let text = SHIPPED_PUBLICITY_TOML.replace("organisation_max_yuan = 3000", "organisation_max_yuan = 100000");
    let custom = PublicityRules::parse_toml(&text).unwrap();
    let draft = penalty(&[]);
    assert_eq!(draft.penalty.as_ref().unwrap().procedure, Procedure::Ordinary);
    let decision = decide_publicity(&custom, item("CF"), &draft, None);
    assert_eq!(decision.non_public_reason, Some(NonPublicReason::SimplifiedProcedure));
    // …but a stated procedure stands.
    let stated = penalty(&[("CF_CXLX", "普通程序")]);
    assert!(decide_publicity(&custom, item("CF"), &stated, None).public);
}

#[test]
fn natural_persons_are_not_public() {
    let decision = decide(&natural(&[]), None);
    assert!(!decision.public);
    assert_eq!(decision.non_public_reason, Some(NonPublicReason::NaturalPerson));
    assert_eq!(decision.non_public_reason.unwrap().code(), "natural_person");
    assert!(decision.non_public_reason.unwrap().message().contains("第二十条"));
    assert_eq!(decision.regime, "ndrc-order-58");
}

#[test]
fn samr_warning_only_is_not_public() {
    let draft = penalty(&[("CF_CFLB", "警告"), ("CF_NR_FK", ""), ("CF_CXLX", "普通程序")]);
    let decision = decide(&draft, Some("market_regulation"));
    assert_eq!(decision.regime, "samr-order-45");
    assert!(!decision.public);
    assert_eq!(decision.non_public_reason, Some(NonPublicReason::WarningOnly));
    assert_eq!(decision.window, None);
}

#[test]
fn samr_small_fine_is_public_for_three_months() {
    // 5 万元 on an organisation is below the 10 万元 lower-amount line.
    let decision = decide(&penalty(&[]), Some("market_regulation"));
    assert_eq!(decision.regime, "samr-order-45");
    assert!(decision.public);
    assert_eq!(
        window(&decision),
        PublicityWindow {
            start: d(2024, 6, 1),
            earliest_end: d(2024, 9, 1),
            latest_end: Some(d(2024, 9, 1)),
            repairable: false,
        }
    );
    let criticism = penalty(&[("CF_CFLB", "通报批评"), ("CF_NR_FK", "")]);
    assert_eq!(window(&decide(&criticism, Some("market_regulation"))).latest_end, Some(d(2024, 9, 1)));
}

// ----- more regimes ---------------------------------------------------------------------

#[test]
fn regimes_switch_on_their_dates() {
    let at = |date: NaiveDate| rules().regime_at(date).map(|r| r.id.as_str());
    assert_eq!(at(d(2010, 1, 1)), Some("ndrc-2017"));
    assert_eq!(at(d(2019, 6, 30)), Some("ndrc-2017"));
    assert_eq!(at(d(2019, 7, 1)), Some("ndrc-527"));
    assert_eq!(at(d(2023, 4, 30)), Some("ndrc-527"));
    assert_eq!(at(d(2023, 5, 1)), Some("ndrc-order-58"));
    assert_eq!(at(d(2026, 3, 31)), Some("ndrc-order-58"));
    assert_eq!(at(d(2026, 4, 1)), Some("gbf-2025-22"));
    assert_eq!(at(d(2099, 1, 1)), Some("gbf-2025-22"));
    assert!(rules().regimes()[1].is_classified());
    assert!(!rules().regimes()[2].is_classified());
}

#[test]
fn the_2017_rule_has_no_early_end() {
    let decision = decide(&penalty(&[("CF_JDRQ", "2018-03-01")]), None);
    assert_eq!(decision.regime, "ndrc-2017");
    assert_eq!(decision.severity, Some(Severity::General));
    let w = window(&decision);
    assert_eq!(w.latest_end, Some(d(2019, 3, 1)));
    assert_eq!(w.earliest_end, d(2019, 3, 1));
    assert!(!w.repairable);
    let serious = decide(&penalty(&[("CF_JDRQ", "2018-03-01"), ("CF_NR_FK", "20")]), None);
    assert_eq!(serious.severity, Some(Severity::Serious));
    assert_eq!(window(&serious).latest_end, Some(d(2021, 3, 1)));
}

#[test]
fn specific_serious_under_527() {
    let revoked =
        [("CF_JDRQ", "2020-01-15"), ("CF_CFLB", "罚款、吊销许可证件"), ("CF_NR_ZKDX", "食品经营许可证 JY123")];
    let decision = decide(&penalty(&revoked), Some("food_drug"));
    assert_eq!(decision.severity, Some(Severity::SpecificSerious));
    let w = window(&decision);
    assert_eq!(w.earliest_end, d(2023, 1, 15));
    assert_eq!(w.latest_end, Some(d(2023, 1, 15)));
    assert!(!w.repairable);
    // The same revocation outside the listed sectors is "only" serious.
    let decision = decide(&penalty(&revoked), Some("tax"));
    assert_eq!(decision.severity, Some(Severity::Serious));
    assert_eq!(window(&decision).earliest_end, d(2020, 7, 15));
    // Under 22号 specific serious folds into serious.
    let later = [("CF_JDRQ", "2026-05-01"), ("CF_CFLB", "罚款、吊销许可证件"), ("CF_NR_ZKDX", "食品经营许可证 JY123")];
    let decision = decide(&penalty(&later), Some("food_drug"));
    assert_eq!(decision.severity, Some(Severity::Serious));
    assert_eq!(window(&decision).earliest_end, d(2027, 5, 1));
    assert_eq!(window(&decision).latest_end, Some(d(2029, 5, 1)));
}

#[test]
fn regime_c_minor_is_not_published() {
    // A public criticism decided by ordinary procedure: minor under 22号.
    let draft = penalty(&[("CF_JDRQ", "2026-05-01"), ("CF_CFLB", "通报批评"), ("CF_NR_FK", "")]);
    let decision = decide(&draft, None);
    assert_eq!(decision.severity, Some(Severity::Minor));
    assert!(!decision.public);
    assert_eq!(decision.non_public_reason, Some(NonPublicReason::MinorDishonesty));
    assert_eq!(decision.window, None);
    // Under 527号 the same is general and published.
    let draft = penalty(&[("CF_JDRQ", "2022-05-01"), ("CF_CFLB", "通报批评"), ("CF_NR_FK", "")]);
    let decision = decide(&draft, None);
    assert_eq!(decision.severity, Some(Severity::General));
    assert!(decision.public);
}

#[test]
fn regime_c_minor_published_by_a_listed_sector() {
    let text = SHIPPED_PUBLICITY_TOML.replace("minor_publish_sectors = []", "minor_publish_sectors = [\"transport\"]");
    let custom = PublicityRules::parse_toml(&text).unwrap();
    let draft = penalty(&[("CF_JDRQ", "2026-05-01"), ("CF_CFLB", "通报批评"), ("CF_NR_FK", "")]);
    let decision = decide_publicity(&custom, item("CF"), &draft, Some("transport"));
    assert!(decision.public);
    let w = window(&decision);
    assert_eq!(w.earliest_end, d(2026, 5, 1));
    assert_eq!(w.latest_end, Some(d(2026, 8, 1)));
}

#[test]
fn regime_c_serious_by_category() {
    let draft = penalty(&[("CF_JDRQ", "2026-05-01"), ("CF_CFLB", "责令停产停业")]);
    let decision = decide(&draft, None);
    assert_eq!(decision.severity, Some(Severity::Serious));
    assert_eq!(window(&decision).earliest_end, d(2027, 5, 1));
    assert_eq!(window(&decision).latest_end, Some(d(2029, 5, 1)));
}

#[test]
fn stated_severity_wins_over_inference() {
    let decision = decide(&penalty(&[("CF_JDRQ", "2026-05-01"), ("CF_YZCD", "严重")]), None);
    assert_eq!(decision.severity, Some(Severity::Serious));
    let decision = decide(&penalty(&[("CF_JDRQ", "2026-05-01"), ("CF_NR_FK", "50"), ("CF_YZCD", "一般")]), None);
    assert_eq!(decision.severity, Some(Severity::General));
    // 特定严重 folds into serious under 22号; 轻微 into general under 527号.
    let decision = decide(&penalty(&[("CF_JDRQ", "2026-05-01"), ("CF_YZCD", "特定严重")]), None);
    assert_eq!(decision.severity, Some(Severity::Serious));
    let decision = decide(&penalty(&[("CF_JDRQ", "2020-05-01"), ("CF_YZCD", "轻微")]), None);
    assert_eq!(decision.severity, Some(Severity::General));
}

#[test]
fn month_arithmetic_clamps_to_month_end() {
    assert_eq!(add_months(d(2024, 1, 31), 1), d(2024, 2, 29));
    assert_eq!(add_months(d(2023, 1, 31), 1), d(2023, 2, 28));
    assert_eq!(add_months(d(2024, 2, 29), 12), d(2025, 2, 28));
    let decision = decide(&penalty(&[("CF_JDRQ", "2023-11-30")]), None);
    assert_eq!(window(&decision).earliest_end, d(2024, 2, 29));
}

// ----- SAMR --------------------------------------------------------------------------------

#[test]
fn samr_other_penalties() {
    // 20 万元: above the lower-amount line → 3 years, repair after 6 months.
    let decision = decide(&penalty(&[("CF_NR_FK", "20")]), Some("market_regulation"));
    let w = window(&decision);
    assert_eq!(w.latest_end, Some(d(2027, 6, 1)));
    assert_eq!(w.earliest_end, d(2024, 12, 1));
    assert!(w.repairable);
    assert_eq!(decision.severity, None);
    // A revocation can never be stopped early.
    let revoked = penalty(&[("CF_CFLB", "罚款、吊销营业执照"), ("CF_NR_ZKDX", "营业执照")]);
    let w = window(&decide(&revoked, Some("market_regulation")));
    assert_eq!(w.earliest_end, d(2027, 6, 1));
    assert!(!w.repairable);
    // Confiscation is not "criticism or a lower fine".
    let confiscated = penalty(&[("CF_CFLB", "罚款、没收违法所得"), ("CF_NR_WFFF", "0.5")]);
    assert_eq!(window(&decide(&confiscated, Some("market_regulation"))).latest_end, Some(d(2027, 6, 1)));
    // Simplified procedure is not published (Art. 2) — nor are natural persons.
    let small = penalty(&[("CF_NR_FK", "0.1")]);
    assert_eq!(decide(&small, Some("market_regulation")).non_public_reason, Some(NonPublicReason::SimplifiedProcedure));
    assert_eq!(
        decide(&natural(&[]), Some("market_regulation")).non_public_reason,
        Some(NonPublicReason::NaturalPerson)
    );
    // Individual businesses use the natural-person line (1 万元).
    let ib = individual_business();
    let draft = penalty(&[("CF_XDR_SHXYM", &ib), ("CF_XDR_LB", "个体工商户"), ("CF_NR_FK", "2")]);
    assert_eq!(window(&decide(&draft, Some("market_regulation"))).latest_end, Some(d(2027, 6, 1)));
    let draft = penalty(&[("CF_XDR_SHXYM", &ib), ("CF_XDR_LB", "个体工商户"), ("CF_NR_FK", "0.5")]);
    assert_eq!(window(&decide(&draft, Some("market_regulation"))).latest_end, Some(d(2024, 9, 1)));
}

#[test]
fn samr_long_repair_for_listed_sectors() {
    let text = SHIPPED_PUBLICITY_TOML
        .replace("sectors = [\"market_regulation\"]", "sectors = [\"market_regulation\", \"food_drug\"]")
        .replace("repair_after_months_long_sectors = []", "repair_after_months_long_sectors = [\"food_drug\"]");
    let custom = PublicityRules::parse_toml(&text).unwrap();
    let decision = decide_publicity(&custom, item("CF"), &penalty(&[("CF_NR_FK", "20")]), Some("food_drug"));
    assert_eq!(decision.regime, "samr-order-45");
    assert_eq!(window(&decision).earliest_end, d(2025, 6, 1));
}

// ----- Shandong overlays ---------------------------------------------------------------------

#[test]
fn minors_are_never_published() {
    let minor = IdNumber::from_parts("370102", d(2010, 3, 1), 123).unwrap();
    let decision = decide(&natural(&[("CF_XDR_ZJHM", minor.as_str())]), None);
    assert_eq!(decision.non_public_reason, Some(NonPublicReason::SubjectIsMinor));
    let decision = decide(&penalty(&[("CF_WCN", "是")]), None);
    assert_eq!(decision.non_public_reason, Some(NonPublicReason::SubjectIsMinor));
}

#[test]
fn self_corrected_minor_violations_are_not_public() {
    let decision = decide(&penalty(&[("CF_QWZG", "是")]), None);
    assert_eq!(decision.non_public_reason, Some(NonPublicReason::MinorViolationCorrected));
    assert_eq!(decision.non_public_reason.unwrap().code(), "minor_violation_corrected");
}

#[test]
fn province_cap_bounds_the_window() {
    let text = SHIPPED_PUBLICITY_TOML.replace("max_disclosure_months = 60", "max_disclosure_months = 24");
    let custom = PublicityRules::parse_toml(&text).unwrap();
    let decision = decide_publicity(&custom, item("CF"), &penalty(&[]), None);
    assert_eq!(window(&decision).latest_end, Some(d(2026, 6, 1)));
    let text = SHIPPED_PUBLICITY_TOML.replace("max_disclosure_months = 60", "max_disclosure_months = 2");
    let custom = PublicityRules::parse_toml(&text).unwrap();
    let w = window(&decide_publicity(&custom, item("CF"), &penalty(&[]), None));
    assert_eq!(w.latest_end, Some(d(2024, 8, 1)));
    assert_eq!(w.earliest_end, d(2024, 8, 1));
}

// ----- other kinds ----------------------------------------------------------------------------

fn licence(valid_to: Option<NaiveDate>, subject: SubjectRef) -> RecordDraft {
    RecordDraft {
        item: "XK".to_owned(),
        catalog_version: "2026.1".to_owned(),
        document_number: "济审批〔2024〕1号".to_owned(),
        key_document: "济审批〔2024〕1号".to_owned(),
        subject,
        decision_date: d(2024, 6, 1),
        valid_from: Some(d(2024, 6, 1)),
        valid_to,
        penalty: None,
        fields: BTreeMap::new(),
    }
}

fn org_subject() -> SubjectRef {
    SubjectRef::LegalPerson {
        uscc: Uscc::parse(ORG).unwrap(),
        name: SubjectName::parse("济南某某餐饮有限公司").unwrap(),
        kind: LegalKind::Organisation,
        legal_representative: None,
    }
}

fn person_subject() -> SubjectRef {
    SubjectRef::NaturalPerson {
        id_number: IdNumber::parse(ADULT_ID).unwrap(),
        name: SubjectName::parse("李四").unwrap(),
    }
}

#[test]
fn licences_stay_public_while_valid() {
    let decision = decide_publicity(rules(), item("XK"), &licence(Some(d(2029, 5, 31)), org_subject()), None);
    assert_eq!(decision.regime, "licence");
    assert!(decision.public);
    assert_eq!(decision.severity, None);
    assert_eq!(
        window(&decision),
        PublicityWindow {
            start: d(2024, 6, 1),
            earliest_end: d(2024, 6, 1),
            latest_end: Some(d(2029, 5, 31)),
            repairable: false,
        }
    );
    let open = decide_publicity(rules(), item("XK"), &licence(None, org_subject()), None);
    assert_eq!(window(&open).latest_end, None);
    let person = decide_publicity(rules(), item("XK"), &licence(None, person_subject()), None);
    assert_eq!(person.non_public_reason, Some(NonPublicReason::NaturalPerson));
}

#[test]
fn court_debtors() {
    let mut draft = licence(None, org_subject());
    draft.item = "SXBZXR".to_owned();
    let sx = item("SXBZXR");
    let decision = decide_publicity(rules(), sx, &draft, None);
    assert_eq!(decision.regime, "court-debtor");
    assert!(decision.public);
    let w = window(&decision);
    assert_eq!(w.start, d(2024, 6, 1));
    assert_eq!(w.earliest_end, d(2024, 6, 1));
    // Shandong Art. 38: at most 5 years.
    assert_eq!(w.latest_end, Some(d(2029, 6, 1)));
    assert!(!w.repairable);
    draft.subject = person_subject();
    let decision = decide_publicity(rules(), sx, &draft, None);
    assert_eq!(decision.non_public_reason, Some(NonPublicReason::NaturalPerson));
    // Configurable: publish natural-person debtors.
    let text = SHIPPED_PUBLICITY_TOML.replace(
        "[court_debtor]\n# The SPC rule publishes natural persons, but Shandong Art. 20 keeps natural\n# persons off the public portal unless national rules require it; we default\n# to not showing them (brief of the collection issue). [U]\nnatural_person_public = false",
        "[court_debtor]\nnatural_person_public = true",
    );
    assert_ne!(text, SHIPPED_PUBLICITY_TOML);
    let custom = PublicityRules::parse_toml(&text).unwrap();
    assert!(decide_publicity(&custom, sx, &draft, None).public);
}

#[test]
fn inspections_are_open_ended() {
    let mut draft = licence(None, org_subject());
    draft.item = "JC".to_owned();
    let decision = decide_publicity(rules(), item("JC"), &draft, None);
    assert_eq!(decision.regime, "open");
    assert!(decision.public);
    assert_eq!(window(&decision).latest_end, None);
}

#[test]
fn disclosure_level_decides_first() {
    let text = crate::collection::catalog::SHIPPED_CATALOG_TOML.replacen(
        "disclosure = \"public\"",
        "disclosure = \"authorized\"",
        1,
    );
    let catalog = Catalog::parse_toml(&text).unwrap();
    let xk = catalog.item("XK").unwrap();
    let decision = decide_publicity(rules(), xk, &licence(None, org_subject()), None);
    assert!(!decision.public);
    assert_eq!(decision.non_public_reason, Some(NonPublicReason::DisclosureLevelNotPublic));
}

#[test]
fn closed_rules_publish_nothing() {
    let closed = PublicityRules::closed();
    let decision = decide_publicity(&closed, item("CF"), &penalty(&[]), None);
    assert!(!decision.public);
    assert_eq!(decision.non_public_reason, Some(NonPublicReason::NoRegime));
    assert_eq!(decision.regime, "none");
}

#[test]
fn reasons_have_codes_and_messages() {
    let reasons = [
        NonPublicReason::DisclosureLevelNotPublic,
        NonPublicReason::SubjectIsMinor,
        NonPublicReason::NaturalPerson,
        NonPublicReason::SimplifiedProcedure,
        NonPublicReason::MinorViolationCorrected,
        NonPublicReason::WarningOnly,
        NonPublicReason::MinorDishonesty,
        NonPublicReason::NoRegime,
    ];
    for r in reasons {
        assert!(!r.message().is_empty());
        assert_eq!(serde_json::to_value(r).unwrap(), r.code());
    }
    assert_eq!(Severity::from_zh("特定严重失信"), Some(Severity::SpecificSerious));
    assert_eq!(Severity::Minor.name_zh(), "轻微");
    assert_eq!(Severity::from_zh("很严重"), None);
}

// ----- classification ---------------------------------------------------------------------------

#[test]
fn confiscation_counts_towards_the_amount() {
    let facts = |fine: i64, confiscation: i64| PenaltyFacts {
        categories: vec![PenaltyCategory::Fine, PenaltyCategory::Confiscation],
        fine_fen: Some(fine),
        confiscation_fen: Some(confiscation),
        ..default_facts()
    };
    let c = rules().classification();
    let wan = crate::collection::record::FEN_PER_WAN_YUAN;
    assert_eq!(c.classify(&facts(6 * wan, 3 * wan), None), Severity::General);
    assert_eq!(c.classify(&facts(6 * wan, 4 * wan), None), Severity::Serious);
    let text =
        SHIPPED_PUBLICITY_TOML.replace("confiscation_always_serious = false", "confiscation_always_serious = true");
    let strict = PublicityRules::parse_toml(&text).unwrap();
    assert_eq!(strict.classification().classify(&facts(wan, 1), None), Severity::Serious);
}

// ----- rule-file errors ---------------------------------------------------------------------------

#[test]
fn shipped_rules_parse() {
    let parsed = PublicityRules::parse_toml(SHIPPED_PUBLICITY_TOML).unwrap();
    assert_eq!(parsed.version(), "2026.1");
    assert_eq!(&parsed, rules());
    assert_eq!(parsed.regimes().len(), 4);
    assert_eq!(parsed.sectors()["work_safety"], "安全生产");
    let samr = parsed.samr().unwrap();
    assert_eq!(samr.low_fine_organisation_below_fen, 100_000 * 100);
    assert_eq!(parsed.province().max_disclosure_months, Some(60));
    assert!(!parsed.court_debtor().natural_person_public);
    let thresholds = parsed.simplified_procedure().thresholds();
    assert_eq!(thresholds.len(), 2);
    assert_eq!(thresholds[1].organisation_max_fen, 300_000);
}

#[test]
fn rules_errors() {
    let broken = |from: &str, to: &str| -> RulesError {
        let text = SHIPPED_PUBLICITY_TOML.replacen(from, to, 1);
        assert_ne!(text, SHIPPED_PUBLICITY_TOML, "{from}");
        PublicityRules::parse_toml(&text).unwrap_err()
    };
    assert_eq!(PublicityRules::parse_toml("version = ").unwrap_err().code(), "rules_toml");
    assert_eq!(broken("version = \"2026.1\"", "version = \"\"").code(), "rules_version_missing");
    assert_eq!(broken("sectors = [\"market_regulation\"]", "sectors = [\"markets\"]").code(), "rules_sector_unknown");
    assert_eq!(broken("id = \"ndrc-527\"", "id = \"ndrc-2017\"").code(), "rules_regime_duplicate");
    assert_eq!(broken("from = \"2019-07-01\"", "from = \"2019-07-02\"").code(), "rules_regimes_not_contiguous");
    assert_eq!(broken("until = \"2023-04-30\"", "until = \"2019-01-01\"").code(), "rules_regime_inverted");
    assert_eq!(broken("classes.serious = { min_months = 12, max_months = 36 }", "").code(), "rules_class_missing");
    assert_eq!(
        broken(
            "classes.general = { min_months = 3, max_months = 12 }",
            "classes.general = { min_months = 13, max_months = 12 }"
        )
        .code(),
        "rules_period_inverted"
    );
    assert_eq!(broken("default = { min_months = 3, max_months = 36 }", "").code(), "rules_regime_shape");
    assert_eq!(broken("from = \"2021-07-15\"", "from = \"1996-10-01\"").code(), "rules_thresholds");
    // Unknown keys are refused rather than ignored.
    assert_eq!(broken("short_months = 3", "short_month = 3").code(), "rules_toml");
    let no_regimes = &SHIPPED_PUBLICITY_TOML[..SHIPPED_PUBLICITY_TOML.find("[[regimes]]").unwrap()];
    assert_eq!(PublicityRules::parse_toml(no_regimes).unwrap_err().code(), "rules_no_regimes");
}

// ----- properties ---------------------------------------------------------------------------------

fn any_category() -> impl Strategy<Value = PenaltyCategory> {
    proptest::sample::select(PenaltyCategory::ALL.to_vec())
}

proptest! {
    #[test]
    fn windows_are_ordered_and_decisions_never_panic(
        days in 0u64..(60 * 365),
        categories in proptest::collection::vec(any_category(), 0..4),
        fine in proptest::option::of(0i64..10_000_000_000),
        confiscation in proptest::option::of(0i64..10_000_000_000),
        simplified in any::<bool>(),
        severity in proptest::option::of(proptest::sample::select(Severity::ALL.to_vec())),
        sector in proptest::option::of(proptest::sample::select(vec![
            "market_regulation", "work_safety", "food_drug", "tax", "nonsense",
        ])),
        person in any::<bool>(),
    ) {
        let mut categories = categories;
        categories.sort();
        categories.dedup();
        let decision_date = d(1990, 1, 1) + chrono::Days::new(days);
        let mut draft = licence(None, if person { person_subject() } else { org_subject() });
        draft.item = "CF".to_owned();
        draft.decision_date = decision_date;
        draft.penalty = Some(PenaltyFacts {
            categories,
            fine_fen: fine,
            confiscation_fen: confiscation,
            procedure: if simplified { Procedure::Simplified } else { Procedure::Ordinary },
            procedure_stated: true,
            severity,
            ..default_facts()
        });
        let decision = decide_publicity(rules(), item("CF"), &draft, sector);
        prop_assert_eq!(decision.public, decision.non_public_reason.is_none());
        if person {
            prop_assert!(!decision.public);
        }
        if let Some(w) = decision.window {
            prop_assert_eq!(w.start, decision_date);
            prop_assert!(w.start <= w.earliest_end);
            if let Some(latest) = w.latest_end {
                prop_assert!(w.earliest_end <= latest);
                // Never beyond the province's 5 years.
                prop_assert!(latest <= add_months(decision_date, 60));
            }
        }
    }
}

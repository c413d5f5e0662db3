//! The credit check (应查必查; DOMAIN.md §3, 54号 clause 十): given what is on
//! record about a subject — list memberships, personal-liability hits on a
//! person as the legal representative (or principal, actual controller) of a
//! listed organisation, and bans — which measures apply in the scenario at
//! hand, and what that means in one line.
//!
//! [`decide`] is pure and is the hot path of `POST /api/v1/checks`: it
//! borrows the records and the rules and allocates only the vectors of the
//! answer (none when a subject is clean) and the summary line.

use std::borrow::Cow;
use std::fmt::Write as _;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::lists::BanScope;
use crate::lists::sanction::{ListKind, Measure, MeasureKind, SanctionRules, SubjectKind};
use crate::subjects::RelationRole;

/// A decided listing of the subject (from `listing_decided`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    pub listing_id: String,
    pub list_code: String,
    /// The deciding department's code.
    pub department: String,
    pub decision_no: String,
    pub valid_from: NaiveDate,
    /// Last day in force; `None` = until an exit decision.
    pub valid_until: Option<NaiveDate>,
    /// Measure codes decided with the listing; empty = the list's measures.
    pub measures: Vec<String>,
}

impl Membership {
    pub fn in_force(&self, today: NaiveDate) -> bool {
        self.valid_from <= today && self.valid_until.is_none_or(|u| today <= u)
    }
}

/// A person is a liable person (十二) of a listed organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiabilityHit {
    pub listing_id: String,
    pub list_code: String,
    pub role: RelationRole,
    pub uscc: String,
    pub organisation_name: String,
    pub valid_until: Option<NaiveDate>,
}

impl LiabilityHit {
    pub fn in_force(&self, today: NaiveDate) -> bool {
        self.valid_until.is_none_or(|u| today <= u)
    }
}

/// A market or industry ban (十一) on the subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BanHit {
    pub ban_id: String,
    pub scope: BanScope,
    pub field: String,
    pub department: String,
    pub decision_no: String,
    pub starts_on: NaiveDate,
    /// Last day in force; `None` = for life.
    pub ends_on: Option<NaiveDate>,
}

impl BanHit {
    pub fn in_force(&self, today: NaiveDate) -> bool {
        self.starts_on <= today && self.ends_on.is_none_or(|end| today <= end)
    }
}

/// What a check tells the caller to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// A mandatory (应当) measure applies, or a ban in force blocks an
    /// access-type scenario: the caller must restrict.
    Restrict,
    /// Discretionary (可以) measures, a key-attention or serious listing
    /// without a measure in this scenario, or a ban / liability elsewhere.
    Caution,
    /// Only incentive measures apply (red list).
    Incentive,
    /// Nothing on record applies.
    Clear,
    /// The exact name or USCC is not known to the platform.
    NotFound,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Restrict => "restrict",
            Decision::Caution => "caution",
            Decision::Incentive => "incentive",
            Decision::Clear => "clear",
            Decision::NotFound => "not_found",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Decision::Restrict => "依法限制",
            Decision::Caution => "审慎核查",
            Decision::Incentive => "可予激励",
            Decision::Clear => "未见限制",
            Decision::NotFound => "未找到主体",
        }
    }

    pub fn parse(raw: &str) -> Option<Decision> {
        [Decision::Restrict, Decision::Caution, Decision::Incentive, Decision::Clear, Decision::NotFound]
            .into_iter()
            .find(|d| d.as_str() == raw)
    }
}

/// Scenarios in which a market ban (市场禁入) in force is a restriction, not a
/// caution: the subject asks to enter a market, obtain an approval, hold a
/// post or win a public contract (十一). An industry ban (行业禁入) restricts
/// only its own industry, which a check does not name: it is a caution that
/// names the industry, so the caller verifies whether the matter falls in
/// it (a ban in advertising does not bar a construction tender).
pub const BAN_RESTRICTED_SCENARIOS: [&str; 5] = ["market_access", "approval", "appointment", "bidding", "procurement"];

/// The answer of [`decide`], borrowing the rules (`'r`) and the records (`'a`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckOutcome<'r, 'a> {
    pub decision: Decision,
    /// Memberships in force today.
    pub memberships: Vec<&'a Membership>,
    /// Mandatory punishment measures that apply in the scenario (deduplicated).
    pub must: Vec<&'r Measure>,
    /// Discretionary punishment measures that apply in the scenario.
    pub may: Vec<&'r Measure>,
    /// Incentive measures (red list) that apply in the scenario.
    pub incentives: Vec<&'r Measure>,
    /// Bans in force today.
    pub bans: Vec<&'a BanHit>,
    /// Liability hits in force today (person checks only).
    pub liabilities: Vec<&'a LiabilityHit>,
    /// One line in Chinese for the case file.
    pub summary: Cow<'static, str>,
}

fn push_unique<'r>(into: &mut Vec<&'r Measure>, m: &'r Measure) {
    if !into.iter().any(|x| x.code == m.code) {
        into.push(m);
    }
}

fn sort_measure<'r>(out: &mut CheckOutcome<'r, '_>, m: &'r Measure) {
    match (m.kind, m.mandatory) {
        (MeasureKind::Incentive, _) => push_unique(&mut out.incentives, m),
        (MeasureKind::Punishment, true) => push_unique(&mut out.must, m),
        (MeasureKind::Punishment, false) => push_unique(&mut out.may, m),
    }
}

/// Which measures apply to a subject with these records in `scenario` (and
/// approval `item`) on `today`, and the decision.
#[expect(clippy::too_many_arguments, reason = "the check's inputs; a struct would only rename them")]
pub fn decide<'r, 'a>(
    rules: &'r SanctionRules,
    subject_kind: SubjectKind,
    memberships: &'a [Membership],
    liabilities: &'a [LiabilityHit],
    bans: &'a [BanHit],
    scenario: &str,
    item: Option<&str>,
    today: NaiveDate,
) -> CheckOutcome<'r, 'a> {
    let mut out = CheckOutcome {
        decision: Decision::Clear,
        memberships: Vec::new(),
        must: Vec::new(),
        may: Vec::new(),
        incentives: Vec::new(),
        bans: Vec::new(),
        liabilities: Vec::new(),
        summary: Cow::Borrowed(""),
    };
    let mut cautious = false;
    for m in memberships.iter().filter(|m| m.in_force(today)) {
        out.memberships.push(m);
        let list = rules.list(&m.list_code);
        match list.map(|l| l.kind) {
            Some(ListKind::Red) => {}
            // A serious or key-attention listing is worth a second look even
            // when none of its measures applies here; so is a list type the
            // rules no longer know.
            Some(ListKind::Serious | ListKind::KeyAttention) | None => cautious = true,
        }
        let codes: &[String] = match (m.measures.is_empty(), list) {
            (false, _) => &m.measures,
            (true, Some(l)) => &l.measures,
            (true, None) => &[],
        };
        for code in codes {
            if let Some(measure) = rules.measure(code).filter(|x| x.applies_in(scenario, item)) {
                sort_measure(&mut out, measure);
            }
        }
    }
    if subject_kind == SubjectKind::NaturalPerson {
        for hit in liabilities.iter().filter(|h| h.in_force(today)) {
            out.liabilities.push(hit);
            cautious = true;
            let Some(list) = rules.list(&hit.list_code) else { continue };
            for code in &list.measures {
                if let Some(measure) = rules.measure(code).filter(|x| x.personal && x.applies_in(scenario, item)) {
                    sort_measure(&mut out, measure);
                }
            }
        }
    }
    out.bans.extend(bans.iter().filter(|b| b.in_force(today)));
    let ban_restricts =
        BAN_RESTRICTED_SCENARIOS.contains(&scenario) && out.bans.iter().any(|b| b.scope == BanScope::Market);
    let industry_bans = out.bans.iter().any(|b| b.scope == BanScope::Industry);
    cautious |= !out.bans.is_empty();

    out.decision = if !out.must.is_empty() || ban_restricts {
        Decision::Restrict
    } else if !out.may.is_empty() || cautious {
        Decision::Caution
    } else if !out.incentives.is_empty() {
        Decision::Incentive
    } else {
        Decision::Clear
    };
    out.summary = summary(rules, &out, ban_restricts, industry_bans && BAN_RESTRICTED_SCENARIOS.contains(&scenario));
    out
}

fn list_name<'r>(rules: &'r SanctionRules, code: &'r str) -> &'r str {
    rules.list(code).map_or(code, |l| l.name.as_str())
}

fn measure_names(s: &mut String, ms: &[&Measure]) {
    for (i, m) in ms.iter().enumerate() {
        if i > 0 {
            s.push('、');
        }
        s.push_str(&m.name);
    }
}

/// "列入市场监督管理严重违法失信名单(济市监信〔2026〕1号)，本场景应当采取 2 项惩戒措施：…".
fn summary(
    rules: &SanctionRules,
    out: &CheckOutcome<'_, '_>,
    ban_restricts: bool,
    industry_ban_here: bool,
) -> Cow<'static, str> {
    if out.memberships.is_empty() && out.liabilities.is_empty() && out.bans.is_empty() {
        return Cow::Borrowed("未发现在本场景须核查的失信惩戒、禁入或激励信息");
    }
    let mut s = String::with_capacity(256);
    let mut facts = 0;
    let mut fact = |s: &mut String| {
        if facts > 0 {
            s.push('；');
        }
        facts += 1;
    };
    for m in &out.memberships {
        fact(&mut s);
        let _ = write!(s, "列入{}({})", list_name(rules, &m.list_code), m.decision_no);
    }
    for h in &out.liabilities {
        fact(&mut s);
        let _ = write!(
            s,
            "系{}({})的{}，该单位列入{}",
            h.organisation_name,
            h.uscc,
            h.role.name_zh(),
            list_name(rules, &h.list_code)
        );
    }
    for b in &out.bans {
        fact(&mut s);
        let _ = write!(s, "{}：{}({}", b.scope.name_zh(), b.field, b.decision_no);
        match b.ends_on {
            Some(end) => {
                let _ = write!(s, "，至 {end})");
            }
            None => s.push_str("，终身)"),
        }
    }
    let clause = |s: &mut String, verb: &str, kind: &str, ms: &[&Measure]| {
        if !ms.is_empty() {
            let _ = write!(s, "，本场景{verb} {} 项{kind}措施：", ms.len());
            measure_names(s, ms);
        }
    };
    clause(&mut s, "应当采取", "惩戒", &out.must);
    clause(&mut s, "可以采取", "惩戒", &out.may);
    clause(&mut s, "可给予", "激励", &out.incentives);
    if ban_restricts {
        s.push_str("，禁入期内本场景依法不予准入");
    }
    if industry_ban_here && !ban_restricts {
        s.push_str("，行业禁入只限于所列行业：本事项属于该行业的，依法不予准入");
    }
    if out.must.is_empty() && out.may.is_empty() && out.incentives.is_empty() && !ban_restricts {
        s.push_str("，本场景无适用措施，请审慎核查");
    }
    Cow::Owned(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn member(list: &str, from: &str, until: Option<&str>) -> Membership {
        Membership {
            listing_id: format!("LS-{list}"),
            list_code: list.to_owned(),
            department: "scjgj".to_owned(),
            decision_no: "济市监信〔2026〕1号".to_owned(),
            valid_from: d(from),
            valid_until: until.map(d),
            measures: Vec::new(),
        }
    }

    fn liability(list: &str) -> LiabilityHit {
        LiabilityHit {
            listing_id: "LS-1".to_owned(),
            list_code: list.to_owned(),
            role: RelationRole::LegalRepresentative,
            uscc: "91370100MA3C000000".to_owned(),
            organisation_name: "济南泉润商贸有限公司".to_owned(),
            valid_until: Some(d("2029-01-09")),
        }
    }

    fn ban(ends: Option<&str>) -> BanHit {
        BanHit {
            ban_id: "BN-1".to_owned(),
            scope: BanScope::Market,
            field: "食品生产经营".to_owned(),
            department: "scjgj".to_owned(),
            decision_no: "济市监禁〔2026〕2号".to_owned(),
            starts_on: d("2026-01-01"),
            ends_on: ends.map(d),
        }
    }

    fn codes(ms: &[&Measure]) -> Vec<String> {
        ms.iter().map(|m| m.code.clone()).collect()
    }

    struct Case {
        name: &'static str,
        kind: SubjectKind,
        memberships: Vec<Membership>,
        liabilities: Vec<LiabilityHit>,
        bans: Vec<BanHit>,
        scenario: &'static str,
        today: &'static str,
        decision: Decision,
        must: &'static [&'static str],
        may: &'static [&'static str],
        incentives: &'static [&'static str],
    }

    #[test]
    #[expect(clippy::too_many_lines, reason = "the decision table, one case per row")]
    fn decisions_by_table() {
        let legal = SubjectKind::LegalPerson;
        let person = SubjectKind::NaturalPerson;
        let serious = || vec![member("samr-serious", "2026-01-10", Some("2029-01-09"))];
        let cases = vec![
            Case {
                name: "serious list, bidding: mandatory CJ-ZTB",
                kind: legal,
                memberships: serious(),
                liabilities: vec![],
                bans: vec![],
                scenario: "bidding",
                today: "2026-11-26",
                decision: Decision::Restrict,
                must: &["CJ-ZTB"],
                may: &[],
                incentives: &[],
            },
            Case {
                name: "serious list after valid_until: nothing",
                kind: legal,
                memberships: serious(),
                liabilities: vec![],
                bans: vec![],
                scenario: "bidding",
                today: "2029-01-10",
                decision: Decision::Clear,
                must: &[],
                may: &[],
                incentives: &[],
            },
            Case {
                name: "not yet in force",
                kind: legal,
                memberships: vec![member("samr-serious", "2027-01-01", None)],
                liabilities: vec![],
                bans: vec![],
                scenario: "bidding",
                today: "2026-11-26",
                decision: Decision::Clear,
                must: &[],
                may: &[],
                incentives: &[],
            },
            Case {
                name: "key attention, approval: discretionary stricter review",
                kind: legal,
                memberships: vec![member("key-attention", "2026-06-01", Some("2027-05-31"))],
                liabilities: vec![],
                bans: vec![],
                scenario: "approval",
                today: "2026-11-26",
                decision: Decision::Caution,
                must: &[],
                may: &["CJ-SCZR"],
                incentives: &[],
            },
            Case {
                name: "key attention, a scenario without measures: still caution",
                kind: legal,
                memberships: vec![member("key-attention", "2026-06-01", Some("2027-05-31"))],
                liabilities: vec![],
                bans: vec![],
                scenario: "tax_incentive",
                today: "2026-11-26",
                decision: Decision::Caution,
                must: &[],
                may: &[],
                incentives: &[],
            },
            Case {
                name: "red list, approval: incentive",
                kind: legal,
                memberships: vec![member("red-list", "2026-01-01", Some("2027-12-31"))],
                liabilities: vec![],
                bans: vec![],
                scenario: "approval",
                today: "2026-11-26",
                decision: Decision::Incentive,
                must: &[],
                may: &[],
                incentives: &["JL-RQSL", "JL-LSTD"],
            },
            Case {
                name: "two serious lists share a measure: listed once",
                kind: legal,
                memberships: vec![member("samr-serious", "2026-01-10", None), member("tax-major", "2026-02-10", None)],
                liabilities: vec![],
                bans: vec![],
                scenario: "bidding",
                today: "2026-11-26",
                decision: Decision::Restrict,
                must: &["CJ-ZTB"],
                may: &[],
                incentives: &[],
            },
            Case {
                name: "ban in force, market access: restrict",
                kind: legal,
                memberships: vec![],
                liabilities: vec![],
                bans: vec![ban(Some("2030-12-31"))],
                scenario: "market_access",
                today: "2026-11-26",
                decision: Decision::Restrict,
                must: &[],
                may: &[],
                incentives: &[],
            },
            Case {
                name: "industry ban in force, bidding: caution, not restrict",
                kind: legal,
                memberships: vec![],
                liabilities: vec![],
                bans: vec![BanHit { scope: BanScope::Industry, field: "广告经营".to_owned(), ..ban(None) }],
                scenario: "bidding",
                today: "2026-11-26",
                decision: Decision::Caution,
                must: &[],
                may: &[],
                incentives: &[],
            },
            Case {
                name: "ban in force, financing: caution",
                kind: legal,
                memberships: vec![],
                liabilities: vec![],
                bans: vec![ban(None)],
                scenario: "financing",
                today: "2026-11-26",
                decision: Decision::Caution,
                must: &[],
                may: &[],
                incentives: &[],
            },
            Case {
                name: "ban ended: clear",
                kind: legal,
                memberships: vec![],
                liabilities: vec![],
                bans: vec![ban(Some("2026-06-30"))],
                scenario: "market_access",
                today: "2026-11-26",
                decision: Decision::Clear,
                must: &[],
                may: &[],
                incentives: &[],
            },
            Case {
                name: "liable person, honours: the personal measure",
                kind: person,
                memberships: vec![],
                liabilities: vec![liability("samr-serious")],
                bans: vec![],
                scenario: "honours",
                today: "2026-11-26",
                decision: Decision::Restrict,
                must: &["CJ-PYPX"],
                may: &[],
                incentives: &[],
            },
            Case {
                name: "liable person, bidding: no personal measure, caution",
                kind: person,
                memberships: vec![],
                liabilities: vec![liability("samr-serious")],
                bans: vec![],
                scenario: "bidding",
                today: "2026-11-26",
                decision: Decision::Caution,
                must: &[],
                may: &[],
                incentives: &[],
            },
            Case {
                name: "liabilities count only for a person check",
                kind: legal,
                memberships: vec![],
                liabilities: vec![liability("samr-serious")],
                bans: vec![],
                scenario: "honours",
                today: "2026-11-26",
                decision: Decision::Clear,
                must: &[],
                may: &[],
                incentives: &[],
            },
            Case {
                name: "nothing on record",
                kind: legal,
                memberships: vec![],
                liabilities: vec![],
                bans: vec![],
                scenario: "bidding",
                today: "2026-11-26",
                decision: Decision::Clear,
                must: &[],
                may: &[],
                incentives: &[],
            },
        ];
        let rules = SanctionRules::shipped();
        for c in &cases {
            let out = decide(rules, c.kind, &c.memberships, &c.liabilities, &c.bans, c.scenario, None, d(c.today));
            assert_eq!(out.decision, c.decision, "{}: {}", c.name, out.summary);
            assert_eq!(codes(&out.must), c.must, "{}", c.name);
            assert_eq!(codes(&out.may), c.may, "{}", c.name);
            assert_eq!(codes(&out.incentives), c.incentives, "{}", c.name);
            assert!(!out.summary.is_empty(), "{}", c.name);
        }
    }

    #[test]
    fn the_summary_names_the_list_the_decision_and_the_measures() {
        let rules = SanctionRules::shipped();
        let ms = [member("samr-serious", "2026-01-10", Some("2029-01-09"))];
        let out = decide(rules, SubjectKind::LegalPerson, &ms, &[], &[], "bidding", None, d("2026-11-26"));
        assert_eq!(
            out.summary,
            "列入市场监督管理严重违法失信名单(济市监信〔2026〕1号)，本场景应当采取 1 项惩戒措施：依法限制参与招标投标活动"
        );
        let clean = decide(rules, SubjectKind::LegalPerson, &[], &[], &[], "bidding", None, d("2026-11-26"));
        assert!(matches!(clean.summary, Cow::Borrowed(_)), "a clean answer allocates no summary");
    }

    #[test]
    fn decided_measures_win_over_the_lists_current_ones() {
        let rules = SanctionRules::shipped();
        let mut m = member("samr-serious", "2026-01-10", None);
        m.measures = vec!["CJ-ZFCG".to_owned()];
        let ms = [m];
        let out = decide(rules, SubjectKind::LegalPerson, &ms, &[], &[], "bidding", None, d("2026-11-26"));
        assert!(out.must.is_empty());
        assert_eq!(out.decision, Decision::Caution);
    }

    #[test]
    fn decisions_round_trip() {
        for dec in [Decision::Restrict, Decision::Caution, Decision::Incentive, Decision::Clear, Decision::NotFound] {
            assert_eq!(Decision::parse(dec.as_str()), Some(dec));
        }
    }
}

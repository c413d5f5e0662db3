//! Lists for the demo city: which subjects the departments propose to list,
//! how far each case has gone (notice, objection, decision, exit), bans,
//! interviews, and how the executing departments answered the pushed
//! measures. Pure and deterministic for a seed and an "as of" date; the demo
//! command plays the plan through the same use cases the console calls.

use chrono::{Datelike, Duration, NaiveDate};
use rand::SeedableRng as _;
use rand_chacha::ChaCha20Rng;
use xinyong_domain::event::EventBody;
use xinyong_domain::subjects::SubjectsEvent;

use crate::trades::{MARKET, Trade, trade_of};

use crate::city::Draw;
use xinyong_domain::lists::{BanScope, ExitReason, InterviewKind, ObjectionOutcome};

/// An objection in a demo case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoObjection {
    pub filed_on: NaiveDate,
    pub grounds: String,
    /// `None`: still under review.
    pub answer: Option<(NaiveDate, ObjectionOutcome, String)>,
}

/// One demo case, as far as it has gone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoCase {
    pub list_code: &'static str,
    pub department: &'static str,
    /// USCC, or the ID number of a natural person.
    pub subject: String,
    pub reason: String,
    pub facts: String,
    pub legal_basis: String,
    pub proposed_on: NaiveDate,
    pub notice_on: Option<NaiveDate>,
    pub objection: Option<DemoObjection>,
    pub decision: Option<(NaiveDate, String)>,
    pub exit: Option<(NaiveDate, ExitReason, Option<String>)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoBan {
    pub department: &'static str,
    pub subject: String,
    pub scope: BanScope,
    pub field: &'static str,
    pub description: &'static str,
    pub basis: &'static str,
    pub decision_no: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoInterview {
    pub department: &'static str,
    pub uscc: String,
    pub kind: InterviewKind,
    pub held_on: NaiveDate,
    pub interviewees: String,
    pub interviewers: &'static str,
    pub outcome: &'static str,
    pub rectify_by: Option<NaiveDate>,
}

/// The whole plan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoListings {
    pub cases: Vec<DemoCase>,
    pub bans: Vec<DemoBan>,
    pub interviews: Vec<DemoInterview>,
    /// Per pushed measure: acknowledge with this chance (percent) …
    pub acknowledge_percent: u64,
    /// … and feed back execution with this chance (percent of acknowledged).
    pub feedback_percent: u64,
}

/// (list, department, reason, facts, basis of the finding, the trades it
/// concerns)
type CaseSource = (&'static str, &'static str, &'static str, &'static str, &'static str, &'static [Trade]);

const SERIOUS: &[CaseSource] = &[
    (
        "samr-serious",
        "scjgj",
        "生产销售不符合食品安全标准的食品，被处以较重行政处罚",
        "当事人生产的食品经抽检菌落总数严重超标，且在责令召回后继续销售，社会影响恶劣。",
        "济南市市场监督管理局行政处罚决定书(济市监处罚〔{y}〕{n}号)",
        &[Trade::Food],
    ),
    (
        "samr-serious",
        "lcq-scjgj",
        "提交虚假材料取得公司登记，被撤销登记",
        "当事人以伪造的股东签字和住所证明办理设立登记，情节严重。",
        "济南市历城区市场监督管理局撤销登记决定书(历城市监撤〔{y}〕{n}号)",
        MARKET,
    ),
    (
        "tax-major",
        "swj",
        "虚开增值税专用发票",
        "当事人在无真实交易的情况下为他人虚开增值税专用发票，价税合计数额较大。",
        "国家税务总局济南市税务局税务行政处罚决定书(济税稽罚〔{y}〕{n}号)",
        MARKET,
    ),
    (
        "construction-serious",
        "zjj",
        "拖欠农民工工资，被认定为拒不支付劳动报酬",
        "当事人承建项目拖欠农民工工资，经责令限期支付仍拒不支付。",
        "济南市住房和城乡建设局认定书(济建认〔{y}〕{n}号)",
        &[Trade::Construction],
    ),
    (
        "environment-serious",
        "sthjj",
        "通过暗管逃避监管排放水污染物",
        "当事人私设暗管将未经处理的生产废水直接排入市政管网，拒不改正。",
        "济南市生态环境局行政处罚决定书(济环罚〔{y}〕{n}号)",
        &[Trade::Industry],
    ),
    (
        "work-safety-serious",
        "yjglj",
        "发生生产安全事故并负有责任",
        "当事人未落实安全生产责任制，发生一起死亡 1 人的生产安全事故。",
        "济南市应急管理局行政处罚决定书(济应急罚〔{y}〕{n}号)",
        &[Trade::Industry, Trade::Construction, Trade::Transport],
    ),
    (
        "court-dishonest",
        "zjfy",
        "有履行能力而拒不履行生效法律文书确定的义务",
        "被执行人有可供执行的财产，拒不履行(〔{y}〕鲁01执{n}号)判决确定的给付义务。",
        "济南市中级人民法院(〔{y}〕鲁01执{n}号)执行裁定书",
        MARKET,
    ),
];

const KEY_ATTENTION: CaseSource = (
    "key-attention",
    "scjgj",
    "一年内因同一违法行为两次受到行政处罚",
    "当事人一年内两次因销售过期食品被处以警告和罚款。",
    "济南市市场监督管理局行政处罚决定书(济市监处罚〔{y}〕{n}号)",
    &[Trade::Food],
);

const RED: CaseSource = (
    "red-list",
    "fgw",
    "公共信用综合评价为 A 级，近三年无失信记录，获市级诚信示范企业表彰",
    "当事人连续三年公共信用综合评价为 A 级，获评济南市诚信示范企业。",
    "济南市社会信用体系建设工作领导小组办公室表彰通报(济信用办〔{y}〕{n}号)",
    MARKET,
);

fn fill(template: &str, year: i32, n: usize) -> String {
    template.replace("{y}", &year.to_string()).replace("{n}", &n.to_string())
}

/// A demo subject as a case needs it.
struct CaseSubject {
    uscc: String,
    /// The legal representative's ID number and name.
    rep_id: String,
    rep_name: String,
    trade: Trade,
}

/// The demo subjects with a legal representative, in generation order.
fn subjects(bodies: &[EventBody]) -> Vec<CaseSubject> {
    bodies
        .iter()
        .filter_map(|b| match b {
            EventBody::Subjects(SubjectsEvent::LegalPersonRegistered { subject, people }) => {
                people.first().map(|p| CaseSubject {
                    uscc: subject.uscc.as_str().to_owned(),
                    rep_id: p.person.id_number.as_str().to_owned(),
                    rep_name: p.person.name.as_str().to_owned(),
                    trade: trade_of(subject.name.as_str()),
                })
            }
            _ => None,
        })
        .collect()
}

/// Most demo cases for any city size: enough for every page, quick to play.
const MAX_CASES: usize = 1_500;

/// The plan for `bodies` (the demo subjects) as of `today`.
///
/// Decisions come after the objection window (`window` working days after the
/// notice on `calendar`), as the listing rules require.
pub fn demo_listings(
    seed: u64,
    bodies: &[EventBody],
    today: NaiveDate,
    calendar: &xinyong_domain::Calendar,
    window: u32,
) -> DemoListings {
    let mut draw = Draw::from_rng(ChaCha20Rng::seed_from_u64(seed ^ 0x6c69_7374));
    let subjects = subjects(bodies);
    if subjects.len() < 20 {
        return DemoListings::default();
    }
    // About 1.5 % of subjects have a case; distinct subjects, spread evenly.
    let wanted = (subjects.len() * 15 / 1000).clamp(20, MAX_CASES);
    let stride = subjects.len() / wanted;
    let mut plan = DemoListings { acknowledge_percent: 85, feedback_percent: 70, ..DemoListings::default() };
    let when = When { today, calendar, window };
    for n in 0..wanted {
        let i = n * stride + draw.below(stride as u64) as usize;
        // Schools, care homes and associations are on no market list: the
        // next subject in the stride (or after) is taken instead.
        let Some(subject) = subjects[i..].iter().find(|s| s.trade != Trade::PublicService) else { continue };
        plan_case(&mut draw, n, subject, &when, &mut plan);
    }
    plan
}

/// What a plan is dated against: today, and the objection window on the
/// official calendar.
struct When<'a> {
    today: NaiveDate,
    calendar: &'a xinyong_domain::Calendar,
    window: u32,
}

/// One case (the `n`th) of the subject `(uscc, legal representative's ID
/// number, name)`, as far as its procedure has got by today. The draws come
/// in a fixed order: the same seed always gives the same plan.
fn plan_case(draw: &mut Draw, n: usize, subject: &CaseSubject, when: &When<'_>, plan: &mut DemoListings) {
    let CaseSubject { uscc, rep_id, rep_name, trade } = subject;
    let today = when.today;
    let roll = draw.below(100);
    // The lists its trade can be on: no kindergarten on the environmental
    // list, no software house listed for unsafe food.
    let serious: Vec<CaseSource> = SERIOUS.iter().filter(|s| s.5.contains(trade)).copied().collect();
    let source = match roll {
        55..=79 if KEY_ATTENTION.5.contains(trade) => KEY_ATTENTION,
        80.. => RED,
        _ => serious[draw.below(serious.len() as u64) as usize],
    };
    let (list_code, department, reason, facts, basis, _) = source;
    // Court cases against individual businesses list the operator
    // personally (a natural person) — never shown on the portal.
    let natural = list_code == "court-dishonest" && uscc.starts_with("92") && draw.chance(50);
    let subject = if natural { rep_id.clone() } else { uscc.clone() };
    // Proposed between 30 months and 3 days ago; one case in six is recent
    // enough to still be in the procedure.
    let age = if draw.chance(16) { 3 + draw.below(17) } else { 20 + draw.below(880) } as i64;
    let proposed_on = today - Duration::days(age);
    let year = proposed_on.year();
    let mut case = DemoCase {
        list_code,
        department,
        subject,
        reason: reason.to_owned(),
        facts: fill(facts, year, 100 + n),
        legal_basis: fill(basis, year, 100 + n),
        proposed_on,
        notice_on: None,
        objection: None,
        decision: None,
        exit: None,
    };
    let red = list_code == "red-list";
    let notice_on = proposed_on + Duration::days(1);
    // A few of the newest proposals are still waiting for their notice.
    let awaiting_notice = age < 10 && draw.chance(50);
    if !red && !awaiting_notice {
        case.notice_on = Some(notice_on);
    }
    // Recent cases are still in the procedure; older ones were decided.
    let window_end = xinyong_core::lists::listing::working_days_after(when.calendar, notice_on, when.window);
    let decided_on = if red { proposed_on + Duration::days(2) } else { window_end + Duration::days(3) };
    if !red && age < 20 {
        if case.notice_on.is_some() && age >= 6 && draw.chance(40) {
            case.objection = Some(DemoObjection {
                filed_on: notice_on + Duration::days(2),
                grounds: format!("{rep_name}代表当事人提出：相关违法行为已于处罚后整改完毕，申请不予列入。"),
                answer: None,
            });
        }
        plan.cases.push(case);
        return;
    }
    if decided_on >= today {
        plan.cases.push(case);
        return;
    }
    if !red && draw.chance(12) {
        let accepted = objection_answered(draw, &mut case, notice_on);
        if accepted {
            plan.cases.push(case);
            return;
        }
    }
    let decided_on = if case.objection.is_some() { decided_on + Duration::days(7) } else { decided_on };
    if decided_on < today {
        let listed = Listed { n, department, list_code, uscc, rep_name, natural, decided_on };
        after_decision(draw, &mut case, &listed, today, plan);
    }
    plan.cases.push(case);
}

/// An objection filed after the notice and answered; whether it was upheld.
fn objection_answered(draw: &mut Draw, case: &mut DemoCase, notice_on: NaiveDate) -> bool {
    let filed_on = notice_on + Duration::days(2);
    let accepted = draw.chance(30);
    let answered_on = filed_on + Duration::days(5);
    case.objection = Some(DemoObjection {
        filed_on,
        grounds: "当事人认为认定事实不清，处罚决定正在行政复议中。".to_owned(),
        answer: Some(if accepted {
            (answered_on, ObjectionOutcome::Accepted, "经核查，处罚决定已被复议机关撤销，不予列入。".to_owned())
        } else {
            (answered_on, ObjectionOutcome::Rejected, "经核查，处罚决定合法有效，维持拟列入。".to_owned())
        }),
    });
    accepted
}

/// A decided case and what its sanctions need to know.
struct Listed<'a> {
    n: usize,
    department: &'static str,
    list_code: &'static str,
    uscc: &'a str,
    rep_name: &'a str,
    natural: bool,
    decided_on: NaiveDate,
}

/// The decision, then what followed it: an early exit, a ban, an interview.
fn after_decision(draw: &mut Draw, case: &mut DemoCase, l: &Listed<'_>, today: NaiveDate, plan: &mut DemoListings) {
    let prefix = match l.department {
        "fgw" => "济信用办列",
        "swj" => "济税列",
        "zjj" => "济建列",
        "sthjj" => "济环列",
        "yjglj" => "济应急列",
        "zjfy" => "鲁01执失",
        _ => "济市监列",
    };
    let (n, decided_on) = (l.n, l.decided_on);
    case.decision = Some((decided_on, format!("{prefix}〔{}〕{}号", decided_on.year(), 1 + n)));
    // Some listings ended early: repaired after the minimum period, or
    // revoked as wrong; key-attention ones expire after a year.
    let listed_days = (today - decided_on).num_days();
    let three_year_list = !matches!(l.list_code, "court-dishonest" | "key-attention" | "red-list");
    if three_year_list && listed_days > 400 && draw.chance(25) {
        let on = decided_on + Duration::days(380 + draw.below((listed_days - 380).max(1) as u64) as i64);
        case.exit = Some((on, ExitReason::Repaired, Some(format!("{prefix}修〔{}〕{}号", on.year(), 1 + n))));
    } else if draw.chance(2) {
        // Revoked ten days after the decision, if those days have passed.
        let on = decided_on + Duration::days(10);
        if on < today {
            case.exit = Some((on, ExitReason::Revoked, Some(format!("{prefix}撤〔{}〕{}号", on.year(), 1 + n))));
        }
    }
    let serious = !matches!(l.list_code, "key-attention" | "red-list");
    if serious && !l.natural && draw.chance(20) {
        plan.bans.push(ban(draw, l, prefix));
    }
    if l.list_code != "red-list" && draw.chance(35) {
        let held_on = decided_on + Duration::days(10);
        if held_on < today {
            plan.interviews.push(DemoInterview {
                department: l.department,
                uscc: l.uscc.to_owned(),
                kind: if serious { InterviewKind::Warning } else { InterviewKind::Reminder },
                held_on,
                interviewees: format!("{}(法定代表人)", l.rep_name),
                interviewers: "信用监管科 两名执法人员",
                outcome: "告知失信后果和信用修复途径，当事人承诺限期整改。",
                rectify_by: Some(held_on + Duration::days(30)),
            });
        }
    }
}

/// A ban decided with a serious listing.
fn ban(draw: &mut Draw, l: &Listed<'_>, prefix: &str) -> DemoBan {
    let starts_on = l.decided_on;
    DemoBan {
        department: l.department,
        subject: l.uscc.to_owned(),
        scope: if draw.chance(50) { BanScope::Industry } else { BanScope::Market },
        field: match l.department {
            "zjj" => "建筑施工",
            "sthjj" => "危险废物经营",
            "yjglj" => "危险化学品生产经营",
            _ => "食品生产经营",
        },
        description: "禁止在禁入期限内从事相关生产经营活动",
        basis: "《中华人民共和国食品安全法》第一百三十五条;《山东省社会信用条例》第三十条",
        decision_no: format!("{prefix}禁〔{}〕{}号", starts_on.year(), 1 + l.n),
        starts_on,
        ends_on: if draw.chance(10) { None } else { Some(starts_on + Duration::days(5 * 365)) },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::city::DemoCity;

    /// Every planned exit has happened by the plan's day: the 1M-subject
    /// demo of seed 1 run on 2026-12-05 (China time) once planned the
    /// revocation of a listing decided on 2026-11-26 for 2026-12-06, and
    /// stopped.
    #[test]
    fn no_exit_is_planned_after_today() {
        let calendar = xinyong_domain::Calendar::official();
        let bodies: Vec<_> = DemoCity::new(1).take(200_000).collect();
        let today: NaiveDate = "2026-12-05".parse().unwrap();
        let plan = demo_listings(1, &bodies, today, &calendar, 5);
        for c in &plan.cases {
            if let Some((exit, _, _)) = &c.exit {
                assert!(*exit < today, "{c:?}");
            }
        }
    }

    #[test]
    fn the_plan_is_deterministic_and_covers_every_stage() {
        let bodies: Vec<_> = DemoCity::new(7).take(5_000).collect();
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let calendar = xinyong_domain::Calendar::official();
        let a = demo_listings(7, &bodies, today, &calendar, 5);
        assert_eq!(a, demo_listings(7, &bodies, today, &calendar, 5));
        assert!(a.cases.len() >= 70, "{}", a.cases.len());
        assert!(a.cases.iter().any(|c| c.decision.is_none() && c.notice_on.is_none()));
        assert!(a.cases.iter().any(|c| c.decision.is_none() && c.notice_on.is_some()));
        assert!(a.cases.iter().any(|c| c.objection.as_ref().is_some_and(|o| o.answer.is_none())));
        assert!(a.cases.iter().any(|c| c.exit.is_some()));
        assert!(a.cases.iter().any(|c| c.list_code == "red-list" && c.decision.is_some()));
        assert!(!a.bans.is_empty() && !a.interviews.is_empty());
        let trades: std::collections::HashMap<String, Trade> =
            subjects(&bodies).into_iter().map(|s| (s.uscc.clone(), s.trade)).collect();
        for c in &a.cases {
            // Natural persons (court cases against an operator) have no trade.
            let Some(trade) = trades.get(&c.subject) else { continue };
            assert_ne!(*trade, Trade::PublicService, "{c:?}");
            if c.list_code == "environment-serious" {
                assert_eq!(*trade, Trade::Industry, "{c:?}");
            }
        }
        for c in &a.cases {
            assert!(c.proposed_on < today);
            if let Some((d, _)) = &c.decision {
                assert!(*d < today && *d > c.proposed_on);
            }
            // An exit is a past act, after the decision (a revocation ten
            // days after a decision of last week would be in the future).
            if let (Some((exit, _, _)), Some((d, _))) = (&c.exit, &c.decision) {
                assert!(*exit < today && exit > d, "{c:?}");
            }
        }
    }
}

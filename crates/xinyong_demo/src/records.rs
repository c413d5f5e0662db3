//! Licences and penalties for the demo city, as the departments would upload
//! them: batches of rows in the 双公示 templates' field codes, decided between
//! 2019 and 2026 (so every publicity regime is exercised), received a few
//! working days later — sometimes too late — and one sample upload with a
//! few bad rows. The demo feeds them through `ingest_batch`, the same path as
//! real uploads. Pure and deterministic for a seed.

use chrono::{Datelike, Duration, NaiveDate};
use rand::SeedableRng as _;
use rand_chacha::ChaCha20Rng;
use xinyong_domain::Calendar;
use xinyong_domain::event::EventBody;
use xinyong_domain::subjects::SubjectsEvent;

use crate::city::Draw;
use crate::trades::{ANY, MARKET, Trade, trade_of};
use xinyong_core::collection::intake::InputTable;

/// One upload of the demo history.
#[derive(Debug, Clone)]
pub struct DemoBatch {
    pub department: String,
    pub item: String,
    pub received_date: NaiveDate,
    pub file_name: String,
    pub table: InputTable,
}

/// A subject of the demo city, as the generator needs it.
#[derive(Debug, Clone)]
struct Subject {
    uscc: String,
    name: String,
    rep: String,
    individual: bool,
}

fn subjects(bodies: &[EventBody]) -> Vec<Subject> {
    bodies
        .iter()
        .filter_map(|b| match b {
            EventBody::Subjects(SubjectsEvent::LegalPersonRegistered { subject, people }) => Some(Subject {
                uscc: subject.uscc.as_str().to_owned(),
                name: subject.name.as_str().to_owned(),
                rep: people.first().map(|p| p.person.name.as_str().to_owned()).unwrap_or_default(),
                individual: subject.uscc.as_str().starts_with("92"),
            }),
            _ => None,
        })
        .collect()
}

/// A licence kind: (certificate, content, document prefix, the trades that need it).
type LicenceKind = (&'static str, &'static str, &'static str, &'static [Trade]);

/// (department code, department USCC, authority name, licence kinds)
type LicenceSource = (&'static str, &'static str, &'static str, &'static [LicenceKind]);

/// Who issues which licences, to which trades.
const LICENCE_SOURCES: &[LicenceSource] = &[
    (
        "scjgj",
        "11370100MB2853A6XD",
        "济南市市场监督管理局",
        &[
            (
                "食品经营许可证",
                "预包装食品（含冷藏冷冻食品）销售；热食类食品制售",
                "济市监食许",
                &[Trade::Food, Trade::Lodging],
            ),
            ("工业产品生产许可证", "电线电缆生产", "济市监产许", &[Trade::Industry]),
        ],
    ),
    (
        "spj",
        "SPJ",
        "济南市行政审批服务局",
        &[
            ("营业执照", "设立登记", "济审批登", MARKET),
            ("建筑工程施工许可证", "房屋建筑工程施工", "济审批建", &[Trade::Construction]),
            ("道路运输经营许可证", "道路普通货物运输", "济审批交", &[Trade::Transport]),
        ],
    ),
    (
        "wjw",
        "WJW",
        "济南市卫生健康委员会",
        &[("公共场所卫生许可证", "住宿、沐浴场所卫生许可", "济卫许", &[Trade::Lodging])],
    ),
    ("sthjj", "STHJJ", "济南市生态环境局", &[("排污许可证", "重点管理排污单位排污许可", "济环许", &[Trade::Industry])]),
];

/// (department, department USCC, authority, violation, fact, basis, fine
/// range in 元, the trades it concerns)
type PenaltySource =
    (&'static str, &'static str, &'static str, &'static str, &'static str, &'static str, u64, u64, &'static [Trade]);

const PENALTY_SOURCES: &[PenaltySource] = &[
    (
        "scjgj",
        "11370100MB2853A6XD",
        "济南市市场监督管理局",
        "销售不合格商品",
        "当事人销售的产品经抽样检验不合格。",
        "《中华人民共和国产品质量法》第四十九条",
        5_000,
        200_000,
        &[Trade::Food, Trade::Retail, Trade::Industry],
    ),
    (
        "scjgj",
        "11370100MB2853A6XD",
        "济南市市场监督管理局",
        "虚假宣传",
        "当事人在经营场所和网店发布虚假的产品功效宣传。",
        "《中华人民共和国反不正当竞争法》第二十条",
        10_000,
        300_000,
        &[Trade::Food, Trade::Retail, Trade::Services, Trade::Industry, Trade::Lodging],
    ),
    (
        "sthjj",
        "STHJJ",
        "济南市生态环境局",
        "超标排放大气污染物",
        "当事人锅炉排放的氮氧化物浓度超过排放标准。",
        "《中华人民共和国大气污染防治法》第九十九条",
        100_000,
        1_000_000,
        &[Trade::Industry],
    ),
    (
        "yjglj",
        "YJGLJ",
        "济南市应急管理局",
        "未按规定开展安全生产培训",
        "当事人未对从业人员进行安全生产教育和培训。",
        "《中华人民共和国安全生产法》第九十七条",
        20_000,
        100_000,
        &[Trade::Industry, Trade::Construction, Trade::Transport],
    ),
    (
        "xfzd",
        "XFZD",
        "济南市消防救援支队",
        "消防设施未保持完好有效",
        "当事人消防设施、器材未保持完好有效。",
        "《中华人民共和国消防法》第六十条",
        5_000,
        50_000,
        ANY,
    ),
    (
        "zjj",
        "113701000041882744",
        "济南市住房和城乡建设局",
        "未取得施工许可擅自施工",
        "当事人未取得施工许可证擅自开工建设。",
        "《建筑工程施工许可管理办法》第十二条",
        50_000,
        500_000,
        &[Trade::Construction],
    ),
    (
        "swj",
        "SWJ",
        "国家税务总局济南市税务局",
        "未按期申报",
        "当事人未按照规定期限办理纳税申报。",
        "《中华人民共和国税收征收管理法》第六十二条",
        2_000,
        10_000,
        MARKET,
    ),
];

const CF_HEADERS: &[&str] = &[
    "CF_XDR_MC",
    "CF_XDR_LB",
    "CF_XDR_SHXYM",
    "CF_FRDB",
    "CF_XDR_ZJLX",
    "CF_XDR_ZJHM",
    "CF_WSH",
    "CF_WFXW",
    "CF_SY",
    "CF_YJ",
    "CF_CFLB",
    "CF_NR",
    "CF_NR_FK",
    "CF_JDRQ",
    "CF_YXQ",
    "CF_CFJG",
    "CF_CFJGDM",
    "CF_SJLY",
    "CF_SJLYDM",
    "CF_CXLX",
];

const XK_HEADERS: &[&str] = &[
    "XK_XDR_MC",
    "XK_XDR_LB",
    "XK_XDR_SHXYM",
    "XK_FRDB",
    "XK_XKWS",
    "XK_WSH",
    "XK_XKLB",
    "XK_XKZS",
    "XK_XKBH",
    "XK_NR",
    "XK_JDRQ",
    "XK_YXQZ",
    "XK_YXQZI",
    "XK_XKJG",
    "XK_XKJGDM",
    "XK_ZT",
    "XK_LYDW",
    "XK_LYDWDM",
];

/// A row with its decision date, before rows are grouped into uploads.
type DatedRow = (NaiveDate, Vec<String>);

/// The demo's first and last decision dates.
fn span() -> (NaiveDate, NaiveDate) {
    (NaiveDate::from_ymd_opt(2019, 7, 1).unwrap_or_default(), NaiveDate::from_ymd_opt(2026, 11, 20).unwrap_or_default())
}

fn wan_yuan(yuan: u64) -> String {
    let s = format!("{:.4}", yuan as f64 / 10_000.0);
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// Fake natural persons for the few penalties on individuals (never public).
fn person_id(draw: &mut Draw) -> String {
    let division = *draw.item(&["370102", "370103", "370104", "370105", "370112"]);
    let birth =
        NaiveDate::from_ymd_opt(1960 + draw.below(40) as i32, 1 + draw.below(12) as u32, 1 + draw.below(28) as u32)
            .unwrap_or_default();
    xinyong_domain::IdNumber::from_parts(division, birth, draw.below(1000) as u16)
        .map(|id| id.as_str().to_owned())
        .unwrap_or_default()
}

/// Department USCCs not written out above come from the shipped departments.
fn department_uscc(code: &str, given: &str, departments: &[(String, String)]) -> String {
    if given.len() == 18 {
        return given.to_owned();
    }
    departments.iter().find(|(c, _)| c == code).map(|(_, u)| u.clone()).unwrap_or_default()
}

/// The demo city's upload history for the subjects `bodies` registered.
/// `departments` = (code, USCC) of the shipped departments.
pub fn demo_batches(
    seed: u64,
    bodies: &[EventBody],
    departments: &[(String, String)],
    calendar: &Calendar,
) -> Vec<DemoBatch> {
    let mut draw = Draw::from_rng(ChaCha20Rng::seed_from_u64(seed ^ 0x5a5a_1234));
    let subjects = subjects(bodies);
    if subjects.is_empty() {
        return Vec::new();
    }
    let (first, last) = span();
    let days = (last - first).num_days().max(1) as u64;
    // (department, item) → rows with their decision dates. The draws come in
    // a fixed order (licences, penalties, then the uploads): one seed, one history.
    let mut rows: std::collections::BTreeMap<(String, String), Vec<DatedRow>> = Default::default();
    for n in 0..subjects.len() * 2 / 5 {
        let (dept, decided, row) = licence_row(&mut draw, n, &subjects, departments, first, days);
        rows.entry((dept.to_owned(), "XK".to_owned())).or_default().push((decided, row));
    }
    for n in 0..subjects.len() / 6 {
        let (dept, decided, row) = penalty_row(&mut draw, n, &subjects, departments, first, days);
        rows.entry((dept.to_owned(), "CF".to_owned())).or_default().push((decided, row));
    }
    let mut batches = uploads(&mut draw, rows, calendar, last);
    batches.sort_by(|a, b| a.received_date.cmp(&b.received_date).then(a.file_name.cmp(&b.file_name)));
    if let Some(sample) = batches.iter_mut().rev().find(|b| b.item == "CF" && !b.table.rows.is_empty()) {
        spoil_sample(sample);
    }
    batches
}

/// Every licence kind with its issuer, flattened once.
static LICENCE_KINDS: std::sync::LazyLock<Vec<(&str, &str, &str, LicenceKind)>> = std::sync::LazyLock::new(|| {
    LICENCE_SOURCES
        .iter()
        .flat_map(|(dept, uscc, authority, kinds)| kinds.iter().map(move |k| (*dept, *uscc, *authority, *k)))
        .collect()
});

/// Something with the trades it fits.
trait Fits {
    fn fits(&self, trade: Trade) -> bool;
}

impl Fits for (&str, &str, &str, LicenceKind) {
    fn fits(&self, trade: Trade) -> bool {
        self.3.3.contains(&trade)
    }
}

impl Fits for PenaltySource {
    fn fits(&self, trade: Trade) -> bool {
        self.8.contains(&trade)
    }
}

/// A random subject and a random one of `options` that fits its trade; a
/// subject nothing fits (a school among licences for factories) is passed
/// over for another. A city where 64 draws in a row find nothing that fits
/// gets the first option.
fn fitting<T: Fits + Copy>(draw: &mut Draw, subjects: &[Subject], options: &[T]) -> (Subject, T) {
    let mut s = draw.item(subjects).clone();
    for _ in 0..64 {
        let trade = trade_of(&s.name);
        let fit: Vec<T> = options.iter().filter(|o| o.fits(trade)).copied().collect();
        if !fit.is_empty() {
            return (s, *draw.item(&fit));
        }
        s = draw.item(subjects).clone();
    }
    (s, options[0])
}

/// The `n`th licence: (department, decision date, row in the XK template).
fn licence_row(
    draw: &mut Draw,
    n: usize,
    subjects: &[Subject],
    departments: &[(String, String)],
    first: NaiveDate,
    days: u64,
) -> (&'static str, NaiveDate, Vec<String>) {
    let (s, (dept, dept_uscc, authority, (cert, content, prefix, _))) =
        fitting(draw, subjects, LICENCE_KINDS.as_slice());
    let dept_uscc = department_uscc(dept, dept_uscc, departments);
    let decided = first + Duration::days(draw.below(days) as i64);
    let valid_to = decided + Duration::days(365 * 5 - 1);
    let row = vec![
        s.name.clone(),
        if s.individual { "个体工商户" } else { "法人及非法人组织" }.to_owned(),
        s.uscc.clone(),
        s.rep.clone(),
        format!("{cert}准予许可决定书"),
        format!("{prefix}〔{}〕{}号", decided.year(), 1000 + n),
        "普通".to_owned(),
        cert.to_owned(),
        format!("XK{}{:06}", decided.year(), n),
        content.to_owned(),
        decided.format("%Y-%m-%d").to_string(),
        decided.format("%Y-%m-%d").to_string(),
        valid_to.format("%Y-%m-%d").to_string(),
        authority.to_owned(),
        dept_uscc.clone(),
        "1".to_owned(),
        authority.to_owned(),
        dept_uscc,
    ];
    (dept, decided, row)
}

/// The `n`th penalty: (department, decision date, row in the CF template).
/// A few are on natural persons (never public), a few by simplified procedure.
fn penalty_row(
    draw: &mut Draw,
    n: usize,
    subjects: &[Subject],
    departments: &[(String, String)],
    first: NaiveDate,
    days: u64,
) -> (&'static str, NaiveDate, Vec<String>) {
    let (s, (dept, dept_uscc, authority, violation, fact, basis, low, high, _)) =
        fitting(draw, subjects, PENALTY_SOURCES);
    let dept_uscc = department_uscc(dept, dept_uscc, departments);
    let decided = first + Duration::days(draw.below(days) as i64);
    let natural = draw.chance(4);
    let simplified = !natural && draw.chance(6);
    let fine = (low + draw.below(high - low + 1)) / 100 * 100;
    let (category, content, fine_cell, procedure) = if simplified {
        ("警告", "警告".to_owned(), String::new(), "简易程序")
    } else {
        ("罚款", format!("罚款{}元", fine), wan_yuan(fine), "普通程序")
    };
    let (name, kind, uscc, rep, id_type, id) = if natural {
        let id = person_id(draw);
        let surname = s.rep.chars().next().map(String::from).unwrap_or_default();
        (format!("{surname}某某"), "自然人", String::new(), String::new(), "身份证", id)
    } else {
        let kind = if s.individual { "个体工商户" } else { "法人及非法人组织" };
        (s.name.clone(), kind, s.uscc.clone(), s.rep.clone(), "", String::new())
    };
    let short = authority.trim_start_matches("济南市").trim_start_matches("国家税务总局济南市");
    let short = short.chars().next().map(String::from).unwrap_or_default();
    let row = vec![
        name,
        kind.to_owned(),
        uscc,
        rep,
        id_type.to_owned(),
        id,
        format!("济{short}罚〔{}〕{}号", decided.year(), 100 + n),
        violation.to_owned(),
        fact.to_owned(),
        basis.to_owned(),
        category.to_owned(),
        content,
        fine_cell,
        decided.format("%Y-%m-%d").to_string(),
        (decided + Duration::days(365 * 3)).format("%Y-%m-%d").to_string(),
        authority.to_owned(),
        dept_uscc.clone(),
        authority.to_owned(),
        dept_uscc,
        procedure.to_owned(),
    ];
    (dept, decided, row)
}

/// Batches: weekly uploads in the last year, monthly ones before (the history
/// a department migrates when it joins). A batch is received a few working
/// days after its last decision; one in eight is late.
fn uploads(
    draw: &mut Draw,
    rows: std::collections::BTreeMap<(String, String), Vec<DatedRow>>,
    calendar: &Calendar,
    last: NaiveDate,
) -> Vec<DemoBatch> {
    let recent = last - Duration::days(365);
    let mut batches = Vec::new();
    for ((dept, item), mut list) in rows {
        list.sort_by_key(|(d, _)| *d);
        let mut groups: std::collections::BTreeMap<(i32, u32), Vec<DatedRow>> = Default::default();
        for (d, row) in list {
            let key = if d >= recent { (d.year(), 100 + d.iso_week().week()) } else { (d.year(), d.month()) };
            groups.entry(key).or_default().push((d, row));
        }
        for (_, group) in groups {
            let Some(latest) = group.iter().map(|(d, _)| *d).max() else { continue };
            let delay = if draw.chance(12) { 8 + draw.below(15) } else { 1 + draw.below(4) } as u32;
            let received = calendar.add_working_days(latest, delay).unwrap_or(latest).min(last + Duration::days(6));
            let headers = if item == "XK" { XK_HEADERS } else { CF_HEADERS };
            let table = InputTable {
                headers: headers.iter().map(|h| (*h).to_owned()).collect(),
                rows: group.into_iter().enumerate().map(|(i, (_, r))| (i as u64 + 2, r)).collect(),
            };
            batches.push(DemoBatch {
                file_name: format!("{dept}-{item}-{}.xlsx", received.format("%Y%m%d")),
                department: dept.clone(),
                item: item.clone(),
                received_date: received,
                table,
            });
        }
    }
    batches
}

/// A few typical clerk mistakes in one recent upload, so the demo shows
/// rejected rows and an error report.
fn spoil_sample(batch: &mut DemoBatch) {
    let col = |name: &str| batch.table.headers.iter().position(|h| h == name);
    let (Some(uscc), Some(fact), Some(date)) = (col("CF_XDR_SHXYM"), col("CF_SY"), col("CF_JDRQ")) else { return };
    let n = batch.table.rows.len();
    let template = batch.table.rows[n - 1].1.clone();
    let mut bad = Vec::new();
    let mut wrong_check = template.clone();
    if let Some(code) = wrong_check.get_mut(uscc) {
        let last = code.pop().unwrap_or('0');
        code.push(if last == '0' { '1' } else { '0' });
    }
    bad.push(wrong_check);
    let mut no_fact = template.clone();
    no_fact[fact] = String::new();
    bad.push(no_fact);
    let mut bad_date = template;
    bad_date[date] = "2026-02-30".to_owned();
    bad.push(bad_date);
    for (i, mut row) in bad.into_iter().enumerate() {
        // A distinct document number so the rows are not mere in-batch duplicates.
        if let Some(doc) = batch.table.headers.iter().position(|h| h == "CF_WSH") {
            row[doc] = format!("{}-补{}", row[doc], i + 1);
        }
        batch.table.rows.push(((n + i) as u64 + 2, row));
    }
    batch.file_name = format!("sample-with-errors-{}", batch.file_name);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::city::DemoCity;

    #[test]
    fn the_history_is_deterministic_spans_the_regimes_and_has_a_sample_with_errors() {
        let bodies: Vec<EventBody> = DemoCity::new(3).take(600).collect();
        let cal = Calendar::official();
        let a = demo_batches(3, &bodies, &[], &cal);
        let b = demo_batches(3, &bodies, &[], &cal);
        assert_eq!(a.len(), b.len());
        assert_eq!(a[0].table.rows, b[0].table.rows);
        let years: std::collections::BTreeSet<i32> = a.iter().map(|b| b.received_date.year()).collect();
        assert!(years.contains(&2019) && years.contains(&2026), "{years:?}");
        assert_eq!(a.iter().filter(|b| b.file_name.starts_with("sample-with-errors")).count(), 1);
        let rows: usize = a.iter().map(|b| b.table.rows.len()).sum();
        assert!(rows > 300, "{rows}");
        assert!(a.windows(2).all(|w| w[0].received_date <= w[1].received_date));
    }

    #[test]
    fn licences_and_penalties_fit_the_subjects_trade() {
        let bodies: Vec<EventBody> = DemoCity::new(5).take(3_000).collect();
        let batches = demo_batches(5, &bodies, &[], &Calendar::official());
        let (mut emission_permits, mut food_licences) = (0, 0);
        for batch in &batches {
            // XK_XKZS (the certificate) and CF_WFXW (the violation) are both
            // the eighth column of their templates.
            let kind_column = 7;
            for (_, row) in &batch.table.rows {
                // A natural person's penalty names 某某, not a business.
                if row[1] == "自然人" {
                    continue;
                }
                let (name, kind) = (&row[0], &row[kind_column]);
                let trade = trade_of(name);
                match kind.as_str() {
                    "排污许可证" | "超标排放大气污染物" => {
                        emission_permits += 1;
                        assert_eq!(trade, Trade::Industry, "{name}: {kind}");
                    }
                    "食品经营许可证" => {
                        food_licences += 1;
                        assert!(matches!(trade, Trade::Food | Trade::Lodging), "{name}: {kind}");
                    }
                    "建筑工程施工许可证" | "未取得施工许可擅自施工" => {
                        assert_eq!(trade, Trade::Construction, "{name}: {kind}");
                    }
                    _ => {}
                }
            }
        }
        assert!(emission_permits > 0 && food_licences > 0, "{emission_permits} {food_licences}");
    }
}

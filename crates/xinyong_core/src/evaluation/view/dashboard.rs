//! The evaluation dashboard (issue 17 item 6): how a model's grades spread
//! over the city's districts and industries, and how subjects moved between
//! grades over recent days.
//!
//! - **District** (区县) is the registering authority's division, positions
//!   3–8 of the USCC. A prefecture-level code means the city-level authority
//!   registered the subject (市级); codes the division table does not list
//!   are grouped under the nearest listed division.
//! - **Industry** (行业) is the regulatory sector (`sector` in
//!   `rules/departments.toml`, named in `rules/publicity.toml [sectors]`) of
//!   the departments that granted the subject a licence (a catalog `XK`
//!   record). Subjects carry no industry of their own and no record names
//!   one; a licence says which sector regulates what the subject does. A
//!   subject licensed in several sectors counts in each; licences that a
//!   cross-sector approval bureau grants count under its own sector
//!   (行政审批); subjects with no licence are counted apart.
//! - A **movement** is a grade given (a `grade_history` row) on a day in the
//!   window, from the subject's grade before it; a first grade comes from
//!   nowhere (新评价).

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use serde::Serialize;
use xinyong_domain::codes::division::{self, DivisionLevel};
use xinyong_domain::evaluation::{ModelName, ScorecardModel};
use xinyong_storage::evaluation::{GradeMovement, SectorGrades};

use crate::clock::china_date;
use crate::error::Result;
use crate::log::Core;

/// The window of movements when none is asked for.
pub const DEFAULT_DAYS: u32 = 90;
/// The longest window: two years of history is what a page may read.
pub const MAX_DAYS: u32 = 730;

/// What the dashboard is asked for: a model not in force falls back to the
/// local one, days are bounded to `1..=MAX_DAYS` ([`DEFAULT_DAYS`] when
/// not given).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DashboardQuery {
    pub model: Option<String>,
    pub days: Option<u32>,
}

/// A model the dashboard can show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModelChoice {
    pub name: String,
    pub title: String,
}

/// One grade of the model, as a column of the dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GradeHead {
    pub grade: String,
    /// 诚信守法, 轻微失信, …; empty for a grade the model no longer gives.
    pub category: String,
    /// A C or D grade (一般失信 and worse in the local model): the share
    /// the dashboard watches.
    pub risk: bool,
}

/// A district's or industry's subjects by grade.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupGrades {
    /// Division code, or sector code (`""`: a department without a sector).
    pub key: String,
    pub name: String,
    /// Subjects per grade, in the order of [`Dashboard::grades`].
    pub counts: Vec<u64>,
    pub total: u64,
    /// Subjects with a C or D grade.
    pub risk: u64,
    /// `risk / total`, 0 when there are none.
    pub risk_share: f64,
}

/// Which way a movement went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// A subject's first grade under the model.
    New,
    Up,
    Down,
    /// The same grade with a new score or new reasons.
    Same,
    /// A grade the model in force does not give (an earlier version's).
    Other,
}

/// One cell of the transitions matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Cell {
    pub subjects: u64,
    pub direction: Direction,
}

/// Movements by grade before (rows; `""` first, for new grades) and grade
/// given (columns), both in the order of [`Dashboard::grades`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Transitions {
    pub rows: Vec<(String, Vec<Cell>)>,
    pub totals: MoveTotals,
}

/// Movements added up by direction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct MoveTotals {
    pub new: u64,
    pub up: u64,
    pub down: u64,
    pub same: u64,
    pub other: u64,
}

impl MoveTotals {
    fn add(&mut self, direction: Direction, n: u64) {
        match direction {
            Direction::New => self.new += n,
            Direction::Up => self.up += n,
            Direction::Down => self.down += n,
            Direction::Same => self.same += n,
            Direction::Other => self.other += n,
        }
    }
}

/// One month of the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonthMoves {
    /// `YYYY-MM`.
    pub month: String,
    pub totals: MoveTotals,
}

/// Everything the dashboard shows for one model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dashboard {
    pub model: String,
    pub title: String,
    pub version: String,
    pub models: Vec<ModelChoice>,
    /// The model's grades, highest first, then any grade an earlier version
    /// gave that subjects still hold.
    pub grades: Vec<GradeHead>,
    pub graded: u64,
    pub districts: Vec<GroupGrades>,
    /// Licensing sectors, most subjects first.
    pub industries: Vec<GroupGrades>,
    /// The graded subjects that hold no licence.
    pub unlicensed: GroupGrades,
    pub days: u32,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub transitions: Transitions,
    pub months: Vec<MonthMoves>,
}

/// The dashboard of the asked model (else the local one, else the first in
/// force); `None` when no model is in force.
pub async fn dashboard(core: &Core, query: &DashboardQuery) -> Result<Option<Dashboard>> {
    let rules = core.rules();
    let asked = query.model.as_deref().and_then(ModelName::parse);
    let Some(model) = asked
        .and_then(|n| rules.models.get(&n))
        .or_else(|| rules.models.get(&ModelName::local()))
        .or_else(|| rules.models.values().next())
    else {
        return Ok(None);
    };
    let name = model.name.as_str();
    let store = core.store();
    let days = query.days.map_or(DEFAULT_DAYS, |d| d.clamp(1, MAX_DAYS));
    let to = china_date(core.now());
    let from = to.checked_sub_days(Days::new(u64::from(days - 1))).unwrap_or(to);
    // Three independent reads of a whole model: side by side, so the page
    // waits for the slowest rather than for their sum.
    let (by_division, by_sector, moves) = tokio::try_join!(
        xinyong_storage::evaluation::grades_by_division(store, name),
        xinyong_storage::evaluation::grades_by_sector(store, name),
        xinyong_storage::evaluation::grade_movements(store, name, from, to),
    )?;

    let extra = by_division
        .iter()
        .map(|(_, g, _)| g.as_str())
        .chain(moves.iter().flat_map(|m| [m.from.as_str(), m.to.as_str()]));
    let grades = grade_heads(model, extra);
    let districts = districts(&grades, &by_division);
    let sector_names = rules.publicity.sectors();
    let (industries, unlicensed) = industries(&grades, &by_sector, sector_names);
    Ok(Some(Dashboard {
        model: name.to_owned(),
        title: model.title.clone(),
        version: model.version.clone(),
        models: rules
            .models
            .values()
            .map(|m| ModelChoice { name: m.name.as_str().to_owned(), title: m.title.clone() })
            .collect(),
        graded: districts.iter().map(|d| d.total).sum(),
        districts,
        industries,
        unlicensed,
        days,
        from,
        to,
        transitions: transitions(&grades, &moves),
        months: months(&grades, &moves),
        grades,
    }))
}

/// The model's bands, then the grades it does not give that still occur.
fn grade_heads<'a>(model: &ScorecardModel, occurring: impl Iterator<Item = &'a str>) -> Vec<GradeHead> {
    let head = |grade: &str, category: &str| GradeHead {
        grade: grade.to_owned(),
        category: category.to_owned(),
        risk: grade.starts_with(['C', 'D']),
    };
    let mut heads: Vec<GradeHead> = model.bands.iter().map(|b| head(&b.grade, &b.category)).collect();
    for grade in occurring {
        if !grade.is_empty() && !heads.iter().any(|h| h.grade == grade) {
            heads.push(head(grade, ""));
        }
    }
    heads
}

/// Counts of `(grade, n)` laid out as a row of the dashboard.
fn group(grades: &[GradeHead], key: String, name: String, counts: impl Iterator<Item = (String, u64)>) -> GroupGrades {
    let mut row = vec![0; grades.len()];
    for (grade, n) in counts {
        if let Some(i) = grades.iter().position(|h| h.grade == grade) {
            row[i] += n;
        }
    }
    let total = row.iter().sum();
    let risk = grades.iter().zip(&row).filter(|(h, _)| h.risk).map(|(_, n)| n).sum();
    let risk_share = if total == 0 { 0.0 } else { risk as f64 / total as f64 };
    GroupGrades { key, name, counts: row, total, risk, risk_share }
}

/// Per district: the city holding the most subjects first, its districts in
/// code order, then everywhere else in code order.
fn districts(grades: &[GradeHead], rows: &[(String, String, u64)]) -> Vec<GroupGrades> {
    let mut by_key: BTreeMap<String, (String, Vec<(String, u64)>)> = BTreeMap::new();
    for (code, grade, n) in rows {
        let (key, name) = district_of(code);
        by_key.entry(key).or_insert_with(|| (name, Vec::new())).1.push((grade.clone(), *n));
    }
    let mut out: Vec<GroupGrades> =
        by_key.into_iter().map(|(key, (name, counts))| group(grades, key, name, counts.into_iter())).collect();
    let mut per_city: BTreeMap<&str, u64> = BTreeMap::new();
    for d in &out {
        *per_city.entry(d.key.get(..4).unwrap_or("")).or_default() += d.total;
    }
    let home = per_city.iter().max_by_key(|(_, n)| **n).map(|(c, _)| (*c).to_owned()).unwrap_or_default();
    out.sort_by_key(|d| (!d.key.starts_with(&home), d.key.clone()));
    out
}

/// The row a division code is counted in, and its name.
fn district_of(code: &str) -> (String, String) {
    match division::lookup(code) {
        Some(d) => {
            let level = match d.level {
                DivisionLevel::Province => "（省级）",
                DivisionLevel::Prefecture => "（市级）",
                DivisionLevel::County => "",
            };
            let old = if d.historical { "（原）" } else { "" };
            (d.code.to_owned(), format!("{}{old}{level}", d.name))
        }
        // Codes the partial table does not list are grouped under the
        // nearest one it does (at least the province).
        None => match division::nearest_known(code) {
            Some(d) => (format!("{}~", d.code), format!("{}其他地区", d.name)),
            None => ("~".to_owned(), "区划不详".to_owned()),
        },
    }
}

/// Per licensing sector, most subjects first; and the subjects without one.
fn industries(
    grades: &[GradeHead],
    rows: &[SectorGrades],
    names: &BTreeMap<String, String>,
) -> (Vec<GroupGrades>, GroupGrades) {
    let mut by_sector: BTreeMap<&str, Vec<(String, u64)>> = BTreeMap::new();
    let mut unlicensed = Vec::new();
    for r in rows {
        match &r.sector {
            Some(sector) => by_sector.entry(sector).or_default().push((r.grade.clone(), r.subjects)),
            None => unlicensed.push((r.grade.clone(), r.subjects)),
        }
    }
    let name = |sector: &str| match sector {
        "" => "未注明行业".to_owned(),
        s => names.get(s).cloned().unwrap_or_else(|| s.to_owned()),
    };
    let mut out: Vec<GroupGrades> = by_sector
        .into_iter()
        .map(|(sector, counts)| group(grades, sector.to_owned(), name(sector), counts.into_iter()))
        .collect();
    out.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.key.cmp(&b.key)));
    let none = group(grades, String::new(), "无行政许可记录".to_owned(), unlicensed.into_iter());
    (out, none)
}

/// Which way `from` → `to` went, by the grades' order (highest first).
fn direction(grades: &[GradeHead], from: &str, to: &str) -> Direction {
    if from.is_empty() {
        return Direction::New;
    }
    let rank = |g: &str| grades.iter().position(|h| h.grade == g && !h.category.is_empty());
    match (rank(from), rank(to)) {
        (Some(a), Some(b)) if a > b => Direction::Up,
        (Some(a), Some(b)) if a < b => Direction::Down,
        (Some(_), Some(_)) => Direction::Same,
        _ if from == to => Direction::Same,
        _ => Direction::Other,
    }
}

/// The matrix: a row for new grades and one per grade before.
fn transitions(grades: &[GradeHead], moves: &[GradeMovement]) -> Transitions {
    let befores = std::iter::once("").chain(grades.iter().map(|h| h.grade.as_str()));
    let mut out = Transitions::default();
    for before in befores {
        let cells: Vec<Cell> = grades
            .iter()
            .map(|h| Cell {
                subjects: moves.iter().filter(|m| m.from == before && m.to == h.grade).map(|m| m.subjects).sum(),
                direction: direction(grades, before, &h.grade),
            })
            .collect();
        for c in &cells {
            out.totals.add(c.direction, c.subjects);
        }
        out.rows.push((before.to_owned(), cells));
    }
    out
}

/// The movements of each month that has any, oldest first.
fn months(grades: &[GradeHead], moves: &[GradeMovement]) -> Vec<MonthMoves> {
    let mut by_month: BTreeMap<&str, MoveTotals> = BTreeMap::new();
    for m in moves {
        by_month.entry(&m.month).or_default().add(direction(grades, &m.from, &m.to), m.subjects);
    }
    by_month.into_iter().map(|(month, totals)| MonthMoves { month: month.to_owned(), totals }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heads() -> Vec<GradeHead> {
        ["A", "B", "C", "D"]
            .iter()
            .map(|g| GradeHead { grade: (*g).to_owned(), category: "x".to_owned(), risk: g.starts_with(['C', 'D']) })
            .collect()
    }

    fn moved(month: &str, from: &str, to: &str, subjects: u64) -> GradeMovement {
        GradeMovement { month: month.to_owned(), from: from.to_owned(), to: to.to_owned(), subjects }
    }

    #[test]
    fn a_better_grade_is_an_upgrade_and_a_first_grade_is_new() {
        let g = heads();
        assert_eq!(direction(&g, "B", "A"), Direction::Up);
        assert_eq!(direction(&g, "A", "C"), Direction::Down);
        assert_eq!(direction(&g, "B", "B"), Direction::Same);
        assert_eq!(direction(&g, "", "B"), Direction::New);
        assert_eq!(direction(&g, "E", "A"), Direction::Other, "a grade the model does not give");
    }

    #[test]
    fn the_matrix_and_the_months_add_up_the_same_movements() {
        let g = heads();
        let moves = [
            moved("2026-10", "", "A", 5),
            moved("2026-10", "A", "C", 2),
            moved("2026-11", "C", "B", 1),
            moved("2026-11", "B", "B", 4),
        ];
        let t = transitions(&g, &moves);
        assert_eq!(t.rows.len(), 5, "新评价 and one row per grade");
        assert_eq!((t.rows[0].0.as_str(), t.rows[0].1[0].subjects), ("", 5));
        assert_eq!(t.rows[1].1[2], Cell { subjects: 2, direction: Direction::Down });
        assert_eq!(t.totals, MoveTotals { new: 5, up: 1, down: 2, same: 4, other: 0 });
        let m = months(&g, &moves);
        assert_eq!(m.iter().map(|m| m.month.as_str()).collect::<Vec<_>>(), ["2026-10", "2026-11"]);
        assert_eq!(m[1].totals, MoveTotals { up: 1, same: 4, ..MoveTotals::default() });
    }

    #[test]
    fn districts_put_the_home_city_first_and_name_the_city_level() {
        let g = heads();
        let rows = [
            ("110108".to_owned(), "A".to_owned(), 1),
            ("370102".to_owned(), "C".to_owned(), 3),
            ("370102".to_owned(), "A".to_owned(), 1),
            ("370100".to_owned(), "B".to_owned(), 2),
            ("350100".to_owned(), "D".to_owned(), 1),
        ];
        let d = districts(&g, &rows);
        let names: Vec<&str> = d.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["济南市（市级）", "历下区", "北京市其他地区", "福建省其他地区"]);
        assert_eq!(d[1].counts, [1, 0, 3, 0]);
        assert_eq!((d[1].total, d[1].risk), (4, 3));
        assert!((d[1].risk_share - 0.75).abs() < 1e-9);
    }

    #[test]
    fn industries_are_named_by_sector_and_the_unlicensed_kept_apart() {
        let g = heads();
        let names = BTreeMap::from([("health".to_owned(), "卫生健康".to_owned())]);
        let row = |sector: Option<&str>, grade: &str, subjects| SectorGrades {
            sector: sector.map(str::to_owned),
            grade: grade.to_owned(),
            subjects,
        };
        let rows =
            [row(Some("health"), "A", 1), row(Some(""), "B", 3), row(None, "D", 7), row(Some("mystery"), "A", 2)];
        let (industries, none) = industries(&g, &rows, &names);
        let got: Vec<(&str, u64)> = industries.iter().map(|i| (i.name.as_str(), i.total)).collect();
        assert_eq!(got, [("未注明行业", 3), ("mystery", 2), ("卫生健康", 1)]);
        assert_eq!((none.name.as_str(), none.total, none.risk), ("无行政许可记录", 7, 7));
    }
}

//! `/console/evaluation/dashboard`: a model's grades by district and by
//! industry as stacked bars, and the movements between grades over the
//! last days as a matrix and by month. Everything is drawn on the server
//! (inline SVG, no script), so the page reads the same without JS; the
//! numbers behind every bar are in its description and in the tables
//! below it.

use std::fmt::Write as _;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use xinyong_core::auth::policy::{Action, Resource};
use xinyong_core::evaluation::view::dashboard::{
    Dashboard, DashboardQuery, Direction, GradeHead, GroupGrades, MAX_DAYS, MoveTotals, dashboard,
};

use super::NO_STORE;
use crate::AppState;
use crate::auth::{ConsoleCaller, PageError};
use crate::web::charts::escape_xml;
use crate::web::{Layout, error_page, thousands};

/// The windows the form offers, in days.
const WINDOWS: [(u32, &str); 5] =
    [(30, "近 30 天"), (90, "近 90 天"), (180, "近半年"), (365, "近一年"), (MAX_DAYS, "近两年")];

/// Colours from the best grade to the worst: green through yellow to dark
/// red, darker towards both ends, so the best and the worst grades stand
/// out from the many in between even to a reader who cannot tell red from
/// green (the legend, the tooltips and the tables name every grade).
const RAMP: [&str; 8] = ["#1b5e20", "#4caf50", "#b6d25b", "#fdd835", "#fb8c00", "#e0452b", "#b71c1c", "#5d0b0b"];
/// A grade the model in force does not give.
const OTHER_COLOUR: &str = "#8b949e";

#[derive(Debug, Deserialize)]
pub(crate) struct DashboardParams {
    model: Option<String>,
    days: Option<String>,
}

/// A grade in the legend.
struct LegendItem {
    grade: String,
    category: String,
    colour: &'static str,
}

/// A district or an industry: its numbers and its bar.
struct GroupView {
    name: String,
    total: String,
    risk_share: String,
    counts: Vec<String>,
    /// Inline SVG, every name in it escaped.
    bar: String,
}

/// One cell of the transitions table.
struct MatrixCell {
    text: String,
    /// `up`, `down`, `same`, `new`, `other` or `zero`.
    kind: &'static str,
}

struct MatrixRow {
    label: String,
    cells: Vec<MatrixCell>,
    total: String,
}

/// Movements added up, as shown.
struct TotalsView {
    new: String,
    up: String,
    down: String,
    same: String,
    /// Empty when there are none.
    other: String,
}

impl From<MoveTotals> for TotalsView {
    fn from(t: MoveTotals) -> TotalsView {
        TotalsView {
            new: thousands(t.new),
            up: thousands(t.up),
            down: thousands(t.down),
            same: thousands(t.same),
            other: if t.other == 0 { String::new() } else { thousands(t.other) },
        }
    }
}

struct MonthView {
    month: String,
    totals: TotalsView,
    bar: String,
}

struct WindowChoice {
    days: u32,
    label: String,
    selected: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "evaluation/dashboard.html")]
struct DashboardPage {
    layout: Layout,
    /// `None` when no model is in force.
    view: Option<View>,
}

/// The dashboard laid out for the page.
struct View {
    data: Dashboard,
    windows: Vec<WindowChoice>,
    graded: String,
    legend: Vec<LegendItem>,
    /// Column heads of the tables.
    grades: Vec<String>,
    districts: Vec<GroupView>,
    industries: Vec<GroupView>,
    unlicensed: Option<GroupView>,
    matrix: Vec<MatrixRow>,
    totals: TotalsView,
    months: Vec<MonthView>,
}

/// `GET /console/evaluation/dashboard?model=&days=`: a days value that is
/// not a number counts as not given; out of bounds, it is bounded.
pub(crate) async fn dashboard_page(
    State(state): State<AppState>,
    caller: ConsoleCaller,
    Query(q): Query<DashboardParams>,
) -> Result<Response, PageError> {
    caller.authorize(&state, Action::ViewGrades, &Resource::Platform)?;
    let query = DashboardQuery {
        model: q.model.map(|m| m.trim().to_owned()).filter(|m| !m.is_empty()),
        days: q.days.and_then(|d| d.trim().parse().ok()),
    };
    let data = dashboard(&state.core, &query).await.map_err(|e| error_page(&state, e.into()))?;
    let page = DashboardPage { layout: Layout::new(&state, "信用评价统计看板"), view: data.map(view) };
    Ok((NO_STORE, page).into_response())
}

fn view(d: Dashboard) -> View {
    let colours = colours(&d.grades);
    let groups = |groups: &[GroupGrades], prefix: &str| -> Vec<GroupView> {
        groups.iter().enumerate().map(|(i, g)| group_view(&d.grades, &colours, g, &format!("{prefix}-{i}"))).collect()
    };
    View {
        windows: windows(d.days),
        graded: thousands(d.graded),
        legend: d
            .grades
            .iter()
            .zip(&colours)
            .map(|(h, c)| LegendItem { grade: h.grade.clone(), category: h.category.clone(), colour: c })
            .collect(),
        grades: d.grades.iter().map(|h| h.grade.clone()).collect(),
        districts: groups(&d.districts, "dist"),
        industries: groups(&d.industries, "ind"),
        unlicensed: (d.unlicensed.total > 0).then(|| group_view(&d.grades, &colours, &d.unlicensed, "ind-none")),
        matrix: matrix(&d),
        totals: d.transitions.totals.into(),
        months: months(&d),
        data: d,
    }
}

/// The offered windows, and the one asked for when it is none of them.
fn windows(days: u32) -> Vec<WindowChoice> {
    let mut out: Vec<WindowChoice> = WINDOWS
        .iter()
        .map(|&(n, label)| WindowChoice { days: n, label: label.to_owned(), selected: n == days })
        .collect();
    if !out.iter().any(|w| w.selected) {
        out.push(WindowChoice { days, label: format!("近 {days} 天"), selected: true });
        out.sort_by_key(|w| w.days);
    }
    out
}

/// A colour per grade: the model's grades spread over the ramp, others grey.
fn colours(grades: &[GradeHead]) -> Vec<&'static str> {
    let given = grades.iter().filter(|h| !h.category.is_empty()).count();
    grades
        .iter()
        .enumerate()
        .map(|(i, h)| {
            if h.category.is_empty() {
                return OTHER_COLOUR;
            }
            // Spread n grades over the ramp's ends: i * 7 / (n - 1), rounded.
            let last = RAMP.len() - 1;
            let at = if given <= 1 { 0 } else { (i * last * 2 + (given - 1)) / ((given - 1) * 2) };
            RAMP[at.min(last)]
        })
        .collect()
}

fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

/// One part of a bar.
struct Segment {
    tip: String,
    n: u64,
    colour: &'static str,
}

fn group_view(grades: &[GradeHead], colours: &[&'static str], g: &GroupGrades, id: &str) -> GroupView {
    let share = |n: u64| percent(n as f64 / g.total.max(1) as f64);
    let parts: Vec<Segment> = grades
        .iter()
        .zip(&g.counts)
        .zip(colours)
        .map(|((h, &n), &colour)| Segment {
            tip: format!("{} 级：{} 户（{}）", h.grade, thousands(n), share(n)),
            n,
            colour,
        })
        .collect();
    let desc = grades
        .iter()
        .zip(&g.counts)
        .filter(|(_, n)| **n > 0)
        .map(|(h, n)| format!("{} 级 {} 户", h.grade, thousands(*n)))
        .collect::<Vec<_>>()
        .join("，");
    let desc = format!("共 {} 户：{desc}；C、D 级占 {}", thousands(g.total), percent(g.risk_share));
    GroupView {
        name: g.name.clone(),
        total: thousands(g.total),
        risk_share: percent(g.risk_share),
        counts: g.counts.iter().map(|n| thousands(*n)).collect(),
        bar: stacked_bar(id, &format!("{}的等级分布", g.name), &desc, g.total, &parts),
    }
}

/// A stacked bar: the parts side by side, `scale` filling the width, each
/// with its tooltip, on a light track. It stretches to its row
/// (`preserveAspectRatio="none"`), so it carries no text: the label and
/// numbers are HTML around it, which wraps instead of overlapping at any
/// width.
fn stacked_bar(id: &str, title: &str, desc: &str, scale: u64, parts: &[Segment]) -> String {
    const WIDTH: f64 = 1000.0;
    let mut svg = String::new();
    // `write!` into a String cannot fail.
    let _ = write!(
        svg,
        r#"<svg class="bar" role="img" aria-labelledby="{id}-t {id}-d" viewBox="0 0 1000 14" preserveAspectRatio="none" xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        escape_xml(title),
        escape_xml(desc)
    );
    svg.push_str(r##"<rect width="1000" height="14" fill="#f0f2f4"/>"##);
    let mut x = 0.0;
    for part in parts.iter().filter(|p| p.n > 0) {
        let w = WIDTH * (part.n as f64) / (scale.max(1) as f64);
        let _ = write!(
            svg,
            r#"<rect x="{x:.2}" width="{w:.2}" height="14" fill="{}"><title>{}</title></rect>"#,
            part.colour,
            escape_xml(&part.tip)
        );
        x += w;
    }
    svg.push_str("</svg>");
    svg
}

fn matrix(d: &Dashboard) -> Vec<MatrixRow> {
    d.transitions
        .rows
        .iter()
        .map(|(before, cells)| {
            let label = if before.is_empty() { "新评价".to_owned() } else { before.clone() };
            let row_total = cells.iter().map(|c| c.subjects).sum();
            let cells = cells
                .iter()
                .map(|c| {
                    let n = thousands(c.subjects);
                    let (kind, text) = match (c.subjects, c.direction) {
                        (0, _) => ("zero", "·".to_owned()),
                        (_, Direction::Up) => ("up", format!("↑{n}")),
                        (_, Direction::Down) => ("down", format!("↓{n}")),
                        (_, Direction::Same) => ("same", n),
                        (_, Direction::New) => ("new", n),
                        (_, Direction::Other) => ("other", n),
                    };
                    MatrixCell { text, kind }
                })
                .collect();
            MatrixRow { label, cells, total: thousands(row_total) }
        })
        .collect()
}

/// Per month: upgrades (green) and downgrades (red) on one scale, the
/// busiest month's sum of both filling the bar.
fn months(d: &Dashboard) -> Vec<MonthView> {
    let max = d.months.iter().map(|m| m.totals.up + m.totals.down).max().unwrap_or(0).max(1);
    d.months
        .iter()
        .map(|m| {
            let id = format!("mon-{}", m.month);
            let parts = [
                Segment { tip: format!("升级 {} 户", thousands(m.totals.up)), n: m.totals.up, colour: RAMP[1] },
                Segment { tip: format!("降级 {} 户", thousands(m.totals.down)), n: m.totals.down, colour: RAMP[6] },
            ];
            let desc = format!("升级 {} 户，降级 {} 户", thousands(m.totals.up), thousands(m.totals.down));
            MonthView {
                month: m.month.clone(),
                totals: m.totals.into(),
                bar: stacked_bar(&id, &format!("{} 升降级", m.month), &desc, max, &parts),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(grade: &str, category: &str) -> GradeHead {
        GradeHead { grade: grade.to_owned(), category: category.to_owned(), risk: false }
    }

    #[test]
    fn a_bar_escapes_its_words_and_describes_itself() {
        let parts = [
            Segment { tip: "A 级：<3> 户".to_owned(), n: 3, colour: RAMP[0] },
            Segment { tip: "B 级：0 户".to_owned(), n: 0, colour: RAMP[2] },
            Segment { tip: "C 级：1 户".to_owned(), n: 1, colour: RAMP[4] },
        ];
        let svg = stacked_bar("dist-0", "<甲区>的等级分布", "共 4 户", 4, &parts);
        assert!(svg.contains("&lt;甲区&gt;") && !svg.contains("<甲区>") && svg.contains("&lt;3&gt;"));
        assert!(svg.contains(r#"aria-labelledby="dist-0-t dist-0-d""#) && svg.contains("<desc id=\"dist-0-d\">"));
        assert_eq!(svg.matches("<title>").count(), 2, "a tooltip per segment that has subjects");
        assert!(svg.contains(r#"x="750.00" width="250.00""#), "the second segment starts where the first ends");
    }

    #[test]
    fn the_best_and_worst_grades_take_the_ends_of_the_ramp() {
        let heads: Vec<GradeHead> =
            ["A+", "A", "B", "C", "C-", "D", "D-"].iter().map(|g| head(g, "x")).chain([head("E", "")]).collect();
        let c = colours(&heads);
        assert_eq!((c[0], c[6], c[7]), (RAMP[0], RAMP[7], OTHER_COLOUR));
        let mut distinct = c.clone();
        distinct.dedup();
        assert_eq!(distinct.len(), 8, "every grade its own colour");
    }

    #[test]
    fn a_window_not_offered_is_shown_as_asked() {
        let w = windows(45);
        assert_eq!(w.iter().filter(|w| w.selected).map(|w| w.label.as_str()).collect::<Vec<_>>(), ["近 45 天"]);
        assert_eq!(windows(90).len(), WINDOWS.len());
    }
}

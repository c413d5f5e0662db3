//! The campaign dashboard's charts: server-rendered SVG with presentation
//! attributes only (the CSP allows no inline styles or scripts), every word
//! escaped, each with a title and description for screen readers; the
//! figures are also in the tables under the charts.

use std::fmt::Write as _;

use chrono::Datelike as _;

use xinyong_core::campaigns::views::{DayActivity, DepartmentCounts, StatusCounts};
use xinyong_domain::campaigns::RectificationStatus;

use crate::web::charts::{INK, WIDTH, escape_xml, short_label};

/// The colour of each status, in [`RectificationStatus::ALL`] order.
pub(super) fn colour(status: RectificationStatus) -> &'static str {
    match status {
        RectificationStatus::NotStarted => "#8b949e",
        RectificationStatus::InProgress => "#1f6feb",
        RectificationStatus::Rectified => "#2e7d32",
        RectificationStatus::Overdue => "#d4a72c",
        RectificationStatus::NotRectified => "#c62828",
    }
}

fn open_svg(svg: &mut String, id: &str, height: u32, title: &str, desc: &str) {
    // `write!` into a String cannot fail.
    let _ = write!(
        svg,
        r#"<svg class="chart" role="img" aria-labelledby="{id}-title {id}-desc" viewBox="0 0 {WIDTH} {height}" width="100%" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        escape_xml(title),
        escape_xml(desc)
    );
}

/// A column per status, its count above it.
pub(super) fn status_columns(counts: &StatusCounts) -> String {
    const BASE: u32 = 200;
    const MAX_H: f64 = 160.0;
    let max = counts.counts.iter().copied().max().unwrap_or(0).max(1);
    let desc: Vec<String> = counts.named().iter().map(|(_, name, n)| format!("{name} {n} 户")).collect();
    let mut svg = String::new();
    open_svg(&mut svg, "status", BASE + 30, "各整改状态的主体数", &desc.join("，"));
    let _ =
        write!(svg, r#"<line x1="40" y1="{BASE}" x2="{}" y2="{BASE}" stroke="{INK}" stroke-width="1"/>"#, WIDTH - 40);
    let slot = (WIDTH - 80) / 5;
    for (i, status) in RectificationStatus::ALL.iter().enumerate() {
        let n = counts.get(*status);
        let h = MAX_H * n as f64 / max as f64;
        let x = 40 + slot * u32::try_from(i).unwrap_or(0) + slot / 4;
        let w = slot / 2;
        let mid = x + w / 2;
        let _ = write!(
            svg,
            r#"<g><title>{} {n} 户</title><rect x="{x}" y="{:.1}" width="{w}" height="{h:.1}" fill="{}"/><text x="{mid}" y="{:.1}" font-size="14" text-anchor="middle" fill="{INK}">{n}</text><text x="{mid}" y="{}" font-size="14" text-anchor="middle" fill="{INK}">{}</text></g>"#,
            status.name_zh(),
            f64::from(BASE) - h,
            colour(*status),
            f64::from(BASE) - h - 6.0,
            BASE + 20,
            status.name_zh()
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Running totals by day: progress entries reported and subjects found
/// rectified, as two lines over the campaign's active days.
pub(super) fn progress_lines(days: &[DayActivity], subjects: u64) -> String {
    const LEFT: f64 = 60.0;
    const RIGHT: f64 = 900.0;
    const TOP: f64 = 20.0;
    const BASE: f64 = 200.0;
    let top = days.last().map_or(0, |d| d.progress_to_date).max(subjects).max(1);
    let desc = match (days.first(), days.last()) {
        (Some(first), Some(last)) => format!(
            "{} 至 {}：累计登记整改进展 {} 条，累计评定整改到位 {} 户（共 {subjects} 户）",
            first.on, last.on, last.progress_to_date, last.rectified_to_date
        ),
        _ => "尚无整改进展和评定结果".to_owned(),
    };
    let mut svg = String::new();
    open_svg(&mut svg, "progress", 250, "整改进展累计趋势", &desc);
    for (v, label) in [(0, "0".to_owned()), (top, top.to_string())] {
        let y = BASE - (BASE - TOP) * v as f64 / top as f64;
        let _ = write!(
            svg,
            r##"<line x1="{LEFT}" y1="{y:.1}" x2="{RIGHT}" y2="{y:.1}" stroke="#d8dde3" stroke-width="1"/><text x="{:.1}" y="{:.1}" font-size="12" text-anchor="end" fill="{INK}">{label}</text>"##,
            LEFT - 6.0,
            y + 4.0
        );
    }
    // Days are placed by date (a week without activity is a week wide), and
    // the running totals are drawn as steps: they change only on a day.
    let day_no = |d: &DayActivity| d.on.parse::<chrono::NaiveDate>().map_or(0_i32, |x| x.num_days_from_ce());
    let first_day = days.first().map_or(0, day_no);
    let span = days.last().map_or(0, day_no).saturating_sub(first_day).max(1);
    let x_of = |d: &DayActivity| LEFT + (RIGHT - LEFT) * f64::from(day_no(d) - first_day) / f64::from(span);
    let y_of = |v: u64| BASE - (BASE - TOP) * v as f64 / top as f64;
    for (pick, colour, label) in [
        ((|d: &DayActivity| d.progress_to_date) as fn(&DayActivity) -> u64, "#1f6feb", "累计进展条数"),
        (|d: &DayActivity| d.rectified_to_date, "#2e7d32", "累计整改到位户数"),
    ] {
        let mut points: Vec<String> = Vec::new();
        let mut before = 0;
        for d in days {
            points.push(format!("{:.1},{:.1}", x_of(d), y_of(before)));
            before = pick(d);
            points.push(format!("{:.1},{:.1}", x_of(d), y_of(before)));
        }
        if !points.is_empty() {
            points.push(format!("{RIGHT:.1},{:.1}", y_of(before)));
            let _ = write!(
                svg,
                r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="2.5"><title>{label}</title></polyline>"#,
                points.join(" ")
            );
        }
    }
    if let (Some(first), Some(last)) = (days.first(), days.last()) {
        let _ = write!(
            svg,
            r#"<text x="{LEFT}" y="{}" font-size="12" fill="{INK}">{}</text><text x="{RIGHT}" y="{}" font-size="12" text-anchor="end" fill="{INK}">{}</text>"#,
            BASE + 18.0,
            escape_xml(&first.on),
            BASE + 18.0,
            escape_xml(&last.on)
        );
    }
    let _ = write!(
        svg,
        r##"<rect x="{LEFT}" y="228" width="12" height="12" fill="#1f6feb"/><text x="{}" y="239" font-size="13" fill="{INK}">累计进展条数</text><rect x="{}" y="228" width="12" height="12" fill="#2e7d32"/><text x="{}" y="239" font-size="13" fill="{INK}">累计整改到位户数</text></svg>"##,
        LEFT + 18.0,
        LEFT + 160.0,
        LEFT + 178.0
    );
    svg
}

/// A stacked bar per department: its subjects by status.
pub(super) fn department_bars(rows: &[DepartmentCounts]) -> String {
    const ROW: u32 = 30;
    const LABEL_RIGHT: u32 = 200;
    const BAR_X: f64 = 214.0;
    const BAR_W: f64 = 636.0;
    let max = rows.iter().map(|r| r.counts.total()).max().unwrap_or(0).max(1);
    let height = 20 + ROW * u32::try_from(rows.len()).unwrap_or(0).max(1);
    let desc: Vec<String> = rows.iter().map(|r| format!("{} {} 户", r.name, r.counts.total())).collect();
    let mut svg = String::new();
    open_svg(&mut svg, "depts", height, "各认定部门负责的主体及整改状态", &desc.join("，"));
    for (i, row) in rows.iter().enumerate() {
        let y = 10 + ROW * u32::try_from(i).unwrap_or(0);
        let _ = write!(
            svg,
            r#"<text x="{LABEL_RIGHT}" y="{}" font-size="13" text-anchor="end" fill="{INK}">{}</text>"#,
            y + 14,
            escape_xml(&short_label(&row.name, 14))
        );
        let mut x = BAR_X;
        for status in RectificationStatus::ALL {
            let n = row.counts.get(status);
            if n == 0 {
                continue;
            }
            let w = BAR_W * n as f64 / max as f64;
            let _ = write!(
                svg,
                r#"<rect x="{x:.1}" y="{y}" width="{w:.1}" height="18" fill="{}"><title>{} {} {n} 户</title></rect>"#,
                colour(status),
                escape_xml(&row.name),
                status.name_zh()
            );
            x += w;
        }
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{}" font-size="13" fill="{INK}">{}</text>"#,
            x + 6.0,
            y + 14,
            row.counts.total()
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_escape_names_and_describe_themselves() {
        let counts = StatusCounts { counts: [1, 2, 3, 0, 1] };
        let svg = status_columns(&counts);
        assert!(svg.contains("aria-labelledby=\"status-title status-desc\"") && svg.contains("已整改 3 户"));
        let rows = vec![DepartmentCounts { department: "x".into(), name: "<局>".into(), counts }];
        let bars = department_bars(&rows);
        assert!(bars.contains("&lt;局&gt;") && !bars.contains("<局>"));
        assert!(!bars.contains("style="), "no inline styles");
        let lines = progress_lines(&[], 3);
        assert!(lines.contains("尚无整改进展"));
    }
}

//! Server-rendered SVG charts shared by the console pages. Pure functions;
//! every name in them is escaped, so the result can go into a page as is.

use std::fmt::Write as _;

/// Text for SVG: the five characters XML gives meaning to, escaped.
pub(crate) fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `full` cut to `max` characters with an ellipsis (the full text belongs in
/// the bar's tooltip and the table below the chart).
pub(crate) fn short_label(full: &str, max: usize) -> String {
    if full.chars().count() > max {
        full.chars().take(max.saturating_sub(1)).chain(['…']).collect()
    } else {
        full.to_owned()
    }
}

pub(crate) const INK: &str = "#1f2328";
pub(crate) const WIDTH: u32 = 960;
pub(crate) const TOP: u32 = 30;
/// Where every bar ends (its start depends on the label column).
const BARS_END: u32 = 850;
const GREEN: &str = "#2e7d32";
const RED: &str = "#c62828";
const GREY: &str = "#8b949e";

/// One bar of a [`share_chart`].
pub(crate) struct ShareBar {
    /// The label in front of the bar (cut to the chart's `label_chars`).
    pub label: String,
    /// The bar's tooltip.
    pub tip: String,
    /// 0–1; `None` draws an empty dashed bar with the chart's `empty_text`.
    pub share: Option<f64>,
}

/// A share chart's words and layout.
pub(crate) struct ShareChart<'a> {
    /// Prefix of the title and description element ids.
    pub id: &'a str,
    pub title: &'a str,
    pub desc: &'a str,
    /// Right edge of the label column; the bars start 14 units after it.
    pub label_right: u32,
    pub label_chars: usize,
    pub max_rows: u32,
    /// Legend words for the green and the red part.
    pub yes: &'a str,
    pub no: &'a str,
    /// Distance from the green legend square to the red one.
    pub legend_gap: u32,
    /// Legend text for the dashed 100 % line, if it gets one.
    pub target_legend: Option<&'a str>,
    /// What an empty bar says.
    pub empty_text: &'a str,
}

/// Where the bars of a share chart go.
struct Geometry {
    bar_x: u32,
    bar_w: u32,
    rows: u32,
}

impl Geometry {
    const ROW: u32 = 30;
    const BAR_H: u32 = 18;

    fn scale(&self, share: f64) -> f64 {
        f64::from(self.bar_w) * share.clamp(0.0, 1.0)
    }
}

/// A horizontal bar per row: the share in green, the rest in red, against a
/// dashed line at 100 %, with 0 % / 50 % / 100 % marks and a legend.
pub(crate) fn share_chart(chart: &ShareChart<'_>, bars: &[ShareBar]) -> String {
    let ShareChart { id, title, desc, label_right, max_rows, .. } = *chart;
    let bar_x = label_right + 14;
    let g =
        Geometry { bar_x, bar_w: BARS_END - bar_x, rows: u32::try_from(bars.len()).unwrap_or(u32::MAX).min(max_rows) };
    let legend_y = TOP + g.rows * Geometry::ROW + 14;
    let height = legend_y + 24;
    let mut svg = String::new();
    // `write!` into a String cannot fail.
    let _ = write!(
        svg,
        r#"<svg class="chart" role="img" aria-labelledby="{id}-title {id}-desc" viewBox="0 0 {WIDTH} {height}" width="100%" xmlns="http://www.w3.org/2000/svg">"#
    );
    let _ = write!(svg, "<title id=\"{id}-title\">{title}</title><desc id=\"{id}-desc\">{desc}</desc>");
    axis(&mut svg, &g);
    for (i, bar) in bars.iter().take(g.rows as usize).enumerate() {
        bar_row(&mut svg, chart, &g, u32::try_from(i).unwrap_or(0), bar);
    }
    legend(&mut svg, chart, &g, legend_y);
    svg
}

/// Axis: 0 %, 50 % and the dashed 100 % line across every bar.
fn axis(svg: &mut String, g: &Geometry) {
    for (share, label) in [(0.0, "0%"), (0.5, "50%"), (1.0, "100%")] {
        let x = f64::from(g.bar_x) + g.scale(share);
        let _ = write!(
            svg,
            r#"<text x="{x:.1}" y="{}" font-size="12" text-anchor="middle" fill="{INK}">{label}</text>"#,
            TOP - 10
        );
        let dash = if share >= 1.0 { r#" stroke-dasharray="5 4""# } else { "" };
        let colour = if share >= 1.0 { INK } else { "#d8dde3" };
        let _ = write!(
            svg,
            r#"<line x1="{x:.1}" y1="{}" x2="{x:.1}" y2="{}" stroke="{colour}" stroke-width="1"{dash}/>"#,
            TOP - 4,
            TOP + g.rows * Geometry::ROW
        );
    }
}

/// Row `i`: its label, then the share (green and red) or the empty text.
fn bar_row(svg: &mut String, chart: &ShareChart<'_>, g: &Geometry, i: u32, bar: &ShareBar) {
    let Geometry { bar_x, bar_w, .. } = *g;
    let y = TOP + i * Geometry::ROW + (Geometry::ROW - Geometry::BAR_H) / 2;
    let bar_h = Geometry::BAR_H;
    let _ = write!(svg, "<g><title>{}</title>", escape_xml(&bar.tip));
    let _ = write!(
        svg,
        r#"<text x="{}" y="{}" font-size="13" text-anchor="end" fill="{INK}">{}</text>"#,
        chart.label_right,
        y + 14,
        escape_xml(&short_label(&bar.label, chart.label_chars))
    );
    match bar.share {
        Some(share) => {
            let green = g.scale(share);
            let _ = write!(
                svg,
                r#"<rect x="{bar_x}" y="{y}" width="{green:.1}" height="{bar_h}" fill="{GREEN}"/><rect x="{:.1}" y="{y}" width="{:.1}" height="{bar_h}" fill="{RED}"/><text x="{}" y="{}" font-size="13" fill="{INK}">{:.1}%</text>"#,
                f64::from(bar_x) + green,
                f64::from(bar_w) - green,
                bar_x + bar_w + 10,
                y + 14,
                share * 100.0
            );
        }
        None => {
            let _ = write!(
                svg,
                r#"<rect x="{bar_x}" y="{y}" width="{bar_w}" height="{bar_h}" fill="none" stroke="{GREY}" stroke-dasharray="2 2"/><text x="{}" y="{}" font-size="13" fill="{INK}">{}</text>"#,
                bar_x + bar_w + 10,
                y + 14,
                chart.empty_text
            );
        }
    }
    svg.push_str("</g>");
}

/// The legend: green = `yes`, red = `no`, and the dashed target line if any.
fn legend(svg: &mut String, chart: &ShareChart<'_>, g: &Geometry, legend_y: u32) {
    let ShareChart { yes, no, legend_gap, target_legend, .. } = *chart;
    let bar_x = g.bar_x;
    let _ = write!(
        svg,
        r#"<g font-size="12" fill="{INK}"><rect x="{bar_x}" y="{legend_y}" width="12" height="12" fill="{GREEN}"/><text x="{}" y="{}">{yes}</text><rect x="{}" y="{legend_y}" width="12" height="12" fill="{RED}"/><text x="{}" y="{}">{no}</text>"#,
        bar_x + 18,
        legend_y + 11,
        bar_x + legend_gap,
        bar_x + legend_gap + 18,
        legend_y + 11
    );
    if let Some(text) = target_legend {
        let _ = write!(
            svg,
            r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{INK}" stroke-dasharray="5 4"/><text x="{}" y="{}">{text}</text>"#,
            bar_x + 140,
            legend_y + 6,
            bar_x + 170,
            legend_y + 6,
            bar_x + 178,
            legend_y + 11
        );
    }
    svg.push_str("</g></svg>");
}

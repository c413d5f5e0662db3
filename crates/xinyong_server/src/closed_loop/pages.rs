//! The closed loop in the console (联合奖惩闭环): a department's pushed items
//! with 签收 and 反馈执行情况 forms (`/console/feed`), the loop metrics with
//! charts (`/console/loop`), and the measures catalog (`/console/measures`).

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use xinyong_core::auth as core_auth;
use xinyong_core::auth::policy::{Action, Resource, Scope};
use xinyong_core::closed_loop::feeds::{self, FeedItem};
use xinyong_core::closed_loop::metrics::{
    DepartmentLine, Hours, LoopCounts, LoopFilter, LoopMetrics, MeasureLine, loop_metrics,
};
use xinyong_domain::auth::DepartmentCode;
use xinyong_domain::lists::sanction::{ListKind, MeasureKind};

use crate::auth::{ConsoleCaller, ConsoleForm, PageError, encode_query_value};
use crate::web::charts::{INK, ShareBar, ShareChart, TOP, WIDTH, escape_xml, share_chart, short_label};
use crate::web::{Layout, beijing, department_name, error_page};
use crate::{ApiError, AppState};

/// Console pages show non-public data: never cache them anywhere.
const NO_STORE: [(header::HeaderName, &str); 1] = [(header::CACHE_CONTROL, "no-store")];

/// Items the feed page shows at most (newest first).
const FEED_PAGE_ITEMS: usize = 20;

fn respond(state: &AppState, result: Result<impl IntoResponse, ApiError>) -> Response {
    match result {
        Ok(response) => (NO_STORE, response).into_response(),
        Err(e) => error_page(state, e),
    }
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

fn when(t: Option<DateTime<Utc>>) -> String {
    t.map_or_else(String::new, |t| t.with_timezone(&beijing()).format("%Y-%m-%d %H:%M").to_string())
}

/// The department a form or query names: a valid code, or the caller's own
/// when it names none.
fn named_department(caller: &ConsoleCaller, state: &AppState, raw: Option<&str>) -> Result<DepartmentCode, PageError> {
    match raw.map(str::trim).filter(|d| !d.is_empty()) {
        Some(raw) => DepartmentCode::parse(raw)
            .map_err(|e| error_page(state, ApiError::bad_request("department_invalid", e.to_string())).into()),
        None => caller.own_department(state),
    }
}

// ---------------------------------------------------------------------------
// /console/feed
// ---------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "closed_loop/feed.html")]
struct FeedPage {
    layout: Layout,
    csrf_token: String,
    notice: Option<&'static str>,
    choose_department: bool,
    departments: Vec<Choice>,
    department: String,
    department_label: String,
    items: Vec<ItemView>,
    /// The filter shown (`FeedStatus::code`), kept by the forms.
    status: &'static str,
    /// The page's `before` cursor (empty on the newest page), kept by the forms.
    before: String,
    tabs: Vec<Tab>,
    /// Back to the newest page, when not on it.
    newer_href: Option<String>,
    /// The next page of older items, when this one is full.
    older_href: Option<String>,
}

/// A filter of the feed as a link.
struct Tab {
    label: &'static str,
    href: String,
    current: bool,
}

/// What a page of the feed shows: everything, or what is left to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FeedStatus {
    All,
    Unacknowledged,
    AwaitingFeedback,
    Lifted,
}

impl FeedStatus {
    const ALL: [FeedStatus; 4] =
        [FeedStatus::All, FeedStatus::Unacknowledged, FeedStatus::AwaitingFeedback, FeedStatus::Lifted];

    fn code(self) -> &'static str {
        match self {
            FeedStatus::All => "",
            FeedStatus::Unacknowledged => "unacknowledged",
            FeedStatus::AwaitingFeedback => "awaiting_feedback",
            FeedStatus::Lifted => "lifted",
        }
    }

    fn label(self) -> &'static str {
        match self {
            FeedStatus::All => "全部",
            FeedStatus::Unacknowledged => "待签收",
            FeedStatus::AwaitingFeedback => "未反馈",
            FeedStatus::Lifted => "已解除",
        }
    }

    /// An unknown value shows everything.
    fn parse(raw: Option<&str>) -> FeedStatus {
        let raw = raw.map(str::trim).unwrap_or_default();
        FeedStatus::ALL.into_iter().find(|s| s.code() == raw).unwrap_or(FeedStatus::All)
    }

    fn filter(self) -> feeds::FeedFilter {
        match self {
            FeedStatus::All => feeds::FeedFilter::All,
            FeedStatus::Unacknowledged => feeds::FeedFilter::Unacknowledged,
            FeedStatus::AwaitingFeedback => feeds::FeedFilter::AwaitingFeedback,
            FeedStatus::Lifted => feeds::FeedFilter::Lifted,
        }
    }
}

/// The feed page's address for `department`, `status` and `before`.
fn feed_href(department: &str, status: FeedStatus, before: Option<u64>) -> String {
    let mut href = format!("/console/feed?department={}", encode_query_value(department));
    if status != FeedStatus::All {
        href.push_str(&format!("&status={}", status.code()));
    }
    if let Some(before) = before {
        href.push_str(&format!("&before={before}"));
    }
    href
}

struct ItemView {
    /// The item's cursor: its anchor on the page.
    cursor: u64,
    listed: bool,
    listing_id: String,
    list_name: String,
    subject_name: String,
    subject_key: String,
    valid_until: String,
    measures: Vec<MeasureView>,
}

struct MeasureView {
    code: String,
    name: String,
    pushed_at: String,
    acknowledged_at: String,
    note: String,
    executed_at: String,
    outcome: String,
    receipt_id: String,
    case_ref: String,
    lifted_at: String,
    /// Still to act on: pushed, not lifted.
    open: bool,
}

fn item_view(item: FeedItem) -> ItemView {
    ItemView {
        cursor: item.cursor,
        listed: item.kind == "listed",
        listing_id: item.listing_id,
        list_name: item.list_name,
        subject_name: item.subject.name,
        subject_key: item.subject.key,
        valid_until: item.valid_until.map_or_else(|| "长期".to_owned(), |d| d.to_string()),
        measures: item
            .measures
            .into_iter()
            .map(|m| {
                let s = m.status.unwrap_or(feeds::PushStatus {
                    pushed_at: None,
                    acknowledged_at: None,
                    note: None,
                    executed_at: None,
                    outcome: None,
                    receipt_id: None,
                    case_ref: None,
                    lifted_at: None,
                });
                MeasureView {
                    open: s.pushed_at.is_some() && s.lifted_at.is_none(),
                    code: m.code,
                    name: m.name,
                    pushed_at: when(s.pushed_at),
                    acknowledged_at: when(s.acknowledged_at),
                    note: s.note.unwrap_or_default(),
                    executed_at: when(s.executed_at),
                    outcome: s.outcome.unwrap_or_default(),
                    receipt_id: s.receipt_id.unwrap_or_default(),
                    case_ref: s.case_ref.unwrap_or_default(),
                    lifted_at: when(s.lifted_at),
                }
            })
            .collect(),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct FeedQuery {
    department: Option<String>,
    notice: Option<String>,
    /// `unacknowledged` (待签收), `awaiting_feedback` (未反馈), `lifted` (已解除).
    status: Option<String>,
    /// Items older than this cursor.
    before: Option<String>,
}

fn feed_notice(code: &str) -> Option<&'static str> {
    match code {
        "acknowledged" => Some("已签收。"),
        "already_acknowledged" => Some("此前已签收，未重复记录。"),
        "fed_back" => Some("执行情况已反馈。"),
        "already_fed_back" => Some("相同的执行情况此前已反馈。"),
        _ => None,
    }
}

pub(crate) async fn feed_page(
    State(state): State<AppState>,
    caller: ConsoleCaller,
    Query(q): Query<FeedQuery>,
) -> Result<Response, PageError> {
    // The department asked for; else the caller's own, or none yet for the
    // credit office, which picks one on the page.
    let department = match q.department.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        Some(_) => {
            let department = named_department(&caller, &state, q.department.as_deref())?;
            caller.authorize(&state, Action::ReadFeed, &Resource::Department(department.clone()))?;
            Some(department)
        }
        None => caller.scope(&state, Action::ReadFeed)?.department().cloned(),
    };
    let status = FeedStatus::parse(q.status.as_deref());
    let before = q.before.as_deref().and_then(|b| b.trim().parse::<u64>().ok());
    Ok(respond(&state, feed_view(&state, &caller, department, (status, before), q.notice.as_deref()).await))
}

async fn feed_view(
    state: &AppState,
    caller: &ConsoleCaller,
    department: Option<DepartmentCode>,
    (status, before): (FeedStatus, Option<u64>),
    notice: Option<&str>,
) -> Result<FeedPage, ApiError> {
    let core = &state.core;
    let departments = core_auth::departments(core).await?;
    let items = match &department {
        Some(d) => feeds::feed_page(core, d, status.filter(), before, FEED_PAGE_ITEMS).await?,
        None => Vec::new(),
    };
    let code = department.as_ref().map(|d| d.to_string()).unwrap_or_default();
    let older = (items.len() >= FEED_PAGE_ITEMS).then(|| items.last().map(|i| i.cursor)).flatten();
    Ok(FeedPage {
        layout: Layout::new(state, "推送事项"),
        csrf_token: caller.csrf_token().to_owned(),
        notice: notice.and_then(feed_notice),
        choose_department: caller.allows(Action::ReadFeed, &Resource::AllDepartments),
        departments: departments
            .iter()
            .map(|d| Choice {
                value: d.code.to_string(),
                label: format!("{}（{}）", d.name, d.code),
                selected: d.code.as_str() == code,
            })
            .collect(),
        department_label: if code.is_empty() {
            String::new()
        } else {
            format!("{}（{code}）", department_name(&departments, &code))
        },
        tabs: FeedStatus::ALL
            .into_iter()
            .map(|s| Tab { label: s.label(), href: feed_href(&code, s, None), current: s == status })
            .collect(),
        newer_href: before.map(|_| feed_href(&code, status, None)),
        older_href: older.map(|cursor| feed_href(&code, status, Some(cursor))),
        status: status.code(),
        before: before.map(|b| b.to_string()).unwrap_or_default(),
        department: code,
        items: items.into_iter().map(item_view).collect(),
    })
}

#[derive(Debug, Deserialize)]
pub(crate) struct AcknowledgeForm {
    department: String,
    listing_id: String,
    measure: String,
    #[serde(default)]
    note: Option<String>,
    #[serde(flatten)]
    place: FeedPlace,
}

/// Where on the feed a form was posted from: the clerk comes back to the
/// same filter, page and item.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct FeedPlace {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    before: Option<String>,
    #[serde(default)]
    cursor: Option<String>,
}

fn back_to_feed(department: &DepartmentCode, place: &FeedPlace, notice: &str) -> Response {
    let status = FeedStatus::parse(place.status.as_deref());
    let before = place.before.as_deref().and_then(|b| b.trim().parse::<u64>().ok());
    let anchor = place.cursor.as_deref().and_then(|c| c.trim().parse::<u64>().ok());
    let mut to = format!("{}&notice={notice}", feed_href(department.as_str(), status, before));
    if let Some(cursor) = anchor {
        to.push_str(&format!("#item-{cursor}"));
    }
    Redirect::to(&to).into_response()
}

pub(crate) async fn acknowledge(
    State(state): State<AppState>,
    ConsoleForm { caller, form }: ConsoleForm<AcknowledgeForm>,
) -> Result<Response, PageError> {
    let department = named_department(&caller, &state, Some(&form.department))?;
    caller.authorize(&state, Action::AnswerFeed, &Resource::Department(department.clone()))?;
    let outcome = feeds::acknowledge(
        &state.core,
        &caller,
        &department,
        form.listing_id.trim(),
        form.measure.trim(),
        form.note.as_deref().unwrap_or_default(),
    )
    .await
    .map_err(|e| error_page(&state, e.into()))?;
    let notice = if outcome.recorded { "acknowledged" } else { "already_acknowledged" };
    Ok(back_to_feed(&department, &form.place, notice))
}

#[derive(Debug, Deserialize)]
pub(crate) struct FeedbackForm {
    department: String,
    listing_id: String,
    measure: String,
    outcome: String,
    #[serde(default)]
    receipt_id: Option<String>,
    #[serde(default)]
    case_ref: Option<String>,
    #[serde(flatten)]
    place: FeedPlace,
}

pub(crate) async fn feedback(
    State(state): State<AppState>,
    ConsoleForm { caller, form }: ConsoleForm<FeedbackForm>,
) -> Result<Response, PageError> {
    let department = named_department(&caller, &state, Some(&form.department))?;
    caller.authorize(&state, Action::AnswerFeed, &Resource::Department(department.clone()))?;
    let outcome = feeds::report_execution(
        &state.core,
        &caller,
        &department,
        form.listing_id.trim(),
        form.measure.trim(),
        form.outcome,
        form.receipt_id,
        form.case_ref,
    )
    .await
    .map_err(|e| error_page(&state, e.into()))?;
    Ok(back_to_feed(&department, &form.place, if outcome.recorded { "fed_back" } else { "already_fed_back" }))
}

// ---------------------------------------------------------------------------
// /console/loop
// ---------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "closed_loop/loop.html")]
struct LoopPage {
    layout: Layout,
    from: String,
    to: String,
    scope: String,
    error: Option<String>,
    summary: String,
    loop_chart: String,
    coverage_chart: String,
    lines: Vec<LineView>,
    departments: Vec<DepartmentView>,
    pending_days: u32,
}

struct LineView {
    measure: String,
    department: String,
    pushed: u64,
    responded: u64,
    fed_back: u64,
    lifted: u64,
    pending: u64,
    response: String,
    feedback: String,
}

struct DepartmentView {
    department: String,
    pushed: u64,
    responded: u64,
    fed_back: u64,
    pending: u64,
    cases_reported: u64,
    cases_checked: u64,
    coverage: String,
    checks_made: u64,
}

#[derive(Debug, Deserialize)]
pub(crate) struct LoopQuery {
    from: Option<String>,
    to: Option<String>,
}

fn percent(share: Option<f64>) -> String {
    share.map_or_else(|| "—".to_owned(), |s| format!("{:.1}%", s * 100.0))
}

fn hours_text(h: &Hours) -> String {
    match (h.median, h.mean) {
        (Some(median), Some(mean)) => format!("{median:.1} / {mean:.1}"),
        _ => "—".to_owned(),
    }
}

fn parse_day(raw: Option<&str>, label: &str) -> Result<Option<NaiveDate>, String> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| format!("{label}应为 YYYY-MM-DD 格式的日期，收到“{s}”")),
    }
}

pub(crate) async fn loop_page(
    State(state): State<AppState>,
    caller: ConsoleCaller,
    Query(q): Query<LoopQuery>,
) -> Result<Response, PageError> {
    let scope = caller.scope(&state, Action::ViewLoopMetrics)?;
    Ok(respond(&state, loop_view(&state, scope, q).await))
}

/// The loop metrics of every executing department (the credit office) or of
/// the caller's own.
async fn loop_view(state: &AppState, scope: Scope, q: LoopQuery) -> Result<(StatusCode, LoopPage), ApiError> {
    let core = &state.core;
    let departments = core_auth::departments(core).await?;
    let scope = scope.department().cloned();
    let scope_label = match &scope {
        None => "全部执行部门".to_owned(),
        Some(d) => format!("{}（{d}）", department_name(&departments, d.as_str())),
    };
    let period = parse_day(q.from.as_deref(), "开始日期").and_then(|from| {
        let to = parse_day(q.to.as_deref(), "结束日期")?;
        match (from, to) {
            (Some(f), Some(t)) if f > t => Err("开始日期不能晚于结束日期".to_owned()),
            _ => Ok((from, to)),
        }
    });
    let mut page = LoopPage {
        layout: Layout::new(state, "联合奖惩闭环统计"),
        from: q.from.clone().unwrap_or_default(),
        to: q.to.clone().unwrap_or_default(),
        scope: scope_label,
        error: None,
        summary: String::new(),
        loop_chart: String::new(),
        coverage_chart: String::new(),
        lines: Vec::new(),
        departments: Vec::new(),
        pending_days: xinyong_core::closed_loop::metrics::DEFAULT_PENDING_DAYS,
    };
    let (from, to) = match period {
        Ok(p) => p,
        Err(message) => {
            page.error = Some(message);
            return Ok((StatusCode::BAD_REQUEST, page));
        }
    };
    let filter = LoopFilter { from, to, department: scope, pending_days: None };
    let m = loop_metrics(core, &filter).await?;
    page.summary = summary(&m);
    page.pending_days = m.pending_days;
    if !m.departments.is_empty() {
        page.loop_chart = loop_chart(&m.departments);
        page.coverage_chart = coverage_chart(&m.departments);
    }
    page.lines = m.lines.iter().map(line_view).collect();
    page.departments = m.departments.iter().map(department_view).collect();
    Ok((StatusCode::OK, page))
}

/// One sentence over the whole period.
fn summary(m: &LoopMetrics) -> String {
    let t = &m.totals;
    if t.pushed == 0 {
        return "所选期间没有推送的惩戒或激励措施。".to_owned();
    }
    format!(
        "共推送 {} 项措施，已签收 {} 项（{}），已反馈执行情况 {} 项（{}），已随移出解除 {} 项；推送超过 {} 天仍未反馈 {} 项。",
        t.pushed,
        t.responded,
        percent(t.response_share()),
        t.fed_back,
        percent(t.feedback_share()),
        t.lifted,
        m.pending_days,
        t.pending_overdue
    )
}

fn line_view(l: &MeasureLine) -> LineView {
    LineView {
        measure: format!("{}（{}）", l.measure_name, l.measure),
        department: l.department_name.clone(),
        pushed: l.counts.pushed,
        responded: l.counts.responded,
        fed_back: l.counts.fed_back,
        lifted: l.counts.lifted,
        pending: l.counts.pending_overdue,
        response: hours_text(&l.counts.response_hours),
        feedback: hours_text(&l.counts.feedback_hours),
    }
}

fn department_view(d: &DepartmentLine) -> DepartmentView {
    DepartmentView {
        department: d.department_name.clone(),
        pushed: d.counts.pushed,
        responded: d.counts.responded,
        fed_back: d.counts.fed_back,
        pending: d.counts.pending_overdue,
        cases_reported: d.cases_reported,
        cases_checked: d.cases_checked,
        coverage: percent(d.coverage),
        checks_made: d.checks_made,
    }
}

/// Labels longer than this are cut (the full name is in the tooltip and the table).
const LABEL_CHARS: usize = 14;
const LABEL_RIGHT: u32 = 196;
const BAR_X: u32 = 210;
const BAR_W: u32 = 640;

/// A bar series: its name, colour and the count it shows.
type Series = (&'static str, &'static str, fn(&LoopCounts) -> u64);

/// Per department, three horizontal bars: pushed (grey), acknowledged
/// (blue), fed back (green), on one scale (the largest pushed count). Pure;
/// every name in it is escaped.
fn loop_chart(lines: &[DepartmentLine]) -> String {
    use std::fmt::Write as _;
    const GROUP: u32 = 54;
    const BAR_H: u32 = 14;
    let series: [Series; 3] =
        [("推送", "#8b949e", |c| c.pushed), ("签收", "#1f6feb", |c| c.responded), ("反馈", "#2e7d32", |c| c.fed_back)];
    let rows = u32::try_from(lines.len()).unwrap_or(u32::MAX).min(1_000);
    let legend_y = TOP + rows * GROUP + 8;
    let height = legend_y + 24;
    let max = lines.iter().map(|l| l.counts.pushed).max().unwrap_or(0).max(1);
    let scale = |v: u64| f64::from(BAR_W) * (v as f64 / max as f64);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" role="img" aria-labelledby="loop-chart-title loop-chart-desc" viewBox="0 0 {WIDTH} {height}" width="100%" xmlns="http://www.w3.org/2000/svg">"#
    );
    let _ = write!(
        svg,
        "<title id=\"loop-chart-title\">各执行部门的推送、签收与反馈</title><desc id=\"loop-chart-desc\">共 {} 个部门；每组三条：灰色为推送数，蓝色为已签收，绿色为已反馈执行情况。详细数字见下表。</desc>",
        lines.len()
    );
    for (i, line) in lines.iter().take(rows as usize).enumerate() {
        let y0 = TOP + u32::try_from(i).unwrap_or(0) * GROUP;
        let c = &line.counts;
        let tip = format!("{}：推送 {}，签收 {}，反馈 {}", line.department_name, c.pushed, c.responded, c.fed_back);
        let _ = write!(svg, "<g><title>{}</title>", escape_xml(&tip));
        let _ = write!(
            svg,
            r#"<text x="{LABEL_RIGHT}" y="{}" font-size="13" text-anchor="end" fill="{INK}">{}</text>"#,
            y0 + 26,
            escape_xml(&short_label(&line.department_name, LABEL_CHARS))
        );
        for (j, (_, colour, value)) in series.iter().enumerate() {
            let y = y0 + 2 + u32::try_from(j).unwrap_or(0) * (BAR_H + 2);
            let v = value(c);
            let _ = write!(
                svg,
                r#"<rect x="{BAR_X}" y="{y}" width="{:.1}" height="{BAR_H}" fill="{colour}"/><text x="{:.1}" y="{}" font-size="11" fill="{INK}">{v}</text>"#,
                scale(v),
                f64::from(BAR_X) + scale(v) + 6.0,
                y + 11
            );
        }
        svg.push_str("</g>");
    }
    let _ = write!(svg, r#"<g font-size="12" fill="{INK}">"#);
    for (j, (name, colour, _)) in series.iter().enumerate() {
        let x = BAR_X + u32::try_from(j).unwrap_or(0) * 80;
        let _ = write!(
            svg,
            r#"<rect x="{x}" y="{legend_y}" width="12" height="12" fill="{colour}"/><text x="{}" y="{}">{name}</text>"#,
            x + 18,
            legend_y + 11
        );
    }
    svg.push_str("</g></svg>");
    svg
}

/// Per department, 应查必查 coverage (checked / reported cases) against a
/// dashed 100 % line; departments without reported cases get an empty grey
/// bar. Pure; every name in it is escaped.
fn coverage_chart(lines: &[DepartmentLine]) -> String {
    let bars: Vec<ShareBar> = lines
        .iter()
        .take(1_000)
        .map(|line| ShareBar {
            label: line.department_name.clone(),
            tip: match line.coverage {
                Some(s) => format!(
                    "{}：办理 {} 件，已核查 {} 件，覆盖率 {:.1}%",
                    line.department_name,
                    line.cases_reported,
                    line.cases_checked,
                    s * 100.0
                ),
                None => format!("{}：未报送办理案件", line.department_name),
            },
            share: line.coverage,
        })
        .collect();
    let chart = ShareChart {
        id: "cov-chart",
        title: "各部门应查必查覆盖率",
        desc: "办理案件中有同一案件编号信用核查回执的比例；绿色为已核查，红色为未核查，虚线为 100%。详细数字见下表。",
        label_right: LABEL_RIGHT,
        label_chars: LABEL_CHARS,
        max_rows: 1_000,
        yes: "已核查",
        no: "未核查",
        legend_gap: 90,
        target_legend: None,
        empty_text: "未报送",
    };
    share_chart(&chart, &bars)
}

// ---------------------------------------------------------------------------
// /console/measures
// ---------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "closed_loop/measures.html")]
struct MeasuresPage {
    layout: Layout,
    version: String,
    lists_version: String,
    punishments: Vec<MeasureRow>,
    incentives: Vec<MeasureRow>,
    list_groups: Vec<ListGroup>,
}

struct MeasureRow {
    code: String,
    name: String,
    category: String,
    basis: String,
    executors: String,
    scenarios: String,
    mandatory: bool,
    personal: bool,
}

struct ListGroup {
    name: &'static str,
    lists: Vec<ListRow>,
}

struct ListRow {
    code: String,
    name: String,
    domain: String,
    validity: String,
    measures: Vec<String>,
}

pub(crate) async fn measures_page(State(state): State<AppState>, caller: ConsoleCaller) -> Result<Response, PageError> {
    caller.authorize(&state, Action::ViewRules, &Resource::Platform)?;
    Ok(respond(&state, measures_view(&state).await))
}

async fn measures_view(state: &AppState) -> Result<MeasuresPage, ApiError> {
    let departments = core_auth::departments(&state.core).await?;
    let rules = &state.core.rules().sanctions;
    let row = |m: &xinyong_domain::lists::sanction::Measure| MeasureRow {
        code: m.code.clone(),
        name: m.name.clone(),
        category: m.category.name_zh().to_owned(),
        basis: m.basis.clone(),
        executors: m.executors.iter().map(|d| department_name(&departments, d.as_str())).collect::<Vec<_>>().join("、"),
        scenarios: m
            .scenarios
            .iter()
            .map(|s| rules.scenario(s).map_or_else(|| s.clone(), |s| s.name.clone()))
            .collect::<Vec<_>>()
            .join("、"),
        mandatory: m.mandatory,
        personal: m.personal,
    };
    let mut groups: BTreeMap<ListKind, Vec<ListRow>> = BTreeMap::new();
    for l in rules.lists() {
        groups.entry(l.kind).or_default().push(ListRow {
            code: l.code.clone(),
            name: l.name.clone(),
            domain: l.domain.clone(),
            validity: match l.validity_months {
                Some(m) if m % 12 == 0 => format!("{} 年", m / 12),
                Some(m) => format!("{m} 个月"),
                None => "至移出".to_owned(),
            },
            measures: l
                .measures
                .iter()
                .map(|c| rules.measure(c).map_or_else(|| c.clone(), |m| format!("{}（{}）", m.name, m.code)))
                .collect(),
        });
    }
    Ok(MeasuresPage {
        layout: Layout::new(state, "奖惩措施清单"),
        version: rules.measures_version().to_owned(),
        lists_version: rules.lists_version().to_owned(),
        punishments: rules.measures().iter().filter(|m| m.kind == MeasureKind::Punishment).map(row).collect(),
        incentives: rules.measures().iter().filter(|m| m.kind == MeasureKind::Incentive).map(row).collect(),
        list_groups: groups.into_iter().map(|(kind, lists)| ListGroup { name: kind.name_zh(), lists }).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(name: &str, pushed: u64, responded: u64, fed_back: u64, coverage: Option<f64>) -> DepartmentLine {
        DepartmentLine {
            department: "x".into(),
            department_name: name.into(),
            counts: LoopCounts { pushed, responded, fed_back, ..LoopCounts::default() },
            cases_reported: 2,
            cases_checked: 1,
            coverage,
            checks_made: 1,
        }
    }

    #[test]
    fn charts_escape_names_and_describe_themselves() {
        let lines = [line("<甲局>", 4, 2, 1, Some(0.5)), line("乙局", 2, 2, 2, None)];
        let svg = loop_chart(&lines);
        assert!(svg.contains("&lt;甲局&gt;") && !svg.contains("<甲局>"));
        assert!(svg.contains("<desc id=\"loop-chart-desc\">"));
        assert_eq!(svg.matches("<g><title>").count(), 2);
        let svg = coverage_chart(&lines);
        assert!(svg.contains("50.0%") && svg.contains("未报送"));
    }

    #[test]
    fn only_known_notices_are_shown() {
        assert!(feed_notice("acknowledged").is_some());
        assert!(feed_notice("<script>").is_none());
    }
}

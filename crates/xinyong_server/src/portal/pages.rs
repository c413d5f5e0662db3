//! The public portal: search, subject credit pages, 双公示 lists, credit
//! lists and log verification. What may be shown is decided by
//! `xinyong_core::portal` (the JSON API uses the same functions); these
//! handlers only shape pages. Every page works without JavaScript; htmx only
//! adds search-as-you-type.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use xinyong_core::lists::published::{self, ListsQuery, PublishedListing};
use xinyong_core::portal::search::{QueryNotice, SearchAnswer, SearchHit};
use xinyong_core::portal::{self, PublicRecord, PublicRecordQuery, RecordCursor, SubjectProfile};
use xinyong_domain::codes::division::jinan_counties;
use xinyong_domain::lists::sanction::ListKind;
use xinyong_domain::{DivisionCode, Uscc};

use crate::ratelimit::PublicVisitor;
use crate::web::{Layout, error_page, thousands};
use crate::{ApiError, AppState};

/// Hits per results page, and how many pages a query can have. The index
/// returns at most the hits it is asked for, so a query is answered with
/// at most `RESULT_PAGES * RESULTS_PER_PAGE + 1` hits (the one extra says
/// there are more): 400 names are more than anyone reads, and a query that
/// matches more (济南, 商贸) needs a more complete name, not page 500.
const RESULTS_PER_PAGE: usize = 20;
const RESULT_PAGES: usize = 20;
/// Hits shown as suggestions under the search box.
const SUGGESTIONS: usize = 8;
/// Rows per page of the 双公示 lists.
const PAGE_SIZE: u32 = 20;
/// Longest query read (a name is at most 200 characters, see the catalog).
const MAX_QUERY_CHARS: usize = 100;

fn not_found(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
}

fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
}

/// Percent-encodes a query string value (RFC 3986 unreserved kept).
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

pub(crate) fn query_string(pairs: &[(&str, &str)]) -> String {
    let parts: Vec<String> =
        pairs.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("{k}={}", encode(v))).collect();
    if parts.is_empty() { String::new() } else { format!("?{}", parts.join("&")) }
}

fn division_name(code: &str) -> String {
    DivisionCode::parse(code).map_or_else(|_| code.to_owned(), |d| d.full_name())
}

fn status_name(code: &str) -> &'static str {
    xinyong_domain::subjects::SubjectStatus::parse(code).map_or("未知", |s| s.name_zh())
}

// ----- search ------------------------------------------------------------------

/// A search hit as the pages show it.
pub(crate) struct HitView {
    uscc: String,
    name: String,
    status: String,
    status_name: &'static str,
    division_name: String,
}

impl From<SearchHit> for HitView {
    fn from(h: SearchHit) -> Self {
        HitView {
            status_name: status_name(&h.status),
            division_name: division_name(&h.division),
            uscc: h.uscc,
            name: h.name,
            status: h.status,
        }
    }
}

/// The query as typed, trimmed and capped.
fn clean_query(raw: Option<&str>) -> String {
    raw.unwrap_or("").trim().chars().take(MAX_QUERY_CHARS).collect()
}

#[derive(Debug, Deserialize)]
pub(crate) struct SearchQuery {
    q: Option<String>,
    page: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/search.html")]
pub(crate) struct SearchPage {
    layout: Layout,
    q: String,
    /// This page's hits.
    hits: Vec<HitView>,
    /// Hits over all pages (at most `RESULT_PAGES * RESULTS_PER_PAGE`).
    total: usize,
    /// More names match than the pages show.
    more: bool,
    /// What to tell about the query (too short, a person's name, a wrong
    /// check character, an unknown code), in Chinese.
    notice: Option<String>,
    /// The notice's stable code, for tests and styling.
    notice_code: &'static str,
    /// The number of this page's first hit.
    start: usize,
    pager: super::pager::Pager,
}

/// The stable code of a search notice (pages and API).
pub(crate) fn notice_code(n: QueryNotice) -> &'static str {
    match n {
        QueryNotice::TooShort => "query_too_short",
        QueryNotice::PersonName => "natural_person_not_searchable",
        QueryNotice::UsccCheckCharacter { .. } => "uscc_check_character",
        QueryNotice::UnknownCode => "uscc_not_found",
    }
}

pub(crate) async fn search(
    State(state): State<AppState>,
    _visitor: PublicVisitor,
    Query(p): Query<SearchQuery>,
) -> Response {
    let q = clean_query(p.q.as_deref());
    let cap = RESULT_PAGES * RESULTS_PER_PAGE;
    let answer = if q.is_empty() { SearchAnswer::default() } else { state.search.answer(&q, cap + 1) };
    let more = answer.hits.len() > cap;
    let total = answer.hits.len().min(cap);
    let pager = super::pager::Pager::new(
        "/search",
        &[("q", &q)],
        page_param(p.page.as_deref()),
        total.div_ceil(RESULTS_PER_PAGE),
    );
    let hits = answer
        .hits
        .into_iter()
        .skip((pager.page - 1) * RESULTS_PER_PAGE)
        .take(RESULTS_PER_PAGE)
        .map(HitView::from)
        .collect();
    let title = if q.is_empty() { "信用查询".to_owned() } else { format!("“{q}”的查询结果") };
    SearchPage {
        layout: Layout::new(&state, &title).at("search"),
        q,
        hits,
        total,
        more,
        notice: answer.notice.map(QueryNotice::message_zh),
        notice_code: answer.notice.map_or("", notice_code),
        start: (pager.page - 1) * RESULTS_PER_PAGE + 1,
        pager,
    }
    .into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/search_suggest.html")]
pub(crate) struct SuggestFragment {
    q: String,
    hits: Vec<HitView>,
    /// Said instead of "nothing found" when the query explains itself (a
    /// person's name, a wrong check character).
    notice: Option<String>,
}

/// The htmx fragment under the search box.
pub(crate) async fn suggest(
    State(state): State<AppState>,
    _visitor: PublicVisitor,
    Query(p): Query<SearchQuery>,
) -> Response {
    let q = clean_query(p.q.as_deref());
    let answer = if q.is_empty() { SearchAnswer::default() } else { state.search.answer(&q, SUGGESTIONS) };
    // While typing, a notice only replaces "nothing found": a person-like
    // fragment that is literally in company names lists those names.
    let notice =
        answer.notice.filter(|n| *n != QueryNotice::TooShort && answer.hits.is_empty()).map(QueryNotice::message_zh);
    SuggestFragment { q, hits: answer.hits.into_iter().map(HitView::from).collect(), notice }.into_response()
}

// ----- subject page --------------------------------------------------------------

/// One label–value line of a record card.
pub(crate) struct Line {
    label: String,
    value: String,
}

/// A record as a card on the subject page or a row of a list.
pub(crate) struct RecordCard {
    item_name: String,
    document_number: String,
    decision_date: String,
    /// 公示期至: a date or 长期.
    until: String,
    log_index: u64,
    subject_uscc: String,
    subject_name: String,
    department: String,
    /// The fields a reader looks for first, in this order.
    lines: Vec<Line>,
    /// Every public field.
    all: Vec<Line>,
    /// One short summary (licence content, penalty content) for list rows.
    summary: String,
    authority: String,
    /// Link to the record's verification (not on that page itself).
    verify_link: bool,
    /// 异议处理中.
    under_objection: bool,
}

/// Fields shown first, by item: (code or `role:<role>`, label).
fn highlights(item: &str) -> &'static [(&'static str, &'static str)] {
    match item {
        "XK" => &[
            ("XK_XKZS", "许可证书"),
            ("XK_NR", "许可内容"),
            ("role:authority_name", "许可机关"),
            ("role:status", "当前状态"),
        ],
        "CF" => &[
            ("CF_WFXW", "违法行为类型"),
            ("CF_SY", "违法事实"),
            ("CF_YJ", "处罚依据"),
            ("CF_NR", "处罚内容"),
            ("role:fine_amount", "罚款金额"),
            ("role:confiscation_amount", "没收金额"),
            ("role:authority_name", "处罚机关"),
        ],
        _ => &[],
    }
}

fn value_of<'r>(r: &'r PublicRecord, key: &str) -> &'r str {
    match key.strip_prefix("role:") {
        Some(role) => r.role(role),
        None => r.get(key),
    }
}

/// Identity fields repeat the page's subject; a card leaves them out.
const SUBJECT_ROLES: &[&str] = &["subject_name", "subject_kind", "subject_uscc", "document_number", "decision_date"];

fn card(r: &PublicRecord, departments: &std::collections::BTreeMap<String, String>) -> RecordCard {
    let mut lines: Vec<Line> = highlights(&r.item)
        .iter()
        .filter_map(|(key, label)| {
            let v = value_of(r, key);
            (!v.is_empty()).then(|| Line { label: (*label).to_owned(), value: v.to_owned() })
        })
        .collect();
    let (from, to) = (r.role("valid_from"), r.role("valid_to"));
    if !from.is_empty() || !to.is_empty() {
        lines.insert(lines.len().min(2), Line { label: "有效期".to_owned(), value: format!("{from} 至 {to}") });
    }
    let all: Vec<Line> = r
        .fields
        .iter()
        .filter(|f| !f.role.as_deref().is_some_and(|role| SUBJECT_ROLES.contains(&role)))
        .map(|f| Line { label: f.name.clone(), value: f.value.clone() })
        .collect();
    if lines.is_empty() {
        lines = all.iter().take(6).map(|l| Line { label: l.label.clone(), value: l.value.clone() }).collect();
    }
    let summary = match r.item.as_str() {
        "XK" => r.get("XK_NR"),
        "CF" => {
            if r.get("CF_NR").is_empty() {
                r.get("CF_WFXW")
            } else {
                r.get("CF_NR")
            }
        }
        _ => r.fields.iter().find(|f| f.role.is_none()).map_or("", |f| f.value.as_str()),
    };
    RecordCard {
        item_name: r.item_name.clone(),
        document_number: r.document_number.clone(),
        decision_date: r.decision_date.to_string(),
        until: r.publicity_until.map_or_else(|| "长期".to_owned(), |d| d.to_string()),
        log_index: r.log_index,
        subject_uscc: r.subject_uscc.clone(),
        subject_name: r.subject_name.clone(),
        department: departments.get(&r.department).cloned().unwrap_or_else(|| r.department.clone()),
        lines,
        all,
        summary: summary.to_owned(),
        authority: r.role("authority_name").to_owned(),
        verify_link: true,
        under_objection: r.under_objection,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/subject.html")]
pub(crate) struct SubjectPage {
    layout: Layout,
    p: SubjectProfile,
    /// A past day asked for (`?as_of=`): the page shows that day's state.
    past: bool,
    today: String,
    licences: Vec<RecordCard>,
    penalties: Vec<RecordCard>,
    other_acts: Vec<RecordCard>,
    list_entries: Vec<RecordCard>,
    /// Published, in-force list memberships (名单信息).
    memberships: Vec<ListEntryRow>,
    /// For each list the subject is on: how it leaves and what it may do.
    relief: Vec<ListRelief>,
    /// Random inspections the subject was drawn for (双随机、一公开); today's view only.
    inspections: Vec<xinyong_core::inspections::view::SubjectInspection>,
    /// Public pledges in force (信用承诺公示); today's view only.
    pledges: Vec<crate::commitments::pledges::PledgeView>,
    /// 告知承诺 the organisation made, and where each stands; today's view only.
    commitments: Vec<CommitmentLine>,
    /// Accepted voluntary registrations (自主申报 · 已审核); today's view only.
    registrations: Vec<crate::registrations::PublicRegistration>,
}

/// 移出条件 and 救济途径 of a list the subject is on, from the list's rules
/// in force (the same words the console shows the deciding department).
pub(crate) struct ListRelief {
    list_name: String,
    exit_conditions: String,
    /// 救济途径 of the rules; empty when they state none.
    remedy: String,
    /// Credit repair can end the listing early (after this many months, 0 =
    /// any time).
    repair_after_months: Option<u32>,
    /// An incentive (red) list: nothing to be relieved of.
    red: bool,
}

/// The relief of each distinct list in `memberships`, in their order.
fn relief_of(state: &AppState, memberships: &[xinyong_core::lists::published::PublishedListing]) -> Vec<ListRelief> {
    let rules = state.core.rules();
    let mut seen = std::collections::BTreeSet::new();
    memberships
        .iter()
        .filter(|m| seen.insert(m.list_code.clone()))
        .filter_map(|m| rules.sanctions.list(&m.list_code))
        .map(|list| ListRelief {
            list_name: list.name.clone(),
            exit_conditions: list.exit_conditions.clone(),
            remedy: Some(list.remedy.trim()).filter(|r| !r.is_empty() && *r != "—").unwrap_or_default().to_owned(),
            repair_after_months: list.repairable.then_some(list.early_exit_after_months.unwrap_or(0)),
            red: list.kind == xinyong_domain::lists::sanction::ListKind::Red,
        })
        .collect()
}

/// A 告知承诺 as the public page lists it.
pub(crate) struct CommitmentLine {
    item_name: String,
    department: String,
    made_on: String,
    status: &'static str,
}

pub(crate) async fn subject(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    Query(q): Query<super::api::AsOfQuery>,
) -> Response {
    let Some(uscc) = portal::normalize_uscc(&raw) else {
        return error_page(&state, not_found("统一社会信用代码格式不正确，未找到该主体。"));
    };
    if uscc.as_str() != raw {
        // One address per subject: /subjects/91370102… in canonical form.
        return Redirect::permanent(&format!("/subjects/{}", uscc.as_str())).into_response();
    }
    let day = match q.day() {
        Ok(day) => day,
        Err(e) => return error_page(&state, e),
    };
    let (profile, departments) = match subject_data(&state, &uscc, day).await {
        Ok(Some(found)) => found,
        Ok(None) => return error_page(&state, not_found(format!("平台中没有统一社会信用代码为 {uscc} 的主体。"))),
        Err(e) => return error_page(&state, e),
    };
    let today_only = async {
        if day.is_some() {
            return Ok((Vec::new(), Vec::new(), Vec::new()));
        }
        let inspections = xinyong_core::inspections::view::of_subject(&state.core, &uscc).await?;
        let pledges = xinyong_core::commitments::pledges::public_pledges_of(&state.core, &uscc).await?;
        let made = xinyong_core::commitments::views::public_of_subject(&state.core, &uscc).await?;
        let made = made
            .into_iter()
            .map(|c| CommitmentLine {
                department: departments.get(c.department.as_str()).cloned().unwrap_or_else(|| c.department.to_string()),
                item_name: c.item_name,
                made_on: c.made_on.to_string(),
                status: c.status.name_zh(),
            })
            .collect();
        Ok::<_, xinyong_core::CoreError>((inspections, pledges.into_iter().map(Into::into).collect(), made))
    };
    let (inspections, pledges, commitments) = match today_only.await {
        Ok(found) => found,
        Err(e) => return error_page(&state, e.into()),
    };
    let registrations = match day {
        Some(_) => Vec::new(),
        None => match crate::registrations::public_of_subject(&state, &uscc, &departments).await {
            Ok(found) => found,
            Err(e) => return error_page(&state, e.into()),
        },
    };
    let cards = |list: &[PublicRecord]| list.iter().map(|r| card(r, &departments)).collect::<Vec<_>>();
    SubjectPage {
        inspections,
        pledges,
        commitments,
        registrations,
        layout: Layout::new(&state, &profile.name).at("search"),
        licences: cards(&profile.licences),
        penalties: cards(&profile.penalties),
        other_acts: cards(&profile.other_acts),
        list_entries: cards(&profile.list_entries),
        memberships: profile.memberships.iter().map(ListEntryRow::from).collect(),
        relief: relief_of(&state, &profile.memberships),
        past: day.is_some(),
        today: xinyong_core::collection::intake::china_today(&state.core).to_string(),
        p: profile,
    }
    .into_response()
}

async fn subject_data(
    state: &AppState,
    uscc: &Uscc,
    day: Option<NaiveDate>,
) -> Result<Option<(SubjectProfile, std::sync::Arc<xinyong_core::auth::names::Names>)>, ApiError> {
    let profile = match day {
        Some(day) => portal::as_of::profile_as_of(&state.core, uscc, day).await?.map(|a| a.profile),
        None => portal::subject_profile(&state.core, uscc).await?,
    };
    let Some(profile) = profile else { return Ok(None) };
    Ok(Some((profile, portal::department_names(&state.core).await?)))
}

// ----- verification --------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "portal/verify.html")]
pub(crate) struct VerifyPage {
    layout: Layout,
    v: portal::EntryVerification,
    time: String,
    card: Option<RecordCard>,
    proof_ok: bool,
    proof_problem: String,
}

fn parse_index(raw: &str) -> Result<u64, ApiError> {
    raw.parse().map_err(|_| not_found(format!("“{raw}”不是日志序号（应为非负整数）。")))
}

pub(crate) async fn verify(State(state): State<AppState>, Path(raw): Path<String>) -> Response {
    let result = async {
        let index = parse_index(&raw)?;
        let v = portal::verify_entry(&state.core, index).await?;
        let departments = portal::department_names(&state.core).await?;
        Ok::<_, ApiError>((v, departments))
    }
    .await;
    let (v, departments) = match result {
        Ok(found) => found,
        Err(e) => return error_page(&state, e),
    };
    let time = v.time.with_timezone(&crate::web::beijing()).format("%Y-%m-%d %H:%M:%S").to_string();
    let (proof_ok, proof_problem) = match &v.proof_check {
        Ok(()) => (true, String::new()),
        Err(e) => (false, e.clone()),
    };
    VerifyPage {
        layout: Layout::new(&state, &format!("日志验证 · 第 {} 条", v.index)).at("verify"),
        time,
        card: v.record.as_ref().map(|r| RecordCard { verify_link: false, ..card(r, &departments) }),
        proof_ok,
        proof_problem,
        v,
    }
    .into_response()
}

/// The committed body of a public record, byte for byte, for recomputing the
/// commitment without copy-and-paste mistakes.
pub(crate) async fn verify_body(State(state): State<AppState>, Path(raw): Path<String>) -> Response {
    let result = async {
        let index = parse_index(&raw)?;
        let v = portal::verify_entry(&state.core, index).await?;
        v.opening.ok_or_else(|| not_found(format!("第 {index} 条日志的正文不公开。")))
    }
    .await;
    match result {
        Ok(opening) => ([(header::CONTENT_TYPE, "application/json; charset=utf-8")], opening.body).into_response(),
        Err(e) => error_page(&state, e),
    }
}

/// The public fields of a record's v2 entry with their disclosures, for
/// checking them by program: `{"index", "entry", "disclosures": [...]}`.
pub(crate) async fn verify_disclosures(State(state): State<AppState>, Path(raw): Path<String>) -> Response {
    let result = async {
        let index = parse_index(&raw)?;
        let v = portal::verify_entry(&state.core, index).await?;
        if v.disclosures.is_empty() {
            return Err(not_found(format!("第 {index} 条日志没有可公开的逐字段披露。")));
        }
        Ok(serde_json::json!({ "index": v.index, "entry": v.entry, "disclosures": v.disclosures }))
    }
    .await;
    match result {
        Ok(json) => axum::Json(json).into_response(),
        Err(e) => error_page(&state, e),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct VerifyHomeQuery {
    index: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/verify_home.html")]
pub(crate) struct VerifyHomePage {
    layout: Layout,
    size: String,
    checkpoint: Option<String>,
    verifier_key: String,
    error: Option<String>,
}

pub(crate) async fn verify_home(State(state): State<AppState>, Query(q): Query<VerifyHomeQuery>) -> Response {
    let mut error = None;
    if let Some(raw) = q.index.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        match raw.parse::<u64>() {
            Ok(index) => return Redirect::to(&format!("/verify/{index}")).into_response(),
            Err(_) => error = Some(format!("“{raw}”不是日志序号，请输入非负整数。")),
        }
    }
    let cp = match state.core.latest_checkpoint().await {
        Ok(cp) => cp,
        Err(e) => return error_page(&state, e.into()),
    };
    VerifyHomePage {
        layout: Layout::new(&state, "日志验证").at("verify"),
        size: cp.as_ref().map_or_else(|| "0".to_owned(), |c| thousands(c.size)),
        checkpoint: cp.map(|c| c.note),
        verifier_key: state.core.keys().verifier_key(),
        error,
    }
    .into_response()
}

// ----- 双公示 and lists ---------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ListQuery {
    pub(crate) department: Option<String>,
    pub(crate) district: Option<String>,
    pub(crate) from: Option<String>,
    pub(crate) to: Option<String>,
    /// A USCC or part of a subject name.
    pub(crate) q: Option<String>,
    /// Numbered page (1-based).
    pub(crate) page: Option<String>,
    /// Keyset cursor of the "下一页" links before pages were numbered; still
    /// honoured when no `page` is given, so old links keep working.
    pub(crate) after: Option<String>,
}

pub(crate) struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/publicity.html")]
pub(crate) struct PublicityPage {
    layout: Layout,
    /// `licences` or `penalties`.
    kind: &'static str,
    heading: &'static str,
    rows: Vec<RecordCard>,
    total: String,
    /// More match than `total` (the count stops where numbered paging ends).
    total_is_lower_bound: bool,
    /// What to tell about the search box's text: code and message.
    notice: Option<(&'static str, String)>,
    departments: Vec<Choice>,
    districts: Vec<Choice>,
    from: String,
    to: String,
    q: String,
    filtered: bool,
    /// Numbered pages; `None` on a keyset page (an old `after=` link).
    pager: Option<super::pager::Pager>,
    /// Query string of the next keyset page, on a keyset page.
    next: Option<String>,
    /// Query string of the first page (filters kept), on a keyset page.
    first: Option<String>,
}

fn parse_day(raw: Option<&str>, label: &str) -> Result<Option<NaiveDate>, ApiError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| bad_request(format!("{label}应为 YYYY-MM-DD 格式的日期，收到“{s}”。"))),
    }
}

/// `YYYY-MM-DD_<record id>`: the last row of the previous page.
fn parse_cursor(raw: Option<&str>) -> Result<Option<RecordCursor>, ApiError> {
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else { return Ok(None) };
    let bad = || bad_request("翻页参数无效，请从第一页重新浏览。");
    let (date, id) = raw.split_once('_').ok_or_else(bad)?;
    NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| bad())?;
    if id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(bad());
    }
    Ok(Some(RecordCursor { decision_date: date.to_owned(), id: id.to_owned() }))
}

/// The district filter: one of Jinan's county-level codes.
fn district_param(raw: Option<&str>) -> Option<String> {
    let raw = raw.map(str::trim).filter(|s| !s.is_empty())?;
    jinan_counties().iter().find(|d| d.code == raw).map(|d| d.code.to_owned())
}

pub(crate) struct ListRequest {
    pub(crate) query: PublicRecordQuery,
    department: String,
    district: String,
    from: String,
    to: String,
    q: String,
}

impl ListRequest {
    /// The filters as query-string pairs (for page links).
    fn filters(&self) -> [(&'static str, &str); 5] {
        [
            ("department", self.department.as_str()),
            ("district", self.district.as_str()),
            ("from", &self.from),
            ("to", &self.to),
            ("q", &self.q),
        ]
    }
}

/// `size` rows per page: the pages use [`PAGE_SIZE`], the API its `page_size`.
pub(crate) fn list_request(item: &str, q: &ListQuery, size: u32) -> Result<ListRequest, ApiError> {
    let decided_from = parse_day(q.from.as_deref(), "起始日期")?;
    let decided_to = parse_day(q.to.as_deref(), "截止日期")?;
    let department = q.department.as_deref().map(str::trim).unwrap_or("").to_owned();
    let department = if department.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') && department.len() <= 32 {
        department
    } else {
        String::new()
    };
    let district = district_param(q.district.as_deref()).unwrap_or_default();
    let subject_text = portal::subject_text(q.q.as_deref());
    let cursor = parse_cursor(q.after.as_deref())?;
    // A numbered page unless only a cursor was given.
    let page = match (&q.page, &cursor) {
        (None, Some(_)) => 0,
        _ => u32::try_from(page_param(q.page.as_deref())).unwrap_or(u32::MAX),
    };
    Ok(ListRequest {
        query: PublicRecordQuery {
            item: item.to_owned(),
            department: Some(department.clone()).filter(|d| !d.is_empty()),
            division_prefix: Some(district.clone()).filter(|d| !d.is_empty()),
            decided_from,
            decided_to,
            subject_text: subject_text.clone(),
            cursor,
            page,
            limit: size,
        },
        q: subject_text.unwrap_or_default(),
        department,
        district,
        from: decided_from.map(|d| d.to_string()).unwrap_or_default(),
        to: decided_to.map(|d| d.to_string()).unwrap_or_default(),
    })
}

pub(crate) async fn licences(State(state): State<AppState>, Query(q): Query<ListQuery>) -> Response {
    publicity(state, "licences", q).await
}

pub(crate) async fn penalties(State(state): State<AppState>, Query(q): Query<ListQuery>) -> Response {
    publicity(state, "penalties", q).await
}

async fn publicity(state: AppState, kind: &'static str, q: ListQuery) -> Response {
    let (item, heading) = if kind == "licences" { ("XK", "行政许可") } else { ("CF", "行政处罚") };
    let result = async {
        let req = list_request(item, &q, PAGE_SIZE)?;
        let page = portal::public_records(&state.core, &state.search, state.portal.lists, &req.query).await?;
        let names = portal::department_names(&state.core).await?;
        Ok::<_, ApiError>((req, page, names))
    }
    .await;
    let (req, page, names) = match result {
        Ok(found) => found,
        Err(e) => return error_page(&state, e),
    };
    let path = format!("/publicity/{kind}");
    let filters = req.filters();
    let keyset = req.query.page == 0;
    let next = page.next.as_ref().filter(|_| keyset).map(|c| {
        let after = format!("{}_{}", c.decision_date, c.id);
        let mut pairs = filters.to_vec();
        pairs.push(("after", &after));
        query_string(&pairs)
    });
    let pager = (!keyset).then(|| super::pager::Pager::new(&path, &filters, page.page as usize, page.pages as usize));
    PublicityPage {
        layout: Layout::new(&state, &format!("双公示 · {heading}")).at("publicity"),
        kind,
        heading,
        rows: page.records.iter().map(|r| card(r, &names)).collect(),
        total: thousands(page.total),
        total_is_lower_bound: page.total_is_lower_bound,
        notice: page.notice.map(|n| (n.code(), n.message_zh())),
        departments: department_choices(&names, &req.department),
        districts: district_choices(&req.district),
        filtered: filters.iter().any(|(_, v)| !v.is_empty()),
        first: keyset.then(|| query_string(&filters)),
        from: req.from,
        to: req.to,
        q: req.q,
        pager,
        next,
    }
    .into_response()
}

fn department_choices(names: &std::collections::BTreeMap<String, String>, selected: &str) -> Vec<Choice> {
    names
        .iter()
        .map(|(code, name)| Choice { value: code.clone(), label: name.clone(), selected: code == selected })
        .collect()
}

fn district_choices(selected: &str) -> Vec<Choice> {
    jinan_counties()
        .iter()
        .map(|d| Choice {
            value: d.code.to_owned(),
            label: if d.code == "370100" { "济南市（市级）".to_owned() } else { d.name.to_owned() },
            selected: d.code == selected,
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/lists.html")]
pub(crate) struct ListsPage {
    layout: Layout,
    /// `dishonest` (失信 and other published lists) or `red` (守信激励).
    tab: &'static str,
    lists: Vec<Choice>,
    q: String,
    filtered: bool,
    rows: Vec<ListEntryRow>,
    total: String,
    pager: super::pager::Pager,
}

/// One published list entry as a row.
pub(crate) struct ListEntryRow {
    subject_uscc: String,
    subject_name: String,
    list_name: String,
    department: String,
    reason: String,
    decision_no: String,
    listed_on: String,
    /// A date or 长期.
    valid_until: String,
}

impl From<&PublishedListing> for ListEntryRow {
    fn from(e: &PublishedListing) -> Self {
        ListEntryRow {
            subject_uscc: e.subject_uscc.clone(),
            subject_name: e.subject_name.clone(),
            list_name: e.list_name.clone(),
            department: e.department_name.clone(),
            reason: e.reason.clone(),
            decision_no: e.decision_no.clone(),
            listed_on: e.listed_on.to_string(),
            valid_until: e.valid_until.map_or_else(|| "长期".to_owned(), |d| d.to_string()),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ListsParams {
    list: Option<String>,
    tab: Option<String>,
    page: Option<String>,
    /// A USCC or part of a subject name.
    q: Option<String>,
}

/// `page`: a positive integer; anything else is the first page.
pub(crate) fn page_param(raw: Option<&str>) -> usize {
    raw.and_then(|s| s.trim().parse::<usize>().ok()).filter(|p| *p >= 1).unwrap_or(1)
}

/// Published list entries of legal persons (`xinyong_core::published_lists`).
pub(crate) async fn lists(State(state): State<AppState>, Query(q): Query<ListsParams>) -> Response {
    let rules = state.core.rules().sanctions.clone();
    let list = match q.list.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(code) => match rules.list(code).filter(|l| l.public) {
            Some(l) => Some(l),
            None => return error_page(&state, bad_request(format!("没有公布名为“{code}”的名单类型。"))),
        },
    };
    let red = list.map_or(q.tab.as_deref() == Some("red"), |l| l.kind == ListKind::Red);
    let subject_text = portal::subject_text(q.q.as_deref());
    let query = ListsQuery {
        list: list.map(|l| l.code.clone()),
        red: Some(red),
        page: page_param(q.page.as_deref()),
        subject_text: subject_text.clone(),
    };
    let found = match published::published_lists(&state.core, &query).await {
        Ok(found) => found,
        Err(e) => return error_page(&state, e.into()),
    };
    let code = list.map_or("", |l| l.code.as_str());
    let text = subject_text.unwrap_or_default();
    let tab = if red && list.is_none() { "red" } else { "" };
    let pager =
        super::pager::Pager::new("/lists", &[("tab", tab), ("list", code), ("q", &text)], found.page, found.pages);
    ListsPage {
        layout: Layout::new(&state, if red { "守信激励对象名单" } else { "信用名单" }).at("lists"),
        tab: if red { "red" } else { "dishonest" },
        lists: published::published_list_types(&rules, red)
            .into_iter()
            .map(|(value, label)| Choice { selected: value == code, value, label })
            .collect(),
        filtered: list.is_some() || !text.is_empty(),
        q: text,
        rows: found.entries.iter().map(ListEntryRow::from).collect(),
        total: thousands(found.total as u64),
        pager,
    }
    .into_response()
}

// ---------------------------------------------------------------- home

#[derive(Template, WebTemplate)]
#[template(path = "portal/home.html")]
pub(crate) struct HomePage {
    layout: Layout,
    /// The search box's value (empty on the home page).
    q: String,
    subjects: String,
    events: String,
    checkpoint: Option<CheckpointView>,
    /// The latest notices of every kind (通知公告 block).
    notices: Vec<crate::notices::NoticeView>,
}

/// Notices the home page's 通知公告 block lists.
const HOME_NOTICES: u32 = 6;

/// The latest checkpoint as the home page mentions it (the signed note
/// itself and the key are on `/verify`).
pub(crate) struct CheckpointView {
    size: String,
    signed_at: String,
}

pub(crate) async fn home(State(state): State<AppState>) -> Response {
    // The subjects from the search index, which holds each one once and
    // follows the log: counting the `subjects` table on every visit took
    // 9 ms at a million subjects (30 ms with the persons and relations the
    // page never showed), and grows with a province.
    let subjects = state.search.len() as u64;
    let events = match state.core.store().log_size().await.map_err(xinyong_core::CoreError::from) {
        Ok(size) => size,
        Err(e) => return error_page(&state, e.into()),
    };
    let checkpoint = match state.core.latest_checkpoint().await {
        Ok(cp) => cp.map(|cp| CheckpointView {
            size: thousands(cp.size),
            signed_at: cp.signed_at.with_timezone(&crate::web::beijing()).format("%Y-%m-%d %H:%M").to_string(),
        }),
        Err(e) => return error_page(&state, e.into()),
    };
    let notices = match crate::notices::latest(&state, HOME_NOTICES).await {
        Ok(n) => n,
        Err(e) => return error_page(&state, e.into()),
    };
    HomePage {
        layout: Layout::new(&state, "首页").at("home"),
        q: String::new(),
        subjects: thousands(subjects),
        events: thousands(events),
        checkpoint,
        notices,
    }
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_are_encoded_and_skip_empty_values() {
        assert_eq!(query_string(&[("a", "x y"), ("b", ""), ("c", "济南")]), "?a=x%20y&c=%E6%B5%8E%E5%8D%97");
        assert_eq!(query_string(&[("a", "")]), "");
    }

    #[test]
    fn cursors_round_trip_and_reject_junk() {
        let c = parse_cursor(Some("2026-03-01_r0a1b")).expect("valid").expect("some");
        assert_eq!((c.decision_date.as_str(), c.id.as_str()), ("2026-03-01", "r0a1b"));
        assert!(parse_cursor(Some("")).expect("empty").is_none());
        for bad in ["2026-03-01", "x_r1", "2026-02-30_r1", "2026-03-01_r'1", "2026-03-01_"] {
            assert!(parse_cursor(Some(bad)).is_err(), "{bad}");
        }
    }
}

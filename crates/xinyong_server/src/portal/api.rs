//! `/api/v1/public/…`: what the portal shows, as JSON, for anyone. The same
//! core functions decide visibility as for the pages (`xinyong_core::portal`):
//! legal persons only, public items and fields, inside the publicity window,
//! legal representatives' names masked. Rate-limited per client.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use xinyong_core::lists::published::{self, ListsQuery, PublishedListing};
use xinyong_core::portal::search::SearchHit;
use xinyong_core::portal::{self, PublicRecord, SubjectProfile};
use xinyong_domain::DivisionCode;

use crate::AppState;
use crate::error::{ApiError, ApiPath, ApiQuery, ApiResult};
use crate::ratelimit::PublicApiClient;

/// Hits returned when `limit` is not given, and at most.
const DEFAULT_LIMIT: usize = 10;
const MAX_LIMIT: usize = 50;
const MAX_QUERY_CHARS: usize = 100;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SubjectSearchQuery {
    /// 企业名称的任意两个字以上，或统一社会信用代码。
    #[param(required = true)]
    pub q: Option<String>,
    /// 返回条数，1–50，默认 10。
    pub limit: Option<usize>,
}

/// One subject found by the search.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubjectHitView {
    pub uscc: String,
    pub name: String,
    /// `active`, `revoked` or `cancelled`.
    pub status: String,
    /// 存续 / 吊销 / 注销
    pub status_name: String,
    /// Division code of the registering authority (USCC positions 3–8).
    pub division: String,
    pub division_name: String,
    /// `code`, `exact`, `prefix`, `contains` or `fuzzy`, best first.
    pub match_kind: String,
    /// The subject's public page.
    pub url: String,
}

impl From<SearchHit> for SubjectHitView {
    fn from(h: SearchHit) -> Self {
        let match_kind = serde_json::to_value(h.rank).ok().and_then(|v| v.as_str().map(str::to_owned));
        SubjectHitView {
            status_name: xinyong_domain::subjects::SubjectStatus::parse(&h.status)
                .map_or("未知", |s| s.name_zh())
                .to_owned(),
            division_name: DivisionCode::parse(&h.division).map_or_else(|_| h.division.clone(), |d| d.full_name()),
            match_kind: match_kind.unwrap_or_default(),
            url: format!("/subjects/{}", h.uscc),
            uscc: h.uscc,
            name: h.name,
            status: h.status,
            division: h.division,
        }
    }
}

/// What the search says about the query besides its hits.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchNoticeView {
    /// `query_too_short`, `natural_person_not_searchable`,
    /// `uscc_check_character` or `uscc_not_found`.
    pub code: String,
    /// 给人看的说明（中文）。
    pub message: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubjectSearchResponse {
    pub query: String,
    pub hits: Vec<SubjectHitView>,
    /// 查询词像自然人姓名、统一社会信用代码校验位错误等情况下的说明；否则为 null。
    pub notice: Option<SearchNoticeView>,
}

/// Searches legal persons by name fragment or USCC.
#[utoipa::path(
    get,
    path = "/api/v1/public/subjects",
    tag = "public",
    params(SubjectSearchQuery),
    responses(
        (status = 200, description = "匹配的主体，最好的在前", body = SubjectSearchResponse),
        (status = 400, description = "缺少查询词（`query_missing`），或查询参数无效（`query_invalid`）", body = crate::openapi::ErrorEnvelope),
        (status = 429, description = "查询过于频繁（`rate_limited`），见 Retry-After", body = crate::openapi::ErrorEnvelope),
    )
)]
pub async fn search_subjects(
    State(state): State<AppState>,
    _client: PublicApiClient,
    ApiQuery(q): ApiQuery<SubjectSearchQuery>,
) -> ApiResult<Json<SubjectSearchResponse>> {
    let query: String = q.q.as_deref().unwrap_or("").trim().chars().take(MAX_QUERY_CHARS).collect();
    if query.is_empty() {
        return Err(ApiError::bad_request(
            "query_missing",
            "需要查询参数 q（企业名称的两个字以上，或统一社会信用代码）",
        ));
    }
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let answer = state.search.answer(&query, limit);
    let notice = answer
        .notice
        .map(|n| SearchNoticeView { code: crate::portal::pages::notice_code(n).to_owned(), message: n.message_zh() });
    Ok(Json(SubjectSearchResponse { query, hits: answer.hits.into_iter().map(SubjectHitView::from).collect(), notice }))
}

/// One public field of a record.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicFieldView {
    /// Field code, e.g. `CF_SY`.
    pub code: String,
    /// Template header, e.g. 违法事实.
    pub name: String,
    /// Value as shown on the portal (names masked, money in 元).
    pub value: String,
}

/// A record inside its publicity window.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicRecordView {
    pub id: String,
    /// Catalog item code (`XK`, `CF`, …).
    pub item: String,
    pub item_name: String,
    pub category: String,
    /// Code of the department that sent it.
    pub department: String,
    pub document_number: String,
    /// `YYYY-MM-DD`
    pub decision_date: String,
    /// Shown since (`YYYY-MM-DD`).
    pub publicity_start: Option<String>,
    /// Shown until, exclusive (`YYYY-MM-DD`); null = no end date.
    pub publicity_until: Option<String>,
    /// Log index of the event that wrote this version of the record.
    pub log_index: u64,
    /// Page showing the entry, its inclusion proof and what it proves.
    pub verify_url: String,
    pub fields: Vec<PublicFieldView>,
    /// The subject objected to this record and the objection is being
    /// handled (异议处理中); always false in the 双公示 lists.
    pub under_objection: bool,
}

impl From<&PublicRecord> for PublicRecordView {
    fn from(r: &PublicRecord) -> Self {
        PublicRecordView {
            id: r.id.clone(),
            item: r.item.clone(),
            item_name: r.item_name.clone(),
            category: r.category.clone(),
            department: r.department.clone(),
            document_number: r.document_number.clone(),
            decision_date: r.decision_date.to_string(),
            publicity_start: r.publicity_start.map(|d| d.to_string()),
            publicity_until: r.publicity_until.map(|d| d.to_string()),
            log_index: r.log_index,
            verify_url: format!("/verify/{}", r.log_index),
            fields: r
                .fields
                .iter()
                .map(|f| PublicFieldView { code: f.code.clone(), name: f.name.clone(), value: f.value.clone() })
                .collect(),
            under_objection: r.under_objection,
        }
    }
}

/// Subject type decoded from the USCC (positions 1 and 2).
#[derive(Debug, Serialize, ToSchema)]
pub struct SubjectTypeView {
    /// 登记管理部门, e.g. 工商.
    pub authority: String,
    /// 机构类别, e.g. 企业.
    pub category: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DivisionView {
    pub code: String,
    pub name: String,
}

/// The legal representative (or an individual business's operator): the
/// name masked, never an ID number.
#[derive(Debug, Serialize, ToSchema)]
pub struct RepresentativeView {
    /// `legal_representative` or `principal`.
    pub role: String,
    pub role_name: String,
    pub name_masked: String,
}

/// A legal person's public credit information.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubjectView {
    pub uscc: String,
    pub name: String,
    pub status: String,
    pub status_name: String,
    pub subject_type: SubjectTypeView,
    pub division: DivisionView,
    pub representative: Option<RepresentativeView>,
    /// Log index of the event that last wrote the basic facts.
    pub log_index: u64,
    /// Publicity windows were judged on this day (China Standard Time).
    pub as_of: String,
    pub licences: Vec<PublicRecordView>,
    pub penalties: Vec<PublicRecordView>,
    pub other_acts: Vec<PublicRecordView>,
    /// Published list entries (empty until lists are published).
    pub list_entries: Vec<PublicRecordView>,
    /// Published, in-force list memberships (名单信息).
    pub memberships: Vec<PublishedListingView>,
    /// The local comprehensive evaluation's grade (A+ … D-); null when the
    /// subject is not graded or the city does not publish grades.
    pub grade: Option<String>,
    /// The grade with its model and date.
    pub evaluation: Option<PublicGradeView>,
    /// Grades from other schemes the city publishes (`[evaluation]
    /// public_schemes`; none by default).
    pub external_grades: Vec<ExternalGradeView>,
    /// Voluntary registrations (自愿注册) a department accepted, still valid
    /// today, marked self-declared and reviewed; empty for a past day
    /// (`?as_of=`).
    pub registrations: Vec<PublicRegistrationView>,
}

/// An accepted voluntary registration (自主申报 · 已审核): what the company
/// declared and who reviewed it; never its files or accounts.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicRegistrationView {
    /// `qualification`, `honour`, `operations`, `contract_performance`, `public_welfare`.
    pub kind: String,
    /// 资质, 荣誉, 经营, 合同履约, 公益.
    pub kind_name: String,
    pub title: String,
    pub issuer: String,
    /// `YYYY-MM-DD`, or null.
    pub issued_on: Option<String>,
    /// `YYYY-MM-DD`, or null when it does not expire.
    pub valid_until: Option<String>,
    pub content: String,
    /// Always `自主申报 · 已审核`.
    pub mark: String,
    /// The reviewing department's name.
    pub reviewed_by: String,
    pub reviewed_on: Option<String>,
}

/// The public credit grade (公共信用综合评价).
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicGradeView {
    pub model_title: String,
    pub model_version: String,
    pub grade: String,
    /// 诚信守法, 轻微失信, 一般失信 or 严重失信.
    pub category: String,
    /// The day the grade was given (China Standard Time).
    pub evaluated_on: String,
}

/// A grade another scheme gave (全国公共信用综合评价, 纳税信用等级, 企业信用风险分类).
#[derive(Debug, Serialize, ToSchema)]
pub struct ExternalGradeView {
    /// `national`, `tax` or `samr_risk`.
    pub scheme: String,
    pub scheme_name: String,
    pub period: String,
    pub grade: String,
    pub received_on: String,
}

impl From<&SubjectProfile> for SubjectView {
    fn from(p: &SubjectProfile) -> Self {
        let list = |records: &[PublicRecord]| records.iter().map(PublicRecordView::from).collect();
        SubjectView {
            uscc: p.uscc.clone(),
            name: p.name.clone(),
            status: p.status.clone(),
            status_name: p.status_name.clone(),
            subject_type: SubjectTypeView { authority: p.authority_name.clone(), category: p.category_name.clone() },
            division: DivisionView { code: p.division_code.clone(), name: p.division_name.clone() },
            representative: p.representative.as_ref().map(|r| RepresentativeView {
                role: r.role.clone(),
                role_name: r.role_name.clone(),
                name_masked: r.name_masked.clone(),
            }),
            log_index: p.log_index,
            as_of: p.as_of.to_string(),
            licences: list(&p.licences),
            penalties: list(&p.penalties),
            other_acts: list(&p.other_acts),
            list_entries: list(&p.list_entries),
            memberships: p.memberships.iter().map(PublishedListingView::from).collect(),
            grade: p.grades.grade.as_ref().map(|g| g.grade.clone()),
            evaluation: p.grades.grade.as_ref().map(|g| PublicGradeView {
                model_title: g.model_title.clone(),
                model_version: g.model_version.clone(),
                grade: g.grade.clone(),
                category: g.category.clone(),
                evaluated_on: g.evaluated_on.to_string(),
            }),
            external_grades: p
                .grades
                .external
                .iter()
                .map(|e| ExternalGradeView {
                    scheme: e.scheme.clone(),
                    scheme_name: e.scheme_name.clone(),
                    period: e.period.clone(),
                    grade: e.grade.clone(),
                    received_on: e.received_on.to_string(),
                })
                .collect(),
            registrations: Vec::new(),
        }
    }
}

/// A legal person's public credit information by USCC.
#[utoipa::path(
    get,
    path = "/api/v1/public/subjects/{uscc}",
    tag = "public",
    params(
        ("uscc" = String, Path, description = "统一社会信用代码（大小写、空格不限）"),
        ("as_of" = Option<String>, Query, description = "YYYY-MM-DD：该日（北京时间）日终时公示的信息，由透明日志回放得出；不填为今天"),
    ),
    responses(
        (status = 200, description = "基本信息与公示期内的公开记录", body = SubjectView),
        (status = 400, description = "日期格式不对（`as_of_invalid`），或参数无效（`query_invalid`、`path_invalid`）", body = crate::openapi::ErrorEnvelope),
        (status = 404, description = "没有这个主体（`subject_not_found`）", body = crate::openapi::ErrorEnvelope),
        (status = 422, description = "日期晚于今天（`as_of_in_future`）", body = crate::openapi::ErrorEnvelope),
        (status = 429, description = "查询过于频繁（`rate_limited`），见 Retry-After", body = crate::openapi::ErrorEnvelope),
    )
)]
pub async fn get_subject(
    State(state): State<AppState>,
    _client: PublicApiClient,
    ApiPath(raw): ApiPath<String>,
    ApiQuery(q): ApiQuery<AsOfQuery>,
) -> ApiResult<Json<SubjectView>> {
    let missing = || ApiError::new(StatusCode::NOT_FOUND, "subject_not_found", format!("未找到主体 {raw}"));
    let uscc = portal::normalize_uscc(&raw).ok_or_else(missing)?;
    let day = q.day()?;
    let profile = match day {
        Some(day) => portal::as_of::profile_as_of(&state.core, &uscc, day).await?.map(|a| a.profile),
        None => portal::subject_profile(&state.core, &uscc).await?,
    };
    let mut view = SubjectView::from(&profile.ok_or_else(missing)?);
    if day.is_none() {
        let departments = portal::department_names(&state.core).await?;
        view.registrations = crate::registrations::public_of_subject(&state, &uscc, &departments)
            .await?
            .into_iter()
            .map(|r| PublicRegistrationView {
                kind: r.kind_code.to_owned(),
                kind_name: r.kind.to_owned(),
                title: r.title,
                issuer: r.issuer,
                issued_on: Some(r.issued_on).filter(|d| !d.is_empty()),
                valid_until: Some(r.valid_until).filter(|d| !d.is_empty()),
                content: r.content,
                mark: "自主申报 · 已审核".to_owned(),
                reviewed_by: r.reviewer,
                reviewed_on: Some(r.reviewed_on).filter(|d| !d.is_empty()),
            })
            .collect();
    }
    Ok(Json(view))
}

/// `?as_of=YYYY-MM-DD`: what was public at the end of that day.
#[derive(Debug, Default, Deserialize)]
pub struct AsOfQuery {
    pub as_of: Option<String>,
}

impl AsOfQuery {
    /// The day asked for, if any; a malformed date is the caller's error.
    pub fn day(&self) -> ApiResult<Option<chrono::NaiveDate>> {
        match self.as_of.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(raw) => raw.parse().map(Some).map_err(|_| {
                ApiError::bad_request("as_of_invalid", format!("查询日期“{raw}”格式不正确，应为 YYYY-MM-DD"))
            }),
        }
    }
}

/// A published list entry: a legal person on a published list type, decided
/// and in force today. Natural persons never appear.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublishedListingView {
    pub listing_id: String,
    /// List type code (`rules/lists.toml`), e.g. `samr-serious`.
    pub list_code: String,
    pub list_name: String,
    /// `serious`, `key_attention` or `red`.
    pub list_kind: String,
    pub subject_uscc: String,
    pub subject_name: String,
    /// Code of the deciding department.
    pub department: String,
    /// 认定部门
    pub department_name: String,
    /// 列入事由
    pub reason: String,
    /// 决定文号
    pub decision_no: String,
    /// 列入日期 (`YYYY-MM-DD`).
    pub listed_on: String,
    /// 有效期至 (`YYYY-MM-DD`, inclusive); null = until an exit decision.
    pub valid_until: Option<String>,
    /// The subject's public page.
    pub url: String,
}

impl From<&PublishedListing> for PublishedListingView {
    fn from(e: &PublishedListing) -> Self {
        PublishedListingView {
            listing_id: e.listing_id.clone(),
            list_code: e.list_code.clone(),
            list_name: e.list_name.clone(),
            list_kind: e.list_kind.clone(),
            subject_uscc: e.subject_uscc.clone(),
            subject_name: e.subject_name.clone(),
            department: e.department.clone(),
            department_name: e.department_name.clone(),
            reason: e.reason.clone(),
            decision_no: e.decision_no.clone(),
            listed_on: e.listed_on.to_string(),
            valid_until: e.valid_until.map(|d| d.to_string()),
            url: format!("/subjects/{}", e.subject_uscc),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListsParams {
    /// 名单类型代码（如 `samr-serious`、`red-list`）；不填为全部已公布名单。
    pub list: Option<String>,
    /// 页码，从 1 开始，默认 1；每页 20 条。
    pub page: Option<String>,
    /// 主体名称中的字，或完整的统一社会信用代码（精确匹配）。
    pub q: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ListsResponse {
    /// The list type filtered on, if any.
    pub list: Option<String>,
    pub page: usize,
    pub pages: usize,
    pub page_size: usize,
    /// Matching entries in all pages.
    pub total: usize,
    pub entries: Vec<PublishedListingView>,
}

/// Published list entries of legal persons, newest listing first.
#[utoipa::path(
    get,
    path = "/api/v1/public/lists",
    tag = "public",
    params(ListsParams),
    responses(
        (status = 200, description = "已公布、有效期内的名单信息（仅法人和非法人组织）", body = ListsResponse),
        (status = 400, description = "没有公布这个名单类型（`list_unknown`），或查询参数无效（`query_invalid`）", body = crate::openapi::ErrorEnvelope),
        (status = 429, description = "查询过于频繁（`rate_limited`），见 Retry-After", body = crate::openapi::ErrorEnvelope),
    )
)]
pub async fn get_lists(
    State(state): State<AppState>,
    _client: PublicApiClient,
    ApiQuery(q): ApiQuery<ListsParams>,
) -> ApiResult<Json<ListsResponse>> {
    let rules = state.core.rules().sanctions.clone();
    let list = match q.list.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(code) => Some(
            rules
                .list(code)
                .filter(|l| l.public)
                .map(|l| l.code.clone())
                .ok_or_else(|| ApiError::bad_request("list_unknown", format!("没有公布名为“{code}”的名单类型")))?,
        ),
    };
    let page = crate::portal::pages::page_param(q.page.as_deref());
    let subject_text = portal::subject_text(q.q.as_deref());
    let found =
        published::published_lists(&state.core, &ListsQuery { list: list.clone(), red: None, page, subject_text })
            .await?;
    Ok(Json(ListsResponse {
        list,
        page: found.page,
        pages: found.pages,
        page_size: published::LIST_PAGE_SIZE,
        total: found.total,
        entries: found.entries.iter().map(PublishedListingView::from).collect(),
    }))
}

// ----- 双公示 ---------------------------------------------------------------------

/// Rows per page of the 双公示 lists when `page_size` is not given.
const DEFAULT_PAGE_SIZE: u32 = 20;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PublicityParams {
    /// 报送部门代码（如 `scjgj`）。
    pub department: Option<String>,
    /// 所在区县代码（如 `370102` 历下区；统一社会信用代码第 3–8 位）。
    pub district: Option<String>,
    /// 决定日期起（含），`YYYY-MM-DD`。
    pub from: Option<String>,
    /// 决定日期止（含），`YYYY-MM-DD`。
    pub to: Option<String>,
    /// 行政相对人名称中至少两个字（按主体库中登记的现用名称匹配，最多取配置的主体数，默认 200 个），或完整的统一社会信用代码（精确匹配）。
    pub q: Option<String>,
    /// 页码，从 1 开始，默认 1，最多到配置的页数（portal.list_pages，默认 500 页）；更深的记录请加筛选条件或用 `after`。
    pub page: Option<String>,
    /// 每页条数，1–100，默认 20（不是数字时按默认）。
    pub page_size: Option<String>,
    /// 键集游标：上一页响应的 `next_after`。给出它而不给 `page` 时按游标翻页，任意深度代价相同。
    pub after: Option<String>,
}

/// A 双公示 row: the record and the organisation it is about.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicityRecordView {
    /// 行政相对人的统一社会信用代码（只有法人和非法人组织）。
    pub subject_uscc: String,
    /// 行政相对人名称。
    pub subject_name: String,
    /// 主体的公开信用页面。
    pub subject_url: String,
    #[serde(flatten)]
    pub record: PublicRecordView,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicityResponse {
    /// `XK`（行政许可）或 `CF`（行政处罚）。
    pub item: String,
    /// 本页页码；按游标翻页时为 1。
    pub page: u32,
    /// 按页码能到达的页数（最多 portal.list_pages 页，默认 500）。
    pub pages: u32,
    pub page_size: u32,
    /// 符合条件的记录总数，最多数到按页码能到达的条数（portal.list_pages 页，默认 500）。
    pub total: u64,
    /// 为 true 时符合条件的记录多于 `total` 条；更深的记录用筛选条件或 `next_after` 读取。
    pub total_is_lower_bound: bool,
    /// 下一页的键集游标（作为 `after` 传回），没有下一页时为 null。
    pub next_after: Option<String>,
    /// 关于 `q` 的提示：`query_too_short`（不足两个字，未查询）、`uscc_check_character`（统一社会信用代码校验位错误，未查询）或 `query_names_many_subjects`（名称含这些字的主体超过配置的数目（默认 200 个），只列出其中这些主体的记录）；没有提示时为 null。
    pub notice: Option<QueryNoticeView>,
    pub records: Vec<PublicityRecordView>,
}

/// A notice about the `q` of a 双公示 list.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueryNoticeView {
    /// `query_too_short`、`uscc_check_character` 或 `query_names_many_subjects`。
    pub code: String,
    /// 给人看的说明。
    pub message: String,
}

async fn publicity(state: &AppState, item: &str, p: PublicityParams) -> ApiResult<Json<PublicityResponse>> {
    // A string, so that `page_size=x` gets the default instead of a bare 400
    // from the query extractor (the same as `page`).
    let size =
        p.page_size.and_then(|s| s.trim().parse::<u32>().ok()).unwrap_or(DEFAULT_PAGE_SIZE).clamp(1, portal::MAX_PAGE);
    let q = crate::portal::pages::ListQuery {
        department: p.department,
        district: p.district,
        from: p.from,
        to: p.to,
        q: p.q,
        page: p.page,
        after: p.after,
    };
    let req = crate::portal::pages::list_request(item, &q, size)?;
    let found = portal::public_records(&state.core, &state.search, state.portal.lists, &req.query).await?;
    Ok(Json(PublicityResponse {
        item: item.to_owned(),
        page: found.page,
        pages: found.pages,
        page_size: size,
        total: found.total,
        total_is_lower_bound: found.total_is_lower_bound,
        next_after: found.next.map(|c| format!("{}_{}", c.decision_date, c.id)),
        notice: found.notice.map(|n| QueryNoticeView { code: n.code().to_owned(), message: n.message_zh() }),
        records: found
            .records
            .iter()
            .map(|r| PublicityRecordView {
                subject_uscc: r.subject_uscc.clone(),
                subject_name: r.subject_name.clone(),
                subject_url: format!("/subjects/{}", r.subject_uscc),
                record: PublicRecordView::from(r),
            })
            .collect(),
    }))
}

/// 双公示 · 行政许可: licences in their publicity window, newest decision first.
#[utoipa::path(
    get,
    path = "/api/v1/public/licences",
    tag = "public",
    params(PublicityParams),
    responses(
        (status = 200, description = "公示期内的行政许可信息（仅法人和非法人组织），按决定日期从新到旧", body = PublicityResponse),
        (status = 400, description = "日期或游标格式不正确（`bad_request`），或查询参数无效（`query_invalid`）", body = crate::openapi::ErrorEnvelope),
        (status = 429, description = "查询过于频繁（`rate_limited`），见 Retry-After", body = crate::openapi::ErrorEnvelope),
    )
)]
pub async fn list_licences(
    State(state): State<AppState>,
    _client: PublicApiClient,
    ApiQuery(p): ApiQuery<PublicityParams>,
) -> ApiResult<Json<PublicityResponse>> {
    publicity(&state, "XK", p).await
}

/// 双公示 · 行政处罚: penalties in their publicity window, newest decision first.
#[utoipa::path(
    get,
    path = "/api/v1/public/penalties",
    tag = "public",
    params(PublicityParams),
    responses(
        (status = 200, description = "公示期内的行政处罚信息（仅法人和非法人组织），按决定日期从新到旧", body = PublicityResponse),
        (status = 400, description = "日期或游标格式不正确（`bad_request`），或查询参数无效（`query_invalid`）", body = crate::openapi::ErrorEnvelope),
        (status = 429, description = "查询过于频繁（`rate_limited`），见 Retry-After", body = crate::openapi::ErrorEnvelope),
    )
)]
pub async fn list_penalties(
    State(state): State<AppState>,
    _client: PublicApiClient,
    ApiQuery(p): ApiQuery<PublicityParams>,
) -> ApiResult<Json<PublicityResponse>> {
    publicity(&state, "CF", p).await
}

/// One field of a log entry, proven on its own.
#[derive(Debug, Serialize, ToSchema)]
pub struct DisclosureView {
    /// RFC 6901 JSON Pointer into the event body, e.g. `/record/fields/CF_CFJG`.
    pub pointer: String,
    pub label: String,
    /// The value as committed (JSON text for anything but a string).
    pub value: String,
    /// `base64url([salt, pointer, value])`: its SHA-256 is one of the entry's `field` lines.
    pub disclosure: String,
}

/// A log entry, its inclusion proof and what of it is public.
#[derive(Debug, Serialize, ToSchema)]
pub struct LogEntryView {
    pub index: u64,
    /// Event kind, e.g. `record_accepted`.
    pub kind: String,
    /// The entry bytes as UTF-8 text (docs/LOG.md).
    pub entry: String,
    /// C2SP tlog-proof of the entry against the latest checkpoint.
    pub tlog_proof: String,
    /// Fields of a v2 entry the public may see, each with its disclosure.
    pub disclosures: Vec<DisclosureView>,
    /// Of a v2 entry, how many fields it commits (disclosed or not).
    pub field_count: Option<usize>,
    /// The public record this entry wrote, when it is public today.
    pub record: Option<PublicRecordView>,
}

#[utoipa::path(
    get,
    path = "/api/v1/public/log/{index}",
    tag = "public",
    params(("index" = u64, Path, description = "日志序号（从 0 起）")),
    responses(
        (status = 200, description = "日志条目、其包含证明，以及可公开字段的逐字段披露（可离线核验，见 docs/LOG.md）", body = LogEntryView),
        (status = 400, description = "路径参数无效（`path_invalid`）", body = crate::openapi::ErrorEnvelope),
        (status = 404, description = "没有这条日志（`log_entry_not_found`）", body = crate::openapi::ErrorEnvelope),
        (status = 429, description = "查询过于频繁（`rate_limited`），见 Retry-After", body = crate::openapi::ErrorEnvelope),
    )
)]
pub async fn get_log_entry(
    State(state): State<AppState>,
    _client: PublicApiClient,
    ApiPath(index): ApiPath<u64>,
) -> ApiResult<Json<LogEntryView>> {
    let v = portal::verify_entry(&state.core, index).await?;
    Ok(Json(LogEntryView {
        index: v.index,
        kind: v.kind,
        entry: v.entry,
        tlog_proof: v.proof,
        disclosures: v
            .disclosures
            .into_iter()
            .filter(|d| d.matches)
            .map(|d| DisclosureView { pointer: d.pointer, label: d.label, value: d.value, disclosure: d.disclosure })
            .collect(),
        field_count: v.field_count,
        record: v.record.as_ref().map(PublicRecordView::from),
    }))
}

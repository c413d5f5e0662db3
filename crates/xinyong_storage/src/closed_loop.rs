//! The closed loop (联合奖惩闭环): departments' feeds, the pushed measures
//! and their webhooks, and the loop's figures aggregated in SQL.

use xinyong_domain::auth::DepartmentCode;
use xinyong_domain::closed_loop::{
    FEED_ITEMS, FEED_LIFTED, FEED_LISTED, FeedItemRow, MEASURE_PUSHES, PushRow, WEBHOOKS, WebhookRow,
};

use crate::sql::{Cols, Kind, Stmt, to_rows};
use crate::{Result, Store, to_i64};

/// A department's feed after `after` (a cursor, the log index of an item;
/// 0 = from the start), in log order, at most `limit`; served by the
/// primary key `(department, cursor)`.
pub async fn feed_after(
    store: &dyn Store,
    department: &DepartmentCode,
    after: u64,
    limit: u32,
) -> Result<Vec<FeedItemRow>> {
    let stmt = Stmt::select(&FEED_ITEMS)
        .push(" WHERE department = $1 AND cursor > $2 ORDER BY cursor LIMIT $3")
        .arg(department.as_str())
        .arg(to_i64(after))
        .arg(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// The newest `limit` items of a department's feed, newest first.
pub async fn recent_feed(store: &dyn Store, department: &DepartmentCode, limit: u32) -> Result<Vec<FeedItemRow>> {
    let stmt = Stmt::select(&FEED_ITEMS)
        .push(" WHERE department = $1 ORDER BY cursor DESC LIMIT $2")
        .arg(department.as_str())
        .arg(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// Which items of a department's feed a console page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FeedFilter {
    #[default]
    All,
    /// 待签收: a listing with a measure pushed to the department, in force,
    /// not yet acknowledged.
    Unacknowledged,
    /// 未反馈: acknowledged, in force, no execution reported yet.
    AwaitingFeedback,
    /// 已解除: the listing ended and the measures were lifted.
    Lifted,
}

/// A page of a department's feed, newest first: the items before cursor
/// `before` (`None`: from the newest) that pass `filter`, at most `limit`.
/// Served by the primary key; the filters look up the listing's pushes by
/// theirs.
pub async fn feed_page(
    store: &dyn Store,
    department: &DepartmentCode,
    filter: FeedFilter,
    before: Option<u64>,
    limit: u32,
) -> Result<Vec<FeedItemRow>> {
    const UNACKNOWLEDGED: &str = " AND EXISTS (SELECT 1 FROM measure_pushes p \
         WHERE p.listing_id = feed_items.listing_id AND p.department = feed_items.department \
         AND p.lifted_ms IS NULL AND p.acked_ms IS NULL)";
    const AWAITING_FEEDBACK: &str = " AND EXISTS (SELECT 1 FROM measure_pushes p \
         WHERE p.listing_id = feed_items.listing_id AND p.department = feed_items.department \
         AND p.lifted_ms IS NULL AND p.acked_ms IS NOT NULL AND p.executed_ms IS NULL)";
    let mut stmt = Stmt::select(&FEED_ITEMS).push(" WHERE department = ").bind(department.as_str());
    if let Some(before) = before {
        stmt = stmt.push(" AND cursor < ").bind(to_i64(before));
    }
    stmt = match filter {
        FeedFilter::All => stmt,
        FeedFilter::Unacknowledged => stmt.push(" AND item_kind = ").bind(FEED_LISTED).push(UNACKNOWLEDGED),
        FeedFilter::AwaitingFeedback => stmt.push(" AND item_kind = ").bind(FEED_LISTED).push(AWAITING_FEEDBACK),
        FeedFilter::Lifted => stmt.push(" AND item_kind = ").bind(FEED_LIFTED),
    };
    let stmt = stmt.push(" ORDER BY cursor DESC LIMIT ").bind(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// The measures a listing pushed, in key order (measure, department), at
/// most `limit`; served by the primary key.
pub async fn pushes_of_listing(store: &dyn Store, listing_id: &str, limit: u32) -> Result<Vec<PushRow>> {
    let stmt = Stmt::select(&MEASURE_PUSHES)
        .push(" WHERE listing_id = $1 ORDER BY measure, department LIMIT $2")
        .arg(listing_id)
        .arg(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// Active webhooks by department (one per department at most), at most `limit`.
pub async fn active_webhooks(store: &dyn Store, limit: u32) -> Result<Vec<WebhookRow>> {
    let stmt = Stmt::select(&WEBHOOKS).push(" WHERE active = 1 ORDER BY department LIMIT $1").arg(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// Which pushes the loop's figures count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushWindow {
    /// Pushed at or after (ms since the Unix epoch).
    pub from_ms: i64,
    /// Pushed before.
    pub until_ms: i64,
    /// One executing department only.
    pub department: Option<DepartmentCode>,
    /// Pushes neither fed back nor lifted, pushed before this, are overdue.
    pub overdue_before_ms: i64,
}

/// The counts and sums of one measure × executing department.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PushTotals {
    pub measure: String,
    pub department: String,
    pub pushed: u64,
    /// Acknowledged (响应).
    pub responded: u64,
    /// Execution fed back (反馈).
    pub fed_back: u64,
    pub lifted: u64,
    /// Neither fed back nor lifted, pushed before `overdue_before_ms`.
    pub pending_overdue: u64,
    /// Sum over acknowledged pushes of push → acknowledgement, in ms (a clock
    /// that ran backwards counts 0).
    pub response_ms: i64,
    /// Sum over fed-back pushes of push → feedback, in ms.
    pub feedback_ms: i64,
}

/// `WHERE` of the pushes in a window: pushed in the period, of one
/// department when given; served by `measure_pushes_department_pushed
/// (department, pushed_ms)` for a department.
fn push_window(stmt: Stmt, w: &PushWindow) -> Stmt {
    let stmt = stmt.push(" WHERE pushed_ms >= ").bind(w.from_ms).push(" AND pushed_ms < ").bind(w.until_ms);
    match &w.department {
        Some(d) => stmt.push(" AND department = ").bind(d.as_str()),
        None => stmt,
    }
}

/// Per measure × department: counts, and the sums the mean times need.
pub async fn push_totals(store: &dyn Store, w: &PushWindow) -> Result<Vec<PushTotals>> {
    // PostgreSQL sums BIGINT as NUMERIC; the casts keep the sums i64.
    let stmt = Stmt::new(
        "SELECT measure, department, COUNT(*), \
         SUM(CASE WHEN acked_ms IS NOT NULL THEN 1 ELSE 0 END), \
         SUM(CASE WHEN executed_ms IS NOT NULL THEN 1 ELSE 0 END), \
         SUM(CASE WHEN lifted_ms IS NOT NULL THEN 1 ELSE 0 END), \
         SUM(CASE WHEN executed_ms IS NULL AND lifted_ms IS NULL AND pushed_ms < ",
    )
    .bind(w.overdue_before_ms)
    .push(
        " THEN 1 ELSE 0 END), \
         CAST(COALESCE(SUM(CASE WHEN acked_ms > pushed_ms THEN acked_ms - pushed_ms ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN executed_ms > pushed_ms THEN executed_ms - pushed_ms ELSE 0 END), 0) AS BIGINT) \
         FROM measure_pushes",
    );
    let stmt = push_window(stmt, w).push(" GROUP BY measure, department ORDER BY measure, department").returns(&[
        Kind::Text,
        Kind::Text,
        Kind::Int,
        Kind::Int,
        Kind::Int,
        Kind::Int,
        Kind::Int,
        Kind::Int,
        Kind::Int,
    ]);
    store
        .fetch(&stmt)
        .await?
        .into_iter()
        .map(|row| {
            let mut c = Cols::new(row, "push totals");
            Ok(PushTotals {
                measure: c.text()?,
                department: c.text()?,
                pushed: c.count()?,
                responded: c.count()?,
                fed_back: c.count()?,
                lifted: c.count()?,
                pending_overdue: c.count()?,
                response_ms: c.int()?,
                feedback_ms: c.int()?,
            })
        })
        .collect()
}

/// What a median is taken of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Duration {
    /// Push → acknowledgement.
    Response,
    /// Push → feedback.
    Feedback,
}

/// Which group a median belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Group {
    /// One measure × department.
    Line { measure: String, department: String },
    /// All measures of one department.
    Department(String),
    /// Everything in the window.
    Total,
}

/// The median of one duration over one group, in ms.
#[derive(Debug, Clone, PartialEq)]
pub struct Median {
    pub of: Duration,
    pub group: Group,
    pub median_ms: f64,
}

/// Medians of the response and feedback times per measure × department,
/// per department and in total.
///
/// Computed in SQL with window functions, which both databases have (SQLite
/// since 3.25): each duration is ranked within its group, and the median is
/// the mean of the middle one or two ranks, `(n + 1) / 2` and `(n + 2) / 2`.
/// `percentile_cont` would be shorter but exists on PostgreSQL only.
pub async fn push_medians(store: &dyn Store, w: &PushWindow) -> Result<Vec<Median>> {
    let stmt = Stmt::new(
        "WITH d AS (SELECT 'r' AS what, measure, department, \
         CASE WHEN acked_ms > pushed_ms THEN acked_ms - pushed_ms ELSE 0 END AS ms FROM measure_pushes",
    );
    let stmt = push_window(stmt, w).push(
        " AND acked_ms IS NOT NULL UNION ALL SELECT 'f', measure, department, \
         CASE WHEN executed_ms > pushed_ms THEN executed_ms - pushed_ms ELSE 0 END FROM measure_pushes",
    );
    let stmt = push_window(stmt, w)
        .push(" AND executed_ms IS NOT NULL")
        .push(
            "), ranked AS (SELECT what, measure, department, ms, \
             ROW_NUMBER() OVER (PARTITION BY what, measure, department ORDER BY ms) AS rl, \
             COUNT(*) OVER (PARTITION BY what, measure, department) AS nl, \
             ROW_NUMBER() OVER (PARTITION BY what, department ORDER BY ms) AS rd, \
             COUNT(*) OVER (PARTITION BY what, department) AS nd, \
             ROW_NUMBER() OVER (PARTITION BY what ORDER BY ms) AS rt, \
             COUNT(*) OVER (PARTITION BY what) AS nt FROM d) \
             SELECT what, 'l', measure, department, CAST(SUM(ms) AS BIGINT), COUNT(*) FROM ranked \
             WHERE rl IN ((nl + 1) / 2, (nl + 2) / 2) GROUP BY what, measure, department \
             UNION ALL SELECT what, 'd', '', department, CAST(SUM(ms) AS BIGINT), COUNT(*) FROM ranked \
             WHERE rd IN ((nd + 1) / 2, (nd + 2) / 2) GROUP BY what, department \
             UNION ALL SELECT what, 't', '', '', CAST(SUM(ms) AS BIGINT), COUNT(*) FROM ranked \
             WHERE rt IN ((nt + 1) / 2, (nt + 2) / 2) GROUP BY what",
        )
        .returns(&[Kind::Text, Kind::Text, Kind::Text, Kind::Text, Kind::Int, Kind::Int]);
    let mut out = Vec::new();
    for row in store.fetch(&stmt).await? {
        let mut c = Cols::new(row, "push medians");
        let of = if c.text()? == "r" { Duration::Response } else { Duration::Feedback };
        let (level, measure, department) = (c.text()?, c.text()?, c.text()?);
        let (sum, n) = (c.int()?, c.count()?);
        let group = match level.as_str() {
            "l" => Group::Line { measure, department },
            "d" => Group::Department(department),
            _ => Group::Total,
        };
        out.push(Median { of, group, median_ms: sum as f64 / n.max(1) as f64 });
    }
    Ok(out)
}

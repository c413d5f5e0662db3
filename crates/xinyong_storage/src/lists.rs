//! Lists (名单): listings, their objections, the personal records of liable
//! people, bans and interviews. Lists that grow with the city are read by
//! keyset, newest first, with the filters in SQL.

use chrono::NaiveDate;
use xinyong_domain::Uscc;
use xinyong_domain::auth::DepartmentCode;
use xinyong_domain::codes::id_number::IdNumber;
use xinyong_domain::lists::{
    BANS, BanRow, INTERVIEWS, InterviewRow, LISTING_OBJECTIONS, LISTINGS, ListingRow, ListingStatus, ObjectionRow,
    PERSONAL_RECORDS, PersonalRecordRow,
};

use crate::sql::{Cols, Kind, Page, Stmt, day, one_more, to_rows};
use crate::{Result, Store, to_i64};

// ---------------------------------------------------------------- listings

/// Filters of the console's listings table; `None` = any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListingFilter {
    pub status: Option<ListingStatus>,
    pub department: Option<DepartmentCode>,
    pub list_code: Option<String>,
}

/// Keyset position in the newest-first listings table: the last row shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingCursor {
    pub proposed_on: NaiveDate,
    pub seq: u64,
    pub listing_id: String,
}

impl ListingCursor {
    pub fn after(row: &ListingRow) -> ListingCursor {
        ListingCursor { proposed_on: row.proposed_on, seq: row.seq, listing_id: row.listing_id.clone() }
    }
}

/// Listings matching `filter`, newest proposal first (then the latest
/// written), after `after`.
///
/// The order is `(proposed_on, seq, listing_id)` descending. `seq`, the log
/// index of the row's last writer, differs between listings (each listing
/// event writes one listing), so the id only makes the order total. With a
/// department the index `listings_department_proposed` is read backwards;
/// otherwise `listings_proposed`, the other filters checked on the way.
pub async fn listings(
    store: &dyn Store,
    filter: &ListingFilter,
    after: Option<&ListingCursor>,
    limit: u32,
) -> Result<Page<ListingRow, ListingCursor>> {
    let mut stmt = Stmt::select(&LISTINGS).push(" WHERE 1 = 1");
    if let Some(d) = &filter.department {
        stmt = stmt.push(" AND department = ").bind(d.as_str());
    }
    if let Some(s) = filter.status {
        stmt = stmt.push(" AND status = ").bind(s.as_str());
    }
    if let Some(code) = &filter.list_code {
        stmt = stmt.push(" AND list_code = ").bind(code.as_str());
    }
    if let Some(c) = after {
        stmt = stmt
            .push(" AND (proposed_on, seq, listing_id) < (")
            .bind(day(c.proposed_on))
            .push(", ")
            .bind(to_i64(c.seq))
            .push(", ")
            .bind(c.listing_id.as_str())
            .push(")");
    }
    let stmt = stmt.push(" ORDER BY proposed_on DESC, seq DESC, listing_id DESC LIMIT ").bind(one_more(limit));
    Ok(Page::from_extra(to_rows(store.fetch(&stmt).await?)?, limit, ListingCursor::after))
}

/// A subject's listings (any status), newest proposal first (ties by id),
/// at most `limit`; served by `listings_subject_key`.
pub async fn listings_of_subject(store: &dyn Store, subject_key: &str, limit: u32) -> Result<Vec<ListingRow>> {
    let stmt = Stmt::select(&LISTINGS)
        .push(" WHERE subject_key = $1 ORDER BY proposed_on DESC, listing_id LIMIT $2")
        .arg(subject_key)
        .arg(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// Listings still `listed` whose validity ended before `today`, by id,
/// after `after`: what the expiry job exits. Served by
/// `listings_status_valid_until`.
pub async fn listings_expired_by(
    store: &dyn Store,
    today: NaiveDate,
    after: Option<&str>,
    limit: u32,
) -> Result<Page<ListingRow, String>> {
    let stmt = Stmt::select(&LISTINGS)
        .push(
            " WHERE status = 'listed' AND valid_until IS NOT NULL AND valid_until < $1 AND listing_id > $2 \
             ORDER BY listing_id LIMIT $3",
        )
        .arg(day(today))
        .arg(after.unwrap_or_default())
        .arg(one_more(limit));
    Ok(Page::from_extra(to_rows(store.fetch(&stmt).await?)?, limit, |r: &ListingRow| r.listing_id.clone()))
}

/// Which listings the portal publishes (信用名单): decided and in force on
/// `today` (status `listed`, `valid_from <= today`, `today <= valid_until`
/// unless open-ended), about a legal person, on one of `list_codes` (the
/// rules decide which list types are public and the caller passes them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedFilter {
    pub today: NaiveDate,
    pub list_codes: Vec<String>,
    /// One organisation's entries only.
    pub subject: Option<Uscc>,
    /// What a visitor typed into the list's search box: entries whose
    /// subject is this USCC exactly or whose name contains it (`%`, `_` and
    /// `\\` are literal; a contains match scans the published rows).
    pub subject_text: Option<String>,
}

/// `WHERE …` of [`PublishedFilter`].
fn published_where(stmt: Stmt, f: &PublishedFilter) -> Stmt {
    let stmt = stmt
        .push(
            " WHERE status = 'listed' AND subject_kind = 'legal_person' \
             AND valid_from IS NOT NULL AND valid_from <= ",
        )
        .bind(day(f.today))
        .push(" AND (valid_until IS NULL OR valid_until >= ")
        .bind(day(f.today))
        .push(") AND list_code IN (")
        .bind_list(f.list_codes.iter().map(String::as_str))
        .push(")");
    let stmt = match &f.subject {
        Some(uscc) => stmt.push(" AND subject_key = ").bind(uscc.as_str()),
        None => stmt,
    };
    match f.subject_text.as_deref().filter(|t| !t.is_empty()) {
        Some(text) => stmt
            .push(" AND (subject_key = ")
            .bind(text.to_owned())
            .push(" OR subject_name LIKE ")
            .bind(crate::sql::contains_pattern(text))
            .push(" ESCAPE '\\')"),
        None => stmt,
    }
}

/// Published entries, newest listing first (ties by id, descending): the
/// `limit` after the first `offset` (the portal's numbered pages). Served
/// by `listings_status_valid_from (status, valid_from, listing_id)` read
/// backwards, so a page costs its offset plus its rows, not the table.
pub async fn published_listings(
    store: &dyn Store,
    filter: &PublishedFilter,
    offset: u64,
    limit: u32,
) -> Result<Vec<ListingRow>> {
    let stmt = published_where(Stmt::select(&LISTINGS), filter)
        .push(" ORDER BY valid_from DESC, listing_id DESC LIMIT ")
        .bind(i64::from(limit))
        .push(" OFFSET ")
        .bind(to_i64(offset));
    to_rows(store.fetch(&stmt).await?)
}

/// How many entries [`published_listings`] pages through.
pub async fn count_published_listings(store: &dyn Store, filter: &PublishedFilter) -> Result<u64> {
    let stmt = published_where(Stmt::new("SELECT COUNT(*) FROM listings"), filter).returns(&[Kind::Int]);
    let row = store.fetch(&stmt).await?.into_iter().next().unwrap_or_default();
    Cols::new(row, "count of published listings").count()
}

/// A listing's objections, first filed first (ties by id), at most `limit`.
pub async fn objections_of(store: &dyn Store, listing_id: &str, limit: u32) -> Result<Vec<ObjectionRow>> {
    let stmt = Stmt::select(&LISTING_OBJECTIONS)
        .push(" WHERE listing_id = $1 ORDER BY filed_on, objection_id LIMIT $2")
        .arg(listing_id)
        .arg(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

// ---------------------------------------------------------------- personal records

/// The personal records a listing gave its liable people, by ID number.
pub async fn personal_records_of_listing(
    store: &dyn Store,
    listing_id: &str,
    limit: u32,
) -> Result<Vec<PersonalRecordRow>> {
    let stmt = Stmt::select(&PERSONAL_RECORDS)
        .push(" WHERE listing_id = $1 ORDER BY id_number LIMIT $2")
        .arg(listing_id)
        .arg(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// A person's personal records: active first, then the latest end (an
/// open-ended record after those with an end), then by listing.
pub async fn personal_records_of_person(
    store: &dyn Store,
    id_number: &IdNumber,
    limit: u32,
) -> Result<Vec<PersonalRecordRow>> {
    let stmt = Stmt::select(&PERSONAL_RECORDS)
        .push(
            " WHERE id_number = $1 \
             ORDER BY active DESC, COALESCE(valid_until, '') DESC, listing_id LIMIT $2",
        )
        .arg(id_number.as_str())
        .arg(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

// ---------------------------------------------------------------- bans and interviews

/// Keyset position in a newest-first list of bans or interviews: the date
/// (start or held on) and id of the last row shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatedCursor {
    pub on: NaiveDate,
    pub id: String,
}

/// Bans decided by `department`, or all (`None`), newest start first (ties
/// by id), after `after`. Served by `bans_department_start (department,
/// starts_on DESC, ban_id)` and `bans_start (starts_on DESC, ban_id)`.
pub async fn bans(
    store: &dyn Store,
    department: Option<&DepartmentCode>,
    after: Option<&DatedCursor>,
    limit: u32,
) -> Result<Page<BanRow, DatedCursor>> {
    let mut stmt = Stmt::select(&BANS).push(" WHERE 1 = 1");
    if let Some(d) = department {
        stmt = stmt.push(" AND department = ").bind(d.as_str());
    }
    if let Some(c) = after {
        // `starts_on <= $d` is the index range; the rest skips the rows shown.
        stmt = stmt
            .push(" AND starts_on <= ")
            .bind(day(c.on))
            .push(" AND (starts_on < ")
            .bind(day(c.on))
            .push(" OR ban_id > ")
            .bind(c.id.as_str())
            .push(")");
    }
    let stmt = stmt.push(" ORDER BY starts_on DESC, ban_id LIMIT ").bind(one_more(limit));
    let rows = to_rows(store.fetch(&stmt).await?)?;
    Ok(Page::from_extra(rows, limit, |b: &BanRow| DatedCursor { on: b.starts_on, id: b.ban_id.clone() }))
}

/// The bans of one subject (organisation or person), newest start first
/// (ties by id), at most `limit`; served by `bans_subject_key`.
pub async fn bans_of_subject(store: &dyn Store, subject_key: &str, limit: u32) -> Result<Vec<BanRow>> {
    let stmt = Stmt::select(&BANS)
        .push(" WHERE subject_key = $1 ORDER BY starts_on DESC, ban_id LIMIT $2")
        .arg(subject_key)
        .arg(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// Interviews held by `department`, or all (`None`), newest first (ties by
/// id), after `after`. Served by `interviews_department_held (department,
/// held_on DESC, interview_id)` and `interviews_held`.
pub async fn interviews(
    store: &dyn Store,
    department: Option<&DepartmentCode>,
    after: Option<&DatedCursor>,
    limit: u32,
) -> Result<Page<InterviewRow, DatedCursor>> {
    let mut stmt = Stmt::select(&INTERVIEWS).push(" WHERE 1 = 1");
    if let Some(d) = department {
        stmt = stmt.push(" AND department = ").bind(d.as_str());
    }
    if let Some(c) = after {
        stmt = stmt
            .push(" AND held_on <= ")
            .bind(day(c.on))
            .push(" AND (held_on < ")
            .bind(day(c.on))
            .push(" OR interview_id > ")
            .bind(c.id.as_str())
            .push(")");
    }
    let stmt = stmt.push(" ORDER BY held_on DESC, interview_id LIMIT ").bind(one_more(limit));
    let rows = to_rows(store.fetch(&stmt).await?)?;
    Ok(Page::from_extra(rows, limit, |i: &InterviewRow| DatedCursor { on: i.held_on, id: i.interview_id.clone() }))
}

/// The interviews of one organisation, newest first (ties by id), at most
/// `limit`; served by `interviews_subject_key`.
pub async fn interviews_of_subject(store: &dyn Store, subject_key: &str, limit: u32) -> Result<Vec<InterviewRow>> {
    let stmt = Stmt::select(&INTERVIEWS)
        .push(" WHERE subject_key = $1 ORDER BY held_on DESC, interview_id LIMIT $2")
        .arg(subject_key)
        .arg(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// Listings on red lists (`list_kind = 'red'`) in force on `today`
/// (decided, not ended), by id, at most `limit`: few, read whole when
/// dishonesty information arrives.
pub async fn red_listings_in_force(store: &dyn Store, today: NaiveDate, limit: u32) -> Result<Vec<ListingRow>> {
    let stmt = Stmt::select(&LISTINGS)
        .push(" WHERE list_kind = 'red' AND status = ")
        .bind(ListingStatus::Listed.as_str())
        .push(" AND (valid_until IS NULL OR valid_until >= ")
        .bind(day(today))
        .push(") ORDER BY listing_id LIMIT ")
        .bind(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

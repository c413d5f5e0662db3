//! The portal's record lists (双公示) and a subject's public records. Which
//! rows may be shown is decided here in SQL (public, legal person, window
//! containing today) and again by `xinyong_core::portal` on each row read,
//! so pages depend on one definition.

use chrono::NaiveDate;
use xinyong_domain::Uscc;
use xinyong_domain::collection::{RECORDS, RecordRow};

use crate::sql::{Arg, Cols, Kind, Stmt, day, to_rows};
use crate::storage_order::{RecordsInStorageOrder, RecordsQuery};
use crate::{Result, StorageError, Store};

/// Which `records` rows the public record lists (双公示) show: records of
/// one catalog item about a legal person, marked public, whose publicity
/// window contains `today` (`window_start <= today < latest_end`, or no
/// `latest_end`). Dates are `YYYY-MM-DD`; `None` filters nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublicRecordFilter {
    pub item: String,
    pub today: String,
    pub department: Option<String>,
    /// Leading digits (ASCII digits only) of the subject's division code,
    /// i.e. of USCC positions 3–8: `370102` for 历下区, `3701` for all Jinan.
    pub division_prefix: Option<String>,
    /// Decision dates from and to, inclusive.
    pub decided_from: Option<String>,
    pub decided_to: Option<String>,
    /// Rows about one of these subjects (USCCs) only; `None` filters
    /// nothing, an empty list matches nothing. The portal resolves what a
    /// visitor types into the search box (a code, or part of a name) to
    /// subjects first: a name matched against the records themselves could
    /// use no index, and a search that found nothing read every public
    /// licence (15 s among a million).
    pub subject_keys: Option<Vec<String>>,
}

/// Keyset position in a newest-first record list: the rows after it are
/// those strictly before `(decision_date, id)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordCursor {
    pub decision_date: String,
    pub id: String,
}

impl RecordCursor {
    /// The position of a row, for the page that follows it.
    pub fn after(row: &RecordRow) -> RecordCursor {
        RecordCursor { decision_date: day(row.decision_date), id: row.id.clone() }
    }
}

/// What every public record list asks, `$1` the item and `$2` today; the
/// filters a visitor chose follow, each only when chosen: written as
/// `($n = '' OR department = $n)`, a condition could serve no index, and a
/// department or district with few records was looked for among every
/// public licence (16 s among a million for a department with none).
///
/// Served by `records_public_item (public, item, decision_date, id, …)`, or
/// with a department by `records_public_department (public, item,
/// department, decision_date, id, …)`, with a county by
/// `records_public_division (public, item, substr(subject_key, 3, 6),
/// decision_date, id, …)`, all read newest first; each ends with the
/// subject kind and the window, so rows are ruled in or out, counted and
/// skipped in the index (20261210000020).
const PUBLIC_RECORDS_WHERE: &str = " WHERE public = 1 AND subject_kind = 'legal_person' AND item = $1 \
     AND window_start IS NOT NULL AND window_start <= $2 AND (latest_end IS NULL OR latest_end > $2)";

/// [`PUBLIC_RECORDS_WHERE`] for the records of named subjects, followed by
/// `AND subject_key IN (…)`. Served by `records_subject (subject_key,
/// decision_date)`: `public` and `item` are written as expressions so that
/// no planner takes an index beginning with them instead, walking every
/// public row of the item newest first in search of these subjects (SQLite
/// chose it, and a subject with no licence cost 3.7 s among a million; 3 ms
/// with this).
const PUBLIC_RECORDS_OF_SUBJECTS_WHERE: &str = " WHERE public + 0 = 1 AND subject_kind = 'legal_person' \
     AND item || '' = $1 \
     AND window_start IS NOT NULL AND window_start <= $2 AND (latest_end IS NULL OR latest_end > $2)";

/// The digits of a division prefix (USCC positions 3–8), at most six;
/// anything but ASCII digits is dropped so the value can never carry a
/// wildcard.
fn division_digits(prefix: Option<&str>) -> String {
    prefix.unwrap_or("").chars().filter(char::is_ascii_digit).take(6).collect()
}

/// `head` continued with the conditions of `f`: `$1` and `$2`, then each
/// chosen filter bound in turn, then the subjects' keys when it names
/// subjects.
fn with_filter(head: Stmt, f: &PublicRecordFilter) -> Stmt {
    let mut stmt = match &f.subject_keys {
        None => head.push(PUBLIC_RECORDS_WHERE),
        Some(_) => head.push(PUBLIC_RECORDS_OF_SUBJECTS_WHERE),
    }
    .arg(f.item.as_str())
    .arg(f.today.as_str());
    let chosen = |value: &Option<String>| value.clone().filter(|v| !v.is_empty());
    if let Some(department) = chosen(&f.department) {
        stmt = stmt.push(" AND department = ").bind(department);
    }
    let digits = division_digits(f.division_prefix.as_deref());
    if digits.len() == 6 {
        // A county: equal to the indexed expression.
        stmt = stmt.push(" AND substr(subject_key, 3, 6) = ").bind(digits);
    } else if !digits.is_empty() {
        // A province or city (`37`, `3701`) holds most rows: walking the
        // dates newest first finds a page soonest.
        stmt = stmt.push(" AND substr(subject_key, 3, 6) LIKE ").bind(format!("{digits}%"));
    }
    if let Some(from) = chosen(&f.decided_from) {
        stmt = stmt.push(" AND decision_date >= ").bind(from);
    }
    if let Some(to) = chosen(&f.decided_to) {
        stmt = stmt.push(" AND decision_date <= ").bind(to);
    }
    match &f.subject_keys {
        None => stmt,
        Some(keys) => {
            // Padded to a power of two with the last key again: one text
            // per size class (nine up to 256 keys), each planned once per
            // connection instead of a new statement for every count of
            // subjects crowding the others out of the statement cache.
            let padding = keys.len().next_power_of_two() - keys.len();
            let padded = keys.iter().chain(keys.last().into_iter().cycle().take(padding));
            stmt.push(" AND subject_key IN (").bind_list(padded.map(String::as_str)).push(")")
        }
    }
}

/// Records matching `filter`, newest decision first (ties by id, descending),
/// after `cursor`; at most `limit`.
pub async fn public_records(
    store: &dyn Store,
    filter: &PublicRecordFilter,
    cursor: Option<&RecordCursor>,
    limit: u32,
) -> Result<Vec<RecordRow>> {
    let mut stmt = with_filter(Stmt::select(&RECORDS), filter);
    if let Some(c) = cursor {
        // `decision_date <= d` on its own is what bounds the index range:
        // the tie-break `(decision_date < d OR id < i)` alone is no range to
        // either planner, and every page was read from the newest record on
        // (8.5 s for a page deep in 7M records, 8 ms with the bound).
        stmt = stmt
            .push(" AND decision_date <= ")
            .bind(c.decision_date.clone())
            .push(" AND (decision_date < ")
            .bind(c.decision_date.clone())
            .push(" OR id < ")
            .bind(c.id.clone())
            .push(")");
    }
    let stmt = stmt.push(" ORDER BY decision_date DESC, id DESC LIMIT ").bind(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// A record in publicity, as the status map holds it (see [`in_publicity`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InPublicity {
    pub id: String,
    /// The organisation's USCC.
    pub subject_key: String,
    /// The log index of the record's current version.
    pub seq: u64,
}

/// Every record of `item` that [`public_records`] lists on `today` (its
/// `filter` with only `item` and `today`), in storage order, about `page`
/// at a time: what the status map reads. Run it on a [`Store::snapshot`]
/// (the walk is the evaluation's, `evaluation::record_facts`).
pub fn in_publicity<'s>(store: &'s dyn Store, item: &str, today: NaiveDate, page: u32) -> InPublicityWalk<'s> {
    let query = RecordsQuery {
        what: "records in publicity",
        columns: "id, subject_key, seq",
        // `PUBLIC_RECORDS_WHERE` without its optional filters: a contract
        // story checks that both select the same rows.
        condition: "public = 1 AND subject_kind = 'legal_person' AND item = $3 \
            AND window_start IS NOT NULL AND window_start <= $4 AND (latest_end IS NULL OR latest_end > $4)",
        args: vec![Arg::from(item), Arg::from(day(today))],
    };
    InPublicityWalk { rows: RecordsInStorageOrder::new(store, query, page) }
}

/// The walk of [`in_publicity`].
#[derive(Debug)]
pub struct InPublicityWalk<'s> {
    rows: RecordsInStorageOrder<'s>,
}

impl InPublicityWalk<'_> {
    /// The next page; `None` once every record was read.
    pub async fn next_page(&mut self) -> Result<Option<Vec<InPublicity>>> {
        let Some(page) = self.rows.next_page::<(String, String, i64)>().await? else { return Ok(None) };
        let rows = page.into_iter().map(|(id, subject_key, seq)| {
            let seq =
                u64::try_from(seq).map_err(|_| StorageError::Inconsistent(format!("records: {id}: seq {seq}")))?;
            Ok(InPublicity { id, subject_key, seq })
        });
        Ok(Some(rows.collect::<Result<_>>()?))
    }
}

/// Records matching `filter` in the order of [`public_records`], the
/// `limit` after the first `offset`: the portal's numbered pages. Served by
/// the list's index read backwards (see `PUBLIC_RECORDS_WHERE`); the
/// offset's rows are skipped in the index, but a page still costs its
/// offset, so callers bound it.
pub async fn public_records_at(
    store: &dyn Store,
    filter: &PublicRecordFilter,
    offset: u64,
    limit: u32,
) -> Result<Vec<RecordRow>> {
    to_rows(store.fetch(&records_at_stmt(filter, offset, limit)).await?)
}

fn records_at_stmt(filter: &PublicRecordFilter, offset: u64, limit: u32) -> Stmt {
    with_filter(Stmt::select(&RECORDS), filter)
        .push(" ORDER BY decision_date DESC, id DESC LIMIT ")
        .bind(i64::from(limit))
        .push(" OFFSET ")
        .bind(i64::try_from(offset).unwrap_or(i64::MAX))
}

/// How many records match `filter`, counting no further than `at_most`: a
/// public page's count must not grow with the city (a million licences
/// took seconds to count, on every view of the first page). Counted newest
/// first, as the pages read them: oldest first, the walk passes every
/// record whose publicity has ended before it meets one still public
/// (1.4 s against 35 ms for 10,001 of a million licences).
pub async fn count_public_records(store: &dyn Store, filter: &PublicRecordFilter, at_most: u64) -> Result<u64> {
    let stmt = with_filter(Stmt::new("SELECT COUNT(*) FROM (SELECT 1 FROM records"), filter)
        .push(" ORDER BY decision_date DESC LIMIT ")
        .bind(i64::try_from(at_most).unwrap_or(i64::MAX))
        .push(") AS counted")
        .returns(&[Kind::Int]);
    let row = store.fetch(&stmt).await?.into_iter().next().unwrap_or_default();
    Cols::new(row, "count of public records").count()
}

/// The records about one organisation that are public on `today` (any
/// catalog item), newest decision first (ties by id, descending), at most
/// `limit`; served by `records_subject (subject_key, decision_date)`.
pub async fn public_records_of(store: &dyn Store, uscc: &Uscc, today: NaiveDate, limit: u32) -> Result<Vec<RecordRow>> {
    let stmt = Stmt::select(&RECORDS)
        .push(
            " WHERE subject_key = $1 AND public = 1 AND subject_kind = 'legal_person' \
             AND window_start IS NOT NULL AND window_start <= $2 AND (latest_end IS NULL OR latest_end > $2) \
             ORDER BY decision_date DESC, id DESC LIMIT $3",
        )
        .arg(uscc.as_str())
        .arg(day(today))
        .arg(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SQLite has no statistics here; it must look the named subjects up in
    /// `records_subject`, not walk `records_public_item` in date order (which
    /// it chose while `public` and `item` could use it).
    #[tokio::test]
    async fn named_subjects_are_looked_up_by_subject() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = crate::SqliteStore::open(&dir.path().join("plan.db")).await.expect("open");
        let filter = PublicRecordFilter {
            item: "XK".into(),
            today: "2026-12-06".into(),
            subject_keys: Some(vec!["91370102MA3C4X1U0T".into(), "91370112MA3M8T8R7Q".into()]),
            ..Default::default()
        };
        let details = crate::sql::sqlite_plan(&store, &records_at_stmt(&filter, 0, 21)).await;
        assert!(details.iter().any(|d| d.contains("USING INDEX records_subject ")), "{details:?}");
        assert!(!details.iter().any(|d| d.contains("records_public_item")), "{details:?}");
        // Three keys are bound as four, two as two: texts by size class.
        let three =
            PublicRecordFilter { subject_keys: Some(vec!["A".into(), "B".into(), "C".into()]), ..filter.clone() };
        let texts = |f: &PublicRecordFilter| records_at_stmt(f, 0, 21).text().to_owned();
        assert!(texts(&three).contains("IN ($3, $4, $5, $6)"), "{}", texts(&three));
        assert!(texts(&filter).contains("IN ($3, $4)"), "{}", texts(&filter));
        let all = PublicRecordFilter { subject_keys: None, ..filter };
        let details = crate::sql::sqlite_plan(&store, &records_at_stmt(&all, 0, 21)).await;
        assert!(details.iter().any(|d| d.contains("records_public_item")), "{details:?}");
    }

    /// No filter, a department, a county and dates each bound an index range
    /// that is read newest first, ties by id: a rare department or county is
    /// not looked for among all the item's public records.
    #[tokio::test]
    async fn chosen_filters_are_index_ranges() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = crate::SqliteStore::open(&dir.path().join("plan.db")).await.expect("open");
        let all = PublicRecordFilter { item: "XK".into(), today: "2026-12-06".into(), ..Default::default() };
        let cases = [
            (all.clone(), "records_public_item (public=? AND item=?)"),
            (PublicRecordFilter { department: Some("zjj".into()), ..all.clone() }, "records_public_department"),
            (PublicRecordFilter { division_prefix: Some("370102".into()), ..all.clone() }, "records_public_division"),
            (
                PublicRecordFilter {
                    decided_from: Some("2020-01-01".into()),
                    decided_to: Some("2020-12-31".into()),
                    ..all
                },
                "records_public_item (public=? AND item=? AND decision_date>? AND decision_date<?)",
            ),
        ];
        for (filter, index) in cases {
            let details = crate::sql::sqlite_plan(&store, &records_at_stmt(&filter, 0, 21)).await;
            assert!(details.iter().any(|d| d.contains(index)), "{index}: {details:?}");
            // The index holds the id after the date: nothing is sorted.
            assert!(!details.iter().any(|d| d.contains("TEMP B-TREE")), "{index}: {details:?}");
        }
    }
}

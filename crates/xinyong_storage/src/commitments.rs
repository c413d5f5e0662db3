//! Commitments (告知承诺): a company's commitments, a department's queue,
//! one commitment's deferred materials, the materials past their deadline
//! and the false commitments that bar an applicant; public pledges and
//! associations' schemes. Every set is bounded by a `limit`.

use chrono::NaiveDate;
use xinyong_domain::Uscc;
use xinyong_domain::auth::DepartmentCode;
use xinyong_domain::commitments::{
    COMMITMENT_MATERIALS, COMMITMENTS, COURSE_COMPLETIONS, CommitmentMaterialRow, CommitmentRow, CommitmentStatus,
    CourseCompletionRow, INTEGRITY_COURSES, IntegrityCourseRow, PLEDGE_SCHEMES, PLEDGES, PledgeRow, PledgeSchemeRow,
};

use crate::sql::{Cols, Kind, Stmt, day, records_date as date, to_rows};
use crate::{Result, Store};

/// A company's commitments, the newest first (ties by id), at most `limit`;
/// served by `commitments_uscc`.
pub async fn of_subject(store: &dyn Store, uscc: &Uscc, limit: u32) -> Result<Vec<CommitmentRow>> {
    let stmt = Stmt::select(&COMMITMENTS)
        .push(" WHERE uscc = ")
        .bind(uscc.as_str())
        .push(" ORDER BY made_on DESC, commitment_id LIMIT ")
        .bind(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// A department's commitments (every department's for `None`) in `status`
/// when given, the earliest verification deadline first, at most `limit`.
pub async fn of_department(
    store: &dyn Store,
    department: Option<&DepartmentCode>,
    status: Option<CommitmentStatus>,
    limit: u32,
) -> Result<Vec<CommitmentRow>> {
    let mut stmt = Stmt::select(&COMMITMENTS).push(" WHERE 1 = 1");
    if let Some(d) = department {
        stmt = stmt.push(" AND department = ").bind(d.as_str());
    }
    if let Some(s) = status {
        stmt = stmt.push(" AND status = ").bind(s.as_str());
    }
    let stmt = stmt.push(" ORDER BY verify_by, commitment_id LIMIT ").bind(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// A commitment's deferred materials, in code order.
pub async fn materials(store: &dyn Store, commitment_id: &str) -> Result<Vec<CommitmentMaterialRow>> {
    let stmt = Stmt::select(&COMMITMENT_MATERIALS)
        .push(" WHERE commitment_id = ")
        .bind(commitment_id)
        .push(" ORDER BY material_code");
    to_rows(store.fetch(&stmt).await?)
}

/// Materials not supplied nor yet marked overdue whose deadline is before
/// `today`, by commitment and code, at most `limit`; served by
/// `commitment_materials_due`.
pub async fn past_due(store: &dyn Store, today: NaiveDate, limit: u32) -> Result<Vec<CommitmentMaterialRow>> {
    let stmt = Stmt::select(&COMMITMENT_MATERIALS)
        .push(" WHERE supplied_on IS NULL AND overdue_on IS NULL AND due_on < ")
        .bind(day(today))
        .push(" ORDER BY commitment_id, material_code LIMIT ")
        .bind(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// Deferred materials still missing and not yet reminded of, due from
/// `from` to `until` (both included), at most `limit`: whose applicants the
/// commitments job reminds.
pub async fn due_soon(
    store: &dyn Store,
    from: NaiveDate,
    until: NaiveDate,
    limit: u32,
) -> Result<Vec<CommitmentMaterialRow>> {
    let stmt = Stmt::select(&COMMITMENT_MATERIALS)
        .push(" WHERE supplied_on IS NULL AND overdue_on IS NULL AND reminded_on IS NULL AND due_on >= ")
        .bind(day(from))
        .push(" AND due_on <= ")
        .bind(day(until))
        .push(" ORDER BY commitment_id, material_code LIMIT ")
        .bind(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// A company's broken commitments (breached or false) with the dishonesty
/// record each became, the newest first, at most `limit`: what bars it
/// from 告知承诺 until its credit is repaired (国办发〔2020〕42号).
pub async fn broken_commitments(store: &dyn Store, uscc: &Uscc, limit: u32) -> Result<Vec<CommitmentRow>> {
    let stmt = Stmt::select(&COMMITMENTS)
        .push(" WHERE uscc = ")
        .bind(uscc.as_str())
        .push(" AND status IN (")
        .bind(CommitmentStatus::Breached.as_str())
        .push(", ")
        .bind(CommitmentStatus::False.as_str())
        .push(") ORDER BY made_on DESC, commitment_id LIMIT ")
        .bind(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// What the check index keeps of a record that bars 告知承诺 (see
/// [`barring_records`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BarringRecord {
    pub id: String,
    /// The organisation's USCC.
    pub subject_key: String,
    pub item: String,
    pub document_number: String,
    pub decision_date: NaiveDate,
    pub severity: Option<String>,
    pub latest_end: Option<NaiveDate>,
}

/// Published records about organisations that bar 告知承诺 — broken
/// commitments (item `CNSX`) and records classed serious — by id after
/// `after`, at most `limit`: what the check index loads when it is rebuilt.
/// Only the columns it keeps are read: at ten million records there are
/// tens of thousands of these, and whole rows (with `fields`) took about
/// 1.9 s of every start.
///
/// The partial index `records_commitment_bars` (migration
/// 20261210000017) holds exactly these rows, so its condition and this
/// `WHERE` must stay the same term for term: a planner uses a partial index
/// only when the query implies its condition, and without it this walked
/// every public record at each start.
pub async fn barring_records(store: &dyn Store, after: Option<&str>, limit: u32) -> Result<Vec<BarringRecord>> {
    let rows = store.fetch(&barring_records_stmt(after, limit)).await?;
    rows.into_iter()
        .map(|row| {
            let mut c = Cols::new(row, "barring record");
            Ok(BarringRecord {
                id: c.text()?,
                subject_key: c.text()?,
                item: c.text()?,
                document_number: c.text()?,
                decision_date: date(Some(c.text()?))?,
                severity: c.opt_text()?,
                latest_end: date(c.opt_text()?)?,
            })
        })
        .collect()
}

fn barring_records_stmt(after: Option<&str>, limit: u32) -> Stmt {
    Stmt::new(
        "SELECT id, subject_key, item, document_number, decision_date, severity, latest_end FROM records \
         WHERE public = 1 AND subject_kind = 'legal_person' \
         AND (item = 'CNSX' OR severity IN ('serious', 'specific_serious')) AND id > $1 ORDER BY id LIMIT $2",
    )
    .arg(after.unwrap_or(""))
    .arg(i64::from(limit))
    .returns(&[Kind::Text, Kind::Text, Kind::Text, Kind::Text, Kind::Text, Kind::Text, Kind::Text])
}

/// The `WHERE` of the public pledges: in force, and when `q` is given a
/// company whose name contains it or whose USCC it is. `%`, `_` and `\` in
/// `q` are literal.
fn pledges_where(stmt: Stmt, q: &str) -> Stmt {
    let stmt = stmt.push(" WHERE withdrawn_on IS NULL");
    if q.is_empty() {
        return stmt;
    }
    stmt.push(" AND (uscc = ")
        .bind(q.to_owned())
        .push(" OR subject_name LIKE ")
        .bind(crate::sql::contains_pattern(q))
        .push(" ESCAPE '\\')")
}

/// Public pledges in force (信用承诺公示), the newest first, a page of
/// `limit` after `offset`, filtered by `q` (a company name fragment or a USCC).
pub async fn public_pledges(store: &dyn Store, q: &str, offset: u64, limit: u32) -> Result<Vec<PledgeRow>> {
    let stmt = pledges_where(Stmt::select(&PLEDGES), q)
        .push(" ORDER BY made_on DESC, pledge_id LIMIT ")
        .bind(i64::from(limit))
        .push(" OFFSET ")
        .bind(i64::try_from(offset).unwrap_or(i64::MAX));
    to_rows(store.fetch(&stmt).await?)
}

/// How many public pledges `q` finds.
pub async fn count_public_pledges(store: &dyn Store, q: &str) -> Result<u64> {
    let stmt = pledges_where(Stmt::new("SELECT COUNT(*) FROM pledges"), q).returns(&[Kind::Int]);
    let row = store.fetch(&stmt).await?.into_iter().next().unwrap_or_default();
    Cols::new(row, "count of pledges").count()
}

/// A company's pledges, withdrawn ones too, the newest first, at most `limit`.
pub async fn pledges_of(store: &dyn Store, uscc: &Uscc, limit: u32) -> Result<Vec<PledgeRow>> {
    let stmt = Stmt::select(&PLEDGES)
        .push(" WHERE uscc = ")
        .bind(uscc.as_str())
        .push(" ORDER BY made_on DESC, pledge_id LIMIT ")
        .bind(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// An association's schemes, the newest first, at most `limit`.
pub async fn schemes_of(store: &dyn Store, association: &Uscc, limit: u32) -> Result<Vec<PledgeSchemeRow>> {
    let stmt = Stmt::select(&PLEDGE_SCHEMES)
        .push(" WHERE association_uscc = ")
        .bind(association.as_str())
        .push(" ORDER BY published_on DESC, scheme_id LIMIT ")
        .bind(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// The integrity-education courses, offered ones first, then by id, at most `limit`.
pub async fn courses(store: &dyn Store, limit: u32) -> Result<Vec<IntegrityCourseRow>> {
    let stmt = Stmt::select(&INTEGRITY_COURSES).push(" ORDER BY active DESC, course_id LIMIT ").bind(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// One learner's completions (a USCC or an ID number), the latest first.
pub async fn completions_of(store: &dyn Store, learner_key: &str, limit: u32) -> Result<Vec<CourseCompletionRow>> {
    let stmt = Stmt::select(&COURSE_COMPLETIONS)
        .push(" WHERE learner_key = ")
        .bind(learner_key.to_owned())
        .push(" ORDER BY completed_on DESC, course_id LIMIT ")
        .bind(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// The latest completions recorded, at most `limit`.
pub async fn recent_completions(store: &dyn Store, limit: u32) -> Result<Vec<CourseCompletionRow>> {
    let stmt = Stmt::select(&COURSE_COMPLETIONS)
        .push(" ORDER BY seq DESC, course_id, learner_key LIMIT ")
        .bind(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SQLite, which has no statistics here, walks the partial index: the
    /// old plan read every public record at each start.
    #[tokio::test]
    async fn barring_records_walk_their_partial_index() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = crate::SqliteStore::open(&dir.path().join("plan.db")).await.expect("open");
        let details = crate::sql::sqlite_plan(&store, &barring_records_stmt(Some("R1"), 100)).await;
        // Covering: the rows are not looked up in the table (20261210000018).
        assert!(
            details.iter().any(|d| d.contains("COVERING INDEX records_commitment_bars")) && details.len() == 1,
            "{details:?}"
        );
    }
}

//! Credit evaluation: a subject's grades and their history, the grades it
//! received from elsewhere, the distribution of grades under a model (in
//! all, per registering division, per licensing sector), and the movements
//! between grades over a period.

use chrono::NaiveDate;
use xinyong_domain::Uscc;
use xinyong_domain::collection::RecordRow;
use xinyong_domain::evaluation::{EXTERNAL_GRADES, ExternalGradeRow, GRADE_HISTORY, GRADES, GradeHistoryRow, GradeRow};

use crate::sql::{Cols, Kind, Stmt, day, records_date, to_rows};
use crate::storage_order::{RecordsInStorageOrder, RecordsQuery};
use crate::{Result, Store};

/// What a credit evaluation reads of a record: the columns its facts
/// depend on, without the record's `fields`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordFact {
    pub id: String,
    pub subject_kind: String,
    /// The organisation's USCC (or the person's ID number).
    pub subject_key: String,
    pub item: String,
    pub decision_date: NaiveDate,
    pub severity: Option<String>,
    pub non_public_reason: Option<String>,
}

impl From<&RecordRow> for RecordFact {
    fn from(row: &RecordRow) -> RecordFact {
        RecordFact {
            id: row.id.clone(),
            subject_kind: row.subject_kind.clone(),
            subject_key: row.subject_key.clone(),
            item: row.item.clone(),
            decision_date: row.decision_date,
            severity: row.severity.clone(),
            non_public_reason: row.non_public_reason.clone(),
        }
    }
}

/// Every record once, in the order the database stores them, about `page`
/// at a time: what a full evaluation reads. Run it on a
/// [`Store::snapshot`]; `storage_order` says why this order, and why only
/// there.
pub fn record_facts(store: &dyn Store, page: u32) -> RecordFactWalk<'_> {
    let query = RecordsQuery {
        what: "record facts",
        columns: "id, subject_kind, subject_key, item, decision_date, severity, non_public_reason",
        condition: "TRUE",
        args: Vec::new(),
    };
    RecordFactWalk { rows: RecordsInStorageOrder::new(store, query, page) }
}

/// The walk of [`record_facts`].
#[derive(Debug)]
pub struct RecordFactWalk<'s> {
    rows: RecordsInStorageOrder<'s>,
}

/// A row of [`record_facts`], in the order of its columns.
type PackedRecordFact = (String, String, String, String, String, Option<String>, Option<String>);

impl RecordFactWalk<'_> {
    /// The next page; `None` once every record was read.
    pub async fn next_page(&mut self) -> Result<Option<Vec<RecordFact>>> {
        let Some(page) = self.rows.next_page::<PackedRecordFact>().await? else { return Ok(None) };
        let facts = page.into_iter().map(|(id, subject_kind, subject_key, item, decision_date, severity, reason)| {
            Ok(RecordFact {
                id,
                subject_kind,
                subject_key,
                item,
                decision_date: records_date(Some(decision_date))?,
                severity,
                non_public_reason: reason,
            })
        });
        Ok(Some(facts.collect::<Result<_>>()?))
    }
}

/// A subject's current grade under every model, by model name.
pub async fn grades_of_subject(store: &dyn Store, uscc: &Uscc) -> Result<Vec<GradeRow>> {
    let stmt = Stmt::select(&GRADES).push(" WHERE uscc = $1 ORDER BY model").arg(uscc.as_str());
    to_rows(store.fetch(&stmt).await?)
}

/// The grades a subject was given under one model, newest first, at most
/// `limit`; served by the primary key.
pub async fn grade_history(store: &dyn Store, uscc: &Uscc, model: &str, limit: u32) -> Result<Vec<GradeHistoryRow>> {
    let stmt = Stmt::select(&GRADE_HISTORY)
        .push(" WHERE uscc = $1 AND model = $2 ORDER BY graded_at DESC LIMIT $3")
        .arg(uscc.as_str())
        .arg(model)
        .arg(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// The grades a subject received from elsewhere, latest period first per
/// scheme; served by the primary key.
pub async fn external_grades_of(store: &dyn Store, uscc: &Uscc) -> Result<Vec<ExternalGradeRow>> {
    let stmt = Stmt::select(&EXTERNAL_GRADES).push(" WHERE uscc = $1 ORDER BY scheme, period DESC").arg(uscc.as_str());
    to_rows(store.fetch(&stmt).await?)
}

/// How many subjects hold each grade under a model; served by
/// `grades_model_grade`.
pub async fn grade_distribution(store: &dyn Store, model: &str) -> Result<Vec<(String, u64)>> {
    let stmt = Stmt::new("SELECT grade, COUNT(*) FROM grades WHERE model = ")
        .bind(model)
        .push(" GROUP BY grade ORDER BY grade")
        .returns(&[Kind::Text, Kind::Int]);
    store
        .fetch(&stmt)
        .await?
        .into_iter()
        .map(|row| {
            let mut c = Cols::new(row, "grade distribution");
            Ok((c.text()?, c.count()?))
        })
        .collect()
}

/// How many subjects hold each grade under a model, per registering
/// division (positions 3–8 of the USCC, which `subjects.division` also
/// holds): (division, grade, count), by division. One pass over the
/// model's grades: the code carries the division, so no join is needed.
pub async fn grades_by_division(store: &dyn Store, model: &str) -> Result<Vec<(String, String, u64)>> {
    let stmt = Stmt::new("SELECT substr(uscc, 3, 6), grade, COUNT(*) FROM grades WHERE model = ")
        .bind(model)
        .push(" GROUP BY substr(uscc, 3, 6), grade ORDER BY 1, 2")
        .returns(&[Kind::Text, Kind::Text, Kind::Int]);
    store
        .fetch(&stmt)
        .await?
        .into_iter()
        .map(|row| {
            let mut c = Cols::new(row, "grades by division");
            Ok((c.text()?, c.text()?, c.count()?))
        })
        .collect()
}

/// Subjects of one licensing sector holding one grade (see
/// [`grades_by_sector`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectorGrades {
    /// The sector of a department that granted the subject a licence (`XK`
    /// record); `Some("")` when that department has no sector, `None` for
    /// the subjects that hold no licence at all.
    pub sector: Option<String>,
    pub grade: String,
    pub subjects: u64,
}

/// How many subjects hold each grade under a model, per sector of the
/// departments whose licences (catalog item `XK`) they hold. A subject
/// licensed in two sectors counts in both, once in each however many
/// licences it holds there; subjects without a licence count once, under
/// `None`. Served by `records_subject_item`, which holds every column the
/// join reads, and the departments' primary key.
pub async fn grades_by_sector(store: &dyn Store, model: &str) -> Result<Vec<SectorGrades>> {
    let stmt = Stmt::new(
        "SELECT sector, grade, COUNT(*) FROM (SELECT DISTINCT g.uscc, g.grade, \
         CASE WHEN r.subject_key IS NULL THEN NULL ELSE COALESCE(d.sector, '') END AS sector \
         FROM grades g LEFT JOIN records r ON r.subject_key = g.uscc AND r.item = 'XK' \
         LEFT JOIN departments d ON d.code = r.department WHERE g.model = ",
    )
    .bind(model)
    .push(") s GROUP BY sector, grade ORDER BY 1, 2")
    .returns(&[Kind::Text, Kind::Text, Kind::Int]);
    store
        .fetch(&stmt)
        .await?
        .into_iter()
        .map(|row| {
            let mut c = Cols::new(row, "grades by sector");
            Ok(SectorGrades { sector: c.opt_text()?, grade: c.text()?, subjects: c.count()? })
        })
        .collect()
}

/// Grades given in one month that moved a subject from one grade to
/// another (see [`grade_movements`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GradeMovement {
    /// `YYYY-MM` of the day the grades were given.
    pub month: String,
    /// The subject's grade before; empty for its first grade under the model.
    pub from: String,
    pub to: String,
    pub subjects: u64,
}

/// The grades given under a model on days in `[from, to]`, counted by month
/// and by (grade before, grade given). Each history row is one grade given;
/// the grade before is the subject's previous row under the model, looked up
/// by the primary key `(uscc, model, graded_at)` for the rows in the range
/// only (a window over the whole history would read every row ever
/// written). `grade_history_model_day` serves the range. A row whose grade
/// equals the one before is a new score or new reasons within the same grade.
pub async fn grade_movements(
    store: &dyn Store,
    model: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<GradeMovement>> {
    let stmt = Stmt::new(
        "SELECT mon, prev, cur, COUNT(*) FROM (SELECT substr(h.evaluated_on, 1, 7) AS mon, \
         COALESCE((SELECT p.grade FROM grade_history p WHERE p.uscc = h.uscc AND p.model = h.model \
         AND p.graded_at < h.graded_at ORDER BY p.graded_at DESC LIMIT 1), '') AS prev, h.grade AS cur \
         FROM grade_history h WHERE h.model = $1 AND h.evaluated_on >= $2 AND h.evaluated_on <= $3) m \
         GROUP BY mon, prev, cur ORDER BY 1, 2, 3",
    )
    .arg(model)
    .arg(day(from))
    .arg(day(to))
    .returns(&[Kind::Text, Kind::Text, Kind::Text, Kind::Int]);
    store
        .fetch(&stmt)
        .await?
        .into_iter()
        .map(|row| {
            let mut c = Cols::new(row, "grade movements");
            Ok(GradeMovement { month: c.text()?, from: c.text()?, to: c.text()?, subjects: c.count()? })
        })
        .collect()
}

/// The subjects named by log entries from index `from` on, at most `limit`
/// (what an incremental evaluation re-scores); served by the primary key's
/// range and `events_subject`.
pub async fn subjects_touched_since(store: &dyn Store, from: u64, limit: u32) -> Result<Vec<String>> {
    let stmt = Stmt::new("SELECT DISTINCT subject FROM events WHERE seq >= ")
        .bind(i64::try_from(from).unwrap_or(i64::MAX))
        .push(" AND subject IS NOT NULL ORDER BY subject LIMIT ")
        .bind(i64::from(limit))
        .returns(&[Kind::Text]);
    store.fetch(&stmt).await?.into_iter().map(|row| Cols::new(row, "touched subjects").text()).collect()
}

/// The organisations whose objections were closed by log entries from index
/// `from` on, at most `limit`: a record kept after an objection counts
/// again, and `record_objection_closed` names no subject in its entry. A
/// scan of `record_objections` (objections are few next to records).
pub async fn objections_closed_since(store: &dyn Store, from: u64, limit: u32) -> Result<Vec<String>> {
    let stmt = Stmt::new("SELECT DISTINCT uscc FROM record_objections WHERE seq >= ")
        .bind(i64::try_from(from).unwrap_or(i64::MAX))
        .push(" AND status = ")
        .bind(xinyong_domain::objections::ObjectionStatus::Closed.as_str())
        .push(" ORDER BY uscc LIMIT ")
        .bind(i64::from(limit))
        .returns(&[Kind::Text]);
    store.fetch(&stmt).await?.into_iter().map(|row| Cols::new(row, "closed objections").text()).collect()
}

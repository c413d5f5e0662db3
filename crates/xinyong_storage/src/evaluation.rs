//! Credit evaluation: a subject's grades and their history, the grades it
//! received from elsewhere, the distribution of grades under a model (in
//! all, per registering division, per licensing sector), and the movements
//! between grades over a period.

use chrono::NaiveDate;
use xinyong_domain::Uscc;
use xinyong_domain::collection::RecordRow;
use xinyong_domain::evaluation::{EXTERNAL_GRADES, ExternalGradeRow, GRADE_HISTORY, GRADES, GradeHistoryRow, GradeRow};

use crate::sql::{Cols, Kind, Stmt, day, records_date, to_rows};
use crate::{Backend, Result, StorageError, Store};

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
/// at a time: what a full evaluation reads.
///
/// Not in key order on purpose. Record ids are hashes, so a walk by id
/// visits the table at random: at ten million records (8.4 GB) that read
/// most of the file in random order and took minutes, where the same rows
/// in storage order take seconds. SQLite walks by `rowid`; PostgreSQL by
/// ranges of heap blocks (`ctid`, a TID range scan, PostgreSQL 14 and
/// later), each of `page / 8` blocks, so a page holds at most that many
/// blocks' rows whatever their size.
///
/// Run it on a [`Store::snapshot`]: between two statements outside one, an
/// updated row can move (PostgreSQL writes a new version elsewhere in the
/// heap) and be read twice or not at all, and PostgreSQL's walk ends at the
/// table's size when it began.
pub fn record_facts(store: &dyn Store, page: u32) -> RecordFactWalk<'_> {
    RecordFactWalk { store, page: page.max(8), next: 0, end_block: None, done: false }
}

/// The walk of [`record_facts`].
#[derive(Debug)]
pub struct RecordFactWalk<'s> {
    store: &'s dyn Store,
    page: u32,
    /// SQLite: the last `rowid` read; PostgreSQL: the next block to read.
    next: i64,
    /// PostgreSQL: the table's size in blocks, read at the first page.
    end_block: Option<i64>,
    done: bool,
}

/// The columns of [`RecordFact`], in the order a packed row holds them
/// after the row's place (`rowid` on SQLite, 0 on PostgreSQL).
macro_rules! record_fact_columns {
    () => {
        "id, subject_kind, subject_key, item, decision_date, severity, non_public_reason"
    };
}

impl RecordFactWalk<'_> {
    /// The next page; `None` once every record was read.
    pub async fn next_page(&mut self) -> Result<Option<Vec<RecordFact>>> {
        while !self.done {
            let rows = match self.store.backend() {
                Backend::Sqlite => self.next_sqlite_page().await?,
                Backend::Postgres => self.next_postgres_page().await?,
            };
            // A PostgreSQL range can hold no live row; the walk goes on.
            if !rows.is_empty() {
                return Ok(Some(rows));
            }
        }
        Ok(None)
    }

    async fn next_sqlite_page(&mut self) -> Result<Vec<RecordFact>> {
        let stmt = Stmt::new(concat!(
            "SELECT json_group_array(json_array(rowid, ",
            record_fact_columns!(),
            ") ORDER BY rowid) FROM (SELECT rowid, ",
            record_fact_columns!(),
            " FROM records WHERE rowid > $1 ORDER BY rowid LIMIT $2) AS page"
        ))
        .arg(self.next)
        .arg(i64::from(self.page))
        .returns(&[Kind::Text]);
        let (places, rows) = record_fact_page(self.store.fetch(&stmt).await?)?;
        self.done = rows.len() < self.page as usize;
        if let Some(last) = places.last() {
            self.next = *last;
        }
        Ok(rows)
    }

    async fn next_postgres_page(&mut self) -> Result<Vec<RecordFact>> {
        let end = match self.end_block {
            Some(end) => end,
            None => {
                let size = Stmt::new("SELECT pg_relation_size('records') / current_setting('block_size')::bigint")
                    .returns(&[Kind::Int]);
                let row = self.store.fetch(&size).await?.into_iter().next().unwrap_or_default();
                *self.end_block.insert(Cols::new(row, "size of records in blocks").int()?)
            }
        };
        let from = self.next;
        let to = from.saturating_add(i64::from(self.page / 8));
        self.next = to;
        self.done = to >= end;
        if from >= end {
            return Ok(Vec::new());
        }
        let stmt = Stmt::new(concat!(
            "SELECT json_agg(json_build_array(0, ",
            record_fact_columns!(),
            "))::text FROM records ",
            "WHERE ctid >= format('(%s,0)', $1::bigint)::tid AND ctid < format('(%s,0)', $2::bigint)::tid"
        ))
        .arg(from)
        .arg(to)
        .returns(&[Kind::Text]);
        Ok(record_fact_page(self.store.fetch(&stmt).await?)?.1)
    }
}

/// One row of a packed page: its place, then the columns of
/// `record_fact_columns!`.
type PackedRecordFact = (i64, String, String, String, String, String, Option<String>, Option<String>);

/// The places and rows of a page packed into one JSON array (see
/// `rows::packed`: row by row, the drivers cost more than the database).
fn record_fact_page(result: Vec<Vec<crate::sql::Value>>) -> Result<(Vec<i64>, Vec<RecordFact>)> {
    let text = match result.into_iter().next().and_then(|row| row.into_iter().next()) {
        Some(crate::sql::Value::Text(text)) => text,
        // No rows: an empty array, or NULL from PostgreSQL's `json_agg`.
        _ => return Ok((Vec::new(), Vec::new())),
    };
    let packed: Vec<PackedRecordFact> = serde_json::from_str(&text)
        .map_err(|e| StorageError::Inconsistent(format!("records: packed page of record facts: {e}")))?;
    let mut places = Vec::with_capacity(packed.len());
    let mut rows = Vec::with_capacity(packed.len());
    for (place, id, subject_kind, subject_key, item, decision_date, severity, non_public_reason) in packed {
        places.push(place);
        rows.push(RecordFact {
            id,
            subject_kind,
            subject_key,
            item,
            decision_date: records_date(Some(decision_date))?,
            severity,
            non_public_reason,
        });
    }
    Ok((places, rows))
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

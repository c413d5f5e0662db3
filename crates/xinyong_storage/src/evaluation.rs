//! Credit evaluation: a subject's grades and their history, the grades it
//! received from elsewhere, and the distribution of grades under a model.

use xinyong_domain::Uscc;
use xinyong_domain::evaluation::{EXTERNAL_GRADES, ExternalGradeRow, GRADE_HISTORY, GRADES, GradeHistoryRow, GradeRow};

use crate::sql::{Cols, Kind, Stmt, to_rows};
use crate::{Result, Store};

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

//! Random inspections: item lists, the inspector directory, tasks and their
//! targets, and the subject directory an item's scope selects.

use chrono::NaiveDate;
use xinyong_domain::Uscc;
use xinyong_domain::inspections::{
    INSPECTION_ITEMS, INSPECTION_TARGETS, INSPECTION_TASKS, INSPECTOR_CONFLICTS, INSPECTORS, InspectionItemRow,
    InspectionTargetRow, InspectionTaskRow, InspectorConflictRow, InspectorRow,
};

use crate::sql::{Cols, Kind, Stmt, to_rows};
use crate::{Result, Store};

/// A department's items (every department's when `None`), active first.
pub async fn items(store: &dyn Store, department: Option<&str>, limit: u32) -> Result<Vec<InspectionItemRow>> {
    let stmt = match department {
        Some(d) => Stmt::select(&INSPECTION_ITEMS).push(" WHERE department = ").bind(d),
        None => Stmt::select(&INSPECTION_ITEMS),
    };
    let stmt = stmt.push(" ORDER BY active DESC, department, code LIMIT ").bind(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// A department's inspectors (every department's when `None`), by id.
pub async fn inspectors(store: &dyn Store, department: Option<&str>, limit: u32) -> Result<Vec<InspectorRow>> {
    let stmt = match department {
        Some(d) => Stmt::select(&INSPECTORS).push(" WHERE department = ").bind(d),
        None => Stmt::select(&INSPECTORS),
    };
    let stmt = stmt.push(" ORDER BY department, inspector_id LIMIT ").bind(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// The declared conflicts of the inspectors of these departments.
pub async fn conflicts(store: &dyn Store, departments: &[String], limit: u32) -> Result<Vec<InspectorConflictRow>> {
    let stmt = Stmt::select(&INSPECTOR_CONFLICTS)
        .push(" WHERE inspector_id IN (SELECT inspector_id FROM inspectors WHERE department IN (")
        .bind_list(departments.iter().map(String::as_str))
        .push(")) ORDER BY inspector_id, uscc LIMIT ")
        .bind(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// Tasks led by or joined by `department` (every task when `None`), newest first.
pub async fn tasks(store: &dyn Store, department: Option<&str>, limit: u32) -> Result<Vec<InspectionTaskRow>> {
    let stmt = match department {
        // `departments` is space-separated codes; codes hold no spaces.
        Some(d) => {
            Stmt::select(&INSPECTION_TASKS).push(" WHERE (' ' || departments || ' ') LIKE ").bind(format!("% {d} %"))
        }
        None => Stmt::select(&INSPECTION_TASKS),
    };
    let stmt = stmt.push(" ORDER BY planned_on DESC, task_id DESC LIMIT ").bind(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// Tasks that were drawn (what the portal publishes), newest draw first.
pub async fn drawn_tasks(store: &dyn Store, limit: u32) -> Result<Vec<InspectionTaskRow>> {
    let stmt = Stmt::select(&INSPECTION_TASKS)
        .push(" WHERE draw_seq IS NOT NULL ORDER BY draw_seq DESC LIMIT ")
        .bind(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// Tasks committed and waiting for their seed: what the job draws.
pub async fn waiting_tasks(store: &dyn Store, limit: u32) -> Result<Vec<InspectionTaskRow>> {
    let stmt = Stmt::select(&INSPECTION_TASKS)
        .push(" WHERE status = 'committed' ORDER BY commit_seq LIMIT ")
        .bind(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// A task's targets in draw order.
pub async fn targets(store: &dyn Store, task_id: &str, limit: u32) -> Result<Vec<InspectionTargetRow>> {
    let stmt = Stmt::select(&INSPECTION_TARGETS)
        .push(" WHERE task_id = ")
        .bind(task_id)
        .push(" ORDER BY position LIMIT ")
        .bind(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// A subject's inspections, newest task first.
pub async fn targets_of_subject(store: &dyn Store, uscc: &Uscc, limit: u32) -> Result<Vec<InspectionTargetRow>> {
    let stmt = Stmt::select(&INSPECTION_TARGETS)
        .push(" WHERE uscc = ")
        .bind(uscc.as_str())
        .push(" ORDER BY task_id DESC LIMIT ")
        .bind(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// The subjects of tasks whose results were published by log entries from
/// index `from` on, at most `limit`: their results now count in the
/// evaluation, and `inspection_results_published` names no subject.
pub async fn subjects_published_since(store: &dyn Store, from: u64, limit: u32) -> Result<Vec<String>> {
    let stmt =
        Stmt::new("SELECT DISTINCT t.uscc FROM inspection_targets t JOIN inspection_tasks k ON k.task_id = t.task_id")
            .push(" WHERE k.seq >= ")
            .bind(i64::try_from(from).unwrap_or(i64::MAX))
            .push(" AND k.status = ")
            .bind(xinyong_domain::inspections::TaskStatus::Published.as_str())
            .push(" ORDER BY t.uscc LIMIT ")
            .bind(i64::from(limit))
            .returns(&[Kind::Text]);
    store.fetch(&stmt).await?.into_iter().map(|row| Cols::new(row, "published inspections").text()).collect()
}

/// Who inspected whom in tasks drawn on or after `since`: (subject,
/// inspector ids separated by spaces), for rotation.
pub async fn recent_assignments(store: &dyn Store, since: NaiveDate, limit: u32) -> Result<Vec<(String, String)>> {
    let stmt = Stmt::new(
        "SELECT t.uscc, t.inspectors FROM inspection_targets t JOIN inspection_tasks k ON k.task_id = t.task_id \
         WHERE k.drawn_on >= $1 AND t.inspectors <> '' ORDER BY t.uscc LIMIT $2",
    )
    .arg(since.format("%Y-%m-%d").to_string())
    .arg(i64::from(limit))
    .returns(&[Kind::Text, Kind::Text]);
    store
        .fetch(&stmt)
        .await?
        .into_iter()
        .map(|row| {
            let mut c = Cols::new(row, "recent assignments");
            Ok((c.text()?, c.text()?))
        })
        .collect()
}

/// The subject directory of one item's scope: active subjects, ascending,
/// registered in one of `districts` (division code prefixes; all when
/// empty) and, when `sectors` is not empty, licensed (`XK`) by a department
/// of one of those sectors; with each one's grade under `model` (`""` when
/// not graded). At most `limit` rows: the caller asks for one more than it
/// accepts and refuses the rest.
pub async fn directory(
    store: &dyn Store,
    model: &str,
    sectors: &[String],
    districts: &[String],
    limit: u32,
) -> Result<Vec<(String, String)>> {
    let mut stmt = Stmt::new(
        "SELECT s.uscc, COALESCE(g.grade, '') FROM subjects s LEFT JOIN grades g ON g.uscc = s.uscc AND g.model = ",
    )
    .bind(model)
    .push(" WHERE s.status = 'active'");
    if !sectors.is_empty() {
        stmt = stmt
            .push(
                " AND EXISTS (SELECT 1 FROM records r JOIN departments d ON d.code = r.department \
                 WHERE r.subject_key = s.uscc AND r.item = 'XK' AND d.sector IN (",
            )
            .bind_list(sectors.iter().map(String::as_str))
            .push("))");
    }
    if !districts.is_empty() {
        stmt = stmt.push(" AND (");
        for (i, d) in districts.iter().enumerate() {
            if i > 0 {
                stmt = stmt.push(" OR ");
            }
            stmt = stmt.push("substr(s.uscc, 3, 6) LIKE ").bind(format!("{d}%"));
        }
        stmt = stmt.push(")");
    }
    let stmt = stmt.push(" ORDER BY s.uscc LIMIT ").bind(i64::from(limit)).returns(&[Kind::Text, Kind::Text]);
    store
        .fetch(&stmt)
        .await?
        .into_iter()
        .map(|row| {
            let mut c = Cols::new(row, "inspection directory");
            Ok((c.text()?, c.text()?))
        })
        .collect()
}

/// Organisations currently on a list (列入 in force), ascending.
pub async fn listed_organisations(store: &dyn Store, limit: u32) -> Result<Vec<String>> {
    let stmt = Stmt::new(
        "SELECT DISTINCT subject_key FROM listings WHERE status = 'listed' AND subject_kind = 'legal_person' \
         ORDER BY subject_key LIMIT $1",
    )
    .arg(i64::from(limit))
    .returns(&[Kind::Text]);
    store.fetch(&stmt).await?.into_iter().map(|row| Cols::new(row, "listed organisations").text()).collect()
}

//! Grades received from elsewhere (六.1): the national comprehensive
//! evaluation, tax credit grades, SAMR risk classes, by file or API. Each
//! row is checked on its own — a bad USCC, an unknown subject, a grade the
//! scheme does not have, a subject twice — and named by row and column; the
//! good rows are kept in one `external_grades_received` event, and the
//! subjects they name are re-scored at once.

use std::collections::HashSet;

use chrono::NaiveDate;
use serde::Serialize;
use xinyong_domain::Uscc;
use xinyong_domain::evaluation::{EvaluationEvent, ExternalGrade, ExternalScheme, valid_period};
use xinyong_domain::event::NewEvent;
use xinyong_domain::subjects::SubjectRow;

use crate::auth::policy::{Action, Principal, Resource, authorize};
use crate::clock::china_date;
use crate::error::{CoreError, Result};
use crate::evaluation::{RunSummary, Scope, evaluate};
use crate::log::Core;

/// Column headers an import file may use, by what the column holds.
pub const USCC_HEADERS: [&str; 3] = ["统一社会信用代码", "社会信用代码", "USCC"];
pub const GRADE_HEADERS: [&str; 5] = ["评价结果", "评价等级", "等级", "信用等级", "风险分类"];

/// One row as received: its number in the file (or position in the API
/// request) and its two cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingGrade {
    pub row: usize,
    pub uscc: String,
    pub grade: String,
}

/// A rejected row: which row, which column, which rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GradeRowProblem {
    pub row: usize,
    pub field: &'static str,
    pub code: &'static str,
    pub message: String,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GradeImport {
    pub import_id: String,
    pub scheme: ExternalScheme,
    pub period: String,
    pub accepted: usize,
    pub rejected: Vec<GradeRowProblem>,
    /// The re-scoring of the accepted subjects.
    pub evaluations: Vec<RunSummary>,
}

/// Most rows one import takes (a setting's default; one event holds them).
pub const DEFAULT_MAX_ROWS: usize = 100_000;

/// Checks and keeps the rows of one scheme and period. Fails as a whole
/// (nothing written) when the period is malformed, there are too many rows,
/// or no row is good.
pub async fn import_grades(
    core: &Core,
    principal: &Principal,
    scheme: ExternalScheme,
    period: &str,
    source: &str,
    rows: Vec<IncomingGrade>,
) -> Result<GradeImport> {
    authorize(principal, Action::ManageEvaluation, &Resource::Platform)?;
    let period = period.trim();
    if !valid_period(period) {
        return Err(CoreError::invalid(
            "period_invalid",
            format!("评价期间“{period}”无效：应为年度（2025）、季度（2025-Q3）或月份（2025-07）"),
        ));
    }
    let max_rows = core.settings().evaluation.import_max_rows;
    if rows.len() > max_rows {
        return Err(CoreError::invalid(
            "too_many_rows",
            format!("一次最多导入 {max_rows} 行，本次 {} 行；请分批导入", rows.len()),
        ));
    }
    let (grades, rejected) = check_rows(core, scheme, rows).await?;
    if grades.is_empty() {
        let first = rejected.first().map(|p| format!("（第 {} 行：{}）", p.row, p.message)).unwrap_or_default();
        return Err(CoreError::invalid("no_valid_rows", format!("没有可导入的行{first}")));
    }
    let today = china_date(core.now());
    let import_id = format!("eg-{}-{}", today.format("%Y%m%d"), core.now().timestamp_millis());
    let usccs: Vec<Uscc> = grades.iter().map(|g| g.uscc.clone()).collect();
    let body = EvaluationEvent::ExternalGradesReceived {
        import_id: import_id.clone(),
        scheme,
        period: period.to_owned(),
        source: source.chars().take(200).collect(),
        received_on: today,
        received_by: principal.actor().as_str().to_owned(),
        grades,
    };
    core.append(vec![NewEvent::new(principal.actor(), body)]).await?;
    let evaluations = evaluate(core, &Scope::Some(usccs.clone())).await?;
    Ok(GradeImport { import_id, scheme, period: period.to_owned(), accepted: usccs.len(), rejected, evaluations })
}

async fn check_rows(
    core: &Core,
    scheme: ExternalScheme,
    rows: Vec<IncomingGrade>,
) -> Result<(Vec<ExternalGrade>, Vec<GradeRowProblem>)> {
    let mut seen = HashSet::new();
    let mut grades = Vec::new();
    let mut rejected = Vec::new();
    for row in rows {
        let problem = |field, code, message: String| GradeRowProblem { row: row.row, field, code, message };
        let uscc = match Uscc::parse(row.uscc.trim()) {
            Ok(u) => u,
            Err(e) => {
                rejected.push(problem("统一社会信用代码", "uscc_invalid", format!("统一社会信用代码无效：{e}")));
                continue;
            }
        };
        let Some(grade) = scheme.normalise_grade(&row.grade) else {
            rejected.push(problem(
                "评价结果",
                "grade_unknown",
                format!("“{}”不是{}的等级（应为 {}）", row.grade.trim(), scheme.name_zh(), scheme.grades().join("、")),
            ));
            continue;
        };
        if !seen.insert(uscc.clone()) {
            rejected.push(problem("统一社会信用代码", "row_duplicate", format!("{uscc} 在本文件中出现了两次")));
            continue;
        }
        if core.store().get(SubjectRow::key(&uscc)).await?.is_none() {
            rejected.push(problem("统一社会信用代码", "subject_unknown", format!("{uscc} 不是本平台登记的市场主体")));
            continue;
        }
        grades.push(ExternalGrade { uscc, grade: grade.to_owned() });
    }
    Ok((grades, rejected))
}

/// The rows of a file read into text (header cells, then each row's
/// number and cells): the USCC and grade columns found by their headers
/// ([`USCC_HEADERS`], [`GRADE_HEADERS`]).
pub fn rows_of_table(headers: &[String], rows: Vec<(usize, Vec<String>)>) -> Result<Vec<IncomingGrade>> {
    let find = |names: &[&str]| names.iter().find_map(|n| headers.iter().position(|h| h.trim() == *n));
    let uscc = find(&USCC_HEADERS)
        .ok_or_else(|| CoreError::invalid("column_missing", format!("文件中没有“{}”列", USCC_HEADERS[0])))?;
    let grade = find(&GRADE_HEADERS).ok_or_else(|| {
        CoreError::invalid(
            "column_missing",
            format!("文件中没有“{}”列（也可写作 {}）", GRADE_HEADERS[0], GRADE_HEADERS[1..].join("、")),
        )
    })?;
    Ok(rows
        .into_iter()
        .map(|(row, mut cells)| {
            let take = |cells: &mut Vec<String>, i: usize| cells.get_mut(i).map(std::mem::take).unwrap_or_default();
            IncomingGrade { row, uscc: take(&mut cells, uscc), grade: take(&mut cells, grade) }
        })
        .collect())
}

/// External grade rows by scheme, the latest period first (by
/// [`xinyong_domain::evaluation::period_end`], not by text).
pub fn latest_first(
    mut rows: Vec<xinyong_domain::evaluation::ExternalGradeRow>,
) -> Vec<xinyong_domain::evaluation::ExternalGradeRow> {
    use xinyong_domain::evaluation::period_end;
    rows.sort_by(|a, b| a.scheme.cmp(&b.scheme).then_with(|| period_end(&b.period).cmp(&period_end(&a.period))));
    rows
}

/// The latest grade of each scheme a subject received, for pages.
pub async fn latest_external(core: &Core, uscc: &Uscc) -> Result<Vec<(ExternalScheme, String, String, NaiveDate)>> {
    let rows = latest_first(xinyong_storage::evaluation::external_grades_of(core.store(), uscc).await?);
    let mut out: Vec<(ExternalScheme, String, String, NaiveDate)> = Vec::new();
    for row in rows {
        let Some(scheme) = ExternalScheme::parse(&row.scheme) else { continue };
        if !out.iter().any(|(s, ..)| *s == scheme) {
            out.push((scheme, row.period, row.grade, row.received_on));
        }
    }
    Ok(out)
}

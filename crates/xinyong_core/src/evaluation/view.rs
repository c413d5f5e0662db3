//! What pages and APIs show of grades: the whole picture for console
//! users and the subject itself (score, reasons, supervision class,
//! history, external grades), and for the public only what
//! `[evaluation]` allows (the local model's grade and its date; external
//! schemes only when listed in `public_schemes`). The dashboard by
//! district, industry and movement is [`dashboard`].

pub mod dashboard;

use chrono::NaiveDate;
use serde::Serialize;
use xinyong_domain::Uscc;
use xinyong_domain::evaluation::{GradeHistoryRow, GradeRow, ModelName, format_points};

use crate::error::Result;
use crate::evaluation::external::latest_external;
use crate::evaluation::reasons_zh;
use crate::log::Core;

/// One grade under one model, explained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GradeView {
    pub model: String,
    pub model_title: String,
    pub model_version: String,
    pub score: String,
    pub grade: String,
    /// 诚信守法, 轻微失信, 一般失信, 严重失信.
    pub category: String,
    pub class: Option<String>,
    pub class_label: Option<String>,
    pub evaluated_on: NaiveDate,
    /// The log size whose data the grade was computed from.
    pub inputs_size: u64,
    /// The log index of the event that gave the grade.
    pub log_index: u64,
    /// Largest contributions first, in Chinese.
    pub reasons: Vec<String>,
}

/// A grade another scheme gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExternalView {
    pub scheme: String,
    pub scheme_name: String,
    pub period: String,
    pub grade: String,
    pub received_on: NaiveDate,
}

/// Everything about a subject's grades, for console users and the subject.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SubjectGrades {
    pub grades: Vec<GradeView>,
    /// The local model's earlier grades, newest first.
    pub history: Vec<GradeView>,
    pub external: Vec<ExternalView>,
}

/// The grade the public sees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicGrade {
    pub model_title: String,
    pub model_version: String,
    pub grade: String,
    pub category: String,
    pub evaluated_on: NaiveDate,
}

/// What the public sees of a subject's grades.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PublicGrades {
    pub grade: Option<PublicGrade>,
    pub external: Vec<ExternalView>,
}

/// Grades of the local model shown in the history at most.
pub const HISTORY_LIMIT: u32 = 20;

/// A subject's grades, reasons, history and external grades.
pub async fn subject_grades(core: &Core, uscc: &Uscc) -> Result<SubjectGrades> {
    let store = core.store();
    let rows = xinyong_storage::evaluation::grades_of_subject(store, uscc).await?;
    let grades = rows.iter().map(|r| view(core, &Graded::from(r))).collect();
    let history = xinyong_storage::evaluation::grade_history(store, uscc, ModelName::local().as_str(), HISTORY_LIMIT)
        .await?
        .iter()
        .map(|r| view(core, &Graded::from(r)))
        .collect();
    let external = latest_external(core, uscc)
        .await?
        .into_iter()
        .map(|(scheme, period, grade, received_on)| ExternalView {
            scheme: scheme.as_str().to_owned(),
            scheme_name: scheme.name_zh().to_owned(),
            period,
            grade,
            received_on,
        })
        .collect();
    Ok(SubjectGrades { grades, history, external })
}

/// What the public may see of a subject's grades under `[evaluation]`.
pub async fn public_grades(core: &Core, uscc: &Uscc) -> Result<PublicGrades> {
    let rows = xinyong_storage::evaluation::grades_of_subject(core.store(), uscc).await?;
    let local = rows.iter().find(|r| r.model == ModelName::local().as_str()).map(|r| view(core, &Graded::from(r)));
    let external = crate::evaluation::external::latest_first(
        xinyong_storage::evaluation::external_grades_of(core.store(), uscc).await?,
    );
    Ok(public_of(core, local, &external, None))
}

/// What the public saw at the end of `day`: the local grade given last on
/// or before it (`grade_history` keeps every change) and the external
/// grades received by then.
pub async fn public_grades_on(core: &Core, uscc: &Uscc, day: NaiveDate) -> Result<PublicGrades> {
    let history =
        xinyong_storage::evaluation::grade_history(core.store(), uscc, ModelName::local().as_str(), HISTORY_ON_LIMIT)
            .await?;
    let local = history.iter().find(|r| r.evaluated_on <= day).map(|r| view(core, &Graded::from(r)));
    let external = crate::evaluation::external::latest_first(
        xinyong_storage::evaluation::external_grades_of(core.store(), uscc).await?,
    );
    Ok(public_of(core, local, &external, Some(day)))
}

/// Grades of the local model looked through for a past day at most.
const HISTORY_ON_LIMIT: u32 = 400;

fn public_of(
    core: &Core,
    local: Option<GradeView>,
    external: &[xinyong_domain::evaluation::ExternalGradeRow],
    day: Option<NaiveDate>,
) -> PublicGrades {
    let settings = &core.settings().evaluation;
    let grade = local.filter(|_| settings.public_grade).map(|g| PublicGrade {
        model_title: g.model_title,
        model_version: g.model_version,
        grade: g.grade,
        category: g.category,
        evaluated_on: g.evaluated_on,
    });
    let mut shown: Vec<ExternalView> = Vec::new();
    // Rows come latest period first per scheme (`latest_first`): the first
    // one received by `day` is the one that was in force.
    for row in external.iter().filter(|r| day.is_none_or(|d| r.received_on <= d)) {
        let Some(scheme) = xinyong_domain::evaluation::ExternalScheme::parse(&row.scheme) else { continue };
        if settings.public_schemes.contains(&scheme) && !shown.iter().any(|e| e.scheme == row.scheme) {
            shown.push(ExternalView {
                scheme: row.scheme.clone(),
                scheme_name: scheme.name_zh().to_owned(),
                period: row.period.clone(),
                grade: row.grade.clone(),
                received_on: row.received_on,
            });
        }
    }
    PublicGrades { grade, external: shown }
}

/// The fields a current grade and a history row share.
struct Graded<'a> {
    model: &'a str,
    model_version: &'a str,
    score_centi: i64,
    grade: &'a str,
    class: Option<&'a str>,
    evaluated_on: NaiveDate,
    inputs_size: u64,
    reasons: &'a [xinyong_domain::evaluation::Reason],
    seq: u64,
}

impl<'a> From<&'a GradeRow> for Graded<'a> {
    fn from(r: &'a GradeRow) -> Self {
        Graded {
            model: &r.model,
            model_version: &r.model_version,
            score_centi: r.score_centi,
            grade: &r.grade,
            class: r.class.as_deref(),
            evaluated_on: r.evaluated_on,
            inputs_size: r.inputs_size,
            reasons: &r.reasons.0,
            seq: r.seq,
        }
    }
}

impl<'a> From<&'a GradeHistoryRow> for Graded<'a> {
    fn from(r: &'a GradeHistoryRow) -> Self {
        Graded {
            model: &r.model,
            model_version: &r.model_version,
            score_centi: r.score_centi,
            grade: &r.grade,
            class: r.class.as_deref(),
            evaluated_on: r.evaluated_on,
            inputs_size: r.inputs_size,
            reasons: &r.reasons.0,
            seq: r.seq,
        }
    }
}

/// A grade explained by the model in force with its name; a model since
/// withdrawn still shows its grade, with the codes for reasons.
fn view(core: &Core, g: &Graded<'_>) -> GradeView {
    let rules = core.rules();
    let model = ModelName::parse(g.model).and_then(|n| rules.models.get(&n));
    let band = model.and_then(|m| m.bands.iter().find(|b| b.grade == g.grade));
    let class = model.and_then(|m| g.class.and_then(|c| m.supervision.iter().find(|s| s.class == c)));
    GradeView {
        model: g.model.to_owned(),
        model_title: model.map_or_else(|| g.model.to_owned(), |m| m.title.clone()),
        model_version: g.model_version.to_owned(),
        score: format_points(g.score_centi),
        grade: g.grade.to_owned(),
        category: band.map(|b| b.category.clone()).unwrap_or_default(),
        class: g.class.map(str::to_owned),
        class_label: class.map(|c| c.label.clone()),
        evaluated_on: g.evaluated_on,
        inputs_size: g.inputs_size,
        log_index: g.seq,
        reasons: match model {
            Some(m) => reasons_zh(m, g.reasons),
            None => g.reasons.iter().map(|r| r.indicator.clone()).collect(),
        },
    }
}

/// How many subjects hold one grade of a model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BandCount {
    pub grade: String,
    pub category: String,
    /// Score range in points (inclusive), as the model says.
    pub range: String,
    pub count: u64,
}

/// How many subjects fall in one supervision class, and what it means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClassCount {
    pub class: String,
    pub label: String,
    pub grades: String,
    pub ratio: String,
    pub frequency: String,
    pub measures: String,
    pub count: u64,
}

/// A model in force with the city's grades under it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModelOverview {
    pub model: String,
    pub title: String,
    pub version: String,
    pub base: i64,
    pub indicators: usize,
    pub graded: u64,
    pub bands: Vec<BandCount>,
    pub classes: Vec<ClassCount>,
}

/// Every model in force with its distribution of grades and classes.
pub async fn overview(core: &Core) -> Result<Vec<ModelOverview>> {
    let rules = core.rules();
    let mut out = Vec::new();
    for model in rules.models.values() {
        let counts = xinyong_storage::evaluation::grade_distribution(core.store(), model.name.as_str()).await?;
        let count_of = |grade: &str| counts.iter().find(|(g, _)| g == grade).map_or(0, |(_, n)| *n);
        let bands = model
            .bands
            .iter()
            .map(|b| BandCount {
                grade: b.grade.clone(),
                category: b.category.clone(),
                range: match (b.min, b.max) {
                    (Some(lo), Some(hi)) => format!("{lo}–{hi}"),
                    (Some(lo), None) => format!("≥ {lo}"),
                    (None, Some(hi)) => format!("≤ {hi}"),
                    (None, None) => "全部".to_owned(),
                },
                count: count_of(&b.grade),
            })
            .collect();
        let classes = model
            .supervision
            .iter()
            .map(|c| ClassCount {
                class: c.class.clone(),
                label: c.label.clone(),
                grades: c.grades.join("、"),
                ratio: format!("{}%–{}%", c.ratio_min_percent, c.ratio_max_percent),
                frequency: c.frequency.clone(),
                measures: c.measures.clone(),
                count: c.grades.iter().map(|g| count_of(g)).sum(),
            })
            .collect();
        out.push(ModelOverview {
            model: model.name.as_str().to_owned(),
            title: model.title.clone(),
            version: model.version.clone(),
            base: model.base,
            indicators: model.indicators.len(),
            graded: counts.iter().map(|(_, n)| n).sum(),
            bands,
            classes,
        });
    }
    Ok(out)
}

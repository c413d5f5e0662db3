//! Credit evaluation (seed clauses 六, 七.1): every organisation scored by
//! every scorecard model in force, grades given as `subjects_graded` events
//! stamped with the model version and the log size of their inputs; grades
//! received from elsewhere ([`external`]); the job that keeps grades current
//! ([`EvaluationJob`]). `docs/EVALUATION.md`.

pub mod external;
pub mod facts;
pub mod view;

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::time::Duration;

use chrono::NaiveDate;
use xinyong_domain::Uscc;
use xinyong_domain::evaluation::{
    EvaluationEvent, GradeGiven, GradeRow, Reason, ScorecardModel, Scored, Scratch, day_number,
};
use xinyong_domain::event::{Actor, NewEvent};

use crate::clock::china_date;
use crate::error::Result;
use crate::evaluation::facts::{CityFacts, gather_all, gather_some};
use crate::jobs::{Job, JobFuture, JobReport};
use crate::log::Core;

pub use facts::FactsBuilder;

/// What evaluation may cost and what the public sees, from configuration
/// (`[evaluation]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvaluationSettings {
    /// Rows one import of external grades may hold.
    pub import_max_rows: usize,
    /// The local model's grade is shown on public pages and the public API.
    pub public_grade: bool,
    /// External schemes whose grades are public (none unless configured:
    /// the issuing authority decides what it publishes).
    pub public_schemes: Vec<xinyong_domain::evaluation::ExternalScheme>,
    /// Seconds between runs of the `evaluation` job.
    pub interval_secs: u64,
}

impl Default for EvaluationSettings {
    fn default() -> Self {
        EvaluationSettings {
            import_max_rows: external::DEFAULT_MAX_ROWS,
            public_grade: true,
            public_schemes: Vec::new(),
            interval_secs: 60,
        }
    }
}

/// Grades per `subjects_graded` event: an event stays a few hundred KB.
pub const GRADES_PER_EVENT: usize = 1_000;
/// Events per append: one transaction holds the writer for a bounded time.
const EVENTS_PER_APPEND: usize = 10;
/// Subjects an incremental run re-scores at most; more, and it runs in full.
const INCREMENTAL_LIMIT: u32 = 50_000;

/// Scores every subject of `facts` on `today`, on `threads` threads (each
/// takes a contiguous share of the subjects). The result is in the order of
/// `facts.subjects` and does not depend on the number of threads.
pub fn score_all(model: &ScorecardModel, facts: &CityFacts, today: NaiveDate, threads: usize) -> Vec<Scored> {
    let compiled = model.compile(&facts.keys);
    let day = day_number(today);
    let n = facts.len();
    let threads = threads.clamp(1, 64).min(n.max(1));
    let chunk = n.div_ceil(threads).max(1);
    let mut out: Vec<Vec<Scored>> = Vec::with_capacity(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let compiled = &compiled;
                scope.spawn(move || {
                    let mut scratch = Scratch::default();
                    (t * chunk..((t + 1) * chunk).min(n))
                        .map(|i| compiled.score(facts.of(i), day, &mut scratch))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            // A scoring thread only panics on a bug: the panic goes on up,
            // so no share is dropped and no subject gets another's grade.
            out.push(h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
        }
    });
    out.concat()
}

/// The number of threads a full run uses: every core.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}

/// What one run did under one model.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RunSummary {
    pub model: String,
    pub model_version: String,
    pub subjects: usize,
    pub facts: usize,
    /// Subjects whose grade (or score or reasons) changed: the ones written.
    pub changed: usize,
    pub inputs_size: u64,
}

/// Which subjects a run scores.
#[derive(Debug, Clone)]
pub enum Scope {
    All,
    Some(Vec<Uscc>),
}

/// Scores the subjects in `scope` under every model in force and writes
/// the grades that changed. Running it again on an unchanged log writes
/// nothing: the job and the CLI may call it as often as they like.
pub async fn evaluate(core: &Core, scope: &Scope) -> Result<Vec<RunSummary>> {
    let today = china_date(core.now());
    let rules = core.rules();
    if rules.models.is_empty() {
        return Ok(Vec::new());
    }
    let (facts, inputs_size) = read_inputs(core, scope, today).await?;
    let mut summaries = Vec::new();
    for model in rules.models.values() {
        let scores = score_all(model, &facts, today, cores());
        let unchanged = unchanged_grades(core, model, &facts, &scores, scope).await?;
        let given: Vec<GradeGiven> = facts
            .subjects
            .iter()
            .zip(scores)
            .zip(unchanged)
            .filter_map(|(scored, unchanged)| (!unchanged).then_some(scored))
            .filter_map(|(uscc, s)| {
                Some(GradeGiven {
                    uscc: Uscc::parse(uscc).ok()?,
                    score_centi: s.score_centi,
                    class: model.class_of(s.grade(model)).map(|c| c.class.clone()),
                    grade: s.grade(model).to_owned(),
                    reasons: s.reasons(model),
                })
            })
            .collect();
        let changed = given.len();
        write_grades(core, model, inputs_size, today, given).await?;
        summaries.push(RunSummary {
            model: model.name.to_string(),
            model_version: model.version.clone(),
            subjects: facts.len(),
            facts: facts.fact_count(),
            changed,
            inputs_size,
        });
    }
    Ok(summaries)
}

/// Reads the facts with the log size they reflect (a grade names the inputs
/// it was computed from): both from one snapshot, so appends made meanwhile
/// are in neither.
async fn read_inputs(core: &Core, scope: &Scope, today: NaiveDate) -> Result<(CityFacts, u64)> {
    let snapshot = core.store().snapshot().await?;
    let size = snapshot.log_size().await?;
    let facts = match scope {
        Scope::All => gather_all(snapshot.as_ref(), today).await?,
        Scope::Some(usccs) => gather_some(snapshot.as_ref(), usccs, today).await?,
    };
    Ok((facts, size))
}

/// Which of `facts.subjects` already hold the grade `scores` gives them
/// (same model version, score, grade and reasons): those are not written
/// again. The current grades are compared as they are read, not collected
/// into a map: with 950,209 graded subjects, that map was about half of the
/// run's peak memory (docs/PERFORMANCE.md).
async fn unchanged_grades(
    core: &Core,
    model: &ScorecardModel,
    facts: &CityFacts,
    scores: &[Scored],
    scope: &Scope,
) -> Result<Vec<bool>> {
    let name = model.name.to_string();
    let mut unchanged = vec![false; facts.len()];
    let mut compare = |current: &GradeRow| {
        // `facts.subjects` are in USCC order.
        let Ok(i) = facts.subjects.binary_search_by(|s| s.as_str().cmp(current.uscc.as_str())) else { return };
        let (Some(s), Some(same)) = (scores.get(i), unchanged.get_mut(i)) else { return };
        *same = current.model_version == model.version
            && current.score_centi == s.score_centi
            && current.grade == s.grade(model)
            && s.same_reasons(model, &current.reasons.0);
    };
    match scope {
        Scope::All => {
            let mut scan = core.store().scan::<GradeRow>(5_000);
            while let Some(page) = scan.next_page().await? {
                page.iter().filter(|r| r.model == name).for_each(&mut compare);
            }
        }
        Scope::Some(_) => {
            for uscc in &facts.subjects {
                let Ok(parsed) = Uscc::parse(uscc) else { continue };
                if let Some(row) = core.store().get(GradeRow::key(&parsed, &name)).await? {
                    compare(&row);
                }
            }
        }
    }
    Ok(unchanged)
}

async fn write_grades(
    core: &Core,
    model: &ScorecardModel,
    inputs_size: u64,
    today: NaiveDate,
    given: Vec<GradeGiven>,
) -> Result<()> {
    let mut events = Vec::new();
    let mut rest = given;
    while !rest.is_empty() {
        let tail = rest.split_off(rest.len().min(GRADES_PER_EVENT));
        let body = EvaluationEvent::SubjectsGraded {
            model: model.name.to_string(),
            model_version: model.version.clone(),
            inputs_size,
            evaluated_on: today,
            grades: rest,
        };
        events.push(NewEvent::new(Actor::system(), body));
        rest = tail;
        if events.len() == EVENTS_PER_APPEND {
            core.append(std::mem::take(&mut events)).await?;
        }
    }
    if !events.is_empty() {
        core.append(events).await?;
    }
    Ok(())
}

/// Reasons in Chinese for people, largest first.
pub fn reasons_zh(model: &ScorecardModel, reasons: &[Reason]) -> Vec<String> {
    reasons.iter().map(|r| xinyong_domain::evaluation::reason_zh(model, r)).collect()
}

/// Keeps grades current: the first run in a process and the first run of
/// each day (decay and windows move with the date) score everyone; the
/// others re-score only the subjects the log touched since the last run.
#[derive(Debug)]
pub struct EvaluationJob {
    interval: Duration,
    /// (log size, day, model versions) after the last run in this process.
    last: Mutex<Option<(u64, NaiveDate, BTreeSet<String>)>>,
}

impl EvaluationJob {
    pub const NAME: &'static str = "evaluation";

    pub fn every(interval: Duration) -> EvaluationJob {
        EvaluationJob { interval, last: Mutex::new(None) }
    }

    async fn run_once(&self, core: &Core) -> Result<JobReport> {
        let today = china_date(core.now());
        let versions: BTreeSet<String> =
            core.rules().models.values().map(|m| format!("{}={}", m.name, m.version)).collect();
        let last = self.last.lock().map(|l| l.clone()).unwrap_or(None);
        let scope = match last {
            Some((size, day, ref seen)) if day == today && *seen == versions => {
                let store = core.store();
                let mut touched =
                    xinyong_storage::evaluation::subjects_touched_since(store, size, INCREMENTAL_LIMIT + 1).await?;
                // A kept record counts again once its objection is closed.
                touched.extend(
                    xinyong_storage::evaluation::objections_closed_since(store, size, INCREMENTAL_LIMIT + 1).await?,
                );
                // Published inspection results count from their publication.
                touched.extend(
                    xinyong_storage::inspections::subjects_published_since(store, size, INCREMENTAL_LIMIT + 1).await?,
                );
                touched.sort_unstable();
                touched.dedup();
                if touched.len() > INCREMENTAL_LIMIT as usize {
                    Scope::All
                } else {
                    Scope::Some(touched.iter().filter_map(|s| Uscc::parse(s).ok()).collect())
                }
            }
            _ => Scope::All,
        };
        let summaries = match &scope {
            Scope::Some(usccs) if usccs.is_empty() => Vec::new(),
            _ => evaluate(core, &scope).await?,
        };
        let size = summaries.iter().map(|s| s.inputs_size).max();
        let size = match size {
            Some(s) => s,
            None => core.store().log_size().await?,
        };
        if let Ok(mut l) = self.last.lock() {
            *l = Some((size, today, versions));
        }
        let changed: usize = summaries.iter().map(|s| s.changed).sum();
        let scored: usize = summaries.iter().map(|s| s.subjects).max().unwrap_or(0);
        let how = if matches!(scope, Scope::All) { "全量" } else { "增量" };
        Ok(JobReport {
            done: changed as u64, summary: format!("{how}评价 {scored} 个主体，等级变化 {changed} 个")
        })
    }
}

impl Job for EvaluationJob {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn interval(&self) -> Duration {
        self.interval
    }

    fn runs_at_start(&self) -> bool {
        true
    }

    fn run<'a>(&'a self, core: &'a Core) -> JobFuture<'a> {
        Box::pin(self.run_once(core))
    }
}

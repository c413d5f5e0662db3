//! `xinyong rules check` and `publish`: a directory of rule files against
//! what the log has published. Every file is parsed by the same strict
//! parser that judges records, every problem is collected (not only the
//! first), and the new versions are checked together with everything they
//! will be in force with before anything is written.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::NaiveDate;
use xinyong_domain::calendar::parse_year_toml;
use xinyong_domain::collection::catalog::Catalog;
use xinyong_domain::collection::publicity::PublicityRules;
use xinyong_domain::commitments::CommitmentCatalog;
use xinyong_domain::evaluation::ScorecardModel;
use xinyong_domain::event::{Actor, NewEvent};
use xinyong_domain::lists::sanction::SanctionRules;
use xinyong_domain::rules::{PublishedRuleSet, RuleProblem, RuleSetName};
use xinyong_storage::Store;

use crate::error::{CoreError, Result};
use crate::log::Core;
use crate::rules::{
    DEPARTMENTS_FILE, DepartmentChange, RuleBook, RuleFiles, department_changes, published_event, published_versions,
    reload, sha256_hex, version_of,
};

/// How a rule file compares with the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetStatus {
    /// This version is published with this very text: nothing to do.
    Same,
    /// The log has no such version: publishing logs it.
    NewVersion,
    /// This version is published with another text: refused, as a changed
    /// rule needs a new version number (`rules_version_reused`).
    VersionReused,
}

/// One rule file of the directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetChange {
    pub name: RuleSetName,
    pub version: String,
    pub sha256: String,
    pub text: Arc<str>,
    pub status: SetStatus,
    /// The version in force today, before publishing.
    pub in_force: Option<String>,
    /// Whether any version of this rule set is published (else the rule
    /// files answer for it).
    pub published_before: bool,
}

/// What publishing a directory would do.
#[derive(Debug, Clone)]
pub struct RulesPlan {
    pub dir: Option<PathBuf>,
    /// Today, China Standard Time, by the core's clock.
    pub today: NaiveDate,
    /// The first day the new versions are in force.
    pub effective: NaiveDate,
    /// The directory's rule files whose version could be read.
    pub sets: Vec<SetChange>,
    /// `None` when the directory has no departments file.
    pub departments: Option<Vec<DepartmentChange>>,
    pub problems: Vec<RuleProblem>,
    /// Days after today on which already published versions come into force.
    pub scheduled: Vec<NaiveDate>,
}

impl RulesPlan {
    /// No problem and no reused version: `publish` would go ahead.
    pub fn is_publishable(&self) -> bool {
        self.problems.is_empty() && self.sets.iter().all(|s| s.status != SetStatus::VersionReused)
    }

    /// The versions publishing would log.
    pub fn new_versions(&self) -> impl Iterator<Item = &SetChange> {
        self.sets.iter().filter(|s| s.status == SetStatus::NewVersion)
    }

    /// The department events publishing would log.
    pub fn department_events(&self) -> Vec<NewEvent> {
        self.departments.iter().flatten().filter_map(DepartmentChange::event).collect()
    }

    /// Whether publishing would write anything.
    pub fn changes_anything(&self) -> bool {
        self.new_versions().next().is_some() || !self.department_events().is_empty()
    }
}

/// What `publish` wrote.
#[derive(Debug, Clone)]
pub struct PublishOutcome {
    pub plan: RulesPlan,
    /// Log index of the first event written, when anything was.
    pub first_index: Option<u64>,
}

/// Compares `files` with what `store` has published and checks them.
/// `problems` are those found reading the directory. `effective` defaults
/// to today; an earlier date is a problem, since decisions already made
/// keep the versions they were made under.
pub async fn plan(
    store: &dyn Store,
    book: &RuleBook,
    files: &RuleFiles,
    mut problems: Vec<RuleProblem>,
    today: NaiveDate,
    effective: Option<NaiveDate>,
) -> Result<RulesPlan> {
    let effective = effective.unwrap_or(today);
    if effective < today {
        problems.push(RuleProblem {
            file: "--effective".to_owned(),
            line: None,
            code: "rules_effective_in_past",
            message: format!(
                "生效日期 {effective} 早于今天（{today}）：已作出的决定不会按新规则重新判断，生效日期应为今天或以后"
            ),
        });
    }
    let published = published_versions(store).await?;
    let current = RuleBook::new(Arc::clone(book.source()), published.clone(), 0)
        .map_err(|e| CoreError::invalid("rules_published_unreadable", format!("日志中已发布的规则无法使用（{e}）")))?;
    let in_force_today = current.rules_on(today);
    let in_force_then = current.rules_on(effective);

    let mut sets = Vec::new();
    for (name, text) in &files.sets {
        let version = match check_file(*name, text, files, &in_force_then, &mut problems) {
            Some(version) => version,
            None => match version_of(*name, text) {
                Some(version) => version,
                None => continue,
            },
        };
        let sha256 = sha256_hex(text);
        let status = match published.iter().find(|p| p.name == *name && p.version == version) {
            Some(p) if p.sha256 == sha256 => SetStatus::Same,
            Some(_) => SetStatus::VersionReused,
            None => SetStatus::NewVersion,
        };
        sets.push(SetChange {
            name: *name,
            version,
            sha256,
            text: Arc::clone(text),
            status,
            in_force: in_force_today.versions_in_force.get(name).cloned(),
            published_before: published.iter().any(|p| p.name == *name),
        });
    }

    if problems.is_empty()
        && let Some(problem) = check_together(book, published, &sets, files, effective)
    {
        problems.push(problem);
    }

    let departments = match &files.departments {
        None => None,
        Some(text) => match crate::auth::parse_departments(text) {
            Ok(list) => Some(department_changes(store, &list).await?),
            Err(e) => {
                problems.push(RuleProblem::in_text(DEPARTMENTS_FILE, text, e.code(), e.to_string()));
                None
            }
        },
    };
    Ok(RulesPlan {
        dir: files.dir.clone(),
        today,
        effective,
        sets,
        departments,
        problems,
        scheduled: current.changes_after(today),
    })
}

/// The new versions with everything they will be in force with, from the
/// effective date on: a list naming a measure the measures then in force
/// lack, or a year clashing with its neighbour, is refused here rather than
/// at the next start. The new versions are placed last in the log, as they
/// will be.
fn check_together(
    book: &RuleBook,
    mut would_be: Vec<PublishedRuleSet>,
    sets: &[SetChange],
    files: &RuleFiles,
    effective: NaiveDate,
) -> Option<RuleProblem> {
    let new: Vec<&SetChange> = sets.iter().filter(|s| s.status == SetStatus::NewVersion).collect();
    let n = new.len() as u64;
    would_be.extend(new.iter().zip(0..).map(|(s, i)| PublishedRuleSet {
        name: s.name,
        version: s.version.clone(),
        sha256: s.sha256.clone(),
        text: s.text.to_string(),
        effective: Some(effective),
        seq: u64::MAX - n + i,
    }));
    let e = RuleBook::new(Arc::clone(book.source()), would_be, 0).err()?;
    let text = files.sets.get(&e.name).map_or("", |t| &**t);
    let message = match e.from {
        Some(from) => format!("与 {from} 起生效的其他规则一起使用时：{}", e.message),
        None => format!("与其他生效的规则一起使用时：{}", e.message),
    };
    Some(RuleProblem::in_text(e.name.file(), text, "rules_combination_invalid", message))
}

/// Parses one rule file with its own strict parser; its version, or `None`
/// with the problem recorded. Lists and measures are parsed together: with
/// the directory's other file, or the one in force on the effective date.
fn check_file(
    name: RuleSetName,
    text: &str,
    files: &RuleFiles,
    in_force: &crate::rules::Rules,
    problems: &mut Vec<RuleProblem>,
) -> Option<String> {
    let file = name.file();
    match name {
        RuleSetName::Catalog => match Catalog::parse_toml(text) {
            Ok(catalog) => Some(catalog.version().to_owned()),
            Err(e) => {
                problems.push(RuleProblem::in_text(file, text, e.code(), e.to_string()));
                None
            }
        },
        RuleSetName::Publicity => match PublicityRules::parse_toml(text) {
            Ok(rules) => Some(rules.version().to_owned()),
            Err(e) => {
                problems.push(RuleProblem::in_text(file, text, e.code(), e.to_string()));
                None
            }
        },
        RuleSetName::Calendar(year) => match parse_year_toml(text) {
            Ok(schedule) if schedule.year() == year => Some(schedule.version().to_owned()),
            Ok(schedule) => {
                problems.push(RuleProblem::in_text(
                    file,
                    text,
                    "calendar_year_mismatch",
                    format!("文件名是 {year} 年，内容却是 {} 年的安排（year = {}）", schedule.year(), schedule.year()),
                ));
                None
            }
            Err(e) => {
                problems.push(RuleProblem::in_text(file, text, e.code(), e.to_string()));
                None
            }
        },
        RuleSetName::Model(model) => match ScorecardModel::parse_toml(text) {
            Ok(parsed) if parsed.name == model => Some(parsed.version),
            Ok(parsed) => {
                problems.push(RuleProblem::in_text(
                    file,
                    text,
                    "model_name_mismatch",
                    format!("文件名是 models/{model}.toml，内容中的模型名称却是“{}”", parsed.name),
                ));
                None
            }
            Err(e) => {
                problems.push(RuleProblem::in_text(file, text, e.code, e.to_string()));
                None
            }
        },
        RuleSetName::Commitments => match CommitmentCatalog::parse_toml(text) {
            Ok(catalog) => Some(catalog.version().to_owned()),
            Err(e) => {
                problems.push(RuleProblem::in_text(file, text, e.code(), e.to_string()));
                None
            }
        },
        RuleSetName::Lists | RuleSetName::Measures => {
            let text_of = |n: RuleSetName, fallback: &Arc<str>| {
                files.sets.get(&n).map_or_else(|| Arc::clone(fallback), Arc::clone)
            };
            let lists = text_of(RuleSetName::Lists, &in_force.lists_text);
            let measures = text_of(RuleSetName::Measures, &in_force.measures_text);
            match SanctionRules::parse(&lists, &measures) {
                Ok(rules) => Some(match name {
                    RuleSetName::Lists => rules.lists_version().to_owned(),
                    _ => rules.measures_version().to_owned(),
                }),
                Err(e) => {
                    // Both files are checked by one parse; report its error
                    // once, on the file it is about.
                    if blamed_file(&e.0, files) == name {
                        problems.push(RuleProblem::in_text(file, text, "sanction_rules_invalid", e.to_string()));
                    }
                    None
                }
            }
        }
    }
}

/// Which of lists.toml and measures.toml a `SanctionRules::parse` error is
/// about: its TOML errors name the file, its checks name a list (名单) or a
/// measure or scenario; a file the directory lacks is not blamed.
fn blamed_file(message: &str, files: &RuleFiles) -> RuleSetName {
    let about = if message.starts_with("measures.toml") {
        RuleSetName::Measures
    } else if message.starts_with("lists.toml") || message.contains("名单") {
        RuleSetName::Lists
    } else {
        RuleSetName::Measures
    };
    let other = if about == RuleSetName::Lists { RuleSetName::Measures } else { RuleSetName::Lists };
    if files.sets.contains_key(&about) { about } else { other }
}

/// Publishes a directory: refuses when [`plan`] finds a problem or a reused
/// version; otherwise logs every new version with its effective date and
/// every new or changed department in one append, and swaps in the new
/// rule book (other processes follow the log).
pub async fn publish(
    core: &Core,
    files: &RuleFiles,
    problems: Vec<RuleProblem>,
    effective: Option<NaiveDate>,
) -> Result<PublishOutcome> {
    let today = crate::clock::china_date(core.now());
    let book = core.rule_book();
    let plan = plan(core.store(), &book, files, problems, today, effective).await?;
    if let Some(reused) = plan.sets.iter().find(|s| s.status == SetStatus::VersionReused) {
        return Err(CoreError::invalid(
            "rules_version_reused",
            format!(
                "规则集 {} 的版本 {} 已以不同内容发布过；修改规则时必须提升版本号（{}）",
                reused.name,
                reused.version,
                reused.name.file()
            ),
        ));
    }
    if let Some(first) = plan.problems.first() {
        return Err(CoreError::invalid(
            "rules_invalid",
            format!("规则文件有 {} 处错误，未发布任何内容；第一处：{first}", plan.problems.len()),
        ));
    }
    let mut events: Vec<NewEvent> = plan
        .new_versions()
        .map(|s| {
            let version = PublishedRuleSet {
                name: s.name,
                version: s.version.clone(),
                sha256: s.sha256.clone(),
                text: s.text.to_string(),
                effective: Some(plan.effective),
                seq: 0,
            };
            NewEvent::new(Actor::system(), published_event(version))
        })
        .collect();
    events.extend(plan.department_events());
    let first_index = if events.is_empty() {
        None
    } else {
        let outcome = core.append(events).await?;
        Some(outcome.first_seq)
    };
    reload(core).await?;
    Ok(PublishOutcome { plan, first_index })
}

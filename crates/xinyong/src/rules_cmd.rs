//! `xinyong rules check DIR` / `publish DIR [--effective YYYY-MM-DD]`, and
//! the rule files and published rules every other command judges by.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDate;
use xinyong_core::Core;
use xinyong_core::rules::{self, DepartmentChange, RuleBook, RuleFiles, RulesPlan, SetStatus};
use xinyong_domain::Calendar;
use xinyong_domain::rules::{RuleProblem, RuleSetName};
use xinyong_storage::Store;

use crate::config::Config;
use crate::departments_cmd::core_failure;
use crate::{CmdResult, Failure, runtime};

#[derive(Debug, clap::Subcommand)]
pub enum RulesCommand {
    /// Check every rule file in DIR and show what publishing it would change.
    Check {
        dir: PathBuf,
        /// The day the new versions would come into force (default: today).
        #[arg(long)]
        effective: Option<String>,
        /// Database URL (overrides configuration).
        #[arg(long)]
        database: Option<String>,
    },
    /// Publish DIR's new rule-set versions and department changes; running
    /// servers pick them up from the log.
    Publish {
        dir: PathBuf,
        /// The first day the new versions are in force (default: today).
        #[arg(long)]
        effective: Option<String>,
        /// Database URL (overrides configuration).
        #[arg(long)]
        database: Option<String>,
    },
}

pub async fn run(cfg: Config, command: RulesCommand) -> CmdResult {
    match command {
        RulesCommand::Check { dir, effective, database } => {
            let effective = parse_effective(effective.as_deref())?;
            let (files, problems) = read_dir(&dir)?;
            let (store, book) = open_rules(&cfg, database).await?;
            let today = today();
            let plan =
                rules::plan(store.as_ref(), &book, &files, problems, today, effective).await.map_err(core_failure)?;
            print!("{}", describe(&plan, false));
            if !plan.is_publishable() {
                return Err(Failure::Usage(format!("规则目录 {} 有问题，不能发布（见上）", dir.display())));
            }
            if plan.changes_anything() {
                println!("可以发布：xinyong rules publish {}", dir.display());
            } else {
                println!("与数据库中已发布的规则一致，无需发布。");
            }
            Ok(())
        }
        RulesCommand::Publish { dir, effective, database } => {
            let effective = parse_effective(effective.as_deref())?;
            let (files, problems) = read_dir(&dir)?;
            let core = runtime::build_core(&cfg, &database.unwrap_or_else(|| cfg.database.url.clone())).await?;
            // Every problem is shown before refusing, as `check` shows them;
            // `publish` checks again in the same way before it writes.
            let today = xinyong_core::clock::china_date(core.now());
            let book = core.rule_book();
            let planned = rules::plan(core.store(), &book, &files, problems.clone(), today, effective)
                .await
                .map_err(core_failure)?;
            if !planned.is_publishable() {
                print!("{}", describe(&planned, false));
                return Err(Failure::Usage(format!("规则目录 {} 有问题，未发布任何内容（见上）", dir.display())));
            }
            let outcome = rules::publish(&core, &files, problems, effective).await.map_err(core_failure)?;
            print!("{}", describe(&outcome.plan, outcome.first_index.is_some()));
            print!("{}", published_summary(&outcome.plan, outcome.first_index));
            Ok(())
        }
    }
}

/// Today in China Standard Time by the system clock, as a core sees it.
fn today() -> NaiveDate {
    use xinyong_core::Clock as _;
    xinyong_core::clock::china_date(xinyong_core::SystemClock.now())
}

fn parse_effective(raw: Option<&str>) -> Result<Option<NaiveDate>, Failure> {
    raw.map(|s| {
        NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .map_err(|_| Failure::Usage(format!("--effective {s:?} 格式应为 YYYY-MM-DD")))
    })
    .transpose()
}

fn read_dir(dir: &Path) -> Result<(RuleFiles, Vec<RuleProblem>), Failure> {
    RuleFiles::read_dir(dir).map_err(core_failure)
}

/// The rule files this process judges by where nothing is published:
/// `rules.dir` with the compiled-in copy of each file it lacks, or the
/// compiled-in files. A directory with a file that is not a rule file is
/// refused, so a misspelt name cannot silently fall back.
pub fn rule_files(cfg: &Config) -> Result<Arc<RuleFiles>, Failure> {
    if let Some(old) = &cfg.calendar {
        tracing::warn!(
            dir = %old.dir.display(),
            "calendar.dir is no longer read: publish its files with `xinyong calendar import FILE` or put them into rules.dir/calendar/"
        );
    }
    let Some(dir) = cfg.rules.dir() else { return Ok(Arc::new(RuleFiles::shipped())) };
    let (files, problems) = read_dir(dir)?;
    if let Some(first) = problems.first() {
        return Err(Failure::Usage(format!(
            "规则目录（rules.dir）{} 有 {} 处问题，第一处：{first}；用 xinyong rules check 查看",
            dir.display(),
            problems.len()
        )));
    }
    Ok(Arc::new(files.or_shipped()))
}

/// The core judging by the versions published in its database, with the
/// configured rule files where nothing is.
pub async fn with_published_rules(core: Core, cfg: &Config) -> Result<Core, Failure> {
    let book = rules::load_book(core.store(), rule_files(cfg)?).await.map_err(core_failure)?;
    Ok(core.with_rule_book(book))
}

/// The database and its rule book, for commands that only read (no log key
/// is loaded or created).
pub async fn open_rules(cfg: &Config, database: Option<String>) -> Result<(Arc<dyn Store>, RuleBook), Failure> {
    let url = database.unwrap_or_else(|| cfg.database.url.clone());
    let store = runtime::open_configured_store(cfg, &url).await?;
    let book = rules::load_book(store.as_ref(), rule_files(cfg)?).await.map_err(core_failure)?;
    Ok((store, book))
}

/// The rules in force today in the configured database (read-only commands).
pub async fn rules_today(cfg: &Config, database: Option<String>) -> Result<Arc<xinyong_core::rules::Rules>, Failure> {
    let (_, book) = open_rules(cfg, database).await?;
    Ok(book.rules_on(today()))
}

/// The plan as a clerk reads it: one line per rule file, the departments,
/// then every problem with its file and line. `done`: after publishing.
fn describe(plan: &RulesPlan, done: bool) -> String {
    let mut out = String::new();
    if let Some(dir) = &plan.dir {
        let _ = writeln!(out, "规则目录：{}", dir.display());
    }
    let when = if plan.effective == plan.today {
        format!("发布后立即生效（{}）", plan.effective)
    } else {
        format!("自 {} 起生效（北京时间零点；今天是 {}）", plan.effective, plan.today)
    };
    let _ = writeln!(out, "新版本：{when}");
    for set in &plan.sets {
        let _ = writeln!(out, "  {:<20} {:<10} {}", set.name.file(), set.version, set_status(set, done));
    }
    let missing: Vec<String> = RuleSetName::FIXED
        .iter()
        .filter(|n| !plan.sets.iter().any(|s| s.name == **n) && !plan.problems.iter().any(|p| p.file == n.file()))
        .map(RuleSetName::file)
        .collect();
    if !missing.is_empty() {
        let _ = writeln!(out, "  目录中没有 {}：保持现行版本", missing.join("、"));
    }
    match &plan.departments {
        None => {
            let _ = writeln!(out, "  {:<20} 目录中没有或有错误：部门不变", rules::DEPARTMENTS_FILE);
        }
        Some(changes) => {
            let applied: Vec<&DepartmentChange> =
                changes.iter().filter(|c| !matches!(c, DepartmentChange::NotInFile(_))).collect();
            let kept = changes.len() - applied.len();
            let summary = if applied.is_empty() {
                "与已登记的部门一致".to_owned()
            } else {
                format!("{} 处变化：", applied.len())
            };
            let _ = writeln!(out, "  {:<20} {summary}", rules::DEPARTMENTS_FILE);
            for change in applied {
                let _ = writeln!(out, "    {}", change.describe_zh());
            }
            if kept > 0 {
                let _ = writeln!(out, "    另有 {kept} 个已登记的部门不在文件中：保留，不删除");
            }
        }
    }
    if !plan.scheduled.is_empty() {
        let dates: Vec<String> = plan.scheduled.iter().map(ToString::to_string).collect();
        let _ = writeln!(out, "已发布、尚未生效的版本将于 {} 起生效", dates.join("、"));
    }
    if !plan.problems.is_empty() {
        let _ = writeln!(out, "发现 {} 处问题：", plan.problems.len());
        for problem in &plan.problems {
            let _ = writeln!(out, "  {problem} [{}]", problem.code);
        }
    }
    out
}

fn set_status(set: &rules::SetChange, done: bool) -> String {
    let current = match (&set.in_force, set.name) {
        (Some(v), _) if set.published_before => format!("现行 {v}"),
        (Some(v), _) => format!("尚未发布过，现按规则文件 {v}"),
        (None, RuleSetName::Calendar(year)) if Calendar::official().schedule(i32::from(year)).is_some() => {
            "现行为程序内置的安排".to_owned()
        }
        (None, RuleSetName::Calendar(year)) => format!("{year} 年尚无安排"),
        (None, _) => "尚无已发布版本".to_owned(),
    };
    match set.status {
        SetStatus::NewVersion if done => format!("新版本，已发布（此前{current}）"),
        SetStatus::NewVersion => format!("新版本，将发布（{current}）"),
        SetStatus::Same if set.in_force.as_deref() == Some(set.version.as_str()) => "与已发布的现行版本相同".to_owned(),
        SetStatus::Same => format!("已发布过，内容相同，不再发布（{current}；要恢复此内容，请提升版本号后发布）"),
        SetStatus::VersionReused => {
            format!("错误：版本 {} 已以不同内容发布过，修改规则时必须提升 version（{current}）", set.version)
        }
    }
}

fn published_summary(plan: &RulesPlan, first_index: Option<u64>) -> String {
    let versions = plan.new_versions().count();
    let departments = plan.department_events().len();
    let Some(first) = first_index else {
        return "与数据库中已发布的规则一致，没有写入任何内容。\n".to_owned();
    };
    let mut out =
        format!("已写入日志（序号 {first} 起）：{versions} 个规则集新版本，{departments} 个部门登记或变更。\n");
    if versions > 0 {
        if plan.effective > plan.today {
            let _ = writeln!(out, "新版本自 {} 起生效；运行中的服务届时自动使用，无需重启。", plan.effective);
        } else {
            let _ = writeln!(out, "新版本已生效；运行中的服务在下一次读取日志时（约 1 秒内）开始使用，无需重启。");
        }
    }
    out
}

//! `xinyong calendar show YEAR` / `add DATE N` / `import FILE`
//!
//! The calendar is the shipped years with the published years laid over
//! them (rule sets `calendar/YYYY` in the log). `import` publishes a year:
//! running servers use it for intake timeliness and listing deadlines from
//! their next read of the log, like any `xinyong rules publish`.

use std::path::PathBuf;

use chrono::NaiveDate;
use xinyong_core::rules::{self, RuleFiles};
use xinyong_domain::calendar::parse_year_toml;
use xinyong_domain::rules::RuleSetName;

use crate::config::Config;
use crate::{CmdResult, Failure, runtime};

#[derive(Debug, clap::Subcommand)]
pub enum CalendarCommand {
    /// Every day of YEAR: `YYYY-MM-DD <kind> [name]`.
    Show {
        year: i32,
        /// Database URL (overrides configuration).
        #[arg(long)]
        database: Option<String>,
    },
    /// The date N working days after DATE (counting starts the next day).
    Add {
        date: String,
        n: u32,
        /// Database URL (overrides configuration).
        #[arg(long)]
        database: Option<String>,
    },
    /// Publish a year's official schedule (a TOML file like the shipped
    /// ones) as rule set `calendar/YYYY`.
    Import {
        file: PathBuf,
        /// The first day it is in force (default: today).
        #[arg(long)]
        effective: Option<String>,
        /// Database URL (overrides configuration).
        #[arg(long)]
        database: Option<String>,
    },
}

pub async fn run(cfg: Config, cmd: CalendarCommand) -> CmdResult {
    match cmd {
        CalendarCommand::Show { year, database } => {
            let rules = crate::rules_cmd::rules_today(&cfg, database).await?;
            let days = rules.calendar.year_days(year).map_err(|e| Failure::Usage(e.to_string()))?;
            let mut out = String::new();
            for day in days {
                out.push_str(&day.date.format("%Y-%m-%d").to_string());
                out.push(' ');
                out.push_str(day.kind.as_str());
                if let Some(name) = &day.name {
                    out.push(' ');
                    out.push_str(name);
                }
                out.push('\n');
            }
            print!("{out}");
            Ok(())
        }
        CalendarCommand::Add { date, n, database } => {
            let start = NaiveDate::parse_from_str(&date, "%Y-%m-%d")
                .map_err(|_| Failure::Usage(format!("日期 {date:?} 格式应为 YYYY-MM-DD")))?;
            let rules = crate::rules_cmd::rules_today(&cfg, database).await?;
            let end = rules.calendar.add_working_days(start, n).map_err(|e| Failure::Usage(e.to_string()))?;
            println!("{}", end.format("%Y-%m-%d"));
            Ok(())
        }
        CalendarCommand::Import { file, effective, database } => import(&cfg, file, effective, database).await,
    }
}

/// Publishes one year's file, checked like `rules publish` checks
/// `calendar/YYYY.toml` (on its own, then against its neighbour years).
async fn import(cfg: &Config, file: PathBuf, effective: Option<String>, database: Option<String>) -> CmdResult {
    let text =
        std::fs::read_to_string(&file).map_err(|e| Failure::Usage(format!("无法读取 {}:{e}", file.display())))?;
    let schedule = parse_year_toml(&text).map_err(|e| Failure::Usage(format!("{}:{e}", file.display())))?;
    let year = schedule.year();
    let effective = effective
        .map(|s| {
            NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                .map_err(|_| Failure::Usage(format!("--effective {s:?} 格式应为 YYYY-MM-DD")))
        })
        .transpose()?;
    let name = RuleSetName::Calendar(year);
    let files = RuleFiles { sets: [(name, text.into())].into(), ..RuleFiles::default() };
    let core = runtime::build_core(cfg, &database.unwrap_or_else(|| cfg.database.url.clone())).await?;
    let outcome = rules::publish(&core, &files, Vec::new(), effective)
        .await
        .map_err(|e| Failure::Usage(format!("{}:{e}", file.display())))?;
    if outcome.first_index.is_some() {
        let when = if outcome.plan.effective > outcome.plan.today {
            format!("自 {} 起生效", outcome.plan.effective)
        } else {
            "已生效".to_owned()
        };
        println!("已发布 {year} 年节假日安排（规则集 {name}，版本 {}），{when}", schedule.version());
    } else {
        println!("{year} 年节假日安排（版本 {}）已发布过，内容相同，未写入任何内容", schedule.version());
    }
    if let Some(dir) = cfg.rules.dir() {
        // The rules directory is published at every start: a different file
        // for this year there would take over again.
        println!(
            "注意：已配置规则目录 {}；请把此文件也放入 {}，以免服务启动时发布目录中的其他版本",
            dir.display(),
            dir.join(name.file()).display()
        );
    }
    Ok(())
}
